"""`OpenAIKnowledge`: the `KnowledgeApi` (files and vector stores) over the official SDK's
`client.files` and `client.vector_stores`, on the connection of an `OpenAIAssistants`.

It sends every request through that connection (`OpenAIAssistants.send`): the same SDK
client with its own retries off, the same `RetryPolicy` for each GET, update and delete,
the same one-line `ApiError`s with the connection's secrets masked. A create (an upload, a
vector store, a file batch) is sent once: its caller looks for what a lost answer made
before it tries again.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, BinaryIO, Final, cast

from assistform.api.client import OpenAIAssistants, raw_dict
from assistform.api.paging import Fetch, Listing, Order, page_query, read_all
from assistform.errors import ApiError
from assistform.knowledge import endpoints
from assistform.knowledge.api import KnowledgeApi
from assistform.knowledge.live import LiveFile, LiveKnowledge, LiveVectorStore, LiveVectorStoreFile
from assistform.limits import LIST_LIMIT_MAX

#: The files list takes up to 10,000 a page (the official spec; its default too).
FILES_PAGE = 10_000
#: Vector stores and a store's files: at most 100 a page.
STORES_PAGE = LIST_LIMIT_MAX
#: The most files one file batch takes.
BATCH_MAX = 2_000
#: Up to this many files, `file_statuses` asks for each; beyond, it lists the store.
STATUS_GETS_MAX = 10
PURPOSE: Final = "assistants"
#: What a server without an endpoint answers for it.
MISSING_STATUSES = (404, 405)


class OpenAIKnowledge:
    """`knowledge.api.KnowledgeApi` over the SDK, on `connection`'s client and policy."""

    def __init__(
        self, connection: OpenAIAssistants, *, files_page: int = FILES_PAGE, page: int = STORES_PAGE
    ) -> None:
        self.connection = connection
        #: Items a page asked for: files, and the rest (vector stores, a store's files).
        self.files_page = files_page
        self.page = page

    # -- listing ---------------------------------------------------------------------------

    def list_knowledge(self, managed: Callable[[LiveVectorStore], bool]) -> LiveKnowledge:
        """Every file of purpose `assistants` and every vector store; the files of each store
        `managed` accepts. An endpoint the server does not have is recorded in
        `missing_endpoints`, not raised: only a plan that needs it refuses."""
        live = LiveKnowledge()
        # Every request of the listing, retries included, goes through the connection,
        # which counts each attempt; nothing else sends on it meanwhile.
        before = self.connection.requests
        files = self._listing(live, endpoints.FILES, self._files_fetch(), "file", self.files_page)
        if files is not None:
            live.files = [_file(item) for item in files.items if _for_assistants(item)]
        stores = self._listing(
            live, endpoints.VECTOR_STORES, self._stores_fetch(), "vector store", self.page
        )
        for item in stores.items if stores is not None else ():
            store = LiveVectorStore(item.id, raw_dict(item))
            if managed(store):
                listed = self._store_with_files(live, store)
                if listed is None:
                    continue  # deleted between the two requests
                store = listed
            live.vector_stores.append(store)
        live.requests = self.connection.requests - before
        return live

    def list_files(self) -> list[LiveFile]:
        """Every file of purpose `assistants`; an `ApiError` when the listing cannot be sure
        it saw them all (the caller is looking for one a lost answer made)."""
        listing = read_all(self._files_fetch(), noun="file", limit=self.files_page)
        return [
            _file(item) for item in _complete("list files", listing).items if _for_assistants(item)
        ]

    def list_vector_store_files(self, vector_store_id: str) -> list[LiveVectorStoreFile]:
        """Every file of the store; an `ApiError` when the listing cannot be sure it saw
        them all."""
        listing = read_all(self._store_files_fetch(vector_store_id), noun="file", limit=self.page)
        what = f"list files of vector store {vector_store_id}"
        return [_store_file(item) for item in _complete(what, listing).items]

    @staticmethod
    def _listing(
        live: LiveKnowledge, endpoint: str, fetch: Fetch, noun: str, limit: int
    ) -> Listing | None:
        """The whole list, its doubts in `live`; None when the server lacks `endpoint`."""
        try:
            listing = read_all(_first_page_missing(fetch), noun=noun, limit=limit)
        except _Missing:
            live.missing_endpoints.append(endpoint)
            return None
        _note(live, listing)
        return listing

    def _store_with_files(
        self, live: LiveKnowledge, store: LiveVectorStore
    ) -> LiveVectorStore | None:
        fetch = _first_page_missing(self._store_files_fetch(store.id))
        try:
            listing = read_all(fetch, noun=f"file of vector store {store.id}", limit=self.page)
        except _Missing:
            # Either the store went away since it was listed, or the server has stores
            # but not their files: which one, a GET of the store tells.
            gone = self._gone(
                lambda: self.connection.send(
                    f"get vector store {store.id}",
                    lambda: self.connection.sdk().vector_stores.retrieve(store.id),
                )
            )
            if gone:
                return None
            if endpoints.VECTOR_STORE_FILES not in live.missing_endpoints:
                live.missing_endpoints.append(endpoints.VECTOR_STORE_FILES)
            live.complete = False
            live.warnings.append(
                f"the server lists vector stores but not their files ({store.id}): "
                "what they hold is unknown"
            )
            return store
        _note(live, listing)
        files = tuple(_store_file(item) for item in listing.items)
        return LiveVectorStore(store.id, store.raw, files, files_listed=True)

    def _files_fetch(self) -> Fetch:
        def fetch(order: Order, after: str | None) -> Any:
            query = page_query(self.files_page, order, after)
            return self.connection.send(
                "list files", lambda: self.connection.sdk().files.list(purpose=PURPOSE, **query)
            )

        return fetch

    def _stores_fetch(self) -> Fetch:
        def fetch(order: Order, after: str | None) -> Any:
            query = page_query(self.page, order, after)
            return self.connection.send(
                "list vector stores", lambda: self.connection.sdk().vector_stores.list(**query)
            )

        return fetch

    def _store_files_fetch(self, vector_store_id: str) -> Fetch:
        def fetch(order: Order, after: str | None) -> Any:
            query = page_query(self.page, order, after)
            return self.connection.send(
                f"list files of vector store {vector_store_id}",
                lambda: self.connection.sdk().vector_stores.files.list(vector_store_id, **query),
            )

        return fetch

    # -- files -----------------------------------------------------------------------------

    def upload(
        self, path: Path, filename: str, *, on_bytes: Callable[[int], None] | None = None
    ) -> LiveFile:
        """Upload `path` as `filename`, streamed: the SDK hands the open file to httpx,
        which reads it 64 KiB at a time as it sends. Sent once."""
        with path.open("rb") as file:
            # A RawIOBase is an IO[bytes] to the SDK, not to typeshed.
            body = file if on_bytes is None else cast(IO[bytes], _ReadCounter(file, on_bytes))
            created = self.connection.send(
                f"upload {filename}",
                lambda: self.connection.sdk().files.create(file=(filename, body), purpose=PURPOSE),
                retry=False,
            )
        return _file(created)

    def delete_file(self, file_id: str) -> None:
        sdk = self.connection.sdk
        self._delete(
            f"delete file {file_id}",
            lambda: sdk().files.delete(file_id),
            lambda: sdk().files.retrieve(file_id),
            lambda: file_id in {f.id for f in self.list_files()},
        )

    # -- vector stores ---------------------------------------------------------------------

    def get_vector_store(self, vector_store_id: str) -> LiveVectorStore:
        found = self.connection.send(
            f"get vector store {vector_store_id}",
            lambda: self.connection.sdk().vector_stores.retrieve(vector_store_id),
        )
        return LiveVectorStore(found.id, raw_dict(found))

    def create_vector_store(self, body: Mapping[str, Any]) -> LiveVectorStore:
        created = self.connection.send(
            "create vector store",
            lambda: self.connection.sdk().vector_stores.create(**body),
            retry=False,
        )
        return LiveVectorStore(created.id, raw_dict(created))

    def update_vector_store(self, vector_store_id: str, body: Mapping[str, Any]) -> LiveVectorStore:
        """Retried: the same modify sent again changes nothing more."""
        updated = self.connection.send(
            f"update vector store {vector_store_id}",
            lambda: self.connection.sdk().vector_stores.update(vector_store_id, **body),
        )
        return LiveVectorStore(updated.id, raw_dict(updated))

    def delete_vector_store(self, vector_store_id: str) -> None:
        sdk = self.connection.sdk
        self._delete(
            f"delete vector store {vector_store_id}",
            lambda: sdk().vector_stores.delete(vector_store_id),
            lambda: sdk().vector_stores.retrieve(vector_store_id),
            lambda: vector_store_id in self._store_ids(),
        )

    # -- a vector store's files ------------------------------------------------------------

    def attach_batch(
        self,
        vector_store_id: str,
        files: Sequence[Mapping[str, Any]],
        chunking_strategy: Mapping[str, Any] | None = None,
    ) -> str:
        """One file batch of `files` (`{file_id, attributes}`). With `files`, the API ignores
        a batch-wide `chunking_strategy`, so it goes into each file that has none."""
        if not 1 <= len(files) <= BATCH_MAX:
            raise ValueError(f"a file batch takes 1 to {BATCH_MAX} files, not {len(files)}")
        entries = [
            {"chunking_strategy": dict(chunking_strategy), **entry}
            if chunking_strategy is not None
            else dict(entry)
            for entry in files
        ]
        batch = self.connection.send(
            f"attach {len(entries)} file(s) to vector store {vector_store_id}",
            lambda: self.connection.sdk().vector_stores.file_batches.create(
                vector_store_id,
                files=entries,  # type: ignore[arg-type]  # plain dicts of the same shape
            ),
            retry=False,
        )
        return str(batch.id)

    def update_attributes(
        self, vector_store_id: str, file_id: str, attributes: Mapping[str, Any]
    ) -> LiveVectorStoreFile:
        updated = self.connection.send(
            f"update attributes of file {file_id} in vector store {vector_store_id}",
            lambda: self.connection.sdk().vector_stores.files.update(
                file_id, vector_store_id=vector_store_id, attributes=dict(attributes)
            ),
        )
        return _store_file(updated)

    def detach(self, vector_store_id: str, file_id: str) -> None:
        """Also done when the store itself is gone."""
        sdk = self.connection.sdk
        self._delete(
            f"detach file {file_id} from vector store {vector_store_id}",
            lambda: sdk().vector_stores.files.delete(file_id, vector_store_id=vector_store_id),
            lambda: sdk().vector_stores.files.retrieve(file_id, vector_store_id=vector_store_id),
            lambda: file_id in {f.id for f in self.list_vector_store_files(vector_store_id)},
        )

    def file_statuses(
        self, vector_store_id: str, file_ids: Collection[str]
    ) -> dict[str, LiveVectorStoreFile]:
        """Each of `file_ids` the store holds (one not attached is left out): a GET each for
        a few, else one listing of the store."""
        wanted = set(file_ids)
        if len(wanted) > STATUS_GETS_MAX:
            listed = self.list_vector_store_files(vector_store_id)
            return {f.id: f for f in listed if f.id in wanted}
        statuses = {}
        for file_id in sorted(wanted):
            found = self._store_file_or_none(vector_store_id, file_id)
            if found is not None:
                statuses[file_id] = found
        return statuses

    def _store_file_or_none(self, vector_store_id: str, file_id: str) -> LiveVectorStoreFile | None:
        try:
            found = self.connection.send(
                f"get file {file_id} of vector store {vector_store_id}",
                lambda: self.connection.sdk().vector_stores.files.retrieve(
                    file_id, vector_store_id=vector_store_id
                ),
            )
        except ApiError as error:
            if error.status != 404:
                raise
            return None
        return _store_file(found)

    # -- shared ----------------------------------------------------------------------------

    def _delete(
        self,
        what: str,
        delete: Callable[[], object],
        get: Callable[[], object],
        listed: Callable[[], bool],
    ) -> None:
        """`delete()`, retried; one already gone is done. A delete whose first answer was
        lost meets a 404 when sent again. Some servers answer 403 for an id they do not
        know: a GET that still finds it makes the 403 a real refusal; only when the GET is
        refused too does a listing (`listed`: is it there?) decide, and a listing that
        cannot be sure (an `ApiError`) decides nothing: the 403 stands."""
        try:
            self.connection.send(what, delete)
        except ApiError as error:
            if error.status == 404:
                return
            if error.status != 403:
                raise
            try:
                if self._gone(lambda: self.connection.send(f"{what} (look)", get)):
                    return
            except ApiError as again:
                if again.status != 403:
                    raise error from None
            else:
                raise
            try:
                if not listed():
                    return
            except ApiError as unsure:
                if unsure.status != 404:  # the store itself is gone
                    raise error from None
                return
            raise

    def _store_ids(self) -> set[str]:
        listing = read_all(self._stores_fetch(), noun="vector store", limit=self.page)
        return {item.id for item in _complete("list vector stores", listing).items}

    @staticmethod
    def _gone(request: Callable[[], object]) -> bool:
        """Run `request`; True when it met a 404 (a delete whose first answer was lost meets
        one when sent again: done all the same)."""
        try:
            request()
        except ApiError as error:
            if error.status != 404:
                raise
            return True
        return False


