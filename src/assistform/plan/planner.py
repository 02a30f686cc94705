"""The planner: a pure function from (desired, state, live) to a `Plan`. No I/O, no clock.

For every key it finds the live assistant it manages (by the id the state records, else by
ownership tag: adoption), compares what the spec declares with the live assistant (or with
the state, for fields the API never returns) and what it leaves out with what the server
returned after our last write (`plan.expected`), and picks one action. Drift is a live value
that left what the server held after our last write.
"""

from __future__ import annotations

import fnmatch
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from assistform.errors import PlanError
from assistform.normalize import (
    FIELDS,
    STATE_ONLY_FIELDS,
    Config,
    fingerprint,
    uses_vector_store_helper,
)
from assistform.ownership import OwnershipTag, env_label, rebuild_commands, version_of, with_tag
from assistform.plan.bluegreen import (
    delete_unrecorded,
    is_blue_green,
    is_version,
    plan_versions,
    unrecorded_versions,
)
from assistform.plan.desired import DesiredAssistant
from assistform.plan.expected import Comparison, compare
from assistform.plan.fielddiff import field_changes, to_field_changes
from assistform.plan.incomplete import refuse_on_incomplete_listing
from assistform.plan.live import LiveAssistant, LiveSet
from assistform.plan.model import Action, LiveRef, Plan, Reason, ResourceChange, StateRef
from assistform.plan.removal import delete_removed, forget_gone
from assistform.plan.tagged import by_age, delete_found, duplicates_warning, keep_first
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
        state = _recover_lost_state(state, live, set(wanted), options, warnings)
    ctx = _Context(state, live, options)
    if live is not None:
        ctx.by_id = live.by_id()
        for assistant in sorted(live.managed(), key=by_age):
            assert assistant.tag is not None
            # Another environment's assistants are not even candidates: only counted.
            if not assistant.tag.of_other_env(options.env):
                ctx.by_key[assistant.tag.key].append(assistant)
    keys = sorted(set(wanted) | set(state.resources) | set(ctx.by_key))
    selected = [k for k in keys if targeted(k, options.targets)]
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
    unobserved = sum(1 for c in changes if Reason.OBSERVED in c.reasons)
    if unobserved:
        warnings.append(
            f"the state has no record of what the server stores for {unobserved} "
            "assistant(s) (written by an older assistform, or rebuilt): only what their "
            "specs declare was compared; apply records the rest, and later plans compare it"
        )
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
    state: State, live: LiveSet, wanted: set[str], options: PlanOptions, warnings: list[str]
) -> State:
    """An empty state facing assistants this environment tagged for these very keys: the
    state was lost (or never committed). Planning creates would duplicate every one of them,
    so the plan takes their lineage and adopts them, as `state rebuild` would; a reviewer
    sees each adoption. Another environment's tags are not this state's to recover. Where
    the tags cannot say whose they are, refuse: several lineages of this environment (another
    repository using the same environment name on this server?), or legacy tags, which name
    no environment at all.
    """
    if state.resources or state.serial != 0:
        return state
    env = options.env
    claims = [
        a.tag
        for a in live.managed()
        if a.tag is not None and a.tag.key in wanted and not a.tag.of_other_env(env)
    ]
    lineages = sorted({t.lineage for t in claims if not t.legacy})
    legacy = sorted({t.lineage for t in claims if t.legacy})
    if len(lineages) == 1 and not legacy:
        warnings.append(
            f"the state is empty but live assistants carry tags of lineage {lineages[0]} "
            f"({env_label(env)}) for these specs: adopting them (was the state file lost?)"
        )
        return state.model_copy(update={"lineage": lineages[0]})
    if not lineages and not legacy:
        return state
    found = [f"{lin} ({env_label(env)})" for lin in lineages]
    found += [f"{lin} (older tags that name no environment)" for lin in legacy]
    sandbox = options.server == "sandbox"
    commands = rebuild_commands(env, [*lineages, *legacy], sandbox=sandbox)
    hint = (
        "; older tags that are another environment's get its name from its next apply"
        if legacy
        else ""
    )
    raise PlanError(
        "the state is empty, but live assistants carry ownership tags for these specs of "
        f"{'several lineages' if len(found) > 1 else 'lineage'} {', '.join(found)}: whose "
        "they are cannot be told (another repository using the same environment name? older "
        "tags of another environment?), so nothing is adopted or created. To record the ones "
        f"that are this state's, run {commands}{hint}"
    )


