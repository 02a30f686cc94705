"""The probe (I/O): create throwaway assistants, read, list, modify and delete them, send
requests meant to be refused, record what came back in a `Report`, and always delete every
probe made, whatever failed."""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from assistform import limits
from assistform.api.client import OpenAIAssistants, status_error
from assistform.api.live import LiveAssistant
from assistform.doctor.classify import (
    classify_error,
    classify_sent,
    classify_unsent,
    describe_id,
    describe_type,
    extra_headers,
)
from assistform.doctor.report import ErrorAnswer, FieldResult, Pagination, Report
from assistform.errors import ApiError
from assistform.redact import mask_url

if TYPE_CHECKING:
    import openai

PROBE_PREFIX = "assistform-doctor-probe-"
MARKER_KEY = "assistform-doctor"
MARKER = {MARKER_KEY: "probe"}
DEFAULT_MODEL = "gpt-4o"
#: Probes made together (within a second, on a server near enough) to page over.
PAGE_PROBES = 4
#: Two a page, not one: a server may misbehave only when a page holds several items
#: (the lenient sandbox never repeats on pages of one, or a pager could not move on).
PAGE_LIMIT = 2
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
        self.report = Report(base_url=mask_url(api.base_url))
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
        return status_error(what, exc, self.api.redact)

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
