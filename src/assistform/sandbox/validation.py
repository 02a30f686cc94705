"""Validation of create/modify bodies, as the hosted service did it.

Pure functions over the decoded JSON body. Each returns the *first* problem found (the
service reports one at a time) as an `Invalid`, or None. Checks run in a fixed order:
body shape, unknown top-level fields, required fields, then the fields in the order of
`CREATE_FIELDS`, depth first. Every limit comes from `assistform.limits`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, NoReturn

from assistform import limits

Path = tuple[str | int, ...]

_FUNCTION_NAME = re.compile(limits.FUNCTION_NAME_PATTERN)
_JSON_SCHEMA_NAME = re.compile(limits.JSON_SCHEMA_NAME_PATTERN)


@dataclass(frozen=True)
class Invalid:
    """One refused value: what is wrong, where (as a path into the body), and the code."""

    message: str
    path: Path
    code: str

    @property
    def param(self) -> str | None:
        return render_param(self.path)


def render_param(path: Path) -> str | None:
    """OpenAI's spelling of a path: `tools[0].function.name`, `metadata.key`."""
    if not path:
        return None
    out = str(path[0])
    for part in path[1:]:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def validate_create(body: object) -> Invalid | None:
    """First problem of a POST /v1/assistants body, or None when the service accepts it."""
    return _run(body, create=True)


def validate_modify(body: object) -> Invalid | None:
    """First problem of a POST /v1/assistants/{id} body, or None when it is accepted."""
    return _run(body, create=False)


@dataclass(frozen=True)
class ListQuery:
    """The query of GET /v1/assistants, checked and with defaults filled."""

    limit: int = limits.LIST_LIMIT_DEFAULT
    descending: bool = True
    after: str | None = None
    before: str | None = None


def validate_list_query(
    query: Mapping[str, str],
    *,
    default: int = limits.LIST_LIMIT_DEFAULT,
    maximum: int = limits.LIST_LIMIT_MAX,
) -> ListQuery | Invalid:
    """Parse the list query (unknown parameters are ignored, as the service did); `default`
    and `maximum` are the route's limits (those of /v1/assistants unless given)."""
    try:
        limit = default
        if "limit" in query:
            text = query["limit"].strip()
            if not re.fullmatch(r"[+-]?[0-9]+", text):
                _wrong_type(("limit",), "an integer", query["limit"])
            limit = _integer(int(text), ("limit",), limits.LIST_LIMIT_MIN, maximum)
        order = _enum(query.get("order", "desc"), ("order",), ("asc", "desc"))
    except _Refused as refused:
        return refused.invalid
    return ListQuery(
        limit=limit,
        descending=order == "desc",
        after=query.get("after") or None,
        before=query.get("before") or None,
    )


class _Refused(Exception):
    def __init__(self, invalid: Invalid) -> None:
        super().__init__(invalid.message)
        self.invalid = invalid


def _run(body: object, *, create: bool) -> Invalid | None:
    try:
        _check_body(body, create=create)
    except _Refused as refused:
        return refused.invalid
    return None


# --- failure helpers -------------------------------------------------------------------


def _fail(message: str, path: Path, code: str) -> NoReturn:
    raise _Refused(Invalid(message, path, code))


def _quote(path: Path) -> str:
    return f"'{render_param(path)}'"


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a decimal"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def _wrong_type(path: Path, expected: str, value: object) -> NoReturn:
    _fail(
        f"Invalid type for {_quote(path)}: expected {expected}, but got {_kind(value)} instead.",
        path,
        "invalid_type",
    )


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _choices(values: tuple[str, ...]) -> str:
    quoted = [f"'{v}'" for v in values]
    if len(quoted) <= 2:
        return " and ".join(quoted)
    return ", ".join(quoted[:-1]) + f", and {quoted[-1]}"


# --- primitive checks ------------------------------------------------------------------


def _object(value: object, path: Path) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        _wrong_type(path, "an object", value)
    return value


def _array(value: object, path: Path, max_items: int) -> list[Any]:
    if not isinstance(value, list):
        _wrong_type(path, "an array", value)
    if len(value) > max_items:
        _fail(
            f"Invalid {_quote(path)}: array too long. Expected an array with maximum length "
            f"{max_items}, but got an array with length {len(value)} instead.",
            path,
            "array_above_max_length",
        )
    return value


