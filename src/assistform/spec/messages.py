"""Turn pydantic validation errors into compiler-style messages at a data path.

pydantic's `loc` mixes data keys with union tags (`tools.0.function.function.name`, where
the first `function` is the tag of the tool union and the second the field). We walk it
against the model's types and the input together, so we know which items are tags, which
model a field belongs to (for "did you mean"), and the real path of the offending value.
"""

from __future__ import annotations

import difflib
import math
import re
import types
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic_core import ErrorDetails

from assistform import ownership
from assistform.spec.yamlsource import DataPath


@dataclass(frozen=True)
class Target:
    """What an error is about: the value (or key) at `path`, and the model around it."""

    path: DataPath
    at_key: bool
    #: Field names allowed in the mapping that holds the last item of `loc`.
    fields: tuple[str, ...] = ()
    #: The tags a union at `loc` accepts (`code_interpreter`, ...), when it is one.
    tags: tuple[str, ...] = ()


def locate(error: ErrorDetails, data: Any, root: type[BaseModel]) -> Target:
    """The data path of a pydantic error, walking its `loc` against `root` and `data`.

    For a missing field the path is that of the mapping that lacks it; for an error raised
    by one of our validators with a `field` in its context, the path of that field.
    """
    path: list[str | int] = []
    node: Any = data
    present = True
    tp: Any = root
    fields: tuple[str, ...] = _fields(root)
    at_key = False
    for item in error["loc"]:
        tp = _unwrap(tp)
        if item == "[key]":
            at_key = True
            break
        members = _union_members(tp)
        if members is not None:
            # A discriminated union: this item is the tag that picked a member, not data.
            tp = members.get(str(item))
            continue
        fields = _fields(tp)
        tp = _child_type(tp, item)
        if present and _has(node, item):
            path.append(item)
            node = node[item]
        else:
            present = False
    members = _union_members(_unwrap(tp))
    tags = tuple(members or ())
    if path[:1] == ["response_format"]:
        # `auto` is written as the bare string, never as a mapping's type.
        tags = tuple(tag for tag in tags if tag != "auto")
    if error["type"] == "union_tag_invalid" and isinstance(node, dict) and "type" in node:
        path.append("type")
    ctx = error.get("ctx") or {}
    extra_field = ctx.get("field")
    if (
        error["type"].startswith("spec_")
        and isinstance(node, dict)
        and isinstance(extra_field, str)
        and extra_field in node
    ):
        path.append(extra_field)
        node = node[extra_field]
    if error["type"] == "extra_forbidden":
        at_key = True
    elif isinstance(node, (dict, list)) and path and isinstance(path[-1], str):
        # A block mapping or list "starts" at its first item, often on the next line: the
        # key that names it is the better place to point at.
        at_key = True
    return Target(tuple(path), at_key, fields, tags)


def _has(node: Any, item: str | int) -> bool:
    if isinstance(node, dict):
        return item in node
    return isinstance(node, list) and isinstance(item, int) and 0 <= item < len(node)


def _unwrap(tp: Any) -> Any:
    """Strip `Annotated[...]` and `X | None` down to the type that validates the value."""
    while True:
        origin = get_origin(tp)
        if origin is Annotated:
            tp = get_args(tp)[0]
        elif origin in (Union, types.UnionType):
            args = [arg for arg in get_args(tp) if arg is not type(None)]
            if len(args) != 1:
                return tp
            tp = args[0]
        else:
            return tp


def _union_members(tp: Any) -> dict[str, Any] | None:
    """Tag -> model of a union of models discriminated by `type`, or None for anything else."""
    if get_origin(tp) not in (Union, types.UnionType):
        return None
    members: dict[str, Any] = {}
    for member in get_args(tp):
        member = _unwrap(member)
        if (
            isinstance(member, type)
            and issubclass(member, BaseModel)
            and "type" in member.model_fields
        ):
            annotation = member.model_fields["type"].annotation
            if get_origin(annotation) is Literal:
                members[str(get_args(annotation)[0])] = member
    return members


def _fields(tp: Any) -> tuple[str, ...]:
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return tuple(info.alias or name for name, info in tp.model_fields.items())
    return ()


def _child_type(tp: Any, item: str | int) -> Any:
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        for name, info in tp.model_fields.items():
            if (info.alias or name) == item:
                return info.annotation
        return None
    origin = get_origin(tp)
    if origin is list and isinstance(item, int):
        return get_args(tp)[0]
    if origin is dict and isinstance(item, str):
        return get_args(tp)[1]
    return None


