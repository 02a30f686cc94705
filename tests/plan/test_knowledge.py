"""The knowledge planner as a pure function: files and vector stores, built by hand, no server.

The table covers every rule of the plan (one case each) and every knowledge reason; the
tests after it pin down what each change carries (attaches, detaches, bodies, ids) and what
a plan refuses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from assistform.errors import PlanError
from assistform.knowledge.desired import DesiredKnowledge
from assistform.knowledge.live import LiveKnowledge
from assistform.knowledge.refs import ref
from assistform.plan.model import KNOWLEDGE_REASONS, Action, Reason
from assistform.state import State

from .build import FOREIGN, LINEAGE
from .kbuild import (
    STARTED,
    attached,
    dfile,
    frecord,
    intent,
    klive,
    knowledge,
    kplan,
    kstate,
    lfile,
    lstore,
    sha,
    srecord,
    store,
)

C, U, R, D, N = Action.CREATE, Action.UPDATE, Action.REPLACE, Action.DELETE, Action.NOOP
A, B = "kb/a.md", "kb/b.md"
KB = store("kb", A)
FAQ = store("faq", A)
#: The repository's one file and store, applied: state and live in sync.
SYNCED = kstate(files={A: frecord("file-a", A)}, stores={"kb": srecord("vs_kb", KB, {A: "file-a"})})
LIVE_A = lfile("file-a", A)


def synced_live(*files: Any, **store_fields: Any) -> LiveKnowledge:
    listed = files or (attached("file-a", "kb"),)
    return klive([LIVE_A], [lstore("vs_kb", "kb", *listed, **store_fields)])


Row = tuple[str, Action, list[Reason], str | None]


@dataclass
class Case:
    desired: DesiredKnowledge
    state: State
    live: LiveKnowledge | None
    #: (path, action, reasons, id) per file change, in plan order.
    files: list[Row]
    #: (key, action, reasons, id) per vector store change, in plan order.
    stores: list[Row]
    options: dict[str, Any] = field(default_factory=dict)
    #: Substrings the warnings must contain (none: no warning at all).
    warnings: list[str] = field(default_factory=list)
    #: (unmanaged files, unmanaged vector stores), when the case is about them.
    unmanaged: tuple[int, int] | None = None


CASES: dict[str, Case] = {
    "a new file is uploaded and a new store created with it": Case(
        knowledge([dfile(A)], [KB]), kstate(), klive(),
        [(A, C, [Reason.NEW_SPEC], None)], [("kb", C, [Reason.NEW_SPEC], None)],
    ),
    "in sync: an unchanged file is never uploaded again": Case(
        knowledge([dfile(A)], [KB]), SYNCED, synced_live(), [], [("kb", N, [], "vs_kb")],
    ),
    "changed content is uploaded anew and swapped into every store that holds it": Case(
        knowledge([dfile(A, "v2")], [KB, FAQ]),
        kstate(
            files={A: frecord("file-a", A)},
            stores={"kb": srecord("vs_kb", KB, {A: "file-a"}),
                    "faq": srecord("vs_faq", FAQ, {A: "file-a"})},
        ),
        klive([LIVE_A], [lstore("vs_kb", "kb", attached("file-a", "kb")),
                         lstore("vs_faq", "faq", attached("file-a", "faq"))]),
        [(A, R, [Reason.CONTENT_CHANGED], "file-a")],
        [("faq", N, [Reason.CONTENT_CHANGED], "vs_faq"), ("kb", N, [Reason.CONTENT_CHANGED], "vs_kb")],
    ),
    "a file deleted by hand is uploaded again and attached again": Case(
        knowledge([dfile(A)], [KB]), SYNCED, klive([], [lstore("vs_kb", "kb")]),
        [(A, C, [Reason.DELETED_OUTSIDE], None)], [("kb", N, [Reason.DRIFT], "vs_kb")],
    ),
    "a path no spec uses is detached, then deleted": Case(
        knowledge([dfile(B)], [store("kb", B)]),
        kstate(files={A: frecord("file-a", A), B: frecord("file-b", B)},
               stores={"kb": srecord("vs_kb", store("kb", A, B), {A: "file-a", B: "file-b"})}),
        klive([LIVE_A, lfile("file-b", B)],
              [lstore("vs_kb", "kb", attached("file-a", "kb"), attached("file-b", "kb"))]),
        [(A, D, [Reason.UNUSED], "file-a")], [("kb", N, [Reason.SPEC_CHANGED], "vs_kb")],
    ),
    "an unused file already gone from the server is forgotten": Case(
        knowledge([]), kstate(files={A: frecord("file-a", A)}), klive(),
        [(A, N, [Reason.UNUSED, Reason.DELETED_OUTSIDE], "file-a")], [],
    ),
    "a retired file (an earlier apply's old content) is deleted": Case(
        knowledge([dfile(A)], [KB]), SYNCED.model_copy(update={"retired_files": {"file-old": A}}),
        klive([LIVE_A, lfile("file-old", A)], [lstore("vs_kb", "kb", attached("file-a", "kb"))]),
        [(A, D, [Reason.UNUSED], "file-old")], [("kb", N, [], "vs_kb")],
    ),
    "changed content beside a retired file gone from the server: the store says why": Case(
        knowledge([dfile(A, "v2")], [KB]),
        SYNCED.model_copy(update={"retired_files": {"file-old": A}}),
        synced_live(),
        [(A, R, [Reason.CONTENT_CHANGED], "file-a"),
         (A, N, [Reason.UNUSED, Reason.DELETED_OUTSIDE], "file-old")],
        [("kb", N, [Reason.CONTENT_CHANGED], "vs_kb")],
    ),
    "an upload an interrupted apply never recorded is adopted": Case(
        knowledge([dfile(A)]), kstate(uploads=[intent(A)]), klive([lfile("file-x", A)]),
        [(A, N, [], "file-x")], [],
    ),
    "a second upload of the same intent is an orphan, deleted": Case(
        knowledge([dfile(A)]), kstate(uploads=[intent(A)]),
        klive([lfile("file-y", A, created_at=STARTED + 9), lfile("file-x", A)]),
        [(A, N, [], "file-x"), (A, D, [Reason.ORPHAN], "file-y")], [],
    ),
    "an upload of content changed since is an orphan; the path is uploaded": Case(
        knowledge([dfile(A, "v3")]), kstate(uploads=[intent(A, "v2")]),
        klive([lfile("file-x", A, "v2")]),
        [(A, C, [Reason.NEW_SPEC], None), (A, D, [Reason.ORPHAN], "file-x")], [],
    ),
    "an upload of a path no spec uses any more is an orphan": Case(
        knowledge([]), kstate(uploads=[intent(A)]), klive([lfile("file-x", A)]),
        [(A, D, [Reason.ORPHAN], "file-x")], [],
    ),
    "an upload that never reached the server, of a path no spec uses, is forgotten": Case(
        knowledge([]), kstate(uploads=[intent(A)]), klive([]),
        [(A, N, [Reason.UNUSED], None)], [],
    ),
    "an upload of content reverted since, that never reached the server, is forgotten": Case(
        knowledge([dfile(A)], [KB]),
        SYNCED.model_copy(update={"uploads": {A: intent(A, "v2")}}),
        synced_live(),
        [(A, N, [Reason.UNUSED], None)], [(("kb"), N, [], "vs_kb")],
    ),
    "a file that fits two paths' intents cannot be adopted: deleted, both uploaded": Case(
        knowledge([dfile("x/readme.md"), dfile("y/readme.md")]),
        kstate(uploads=[intent("x/readme.md"), intent("y/readme.md")]),
        klive([lfile("file-r", "readme.md")]),
        [("x/readme.md", C, [Reason.NEW_SPEC], None), ("y/readme.md", C, [Reason.NEW_SPEC], None),
         ("x/readme.md", D, [Reason.ORPHAN], "file-r")],
        [],
    ),
    "a file made before the upload began matches no intent, and is never touched": Case(
        knowledge([dfile(A)]), kstate(uploads=[intent(A)]),
        klive([lfile("file-old", A, created_at=STARTED - 60)]),
        [(A, C, [Reason.NEW_SPEC], None)], [], unmanaged=(1, 0),
    ),
    "files and stores not assistform's are counted, never touched": Case(
        knowledge([dfile(A)], [KB]), SYNCED,
        klive([LIVE_A, lfile("file-z", "z.pdf")],
              [lstore("vs_kb", "kb", attached("file-a", "kb")), lstore("vs_other", None)]),
        [], [("kb", N, [], "vs_kb")], unmanaged=(1, 1),
    ),
    "a store deleted by hand is created again with its files": Case(
        knowledge([dfile(A)], [KB]), SYNCED, klive([LIVE_A]),
        [], [("kb", C, [Reason.DELETED_OUTSIDE], None)],
    ),
    "an expired store is made again with its files, the expired one replaced": Case(
        knowledge([dfile(A)], [KB]), SYNCED,
        klive([LIVE_A], [lstore("vs_kb", "kb", attached("file-a", "kb"), status="expired")]),
        [], [("kb", R, [Reason.DRIFT], "vs_kb")],
    ),
    "an expired store's reasons are listed in a store's order, like every store's": Case(
        knowledge([dfile(A)], [store("kb", A, name="Renamed")]), SYNCED,
        klive([LIVE_A], [lstore("vs_kb", "kb", attached("file-a", "kb"), status="expired")]),
        [], [("kb", R, [Reason.SPEC_CHANGED, Reason.DRIFT], "vs_kb")],
    ),
    "a file detached by hand is attached again (drift)": Case(
        knowledge([dfile(A)], [KB]), SYNCED, klive([LIVE_A], [lstore("vs_kb", "kb")]),
        [], [("kb", N, [Reason.DRIFT], "vs_kb")],
    ),
    "a file whose processing failed is shown, not retried": Case(
        knowledge([dfile(A)], [KB]), SYNCED,
        synced_live(attached("file-a", "kb", status="failed", last_error="invalid_file: bad")),
        [], [("kb", N, [Reason.PROCESSING_FAILED], "vs_kb")],
    ),
    "a new file of an existing store is attached": Case(
        knowledge([dfile(A), dfile(B)], [store("kb", A, B)]), SYNCED, synced_live(),
        [(B, C, [Reason.NEW_SPEC], None)], [("kb", N, [Reason.SPEC_CHANGED], "vs_kb")],
    ),
    "changed attributes are given in place": Case(
        knowledge([dfile(A)], [store("kb", A, attributes={A: {"lang": "en"}})]), SYNCED,
        synced_live(), [], [("kb", N, [Reason.SPEC_CHANGED], "vs_kb")],
    ),
    "attributes changed by hand are restored (drift)": Case(
        knowledge([dfile(A)], [KB]), SYNCED,
        synced_live(attached("file-a", "kb", user={"lang": "fr"})),
        [], [("kb", N, [Reason.DRIFT], "vs_kb")],
    ),
    "a file attached by hand to our store is not touched": Case(
        knowledge([dfile(A)], [KB]), SYNCED,
        klive([LIVE_A, lfile("file-h", "h.pdf")],
              [lstore("vs_kb", "kb", attached("file-a", "kb"), attached("file-h", "kb", ours=False))]),
        [], [("kb", N, [], "vs_kb")], unmanaged=(1, 0),
    ),
    "a name change is an update": Case(
        knowledge([dfile(A)], [store("kb", A, name="Renamed")]), SYNCED, synced_live(),
        [], [("kb", U, [Reason.SPEC_CHANGED], "vs_kb")],
    ),
    "a name changed by hand is drift, restored": Case(
        knowledge([dfile(A)], [KB]), SYNCED, synced_live(name="Edited"),
        [], [("kb", U, [Reason.DRIFT], "vs_kb")],
    ),
    "expires_after and metadata changes are updates": Case(
        knowledge([dfile(A)], [store("kb", A, metadata={"team": "s"},
                                     expires_after={"anchor": "last_active_at", "days": 7})]),
        SYNCED, synced_live(), [], [("kb", U, [Reason.SPEC_CHANGED], "vs_kb")],
    ),
    "an ownership tag removed by hand is restored": Case(
        knowledge([dfile(A)], [KB]), SYNCED,
        klive([LIVE_A], [lstore("vs_kb", None, attached("file-a", "kb"), name="Kb")]),
        [], [("kb", U, [Reason.DRIFT], "vs_kb")],
    ),
    "a description change makes the store again (the API takes it only at create)": Case(
        knowledge([dfile(A)], [store("kb", A, description="new")]), SYNCED, synced_live(),
        [], [("kb", R, [Reason.SPEC_CHANGED, Reason.CREATE_ONLY], "vs_kb")],
    ),
    "a chunking strategy change makes the store again": Case(
        knowledge([dfile(A)], [store("kb", A, chunking={"type": "static", "static": {
            "max_chunk_size_tokens": 800, "chunk_overlap_tokens": 400}})]),
        SYNCED, synced_live(), [], [("kb", R, [Reason.SPEC_CHANGED, Reason.CREATE_ONLY], "vs_kb")],
    ),
    "a store spec removed: the store is deleted, then its unused files": Case(
        knowledge([]), SYNCED, synced_live(),
        [(A, D, [Reason.UNUSED], "file-a")], [("kb", D, [Reason.SPEC_REMOVED], "vs_kb")],
    ),
    "a store spec removed and the store already gone is forgotten": Case(
        knowledge([]), kstate(stores={"kb": srecord("vs_kb", store("kb"))}), klive(),
        [], [("kb", N, [Reason.SPEC_REMOVED, Reason.DELETED_OUTSIDE], "vs_kb")],
    ),
    "a store found by its tag is adopted": Case(
        knowledge([], [store("kb")]), kstate(), klive([], [lstore("vs_kb", "kb")]),
        [], [("kb", N, [Reason.ADOPTED], "vs_kb")],
    ),
    "an empty state adopts the stores of the one lineage tagged for its keys": Case(
        knowledge([], [store("kb")]), kstate().model_copy(update={"serial": 0}),
        klive([], [lstore("vs_kb", "kb", lineage=FOREIGN)]),
        [], [("kb", N, [Reason.ADOPTED], "vs_kb")], warnings=[f"tags of lineage {FOREIGN}"],
    ),
    "a lost state adopts the uploads its stores hold with its attributes": Case(
        knowledge([dfile(A), dfile(B, "v1")], [store("kb", A, B)]),
        kstate().model_copy(update={"serial": 0}),
        klive([LIVE_A], [lstore("vs_kb", "kb", attached("file-a", "kb", lineage=FOREIGN),
                                lineage=FOREIGN)]),
        [(A, N, [], "file-a"), (B, C, [Reason.NEW_SPEC], None)],
        [("kb", N, [Reason.ADOPTED, Reason.SPEC_CHANGED], "vs_kb")],
        warnings=[f"tags of lineage {FOREIGN}"],
    ),
    "a tagged store without a spec nor a record is deleted": Case(
        knowledge([]), kstate(files={A: frecord("file-a", A)}),
        klive([LIVE_A], [lstore("vs_kb", "kb")]),
        [(A, D, [Reason.UNUSED], "file-a")], [("kb", D, [Reason.SPEC_REMOVED], "vs_kb")],
    ),
    "a second store carrying our tag is a duplicate, deleted last": Case(
        knowledge([], [store("kb")]), kstate(stores={"kb": srecord("vs_kb", store("kb"))}),
        klive([], [lstore("vs_kb", "kb"), lstore("vs_dup", "kb", created_at=1_700_000_001)]),
        [], [("kb", N, [], "vs_kb"), ("kb", D, [Reason.DUPLICATE], "vs_dup")],
        warnings=["DUPLICATES: 2 vector stores carry the tag of 'kb'"],
    ),
    "another environment's store of the key is never touched": Case(
        knowledge([], [store("kb")]), kstate(), klive([], [lstore("vs_p", "kb", env="prod")]),
        [], [("kb", C, [Reason.NEW_SPEC], None)], unmanaged=(0, 1),
    ),
    "another lineage's store of the key is never touched": Case(
        knowledge([], [store("kb")]), kstate(), klive([], [lstore("vs_f", "kb", lineage=FOREIGN)]),
        [], [("kb", C, [Reason.NEW_SPEC], None)],
        warnings=["vs_f carry the key 'kb' of another lineage"], unmanaged=(0, 1),
    ),
    "a recorded store another environment owns is left to it; ours is created": Case(
        knowledge([], [store("kb")]), kstate(stores={"kb": srecord("vs_p", store("kb"))}),
        klive([], [lstore("vs_p", "kb", env="prod")]),
        [], [("kb", C, [Reason.NEW_SPEC], None)],
        warnings=["its ownership tag says environment prod manages it"], unmanaged=(0, 1),
    ),
    "a store an assistant names by id is not deleted with its spec": Case(
        knowledge([]), kstate(stores={"kb": srecord("vs_kb", store("kb"))}),
        klive([], [lstore("vs_kb", "kb")]),
        [], [("kb", N, [Reason.SPEC_REMOVED], "vs_kb")],
        options={"in_use": frozenset({"vs_kb"})}, warnings=["names it in vector_store_ids"],
    ),
    "a file an assistant names by id is not deleted": Case(
        knowledge([]), kstate(files={A: frecord("file-a", A)}), klive([LIVE_A]), [], [],
        options={"in_use": frozenset({"file-a"})}, warnings=["names it in file_ids"],
    ),
    "--no-refresh: in sync from the state": Case(
        knowledge([dfile(A)], [KB]), SYNCED, None, [], [("kb", N, [], "vs_kb")],
    ),
    "--no-refresh: a content change is a replace and a swap": Case(
        knowledge([dfile(A, "v2")], [KB]), SYNCED, None,
        [(A, R, [Reason.CONTENT_CHANGED], "file-a")],
        [("kb", N, [Reason.CONTENT_CHANGED], "vs_kb")],
    ),
    "--no-refresh: a name change is an update": Case(
        knowledge([dfile(A)], [store("kb", A, name="Renamed")]), SYNCED, None,
        [], [("kb", U, [Reason.SPEC_CHANGED], "vs_kb")],
    ),
    "--no-refresh: a removed spec deletes from the state's ids": Case(
        knowledge([]), SYNCED, None,
        [(A, D, [Reason.UNUSED], "file-a")], [("kb", D, [Reason.SPEC_REMOVED], "vs_kb")],
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_actions_and_reasons(case: Case) -> None:
    result = kplan(case.desired, case.state, case.live, **case.options)
    files = [(c.path, c.action, c.reasons, c.id) for c in result.file_changes]
    stores = [(c.key, c.action, c.reasons, c.id) for c in result.vector_store_changes]
    assert (files, stores) == (case.files, case.stores)
    joined = "\n".join(result.warnings)
    for expected in case.warnings:
        assert expected in joined
    if not case.warnings:
        assert result.warnings == []
    if case.unmanaged is not None:
        assert result.ref is not None
        assert (result.ref.unmanaged_files, result.ref.unmanaged_vector_stores) == case.unmanaged


def test_the_table_covers_every_action_and_every_knowledge_reason() -> None:
    rows = [row for case in CASES.values() for row in [*case.files, *case.stores]]
    assert {action for _, action, _, _ in rows} == set(Action)
    assert {reason for _, _, reasons, _ in rows for reason in reasons} >= KNOWLEDGE_REASONS


def only_store(plan: Any, key: str = "kb") -> Any:
    [change] = [c for c in plan.vector_store_changes if c.key == key and c.action is not D]
    return change


# --- what each change carries -----------------------------------------------------------


def test_a_new_store_is_created_with_the_tag_and_every_file_to_attach() -> None:
    spec = store("kb", A, B, attributes={B: {"lang": "en"}}, description="Articles")
    result = kplan(knowledge([dfile(A), dfile(B, "bee")], [spec]), kstate(), klive())
    change = only_store(result)
    assert change.request == {
        "name": "Kb",
        "description": "Articles",
        "metadata": {"assistform": f"kb@{LINEAGE}@"},
    }
    assert [(a.path, a.action, a.file_id, a.size) for a in change.attach] == [
        (A, C, None, 2),
        (B, C, None, 3),
    ]
    assert change.attach[1].attributes == {
        "lang": "en",
        "assistform": f"kb@{LINEAGE}@",
        "assistform-sha256": sha("bee")[:32],
    }
    assert result.ids[("vector_store", "kb")] == ref("vector_store", "kb")
    assert result.ids[("file", A)] == ref("file", A)


def test_a_content_change_attaches_the_new_upload_and_detaches_the_old_file() -> None:
    case = CASES["changed content is uploaded anew and swapped into every store that holds it"]
    result = kplan(case.desired, case.state, case.live)
    for key in ("kb", "faq"):
        change = only_store(result, key)
        assert [(a.path, a.action, a.file_id) for a in change.attach] == [(A, C, None)]
        assert change.attach[0].attributes["assistform-sha256"] == sha("v2")[:32]
        assert [(a.path, a.action, a.file_id) for a in change.detach] == [(A, D, "file-a")]
        assert change.unchanged == 0
    [upload] = result.file_changes
    assert (upload.sha256, upload.previous_sha256, upload.size) == (sha("v2"), sha("v1"), 2)
    assert result.ids[("file", A)] == ref("file", A)
    assert result.ids[("vector_store", "kb")] == "vs_kb"


def test_in_sync_files_are_counted_not_listed_and_keep_their_ids() -> None:
    many = [f"kb/{n}.md" for n in range(5)]
    spec = store("kb", *many)
    state = kstate(
        files={p: frecord(f"file-{n}", p) for n, p in enumerate(many)},
        stores={"kb": srecord("vs_kb", spec, {p: f"file-{n}" for n, p in enumerate(many)})},
    )
    live = klive(
        [lfile(f"file-{n}", p) for n, p in enumerate(many)],
        [lstore("vs_kb", "kb", *(attached(f"file-{n}", "kb") for n in range(5)))],
    )
    result = kplan(knowledge([dfile(p) for p in many], [spec]), state, live)
    change = only_store(result)
    assert (change.unchanged, change.attach, change.detach, change.writes) == (5, [], [], False)
    assert result.file_changes == []
    assert result.ids[("file", "kb/3.md")] == "file-3"
    assert result.ids[("vector_store", "kb")] == "vs_kb"


def test_a_detached_file_is_attached_again_with_its_id_marked_as_drift() -> None:
    case = CASES["a file detached by hand is attached again (drift)"]
    change = only_store(kplan(case.desired, case.state, case.live))
    assert [(a.path, a.file_id, a.drift) for a in change.attach] == [(A, "file-a", True)]


def test_a_failed_file_carries_the_servers_last_error() -> None:
    case = CASES["a file whose processing failed is shown, not retried"]
    change = only_store(kplan(case.desired, case.state, case.live))
    assert [(a.path, a.file_id, a.last_error) for a in change.failed] == [
        (A, "file-a", "invalid_file: bad")
    ]
    assert change.attach == [] and change.writes is False


def test_an_update_sends_the_changed_fields_and_the_tagged_metadata() -> None:
    spec = store("kb", A, name="Renamed", metadata={"team": "s"})
    change = only_store(kplan(knowledge([dfile(A)], [spec]), SYNCED, synced_live()))
    assert change.request == {
        "name": "Renamed",
        "metadata": {"team": "s", "assistform": f"kb@{LINEAGE}@"},
    }
    assert [(c.path, c.before, c.after, c.drift) for c in change.changes] == [
        ("name", "Kb", "Renamed", False),
        ("metadata.team", None, "s", False),
    ]


def test_drift_on_a_name_restores_it_and_says_so() -> None:
    change = only_store(kplan(knowledge([dfile(A)], [KB]), SYNCED, synced_live(name="Edited")))
    assert change.request == {"name": "Kb"}
    assert [(c.path, c.drift) for c in change.changes] == [("name", True)]
    assert "changed outside assistform: name" in change.notes


def test_a_replaced_store_is_made_again_with_every_file_and_its_id_is_known_after_apply() -> None:
    result = kplan(
        knowledge([dfile(A)], [store("kb", A, description="new")]), SYNCED, synced_live()
    )
    change = only_store(result)
    assert change.request is not None and change.request["description"] == "new"
    assert [(a.path, a.file_id) for a in change.attach] == [(A, "file-a")]
    assert change.changes[0].compared_with == "state"
    assert result.ids[("vector_store", "kb")] == ref("vector_store", "kb")


def test_an_adopted_upload_keeps_its_id_for_the_assistants() -> None:
    case = CASES["an upload an interrupted apply never recorded is adopted"]
    result = kplan(case.desired, case.state, case.live)
    [adopt] = result.file_changes
    assert adopt.adopt and adopt.sha256 == sha("v1")
    assert result.ids[("file", A)] == "file-x"


def test_stores_are_listed_before_their_deletes() -> None:
    desired = knowledge([], [store("b")])
    state = kstate(stores={"a": srecord("vs_a", store("a")), "b": srecord("vs_b", store("b"))})
    live = klive([], [lstore("vs_a", "a"), lstore("vs_b", "b"), lstore("vs_b2", "b", created_at=2)])
    result = kplan(desired, state, live)
    assert [(c.key, c.action) for c in result.vector_store_changes] == [
        ("b", N),
        ("a", D),
        ("b", D),
    ]


# --- when the plan has no knowledge, and what it refuses -------------------------------


def test_a_repository_and_state_without_knowledge_plan_nothing() -> None:
    result = kplan(knowledge([]), kstate(), None)
    assert (result.file_changes, result.vector_store_changes, result.ref) == ([], [], None)


def test_the_plan_reports_what_it_read() -> None:
    result = kplan(knowledge([dfile(A)], [KB]), SYNCED, synced_live(), bytes_hashed=42)
    assert result.ref is not None
    assert result.ref.model_dump() == {
        "files": 1,
        "vector_stores": 1,
        "unmanaged_files": 0,
        "unmanaged_vector_stores": 0,
        "requests": 2,
        "bytes_hashed": 42,
    }


@pytest.mark.parametrize(
    ("desired", "missing", "message"),
    [
        (
            knowledge([dfile(A)], [KB]),
            ["/v1/vector_stores"],
            "vector_stores/kb.yaml needs /v1/vector_stores, which http://h/v1 does not have",
        ),
        (
            knowledge([dfile(A)], code_interpreter={"support/triage": (A,)}),
            ["/v1/files"],
            "assistant support/triage needs /v1/files (for its code_interpreter files), which "
            "http://h/v1 does not have",
        ),
    ],
)
def test_a_missing_endpoint_refuses_in_one_line(
    desired: DesiredKnowledge, missing: list[str], message: str
) -> None:
    live = klive(missing_endpoints=missing)
    with pytest.raises(PlanError) as raised:
        kplan(desired, kstate(), live, server="http://h/v1")
    assert raised.value.message == message
    assert "\n" not in str(raised.value)


def test_a_missing_endpoint_is_no_refusal_when_the_repository_declares_no_knowledge() -> None:
    live = klive(missing_endpoints=["/v1/vector_stores"])
    result = kplan(knowledge([]), SYNCED, live, server="http://h/v1")
    assert result.vector_store_changes == [] and result.file_changes == []
    assert "http://h/v1 does not have /v1/vector_stores" in result.warnings[0]


def test_an_incomplete_listing_refuses_creates_and_deletes() -> None:
    live = klive(complete=False)
    with pytest.raises(PlanError, match="may be incomplete") as raised:
        kplan(knowledge([dfile(A)], [KB]), kstate(), live)
    assert "create file 1 (kb/a.md); create vector store 1 (kb)" in str(raised.value)


def test_an_incomplete_listing_still_plans_what_creates_and_deletes_nothing() -> None:
    live = synced_live(name="Edited")
    live.complete = False
    result = kplan(knowledge([dfile(A)], [KB]), SYNCED, live)
    assert [c.action for c in result.vector_store_changes] == [U]
