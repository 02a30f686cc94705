"""`KnowledgeApi`: the small interface plan and apply use for `/v1/files` and
`/v1/vector_stores`; implemented over the official SDK in `api.knowledge`.

Every failure is an `errors.ApiError` (one line, secrets masked), as for assistants. A
create (an upload, a vector store, a file batch) is sent once, never retried blindly:
its caller looks for what a lost answer made before it tries again.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from assistform.knowledge.live import LiveFile, LiveKnowledge, LiveVectorStore, LiveVectorStoreFile


class KnowledgeApi(Protocol):
    def list_knowledge(self, managed: Callable[[LiveVectorStore], bool]) -> LiveKnowledge:
        """Every file of purpose `assistants` and every vector store; the files of each
        store for which `managed` is true (ours by tag, or recorded in the state)."""
        ...

    def list_files(self) -> list[LiveFile]:
        """Every file of purpose `assistants` (for the lookup after a lost upload)."""
        ...

    def upload(
        self, path: Path, filename: str, *, on_bytes: Callable[[int], None] | None = None
    ) -> LiveFile:
        """Upload `path` (streamed from disk, never read whole) as `filename`, purpose
        `assistants`; `on_bytes` hears of each chunk sent. Sent once."""
        ...

    def delete_file(self, file_id: str) -> None:
        """Delete an uploaded file; one already gone (404) is done."""
        ...

    def get_vector_store(self, vector_store_id: str) -> LiveVectorStore: ...

    def create_vector_store(self, body: Mapping[str, Any]) -> LiveVectorStore:
        """Sent once (see the module docstring)."""
        ...

    def update_vector_store(
        self, vector_store_id: str, body: Mapping[str, Any]
    ) -> LiveVectorStore: ...

    def delete_vector_store(self, vector_store_id: str) -> None:
        """One already gone (404) is done."""
        ...

    def list_vector_store_files(self, vector_store_id: str) -> list[LiveVectorStoreFile]: ...

    def attach_batch(
        self,
        vector_store_id: str,
        files: Sequence[Mapping[str, Any]],
        chunking_strategy: Mapping[str, Any] | None = None,
    ) -> str:
        """Attach up to 2,000 files in one file batch (`files`: `{file_id, attributes}`);
        the batch id. Sent once."""
        ...

    def update_attributes(
        self, vector_store_id: str, file_id: str, attributes: Mapping[str, Any]
    ) -> LiveVectorStoreFile: ...

    def detach(self, vector_store_id: str, file_id: str) -> None:
        """Remove a file from a vector store (the file itself stays); one not attached is
        done."""
        ...

    def file_statuses(
        self, vector_store_id: str, file_ids: Collection[str]
    ) -> dict[str, LiveVectorStoreFile]:
        """The current status of each of `file_ids` in the store (for waiting on processing)."""
        ...
