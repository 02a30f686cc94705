"""One way to replace a file: readers see the old file or the new one, never half of it.

The strictest rule, for every file assistform writes (the state, its backup, the sandbox's
data): write a temporary file in the same directory, fsync it, rename it over the target,
then fsync the directory, so that once the call returns the new file survives a crash or
a power loss, not only a killed process.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomically(path: Path, data: bytes | memoryview) -> None:
    """Replace `path` with `data` durably; on any failure `path` is as it was. A
    memoryview is written from where it lies, not copied first.

    The directory must exist; the temporary file is removed on failure. `OSError`s are
    the caller's to translate into its own error.
    """
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    _fsync_directory(path.parent)


def _fsync_directory(directory: Path) -> None:
    """Make the rename itself durable: it lives in the directory's entries."""
    dir_fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
