"""The spec writer: a live assistant in, a spec out that loads back to the same configuration.

Live assistants are built as the faithful sandbox fills them (`sandbox.defaults`), or as a
lenient server returns them (nulls everywhere), so these tests need no server.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

import pytest

from assistform import limits
from assistform.normalize import normalize
from assistform.plan.expected import matches
from assistform.sandbox.defaults import new_fields
from assistform.spec import writer
from assistform.spec.writer import LONG_INSTRUCTIONS, SpecFiles, spec_data, spec_files
from assistform.spec.yamlsource import parse_yaml

from .conftest import Repo

TRICKY_STRINGS = [
    "yes", "no", "on", "off", "null", "~", "true", "True", "1", "0x10", "1_000", "1e3",
    ".inf", "0o17", "2024-01-01", "2024-01-01T10:00:00Z", "", " ", " lead", "trail ",
    "- dash", "[bracket", "{brace", "*star", "&anchor", "!tag", "%pct", "@at", "`tick",
    "|pipe", ">gt", "'single", '"double', "? q", ": colon", "a: b", "a #b", "#hash",
    "<<", "=", "café ☕ 🚀", "tab\there", "back\\slash",
]  # fmt: skip
TRICKY_TEXTS = [
    "one\ntwo\n", "one\ntwo", "one\ntwo\n\n\n", "\nleading newline", "  indented\nfirst",
    "crlf\r\nline\r\n", "trailing space \nline", "nul\x00char\nx", "esc\x1b[0m\nx",
    "nel\x85x\ny", "ls\u2028x\ny", "tab\tinside\n\tline", "\n", "\n\n", "emoji 🚀\nnext",
    "# not a comment\n- not a list\nkey: not a mapping\n",
]  # fmt: skip


def live(body: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """An assistant as the faithful server returns it after a create with `body`."""
    fields = new_fields(body, mint=lambda: "vs_minted")
    fields.pop("reasoning_effort", None)
    return {"id": "asst_1", "object": "assistant", "created_at": 1_700_000_000, **fields, **extra}


def load_back(repo: Repo, files: SpecFiles) -> dict[str, Any]:
    """Write the files, load the folder as `validate` does, and return the normalized request."""
    repo.write(str(files.spec_path), files.spec_text)
    if files.instructions_path is not None:
        assert files.instructions_text is not None
        repo.write(str(files.instructions_path), files.instructions_text.encode("utf-8"))
    result = repo.load()
    assert result.errors == [], "\n".join(str(d) for d in result.errors)
    (spec,) = [s for s in result.specs if s.key == files.key]
    request = spec.spec.request_fields()
    return normalize(request, fields=request)


def reproduces(declared: dict[str, Any], raw: dict[str, Any]) -> bool:
    """Whether a spec declaring `declared` asks for exactly the live assistant `raw`: what
    it declares is live, and what it leaves out is the server's (no plan shows it)."""
    live_config = normalize(raw)
    return all(matches(live_config.get(name), value, name) for name, value in declared.items())


FULL_BODY: dict[str, Any] = {
    "model": "gpt-4.1",
    "name": "Data analyst",
    "description": "Explores CSV files.",
    "instructions": "You analyse CSV files.\nExplain the results in plain words.\n",
    "tools": [
        {"type": "code_interpreter"},
        {
            "type": "function",
            "function": {
                "name": "fetch_dataset",
                "description": "Download a dataset.",
                "parameters": {
                    "type": "object",
                    "properties": {"name": {"type": "string"}},
                    "required": ["name"],
                },
            },
        },
    ],
    "tool_resources": {"code_interpreter": {"file_ids": ["file-a", "file-b"]}},
    "metadata": {"team": "analytics", "owner": "alice"},
    "temperature": 0.5,
}

FULL_SPEC = """\
# yaml-language-server: $schema=../schema/assistant.schema.json
model: gpt-4.1
name: Data analyst
description: Explores CSV files.
instructions: |
  You analyse CSV files.
  Explain the results in plain words.
tools:
  - type: code_interpreter
  - type: function
    function:
      name: fetch_dataset
      description: Download a dataset.
      parameters:
        type: object
        properties:
          name: {type: string}
        required: [name]
tool_resources:
  code_interpreter:
    file_ids: [file-a, file-b]
metadata:
  team: analytics
  owner: alice
temperature: 0.5
"""


