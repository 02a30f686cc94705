"""Where specs are: the repository root, the spec files under `assistants/`, the paths a
user names, and each file's key (its path under `assistants/`)."""

from __future__ import annotations

import os
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

from assistform.errors import Diagnostic, SourceLocation

SPEC_DIR = "assistants"
#: Vector store specs, beside `assistants/` (see `spec.vector_stores`).
VECTOR_STORE_DIR = "vector_stores"
SPEC_SUFFIXES = (".yaml", ".yml")
CONFIG_FILE = "assistform.yaml"
ROOT_MARKERS = (CONFIG_FILE, SPEC_DIR, ".git")
KEY_PATTERN = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$")


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


def chosen_paths(paths: Sequence[Path], spec_dir: Path) -> tuple[list[Path], list[Diagnostic]]:
    """The specs `paths` name, and why the others name none. A path that stands for every
    spec (see `stands_for_every_spec`) names none here: the caller checks them all."""
    chosen: dict[str, Path] = {}
    problems = []
    for path in paths:
        if stands_for_every_spec(path, spec_dir):
            continue
        if _inside(path, spec_dir.parent / VECTOR_STORE_DIR):
            problems.append(Diagnostic(SourceLocation(display(path)), "no such file"))
        elif not _inside(path, spec_dir):
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
        else:
            chosen.setdefault(os.path.abspath(path), path)
    return sorted(chosen.values()), problems


def stands_for_every_spec(path: Path, spec_dir: Path) -> bool:
    """Whether a changed `path` may change how any spec checks, so all must be checked.

    Such are `assistform.yaml` (environments and policy), a vector store spec (assistants
    refer to it by key) and any file of the repository that is not YAML: an
    `instructions_file` or a knowledge file may be any file anywhere in it (a hook passes
    the Markdown when only a prompt changed). Another YAML file outside `assistants/` is no
    spec.
    """
    root = spec_dir.parent
    if _inside(path, root / VECTOR_STORE_DIR) and path.exists():
        return True  # a vector store spec, or a folder of them
    if not path.is_file() or not _inside(path, root):
        return False
    if os.path.abspath(path) == os.path.abspath(root / CONFIG_FILE):
        return True
    return not path.name.endswith(SPEC_SUFFIXES)


def _inside(path: Path, folder: Path) -> bool:
    return Path(os.path.abspath(path)).is_relative_to(os.path.abspath(folder))


def key_clashes(
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
