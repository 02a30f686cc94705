"""Live assistants as the planner sees them: tag, normalized configuration, fingerprint."""

from __future__ import annotations

from assistform.ownership import OwnershipTag
from assistform.plan.live import LiveAssistant, LiveSet


def assistant(assistant_id: str, metadata: object, **fields: object) -> LiveAssistant:
    return LiveAssistant(
        assistant_id, {"id": assistant_id, "model": "m", "metadata": metadata, **fields}
    )


def test_managed_are_those_with_a_well_formed_tag() -> None:
    live = LiveSet(
        [
            assistant("a", {"assistform": "team/bot@lineage@prod"}),
            assistant("b", {"assistform": "no-lineage-separator"}),
            assistant("c", {"assistform": "@lineage@prod"}),
            assistant("d", None),
            assistant("e", {"other": "x"}),
            assistant("f", {"assistform": "bot@@prod"}),
            assistant("g", {"assistform": "a@b@c@d"}),
        ]
    )
    assert [a.id for a in live.managed()] == ["a"]
    assert [a.id for a in live.unmanaged()] == ["b", "c", "d", "e", "f", "g"]
    assert live.managed()[0].tag == OwnershipTag("team/bot", "lineage", "prod")
    assert set(live.by_id()) == set("abcdefg")


def test_the_tag_names_key_lineage_and_environment() -> None:
    """`key@lineage@env`; a repository without environments leaves env empty."""
    prod = OwnershipTag("team/bot", "lineage", "prod")
    bare = OwnershipTag("team/bot", "lineage")
    assert prod.value() == "team/bot@lineage@prod"
    assert bare.value() == "team/bot@lineage@"
    for tag in (prod, bare):
        assert assistant("a", {"assistform": tag.value()}).tag == tag
    assert prod.of_env("prod") and not prod.of_other_env("prod")
    assert prod.of_other_env("staging") and prod.of_other_env(None)
    assert bare.of_env(None) and bare.of_other_env("prod")


def test_a_tag_of_the_older_form_is_read_as_legacy() -> None:
    """`key@lineage`, as written before environments were tagged: it names no environment,
    so it is neither this environment's nor another's by its tag alone."""
    tag = assistant("a", {"assistform": "team/bot@lineage"}).tag
    assert tag == OwnershipTag("team/bot", "lineage", legacy=True)
    assert tag is not None and tag.value() == "team/bot@lineage"
    for env in (None, "prod"):
        assert not tag.of_env(env) and not tag.of_other_env(env)
    assert tag != OwnershipTag("team/bot", "lineage"), "the apply rewrites it: a retag"


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
