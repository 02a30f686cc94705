"""Fixtures of the sandbox tests: the official OpenAPI spec and schema checks against it.

The spec is test-only: the installed product never reads it. It is looked for beside the
repository, at `<repo parent>/shared/openai-openapi/openapi.yaml`.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SPEC_PATH = REPO_ROOT.parent / "shared" / "openai-openapi" / "openapi.yaml"
SPEC_URI = "urn:openai-openapi"

SchemaCheck = Callable[[str, Any], None]


def _load_yaml(path: Path) -> Any:
    try:
        import yaml  # libyaml parses the 3 MB spec in well under a second

        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        with path.open("rb") as handle:
            return yaml.load(handle, Loader=loader)
    except ImportError:
        from ruamel.yaml import YAML

        with path.open("rb") as handle:
            return YAML(typ="safe").load(handle)


#: The schemas these tests check against; `openapi_spec` keeps these and all they reference.
SCHEMAS_USED = (
    "CreateAssistantRequest",
    "ModifyAssistantRequest",
    "AssistantObject",
    "ListAssistantsResponse",
    "DeleteAssistantResponse",
    "ErrorResponse",
)


def _referenced(schemas: dict[str, Any], roots: tuple[str, ...]) -> dict[str, Any]:
    keep: dict[str, Any] = {}
    todo = list(roots)
    while todo:
        name = todo.pop()
        if name in keep:
            continue
        keep[name] = schemas[name]
        text = json.dumps(schemas[name])
        todo += re.findall(r'"#/components/schemas/([^"]+)"', text)
    return keep


@pytest.fixture(scope="session")
def openapi_spec(pytestconfig: pytest.Config) -> dict[str, Any]:
    """`{"components": {"schemas": ...}}`: the part of the official spec these tests use.

    Parsing the 3 MB YAML costs a second or more, so the extract is kept in pytest's
    cache, keyed by the spec's hash.
    """
    if not SPEC_PATH.is_file():
        pytest.skip(
            f"OpenAI OpenAPI spec not found at {SPEC_PATH} "
            "(expected shared/openai-openapi/openapi.yaml beside the repository)"
        )
    digest = hashlib.sha256(SPEC_PATH.read_bytes()).hexdigest()[:16]
    cache = getattr(pytestconfig, "cache", None)
    key = f"assistform/openapi-extract-{digest}"
    extract = cache.get(key, None) if cache is not None else None
    if extract is None:
        spec = _load_yaml(SPEC_PATH)
        extract = {
            "components": {"schemas": _referenced(spec["components"]["schemas"], SCHEMAS_USED)}
        }
        if cache is not None:
            cache.set(key, extract)
    assert isinstance(extract, dict)
    return extract


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
