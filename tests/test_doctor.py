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
from doubles import EchoesTheKey

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
