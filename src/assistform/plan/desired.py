"""What the repository asks for: specs turned into API request bodies and normalized form."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from assistform.knowledge.desired import DesiredKnowledge
from assistform.knowledge.refs import Kind
from assistform.normalize import Config, normalize
from assistform.spec.load import LoadedSpec, display


@dataclass(frozen=True)
class DesiredAssistant:
    key: str
    #: The create-request fields the spec sets (API shapes), without the ownership tag.
    request: dict[str, Any]
    lifecycle: dict[str, Any] = field(default_factory=dict)
    source: str | None = None

    @cached_property
    def config(self) -> Config:
        """The fields the spec declares, normalized once; read-only."""
        return normalize(self.request, fields=self.request)


def desired_from(specs: list[LoadedSpec]) -> list[DesiredAssistant]:
    return [
        DesiredAssistant(
            key=s.key,
            request=s.spec.request_fields(),
            lifecycle=s.spec.lifecycle.as_dict(),
            source=display(s.path),
        )
        for s in specs
    ]


def with_knowledge_ids(
    desired: list[DesiredAssistant],
    knowledge: DesiredKnowledge,
    ids: Mapping[tuple[Kind, str], str],
) -> list[DesiredAssistant]:
    """`desired` with each assistant's managed knowledge in its request, as the API names it:
    its vector store (`vector_store: KEY`) as `file_search.vector_store_ids`, its
    repository files as `code_interpreter.file_ids` after any the spec names itself. Each
    id is the live one where it stays, else a reference known after apply
    (`plan.knowledge`), so the assistant planner compares and sends them like any value."""
    result = []
    for assistant in desired:
        store = knowledge.vector_store_of.get(assistant.key)
        paths = knowledge.code_interpreter.get(assistant.key, ())
        if store is None and not paths:
            result.append(assistant)
            continue
        request = dict(assistant.request)
        resources = dict(request.get("tool_resources") or {})
        if store is not None:
            search = dict(resources.get("file_search") or {})
            search.pop("vector_store", None)  # assistform's own key, never sent
            search["vector_store_ids"] = [ids[("vector_store", store)]]
            resources["file_search"] = search
        if paths:
            code = dict(resources.get("code_interpreter") or {})
            code.pop("files", None)
            code["file_ids"] = [*code.get("file_ids", []), *(ids[("file", p)] for p in paths)]
            resources["code_interpreter"] = code
        request["tool_resources"] = resources
        result.append(replace(assistant, request=request))
    return result


def literal_ids(desired: list[DesiredAssistant]) -> frozenset[str]:
    """The file and vector store ids the specs name themselves (`file_ids`,
    `vector_store_ids`): never deleted by the knowledge plan."""
    named: set[str] = set()
    for assistant in desired:
        resources = assistant.request.get("tool_resources") or {}
        named.update((resources.get("code_interpreter") or {}).get("file_ids") or [])
        named.update((resources.get("file_search") or {}).get("vector_store_ids") or [])
    return frozenset(i for i in named if isinstance(i, str))
