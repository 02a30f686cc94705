"""The JSON Schema for editors: committed, current, and true to the examples."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator
from ruamel.yaml import YAML

from assistform.cli.main import cli
from assistform.spec.jsonschema import spec_json_schema, vector_store_json_schema

REPO_ROOT = next(p for p in Path(__file__).resolve().parents if (p / "pyproject.toml").is_file())
SCHEMA_FILE = REPO_ROOT / "schema" / "assistant.schema.json"
EXAMPLES = sorted(p for p in (REPO_ROOT / "assistants").rglob("*") if p.suffix in (".yaml", ".yml"))
MODELINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)$")


def load_yaml(path: Path) -> Any:
    return YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = spec_json_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def test_committed_schema_is_the_output_of_assistform_schema() -> None:
    result = CliRunner().invoke(cli, ["schema"], prog_name="assistform")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == spec_json_schema()
    assert SCHEMA_FILE.read_text(encoding="utf-8") == result.stdout, (
        "schema/assistant.schema.json is stale: run `assistform schema > schema/assistant.schema.json`"
    )


def test_there_are_examples() -> None:
    assert len(EXAMPLES) >= 3


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.relative_to(REPO_ROOT).as_posix())
def test_example_points_editors_at_the_schema(example: Path) -> None:
    first_line = example.read_text(encoding="utf-8").splitlines()[0]
    match = MODELINE.match(first_line)
    assert match, f"{example.name} lacks the yaml-language-server modeline"
    assert (example.parent / match.group(1)).resolve() == SCHEMA_FILE


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.relative_to(REPO_ROOT).as_posix())
def test_example_is_valid_per_the_schema(example: Path, validator: Draft202012Validator) -> None:
    errors = [e.message for e in validator.iter_errors(load_yaml(example))]
    assert errors == []


@pytest.mark.parametrize(
    "spec",
    [
        pytest.param({"name": "no model"}, id="model-missing"),
        pytest.param({"model": "m", "temprature": 1}, id="unknown-field"),
        pytest.param(
            {"model": "m", "instructions": "a", "instructions_file": "b"}, id="both-instructions"
        ),
        pytest.param({"model": "m", "metadata": {"assistform": "x"}}, id="reserved-metadata-key"),
        pytest.param({"model": "m", "metadata": {f"k{i}": "v" for i in range(16)}}, id="16-pairs"),
        pytest.param({"model": "m", "response_format": {"type": "auto"}}, id="auto-as-mapping"),
        pytest.param({"model": "m", "response_format": "json"}, id="unknown-format-string"),
        pytest.param({"model": "m", "tools": [{"type": "retrieval"}]}, id="unknown-tool-type"),
        pytest.param(
            {"model": "m", "tool_resources": {"file_search": {}}}, id="file-search-without-source"
        ),
        pytest.param(
            {
                "model": "m",
                "tool_resources": {"file_search": {"vector_store_ids": [], "vector_stores": []}},
            },
            id="file-search-with-both-sources",
        ),
        pytest.param(
            {
                "model": "m",
                "tool_resources": {"file_search": {"vector_store_ids": [], "vector_store": "kb"}},
            },
            id="file-search-with-ids-and-a-vector-store-key",
        ),
        pytest.param(
            {"model": "m", "tool_resources": {"code_interpreter": {"files": [""]}}},
            id="empty-code-interpreter-glob",
        ),
        pytest.param({"model": "m", "temperature": 2.5}, id="temperature-above-2"),
        pytest.param(
            {"model": "m", "lifecycle": {"ignore_changes": ["modle"]}}, id="lifecycle-field"
        ),
        pytest.param({"model": "m", "lifecycle": {"strategy": "canary"}}, id="strategy"),
        pytest.param({"model": "m", "lifecycle": {"keep_versions": 0}}, id="keep-versions-0"),
        pytest.param({"model": "m", "lifecycle": {"keep_versions": 21}}, id="keep-versions-21"),
        pytest.param(
            {"model": "m", "metadata": {"assistform-version": "1"}}, id="version-tag-reserved"
        ),
        pytest.param(
            {
                "model": "m",
                "metadata": {f"k{i}": "v" for i in range(15)},
                "lifecycle": {"strategy": "blue-green"},
            },
            id="15-pairs-under-blue-green",
        ),
    ],
)
def test_schema_refuses_what_validate_refuses(
    spec: dict[str, Any], validator: Draft202012Validator
) -> None:
    assert not validator.is_valid(spec)


@pytest.mark.parametrize(
    ("pairs", "strategy"), [(15, "in-place"), (14, "blue-green")], ids=["in-place", "blue-green"]
)
def test_schema_allows_the_metadata_pairs_validate_allows(
    pairs: int, strategy: str, validator: Draft202012Validator
) -> None:
    spec = {
        "model": "m",
        "metadata": {f"k{i}": "v" for i in range(pairs)},
        "lifecycle": {"strategy": strategy},
    }
    assert [e.message for e in validator.iter_errors(spec)] == []


# -- vector store specs --------------------------------------------------------------------

VECTOR_STORE_SCHEMA_FILE = REPO_ROOT / "schema" / "vector_store.schema.json"


@pytest.fixture(scope="module")
def vector_store_validator() -> Draft202012Validator:
    schema = vector_store_json_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def test_committed_vector_store_schema_is_the_output_of_assistform_schema() -> None:
    result = CliRunner().invoke(cli, ["schema", "--vector-store"], prog_name="assistform")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == vector_store_json_schema()
    assert VECTOR_STORE_SCHEMA_FILE.read_text(encoding="utf-8") == result.stdout, (
        "schema/vector_store.schema.json is stale: "
        "run `assistform schema --vector-store > schema/vector_store.schema.json`"
    )


def test_schema_takes_one_of_its_options() -> None:
    result = CliRunner().invoke(
        cli, ["schema", "--config", "--vector-store"], prog_name="assistform"
    )
    assert result.exit_code == 2
    assert "give --config or --vector-store, not both" in result.output


def test_assistant_schema_has_the_knowledge_fields() -> None:
    resources = spec_json_schema()["$defs"]
    assert resources["CodeInterpreterResources"]["properties"]["files"]["items"]["type"] == (
        "string"
    )
    file_search = resources["FileSearchResources"]
    assert file_search["properties"]["vector_store"]["anyOf"][0]["type"] == "string"
    assert {"required": ["vector_store"]} in file_search["oneOf"]


def test_the_knowledge_fields_are_valid_per_the_schema(validator: Draft202012Validator) -> None:
    spec = {
        "model": "m",
        "tool_resources": {
            "file_search": {"vector_store": "support/kb"},
            "code_interpreter": {"file_ids": ["file-1"], "files": ["../data/*.csv"]},
        },
    }
    assert [e.message for e in validator.iter_errors(spec)] == []


KB = {
    "name": "Support knowledge base",
    "description": "Articles the support assistants quote",
    "metadata": {"team": "support"},
    "expires_after": {"anchor": "last_active_at", "days": 30},
    "chunking_strategy": {
        "type": "static",
        "static": {"max_chunk_size_tokens": 800, "chunk_overlap_tokens": 400},
    },
    "files": [
        "../../docs/kb/**/*.md",
        {"path": "../../docs/policies/*.pdf", "attributes": {"category": "policy", "n": 2}},
    ],
}


def test_a_vector_store_spec_is_valid_per_the_schema(
    vector_store_validator: Draft202012Validator,
) -> None:
    assert [e.message for e in vector_store_validator.iter_errors(KB)] == []
    assert vector_store_validator.is_valid({})


@pytest.mark.parametrize(
    "spec",
    [
        pytest.param({"nmae": "x"}, id="unknown-field"),
        pytest.param({"name": "x" * 257}, id="name-too-long"),
        pytest.param({"description": "x" * 513}, id="description-too-long"),
        pytest.param({"metadata": {"assistform": "x"}}, id="reserved-metadata-key"),
        pytest.param({"metadata": {f"k{i}": "v" for i in range(16)}}, id="16-pairs"),
        pytest.param({"expires_after": {"anchor": "created_at", "days": 1}}, id="anchor"),
        pytest.param({"expires_after": {"anchor": "last_active_at", "days": 366}}, id="days"),
        pytest.param({"chunking_strategy": {"type": "static", "static": {}}}, id="chunking"),
        pytest.param({"files": [""]}, id="empty-glob"),
        pytest.param({"files": [5]}, id="number-entry"),
        pytest.param({"files": [{"pth": "x"}]}, id="entry-without-path"),
        pytest.param(
            {"files": [{"path": "x", "attributes": {"assistform-sha256": "x"}}]},
            id="reserved-attribute",
        ),
        pytest.param(
            {"files": [{"path": "x", "attributes": {f"k{i}": 1 for i in range(15)}}]},
            id="15-attributes",
        ),
        pytest.param({"files": [{"path": "x", "attributes": {"k": [1]}}]}, id="list-attribute"),
        pytest.param(
            {"files": [{"path": "x", "attributes": {"k": "x" * 513}}]}, id="long-attribute"
        ),
    ],
)
def test_vector_store_schema_refuses_what_validate_refuses(
    spec: dict[str, Any], vector_store_validator: Draft202012Validator
) -> None:
    assert not vector_store_validator.is_valid(spec)
