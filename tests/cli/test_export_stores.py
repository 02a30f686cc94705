"""`assistform export` of vector stores: a spec for each live store, its files by id, the
assistants that search it naming it by key; `validate` passes on what it wrote, the plan
after `--adopt` adopts each store with no change, and apply converges. Files named by id
(`file_ids`) are attached and detached by apply, never deleted.

Stores, files and assistants are made with the real SDK on the in-process sandbox kept in
the repository's `.assistform/sandbox.json`, where the CLI's `--sandbox` finds them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.cli.test_import_export import Repo

from assistform.adopt import export_assistants
from assistform.api.client import OpenAIAssistants
from assistform.api.connect import SANDBOX_DATA
from assistform.ownership import TAG_KEY
from assistform.plan.model import Action

NOTE = (
    "# file_ids: the store's files, by id, as they are on the server: the API does not give\n"
    "# back their content, so assistform attaches them but never uploads or deletes them.\n"
    "# To manage the documents in this repository, put them here and list them in files.\n"
)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Repo]:
    (tmp_path / "assistants").mkdir()
    (tmp_path / SANDBOX_DATA).parent.mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ASSISTFORM_ENV", raising=False)
    made = Repo(tmp_path, [])
    yield made
    for client in made.clients:
        client.close()


def made(repo: Repo) -> dict[str, Any]:
    """A store with two files and everything a spec keeps, one bare store, and an assistant
    searching the first; their ids."""
    client = repo.client()
    faq = client.files.create(file=("faq.md", b"# FAQ\n"), purpose="assistants").id
    policy = client.files.create(file=("policy.pdf", b"%PDF-1.4\n"), purpose="assistants").id
    kb = client.vector_stores.create(
        name="Support KB",
        metadata={"team": "support"},
        expires_after={"anchor": "last_active_at", "days": 30},
        file_ids=[faq, policy],
    ).id
    spare = client.vector_stores.create(name="Spare").id
    triage = repo.create(
        model="gpt-4o",
        name="Triage",
        tools=[{"type": "file_search"}],
        tool_resources={"file_search": {"vector_store_ids": [kb]}},
    )
    return {"faq": faq, "policy": policy, "kb": kb, "spare": spare, "triage": triage}


def text(repo: Repo, path: str) -> str:
    return (repo.root / path).read_text()


def test_export_writes_each_vector_store_with_its_files_by_id_and_validate_passes(
    repo: Repo,
) -> None:
    ids = made(repo)
    result = repo.run("export", "--sandbox")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[:3] == [
        "Exported 2 vector stores:",
        f"  spare       {ids['spare']} (0 files by id)  -> vector_stores/spare.yaml",
        f"  support-kb  {ids['kb']} (2 files by id)  -> vector_stores/support-kb.yaml",
    ]
    assert lines[-1].startswith("The vector stores are not taken over yet either")
    written = text(repo, "vector_stores/support-kb.yaml")
    head, listed = written.split("file_ids: [")
    assert head == (
        "# yaml-language-server: $schema=../schema/vector_store.schema.json\n"
        "name: Support KB\n"
        "metadata:\n  team: support\n"
        "expires_after:\n  anchor: last_active_at\n  days: 30\n" + NOTE
    )
    assert sorted(listed.removesuffix("]\n").split(", ")) == sorted([ids["faq"], ids["policy"]])
    assert text(repo, "vector_stores/spare.yaml") == (
        "# yaml-language-server: $schema=../schema/vector_store.schema.json\nname: Spare\n"
    )
    # The assistant names the exported store by key, not by id.
    assert text(repo, "assistants/triage.yaml").endswith(
        "tool_resources:\n  file_search:\n    vector_store: support-kb\n"
    )
    checked = repo.run("validate")
    assert checked.exit_code == 0, checked.output
    assert checked.stdout.endswith("3 specs: 0 errors, 1 warning.\n")  # spare: used by none
    # Nothing taken over: no store carries a tag.
    for store in repo.client().vector_stores.list():
        assert TAG_KEY not in (store.metadata or {})


def test_export_adopt_tags_each_store_and_records_the_assistant_with_its_id(
    repo: Repo,
) -> None:
    ids = made(repo)
    result = repo.run("export", "--sandbox", "--adopt")
    assert result.exit_code == 0, result.output
    assert "Tagged 2 vector stores (2 newly): the next apply records them in the state." in (
        result.stdout
    )
    lineage = repo.state()["lineage"]
    tags = {s.id: (s.metadata or {}).get(TAG_KEY) for s in repo.client().vector_stores.list()}
    assert tags == {ids["kb"]: f"support-kb@{lineage}@", ids["spare"]: f"spare@{lineage}@"}
    live = repo.client().vector_stores.retrieve(ids["kb"])
    assert live.metadata == {"team": "support", TAG_KEY: f"support-kb@{lineage}@"}
    applied = repo.state()["resources"]["triage"]["applied"]
    assert applied["tool_resources"]["file_search"] == {"vector_store_ids": [ids["kb"]]}
    assert repo.run("validate").exit_code == 0


def test_export_unmanaged_leaves_tagged_stores_out_and_their_ids_literal(repo: Repo) -> None:
    ids = made(repo)
    client = repo.client()
    client.vector_stores.update(ids["kb"], metadata={"team": "support", TAG_KEY: "kb@x@prod"})
    result = repo.run("export", "--sandbox", "--unmanaged")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (repo.root / "vector_stores").iterdir()) == ["spare.yaml"]
    assert text(repo, "assistants/triage.yaml").endswith(
        f"tool_resources:\n  file_search:\n    vector_store_ids: [{ids['kb']}]\n"
    )
    assert repo.run("validate").exit_code == 0


def test_export_adopt_refuses_a_store_of_another_environment(repo: Repo) -> None:
    ids = made(repo)
    client = repo.client()
    client.vector_stores.update(ids["kb"], metadata={TAG_KEY: "kb@x@prod"})
    result = repo.run("export", "--sandbox", "--adopt")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        f"error: vector store {ids['kb']} carries the ownership tag of environment prod, "
        "which manages it: export --unmanaged leaves it out"
    )
    assert not (repo.root / "vector_stores").exists()
    assert repo.files() == []


def test_export_to_another_folder_puts_stores_there_and_keeps_ids(repo: Repo) -> None:
    ids = made(repo)
    result = repo.run("export", "--sandbox", "--dir", "review")
    assert result.exit_code == 0, result.output
    review = repo.root / "review"
    assert sorted(p.relative_to(review).as_posix() for p in review.rglob("*.yaml")) == [
        "triage.yaml",
        "vector_stores/spare.yaml",
        "vector_stores/support-kb.yaml",
    ]
    assert not (repo.root / "vector_stores").exists()
    # Not where plan reads stores: the assistant keeps the id.
    assert f"vector_store_ids: [{ids['kb']}]" in (review / "triage.yaml").read_text()


def test_export_refuses_to_overwrite_a_store_spec_unless_forced(repo: Repo) -> None:
    made(repo)
    (repo.root / "vector_stores").mkdir()
    (repo.root / "vector_stores" / "spare.yaml").write_text("name: Mine\n")
    refused = repo.run("export", "--sandbox")
    assert refused.exit_code == 1
    assert refused.stderr.splitlines()[-1] == (
        "error: vector_stores/spare.yaml already exists: pass --force to overwrite"
    )
    assert text(repo, "vector_stores/spare.yaml") == "name: Mine\n"
    assert repo.files() == []
    assert repo.run("export", "--sandbox", "--force").exit_code == 0
    assert text(repo, "vector_stores/spare.yaml").endswith("name: Spare\n")


def test_a_server_without_vector_stores_exports_the_assistants(repo: Repo) -> None:
    repo.create(model="gpt-4o", name="Tutor")
    api = OpenAIAssistants(repo.client(profile="files-only"))
    report = export_assistants(
        repo.workspace(),
        api,
        unmanaged=False,
        directory=None,
        adopt=False,
        force=False,
        knowledge=api.knowledge(),
    )
    assert report.stores == []
    assert report.warnings == [
        "note: the server has no vector stores (/v1/vector_stores): none exported"
    ]
    assert repo.files() == ["tutor.yaml"]


def test_keys_come_from_names_and_never_clash(repo: Repo) -> None:
    client = repo.client()
    for _ in range(2):
        client.vector_stores.create(name="Docs")
    client.vector_stores.create()
    assert repo.run("export", "--sandbox").exit_code == 0
    names = sorted(p.name for p in (repo.root / "vector_stores").iterdir())
    assert names[:2] == ["docs-2.yaml", "docs.yaml"]
    assert len(names) == 3 and names[2].startswith("vs_")
    assert repo.run("validate").exit_code == 0


def test_nothing_written_is_left_when_a_store_spec_cannot_be_written(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    made(repo)
    from assistform import export_stores

    def broken(*_: Any, **__: Any) -> list[str]:
        raise export_stores.PlanError("boom")

    monkeypatch.setattr(export_stores, "verify_stores", broken)
    result = repo.run("export", "--sandbox")
    assert result.exit_code == 1
    assert not list((repo.root / "vector_stores").glob("*.yaml"))
    assert repo.files() == []


def test_written_state_stays_untouched_without_adopt(repo: Repo) -> None:
    made(repo)
    assert repo.run("export", "--sandbox").exit_code == 0
    assert not Path(repo.workspace().state_file.path).exists()


def test_after_export_adopt_the_plan_adopts_the_stores_and_changes_no_assistant(
    repo: Repo,
) -> None:
    ids = made(repo)
    assert repo.run("export", "--sandbox", "--adopt").exit_code == 0
    plan = repo.plan()
    stores = {c.key: c for c in plan.vector_store_changes}
    assert sorted(stores) == ["spare", "support-kb"]
    for key, store_id in (("support-kb", ids["kb"]), ("spare", ids["spare"])):
        change = stores[key]
        assert (change.action, change.id, change.adopt) == (Action.NOOP, store_id, True)
        assert (change.attach, change.detach, change.retag) == ([], [], [])
    # Its two files, named by id in the spec, are neither attached again nor foreign.
    assert stores["support-kb"].unchanged == 2
    assert not any("outside assistform" in n for n in stores["support-kb"].notes)
    assert plan.file_changes == []
    assert [(c.key, c.action) for c in plan.resource_changes] == [("triage", Action.NOOP)]


def test_after_export_without_adopt_the_plan_would_make_second_stores(repo: Repo) -> None:
    """What the printed warning says: not taken over, each store spec is a new store."""
    made(repo)
    assert repo.run("export", "--sandbox").exit_code == 0
    plan = repo.plan()
    assert sorted((c.key, c.action) for c in plan.vector_store_changes) == [
        ("spare", Action.CREATE),
        ("support-kb", Action.CREATE),
    ]


def test_export_adopt_then_apply_records_the_stores_and_the_next_plan_is_clean(
    repo: Repo,
) -> None:
    ids = made(repo)
    assert repo.run("export", "--sandbox", "--adopt").exit_code == 0
    applied = repo.run("apply", "--sandbox", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    stores = repo.state()["vector_stores"]
    assert {k: v["id"] for k, v in stores.items()} == {
        "support-kb": ids["kb"],
        "spare": ids["spare"],
    }
    assert repo.run("plan", "--sandbox", "--detailed-exitcode").exit_code == 0
    held = {f.id for f in repo.client().vector_stores.files.list(ids["kb"])}
    assert held == {ids["faq"], ids["policy"]}


def test_file_ids_are_attached_then_detached_by_apply_and_never_deleted(repo: Repo) -> None:
    client = repo.client()
    first, second = (
        client.files.create(file=(name, b"# doc\n"), purpose="assistants").id
        for name in ("a.md", "b.md")
    )
    (repo.root / "vector_stores").mkdir()
    spec = repo.root / "vector_stores" / "kb.yaml"
    spec.write_text(f"name: KB\nfile_ids: [{first}, {second}]\n")
    (repo.specs / "bot.yaml").write_text(
        "model: gpt-4o\ntools: [{type: file_search}]\n"
        "tool_resources: {file_search: {vector_store: kb}}\n"
    )
    assert repo.run("apply", "--sandbox", "--auto-approve").exit_code == 0
    store_id = repo.state()["vector_stores"]["kb"]["id"]

    def held() -> set[str]:
        return {f.id for f in repo.client().vector_stores.files.list(store_id)}

    assert held() == {first, second}
    assert repo.run("plan", "--sandbox", "--detailed-exitcode").exit_code == 0

    spec.write_text(f"name: KB\nfile_ids: [{first}]\n")
    planned = repo.run("plan", "--sandbox")
    assert f"- detach {second}" in planned.stdout
    assert repo.run("apply", "--sandbox", "--auto-approve").exit_code == 0
    assert held() == {first}
    assert repo.run("plan", "--sandbox", "--detailed-exitcode").exit_code == 0
    # Detached, never deleted: the file is the user's.
    assert {f.id for f in repo.client().files.list(purpose="assistants")} == {first, second}
