"""What a live assistant is expected to hold, and how it compares: pure functions.

What a spec declares is compared with what the server returns. What it leaves out (a
top-level field, or an option inside a tool or a response format) is the server's to
decide: it is compared only with what the server returned after our last write (the
state's `observed`), so a server whose defaults are not OpenAI's shows no change, and a
hand edit of such a value is drift. With no observation (a state written before
observations were recorded, or an assistant just adopted) only declared values are
compared. Options a server adds that were in no observation never make a diff.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from assistform.normalize import ATOMIC_KEYS, FIELDS, STATE_ONLY_FIELDS, Config


def overlay(declared: Any, observed: Any, key: str | None = None) -> Any:
    """`declared`, with the options it leaves out taken from `observed`."""
    if key in ATOMIC_KEYS:
        return declared
    if isinstance(declared, dict) and isinstance(observed, dict):
        if declared.get("type") != observed.get("type"):
            return declared
        merged = dict(observed)
        for name, value in declared.items():
            merged[name] = overlay(value, observed.get(name), name)
        # The same object where nothing was added: a plan of thousands holds one copy.
        return observed if merged == observed else merged
    if key == "tools" and isinstance(declared, list) and isinstance(observed, list):
        return [
            overlay(item, observed[i] if i < len(observed) else None)
            for i, item in enumerate(declared)
        ]
    return declared


def project(live: Any, expected: Any, key: str | None = None) -> Any:
    """`live` without the options `expected` does not mention (a server's additions)."""
    if key in ATOMIC_KEYS:
        return live
    if isinstance(live, dict) and isinstance(expected, dict):
        return {
            name: project(v, expected[name], name) for name, v in live.items() if name in expected
        }
    if isinstance(live, list) and isinstance(expected, list):
        return [project(v, expected[i]) if i < len(expected) else v for i, v in enumerate(live)]
    return live


def matches(live: Any, expected: Any, key: str | None = None) -> bool:
    return bool(project(live, expected, key) == expected)


def is_empty(value: Any) -> bool:
    return value is None or value == [] or value == {}


@dataclass
class Comparison:
    """One assistant compared field by field (top-level fields, in API order)."""

    #: The live value of each compared field, as compared (the state's, for state-only
    #: fields), and the value expected of it.
    before: Config = field(default_factory=dict)
    after: Config = field(default_factory=dict)
    differing: list[str] = field(default_factory=list)
    #: Fields whose live value left what the server held after our last write.
    drifted: set[str] = field(default_factory=set)
    #: Fields whose declared value is not what was last applied.
    spec_changed: set[str] = field(default_factory=set)
    #: Fields declared at the last apply and no longer: back to the server's default.
    resets: set[str] = field(default_factory=set)
    #: Fields compared with the state rather than the live assistant.
    from_state: set[str] = field(default_factory=set)


def compare(
    declared: Config,
    live: Config,
    *,
    applied: Mapping[str, Any] | None,
    observed: Mapping[str, Any] | None,
    ignored: frozenset[str] = frozenset(),
) -> Comparison:
    """Compare `declared` (a spec's fields) with `live`, given what was last applied and
    what the server returned then (`observed`; None when unknown)."""
    result = Comparison()
    for name in FIELDS:
        if name in ignored:
            continue
        state_only = name in STATE_ONLY_FIELDS
        now = (applied or {}).get(name) if state_only else live.get(name)
        if state_only:
            result.from_state.add(name)
        if name in declared:
            want = declared[name]
            if observed is not None and not state_only:
                want = overlay(want, observed.get(name), name)
        elif observed is not None and applied is not None and name in applied:
            # Declared when last applied, not any more: the server's default again.
            if is_empty(now):
                want = now
            else:
                result.resets.add(name)
                want = None
        elif observed is not None and not state_only:
            want = observed.get(name)
        else:
            continue
        before = project(now, want, name)
        result.before[name] = before
        result.after[name] = want
        differs = name in result.resets or before != want
        if not differs:
            continue
        result.differing.append(name)
        reference = observed if observed is not None else applied
        if (
            not state_only
            and reference is not None
            and name in reference
            and before != project(reference.get(name), want, name)
        ):
            result.drifted.add(name)
        if name in declared and (
            applied is None or not matches(applied.get(name), declared[name], name)
        ):
            result.spec_changed.add(name)
        if name in result.resets:
            result.spec_changed.add(name)
    return result
