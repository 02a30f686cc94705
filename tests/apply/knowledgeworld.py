"""Plans with files and vector stores, built by hand, applied to the sandbox over HTTP
through the real SDK (`api.knowledge`), with a real state file and real files on disk."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistform.apply.knowledge_context import Step
from assistform.apply.run import ApplyResult, KnowledgeSettings, apply_plan, state_for
from assistform.knowledge.live import LiveFile, LiveVectorStore, LiveVectorStoreFile
from assistform.ownership import OwnershipTag, with_tag
from assistform.plan.model import (
    Action,
    AttachmentChange,
    FileChange,
    KnowledgeRef,
    LiveRef,
    Plan,
    Reason,
    ResourceChange,
    StateRef,
    VectorStoreChange,
)
from assistform.sandbox import Faults

from .world import World


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class KnowledgeWorld:
    world: World
    root: Path
    processing_timeout: float = 30.0
    steps: list[Step] = field(default_factory=list)
    sent: list[int] = field(default_factory=list)
    #: Hears of each knowledge step (default: collects them in `steps`).
    on_step: Callable[[Step], None] | None = None

    def write(self, path: str, data: bytes) -> FileChange:
        """Write a repository file; the CREATE that uploads it."""
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        return FileChange(
            path=path,
            action=Action.CREATE,
            reasons=[Reason.NEW_SPEC],
            sha256=sha256(data),
            size=len(data),
        )

    def plan(
        self,
        files: list[FileChange] | None = None,
        stores: list[VectorStoreChange] | None = None,
        assistants: list[ResourceChange] | None = None,
    ) -> Plan:
        state = self.world.state_file.load()
        return Plan(
            tool_version="test",
            created_at=datetime.now(UTC),
            state=StateRef(path="state.json", lineage=state.lineage, serial=state.serial),
            live=LiveRef(refreshed=True),
            resource_changes=assistants or [],
            file_changes=files or [],
            vector_store_changes=stores or [],
            knowledge=KnowledgeRef(),
        )

    def apply(self, plan: Plan, **settings: Any) -> ApplyResult:
        knowledge = KnowledgeSettings(
            api=self.world.api.knowledge(),
            root=self.root,
            processing_timeout=self.processing_timeout,
            on_step=self.on_step or self.steps.append,
            on_bytes=self.sent.append,
            **settings,
        )
        state = state_for(plan, self.world.state_file)
        return apply_plan(
            plan,
            self.world.api,
            self.world.state_file,
            state,
            self.world.settings,
            knowledge=knowledge,
        )

    def tag(self, key: str) -> OwnershipTag:
        return OwnershipTag(key, self.world.state_file.load().lineage)

    def create_store(self, key: str, **fields: Any) -> VectorStoreChange:
        """The CREATE of vector store `key`, its request tagged as the planner tags it."""
        request = {"name": f"Store {key}", **fields}
        request["metadata"] = with_tag(request.get("metadata"), self.tag(key))
        return VectorStoreChange(
            key=key,
            action=Action.CREATE,
            reasons=[Reason.NEW_SPEC],
            request=request,
            applied={"name": request["name"]},
        )

    # --- what the server holds, read past any faults ------------------------------------

    def _unfaulted(self) -> Faults:
        faults, self.world.server.faults = self.world.server.faults, Faults()
        return faults

    def files(self) -> list[LiveFile]:
        faults = self._unfaulted()
        try:
            return self.world.api.knowledge().list_files()
        finally:
            self.world.server.faults = faults

    def stores(self) -> list[LiveVectorStore]:
        faults = self._unfaulted()
        try:
            return self.world.api.knowledge().list_knowledge(lambda s: False).vector_stores
        finally:
            self.world.server.faults = faults

    def store_files(self, store_id: str) -> list[LiveVectorStoreFile]:
        faults = self._unfaulted()
        try:
            return self.world.api.knowledge().list_vector_store_files(store_id)
        finally:
            self.world.server.faults = faults


def attach(path: str, file_id: str | None = None, **attributes: Any) -> AttachmentChange:
    return AttachmentChange(path=path, action=Action.CREATE, file_id=file_id, attributes=attributes)
