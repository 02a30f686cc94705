"""The planner: a pure function from (desired, state, live) to a `Plan`. No I/O, no clock.

For every key it finds the live assistant it manages (by the id the state records, else by
ownership tag: adoption), compares the normalized desired configuration with the live one
(or with the state, for fields the API never returns), and picks one action. Drift is a live
value that left what was last applied.
"""

from __future__ import annotations

import fnmatch
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from assistform.api.live import LiveAssistant, LiveSet
from assistform.errors import PlanError
from assistform.normalize import (
    FIELDS,
    RESET_VALUES,
    STATE_ONLY_FIELDS,
    Config,
    fingerprint,
    uses_vector_store_helper,
)
from assistform.ownership import OwnershipTag, with_tag
from assistform.plan.desired import DesiredAssistant
from assistform.plan.fielddiff import field_changes, to_field_changes
from assistform.plan.incomplete import refuse_on_incomplete_listing
from assistform.plan.model import Action, LiveRef, Plan, Reason, ResourceChange, StateRef
from assistform.spec.model import Lifecycle
from assistform.state import ResourceState, State

LIFECYCLE_DEFAULTS = Lifecycle().model_dump(mode="json")


@dataclass(frozen=True)
class PlanOptions:
    state_path: str
    tool_version: str
    #: Keys (or glob patterns) to plan; empty means every key.
    targets: tuple[str, ...] = ()
    #: Keys to replace even if nothing changed.
    replace: tuple[str, ...] = ()
    env: str | None = None
    server: str | None = None


@dataclass
class _Context:
    state: State
    live: LiveSet | None
    options: PlanOptions
    by_id: dict[str, LiveAssistant] = field(default_factory=dict)
    by_key: dict[str, list[LiveAssistant]] = field(default_factory=lambda: defaultdict(list))


def make_plan(
    desired: list[DesiredAssistant],
    state: State,
    live: LiveSet | None,
    options: PlanOptions,
    *,
    now: datetime,
) -> Plan:
    """Plan the changes that make `live` match `desired`. `live` is None with --no-refresh."""
    warnings: list[str] = list(live.warnings) if live else []
    wanted = {d.key: d for d in desired}
    if live is not None:
        state = _recover_lost_state(state, live, set(wanted), warnings)
    ctx = _Context(state, live, options)
    if live is not None:
        ctx.by_id = live.by_id()
        for assistant in sorted(live.managed(), key=_age):
            assert assistant.tag is not None
            ctx.by_key[assistant.tag.key].append(assistant)
    keys = sorted(set(wanted) | set(state.resources) | set(ctx.by_key))
    selected = [k for k in keys if _selected(k, options.targets)]
    changes: list[ResourceChange] = []
    for target in options.targets:
        if not any(fnmatch.fnmatchcase(k, target) for k in keys):
            warnings.append(f"--target {target} matches no spec, state entry or live assistant")
    for key in selected:
        changes.extend(_plan_key(key, wanted.get(key), ctx, warnings))
    replaced = [c.key for c in changes if Reason.REPLACE_REQUESTED in c.reasons]
    for pattern in options.replace:
        if not any(fnmatch.fnmatchcase(k, pattern) for k in replaced):
            warnings.append(f"--replace {pattern} matches no assistant there is to replace")
    _refuse_destroying_protected(changes, wanted, state)
    refuse_on_incomplete_listing(changes, live)
    return Plan(
        tool_version=options.tool_version,
        created_at=now,
        state=StateRef(path=options.state_path, lineage=state.lineage, serial=state.serial),
        live=_live_ref(live, ctx),
        targets=list(options.targets),
        env=options.env,
        server=options.server,
        resource_changes=changes,
        warnings=warnings,
    )


def _recover_lost_state(
    state: State, live: LiveSet, wanted: set[str], warnings: list[str]
) -> State:
    """An empty state facing assistants we tagged for these very keys: the state was lost
    (or never committed). Planning creates would duplicate every one of them, so the plan
    takes their lineage and adopts them, as `state rebuild` would; a reviewer sees each
    adoption. Several lineages are ambiguous (several environments on one server?): refuse.
    """
    if state.resources or state.serial != 0:
        return state
    lineages = sorted(
        {a.tag.lineage for a in live.managed() if a.tag is not None and a.tag.key in wanted}
    )
    if not lineages:
        return state
    if len(lineages) > 1:
        raise PlanError(
            "the state is empty, but live assistants carry assistform tags of several "
            f"lineages for these specs ({', '.join(lineages)}): planning creates would "
            "duplicate them; pick one with `assistform state rebuild --lineage LINEAGE`"
        )
    warnings.append(
        f"the state is empty but live assistants carry tags of lineage {lineages[0]} for "
        "these specs: adopting them (was the state file lost?)"
    )
    return state.model_copy(update={"lineage": lineages[0]})


