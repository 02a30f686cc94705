"""The bytes of uploaded files: in memory, or one file per upload in a folder.

A blob is written to a temporary file in the folder, fsynced, then renamed to its id, so
a file listed by the knowledge store never has half its bytes. Writes take the bytes as a
buffer (a memoryview into the request body) and copy it to disk in slices, so an upload
is never held in memory twice.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
from pathlib import Path
from typing import Final

from assistform.sandbox.store import SandboxDataError

_SLICE: Final = 1 << 20


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
            fd, temp = tempfile.mkstemp(prefix=f".{file_id}.", dir=self.folder)
            try:
                with os.fdopen(fd, "wb") as handle:
                    for start in range(0, len(data), _SLICE):
                        handle.write(data[start : start + _SLICE])
                    handle.flush()
                    os.fsync(handle.fileno())
                os.replace(temp, self._path(file_id))
            except BaseException:
                Path(temp).unlink(missing_ok=True)
                raise
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
