"""Uploads of repository files: recorded once, never twice, through lost answers, 429s,
500s and refusals; the journal holds an intent before each and the file after it."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from assistform.plan.model import Action, FileChange, Reason
from assistform.sandbox import Faults
from assistform.sandbox.faults import nth
from assistform.state import FileRecord

from .knowledgeworld import KnowledgeWorld, sha256

Make = Callable[..., KnowledgeWorld]


def test_an_upload_records_its_file_and_no_intent(make_knowledge: Make) -> None:
    kw = make_knowledge()
    change = kw.write("docs/a.md", b"# A\n" * 1000)
    result = kw.apply(kw.plan(files=[change]))
    assert result.ok, [s.describe() for s in result.failed_steps]
    [live] = kw.files()
    assert (live.filename, live.bytes) == ("a.md", 4000)
    state = kw.world.state_file.load()
    record = state.files["docs/a.md"]
    assert (record.id, record.sha256, record.size) == (live.id, change.sha256, 4000)
    assert record.mtime_ns == (kw.root / "docs/a.md").stat().st_mtime_ns
    assert state.uploads == {} and state.retired_files == {}
    assert json.loads(kw.world.state_file.path.read_text())["format_version"] == 3
    assert sum(kw.sent) >= 4000, "progress heard of the bytes sent"
    assert [s.describe() for s in result.steps] == [f"uploaded file docs/a.md ({live.id})"]


def test_the_journal_holds_the_intent_before_the_upload_and_the_record_after(
    make_knowledge: Make,
) -> None:
    """What a kill at each moment leaves: the intent alone while the file is in flight,
    then the record and the intent's drop in one write."""
    kw = make_knowledge()
    change = kw.write("a.txt", b"hello")
    seen: list[dict[str, object]] = []

    def lose(request: object) -> bool:  # sees the upload as it reaches the server
        seen.append(dict(kw.world.state_file.load().uploads))
        return False

    kw.world.server.faults = Faults(lose_answer=lose)
    kw.apply(kw.plan(files=[change]))
    assert any("a.txt" in uploads for uploads in seen), "the intent was durable first"
    state = kw.world.state_file.load()
    assert set(state.files) == {"a.txt"} and state.uploads == {}


def test_a_lost_upload_answer_is_found_and_adopted_not_sent_again(make_knowledge: Make) -> None:
    kw = make_knowledge(faults=Faults(lose_answer=nth("POST", "/v1/files", 1)))
    change = kw.write("docs/a.md", b"content")
    result = kw.apply(kw.plan(files=[change]))
    assert result.ok, [s.describe() for s in result.failed_steps]
    [live] = kw.files()
    assert kw.world.state_file.load().files["docs/a.md"].id == live.id
    [step] = result.steps
    assert "its answer was lost; found it by name, size and time" in step.describe()


def test_429s_and_500s_upload_each_file_once(make_knowledge: Make) -> None:
    kw = make_knowledge(faults=Faults(throttle_every=5, retry_after_ms=1, fail_every=7))
    changes = [kw.write(f"docs/{i}.md", f"file {i}".encode()) for i in range(12)]
    result = kw.apply(kw.plan(files=changes))
    assert result.ok, [s.describe() for s in result.failed_steps]
    live = kw.files()
    assert sorted(f.filename for f in live) == sorted(f"{i}.md" for i in range(12))
    state = kw.world.state_file.load()
    assert {r.id for r in state.files.values()} == {f.id for f in live}
    assert state.uploads == {}


def test_same_name_and_size_in_two_folders_never_take_each_others_file(
    make_knowledge: Make,
) -> None:
    """A lookup after a lost answer matches by name and size: files alike in both go one
    after the other, so neither adopts the other's upload."""
    kw = make_knowledge(faults=Faults(lose_answer=nth("POST", "/v1/files", 1, 2)))
    one = kw.write("a/readme.md", b"aaaa")
    two = kw.write("b/readme.md", b"bbbb")
    result = kw.apply(kw.plan(files=[one, two]))
    assert result.ok, [s.describe() for s in result.failed_steps]
    files = kw.world.state_file.load().files
    assert files["a/readme.md"].id != files["b/readme.md"].id
    assert len(kw.files()) == 2


def test_an_upload_that_may_have_landed_keeps_its_intent_for_the_next_plan(
    make_knowledge: Make,
) -> None:
    """Every request fails (500): whether the upload landed is unknown, so it fails with
    one line and its intent stays in the state, for the next plan to follow."""
    kw = make_knowledge(faults=Faults(fail_every=1))
    change = kw.write("a.md", b"maybe")
    result = kw.apply(kw.plan(files=[change]))
    [failed] = result.failed_steps
    assert failed.key == "a.md" and "\n" not in failed.describe()
    state = kw.world.state_file.load()
    assert state.files == {} and set(state.uploads) == {"a.md"}
    assert state.uploads["a.md"].sha256 == change.sha256


