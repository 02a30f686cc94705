"""`assistform doctor`: probe a server once and say what it keeps, before the first apply.

Text for people, `--format json` for scripts. Exit 0 when assistform can work with the
server, 1 when it cannot (it cannot create, read, list, modify or delete an assistant, or
plan's listing misses assistants just made).
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
from assistform.doctor.endpoints import MISSING, needs_line
from assistform.doctor.report import FALSY_SHOWN, pages_of, pagination_observed
from assistform.errors import UsageError
from assistform.limits import DOCUMENTED_DEFAULTS as DEFAULTS
from assistform.limits import LIST_LIMIT_MAX
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
    help="With --sandbox: which server it imitates (see `assistform sandbox serve --help`).",
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
    lines += _knowledge(report)
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
    return lines + _updates(report) + _listing(report)


_METADATA_UPDATE = {
    "replaced": "replaced (as OpenAI)",
    "merged": "MERGED: keys left out stay",
    "ignored": "IGNORED: it stays as it was",
}


def _updates(report: Report) -> list[str]:
    if report.metadata_update is None:
        return []
    lines = [_row("Metadata on update", _METADATA_UPDATE[report.metadata_update])]
    if report.falsy_refused:
        lines.append(_row("Falsy on update", f"refused: {report.falsy_refused}"))
    elif report.falsy_ignored:
        ignored = ", ".join(FALSY_SHOWN[name] for name in report.falsy_ignored)
        lines.append(_row("Falsy on update", f"IGNORED: {ignored}"))
    else:
        lines.append(_row("Falsy on update", "taken (as OpenAI)"))
    return lines


def _listing(report: Report) -> list[str]:
    lines = []
    if report.list_body_missing:
        lines.append(_row("List body", "no " + ", ".join(report.list_body_missing)))
    pagination = report.pagination
    if pagination is None:
        return lines
    state = "stable" if pagination.stable else "UNSTABLE"
    if pagination.stuck_after is not None:
        state = "STUCK"
    lines.append(
        _row(
            "Pagination",
            f"{state}: {len(pagination.repeated)} repeated, {len(pagination.skipped)} "
            f"skipped, over {pages_of(pagination)}",
        )
    )
    if not pagination.stable:
        lines += [_row("", line) for line in pagination_observed(pagination)]
    if pagination.stuck_after is not None:
        lines.append(
            _row(
                "",
                f"the page after {pagination.stuck_after} showed nothing new: "
                "the `after` cursor does not advance",
            )
        )
    elif pagination.cause is not None:
        lines.append(_row("", f"likely cause: {pagination.cause}"))
    elif not pagination.stable:
        lines.append(_row("", "likely cause: unknown"))
    listing = report.listing
    if listing is None:
        lines.append(_row("Plan's listing", "FAILED (see above)"))
    else:
        requests = f"{listing.requests} request{'s' if listing.requests != 1 else ''}"
        lines.append(
            _row(
                "Plan's listing",
                f"{report.listing_verdict()} (oldest first, {LIST_LIMIT_MAX} a page, {requests})",
            )
        )
        lines += [_row("", f"warns: {warning}") for warning in listing.warnings]
    return lines


def _knowledge(report: Report) -> list[str]:
    found = report.knowledge_endpoints
    if not found:
        return []
    width = max(len(name) for name in found) + 2
    lines = ["", "Files and vector stores:"]
    lines += [
        f"  {(name + ':').ljust(width)}{'MISSING' if verdict == MISSING else verdict}"
        for name, verdict in found.items()
    ]
    return [*lines, needs_line(found)]


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
