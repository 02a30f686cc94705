"""`assistform export`: write a spec for every live assistant and vector store, optionally
taking them over."""

from __future__ import annotations

import shlex
from pathlib import Path

import click

from assistform.adopt import Report, Target, export_assistants, reasoning_effort_note
from assistform.api.connect import connect
from assistform.cli.options import server_options
from assistform.redact import mask_url
from assistform.spec.load import SPEC_DIR, display
from assistform.workspace import Workspace


@click.command()
@server_options
@click.option(
    "--unmanaged", is_flag=True, help="Only assistants and vector stores without an ownership tag."
)
@click.option(
    "--dir",
    "directory",
    type=click.Path(path_type=Path, file_okay=False),
    help="Write the specs here (default: assistants/).",
)
@click.option(
    "--adopt",
    is_flag=True,
    help="Also tag each assistant and record it in the state, as `import` does, and tag "
    "each vector store for the next plan to take over.",
)
@click.option("--force", is_flag=True, help="Overwrite existing spec files.")
def export(
    env: str | None,
    sandbox: bool,
    base_url: str | None,
    state_path: Path | None,
    unmanaged: bool,
    directory: Path | None,
    adopt: bool,
    force: bool,
) -> None:
    """Write a spec for every live assistant and vector store (keys from their names).

    A vector store's files are listed by id (`file_ids`): the API does not give back their
    content. Without --adopt nothing is taken over: until each assistant is imported, a plan
    would create a second assistant for its spec (the import commands are printed), and a
    second vector store for each store spec.
    """
    workspace = Workspace.discover(Path.cwd(), state_path, sandbox=sandbox, env=env)
    api = connect(workspace.server_options(sandbox=sandbox, base_url=base_url), workspace.root)
    report = export_assistants(
        workspace,
        api,
        unmanaged=unmanaged,
        directory=directory,
        adopt=adopt,
        force=force,
        knowledge=api.knowledge(),
    )
    for warning in report.warnings:
        click.echo(warning, err=True)
    _stores(report)
    if not report.targets:
        click.echo("No assistants to export.")
        if report.stores and not adopt:
            click.echo(_NOT_TAKEN_OVER)
        return
    shown = display(report.directory or workspace.root / SPEC_DIR)
    click.echo(f"Exported {_count(len(report.targets))} to {shown}/:")
    width = max(len(t.key) for t in report.targets)
    for target in report.targets:
        click.echo(f"  {target.key:<{width}}  {target.live.label}  -> {_files(target)}")
    if adopt:
        click.echo(
            f"Took over {_count(len(report.adopted))} ({report.tagged} newly tagged), "
            f"recorded in {display(workspace.state_file.path)}."
        )
        if report.stores:
            click.echo(
                f"Tagged {_stores_count(len(report.stores))} ({report.stores_tagged} newly): "
                "the next apply records them in the state."
            )
    elif report.planned:
        flags = _flags(env, sandbox, base_url, state_path)
        click.echo(
            "They are not taken over yet: until they are, a plan creates a second assistant "
            "for each spec. Take them over with these commands (or all at once: the same "
            "export with --adopt --force):"
        )
        for target in report.targets:
            click.echo(f"  {_import_command(target, flags)}")
        if report.stores:
            click.echo(_NOT_TAKEN_OVER)
    else:
        click.echo(
            f"Specs outside {SPEC_DIR}/ are not planned: move the ones to manage there and "
            "take each over with `assistform import KEY ID --force`."
        )
    click.echo(reasoning_effort_note(report.targets), err=True)


_NOT_TAKEN_OVER = (
    "The vector stores are not taken over yet either: until they are, a plan creates a "
    "second store for each spec (the same export with --adopt --force takes them over)."
)


def _stores(report: Report) -> None:
    if not report.stores:
        return
    click.echo(f"Exported {_stores_count(len(report.stores))}:")
    width = max(len(t.key) for t in report.stores)
    for store in report.stores:
        files = len(store.file_ids)
        click.echo(
            f"  {store.key:<{width}}  {store.live.id} ({files} file{'s' if files != 1 else ''} "
            f"by id)  -> {display(store.spec_path)}"
        )


def _count(n: int) -> str:
    return f"{n} assistant{'s' if n != 1 else ''}"


def _stores_count(n: int) -> str:
    return f"{n} vector store{'s' if n != 1 else ''}"


def _files(target: Target) -> str:
    return ", ".join(display(p) for p in target.paths)


def _flags(env: str | None, sandbox: bool, base_url: str | None, state: Path | None) -> list[str]:
    flags = ["--sandbox"] if sandbox else []
    if env is not None:
        flags += ["--env", env]
    if base_url is not None and not sandbox:
        # Printed into logs: credentials in it are masked, to be filled in by hand.
        flags += ["--base-url", mask_url(base_url)]
    if state is not None:
        flags += ["--state", str(state)]
    return flags


def _import_command(target: Target, flags: list[str]) -> str:
    return shlex.join(["assistform", "import", target.key, target.live.id, "--force", *flags])
