"""Loading specs: discovery, keys, chosen paths, instructions files, the repository root."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from assistform.errors import SourceLocation
from assistform.spec.load import find_root, key_of, load_specs

if TYPE_CHECKING:
    from tests.spec.conftest import Repo


@pytest.mark.parametrize(
    ("relative", "key"),
    [
        ("assistants/helper.yaml", "helper"),
        ("assistants/hr/helper.yaml", "hr/helper"),
        ("assistants/hr/policy/v2.yml", "hr/policy/v2"),
        ("assistants/team.a/bot.yaml", "team.a/bot"),
    ],
)
def test_key_is_the_path_under_assistants_without_suffix(
    tmp_path: Path, relative: str, key: str
) -> None:
    assert key_of(tmp_path / relative, tmp_path / "assistants") == key


def test_every_yaml_file_under_assistants_is_loaded_and_nothing_else(repo: Repo) -> None:
    repo.write("b.yaml", "model: x\n")
    repo.write("a.yml", "model: x\n")
    repo.write("hr/helper.yaml", "model: x\n")
    repo.write("notes.md", "not a spec")
    repo.write("prompts/p.txt", "not a spec")
    repo.write("/other/c.yaml", "not: [a spec\n")
    result = repo.load()
    assert result.diagnostics == []
    assert result.files == 3
    assert [s.key for s in result.specs] == ["a", "b", "hr/helper"]
    assert result.specs[2].path == repo.specs / "hr" / "helper.yaml"


def test_a_symlinked_spec_takes_its_key_from_the_link(repo: Repo) -> None:
    target = repo.write("/shared/base.yaml", "model: x\n")
    os.symlink(target, repo.specs / "linked.yaml")
    assert [s.key for s in repo.load().specs] == ["linked"]


def test_a_valid_spec_keeps_its_positions(repo: Repo) -> None:
    repo.write("s.yaml", "# comment\nmodel: x\ntools:\n  - type: code_interpreter\n")
    (loaded,) = repo.load().specs
    assert loaded.location("tools", 0, "type") == SourceLocation("assistants/s.yaml", 4, 11)
    assert loaded.location("tools", key=True) == SourceLocation("assistants/s.yaml", 3, 1)


def test_instructions_file_is_read_relative_to_the_spec(repo: Repo) -> None:
    prompt = repo.write("prompts/triage.md", "Triage tickets.\n")
    repo.write("support/triage.yaml", "model: x\ninstructions_file: ../prompts/triage.md\n")
    (loaded,) = repo.load().specs
    assert loaded.spec.instructions == "Triage tickets.\n"
    assert loaded.instructions_path == prompt.resolve()
    assert loaded.spec.request_fields() == {"model": "x", "instructions": "Triage tickets.\n"}


def test_instructions_file_may_live_anywhere_in_the_repository(repo: Repo) -> None:
    repo.write("/docs/prompt.md", "Hello.")
    repo.write("s.yaml", "model: x\ninstructions_file: ../docs/prompt.md\n")
    assert repo.load().specs[0].spec.instructions == "Hello."


def test_only_the_given_files_are_checked(repo: Repo) -> None:
    good = repo.write("good.yaml", "model: x\n")
    repo.write("bad.yaml", "model: [\n")
    result = repo.load([Path("assistants/good.yaml")])
    assert result.diagnostics == []
    assert [s.path for s in result.specs] == [Path("assistants/good.yaml")]
    assert result.files == 1
    assert good.exists()


def test_a_folder_stands_for_the_specs_under_it(repo: Repo) -> None:
    repo.write("hr/a.yaml", "model: x\n")
    repo.write("hr/b.yaml", "model: x\n")
    repo.write("c.yaml", "model: x\n")
    assert [s.key for s in repo.load([Path("assistants/hr")]).specs] == ["hr/a", "hr/b"]


def test_a_file_given_twice_is_checked_once(repo: Repo) -> None:
    repo.write("a.yaml", "model: x\n")
    result = repo.load([Path("assistants/a.yaml"), repo.specs / "a.yaml"])
    assert result.files == 1


def test_given_paths_that_are_not_specs(repo: Repo) -> None:
    repo.write("/notes.yaml", "model: x\n")
    paths = [
        Path("notes.yaml"),
        Path("assistants/missing.yaml"),
        Path("../elsewhere.yaml"),
        Path("../elsewhere.md"),
    ]
    assert repo.lines(paths) == [
        "../elsewhere.md: error: not a spec: specs are .yaml or .yml files under assistants/",
        "../elsewhere.yaml: error: not a spec: specs are .yaml or .yml files under assistants/",
        "assistants/missing.yaml: error: no such file",
        "notes.yaml: error: not a spec: specs are .yaml or .yml files under assistants/",
    ]


@pytest.mark.parametrize(
    "changed",
    ["/assistform.yaml", "/docs/prompts/triage.md", "/README.md", "notes.txt", "prompts/p.md"],
)
def test_a_changed_file_any_spec_may_depend_on_checks_every_spec(repo: Repo, changed: str) -> None:
    """What the pre-commit hook passes when only assistform.yaml or a prompt changed (an
    instructions_file may be any file anywhere in the repository): every spec is checked,
    as when no path is given."""
    repo.write(changed, "policy: {}\n" if changed.endswith("assistform.yaml") else "Hello.\n")
    repo.write("/docs/prompts/long.md", "x" * 256_001)
    repo.write("a.yaml", "model: gpt-4o\ninstructions_file: ../docs/prompts/long.md\n")
    repo.write("b.yaml", "model: gpt-4o\n")
    given = Path(changed.removeprefix("/") if changed.startswith("/") else f"assistants/{changed}")
    assert given.is_file()
    result = load_specs(repo.root, [given])
    assert result.files == 2
    assert [str(d) for d in result.diagnostics] == [
        "assistants/a.yaml:2:20: error: instructions_file '../docs/prompts/long.md' is "
        "256,001 characters long; the limit is 256,000"
    ]


def test_a_changed_assistform_yaml_is_checked_with_every_spec(repo: Repo) -> None:
    repo.write(
        "/assistform.yaml",
        "environments:\n  prod:\n    overrides:\n      - keys: gone\n        set: {name: X}\n",
    )
    repo.write("a.yaml", "model: gpt-4o\n")
    whole = [str(d) for d in load_specs(repo.root, env="prod").diagnostics]
    assert whole == [
        "assistform.yaml:4:9: warning: override 1 of environment 'prod' matches no spec "
        "(keys: gone)"
    ]
    given = load_specs(repo.root, [Path("assistform.yaml")], env="prod")
    assert [str(d) for d in given.diagnostics] == whole
    assert given.files == 1


def test_a_changed_instructions_file_checks_the_specs_that_may_read_it(repo: Repo) -> None:
    # What a pre-commit hook passes when only a prompt changed.
    repo.write("prompts/long.md", "x" * 256_001)
    repo.write("a.yaml", "model: gpt-4o\ninstructions_file: prompts/long.md\n")
    repo.write("b.yaml", "model: gpt-4o\n")
    result = load_specs(repo.root, [Path("assistants/prompts/long.md")])
    assert result.files == 2
    assert [str(d) for d in result.diagnostics] == [
        "assistants/a.yaml:2:20: error: instructions_file 'prompts/long.md' is 256,001 "
        "characters long; the limit is 256,000"
    ]


def test_no_specs_at_all_is_a_warning(repo: Repo) -> None:
    assert repo.lines() == [
        "assistants: warning: no specs found: write one YAML file per assistant under this folder"
    ]


def test_paths_are_shown_relative_to_the_current_folder(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo.write("hr/a.yaml", "model: 1\n")
    monkeypatch.chdir(repo.specs / "hr")
    assert [str(d) for d in load_specs(repo.root).diagnostics] == [
        "a.yaml:1:8: error: model must be a string, not the integer 1: put it in quotes"
    ]


@pytest.mark.parametrize("marker", ["assistants", ".git", "assistform.yaml"])
def test_root_is_the_nearest_folder_with_a_marker(tmp_path: Path, marker: str) -> None:
    (tmp_path / marker).mkdir()
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    assert find_root(deep) == tmp_path.resolve()


def test_root_found_from_inside_assistants(repo: Repo) -> None:
    repo.write("hr/a.yaml", "model: x\n")
    assert find_root(repo.specs / "hr") == repo.root.resolve()
