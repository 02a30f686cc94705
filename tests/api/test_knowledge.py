"""`OpenAIKnowledge`: files and vector stores through the real SDK against the sandbox over
loopback HTTP.

Reading costs list pages and nothing else; a listing that cannot be sure it saw everything
says so instead of guessing; a server without an endpoint is recorded, not raised; each
GET, update and delete is retried by assistform's policy alone, each create (upload,
vector store, file batch) is sent once; every failure is one line without the key; an
upload streams from disk.
"""

from __future__ import annotations

import io
import json
import math
import threading
import tracemalloc
from collections.abc import Callable, Iterator, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import openai
import pytest

from assistform.api.client import OpenAIAssistants
from assistform.api.knowledge import OpenAIKnowledge
from assistform.api.retry import RetryPolicy
from assistform.errors import ApiError
from assistform.knowledge import endpoints
from assistform.knowledge.live import LiveVectorStore
from assistform.sandbox import AssistantsService, Faults, Response, SandboxServer, nth, routes

from .conftest import FakeClock
from .test_client import assert_one_clean_line
from .test_retries import FailNumbered

Connect = Callable[..., OpenAIAssistants]
POLICY = RetryPolicy(max_tries=4, max_seconds=60.0, base_delay=0.5)


def everything(store: LiveVectorStore) -> bool:
    return True


def nothing(store: LiveVectorStore) -> bool:
    return False


@pytest.fixture
def sdk(make_api_server: Callable[..., SandboxServer]) -> Iterator[Callable[..., openai.OpenAI]]:
    """A plain SDK client on a server, to seed it as a user would."""
    clients: list[openai.OpenAI] = []

    def make(server: SandboxServer) -> openai.OpenAI:
        client = openai.OpenAI(base_url=server.base_url, api_key="sk-seed", max_retries=0)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def server(make_api_server: Callable[..., SandboxServer]) -> SandboxServer:
    """A faithful sandbox server over loopback HTTP."""
    return make_api_server()


def upload_files(client: openai.OpenAI, count: int, purpose: str = "assistants") -> list[str]:
    return [
        client.files.create(
            file=(f"doc{n}.md", io.BytesIO(b"# doc %d\n" % n)),
            purpose=purpose,  # type: ignore[arg-type]
        ).id
        for n in range(count)
    ]


# --- reading files -------------------------------------------------------------------------


@pytest.mark.parametrize("count", [0, 1, 2, 5])
def test_files_are_read_a_page_at_a_time_and_nothing_else(
    server: SandboxServer,
    connect_api: Connect,
    sdk: Callable[..., openai.OpenAI],
    count: int,
) -> None:
    ids = upload_files(sdk(server), count)
    upload_files(sdk(server), 1, purpose="user_data")  # not ours to see
    server.stats.reset()
    live = OpenAIKnowledge(connect_api(server), files_page=2).list_knowledge(everything)
    assert [f.id for f in live.files] == ids
    assert [f.filename for f in live.files] == [f"doc{n}.md" for n in range(count)]
    pages = max(1, math.ceil(count / 2))  # the last page says has_more: false
    assert server.stats.count("GET", routes.FILES) == pages
    assert server.stats.count("GET") == server.stats.total, "no write"
    assert live.requests == server.stats.total
    assert (live.complete, live.warnings, live.missing_endpoints) == (True, [], [])


def test_a_file_is_what_the_server_says(
    server: SandboxServer,
    connect_api: Connect,
    sdk: Callable[..., openai.OpenAI],
) -> None:
    [file_id] = upload_files(sdk(server), 1)
    [found] = connect_api(server).knowledge().list_files()
    assert (found.id, found.filename, found.bytes) == (file_id, "doc0.md", 8)
    assert found.raw["purpose"] == "assistants" and found.created_at > 0


