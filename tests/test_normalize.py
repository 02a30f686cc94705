"""Normalization: a plan never shows a change that is not there.

First the rules, table-driven (two spellings of one configuration normalize alike, two
configurations do not). Then the promise itself against the project's own server, on both
profiles: apply, then plan again, shows no change, for every example in assistants/ and
for every field set, changed and unset in turn.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from assistform.api.client import OpenAIAssistants
from assistform.apply.run import apply_plan, state_for
from assistform.normalize import FIELDS, fingerprint, normalize
from assistform.plan.model import Action, Plan
from assistform.sandbox import SandboxServer
from assistform.workspace import Workspace

REPO = Path(__file__).resolve().parents[1]

SAME: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "every field absent or null": (
        {"model": "m"},
        {
            "model": "m",
            "name": None,
            "description": None,
            "instructions": None,
            "reasoning_effort": None,
            "tools": None,
            "tool_resources": None,
            "metadata": None,
            "temperature": None,
            "top_p": None,
            "response_format": None,
        },
    ),
    "1 and 1.0": (
        {"model": "m", "temperature": 1, "top_p": 0},
        {"model": "m", "temperature": 1.0, "top_p": 0.0},
    ),
    "empty strings and null": (
        {"model": "m", "name": "", "description": "", "instructions": ""},
        {"model": "m", "name": None, "description": None, "instructions": None},
    ),
    "metadata order and our tag": (
        {"model": "m", "metadata": {"b": "2", "a": "1"}},
        {"model": "m", "metadata": {"a": "1", "assistform": "k@lineage", "b": "2"}},
    ),
    "function strict absent and null": (
        {"model": "m", "tools": [{"type": "function", "function": {"name": "f"}}]},
        {"model": "m", "tools": [{"type": "function", "function": {"name": "f", "strict": None}}]},
    ),
    "function empty description and parameters": (
        {"model": "m", "tools": [{"type": "function", "function": {"name": "f"}}]},
        {
            "model": "m",
            "tools": [
                {
                    "type": "function",
                    "function": {"name": "f", "description": "", "parameters": {}, "strict": None},
                }
            ],
        },
    ),
    "empty tool resources": (
        {"model": "m"},
        {
            "model": "m",
            "tool_resources": {
                "code_interpreter": {"file_ids": []},
                "file_search": {"vector_store_ids": []},
            },
        },
    ),
    "json_schema strict null and empty description": (
        {
            "model": "m",
            "response_format": {"type": "json_schema", "json_schema": {"name": "s"}},
        },
        {
            "model": "m",
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": "s", "description": "", "strict": None, "schema": None},
            },
        },
    ),
    "fields other servers add": (
        {"model": "m"},
        {
            "model": "m",
            "id": "asst_1",
            "object": "assistant",
            "created_at": 1.5,
            "updated_at": 2,
            "file_ids": [],
            "extra_body": None,
        },
    ),
    "reasoning_effort empty": (
        {"model": "m"},
        {"model": "m", "reasoning_effort": ""},
    ),
}

DIFFERENT: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "no default is assumed: response_format auto": (
        {"model": "m", "response_format": "auto"},
        {"model": "m", "response_format": None},
    ),
    "no default is assumed: OpenAI's filled in": (
        {"model": "m"},
        {
            "model": "m",
            "tools": [],
            "tool_resources": {},
            "metadata": {},
            "temperature": 1.0,
            "top_p": 1.0,
            "response_format": "auto",
        },
    ),
    "no default is assumed: strict false": (
        {"model": "m", "tools": [{"type": "function", "function": {"name": "f"}}]},
        {"model": "m", "tools": [{"type": "function", "function": {"name": "f", "strict": False}}]},
    ),
    "no default is assumed: ranking options": (
        {"model": "m", "tools": [{"type": "file_search"}]},
        {
            "model": "m",
            "tools": [
                {
                    "type": "file_search",
                    "file_search": {"ranking_options": {"ranker": "auto", "score_threshold": 0}},
                }
            ],
        },
    ),
    "no default is assumed: a ranker": (
        {
            "model": "m",
            "tools": [
                {
                    "type": "file_search",
                    "file_search": {"ranking_options": {"score_threshold": 0.5}},
                }
            ],
        },
        {
            "model": "m",
            "tools": [
                {
                    "type": "file_search",
                    "file_search": {
                        "ranking_options": {"ranker": "auto", "score_threshold": 0.5},
                        "max_num_results": None,
                    },
                }
            ],
        },
    ),
    "function strict true": (
        {"model": "m", "tools": [{"type": "function", "function": {"name": "f"}}]},
        {"model": "m", "tools": [{"type": "function", "function": {"name": "f", "strict": True}}]},
    ),
    "max_num_results is not guessed": (
        {"model": "m", "tools": [{"type": "file_search"}]},
        {"model": "m", "tools": [{"type": "file_search", "file_search": {"max_num_results": 20}}]},
    ),
    "a non-default ranker": (
        {"model": "m", "tools": [{"type": "file_search"}]},
        {
            "model": "m",
            "tools": [
                {
                    "type": "file_search",
                    "file_search": {
                        "ranking_options": {"ranker": "default_2024_08_21", "score_threshold": 0}
                    },
                }
            ],
        },
    ),
    "text is not auto": (
        {"model": "m", "response_format": "auto"},
        {"model": "m", "response_format": {"type": "text"}},
    ),
    "tool order": (
        {"model": "m", "tools": [{"type": "code_interpreter"}, {"type": "file_search"}]},
        {"model": "m", "tools": [{"type": "file_search"}, {"type": "code_interpreter"}]},
    ),
    "a metadata value": ({"model": "m", "metadata": {"a": "1"}}, {"model": "m", "metadata": {}}),
    "whitespace in instructions": (
        {"model": "m", "instructions": "x"},
        {"model": "m", "instructions": "x "},
    ),
}


@pytest.mark.parametrize(("one", "other"), SAME.values(), ids=SAME.keys())
def test_spellings_of_one_configuration_normalize_alike(
    one: dict[str, Any], other: dict[str, Any]
) -> None:
    assert normalize(one) == normalize(other)
    assert fingerprint(normalize(one)) == fingerprint(normalize(other))


@pytest.mark.parametrize(("one", "other"), DIFFERENT.values(), ids=DIFFERENT.keys())
def test_different_configurations_stay_different(
    one: dict[str, Any], other: dict[str, Any]
) -> None:
    assert normalize(one) != normalize(other)


def test_the_normalized_form_has_every_field_in_api_order() -> None:
    config = normalize({"model": "m", "metadata": {"assistform": "k@l"}})
    assert list(config) == list(FIELDS)
    assert config == {
        **dict.fromkeys(FIELDS),
        "model": "m",
        "tools": [],
        "tool_resources": {},
        "metadata": {},
    }, "nothing filled in: what a server fills is learnt, never assumed"
    assert json.loads(json.dumps(config)) == config, "JSON-able, for the plan and the state"


def test_a_spec_s_form_holds_only_the_fields_it_declares() -> None:
    request = {"model": "m", "temperature": 1, "description": ""}
    assert normalize(request, fields=request) == {
        "model": "m",
        "description": None,
        "temperature": 1.0,
    }


def test_the_vector_stores_helper_is_kept_for_comparison_with_the_state() -> None:
    helper = {"file_search": {"vector_stores": [{"file_ids": ["f1"]}]}}
    assert normalize({"model": "m", "tool_resources": helper})["tool_resources"] == helper


def test_fingerprints_ignore_key_order() -> None:
    assert fingerprint({"a": 1, "b": [1, {"c": 2, "d": 3}]}) == fingerprint(
        {"b": [1, {"d": 3, "c": 2}], "a": 1}
    )
    assert fingerprint({"a": 1}) != fingerprint({"a": 2})


# --- the promise, against the project's own server ----------------------------------------

#: One assistant's spec, version after version: every field set, changed and unset again.
VERSIONS: list[dict[str, Any]] = [
    {
        "model": "gpt-4o",
        "name": "Full",
        "description": "Every field set.",
        "instructions": "Answer.",
        "reasoning_effort": "low",
        "tools": [
            {"type": "code_interpreter"},
            {
                "type": "file_search",
                "file_search": {"max_num_results": 5, "ranking_options": {"score_threshold": 0.5}},
            },
            {
                "type": "function",
                "function": {
                    "name": "lookup",
                    "description": "Look up.",
                    "parameters": {
                        "type": "object",
                        "properties": {"n": {"type": "integer", "minimum": 1}},
                        "required": ["n"],
                        "additionalProperties": False,
                    },
                    "strict": True,
                },
            },
        ],
        "tool_resources": {
            "code_interpreter": {"file_ids": ["file-a"]},
            "file_search": {"vector_store_ids": ["vs_1"]},
        },
        "metadata": {"team": "x", "2024": "y"},
        "temperature": 0.5,
        "top_p": 0.9,
        "response_format": {
            "type": "json_schema",
            "json_schema": {
                "name": "out",
                "schema": {"type": "object", "additionalProperties": False},
                "strict": True,
            },
        },
    },
    {"model": "gpt-4o"},
    {
        "model": "gpt-4o",
        "name": "",
        "temperature": 1,
        "top_p": 1,
        "tools": [{"type": "function", "function": {"name": "lookup"}}],
        "response_format": "auto",
    },
    {"model": "gpt-4o", "tool_resources": {"code_interpreter": {"file_ids": ["file-a"]}}},
    {
        "model": "gpt-4o",
        "tool_resources": {"file_search": {"vector_store_ids": ["vs_2"]}},
        "response_format": {"type": "text"},
        "metadata": {},
    },
    {
        "model": "gpt-4o",
        "tools": [{"type": "file_search"}],
        "response_format": {"type": "json_object"},
        "reasoning_effort": "high",
        "description": "",
    },
    {
        "model": "gpt-4o",
        "tools": [
            {
                "type": "file_search",
                "file_search": {"ranking_options": {"ranker": "auto", "score_threshold": 0}},
            }
        ],
        "tool_resources": {"file_search": {"vector_stores": [{"file_ids": ["f1"]}]}},
    },
    {
        "model": "gpt-4o",
        "tools": [{"type": "file_search"}],
        "tool_resources": {"file_search": {"vector_stores": [{"file_ids": ["f2"]}]}},
    },
    {"model": "gpt-4.1", "lifecycle": {"prevent_destroy": True}},
    {"model": "gpt-4.1"},
]


@pytest.fixture(params=["faithful", "lenient", "contrary"])
def server(
    request: pytest.FixtureRequest, make_api_server: Callable[..., SandboxServer]
) -> SandboxServer:
    server: SandboxServer = make_api_server(profile=request.param)
    return server


@pytest.fixture
def api(server: SandboxServer) -> Iterator[OpenAIAssistants]:
    import openai

    client = openai.OpenAI(base_url=server.base_url, api_key="sk-test", timeout=10, max_retries=0)
    yield OpenAIAssistants(client)
    client.close()


def apply_then_plan(root: Path, api: OpenAIAssistants) -> tuple[Plan, Plan]:
    """Plan and apply with the real applier, then plan again: (applied plan, next plan)."""
    workspace = Workspace.discover(root)
    first = workspace.plan(api)
    result = apply_plan(first, api, workspace.state_file, state_for(first, workspace.state_file))
    assert not result.failed, [o.describe() for o in result.failed]
    return first, workspace.plan(api)


def pending(result: Plan) -> list[tuple[str, str, list[str]]]:
    return [
        (c.key, c.action.value, [f.path for f in c.changes])
        for c in result.resource_changes
        if c.writes_state
    ]


def test_every_example_converges(tmp_path: Path, api: OpenAIAssistants) -> None:
    shutil.copytree(REPO / "assistants", tmp_path / "assistants")
    first, again = apply_then_plan(tmp_path, api)
    assert {c.action for c in first.resource_changes} == {Action.CREATE}
    assert len(first.resource_changes) == len(list((REPO / "assistants").rglob("*.y*ml")))
    assert pending(again) == []


def test_every_field_converges_as_it_is_set_changed_and_unset(
    tmp_path: Path, api: OpenAIAssistants
) -> None:
    spec_file = tmp_path / "assistants" / "bot.yaml"
    spec_file.parent.mkdir()
    for number, version in enumerate(VERSIONS):
        spec_file.write_text(json.dumps(version), encoding="utf-8")  # JSON is YAML
        first, again = apply_then_plan(tmp_path, api)
        assert first.writes_state, f"version {number} should have been a change"
        assert pending(again) == [], f"perpetual diff after version {number}"
