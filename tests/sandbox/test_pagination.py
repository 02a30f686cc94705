"""Cursor pagination of GET /v1/assistants over real HTTP with the SDK."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Literal

import openai
import pytest

from assistform.sandbox import SandboxServer

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

Order = Literal["asc", "desc"]

COUNT = 250


@pytest.fixture(scope="module")
def crowded() -> Iterator[tuple[openai.OpenAI, list[str]]]:
    """A server holding 250 assistants (many in the same second) and their ids, oldest
    first. Module-scoped: the tests here only read."""
    with SandboxServer() as server:
        client = openai.OpenAI(base_url=server.base_url, api_key="sk-test", timeout=10)
        ids = [client.beta.assistants.create(model="gpt-4o", name=f"a{i}").id for i in range(COUNT)]
        yield client, ids
        client.close()


def _expected(ids: list[str], order: Order) -> list[str]:
    return ids if order == "asc" else ids[::-1]


@pytest.mark.parametrize("order", ["asc", "desc"])
@pytest.mark.parametrize("limit", [None, 7, 100])
def test_auto_paging_gives_each_assistant_once_in_order(
    crowded: tuple[openai.OpenAI, list[str]], order: Order, limit: int | None
) -> None:
    client, ids = crowded
    kwargs: dict[str, Any] = {"order": order}
    if limit is not None:
        kwargs["limit"] = limit
    seen = [a.id for a in client.beta.assistants.list(**kwargs)]
    assert seen == _expected(ids, order)


@pytest.mark.parametrize("order", ["asc", "desc"])
def test_pages_carry_first_last_and_has_more(
    crowded: tuple[openai.OpenAI, list[str]],
    order: Order,
    assert_schema: Callable[[str, Any], None],
) -> None:
    client, ids = crowded
    expected = _expected(ids, order)
    seen: list[str] = []
    after = openai.omit
    while True:
        raw = client.beta.assistants.with_raw_response.list(order=order, limit=100, after=after)
        page = raw.http_response.json()
        assert_schema("ListAssistantsResponse", page)
        page_ids = [a["id"] for a in page["data"]]
        assert (page["first_id"], page["last_id"]) == (page_ids[0], page_ids[-1])
        seen += page_ids
        assert page["has_more"] == (len(seen) < COUNT)
        if not page["has_more"]:
            break
        after = page["last_id"]
    assert seen == expected
    assert len(client.beta.assistants.list(order=order, limit=100).data) == 100


@pytest.mark.parametrize("order", ["asc", "desc"])
def test_before_walks_backwards(crowded: tuple[openai.OpenAI, list[str]], order: Order) -> None:
    client, ids = crowded
    expected = _expected(ids, order)
    # Start from the far end, then page back towards the beginning with `before`.
    last_page = client.beta.assistants.list(order=order, limit=30, after=expected[-31])
    collected = [a.id for a in last_page.data]
    assert collected == expected[-30:]
    while True:
        page = client.beta.assistants.list(order=order, limit=30, before=collected[0])
        collected = [a.id for a in page.data] + collected
        if not page.has_more:
            break
    assert collected == expected


def test_before_returns_the_items_just_preceding_the_cursor(
    crowded: tuple[openai.OpenAI, list[str]],
) -> None:
    client, ids = crowded
    page = client.beta.assistants.list(order="asc", limit=3, before=ids[10])
    assert [a.id for a in page.data] == ids[7:10]
    assert page.has_more is True
    page = client.beta.assistants.list(order="desc", limit=3, before=ids[10])
    assert [a.id for a in page.data] == [ids[13], ids[12], ids[11]]
    first = client.beta.assistants.list(order="asc", limit=3, before=ids[2])
    assert [a.id for a in first.data] == ids[:2]
    assert first.has_more is False


def test_after_and_before_together_give_what_lies_between(
    crowded: tuple[openai.OpenAI, list[str]],
) -> None:
    client, ids = crowded
    page = client.beta.assistants.list(order="asc", limit=100, after=ids[5], before=ids[9])
    assert [a.id for a in page.data] == ids[6:9]
    assert page.has_more is False


def test_default_limit_and_order(crowded: tuple[openai.OpenAI, list[str]]) -> None:
    client, ids = crowded
    raw = client.beta.assistants.with_raw_response.list()
    page = raw.http_response.json()
    assert [a["id"] for a in page["data"]] == ids[::-1][:20]
    assert page["has_more"] is True


def test_paging_while_deleting_misses_nothing(
    openai_client: openai.OpenAI, api_server: SandboxServer
) -> None:
    """A cursor naming an assistant deleted since still works: deleting what one pages
    through is what a reconciler does."""
    for i in range(45):
        openai_client.beta.assistants.create(model="gpt-4o", name=str(i))
    deleted = 0
    for assistant in openai_client.beta.assistants.list(limit=10):
        openai_client.beta.assistants.delete(assistant.id)
        deleted += 1
    assert deleted == 45
    assert len(api_server.store) == 0
