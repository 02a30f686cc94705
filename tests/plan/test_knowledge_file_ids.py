"""Files a vector store spec names by id (`file_ids`): attached and detached like repository
files, recorded under their id, never uploaded or deleted; what the store holds already is
left as it is (an exported store's files keep their attributes)."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pytest

from assistform.knowledge.desired import DesiredVectorStore
from assistform.knowledge.live import LiveKnowledge
from assistform.plan.model import Action, Reason
from assistform.state import AttachedFile, State

from .build import LINEAGE
from .kbuild import attached, klive, knowledge, kplan, kstate, lfile, lstore, srecord, store

C, U, D, N = Action.CREATE, Action.UPDATE, Action.DELETE, Action.NOOP
OURS = {"assistform": f"kb@{LINEAGE}@"}


def by_id(*file_ids: str) -> DesiredVectorStore:
    return replace(store("kb"), file_ids=file_ids)


def recorded(spec: DesiredVectorStore, *attached_ids: str) -> State:
    record = srecord("vs_kb", spec)
    files = {i: AttachedFile(file_id=i) for i in attached_ids}
    return kstate(stores={"kb": record.model_copy(update={"files": files})})


def live(*files: object, tagged: bool = True) -> LiveKnowledge:
    listed = [lfile("file-x", "x.pdf", "12345"), lfile("file-y", "y.md", "12")]
    return klive(listed, [lstore("vs_kb", "kb" if tagged else None, *files)])  # type: ignore[arg-type]


@dataclass(frozen=True)
class Case:
    desired: DesiredVectorStore
    state: State
    live: LiveKnowledge
    action: Action
    reasons: list[Reason]
    #: (path, file id, drift) of each attach; (path, file id) of each detach.
    attach: list[tuple[str, str | None, bool]]
    detach: list[tuple[str, str | None]]
    unchanged: int


CASES = {
    "a new store attaches each file by id": Case(
        by_id("file-x"),
        kstate(),
        klive([lfile("file-x", "x.pdf")]),
        C,
        [Reason.NEW_SPEC],
        [("file-x", "file-x", False)],
        [],
        0,
    ),
    "an exported store is adopted with its files left as they are": Case(
        by_id("file-x", "file-y"),
        kstate(),
        live(
            attached("file-x", "kb", ours=False, user={"lang": "en"}),
            attached("file-y", "kb", ours=False),
        ),
        N,
        [Reason.ADOPTED],
        [],
        [],
        2,
    ),
    "an id added to the spec is attached": Case(
        by_id("file-x", "file-y"),
        recorded(by_id("file-x")),
        live(attached("file-x", "kb", None)),
        N,
        [Reason.SPEC_CHANGED],
        [("file-y", "file-y", False)],
        [],
        1,
    ),
    "a file by id detached by hand is attached again (drift)": Case(
        by_id("file-x"),
        recorded(by_id("file-x"), "file-x"),
        live(),
        N,
        [Reason.DRIFT],
        [("file-x", "file-x", True)],
        [],
        0,
    ),
    "an id removed from the spec is detached, not deleted": Case(
        by_id(),
        recorded(by_id("file-x"), "file-x"),
        live(attached("file-x", "kb", None)),
        N,
        [Reason.SPEC_CHANGED],
        [],
        [("file-x", "file-x")],
        0,
    ),
    "an id removed that assistform never attached is not touched": Case(
        by_id(),
        recorded(by_id("file-x")),
        live(attached("file-x", "kb", ours=False)),
        N,
        [],
        [],
        [],
        0,
    ),
}


@pytest.mark.parametrize("case", list(CASES.values()), ids=list(CASES))
def test_files_by_id(case: Case) -> None:
    result = kplan(knowledge([], [case.desired]), case.state, case.live)
    [change] = result.vector_store_changes
    assert (change.action, change.reasons) == (case.action, case.reasons)
    assert [(a.path, a.file_id, a.drift) for a in change.attach] == case.attach
    assert [(a.path, a.file_id) for a in change.detach] == case.detach
    assert change.unchanged == case.unchanged
    assert change.retag == []  # never rewrites what the store holds
    assert result.file_changes == []  # never uploaded, never deleted


def test_an_attachment_by_id_carries_the_ownership_attribute_and_the_live_size() -> None:
    result = kplan(
        knowledge([], [by_id("file-x")]), kstate(), klive([lfile("file-x", "x.pdf", "12345")])
    )
    [attach] = result.vector_store_changes[0].attach
    assert (attach.size, attach.attributes) == (5, OURS)


def test_a_failed_file_by_id_is_shown_not_retried() -> None:
    failed = attached("file-x", "kb", None, status="failed", last_error="invalid_file: bad")
    result = kplan(
        knowledge([], [by_id("file-x")]), recorded(by_id("file-x"), "file-x"), live(failed)
    )
    change = result.vector_store_changes[0]
    assert [(a.path, a.last_error) for a in change.failed] == [("file-x", "invalid_file: bad")]
    assert (change.attach, change.reasons) == ([], [Reason.PROCESSING_FAILED])


def test_an_exported_store_has_no_foreign_files_to_note() -> None:
    untagged = live(attached("file-x", "kb", ours=False), attached("file-z", "kb", ours=False))
    change = kplan(knowledge([], [by_id("file-x")]), kstate(), untagged).vector_store_changes[0]
    assert change.notes[-1] == (
        "1 file(s) attached outside assistform (without its attribute, unknown to the state): "
        "not touched"
    )
