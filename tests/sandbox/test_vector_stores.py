"""/v1/vector_stores through the real openai SDK, over loopback HTTP and in-process, every
answer checked against the official schemas; processing moves on a fake clock."""

from __future__ import annotations

from typing import Any

import openai
import pytest

from assistform.sandbox.faults import Faults

from .conftest import Connected
from .knowledge import SchemaCheck, refusal, upload, wire

STATIC = {"type": "static", "static": {"max_chunk_size_tokens": 600, "chunk_overlap_tokens": 300}}
DAY = 86_400


def create(connected: Connected, **body: Any) -> Any:
    return wire(connected.client.vector_stores.with_raw_response.create(**body))


def test_a_new_store_processes_its_files_then_completes(
    connected: Connected, assert_schema: SchemaCheck
) -> None:
    small, large = upload(connected, "a.md", b"12345"), upload(connected, "b.md", b"x" * 1000)
    body = {
        "name": "Support KB",
        "description": "Articles",
        "metadata": {"team": "support"},
        "expires_after": {"anchor": "last_active_at", "days": 30},
        "chunking_strategy": STATIC,
        "file_ids": [small, large],
    }
    assert_schema("CreateVectorStoreRequest", body)
    created = create(connected, **body)
    assert_schema("VectorStoreObject", created)
    now = int(connected.clock.now)
    assert created == {
        "id": created["id"],
        "object": "vector_store",
        "created_at": now,
        "name": "Support KB",
        "usage_bytes": 0,
        "file_counts": {"in_progress": 2, "completed": 0, "failed": 0, "cancelled": 0, "total": 2},
        "status": "in_progress",
        "last_active_at": now,
        "metadata": {"team": "support"},
        "expires_after": {"anchor": "last_active_at", "days": 30},
        "expires_at": now + 30 * DAY,
    }
    connected.clock.step(connected.service.faults.processing_seconds)
    done = wire(connected.client.vector_stores.with_raw_response.retrieve(created["id"]))
    assert_schema("VectorStoreObject", done)
    assert done["status"] == "completed"
    assert done["usage_bytes"] == 1005
    assert done["file_counts"] == {
        "in_progress": 0,
        "completed": 2,
        "failed": 0,
        "cancelled": 0,
        "total": 2,
    }
    files = connected.client.vector_stores.files.list(created["id"])
    assert {f.id: f.chunking_strategy.model_dump() for f in files} == {  # type: ignore[union-attr]
        small: STATIC,
        large: STATIC,
    }


def test_description_is_taken_but_not_returned(connected: Connected) -> None:
    created = create(connected, name="kb", description="What it holds")
    assert "description" not in created
    stored = connected.service.knowledge.get_vector_store(created["id"])
    assert stored.description == "What it holds"


def test_defaults_of_a_store_created_empty(
    connected: Connected, assert_schema: SchemaCheck
) -> None:
    created = create(connected)
    assert_schema("VectorStoreObject", created)
    assert (created["name"], created["metadata"], created["expires_at"]) == ("", {}, None)
    assert "expires_after" not in created
    assert created["status"] == "completed"


def test_the_store_expires_days_after_last_activity(connected: Connected) -> None:
    created = create(connected, expires_after={"anchor": "last_active_at", "days": 1})
    connected.clock.step(DAY)
    assert connected.client.vector_stores.retrieve(created["id"]).status == "expired"


def test_modify_changes_name_metadata_and_expiry(
    connected: Connected, assert_schema: SchemaCheck
) -> None:
    created = create(connected, name="old", metadata={"a": "1", "b": "2"})
    connected.clock.step(10)
    body = {
        "name": "new",
        "metadata": {"c": "3"},
        "expires_after": {"anchor": "last_active_at", "days": 2},
    }
    assert_schema("UpdateVectorStoreRequest", body)
    modified = wire(
        connected.client.vector_stores.with_raw_response.update(created["id"], **body)  # type: ignore[arg-type]
    )
    assert_schema("VectorStoreObject", modified)
    assert (modified["name"], modified["metadata"]) == ("new", {"c": "3"})
    assert modified["expires_at"] == modified["last_active_at"] + 2 * DAY
    assert modified["last_active_at"] == int(connected.clock.now)
    cleared = connected.client.vector_stores.update(created["id"], expires_after=None)
    assert (cleared.expires_after, cleared.expires_at, cleared.name) == (None, None, "new")


