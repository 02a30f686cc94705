"""The README's knowledge-base example, as a reader runs it from a fresh clone.

The example's files (those git tracks, as a clone has them) are copied to a temporary
folder, and the commands of the README run there as real processes: `validate`,
`apply --sandbox --auto-approve`, then `plan --sandbox`, which must find nothing to do.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "knowledge-base"
SRC = REPO / "src"
#: What the example declares: every file a spec uses, by repository path.
FILES = {
    "data/plans.csv",
    "data/sales-2026.csv",
    "docs/kb/billing-cycle.md",
    "docs/kb/regions.md",
    "docs/kb/reset-password.md",
    "docs/policies/refunds.md",
}

README = REPO / "README.md"
SECTION = "#### Try it: `examples/knowledge-base`"


def readme_lines() -> list[str]:
    """Every line the README's section shows as output (its ```text blocks), but `...`."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index(SECTION) :]
    section = section[: section.index("\n#", len(SECTION))]
    blocks = re.findall(r"```text\n(.*?)```", section, flags=re.DOTALL)
    lines = [line for block in blocks for line in block.splitlines()]
    return [line for line in lines if line.strip() and line.strip() != "..."]


def _tracked(folder: Path) -> list[Path]:
    """The files under `folder` a clone would have: git's when this is a checkout."""
    if not (REPO / ".git").exists() or shutil.which("git") is None:
        return [p for p in folder.rglob("*") if p.is_file()]
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--", str(folder.relative_to(REPO))],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    return [REPO / name for name in listed.stdout.split("\0") if name]


@pytest.fixture
def example(tmp_path: Path) -> Path:
    root = tmp_path / "knowledge-base"
    files = _tracked(EXAMPLE)
    assert files, "the example is not in the repository"
    for source in files:
        target = root / source.relative_to(EXAMPLE)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    return root


def assistform(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    path = os.pathsep.join(p for p in (str(SRC), os.environ.get("PYTHONPATH")) if p)
    unset = ("OPENAI_BASE_URL", "OPENAI_API_KEY", "ASSISTFORM_ENV")
    env = {k: v for k, v in os.environ.items() if k not in unset}
    return subprocess.run(
        [sys.executable, "-m", "assistform", *args],
        cwd=root,
        env={**env, "PYTHONPATH": path, "NO_COLOR": "1"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_knowledge_base_example_applies_then_plans_no_changes(example: Path) -> None:
    validated = assistform(example, "validate")
    assert (validated.returncode, validated.stderr) == (0, "")
    assert "3 specs valid." in validated.stdout

    applied = assistform(example, "apply", "--sandbox", "--auto-approve")
    assert applied.returncode == 0, applied.stderr
    assert (
        "Plan: 3 to create, 0 to update, 0 to replace, 0 to delete. "
        "6 files to upload (1.4 kB), 0 to remove." in applied.stdout
    )
    for path in FILES:
        assert f"uploaded file {path} (file-" in applied.stdout
    assert "Apply complete: 2 created" in applied.stdout

    planned = assistform(example, "plan", "--sandbox", "--detailed-exitcode")
    assert planned.returncode == 0, planned.stdout + planned.stderr
    assert "No changes." in planned.stdout
    assert "1 vector store unchanged (4 files)." in planned.stdout

    # What the README says these commands print, they print.
    shown = applied.stdout + planned_text(example)
    missing = [line for line in readme_lines() if line not in shown.splitlines()]
    assert readme_lines() and missing == []

    # The sandbox's own state, git-ignored, records each declared file once, and the store.
    state = json.loads((example / ".assistform" / "state.json").read_text(encoding="utf-8"))
    assert set(state["files"]) == FILES
    assert list(state["vector_stores"]) == ["support/kb"]


def planned_text(example: Path) -> str:
    planned = assistform(example, "plan", "--sandbox")
    assert planned.returncode == 0, planned.stderr
    return planned.stdout


def test_the_sandbox_data_of_the_example_is_git_ignored() -> None:
    """A reader who tries the example must not see its sandbox data as changes to commit."""
    if not (REPO / ".git").exists() or shutil.which("git") is None:
        pytest.skip("not a git checkout")
    data = "examples/knowledge-base/.assistform/state.json"
    checked = subprocess.run(["git", "check-ignore", "-q", data], cwd=REPO, check=False)
    assert checked.returncode == 0
