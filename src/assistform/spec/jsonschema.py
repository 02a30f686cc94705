"""A JSON Schema of the spec format, generated from the pydantic model."""

from __future__ import annotations

from typing import Any

from assistform import ownership
from assistform.spec.model import AssistantSpec

SCHEMA_ID = "https://assistform.dev/schema/assistant.schema.json"


def spec_json_schema() -> dict[str, Any]:
    schema = AssistantSpec.model_json_schema(by_alias=True, mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = SCHEMA_ID
    schema["title"] = "assistform assistant spec"
    # The model keeps `auto` as an object internally; in YAML it is the bare string.
    schema["properties"]["response_format"] = {
        "anyOf": [
            {"const": "auto"},
            {"$ref": "#/$defs/TextFormat"},
            {"$ref": "#/$defs/JsonObjectFormat"},
            {"$ref": "#/$defs/JsonSchemaFormat"},
            {"type": "null"},
        ]
    }
    schema["$defs"].pop("AutoFormat", None)
    # The ownership and version tags' keys are reserved: a model validator can't say so in the schema.
    for option in schema["properties"]["metadata"]["anyOf"]:
        if option.get("type") == "object":
            option.setdefault("propertyNames", {})["not"] = {
                "enum": sorted(ownership.RESERVED_KEYS)
            }
    # Blue-green versions carry a second reserved pair (see AssistantSpec's validator).
    schema.setdefault("allOf", []).append(
        {
            "if": {
                "required": ["lifecycle"],
                "properties": {
                    "lifecycle": {
                        "required": ["strategy"],
                        "properties": {"strategy": {"const": "blue-green"}},
                    }
                },
            },
            "then": {
                "properties": {
                    "metadata": {
                        "anyOf": [
                            {"type": "object", "maxProperties": ownership.USER_METADATA_MAX - 1},
                            {"type": "null"},
                        ]
                    }
                }
            },
        }
    )
    return schema
