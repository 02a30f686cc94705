"""The knowledge steps after the assistants: detaches, vector store deletes (those the plan
deletes and those a replace left behind), and deletes of the files retired or unused; none
of them while an assistant whose change failed still refers to it, nor a file a failed
detach left in a store."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from assistform.apply import uploads, vector_stores
from assistform.apply.knowledge_context import KnowledgeContext, Step
from assistform.apply.store_records import StoreRecords
from assistform.errors import ApiError
from assistform.plan.model import (
    Action,
    FileChange,
    Plan,
    Reason,
    ResourceChange,
    VectorStoreChange,
)
from assistform.state import Record

#: What the store a replace leaves behind is called in its delete's line.
OLD_STORE = "old vector store"


def forgets(change: FileChange) -> bool:
    """A file the state records that is gone from the server and no longer wanted."""
    return change.action is Action.NOOP and not change.adopt and Reason.UNUSED in change.reasons


class KnowledgeCleanup:
    def __init__(
        self,
        plan: Plan,
        ctx: KnowledgeContext,
        records: StoreRecords,
        *,
        replaced: Sequence[tuple[str, str]],
        retired_before: frozenset[str],
        not_attached: frozenset[tuple[str, str]] = frozenset(),
    ) -> None:
        self.plan = plan
        self.ctx = ctx
        self.records = records
        #: Stores a replace left behind (key, old id).
        self.replaced = replaced
        #: Files retired before this apply: only those it retires are deleted now.
        self.retired_before = retired_before
        #: (store key, path) whose new file was not attached: its old one stays.
        self.not_attached = not_attached

    def run(self, failed: Sequence[ResourceChange]) -> None:
        """Detach, then delete what became unused, but nothing a failed assistant change
        leaves an assistant referring to, nor a file a failed detach left in a store."""
        held = _strings(c.before for c in failed) | _strings(c.request for c in failed)
        stores = self.plan.vector_store_changes
        for change in stores:
            if change.action is not Action.DELETE:
                # A file a store still holds is not deleted either.
                held |= self._detach(change)
        for change in stores:
            if change.action is Action.DELETE or change.forget:
                self._delete_store(change, held)
        for key, old in self.replaced:
            self._delete_replaced(key, old, held)
        self._delete_files(held)

    def _detach(self, change: VectorStoreChange) -> frozenset[str]:
        """Detach the store's files the plan lets go of; the ids still attached."""
        record = self.records.get(change.key)
        store_id = record.id if record is not None else change.id
        if store_id is None:
            return frozenset()
        left: set[str] = set()
        for detach in change.detach:
            if detach.file_id is None:
                continue
            if (change.key, detach.path) in self.not_attached:
                left.add(detach.file_id)  # the store's only version of that path
                continue
            label = f"{change.key}: {detach.path}"
            try:
                vector_stores.detach(store_id, detach.file_id, self.ctx)
            except ApiError as error:
                left.add(detach.file_id)
                self.ctx.report(
                    Step(
                        "file of vector store",
                        label,
                        "detach",
                        id=detach.file_id,
                        error=error,
                        store=change.key,
                    )
                )
                continue
            record = self.records.get(change.key)
            held = record.files.get(detach.path) if record is not None else None
            if record is not None and held is not None and held.file_id == detach.file_id:
                files = {p: f for p, f in record.files.items() if p != detach.path}
                self.records.put(change.key, record.model_copy(update={"files": files}))
            self.ctx.report(
                Step("file of vector store", label, "detach", id=detach.file_id, store=change.key)
            )
        return frozenset(left)

    def _delete_store(self, change: VectorStoreChange, held: frozenset[str]) -> None:
        key = change.key
        if change.action is Action.DELETE and change.id is not None:
            if change.id in held:
                self.ctx.report(Step("vector store", key, "delete", id=change.id, error=_held()))
                return
            try:
                vector_stores.delete_store(change.id, self.ctx)
            except ApiError as error:
                self.ctx.report(Step("vector store", key, "delete", id=change.id, error=error))
                return
        record = self.records.get(key)
        if record is not None and (change.id is None or record.id == change.id):
            self.records.forget(key)
        action = "delete" if change.action is Action.DELETE else "forget"
        self.ctx.report(Step("vector store", key, action, id=change.id))

    def _delete_replaced(self, key: str, old: str, held: frozenset[str]) -> None:
        if old in held:
            self.ctx.report(Step(OLD_STORE, key, "delete", id=old, error=_held()))
            return
        try:
            vector_stores.delete_store(old, self.ctx)
        except ApiError as error:
            self.ctx.report(Step(OLD_STORE, key, "delete", id=old, error=error))
            return
        self.ctx.report(Step(OLD_STORE, key, "delete", id=old))

    def _delete_files(self, held: frozenset[str]) -> None:
        state = self.ctx.recorder.state
        doomed = {
            file_id: path
            for file_id, path in state.retired_files.items()
            if file_id not in self.retired_before
        }
        for change in self.plan.file_changes:
            unused = change.action is Action.DELETE and Reason.ORPHAN not in change.reasons
            if unused and change.id is not None:
                doomed[change.id] = change.path
        for change in self.plan.file_changes:
            if forgets(change) and change.id is not None:
                self._forget_file(change.path, change.id)
                self.ctx.report(Step("file", change.path, "forget", id=change.id))
            elif forgets(change) and change.path in self.ctx.recorder.state.uploads:
                # An upload that never reached the server, for a path no spec uses.
                self.ctx.recorder.record(change.path, None, "upload")
                self.ctx.report(Step("file", change.path, "forget"))
        for file_id, path in doomed.items():
            if file_id in held:
                self.ctx.report(Step("file", path, "delete", id=file_id, error=_held()))
                continue
            try:
                uploads.delete_file(self.ctx.api, file_id)
            except ApiError as error:
                self.ctx.report(Step("file", path, "delete", id=file_id, error=error))
                continue
            self._forget_file(path, file_id)
            self.ctx.report(Step("file", path, "delete", id=file_id))

    def _forget_file(self, path: str, file_id: str) -> None:
        """Drop the records of a deleted file: retired, or the upload of its path."""
        state = self.ctx.recorder.state
        records = []
        if file_id in state.retired_files:
            records.append(Record("retired", file_id, None))
        record = state.files.get(path)
        if record is not None and record.id == file_id:
            records.append(Record("file", path, None))
        self.ctx.recorder.record_all(records)


def _held() -> ApiError:
    return ApiError(
        "kept: an assistant whose change failed, or a store it could not be detached from, "
        "still holds it (the next apply deletes it)"
    )


def _strings(values: Iterable[Any]) -> frozenset[str]:
    """Every string inside `values` (ids an assistant's configuration names)."""
    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, str):
            found.add(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for value in values:
        walk(value)
    return frozenset(found)
