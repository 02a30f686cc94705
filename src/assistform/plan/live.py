"""Live assistants as read from a server: plain data, the planner's input.

They live beside the planner, which so imports nothing from `api/`; the client builds them
(`assistform.api.live` re-exports them for the code that imported them from there).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from assistform.normalize import Config, fingerprint, normalize
from assistform.ownership import OwnershipTag, tag_of


@dataclass(frozen=True)
class LiveAssistant:
    """One assistant as read. Derived values are computed once (a plan asks for them many
    times per assistant); treat `raw` and `config` as read-only."""

    id: str
    raw: dict[str, Any]

    @cached_property
    def tag(self) -> OwnershipTag | None:
        return tag_of(self.raw.get("metadata"))

    @cached_property
    def config(self) -> Config:
        return normalize(self.raw)

    @cached_property
    def fingerprint(self) -> str:
        # The tag is part of it: a saved plan made while the tag was there is stale once
        # someone removes it (the plan's requests assumed it).
        tag = None if self.tag is None else self.tag.value()
        return fingerprint({"id": self.id, "config": self.config, "tag": tag})

    @property
    def label(self) -> str:
        name = self.raw.get("name")
        return f"{self.id} ({name})" if name else self.id


@dataclass
class LiveSet:
    """Every assistant one listing returned, deduplicated by id."""

    assistants: list[LiveAssistant] = field(default_factory=list)
    requests: int = 0
    warnings: list[str] = field(default_factory=list)
    #: False when the listing could not be sure it saw every assistant (a full page and no
    #: way forward): nothing may be concluded from an assistant's absence then.
    complete: bool = True
    #: What it could not see and why, when not `complete`.
    gap: str | None = None

    def by_id(self) -> dict[str, LiveAssistant]:
        return {a.id: a for a in self.assistants}

    def managed(self) -> list[LiveAssistant]:
        return [a for a in self.assistants if a.tag is not None]

    def unmanaged(self) -> list[LiveAssistant]:
        return [a for a in self.assistants if a.tag is None]