def test_list_pages_both_ways(connected: Connected, assert_schema: SchemaCheck) -> None:
    ids = []
    for _ in range(5):
        ids.append(create(connected)["id"])
    page = wire(connected.client.vector_stores.with_raw_response.list(limit=2, order="asc"))
    assert_schema("ListVectorStoresResponse", page)
    assert [s["id"] for s in page["data"]] == ids[:2]
    assert (page["first_id"], page["last_id"], page["has_more"]) == (ids[0], ids[1], True)
    default = wire(connected.client.vector_stores.with_raw_response.list())
    assert [s["id"] for s in default["data"]] == ids[::-1]
    before = connected.client.vector_stores.list(before=ids[3], limit=2, order="asc")
    assert [s.id for s in before.data] == ids[1:3]
    assert [s.id for s in connected.client.vector_stores.list(limit=2)] == ids[::-1]


def test_delete_answers_the_spec_shape_and_keeps_the_files(
    connected: Connected, assert_schema: SchemaCheck
) -> None:
    file_id = upload(connected)
    created = create(connected, file_ids=[file_id])
    deleted = wire(connected.client.vector_stores.with_raw_response.delete(created["id"]))
    assert_schema("DeleteVectorStoreResponse", deleted)
    assert deleted == {"id": created["id"], "object": "vector_store.deleted", "deleted": True}
    for call in (connected.client.vector_stores.retrieve, connected.client.vector_stores.delete):
        with pytest.raises(openai.NotFoundError) as excinfo:
            call(created["id"])
        assert refusal(excinfo, assert_schema)[0] == 404
    assert connected.client.files.retrieve(file_id).id == file_id


LONG_KEY = "k" * 65
REFUSED_CREATE: list[tuple[str, dict[str, Any], str, str]] = [
    ("unknown field", {"nmae": "x"}, "nmae", "unknown_parameter"),
    ("name not a string", {"name": 5}, "name", "invalid_type"),
    (
        "17 metadata pairs",
        {"metadata": {f"k{i}": "v" for i in range(17)}},
        "metadata",
        "object_above_max_properties",
    ),
    ("metadata key of 65", {"metadata": {LONG_KEY: "v"}}, "metadata", "string_above_max_length"),
    (
        "metadata value of 513",
        {"metadata": {"k": "v" * 513}},
        "metadata.k",
        "string_above_max_length",
    ),
    (
        "0 days",
        {"expires_after": {"anchor": "last_active_at", "days": 0}},
        "expires_after.days",
        "integer_below_min_value",
    ),
    (
        "366 days",
        {"expires_after": {"anchor": "last_active_at", "days": 366}},
        "expires_after.days",
        "integer_above_max_value",
    ),
    (
        "anchor",
        {"expires_after": {"anchor": "created_at", "days": 3}},
        "expires_after.anchor",
        "invalid_value",
    ),
    (
        "chunks of 99",
        {
            "chunking_strategy": {
                "type": "static",
                "static": {"max_chunk_size_tokens": 99, "chunk_overlap_tokens": 0},
            }
        },
        "chunking_strategy.static.max_chunk_size_tokens",
        "integer_below_min_value",
    ),
    (
        "chunks of 4097",
        {
            "chunking_strategy": {
                "type": "static",
                "static": {"max_chunk_size_tokens": 4097, "chunk_overlap_tokens": 0},
            }
        },
        "chunking_strategy.static.max_chunk_size_tokens",
        "integer_above_max_value",
    ),
    (
        "overlap over half",
        {
            "chunking_strategy": {
                "type": "static",
                "static": {"max_chunk_size_tokens": 800, "chunk_overlap_tokens": 401},
            }
        },
        "chunking_strategy.static.chunk_overlap_tokens",
        "integer_above_max_value",
    ),
    ("501 file ids", {"file_ids": ["file-x"] * 501}, "file_ids", "array_above_max_length"),
    ("unknown file id", {"file_ids": ["file-neverseen"]}, "file_ids", "invalid_value"),
]


@pytest.mark.parametrize(
    ("body", "param", "code"), [c[1:] for c in REFUSED_CREATE], ids=[c[0] for c in REFUSED_CREATE]
)
def test_create_refuses(
    connected: Connected,
    assert_schema: SchemaCheck,
    body: dict[str, Any],
    param: str,
    code: str,
) -> None:
    with pytest.raises(openai.BadRequestError) as excinfo:
        connected.client.vector_stores.create(extra_body=body)
    assert refusal(excinfo, assert_schema) == (400, param, code)
    assert connected.client.vector_stores.list().data == []


