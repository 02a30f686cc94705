"""Normalize assistant configurations before diffing, so that a plan never shows a change
that is not there (Argo CD's lesson: normalize, then diff).

Both sides go through `normalize`: the desired request built from a spec, and an assistant
as a server returned it. Server-filled defaults are filled on both sides, `null` means "the
default" (some servers return null for every field they were not sent), `1` equals `1.0`,
empty strings equal null, metadata is a mapping without our ownership tag, and fields a
server adds (`updated_at`, `file_ids`, ...) are dropped because we only pick known ones.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from assistform import limits
from assistform.ownership import without_tag

#: The fields of the normalized form, in the API's order.
FIELDS = limits.CREATE_FIELDS

#: Fields the API never returns: they are compared with the state, not the live assistant.
STATE_ONLY_FIELDS = frozenset({"reasoning_effort"})

#: What `null` or absent means for each field: the service's documented default.
DEFAULTS: dict[str, Any] = {
    "name": None,
    "description": None,
    "instructions": None,
    "reasoning_effort": None,
    "tools": [],
    "tool_resources": {},
    "metadata": {},
    "temperature": limits.TEMPERATURE_DEFAULT,
    "top_p": limits.TOP_P_DEFAULT,
    "response_format": limits.RESPONSE_FORMAT_AUTO,
}

#: The value to send in a modify call to bring a field back to its default.
RESET_VALUES: dict[str, Any] = {
    **DEFAULTS,
    "tool_resources": {
        "code_interpreter": {"file_ids": []},
        "file_search": {"vector_store_ids": []},
    },
}

Config = dict[str, Any]


def normalize(raw: Mapping[str, Any]) -> Config:
    """The canonical form of a create request or of a returned assistant."""
    return {
        "model": raw.get("model"),
        "name": _text(raw.get("name")),
        "description": _text(raw.get("description")),
        "instructions": _text(raw.get("instructions")),
        "reasoning_effort": raw.get("reasoning_effort") or None,
        "tools": [_tool(t) for t in raw.get("tools") or []],
        "tool_resources": _tool_resources(raw.get("tool_resources")),
        "metadata": dict(sorted(without_tag(raw.get("metadata")).items())),
        "temperature": _number(raw.get("temperature"), limits.TEMPERATURE_DEFAULT),
        "top_p": _number(raw.get("top_p"), limits.TOP_P_DEFAULT),
        "response_format": _response_format(raw.get("response_format")),
    }


def fingerprint(value: Any) -> str:
    """A short stable hash of JSON-able data (sorted keys), for staleness checks."""
    blob = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value != "" else None


def _number(value: Any, default: float) -> float:
    if value is None or isinstance(value, bool):
        return default
    return float(value)


def _drop_none(mapping: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in mapping.items() if v is not None}


def _tool(tool: Mapping[str, Any]) -> dict[str, Any]:
    kind = tool.get("type")
    if kind == "function":
        function = dict(tool.get("function") or {})
        normalized = _drop_none(
            {
                "name": function.get("name"),
                "description": _text(function.get("description")),
                "parameters": function.get("parameters") or None,
                "strict": bool(function.get("strict") or limits.FUNCTION_STRICT_DEFAULT),
            }
        )
        return {"type": "function", "function": normalized}
    if kind == "file_search":
        options = dict(tool.get("file_search") or {})
        ranking = dict(options.get("ranking_options") or {})
        threshold = ranking.get("score_threshold")
        file_search = _drop_none(
            {
                "max_num_results": options.get("max_num_results"),
                "ranking_options": {
                    "ranker": ranking.get("ranker") or limits.RANKER_DEFAULT,
                    "score_threshold": _number(threshold, limits.SCORE_THRESHOLD_DEFAULT),
                },
            }
        )
        return {"type": "file_search", "file_search": file_search}
    return {"type": str(kind)}


def _tool_resources(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, Mapping):
        return {}
    result: dict[str, Any] = {}
    code = raw.get("code_interpreter")
    if isinstance(code, Mapping) and code.get("file_ids"):
        result["code_interpreter"] = {"file_ids": list(code["file_ids"])}
    search = raw.get("file_search")
    if isinstance(search, Mapping):
        if search.get("vector_store_ids"):
            result["file_search"] = {"vector_store_ids": list(search["vector_store_ids"])}
        elif search.get("vector_stores"):
            # A create-time helper: the server turns it into a new vector store id, so it
            # can only be compared with what was last applied (see STATE_ONLY_FIELDS use).
            result["file_search"] = {"vector_stores": search["vector_stores"]}
    return result


def _response_format(raw: Any) -> Any:
    if raw is None or raw == limits.RESPONSE_FORMAT_AUTO:
        return limits.RESPONSE_FORMAT_AUTO
    if isinstance(raw, Mapping):
        kind = raw.get("type")
        if kind == "json_schema":
            schema = dict(raw.get("json_schema") or {})
            return {
                "type": "json_schema",
                "json_schema": _drop_none(
                    {
                        "name": schema.get("name"),
                        "description": _text(schema.get("description")),
                        "schema": schema.get("schema") or None,
                        "strict": bool(schema.get("strict") or False),
                    }
                ),
            }
        return {"type": kind}
    return raw


def uses_vector_store_helper(config: Config) -> bool:
    return "vector_stores" in (config.get("tool_resources") or {}).get("file_search", {})
