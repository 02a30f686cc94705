"""Checking one parsed spec: its shape (pydantic's errors as diagnostics at their place),
its key, its reserved metadata, its instructions file, what the service would refuse in its
JSON Schemas (`strict`) and the lint rules."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from assistform import ownership
from assistform.errors import Diagnostic, Severity, SourceLocation
from assistform.spec import lint, strict
from assistform.spec.discover import KEY_PATTERN
from assistform.spec.instructions import resolve_instructions
from assistform.spec.loaded import LoadedSpec
from assistform.spec.model import AssistantSpec
from assistform.spec.yamlsource import YamlDocument

if TYPE_CHECKING:
    from assistform.knowledge.desired import DesiredFile


def validate_document(
    document: YamlDocument, path: Path, key: str, root: Path
) -> tuple[LoadedSpec | None, list[Diagnostic]]:
    """Check one parsed spec: shape, limits, our own keys and the instructions file."""
    data = document.data
    diagnostics = [*document.problems, *check_key(key, document)]
    if data is None:
        where = SourceLocation(document.path, 1, 1)
        return None, [
            *diagnostics,
            Diagnostic(where, "empty spec: expected a mapping with at least 'model'"),
        ]
    if not isinstance(data, dict):
        from assistform.spec.messages import type_name

        return None, [
            *diagnostics,
            Diagnostic(
                document.location(()), f"a spec must be a mapping of fields, not {type_name(data)}"
            ),
        ]
    diagnostics.extend(check_metadata(data, document))
    try:
        spec = AssistantSpec.model_validate(data)
    except ValidationError as exc:
        diagnostics.extend(diagnostics_of(exc, data, document, AssistantSpec))
        return None, diagnostics
    instructions_path = None
    if spec.instructions_file is not None:
        spec, instructions_path, problem = resolve_instructions(spec, path, root, document)
        if problem is not None:
            return None, [*diagnostics, problem]
    diagnostics.extend(strict.check(data, document))
    files: tuple[DesiredFile, ...] = ()
    resources = spec.tool_resources
    if resources is not None and resources.code_interpreter and resources.code_interpreter.files:
        from assistform.spec.code_interpreter import code_interpreter_files

        files, problems = code_interpreter_files(resources.code_interpreter, path, root, document)
        diagnostics.extend(problems)
    loaded = LoadedSpec(key, path, spec, document, instructions_path, files)
    diagnostics.extend(lint.lint(loaded))
    if any(d.severity is Severity.ERROR for d in diagnostics):
        return None, diagnostics
    return loaded, diagnostics


def diagnostics_of(
    exc: ValidationError, data: Any, document: YamlDocument, model: type[BaseModel]
) -> list[Diagnostic]:
    """pydantic's errors of `model` as diagnostics at their place; a value the YAML reading
    already complained about (`!!int abc`) gets no second one."""
    # Imported for a spec with mistakes only: a clean run (the hook's usual one) needs none.
    from assistform.spec.messages import locate, message

    reported = {d.location for d in document.problems}
    found = []
    for error in exc.errors():
        target = locate(error, data, model)
        location = document.location(target.path, key=target.at_key)
        if location not in reported:
            found.append(Diagnostic(location, message(error, target)))
    return found


def check_key(key: str, document: YamlDocument) -> list[Diagnostic]:
    where = SourceLocation(document.path, 1, 1)
    if not KEY_PATTERN.match(key):
        return [
            Diagnostic(
                where,
                f"key '{key}' (from the file name) may only use letters, digits, "
                "'_', '.', '-' and '/'",
            )
        ]
    if len(key) > ownership.KEY_MAX:
        return [
            Diagnostic(where, f"key '{key[:40]}...' is longer than {ownership.KEY_MAX} characters")
        ]
    return []


def check_metadata(data: dict[str, Any], document: YamlDocument) -> list[Diagnostic]:
    """The reserved keys of an assistant's or a vector store's metadata (what the ownership
    tags take); the models check the counts and the lengths."""
    metadata = data.get("metadata")
    if not isinstance(metadata, dict):
        return []
    what = {ownership.TAG_KEY: "ownership tag", ownership.VERSION_KEY: "blue-green version tag"}
    return [
        Diagnostic(
            document.location(("metadata", key), key=True),
            f"metadata key '{key}' is reserved for assistform's {what[key]}",
        )
        for key in sorted(ownership.RESERVED_KEYS)
        if key in metadata
    ]
