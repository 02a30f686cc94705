"""The state rebuilt from ownership tags alone."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from assistform.api.live import LiveAssistant, LiveSet
from assistform.apply.rebuild import choose_lineage, rebuild
from assistform.errors import PlanError, UsageError
from assistform.normalize import normalize

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
        live(("asst_1", f"a@{L1}"), ("asst_2", f"team/b@{L1}"), ("asst_3", None)),
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
    claims = live(("asst_1", f"a@{L1}"), ("asst_2", f"a@{L1}"))
    with pytest.raises(PlanError, match=r"'a' is claimed by asst_1, asst_2.*--keep"):
        rebuild(claims, L1, serial=0)
    kept = rebuild(claims, L1, serial=0, keep=frozenset({"asst_2"}))
    assert kept.state.resources["a"].id == "asst_2"


def test_keep_must_name_a_claimant() -> None:
    with pytest.raises(UsageError, match="--keep asst_9"):
        rebuild(live(("asst_1", f"a@{L1}")), L1, serial=0, keep=frozenset({"asst_9"}))


def test_other_lineages_are_left_out_with_a_warning() -> None:
    result = rebuild(live(("asst_1", f"a@{L1}"), ("asst_2", f"a@{L2}")), L1, serial=0)
    assert list(result.state.resources) == ["a"]
    assert "1 live assistant(s) tagged with other lineages" in result.warnings[0]


@pytest.mark.parametrize(
    ("tags", "given", "current", "expected"),
    [
        ((f"a@{L1}",), None, None, L1),
        ((f"a@{L1}", f"b@{L2}"), L2, None, L2),
        ((f"a@{L1}", f"b@{L2}"), None, L2, L2),
    ],
)
def test_the_lineage_rebuilt(
    tags: tuple[str, ...], given: str | None, current: str | None, expected: str
) -> None:
    found = live(*((f"asst_{i}", t) for i, t in enumerate(tags)))
    assert choose_lineage(found, given, current) == expected


def test_several_lineages_need_a_choice() -> None:
    with pytest.raises(UsageError, match=r"several lineages.*--lineage"):
        choose_lineage(live(("asst_1", f"a@{L1}"), ("asst_2", f"b@{L2}")), None, None)


def test_nothing_tagged_nothing_to_rebuild() -> None:
    with pytest.raises(PlanError, match="nothing to rebuild from"):
        choose_lineage(live(("asst_1", None)), None, None)


def test_rebuilding_leaves_the_live_assistants_as_read() -> None:
    """The live set is what the server holds, read once and shared by the whole run: the
    state's "unknown" reasoning_effort must not be written into it."""
    listed = live(("asst_1", f"a@{L1}"))
    [assistant] = listed.assistants
    assistant.raw["reasoning_effort"] = "high"  # a server that returns it
    read = copy.deepcopy(assistant.config)
    assert read["reasoning_effort"] == "high"

    state = rebuild(listed, L1, serial=0).state

    assert state.resources["a"].applied["reasoning_effort"] is None
    assert assistant.config == read
    assert assistant.config == normalize(assistant.raw)
