"""Shared fixtures: the sandbox assistants API, over HTTP and in-process.

- `make_api_server(profile="faithful", faults=None, data_file=None)`: start a
  `SandboxServer` on a free loopback port; stopped when the test ends.
- `api_server`: one faithful server; parametrize the profile indirectly:
  `@pytest.mark.parametrize("api_server", ["lenient"], indirect=True)`.
- `openai_client`: `openai.OpenAI` on `api_server` (api_key "sk-test").
- `inprocess_service` / `inprocess_client`: the same API without sockets (profile
  parametrizable indirectly on `inprocess_service`).

- `scripted_server(status, body, headers=None)`: a loopback server that answers every
  request the same, for answers our sandbox never gives (a key echoed back, odd bodies);
- `closed_port_url`: a loopback base URL where nothing listens.

openai is imported inside the fixtures, so collecting tests never loads it.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from assistform.sandbox import AssistantsService, AssistantStore, Faults, SandboxServer
from doubles import ScriptedService

if TYPE_CHECKING:
    import openai

#: Generous, so a hung server fails the test instead of hanging the run.
CLIENT_TIMEOUT_SECONDS = 10.0


@pytest.fixture
def make_api_server() -> Iterator[Callable[..., SandboxServer]]:
    servers: list[SandboxServer] = []

    def make(
        *,
        profile: str = "faithful",
        faults: Faults | None = None,
        data_file: Path | None = None,
    ) -> SandboxServer:
        server = SandboxServer(profile=profile, faults=faults, data_file=data_file).start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()


@pytest.fixture
def api_server(
    request: pytest.FixtureRequest, make_api_server: Callable[..., SandboxServer]
) -> SandboxServer:
    return make_api_server(profile=getattr(request, "param", "faithful"))


@pytest.fixture
def openai_client(api_server: SandboxServer) -> Iterator[openai.OpenAI]:
    import openai

    client = openai.OpenAI(
        base_url=api_server.base_url,
        api_key="sk-test",
        timeout=CLIENT_TIMEOUT_SECONDS,
        # The SDK's own HTTP client, minus CA certificates: the sandbox speaks plain HTTP,
        # and loading them costs ~25 ms a client.
        http_client=openai.DefaultHttpxClient(verify=False),
    )
    yield client
    client.close()


@pytest.fixture
def inprocess_service(request: pytest.FixtureRequest) -> AssistantsService:
    return AssistantsService(AssistantStore(), profile=getattr(request, "param", "faithful"))


@pytest.fixture
def inprocess_client(inprocess_service: AssistantsService) -> Iterator[openai.OpenAI]:
    from assistform.sandbox.inprocess import connect

    client = connect(inprocess_service, timeout=CLIENT_TIMEOUT_SECONDS)
    yield client
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
