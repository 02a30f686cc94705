"""`assistform rollback KEY [--to VERSION]`: make a kept blue-green version current again."""

from __future__ import annotations

from pathlib import Path

import click

from assistform.api.connect import connect
from assistform.apply.lock import StateLock
from assistform.cli.options import lock_timeout_option, server_options
from assistform.errors import ApiError
from assistform.rollback import RollbackError, rolled_back, target_version
from assistform.workspace import Workspace


@click.command()
@click.argument("key")
@click.option(
    "--to", "to", type=click.IntRange(min=1), metavar="VERSION", help="Default: the previous."
)
@server_options
@lock_timeout_option
def rollback(
    key: str,
    to: int | None,
    env: str | None,
    sandbox: bool,
    base_url: str | None,
    state_path: Path | None,
    lock_timeout: float,
) -> None:
    """Point KEY back at a version it keeps (blue-green); changes the state only."""
    workspace = Workspace.discover(Path.cwd(), state_path, sandbox=sandbox, env=env)
    server = workspace.server_options(sandbox=sandbox, base_url=base_url)
    state_file = workspace.state_file
    with StateLock(state_file.lock_path, wait=lock_timeout):
        state = state_file.load()
        version = target_version(state, key, to)
        api = connect(server, workspace.root)
        try:
            live = api.get(version.id)
        except ApiError as error:
            raise RollbackError(
                f"version {version.version} of '{key}' ({version.id}) cannot be read: "
                f"{api.redact(error.message)}"
            ) from None
        resource = state.resources[key]
        previous = resource.version
        state_file.save(state.with_resource(key, rolled_back(resource, version, live)))
    click.echo(
        f"{key}: version {version.version} ({version.id}) is current again "
        f"(was version {previous}). The next plan shows what the spec would change."
    )
