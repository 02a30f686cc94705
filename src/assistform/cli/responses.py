"""`assistform render --responses`: each spec as the configuration of a Responses API request.

The command that maps specs onto the Responses API (named `render` on the command line);
plans are rendered by `assistform.render`.

Prints one JSON object keyed by spec key (sorted); each value holds `request`, the body of a
`POST /v1/responses` without its `input`, and `unmapped`, the spec fields that request
cannot carry, each with the reason. A note on stderr counts the unmapped fields.
"""

from __future__ import annotations

import fnmatch
import json
from pathlib import Path

import click

from assistform.cli.options import env_option
from assistform.configfile import read_config
from assistform.errors import SpecError, UsageError
from assistform.responses import to_responses
from assistform.spec.load import find_root, load_specs


@click.command(name="render")
@click.argument("keys", nargs=-1, metavar="[KEY]...")
@click.option(
    "--responses",
    is_flag=True,
    help="Render each spec as a Responses API request configuration (JSON).",
)
@env_option("Render the specs as this environment merges them (default: the default environment).")
def render_responses(keys: tuple[str, ...], responses: bool, env: str | None) -> None:
    """Print specs in another API's shape: every spec, or those matching KEY (glob)."""
    if not responses:
        raise UsageError("say what to render: --responses (the one rendering so far)")
    root = find_root(Path.cwd())
    result = load_specs(root, env=read_config(root).select(env))
    if result.errors:
        raise SpecError(result.diagnostics)
    for pattern in keys:
        if not any(fnmatch.fnmatchcase(s.key, pattern) for s in result.specs):
            raise UsageError(f"no spec has a key matching '{pattern}'")
    chosen = [
        s for s in result.specs if not keys or any(fnmatch.fnmatchcase(s.key, k) for k in keys)
    ]
    rendered = {s.key: to_responses(s.spec) for s in chosen}
    click.echo(json.dumps({key: r.as_json() for key, r in rendered.items()}, indent=2))
    unmapped = sum(len(r.unmapped) for r in rendered.values())
    if unmapped:
        click.echo(
            f"note: {unmapped} spec field(s) have no Responses equivalent; "
            'each is listed under "unmapped"',
            err=True,
        )