def _selected(key: str, targets: tuple[str, ...]) -> bool:
    return not targets or any(fnmatch.fnmatchcase(key, t) for t in targets)


def _age(assistant: LiveAssistant) -> tuple[float, str]:
    created = assistant.raw.get("created_at")
    return (float(created) if isinstance(created, int | float) else 0.0, assistant.id)


def _live_ref(live: LiveSet | None, ctx: _Context) -> LiveRef:
    if live is None:
        return LiveRef(refreshed=False)
    managed = sorted(a.fingerprint for a in live.managed())
    return LiveRef(
        refreshed=True,
        fingerprint=fingerprint(managed),
        assistants=len(live.assistants),
        unmanaged=len(live.unmanaged()),
        requests=live.requests,
    )


def _plan_key(
    key: str, desired: DesiredAssistant | None, ctx: _Context, warnings: list[str]
) -> list[ResourceChange]:
    recorded = ctx.state.resources.get(key)
    tag = OwnershipTag(key, ctx.state.lineage)
    current, extras = _find_live(key, recorded, ctx, warnings)
    changes: list[ResourceChange] = []
    if desired is None and recorded is None and current is None:
        pass  # only another lineage's assistants carry this key: not ours to plan
    elif desired is None:
        changes.append(_plan_removal(key, recorded, current, ctx))
    elif ctx.live is None:
        changes.append(_plan_offline(key, desired, recorded, tag, ctx.options))
    elif current is None:
        changes.append(_create(key, desired, tag, recorded))
    else:
        changes.append(_plan_existing(key, desired, recorded, current, tag, ctx.options))
    for extra in extras:
        changes.append(
            ResourceChange(
                key=key,
                action=Action.DELETE,
                id=extra.id,
                reasons=[Reason.DUPLICATE],
                before=extra.config,
                live_fingerprint=extra.fingerprint,
                notes=[f"duplicate of {key}: a second live assistant carries its ownership tag"],
            )
        )
    return changes


def _find_live(
    key: str, recorded: ResourceState | None, ctx: _Context, warnings: list[str]
) -> tuple[LiveAssistant | None, list[LiveAssistant]]:
    """The live assistant managing `key`, and the duplicates of ours to remove."""
    if ctx.live is None:
        return None, []
    tagged = ctx.by_key.get(key, [])
    ours = [a for a in tagged if a.tag and a.tag.lineage == ctx.state.lineage]
    current = ctx.by_id.get(recorded.id) if recorded else None
    if current is None and ours:
        # Only our own lineage is adopted: a foreign one belongs to another state (another
        # environment sharing the project), and taking it over would start a tug of war.
        current = ours[0]
    extras = [a for a in ours if current is None or a.id != current.id]
    foreign = [a for a in tagged if a not in ours and (current is None or a.id != current.id)]
    if extras:
        ids = ", ".join(a.id for a in extras)
        warnings.append(
            f"DUPLICATES: {len(extras) + 1} live assistants carry the tag of '{key}'; "
            f"keeping {current.id if current else '?'}, deleting {ids}"
        )
    if foreign:
        ids = ", ".join(a.id for a in foreign)
        warnings.append(
            f"live assistant(s) {ids} carry the key '{key}' from another state lineage: "
            "not touched (another environment's? if this state was lost, run "
            "`assistform state rebuild` instead of applying)"
        )
    return current, extras


def _create(
    key: str, desired: DesiredAssistant, tag: OwnershipTag, recorded: ResourceState | None
) -> ResourceChange:
    reasons = [Reason.DELETED_OUTSIDE] if recorded else [Reason.NEW_SPEC]
    notes = [f"{recorded.id} was deleted outside assistform; creating it again"] if recorded else []
    return ResourceChange(
        key=key,
        action=Action.CREATE,
        reasons=reasons,
        after=desired.config,
        request=_create_body(desired, tag),
        source=desired.source,
        lifecycle=desired.lifecycle,
        notes=notes,
    )


def _create_body(desired: DesiredAssistant, tag: OwnershipTag) -> dict[str, Any]:
    body = dict(desired.request)
    body["metadata"] = with_tag(desired.request.get("metadata"), tag)
    return body


