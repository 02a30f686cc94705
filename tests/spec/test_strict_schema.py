"""What the service would refuse in a spec's JSON Schemas, as a table: one case per rule of
`spec/strict.py`, each with every diagnostic it must produce, exactly, as
`line:col: severity: message`. Then schemas that keep every rule and must pass.

The cases of invalid JSON Schema are also held up against `jsonschema`'s check of draft
2020-12's meta-schema, so that what `validate` calls invalid, the standard does too.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from assistform.doctor.probe import full_body
from assistform.spec import strict
from assistform.spec.load import load_every_environment, load_specs
from assistform.spec.yamlsource import parse_yaml

if TYPE_CHECKING:
    from tests.spec.conftest import Repo

HEAD = "model: x\ntools:\n  - type: function\n    function:\n      name: f\n"


def function(schema: str, *, strict: bool = False) -> str:
    """A spec with one function whose parameters are `schema`: the key `parameters` is on
    line 6 (line 7 when strict), the schema starts on the next line, column 9."""
    flag = "      strict: true\n" if strict else ""
    return HEAD + flag + "      parameters:\n" + textwrap.indent(textwrap.dedent(schema), " " * 8)


def response_format(schema: str) -> str:
    """A spec with a strict json_schema response format: the key `schema` is on line 7."""
    return (
        "model: x\nresponse_format:\n  type: json_schema\n  json_schema:\n    name: reply\n"
        "    strict: true\n    schema:\n" + textwrap.indent(textwrap.dedent(schema), " " * 6)
    )


#: The smallest strict object, to build on.
OBJECT = """\
type: object
properties:
  name: {type: string}
