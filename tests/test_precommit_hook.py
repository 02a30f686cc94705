"""The `assistform-validate` pre-commit hook, run by the real pre-commit in real git repos.

A copy of this project (src, pyproject.toml, README.md, .pre-commit-hooks.yaml) is committed
to a temporary git repository: the hook repository. pre-commit builds its virtualenv from it
once (`pip install` of the copy, so it needs PyPI) in a private PRE_COMMIT_HOME shared by the
tests of this module. A second temporary repository holds the specs and commits them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = next(p for p in Path(__file__).resolve().parents if (p / "pyproject.toml").is_file())
HOOK_ID = "assistform-validate"
GOOD = "model: gpt-4o\nname: Tutor\n"
BROKEN = "model: gpt-4o\ntemprature: 0.5\n"
BROKEN_LINE = (
    "assistants/broken.yaml:2:1: error: unknown field 'temprature' (did you mean 'temperature'?)"
)
#: pre-commit's first run builds a virtualenv and installs the project from PyPI.
INSTALL_TIMEOUT = 900


@dataclass(frozen=True)
class HookRepo:
    path: Path
    rev: str
    env: dict[str, str]


def git(*args: str, cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True, timeout=60
    )
    return done.stdout.strip()


def pre_commit(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=INSTALL_TIMEOUT,
        check=False,
    )


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HookRepo]:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    base = tmp_path_factory.mktemp("precommit")
    gitconfig = base / "gitconfig"
    gitconfig.write_text("")
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(base / "cache"),
        "GIT_CONFIG_GLOBAL": str(gitconfig),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "test@example.com",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "test@example.com",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
    env.pop("PRE_COMMIT", None)  # as if no hook were already running
    repo = base / "assistform"
    repo.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc")
    shutil.copytree(REPO_ROOT / "src", repo / "src", ignore=ignore)
    for name in ("pyproject.toml", ".pre-commit-hooks.yaml"):
        shutil.copy2(REPO_ROOT / name, repo / name)
    readme = REPO_ROOT / "README.md"
    if readme.is_file():
        shutil.copy2(readme, repo / "README.md")
    else:
        (repo / "README.md").write_text("# assistform\n")
    git("init", "-q", "-b", "main", cwd=repo, env=env)
    git("add", "-A", cwd=repo, env=env)
    git("commit", "-q", "-m", "assistform under test", cwd=repo, env=env)
    yield HookRepo(repo, git("rev-parse", "HEAD", cwd=repo, env=env), env)


def new_specs_repo(base: Path, env: dict[str, str]) -> Path:
    repo = base / "specs"
    (repo / "assistants").mkdir(parents=True)
    git("init", "-q", "-b", "main", cwd=repo, env=env)
    return repo


@pytest.fixture(scope="module")
def installed(hook_repo: HookRepo, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A specs repository whose git hook runs assistform-validate (environment built once)."""
    env = hook_repo.env
    repo = new_specs_repo(tmp_path_factory.mktemp("installed"), env)
    (repo / ".pre-commit-config.yaml").write_text(
        "repos:\n"
        f"  - repo: {hook_repo.path}\n"
        f"    rev: {hook_repo.rev}\n"
        "    hooks:\n"
        f"      - id: {HOOK_ID}\n"
    )
    for step in (["install"], ["install-hooks"]):
        done = pre_commit(*step, cwd=repo, env=env)
        assert done.returncode == 0, done.stdout + done.stderr
    return repo


def test_try_repo_fails_on_a_broken_spec_with_its_position(
    hook_repo: HookRepo, tmp_path: Path
) -> None:
    # try-repo always builds its environment in a throwaway store: one more install.
    env = hook_repo.env
    repo = new_specs_repo(tmp_path, env)
    (repo / "assistants" / "broken.yaml").write_text(BROKEN)
    (repo / "assistants" / "good.yaml").write_text(GOOD)
    (repo / "notes.yaml").write_text("not: [a spec\n")  # outside assistants/: not checked
    git("add", "-A", cwd=repo, env=env)
    result = pre_commit(
        "try-repo", str(hook_repo.path), HOOK_ID, "--ref", hook_repo.rev, "--all-files",
        cwd=repo, env=env,
    )  # fmt: skip
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert (
        "assistform validate......................................................Failed" in lines
    )
    assert lines[lines.index(BROKEN_LINE) + 1] == "2 specs: 1 error, 0 warnings."
    assert "notes.yaml" not in result.stdout


