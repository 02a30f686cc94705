"""/v1/vector_stores/{id}/files: attach one file, list (filter by status), retrieve,
update attributes, delete (= detach; the file itself stays)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from assistform.sandbox import defaults, routes
from assistform.sandbox.attachments import (
    attachment,
    existing_file,
    existing_vector_store,
    files_of,
    render_vector_store_file,
)
from assistform.sandbox.faults import Body
from assistform.sandbox.handling import (
    Answer,
    Exchange,
    Server,
    checked_body,
    checked_query,
    list_answer,
    refuse_invalid,
    refuse_not_found,
)
from assistform.sandbox.knowledge_store import (
    KnowledgeStore,
    StoredVectorStoreFile,
    vector_store_file_key,
)
from assistform.sandbox.knowledge_validation import (
    validate_attributes_update,
    validate_status_filter,
    validate_vector_store_file_create,
)
from assistform.sandbox.processing import file_status


class VectorStoreFilesHandler:
    def __init__(self, server: Server, store: KnowledgeStore) -> None:
        self.server = server
        self.store = store

    def handle(self, exchange: Exchange) -> Answer:
        vector_store_id = exchange.params["vector_store_id"]
        method = exchange.method
        if exchange.route == routes.VECTOR_STORE_FILES:
            if method == "GET":
                existing_vector_store(self.store, vector_store_id)
                files = files_of(self.store, vector_store_id)
                return list_files(self.server, self.store, vector_store_id, files, exchange.query)
            return self._create(vector_store_id, exchange.body)
        file_id = exchange.params["file_id"]
        if method == "GET":
            return self._render(self._existing(vector_store_id, file_id))
        if method == "POST":
            return self._update(vector_store_id, file_id, exchange.body)
        return self._delete(vector_store_id, file_id)

    def _existing(self, vector_store_id: str, file_id: str) -> StoredVectorStoreFile:
        existing_vector_store(self.store, vector_store_id)
        found = self.store.get(
            StoredVectorStoreFile, vector_store_file_key(vector_store_id, file_id)
        )
        if found is None:
            raise refuse_not_found(
                defaults.vector_store_file_not_found_message(file_id, vector_store_id)
            )
        return found

    def _create(self, vector_store_id: str, raw: Body) -> Answer:
        body = checked_body(raw, validate_vector_store_file_create)
        with self.store.lock:
            existing_vector_store(self.store, vector_store_id)
            attached = attachment(
                self.server,
                self.store,
                vector_store_id,
                existing_file(self.store, body["file_id"]),
                attributes=body.get("attributes"),
                chunking_strategy=body.get("chunking_strategy"),
            )
            self.store.put(attached)
        return self._render(attached)

    def _update(self, vector_store_id: str, file_id: str, raw: Body) -> Answer:
        body = checked_body(raw, validate_attributes_update)
        with self.store.lock:
            current = self._existing(vector_store_id, file_id)
            attributes = body["attributes"]
            updated = dataclasses.replace(
                current, attributes=dict(attributes) if attributes is not None else None
            )
            self.store.put(updated)
        return self._render(updated)

    def _delete(self, vector_store_id: str, file_id: str) -> Answer:
        with self.store.lock:
            found = self._existing(vector_store_id, file_id)
            self.store.remove(StoredVectorStoreFile, found.key)
        return {"id": file_id, "object": "vector_store.file.deleted", "deleted": True}

    def _render(self, attached: StoredVectorStoreFile) -> Answer:
        return render_vector_store_file(attached, self.server.clock())


def list_files(
    server: Server,
    store: KnowledgeStore,
    vector_store_id: str,
    files: list[StoredVectorStoreFile],
    query: Mapping[str, str],
) -> Answer:
    """A page of a store's (or a batch's) files, `filter` by status. A cursor may name a
    file filtered out or detached since: its place in the store still counts (rule 23)."""
    parsed = checked_query(query)
    invalid = validate_status_filter(query)
    if invalid is not None:
        raise refuse_invalid(invalid, location="query", input=query.get("filter"))
    now = server.clock()
    wanted = query.get("filter")
    if wanted is not None:
        files = [f for f in files if file_status(f, now) == wanted]
    return list_answer(
        server,
        files,
        parsed,
        position_of=lambda file_id: store.position_of(
            StoredVectorStoreFile, vector_store_file_key(vector_store_id, file_id)
        ),
        render=lambda attached: render_vector_store_file(attached, now),
        noun="file",
    )
