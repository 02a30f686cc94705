"""Vector stores and their files through the real SDK against the sandbox over HTTP:
created once (a lost answer found by the ownership tag), files attached in batches with
our attributes (a lost batch answer checked against the store's files), processing waited
for within a bound, assistants given the ids made, and deletes after the assistants."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from assistform.apply import vector_stores
from assistform.apply.knowledge_context import Step
from assistform.knowledge.refs import ref
from assistform.knowledge.tags import SHA256_KEY
from assistform.ownership import TAG_KEY
from assistform.plan.model import (
    Action,
    AttachmentChange,
    FileChange,
    Reason,
    VectorStoreChange,
)
from assistform.sandbox import Faults
from assistform.sandbox.faults import nth
from assistform.state import AttachedFile

from .knowledgeworld import KnowledgeWorld, attach
from .world import spec

Make = Callable[..., KnowledgeWorld]
STORES = "/v1/vector_stores"
BATCHES = "/v1/vector_stores/{vector_store_id}/file_batches"


def store_with_files(kw: KnowledgeWorld, count: int) -> tuple[list[FileChange], VectorStoreChange]:
    """A plan that uploads `count` files and makes store `kb` with them."""
    files = [kw.write(f"docs/{i:04d}.md", f"document {i}".encode()) for i in range(count)]
    store = kw.create_store("kb")
    store.attach = [attach(f.path, topic=f"t{i}") for i, f in enumerate(files)]
    return files, store


def test_a_store_is_created_tagged_and_its_files_attached_with_our_attributes(
    make_knowledge: Make,
) -> None:
    kw = make_knowledge()
    files, store = store_with_files(kw, 3)
    result = kw.apply(kw.plan(files=files, stores=[store]))
    assert result.ok, [s.describe() for s in result.failed_steps]
    [live] = kw.stores()
    assert live.tag == kw.tag("kb")
    state = kw.world.state_file.load()
    record = state.vector_stores["kb"]
    assert record.id == live.id and record.applied == {"name": "Store kb"}
    attached = {f.id: f for f in kw.store_files(live.id)}
    for i, change in enumerate(files):
        file_id = state.files[change.path].id
        assert record.files[change.path] == AttachedFile(
            file_id=file_id, attributes={"topic": f"t{i}"}
        )
        assert attached[file_id].status == "completed"
        assert attached[file_id].attributes == {
            "topic": f"t{i}",
            TAG_KEY: kw.tag("kb").value(),
            SHA256_KEY: change.sha256[:32] if change.sha256 else None,
        }
    processed = [s for s in result.steps if s.action == "process"]
    assert len(processed) == 3 and all(s.ok for s in processed)


def test_a_lost_create_answer_is_found_by_the_tag_not_made_twice(make_knowledge: Make) -> None:
    kw = make_knowledge(faults=Faults(lose_answer=nth("POST", STORES, 1)))
    files, store = store_with_files(kw, 2)
    result = kw.apply(kw.plan(files=files, stores=[store]))
    assert result.ok, [s.describe() for s in result.failed_steps]
    [live] = kw.stores()
    assert kw.world.state_file.load().vector_stores["kb"].id == live.id
    created = next(s for s in result.steps if s.what == "vector store" and s.action == "create")
    assert "found it by its ownership tag" in created.describe()
    assert len(kw.store_files(live.id)) == 2


def test_a_lost_batch_answer_attaches_each_file_once(make_knowledge: Make) -> None:
    kw = make_knowledge(faults=Faults(lose_answer=nth("POST", BATCHES, 1)))
    files, store = store_with_files(kw, 4)
    result = kw.apply(kw.plan(files=files, stores=[store]))
    assert result.ok, [s.describe() for s in result.failed_steps]
    [live] = kw.stores()
    attached = kw.store_files(live.id)
    assert len(attached) == 4 == len({f.id for f in attached})
    assert kw.world.server.stats.count("POST", BATCHES) == 1, "nothing sent twice"
    assert set(kw.world.state_file.load().vector_stores["kb"].files) == {f.path for f in files}


def test_429s_and_500s_make_one_store_with_each_file_once(make_knowledge: Make) -> None:
    kw = make_knowledge(faults=Faults(throttle_every=5, retry_after_ms=1, fail_every=7))
    files, store = store_with_files(kw, 6)
    result = kw.apply(kw.plan(files=files, stores=[store]))
    assert result.ok, [s.describe() for s in result.failed_steps]
    [live] = kw.stores()
    assert len(kw.files()) == 6
    attached = kw.store_files(live.id)
    assert sorted(f.id for f in attached) == sorted(
        r.id for r in kw.world.state_file.load().files.values()
    )


def test_files_go_in_batches_of_at_most_the_api_limit(
    make_knowledge: Make, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert vector_stores.BATCH_MAX == 2000
    monkeypatch.setattr(vector_stores, "BATCH_MAX", 2)
    kw = make_knowledge()
    files, store = store_with_files(kw, 5)
    result = kw.apply(kw.plan(files=files, stores=[store]))
    assert result.ok
    assert kw.world.server.stats.count("POST", BATCHES) == 3
    assert [s.count for s in result.steps if s.action == "attach"] == [2, 2, 1]
    assert len(kw.world.state_file.load().vector_stores["kb"].files) == 5


def test_a_file_that_fails_processing_is_one_line_and_the_rest_applied(
    make_knowledge: Make,
) -> None:
    kw = make_knowledge(faults=Faults(fail_files="*.bad"))
    files, store = store_with_files(kw, 2)
    bad = kw.write("docs/broken.bad", b"\x00\x01")
    store.attach.append(attach(bad.path))
    result = kw.apply(kw.plan(files=[*files, bad], stores=[store]))
    [failed] = result.failed_steps
    line = failed.failure_line()
    assert line.startswith("file of vector store kb: docs/broken.bad (process): processing failed")
    assert "invalid_file" in line and "\n" not in line
    assert not result.ok
    record = kw.world.state_file.load().vector_stores["kb"]
    assert set(record.files) == {*(f.path for f in files), bad.path}, "all recorded as attached"


def test_processing_is_waited_for_no_longer_than_the_timeout(make_knowledge: Make) -> None:
    kw = make_knowledge(faults=Faults(processing_seconds=3600))
    kw.processing_timeout = 0.3
    files, store = store_with_files(kw, 2)
    result = kw.apply(kw.plan(files=files, stores=[store]))
    assert len(result.failed_steps) == 2
    assert all("still in_progress after 0.3 s" in s.describe() for s in result.failed_steps)
    assert len(kw.world.state_file.load().vector_stores["kb"].files) == 2


def test_an_assistant_gets_the_ids_made_before_it(make_knowledge: Make) -> None:
    kw = make_knowledge()
    files, store = store_with_files(kw, 1)
    code = kw.write("data/table.csv", b"a,b\n1,2\n")
    bot = spec(
        "bot",
        tools=[{"type": "file_search"}, {"type": "code_interpreter"}],
        tool_resources={
            "file_search": {"vector_store_ids": [ref("vector_store", "kb")]},
            "code_interpreter": {"file_ids": [ref("file", code.path)]},
        },
    )
    plan = kw.world.plan([bot])
    plan = plan.model_copy(update={"file_changes": [*files, code], "vector_store_changes": [store]})
    result = kw.apply(plan)
    assert result.ok, [o.error for o in result.failed] + [s.describe() for s in result.failed_steps]
    state = kw.world.state_file.load()
    [assistant] = kw.world.live()
    resources = assistant.raw["tool_resources"]
    assert resources["file_search"]["vector_store_ids"] == [state.vector_stores["kb"].id]
    assert resources["code_interpreter"]["file_ids"] == [state.files[code.path].id]
    applied = state.resources["bot"].applied["tool_resources"]
    assert applied["file_search"]["vector_store_ids"] == [state.vector_stores["kb"].id]


def test_an_assistant_whose_store_was_not_made_is_not_sent(make_knowledge: Make) -> None:
    kw = make_knowledge(faults=Faults(fail_every=1))
    bot = spec(
        "bot",
        tools=[{"type": "file_search"}],
        tool_resources={"file_search": {"vector_store_ids": [ref("vector_store", "kb")]}},
    )
    kw.world.server.faults = Faults()
    plan = kw.world.plan([bot])
    kw.world.server.faults = Faults(fail_every=1)
    plan = plan.model_copy(update={"vector_store_changes": [kw.create_store("kb")]})
    result = kw.apply(plan)
    [outcome] = result.failed
    assert outcome.error is not None
    assert "not sent: it refers to vector store kb" in outcome.error.message
    assert kw.world.live() == []


def test_a_replaced_store_and_detached_files_go_after_the_assistants(
    make_knowledge: Make,
) -> None:
    kw = make_knowledge()
    files, store = store_with_files(kw, 2)
    kw.apply(kw.plan(files=files, stores=[store]))
    state = kw.world.state_file.load()
    old = state.vector_stores["kb"]
    # A new description: the store is made again with its files; the old one deleted.
    replace = kw.create_store("kb", description="new")
    replace.action, replace.id = Action.REPLACE, old.id
    replace.reasons = [Reason.CREATE_ONLY]
    replace.attach = [attach(files[0].path, file_id=state.files[files[0].path].id)]
    unused = state.files[files[1].path]
    delete = FileChange(
        path=files[1].path, action=Action.DELETE, id=unused.id, reasons=[Reason.UNUSED]
    )
    result = kw.apply(kw.plan(files=[delete], stores=[replace]))
    assert result.ok, [s.describe() for s in result.failed_steps]
    [live] = kw.stores()
    assert live.id != old.id
    after = kw.world.state_file.load()
    assert after.vector_stores["kb"].id == live.id
    assert set(after.vector_stores["kb"].files) == {files[0].path}
    assert [f.id for f in kw.files()] == [after.files[files[0].path].id]
    assert set(after.files) == {files[0].path}


def test_detach_then_delete_the_store(make_knowledge: Make) -> None:
    kw = make_knowledge()
    files, store = store_with_files(kw, 2)
    kw.apply(kw.plan(files=files, stores=[store]))
    state = kw.world.state_file.load()
    record = state.vector_stores["kb"]
    gone = state.files[files[1].path]
    keep = VectorStoreChange(
        key="kb",
        action=Action.NOOP,
        id=record.id,
        detach=[AttachmentChange(path=files[1].path, action=Action.DELETE, file_id=gone.id)],
    )
    result = kw.apply(kw.plan(stores=[keep]))
    assert result.ok
    assert [f.id for f in kw.store_files(record.id)] == [state.files[files[0].path].id]
    assert set(kw.world.state_file.load().vector_stores["kb"].files) == {files[0].path}
    delete = VectorStoreChange(
        key="kb", action=Action.DELETE, id=record.id, reasons=[Reason.SPEC_REMOVED], forget=True
    )
    result = kw.apply(kw.plan(stores=[delete]))
    assert result.ok and kw.stores() == []
    assert kw.world.state_file.load().vector_stores == {}


def test_a_file_an_assistant_still_refers_to_is_kept_when_its_change_fails(
    make_knowledge: Make,
) -> None:
    """Content swapped, but the assistant's update is refused: the old file stays live
    (the assistant still names it) and retired, for the next apply to delete."""
    kw = make_knowledge()
    first = kw.write("data/t.csv", b"a\n1\n")

    def bot(**fields: Any) -> Any:
        resources = {"code_interpreter": {"file_ids": [ref("file", "data/t.csv")]}}
        return spec("bot", tools=[{"type": "code_interpreter"}], tool_resources=resources, **fields)

    plan = kw.world.plan([bot()]).model_copy(update={"file_changes": [first]})
    assert kw.apply(plan).ok
    old = kw.world.state_file.load().files["data/t.csv"].id
    second = kw.write("data/t.csv", b"a\n2\n").model_copy(
        update={"action": Action.REPLACE, "id": old, "reasons": [Reason.CONTENT_CHANGED]}
    )
    refused = kw.world.plan([bot(temperature=5)])  # out of range: the server refuses it
    result = kw.apply(refused.model_copy(update={"file_changes": [second]}))
    [failed] = result.failed
    assert failed.change.key == "bot"
    [kept] = result.failed_steps
    assert (kept.action, kept.id) == ("delete", old) and "kept:" in kept.describe()
    state = kw.world.state_file.load()
    assert state.retired_files == {old: "data/t.csv"}
    assert old in {f.id for f in kw.files()}
    [assistant] = kw.world.live()
    assert assistant.raw["tool_resources"]["code_interpreter"]["file_ids"] == [old]


@pytest.mark.parametrize(
    ("faults", "recorded"),
    [
        # Refused every time (429s): nothing landed, the batch is taken back out.
        (lambda: Faults(throttle_every=1, retry_after_ms=1), False),
        # 500s: it may have landed; the state keeps naming its files, and a next plan
        # that does not find them attached attaches them again.
        (lambda: Faults(fail_every=1), True),
    ],
    ids=["refused", "unknown"],
)
def test_a_batch_is_recorded_before_it_is_sent_and_taken_out_if_refused(
    make_knowledge: Make, faults: Callable[[], Faults], recorded: bool
) -> None:
    """Recorded first, a kill before the batch lands leaves drift that the next plan
    repairs, never files attached that the state does not name."""
    kw = make_knowledge()
    files, store = store_with_files(kw, 2)

    def fail_from_now_on(step: Step) -> None:
        kw.steps.append(step)
        if step.what == "vector store" and step.action == "create":
            kw.world.server.faults = faults()

    kw.on_step = fail_from_now_on
    result = kw.apply(kw.plan(files=files, stores=[store]))
    kw.world.server.faults = Faults()
    [failed] = result.failed_steps
    assert (failed.what, failed.action) == ("vector store", "attach")
    record = kw.world.state_file.load().vector_stores["kb"]
    assert set(record.files) == ({f.path for f in files} if recorded else set())
    [live] = kw.stores()
    assert kw.store_files(live.id) == []
