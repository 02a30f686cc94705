"""The state rebuilt from ownership tags alone."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from assistform.apply.rebuild import choose_lineage, rebuild
from assistform.errors import PlanError, UsageError
from assistform.normalize import normalize
from assistform.plan.live import LiveAssistant, LiveSet

L1, L2 = "11111111-1111-1111-1111-111111111111", "22222222-2222-2222-2222-222222222222"


def live(*items: tuple[str, str | None]) -> LiveSet:
    assistants = []
    for n, (assistant_id, tag) in enumerate(items):
        raw: dict[str, Any] = {
            "id": assistant_id,
            "model": "gpt-4o",
            "name": assistant_id,
            "created_at": 1000 + n,
            "metadata": {"team": "x", **({"assistform": tag} if tag else {})},
        }
        assistants.append(LiveAssistant(assistant_id, raw))
    return LiveSet(assistants)


def test_each_tagged_assistant_is_recorded_under_its_key() -> None:
    result = rebuild(
        live(("asst_1", f"a@{L1}@"), ("asst_2", f"team/b@{L1}@"), ("asst_3", None)),
        L1,
        serial=4,
        lifecycles={"a": {"prevent_destroy": True}},
    )
    state = result.state
    assert (state.lineage, state.serial) == (L1, 4)
    assert {k: r.id for k, r in state.resources.items()} == {"a": "asst_1", "team/b": "asst_2"}
    applied = state.resources["a"].applied
    assert applied["metadata"] == {"team": "x"}
    assert applied["reasoning_effort"] is None
    assert state.resources["a"].lifecycle == {"prevent_destroy": True}


def test_two_claims_on_one_key_are_refused_unless_told_which_to_keep() -> None:
    claims = live(("asst_1", f"a@{L1}@"), ("asst_2", f"a@{L1}@"))
    with pytest.raises(PlanError, match=r"'a' is claimed by asst_1, asst_2.*--keep"):
        rebuild(claims, L1, serial=0)
    kept = rebuild(claims, L1, serial=0, keep=frozenset({"asst_2"}))
    assert kept.state.resources["a"].id == "asst_2"


def test_keep_must_name_a_claimant() -> None:
    with pytest.raises(UsageError, match="--keep asst_9"):
        rebuild(live(("asst_1", f"a@{L1}@")), L1, serial=0, keep=frozenset({"asst_9"}))


def test_other_lineages_are_left_out_with_a_warning() -> None:
    result = rebuild(live(("asst_1", f"a@{L1}@"), ("asst_2", f"a@{L2}@")), L1, serial=0)
    assert list(result.state.resources) == ["a"]
    assert "1 live assistant(s) tagged with other lineages" in result.warnings[0]


@pytest.mark.parametrize(
    ("tags", "given", "current", "expected"),
    [
        ((f"a@{L1}@",), None, None, L1),
        ((f"a@{L1}@", f"b@{L2}@"), L2, None, L2),
        ((f"a@{L1}@", f"b@{L2}@"), None, L2, L2),
    ],
)
def test_the_lineage_rebuilt(
    tags: tuple[str, ...], given: str | None, current: str | None, expected: str
) -> None:
    found = live(*((f"asst_{i}", t) for i, t in enumerate(tags)))
    assert choose_lineage(found, given, current) == expected


def test_several_lineages_need_a_choice() -> None:
    with pytest.raises(UsageError, match=r"several lineages.*--lineage"):
        choose_lineage(live(("asst_1", f"a@{L1}@"), ("asst_2", f"b@{L2}@")), None, None)


def test_nothing_tagged_nothing_to_rebuild() -> None:
    with pytest.raises(PlanError, match="nothing to rebuild from"):
        choose_lineage(live(("asst_1", None)), None, None)


def test_only_the_environment_asked_for_is_recorded() -> None:
    """Another environment's assistants are never recorded, even of the same lineage."""
    found = live(("asst_1", f"a@{L1}@prod"), ("asst_2", f"a@{L1}@staging"), ("asst_3", f"b@{L1}@"))
    result = rebuild(found, L1, serial=0, env="prod")
    assert {k: r.id for k, r in result.state.resources.items()} == {"a": "asst_1"}
    assert result.warnings == [
        "live assistants owned elsewhere were not recorded: 1 of a repository without "
        "environments, 1 of environment staging"
    ]
    assert (
        choose_lineage(
            live(("asst_1", f"a@{L1}@prod"), ("asst_2", f"a@{L2}@dev")), None, None, "prod"
        )
        == L1
    )


def test_older_tags_are_recorded_only_for_a_lineage_named_explicitly() -> None:
    found = live(("asst_1", f"a@{L1}"), ("asst_2", f"b@{L1}@prod"))
    guessed = rebuild(found, L1, serial=0, env="prod")
    assert list(guessed.state.resources) == ["b"]
    assert (
        f"1 live assistant(s) carry older tags of lineage {L1} that name no environment: not "
        f"recorded (they may be another environment's); if they are this one's, run "
        f"`assistform state rebuild --env prod --lineage {L1}`"
    ) in guessed.warnings
    asked = rebuild(found, L1, serial=0, env="prod", legacy=True)
    assert {k: r.id for k, r in asked.state.resources.items()} == {"a": "asst_1", "b": "asst_2"}


def test_older_tags_alone_are_not_a_lineage_to_guess() -> None:
    with pytest.raises(UsageError) as raised:
        choose_lineage(live(("asst_1", f"a@{L1}")), None, None, "prod", sandbox=True)
    assert f"`assistform state rebuild --env prod --sandbox --lineage {L1}`" in raised.value.message


def test_rebuilding_leaves_the_live_assistants_as_read() -> None:
    """The live set is what the server holds, read once and shared by the whole run: the
    state's "unknown" reasoning_effort must not be written into it."""
    listed = live(("asst_1", f"a@{L1}@"))
    [assistant] = listed.assistants
    assistant.raw["reasoning_effort"] = "high"  # a server that returns it
    read = copy.deepcopy(assistant.config)
    assert read["reasoning_effort"] == "high"

    state = rebuild(listed, L1, serial=0).state

    assert state.resources["a"].applied["reasoning_effort"] is None
    assert assistant.config == read
    assert assistant.config == normalize(assistant.raw)
