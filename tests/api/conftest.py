"""Fixtures of the API edge tests: the real SDK on the project's own loopback server.

- `connect_api(server, policy=ONE_TRY, clock=None, **options)`: an `OpenAIAssistants` on
  `server`, with the test's distinctive fake key, trying each request once unless a
  `policy` says otherwise (other `options` go to the SDK client);
(`scripted_server` and `closed_port_url` come from tests/conftest.py.)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from assistform.api.client import OpenAIAssistants
from assistform.api.retry import Clock, RetryPolicy
from assistform.sandbox import SandboxServer

#: Distinctive, so a leak anywhere is found by a plain substring search.
FAKE_KEY = "sk-assistform-test-DO-NOT-LEAK-9f3c2b71"
#: No retries: an error test sees the first answer.
ONE_TRY = RetryPolicy(max_tries=1)


class FakeClock(Clock):
    """Time that moves only when slept; draws always `draw`."""

    def __init__(self, draw: float = 0.5) -> None:
        self.t = 100.0
        self.slept: list[float] = []
        super().__init__(now=lambda: self.t, sleep=self._sleep, draw=lambda: draw)

    def _sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.t += seconds


@pytest.fixture
def connect_api() -> Iterator[Callable[..., OpenAIAssistants]]:
    import openai

    clients: list[openai.OpenAI] = []

    def connect(
        server_or_url: SandboxServer | str,
        *,
        policy: RetryPolicy = ONE_TRY,
        clock: Clock | None = None,
        **options: Any,
    ) -> OpenAIAssistants:
        url = server_or_url if isinstance(server_or_url, str) else server_or_url.base_url
        settings: dict[str, Any] = {"timeout": 10.0, "max_retries": 0, **options}
        client = openai.OpenAI(base_url=url, api_key=FAKE_KEY, **settings)
        clients.append(client)
        return OpenAIAssistants(client, policy=policy, clock=clock)

    yield connect
    for client in clients:
        client.close()
