"""The request log that tests and benchmarks read to see what a client really sent."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class LoggedRequest:
    """One request as the server saw it.

    `route` is the template (`/v1/assistants/{assistant_id}`), or `unknown`. `status` is
    the status the server answered, or would have answered when `fault` is `lost_answer`
    (nothing reached the client). `fault` names the injected fault, if any.
    """

    method: str
    path: str
    route: str
    status: int
    fault: str | None = None
    seconds: float = 0.0


class RequestStats:
    """Thread-safe log and counters of requests, in arrival order of their completion."""

    def __init__(self, listener: Callable[[LoggedRequest], None] | None = None) -> None:
        self._lock = threading.Lock()
        self._log: list[LoggedRequest] = []
        self.listener = listener

    def record(self, entry: LoggedRequest) -> None:
        with self._lock:
            self._log.append(entry)
        if self.listener is not None:
            self.listener(entry)

    @property
    def requests(self) -> list[LoggedRequest]:
        with self._lock:
            return list(self._log)

    @property
    def total(self) -> int:
        with self._lock:
            return len(self._log)

    @property
    def counts(self) -> Counter[tuple[str, str]]:
        """Requests per (method, route), e.g. `counts["POST", "/v1/assistants"]`."""
        with self._lock:
            return Counter((e.method, e.route) for e in self._log)

    def count(
        self,
        method: str | None = None,
        route: str | None = None,
        status: int | None = None,
    ) -> int:
        """Requests matching every filter given."""
        with self._lock:
            return sum(
                1
                for e in self._log
                if (method is None or e.method == method)
                and (route is None or e.route == route)
                and (status is None or e.status == status)
            )

    def reset(self) -> None:
        with self._lock:
            self._log.clear()
