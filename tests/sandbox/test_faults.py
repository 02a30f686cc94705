"""Injected faults, over real HTTP and in-process, as the SDK experiences them."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import openai
import pytest

from assistform.sandbox import (
    ROUTE_COLLECTION,
    ROUTE_ITEM,
    AssistantsService,
    Faults,
    SandboxServer,
    nth,
)
from assistform.sandbox.faults import RequestInfo
from assistform.sandbox.inprocess import connect

from .clients import loopback_client

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

MakeClient = Callable[..., tuple[openai.OpenAI, AssistantsService]]


@pytest.fixture(params=["http", "inprocess"])
def make_client(request: pytest.FixtureRequest) -> Iterator[MakeClient]:
    """`make_client(faults, max_retries=0, timeout=10)` -> (SDK client, service behind it),
    over the transport of the parameter."""
    servers: list[SandboxServer] = []
    clients: list[openai.OpenAI] = []

    def make(
        faults: Faults, *, max_retries: int = 0, timeout: float = 10.0
    ) -> tuple[openai.OpenAI, AssistantsService]:
        if request.param == "http":
            server = SandboxServer(faults=faults).start()
            servers.append(server)
            client = loopback_client(server.base_url, max_retries=max_retries, timeout=timeout)
            service = server.service
        else:
            service = AssistantsService(faults=faults)
            client = connect(service, max_retries=max_retries, timeout=timeout)
        clients.append(client)
        return client, service

    yield make
    for client in clients:
        client.close()
    for server in servers:
        server.stop()


def test_throttle_answers_429_with_retry_after(make_client: MakeClient) -> None:
    client, service = make_client(Faults(throttle_every=2, retry_after=3))
    client.beta.assistants.create(model="gpt-4o")
    with pytest.raises(openai.RateLimitError) as excinfo:
        client.beta.assistants.create(model="gpt-4o")
    assert excinfo.value.status_code == 429
    assert excinfo.value.response.headers["retry-after"] == "3"
    assert excinfo.value.response.json()["error"]["code"] == "rate_limit_exceeded"
    assert len(service.store) == 1
    assert service.stats.requests[-1].fault == "throttled"


def test_sdk_retries_through_throttling(make_client: MakeClient) -> None:
    # retry-after-ms keeps the SDK's wait at 10 ms instead of Retry-After's 1 s.
    client, service = make_client(Faults(throttle_every=2, retry_after_ms=10), max_retries=2)
    for _ in range(3):
        client.beta.assistants.create(model="gpt-4o")
    assert len(service.store) == 3
    assert [e.status for e in service.stats.requests] == [200, 429, 200, 429, 200]


def test_every_nth_request_fails_with_500(make_client: MakeClient) -> None:
    client, service = make_client(Faults(fail_every=3))
    outcomes = []
    for _ in range(6):
        try:
            client.beta.assistants.create(model="gpt-4o")
            outcomes.append(200)
        except openai.InternalServerError as exc:
            assert exc.response.json()["error"]["type"] == "server_error"
            outcomes.append(exc.status_code)
    assert outcomes == [200, 200, 500, 200, 200, 500]
    assert len(service.store) == 4  # a 500 changes nothing


def test_slow_reply_makes_the_sdk_time_out_after_the_change(make_client: MakeClient) -> None:
    client, service = make_client(
        Faults(slow_reply=nth("POST", ROUTE_COLLECTION, 1), slow_seconds=5.0), timeout=0.2
    )
    started = time.monotonic()
    with pytest.raises(openai.APITimeoutError):
        client.beta.assistants.create(model="gpt-4o")
    assert time.monotonic() - started < 2.0
    assert len(service.store) == 1  # the server did the work; only the answer was late
    assert service.stats.requests[-1].fault == "slow_reply"
    client.beta.assistants.create(model="gpt-4o")  # only the first create was slow


def test_slow_reply_within_the_timeout_just_arrives_late(make_client: MakeClient) -> None:
    client, _ = make_client(Faults(slow_reply=nth("GET", ROUTE_COLLECTION, 1), slow_seconds=0.1))
    started = time.monotonic()
    assert client.beta.assistants.list().data == []
    assert time.monotonic() - started >= 0.1


def test_lost_answer_stores_the_change(make_client: MakeClient) -> None:
    client, service = make_client(Faults(lose_answer=nth("POST", ROUTE_COLLECTION, 1)))
    with pytest.raises(openai.APIConnectionError):
        client.beta.assistants.create(model="gpt-4o", name="lost")
    assert [r.fields["name"] for r in service.store.ordered()] == ["lost"]
    assert service.stats.requests[-1].fault == "lost_answer"


def test_lost_create_answer_with_default_retries_makes_two_assistants(
    make_client: MakeClient,
) -> None:
    """THE hazard later work must defeat: the create happened, its answer was lost, and
    the SDK's default retries (max_retries=2) sent it again. The caller sees one
    success, but two assistants now exist."""
    client, service = make_client(
        Faults(lose_answer=nth("POST", ROUTE_COLLECTION, 1)),
        max_retries=openai.DEFAULT_MAX_RETRIES,
    )
    created = client.beta.assistants.create(model="gpt-4o", name="reviewer")
    names = [r.fields["name"] for r in service.store.ordered()]
    assert names == ["reviewer", "reviewer"]
    assert created.id == service.store.ordered()[-1].id
    assert service.stats.count(method="POST", route=ROUTE_COLLECTION) == 2


def test_lost_answer_by_predicate_on_modify(make_client: MakeClient) -> None:
    def modifies(request: RequestInfo) -> bool:
        body = request.json()
        return (
            request.route == ROUTE_ITEM and request.method == "POST" and body.get("name") == "new"
        )

    client, service = make_client(Faults(lose_answer=modifies))
    created = client.beta.assistants.create(model="gpt-4o", name="old")
    with pytest.raises(openai.APIConnectionError):
        client.beta.assistants.update(created.id, name="new")
    stored = service.store.get(created.id)
    assert stored is not None and stored.fields["name"] == "new"


def test_latency_is_added_to_every_request(make_client: MakeClient) -> None:
    client, _ = make_client(Faults(latency=0.05))
    started = time.monotonic()
    client.beta.assistants.list()
    client.beta.assistants.list()
    assert time.monotonic() - started >= 0.1


def test_faults_can_change_on_a_running_server(
    openai_client: openai.OpenAI, api_server: SandboxServer
) -> None:
    openai_client.beta.assistants.list()
    api_server.faults = Faults(fail_every=1)
    with pytest.raises(openai.InternalServerError):
        openai_client.with_options(max_retries=0).beta.assistants.list()
    api_server.faults = Faults()
    openai_client.beta.assistants.list()


def test_nth_counts_only_its_method_and_route() -> None:
    predicate = nth("post", ROUTE_COLLECTION, 2, 3)
    hits = [
        predicate(RequestInfo(method, "/p", route))
        for method, route in [
            ("POST", ROUTE_COLLECTION),
            ("GET", ROUTE_COLLECTION),
            ("POST", ROUTE_ITEM),
            ("POST", ROUTE_COLLECTION),
            ("POST", ROUTE_COLLECTION),
            ("POST", ROUTE_COLLECTION),
        ]
    ]
    assert hits == [False, False, False, True, True, False]
    with pytest.raises(ValueError):
        nth("POST", ROUTE_COLLECTION)
