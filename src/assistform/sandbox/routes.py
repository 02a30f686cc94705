"""The sandbox's routes: path templates, the methods each takes, and matching.

A route is named by its template (`/v1/vector_stores/{vector_store_id}/files`), which is
what the request log and fault predicates (`faults.nth`) see.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

ASSISTANTS: Final = "/v1/assistants"
ASSISTANT: Final = "/v1/assistants/{assistant_id}"
FILES: Final = "/v1/files"
FILE: Final = "/v1/files/{file_id}"
FILE_CONTENT: Final = "/v1/files/{file_id}/content"
VECTOR_STORES: Final = "/v1/vector_stores"
VECTOR_STORE: Final = "/v1/vector_stores/{vector_store_id}"
VECTOR_STORE_FILES: Final = "/v1/vector_stores/{vector_store_id}/files"
VECTOR_STORE_FILE: Final = "/v1/vector_stores/{vector_store_id}/files/{file_id}"
FILE_BATCHES: Final = "/v1/vector_stores/{vector_store_id}/file_batches"
FILE_BATCH: Final = "/v1/vector_stores/{vector_store_id}/file_batches/{batch_id}"
FILE_BATCH_CANCEL: Final = "/v1/vector_stores/{vector_store_id}/file_batches/{batch_id}/cancel"
FILE_BATCH_FILES: Final = "/v1/vector_stores/{vector_store_id}/file_batches/{batch_id}/files"
UNKNOWN: Final = "unknown"

#: Each route and the methods it takes; any other method is an unknown URL.
METHODS: Final[Mapping[str, frozenset[str]]] = {
    ASSISTANTS: frozenset({"GET", "POST"}),
    ASSISTANT: frozenset({"GET", "POST", "DELETE"}),
    FILES: frozenset({"GET", "POST"}),
    FILE: frozenset({"GET", "DELETE"}),
    FILE_CONTENT: frozenset({"GET"}),
    VECTOR_STORES: frozenset({"GET", "POST"}),
    VECTOR_STORE: frozenset({"GET", "POST", "DELETE"}),
    VECTOR_STORE_FILES: frozenset({"GET", "POST"}),
    VECTOR_STORE_FILE: frozenset({"GET", "POST", "DELETE"}),
    FILE_BATCHES: frozenset({"POST"}),
    FILE_BATCH: frozenset({"GET"}),
    FILE_BATCH_CANCEL: frozenset({"POST"}),
    FILE_BATCH_FILES: frozenset({"GET"}),
}
ASSISTANT_ROUTES: Final = frozenset({ASSISTANTS, ASSISTANT})
FILE_ROUTES: Final = frozenset({FILES, FILE, FILE_CONTENT})
BATCH_ROUTES: Final = frozenset({FILE_BATCHES, FILE_BATCH, FILE_BATCH_CANCEL, FILE_BATCH_FILES})
VECTOR_STORE_ROUTES: Final = frozenset(METHODS) - ASSISTANT_ROUTES - FILE_ROUTES


@dataclass(frozen=True)
class Match:
    """The route of a path (`UNKNOWN` when none) and the values of its `{names}`."""

    route: str
    params: Mapping[str, str] = field(default_factory=dict)


def _segments(template: str) -> tuple[str, ...]:
    return tuple(template.strip("/").split("/"))


_TEMPLATES: Final = tuple((route, _segments(route)) for route in METHODS)


def match_route(path: str) -> Match:
    """The route of a decoded path without its query string."""
    parts = tuple(path.strip("/").split("/")) if path.startswith("/") else ()
    if path.endswith("/") or any(part == "" for part in parts):
        return Match(UNKNOWN)
    for route, template in _TEMPLATES:
        if len(template) != len(parts):
            continue
        params: dict[str, str] = {}
        for expected, part in zip(template, parts, strict=True):
            if expected.startswith("{"):
                params[expected[1:-1]] = part
            elif expected != part:
                break
        else:
            return Match(route, params)
    return Match(UNKNOWN)
