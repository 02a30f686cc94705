"""A vector store's files, compared with what the store lists: a desired file missing is
attached (drift when the state recorded it attached), a file of ours no longer desired is
detached, a file whose processing failed is shown with the server's error and not retried
(unless its content changes), unchanged files are counted. Files attached by hand (without
our attribute, unknown to the state) are never touched.

Files a spec names by id (`file_ids`: already on the server, say as `export` wrote them)
are attached and detached the same way, under their id in place of a path (how the state
records them in the store), never uploaded or deleted; one the store holds already is
left as it is, attributes included (they may be someone else's).
"""

from __future__ import annotations

from collections import ChainMap
from functools import cached_property
from typing import Any

from assistform.knowledge.desired import DesiredVectorStore
from assistform.knowledge.live import LiveFile, LiveVectorStoreFile
from assistform.knowledge.refs import parse_ref
from assistform.knowledge.tags import attached_by, file_attributes
from assistform.plan.model import Action, AttachmentChange, Reason, VectorStoreChange
from assistform.plan.vector_store_fields import ordered
from assistform.plan.vector_store_inputs import StoreInputs
from assistform.state import AttachedFile, VectorStoreRecord


class StoreFiles:
    def __init__(self, inputs: StoreInputs) -> None:
        self.inputs = inputs
        self.live_files: dict[str, LiveFile] | None = None

    def attach_all(self, key: str, desired: DesiredVectorStore) -> list[AttachmentChange]:
        """Every file of a store made (again): by path, then by id."""
        by_path = [self._attachment(key, a.path, dict(a.attributes)) for a in desired.files]
        return by_path + [self._by_id(key, file_id) for file_id in desired.file_ids]

    def recorded_view(
        self, key: str, recorded: VectorStoreRecord | None
    ) -> dict[str, LiveVectorStoreFile]:
        """The store's files as the state recorded them attached, with the attributes apply
        gave them (for --no-refresh)."""
        view: dict[str, LiveVectorStoreFile] = {}
        for path, attached in (recorded.files if recorded else {}).items():
            file = self.inputs.files.get(path)
            sha = file.sha256 if file is not None else None
            attributes = file_attributes(attached.attributes, self.inputs.tag(key), sha)
            view[attached.file_id] = LiveVectorStoreFile(
                id=attached.file_id, status="completed", attributes=attributes
            )
        return view

    def reconcile(
        self,
        key: str,
        desired: DesiredVectorStore,
        recorded: VectorStoreRecord | None,
        seen: dict[str, LiveVectorStoreFile],
        change: VectorStoreChange,
    ) -> None:
        """Fill `change`'s attach, detach, retag, failed and unchanged from the files the
        store holds (`seen`, by file id) and the files its spec wants."""
        before: dict[str, AttachedFile] = recorded.files if recorded is not None else {}
        reasons = set(change.reasons)
        wanted_ids: set[str] = set()
        for item in desired.files:
            path = item.path
            attachment = self._attachment(key, path, dict(item.attributes))
            file_id = attachment.file_id
            had = before.get(path)
            if file_id is None:
                # Uploaded by this plan: its content changed, or it is new here.
                change.attach.append(attachment)
                reasons.add(self._why_new_upload(path, had))
                continue
            wanted_ids.add(file_id)
            held = seen.get(file_id)
            if held is None:
                attachment.drift = had is not None and had.file_id == file_id
                change.attach.append(attachment)
                reasons.add(Reason.DRIFT if attachment.drift else Reason.SPEC_CHANGED)
            elif held.status in ("failed", "cancelled"):
                change.failed.append(_failed(attachment, held))
                reasons.add(Reason.PROCESSING_FAILED)
            elif held.attributes != attachment.attributes:
                attachment.action = Action.UPDATE
                attachment.drift = had is not None and had.attributes == dict(item.attributes)
                change.retag.append(attachment)
                reasons.add(Reason.DRIFT if attachment.drift else Reason.SPEC_CHANGED)
            else:
                change.unchanged += 1
        for file_id in desired.file_ids:
            wanted_ids.add(file_id)
            held = seen.get(file_id)
            self._reconcile_by_id(key, file_id, before.get(file_id), held, change, reasons)
        foreign = 0
        # File id -> path of every file known to be ours: the store's records, then the state's.
        known = ChainMap({a.file_id: path for path, a in before.items()}, self._state_paths)
        wanted_paths = {item.path for item in desired.files} | set(desired.file_ids)
        for file_id, listed in sorted(seen.items()):
            if file_id in wanted_ids:
                continue
            owned_path = known.get(file_id)
            if owned_path is None and not attached_by(listed.attributes, self.inputs.tag(key)):
                foreign += 1
                continue
            live_file = self._live_file(file_id)
            change.detach.append(
                AttachmentChange(
                    path=owned_path or (live_file.filename if live_file else file_id),
                    action=Action.DELETE,
                    file_id=file_id,
                    size=live_file.bytes if live_file else None,
                )
            )
            if owned_path in before and owned_path not in wanted_paths:
                reasons.add(Reason.SPEC_CHANGED)
            elif owned_path is None or owned_path not in wanted_paths:
                reasons.add(Reason.DRIFT)
        if foreign:
            change.notes.append(
                f"{foreign} file(s) attached outside assistform (without its attribute, "
                "unknown to the state): not touched"
            )
        change.reasons = ordered(reasons)

    def _by_id(self, key: str, file_id: str) -> AttachmentChange:
        """The attachment of a file the spec names by id: recorded under its id."""
        live_file = self._live_file(file_id)
        return AttachmentChange(
            path=file_id,
            action=Action.CREATE,
            file_id=file_id,
            size=live_file.bytes if live_file is not None else None,
            attributes=file_attributes({}, self.inputs.tag(key), None),
        )

    def _attachment(self, key: str, path: str, user: dict[str, Any]) -> AttachmentChange:
        file = self.inputs.files.get(path)
        file_id = self.inputs.file_ids.get(path)
        return AttachmentChange(
            path=path,
            action=Action.CREATE,
            file_id=file_id if file_id is not None and parse_ref(file_id) is None else None,
            size=file.size if file is not None else None,
            attributes=file_attributes(user, self.inputs.tag(key), file.sha256 if file else None),
        )

    def _reconcile_by_id(
        self,
        key: str,
        file_id: str,
        had: AttachedFile | None,
        held: LiveVectorStoreFile | None,
        change: VectorStoreChange,
        reasons: set[Reason],
    ) -> None:
        """One file the spec names by id: attached when the store lacks it (drift when the
        state recorded it attached), shown when its processing failed, else unchanged; why
        goes to `reasons`."""
        if held is None:
            attachment = self._by_id(key, file_id)
            attachment.drift = had is not None and had.file_id == file_id
            change.attach.append(attachment)
            reasons.add(Reason.DRIFT if attachment.drift else Reason.SPEC_CHANGED)
        elif held.status in ("failed", "cancelled"):
            change.failed.append(_failed(self._by_id(key, file_id), held))
            reasons.add(Reason.PROCESSING_FAILED)
        else:
            change.unchanged += 1

    def _why_new_upload(self, path: str, had: AttachedFile | None) -> Reason:
        file_reasons = self.inputs.file_reasons.get(path, [])
        if had is None:
            return Reason.SPEC_CHANGED
        if Reason.CONTENT_CHANGED in file_reasons:
            return Reason.CONTENT_CHANGED
        return Reason.DRIFT

    @cached_property
    def _state_paths(self) -> dict[str, str]:
        """File id -> repository path of every upload the state records, current or retired:
        the same for every store, so built once."""
        state = self.inputs.state
        known = dict(state.retired_files)
        known.update({r.id: path for path, r in state.files.items()})
        return known

    def _live_file(self, file_id: str) -> LiveFile | None:
        if self.live_files is None:
            self.live_files = self.inputs.live.file_by_id() if self.inputs.live else {}
        return self.live_files.get(file_id)


def _failed(attachment: AttachmentChange, held: LiveVectorStoreFile) -> AttachmentChange:
    """`attachment` as shown for a file the server could not process: left as it is (not
    retried), with the server's error."""
    error = held.last_error or f"processing {held.status}"
    return attachment.model_copy(update={"action": Action.NOOP, "last_error": error})
