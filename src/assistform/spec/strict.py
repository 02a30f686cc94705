"""What the service would refuse in a spec whose shape is right: the JSON Schemas it carries
(a function's `parameters`, a `json_schema` response format's `schema`) and the names it
requires to be unique.

Every schema must be valid JSON Schema (draft 2020-12's meta-schema, for the keywords whose
values it constrains: `type` names one of the seven types, `properties` maps names to
schemas, `required` lists strings, and so on). A schema marked `strict: true` must also keep
the rules of Structured Outputs, as OpenAI documents them at
https://platform.openai.com/docs/guides/structured-outputs#supported-schemas
(and, for functions, https://platform.openai.com/docs/guides/function-calling#strict-mode):

- the root is an object, not `anyOf`;
- every object has `additionalProperties: false` and lists every property in `required`
  (an optional field is one whose type admits null: `type: [string, "null"]`);
- only the supported keywords: `type` (string, number, boolean, integer, object, array,
  null), `properties`, `required`, `additionalProperties`, `items`, `enum`, `const`,
  `anyOf`, `$ref` and `$defs` (recursion included), `description` and `title`, and the
  type-specific `pattern`, `format`, `multipleOf`, `minimum`, `maximum`,
  `exclusiveMinimum`, `exclusiveMaximum`, `minItems`, `maxItems`. The docs name `allOf`,
  `not`, `dependentRequired`, `dependentSchemas`, `if`, `then` and `else` as unsupported;
- at most 5,000 object properties and 10 levels of object nesting; property names,
  definition names, enum and const values at most 120,000 characters in all; at most 1,000
  enum values in all, and an enum of more than 250 strings at most 15,000 characters.

The checks are written out here rather than run through the `jsonschema` package: they
cover the few keywords whose values can be wrong in a way the service refuses, they name the
rule and the place in the user's words, and they cost no import in a pre-commit hook
(`jsonschema` pulls in `referencing`, `rpds` and `attrs`). The tests hold every case up
against `jsonschema`'s meta-schema check, so the two agree.

A finding is a data path (in the spec) with a message; `check` turns them into diagnostics
at the offending key or value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, NamedTuple, TypeGuard

from assistform.errors import Diagnostic
from assistform.spec.yamlsource import DataPath, YamlDocument

TYPES = ("string", "number", "integer", "boolean", "object", "array", "null")

#: Structured Outputs' documented limits.
PROPERTIES_MAX = 5_000
NESTING_MAX = 10
STRING_SIZE_MAX = 120_000
ENUM_VALUES_MAX = 1_000
LARGE_ENUM = 250
LARGE_ENUM_SIZE_MAX = 15_000

#: The keywords a strict schema may use, and hints for some it may not.
STRICT_KEYWORDS = frozenset(
    {
        "type",
        "properties",
        "required",
        "additionalProperties",
        "items",
        "enum",
        "const",
        "anyOf",
        "$ref",
        "$defs",
        "definitions",
        "description",
        "title",
        "pattern",
        "format",
        "multipleOf",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "minItems",
        "maxItems",
    }
)
_STRICT_HINTS = {
    "oneOf": ": use anyOf",
    "nullable": ': add "null" to the type (type: [string, "null"])',
}

# What JSON Schema requires of each keyword's value (draft 2020-12's meta-schema).
_SCHEMA = frozenset(
    {"additionalProperties", "items", "not", "if", "then", "else", "contains", "propertyNames"}
    | {"unevaluatedProperties", "unevaluatedItems"}
)
_SCHEMA_MAP = frozenset(
    {"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"}
)
_SCHEMA_LIST = frozenset({"anyOf", "allOf", "oneOf", "prefixItems"})
_NUMBER = frozenset({"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"})
_COUNT = frozenset(
    {"minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties"}
    | {"minContains", "maxContains"}
)
_STRING = frozenset(
    {"pattern", "format", "title", "description", "$ref", "$comment", "$id", "$anchor"}
    | {"$schema"}
)
_BOOLEAN = frozenset({"uniqueItems", "readOnly", "writeOnly", "deprecated"})


class Finding(NamedTuple):
    """A mistake at a data path of the spec: at its key, or at its value."""

    path: DataPath
    message: str
    at_key: bool = True


def check(data: dict[str, Any], document: YamlDocument) -> list[Diagnostic]:
    """Every refusal this module foresees in a spec the model has accepted."""
    return [Diagnostic(document.location(f.path, key=f.at_key), f.message) for f in findings(data)]


def findings(data: dict[str, Any]) -> list[Finding]:
    found = list(_unique_function_names(data))
    for path, schema, strict in _schemas(data):
        walk = _Walk(path, schema, strict)
        walk.root()
        found.extend(walk.found)
    return found


def _schemas(data: dict[str, Any]) -> Iterator[tuple[DataPath, Any, bool]]:
    """(path, schema, strict) of each JSON Schema in a spec the model accepted."""
    for i, tool in enumerate(data.get("tools") or ()):
        function = tool.get("function") if tool.get("type") == "function" else None
        if function is not None and function.get("parameters") is not None:
            yield (
                ("tools", i, "function", "parameters"),
                function["parameters"],
                function.get("strict") is True,
            )
    response_format = data.get("response_format")
    if isinstance(response_format, dict) and response_format.get("type") == "json_schema":
        definition = response_format["json_schema"]
        if definition.get("schema") is not None:
            yield (
                ("response_format", "json_schema", "schema"),
                definition["schema"],
                definition.get("strict") is True,
            )


def _unique_function_names(data: dict[str, Any]) -> Iterator[Finding]:
    first: dict[str, int] = {}
    for i, tool in enumerate(data.get("tools") or ()):
        if tool.get("type") != "function":
            continue
        name = tool["function"]["name"]
        if name in first:
            yield Finding(
                ("tools", i, "function", "name"),
                f"function name '{name}' is already used by tools[{first[name]}]: "
                "function names must be unique within an assistant",
                at_key=False,
            )
        else:
            first[name] = i


class _Walk:
    """One schema, walked once: JSON Schema's rules everywhere, strict mode's if asked."""

    def __init__(self, base: DataPath, schema: Any, strict: bool) -> None:
        self.base = base
        self.schema = schema
        self.strict = strict
        self.found: list[Finding] = []
        self.properties = 0
        self.characters = 0
        self.enum_values = 0
        self.too_deep = False

    def add(self, path: DataPath, message: str, *, at_key: bool = True) -> None:
        self.found.append(Finding(path, message, at_key))

    def strict_rule(self, path: DataPath, message: str, *, at_key: bool = True) -> None:
        self.add(path, "strict mode: " + message, at_key=at_key)

    def root(self) -> None:
        schema, path = self.schema, self.base
        if self.strict and isinstance(schema, dict):
            if "anyOf" in schema:
                self.strict_rule((*path, "anyOf"), "the root schema must be an object, not anyOf")
            elif not _is_object(schema):
                self.strict_rule(path, "the root schema must be an object (type: object)")
        self.visit(schema, path, 0)
        if not self.strict:
            return
        if self.properties > PROPERTIES_MAX:
            self.strict_rule(
                path,
                f"the schema has {self.properties:,} object properties; "
                f"at most {PROPERTIES_MAX:,} allowed",
            )
        if self.enum_values > ENUM_VALUES_MAX:
            self.strict_rule(
                path,
                f"the schema has {self.enum_values:,} enum values; "
                f"at most {ENUM_VALUES_MAX:,} allowed",
            )
        if self.characters > STRING_SIZE_MAX:
            self.strict_rule(
                path,
                f"property names, definition names, enum and const values total "
                f"{self.characters:,} characters; at most {STRING_SIZE_MAX:,} allowed",
            )

    def visit(self, schema: Any, path: DataPath, depth: int) -> None:
        """Check one (sub)schema at `path`, `depth` objects deep above it."""
        if isinstance(schema, bool):
            return
        if not isinstance(schema, dict):
            hint = f" (did you mean {{type: {schema}}}?)" if schema in TYPES else ""
            self.add(
                path,
                f"{_where(path)} must be a schema (a mapping), not {_describe(schema)}{hint}",
                at_key=False,
            )
            return
        if _is_object(schema):
            depth += 1
            self.object_rules(schema, path, depth)
        for keyword, value in schema.items():
            here = (*path, keyword)
            if self.strict and keyword not in STRICT_KEYWORDS:
                self.strict_rule(
                    here, f"keyword '{keyword}' is not supported{_STRICT_HINTS.get(keyword, '')}"
                )
            self.keyword(keyword, value, here, depth)

    def object_rules(self, schema: dict[str, Any], path: DataPath, depth: int) -> None:
        if not self.strict:
            return
        if depth > NESTING_MAX and not self.too_deep:
            self.too_deep = True  # once: every object below is as deep
            self.strict_rule(
                path, f"objects nest {depth} levels deep here; at most {NESTING_MAX} allowed"
            )
        extra = schema.get("additionalProperties")
        if "additionalProperties" not in schema:
            self.strict_rule(path, "every object needs additionalProperties: false")
        elif extra is not False:
            self.strict_rule(
                (*path, "additionalProperties"),
                f"additionalProperties must be false, not {_describe(extra)}",
                at_key=False,
            )
        properties = schema.get("properties")
        required = schema.get("required")
        if not isinstance(properties, dict):
            return
        listed = set(required) if _is_string_list(required) else set()
        for name in properties:
            if name not in listed:
                self.strict_rule(
                    (*path, "properties", name),
                    f"every property must be in required; '{name}' is not",
                )

    def keyword(self, keyword: str, value: Any, path: DataPath, depth: int) -> None:
        """JSON Schema's rule for the value of one keyword, then its subschemas."""
        rule = _RULES.get(keyword)
        if rule is not None:
            rule(self, keyword, value, path, depth)

    def subschema(self, keyword: str, value: Any, path: DataPath, depth: int) -> None:
        self.visit(value, path, depth)

    def schema_list(self, keyword: str, value: Any, path: DataPath, depth: int) -> None:
        if not isinstance(value, list) or not value:
            self.add(
                path,
                f"{keyword} must be a non-empty list of schemas, not {_describe(value)}",
                at_key=False,
            )
            return
        for i, item in enumerate(value):
            self.visit(item, (*path, i), depth)

    def const(self, keyword: str, value: Any, path: DataPath, depth: int) -> None:
        if isinstance(value, str):
            self.characters += len(value)

    def number(self, keyword: str, value: Any, path: DataPath, depth: int) -> None:
        positive = keyword == "multipleOf"
        if not _is_number(value) or (positive and value <= 0):
            what = "a number greater than 0" if positive else "a number"
            self.add(path, f"{keyword} must be {what}, not {_describe(value)}", at_key=False)

    def count(self, keyword: str, value: Any, path: DataPath, depth: int) -> None:
        # `is_integer`, not `int(value)`: YAML's .inf and .nan are floats int() refuses.
        whole = isinstance(value, int) or (isinstance(value, float) and value.is_integer())
        if not _is_number(value) or value < 0 or not whole:
            self.add(
                path,
                f"{keyword} must be a whole number, 0 or more, not {_describe(value)}",
                at_key=False,
            )

    def string(self, keyword: str, value: Any, path: DataPath, depth: int) -> None:
        if not isinstance(value, str):
            self.add(path, f"{keyword} must be a string, not {_describe(value)}", at_key=False)
        elif keyword == "$ref":
            self.ref(value, path)

    def boolean(self, keyword: str, value: Any, path: DataPath, depth: int) -> None:
        if not isinstance(value, bool):
            self.add(path, f"{keyword} must be true or false, not {_describe(value)}", at_key=False)

    def type_value(self, keyword: str, value: Any, path: DataPath, depth: int) -> None:
        names = value if isinstance(value, list) else [value]
        if not isinstance(value, (str, list)) or not all(isinstance(n, str) for n in names):
            self.add(
                path,
                f"type must be a type name or a list of them, not {_describe(value)}",
                at_key=False,
            )
            return
        for i, name in enumerate(names):
            where = (*path, i) if isinstance(value, list) else path
            if name not in TYPES:
                from assistform.spec.messages import one_of  # for a mistake only

                hint = _suggest(name, TYPES) or f": use {one_of(TYPES)}"
                self.add(where, f"'{name}' is not a JSON Schema type{hint}", at_key=False)
            elif names.index(name) != i:
                self.add(where, f"type lists '{name}' twice", at_key=False)

    def schema_map(self, keyword: str, value: Any, path: DataPath, depth: int) -> None:
        if not isinstance(value, dict):
            self.add(
                path,
                f"{keyword} must be a mapping of names to schemas, not {_describe(value)}",
                at_key=False,
            )
            return
        counted = keyword in ("properties", "$defs", "definitions")
        if keyword == "properties":
            self.properties += len(value)
        for name, subschema in value.items():
            self.characters += len(name) if counted else 0
            self.visit(subschema, (*path, name), depth)

    def required(self, keyword: str, value: Any, path: DataPath, depth: int) -> None:
        if not isinstance(value, list):
            self.add(
                path,
                f"required must be a list of property names, not {_describe(value)}",
                at_key=False,
            )
            return
        for i, name in enumerate(value):
            if not isinstance(name, str):
                self.add(
                    (*path, i),
                    f"required must list property names (strings), not {_describe(name)}",
                    at_key=False,
                )
            elif value.index(name) != i:
                self.add((*path, i), f"required lists '{name}' twice", at_key=False)

    def enum(self, keyword: str, value: Any, path: DataPath, depth: int) -> None:
        if not isinstance(value, list):
            self.add(path, f"enum must be a list of values, not {_describe(value)}", at_key=False)
            return
        self.enum_values += len(value)
        size = sum(len(v) for v in value if isinstance(v, str))
        self.characters += size
        if self.strict and len(value) > LARGE_ENUM and size > LARGE_ENUM_SIZE_MAX:
            self.strict_rule(
                path,
                f"an enum of more than {LARGE_ENUM} values may total at most "
                f"{LARGE_ENUM_SIZE_MAX:,} characters; this one has {size:,}",
            )

    def ref(self, value: str, path: DataPath) -> None:
        """A reference inside the schema must point at something."""
        if not value.startswith("#"):
            return
        target: Any = self.schema
        for part in value.removeprefix("#").split("/")[1:]:
            part = part.replace("~1", "/").replace("~0", "~")
            if isinstance(target, dict) and part in target:
                target = target[part]
            elif isinstance(target, list) and part.isdigit() and int(part) < len(target):
                target = target[int(part)]
            else:
                names = [f"#/$defs/{name}" for name in _defs(self.schema)]
                self.add(
                    path,
                    f"$ref '{value}' points to nothing in this schema{_suggest(value, names)}",
                    at_key=False,
                )
                return