class _Missing(Exception):
    """The first page of a listing answered as a server without the endpoint does."""


def _first_page_missing(fetch: Fetch) -> Fetch:
    """`fetch`, raising `_Missing` when its very first page is a 404 or 405 (later pages'
    refusals are ordinary errors: the endpoint was there a moment ago)."""
    asked: list[bool] = []

    def first(order: Order, after: str | None) -> Any:
        try:
            return fetch(order, after)
        except ApiError as error:
            if not asked and error.status in MISSING_STATUSES:
                raise _Missing from None
            raise
        finally:
            asked.append(True)

    return first


def _note(live: LiveKnowledge, listing: Listing) -> None:
    live.warnings.extend(listing.warnings())
    if not listing.complete:
        live.complete = False


def _complete(what: str, listing: Listing) -> Listing:
    if not listing.complete:
        raise ApiError(f"{what}: the listing may be incomplete: {listing.gap}")
    return listing


def _for_assistants(item: Any) -> bool:
    # A server that ignores the `purpose` filter serves every file.
    return getattr(item, "purpose", None) in (PURPOSE, None)


def _file(item: Any) -> LiveFile:
    raw = raw_dict(item)
    return LiveFile(
        id=str(item.id),
        filename=str(raw.get("filename") or ""),
        bytes=int(raw.get("bytes") or 0),
        created_at=int(raw.get("created_at") or 0),
        raw=raw,
    )


