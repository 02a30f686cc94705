"""`assistform apply [PLANFILE]`: make the live assistants match the repository.

Without PLANFILE it plans afresh, shows the plan and asks for `yes` (or takes
--auto-approve); with one it carries out exactly that saved plan, refusing it if the state
or the live assistants moved since. Either way under the state lock, with the state
journaled after every change, so a run killed at any moment is finished by the next one.
"""

from __future__ import annotations

import contextlib
import dataclasses
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

import click

from assistform.api.client import OpenAIAssistants
from assistform.api.connect import connect
from assistform.apply.executor import DEFAULT_PARALLELISM, acting_changes
from assistform.apply.knowledge import has_knowledge_changes
from assistform.apply.knowledge_context import (
    DEFAULT_PROCESSING_TIMEOUT,
    DEFAULT_UPLOAD_PARALLELISM,
)
from assistform.apply.lock import StateLock
from assistform.apply.progress import KnowledgeProgress, Progress
from assistform.apply.run import ApplySettings, KnowledgeSettings, apply_plan, state_for
from assistform.apply.stale import check_fresh, load_saved_plan
from assistform.apply.summary import failure_lines, knowledge_summary_line, summary_line
from assistform.cli.options import lock_timeout_option, retry_options, server_options, with_retry
from assistform.errors import AssistformError, StalePlanError, UsageError
from assistform.plan.model import Action, Plan
from assistform.redact import mask_url
from assistform.render import render
from assistform.spec.load import display
from assistform.workspace import Workspace

APPROVAL = (
    "\nDo you want to perform these actions?\n"
    "  assistform will perform the actions described above.\n"
    "  Only 'yes' will be accepted to approve.\n"
)


@click.command()
@click.argument("planfile", required=False, type=click.Path(path_type=Path, dir_okay=False))
@server_options
@click.option("--auto-approve", is_flag=True, help="Apply without asking for 'yes'.")
@click.option(
    "--parallelism",
    type=click.IntRange(1, 256),
    default=DEFAULT_PARALLELISM,
    show_default=True,
    help="Changes carried out at once.",
)
@click.option(
    "--upload-parallelism",
    type=click.IntRange(1, 64),
    default=DEFAULT_UPLOAD_PARALLELISM,
    show_default=True,
    help="Files uploaded at once.",
)
@click.option(
    "--processing-timeout",
    type=click.FloatRange(min=0),
    default=DEFAULT_PROCESSING_TIMEOUT,
    show_default=True,
    help="Seconds to wait for the server to process the files attached to vector stores.",
)
@click.option("--target", "targets", multiple=True, metavar="KEY", help="Apply only KEY (glob).")
@click.option("--replace", "replace", multiple=True, metavar="KEY", help="Replace KEY.")
@click.option("--color/--no-color", default=None, help="Colour the plan.")
@lock_timeout_option
@retry_options
@click.option(
    "--request-timeout",
    type=click.FloatRange(min=0.01),
    help="Seconds to wait for each answer of the server (default: the environment's, or 30).",
)
def apply(
    planfile: Path | None,
    env: str | None,
    sandbox: bool,
    base_url: str | None,
    state_path: Path | None,
    auto_approve: bool,
    parallelism: int,
    upload_parallelism: int,
    processing_timeout: float,
    targets: tuple[str, ...],
    replace: tuple[str, ...],
    color: bool | None,
    lock_timeout: float,
    max_tries: int | None,
    max_retry_seconds: float | None,
    retry_base_delay: float | None,
    request_timeout: float | None,
) -> None:
    """Make the live assistants match the specs (or carry out a saved PLANFILE)."""
    if planfile is not None and (targets or replace):
        raise UsageError(
            "--target and --replace shape a new plan; a saved plan is applied as saved"
        )
    saved = load_saved_plan(planfile) if planfile is not None else None
    if saved is not None:
        sandbox, env = _where_saved(saved, sandbox, env)
    workspace = Workspace.discover(Path.cwd(), state_path, sandbox=sandbox, env=env)
    server = workspace.server_options(sandbox=sandbox, base_url=base_url)
    server = with_retry(server, max_tries, max_retry_seconds, retry_base_delay)
    if request_timeout is not None:
        server = dataclasses.replace(server, timeout=request_timeout)
    # One policy: the client retries each request with it, and a create's tries follow it.
    settings = ApplySettings(parallelism=parallelism, policy=server.retry)
    state_file = workspace.state_file
    # The lock comes first (before the SDK is even imported), so that a second run learns
    # quickly that it has to wait, and no plan is made from a state being written.
    with _sigterm_as_interrupt(), StateLock(state_file.lock_path, wait=lock_timeout):
        api = connect(server, workspace.root)
        if saved is not None:
            assert planfile is not None
            _check_saved(saved, workspace, api, display(planfile))
            plan = saved
        else:
            plan = workspace.plan(api, targets=targets, replace=replace)
            use_color = color if color is not None else sys.stdout.isatty()
            click.echo(render(plan, "text", color=click.style if use_color else None), nl=False)
        knowledge = has_knowledge_changes(plan)
        if not plan.has_changes and not plan.writes_state and not knowledge:
            if saved is not None:
                click.echo("The saved plan has no changes: nothing to apply.")
            return
        if saved is None and not auto_approve:
            _ask_approval()
        live = sys.stdout.isatty()
        progress = Progress(len(acting_changes(plan)), sys.stdout, live=live, redact=api.redact)
        uploads = [c for c in plan.file_changes if c.action in (Action.CREATE, Action.REPLACE)]
        transfer = KnowledgeProgress(
            sys.stdout,
            live=live,
            files=len(uploads),
            total_bytes=sum(c.size or 0 for c in uploads),
            redact=api.redact,
        )
        steps = KnowledgeSettings(
            api=api.knowledge(),
            root=workspace.root,
            upload_parallelism=upload_parallelism,
            processing_timeout=processing_timeout,
            on_step=transfer.step,
            on_bytes=transfer.bytes_sent,
        )
        try:
            state = state_for(plan, state_file)
            result = apply_plan(
                plan,
                api,
                state_file,
                state,
                settings,
                on_done=progress.finished,
                knowledge=steps if knowledge else None,
            )
        finally:
            transfer.close()
            progress.close()
    click.echo(summary_line(result.outcomes))
    if result.steps:
        click.echo(knowledge_summary_line(result.steps))
    for line in failure_lines(result.outcomes) + [s.failure_line() for s in result.failed_steps]:
        click.echo(f"error: {api.redact(line)}", err=True)
    if not result.ok:
        sys.exit(1)


