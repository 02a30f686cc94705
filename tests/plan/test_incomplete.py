"""An incomplete listing never produces copies or deletes.

When a server's list cannot be walked to its end, an assistant missing from it may still
exist: the planner updates what it found by id, and refuses any create, delete, replace or
forget, naming what it could not see and how many it saw.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from assistform.errors import PlanError
from assistform.plan.desired import DesiredAssistant
from assistform.plan.live import LiveAssistant, LiveSet
from assistform.plan.model import Action, Plan
from assistform.plan.planner import PlanOptions, make_plan
from assistform.state import State

from .build import live, recorded, spec, state

GAP = "after 100 assistant(s) its next page brought nothing new"


def plan(
    desired: list[DesiredAssistant],
    current: State,
    assistants: list[LiveAssistant],
    *,
    complete: bool = False,
    targets: tuple[str, ...] = (),
    replace: tuple[str, ...] = (),
) -> Plan:
    live_set = LiveSet(list(assistants), complete=complete, gap=None if complete else GAP)
    options = PlanOptions("state.json", "test", targets=targets, replace=replace)
    return make_plan(desired, current, live_set, options, now=datetime(2026, 1, 1, tzinfo=UTC))


def test_updates_and_no_ops_of_assistants_found_by_id_are_planned() -> None:
    current = state(a=recorded("asst_a"), b=recorded("asst_b"))
    found = [live("asst_a", "a"), live("asst_b", "b")]
    made = plan([spec("a", temperature=0.5), spec("b")], current, found)
    assert [(c.key, c.action) for c in made.resource_changes] == [
        ("a", Action.UPDATE),
        ("b", Action.NOOP),
    ]


@pytest.mark.parametrize(
    ("desired", "current", "found", "refused"),
    [
        # A new spec: an assistant carrying its tag may be beyond what was listed.
        ([spec("a"), spec("new")], {"a": "asst_a"}, ["asst_a"], "create 1 (new)"),
        # Recorded but not listed: not therefore deleted outside.
        ([spec("a"), spec("b")], {"a": "asst_a", "b": "asst_b"}, ["asst_a"], "create 1 (b)"),
        # Spec removed, assistant not listed: not therefore gone.
        ([spec("a")], {"a": "asst_a", "b": "asst_b"}, ["asst_a"], "forget 1 (b)"),
        # Spec removed, assistant listed: its duplicates may be beyond what was listed.
        ([spec("a")], {"a": "asst_a", "b": "asst_b"}, ["asst_a", "asst_b"], "delete 1 (b)"),
    ],
    ids=["new-spec", "recorded-unseen", "removed-unseen", "removed-seen"],
)
def test_a_create_delete_or_forget_is_refused_naming_what_it_could_not_see(
    desired: list[DesiredAssistant],
    current: dict[str, str],
    found: list[str],
    refused: str,
) -> None:
    recorded_state = state(**{key: recorded(i) for key, i in current.items()})
    assistants = [live(i, next(k for k, v in current.items() if v == i)) for i in found]
    with pytest.raises(PlanError) as caught:
        plan(desired, recorded_state, assistants)
    assert caught.value.message == (
        f"the list of assistants may be incomplete ({GAP}): assistform saw {len(found)} "
        "assistant(s) and cannot see whether any other exists, so it will not plan to "
        f"{refused} on the strength of it (that could copy or lose an assistant it cannot "
        "see); updates of the assistants it found are still planned with --target, and "
        "`assistform doctor` shows what the server's list does"
    )
    # The same inputs from a complete listing plan fine.
    plan(desired, recorded_state, assistants, complete=True)


def test_a_replace_is_refused_and_many_keys_are_counted() -> None:
    keys = [f"k{i}" for i in range(7)]
    current = state(**{k: recorded(f"asst_{k}") for k in keys})
    assistants = [live(f"asst_{k}", k) for k in keys]
    desired = [spec(k) for k in keys]
    with pytest.raises(PlanError, match=r"to replace 7 \(k0, k1, k2, k3, k4 and 2 more\) on"):
        plan(desired, current, assistants, replace=("k*",))


def test_targeting_what_was_found_plans_its_updates() -> None:
    current = state(a=recorded("asst_a"))
    made = plan(
        [spec("a", name="New"), spec("new")], current, [live("asst_a", "a")], targets=("a",)
    )
    assert [(c.key, c.action) for c in made.resource_changes] == [("a", Action.UPDATE)]
