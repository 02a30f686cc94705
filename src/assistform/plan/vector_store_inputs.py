"""What every vector store's plan reads besides its own spec, record and live store."""

from __future__ import annotations

from dataclasses import dataclass

from assistform.knowledge.desired import DesiredFile
from assistform.knowledge.live import LiveKnowledge
from assistform.ownership import OwnershipTag
from assistform.plan.model import Reason
from assistform.state import State


@dataclass(frozen=True)
class StoreInputs:
    state: State
    live: LiveKnowledge | None
    lineage: str
    env: str | None
    files: dict[str, DesiredFile]
    #: Path -> the file's id once applied (a reference when it is uploaded by this plan).
    file_ids: dict[str, str]
    #: Path -> the reasons of its file's change (absent: its upload stays).
    file_reasons: dict[str, list[Reason]]
    #: Ids assistants' specs name literally: never deleted.
    in_use: frozenset[str] = frozenset()

    def tag(self, key: str) -> OwnershipTag:
        """The ownership tag of the store `key` in this lineage and environment."""
        return OwnershipTag(key, self.lineage, self.env)
