"""Reading one file: its bytes as UTF-8, then YAML with positions, or why it cannot be."""

from __future__ import annotations

from pathlib import Path

from assistform.errors import Diagnostic, SourceLocation
from assistform.spec.discover import display
from assistform.spec.yamlsource import YamlDocument, YamlSyntaxError, parse_yaml


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
