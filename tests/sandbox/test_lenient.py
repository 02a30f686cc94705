"""The lenient profile: each way it differs from OpenAI, one test at least."""

from __future__ import annotations

import http.client
import itertools
import json
import re
from collections.abc import Callable, Iterator
from typing import Any, Literal

import openai
import pytest

from assistform.sandbox import AssistantsService, SandboxServer
from assistform.sandbox.inprocess import connect
from assistform.sandbox.profiles import LENIENT_INSTRUCTIONS_MAX
from assistform.sandbox.validation import render_param

from .cases import REFUSED, Refused

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

Order = Literal["asc", "desc"]

NOT_SENT_IS_NULL = (
    "tools",
    "metadata",
    "tool_resources",
    "temperature",
    "top_p",
    "response_format",
)


@pytest.fixture
def api_server(make_api_server: Callable[..., SandboxServer]) -> SandboxServer:
    """Every test of this module runs against a lenient server."""
    return make_api_server(profile="lenient")


def _create(client: openai.OpenAI, **body: Any) -> dict[str, Any]:
    raw = client.beta.assistants.with_raw_response.create(**body)
    data = raw.http_response.json()
    assert isinstance(data, dict)
    return data


def _request(
    server: SandboxServer, method: str, path: str, body: Any = None, auth: bool = True
) -> tuple[int, dict[str, str], Any]:
    connection = http.client.HTTPConnection(server.host, server.port, timeout=10)
    headers = {"Authorization": "Bearer k"} if auth else {}
    payload = b"" if body is None else json.dumps(body).encode()
    try:
        connection.request(method, path, body=payload, headers=headers)
        response = connection.getresponse()
        data = json.loads(response.read())
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data
    finally:
        connection.close()


def test_ids_are_bare_hex_and_created_at_a_float(openai_client: openai.OpenAI) -> None:
    created = _create(openai_client, model="gpt-4o")
    assert re.fullmatch(r"[0-9a-f]{24}", created["id"])
    assert isinstance(created["created_at"], float)
    assert openai_client.beta.assistants.retrieve(created["id"]).id == created["id"]


def test_fields_not_sent_come_back_null(openai_client: openai.OpenAI) -> None:
    created = _create(openai_client, model="gpt-4o")
    for field in (*NOT_SENT_IS_NULL, "name", "description", "instructions"):
        assert created[field] is None, field
    # The SDK still parses it.
    assert openai_client.beta.assistants.retrieve(created["id"]).tools is None


def test_tools_are_echoed_without_defaults(openai_client: openai.OpenAI) -> None:
    tools: Any = [{"type": "function", "function": {"name": "f"}}, {"type": "file_search"}]
    created = _create(openai_client, model="gpt-4o", tools=tools, temperature=1)
    assert created["tools"] == tools
    assert created["temperature"] == 1


def test_unknown_fields_are_dropped_silently(
    openai_client: openai.OpenAI, api_server: SandboxServer
) -> None:
    created = _create(
        openai_client, model="o3-mini", reasoning_effort="high", extra_body={"foo": "bar"}
    )
    stored = api_server.store.get(created["id"])
    assert stored is not None
    assert "reasoning_effort" not in stored.fields and "foo" not in stored.fields
    assert "reasoning_effort" not in created and "foo" not in created
    # Even a value the spec refuses is no error: the field is dropped before validation.
    modified = openai_client.beta.assistants.with_raw_response.update(
        created["id"],
        reasoning_effort="ludicrous",  # type: ignore[arg-type]
    )
    assert modified.http_response.status_code == 200


def test_every_object_has_extra_fields(openai_client: openai.OpenAI) -> None:
    created = _create(openai_client, model="gpt-4o")
    assistants = openai_client.beta.assistants
    objects = [
        created,
        assistants.with_raw_response.retrieve(created["id"]).http_response.json(),
        assistants.with_raw_response.update(created["id"], name="x").http_response.json(),
        *assistants.with_raw_response.list().http_response.json()["data"],
    ]
    for obj in objects:
        assert obj["file_ids"] == []
        assert obj["extra_body"] is None
        assert isinstance(obj["updated_at"], float)
    assert objects[2]["updated_at"] >= objects[2]["created_at"]


def test_every_response_has_an_extra_header(api_server: SandboxServer) -> None:
    for method, path, body in [
        ("GET", "/v1/assistants", None),
        ("POST", "/v1/assistants", {"model": "m"}),
        ("GET", "/v1/assistants/nope", None),
        ("GET", "/v1/elsewhere", None),
    ]:
        _, headers, _ = _request(api_server, method, path, body)
        assert headers["x-lenient-server"] == "1"


def test_validation_errors_are_422_fastapi_style(
    openai_client: openai.OpenAI, api_server: SandboxServer
) -> None:
    body = {"model": "gpt-4o", "tools": [{"type": "function", "function": {"name": "bad name"}}]}
    with pytest.raises(openai.UnprocessableEntityError) as excinfo:
        openai_client.beta.assistants.create(**body)  # type: ignore[arg-type]
    payload = excinfo.value.response.json()
    assert "error" not in payload
    (detail,) = payload["detail"]
    assert detail["loc"] == ["body", "tools", 0, "function", "name"]
    assert detail["input"] == body
    assert detail["msg"] and detail["type"] == "invalid_value"
    assert len(api_server.store) == 0


