"""The /v1/assistants contract as a transport-free request handler.

`AssistantsService.handle` takes a request as plain values and returns a `Response`; the
HTTP server (`http.py`) and the in-process transport (`inprocess.py`) only move bytes.
Faults are decided here too, but a lost or late answer is the transport's to carry out,
so `Response` only says so (`drop_connection`, `delay`).
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Final

from assistform.sandbox import defaults
from assistform.sandbox.faults import FaultDecision, Faults, RequestInfo
from assistform.sandbox.pagination import paginate
from assistform.sandbox.profiles import Failure, Problem, Profile, get_profile
from assistform.sandbox.stats import LoggedRequest, RequestStats
from assistform.sandbox.store import AssistantStore
from assistform.sandbox.validation import Invalid, ListQuery, validate_list_query

_log = logging.getLogger(__name__)

ROUTE_COLLECTION: Final = "/v1/assistants"
ROUTE_ITEM: Final = "/v1/assistants/{assistant_id}"
ROUTE_UNKNOWN: Final = "unknown"

_METHODS: Final[Mapping[str, frozenset[str]]] = {
    ROUTE_COLLECTION: frozenset({"GET", "POST"}),
    ROUTE_ITEM: frozenset({"GET", "POST", "DELETE"}),
}


@dataclass(frozen=True)
class Response:
    """What to answer. Adapters add `Content-Length`; `drop_connection` means: write
    nothing and close; `delay` means: hold the answer back this many seconds."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    drop_connection: bool = False
    delay: float = 0.0

    def json(self) -> Any:
        return json.loads(self.body)


def match_route(path: str) -> tuple[str, str | None]:
    """(route template, assistant id or None) of a decoded path."""
    if path == ROUTE_COLLECTION:
        return ROUTE_COLLECTION, None
    prefix = ROUTE_COLLECTION + "/"
    if path.startswith(prefix):
        assistant_id = path[len(prefix) :]
        if assistant_id and "/" not in assistant_id:
            return ROUTE_ITEM, assistant_id
    return ROUTE_UNKNOWN, None


class _Refusal(Exception):
    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.message)
        self.failure = failure


@dataclass
class _Exchange:
    """One request being served, as the handlers need it."""

    method: str
    path: str
    route: str
    assistant_id: str | None
    query: Mapping[str, str]
    headers: Mapping[str, str]
    body: bytes
    extra_headers: dict[str, str] = field(default_factory=dict)


