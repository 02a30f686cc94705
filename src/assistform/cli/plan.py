"""`assistform plan`: what would change, as text, JSON or Markdown; `--out` saves it."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from assistform.api.connect import connect
from assistform.cli.options import retry_options, server_options, with_retry
from assistform.errors import AssistformError, UsageError
from assistform.render import render
from assistform.workspace import Workspace


@click.command()
@server_options
@click.option("--no-refresh", is_flag=True, help="Plan from the state alone, offline.")
@click.option("--target", "targets", multiple=True, metavar="KEY", help="Plan only KEY (glob).")
@click.option("--replace", "replace", multiple=True, metavar="KEY", help="Replace KEY.")
@click.option(
    "--format", "output_format", type=click.Choice(["text", "json", "markdown"]), default="text"
)
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), help="Save the plan.")
@click.option("--detailed-exitcode", is_flag=True, help="Exit 0 no changes, 1 error, 2 changes.")
@click.option("--color/--no-color", default=None, help="Colour the text output.")
@retry_options
def plan(
    env: str | None,
    sandbox: bool,
    base_url: str | None,
    state_path: Path | None,
    no_refresh: bool,
    targets: tuple[str, ...],
    replace: tuple[str, ...],
    output_format: str,
    out: Path | None,
    detailed_exitcode: bool,
    color: bool | None,
    max_tries: int | None,
    max_retry_seconds: float | None,
    retry_base_delay: float | None,
) -> None:
    """Show what apply would change, without changing anything."""
    try:
        workspace = Workspace.discover(Path.cwd(), state_path, sandbox=sandbox, env=env)
        server = workspace.server_options(sandbox=sandbox, base_url=base_url)
        server = with_retry(server, max_tries, max_retry_seconds, retry_base_delay)
        api = None if no_refresh else connect(server, workspace.root)
        result = workspace.plan(api, targets=targets, replace=replace)
    except UsageError as exc:
        if not detailed_exitcode:
            raise
        # Exit 2 means "changes" here: a missing key in CI must not read as drift.
        raise AssistformError(exc.message, exc.location) from None
    use_color = color if color is not None else (output_format == "text" and sys.stdout.isatty())
    click.echo(render(result, output_format, color=click.style if use_color else None), nl=False)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(render(result, "json"), encoding="utf-8")
        click.echo(f"Saved the plan to {out}; apply it with: assistform apply {out}", err=True)
    if detailed_exitcode and result.writes_state:
        sys.exit(2)
