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
        f"{sum(1 for o in outcomes if o.ok and _counted_as(o) is action)} {word}"
        for action, word in _COUNTED
    )
    versions = sum(1 for o in outcomes if o.ok and _counted_as(o) is None)
    if versions:
        done += f", {versions} new version{'s' if versions > 1 else ''}"
    failed = sum(1 for o in outcomes if not o.ok)
    if failed:
        return f"Apply failed: {done}; {failed} failed."
    return f"Apply complete: {done}."


def _counted_as(outcome: Outcome) -> Action | None:
    """The action an outcome counts as; None for a blue-green key's new version beside its
    current one (not a replace: nothing live was destroyed)."""
    change = outcome.change
    if change.new_version and change.action is Action.REPLACE:
        return None
    return change.action


def failure_lines(outcomes: Sequence[Outcome]) -> list[str]:
    """One line per failed change: key, action, and the API's message."""
    return [
        f"{o.change.key} ({o.change.action.value}): {o.error.message}"
        for o in outcomes
        if o.error is not None
    ]
