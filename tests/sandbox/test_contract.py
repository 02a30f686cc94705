"""The faithful profile over real HTTP, driven by the real openai SDK, checked against the
official schemas of the spec."""

from __future__ import annotations

import http.client
import json
import re
import time
from collections.abc import Callable
from typing import Any

import openai
import pytest
from openai.types.beta import Assistant

from assistform import limits
from assistform.sandbox import SandboxServer

from .cases import ACCEPTED, REFUSED, Refused

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

SchemaCheck = Callable[[str, Any], None]

BETA = {"OpenAI-Beta": "assistants=v2"}
DEFAULTS: dict[str, Any] = {
    "name": None,
    "description": None,
    "instructions": None,
    "tools": [],
    "tool_resources": {},
    "metadata": {},
    "temperature": 1.0,
    "top_p": 1.0,
    "response_format": "auto",
}
ASSISTANT_ID = re.compile(r"asst_[A-Za-z0-9]{24}")


def _split(body: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """SDK keyword arguments, and what has to go through `extra_body`."""
    known = {k: v for k, v in body.items() if k in limits.CREATE_FIELDS and k != "model"}
    extra = {k: v for k, v in body.items() if k not in limits.CREATE_FIELDS}
    return known, extra


def create_raw(client: openai.OpenAI, body: Any) -> Any:
    """POST /assistants with exactly `body`, the way an SDK user would send it."""
    if not isinstance(body, dict):
        return client.post("/assistants", body=body, cast_to=Assistant, options={"headers": BETA})
    known, extra = _split(body)
    return client.beta.assistants.with_raw_response.create(
        model=body.get("model", openai.omit), **known, extra_body=extra or None
    )


def modify_raw(client: openai.OpenAI, assistant_id: str, body: dict[str, Any]) -> Any:
    known, extra = _split(body)
    if "model" in body:
        known["model"] = body["model"]
    return client.beta.assistants.with_raw_response.update(
        assistant_id, **known, extra_body=extra or None
    )


def wire(raw: Any) -> Any:
    return raw.http_response.json()


def error_of(excinfo: pytest.ExceptionInfo[openai.APIStatusError]) -> dict[str, Any]:
    body = excinfo.value.response.json()
    assert isinstance(body, dict)
    return body


# --- refused bodies ---------------------------------------------------------------------


@pytest.mark.parametrize("case", REFUSED, ids=lambda c: c.id)
def test_refused_with_the_right_param(
    case: Refused,
    openai_client: openai.OpenAI,
    api_server: SandboxServer,
    assert_schema: SchemaCheck,
) -> None:
    target = None
    if case.op == "modify":
        target = openai_client.beta.assistants.create(model="gpt-4o", name="before")
    with pytest.raises(openai.BadRequestError) as excinfo:
        if target is None:
            create_raw(openai_client, case.body)
        else:
            modify_raw(openai_client, target.id, case.body)
    body = error_of(excinfo)
    assert_schema("ErrorResponse", body)
    assert body["error"]["type"] == "invalid_request_error"
    assert (body["error"]["param"], body["error"]["code"]) == (case.param, case.code)
    assert excinfo.value.status_code == 400
    # Nothing was created or changed.
    assert len(api_server.store) == (0 if target is None else 1)
    if target is not None:
        assert openai_client.beta.assistants.retrieve(target.id).name == "before"


# --- accepted bodies --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"), [c[1:] for c in ACCEPTED], ids=[c[0] for c in ACCEPTED]
)
def test_accepted_and_echoed_with_defaults(
    body: dict[str, Any],
    expected: dict[str, Any],
    openai_client: openai.OpenAI,
    assert_schema: SchemaCheck,
) -> None:
    before = int(time.time())
    raw = create_raw(openai_client, body)
    created = wire(raw)
    assert_schema("AssistantObject", created)
    assert ASSISTANT_ID.fullmatch(created["id"])
    assert created["object"] == "assistant"
    assert isinstance(created["created_at"], int)
    assert before <= created["created_at"] <= int(time.time())
    assert created["model"] == body["model"]
    for field, value in {**DEFAULTS, **expected}.items():
        if field in expected or body.get(field) is None:
            assert created[field] == value, field
    assert "reasoning_effort" not in created
    # The SDK parses it, and retrieve returns the same object.
    assert raw.parse().id == created["id"]
    again = wire(openai_client.beta.assistants.with_raw_response.retrieve(created["id"]))
    assert again == created


