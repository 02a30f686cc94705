"""Find spec files, read them, and turn them into validated `LoadedSpec`s with positions.

Every problem becomes a `Diagnostic`; loading never stops at the first bad file, so that
`validate` reports all mistakes in one run.

The entry point: `load_specs` and `load_every_environment` drive discovery (`discover`),
reading (`read`), checking (`check`) and environments (`environments`); the names other
modules import from here are re-exported.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from assistform.configfile import ConfigResult, read_config
from assistform.errors import Diagnostic, Severity, SourceLocation
from assistform.spec.check import validate_document
from assistform.spec.discover import (
    KEY_PATTERN,
    ROOT_MARKERS,
    SPEC_DIR,
    SPEC_SUFFIXES,
    VECTOR_STORE_DIR,
    chosen_paths,
    discover,
    display,
    find_root,
    key_clashes,
    key_of,
    stands_for_every_spec,
)
from assistform.spec.environments import (
    Cache,
    Layers,
    bases_of,
    load_layered,
    orphan_overlays,
    split_overlays,
)
from assistform.spec.loaded import LoadedSpec, LoadResult
from assistform.spec.read import parse_file, read_text

__all__ = [
    "KEY_PATTERN",
    "ROOT_MARKERS",
    "SPEC_DIR",
    "SPEC_SUFFIXES",
    "LoadResult",
    "LoadedSpec",
    "discover",
    "display",
    "find_root",
    "key_of",
    "load_every_environment",
    "load_one",
    "load_specs",
    "parse_file",
    "read_text",
    "validate_document",
]


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
    return _load(root, paths, env, config, Cache())


def load_every_environment(root: Path, paths: Sequence[Path] | None = None) -> LoadResult:
    """The specs as written and as each declared environment merges them, in one report.

    For `validate`, so that a mistake in an overlay is caught without `--env`. A finding
    the specs as written already show is reported once; one that only an environment shows
    says which. `specs` are the specs as written.
    """
    config = read_config(root)
    cache = Cache()
    result = _load(root, paths, None, config, cache, warn_unused=False)
    used = _used_vector_stores(result)
    seen = set(result.diagnostics)
    for env in config.config.environments if config.config is not None else ():
        merged = _load(root, paths, env, config, cache, warn_unused=False)
        used |= _used_vector_stores(merged)
        for diagnostic in merged.diagnostics:
            if diagnostic not in seen:
                seen.add(diagnostic)
                suffixed = f"{diagnostic.message} (environment '{env}')"
                result.diagnostics.append(diagnostic._replace(message=suffixed))
    if result.vector_stores:
        # Unused in every environment: a store one environment's overlay alone uses is used.
        from assistform.spec.vector_stores import unused

        result.diagnostics.extend(unused(result.vector_stores, used))
    result.diagnostics.sort(key=Diagnostic.sort_key)
    return result


def _used_vector_stores(result: LoadResult) -> set[str]:
    return {key for s in result.specs if (key := s.vector_store_key) is not None}


def _load(
    root: Path,
    paths: Sequence[Path] | None,
    env: str | None,
    config: ConfigResult,
    cache: Cache,
    *,
    warn_unused: bool = True,
) -> LoadResult:
    spec_dir = root / SPEC_DIR
    everything = discover(spec_dir)
    specs, overlays = split_overlays(everything, spec_dir, config.names)
    result = LoadResult(diagnostics=list(config.diagnostics))
    chosen: list[Path] = []
    if paths is not None:
        chosen, problems = chosen_paths(paths, spec_dir)
        result.diagnostics.extend(problems)
    whole = paths is None or any(stands_for_every_spec(p, spec_dir) for p in paths)
    if whole:
        chosen = specs
        result.diagnostics.extend(orphan_overlays(overlays, specs, spec_dir))
        if not everything:
            result.diagnostics.append(
                Diagnostic(
                    SourceLocation(display(spec_dir)),
                    "no specs found: write one YAML file per assistant under this folder",
                    Severity.WARNING,
                )
            )
    else:
        chosen, orphans = bases_of(chosen, specs, overlays, spec_dir)
        result.diagnostics.extend(orphans)
    keys = {key_of(p, spec_dir) for p in chosen}
    related = [path for (key, _), path in overlays.items() if key in keys]
    result.diagnostics.extend(key_clashes(everything, [*chosen, *related], spec_dir))
    project = config.config
    layers = None
    if project is not None and env is not None:
        layers = Layers(config, env, overlays, cache, spec_dir)
    for path in chosen:
        result.files += 1
        loaded, diagnostics = load_layered(path, spec_dir, root, layers, cache)
        result.diagnostics.extend(diagnostics)
        if loaded is not None:
            result.specs.append(loaded)
    stores_dir = root / VECTOR_STORE_DIR
    if stores_dir.is_dir() or any(s.vector_store_key is not None for s in result.specs):
        _check_vector_stores(result, stores_dir, root, cache, whole=whole, warn_unused=warn_unused)
    if layers is not None and whole:
        result.diagnostics.extend(layers.unused_overrides({key_of(p, spec_dir) for p in specs}))
    if project is not None:
        from assistform import policy  # a repository without assistform.yaml has none

        result.diagnostics.extend(policy.check(result.specs, project.policy_for(env)))
    result.diagnostics.sort(key=Diagnostic.sort_key)
    result.specs.sort(key=lambda s: s.key)
    return result


def _check_vector_stores(
    result: LoadResult, folder: Path, root: Path, cache: Cache, *, whole: bool, warn_unused: bool
) -> None:
    """Load the vector store specs (all of them, once a run, when every spec is checked) and
    check the assistants' references to them; only a repository with knowledge pays for it."""
    from assistform.spec import vector_stores

    if cache.vector_store_keys is None:
        cache.vector_store_keys = vector_stores.vector_store_keys(folder)
    result.diagnostics.extend(
        vector_stores.unknown_references(result.specs, cache.vector_store_keys)
    )
    if not whole:
        return
    if cache.vector_stores is None:
        cache.vector_stores = vector_stores.load_vector_stores(folder, root)
    loaded, diagnostics, count = cache.vector_stores
    result.vector_stores = list(loaded)
    result.diagnostics.extend(diagnostics)
    result.files += count
    if warn_unused:
        result.diagnostics.extend(vector_stores.unused(loaded, _used_vector_stores(result)))


def load_one(path: Path, spec_dir: Path, root: Path) -> tuple[LoadedSpec | None, list[Diagnostic]]:
    document, problems = parse_file(path)
    if document is None:
        return None, problems
    return validate_document(document, path, key_of(path, spec_dir), root)
