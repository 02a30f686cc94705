"""doctor: which endpoints knowledge specs need a server has, from read-only GETs, one line
each; `Usable` stays about assistants."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, ClassVar

import openai
import pytest

from assistform.api.client import OpenAIAssistants, RawAnswer
from assistform.cli.doctor import render_text
from assistform.doctor import Report, diagnose
from assistform.doctor.endpoints import (
    MISSING,
    NOWHERE,
    PRESENT,
    classify_list,
    classify_made_up,
    probe_endpoints,
)
from assistform.errors import ApiError
from assistform.knowledge import endpoints
from assistform.sandbox import SandboxServer
from assistform.sandbox.profiles import Profile

ALL_PRESENT = dict.fromkeys(endpoints.ALL, PRESENT)


class NoVectorStores(Profile):
    name: ClassVar[str] = "no-vector-stores"
    has_vector_stores: ClassVar[bool] = False


@pytest.fixture
def connected(
    make_api_server: Callable[..., SandboxServer],
) -> Iterator[Callable[..., tuple[OpenAIAssistants, SandboxServer]]]:
    clients: list[openai.OpenAI] = []

    def connect(profile: str | Profile = "faithful") -> tuple[OpenAIAssistants, SandboxServer]:
        server = make_api_server(profile=profile)
        client = openai.OpenAI(base_url=server.base_url, api_key="sk-test", max_retries=0)
        clients.append(client)
        return OpenAIAssistants(client), server

    yield connect
    for client in clients:
        client.close()


@pytest.mark.parametrize("profile", ["faithful", "lenient", "stuck-cursor"])
def test_a_server_with_files_and_vector_stores_has_all_four(
    connected: Callable[..., tuple[OpenAIAssistants, SandboxServer]], profile: str
) -> None:
    # With no vector store to read, a made-up id stands in (the lenient one answers 403).
    api, server = connected(profile)
    assert probe_endpoints(api) == ALL_PRESENT
    assert {r.method for r in server.stats.requests} == {"GET"}, "read-only"


def test_a_store_the_list_shows_is_the_one_probed(
    connected: Callable[..., tuple[OpenAIAssistants, SandboxServer]],
) -> None:
    api, server = connected()
    store = api.client.vector_stores.create(name="kb")
    server.stats.reset()
    assert probe_endpoints(api) == ALL_PRESENT
    paths = {r.path for r in server.stats.requests}
    assert f"/v1/vector_stores/{store.id}/files" in paths
    assert {r.method for r in server.stats.requests} == {"GET"}
    assert [s.id for s in api.client.vector_stores.list()] == [store.id], "nothing changed"


def test_a_server_without_vector_stores_says_so(
    connected: Callable[..., tuple[OpenAIAssistants, SandboxServer]],
) -> None:
    api, _ = connected(NoVectorStores())
    assert probe_endpoints(api) == {
        endpoints.FILES: PRESENT,
        endpoints.VECTOR_STORES: MISSING,
        endpoints.VECTOR_STORE_FILES: MISSING,
        endpoints.FILE_BATCHES: MISSING,
    }


def test_an_unreachable_server_is_unknown_not_missing(closed_port_url: str) -> None:
    client = openai.OpenAI(base_url=closed_port_url, api_key="sk-test", max_retries=0)
    found = probe_endpoints(OpenAIAssistants(client))
    assert all(verdict.startswith("unknown: ") for verdict in found.values())
    assert "cannot reach" in found[endpoints.FILES]


def answer(status: int, body: Any) -> RawAnswer:
    import json

    return RawAnswer(status, {}, json.dumps(body), body, None)


def nowhere(status: int = 404) -> RawAnswer:
    return answer(status, {"error": {"message": f"Invalid URL (GET /v1/{NOWHERE})"}})


@pytest.mark.parametrize(
    ("given", "verdict"),
    [
        (answer(200, {"data": []}), PRESENT),
        (answer(404, {"detail": "Not Found"}), MISSING),
        (answer(405, {"detail": "Method Not Allowed"}), MISSING),
        (answer(500, {}), "unknown: HTTP 500"),
        (ApiError("list files: cannot reach the server"), "unknown: list files: cannot reach"),
    ],
)
def test_classify_list(given: RawAnswer | ApiError, verdict: str) -> None:
    assert classify_list(given).startswith(verdict)


PATH = "vector_stores/vs_x/files"


@pytest.mark.parametrize(
    ("given", "baseline", "verdict"),
    [
        # The server's words for a path it lacks: no such endpoint.
        (
            answer(404, {"error": {"message": f"Invalid URL (GET /v1/{PATH}?limit=1)"}}),
            nowhere(),
            MISSING,
        ),
        (answer(404, {"detail": "Not Found"}), answer(404, {"detail": "Not Found"}), MISSING),
        # Other words: the endpoint refused the made-up id.
        (
            answer(404, {"error": {"message": "No vector store found with id 'vs_x'."}}),
            nowhere(),
            PRESENT,
        ),
        (answer(403, {"detail": "No vector store found with id 'vs_x'."}), nowhere(), PRESENT),
        (answer(405, {}), nowhere(), MISSING),
        (answer(401, {"error": {"message": "bad key"}}), nowhere(), "unknown: "),
        (answer(404, {"detail": "Not Found"}), nowhere(500), "unknown: HTTP 404 for a made-up id"),
    ],
)
def test_classify_made_up(given: RawAnswer, baseline: RawAnswer, verdict: str) -> None:
    assert classify_made_up(given, PATH, baseline).startswith(verdict)


def test_the_report_has_one_line_each_and_what_knowledge_specs_need() -> None:
    report = Report(base_url="http://server/v1")
    report.knowledge_endpoints = {
        endpoints.FILES: PRESENT,
        endpoints.VECTOR_STORES: MISSING,
        endpoints.VECTOR_STORE_FILES: MISSING,
        endpoints.FILE_BATCHES: MISSING,
    }
    text = render_text(report, "http://server/v1")
    assert (
        "Files and vector stores:\n"
        "  /v1/files:                                        present\n"
        "  /v1/vector_stores:                                MISSING\n"
        "  /v1/vector_stores/{vector_store_id}/files:        MISSING\n"
        "  /v1/vector_stores/{vector_store_id}/file_batches: MISSING\n"
        "Knowledge specs need these (code_interpreter files: /v1/files; vector stores: all): "
        "a plan using a missing one refuses here.\n"
    ) in text


def test_usable_stays_about_assistants(
    connected: Callable[..., tuple[OpenAIAssistants, SandboxServer]],
) -> None:
    api, _ = connected(NoVectorStores())
    report = diagnose(api)
    assert report.usable and report.problems == []
    assert report.knowledge_endpoints[endpoints.VECTOR_STORES] == MISSING
    assert report.as_json()["knowledge_endpoints"][endpoints.FILES] == PRESENT
    assert "Usable: yes" in render_text(report, "sandbox")
