"""`doctor`: probe a server of the /v1/assistants contract once, and say what it keeps.

Since OpenAI's shutdown the servers users run are re-implementations, and none is exactly
OpenAI: ids of another form, `null` for every field not sent, fields dropped or added,
errors of other shapes and statuses, pagination that repeats items. assistform copes with
each (see `normalize`, `api.client`); the doctor shows a user which ones their server has
before the first apply, and whether it can be used at all.

The probe creates throwaway assistants named `assistform-doctor-probe-<run>-<role>` with
metadata `{"assistform-doctor": "probe"}`, never an ownership tag, so no plan takes one for
its own. It reads them back, lists, modifies and deletes them, sends a few requests meant to
be refused, and always deletes every probe it made, whatever failed. Classifying what came
back is pure (the `classify_*` and `describe_*` functions); `diagnose` is the shell.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from assistform import limits
from assistform.api.client import OpenAIAssistants, status_error
from assistform.api.live import LiveAssistant
from assistform.errors import ApiError
from assistform.normalize import DEFAULTS, normalize

if TYPE_CHECKING:
    import openai

PROBE_PREFIX = "assistform-doctor-probe-"
MARKER_KEY = "assistform-doctor"
MARKER = {MARKER_KEY: "probe"}
DEFAULT_MODEL = "gpt-4o"
OPERATIONS = ("create", "retrieve", "list", "modify", "delete")
#: Probes made together (within a second, on a server near enough) to page over.
PAGE_PROBES = 4
#: Two a page, not one: a server may misbehave only when a page holds several items
#: (the lenient sandbox never repeats on pages of one, or a pager could not move on).
PAGE_LIMIT = 2
#: The assistant object as OpenAI sends it; anything else is a field the server adds.
OBJECT_FIELDS = frozenset(
    {"id", "object", "created_at", *(f for f in limits.CREATE_FIELDS if f != "reasoning_effort")}
)
#: Fields whose default the minimal probe shows (it sends model, name and metadata).
UNSENT_FIELDS = tuple(f for f in DEFAULTS if f not in ("name", "metadata", "reasoning_effort"))
#: Response headers any HTTP server or OpenAI sends; others are listed as extra.
KNOWN_HEADERS = frozenset(
    [
        "content-type",
        "content-length",
        "content-encoding",
        "date",
        "server",
        "connection",
        "keep-alive",
        "vary",
        "transfer-encoding",
        "x-request-id",
        "strict-transport-security",
        "alt-svc",
        "set-cookie",
        "access-control-expose-headers",
    ]
)
KNOWN_HEADER_PREFIXES = ("openai-", "x-ratelimit-", "cf-")
#: The shapes of error answers `classify_error` tells apart.
SHAPES = {
    "openai": 'OpenAI\'s {"error": {"message", "param", ...}}',
    "pydantic-list": 'a FastAPI/pydantic {"detail": [...]} list',
    "detail-string": 'a FastAPI {"detail": "..."}',
    "other-json": "JSON of another shape",
    "not-json": "not JSON",
}


def full_body(model: str) -> dict[str, Any]:
    """A create request setting every field, each to a value other than its default."""
    return {
        "model": model,
        "description": "A throwaway probe of assistform doctor; safe to delete.",
        "instructions": "Reply with one word.",
        "reasoning_effort": "low",
        "tools": [
            {"type": "code_interpreter"},
            {
                "type": "file_search",
                "file_search": {
                    "max_num_results": 5,
                    "ranking_options": {"ranker": "auto", "score_threshold": 0.5},
                },
            },
            {
                "type": "function",
                "function": {
                    "name": "probe",
                    "description": "Does nothing.",
                    "parameters": {"type": "object", "properties": {}},
                    "strict": True,
                },
            },
        ],
        "tool_resources": {
            "code_interpreter": {"file_ids": ["file-assistformdoctor"]},
            "file_search": {"vector_store_ids": ["vs_assistformdoctor"]},
        },
        "metadata": {"purpose": "doctor"},
        "temperature": 0.5,
        "top_p": 0.5,
        "response_format": {"type": "json_object"},
    }


# -- the report ----------------------------------------------------------------------------


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


# -- classifying what came back (pure) -----------------------------------------------------


def describe_answer(answer: ErrorAnswer) -> str:
    if answer.status is None:
        return "accepted"
    echo = ", echoing the request" if answer.echoes_request else ""
    return f"HTTP {answer.status}, {SHAPES.get(answer.shape, answer.shape)}{echo}"


def describe_id(assistant_id: str) -> tuple[str, bool]:
    """A phrase for the id's form, and whether it is OpenAI's (`asst_` + 24)."""
    if re.fullmatch(r"asst_[A-Za-z0-9]{24}", assistant_id):
        return "asst_ + 24 letters and digits", True
    if assistant_id.startswith("asst_"):
        return f"asst_ + {len(assistant_id) - 5} characters", True
    if re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", assistant_id):
        return "UUIDs", False
    if re.fullmatch(r"[0-9a-fA-F]+", assistant_id):
        return f"{len(assistant_id)} hex characters", False
    return f"{len(assistant_id)} characters", False


def describe_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a float"
    return f"a {type(value).__name__}"


def classify_sent(sent: Mapping[str, Any], returned: Mapping[str, Any]) -> list[FieldResult]:
    """What the server kept of each field sent, compared in normalized form."""
    results = []
    for name in limits.CREATE_FIELDS:
        if name not in sent:
            continue
        if name not in returned:
            results.append(FieldResult(name, "absent"))
        elif returned[name] is None:
            results.append(FieldResult(name, "null"))
        elif normalize({name: sent[name]})[name] == normalize({name: returned[name]})[name]:
            results.append(FieldResult(name, "stored"))
        else:
            results.append(FieldResult(name, "changed", returned[name]))
    return results


def classify_unsent(returned: Mapping[str, Any]) -> list[FieldResult]:
    """What the server filled in for each field not sent."""
    results = []
    for name in UNSENT_FIELDS:
        default = DEFAULTS[name]
        if name not in returned:
            results.append(FieldResult(name, "absent"))
        elif returned[name] is None:
            results.append(FieldResult(name, "default" if default is None else "null"))
        elif normalize({name: returned[name]})[name] == normalize({})[name]:
            results.append(FieldResult(name, "default"))
        else:
            results.append(FieldResult(name, "changed", returned[name]))
    return results


def classify_error(status: int | None, text: str, body: Any, probe_name: str) -> ErrorAnswer:
    """The shape of an error answer; `probe_name` is in the request, so finding it in the
    answer means the server echoes requests back (a whole prompt, in the worst case)."""
    if status is None:
        return ErrorAnswer(None, "accepted")
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        shape = "openai" if "message" in body["error"] else "other-json"
    elif isinstance(body, dict) and isinstance(body.get("detail"), list):
        shape = "pydantic-list"
    elif isinstance(body, dict) and isinstance(body.get("detail"), str):
        shape = "detail-string"
    elif isinstance(body, dict | list):
        shape = "other-json"
    else:
        shape = "not-json"
    return ErrorAnswer(status, shape, echoes_request=bool(probe_name) and probe_name in text)


def extra_headers(headers: Mapping[str, str]) -> list[str]:
    return sorted(
        name
        for name in (h.lower() for h in headers)
        if name not in KNOWN_HEADERS and not name.startswith(KNOWN_HEADER_PREFIXES)
    )


# -- the probe (I/O) -------------------------------------------------------------------------


def diagnose(
    api: OpenAIAssistants, *, model: str = DEFAULT_MODEL, run: str | None = None
) -> Report:
    """Probe the server behind `api` once; every probe made is deleted before this returns."""
    probe = _Probe(api, model, run or secrets.token_hex(4))
    try:
        probe.run()
    finally:
        probe.clean_up()
    return probe.report


class _Probe:
    def __init__(self, api: OpenAIAssistants, model: str, run: str) -> None:
        self.api = api
        self.model = model
        self.prefix = f"{PROBE_PREFIX}{run}-"
        self.report = Report(base_url=api.base_url)
        self.made: list[str] = []
        self.deleted: set[str] = set()
        #: A create may have happened without our hearing of it: sweep by name at the end.
        self.unsure = False
        self.body: dict[str, Any] = {}
        #: The operation under way: a failure no step expected is charged to it.
        self.step = "create"

    @property
    def sdk(self) -> openai.OpenAI:
        # No retries: a retried create whose answer was lost would leave a probe behind.
        return self.api.client.with_options(max_retries=0)

    # The steps, in order; each records what it saw, and a failed operation ends the run.

    def run(self) -> None:
        try:
            self.steps()
        except ApiError as error:
            # The server went away mid-probe, or answered what no step expected.
            self.report.operations[self.step] = error.message

    def steps(self) -> None:
        main = self.create_main()
        if main is None:
            return
        if not self.read_back(main) or not self.create_minimal():
            return
        self.modify(main)
        self.page()
        self.delete(main)
        self.step = "create"
        self.probe_refusals()

    def create_main(self) -> str | None:
        body = full_body(self.model)
        while True:
            data, refusal = self.create("main", body)
            if refusal is None:
                break
            error = self.refused(refusal)
            if refusal.status_code not in (400, 422):
                self.report.operations["create"] = error.message
                return None
            name = re.split(r"[.\[]", error.param or "")[0]
            if name in body and name != "model":
                # Not every server takes every field (a model without reasoning, file ids
                # it does not know): note the refusal and probe the rest.
                self.report.sent.append(FieldResult(name, "refused"))
                del body[name]
                continue
            # Refused as a whole: a create of the model alone tells whether any is taken.
            self.report.full_create_error = error.message
            data, refusal = self.create("main", {"model": self.model})
            if refusal is not None:
                self.report.operations["create"] = self.refused(refusal).message
                return None
            body = {"model": self.model}
            break
        assert data is not None
        self.report.operations["create"] = None
        self.body = body
        self.report.id_format, self.report.openai_ids = describe_id(str(data["id"]))
        self.report.created_at_type = describe_type(data.get("created_at"))
        return str(data["id"])

    def read_back(self, assistant_id: str) -> bool:
        self.step = "retrieve"
        try:
            found = self.api.get(assistant_id)
        except ApiError as error:
            self.report.operations["retrieve"] = error.message
            return False
        self.report.operations["retrieve"] = None
        refused = list(self.report.sent)
        self.report.sent = sorted(
            [*classify_sent(self.named("main", self.body), found.raw), *refused],
            key=lambda f: limits.CREATE_FIELDS.index(f.field),
        )
        self.report.extra_fields = sorted(set(found.raw) - OBJECT_FIELDS)
        return True

    def create_minimal(self) -> bool:
        self.step = "create"
        data, refusal = self.create("minimal", {"model": self.model})
        if refusal is not None:
            self.report.operations["create"] = self.refused(refusal).message
            return False
        self.report.unsent = classify_unsent(data or {})
        return True

    def modify(self, assistant_id: str) -> None:
        self.step = "modify"
        try:
            before = self.api.get(assistant_id).config
            self.api.update(assistant_id, {"description": "Modified by assistform doctor."})
            after = self.api.get(assistant_id).config
        except ApiError as error:
            self.report.operations["modify"] = error.message
            return
        if after["description"] != "Modified by assistform doctor.":
            self.report.operations["modify"] = "a modify of the description did not change it"
            return
        self.report.operations["modify"] = None
        self.report.modify_resets = [
            name
            for name in limits.CREATE_FIELDS
            if name != "description" and before[name] != after[name]
        ]

    def page(self) -> None:
        """Page newest first over probes made together, `PAGE_LIMIT` a page."""
        self.step = "create"
        try:
            probes = {
                self.created_id(f"page{i}", {"model": self.model}) for i in range(PAGE_PROBES)
            }
        except ApiError as error:
            self.report.operations["create"] = error.message
            return
        self.step = "list"
        seen: list[str] = []
        after: str | None = None
        pages = 0
        try:
            while pages < 3 * PAGE_PROBES + 2 and not probes <= set(seen):
                ids, has_more, headers = self.list_page(after)
                pages += 1
                if pages == 1:
                    self.report.extra_headers = extra_headers(headers)
                if not ids or set(ids) <= set(seen) or not has_more:
                    seen += ids
                    break
                seen += ids
                after = ids[-1]
        except ApiError as error:
            self.report.operations["list"] = error.message
            return
        if not probes & set(seen):
            self.report.operations["list"] = "the list does not show assistants just created"
            return
        self.report.operations["list"] = None
        repeated = sorted({i for i in seen if seen.count(i) > 1})
        skipped = sorted(probes - set(seen))
        self.report.pagination = Pagination(PAGE_LIMIT, pages, repeated, skipped)

    def list_page(self, after: str | None) -> tuple[list[str], bool, Mapping[str, str]]:
        assistants = self.sdk.beta.assistants.with_raw_response
        with self.api.errors("list assistants"):
            if after is None:
                response = assistants.list(limit=PAGE_LIMIT, order="desc")
            else:
                response = assistants.list(limit=PAGE_LIMIT, order="desc", after=after)
        data = response.http_response.json()
        ids = [str(item["id"]) for item in data.get("data") or []]
        return ids, bool(data.get("has_more")), response.http_response.headers

    def delete(self, assistant_id: str) -> None:
        """Delete, then read the deleted id: how the server answers for an unknown id."""
        import openai

        self.step = "delete"
        try:
            self.api.delete(assistant_id)
        except ApiError as error:
            self.report.operations["delete"] = error.message
            return
        self.deleted.add(assistant_id)
        missing: openai.APIStatusError | None = None
        with self.api.errors("get assistant"):
            try:
                self.sdk.beta.assistants.retrieve(assistant_id)
            except openai.APIStatusError as exc:
                missing = exc
        if missing is None:
            self.report.operations["delete"] = "the assistant is still there after its delete"
            return
        self.report.operations["delete"] = None
        self.report.missing_id = self.answer(missing, "get assistant")

    def probe_refusals(self) -> None:
        """Requests OpenAI refuses, to see whether and how this server does."""
        _, refusal = self.create("invalid", {"model": self.model, "temperature": 5})
        self.report.invalid_request = (
            self.answer(refusal, "create assistant", self.prefix + "invalid")
            if refusal
            else ErrorAnswer(None, "accepted")
        )
        _, refusal = self.create(
            "effort", {"model": self.model, "reasoning_effort": "assistform-doctor-invalid"}
        )
        self.report.sent = [
            FieldResult(f.field, "dropped" if refusal is None else "write-only")
            if f.field == "reasoning_effort" and f.verdict == "absent"
            else f
            for f in self.report.sent
        ]
        data, refusal = self.create(
            "unknown", {"model": self.model}, extra_body={"assistform_doctor_unknown": "x"}
        )
        if refusal is not None:
            self.report.unknown_fields = "refused"
        else:
            self.report.unknown_fields = (
                "stored" if data and "assistform_doctor_unknown" in data else "ignored"
            )
        _, refusal = self.create(
            "long", {"model": self.model, "instructions": "x" * limits.INSTRUCTIONS_MAX}
        )
        if refusal is not None:
            self.report.long_instructions = self.refused(refusal).message

    # Helpers.

    def named(self, role: str, body: Mapping[str, Any]) -> dict[str, Any]:
        metadata = {**(body.get("metadata") or {}), **MARKER}
        return {**body, "name": self.prefix + role, "metadata": metadata}

    def create(
        self, role: str, body: Mapping[str, Any], **options: Any
    ) -> tuple[dict[str, Any] | None, openai.APIStatusError | None]:
        """(the raw assistant, None), or (None, the refusal); other failures raise."""
        import openai

        try:
            with self.api.errors("create assistant"):
                try:
                    response = self.sdk.beta.assistants.with_raw_response.create(
                        **self.named(role, body), **options
                    )
                except openai.APIStatusError as exc:
                    if exc.status_code >= 500:
                        self.unsure = True
                        raise
                    return None, exc
        except ApiError as error:
            self.unsure = self.unsure or error.ambiguous
            raise
        data = response.http_response.json()
        if not isinstance(data, dict) or not isinstance(data.get("id"), str):
            self.unsure = True
            raise ApiError("create assistant: the answer names no assistant id")
        self.made.append(data["id"])
        return data, None

    def created_id(self, role: str, body: Mapping[str, Any]) -> str:
        data, refusal = self.create(role, body)
        if refusal is not None:
            raise self.refused(refusal)
        return str((data or {})["id"])

    def refused(self, exc: openai.APIStatusError, what: str = "create assistant") -> ApiError:
        """The refusal as assistform shows it; a key the server echoes is never shown."""
        error = status_error(what, exc)
        secret = self.api.client.api_key
        if secret and secret in error.message:
            error.message = error.message.replace(secret, "***")
        return error

    def answer(self, exc: openai.APIStatusError, what: str, probe_name: str = "") -> ErrorAnswer:
        text = exc.response.text
        try:
            body = exc.response.json()
        except ValueError:
            body = None
        found = classify_error(exc.status_code, text, body, probe_name)
        shown = self.refused(exc, what).message
        return ErrorAnswer(found.status, found.shape, found.echoes_request, shown)

    def clean_up(self) -> None:
        """Delete every probe made (and, after a create we never heard back from, every
        assistant named like this run's probes)."""
        if self.unsure:
            try:
                listed = self.api.list_all().assistants
            except ApiError:
                listed = []
            self.made += [a.id for a in listed if _named(a, self.prefix) and a.id not in self.made]
        self.report.probes_created = len(self.made)
        for assistant_id in self.made:
            if assistant_id in self.deleted or self.gone(assistant_id):
                self.report.probes_deleted += 1
            else:
                self.report.left_behind.append(assistant_id)

    def gone(self, assistant_id: str) -> bool:
        try:
            self.api.delete(assistant_id)
            return True
        except ApiError as error:
            if error.status not in (403, 404):
                return False
        try:
            self.api.get(assistant_id)
        except ApiError as error:
            return error.status in (403, 404)
        return False


def _named(assistant: LiveAssistant, prefix: str) -> bool:
    name = assistant.raw.get("name")
    return isinstance(name, str) and name.startswith(prefix)
