"""The journal an apply writes: every finished change survives a kill, in any order."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from assistform.apply.recorder import Recorder
from assistform.errors import StateError
from assistform.state import FileRecord, Record, ResourceState, State, StateFile, UploadIntent


def resource(i: int) -> ResourceState:
    return ResourceState(id=f"asst_{i}", applied={"model": "gpt-4o", "name": f"n{i}"})


def test_concurrent_records_all_survive_and_count_as_writes(tmp_path: Path) -> None:
    state_file = StateFile(tmp_path / "state.json")
    recorder = Recorder(state_file, State(serial=3))
    threads = [
        threading.Thread(target=lambda i=i: recorder.record(f"k{i}", resource(i)))
        for i in range(40)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Killed here: the state file is the empty base, the journal holds everything.
    replayed = state_file.load()
    assert replayed.resources == {f"k{i}": resource(i) for i in range(40)}
    assert replayed.serial == 3 + 40
    assert replayed == recorder.state
    recorder.close()


def test_records_waiting_together_share_one_write(tmp_path: Path) -> None:
    state_file = StateFile(tmp_path / "state.json")
    recorder = Recorder(state_file, State())
    futures = [recorder.submit(f"k{i}", resource(i)) for i in range(50)]
    for future in futures:
        future.result(timeout=10)
    assert recorder.entries == 50
    assert recorder.writes < 50
    assert len(state_file.load().resources) == 50
    recorder.close()


def test_compact_folds_the_journal_into_the_state_file(tmp_path: Path) -> None:
    state_file = StateFile(tmp_path / "state.json")
    recorder = Recorder(state_file, State())
    recorder.record("a", resource(1))
    recorder.record("b", resource(2))
    recorder.record("a", None)
    compacted = recorder.compact()
    assert not state_file.journal_path.exists()
    assert state_file.load() == compacted
    assert set(compacted.resources) == {"b"}
    assert compacted.serial == 3


def test_a_line_torn_by_a_kill_loses_nothing_written_after_it(tmp_path: Path) -> None:
    state_file = StateFile(tmp_path / "state.json")
    recorder = Recorder(state_file, State())
    recorder.record("a", resource(1))
    recorder.close()
    with state_file.journal_path.open("ab") as journal:
        journal.write(b'{"key": "b", "lineage": "')  # a kill in the middle of a write
    # The next run replays what it can and goes on journaling.
    state = state_file.load()
    assert set(state.resources) == {"a"}
    again = Recorder(state_file, state)
    again.record("c", resource(3))
    again.close()
    assert set(state_file.load().resources) == {"a", "c"}


def test_a_journal_that_cannot_be_written_fails_loudly(tmp_path: Path) -> None:
    state_file = StateFile(tmp_path / "state.json")
    recorder = Recorder(state_file, State())
    state_file.journal_path.mkdir()  # not a file: every write fails
    with pytest.raises(StateError, match="could not write the state journal"):
        recorder.record("a", resource(1))
    with pytest.raises(StateError):
        recorder.submit("b", resource(2))
    with pytest.raises(StateError):
        recorder.compact()


def test_records_of_every_kind_and_a_group_go_in_one_write(tmp_path: Path) -> None:
    """An upload's file record and the drop of its intent are written together: a kill
    cannot leave the one without the other (but for a torn last line)."""
    state_file = StateFile(tmp_path / "state.json")
    recorder = Recorder(state_file, State())
    intent = UploadIntent(path="a.md", sha256="0" * 64, size=1, filename="a.md", started_at=0)
    recorder.record("a.md", intent, "upload")
    writes = recorder.writes
    record = FileRecord(id="file-1", sha256="0" * 64, size=1, mtime_ns=1, filename="a.md")
    done = recorder.submit_all([Record("file", "a.md", record), Record("upload", "a.md", None)])
    done.result(timeout=10)
    assert recorder.writes == writes + 1 and recorder.entries == 3
    loaded = state_file.load()
    assert (loaded.files, loaded.uploads, loaded.serial) == ({"a.md": record}, {}, 3)
    assert recorder.compact() == loaded
