"""`assistform validate`: exit codes, output streams and formats, through click and for real."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from assistform.cli.main import cli

REPO_ROOT = next(p for p in Path(__file__).resolve().parents if (p / "pyproject.toml").is_file())

GOOD = "model: gpt-4o\nname: Tutor\n"
BROKEN = "model: gpt-4o\ntemprature: 0.5\ntools:\n  - type: function\n    function: {name: a b}\n"
BROKEN_LINES = [
    "assistants/broken.yaml:2:1: error: unknown field 'temprature' (did you mean 'temperature'?)",
    "assistants/broken.yaml:5:22: error: tools[0].function.name 'a b' may only use letters, "
    "digits, '_' and '-', not ' '",
]
WARNED = "model: gpt-4o\ntemperature: 0.5\ntop_p: 0.5\n"
WARNING_LINE = (
    "assistants/warned.yaml:3:8: warning: both temperature and top_p are set; "
    "OpenAI recommends changing only one"
)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository with an `assistants/` folder, as the current folder."""
    (tmp_path / "assistants").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(root: Path, name: str, text: str) -> Path:
    path = root / "assistants" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, ["validate", *args], prog_name="assistform")


def test_clean_specs_exit_0_with_a_summary_on_stdout(project: Path) -> None:
    write(project, "a.yaml", GOOD)
    write(project, "hr/b.yml", GOOD)
    result = run()
    assert result.exit_code == 0
    assert result.stdout == "2 specs valid.\n"
    assert result.stderr == ""


def test_every_mistake_of_every_file_then_a_summary_exit_1(project: Path) -> None:
    write(project, "a.yaml", GOOD)
    write(project, "broken.yaml", BROKEN)
    write(project, "empty.yaml", "")
    result = run()
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        *BROKEN_LINES,
        "assistants/empty.yaml:1:1: error: empty spec: expected a mapping with at least 'model'",
        "3 specs: 3 errors, 0 warnings.",
    ]


def test_warnings_alone_pass(project: Path) -> None:
    write(project, "warned.yaml", WARNED)
    result = run()
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [WARNING_LINE]
    assert result.stdout == "1 spec: 0 errors, 1 warning.\n"


def test_strict_makes_warnings_fail(project: Path) -> None:
    write(project, "warned.yaml", WARNED)
    result = run("--strict")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        WARNING_LINE,
        "1 spec: 0 errors, 1 warning (--strict: warnings fail).",
    ]


def test_json_format(project: Path) -> None:
    write(project, "broken.yaml", BROKEN)
    write(project, "warned.yaml", WARNED)
    result = run("--format", "json")
    assert result.exit_code == 1
    assert result.stderr == ""
    report = json.loads(result.stdout)
    assert report == {
        "valid": False,
        "files": 2,
        "errors": 2,
        "warnings": 1,
        "diagnostics": [
            {
                "path": "assistants/broken.yaml",
                "line": 2,
                "col": 1,
                "severity": "error",
                "message": "unknown field 'temprature' (did you mean 'temperature'?)",
            },
            {
                "path": "assistants/broken.yaml",
                "line": 5,
                "col": 22,
                "severity": "error",
                "message": "tools[0].function.name 'a b' may only use letters, digits, "
                "'_' and '-', not ' '",
            },
            {
                "path": "assistants/warned.yaml",
                "line": 3,
                "col": 8,
                "severity": "warning",
                "message": "both temperature and top_p are set; OpenAI recommends changing only one",
            },
        ],
    }


def test_json_format_of_a_clean_run(project: Path) -> None:
    write(project, "a.yaml", GOOD)
    result = run("--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {
        "valid": True,
        "files": 1,
        "errors": 0,
        "warnings": 0,
        "diagnostics": [],
    }


def test_only_the_given_files_are_checked(project: Path) -> None:
    write(project, "a.yaml", GOOD)
    write(project, "broken.yaml", BROKEN)
    result = run("assistants/a.yaml")
    assert result.exit_code == 0
    assert result.stdout == "1 spec valid.\n"


