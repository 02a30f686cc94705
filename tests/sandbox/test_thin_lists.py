"""The `thin-list` and `stuck-cursor` profiles: list bodies of self-hosted servers."""

from __future__ import annotations

import json
from typing import Any

import pytest

from assistform.sandbox import AssistantsService, AssistantStore

HEADERS = {"authorization": "Bearer sk-test", "openai-beta": "assistants=v2"}


def service_with(profile: str, count: int) -> tuple[AssistantsService, list[str]]:
    service = AssistantsService(AssistantStore(), profile=profile)
    ids = []
    for index in range(count):
        body = json.dumps({"model": "gpt-4o", "name": f"n{index}"}).encode()
        ids.append(service.handle("POST", "/v1/assistants", {}, HEADERS, body).json()["id"])
    return service, ids


def page(service: AssistantsService, **query: str) -> Any:
    response = service.handle("GET", "/v1/assistants", query, HEADERS)
    assert response.status == 200
    return response.json()


@pytest.mark.parametrize("profile", ["thin-list", "stuck-cursor"])
def test_the_list_body_is_data_alone(profile: str) -> None:
    service, ids = service_with(profile, 3)
    listed = [service.handle("GET", f"/v1/assistants/{i}", {}, HEADERS).json() for i in ids]
    assert page(service, limit="2", order="asc") == {"data": listed[:2]}


def test_thin_list_follows_its_cursors() -> None:
    service, ids = service_with("thin-list", 3)
    body = page(service, limit="2", order="asc", after=ids[1])
    assert [item["id"] for item in body["data"]] == ids[2:]


@pytest.mark.parametrize("cursor", ["after", "before"])
def test_stuck_cursor_serves_the_first_page_whatever_the_cursor(cursor: str) -> None:
    service, ids = service_with("stuck-cursor", 3)
    for value in (ids[0], ids[1], "asst_unknown"):
        body = page(service, limit="2", order="asc", **{cursor: value})
        assert [item["id"] for item in body["data"]] == ids[:2]
