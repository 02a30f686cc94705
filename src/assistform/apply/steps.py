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
from typing import Any

from assistform.api.client import AssistantsApi
from assistform.apply.creates import Created, delete_if_present, safe_create
from assistform.apply.recorder import Recorder
from assistform.apply.retry import Budget, Clock, RetryPolicy
from assistform.apply.verify import unstored
from assistform.errors import ApiError
from assistform.normalize import Config
from assistform.ownership import OwnershipTag
from assistform.plan.live import LiveAssistant
from assistform.plan.model import Action, Reason, ResourceChange
from assistform.state import ResourceState, Version


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
        if change.new_version:
            return f"created version {change.version} of {change.key} ({self.id}){extra}"
        if change.version is not None and change.action is Action.DELETE and change.prune:
            return f"kept version {change.version} of {change.key} ({change.id}){extra}"
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
    #: The environment the plan was made for: part of every ownership tag it creates.
    env: str | None = None
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    clock: Clock = field(default_factory=Clock)
    #: Every live assistant id the plan names, per key: never taken for a new create.
    known_ids: Mapping[str, frozenset[str]] = field(default_factory=dict)


def carry_out(change: ResourceChange, ctx: StepContext) -> Outcome:
    """Do `change` and record it; an API failure becomes the outcome's error."""
    budget = Budget(ctx.policy, ctx.clock)
    step = _STEPS[change.action]
    if change.version is not None and change.action is not Action.NOOP:
        step = _switch_version
    try:
        return step(change, ctx, budget)
    except ApiError as error:
        return Outcome(change, error=error)


def _create(change: ResourceChange, ctx: StepContext, budget: Budget) -> Outcome:
    created = _create_tagged(change, ctx, budget)
    kept = unstored(change.request or {}, created.assistant)
    recorded = _record(change, ctx, created.assistant, kept)
    return Outcome(
        change,
        id=created.assistant.id,
        error=_not_stored(kept),
        notes=_created_notes(created),
        recorded=recorded,
    )


def _update(change: ResourceChange, ctx: StepContext, budget: Budget) -> Outcome:
    assistant_id = _id_of(change)
    body = dict(change.request or {})
    # The client retries it (a modify sent again after a lost answer changes nothing more).
    answer = ctx.api.update(assistant_id, body)
    kept = unstored(body, answer)
    return Outcome(
        change,
        id=assistant_id,
        error=_not_stored(kept),
        recorded=_record(change, ctx, answer, kept),
    )


def _replace(change: ResourceChange, ctx: StepContext, budget: Budget) -> Outcome:
    old = _id_of(change)
    created = _create_tagged(change, ctx, budget)
    new = created.assistant.id
    kept = unstored(change.request or {}, created.assistant)
    # The new one must be in the state before the old one goes: never a key without one.
    recorded = _record(change, ctx, created.assistant, kept)
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
    return Outcome(change, id=new, error=_not_stored(kept), notes=notes, recorded=recorded)


def _switch_version(change: ResourceChange, ctx: StepContext, budget: Budget) -> Outcome:
    """Blue-green: create the new version (if any), record it as current with the versions
    kept, and only then delete the pruned ones. Killed before the record, the new version is
    unrecorded and the old one still current; after it, the pruned ones are unrecorded:
    either way the next plan deletes what the state does not record (`plan.bluegreen`)."""
    notes: tuple[str, ...] = ()
    kept: Mapping[str, str] = {}
    versions = list(change.versions)
    if change.new_version:
        assert change.version is not None
        created = _create_tagged(change, ctx, budget)
        kept = unstored(change.request or {}, created.assistant)
        versions.append(Version(version=change.version, id=created.assistant.id))
        recorded = _record(change, ctx, created.assistant, kept, versions=versions)
        current: str = created.assistant.id
        notes = _created_notes(created)
    else:
        current = _id_of(change)
        resource = ResourceState(
            id=current,
            applied=_applied(change),
            observed=_observed(change, ctx, current),
            lifecycle=change.lifecycle,
            version=change.version,
            versions=versions,
        )
        recorded = ctx.recorder.submit(change.key, resource)
    recorded.result()  # the switch is durable before any version goes
    left: list[str] = []
    error: ApiError | None = None
    for old in change.prune:
        try:
            delete_if_present(ctx.api, old.id)
        except ApiError as failure:
            left.append(f"version {old.version} ({old.id})")
            error = failure
    if error is not None:
        message = f"could not delete {', '.join(left)}: {error.message} (the next apply does)"
        return Outcome(
            change,
            id=current,
            error=ApiError(message, status=error.status),
            notes=notes,
            recorded=recorded,
        )
    if change.prune:
        gone = ", ".join(str(v.version) for v in change.prune)
        notes = (*notes, f"deleted version(s) {gone}")
    return Outcome(change, id=current, error=_not_stored(kept), notes=notes, recorded=recorded)


