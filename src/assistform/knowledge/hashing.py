"""The plan's hashing edge: the sha256 of every repository file a spec uses.

A file's identity is its path and its content, so a plan must know each file's digest;
reading thousands of unchanged files on every plan would make plan cost grow with the
repository's bytes. The state records each uploaded file's size, mtime and digest
(`state.FileRecord`): a file whose size and mtime_ns are those recorded is taken as
unchanged and not read at all. The rest are streamed in 1 MiB chunks (memory stays flat
whatever their size), on a few threads: hashlib releases the GIL on large updates, so
several files hash at once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from assistform.errors import PlanError
from assistform.knowledge.desired import DesiredFile, DesiredKnowledge
from assistform.state import FileRecord

CHUNK = 1 << 20
#: Threads hashing at once: enough to overlap reading with hashing on a few cores.
DEFAULT_WORKERS = 4


@dataclass(frozen=True)
class Hashed:
    """Desired knowledge with every file's sha256 filled in, and what it cost."""

    knowledge: DesiredKnowledge
    #: Bytes of file content read (0 when every digest came from the state's cache).
    bytes_read: int
    #: Files read (the others came from the cache).
    files_read: int


def sha256_of(path: Path) -> tuple[str, int]:
    """The hex digest of the file at `path` and the number of bytes read."""
    digest = hashlib.sha256()
    read = 0
    with path.open("rb") as file:
        while chunk := file.read(CHUNK):
            digest.update(chunk)
            read += len(chunk)
    return digest.hexdigest(), read


def _read(file: DesiredFile) -> tuple[str, int]:
    try:
        return sha256_of(file.absolute)
    except OSError as error:
        # Validated a moment ago: changed under our feet (a checkout, an editor's save).
        reason = error.strerror or type(error).__name__
        raise PlanError(f"cannot read {file.path} to hash it: {reason}") from None


def cached_digest(file: DesiredFile, record: FileRecord | None) -> str | None:
    """The recorded digest when the file's size and mtime are those recorded."""
    if record is None or record.size != file.size or record.mtime_ns != file.mtime_ns:
        return None
    return record.sha256


def hash_knowledge(
    desired: DesiredKnowledge,
    cache: Mapping[str, FileRecord],
    *,
    workers: int = DEFAULT_WORKERS,
) -> Hashed:
    """`desired` with each file's `sha256` set: from `cache` (the state's file records, by
    path) where size and mtime match, else read from disk."""
    hashed: dict[str, DesiredFile] = {}
    to_read: list[DesiredFile] = []
    for path, file in desired.files.items():
        known = file.sha256 or cached_digest(file, cache.get(path))
        if known is None:
            to_read.append(file)
        else:
            hashed[path] = file.hashed(known)
    total = 0
    if to_read:
        if workers > 1 and len(to_read) > 1:
            with ThreadPoolExecutor(max_workers=min(workers, len(to_read))) as pool:
                results = list(pool.map(_read, to_read))
        else:
            results = [_read(f) for f in to_read]
        for file, (digest, read) in zip(to_read, results, strict=True):
            hashed[file.path] = file.hashed(digest)
            total += read
    # Keep the order the loader gave (renderings and plans list files in it).
    files = {path: hashed[path] for path in desired.files}
    return Hashed(replace(desired, files=files), total, len(to_read))