def test_given_files_still_clash_with_the_rest_of_the_folder(project: Path) -> None:
    write(project, "a.yaml", GOOD)
    write(project, "a.yml", GOOD)
    result = run("assistants/a.yml")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "assistants/a.yaml:1:1: error: key 'a' is defined twice: "
        "assistants/a.yaml and assistants/a.yml; keep one of them",
        "1 spec: 1 error, 0 warnings.",
    ]


def test_from_a_subfolder_paths_are_relative_to_it(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(project, "hr/broken.yaml", "model: [\n")
    monkeypatch.chdir(project / "assistants" / "hr")
    result = run()
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "broken.yaml:2:1: error: invalid YAML: the file ends in the middle of a value "
        "(an unclosed '[' or '{'?)"
    )


def test_no_specs_is_a_warning_not_a_failure(project: Path) -> None:
    result = run()
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        "assistants: warning: no specs found: write one YAML file per assistant under this folder"
    ]
    assert run("--strict").exit_code == 1


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["--format", "xml"], id="unknown-format"),
        pytest.param(["--no-such-option"], id="unknown-option"),
    ],
)
def test_usage_errors_exit_2(project: Path, args: list[str]) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert "Usage: assistform validate" in result.stderr


def test_the_repository_examples_are_valid(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO_ROOT)
    result = run("--strict")
    assert result.stderr == ""
    assert result.exit_code == 0
    assert result.stdout.endswith(" specs valid.\n")


# -- as a real process ---------------------------------------------------------------------