def test_function_and_file_search_defaults_are_filled(openai_client: openai.OpenAI) -> None:
    created = wire(
        create_raw(
            openai_client,
            {
                "model": "gpt-4o",
                "tools": [
                    {"type": "function", "function": {"name": "f"}},
                    {"type": "file_search", "file_search": {"max_num_results": 7}},
                ],
            },
        )
    )
    function, search = created["tools"]
    assert function["function"] == {"name": "f", "strict": False}
    assert search["file_search"] == {
        "max_num_results": 7,
        "ranking_options": {"ranker": "default_2024_08_21", "score_threshold": 0.0},
    }
    assert created["tool_resources"] == {"file_search": {"vector_store_ids": []}}


def test_vector_stores_helper_becomes_a_vector_store_id(
    openai_client: openai.OpenAI, assert_schema: SchemaCheck
) -> None:
    created = wire(
        create_raw(
            openai_client,
            {
                "model": "gpt-4o",
                "tools": [{"type": "file_search"}],
                "tool_resources": {
                    "file_search": {
                        "vector_stores": [
                            {
                                "file_ids": ["file-1"],
                                "chunking_strategy": {
                                    "type": "static",
                                    "static": {
                                        "max_chunk_size_tokens": 800,
                                        "chunk_overlap_tokens": 400,
                                    },
                                },
                                "metadata": {"k": "v"},
                            }
                        ]
                    }
                },
            },
        )
    )
    assert_schema("AssistantObject", created)
    (store_id,) = created["tool_resources"]["file_search"]["vector_store_ids"]
    assert re.fullmatch(r"vs_[A-Za-z0-9]{24}", store_id)
    assert "vector_stores" not in created["tool_resources"]["file_search"]


def test_reasoning_effort_is_stored_but_never_returned(
    openai_client: openai.OpenAI, api_server: SandboxServer
) -> None:
    created = wire(create_raw(openai_client, {"model": "o3-mini", "reasoning_effort": "high"}))
    assert "reasoning_effort" not in created
    stored = api_server.store.get(created["id"])
    assert stored is not None and stored.fields["reasoning_effort"] == "high"
    modified = wire(modify_raw(openai_client, created["id"], {"reasoning_effort": "low"}))
    assert "reasoning_effort" not in modified
    stored = api_server.store.get(created["id"])
    assert stored is not None and stored.fields["reasoning_effort"] == "low"
    listed = wire(openai_client.beta.assistants.with_raw_response.list())
    assert all("reasoning_effort" not in item for item in listed["data"])


# --- the life of an assistant -----------------------------------------------------------


def test_create_retrieve_list_modify_delete(
    openai_client: openai.OpenAI, assert_schema: SchemaCheck
) -> None:
    assistants = openai_client.beta.assistants
    created = wire(
        create_raw(openai_client, {"model": "gpt-4o", "name": "one", "metadata": {"a": "1"}})
    )
    assert_schema("AssistantObject", created)

    retrieved = wire(assistants.with_raw_response.retrieve(created["id"]))
    assert_schema("AssistantObject", retrieved)
    assert retrieved == created

    listed = wire(assistants.with_raw_response.list())
    assert_schema("ListAssistantsResponse", listed)
    assert listed["data"] == [created]
    assert (listed["first_id"], listed["last_id"], listed["has_more"]) == (
        created["id"],
        created["id"],
        False,
    )

    modified = wire(modify_raw(openai_client, created["id"], {"name": "two"}))
    assert_schema("AssistantObject", modified)
    assert modified == {**created, "name": "two"}

    deleted = wire(assistants.with_raw_response.delete(created["id"]))
    assert_schema("DeleteAssistantResponse", deleted)
    assert deleted == {"id": created["id"], "object": "assistant.deleted", "deleted": True}

    for call in (
        lambda: assistants.retrieve(created["id"]),
        lambda: assistants.update(created["id"], name="x"),
        lambda: assistants.delete(created["id"]),
    ):
        with pytest.raises(openai.NotFoundError) as excinfo:
            call()
        body = error_of(excinfo)
        assert_schema("ErrorResponse", body)
        assert body["error"]["message"] == f"No assistant found with id '{created['id']}'."


def test_empty_list(openai_client: openai.OpenAI, assert_schema: SchemaCheck) -> None:
    listed = wire(openai_client.beta.assistants.with_raw_response.list())
    # The service sent null ids for an empty page, though the spec types them as strings.
    assert listed == {
        "object": "list",
        "data": [],
        "first_id": None,
        "last_id": None,
        "has_more": False,
    }
    assert_schema("ListAssistantsResponse", {**listed, "first_id": "", "last_id": ""})


