"""`assistform state`: look at the state file, or rebuild it from the live assistants."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from assistform.api.connect import connect
from assistform.apply.lock import StateLock
from assistform.apply.rebuild import choose_lineage, rebuild
from assistform.cli.options import env_option, lock_timeout_option, server_options
from assistform.errors import SpecError, StateError
from assistform.spec.load import display
from assistform.state import State
from assistform.workspace import Workspace


@click.group()
def state() -> None:
    """Show the state, or rebuild it from the live assistants."""


@state.command("rebuild")
@server_options
@click.option(
    "--keep", multiple=True, metavar="ID", help="Of several assistants claiming a key, keep ID."
)
@click.option(
    "--lineage",
    help="Rebuild the state of this lineage (when tags carry several); also takes the "
    "assistants of that lineage tagged by an older assistform, which name no environment.",
)
@lock_timeout_option
def rebuild_command(
    env: str | None,
    sandbox: bool,
    base_url: str | None,
    state_path: Path | None,
    keep: tuple[str, ...],
    lineage: str | None,
    lock_timeout: float,
) -> None:
    """Rewrite the state from the live assistants' ownership tags."""
    workspace = Workspace.discover(Path.cwd(), state_path, sandbox=sandbox, env=env)
    api = connect(workspace.server_options(sandbox=sandbox, base_url=base_url), workspace.root)
    state_file = workspace.state_file
    with StateLock(state_file.lock_path, wait=lock_timeout):
        current = _readable(workspace)
        live = api.list_all()
        # An empty state (nothing recorded, never written to) names no lineage worth keeping.
        used = current is not None and bool(current.resources or current.serial)
        chosen = choose_lineage(
            live,
            lineage,
            current.lineage if current and used else None,
            workspace.env,
            sandbox=sandbox,
        )
        lifecycles, declared = _from_specs(workspace, current)
        result = rebuild(
            live,
            chosen,
            serial=current.serial if current and current.lineage == chosen else 0,
            env=workspace.env,
            # Older tags name no environment: taken only for a lineage named explicitly.
            legacy=lineage is not None,
            sandbox=sandbox,
            keep=frozenset(keep),
            lifecycles=lifecycles,
            declared=declared,
        )
        written = state_file.save(result.state)
    for warning in [*live.warnings, *result.warnings]:
        click.echo(f"warning: {warning}", err=True)
    for key, assistant in result.recorded:
        click.echo(f"recorded {key} -> {assistant.label}")
    backup = f"; the previous version is in {state_file.backup_path.name}" if current else ""
    click.echo(
        f"State rebuilt: {len(result.recorded)} assistant(s) recorded in "
        f"{display(state_file.path)} (lineage {written.lineage}, serial {written.serial}){backup}."
    )


@state.command()
@env_option("The state of this environment of assistform.yaml (default: the default one).")
@click.option("--sandbox", is_flag=True, help="The state of the built-in local server.")
@click.option(
    "--state",
    "state_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="State file (default: state/assistform.json at the repository root).",
)
def show(env: str | None, sandbox: bool, state_path: Path | None) -> None:
    """List the assistants the state records."""
    workspace = Workspace.discover(Path.cwd(), state_path, sandbox=sandbox, env=env)
    if not workspace.state_file.exists():
        click.echo(f"{display(workspace.state_file.path)}: no state yet (nothing applied).")
        return
    current = workspace.state_file.load()
    click.echo(
        f"{display(workspace.state_file.path)}: lineage {current.lineage}, serial {current.serial}, "
        f"{len(current.resources)} assistant(s)"
    )
    width = max((len(k) for k in current.resources), default=0)
    for key, resource in sorted(current.resources.items()):
        name = resource.applied.get("name")
        click.echo(f"  {key:<{width}}  {resource.id}" + (f"  {name}" if name else ""))


def _readable(workspace: Workspace) -> State | None:
    """The current state, or None when there is none or it cannot be read."""
    state_file = workspace.state_file
    if not state_file.exists():
        return None
    try:
        return state_file.load()
    except StateError as exc:
        click.echo(f"warning: {exc.message}; rebuilding it", err=True)
        return None


def _from_specs(
    workspace: Workspace, current: State | None
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """Each key's lifecycle (from its spec if it has one, else as the old state had it) and
    the fields its spec declares (none for a spec that does not load)."""
    found = {k: r.lifecycle for k, r in current.resources.items()} if current else {}
    try:
        desired = workspace.desired()
    except SpecError:
        return found, {}
    return {**found, **{d.key: d.lifecycle for d in desired}}, {d.key: d.config for d in desired}
