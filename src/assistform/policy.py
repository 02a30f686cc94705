"""Policy: the rules of assistform.yaml applied to loaded specs. Pure: specs in, diagnostics out.

A broken rule is an error like any other, placed at the offending value (which may come
from an overlay or an override), or at the spec's first line when the field is absent.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from assistform import limits
from assistform.errors import Diagnostic, SourceLocation

if TYPE_CHECKING:
    from assistform.config import Policy
    from assistform.spec.load import LoadedSpec


def check(specs: Iterable[LoadedSpec], policy: Policy) -> list[Diagnostic]:
    return [d for loaded in specs for d in check_spec(loaded, policy)]


def check_spec(loaded: LoadedSpec, policy: Policy) -> list[Diagnostic]:
    spec, document = loaded.spec, loaded.document
    first_line = SourceLocation(document.path, 1, 1)
    found: list[Diagnostic] = []

    def error(where: SourceLocation, text: str, rule: str) -> None:
        found.append(Diagnostic(where, f"{text} (policy {rule})"))

    if policy.allowed_models is not None and not any(
        fnmatch.fnmatchcase(spec.model, pattern) for pattern in policy.allowed_models
    ):
        allowed = ", ".join(policy.allowed_models)
        error(
            loaded.location("model"),
            f"model '{spec.model}' is not allowed; allowed: {allowed}",
            "allowed_models",
        )

    metadata = spec.metadata or {}
    for required in policy.required_metadata:
        if required not in metadata:
            where = (
                document.location(("metadata",), key=True)
                if spec.metadata is not None
                else first_line
            )
            error(where, f"metadata must set the key '{required}'", "required_metadata")

    if policy.name_pattern is not None:
        if spec.name is None:
            error(
                first_line,
                f"name is required and must match {policy.name_pattern!r}",
                "name_pattern",
            )
        elif not re.search(policy.name_pattern, spec.name):
            error(
                loaded.location("name"),
                f"name {spec.name!r} does not match {policy.name_pattern!r}",
                "name_pattern",
            )

    ceiling = policy.max_temperature
    if ceiling is not None:
        if spec.temperature is not None and spec.temperature > ceiling:
            error(
                loaded.location("temperature"),
                f"temperature {spec.temperature:g} is above the largest allowed, {ceiling:g}",
                "max_temperature",
            )
        elif spec.temperature is None and ceiling < limits.TEMPERATURE_DEFAULT:
            error(
                first_line,
                f"temperature is not set, so the server's default {limits.TEMPERATURE_DEFAULT:g} "
                f"applies, above the largest allowed, {ceiling:g}: set temperature",
                "max_temperature",
            )

    for index, tool in enumerate(spec.tools):
        if tool.type in policy.forbidden_tools:
            error(
                loaded.location("tools", index, "type"),
                f"tool '{tool.type}' is forbidden",
                "forbidden_tools",
            )

    protected = [p for p in policy.prevent_destroy if fnmatch.fnmatchcase(loaded.key, p)]
    if protected and not spec.lifecycle.prevent_destroy:
        where = (
            loaded.location("lifecycle", "prevent_destroy")
            if "prevent_destroy" in spec.lifecycle.model_fields_set
            else first_line
        )
        error(
            where,
            f"key '{loaded.key}' matches '{protected[0]}': set lifecycle.prevent_destroy: true",
            "prevent_destroy",
        )
    return found
