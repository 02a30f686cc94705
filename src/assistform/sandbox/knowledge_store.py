"""Where the sandbox keeps files, vector stores, their files and file batches.

In memory, optionally mirrored to a journal (JSON lines, one record written or removed a
line, fsynced), beside the assistants' data file: `sandbox.json` has
`sandbox.knowledge.jsonl` and the uploaded bytes in `sandbox.blobs/`. A journal, not a
whole-file rewrite, because an apply of a thousand files makes thousands of changes; it is
compacted (rewritten atomically with one line per record) when it has grown to several
times what it holds, and replayed on load.

Removed records leave a tombstone (their sort position), so a list cursor naming one still
works, as for assistants.
"""

from __future__ import annotations

import dataclasses
import json
import os
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Final, Protocol, TypeVar

from assistform.sandbox.blobs import BlobStore
from assistform.sandbox.pagination import Position
from assistform.sandbox.store import SandboxDataError, read_data, write_text_atomically

FORMAT_VERSION: Final = 1
#: Compact when the journal has more lines than this many times the records it holds.
_COMPACT_RATIO: Final = 4
_COMPACT_MIN_LINES: Final = 256


class _Positioned:
    """Sorted by creation, then by the order of writes within one second."""

    created_at: int
    seq: int

    @property
    def position(self) -> Position:
        return (self.created_at, self.seq)


class _KeyedById(_Positioned):
    id: str

    @property
    def key(self) -> str:
        return self.id


@dataclass(frozen=True)
class StoredFile(_KeyedById):
    KIND: ClassVar[str] = "file"
    id: str
    created_at: int
    seq: int
    bytes: int
    filename: str
    purpose: str
    expires_at: int | None = None


@dataclass(frozen=True)
class StoredVectorStore(_KeyedById):
    KIND: ClassVar[str] = "vector_store"
    id: str
    created_at: int
    seq: int
    name: str | None
    description: str | None
    metadata: Mapping[str, str]
    expires_after: Mapping[str, Any] | None
    last_active_at: int


@dataclass(frozen=True)
class StoredVectorStoreFile(_Positioned):
    """A file attached to a vector store. Its status is a function of time: `in_progress`
    until `ready_at` (on the service's clock), then `outcome` (`completed` or `failed`);
    `cancelled` at once."""

    KIND: ClassVar[str] = "vector_store_file"
    vector_store_id: str
    file_id: str
    created_at: int
    seq: int
    ready_at: float
    outcome: str
    attributes: Mapping[str, Any] | None
    chunking_strategy: Mapping[str, Any]
    usage_bytes: int
    batch_id: str | None = None

    @property
    def key(self) -> str:
        return vector_store_file_key(self.vector_store_id, self.file_id)


@dataclass(frozen=True)
class StoredBatch(_KeyedById):
    KIND: ClassVar[str] = "batch"
    id: str
    vector_store_id: str
    created_at: int
    seq: int
    cancelled: bool = False


def vector_store_file_key(vector_store_id: str, file_id: str) -> str:
    return f"{vector_store_id}/{file_id}"


class Record(Protocol):
    KIND: ClassVar[str]

    @property
    def key(self) -> str: ...

    @property
    def position(self) -> Position: ...


RecordT = TypeVar("RecordT", bound=Record)

_TYPES: Final[Mapping[str, type[Any]]] = {
    t.KIND: t for t in (StoredFile, StoredVectorStore, StoredVectorStoreFile, StoredBatch)
}


