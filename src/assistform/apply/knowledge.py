"""Applying the knowledge part of a plan, in the order that keeps every assistant whole.

Before the assistants: the files a lost upload answer made are adopted and the orphans of
an interrupted apply deleted; then the uploads (`apply.uploads`); then each vector store
is created, updated or adopted and recorded, its files attached in batches and given their
attributes (`apply.vector_stores`); then apply waits for the server to process what it
attached (`apply.processing`). The assistants' requests then name the ids made here in
place of their references (`resolve`). After the assistants: detaches, vector store
deletes, and deletes of the files retired or unused, none of them while an assistant whose
change failed still refers to it, nor a file a failed detach left in a store.

Every step is journaled so that a run killed at any moment leaves what the next plan needs:
a store or file once the server holds it (a lost answer leaves an ownership tag or an
upload intent), a batch of attachments before it is sent (a kill then leaves files the
state names and the store lacks, which the next plan attaches again; the other way round
the store would hold files no state names).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from assistform.apply import uploads, vector_stores
from assistform.apply.knowledge_cleanup import KnowledgeCleanup, forgets
from assistform.apply.knowledge_context import KnowledgeContext, Step
from assistform.apply.processing import Attached, wait_for_processing
from assistform.apply.store_records import StoreRecords
from assistform.errors import ApiError
from assistform.knowledge import refs
from assistform.knowledge.refs import Kind
from assistform.knowledge.tags import user_attributes
from assistform.plan.model import (
    Action,
    FileChange,
    Plan,
    ResourceChange,
    VectorStoreChange,
)
from assistform.state import AttachedFile, VectorStoreRecord


def has_knowledge_changes(plan: Plan) -> bool:
    """Whether applying `plan` writes any file, vector store or record of them."""
    files = any(_writes(c) for c in plan.file_changes)
    return files or any(c.writes for c in plan.vector_store_changes)


def _writes(change: FileChange) -> bool:
    return change.action is not Action.NOOP or change.adopt or forgets(change)


class KnowledgeApply:
    """One apply's knowledge steps; `before_assistants`, then `resolve` for each assistant
    change, then `after_assistants`."""

    def __init__(self, plan: Plan, ctx: KnowledgeContext) -> None:
        self.plan = plan
        self.ctx = ctx
        state = ctx.recorder.state
        self.records = StoreRecords(ctx)
        self._retired_before = frozenset(state.retired_files)
        #: Stores a replace left behind (key, old id), deleted after the assistants.
        self._replaced: list[tuple[str, str]] = []
        self._sha256 = {c.path: c.sha256 for c in plan.file_changes if c.sha256 is not None}
        #: (store key, path) of the files this apply did not attach: the file they replace
        #: stays attached (not detached after the assistants), so the store keeps a version.
        self._not_attached: set[tuple[str, str]] = set()
        #: What each reference resolves to, gathered once `before_assistants` is done.
        self._ids: dict[tuple[Kind, str], str] | None = None

    # --- before the assistants -------------------------------------------------------------

    def before_assistants(self) -> None:
        files = self.plan.file_changes
        uploads.adopt_files(files, self.ctx)
        uploads.delete_orphans(files, self.ctx)
        uploads.upload_all(uploads.uploads(files), self.ctx)
        attached: list[Attached] = []
        for change in self.plan.vector_store_changes:
            if change.action is not Action.DELETE:
                attached += self._store(change)
        wait_for_processing(attached, self.ctx)
        # Every file and store is made by now, and none is recorded again before the
        # assistants have been sent: one gathering serves every assistant change.
        self._ids = self._made_ids()

    def _store(self, change: VectorStoreChange) -> list[Attached]:
        try:
            record = self._write_store(change)
        except ApiError as error:
            self.ctx.report(Step("vector store", change.key, _verb(change), error=error))
            self._not_attached |= {(change.key, a.path) for a in change.attach}
            return []
        if record is None:
            return []
        try:
            self._retag(change, record)
            return self._attach(change, record)
        except ApiError as error:
            self.ctx.report(Step("vector store", change.key, "attach", error=error))
            self._not_attached |= {(change.key, a.path) for a in change.attach}
            return []

    def _write_store(self, change: VectorStoreChange) -> VectorStoreRecord | None:
        """The store's own fields: created, updated or adopted, then recorded."""
        key, ctx = change.key, self.ctx
        previous = self.records.get(key)
        applied = dict(change.applied if change.applied is not None else change.after or {})
        if change.action in (Action.CREATE, Action.REPLACE):
            known = self.records.ids() | ({change.id} if change.id else set())
            live, recovered = vector_stores.create_store(
                change.request or {}, key, ctx, exclude=frozenset(known)
            )
            if change.action is Action.REPLACE and change.id is not None:
                self._replaced.append((key, change.id))
            record = VectorStoreRecord(id=live.id, applied=applied, observed=live.config)
            notes = ("its answer was lost; found it by its ownership tag",) if recovered else ()
        elif change.action is Action.UPDATE:
            store_id = _id_of(change)
            live = ctx.api.update_vector_store(store_id, change.request or {})
            if change.adopt:
                files = self._live_files(store_id)
            elif previous is not None and previous.id == store_id:
                files = previous.files
            else:
                files = {}
            record = VectorStoreRecord(
                id=store_id, applied=applied, observed=live.config, files=files
            )
            notes = ("found by its ownership tag",) if change.adopt else ()
        elif change.forget:
            return None  # after the assistants
        elif change.adopt:
            store_id = _id_of(change)
            record = VectorStoreRecord(
                id=store_id,
                applied=applied,
                observed=change.observed,
                files=self._live_files(store_id),
            )
            notes = ("found by its ownership tag",)
        elif previous is not None:
            return previous
        elif change.id is not None:
            return VectorStoreRecord(id=change.id, applied=applied, observed=change.observed)
        else:
            return None
        self.records.put(key, record)
        ctx.made("vector_store", key, record.id)
        ctx.report(Step("vector store", key, _verb(change), id=record.id, notes=notes))
        return record

    def _live_files(self, store_id: str) -> dict[str, AttachedFile]:
        """The files of an adopted store that an apply of ours attached, by path."""
        paths = {r.id: path for path, r in self.ctx.recorder.state.files.items()}
        files: dict[str, AttachedFile] = {}
        for live in self.ctx.api.list_vector_store_files(store_id):
            path = paths.get(live.id)
            if path is not None:
                files[path] = AttachedFile(
                    file_id=live.id, attributes=user_attributes(live.attributes)
                )
        return files

    def _retag(self, change: VectorStoreChange, record: VectorStoreRecord) -> None:
        for retag in change.retag:
            file_id = retag.file_id or self._file_id(retag.path)
            if file_id is None:
                continue
            sha256 = self._sha256_of(retag.path, file_id)
            attributes = vector_stores.file_attributes(
                retag.attributes, change.key, sha256, self.ctx
            )
            self.ctx.api.update_attributes(record.id, file_id, attributes)
            files = {
                **record.files,
                retag.path: AttachedFile(file_id=file_id, attributes=retag.attributes),
            }
            record = record.model_copy(update={"files": files})
            self.records.put(change.key, record)
            label = f"{change.key}: {retag.path}"
            self.ctx.report(
                Step("file of vector store", label, "retag", id=file_id, store=change.key)
            )

    def _attach(self, change: VectorStoreChange, record: VectorStoreRecord) -> list[Attached]:
        key, ctx = change.key, self.ctx
        entries: list[dict[str, Any]] = []
        paths: dict[str, tuple[str, Mapping[str, Any]]] = {}
        for attach in change.attach:
            # Known after apply: the upload this apply made, never the path's old file.
            file_id = attach.file_id or self.ctx.ids.get(("file", attach.path))
            if file_id is None:
                self._not_attached.add((key, attach.path))
                error = ApiError("not attached: its upload did not succeed")
                ctx.report(
                    Step(
                        "file of vector store",
                        f"{key}: {attach.path}",
                        "attach",
                        error=error,
                        store=key,
                    )
                )
                continue
            sha256 = self._sha256_of(attach.path, file_id)
            attributes = vector_stores.file_attributes(attach.attributes, key, sha256, ctx)
            entries.append({"file_id": file_id, "attributes": attributes})
            paths[file_id] = (attach.path, user_attributes(attach.attributes))
        chunking = (change.applied or record.applied).get("chunking_strategy")
        attached: list[Attached] = []
        for batch in vector_stores.batches(entries):
            # Recorded before it is sent: a run killed before the batch lands leaves the
            # state naming files the store lacks, which the next plan attaches again (drift);
            # recorded after, it would leave the store holding files the state never names.
            before = record
            files = dict(record.files)
            for entry in batch:
                path, user = paths[entry["file_id"]]
                files[path] = AttachedFile(file_id=entry["file_id"], attributes=dict(user))
            record = record.model_copy(update={"files": files})
            self.records.put(key, record)
            try:
                vector_stores.attach_batch(record.id, batch, chunking, ctx)
            except ApiError as error:
                if not error.ambiguous:  # refused: nothing of it landed
                    self.records.put(key, _without(record, before, batch, paths))
                raise
            attached += [
                Attached(key, record.id, e["file_id"], paths[e["file_id"]][0]) for e in batch
            ]
            ctx.report(Step("vector store", key, "attach", id=record.id, count=len(batch)))
        return attached

    # --- the assistants ----------------------------------------------------------------------

    def resolve(self, change: ResourceChange) -> ResourceChange:
        """`change` with the ids this apply made in place of its references; an `ApiError`
        when one of them was not made (the change must not be sent)."""
        if not (refs.has_refs(change.request) or refs.has_refs(change.applied)):
            return change
        assert self._ids is not None, "resolve after before_assistants"
        ids = self._ids
        try:
            update = {
                name: refs.resolve(getattr(change, name), ids)
                for name in ("request", "applied", "after")
            }
        except KeyError as missing:
            kind, key = missing.args[0]
            raise ApiError(
                f"not sent: it refers to {kind.replace('_', ' ')} {key}, which this apply "
                "could not make"
            ) from None
        return change.model_copy(update=update)

    def _made_ids(self) -> dict[tuple[Kind, str], str]:
        state = self.ctx.recorder.state
        ids: dict[tuple[Kind, str], str] = {("file", p): r.id for p, r in state.files.items()}
        ids.update({("vector_store", k): r.id for k, r in state.vector_stores.items()})
        ids.update(self.ctx.ids)
        return ids

    # --- after the assistants ----------------------------------------------------------------

    def after_assistants(self, failed: Sequence[ResourceChange]) -> None:
        """Detach, then delete what became unused (`knowledge_cleanup`)."""
        KnowledgeCleanup(
            self.plan,
            self.ctx,
            self.records,
            replaced=self._replaced,
            retired_before=self._retired_before,
            not_attached=frozenset(self._not_attached),
        ).run(failed)

    # --- helpers -------------------------------------------------------------------------------

    def _file_id(self, path: str) -> str | None:
        made = self.ctx.ids.get(("file", path))
        if made is not None:
            return made
        record = self.ctx.recorder.state.files.get(path)
        return record.id if record is not None else None

    def _sha256_of(self, path: str, file_id: str) -> str | None:
        record = self.ctx.recorder.state.files.get(path)
        if record is not None and record.id == file_id:
            return record.sha256
        return self._sha256.get(path)


def _without(
    record: VectorStoreRecord,
    before: VectorStoreRecord,
    batch: Sequence[Mapping[str, Any]],
    paths: Mapping[str, tuple[str, Mapping[str, Any]]],
) -> VectorStoreRecord:
    """`record` with the paths of a batch that failed as they were `before` it."""
    files = dict(record.files)
    for entry in batch:
        path = paths[entry["file_id"]][0]
        if path in before.files:
            files[path] = before.files[path]
        else:
            files.pop(path, None)
    return record.model_copy(update={"files": files})


def _verb(change: VectorStoreChange) -> str:
    if change.action is Action.CREATE:
        return "create"
    if change.action is Action.REPLACE:
        return "replace"
    if change.action is Action.UPDATE:
        return "update"
    return "adopt"


def _id_of(change: VectorStoreChange) -> str:
    if change.id is None:
        raise ApiError(f"the plan names no vector store id for {change.action.value}")
    return change.id
