"""`assistform validate`: offline checks of the specs, fast enough for a pre-commit hook.

Imports nothing that talks to the network: a test holds it to that.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from assistform.errors import Diagnostic, Severity
from assistform.spec.load import LoadResult, find_root, load_specs


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--format", "output_format", type=click.Choice(["text", "json"]), default="text",
    help="Output as compiler-style lines or as JSON.",
)
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
def validate(paths: tuple[Path, ...], output_format: str, strict: bool) -> None:
    """Check specs offline: with no PATH, every spec under assistants/."""
    root = find_root(Path.cwd())
    result = load_specs(root, list(paths) if paths else None)
    failed = bool(result.errors) or (strict and bool(result.warnings))
    if output_format == "json":
        click.echo(json.dumps(_as_json(result, failed), indent=2))
    else:
        for diagnostic in result.diagnostics:
            click.echo(str(diagnostic), err=diagnostic.severity is Severity.ERROR)
        click.echo(_summary(result), err=failed)
    sys.exit(1 if failed else 0)


def _summary(result: LoadResult) -> str:
    files = f"{result.files} spec{'s' if result.files != 1 else ''}"
    errors, warnings = len(result.errors), len(result.warnings)
    if not errors and not warnings:
        return f"{files} valid."
    return f"{files}: {errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}."


def _as_json(result: LoadResult, failed: bool) -> dict[str, object]:
    def item(d: Diagnostic) -> dict[str, object]:
        loc = d.location
        return {"path": loc.path, "line": loc.line, "col": loc.col, "severity": d.severity.value, "message": d.message}

    return {
        "valid": not failed,
        "files": result.files,
        "errors": len(result.errors),
        "warnings": len(result.warnings),
        "diagnostics": [item(d) for d in result.diagnostics],
    }
