"""`assistform doctor`: probe a server once and say what it keeps, before the first apply.

Text for people, `--format json` for scripts. Exit 0 when assistform can work with the
server, 1 when it cannot (it cannot create, read, list, modify or delete an assistant).
The API key is never printed: not in the report, not in a server's message echoing it.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path

import click

from assistform.api.connect import connect
from assistform.cli.options import env_option
from assistform.cli.sandbox import PROFILE_NAMES
from assistform.doctor import (
    DEFAULT_MODEL,
    OPERATIONS,
    FieldResult,
    Report,
    describe_answer,
    diagnose,
)
from assistform.errors import UsageError
from assistform.normalize import DEFAULTS
from assistform.redact import mask_url
from assistform.workspace import Workspace

#: Labels are padded to this, so values line up.
_WIDTH = 21


@click.command()
@env_option("Probe the server of this environment of assistform.yaml.")
@click.option("--sandbox", is_flag=True, help="Probe the built-in local server.")
@click.option(
    "--profile",
    type=click.Choice(PROFILE_NAMES),
    help="With --sandbox: faithful (like OpenAI) or lenient (like self-hosted servers).",
)
@click.option(
    "--base-url",
    help="Base URL of the server (default: the environment's, else $OPENAI_BASE_URL).",
)
@click.option("--model", default=DEFAULT_MODEL, show_default=True, help="Model of the probes.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text")
def doctor(
    env: str | None,
    sandbox: bool,
    profile: str | None,
    base_url: str | None,
    model: str,
    output_format: str,
) -> None:
    """Probe a server once: what it stores, how it fails, whether assistform can use it.

    Creates a few throwaway assistants named assistform-doctor-probe-..., and deletes
    every one of them before it ends.
    """
    if profile is not None and not sandbox:
        raise UsageError("--profile chooses the sandbox's behaviour: use it with --sandbox")
    workspace = Workspace.discover(Path.cwd(), sandbox=sandbox, env=env)
    server = workspace.server_options(sandbox=sandbox, base_url=base_url)
    if sandbox:
        server = dataclasses.replace(server, sandbox_profile=profile or "faithful")
    api = connect(server, workspace.root)
    report = diagnose(api, model=model)
    where = (
        f"the built-in sandbox ({server.sandbox_profile} profile)"
        if sandbox
        else mask_url(api.base_url)
    )
    if output_format == "json":
        data = {"server": where, **report.as_json()}
        del data["base_url"]
        text = json.dumps(data, indent=2) + "\n"
    else:
        text = render_text(report, where)
    # The probes hide what a server echoes; this is the last line of defence.
    click.echo(api.redact(text), nl=False)
    sys.exit(0 if report.usable else 1)


# -- the text report -------------------------------------------------------------------------


def render_text(report: Report, server: str) -> str:
    lines = [f"assistform doctor: {server}", ""]
    if report.usable:
        lines.append("Usable: yes, assistform can plan and apply against this server.")
    else:
        lines += ["Usable: NO", *(f"  {problem}" for problem in report.problems)]
    done = (
        f"{name} {'ok' if report.operations[name] is None else 'FAILED'}"
        for name in OPERATIONS
        if name in report.operations
    )
    lines += ["", _row("Operations", ", ".join(done))]
    if report.id_format:
        lines.append(_row("Ids", report.id_format))
        lines.append(_row("created_at", str(report.created_at_type)))
    if report.full_create_error:
        lines.append(_row("Every field", f"refused: {report.full_create_error}"))
    if report.sent:
        lines += ["", "Fields sent, each with a value other than its default:"]
        lines += [_row(f"  {f.field}", _sent(f)) for f in report.sent]
    if report.unsent:
        lines += [
            "",
            "Fields not sent:",
            *(_row(f"  {f.field}", _unsent(f)) for f in report.unsent),
        ]
    details = _details(report)
    if details:
        lines += ["", *details]
    differences = report.differences()
    if differences:
        lines += ["", f"Differences from OpenAI ({len(differences)}), and how assistform copes:"]
        lines += [f"  - {difference}" for difference in differences]
    elif report.usable:
        lines += ["", "No differences from OpenAI found."]
    lines += ["", _probes(report)]
    return "\n".join(lines) + "\n"


_SENT = {
    "stored": "stored",
    "changed": "changed to {returned}",
    "null": "returned null",
    "absent": "not returned",
    "refused": "refused",
    "write-only": "validated, never returned (as OpenAI)",
    "dropped": "DROPPED: an invalid value is accepted too",
}
_UNKNOWN = {"refused": "refused (as OpenAI)", "ignored": "silently ignored"}


def _details(report: Report) -> list[str]:
    lines = []
    if report.extra_fields:
        lines.append(_row("Extra fields", ", ".join(report.extra_fields)))
    if report.extra_headers:
        lines.append(_row("Extra headers", ", ".join(report.extra_headers)))
    if report.unknown_fields:
        lines.append(
            _row("Unknown fields", _UNKNOWN.get(report.unknown_fields, report.unknown_fields))
        )
    for label, answer in (
        ("Invalid request", report.invalid_request),
        ("Unknown id", report.missing_id),
    ):
        if answer is not None:
            lines.append(_row(label, describe_answer(answer)))
            if answer.shown_as:
                lines.append(_row("", f"shown as: {answer.shown_as}"))
    if report.long_instructions:
        lines.append(_row("Long instructions", f"refused: {report.long_instructions}"))
    pagination = report.pagination
    if pagination is not None:
        state = "stable" if pagination.stable else "UNSTABLE"
        lines.append(
            _row(
                "Pagination",
                f"{state}: {len(pagination.repeated)} repeated, {len(pagination.skipped)} "
                f"skipped, over {pagination.pages} pages of {pagination.limit}",
            )
        )
    return lines


def _row(label: str, value: str) -> str:
    return (f"{label}:" if label.strip() else "").ljust(_WIDTH) + value


def _sent(result: FieldResult) -> str:
    return _SENT.get(result.verdict, result.verdict).format(returned=json.dumps(result.returned))


def _unsent(result: FieldResult) -> str:
    default = json.dumps(DEFAULTS[result.field])
    return {
        "default": f"{default}, the default",
        "null": f"null (OpenAI: {default})",
        "absent": f"not returned (OpenAI: {default})",
        "changed": f"{json.dumps(result.returned)} (OpenAI: {default})",
    }.get(result.verdict, result.verdict)


def _probes(report: Report) -> str:
    line = f"Probes: {report.probes_created} created, {report.probes_deleted} deleted"
    if report.left_behind:
        return line + f"; LEFT BEHIND (delete them by hand): {', '.join(report.left_behind)}"
    return line + "; none left behind."
