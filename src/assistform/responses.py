"""A spec as the configuration of a Responses API request (`POST /v1/responses`). Pure.

The Assistants API is switched off; its successor takes the same configuration on every
request instead of storing it. The mapping follows OpenAI's migration guides and the
`CreateResponse` schema of the OpenAPI spec:

- `instructions`, `model`, `temperature`, `top_p`, `metadata` keep their names;
- `reasoning_effort` becomes `reasoning.effort`;
- `response_format` becomes `text.format`, a json_schema's fields flattened into it, and
  `auto` (the default) is left out;
- function tools flatten (`{type, name, description, parameters, strict}`), with `strict`
  always written because Responses makes functions strict by default and Assistants did not;
- `tool_resources` move into the tools that use them: `file_search.vector_store_ids` and
  `code_interpreter.file_ids` (as `container: {type: auto, file_ids}`);
- assistform's own resources become the ids the state of the environment records: a
  `vector_store: KEY` the id of that managed store, `code_interpreter.files` the ids of the
  uploaded files (after any literal `file_ids`). One not applied yet is listed in `unmapped`,
  never given a made-up id.

What has no equivalent (`name`, `description`, the create-time `vector_stores` helper and
its `chunking_strategy`, a ranker the Responses API does not know) is listed in `unmapped`
with the reason, never dropped silently.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from assistform import limits
from assistform.spec.model import AssistantSpec

if TYPE_CHECKING:
    from assistform.state import State

#: Rankers of the Assistants API that the Responses API also accepts.
SHARED_RANKERS = frozenset({"auto"})


@dataclass(frozen=True)
class Unmapped:
    """A spec field the Responses request cannot carry, and why."""

    field: str
    reason: str

    def as_json(self) -> dict[str, str]:
        return {"field": self.field, "reason": self.reason}


@dataclass(frozen=True)
class ResponsesConfig:
    #: The body of a Responses request without its `input`.
    request: dict[str, Any]
    unmapped: list[Unmapped] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"request": self.request, "unmapped": [u.as_json() for u in self.unmapped]}


@dataclass(frozen=True)
class AppliedIds:
    """The ids an environment's state records for assistform's own knowledge."""

    #: Vector store key -> the id of the managed store.
    vector_stores: Mapping[str, str] = field(default_factory=dict)
    #: Repository path -> the id of the uploaded file.
    files: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, state: State) -> AppliedIds:
        return cls(
            vector_stores={key: record.id for key, record in state.vector_stores.items()},
            files={path: record.id for path, record in state.files.items()},
        )


@dataclass(frozen=True)
class _Knowledge:
    """What one spec asks of assistform's own knowledge, and the ids applied so far."""

    applied: AppliedIds
    #: The key of its `file_search` vector store spec, if it names one.
    vector_store: str | None
    #: Its `code_interpreter.files`, expanded to repository paths.
    files: Sequence[str]


def to_responses(
    spec: AssistantSpec, *, files: Sequence[str] = (), applied: AppliedIds | None = None
) -> ResponsesConfig:
    """The Responses request configuration equivalent to `spec` (instructions resolved).

    `files` are its `code_interpreter.files` expanded to repository paths (as loading gives
    them); `applied` the ids the environment's state records, for them and its vector store.
    """
    fields = spec.request_fields()
    resources_spec = spec.tool_resources
    search_spec = resources_spec.file_search if resources_spec is not None else None
    code_spec = resources_spec.code_interpreter if resources_spec is not None else None
    knowledge = _Knowledge(
        applied if applied is not None else AppliedIds(),
        search_spec.vector_store if search_spec is not None else None,
        files,
    )
    unmapped: list[Unmapped] = []
    request: dict[str, Any] = {"model": fields["model"]}
    if "instructions" in fields:
        request["instructions"] = fields["instructions"]
    for name in ("name", "description"):
        if name in fields:
            unmapped.append(Unmapped(name, f"a Responses request has no {name}"))
    resources = fields.get("tool_resources") or {}
    tools = fields.get("tools") or []
    if tools:
        request["tools"] = [
            _tool(tool, i, resources, knowledge, unmapped) for i, tool in enumerate(tools)
        ]
    # assistform's own fields alone leave nothing in `resources`: they count as set too.
    declared = {
        *resources,
        *(["file_search"] if search_spec is not None else []),
        *(["code_interpreter"] if code_spec is not None else []),
    }
    unmapped.extend(_unused_resources(declared, {t["type"] for t in tools}))
    if "reasoning_effort" in fields:
        request["reasoning"] = {"effort": fields["reasoning_effort"]}
    text_format = _text_format(fields.get("response_format"), unmapped)
    if text_format is not None:
        request["text"] = {"format": text_format}
    for name in ("temperature", "top_p", "metadata"):
        if name in fields:
            request[name] = fields[name]
    return ResponsesConfig(request, unmapped)


