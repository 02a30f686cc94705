"""A vector store's own fields, compared like an assistant's: `name`, `metadata` and
`expires_after` with the live store (a difference the spec did not make is drift, restored
by an update); `description` and `chunking_strategy` with the state (the API returns no
description and takes it only at create; a chunking strategy applies to each file as it is
attached), so a change of either makes the store again with its files (REPLACE)."""

from __future__ import annotations

from typing import Any

from assistform.knowledge.desired import DesiredVectorStore
from assistform.limits import VECTOR_STORE_FIELDS
from assistform.ownership import OwnershipTag, with_tag
from assistform.plan.fielddiff import field_changes, to_field_changes
from assistform.plan.model import Action, Reason, VectorStoreChange

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


def desired_config(store: DesiredVectorStore) -> dict[str, Any]:
    """The reconciled fields a spec asks for; what the state records as applied."""
    config = {name: store.request.get(name) for name in VECTOR_STORE_FIELDS}
    config["metadata"] = dict(sorted((store.request.get("metadata") or {}).items()))
    config["chunking_strategy"] = store.chunking_strategy
    return config


def compare_fields(
    key: str,
    desired: DesiredVectorStore,
    want: dict[str, Any],
    held: dict[str, Any],
    applied: dict[str, Any] | None,
    reasons: set[Reason],
    notes: list[str],
    tag: OwnershipTag,
    *,
    retag: bool = False,
) -> VectorStoreChange:
    """REPLACE, UPDATE or NOOP: the store's own fields. A REPLACE's create body and its
    files, like every change's files, are the caller's to add."""
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
            **base, action=Action.REPLACE, reasons=ordered(reasons), notes=notes
        )
    update = [f for f in differing if f in LIVE_FIELDS]
    if not update and not retag:
        return VectorStoreChange(**base, action=Action.NOOP, reasons=ordered(reasons), notes=notes)
    body = {f: want[f] for f in update if f != "metadata"}
    if retag or "metadata" in update:
        body["metadata"] = with_tag(want["metadata"], tag)
        if "metadata" not in update:
            notes.append("restoring the ownership tag in metadata")
    return VectorStoreChange(
        **base, action=Action.UPDATE, reasons=ordered(reasons), notes=notes, request=body
    )


def ordered(reasons: set[Reason]) -> list[Reason]:
    """A store's reasons in the order they are listed."""
    return [r for r in REASON_ORDER if r in reasons] + sorted(reasons - set(REASON_ORDER))


def _norm(value: Any) -> Any:
    # Metadata absent, null or {} is one thing; so is a missing field and null.
    return None if value in ({}, None) else value