FULL = {
    "model": "gpt-4o",
    "name": "n",
    "description": "d",
    "instructions": "i",
    "reasoning_effort": "low",
    "tools": [{"type": "code_interpreter"}],
    "tool_resources": {
        "code_interpreter": {"file_ids": ["f1"]},
        "file_search": {"vector_store_ids": ["vs_1"]},
    },
    "metadata": {"a": "1", "b": "2"},
    "temperature": 0.5,
    "top_p": 0.5,
    "response_format": {"type": "json_object"},
}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({}, {}),
        ({"name": "new"}, {"name": "new"}),
        ({"model": "gpt-4.1"}, {"model": "gpt-4.1"}),
        ({"metadata": {"c": "3"}}, {"metadata": {"c": "3"}}),
        ({"metadata": {}}, {"metadata": {}}),
        (
            {"tools": [{"type": "file_search"}]},
            {
                "tools": [
                    {
                        "type": "file_search",
                        "file_search": {
                            "ranking_options": {
                                "ranker": "default_2024_08_21",
                                "score_threshold": 0.0,
                            }
                        },
                    }
                ]
            },
        ),
        (
            # Resources reset, then each enabled tool gets its empty one (rule 10).
            {"tools": [{"type": "file_search"}], "tool_resources": None},
            {
                "tools": [
                    {
                        "type": "file_search",
                        "file_search": {
                            "ranking_options": {
                                "ranker": "default_2024_08_21",
                                "score_threshold": 0.0,
                            }
                        },
                    }
                ],
                "tool_resources": {"file_search": {"vector_store_ids": []}},
            },
        ),
        (
            {"tool_resources": {"code_interpreter": {"file_ids": ["f2"]}}},
            {
                "tool_resources": {
                    "code_interpreter": {"file_ids": ["f2"]},
                    "file_search": {"vector_store_ids": ["vs_1"]},
                }
            },
        ),
        ({"tool_resources": {}}, {}),
        (
            {"name": None, "description": None, "instructions": None},
            {"name": None, "description": None, "instructions": None},
        ),
        ({"temperature": None, "top_p": None}, {"temperature": 1.0, "top_p": 1.0}),
        (
            {"metadata": None, "tool_resources": None, "response_format": None},
            {
                "metadata": {},
                # FULL enables code_interpreter: it keeps an empty resource (rule 10).
                "tool_resources": {"code_interpreter": {"file_ids": []}},
                "response_format": "auto",
            },
        ),
        (
            {"response_format": "auto", "temperature": 2},
            {"response_format": "auto", "temperature": 2.0},
        ),
    ],
    ids=lambda v: json.dumps(v)[:40],
)
def test_modify_changes_only_what_is_sent(
    change: dict[str, Any],
    expected: dict[str, Any],
    openai_client: openai.OpenAI,
    assert_schema: SchemaCheck,
) -> None:
    created = wire(create_raw(openai_client, FULL))
    modified = wire(modify_raw(openai_client, created["id"], change))
    assert_schema("AssistantObject", modified)
    assert modified == {**created, **expected}


# --- errors outside validation ----------------------------------------------------------


def _raw_request(
    server: SandboxServer,
    method: str,
    path: str,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], Any]:
    connection = http.client.HTTPConnection(server.host, server.port, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        payload = response.read()
        return (
            response.status,
            {k.lower(): v for k, v in response.getheaders()},
            json.loads(payload),
        )
    finally:
        connection.close()


AUTH = {"Authorization": "Bearer sk-test", **BETA}


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer "},
        {"Authorization": "Basic c2s6"},
        {"Authorization": "sk-test"},
    ],
    ids=["none", "empty-bearer", "basic", "no-scheme"],
)
def test_401_without_a_bearer_token(
    headers: dict[str, str], api_server: SandboxServer, assert_schema: SchemaCheck
) -> None:
    status, _, body = _raw_request(api_server, "GET", "/v1/assistants", headers={**BETA, **headers})
    assert status == 401
    assert_schema("ErrorResponse", body)


def test_sdk_sees_401_as_authentication_error(api_server: SandboxServer) -> None:
    client = openai.OpenAI(base_url=api_server.base_url, api_key="sk-test", max_retries=0)
    with pytest.raises(openai.AuthenticationError):
        client.beta.assistants.list(extra_headers={"Authorization": "Basic c2s6"})


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/nothing"),
        ("GET", "/v1/assistants/a/b"),
        ("PUT", "/v1/assistants"),
        ("DELETE", "/v1/assistants"),
        ("PATCH", "/v1/assistants/asst_x"),
        ("GET", "/v2/assistants"),
    ],
)
def test_unknown_route_is_404(
    method: str, path: str, api_server: SandboxServer, assert_schema: SchemaCheck
) -> None:
    status, _, body = _raw_request(api_server, method, path, headers=AUTH)
    assert status == 404
    assert_schema("ErrorResponse", body)
    assert body["error"]["message"] == f"Invalid URL ({method} {path})"


