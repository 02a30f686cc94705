"""`instructions_file`: the file, relative to the spec, read into `instructions`."""

from __future__ import annotations

from pathlib import Path

from assistform import limits
from assistform.errors import Diagnostic
from assistform.spec.discover import display
from assistform.spec.model import AssistantSpec
from assistform.spec.read import read_text
from assistform.spec.yamlsource import YamlDocument


def resolve_instructions(
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
