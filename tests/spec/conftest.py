"""Fixtures of the spec tests: a throwaway repository with an `assistants/` folder.

`repo` is a `Repo` in `tmp_path`, made the current folder (so diagnostics show paths
relative to it, as a user in the repository root sees them).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from assistform.errors import Diagnostic
from assistform.spec import yamlsource
from assistform.spec.load import LoadResult, load_specs


@dataclass
class Repo:
    root: Path

    @property
    def specs(self) -> Path:
        return self.root / "assistants"

    def write(self, name: str, content: str | bytes) -> Path:
        """Write `assistants/<name>` (or `<name>` when it starts with `/`: repo-relative)."""
        path = self.root / name.lstrip("/") if name.startswith("/") else self.specs / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    def load(self, paths: list[Path] | None = None) -> LoadResult:
        return load_specs(self.root, paths)

    def lines(self, paths: list[Path] | None = None) -> list[str]:
        """Every diagnostic as `path:line:col: severity: message`, in the order reported."""
        return [str(d) for d in self.load(paths).diagnostics]

    def check(self, content: str | bytes, name: str = "spec.yaml") -> list[str]:
        """Write one spec and load the folder: its diagnostics as `line:col: severity: msg`."""
        path = self.write(name, content)
        shown = path.relative_to(self.root).as_posix()
        found = []
        for diagnostic in self.load().diagnostics:
            assert diagnostic.location.path == shown, diagnostic
            found.append(short(diagnostic))
        return found


def short(diagnostic: Diagnostic) -> str:
    """`line:col: severity: message`: a diagnostic without its path."""
    loc = diagnostic.location
    return f"{loc.line}:{loc.col}: {diagnostic.severity.value}: {diagnostic.message}"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Repo:
    (tmp_path / "assistants").mkdir()
    monkeypatch.chdir(tmp_path)
    return Repo(tmp_path)


@pytest.fixture(params=["libyaml", "ruamel"])
def reader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test with each YAML reader: libyaml (when PyYAML has it) and ruamel.yaml alone,
    as on a machine without libyaml. Both must give the same result, to the message."""
    if request.param == "ruamel":
        monkeypatch.setattr(yamlsource, "_fast_loader", lambda: None)
    elif yamlsource._fast_loader() is None:
        pytest.skip("PyYAML with libyaml is not installed")
    return str(request.param)
