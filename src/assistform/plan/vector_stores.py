"""The vector stores and their files: pure, part of `plan.knowledge`.

A store is found like an assistant: by the id the state records, else by its ownership
tag (`key@lineage@env` in metadata). Its own fields are compared like an assistant's:
`name`, `metadata` and `expires_after` with the live store (a difference the spec did not
make is drift, restored by an update); `description` and `chunking_strategy` with the
state (the API returns no description and takes it only at create; a chunking strategy
applies to each file as it is attached), so a change of either makes the store again
with its files (REPLACE). Its files are compared with what the store lists: a desired
file missing is attached (drift when the state recorded it attached), a file of ours no
longer desired is detached, a file whose processing failed is shown with the server's
error and not retried (unless its content changes), unchanged files are counted. Files
attached by hand (without our attribute, unknown to the state) are never touched.

Files a spec names by id (`file_ids`: already on the server, say as `export` wrote them)
are attached and detached the same way, under their id in place of a path (how the state
records them in the store), never uploaded or deleted; one the store holds already is
left as it is, attributes included (they may be someone else's).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from assistform.knowledge.desired import DesiredFile, DesiredKnowledge, DesiredVectorStore
from assistform.knowledge.live import (
    VECTOR_STORE_FIELDS,
    LiveFile,
    LiveKnowledge,
    LiveVectorStore,
    LiveVectorStoreFile,
)
from assistform.knowledge.refs import parse_ref, ref
from assistform.knowledge.tags import attached_by, file_attributes
from assistform.ownership import OwnershipTag, env_label, with_tag
from assistform.plan.fielddiff import field_changes, to_field_changes
from assistform.plan.model import Action, AttachmentChange, Reason, VectorStoreChange
from assistform.plan.tagged import by_age, delete_found, duplicates_warning, keep_first
from assistform.state import AttachedFile, State, VectorStoreRecord

#: Compared with the live store; the others only with the state.
LIVE_FIELDS = ("name", "metadata", "expires_after")
STATE_ONLY_FIELDS = frozenset({"description", "chunking_strategy"})
ALL_FIELDS = (*VECTOR_STORE_FIELDS, "chunking_strategy")
#: How a store's reasons are listed.
REASON_ORDER = (
    Reason.NEW_SPEC,
    Reason.DELETED_OUTSIDE,
    Reason.ADOPTED,
    Reason.SPEC_CHANGED,
    Reason.CONTENT_CHANGED,
    Reason.DRIFT,
    Reason.PROCESSING_FAILED,
    Reason.CREATE_ONLY,
)
OFFLINE_NOTE = "planned from the state alone (--no-refresh): drift is not seen"


@dataclass(frozen=True)
class StoreInputs:
    """What every store's plan reads besides its own spec, record and live store."""

    state: State
    live: LiveKnowledge | None
    lineage: str
    env: str | None
    files: dict[str, DesiredFile]
    #: Path -> the file's id once applied (a reference when it is uploaded by this plan).
    file_ids: dict[str, str]
    #: Path -> the reasons of its file's change (absent: its upload stays).
    file_reasons: dict[str, list[Reason]]
    #: Ids assistants' specs name literally: never deleted.
    in_use: frozenset[str] = frozenset()


@dataclass
class VectorStoresPlan:
    changes: list[VectorStoreChange] = field(default_factory=list)
    #: Key -> the store's id once applied: the live id when it stays, else a reference.
    ids: dict[str, str] = field(default_factory=dict)
    #: Live stores not ours (untagged, another environment's or lineage's): never touched.
    unmanaged: int = 0
    warnings: list[str] = field(default_factory=list)


def desired_config(store: DesiredVectorStore) -> dict[str, Any]:
    """The reconciled fields a spec asks for; what the state records as applied."""
    config = {name: store.request.get(name) for name in VECTOR_STORE_FIELDS}
    config["metadata"] = dict(sorted((store.request.get("metadata") or {}).items()))
    config["chunking_strategy"] = store.chunking_strategy
    return config


