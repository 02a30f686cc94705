"""`OpenAIAssistants`: the real SDK against the project's own loopback server.

Reading the live set costs ceil(N/100) list requests and nothing else; every failure is one
`ApiError` line (status, message, param) that never carries the API key or echoed input.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import pytest

from assistform.api.client import MESSAGE_MAX, OpenAIAssistants
from assistform.errors import ApiError
from assistform.ownership import OwnershipTag, tag_of, with_tag
from assistform.sandbox import (
    ROUTE_COLLECTION,
    Faults,
    SandboxServer,
    nth,
)

from .conftest import FAKE_KEY

Connect = Callable[..., OpenAIAssistants]


def seed(server: SandboxServer, count: int, *, same_second: bool = False) -> list[str]:
    """`count` tagged assistants straight into the server's store, oldest first."""
    ids = []
    for index in range(count):
        body = {
            "model": "gpt-4o",
            "name": f"Bot {index}",
            "metadata": with_tag({"n": str(index)}, OwnershipTag(f"bot{index}", "lineage")),
        }
        created = 1_700_000_000 + (index / 10_000 if same_second else index)
        assistant_id = f"asst_seed{index:05d}"
        server.store.add(assistant_id, created, server.service.profile.new_fields(body))
        ids.append(assistant_id)
    return ids


# --- reading the live set ------------------------------------------------------------------


@pytest.mark.parametrize("count", [0, 1, 100, 101, 250])
def test_list_all_reads_pages_of_100_and_nothing_else(
    make_api_server: Callable[..., SandboxServer], connect_api: Connect, count: int
) -> None:
    server = make_api_server()
    ids = seed(server, count)
    live = connect_api(server).list_all()
    assert [a.id for a in live.assistants] == ids
    pages = max(1, math.ceil(count / 100))
    assert server.stats.counts == {("GET", ROUTE_COLLECTION): pages}, "no GET per id, no write"
    assert live.requests == pages
    assert live.warnings == []


def test_list_all_keeps_every_field_as_served(
    make_api_server: Callable[..., SandboxServer], connect_api: Connect
) -> None:
    server = make_api_server(profile="lenient")
    seed(server, 1)
    [assistant] = connect_api(server).list_all().assistants
    assert tag_of(assistant.raw["metadata"]) == OwnershipTag("bot0", "lineage")
    assert assistant.raw["file_ids"] == [] and "updated_at" in assistant.raw
    assert assistant.raw["temperature"] is None, "lenient servers send null for defaults"
    assert assistant.config["temperature"] is None, "what the server sent, nothing assumed"


def test_a_float_created_at_prints_no_pydantic_warning(
    make_api_server: Callable[..., SandboxServer], connect_api: Connect
) -> None:
    server = make_api_server(profile="lenient")
    seed(server, 3, same_second=True)  # created_at 1700000000.0001, ...
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert len(connect_api(server).list_all().assistants) == 3
    assert [str(w.message) for w in caught if "serializ" in str(w.message).lower()] == []


def test_repeats_across_pages_are_dropped_with_a_warning(
    make_api_server: Callable[..., SandboxServer], connect_api: Connect
) -> None:
    server = make_api_server(profile="lenient")
    ids = seed(server, 250, same_second=True)
    live = connect_api(server).list_all()
    assert [a.id for a in live.assistants] == ids, "every assistant exactly once"
    assert live.warnings == [
        "the server repeated 2 assistant(s) across list pages; "
        "duplicates were dropped (its pagination is unstable)"
    ]


# --- writes ----------------------------------------------------------------------------------


def test_create_update_delete_return_the_assistant_as_served(
    make_api_server: Callable[..., SandboxServer], connect_api: Connect
) -> None:
    server = make_api_server()
    api = connect_api(server)
    created = api.create({"model": "gpt-4o", "name": "A", "metadata": {"k": "v"}})
    assert created.raw["name"] == "A" and created.raw["temperature"] == 1.0
    updated = api.update(created.id, {"name": "B"})
    assert (updated.id, updated.raw["name"]) == (created.id, "B")
    api.delete(created.id)
    assert created.id not in server.store
    assert api.requests == 3


