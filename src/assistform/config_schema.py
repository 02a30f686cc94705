"""A JSON Schema of `assistform.yaml`, generated from the pydantic models of `config`.

`check_config` also enforces rules that live outside the models (environment names, a
credential header, `name_pattern` compiling); those that JSON Schema can say are added here,
so an editor flags them as `validate` does. "At most one default environment" it cannot say.
"""

from __future__ import annotations

from typing import Any

from assistform.config import ENV_NAME_MAX, ENV_NAME_PATTERN, SECRET_HEADERS, ProjectConfig
from assistform.spec.model import AssistantSpec

SCHEMA_ID = "https://assistform.dev/schema/assistform.schema.json"


def config_json_schema() -> dict[str, Any]:
    schema = ProjectConfig.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = SCHEMA_ID
    schema["title"] = "assistform configuration (assistform.yaml)"
    schema["description"] = (
        "The environments a repository deploys to, and the policy its specs obey "
        "(docs/environments.md)."
    )
    defs = schema["$defs"]
    schema["properties"]["environments"]["propertyNames"] = {
        "pattern": ENV_NAME_PATTERN.pattern,
        "maxLength": ENV_NAME_MAX,
    }
    # JSON Schema's regular expressions have no case-insensitive flag: spell each letter.
    secret = "|".join(_any_case(header) for header in sorted(SECRET_HEADERS))
    defs["ServerConfig"]["properties"]["headers"]["propertyNames"] = {
        "not": {"pattern": f"^(?:{secret})$"}
    }
    name_pattern = defs["Policy"]["properties"]["name_pattern"]
    for option in name_pattern["anyOf"]:
        if option.get("type") == "string":
            option["format"] = "regex"
    # `set` holds spec fields, merged over the spec: any subset of them, each as in a spec.
    fields = sorted(field.alias or name for name, field in AssistantSpec.model_fields.items())
    defs["Override"]["properties"]["set"]["propertyNames"] = {"enum": fields}
    return schema


def _any_case(text: str) -> str:
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else c for c in text)
