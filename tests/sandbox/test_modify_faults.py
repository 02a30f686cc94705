"""The profiles of servers that break the contract on modify: `merges-metadata` and
`ignores-falsy`. Each is faithful but for its one fault, which is answered with a 200."""

from __future__ import annotations

from typing import Any

import openai
import pytest

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

FULL: dict[str, Any] = {
    "model": "gpt-4o",
    "name": "Full",
    "description": "Every field that can be cleared is set.",
    "instructions": "Be brief.",
    "tools": [{"type": "code_interpreter"}],
    "tool_resources": {"code_interpreter": {"file_ids": ["file-a"]}},
    "metadata": {"team": "qa", "tier": "1"},
    "temperature": 0.5,
    "top_p": 0.5,
}


def _create(client: openai.OpenAI, **body: Any) -> str:
    return client.beta.assistants.create(**{**FULL, **body}).id


def _update(client: openai.OpenAI, assistant_id: str, **body: Any) -> dict[str, Any]:
    """The answer to the modify, and the assistant read back: they must agree."""
    answered = client.beta.assistants.update(assistant_id, **body).to_dict()
    stored = client.beta.assistants.retrieve(assistant_id).to_dict()
    assert answered == stored
    return stored


@pytest.mark.parametrize("inprocess_service", ["merges-metadata"], indirect=True)
def test_merges_metadata_keeps_keys_left_out(inprocess_client: openai.OpenAI) -> None:
    assistant_id = _create(inprocess_client)
    merged = _update(inprocess_client, assistant_id, metadata={"tier": "2", "new": "x"})
    assert merged["metadata"] == {"team": "qa", "tier": "2", "new": "x"}
    # Neither {} nor null removes anything.
    assert _update(inprocess_client, assistant_id, metadata={})["metadata"] == merged["metadata"]
    assert _update(inprocess_client, assistant_id, metadata=None)["metadata"] == merged["metadata"]


@pytest.mark.parametrize("inprocess_service", ["merges-metadata"], indirect=True)
def test_merges_metadata_is_faithful_otherwise(inprocess_client: openai.OpenAI) -> None:
    created = inprocess_client.beta.assistants.create(**FULL).to_dict()
    assert created["metadata"] == FULL["metadata"]
    cleared = _update(inprocess_client, created["id"], tools=[], temperature=0, description="")
    assert (cleared["tools"], cleared["temperature"], cleared["description"]) == ([], 0.0, "")


FALSY = {
    "temperature": 0,
    "top_p": 0,
    "description": "",
    "instructions": "",
    "name": "",
    "tools": [],
    "metadata": {},
}


@pytest.mark.parametrize("inprocess_service", ["ignores-falsy"], indirect=True)
@pytest.mark.parametrize(("field", "value"), [*FALSY.items(), ("description", None)])
def test_ignores_falsy_leaves_the_field_as_it_was(
    inprocess_client: openai.OpenAI, field: str, value: Any
) -> None:
    created = inprocess_client.beta.assistants.create(**FULL).to_dict()
    after = _update(inprocess_client, created["id"], **{field: value})
    assert after == created


@pytest.mark.parametrize("inprocess_service", ["ignores-falsy"], indirect=True)
def test_ignores_falsy_takes_truthy_values_and_nested_falsy_ones(
    inprocess_client: openai.OpenAI,
) -> None:
    assistant_id = _create(inprocess_client, temperature=0, description="")
    created = inprocess_client.beta.assistants.retrieve(assistant_id).to_dict()
    assert (created["temperature"], created["description"]) == (0.0, ""), "create stores them"
    tool = {"type": "function", "function": {"name": "f", "strict": False}}
    after = _update(
        inprocess_client,
        assistant_id,
        temperature=0.7,
        metadata={"only": "this"},
        tools=[tool],
        description="",
    )
    assert after["temperature"] == 0.7
    assert after["metadata"] == {"only": "this"}
    assert after["tools"] == [tool]
    assert after["description"] == ""
