"""`render/` is pure: Plan in, str out; no terminal library, colour only as a parameter."""

from __future__ import annotations

import ast
from pathlib import Path

import assistform.render

RENDER = Path(assistform.render.__file__).parent
TERMINAL = ("click", "sys", "os", "io")


def test_render_imports_no_terminal_or_process_module() -> None:
    for source in sorted(RENDER.glob("*.py")):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offending = [n for n in names if n.split(".")[0] in TERMINAL]
            assert offending == [], f"{source.name} imports {offending}"