def _comparable(live: LiveAssistant, desired: Config, recorded: ResourceState | None) -> Config:
    """The live configuration, with what the API does not return taken from the state."""
    current = dict(live.config)
    applied = recorded.applied if recorded else {}
    for name in STATE_ONLY_FIELDS:
        current[name] = applied.get(name)
    if uses_vector_store_helper(desired) and uses_vector_store_helper(applied):
        # The server turned the helper into a vector store id; what we can compare is
        # whether the helper we asked for changed since it was applied.
        current["tool_resources"] = {
            **current["tool_resources"],
            "file_search": applied["tool_resources"]["file_search"],
        }
    return current


def _plan_existing(
    key: str,
    desired: DesiredAssistant,
    recorded: ResourceState | None,
    live: LiveAssistant,
    tag: OwnershipTag,
    options: PlanOptions,
) -> ResourceChange:
    want = desired.config
    current = _comparable(live, want, recorded)
    ignored = set(desired.lifecycle.get("ignore_changes", []))
    fields = [f for f in FIELDS if f not in ignored]
    differing = [f for f in fields if current.get(f) != want.get(f)]
    applied = recorded.applied if recorded else None
    drifted = {
        f
        for f in fields
        if applied is not None and f not in STATE_ONLY_FIELDS and current.get(f) != applied.get(f)
    }
    reasons: list[Reason] = []
    notes: list[str] = []
    adopt = recorded is None or recorded.id != live.id
    if adopt:
        reasons.append(Reason.ADOPTED)
        notes.append(f"found {live.id} by its ownership tag; recording it in the state")
    if any(applied is None or want.get(f) != applied.get(f) for f in differing):
        reasons.append(Reason.SPEC_CHANGED)
    retag = live.tag != tag
    if drifted & set(differing) or retag:
        reasons.append(Reason.DRIFT)
    if drifted & set(differing):
        notes.append("changed outside assistform: " + ", ".join(sorted(drifted & set(differing))))
    for name in sorted(STATE_ONLY_FIELDS & set(differing)):
        notes.append(f"{name} is not returned by the API: compared with the state")
    state_only = set(STATE_ONLY_FIELDS)
    if uses_vector_store_helper(want) and applied is not None and uses_vector_store_helper(applied):
        state_only.add("tool_resources")
    base: dict[str, Any] = {
        "key": key,
        "id": live.id,
        "before": current,
        "after": want,
        "live_fingerprint": live.fingerprint,
        "adopt": adopt,
        "source": desired.source,
        "lifecycle": desired.lifecycle,
        "changes": to_field_changes(field_changes(current, want, differing), drifted, state_only),
    }
    # Under ignore_changes, a restored tag keeps the live metadata the user asked to ignore.
    metadata = current["metadata"] if "metadata" in ignored else desired.request.get("metadata")
    return _choose(
        base,
        desired,
        recorded,
        tag,
        differing,
        reasons,
        notes,
        forced=_forced(key, options),
        retag=retag,
        metadata=metadata,
        adopt=adopt,
    )


def _plan_offline(
    key: str,
    desired: DesiredAssistant,
    recorded: ResourceState | None,
    tag: OwnershipTag,
    options: PlanOptions,
) -> ResourceChange:
    """--no-refresh: trust the state as the picture of the live assistant."""
    if recorded is None:
        return _create(key, desired, tag, None)
    want = desired.config
    ignored = set(desired.lifecycle.get("ignore_changes", []))
    differing = [f for f in FIELDS if f not in ignored and recorded.applied.get(f) != want.get(f)]
    base: dict[str, Any] = {
        "key": key,
        "id": recorded.id,
        "before": recorded.applied,
        "after": want,
        "source": desired.source,
        "lifecycle": desired.lifecycle,
        "changes": to_field_changes(
            field_changes(recorded.applied, want, differing), set(), set(FIELDS)
        ),
    }
    reasons = [Reason.SPEC_CHANGED] if differing else []
    notes = ["planned from the state alone (--no-refresh): drift is not seen"]
    return _choose(
        base,
        desired,
        recorded,
        tag,
        differing,
        reasons,
        notes,
        forced=_forced(key, options),
        retag=False,
        metadata=desired.request.get("metadata"),
        adopt=False,
    )


def _lifecycle_changed(recorded: ResourceState, desired: DesiredAssistant) -> bool:
    # Options absent from either side are at their defaults (older states, hand-made ones).
    return {**LIFECYCLE_DEFAULTS, **recorded.lifecycle} != {
        **LIFECYCLE_DEFAULTS,
        **desired.lifecycle,
    }


def _forced(key: str, options: PlanOptions) -> bool:
    return any(fnmatch.fnmatchcase(key, pattern) for pattern in options.replace)


