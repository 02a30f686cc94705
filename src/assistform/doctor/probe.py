"""The probe (I/O): create throwaway assistants, read, list, modify and delete them, send
requests meant to be refused, record what came back in a `Report`, and always delete every
probe made, whatever failed."""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from typing import Any

from assistform import limits
from assistform.api.client import OpenAIAssistants, RawAnswer
from assistform.doctor.classify import (
    classify_error,
    classify_falsy,
    classify_metadata_update,
    classify_sent,
    classify_unsent,
    describe_id,
    describe_type,
    extra_headers,
)
from assistform.doctor.endpoints import probe_endpoints
from assistform.doctor.paging import (
    ListedPage,
    Probe,
    describe_pagination,
    missing_list_keys,
    older_than,
    oldest_time,
)
from assistform.doctor.report import PLAN_LISTING, ErrorAnswer, FieldResult, Listing, Report
from assistform.errors import ApiError
from assistform.plan.live import LiveAssistant
from assistform.redact import mask_url

PROBE_PREFIX = "assistform-doctor-probe-"
MARKER_KEY = "assistform-doctor"
MARKER = {MARKER_KEY: "probe"}
DEFAULT_MODEL = "gpt-4o"
#: Probes made together (within a second, on a server near enough) to page over.
PAGE_PROBES = 4
#: Two a page, not one: a server may misbehave only when a page holds several items
#: (the lenient sandbox never repeats on pages of one, or a pager could not move on).
PAGE_LIMIT = 2
#: Pages a walk may take: enough to meet every probe on a server that repeats each cursor.
PAGE_MAX = 3 * PAGE_PROBES + 2
#: A falsy value per field, each sent in one update to a field holding a truthy one: a
#: server that tests values' truthiness leaves them as they were.
FALSY: dict[str, Any] = {"temperature": 0, "description": "", "tools": [], "metadata": {}}
#: Metadata keys of two updates in a row: the first is still there after the second on a
#: server that merges metadata instead of replacing it.
METADATA_FIRST = "assistform-doctor-first"
METADATA_SECOND = "assistform-doctor-second"
#: The assistant object as OpenAI sends it; anything else is a field the server adds.
OBJECT_FIELDS = frozenset(
    {"id", "object", "created_at", *(f for f in limits.CREATE_FIELDS if f != "reasoning_effort")}
)


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
                    # Strict mode refuses an object without additionalProperties: false.
                    "parameters": {
                        "type": "object",
                        "properties": {},
                        "additionalProperties": False,
                    },
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


def diagnose(
    api: OpenAIAssistants, *, model: str = DEFAULT_MODEL, run: str | None = None
) -> Report:
    """Probe the server behind `api` once; every probe made is deleted before this returns."""
    probe = _Probe(api, model, run or secrets.token_hex(4))
    try:
        probe.run()
    finally:
        probe.clean_up()
    probe.report.knowledge_endpoints = probe_endpoints(api)
    return probe.report


