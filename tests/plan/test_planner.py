"""The planner as a pure function: desired + state + live -> Plan, built by hand, no server.

The table covers every action and every reason; the tests after it pin down what each kind
of change carries (field paths, drift flags, request bodies, notes) and what a plan refuses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from assistform.errors import PlanError
from assistform.plan.desired import DesiredAssistant
from assistform.plan.model import (
    KNOWLEDGE_REASONS,
    PLAN_FORMAT_VERSION,
    Action,
    Plan,
    Reason,
    ResourceChange,
)
from assistform.state import State

from .build import (
    BLUE_GREEN,
    FOREIGN,
    LINEAGE,
    NOW,
    live,
    plan,
    recorded,
    recorded_v1,
    spec,
    state,
    version,
    versioned,
)

C, U, R, D, N = Action.CREATE, Action.UPDATE, Action.REPLACE, Action.DELETE, Action.NOOP


@dataclass
class Case:
    desired: list[DesiredAssistant]
    state: State
    live: list[Any] | None
    #: (key, action, reasons, id) per change, in plan order.
    expected: list[tuple[str, Action, list[Reason], str | None]]
    options: dict[str, Any] = field(default_factory=dict)
    #: Substrings the plan's warnings must contain (none: no warning at all).
    warnings: list[str] = field(default_factory=list)


CASES: dict[str, Case] = {
    "new spec is created": Case(
        [spec("bot")], state(), [], [("bot", C, [Reason.NEW_SPEC], None)]
    ),
    "a state without observations records one, comparing only what the spec declares": Case(
        [spec("bot")],
        state(bot=recorded_v1("asst_1")),
        [live("asst_1", "bot", temperature=0.7, response_format={"type": "text"})],
        [("bot", N, [Reason.OBSERVED], "asst_1")],
        warnings=["the state has no record of what the server stores for 1 assistant(s)"],
    ),
    "in sync is a no-op": Case(
        [spec("bot")], state(bot=recorded("asst_1")), [live("asst_1", "bot")],
        [("bot", N, [], "asst_1")],
    ),
    "spec changed is an update": Case(
        [spec("bot", temperature=0.2)], state(bot=recorded("asst_1")), [live("asst_1", "bot")],
        [("bot", U, [Reason.SPEC_CHANGED], "asst_1")],
    ),
    "drift is an update that restores the repo": Case(
        [spec("bot")], state(bot=recorded("asst_1")), [live("asst_1", "bot", temperature=1.5)],
        [("bot", U, [Reason.DRIFT], "asst_1")],
    ),
    "drift and a spec change together": Case(
        [spec("bot", temperature=0.2)],
        state(bot=recorded("asst_1")),
        [live("asst_1", "bot", name="Edited")],
        [("bot", U, [Reason.SPEC_CHANGED, Reason.DRIFT], "asst_1")],
    ),
    "spec removed deletes and forgets": Case(
        [], state(bot=recorded("asst_1")), [live("asst_1", "bot")],
        [("bot", D, [Reason.SPEC_REMOVED], "asst_1")],
    ),
    "spec removed and already gone is forgotten": Case(
        [], state(bot=recorded("asst_1")), [],
        [("bot", N, [Reason.SPEC_REMOVED, Reason.DELETED_OUTSIDE], "asst_1")],
    ),
    "deleted outside is created again": Case(
        [spec("bot")], state(bot=recorded("asst_1")), [],
        [("bot", C, [Reason.DELETED_OUTSIDE], None)],
    ),
    "a model change without replace_on_change is an update": Case(
        [spec("bot", model="gpt-4.1")], state(bot=recorded("asst_1")), [live("asst_1", "bot")],
        [("bot", U, [Reason.SPEC_CHANGED], "asst_1")],
    ),
    "replace_on_change field changed": Case(
        [spec("bot", {"replace_on_change": ["model"]}, model="gpt-4.1")],
        state(bot=recorded("asst_1")),
        [live("asst_1", "bot")],
        [("bot", R, [Reason.SPEC_CHANGED, Reason.REPLACE_ON_CHANGE], "asst_1")],
    ),
    "replace_on_change names an unchanged field": Case(
        [spec("bot", {"replace_on_change": ["model"]}, name="Renamed")],
        state(bot=recorded("asst_1")),
        [live("asst_1", "bot")],
        [("bot", U, [Reason.SPEC_CHANGED], "asst_1")],
    ),
    "--replace KEY replaces an assistant in sync": Case(
        [spec("bot")], state(bot=recorded("asst_1")), [live("asst_1", "bot")],
        [("bot", R, [Reason.REPLACE_REQUESTED], "asst_1")],
        options={"replace": ("bot",)},
    ),
    "--replace takes a glob": Case(
        [spec("team/a"), spec("team/b"), spec("solo")],
        state(**{"team/a": recorded("asst_a"), "team/b": recorded("asst_b"), "solo": recorded("asst_s")}),
        [live("asst_a", "team/a"), live("asst_b", "team/b"), live("asst_s", "solo")],
        [
            ("solo", N, [], "asst_s"),
            ("team/a", R, [Reason.REPLACE_REQUESTED], "asst_a"),
            ("team/b", R, [Reason.REPLACE_REQUESTED], "asst_b"),
        ],
        options={"replace": ("team/*",)},
    ),
    "--replace of a key with nothing live to replace warns": Case(
        [spec("bot")], state(), [], [("bot", C, [Reason.NEW_SPEC], None)],
        options={"replace": ("bot", "nope")},
        warnings=[
            "--replace bot matches no assistant there is to replace",
            "--replace nope matches no assistant there is to replace",
        ],
    ),
    "tagged but unknown to the state is adopted, not created twice": Case(
        [spec("bot")], state(), [live("asst_1", "bot")],
        [("bot", N, [Reason.ADOPTED], "asst_1")],
    ),
    "adopted and different is updated": Case(
        [spec("bot", temperature=0.2)], state(), [live("asst_1", "bot")],
        [("bot", U, [Reason.ADOPTED, Reason.SPEC_CHANGED], "asst_1")],
    ),
    "a create whose answer never came is adopted in place of a gone id": Case(
        [spec("bot")], state(bot=recorded("asst_gone")), [live("asst_new", "bot")],
        [("bot", N, [Reason.ADOPTED], "asst_new")],
    ),
    "tagged, unknown to the state, spec removed: deleted": Case(
        [], state(), [live("asst_1", "bot")], [("bot", D, [Reason.SPEC_REMOVED], "asst_1")]
    ),
    "a duplicate of ours is deleted, the recorded one kept": Case(
        [spec("bot")],
        state(bot=recorded("asst_2")),
        [live("asst_1", "bot", created_at=1), live("asst_2", "bot", created_at=2)],
        [("bot", N, [], "asst_2"), ("bot", D, [Reason.DUPLICATE], "asst_1")],
        warnings=["DUPLICATES: 2 live assistants carry the tag of 'bot'; keeping asst_2"],
    ),
    "duplicates unknown to the state: the oldest is adopted": Case(
        [spec("bot")],
        state(),
        [live("asst_new", "bot", created_at=2), live("asst_old", "bot", created_at=1)],
        [("bot", N, [Reason.ADOPTED], "asst_old"), ("bot", D, [Reason.DUPLICATE], "asst_new")],
        warnings=["DUPLICATES"],
    ),
    "another lineage's twin is never touched": Case(
        [spec("bot")],
        state(bot=recorded("asst_1")),
        [live("asst_1", "bot"), live("asst_f", "bot", lineage=FOREIGN)],
        [("bot", N, [], "asst_1")],
        warnings=["asst_f carry the key 'bot' from another state lineage: not touched"],
    ),
    "another lineage's assistant is not adopted: ours is created": Case(
        [spec("bot")], state(), [live("asst_f", "bot", lineage=FOREIGN)],
        [("bot", C, [Reason.NEW_SPEC], None)],
        warnings=["another state lineage"],
    ),
    "another lineage's assistant without a spec here is not deleted": Case(
        [], state(), [live("asst_f", "bot", lineage=FOREIGN)], [],
        warnings=["another state lineage"],
    ),
    # The two cases above with the state users really have when it is empty: serial 0.
    "serial 0: another lineage of this environment is taken as its lost state": Case(
        [spec("bot")], state(serial=0), [live("asst_f", "bot", lineage=FOREIGN)],
        [("bot", N, [Reason.ADOPTED], "asst_f")],
        warnings=[f"carry tags of lineage {FOREIGN} (a repository without environments) for "
                  "these specs: adopting them (was the state file lost?)"],
    ),
    "serial 0: another lineage's assistant without a spec here is not deleted": Case(
        [], state(serial=0), [live("asst_f", "bot", lineage=FOREIGN)], [],
        warnings=["another state lineage"],
    ),
    # A fresh environment (serial 0, nothing recorded) on a server another one uses: the
    # case every user of two environments meets first.
    "serial 0: another environment's assistant is not adopted: ours is created": Case(
        [spec("bot")], state(serial=0), [live("asst_s", "bot", lineage=FOREIGN, env="staging")],
        [("bot", C, [Reason.NEW_SPEC], None)], options={"env": "prod"},
    ),
    "serial 0: another environment's assistant of our very lineage is not adopted": Case(
        [spec("bot")], state(serial=0), [live("asst_s", "bot", env="staging")],
        [("bot", C, [Reason.NEW_SPEC], None)], options={"env": "prod"},
    ),
    "serial 0: another environment's assistant without a spec here is not deleted": Case(
        [], state(serial=0), [live("asst_s", "bot", lineage=FOREIGN, env="staging")], [],
        options={"env": "prod"},
    ),
    "serial 0: a repository without environments leaves an environment's alone": Case(
        [spec("bot")], state(serial=0), [live("asst_s", "bot", lineage=FOREIGN, env="prod")],
        [("bot", C, [Reason.NEW_SPEC], None)],
    ),
    "serial 0: this environment's lost state is recovered": Case(
        [spec("bot")], state(serial=0),
        [live("asst_p", "bot", lineage=FOREIGN, env="prod"),
         live("asst_s", "bot", env="staging")],
        [("bot", N, [Reason.ADOPTED], "asst_p")], options={"env": "prod"},
        warnings=[f"tags of lineage {FOREIGN} (environment prod) for these specs: adopting"],
    ),
    "another environment's assistant the state records is not touched: ours is created": Case(
        [spec("bot", temperature=0.2)], state(bot=recorded("asst_s")),
        [live("asst_s", "bot", env="staging")],
        [("bot", C, [Reason.NEW_SPEC], None)], options={"env": "prod"},
        warnings=["the state records asst_s for 'bot', but its ownership tag says environment "
                  "staging manages it: not touched"],
    ),
    "another environment's assistant the state records is never deleted: forgotten": Case(
        [], state(bot=recorded("asst_s")), [live("asst_s", "bot", env="staging")],
        [("bot", N, [Reason.SPEC_REMOVED], "asst_s")], options={"env": "prod"},
        warnings=["environment staging manages it"],
    ),
    "another environment's duplicate of ours is not a duplicate": Case(
        [spec("bot")], state(bot=recorded("asst_p")),
        [live("asst_p", "bot", env="prod"), live("asst_s", "bot", env="staging")],
        [("bot", N, [], "asst_p")], options={"env": "prod"},
    ),
    "an older tag the state records is ours: its tag is rewritten": Case(
        [spec("bot")], state(bot=recorded("asst_1")), [live("asst_1", "bot", legacy=True)],
        [("bot", U, [Reason.DRIFT], "asst_1")], options={"env": "prod"},
    ),
    "an older tag the state does not record is not adopted": Case(
        [spec("bot")], state(), [live("asst_1", "bot", legacy=True)],
        [("bot", C, [Reason.NEW_SPEC], None)], options={"env": "prod"},
        warnings=["asst_1 carry the key 'bot' in an older tag that names no environment",
                  f"`assistform state rebuild --env prod --lineage {LINEAGE}`"],
    ),
    "unmanaged assistants are never touched": Case(
        [spec("bot")], state(bot=recorded("asst_1")),
        [live("asst_1", "bot"), live("asst_u", None, name="Someone else's")],
        [("bot", N, [], "asst_1")],
    ),
    "a removed tag is drift": Case(
        [spec("bot")], state(bot=recorded("asst_1")), [live("asst_1", None)],
        [("bot", U, [Reason.DRIFT], "asst_1")],
    ),
    "a lifecycle change alone is recorded": Case(
        [spec("bot", {"prevent_destroy": True})], state(bot=recorded("asst_1")),
        [live("asst_1", "bot")],
        [("bot", N, [Reason.LIFECYCLE_CHANGED], "asst_1")],
    ),
    "ignore_changes hides a difference": Case(
        [spec("bot", {"ignore_changes": ["temperature"]})],
        state(bot=recorded("asst_1", {"ignore_changes": ["temperature"]})),
        [live("asst_1", "bot", temperature=1.7)],
        [("bot", N, [], "asst_1")],
    ),
    "a changed vector_stores helper forces a replace": Case(
        [spec("bot", tool_resources={"file_search": {"vector_stores": [{"file_ids": ["f2"]}]}})],
        state(bot=recorded("asst_1", tool_resources={"file_search": {"vector_stores": [{"file_ids": ["f1"]}]}})),
        [live("asst_1", "bot", tool_resources={"file_search": {"vector_store_ids": ["vs_made"]}})],
        [("bot", R, [Reason.SPEC_CHANGED, Reason.CREATE_ONLY], "asst_1")],
    ),
    "an unchanged vector_stores helper is in sync": Case(
        [spec("bot", tool_resources={"file_search": {"vector_stores": [{"file_ids": ["f1"]}]}})],
        state(bot=recorded("asst_1", tool_resources={"file_search": {"vector_stores": [{"file_ids": ["f1"]}]}})),
        [live("asst_1", "bot", tool_resources={"file_search": {"vector_store_ids": ["vs_made"]}})],
        [("bot", N, [], "asst_1")],
    ),
    "--target narrows the plan": Case(
        [spec("team/a", temperature=0.1), spec("team/b", temperature=0.1), spec("solo")],
        state(), [],
        [("team/a", C, [Reason.NEW_SPEC], None), ("team/b", C, [Reason.NEW_SPEC], None)],
        options={"targets": ("team/*",)},
    ),
    "--target matching nothing warns": Case(
        [spec("bot")], state(), [], [], options={"targets": ("nope",)},
        warnings=["--target nope matches no spec, state entry or live assistant"],
    ),
    "--no-refresh: a spec change is planned from the state": Case(
        [spec("bot", temperature=0.2)], state(bot=recorded("asst_1")), None,
        [("bot", U, [Reason.SPEC_CHANGED], "asst_1")],
    ),
    "--no-refresh: in sync with the state": Case(
        [spec("bot")], state(bot=recorded("asst_1")), None, [("bot", N, [], "asst_1")]
    ),
    "--no-refresh: a new spec is created": Case(
        [spec("bot")], state(), None, [("bot", C, [Reason.NEW_SPEC], None)]
    ),
    "--no-refresh: a removed spec is deleted by its recorded id": Case(
        [], state(bot=recorded("asst_1")), None, [("bot", D, [Reason.SPEC_REMOVED], "asst_1")]
    ),
    "--no-refresh: replace_on_change": Case(
        [spec("bot", {"replace_on_change": ["model"]}, model="o3")],
        state(bot=recorded("asst_1")), None,
        [("bot", R, [Reason.SPEC_CHANGED, Reason.REPLACE_ON_CHANGE], "asst_1")],
    ),
    "--no-refresh: --replace KEY": Case(
        [spec("bot")], state(bot=recorded("asst_1")), None,
        [("bot", R, [Reason.REPLACE_REQUESTED], "asst_1")], options={"replace": ("bot",)},
    ),
    "blue-green: a new spec is version 1": Case(
        [spec("bot", BLUE_GREEN)], state(), [],
        [("bot", C, [Reason.NEW_SPEC, Reason.NEW_VERSION], None)],
    ),
    "blue-green: a change is a new version, never a modify": Case(
        [spec("bot", BLUE_GREEN, temperature=0.2)],
        state(bot=versioned(1, {1: "asst_1"})), [version("asst_1", "bot", 1)],
        [("bot", R, [Reason.SPEC_CHANGED, Reason.NEW_VERSION], "asst_1")],
    ),
    "blue-green: drift is a new version too": Case(
        [spec("bot", BLUE_GREEN)],
        state(bot=versioned(1, {1: "asst_1"})), [version("asst_1", "bot", 1, name="Edited")],
        [("bot", R, [Reason.DRIFT, Reason.NEW_VERSION], "asst_1")],
    ),
    "blue-green: kept versions are no duplicates": Case(
        [spec("bot", BLUE_GREEN)],
        state(bot=versioned(2, {1: "asst_1", 2: "asst_2"})),
        [version("asst_1", "bot", 1), version("asst_2", "bot", 2)],
        [("bot", N, [], "asst_2")],
    ),
    "blue-green: versions beyond keep_versions are deleted, the current one kept": Case(
        [spec("bot", BLUE_GREEN)],
        state(bot=versioned(3, {1: "asst_1", 2: "asst_2", 3: "asst_3"})),
        [version("asst_1", "bot", 1), version("asst_2", "bot", 2), version("asst_3", "bot", 3)],
        [("bot", D, [Reason.BEYOND_KEEP_VERSIONS], "asst_3")],
    ),
    "blue-green: a version the state does not record is deleted, not a duplicate": Case(
        [spec("bot", BLUE_GREEN)],
        state(bot=versioned(1, {1: "asst_1"})),
        [version("asst_1", "bot", 1), version("asst_2", "bot", 2)],
        [("bot", N, [], "asst_1"), ("bot", D, [Reason.UNRECORDED_VERSION], "asst_2")],
    ),
    "blue-green: an untagged copy is still a duplicate": Case(
        [spec("bot", BLUE_GREEN)],
        state(bot=versioned(1, {1: "asst_1"})),
        [version("asst_1", "bot", 1), live("asst_9", "bot")],
        [("bot", N, [], "asst_1"), ("bot", D, [Reason.DUPLICATE], "asst_9")],
        warnings=["DUPLICATES: 2 live assistants carry the tag of 'bot'"],
    ),
    "blue-green: an in-place assistant is recorded as version 1": Case(
        [spec("bot", BLUE_GREEN)], state(bot=recorded("asst_1")), [live("asst_1", "bot")],
        [("bot", N, [Reason.LIFECYCLE_CHANGED], "asst_1")],
    ),
    "blue-green: the current version deleted outside: a new one, the kept one stays": Case(
        [spec("bot", BLUE_GREEN)],
        state(bot=versioned(2, {1: "asst_1", 2: "asst_2"})), [version("asst_1", "bot", 1)],
        [("bot", C, [Reason.DELETED_OUTSIDE, Reason.NEW_VERSION], None)],
    ),
    "blue-green: a removed spec deletes every version": Case(
        [], state(bot=versioned(2, {1: "asst_1", 2: "asst_2"})),
        [version("asst_1", "bot", 1), version("asst_2", "bot", 2)],
        [("bot", D, [Reason.SPEC_REMOVED], "asst_2")],
    ),
    "--no-refresh: blue-green change": Case(
        [spec("bot", BLUE_GREEN, temperature=0.2)], state(bot=versioned(1, {1: "asst_1"})), None,
        [("bot", R, [Reason.SPEC_CHANGED, Reason.NEW_VERSION], "asst_1")],
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_actions_and_reasons(case: Case) -> None:
    result = plan(case.desired, case.state, case.live, **case.options)
    got = [(c.key, c.action, c.reasons, c.id) for c in result.resource_changes]
    assert got == case.expected
    joined = "\n".join(result.warnings)
    for expected in case.warnings:
        assert expected in joined
    if not case.warnings:
        assert result.warnings == []


def test_the_table_covers_every_action_and_every_reason() -> None:
    rows = [row for case in CASES.values() for row in case.expected]
    assert {action for _, action, _, _ in rows} == set(Action)
    reasons = {reason for _, _, reasons, _ in rows for reason in reasons}
    assert reasons == set(Reason) - KNOWLEDGE_REASONS


def only(result: Plan, key: str = "bot") -> ResourceChange:
    [change] = [
        c for c in result.resource_changes if c.key == key and Reason.DUPLICATE not in c.reasons
    ]
    return change


# --- what each change carries -----------------------------------------------------------


def test_a_create_sends_the_spec_with_the_ownership_tag() -> None:
    change = only(plan([spec("bot", metadata={"team": "a"})], state(), []))
    assert change.request == {
        "model": "gpt-4o",
        "name": "Bot",
        "instructions": "Be brief.",
        "metadata": {"team": "a", "assistform": f"bot@{LINEAGE}@"},
    }
    assert change.after is not None and change.after["metadata"] == {"team": "a"}
    assert change.before is None and change.source == "assistants/bot.yaml"


def test_an_update_names_each_differing_path_with_old_and_new_values() -> None:
    tools = [{"type": "function", "function": {"name": "f", "description": "old"}}]
    new_tools = [{"type": "function", "function": {"name": "f", "description": "new"}}]
    result = plan(
        [spec("bot", tools=new_tools, temperature=0.5)],
        state(bot=recorded("asst_1", tools=tools)),
        [live("asst_1", "bot", tools=tools)],
    )
    change = only(result)
    assert [(c.path, c.before, c.after, c.drift) for c in change.changes] == [
        ("tools[0].function.description", "old", "new", False),
        ("temperature", 1.0, 0.5, False),
    ]
    # Only what changed is sent; a modify replaces `tools` whole, so it goes as written.
    assert change.request == {"tools": new_tools, "temperature": 0.5}


def test_a_model_change_sends_the_model() -> None:
    result = plan(
        [spec("bot", model="gpt-4.1")], state(bot=recorded("asst_1")), [live("asst_1", "bot")]
    )
    assert only(result).request == {"model": "gpt-4.1"}


def test_drift_says_which_fields_drifted_and_restores_the_repo_values() -> None:
    result = plan(
        [spec("bot", temperature=0.2)],
        state(bot=recorded("asst_1", temperature=0.2)),
        [live("asst_1", "bot", temperature=0.9, description="typed in a dashboard")],
    )
    change = only(result)
    assert {c.path: (c.before, c.after) for c in change.drifted} == {
        "description": ("typed in a dashboard", None),
        "temperature": (0.9, 0.2),
    }
    assert change.request == {"description": None, "temperature": 0.2}
    assert any("changed outside assistform: description, temperature" in n for n in change.notes)


def test_only_the_field_that_left_the_applied_value_is_drift() -> None:
    result = plan(
        [spec("bot", name="New name")],
        state(bot=recorded("asst_1")),
        [live("asst_1", "bot", top_p=0.5)],
    )
    assert {c.path: c.drift for c in only(result).changes} == {"name": False, "top_p": True}


def test_a_field_removed_from_the_spec_is_reset_to_the_server_default() -> None:
    result = plan(
        [spec("bot", name=None)],
        state(bot=recorded("asst_1", temperature=0.3, response_format={"type": "json_object"})),
        [live("asst_1", "bot", temperature=0.3, response_format={"type": "json_object"})],
    )
    # null: whatever this server fills in, never a default assumed here.
    assert only(result).request == {"name": None, "temperature": None, "response_format": None}
    assert "back to the server's default: name, response_format, temperature" in " ".join(
        only(result).notes
    )


def test_a_modify_resets_the_tool_resources_the_spec_leaves_out() -> None:
    # Modify replaces tool_resources one resource at a time: sending only code_interpreter
    # would leave a file_search added in a dashboard in place forever.
    resources = {"code_interpreter": {"file_ids": ["file-1"]}}
    result = plan(
        [spec("bot", tool_resources=resources)],
        state(bot=recorded("asst_1", tool_resources=resources)),
        [
            live(
                "asst_1",
                "bot",
                tool_resources={**resources, "file_search": {"vector_store_ids": ["vs_x"]}},
            )
        ],
    )
    assert only(result).request == {
        "tool_resources": {
            "code_interpreter": {"file_ids": ["file-1"]},
            "file_search": {"vector_store_ids": []},
        }
    }


def test_a_metadata_change_keeps_the_ownership_tag() -> None:
    result = plan(
        [spec("bot", metadata={"team": "b"})],
        state(bot=recorded("asst_1", metadata={"team": "a"})),
        [live("asst_1", "bot", metadata={"team": "a"})],
    )
    change = only(result)
    assert change.request == {"metadata": {"team": "b", "assistform": f"bot@{LINEAGE}@"}}
    assert [(c.path, c.before, c.after) for c in change.changes] == [("metadata.team", "a", "b")]


def test_a_restored_tag_is_sent_with_the_spec_metadata() -> None:
    result = plan(
        [spec("bot", metadata={"team": "a"})],
        state(bot=recorded("asst_1", metadata={"team": "a"})),
        [live("asst_1", None, metadata={"team": "a"})],
    )
    change = only(result)
    assert change.request == {"metadata": {"team": "a", "assistform": f"bot@{LINEAGE}@"}}
    assert "restoring the ownership tag in metadata" in change.notes


def test_a_restored_tag_keeps_live_metadata_under_ignore_changes() -> None:
    result = plan(
        [spec("bot", {"ignore_changes": ["metadata"]}, metadata={"team": "a"})],
        state(bot=recorded("asst_1", metadata={"team": "a"})),
        [live("asst_1", None, metadata={"team": "edited"})],
    )
    assert only(result).request == {"metadata": {"team": "edited", "assistform": f"bot@{LINEAGE}@"}}


def test_reasoning_effort_is_compared_with_the_state_and_the_plan_says_so() -> None:
    # The API never returns reasoning_effort: the live assistant cannot show it.
    in_sync = plan(
        [spec("bot", reasoning_effort="low")],
        state(bot=recorded("asst_1", reasoning_effort="low")),
        [live("asst_1", "bot", reasoning_effort="low")],
    )
    assert only(in_sync).action is Action.NOOP

    changed = only(
        plan(
            [spec("bot", reasoning_effort="high")],
            state(bot=recorded("asst_1", reasoning_effort="low")),
            [live("asst_1", "bot")],
        )
    )
    assert changed.action is Action.UPDATE and changed.request == {"reasoning_effort": "high"}
    [field_change] = changed.changes
    assert (field_change.path, field_change.before, field_change.after) == (
        "reasoning_effort",
        "low",
        "high",
    )
    assert field_change.compared_with == "state" and not field_change.drift
    assert "reasoning_effort is not returned by the API: compared with the state" in changed.notes


def test_other_fields_are_compared_with_the_live_assistant() -> None:
    change = only(
        plan([spec("bot", top_p=0.3)], state(bot=recorded("asst_1")), [live("asst_1", "bot")])
    )
    assert [c.compared_with for c in change.changes] == ["live"]


def test_no_refresh_compares_with_the_state_and_says_drift_is_not_seen() -> None:
    change = only(plan([spec("bot", top_p=0.3)], state(bot=recorded("asst_1")), None))
    assert [(c.path, c.compared_with) for c in change.changes] == [("top_p", "state")]
    observed = recorded("asst_1").observed or {}
    assert change.before == {k: v for k, v in observed.items() if k != "reasoning_effort"}
    assert change.live_fingerprint is None
    assert any("--no-refresh" in note for note in change.notes)


def test_a_replace_sends_a_whole_create_body_and_keeps_the_old_id() -> None:
    change = only(
        plan(
            [spec("bot", {"replace_on_change": ["model"]}, model="o3")],
            state(bot=recorded("asst_1")),
            [live("asst_1", "bot")],
        )
    )
    assert change.id == "asst_1"
    assert change.request == {
        "model": "o3",
        "name": "Bot",
        "instructions": "Be brief.",
        "metadata": {"assistform": f"bot@{LINEAGE}@"},
    }
    assert [c.path for c in change.changes] == ["model"]
    assert "lifecycle.replace_on_change: model" in change.notes


def test_a_delete_carries_what_apply_needs() -> None:
    change = only(plan([], state(bot=recorded("asst_1")), [live("asst_1", "bot")]))
    assert change.forget and change.request is None and change.after is None
    assert change.live_fingerprint == live("asst_1", "bot").fingerprint


def test_duplicates_are_deleted_without_forgetting_the_key() -> None:
    result = plan(
        [spec("bot")],
        state(bot=recorded("asst_1")),
        [live("asst_1", "bot", created_at=1), live("asst_2", "bot", created_at=2)],
    )
    duplicate = result.resource_changes[1]
    assert duplicate.action is Action.DELETE and not duplicate.forget
    assert duplicate.live_fingerprint == live("asst_2", "bot", created_at=2).fingerprint


def test_adoption_and_forgetting_write_the_state_without_an_api_change() -> None:
    adopted = plan([spec("bot")], state(), [live("asst_1", "bot")])
    assert not adopted.has_changes and adopted.writes_state and only(adopted).adopt
    forgotten = plan([], state(bot=recorded("asst_1")), [])
    assert not forgotten.has_changes and forgotten.writes_state and only(forgotten).forget
    lifecycle = plan(
        [spec("bot", {"prevent_destroy": True})],
        state(bot=recorded("asst_1")),
        [live("asst_1", "bot")],
    )
    assert not lifecycle.has_changes and lifecycle.writes_state and only(lifecycle).record


def test_a_lifecycle_recorded_with_defaults_left_out_is_not_a_change() -> None:
    # States written before a lifecycle option existed lack it: it is at its default.
    old = recorded("asst_1").model_copy(update={"lifecycle": {}})
    result = plan([spec("bot")], state(bot=old), [live("asst_1", "bot")])
    assert not result.writes_state


# --- prevent_destroy ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("desired", "current", "assistants", "options"),
    [
        pytest.param(
            [spec("bot", {"prevent_destroy": True, "replace_on_change": ["model"]}, model="o3")],
            state(bot=recorded("asst_1")),
            [live("asst_1", "bot")],
            {},
            id="replace of a protected spec",
        ),
        pytest.param(
            [spec("bot", {"prevent_destroy": True})],
            state(bot=recorded("asst_1", {"prevent_destroy": True})),
            [live("asst_1", "bot")],
            {"replace": ("bot",)},
            id="--replace of a protected spec",
        ),
        pytest.param(
            [],
            state(bot=recorded("asst_1", {"prevent_destroy": True})),
            [live("asst_1", "bot")],
            {},
            id="spec file deleted: the state's lifecycle protects it",
        ),
        pytest.param(
            [],
            state(bot=recorded("asst_1", {"prevent_destroy": True})),
            None,
            {},
            id="spec file deleted, --no-refresh",
        ),
    ],
)
def test_prevent_destroy_fails_the_plan_naming_the_key(
    desired: list[DesiredAssistant],
    current: State,
    assistants: list[Any] | None,
    options: dict[str, Any],
) -> None:
    with pytest.raises(PlanError, match=r"prevent_destroy forbids destroying 'bot'"):
        plan(desired, current, assistants, **options)


def test_prevent_destroy_names_every_protected_key() -> None:
    protected = {"prevent_destroy": True}
    with pytest.raises(PlanError) as caught:
        plan(
            [],
            state(a=recorded("asst_a", protected), b=recorded("asst_b", protected)),
            [live("asst_a", "a"), live("asst_b", "b")],
        )
    assert "'a' (delete), 'b' (delete)" in caught.value.message


def test_prevent_destroy_does_not_block_deleting_a_duplicate() -> None:
    protected = {"prevent_destroy": True}
    result = plan(
        [spec("bot", protected)],
        state(bot=recorded("asst_1", protected)),
        [live("asst_1", "bot", created_at=1), live("asst_2", "bot", created_at=2)],
    )
    assert [c.action for c in result.resource_changes] == [Action.NOOP, Action.DELETE]


def test_prevent_destroy_outside_the_targets_does_not_block() -> None:
    result = plan(
        [spec("other")],
        state(bot=recorded("asst_1", {"prevent_destroy": True})),
        [live("asst_1", "bot")],
        targets=("other",),
    )
    assert [c.key for c in result.resource_changes] == ["other"]


# --- the plan as a whole -----------------------------------------------------------------


def test_the_plan_records_what_apply_checks_it_against() -> None:
    result = plan(
        [spec("bot")],
        state(serial=12, bot=recorded("asst_1")),
        [live("asst_1", "bot"), live("asst_u", None)],
        requests=3,
    )
    assert result.format_version == PLAN_FORMAT_VERSION
    assert result.created_at == NOW and result.tool_version == "0.0.test"
    assert (result.state.path, result.state.lineage, result.state.serial) == (
        "state/assistform.json",
        LINEAGE,
        12,
    )
    assert result.live.refreshed and result.live.fingerprint
    assert (result.live.assistants, result.live.unmanaged, result.live.requests) == (2, 1, 3)


def test_the_live_fingerprint_moves_with_any_managed_assistant_and_only_then() -> None:
    def fingerprint(*assistants: Any) -> str | None:
        return plan([spec("bot")], state(bot=recorded("asst_1")), list(assistants)).live.fingerprint

    base = fingerprint(live("asst_1", "bot"), live("asst_u", None))
    assert fingerprint(live("asst_1", "bot"), live("asst_u", None, name="x")) == base
    assert fingerprint(live("asst_1", "bot", name="x"), live("asst_u", None)) != base


def test_no_refresh_plans_have_no_live_fingerprint() -> None:
    result = plan([spec("bot")], state(bot=recorded("asst_1")), None)
    assert not result.live.refreshed and result.live.fingerprint is None


def test_a_plan_survives_its_json_form() -> None:
    result = plan(
        [spec("bot", temperature=0.2, reasoning_effort="low"), spec("new")],
        state(bot=recorded("asst_1"), old=recorded("asst_o")),
        [live("asst_1", "bot", name="drifted"), live("asst_o", "old")],
    )
    assert Plan.model_validate_json(result.model_dump_json()) == result


def test_changes_come_sorted_by_key() -> None:
    result = plan([spec("b"), spec("a/z"), spec("a")], state(), [])
    assert [c.key for c in result.resource_changes] == ["a", "a/z", "b"]


def test_the_planner_does_not_change_its_inputs() -> None:
    desired = [spec("bot", temperature=0.2)]
    current = state(bot=recorded("asst_1"))
    assistants = [live("asst_1", "bot", name="drifted")]
    before = (desired[0].request.copy(), current.model_dump(), assistants[0].raw.copy())
    plan(desired, current, assistants)
    plan(desired, current, assistants)
    assert (desired[0].request, current.model_dump(), assistants[0].raw) == before
    assert assistants[0].config["name"] == "drifted"


# --- environments sharing a server ----------------------------------------------------------


def test_other_environments_are_counted_apart_per_environment() -> None:
    result = plan(
        [spec("bot")],
        state(serial=0),
        [
            live("asst_1", "bot", env="staging"),
            live("asst_2", "other", env="staging"),
            live("asst_3", "bot", lineage=FOREIGN, env="dev"),
            live("asst_4", "bot", lineage=FOREIGN),
            live("asst_u", None),
        ],
        env="prod",
    )
    assert result.live.other_environments == {"": 1, "dev": 1, "staging": 2}
    assert result.live.unmanaged == 1
    assert [(c.key, c.action) for c in result.resource_changes] == [("bot", C)]
    assert result.warnings == []


def test_a_create_tags_the_environment() -> None:
    change = only(plan([spec("bot")], state(), [], env="prod"))
    assert change.request is not None
    assert change.request["metadata"] == {"assistform": f"bot@{LINEAGE}@prod"}


def test_an_older_tag_is_rewritten_in_the_current_form() -> None:
    change = only(
        plan(
            [spec("bot")],
            state(bot=recorded("asst_1")),
            [live("asst_1", "bot", legacy=True)],
            env="prod",
        )
    )
    assert change.request == {"metadata": {"assistform": f"bot@{LINEAGE}@prod"}}
    assert "restoring the ownership tag in metadata" in change.notes


@pytest.mark.parametrize("env", [None, "prod"])
def test_an_empty_state_facing_several_lineages_of_its_environment_refuses(
    env: str | None,
) -> None:
    """Another repository may use the same environment name and keys on the same server."""
    assistants = [
        live("asst_1", "bot", env=env),
        live("asst_2", "bot", lineage=FOREIGN, env=env),
        live("asst_3", "bot", lineage="33333333-3333-4333-8333-333333333333", env="other"),
    ]
    with pytest.raises(PlanError) as raised:
        plan([spec("bot")], state(serial=0), assistants, env=env)
    flag = "--env prod " if env else ""
    message = raised.value.message
    assert f"several lineages {LINEAGE} (" in message and f"{FOREIGN} (" in message
    assert "33333333" not in message, "another environment's lineage is not a candidate"
    assert f"`assistform state rebuild {flag}--lineage {LINEAGE}`" in message
    assert f"`assistform state rebuild {flag}--lineage {FOREIGN}`" in message


def test_an_empty_state_facing_older_tags_refuses_rather_than_guess_their_environment() -> None:
    with pytest.raises(PlanError) as raised:
        plan([spec("bot")], state(serial=0), [live("asst_1", "bot", legacy=True)], env="prod")
    message = raised.value.message
    assert f"lineage {LINEAGE} (older tags that name no environment)" in message
    assert f"`assistform state rebuild --env prod --lineage {LINEAGE}`" in message
    assert "nothing is adopted or created" in message


def test_a_state_with_history_does_not_recover_even_its_own_environment() -> None:
    """Serial above 0: the state was used, so a tagged assistant it lacks is not lost state."""
    result = plan(
        [spec("bot")],
        state(serial=3),
        [live("asst_1", "bot", lineage=FOREIGN, env="prod")],
        env="prod",
    )
    assert [(c.key, c.action) for c in result.resource_changes] == [("bot", C)]
    assert result.state.lineage == LINEAGE
