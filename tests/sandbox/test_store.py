"""Storage: the JSON data file, atomic writes, restarts, and concurrent requests."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from pathlib import Path

import openai
import pytest

from assistform.sandbox import AssistantStore, SandboxDataError, SandboxServer
from assistform.sandbox.inprocess import sandbox_client, service_of

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def test_changes_survive_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "data.json"
    store = AssistantStore(path)
    kept = store.add("asst_1", 100, {"model": "m", "name": "a"})
    gone = store.add("asst_2", 100, {"model": "m"})
    store.update(kept.id, lambda f: {**f, "name": "b"}, updated_at=200)
    store.delete(gone.id)

    reopened = AssistantStore(path)
    assert reopened.ordered() == store.ordered()
    record = reopened.get("asst_1")
    assert record is not None and record.fields["name"] == "b" and record.updated_at == 200
    # The deleted one still anchors list cursors, and ids keep counting up.
    assert reopened.position_of("asst_2") == (100, 2)
    assert reopened.add("asst_3", 100, {}).seq == 3
    assert [p.name for p in tmp_path.iterdir()] == ["data.json"]  # no temp files left


def test_the_file_is_plain_json(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "data.json"
    AssistantStore(path).add("asst_1", 1, {"model": "m"})
    document = json.loads(path.read_text())
    assert document["format"] == 1
    assert [a["id"] for a in document["assistants"]] == ["asst_1"]


def test_a_failed_write_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "data.json"
    store = AssistantStore(path)
    store.add("asst_1", 1, {"model": "m"})
    before = path.read_bytes()

    def broken_replace(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(SandboxDataError, match="No space left"):
        store.add("asst_2", 2, {"model": "m"})
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["data.json"]


@pytest.mark.parametrize(
    "content", ["{", "[]", '{"format": 99}', '{"format": 1, "assistants": [{}]}']
)
def test_a_corrupt_file_is_refused(tmp_path: Path, content: str) -> None:
    path = tmp_path / "data.json"
    path.write_text(content)
    with pytest.raises(SandboxDataError, match="not valid"):
        AssistantStore(path)


def test_an_empty_or_missing_file_is_an_empty_store(tmp_path: Path) -> None:
    empty = tmp_path / "empty.json"
    empty.write_text("")
    assert len(AssistantStore(empty)) == 0
    assert len(AssistantStore(tmp_path / "missing.json")) == 0
    assert not (tmp_path / "missing.json").exists()


def test_concurrent_creates_over_http(
    tmp_path: Path, make_api_server: Callable[..., SandboxServer]
) -> None:
    path = tmp_path / "data.json"
    server = make_api_server(data_file=path)
    errors: list[BaseException] = []

    def work() -> None:
        client = openai.OpenAI(base_url=server.base_url, api_key="sk-test", max_retries=0)
        try:
            for _ in range(6):
                created = client.beta.assistants.create(model="gpt-4o")
                client.beta.assistants.update(created.id, name=created.id)
        except BaseException as exc:  # reported below, with the failing thread's error
            errors.append(exc)
        finally:
            client.close()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    records = AssistantStore(path).ordered()
    assert len(records) == 24
    assert all(r.fields["name"] == r.id for r in records)
    assert sorted(r.seq for r in records) == list(range(1, 25))


def test_inprocess_client_keeps_its_data_file(tmp_path: Path) -> None:
    path = tmp_path / "data.json"
    first = sandbox_client(path)
    created = first.beta.assistants.create(model="gpt-4o", name="kept")
    first.close()
    second = sandbox_client(path)
    assert second.beta.assistants.retrieve(created.id).name == "kept"
    assert len(service_of(second).store) == 1
    with pytest.raises(TypeError):
        service_of(openai.OpenAI(api_key="k"))
