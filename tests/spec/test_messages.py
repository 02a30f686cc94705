"""Placing pydantic errors: union tags are not data, even when a key has the same name."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from assistform.spec.messages import dotted, suggest

if TYPE_CHECKING:
    from tests.spec.conftest import Repo


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        pytest.param(
            "model: x\nmetadata:\n  type: foo\n  foo: 1\n",
            ["4:8: error: metadata.foo must be a string, not the integer 1: put it in quotes"],
            id="metadata-key-equal-to-its-type-value-is-data",
        ),
        pytest.param(
            "model: x\ntools:\n  - type: function\n    function:\n      name: f\n      function: 1\n",
            ["6:7: error: unknown field 'function' in tools[0].function"],
            id="field-named-like-the-tag-inside-the-member",
        ),
        pytest.param(
            "model: x\ntools:\n  - type: file_search\n    file_search:\n      file_search: {}\n",
            ["5:7: error: unknown field 'file_search' in tools[0].file_search"],
            id="file-search-inside-file-search",
        ),
        pytest.param(
            "model: x\ntools:\n  - type: code_interpreter\n    function: {name: f}\n",
            ["4:5: error: unknown field 'function' in tools[0]"],
            id="option-of-another-tool-type",
        ),
    ],
)
def test_errors_are_placed_on_the_value_the_user_wrote(
    repo: Repo, spec: str, expected: list[str]
) -> None:
    assert repo.check(spec) == expected


def test_dotted_paths_read_like_yaml_access() -> None:
    assert dotted(("tools", 0, "function", "name")) == "tools[0].function.name"
    assert dotted(()) == "the spec"


def test_suggestions_are_close_matches_or_nothing() -> None:
    assert suggest("temprature", ["temperature", "top_p"]) == " (did you mean 'temperature'?)"
    assert suggest("colour", ["temperature", "top_p"]) == ""
    assert suggest("retrieval", ["file_search"]) == " ('retrieval' is now 'file_search')"
