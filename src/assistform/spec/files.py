"""Globs of repository files (`files` of a vector store, `code_interpreter.files`), expanded.

The rules of `instructions_file`: relative to the spec file, symlinks resolved, every match
inside the repository. `**` matches any number of folders; names starting with `.` match
only a pattern that names them so (as in a shell). Matches come sorted by their repository
path, folders are skipped, and a glob that matches no file is an error. Each file is
`stat`ed once and never read (a pre-commit hook must stay fast): its type is judged by
extension, its size against the API's limit.
"""

from __future__ import annotations

import glob
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from assistform import limits
from assistform.errors import Diagnostic, SourceLocation
from assistform.knowledge import filetypes
from assistform.knowledge.desired import DesiredFile
from assistform.spec.discover import display

_MAGIC = re.compile(r"[*?[]")


@dataclass(frozen=True)
class Glob:
    """One entry to expand: its text, where it is written, and how messages name it."""

    pattern: str
    where: SourceLocation
    #: `files`, `tool_resources.code_interpreter.files`: the field, as messages name it.
    label: str


def expand(
    entry: Glob, spec_path: Path, root: Path, tool: filetypes.Tool
) -> tuple[list[DesiredFile], list[Diagnostic]]:
    """The files `entry` matches, sorted by repository path, or why they cannot be used.

    `root` must be resolved (symlinks and all), as the repository paths are relative to it.
    """
    pattern = entry.pattern
    problems: list[Diagnostic] = []

    def problem(text: str) -> tuple[list[DesiredFile], list[Diagnostic]]:
        return [], [Diagnostic(entry.where, f"{entry.label} entry '{pattern}' {text}")]

    if os.path.isabs(pattern):
        return problem("must be relative to the spec file")
    parts = pattern.split("/")
    literal = next((i for i, part in enumerate(parts) if _MAGIC.search(part)), len(parts))
    try:
        base = spec_path.parent.joinpath(*parts[:literal]).resolve()
        if not base.is_relative_to(root):
            return problem("is outside the repository")
        if literal == len(parts):
            if not base.exists():
                return problem(f"not found ({display(base)})")
            if not base.is_file():
                return problem("is not a file")
            candidates = [str(base)]
        else:
            rest = "/".join(parts[literal:])
            names = glob.glob(rest, root_dir=base, recursive=True) if base.is_dir() else []
            # Strings, not Paths: a glob of thousands of files is checked in milliseconds.
            folder = str(base)
            candidates = [os.path.realpath(os.path.join(folder, name)) for name in names]
    except (OSError, RuntimeError, ValueError) as exc:
        # A symlink loop, a NUL in the pattern, a folder we may not read: the user's to fix.
        return problem(f"cannot be read ({exc})")
    inside = str(root) + os.sep
    found: dict[str, DesiredFile] = {}
    for target in candidates:
        if not target.startswith(inside):
            problems.append(
                Diagnostic(
                    entry.where,
                    f"{entry.label} entry '{pattern}': {display(Path(target))} is outside the "
                    "repository",
                )
            )
            continue
        path = target[len(inside) :].replace(os.sep, "/")
        try:
            status = os.stat(target)
        except OSError as exc:
            problems.append(Diagnostic(entry.where, f"{path}: cannot read file: {exc.strerror}"))
            continue
        if stat.S_ISDIR(status.st_mode):
            continue
        if not stat.S_ISREG(status.st_mode):
            problems.append(Diagnostic(entry.where, f"{path}: not a regular file"))
            continue
        if not filetypes.accepts(tool, path):
            problems.append(Diagnostic(entry.where, filetypes.refusal(tool, path)))
            continue
        if status.st_size > limits.FILE_SIZE_MAX:
            problems.append(
                Diagnostic(
                    entry.where,
                    f"{path} is {status.st_size / 1024**2:,.1f} MB; "
                    f"the API takes files of at most {limits.FILE_SIZE_MAX // 1024**2} MB",
                )
            )
            continue
        found[path] = DesiredFile(path, Path(target), status.st_size, status.st_mtime_ns)
    if not found and not problems:
        return problem("matches no file")
    return [found[path] for path in sorted(found)], problems


def expand_all(
    entries: list[Glob], spec_path: Path, root: Path, tool: filetypes.Tool
) -> tuple[list[list[DesiredFile]], list[Diagnostic]]:
    """What each entry matches (in entry order), and every problem of any of them."""
    resolved = root.resolve()
    matches: list[list[DesiredFile]] = []
    problems: list[Diagnostic] = []
    for entry in entries:
        found, wrong = expand(entry, spec_path, resolved, tool)
        matches.append(found)
        problems.extend(wrong)
    return matches, problems