def _choose(
    base: dict[str, Any],
    desired: DesiredAssistant,
    recorded: ResourceState | None,
    tag: OwnershipTag,
    differing: list[str],
    reasons: list[Reason],
    notes: list[str],
    *,
    forced: bool,
    retag: bool,
    metadata: dict[str, str] | None,
    adopt: bool,
) -> ResourceChange:
    """The action for a key with an assistant behind it, once its differences are known."""
    want = base["after"]
    replace_fields = set(desired.lifecycle.get("replace_on_change", [])) & set(differing)
    create_only = (
        "tool_resources" in differing
        and uses_vector_store_helper(want)
        and base["before"]["tool_resources"].get("file_search")
        != want["tool_resources"]["file_search"]
    )
    if replace_fields or create_only or forced:
        if replace_fields:
            reasons.append(Reason.REPLACE_ON_CHANGE)
            notes.append("lifecycle.replace_on_change: " + ", ".join(sorted(replace_fields)))
        if create_only:
            reasons.append(Reason.CREATE_ONLY)
            notes.append("tool_resources.file_search.vector_stores is only taken at create")
        if forced:
            reasons.append(Reason.REPLACE_REQUESTED)
        return ResourceChange(
            **base,
            action=Action.REPLACE,
            reasons=reasons,
            request=_create_body(desired, tag),
            notes=notes,
        )
    if not differing and not retag:
        record = not adopt and recorded is not None and _lifecycle_changed(recorded, desired)
        if record:
            reasons.append(Reason.LIFECYCLE_CHANGED)
            notes.append("lifecycle changed: recording it in the state")
        return ResourceChange(
            **base, action=Action.NOOP, reasons=reasons, notes=notes, record=record
        )
    # Not .get(name, RESET_VALUES[name]): `model` has no reset value and is always set.
    body = {
        name: desired.request[name] if name in desired.request else RESET_VALUES[name]
        for name in differing
    }
    if "tool_resources" in body:
        # Modify replaces tool_resources one resource at a time: reset those left out.
        resources = {**RESET_VALUES["tool_resources"], **body["tool_resources"]}
        if uses_vector_store_helper(want):
            # Unchanged (a change is a replace), and a modify may not carry the helper.
            del resources["file_search"]
        body["tool_resources"] = resources
    if retag or "metadata" in body:
        body["metadata"] = with_tag(metadata, tag)
        if retag and "metadata" not in differing:
            notes.append("restoring the ownership tag in metadata")
    return ResourceChange(**base, action=Action.UPDATE, reasons=reasons, request=body, notes=notes)


def _plan_removal(
    key: str, recorded: ResourceState | None, current: LiveAssistant | None, ctx: _Context
) -> ResourceChange:
    lifecycle = recorded.lifecycle if recorded else {}
    if current is None and (ctx.live is not None or recorded is None):
        # Known to the state only, and the server no longer has it: forget it.
        return ResourceChange(
            key=key,
            action=Action.NOOP,
            id=recorded.id if recorded else None,
            reasons=[Reason.SPEC_REMOVED, Reason.DELETED_OUTSIDE],
            before=recorded.applied if recorded else None,
            forget=True,
            lifecycle=lifecycle,
            notes=["spec removed and already gone from the server: forgetting it"],
        )
    assistant_id = current.id if current else recorded.id if recorded else None
    return ResourceChange(
        key=key,
        action=Action.DELETE,
        id=assistant_id,
        reasons=[Reason.SPEC_REMOVED],
        before=current.config if current else (recorded.applied if recorded else None),
        live_fingerprint=current.fingerprint if current else None,
        forget=recorded is not None,
        lifecycle=lifecycle,
        notes=[] if recorded else ["not in the state: found by its ownership tag"],
    )


def _refuse_destroying_protected(
    changes: list[ResourceChange], wanted: dict[str, DesiredAssistant], state: State
) -> None:
    blocked = []
    for change in changes:
        if (
            change.action not in (Action.DELETE, Action.REPLACE)
            or Reason.DUPLICATE in change.reasons
        ):
            continue
        spec = wanted.get(change.key)
        recorded = state.resources.get(change.key)
        protected = (spec.lifecycle if spec else {}).get("prevent_destroy") or (
            recorded is not None and recorded.lifecycle.get("prevent_destroy")
        )
        if protected:
            blocked.append(f"'{change.key}' ({change.action.value})")
    if blocked:
        raise PlanError(
            "lifecycle.prevent_destroy forbids destroying "
            + ", ".join(blocked)
            + ": restore the spec, or set prevent_destroy: false and apply that first"
        )
