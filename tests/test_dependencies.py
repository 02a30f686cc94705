"""Every third-party module the package imports comes from a declared dependency."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

import assistform

REPO_ROOT = next(p for p in Path(__file__).resolve().parents if (p / "pyproject.toml").is_file())
SOURCE = Path(assistform.__file__).parent
#: Imported directly but part of a declared dependency: pydantic pins the exact
#: pydantic-core it is built with, and documents `pydantic_core.PydanticCustomError`.
PART_OF = {"pydantic_core": "pydantic"}


def _top_level_imports() -> set[str]:
    found: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names) - {"assistform", "__future__"}


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_imported_distribution_is_declared() -> None:
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    declared = {
        _normalized(re.split(r"[<>=!~;\[ ]", spec, maxsplit=1)[0])
        for spec in project["project"]["dependencies"]
    }
    providers = importlib.metadata.packages_distributions()
    imported = _top_level_imports()
    assert "httpx2" in imported  # the probe sees the sandbox's direct import
    undeclared = sorted(
        f"{module} (from {', '.join(providers.get(module, ['?']))})"
        for module in imported
        if not any(
            _normalized(d) in declared
            for d in [*providers.get(module, [module]), PART_OF.get(module, module)]
        )
    )
    assert undeclared == []
