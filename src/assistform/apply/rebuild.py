"""Rebuild a lost or broken state from the live assistants' ownership tags.

Every assistant assistform creates carries `key@lineage@env` in its metadata, so the live
set alone says which assistant each key of an environment manages. What it cannot say is what was applied
through fields the API never returns (`reasoning_effort`): those are recorded as unknown
(None), and the next plan sets them again if a spec asks for them.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from assistform.errors import PlanError, UsageError
from assistform.normalize import STATE_ONLY_FIELDS
from assistform.ownership import env_label, rebuild_commands, version_of
from assistform.plan.live import LiveAssistant, LiveSet
from assistform.state import ResourceState, State, Version


@dataclass(frozen=True)
class Rebuilt:
    state: State
    #: (key, assistant) recorded, in key order.
    recorded: list[tuple[str, LiveAssistant]]
    warnings: list[str]


def choose_lineage(
    live: LiveSet,
    given: str | None,
    current: str | None,
    env: str | None = None,
    *,
    sandbox: bool = False,
) -> str:
    """The lineage to rebuild: --lineage, else the current state's, else the only one live
    among the tags of environment `env`. Legacy tags (which name no environment) are never
    picked on a guess: they could be any environment's."""
    if given is not None:
        return given
    if current is not None:
        return current
    managed = [a.tag for a in live.managed() if a.tag is not None]
    counts = Counter(t.lineage for t in managed if t.of_env(env))
    if not counts:
        legacy = Counter(t.lineage for t in managed if t.legacy)
        if legacy:
            raise UsageError(
                f"no live assistant carries an ownership tag of {env_label(env)}; older tags "
                f"that name no environment carry {_lineages(legacy)}: they may be any "
                "environment's. If they are this one's, run "
                + rebuild_commands(env, legacy, sandbox=sandbox)
            )
        raise PlanError(
            f"no live assistant carries an assistform ownership tag of {env_label(env)}: "
            "nothing to rebuild from"
        )
    if len(counts) > 1:
        raise UsageError(
            f"live assistants carry tags of {env_label(env)} from several lineages: "
            f"{_lineages(counts)}; pass --lineage, e.g. "
            + rebuild_commands(env, [min(counts)], sandbox=sandbox)
        )
    return next(iter(counts))


def _lineages(counts: Counter[str]) -> str:
    return ", ".join(f"{lineage} ({n})" for lineage, n in sorted(counts.items()))


def rebuild(
    live: LiveSet,
    lineage: str,
    *,
    serial: int,
    env: str | None = None,
    legacy: bool = False,
    keep: frozenset[str] = frozenset(),
    lifecycles: Mapping[str, dict[str, Any]] | None = None,
    declared: Mapping[str, dict[str, Any]] | None = None,
    sandbox: bool = False,
) -> Rebuilt:
    """A state recording, per key, the live assistant tagged `key@lineage@env`, and with
    `legacy` (the lineage was named explicitly) the ones tagged `key@lineage` in the older
    form that names no environment. Another environment's assistants are never recorded.

    Refuses when several live assistants claim one key and `keep` names none of them.
    """
    lifecycles = lifecycles or {}
    claims: dict[str, list[LiveAssistant]] = defaultdict(list)
    others = 0
    elsewhere: Counter[str] = Counter()
    skipped_legacy = 0
    for assistant in live.managed():
        tag = assistant.tag
        assert tag is not None
        if tag.of_other_env(env):
            elsewhere[env_label(tag.env)] += 1
        elif tag.lineage != lineage:
            others += 1
        elif tag.legacy and not legacy:
            skipped_legacy += 1
        else:
            claims[tag.key].append(assistant)
    unknown = keep - {a.id for found in claims.values() for a in found}
    if unknown:
        raise UsageError(
            f"--keep {', '.join(sorted(unknown))}: no such assistant of lineage {lineage}"
        )
    conflicts: list[str] = []
    recorded: list[tuple[str, LiveAssistant]] = []
    versions: dict[str, list[Version]] = {}
    for key in sorted(claims):
        found = claims[key]
        numbered = _versions(found)
        if numbered and not keep & {a.id for a in found}:
            # Blue-green versions of one key: the newest is current, every one is kept.
            versions[key] = numbered
            recorded.append((key, next(a for a in found if a.id == numbered[-1].id)))
            continue
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
        key: _resource(a, (declared or {}).get(key), lifecycles.get(key, {})) for key, a in recorded
    }
    for key, numbered in versions.items():
        resources[key] = resources[key].model_copy(
            update={"version": numbered[-1].version, "versions": numbered}
        )
    warnings = []
    if others:
        warnings.append(
            f"{others} live assistant(s) tagged with other lineages were not recorded "
            "(another repository's? pass --lineage to rebuild that one)"
        )
    if elsewhere:
        owners = ", ".join(f"{n} of {owner}" for owner, n in sorted(elsewhere.items()))
        warnings.append(f"live assistants owned elsewhere were not recorded: {owners}")
    if skipped_legacy:
        warnings.append(
            f"{skipped_legacy} live assistant(s) carry older tags of lineage {lineage} that "
            "name no environment: not recorded (they may be another environment's); if they "
            "are this one's, run " + rebuild_commands(env, [lineage], sandbox=sandbox)
        )
    return Rebuilt(State(lineage=lineage, serial=serial, resources=resources), recorded, warnings)


def _versions(found: list[LiveAssistant]) -> list[Version]:
    """The blue-green versions among `found`, oldest first, when every one carries a
    distinct version tag; else none (a conflict, or a single in-place assistant)."""
    numbers = [version_of(a.raw.get("metadata")) for a in found]
    if len(found) < 2 or None in numbers or len(set(numbers)) != len(numbers):
        return []
    return sorted(
        (Version(version=n, id=a.id) for n, a in zip(numbers, found, strict=True) if n),
        key=lambda v: v.version,
    )


def _resource(
    assistant: LiveAssistant, declared: dict[str, Any] | None, lifecycle: dict[str, Any]
) -> ResourceState:
    """What the state records for a live assistant. With its spec: the spec's fields as
    applied (a field the live assistant does not hold is then planned as a change) and the
    live configuration as observed. Without one, which fields were declared is unknown: the
    live configuration as applied, no observation (the next plan records one)."""
    if declared is None:
        applied = dict(assistant.config)  # a copy: the live assistant is read-only
        observed = None
    else:
        applied, observed = dict(declared), assistant.config
    for name in STATE_ONLY_FIELDS:
        if name in applied:
            # Never returned: unknown, so a spec asking for one sets it again.
            applied[name] = None
    return ResourceState(
        id=assistant.id, applied=applied, observed=observed, lifecycle=dict(lifecycle)
    )
