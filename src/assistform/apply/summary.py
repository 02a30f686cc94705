"""How an apply ends: `Apply complete: 2 created, 1 updated, 0 replaced, 1 deleted.`"""

from __future__ import annotations

from collections.abc import Sequence

from assistform.apply.knowledge_context import Step
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
    return None if change.adds_version else change.action


def failure_lines(outcomes: Sequence[Outcome]) -> list[str]:
    """One line per failed change: key, action, and the API's message."""
    return [
        f"{o.change.key} ({o.change.action.value}): {o.error.message}"
        for o in outcomes
        if o.error is not None
    ]


def knowledge_summary_line(steps: Sequence[Step]) -> str:
    """`Files: 12 uploaded, 3 deleted; vector stores: 1 created, 1 updated, 0 replaced,
    0 deleted; 30 files attached, 1 failed.` A store whose files changed counts as updated,
    as the plan counts it; adoptions are added when there are some."""
    done = [s for s in steps if s.ok]

    def count(what: str, action: str) -> int:
        return sum(1 for s in done if s.what == what and s.action == action)

    made = {s.key for s in done if s.what == "vector store" and s.action in ("create", "replace")}
    touched = {
        key
        for s in done
        if (key := s.store_key) is not None and s.action in ("update", "attach", "retag", "detach")
    }
    attached = sum(s.count for s in done if s.what == "vector store" and s.action == "attach")
    failed = len(steps) - len(done)
    adopted = [
        f"{n} {noun}{'' if n == 1 else 's'} adopted"
        for noun, what in (("file", "file"), ("vector store", "vector store"))
        if (n := count(what, "adopt"))
    ]
    line = (
        f"Files: {count('file', 'upload')} uploaded, {count('file', 'delete')} deleted; "
        f"vector stores: {count('vector store', 'create')} created, "
        f"{len(touched - made)} updated, {count('vector store', 'replace')} replaced, "
        f"{count('vector store', 'delete')} deleted; "
        f"{attached} file{'' if attached == 1 else 's'} attached"
    )
    if adopted:  # found on the server (a lost answer, a lost state): recorded, not made
        line += "; " + ", ".join(adopted)
    return f"{line}, {failed} failed." if failed else f"{line}."