class KnowledgeStore:
    """Thread-safe tables of records by key. Hold `lock` across a read and the writes that
    depend on it."""

    def __init__(self, journal: Path | None = None, blobs: BlobStore | None = None) -> None:
        self.journal = journal
        self.blobs = blobs if blobs is not None else BlobStore()
        self.lock = threading.RLock()
        self._tables: dict[str, dict[str, Any]] = {kind: {} for kind in _TYPES}
        self._tombstones: dict[str, dict[str, Position]] = {kind: {} for kind in _TYPES}
        self._next_seq = 1
        self._lines = 0
        if journal is not None:
            self._load(journal)

    @classmethod
    def beside(cls, data_file: Path | None) -> KnowledgeStore:
        """The store kept beside an assistants data file (in memory without one)."""
        if data_file is None:
            return cls()
        stem = data_file.name.removesuffix(".json")
        return cls(
            data_file.with_name(f"{stem}.knowledge.jsonl"),
            BlobStore(data_file.with_name(f"{stem}.blobs")),
        )

    def next_seq(self) -> int:
        with self.lock:
            seq = self._next_seq
            self._next_seq += 1
            return seq

    def get(self, kind: type[RecordT], key: str) -> RecordT | None:
        with self.lock:
            record: RecordT | None = self._tables[kind.KIND].get(key)
            return record

    def all(self, kind: type[RecordT]) -> list[RecordT]:
        """Every record of a kind, oldest first."""
        with self.lock:
            records: list[RecordT] = list(self._tables[kind.KIND].values())
        return sorted(records, key=_position)

    def get_vector_store(self, vector_store_id: str) -> StoredVectorStore:
        """A stored vector store (for tests); KeyError when absent."""
        found = self.get(StoredVectorStore, vector_store_id)
        if found is None:
            raise KeyError(vector_store_id)
        return found

    def position_of(self, kind: type[RecordT], key: str) -> Position | None:
        with self.lock:
            record = self._tables[kind.KIND].get(key)
            if record is not None:
                position: Position = record.position
                return position
            return self._tombstones[kind.KIND].get(key)

    def put(self, record: Record) -> None:
        self.put_many([record])

    def put_many(self, records: Sequence[Record]) -> None:
        """Write several records with one journal append (one fsync: a batch of 2,000 files
        is one change)."""
        with self.lock:
            for record in records:
                self._tables[record.KIND][record.key] = record
                self._tombstones[record.KIND].pop(record.key, None)
            self._append([{"put": r.KIND, "record": _to_json(r)} for r in records])

    def remove(self, kind: type[Record], key: str) -> bool:
        """Remove one record; False when there was none."""
        with self.lock:
            record = self._tables[kind.KIND].get(key)
            if record is not None:
                self.remove_many([record])
            return record is not None

    def remove_many(self, records: Sequence[Record]) -> None:
        """Remove records held, with one journal append; each leaves a tombstone."""
        with self.lock:
            for record in records:
                self._tables[record.KIND].pop(record.key, None)
                self._tombstones[record.KIND][record.key] = record.position
            self._append(
                [{"gone": r.KIND, "key": r.key, "position": list(r.position)} for r in records]
            )

    # --- persistence ---------------------------------------------------------------

    def _load(self, path: Path) -> None:
        text = read_data(path)
        if text is None:
            return
        lines = text.splitlines()
        # A line cut short by a kill is the last one; the change it held was never answered.
        if lines and not text.endswith("\n"):
            lines.pop()
        try:
            for line in lines:
                if line.strip():
                    self._replay(json.loads(line))
        except (ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
            raise SandboxDataError(f"sandbox data {path} is not valid: {exc}") from exc
        self._lines = len(lines)
        if not text.endswith("\n") and text:
            self._compact()

    def _replay(self, entry: Mapping[str, Any]) -> None:
        if "format" in entry:
            if entry["format"] != FORMAT_VERSION:
                raise ValueError(f"unknown format {entry['format']!r}")
            return
        if "put" in entry:
            record = _TYPES[entry["put"]](**entry["record"])
            self._tables[record.KIND][record.key] = record
            self._tombstones[record.KIND].pop(record.key, None)
            self._next_seq = max(self._next_seq, record.seq + 1)
            return
        kind, key = entry["gone"], str(entry["key"])
        self._tables[kind].pop(key, None)
        position = (float(entry["position"][0]), int(entry["position"][1]))
        self._tombstones[kind][key] = position
        self._next_seq = max(self._next_seq, position[1] + 1)

    def _append(self, entries: Sequence[Mapping[str, Any]]) -> None:
        if self.journal is None or not entries:
            return
        held = sum(len(t) + len(self._tombstones[k]) for k, t in self._tables.items())
        if self._lines >= max(_COMPACT_MIN_LINES, _COMPACT_RATIO * held):
            self._compact()
            return
        try:
            self.journal.parent.mkdir(parents=True, exist_ok=True)
            # Opened per change, so a store holds no file open between requests.
            with self.journal.open("a", encoding="utf-8") as handle:
                if handle.tell() == 0:
                    handle.write(_encode({"format": FORMAT_VERSION}) + "\n")
                    self._lines += 1
                handle.write("".join(_encode(entry) + "\n" for entry in entries))
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:
            raise SandboxDataError(f"cannot write sandbox data {self.journal}: {exc}") from exc
        self._lines += len(entries)

    def _compact(self) -> None:
        assert self.journal is not None
        lines = [_encode({"format": FORMAT_VERSION})]
        lines += _lines_of(self._tables, self._tombstones)
        write_text_atomically(self.journal, "\n".join(lines) + "\n")
        self._lines = len(lines)


def _lines_of(
    tables: Mapping[str, Mapping[str, Any]], tombstones: Mapping[str, Mapping[str, Position]]
) -> Iterable[str]:
    for kind, table in tables.items():
        for record in sorted(table.values(), key=_position):
            yield _encode({"put": kind, "record": _to_json(record)})
        for key, position in tombstones[kind].items():
            yield _encode({"gone": kind, "key": key, "position": list(position)})


def _position(record: Record) -> Position:
    return record.position


def _to_json(record: Record) -> dict[str, Any]:
    raw: dict[str, Any] = dataclasses.asdict(record)  # type: ignore[call-overload]
    return raw


def _encode(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
