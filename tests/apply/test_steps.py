"""Each kind of change, end to end against the sandbox, each followed by a clean plan."""

from __future__ import annotations

from collections.abc import Callable

from assistform.ownership import tag_of
from assistform.plan.desired import DesiredAssistant
from assistform.plan.model import Action, Reason
from assistform.sandbox import Faults, nth

from .world import World, spec


def actions(world: World, desired: list[DesiredAssistant]) -> list[tuple[str, str]]:
    return [(c.key, c.action.value) for c in world.plan(desired).resource_changes]


def test_create_noop_update_replace_delete(world: World) -> None:
    desired = [spec("support/triage", temperature=0.5)]
    created = world.apply(desired)
    assert created.failed == []
    [first] = world.live()
    assert created.outcomes[0].describe() == f"created support/triage ({first.id})"
    world.assert_converged(desired)

    assert actions(world, desired) == [("support/triage", "no-op")]
    world.assert_converged(desired)

    desired = [spec("support/triage", temperature=0.9)]
    world.apply(desired)
    [updated] = world.live()
    assert updated.id == first.id
    assert updated.raw["temperature"] == 0.9
    world.assert_converged(desired)

    desired = [
        spec("support/triage", temperature=0.1, lifecycle={"replace_on_change": ["temperature"]})
    ]
    replaced = world.apply(desired)
    [new] = world.live()
    assert new.id != first.id
    assert replaced.outcomes[0].describe() == f"replaced support/triage ({new.id}, was {first.id})"
    world.assert_converged(desired)

    deleted = world.apply([])
    assert [o.describe() for o in deleted.outcomes] == [f"deleted support/triage ({new.id})"]
    assert world.live() == []
    assert world.state_file.load().resources == {}
    world.assert_converged([])


def test_update_sends_only_the_changed_fields_in_one_call(world: World) -> None:
    world.apply([spec("a", temperature=0.5, description="old")])
    world.server.stats.reset()
    plan = world.plan([spec("a", temperature=0.5, description="new")])
    [change] = plan.resource_changes
    assert change.request == {"description": "new"}
    world.apply_plan(plan)
    assert world.server.stats.count("POST") == 1
    assert world.live()[0].raw["description"] == "new"


def test_the_state_records_the_normalized_config_as_applied(world: World) -> None:
    world.apply([spec("a", reasoning_effort="high", metadata={"team": "x"})])
    recorded = world.state_file.load().resources["a"]
    assert recorded.applied["reasoning_effort"] == "high"
    assert recorded.applied["metadata"] == {"team": "x"}  # without the ownership tag
    assert recorded.id == world.live()[0].id


def test_adoption_records_a_tagged_assistant_the_state_lost(world: World) -> None:
    desired = [spec("a"), spec("b")]
    world.apply(desired)
    lineage = world.state_file.load().lineage
    world.state_file.save(world.state_file.load().with_resource("b", None))
    plan = world.plan(desired)
    [adopt] = [c for c in plan.resource_changes if c.adopt]
    assert adopt.action is Action.NOOP
    result = world.apply_plan(plan)
    assert [o.describe() for o in result.outcomes] == [f"adopted b ({adopt.id})"]
    assert world.state_file.load().lineage == lineage
    world.assert_converged(desired)


def test_a_spec_removed_and_gone_from_the_server_is_forgotten(world: World) -> None:
    world.apply([spec("a"), spec("b")])
    b = world.state_file.load().resources["b"].id
    world.api.delete(b)
    result = world.apply([spec("a")])
    assert [o.describe() for o in result.outcomes] == ["forgot b"]
    assert set(world.state_file.load().resources) == {"a"}
    world.assert_converged([spec("a")])


def test_a_duplicate_is_deleted_without_touching_the_state_entry(world: World) -> None:
    desired = [spec("a")]
    world.apply(desired)
    state = world.state_file.load()
    kept = state.resources["a"].id
    body = dict(desired[0].request, metadata={"assistform": f"a@{state.lineage}@"})
    extra = world.api.create(body).id
    plan = world.plan(desired)
    [dup] = plan.resource_changes[1:]
    assert (dup.action, dup.id, dup.reasons) == (Action.DELETE, extra, [Reason.DUPLICATE])
    result = world.apply_plan(plan)
    assert result.failed == []
    assert [a.id for a in world.live()] == [kept]
    assert world.state_file.load().resources["a"].id == kept
    world.assert_converged(desired)


def test_a_delete_of_an_assistant_already_gone_counts_as_done(world: World) -> None:
    world.apply([spec("a")])
    plan = world.plan([])
    world.api.delete(plan.resource_changes[0].id or "")
    result = world.apply_plan(plan)
    assert result.failed == []
    assert world.state_file.load().resources == {}


def test_replace_creates_the_new_one_before_it_deletes_the_old(world: World) -> None:
    world.apply([spec("a", temperature=0.5)])
    world.server.stats.reset()
    world.apply([spec("a", temperature=0.7)], replace=("a",))
    calls = [(r.method, r.route) for r in world.server.stats.requests if r.method != "GET"]
    assert calls == [("POST", "/v1/assistants"), ("DELETE", "/v1/assistants/{assistant_id}")]
    [live] = world.live()
    assert tag_of(live.raw["metadata"]) is not None
    world.assert_converged([spec("a", temperature=0.7)])


def test_a_server_that_answers_403_for_a_gone_id_still_counts_the_delete_done(
    make_world: Callable[..., World],
) -> None:
    world = make_world(profile="lenient")  # unknown ids are 403 there, not 404
    world.apply([spec("a")])
    plan = world.plan([])
    world.api.delete(plan.resource_changes[0].id or "")
    result = world.apply_plan(plan)
    assert result.failed == []
    assert world.state_file.load().resources == {}


def test_a_lost_create_answer_is_found_by_its_environment_tag(
    make_world: Callable[..., World],
) -> None:
    """The create body and the look-up after a lost answer carry the same environment."""
    world = make_world(faults=Faults(lose_answer=nth("POST", "/v1/assistants", 1)))
    result = world.apply([spec("a")], env="prod")
    assert result.failed == []
    [live] = world.live()
    lineage = world.state_file.load().lineage
    assert live.raw["metadata"] == {"assistform": f"a@{lineage}@prod"}
    assert world.server.stats.count("POST", "/v1/assistants") == 1
    assert world.state_file.load().resources["a"].id == live.id