def test_a_spec_reads_like_one_written_by_hand() -> None:
    files = spec_files("data-analyst", live(FULL_BODY))
    assert files.spec_text == FULL_SPEC
    assert files.spec_path == PurePosixPath("data-analyst.yaml")
    assert files.instructions_path is None


def test_defaults_server_fields_and_the_ownership_tag_are_left_out() -> None:
    raw = live(
        {
            "model": "gpt-4o",
            "temperature": 1,
            "top_p": 1.0,
            "response_format": "auto",
            "tools": [
                {"type": "function", "function": {"name": "f", "strict": False}},
                {"type": "file_search"},
            ],
            "tool_resources": {"code_interpreter": {}},
            "metadata": {"assistform": "x@00000000-0000-0000-0000-000000000000"},
        },
        updated_at=1_700_000_001,
        file_ids=[],
        extra_body=None,
    )
    assert spec_data(raw) == {
        "model": "gpt-4o",
        "tools": [{"type": "function", "function": {"name": "f"}}, {"type": "file_search"}],
    }


def test_fields_follow_the_api_order_whatever_order_the_server_sends() -> None:
    raw = dict(reversed(list(live(FULL_BODY | {"top_p": 0.9}).items())))
    assert list(spec_data(raw)) == [f for f in limits.CREATE_FIELDS if f in spec_data(raw)]
    assert list(spec_data(raw))[:2] == ["model", "name"]


@pytest.mark.parametrize(
    ("tool", "written"),
    [
        ({"type": "file_search"}, {"type": "file_search"}),
        (
            {"type": "file_search", "file_search": {"max_num_results": 8}},
            {"type": "file_search", "file_search": {"max_num_results": 8}},
        ),
        (
            {"type": "file_search", "file_search": {"ranking_options": {"score_threshold": 0.4}}},
            {"type": "file_search", "file_search": {"ranking_options": {"score_threshold": 0.4}}},
        ),
        (
            # What OpenAI's service filled in (its answers name this ranker, not "auto").
            {
                "type": "file_search",
                "file_search": {
                    "ranking_options": {"ranker": "default_2024_08_21", "score_threshold": 0.0}
                },
            },
            {"type": "file_search"},
        ),
        (
            {
                "type": "file_search",
                "file_search": {
                    "ranking_options": {"ranker": "default_2024_08_21", "score_threshold": 0.5}
                },
            },
            {"type": "file_search", "file_search": {"ranking_options": {"score_threshold": 0.5}}},
        ),
        (
            {"type": "function", "function": {"name": "f", "strict": True}},
            {"type": "function", "function": {"name": "f", "strict": True}},
        ),
    ],
)
def test_tool_options_are_written_only_when_they_differ_from_the_defaults(
    tool: dict[str, Any], written: dict[str, Any]
) -> None:
    assert spec_data(live({"model": "m", "tools": [tool]}))["tools"] == [written]


def test_vector_store_ids_are_kept_and_the_helper_comes_back_as_the_minted_id() -> None:
    raw = live(
        {
            "model": "m",
            "tools": [{"type": "file_search"}],
            "tool_resources": {"file_search": {"vector_stores": [{"file_ids": ["f"]}]}},
        }
    )
    assert spec_data(raw)["tool_resources"] == {"file_search": {"vector_store_ids": ["vs_minted"]}}