def test_a_create_is_never_retried_by_the_sdk(
    make_api_server: Callable[..., SandboxServer], connect_api: Connect
) -> None:
    # A retried POST whose first answer was lost makes a second assistant.
    server = make_api_server(faults=Faults(lose_answer=nth("POST", ROUTE_COLLECTION, 1)))
    api = connect_api(server, max_retries=5)
    with pytest.raises(ApiError) as caught:
        api.create({"model": "gpt-4o"})
    assert caught.value.ambiguous and caught.value.transient
    assert len(server.store) == 1 and server.stats.count("POST") == 1


# --- errors: one line, status, message, param; never the key or the input -------------------


def assert_one_clean_line(error: ApiError) -> str:
    text = str(error)
    assert "\n" not in text and "Traceback" not in text
    assert FAKE_KEY not in text and FAKE_KEY not in repr(error.args)
    return text


def test_an_invalid_request_names_status_code_message_and_param(
    make_api_server: Callable[..., SandboxServer], connect_api: Connect
) -> None:
    server = make_api_server()
    with pytest.raises(ApiError) as caught:
        connect_api(server).create({"model": "gpt-4o", "temperature": 5})
    error = caught.value
    text = assert_one_clean_line(error)
    assert text.startswith("error: create assistant: HTTP 400 [")
    assert (error.status, error.param, error.transient) == (400, "temperature", False)
    assert text.endswith("(param: temperature)")


def test_an_unknown_id_is_named(
    make_api_server: Callable[..., SandboxServer], connect_api: Connect
) -> None:
    server = make_api_server()
    with pytest.raises(ApiError) as caught:
        connect_api(server).update("asst_nope", {"name": "x"})
    text = assert_one_clean_line(caught.value)
    assert "update assistant asst_nope: HTTP 404" in text
    assert "No assistant found with id 'asst_nope'." in text


def test_the_lenient_422_is_one_line_without_the_echoed_input(
    make_api_server: Callable[..., SandboxServer], connect_api: Connect
) -> None:
    # Lenient servers answer {"detail": [{"loc", "msg", "type", "input": <whole body>}]}.
    server = make_api_server(profile="lenient")
    prompt = "Tell the user about our refund policy. " * 1000
    with pytest.raises(ApiError) as caught:
        connect_api(server).create({"model": "gpt-4o", "instructions": prompt})
    error = caught.value
    text = assert_one_clean_line(error)
    assert text == (
        "error: create assistant: HTTP 422 [string_too_long]: "
        "String should have at most 32768 characters (param: instructions)"
    )
    assert (error.status, error.code, error.param) == (422, "string_too_long", "instructions")


def test_the_lenient_plain_detail_is_the_message(
    make_api_server: Callable[..., SandboxServer], connect_api: Connect
) -> None:
    server = make_api_server(profile="lenient")
    with pytest.raises(ApiError) as caught:
        connect_api(server).delete("0123456789abcdef01234567")
    assert assert_one_clean_line(caught.value).endswith(
        "HTTP 403: No assistant found with id '0123456789abcdef01234567'."
    )
    assert caught.value.status == 403


def test_a_long_message_is_cut(
    scripted_server: Callable[..., SandboxServer], connect_api: Connect
) -> None:
    long = "The request was refused because " + "of a very long reason, " * 100
    server = scripted_server(400, {"error": {"message": long, "type": "invalid_request_error"}})
    with pytest.raises(ApiError) as caught:
        connect_api(server).list_all()
    text = assert_one_clean_line(caught.value)
    assert text.endswith("...") and len(caught.value.message) < MESSAGE_MAX + 60


def test_only_the_first_sentence_of_a_message_is_kept(
    scripted_server: Callable[..., SandboxServer], connect_api: Connect
) -> None:
    message = 'Invalid value for \'model\'.\nYou sent:\n{"model": "", "instructions": "secret"}'
    server = scripted_server(400, {"error": {"message": message, "param": "model"}})
    with pytest.raises(ApiError) as caught:
        connect_api(server).list_all()
    assert str(caught.value) == (
        "error: list assistants: HTTP 400: Invalid value for 'model'. (param: model)"
    )


