"""/v1/vector_stores/{id}/file_batches through the real openai SDK, over loopback HTTP
and in-process, every answer checked against the official schemas."""

from __future__ import annotations

from typing import Any

import openai
import pytest

from assistform.sandbox.faults import Faults
from assistform.sandbox.knowledge_validation import validate_batch_create

from .conftest import Connected
from .knowledge import SchemaCheck, refusal, upload, wire

STATIC = {"type": "static", "static": {"max_chunk_size_tokens": 400, "chunk_overlap_tokens": 200}}


def test_a_batch_of_file_ids_shares_attributes_and_completes(
    connected: Connected, assert_schema: SchemaCheck
) -> None:
    store = connected.client.vector_stores.create(name="kb").id
    file_ids = [upload(connected, f"{i}.md") for i in range(3)]
    body = {"file_ids": file_ids, "attributes": {"k": "v"}, "chunking_strategy": STATIC}
    assert_schema("CreateVectorStoreFileBatchRequest", body)
    batch = wire(
        connected.client.vector_stores.file_batches.with_raw_response.create(store, **body)  # type: ignore[arg-type]
    )
    assert_schema("VectorStoreFileBatchObject", batch)
    assert batch == {
        "id": batch["id"],
        "object": "vector_store.files_batch",
        "created_at": int(connected.clock.now),
        "vector_store_id": store,
        "status": "in_progress",
        "file_counts": {"in_progress": 3, "completed": 0, "failed": 0, "cancelled": 0, "total": 3},
    }
    assert batch["id"].startswith("vsfb_")
    connected.clock.step(connected.service.faults.processing_seconds)
    done = connected.client.vector_stores.file_batches.retrieve(batch["id"], vector_store_id=store)
    assert (done.status, done.file_counts.completed) == ("completed", 3)
    listed = wire(
        connected.client.vector_stores.file_batches.with_raw_response.list_files(
            batch["id"], vector_store_id=store, order="asc"
        )
    )
    assert_schema("ListVectorStoreFilesResponse", listed)
    assert [f["id"] for f in listed["data"]] == file_ids
    assert {
        (f["attributes"]["k"], f["chunking_strategy"]["static"]["max_chunk_size_tokens"])
        for f in listed["data"]
    } == {("v", 400)}


def test_files_carry_their_own_attributes(connected: Connected, assert_schema: SchemaCheck) -> None:
    store = connected.client.vector_stores.create().id
    first, second = upload(connected, "a.md"), upload(connected, "b.md")
    files = [
        {"file_id": first, "attributes": {"n": 1}, "chunking_strategy": STATIC},
        {"file_id": second, "attributes": {"n": 2}},
    ]
    assert_schema("CreateVectorStoreFileBatchRequest", {"files": files})
    batch = connected.client.vector_stores.file_batches.create(store, files=files)  # type: ignore[typeddict-item]
    listed = connected.client.vector_stores.file_batches.list_files(batch.id, vector_store_id=store)
    by_id = {f.id: f for f in listed}
    assert (by_id[first].attributes, by_id[second].attributes) == ({"n": 1}, {"n": 2})
    assert by_id[second].chunking_strategy is not None
    assert by_id[second].chunking_strategy.model_dump()["static"]["max_chunk_size_tokens"] == 800


def test_a_batch_counts_failed_files_and_still_completes(connected: Connected) -> None:
    connected.service.faults = Faults(fail_files="bad-*")
    store = connected.client.vector_stores.create().id
    file_ids = [upload(connected, "good.md"), upload(connected, "bad-1.md")]
    batch = connected.client.vector_stores.file_batches.create(store, file_ids=file_ids)
    connected.clock.step(1)
    done = connected.client.vector_stores.file_batches.retrieve(batch.id, vector_store_id=store)
    assert done.status == "completed"
    assert (done.file_counts.completed, done.file_counts.failed) == (1, 1)