def targeted(key: str, targets: tuple[str, ...]) -> bool:
    """Whether `--target` (glob patterns; none: everything) takes in `key`."""
    return not targets or any(fnmatch.fnmatchcase(key, t) for t in targets)


def _live_ref(live: LiveSet | None, ctx: _Context) -> LiveRef:
    if live is None:
        return LiveRef(refreshed=False)
    managed = sorted(a.fingerprint for a in live.managed())
    others: dict[str, int] = defaultdict(int)
    for assistant in live.managed():
        assert assistant.tag is not None
        if assistant.tag.of_other_env(ctx.options.env):
            others[assistant.tag.env or ""] += 1
    return LiveRef(
        refreshed=True,
        fingerprint=fingerprint(managed),
        assistants=len(live.assistants),
        unmanaged=len(live.unmanaged()),
        other_environments=dict(sorted(others.items())),
        requests=live.requests,
    )


def _plan_key(
    key: str, desired: DesiredAssistant | None, ctx: _Context, warnings: list[str]
) -> list[ResourceChange]:
    recorded = ctx.state.resources.get(key)
    tag = OwnershipTag(key, ctx.state.lineage, ctx.options.env)
    blue_green = is_blue_green(desired, recorded)
    current, extras = _find_live(key, recorded, ctx, warnings, blue_green=blue_green)
    owner = _owned_elsewhere(key, recorded, ctx, warnings)
    changes: list[ResourceChange] = []
    if recorded is not None and owner is not None and current is None:
        changes.append(_disown(key, desired, recorded, owner, tag))
    elif desired is None and recorded is None and current is None:
        pass  # only another lineage's assistants carry this key: not ours to plan
    elif desired is None:
        changes.append(_plan_removal(key, recorded, current, ctx))
    elif ctx.live is None:
        changes.append(_plan_offline(key, desired, recorded, tag, ctx.options))
    elif current is None:
        changes.append(_create(key, desired, tag, recorded))
    else:
        # The state's entry for the key names another environment's assistant: not ours.
        mine = None if owner is not None else recorded
        changes.append(_plan_existing(key, desired, mine, current, tag, ctx.options))
    if blue_green:
        changes = _plan_blue_green(key, changes, desired, recorded, current, tag, ctx)
    note = f"duplicate of {key}: a second live assistant carries its ownership tag"
    changes += [delete_found(ResourceChange, key, e, Reason.DUPLICATE, note) for e in extras]
    return changes


def _plan_blue_green(
    key: str,
    changes: list[ResourceChange],
    desired: DesiredAssistant | None,
    recorded: ResourceState | None,
    current: LiveAssistant | None,
    tag: OwnershipTag,
    ctx: _Context,
) -> list[ResourceChange]:
    """The key's change as blue-green steps (`plan.bluegreen`), and the deletes of the
    versions an interrupted apply left unrecorded."""
    current_id = current.id if current is not None else None
    versions = [a for a in _ours(key, ctx) if is_version(a, recorded) and a.id != current_id]
    unrecorded = unrecorded_versions(versions, recorded, current_id)
    numbers = [version_of(a.raw.get("metadata")) or 0 for a in unrecorded]
    if (recorded is not None and recorded.id == current_id) or ctx.live is None:
        current_version = recorded.version if recorded is not None else None
    else:
        current_version = version_of(current.raw.get("metadata")) if current else None
    planned = [
        plan_versions(
            change,
            desired,
            recorded,
            live_ids=set(ctx.by_id) if ctx.live is not None else None,
            current_version=current_version,
            create_body=_create_body(desired, tag) if desired is not None else None,
            unrecorded=numbers,
        )
        for change in changes
    ]
    return planned + delete_unrecorded(key, unrecorded)


def _ours(key: str, ctx: _Context) -> list[LiveAssistant]:
    """The live assistants tagged for `key` by this environment and this state's lineage."""
    env = ctx.options.env
    tagged = ctx.by_key.get(key, [])
    return [a for a in tagged if a.tag and a.tag.of_env(env) and a.tag.lineage == ctx.state.lineage]


