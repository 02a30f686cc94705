"""`connect`: the API key comes from the environment and goes to the SDK only."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from assistform.api.connect import ServerOptions, connect
from assistform.errors import UsageError
from assistform.sandbox import SandboxServer

from .conftest import FAKE_KEY


def test_no_key_is_a_usage_error_naming_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TEAM_KEY", raising=False)
    with pytest.raises(UsageError, match=r"no API key: set TEAM_KEY .* or use --sandbox"):
        connect(ServerOptions(api_key_env="TEAM_KEY", base_url="http://127.0.0.1:9/v1"), tmp_path)


def test_the_key_is_read_from_the_named_variable_and_sent_as_bearer(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    scripted_server: Callable[..., SandboxServer],
) -> None:
    server = scripted_server(200, {"object": "list", "data": [], "has_more": False})
    monkeypatch.setenv("TEAM_KEY", FAKE_KEY)
    api = connect(ServerOptions(api_key_env="TEAM_KEY", base_url=server.base_url), tmp_path)
    assert api.list_all().assistants == []
    assert server.service.authorizations == [f"Bearer {FAKE_KEY}"]


def test_the_sandbox_needs_no_key_and_keeps_its_data_under_dot_assistform(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    api = connect(ServerOptions(sandbox=True), tmp_path)
    created = api.create({"model": "gpt-4o"})
    assert [a.id for a in api.list_all().assistants] == [created.id]
    assert created.id in (tmp_path / ".assistform" / "sandbox.json").read_text(encoding="utf-8")