def _delete(change: ResourceChange, ctx: StepContext, budget: Budget) -> Outcome:
    for version in change.prune:  # blue-green: the other versions go with the spec
        delete_if_present(ctx.api, version.id)
    delete_if_present(ctx.api, _id_of(change))
    if change.forget and Reason.DUPLICATE not in change.reasons:
        return Outcome(change, recorded=ctx.recorder.submit(change.key, None))
    return Outcome(change)


def _noop(change: ResourceChange, ctx: StepContext, budget: Budget) -> Outcome:
    if change.forget:
        return Outcome(change, recorded=ctx.recorder.submit(change.key, None))
    if change.adopt or change.record:
        assistant_id = _id_of(change)
        resource = ResourceState(
            id=assistant_id,
            applied=_applied(change),
            observed=_observed(change, ctx, assistant_id),
            lifecycle=change.lifecycle,
            version=change.version,
            versions=change.versions,
        )
        return Outcome(change, id=assistant_id, recorded=ctx.recorder.submit(change.key, resource))
    return Outcome(change, id=change.id)


_STEPS = {
    Action.CREATE: _create,
    Action.UPDATE: _update,
    Action.REPLACE: _replace,
    Action.DELETE: _delete,
    Action.NOOP: _noop,
}


def _create_tagged(change: ResourceChange, ctx: StepContext, budget: Budget) -> Created:
    tag = OwnershipTag(change.key, ctx.lineage, ctx.env)
    # Blue-green versions carry the same tag: none of them is ever taken for this create.
    exclude = ctx.known_ids.get(change.key, frozenset()) | change.named_ids
    return safe_create(
        ctx.api, dict(change.request or {}), tag, budget.for_operation(), exclude=exclude
    )


def _record(
    change: ResourceChange,
    ctx: StepContext,
    answer: LiveAssistant,
    kept: Mapping[str, str],
    *,
    versions: list[Version] | None = None,
) -> Future[None]:
    """Record what the server answered as the truth about the assistant. A field it did not
    store as sent is recorded as applied with the value it kept, so that the next plan
    shows the spec's value as still to apply."""
    observed = answer.config
    applied = _applied(change)
    for name in kept:
        applied[name] = observed.get(name)
    resource = ResourceState(
        id=answer.id,
        applied=applied,
        observed=observed,
        lifecycle=change.lifecycle,
        version=change.version if versions is not None else None,
        versions=versions or [],
    )
    return ctx.recorder.submit(change.key, resource)


def _applied(change: ResourceChange) -> dict[str, Any]:
    # The planner sets `applied` on every change that records; `after` stands in for a
    # change made by hand without it.
    return dict(change.applied if change.applied is not None else change.after or {})


def _observed(change: ResourceChange, ctx: StepContext, assistant_id: str) -> Config | None:
    """What the server holds of `assistant_id`, for a change that writes nothing to it: as
    the plan read it, else (nothing read: --no-refresh) as the state last recorded it."""
    if change.observed is not None:
        return change.observed
    previous = ctx.recorder.state.resources.get(change.key)
    return previous.observed if previous is not None and previous.id == assistant_id else None


def _not_stored(kept: Mapping[str, str]) -> ApiError | None:
    if not kept:
        return None
    return ApiError("the server did not store what was sent: " + "; ".join(kept.values()))


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