def plan_vector_stores(desired: DesiredKnowledge, inputs: StoreInputs) -> VectorStoresPlan:
    planner = _StorePlanner(inputs)
    result = VectorStoresPlan()
    keys = sorted(set(desired.vector_stores) | set(inputs.state.vector_stores) | planner.keys())
    kept: list[VectorStoreChange] = []
    deleted: list[VectorStoreChange] = []
    for key in keys:
        for change in planner.plan_key(key, desired.vector_stores.get(key)):
            (deleted if change.action is Action.DELETE else kept).append(change)
            if change.action is not Action.DELETE and change.key == key:
                result.ids[key] = _id_after(change, key)
    result.changes = kept + deleted
    result.warnings = planner.warnings
    if inputs.live is not None:
        result.unmanaged = sum(1 for s in inputs.live.vector_stores if s.id not in planner.ours)
    return result


def _id_after(change: VectorStoreChange, key: str) -> str:
    if change.action in (Action.NOOP, Action.UPDATE) and change.id is not None:
        return change.id
    return ref("vector_store", key)


class _StorePlanner:
    def __init__(self, inputs: StoreInputs) -> None:
        self.inputs = inputs
        self.warnings: list[str] = []
        #: Live stores this plan acts on or keeps: the rest are counted as unmanaged.
        self.ours: set[str] = set()
        self.by_id: dict[str, LiveVectorStore] = {}
        self.by_key: dict[str, list[LiveVectorStore]] = defaultdict(list)
        self.live_files: dict[str, LiveFile] | None = None
        live = inputs.live
        if live is not None:
            self.by_id = live.vector_store_by_id()
            for store in sorted(live.vector_stores, key=by_age):
                if store.tag is not None and store.tag.of_env(inputs.env):
                    self.by_key[store.tag.key].append(store)

    def keys(self) -> set[str]:
        """The keys of live stores of this environment and this lineage."""
        return {k for k, stores in self.by_key.items() if any(map(self._mine, stores))}

    def _mine(self, store: LiveVectorStore) -> bool:
        return store.tag is not None and store.tag.lineage == self.inputs.lineage

    def tag(self, key: str) -> OwnershipTag:
        return OwnershipTag(key, self.inputs.lineage, self.inputs.env)

    def plan_key(self, key: str, desired: DesiredVectorStore | None) -> list[VectorStoreChange]:
        recorded = self.inputs.state.vector_stores.get(key)
        current, extras, owner = self._find(key, recorded)
        changes: list[VectorStoreChange] = []
        if recorded is not None and owner is not None and current is None:
            note = (
                f"the state recorded {recorded.id}, but its ownership tag says "
                f"{env_label(owner.env)} manages it: not touched, forgotten here"
            )
            if desired is None:
                changes.append(
                    VectorStoreChange(
                        key=key,
                        action=Action.NOOP,
                        id=recorded.id,
                        reasons=[Reason.SPEC_REMOVED],
                        forget=True,
                        notes=[note],
                    )
                )
            else:
                change = self._create(key, desired, None)
                change.notes.append(note)
                changes.append(change)
        elif desired is None and recorded is None and current is None:
            pass
        elif desired is None:
            changes.append(self._removal(key, recorded, current))
        elif self.inputs.live is None:
            changes.append(self._offline(key, desired, recorded))
        elif current is None:
            changes.append(self._create(key, desired, recorded))
        else:
            mine = recorded if recorded is not None and recorded.id == current.id else None
            changes.append(self._existing(key, desired, mine, current))
        note = f"duplicate of {key}: a second vector store carries its ownership tag"
        for extra in extras:
            self.ours.add(extra.id)
            changes.append(delete_found(VectorStoreChange, key, extra, Reason.DUPLICATE, note))
        return changes

    def _find(
        self, key: str, recorded: VectorStoreRecord | None
    ) -> tuple[LiveVectorStore | None, list[LiveVectorStore], OwnershipTag | None]:
        """The live store of `key`, the duplicates to delete, and the environment that owns
        the recorded store if another one does."""
        if self.inputs.live is None:
            return None, [], None
        env = self.inputs.env
        owner = None
        current = self.by_id.get(recorded.id) if recorded is not None else None
        if current is not None and current.tag is not None and current.tag.of_other_env(env):
            owner, current = current.tag, None
            self.warnings.append(
                f"the state records vector store {recorded.id if recorded else '?'} for "
                f"'{key}', but its ownership tag says {env_label(owner.env)} manages it: "
                "not touched; this state forgets it"
            )
        tagged = self.by_key.get(key, [])
        candidates = [s for s in tagged if self._mine(s)]
        current, extras = keep_first(current, candidates)
        foreign = [
            s for s in tagged if not self._mine(s) and (current is None or s.id != current.id)
        ]
        if foreign:
            ids = ", ".join(s.id for s in foreign)
            self.warnings.append(
                f"vector store(s) {ids} carry the key '{key}' of another lineage (another "
                "repository using this environment's name?): not touched"
            )
        if extras:
            self.warnings.append(duplicates_warning(key, "vector stores", current, extras))
        if current is not None:
            self.ours.add(current.id)
        return current, extras, owner

    # --- one store -----------------------------------------------------------------------

    def _create(
        self, key: str, desired: DesiredVectorStore, recorded: VectorStoreRecord | None
    ) -> VectorStoreChange:
        reasons = [Reason.DELETED_OUTSIDE] if recorded else [Reason.NEW_SPEC]
        notes = (
            [f"{recorded.id} was deleted outside assistform; creating it again with its files"]
            if recorded
            else []
        )
        want = desired_config(desired)
        return VectorStoreChange(
            key=key,
            action=Action.CREATE,
            reasons=reasons,
            after=want,
            applied=want,
            request=self._create_body(key, desired),
            source=desired.source,
            notes=notes,
            attach=self._attach_all(key, desired),
        )

    def _create_body(self, key: str, desired: DesiredVectorStore) -> dict[str, Any]:
        body = dict(desired.request)
        body["metadata"] = with_tag(desired.request.get("metadata"), self.tag(key))
        return body

    def _attach_all(self, key: str, desired: DesiredVectorStore) -> list[AttachmentChange]:
        by_path = [self._attachment(key, a.path, dict(a.attributes)) for a in desired.files]
        return by_path + [self._by_id(key, file_id) for file_id in desired.file_ids]

    def _by_id(self, key: str, file_id: str) -> AttachmentChange:
        """The attachment of a file the spec names by id: recorded under its id."""
        live_file = self._live_file(file_id)
        return AttachmentChange(
            path=file_id,
            action=Action.CREATE,
            file_id=file_id,
            size=live_file.bytes if live_file is not None else None,
            attributes=file_attributes({}, self.tag(key), None),
        )

    def _attachment(
        self, key: str, path: str, user: dict[str, Any], *, drift: bool = False
    ) -> AttachmentChange:
        file = self.inputs.files.get(path)
        file_id = self.inputs.file_ids.get(path)
        return AttachmentChange(
            path=path,
            action=Action.CREATE,
            file_id=file_id if file_id is not None and parse_ref(file_id) is None else None,
            size=file.size if file is not None else None,
            attributes=file_attributes(user, self.tag(key), file.sha256 if file else None),
            drift=drift,
        )

    def _removal(
        self, key: str, recorded: VectorStoreRecord | None, current: LiveVectorStore | None
    ) -> VectorStoreChange:
        if current is None and (self.inputs.live is not None or recorded is None):
            return VectorStoreChange(
                key=key,
                action=Action.NOOP,
                id=recorded.id if recorded else None,
                reasons=[Reason.SPEC_REMOVED, Reason.DELETED_OUTSIDE],
                before=recorded.applied if recorded else None,
                forget=True,
                notes=["spec removed and already gone from the server: forgetting it"],
            )
        store_id = current.id if current else recorded.id if recorded else None
        if store_id in self.inputs.in_use:
            self.warnings.append(
                f"vector store '{key}' ({store_id}) has no spec any more, but an assistant's "
                "spec names it in vector_store_ids: not deleted"
            )
            return VectorStoreChange(
                key=key,
                action=Action.NOOP,
                id=store_id,
                reasons=[Reason.SPEC_REMOVED],
                notes=["still named by an assistant's vector_store_ids: kept"],
            )
        return VectorStoreChange(
            key=key,
            action=Action.DELETE,
            id=store_id,
            reasons=[Reason.SPEC_REMOVED],
            before=current.config if current else (recorded.applied if recorded else None),
            live_fingerprint=current.fingerprint if current else None,
            forget=recorded is not None,
            notes=[] if recorded else ["not in the state: found by its ownership tag"],
        )

    def _existing(
        self,
        key: str,
        desired: DesiredVectorStore,
        recorded: VectorStoreRecord | None,
        current: LiveVectorStore,
    ) -> VectorStoreChange:
        want = desired_config(desired)
        applied = recorded.applied if recorded is not None else None
        held = dict(current.config)
        # The API returns no description: the state says what it is (an adopted store
        # without one is taken as the spec's: nothing can show otherwise).
        if "description" not in current.raw:
            held["description"] = applied.get("description") if applied else want["description"]
        held["chunking_strategy"] = (
            applied.get("chunking_strategy") if applied else want["chunking_strategy"]
        )
        reasons: set[Reason] = set()
        notes: list[str] = []
        adopt = recorded is None
        if adopt:
            reasons.add(Reason.ADOPTED)
            notes.append(f"found {current.id} by its ownership tag; recording it in the state")
        change = self._compare(
            key, desired, want, held, applied, reasons, notes, retag=current.tag != self.tag(key)
        )
        change.id = current.id
        change.adopt = adopt
        change.live_fingerprint = current.fingerprint
        if change.action is Action.REPLACE:
            return change
        if current.files_listed:
            seen = {f.id: f for f in current.files}
        else:
            seen = self._recorded_view(key, recorded)
        self._reconcile_files(key, desired, recorded, seen, change)
        if change.action is Action.NOOP:
            # Recorded by apply as the server holds it (an adoption writes no store).
            change.observed = current.config
        return change

    def _offline(
        self, key: str, desired: DesiredVectorStore, recorded: VectorStoreRecord | None
    ) -> VectorStoreChange:
        """--no-refresh: the state stands in for the live store."""
        if recorded is None:
            return self._create(key, desired, None)
        want = desired_config(desired)
        held = {name: recorded.applied.get(name) for name in ALL_FIELDS}
        held["metadata"] = held["metadata"] or {}
        reasons: set[Reason] = set()
        notes = [OFFLINE_NOTE]
        change = self._compare(key, desired, want, held, recorded.applied, reasons, notes)
        change.id = recorded.id
        if change.action is not Action.REPLACE:
            seen = self._recorded_view(key, recorded)
            self._reconcile_files(key, desired, recorded, seen, change)
        return change

    def _compare(
        self,
        key: str,
        desired: DesiredVectorStore,
        want: dict[str, Any],
        held: dict[str, Any],
        applied: dict[str, Any] | None,
        reasons: set[Reason],
        notes: list[str],
        *,
        retag: bool = False,
    ) -> VectorStoreChange:
        """The store's own fields: REPLACE, UPDATE or NOOP (its files come after)."""
        declared = set(desired.request) | {"metadata", "chunking_strategy"}
        previously = {k for k, v in (applied or {}).items() if v is not None}
        compared = [f for f in ALL_FIELDS if f in declared | previously]
        differing = [f for f in compared if _norm(want.get(f)) != _norm(held.get(f))]
        drifted = {
            f
            for f in differing
            if f not in STATE_ONLY_FIELDS
            and applied is not None
            and _norm(applied.get(f)) == _norm(want.get(f))
        }
        if set(differing) - drifted:
            reasons.add(Reason.SPEC_CHANGED)
        if drifted:
            reasons.add(Reason.DRIFT)
            notes.append("changed outside assistform: " + ", ".join(sorted(drifted)))
        if retag:
            reasons.add(Reason.DRIFT)
        before = {f: held.get(f) for f in ALL_FIELDS}
        base: dict[str, Any] = {
            "key": key,
            "before": before,
            "after": want,
            "applied": want,
            "source": desired.source,
            "changes": to_field_changes(
                field_changes(before, want, differing), drifted, set(STATE_ONLY_FIELDS)
            ),
        }
        create_only = sorted(STATE_ONLY_FIELDS & set(differing))
        if create_only:
            reasons.add(Reason.CREATE_ONLY)
            notes.append(
                f"{' and '.join(create_only)} can only be set when a store is created: the "
                "store is made again with its files, then the old one deleted"
            )
            return VectorStoreChange(
                **base,
                action=Action.REPLACE,
                reasons=_ordered(reasons),
                notes=notes,
                request=self._create_body(key, desired),
                attach=self._attach_all(key, desired),
            )
        update = [f for f in differing if f in LIVE_FIELDS]
        if not update and not retag:
            return VectorStoreChange(
                **base, action=Action.NOOP, reasons=_ordered(reasons), notes=notes
            )
        body = {f: want[f] for f in update if f != "metadata"}
        if retag or "metadata" in update:
            body["metadata"] = with_tag(want["metadata"], self.tag(key))
            if "metadata" not in update:
                notes.append("restoring the ownership tag in metadata")
        return VectorStoreChange(
            **base, action=Action.UPDATE, reasons=_ordered(reasons), notes=notes, request=body
        )

    def _recorded_view(
        self, key: str, recorded: VectorStoreRecord | None
    ) -> dict[str, LiveVectorStoreFile]:
        """The store's files as the state recorded them attached, with the attributes apply
        gave them (for --no-refresh)."""
        view: dict[str, LiveVectorStoreFile] = {}
        for path, attached in (recorded.files if recorded else {}).items():
            file = self.inputs.files.get(path)
            sha = file.sha256 if file is not None else None
            attributes = file_attributes(attached.attributes, self.tag(key), sha)
            view[attached.file_id] = LiveVectorStoreFile(
                id=attached.file_id, status="completed", attributes=attributes
            )
        return view

    def _reconcile_files(
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
                error = held.last_error or f"processing {held.status}"
                change.failed.append(
                    attachment.model_copy(update={"action": Action.NOOP, "last_error": error})
                )
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
            self._reconcile_by_id(key, file_id, before.get(file_id), seen.get(file_id), change)
        reasons.update(change.reasons)
        foreign = 0
        known = self._known_paths(before)
        wanted_paths = {item.path for item in desired.files} | set(desired.file_ids)
        for file_id, listed in sorted(seen.items()):
            if file_id in wanted_ids:
                continue
            owned_path = known.get(file_id)
            if owned_path is None and not attached_by(listed.attributes, self.tag(key)):
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
        change.reasons = _ordered(reasons)

    def _reconcile_by_id(
        self,
        key: str,
        file_id: str,
        had: AttachedFile | None,
        held: LiveVectorStoreFile | None,
        change: VectorStoreChange,
    ) -> None:
        """One file the spec names by id: attached when the store lacks it (drift when the
        state recorded it attached), shown when its processing failed, else unchanged."""
        if held is None:
            attachment = self._by_id(key, file_id)
            attachment.drift = had is not None and had.file_id == file_id
            change.attach.append(attachment)
            change.reasons.append(Reason.DRIFT if attachment.drift else Reason.SPEC_CHANGED)
        elif held.status in ("failed", "cancelled"):
            error = held.last_error or f"processing {held.status}"
            failed = self._by_id(key, file_id)
            change.failed.append(
                failed.model_copy(update={"action": Action.NOOP, "last_error": error})
            )
            change.reasons.append(Reason.PROCESSING_FAILED)
        else:
            change.unchanged += 1

    def _why_new_upload(self, path: str, had: AttachedFile | None) -> Reason:
        file_reasons = self.inputs.file_reasons.get(path, [])
        if had is None:
            return Reason.SPEC_CHANGED
        if Reason.CONTENT_CHANGED in file_reasons:
            return Reason.CONTENT_CHANGED
        return Reason.DRIFT

    def _known_paths(self, before: dict[str, AttachedFile]) -> dict[str, str]:
        """File id -> repository path, for every file the state knows to be ours."""
        state = self.inputs.state
        known = dict(state.retired_files)
        known.update({r.id: path for path, r in state.files.items()})
        known.update({a.file_id: path for path, a in before.items()})
        return known

    def _live_file(self, file_id: str) -> LiveFile | None:
        if self.live_files is None:
            self.live_files = self.inputs.live.file_by_id() if self.inputs.live else {}
        return self.live_files.get(file_id)


def _norm(value: Any) -> Any:
    # Metadata absent, null or {} is one thing; so is a missing field and null.
    return None if value in ({}, None) else value


def _ordered(reasons: set[Reason]) -> list[Reason]:
    return [r for r in REASON_ORDER if r in reasons] + sorted(reasons - set(REASON_ORDER))
