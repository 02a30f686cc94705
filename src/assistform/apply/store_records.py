"""The vector store records as an apply leaves them, each change journaled at once."""

from __future__ import annotations

from assistform.apply.knowledge_context import KnowledgeContext
from assistform.state import VectorStoreRecord


class StoreRecords:
    def __init__(self, ctx: KnowledgeContext) -> None:
        self.ctx = ctx
        self._records: dict[str, VectorStoreRecord] = dict(ctx.recorder.state.vector_stores)

    def get(self, key: str) -> VectorStoreRecord | None:
        return self._records.get(key)

    def ids(self) -> set[str]:
        return {r.id for r in self._records.values()}

    def put(self, key: str, record: VectorStoreRecord) -> None:
        self._records[key] = record
        self.ctx.recorder.record(key, record, "vector_store")

    def forget(self, key: str) -> None:
        self._records.pop(key, None)
        self.ctx.recorder.record(key, None, "vector_store")