def test_cancel_cancels_what_is_still_in_progress(
    connected: Connected, assert_schema: SchemaCheck
) -> None:
    store = connected.client.vector_stores.create().id
    batch = connected.client.vector_stores.file_batches.create(
        store, file_ids=[upload(connected), upload(connected)]
    )
    cancelled = wire(
        connected.client.vector_stores.file_batches.with_raw_response.cancel(
            batch.id, vector_store_id=store
        )
    )
    assert_schema("VectorStoreFileBatchObject", cancelled)
    assert cancelled["status"] == "cancelled"
    assert cancelled["file_counts"]["cancelled"] == 2
    connected.clock.step(1)
    counts = connected.client.vector_stores.retrieve(store).file_counts
    assert (counts.cancelled, counts.completed) == (2, 0)


def test_the_sdk_helper_uploads_and_polls_to_the_end(connected: Connected) -> None:
    connected.service.faults = Faults(processing_seconds=0.0)
    store = connected.client.vector_stores.create().id
    import io

    batch = connected.client.vector_stores.file_batches.upload_and_poll(
        store, files=[("a.md", io.BytesIO(b"a")), ("b.md", io.BytesIO(b"b"))]
    )
    assert (batch.status, batch.file_counts.completed) == ("completed", 2)


REFUSED: list[tuple[str, dict[str, Any], int, str, str]] = [
    ("neither", {}, 400, "file_ids", "missing_required_parameter"),
    ("both", {"file_ids": ["f"], "files": [{"file_id": "f"}]}, 400, "files", "invalid_value"),
    ("empty", {"file_ids": []}, 400, "file_ids", "empty_array"),
    ("2001", {"file_ids": ["file-x"] * 2001}, 400, "file_ids", "array_above_max_length"),
    (
        "2001 files",
        {"files": [{"file_id": "file-x"}] * 2001},
        400,
        "files",
        "array_above_max_length",
    ),
    (
        "entry without id",
        {"files": [{"attributes": {}}]},
        400,
        "files[0].file_id",
        "missing_required_parameter",
    ),
    ("unknown field", {"file_ids": ["f"], "priority": 1}, 400, "priority", "unknown_parameter"),
    ("unknown file", {"file_ids": ["file-neverseen"]}, 400, "file_ids", "invalid_value"),
    (
        "unknown file in files",
        {"files": [{"file_id": "file-neverseen"}]},
        400,
        "files",
        "invalid_value",
    ),
]


@pytest.mark.parametrize(
    ("body", "status", "param", "code"), [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED]
)
def test_create_refuses(
    connected: Connected,
    assert_schema: SchemaCheck,
    body: dict[str, Any],
    status: int,
    param: str,
    code: str,
) -> None:
    store = connected.client.vector_stores.create().id
    with pytest.raises(openai.BadRequestError) as excinfo:
        connected.client.post(f"/vector_stores/{store}/file_batches", cast_to=dict, body=body)
    assert refusal(excinfo, assert_schema) == (status, param, code)
    assert connected.client.vector_stores.retrieve(store).file_counts.total == 0


def test_a_batch_of_another_store_is_not_found(connected: Connected) -> None:
    first = connected.client.vector_stores.create().id
    second = connected.client.vector_stores.create().id
    batch = connected.client.vector_stores.file_batches.create(first, file_ids=[upload(connected)])
    with pytest.raises(openai.NotFoundError):
        connected.client.vector_stores.file_batches.retrieve(batch.id, vector_store_id=second)


def test_a_batch_of_2000_files_is_taken(connected: Connected) -> None:
    from assistform.sandbox.knowledge_store import StoredFile

    knowledge = connected.service.knowledge
    files = [
        StoredFile(f"file-{i:022d}", 1, knowledge.next_seq(), 10, f"{i}.md", "assistants")
        for i in range(2000)
    ]
    knowledge.put_many(files)
    store = connected.client.vector_stores.create().id
    batch = connected.client.vector_stores.file_batches.create(
        store, file_ids=[f.id for f in files]
    )
    assert batch.file_counts.total == 2000
    connected.clock.step(1)
    assert connected.client.vector_stores.retrieve(store).usage_bytes == 20_000


@pytest.mark.parametrize("name", ["file_ids", "files"])
def test_an_empty_batch_is_refused_in_the_apis_words(name: str) -> None:
    invalid = validate_batch_create({name: []})
    assert invalid is not None
    assert (invalid.message, invalid.path, invalid.code) == (
        f"Invalid '{name}': empty array. Expected an array with minimum length 1, but got an "
        "empty array instead.",
        (name,),
        "empty_array",
    )