def _find_live(
    key: str,
    recorded: ResourceState | None,
    ctx: _Context,
    warnings: list[str],
    *,
    blue_green: bool = False,
) -> tuple[LiveAssistant | None, list[LiveAssistant]]:
    """The live assistant managing `key`, and the duplicates of ours to remove.

    Ours: tagged by this environment and this state's lineage, or recorded by this state
    under an older tag that names no environment. Never another environment's, whatever the
    state records (see `_owned_elsewhere`). Under blue-green, the key's other versions are
    no duplicates: `_plan_blue_green` keeps or deletes them.
    """
    if ctx.live is None:
        return None, []
    env = ctx.options.env
    tagged = ctx.by_key.get(key, [])
    ours = _ours(key, ctx)
    current = ctx.by_id.get(recorded.id) if recorded else None
    if current is not None and current.tag is not None and current.tag.of_other_env(env):
        current = None
    candidates = ours
    if blue_green:
        if current is None and recorded is not None and recorded.versions:
            # The current version is gone: a new one is made, never an old one adopted.
            candidates = []
        elif recorded is None:
            # A lost state: the newest version is adopted, the others are unrecorded.
            candidates = sorted(ours, key=lambda a: -(version_of(a.raw.get("metadata")) or 0))
        else:
            candidates = [a for a in ours if a is current or not is_version(a, recorded)]
    # Only our own lineage is adopted: a foreign one belongs to another state (another
    # repository using this environment's name), and taking it over would start a tug of
    # war.
    current, extras = keep_first(current, candidates)
    foreign = [a for a in tagged if a not in ours and (current is None or a.id != current.id)]
    if extras:
        warnings.append(duplicates_warning(key, "live assistants", current, extras))
    sandbox = ctx.options.server == "sandbox"
    for legacy, group in (
        (False, [a for a in foreign if a.tag and not a.tag.legacy]),
        (True, [a for a in foreign if a.tag and a.tag.legacy]),
    ):
        if not group:
            continue
        ids = ", ".join(a.id for a in group)
        lineages = sorted({a.tag.lineage for a in group if a.tag})
        commands = rebuild_commands(env, lineages, sandbox=sandbox)
        if legacy:
            warnings.append(
                f"live assistant(s) {ids} carry the key '{key}' in an older tag that names no "
                "environment, and this state does not record them: not touched (if they are "
                f"this environment's, run {commands} instead of applying)"
            )
        else:
            warnings.append(
                f"live assistant(s) {ids} carry the key '{key}' from another state lineage: "
                f"not touched (another repository's, using {env_label(env)}? if this state "
                f"was lost, run {commands} instead of applying)"
            )
    return current, extras


def _owned_elsewhere(
    key: str, recorded: ResourceState | None, ctx: _Context, warnings: list[str]
) -> OwnershipTag | None:
    """The tag of the assistant the state records, when it says another environment owns
    it (a state written by an older assistform, which let environments adopt each other's
    assistants): that assistant is not touched, whatever the state holds."""
    if recorded is None or ctx.live is None:
        return None
    live = ctx.by_id.get(recorded.id)
    tag = live.tag if live is not None else None
    if tag is None or not tag.of_other_env(ctx.options.env):
        return None
    warnings.append(
        f"the state records {recorded.id} for '{key}', but its ownership tag says "
        f"{env_label(tag.env)} manages it: not touched; this state forgets it"
    )
    return tag


def _disown(
    key: str,
    desired: DesiredAssistant | None,
    recorded: ResourceState,
    owner: OwnershipTag,
    tag: OwnershipTag,
) -> ResourceChange:
    """The state records another environment's assistant and this one has none of its
    own: leave that one alone and forget it here; a spec gets this environment's own."""
    note = (
        f"the state recorded {recorded.id}, but its ownership tag says {env_label(owner.env)} "
        "manages it: not touched, forgotten here"
    )
    if desired is None:
        return ResourceChange(
            key=key,
            action=Action.NOOP,
            id=recorded.id,
            reasons=[Reason.SPEC_REMOVED],
            forget=True,
            lifecycle=recorded.lifecycle,
            notes=[note],
        )
    change = _create(key, desired, tag, None)
    change.notes.append(note + f"; creating the assistant of {env_label(tag.env)}")
    return change


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
        applied=desired.config,
        request=_create_body(desired, tag),
        source=desired.source,
        lifecycle=desired.lifecycle,
        notes=notes,
    )


