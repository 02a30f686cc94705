"""Fixtures of the apply tests: `make_world(profile=, faults=, timeout=)` and `world`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from assistform.api.client import OpenAIAssistants
from assistform.sandbox import Faults, SandboxServer
from assistform.state import State, StateFile

from .knowledgeworld import KnowledgeWorld
from .world import FAST_RETRIES, World


@pytest.fixture
def make_world(
    make_api_server: Callable[..., SandboxServer], tmp_path: Path
) -> Iterator[Callable[..., World]]:
    import openai

    clients: list[openai.OpenAI] = []

    def make(
        *, profile: str = "faithful", faults: Faults | None = None, timeout: float = 10.0
    ) -> World:
        server = make_api_server(profile=profile, faults=faults)
        # The SDK's retries are left on here: the client must turn them off itself.
        client = openai.OpenAI(
            base_url=server.base_url, api_key="sk-test", timeout=timeout, max_retries=2
        )
        clients.append(client)
        api = OpenAIAssistants(client, policy=FAST_RETRIES)
        return World(server, api, StateFile(tmp_path / "state" / "assistform.json"))

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def world(make_world: Callable[..., World]) -> World:
    return make_world()


@pytest.fixture
def make_knowledge(
    make_world: Callable[..., World], tmp_path: Path
) -> Callable[..., KnowledgeWorld]:
    def make(**kwargs: object) -> KnowledgeWorld:
        root = tmp_path / "repo"
        root.mkdir(exist_ok=True)
        world = make_world(**kwargs)
        world.state_file.ensure_saved(State())  # one lineage for the hand-made tags
        return KnowledgeWorld(world, root)

    return make
