"""A create whose answer never came is found by its tag, never sent twice blindly."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from assistform.apply.creates import safe_create
from assistform.apply.retry import Budget
from assistform.errors import ApiError
from assistform.ownership import OwnershipTag, with_tag
from assistform.sandbox import Faults, RequestInfo, nth

from .world import FAST_RETRIES, World, spec

CREATE = ("POST", "/v1/assistants")
TAG = OwnershipTag("support/triage", "lineage-1")


def body() -> dict[str, object]:
    request = spec("support/triage").request
    return {**request, "metadata": with_tag(None, TAG)}


def creates(world: World) -> int:
    return world.server.stats.count(*CREATE)


def test_a_lost_answer_is_adopted_not_created_again(make_world: Callable[..., World]) -> None:
    world = make_world(faults=Faults(lose_answer=nth(*CREATE, 1)))
    created = safe_create(world.api, body(), TAG, Budget(FAST_RETRIES))
    assert created.recovered
    assert [a.id for a in world.live()] == [created.assistant.id]
    assert creates(world) == 1


def test_a_reply_slower_than_the_timeout_is_adopted(make_world: Callable[..., World]) -> None:
    faults = Faults(slow_reply=nth(*CREATE, 1), slow_seconds=2.0)
    world = make_world(faults=faults, timeout=0.3)
    created = safe_create(world.api, body(), TAG, Budget(FAST_RETRIES))
    assert created.recovered
    assert [a.id for a in world.live()] == [created.assistant.id]


def test_a_500_that_did_not_create_is_tried_again(world: World) -> None:
    world.server.faults = Faults(fail_every=3)
    world.api.list_all()
    world.api.list_all()  # requests 1 and 2; the create is the 3rd: refused, nothing stored
    created = safe_create(world.api, body(), TAG, Budget(FAST_RETRIES))
    assert not created.recovered
    assert len(world.live()) == 1
    assert creates(world) == 2


def test_of_several_copies_the_oldest_is_kept_and_the_rest_deleted(world: World) -> None:
    oldest = world.api.create(body())
    world.server.faults = Faults(lose_answer=nth(*CREATE, 1))
    created = safe_create(world.api, body(), TAG, Budget(FAST_RETRIES))
    assert created.assistant.id == oldest.id
    assert len(created.removed) == 1
    assert [a.id for a in world.live()] == [oldest.id]


def test_assistants_known_before_the_create_are_never_taken_for_it(world: World) -> None:
    old = world.api.create(body())
    world.server.faults = Faults(lose_answer=nth(*CREATE, 1))
    created = safe_create(world.api, body(), TAG, Budget(FAST_RETRIES), exclude=frozenset({old.id}))
    assert created.recovered
    assert created.assistant.id != old.id
    assert sorted(a.id for a in world.live()) == sorted([old.id, created.assistant.id])


def test_when_the_lookup_fails_the_create_is_not_sent_again(
    make_world: Callable[..., World],
) -> None:
    world = make_world(faults=Faults(lose_answer=nth(*CREATE, 1)))

    def fail_lists(request: RequestInfo) -> bool:
        return request.method == "GET"

    world.server.faults.slow_reply = fail_lists
    world.server.faults.slow_seconds = 5.0
    world.api.client = world.api.client.with_options(timeout=0.2, max_retries=0)
    policy = FAST_RETRIES.__class__(max_tries=2, max_seconds=5, base_delay=0.01)
    with pytest.raises(ApiError, match="could not check whether it was created"):
        safe_create(world.api, body(), TAG, Budget(policy))
    assert creates(world) == 1


def test_a_permanent_refusal_is_not_retried(world: World) -> None:
    with pytest.raises(ApiError, match="HTTP 400"):
        safe_create(world.api, {**body(), "temperature": 5}, TAG, Budget(FAST_RETRIES))
    assert creates(world) == 1
