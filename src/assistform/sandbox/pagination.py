"""Cursor pagination of the sandbox's lists (rules 21-23 of `defaults.py`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

#: Sort position of a listed item: created_at, then creation order within the same instant.
Position = tuple[float, int]


class Listed(Protocol):
    @property
    def position(self) -> Position: ...

    @property
    def created_at(self) -> float: ...


ItemT = TypeVar("ItemT", bound=Listed)


@dataclass(frozen=True)
class Page(Generic[ItemT]):
    items: list[ItemT]
    has_more: bool


def paginate(
    oldest_first: Sequence[ItemT],
    *,
    limit: int,
    descending: bool,
    after: Position | None = None,
    before: Position | None = None,
    repeat_cursor_within_second: bool = False,
) -> Page[ItemT]:
    """One page of `oldest_first` in the requested order, between the cursors (exclusive).

    With `repeat_cursor_within_second` (the lenient profile's bug), an `after` cursor whose
    successor shares its second is served again first; see `profiles.py`.
    """
    ordered = list(reversed(oldest_first)) if descending else list(oldest_first)

    def beyond(position: Position, cursor: Position) -> bool:
        return position < cursor if descending else position > cursor

    window = [
        r
        for r in ordered
        if (after is None or beyond(r.position, after))
        and (before is None or beyond(before, r.position))
    ]
    if after is not None and repeat_cursor_within_second and window and limit > 1:
        cursor = next((r for r in ordered if r.position == after), None)
        if cursor is not None and int(cursor.created_at) == int(window[0].created_at):
            window.insert(0, cursor)
    if before is not None and after is None:
        # Walking backwards from `before`: the page nearest the cursor, still in order.
        return Page(window[-limit:], len(window) > limit)
    return Page(window[:limit], len(window) > limit)
