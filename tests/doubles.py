"""Test doubles of servers: the sandbox's service, bent to answer what it never would."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from typing import Any

from assistform.sandbox import AssistantsService, LoggedRequest, Response


class ScriptedService(AssistantsService):
    """Answers every request with one status and JSON body (and logs it like the sandbox)."""

    def __init__(self, status: int, body: Any, headers: Mapping[str, str] | None = None) -> None:
        super().__init__()
        self.status = status
        self.body = body
        self.headers = dict(headers or {})
        self.authorizations: list[str] = []

    def handle(
        self,
        method: str,
        path: str,
        query: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        body: bytes = b"",
    ) -> Response:
        lowered = {k.lower(): v for k, v in (headers or {}).items()}
        self.authorizations.append(lowered.get("authorization", ""))
        self.stats.record(LoggedRequest(method, path, "scripted", self.status))
        content = json.dumps(self.body).encode("utf-8")
        return Response(self.status, {"content-type": "application/json", **self.headers}, content)


class EchoesTheKey(AssistantsService):
    """A server whose error messages repeat the Authorization header they were sent."""

    def handle(
        self,
        method: str,
        path: str,
        query: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        body: bytes = b"",
    ) -> Response:
        response = super().handle(method, path, query, headers, body)
        if response.status < 400:
            return response
        auth = {k.lower(): v for k, v in (headers or {}).items()}.get("authorization", "")
        payload = {"error": {"message": f"Refused for {auth}.", "param": "temperature"}}
        return dataclasses.replace(response, body=json.dumps(payload).encode())
