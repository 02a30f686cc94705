"""A create whose answer never came is found by its tag, never sent twice blindly."""

from __future__ import annotations

from collections.abc import Callable

import httpx2
import openai
import pytest

from assistform.apply.creates import delete_if_present, safe_create
from assistform.apply.retry import Budget
from assistform.errors import ApiError
from assistform.ownership import OwnershipTag, with_tag
from assistform.sandbox import Faults, RequestInfo, nth
from assistform.sandbox.faults import FaultDecision

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
    world.api.policy = policy
    with pytest.raises(ApiError, match="could not check whether it was created"):
        safe_create(world.api, body(), TAG, Budget(policy))
    assert creates(world) == 1


def test_a_permanent_refusal_is_not_retried(world: World) -> None:
    with pytest.raises(ApiError, match="HTTP 400"):
        safe_create(world.api, {**body(), "temperature": 5}, TAG, Budget(FAST_RETRIES))
    assert creates(world) == 1


def seed_many(world: World, count: int) -> list[str]:
    """`count` untagged assistants straight into the store, oldest first."""
    profile = world.server.service.profile
    ids = [f"asst_seed{i:05d}" for i in range(count)]
    for index, assistant_id in enumerate(ids):
        fields = profile.new_fields({"model": "gpt-4o", "name": f"n{index}"})
        world.server.store.add(assistant_id, 1_700_000_000 + index, fields)
    return ids


class FailCreates(Faults):
    """Answers every create with a 500 before storing it: a create that may have happened,
    as far as the client can tell."""

    def decide(self, request: RequestInfo) -> FaultDecision:
        if request.method == "POST" and request.route == "/v1/assistants":
            return FaultDecision(fail=True)
        return super().decide(request)


def test_an_incomplete_listing_proves_no_absence_after_an_ambiguous_create(
    make_world: Callable[..., World],
) -> None:
    # The listing cannot get past its first page, so not finding the tag there says
    # nothing: the change fails, and the create is not sent again (it could be a copy).
    world = make_world(profile="stuck-cursor", faults=FailCreates())
    seed_many(world, 250)
    with pytest.raises(ApiError) as caught:
        safe_create(world.api, body(), TAG, Budget(FAST_RETRIES))
    assert caught.value.message.startswith(
        "create assistant: HTTP 500 [server_error]: The server had an error while processing "
        "your request.; could not check whether it was created anyway: the list of "
        "assistants may be incomplete (after 100 assistant(s)"
    )
    assert creates(world) == 1


class HideOne(httpx2.BaseTransport):
    """A gateway that answers 403 to every get and delete of one id, as some servers do
    for an id they do not know."""

    def __init__(self, hidden: str) -> None:
        self.inner = httpx2.HTTPTransport()
        self.hidden = hidden

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        if request.url.path.endswith("/" + self.hidden):
            return httpx2.Response(403, json={"detail": "Forbidden"}, request=request)
        return self.inner.handle_request(request)


def test_a_403_is_not_taken_for_gone_on_an_incomplete_listing(
    make_world: Callable[..., World],
) -> None:
    world = make_world(profile="stuck-cursor")
    hidden = seed_many(world, 250)[120]  # neither among the oldest nor the newest 100
    world.api.client = openai.OpenAI(
        base_url=world.server.base_url,
        api_key="sk-test",
        http_client=httpx2.Client(transport=HideOne(hidden)),
    )
    with pytest.raises(ApiError) as caught:
        delete_if_present(world.api, hidden)
    assert caught.value.message == (
        f"delete assistant {hidden}: HTTP 403: Forbidden; whether it still exists is unknown: "
        "the list of assistants may be incomplete (after 100 assistant(s) its next page "
        "brought nothing new (its `after` cursor does not advance))"
    )
    assert hidden in world.server.store


class LoseFirstCreateFailLists(Faults):
    """The first create happens but its answer is lost; every listing then fails (500)."""

    def decide(self, request: RequestInfo) -> FaultDecision:
        if request.method == "GET":
            return FaultDecision(fail=True)
        return super().decide(request)


def test_the_tag_look_up_is_retried_by_one_policy_not_two(
    make_world: Callable[..., World],
) -> None:
    # Today's look-up ran the client's listing (3 SDK tries a page) under a budget of its
    # own (6 tries): 18 requests. One policy: max_tries, here 6.
    world = make_world(faults=LoseFirstCreateFailLists(lose_answer=nth(*CREATE, 1)))
    with pytest.raises(ApiError, match="could not check whether it was created anyway"):
        safe_create(world.api, body(), TAG, Budget(FAST_RETRIES))
    assert world.server.stats.count("GET", "/v1/assistants") == FAST_RETRIES.max_tries
    assert creates(world) == 1
