"""Fault injection: the ways a real server and network misbehave, on demand.

The service consults `Faults.decide` once per request, before anything else:

1. `latency` seconds are slept first, for every request;
2. then, counting requests from when this `Faults` was made (1-based), every
   `throttle_every`-th request is answered 429 with `Retry-After`, else every
   `fail_every`-th is answered 500 (both before the request is looked at, so nothing
   changes; 429 wins when both hit);
3. then the two predicates, `lose_answer` and `slow_reply`, are asked about the request.
   They see only requests that got past step 2, so `nth("POST", "/v1/assistants", 1)`
   means "the first create that reaches the service".

A lost answer is carried out in full (the change is stored), after which the transport
drops the connection without a byte of reply. A slow reply is also carried out first, then
held back `slow_seconds` before it is written, so a client with a shorter timeout gives up
on a request that did happen: the two hazards a retrying client must survive.

Two knobs shape the processing of vector store files rather than single requests: each
attached file is `in_progress` for `processing_seconds` (on the service's clock), then
`completed`, or `failed` (last_error `invalid_file`) when its filename matches the glob
`fail_files`.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

#: A request body: `bytes`, or a `bytearray` an upload was read into once (see inprocess.py).
Body = bytes | bytearray


@dataclass(frozen=True)
class RequestInfo:
    """What a fault predicate may look at."""

    method: str
    path: str
    route: str
    body: Body = b""

    def json(self) -> Any:
        """The decoded body, or None when it is absent or not JSON."""
        try:
            return json.loads(self.body) if self.body else None
        except ValueError:
            return None


Predicate = Callable[[RequestInfo], bool]


@dataclass(frozen=True)
class FaultDecision:
    throttle: bool = False
    fail: bool = False
    lose_answer: bool = False
    delay: float = 0.0


@dataclass
class Faults:
    """Knobs of misbehaviour; all off by default. Mutable: tests may change it mid-run."""

    latency: float = 0.0
    throttle_every: int = 0
    retry_after: int = 1
    #: Also send `retry-after-ms` (the SDK prefers it), so retrying tests need not wait 1 s.
    retry_after_ms: int | None = None
    fail_every: int = 0
    lose_answer: Predicate | None = None
    slow_reply: Predicate | None = None
    slow_seconds: float = 0.0
    #: How long an attached file stays `in_progress`, in seconds of the service's clock.
    processing_seconds: float = 0.2
    #: A filename glob (`fnmatch`, e.g. `*.bad`): attached files it matches end `failed`.
    fail_files: str | None = None
    _seen: int = field(default=0, init=False, repr=False, compare=False)
    _lock: threading.Lock = field(
        default_factory=threading.Lock, init=False, repr=False, compare=False
    )

    def decide(self, request: RequestInfo) -> FaultDecision:
        """Count this request and say what goes wrong with it (see the module docstring)."""
        with self._lock:
            self._seen += 1
            number = self._seen
        if self.throttle_every > 0 and number % self.throttle_every == 0:
            return FaultDecision(throttle=True)
        if self.fail_every > 0 and number % self.fail_every == 0:
            return FaultDecision(fail=True)
        lose = self.lose_answer is not None and self.lose_answer(request)
        slow = self.slow_reply is not None and self.slow_reply(request)
        return FaultDecision(lose_answer=lose, delay=self.slow_seconds if slow else 0.0)


class NthRequest:
    """Predicate true on the given occurrences (1-based) of one method and route.

    It counts the matching requests it is asked about, so it is stateful: use a fresh one
    per `Faults`.
    """

    def __init__(self, method: str, route: str, numbers: frozenset[int]) -> None:
        self.method = method.upper()
        self.route = route
        self.numbers = numbers
        self._count = 0
        self._lock = threading.Lock()

    def __call__(self, request: RequestInfo) -> bool:
        if request.method.upper() != self.method or request.route != self.route:
            return False
        with self._lock:
            self._count += 1
            return self._count in self.numbers

    def __repr__(self) -> str:
        return f"nth({self.method!r}, {self.route!r}, {sorted(self.numbers)})"


def nth(method: str, route: str, *numbers: int) -> NthRequest:
    """E.g. `nth("POST", "/v1/assistants", 1)`: the first create request.

    `route` is the route template: `/v1/assistants` or `/v1/assistants/{assistant_id}`.
    """
    if not numbers or any(n < 1 for n in numbers):
        raise ValueError("nth() needs one or more 1-based request numbers")
    return NthRequest(method, route, frozenset(numbers))


def every_request(request: RequestInfo) -> bool:
    """Predicate true for every request."""
    return True
