"""Find spec files, read them, and turn them into validated `LoadedSpec`s with positions.

Every problem becomes a `Diagnostic`; loading never stops at the first bad file, so that
`validate` reports all mistakes in one run.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from assistform import limits, ownership, policy
from assistform.config import ConfigResult, read_config
from assistform.errors import Diagnostic, Severity, SourceLocation
from assistform.spec import lint
from assistform.spec.messages import locate, message, type_name
from assistform.spec.model import AssistantSpec
from assistform.spec.overlay import merge, split_key, subdocument
from assistform.spec.yamlsource import YamlDocument, YamlSyntaxError, parse_yaml

SPEC_DIR = "assistants"
SPEC_SUFFIXES = (".yaml", ".yml")
ROOT_MARKERS = ("assistform.yaml", SPEC_DIR, ".git")
KEY_PATTERN = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$")


@dataclass(frozen=True)
class LoadedSpec:
    """A valid spec, with where it came from."""

    key: str
    path: Path
    spec: AssistantSpec
    document: YamlDocument
    instructions_path: Path | None = None

    def location(self, *field_path: str | int, key: bool = False) -> SourceLocation:
        return self.document.location(tuple(field_path), key=key)


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
    """Every spec file under `spec_dir`, sorted."""
    if not spec_dir.is_dir():
        return []
    found = [
        Path(folder, name)
        for folder, _, names in os.walk(spec_dir)
        for name in names
        if name.endswith(SPEC_SUFFIXES)
    ]
    return sorted(p for p in found if p.is_file())


def key_of(path: Path, spec_dir: Path) -> str:
    """The spec's key: its path under `assistants/` without the suffix (`hr/helper`).

    Taken from the path as written, not from where a symlink points.
    """
    full, base = os.path.abspath(path), os.path.abspath(spec_dir)
    if not full.startswith(base + os.sep):
        raise ValueError(f"{path} is not under {spec_dir}")
    relative, _ = os.path.splitext(full[len(base) + 1 :])
    return relative.replace(os.sep, "/")


def load_specs(
    root: Path, paths: Sequence[Path] | None = None, *, env: str | None = None
) -> LoadResult:
    """Load every spec under `root/assistants`, or only `paths` (still checking key clashes).

    A folder among `paths` stands for the specs under it. When assistform.yaml declares
    environments, overlay files (`<key>.<env>.yaml`) are not specs; with `env`, each spec is
    merged with that environment's overrides and overlay before it is checked. The policy
    (the global one, with the rules `env` sets in their place) is checked last.
    """
    config = read_config(root)
    if env is not None and not config.diagnostics:
        config.select(env)  # an undeclared environment is a usage error
    return _load(root, paths, env, config, _Cache())


def load_every_environment(root: Path, paths: Sequence[Path] | None = None) -> LoadResult:
    """The specs as written and as each declared environment merges them, in one report.

    For `validate`, so that a mistake in an overlay is caught without `--env`. A finding
    the specs as written already show is reported once; one that only an environment shows
    says which. `specs` are the specs as written.
    """
    config = read_config(root)
    cache = _Cache()
    result = _load(root, paths, None, config, cache)
    seen = set(result.diagnostics)
    for env in config.config.environments if config.config is not None else ():
        for diagnostic in _load(root, paths, env, config, cache).diagnostics:
            if diagnostic not in seen:
                seen.add(diagnostic)
                suffixed = f"{diagnostic.message} (environment '{env}')"
                result.diagnostics.append(dataclasses.replace(diagnostic, message=suffixed))
    result.diagnostics.sort(key=Diagnostic.sort_key)
    return result


def _load(
    root: Path, paths: Sequence[Path] | None, env: str | None, config: ConfigResult, cache: _Cache
) -> LoadResult:
    spec_dir = root / SPEC_DIR
    everything = discover(spec_dir)
    specs, overlays = _split_overlays(everything, spec_dir, config.names)
    result = LoadResult(diagnostics=list(config.diagnostics))
    if paths is None:
        chosen = specs
        result.diagnostics.extend(_orphans(overlays, specs, spec_dir))
        if not everything:
            result.diagnostics.append(
                Diagnostic(
                    SourceLocation(display(spec_dir)),
                    "no specs found: write one YAML file per assistant under this folder",
                    Severity.WARNING,
                )
            )
    else:
        chosen, problems = _chosen(paths, spec_dir)
        result.diagnostics.extend(problems)
        chosen, orphans = _bases_of(chosen, specs, overlays, spec_dir)
        result.diagnostics.extend(orphans)
    keys = {key_of(p, spec_dir) for p in chosen}
    related = [path for (key, _), path in overlays.items() if key in keys]
    result.diagnostics.extend(_key_clashes(everything, [*chosen, *related], spec_dir))
    project = config.config
    layers = None
    if project is not None and env is not None:
        layers = _Layers(config, env, overlays, cache, spec_dir)
    for path in chosen:
        result.files += 1
        loaded, diagnostics = _load_layered(path, spec_dir, root, layers, cache)
        result.diagnostics.extend(diagnostics)
        if loaded is not None:
            result.specs.append(loaded)
    if layers is not None and paths is None:
        result.diagnostics.extend(layers.unused_overrides({key_of(p, spec_dir) for p in specs}))
    if project is not None:
        result.diagnostics.extend(policy.check(result.specs, project.policy_for(env)))
    result.diagnostics.sort(key=Diagnostic.sort_key)
    result.specs.sort(key=lambda s: s.key)
    return result


def _chosen(paths: Sequence[Path], spec_dir: Path) -> tuple[list[Path], list[Diagnostic]]:
    chosen: dict[str, Path] = {}
    problems = []
    for path in paths:
        if not _inside(path, spec_dir):
            problems.append(
                Diagnostic(
                    SourceLocation(display(path)),
                    f"not a spec: specs are .yaml or .yml files under {display(spec_dir)}/",
                )
            )
        elif path.is_dir():
            chosen.update((os.path.abspath(p), p) for p in discover(path))
        elif not path.is_file():
            problems.append(Diagnostic(SourceLocation(display(path)), "no such file"))
        elif not path.name.endswith(SPEC_SUFFIXES):
            problems.append(
                Diagnostic(
                    SourceLocation(display(path)), "not a spec: specs are .yaml or .yml files"
                )
            )
        else:
            chosen.setdefault(os.path.abspath(path), path)
    return sorted(chosen.values()), problems


def _inside(path: Path, folder: Path) -> bool:
    return Path(os.path.abspath(path)).is_relative_to(os.path.abspath(folder))


def _key_clashes(
    everything: Iterable[Path], chosen: Iterable[Path], spec_dir: Path
) -> list[Diagnostic]:
    by_key: dict[str, list[Path]] = defaultdict(list)
    for path in everything:
        by_key[key_of(path, spec_dir)].append(path)
    wanted = {key_of(p, spec_dir) for p in chosen}
    diagnostics = []
    for key, files in sorted(by_key.items()):
        if len(files) > 1 and key in wanted:
            names = " and ".join(display(f) for f in files)
            diagnostics.append(
                Diagnostic(
                    SourceLocation(display(files[0]), 1, 1),
                    f"key '{key}' is defined twice: {names}; keep one of them",
                )
            )
    return diagnostics


def read_text(path: Path, shown: str) -> tuple[str | None, Diagnostic | None]:
    """A file's text as UTF-8, or a diagnostic at the first character that is not."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, Diagnostic(SourceLocation(shown), f"cannot read file: {exc.strerror}")
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line_start = before.rfind(b"\n") + 1
        line = before.count(b"\n") + 1
        col = len(before[line_start:].decode("utf-8")) + 1
        return None, Diagnostic(
            SourceLocation(shown, line, col),
            f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x}); save it as UTF-8",
        )


