"""Comparing a spec with a live assistant without assuming any server's defaults: pure.

`compare(declared, live, applied=, observed=)` is the rule of issue 12: declared values are
compared with the live ones; what a spec leaves out only with what the server returned after
our last write. The cases are written the way a server that fills other values than
OpenAI's would answer (temperature 0.7, a `text` response format, its own ranker).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from assistform.normalize import normalize
from assistform.plan.expected import compare, overlay, project

FS_DECLARED = {"type": "file_search"}
FS_SERVED = {
    "type": "file_search",
    "file_search": {
        "max_num_results": 10,
        "ranking_options": {"ranker": "default_2024_08_21", "score_threshold": 0.3},
    },
}


def served(**fields: Any) -> dict[str, Any]:
    """A server's answer (normalized): its own defaults, then `fields`."""
    raw = {"model": "m", "temperature": 0.7, "top_p": 0.95, "response_format": {"type": "text"}}
    return normalize({**raw, **fields})


def declared(**fields: Any) -> dict[str, Any]:
    request = {"model": "m", **fields}
    return normalize(request, fields=request)


@dataclass
class Case:
    declared: dict[str, Any]
    live: dict[str, Any]
    applied: dict[str, Any] | None
    observed: dict[str, Any] | None
    differing: list[str] = field(default_factory=list)
    drifted: set[str] = field(default_factory=set)
    resets: set[str] = field(default_factory=set)


CASES: dict[str, Case] = {
    "the server's defaults are never a change": Case(declared(), served(), declared(), served()),
    "a value the spec leaves out, edited by hand, is drift": Case(
        declared(), served(temperature=0.2), declared(), served(), ["temperature"], {"temperature"}
    ),
    "a declared value that differs is a change, not drift": Case(
        declared(temperature=0.3), served(), declared(), served(), ["temperature"]
    ),
    "a declared value edited by hand is drift": Case(
        declared(temperature=0.3),
        served(temperature=0.5),
        declared(temperature=0.3),
        served(temperature=0.3),
        ["temperature"],
        {"temperature"},
    ),
    "options a tool leaves out are the server's": Case(
        declared(tools=[FS_DECLARED]),
        served(tools=[FS_SERVED]),
        declared(tools=[FS_DECLARED]),
        served(tools=[FS_SERVED]),
    ),
    "an option a tool leaves out, edited by hand, is drift": Case(
        declared(tools=[FS_DECLARED]),
        served(
            tools=[
                {
                    "type": "file_search",
                    "file_search": {"ranking_options": {"ranker": "auto", "score_threshold": 0.3}},
                }
            ]
        ),
        declared(tools=[FS_DECLARED]),
        served(tools=[FS_SERVED]),
        ["tools"],
        {"tools"},
    ),
    "an option the server adds later is no change": Case(
        declared(tools=[FS_DECLARED]),
        served(
            tools=[
                {
                    **FS_SERVED,
                    "file_search": {**FS_SERVED["file_search"], "max_num_results": 10},
                }
            ]
        ),
        declared(tools=[FS_DECLARED]),
        served(tools=[{"type": "file_search"}]),
    ),
    "a field no longer declared goes back to the server's default": Case(
        declared(),
        served(temperature=0.3),
        declared(temperature=0.3),
        served(temperature=0.3),
        ["temperature"],
        resets={"temperature"},
    ),
    "a field no longer declared that is already empty needs no reset": Case(
        declared(), served(metadata={}), declared(metadata={}), served(metadata={})
    ),
    "without an observation only declared fields are compared": Case(
        declared(top_p=0.95), served(temperature=0.2), None, None
    ),
    "without an observation a declared difference still shows": Case(
        declared(top_p=0.5), served(), None, None, ["top_p"]
    ),
    "metadata is compared whole: a key added by hand is a change": Case(
        declared(metadata={"a": "1"}),
        served(metadata={"a": "1", "b": "2"}),
        declared(metadata={"a": "1"}),
        served(metadata={"a": "1"}),
        ["metadata"],
        {"metadata"},
    ),
    "reasoning_effort is compared with the state": Case(
        declared(reasoning_effort="high"),
        served(),
        declared(reasoning_effort="low"),
        served(),
        ["reasoning_effort"],
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_compare(case: Case) -> None:
    result = compare(case.declared, case.live, applied=case.applied, observed=case.observed)
    assert result.differing == case.differing
    assert result.drifted == case.drifted
    assert result.resets == case.resets


def test_the_expected_value_is_the_spec_over_what_the_server_held() -> None:
    function = {"type": "function", "function": {"name": "f"}}
    held = {
        "type": "function",
        "function": {"name": "f", "strict": True, "parameters": {"type": "object"}},
    }
    assert overlay([function, FS_DECLARED], [held, FS_SERVED], "tools") == [held, FS_SERVED]
    # Another tool at that place: nothing of the old one is assumed.
    assert overlay([FS_DECLARED], [held], "tools") == [FS_DECLARED]
    # Metadata and JSON schemas are values, not options: the spec's stand alone.
    assert overlay({"a": "1"}, {"a": "1", "b": "2"}, "metadata") == {"a": "1"}
    assert overlay({"type": "object"}, {"type": "object", "x": 1}, "parameters") == {
        "type": "object"
    }


def test_projection_drops_only_options_the_expected_value_does_not_mention() -> None:
    live = {"type": "file_search", "file_search": {"max_num_results": 10, "extra": 1}}
    assert project(live, FS_DECLARED) == {"type": "file_search"}
    assert project({"a": "1", "b": "2"}, {"a": "1"}, "metadata") == {"a": "1", "b": "2"}
    assert project([1, 2], [1]) == [1, 2], "a list item added by hand is kept, to be seen"