_DROPPED_BY_LENIENT = {
    "unknown-field",
    "unknown-before-others",
    "reasoning-effort-enum",
    "body-not-object",
}
_DROPPED_BY_LENIENT |= {"modify-unknown", "modify-reasoning-effort"}


@pytest.mark.parametrize(
    "case", [c for c in REFUSED if c.id not in _DROPPED_BY_LENIENT], ids=lambda c: c.id
)
def test_every_refusal_is_a_422_at_the_same_place(case: Refused) -> None:
    service = AssistantsService(profile="lenient")
    path = "/v1/assistants"
    if case.op == "modify":
        target = service.store.add("abc", 0.0, {"model": "m"})
        path += f"/{target.id}"
    response = service.handle(
        "POST", path, {}, {"authorization": "Bearer k"}, json.dumps(case.body).encode()
    )
    assert response.status == 422
    (detail,) = response.json()["detail"]
    assert detail["loc"][0] == "body"
    assert render_param(tuple(detail["loc"][1:])) == case.param
    assert detail["input"] == case.body


def test_unknown_id_is_403(openai_client: openai.OpenAI, api_server: SandboxServer) -> None:
    with pytest.raises(openai.PermissionDeniedError):
        openai_client.beta.assistants.retrieve("0123456789abcdef01234567")
    status, _, body = _request(api_server, "DELETE", "/v1/assistants/nope")
    assert status == 403
    assert isinstance(body["detail"], str)


def test_other_errors_are_fastapi_style_too(api_server: SandboxServer) -> None:
    assert _request(api_server, "GET", "/v1/assistants", auth=False)[::2] == (
        401,
        {"detail": "Not authenticated"},
    )
    assert _request(api_server, "GET", "/v1/nowhere")[::2] == (404, {"detail": "Not Found"})


def test_needs_no_beta_header(api_server: SandboxServer) -> None:
    status, _, _ = _request(api_server, "GET", "/v1/assistants")
    assert status == 200


def test_instructions_capped_at_its_own_limit(openai_client: openai.OpenAI) -> None:
    _create(openai_client, model="gpt-4o", instructions="i" * LENIENT_INSTRUCTIONS_MAX)
    with pytest.raises(openai.UnprocessableEntityError) as excinfo:
        openai_client.beta.assistants.create(
            model="gpt-4o", instructions="i" * (LENIENT_INSTRUCTIONS_MAX + 1)
        )
    (detail,) = excinfo.value.response.json()["detail"]
    assert detail["loc"] == ["body", "instructions"]


def test_faithful_takes_what_lenient_caps(inprocess_client: openai.OpenAI) -> None:
    inprocess_client.beta.assistants.create(
        model="gpt-4o", instructions="i" * (LENIENT_INSTRUCTIONS_MAX + 1)
    )


def test_modify_changes_only_what_is_sent(openai_client: openai.OpenAI) -> None:
    created = _create(openai_client, model="gpt-4o", metadata={"a": "1"}, name="n")
    modified = openai_client.beta.assistants.with_raw_response.update(
        created["id"], metadata={"b": "2"}, tool_resources={"code_interpreter": {"file_ids": ["f"]}}
    ).http_response.json()
    assert modified["metadata"] == {"b": "2"}
    assert modified["name"] == "n"
    assert modified["tool_resources"] == {"code_interpreter": {"file_ids": ["f"]}}
    assert modified["tools"] is None


# --- unreliable pagination --------------------------------------------------------------


@pytest.fixture
def same_second_client() -> Iterator[tuple[openai.OpenAI, list[str]]]:
    """Ten lenient assistants created within one second, and their ids oldest first."""
    ticks = itertools.count()
    service = AssistantsService(
        profile="lenient", clock=lambda: 1_700_000_000.0 + next(ticks) / 100
    )
    client = connect(service, max_retries=0)
    ids = [client.beta.assistants.create(model="m").id for _ in range(10)]
    yield client, ids
    client.close()


def test_paging_after_repeats_the_cursor_within_a_second(
    same_second_client: tuple[openai.OpenAI, list[str]],
) -> None:
    client, ids = same_second_client
    first = client.beta.assistants.list(order="asc", limit=4)
    assert [a.id for a in first.data] == ids[:4]
    second = client.beta.assistants.list(order="asc", limit=4, after=ids[3])
    assert [a.id for a in second.data] == ids[3:7]  # ids[3] again


@pytest.mark.parametrize("order", ["asc", "desc"])
def test_a_client_deduplicating_by_id_still_sees_everything_once(
    same_second_client: tuple[openai.OpenAI, list[str]], order: Order
) -> None:
    client, ids = same_second_client
    seen = [a.id for a in client.beta.assistants.list(order=order, limit=3)]
    assert len(seen) > len(ids)  # the SDK's pager does not dedupe...
    unique = list(dict.fromkeys(seen))
    assert unique == (ids if order == "asc" else ids[::-1])  # ...but nothing is skipped


def test_limit_one_pages_never_repeat(same_second_client: tuple[openai.OpenAI, list[str]]) -> None:
    client, ids = same_second_client
    assert [a.id for a in client.beta.assistants.list(order="asc", limit=1)] == ids


def test_no_repeat_across_seconds() -> None:
    ticks = itertools.count()
    service = AssistantsService(profile="lenient", clock=lambda: 1_700_000_000.0 + next(ticks))
    client = connect(service, max_retries=0)
    ids = [client.beta.assistants.create(model="m").id for _ in range(7)]
    assert [a.id for a in client.beta.assistants.list(order="asc", limit=2)] == ids