def _create_body(desired: DesiredAssistant, tag: OwnershipTag) -> dict[str, Any]:
    body = dict(desired.request)
    body["metadata"] = with_tag(desired.request.get("metadata"), tag)
    return body


def _helper_view(config: Config, applied: Config | None) -> Config:
    """`config` with the vector_stores helper last applied in place of the vector store id
    the server made of it: what we can compare is whether the helper we ask for changed."""
    if not uses_vector_store_helper(applied):
        return config
    assert applied is not None
    resources = {**(config.get("tool_resources") or {})}
    resources["file_search"] = applied["tool_resources"]["file_search"]
    return {**config, "tool_resources": resources}


def _plan_existing(
    key: str,
    desired: DesiredAssistant,
    recorded: ResourceState | None,
    live: LiveAssistant,
    tag: OwnershipTag,
    options: PlanOptions,
) -> ResourceChange:
    want = desired.config
    adopt = recorded is None or recorded.id != live.id
    applied = recorded.applied if recorded else None
    # What the server returned after our last write, if that write was to this assistant.
    observed = recorded.observed if recorded is not None and not adopt else None
    helper = uses_vector_store_helper(want) and uses_vector_store_helper(applied)
    ignored = frozenset(desired.lifecycle.get("ignore_changes", []))
    comparison = compare(
        want,
        _helper_view(live.config, applied) if helper else live.config,
        applied=applied,
        observed=_helper_view(observed, applied) if helper and observed is not None else observed,
        ignored=ignored,
    )
    differing = comparison.differing
    reasons: list[Reason] = []
    notes: list[str] = []
    if adopt:
        reasons.append(Reason.ADOPTED)
        notes.append(f"found {live.id} by its ownership tag; recording it in the state")
    if comparison.spec_changed or (differing and not comparison.drifted):
        reasons.append(Reason.SPEC_CHANGED)
    retag = live.tag != tag
    if comparison.drifted or retag:
        reasons.append(Reason.DRIFT)
    if comparison.drifted:
        notes.append("changed outside assistform: " + ", ".join(sorted(comparison.drifted)))
    if comparison.resets:
        notes.append(
            "no longer in the spec, back to the server's default: "
            + ", ".join(sorted(comparison.resets))
        )
    for name in sorted(STATE_ONLY_FIELDS & set(differing)):
        notes.append(f"{name} is not returned by the API: compared with the state")
    state_only = set(comparison.from_state)
    if helper:
        state_only.add("tool_resources")
    observe = observed is None and not adopt
    base: dict[str, Any] = {
        "key": key,
        "id": live.id,
        "before": comparison.before,
        "after": comparison.after,
        "live_fingerprint": live.fingerprint,
        "adopt": adopt,
        "source": desired.source,
        "lifecycle": desired.lifecycle,
        "applied": want,
        "changes": to_field_changes(
            field_changes(comparison.before, comparison.after, differing),
            comparison.drifted,
            state_only,
        ),
    }
    # Under ignore_changes, a restored tag keeps the live metadata the user asked to ignore.
    metadata = (
        live.config["metadata"]
        if "metadata" in ignored
        else _metadata_to_send(desired, comparison, observed or live.config)
    )
    return _choose(
        base,
        desired,
        recorded,
        tag,
        comparison,
        reasons,
        notes,
        forced=_forced(key, options),
        retag=retag,
        metadata=metadata,
        adopt=adopt,
        observe=observe,
        live=live,
    )


