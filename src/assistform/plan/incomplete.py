"""No create or delete on the strength of a listing that may have stopped short.

A server whose list cannot be walked to its end (a full page, and no way past it) hides
every assistant beyond what was served. A plan made from such a listing may still update
what it found by id, but an assistant it did not see is not therefore absent: creating one
could copy it, and forgetting or deleting one could lose track of it.
"""

from __future__ import annotations

from assistform.errors import PlanError
from assistform.plan.live import LiveSet
from assistform.plan.model import Action, ResourceChange

#: Keys named per kind of change in the refusal; the rest are counted.
SHOWN = 5


def refuse_on_incomplete_listing(changes: list[ResourceChange], live: LiveSet | None) -> None:
    """Raise `PlanError` when `live` may be incomplete and `changes` create, delete, replace
    or forget anything."""
    if live is None or live.complete:
        return
    risky: dict[str, list[str]] = {}
    for change in changes:
        verb = risky_verb(change.action, forget=change.forget)
        if verb is not None:
            risky.setdefault(verb, []).append(change.key)
    if not risky:
        return
    planned = "; ".join(f"{verb} {counted(keys)}" for verb, keys in risky.items())
    raise PlanError(
        f"the list of assistants may be incomplete ({live.gap or 'it stopped short'}): "
        f"assistform saw {len(live.assistants)} assistant(s) and cannot see whether any other "
        f"exists, so it will not plan to {planned} on the strength of it (that could copy or "
        "lose an assistant it cannot see); updates of the assistants it found are still "
        "planned with --target, and `assistform doctor` shows what the server's list does"
    )


def risky_verb(action: Action, *, forget: bool) -> str | None:
    """What a change does that a listing which may have stopped short cannot justify;
    None when the change is safe on such a listing."""
    if action in (Action.CREATE, Action.DELETE, Action.REPLACE):
        return action.value
    return "forget" if forget else None


def counted(names: list[str]) -> str:
    """`7 (a, b, c, d, e and 2 more)`: the first SHOWN names, the rest counted."""
    shown = ", ".join(names[:SHOWN])
    more = len(names) - SHOWN
    return f"{len(names)} ({shown}{f' and {more} more' if more > 0 else ''})"
