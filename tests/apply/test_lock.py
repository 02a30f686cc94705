"""One run at a time per state file; a dead holder's lock is called stale."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistform.apply.lock import LockInfo, StateLock, current_holder, read_lock, remove_lock
from assistform.errors import LockError


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_the_lock_records_its_holder_and_goes_away_after(tmp_path: Path) -> None:
    path = tmp_path / "state" / "assistform.json.lock"
    with StateLock(path, holder=current_holder("assistform apply --auto-approve")):
        raw = json.loads(path.read_text())
        assert raw["pid"] == os.getpid()
        assert raw["command"] == "assistform apply --auto-approve"
        assert {"user", "host", "time"} <= set(raw)
    assert not path.exists()


def test_a_second_run_waits_briefly_then_names_the_holder(tmp_path: Path) -> None:
    path = tmp_path / "lock"
    holder = current_holder("assistform apply")
    with StateLock(path, holder=holder):
        started = time.monotonic()
        with pytest.raises(LockError) as caught:
            StateLock(path, wait=0.3).acquire()
        assert 0.3 <= time.monotonic() - started < 2
    assert str(caught.value) == (
        f"error: state is locked by {holder.user}@{holder.host} pid {os.getpid()} since "
        f"{holder.time} (assistform apply); if that run is dead: assistform force-unlock"
    )


def test_a_lock_freed_while_waiting_is_taken(tmp_path: Path) -> None:
    path = tmp_path / "lock"
    first = StateLock(path)
    first.acquire()
    second = StateLock(path, wait=5, sleep=lambda s: first.release())
    second.acquire()
    assert read_lock(path) == second.holder
    second.release()


def test_the_lock_of_a_dead_process_is_reported_stale_at_once(tmp_path: Path) -> None:
    path = tmp_path / "lock"
    dead = LockInfo(
        "ci", current_holder().host, dead_pid(), "2026-01-01T00:00:00Z", "assistform apply"
    )
    path.write_text(json.dumps(dead.__dict__))
    assert dead.holder_is_dead()
    started = time.monotonic()
    with pytest.raises(LockError, match=r"that process is gone \(stale lock\)"):
        StateLock(path, wait=5).acquire()
    assert time.monotonic() - started < 1


def test_a_process_on_another_host_is_never_called_dead(tmp_path: Path) -> None:
    other = LockInfo("ci", "elsewhere.example", dead_pid(), "t", "assistform apply")
    assert not other.holder_is_dead()


def test_release_leaves_a_lock_that_changed_hands(tmp_path: Path) -> None:
    path = tmp_path / "lock"
    mine = StateLock(path)
    mine.acquire()
    assert remove_lock(path, None)  # force-unlock by someone else
    theirs = StateLock(path)
    theirs.acquire()
    mine.release()
    assert read_lock(path) == theirs.holder


def test_a_lock_naming_no_holder_is_still_a_lock(tmp_path: Path) -> None:
    path = tmp_path / "lock"
    path.write_text("")
    with pytest.raises(LockError, match="names no holder"):
        StateLock(path, wait=0.2).acquire()
