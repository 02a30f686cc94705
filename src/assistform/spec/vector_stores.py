"""Vector store specs: `vector_stores/**/*.yaml` beside `assistants/`, one store a file, its key
its path under `vector_stores/` without the suffix (the rules of assistant keys).

Each is checked like an assistant spec (shape and limits at `path:line:col`), and its `files`
globs expanded (`spec.files`, the file_search types). Across specs: an assistant's
`vector_store` must name one (an error at its place, with a suggestion), and a store no
assistant uses is a warning.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from assistform import ownership
from assistform.errors import Diagnostic, Severity, SourceLocation
from assistform.knowledge.desired import AttributeValue, DesiredAttachment, DesiredFile
from assistform.spec.check import check_key, check_metadata, diagnostics_of
from assistform.spec.discover import VECTOR_STORE_DIR, discover, display, key_clashes, key_of
from assistform.spec.files import Glob, expand_all
from assistform.spec.loaded import LoadedSpec, LoadedVectorStore
from assistform.spec.read import parse_file
from assistform.spec.vector_store_model import VectorStoreSpec
from assistform.spec.yamlsource import YamlDocument

#: Where an assistant names its vector store.
REFERENCE = ("tool_resources", "file_search", "vector_store")


def vector_store_keys(folder: Path) -> list[str]:
    """The keys of every vector store spec under `folder`, valid or not, sorted."""
    return sorted({key_of(path, folder) for path in discover(folder)})


def load_vector_stores(
    folder: Path, root: Path
) -> tuple[list[LoadedVectorStore], list[Diagnostic], int]:
    """Every valid vector store spec under `folder`, every problem, and how many files."""
    everything = discover(folder)
    diagnostics = key_clashes(everything, everything, folder)
    stores = []
    for path in everything:
        document, problems = parse_file(path)
        diagnostics.extend(problems)
        if document is None:
            continue
        loaded, problems = validate_vector_store(document, path, key_of(path, folder), root)
        diagnostics.extend(problems)
        if loaded is not None:
            stores.append(loaded)
    return sorted(stores, key=lambda s: s.key), diagnostics, len(everything)


def validate_vector_store(
    document: YamlDocument, path: Path, key: str, root: Path
) -> tuple[LoadedVectorStore | None, list[Diagnostic]]:
    data = {} if document.data is None else document.data
    diagnostics = [*document.problems, *check_key(key, document)]
    if not isinstance(data, dict):
        from assistform.spec.messages import type_name

        where = document.location(())
        message = f"a vector store spec must be a mapping of fields, not {type_name(data)}"
        return None, [*diagnostics, Diagnostic(where, message)]
    diagnostics.extend(check_metadata(data, document))
    diagnostics.extend(_reserved_attributes(data, document))
    try:
        spec = VectorStoreSpec.model_validate(data)
    except ValidationError as exc:
        diagnostics.extend(diagnostics_of(exc, data, document, VectorStoreSpec))
        return None, diagnostics
    files, attachments, problems = _files(spec, data, path, root, document)
    diagnostics.extend(problems)
    if any(d.severity is Severity.ERROR for d in diagnostics):
        return None, diagnostics
    return LoadedVectorStore(key, path, spec, document, files, attachments), diagnostics


def _reserved_attributes(data: dict[str, Any], document: YamlDocument) -> list[Diagnostic]:
    """The file attributes assistform sets itself: the model checks counts and lengths."""
    found = []
    entries = data.get("files")
    for i, entry in enumerate(entries if isinstance(entries, list) else ()):
        attributes = entry.get("attributes") if isinstance(entry, dict) else None
        if not isinstance(attributes, dict):
            continue  # the model says what is wrong with it, and where
        for name in sorted(ownership.RESERVED_ATTRIBUTE_KEYS & set(attributes)):
            found.append(
                Diagnostic(
                    document.location(("files", i, "attributes", name), key=True),
                    f"attribute key '{name}' is reserved for assistform's ownership attributes",
                )
            )
    return found


def _files(
    spec: VectorStoreSpec, data: dict[str, Any], path: Path, root: Path, document: YamlDocument
) -> tuple[tuple[DesiredFile, ...], tuple[DesiredAttachment, ...], list[Diagnostic]]:
    """Each file once, sorted; its attributes those of every entry matching it, later ones
    winning (a glob, then one of its files with attributes)."""
    entries = [
        Glob(
            entry.path,
            document.location(
                ("files", i, "path") if isinstance(data["files"][i], dict) else ("files", i)
            ),
            "files",
        )
        for i, entry in enumerate(spec.files)
    ]
    matches, problems = expand_all(entries, path, root, "file_search")
    files: dict[str, DesiredFile] = {}
    attributes: dict[str, dict[str, AttributeValue]] = {}
    for i, (entry, found) in enumerate(zip(spec.files, matches, strict=True)):
        for file in found:
            files.setdefault(file.path, file)
            merged = attributes.setdefault(file.path, {})
            merged.update(entry.attributes)
            if entry.attributes and len(merged) > ownership.USER_ATTRIBUTES_MAX:
                problems.append(
                    Diagnostic(
                        document.location(("files", i, "attributes"), key=True),
                        f"{file.path} gets {len(merged)} attributes from the entries that match "
                        f"it; at most {ownership.USER_ATTRIBUTES_MAX} allowed",
                    )
                )
    order = sorted(files)
    return (
        tuple(files[p] for p in order),
        tuple(DesiredAttachment(p, attributes[p]) for p in order),
        problems,
    )


def unknown_references(specs: Iterable[LoadedSpec], keys: list[str]) -> list[Diagnostic]:
    """An error for each assistant whose `vector_store` names no vector store spec."""
    found = []
    for loaded in specs:
        wanted = loaded.vector_store_key
        if wanted is None or wanted in keys:
            continue
        from assistform.spec.messages import suggest

        found.append(
            Diagnostic(
                loaded.location(*REFERENCE),
                f"vector store '{wanted}' is not defined: no {VECTOR_STORE_DIR}/{wanted}.yaml"
                f"{suggest(wanted, keys)}",
            )
        )
    return found


def unused(stores: Iterable[LoadedVectorStore], used: set[str]) -> list[Diagnostic]:
    """A warning for each valid store no assistant names."""
    return [
        Diagnostic(
            SourceLocation(display(store.path), 1, 1),
            f"vector store '{store.key}' is used by no assistant "
            f"(tool_resources.file_search.vector_store)",
            Severity.WARNING,
        )
        for store in stores
        if store.key not in used
    ]
