"""Broken specs, as a table: each is a file's text and every diagnostic it must produce,
exactly, as `line:col: severity: message`, in the order `validate` prints them.

One case per mistake a user makes, from YAML syntax through every limit of the API to
assistform's own fields. A message here is a promise to the user: if one reads badly or
points at the wrong place, fix the source (`spec/messages.py`, `spec/load.py`), not the table.
"""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from tests.spec.conftest import Repo

#: A spec with one function tool, for cases that add a line to the function.
FUNCTION = "model: x\ntools:\n  - type: function\n    function:\n      name: f\n"


def case(case_id: str, spec: str | bytes, expected: list[str]) -> Any:
    return pytest.param(spec, expected, id=case_id)


CASES = [
    case(
        "syntax-unclosed-bracket",
        "model: x\nname: [a, b\n",
        [
            "2:7: error: invalid YAML: '[' starting here is never closed",
        ],
    ),
    case(
        "syntax-unclosed-quote",
        'model: x\nname: "abc\n',
        [
            "2:7: error: invalid YAML: quoted string starting here is never closed",
        ],
    ),
    case(
        "syntax-colon-in-plain-value",
        "model: x\ndescription: Note: this breaks\n",
        [
            "2:18: error: invalid YAML: unexpected ':' here (quote a value that contains ': ', or check the indentation)",
        ],
    ),
    case(
        "syntax-bad-indentation",
        "model: x\ntools:\n  - type: function\n function: {}\n",
        [
            "4:2: error: invalid YAML: unexpected content here: check the indentation of this line",
        ],
    ),
    case(
        "syntax-over-indented-key",
        "model: x\n  name: y\n",
        [
            "2:7: error: invalid YAML: unexpected ':' here (quote a value that contains ': ', or check the indentation)",
        ],
    ),
    case(
        "tab-indentation",
        "model: x\ntools:\n\t- type: code_interpreter\n",
        [
            "3:1: error: tab character: YAML indentation must use spaces",
        ],
    ),
    case(
        "duplicate-key",
        "model: a\nname: x\nmodel: b\n",
        [
            "3:1: error: duplicate key 'model' (first defined on line 1)",
        ],
    ),
    case(
        "duplicate-nested-key-and-more",
        ("model: a\ntools:\n  - type: function\n    type: code_interpreter\ntemperature: 3\n"),
        [
            "3:5: error: tools[0] is missing required field 'function'",
            "4:5: error: duplicate key 'type' (first defined on line 3)",
            "5:14: error: temperature must be at most 2, not 3",
        ],
    ),
    case(
        "not-utf8",
        b"model: x\nname: caf\xe9\n",
        [
            "2:10: error: file is not valid UTF-8 (byte 0xe9); save it as UTF-8",
        ],
    ),
    case(
        "not-utf8-column-counts-characters",
        b"model: x\nname: h\xc3\xa9llo w\xc3\xb6rld \xff\n",
        [
            "2:19: error: file is not valid UTF-8 (byte 0xff); save it as UTF-8",
        ],
    ),
    case(
        "empty-file",
        "",
        [
            "1:1: error: empty spec: expected a mapping with at least 'model'",
        ],
    ),
    case(
        "only-comments",
        "# nothing here\n\n",
        [
            "1:1: error: empty spec: expected a mapping with at least 'model'",
        ],
    ),
    case(
        "root-is-a-list",
        "- model: x\n",
        [
            "1:1: error: a spec must be a mapping of fields, not a list",
        ],
    ),
    case(
        "root-is-a-string",
        "gpt-4o\n",
        [
            "1:1: error: a spec must be a mapping of fields, not a string",
        ],
    ),
    case(
        "two-documents",
        "model: a\n---\nmodel: b\n",
        [
            "2:1: error: more than one YAML document: a spec file holds exactly one assistant",
        ],
    ),
    case(
        "recursive-alias",
        "model: x\ntools: &t [*t]\n",
        [
            "2:8: error: alias refers to its own anchor: the value would be infinite",
        ],
    ),
    case(
        "undefined-alias",
        "model: *m\n",
        [
            "1:8: error: invalid YAML: alias '*m' refers to no anchor: define '&m' before it",
        ],
    ),
    case(
        "unsupported-tag",
        "model: !!binary Z3B0\n",
        [
            "1:8: error: unsupported YAML tag '!!binary'",
        ],
    ),
    case(
        "invalid-explicit-int",
        "model: x\ntemperature: !!int abc\n",
        [
            "2:14: error: 'abc' is not a valid integer",
        ],
    ),
    case(
        "empty-value",
        "model:\nname: x\n",
        [
            "1:1: error: model is empty; it must be a string",
        ],
    ),
    case(
        "name-integer",
        "model: x\nname: 5\n",
        [
            "2:7: error: name must be a string, not the integer 5: put it in quotes",
        ],
    ),
    case(
        "name-boolean",
        "model: x\nname: true\n",
        [
            "2:7: error: name must be a string, not the boolean true: put it in quotes",
        ],
    ),
    case(
        "model-missing",
        "# yaml-language-server: $schema=../schema/assistant.schema.json\nname: x\n",
        [
            "2:1: error: missing required field 'model'",
        ],
    ),
    case(
        "model-empty-string",
        'model: ""\n',
        [
            "1:8: error: model must not be empty",
        ],
    ),
    case(
        "temperature-quoted",
        'model: x\ntemperature: "0.5"\n',
        [
            "2:14: error: temperature must be a number, not the string '0.5': remove the quotes",
        ],
    ),
    case(
        "temperature-nan",
        "model: x\ntemperature: .nan\n",
        [
            "2:14: error: temperature must be a finite number, not .nan",
        ],
    ),
    case(
        "tools-not-a-list",
        "model: x\ntools: code_interpreter\n",
        [
            "2:8: error: tools must be a list, not the string 'code_interpreter'",
        ],
    ),
    case(
        "tool-not-a-mapping",
        "model: x\ntools:\n  - code_interpreter\n",
        [
            "3:5: error: tools[0] must be a mapping, not the string 'code_interpreter'",
        ],
    ),
    case(
        "tool-without-type",
        "model: x\ntools:\n  - function: {name: f}\n",
        [
            "3:5: error: tools[0] needs a 'type': 'code_interpreter', 'file_search' or 'function'",
        ],
    ),
    case(
        "tool-type-typo",
        "model: x\ntools:\n  - type: file-search\n",
        [
            "3:5: error: tools[0].type must be 'code_interpreter', 'file_search' or 'function', not 'file-search' (did you mean 'file_search'?)",
        ],
    ),
    case(
        "tool-type-retrieval-renamed",
        "model: x\ntools:\n  - type: retrieval\n",
        [
            "3:5: error: tools[0].type must be 'code_interpreter', 'file_search' or 'function', not 'retrieval' ('retrieval' is now 'file_search')",
        ],
    ),
    case(
        "function-missing",
        "model: x\ntools:\n  - type: function\n",
        [
            "3:5: error: tools[0] is missing required field 'function'",
        ],
    ),
    case(
        "function-name-space",
        "model: x\ntools:\n  - type: function\n    function:\n      name: get weather\n",
        [
            "5:13: error: tools[0].function.name 'get weather' may only use letters, digits, '_' and '-', not ' '",
        ],
    ),
    case(
        "function-name-65-chars",
        (
            "model: x\n"
            "tools:\n"
            "  - type: function\n"
            "    function:\n"
            "      name: fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff\n"
        ),
        [
            "5:13: error: tools[0].function.name is 65 characters long; the limit is 64",
        ],
    ),
    case(
        "function-parameters-not-a-mapping",
        FUNCTION + "      parameters: [a]\n",
        [
            "6:7: error: tools[0].function.parameters must be a mapping, not a list",
        ],
    ),
    case(
        "function-strict-quoted",
        FUNCTION + "      strict: 'true'\n",
        [
            "6:15: error: tools[0].function.strict must be true or false, not the string 'true': remove the quotes",
        ],
    ),
    case(
        "function-field-typo",
        FUNCTION + "      paramters: {}\n",
        [
            "6:7: error: unknown field 'paramters' in tools[0].function (did you mean 'parameters'?)",
        ],
    ),
    case(
        "max-num-results-0",
        ("model: x\ntools:\n  - type: file_search\n    file_search:\n      max_num_results: 0\n"),
        [
            "5:24: error: tools[0].file_search.max_num_results must be at least 1, not 0",
        ],
    ),
    case(
        "max-num-results-51",
        ("model: x\ntools:\n  - type: file_search\n    file_search: {max_num_results: 51}\n"),
        [
            "4:36: error: tools[0].file_search.max_num_results must be at most 50, not 51",
        ],
    ),
    case(
        "max-num-results-float",
        ("model: x\ntools:\n  - type: file_search\n    file_search: {max_num_results: 2.5}\n"),
        [
            "4:36: error: tools[0].file_search.max_num_results must be an integer, not the number 2.5",
        ],
    ),
    case(
        "ranker-unknown",
        (
            "model: x\n"
            "tools:\n"
            "  - type: file_search\n"
            "    file_search:\n"
            "      ranking_options:\n"
            "        ranker: best\n"
            "        score_threshold: 0.5\n"
        ),
        [
            "6:17: error: tools[0].file_search.ranking_options.ranker must be 'auto' or 'default_2024_08_21', not 'best'",
        ],
    ),
    case(
        "score-threshold-missing",
        (
            "model: x\n"
            "tools:\n"
            "  - type: file_search\n"
            "    file_search:\n"
            "      ranking_options:\n"
            "        ranker: auto\n"
        ),
        [
            "5:7: error: tools[0].file_search.ranking_options is missing required field 'score_threshold'",
        ],
    ),
    case(
        "score-threshold-above-1",
        (
            "model: x\n"
            "tools:\n"
            "  - type: file_search\n"
            "    file_search:\n"
            "      ranking_options: {score_threshold: 1.5}\n"
        ),
        [
            "5:42: error: tools[0].file_search.ranking_options.score_threshold must be at most 1, not 1.5",
        ],
    ),
    case(
        "tools-129",
        "model: x\ntools:\n" + "  - type: code_interpreter\n" * 129,
        [
            "2:1: error: tools has 129 items; at most 128 allowed",
        ],
    ),
    case(
        "code-interpreter-21-files",
        "model: x\ntools: [{type: code_interpreter}]\ntool_resources:\n  code_interpreter:\n    file_ids: ["
        + ", ".join(f"file-{i}" for i in range(21))
        + "]\n",
        [
            "5:5: error: tool_resources.code_interpreter.file_ids has 21 items; at most 20 allowed",
        ],
    ),
    case(
        "file-search-both-sources",
        (
            "model: x\n"
            "tools: [{type: file_search}]\n"
            "tool_resources:\n"
            "  file_search:\n"
            "    vector_store_ids: [vs_1]\n"
            "    vector_stores: [{file_ids: [f]}]\n"
        ),
        [
            "6:5: error: tool_resources.file_search takes one of vector_store_ids, vector_stores and vector_store, not several",
        ],
    ),
    case(
        "file-search-no-source",
        "model: x\ntools: [{type: file_search}]\ntool_resources:\n  file_search: {}\n",
        [
            "4:3: error: tool_resources.file_search needs vector_store_ids, vector_stores or vector_store",
        ],
    ),
    case(
        "vector-store-ids-2",
        (
            "model: x\n"
            "tools: [{type: file_search}]\n"
            "tool_resources:\n"
            "  file_search:\n"
            "    vector_store_ids: [vs_1, vs_2]\n"
        ),
        [
            "5:5: error: tool_resources.file_search.vector_store_ids has 2 items; at most 1 allowed",
        ],
    ),
    case(
        "vector-stores-2",
        (
            "model: x\n"
            "tools: [{type: file_search}]\n"
            "tool_resources:\n"
            "  file_search:\n"
            "    vector_stores:\n"
            "      - file_ids: [a]\n"
            "      - file_ids: [b]\n"
        ),
        [
            "5:5: error: tool_resources.file_search.vector_stores has 2 items; at most 1 allowed",
        ],
    ),
    case(
        "chunk-overlap-above-half",
        (
            "model: x\n"
            "tools: [{type: file_search}]\n"
            "tool_resources:\n"
            "  file_search:\n"
            "    vector_stores:\n"
            "      - chunking_strategy:\n"
            "          type: static\n"
            "          static: {max_chunk_size_tokens: 400, chunk_overlap_tokens: 300}\n"
        ),
        [
            "8:70: error: chunk_overlap_tokens (300) must not exceed half of max_chunk_size_tokens (400)",
        ],
    ),
    case(
        "chunk-size-99",
        (
            "model: x\n"
            "tools: [{type: file_search}]\n"
            "tool_resources:\n"
            "  file_search:\n"
            "    vector_stores:\n"
            "      - chunking_strategy:\n"
            "          type: static\n"
            "          static:\n"
            "            max_chunk_size_tokens: 99\n"
            "            chunk_overlap_tokens: 0\n"
        ),
        [
            "9:36: error: tool_resources.file_search.vector_stores[0].chunking_strategy.static.max_chunk_size_tokens must be at least 100, not 99",
        ],
    ),
    case(
        "chunking-type-unknown",
        (
            "model: x\n"
            "tools: [{type: file_search}]\n"
            "tool_resources:\n"
            "  file_search:\n"
            "    vector_stores:\n"
            "      - chunking_strategy: {type: dynamic}\n"
        ),
        [
            "6:29: error: tool_resources.file_search.vector_stores[0].chunking_strategy.type must be 'auto' or 'static', not 'dynamic'",
        ],
    ),
    case(
        "metadata-16-pairs",
        "model: x\nmetadata:\n" + "".join(f"  k{i}: v\n" for i in range(16)),
        [
            "2:1: error: metadata has 16 pairs; at most 15 allowed (the API allows 16 and assistform's ownership tag 'assistform' takes one)",
        ],
    ),
    case(
        "metadata-reserved-key",
        "model: x\nmetadata:\n  team: a\n  assistform: mine\n",
        [
            "4:3: error: metadata key 'assistform' is reserved for assistform's ownership tag",
        ],
    ),
    case(
        "metadata-version-tag-reserved",
        "model: x\nmetadata:\n  assistform-version: '3'\n",
        [
            "3:3: error: metadata key 'assistform-version' is reserved for assistform's blue-green version tag",
        ],
    ),
    case(
        "metadata-15-pairs-under-blue-green",
        "model: x\nlifecycle:\n  strategy: blue-green\nmetadata:\n"
        + "".join(f"  k{i}: v\n" for i in range(15)),
        [
            "4:1: error: metadata has 15 pairs; at most 14 allowed with lifecycle.strategy blue-green (the API allows 16: the ownership tag and the version tag take two)",
        ],
    ),
    case(
        "lifecycle-unknown-strategy",
        "model: x\nlifecycle:\n  strategy: canary\n",
        [
            "3:13: error: lifecycle.strategy must be 'in-place' or 'blue-green', not 'canary'",
        ],
    ),
    case(
        "lifecycle-keep-no-version",
        "model: x\nlifecycle:\n  strategy: blue-green\n  keep_versions: 0\n",
        [
            "4:18: error: lifecycle.keep_versions must be at least 1, not 0",
        ],
    ),
    case(
        "metadata-key-65-chars",
        "model: x\nmetadata:\n  " + "k" * 65 + ": v\n",
        [
            "3:3: error: metadata key 'kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk... is 65 characters long; the limit is 64",
        ],
    ),
    case(
        "metadata-value-513-chars",
        "model: x\nmetadata:\n  k: " + "v" * 513 + "\n",
        [
            "3:6: error: metadata.k is 513 characters long; the limit is 512",
        ],
    ),
    case(
        "metadata-value-integer",
        "model: x\nmetadata:\n  version: 2\n",
        [
            "3:12: error: metadata.version must be a string, not the integer 2: put it in quotes",
        ],
    ),
    case(
        "metadata-not-a-mapping",
        "model: x\nmetadata: [a, b]\n",
        [
            "2:1: error: metadata must be a mapping, not a list",
        ],
    ),
    case(
        "temperature-above-2",
        "model: x\ntemperature: 2.5\n",
        [
            "2:14: error: temperature must be at most 2, not 2.5",
        ],
    ),
    case(
        "temperature-negative",
        "model: x\ntemperature: -0.1\n",
        [
            "2:14: error: temperature must be at least 0, not -0.1",
        ],
    ),
    case(
        "top-p-above-1",
        "model: x\ntop_p: 1.5\n",
        [
            "2:8: error: top_p must be at most 1, not 1.5",
        ],
    ),
    case(
        "response-format-unknown-string",
        "model: x\nresponse_format: json\n",
        [
            "2:18: error: response_format must be 'auto' or a mapping with a type of 'text', 'json_object' or 'json_schema', not 'json'",
        ],
    ),
    case(
        "response-format-type-typo",
        "model: x\nresponse_format:\n  type: jsonschema\n",
        [
            "3:3: error: response_format.type must be 'text', 'json_object' or 'json_schema', not 'jsonschema' (did you mean 'json_schema'?)",
        ],
    ),
    case(
        "response-format-auto-as-mapping",
        "model: x\nresponse_format: {type: auto}\n",
        [
            "2:25: error: write 'response_format: auto' as a plain string; a mapping's type is 'text', 'json_object' or 'json_schema'",
        ],
    ),
    case(
        "response-format-without-type",
        "model: x\nresponse_format: {json_schema: {name: a}}\n",
        [
            "2:1: error: response_format needs a 'type': 'text', 'json_object' or 'json_schema'",
        ],
    ),
    case(
        "json-schema-missing",
        "model: x\nresponse_format:\n  type: json_schema\n",
        [
            "2:1: error: response_format is missing required field 'json_schema'",
        ],
    ),
    case(
        "json-schema-name-missing",
        (
            "model: x\n"
            "response_format:\n"
            "  type: json_schema\n"
            "  json_schema:\n"
            "    schema: {type: object}\n"
        ),
        [
            "4:3: error: response_format.json_schema is missing required field 'name'",
        ],
    ),
    case(
        "json-schema-name-space",
        ("model: x\nresponse_format:\n  type: json_schema\n  json_schema:\n    name: my schema\n"),
        [
            "5:11: error: response_format.json_schema.name 'my schema' may only use letters, digits, '_' and '-', not ' '",
        ],
    ),
    case(
        "json-schema-field-typo",
        (
            "model: x\n"
            "response_format:\n"
            "  type: json_schema\n"
            "  json_schema:\n"
            "    name: s\n"
            "    shema: {type: object}\n"
        ),
        [
            "6:5: error: unknown field 'shema' in response_format.json_schema (did you mean 'schema'?)",
        ],
    ),
    case(
        "json-schema-strict-integer",
        ("model: x\nresponse_format:\n  type: json_schema\n  json_schema: {name: s, strict: 1}\n"),
        [
            "4:34: error: response_format.json_schema.strict must be true or false, not the integer 1",
        ],
    ),
    case(
        "json-schema-description-not-a-string",
        "model: x\nresponse_format:\n  type: json_schema\n  json_schema:\n    name: s\n    description: [a]\n",
        [
            "6:5: error: response_format.json_schema.description must be a string, not a list",
        ],
    ),
    case(
        "function-description-not-a-string",
        FUNCTION + "      description: 42\n",
        [
            "6:20: error: tools[0].function.description must be a string, not the integer 42: put it in quotes",
        ],
    ),
    case(
        "json-schema-schema-not-a-mapping",
        (
            "model: x\n"
            "response_format:\n"
            "  type: json_schema\n"
            "  json_schema: {name: s, schema: [a]}\n"
        ),
        [
            "4:26: error: response_format.json_schema.schema must be a mapping, not a list",
        ],
    ),
    case(
        "reasoning-effort-typo",
        "model: o3\nreasoning_effort: hgih\n",
        [
            "2:19: error: reasoning_effort must be 'none', 'minimal', 'low', 'medium', 'high', 'xhigh' or 'max', not 'hgih' (did you mean 'high'?)",
        ],
    ),
    case(
        "name-257-chars",
        "model: x\nname: " + "n" * 257 + "\n",
        [
            "2:7: error: name is 257 characters long; the limit is 256",
        ],
    ),
    case(
        "description-513-chars",
        "model: x\ndescription: " + "d" * 513 + "\n",
        [
            "2:14: error: description is 513 characters long; the limit is 512",
        ],
    ),
    case(
        "instructions-256001-chars",
        "model: x\ninstructions: " + "i" * 256_001 + "\n",
        [
            "2:15: error: instructions is 256,001 characters long; the limit is 256,000",
        ],
    ),
    case(
        "unknown-field-typo",
        "model: x\ntemprature: 0.5\n",
        [
            "2:1: error: unknown field 'temprature' (did you mean 'temperature'?)",
        ],
    ),
    case(
        "unknown-field",
        "model: x\ncolour: red\n",
        [
            "2:1: error: unknown field 'colour'",
        ],
    ),
    case(
        "lifecycle-field-name-typo",
        "model: x\nlifecycle:\n  ignore_changes: [modle, tools]\n",
        [
            "3:20: error: lifecycle.ignore_changes[0] must be 'model', 'name', 'description', 'instructions', 'reasoning_effort', 'tools', 'tool_resources', 'metadata', 'temperature', 'top_p' or 'response_format', not 'modle' (did you mean 'model'?)",
        ],
    ),
    case(
        "lifecycle-option-typo",
        "model: x\nlifecycle:\n  prevent_destory: true\n",
        [
            "3:3: error: unknown field 'prevent_destory' in lifecycle (did you mean 'prevent_destroy'?)",
        ],
    ),
    case(
        "lifecycle-yes-is-a-string",
        "model: x\nlifecycle:\n  prevent_destroy: yes\n",
        [
            "3:20: error: lifecycle.prevent_destroy must be true or false, not the string 'yes' (YAML 1.2 reads yes/no/on/off as strings)",
        ],
    ),
    case(
        "lifecycle-not-a-mapping",
        "model: x\nlifecycle: [prevent_destroy]\n",
        [
            "2:1: error: lifecycle must be a mapping, not a list",
        ],
    ),
    case(
        "instructions-and-instructions-file",
        "model: x\ninstructions: Hi\ninstructions_file: prompt.md\n",
        [
            "3:20: error: give either instructions or instructions_file, not both",
        ],
    ),
    case(
        "instructions-file-missing",
        "model: x\ninstructions_file: prompts/none.md\n",
        [
            "2:20: error: instructions_file 'prompts/none.md' not found (assistants/prompts/none.md)",
        ],
    ),
    case(
        "instructions-file-outside-repository",
        "model: x\ninstructions_file: ../../secret.md\n",
        [
            "2:20: error: instructions_file '../../secret.md' is outside the repository",
        ],
    ),
    case(
        "instructions-file-absolute",
        "model: x\ninstructions_file: /etc/hostname\n",
        [
            "2:20: error: instructions_file '/etc/hostname' is outside the repository",
        ],
    ),
    case(
        "merge-key-error-at-anchor",
        (
            "model: x\n"
            "tools:\n"
            "  - &fn\n"
            "    type: function\n"
            "    function: {name: f, strict: 1}\n"
            "  - <<: *fn\n"
            "    function: {name: g}\n"
        ),
        [
            "5:33: error: tools[0].function.strict must be true or false, not the integer 1",
        ],
    ),
    case(
        "many-mistakes-in-one-run",
        (
            "model: x\n"
            "name: 5\n"
            "temprature: 1\n"
            "tools:\n"
            "  - type: function\n"
            "    function: {name: a b}\n"
            "top_p: 3\n"
        ),
        [
            "2:7: error: name must be a string, not the integer 5: put it in quotes",
            "3:1: error: unknown field 'temprature' (did you mean 'temperature'?)",
            "6:22: error: tools[0].function.name 'a b' may only use letters, digits, '_' and '-', not ' '",
            "7:8: error: top_p must be at most 1, not 3",
        ],
    ),
    case(
        "warning-resources-without-tools",
        (
            "model: x\n"
            "tools: [{type: function, function: {name: f}}]\n"
            "tool_resources:\n"
            "  code_interpreter:\n"
            "    file_ids: [file-1]\n"
            "  file_search:\n"
            "    vector_store_ids: [vs_1]\n"
        ),
        [
            "4:3: warning: tool_resources.code_interpreter is set but the assistant has no code_interpreter tool: add the tool or remove the resources",
            "6:3: warning: tool_resources.file_search is set but the assistant has no file_search tool: add the tool or remove the resources",
        ],
    ),
    case(
        "warning-json-object-without-json",
        ("model: x\ninstructions: Answer briefly.\nresponse_format:\n  type: json_object\n"),
        [
            "4:9: warning: response_format json_object needs the word JSON in the instructions, or the model may emit whitespace until it runs out of tokens",
        ],
    ),
    case(
        "warning-temperature-and-top-p",
        "model: x\ntemperature: 0.7\ntop_p: 0.9\n",
        [
            "3:8: warning: both temperature and top_p are set; OpenAI recommends changing only one",
        ],
    ),
]


