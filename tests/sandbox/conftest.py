"""Fixtures of the sandbox tests: the official OpenAPI spec and schema checks against it.

The spec is test-only: the installed product never reads it. The tests read the part of it
carried in the repository (`tests/official_spec.py`), so they run in every CI.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

from assistform.sandbox import AssistantsService, SandboxServer
from official_spec import openapi

if TYPE_CHECKING:
    import openai

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


class FakeClock:
    """A service clock that moves only when a test steps it."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def step(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Connected:
    """An SDK client and the service that answers it."""

    client: openai.OpenAI
    service: AssistantsService
    clock: FakeClock


@pytest.fixture
def sandbox_profile() -> str:
    """The profile of `connected`; override with `@pytest.mark.parametrize("sandbox_profile",
    ["files-only"])`."""
    return "faithful"


@pytest.fixture(params=["http", "inprocess"])
def connected(
    request: pytest.FixtureRequest,
    sandbox_profile: str,
    make_api_server: Callable[..., SandboxServer],
) -> Iterator[Connected]:
    """The real SDK on a sandbox with a fake clock, over loopback HTTP and in-process."""
    from assistform.sandbox.inprocess import connect

    from .clients import loopback_client

    clock = FakeClock()
    if request.param == "http":
        server = make_api_server(profile=sandbox_profile)
        service = server.service
        client = loopback_client(server.base_url, max_retries=0)
    else:
        service = AssistantsService(profile=sandbox_profile)
        client = connect(service, max_retries=0, timeout=10.0)
    service.clock = clock
    yield Connected(client, service, clock)
    client.close()
