"""Files, vector stores and their bytes persist beside the sandbox's data file: a new
process (a new client or server on the same file) sees exactly what the last one left."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import openai
import pytest

from assistform.sandbox import Faults, SandboxDataError, SandboxServer
from assistform.sandbox.inprocess import sandbox_client, service_of
from assistform.sandbox.knowledge_store import KnowledgeStore, StoredFile

from .clients import loopback_client


def _everything(client: openai.OpenAI, store_id: str, batch_id: str) -> dict[str, Any]:
    """What a client reads of the files, a store, its files and one of its batches."""
    return {
        "files": [f.model_dump() for f in client.files.list()],
        "store": client.vector_stores.retrieve(store_id).model_dump(),
        "attached": [f.model_dump() for f in client.vector_stores.files.list(store_id)],
        "batch": client.vector_stores.file_batches.retrieve(
            batch_id, vector_store_id=store_id
        ).model_dump(),
    }


def test_a_new_client_on_the_same_file_sees_everything(tmp_path: Path) -> None:
    data = tmp_path / ".assistform" / "sandbox.json"
    first = sandbox_client(data, faults=Faults(processing_seconds=0.0, fail_files="*.bad"))
    kept = first.files.create(file=("kept.md", io.BytesIO(b"kept bytes")), purpose="user_data")
    gone = first.files.create(file=("gone.md", io.BytesIO(b"gone")), purpose="assistants")
    bad = first.files.create(file=("x.bad", io.BytesIO(b"?")), purpose="assistants")
    store = first.vector_stores.create(
        name="kb", description="d", metadata={"t": "1"}, file_ids=[kept.id]
    )
    batch = first.vector_stores.file_batches.create(
        store.id, files=[{"file_id": bad.id, "attributes": {"n": 1}}]
    )
    first.files.delete(gone.id)
    before = _everything(first, store.id, batch.id)
    first.close()
    assert (data.parent / "sandbox.knowledge.jsonl").is_file()
    assert sorted(p.name for p in (data.parent / "sandbox.blobs").iterdir()) == sorted(
        [kept.id, bad.id]
    )

    second = sandbox_client(data)
    after = _everything(second, store.id, batch.id)
    assert after == before
    assert after["store"]["file_counts"] == {
        "cancelled": 0,
        "completed": 1,
        "failed": 1,
        "in_progress": 0,
        "total": 2,
    }
    assert second.files.content(kept.id).read() == b"kept bytes"
    assert service_of(second).knowledge.get_vector_store(store.id).description == "d"


def test_a_restarted_server_serves_the_same_files(tmp_path: Path) -> None:
    data = tmp_path / "sandbox.json"
    with SandboxServer(data_file=data) as server:
        client = loopback_client(server.base_url)
        created = client.files.create(file=("a.md", io.BytesIO(b"a" * 1000)), purpose="assistants")
        store = client.vector_stores.create(file_ids=[created.id])
        client.close()
    with SandboxServer(data_file=data) as server:
        client = loopback_client(server.base_url)
        assert [f.id for f in client.files.list()] == [created.id]
        assert [f.id for f in client.vector_stores.files.list(store.id)] == [created.id]
        client.close()


def test_a_cursor_naming_a_deleted_store_still_works_after_a_restart(tmp_path: Path) -> None:
    data = tmp_path / "sandbox.json"
    first = sandbox_client(data)
    ids = [first.vector_stores.create().id for _ in range(3)]
    first.vector_stores.delete(ids[1])
    second = sandbox_client(data)
    page = second.vector_stores.list(after=ids[1], order="asc")
    assert [s.id for s in page.data] == [ids[2]]


def test_the_journal_is_compacted_and_reloads_the_same(tmp_path: Path) -> None:
    journal = tmp_path / "k.jsonl"
    store = KnowledgeStore(journal)
    for round_ in range(200):
        store.put(
            StoredFile(f"file-{round_ % 5}", round_, store.next_seq(), round_, "f", "assistants")
        )
    lines = journal.read_text().splitlines()
    assert len(lines) <= 256 + 1
    reloaded = KnowledgeStore(journal)
    assert reloaded.all(StoredFile) == store.all(StoredFile)
    assert [f.bytes for f in reloaded.all(StoredFile)] == [195, 196, 197, 198, 199]


def test_a_line_cut_short_by_a_kill_is_dropped(tmp_path: Path) -> None:
    journal = tmp_path / "k.jsonl"
    store = KnowledgeStore(journal)
    store.put(StoredFile("file-a", 1, store.next_seq(), 1, "a", "assistants"))
    with journal.open("a") as handle:
        handle.write('{"put":"file","record":{"id":"file-b"')
    reloaded = KnowledgeStore(journal)
    assert [f.id for f in reloaded.all(StoredFile)] == ["file-a"]
    # The cut line is gone for good: the next change does not land after it.
    reloaded.put(StoredFile("file-c", 2, reloaded.next_seq(), 1, "c", "assistants"))
    assert [f.id for f in KnowledgeStore(journal).all(StoredFile)] == ["file-a", "file-c"]


def test_a_corrupt_journal_is_a_clear_error(tmp_path: Path) -> None:
    journal = tmp_path / "k.jsonl"
    journal.write_text(json.dumps({"format": 99}) + "\n")
    with pytest.raises(SandboxDataError, match="not valid"):
        KnowledgeStore(journal)


def test_many_records_are_one_append(tmp_path: Path) -> None:
    journal = tmp_path / "k.jsonl"
    store = KnowledgeStore(journal)
    store.put_many(
        [StoredFile(f"file-{i}", 1, store.next_seq(), 1, "f", "assistants") for i in range(100)]
    )
    assert len(journal.read_text().splitlines()) == 101  # the format line, then the records
    store.remove_many(store.all(StoredFile)[:40])
    assert len(KnowledgeStore(journal).all(StoredFile)) == 60
