"""/v1/vector_stores/{id}/files through the real openai SDK, over loopback HTTP and
in-process, every answer checked against the official schemas."""

from __future__ import annotations

from typing import Any

import openai
import pytest

from assistform.sandbox.faults import Faults

from .conftest import Connected
from .knowledge import SchemaCheck, refusal, upload, wire

STATIC = {"type": "static", "static": {"max_chunk_size_tokens": 1000, "chunk_overlap_tokens": 500}}


def new_store(connected: Connected) -> str:
    return connected.client.vector_stores.create(name="kb").id


def test_attach_answers_a_file_in_progress_then_completed(
    connected: Connected, assert_schema: SchemaCheck
) -> None:
    store, file_id = new_store(connected), upload(connected, "a.md", b"abcdef")
    body = {
        "file_id": file_id,
        "attributes": {"team": "x", "rank": 2, "public": True},
        "chunking_strategy": STATIC,
    }
    assert_schema("CreateVectorStoreFileRequest", body)
    attached = wire(
        connected.client.vector_stores.files.with_raw_response.create(store, **body)  # type: ignore[arg-type]
    )
    assert_schema("VectorStoreFileObject", attached)
    assert attached == {
        "id": file_id,
        "object": "vector_store.file",
        "usage_bytes": 0,
        "created_at": int(connected.clock.now),
        "vector_store_id": store,
        "status": "in_progress",
        "last_error": None,
        "chunking_strategy": STATIC,
        "attributes": {"team": "x", "rank": 2, "public": True},
    }
    connected.clock.step(connected.service.faults.processing_seconds)
    done = wire(
        connected.client.vector_stores.files.with_raw_response.retrieve(
            file_id, vector_store_id=store
        )
    )
    assert_schema("VectorStoreFileObject", done)
    assert (done["status"], done["usage_bytes"]) == ("completed", 6)


def test_auto_chunking_is_reported_as_static_800_400(connected: Connected) -> None:
    store, file_id = new_store(connected), upload(connected)
    attached = connected.client.vector_stores.files.create(
        store, file_id=file_id, chunking_strategy={"type": "auto"}
    )
    assert attached.chunking_strategy is not None
    assert attached.chunking_strategy.model_dump() == {
        "type": "static",
        "static": {"max_chunk_size_tokens": 800, "chunk_overlap_tokens": 400},
    }


def test_an_unknown_file_or_store_is_a_404(
    connected: Connected, assert_schema: SchemaCheck
) -> None:
    store, file_id = new_store(connected), upload(connected)
    with pytest.raises(openai.NotFoundError) as excinfo:
        connected.client.vector_stores.files.create(store, file_id="file-neverseen")
    assert refusal(excinfo, assert_schema)[:2] == (404, "file_id")
    with pytest.raises(openai.NotFoundError) as excinfo:
        connected.client.vector_stores.files.create("vs_neverseen", file_id=file_id)
    assert refusal(excinfo, assert_schema)[0] == 404
    with pytest.raises(openai.NotFoundError):
        connected.client.vector_stores.files.retrieve(file_id, vector_store_id=store)


LONG = "k" * 65
REFUSED_ATTRIBUTES: list[tuple[str, Any, str, str]] = [
    ("17 keys", {f"k{i}": i for i in range(17)}, "attributes", "object_above_max_properties"),
    ("key of 65", {LONG: "v"}, "attributes", "string_above_max_length"),
    ("value of 513", {"k": "v" * 513}, "attributes.k", "string_above_max_length"),
    ("object value", {"k": {"nested": 1}}, "attributes.k", "invalid_type"),
    ("list value", {"k": [1]}, "attributes.k", "invalid_type"),
    ("null value", {"k": None}, "attributes.k", "invalid_type"),
    ("not an object", ["k"], "attributes", "invalid_type"),
]


@pytest.mark.parametrize(
    ("attributes", "param", "code"),
    [c[1:] for c in REFUSED_ATTRIBUTES],
    ids=[c[0] for c in REFUSED_ATTRIBUTES],
)
def test_attributes_are_refused_beyond_the_limits(
    connected: Connected,
    assert_schema: SchemaCheck,
    schema_accepts: Any,
    attributes: Any,
    param: str,
    code: str,
) -> None:
    store, file_id = new_store(connected), upload(connected)
    body = {"file_id": file_id, "attributes": attributes}
    assert not schema_accepts("CreateVectorStoreFileRequest", body)
    with pytest.raises(openai.BadRequestError) as excinfo:
        connected.client.vector_stores.files.create(store, extra_body=body, file_id=file_id)
    assert refusal(excinfo, assert_schema) == (400, param, code)
    connected.client.vector_stores.files.create(store, file_id=file_id)
    with pytest.raises(openai.BadRequestError) as excinfo:
        connected.client.vector_stores.files.update(
            file_id, vector_store_id=store, attributes=attributes
        )
    assert refusal(excinfo, assert_schema) == (400, param, code)


