"""Fixtures of the sandbox tests: the official OpenAPI spec and schema checks against it.

The spec is test-only: the installed product never reads it. The tests read the part of it
carried in the repository (`tests/official_spec.py`), so they run in every CI.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from official_spec import openapi

SPEC_URI = "urn:openai-openapi"

SchemaCheck = Callable[[str, Any], None]


@pytest.fixture(scope="session")
def openapi_spec() -> dict[str, Any]:
    """`{"components": {"schemas": ...}}`: the part of the official spec these tests use."""
    return openapi()


@pytest.fixture(scope="session")
def assert_schema(openapi_spec: dict[str, Any]) -> SchemaCheck:
    """`assert_schema("AssistantObject", body)` fails listing every violation."""
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    registry: Registry[Any] = Registry().with_resource(
        SPEC_URI, Resource.from_contents(openapi_spec, default_specification=DRAFT202012)
    )
    validators: dict[str, Draft202012Validator] = {}

    def check(name: str, instance: Any) -> None:
        if name not in openapi_spec["components"]["schemas"]:
            raise KeyError(f"no schema {name!r} in the spec")
        validator = validators.get(name)
        if validator is None:
            ref = {"$ref": f"{SPEC_URI}#/components/schemas/{name}"}
            validator = validators[name] = Draft202012Validator(ref, registry=registry)
        errors = [
            f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}"
            for e in validator.iter_errors(instance)
        ]
        assert not errors, f"{name} violated:\n" + "\n".join(errors)

    return check


@pytest.fixture(scope="session")
def schema_accepts(
    openapi_spec: dict[str, Any], assert_schema: SchemaCheck
) -> Callable[[str, Any], bool]:
    """Whether the spec's schema accepts an instance (for cross-checking test tables)."""

    def accepts(name: str, instance: Any) -> bool:
        try:
            assert_schema(name, instance)
        except AssertionError:
            return False
        return True

    return accepts
