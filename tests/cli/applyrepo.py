"""A repository of specs, a sandbox server behind it, and ways to run the CLI on both.

Shared by the tests of `apply`, `state` and `force-unlock`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from assistform.api.client import OpenAIAssistants
from assistform.cli.main import cli
from assistform.ownership import tag_of
from assistform.plan.live import LiveAssistant
from assistform.plan.model import Plan
from assistform.sandbox import Faults, SandboxServer
from assistform.state import State
from assistform.workspace import Workspace

#: Fast retries for every run a test starts (production waits up to 60 s).
FAST = ("--retry-base-delay", "0.01", "--max-retry-seconds", "20")


@dataclass
class Repo:
    root: Path
    server: SandboxServer
    api: OpenAIAssistants

    def write(self, key: str, **fields: Any) -> None:
        spec = {"model": "gpt-4o", "name": f"Bot {key}", "instructions": f"You are {key}."}
        spec.update(fields)
        path = self.root / "assistants" / f"{key}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(spec), encoding="utf-8")  # JSON is YAML

    def write_many(self, count: int) -> list[str]:
        keys = [f"team/bot{i:03d}" for i in range(count)]
        for key in keys:
            self.write(key)
        return keys

    def remove(self, key: str) -> None:
        (self.root / "assistants" / f"{key}.yaml").unlink()

    @property
    def workspace(self) -> Workspace:
        return Workspace.discover(self.root)

    def state(self) -> State:
        return self.workspace.state_file.load()

    def live(self) -> list[LiveAssistant]:
        faults, self.server.faults = self.server.faults, Faults()
        try:
            return self.api.list_all().assistants
        finally:
            self.server.faults = faults

    def plan(self) -> Plan:
        faults, self.server.faults = self.server.faults, Faults()
        try:
            return self.workspace.plan(self.api)
        finally:
            self.server.faults = faults

    def env(self) -> dict[str, str]:
        return {"OPENAI_BASE_URL": self.server.base_url, "OPENAI_API_KEY": "sk-test"}

    def run(self, *args: str, input: str | None = None) -> Result:
        """The CLI in this process (CliRunner: stdin and stdout are not terminals)."""
        return CliRunner(env=self.env()).invoke(cli, list(args), input=input)

    def spawn(self, *args: str, **kwargs: Any) -> subprocess.Popen[str]:
        """The CLI as a real process, as CI runs it."""
        return subprocess.Popen(
            [sys.executable, "-m", "assistform", *args],
            cwd=self.root,
            env={**os.environ, **self.env()},
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            **kwargs,
        )

    def assert_converged(self, keys: list[str]) -> None:
        """One live assistant per spec, no untagged leftovers, state = live, a clean plan."""
        live = self.live()
        tags = [tag_of(a.raw.get("metadata")) for a in live]
        assert None not in tags, "no untagged leftovers"
        assert sorted(t.key for t in tags if t) == sorted(keys), "one live assistant per spec"
        assert {k: r.id for k, r in self.state().resources.items()} == {
            t.key: a.id for t, a in zip(tags, live, strict=True) if t
        }, "the state names exactly the live assistants"
        plan = self.plan()
        assert not plan.writes_state, [
            (c.key, c.action.value) for c in plan.resource_changes if c.writes_state
        ]


def repo_factory(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    make_api_server: Callable[..., SandboxServer],
) -> Iterator[Callable[..., Repo]]:
    """The body of a `make_repo` fixture: `make(profile=, faults=)` -> a `Repo` in cwd."""
    import openai

    clients: list[openai.OpenAI] = []
    monkeypatch.delenv("ASSISTFORM_ENV", raising=False)

    def make(*, profile: str = "faithful", faults: Faults | None = None) -> Repo:
        root = tmp_path / "repo"
        (root / "assistants").mkdir(parents=True)
        monkeypatch.chdir(root)
        server = make_api_server(profile=profile, faults=faults)
        client = openai.OpenAI(base_url=server.base_url, api_key="sk-test", timeout=10)
        clients.append(client)
        return Repo(root, server, OpenAIAssistants(client))

    yield make
    for client in clients:
        client.close()
