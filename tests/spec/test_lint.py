"""Warnings: what the API accepts but is almost surely a mistake, and what is fine."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from assistform.errors import Severity
from assistform.spec.lint import lint

if TYPE_CHECKING:
    from tests.spec.conftest import Repo


@pytest.mark.parametrize(
    "spec",
    [
        pytest.param(
            "model: x\ntools: [{type: code_interpreter}]\n"
            "tool_resources: {code_interpreter: {file_ids: [f]}}\n",
            id="resources-with-their-tool",
        ),
        pytest.param(
            "model: x\ntools: [{type: file_search}]\n"
            "tool_resources: {file_search: {vector_store_ids: [vs]}}\n",
            id="file-search-with-its-tool",
        ),
        pytest.param(
            "model: x\ninstructions: Reply in json.\nresponse_format: {type: json_object}\n",
            id="json-mode-with-json-in-lower-case",
        ),
        pytest.param(
            "model: x\nresponse_format:\n  type: json_schema\n  json_schema: {name: out}\n",
            id="json-schema-needs-no-json-word",
        ),
        pytest.param("model: x\ntemperature: 0.2\n", id="temperature-alone"),
        pytest.param("model: x\ntop_p: 0.2\n", id="top-p-alone"),
    ],
)
def test_no_warning_for_sound_specs(repo: Repo, spec: str) -> None:
    assert repo.check(spec) == []


def test_json_word_may_come_from_the_instructions_file(repo: Repo) -> None:
    repo.write("p.md", "Answer with a JSON object.")
    spec = "model: x\ninstructions_file: p.md\nresponse_format: {type: json_object}\n"
    assert repo.check(spec) == []


def test_lint_findings_are_warnings_that_do_not_stop_loading(repo: Repo) -> None:
    repo.write("s.yaml", "model: x\ntemperature: 0.5\ntop_p: 0.5\n")
    result = repo.load()
    (loaded,) = result.specs
    found = lint(loaded)
    assert [d.severity for d in found] == [Severity.WARNING]
    assert result.diagnostics == found
    assert result.errors == []
