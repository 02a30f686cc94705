"""The hashing edge: digests of real files, and the state's cache that spares reading them."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from assistform.errors import PlanError
from assistform.knowledge.desired import DesiredFile, DesiredKnowledge
from assistform.knowledge.hashing import CHUNK, hash_knowledge, sha256_of
from assistform.state import FileRecord


def desired_file(root: Path, name: str, content: bytes) -> DesiredFile:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    stat = path.stat()
    return DesiredFile(path=name, absolute=path, size=stat.st_size, mtime_ns=stat.st_mtime_ns)


def knowledge(*files: DesiredFile) -> DesiredKnowledge:
    return DesiredKnowledge(files={f.path: f for f in files})


def record(file: DesiredFile, sha256: str, **changes: int) -> FileRecord:
    fields = {"size": file.size, "mtime_ns": file.mtime_ns, **changes}
    return FileRecord(id="file-1", sha256=sha256, filename=file.filename, **fields)


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 17])
def test_the_digest_is_sha256_of_the_whole_content_at_any_size(tmp_path: Path, size: int) -> None:
    content = os.urandom(size)
    (tmp_path / "f").write_bytes(content)
    assert sha256_of(tmp_path / "f") == (hashlib.sha256(content).hexdigest(), size)


def test_every_file_is_read_and_hashed_without_a_cache(tmp_path: Path) -> None:
    files = [desired_file(tmp_path, f"docs/{n}.md", f"doc {n}".encode() * 100) for n in range(5)]
    result = hash_knowledge(knowledge(*files), {})
    assert list(result.knowledge.files) == [f.path for f in files]
    for f in files:
        expected = hashlib.sha256(f.absolute.read_bytes()).hexdigest()
        assert result.knowledge.files[f.path].sha256 == expected
    assert result.bytes_read == sum(f.size for f in files)
    assert result.files_read == 5


def test_a_cache_hit_reads_no_byte(tmp_path: Path) -> None:
    file = desired_file(tmp_path, "kb/a.md", b"hello")
    file.absolute.unlink()  # reading it would fail: the digest must come from the state
    result = hash_knowledge(knowledge(file), {"kb/a.md": record(file, "cafe" * 16)})
    assert result.knowledge.files["kb/a.md"].sha256 == "cafe" * 16
    assert (result.bytes_read, result.files_read) == (0, 0)


@pytest.mark.parametrize("changed", ["size", "mtime_ns"])
def test_a_changed_size_or_mtime_reads_the_file_again(tmp_path: Path, changed: str) -> None:
    file = desired_file(tmp_path, "kb/a.md", b"hello")
    stale = record(file, "cafe" * 16, **{changed: getattr(file, changed) + 1})
    result = hash_knowledge(knowledge(file), {"kb/a.md": stale})
    assert result.knowledge.files["kb/a.md"].sha256 == hashlib.sha256(b"hello").hexdigest()
    assert result.bytes_read == 5


def test_the_cache_is_by_path(tmp_path: Path) -> None:
    a = desired_file(tmp_path, "a.md", b"same")
    b = desired_file(tmp_path, "b.md", b"same")
    result = hash_knowledge(knowledge(a, b), {"a.md": record(a, "cafe" * 16)})
    assert result.knowledge.files["a.md"].sha256 == "cafe" * 16
    assert result.knowledge.files["b.md"].sha256 == hashlib.sha256(b"same").hexdigest()
    assert result.bytes_read == 4


def test_threads_and_one_thread_give_the_same_digests(tmp_path: Path) -> None:
    files = [desired_file(tmp_path, f"{n}.bin", os.urandom(CHUNK + n)) for n in range(6)]
    parallel = hash_knowledge(knowledge(*files), {}, workers=4)
    serial = hash_knowledge(knowledge(*files), {}, workers=1)
    assert parallel == serial


@pytest.mark.parametrize("workers", [1, 4])
def test_a_vanished_file_is_one_line_naming_it_not_a_wrong_digest(
    tmp_path: Path, workers: int
) -> None:
    kept = desired_file(tmp_path, "kept.md", b"y")
    file = desired_file(tmp_path, "docs/gone.md", b"x")
    file.absolute.unlink()
    with pytest.raises(PlanError, match=r"cannot read docs/gone.md to hash it: No such file"):
        hash_knowledge(knowledge(kept, file), {}, workers=workers)
