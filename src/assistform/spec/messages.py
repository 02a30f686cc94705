"""Turn pydantic validation errors into compiler-style messages at a data path.

pydantic's `loc` mixes data keys with union tags (`tools.0.function.function.name`); we walk
it against the input to recover the real path, so the message can point at the exact value.
"""

from __future__ import annotations

import difflib
from typing import Any

from pydantic_core import ErrorDetails

from assistform.spec.yamlsource import DataPath


def data_path(loc: tuple[int | str, ...], data: Any) -> tuple[DataPath, bool]:
    """The path of `loc` within `data`, and whether the error is about a mapping key."""
    path: list[str | int] = []
    node = data
    for item in loc:
        if item == "[key]":
            return tuple(path), True
        if isinstance(node, dict) and isinstance(item, str) and item in node:
            path.append(item)
            node = node[item]
        elif isinstance(node, list) and isinstance(item, int) and 0 <= item < len(node):
            path.append(item)
            node = node[item]
        elif isinstance(node, dict) and not path and isinstance(item, str):
            # A missing or extra top-level field: keep it, the caller places it.
            path.append(item)
            node = None
        # Anything else is a union tag or a missing field: it names no value of the input.
    return tuple(path), False


def dotted(path: DataPath) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "spec"


def _type_name(value: Any) -> str:
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


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _suggest(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


_EXPECTED = {
    "string_type": "a string",
    "int_type": "an integer",
    "float_type": "a number",
    "bool_type": "true or false",
    "dict_type": "a mapping",
    "list_type": "a list",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "int_from_float": "an integer",
}


def message(error: ErrorDetails, path: DataPath, allowed_fields: list[str]) -> str:
    """One human sentence for one pydantic error."""
    kind = error["type"]
    ctx = error.get("ctx") or {}
    value = error.get("input")
    where = dotted(path)
    if kind == "missing":
        return f"missing required field '{error['loc'][-1]}'"
    if kind == "extra_forbidden":
        field = str(path[-1]) if path else str(error["loc"][-1])
        return f"unknown field '{field}'{_suggest(field, allowed_fields)}"
    if kind in _EXPECTED:
        return f"{where} must be {_EXPECTED[kind]}, not {_type_name(value)}"
    if kind == "string_too_long":
        count = len(value) if isinstance(value, str) else "?"
        return f"{where} is {count:,} characters long; the limit is {ctx['max_length']:,}"
    if kind == "string_too_short":
        return f"{where} must not be empty"
    if kind == "too_long":
        return f"{where} has {ctx.get('actual_length')} items; at most {ctx['max_length']} allowed"
    if kind == "string_pattern_mismatch":
        return f"{where} {_short(value)} must match {ctx['pattern']}"
    if kind in ("less_than_equal", "greater_than_equal", "less_than", "greater_than"):
        bound = {
            "less_than_equal": "at most",
            "greater_than_equal": "at least",
            "less_than": "less than",
            "greater_than": "greater than",
        }[kind]
        limit = next(iter(ctx.values()))
        return f"{where} must be {bound} {limit:g}, not {value:g}"
    if kind == "literal_error":
        allowed = ctx.get("expected", "")
        return f"{where} must be one of {allowed}; got {_short(value)}"
    if kind == "union_tag_invalid":
        return f"{where}.type must be one of {ctx.get('expected_tags')}; got {_short(ctx.get('tag'))}"
    if kind == "union_tag_not_found":
        return f"{where} needs a 'type'"
    if kind == "finite_number":
        return f"{where} must be a finite number"
    return f"{where}: {error['msg']}"
