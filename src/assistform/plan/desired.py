"""What the repository asks for: specs turned into API request bodies and normalized form."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from assistform.normalize import Config, normalize
from assistform.spec.load import LoadedSpec, display


@dataclass(frozen=True)
class DesiredAssistant:
    key: str
    #: The create-request fields the spec sets (API shapes), without the ownership tag.
    request: dict[str, Any]
    lifecycle: dict[str, Any] = field(default_factory=dict)
    source: str | None = None

    @cached_property
    def config(self) -> Config:
        """The fields the spec declares, normalized once; read-only."""
        return normalize(self.request, fields=self.request)


def desired_from(specs: list[LoadedSpec]) -> list[DesiredAssistant]:
    return [
        DesiredAssistant(
            key=s.key,
            request=s.spec.request_fields(),
            lifecycle=s.spec.lifecycle.as_dict(),
            source=display(s.path),
        )
        for s in specs
    ]
