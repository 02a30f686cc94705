"""The state file: which live assistant each key manages and what was last applied to it.

Committed to git, so it is written for diffs: sorted keys, two-space indent, a final newline.
Every write is atomic (`assistform.atomic`) and keeps the previous version as a backup;
a file we cannot read is an error, never a silent reset to empty.

During an apply each finished change is appended to a journal beside the state (one fsynced
JSON line), instead of rewriting the whole file a thousand times; the apply compacts the
journal into the state when it ends. A run killed at any moment leaves state + journal, and
`load` replays the journal, so nothing that reached the server is forgotten.

The journal never lies, so replaying it is exact:
- Each entry counts as one write and records the serial it produced. Replay applies only
  the entries beyond the file's serial: a run killed after `save` wrote the compacted state
  but before it removed the journal counts nothing twice (else a saved plan made afterwards
  would be refused as stale). Entries written before serials were recorded count one each.
- The only line a kill can tear is the last one, cut short without its newline: `load`
  ignores it (its change is found again by the assistant's ownership tag). The next
  `journal_many` cuts such a tail off before it appends (a complete last entry that only
  lacks its newline is ended instead), so every line before the last is a whole entry, and
  any other line that is not is an error naming the file and line, never skipped.
  Journals of older versions ended a torn line with a newline instead: a bad line directly
  followed by an entry without a serial (only those versions wrote them) is still
  tolerated as torn.

Each entry records one `kind` of record (`RecordKind`): an assistant (the default, written
without `kind`, so a journal of assistants alone reads as it always did), an uploaded
file, a vector store, an upload begun, or a retired file. Replay, the group commit and
compaction treat every kind alike (`State.with_record`).
"""

from __future__ import annotations

import contextlib
import json
import os
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    ValidationError,
    model_serializer,
    model_validator,
)

from assistform.atomic import write_atomically
from assistform.errors import StateError

#: Version 2 added `observed`; version 3 the knowledge records (`files`, `vector_stores`,
#: `uploads`, `retired_files`). A state without knowledge is still written as version 2, so
#: that the states of teams who use none stay as they were (and readable by older versions);
#: version 1 is read, and written back as 2.
STATE_FORMAT_VERSION = 2
KNOWLEDGE_FORMAT_VERSION = 3
KNOWLEDGE_FIELDS = ("files", "vector_stores", "uploads", "retired_files")
READABLE_FORMAT_VERSIONS = frozenset({1, STATE_FORMAT_VERSION, KNOWLEDGE_FORMAT_VERSION})
DEFAULT_STATE_PATH = Path("state/assistform.json")


class Version(BaseModel):
    """One kept version of a blue-green assistant: its number and its live assistant."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int
    id: str


class ResourceState(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    #: The fields the spec declared when last applied, normalized (see `normalize`).
    #: Written by version 1: every field, with OpenAI's documented defaults filled in.
    applied: dict[str, Any]
    #: The assistant as the server returned it after our last write, normalized: the truth
    #: about every value the spec leaves out. None when unknown (version 1, `state rebuild`).
    observed: dict[str, Any] | None = None
    lifecycle: dict[str, Any] = Field(default_factory=dict)
    #: Blue-green only (`lifecycle.strategy`): the version `id` is, and every version kept
    #: live, the current one included, oldest first. Absent (None, empty) for in-place
    #: assistants and in states written before blue-green, which stay format 2.
    version: int | None = None
    versions: list[Version] = Field(default_factory=list)

    @model_serializer(mode="wrap")
    def _without_absent_versions(self, handler: SerializerFunctionWrapHandler) -> Any:
        data = handler(self)
        if isinstance(data, dict) and self.version is None and not self.versions:
            data.pop("version", None)
            data.pop("versions", None)
        return data

    def kept(self, version: int) -> Version | None:
        return next((v for v in self.versions if v.version == version), None)

    @model_validator(mode="after")
    def _share_equal_values(self) -> ResourceState:
        # Most observed values are the applied ones: one object for both keeps a state of
        # thousands of assistants (long instructions, JSON schemas) from holding them twice.
        if self.observed is not None:
            for name, value in self.observed.items():
                if name in self.applied and self.applied[name] == value:
                    self.observed[name] = self.applied[name]
        return self


class FileRecord(BaseModel):
    """A repository file assistform uploaded, by path: what it is and where it went.

    Also the hash cache: a file whose size and mtime are unchanged is not read again.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    sha256: str
    size: int
    mtime_ns: int
    filename: str


