"""When to try an API call again, and how long to wait first: a pure policy plus a budget.

Transient failures (`ApiError.transient`) are retried; anything else is final. A server's
`Retry-After` is honoured as given; otherwise the wait is "full jitter" exponential backoff
(a uniform draw below base * 2**n, capped), which spreads retries of parallel workers
instead of bunching them. Each operation has a bounded budget of tries and seconds, so a
dead server ends the run instead of hanging CI.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from assistform.errors import ApiError

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    #: Tries per operation, the first included.
    max_tries: int = 6
    #: Seconds per operation, waits included; no wait starts that would end past it.
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

    One change (a replace: a create, then a delete) shares one deadline; each operation in
    it (see `for_operation`) counts its own tries.
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
