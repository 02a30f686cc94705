"""Environments: overlay files (`<key>.<env>.yaml`) and the overrides of assistform.yaml,
laid over each spec before it is checked; and the cache the passes of one run share."""

from __future__ import annotations

import os
from pathlib import Path

from assistform.configfile import ConfigResult
from assistform.errors import Diagnostic, Severity, SourceLocation
from assistform.spec.check import validate_document
from assistform.spec.discover import SPEC_DIR, display, key_of
from assistform.spec.loaded import LoadedSpec, LoadedVectorStore
from assistform.spec.overlay import merge, split_key, subdocument
from assistform.spec.read import parse_file
from assistform.spec.yamlsource import YamlDocument


class Cache:
    """Files parsed, and specs checked as written, shared by the passes of one run."""

    def __init__(self) -> None:
        self.documents: dict[str, tuple[YamlDocument | None, list[Diagnostic]]] = {}
        self.plain: dict[str, tuple[LoadedSpec | None, list[Diagnostic]]] = {}
        #: The vector store specs, their problems and their count, once loaded.
        self.vector_stores: tuple[list[LoadedVectorStore], list[Diagnostic], int] | None = None
        #: The keys of every vector store spec, valid or not, once listed.
        self.vector_store_keys: list[str] | None = None

    def parse(self, path: Path) -> tuple[YamlDocument | None, list[Diagnostic]]:
        name = os.path.abspath(path)
        if name not in self.documents:
            self.documents[name] = parse_file(path)
        return self.documents[name]


def split_overlays(
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


def orphan_overlays(
    overlays: dict[tuple[str, str], Path], specs: list[Path], spec_dir: Path
) -> list[Diagnostic]:
    keys = {key_of(p, spec_dir) for p in specs}
    return [_orphan(path, key, env) for (key, env), path in overlays.items() if key not in keys]


def bases_of(
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


class Layers:
    """What one environment lays over each spec: matching overrides, then the overlay file."""

    def __init__(
        self,
        config: ConfigResult,
        env: str,
        overlays: dict[tuple[str, str], Path],
        cache: Cache,
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


def load_layered(
    path: Path, spec_dir: Path, root: Path, layers: Layers | None, cache: Cache
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
