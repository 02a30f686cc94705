"""Build the `AssistantsApi` a command talks to: a configured server, or the sandbox.
Its `knowledge()` is the same server's files and vector stores, on the same connection.

The API key is read from the environment and handed to the SDK only; it never enters a
plan, a state file or a message.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from assistform.api.client import OpenAIAssistants
from assistform.api.retry import RetryPolicy
from assistform.errors import UsageError
from assistform.redact import Redactor

SANDBOX_DATA = Path(".assistform/sandbox.json")


@dataclass(frozen=True)
class ServerOptions:
    """How to reach a server: from flags, the environment, or assistform.yaml."""

    sandbox: bool = False
    base_url: str | None = None
    api_key_env: str = "OPENAI_API_KEY"
    organization: str | None = None
    project: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    timeout: float = 30.0
    #: How every request is retried (the SDK's own retries are always off).
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    sandbox_profile: str = "faithful"
    #: The sandbox's data file, relative to the repository root (one per environment).
    sandbox_data: Path = SANDBOX_DATA


def connect(options: ServerOptions, root: Path) -> OpenAIAssistants:
    if options.sandbox:
        from assistform.sandbox.inprocess import sandbox_client

        data = root / options.sandbox_data
        data.parent.mkdir(parents=True, exist_ok=True)
        client = sandbox_client(data, profile=options.sandbox_profile, max_retries=0)
        return OpenAIAssistants(client, policy=options.retry)
    api_key = os.environ.get(options.api_key_env)
    if not api_key:
        raise UsageError(
            f"no API key: set {options.api_key_env} (and OPENAI_BASE_URL for your server), "
            "or use --sandbox for the built-in local server"
        )
    import openai

    base_url = options.base_url or os.environ.get("OPENAI_BASE_URL") or None
    base, query = _split_query(base_url)
    client = openai.OpenAI(
        api_key=api_key,
        base_url=base,
        organization=options.organization,
        project=options.project,
        default_headers=options.headers or None,
        default_query=query or None,
        timeout=options.timeout,
        max_retries=0,
    )
    redact = Redactor.for_server(api_key, base_url, options.headers)
    return OpenAIAssistants(client, policy=options.retry, redact=redact)


def _split_query(url: str | None) -> tuple[str | None, dict[str, str]]:
    """A base URL's query as the SDK's `default_query`: the SDK appends each request's path
    to the base URL's text, so `https://gw/v1?key=K` would request `/v1/?key=Kassistants`;
    sent as parameters, a gateway's `?key=` reaches it on every request."""
    if not url or "?" not in url:
        return url, {}
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    return urlunsplit(parts._replace(query="", fragment="")), query
