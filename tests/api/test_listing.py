"""A listing always ends, and says when it cannot be sure it saw everything.

Servers of the contract that no one here wrote send a thinner list body (`{"data": [...]}`,
no `has_more`) and may ignore the `after` cursor. A page shorter than the limit ends a
listing whose server says nothing of `has_more`; a page that brings nothing new ends any
listing; a full page with no way past it makes the `LiveSet` incomplete.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pytest

from assistform.api.client import OpenAIAssistants
from assistform.sandbox import ROUTE_COLLECTION, AssistantsService, Response, SandboxServer

from .test_client import seed

Connect = Callable[..., OpenAIAssistants]


@pytest.mark.parametrize(
    ("profile", "count", "pages"),
    [
        # A short first page ends it: today's pager asked for a second, empty page.
        ("thin-list", 9, 1),
        ("thin-list", 250, 3),
        # Exactly full pages: only an empty page can end it.
        ("thin-list", 200, 3),
        ("thin-list", 0, 1),
        # The cursor is never followed when the first page is short: 9 assistants just work.
        ("stuck-cursor", 9, 1),
        ("stuck-cursor", 99, 1),
        # Servers that say has_more keep ceil(N/100).
        ("faithful", 200, 2),
        ("lenient", 250, 3),
    ],
)
def test_a_listing_ends_and_sees_everything(
    make_api_server: Callable[..., SandboxServer],
    connect_api: Connect,
    profile: str,
    count: int,
    pages: int,
) -> None:
    server = make_api_server(profile=profile)
    ids = seed(server, count)
    live = connect_api(server).list_all()
    assert [a.id for a in live.assistants] == ids
    assert live.complete and live.gap is None
    assert live.warnings == []
    assert server.stats.counts == {("GET", ROUTE_COLLECTION): pages}
    assert live.requests == pages


def test_a_cursor_that_never_advances_ends_the_listing_marked_incomplete(
    make_api_server: Callable[..., SandboxServer], connect_api: Connect
) -> None:
    server = make_api_server(profile="stuck-cursor")
    ids = seed(server, 250)
    live = connect_api(server).list_all()
    # Oldest first it sees 0-99, then the same page again; newest first 150-249, the same
    # again. Everything in between is beyond its reach, and it says so.
    assert [a.id for a in live.assistants] == ids[:100] + ids[-100:][::-1]
    assert not live.complete
    assert live.gap == (
        "after 100 assistant(s) its next page brought nothing new "
        "(its `after` cursor does not advance)"
    )
    assert live.warnings == [
        f"the list of assistants may be incomplete: {live.gap}; assistform saw 200 "
        "assistant(s) and cannot tell whether there are more"
    ]
    assert server.stats.total == 4 == live.requests


class IgnoresCursor(AssistantsService):
    """A server that ignores `after` yet sends `has_more: true` forever."""

    def handle(
        self,
        method: str,
        path: str,
        query: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        body: bytes = b"",
    ) -> Response:
        query = {k: v for k, v in (query or {}).items() if k != "after"}
        return super().handle(method, path, query, headers, body)


def test_has_more_forever_and_a_page_with_nothing_new_ends_it(connect_api: Connect) -> None:
    # Today this was an error ("its pagination does not advance"): every plan failed.
    with SandboxServer(IgnoresCursor()) as server:
        ids = seed(server, 150)
        live = connect_api(server).list_all()
    assert sorted(a.id for a in live.assistants) == ids  # newest first found the other 50
    assert not live.complete
    assert server.stats.total == 4


class EmptyPageWithHasMore(AssistantsService):
    """Says `has_more: true` on a page with no item: there is nothing to go on from."""

    def handle(
        self,
        method: str,
        path: str,
        query: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        body: bytes = b"",
    ) -> Response:
        response = super().handle(method, path, query, headers, body)
        if method == "GET" and path == ROUTE_COLLECTION:
            return Response(200, response.headers, b'{"data": [], "has_more": true}')
        return response


def test_an_empty_page_that_claims_more_is_incomplete(connect_api: Connect) -> None:
    with SandboxServer(EmptyPageWithHasMore()) as server:
        live = connect_api(server).list_all()
    assert live.assistants == []
    assert not live.complete
    assert live.gap == "the server said there were more but served an empty page"
