"""A JSON Schema of the spec format, generated from the pydantic model."""

from __future__ import annotations

from typing import Any

from assistform import ownership
from assistform.spec.model import AssistantSpec, Lifecycle

SCHEMA_ID = "https://assistform.dev/schema/assistant.schema.json"


def spec_json_schema() -> dict[str, Any]:
    # The default lifecycle is constructed, never validated (see `AssistantSpec.lifecycle`),
    # so its model is not built yet; the schema's `default` needs its serializer.
    Lifecycle.model_rebuild()
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


VECTOR_STORE_SCHEMA_ID = "https://assistform.dev/schema/vector_store.schema.json"


def vector_store_json_schema() -> dict[str, Any]:
    """The JSON Schema of a vector store spec (`vector_stores/<key>.yaml`)."""
    from assistform.spec.vector_store_model import VectorStoreSpec

    schema = VectorStoreSpec.model_json_schema(by_alias=True, mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = VECTOR_STORE_SCHEMA_ID
    schema["title"] = "assistform vector store spec"
    # An entry without attributes is written as the bare glob.
    schema["properties"]["files"]["items"] = {
        "anyOf": [{"type": "string", "minLength": 1}, {"$ref": "#/$defs/FileEntry"}]
    }
    for option in schema["properties"]["metadata"]["anyOf"]:
        if option.get("type") == "object":
            option["propertyNames"] = {
                **option.get("propertyNames", {}),
                "not": {"enum": sorted(ownership.RESERVED_KEYS)},
            }
    attributes = schema["$defs"]["FileEntry"]["properties"]["attributes"]
    attributes["propertyNames"] = {
        **attributes.get("propertyNames", {}),
        "not": {"enum": sorted(ownership.RESERVED_ATTRIBUTE_KEYS)},
    }
    return schema
