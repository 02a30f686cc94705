"""Options shared by the commands that talk to a server."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from assistform.api.connect import ServerOptions

F = TypeVar("F", bound=Callable[..., Any])

ENV_VARIABLE = "ASSISTFORM_ENV"


def env_option(help_text: str) -> Callable[[F], F]:
    """--env NAME (or $ASSISTFORM_ENV): an environment declared in assistform.yaml."""
    return click.option("--env", metavar="NAME", envvar=ENV_VARIABLE, help=help_text)


def lock_timeout_option(func: F) -> F:
    """--lock-timeout: how long a command that writes the state waits for its lock."""
    # Imported here: `validate` imports this module, and never takes a lock.
    from assistform.apply.lock import DEFAULT_WAIT

    option = click.option(
        "--lock-timeout",
        type=click.FloatRange(min=0),
        default=DEFAULT_WAIT,
        show_default=True,
        help="Seconds to wait for a state lock held by another run.",
    )
    return option(func)


def server_options(func: F) -> F:
    """--env, --sandbox, --base-url, --state: which environment, how to reach its server and
    where its state lives. Pass them to `Workspace.discover` and `Workspace.server_options`."""
    decorators = [
        env_option(
            "Environment from assistform.yaml: its server, state file and overrides "
            "(default: the one marked default: true, if any)."
        ),
        click.option(
            "--sandbox",
            is_flag=True,
            help="Use the built-in local server (data in .assistform/, no key needed).",
        ),
        # No envvar here: $OPENAI_BASE_URL must not beat an environment's base_url, so
        # `connect` reads it last.
        click.option(
            "--base-url",
            help="Base URL of the assistants server (default: the environment's, "
            "else $OPENAI_BASE_URL).",
        ),
        click.option(
            "--state",
            "state_path",
            type=click.Path(path_type=Path, dir_okay=False),
            help="State file (default: state/assistform.json at the repository root, "
            "or the environment's).",
        ),
    ]
    for decorator in reversed(decorators):
        func = decorator(func)
    return func


def retry_options(func: F) -> F:
    """--max-tries, --max-retry-seconds, --retry-base-delay: how each request is retried.
    Unset, the environment's `server.max_retries` and the policy's defaults hold; pass them
    to `with_retry`."""
    from assistform.api.retry import RetryPolicy  # not for `validate`, which has no requests

    default = RetryPolicy()
    decorators = [
        click.option(
            "--max-tries",
            type=click.IntRange(min=1),
            default=None,
            help=f"Tries per API request, the first included (default: {default.max_tries}, "
            "or the environment's server.max_retries + 1).",
        ),
        click.option(
            "--max-retry-seconds",
            type=click.FloatRange(min=0),
            default=None,
            help=f"Seconds one API request may spend retrying (default: {default.max_seconds:g}).",
        ),
        click.option(
            "--retry-base-delay",
            type=click.FloatRange(min=0),
            default=None,
            hidden=True,
        ),
    ]
    for decorator in reversed(decorators):
        func = decorator(func)
    return func


def with_retry(
    server: ServerOptions,
    max_tries: int | None,
    max_retry_seconds: float | None,
    retry_base_delay: float | None,
) -> ServerOptions:
    """`server` with the retry flags that were given laid over its policy."""
    policy = server.retry
    if max_tries is not None:
        policy = dataclasses.replace(policy, max_tries=max_tries)
    if max_retry_seconds is not None:
        policy = dataclasses.replace(policy, max_seconds=max_retry_seconds)
    if retry_base_delay is not None:
        policy = dataclasses.replace(policy, base_delay=retry_base_delay)
    return dataclasses.replace(server, retry=policy)
