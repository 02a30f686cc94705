"""Fixtures of the API edge tests: the real SDK on the project's own loopback server.

- `connect_api(server, **options)`: an `OpenAIAssistants` on `server`, with the test's
  distinctive fake key and no SDK retries unless asked;
(`scripted_server` and `closed_port_url` come from tests/conftest.py.)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from assistform.api.client import OpenAIAssistants
from assistform.sandbox import SandboxServer

#: Distinctive, so a leak anywhere is found by a plain substring search.
FAKE_KEY = "sk-assistform-test-DO-NOT-LEAK-9f3c2b71"


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
