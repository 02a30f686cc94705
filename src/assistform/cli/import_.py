"""`assistform import KEY ASSISTANT_ID`: take over a live assistant assistform did not create."""

from __future__ import annotations

from pathlib import Path

import click

from assistform.adopt import Report, import_assistant, reasoning_effort_note
from assistform.api.connect import connect
from assistform.cli.options import server_options
from assistform.spec.load import display
from assistform.workspace import Workspace


@click.command("import")
@click.argument("key")
@click.argument("assistant_id")
@server_options
@click.option("--force", is_flag=True, help="Overwrite an existing spec file.")
def import_command(
    key: str,
    assistant_id: str,
    env: str | None,
    sandbox: bool,
    base_url: str | None,
    state_path: Path | None,
    force: bool,
) -> None:
    """Take over the live assistant ASSISTANT_ID as KEY.

    Writes assistants/KEY.yaml from it (long instructions to assistants/KEY.md), adds the
    ownership tag to its metadata and records it in the state: the next plan shows no change.
    """
    workspace = Workspace.discover(Path.cwd(), state_path, sandbox=sandbox, env=env)
    api = connect(workspace.server_options(sandbox=sandbox, base_url=base_url), workspace.root)
    report = import_assistant(workspace, api, key, assistant_id, force=force)
    for line in report_lines(report):
        click.echo(line)
    for warning in report.warnings:
        click.echo(warning, err=True)
    click.echo(reasoning_effort_note(report.targets), err=True)


def report_lines(report: Report) -> list[str]:
    lines = []
    for target in report.adopted:
        lines.append(f"Imported {target.live.label} as '{target.key}':")
        lines.append(f"  wrote {display(target.spec_path)}")
        if target.instructions_path is not None and target.files.instructions_text is not None:
            size = len(target.files.instructions_text)
            lines.append(
                f"  wrote {display(target.instructions_path)} (instructions, {size:,} characters)"
            )
    if report.tagged:
        lines.append("  set its ownership tag (metadata key 'assistform')")
    if report.state_path is not None:
        lines.append(f"  recorded it in {display(report.state_path)}")
    return lines