def _string(value: object, path: Path, max_length: int | None = None) -> str:
    if not isinstance(value, str):
        _wrong_type(path, "a string", value)
    if max_length is not None and len(value) > max_length:
        _fail(
            f"Invalid {_quote(path)}: string too long. Expected a string with maximum length "
            f"{max_length}, but got a string with length {len(value)} instead.",
            path,
            "string_above_max_length",
        )
    return value


def _pattern(value: object, path: Path, pattern: re.Pattern[str]) -> str:
    text = _string(value, path)
    if not pattern.fullmatch(text):
        _fail(
            f"Invalid {_quote(path)}: string does not match pattern. Expected a string that "
            f"matches the pattern '{pattern.pattern}'.",
            path,
            "invalid_value",
        )
    return text


def _enum(value: object, path: Path, allowed: tuple[str, ...]) -> str:
    text = _string(value, path)
    if text not in allowed:
        _fail(
            f"Invalid value: '{text}'. Supported values are: {_choices(allowed)}.",
            path,
            "invalid_value",
        )
    return text


def _boolean(value: object, path: Path) -> bool:
    if not isinstance(value, bool):
        _wrong_type(path, "a boolean", value)
    return value


def _range(value: float, path: Path, low: float | None, high: float | None, kind: str) -> None:
    if high is not None and value > high:
        _fail(
            f"Invalid {_quote(path)}: {kind} above maximum value. Expected a value <= "
            f"{_number_text(high)}, but got {_number_text(value)} instead.",
            path,
            f"{kind}_above_max_value",
        )
    if low is not None and value < low:
        _fail(
            f"Invalid {_quote(path)}: {kind} below minimum value. Expected a value >= "
            f"{_number_text(low)}, but got {_number_text(value)} instead.",
            path,
            f"{kind}_below_min_value",
        )


def _number(value: object, path: Path, low: float, high: float) -> float:
    # bool is an int in Python but never a number in JSON.
    if isinstance(value, bool) or not isinstance(value, int | float):
        _wrong_type(path, "a number", value)
    if not math.isfinite(value):
        _wrong_type(path, "a number", value)
    _range(value, path, low, high, "decimal")
    return float(value)