def test_a_lenient_servers_nulls_mean_the_defaults() -> None:
    raw = {
        "id": "65f0c0ffee",
        "created_at": 1.5,
        "model": "gpt-4o",
        "name": None,
        "description": None,
        "instructions": "",
        "tools": None,
        "tool_resources": None,
        "metadata": None,
        "temperature": None,
        "top_p": None,
        "response_format": None,
        "file_ids": [],
    }
    assert spec_data(raw) == {"model": "gpt-4o"}


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"model": "gpt-4o"}, id="minimal"),
        pytest.param(FULL_BODY, id="full"),
        pytest.param(
            {
                "model": "gpt-4o",
                "name": "Summarizer",
                "top_p": 0.0001,
                "temperature": 0.0,
                "response_format": {
                    "type": "json_schema",
                    "json_schema": {
                        "name": "summary",
                        "description": "Two lines.\nOf description.",
                        "strict": True,
                        "schema": {
                            "type": "object",
                            "properties": {"s": {"type": "string", "enum": ["a", "b"]}},
                            "required": ["s"],
                            "additionalProperties": False,
                        },
                    },
                },
            },
            id="json-schema",
        ),
        pytest.param(
            {"model": "m", "response_format": {"type": "json_object"}, "instructions": "JSON"},
            id="json-object",
        ),
        pytest.param({"model": "m", "response_format": {"type": "text"}}, id="text"),
        pytest.param(
            {
                "model": "m",
                "tools": [
                    {
                        "type": "function",
                        "function": {
                            "name": "tricky",
                            "description": "Keys and values YAML reads as other types.",
                            "parameters": {
                                "type": "object",
                                "properties": {s or "empty": {"const": s} for s in TRICKY_STRINGS},
                                "examples": [[1, 1.5, True, None, "1", "true", "null", -0.5, 1e-7]],
                                "default": {"nested": {"deeper": [{"x": ""}, [], {}]}},
                            },
                        },
                    }
                ],
            },
            id="json-schema-types",
        ),
        pytest.param(
            {"model": "m", "metadata": {s[:64] or "k": s for s in TRICKY_STRINGS[:15]}},
            id="metadata",
        ),
        pytest.param(
            {
                "model": "m",
                "name": "x" * limits.NAME_MAX,
                "description": "d" * limits.DESCRIPTION_MAX,
            },
            id="longest-name",
        ),
    ],
)
def test_a_written_spec_loads_back_to_the_live_configuration(
    repo: Repo, body: dict[str, Any]
) -> None:
    raw = live(body)
    assert reproduces(load_back(repo, spec_files("k", raw)), raw)


@pytest.mark.parametrize("name", TRICKY_STRINGS)
def test_names_that_yaml_reads_as_other_types_stay_strings(repo: Repo, name: str) -> None:
    raw = live({"model": "m", "name": name})
    assert reproduces(load_back(repo, spec_files("k", raw)), raw)


@pytest.mark.parametrize("text", TRICKY_TEXTS)
def test_multi_line_instructions_come_back_exactly(repo: Repo, text: str) -> None:
    raw = live({"model": "m", "instructions": text})
    assert load_back(repo, spec_files("k", raw))["instructions"] == text


@pytest.mark.parametrize(
    ("text", "literal"),
    [
        ("one\ntwo\n", True),
        ("one\n  two", True),
        ("crlf\r\nline", False),  # a reader turns \r\n into \n
        ("trailing space \nline", False),  # editors and hooks strip it
        ("nul\x00char\nx", False),  # not printable: escaped in a quoted string
        ("single line", False),
    ],
)
def test_literal_blocks_only_where_they_reproduce_the_text(text: str, literal: bool) -> None:
    spec = spec_files("k", live({"model": "m", "instructions": text})).spec_text
    assert ("instructions: |" in spec) is literal


def test_long_instructions_go_to_a_markdown_file_beside_the_spec(repo: Repo) -> None:
    text = "# Policy\n\n" + "Be precise. " * 300 + "\n"
    raw = live({"model": "m", "name": "Long", "instructions": text, "temperature": 0.3})
    files = spec_files("team/long", raw)
    assert files.spec_path == PurePosixPath("team/long.yaml")
    assert files.instructions_path == PurePosixPath("team/long.md")
    assert files.instructions_text == text
    assert files.spec_text.splitlines() == [
        "# yaml-language-server: $schema=../../schema/assistant.schema.json",
        "model: m",
        "name: Long",
        "instructions_file: long.md",
        "temperature: 0.3",
    ]
    assert reproduces(load_back(repo, files), raw)


@pytest.mark.parametrize(
    ("length", "in_file"), [(LONG_INSTRUCTIONS, False), (LONG_INSTRUCTIONS + 1, True)]
)
def test_instructions_move_to_a_file_only_past_the_threshold(length: int, in_file: bool) -> None:
    files = spec_files("k", live({"model": "m", "instructions": "x" * length}))
    assert (files.instructions_path is not None) is in_file
    assert ("instructions_file: k.md" in files.spec_text) is in_file


