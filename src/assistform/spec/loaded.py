"""What loading yields: valid specs with where they came from, and every diagnostic."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from assistform.errors import Diagnostic, Severity, SourceLocation
from assistform.spec.model import AssistantSpec
from assistform.spec.yamlsource import YamlDocument

if TYPE_CHECKING:
    # Only a repository with knowledge builds these: a plain validate imports none.
    from assistform.knowledge.desired import DesiredAttachment, DesiredFile
    from assistform.spec.vector_store_model import VectorStoreSpec


# Named tuples rather than frozen dataclasses: as immutable, and some ten times cheaper to
# define, which every hook run pays.


class LoadedSpec(NamedTuple):
    """A valid spec, with where it came from."""

    key: str
    path: Path
    spec: AssistantSpec
    document: YamlDocument
    instructions_path: Path | None = None
    #: `tool_resources.code_interpreter.files` expanded: in spec order, each path once.
    code_interpreter_files: tuple[DesiredFile, ...] = ()

    def location(self, *field_path: str | int, key: bool = False) -> SourceLocation:
        return self.document.location(tuple(field_path), key=key)

    @property
    def code_interpreter_paths(self) -> tuple[str, ...]:
        return tuple(f.path for f in self.code_interpreter_files)

    @property
    def vector_store_key(self) -> str | None:
        """The key of the vector store spec its `file_search` uses, if it names one."""
        resources = self.spec.tool_resources
        if resources is None or resources.file_search is None:
            return None
        return resources.file_search.vector_store


class LoadedVectorStore(NamedTuple):
    """A valid vector store spec, with where it came from and its files found."""

    key: str
    path: Path
    spec: VectorStoreSpec
    document: YamlDocument
    #: Every file of the store, by repository path, sorted.
    files: tuple[DesiredFile, ...] = ()
    #: The same files with the attributes the spec gives each, in the same order.
    attachments: tuple[DesiredAttachment, ...] = ()

    def location(self, *field_path: str | int, key: bool = False) -> SourceLocation:
        return self.document.location(tuple(field_path), key=key)


class LoadResult:
    """The valid specs and vector stores, every diagnostic, and how many spec files were read.

    A plain class rather than a dataclass, for the reason the tuples above are tuples.
    """

    __slots__ = ("diagnostics", "files", "specs", "vector_stores")

    def __init__(
        self,
        specs: list[LoadedSpec] | None = None,
        diagnostics: list[Diagnostic] | None = None,
        files: int = 0,
        vector_stores: list[LoadedVectorStore] | None = None,
    ) -> None:
        self.specs: list[LoadedSpec] = [] if specs is None else specs
        self.diagnostics: list[Diagnostic] = [] if diagnostics is None else diagnostics
        self.files = files
        #: The valid vector store specs (`vector_stores/`), sorted by key.
        self.vector_stores: list[LoadedVectorStore] = [] if vector_stores is None else vector_stores

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity is Severity.WARNING]