def test_run_passes_a_good_spec_and_fails_a_broken_one(
    installed: Path, hook_repo: HookRepo
) -> None:
    env = hook_repo.env
    (installed / "assistants" / "ok.yaml").write_text(GOOD)
    (installed / "assistants" / "broken.yaml").write_text(BROKEN)
    good = pre_commit("run", HOOK_ID, "--files", "assistants/ok.yaml", cwd=installed, env=env)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "assistform validate......................................................Passed" in (
        good.stdout.splitlines()
    )
    broken = pre_commit("run", HOOK_ID, "--files", "assistants/broken.yaml", cwd=installed, env=env)
    assert broken.returncode == 1
    assert BROKEN_LINE in broken.stdout.splitlines()
    for name in ("ok.yaml", "broken.yaml"):
        (installed / "assistants" / name).unlink()


def commit(repo: Path, message: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    git("add", "-A", cwd=repo, env=env)
    return subprocess.run(
        ["git", "commit", "-m", message],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=INSTALL_TIMEOUT,
        check=False,
    )


def test_git_commit_is_refused_for_a_broken_spec_and_accepted_once_fixed(
    installed: Path, hook_repo: HookRepo
) -> None:
    env = hook_repo.env
    spec = installed / "assistants" / "broken.yaml"
    spec.write_text(BROKEN)
    refused = commit(installed, "add a broken spec", env)
    # git hands a hook's output to stderr
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert BROKEN_LINE in refused.stderr.splitlines(), refused.stderr
    with pytest.raises(subprocess.CalledProcessError):
        git("rev-parse", "--verify", "-q", "HEAD", cwd=installed, env=env)

    spec.write_text(GOOD)
    accepted = commit(installed, "add a good spec", env)
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert "Passed" in accepted.stderr
    assert git("log", "--format=%s", cwd=installed, env=env) == "add a good spec"


def test_a_commit_of_only_assistform_yaml_checks_every_spec(
    installed: Path, hook_repo: HookRepo
) -> None:
    env = hook_repo.env
    (installed / "assistants" / "tutor.yaml").write_text(GOOD)
    assert commit(installed, "add a spec", env).returncode == 0
    config = installed / "assistform.yaml"
    config.write_text("policy:\n  allowed_models: [gpt-4.1*]\n")

    refused = commit(installed, "allow only gpt-4.1", env)

    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert (
        "assistants/tutor.yaml:1:8: error: model 'gpt-4o' is not allowed; "
        "allowed: gpt-4.1* (policy allowed_models)"
    ) in refused.stderr.splitlines(), refused.stderr
    config.write_text("policy:\n  allowed_models: [gpt-4*]\n")
    accepted = commit(installed, "allow gpt-4o", env)
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert "Passed" in accepted.stderr


def test_a_commit_of_only_an_instructions_file_outside_assistants_checks_the_specs(
    installed: Path, hook_repo: HookRepo
) -> None:
    env = hook_repo.env
    prompt = installed / "prompts" / "helper.md"
    prompt.parent.mkdir()
    prompt.write_text("Be helpful.\n")
    (installed / "assistants" / "helper.yaml").write_text(
        "model: gpt-4o\ninstructions_file: ../prompts/helper.md\n"
    )
    assert commit(installed, "add a spec with its prompt", env).returncode == 0
    prompt.write_text("x" * 256_001)

    refused = commit(installed, "a prompt too long", env)

    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert (
        "assistants/helper.yaml:2:20: error: instructions_file '../prompts/helper.md' is "
        "256,001 characters long; the limit is 256,000"
    ) in refused.stderr.splitlines(), refused.stderr
    prompt.write_text("Be brief.\n")
    accepted = commit(installed, "a shorter prompt", env)
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert "Passed" in accepted.stderr


@pytest.mark.parametrize(
    ("path", "checked"),
    [
        ("assistants/support/triage.yaml", True),
        ("vector_stores/support/kb.yaml", True),
        ("assistform.yaml", True),
        ("prompts/triage.md", True),
        ("docs/kb/policy.pdf", True),
        ("data/sales.csv", True),
        ("notes.yaml", False),
        ("src/app.go", False),
    ],
)
def test_the_hook_runs_for_specs_vector_stores_and_documents(path: str, checked: bool) -> None:
    import re

    from ruamel.yaml import YAML

    (hook,) = YAML(typ="safe", pure=True).load(REPO_ROOT / ".pre-commit-hooks.yaml")
    assert bool(re.search(hook["files"], path)) is checked
