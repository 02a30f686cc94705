"""A spec removed, for an assistant as for a vector store: what it names live is deleted
(found by the state's id or by its ownership tag), or forgotten when already gone."""

from __future__ import annotations

from typing import Any, Protocol

from assistform.plan.model import Action, Reason
from assistform.plan.tagged import ChangeT, Tagged


class Recorded(Protocol):
    """What the state records of it (`ResourceState`, `VectorStoreRecord`)."""

    @property
    def id(self) -> str: ...

    @property
    def applied(self) -> dict[str, Any]: ...


def forget_gone(
    change_type: type[ChangeT], key: str, recorded: Recorded | None, **fields: Any
) -> ChangeT:
    """Known to the state only, and the server no longer has it: forget it."""
    return change_type(
        key=key,
        action=Action.NOOP,
        id=recorded.id if recorded else None,
        reasons=[Reason.SPEC_REMOVED, Reason.DELETED_OUTSIDE],
        before=recorded.applied if recorded else None,
        forget=True,
        notes=["spec removed and already gone from the server: forgetting it"],
        **fields,
    )


def delete_removed(
    change_type: type[ChangeT],
    key: str,
    recorded: Recorded | None,
    current: Tagged | None,
    **fields: Any,
) -> ChangeT:
    """Delete the live one (else the one the state records, with --no-refresh)."""
    return change_type(
        key=key,
        action=Action.DELETE,
        id=current.id if current else recorded.id if recorded else None,
        reasons=[Reason.SPEC_REMOVED],
        before=current.config if current else (recorded.applied if recorded else None),
        live_fingerprint=current.fingerprint if current else None,
        forget=recorded is not None,
        notes=[] if recorded else ["not in the state: found by its ownership tag"],
        **fields,
    )