class _Probe:
    def __init__(self, api: OpenAIAssistants, model: str, run: str) -> None:
        self.api = api
        self.model = model
        self.prefix = f"{PROBE_PREFIX}{run}-"
        self.report = Report(base_url=mask_url(api.base_url))
        self.made: list[str] = []
        #: Each probe made, by id, in creation order: its role and its created_at.
        self.probes: dict[str, Probe] = {}
        self.deleted: set[str] = set()
        #: A create may have happened without our hearing of it: sweep by name at the end.
        self.unsure = False
        self.body: dict[str, Any] = {}
        #: The operation under way: a failure no step expected is charged to it.
        self.step = "create"

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
        self.update_values(main)
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
            if refusal.status not in (400, 422):
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

    def update_values(self, assistant_id: str) -> None:
        """Two updates of metadata in a row (replaced, or merged?), then one of falsy values
        (taken, or ignored?); each read back."""
        if self.report.operations.get("modify") is not None:
            return
        self.step = "modify"
        first = {**MARKER, METADATA_FIRST: "1"}
        self.api.update(assistant_id, {"metadata": first})
        self.api.update(assistant_id, {"metadata": {**MARKER, METADATA_SECOND: "1"}})
        before = self.api.get(assistant_id).raw
        self.report.metadata_update = classify_metadata_update(
            before.get("metadata"), METADATA_FIRST, METADATA_SECOND
        )
        # Only to fields the create stored as sent: each holds a truthy value then.
        stored = {f.field for f in self.report.sent if f.verdict == "stored"}
        falsy = {name: value for name, value in FALSY.items() if name in stored}
        falsy["metadata"] = {}
        try:
            self.api.update(assistant_id, falsy)
        except ApiError as error:
            if error.status is None or error.status >= 500:
                raise
            self.report.falsy_refused = error.message
            return
        after = self.api.get(assistant_id).raw
        ignored = classify_falsy(falsy, before, after)
        if self.report.metadata_update != "replaced":
            # `{}` merged, or ignored with every metadata update: said already.
            ignored = [name for name in ignored if name != "metadata"]
        self.report.falsy_ignored = ignored

    def page(self) -> None:
        """Page newest first over probes made together, `PAGE_LIMIT` a page; then list as
        plan does, and see whether that listing shows every probe."""
        self.step = "create"
        try:
            targets = [
                self.created_id(f"list-{i}", {"model": self.model})
                for i in range(1, PAGE_PROBES + 1)
            ]
        except ApiError as error:
            self.report.operations["create"] = error.message
            return
        self.step = "list"
        try:
            pages = self.walk(targets)
        except ApiError as error:
            self.report.operations["list"] = error.message
            return
        live = {i: probe for i, probe in self.probes.items() if i not in self.deleted}
        self.report.pagination = describe_pagination(pages, live, targets, PAGE_LIMIT)
        self.list_as_plan(live)

    def walk(self, targets: list[str]) -> list[ListedPage]:
        """Newest first until every target is shown and the cursor was tried once, the list
        ends, a page brings nothing new, or it has passed every target."""
        pages: list[ListedPage] = []
        seen: set[str] = set()
        after: str | None = None
        oldest = oldest_time([self.probes[t].created_at for t in targets])
        while len(pages) < PAGE_MAX:
            body, headers = self.list_page(after)
            if not pages:
                self.report.extra_headers = extra_headers(headers)
                self.report.list_body_missing = missing_list_keys(body)
            items = [item for item in body.get("data") or [] if isinstance(item, dict)]
            ids = [str(item.get("id")) for item in items]
            pages.append(ListedPage(after, ids))
            new = set(ids) - seen
            seen |= new
            if not ids or (after is not None and not new):
                break  # the end, or a cursor that does not advance
            has_more = body.get("has_more")
            # A body that does not say is taken as a pager takes it: a full page may go on.
            more = has_more if isinstance(has_more, bool) else len(ids) >= PAGE_LIMIT
            if not more or (after is not None and set(targets) <= seen):
                break
            if older_than(items[-1].get("created_at"), oldest):
                break  # newest first, no probe can come after this
            after = ids[-1]
        return pages

    def list_page(self, after: str | None) -> tuple[dict[str, Any], Mapping[str, str]]:
        """One page's raw JSON body (the SDK would hide keys it lacks) and headers."""
        page = self.api.list_page_raw(limit=PAGE_LIMIT, order="desc", after=after)
        if page.error is not None:
            raise page.error
        if not isinstance(page.body, dict):
            raise ApiError("list assistants: the answer is not a JSON object")
        return page.body, page.headers

    def list_as_plan(self, live: Mapping[str, Probe]) -> None:
        """List with plan's own `list_all`: the listing plan and apply trust."""
        try:
            listed = self.api.list_all()
        except ApiError as error:
            self.report.operations["list"] = error.message
            return
        shown = {a.id for a in listed.assistants}
        missed = [probe.role for i, probe in live.items() if i not in shown]
        self.report.listing = Listing(listed.requests, missed, list(listed.warnings))
        self.report.operations["list"] = (
            f"{PLAN_LISTING} {self.report.listing_verdict()}: a plan there would create a "
            "copy of each assistant its listing misses"
            if missed
            else None
        )

    def delete(self, assistant_id: str) -> None:
        """Delete, then read the deleted id: how the server answers for an unknown id."""
        self.step = "delete"
        try:
            self.api.delete(assistant_id)
        except ApiError as error:
            self.report.operations["delete"] = error.message
            return
        self.deleted.add(assistant_id)
        missing = self.api.get_raw(assistant_id)
        if missing.error is None:
            self.report.operations["delete"] = "the assistant is still there after its delete"
            return
        self.report.operations["delete"] = None
        self.report.missing_id = self.answer(missing)

    def probe_refusals(self) -> None:
        """Requests OpenAI refuses, to see whether and how this server does."""
        _, refusal = self.create("invalid", {"model": self.model, "temperature": 5})
        self.report.invalid_request = (
            self.answer(refusal, self.prefix + "invalid")
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
        self, role: str, body: Mapping[str, Any], *, extra_body: Mapping[str, Any] | None = None
    ) -> tuple[dict[str, Any] | None, RawAnswer | None]:
        """(the raw assistant, None), or (None, the refusal); other failures raise."""
        try:
            answer = self.api.create_raw(self.named(role, body), extra_body=extra_body)
        except ApiError as error:  # no answer at all: the create may have happened
            self.unsure = self.unsure or error.ambiguous
            raise
        if answer.error is not None:
            if answer.status >= 500:
                self.unsure = True
                raise answer.error
            return None, answer
        data = answer.body
        if not isinstance(data, dict) or not isinstance(data.get("id"), str):
            self.unsure = True
            raise ApiError("create assistant: the answer names no assistant id")
        self.made.append(data["id"])
        self.probes[data["id"]] = Probe(role, data.get("created_at"))
        return data, None

    def created_id(self, role: str, body: Mapping[str, Any]) -> str:
        data, refusal = self.create(role, body)
        if refusal is not None:
            raise self.refused(refusal)
        return str((data or {})["id"])

    def refused(self, refusal: RawAnswer) -> ApiError:
        """The refusal as assistform shows it; a key the server echoes is never shown."""
        assert refusal.error is not None
        return refusal.error

    def answer(self, refusal: RawAnswer, probe_name: str = "") -> ErrorAnswer:
        found = classify_error(refusal.status, refusal.text, refusal.body, probe_name)
        shown = self.refused(refusal).message
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
