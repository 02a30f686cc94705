"""Live assistants as the planner sees them: tag, normalized configuration, fingerprint."""

from __future__ import annotations

from assistform.api.live import LiveAssistant, LiveSet
from assistform.ownership import OwnershipTag


def assistant(assistant_id: str, metadata: object, **fields: object) -> LiveAssistant:
    return LiveAssistant(
        assistant_id, {"id": assistant_id, "model": "m", "metadata": metadata, **fields}
    )


def test_managed_are_those_with_a_well_formed_tag() -> None:
    live = LiveSet(
        [
            assistant("a", {"assistform": "team/bot@lineage"}),
            assistant("b", {"assistform": "no-lineage-separator"}),
            assistant("c", {"assistform": "@lineage"}),
            assistant("d", None),
            assistant("e", {"other": "x"}),
        ]
    )
    assert [a.id for a in live.managed()] == ["a"]
    assert [a.id for a in live.unmanaged()] == ["b", "c", "d", "e"]
    assert live.managed()[0].tag == OwnershipTag("team/bot", "lineage")
    assert set(live.by_id()) == {"a", "b", "c", "d", "e"}


def test_a_key_may_contain_at_signs() -> None:
    assert assistant("a", {"assistform": "a@b@lineage"}).tag == OwnershipTag("a@b", "lineage")


def test_config_is_normalized_once_and_without_the_tag() -> None:
    one = assistant("a", {"assistform": "k@l", "team": "x"}, temperature=None)
    assert one.config is one.config, "computed once per assistant"
    assert one.config["metadata"] == {"team": "x"}
    assert one.config["temperature"] is None, "no default assumed: null stays null"


def test_the_fingerprint_follows_id_and_configuration() -> None:
    base = assistant("a", {"team": "x"}, temperature=1.0).fingerprint
    assert assistant("a", {"team": "x"}, temperature=1).fingerprint == base, "1 == 1.0"
    assert assistant("b", {"team": "x"}, temperature=1.0).fingerprint != base
    assert assistant("a", {"team": "y"}, temperature=1.0).fingerprint != base
    assert assistant("a", {"team": "x"}, temperature=1.0, updated_at=5).fingerprint == base, (
        "extra fields ignored"
    )
    tagged = assistant("a", {"team": "x", "assistform": "a@l"}, temperature=1.0).fingerprint
    assert tagged != base, "a removed ownership tag moves the fingerprint"
