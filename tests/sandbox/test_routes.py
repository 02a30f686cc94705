"""The route of each path, and the values of its `{names}`."""

from __future__ import annotations

import pytest

from assistform.sandbox import routes
from assistform.sandbox.routes import Match, match_route


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/v1/assistants", Match(routes.ASSISTANTS)),
        ("/v1/assistants/asst_1", Match(routes.ASSISTANT, {"assistant_id": "asst_1"})),
        ("/v1/files", Match(routes.FILES)),
        ("/v1/files/file-1/content", Match(routes.FILE_CONTENT, {"file_id": "file-1"})),
        (
            "/v1/vector_stores/vs_1/files/file-1",
            Match(routes.VECTOR_STORE_FILE, {"vector_store_id": "vs_1", "file_id": "file-1"}),
        ),
        (
            "/v1/vector_stores/vs_1/file_batches/vsfb_1/cancel",
            Match(routes.FILE_BATCH_CANCEL, {"vector_store_id": "vs_1", "batch_id": "vsfb_1"}),
        ),
        (
            "/v1/vector_stores/vs_1/file_batches/vsfb_1/files",
            Match(routes.FILE_BATCH_FILES, {"vector_store_id": "vs_1", "batch_id": "vsfb_1"}),
        ),
        ("/v1/assistants/", Match(routes.UNKNOWN)),
        ("/v1/assistants//x", Match(routes.UNKNOWN)),
        ("/v1/files/file-1/content/more", Match(routes.UNKNOWN)),
        ("/v1/vector_stores/vs_1/search", Match(routes.UNKNOWN)),
        ("/v2/files", Match(routes.UNKNOWN)),
        ("v1/files", Match(routes.UNKNOWN)),
        ("", Match(routes.UNKNOWN)),
    ],
)
def test_match_route(path: str, expected: Match) -> None:
    assert match_route(path) == expected


def test_every_route_is_served_by_one_family() -> None:
    families = (routes.ASSISTANT_ROUTES, routes.FILE_ROUTES, routes.VECTOR_STORE_ROUTES)
    assert sorted(r for family in families for r in family) == sorted(routes.METHODS)
    assert routes.BATCH_ROUTES <= routes.VECTOR_STORE_ROUTES
