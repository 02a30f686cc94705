"""The state file: diff-friendly, atomic with a backup, never silently reset; the journal
of an interrupted apply is replayed on load."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from assistform.errors import StateError
from assistform.state import (
    DEFAULT_STATE_PATH,
    KNOWLEDGE_FORMAT_VERSION,
    STATE_FORMAT_VERSION,
    AttachedFile,
    FileRecord,
    Record,
    ResourceState,
    State,
    StateFile,
    UploadIntent,
    VectorStoreRecord,
    Version,
)
from doubles import Killed, killed_before_removing

LIFECYCLE = {"prevent_destroy": True, "replace_on_change": [], "ignore_changes": []}


def resource(assistant_id: str, **applied: Any) -> ResourceState:
    return ResourceState(
        id=assistant_id, applied={"model": "gpt-4o", **applied}, lifecycle=LIFECYCLE
    )


@pytest.fixture
def state_file(tmp_path: Path) -> StateFile:
    return StateFile(tmp_path / "state" / "assistform.json")


def test_the_default_path() -> None:
    assert Path("state/assistform.json") == DEFAULT_STATE_PATH


def test_a_missing_file_is_an_empty_state_and_load_writes_nothing(state_file: StateFile) -> None:
    state = state_file.load()
    assert (state.serial, state.resources, state.format_version) == (0, {}, STATE_FORMAT_VERSION)
    assert len(state.lineage) == 36
    assert not state_file.path.parent.exists()


def test_saved_for_diffs_sorted_indented_with_a_final_newline(state_file: StateFile) -> None:
    state = State().with_resource("z/bot", resource("asst_z", temperature=0.5))
    state = state.with_resource("a/bot", resource("asst_a"))
    state_file.save(state)
    text = state_file.path.read_text(encoding="utf-8")
    assert text.endswith("}\n") and not text.endswith("\n\n")
    assert text.startswith('{\n  "format_version": 2,\n  "lineage": ')
    raw = json.loads(text)
    assert list(raw["resources"]) == ["a/bot", "z/bot"]
    assert list(raw["resources"]["z/bot"]["applied"]) == ["model", "temperature"]
    assert text == json.dumps(raw, indent=2, sort_keys=True) + "\n"


def test_per_key_the_id_the_applied_spec_and_the_lifecycle(state_file: StateFile) -> None:
    state_file.save(State().with_resource("bot", resource("asst_1", name="Bot")))
    raw = json.loads(state_file.path.read_text(encoding="utf-8"))
    assert raw["resources"]["bot"] == {
        "id": "asst_1",
        "applied": {"model": "gpt-4o", "name": "Bot"},
        "observed": None,
        "lifecycle": LIFECYCLE,
    }


def test_blue_green_versions_survive_the_journal_and_the_file(state_file: StateFile) -> None:
    kept = [Version(version=1, id="asst_1"), Version(version=2, id="asst_2")]
    entry = resource("asst_2").model_copy(update={"version": 2, "versions": kept})
    state = state_file.ensure_saved(State())
    state_file.journal(state, "bot", entry)
    assert state_file.load().resources["bot"] == entry  # replayed from the journal
    state_file.save(state_file.load())
    raw = json.loads(state_file.path.read_text(encoding="utf-8"))
    assert raw["format_version"] == 2
    assert raw["resources"]["bot"]["version"] == 2
    assert raw["resources"]["bot"]["versions"] == [
        {"version": 1, "id": "asst_1"},
        {"version": 2, "id": "asst_2"},
    ]
    assert state_file.load().resources["bot"] == entry


def test_a_version_1_state_is_read_and_written_back_as_version_2(state_file: StateFile) -> None:
    """A state of assistform before observations: read as it is (no observation, so the
    next plan records one), written back in the current format."""
    state_file.path.parent.mkdir(parents=True)
    v1 = {
        "format_version": 1,
        "lineage": "l",
        "serial": 3,
        "resources": {"bot": {"id": "asst_1", "applied": {"model": "m"}, "lifecycle": {}}},
    }
    state_file.path.write_text(json.dumps(v1), encoding="utf-8")
    state = state_file.load()
    assert (state.serial, state.resources["bot"].observed) == (3, None)
    state_file.save(state)
    assert json.loads(state_file.path.read_text(encoding="utf-8"))["format_version"] == 2


def test_the_same_state_saves_to_the_same_bytes(tmp_path: Path) -> None:
    state = State(lineage="l", serial=3).with_resource("bot", resource("asst_1"))
    one, two = StateFile(tmp_path / "one.json"), StateFile(tmp_path / "two.json")
    one.save(state)
    two.save(state)
    assert one.path.read_bytes() == two.path.read_bytes()


def test_lineage_is_set_once_and_serial_rises_by_one_per_write(state_file: StateFile) -> None:
    first = state_file.save(State())
    assert first.serial == 1
    again = state_file.save(state_file.load().with_resource("bot", resource("asst_1")))
    loaded = state_file.load()
    assert (again.serial, loaded.serial) == (2, 2)
    assert loaded.lineage == first.lineage
    assert loaded.resources == {"bot": resource("asst_1")}


def test_ensure_saved_creates_the_file_once_without_a_write_count(state_file: StateFile) -> None:
    state = State(lineage="fixed")
    assert state_file.ensure_saved(state).serial == 0
    assert state_file.load().lineage == "fixed"
    state_file.save(state_file.load())
    state_file.ensure_saved(State(lineage="other"))
    assert (state_file.load().lineage, state_file.load().serial) == ("fixed", 1), "file kept"


def test_the_previous_version_is_kept_as_a_backup(state_file: StateFile) -> None:
    state_file.save(State(lineage="l"))
    previous = state_file.path.read_bytes()
    state_file.save(state_file.load().with_resource("bot", resource("asst_1")))
    assert state_file.backup_path.read_bytes() == previous
    assert state_file.backup_path.name == "assistform.json.backup"


def test_a_failed_write_leaves_the_old_file_whole_and_no_temporary_file(
    state_file: StateFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    state_file.save(State(lineage="l"))
    before = state_file.path.read_bytes()

    def crash(src: Any, dst: Any) -> None:
        if Path(dst) == state_file.path:
            raise OSError(28, "No space left on device")
        os.rename(src, dst)

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError):
        state_file.save(state_file.load().with_resource("bot", resource("asst_1")))
    assert state_file.path.read_bytes() == before
    assert sorted(p.name for p in state_file.path.parent.iterdir()) == [
        "assistform.json",
        "assistform.json.backup",
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "is unreadable"),
        (b"\xff\xfe", "is unreadable"),
        (b"", "is unreadable"),
        (b"[]", "is not a JSON object"),
        (b'{"format_version": 4, "lineage": "l", "serial": 1}', "has format_version 4"),
        (b'{"lineage": "l", "serial": 1}', "has format_version None"),
        (b'{"format_version": true, "lineage": "l", "serial": 1}', "has format_version True"),
        (b'{"format_version": 1, "serial": 1, "resources": {}}', "is corrupt: no lineage"),
        (b'{"format_version": 1, "lineage": "l", "resources": {}}', "is corrupt: no serial"),
        (
            b'{"format_version": 1, "lineage": "l", "serial": 1, "resources": {"k": {"id": 5}}}',
            "is corrupt at resources.k",
        ),
        (b'{"format_version": 1, "lineage": "l", "serial": 1, "extra": 1}', "is corrupt at extra"),
    ],
)
def test_a_file_we_cannot_trust_is_a_one_line_error_never_a_reset(
    state_file: StateFile, content: bytes, message: str
) -> None:
    state_file.path.parent.mkdir(parents=True)
    state_file.path.write_bytes(content)
    with pytest.raises(StateError) as caught:
        state_file.load()
    text = str(caught.value)
    assert message in text and str(state_file.path) in text
    assert "\n" not in text
    assert state_file.path.read_bytes() == content, "the file is left as it was"


# --- the journal -----------------------------------------------------------------------------


def test_load_replays_the_journal_and_counts_each_entry_as_a_write(state_file: StateFile) -> None:
    base = state_file.save(State().with_resource("old", resource("asst_old")))
    state = state_file.journal(base, "bot", resource("asst_1"))
    state = state_file.journal(state, "old", None)
    loaded = state_file.load()
    assert loaded == state
    assert loaded.serial == base.serial + 2
    assert loaded.resources == {"bot": resource("asst_1")}


def test_save_folds_the_journal_in(state_file: StateFile) -> None:
    base = state_file.save(State())
    state_file.save(state_file.journal(base, "bot", resource("asst_1")))
    assert not state_file.journal_path.exists()
    assert state_file.load().resources == {"bot": resource("asst_1")}


def test_a_torn_last_line_is_ignored(state_file: StateFile) -> None:
    base = state_file.save(State())
    state_file.journal(base, "bot", resource("asst_1"))
    with state_file.journal_path.open("ab") as journal:
        journal.write(b'{"key": "half", "lineage": "')  # killed mid-write
    loaded = state_file.load()
    assert loaded.resources == {"bot": resource("asst_1")}
    assert loaded.serial == base.serial + 1


def test_an_entry_written_after_a_torn_line_is_not_lost(state_file: StateFile) -> None:
    base = state_file.save(State())
    state_file.journal_path.write_bytes(b'{"key": "half", "lineage": "')
    state_file.journal(base, "bot", resource("asst_1"))
    assert state_file.load().resources == {"bot": resource("asst_1")}


def test_a_complete_last_entry_without_its_newline_is_kept_by_the_next_write(
    state_file: StateFile,
) -> None:
    base = state_file.save(State())
    state_file.journal(base, "bot", resource("asst_1"))
    whole = state_file.journal_path.read_bytes()
    state_file.journal_path.write_bytes(whole[:-1])  # killed just before the newline
    assert state_file.load().resources == {"bot": resource("asst_1")}
    state_file.journal(state_file.load(), "two", resource("asst_2"))
    loaded = state_file.load()
    assert loaded.resources == {"bot": resource("asst_1"), "two": resource("asst_2")}
    assert loaded.serial == base.serial + 2


def test_the_next_write_cuts_a_torn_line_off_so_none_stands_before_a_whole_one(
    state_file: StateFile,
) -> None:
    base = state_file.save(State())
    state = state_file.journal(base, "bot", resource("asst_1"))
    with state_file.journal_path.open("ab") as journal:
        journal.write(b'{"key": "half", "lineage": "')  # killed mid-write
    state_file.journal(state, "two", resource("asst_2"))
    lines = state_file.journal_path.read_bytes().split(b"\n")
    assert lines[-1] == b"" and all(json.loads(line) for line in lines[:-1])
    assert set(state_file.load().resources) == {"bot", "two"}


GOOD = b'{"key": "bot", "lineage": "L", "resource": null, "serial": 2}'

MALFORMED = {
    "not JSON": b"<<<<<<< HEAD",
    "a torn line left in the middle": b'{"key": "half", "lineage": "',
    "not an object": b"[1, 2]",
    "no key": b'{"lineage": "L", "resource": null, "serial": 2}',
    "a resource without an id": b'{"key": "k", "lineage": "L", "resource": {}, "serial": 2}',
    "a serial that is no count": b'{"key": "k", "lineage": "L", "resource": null, "serial": "2"}',
}


@pytest.mark.parametrize("line", MALFORMED.values(), ids=MALFORMED.keys())
@pytest.mark.parametrize("where", ["first", "last with its newline"])
def test_a_malformed_line_that_is_not_a_torn_tail_is_an_error_naming_it(
    state_file: StateFile, line: bytes, where: str
) -> None:
    state_file.save(State(lineage="L", serial=0), bump=False)
    lines = [line, GOOD] if where == "first" else [GOOD.replace(b": 2", b": 1"), line]
    state_file.journal_path.write_bytes(b"\n".join(lines) + b"\n")
    number = 1 if where == "first" else 2
    with pytest.raises(StateError) as raised:
        state_file.load()
    message = str(raised.value)
    assert f"{state_file.journal_path} line {number} is not a journal entry" in message
    assert "\n" not in message


def test_a_line_an_older_version_tore_and_then_ended_is_still_tolerated(
    state_file: StateFile,
) -> None:
    """Before serials, the next write ended a torn line with a newline and went on: such a
    journal (entries without a serial after the torn line) replays as it always did."""
    state_file.save(State(lineage="L", serial=3), bump=False)
    state_file.journal_path.write_bytes(
        b'{"key": "half", "lineage": "\n'
        b'{"key": "bot", "lineage": "L", "resource": null}\n'
        b'{"key": "bot", "lineage": "L", "resource": {"id": "asst_1", "applied": {}}}\n'
    )
    loaded = state_file.load()
    assert loaded.serial == 5
    assert loaded.resources == {"bot": ResourceState(id="asst_1", applied={})}


def test_a_kill_between_writing_the_state_and_removing_the_journal_counts_nothing_twice(
    state_file: StateFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = state_file.save(State().with_resource("old", resource("asst_old")))
    state = state_file.journal(base, "bot", resource("asst_1"))
    state = state_file.journal(state, "old", None)
    with killed_before_removing(state_file.journal_path, monkeypatch), pytest.raises(Killed):
        state_file.save(state, bump=False)  # the compaction at the end of an apply
    assert state_file.journal_path.exists(), "the crash left the journal behind"
    assert json.loads(state_file.path.read_text())["serial"] == base.serial + 2
    loaded = state_file.load()
    assert loaded == state
    assert (loaded.serial, loaded.resources) == (base.serial + 2, {"bot": resource("asst_1")})
    # The run after the crash goes on journaling from there; nothing is counted twice.
    after = state_file.journal(loaded, "two", resource("asst_2"))
    assert state_file.load() == after
    assert after.serial == base.serial + 3


def test_journal_lines_without_a_serial_replay_one_write_each(state_file: StateFile) -> None:
    state_file.save(State(lineage="L", serial=4), bump=False)
    state_file.journal_path.write_bytes(
        b'{"key": "a", "lineage": "L", "resource": {"id": "asst_1", "applied": {}}}\n'
        b'{"key": "b", "lineage": "L", "resource": {"id": "asst_2", "applied": {}}}\n'
    )
    loaded = state_file.load()
    assert loaded.serial == 6
    assert set(loaded.resources) == {"a", "b"}


def test_a_journal_that_does_not_continue_the_state_file_is_refused(
    state_file: StateFile,
) -> None:
    """Entries from serial 8 on cannot extend a file at serial 5: the file was replaced."""
    state_file.save(State(lineage="L", serial=5), bump=False)
    journaled = state_file.journal(State(lineage="L", serial=7), "bot", resource("asst_1"))
    assert journaled.serial == 8
    with pytest.raises(StateError, match=r"line 1 continues serial 7 but .* is at serial 5"):
        state_file.load()


def test_a_journal_of_another_lineage_is_refused(state_file: StateFile) -> None:
    state_file.save(State(lineage="mine"))
    state_file.journal(State(lineage="theirs"), "bot", resource("asst_1"))
    with pytest.raises(StateError, match="belongs to another state"):
        state_file.load()


def test_a_journal_without_its_state_file_is_refused(state_file: StateFile) -> None:
    state_file.path.parent.mkdir(parents=True)
    state_file.journal(State(), "bot", resource("asst_1"))
    with pytest.raises(StateError, match="exists without its state file"):
        state_file.load()


def test_with_resource_copies(state_file: StateFile) -> None:
    state = State()
    updated = state.with_resource("bot", resource("asst_1"))
    assert state.resources == {} and updated.resources == {"bot": resource("asst_1")}
    assert updated.with_resource("bot", None).resources == {}
    assert updated.with_resource("nope", None).resources == {"bot": resource("asst_1")}


# --- knowledge records (issue 13) ------------------------------------------------------------

FILE = FileRecord(id="file-1", sha256="ab" * 32, size=5, mtime_ns=7, filename="a.md")
STORE = VectorStoreRecord(
    id="vs_1",
    applied={"name": "KB"},
    files={"docs/a.md": AttachedFile(file_id="file-1", attributes={"topic": "a"})},
)
INTENT = UploadIntent(path="docs/b.md", sha256="cd" * 32, size=9, filename="b.md", started_at=1.5)


def knowledge_records() -> list[Record]:
    return [
        Record("file", "docs/a.md", FILE),
        Record("vector_store", "support/kb", STORE),
        Record("upload", "docs/b.md", INTENT),
        Record("retired", "file-0", "docs/a.md"),
        Record("assistant", "bot", resource("asst_1")),
    ]


def test_every_kind_of_record_is_journaled_and_replayed(state_file: StateFile) -> None:
    base = state_file.save(State())
    state = state_file.journal_many(base, knowledge_records())
    loaded = state_file.load()
    assert loaded == state
    assert loaded.serial == base.serial + 5
    assert (loaded.files, loaded.vector_stores) == ({"docs/a.md": FILE}, {"support/kb": STORE})
    assert (loaded.uploads, loaded.retired_files) == (
        {"docs/b.md": INTENT},
        {"file-0": "docs/a.md"},
    )
    assert loaded.resources == {"bot": resource("asst_1")}


def test_a_none_record_drops_only_its_own_kind(state_file: StateFile) -> None:
    """The upload is done: its file is recorded and its intent dropped, one write."""
    base = state_file.save(State())
    state = state_file.journal_many(base, knowledge_records())
    state = state_file.journal_many(
        state,
        [
            Record("file", "docs/b.md", FILE.model_copy(update={"id": "file-2"})),
            Record("upload", "docs/b.md", None),
            Record("retired", "file-0", None),
            Record("vector_store", "docs/a.md", None),  # a key of another kind: nothing
        ],
    )
    loaded = state_file.load()
    assert set(loaded.files) == {"docs/a.md", "docs/b.md"} and loaded.uploads == {}
    assert loaded.retired_files == {} and set(loaded.vector_stores) == {"support/kb"}


def test_an_assistant_line_has_no_kind_so_older_journals_and_readers_agree(
    state_file: StateFile,
) -> None:
    base = state_file.save(State())
    state_file.journal_many(base, [Record("assistant", "bot", None), Record("file", "p", FILE)])
    first, second = (json.loads(line) for line in state_file.journal_path.read_text().splitlines())
    assert "kind" not in first and second["kind"] == "file"
    assert second["resource"] == FILE.model_dump(mode="json")


@pytest.mark.parametrize(
    ("with_knowledge", "version"), [(True, KNOWLEDGE_FORMAT_VERSION), (False, STATE_FORMAT_VERSION)]
)
def test_compaction_writes_format_3_only_with_knowledge(
    state_file: StateFile, with_knowledge: bool, version: int
) -> None:
    base = state_file.save(State())
    records = knowledge_records() if with_knowledge else knowledge_records()[-1:]
    state_file.save(state_file.journal_many(base, records), bump=False)
    raw = json.loads(state_file.path.read_text(encoding="utf-8"))
    assert raw["format_version"] == version
    assert ("files" in raw) is with_knowledge and ("uploads" in raw) is with_knowledge
    loaded = state_file.load()
    assert loaded.has_knowledge is with_knowledge
    assert loaded.resources == {"bot": resource("asst_1")}
    if with_knowledge:
        assert loaded.files == {"docs/a.md": FILE} and loaded.uploads == {"docs/b.md": INTENT}


def test_knowledge_records_dropped_again_go_back_to_format_2(state_file: StateFile) -> None:
    base = state_file.save(State())
    state = state_file.journal_many(base, [Record("file", "p", FILE)])
    state = state_file.journal_many(state, [Record("file", "p", None)])
    state_file.save(state, bump=False)
    assert json.loads(state_file.path.read_text())["format_version"] == STATE_FORMAT_VERSION


def test_a_torn_knowledge_line_is_ignored_and_cut_off_by_the_next_write(
    state_file: StateFile,
) -> None:
    base = state_file.save(State())
    state = state_file.journal_many(base, [Record("upload", "docs/b.md", INTENT)])
    whole = state_file.journal_path.read_bytes()
    state_file.journal_many(state, [Record("file", "docs/b.md", FILE)])
    torn = state_file.journal_path.read_bytes()[: len(whole) + 40]  # killed mid-write
    state_file.journal_path.write_bytes(torn)
    loaded = state_file.load()
    assert (loaded.uploads, loaded.files, loaded.serial) == (
        {"docs/b.md": INTENT},
        {},
        base.serial + 1,
    )
    state_file.journal_many(loaded, [Record("retired", "file-9", "docs/c.md")])
    again = state_file.load()
    assert again.retired_files == {"file-9": "docs/c.md"} and again.files == {}
    assert again.serial == base.serial + 2


@pytest.mark.parametrize(
    ("line", "why"),
    [
        (b'{"key": "k", "kind": "gizmo", "lineage": "L", "resource": null, "serial": 1}', "kind"),
        (
            b'{"key": "k", "kind": "file", "lineage": "L", "resource": {"id": "f"}, "serial": 1}',
            "sha256",
        ),
        (b'{"key": "k", "kind": "retired", "lineage": "L", "resource": 3, "serial": 1}', "path"),
    ],
)
def test_a_knowledge_line_that_is_not_an_entry_is_an_error_naming_it(
    state_file: StateFile, line: bytes, why: str
) -> None:
    state_file.save(State(lineage="L", serial=0), bump=False)
    state_file.journal_path.write_bytes(line + b"\n")
    with pytest.raises(StateError, match=f"line 1 is not a journal entry .*{why}"):
        state_file.load()


def test_a_record_holds_the_value_of_its_kind() -> None:
    with pytest.raises(TypeError, match="a file record holds a FileRecord"):
        Record("file", "p", resource("asst_1"))
    assert State().with_record("retired", "file-1", "a.md").retired_files == {"file-1": "a.md"}
