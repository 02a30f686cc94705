"""One retry policy: each request the client sends is retried by assistform's policy alone.

The SDK's own retries are off whatever the SDK client was made with; 429s wait what
`Retry-After-Ms` / `Retry-After` say; each page of a listing, a get, an update and a delete
are tried at most `max_tries` times; a create is sent once (its retries are
`apply.creates.safe_create`'s, which looks its tag up first). Waits go through a fake clock:
no test sleeps.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from assistform.api.client import OpenAIAssistants
from assistform.api.retry import RetryPolicy
from assistform.errors import ApiError
from assistform.sandbox import ROUTE_COLLECTION, Faults, SandboxServer
from assistform.sandbox.faults import FaultDecision, RequestInfo

from .conftest import FakeClock
from .test_client import seed

Connect = Callable[..., OpenAIAssistants]
ITEM = "/v1/assistants/{assistant_id}"
POLICY = RetryPolicy(max_tries=4, max_seconds=60.0, base_delay=0.5)


class FailNumbered(Faults):
    """Answers the requests numbered in `failing` (1-based, counting every request) with a
    500, or a 429 carrying `retry_after` / `retry_after_ms` when numbered in `throttled`."""

    def __init__(
        self,
        failing: set[int] | Callable[[int], bool] = frozenset(),
        throttled: set[int] = frozenset(),
        retry_after: int = 1,
        retry_after_ms: int | None = None,
    ) -> None:
        super().__init__(retry_after=retry_after, retry_after_ms=retry_after_ms)
        self.failing = failing
        self.throttled = throttled
        self.count = 0
        self.guard = threading.Lock()

    def decide(self, request: RequestInfo) -> FaultDecision:
        with self.guard:
            self.count += 1
            number = self.count
        if number in self.throttled:
            return FaultDecision(throttle=True)
        failing = self.failing
        if (number in failing) if isinstance(failing, set | frozenset) else failing(number):
            return FaultDecision(fail=True)
        return FaultDecision()


def test_a_page_that_fails_is_tried_again_alone(
    make_api_server: Callable[..., SandboxServer], connect_api: Connect
) -> None:
    server = make_api_server(faults=FailNumbered(failing={2, 3, 4}))  # page 2, three times
    ids = seed(server, 150)
    clock = FakeClock(draw=0.5)
    live = connect_api(server, policy=POLICY, clock=clock, max_retries=5).list_all()
    assert [a.id for a in live.assistants] == ids and live.complete
    # Page 1 once, page 2 four times (the fourth answers): never the SDK's retries on top.
    assert server.stats.count("GET", ROUTE_COLLECTION) == 5 == live.requests
    assert clock.slept == [0.25, 0.5, 1.0]  # full jitter: half of 0.5, 1, 2 (drawn at 0.5)


@pytest.mark.parametrize("max_tries", [1, 3, 6])
def test_a_page_failing_every_time_is_tried_exactly_max_tries_times(
    make_api_server: Callable[..., SandboxServer], connect_api: Connect, max_tries: int
) -> None:
    server = make_api_server(faults=FailNumbered(failing=lambda n: n >= 2))
    seed(server, 150)
    policy = RetryPolicy(max_tries=max_tries)
    api = connect_api(server, policy=policy, clock=FakeClock(), max_retries=5)
    with pytest.raises(ApiError, match="list assistants: HTTP 500"):
        api.list_all()
    assert server.stats.count("GET", ROUTE_COLLECTION) == 1 + max_tries


@pytest.mark.parametrize(
    ("headers", "waited"),
    [
        ({"retry_after": 7, "retry_after_ms": 30}, 0.03),  # the precise header wins
        ({"retry_after": 2}, 2.0),
    ],
    ids=["retry-after-ms", "retry-after"],
)
def test_a_429_waits_what_the_server_says(
    make_api_server: Callable[..., SandboxServer],
    connect_api: Connect,
    headers: dict[str, int],
    waited: float,
) -> None:
    server = make_api_server(faults=FailNumbered(throttled={1, 2}, **headers))
    seed(server, 3)
    clock = FakeClock()
    live = connect_api(server, policy=POLICY, clock=clock).list_all()
    assert len(live.assistants) == 3
    assert clock.slept == [waited, waited]
    assert server.stats.count("GET", ROUTE_COLLECTION) == 3


def test_a_retry_after_past_the_budget_fails_at_once(
    make_api_server: Callable[..., SandboxServer], connect_api: Connect
) -> None:
    server = make_api_server(faults=FailNumbered(throttled={1}, retry_after=120))
    clock = FakeClock()
    with pytest.raises(ApiError, match="HTTP 429"):
        connect_api(server, policy=POLICY, clock=clock).list_all()
    assert clock.slept == [] and server.stats.total == 1


def test_get_update_and_delete_are_each_retried_by_the_policy(
    make_api_server: Callable[..., SandboxServer], connect_api: Connect
) -> None:
    server = make_api_server()
    [assistant_id] = seed(server, 1)
    api = connect_api(server, policy=POLICY, clock=FakeClock(), max_retries=5)
    for call, method in [
        (lambda: api.get(assistant_id), "GET"),
        (lambda: api.update(assistant_id, {"name": "B"}), "POST"),
        (lambda: api.delete(assistant_id), "DELETE"),
    ]:
        server.faults = FailNumbered(failing={1, 2})
        server.stats.reset()
        call()
        assert server.stats.count(method, ITEM) == 3, method
    assert assistant_id not in server.store


def test_a_create_is_sent_once_whatever_the_policy(
    make_api_server: Callable[..., SandboxServer], connect_api: Connect
) -> None:
    server = make_api_server(faults=FailNumbered(failing={1}))
    api = connect_api(server, policy=POLICY, clock=FakeClock(), max_retries=5)
    with pytest.raises(ApiError, match="create assistant: HTTP 500"):
        api.create({"model": "gpt-4o"})
    assert server.stats.total == 1
