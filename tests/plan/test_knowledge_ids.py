"""Assistants name their managed knowledge by the ids the knowledge plan gives: the live id
where it stays (no change), a reference known after apply where it is made anew (an update
the assistant planner plans like any other)."""

from __future__ import annotations

from assistform.knowledge.refs import ref
from assistform.plan.desired import literal_ids, with_knowledge_ids
from assistform.plan.model import Action

from .build import live, plan, recorded, spec, state
from .kbuild import dfile, knowledge, store

KB_DESIRED = knowledge(
    [dfile("data/a.csv"), dfile("data/b.csv")],
    [store("kb")],
    code_interpreter={"bot": ("data/a.csv", "data/b.csv")},
    vector_store_of={"bot": "kb"},
)
SEARCH = {"type": "file_search"}
CODE = {"type": "code_interpreter"}


def test_the_ids_go_where_the_api_takes_them_after_the_specs_own_file_ids() -> None:
    desired = spec(
        "bot",
        tools=[CODE, SEARCH],
        tool_resources={
            "code_interpreter": {"file_ids": ["file-own"], "files": ["../data/*.csv"]},
            "file_search": {"vector_store": "kb"},
        },
    )
    ids = {
        ("vector_store", "kb"): "vs_kb",
        ("file", "data/a.csv"): "file-a",
        ("file", "data/b.csv"): ref("file", "data/b.csv"),
    }
    [result] = with_knowledge_ids([desired], KB_DESIRED, ids)
    assert result.request["tool_resources"] == {
        "code_interpreter": {"file_ids": ["file-own", "file-a", ref("file", "data/b.csv")]},
        "file_search": {"vector_store_ids": ["vs_kb"]},
    }
    assert desired.request["tool_resources"]["file_search"] == {"vector_store": "kb"}


def test_an_assistant_without_managed_knowledge_is_the_same_object() -> None:
    other = spec("other", tool_resources={"file_search": {"vector_store_ids": ["vs_x"]}})
    assert with_knowledge_ids([other], KB_DESIRED, {}) == [other]


def test_literal_ids_are_those_the_specs_name_themselves() -> None:
    desired = [
        spec("a", tool_resources={"file_search": {"vector_store_ids": ["vs_x"]}}),
        spec("b", tool_resources={"code_interpreter": {"file_ids": ["file-1", "file-2"]}}),
        spec("c"),
    ]
    assert literal_ids(desired) == {"vs_x", "file-1", "file-2"}


def _planned(store_id: str) -> list[tuple[Action, object]]:
    resources = {"file_search": {"vector_store_ids": ["vs_kb"]}}
    desired = with_knowledge_ids(
        [spec("bot", tools=[SEARCH])],
        knowledge([], [store("kb")], vector_store_of={"bot": "kb"}),
        {("vector_store", "kb"): store_id},
    )
    result = plan(
        desired,
        state(bot=recorded("asst_1", tools=[SEARCH], tool_resources=resources)),
        [live("asst_1", "bot", tools=[SEARCH], tool_resources=resources)],
    )
    return [(c.action, c.request) for c in result.resource_changes]


def test_a_store_that_stays_leaves_its_assistant_unchanged() -> None:
    assert _planned("vs_kb") == [(Action.NOOP, None)]


def test_a_store_made_anew_updates_its_assistant_with_a_reference() -> None:
    reference = ref("vector_store", "kb")
    [(action, request)] = _planned(reference)
    assert action is Action.UPDATE
    assert request == {
        "tool_resources": {
            "code_interpreter": {"file_ids": []},
            "file_search": {"vector_store_ids": [reference]},
        }
    }
