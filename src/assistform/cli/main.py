"""`assistform` entry point.

Commands live one per module and are imported lazily, so that `assistform validate`
never pays for (or imports) the HTTP stack that plan and apply need.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any

import click

from assistform import __version__
from assistform.errors import AssistformError

#: command name -> "module:attribute" of its click command.
COMMANDS: dict[str, str] = {
    "validate": "assistform.cli.validate:validate",
    "schema": "assistform.cli.schema:schema",
    "sandbox": "assistform.cli.sandbox:sandbox",
    "plan": "assistform.cli.plan:plan",
    "envs": "assistform.cli.envs:envs",
    "render": "assistform.cli.responses:render_responses",
    "apply": "assistform.cli.apply:apply",
    "state": "assistform.cli.state:state",
    "force-unlock": "assistform.cli.force_unlock:force_unlock",
    "doctor": "assistform.cli.doctor:doctor",
    "import": "assistform.cli.import_:import_command",
    "export": "assistform.cli.export:export",
    "output": "assistform.cli.output:output",
    "rollback": "assistform.cli.rollback:rollback",
}


class LazyGroup(click.Group):
    """A click group whose subcommands are imported only when used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        command = getattr(importlib.import_module(module_name), attr)
        assert isinstance(command, click.Command)
        return command

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except AssistformError as exc:
            # Each source masks what it knows; this catches what one of them missed.
            click.echo(_redacted(str(exc)), err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("error: interrupted", err=True)
            sys.exit(130)


def _redacted(message: str) -> str:
    from assistform.redact import known_secrets

    return known_secrets(Path.cwd())(message)


@click.group(cls=LazyGroup)
@click.version_option(__version__, prog_name="assistform")
def cli() -> None:
    """Declarative GitOps for OpenAI Assistants: validate, plan, apply."""


def main() -> None:
    cli(prog_name="assistform")
