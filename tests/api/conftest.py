"""Fixtures of the API edge tests: the real SDK on the project's own loopback server.

- `connect_api(server, **options)`: an `OpenAIAssistants` on `server`, with the test's
  distinctive fake key and no SDK retries unless asked;
- `scripted_server(status, body)`: a loopback server that answers every request the same,
  for the answers our sandbox never gives (a key echoed back, a very long message);
- `closed_port_url`: a loopback base URL where nothing listens.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import pytest

from assistform.api.client import OpenAIAssistants
from assistform.sandbox import AssistantsService, LoggedRequest, Response, SandboxServer

#: Distinctive, so a leak anywhere is found by a plain substring search.
FAKE_KEY = "sk-assistform-test-DO-NOT-LEAK-9f3c2b71"


class ScriptedService(AssistantsService):
    """Answers every request with one status and JSON body (and logs it like the sandbox)."""

    def __init__(self, status: int, body: Any, headers: Mapping[str, str] | None = None) -> None:
        super().__init__()
        self.status = status
        self.body = body
        self.headers = dict(headers or {})
        self.authorizations: list[str] = []

    def handle(
        self,
        method: str,
        path: str,
        query: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        body: bytes = b"",
    ) -> Response:
        lowered = {k.lower(): v for k, v in (headers or {}).items()}
        self.authorizations.append(lowered.get("authorization", ""))
        self.stats.record(LoggedRequest(method, path, "scripted", self.status))
        content = json.dumps(self.body).encode("utf-8")
        return Response(self.status, {"content-type": "application/json", **self.headers}, content)


@pytest.fixture
def connect_api() -> Iterator[Callable[..., OpenAIAssistants]]:
    import openai

    clients: list[openai.OpenAI] = []

    def connect(server_or_url: SandboxServer | str, **options: Any) -> OpenAIAssistants:
        url = server_or_url if isinstance(server_or_url, str) else server_or_url.base_url
        settings: dict[str, Any] = {"timeout": 10.0, "max_retries": 0, **options}
        client = openai.OpenAI(base_url=url, api_key=FAKE_KEY, **settings)
        clients.append(client)
        return OpenAIAssistants(client)

    yield connect
    for client in clients:
        client.close()


@pytest.fixture
def scripted_server() -> Iterator[Callable[..., SandboxServer]]:
    servers: list[SandboxServer] = []

    def make(status: int, body: Any, headers: Mapping[str, str] | None = None) -> SandboxServer:
        server = SandboxServer(ScriptedService(status, body, headers)).start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()


@pytest.fixture
def closed_port_url() -> str:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"