required: [name]
additionalProperties: false
"""


def case(case_id: str, spec: str, expected: list[str]) -> Any:
    return pytest.param(spec, expected, id=case_id)


#: Not valid JSON Schema, strict or not: the standard's meta-schema refuses each.
INVALID = [
    case(
        "type-misspelt",
        function("type: object\nproperties:\n  name: {type: strin}\n"),
        ["9:24: error: 'strin' is not a JSON Schema type (did you mean 'string'?)"],
    ),
    case(
        "type-unknown-without-a-close-match",
        function("type: object\nproperties:\n  when: {type: date}\n"),
        [
            "9:24: error: 'date' is not a JSON Schema type: use 'string', 'number', 'integer', "
            "'boolean', 'object', 'array' or 'null'"
        ],
    ),
    case(
        "type-misspelt-in-a-list",
        function('type: object\nproperties:\n  unit: {type: [string, "nul"]}\n'),
        ["9:33: error: 'nul' is not a JSON Schema type (did you mean 'null'?)"],
    ),
    case(
        "type-listed-twice",
        function("type: [string, string]\n"),
        ["7:24: error: type lists 'string' twice"],
    ),
    case(
        "type-not-a-name",
        function("type: 3\n"),
        ["7:15: error: type must be a type name or a list of them, not 3"],
    ),
    case(
        "properties-not-a-mapping",
        function("type: object\nproperties: [name, age]\n"),
        ["8:21: error: properties must be a mapping of names to schemas, not a list"],
    ),
    case(
        "property-schema-written-as-its-type",
        function("type: object\nproperties:\n  name: string\n"),
        [
            "9:17: error: properties.name must be a schema (a mapping), not the string "
            "'string' (did you mean {type: string}?)"
        ],
    ),
    case(
        "required-not-a-list",
        function("type: object\nproperties:\n  name: {type: string}\nrequired: name\n"),
        ["10:19: error: required must be a list of property names, not the string 'name'"],
    ),
    case(
        "required-lists-a-number",
        function("type: object\nproperties:\n  name: {type: string}\nrequired: [name, 1]\n"),
        ["10:26: error: required must list property names (strings), not 1"],
    ),
    case(
        "required-lists-a-name-twice",
        function("type: object\nproperties:\n  name: {type: string}\nrequired: [name, name]\n"),
        ["10:26: error: required lists 'name' twice"],
    ),
    case(
        "items-not-a-schema",
        function("type: array\nitems: [string]\n"),
        ["8:16: error: parameters.items must be a schema (a mapping), not a list"],
    ),
    case(
        "any-of-empty",
        function("anyOf: []\n"),
        ["7:16: error: anyOf must be a non-empty list of schemas, not a list"],
    ),
    case(
        "enum-not-a-list",
        function("type: string\nenum: low\n"),
        ["8:15: error: enum must be a list of values, not the string 'low'"],
    ),
    case(
        "minimum-quoted",
        function("type: number\nminimum: '0'\n"),
        ["8:18: error: minimum must be a number, not the string '0'"],
    ),
    case(
        "multiple-of-zero",
        function("type: number\nmultipleOf: 0\n"),
        ["8:21: error: multipleOf must be a number greater than 0, not 0"],
    ),
    case(
        "min-length-infinite",
        function("type: string\nminLength: .inf\n"),
        ["8:20: error: minLength must be a whole number, 0 or more, not inf"],
    ),
    case(
        "max-items-not-a-number",
        function("type: array\nmaxItems: .nan\n"),
        ["8:19: error: maxItems must be a whole number, 0 or more, not nan"],
    ),
    case(
        "max-items-negative",
        function("type: array\nmaxItems: -1\n"),
        ["8:19: error: maxItems must be a whole number, 0 or more, not -1"],
    ),
    case(
        "description-not-a-string",
        function("type: object\ndescription: [a]\n"),
        ["8:22: error: description must be a string, not a list"],
    ),
    case(
        "unique-items-not-a-boolean",
        function("type: array\nuniqueItems: 'yes'\n"),
        ["8:22: error: uniqueItems must be true or false, not the string 'yes'"],
    ),
    case(
        "defs-not-a-mapping",
        function("type: object\n$defs: [a]\n"),
        ["8:16: error: $defs must be a mapping of names to schemas, not a list"],
    ),
]

#: Valid JSON Schema, but a reference that points at nothing: the service cannot resolve it.
DANGLING = [
    case(
        "ref-to-a-missing-definition",
        function(
            "type: object\nproperties:\n  home: {$ref: '#/$defs/Adress'}\n"
            "$defs:\n  Address: {type: string}\n"
        ),
        [
            "9:24: error: $ref '#/$defs/Adress' points to nothing in this schema "
            "(did you mean '#/$defs/Address'?)"
        ],
    ),
]

#: Valid JSON Schema that strict mode (Structured Outputs) refuses.
STRICT = [
    case(
        "strict-property-not-required",
        function(
            "type: object\nproperties:\n  name: {type: string}\n  age: {type: integer}\n"
            "required: [name]\nadditionalProperties: false\n",
            strict=True,
        ),
        ["11:11: error: strict mode: every property must be in required; 'age' is not"],
    ),
    case(
        "strict-no-required-at-all",
        function(
            "type: object\nproperties:\n  name: {type: string}\nadditionalProperties: false\n",
            strict=True,
        ),
        ["10:11: error: strict mode: every property must be in required; 'name' is not"],
    ),
    case(
        "strict-additional-properties-missing",
        function(
            "type: object\nproperties:\n  name: {type: string}\nrequired: [name]\n", strict=True
        ),
        ["7:7: error: strict mode: every object needs additionalProperties: false"],
    ),
    case(
        "strict-additional-properties-true",
        function(
            OBJECT.replace("additionalProperties: false", "additionalProperties: true"), strict=True
        ),
        ["12:31: error: strict mode: additionalProperties must be false, not true"],
    ),
    case(
        "strict-nested-object-without-additional-properties",
        function(
            "type: object\nproperties:\n  address:\n    type: object\n"
            "    properties: {city: {type: string}}\n    required: [city]\n"
            "required: [address]\nadditionalProperties: false\n",
            strict=True,
        ),
        ["10:11: error: strict mode: every object needs additionalProperties: false"],
    ),
    case(
        "strict-object-in-an-array-with-an-optional-property",
        function(
            "type: object\nproperties:\n  lines:\n    type: array\n    items:\n"
            "      type: object\n      properties: {sku: {type: string}, qty: {type: integer}}\n"
            "      required: [sku]\n      additionalProperties: false\n"
            "required: [lines]\nadditionalProperties: false\n",
            strict=True,
        ),
        ["14:49: error: strict mode: every property must be in required; 'qty' is not"],
    ),
    case(
        "strict-unsupported-keyword-allof",
        function(OBJECT + "allOf: [{required: [name]}]\n", strict=True),
        ["13:9: error: strict mode: keyword 'allOf' is not supported"],
    ),
    case(
        "strict-unsupported-keyword-oneof",
        function(
            "type: object\nproperties:\n  id:\n    oneOf: [{type: string}, {type: integer}]\n"
            "required: [id]\nadditionalProperties: false\n",
            strict=True,
        ),
        ["11:13: error: strict mode: keyword 'oneOf' is not supported: use anyOf"],
    ),
    case(
        "strict-unsupported-keyword-nullable",
        function(
            "type: object\nproperties:\n  unit: {type: string, nullable: true}\n"
            "required: [unit]\nadditionalProperties: false\n",
            strict=True,
        ),
        [
            "10:32: error: strict mode: keyword 'nullable' is not supported: add \"null\" "
            'to the type (type: [string, "null"])'
        ],
    ),
    case(
        "strict-unsupported-keyword-default",
        function(
            "type: object\nproperties:\n  unit: {type: string, default: C}\n"
            "required: [unit]\nadditionalProperties: false\n",
            strict=True,
        ),
        ["10:32: error: strict mode: keyword 'default' is not supported"],
    ),
    case(
        "strict-root-not-an-object",
        function("type: array\nitems: {type: string}\n", strict=True),
        ["7:7: error: strict mode: the root schema must be an object (type: object)"],
    ),
    case(
        "strict-root-any-of",
        function("anyOf:\n  - " + OBJECT.replace("\n", "\n    ").rstrip() + "\n", strict=True),
        ["8:9: error: strict mode: the root schema must be an object, not anyOf"],
    ),
    case(
        "strict-response-format-too",
        response_format("type: object\nproperties:\n  answer: {type: string}\nrequired: []\n"),
        [
            "7:5: error: strict mode: every object needs additionalProperties: false",
            "10:9: error: strict mode: every property must be in required; 'answer' is not",
        ],
    ),
]

#: Names the service requires to be unique.
UNIQUE = [
    case(
        "function-names-unique",
        HEAD + "  - type: code_interpreter\n  - type: function\n    function: {name: f}\n",
        [
            "8:22: error: function name 'f' is already used by tools[0]: "
            "function names must be unique within an assistant"
        ],
    ),
]


@pytest.mark.parametrize(("spec", "expected"), INVALID + DANGLING + STRICT + UNIQUE)
def test_a_schema_the_service_would_refuse_is_reported_at_its_place(
    repo: Repo, reader: str, spec: str, expected: list[str]
) -> None:
    assert repo.check(spec) == expected
    assert repo.load().specs == []


def _schema_of(spec: str) -> Any:
    data = parse_yaml(spec, "spec.yaml").data
    if "response_format" in data:
        return data["response_format"]["json_schema"]["schema"]
    return data["tools"][0]["function"]["parameters"]


@pytest.mark.parametrize(("spec", "expected"), INVALID)
def test_what_validate_calls_invalid_json_schema_the_meta_schema_refuses(
    spec: str, expected: list[str]
) -> None:
    with pytest.raises(SchemaError):
        Draft202012Validator.check_schema(_schema_of(spec))


@pytest.mark.parametrize(("spec", "expected"), DANGLING + STRICT)
def test_the_strict_cases_are_valid_json_schema(spec: str, expected: list[str]) -> None:
    Draft202012Validator.check_schema(_schema_of(spec))


VALID = [
    pytest.param(function(OBJECT, strict=True), id="flat"),
    pytest.param(
        function(
            """\
            type: object
            properties:
              customer:
                type: object
                properties:
                  name: {type: string}
                  address:
                    type: object
                    properties:
                      city: {type: string}
                      zip: {type: string, pattern: '^[0-9]{5}$'}
                    required: [city, zip]
                    additionalProperties: false
                required: [name, address]
                additionalProperties: false
            required: [customer]
            additionalProperties: false
            """,
            strict=True,
        ),
        id="nested-objects",
    ),
    pytest.param(
        function(
            """\
            type: object
            properties:
              lines:
                type: array
                minItems: 1
                maxItems: 50
                items:
                  type: object
                  properties:
                    sku: {type: string}
                    qty: {type: integer, minimum: 1, maximum: 99}
                  required: [sku, qty]
                  additionalProperties: false
            required: [lines]
            additionalProperties: false
            """,
            strict=True,
        ),
        id="array-of-objects",
    ),
    pytest.param(
        response_format(
            """\
            type: object
            properties:
              tree: {$ref: '#/$defs/node'}
            required: [tree]
            additionalProperties: false
            $defs:
              node:
                type: object
                properties:
                  value: {type: string}
                  children:
                    type: array
                    items: {$ref: '#/$defs/node'}
                required: [value, children]
                additionalProperties: false
            """
        ),
        id="defs-and-recursive-ref",
    ),
    pytest.param(
        function(
            """\
            type: object
            properties:
              item:
                anyOf:
                  - type: object
                    properties: {isbn: {type: string}}
                    required: [isbn]
                    additionalProperties: false
                  - type: object
                    properties: {url: {type: string, format: uri}}
                    required: [url]
                    additionalProperties: false
            required: [item]
            additionalProperties: false
            """,
            strict=True,
        ),
        id="any-of-objects",
    ),
    pytest.param(
        function(
            """\
            type: object
            description: Fetch the weather.
            properties:
              location: {type: string, description: A city}
              unit: {type: [string, "null"], enum: [F, C, null]}
              mode: {const: fast}
            required: [location, unit, mode]
            additionalProperties: false
            """,
            strict=True,
        ),
        id="nullable-by-type-list",
    ),
    pytest.param(
        function(
            """\
            type: object
            properties:
              name: {type: string, minLength: 1, default: x}
              age: {type: integer, exclusiveMinimum: 0}
            required: [name]
            """
        ),
        id="not-strict-takes-any-valid-json-schema",
    ),
]


@pytest.mark.parametrize("spec", VALID)
def test_a_schema_that_keeps_every_rule_passes(repo: Repo, spec: str) -> None:
    assert repo.check(spec) == []
    Draft202012Validator.check_schema(_schema_of(spec))


def _wide(properties: int, *, depth: int = 1, enum: list[str] | None = None) -> str:
    """A strict function whose parameters, written as JSON on line 7, have `properties`
    string properties inside objects nested `depth` levels; `enum` is the values of one more
    property, `choice`."""
    fields: dict[str, Any] = {f"p{i}": {"type": "string"} for i in range(properties)}
    if enum is not None:
        fields["choice"] = {"type": "string", "enum": enum}
    schema = _object(fields)
    for _ in range(depth - 1):
        schema = _object({"inner": schema})
    return HEAD + "      strict: true\n      parameters: " + json.dumps(schema) + "\n"


def _object(properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


#: (spec, the key the error points at on line 7: its last occurrence, or None for
#: `parameters`, message)
LIMITS = [
    pytest.param(
        _wide(5_001),
        None,
        "strict mode: the schema has 5,001 object properties; at most 5,000 allowed",
        id="properties",
    ),
    pytest.param(
        _wide(1, depth=11),
        '"inner":',
        "strict mode: objects nest 11 levels deep here; at most 10 allowed",
        id="nesting",
    ),
    pytest.param(
        _wide(1, enum=[f"v{i}" for i in range(1_001)]),
        None,
        "strict mode: the schema has 1,001 enum values; at most 1,000 allowed",
        id="enum-values",
    ),
    pytest.param(
        _wide(1, enum=[f"{i:0>60}" for i in range(251)]),
        '"enum":',
        "strict mode: an enum of more than 250 values may total at most 15,000 characters; "
        "this one has 15,060",
        id="large-enum-size",
    ),
    pytest.param(
        _wide(1, enum=[f"{i:0>481}" for i in range(250)]),
        None,
        "strict mode: property names, definition names, enum and const values total "
        "120,258 characters; at most 120,000 allowed",
        id="string-size",
    ),
]


@pytest.mark.parametrize(("spec", "key", "message"), LIMITS)
def test_a_strict_schema_over_a_size_limit(
    repo: Repo, spec: str, key: str | None, message: str
) -> None:
    line = spec.splitlines()[6]
    col = 7 if key is None else line.rindex(key) + 1
    assert repo.check(spec) == [f"7:{col}: error: {message}"]


@pytest.mark.parametrize(
    "spec",
    [
        pytest.param(_wide(5_000), id="5000-properties"),
        pytest.param(_wide(1, depth=10), id="10-levels"),
        pytest.param(_wide(1, enum=[f"v{i}" for i in range(999)]), id="1000-enum-values"),
        pytest.param(_wide(1, enum=[f"{i:0>59}" for i in range(251)]), id="large-enum"),
    ],
)
def test_a_strict_schema_at_a_limit_passes(repo: Repo, spec: str) -> None:
    assert repo.check(spec) == []


def test_the_examples_keep_the_rules() -> None:
    """The repository's example specs carry strict schemas: they must still validate."""
    top = Path(__file__).resolve().parents[2]
    for root in (top, top / "examples" / "multi-env"):
        assert [str(d) for d in load_specs(root).errors] == []


def test_the_doctor_probe_keeps_the_rules() -> None:
    """`doctor` creates its probe on the real service: a refusal there would be a false alarm."""
    assert strict.findings(full_body("gpt-4o")) == []


def test_a_rule_an_environment_overlay_breaks_points_into_the_overlay(repo: Repo) -> None:
    repo.write("/assistform.yaml", "environments:\n  dev: {default: true}\n  prod: {}\n")
    repo.write("x.yaml", response_format(OBJECT))
    repo.write(
        "x.prod.yaml",
        "response_format:\n  json_schema:\n    schema:\n      properties:\n"
        "        extra: {type: string}\n",
    )
    assert [str(d) for d in load_every_environment(repo.root).diagnostics] == [
        "assistants/x.prod.yaml:5:9: error: strict mode: every property must be in required; "
        "'extra' is not (environment 'prod')"
    ]
