"""Warnings: things the API accepts but that are almost surely mistakes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from assistform.errors import Diagnostic, Severity

if TYPE_CHECKING:
    from assistform.spec.load import LoadedSpec


def lint(loaded: LoadedSpec) -> list[Diagnostic]:
    spec = loaded.spec
    found: list[Diagnostic] = []

    def warn(message: str, *path: str | int, key: bool = False) -> None:
        found.append(Diagnostic(loaded.location(*path, key=key), message, Severity.WARNING))

    tool_types = {tool.type for tool in spec.tools}
    resources = spec.tool_resources
    if resources is not None:
        for tool_type in ("code_interpreter", "file_search"):
            if getattr(resources, tool_type) is not None and tool_type not in tool_types:
                warn(
                    f"tool_resources.{tool_type} is set but the assistant has no {tool_type} "
                    "tool: add the tool or remove the resources",
                    "tool_resources",
                    tool_type,
                    key=True,
                )
    json_mode = spec.response_format is not None and spec.response_format.type == "json_object"
    if json_mode and "json" not in (spec.instructions or "").lower():
        warn(
            "response_format json_object needs the word JSON in the instructions, "
            "or the model may emit whitespace until it runs out of tokens",
            "response_format",
            "type",
        )
    if spec.temperature is not None and spec.top_p is not None:
        warn("both temperature and top_p are set; OpenAI recommends changing only one", "top_p")
    return found
