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
#: The listing plan makes, as the report names it.
PLAN_LISTING = f"plan's listing (oldest first, {limits.LIST_LIMIT_MAX} a page)"
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
    """A newest-first walk, `limit` a page, over probes made together. Probes are named by
    role (`main`, `minimal`, `list-1`..`list-4` in creation order), never by id: the ids
    are gone when the report is read."""

    limit: int
    pages: int
    #: Probes shown more than once, in the order of their first repeat.
    repeated: list[str]
    #: Probes the walk was after (`list-*`) that it never showed, in creation order.
    skipped: list[str]
    #: Every probe there was during the walk, in creation order.
    created: list[str] = field(default_factory=list)
    #: Whether they were all made within one second of `created_at`.
    one_second: bool = False
    #: Each page: a probe's role, `<role> again`, or `N other(s)` for other assistants.
    shown: list[list[str]] = field(default_factory=list)
    #: The likely cause of repeats and skips (None: stable, or no cause recognised).
    cause: str | None = None
    #: The item after which a page brought nothing new: the `after` cursor does not advance.
    stuck_after: str | None = None

    @property
    def stable(self) -> bool:
        return not self.repeated and not self.skipped and self.stuck_after is None


@dataclass(frozen=True)
class Listing:
    """The listing plan makes (`AssistantsApi.list_all`), done once with every probe there."""

    requests: int
    #: Probes it did not return: a plan would take each for gone and create it again.
    missed: list[str]
    warnings: list[str]


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
    #: How a modify of metadata is taken: `replaced` (as OpenAI), `merged` or `ignored`.
    metadata_update: str | None = None
    #: Fields a modify to a falsy value (0, "", [], {}) left as they were, in that order.
    falsy_ignored: list[str] = field(default_factory=list)
    #: Why the modify to falsy values was refused, if it was.
    falsy_refused: str | None = None
    pagination: Pagination | None = None
    #: The keys of OpenAI's list body (`has_more`, `first_id`, `last_id`) this one lacks.
    list_body_missing: list[str] = field(default_factory=list)
    listing: Listing | None = None
    #: Each endpoint knowledge specs need (`knowledge.endpoints.ALL`) -> `present`,
    #: `missing` or `unknown: <why>`; not part of `usable`, which is about assistants.
    knowledge_endpoints: dict[str, str] = field(default_factory=dict)
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
        found += self._list_differences()
        found += self._update_differences()
        return found

    def _list_differences(self) -> list[str]:
        found: list[str] = []
        if self.list_body_missing:
            found.append(
                f"the list body has no {', '.join(self.list_body_missing)}: it does not say "
                "whether more pages follow, so assistform asks for the page after the last "
                "item to find out"
            )
        pagination = self.pagination
        if pagination is not None and pagination.stuck_after is not None:
            found.append(
                f"the `after` cursor does not advance (the page after {pagination.stuck_after} "
                "showed only what the list had shown before): a listing cannot get past its "
                f"first page, so with more assistants than a page of {limits.LIST_LIMIT_MAX} "
                "holds, plan cannot see them all there"
            )
        elif pagination is not None and not pagination.stable:
            found.append(
                f"pagination is unstable: {_pagination_text(pagination)}; likely cause: "
                f"{pagination.cause or 'unknown'}: assistform drops repeats, and lists again "
                f"newest first to find what a page skipped; {PLAN_LISTING} "
                f"{self.listing_verdict()}"
            )
        return found

    def _update_differences(self) -> list[str]:
        found: list[str] = []
        if self.metadata_update == "merged":
            found.append(
                "metadata is merged on update, not replaced: assistform cannot remove a "
                "metadata key there (a key a spec drops stays on the server); apply reports "
                "such a change as failed"
            )
        elif self.metadata_update == "ignored":
            found.append(
                "an update of metadata leaves it as it was: assistform cannot change metadata "
                "there; apply reports such a change as failed"
            )
        if self.falsy_ignored:
            sent = ", ".join(FALSY_SHOWN[name] for name in self.falsy_ignored)
            means = _joined([FALSY_MEANS[name] for name in self.falsy_ignored])
            found.append(
                f"falsy values are ignored on update ({sent} left each field as it was): "
                f"{means} cannot take effect there; apply reports such a change as failed"
            )
        if self.falsy_refused:
            found.append(
                f"an update to falsy values is refused ({self.falsy_refused}): "
                "apply reports such a change as failed"
            )
        return found

    def listing_verdict(self) -> str:
        """Whether plan's own listing (`PLAN_LISTING`) sees every probe, in words."""
        if self.listing is None:
            return "failed"
        if self.listing.missed:
            return f"MISSES {', '.join(self.listing.missed)}"
        return "sees every probe"

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
        + f" over {pages_of(pagination)}, newest first"
    )


def pages_of(pagination: Pagination) -> str:
    plural = "" if pagination.pages == 1 else "s"
    return f"{pagination.pages} page{plural} of {pagination.limit}"


def pagination_observed(pagination: Pagination) -> list[str]:
    """What a newest-first walk showed, in words: probes made, pages, repeats and skips."""
    within = " within one second" if pagination.one_second else ""
    found = [
        f"made in this order{within}: {', '.join(pagination.created)}",
        "listed newest first: " + " ".join(f"[{', '.join(page)}]" for page in pagination.shown),
    ]
    if pagination.repeated:
        found.append("repeated: " + ", ".join(pagination.repeated))
    if pagination.skipped:
        found.append("never shown: " + ", ".join(pagination.skipped))
    return found


#: How a falsy value sent in an update reads, and what its being ignored means.
FALSY_SHOWN = {
    "temperature": "temperature 0",
    "description": 'description ""',
    "tools": "tools []",
    "metadata": "metadata {}",
}
FALSY_MEANS = {
    "temperature": "setting temperature 0",
    "description": "clearing a description",
    "tools": "removing every tool",
    "metadata": "clearing metadata",
}


def _joined(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def describe_answer(answer: ErrorAnswer) -> str:
    if answer.status is None:
        return "accepted"
    echo = ", echoing the request" if answer.echoes_request else ""
    return f"HTTP {answer.status}, {SHAPES.get(answer.shape, answer.shape)}{echo}"