def test_the_modeline_points_at_the_schema_from_where_the_spec_lives() -> None:
    raw = live({"model": "m"})
    assert spec_files("a", raw).spec_text.startswith(
        "# yaml-language-server: $schema=../schema/assistant.schema.json\n"
    )
    assert spec_files("a/b/c", raw).spec_text.startswith(
        "# yaml-language-server: $schema=../../../schema/assistant.schema.json\n"
    )
    custom = spec_files("a", raw, schema="https://example.test/s.json").spec_text
    assert custom.startswith("# yaml-language-server: $schema=https://example.test/s.json\n")


def test_reasoning_effort_is_never_written() -> None:
    raw = live({"model": "o3-mini"}) | {"reasoning_effort": "high"}
    assert "reasoning_effort" not in spec_data(raw)


def test_a_rendering_that_would_not_read_back_is_replaced_by_a_plain_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # `? x` in brackets is what ruamel writes unquoted and then cannot read: force it there.
    monkeypatch.setattr(writer, "_flow_safe", lambda items: True)
    data = {"model": "m", "metadata": {"a": "? x"}, "l": ["? x", ": y"]}
    text = writer.render_spec(data, schema="s.json")
    assert parse_yaml(text, "t").data == data
    assert "[" not in text


def test_yaml_1_1_booleans_are_quoted_so_every_reader_sees_strings() -> None:
    raw = live({"model": "m", "metadata": {"on": "off", "enabled": "yes", "n": "N"}})
    assert (
        "metadata:\n  'on': 'off'\n  enabled: 'yes'\n  'n': 'N'\n" in spec_files("k", raw).spec_text
    )


KB = {"file_search": {"vector_store_ids": ["vs_kb"]}}


@pytest.mark.parametrize(
    ("resources", "written"),
    [
        pytest.param(KB, {"file_search": {"vector_store": "support/kb"}}, id="exported-by-key"),
        pytest.param(
            {"file_search": {"vector_store_ids": ["vs_other"]}},
            {"file_search": {"vector_store_ids": ["vs_other"]}},
            id="not-exported-kept-as-id",
        ),
        pytest.param(
            {**KB, "code_interpreter": {"file_ids": ["file-1"]}},
            {
                "code_interpreter": {"file_ids": ["file-1"]},
                "file_search": {"vector_store": "support/kb"},
            },
            id="code-interpreter-files-stay-ids",
        ),
    ],
)
def test_an_exported_vector_store_is_named_by_key(
    resources: dict[str, Any], written: dict[str, Any]
) -> None:
    live = {"model": "m", "tools": [{"type": "file_search"}], "tool_resources": resources}
    assert spec_data(live, {"vs_kb": "support/kb"})["tool_resources"] == written
    assert spec_data(live)["tool_resources"] == normalize(live)["tool_resources"]


STORE = {
    "id": "vs_kb",
    "object": "vector_store",
    "created_at": 1,
    "name": "KB",
    "description": None,
    "usage_bytes": 10,
    "file_counts": {"total": 2},
    "status": "completed",
    "metadata": {"team": "support", "assistform": "kb@lineage@"},
    "expires_after": {"anchor": "last_active_at", "days": 7},
    "expires_at": 99,
    "last_active_at": 1,
}


def test_a_vector_store_spec_keeps_its_fields_and_files_by_id_under_a_note() -> None:
    text = writer.vector_store_spec(STORE, ["file-1", "file-2"], schema="s.json")
    assert text == (
        "# yaml-language-server: $schema=s.json\n"
        "name: KB\n"
        "metadata:\n  team: support\n"
        "expires_after:\n  anchor: last_active_at\n  days: 7\n"
        f"{writer.FILE_IDS_NOTE}file_ids: [file-1, file-2]\n"
    )
    assert parse_yaml(text, "kb.yaml").data == writer.vector_store_data(STORE, ["file-1", "file-2"])


def test_a_bare_vector_store_spec_has_no_file_ids_and_no_note() -> None:
    text = writer.vector_store_spec({"id": "vs_1", "name": None, "metadata": {}}, [])
    assert text == "# yaml-language-server: $schema=schema/vector_store.schema.json\n{}\n"
