"""Apply a plan: the imperative shell around `executor`, `steps` and the state journal."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from assistform.api.client import AssistantsApi
from assistform.apply.executor import DEFAULT_PARALLELISM, acting_changes, execute, known_ids
from assistform.apply.knowledge import KnowledgeApply, has_knowledge_changes
from assistform.apply.knowledge_context import (
    DEFAULT_PROCESSING_TIMEOUT,
    DEFAULT_UPLOAD_PARALLELISM,
    KnowledgeContext,
    Step,
)
from assistform.apply.recorder import Recorder
from assistform.apply.retry import Clock, RetryPolicy
from assistform.apply.steps import Outcome, StepContext
from assistform.errors import ApiError, AssistformError
from assistform.knowledge.api import KnowledgeApi
from assistform.plan.model import Plan, ResourceChange
from assistform.state import State, StateFile


@dataclass(frozen=True)
class ApplySettings:
    parallelism: int = DEFAULT_PARALLELISM
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    clock: Clock = field(default_factory=Clock)


@dataclass(frozen=True)
class KnowledgeSettings:
    """How the files and vector stores of a plan are applied."""

    api: KnowledgeApi
    #: The repository root: the plan's file paths are relative to it.
    root: Path
    upload_parallelism: int = DEFAULT_UPLOAD_PARALLELISM
    processing_timeout: float = DEFAULT_PROCESSING_TIMEOUT
    on_step: Callable[[Step], None] = lambda step: None
    on_bytes: Callable[[int], None] = lambda count: None


@dataclass(frozen=True)
class ApplyResult:
    outcomes: list[Outcome]
    state: State
    #: The knowledge steps (uploads, vector stores, their files), in the order they ended.
    steps: list[Step] = field(default_factory=list)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.ok]

    @property
    def failed_steps(self) -> list[Step]:
        return [s for s in self.steps if not s.ok]

    @property
    def ok(self) -> bool:
        return not (self.failed or self.failed_steps)


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
    knowledge: KnowledgeSettings | None = None,
) -> ApplyResult:
    """Carry out every change of `plan`, journaling each as it finishes, then compact.

    A plan with files and vector stores needs `knowledge`: their steps come before and
    after the assistants' (see `apply.knowledge`)."""
    settings = settings or ApplySettings()
    changes_knowledge = has_knowledge_changes(plan)
    if knowledge is None and changes_knowledge:
        raise AssistformError("this plan changes files and vector stores: no API given for them")
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
    steps: KnowledgeApply | None = None
    if knowledge is not None and changes_knowledge:
        steps = KnowledgeApply(plan, _knowledge_context(knowledge, recorder, ctx))
    try:
        changes = acting_changes(plan)
        unsent: list[Outcome] = []
        if steps is not None:
            steps.before_assistants()
            changes, unsent = _resolved(changes, steps)
            for outcome in unsent:
                on_done(outcome)
        outcomes = execute(changes, ctx, parallelism=settings.parallelism, on_done=on_done)
        outcomes += unsent
        if steps is not None:
            steps.after_assistants([o.change for o in outcomes if not o.ok])
    finally:
        recorder.compact()
    return ApplyResult(outcomes, recorder.state, steps.ctx.steps if steps is not None else [])


def _knowledge_context(
    knowledge: KnowledgeSettings, recorder: Recorder, ctx: StepContext
) -> KnowledgeContext:
    return KnowledgeContext(
        api=knowledge.api,
        recorder=recorder,
        lineage=ctx.lineage,
        root=knowledge.root,
        env=ctx.env,
        policy=ctx.policy,
        clock=ctx.clock,
        upload_parallelism=knowledge.upload_parallelism,
        processing_timeout=knowledge.processing_timeout,
        on_step=knowledge.on_step,
        on_bytes=knowledge.on_bytes,
    )


def _resolved(
    changes: list[ResourceChange], steps: KnowledgeApply
) -> tuple[list[ResourceChange], list[Outcome]]:
    """The changes with their references resolved, and those that cannot be sent (a file
    or store they refer to was not made) as failed outcomes."""
    resolved: list[ResourceChange] = []
    unsent: list[Outcome] = []
    for change in changes:
        try:
            resolved.append(steps.resolve(change))
        except ApiError as error:
            unsent.append(Outcome(change, error=error))
    return resolved, unsent
