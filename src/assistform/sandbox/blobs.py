"""The bytes of uploaded files: in memory, or one file per upload in a folder.

A blob is written as `atomic.write_atomically` writes every file (a temporary file,
fsynced, renamed to its id), so a file listed by the knowledge store never has half its
bytes. Writes take the bytes as a buffer (a memoryview into the request body), written
from where it lies, so an upload is never held in memory twice.
"""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path

from assistform.atomic import write_atomically
from assistform.sandbox.store import SandboxDataError


class BlobStore:
    """Thread-safe map of file id -> bytes; kept in `folder` when given."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder
        #: In memory, a view into the request body itself: kept, not copied.
        self._memory: dict[str, memoryview] = {}
        self._lock = threading.Lock()

    def put(self, file_id: str, data: memoryview) -> None:
        if self.folder is None:
            with self._lock:
                self._memory[file_id] = data
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            write_atomically(self._path(file_id), data)
        except OSError as exc:
            raise SandboxDataError(f"cannot write file bytes in {self.folder}: {exc}") from exc

    def read(self, file_id: str) -> bytes | None:
        if self.folder is None:
            with self._lock:
                view = self._memory.get(file_id)
            return None if view is None else bytes(view)
        try:
            return self._path(file_id).read_bytes()
        except FileNotFoundError:
            return None

    def delete(self, file_id: str) -> None:
        if self.folder is None:
            with self._lock:
                self._memory.pop(file_id, None)
            return
        with contextlib.suppress(FileNotFoundError):
            self._path(file_id).unlink()

    def _path(self, file_id: str) -> Path:
        assert self.folder is not None
        # Ids are minted here (letters, digits, '-'), never taken from a request.
        return self.folder / file_id