def _tool(
    tool: dict[str, Any],
    index: int,
    resources: dict[str, Any],
    knowledge: _Knowledge,
    unmapped: list[Unmapped],
) -> dict[str, Any]:
    kind = tool["type"]
    if kind == "function":
        function = tool["function"]
        flat: dict[str, Any] = {"type": "function", "name": function["name"]}
        if "description" in function:
            flat["description"] = function["description"]
        flat["parameters"] = function.get("parameters")
        flat["strict"] = function.get("strict", limits.FUNCTION_STRICT_DEFAULT)
        return flat
    if kind == "file_search":
        return _file_search(tool.get("file_search") or {}, index, resources, knowledge, unmapped)
    code = resources.get("code_interpreter") or {}
    file_ids = list(code.get("file_ids", []))
    for path in knowledge.files:
        file_id = _applied_id(
            knowledge.applied.files,
            path,
            "tool_resources.code_interpreter.files",
            f"file '{path}' is not uploaded yet",
            unmapped,
        )
        if file_id is not None:
            file_ids.append(file_id)
    return {"type": "code_interpreter", "container": {"type": "auto", "file_ids": file_ids}}


def _file_search(
    options: dict[str, Any],
    index: int,
    resources: dict[str, Any],
    knowledge: _Knowledge,
    unmapped: list[Unmapped],
) -> dict[str, Any]:
    search = resources.get("file_search") or {}
    result: dict[str, Any] = {
        "type": "file_search",
        "vector_store_ids": search.get("vector_store_ids", []),
    }
    key = knowledge.vector_store
    if key is not None:
        store_id = _applied_id(
            knowledge.applied.vector_stores,
            key,
            "tool_resources.file_search.vector_store",
            f"vector store '{key}' is not created yet",
            unmapped,
        )
        if store_id is not None:
            result["vector_store_ids"] = [store_id]
    elif "vector_stores" in search:
        unmapped.append(
            Unmapped(
                "tool_resources.file_search.vector_stores",
                "a create-time helper with no Responses equivalent: create the vector store "
                "(POST /v1/vector_stores) and list its id in vector_store_ids",
            )
        )
        for i, helper in enumerate(search["vector_stores"]):
            if "chunking_strategy" in helper:
                unmapped.append(
                    Unmapped(
                        f"tool_resources.file_search.vector_stores[{i}].chunking_strategy",
                        "set when the vector store's files are added, not on a Responses request",
                    )
                )
    elif not search:
        unmapped.append(
            Unmapped(
                f"tools[{index}]",
                "file_search without tool_resources.file_search: the Responses tool needs "
                "vector_store_ids, so the list is empty",
            )
        )
    if "max_num_results" in options:
        result["max_num_results"] = options["max_num_results"]
    ranking = dict(options.get("ranking_options") or {})
    ranker = ranking.get("ranker")
    if ranker is not None and ranker not in SHARED_RANKERS:
        del ranking["ranker"]
        unmapped.append(
            Unmapped(
                f"tools[{index}].file_search.ranking_options.ranker",
                f"the Responses API has no ranker '{ranker}'; its default ranker is used",
            )
        )
    if ranking:
        result["ranking_options"] = ranking
    return result


def _applied_id(
    ids: Mapping[str, str], name: str, field: str, missing: str, unmapped: list[Unmapped]
) -> str | None:
    """The id the state records for `name`; else None, and why in `unmapped`."""
    found = ids.get(name)
    if found is None:
        unmapped.append(
            Unmapped(
                field, f"{missing} (the state records no id for it): run `assistform apply` first"
            )
        )
    return found


def _unused_resources(resources: set[str], tool_types: set[str]) -> list[Unmapped]:
    return [
        Unmapped(
            f"tool_resources.{kind}",
            f"no {kind} tool to carry it: Responses attaches resources to their tool",
        )
        for kind in ("code_interpreter", "file_search")
        if kind in resources and kind not in tool_types
    ]


def _text_format(response_format: Any, unmapped: list[Unmapped]) -> dict[str, Any] | None:
    if response_format is None or response_format == limits.RESPONSE_FORMAT_AUTO:
        return None
    kind = response_format["type"]
    if kind != "json_schema":
        return {"type": kind}
    definition = response_format["json_schema"]
    flat: dict[str, Any] = {"type": "json_schema", "name": definition["name"]}
    if "description" in definition:
        flat["description"] = definition["description"]
    if "schema" in definition:
        flat["schema"] = definition["schema"]
    else:
        flat["schema"] = {}
        unmapped.append(
            Unmapped(
                "response_format.json_schema.schema",
                "not set, but text.format requires one: an empty schema (any JSON) is written",
            )
        )
    if "strict" in definition:
        flat["strict"] = definition["strict"]
    return flat
