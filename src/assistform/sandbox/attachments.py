"""Files attached to vector stores: what a single attach, a file batch and a vector store
created with `file_ids` share (rules 34-38 of `defaults.py`)."""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping, Sequence
from typing import Any

from assistform.sandbox import defaults
from assistform.sandbox.handling import Refusal, Server, refuse_not_found
from assistform.sandbox.knowledge_store import (
    KnowledgeStore,
    StoredFile,
    StoredVectorStore,
    StoredVectorStoreFile,
)
from assistform.sandbox.processing import file_status, last_error, resolved_chunking, usage_bytes
from assistform.sandbox.profiles import Failure, Problem
from assistform.sandbox.validation import Path


def existing_vector_store(store: KnowledgeStore, vector_store_id: str) -> StoredVectorStore:
    found = store.get(StoredVectorStore, vector_store_id)
    if found is None:
        raise refuse_not_found(defaults.vector_store_not_found_message(vector_store_id))
    return found


def existing_files(store: KnowledgeStore, file_ids: Sequence[str], param: Path) -> list[StoredFile]:
    """The files of a batch or a new store: every id unknown is named in one 400."""
    found = [store.get(StoredFile, file_id) for file_id in file_ids]
    missing = [file_id for file_id, f in zip(file_ids, found, strict=True) if f is None]
    if missing:
        raise Refusal(
            Failure(
                Problem.INVALID,
                defaults.files_not_found_message(missing),
                param,
                "invalid_value",
            )
        )
    return [f for f in found if f is not None]


def existing_file(store: KnowledgeStore, file_id: str) -> StoredFile:
    """The file of a single attach: an unknown id is a 404."""
    found = store.get(StoredFile, file_id)
    if found is None:
        raise refuse_not_found(defaults.attach_file_not_found_message(file_id), "file_id")
    return found


def attachment(
    server: Server,
    store: KnowledgeStore,
    vector_store_id: str,
    file: StoredFile,
    *,
    attributes: Mapping[str, Any] | None,
    chunking_strategy: Any,
    batch_id: str | None = None,
) -> StoredVectorStoreFile:
    """The record that attaches (or attaches again: processing starts over) one file; the
    caller stores it, holding the store's lock, once it has checked that the vector store
    exists."""
    now = server.clock()
    glob = server.faults.fail_files
    failing = glob is not None and fnmatch.fnmatchcase(file.filename, glob)
    return StoredVectorStoreFile(
        vector_store_id=vector_store_id,
        file_id=file.id,
        created_at=int(server.profile.timestamp(now)),
        seq=store.next_seq(),
        ready_at=now + server.faults.processing_seconds,
        outcome="failed" if failing else "completed",
        attributes=dict(attributes) if attributes is not None else None,
        chunking_strategy=resolved_chunking(chunking_strategy),
        usage_bytes=file.bytes,
        batch_id=batch_id,
    )


def files_of(store: KnowledgeStore, vector_store_id: str) -> list[StoredVectorStoreFile]:
    return [f for f in store.all(StoredVectorStoreFile) if f.vector_store_id == vector_store_id]


def render_vector_store_file(attached: StoredVectorStoreFile, now: float) -> dict[str, Any]:
    return {
        "id": attached.file_id,
        "object": "vector_store.file",
        "usage_bytes": usage_bytes(attached, now),
        "created_at": attached.created_at,
        "vector_store_id": attached.vector_store_id,
        "status": file_status(attached, now),
        "last_error": last_error(attached, now),
        "chunking_strategy": dict(attached.chunking_strategy),
        "attributes": dict(attached.attributes or {}),
    }