def test_beta_header_is_required(api_server: SandboxServer, assert_schema: SchemaCheck) -> None:
    status, _, body = _raw_request(
        api_server, "GET", "/v1/assistants", headers={"Authorization": "Bearer sk-test"}
    )
    assert status == 400
    assert_schema("ErrorResponse", body)
    assert "OpenAI-Beta" in body["error"]["message"]


@pytest.mark.parametrize("payload", [b"", b"{", b'{"model": NaN}', b"\xff"])
def test_body_that_is_not_json(
    payload: bytes, api_server: SandboxServer, assert_schema: SchemaCheck
) -> None:
    status, _, body = _raw_request(api_server, "POST", "/v1/assistants", payload, AUTH)
    assert status == 400
    assert_schema("ErrorResponse", body)
    assert (body["error"]["param"], body["error"]["code"]) == (None, None)


@pytest.mark.parametrize(
    ("query", "param"),
    [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=x", "limit"),
        ("order=up", "order"),
        ("after=asst_nope", "after"),
        ("before=asst_nope", "before"),
    ],
)
def test_list_query_refused(
    query: str, param: str, api_server: SandboxServer, assert_schema: SchemaCheck
) -> None:
    status, _, body = _raw_request(api_server, "GET", f"/v1/assistants?{query}", headers=AUTH)
    assert status == 400
    assert_schema("ErrorResponse", body)
    assert body["error"]["param"] == param


def test_response_headers(api_server: SandboxServer) -> None:
    status, headers, _ = _raw_request(api_server, "GET", "/v1/assistants", headers=AUTH)
    assert status == 200
    assert headers["content-type"] == "application/json"
    assert re.fullmatch(r"req_[0-9a-f]{32}", headers["x-request-id"])
    assert int(headers["content-length"]) > 0


def test_keep_alive_serves_many_requests_on_one_connection(api_server: SandboxServer) -> None:
    connection = http.client.HTTPConnection(api_server.host, api_server.port, timeout=10)
    try:
        for _ in range(3):
            connection.request("GET", "/v1/assistants", headers=AUTH)
            response = connection.getresponse()
            assert response.status == 200
            assert not response.will_close
            response.read()
        sock = connection.sock
        connection.request("POST", "/v1/assistants", body=b'{"model": "m"}', headers=AUTH)
        assert connection.getresponse().status == 200
        assert connection.sock is sock
    finally:
        connection.close()


def test_stats_count_per_method_and_route(
    openai_client: openai.OpenAI, api_server: SandboxServer
) -> None:
    created = openai_client.beta.assistants.create(model="gpt-4o")
    openai_client.beta.assistants.retrieve(created.id)
    openai_client.beta.assistants.retrieve(created.id)
    with pytest.raises(openai.NotFoundError):
        openai_client.beta.assistants.retrieve("asst_missing")
    stats = api_server.stats
    assert stats.counts["POST", "/v1/assistants"] == 1
    assert stats.counts["GET", "/v1/assistants/{assistant_id}"] == 3
    assert stats.count(status=404) == 1
    assert [(e.method, e.status) for e in stats.requests] == [
        ("POST", 200),
        ("GET", 200),
        ("GET", 200),
        ("GET", 404),
    ]
    stats.reset()
    assert stats.total == 0


def test_inprocess_client_speaks_the_same_contract(
    inprocess_client: openai.OpenAI, assert_schema: SchemaCheck
) -> None:
    created = wire(
        create_raw(inprocess_client, {"model": "gpt-4o", "tools": [{"type": "code_interpreter"}]})
    )
    assert_schema("AssistantObject", created)
    listed = wire(inprocess_client.beta.assistants.with_raw_response.list())
    assert_schema("ListAssistantsResponse", listed)
    with pytest.raises(openai.BadRequestError) as excinfo:
        create_raw(inprocess_client, {"model": "gpt-4o", "top_p": 3})
    assert error_of(excinfo)["error"]["param"] == "top_p"


@pytest.mark.parametrize("api_server", ["faithful", "lenient"], indirect=True)
def test_sdk_round_trip_on_every_profile(
    openai_client: openai.OpenAI, api_server: SandboxServer
) -> None:
    assistants = openai_client.beta.assistants
    created = assistants.create(model="gpt-4o", name="a", metadata={"k": "v"})
    assert assistants.retrieve(created.id).name == "a"
    assert assistants.update(created.id, name="b").name == "b"
    assert [a.id for a in assistants.list()] == [created.id]
    assert assistants.delete(created.id).deleted is True
    assert len(api_server.store) == 0
