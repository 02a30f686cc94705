"""The vector stores and their files: pure, part of `plan.knowledge`.

Each key's store is found like an assistant (`vector_store_finding`), its own fields
compared like an assistant's (`vector_store_fields`), and its files with what the store
lists (`vector_store_files`). Here: what a key's plan is made of (create, adopt, update,
replace, delete, forget), and the id each key's store has once applied.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from assistform.knowledge.desired import DesiredKnowledge, DesiredVectorStore
from assistform.knowledge.live import LiveVectorStore
from assistform.knowledge.refs import ref
from assistform.ownership import env_label, with_tag
from assistform.plan.model import Action, Reason, VectorStoreChange
from assistform.plan.removal import delete_removed, forget_gone
from assistform.plan.tagged import delete_found
from assistform.plan.vector_store_fields import (
    ALL_FIELDS,
    compare_fields,
    desired_config,
    ordered,
)
from assistform.plan.vector_store_files import StoreFiles
from assistform.plan.vector_store_finding import StoreFinder
from assistform.plan.vector_store_inputs import StoreInputs
from assistform.state import VectorStoreRecord

__all__ = ["StoreInputs", "VectorStoresPlan", "desired_config", "plan_vector_stores"]

OFFLINE_NOTE = "planned from the state alone (--no-refresh): drift is not seen"


@dataclass
class VectorStoresPlan:
    changes: list[VectorStoreChange] = field(default_factory=list)
    #: Key -> the store's id once applied: the live id when it stays, else a reference.
    ids: dict[str, str] = field(default_factory=dict)
    #: Live stores not ours (untagged, another environment's or lineage's): never touched.
    unmanaged: int = 0
    warnings: list[str] = field(default_factory=list)


def plan_vector_stores(desired: DesiredKnowledge, inputs: StoreInputs) -> VectorStoresPlan:
    planner = _StorePlanner(inputs)
    result = VectorStoresPlan()
    keys = sorted(
        set(desired.vector_stores) | set(inputs.state.vector_stores) | planner.finder.keys()
    )
    kept: list[VectorStoreChange] = []
    deleted: list[VectorStoreChange] = []
    for key in keys:
        for change in planner.plan_key(key, desired.vector_stores.get(key)):
            (deleted if change.action is Action.DELETE else kept).append(change)
            if change.action is not Action.DELETE:
                result.ids[key] = _id_after(change, key)
    result.changes = kept + deleted
    result.warnings = planner.warnings
    if inputs.live is not None:
        ours = planner.finder.ours
        result.unmanaged = sum(1 for s in inputs.live.vector_stores if s.id not in ours)
    return result


def _id_after(change: VectorStoreChange, key: str) -> str:
    if change.action in (Action.NOOP, Action.UPDATE) and change.id is not None:
        return change.id
    return ref("vector_store", key)


class _StorePlanner:
    def __init__(self, inputs: StoreInputs) -> None:
        self.inputs = inputs
        self.warnings: list[str] = []
        self.finder = StoreFinder(inputs, self.warnings)
        self.files = StoreFiles(inputs)

    def plan_key(self, key: str, desired: DesiredVectorStore | None) -> list[VectorStoreChange]:
        recorded = self.inputs.state.vector_stores.get(key)
        current, extras, owner = self.finder.find(key, recorded)
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
            self.finder.ours.add(extra.id)
            changes.append(delete_found(VectorStoreChange, key, extra, Reason.DUPLICATE, note))
        return changes

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
            attach=self.files.attach_all(key, desired),
        )

    def _create_body(self, key: str, desired: DesiredVectorStore) -> dict[str, Any]:
        body = dict(desired.request)
        body["metadata"] = with_tag(desired.request.get("metadata"), self.inputs.tag(key))
        return body

    def _removal(
        self, key: str, recorded: VectorStoreRecord | None, current: LiveVectorStore | None
    ) -> VectorStoreChange:
        if current is None and (self.inputs.live is not None or recorded is None):
            return forget_gone(VectorStoreChange, key, recorded)
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
        return delete_removed(VectorStoreChange, key, recorded, current)

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
        tag = self.inputs.tag(key)
        change = compare_fields(
            key, desired, want, held, applied, reasons, notes, tag, retag=current.tag != tag
        )
        if current.raw.get("status") == "expired":
            # Its `expires_after` ran out: file_search no longer reads it. Made again, with
            # its files; the assistants move to the new one, then the expired one goes.
            change.action = Action.REPLACE
            change.reasons = ordered({*change.reasons, Reason.DRIFT})
            change.notes.append(f"{current.id} expired (expires_after): making it again")
        self._replacing(key, desired, change)
        change.id = current.id
        change.adopt = adopt
        change.live_fingerprint = current.fingerprint
        if change.action is Action.REPLACE:
            return change
        if current.files_listed:
            seen = {f.id: f for f in current.files}
        else:
            seen = self.files.recorded_view(key, recorded)
        self.files.reconcile(key, desired, recorded, seen, change)
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
        change = compare_fields(
            key, desired, want, held, recorded.applied, reasons, notes, self.inputs.tag(key)
        )
        self._replacing(key, desired, change)
        change.id = recorded.id
        if change.action is not Action.REPLACE:
            seen = self.files.recorded_view(key, recorded)
            self.files.reconcile(key, desired, recorded, seen, change)
        return change

    def _replacing(self, key: str, desired: DesiredVectorStore, change: VectorStoreChange) -> None:
        """A REPLACE makes the store again: its create body, and all its files."""
        if change.action is Action.REPLACE:
            change.request = self._create_body(key, desired)
            change.attach = self.files.attach_all(key, desired)