@pytest.mark.parametrize(
    ("body", "param", "code"),
    [
        ({"description": "create-only"}, "description", "unknown_parameter"),
        ({"chunking_strategy": {"type": "auto"}}, "chunking_strategy", "unknown_parameter"),
        (
            {"expires_after": {"anchor": "last_active_at", "days": 400}},
            "expires_after.days",
            "integer_above_max_value",
        ),
        ({"metadata": {"k": 1}}, "metadata.k", "invalid_type"),
    ],
)
def test_modify_refuses(
    connected: Connected,
    assert_schema: SchemaCheck,
    schema_accepts: Any,
    body: dict[str, Any],
    param: str,
    code: str,
) -> None:
    created = create(connected, name="before")
    with pytest.raises(openai.BadRequestError) as excinfo:
        connected.client.vector_stores.update(created["id"], extra_body=body)
    assert refusal(excinfo, assert_schema) == (400, param, code)
    assert not schema_accepts("UpdateVectorStoreRequest", body)
    assert connected.client.vector_stores.retrieve(created["id"]).name == "before"


def test_list_refuses_a_limit_over_100(connected: Connected, assert_schema: SchemaCheck) -> None:
    with pytest.raises(openai.BadRequestError) as excinfo:
        connected.client.vector_stores.list(limit=101)
    assert refusal(excinfo, assert_schema) == (400, "limit", "integer_above_max_value")


@pytest.mark.parametrize("sandbox_profile", ["files-only"])
def test_a_server_without_vector_stores_answers_404_like_an_unknown_url(
    connected: Connected,
) -> None:
    file_id = upload(connected)
    assert connected.client.files.retrieve(file_id).id == file_id
    calls = [
        lambda: connected.client.vector_stores.create(name="kb"),
        lambda: connected.client.vector_stores.list(),
        lambda: connected.client.vector_stores.files.list("vs_x"),
        lambda: connected.client.vector_stores.file_batches.create("vs_x", file_ids=[file_id]),
    ]
    for call in calls:
        with pytest.raises(openai.NotFoundError) as excinfo:
            call()
        assert "Invalid URL" in str(excinfo.value)


def test_fail_files_fails_matching_files_only(connected: Connected) -> None:
    connected.service.faults = Faults(fail_files="*.bad")
    good, bad = upload(connected, "ok.md"), upload(connected, "broken.bad")
    created = create(connected, file_ids=[good, bad])
    connected.clock.step(1)
    store = connected.client.vector_stores.retrieve(created["id"])
    assert (store.file_counts.completed, store.file_counts.failed) == (1, 1)
    failed = connected.client.vector_stores.files.retrieve(bad, vector_store_id=created["id"])
    assert failed.status == "failed"
    assert failed.last_error is not None and failed.last_error.code == "invalid_file"


#: The refusals the spec's schema expresses itself; the others are limits written only in
#: its descriptions (16 metadata pairs of 64/512 characters, the overlap of at most half a
#: chunk) or need the server's data (a file that does not exist).
SCHEMA_REFUSES = {
    "unknown field",
    "name not a string",
    "0 days",
    "366 days",
    "anchor",
    "chunks of 99",
    "chunks of 4097",
    "501 file ids",
}


@pytest.mark.parametrize("case", REFUSED_CREATE, ids=[c[0] for c in REFUSED_CREATE])
def test_the_refusals_agree_with_the_schema_where_it_can_say(
    case: tuple[str, dict[str, Any], str, str], schema_accepts: Any
) -> None:
    name, body, _, _ = case
    assert schema_accepts("CreateVectorStoreRequest", body) == (name not in SCHEMA_REFUSES)


@pytest.mark.parametrize("sandbox_profile", ["lenient"])
def test_a_lenient_server_refuses_in_its_own_shape(connected: Connected) -> None:
    with pytest.raises(openai.UnprocessableEntityError) as excinfo:
        connected.client.vector_stores.create(expires_after={"anchor": "last_active_at", "days": 0})
    (detail,) = excinfo.value.response.json()["detail"]
    assert detail["loc"] == ["body", "expires_after", "days"]
    with pytest.raises(openai.PermissionDeniedError):
        connected.client.vector_stores.retrieve("vs_neverseen")
    # Self-hosted servers let files of any purpose be downloaded.
    file_id = upload(connected, "a.md", b"abc")
    assert connected.client.files.content(file_id).read() == b"abc"


def test_a_listed_store_renders_as_retrieved_with_its_own_files(connected: Connected) -> None:
    first = create(connected, file_ids=[upload(connected, "a.md", b"123")])["id"]
    second = create(connected, file_ids=[upload(connected, "b.md"), upload(connected, "c.md")])
    empty = create(connected)["id"]
    connected.clock.step(connected.service.faults.processing_seconds)
    listed = wire(connected.client.vector_stores.with_raw_response.list())["data"]
    totals = {s["id"]: s["file_counts"]["total"] for s in listed}
    assert totals == {first: 1, second["id"]: 2, empty: 0}
    for store in listed:
        assert store == wire(connected.client.vector_stores.with_raw_response.retrieve(store["id"]))
