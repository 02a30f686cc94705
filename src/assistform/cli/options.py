"""Options shared by the commands that talk to a server."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

ENV_VARIABLE = "ASSISTFORM_ENV"


def env_option(help_text: str) -> Callable[[F], F]:
    """--env NAME (or $ASSISTFORM_ENV): an environment declared in assistform.yaml."""
    return click.option("--env", metavar="NAME", envvar=ENV_VARIABLE, help=help_text)


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
