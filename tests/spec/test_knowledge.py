"""Knowledge specs loaded: `DesiredKnowledge` as the planner gets it, assistant requests
without assistform's own fields, environments that point an assistant elsewhere, and which
paths a pre-commit run checks."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from assistform.knowledge.desired import DesiredAttachment, DesiredFile
from assistform.plan.desired import desired_from
from assistform.spec.knowledge import knowledge_from
from assistform.spec.load import load_every_environment, load_specs

if TYPE_CHECKING:
    from tests.spec.conftest import Repo

KB = """\
name: Support knowledge base
description: Articles the support assistants quote
metadata: {team: support}
expires_after: {anchor: last_active_at, days: 30}
chunking_strategy: {type: static, static: {max_chunk_size_tokens: 800, chunk_overlap_tokens: 400}}
files:
  - ../../docs/kb/**/*.md
  - path: ../../docs/policies/*.pdf
    attributes: {category: policy, public: true}
  - path: ../../docs/kb/intro.md
    attributes: {rank: 1}
"""
TRIAGE = """\
model: m
tools: [{type: file_search}, {type: code_interpreter}]
tool_resources:
  file_search:
    vector_store: support/kb
  code_interpreter:
    file_ids: [file-abc]
    files: [../../data/z.csv, ../../data/*.csv]
"""
BILLING = """\
model: m
tools: [{type: file_search}]
tool_resources:
  file_search:
    vector_store: support/kb
"""
CONFIG = "environments:\n  staging: {}\n  prod: {}\n"


def knowledge_repo(repo: Repo) -> None:
    for name in ("docs/kb/intro.md", "docs/kb/faq/billing.md", "docs/policies/refunds.pdf"):
        repo.write(f"/{name}", f"{name}\n")
    repo.write("/data/a.csv", "a\n")
    repo.write("/data/z.csv", "z\n")
    repo.write("/vector_stores/support/kb.yaml", KB)
    repo.write("support/triage.yaml", TRIAGE)
    repo.write("support/billing.yaml", BILLING)


def test_the_knowledge_the_specs_ask_for(repo: Repo) -> None:
    knowledge_repo(repo)
    result = repo.load()
    assert result.diagnostics == []
    assert result.files == 3  # two assistants, one vector store
    knowledge = knowledge_from(result)

    paths = [
        "data/a.csv",
        "data/z.csv",
        "docs/kb/faq/billing.md",
        "docs/kb/intro.md",
        "docs/policies/refunds.pdf",
    ]
    assert list(knowledge.files) == paths
    for path, file in knowledge.files.items():
        status = os.stat(repo.root / path)
        assert file == DesiredFile(
            path, (repo.root / path).resolve(), status.st_size, status.st_mtime_ns
        )
    (store,) = knowledge.vector_stores.values()
    assert store.key == "support/kb"
    assert store.source == "vector_stores/support/kb.yaml"
    assert store.request == {
        "name": "Support knowledge base",
        "description": "Articles the support assistants quote",
        "metadata": {"team": "support"},
        "expires_after": {"anchor": "last_active_at", "days": 30},
    }
    assert store.chunking_strategy == {
        "type": "static",
        "static": {"max_chunk_size_tokens": 800, "chunk_overlap_tokens": 400},
    }
    # Each file once, sorted; a file two entries match gets the attributes of both.
    assert store.files == (
        DesiredAttachment("docs/kb/faq/billing.md", {}),
        DesiredAttachment("docs/kb/intro.md", {"rank": 1}),
        DesiredAttachment("docs/policies/refunds.pdf", {"category": "policy", "public": True}),
    )
    # In spec order, each once.
    assert knowledge.code_interpreter == {"support/triage": ("data/z.csv", "data/a.csv")}
    assert knowledge.vector_store_of == {
        "support/billing": "support/kb",
        "support/triage": "support/kb",
    }


def test_requests_leave_assistforms_own_fields_to_the_plan(repo: Repo) -> None:
    knowledge_repo(repo)
    requests = {d.key: d.request for d in desired_from(repo.load().specs)}
    assert requests["support/triage"]["tool_resources"] == {
        "code_interpreter": {"file_ids": ["file-abc"]}
    }
    assert "tool_resources" not in requests["support/billing"]


def test_an_unused_vector_store_is_still_desired(repo: Repo) -> None:
    repo.write("/vector_stores/spare.yaml", "name: Spare\n")
    repo.write("a.yaml", "model: m\n")
    result = repo.load()
    assert [str(d) for d in result.diagnostics] == [
        "vector_stores/spare.yaml:1:1: warning: vector store 'spare' is used by no assistant "
        "(tool_resources.file_search.vector_store)"
    ]
    assert list(knowledge_from(result).vector_stores) == ["spare"]


def test_files_attached_by_id_are_desired_in_spec_order_each_once(repo: Repo) -> None:
    repo.write("/vector_stores/kb.yaml", "name: KB\nfile_ids: [file-b, file-a, file-b]\n")
    repo.write(
        "a.yaml",
        "model: m\ntools: [{type: file_search}]\n"
        "tool_resources: {file_search: {vector_store: kb}}\n",
    )
    result = repo.load()
    assert result.diagnostics == []
    knowledge = knowledge_from(result)
    store = knowledge.vector_stores["kb"]
    assert (store.file_ids, store.files, store.request) == (
        ("file-b", "file-a"),
        (),
        {"name": "KB"},
    )
    assert knowledge.files == {}  # nothing to upload


def test_a_file_id_must_be_a_string(repo: Repo) -> None:
    repo.write("/vector_stores/kb.yaml", "file_ids: [file-a, '', 7]\n")
    repo.write("a.yaml", "model: m\n")
    assert [str(d) for d in repo.load().errors] == [
        "vector_stores/kb.yaml:1:20: error: file_ids[1] must not be empty",
        "vector_stores/kb.yaml:1:24: error: file_ids[2] must be a string, not the integer 7: "
        "put it in quotes",
    ]


def test_a_repository_without_knowledge_has_none(repo: Repo) -> None:
    repo.write("a.yaml", "model: m\n")
    result = repo.load()
    assert result.vector_stores == []
    assert knowledge_from(result).empty


def test_an_overlay_points_an_assistant_at_another_vector_store(repo: Repo) -> None:
    knowledge_repo(repo)
    repo.write("/assistform.yaml", CONFIG)
    repo.write("/vector_stores/support/kb-prod.yaml", "name: Prod KB\n")
    repo.write(
        "support/billing.prod.yaml",
        "tool_resources:\n  file_search:\n    vector_store: support/kb-prod\n",
    )
    prod = load_specs(repo.root, env="prod")
    assert prod.diagnostics == []
    assert knowledge_from(prod).vector_store_of == {
        "support/billing": "support/kb-prod",
        "support/triage": "support/kb",
    }
    # Used in one environment is used: no warning, as written or per environment.
    assert load_every_environment(repo.root).diagnostics == []


def test_an_overlay_replaces_the_vector_store_with_a_fixed_id(repo: Repo) -> None:
    knowledge_repo(repo)
    repo.write("/assistform.yaml", CONFIG)
    repo.write(
        "support/billing.prod.yaml",
        "tool_resources:\n  file_search:\n    vector_store_ids: [vs_fixed]\n",
    )
    prod = load_specs(repo.root, env="prod")
    assert prod.diagnostics == []
    assert knowledge_from(prod).vector_store_of == {"support/triage": "support/kb"}
    (billing,) = (d for d in desired_from(prod.specs) if d.key == "support/billing")
    assert billing.request["tool_resources"] == {"file_search": {"vector_store_ids": ["vs_fixed"]}}
    assert load_every_environment(repo.root).diagnostics == []


def test_an_overlay_naming_no_vector_store_fails_in_its_environment(repo: Repo) -> None:
    knowledge_repo(repo)
    repo.write("/assistform.yaml", CONFIG)
    repo.write(
        "support/billing.staging.yaml",
        "tool_resources:\n  file_search:\n    vector_store: support/kbb\n",
    )
    assert [str(d) for d in load_every_environment(repo.root).diagnostics] == [
        "assistants/support/billing.staging.yaml:3:19: error: vector store 'support/kbb' is not "
        "defined: no vector_stores/support/kbb.yaml (did you mean 'support/kb'?) "
        "(environment 'staging')"
    ]


def test_given_assistant_paths_check_references_but_not_every_store(repo: Repo) -> None:
    knowledge_repo(repo)
    repo.write("/vector_stores/broken.yaml", "nmae: x\n")
    repo.write("other.yaml", BILLING.replace("support/kb", "nowhere"))
    result = repo.load([repo.specs / "support" / "billing.yaml", repo.specs / "other.yaml"])
    assert [str(d) for d in result.diagnostics] == [
        "assistants/other.yaml:5:19: error: vector store 'nowhere' is not defined: "
        "no vector_stores/nowhere.yaml"
    ]
    assert result.vector_stores == []


def test_a_changed_vector_store_or_knowledge_file_checks_everything(repo: Repo) -> None:
    knowledge_repo(repo)
    repo.write("/vector_stores/broken.yaml", "nmae: x\n")
    broken = ["vector_stores/broken.yaml:1:1: error: unknown field 'nmae' (did you mean 'name'?)"]
    for changed in ("vector_stores/support/kb.yaml", "docs/policies/refunds.pdf", "data/a.csv"):
        result = repo.load([Path(changed)])
        assert [str(d) for d in result.diagnostics] == broken, changed
        assert result.files == 4, changed


def test_a_vector_stores_folder_checks_everything_and_a_missing_store_is_no_file(
    repo: Repo,
) -> None:
    knowledge_repo(repo)
    repo.write("/vector_stores/broken.yaml", "nmae: x\n")
    assert [str(d) for d in repo.load([Path("vector_stores")]).diagnostics] == [
        "vector_stores/broken.yaml:1:1: error: unknown field 'nmae' (did you mean 'name'?)"
    ]
    assert [str(d) for d in repo.load([Path("vector_stores/gone.yaml")]).diagnostics] == [
        "vector_stores/gone.yaml: error: no such file"
    ]
