"""`assistform render --responses`: each spec as the configuration of a Responses API request.

The command that maps specs onto the Responses API (named `render` on the command line);
plans are rendered by `assistform.render`.

Prints one JSON object keyed by spec key (sorted); each value holds `request`, the body of a
`POST /v1/responses` without its `input`, and `unmapped`, the spec fields that request
cannot carry, each with the reason. A note on stderr counts the unmapped fields.

Offline, like `assistform output`: the ids of managed vector stores and uploaded files come
from the state of the chosen environment, read only when a chosen spec uses them.
"""

from __future__ import annotations

import fnmatch
import json
from pathlib import Path

import click

from assistform.cli.options import env_option
from assistform.errors import SpecError, UsageError
from assistform.location import locate
from assistform.responses import AppliedIds, to_responses
from assistform.spec.load import load_specs
from assistform.state import StateFile


@click.command(name="render")
@click.argument("keys", nargs=-1, metavar="[KEY]...")
@click.option(
    "--responses",
    is_flag=True,
    help="Render each spec as a Responses API request configuration (JSON).",
)
@env_option(
    "Render the specs as this environment merges them, with the ids its state records "
    "(default: the default environment)."
)
@click.option(
    "--sandbox",
    is_flag=True,
    help="Ids from the state of the built-in local server (.assistform/).",
)
@click.option(
    "--state",
    "state_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="State file the ids of vector stores and files come from (default: "
    "state/assistform.json at the repository root, or the environment's).",
)
def render_responses(
    keys: tuple[str, ...],
    responses: bool,
    env: str | None,
    sandbox: bool,
    state_path: Path | None,
) -> None:
    """Print specs in another API's shape: every spec, or those matching KEY (glob)."""
    if not responses:
        raise UsageError("say what to render: --responses (the one rendering so far)")
    where = locate(Path.cwd(), state_path, sandbox=sandbox, env=env)
    result = load_specs(where.root, env=where.env)
    if result.errors:
        raise SpecError(result.diagnostics)
    for pattern in keys:
        if not any(fnmatch.fnmatchcase(s.key, pattern) for s in result.specs):
            raise UsageError(f"no spec has a key matching '{pattern}'")
    chosen = [
        s for s in result.specs if not keys or any(fnmatch.fnmatchcase(s.key, k) for k in keys)
    ]
    uses_state = any(s.vector_store_key is not None or s.code_interpreter_files for s in chosen)
    applied = AppliedIds.of(StateFile(where.state_path).load()) if uses_state else None
    rendered = {
        s.key: to_responses(s.spec, files=s.code_interpreter_paths, applied=applied) for s in chosen
    }
    click.echo(json.dumps({key: r.as_json() for key, r in rendered.items()}, indent=2))
    unmapped = sum(len(r.unmapped) for r in rendered.values())
    if unmapped:
        click.echo(
            f"note: {unmapped} spec field(s) have no Responses equivalent; "
            'each is listed under "unmapped"',
            err=True,
        )
