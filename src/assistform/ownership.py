"""The ownership tag: one metadata pair on every assistant assistform manages.

Like Argo CD's tracking label, it lets a listing find our assistants without the state file
(a lost state, or a create whose answer never came) and keeps us off everyone else's.
One pair only, because a user's metadata shares the API's limit of 16.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from assistform import limits

TAG_KEY = "assistform"
#: Metadata pairs left for the user once the tag takes its one.
USER_METADATA_MAX = limits.METADATA_PAIRS_MAX - 1
#: `<key>@<lineage>`: the lineage is a uuid (36 characters) plus the separator.
KEY_MAX = limits.METADATA_VALUE_MAX - 37


@dataclass(frozen=True)
class OwnershipTag:
    key: str
    lineage: str

    def value(self) -> str:
        return f"{self.key}@{self.lineage}"


def tag_of(metadata: Any) -> OwnershipTag | None:
    """The tag in a live assistant's metadata, if it carries a well-formed one."""
    if not isinstance(metadata, dict):
        return None
    raw = metadata.get(TAG_KEY)
    if not isinstance(raw, str) or "@" not in raw:
        return None
    key, _, lineage = raw.rpartition("@")
    return OwnershipTag(key, lineage) if key else None


def with_tag(metadata: dict[str, str] | None, tag: OwnershipTag) -> dict[str, str]:
    return {**(metadata or {}), TAG_KEY: tag.value()}


def without_tag(metadata: dict[str, Any] | None) -> dict[str, Any]:
    return {k: v for k, v in (metadata or {}).items() if k != TAG_KEY}
