"""`assistform plan` from the command line: formats, --out, exit codes, --no-refresh,
--target, --state, and errors as one line without the API key, against the project's own
loopback server (CliRunner), plus real processes on the built-in sandbox."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from assistform.cli.main import cli
from assistform.plan.model import Action, Plan, Reason
from assistform.sandbox import SandboxServer
from assistform.state import State, StateFile

EXAMPLES = Path(__file__).resolve().parents[2] / "assistants"
FAKE_KEY = "sk-assistform-cli-DO-NOT-LEAK-5e8d0c44"


@dataclass
class Repo:
    root: Path
    server: SandboxServer

    def env(self, **extra: str | None) -> dict[str, str | None]:
        return {
            "OPENAI_BASE_URL": self.server.base_url,
            "OPENAI_API_KEY": FAKE_KEY,
            "ASSISTFORM_ENV": None,
            **extra,
        }

    def run(self, *args: str, **env: str | None) -> Result:
        return CliRunner(env=self.env(**env)).invoke(cli, list(args))

    def plan(self, *args: str, **env: str | None) -> Plan:
        result = self.run("plan", "--format", "json", *args, **env)
        assert result.exit_code in (0, 2), result.output
        return Plan.model_validate_json(result.stdout)

    def apply(self) -> None:
        result = self.run("apply", "--auto-approve", "--no-color")
        assert result.exit_code == 0, result.output

    @property
    def state_file(self) -> StateFile:
        return StateFile(self.root / "state" / "assistform.json")


@pytest.fixture
def repo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, make_api_server: Callable[..., SandboxServer]
) -> Repo:
    """A copy of the examples in assistants/, the current folder, with a faithful server."""
    root = tmp_path / "repo"
    shutil.copytree(EXAMPLES, root / "assistants")
    monkeypatch.chdir(root)
    return Repo(root, make_api_server())


def assert_one_line_error(result: Result, *expected: str) -> str:
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    text = result.stderr
    assert text.count("\n") == 1 and text.startswith("error: "), text
    assert "Traceback" not in text and FAKE_KEY not in text
    for part in expected:
        assert part in text
    return text


# --- what a plan says ------------------------------------------------------------------------


def test_a_fresh_repository_plans_a_create_per_spec(repo: Repo) -> None:
    plan = repo.plan()
    keys = sorted(p.relative_to(repo.root / "assistants").with_suffix("").as_posix()
                  for p in (repo.root / "assistants").rglob("*.y*ml"))  # fmt: skip
    assert [c.key for c in plan.resource_changes] == keys
    assert {c.action for c in plan.resource_changes} == {Action.CREATE}
    assert plan.state.path == os.path.join("state", "assistform.json")
    assert not repo.state_file.path.exists(), "plan never writes the state"


def test_plan_reads_the_live_set_in_pages_and_never_writes(repo: Repo) -> None:
    repo.apply()
    for index in range(150):
        repo.server.store.add(f"asst_theirs{index}", index, {"model": "gpt-4o", "metadata": {}})
    repo.server.stats.reset()
    plan = repo.plan()
    assert not plan.writes_state, "someone else's assistants are never touched"
    assert repo.server.stats.counts == {("GET", "/v1/assistants"): 2}
    assert (plan.live.requests, plan.live.assistants, plan.live.unmanaged) == (2, 156, 150)


def test_the_text_rendering_is_the_default(repo: Repo) -> None:
    result = repo.run("plan", "--no-color")
    assert result.exit_code == 0, result.output
    assert "Plan: 6 to create, 0 to update, 0 to replace, 0 to delete." in result.stdout


def test_drift_shows_after_a_dashboard_edit(repo: Repo) -> None:
    repo.apply()
    state = repo.state_file.load()
    assistant_id = state.resources["math-tutor"].id
    repo.server.store.update(assistant_id, lambda f: {**f, "temperature": 1.5}, 0)
    change = next(c for c in repo.plan().resource_changes if c.key == "math-tutor")
    assert (change.action, change.reasons) == (Action.UPDATE, [Reason.DRIFT])
    assert [(f.path, f.before, f.after, f.drift) for f in change.changes] == [
        ("temperature", 1.5, 0.2, True)
    ]
    assert change.request == {"temperature": 0.2}


def test_target_narrows_the_plan(repo: Repo) -> None:
    plan = repo.plan("--target", "support/*", "--target", "json-bot")
    assert [c.key for c in plan.resource_changes] == [
        "json-bot",
        "support/summarizer",
        "support/triage",
    ]
    assert plan.targets == ["support/*", "json-bot"]


def test_replace_forces_a_replacement(repo: Repo) -> None:
    repo.apply()
    plan = repo.plan("--replace", "math-tutor")
    [change] = [c for c in plan.resource_changes if c.action is not Action.NOOP]
    assert (change.key, change.action, change.reasons) == (
        "math-tutor",
        Action.REPLACE,
        [Reason.REPLACE_REQUESTED],
    )


def test_state_option_chooses_the_state_file(repo: Repo, tmp_path: Path) -> None:
    repo.apply()
    other = tmp_path / "elsewhere" / "other.json"
    plan = repo.plan("--state", str(other))
    assert plan.state.path.endswith(os.path.join("elsewhere", "other.json"))
    # An empty state facing assistants tagged for these keys: adopted, never created twice.
    assert plan.state.lineage == repo.state_file.load().lineage
    assert all(c.adopt for c in plan.resource_changes)
    assert_only_reasoning_effort_resent(plan)


def assert_only_reasoning_effort_resent(plan: Plan) -> None:
    """After adoption only what the API never returns is unknown, and so sent again."""
    acting = [c for c in plan.resource_changes if c.action is not Action.NOOP]
    assert [(c.key, c.action) for c in acting] == [("hr/policy-helper", Action.UPDATE)]
    assert [f.path for f in acting[0].changes] == ["reasoning_effort"]


# --- --out and --detailed-exitcode -------------------------------------------------------


def test_out_saves_the_plan_with_what_apply_checks(repo: Repo) -> None:
    repo.apply()
    (repo.root / "assistants" / "json-bot.yml").unlink()
    result = repo.run("plan", "--no-color", "--out", "plans/next.json")
    assert result.exit_code == 0, result.output
    assert "Saved the plan to plans/next.json" in result.stderr
    text = (repo.root / "plans" / "next.json").read_text(encoding="utf-8")
    saved = Plan.model_validate_json(text)
    state = repo.state_file.load()
    assert (saved.state.lineage, saved.state.serial) == (state.lineage, state.serial)
    assert saved.live.refreshed and saved.live.fingerprint
    [delete] = [c for c in saved.resource_changes if c.action is Action.DELETE]
    assert delete.key == "json-bot" and delete.id == state.resources["json-bot"].id
    assert delete.live_fingerprint and delete.forget
    assert FAKE_KEY not in text
    assert FAKE_KEY not in repo.state_file.path.read_text(encoding="utf-8")


def test_a_saved_plan_applies(repo: Repo) -> None:
    assert repo.run("plan", "--no-color", "--out", "plan.json").exit_code == 0
    result = repo.run("apply", "plan.json", "--no-color")
    assert result.exit_code == 0, result.output
    assert repo.run("plan", "--detailed-exitcode").exit_code == 0


def test_detailed_exitcode_2_changes_0_none(repo: Repo) -> None:
    assert repo.run("plan", "--detailed-exitcode").exit_code == 2
    assert repo.run("plan").exit_code == 0, "without the flag, changes are not a failure"
    repo.apply()
    result = repo.run("plan", "--detailed-exitcode", "--no-color")
    assert result.exit_code == 0, result.output


def test_detailed_exitcode_2_for_an_adoption_only(repo: Repo) -> None:
    repo.apply()
    # The state of an older commit: same lineage, entries missing. They are adopted.
    state = repo.state_file.load()
    repo.state_file.save(state.model_copy(update={"resources": {}}))
    plan = repo.plan("--target", "math-tutor")
    assert not plan.has_changes and [c.adopt for c in plan.resource_changes] == [True]
    assert repo.run("plan", "--target", "math-tutor", "--detailed-exitcode").exit_code == 2
    # reasoning_effort is not returned by the API: adopting, it can only be sent again.
    [change] = repo.plan("--target", "hr/policy-helper").resource_changes
    assert (change.action, change.reasons) == (Action.UPDATE, [Reason.ADOPTED, Reason.SPEC_CHANGED])
    assert [(c.path, c.compared_with) for c in change.changes] == [("reasoning_effort", "state")]


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (("plan",), {"OPENAI_API_KEY": None}),
        (("plan", "--env", "nope"), {}),
    ],
    ids=["no API key", "unknown environment"],
)
def test_detailed_exitcode_errors_exit_1_never_2(
    repo: Repo, args: tuple[str, ...], env: dict[str, str | None]
) -> None:
    result = repo.run(*args, "--detailed-exitcode", **env)
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("error: ")


# --- --no-refresh ---------------------------------------------------------------------------


def test_no_refresh_needs_no_key_and_no_server(repo: Repo, closed_port: str) -> None:
    repo.apply()
    (repo.root / "assistants" / "math-tutor.yaml").write_text(
        "model: gpt-4o\nname: Math Tutor v2\n", encoding="utf-8"
    )
    repo.server.stats.reset()
    plan = repo.plan("--no-refresh", OPENAI_API_KEY=None, OPENAI_BASE_URL=closed_port)
    assert not plan.live.refreshed and plan.live.requests == 0
    [change] = [c for c in plan.resource_changes if c.action is not Action.NOOP]
    assert (change.key, change.action) == ("math-tutor", Action.UPDATE)
    assert all(f.compared_with == "state" for f in change.changes)
    assert repo.server.stats.total == 0


# --- errors: one line, exit 1, no traceback, no key ----------------------------------------


def test_invalid_specs_fail_with_every_diagnostic(repo: Repo) -> None:
    (repo.root / "assistants" / "bad.yaml").write_text(
        "model: gpt-4o\ntemperature: 9\n", encoding="utf-8"
    )
    (repo.root / "assistants" / "worse.yaml").write_text("name: no model\n", encoding="utf-8")
    pairs = "".join(f"  k{i}: v\n" for i in range(16))  # the API's 16, but our tag takes one
    (repo.root / "assistants" / "full.yaml").write_text(
        f"model: gpt-4o\nmetadata:\n{pairs}", encoding="utf-8"
    )
    repo.server.stats.reset()
    result = repo.run("plan")
    assert result.exit_code == 1 and result.stdout == ""
    lines = result.stderr.splitlines()
    assert any(line.startswith(os.path.join("assistants", "bad.yaml") + ":2:") for line in lines)
    assert any(line.startswith(os.path.join("assistants", "worse.yaml") + ":1:") for line in lines)
    assert any(
        line.startswith(os.path.join("assistants", "full.yaml") + ":") and "16" in line
        for line in lines
    )
    assert "Traceback" not in result.stderr
    assert repo.server.stats.total == 0, "nothing is read from the server for invalid specs"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{ not json", "is unreadable"),
        (
            '{"format_version": 99, "lineage": "l", "serial": 1, "resources": {}}',
            "format_version 99",
        ),
    ],
    ids=["corrupt", "unknown version"],
)
def test_a_state_file_we_cannot_read_fails_the_plan(
    repo: Repo, content: str, expected: str
) -> None:
    repo.state_file.path.parent.mkdir(parents=True)
    repo.state_file.path.write_text(content, encoding="utf-8")
    assert_one_line_error(repo.run("plan"), "state file", expected)
    assert repo.state_file.path.read_text(encoding="utf-8") == content


def test_prevent_destroy_fails_the_plan_naming_the_assistant(repo: Repo) -> None:
    repo.apply()
    (repo.root / "assistants" / "support" / "triage.yaml").unlink()
    assert_one_line_error(
        repo.run("plan", "--detailed-exitcode"),
        "lifecycle.prevent_destroy forbids destroying 'support/triage' (delete)",
    )


@pytest.fixture
def closed_port() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (
            401,
            {"error": {"message": f"Incorrect API key provided: {FAKE_KEY}.", "code": "bad_key"}},
            "list assistants: HTTP 401 [bad_key]: Incorrect API key provided: ***.",
        ),
        (
            500,
            {"error": {"message": "The server had an error. Sorry!", "type": "server_error"}},
            "list assistants: HTTP 500 [server_error]: The server had an error.",
        ),
        (
            422,
            {"detail": [{"loc": ["query", "limit"], "msg": "bad limit", "input": FAKE_KEY}]},
            "list assistants: HTTP 422: bad limit (param: limit)",
        ),
    ],
    ids=["401 echoing the key", "500", "lenient 422"],
)
def test_api_errors_are_one_line_without_the_key(
    repo: Repo,
    scripted_server: Callable[..., SandboxServer],
    tmp_path: Path,
    status: int,
    body: Any,
    expected: str,
) -> None:
    # Retries are asked to come at once, so the 500 case does not wait out the backoff.
    server = scripted_server(status, body, {"retry-after-ms": "1"})
    out = tmp_path / "plan.json"
    result = repo.run("plan", "--out", str(out), OPENAI_BASE_URL=server.base_url)
    assert_one_line_error(result, expected)
    assert not out.exists() and not repo.state_file.path.exists()


def test_an_unreachable_api_names_the_url(repo: Repo, closed_port: str) -> None:
    result = repo.run("plan", OPENAI_BASE_URL=closed_port)
    assert_one_line_error(result, f"list assistants: cannot reach {closed_port}/")


# --- real processes on the built-in sandbox --------------------------------------------------


def spawn(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "ASSISTFORM_"))}
    return subprocess.run(
        [sys.executable, "-m", "assistform", *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_sandbox_plan_works_with_no_key_in_a_temp_repo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(EXAMPLES, tmp_path / "assistants")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner(env={"OPENAI_API_KEY": None, "OPENAI_BASE_URL": None})
    first = runner.invoke(cli, ["plan", "--sandbox", "--detailed-exitcode", "--format", "json"])
    assert first.exit_code == 2, first.output
    assert len(Plan.model_validate_json(first.stdout).resource_changes) == 6
    applied = runner.invoke(cli, ["apply", "--sandbox", "--auto-approve", "--no-color"])
    assert applied.exit_code == 0, applied.output
    again = spawn(tmp_path, "plan", "--sandbox", "--detailed-exitcode", "--no-color")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "No changes" in again.stdout and again.stderr == ""
    assert sorted(p.name for p in (tmp_path / ".assistform").iterdir()) == [
        "sandbox.json",
        "state.json",
        "state.json.backup",
    ]
    assert not (tmp_path / "state").exists(), "the team's state is never touched by --sandbox"


def test_a_lost_state_adopts_the_tagged_assistants_instead_of_creating_copies(repo: Repo) -> None:
    repo.apply()
    before = repo.state_file.load()
    live_ids = {a.id for a in repo.server.store.ordered()}
    repo.state_file.path.unlink()
    repo.state_file.backup_path.unlink(missing_ok=True)

    plan = repo.plan()

    assert plan.counts()[Action.CREATE] == 0
    assert {c.id for c in plan.resource_changes if c.adopt} == live_ids
    assert_only_reasoning_effort_resent(plan)
    assert plan.state.lineage == before.lineage
    assert any("was the state file lost?" in w for w in plan.warnings)
    repo.apply()
    assert {r.id for r in repo.state_file.load().resources.values()} == live_ids
    assert {a.id for a in repo.server.store.ordered()} == live_ids
    assert not repo.plan().has_changes


def test_an_empty_state_file_takes_on_the_lineage_it_adopts(repo: Repo) -> None:
    """A state file written but never filled (a run killed before its first change) is lost
    state too: its lineage must not split the journal from the tags."""
    repo.apply()
    live_ids = {a.id for a in repo.server.store.ordered()}
    repo.state_file.path.unlink()
    repo.state_file.save(State(lineage="0f0f0f0f-empty-state"), bump=False)

    assert not [c for c in repo.plan().resource_changes if c.action is Action.CREATE]
    repo.apply()

    state = repo.state_file.load()
    assert {r.id for r in state.resources.values()} == live_ids
    assert {a.id for a in repo.server.store.ordered()} == live_ids
    assert not repo.plan().has_changes


def test_an_empty_state_facing_two_lineages_refuses_to_guess(repo: Repo) -> None:
    import openai

    repo.apply()
    client = openai.OpenAI(base_url=repo.server.base_url, api_key=FAKE_KEY)
    [tutor] = [a for a in client.beta.assistants.list() if a.name == "Math Tutor"]
    client.beta.assistants.update(
        tutor.id, metadata={"assistform": "math-tutor@00000000-other-lineage@"}
    )
    repo.state_file.path.unlink()
    repo.state_file.backup_path.unlink(missing_ok=True)

    result = repo.run("plan")

    text = assert_one_line_error(result, "several lineages", "state rebuild --lineage")
    assert "00000000-other-lineage" in text
