"""Options shared by the commands that talk to a server."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from assistform.api.connect import ServerOptions

F = TypeVar("F", bound=Callable[..., Any])


def server_options(func: F) -> F:
    """--sandbox, --base-url, --state: how to reach the server and where the state lives."""
    decorators = [
        click.option(
            "--sandbox",
            is_flag=True,
            help="Use the built-in local server (data in .assistform/, no key needed).",
        ),
        click.option(
            "--base-url",
            envvar="OPENAI_BASE_URL",
            help="Base URL of the assistants server (default: $OPENAI_BASE_URL).",
        ),
        click.option(
            "--state",
            "state_path",
            type=click.Path(path_type=Path, dir_okay=False),
            help="State file (default: state/assistform.json at the repository root).",
        ),
    ]
    for decorator in reversed(decorators):
        func = decorator(func)
    return func


def server_from(sandbox: bool, base_url: str | None) -> ServerOptions:
    return ServerOptions(sandbox=sandbox, base_url=None if sandbox else base_url)
