"""Hand-made inputs of the knowledge planner: repository files, vector store specs, a state,
live files and stores. No server, no disk.

Live stores and their files are written the way apply leaves them (our tag in metadata,
our attributes on each file), so "in sync" inputs plan nothing.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from assistform.knowledge.desired import (
    DesiredAttachment,
    DesiredFile,
    DesiredKnowledge,
    DesiredVectorStore,
)
from assistform.knowledge.live import LiveFile, LiveKnowledge, LiveVectorStore, LiveVectorStoreFile
from assistform.knowledge.tags import file_attributes
from assistform.ownership import TAG_KEY, OwnershipTag
from assistform.plan.knowledge import KnowledgeOptions, KnowledgePlan, plan_knowledge
from assistform.plan.vector_stores import desired_config
from assistform.state import AttachedFile, FileRecord, State, UploadIntent, VectorStoreRecord

from .build import LINEAGE

#: When intents were begun, and when the server says uploads were made.
STARTED = 1_800_000_000.0


def sha(content: str) -> str:
    return hashlib.sha256(content.encode()).hexdigest()


def dfile(path: str, content: str = "v1") -> DesiredFile:
    """A repository file of `content` (its size is the content's length)."""
    return DesiredFile(
        path=path,
        absolute=Path("/repo") / path,
        size=len(content),
        mtime_ns=1,
        sha256=sha(content),
    )


def store(
    key: str,
    *paths: str,
    attributes: dict[str, dict[str, Any]] | None = None,
    chunking: dict[str, Any] | None = None,
    **request: Any,
) -> DesiredVectorStore:
    request = {"name": key.title(), **request}
    return DesiredVectorStore(
        key=key,
        request={k: v for k, v in request.items() if v is not None},
        chunking_strategy=chunking,
        files=tuple(DesiredAttachment(p, (attributes or {}).get(p, {})) for p in paths),
        source=f"vector_stores/{key}.yaml",
    )


def knowledge(
    files: list[DesiredFile],
    stores: list[DesiredVectorStore] = (),  # type: ignore[assignment]
    *,
    code_interpreter: dict[str, tuple[str, ...]] | None = None,
    vector_store_of: dict[str, str] | None = None,
) -> DesiredKnowledge:
    return DesiredKnowledge(
        files={f.path: f for f in files},
        vector_stores={s.key: s for s in stores},
        code_interpreter=code_interpreter or {},
        vector_store_of=vector_store_of or {},
    )


def frecord(file_id: str, path: str, content: str = "v1") -> FileRecord:
    return FileRecord(
        id=file_id,
        sha256=sha(content),
        size=len(content),
        mtime_ns=1,
        filename=path.rsplit("/", 1)[-1],
    )


def srecord(
    store_id: str, spec: DesiredVectorStore, files: dict[str, str] | None = None
) -> VectorStoreRecord:
    """A store as apply records it for `spec`, with `files` (path -> file id) attached."""
    attributes = {a.path: dict(a.attributes) for a in spec.files}
    return VectorStoreRecord(
        id=store_id,
        applied=desired_config(spec),
        files={
            p: AttachedFile(file_id=i, attributes=attributes.get(p, {}))
            for p, i in (files or {}).items()
        },
    )


def intent(path: str, content: str = "v1") -> UploadIntent:
    return UploadIntent(
        path=path,
        sha256=sha(content),
        size=len(content),
        filename=path.rsplit("/", 1)[-1],
        started_at=STARTED,
    )


def kstate(
    *,
    files: dict[str, FileRecord] | None = None,
    stores: dict[str, VectorStoreRecord] | None = None,
    uploads: list[UploadIntent] = (),  # type: ignore[assignment]
    retired: dict[str, str] | None = None,
) -> State:
    return State(
        lineage=LINEAGE,
        serial=1,
        files=files or {},
        vector_stores=stores or {},
        uploads={i.path: i for i in uploads},
        retired_files=retired or {},
    )


def lfile(file_id: str, path: str, content: str = "v1", created_at: float = STARTED) -> LiveFile:
    return LiveFile(
        id=file_id,
        filename=path.rsplit("/", 1)[-1],
        bytes=len(content),
        created_at=int(created_at),
    )


def attached(
    file_id: str,
    key: str,
    content: str | None = "v1",
    *,
    user: dict[str, Any] | None = None,
    status: str = "completed",
    last_error: str | None = None,
    ours: bool = True,
) -> LiveVectorStoreFile:
    """A file of store `key` as apply attaches it (without our attributes: `ours` False)."""
    tag = OwnershipTag(key, LINEAGE, None)
    attributes = (
        file_attributes(user or {}, tag, sha(content) if content else None) if ours else user or {}
    )
    return LiveVectorStoreFile(
        id=file_id, status=status, attributes=attributes, last_error=last_error
    )


def lstore(
    store_id: str,
    key: str | None,
    *files: LiveVectorStoreFile,
    lineage: str = LINEAGE,
    env: str | None = None,
    created_at: int = 1_700_000_000,
    **fields: Any,
) -> LiveVectorStore:
    """A live store tagged `key@lineage@env` (untagged for key None), its files listed."""
    metadata = dict(fields.pop("metadata", {}))
    if key is not None:
        metadata[TAG_KEY] = OwnershipTag(key, lineage, env).value()
    raw = {
        "id": store_id,
        "object": "vector_store",
        "created_at": created_at,
        "name": key.title() if key else None,
        "expires_after": None,
        "metadata": metadata,
        **fields,
    }
    return LiveVectorStore(id=store_id, raw=raw, files=files, files_listed=True)


def klive(
    files: list[LiveFile] = (),  # type: ignore[assignment]
    stores: list[LiveVectorStore] = (),  # type: ignore[assignment]
    **fields: Any,
) -> LiveKnowledge:
    return LiveKnowledge(files=list(files), vector_stores=list(stores), requests=2, **fields)


def kplan(
    desired: DesiredKnowledge,
    state: State,
    live: LiveKnowledge | None,
    **options: Any,
) -> KnowledgePlan:
    return plan_knowledge(desired, state, live, KnowledgeOptions(lineage=LINEAGE, **options))
