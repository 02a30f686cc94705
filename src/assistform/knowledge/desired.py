"""What the repository asks for: the files specs name and the vector stores they declare.

Built by the spec loader from `vector_stores/<key>.yaml` and the `files` of assistant
specs; plain data, the planner's input. Validation never reads a file's content (a
pre-commit hook must stay fast), so `sha256` is filled by the plan's hashing edge
(`knowledge.hashing`), from the state's cache when size and mtime are unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

#: Vector store file attribute values: the API takes strings, numbers and booleans.
AttributeValue = str | float | bool


@dataclass(frozen=True)
class DesiredFile:
    """One repository file a spec uses, uploaded once whatever number of specs use it."""

    #: Relative to the repository root, with `/`: with the content, the file's identity.
    path: str
    #: Where to read it from (symlinks resolved, inside the repository).
    absolute: Path
    size: int
    mtime_ns: int
    #: Hex digest of the content; None until hashed.
    sha256: str | None = None

    @property
    def filename(self) -> str:
        """The name it is uploaded under (what file_search citations show)."""
        return self.path.rsplit("/", 1)[-1]

    def hashed(self, sha256: str) -> DesiredFile:
        return replace(self, sha256=sha256)


@dataclass(frozen=True)
class DesiredAttachment:
    """One file of a vector store, with the attributes the spec gives it."""

    path: str
    attributes: Mapping[str, AttributeValue] = field(default_factory=dict)


@dataclass(frozen=True)
class DesiredVectorStore:
    key: str
    #: The create-request fields the spec sets (`name`, `description`, `metadata`,
    #: `expires_after`), API shapes, without the ownership tag and without files.
    request: dict[str, Any]
    #: Applied to each file as it is attached (the API chunks per file); None: the server's.
    chunking_strategy: dict[str, Any] | None = None
    files: tuple[DesiredAttachment, ...] = ()
    #: Files attached by id (`file_ids`, in spec order, each once): files on the server that
    #: assistform attaches and detaches but never uploads or deletes.
    file_ids: tuple[str, ...] = ()
    #: The spec file, as the user should see it.
    source: str | None = None


@dataclass(frozen=True)
class DesiredKnowledge:
    """Everything the repository's knowledge specs ask for, in one value."""

    #: Every file any spec uses, by path.
    files: dict[str, DesiredFile] = field(default_factory=dict)
    vector_stores: dict[str, DesiredVectorStore] = field(default_factory=dict)
    #: Assistant key -> the paths of its `code_interpreter` files, in spec order.
    code_interpreter: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: Assistant key -> the key of the vector store its `file_search` uses.
    vector_store_of: dict[str, str] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not (self.files or self.vector_stores)
