"""Did the server store what was sent? Pure checks of a create or modify answer.

Some servers of the contract answer 200 and keep something else: they merge `metadata`
instead of replacing it, or ignore falsy values (`temperature: 0`, `""`, `[]`). Believing
them would report a change as done that never happened. So each answer is compared with
the request, field by field, in normalized form; options the request left out are the
server's to fill and are not compared.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from assistform.normalize import STATE_ONLY_FIELDS, canonical, uses_vector_store_helper
from assistform.ownership import tag_of
from assistform.plan.expected import matches
from assistform.plan.live import LiveAssistant

#: Longest value a finding shows; the whole one is in the state.
SHOWN_CHARS = 60


def unstored(sent: Mapping[str, Any], answer: LiveAssistant) -> dict[str, str]:
    """Per field the server did not store as sent, a phrase saying what it kept."""
    got = answer.config
    found: dict[str, str] = {}
    for name, value in sent.items():
        if name in STATE_ONLY_FIELDS or value is None:
            # Never returned; or a reset, whose result is the server's default.
            continue
        want = canonical(name, value)
        if name == "metadata":
            stored = want == got["metadata"] and tag_of(value) == answer.tag
        elif name == "tool_resources":
            if uses_vector_store_helper({name: value}):
                continue  # the server turns the helper into an id of its own
            # Resources left out of a modify stay as they were: only those sent are compared.
            held = got.get(name) or {}
            stored = all(want.get(r) == held.get(r) for r in value)
        else:
            stored = matches(got.get(name), want, name)
        if not stored:
            found[name] = f"the server kept {name} {_show(got.get(name))}; sent {_show(want)}"
    return found


def _show(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 3] + "..."
