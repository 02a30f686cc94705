"""The doctor's report: what one probe found, and how it reads as problems and differences.

`Report` is data; `problems` and `differences` say, in the words the CLI prints, what keeps
assistform from working with a server and how it differs from OpenAI's (each with how
assistform copes); `as_json` is the same for machines.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from assistform import limits

OPERATIONS = ("create", "retrieve", "list", "modify", "delete")
#: The shapes of error answers `classify_error` tells apart.
SHAPES = {
    "openai": 'OpenAI\'s {"error": {"message", "param", ...}}',
    "pydantic-list": 'a FastAPI/pydantic {"detail": [...]} list',
    "detail-string": 'a FastAPI {"detail": "..."}',
    "other-json": "JSON of another shape",
    "not-json": "not JSON",
}


@dataclass(frozen=True)
class FieldResult:
    """What became of one field. `verdict`: for a field sent, `stored`, `changed`, `null`
    (returned null), `absent` (not returned), `refused` (the create was refused for it), and
    for reasoning_effort, which OpenAI validates but never returns, `write-only` or
    `dropped` (an invalid value is accepted too); for a field not sent, `default` (OpenAI's
    default, or null where that is the default), `null` (null instead of a default),
    `changed` (another value) or `absent`."""

    field: str
    verdict: str
    returned: Any = None


@dataclass(frozen=True)
class ErrorAnswer:
    """How the server answered a request meant to fail; `status` None: it was accepted."""

    status: int | None
    #: `openai` ({"error": {"message", ...}}), `pydantic-list` ({"detail": [...]}),
    #: `detail-string` ({"detail": "..."}), `other-json`, `not-json` or `accepted`.
    shape: str
    echoes_request: bool = False
    #: The line assistform prints for it.
    shown_as: str | None = None


@dataclass(frozen=True)
class Pagination:
    limit: int
    pages: int
    repeated: list[str]
    skipped: list[str]

    @property
    def stable(self) -> bool:
        return not self.repeated and not self.skipped


@dataclass
class Report:
    base_url: str
    #: Operation -> None when it worked, else the one-line error.
    operations: dict[str, str | None] = field(default_factory=dict)
    id_format: str | None = None
    openai_ids: bool = True
    created_at_type: str | None = None
    #: Why the create of every field failed, if it did (the minimal probe stood in).
    full_create_error: str | None = None
    sent: list[FieldResult] = field(default_factory=list)
    unsent: list[FieldResult] = field(default_factory=list)
    extra_fields: list[str] = field(default_factory=list)
    extra_headers: list[str] = field(default_factory=list)
    #: `refused` (as OpenAI), `ignored` or `stored`.
    unknown_fields: str | None = None
    invalid_request: ErrorAnswer | None = None
    missing_id: ErrorAnswer | None = None
    #: None when instructions of the contract's maximum length are taken, else the refusal.
    long_instructions: str | None = None
    modify_resets: list[str] = field(default_factory=list)
    pagination: Pagination | None = None
    probes_created: int = 0
    probes_deleted: int = 0
    left_behind: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        """What keeps assistform from working with this server."""
        found = [f"{name}: {error}" for name, error in self.operations.items() if error]
        if not found:
            found = [f"{name}: not tried" for name in OPERATIONS if name not in self.operations]
        if self.modify_resets:
            found.append(
                "modify resets fields it was not sent (" + ", ".join(self.modify_resets) + "); "
                "assistform's updates send only the fields that changed"
            )
        return found

    @property
    def usable(self) -> bool:
        return not self.problems

    def differences(self) -> list[str]:
        """How the server differs from OpenAI's, each with how assistform copes."""
        found: list[str] = []
        if self.id_format and not self.openai_ids:
            found.append(f"ids are {self.id_format}, not asst_...: assistform takes ids as opaque")
        if self.created_at_type and self.created_at_type != "an integer":
            found.append(f"created_at is {self.created_at_type}, not integer seconds: read as is")
        lost = [f for f in self.sent if f.verdict not in ("stored", "write-only", "dropped")]
        if lost:
            found.append(
                "fields sent but not kept as sent: "
                + ", ".join(f"{f.field} ({f.verdict})" for f in lost)
                + ": a plan shows them as changes until the spec matches what the server keeps"
            )
        nulls = [f.field for f in self.unsent if f.verdict in ("null", "absent")]
        if nulls:
            found.append(
                "fields not sent come back null or absent instead of the default: "
                + ", ".join(nulls)
                + ": assistform reads null as the default"
            )
        others = [f"{f.field} ({f.returned!r})" for f in self.unsent if f.verdict == "changed"]
        if others:
            found.append(
                "other defaults than OpenAI's: "
                + ", ".join(others)
                + ": specs that leave them out are set to OpenAI's on the first apply"
            )
        if any(f.field == "reasoning_effort" and f.verdict == "dropped" for f in self.sent):
            found.append(
                "reasoning_effort is dropped (an invalid value is accepted): "
                "assistform compares it with the state alone, so it never shows as drift"
            )
        if self.unknown_fields in ("ignored", "stored"):
            found.append(
                f"unknown fields are silently {self.unknown_fields} (OpenAI refuses them): "
                "a typo in a field name would go unnoticed; `assistform validate` catches it"
            )
        if self.extra_fields:
            found.append(
                "extra fields in every assistant: " + ", ".join(self.extra_fields) + ": ignored"
            )
        if self.extra_headers:
            found.append("extra response headers: " + ", ".join(self.extra_headers) + ": ignored")
        found += _error_differences(self.invalid_request, self.missing_id)
        if self.long_instructions:
            found.append(
                f"instructions of {limits.INSTRUCTIONS_MAX:,} characters (OpenAI's limit) are "
                f"refused ({self.long_instructions}): keep specs under the server's limit"
            )
        if self.pagination and not self.pagination.stable:
            found.append(
                f"pagination is unstable: {_pagination_text(self.pagination)}: assistform drops "
                "repeats, and lists again newest first to find what a page skipped"
            )
        return found

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["problems"] = self.problems
        data["usable"] = self.usable
        data["differences"] = self.differences()
        data["sent"] = {f.field: _field_json(f) for f in self.sent}
        data["unsent"] = {f.field: _field_json(f) for f in self.unsent}
        if self.pagination is not None:
            data["pagination"]["stable"] = self.pagination.stable
        return data


