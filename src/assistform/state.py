"""The state file: which live assistant each key manages and what was last applied to it.

Committed to git, so it is written for diffs: sorted keys, two-space indent, a final newline.
Every write is atomic (temp file, fsync, rename) and keeps the previous version as a backup;
a file we cannot read is an error, never a silent reset to empty.

During an apply each finished change is appended to a journal beside the state (one fsynced
JSON line), instead of rewriting the whole file a thousand times; the apply compacts the
journal into the state when it ends. A run killed at any moment leaves state + journal, and
`load` replays the journal, so nothing that reached the server is forgotten. Each journal
entry counts as one write: the serial seen by `load` is the file's serial plus the entries.
"""

from __future__ import annotations

import json
import os
import tempfile
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from assistform.errors import StateError

#: Version 2 added `observed`; version 1 files are read (and written back as version 2).
STATE_FORMAT_VERSION = 2
READABLE_FORMAT_VERSIONS = frozenset({1, STATE_FORMAT_VERSION})
DEFAULT_STATE_PATH = Path("state/assistform.json")


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


class State(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format_version: int = STATE_FORMAT_VERSION
    lineage: str = Field(default_factory=lambda: str(uuid.uuid4()))
    serial: int = 0
    resources: dict[str, ResourceState] = Field(default_factory=dict)

    def with_resource(self, key: str, resource: ResourceState | None) -> State:
        """A copy with one key recorded (or forgotten, for None); serial unchanged."""
        resources = dict(self.resources)
        if resource is None:
            resources.pop(key, None)
        else:
            resources[key] = resource
        return self.model_copy(update={"resources": resources})


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
        for key, resource in self._journal_entries(state.lineage):
            state = state.with_resource(key, resource)
            state.serial += 1
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
                f"reads version {STATE_FORMAT_VERSION} (upgrade assistform?)"
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
            _atomic_write(self.backup_path, self.path.read_bytes())
        _atomic_write(self.path, text.encode("utf-8"))
        self.journal_path.unlink(missing_ok=True)
        return written

    def ensure_saved(self, state: State) -> State:
        """Create the state file if there is none, so the journal always has a base."""
        if self.path.exists():
            return state
        return self.save(state, bump=False)

    def journal(self, state: State, key: str, resource: ResourceState | None) -> State:
        """Record one finished change durably; return the state with it."""
        return self.journal_many(state, [(key, resource)])

    def journal_many(
        self, state: State, entries: Sequence[tuple[str, ResourceState | None]]
    ) -> State:
        """Record finished changes durably with one write and one fsync (a group commit:
        parallel changes share the fsync, the slowest step on a busy disk)."""
        data = b"".join(
            (json.dumps(_entry(state.lineage, key, resource), sort_keys=True) + "\n").encode()
            for key, resource in entries
        )
        fd = os.open(self.journal_path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            size = os.fstat(fd).st_size
            if size and os.pread(fd, 1, size - 1) != b"\n":
                # A line torn by a kill: end it, or this entry would be glued onto it and
                # skipped with it on replay.
                data = b"\n" + data
            while data:
                data = data[os.write(fd, data) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        resources = dict(state.resources)
        for key, resource in entries:
            if resource is None:
                resources.pop(key, None)
            else:
                resources[key] = resource
        return state.model_copy(
            update={"resources": resources, "serial": state.serial + len(entries)}
        )

    def _journal_entries(self, lineage: str) -> list[tuple[str, ResourceState | None]]:
        if not self.journal_path.exists():
            return []
        entries: list[tuple[str, ResourceState | None]] = []
        for line in self.journal_path.read_bytes().splitlines():
            try:
                entry = json.loads(line)
                resource = entry["resource"]
                parsed = None if resource is None else ResourceState.model_validate(resource)
            except (ValueError, KeyError, TypeError, ValidationError):
                # A line cut short by a kill mid-write is the only line that can be torn:
                # the change it describes is found again by its ownership tag.
                continue
            if entry.get("lineage") != lineage:
                raise StateError(f"{self.journal_path} belongs to another state (lineage differs)")
            entries.append((str(entry["key"]), parsed))
        return entries


def _entry(lineage: str, key: str, resource: ResourceState | None) -> dict[str, Any]:
    return {
        "lineage": lineage,
        "key": key,
        "resource": None if resource is None else resource.model_dump(mode="json"),
    }


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