def test_the_limits_themselves_are_taken(connected: Connected) -> None:
    store, file_id = new_store(connected), upload(connected)
    attributes: dict[str, Any] = {f"k{i}": i for i in range(15)}
    attributes["k" * 64] = "v" * 512
    attached = connected.client.vector_stores.files.create(
        store, file_id=file_id, attributes=attributes
    )
    assert attached.attributes == attributes


def test_update_replaces_the_attributes(connected: Connected, assert_schema: SchemaCheck) -> None:
    store, file_id = new_store(connected), upload(connected)
    connected.client.vector_stores.files.create(store, file_id=file_id, attributes={"a": "1"})
    body = {"attributes": {"b": False}}
    assert_schema("UpdateVectorStoreFileAttributesRequest", body)
    updated = wire(
        connected.client.vector_stores.files.with_raw_response.update(
            file_id, vector_store_id=store, attributes={"b": False}
        )
    )
    assert_schema("VectorStoreFileObject", updated)
    assert updated["attributes"] == {"b": False}
    with pytest.raises(openai.BadRequestError) as excinfo:
        connected.client.post(f"/vector_stores/{store}/files/{file_id}", cast_to=dict, body={})
    assert refusal(excinfo, assert_schema) == (400, "attributes", "missing_required_parameter")


def test_list_filters_by_status_and_pages(connected: Connected, assert_schema: SchemaCheck) -> None:
    connected.service.faults = Faults(fail_files="*.bad")
    store = new_store(connected)
    done = [upload(connected, f"done{i}.md") for i in range(3)]
    for file_id in done:
        connected.client.vector_stores.files.create(store, file_id=file_id)
    failed = upload(connected, "x.bad")
    connected.client.vector_stores.files.create(store, file_id=failed)
    connected.clock.step(1)
    pending = upload(connected, "late.md")
    connected.client.vector_stores.files.create(store, file_id=pending)
    page = wire(connected.client.vector_stores.files.with_raw_response.list(store, order="asc"))
    assert_schema("ListVectorStoreFilesResponse", page)
    assert [f["id"] for f in page["data"]] == [*done, failed, pending]
    for status, expected in (("completed", done), ("failed", [failed]), ("in_progress", [pending])):
        listed = connected.client.vector_stores.files.list(store, filter=status, order="asc")  # type: ignore[arg-type]
        assert [f.id for f in listed] == expected
    paged = connected.client.vector_stores.files.list(store, limit=2, order="asc")
    assert [f.id for f in paged] == [*done, failed, pending]
    with pytest.raises(openai.BadRequestError) as excinfo:
        connected.client.vector_stores.files.list(store, filter="done")  # type: ignore[arg-type]
    assert refusal(excinfo, assert_schema) == (400, "filter", "invalid_value")


def test_delete_detaches_and_keeps_the_file(
    connected: Connected, assert_schema: SchemaCheck
) -> None:
    store, file_id = new_store(connected), upload(connected)
    connected.client.vector_stores.files.create(store, file_id=file_id)
    deleted = wire(
        connected.client.vector_stores.files.with_raw_response.delete(
            file_id, vector_store_id=store
        )
    )
    assert_schema("DeleteVectorStoreFileResponse", deleted)
    assert deleted == {"id": file_id, "object": "vector_store.file.deleted", "deleted": True}
    with pytest.raises(openai.NotFoundError):
        connected.client.vector_stores.files.delete(file_id, vector_store_id=store)
    assert connected.client.files.retrieve(file_id).id == file_id
    assert connected.client.vector_stores.retrieve(store).file_counts.total == 0


def test_deleting_the_file_detaches_it_everywhere(connected: Connected) -> None:
    stores = [new_store(connected), new_store(connected)]
    file_id = upload(connected)
    for store in stores:
        connected.client.vector_stores.files.create(store, file_id=file_id)
    connected.client.files.delete(file_id)
    for store in stores:
        assert connected.client.vector_stores.files.list(store).data == []