@pytest.mark.parametrize(
    "body",
    [
        {
            "error": {
                "message": f"Incorrect API key provided: {FAKE_KEY}.",
                "code": "invalid_api_key",
            }
        },
        {"detail": f"Invalid token {FAKE_KEY}"},
    ],
    ids=["openai-shaped", "fastapi-shaped"],
)
def test_a_401_that_echoes_the_key_does_not_show_it(
    scripted_server: Callable[..., SandboxServer], connect_api: Connect, body: Any
) -> None:
    server = scripted_server(401, body)
    with pytest.raises(ApiError) as caught:
        connect_api(server).list_all()
    text = assert_one_clean_line(caught.value)
    assert "HTTP 401" in text and "***" in text
    assert caught.value.status == 401 and not caught.value.transient
    assert server.service.authorizations == [f"Bearer {FAKE_KEY}"], "the key did reach the server"


def test_a_500_is_transient_and_ambiguous(
    make_api_server: Callable[..., SandboxServer], connect_api: Connect
) -> None:
    server = make_api_server(faults=Faults(fail_every=1))
    with pytest.raises(ApiError) as caught:
        connect_api(server).list_all()
    error = caught.value
    text = assert_one_clean_line(error)
    assert "list assistants: HTTP 500" in text and "The server had an error" in text
    assert error.transient and error.ambiguous


def test_a_429_carries_retry_after(
    make_api_server: Callable[..., SandboxServer], connect_api: Connect
) -> None:
    server = make_api_server(faults=Faults(throttle_every=1, retry_after=7))
    with pytest.raises(ApiError) as caught:
        connect_api(server).list_all()
    assert caught.value.status == 429 and caught.value.transient
    assert caught.value.retry_after == 7.0
    assert "[rate_limit_exceeded]" in assert_one_clean_line(caught.value)


def test_an_unreachable_server_names_the_url(connect_api: Connect, closed_port_url: str) -> None:
    with pytest.raises(ApiError) as caught:
        connect_api(closed_port_url).list_all()
    text = assert_one_clean_line(caught.value)
    assert f"list assistants: cannot reach {closed_port_url}/" in text
    assert caught.value.url is not None and caught.value.transient


def test_no_answer_in_time_is_ambiguous(
    make_api_server: Callable[..., SandboxServer], connect_api: Connect
) -> None:
    server = make_api_server(
        faults=Faults(slow_reply=nth("POST", ROUTE_COLLECTION, 1), slow_seconds=2.0)
    )
    with pytest.raises(ApiError) as caught:
        connect_api(server, timeout=0.3).create({"model": "gpt-4o"})
    text = assert_one_clean_line(caught.value)
    assert "create assistant: no answer from" in text and "in time" in text
    assert caught.value.ambiguous


# --- raw answers (for the doctor) -------------------------------------------------------------


def test_raw_answers_come_back_as_sent_refusals_included(
    make_api_server: Callable[..., SandboxServer], connect_api: Connect
) -> None:
    server = make_api_server()
    api = connect_api(server)
    made = api.create_raw({"model": "gpt-4o", "name": "A"})
    assert (made.status, made.error) == (200, None)
    assert made.body["name"] == "A"
    assert made.headers["content-type"].startswith("application/json")

    refused = api.create_raw({"model": "gpt-4o", "temperature": 5})
    assert refused.status == 400 and refused.body["error"]["param"] == "temperature"
    assert refused.error is not None
    assert refused.error.message.startswith("create assistant: HTTP 400")
    extra = api.create_raw({"model": "gpt-4o"}, extra_body={"unknown_field": "x"})
    assert extra.status == 400 and "unknown_field" in extra.text  # sent as given

    missing = api.get_raw("asst_missing")
    assert missing.status == 404 and missing.error is not None
    assert missing.error.message.startswith("get assistant: HTTP 404")

    page = api.list_page_raw(limit=1, order="desc")
    assert page.error is None and [a["id"] for a in page.body["data"]] == [made.body["id"]]
    assert api.requests == 5


def test_the_doctor_uses_only_the_clients_public_interface() -> None:
    import ast
    from pathlib import Path

    import assistform.doctor

    for source in Path(assistform.doctor.__file__).parent.glob("*.py"):
        tree = ast.parse(source.read_text(encoding="utf-8"))
        attributes = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
        imported = {
            alias.name
            for n in ast.walk(tree)
            if isinstance(n, ast.ImportFrom) and n.module == "assistform.api.client"
            for alias in n.names
        }
        assert "client" not in attributes, source.name
        assert [name for name in imported if name.startswith("_")] == [], source.name
        assert "status_error" not in imported, source.name
