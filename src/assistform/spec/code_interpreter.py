"""`tool_resources.code_interpreter.files`: an assistant's repository files for code_interpreter,
expanded and held to the API's limit of 20 files (with the `file_ids` beside them)."""

from __future__ import annotations

from pathlib import Path

from assistform import limits
from assistform.errors import Diagnostic
from assistform.knowledge.desired import DesiredFile
from assistform.spec.files import Glob, expand_all
from assistform.spec.model import CodeInterpreterResources
from assistform.spec.yamlsource import YamlDocument

FIELD = ("tool_resources", "code_interpreter", "files")


def code_interpreter_files(
    resources: CodeInterpreterResources, path: Path, root: Path, document: YamlDocument
) -> tuple[tuple[DesiredFile, ...], list[Diagnostic]]:
    """The files, in spec order and each once, or why they cannot be used."""
    label = ".".join(FIELD)
    entries = [
        Glob(pattern, document.location((*FIELD, i)), label)
        for i, pattern in enumerate(resources.files)
    ]
    matches, problems = expand_all(entries, path, root, "code_interpreter")
    files: dict[str, DesiredFile] = {}
    for found in matches:
        for file in found:
            files.setdefault(file.path, file)
    total = len(files) + len(resources.file_ids)
    if total > limits.CODE_INTERPRETER_FILE_IDS_MAX:
        ids = f" and {len(resources.file_ids)} file_ids" if resources.file_ids else ""
        problems.append(
            Diagnostic(
                document.location(FIELD, key=True),
                f"code_interpreter gets {total} files ({len(files)} from files{ids}); "
                f"at most {limits.CODE_INTERPRETER_FILE_IDS_MAX} allowed",
            )
        )
    return tuple(files.values()), problems
