"""Helpers of the files and vector store tests."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import openai
import pytest

from .conftest import Connected

SchemaCheck = Callable[[str, Any], None]


def upload(connected: Connected, name: str = "doc.md", data: bytes = b"# doc\n") -> str:
    created = connected.client.files.create(file=(name, io.BytesIO(data)), purpose="assistants")
    return created.id


def wire(raw: Any) -> Any:
    """The JSON body of a `with_raw_response` call, as the server sent it."""
    return raw.http_response.json()


def refusal(
    excinfo: pytest.ExceptionInfo[openai.APIStatusError], assert_schema: SchemaCheck
) -> tuple[int, str | None, str | None]:
    """(status, param, code) of an error answer, checked against ErrorResponse."""
    body = excinfo.value.response.json()
    assert_schema("ErrorResponse", body)
    assert body["error"]["type"] == "invalid_request_error"
    return excinfo.value.status_code, body["error"]["param"], body["error"]["code"]
