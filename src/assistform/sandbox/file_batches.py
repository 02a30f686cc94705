"""/v1/vector_stores/{id}/file_batches: create (`file_ids`, or `files` each with its own
attributes and chunking), retrieve, cancel, list the batch's files (rule 38)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from assistform.sandbox import defaults, routes
from assistform.sandbox.attachments import (
    attachment,
    existing_files,
    existing_vector_store,
    files_of,
)
from assistform.sandbox.faults import Body
from assistform.sandbox.handling import (
    Answer,
    Exchange,
    Server,
    checked_body,
    refuse_not_found,
)
from assistform.sandbox.knowledge_store import KnowledgeStore, StoredBatch, StoredVectorStoreFile
from assistform.sandbox.knowledge_validation import validate_batch_create
from assistform.sandbox.processing import batch_status, file_counts, file_status
from assistform.sandbox.vector_store_files import list_files


class FileBatchesHandler:
    def __init__(self, server: Server, store: KnowledgeStore) -> None:
        self.server = server
        self.store = store

    def handle(self, exchange: Exchange) -> Answer:
        vector_store_id = exchange.params["vector_store_id"]
        if exchange.route == routes.FILE_BATCHES:
            return self._create(vector_store_id, exchange.body)
        batch = self._existing(vector_store_id, exchange.params["batch_id"])
        if exchange.route == routes.FILE_BATCH_CANCEL:
            return self._cancel(batch)
        if exchange.route == routes.FILE_BATCH_FILES:
            files = self._files(batch)
            return list_files(self.server, self.store, vector_store_id, files, exchange.query)
        return self.render(batch)

    def _existing(self, vector_store_id: str, batch_id: str) -> StoredBatch:
        existing_vector_store(self.store, vector_store_id)
        found = self.store.get(StoredBatch, batch_id)
        if found is None or found.vector_store_id != vector_store_id:
            raise refuse_not_found(defaults.batch_not_found_message(batch_id, vector_store_id))
        return found

    def _create(self, vector_store_id: str, raw: Body) -> Answer:
        body = checked_body(raw, validate_batch_create)
        entries: list[Mapping[str, Any]]
        if "files" in body:
            # Each entry's own attributes and chunking; the batch-wide ones are ignored.
            entries = list(body["files"])
            param: tuple[str, ...] = ("files",)
        else:
            shared = {k: body[k] for k in ("attributes", "chunking_strategy") if k in body}
            entries = [{"file_id": file_id, **shared} for file_id in body["file_ids"]]
            param = ("file_ids",)
        with self.store.lock:
            existing_vector_store(self.store, vector_store_id)
            files = existing_files(self.store, [e["file_id"] for e in entries], param)
            now = self.server.clock()
            batch = StoredBatch(
                id=defaults.random_id(defaults.FILE_BATCH_ID_PREFIX),
                vector_store_id=vector_store_id,
                created_at=int(self.server.profile.timestamp(now)),
                seq=self.store.next_seq(),
            )
            attached = [
                attachment(
                    self.server,
                    self.store,
                    vector_store_id,
                    file,
                    attributes=entry.get("attributes"),
                    chunking_strategy=entry.get("chunking_strategy"),
                    batch_id=batch.id,
                )
                for entry, file in zip(entries, files, strict=True)
            ]
            self.store.put_many([batch, *attached])
        return self.render(batch)

    def _cancel(self, batch: StoredBatch) -> Answer:
        with self.store.lock:
            now = self.server.clock()
            files = self._files(batch)
            pending = [f for f in files if file_status(f, now) == "in_progress"]
            # A batch whose files are all done has nothing to cancel: it stays as it is.
            if pending:
                batch = dataclasses.replace(batch, cancelled=True)
                cancelled = {
                    f.file_id: dataclasses.replace(f, outcome="cancelled") for f in pending
                }
                self.store.put_many([batch, *cancelled.values()])
                files = [cancelled.get(f.file_id, f) for f in files]
        return self.render(batch, files)

    def _files(self, batch: StoredBatch) -> list[StoredVectorStoreFile]:
        return [f for f in files_of(self.store, batch.vector_store_id) if f.batch_id == batch.id]

    def render(
        self, batch: StoredBatch, files: Sequence[StoredVectorStoreFile] | None = None
    ) -> dict[str, Any]:
        """`files`: the batch's files, when the caller has them."""
        if files is None:
            files = self._files(batch)
        counts = file_counts(files, self.server.clock())
        return {
            "id": batch.id,
            "object": "vector_store.files_batch",
            "created_at": batch.created_at,
            "vector_store_id": batch.vector_store_id,
            "status": batch_status(batch, counts),
            "file_counts": counts,
        }
