"""Field-level differences: the paths, old and new values a plan shows for a change."""

from __future__ import annotations

from typing import Any

import pytest

from assistform.plan.fielddiff import field_changes, format_path, to_field_changes


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (["tools"], "tools"),
        (["tools", 1, "function", "name"], "tools[1].function.name"),
        (["metadata", "2024"], "metadata.2024"),
        (["metadata", "cost-center"], "metadata.cost-center"),
        (["tools", 10], "tools[10]"),
        (["metadata", "a.b"], 'metadata["a.b"]'),
        (["metadata", "a[0]"], 'metadata["a[0]"]'),
        (["metadata", "it's"], 'metadata["it\'s"]'),
        (["metadata", 'say "hi"'], 'metadata["say \\"hi\\""]'),
        (["metadata", "é"], 'metadata["é"]'),
        (["metadata", ""], 'metadata[""]'),
    ],
)
def test_format_path(parts: list[str | int], expected: str) -> None:
    assert format_path(parts) == expected


FUNCTION = {"type": "function", "function": {"name": "f", "strict": False}}

CASES: dict[str, tuple[dict[str, Any], dict[str, Any], list[tuple[str, Any, Any]]]] = {
    "equal fields are left out": ({"name": "a", "top_p": 1.0}, {"name": "a", "top_p": 1.0}, []),
    "a scalar": ({"name": "a"}, {"name": "b"}, [("name", "a", "b")]),
    "null to a value": ({"description": None}, {"description": "d"}, [("description", None, "d")]),
    "a string to a mapping": (
        {"response_format": "auto"},
        {"response_format": {"type": "json_object"}},
        [("response_format", "auto", {"type": "json_object"})],
    ),
    "a nested leaf": (
        {"tools": [FUNCTION]},
        {"tools": [{"type": "function", "function": {"name": "f", "strict": True}}]},
        [("tools[0].function.strict", False, True)],
    ),
    "an item added to a list": (
        {"tools": [FUNCTION]},
        {"tools": [FUNCTION, {"type": "code_interpreter"}]},
        [("tools[1]", None, {"type": "code_interpreter"})],
    ),
    "an item removed from a list": (
        {"tools": [FUNCTION, {"type": "code_interpreter"}]},
        {"tools": [FUNCTION]},
        [("tools[1]", {"type": "code_interpreter"}, None)],
    ),
    "keys added and removed": (
        {"metadata": {"a": "1", "b": "2"}},
        {"metadata": {"b": "2", "c": "3"}},
        [("metadata.a", "1", None), ("metadata.c", None, "3")],
    ),
    "numeric keys sort among words": (
        {"metadata": {"2024": "a", "team": "x"}},
        {"metadata": {"2024": "b", "team": "y"}},
        [("metadata.2024", "a", "b"), ("metadata.team", "x", "y")],
    ),
    "keys with dots, brackets and quotes are keys, not paths": (
        {"metadata": {"a.b": "1", "a": "x", "c[0]": "2", "it's": "3", "²": "4"}},
        {"metadata": {"a.b": "9", "a": "x", "c[0]": "8", "it's": "7", "²": "6"}},
        [
            ('metadata["a.b"]', "1", "9"),
            ('metadata["c[0]"]', "2", "8"),
            ('metadata["it\'s"]', "3", "7"),
            ('metadata["²"]', "4", "6"),
        ],
    ),
    "indexes sort as numbers": (
        {"tools": [{"type": "code_interpreter"}] * 11},
        {"tools": [{"type": "code_interpreter"}] * 2 + [{"type": "x"}] * 9},
        [(f"tools[{i}].type", "code_interpreter", "x") for i in range(2, 11)],
    ),
    "1 and 1.0 are not a difference, even next to one": (
        {"tools": [{"type": "function", "function": {"parameters": {"minimum": 1, "x": "a"}}}]},
        {"tools": [{"type": "function", "function": {"parameters": {"minimum": 1.0, "x": "b"}}}]},
        [("tools[0].function.parameters.x", "a", "b")],
    ),
}


@pytest.mark.parametrize(("before", "after", "expected"), CASES.values(), ids=CASES.keys())
def test_field_changes(
    before: dict[str, Any], after: dict[str, Any], expected: list[tuple[str, Any, Any]]
) -> None:
    assert field_changes(before, after, list({**before, **after})) == expected


def test_only_the_fields_asked_for_in_their_order() -> None:
    before = {"name": "a", "model": "m1", "top_p": 0.1}
    after = {"name": "b", "model": "m2", "top_p": 0.2}
    assert [path for path, _, _ in field_changes(before, after, ["top_p", "model"])] == [
        "top_p",
        "model",
    ]


def test_to_field_changes_marks_drift_and_state_comparison_by_top_field() -> None:
    rows = [
        ("tools[0].type", "a", "b"),
        ("reasoning_effort", "low", "high"),
        ("name", "x", "y"),
    ]
    changes = to_field_changes(rows, drifted={"tools"}, state_only={"reasoning_effort"})
    assert [(c.path, c.drift, c.compared_with) for c in changes] == [
        ("tools[0].type", True, "live"),
        ("reasoning_effort", False, "state"),
        ("name", False, "live"),
    ]
