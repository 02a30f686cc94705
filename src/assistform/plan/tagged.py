"""What assistants and vector stores share when found by their ownership tag: several
carrying one key's tag are duplicates, the oldest kept and the others deleted."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, TypeVar

from assistform.plan.model import Action, Reason, ResourceChange, VectorStoreChange


class Tagged(Protocol):
    """A live resource as read (`LiveAssistant`, `LiveVectorStore`)."""

    @property
    def id(self) -> str: ...

    @property
    def raw(self) -> dict[str, Any]: ...

    @property
    def config(self) -> dict[str, Any]: ...

    @property
    def fingerprint(self) -> str: ...


TaggedT = TypeVar("TaggedT", bound=Tagged)
ChangeT = TypeVar("ChangeT", ResourceChange, VectorStoreChange)


def by_age(resource: Tagged) -> tuple[float, str]:
    """Oldest first (then by id): of duplicates, the one kept is the one made first."""
    created = resource.raw.get("created_at")
    return (float(created) if isinstance(created, int | float) else 0.0, resource.id)


def keep_first(
    current: TaggedT | None, candidates: list[TaggedT]
) -> tuple[TaggedT | None, list[TaggedT]]:
    """The resource kept (`current`, else the first candidate) and the duplicates."""
    if current is None and candidates:
        current = candidates[0]
    return current, [c for c in candidates if current is None or c.id != current.id]


def duplicates_warning(key: str, kind: str, kept: Tagged | None, extras: Sequence[Tagged]) -> str:
    """`kind` in the plural: `live assistants`, `vector stores`."""
    return (
        f"DUPLICATES: {len(extras) + 1} {kind} carry the tag of '{key}'; "
        f"keeping {kept.id if kept is not None else '?'}, deleting "
        + ", ".join(e.id for e in extras)
    )


def delete_found(
    change_type: type[ChangeT], key: str, found: Tagged, reason: Reason, note: str
) -> ChangeT:
    """The delete of a live resource found by its tag and not recorded as the key's."""
    return change_type(
        key=key,
        action=Action.DELETE,
        id=found.id,
        reasons=[reason],
        before=found.config,
        live_fingerprint=found.fingerprint,
        notes=[note],
    )