def test_content_changed_since_the_plan_is_not_uploaded(make_knowledge: Make) -> None:
    kw = make_knowledge()
    change = kw.write("a.md", b"planned")
    (kw.root / "a.md").write_bytes(b"edited!")
    result = kw.apply(kw.plan(files=[change]))
    [failed] = result.failed_steps
    assert "changed since the plan was made" in failed.describe()
    assert kw.files() == [] and kw.world.state_file.load().uploads == {}


def test_a_replace_uploads_the_new_content_and_deletes_the_old_after_the_assistants(
    make_knowledge: Make,
) -> None:
    kw = make_knowledge()
    kw.apply(kw.plan(files=[kw.write("a.md", b"one")]))
    old = kw.world.state_file.load().files["a.md"]
    new = kw.write("a.md", b"two!")
    replace = new.model_copy(
        update={
            "action": Action.REPLACE,
            "id": old.id,
            "reasons": [Reason.CONTENT_CHANGED],
            "previous_sha256": old.sha256,
        }
    )
    result = kw.apply(kw.plan(files=[replace]))
    assert result.ok, [s.describe() for s in result.failed_steps]
    state = kw.world.state_file.load()
    [live] = kw.files()
    assert state.files["a.md"].id == live.id != old.id
    assert state.files["a.md"].sha256 == sha256(b"two!")
    assert state.retired_files == {}
    assert [s.action for s in result.steps] == ["upload", "delete"]


def test_an_adopted_file_is_recorded_with_its_intent_dropped(make_knowledge: Make) -> None:
    kw = make_knowledge()
    data = b"made by a run killed before it recorded it"
    made = kw.world.api.knowledge().upload(kw.write("a.md", data) and kw.root / "a.md", "a.md")
    adopt = FileChange(
        path="a.md",
        action=Action.NOOP,
        id=made.id,
        reasons=[Reason.ADOPTED],
        sha256=sha256(data),
        size=len(data),
        adopt=True,
    )
    result = kw.apply(kw.plan(files=[adopt]))
    assert result.ok
    record = kw.world.state_file.load().files["a.md"]
    assert record == FileRecord(
        id=made.id,
        sha256=sha256(data),
        size=len(data),
        mtime_ns=(kw.root / "a.md").stat().st_mtime_ns,
        filename="a.md",
    )


@pytest.mark.parametrize("reason", [Reason.ORPHAN, Reason.UNUSED])
def test_orphans_and_unused_files_are_deleted_and_forgotten(
    make_knowledge: Make, reason: Reason
) -> None:
    kw = make_knowledge()
    kw.apply(kw.plan(files=[kw.write("a.md", b"x")]))
    record = kw.world.state_file.load().files["a.md"]
    delete = FileChange(path="a.md", action=Action.DELETE, id=record.id, reasons=[reason])
    result = kw.apply(kw.plan(files=[delete]))
    assert result.ok
    assert kw.files() == []
    if reason is Reason.UNUSED:
        assert kw.world.state_file.load().files == {}


def test_an_upload_that_never_landed_for_a_path_no_spec_uses_is_forgotten(
    make_knowledge: Make,
) -> None:
    kw = make_knowledge(faults=Faults(fail_every=1))
    kw.apply(kw.plan(files=[kw.write("a.md", b"maybe")]))
    assert set(kw.world.state_file.load().uploads) == {"a.md"}
    kw.world.server.faults = Faults()
    forget = FileChange(path="a.md", action=Action.NOOP, size=5, reasons=[Reason.UNUSED])
    result = kw.apply(kw.plan(files=[forget]))
    assert result.ok
    assert kw.world.state_file.load().uploads == {}
    assert kw.files() == []


def test_an_adopted_upload_retires_the_paths_previous_file(make_knowledge: Make) -> None:
    """A lost upload of new content is adopted: the path's old file stays known as ours
    (retired), and is deleted after the assistants, as after an upload."""
    kw = make_knowledge()
    kw.apply(kw.plan(files=[kw.write("a.md", b"old")]))
    old = kw.world.state_file.load().files["a.md"].id
    data = b"new content, uploaded by a run killed before it recorded it"
    kw.write("a.md", data)
    made = kw.world.api.knowledge().upload(kw.root / "a.md", "a.md")
    adopt = FileChange(
        path="a.md",
        action=Action.NOOP,
        id=made.id,
        sha256=sha256(data),
        size=len(data),
        adopt=True,
    )
    assert kw.apply(kw.plan(files=[adopt])).ok
    state = kw.world.state_file.load()
    assert state.files["a.md"].id == made.id
    assert old not in {f.id for f in kw.files()}
    assert state.retired_files == {}
