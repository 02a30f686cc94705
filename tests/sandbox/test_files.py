"""/v1/files through the real openai SDK, over loopback HTTP and in-process: every answer
checked against the official schemas (OpenAIFile, ListFilesResponse, DeleteFileResponse,
ErrorResponse)."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

import openai
import pytest

from assistform.sandbox import routes

from .conftest import Connected

SchemaCheck = Callable[[str, Any], None]
FILE_ID = re.compile(r"file-[A-Za-z0-9]{22}")


def upload(connected: Connected, name: str, data: bytes, purpose: str = "assistants") -> Any:
    raw = connected.client.files.with_raw_response.create(
        file=(name, io.BytesIO(data)), purpose=purpose
    )
    return raw.http_response.json()


def test_upload_answers_a_file_object_the_spec_accepts(
    connected: Connected, assert_schema: SchemaCheck
) -> None:
    created = upload(connected, "guide.md", b"# Guide\n")
    assert_schema("OpenAIFile", created)
    assert FILE_ID.fullmatch(created["id"])
    assert created == {
        "id": created["id"],
        "object": "file",
        "bytes": 8,
        "created_at": int(connected.clock.now),
        "filename": "guide.md",
        "purpose": "assistants",
        "status": "processed",
    }
    again = connected.client.files.with_raw_response.retrieve(created["id"])
    assert again.http_response.json() == created


def test_expires_after_sets_expires_at(connected: Connected, assert_schema: SchemaCheck) -> None:
    created = connected.client.files.create(
        file=("data.jsonl", io.BytesIO(b"{}\n")),
        purpose="batch",
        expires_after={"anchor": "created_at", "seconds": 3600},
    )
    assert_schema("OpenAIFile", created.model_dump(exclude_none=True))
    assert created.expires_at == created.created_at + 3600


def test_content_is_the_bytes_uploaded(connected: Connected) -> None:
    data = bytes(range(256)) * 4096  # 1 MiB, every byte value, CRLFs included
    created = connected.client.files.create(
        file=("blob.bin", io.BytesIO(data)), purpose="user_data"
    )
    assert created.bytes == len(data)
    assert connected.client.files.content(created.id).read() == data


def test_assistants_files_cannot_be_downloaded(
    connected: Connected, assert_schema: SchemaCheck
) -> None:
    created = connected.client.files.create(file=("a.txt", io.BytesIO(b"a")), purpose="assistants")
    with pytest.raises(openai.BadRequestError) as excinfo:
        connected.client.files.content(created.id)
    assert_schema("ErrorResponse", excinfo.value.response.json())
    assert "Not allowed to download files of purpose: assistants" in str(excinfo.value)


def test_list_filters_by_purpose_and_pages_with_after(
    connected: Connected, assert_schema: SchemaCheck
) -> None:
    ids = []
    for index in range(25):
        purpose = "assistants" if index % 5 else "user_data"
        ids.append((upload(connected, f"f{index}.txt", b"x", purpose)["id"], purpose))
    # The default limit is 10,000: every file in one page, newest first.
    everything = connected.client.files.with_raw_response.list().http_response.json()
    assert_schema("ListFilesResponse", everything)
    assert [f["id"] for f in everything["data"]] == [i for i, _ in reversed(ids)]
    assert everything["has_more"] is False
    assistants = [i for i, p in ids if p == "assistants"]
    first = connected.client.files.with_raw_response.list(
        purpose="assistants", limit=7, order="asc"
    ).http_response.json()
    assert_schema("ListFilesResponse", first)
    assert [f["id"] for f in first["data"]] == assistants[:7]
    assert (first["first_id"], first["last_id"], first["has_more"]) == (
        assistants[0],
        assistants[6],
        True,
    )
    # The SDK's pager follows `after` to the end.
    paged = [f.id for f in connected.client.files.list(purpose="assistants", limit=7, order="asc")]
    assert paged == assistants


@pytest.mark.parametrize(
    ("query", "param", "code"),
    [
        ({"limit": 10_001}, "limit", "integer_above_max_value"),
        ({"limit": 0}, "limit", "integer_below_min_value"),
        ({"order": "up"}, "order", "invalid_value"),
        ({"purpose": "nonsense"}, "purpose", "invalid_value"),
        ({"after": "file-neverseen"}, "after", "invalid_value"),
    ],
)
def test_list_refuses_a_bad_query(
    connected: Connected,
    assert_schema: SchemaCheck,
    query: dict[str, Any],
    param: str,
    code: str,
) -> None:
    with pytest.raises(openai.BadRequestError) as excinfo:
        connected.client.files.list(**query)
    body = excinfo.value.response.json()
    assert_schema("ErrorResponse", body)
    assert (body["error"]["param"], body["error"]["code"]) == (param, code)


BOUNDARY = "assistform-test-boundary"


def multipart(fields: dict[str, str], file: tuple[str, bytes] | None) -> bytes:
    """A multipart/form-data body with exactly these parts (the SDK would not send some)."""
    out = b""
    for name, value in fields.items():
        out += (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        ).encode()
    if file is not None:
        out += (
            (
                f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
                f'filename="{file[0]}"\r\nContent-Type: application/octet-stream\r\n\r\n'
            ).encode()
            + file[1]
            + b"\r\n"
        )
    return out + f"--{BOUNDARY}--\r\n".encode()


def post_form(connected: Connected, body: bytes) -> Any:
    # Media types are case-insensitive; this spelling keeps the SDK from re-encoding the
    # body as a form of its own (it does so for a type starting "multipart/form-data").
    return connected.client.post(
        "/files",
        cast_to=dict,
        content=body,
        options={"headers": {"Content-Type": f"Multipart/Form-Data; boundary={BOUNDARY}"}},
    )


def test_a_raw_multipart_upload_is_taken(connected: Connected, assert_schema: SchemaCheck) -> None:
    created = post_form(connected, multipart({"purpose": "assistants"}, ("r.txt", b"\r\n--x\r\n")))
    assert_schema("OpenAIFile", created)
    assert (created["filename"], created["bytes"]) == ("r.txt", 7)


@pytest.mark.parametrize(
    ("fields", "file", "param", "code"),
    [
        ({}, ("a.txt", b"a"), "purpose", "missing_required_parameter"),
        ({"purpose": "assistants"}, None, "file", "missing_required_parameter"),
        ({"purpose": "fine-tune-results"}, ("a.txt", b"a"), "purpose", "invalid_value"),
        ({"purpose": "assistants", "name": "x"}, ("a.txt", b"a"), "name", "unknown_parameter"),
        (
            {
                "purpose": "batch",
                "expires_after[anchor]": "created_at",
                "expires_after[seconds]": "60",
            },
            ("a.txt", b"a"),
            "expires_after.seconds",
            "integer_below_min_value",
        ),
        (
            {"purpose": "batch", "expires_after[anchor]": "now", "expires_after[seconds]": "3600"},
            ("a.txt", b"a"),
            "expires_after.anchor",
            "invalid_value",
        ),
    ],
)
def test_upload_refuses_a_bad_form(
    connected: Connected,
    assert_schema: SchemaCheck,
    fields: dict[str, str],
    file: tuple[str, bytes] | None,
    param: str,
    code: str,
) -> None:
    with pytest.raises(openai.BadRequestError) as excinfo:
        post_form(connected, multipart(fields, file))
    body = excinfo.value.response.json()
    assert_schema("ErrorResponse", body)
    assert (body["error"]["param"], body["error"]["code"]) == (param, code)
    assert connected.client.files.list().data == []


def test_an_upload_that_is_not_multipart_is_refused(connected: Connected) -> None:
    with pytest.raises(openai.BadRequestError) as excinfo:
        connected.client.post("/files", cast_to=dict, body={"purpose": "assistants"})
    assert "expected multipart/form-data" in str(excinfo.value)


def test_delete_answers_the_spec_shape_and_the_file_is_gone(
    connected: Connected, assert_schema: SchemaCheck
) -> None:
    created = upload(connected, "a.txt", b"a")
    deleted = connected.client.files.with_raw_response.delete(created["id"]).http_response.json()
    assert_schema("DeleteFileResponse", deleted)
    assert deleted == {"id": created["id"], "object": "file", "deleted": True}
    for call in (connected.client.files.retrieve, connected.client.files.delete):
        with pytest.raises(openai.NotFoundError) as excinfo:
            call(created["id"])
        assert_schema("ErrorResponse", excinfo.value.response.json())
    assert connected.client.files.list().data == []
    assert connected.service.knowledge.blobs.read(created["id"]) is None


def test_requests_are_logged_by_route(connected: Connected) -> None:
    created = upload(connected, "a.txt", b"a")
    connected.client.files.retrieve(created["id"])
    connected.client.files.list()
    counts = connected.service.stats.counts
    assert counts["POST", routes.FILES] == 1
    assert counts["GET", routes.FILE] == 1
    assert counts["GET", routes.FILES] == 1


def test_an_unknown_files_path_is_an_unknown_url(connected: Connected) -> None:
    with pytest.raises(openai.NotFoundError) as excinfo:
        connected.client.get("/files/file-x/thumbnail", cast_to=dict)
    assert "Invalid URL (GET /v1/files/file-x/thumbnail)" in str(excinfo.value)


def test_an_upload_is_held_in_memory_once(
    connected: Connected, tmp_path: pytest.TempPathFactory
) -> None:
    """The server reads the body into memory once and writes the file from it; the SDK
    streams the file from disk. So the peak is about one upload, not two."""
    import os
    import tracemalloc
    from pathlib import Path

    size = 16 << 20
    path = Path(str(tmp_path)) / "big.bin"
    path.write_bytes(os.urandom(size))
    connected.client.files.list()  # connections and lazy imports before measuring
    tracemalloc.start()
    try:
        with path.open("rb") as handle:
            created = connected.client.files.create(file=("big.bin", handle), purpose="user_data")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert created.bytes == size
    assert peak < 1.5 * size, f"peak {peak / size:.2f}x the upload"
    assert connected.client.files.content(created.id).read() == path.read_bytes()


def test_a_lost_upload_answer_still_stored_the_file(connected: Connected) -> None:
    """What apply must survive: the upload happened, its answer never came."""
    from assistform.sandbox import Faults, nth

    connected.service.faults = Faults(lose_answer=nth("POST", routes.FILES, 1))
    with pytest.raises(openai.APIConnectionError):
        connected.client.files.create(file=("lost.md", io.BytesIO(b"lost")), purpose="assistants")
    (stored,) = connected.client.files.list().data
    assert (stored.filename, stored.bytes) == ("lost.md", 4)
