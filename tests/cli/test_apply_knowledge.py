"""`assistform apply` of files and vector stores, through the real CLI, SDK and sandbox
server over HTTP: lost answers, 429s and 500s, and SIGKILLs with uploads in flight or
after a store's create, each ending (after another apply) in a clean plan with exactly the
declared files live, no duplicate, no orphan, and no file assistform did not make deleted.
"""

from __future__ import annotations

import json
import signal
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from assistform.knowledge.live import LiveFile
from assistform.ownership import tag_of
from assistform.sandbox import Faults, RequestInfo
from assistform.sandbox.faults import nth

from .applyrepo import FAST, Repo

FILES = "/v1/files"
STORES = "/v1/vector_stores"
BATCHES = "/v1/vector_stores/{vector_store_id}/file_batches"


class Knowledge:
    """A repository with a vector store `kb` of `docs/*.md`, an assistant searching it, and
    a file of someone else's on the server (never to be deleted)."""

    def __init__(self, repo: Repo, count: int) -> None:
        self.repo = repo
        self.docs = [f"docs/doc{i:02d}.md" for i in range(count)]
        for i, path in enumerate(self.docs):
            self.write(path, f"# Document {i}\n" + "text " * (200 * (i + 1)))
        self.write(
            "vector_stores/kb.yaml",
            json.dumps({"name": "Knowledge base", "files": ["../docs/*.md"]}),
        )
        repo.write(
            "bot",
            tools=[{"type": "file_search"}],
            tool_resources={"file_search": {"vector_store": "kb"}},
        )
        foreign = repo.root.parent / "theirs.md"
        foreign.write_text("someone else's upload")
        self.foreign = self.sdk().upload(foreign, "doc00.md")  # a name like ours, too

    def write(self, path: str, text: str) -> None:
        target = self.repo.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")

    def sdk(self):  # type: ignore[no-untyped-def]
        return self.repo.api.knowledge()

    def unfaulted(self, read: Callable[[], object]) -> object:
        faults, self.repo.server.faults = self.repo.server.faults, Faults()
        try:
            return read()
        finally:
            self.repo.server.faults = faults

    def live_files(self) -> list[LiveFile]:
        files = self.unfaulted(lambda: self.sdk().list_files())
        assert isinstance(files, list)
        return files

    def assert_converged(self) -> None:
        """Exactly the declared files live (and the foreign one), each once, all recorded and
        attached to the one store; the assistant names it; the next plan is clean."""
        state = self.repo.state()
        live = {f.id: f for f in self.live_files()}
        assert self.foreign.id in live, "a file assistform did not make is never deleted"
        ours = {i: f for i, f in live.items() if i != self.foreign.id}
        assert sorted(f.filename for f in ours.values()) == sorted(
            p.rsplit("/", 1)[-1] for p in self.docs
        ), "exactly the declared files live: no duplicate, no orphan"
        assert {r.id for r in state.files.values()} == set(ours)
        assert sorted(state.files) == sorted(self.docs)
        assert state.uploads == {} and state.retired_files == {}
        stores = self.unfaulted(lambda: self.sdk().list_knowledge(lambda s: False).vector_stores)
        assert isinstance(stores, list)
        tagged = [s for s in stores if s.tag is not None and s.tag.key == "kb"]
        assert len(tagged) == 1, "one vector store"
        [store] = tagged
        assert state.vector_stores["kb"].id == store.id
        recorded = state.vector_stores["kb"].files
        assert {p: a.file_id for p, a in recorded.items()} == {
            p: r.id for p, r in state.files.items()
        }, "the state names each attached file"
        attached = self.unfaulted(lambda: self.sdk().list_vector_store_files(store.id))
        assert isinstance(attached, list)
        assert sorted(f.id for f in attached) == sorted(ours), "each file attached once"
        [bot] = [a for a in self.repo.live() if tag_of(a.raw.get("metadata"))]
        assert bot.raw["tool_resources"]["file_search"]["vector_store_ids"] == [store.id]
        plan = self.repo.plan()
        assert not plan.has_changes and not plan.writes_state, plan.summary_line()
        assert plan.file_changes == [], [(c.path, c.action.value) for c in plan.file_changes]
        for change in plan.vector_store_changes:
            assert not change.writes and not change.failed, change
            assert change.unchanged == len(self.docs)


