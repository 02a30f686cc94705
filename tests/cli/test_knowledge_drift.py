"""Drift of files and vector stores, made by hand through the real SDK against the sandbox
over HTTP: the plan shows it and apply restores exactly the declared files.

A file detached by hand is attached again, a vector store deleted by hand is made again with
its files (and the assistant pointed at it), a file deleted by hand is uploaded again, and a
file whose processing failed is shown with the server's `last_error`. Someone else's store
and file on the same server are counted and never touched.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from assistform.plan.model import Action, Reason
from assistform.sandbox import Faults
from assistform.workspace import Workspace

from .applyrepo import Repo
from .test_apply_knowledge import Knowledge, apply
from .test_env_ownership import two_environments


def applied(make_repo: Callable[..., Repo], count: int = 3) -> Knowledge:
    kb = Knowledge(make_repo(), count)
    apply(kb.repo)
    kb.assert_converged()
    return kb


def test_a_file_detached_by_hand_is_attached_again(make_repo: Callable[..., Repo]) -> None:
    kb = applied(make_repo)
    state = kb.repo.state()
    store_id, file_id = state.vector_stores["kb"].id, state.files["docs/doc01.md"].id
    kb.sdk().detach(store_id, file_id)
    plan = kb.repo.plan()
    [change] = plan.vector_store_changes
    [attach] = change.attach
    assert (attach.path, attach.file_id, attach.drift) == ("docs/doc01.md", file_id, True)
    assert plan.file_changes == [], "the file itself is not uploaded again"
    text = kb.repo.run("plan", "--no-color").stdout
    assert "docs/doc01.md" in text and "drift" in text
    apply(kb.repo)
    kb.assert_converged()


def test_a_store_deleted_by_hand_is_made_again_with_its_files(
    make_repo: Callable[..., Repo],
) -> None:
    kb = applied(make_repo)
    old = kb.repo.state().vector_stores["kb"].id
    kb.sdk().delete_vector_store(old)
    plan = kb.repo.plan()
    [change] = plan.vector_store_changes
    assert change.action is Action.CREATE and Reason.DELETED_OUTSIDE in change.reasons
    assert sorted(a.path for a in change.attach) == kb.docs
    assert plan.file_changes == [], "its files are still uploaded: attached, not sent again"
    [bot] = [c for c in plan.resource_changes if c.key == "bot"]
    assert bot.action is Action.UPDATE, "the assistant is pointed at the new store"
    apply(kb.repo)
    kb.assert_converged()
    assert kb.repo.state().vector_stores["kb"].id != old


def test_a_file_deleted_by_hand_is_uploaded_and_attached_again(
    make_repo: Callable[..., Repo],
) -> None:
    kb = applied(make_repo)
    gone = kb.repo.state().files["docs/doc02.md"].id
    kb.sdk().delete_file(gone)
    plan = kb.repo.plan()
    [upload] = plan.file_changes
    assert (upload.path, upload.action) == ("docs/doc02.md", Action.CREATE)
    assert Reason.DELETED_OUTSIDE in upload.reasons
    apply(kb.repo)
    kb.assert_converged()
    assert gone not in {f.id for f in kb.live_files()}


def test_a_file_whose_processing_failed_is_shown_with_the_servers_error(
    make_repo: Callable[..., Repo],
) -> None:
    repo = make_repo()
    repo.server.faults = Faults(fail_files="doc01.md")
    kb = Knowledge(repo, 2)
    first = kb.repo.run("apply", "--auto-approve", "--retry-base-delay", "0.01")
    assert first.exit_code == 1
    repo.server.faults = Faults()
    plan = kb.repo.plan()
    [change] = plan.vector_store_changes
    [failed] = change.failed
    assert failed.path == "docs/doc01.md" and failed.last_error is not None
    assert failed.last_error.startswith("invalid_file")
    text = kb.repo.run("plan", "--no-color").stdout
    assert f"docs/doc01.md (2.0 kB, {failed.file_id}): {failed.last_error}" in text
    assert "1 file on the server not managed here" in text and "is not touched." in text


def test_someone_elses_store_and_file_are_counted_and_never_touched(
    make_repo: Callable[..., Repo],
) -> None:
    kb = applied(make_repo)
    theirs = kb.sdk().create_vector_store({"name": "theirs", "metadata": {"team": "other"}})
    plan = kb.repo.plan()
    assert plan.knowledge is not None
    assert (plan.knowledge.unmanaged_vector_stores, plan.knowledge.unmanaged_files) == (1, 1)
    assert not plan.has_changes
    apply(kb.repo)
    assert theirs.id in {s.id for s in kb.sdk().list_knowledge(lambda s: False).vector_stores}
    assert kb.foreign.id in {f.id for f in kb.live_files()}


def test_two_environments_on_one_server_each_keep_their_own_store_and_files(
    make_repo: Callable[..., Repo],
) -> None:
    kb = Knowledge(make_repo(), 2)
    two_environments(kb.repo)
    apply(kb.repo, "--env", "staging")
    staging = Workspace.discover(kb.repo.root, env="staging")
    before = staging.state_file.load()
    prod_plan = Workspace.discover(kb.repo.root, env="prod").plan(kb.repo.api)
    [store] = prod_plan.vector_store_changes
    assert store.action is Action.CREATE, "prod makes its own store, never staging's"
    assert {c.action for c in prod_plan.file_changes} == {Action.CREATE}
    assert prod_plan.knowledge is not None and prod_plan.knowledge.unmanaged_vector_stores == 1
    apply(kb.repo, "--env", "prod")
    prod = Workspace.discover(kb.repo.root, env="prod").state_file.load()
    assert prod.vector_stores["kb"].id != before.vector_stores["kb"].id
    assert not set(r.id for r in prod.files.values()) & set(r.id for r in before.files.values())
    for env in ("staging", "prod"):
        again = Workspace.discover(kb.repo.root, env=env).plan(kb.repo.api)
        assert not again.has_changes and not again.writes_state, (env, again.summary_line())
    assert Workspace.discover(kb.repo.root, env="staging").state_file.load() == before


def test_an_expired_store_is_made_again_and_the_assistant_moved_to_it(
    make_repo: Callable[..., Repo],
) -> None:
    kb = Knowledge(make_repo(), 2)
    kb.write(
        "vector_stores/kb.yaml",
        json.dumps(
            {
                "name": "Knowledge base",
                "expires_after": {"anchor": "last_active_at", "days": 1},
                "files": ["../docs/*.md"],
            }
        ),
    )
    apply(kb.repo)
    kb.assert_converged()
    old = kb.repo.state().vector_stores["kb"].id
    service = kb.repo.server.service
    service.clock = lambda: time.time() + 3 * 86_400  # three idle days later
    plan = kb.repo.plan()
    [change] = plan.vector_store_changes
    assert change.action is Action.REPLACE and "expired" in " ".join(change.notes)
    apply(kb.repo)
    assert kb.repo.state().vector_stores["kb"].id != old
    assert old not in {s.id for s in kb.sdk().list_knowledge(lambda s: False).vector_stores}
    kb.assert_converged()
