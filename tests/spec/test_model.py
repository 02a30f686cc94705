"""The spec model: what it accepts, what it refuses, and the request body it makes."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from assistform.spec.model import AssistantSpec


def spec(**fields: Any) -> AssistantSpec:
    return AssistantSpec.model_validate({"model": "gpt-4o", **fields})


def error_types(**fields: Any) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        spec(**fields)
    return [e["type"] for e in caught.value.errors()]


def test_request_fields_hold_only_what_the_spec_sets() -> None:
    assert spec(name="Tutor").request_fields() == {"model": "gpt-4o", "name": "Tutor"}


def test_request_fields_leave_out_assistform_s_own_fields() -> None:
    body = spec(instructions="Hi", lifecycle={"prevent_destroy": True}).request_fields()
    assert body == {"model": "gpt-4o", "instructions": "Hi"}


def test_instructions_read_from_a_file_are_sent() -> None:
    loaded = spec(instructions_file="p.md").model_copy(update={"instructions": "From file"})
    assert loaded.request_fields() == {"model": "gpt-4o", "instructions": "From file"}


def test_response_format_auto_is_sent_as_the_bare_string() -> None:
    assert spec(response_format="auto").request_fields()["response_format"] == "auto"


def test_json_schema_is_sent_under_its_api_name() -> None:
    fmt = {
        "type": "json_schema",
        "json_schema": {"name": "out", "schema": {"type": "object"}, "strict": True},
    }
    assert spec(response_format=fmt).request_fields()["response_format"] == fmt


def test_tools_keep_their_order_and_options() -> None:
    tools = [
        {"type": "file_search", "file_search": {"max_num_results": 5}},
        {"type": "code_interpreter"},
        {"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}},
    ]
    assert spec(tools=tools).request_fields()["tools"] == tools


def test_a_whole_number_is_a_valid_temperature() -> None:
    assert spec(temperature=1).temperature == 1


@pytest.mark.parametrize(
    ("field", "value", "kind"),
    [
        ("temperature", "0.5", "float_type"),
        ("temperature", True, "float_type"),
        ("name", 5, "string_type"),
        ("metadata", {"k": 1}, "string_type"),
        ("tools", [{"type": "function", "function": {"name": "f", "strict": "true"}}], "bool_type"),
        ("temperature", float("nan"), "finite_number"),
        ("top_p", float("inf"), "finite_number"),
    ],
)
def test_values_are_never_coerced(field: str, value: Any, kind: str) -> None:
    assert error_types(**{field: value}) == [kind]


def test_file_search_resources_take_exactly_one_source() -> None:
    assert spec(tool_resources={"file_search": {"vector_store_ids": ["vs"]}})
    assert spec(tool_resources={"file_search": {"vector_stores": [{"file_ids": ["f"]}]}})
    both = {"file_search": {"vector_store_ids": [], "vector_stores": []}}
    assert error_types(tool_resources=both) == ["spec_one_of"]
    assert error_types(tool_resources={"file_search": {}}) == ["spec_one_of"]


def test_instructions_come_from_one_place() -> None:
    assert error_types(instructions="a", instructions_file="b.md") == ["spec_instructions_conflict"]


def test_user_metadata_leaves_one_pair_for_the_ownership_tag() -> None:
    assert spec(metadata={f"k{i}": "v" for i in range(15)})
    assert error_types(metadata={f"k{i}": "v" for i in range(16)}) == ["too_long"]


def test_response_format_auto_only_as_a_string() -> None:
    assert error_types(response_format={"type": "auto"}) == ["spec_response_format"]
    assert error_types(response_format="json") == ["spec_response_format"]


def test_lifecycle_defaults_to_nothing_special() -> None:
    lifecycle = spec().lifecycle
    assert not lifecycle.prevent_destroy
    assert lifecycle.replace_on_change == []
    assert lifecycle.ignore_changes == []


def test_specs_are_immutable() -> None:
    loaded = spec(name="a")
    with pytest.raises(ValidationError):
        loaded.name = "b"  # type: ignore[misc]
