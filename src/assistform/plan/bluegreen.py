"""Blue-green versions (`lifecycle.strategy: blue-green`): the planner's part, pure.

Under blue-green a change never modifies the live assistant: it creates a new one, the next
version, and the key's current version switches to it only once the apply has recorded it.
The state lists the versions kept live (`ResourceState.versions`, the current one among
them); those beyond `keep_versions`, oldest first, are deleted after the switch.

Every version carries the ownership tag of its key and the version tag
(`ownership.VERSION_KEY`). What the listing shows beyond the state's versions is therefore
told apart: a version-tagged assistant the state does not record is one an apply created
and was killed before recording (or was about to delete): it never became current, so
nothing points at it, and it is deleted (`unrecorded-version`) rather than adopted; the
change it was made for is planned again from the spec as it is now.
"""

from __future__ import annotations

from typing import Any

from assistform.ownership import version_of, with_version
from assistform.plan.desired import DesiredAssistant
from assistform.plan.live import LiveAssistant
from assistform.plan.model import Action, Reason, ResourceChange
from assistform.plan.tagged import delete_found
from assistform.state import ResourceState, Version

BLUE_GREEN = "blue-green"
KEEP_DEFAULT = 3


def is_blue_green(desired: DesiredAssistant | None, recorded: ResourceState | None) -> bool:
    """The spec's strategy; for a removed spec, whether the state records versions."""
    if desired is not None:
        return bool(desired.lifecycle.get("strategy") == BLUE_GREEN)
    return recorded is not None and bool(recorded.versions)


def is_version(assistant: LiveAssistant, recorded: ResourceState | None) -> bool:
    """A version of a blue-green key: recorded as kept, or carrying the version tag."""
    kept = recorded is not None and any(v.id == assistant.id for v in recorded.versions)
    return kept or version_of(assistant.raw.get("metadata")) is not None


def unrecorded_versions(
    versions: list[LiveAssistant], recorded: ResourceState | None, current_id: str | None
) -> list[LiveAssistant]:
    """The live versions the state does not record (see the module's note)."""
    kept = {v.id for v in recorded.versions} if recorded is not None else set()
    return [a for a in versions if a.id not in kept and a.id != current_id]


def delete_unrecorded(key: str, unrecorded: list[LiveAssistant]) -> list[ResourceChange]:
    changes = []
    for assistant in unrecorded:
        number = version_of(assistant.raw.get("metadata"))
        note = (
            f"version {number if number is not None else '?'} was created by an apply "
            "that did not finish (never current) or was being deleted: deleting it"
        )
        changes.append(
            delete_found(ResourceChange, key, assistant, Reason.UNRECORDED_VERSION, note)
        )
    return changes


def plan_versions(
    change: ResourceChange,
    desired: DesiredAssistant | None,
    recorded: ResourceState | None,
    *,
    live_ids: set[str] | None,
    current_version: int | None,
    create_body: dict[str, Any] | None,
    unrecorded: list[int],
) -> ResourceChange:
    """`change` (as the in-place planner chose it) as the blue-green steps that replace it.

    `live_ids` are the ids listed (None with --no-refresh: the state's versions are taken
    as live); `current_version` is the number of the version `change.id` names;
    `unrecorded` the numbers of the versions `unrecorded_versions` deletes (never reused).
    """
    keep = int((desired.lifecycle if desired else {}).get("keep_versions", KEEP_DEFAULT))
    kept = [
        v for v in (recorded.versions if recorded else []) if live_ids is None or v.id in live_ids
    ]
    if change.id is not None and all(v.id != change.id for v in kept):
        # The live assistant before blue-green (or adopted by its tag): its first version.
        kept.append(Version(version=current_version or 1, id=change.id))
        kept.sort(key=lambda v: v.version)
    numbers = [v.version for v in kept] + unrecorded
    if recorded is not None and recorded.version is not None:
        numbers.append(recorded.version)
    if change.action is Action.DELETE:
        # The spec is gone: every version goes with the current one.
        return change.model_copy(update={"prune": [v for v in kept if v.id != change.id]})
    if change.action is Action.NOOP and not change.forget:
        return _keep_current(change, recorded, kept, keep, current_version)
    if change.action is Action.NOOP:
        return change
    number = max(numbers, default=0) + 1
    prune = kept[: max(0, len(kept) + 1 - keep)]
    assert create_body is not None
    body = {**create_body, "metadata": with_version(create_body["metadata"], number)}
    return change.model_copy(
        update={
            "action": Action.CREATE if change.id is None else Action.REPLACE,
            "reasons": [*change.reasons, Reason.NEW_VERSION],
            "request": body,
            "version": number,
            "versions": kept[len(prune) :],
            "prune": prune,
        }
    )


def _keep_current(
    change: ResourceChange,
    recorded: ResourceState | None,
    kept: list[Version],
    keep: int,
    current_version: int | None,
) -> ResourceChange:
    """Nothing to change live: record the versions if the state does not hold them as they
    are, and delete those beyond keep_versions (never the current one)."""
    current = next((v for v in kept if v.id == change.id), None)
    number = current.version if current else current_version or 1
    older = [v for v in kept if v.id != change.id]
    prune = older[: max(0, len(kept) - keep)]
    versions = [v for v in kept if v not in prune]
    if prune:
        return change.model_copy(
            update={
                "action": Action.DELETE,
                "reasons": [*change.reasons, Reason.BEYOND_KEEP_VERSIONS],
                "version": number,
                "versions": versions,
                "prune": prune,
                "applied": change.applied or (recorded.applied if recorded else None),
            }
        )
    unchanged = recorded is not None and (recorded.version, recorded.versions) == (number, versions)
    if unchanged:
        return change
    applied = change.applied or (recorded.applied if recorded else None)
    return change.model_copy(
        update={
            "record": True,
            "version": number,
            "versions": versions,
            "applied": applied,
            "notes": [*change.notes, f"recording its versions: {_numbers(versions)}"],
        }
    )


def _numbers(versions: list[Version]) -> str:
    return ", ".join(str(v.version) for v in versions) or "none"