_Rule = Callable[[_Walk, str, Any, DataPath, int], None]
#: Keyword -> the check of its value; keywords JSON Schema leaves free are not in it.
_RULES: dict[str, _Rule] = {
    "type": _Walk.type_value,
    "required": _Walk.required,
    "enum": _Walk.enum,
    "const": _Walk.const,
    "multipleOf": _Walk.number,
    **dict.fromkeys(_SCHEMA, _Walk.subschema),
    **dict.fromkeys(_SCHEMA_MAP, _Walk.schema_map),
    **dict.fromkeys(_SCHEMA_LIST, _Walk.schema_list),
    **dict.fromkeys(_NUMBER, _Walk.number),
    **dict.fromkeys(_COUNT, _Walk.count),
    **dict.fromkeys(_STRING, _Walk.string),
    **dict.fromkeys(_BOOLEAN, _Walk.boolean),
}


def _is_object(schema: dict[str, Any]) -> bool:
    kind = schema.get("type")
    return kind == "object" or (isinstance(kind, list) and "object" in kind)


def _is_string_list(value: Any) -> TypeGuard[list[str]]:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _defs(schema: Any) -> list[str]:
    defs = schema.get("$defs") if isinstance(schema, dict) else None
    return list(defs) if isinstance(defs, dict) else []


# Messages are made only for mistakes: `spec.messages` (and difflib) load only then.


def _suggest(word: str, choices: tuple[str, ...] | list[str]) -> str:
    from assistform.spec.messages import suggest

    return suggest(word, choices)


def _where(path: DataPath) -> str:
    """`properties.name`: the last keyword and name of a path, enough beside a position."""
    from assistform.spec.messages import dotted

    return dotted(path[-2:])


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str):
        return f"the string '{value}'" if len(value) <= 40 else "a string"
    if isinstance(value, (int, float)):
        return f"{value:g}" if isinstance(value, float) else str(value)
    from assistform.spec.messages import type_name

    return type_name(value)
