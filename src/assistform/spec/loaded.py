"""What loading yields: valid specs with where they came from, and every diagnostic."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from assistform.errors import Diagnostic, Severity, SourceLocation
from assistform.spec.model import AssistantSpec
from assistform.spec.yamlsource import YamlDocument


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
