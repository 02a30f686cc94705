"""Find spec files, read them, and turn them into validated `LoadedSpec`s with positions.

Every problem becomes a `Diagnostic`; loading never stops at the first bad file, so that
`validate` reports all mistakes in one run.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from assistform import ownership
from assistform.errors import Diagnostic, Severity, SourceLocation
from assistform.spec import lint
from assistform.spec.messages import data_path, message
from assistform.spec.model import AssistantSpec
from assistform.spec.yamlsource import YamlDocument, YamlSyntaxError, parse_yaml

SPEC_DIR = "assistants"
SPEC_SUFFIXES = (".yaml", ".yml")
ROOT_MARKERS = ("assistform.yaml", SPEC_DIR, ".git")
KEY_PATTERN = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$")
ALLOWED_FIELDS = sorted(AssistantSpec.model_fields)


@dataclass(frozen=True)
class LoadedSpec:
    """A valid spec, with where it came from."""

    key: str
    path: Path
    spec: AssistantSpec
    document: YamlDocument
    instructions_path: Path | None = None

    def location(self, *field_path: str | int) -> SourceLocation:
        return self.document.location(tuple(field_path))


@dataclass
class LoadResult:
    specs: list[LoadedSpec] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    files: int = 0

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity is Severity.WARNING]


def find_root(start: Path) -> Path:
    """The repository root: the nearest folder holding assistform.yaml, assistants/ or .git."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if any((folder / marker).exists() for marker in ROOT_MARKERS):
            return folder
    return start


def display(path: Path) -> str:
    """A path as the user should see it: relative to the current folder when possible."""
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def discover(spec_dir: Path) -> list[Path]:
    if not spec_dir.is_dir():
        return []
    found = [p for p in spec_dir.rglob("*") if p.suffix in SPEC_SUFFIXES and p.is_file()]
    return sorted(found)


def key_of(path: Path, spec_dir: Path) -> str:
    relative = path.resolve().relative_to(spec_dir.resolve())
    return relative.with_suffix("").as_posix()


def load_specs(root: Path, paths: Sequence[Path] | None = None) -> LoadResult:
    """Load every spec under `root/assistants`, or only `paths` (still checking key clashes)."""
    spec_dir = root / SPEC_DIR
    everything = discover(spec_dir)
    result = LoadResult()
    if paths is None:
        chosen = everything
    else:
        chosen = []
        for path in paths:
            if not _inside(path, spec_dir):
                result.diagnostics.append(
                    Diagnostic(
                        SourceLocation(display(path)),
                        f"not a spec: specs live under {display(spec_dir)}/",
                    )
                )
            elif not path.is_file():
                result.diagnostics.append(Diagnostic(SourceLocation(display(path)), "no such file"))
            else:
                chosen.append(path)
    result.diagnostics.extend(_key_clashes(everything, chosen, spec_dir))
    for path in chosen:
        result.files += 1
        loaded, diagnostics = load_one(path, spec_dir, root)
        result.diagnostics.extend(diagnostics)
        if loaded is not None:
            result.specs.append(loaded)
    result.diagnostics.sort(key=Diagnostic.sort_key)
    result.specs.sort(key=lambda s: s.key)
    return result


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return path.suffix in SPEC_SUFFIXES


def _key_clashes(everything: Iterable[Path], chosen: Iterable[Path], spec_dir: Path) -> list[Diagnostic]:
    by_key: dict[str, list[Path]] = defaultdict(list)
    for path in everything:
        by_key[key_of(path, spec_dir)].append(path)
    wanted = {key_of(p, spec_dir) for p in chosen}
    diagnostics = []
    for key, files in sorted(by_key.items()):
        if len(files) > 1 and key in wanted:
            names = " and ".join(display(f) for f in files)
            diagnostics.append(
                Diagnostic(SourceLocation(display(files[0]), 1, 1), f"key '{key}' is defined twice: {names}")
            )
    return diagnostics


