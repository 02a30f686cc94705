"""assistform's own server of the /v1/assistants contract, for tests, demos and CI.

OpenAI's hosted Assistants API is switched off; this package is the stand-in:

- `service.AssistantsService`: the contract as a transport-free request handler;
- `http.SandboxServer`: it over real HTTP on loopback (`assistform sandbox serve`);
- `inprocess.sandbox_client` / `inprocess.connect`: an `openai.OpenAI` answered in-process
  (import it from `assistform.sandbox.inprocess`; it is the only module that loads openai);
- `faults.Faults`: latency, throttling, errors, lost and slow answers on demand;
- `profiles`: `faithful` (like OpenAI) or `lenient` (like third-party servers);
- `defaults`: every choice made where the spec is silent.
"""

from __future__ import annotations

from assistform.sandbox.faults import Faults, RequestInfo, every_request, nth
from assistform.sandbox.http import SandboxServer
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
