"""Fixtures of the CLI tests: a copy of `examples/multi-env` as the current folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

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
