"""Which of the endpoints knowledge specs need a server has: read-only probes, each a GET
of one item at most (nothing is made, nothing changed).

A list endpoint (`/v1/files`, `/v1/vector_stores`) answers a GET when it exists, and 404
(or 405) when it does not. The files of a vector store are probed on a store the list
showed, else on a made-up id; file batches have no list, so always on a made-up batch id.
A made-up id is refused either way, so the refusal is compared with the server's answer
for a path no server has: the same words mean no such endpoint; other words (`No vector
store found`) are the endpoint refusing the id.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from assistform.api.client import OpenAIAssistants, RawAnswer
from assistform.api.knowledge import MISSING_STATUSES
from assistform.errors import ApiError
from assistform.knowledge import endpoints

PRESENT = "present"
MISSING = "missing"
#: A path under the base URL that no server of the contract has.
NOWHERE = "assistform-doctor-no-such-endpoint"
MADE_UP_STORE = "vs_assistformdoctor"
MADE_UP_BATCH = "vsfb_assistformdoctor"

Answer = RawAnswer | ApiError


def probe_endpoints(api: OpenAIAssistants) -> dict[str, str]:
    """Each of `knowledge.endpoints.ALL` -> `present`, `missing` or `unknown: <why>`."""
    import httpx2

    def ask(what: str, request: Callable[[Any], Any]) -> Answer:
        try:
            return api.raw(what, request)
        except ApiError as error:  # no answer at all
            return error

    files = ask("list files", lambda sdk: sdk.files.with_raw_response.list(limit=1))
    stores = ask(
        "list vector stores", lambda sdk: sdk.vector_stores.with_raw_response.list(limit=1)
    )
    store = _first_id(stores)
    on_store = store or MADE_UP_STORE
    store_files = ask(
        "list files of a vector store",
        lambda sdk: sdk.vector_stores.files.with_raw_response.list(on_store, limit=1),
    )
    batch = ask(
        "get a file batch",
        lambda sdk: sdk.vector_stores.file_batches.with_raw_response.retrieve(
            MADE_UP_BATCH, vector_store_id=on_store
        ),
    )
    nowhere = ask(
        "get a path no server has", lambda sdk: sdk.get(f"/{NOWHERE}", cast_to=httpx2.Response)
    )
    return {
        endpoints.FILES: classify_list(files),
        endpoints.VECTOR_STORES: classify_list(stores),
        endpoints.VECTOR_STORE_FILES: (
            classify_list(store_files)
            if store is not None
            else classify_made_up(store_files, f"vector_stores/{MADE_UP_STORE}/files", nowhere)
        ),
        endpoints.FILE_BATCHES: classify_made_up(
            batch, f"vector_stores/{on_store}/file_batches/{MADE_UP_BATCH}", nowhere
        ),
    }


def classify_list(answer: Answer) -> str:
    """A GET of a list: any success is the endpoint; a 404 or 405 its absence."""
    if isinstance(answer, ApiError):
        return f"unknown: {answer.message}"
    if 200 <= answer.status < 300:
        return PRESENT
    if answer.status in MISSING_STATUSES:
        return MISSING
    return f"unknown: {_shown(answer)}"


def classify_made_up(answer: Answer, path: str, nowhere: Answer) -> str:
    """A GET of a made-up id at `path` (relative to the base URL): a refusal in the words
    of the path no server has (`nowhere`) is no such endpoint; in other words (`No vector
    store found`, as a 404 or, on some servers, a 403), the endpoint refusing the id."""
    if isinstance(answer, ApiError) or answer.status in (401, 429) or answer.status >= 500:
        return classify_list(answer)  # unknown: it says nothing of the path
    if 200 <= answer.status < 300:
        return PRESENT
    if answer.status == 405:
        return MISSING
    if isinstance(nowhere, ApiError) or nowhere.status not in MISSING_STATUSES:
        return f"unknown: HTTP {answer.status} for a made-up id, and no way to tell why"
    same = answer.status == nowhere.status and _without(answer.text, path) == _without(
        nowhere.text, NOWHERE
    )
    return MISSING if same else PRESENT


def needs_line(found: dict[str, str]) -> str:
    """The one line on what knowledge specs need of this server."""
    missing = [name for name, verdict in found.items() if verdict == MISSING]
    unknown = [name for name, verdict in found.items() if verdict not in (PRESENT, MISSING)]
    line = "Knowledge specs need these (code_interpreter files: /v1/files; vector stores: all)"
    if missing:
        return f"{line}: a plan using a missing one refuses here."
    if unknown:
        return f"{line}: a plan will find out what is here."
    return f"{line}: all here."


def _first_id(answer: Answer) -> str | None:
    if isinstance(answer, ApiError) or not 200 <= answer.status < 300:
        return None
    body = answer.body
    data = body.get("data") if isinstance(body, dict) else None
    if isinstance(data, list) and data and isinstance(data[0], dict):
        found = data[0].get("id")
        return str(found) if found else None
    return None


def _without(text: str, path: str) -> str:
    """`text` with `path` (and any query after it) taken out, so answers for two paths
    compare by their words."""
    return re.sub(re.escape(path) + r"(\?[^\s)\"']*)?", "<path>", text)


def _shown(answer: RawAnswer) -> str:
    return answer.error.message if answer.error is not None else f"HTTP {answer.status}"