def _integer(value: object, path: Path, low: int | None, high: int | None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        _wrong_type(path, "an integer", value)
    _range(value, path, low, high, "integer")
    return value


def _only(obj: Mapping[str, Any], path: Path, allowed: tuple[str, ...]) -> None:
    for key in obj:
        if key not in allowed:
            unknown = (*path, key)
            _fail(f"Unknown parameter: {_quote(unknown)}.", unknown, "unknown_parameter")


def _required(obj: Mapping[str, Any], path: Path, key: str) -> Any:
    if key not in obj:
        missing = (*path, key)
        _fail(
            f"Missing required parameter: {_quote(missing)}.",
            missing,
            "missing_required_parameter",
        )
    return obj[key]


def _optional(
    obj: Mapping[str, Any], path: Path, key: str, check: Callable[[Any, Path], object]
) -> None:
    if key in obj:
        check(obj[key], (*path, key))


def _nullable(check: Callable[[Any, Path], object]) -> Callable[[Any, Path], object]:
    def run(value: Any, path: Path) -> object:
        return None if value is None else check(value, path)

    return run


# --- the body --------------------------------------------------------------------------


def _check_body(body: object, *, create: bool) -> None:
    if not isinstance(body, dict):
        _fail(
            f"Invalid request body: expected a JSON object, but got {_kind(body)} instead.",
            (),
            "invalid_type",
        )
    _only(body, (), limits.CREATE_FIELDS)
    if create:
        _required(body, (), "model")
    checks: dict[str, Callable[[Any, Path], object]] = {
        "model": _model,
        "name": _nullable(lambda v, p: _string(v, p, limits.NAME_MAX)),
        "description": _nullable(lambda v, p: _string(v, p, limits.DESCRIPTION_MAX)),
        "instructions": _nullable(lambda v, p: _string(v, p, limits.INSTRUCTIONS_MAX)),
        "reasoning_effort": _nullable(lambda v, p: _enum(v, p, limits.REASONING_EFFORTS)),
        "tools": _tools,
        "tool_resources": _nullable(lambda v, p: _tool_resources(v, p, create=create)),
        "metadata": _nullable(_metadata),
        "temperature": _nullable(
            lambda v, p: _number(v, p, limits.TEMPERATURE_MIN, limits.TEMPERATURE_MAX)
        ),
        "top_p": _nullable(lambda v, p: _number(v, p, limits.TOP_P_MIN, limits.TOP_P_MAX)),
        "response_format": _nullable(_response_format),
    }
    for field in limits.CREATE_FIELDS:
        _optional(body, (), field, checks[field])


def _model(value: object, path: Path) -> None:
    # The spec allows any string; the service still refused an empty one.
    if _string(value, path) == "":
        _fail(f"Invalid {_quote(path)}: empty string.", path, "invalid_value")


def _metadata(value: object, path: Path) -> None:
    pairs = _object(value, path)
    if len(pairs) > limits.METADATA_PAIRS_MAX:
        _fail(
            f"Invalid {_quote(path)}: too many properties. Expected an object with at most "
            f"{limits.METADATA_PAIRS_MAX} properties, but got an object with {len(pairs)} "
            "properties instead.",
            path,
            "object_above_max_properties",
        )
    for key, item in pairs.items():
        if len(key) > limits.METADATA_KEY_MAX:
            _fail(
                f"Invalid {_quote(path)}: key too long. Expected keys with maximum length "
                f"{limits.METADATA_KEY_MAX}, but got a key with length {len(key)} instead.",
                path,
                "string_above_max_length",
            )
        _string(item, (*path, key), limits.METADATA_VALUE_MAX)


def _tools(value: object, path: Path) -> None:
    for index, tool in enumerate(_array(value, path, limits.TOOLS_MAX)):
        _tool(tool, (*path, index))


def _tool(value: object, path: Path) -> None:
    tool = _object(value, path)
    kind = _enum(_required(tool, path, "type"), (*path, "type"), limits.TOOL_TYPES)
    if kind == "code_interpreter":
        _only(tool, path, ("type",))
    elif kind == "file_search":
        _only(tool, path, ("type", "file_search"))
        _optional(tool, path, "file_search", _file_search_options)
    else:
        _only(tool, path, ("type", "function"))
        _function(_required(tool, path, "function"), (*path, "function"))


def _file_search_options(value: object, path: Path) -> None:
    options = _object(value, path)
    _only(options, path, ("max_num_results", "ranking_options"))
    _optional(
        options,
        path,
        "max_num_results",
        lambda v, p: _integer(
            v, p, limits.FILE_SEARCH_MAX_NUM_RESULTS_MIN, limits.FILE_SEARCH_MAX_NUM_RESULTS_MAX
        ),
    )
    _optional(options, path, "ranking_options", _ranking_options)


def _ranking_options(value: object, path: Path) -> None:
    options = _object(value, path)
    _only(options, path, ("ranker", "score_threshold"))
    _optional(options, path, "ranker", lambda v, p: _enum(v, p, limits.RANKERS))
    threshold = _required(options, path, "score_threshold")
    _number(
        threshold,
        (*path, "score_threshold"),
        limits.SCORE_THRESHOLD_MIN,
        limits.SCORE_THRESHOLD_MAX,
    )


def _function(value: object, path: Path) -> None:
    function = _object(value, path)
    _only(function, path, ("name", "description", "parameters", "strict"))
    name = _string(_required(function, path, "name"), (*path, "name"), limits.FUNCTION_NAME_MAX)
    _pattern(name, (*path, "name"), _FUNCTION_NAME)
    _optional(function, path, "description", _string)
    _optional(function, path, "parameters", _object)
    _optional(function, path, "strict", _nullable(_boolean))


def _tool_resources(value: object, path: Path, *, create: bool) -> None:
    resources = _object(value, path)
    _only(resources, path, ("code_interpreter", "file_search"))
    _optional(resources, path, "code_interpreter", _code_interpreter_resources)
    _optional(resources, path, "file_search", lambda v, p: _file_search_resources(v, p, create))


def _string_items(value: object, path: Path, max_items: int) -> None:
    for index, item in enumerate(_array(value, path, max_items)):
        _string(item, (*path, index))


def _code_interpreter_resources(value: object, path: Path) -> None:
    resources = _object(value, path)
    _only(resources, path, ("file_ids",))
    _optional(
        resources,
        path,
        "file_ids",
        lambda v, p: _string_items(v, p, limits.CODE_INTERPRETER_FILE_IDS_MAX),
    )


def _file_search_resources(value: object, path: Path, create: bool) -> None:
    resources = _object(value, path)
    # Only create has the `vector_stores` helper; modify can only point at existing stores.
    allowed = ("vector_store_ids", "vector_stores") if create else ("vector_store_ids",)
    _only(resources, path, allowed)
    if create and "vector_store_ids" in resources and "vector_stores" in resources:
        _fail(
            f"Invalid {_quote(path)}: only one of 'vector_store_ids' or 'vector_stores' may be "
            "provided.",
            path,
            "invalid_value",
        )
    if create and not resources:
        missing = (*path, "vector_store_ids")
        _fail(
            f"Missing required parameter: {_quote(missing)} (or 'vector_stores').",
            missing,
            "missing_required_parameter",
        )
    _optional(
        resources,
        path,
        "vector_store_ids",
        lambda v, p: _string_items(v, p, limits.VECTOR_STORE_IDS_MAX),
    )
    if "vector_stores" in resources:
        stores_path = (*path, "vector_stores")
        stores = _array(resources["vector_stores"], stores_path, limits.VECTOR_STORES_MAX)
        for index, store in enumerate(stores):
            _vector_store_helper(store, (*stores_path, index))


def _vector_store_helper(value: object, path: Path) -> None:
    store = _object(value, path)
    _only(store, path, ("file_ids", "chunking_strategy", "metadata"))
    _optional(
        store,
        path,
        "file_ids",
        lambda v, p: _string_items(v, p, limits.VECTOR_STORE_FILE_IDS_MAX),
    )
    _optional(store, path, "chunking_strategy", _chunking_strategy)
    _optional(store, path, "metadata", _nullable(_metadata))


def _chunking_strategy(value: object, path: Path) -> None:
    strategy = _object(value, path)
    kind = _enum(_required(strategy, path, "type"), (*path, "type"), limits.CHUNKING_STRATEGY_TYPES)
    if kind == "auto":
        _only(strategy, path, ("type",))
        return
    _only(strategy, path, ("type", "static"))
    static_path = (*path, "static")
    static = _object(_required(strategy, path, "static"), static_path)
    _only(static, static_path, ("max_chunk_size_tokens", "chunk_overlap_tokens"))
    size = _integer(
        _required(static, static_path, "max_chunk_size_tokens"),
        (*static_path, "max_chunk_size_tokens"),
        limits.CHUNK_SIZE_TOKENS_MIN,
        limits.CHUNK_SIZE_TOKENS_MAX,
    )
    # "The overlap must not exceed half of max_chunk_size_tokens" is a description-only limit.
    _integer(
        _required(static, static_path, "chunk_overlap_tokens"),
        (*static_path, "chunk_overlap_tokens"),
        0,
        size // 2,
    )


def _response_format(value: object, path: Path) -> None:
    if isinstance(value, str):
        _enum(value, path, (limits.RESPONSE_FORMAT_AUTO,))
        return
    if not isinstance(value, dict):
        _wrong_type(path, "a string or an object", value)
    kind = _enum(_required(value, path, "type"), (*path, "type"), limits.RESPONSE_FORMAT_TYPES)
    if kind != "json_schema":
        _only(value, path, ("type",))
        return
    _only(value, path, ("type", "json_schema"))
    schema_path = (*path, "json_schema")
    schema = _object(_required(value, path, "json_schema"), schema_path)
    _only(schema, schema_path, ("name", "description", "schema", "strict"))
    _pattern(_required(schema, schema_path, "name"), (*schema_path, "name"), _JSON_SCHEMA_NAME)
    _optional(schema, schema_path, "description", _string)
    _optional(schema, schema_path, "schema", _object)
    _optional(schema, schema_path, "strict", _nullable(_boolean))