def test_a_stuck_cursor_makes_the_listing_incomplete_not_endless(
    make_api_server: Callable[..., SandboxServer],
    connect_api: Connect,
    sdk: Callable[..., openai.OpenAI],
) -> None:
    # `stuck-cursor` ignores `after` and says nothing of `has_more`: every page is the first.
    server = make_api_server(profile="stuck-cursor")
    ids = upload_files(sdk(server), 5)
    api = OpenAIKnowledge(connect_api(server), files_page=2)
    live = api.list_knowledge(everything)
    # Oldest first, then newest first: each walk sees its first page only.
    assert [f.id for f in live.files] == [*ids[:2], ids[4], ids[3]]
    assert not live.complete
    assert (
        "the list of files may be incomplete: after 2 file(s) its next page brought nothing "
        "new (its `after` cursor does not advance); assistform saw 4 file(s) and cannot tell "
        "whether there are more"
    ) in live.warnings
    # Looking for what a lost upload made cannot conclude from such a listing.
    with pytest.raises(ApiError, match="list files: the listing may be incomplete"):
        api.list_files()


def test_a_repeating_list_is_read_again_newest_first(
    make_api_server: Callable[..., SandboxServer],
    connect_api: Connect,
    sdk: Callable[..., openai.OpenAI],
) -> None:
    # `lenient` resolves `after` by the second: files made in one second repeat and skip.
    server = make_api_server(profile="lenient")
    ids = upload_files(sdk(server), 5)
    live = OpenAIKnowledge(connect_api(server), files_page=2).list_knowledge(everything)
    assert sorted(f.id for f in live.files) == sorted(ids)
    assert live.complete
    assert any("repeated" in warning for warning in live.warnings)


# --- servers without the endpoints -----------------------------------------------------------


def test_a_server_without_vector_stores_is_recorded_not_raised(
    make_api_server: Callable[..., SandboxServer],
    connect_api: Connect,
    sdk: Callable[..., openai.OpenAI],
) -> None:
    server = make_api_server(profile="files-only")
    ids = upload_files(sdk(server), 2)
    live = connect_api(server).knowledge().list_knowledge(everything)
    assert [f.id for f in live.files] == ids
    assert live.missing_endpoints == [endpoints.VECTOR_STORES]
    assert live.complete and live.vector_stores == []


@pytest.mark.parametrize(
    "body", [{"detail": "Not Found"}, {"error": {"message": "Invalid URL (GET /v1/files)"}}]
)
def test_a_server_with_neither_is_recorded_not_raised(
    scripted_server: Callable[..., SandboxServer], connect_api: Connect, body: Any
) -> None:
    server = scripted_server(404, body)
    live = connect_api(server).knowledge().list_knowledge(everything)
    assert live.missing_endpoints == [endpoints.FILES, endpoints.VECTOR_STORES]
    assert (live.files, live.vector_stores, live.requests) == ([], [], 2)


def test_a_405_is_a_missing_endpoint_too(
    scripted_server: Callable[..., SandboxServer], connect_api: Connect
) -> None:
    server = scripted_server(405, {"detail": "Method Not Allowed"})
    live = connect_api(server).knowledge().list_knowledge(everything)
    assert live.missing_endpoints == [endpoints.FILES, endpoints.VECTOR_STORES]


# --- reading vector stores ------------------------------------------------------------------


