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
from dataclasses import dataclass, replace
from typing import Any, Final

from assistform.sandbox import defaults, routes
from assistform.sandbox.faults import Body, FaultDecision, Faults, RequestInfo
from assistform.sandbox.file_batches import FileBatchesHandler
from assistform.sandbox.files import FilesHandler
from assistform.sandbox.handling import (
    Answer,
    Exchange,
    Raw,
    Refusal,
    checked_query,
    list_answer,
    parse_json,
)
from assistform.sandbox.knowledge_store import KnowledgeStore
from assistform.sandbox.profiles import Failure, Problem, Profile, get_profile
from assistform.sandbox.stats import LoggedRequest, RequestStats
from assistform.sandbox.store import AssistantStore
from assistform.sandbox.vector_store_files import VectorStoreFilesHandler
from assistform.sandbox.vector_stores import VectorStoresHandler

_log = logging.getLogger(__name__)

ROUTE_COLLECTION: Final = routes.ASSISTANTS
ROUTE_ITEM: Final = routes.ASSISTANT
ROUTE_UNKNOWN: Final = routes.UNKNOWN


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


class AssistantsService:
    """The sandbox's API (assistants, files, vector stores); thread-safe, one instance per
    simulated server. Files and vector stores live in `knowledge`, by default kept beside
    the assistants' data file (see `knowledge_store.py`)."""

    def __init__(
        self,
        store: AssistantStore | None = None,
        *,
        knowledge: KnowledgeStore | None = None,
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
        self.knowledge = (
            knowledge if knowledge is not None else KnowledgeStore.beside(self.store.path)
        )
        files = FilesHandler(self, self.knowledge)
        vector_stores = VectorStoresHandler(self, self.knowledge)
        vector_store_files = VectorStoreFilesHandler(self, self.knowledge)
        batches = FileBatchesHandler(self, self.knowledge)
        #: The handler of each route that is not an assistants route.
        self._handlers: dict[str, Callable[[Exchange], Answer]] = {
            **dict.fromkeys(routes.FILE_ROUTES, files.handle),
            routes.VECTOR_STORES: vector_stores.handle,
            routes.VECTOR_STORE: vector_stores.handle,
            routes.VECTOR_STORE_FILES: vector_store_files.handle,
            routes.VECTOR_STORE_FILE: vector_store_files.handle,
            **dict.fromkeys(routes.BATCH_ROUTES, batches.handle),
        }

    def handle(
        self,
        method: str,
        path: str,
        query: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        body: Body = b"",
    ) -> Response:
        """Serve one request. `path` is decoded and without the query string."""
        started = time.monotonic()
        method = method.upper()
        match = routes.match_route(path)
        route = match.route
        faults = self.faults
        if faults.latency > 0:
            self.sleep(faults.latency)
        decision = faults.decide(RequestInfo(method, path, route, body))
        exchange = Exchange(
            method,
            path,
            route,
            match.params,
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

    def _answer(self, exchange: Exchange, decision: FaultDecision) -> Response:
        try:
            if decision.throttle:
                exchange.extra_headers.update(self._retry_after_headers())
                raise Refusal(
                    Failure(
                        Problem.RATE_LIMITED,
                        defaults.RATE_LIMIT_MESSAGE,
                        code="rate_limit_exceeded",
                    )
                )
            if decision.fail:
                raise Refusal(Failure(Problem.SERVER_ERROR, defaults.SERVER_ERROR_MESSAGE))
            answer = self._serve(exchange)
            if isinstance(answer, Response):
                return answer
            if isinstance(answer, Raw):
                return self._raw(answer)
            return self._ok(answer)
        except Refusal as refusal:
            return self._failure(refusal.failure, exchange.extra_headers)
        except Exception:
            # A bug or a full disk must come back as a 500, like a real server, not kill
            # the transport thread.
            _log.exception("sandbox failed on %s %s", exchange.method, exchange.path)
            return self._failure(Failure(Problem.SERVER_ERROR, defaults.SERVER_ERROR_MESSAGE), {})

    def _serve(self, exchange: Exchange) -> Response | Answer:
        if not _authorized(exchange.headers):
            raise Refusal(Failure(Problem.UNAUTHORIZED, defaults.UNAUTHORIZED_MESSAGE))
        route = exchange.route
        if exchange.method not in routes.METHODS.get(route, frozenset()) or (
            route in routes.VECTOR_STORE_ROUTES and not self.profile.has_vector_stores
        ):
            message = defaults.invalid_url_message(exchange.method, exchange.path)
            raise Refusal(Failure(Problem.NO_ROUTE, message))
        handler = self._handlers.get(route)
        if handler is not None:
            return handler(exchange)
        if self.profile.requires_beta_header and not _has_beta(exchange.headers):
            raise Refusal(Failure(Problem.INVALID, defaults.BETA_MESSAGE, code="invalid_beta"))
        if route == ROUTE_COLLECTION:
            if exchange.method == "GET":
                return self._list(exchange.query)
            return self._create(exchange.body)
        assistant_id = exchange.params["assistant_id"]
        if exchange.method == "GET":
            return self._retrieve(assistant_id)
        if exchange.method == "POST":
            return self._modify(assistant_id, exchange.body)
        return self._delete(assistant_id)

    # --- operations ------------------------------------------------------------------

    def _create(self, raw: Body) -> Response:
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
            raise Refusal(self._not_found(assistant_id))
        return self._ok(self.profile.render(record))

    def _modify(self, assistant_id: str, raw: Body) -> Response:
        body = self._checked_body(raw, create=False)
        record = self.store.update(
            assistant_id,
            lambda fields: self.profile.modified_fields(fields, body),
            self.profile.timestamp(self.clock()),
        )
        if record is None:
            raise Refusal(self._not_found(assistant_id))
        return self._ok(self.profile.render(record))

    def _delete(self, assistant_id: str) -> Response:
        if not self.store.delete(assistant_id):
            raise Refusal(self._not_found(assistant_id))
        return self._ok({"id": assistant_id, "object": "assistant.deleted", "deleted": True})

    def _list(self, query: Mapping[str, str]) -> Response:
        return self._ok(
            list_answer(
                self,
                self.store.ordered(),
                checked_query(query),
                position_of=self.store.position_of,
                render=self.profile.render,
                noun="assistant",
            )
        )

    # --- helpers ---------------------------------------------------------------------

    def _checked_body(self, raw: Body, *, create: bool) -> Any:
        parsed = parse_json(raw)
        body, invalid = self.profile.check(parsed, create=create)
        if invalid is not None:
            raise Refusal(Failure.invalid(invalid, input=parsed))
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

    def _raw(self, answer: Raw) -> Response:
        headers = {
            "content-type": answer.content_type,
            "x-request-id": "req_" + secrets.token_hex(16),
            **self.profile.extra_headers,
        }
        return Response(200, headers, answer.body)

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
