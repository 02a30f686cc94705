"""The vector store records as an apply leaves them, each change journaled at once."""

from __future__ import annotations

from assistform.apply.knowledge_context import KnowledgeContext
from assistform.state import VectorStoreRecord


class StoreRecords:
    """The recorder's vector store records: every change waits until it is durable, so the
    recorder's state is already what this apply has made of them."""

    def __init__(self, ctx: KnowledgeContext) -> None:
        self.ctx = ctx

    def get(self, key: str) -> VectorStoreRecord | None:
        return self.ctx.recorder.state.vector_stores.get(key)

    def ids(self) -> set[str]:
        return {r.id for r in self.ctx.recorder.state.vector_stores.values()}

    def put(self, key: str, record: VectorStoreRecord) -> None:
        self.ctx.recorder.record(key, record, "vector_store")

    def forget(self, key: str) -> None:
        self.ctx.recorder.record(key, None, "vector_store")
