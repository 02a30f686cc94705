"""Hand-made inputs of the planner: desired assistants, a state, a live set. No server.

Live assistants are written the way a faithful server returns them (every default
filled, our tag in metadata), so planner tests also exercise normalization.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from assistform.normalize import normalize
from assistform.ownership import TAG_KEY, VERSION_KEY, OwnershipTag
from assistform.plan.desired import DesiredAssistant
from assistform.plan.live import LiveAssistant, LiveSet
from assistform.plan.model import Plan
from assistform.plan.planner import LIFECYCLE_DEFAULTS, PlanOptions, make_plan
from assistform.state import ResourceState, State, Version

LINEAGE = "11111111-1111-4111-8111-111111111111"
FOREIGN = "22222222-2222-4222-8222-222222222222"
NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
BASE: dict[str, Any] = {"model": "gpt-4o", "name": "Bot", "instructions": "Be brief."}


def spec(key: str, lifecycle: dict[str, Any] | None = None, **fields: Any) -> DesiredAssistant:
    """A spec's desired assistant: BASE plus `fields` (None removes a BASE field)."""
    request = {k: v for k, v in {**BASE, **fields}.items() if v is not None}
    return DesiredAssistant(
        key=key,
        request=request,
        lifecycle={**LIFECYCLE_DEFAULTS, **(lifecycle or {})},
        source=f"assistants/{key}.yaml",
    )


def served(body: dict[str, Any]) -> dict[str, Any]:
    """What a faithful server returns for `body`: every field, defaults filled in."""
    tools = []
    for tool in body.get("tools", []):
        tool = dict(tool)
        if tool["type"] == "function":
            tool["function"] = {"strict": False, **tool["function"]}
        if tool["type"] == "file_search":
            options = dict(tool.get("file_search") or {})
            options["ranking_options"] = {
                "ranker": "auto",
                "score_threshold": 0.0,
                **options.get("ranking_options", {}),
            }
            tool["file_search"] = options
        tools.append(tool)
    return {
        "name": None,
        "description": None,
        "instructions": None,
        "tool_resources": {},
        "metadata": {},
        "temperature": 1.0,
        "top_p": 1.0,
        "response_format": "auto",
        **{k: v for k, v in body.items() if k != "reasoning_effort"},
        "tools": tools,
    }


def live(
    assistant_id: str,
    key: str | None,
    *,
    lineage: str = LINEAGE,
    env: str | None = None,
    legacy: bool = False,
    created_at: int = 1_700_000_000,
    **fields: Any,
) -> LiveAssistant:
    """A live assistant tagged `key@lineage@env` as assistform tags it (`key@lineage` with
    `legacy`, as older versions did; untagged for key None), as BASE + `fields`."""
    body = {k: v for k, v in {**BASE, **fields}.items() if v is not None}
    metadata = dict(body.pop("metadata", {}))
    if key is not None:
        metadata[TAG_KEY] = OwnershipTag(key, lineage, env, legacy=legacy).value()
    raw = {
        "id": assistant_id,
        "object": "assistant",
        "created_at": created_at,
        **served({**body, "metadata": metadata}),
    }
    return LiveAssistant(assistant_id, raw)


def recorded(
    assistant_id: str, lifecycle: dict[str, Any] | None = None, **fields: Any
) -> ResourceState:
    """A state entry: `assistant_id` last applied as BASE + `fields`, and what a faithful
    server answered to that."""
    body = {k: v for k, v in {**BASE, **fields}.items() if v is not None}
    return ResourceState(
        id=assistant_id,
        applied=normalize(body, fields=body),
        observed=normalize(served(body)),
        lifecycle={**LIFECYCLE_DEFAULTS, **(lifecycle or {})},
    )


def recorded_v1(
    assistant_id: str, lifecycle: dict[str, Any] | None = None, **fields: Any
) -> ResourceState:
    """A state entry as assistform wrote it before observations: every field applied, with
    OpenAI's documented defaults filled in, and no observation."""
    body = {k: v for k, v in {**BASE, **fields}.items() if v is not None}
    applied = normalize(served(body))
    applied["reasoning_effort"] = body.get("reasoning_effort")
    return ResourceState(
        id=assistant_id, applied=applied, lifecycle={**LIFECYCLE_DEFAULTS, **(lifecycle or {})}
    )


BLUE_GREEN = {"strategy": "blue-green", "keep_versions": 2}


def versioned(
    current: int, kept: dict[int, str], lifecycle: dict[str, Any] | None = None, **fields: Any
) -> ResourceState:
    """A blue-green state entry: version `current` of the `kept` ones ({number: id})."""
    entry = recorded(kept[current], lifecycle or BLUE_GREEN, **fields)
    versions = [Version(version=n, id=i) for n, i in sorted(kept.items())]
    return entry.model_copy(update={"version": current, "versions": versions})


def version(assistant_id: str, key: str, number: int, **fields: Any) -> LiveAssistant:
    """A live blue-green version: tagged for `key` and with its version number."""
    return live(assistant_id, key, metadata={VERSION_KEY: str(number)}, **fields)


def state(serial: int = 7, **resources: ResourceState) -> State:
    """A state of LINEAGE; keys with '/' are passed as a dict: state(**{"a/b": ...})."""
    return State(lineage=LINEAGE, serial=serial, resources=resources)


def plan(
    desired: list[DesiredAssistant],
    current: State,
    assistants: list[LiveAssistant] | None,
    *,
    targets: tuple[str, ...] = (),
    replace: tuple[str, ...] = (),
    requests: int = 1,
    env: str | None = None,
) -> Plan:
    """The planner's answer; `assistants` None plans with --no-refresh."""
    live_set = None if assistants is None else LiveSet(list(assistants), requests=requests)
    options = PlanOptions(
        state_path="state/assistform.json",
        tool_version="0.0.test",
        targets=targets,
        replace=replace,
        env=env,
    )
    return make_plan(desired, current, live_set, options, now=NOW)
