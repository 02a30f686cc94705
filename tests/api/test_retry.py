from __future__ import annotations

from collections.abc import Iterator

import pytest

from assistform.api.retry import Budget, RetryPolicy, policy_for_retries
from assistform.errors import ApiError

from .conftest import FakeClock


def transient(retry_after: float | None = None) -> ApiError:
    return ApiError("HTTP 500", status=500, transient=True, ambiguous=True, retry_after=retry_after)


@pytest.mark.parametrize(
    ("retry", "error", "draw", "expected"),
    [
        (1, transient(), 0.5, 0.25),  # below base 0.5
        (2, transient(), 0.5, 0.5),  # below 1.0
        (4, transient(), 0.999, 3.996),  # below 4.0
        (10, transient(), 0.5, 4.0),  # capped at max_delay 8
        (1, transient(retry_after=7.0), 0.0, 7.0),  # Retry-After wins, no jitter
        (3, transient(retry_after=0.0), 0.9, 0.0),
    ],
)
def test_delay_is_full_jitter_or_retry_after(
    retry: int, error: ApiError, draw: float, expected: float
) -> None:
    assert RetryPolicy().delay(retry, error, draw) == pytest.approx(expected)


def test_transient_failures_are_retried_until_success() -> None:
    clock = FakeClock()
    calls: Iterator[ApiError | str] = iter([transient(), transient(retry_after=2.0), "done"])

    def flaky() -> str:
        item = next(calls)
        if isinstance(item, ApiError):
            raise item
        return item

    budget = Budget(RetryPolicy(), clock)
    assert budget.call(flaky) == "done"
    assert budget.tries == 3
    assert clock.slept == [0.25, 2.0]


def test_a_permanent_error_is_not_retried() -> None:
    clock = FakeClock()
    budget = Budget(RetryPolicy(), clock)
    calls = 0

    def refused() -> None:
        nonlocal calls
        calls += 1
        raise ApiError("HTTP 400: bad", status=400)

    with pytest.raises(ApiError, match="HTTP 400"):
        budget.call(refused)
    assert calls == 1
    assert clock.slept == []


def test_tries_are_bounded() -> None:
    clock = FakeClock()
    budget = Budget(RetryPolicy(max_tries=4), clock)
    calls = 0

    def down() -> None:
        nonlocal calls
        calls += 1
        raise transient()

    with pytest.raises(ApiError):
        budget.call(down)
    assert calls == 4
    assert len(clock.slept) == 3


def test_no_wait_starts_that_would_end_past_the_deadline() -> None:
    clock = FakeClock()
    budget = Budget(RetryPolicy(max_tries=100, max_seconds=10.0), clock)

    def throttled() -> None:
        raise transient(retry_after=4.0)

    with pytest.raises(ApiError):
        budget.call(throttled)
    assert clock.slept == [4.0, 4.0]  # a third wait would end at 12 s


def test_operations_of_one_change_share_its_deadline_but_not_its_tries() -> None:
    clock = FakeClock()
    change = Budget(RetryPolicy(max_tries=2, max_seconds=5.0), clock)
    first = change.for_operation()
    with pytest.raises(ApiError):
        first.call(lambda: (_ for _ in ()).throw(transient(retry_after=3.0)))
    assert first.tries == 2
    second = change.for_operation()
    assert second.tries == 0
    with pytest.raises(ApiError):
        second.call(lambda: (_ for _ in ()).throw(transient(retry_after=3.0)))
    # 3 s were spent by the first operation: the second may not wait another 3.
    assert clock.slept == [3.0]


def test_max_retries_of_the_config_are_tries_after_the_first() -> None:
    assert policy_for_retries(0).max_tries == 1
    assert policy_for_retries(4) == RetryPolicy(max_tries=5)
