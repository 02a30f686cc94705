"""The scheduled drift check: its workflow (least permissions, a plan per environment, issues
written by one job only) and scripts/drift_issue.py, which keeps one open issue per
environment while its plan shows drift and closes it once the plan is clean.

The script runs for real, against a fake `gh` on PATH that keeps issues in a JSON file and
logs every call; the plans it is given come from the real `assistform plan` on the sandbox
server, and the workflow's own shell steps run in bash as the runner would run them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from doubles import fake_gh_env

REPO_ROOT = next(p for p in Path(__file__).resolve().parents if (p / "pyproject.toml").is_file())
WORKFLOW = REPO_ROOT / ".github" / "workflows" / "assistform-drift.yml"
SCRIPT = REPO_ROOT / "scripts" / "drift_issue.py"
EXAMPLE = REPO_ROOT / "examples" / "multi-env"
REPO = "acme/assistants"
RUN_URL = "https://github.example/acme/assistants/actions/runs/7"

FAKE_GH = """\
#!{python}
# A stand-in for `gh api`: issues live in $FAKE_GH_DB, every call is logged there too.
import json, os, sys

db_path = os.environ["FAKE_GH_DB"]
with open(db_path) as f:
    db = json.load(f)
args = sys.argv[1:]
stdin = sys.stdin.read() if "--input" in args else None
db["calls"].append({{"args": args, "stdin": stdin}})
method = args[args.index("--method") + 1] if "--method" in args else "GET"
path = [a for a in args[1:] if a.startswith("repos/")][0]
parts = path.split("?")[0].split("/")  # repos, owner, name, issues[, number[, comments]]
code = 0
if db.get("fail"):
    print("HTTP 403: Resource not accessible by integration", file=sys.stderr)
    code = 1
elif method == "GET":
    # Open issues, two a page, printed back to back as `gh api --paginate` does.
    assert "state=open" in path, path
    issues = [i for i in db["issues"] if i["state"] == "open"]
    for start in range(0, max(len(issues), 1), 2):
        print(json.dumps(issues[start:start + 2]))
elif method == "POST" and len(parts) == 4:
    data = json.loads(stdin)
    issue = {{"number": len(db["issues"]) + 1, "state": "open", "comments": [], **data}}
    db["issues"].append(issue)
    print(json.dumps(issue))
else:
    (issue,) = [i for i in db["issues"] if i["number"] == int(parts[4])]
    if method == "POST":
        issue["comments"].append(json.loads(stdin)["body"])
    else:
        issue.update(json.loads(stdin))
    print(json.dumps(issue))
with open(db_path, "w") as f:
    json.dump(db, f)
