"""Carrying out one `ResourceChange`: the API calls it needs, then its state record.

The order inside a change is what makes a kill at any moment recoverable: the state is
written after the server has acted (so it never names an assistant that does not exist
for long), and a replace records its new assistant before it deletes the old one (so
the key is never without one). Whatever was done but not yet recorded carries our
ownership tag, and the next plan finds it.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field

from assistform.api.client import AssistantsApi
from assistform.apply.creates import Created, delete_if_present, safe_create
from assistform.apply.recorder import Recorder
from assistform.apply.retry import Budget, Clock, RetryPolicy
from assistform.errors import ApiError
from assistform.ownership import OwnershipTag
from assistform.plan.model import Action, Reason, ResourceChange
from assistform.state import ResourceState


@dataclass(frozen=True)
class Outcome:
    change: ResourceChange
    #: The assistant the key has after the change (None for a delete or a forget).
    id: str | None = None
    error: ApiError | None = None
    #: What the caller should know beyond the action, e.g. an adoption after a lost answer.
    notes: tuple[str, ...] = ()
    #: Done once the change's state record is durable (None: nothing to record).
    recorded: Future[None] | None = field(default=None, compare=False, repr=False)

    @property
    def ok(self) -> bool:
        return self.error is None

    def describe(self) -> str:
        """One line for progress output: `created support/triage (asst_x)`."""
        change = self.change
        if self.error is not None:
            return f"failed {change.key} ({change.action.value}): {self.error.message}"
        extra = "".join(f"; {note}" for note in self.notes)
        if change.action is Action.CREATE:
            return f"created {change.key} ({self.id}){extra}"
        if change.action is Action.UPDATE:
            return f"updated {change.key} ({self.id}){extra}"
        if change.action is Action.REPLACE:
            return f"replaced {change.key} ({self.id}, was {change.id}){extra}"
        if change.action is Action.DELETE:
            what = "duplicate of " if Reason.DUPLICATE in change.reasons else ""
            return f"deleted {what}{change.key} ({change.id}){extra}"
        if change.forget:
            return f"forgot {change.key}{extra}"
        if change.record and not change.adopt:
            return f"recorded the lifecycle of {change.key} ({self.id}){extra}"
        return f"adopted {change.key} ({self.id}){extra}"


@dataclass
class StepContext:
    api: AssistantsApi
    recorder: Recorder
    lineage: str
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    clock: Clock = field(default_factory=Clock)
    #: Every live assistant id the plan names, per key: never taken for a new create.
    known_ids: Mapping[str, frozenset[str]] = field(default_factory=dict)


def carry_out(change: ResourceChange, ctx: StepContext) -> Outcome:
    """Do `change` and record it; an API failure becomes the outcome's error."""
    budget = Budget(ctx.policy, ctx.clock)
    try:
        return _STEPS[change.action](change, ctx, budget)
    except ApiError as error:
        return Outcome(change, error=error)


def _create(change: ResourceChange, ctx: StepContext, budget: Budget) -> Outcome:
    created = _create_tagged(change, ctx, budget)
    recorded = _record(change, ctx, created.assistant.id)
    return Outcome(
        change, id=created.assistant.id, notes=_created_notes(created), recorded=recorded
    )


def _update(change: ResourceChange, ctx: StepContext, budget: Budget) -> Outcome:
    assistant_id = _id_of(change)
    # The client retries it (a modify sent again after a lost answer changes nothing more).
    ctx.api.update(assistant_id, dict(change.request or {}))
    return Outcome(change, id=assistant_id, recorded=_record(change, ctx, assistant_id))


def _replace(change: ResourceChange, ctx: StepContext, budget: Budget) -> Outcome:
    old = _id_of(change)
    created = _create_tagged(change, ctx, budget)
    new = created.assistant.id
    # The new one must be in the state before the old one goes: never a key without one.
    recorded = _record(change, ctx, new)
    recorded.result()
    notes = _created_notes(created)
    try:
        delete_if_present(ctx.api, old)
    except ApiError as error:
        return Outcome(
            change,
            id=new,
            error=ApiError(
                f"created {new} and recorded it, but could not delete {old}: {error.message} "
                "(the next plan deletes it)",
                status=error.status,
            ),
            notes=notes,
            recorded=recorded,
        )
    return Outcome(change, id=new, notes=notes, recorded=recorded)


def _delete(change: ResourceChange, ctx: StepContext, budget: Budget) -> Outcome:
    delete_if_present(ctx.api, _id_of(change))
    if change.forget and Reason.DUPLICATE not in change.reasons:
        return Outcome(change, recorded=ctx.recorder.submit(change.key, None))
    return Outcome(change)


def _noop(change: ResourceChange, ctx: StepContext, budget: Budget) -> Outcome:
    if change.forget:
        return Outcome(change, recorded=ctx.recorder.submit(change.key, None))
    if change.adopt or change.record:
        assistant_id = _id_of(change)
        return Outcome(change, id=assistant_id, recorded=_record(change, ctx, assistant_id))
    return Outcome(change, id=change.id)


_STEPS = {
    Action.CREATE: _create,
    Action.UPDATE: _update,
    Action.REPLACE: _replace,
    Action.DELETE: _delete,
    Action.NOOP: _noop,
}


def _create_tagged(change: ResourceChange, ctx: StepContext, budget: Budget) -> Created:
    tag = OwnershipTag(change.key, ctx.lineage)
    exclude = ctx.known_ids.get(change.key, frozenset())
    if change.id is not None:
        exclude = exclude | {change.id}
    return safe_create(
        ctx.api, dict(change.request or {}), tag, budget.for_operation(), exclude=exclude
    )


def _record(change: ResourceChange, ctx: StepContext, assistant_id: str) -> Future[None]:
    applied = dict(change.after or {})
    return ctx.recorder.submit(
        change.key, ResourceState(id=assistant_id, applied=applied, lifecycle=change.lifecycle)
    )


def _created_notes(created: Created) -> tuple[str, ...]:
    notes: list[str] = []
    if created.recovered:
        notes.append("its answer was lost; found it by its ownership tag")
    if created.removed:
        notes.append("deleted extra copies " + ", ".join(created.removed))
    if created.left:
        notes.append("could not delete extra copies " + ", ".join(created.left))
    return tuple(notes)


def _id_of(change: ResourceChange) -> str:
    if change.id is None:
        raise ApiError(f"the plan names no assistant id for {change.action.value} of {change.key}")
    return change.id
