"""Blue-green versions in the planner: what each step carries for apply (`plan.bluegreen`)."""

from __future__ import annotations

import pytest

from assistform.errors import PlanError
from assistform.ownership import TAG_KEY, VERSION_KEY
from assistform.plan.model import Action, Plan, ResourceChange
from assistform.state import Version

from .build import BLUE_GREEN, plan, recorded, spec, state, version, versioned


def the(result: Plan) -> ResourceChange:
    (change,) = [c for c in result.resource_changes if c.key == "bot" and c.version]
    return change


def v(number: int, assistant_id: str) -> Version:
    return Version(version=number, id=assistant_id)


def test_a_new_version_is_a_whole_create_body_tagged_with_its_number() -> None:
    result = plan(
        [spec("bot", BLUE_GREEN, temperature=0.2)],
        state(bot=versioned(1, {1: "asst_1"})),
        [version("asst_1", "bot", 1)],
    )
    change = the(result)
    assert change.new_version and change.version == 2
    assert change.request is not None
    assert change.request["temperature"] == 0.2 and change.request["model"]
    assert change.request["metadata"][VERSION_KEY] == "2"
    assert change.request["metadata"][TAG_KEY].startswith("bot@")
    assert change.versions == [v(1, "asst_1")] and change.prune == []


def test_the_oldest_versions_beyond_keep_versions_go_after_the_switch() -> None:
    kept = {1: "asst_1", 2: "asst_2"}
    result = plan(
        [spec("bot", BLUE_GREEN, temperature=0.2)],
        state(bot=versioned(2, kept)),
        [version(i, "bot", n) for n, i in kept.items()],
    )
    change = the(result)
    assert change.version == 3
    assert change.prune == [v(1, "asst_1")]
    assert change.versions == [v(2, "asst_2")]


def test_a_rolled_back_key_gets_a_new_version_past_every_kept_one() -> None:
    kept = {1: "asst_1", 2: "asst_2"}
    result = plan(
        [spec("bot", {**BLUE_GREEN, "keep_versions": 3}, temperature=0.2)],
        state(bot=versioned(1, kept)),  # rolled back to 1
        [version(i, "bot", n) for n, i in kept.items()],
    )
    change = the(result)
    assert (change.action, change.id, change.version) == (Action.REPLACE, "asst_1", 3)
    assert change.versions == [v(1, "asst_1"), v(2, "asst_2")] and change.prune == []


def test_the_number_of_an_unrecorded_version_is_never_reused() -> None:
    result = plan(
        [spec("bot", BLUE_GREEN, temperature=0.2)],
        state(bot=versioned(1, {1: "asst_1"})),
        [version("asst_1", "bot", 1), version("asst_7", "bot", 7)],
    )
    assert the(result).version == 8
    unrecorded = [c for c in result.resource_changes if c.id == "asst_7"]
    assert [c.action for c in unrecorded] == [Action.DELETE]


def test_an_in_place_assistant_switched_to_blue_green_is_recorded_as_version_1() -> None:
    result = plan(
        [spec("bot", BLUE_GREEN)], state(bot=recorded("asst_1")), [version("asst_1", "bot", 1)]
    )
    change = the(result)
    assert change.action is Action.NOOP and change.record
    assert (change.version, change.versions) == (1, [v(1, "asst_1")])
    assert change.applied is not None


def test_a_removed_spec_deletes_the_other_versions_with_the_current_one() -> None:
    kept = {1: "asst_1", 2: "asst_2"}
    result = plan(
        [], state(bot=versioned(2, kept)), [version(i, "bot", n) for n, i in kept.items()]
    )
    (change,) = result.resource_changes
    assert (change.action, change.id, change.forget) == (Action.DELETE, "asst_2", True)
    assert change.prune == [v(1, "asst_1")]


def test_prevent_destroy_allows_a_new_version_but_not_deleting_old_ones() -> None:
    protected = {**BLUE_GREEN, "prevent_destroy": True}
    one = versioned(1, {1: "asst_1"}, protected)
    changed = plan(
        [spec("bot", protected, temperature=0.2)], state(bot=one), [version("asst_1", "bot", 1)]
    )
    assert the(changed).version == 2
    two = versioned(2, {1: "asst_1", 2: "asst_2"}, protected)
    with pytest.raises(PlanError, match="prevent_destroy forbids destroying 'bot'"):
        plan(
            [spec("bot", protected, temperature=0.2)],
            state(bot=two),
            [version("asst_1", "bot", 1), version("asst_2", "bot", 2)],
        )


def test_an_in_place_spec_keeps_its_records_free_of_versions() -> None:
    result = plan(
        [spec("bot", temperature=0.2)], state(bot=recorded("asst_1")), [version("asst_1", "bot", 1)]
    )
    (change,) = result.resource_changes
    assert change.action is Action.UPDATE
    assert (change.version, change.versions, change.prune) == (None, [], [])