sys.exit(code)
"""


def issue(number: int, body: str, *, state: str = "open", **extra: Any) -> dict[str, Any]:
    return {
        "number": number,
        "title": f"issue {number}",
        "body": body,
        "state": state,
        "comments": [],
        **extra,
    }


@dataclass
class FakeGitHub:
    db: Path
    env: dict[str, str]
    plans: Path

    def seed(self, *issues: dict[str, Any], fail: bool = False) -> None:
        self.db.write_text(json.dumps({"issues": list(issues), "calls": [], "fail": fail}))

    def state(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.db.read_text())
        return data

    def issues(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self.state()["issues"]
        return found

    def methods(self) -> list[str]:
        return [
            c["args"][c["args"].index("--method") + 1] if "--method" in c["args"] else "GET"
            for c in self.state()["calls"]
        ]

    def sync(self, env: str, exitcode: int, plan: str = "") -> subprocess.CompletedProcess[str]:
        body = self.plans / f"{env or 'none'}-{exitcode}.md"
        body.write_text(plan)
        args = ["--repo", REPO, "--exitcode", str(exitcode), "--body-file", str(body)]
        args += ["--run-url", RUN_URL, *(["--env", env] if env else [])]
        return subprocess.run(
            [sys.executable, str(SCRIPT), *args],
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )


@pytest.fixture
def github(tmp_path: Path) -> Iterator[FakeGitHub]:
    env = fake_gh_env(tmp_path, FAKE_GH.format(python=sys.executable))
    (tmp_path / "plans").mkdir()
    fake = FakeGitHub(tmp_path / "github.json", env, tmp_path / "plans")
    fake.seed(issue(1, "The docs are out of date."), issue(2, "Add a Spanish tutor?"))
    yield fake


PLAN_ONE = "<!-- assistform-plan -->\n## assistform plan\n\nPlan: 1 to update.\n"
PLAN_TWO = "<!-- assistform-plan -->\n## assistform plan\n\nPlan: 2 to update.\n"


def drift_issues(github: FakeGitHub, env: str) -> list[dict[str, Any]]:
    marker = f"<!-- assistform-drift:{env} -->" if env else "<!-- assistform-drift -->"
    return [i for i in github.issues() if i["body"].split("\n", 1)[0] == marker]


# -- the issue script, with a fake gh ------------------------------------------------------


def test_drift_opens_one_issue_with_the_plan(github: FakeGitHub) -> None:
    done = github.sync("prod", 2, PLAN_ONE)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "drift in 'prod': opened #3\n"
    (opened,) = drift_issues(github, "prod")
    assert opened["title"] == "assistform: drift in prod"
    assert opened["state"] == "open"
    body = opened["body"]
    assert body.startswith("<!-- assistform-drift:prod -->\n## assistform plan\n\nPlan: 1")
    assert "<!-- assistform-plan -->" not in body  # not a pull request's plan comment
    assert f"([run]({RUN_URL}))" in body
    get, post = github.state()["calls"]
    assert get["args"] == ["api", "--paginate", f"repos/{REPO}/issues?state=open&per_page=100"]
    assert post["args"] == ["api", "--method", "POST", f"repos/{REPO}/issues", "--input", "-"]


def test_drift_again_updates_the_same_issue_never_a_second(github: FakeGitHub) -> None:
    assert github.sync("prod", 2, PLAN_ONE).returncode == 0
    for plan in (PLAN_TWO, PLAN_ONE, PLAN_TWO):
        done = github.sync("prod", 2, plan)
        assert done.returncode == 0, done.stderr
        assert done.stdout == "drift in 'prod': updated #3\n"
    (kept,) = drift_issues(github, "prod")
    assert "Plan: 2 to update." in kept["body"]
    assert len(github.issues()) == 3
    assert github.methods() == ["GET", "POST", *["GET", "PATCH"] * 3]
    assert github.state()["calls"][-1]["args"][3] == f"repos/{REPO}/issues/3"


def test_a_clean_plan_closes_the_issue_with_a_comment(github: FakeGitHub) -> None:
    assert github.sync("prod", 2, PLAN_ONE).returncode == 0
    done = github.sync("prod", 0)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "no drift in 'prod': closed #3\n"
    (closed,) = drift_issues(github, "prod")
    assert (closed["state"], closed["state_reason"]) == ("closed", "completed")
    assert closed["comments"] == [f"The plan of 'prod' is clean again ([run]({RUN_URL})): closing."]
    assert github.methods() == ["GET", "POST", "GET", "POST", "PATCH"]

    # Clean again: nothing to close, nothing written.
    done = github.sync("prod", 0)
    assert done.stdout == "no drift in 'prod'\n"
    assert github.methods()[5:] == ["GET"]

    # Drift once more: a new issue, the closed one stays closed.
    assert github.sync("prod", 2, PLAN_TWO).stdout == "drift in 'prod': opened #4\n"
    assert [i["state"] for i in drift_issues(github, "prod")] == ["closed", "open"]


def test_other_environments_issues_are_left_alone(github: FakeGitHub) -> None:
    assert github.sync("dev", 2, PLAN_ONE).returncode == 0
    assert github.sync("", 2, PLAN_ONE).returncode == 0  # no environments: a marker of its own
    assert github.sync("prod", 2, PLAN_TWO).stdout == "drift in 'prod': opened #5\n"
    assert github.sync("prod", 0).stdout == "no drift in 'prod': closed #5\n"
    dev, no_env = drift_issues(github, "dev"), drift_issues(github, "")
    assert [(i["number"], i["state"]) for i in dev + no_env] == [(3, "open"), (4, "open")]
    assert "Plan: 1 to update." in dev[0]["body"]
    assert no_env[0]["title"] == "assistform: drift detected"
    # A name that merely starts like another is another environment.
    assert github.sync("dev-eu", 0).stdout == "no drift in 'dev-eu'\n"


def test_the_issue_is_found_on_a_later_page(github: FakeGitHub) -> None:
    others = [issue(n, f"unrelated {n}") for n in range(1, 6)]
    github.seed(*others, issue(6, "<!-- assistform-drift:prod -->\nold plan"), issue(7, "last"))
    done = github.sync("prod", 2, PLAN_TWO)
    assert done.stdout == "drift in 'prod': updated #6\n", done.stderr
    assert github.methods() == ["GET", "PATCH"]
    assert "Plan: 2 to update." in drift_issues(github, "prod")[0]["body"]


def test_quotes_pull_requests_and_closed_issues_are_not_the_issue(github: FakeGitHub) -> None:
    github.seed(
        issue(1, "> <!-- assistform-drift:prod -->\n> quoting it"),
        issue(2, "see <!-- assistform-drift:prod -->"),
        issue(3, "<!-- assistform-drift:prod -->\n", pull_request={"url": "..."}),
        issue(4, "<!-- assistform-drift:prod -->\nfixed long ago", state="closed"),
    )
    assert github.sync("prod", 2, PLAN_ONE).stdout == "drift in 'prod': opened #5\n"


@pytest.mark.parametrize("exitcode", [1, 3, 130])
def test_a_failed_plan_opens_updates_and_closes_nothing(github: FakeGitHub, exitcode: int) -> None:
    github.seed(issue(1, "<!-- assistform-drift:prod -->\nthe plan"))
    before = github.issues()
    done = github.sync("prod", exitcode, "assistform plan failed")
    assert done.returncode == 1
    assert done.stderr == (
        f"error: the plan of 'prod' failed (exit {exitcode}): no issue opened, updated or closed\n"
    )
    assert github.state()["calls"] == []
    assert github.issues() == before
    github.seed()
    assert github.sync("dev", exitcode).returncode == 1
    assert github.issues() == []


def test_the_body_fits_github(github: FakeGitHub) -> None:
    assert github.sync("prod", 2, PLAN_ONE + "x" * 70_000).returncode == 0
    body = drift_issues(github, "prod")[0]["body"]
    assert len(body) == 65_536
    assert "*(truncated: the full plan is in the workflow run's artifacts)*" in body
    assert body.endswith("closes itself after the next clean check.\n")


def test_a_gh_failure_fails_with_its_message(github: FakeGitHub) -> None:
    github.seed(fail=True)
    done = github.sync("prod", 2, PLAN_ONE)
    assert done.returncode == 1
    assert done.stderr == (
        f"error: gh api --paginate repos/{REPO}/issues?state=open&per_page=100: "
        "HTTP 403: Resource not accessible by integration\n"
    )


# -- with the plans assistform really writes -------------------------------------------------


def assistform(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("OPENAI_")}
    return subprocess.run(
        [sys.executable, "-m", "assistform", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_real_plans_open_then_close_the_issue(github: FakeGitHub, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "assistants").mkdir(parents=True)
    (repo / "assistants" / "tutor.yaml").write_text("model: gpt-4o\nname: Tutor\n")
    plan = ("plan", "--sandbox", "--format", "markdown", "--detailed-exitcode")

    drifted = assistform(repo, *plan)
    assert drifted.returncode == 2, drifted.stderr
    assert github.sync("", 2, drifted.stdout).stdout == "drift in (no environment): opened #3\n"
    (opened,) = drift_issues(github, "")
    assert "tutor" in opened["body"] and "create" in opened["body"]

    applied = assistform(repo, "apply", "--sandbox", "--auto-approve")
    assert applied.returncode == 0, applied.stderr
    clean = assistform(repo, *plan)
    assert clean.returncode == 0, clean.stderr
    assert github.sync("", 0, clean.stdout).stdout == "no drift in (no environment): closed #3\n"

    (repo / "assistants" / "broken.yaml").write_text("model: gpt-4o\ntemprature: 3\n")
    failed = assistform(repo, *plan)
    assert failed.returncode == 1
    assert github.sync("", failed.returncode, failed.stdout).returncode == 1
    assert [i["state"] for i in drift_issues(github, "")] == ["closed"]


def test_the_matrix_has_one_entry_per_environment(tmp_path: Path) -> None:
    envs = assistform(EXAMPLE, "envs", "--format", "json")
    assert envs.returncode == 0, envs.stderr
    (tmp_path / "envs.json").write_text(envs.stdout)
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "matrix", str(tmp_path / "envs.json")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(done.stdout) == [
        {"env": "dev", "label": "dev", "api_key_env": "ASSISTFORM_DEV_API_KEY"},
        {"env": "prod", "label": "prod", "api_key_env": "ASSISTFORM_PROD_API_KEY"},
    ]
    assert "\n" not in done.stdout.rstrip("\n")  # one line: it goes to $GITHUB_OUTPUT

    (tmp_path / "none").mkdir()
    envs = assistform(tmp_path / "none", "envs", "--format", "json")
    (tmp_path / "envs.json").write_text(envs.stdout)
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "matrix", str(tmp_path / "envs.json")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(done.stdout) == [
        {"env": "", "label": "none", "api_key_env": "OPENAI_API_KEY"}
    ]


# -- the workflow --------------------------------------------------------------------------


def load_workflow() -> dict[str, Any]:
    data: dict[str, Any] = YAML(typ="safe", pure=True).load(WORKFLOW.read_text("utf-8"))
    return data


def step(job: str, name: str) -> dict[str, Any]:
    (found,) = [s for s in load_workflow()["jobs"][job]["steps"] if s.get("name") == name]
    return found


def test_the_workflow_runs_on_a_schedule_and_on_demand() -> None:
    data = load_workflow()
    assert set(data["on"]) == {"schedule", "workflow_dispatch"}
    assert data["on"]["schedule"][0]["cron"]
    # Not the apply's group: a queued check there would cancel a queued apply.
    assert data["concurrency"]["group"] != "assistform-apply"


def test_only_the_issue_job_may_write_and_only_issues() -> None:
    data = load_workflow()
    assert data["permissions"] == {}
    granted = {name: job.get("permissions") for name, job in data["jobs"].items()}
    assert granted == {
        "environments": {"contents": "read"},
        "plan": {"contents": "read"},
        "issues": {"contents": "read", "issues": "write"},
    }
    # The job that writes issues gets no key to the server.
    assert "secrets." not in json.dumps(data["jobs"]["issues"])


def test_each_environment_is_planned_with_its_own_key() -> None:
    data = load_workflow()
    plan = data["jobs"]["plan"]
    assert plan["needs"] == "environments"
    assert plan["strategy"]["fail-fast"] is False
    assert plan["strategy"]["matrix"]["include"] == (
        "${{ fromJSON(needs.environments.outputs.matrix) }}"
    )
    key = step("plan", "Hand over the environment's key")
    assert key["env"]["KEY"] == "${{ secrets[matrix.api_key_env] }}"
    run = step("plan", "Plan")
    assert (run["uses"], run["with"]["command"]) == ("./", "plan")
    assert "--env {0}" in run["with"]["args"]
    listing = step("environments", "List the environments")["run"]
    assert "assistform envs --format json" in listing
    assert "scripts/drift_issue.py matrix" in listing


def test_the_issue_job_syncs_every_result_and_runs_after_failed_plans() -> None:
    job = load_workflow()["jobs"]["issues"]
    assert job["needs"] == "plan"
    assert job["if"] == "${{ !cancelled() }}"  # the clean environments still get closed
    script = step("issues", "Open, update or close the drift issues")["run"]
    assert "scripts/drift_issue.py" in script and "--exitcode" in script


def run_step(
    job: str, name: str, cwd: Path, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", step(job, name)["run"]],
        cwd=cwd,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_key_step_hands_over_the_key_and_fails_without_one(tmp_path: Path) -> None:
    github_env = tmp_path / "github_env"
    github_env.write_text("")
    env = {"GITHUB_ENV": str(github_env), "KEY_VARIABLE": "ASSISTFORM_PROD_API_KEY"}
    done = run_step("plan", "Hand over the environment's key", tmp_path, {**env, "KEY": "sk-1"})
    assert done.returncode == 0, done.stderr
    name, value, end = github_env.read_text().splitlines()
    assert name.startswith("ASSISTFORM_PROD_API_KEY<<EOF_") and end == name.split("<<")[1]
    assert value == "sk-1"

    done = run_step("plan", "Hand over the environment's key", tmp_path, {**env, "KEY": ""})
    assert done.returncode == 1
    assert "no secret named ASSISTFORM_PROD_API_KEY" in done.stdout


def test_the_issue_step_syncs_each_environment_and_fails_if_one_fails(
    github: FakeGitHub, tmp_path: Path
) -> None:
    work = tmp_path / "work"
    (work / "scripts").mkdir(parents=True)
    for script in ("drift_issue.py", "sticky_comment.py"):
        (work / "scripts" / script).write_text((SCRIPT.parent / script).read_text())
    github.seed(issue(1, "<!-- assistform-drift:dev -->\nold plan"))
    for env, exitcode in (("dev", "0"), ("prod", "2"), ("staging", "1")):
        result = work / "drift" / f"assistform-drift-{env}"
        result.mkdir(parents=True)
        (result / "environment").write_text(env)
        (result / "exitcode").write_text(exitcode)
        (result / "plan.md").write_text(PLAN_ONE)
    env = {**github.env, "GITHUB_REPOSITORY": REPO, "RUN_URL": RUN_URL}
    done = run_step("issues", "Open, update or close the drift issues", work, env)
    assert done.returncode == 1  # staging's plan failed: the job is red
    assert done.stdout == "no drift in 'dev': closed #1\ndrift in 'prod': opened #2\n"
    assert "the plan of 'staging' failed (exit 1)" in done.stderr
    assert [(i["number"], i["state"]) for i in github.issues()] == [(1, "closed"), (2, "open")]
