"""Where the sandbox keeps assistants: memory, optionally mirrored to a JSON file.

The file is rewritten whole after every change, atomically (`assistform.atomic`: temp file
in the same directory, fsync, `os.replace`, fsync of the directory), so a killed server
never leaves half a file behind and a restart on the same file sees every change that was
acknowledged.

Deleted assistants leave a tombstone (their sort position) so that a list cursor naming
one still works: a client deleting what it pages through must not lose its place.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from assistform.atomic import write_atomically
from assistform.errors import AssistformError
from assistform.sandbox.pagination import Position

FORMAT_VERSION = 1


class SandboxDataError(AssistformError):
    """The sandbox data file cannot be read or written."""


@dataclass(frozen=True)
class StoredAssistant:
    """One assistant as stored. `fields` holds the API fields (plus hidden ones such as
    `reasoning_effort`) in the shape the profile chose; treat it as read-only."""

    id: str
    created_at: float
    seq: int
    updated_at: float
    fields: Mapping[str, Any]

    @property
    def position(self) -> Position:
        return (self.created_at, self.seq)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "created_at": self.created_at,
            "seq": self.seq,
            "updated_at": self.updated_at,
            "fields": dict(self.fields),
        }

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> StoredAssistant:
        return cls(
            id=str(raw["id"]),
            created_at=raw["created_at"],
            seq=int(raw["seq"]),
            updated_at=raw["updated_at"],
            fields=dict(raw["fields"]),
        )


class AssistantStore:
    """Thread-safe map of id -> assistant, ordered by position."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._lock = threading.RLock()
        self._items: dict[str, StoredAssistant] = {}
        #: Each assistant's JSON, kept so that a change re-encodes one record, not all of
        #: them: the data file is rewritten after every change.
        self._encoded: dict[str, str] = {}
        self._tombstones: dict[str, Position] = {}
        self._next_seq = 1
        if path is not None:
            self._load(path)

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def __contains__(self, assistant_id: object) -> bool:
        with self._lock:
            return assistant_id in self._items

    def add(
        self, assistant_id: str, created_at: float, fields: Mapping[str, Any]
    ) -> StoredAssistant:
        with self._lock:
            if assistant_id in self._items or assistant_id in self._tombstones:
                raise ValueError(f"duplicate assistant id {assistant_id!r}")
            record = StoredAssistant(assistant_id, created_at, self._next_seq, created_at, fields)
            self._next_seq += 1
            self._items[assistant_id] = record
            self._save(record)
            return record

    def get(self, assistant_id: str) -> StoredAssistant | None:
        with self._lock:
            return self._items.get(assistant_id)

    def update(
        self,
        assistant_id: str,
        change: Callable[[Mapping[str, Any]], Mapping[str, Any]],
        updated_at: float,
    ) -> StoredAssistant | None:
        """Replace the fields with `change(old_fields)` atomically; None if no such id."""
        with self._lock:
            record = self._items.get(assistant_id)
            if record is None:
                return None
            record = replace(record, fields=change(record.fields), updated_at=updated_at)
            self._items[assistant_id] = record
            self._save(record)
            return record

    def delete(self, assistant_id: str) -> bool:
        with self._lock:
            record = self._items.pop(assistant_id, None)
            if record is None:
                return False
            self._tombstones[assistant_id] = record.position
            self._encoded.pop(assistant_id, None)
            self._save()
            return True

    def ordered(self) -> list[StoredAssistant]:
        """Every assistant, oldest first."""
        with self._lock:
            return sorted(self._items.values(), key=lambda r: r.position)

    def position_of(self, assistant_id: str) -> Position | None:
        """Sort position of a live or deleted assistant; None if never seen."""
        with self._lock:
            record = self._items.get(assistant_id)
            if record is not None:
                return record.position
            return self._tombstones.get(assistant_id)

    # --- persistence ---------------------------------------------------------------

    def _load(self, path: Path) -> None:
        text = read_data(path)
        if text is None:
            return
        if not text.strip():
            return
        try:
            raw = json.loads(text)
            if raw.get("format") != FORMAT_VERSION:
                raise ValueError(f"unknown format {raw.get('format')!r}")
            items = [StoredAssistant.from_json(item) for item in raw["assistants"]]
            tombstones = {
                str(k): (float(v[0]), int(v[1])) for k, v in raw.get("deleted", {}).items()
            }
            next_seq = int(raw["next_seq"])
        except (ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
            raise SandboxDataError(f"sandbox data {path} is not valid: {exc}") from exc
        self._items = {item.id: item for item in items}
        self._tombstones = tombstones
        self._next_seq = next_seq

    def _save(self, changed: StoredAssistant | None = None) -> None:
        if self.path is None:
            return
        if changed is not None:
            self._encoded[changed.id] = _encode(changed.to_json())
        records = sorted(self._items.values(), key=_by_position)
        # One assistant a line; what is not an assistant is encoded afresh (it is small).
        assistants = ",\n".join(
            self._encoded.get(r.id) or self._encoded.setdefault(r.id, _encode(r.to_json()))
            for r in records
        )
        head = _encode({"format": FORMAT_VERSION, "next_seq": self._next_seq})[:-1]
        deleted = _encode({k: list(v) for k, v in self._tombstones.items()})
        text = f'{head}, "assistants": [\n{assistants}\n], "deleted": {deleted}}}\n'
        write_text_atomically(self.path, text)


def _encode(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _by_position(record: StoredAssistant) -> Position:
    return record.position


def read_data(path: Path) -> str | None:
    """The text of a sandbox data file; None when there is none yet."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise SandboxDataError(f"cannot read sandbox data {path}: {exc.strerror}") from exc


def write_text_atomically(path: Path, text: str) -> None:
    """Replace `path` with `text` through the one atomic write (`assistform.atomic`)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, text.encode("utf-8"))
    except OSError as exc:
        raise SandboxDataError(f"cannot write sandbox data {path}: {exc.strerror}") from exc