def _field_json(result: FieldResult) -> dict[str, Any]:
    shown = result.verdict in ("changed",)
    return {"verdict": result.verdict, **({"returned": result.returned} if shown else {})}


def _error_differences(invalid: ErrorAnswer | None, missing: ErrorAnswer | None) -> list[str]:
    found: list[str] = []
    if invalid is not None and invalid.status is None:
        found.append("an invalid temperature (5) is accepted: the server does not validate")
    elif invalid is not None and (invalid.status != 400 or invalid.shape != "openai"):
        found.append(
            f"invalid requests are {describe_answer(invalid)} (OpenAI: HTTP 400, "
            f"{SHAPES['openai']}): assistform shows one line: {invalid.shown_as}"
        )
    if missing is not None and missing.status not in (404, None):
        found.append(
            f"an unknown id is HTTP {missing.status}, not 404: a delete answered so counts as "
            "done only when a fresh listing no longer shows the id"
        )
    return found


def _pagination_text(pagination: Pagination) -> str:
    parts = []
    if pagination.repeated:
        parts.append(f"{len(pagination.repeated)} item(s) repeated")
    if pagination.skipped:
        parts.append(f"{len(pagination.skipped)} skipped")
    return (
        " and ".join(parts or ["no repeats or skips"])
        + f" over {pagination.pages} pages of {pagination.limit}, newest first"
    )


def describe_answer(answer: ErrorAnswer) -> str:
    if answer.status is None:
        return "accepted"
    echo = ", echoing the request" if answer.echoes_request else ""
    return f"HTTP {answer.status}, {SHAPES.get(answer.shape, answer.shape)}{echo}"