class AttachedFile(BaseModel):
    """One file of a managed vector store: the uploaded file and its attributes as applied
    (assistform's ownership attributes not included)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    file_id: str
    attributes: dict[str, Any] = Field(default_factory=dict)


class VectorStoreRecord(BaseModel):
    """A vector store assistform manages, by key."""

    model_config = ConfigDict(extra="forbid")

    id: str
    #: The fields the spec declared when last applied (`name`, `description`, `metadata`,
    #: `expires_after`, and `chunking_strategy`, applied to each file as it is attached).
    applied: dict[str, Any]
    #: The store as the server returned it after our last write (see `ResourceState`).
    observed: dict[str, Any] | None = None
    #: Its files by repository path.
    files: dict[str, AttachedFile] = Field(default_factory=dict)


class UploadIntent(BaseModel):
    """An upload begun and not yet recorded as done: written before the file is sent, so
    that a run killed (or an answer lost) mid-upload leaves a trace the next run follows
    to find what the server made of it (by name, size and time) and to adopt it or delete
    it. A file matching no intent is never deleted: it is not known to be ours."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    path: str
    sha256: str
    size: int
    filename: str
    #: Unix time the upload was begun (the server's `created_at` cannot be earlier).
    started_at: float


class State(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format_version: int = STATE_FORMAT_VERSION
    lineage: str = Field(default_factory=lambda: str(uuid.uuid4()))
    serial: int = 0
    resources: dict[str, ResourceState] = Field(default_factory=dict)
    #: Uploaded repository files, by path.
    files: dict[str, FileRecord] = Field(default_factory=dict)
    vector_stores: dict[str, VectorStoreRecord] = Field(default_factory=dict)
    #: Uploads begun and not yet recorded, by path.
    uploads: dict[str, UploadIntent] = Field(default_factory=dict)
    #: Files assistform uploaded that nothing wants any more (a path removed, or its
    #: content changed), file id -> path: deleted once nothing refers to them.
    retired_files: dict[str, str] = Field(default_factory=dict)

    @property
    def has_knowledge(self) -> bool:
        return any(getattr(self, name) for name in KNOWLEDGE_FIELDS)

    @model_serializer(mode="wrap")
    def _version_by_content(self, handler: SerializerFunctionWrapHandler) -> Any:
        data = handler(self)
        if isinstance(data, dict):
            if self.has_knowledge:
                data["format_version"] = KNOWLEDGE_FORMAT_VERSION
            else:
                for name in KNOWLEDGE_FIELDS:
                    data.pop(name, None)
                data["format_version"] = STATE_FORMAT_VERSION
        return data

    def with_resource(self, key: str, resource: ResourceState | None) -> State:
        """A copy with one key recorded (or forgotten, for None); serial unchanged."""
        return self.with_record("assistant", key, resource)

    def with_record(self, kind: RecordKind, key: str, value: RecordValue | None) -> State:
        """A copy with one record of `kind` set (or dropped, for None); serial unchanged."""
        return self.with_records([Record(kind, key, value)])

    def with_records(self, records: Iterable[Record]) -> State:
        """A copy with every record applied in order; serial unchanged."""
        fields: dict[str, dict[str, Any]] = {}
        for record in records:
            name = _FIELD_OF[record.kind]
            if name not in fields:
                fields[name] = dict(getattr(self, name))
            if record.value is None:
                fields[name].pop(record.key, None)
            else:
                fields[name][record.key] = record.value
        return self.model_copy(update=fields)


#: What a journal entry records: the state's field each kind lives in, and its value's type.
RecordKind = Literal["assistant", "file", "vector_store", "upload", "retired"]
#: An assistant's record, an uploaded file's (by path), a vector store's (by key), an upload
#: begun (by path), or a retired file's path (by file id).
RecordValue = ResourceState | FileRecord | VectorStoreRecord | UploadIntent | str
RECORD_KINDS: tuple[RecordKind, ...] = get_args(RecordKind)
_FIELD_OF: dict[RecordKind, str] = {
    "assistant": "resources",
    "file": "files",
    "vector_store": "vector_stores",
    "upload": "uploads",
    "retired": "retired_files",
}
_TYPE_OF: dict[RecordKind, type[RecordValue]] = {
    "assistant": ResourceState,
    "file": FileRecord,
    "vector_store": VectorStoreRecord,
    "upload": UploadIntent,
    "retired": str,
}
_MODEL_OF: dict[
    str, type[ResourceState] | type[FileRecord] | type[VectorStoreRecord] | type[UploadIntent]
] = {kind: model for kind, model in _TYPE_OF.items() if issubclass(model, BaseModel)}


@dataclass(frozen=True)
class Record:
    """One record of the state, as a journal entry sets it: None drops it."""

    kind: RecordKind
    key: str
    value: RecordValue | None

    def __post_init__(self) -> None:
        expected = _TYPE_OF[self.kind]
        if self.value is not None and not isinstance(self.value, expected):
            raise TypeError(f"a {self.kind} record holds a {expected.__name__}")


class StateFile:
    """A state file on disk. `load` never invents a lineage for a file that exists."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @property
    def backup_path(self) -> Path:
        return self.path.with_name(self.path.name + ".backup")

    @property
    def journal_path(self) -> Path:
        return self.path.with_name(self.path.name + ".journal")

    @property
    def lock_path(self) -> Path:
        return self.path.with_name(self.path.name + ".lock")

    def exists(self) -> bool:
        return self.path.exists()

    def load(self) -> State:
        """The state as of the last write, the journal of an interrupted apply included."""
        state = self._load_file()
        for entry in self._journal_entries(state.lineage):
            if entry.serial is None:  # written before serials were recorded
                serial = state.serial + 1
            elif entry.serial <= state.serial:
                continue  # already folded into the file (killed before the journal went)
            elif entry.serial == state.serial + 1:
                serial = entry.serial
            else:
                raise StateError(
                    f"{self.journal_path} line {entry.line} continues serial {entry.serial - 1}"
                    f" but {self.path} is at serial {state.serial} (was the state file "
                    "replaced?); restore it from git or run `assistform state rebuild`"
                )
            state = state.with_record(entry.kind, entry.key, entry.value)
            state.serial = serial
        return state

    def _load_file(self) -> State:
        if not self.path.exists():
            if self.journal_path.exists():
                raise StateError(
                    f"{self.journal_path} exists without its state file {self.path}: "
                    "restore the state file from git or run `assistform state rebuild`"
                )
            return State()
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise StateError(
                f"state file {self.path} is unreadable ({exc}); restore it from git or from "
                f"{self.backup_path.name}, or run `assistform state rebuild`"
            ) from None
        if not isinstance(raw, dict):
            raise StateError(f"state file {self.path} is not a JSON object")
        version = raw.get("format_version")
        if type(version) is not int or version not in READABLE_FORMAT_VERSIONS:
            raise StateError(
                f"state file {self.path} has format_version {version!r}; this assistform "
                f"reads versions up to {KNOWLEDGE_FORMAT_VERSION} (upgrade assistform?)"
            )
        missing = [name for name in ("lineage", "serial") if name not in raw]
        if missing:
            # Defaults would invent a lineage or restart the serial: never for a real file.
            raise StateError(f"state file {self.path} is corrupt: no {' or '.join(missing)}")
        try:
            return State.model_validate({**raw, "format_version": STATE_FORMAT_VERSION})
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise StateError(
                f"state file {self.path} is corrupt at {where}: {first['msg']}"
            ) from None

    def save(self, state: State, *, bump: bool = True) -> State:
        """Write `state` (serial raised by one unless `bump` is False), fold in the journal."""
        written = state.model_copy(update={"serial": state.serial + 1}) if bump else state
        text = json.dumps(written.model_dump(mode="json"), indent=2, sort_keys=True) + "\n"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.path.exists():
            write_atomically(self.backup_path, self.path.read_bytes())
        write_atomically(self.path, text.encode("utf-8"))
        self.journal_path.unlink(missing_ok=True)
        return written

    def ensure_saved(self, state: State) -> State:
        """Create the state file if there is none, so the journal always has a base."""
        if self.path.exists():
            return state
        return self.save(state, bump=False)

    def journal(self, state: State, key: str, resource: ResourceState | None) -> State:
        """Record one finished change durably; return the state with it."""
        return self.journal_many(state, [Record("assistant", key, resource)])

    def journal_many(self, state: State, records: Sequence[Record]) -> State:
        """Record finished changes durably with one write and one fsync (a group commit:
        parallel changes share the fsync, the slowest step on a busy disk)."""
        data = b"".join(
            _line(state.lineage, state.serial + i, record)
            for i, record in enumerate(records, start=1)
        )
        fd = os.open(self.journal_path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            data = _end_torn_tail(fd) + data
            while data:
                data = data[os.write(fd, data) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        written = state.with_records(records)
        written.serial = state.serial + len(records)
        return written

    def _journal_entries(self, lineage: str) -> list[_Entry]:
        if not self.journal_path.exists():
            return []
        data = self.journal_path.read_bytes()
        lines = data.split(b"\n")
        # A kill mid-write can only cut the last line short (before its newline); that one
        # is ignored. Any other line must be a whole entry (see the module docstring).
        torn_tail = lines.pop()
        entries: list[_Entry] = []
        for number, line in enumerate(lines, start=1):
            try:
                entries.append(_parse(line, number))
            except _BadLine as exc:
                if not _legacy_torn(lines, number):
                    raise StateError(
                        f"{self.journal_path} line {number} is not a journal entry ({exc}): "
                        "restore the journal, or remove it and run `assistform state rebuild`"
                    ) from None
        if torn_tail:
            with contextlib.suppress(_BadLine):  # a complete entry that only lacks its newline
                entries.append(_parse(torn_tail, len(lines) + 1))
        for entry in entries:
            if entry.lineage != lineage:
                raise StateError(f"{self.journal_path} belongs to another state (lineage differs)")
        return entries


@dataclass(frozen=True)
class _Entry:
    line: int
    lineage: str
    kind: RecordKind
    key: str
    value: RecordValue | None
    #: The serial of the state once this entry is applied; None in journals of older versions.
    serial: int | None


class _BadLine(ValueError):
    pass


def _parse(line: bytes, number: int) -> _Entry:
    try:
        entry = json.loads(line)
        if not isinstance(entry, dict):
            raise _BadLine("not a JSON object")
        kind = entry.get("kind", "assistant")
        if kind not in RECORD_KINDS:
            raise _BadLine(f"unknown kind {kind!r}")
        parsed = _value(kind, entry["resource"])
        key, lineage, serial = entry["key"], entry["lineage"], entry.get("serial")
    except _BadLine:
        raise
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise _BadLine(f"resource {where}: {first['msg']}") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise _BadLine(f"not JSON: {exc}") from None
    except KeyError as exc:
        raise _BadLine(f"no {exc}") from None
    except TypeError as exc:
        raise _BadLine(str(exc)) from None
    if not isinstance(key, str) or not isinstance(lineage, str):
        raise _BadLine("key and lineage must be strings")
    if serial is not None and (type(serial) is not int or serial < 1):
        raise _BadLine(f"serial {serial!r} is not a positive integer")
    return _Entry(number, lineage, kind, key, parsed, serial)


def _value(kind: RecordKind, raw: Any) -> RecordValue | None:
    if raw is None:
        return None
    if kind == "retired":
        if not isinstance(raw, str):
            raise _BadLine("a retired file's record is its path, a string")
        return raw
    return _MODEL_OF[kind].model_validate(raw)


def _legacy_torn(lines: list[bytes], number: int) -> bool:
    """Whether bad line `number` is a torn line that an older assistform ended with a
    newline: those versions alone wrote entries without a serial, and ended a torn line
    (instead of cutting it off) before appending the next one."""
    if number >= len(lines):
        return False
    try:
        following = _parse(lines[number], number + 1)
    except _BadLine:
        return False
    return following.serial is None


def _end_torn_tail(fd: int) -> bytes:
    """Make the journal open at `fd` end with a whole line; return what to write first.

    A tail without its newline is a write cut short by a kill. A complete entry there only
    lacks its newline (returned, to be written first); anything else is cut off, so that no
    torn line ever stands before a whole one.
    """
    size = os.fstat(fd).st_size
    if not size or os.pread(fd, 1, size - 1) == b"\n":
        return b""
    data = os.pread(fd, size, 0)
    start = data.rfind(b"\n") + 1
    try:
        _parse(data[start:], 0)
    except _BadLine:
        os.ftruncate(fd, start)
        return b""
    return b"\n"


def _line(lineage: str, serial: int, record: Record) -> bytes:
    value = record.value
    entry: dict[str, Any] = {
        "lineage": lineage,
        "serial": serial,
        "key": record.key,
        "resource": value.model_dump(mode="json") if isinstance(value, BaseModel) else value,
    }
    if record.kind != "assistant":  # absent: an assistant, as in journals before kinds
        entry["kind"] = record.kind
    return (json.dumps(entry, sort_keys=True) + "\n").encode()
