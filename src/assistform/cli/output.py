"""`assistform output`: each applied assistant's id, name, model and vector store ids, read
from the state, for an application or a deploy step to consume.

Offline and light: no key, no server, and it never imports the HTTP stack (a test holds it
to that). The formats and their names are in `assistform.outputs`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from assistform import outputs
from assistform.cli.options import env_option
from assistform.location import Location, locate
from assistform.outputs import OutputError
from assistform.spec.discover import SPEC_DIR, discover, display, key_of
from assistform.spec.messages import suggest
from assistform.spec.overlay import split_key
from assistform.state import StateFile

FORMATS = ("json", "dotenv", "shell", "github")


@click.command()
@click.argument("keys", nargs=-1)
@env_option(
    "The state of this environment of assistform.yaml (default: the one marked default: true)."
)
@click.option(
    "--sandbox", is_flag=True, help="The state of the built-in local server (.assistform/)."
)
@click.option(
    "--state",
    "state_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="State file (default: state/assistform.json at the repository root, "
    "or the environment's).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(FORMATS),
    default="json",
    show_default=True,
    help="json: a versioned document; dotenv: NAME=value lines; shell: export lines for "
    "eval; github: appended to the file $GITHUB_OUTPUT names.",
)
@click.option(
    "--allow-missing",
    is_flag=True,
    help="Leave out keys declared in a spec but not applied yet (listed under 'missing' in "
    "JSON, warned about otherwise) instead of failing.",
)
def output(
    keys: tuple[str, ...],
    env: str | None,
    sandbox: bool,
    state_path: Path | None,
    output_format: str,
    allow_missing: bool,
) -> None:
    """Print the id, name, model and vector store ids of each KEY (default: every key of
    the specs and the state), from the state: offline, no API key."""
    where = locate(Path.cwd(), state_path, sandbox=sandbox, env=env)
    state_file = StateFile(where.state_path)
    recorded = state_file.load().resources
    declared = _declared(where)
    wanted = list(dict.fromkeys(keys)) if keys else sorted({*declared, *recorded})
    shown = display(state_file.path)
    for key in wanted:
        if key not in recorded and key not in declared:
            hint = suggest(key, sorted({*declared, *recorded}))
            raise OutputError(
                f"unknown key '{key}'{hint}: no spec declares it and {shown} has no entry for it"
            )
    missing = [key for key in wanted if key not in recorded]
    if missing and not allow_missing:
        them = "it" if len(missing) == 1 else "them"
        raise OutputError(
            f"{_listing(missing)} declared but not applied yet ({shown} has no id for "
            f"{them}): run `assistform apply`, or pass --allow-missing to leave {them} out"
        )
    found = [outputs.output_of(key, recorded[key]) for key in wanted if key in recorded]
    doc = outputs.document(found, where.env, missing)
    if output_format == "json":
        click.echo(json.dumps(doc, indent=2))
        return
    for key in missing:
        click.echo(f"warning: {key} is declared but not applied yet: left out", err=True)
    if output_format == "dotenv":
        click.echo(outputs.dotenv(found), nl=False)
    elif output_format == "shell":
        click.echo(outputs.shell(found), nl=False)
    else:
        _append_github(outputs.github(found, doc), len(found))


def _declared(where: Location) -> set[str]:
    """The keys the specs declare (by file name alone: `output` reads ids, it does not
    validate), overlay files of an environment left out."""
    spec_dir = where.root / SPEC_DIR
    keys = (key_of(path, spec_dir) for path in discover(spec_dir))
    return {key for key in keys if split_key(key, where.config.names) is None}


def _listing(keys: list[str], most: int = 5) -> str:
    """`a is`, `a and b are`, `a, b, c, d, e and 7 more are`: one line, however many."""
    if len(keys) == 1:
        return f"{keys[0]} is"
    if len(keys) > most:
        return ", ".join(keys[:most]) + f" and {len(keys) - most} more are"
    return ", ".join(keys[:-1]) + f" and {keys[-1]} are"


def _append_github(text: str, count: int) -> None:
    target = os.environ.get("GITHUB_OUTPUT")
    if not target:
        raise OutputError(
            "--format github appends to the file $GITHUB_OUTPUT names, and it is not set "
            "(outside GitHub Actions, use --format json, dotenv or shell)"
        )
    try:
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        raise OutputError(f"cannot append to $GITHUB_OUTPUT ({target}): {exc.strerror}") from None
    click.echo(f"{count} assistant(s) written to $GITHUB_OUTPUT.")
