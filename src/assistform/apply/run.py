"""Apply a plan: the imperative shell around `executor`, `steps` and the state journal."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from assistform.api.client import AssistantsApi
from assistform.apply.executor import DEFAULT_PARALLELISM, acting_changes, execute, known_ids
from assistform.apply.recorder import Recorder
from assistform.apply.retry import Clock, RetryPolicy
from assistform.apply.steps import Outcome, StepContext
from assistform.plan.model import Plan
from assistform.state import State, StateFile


@dataclass(frozen=True)
class ApplySettings:
    parallelism: int = DEFAULT_PARALLELISM
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    clock: Clock = field(default_factory=Clock)


@dataclass(frozen=True)
class ApplyResult:
    outcomes: list[Outcome]
    state: State

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.ok]


def state_for(plan: Plan, state_file: StateFile) -> State:
    """The state the plan will be applied to; reads only (a saved plan is checked against
    it before anything is written, and a stale one must leave the state untouched).

    With no state file yet, the plan's own (fresh) lineage: it is in the ownership tags of
    the create bodies, so it must become the lineage of the state that records them. For the
    same reason an empty state file takes on the lineage of a plan that adopted the tagged
    assistants of a lost state (see the planner); its serial stays, so a saved plan still
    matches it. `apply_plan` writes that lineage, once it applies.
    """
    if not (state_file.exists() or state_file.journal_path.exists()):
        return State(lineage=plan.state.lineage, serial=plan.state.serial)
    state = state_file.load()
    if _takes_lineage(state, plan.state.lineage):
        return state.model_copy(update={"lineage": plan.state.lineage})
    return state


def _takes_lineage(state: State, lineage: str) -> bool:
    """Whether `state` is an empty one (a run killed before its first change) that takes on
    `lineage`, the one its plan adopted."""
    return not state.resources and state.serial == 0 and state.lineage != lineage


def _base(state_file: StateFile, state: State) -> State:
    """Make the state file the base the journal extends: created if missing, and an empty
    one given the lineage `state_for` moved it to."""
    if state_file.exists():
        on_file = state_file.load()
        if _takes_lineage(on_file, state.lineage):
            return state_file.save(state, bump=False)
    return state_file.ensure_saved(state)


def apply_plan(
    plan: Plan,
    api: AssistantsApi,
    state_file: StateFile,
    state: State,
    settings: ApplySettings | None = None,
    *,
    on_done: Callable[[Outcome], None] = lambda outcome: None,
) -> ApplyResult:
    """Carry out every change of `plan`, journaling each as it finishes, then compact."""
    settings = settings or ApplySettings()
    state = _base(state_file, state)
    recorder = Recorder(state_file, state)
    ctx = StepContext(
        api=api,
        recorder=recorder,
        lineage=state.lineage,
        env=plan.env,
        policy=settings.policy,
        clock=settings.clock,
        known_ids=known_ids(plan),
    )
    try:
        outcomes = execute(
            acting_changes(plan), ctx, parallelism=settings.parallelism, on_done=on_done
        )
    finally:
        recorder.compact()
    return ApplyResult(outcomes, recorder.state)