def dotted(path: DataPath) -> str:
    """`tools[0].function.name`: a data path as a user would write it."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "the spec"


def type_name(value: Any) -> str:
    """`a list`, `an integer`: what kind of value the user wrote."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _describe(value: Any) -> str:
    """`the integer 5`, `the string 'yes'`: a scalar with its value, a collection by kind."""
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int):
        return f"the integer {_number(value)}"
    if isinstance(value, float):
        return f"the number {value!r}"
    if isinstance(value, str):
        return f"the string {_short(value)}"
    return type_name(value)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _number(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return _short(value)
    if isinstance(value, int) or (math.isfinite(value) and value.is_integer()):
        return f"{int(value):,}"
    return f"{value:g}"


#: Names that used to be valid, and what replaced them.
_RENAMED = {"retrieval": "file_search"}


def suggest(word: str, choices: list[str] | tuple[str, ...]) -> str:
    """` (did you mean 'temperature'?)` for `temprature`, or nothing."""
    renamed = _RENAMED.get(word)
    if renamed in choices:
        return f" ('{word}' is now '{renamed}')"
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _choices(expected: str) -> list[str]:
    """The values in pydantic's `'a', 'b' or 'c'`."""
    return re.findall(r"'([^']*)'", expected)


def one_of(values: Iterable[str]) -> str:
    quoted = [f"'{v}'" for v in values]
    if len(quoted) <= 1:
        return "".join(quoted)
    return ", ".join(quoted[:-1]) + " or " + quoted[-1]


_EXPECTED = {
    "string_type": "a string",
    "int_type": "an integer",
    "float_type": "a number",
    "bool_type": "true or false",
    "dict_type": "a mapping",
    "list_type": "a list",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "int_from_float": "a whole number",
}
_BOUNDS = {
    "less_than_equal": "at most",
    "greater_than_equal": "at least",
    "less_than": "less than",
    "greater_than": "greater than",
}
#: Names of functions and of JSON schemas (the same pattern in the API).
_NAME_PATTERN = r"^[a-zA-Z0-9_-]{1,64}$"
_NAME_CHARS = re.compile(r"[a-zA-Z0-9_-]")


def message(error: ErrorDetails, target: Target) -> str:
    """One human sentence for one pydantic error."""
    kind = error["type"]
    ctx = error.get("ctx") or {}
    value = error.get("input")
    path = target.path
    where = dotted(path)
    if kind.startswith("spec_"):
        return error["msg"]
    if kind == "missing":
        field = error["loc"][-1]
        if not path:
            return f"missing required field '{field}'"
        return f"{where} is missing required field '{field}'"
    if kind == "extra_forbidden":
        field = str(error["loc"][-1])
        inside = f" in {dotted(path[:-1])}" if len(path) > 1 else ""
        return f"unknown field '{field}'{inside}{suggest(field, target.fields)}"
    if target.at_key and kind == "string_too_long" and path:
        return (
            f"{dotted(path[:-1])} key {_short(path[-1])} is {len(str(path[-1])):,} characters "
            f"long; the limit is {ctx['max_length']:,}"
        )
    if kind in _EXPECTED:
        return _wrong_type(where, _EXPECTED[kind], value)
    if kind == "string_too_long":
        count = len(value) if isinstance(value, str) else "?"
        return f"{where} is {count:,} characters long; the limit is {ctx['max_length']:,}"
    if kind == "string_too_short":
        return f"{where} must not be empty"
    if kind == "too_long":
        return _too_long(path, ctx, value)
    if kind == "string_pattern_mismatch":
        return _pattern(where, str(value), str(ctx["pattern"]))
    if kind in _BOUNDS:
        limit = next(iter(ctx.values()))
        return f"{where} must be {_BOUNDS[kind]} {_number(limit)}, not {_number(value)}"
    if kind == "literal_error":
        allowed = _choices(str(ctx.get("expected", "")))
        return (
            f"{where} must be {one_of(allowed)}, not {_short(value)}{suggest(str(value), allowed)}"
        )
    if kind == "union_tag_invalid":
        tag = str(ctx.get("tag"))
        tags = target.tags or tuple(_choices(str(ctx.get("expected_tags", ""))))
        return f"{where} must be {one_of(tags)}, not {_short(tag)}{suggest(tag, tags)}"
    if kind == "union_tag_not_found":
        choices = f": {one_of(target.tags)}" if target.tags else ""
        return f"{where} needs a 'type'{choices}"
    if kind == "finite_number":
        written = ".nan" if math.isnan(value) else (".inf" if value > 0 else "-.inf")
        return f"{where} must be a finite number, not {written}"
    return f"{where}: {error['msg']}"


def _wrong_type(where: str, expected: str, value: Any) -> str:
    if value is None:
        return f"{where} is empty; it must be {expected}"
    text = f"{where} must be {expected}, not {_describe(value)}"
    if expected == "a string" and isinstance(value, (bool, int, float)):
        return text + ": put it in quotes"
    if isinstance(value, str):
        unquoted = value.strip().lower()
        if expected == "true or false" and unquoted in ("yes", "no", "on", "off", "y", "n"):
            return text + " (YAML 1.2 reads yes/no/on/off as strings)"
        if expected == "true or false" and unquoted in ("true", "false"):
            return text + ": remove the quotes"
        if expected in ("a number", "an integer") and _is_number(unquoted):
            return text + ": remove the quotes"
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _pattern(where: str, value: str, pattern: str) -> str:
    if pattern != _NAME_PATTERN:
        return f"{where} {_short(value)} must match {pattern}"
    if len(value) > 64:
        return f"{where} is {len(value)} characters long; the limit is 64"
    if not value:
        return f"{where} must not be empty"
    bad = "".join(sorted({c for c in value if not _NAME_CHARS.match(c)}))
    return f"{where} {_short(value)} may only use letters, digits, '_' and '-', not {one_of(bad)}"


def _too_long(path: DataPath, ctx: dict[str, Any], value: Any) -> str:
    where = dotted(path)
    # Count the input ourselves: pydantic leaves `actual_length` out of some releases' ctx.
    actual = len(value) if isinstance(value, list | dict) else ctx.get("actual_length")
    limit = ctx["max_length"]
    if ctx.get("field_type") == "Dictionary":
        text = f"{where} has {actual} pairs; at most {limit} allowed"
        if path == ("metadata",):
            text += (
                f" (the API allows {ownership.USER_METADATA_MAX + 1} and "
                f"assistform's ownership tag '{ownership.TAG_KEY}' takes one)"
            )
        elif path[-1:] == ("attributes",):
            text += (
                f" (the API allows {ownership.USER_ATTRIBUTES_MAX + 2} and "
                "assistform's ownership attributes take two)"
            )
        return text
    return f"{where} has {actual} items; at most {limit:,} allowed"
