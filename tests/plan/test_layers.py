"""The planner's place in the pipeline: it reads plain data and imports nothing from `api/`."""

from __future__ import annotations

import ast
from pathlib import Path

import assistform.plan


def _imported_modules(source: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_the_planner_imports_nothing_from_api() -> None:
    for source in sorted(Path(assistform.plan.__file__).parent.glob("*.py")):
        api = sorted(m for m in _imported_modules(source) if m.startswith("assistform.api"))
        assert api == [], f"{source.name} imports {api}"


def test_api_live_still_offers_the_planners_inputs() -> None:
    from assistform.api import live as api_live
    from assistform.plan import live as plan_live

    assert api_live.LiveAssistant is plan_live.LiveAssistant
    assert api_live.LiveSet is plan_live.LiveSet
