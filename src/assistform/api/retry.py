"""When to try an API call again, and how long to wait first: a pure policy plus a budget.

This is assistform's one retry policy: the SDK's own retries are off for every call, and
`api.client.OpenAIAssistants` wraps each request (each page of a listing, a get, an update,
a delete) in one `Budget` of it, so plan and apply retry alike. A create is the exception:
the client sends it once, and `apply.creates.safe_create` decides whether trying again is
safe (it looks the ownership tag up first), under a budget of the same policy.

Transient failures (`ApiError.transient`: 408, 409, 429, 5xx, timeouts, lost connections)
are retried; anything else is final. A server's `Retry-After-Ms` or `Retry-After` is
honoured as given; otherwise the wait is "full jitter" exponential backoff (a uniform draw
below base * 2**n, capped), which spreads retries of parallel workers instead of bunching
them. Each request has a bounded budget of tries and seconds, so a dead server ends the run
instead of hanging CI.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TypeVar

from assistform.errors import ApiError

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    #: Tries per request, the first included (`server.max_retries` in assistform.yaml
    #: is this minus one).
    max_tries: int = 6
    #: Seconds per request, waits included; no wait starts that would end past it.
    max_seconds: float = 60.0
    #: Upper bound of the first backoff draw; it doubles with each retry.
    base_delay: float = 0.5
    #: Upper bound of any one backoff draw.
    max_delay: float = 8.0

    def delay(self, retry: int, error: ApiError, draw: float) -> float:
        """Seconds to wait before retry number `retry` (1-based); `draw` is uniform in [0, 1)."""
        if error.retry_after is not None:
            return error.retry_after
        return draw * min(self.max_delay, self.base_delay * 2.0 ** (retry - 1))


@dataclass
class Clock:
    """Time as the retry loop sees it; tests pass a fake one."""

    now: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    draw: Callable[[], float] = random.random


@dataclass
class Budget:
    """The tries left to one operation and the seconds left to its change.

    A request counts its own tries and seconds. `safe_create` drives a create's tries itself;
    the operations of one change made through `for_operation` share the change's deadline.
    """

    policy: RetryPolicy
    clock: Clock = field(default_factory=Clock)
    started: float | None = None
    tries: int = 0

    def for_operation(self) -> Budget:
        started = self.started if self.started is not None else self.clock.now()
        self.started = started
        return Budget(self.policy, self.clock, started)

    def wait_or_raise(self, error: ApiError) -> None:
        """Sleep before the next try, or raise `error` when it is final or the budget is spent."""
        if not error.transient or self.tries >= self.policy.max_tries:
            raise error
        wait = self.policy.delay(self.tries, error, self.clock.draw())
        started = self.started if self.started is not None else self.clock.now()
        if self.clock.now() + wait - started > self.policy.max_seconds:
            raise error
        if wait > 0:
            self.clock.sleep(wait)

    def attempt(self) -> None:
        """Count one try (call before each)."""
        if self.started is None:
            self.started = self.clock.now()
        self.tries += 1

    def call(self, operation: Callable[[], T]) -> T:
        """`operation()`, tried again after each transient failure while the budget lasts."""
        while True:
            self.attempt()
            try:
                return operation()
            except ApiError as error:
                self.wait_or_raise(error)


def policy_for_retries(max_retries: int, base: RetryPolicy | None = None) -> RetryPolicy:
    """`base` (default: the default policy) allowing `max_retries` retries after the first
    try: what `server.max_retries` of assistform.yaml means."""
    return replace(base or RetryPolicy(), max_tries=max_retries + 1)
