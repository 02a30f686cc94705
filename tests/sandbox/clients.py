"""SDK clients for the tests' loopback servers."""

from __future__ import annotations

from typing import Any

import openai

API_KEY = "sk-test"


def loopback_client(base_url: str, **options: Any) -> openai.OpenAI:
    """`openai.OpenAI` with the SDK's own HTTP client, minus CA certificates: the sandbox
    speaks plain HTTP, and loading them costs ~25 ms a client, hundreds of times a run."""
    options.setdefault("timeout", 10.0)
    return openai.OpenAI(
        base_url=base_url,
        api_key=API_KEY,
        http_client=openai.DefaultHttpxClient(verify=False),
        **options,
    )
