"""What a walk over the list said about a server's pagination, pure: which probes it showed in
what order, which it repeated or never showed, whether its `after` cursor advanced, and
the likely cause of what went wrong. The probe (`doctor.probe`) does the walking."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from assistform.doctor.report import Pagination

#: What OpenAI's list body carries besides `data`, and a pager needs.
LIST_KEYS = ("has_more", "first_id", "last_id")

CAUSE_CURSOR_AGAIN = (
    "each page after an item starts with that item again "
    "(the server resolves `after` by the created_at second)"
)
CAUSE_SECONDS_BY_ID = "the list sorts by created_at seconds but pages by id"
CAUSE_ORDER_BY_ID = "the list is not in id order but pages by id"


@dataclass(frozen=True)
class ListedPage:
    """One page of a newest-first walk: the cursor it was asked for, and the ids it held."""

    after: str | None
    ids: list[str]


@dataclass(frozen=True)
class Probe:
    role: str
    created_at: Any


def missing_list_keys(body: Mapping[str, Any]) -> list[str]:
    """The keys of OpenAI's list body (besides `data`) that this one lacks; a `has_more`
    that is not a boolean says no more than a missing one. (`first_id` and `last_id` are
    null on an empty page of OpenAI's too.)"""
    return [
        key
        for key in LIST_KEYS
        if key not in body or (key == "has_more" and not isinstance(body[key], bool))
    ]


def describe_pagination(
    pages: Sequence[ListedPage],
    probes: Mapping[str, Probe],
    targets: Sequence[str],
    limit: int,
) -> Pagination:
    """`probes`: every live probe by id, in creation order; `targets`: the ids the walk was
    after (made last, together), whose absence counts as a skip."""
    shown: list[list[str]] = []
    seen: set[str] = set()
    repeated: list[str] = []
    stuck_after: str | None = None
    for page in pages:
        if page.after is not None and page.ids and set(page.ids) <= seen and stuck_after is None:
            stuck_after = _label(page.after, probes)
        labels: list[str] = []
        others = 0
        for item in page.ids:
            probe = probes.get(item)
            if probe is None:
                others += 1
                seen.add(item)
                continue
            if others:
                labels.append(_others(others))
                others = 0
            if item in seen:
                labels.append(f"{probe.role} again")
                if probe.role not in repeated:
                    repeated.append(probe.role)
            else:
                labels.append(probe.role)
            seen.add(item)
        if others:
            labels.append(_others(others))
        shown.append(labels)
    skipped = [probes[t].role for t in targets if t not in seen]
    unstable = bool(repeated or skipped) and stuck_after is None
    return Pagination(
        limit=limit,
        pages=len(pages),
        repeated=repeated,
        skipped=skipped,
        created=[p.role for p in probes.values()],
        one_second=_one_second([p.created_at for p in probes.values()]),
        shown=shown,
        cause=pagination_cause(pages, probes) if unstable else None,
        stuck_after=stuck_after,
    )


def pagination_cause(pages: Sequence[ListedPage], probes: Mapping[str, Probe]) -> str | None:
    """The likely cause of a newest-first walk that repeated or skipped; None if unknown."""
    followed = [page for page in pages if page.after is not None and page.ids]
    if not followed:
        return None
    if any(page.ids[0] == page.after for page in followed):
        return CAUSE_CURSOR_AGAIN
    if all(item < str(page.after) for page in followed for item in page.ids):
        # Every item after a cursor has a smaller id, yet the walk repeated or skipped: the
        # cursor compares ids, and the list is sorted some other way.
        seconds = _one_second([p.created_at for p in probes.values()]) and all(
            _is_number(p.created_at) and float(p.created_at).is_integer() for p in probes.values()
        )
        return CAUSE_SECONDS_BY_ID if seconds else CAUSE_ORDER_BY_ID
    return None


def oldest_time(times: Sequence[Any]) -> float | None:
    """The earliest of `created_at` values, None unless every one is a number."""
    return float(min(times)) if times and all(_is_number(t) for t in times) else None


def older_than(created_at: Any, oldest: float | None) -> bool:
    """Whether an item listed newest first lies past every probe made at `oldest` or later."""
    return oldest is not None and _is_number(created_at) and created_at < oldest


def _label(item: str, probes: Mapping[str, Probe]) -> str:
    probe = probes.get(item)
    return probe.role if probe is not None else "another assistant"


def _others(count: int) -> str:
    return f"{count} other" if count == 1 else f"{count} others"


def _one_second(times: Sequence[Any]) -> bool:
    return bool(times) and all(_is_number(t) for t in times) and len({int(t) for t in times}) == 1


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
