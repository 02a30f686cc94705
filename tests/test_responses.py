"""The Responses rendering, as a table: spec text in, request and unmapped fields out.

Every output, and the rendering of every example under `assistants/`, is validated against
`CreateResponse` of OpenAI's OpenAPI spec, as carried in the repository
(`tests/official_spec.py`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assistform.responses import AppliedIds, to_responses
from assistform.spec.load import load_specs
from assistform.spec.model import AssistantSpec
from assistform.spec.yamlsource import parse_yaml
from official_spec import openapi

REPO = Path(__file__).resolve().parents[1]

FUNCTION = {
    "type": "object",
    "properties": {"q": {"type": "string"}},
    "required": ["q"],
}


@pytest.fixture(scope="module")
def create_response() -> Any:
    """A validator of `CreateResponse` and everything it references."""
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    resource = Resource.from_contents(openapi(), default_specification=DRAFT202012)
    registry = Registry().with_resource("urn:openapi", resource)
    return Draft202012Validator(
        {"$ref": "urn:openapi#/components/schemas/CreateResponse"}, registry=registry
    )


def spec(text: str) -> AssistantSpec:
    return AssistantSpec.model_validate(parse_yaml(text, "spec.yaml").data)


def case(case_id: str, text: str, request: dict[str, Any], unmapped: list[str]) -> Any:
    return pytest.param(text, request, unmapped, id=case_id)


CASES = [
    case("model-only", "model: gpt-4o\n", {"model": "gpt-4o"}, []),
    case(
        "plain-fields-keep-their-names",
        "model: m\ninstructions: Be brief.\ntemperature: 0.2\ntop_p: 0.9\nmetadata: {team: a}\n",
        {
            "model": "m",
            "instructions": "Be brief.",
            "temperature": 0.2,
            "top_p": 0.9,
            "metadata": {"team": "a"},
        },
        [],
    ),
    case(
        "name-and-description-are-unmapped",
        "model: m\nname: Bot\ndescription: Helps.\n",
        {"model": "m"},
        ["name", "description"],
    ),
    case(
        "reasoning-effort",
        "model: o3\nreasoning_effort: high\n",
        {"model": "o3", "reasoning": {"effort": "high"}},
        [],
    ),
    case(
        "function-flattens-and-keeps-assistants-default-strict",
        "model: m\ntools:\n  - type: function\n    function:\n      name: f\n"
        "      description: Look up.\n      parameters: {type: object, properties: "
        "{q: {type: string}}, required: [q]}\n",
        {
            "model": "m",
            "tools": [
                {
                    "type": "function",
                    "name": "f",
                    "description": "Look up.",
                    "parameters": FUNCTION,
                    "strict": False,
                }
            ],
        },
        [],
    ),
    case(
        "function-without-parameters",
        "model: m\ntools:\n  - type: function\n    function: {name: ping, strict: true}\n",
        {
            "model": "m",
            "tools": [{"type": "function", "name": "ping", "parameters": None, "strict": True}],
        },
        [],
    ),
    case(
        "file-search-takes-vector-stores-and-options",
        "model: m\ntools:\n  - type: file_search\n    file_search:\n      max_num_results: 5\n"
        "      ranking_options: {ranker: auto, score_threshold: 0.5}\n"
        "tool_resources:\n  file_search:\n    vector_store_ids: [vs_1]\n",
        {
            "model": "m",
            "tools": [
                {
                    "type": "file_search",
                    "vector_store_ids": ["vs_1"],
                    "max_num_results": 5,
                    "ranking_options": {"ranker": "auto", "score_threshold": 0.5},
                }
            ],
        },
        [],
    ),
    case(
        "ranker-unknown-to-responses-is-dropped",
        "model: m\ntools:\n  - type: file_search\n    file_search:\n      ranking_options:\n"
        "        ranker: default_2024_08_21\n        score_threshold: 0.4\n"
        "tool_resources:\n  file_search:\n    vector_store_ids: [vs_1]\n",
        {
            "model": "m",
            "tools": [
                {
                    "type": "file_search",
                    "vector_store_ids": ["vs_1"],
                    "ranking_options": {"score_threshold": 0.4},
                }
            ],
        },
        ["tools[0].file_search.ranking_options.ranker"],
    ),
    case(
        "vector-store-helper-and-chunking-are-unmapped",
        "model: m\ntools: [{type: file_search}]\ntool_resources:\n  file_search:\n"
        "    vector_stores:\n      - file_ids: [file-1]\n"
        "        chunking_strategy: {type: auto}\n",
        {"model": "m", "tools": [{"type": "file_search", "vector_store_ids": []}]},
        [
            "tool_resources.file_search.vector_stores",
            "tool_resources.file_search.vector_stores[0].chunking_strategy",
        ],
    ),
    case(
        "file-search-without-resources",
        "model: m\ntools: [{type: file_search}]\n",
        {"model": "m", "tools": [{"type": "file_search", "vector_store_ids": []}]},
        ["tools[0]"],
    ),
    case(
        "code-interpreter-gets-an-auto-container-with-its-files",
        "model: m\ntools: [{type: code_interpreter}]\n"
        "tool_resources:\n  code_interpreter:\n    file_ids: [file-a, file-b]\n",
        {
            "model": "m",
            "tools": [
                {
                    "type": "code_interpreter",
                    "container": {"type": "auto", "file_ids": ["file-a", "file-b"]},
                }
            ],
        },
        [],
    ),
    case(
        "code-interpreter-without-files",
        "model: m\ntools: [{type: code_interpreter}]\n",
        {
            "model": "m",
            "tools": [{"type": "code_interpreter", "container": {"type": "auto", "file_ids": []}}],
        },
        [],
    ),
    case(
        "resources-without-their-tool",
        "model: m\ntool_resources:\n  code_interpreter:\n    file_ids: [file-a]\n",
        {"model": "m"},
        ["tool_resources.code_interpreter"],
    ),
    case(
        "response-format-auto-is-omitted", "model: m\nresponse_format: auto\n", {"model": "m"}, []
    ),
    case(
        "response-format-text",
        "model: m\nresponse_format: {type: text}\n",
        {"model": "m", "text": {"format": {"type": "text"}}},
        [],
    ),
    case(
        "response-format-json-object",
        "model: m\ninstructions: Answer in JSON.\nresponse_format: {type: json_object}\n",
        {
            "model": "m",
            "instructions": "Answer in JSON.",
            "text": {"format": {"type": "json_object"}},
        },
        [],
    ),
    case(
        "response-format-json-schema-flattens",
        "model: m\nresponse_format:\n  type: json_schema\n  json_schema:\n    name: answer\n"
        "    description: One answer.\n    strict: true\n"
        "    schema: {type: object, properties: {q: {type: string}}, required: [q]}\n",
        {
            "model": "m",
            "text": {
                "format": {
                    "type": "json_schema",
                    "name": "answer",
                    "description": "One answer.",
                    "schema": FUNCTION,
                    "strict": True,
                }
            },
        },
        [],
    ),
    case(
        "response-format-json-schema-without-schema",
        "model: m\nresponse_format: {type: json_schema, json_schema: {name: any}}\n",
        {"model": "m", "text": {"format": {"type": "json_schema", "name": "any", "schema": {}}}},
        ["response_format.json_schema.schema"],
    ),
]


@pytest.mark.parametrize(("text", "request_", "unmapped"), CASES)
def test_rendering(text: str, request_: dict[str, Any], unmapped: list[str]) -> None:
    rendered = to_responses(spec(text))
    assert rendered.request == request_
    assert [u.field for u in rendered.unmapped] == unmapped
    assert all(u.reason for u in rendered.unmapped)


@pytest.mark.parametrize(("text", "request_", "unmapped"), CASES)
def test_rendering_is_a_valid_create_response(
    text: str, request_: dict[str, Any], unmapped: list[str], create_response: Any
) -> None:
    errors = [e.message for e in create_response.iter_errors(to_responses(spec(text)).request)]
    assert errors == []


def test_every_example_renders_to_a_valid_create_response(create_response: Any) -> None:
    result = load_specs(REPO)
    assert result.specs and not result.errors
    for loaded in result.specs:
        request = to_responses(loaded.spec).request
        assert request["model"] == loaded.spec.model
        errors = [e.message for e in create_response.iter_errors(request)]
        assert errors == [], loaded.key


APPLIED = AppliedIds(
    vector_stores={"support/kb": "vs_kb", "other": "vs_other"},
    files={"data/a.csv": "file-a", "data/b.csv": "file-b"},
)
KB_SEARCH = (
    "model: m\ntools: [{type: file_search}]\n"
    "tool_resources:\n  file_search:\n    vector_store: support/kb\n"
)
CSV_CODE = (
    "model: m\ntools: [{type: code_interpreter}]\n"
    "tool_resources:\n  code_interpreter:\n    files: ['../data/*.csv']\n"
)


def knowledge_case(
    case_id: str,
    text: str,
    files: tuple[str, ...],
    applied: AppliedIds,
    tools: list[dict[str, Any]],
    unmapped: list[tuple[str, str]],
) -> Any:
    return pytest.param(text, files, applied, tools, unmapped, id=case_id)


#: assistform's own resources: (spec, its expanded code_interpreter files, the state's ids,
#: the request's tools, the unmapped (field, reason)).
KNOWLEDGE_CASES = [
    knowledge_case(
        "managed-vector-store-maps-to-its-recorded-id",
        KB_SEARCH,
        (),
        APPLIED,
        [{"type": "file_search", "vector_store_ids": ["vs_kb"]}],
        [],
    ),
    knowledge_case(
        "vector-store-not-applied-yet-is-unmapped-not-invented",
        KB_SEARCH,
        (),
        AppliedIds(vector_stores={"other": "vs_other"}),
        [{"type": "file_search", "vector_store_ids": []}],
        [
            (
                "tool_resources.file_search.vector_store",
                "vector store 'support/kb' is not created yet (the state records no id for "
                "it): run `assistform apply` first",
            )
        ],
    ),
    knowledge_case(
        "code-interpreter-files-map-to-their-uploaded-ids",
        CSV_CODE,
        ("data/a.csv", "data/b.csv"),
        APPLIED,
        [
            {
                "type": "code_interpreter",
                "container": {"type": "auto", "file_ids": ["file-a", "file-b"]},
            }
        ],
        [],
    ),
    knowledge_case(
        "literal-file-ids-come-first-then-the-uploaded-ones",
        "model: m\ntools: [{type: code_interpreter}]\ntool_resources:\n  code_interpreter:\n"
        "    file_ids: [file-lit]\n    files: ['../data/*.csv']\n",
        ("data/b.csv",),
        APPLIED,
        [
            {
                "type": "code_interpreter",
                "container": {"type": "auto", "file_ids": ["file-lit", "file-b"]},
            }
        ],
        [],
    ),
    knowledge_case(
        "a-file-not-uploaded-yet-is-unmapped-the-others-mapped",
        CSV_CODE,
        ("data/a.csv", "data/new.csv"),
        APPLIED,
        [{"type": "code_interpreter", "container": {"type": "auto", "file_ids": ["file-a"]}}],
        [
            (
                "tool_resources.code_interpreter.files",
                "file 'data/new.csv' is not uploaded yet (the state records no id for it): "
                "run `assistform apply` first",
            )
        ],
    ),
    knowledge_case(
        "nothing-applied-both-unmapped",
        "model: m\ntools: [{type: file_search}, {type: code_interpreter}]\ntool_resources:\n"
        "  file_search: {vector_store: support/kb}\n  code_interpreter: {files: ['*.csv']}\n",
        ("a.csv",),
        AppliedIds(),
        [
            {"type": "file_search", "vector_store_ids": []},
            {"type": "code_interpreter", "container": {"type": "auto", "file_ids": []}},
        ],
        [
            (
                "tool_resources.file_search.vector_store",
                "vector store 'support/kb' is not created yet (the state records no id for "
                "it): run `assistform apply` first",
            ),
            (
                "tool_resources.code_interpreter.files",
                "file 'a.csv' is not uploaded yet (the state records no id for it): "
                "run `assistform apply` first",
            ),
        ],
    ),
    knowledge_case(
        "own-resources-without-their-tool-are-unmapped",
        "model: m\ntool_resources:\n  file_search: {vector_store: support/kb}\n"
        "  code_interpreter: {files: ['*.csv']}\n",
        ("data/a.csv",),
        APPLIED,
        [],
        [
            (
                "tool_resources.code_interpreter",
                "no code_interpreter tool to carry it: Responses attaches resources to their tool",
            ),
            (
                "tool_resources.file_search",
                "no file_search tool to carry it: Responses attaches resources to their tool",
            ),
        ],
    ),
]


@pytest.mark.parametrize(("text", "files", "applied", "tools", "unmapped"), KNOWLEDGE_CASES)
def test_knowledge_rendering(
    text: str,
    files: tuple[str, ...],
    applied: AppliedIds,
    tools: list[dict[str, Any]],
    unmapped: list[tuple[str, str]],
    create_response: Any,
) -> None:
    rendered = to_responses(spec(text), files=files, applied=applied)
    assert rendered.request.get("tools", []) == tools
    assert [(u.field, u.reason) for u in rendered.unmapped] == unmapped
    errors = [e.message for e in create_response.iter_errors(rendered.request)]
    assert errors == []


def test_applied_ids_are_the_states_records() -> None:
    from assistform.state import FileRecord, State, VectorStoreRecord

    state = State(
        files={
            "data/a.csv": FileRecord(
                id="file-a", sha256="0" * 64, size=1, mtime_ns=1, filename="a.csv"
            )
        },
        vector_stores={"support/kb": VectorStoreRecord(id="vs_kb", applied={})},
    )
    assert AppliedIds.of(state) == AppliedIds(
        vector_stores={"support/kb": "vs_kb"}, files={"data/a.csv": "file-a"}
    )


def test_instructions_file_is_rendered_as_its_text() -> None:
    triage = next(s for s in load_specs(REPO).specs if s.key == "support/triage")
    request = to_responses(triage.spec).request
    assert request["instructions"].startswith("# Support triage")


def test_the_schema_check_would_catch_an_assistants_shape(create_response: Any) -> None:
    """The validator is not vacuous: the Assistants shapes fail it."""
    assistants_style = {
        "model": "m",
        "tools": [{"type": "function", "function": {"name": "f"}}],
    }
    assert list(create_response.iter_errors(assistants_style))
    unknown_ranker = {
        "model": "m",
        "tools": [
            {
                "type": "file_search",
                "vector_store_ids": ["vs"],
                "ranking_options": {"ranker": "default_2024_08_21"},
            }
        ],
    }
    assert list(create_response.iter_errors(unknown_ranker))
