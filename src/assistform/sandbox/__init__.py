"""assistform's own server of the /v1/assistants contract, with /v1/files and
/v1/vector_stores, for tests, demos and CI.

OpenAI's hosted Assistants API is switched off; this package is the stand-in:

- `service.AssistantsService`: the contract as a transport-free request handler, which
  dispatches each route (`routes.py`) to its handler: assistants in `service.py`, then
  `files.py`, `vector_stores.py`, `vector_store_files.py`, `file_batches.py`;
- `store.AssistantStore` and `knowledge_store.KnowledgeStore` (with `blobs.BlobStore`):
  where the data is kept, in memory or beside a data file;
- `http.SandboxServer`: it over real HTTP on loopback (`assistform sandbox serve`);
- `inprocess.sandbox_client` / `inprocess.connect`: an `openai.OpenAI` answered in-process
  (import it from `assistform.sandbox.inprocess`; it is the only module that loads openai);
- `faults.Faults`: latency, throttling, errors, lost and slow answers on demand;
- `profiles`: `faithful` (like OpenAI), `lenient` (like third-party servers), `files-only`
  (no vector stores) and others;
- `defaults`: every choice made where the spec is silent.
"""

from __future__ import annotations

from assistform.sandbox.faults import Faults, RequestInfo, every_request, nth
from assistform.sandbox.http import SandboxServer
from assistform.sandbox.knowledge_store import KnowledgeStore
from assistform.sandbox.profiles import PROFILES
from assistform.sandbox.service import (
    ROUTE_COLLECTION,
    ROUTE_ITEM,
    AssistantsService,
    Response,
)
from assistform.sandbox.stats import LoggedRequest, RequestStats
from assistform.sandbox.store import AssistantStore, SandboxDataError, StoredAssistant

__all__ = [
    "PROFILES",
    "ROUTE_COLLECTION",
    "ROUTE_ITEM",
    "AssistantStore",
    "AssistantsService",
    "Faults",
    "KnowledgeStore",
    "LoggedRequest",
    "RequestInfo",
    "RequestStats",
    "Response",
    "SandboxDataError",
    "SandboxServer",
    "StoredAssistant",
    "every_request",
    "nth",
]