class AssistantsService:
    """The sandbox's assistants API; thread-safe, one instance per simulated server."""

    def __init__(
        self,
        store: AssistantStore | None = None,
        *,
        profile: str | Profile = "faithful",
        faults: Faults | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        on_request: Callable[[LoggedRequest], None] | None = None,
    ) -> None:
        self.store = store if store is not None else AssistantStore()
        self.profile = get_profile(profile)
        self.faults = faults if faults is not None else Faults()
        self.stats = RequestStats(on_request)
        self.clock = clock
        self.sleep = sleep

    def handle(
        self,
        method: str,
        path: str,
        query: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        body: bytes = b"",
    ) -> Response:
        """Serve one request. `path` is decoded and without the query string."""
        started = time.monotonic()
        method = method.upper()
        route, assistant_id = match_route(path)
        faults = self.faults
        if faults.latency > 0:
            self.sleep(faults.latency)
        decision = faults.decide(RequestInfo(method, path, route, body))
        exchange = _Exchange(
            method,
            path,
            route,
            assistant_id,
            dict(query or {}),
            {k.lower(): v for k, v in (headers or {}).items()},
            body,
        )
        response = self._answer(exchange, decision)
        response = replace(response, drop_connection=decision.lose_answer, delay=decision.delay)
        self.stats.record(
            LoggedRequest(
                method=method,
                path=path,
                route=route,
                status=response.status,
                fault=_fault_name(decision),
                seconds=time.monotonic() - started,
            )
        )
        return response

    # --- dispatch --------------------------------------------------------------------

    def _answer(self, exchange: _Exchange, decision: FaultDecision) -> Response:
        try:
            if decision.throttle:
                exchange.extra_headers.update(self._retry_after_headers())
                raise _Refusal(
                    Failure(
                        Problem.RATE_LIMITED,
                        defaults.RATE_LIMIT_MESSAGE,
                        code="rate_limit_exceeded",
                    )
                )
            if decision.fail:
                raise _Refusal(Failure(Problem.SERVER_ERROR, defaults.SERVER_ERROR_MESSAGE))
            return self._serve(exchange)
        except _Refusal as refusal:
            return self._failure(refusal.failure, exchange.extra_headers)
        except Exception:
            # A bug or a full disk must come back as a 500, like a real server, not kill
            # the transport thread.
            _log.exception("sandbox failed on %s %s", exchange.method, exchange.path)
            return self._failure(Failure(Problem.SERVER_ERROR, defaults.SERVER_ERROR_MESSAGE), {})

    def _serve(self, exchange: _Exchange) -> Response:
        if not _authorized(exchange.headers):
            raise _Refusal(Failure(Problem.UNAUTHORIZED, defaults.UNAUTHORIZED_MESSAGE))
        if exchange.method not in _METHODS.get(exchange.route, frozenset()):
            message = defaults.invalid_url_message(exchange.method, exchange.path)
            raise _Refusal(Failure(Problem.NO_ROUTE, message))
        if self.profile.requires_beta_header and not _has_beta(exchange.headers):
            raise _Refusal(Failure(Problem.INVALID, defaults.BETA_MESSAGE, code="invalid_beta"))
        if exchange.route == ROUTE_COLLECTION:
            if exchange.method == "GET":
                return self._list(exchange.query)
            return self._create(exchange.body)
        assert exchange.assistant_id is not None
        if exchange.method == "GET":
            return self._retrieve(exchange.assistant_id)
        if exchange.method == "POST":
            return self._modify(exchange.assistant_id, exchange.body)
        return self._delete(exchange.assistant_id)

    # --- operations ------------------------------------------------------------------

    def _create(self, raw: bytes) -> Response:
        body = self._checked_body(raw, create=True)
        record = self.store.add(
            self.profile.new_id(),
            self.profile.timestamp(self.clock()),
            self.profile.new_fields(body),
        )
        return self._ok(self.profile.render(record))

    def _retrieve(self, assistant_id: str) -> Response:
        record = self.store.get(assistant_id)
        if record is None:
            raise _Refusal(self._not_found(assistant_id))
        return self._ok(self.profile.render(record))

    def _modify(self, assistant_id: str, raw: bytes) -> Response:
        body = self._checked_body(raw, create=False)
        record = self.store.update(
            assistant_id,
            lambda fields: self.profile.modified_fields(fields, body),
            self.profile.timestamp(self.clock()),
        )
        if record is None:
            raise _Refusal(self._not_found(assistant_id))
        return self._ok(self.profile.render(record))

    def _delete(self, assistant_id: str) -> Response:
        if not self.store.delete(assistant_id):
            raise _Refusal(self._not_found(assistant_id))
        return self._ok({"id": assistant_id, "object": "assistant.deleted", "deleted": True})

    def _list(self, query: Mapping[str, str]) -> Response:
        parsed = validate_list_query(query)
        if isinstance(parsed, Invalid):
            raise _Refusal(
                Failure.invalid(parsed, location="query", input=query.get(str(parsed.path[0])))
            )
        cursors = not self.profile.ignores_list_cursors
        page = paginate(
            self.store.ordered(),
            limit=parsed.limit,
            descending=parsed.descending,
            after=self._cursor(parsed, "after") if cursors else None,
            before=self._cursor(parsed, "before") if cursors else None,
            repeat_cursor_within_second=self.profile.repeats_cursor_within_second,
        )
        data = [self.profile.render(r) for r in page.items]
        return self._ok(self.profile.list_body(data, page.has_more))

    def _cursor(self, query: ListQuery, name: str) -> tuple[float, int] | None:
        assistant_id: str | None = getattr(query, name)
        if assistant_id is None:
            return None
        position = self.store.position_of(assistant_id)
        if position is None:
            raise _Refusal(
                Failure(
                    Problem.INVALID,
                    f"Invalid '{name}': no assistant found with id '{assistant_id}'.",
                    (name,),
                    "invalid_value",
                    location="query",
                    input=assistant_id,
                )
            )
        return position

    # --- helpers ---------------------------------------------------------------------

    def _checked_body(self, raw: bytes, *, create: bool) -> Any:
        try:
            parsed = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
        except ValueError:
            raise _Refusal(
                Failure(
                    Problem.INVALID,
                    defaults.INVALID_JSON_MESSAGE,
                    input=raw.decode("utf-8", "replace"),
                )
            ) from None
        body, invalid = self.profile.check(parsed, create=create)
        if invalid is not None:
            raise _Refusal(Failure.invalid(invalid, input=parsed))
        return body

    def _not_found(self, assistant_id: str) -> Failure:
        return Failure(Problem.NOT_FOUND, defaults.not_found_message(assistant_id))

    def _retry_after_headers(self) -> dict[str, str]:
        headers = {"retry-after": str(self.faults.retry_after)}
        if self.faults.retry_after_ms is not None:
            headers["retry-after-ms"] = str(self.faults.retry_after_ms)
        return headers

    def _ok(self, payload: Mapping[str, Any]) -> Response:
        return self._response(200, payload, {})

    def _failure(self, failure: Failure, extra_headers: Mapping[str, str]) -> Response:
        return self._response(
            self.profile.status_of(failure.problem),
            self.profile.error_body(failure),
            extra_headers,
        )

    def _response(
        self, status: int, payload: Mapping[str, Any], extra_headers: Mapping[str, str]
    ) -> Response:
        headers = {
            "content-type": "application/json",
            "x-request-id": "req_" + secrets.token_hex(16),
            **self.profile.extra_headers,
            **extra_headers,
        }
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        return Response(status, headers, body)


def _authorized(headers: Mapping[str, str]) -> bool:
    scheme, _, token = headers.get("authorization", "").strip().partition(" ")
    return scheme.lower() == "bearer" and bool(token.strip())


def _has_beta(headers: Mapping[str, str]) -> bool:
    values = (v.strip() for v in headers.get(defaults.BETA_HEADER, "").split(","))
    return defaults.BETA_VALUE in values


def _reject_constant(name: str) -> Any:
    # NaN and Infinity are not JSON, though Python's parser takes them by default.
    raise ValueError(f"{name} is not valid JSON")


def _fault_name(decision: FaultDecision) -> str | None:
    if decision.throttle:
        return "throttled"
    if decision.fail:
        return "server_error"
    if decision.lose_answer:
        return "lost_answer"
    if decision.delay > 0:
        return "slow_reply"
    return None