def read_text(path: Path, shown: str) -> tuple[str | None, Diagnostic | None]:
    """A file's text as UTF-8, or a diagnostic at the first byte that is not."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, Diagnostic(SourceLocation(shown), f"cannot read file: {exc.strerror}")
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        return None, Diagnostic(
            SourceLocation(shown, line, col),
            f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x})",
        )


def load_one(path: Path, spec_dir: Path, root: Path) -> tuple[LoadedSpec | None, list[Diagnostic]]:
    shown = display(path)
    text, problem = read_text(path, shown)
    if problem is not None or text is None:
        return None, [problem] if problem else []
    try:
        document = parse_yaml(text, shown)
    except YamlSyntaxError as exc:
        return None, [exc.diagnostic]
    return validate_document(document, path, key_of(path, spec_dir), root)


def validate_document(
    document: YamlDocument, path: Path, key: str, root: Path
) -> tuple[LoadedSpec | None, list[Diagnostic]]:
    """Check one parsed spec: shape, limits, our own keys and the instructions file."""
    data = document.data
    if data is None:
        return None, [Diagnostic(SourceLocation(document.path, 1, 1), "empty spec: expected a mapping with at least 'model'")]
    if not isinstance(data, dict):
        return None, [Diagnostic(document.location(()), "a spec must be a mapping of fields, not a " + type(data).__name__)]
    diagnostics = _check_key(key, document) + _check_metadata(data, document)
    try:
        spec = AssistantSpec.model_validate(data)
    except ValidationError as exc:
        diagnostics.extend(_diagnostics_of(exc, data, document))
        return None, diagnostics
    instructions_path = None
    if spec.instructions_file is not None:
        spec, instructions_path, problem = _resolve_instructions(spec, path, root, document)
        if problem is not None:
            return None, [*diagnostics, problem]
    loaded = LoadedSpec(key, path, spec, document, instructions_path)
    diagnostics.extend(lint.lint(loaded))
    if any(d.severity is Severity.ERROR for d in diagnostics):
        return None, diagnostics
    return loaded, diagnostics


def _diagnostics_of(exc: ValidationError, data: Any, document: YamlDocument) -> list[Diagnostic]:
    found = []
    for error in exc.errors():
        path, at_key = data_path(error["loc"], data)
        kind = error["type"]
        if kind == "extra_forbidden":
            at_key = True
        if kind == "union_tag_invalid" and isinstance(data_at(data, path), dict):
            path = (*path, "type")
        location = document.location(path, key=at_key)
        if kind == "missing":
            location = document.location(path[:-1] if path else ())
        found.append(Diagnostic(location, message(error, path, ALLOWED_FIELDS)))
    return found


def data_at(data: Any, path: tuple[str | int, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


def _check_key(key: str, document: YamlDocument) -> list[Diagnostic]:
    where = SourceLocation(document.path, 1, 1)
    if not KEY_PATTERN.match(key):
        return [Diagnostic(where, f"key '{key}' (from the file name) may only use letters, digits, '_', '.', '-' and '/'")]
    if len(key) > ownership.KEY_MAX:
        return [Diagnostic(where, f"key '{key[:40]}...' is longer than {ownership.KEY_MAX} characters")]
    return []


def _check_metadata(data: dict[str, Any], document: YamlDocument) -> list[Diagnostic]:
    metadata = data.get("metadata")
    if not isinstance(metadata, dict):
        return []
    found = []
    if ownership.TAG_KEY in metadata:
        found.append(
            Diagnostic(
                document.location(("metadata", ownership.TAG_KEY), key=True),
                f"metadata key '{ownership.TAG_KEY}' is reserved for assistform's ownership tag",
            )
        )
    if ownership.USER_METADATA_MAX < len(metadata) <= ownership.USER_METADATA_MAX + 1:
        found.append(
            Diagnostic(
                document.location(("metadata",)),
                f"metadata has {len(metadata)} pairs; at most {ownership.USER_METADATA_MAX} allowed "
                "(the API allows 16 and assistform's ownership tag takes one)",
            )
        )
    return found


def _resolve_instructions(
    spec: AssistantSpec, path: Path, root: Path, document: YamlDocument
) -> tuple[AssistantSpec, Path | None, Diagnostic | None]:
    assert spec.instructions_file is not None
    where = document.location(("instructions_file",))
    target = (path.parent / spec.instructions_file).resolve()
    try:
        target.relative_to(root.resolve())
    except ValueError:
        return spec, None, Diagnostic(where, f"instructions_file '{spec.instructions_file}' is outside the repository")
    if not target.is_file():
        return spec, None, Diagnostic(where, f"instructions_file '{spec.instructions_file}' not found")
    text, problem = read_text(target, display(target))
    if problem is not None or text is None:
        return spec, None, problem
    from assistform import limits

    if len(text) > limits.INSTRUCTIONS_MAX:
        return spec, None, Diagnostic(
            where,
            f"instructions_file '{spec.instructions_file}' is {len(text):,} characters long; "
            f"the limit is {limits.INSTRUCTIONS_MAX:,}",
        )
    return spec.model_copy(update={"instructions": text}), target, None
