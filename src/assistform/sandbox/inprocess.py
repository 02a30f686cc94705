"""The sandbox without sockets: an `httpx2` transport that calls the service directly.

For fast tests and for the CLI's `--sandbox`. This is the only sandbox module that
imports `openai` / `httpx2`; keep it that way, so `assistform validate` never pays for it.

Faults behave as over HTTP, translated to what httpx2 would raise: a lost answer is a
`RemoteProtocolError` after the change is stored; a slow answer longer than the request's
read timeout waits that timeout, then raises `ReadTimeout` (the change is stored too).
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Callable
from pathlib import Path

import httpx2
import openai

from assistform.sandbox.faults import Faults
from assistform.sandbox.profiles import Profile
from assistform.sandbox.service import AssistantsService
from assistform.sandbox.store import AssistantStore

#: Base URL of in-process clients; never resolved, the transport answers everything.
BASE_URL = "http://sandbox.invalid/v1"
API_KEY = "sk-sandbox"

_services: weakref.WeakKeyDictionary[openai.OpenAI, AssistantsService] = weakref.WeakKeyDictionary()


class SandboxTransport(httpx2.BaseTransport):
    """Answers httpx2 requests from an `AssistantsService`, in the calling thread."""

    def __init__(
        self, service: AssistantsService, *, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        self.service = service
        self._sleep = sleep

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        response = self.service.handle(
            request.method,
            request.url.path,
            dict(request.url.params.items()),
            dict(request.headers.items()),
            _body(request),
        )
        if response.drop_connection:
            raise httpx2.RemoteProtocolError(
                "Server disconnected without sending a response.", request=request
            )
        if response.delay > 0:
            read_timeout = _read_timeout(request)
            if read_timeout is not None and response.delay > read_timeout:
                self._sleep(read_timeout)
                raise httpx2.ReadTimeout("timed out", request=request)
            self._sleep(response.delay)
        return httpx2.Response(
            response.status,
            headers=dict(response.headers),
            content=response.body,
            request=request,
        )


def _body(request: httpx2.Request) -> bytes | bytearray:
    """The request's body. A streamed one of known length (an upload from a file) is copied
    once into a buffer of that length: `request.read()` would join a list of its chunks and
    so hold it twice."""
    length = request.headers.get("content-length", "")
    if isinstance(request.stream, httpx2.ByteStream) or not length.isdigit():
        return request.read()
    buffer = bytearray(int(length))
    filled = 0
    for chunk in request.stream:  # type: ignore[union-attr]
        end = filled + len(chunk)
        if end <= len(buffer):
            buffer[filled:end] = chunk  # same size: no reallocation
        else:
            # The length announced was wrong: what was sent is what counts.
            del buffer[filled:]
            buffer += chunk
        filled = end
    del buffer[filled:]
    return buffer


def _read_timeout(request: httpx2.Request) -> float | None:
    timeouts = request.extensions.get("timeout")
    if isinstance(timeouts, dict):
        value = timeouts.get("read")
        if isinstance(value, int | float):
            return float(value)
    return None


def connect(
    service: AssistantsService,
    *,
    max_retries: int = openai.DEFAULT_MAX_RETRIES,
    timeout: float | None = None,
) -> openai.OpenAI:
    """An SDK client whose every request is answered in-process by `service`."""
    http_client = httpx2.Client(transport=SandboxTransport(service), base_url=BASE_URL)
    client = openai.OpenAI(
        api_key=API_KEY,
        base_url=BASE_URL,
        http_client=http_client,
        max_retries=max_retries,
        timeout=openai.DEFAULT_TIMEOUT if timeout is None else timeout,
    )
    _services[client] = service
    return client


def sandbox_client(
    data_file: Path | None = None,
    *,
    profile: str | Profile = "faithful",
    faults: Faults | None = None,
    max_retries: int = openai.DEFAULT_MAX_RETRIES,
    timeout: float | None = None,
) -> openai.OpenAI:
    """An SDK client on a fresh in-process sandbox, kept in `data_file` if given.

    `service_of(client)` reaches the service behind it (store, stats, faults).
    """
    service = AssistantsService(AssistantStore(data_file), profile=profile, faults=faults)
    return connect(service, max_retries=max_retries, timeout=timeout)


def service_of(client: openai.OpenAI) -> AssistantsService:
    """The service behind a client made by `connect` or `sandbox_client`."""
    try:
        return _services[client]
    except KeyError:
        raise TypeError("not an in-process sandbox client") from None
