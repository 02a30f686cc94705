"""Rebuild a lost or broken state from the live assistants' ownership tags.

Every assistant assistform creates carries `key@lineage` in its metadata, so the live set
alone says which assistant each key manages. What it cannot say is what was applied
through fields the API never returns (`reasoning_effort`): those are recorded as unknown
(None), and the next plan sets them again if a spec asks for them.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from assistform.api.live import LiveAssistant, LiveSet
from assistform.errors import PlanError, UsageError
from assistform.normalize import STATE_ONLY_FIELDS
from assistform.state import ResourceState, State


@dataclass(frozen=True)
class Rebuilt:
    state: State
    #: (key, assistant) recorded, in key order.
    recorded: list[tuple[str, LiveAssistant]]
    warnings: list[str]


def choose_lineage(live: LiveSet, given: str | None, current: str | None) -> str:
    """The lineage to rebuild: --lineage, else the current state's, else the only one live."""
    if given is not None:
        return given
    if current is not None:
        return current
    counts = Counter(a.tag.lineage for a in live.managed() if a.tag is not None)
    if not counts:
        raise PlanError(
            "no live assistant carries an assistform ownership tag: nothing to rebuild from"
        )
    if len(counts) > 1:
        found = ", ".join(f"{lineage} ({n})" for lineage, n in sorted(counts.items()))
        raise UsageError(f"live assistants carry tags of several lineages: {found}; pass --lineage")
    return next(iter(counts))


def rebuild(
    live: LiveSet,
    lineage: str,
    *,
    serial: int,
    keep: frozenset[str] = frozenset(),
    lifecycles: Mapping[str, dict[str, Any]] | None = None,
) -> Rebuilt:
    """A state recording, per key, the live assistant tagged `key@lineage`.

    Refuses when several live assistants claim one key and `keep` names none of them.
    """
    lifecycles = lifecycles or {}
    claims: dict[str, list[LiveAssistant]] = defaultdict(list)
    others = 0
    for assistant in live.managed():
        assert assistant.tag is not None
        if assistant.tag.lineage == lineage:
            claims[assistant.tag.key].append(assistant)
        else:
            others += 1
    unknown = keep - {a.id for found in claims.values() for a in found}
    if unknown:
        raise UsageError(
            f"--keep {', '.join(sorted(unknown))}: no such assistant of lineage {lineage}"
        )
    conflicts: list[str] = []
    recorded: list[tuple[str, LiveAssistant]] = []
    for key in sorted(claims):
        found = claims[key]
        kept = [a for a in found if a.id in keep] if len(found) > 1 else found
        if len(kept) != 1:
            conflicts.append(f"'{key}' is claimed by {', '.join(a.id for a in found)}")
            continue
        recorded.append((key, kept[0]))
    if conflicts:
        raise PlanError(
            "cannot rebuild: " + "; ".join(conflicts) + ". Say which to keep with --keep ID "
            "(the others stay live; the next plan deletes them as duplicates)"
        )
    resources = {
        key: ResourceState(id=a.id, applied=_applied(a), lifecycle=dict(lifecycles.get(key, {})))
        for key, a in recorded
    }
    warnings = []
    if others:
        warnings.append(
            f"{others} live assistant(s) tagged with other lineages were not recorded "
            "(another environment's? pass --lineage to rebuild that one)"
        )
    return Rebuilt(State(lineage=lineage, serial=serial, resources=resources), recorded, warnings)


def _applied(assistant: LiveAssistant) -> dict[str, Any]:
    config = dict(assistant.config)  # a copy: the live assistant is what the server holds
    for name in STATE_ONLY_FIELDS:
        config[name] = None
    return config
