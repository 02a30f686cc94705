"""Canonical forms of assistant configurations, so that a plan never shows a change that is
not there (Argo CD's lesson: normalize, then diff), and nothing that a server decided is
mistaken for a change.

`normalize` canonicalizes representation only, never meaning: `1` equals `1.0`, an empty
string equals null, `null` equals `[]` for lists and `{}` for maps, metadata is a mapping
without our ownership tag, and options the contract does not know (a server's additions,
inside tools or response formats) are dropped because only known keys are picked. It fills
no default: what a spec leaves out is the server's to decide, and the truth about it is what
the server returned after our last write (see `plan.expected`).

A desired configuration holds only the fields its spec declares (`normalize(request,
fields=request)`); a live one holds every field (`normalize(raw)`), null for those the server
did not return.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

from assistform import limits
from assistform.ownership import without_tag

#: The fields of the normalized form, in the API's order.
FIELDS = limits.CREATE_FIELDS

#: Fields the API never returns: they are compared with the state, not the live assistant.
STATE_ONLY_FIELDS = frozenset({"reasoning_effort"})

#: Values compared as a whole: a key added or removed inside them is a change. Every other
#: mapping is a set of options, where a key one side leaves out is the server's to decide.
ATOMIC_KEYS = frozenset({"metadata", "parameters", "schema", "tool_resources"})

Config = dict[str, Any]


def normalize(raw: Mapping[str, Any], fields: Iterable[str] = FIELDS) -> Config:
    """The canonical form of `fields` of a request body or of a returned assistant."""
    wanted = set(fields)
    return {name: canonical(name, raw.get(name)) for name in FIELDS if name in wanted}


def canonical(name: str, value: Any) -> Any:
    """The canonical form of one top-level field's value."""
    if name in ("name", "description", "instructions"):
        return _text(value)
    if name == "reasoning_effort":
        return value or None
    if name == "tools":
        return [_tool(t) for t in value or [] if isinstance(t, Mapping)]
    if name == "tool_resources":
        return _tool_resources(value)
    if name == "metadata":
        return dict(sorted(without_tag(value).items()))
    if name in ("temperature", "top_p"):
        return _number(value)
    if name == "response_format":
        return _response_format(value)
    return value


def fingerprint(value: Any) -> str:
    """A short stable hash of JSON-able data (sorted keys), for staleness checks."""
    blob = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value != "" else None


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _drop_none(mapping: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in mapping.items() if v is not None}


def _tool(tool: Mapping[str, Any]) -> dict[str, Any]:
    kind = tool.get("type")
    if kind == "function":
        function = tool.get("function")
        function = function if isinstance(function, Mapping) else {}
        strict = function.get("strict")
        normalized = _drop_none(
            {
                "name": function.get("name"),
                "description": _text(function.get("description")),
                # No parameters and `{}` both declare a function without any.
                "parameters": function.get("parameters") or None,
                "strict": strict if isinstance(strict, bool) else None,
            }
        )
        return {"type": "function", "function": normalized}
    if kind == "file_search":
        options = tool.get("file_search")
        options = options if isinstance(options, Mapping) else {}
        ranking = options.get("ranking_options")
        ranking = ranking if isinstance(ranking, Mapping) else {}
        ranking_options = _drop_none(
            {
                "ranker": ranking.get("ranker") or None,
                "score_threshold": _number(ranking.get("score_threshold")),
            }
        )
        file_search = _drop_none(
            {
                "max_num_results": options.get("max_num_results"),
                "ranking_options": ranking_options or None,
            }
        )
        return (
            {"type": "file_search", "file_search": file_search}
            if file_search
            else {"type": "file_search"}
        )
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
            # can only be compared with what was last applied (see `uses_vector_store_helper`).
            result["file_search"] = {"vector_stores": search["vector_stores"]}
    return result


def _response_format(raw: Any) -> Any:
    if isinstance(raw, Mapping):
        kind = raw.get("type")
        if kind == "json_schema":
            schema = raw.get("json_schema")
            schema = schema if isinstance(schema, Mapping) else {}
            strict = schema.get("strict")
            return {
                "type": "json_schema",
                "json_schema": _drop_none(
                    {
                        "name": schema.get("name"),
                        "description": _text(schema.get("description")),
                        "schema": schema.get("schema") or None,
                        "strict": strict if isinstance(strict, bool) else None,
                    }
                ),
            }
        return {"type": kind}
    return raw if isinstance(raw, str) and raw else None


def uses_vector_store_helper(config: Mapping[str, Any] | None) -> bool:
    resources = (config or {}).get("tool_resources") or {}
    return "vector_stores" in (resources.get("file_search") or {})