def apply(repo: Repo, *args: str) -> str:
    result = repo.run("apply", "--auto-approve", *FAST, *args)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_apply_uploads_makes_the_store_and_the_assistant_then_plans_clean(
    make_repo: Callable[..., Repo],
) -> None:
    kb = Knowledge(make_repo(), 3)
    out = apply(kb.repo)
    assert "uploaded file docs/doc00.md" in out
    assert "Files: 3 uploaded, 0 deleted; vector stores: 1 created" in out
    kb.assert_converged()
    again = kb.repo.run("apply", "--auto-approve", *FAST)
    assert again.exit_code == 0 and "uploaded file" not in again.stdout


LOST = "its answer was lost; found it"


@pytest.mark.parametrize(
    ("faults", "note"),
    [
        pytest.param(lambda: Faults(lose_answer=nth("POST", FILES, 1, 3)), LOST, id="lost-upload"),
        pytest.param(lambda: Faults(lose_answer=nth("POST", BATCHES, 1)), "", id="lost-batch"),
        pytest.param(lambda: Faults(lose_answer=nth("POST", STORES, 1)), LOST, id="lost-store"),
        pytest.param(
            lambda: Faults(throttle_every=5, retry_after_ms=1, fail_every=7),
            "",
            id="429s-and-500s",
        ),
    ],
)
def test_faults_end_in_exactly_the_declared_files(
    make_repo: Callable[..., Repo], faults: Callable[[], Faults], note: str
) -> None:
    kb = Knowledge(make_repo(), 4)
    kb.repo.server.faults = faults()
    result = kb.repo.run("apply", "--auto-approve", *FAST)
    kb.repo.server.faults = Faults()
    assert result.exit_code == 0, result.output
    assert note in result.stdout
    kb.assert_converged()


def is_upload(request: RequestInfo) -> bool:
    return (request.method, request.route) == ("POST", FILES)


def is_store_create(request: RequestInfo) -> bool:
    return (request.method, request.route) == ("POST", STORES)


