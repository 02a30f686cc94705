"""`assistform force-unlock`: remove the state lock a dead run left behind."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from assistform.apply.lock import LockInfo, read_lock, remove_lock
from assistform.cli.options import env_option
from assistform.errors import LockError
from assistform.spec.load import display
from assistform.workspace import Workspace


@click.command("force-unlock")
@env_option("The lock of this environment's state (default: the default environment).")
@click.option("--sandbox", is_flag=True, help="The lock of the sandbox's state.")
@click.option(
    "--state",
    "state_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="State file (default: state/assistform.json at the repository root).",
)
@click.option("--force", is_flag=True, help="Remove the lock even if its holder may be alive.")
def force_unlock(env: str | None, sandbox: bool, state_path: Path | None, force: bool) -> None:
    """Remove the state lock. Without --force, only a lock whose run is provably dead."""
    workspace = Workspace.discover(Path.cwd(), state_path, sandbox=sandbox, env=env)
    path = workspace.state_file.lock_path
    try:
        holder = read_lock(path)
    except LockError:
        if not force:
            raise LockError(
                f"{display(path)} names no holder (a run may be creating it right now); "
                "if no run is going on: assistform force-unlock --force"
            ) from None
        holder = None
    if holder is None and not path.exists():
        click.echo("The state is not locked.")
        return
    if holder is not None and holder.holder_is_dead():
        _remove(path, holder, "Removed the stale lock of")
        return
    if not force and not _confirmed(holder):
        described = holder.describe() if holder is not None else "an unknown run"
        raise LockError(
            f"the state is locked by {described}, which may still be running: removing the "
            "lock would let two runs write the state at once. If you are sure it is dead: "
            "assistform force-unlock --force"
        )
    _remove(path, holder, "Removed the lock of")


def _remove(path: Path, holder: LockInfo | None, what: str) -> None:
    if not remove_lock(path, holder):
        raise LockError("the lock changed hands while it was being removed; look again")
    described = holder.describe() if holder is not None else "an unknown run"
    click.echo(f"{what} {described}.")


def _confirmed(holder: LockInfo | None) -> bool:
    if holder is None or not sys.stdin.isatty():
        return False
    click.echo(f"The state is locked by {holder.describe()}, which may still be running.")
    click.echo("  Only 'yes' will be accepted to remove the lock.\n")
    answer = click.prompt("  Enter a value", default="", show_default=False, prompt_suffix=": ")
    return bool(answer.strip() == "yes")