def assistform(*args: str, cwd: Path, importtime: bool = False) -> subprocess.CompletedProcess[str]:
    flags = ["-X", "importtime"] if importtime else []
    env = {k: v for k, v in os.environ.items() if k != "PYTHONWARNINGS"}
    return subprocess.run(
        [sys.executable, *flags, "-m", "assistform", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )


def test_process_exit_codes_and_streams(project: Path) -> None:
    write(project, "a.yaml", GOOD)
    clean = assistform("validate", cwd=project)
    assert (clean.returncode, clean.stdout, clean.stderr) == (0, "1 spec valid.\n", "")

    write(project, "broken.yaml", BROKEN)
    broken = assistform("validate", cwd=project)
    assert broken.returncode == 1
    assert broken.stdout == ""
    assert broken.stderr.splitlines() == [*BROKEN_LINES, "2 specs: 2 errors, 0 warnings."]

    usage = assistform("validate", "--format", "yaml", cwd=project)
    assert usage.returncode == 2
    assert "Invalid value for '--format'" in usage.stderr


def test_no_traceback_for_any_user_mistake(project: Path) -> None:
    (project / "assistants" / "bytes.yaml").write_bytes(b"\xff\xfe\x00m")
    write(
        project,
        "bomb.yaml",
        "a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n"
        + "".join(
            f"a{i}: &a{i} [{', '.join([f'*a{i - 1}' if i > 1 else '*a'] * 10)}]\n"
            for i in range(1, 9)
        ),
    )
    write(project, "deep.yaml", "model: " + "[" * 300 + "]" * 300 + "\n")
    write(project, "tag.yaml", "model: !!int x\ntemperature: !!bool maybe\n")
    write(project, "weird.yaml", "? [a]\n: b\n<<: 1\nmodel: *nothing\n")
    write(project, "ok.yaml", GOOD)
    result = assistform("validate", cwd=project)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert lines[-1] == "6 specs: 6 errors, 0 warnings."
    assert [line.split(":")[0] for line in lines[:-1]] == [
        f"assistants/{name}.yaml" for name in ("bomb", "bytes", "deep", "tag", "tag", "weird")
    ]


FORBIDDEN = ("openai", "httpx", "httpx2", "httpcore", "urllib3", "requests", "http.client")


def imported_modules(result: subprocess.CompletedProcess[str]) -> set[str]:
    """The modules a run under `-X importtime` imported."""
    return {
        line.split("|")[-1].strip()
        for line in result.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }


def test_validate_imports_nothing_that_talks_to_the_network() -> None:
    result = assistform("validate", cwd=REPO_ROOT, importtime=True)
    assert result.returncode == 0, result.stderr[-2000:]
    imported = imported_modules(result)
    assert "assistform.spec.load" in imported  # the probe works
    offending = sorted(
        name for name in imported if any(name == f or name.startswith(f + ".") for f in FORBIDDEN)
    )
    assert offending == []


#: What a clean run without assistform.yaml has no use for: the config's models, the
#: messages of mistakes, the retry policy of requests it never sends.
UNUSED_WHEN_CLEAN = (
    "assistform.config",
    "assistform.spec.messages",
    "assistform.api.retry",
    # knowledge as code, in a repository without it
    "assistform.spec.vector_store_model",
    "assistform.spec.vector_stores",
    "assistform.spec.files",
    "assistform.knowledge.desired",
)


def test_validate_builds_only_what_the_run_uses(project: Path) -> None:
    write(project, "a.yaml", GOOD)
    clean = assistform("validate", cwd=project, importtime=True)
    assert clean.returncode == 0, clean.stderr[-2000:]
    imported = imported_modules(clean)
    assert "assistform.spec.model" in imported  # the probe works
    assert sorted(imported.intersection(UNUSED_WHEN_CLEAN)) == []

    (project / "assistform.yaml").write_text("policy: {required_metadata: [team]}\n")
    write(project, "b.yaml", BROKEN)
    failing = assistform("validate", cwd=project, importtime=True)
    assert failing.returncode == 1
    assert "'team'" in failing.stderr and "temprature" in failing.stderr
    assert {"assistform.config", "assistform.spec.messages"} <= imported_modules(failing)


PLUGINS = "PYDANTIC_DISABLE_PLUGINS"


def test_pydantic_plugins_are_off_only_while_validate_loads(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The hook skips pydantic's search for plugins, and the process's environment is left
    # as it was: a caller (a test, an editor integration) keeps whatever it had.
    monkeypatch.delenv(PLUGINS, raising=False)
    write(project, "a.yaml", GOOD)
    seen: list[str | None] = []
    from assistform.spec import environments
    from assistform.spec.check import validate_document as checked

    def spy(*args: Any, **kwargs: Any) -> Any:
        seen.append(os.environ.get(PLUGINS))
        return checked(*args, **kwargs)

    monkeypatch.setattr(environments, "validate_document", spy)
    assert run().exit_code == 0
    assert seen == ["__all__"]
    assert PLUGINS not in os.environ

    monkeypatch.setenv(PLUGINS, "logfire")  # the user's own choice wins, and stays
    seen.clear()
    assert run().exit_code == 0
    assert seen == ["logfire"]
    assert os.environ[PLUGINS] == "logfire"


KB = "name: KB\nfiles: ['../docs/*.md']\n"
USES_KB = (
    "model: gpt-4o\ntools: [{type: file_search}]\n"
    "tool_resources:\n  file_search:\n    vector_store: kb\n"
)


def knowledge_project(project: Path) -> None:
    (project / "docs").mkdir()
    (project / "docs" / "a.md").write_text("# A\n")
    (project / "vector_stores").mkdir()
    (project / "vector_stores" / "kb.yaml").write_text(KB)
    write(project, "a.yaml", USES_KB)


def test_vector_store_specs_are_specs(project: Path) -> None:
    knowledge_project(project)
    result = run()
    assert result.exit_code == 0, result.output
    assert result.stdout == "2 specs valid.\n"


def test_a_hook_run_for_a_changed_document_checks_the_globs(project: Path) -> None:
    knowledge_project(project)
    (project / "docs" / "a.md").rename(project / "docs" / "a.txt")
    result = run("docs/a.txt")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "vector_stores/kb.yaml:2:9: error: files entry '../docs/*.md' matches no file",
        "2 specs: 1 error, 0 warnings.",
    ]


def test_a_hook_run_for_a_changed_vector_store_checks_it(project: Path) -> None:
    knowledge_project(project)
    (project / "vector_stores" / "kb.yaml").write_text(
        "name: KB\nexpires_after: {anchor: last_active_at, days: 400}\n"
    )
    result = run("vector_stores/kb.yaml", "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["diagnostics"] == [
        {
            "path": "vector_stores/kb.yaml",
            "line": 2,
            "col": 47,
            "severity": "error",
            "message": "expires_after.days must be at most 365, not 400",
        }
    ]
