"""Request bodies the sandbox must refuse, and bodies it must accept.

Every value out of a limit is derived from `assistform.limits`, so a limit that moves
moves the tests with it. `schema_rejects` says whether the spec's JSON schema itself
refuses the body (False: the limit lives only in a description, or is a rule of the
service; see `assistform.sandbox.defaults`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from assistform import limits

MODEL = "gpt-4o"


@dataclass(frozen=True)
class Refused:
    id: str
    body: Any
    param: str | None
    code: str
    op: str = "create"
    schema_rejects: bool = True
    #: Further constrained params of the spec this case stands for.
    covers: tuple[str, ...] = field(default=())


def _create(**fields: Any) -> dict[str, Any]:
    return {"model": MODEL, **fields}


def _tool(**fields: Any) -> dict[str, Any]:
    return _create(tools=[fields])


def _function(**function: Any) -> dict[str, Any]:
    return _tool(type="function", function=function)


def _ranking(**options: Any) -> dict[str, Any]:
    return _tool(type="file_search", file_search={"ranking_options": options})


def _vector_store(**store: Any) -> dict[str, Any]:
    return _create(tool_resources={"file_search": {"vector_stores": [store]}})


def _static(**static: Any) -> dict[str, Any]:
    return _vector_store(chunking_strategy={"type": "static", "static": static})


def _pairs(count: int) -> dict[str, str]:
    return {f"k{i}": "v" for i in range(count)}


_SIZE_OK = limits.CHUNK_SIZE_TOKENS_MIN * 2
_FS = "tool_resources.file_search"
_VS0 = f"{_FS}.vector_stores[0]"
_STATIC = f"{_VS0}.chunking_strategy.static"
_JSON_SCHEMA = {"type": "json_schema", "json_schema": {"name": "answer"}}

REFUSED: tuple[Refused, ...] = (
    # --- the body and its top level
    Refused("missing-model", {"name": "x"}, "model", "missing_required_parameter"),
    Refused("model-type", {"model": 4}, "model", "invalid_type"),
    Refused("model-empty", {"model": ""}, "model", "invalid_value", schema_rejects=False),
    Refused("unknown-field", _create(foo=1), "foo", "unknown_parameter"),
    Refused("unknown-before-others", _create(foo=1, temperature=9), "foo", "unknown_parameter"),
    Refused("body-not-object", [MODEL], None, "invalid_type"),
    # --- strings
    Refused(
        "name-long", _create(name="n" * (limits.NAME_MAX + 1)), "name", "string_above_max_length"
    ),
    Refused("name-type", _create(name=5), "name", "invalid_type"),
    Refused(
        "description-long",
        _create(description="d" * (limits.DESCRIPTION_MAX + 1)),
        "description",
        "string_above_max_length",
    ),
    Refused(
        "instructions-long",
        _create(instructions="i" * (limits.INSTRUCTIONS_MAX + 1)),
        "instructions",
        "string_above_max_length",
    ),
    Refused(
        "reasoning-effort-enum",
        _create(reasoning_effort="extreme"),
        "reasoning_effort",
        "invalid_value",
    ),
    # --- tools
    Refused("tools-type", _create(tools={"type": "function"}), "tools", "invalid_type"),
    Refused(
        "tools-too-many",
        _create(tools=[{"type": "code_interpreter"}] * (limits.TOOLS_MAX + 1)),
        "tools",
        "array_above_max_length",
    ),
    Refused("tool-not-object", _create(tools=["code_interpreter"]), "tools[0]", "invalid_type"),
    Refused("tool-type-missing", _tool(), "tools[0].type", "missing_required_parameter"),
    Refused("tool-type-enum", _tool(type="browser"), "tools[0].type", "invalid_value"),
    Refused(
        "tool-unknown-key",
        _tool(type="code_interpreter", foo=1),
        "tools[0].foo",
        "unknown_parameter",
        schema_rejects=False,
    ),
    Refused(
        "function-missing",
        _tool(type="function"),
        "tools[0].function",
        "missing_required_parameter",
    ),
    Refused(
        "function-second-tool",
        _create(tools=[{"type": "code_interpreter"}, {"type": "function", "function": {}}]),
        "tools[1].function.name",
        "missing_required_parameter",
    ),
    Refused(
        "function-name-long",
        _function(name="f" * (limits.FUNCTION_NAME_MAX + 1)),
        "tools[0].function.name",
        "string_above_max_length",
        schema_rejects=False,
    ),
    Refused(
        "function-name-pattern",
        _function(name="has space"),
        "tools[0].function.name",
        "invalid_value",
        schema_rejects=False,
    ),
    Refused(
        "function-name-empty",
        _function(name=""),
        "tools[0].function.name",
        "invalid_value",
        schema_rejects=False,
    ),
    Refused(
        "function-strict-type",
        _function(name="f", strict="yes"),
        "tools[0].function.strict",
        "invalid_type",
    ),
    Refused(
        "function-parameters-type",
        _function(name="f", parameters=[]),
        "tools[0].function.parameters",
        "invalid_type",
    ),
    Refused(
        "function-description-type",
        _function(name="f", description=5),
        "tools[0].function.description",
        "invalid_type",
    ),
    Refused(
        "max-num-results-low",
        _tool(
            type="file_search",
            file_search={"max_num_results": limits.FILE_SEARCH_MAX_NUM_RESULTS_MIN - 1},
        ),
        "tools[0].file_search.max_num_results",
        "integer_below_min_value",
    ),
    Refused(
        "max-num-results-high",
        _tool(
            type="file_search",
            file_search={"max_num_results": limits.FILE_SEARCH_MAX_NUM_RESULTS_MAX + 1},
        ),
        "tools[0].file_search.max_num_results",
        "integer_above_max_value",
    ),
    Refused(
        "max-num-results-decimal",
        _tool(type="file_search", file_search={"max_num_results": 5.5}),
        "tools[0].file_search.max_num_results",
        "invalid_type",
    ),
    Refused(
        "ranker-enum",
        _ranking(ranker="best", score_threshold=0.5),
        "tools[0].file_search.ranking_options.ranker",
        "invalid_value",
    ),
    Refused(
        "score-threshold-missing",
        _ranking(ranker="auto"),
        "tools[0].file_search.ranking_options.score_threshold",
        "missing_required_parameter",
    ),
    Refused(
        "score-threshold-high",
        _ranking(score_threshold=limits.SCORE_THRESHOLD_MAX + 0.5),
        "tools[0].file_search.ranking_options.score_threshold",
        "decimal_above_max_value",
    ),
    Refused(
        "score-threshold-low",
        _ranking(score_threshold=limits.SCORE_THRESHOLD_MIN - 0.1),
        "tools[0].file_search.ranking_options.score_threshold",
        "decimal_below_min_value",
    ),
    # --- tool resources
    Refused("tool-resources-type", _create(tool_resources="x"), "tool_resources", "invalid_type"),
    Refused(
        "code-interpreter-files",
        _create(
            tool_resources={
                "code_interpreter": {"file_ids": ["f"] * (limits.CODE_INTERPRETER_FILE_IDS_MAX + 1)}
            }
        ),
        "tool_resources.code_interpreter.file_ids",
        "array_above_max_length",
    ),
    Refused(
        "code-interpreter-file-type",
        _create(tool_resources={"code_interpreter": {"file_ids": [7]}}),
        "tool_resources.code_interpreter.file_ids[0]",
        "invalid_type",
    ),
    Refused(
        "vector-store-ids-many",
        _create(
            tool_resources={
                "file_search": {"vector_store_ids": ["vs_1"] * (limits.VECTOR_STORE_IDS_MAX + 1)}
            }
        ),
        f"{_FS}.vector_store_ids",
        "array_above_max_length",
    ),
    Refused(
        "vector-store-ids-and-helper",
        _create(
            tool_resources={"file_search": {"vector_store_ids": ["vs_1"], "vector_stores": [{}]}}
        ),
        _FS,
        "invalid_value",
        covers=(f"{_FS}.vector_stores",),
    ),
    Refused(
        "file-search-empty",
        _create(tool_resources={"file_search": {}}),
        f"{_FS}.vector_store_ids",
        "missing_required_parameter",
    ),
    Refused(
        "vector-stores-many",
        _create(
            tool_resources={"file_search": {"vector_stores": [{}] * (limits.VECTOR_STORES_MAX + 1)}}
        ),
        f"{_FS}.vector_stores",
        "array_above_max_length",
    ),
    Refused(
        "chunking-type-enum",
        _vector_store(chunking_strategy={"type": "fancy"}),
        f"{_VS0}.chunking_strategy.type",
        "invalid_value",
    ),
    Refused(
        "chunking-type-missing",
        _vector_store(chunking_strategy={}),
        f"{_VS0}.chunking_strategy.type",
        "missing_required_parameter",
    ),
    Refused(
        "chunking-auto-extra",
        _vector_store(chunking_strategy={"type": "auto", "static": {}}),
        f"{_VS0}.chunking_strategy.static",
        "unknown_parameter",
    ),
    Refused(
        "chunking-static-missing",
        _vector_store(chunking_strategy={"type": "static"}),
        f"{_VS0}.chunking_strategy.static",
        "missing_required_parameter",
    ),
    Refused(
        "chunk-size-low",
        _static(max_chunk_size_tokens=limits.CHUNK_SIZE_TOKENS_MIN - 1, chunk_overlap_tokens=0),
        f"{_STATIC}.max_chunk_size_tokens",
        "integer_below_min_value",
    ),
    Refused(
        "chunk-size-high",
        _static(max_chunk_size_tokens=limits.CHUNK_SIZE_TOKENS_MAX + 1, chunk_overlap_tokens=0),
        f"{_STATIC}.max_chunk_size_tokens",
        "integer_above_max_value",
    ),
    Refused(
        "chunk-size-missing",
        _static(chunk_overlap_tokens=0),
        f"{_STATIC}.max_chunk_size_tokens",
        "missing_required_parameter",
    ),
    Refused(
        "chunk-overlap-missing",
        _static(max_chunk_size_tokens=_SIZE_OK),
        f"{_STATIC}.chunk_overlap_tokens",
        "missing_required_parameter",
    ),
    Refused(
        "chunk-overlap-over-half",
        _static(max_chunk_size_tokens=_SIZE_OK, chunk_overlap_tokens=_SIZE_OK // 2 + 1),
        f"{_STATIC}.chunk_overlap_tokens",
        "integer_above_max_value",
        schema_rejects=False,
    ),
    Refused(
        "vector-store-metadata-pairs",
        _vector_store(metadata=_pairs(limits.METADATA_PAIRS_MAX + 1)),
        f"{_VS0}.metadata",
        "object_above_max_properties",
        schema_rejects=False,
    ),
    # --- metadata
    Refused("metadata-type", _create(metadata=["a"]), "metadata", "invalid_type"),
    Refused(
        "metadata-pairs",
        _create(metadata=_pairs(limits.METADATA_PAIRS_MAX + 1)),
        "metadata",
        "object_above_max_properties",
        schema_rejects=False,
    ),
    Refused(
        "metadata-key-long",
        _create(metadata={"k" * (limits.METADATA_KEY_MAX + 1): "v"}),
        "metadata",
        "string_above_max_length",
        schema_rejects=False,
    ),
    Refused(
        "metadata-value-long",
        _create(metadata={"team": "v" * (limits.METADATA_VALUE_MAX + 1)}),
        "metadata.team",
        "string_above_max_length",
        schema_rejects=False,
    ),
    Refused("metadata-value-type", _create(metadata={"team": 1}), "metadata.team", "invalid_type"),
    # --- sampling
    Refused(
        "temperature-high",
        _create(temperature=limits.TEMPERATURE_MAX + 0.5),
        "temperature",
        "decimal_above_max_value",
    ),
    Refused(
        "temperature-low",
        _create(temperature=limits.TEMPERATURE_MIN - 1),
        "temperature",
        "decimal_below_min_value",
    ),
    Refused("temperature-string", _create(temperature="hot"), "temperature", "invalid_type"),
    Refused("temperature-bool", _create(temperature=True), "temperature", "invalid_type"),
    Refused(
        "top-p-high", _create(top_p=limits.TOP_P_MAX + 0.1), "top_p", "decimal_above_max_value"
    ),
    Refused("top-p-low", _create(top_p=limits.TOP_P_MIN - 0.1), "top_p", "decimal_below_min_value"),
    # --- response format
    Refused(
        "response-format-string",
        _create(response_format="json"),
        "response_format",
        "invalid_value",
    ),
    Refused("response-format-type", _create(response_format=5), "response_format", "invalid_type"),
    Refused(
        "response-format-enum",
        _create(response_format={"type": "xml"}),
        "response_format.type",
        "invalid_value",
    ),
    Refused(
        "json-schema-missing",
        _create(response_format={"type": "json_schema"}),
        "response_format.json_schema",
        "missing_required_parameter",
    ),
    Refused(
        "json-schema-name-missing",
        _create(response_format={"type": "json_schema", "json_schema": {}}),
        "response_format.json_schema.name",
        "missing_required_parameter",
    ),
    Refused(
        "json-schema-name-pattern",
        _create(response_format={"type": "json_schema", "json_schema": {"name": "bad name!"}}),
        "response_format.json_schema.name",
        "invalid_value",
        schema_rejects=False,
    ),
    Refused(
        "json-schema-strict-type",
        _create(response_format={**_JSON_SCHEMA, "json_schema": {"name": "a", "strict": 1}}),
        "response_format.json_schema.strict",
        "invalid_type",
    ),
    # --- modify
    Refused("modify-unknown", {"foo": 1}, "foo", "unknown_parameter", op="modify"),
    Refused(
        "modify-no-helper",
        {"tool_resources": {"file_search": {"vector_stores": [{}]}}},
        f"{_FS}.vector_stores",
        "unknown_parameter",
        op="modify",
        schema_rejects=False,
    ),
    Refused(
        "modify-name-long",
        {"name": "n" * (limits.NAME_MAX + 1)},
        "name",
        "string_above_max_length",
        op="modify",
    ),
    Refused(
        "modify-metadata-pairs",
        {"metadata": _pairs(limits.METADATA_PAIRS_MAX + 1)},
        "metadata",
        "object_above_max_properties",
        op="modify",
        schema_rejects=False,
    ),
    Refused("modify-top-p", {"top_p": -0.5}, "top_p", "decimal_below_min_value", op="modify"),
    Refused("modify-model-type", {"model": None}, "model", "invalid_type", op="modify"),
    Refused(
        "modify-reasoning-effort",
        {"reasoning_effort": "turbo"},
        "reasoning_effort",
        "invalid_value",
        op="modify",
    ),
)

#: Constrained params of the spec no HTTP case covers, and where they are covered instead.
COVERED_ELSEWHERE = {
    f"{_VS0}.file_ids": "test_validation.py, with the 100,000,000-item limit patched down",
}

_FULL_FUNCTION = {
    "name": "get_weather",
    "description": "Weather of a city.",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
    "strict": True,
}

#: (id, body, what the assistant object must contain beyond the defaults).
ACCEPTED: tuple[tuple[str, dict[str, Any], dict[str, Any]], ...] = (
    ("minimal", {"model": MODEL}, {}),
    (
        "strings",
        _create(
            name="n" * limits.NAME_MAX,
            description="d" * limits.DESCRIPTION_MAX,
            instructions="Be brief.",
        ),
        {
            "name": "n" * limits.NAME_MAX,
            "description": "d" * limits.DESCRIPTION_MAX,
            "instructions": "Be brief.",
        },
    ),
    (
        "nulls",
        _create(
            name=None,
            description=None,
            instructions=None,
            metadata=None,
            temperature=None,
            top_p=None,
            response_format=None,
            tool_resources=None,
            reasoning_effort=None,
        ),
        {},
    ),
    (
        "sampling-limits",
        _create(temperature=limits.TEMPERATURE_MAX, top_p=limits.TOP_P_MIN),
        {"temperature": 2.0, "top_p": 0.0},
    ),
    ("sampling-int", _create(temperature=0, top_p=1), {"temperature": 0.0, "top_p": 1.0}),
    (
        "metadata-full",
        _create(
            metadata={
                f"{'k' * 60}{i:02d}": "v" * limits.METADATA_VALUE_MAX
                for i in range(limits.METADATA_PAIRS_MAX)
            }
        ),
        {},
    ),
    (
        "code-interpreter",
        _create(
            tools=[{"type": "code_interpreter"}],
            tool_resources={"code_interpreter": {"file_ids": ["file-1", "file-2"]}},
        ),
        {
            "tools": [{"type": "code_interpreter"}],
            "tool_resources": {"code_interpreter": {"file_ids": ["file-1", "file-2"]}},
        },
    ),
    (
        "code-interpreter-no-files",
        _create(tool_resources={"code_interpreter": {}}),
        {"tool_resources": {"code_interpreter": {"file_ids": []}}},
    ),
    (
        # What the service returned (see sandbox/defaults.py rules 9 and 10).
        "file-search-defaults",
        _create(tools=[{"type": "file_search"}]),
        {
            "tools": [
                {
                    "type": "file_search",
                    "file_search": {
                        "ranking_options": {"ranker": "default_2024_08_21", "score_threshold": 0.0}
                    },
                }
            ],
            "tool_resources": {"file_search": {"vector_store_ids": []}},
        },
    ),
    (
        "code-interpreter-tool-gets-its-resource",
        _create(tools=[{"type": "code_interpreter"}]),
        {
            "tools": [{"type": "code_interpreter"}],
            "tool_resources": {"code_interpreter": {"file_ids": []}},
        },
    ),
    (
        "a-resource-sent-is-kept",
        _create(
            tools=[{"type": "code_interpreter"}, {"type": "file_search"}],
            tool_resources={"file_search": {"vector_store_ids": ["vs_abc"]}},
        ),
        {
            "tool_resources": {
                "code_interpreter": {"file_ids": []},
                "file_search": {"vector_store_ids": ["vs_abc"]},
            },
        },
    ),
    (
        "ranker-auto-sent-is-echoed",
        _ranking(ranker="auto", score_threshold=0.5),
        {
            "tools": [
                {
                    "type": "file_search",
                    "file_search": {"ranking_options": {"ranker": "auto", "score_threshold": 0.5}},
                }
            ],
            "tool_resources": {"file_search": {"vector_store_ids": []}},
        },
    ),
    (
        "file-search-options",
        _tool(
            type="file_search",
            file_search={
                "max_num_results": limits.FILE_SEARCH_MAX_NUM_RESULTS_MAX,
                "ranking_options": {"ranker": "default_2024_08_21", "score_threshold": 0.5},
            },
        ),
        {
            "tools": [
                {
                    "type": "file_search",
                    "file_search": {
                        "max_num_results": 50,
                        "ranking_options": {"ranker": "default_2024_08_21", "score_threshold": 0.5},
                    },
                }
            ],
            "tool_resources": {"file_search": {"vector_store_ids": []}},
        },
    ),
    (
        "file-search-ranker-filled",
        _ranking(score_threshold=0.25),
        {
            "tools": [
                {
                    "type": "file_search",
                    "file_search": {
                        "ranking_options": {"ranker": "default_2024_08_21", "score_threshold": 0.25}
                    },
                }
            ],
            "tool_resources": {"file_search": {"vector_store_ids": []}},
        },
    ),
    (
        "vector-store-ids",
        _create(tool_resources={"file_search": {"vector_store_ids": ["vs_abc"]}}),
        {"tool_resources": {"file_search": {"vector_store_ids": ["vs_abc"]}}},
    ),
    (
        "function-full",
        _create(tools=[{"type": "function", "function": _FULL_FUNCTION}]),
        {"tools": [{"type": "function", "function": _FULL_FUNCTION}]},
    ),
    (
        "function-minimal",
        _function(name="f-1_x"),
        {"tools": [{"type": "function", "function": {"name": "f-1_x", "strict": False}}]},
    ),
    (
        "function-strict-null",
        _function(name="f", strict=None),
        {"tools": [{"type": "function", "function": {"name": "f", "strict": False}}]},
    ),
    (
        "tools-max",
        _create(
            tools=[
                {"type": "function", "function": {"name": f"f{i}"}} for i in range(limits.TOOLS_MAX)
            ]
        ),
        {},
    ),
    ("response-format-auto", _create(response_format="auto"), {"response_format": "auto"}),
    (
        "response-format-text",
        _create(response_format={"type": "text"}),
        {"response_format": {"type": "text"}},
    ),
    (
        "response-format-json-object",
        _create(response_format={"type": "json_object"}),
        {"response_format": {"type": "json_object"}},
    ),
    (
        "response-format-json-schema",
        _create(
            response_format={
                "type": "json_schema",
                "json_schema": {
                    "name": "answer",
                    "description": "d",
                    "schema": {"type": "object"},
                    "strict": True,
                },
            }
        ),
        {
            "response_format": {
                "type": "json_schema",
                "json_schema": {
                    "name": "answer",
                    "description": "d",
                    "schema": {"type": "object"},
                    "strict": True,
                },
            }
        },
    ),
    ("reasoning-effort", _create(reasoning_effort="high"), {}),
    (
        "everything",
        _create(
            name="Math tutor",
            description="Helps with maths.",
            instructions="You are a math tutor.",
            reasoning_effort="low",
            tools=[
                {"type": "code_interpreter"},
                {"type": "file_search"},
                {"type": "function", "function": _FULL_FUNCTION},
            ],
            tool_resources={
                "code_interpreter": {"file_ids": ["file-1"]},
                "file_search": {"vector_store_ids": ["vs_1"]},
            },
            metadata={"team": "math"},
            temperature=0.2,
            top_p=0.9,
            response_format={"type": "json_object"},
        ),
        {"name": "Math tutor", "metadata": {"team": "math"}, "temperature": 0.2, "top_p": 0.9},
    ),
)
