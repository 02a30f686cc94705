"""A saved plan is refused once the state or the live assistants it covers moved."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistform.apply.run import state_for
from assistform.apply.stale import check_fresh, load_saved_plan, what_moved
from assistform.errors import PlanError, StalePlanError
from assistform.render import render

from .world import World, spec


def test_a_fresh_plan_has_nothing_moved(world: World) -> None:
    world.apply([spec("a")])
    plan = world.plan([spec("a", description="new"), spec("b")])
    assert what_moved(plan, world.state_file.load(), world.api.list_all()) == []


def test_a_state_written_since_makes_the_plan_stale(world: World) -> None:
    world.apply([spec("a")])
    plan = world.plan([spec("a", description="new")])
    world.apply([spec("a"), spec("b")])
    moved = what_moved(plan, world.state_file.load(), world.api.list_all())
    assert moved[0].startswith("the state was written since (serial 1 -> 2)")


def test_another_state_makes_the_plan_stale(world: World) -> None:
    plan = world.plan([spec("a")])  # no state file yet: the plan brings a new lineage
    world.apply([spec("b")])  # meanwhile another run starts a state of its own
    current = state_for(plan, world.state_file)
    assert current.lineage != plan.state.lineage
    assert "the state is another one" in what_moved(plan, current, None)[0]


def test_a_live_assistant_changed_or_gone_makes_the_plan_stale(world: World) -> None:
    world.apply([spec("a"), spec("b")])
    plan = world.plan([spec("a", description="new"), spec("b", description="new")])
    ids = {c.key: c.id for c in plan.resource_changes}
    world.api.update(ids["a"] or "", {"name": "changed by hand"})
    world.api.delete(ids["b"] or "")
    moved = what_moved(plan, world.state_file.load(), world.api.list_all())
    assert moved == [f"a: {ids['a']} was changed", f"b: {ids['b']} is gone"]


def test_a_create_is_stale_once_a_live_assistant_carries_its_tag(world: World) -> None:
    plan = world.plan([spec("a")])
    [create] = plan.resource_changes
    tagged = world.api.create(create.request or {})
    state = state_for(plan, world.state_file)  # no state file yet: the plan's lineage
    moved = what_moved(plan, state, world.api.list_all())
    assert moved == [f"a: {tagged.id} now carries its ownership tag"]


def test_a_create_is_stale_only_once_its_own_environment_carries_its_tag(world: World) -> None:
    """Another environment's assistant for the same key never stales prod's plan."""
    plan = world.plan([spec("a")], env="prod")
    [create] = plan.resource_changes
    assert create.request is not None
    state = state_for(plan, world.state_file)
    staging = {"assistform": f"a@{plan.state.lineage}@staging"}
    world.api.create({**create.request, "metadata": staging})
    assert what_moved(plan, state, world.api.list_all()) == []
    tagged = world.api.create(create.request)
    assert what_moved(plan, state, world.api.list_all()) == [
        f"a: {tagged.id} now carries its ownership tag"
    ]


def test_a_plan_made_without_refresh_is_checked_against_the_state_only(world: World) -> None:
    world.apply([spec("a")])
    plan = world.plan([spec("a", description="new")]).model_copy(
        update={"live": world.plan([]).live.model_copy(update={"refreshed": False})}
    )
    world.api.update(plan.resource_changes[0].id or "", {"name": "changed by hand"})
    assert what_moved(plan, world.state_file.load(), world.api.list_all()) == []


def test_the_refusal_says_what_moved(world: World) -> None:
    world.apply([spec("a")])
    plan = world.plan([spec("a", description="new")])
    world.apply([spec("a", description="other")])
    with pytest.raises(StalePlanError, match=r"saved plan p\.json is stale: the state was written"):
        check_fresh(plan, world.state_file.load(), world.api.list_all(), "p.json")


def test_a_saved_plan_reads_back_equal(world: World, tmp_path: Path) -> None:
    plan = world.plan([spec("a")])
    path = tmp_path / "plan.json"
    path.write_text(render(plan, "json"), encoding="utf-8")
    assert load_saved_plan(path) == plan


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "is not a saved plan"),
        ('{"format_version": 1}', "is not a saved plan"),
    ],
)
def test_what_is_not_a_saved_plan_is_refused(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "plan.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(PlanError, match=message):
        load_saved_plan(path)
