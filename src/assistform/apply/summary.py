"""How an apply ends: `Apply complete: 2 created, 1 updated, 0 replaced, 1 deleted.`"""

from __future__ import annotations

from collections.abc import Sequence

from assistform.apply.steps import Outcome
from assistform.plan.model import Action

_COUNTED = (
    (Action.CREATE, "created"),
    (Action.UPDATE, "updated"),
    (Action.REPLACE, "replaced"),
    (Action.DELETE, "deleted"),
)


def summary_line(outcomes: Sequence[Outcome]) -> str:
    done = ", ".join(
        f"{sum(1 for o in outcomes if o.ok and o.change.action is action)} {word}"
        for action, word in _COUNTED
    )
    failed = sum(1 for o in outcomes if not o.ok)
    if failed:
        return f"Apply failed: {done}; {failed} failed."
    return f"Apply complete: {done}."


def failure_lines(outcomes: Sequence[Outcome]) -> list[str]:
    """One line per failed change: key, action, and the API's message."""
    return [
        f"{o.change.key} ({o.change.action.value}): {o.error.message}"
        for o in outcomes
        if o.error is not None
    ]
