"""Keys for exported assistants: file-safe, unique, and stable for those already managed."""

from __future__ import annotations

from typing import Any

import pytest

from assistform.adopt import assign_keys, id_key, slug, valid_key
from assistform.plan.live import LiveAssistant
from assistform.state import ResourceState, State

LINEAGE = "11111111-2222-3333-4444-555555555555"


def assistant(assistant_id: str, name: str | None = None, **metadata: str) -> LiveAssistant:
    raw: dict[str, Any] = {"id": assistant_id, "model": "m", "name": name, "metadata": metadata}
    return LiveAssistant(assistant_id, raw)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Support Bot", "support-bot"),
        ("  Support   Bot!!  ", "support-bot"),
        ("Café Crème ☕", "cafe-creme"),
        ("Ärger/Über: Test", "arger-uber-test"),
        ("dots.in.name", "dots-in-name"),
        ("UPPER_case", "upper-case"),
        ("日本語", ""),
        ("!!!", ""),
        ("x" * 300, "x" * 64),
        ("a" * 63 + " b", "a" * 63),
    ],
)
def test_slug(name: str, expected: str) -> None:
    assert slug(name) == expected
    assert not expected or valid_key(expected)


@pytest.mark.parametrize(
    ("assistant_id", "expected"),
    [
        ("asst_AbC123", "asst_AbC123"),
        ("65f0c0ffee", "65f0c0ffee"),
        ("ns/a.b:c", "ns-a-b-c"),
        ("--x--", "x"),
        ("...", "assistant"),
    ],
)
def test_id_key(assistant_id: str, expected: str) -> None:
    assert id_key(assistant_id) == expected
    assert valid_key(expected)


def test_clashing_names_get_suffixes_in_listing_order() -> None:
    found = [
        assistant("a1", "Support Bot"),
        assistant("a2", "support bot"),
        assistant("a3", "Support-Bot-2"),
        assistant("a4", "SUPPORT BOT"),
        assistant("a5", None),
        assistant("a6", "日本語"),
    ]
    assert assign_keys(found, State(lineage=LINEAGE)) == {
        "a1": "support-bot",
        "a2": "support-bot-2",
        "a3": "support-bot-2-2",
        "a4": "support-bot-3",
        "a5": "a5",
        "a6": "a6",
    }


def test_managed_assistants_keep_their_keys_and_others_avoid_them() -> None:
    state = State(
        lineage=LINEAGE,
        resources={
            "helper": ResourceState(id="a1", applied={}),
            "Sales": ResourceState(id="gone", applied={}),
        },
    )
    found = [
        assistant("a1", "Renamed since"),
        assistant("a2", "Tagged", assistform=f"team/tagged@{LINEAGE}"),
        assistant("a3", "Helper"),
        assistant("a4", "sales"),
        assistant("a5", "Team/Tagged"),
    ]
    keys = assign_keys(found, state, reserved=["other-env"])
    assert keys == {
        "a1": "helper",
        "a2": "team/tagged",
        "a3": "helper-2",
        "a4": "sales-2",
        "a5": "team-tagged",
    }
    assert assign_keys([assistant("b", "Other env")], state, reserved=["other-env"]) == {
        "b": "other-env-2"
    }
