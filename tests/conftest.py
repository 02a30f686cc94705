"""Shared fixtures: the sandbox assistants API, over HTTP and in-process.

- `make_api_server(profile="faithful", faults=None, data_file=None)`: start a
  `SandboxServer` on a free loopback port; stopped when the test ends.
- `api_server`: one faithful server; parametrize the profile indirectly:
  `@pytest.mark.parametrize("api_server", ["lenient"], indirect=True)`.
- `openai_client`: `openai.OpenAI` on `api_server` (api_key "sk-test").
- `inprocess_service` / `inprocess_client`: the same API without sockets (profile
  parametrizable indirectly on `inprocess_service`).

openai is imported inside the fixtures, so collecting tests never loads it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from assistform.sandbox import AssistantsService, AssistantStore, Faults, SandboxServer

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
