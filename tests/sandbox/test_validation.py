"""The pure validation functions, and the test tables checked against the spec itself."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from assistform import limits
from assistform.sandbox.validation import (
    Invalid,
    ListQuery,
    render_param,
    validate_create,
    validate_list_query,
    validate_modify,
)

from .cases import ACCEPTED, COVERED_ELSEWHERE, REFUSED, Refused


def _validate(case: Refused) -> Invalid | None:
    return validate_create(case.body) if case.op == "create" else validate_modify(case.body)


@pytest.mark.parametrize("case", REFUSED, ids=lambda c: c.id)
def test_refused_bodies_name_the_param(case: Refused) -> None:
    invalid = _validate(case)
    assert invalid is not None
    assert (invalid.param, invalid.code) == (case.param, case.code)
    assert invalid.message


@pytest.mark.parametrize(
    ("body", "_expected"), [c[1:] for c in ACCEPTED], ids=[c[0] for c in ACCEPTED]
)
def test_accepted_bodies_pass(body: dict[str, Any], _expected: Any) -> None:
    assert validate_create(body) is None
    assert validate_modify({k: v for k, v in body.items()}) is None


@pytest.mark.parametrize("case", REFUSED, ids=lambda c: c.id)
def test_table_agrees_with_the_spec_schema(
    case: Refused, schema_accepts: Callable[[str, Any], bool]
) -> None:
    """`schema_rejects` is true exactly when the JSON schema refuses the body too; the
    other cases are limits written only in descriptions, or rules of the service."""
    name = "CreateAssistantRequest" if case.op == "create" else "ModifyAssistantRequest"
    assert schema_accepts(name, case.body) is not case.schema_rejects


@pytest.mark.parametrize(
    ("body", "_expected"), [c[1:] for c in ACCEPTED], ids=[c[0] for c in ACCEPTED]
)
def test_accepted_bodies_are_valid_per_spec(
    body: dict[str, Any], _expected: Any, schema_accepts: Callable[[str, Any], bool]
) -> None:
    assert schema_accepts("CreateAssistantRequest", body)


def _constrained_params(spec: dict[str, Any], schema: Any, path: tuple[str | int, ...]) -> set[str]:
    """Params of every limit in a request schema (type checks aside)."""
    if "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    found: set[str] = set()
    limit_keywords = {"maxLength", "minLength", "maxItems", "minItems", "maxProperties"}
    limit_keywords |= {"minimum", "maximum", "enum", "pattern", "const"}
    if path and limit_keywords & schema.keys():
        found.add(render_param(path) or "")
    for branch in schema.get("anyOf", []) + schema.get("oneOf", []) + schema.get("allOf", []):
        found |= _constrained_params(spec, branch, path)
    for name in schema.get("required", []):
        found.add(render_param((*path, name)) or "")
    for name, sub in schema.get("properties", {}).items():
        found |= _constrained_params(spec, sub, (*path, name))
    if isinstance(schema.get("items"), dict):
        found |= _constrained_params(spec, schema["items"], (*path, 0))
    return found


def test_every_limit_of_the_spec_has_a_refused_case(openapi_spec: dict[str, Any]) -> None:
    schemas = openapi_spec["components"]["schemas"]
    wanted = set()
    for name in ("CreateAssistantRequest", "ModifyAssistantRequest"):
        wanted |= _constrained_params(openapi_spec, schemas[name], ())

    def normalized(param: str) -> str:
        # Any index stands for "some item": tools[1] covers tools[0].
        return param.replace("[1]", "[0]")

    covered = {normalized(c.param) for c in REFUSED if c.param} | set(COVERED_ELSEWHERE)
    covered |= {p for c in REFUSED for p in c.covers}
    assert sorted(wanted - covered) == []


def test_vector_store_file_ids_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    # 100,000,000 ids cannot be sent in a test; the check reads the limit at call time.
    monkeypatch.setattr(limits, "VECTOR_STORE_FILE_IDS_MAX", 2)
    body: dict[str, Any] = {
        "model": "m",
        "tool_resources": {"file_search": {"vector_stores": [{"file_ids": ["a", "b", "c"]}]}},
    }
    invalid = validate_create(body)
    assert invalid is not None
    assert invalid.param == "tool_resources.file_search.vector_stores[0].file_ids"
    assert invalid.code == "array_above_max_length"
    body["tool_resources"]["file_search"]["vector_stores"][0]["file_ids"] = ["a", "b"]
    assert validate_create(body) is None


def test_first_error_wins_in_field_order() -> None:
    invalid = validate_create({"model": "m", "top_p": 5, "name": 5, "temperature": 5})
    assert invalid is not None and invalid.param == "name"


def test_modify_takes_an_empty_body_and_needs_no_model() -> None:
    assert validate_modify({}) is None
    assert validate_modify({"name": "x"}) is None


def test_messages_speak_openai() -> None:
    invalid = validate_create({"model": "m", "name": "n" * (limits.NAME_MAX + 1)})
    assert invalid is not None
    assert invalid.message == (
        f"Invalid 'name': string too long. Expected a string with maximum length "
        f"{limits.NAME_MAX}, but got a string with length {limits.NAME_MAX + 1} instead."
    )
    missing = validate_create({})
    assert missing is not None and missing.message == "Missing required parameter: 'model'."


def test_render_param() -> None:
    assert render_param(()) is None
    assert render_param(("tools", 0, "function", "name")) == "tools[0].function.name"
    assert render_param(("metadata", "team")) == "metadata.team"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ListQuery(limits.LIST_LIMIT_DEFAULT, True, None, None)),
        ({"limit": "100", "order": "asc", "after": "a"}, ListQuery(100, False, "a", None)),
        ({"limit": "1", "before": "b", "ignored": "x"}, ListQuery(1, True, None, "b")),
    ],
)
def test_list_query(query: dict[str, str], expected: ListQuery) -> None:
    assert validate_list_query(query) == expected


@pytest.mark.parametrize(
    ("query", "param", "code"),
    [
        ({"limit": "0"}, "limit", "integer_below_min_value"),
        ({"limit": str(limits.LIST_LIMIT_MAX + 1)}, "limit", "integer_above_max_value"),
        ({"limit": "ten"}, "limit", "invalid_type"),
        ({"limit": "1.5"}, "limit", "invalid_type"),
        ({"order": "up"}, "order", "invalid_value"),
    ],
)
def test_list_query_refused(query: dict[str, str], param: str, code: str) -> None:
    invalid = validate_list_query(query)
    assert isinstance(invalid, Invalid)
    assert (invalid.param, invalid.code) == (param, code)
