"""Checking a server's answer against what was sent: a value it did not store is named.

Table-driven over the ways servers of the contract have been seen to answer 200 and keep
something else (issue 12, failure 5): metadata merged instead of replaced, falsy values
ignored, a field dropped.
"""

from __future__ import annotations

from typing import Any

import pytest

from assistform.apply.verify import unstored
from assistform.plan.live import LiveAssistant

TAG = {"assistform": "bot@11111111-1111-4111-8111-111111111111"}


def answer(**fields: Any) -> LiveAssistant:
    raw = {"id": "asst_1", "object": "assistant", "model": "m", "metadata": dict(TAG), **fields}
    return LiveAssistant("asst_1", raw)


CASES: dict[str, tuple[dict[str, Any], LiveAssistant, dict[str, str]]] = {
    "everything stored": (
        {"temperature": 0, "description": "", "tools": [], "metadata": {"a": "1", **TAG}},
        answer(temperature=0.0, description=None, tools=[], metadata={"a": "1", **TAG}),
        {},
    ),
    "options the server fills beside those sent are stored": (
        {"tools": [{"type": "function", "function": {"name": "f"}}]},
        answer(tools=[{"type": "function", "function": {"name": "f", "strict": False}}]),
        {},
    ),
    "metadata merged": (
        {"metadata": {"a": "1", **TAG}},
        answer(metadata={"a": "1", "old": "x", **TAG}),
        {"metadata": 'the server kept metadata {"a": "1", "old": "x"}; sent {"a": "1"}'},
    ),
    "the ownership tag not stored": (
        {"metadata": {"a": "1", **TAG}},
        answer(metadata={"a": "1"}),
        {"metadata": 'the server kept metadata {"a": "1"}; sent {"a": "1"}'},
    ),
    "temperature 0 ignored": (
        {"temperature": 0},
        answer(temperature=1.0),
        {"temperature": "the server kept temperature 1.0; sent 0.0"},
    ),
    "an empty description ignored": (
        {"description": ""},
        answer(description="Old."),
        {"description": 'the server kept description "Old."; sent null'},
    ),
    "an empty tool list ignored": (
        {"tools": []},
        answer(tools=[{"type": "code_interpreter"}]),
        {"tools": 'the server kept tools [{"type": "code_interpreter"}]; sent []'},
    ),
    "a field dropped": (
        {"top_p": 0.5},
        answer(),
        {"top_p": "the server kept top_p null; sent 0.5"},
    ),
    "reasoning_effort is never returned, so never checked": (
        {"reasoning_effort": "high"},
        answer(),
        {},
    ),
    "a reset (null) is the server's to fill": (
        {"temperature": None},
        answer(temperature=0.7),
        {},
    ),
    "tool resources left out of a modify stay as they were": (
        {"tool_resources": {"code_interpreter": {"file_ids": ["f"]}}},
        answer(
            tool_resources={
                "code_interpreter": {"file_ids": ["f"]},
                "file_search": {"vector_store_ids": ["vs_1"]},
            }
        ),
        {},
    ),
}


@pytest.mark.parametrize(("sent", "got", "found"), CASES.values(), ids=CASES.keys())
def test_what_the_server_did_not_store_is_named(
    sent: dict[str, Any], got: LiveAssistant, found: dict[str, str]
) -> None:
    assert unstored(sent, got) == found
