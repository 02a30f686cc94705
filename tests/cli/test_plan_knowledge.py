"""`Workspace.plan` with files and vector stores, through the real SDK against the sandbox
over HTTP: what it reads, what it hashes, and the ids it gives the assistants."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

import pytest

from assistform.errors import PlanError
from assistform.knowledge.refs import ref
from assistform.knowledge.tags import file_attributes
from assistform.ownership import OwnershipTag, with_tag
from assistform.plan.model import Action
from assistform.plan.vector_stores import desired_config
from assistform.spec.knowledge import knowledge_from
from assistform.state import AttachedFile, FileRecord, ResourceState, State, VectorStoreRecord

from .applyrepo import FAST, Repo

LINEAGE = "33333333-3333-4333-8333-333333333333"
KB = "name: Support KB\nfiles: [../docs/*.md]\n"
BOT = {
    "tools": [{"type": "file_search"}, {"type": "code_interpreter"}],
    "tool_resources": {
        "file_search": {"vector_store": "kb"},
        "code_interpreter": {"files": ["../data/a.csv"]},
    },
}
FILES = {"data/a.csv": "x,y\n1,2\n", "docs/a.md": "# A\n", "docs/b.md": "# B, longer\n"}


def knowledge_repo(repo: Repo) -> None:
    for path, content in FILES.items():
        (repo.root / path).parent.mkdir(parents=True, exist_ok=True)
        (repo.root / path).write_text(content, encoding="utf-8")
    (repo.root / "vector_stores").mkdir()
    (repo.root / "vector_stores" / "kb.yaml").write_text(KB, encoding="utf-8")
    repo.write("bot", **BOT)


def routes(repo: Repo) -> set[str]:
    return {entry.route for entry in repo.server.service.stats.requests}


def applied_by_hand(repo: Repo) -> dict[str, str]:
    """What an apply of the knowledge leaves, made here with the knowledge client: every file
    uploaded, the store created with its files attached, the state recording them."""
    knowledge = repo.api.knowledge()
    ids = {p: knowledge.upload(repo.root / p, p.rsplit("/", 1)[-1]).id for p in FILES}
    tag = OwnershipTag("kb", LINEAGE, None)
    store = knowledge.create_vector_store({"name": "Support KB", "metadata": with_tag({}, tag)})
    hashed = {p: hashlib.sha256(c.encode()).hexdigest() for p, c in FILES.items()}
    docs = [p for p in FILES if p.startswith("docs/")]
    knowledge.attach_batch(
        store.id,
        [{"file_id": ids[p], "attributes": file_attributes({}, tag, hashed[p])} for p in docs],
    )
    spec = knowledge_from(repo.workspace.load()).vector_stores["kb"]
    records = {}
    for path in FILES:
        stat = (repo.root / path).stat()
        records[path] = FileRecord(
            id=ids[path],
            sha256=hashed[path],
            size=stat.st_size,
            mtime_ns=stat.st_mtime_ns,
            filename=path.rsplit("/", 1)[-1],
        )
    state = State(
        lineage=LINEAGE,
        files=records,
        vector_stores={
            "kb": VectorStoreRecord(
                id=store.id,
                applied=desired_config(spec),
                files={p: AttachedFile(file_id=ids[p]) for p in docs},
            )
        },
    )
    repo.workspace.state_file.save(state)
    return {**ids, "kb": store.id}


def test_a_repository_without_knowledge_makes_no_knowledge_request(
    make_repo: Callable[..., Repo],
) -> None:
    repo = make_repo()
    repo.write("bot")
    plan = repo.plan()
    assert routes(repo) == {"/v1/assistants"}
    assert plan.knowledge is None
    assert "file_changes" not in json.loads(plan.model_dump_json())


def test_a_first_plan_uploads_every_file_and_names_them_known_after_apply(
    make_repo: Callable[..., Repo],
) -> None:
    repo = make_repo()
    knowledge_repo(repo)
    plan = repo.plan()
    assert [(f.path, f.action) for f in plan.file_changes] == [
        ("data/a.csv", Action.CREATE),
        ("docs/a.md", Action.CREATE),
        ("docs/b.md", Action.CREATE),
    ]
    [store] = plan.vector_store_changes
    assert (store.key, store.action, [a.path for a in store.attach]) == (
        "kb",
        Action.CREATE,
        ["docs/a.md", "docs/b.md"],
    )
    [bot] = plan.resource_changes
    assert bot.request is not None and bot.request["tool_resources"] == {
        "file_search": {"vector_store_ids": [ref("vector_store", "kb")]},
        "code_interpreter": {"file_ids": [ref("file", "data/a.csv")]},
    }
    assert plan.knowledge is not None
    assert plan.knowledge.bytes_hashed == sum(len(c) for c in FILES.values())
    assert {"/v1/files", "/v1/vector_stores"} <= routes(repo)
    assert plan.summary_line().endswith("3 files to upload (24 B), 0 to remove.")


def test_once_applied_nothing_is_read_or_uploaded_and_assistants_get_the_live_ids(
    make_repo: Callable[..., Repo],
) -> None:
    repo = make_repo()
    knowledge_repo(repo)
    ids = applied_by_hand(repo)
    for path in FILES:
        (repo.root / path).chmod(0)  # reading would fail (for a user other than root)
    try:
        plan = repo.plan()
    finally:
        for path in FILES:
            (repo.root / path).chmod(0o644)
    assert plan.file_changes == []
    [store] = plan.vector_store_changes
    assert (store.action, store.writes, store.unchanged) == (Action.NOOP, False, 2)
    assert plan.knowledge is not None and plan.knowledge.bytes_hashed == 0
    [bot] = plan.resource_changes
    assert bot.request is not None and bot.request["tool_resources"] == {
        "file_search": {"vector_store_ids": [ids["kb"]]},
        "code_interpreter": {"file_ids": [ids["data/a.csv"]]},
    }


def test_a_changed_file_is_hashed_again_and_swapped_into_its_store(
    make_repo: Callable[..., Repo],
) -> None:
    repo = make_repo()
    knowledge_repo(repo)
    ids = applied_by_hand(repo)
    (repo.root / "docs/a.md").write_text("# A, edited\n", encoding="utf-8")
    plan = repo.plan()
    assert [(f.path, f.action, f.id) for f in plan.file_changes] == [
        ("docs/a.md", Action.REPLACE, ids["docs/a.md"])
    ]
    assert plan.knowledge is not None and plan.knowledge.bytes_hashed == len("# A, edited\n")
    [store] = plan.vector_store_changes
    assert [(a.path, a.file_id) for a in store.attach] == [("docs/a.md", None)]
    assert [(a.path, a.file_id) for a in store.detach] == [("docs/a.md", ids["docs/a.md"])]
    assert store.unchanged == 1


def test_a_target_that_leaves_out_an_assistant_of_a_store_made_anew_is_refused(
    make_repo: Callable[..., Repo],
) -> None:
    repo = make_repo()
    knowledge_repo(repo)
    repo.write("other", **BOT)
    applied_by_hand(repo)
    state = repo.state()
    recorded = {k: ResourceState(id=f"asst_{k}", applied={}) for k in ("bot", "other")}
    repo.workspace.state_file.save(state.model_copy(update={"resources": recorded}))
    spec = repo.root / "vector_stores" / "kb.yaml"
    spec.write_text(KB + "description: made again\n", encoding="utf-8")
    with pytest.raises(PlanError, match=r"--target leaves out other, whose vector store"):
        repo.workspace.plan(repo.api, targets=("bot",))
    plan = repo.workspace.plan(repo.api, targets=("bot", "other"))
    [store] = plan.vector_store_changes
    assert store.action is Action.REPLACE


def test_a_server_without_vector_stores_is_refused_in_one_line_before_any_change(
    make_repo: Callable[..., Repo],
) -> None:
    repo = make_repo(profile="files-only")
    knowledge_repo(repo)
    result = repo.run("plan")
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: vector_stores/kb.yaml needs /v1/vector_stores, which {repo.server.base_url} "
        "does not have\n"
    )
    assert repo.server.service.stats.count(method="POST") == 0


def test_a_server_without_vector_stores_plans_a_repository_without_knowledge(
    make_repo: Callable[..., Repo],
) -> None:
    repo = make_repo(profile="files-only")
    repo.write("bot")
    assert repo.run("plan").exit_code == 0


def test_a_server_without_vector_stores_applies_code_interpreter_files(
    make_repo: Callable[..., Repo],
) -> None:
    """code_interpreter files need only /v1/files, which many servers have alone."""
    repo = make_repo(profile="files-only")
    data = repo.root / "data" / "sales.csv"
    data.parent.mkdir()
    data.write_text("month,revenue\n2026-01,10\n", encoding="utf-8")
    repo.write(
        "analyst",
        tools=[{"type": "code_interpreter"}],
        tool_resources={"code_interpreter": {"files": ["../data/*.csv"]}},
    )
    applied = repo.run("apply", "--auto-approve", *FAST)
    assert applied.exit_code == 0, applied.output
    [record] = repo.state().files.values()
    [bot] = repo.live()
    assert bot.raw["tool_resources"]["code_interpreter"]["file_ids"] == [record.id]
    assert not repo.plan().has_changes