def wait_for(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 30
    while not condition():
        assert time.monotonic() < deadline, "the condition never held"
        time.sleep(0.05)


def kill(kb: Knowledge, faults: Faults, landed: Callable[[], bool]) -> None:
    """Run apply as a process under `faults`, SIGKILL it once `landed`, lift the faults."""
    kb.repo.server.faults = faults
    process = kb.repo.spawn("apply", "--auto-approve", *FAST)
    try:
        wait_for(landed)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    kb.repo.server.faults = Faults()
    assert kb.repo.run("force-unlock").exit_code == 0


def test_a_kill_with_uploads_in_flight_converges(make_repo: Callable[..., Repo]) -> None:
    """Uploads are carried out and their answers held back: the kill lands with files on
    the server that the state knows only as intents."""
    kb = Knowledge(make_repo(), 6)
    listed = lambda: len(kb.sdk().list_files())  # noqa: E731 (faults: only uploads slowed)
    kill(kb, Faults(slow_reply=is_upload, slow_seconds=20), lambda: listed() >= 1 + 3)
    state = kb.repo.state()
    assert state.uploads, "the kill left upload intents"
    assert not state.files, "and no upload recorded"
    apply(kb.repo)
    kb.assert_converged()


def test_a_kill_after_the_store_create_before_its_record_converges(
    make_repo: Callable[..., Repo],
) -> None:
    kb = Knowledge(make_repo(), 2)

    def store_listed() -> bool:
        return bool(kb.sdk().list_knowledge(lambda s: False).vector_stores)

    kill(kb, Faults(slow_reply=is_store_create, slow_seconds=20), store_listed)
    state = kb.repo.state()
    assert "kb" not in state.vector_stores and len(state.files) == 2
    apply(kb.repo)
    kb.assert_converged()


@pytest.mark.parametrize("progress_lines", [2, 5, 8])
def test_an_apply_killed_at_any_moment_converges(
    make_repo: Callable[..., Repo], progress_lines: int
) -> None:
    kb = Knowledge(make_repo(), 6)
    kb.repo.server.faults = Faults(latency=0.05)
    process = kb.repo.spawn("apply", "--auto-approve", "--upload-parallelism", "2", *FAST)
    assert process.stdout is not None
    seen = 0
    while seen < progress_lines:
        line = process.stdout.readline()
        assert line, "apply ended before the kill"
        seen += line.startswith("[") or " vector store " in line
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    kb.repo.server.faults = Faults()
    assert kb.repo.run("force-unlock").exit_code == 0
    apply(kb.repo)
    kb.assert_converged()


def test_a_changed_file_is_swapped_and_the_old_one_deleted(
    make_repo: Callable[..., Repo],
) -> None:
    kb = Knowledge(make_repo(), 2)
    apply(kb.repo)
    old = kb.repo.state().files["docs/doc01.md"].id
    kb.write("docs/doc01.md", "new content")
    out = apply(kb.repo)
    assert "uploaded file docs/doc01.md" in out
    assert old not in {f.id for f in kb.live_files()}
    kb.assert_converged()


def test_a_failed_file_is_one_line_exit_1_and_the_rest_applied(
    make_repo: Callable[..., Repo],
) -> None:
    kb = Knowledge(make_repo(), 2)
    kb.repo.server.faults = Faults(fail_files="doc01.md")
    result = kb.repo.run("apply", "--auto-approve", *FAST)
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "docs/doc01.md" in errors[0] and "invalid_file" in errors[0]
    state = kb.repo.state()
    assert len(state.files) == 2 and "bot" in state.resources


def test_processing_timeout_bounds_the_wait(make_repo: Callable[..., Repo]) -> None:
    kb = Knowledge(make_repo(), 1)
    kb.repo.server.faults = Faults(processing_seconds=3600)
    started = time.monotonic()
    result = kb.repo.run("apply", "--auto-approve", "--processing-timeout", "0.5", *FAST)
    assert time.monotonic() - started < 20
    assert result.exit_code == 1
    assert "still in_progress after 0.5 s (--processing-timeout)" in result.stderr


def test_a_saved_plan_with_knowledge_is_carried_out_as_saved(
    make_repo: Callable[..., Repo], tmp_path: Path
) -> None:
    kb = Knowledge(make_repo(), 2)
    plan_file = tmp_path / "plan.json"
    planned = kb.repo.run("plan", "--out", str(plan_file))
    assert planned.exit_code == 0, planned.output
    assert kb.live_files() == [kb.foreign], "plan uploads nothing"
    out = apply(kb.repo, str(plan_file))
    assert "Files: 2 uploaded" in out
    kb.assert_converged()


def test_a_lost_state_adopts_the_store_and_its_files_without_uploading_again(
    make_repo: Callable[..., Repo],
) -> None:
    kb = Knowledge(make_repo(), 3)
    apply(kb.repo)
    before = {f.id for f in kb.live_files()}
    state_file = kb.repo.workspace.state_file
    state_file.path.unlink()
    state_file.backup_path.unlink(missing_ok=True)
    out = apply(kb.repo)
    assert "uploaded file" not in out
    assert "3 files adopted" in out
    assert {f.id for f in kb.live_files()} == before
    kb.assert_converged()


def test_a_kill_among_the_deletes_after_the_assistants_converges(
    make_repo: Callable[..., Repo],
) -> None:
    """A content swap and a removed file: killed once the first old file is deleted and
    before the apply records it; the next apply deletes the rest, nothing twice."""
    kb = Knowledge(make_repo(), 3)
    apply(kb.repo)
    kb.write("docs/doc01.md", "swapped content")
    (kb.repo.root / "docs/doc02.md").unlink()
    kb.docs.remove("docs/doc02.md")
    before = {f.id for f in kb.live_files()}

    def is_file_delete(request: RequestInfo) -> bool:
        return (request.method, request.route) == ("DELETE", "/v1/files/{file_id}")

    def one_deleted() -> bool:
        """The swap's upload is there and one of the two old files is gone."""
        live = {f.id for f in kb.sdk().list_files()}
        return len(live - before) == 1 and len(before - live) == 1

    kill(kb, Faults(slow_reply=is_file_delete, slow_seconds=20), one_deleted)
    assert len(kb.repo.state().files) == 3, "the delete that landed is not recorded"
    apply(kb.repo)
    kb.assert_converged()


def test_a_changed_file_whose_upload_fails_keeps_its_old_version_in_the_store(
    make_repo: Callable[..., Repo], tmp_path: Path
) -> None:
    """The upload of new content does not happen (the file changed again after the plan):
    the store must keep the old version rather than lose the document."""
    kb = Knowledge(make_repo(), 2)
    apply(kb.repo)
    state = kb.repo.state()
    store_id, old = state.vector_stores["kb"].id, state.files["docs/doc01.md"].id
    kb.write("docs/doc01.md", "second version")
    plan_file = tmp_path / "plan.json"
    assert kb.repo.run("plan", "--out", str(plan_file)).exit_code == 0
    kb.write("docs/doc01.md", "third version, written after the plan")
    failed = kb.repo.run("apply", str(plan_file), *FAST)
    assert failed.exit_code == 1
    attached = {f.id for f in kb.sdk().list_vector_store_files(store_id)}
    assert old in attached, "the store keeps the version it had"
    assert kb.repo.state().vector_stores["kb"].files["docs/doc01.md"].file_id == old
    assert old in {f.id for f in kb.live_files()}
    apply(kb.repo)
    kb.assert_converged()
