"""Saved plans: reading one back, and refusing it once the world it describes has moved.

A saved plan is applied exactly as reviewed, so it is only valid against the state and the
live assistants it was made from: the state's (lineage, serial), and the fingerprint of
every live assistant it acts on. A plan made with --no-refresh never read the live set, so
only the state is checked.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from pydantic import ValidationError

from assistform.errors import PlanError, StalePlanError
from assistform.ownership import OwnershipTag, env_label
from assistform.plan.live import LiveSet
from assistform.plan.model import PLAN_FORMAT_VERSION, Action, Plan
from assistform.state import State

#: How many moved things a refusal names before it summarizes the rest.
SHOWN = 5


def load_saved_plan(path: Path) -> Plan:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PlanError(f"cannot read plan file {path}: {exc.strerror}") from None
    try:
        plan = Plan.model_validate_json(text)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top)"
        raise PlanError(
            f"{path} is not a saved plan (at {where}: {first['msg']}); "
            "save one with: assistform plan --out FILE"
        ) from None
    if plan.format_version != PLAN_FORMAT_VERSION:
        raise PlanError(
            f"{path} has plan format_version {plan.format_version}; this assistform applies "
            f"version {PLAN_FORMAT_VERSION}: make a new plan"
        )
    return plan


def what_moved(plan: Plan, state: State, live: LiveSet | None) -> list[str]:
    """Everything that changed since `plan` was made, as short phrases; empty if fresh."""
    moved: list[str] = []
    if state.lineage != plan.state.lineage:
        moved.append(
            f"the state is another one (lineage {state.lineage}, the plan's is {plan.state.lineage})"
        )
    elif state.serial != plan.state.serial:
        moved.append(f"the state was written since (serial {plan.state.serial} -> {state.serial})")
    if live is not None:
        moved.extend(_owned_elsewhere(plan, live))
    if plan.live.refreshed and live is not None:
        moved.extend(_live_moves(plan, live))
    return moved


def _owned_elsewhere(plan: Plan, live: LiveSet) -> list[str]:
    """Changes aimed at another environment's assistant. A refreshed plan never makes one;
    one made with --no-refresh trusts the state, which may name another environment's
    assistants (an older assistform let environments adopt each other's)."""
    by_id = live.by_id()
    moved = []
    for change in plan.resource_changes:
        touches = change.action in (Action.UPDATE, Action.REPLACE, Action.DELETE)
        now = by_id.get(change.id) if change.id is not None and touches else None
        tag = now.tag if now is not None else None
        if tag is not None and tag.of_other_env(plan.env):
            moved.append(f"{change.key}: {change.id} is owned by {env_label(tag.env)}")
    return moved


def _live_moves(plan: Plan, live: LiveSet) -> list[str]:
    by_id = live.by_id()
    known: dict[str, set[str]] = defaultdict(set)
    moved: list[str] = []
    for change in plan.resource_changes:
        known[change.key].update(change.named_ids)  # blue-green versions share the tag
        if change.id is None or change.live_fingerprint is None:
            continue
        now = by_id.get(change.id)
        if now is None:
            moved.append(f"{change.key}: {change.id} is gone")
        elif now.fingerprint != change.live_fingerprint:
            moved.append(f"{change.key}: {change.id} was changed")
    keys = {c.key for c in plan.resource_changes}
    for assistant in live.managed():
        tag = assistant.tag
        if tag is None or tag.key not in keys or assistant.id in known[tag.key]:
            continue
        if tag == OwnershipTag(tag.key, plan.state.lineage, plan.env):
            moved.append(f"{tag.key}: {assistant.id} now carries its ownership tag")
    return moved


def check_fresh(plan: Plan, state: State, live: LiveSet | None, source: str) -> None:
    """Raise `StalePlanError` naming what moved, if anything did."""
    moved = what_moved(plan, state, live)
    if not moved:
        return
    shown = "; ".join(moved[:SHOWN])
    if len(moved) > SHOWN:
        shown += f"; and {len(moved) - SHOWN} more"
    raise StalePlanError(
        f"saved plan {source} is stale: {shown}. Nothing was changed; make a new plan"
    )