def load_one(path: Path, spec_dir: Path, root: Path) -> tuple[LoadedSpec | None, list[Diagnostic]]:
    document, problems = parse_file(path)
    if document is None:
        return None, problems
    return validate_document(document, path, key_of(path, spec_dir), root)


def parse_file(path: Path) -> tuple[YamlDocument | None, list[Diagnostic]]:
    """A YAML file parsed with positions, or why it cannot be."""
    shown = display(path)
    text, problem = read_text(path, shown)
    if problem is not None or text is None:
        return None, [problem] if problem else []
    try:
        return parse_yaml(text, shown), []
    except YamlSyntaxError as exc:
        return None, [exc.diagnostic]


def validate_document(
    document: YamlDocument, path: Path, key: str, root: Path
) -> tuple[LoadedSpec | None, list[Diagnostic]]:
    """Check one parsed spec: shape, limits, our own keys and the instructions file."""
    data = document.data
    diagnostics = [*document.problems, *_check_key(key, document)]
    if data is None:
        where = SourceLocation(document.path, 1, 1)
        return None, [
            *diagnostics,
            Diagnostic(where, "empty spec: expected a mapping with at least 'model'"),
        ]
    if not isinstance(data, dict):
        return None, [
            *diagnostics,
            Diagnostic(
                document.location(()), f"a spec must be a mapping of fields, not {type_name(data)}"
            ),
        ]
    diagnostics.extend(_check_metadata(data, document))
    try:
        spec = AssistantSpec.model_validate(data)
    except ValidationError as exc:
        # A value the YAML reading already complained about (`!!int abc`) gets one error.
        reported = {d.location for d in document.problems}
        diagnostics.extend(
            d for d in _diagnostics_of(exc, data, document) if d.location not in reported
        )
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
        target = locate(error, data, AssistantSpec)
        location = document.location(target.path, key=target.at_key)
        found.append(Diagnostic(location, message(error, target)))
    return found