def _where_saved(plan: Plan, sandbox: bool, env: str | None) -> tuple[bool, str | None]:
    """A saved plan is applied where it was made: its sandbox and environment by default,
    and a flag that points elsewhere is refused rather than silently obeyed."""
    planned_in_sandbox = plan.server == "sandbox"
    if sandbox and plan.server is not None and not planned_in_sandbox:
        raise UsageError(
            f"the saved plan was made against {mask_url(plan.server)}, not the sandbox"
        )
    if env is not None and env != plan.env:
        raise UsageError(
            f"the saved plan was made for environment {plan.env or '(none)'}, not {env}"
        )
    return sandbox or planned_in_sandbox, plan.env


def _check_saved(plan: Plan, workspace: Workspace, api: OpenAIAssistants, source: str) -> None:
    # Plans name their server masked; one saved before that names it in full, and is
    # recognised by its masked form all the same (credentials say who, not where).
    saved_on = mask_url(plan.server) if plan.server is not None else None
    if saved_on is not None and saved_on != api.server_label:
        raise StalePlanError(
            f"saved plan {source} was made against {saved_on}; this run talks to "
            f"{api.server_label}: nothing was changed"
        )
    state = state_for(plan, workspace.state_file)
    # Listed even for a plan made with --no-refresh: it must not act on another
    # environment's assistant, whatever the state it was made from recorded.
    check_fresh(plan, state, api.list_all(), source)


def stdin_is_interactive() -> bool:
    """Whether someone can answer the question (tests replace this)."""
    return sys.stdin.isatty()


def _ask_approval() -> None:
    if not stdin_is_interactive():
        raise UsageError(
            "no terminal to ask for approval on: pass --auto-approve, or apply a saved plan "
            "(assistform plan --out FILE, then assistform apply FILE)"
        )
    click.echo(APPROVAL)
    answer = click.prompt("  Enter a value", default="", show_default=False, prompt_suffix=": ")
    click.echo()
    if answer.strip() != "yes":
        raise AssistformError("apply cancelled: only 'yes' is accepted; nothing was changed")


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """Treat SIGTERM (a cancelled CI job) like Ctrl-C: finish and record what is under way,
    start nothing new, release the lock."""

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
