"""Reading a whole cursor-paged list (`data`, `has_more`, `after`): one set of rules for
every listing the clients make.

A listing always ends: with `has_more: false`, with a page shorter than the limit asked
for from a server that says nothing of `has_more` (or shorter than 100, the most the
assistants and vector store lists serve: a server may cap the files list's 10,000 there),
or with a page that brings nothing new.
When it cannot be sure it saw everything (a full page, and the next one brings nothing
new: a cursor that does not advance; or an empty page after `has_more: true`), the
`Listing` says so (`gap`), and nothing may be concluded from an absence.

A server that repeats items across pages resolves `after` imprecisely (e.g. by the second
of `created_at`), and such a server may as well skip items. So when a walk repeats, or
stops short, the list is walked once more newest first, whose pages break elsewhere, and
anything new it finds is kept.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from assistform.limits import LIST_LIMIT_MAX

Order = Literal["asc", "desc"]


class Page(Protocol):
    """One answer of a list request, as the SDK's `SyncCursorPage` holds it."""

    @property
    def data(self) -> Sequence[Any]: ...

    @property
    def has_more(self) -> bool | None: ...


#: Fetches one page: `(order, after)`, `after` None for the first.
Fetch = Callable[[Order, "str | None"], Page]


def page_query(limit: int, order: Order, after: str | None) -> dict[str, Any]:
    """The keywords of one page's list request (no `after` for the first page)."""
    query: dict[str, Any] = {"limit": limit, "order": order}
    if after is not None:
        query["after"] = after
    return query


@dataclass
class Listing:
    """Every item a listing saw, each once, oldest first as served."""

    #: What the items are, singular (`file`), for the messages.
    noun: str
    items: list[Any] = field(default_factory=list)
    #: Items served again on a later page that also brought new ones (dropped).
    repeated: int = 0
    #: Items the newest-first walk found that the first walk had skipped.
    found_again: int = 0
    #: Why the listing cannot be sure it saw everything (None: it reached the end).
    gap: str | None = None

    @property
    def complete(self) -> bool:
        return self.gap is None

    def warnings(self) -> list[str]:
        """What a user should hear of this listing, one line each."""
        noun = self.noun
        lines = []
        if self.repeated:
            line = (
                f"the server repeated {self.repeated} {noun}(s) across list pages; "
                "duplicates were dropped (its pagination is unstable)"
            )
            if self.found_again:
                line += f"; listing again newest first found {self.found_again} it had skipped"
            lines.append(line)
        if self.gap is not None:
            lines.append(
                f"the list of {noun}s may be incomplete: {self.gap}; assistform saw "
                f"{len(self.items)} {noun}(s) and cannot tell whether there are more"
            )
        return lines


def read_all(fetch: Fetch, *, noun: str, limit: int) -> Listing:
    """Every `noun` of the list `fetch` pages through, `limit` a page (see the module
    docstring)."""
    short_below = min(limit, LIST_LIMIT_MAX)
    listing = Listing(noun)
    seen: set[str] = set()
    first = _walk(fetch, "asc", listing, seen, short_below)
    gaps = [first.gap]
    listing.repeated = first.repeated
    if first.repeated or first.gap is not None:
        known = len(seen)
        gaps.append(_walk(fetch, "desc", listing, seen, short_below).gap)
        listing.found_again = len(seen) - known
    if all(gap is not None for gap in gaps):
        listing.gap = first.gap
    return listing


@dataclass
class _Walk:
    repeated: int = 0
    gap: str | None = None


def _walk(fetch: Fetch, order: Order, listing: Listing, seen: set[str], short: int) -> _Walk:
    """Page through the list in `order`, adding the items not `seen` yet."""
    walk = _Walk()
    walked: set[str] = set()
    after: str | None = None
    while True:
        page = fetch(order, after)
        fresh = repeats = 0
        for item in page.data:
            if item.id in walked:
                repeats += 1
                continue
            walked.add(item.id)
            fresh += 1
            if item.id not in seen:
                seen.add(item.id)
                listing.items.append(item)
        if fresh:
            walk.repeated += repeats
        has_more = page.has_more
        if has_more is False or (has_more is None and len(page.data) < short):
            return walk
        if not page.data:
            if has_more:
                walk.gap = "the server said there were more but served an empty page"
            return walk
        if not fresh:
            # A server that ignores `after` would otherwise be paged forever.
            walk.gap = (
                f"after {len(walked)} {listing.noun}(s) its next page brought nothing new "
                "(its `after` cursor does not advance)"
            )
            return walk
        after = page.data[-1].id