def _check_key(key: str, document: YamlDocument) -> list[Diagnostic]:
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


def _check_metadata(data: dict[str, Any], document: YamlDocument) -> list[Diagnostic]:
    """The reserved key; the model checks the count (15 pairs) and the lengths."""
    metadata = data.get("metadata")
    if not isinstance(metadata, dict) or ownership.TAG_KEY not in metadata:
        return []
    return [
        Diagnostic(
            document.location(("metadata", ownership.TAG_KEY), key=True),
            f"metadata key '{ownership.TAG_KEY}' is reserved for assistform's ownership tag",
        )
    ]


def _resolve_instructions(
    spec: AssistantSpec, path: Path, root: Path, document: YamlDocument
) -> tuple[AssistantSpec, Path | None, Diagnostic | None]:
    """Read `instructions_file` (relative to the spec) into `instructions`."""
    assert spec.instructions_file is not None
    name = spec.instructions_file
    where = document.location(("instructions_file",))
    target = (path.parent / name).resolve()
    if not target.is_relative_to(root.resolve()):
        return (
            spec,
            None,
            Diagnostic(where, f"instructions_file '{name}' is outside the repository"),
        )
    if not target.exists():
        return (
            spec,
            None,
            Diagnostic(where, f"instructions_file '{name}' not found ({display(target)})"),
        )
    if not target.is_file():
        return spec, None, Diagnostic(where, f"instructions_file '{name}' is not a file")
    text, problem = read_text(target, display(target))
    if problem is not None or text is None:
        return spec, None, problem
    if len(text) > limits.INSTRUCTIONS_MAX:
        return (
            spec,
            None,
            Diagnostic(
                where,
                f"instructions_file '{name}' is {len(text):,} characters long; "
                f"the limit is {limits.INSTRUCTIONS_MAX:,}",
            ),
        )
    return spec.model_copy(update={"instructions": text}), target, None


# -- environments ------------------------------------------------------------------------


@dataclass
class _Cache:
    """Files parsed, and specs checked as written, shared by the passes of one run."""

    documents: dict[str, tuple[YamlDocument | None, list[Diagnostic]]] = field(default_factory=dict)
    plain: dict[str, tuple[LoadedSpec | None, list[Diagnostic]]] = field(default_factory=dict)

    def parse(self, path: Path) -> tuple[YamlDocument | None, list[Diagnostic]]:
        name = os.path.abspath(path)
        if name not in self.documents:
            self.documents[name] = parse_file(path)
        return self.documents[name]


def _split_overlays(
    everything: list[Path], spec_dir: Path, environments: tuple[str, ...]
) -> tuple[list[Path], dict[tuple[str, str], Path]]:
    """Specs, and overlay files by (base key, environment)."""
    specs: list[Path] = []
    overlays: dict[tuple[str, str], Path] = {}
    for path in everything:
        split = split_key(key_of(path, spec_dir), environments)
        if split is None:
            specs.append(path)
        else:
            overlays.setdefault(split, path)
    return specs, overlays


