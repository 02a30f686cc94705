"""`assistform rollback`: point a blue-green key back at a version it keeps. State only.

Nothing is created or modified: the version is live already (one GET proves it). The state
then says what that version is: its id and number become current, and what it holds, read
from the server, becomes the record of what was applied and observed, so that the next plan
compares the spec with it and plans a new version (the spec and the live version differ, as
they should until the spec is rolled back too). Fields the API never returns
(`normalize.STATE_ONLY_FIELDS`) keep the value the state recorded for the version it left.
"""

from __future__ import annotations

from assistform.errors import AssistformError
from assistform.normalize import STATE_ONLY_FIELDS
from assistform.plan.live import LiveAssistant
from assistform.state import ResourceState, State, Version


class RollbackError(AssistformError):
    """A rollback that cannot be done: an unknown key or version."""


def target_version(state: State, key: str, to: int | None) -> Version:
    """The kept version to go back to: `to`, or the newest one before the current."""
    resource = state.resources.get(key)
    if resource is None:
        raise RollbackError(f"the state records no assistant for '{key}'")
    if not resource.versions or resource.version is None:
        raise RollbackError(
            f"'{key}' keeps no versions: rollback needs lifecycle.strategy blue-green "
            "and an apply that recorded its versions"
        )
    kept = ", ".join(str(v.version) for v in resource.versions)
    if to is None:
        older = [v for v in resource.versions if v.version < resource.version]
        if not older:
            raise RollbackError(
                f"'{key}' is at version {resource.version}, the oldest it keeps ({kept})"
            )
        return older[-1]
    found = resource.kept(to)
    if found is None:
        raise RollbackError(f"'{key}' keeps no version {to}; kept versions: {kept}")
    if to == resource.version:
        raise RollbackError(f"'{key}' is at version {to} already; kept versions: {kept}")
    return found


def rolled_back(resource: ResourceState, version: Version, live: LiveAssistant) -> ResourceState:
    """The key's record once `version` (read as `live`) is current again."""
    observed = live.config
    applied = {
        name: resource.applied.get(name) if name in STATE_ONLY_FIELDS else observed.get(name)
        for name in resource.applied
    }
    return resource.model_copy(
        update={
            "id": version.id,
            "version": version.version,
            "applied": applied,
            "observed": observed,
        }
    )
