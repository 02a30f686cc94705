"""/v1/vector_stores: create (optionally with files), list, retrieve, modify, delete
(rules 32-35 of `defaults.py`)."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
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
    checked_query,
    list_answer,
)
from assistform.sandbox.knowledge_store import (
    KnowledgeStore,
    StoredBatch,
    StoredVectorStore,
    StoredVectorStoreFile,
)
from assistform.sandbox.knowledge_validation import (
    validate_vector_store_create,
    validate_vector_store_modify,
)
from assistform.sandbox.processing import expires_at, file_counts, store_status, usage_bytes


class VectorStoresHandler:
    def __init__(self, server: Server, store: KnowledgeStore) -> None:
        self.server = server
        self.store = store

    def handle(self, exchange: Exchange) -> Answer:
        method = exchange.method
        if exchange.route == routes.VECTOR_STORES:
            return self._list(exchange.query) if method == "GET" else self._create(exchange.body)
        vector_store_id = exchange.params["vector_store_id"]
        if method == "GET":
            return self.render(existing_vector_store(self.store, vector_store_id))
        if method == "POST":
            return self._modify(vector_store_id, exchange.body)
        return self._delete(vector_store_id)

    def _create(self, raw: Body) -> Answer:
        body = checked_body(raw, validate_vector_store_create)
        now = self.server.clock()
        created_at = int(self.server.profile.timestamp(now))
        with self.store.lock:
            files = existing_files(self.store, body.get("file_ids") or [], ("file_ids",))
            created = StoredVectorStore(
                id=defaults.mint_vector_store_id(),
                created_at=created_at,
                seq=self.store.next_seq(),
                name=body.get("name"),
                description=body.get("description"),
                metadata=dict(body.get("metadata") or {}),
                expires_after=body.get("expires_after"),
                last_active_at=created_at,
            )
            attached = [
                attachment(
                    self.server,
                    self.store,
                    created.id,
                    file,
                    attributes=None,
                    chunking_strategy=body.get("chunking_strategy"),
                )
                for file in files
            ]
            self.store.put_many([created, *attached])
        return self.render(created)

    def _modify(self, vector_store_id: str, raw: Body) -> Answer:
        body = checked_body(raw, validate_vector_store_modify)
        with self.store.lock:
            current = existing_vector_store(self.store, vector_store_id)
            changes: dict[str, Any] = {}
            if "name" in body:
                changes["name"] = body["name"]
            if "metadata" in body:
                changes["metadata"] = dict(body["metadata"] or {})
            if "expires_after" in body:
                changes["expires_after"] = body["expires_after"]
            changes["last_active_at"] = int(self.server.profile.timestamp(self.server.clock()))
            modified = dataclasses.replace(current, **changes)
            self.store.put(modified)
        return self.render(modified)

    def _delete(self, vector_store_id: str) -> Answer:
        with self.store.lock:
            stored = existing_vector_store(self.store, vector_store_id)
            batches = [
                b for b in self.store.all(StoredBatch) if b.vector_store_id == vector_store_id
            ]
            self.store.remove_many([*files_of(self.store, vector_store_id), *batches, stored])
        return {"id": vector_store_id, "object": "vector_store.deleted", "deleted": True}

    def _list(self, query: Mapping[str, str]) -> Answer:
        stores = self.store.all(StoredVectorStore)
        checked = checked_query(query)
        # The attachments grouped once, not gathered again for each store of the page; read
        # after the stores, as each store's rendering read them, so a store listed shows
        # the files it was created with.
        attached: dict[str, list[StoredVectorStoreFile]] = defaultdict(list)
        for file in self.store.all(StoredVectorStoreFile):
            attached[file.vector_store_id].append(file)
        return list_answer(
            self.server,
            stores,
            checked,
            position_of=lambda key: self.store.position_of(StoredVectorStore, key),
            render=lambda stored: self.render(stored, attached.get(stored.id, [])),
            noun="vector store",
        )

    def render(
        self, stored: StoredVectorStore, files: Sequence[StoredVectorStoreFile] | None = None
    ) -> dict[str, Any]:
        """`files`: the store's attachments, when the caller has them."""
        now = self.server.clock()
        if files is None:
            files = files_of(self.store, stored.id)
        counts = file_counts(files, now)
        rendered: dict[str, Any] = {
            "id": stored.id,
            "object": "vector_store",
            "created_at": stored.created_at,
            "name": stored.name if stored.name is not None else "",
            "usage_bytes": sum(usage_bytes(f, now) for f in files),
            "file_counts": counts,
            "status": store_status(stored, counts, now),
            "last_active_at": stored.last_active_at,
            "metadata": dict(stored.metadata),
            "expires_at": expires_at(stored),
        }
        if stored.expires_after is not None:
            rendered["expires_after"] = dict(stored.expires_after)
        return rendered
