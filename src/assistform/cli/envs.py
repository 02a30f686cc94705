"""`assistform envs`: the environments of assistform.yaml, where their state is, and whether
their key variable is set. Never the key itself, nor credentials in a base URL."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import click

from assistform.config import ProjectConfig
from assistform.configfile import CONFIG_FILE, read_config
from assistform.redact import mask_url
from assistform.spec.load import display, find_root
from assistform.state import DEFAULT_STATE_PATH

_COLUMNS = ("ENVIRONMENT", "STATE", "SERVER", "KEY VARIABLE")


@click.command()
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text")
def envs(output_format: str) -> None:
    """List the environments: state file, server, and whether the key variable is set."""
    root = find_root(Path.cwd())
    config = read_config(root)
    rows = _rows(config.require(), root) if config.exists else []
    if output_format == "json":
        click.echo(json.dumps({"environments": rows}, indent=2))
    elif not rows:
        why = f"{CONFIG_FILE} declares none" if config.exists else f"there is no {CONFIG_FILE}"
        click.echo(
            f"No environments: {why}. Commands use {display(root / DEFAULT_STATE_PATH)} "
            "and $OPENAI_API_KEY."
        )
    else:
        click.echo(_table(rows), nl=False)


def _rows(config: ProjectConfig, root: Path) -> list[dict[str, Any]]:
    rows = []
    for name, env in config.environments.items():
        state = root / config.state_path(name)
        variable = env.server.api_key_env
        rows.append(
            {
                "name": name,
                "default": env.default,
                "state": display(state),
                "state_exists": state.exists(),
                # Credentials in it masked: this output lands in CI logs too.
                "base_url": mask_url(env.server.base_url) if env.server.base_url else None,
                "api_key_env": variable,
                # Whether it is set, never what it holds: this output lands in CI logs.
                "api_key_set": bool(os.environ.get(variable)),
            }
        )
    return rows


def _table(rows: list[dict[str, Any]]) -> str:
    lines = [_COLUMNS]
    for row in rows:
        lines.append(
            (
                row["name"] + (" (default)" if row["default"] else ""),
                row["state"] + ("" if row["state_exists"] else " (not created yet)"),
                row["base_url"] or "$OPENAI_BASE_URL or the SDK's default",
                row["api_key_env"] + (" (set)" if row["api_key_set"] else " (NOT SET)"),
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(_COLUMNS))]
    return "".join(
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        + "\n"
        for line in lines
    )
