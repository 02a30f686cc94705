"""`doctor`: one probe of a server says what it keeps and how it fails, and leaves nothing
behind. Classifying is table-tested; the probe runs against real loopback servers of both
profiles and of a few worse ones."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import openai
import pytest

from assistform.api.client import OpenAIAssistants
from assistform.doctor import (
    ErrorAnswer,
    FieldResult,
    classify_error,
    classify_sent,
    classify_unsent,
    describe_id,
    describe_type,
    diagnose,
    extra_headers,
    full_body,
)
from assistform.doctor.classify import classify_falsy, classify_metadata_update
from assistform.doctor.paging import (
    CAUSE_CURSOR_AGAIN,
    CAUSE_SECONDS_BY_ID,
    ListedPage,
    Probe,
    describe_pagination,
    missing_list_keys,
)
from assistform.errors import ApiError
from assistform.sandbox import (
    Faults,
    RequestInfo,
    SandboxServer,
    nth,
)
from assistform.sandbox import defaults as sandbox_defaults
from assistform.sandbox.faults import FaultDecision
from assistform.sandbox.profiles import Profile
from assistform.sandbox.validation import Invalid
from doubles import BrokenList, EchoesTheKey, LaggingList, SecondsSortIdCursor

# -- classifying ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("assistant_id", "phrase", "openai_like"),
    [
        ("asst_abcdefghijklmnopqrstuvwx", "asst_ + 24 letters and digits", True),
        ("asst_42", "asst_ + 2 characters", True),
        ("5edb374a91c4644b636651f1", "24 hex characters", False),
        ("0b7f8a52-3f0e-4c1d-9a57-2f1d7c0e9b11", "UUIDs", False),
        ("assistant-7", "11 characters", False),
    ],
)
def test_describe_id(assistant_id: str, phrase: str, openai_like: bool) -> None:
    assert describe_id(assistant_id) == (phrase, openai_like)


@pytest.mark.parametrize(
    ("value", "phrase"),
    [
        (1700000000, "an integer"),
        (1700000000.25, "a float"),
        ("2026-01-01", "a str"),
        (None, "null"),
    ],
)
def test_describe_type(value: Any, phrase: str) -> None:
    assert describe_type(value) == phrase


def test_classify_sent_compares_normalized_values() -> None:
    sent = {
        "model": "gpt-4o",
        "temperature": 0.5,
        "tools": [{"type": "function", "function": {"name": "f"}}],
        "top_p": 0.5,
        "metadata": {"a": "1"},
        "instructions": "Be brief.",
    }
    returned = {
        "model": "gpt-4o",
        "temperature": 0.5,
        # A filled-in default (strict: false) is still what was sent.
        "tools": [{"type": "function", "function": {"name": "f", "strict": False}}],
        "top_p": None,
        "metadata": {"a": "2"},
    }
    assert classify_sent(sent, returned) == [
        FieldResult("model", "stored"),
        FieldResult("instructions", "absent"),
        FieldResult("tools", "stored"),
        FieldResult("metadata", "changed", {"a": "2"}),
        FieldResult("temperature", "stored"),
        FieldResult("top_p", "null"),
    ]


def test_classify_unsent_tells_defaults_from_nulls() -> None:
    returned = {
        "description": None,  # its default is null
        "instructions": "",
        "tools": None,
        "tool_resources": {},
        "temperature": 0.7,
        "response_format": "auto",
    }
    assert classify_unsent(returned) == [
        FieldResult("description", "default"),
        FieldResult("instructions", "default"),
        FieldResult("tools", "null"),
        FieldResult("tool_resources", "default"),
        FieldResult("temperature", "changed", 0.7),
        FieldResult("top_p", "absent"),
        FieldResult("response_format", "default"),
    ]


@pytest.mark.parametrize(
    ("body", "shape"),
    [
        ({"error": {"message": "bad", "param": "temperature"}}, "openai"),
        ({"error": {"reason": "bad"}}, "other-json"),
        ({"detail": [{"loc": ["body"], "msg": "bad"}]}, "pydantic-list"),
        ({"detail": "Not Found"}, "detail-string"),
        ({"errors": ["bad"]}, "other-json"),
        (None, "not-json"),
    ],
)
def test_classify_error_shapes(body: Any, shape: str) -> None:
    assert classify_error(400, "text", body, "probe-x") == ErrorAnswer(400, shape)


def test_an_answer_holding_the_probe_name_echoes_the_request() -> None:
    text = '{"detail": [{"input": {"name": "probe-x", "temperature": 5}}]}'
    assert classify_error(422, text, {"detail": []}, "probe-x").echoes_request
    assert classify_error(None, "", None, "probe-x") == ErrorAnswer(None, "accepted")


def test_extra_headers_leave_out_what_any_server_sends() -> None:
    headers = {
        "Content-Type": "application/json",
        "x-request-id": "req_1",
        "openai-version": "2020-10-01",
        "x-ratelimit-remaining-requests": "9",
        "X-Lenient-Server": "1",
        "x-powered-by": "FastAPI",
    }
    assert extra_headers(headers) == ["x-lenient-server", "x-powered-by"]


def test_the_full_probe_sets_every_field_to_a_non_default() -> None:
    from assistform.limits import CREATE_FIELDS
    from assistform.limits import DOCUMENTED_DEFAULTS as DEFAULTS
    from assistform.normalize import normalize

    body = full_body("gpt-4o")
    assert set(body) == set(CREATE_FIELDS) - {"name"}  # the probe adds its name
    config = normalize(body)
    assert [f for f in DEFAULTS if f != "name" and config[f] == normalize(DEFAULTS)[f]] == []


PROBES = {
    "a1": Probe("main", 100),
    "a2": Probe("minimal", 100),
    "a3": Probe("list-1", 100),
    "a4": Probe("list-2", 100),
}


@pytest.mark.parametrize(
    ("pages", "shown", "repeated", "skipped", "cause", "stuck_after"),
    [
        (  # OpenAI's
            [(None, ["a4", "a3"]), ("a3", ["a2", "a1"])],
            [["list-2", "list-1"], ["minimal", "main"]],
            [],
            [],
            None,
            None,
        ),
        (  # the lenient profile: the cursor's item served again
            [(None, ["a4", "a3"]), ("a3", ["a3", "a2"])],
            [["list-2", "list-1"], ["list-1 again", "minimal"]],
            ["list-1"],
            [],
            CAUSE_CURSOR_AGAIN,
            None,
        ),
        (  # failure 4: creation order within the second, the cursor compares ids
            [(None, ["a1", "a2"]), ("a2", ["a1", "a0"])],
            [["main", "minimal"], ["main again", "1 other"]],
            ["main"],
            ["list-1", "list-2"],
            CAUSE_SECONDS_BY_ID,
            None,
        ),
        (  # a cursor that does not advance
            [(None, ["a4", "a3"]), ("a3", ["a4", "a3"])],
            [["list-2", "list-1"], ["list-2 again", "list-1 again"]],
            ["list-2", "list-1"],
            [],
            None,
            "list-1",
        ),
        (  # skips of no recognised cause
            [(None, ["a4", "a0"]), ("a0", ["a2", "a1"])],
            [["list-2", "1 other"], ["minimal", "main"]],
            [],
            ["list-1"],
            None,
            None,
        ),
    ],
    ids=["stable", "cursor-again", "seconds-by-id", "stuck", "unknown"],
)
def test_describe_pagination(
    pages: list[tuple[str | None, list[str]]],
    shown: list[list[str]],
    repeated: list[str],
    skipped: list[str],
    cause: str | None,
    stuck_after: str | None,
) -> None:
    listed = [ListedPage(after, ids) for after, ids in pages]
    found = describe_pagination(listed, PROBES, ["a3", "a4"], 2)
    assert found.shown == shown
    assert (found.repeated, found.skipped) == (repeated, skipped)
    assert (found.cause, found.stuck_after) == (cause, stuck_after)
    assert found.created == ["main", "minimal", "list-1", "list-2"] and found.one_second
    assert found.stable == (not repeated and not skipped and stuck_after is None)


def test_a_list_body_without_pagination_keys_is_thin() -> None:
    assert missing_list_keys({"data": []}) == ["has_more", "first_id", "last_id"]
    assert missing_list_keys({"data": [], "has_more": False, "first_id": None}) == ["last_id"]
    page = {"data": [], "has_more": None, "first_id": None, "last_id": None}
    assert missing_list_keys(page) == ["has_more"]


@pytest.mark.parametrize(
    ("metadata", "verdict"),
    [
        ({"m": "1", "second": "1"}, "replaced"),
        ({"m": "1", "first": "1", "second": "1"}, "merged"),
        ({"m": "1", "first": "1"}, "ignored"),
        (None, "ignored"),
    ],
)
def test_classify_metadata_update(metadata: Any, verdict: str) -> None:
    assert classify_metadata_update(metadata, "first", "second") == verdict


def test_classify_falsy_names_only_fields_left_as_they_were() -> None:
    sent = {"temperature": 0, "description": "", "tools": [], "metadata": {}}
    before = {"temperature": 0.5, "description": "d", "tools": [], "metadata": {"a": "1"}}
    after = {"temperature": 0.5, "description": "", "tools": [], "metadata": {"a": "1"}}
    # tools held [] already: its staying so says nothing.
    assert classify_falsy(sent, before, after) == ["temperature", "metadata"]


# -- probing real servers ------------------------------------------------------------------


@pytest.fixture
def probe(make_api_server: Callable[..., SandboxServer]) -> Iterator[Callable[..., Any]]:
    """`probe(profile=, faults=)` -> (report, server): one doctor run on a fresh server."""
    clients: list[openai.OpenAI] = []

    def run(*, profile: str | Profile = "faithful", faults: Faults | None = None) -> Any:
        server = make_api_server(profile=profile, faults=faults)
        client = openai.OpenAI(base_url=server.base_url, api_key="sk-test", timeout=10)
        clients.append(client)
        return diagnose(OpenAIAssistants(client)), server

    yield run
    for client in clients:
        client.close()


def test_a_faithful_server_is_openai(probe: Callable[..., Any]) -> None:
    report, server = probe(profile="faithful")
    assert report.usable and report.problems == []
    assert report.differences() == []
    assert {f.verdict for f in report.sent} == {"stored", "write-only"}
    assert {f.verdict for f in report.unsent} == {"default"}
    assert report.invalid_request.status == 400 and report.invalid_request.shape == "openai"
    assert report.missing_id.status == 404
    assert report.unknown_fields == "refused"
    assert report.long_instructions is None
    assert report.pagination.stable
    assert len(server.store) == 0, "no probe left behind"
    assert report.probes_created == report.probes_deleted > 0


def test_a_lenient_server_shows_each_of_its_differences(probe: Callable[..., Any]) -> None:
    report, server = probe(profile="lenient")
    assert report.usable
    differences = "\n".join(report.differences())
    assert "ids are 24 hex characters, not asst_" in differences
    assert "created_at is a float" in differences
    assert (
        "fields not sent come back null or absent instead of the default: "
        "tools, tool_resources, temperature, top_p, response_format" in differences
    )
    assert "reasoning_effort is dropped" in differences
    assert "unknown fields are silently ignored" in differences
    assert "extra fields in every assistant: extra_body, file_ids, updated_at" in differences
    assert "extra response headers: x-lenient-server" in differences
    assert "invalid requests are HTTP 422, a FastAPI/pydantic" in differences
    assert "echoing the request" in differences
    assert "an unknown id is HTTP 403, not 404" in differences
    assert "String should have at most 32768 characters" in differences
    assert "pagination is unstable: 2 item(s) repeated" in differences
    assert report.invalid_request.shown_as == (
        "create assistant: HTTP 422 [decimal_above_max_value]: Invalid 'temperature': "
        "decimal above maximum value. (param: temperature)"
    )
    assert len(server.store) == 0, "no probe left behind"
    assert report.probes_created == report.probes_deleted


class FailsToList(Faults):
    def decide(self, request: RequestInfo) -> FaultDecision:
        if request.method == "GET" and request.route == "/v1/assistants":
            return FaultDecision(fail=True)
        return super().decide(request)


def test_a_server_that_cannot_list_is_not_usable_and_is_cleaned_up(
    probe: Callable[..., Any],
) -> None:
    report, server = probe(profile="lenient", faults=FailsToList())
    assert not report.usable
    [problem] = report.problems
    assert problem.startswith("list: list assistants: HTTP 500")
    assert len(server.store) == 0
    assert report.left_behind == []


def test_a_create_whose_answer_was_lost_is_found_by_name_and_deleted(
    probe: Callable[..., Any],
) -> None:
    report, server = probe(faults=Faults(lose_answer=nth("POST", "/v1/assistants", 2)))
    assert not report.usable
    assert report.problems[0].startswith("create: create assistant: cannot reach")
    assert report.probes_created == 2, "the one answered, and the one found by its name"
    assert len(server.store) == 0


class RefusesReasoning(Profile):
    """Like OpenAI for a model without reasoning: reasoning_effort is refused by name."""

    def check(self, body: Any, *, create: bool) -> tuple[Any, Invalid | None]:
        if isinstance(body, dict) and "reasoning_effort" in body:
            message = "Unsupported parameter: 'reasoning_effort' is not supported with this model."
            return body, Invalid(message, ("reasoning_effort",), "unsupported_parameter")
        return super().check(body, create=create)


def test_a_field_the_server_refuses_is_reported_and_the_rest_probed(
    probe: Callable[..., Any],
) -> None:
    report, server = probe(profile=RefusesReasoning())
    assert report.usable
    verdicts = {f.field: f.verdict for f in report.sent}
    assert verdicts.pop("reasoning_effort") == "refused"
    assert set(verdicts.values()) == {"stored"}
    assert report.differences() == [
        "fields sent but not kept as sent: reasoning_effort (refused): a plan shows them as "
        "changes until the spec matches what the server keeps"
    ]
    assert len(server.store) == 0


class ReplacesOnModify(Profile):
    """A modify that replaces the whole assistant (PUT semantics): unsent fields reset."""

    def modified_fields(
        self, current: Mapping[str, Any], body: Mapping[str, Any]
    ) -> dict[str, Any]:
        return sandbox_defaults.new_fields({"model": current["model"], **body})


def test_a_modify_that_resets_other_fields_makes_the_server_unusable(
    probe: Callable[..., Any],
) -> None:
    report, server = probe(profile=ReplacesOnModify())
    assert not report.usable
    [problem] = report.problems
    assert problem.startswith("modify resets fields it was not sent (name, instructions, tools")
    assert len(server.store) == 0


class RefusesTools(Profile):
    """A server without tools, that says so without naming the field."""

    def check(self, body: Any, *, create: bool) -> tuple[Any, Invalid | None]:
        if isinstance(body, dict) and body.get("tools"):
            return body, Invalid("Tools are not supported by this server.", (), "unsupported")
        return super().check(body, create=create)


def test_a_create_of_every_field_refused_as_a_whole_falls_back_to_the_model_alone(
    probe: Callable[..., Any],
) -> None:
    report, server = probe(profile=RefusesTools())
    assert report.usable
    assert report.full_create_error == (
        "create assistant: HTTP 400 [unsupported]: Tools are not supported by this server."
    )
    assert [f.field for f in report.sent] == ["model", "name", "metadata"]
    assert len(server.store) == 0


def test_a_key_the_server_echoes_is_not_in_the_report() -> None:
    key = "sk-echoed-0123456789"
    with SandboxServer(EchoesTheKey()) as server:
        client = openai.OpenAI(base_url=server.base_url, api_key=key, timeout=10)
        report = diagnose(OpenAIAssistants(client))
        client.close()
        assert len(server.store) == 0
    text = json.dumps(report.as_json())
    assert key not in text
    assert report.invalid_request.shown_as == (
        "create assistant: HTTP 400: Refused for Bearer ***. (param: temperature)"
    )


# -- pagination that skips or repeats (issue 12, failure 4) ----------------------------------


def test_a_list_sorted_by_seconds_and_paged_by_id_is_explained_and_usable() -> None:
    with SandboxServer(SecondsSortIdCursor.holding(250)) as server:
        client = openai.OpenAI(base_url=server.base_url, api_key="sk-test", timeout=10)
        api = OpenAIAssistants(client)
        assert len(api.list_all().assistants) == 250, "plan lists every assistant there"
        report = diagnose(api)
        client.close()
        assert len(server.store) == 250, "no probe left behind"
    assert report.usable, report.problems
    assert report.operations["list"] is None
    pagination = report.pagination
    assert pagination.created == ["main", "minimal", "list-1", "list-2", "list-3", "list-4"]
    assert pagination.shown == [["main", "minimal"], ["main again", "1 other"]]
    assert pagination.repeated == ["main"]
    assert pagination.skipped == ["list-1", "list-2", "list-3", "list-4"]
    assert pagination.cause == "the list sorts by created_at seconds but pages by id"
    assert report.listing is not None and report.listing.missed == []
    assert pagination.one_second
    assert (
        "pagination is unstable: 1 item(s) repeated and 4 skipped over 2 pages of 2, newest "
        "first; likely cause: the list sorts by created_at seconds but pages by id: assistform "
        "drops repeats, and lists again newest first to find what a page skipped; plan's "
        "listing (oldest first, 100 a page) sees every probe"
    ) in report.differences()


def test_a_list_that_misses_what_plan_would_manage_makes_the_server_unusable() -> None:
    with SandboxServer(LaggingList()) as server:
        client = openai.OpenAI(base_url=server.base_url, api_key="sk-test", timeout=10)
        report = diagnose(OpenAIAssistants(client))
        client.close()
        assert len(server.store) == 0, "no probe left behind"
    assert report.problems == [
        "list: plan's listing (oldest first, 100 a page) MISSES main, minimal, list-1, list-2, "
        "list-3, list-4: a plan there would create a copy of each assistant its listing misses"
    ]
    assert report.pagination.skipped == ["list-1", "list-2", "list-3", "list-4"]
    assert report.pagination.shown == [[]]


@pytest.mark.parametrize(
    ("thin", "stuck"), [(True, False), (False, True), (True, True)], ids=["thin", "stuck", "both"]
)
def test_a_thin_list_body_and_a_stuck_cursor_are_named_with_what_they_mean(
    thin: bool, stuck: bool
) -> None:
    with SandboxServer(BrokenList(thin=thin, stuck=stuck)) as server:
        client = openai.OpenAI(base_url=server.base_url, api_key="sk-test", timeout=10)
        api = OpenAIAssistants(client)
        report = diagnose(api)
        assert len(server.store) == 0, "no probe left behind"
        # The case: 9 assistants, all on plan's first page. Usable means plan lists them.
        made = {api.create({"model": "gpt-4o", "name": f"a{i}"}).id for i in range(9)}
        try:
            plan_lists = {a.id for a in api.list_all().assistants} == made
        except ApiError:
            plan_lists = False
        client.close()
    assert report.usable == plan_lists, report.problems
    differences = report.differences()
    thin_line = (
        "the list body has no has_more, first_id, last_id: it does not say whether more pages "
        "follow, so assistform asks for the page after the last item to find out"
    )
    assert (thin_line in differences) == thin
    assert report.list_body_missing == (["has_more", "first_id", "last_id"] if thin else [])
    pagination = report.pagination
    stuck_line = (
        "the `after` cursor does not advance (the page after list-3 showed only what the list "
        "had shown before): a listing cannot get past its first page, so with more assistants "
        "than a page of 100 holds, plan cannot see them all there"
    )
    assert (stuck_line in differences) == stuck
    if stuck:
        assert pagination.stuck_after == "list-3"
        assert pagination.shown == [["list-4", "list-3"], ["list-4 again", "list-3 again"]]
        assert not any(d.startswith("pagination is unstable") for d in differences)
    else:
        assert pagination.stable, pagination
    if not stuck:
        assert plan_lists and report.listing.missed == []


# -- what an update takes (issue 12, failure 5) ----------------------------------------------

MERGED = (
    "metadata is merged on update, not replaced: assistform cannot remove a metadata key "
    "there (a key a spec drops stays on the server); apply reports such a change as failed"
)
FALSY_IGNORED = (
    'falsy values are ignored on update (temperature 0, description "", tools [], metadata {} '
    "left each field as it was): setting temperature 0, clearing a description, removing "
    "every tool or clearing metadata cannot take effect there; apply reports such a change "
    "as failed"
)


@pytest.mark.parametrize(
    ("profile", "metadata", "ignored", "difference"),
    [
        ("faithful", "replaced", [], None),
        ("lenient", "replaced", [], None),
        ("merges-metadata", "merged", [], MERGED),
        (
            "ignores-falsy",
            "replaced",
            ["temperature", "description", "tools", "metadata"],
            FALSY_IGNORED,
        ),
    ],
)
def test_what_an_update_takes_is_probed(
    probe: Callable[..., Any],
    profile: str,
    metadata: str,
    ignored: list[str],
    difference: str | None,
) -> None:
    report, server = probe(profile=profile)
    # Changes apply reports as failed, not changes plan and apply cannot make at all.
    assert report.usable, report.problems
    assert report.metadata_update == metadata
    assert report.falsy_ignored == ignored
    about_updates = [d for d in report.differences() if "on update" in d]
    assert about_updates == ([difference] if difference else [])
    assert len(server.store) == 0, "no probe left behind"
