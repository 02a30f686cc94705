"""Run the changes of a plan in parallel, each through `steps.carry_out`.

Changes of a plan are independent of one another (one per key, plus duplicates to
delete), so they run on a thread pool; the SDK client is thread-safe. A failed change is
an `Outcome` with an error and never stops the others.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed

from assistform.apply.steps import Outcome, StepContext, carry_out
from assistform.plan.model import Action, Plan, ResourceChange

DEFAULT_PARALLELISM = 8


def acting_changes(plan: Plan) -> list[ResourceChange]:
    """The changes apply has to carry out: everything but a no-op that records nothing."""
    return [c for c in plan.resource_changes if c.action is not Action.NOOP or c.writes_state]


def known_ids(plan: Plan) -> dict[str, frozenset[str]]:
    ids: dict[str, set[str]] = {}
    for change in plan.resource_changes:
        # Blue-green versions share their key's ownership tag: never taken for a create.
        ids.setdefault(change.key, set()).update(change.named_ids)
    return {key: frozenset(found) for key, found in ids.items()}


def execute(
    changes: Sequence[ResourceChange],
    ctx: StepContext,
    *,
    parallelism: int = DEFAULT_PARALLELISM,
    on_done: Callable[[Outcome], None] = lambda outcome: None,
) -> list[Outcome]:
    """Every change's outcome, in the order of `changes`; `on_done` sees each as it ends."""
    pool = ThreadPoolExecutor(max_workers=max(1, parallelism), thread_name_prefix="apply")
    order: dict[Future[Outcome], int] = {}
    outcomes: list[tuple[int, Outcome]] = []
    try:
        for index, change in enumerate(changes):
            order[pool.submit(carry_out, change, ctx)] = index
        for future in as_completed(order):
            outcome = future.result()
            if outcome.recorded is not None:
                # Reported only once durable: a run killed now still knows what it said.
                outcome.recorded.result()
            on_done(outcome)
            outcomes.append((order[future], outcome))
    except BaseException:
        # Interrupted (or a journal write failed): start nothing new, but let the changes
        # under way finish, so that what they did is recorded.
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    return [outcome for _, outcome in sorted(outcomes, key=lambda pair: pair[0])]