def _orphan(path: Path, key: str, env: str) -> Diagnostic:
    return Diagnostic(
        SourceLocation(display(path), 1, 1),
        f"overlay for environment '{env}' has no base spec: expected {SPEC_DIR}/{key}.yaml",
    )


def _orphans(
    overlays: dict[tuple[str, str], Path], specs: list[Path], spec_dir: Path
) -> list[Diagnostic]:
    keys = {key_of(p, spec_dir) for p in specs}
    return [_orphan(path, key, env) for (key, env), path in overlays.items() if key not in keys]


def _bases_of(
    chosen: list[Path], specs: list[Path], overlays: dict[tuple[str, str], Path], spec_dir: Path
) -> tuple[list[Path], list[Diagnostic]]:
    """`chosen` with each overlay file replaced by its base spec (a hook passes overlays)."""
    by_key = {key_of(p, spec_dir): p for p in specs}
    overlay_keys = {os.path.abspath(path): split for split, path in overlays.items()}
    bases: dict[str, Path] = {}
    orphans = []
    for path in chosen:
        split = overlay_keys.get(os.path.abspath(path))
        if split is None:
            bases.setdefault(os.path.abspath(path), path)
        elif split[0] in by_key:
            base = by_key[split[0]]
            bases.setdefault(os.path.abspath(base), base)
        else:
            orphans.append(_orphan(path, *split))
    return sorted(bases.values()), orphans


class _Layers:
    """What one environment lays over each spec: matching overrides, then the overlay file."""

    def __init__(
        self,
        config: ConfigResult,
        env: str,
        overlays: dict[tuple[str, str], Path],
        cache: _Cache,
        spec_dir: Path,
    ) -> None:
        assert config.config is not None and config.document is not None
        self.document = config.document
        self.env = env
        self.overrides = config.config.environments[env].overrides
        self.overlays = overlays
        self.cache = cache
        self.spec_dir = spec_dir

    def over(self, key: str) -> tuple[list[YamlDocument], list[Diagnostic]]:
        layers = [
            subdocument(self.document, ("environments", self.env, "overrides", i, "set"))
            for i, override in enumerate(self.overrides)
            if override.applies_to(key)
        ]
        path = self.overlays.get((key, self.env))
        if path is None:
            return layers, []
        document, problems = self.cache.parse(path)
        if document is None:
            return layers, problems
        if document.data is not None and not isinstance(document.data, dict):
            where = document.location(())
            return layers, [
                Diagnostic(where, "an overlay must be a mapping of the fields it changes")
            ]
        return [*layers, document], []

    def unused_overrides(self, keys: set[str]) -> list[Diagnostic]:
        return [
            Diagnostic(
                self.document.location(("environments", self.env, "overrides", i), key=False),
                f"override {i + 1} of environment '{self.env}' matches no spec "
                f"(keys: {', '.join(override.patterns)})",
                Severity.WARNING,
            )
            for i, override in enumerate(self.overrides)
            if not any(override.applies_to(key) for key in keys)
        ]


def _load_layered(
    path: Path, spec_dir: Path, root: Path, layers: _Layers | None, cache: _Cache
) -> tuple[LoadedSpec | None, list[Diagnostic]]:
    key = key_of(path, spec_dir)
    over, problems = layers.over(key) if layers is not None else ([], [])
    if not over and not problems:
        name = os.path.abspath(path)
        if name not in cache.plain:
            document, parse_problems = cache.parse(path)
            cache.plain[name] = (
                validate_document(document, path, key, root)
                if document is not None
                else (None, parse_problems)
            )
        return cache.plain[name]
    document, parse_problems = cache.parse(path)
    if document is None:
        return None, [*parse_problems, *problems]
    if not isinstance(document.data, dict):
        # Nothing to lay anything over: the spec's own mistake is the one to report.
        return validate_document(document, path, key, root)
    for layer in over:
        document = merge(document, layer)
    loaded, diagnostics = validate_document(document, path, key, root)
    if problems:
        return None, [*problems, *diagnostics]
    return loaded, diagnostics
