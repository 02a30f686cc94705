"""Files and vector stores as read from a server: plain data, the planner's input.

Built by the API client (`api.knowledge`). A vector store's files are listed only for the
stores assistform manages (those carrying its ownership tag, or recorded in the state):
the cost of a plan grows with what it manages, not with everything on the server.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from assistform.limits import VECTOR_STORE_FIELDS
from assistform.normalize import canonical, fingerprint
from assistform.ownership import OwnershipTag, tag_of


@dataclass(frozen=True)
class LiveFile:
    """One file of `/v1/files` (purpose `assistants`)."""

    id: str
    filename: str
    bytes: int
    created_at: int
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class LiveVectorStoreFile:
    """One file attached to a vector store (`/v1/vector_stores/{id}/files`); its `id` is
    the file's id."""

    id: str
    #: `in_progress`, `completed`, `failed` or `cancelled`.
    status: str
    attributes: dict[str, Any] = field(default_factory=dict)
    #: The server's `last_error`, as one line (`code: message`), when processing failed.
    last_error: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class LiveVectorStore:
    id: str
    raw: dict[str, Any]
    #: Its files; empty (and `files_listed` False) for a store that is not ours.
    files: tuple[LiveVectorStoreFile, ...] = ()
    files_listed: bool = False

    @cached_property
    def tag(self) -> OwnershipTag | None:
        return tag_of(self.raw.get("metadata"))

    @cached_property
    def config(self) -> dict[str, Any]:
        """The reconciled fields, metadata without the ownership tag; null when absent."""
        config = {name: self.raw.get(name) for name in VECTOR_STORE_FIELDS}
        config["metadata"] = canonical("metadata", self.raw.get("metadata"))
        return config

    @cached_property
    def fingerprint(self) -> str:
        tag = None if self.tag is None else self.tag.value()
        files = sorted((f.id, f.status, fingerprint(f.attributes)) for f in self.files)
        return fingerprint({"id": self.id, "config": self.config, "tag": tag, "files": files})


@dataclass
class LiveKnowledge:
    """Every file and vector store one listing returned."""

    files: list[LiveFile] = field(default_factory=list)
    vector_stores: list[LiveVectorStore] = field(default_factory=list)
    requests: int = 0
    warnings: list[str] = field(default_factory=list)
    #: False when a listing could not be sure it saw everything: nothing may be concluded
    #: from an absence then (no upload of what may be there, no delete of what seems gone).
    complete: bool = True
    #: The endpoints the server does not have (answered 404), e.g. `/v1/vector_stores`.
    missing_endpoints: list[str] = field(default_factory=list)

    def file_by_id(self) -> dict[str, LiveFile]:
        return {f.id: f for f in self.files}

    def vector_store_by_id(self) -> dict[str, LiveVectorStore]:
        return {v.id: v for v in self.vector_stores}