def _metadata_to_send(
    desired: DesiredAssistant, comparison: Comparison, held: Config | None
) -> dict[str, Any]:
    """The metadata a write carries: the spec's; none once the spec stops declaring it;
    else what the server held (restored, or kept when only the tag is put back)."""
    if "metadata" in desired.request:
        return dict(desired.request["metadata"])
    if "metadata" in comparison.resets:
        return {}
    return dict((held or {}).get("metadata") or {})


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
    ignored = frozenset(desired.lifecycle.get("ignore_changes", []))
    picture = recorded.observed if recorded.observed is not None else recorded.applied
    comparison = compare(
        want,
        {**picture, **{f: recorded.applied.get(f) for f in STATE_ONLY_FIELDS}},
        applied=recorded.applied,
        observed=recorded.observed,
        ignored=ignored,
    )
    differing = comparison.differing
    base: dict[str, Any] = {
        "key": key,
        "id": recorded.id,
        "before": comparison.before,
        "after": comparison.after,
        "source": desired.source,
        "lifecycle": desired.lifecycle,
        "applied": want,
        "changes": to_field_changes(
            field_changes(comparison.before, comparison.after, differing), set(), set(FIELDS)
        ),
    }
    reasons = [Reason.SPEC_CHANGED] if differing else []
    notes = ["planned from the state alone (--no-refresh): drift is not seen"]
    return _choose(
        base,
        desired,
        recorded,
        tag,
        comparison,
        reasons,
        notes,
        forced=_forced(key, options),
        retag=False,
        metadata=_metadata_to_send(desired, comparison, picture),
        adopt=False,
        observe=False,
        live=None,
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
    comparison: Comparison,
    reasons: list[Reason],
    notes: list[str],
    *,
    forced: bool,
    retag: bool,
    metadata: dict[str, Any],
    adopt: bool,
    observe: bool,
    live: LiveAssistant | None,
) -> ResourceChange:
    """The action for a key with an assistant behind it, once its differences are known."""
    want = desired.config
    if observe and live is not None:
        reasons.append(Reason.OBSERVED)
    differing = comparison.differing
    replace_fields = set(desired.lifecycle.get("replace_on_change", [])) & set(differing)
    create_only = (
        "tool_resources" in differing
        and uses_vector_store_helper(want)
        and (base["before"].get("tool_resources") or {}).get("file_search")
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
        if observe and live is not None:
            record = True
            notes.append("recording what the server stores (the state has no record of it)")
        writes = record or adopt
        keep = live.config if live is not None and writes else None
        if not writes:
            base["applied"] = None  # nothing to record
        noop = ResourceChange(
            **base, action=Action.NOOP, reasons=reasons, notes=notes, record=record, observed=keep
        )
        # Nothing differs, so before and after can be one object (validation copied each):
        # a plan of thousands of assistants is mostly no-ops.
        noop.before = noop.after
        return noop
    body = {name: _value_to_send(name, desired, comparison) for name in differing}
    if "tool_resources" in body:
        # Modify replaces tool_resources one resource at a time: reset those left out.
        resources = {**EMPTY_TOOL_RESOURCES, **(body["tool_resources"] or {})}
        if uses_vector_store_helper(want):
            # Unchanged (a change is a replace), and a modify may not carry the helper.
            del resources["file_search"]
        body["tool_resources"] = resources
    if retag or "metadata" in body:
        body["metadata"] = with_tag(metadata, tag)
        if retag and "metadata" not in differing:
            notes.append("restoring the ownership tag in metadata")
    return ResourceChange(**base, action=Action.UPDATE, reasons=reasons, request=body, notes=notes)


#: What a modify sends to take a field back to the server's default.
RESET_VALUES: dict[str, Any] = {"tools": [], "metadata": {}, "tool_resources": {}}
EMPTY_TOOL_RESOURCES: dict[str, Any] = {
    "code_interpreter": {"file_ids": []},
    "file_search": {"vector_store_ids": []},
}


def _value_to_send(name: str, desired: DesiredAssistant, comparison: Comparison) -> Any:
    """The value a modify sends for a field that differs: the spec's, as written; where an
    option it leaves out was changed by hand, the spec's with what the server held; for a
    field it leaves out, what the server held (restored)."""
    if name in comparison.resets:
        return RESET_VALUES.get(name)
    expected = comparison.after[name]
    if name in desired.request:
        if name in comparison.drifted and expected != desired.config[name]:
            return expected
        return desired.request[name]
    return expected


def _plan_removal(
    key: str, recorded: ResourceState | None, current: LiveAssistant | None, ctx: _Context
) -> ResourceChange:
    lifecycle = recorded.lifecycle if recorded else {}
    if current is None and (ctx.live is not None or recorded is None):
        return forget_gone(ResourceChange, key, recorded, lifecycle=lifecycle)
    return delete_removed(ResourceChange, key, recorded, current, lifecycle=lifecycle)


def _refuse_destroying_protected(
    changes: list[ResourceChange], wanted: dict[str, DesiredAssistant], state: State
) -> None:
    blocked = []
    for change in changes:
        if (
            change.action not in (Action.DELETE, Action.REPLACE)
            or Reason.DUPLICATE in change.reasons
            or Reason.UNRECORDED_VERSION in change.reasons
            or (change.new_version and not change.prune)  # a new version destroys nothing
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