def _store_file(item: Any) -> LiveVectorStoreFile:
    raw = raw_dict(item)
    error = raw.get("last_error")
    last_error = None
    if isinstance(error, dict) and error:
        last_error = ": ".join(str(error[k]) for k in ("code", "message") if error.get(k))
    attributes = raw.get("attributes")
    return LiveVectorStoreFile(
        id=str(item.id),
        status=str(raw.get("status") or ""),
        attributes=dict(attributes) if isinstance(attributes, dict) else {},
        last_error=last_error or None,
        raw=raw,
    )


class _ReadCounter(io.RawIOBase):
    """`file` as httpx reads it, telling `on_bytes` of each chunk read; its length comes
    from the open file (fstat), so nothing is read to learn it."""

    def __init__(self, file: BinaryIO, on_bytes: Callable[[int], None]) -> None:
        super().__init__()
        self._file = file
        self._on_bytes = on_bytes

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        read = self._file.readinto(buffer)  # type: ignore[attr-defined]
        if read:
            self._on_bytes(read)
        return int(read or 0)

    def seekable(self) -> bool:
        return self._file.seekable()

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self._file.seek(offset, whence)

    def tell(self) -> int:
        return self._file.tell()

    def fileno(self) -> int:
        return self._file.fileno()


if TYPE_CHECKING:
    # mypy holds the class to the interface plan and apply use.
    _IMPLEMENTS: type[KnowledgeApi] = OpenAIKnowledge