class ServiceClock:
    """The sandbox service's clock, moved by the test (processing takes sandbox time)."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def make_stores(client: openai.OpenAI, names: list[str], file_ids: list[str]) -> list[str]:
    ids = []
    for name in names:
        store = client.vector_stores.create(name=name, metadata={"team": "kb"})
        if file_ids:
            client.vector_stores.file_batches.create(store.id, file_ids=file_ids)
        ids.append(store.id)
    return ids


def test_stores_are_read_a_page_at_a_time_with_the_files_of_managed_ones_only(
    server: SandboxServer,
    connect_api: Connect,
    sdk: Callable[..., openai.OpenAI],
) -> None:
    client = sdk(server)
    files = upload_files(client, 3)
    stores = make_stores(client, ["kb0", "kb1", "kb2"], files)
    server.stats.reset()
    live = OpenAIKnowledge(connect_api(server), page=2).list_knowledge(
        lambda store: store.raw["name"] != "kb1"
    )
    assert [s.id for s in live.vector_stores] == stores
    by_id = live.vector_store_by_id()
    for managed in (stores[0], stores[2]):
        assert by_id[managed].files_listed
        assert sorted(f.id for f in by_id[managed].files) == sorted(files)
        assert {f.status for f in by_id[managed].files} <= {"in_progress", "completed"}
    assert (by_id[stores[1]].files_listed, by_id[stores[1]].files) == (False, ())
    assert by_id[stores[0]].config["metadata"] == {"team": "kb"}
    assert server.stats.count("GET", routes.FILES) == 1, "10,000 a page"
    assert server.stats.count("GET", routes.VECTOR_STORES) == 2
    assert server.stats.count("GET", routes.VECTOR_STORE_FILES) == 4, "2 pages, 2 stores"
    assert server.stats.count("GET") == server.stats.total == live.requests
    assert (live.complete, live.warnings, live.missing_endpoints) == (True, [], [])


def test_a_store_deleted_while_it_is_read_is_left_out(
    server: SandboxServer,
    connect_api: Connect,
    sdk: Callable[..., openai.OpenAI],
) -> None:
    client = sdk(server)
    [gone, kept] = make_stores(client, ["gone", "kept"], [])

    def managed(store: LiveVectorStore) -> bool:
        if store.id == gone:
            client.vector_stores.delete(gone)  # between the list and its files
        return True

    live = connect_api(server).knowledge().list_knowledge(managed)
    assert [s.id for s in live.vector_stores] == [kept]
    assert live.complete and live.missing_endpoints == []


class NoStoreFiles(AssistantsService):
    """A server with vector stores but without the list of their files."""

    def handle(
        self,
        method: str,
        path: str,
        query: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        body: bytes = b"",
    ) -> Response:
        if routes.match_route(path).route == routes.VECTOR_STORE_FILES:
            return Response(404, {"content-type": "application/json"}, b'{"detail":"Not Found"}')
        return super().handle(method, path, query, headers, body)


def test_stores_without_a_files_list_are_kept_and_the_listing_is_incomplete(
    connect_api: Connect, sdk: Callable[..., openai.OpenAI]
) -> None:
    with SandboxServer(NoStoreFiles()) as server:
        [store] = make_stores(sdk(server), ["kb"], [])
        live = connect_api(server).knowledge().list_knowledge(everything)
    assert [(s.id, s.files_listed) for s in live.vector_stores] == [(store, False)]
    assert live.missing_endpoints == [endpoints.VECTOR_STORE_FILES]
    assert not live.complete and "not their files" in live.warnings[0]


# --- retries: reads, updates and deletes by the policy; creates sent once --------------------


def test_a_list_page_that_fails_is_tried_again_by_the_policy_alone(
    server: SandboxServer,
    connect_api: Connect,
    sdk: Callable[..., openai.OpenAI],
) -> None:
    ids = upload_files(sdk(server), 3)
    server.faults = FailNumbered(failing={2, 3})  # the second page, twice
    server.stats.reset()
    clock = FakeClock(draw=0.5)
    connection = connect_api(server, policy=POLICY, clock=clock, max_retries=5)
    live = OpenAIKnowledge(connection, files_page=2).list_knowledge(everything)
    assert [f.id for f in live.files] == ids and live.complete
    assert server.stats.count("GET", routes.FILES) == 4, "page 1 once, page 2 three times"
    assert clock.slept == [0.25, 0.5]
    assert live.requests == server.stats.total


def test_a_429_waits_what_the_server_says(
    server: SandboxServer,
    connect_api: Connect,
    sdk: Callable[..., openai.OpenAI],
) -> None:
    upload_files(sdk(server), 1)
    server.faults = FailNumbered(throttled={1}, retry_after=7, retry_after_ms=30)
    clock = FakeClock()
    live = connect_api(server, policy=POLICY, clock=clock).knowledge().list_knowledge(nothing)
    assert len(live.files) == 1 and clock.slept == [0.03]


@pytest.mark.parametrize("fault", ["fail", "throttle"])
def test_an_upload_is_sent_once(
    make_api_server: Callable[..., SandboxServer],
    connect_api: Connect,
    tmp_path: Path,
    fault: str,
) -> None:
    failing = FailNumbered(failing={1}) if fault == "fail" else FailNumbered(throttled={1})
    server = make_api_server(faults=failing)
    path = tmp_path / "guide.md"
    path.write_bytes(b"# Guide\n")
    api = connect_api(server, policy=POLICY, clock=FakeClock(), max_retries=5).knowledge()
    with pytest.raises(ApiError, match=r"upload guide\.md: HTTP (500|429)"):
        api.upload(path, "guide.md")
    assert server.stats.count("POST", routes.FILES) == 1


def test_an_upload_whose_answer_was_lost_is_there_to_be_found(
    make_api_server: Callable[..., SandboxServer], connect_api: Connect, tmp_path: Path
) -> None:
    server = make_api_server(faults=Faults(lose_answer=nth("POST", routes.FILES, 1)))
    path = tmp_path / "guide.md"
    path.write_bytes(b"# Guide\n")
    api = connect_api(server, policy=POLICY, clock=FakeClock(), max_retries=5).knowledge()
    with pytest.raises(ApiError) as caught:
        api.upload(path, "guide.md")
    assert caught.value.ambiguous and caught.value.transient
    assert server.stats.count("POST", routes.FILES) == 1, "never retried blindly"
    [found] = api.list_files()
    assert (found.filename, found.bytes) == ("guide.md", 8)


def test_a_delete_is_retried_and_one_already_gone_is_done(
    server: SandboxServer,
    connect_api: Connect,
    sdk: Callable[..., openai.OpenAI],
) -> None:
    [first, second] = upload_files(sdk(server), 2)
    api = connect_api(server, policy=POLICY, clock=FakeClock(), max_retries=5).knowledge()
    server.faults = FailNumbered(failing={1})
    api.delete_file(first)
    assert server.stats.count("DELETE", routes.FILE) == 2
    # The first answer lost: the retry meets a 404, which is done.
    server.faults = Faults(lose_answer=nth("DELETE", routes.FILE, 1))
    api.delete_file(second)
    api.delete_file("file-neverexisted")
    assert api.list_files() == []


# --- vector stores: creates once, the rest retried ---------------------------------------------


def test_a_store_create_and_a_file_batch_are_sent_once(
    server: SandboxServer,
    connect_api: Connect,
    sdk: Callable[..., openai.OpenAI],
) -> None:
    [file_id] = upload_files(sdk(server), 1)
    [store] = make_stores(sdk(server), ["kb"], [])
    api = connect_api(server, policy=POLICY, clock=FakeClock(), max_retries=5).knowledge()
    server.faults = FailNumbered(failing=lambda n: True)
    server.stats.reset()
    with pytest.raises(ApiError, match="create vector store: HTTP 500"):
        api.create_vector_store({"name": "kb2"})
    with pytest.raises(ApiError, match=f"attach 1 file\\(s\\) to vector store {store}: HTTP 500"):
        api.attach_batch(store, [{"file_id": file_id}])
    assert server.stats.count("POST", routes.VECTOR_STORES) == 1
    assert server.stats.count("POST", routes.FILE_BATCHES) == 1


def test_updates_deletes_and_detaches_are_retried_and_gone_is_done(
    server: SandboxServer,
    connect_api: Connect,
    sdk: Callable[..., openai.OpenAI],
) -> None:
    client = sdk(server)
    [file_id] = upload_files(client, 1)
    [store] = make_stores(client, ["kb"], [file_id])
    api = connect_api(server, policy=POLICY, clock=FakeClock(), max_retries=5).knowledge()
    server.stats.reset()
    server.faults = FailNumbered(failing={1})
    assert api.update_vector_store(store, {"name": "KB"}).raw["name"] == "KB"
    server.faults = FailNumbered(failing={1})
    updated = api.update_attributes(store, file_id, {"team": "kb"})
    assert updated.attributes == {"team": "kb"}
    server.faults = FailNumbered(failing={1})
    api.detach(store, file_id)
    api.detach(store, file_id)  # not attached any more: done
    server.faults = FailNumbered(failing={1})
    api.delete_vector_store(store)
    api.delete_vector_store(store)  # gone: done
    assert server.stats.count("POST", routes.VECTOR_STORE) == 2
    assert server.stats.count("POST", routes.VECTOR_STORE_FILE) == 2
    assert server.stats.count("DELETE", routes.VECTOR_STORE_FILE) == 3
    assert server.stats.count("DELETE", routes.VECTOR_STORE) == 3
    with pytest.raises(ApiError, match=f"get vector store {store}: HTTP 404"):
        api.get_vector_store(store)


@pytest.mark.parametrize("count", [2, 12])  # a GET each for a few; one listing for many
def test_a_batch_attaches_with_attributes_and_chunking_and_its_files_are_watched(
    make_api_server: Callable[..., SandboxServer],
    connect_api: Connect,
    sdk: Callable[..., openai.OpenAI],
    count: int,
) -> None:
    server = make_api_server(faults=Faults(processing_seconds=10, fail_files="doc1.md"))
    clock = ServiceClock()
    server.service.clock = clock
    client = sdk(server)
    files = upload_files(client, count)
    [store] = make_stores(client, ["kb"], [])
    api = connect_api(server).knowledge()
    chunking = {
        "type": "static",
        "static": {"max_chunk_size_tokens": 800, "chunk_overlap_tokens": 400},
    }
    batch = api.attach_batch(
        store, [{"file_id": f, "attributes": {"n": n}} for n, f in enumerate(files)], chunking
    )
    assert batch
    statuses = api.file_statuses(store, [*files, "file-notattached"])
    assert sorted(statuses) == sorted(files)
    assert {s.status for s in statuses.values()} == {"in_progress"}
    clock.now += 11
    server.stats.reset()
    statuses = api.file_statuses(store, files)
    assert statuses[files[1]].status == "failed"
    assert statuses[files[1]].last_error is not None
    assert statuses[files[1]].last_error.startswith("invalid_file: ")
    assert {statuses[f].status for f in files if f != files[1]} == {"completed"}
    assert [statuses[f].attributes for f in files] == [{"n": n} for n in range(count)]
    assert statuses[files[0]].raw["chunking_strategy"] == chunking
    if count > 10:
        assert server.stats.counts == {("GET", routes.VECTOR_STORE_FILES): 1}
    else:
        assert server.stats.counts == {("GET", routes.VECTOR_STORE_FILE): count}


def test_a_batch_takes_at_most_2000_files(
    make_api_server: Callable[..., SandboxServer], connect_api: Connect
) -> None:
    api = connect_api(make_api_server()).knowledge()
    with pytest.raises(ValueError, match="1 to 2000 files, not 2001"):
        api.attach_batch("vs_x", [{"file_id": f"file-{n}"} for n in range(2001)])


def test_on_a_server_answering_403_for_unknown_ids_gone_is_done_too(
    make_api_server: Callable[..., SandboxServer],
    connect_api: Connect,
    sdk: Callable[..., openai.OpenAI],
) -> None:
    server = make_api_server(profile="lenient")  # unknown ids: 403 "No such File object"
    client = sdk(server)
    [file_id, kept] = upload_files(client, 2)
    [store] = make_stores(client, ["kb"], [file_id])
    api = connect_api(server, policy=POLICY, clock=FakeClock()).knowledge()
    server.faults = Faults(lose_answer=nth("DELETE", routes.FILE, 1))
    api.delete_file(file_id)  # lost answer, retried: 403, a GET 403 too, the list decides
    api.detach(store, file_id)
    api.detach(store, file_id)
    api.delete_vector_store(store)
    api.delete_vector_store(store)
    # Each of the four (deleting the file detached it already): a DELETE and a GET.
    assert server.stats.count(status=403) == 8
    assert [f.id for f in api.list_files()] == [kept]
    assert api.list_knowledge(everything).vector_stores == []


def test_a_403_for_something_still_there_stands(
    scripted_server: Callable[..., SandboxServer], connect_api: Connect
) -> None:
    server = scripted_server(403, {"error": {"message": "You may not delete this file."}})
    with pytest.raises(ApiError, match="delete file file-x: HTTP 403: You may not delete"):
        connect_api(server).knowledge().delete_file("file-x")


# --- errors: one line, never the key -------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda api, path: api.list_knowledge(everything),
        lambda api, path: api.upload(path, "a.md"),
        lambda api, path: api.delete_file("file-x"),
        lambda api, path: api.create_vector_store({"name": "kb"}),
        lambda api, path: api.attach_batch("vs_x", [{"file_id": "file-x"}]),
    ],
    ids=["list", "upload", "delete", "create-store", "attach"],
)
def test_a_401_that_echoes_the_key_does_not_show_it(
    scripted_server: Callable[..., SandboxServer],
    connect_api: Connect,
    tmp_path: Path,
    call: Callable[[OpenAIKnowledge, Path], object],
) -> None:
    from .conftest import FAKE_KEY

    server = scripted_server(401, {"error": {"message": f"Incorrect API key: {FAKE_KEY}."}})
    path = tmp_path / "a.md"
    path.write_bytes(b"a")
    with pytest.raises(ApiError) as caught:
        call(connect_api(server).knowledge(), path)
    text = assert_one_clean_line(caught.value)
    assert "HTTP 401" in text and "***" in text


# --- uploads stream from disk ----------------------------------------------------------------


def test_an_upload_sends_the_file_and_reports_each_chunk(
    make_api_server: Callable[..., SandboxServer], connect_api: Connect, tmp_path: Path
) -> None:
    server = make_api_server(profile="lenient")  # lenient lets assistants files be read back
    data = bytes(range(256)) * 1024  # 256 KiB, every byte value
    path = tmp_path / "blob.bin"
    path.write_bytes(data)
    heard: list[int] = []
    api = connect_api(server).knowledge()
    uploaded = api.upload(path, "kb/blob.bin", on_bytes=heard.append)
    assert (uploaded.filename, uploaded.bytes) == ("kb/blob.bin", len(data))
    assert sum(heard) == len(data) and len(heard) > 1
    content = openai.OpenAI(base_url=server.base_url, api_key="k").files.content(uploaded.id)
    assert content.read() == data


class _Discard(BaseHTTPRequestHandler):
    """Reads an upload 64 KiB at a time and forgets it: the server holds nothing either."""

    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        left = total = int(self.headers["content-length"])
        while left:
            left -= len(self.rfile.read(min(left, 65536)))
        body = json.dumps(
            {
                "id": "file-big",
                "object": "file",
                "bytes": total,
                "created_at": 1,
                "filename": "big.bin",
                "purpose": "assistants",
                "status": "processed",
            }
        ).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


def test_an_upload_streams_from_disk(connect_api: Connect, tmp_path: Path) -> None:
    size = 50 * 1024 * 1024
    path = tmp_path / "big.bin"
    with path.open("wb") as file:
        file.truncate(size)  # sparse: no 50 MB written to the disk
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Discard)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        api = connect_api(f"http://127.0.0.1:{server.server_port}/v1").knowledge()
        heard: list[int] = []
        tracemalloc.start()
        try:
            uploaded = api.upload(path, "big.bin", on_bytes=heard.append)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    finally:
        server.shutdown()
        server.server_close()
    assert uploaded.bytes > size, "the multipart body: the file and its headers"
    assert sum(heard) == size and max(heard) <= 64 * 1024
    assert peak < 8 * 1024 * 1024, f"peak {peak} bytes: the file was held in memory"


def test_a_commands_connection_gives_its_knowledge_on_the_same_client(tmp_path: Path) -> None:
    from assistform.api.connect import ServerOptions, connect

    connection = connect(ServerOptions(sandbox=True, retry=POLICY), tmp_path)
    knowledge = connection.knowledge()
    path = tmp_path / "a.md"
    path.write_bytes(b"# A\n")
    uploaded = knowledge.upload(path, "a.md")
    live = knowledge.list_knowledge(everything)
    assert [f.id for f in live.files] == [uploaded.id]
    assert knowledge.connection is connection and connection.policy == POLICY
    assert connection.requests == 1 + live.requests, "one connection counts every request"
