"""`assistform validate`: offline checks of the specs, fast enough for a pre-commit hook.

Imports nothing that talks to the network: a test holds it to that.

Text output is compiler-style, one `path:line:col: severity: message` line per finding,
sorted by file and position, on stderr; then a one-line summary, on stdout when the specs
pass and on stderr when they fail. `--format json` prints one JSON document on stdout.
Exit 0 when valid, 1 when not (warnings count with `--strict`), 2 on a usage error.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from assistform.cli.options import env_option
from assistform.errors import Diagnostic

if TYPE_CHECKING:
    from assistform.spec.load import LoadResult

#: pydantic's documented switch: with it, building the spec models skips the search of
#: every installed distribution for pydantic plugins.
_PLUGINS_SWITCH = "PYDANTIC_DISABLE_PLUGINS"


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    help="Output as compiler-style lines or as JSON.",
)
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@env_option(
    "Check the specs as this environment merges them "
    "(default: as written and as every environment declared in assistform.yaml merges them)."
)
def validate(paths: tuple[Path, ...], output_format: str, strict: bool, env: str | None) -> None:
    """Check specs offline: the files or folders given, or every spec under assistants/
    and vector_stores/ (with the files their globs match: stat only, never read).

    Key clashes (a.yaml beside a.yml) are checked across the whole folder either way.
    """
    with _without_pydantic_plugins():
        # Imported here, where plugins are off: importing it builds the spec models.
        from assistform.spec.load import find_root, load_every_environment, load_specs

        root = find_root(Path.cwd())
        chosen = list(paths) if paths else None
        result = load_specs(root, chosen, env=env) if env else load_every_environment(root, chosen)
    failed = bool(result.errors) or (strict and bool(result.warnings))
    if output_format == "json":
        import json  # only for this format: the hook's text output needs none

        click.echo(json.dumps(_as_json(result, failed), indent=2))
    else:
        for diagnostic in result.diagnostics:
            click.echo(str(diagnostic), err=True)
        click.echo(_summary(result, strict), err=failed)
    sys.exit(1 if failed else 0)


@contextmanager
def _without_pydantic_plugins() -> Iterator[None]:
    """Spec models built and checked with no pydantic plugin, unless the user chose some.

    Plugins observe an application's own validations (logfire's records them); checking
    specs in a hook is not one, and looking for them costs every run a scan of all installed
    distributions (an installed plugin's import can cost a hundred times more). The switch
    is set in this process only while it loads, and put back as it was.
    """
    chosen = os.environ.get(_PLUGINS_SWITCH)
    if chosen is None:
        os.environ[_PLUGINS_SWITCH] = "__all__"
    try:
        yield
    finally:
        if chosen is None:
            os.environ.pop(_PLUGINS_SWITCH, None)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _summary(result: LoadResult, strict: bool) -> str:
    files = _plural(result.files, "spec")
    errors, warnings = len(result.errors), len(result.warnings)
    if not errors and not warnings:
        return f"{files} valid."
    text = f"{files}: {_plural(errors, 'error')}, {_plural(warnings, 'warning')}"
    if strict and warnings:
        text += " (--strict: warnings fail)"
    return text + "."


def _as_json(result: LoadResult, failed: bool) -> dict[str, object]:
    def item(d: Diagnostic) -> dict[str, object]:
        loc = d.location
        return {
            "path": loc.path,
            "line": loc.line,
            "col": loc.col,
            "severity": d.severity.value,
            "message": d.message,
        }

    return {
        "valid": not failed,
        "files": result.files,
        "errors": len(result.errors),
        "warnings": len(result.warnings),
        "diagnostics": [item(d) for d in result.diagnostics],
    }