@pytest.mark.parametrize(("spec", "expected"), CASES)
def test_broken_spec_reports_every_mistake_at_its_place(
    repo: Repo, reader: str, spec: str | bytes, expected: list[str]
) -> None:
    assert repo.check(spec) == expected


@pytest.mark.parametrize(("spec", "expected"), CASES)
def test_a_spec_with_an_error_is_not_loaded_and_one_with_warnings_is(
    repo: Repo, spec: str | bytes, expected: list[str]
) -> None:
    repo.write("spec.yaml", spec)
    result = repo.load()
    has_errors = any(": error: " in line for line in expected)
    assert [s.key for s in result.specs] == ([] if has_errors else ["spec"])


def test_alias_bomb_fails_fast_with_a_clear_error(repo: Repo, reader: str) -> None:
    # Nine levels of nine aliases: 9**9 (387 million) values if expanded.
    lines = ['lol: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 10):
        refs = ", ".join([f"*l{level - 1}"] * 9)
        lines.append(f"l{level}: &l{level} [{refs}]")
    started = time.perf_counter()
    found = repo.check("model: x\n" + "\n".join(lines) + "\n")
    elapsed = time.perf_counter() - started
    assert found == [
        "7:1: error: 'l5' expands to 597,871 values through nested aliases; "
        "a spec may hold at most 100,000"
    ]
    assert elapsed < 0.5


def test_bomb_of_nested_mappings_fails_fast_too(repo: Repo, reader: str) -> None:
    # a<n> holds three a<n-1>: 3**30 values for a29.
    lines = ["a0: &a0 {x: 1, y: 2, z: 3}"]
    for level in range(1, 30):
        prev = f"*a{level - 1}"
        lines.append(f"a{level}: &a{level} {{p: {prev}, q: {prev}, r: {prev}}}")
    started = time.perf_counter()
    found = repo.check("model: x\n" + "\n".join(lines) + "\n")
    assert time.perf_counter() - started < 0.5
    assert found == [
        "11:1: error: 'a9' expands to 88,573 values through nested aliases; "
        "a spec may hold at most 100,000"
    ]


def test_deep_nesting_is_refused_with_a_position_not_a_crash(repo: Repo, reader: str) -> None:
    found = repo.check("model: x\nname: " + "[" * 300 + "]" * 300 + "\n")
    assert found == ["2:70: error: value is nested too deeply: a spec may have at most 64 levels"]


def test_one_key_in_two_files_names_both(repo: Repo) -> None:
    repo.write("a.yaml", "model: x\n")
    repo.write("a.yml", "model: y\n")
    repo.write("b.yaml", "model: z\n")
    assert repo.lines() == [
        "assistants/a.yaml:1:1: error: key 'a' is defined twice: "
        "assistants/a.yaml and assistants/a.yml; keep one of them"
    ]


def test_key_clash_is_found_when_only_one_of_the_files_is_checked(repo: Repo) -> None:
    repo.write("hr/a.yaml", "model: x\n")
    only = repo.write("hr/a.yml", "model: y\n")
    assert repo.lines([only]) == [
        "assistants/hr/a.yaml:1:1: error: key 'hr/a' is defined twice: "
        "assistants/hr/a.yaml and assistants/hr/a.yml; keep one of them"
    ]


def test_file_name_that_cannot_be_a_key(repo: Repo) -> None:
    repo.write("my helper.yaml", "model: x\n")
    assert repo.lines() == [
        "assistants/my helper.yaml:1:1: error: key 'my helper' (from the file name) may only "
        "use letters, digits, '_', '.', '-' and '/'"
    ]


def test_instructions_file_through_a_symlink_out_of_the_repository(
    repo: Repo, tmp_path_factory: pytest.TempPathFactory
) -> None:
    outside = tmp_path_factory.mktemp("elsewhere") / "secret.md"
    outside.write_text("Be helpful.\n")
    link = repo.write("prompts/.keep", "")
    os.symlink(outside, link.parent / "secret.md")
    found = repo.check("model: x\ninstructions_file: prompts/secret.md\n")
    assert found == ["2:20: error: instructions_file 'prompts/secret.md' is outside the repository"]


def test_instructions_file_that_is_not_utf8_is_reported_in_that_file(repo: Repo) -> None:
    repo.write("prompts/p.md", b"Be \xff helpful.\n")
    repo.write("spec.yaml", "model: x\ninstructions_file: prompts/p.md\n")
    assert repo.lines() == [
        "assistants/prompts/p.md:1:4: error: file is not valid UTF-8 (byte 0xff); save it as UTF-8"
    ]


def test_instructions_file_over_the_limit(repo: Repo) -> None:
    repo.write("/prompts/long.md", "x" * 256_001)
    found = repo.check("model: x\ninstructions_file: ../prompts/long.md\n")
    assert found == [
        "2:20: error: instructions_file '../prompts/long.md' is 256,001 characters long; "
        "the limit is 256,000"
    ]


def test_instructions_file_that_is_a_folder(repo: Repo) -> None:
    repo.write("prompts/.keep", "")
    found = repo.check("model: x\ninstructions_file: prompts\n")
    assert found == ["2:20: error: instructions_file 'prompts' is not a file"]


def test_mistakes_of_several_files_come_sorted_by_file_then_line(repo: Repo) -> None:
    repo.write("b.yaml", "model: x\ntop_p: 2\nname: 1\n")
    repo.write("a.yaml", "temperature: 9\n")
    repo.write("c/d.yaml", "model: x\n")
    assert repo.lines() == [
        "assistants/a.yaml:1:1: error: missing required field 'model'",
        "assistants/a.yaml:1:14: error: temperature must be at most 2, not 9",
        "assistants/b.yaml:2:8: error: top_p must be at most 1, not 2",
        "assistants/b.yaml:3:7: error: name must be a string, not the integer 1: put it in quotes",
    ]


def test_a_chain_of_aliases_nesting_deeper_than_the_limit(repo: Repo, reader: str) -> None:
    lines = ["a0: &a0 [1]"] + [f"a{i}: &a{i} [*a{i - 1}]" for i in range(1, 200)]
    found = repo.check("model: x\n" + "\n".join(lines) + "\n")
    assert found == ["63:6: error: value is nested too deeply: a spec may have at most 64 levels"]


def test_flow_nesting_too_deep_for_any_stack(repo: Repo) -> None:
    # libyaml would recurse in C until the stack overflows: such a text never goes to it.
    found = repo.check("model: " + "[" * 200_000 + "]" * 200_000 + "\n")
    assert found == ["1:71: error: value is nested too deeply: a spec may have at most 64 levels"]
