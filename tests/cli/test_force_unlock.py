"""`assistform force-unlock`: removes a dead run's lock at once, a live one's only if told."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from assistform.apply.lock import StateLock, current_holder, read_lock
from assistform.cli.main import cli

LOCK = Path("state/assistform.json.lock")


@pytest.fixture(autouse=True)
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "assistants").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ASSISTFORM_ENV", raising=False)
    return tmp_path


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, ["force-unlock", *args])


def test_nothing_to_remove() -> None:
    result = run()
    assert (result.exit_code, result.stdout) == (0, "The state is not locked.\n")


def test_the_lock_of_a_dead_run_is_removed_without_force() -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    holder = current_holder("assistform apply").__dict__ | {"pid": child.pid}
    LOCK.parent.mkdir()
    LOCK.write_text(json.dumps(holder))
    result = run()
    assert result.exit_code == 0
    assert result.stdout.startswith(f"Removed the stale lock of {holder['user']}@")
    assert not LOCK.exists()


def test_the_lock_of_a_live_run_needs_force() -> None:
    lock = StateLock(LOCK, holder=current_holder("assistform apply"))
    lock.acquire()
    refused = run()
    assert refused.exit_code == 1
    assert "which may still be running" in refused.stderr
    assert "assistform force-unlock --force" in refused.stderr
    assert read_lock(LOCK) == lock.holder
    forced = run("--force")
    assert forced.exit_code == 0
    assert not LOCK.exists()


def test_a_lock_naming_no_holder_needs_force() -> None:
    LOCK.parent.mkdir()
    LOCK.write_text("")
    assert run().exit_code == 1
    assert run("--force").exit_code == 0
    assert not LOCK.exists()
