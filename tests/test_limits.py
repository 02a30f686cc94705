"""The model against OpenAI's OpenAPI spec: a newer spec must turn this red.

`CreateAssistantRequest` and everything it references is walked as a JSON Schema, and so
is the JSON Schema of our model (`assistform schema`), with one path notation for both:
`tools[]<function>.function.name` (`[]` a list item, `{}` a mapping's values, `<tag>` the
member of a union picked by its `type`). Then:

- every field, enum value, `required` and numeric keyword of the spec must be in ours;
- every limit written only in a description ("The maximum length is 256 characters") must be
  a known one, equal to its constant in `assistform.limits`;
- and each constant is enforced by `AssistantSpec`: valid at the limit, refused past it.

They read the part of the spec carried in the repository (`tests/official_spec.py`), so they
run in every CI; `tests/test_official_spec.py` keeps it equal to the full spec.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

import pytest
from pydantic import ValidationError

from assistform import limits, ownership
from assistform.spec import model
from assistform.spec.jsonschema import spec_json_schema
from assistform.spec.model import AssistantSpec
from official_spec import openapi

NUMERIC_KEYWORDS = (
    "maxLength",
    "minLength",
    "maxItems",
    "minItems",
    "maxProperties",
    "minProperties",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
)
#: assistform's own fields, not sent to the API.
OWN_FIELDS = {"instructions_file", "lifecycle"}
#: assistform's own fields, by the path of the object that holds them (knowledge as code).
OWN_BY_PATH = {
    "": OWN_FIELDS,
    "tool_resources.code_interpreter": {"files"},
    "tool_resources.file_search": {"vector_store"},
}


@dataclass
class Walk:
    """What a JSON Schema says, by path (merged over `anyOf`/`oneOf` branches)."""

    properties: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    required: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    enums: dict[str, set[Any]] = field(default_factory=lambda: defaultdict(set))
    tags: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    numbers: dict[tuple[str, str], float] = field(default_factory=dict)
    descriptions: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))


def walk(document: dict[str, Any], schema: dict[str, Any]) -> Walk:
    found = Walk()

    def resolve(
        node: dict[str, Any], seen: frozenset[str]
    ) -> tuple[dict[str, Any], frozenset[str]]:
        while "$ref" in node:
            ref = node["$ref"]
            assert ref.startswith("#/"), ref
            if ref in seen:  # a recursive schema: walked once is enough
                return {}, seen
            seen = seen | {ref}
            target: Any = document
            for part in ref[2:].split("/"):
                target = target[part]
            node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
        return node, seen

    def visit(node: dict[str, Any], path: str, seen: frozenset[str]) -> None:
        node, seen = resolve(node, seen)
        type_property = node.get("properties", {}).get("type", {})
        tag_values = type_property.get("enum") or (
            [type_property["const"]] if "const" in type_property else []
        )
        if len(tag_values) == 1:
            found.tags[path].add(tag_values[0])
            path = f"{path}<{tag_values[0]}>"
        if "description" in node:
            found.descriptions[path].append(node["description"])
        for keyword in NUMERIC_KEYWORDS:
            if keyword in node:
                found.numbers[(path, keyword)] = node[keyword]
        if "enum" in node:
            found.enums[path].update(node["enum"])
        if "const" in node:
            found.enums[path].add(node["const"])
        if "properties" in node:
            found.properties[path].update(node["properties"])
        found.required[path].update(node.get("required", []))
        for combinator in ("anyOf", "oneOf", "allOf"):
            for branch in node.get(combinator, []):
                visit(branch, path, seen)
        for name, sub in node.get("properties", {}).items():
            visit(sub, f"{path}.{name}" if path else name, seen)
        if isinstance(node.get("items"), dict):
            visit(node["items"], f"{path}[]", seen)
        if isinstance(node.get("additionalProperties"), dict):
            visit(node["additionalProperties"], f"{path}{{}}", seen)

    visit(schema, "", frozenset())
    return found


@pytest.fixture(scope="module")
def theirs() -> Walk:
    document = openapi()
    return walk(document, document["components"]["schemas"]["CreateAssistantRequest"])


@pytest.fixture(scope="module")
def ours() -> Walk:
    schema = spec_json_schema()
    return walk(schema, schema)


# -- fields --------------------------------------------------------------------------------


def test_create_fields_are_exactly_ours(theirs: Walk) -> None:
    assert theirs.properties[""] == set(limits.CREATE_FIELDS)
    assert set(AssistantSpec.model_fields) - OWN_FIELDS == set(limits.CREATE_FIELDS)
    # lifecycle options name the create fields
    assert get_args(model.FieldName) == limits.CREATE_FIELDS


def test_every_object_has_the_same_fields_in_our_model(theirs: Walk, ours: Walk) -> None:
    differences = {}
    for path, names in theirs.properties.items():
        mine = ours.properties.get(path, set()) - OWN_BY_PATH.get(path, set())
        if mine != names:
            differences[path] = {
                "spec only": sorted(names - mine),
                "ours only": sorted(mine - names),
            }
    assert differences == {}


def test_required_fields_match(theirs: Walk, ours: Walk) -> None:
    differences = {
        path: (sorted(names), sorted(mine))
        for path, names in theirs.required.items()
        if names != (mine := ours.required.get(path, set()) - OWN_BY_PATH.get(path, set()))
    }
    assert differences == {}


# -- enums ---------------------------------------------------------------------------------

#: Enums of the spec that we do not close: `model` accepts any model id.
OPEN_ENUMS = {"model"}


def test_every_enum_of_the_spec_is_ours(theirs: Walk, ours: Walk) -> None:
    differences = {
        path: (sorted(values), sorted(ours.enums.get(path, set())))
        for path, values in theirs.enums.items()
        if path not in OPEN_ENUMS and values != ours.enums.get(path, set())
    }
    assert differences == {}


def test_every_union_of_the_spec_has_our_members(theirs: Walk, ours: Walk) -> None:
    assert dict(theirs.tags) == dict(ours.tags)


def literal_values(annotation: Any) -> tuple[Any, ...]:
    return get_args(annotation) if getattr(annotation, "__origin__", None) is Literal else ()


def test_reasoning_efforts(theirs: Walk) -> None:
    assert theirs.enums["reasoning_effort"] == set(limits.REASONING_EFFORTS)
    assert get_args(model.ReasoningEffort) == limits.REASONING_EFFORTS


def test_rankers(theirs: Walk) -> None:
    assert theirs.enums["tools[]<file_search>.file_search.ranking_options.ranker"] == set(
        limits.RANKERS
    )
    assert get_args(model.Ranker) == limits.RANKERS


def test_tool_types(theirs: Walk) -> None:
    assert theirs.tags["tools[]"] == set(limits.TOOL_TYPES)
    members = get_args(get_args(model.Tool)[0])
    assert tuple(literal_values(m.model_fields["type"].annotation)[0] for m in members) == (
        limits.TOOL_TYPES
    )


def test_response_format_types(theirs: Walk) -> None:
    assert theirs.enums["response_format"] == {limits.RESPONSE_FORMAT_AUTO}
    assert theirs.tags["response_format"] == set(limits.RESPONSE_FORMAT_TYPES)
    members = get_args(get_args(model.ResponseFormat)[0])
    tags = {literal_values(m.model_fields["type"].annotation)[0] for m in members}
    assert tags == {limits.RESPONSE_FORMAT_AUTO, *limits.RESPONSE_FORMAT_TYPES}


CHUNKING = "tool_resources.file_search.vector_stores[].chunking_strategy"


def test_chunking_strategy_types(theirs: Walk) -> None:
    assert theirs.tags[CHUNKING] == set(limits.CHUNKING_STRATEGY_TYPES)
    members = get_args(get_args(model.ChunkingStrategy)[0])
    tags = tuple(literal_values(m.model_fields["type"].annotation)[0] for m in members)
    assert tags == limits.CHUNKING_STRATEGY_TYPES


# -- numeric limits ------------------------------------------------------------------------

FS = "tool_resources.file_search"
STATIC = f"{CHUNKING}<static>.static"
RANKING = "tools[]<file_search>.file_search.ranking_options"

#: Every numeric keyword of the spec, and the constant that carries it.
KEYWORD_LIMITS: dict[tuple[str, str], float] = {
    ("name", "maxLength"): limits.NAME_MAX,
    ("description", "maxLength"): limits.DESCRIPTION_MAX,
    ("instructions", "maxLength"): limits.INSTRUCTIONS_MAX,
    ("tools", "maxItems"): limits.TOOLS_MAX,
    ("tools[]<file_search>.file_search.max_num_results", "minimum"): (
        limits.FILE_SEARCH_MAX_NUM_RESULTS_MIN
    ),
    ("tools[]<file_search>.file_search.max_num_results", "maximum"): (
        limits.FILE_SEARCH_MAX_NUM_RESULTS_MAX
    ),
    (f"{RANKING}.score_threshold", "minimum"): limits.SCORE_THRESHOLD_MIN,
    (f"{RANKING}.score_threshold", "maximum"): limits.SCORE_THRESHOLD_MAX,
    ("tool_resources.code_interpreter.file_ids", "maxItems"): limits.CODE_INTERPRETER_FILE_IDS_MAX,
    (f"{FS}.vector_store_ids", "maxItems"): limits.VECTOR_STORE_IDS_MAX,
    (f"{FS}.vector_stores", "maxItems"): limits.VECTOR_STORES_MAX,
    (f"{FS}.vector_stores[].file_ids", "maxItems"): limits.VECTOR_STORE_FILE_IDS_MAX,
    (f"{STATIC}.max_chunk_size_tokens", "minimum"): limits.CHUNK_SIZE_TOKENS_MIN,
    (f"{STATIC}.max_chunk_size_tokens", "maximum"): limits.CHUNK_SIZE_TOKENS_MAX,
    ("temperature", "minimum"): limits.TEMPERATURE_MIN,
    ("temperature", "maximum"): limits.TEMPERATURE_MAX,
    ("top_p", "minimum"): limits.TOP_P_MIN,
    ("top_p", "maximum"): limits.TOP_P_MAX,
}


def test_every_numeric_keyword_of_the_spec_is_a_known_limit(theirs: Walk) -> None:
    assert theirs.numbers == KEYWORD_LIMITS


def test_our_schema_has_every_numeric_keyword_of_the_spec(theirs: Walk, ours: Walk) -> None:
    missing = {
        key: (value, ours.numbers.get(key))
        for key, value in theirs.numbers.items()
        if ours.numbers.get(key) != value
    }
    assert missing == {}


#: Phrases that state a limit in prose. Each match is (path, number as written).
NUMBER = r"`?(\d[\d,]*(?:\.\d+)?)`?"
LIMIT_PHRASES = [
    rf"maximum length (?:is|of) {NUMBER}",
    rf"maximum of {NUMBER}",
    rf"(?:minimum|maximum) value is {NUMBER}",
    rf"between {NUMBER} and {NUMBER}",
    rf"set of {NUMBER} key-value pairs",
    rf"limit is {NUMBER}",
    rf"(?:at most|up to|no more than|at least|fewer than|more than) {NUMBER}",
    r"must not exceed (half)",
]

MD = "metadata"
VS_MD = f"{FS}.vector_stores[].metadata"
#: Every limit the spec states in prose, and the constant that carries it.
DESCRIBED_LIMITS: dict[tuple[str, str], object] = {
    ("name", "256"): limits.NAME_MAX,
    ("description", "512"): limits.DESCRIPTION_MAX,
    ("instructions", "256,000"): limits.INSTRUCTIONS_MAX,
    ("tools", "128"): limits.TOOLS_MAX,
    ("tools[]<function>.function.name", "64"): limits.FUNCTION_NAME_MAX,
    ("tools[]<file_search>.file_search.max_num_results", "1"): (
        limits.FILE_SEARCH_MAX_NUM_RESULTS_MIN
    ),
    ("tools[]<file_search>.file_search.max_num_results", "50"): (
        limits.FILE_SEARCH_MAX_NUM_RESULTS_MAX
    ),
    (f"{RANKING}.score_threshold", "0"): limits.SCORE_THRESHOLD_MIN,
    (f"{RANKING}.score_threshold", "1"): limits.SCORE_THRESHOLD_MAX,
    ("tool_resources.code_interpreter.file_ids", "20"): limits.CODE_INTERPRETER_FILE_IDS_MAX,
    (f"{FS}.vector_store_ids", "1"): limits.VECTOR_STORE_IDS_MAX,
    (f"{FS}.vector_stores", "1"): limits.VECTOR_STORES_MAX,
    # Vector stores made before Nov 2025 hold 10,000 files; the API, not us, knows the age.
    (f"{FS}.vector_stores[].file_ids", "10,000"): None,
    (f"{FS}.vector_stores[].file_ids", "100,000,000"): limits.VECTOR_STORE_FILE_IDS_MAX,
    (f"{STATIC}.max_chunk_size_tokens", "100"): limits.CHUNK_SIZE_TOKENS_MIN,
    (f"{STATIC}.max_chunk_size_tokens", "4096"): limits.CHUNK_SIZE_TOKENS_MAX,
    (f"{STATIC}.chunk_overlap_tokens", "half"): "half",
    (MD, "16"): limits.METADATA_PAIRS_MAX,
    (MD, "64"): limits.METADATA_KEY_MAX,
    (MD, "512"): limits.METADATA_VALUE_MAX,
    (VS_MD, "16"): limits.METADATA_PAIRS_MAX,
    (VS_MD, "64"): limits.METADATA_KEY_MAX,
    (VS_MD, "512"): limits.METADATA_VALUE_MAX,
    ("temperature", "0"): limits.TEMPERATURE_MIN,
    ("temperature", "2"): limits.TEMPERATURE_MAX,
    ("response_format<json_schema>.json_schema.name", "64"): 64,
}


def described_limits(found: Walk) -> set[tuple[str, str]]:
    limits_found = set()
    for path, texts in found.descriptions.items():
        for text in texts:
            flat = " ".join(text.split())
            for phrase in LIMIT_PHRASES:
                for match in re.finditer(phrase, flat, flags=re.IGNORECASE):
                    limits_found.update((path, number) for number in match.groups())
    return limits_found


def test_every_limit_written_in_a_description_is_known(theirs: Walk) -> None:
    found = described_limits(theirs)
    assert found == set(DESCRIBED_LIMITS), (
        f"new in the spec: {sorted(found - set(DESCRIBED_LIMITS))}; "
        f"gone from it: {sorted(set(DESCRIBED_LIMITS) - found)}"
    )


@pytest.mark.parametrize(("key", "constant"), list(DESCRIBED_LIMITS.items()), ids=str)
def test_described_limit_equals_its_constant(key: tuple[str, str], constant: object) -> None:
    written = key[1]
    if constant is None or written == "half":
        return
    assert float(written.replace(",", "")) == constant


def test_the_described_name_limits_are_the_patterns_limits() -> None:
    expected = rf"^[a-zA-Z0-9_-]{{1,{limits.FUNCTION_NAME_MAX}}}$"
    assert expected == limits.FUNCTION_NAME_PATTERN
    assert limits.JSON_SCHEMA_NAME_PATTERN == limits.FUNCTION_NAME_PATTERN


# -- the model enforces every limit --------------------------------------------------------


def tools_with(file_search: dict[str, Any]) -> dict[str, Any]:
    return {"tools": [{"type": "file_search", "file_search": file_search}]}


def vector_store(**helper: Any) -> dict[str, Any]:
    return {"tool_resources": {"file_search": {"vector_stores": [helper]}}}


def static_chunks(size: int, overlap: int) -> dict[str, Any]:
    strategy = {
        "type": "static",
        "static": {"max_chunk_size_tokens": size, "chunk_overlap_tokens": overlap},
    }
    return vector_store(chunking_strategy=strategy)


def json_schema_named(name: str) -> dict[str, Any]:
    return {"response_format": {"type": "json_schema", "json_schema": {"name": name}}}


def function_named(name: str) -> dict[str, Any]:
    return {"tools": [{"type": "function", "function": {"name": name}}]}


@dataclass(frozen=True)
class Boundary:
    """`make(good)` is a valid spec, `make(bad)` is not."""

    make: Callable[[Any], dict[str, Any]]
    good: Any
    bad: Any


BOUNDARIES = {
    "name": Boundary(lambda n: {"name": "n" * n}, limits.NAME_MAX, limits.NAME_MAX + 1),
    "description": Boundary(
        lambda n: {"description": "d" * n}, limits.DESCRIPTION_MAX, limits.DESCRIPTION_MAX + 1
    ),
    "instructions": Boundary(
        lambda n: {"instructions": "i" * n}, limits.INSTRUCTIONS_MAX, limits.INSTRUCTIONS_MAX + 1
    ),
    "tools": Boundary(
        lambda n: {"tools": [{"type": "code_interpreter"}] * n},
        limits.TOOLS_MAX,
        limits.TOOLS_MAX + 1,
    ),
    "function-name": Boundary(
        lambda n: function_named("f" * n), limits.FUNCTION_NAME_MAX, limits.FUNCTION_NAME_MAX + 1
    ),
    "function-name-characters": Boundary(function_named, "get_weather-2", "get weather"),
    "max-num-results-min": Boundary(
        lambda n: tools_with({"max_num_results": n}),
        limits.FILE_SEARCH_MAX_NUM_RESULTS_MIN,
        limits.FILE_SEARCH_MAX_NUM_RESULTS_MIN - 1,
    ),
    "max-num-results-max": Boundary(
        lambda n: tools_with({"max_num_results": n}),
        limits.FILE_SEARCH_MAX_NUM_RESULTS_MAX,
        limits.FILE_SEARCH_MAX_NUM_RESULTS_MAX + 1,
    ),
    "score-threshold-min": Boundary(
        lambda x: tools_with({"ranking_options": {"score_threshold": x}}),
        limits.SCORE_THRESHOLD_MIN,
        limits.SCORE_THRESHOLD_MIN - 0.01,
    ),
    "score-threshold-max": Boundary(
        lambda x: tools_with({"ranking_options": {"score_threshold": x}}),
        limits.SCORE_THRESHOLD_MAX,
        limits.SCORE_THRESHOLD_MAX + 0.01,
    ),
    "ranker": Boundary(
        lambda r: tools_with({"ranking_options": {"ranker": r, "score_threshold": 0.5}}),
        limits.RANKERS[-1],
        "best",
    ),
    "code-interpreter-file-ids": Boundary(
        lambda n: {"tool_resources": {"code_interpreter": {"file_ids": ["f"] * n}}},
        limits.CODE_INTERPRETER_FILE_IDS_MAX,
        limits.CODE_INTERPRETER_FILE_IDS_MAX + 1,
    ),
    "vector-store-ids": Boundary(
        lambda n: {"tool_resources": {"file_search": {"vector_store_ids": ["vs"] * n}}},
        limits.VECTOR_STORE_IDS_MAX,
        limits.VECTOR_STORE_IDS_MAX + 1,
    ),
    "vector-stores": Boundary(
        lambda n: {"tool_resources": {"file_search": {"vector_stores": [{}] * n}}},
        limits.VECTOR_STORES_MAX,
        limits.VECTOR_STORES_MAX + 1,
    ),
    "chunk-size-min": Boundary(
        lambda n: static_chunks(n, 0),
        limits.CHUNK_SIZE_TOKENS_MIN,
        limits.CHUNK_SIZE_TOKENS_MIN - 1,
    ),
    "chunk-size-max": Boundary(
        lambda n: static_chunks(n, 0),
        limits.CHUNK_SIZE_TOKENS_MAX,
        limits.CHUNK_SIZE_TOKENS_MAX + 1,
    ),
    "chunk-overlap-half": Boundary(lambda n: static_chunks(800, n), 400, 401),
    "chunking-type": Boundary(
        lambda t: vector_store(chunking_strategy={"type": t}), "auto", "semantic"
    ),
    "metadata-pairs-for-the-user": Boundary(
        lambda n: {"metadata": {f"k{i}": "v" for i in range(n)}},
        ownership.USER_METADATA_MAX,
        limits.METADATA_PAIRS_MAX,
    ),
    "metadata-key": Boundary(
        lambda n: {"metadata": {"k" * n: "v"}}, limits.METADATA_KEY_MAX, limits.METADATA_KEY_MAX + 1
    ),
    "metadata-value": Boundary(
        lambda n: {"metadata": {"k": "v" * n}},
        limits.METADATA_VALUE_MAX,
        limits.METADATA_VALUE_MAX + 1,
    ),
    "vector-store-metadata-pairs": Boundary(
        lambda n: vector_store(metadata={f"k{i}": "v" for i in range(n)}),
        limits.METADATA_PAIRS_MAX,
        limits.METADATA_PAIRS_MAX + 1,
    ),
    "temperature-min": Boundary(
        lambda x: {"temperature": x}, limits.TEMPERATURE_MIN, limits.TEMPERATURE_MIN - 0.01
    ),
    "temperature-max": Boundary(
        lambda x: {"temperature": x}, limits.TEMPERATURE_MAX, limits.TEMPERATURE_MAX + 0.01
    ),
    "top-p-min": Boundary(lambda x: {"top_p": x}, limits.TOP_P_MIN, limits.TOP_P_MIN - 0.01),
    "top-p-max": Boundary(lambda x: {"top_p": x}, limits.TOP_P_MAX, limits.TOP_P_MAX + 0.01),
    "json-schema-name": Boundary(lambda n: json_schema_named("s" * n), 64, 65),
    "json-schema-name-characters": Boundary(json_schema_named, "ticket_summary", "ticket summary"),
    "response-format-type": Boundary(
        lambda t: {"response_format": {"type": t}}, "json_object", "xml"
    ),
    "response-format-string": Boundary(
        lambda s: {"response_format": s}, limits.RESPONSE_FORMAT_AUTO, "text"
    ),
    "reasoning-effort": Boundary(
        lambda e: {"reasoning_effort": e}, limits.REASONING_EFFORTS[-1], "extreme"
    ),
    "tool-type": Boundary(lambda t: {"tools": [{"type": t}]}, "code_interpreter", "web_search"),
}


@pytest.mark.parametrize("boundary", list(BOUNDARIES.values()), ids=list(BOUNDARIES))
def test_the_model_enforces_the_limit(boundary: Boundary) -> None:
    AssistantSpec.model_validate({"model": "m", **boundary.make(boundary.good)})
    with pytest.raises(ValidationError):
        AssistantSpec.model_validate({"model": "m", **boundary.make(boundary.bad)})


@pytest.mark.parametrize("effort", limits.REASONING_EFFORTS)
def test_every_reasoning_effort_is_accepted(effort: str) -> None:
    AssistantSpec.model_validate({"model": "m", "reasoning_effort": effort})
