"""Fixtures of the CLI tests: a copy of `examples/multi-env` as the current folder, and
repositories applied to a sandbox server (`applyrepo`)."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from assistform.sandbox import SandboxServer

from .applyrepo import Repo, repo_factory

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "multi-env"


@pytest.fixture
def multi_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository with environments dev (default) and prod, made the current folder."""
    root = tmp_path / "repo"
    shutil.copytree(EXAMPLE, root)
    monkeypatch.chdir(root)
    for variable in ("ASSISTFORM_ENV", "ASSISTFORM_DEV_API_KEY", "ASSISTFORM_PROD_API_KEY"):
        monkeypatch.delenv(variable, raising=False)
    return root


@pytest.fixture
def make_repo(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    make_api_server: Callable[..., SandboxServer],
) -> Iterator[Callable[..., Repo]]:
    """Makes repositories in `tmp_path` applied to a sandbox server (`applyrepo.Repo`)."""
    yield from repo_factory(tmp_path, monkeypatch, make_api_server)
