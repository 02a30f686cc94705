"""`assistform output`: after a real apply, every format gives the ids the live server has;
mistakes are one line; each environment reads its own state; and it stays offline and light.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from assistform.cli.main import cli
from assistform.sandbox import SandboxServer
from test_outputs import parse_github_output

from .applyrepo import FAST, Repo


@pytest.fixture
def repo(make_repo: Callable[..., Repo]) -> Repo:
    """Three applied assistants whose keys hold `/`, `-` and `.`."""
    made = make_repo()
    made.write(
        "support/triage",
        name="Support triage",
        tools=[{"type": "file_search"}],
        tool_resources={"file_search": {"vector_store_ids": ["vs_kb"]}},
    )
    made.write("my-bot.v2", name="It's $HOME", model="gpt-4.1-mini")
    (made.root / "assistants" / "plain.yaml").write_text("model: gpt-4o\n")  # no name
    applied = made.run("apply", "--auto-approve", *FAST)
    assert applied.exit_code == 0, applied.output
    return made


def live_outputs(repo: Repo) -> dict[str, dict[str, Any]]:
    """What the server itself holds, by key: the truth `output` must give."""
    by_key = {}
    for assistant in repo.live():
        tag = assistant.raw["metadata"]["assistform"]
        resources = assistant.raw.get("tool_resources") or {}
        stores = (resources.get("file_search") or {}).get("vector_store_ids") or []
        by_key[tag.split("@")[0]] = {
            "id": assistant.id,
            "name": assistant.raw["name"],
            "model": assistant.raw["model"],
            "vector_store_ids": stores,
        }
    return by_key


def output(repo: Repo, *args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner(env=env).invoke(cli, ["output", *args])
    return result.exit_code, result.stdout, result.stderr


def test_json_gives_what_the_live_server_has(repo: Repo) -> None:
    code, out, err = output(repo)
    assert (code, err) == (0, "")
    document = json.loads(out)
    assert document == {
        "format_version": 1,
        "env": None,
        "outputs": live_outputs(repo),
        "missing": [],
    }
    assert sorted(document["outputs"]) == ["my-bot.v2", "plain", "support/triage"]
    assert document["outputs"]["support/triage"]["vector_store_ids"] == ["vs_kb"]
    assert document["outputs"]["plain"]["name"] is None


def test_keys_narrow_the_output_in_the_order_given(repo: Repo) -> None:
    code, out, _ = output(repo, "plain", "support/triage", "plain")
    assert code == 0
    assert list(json.loads(out)["outputs"]) == ["plain", "support/triage"]


def test_dotenv_and_shell_name_every_key_by_the_rule(repo: Repo) -> None:
    live = live_outputs(repo)
    code, out, _ = output(repo, "--format", "dotenv")
    assert code == 0
    assert out.splitlines() == [
        f"ASSISTFORM_MY_BOT_V2_ID={live['my-bot.v2']['id']}",
        'ASSISTFORM_MY_BOT_V2_NAME="It\'s $HOME"',
        "ASSISTFORM_MY_BOT_V2_MODEL=gpt-4.1-mini",
        "ASSISTFORM_MY_BOT_V2_VECTOR_STORE_IDS=",
        f"ASSISTFORM_PLAIN_ID={live['plain']['id']}",
        "ASSISTFORM_PLAIN_NAME=",
        "ASSISTFORM_PLAIN_MODEL=gpt-4o",
        "ASSISTFORM_PLAIN_VECTOR_STORE_IDS=",
        f"ASSISTFORM_SUPPORT_TRIAGE_ID={live['support/triage']['id']}",
        "ASSISTFORM_SUPPORT_TRIAGE_NAME='Support triage'",
        "ASSISTFORM_SUPPORT_TRIAGE_MODEL=gpt-4o",
        "ASSISTFORM_SUPPORT_TRIAGE_VECTOR_STORE_IDS=vs_kb",
    ]
    code, out, _ = output(repo, "--format", "shell", "support/triage")
    assert code == 0
    assert out == (
        f"export ASSISTFORM_SUPPORT_TRIAGE_ID={live['support/triage']['id']}\n"
        "export ASSISTFORM_SUPPORT_TRIAGE_NAME='Support triage'\n"
        "export ASSISTFORM_SUPPORT_TRIAGE_MODEL=gpt-4o\n"
        "export ASSISTFORM_SUPPORT_TRIAGE_VECTOR_STORE_IDS=vs_kb\n"
    )


def test_github_appends_to_the_output_file(repo: Repo, tmp_path: Path) -> None:
    target = tmp_path / "github_output"
    target.write_text("earlier=kept\n")
    code, out, err = output(repo, "--format", "github", env={"GITHUB_OUTPUT": str(target)})
    assert (code, err) == (0, "")
    assert out == "3 assistant(s) written to $GITHUB_OUTPUT.\n"
    parsed = parse_github_output(target.read_text())
    live = live_outputs(repo)
    assert parsed["earlier"] == "kept"
    assert parsed["support_triage_id"] == live["support/triage"]["id"]
    assert parsed["support_triage_vector_store_ids"] == "vs_kb"
    assert parsed["my_bot_v2_name"] == "It's $HOME"
    assert parsed["plain_model"] == "gpt-4o"
    assert json.loads(parsed["json"])["outputs"] == live


def test_github_without_its_file_is_one_line(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_OUTPUT", raising=False)
    code, out, err = output(repo, "--format", "github")
    assert (code, out) == (1, "")
    assert err == (
        "error: --format github appends to the file $GITHUB_OUTPUT names, and it is not set "
        "(outside GitHub Actions, use --format json, dotenv or shell)\n"
    )


def test_an_unknown_key_is_one_line_with_a_suggestion(repo: Repo) -> None:
    code, out, err = output(repo, "support/triag")
    assert (code, out) == (1, "")
    assert err == (
        "error: unknown key 'support/triag' (did you mean 'support/triage'?): no spec "
        "declares it and state/assistform.json has no entry for it\n"
    )


def test_a_key_declared_but_not_applied_says_so(repo: Repo) -> None:
    repo.write("team/new")
    code, out, err = output(repo, "--format", "dotenv")
    assert (code, out) == (1, "")
    assert err == (
        "error: team/new is declared but not applied yet (state/assistform.json has no id for "
        "it): run `assistform apply`, or pass --allow-missing to leave it out\n"
    )
    code, out, _ = output(repo, "--allow-missing")
    assert code == 0
    document = json.loads(out)
    assert document["missing"] == ["team/new"]
    assert "team/new" not in document["outputs"]
    code, out, err = output(repo, "--allow-missing", "--format", "shell", "team/new", "plain")
    assert code == 0
    assert err == "warning: team/new is declared but not applied yet: left out\n"
    assert "ASSISTFORM_PLAIN_ID=" in out and "TEAM_NEW" not in out


def test_a_key_removed_from_the_specs_still_has_its_live_id(repo: Repo) -> None:
    repo.remove("plain")  # not applied yet: the assistant is still live
    code, out, _ = output(repo, "plain")
    assert code == 0
    assert json.loads(out)["outputs"]["plain"]["id"] == live_outputs(repo)["plain"]["id"]


def test_two_keys_with_one_variable_name_are_an_error(repo: Repo) -> None:
    repo.write("my_bot/v2")
    assert repo.run("apply", "--auto-approve", *FAST).exit_code == 0
    code, _, err = output(repo, "--format", "shell")
    assert code == 1
    assert err == (
        "error: keys 'my-bot.v2' and 'my_bot/v2' both give the variable "
        "ASSISTFORM_MY_BOT_V2_ID: rename one of them (or ask for one at a time)\n"
    )
    assert output(repo, "--format", "shell", "my_bot/v2")[0] == 0


def test_before_any_apply_everything_is_missing(make_repo: Callable[..., Repo]) -> None:
    repo = make_repo()
    assert output(repo) == (
        0,
        json.dumps({"format_version": 1, "env": None, "outputs": {}, "missing": []}, indent=2)
        + "\n",
        "",
    )
    repo.write("a")
    code, _, err = output(repo)
    assert code == 1 and "a is declared but not applied yet" in err
    repo.write_many(9)
    code, _, err = output(repo)
    assert (code, err.count("\n")) == (1, 1)
    assert err.startswith(
        "error: a, team/bot000, team/bot001, team/bot002, team/bot003 and 5 more are declared "
        "but not applied yet (state/assistform.json has no id for them): run `assistform "
        "apply`, or pass --allow-missing to leave them out"
    )


# -- as real processes ---------------------------------------------------------------------


def process(repo: Repo, *args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "PYTHONWARNINGS")}
    return subprocess.run(
        args, cwd=repo.root, env=env, capture_output=True, text=True, timeout=60, **kwargs
    )


def test_shell_output_is_evaluated_by_a_real_bash(repo: Repo) -> None:
    live = live_outputs(repo)
    done = process(
        repo,
        "bash",
        "-c",
        'eval "$("$0" -m assistform output --format shell)" && '
        'printf "%s\\n" "$ASSISTFORM_SUPPORT_TRIAGE_ID" "$ASSISTFORM_MY_BOT_V2_NAME" '
        '"$ASSISTFORM_SUPPORT_TRIAGE_VECTOR_STORE_IDS"',
        sys.executable,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.splitlines() == [live["support/triage"]["id"], "It's $HOME", "vs_kb"]


FORBIDDEN = ("openai", "httpx", "httpx2", "httpcore", "urllib3", "requests", "http.client")


def test_output_reads_offline_and_imports_nothing_that_talks_to_the_network(repo: Repo) -> None:
    done = process(repo, sys.executable, "-X", "importtime", "-m", "assistform", "output", "plain")
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout)["outputs"]["plain"]["id"] == live_outputs(repo)["plain"]["id"]
    imported = {
        line.split("|")[-1].strip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    # The probe works (the command module itself comes through importlib, which
    # -X importtime does not list).
    assert "assistform.outputs" in imported
    offending = sorted(
        name for name in imported if any(name == f or name.startswith(f + ".") for f in FORBIDDEN)
    )
    assert offending == []


# -- environments --------------------------------------------------------------------------


def test_each_environment_reads_its_own_state(
    multi_env: Path, make_api_server: Callable[..., SandboxServer]
) -> None:
    server = make_api_server()
    keys = {"ASSISTFORM_DEV_API_KEY": "sk-dev", "ASSISTFORM_PROD_API_KEY": "sk-prod"}
    for env in ("dev", "prod"):
        result = CliRunner(env=keys).invoke(
            cli, ["apply", "--env", env, "--base-url", server.base_url, "--auto-approve", *FAST]
        )
        assert result.exit_code == 0, result.output
    assert (multi_env / "state" / "dev.json").is_file()
    assert (multi_env / "state" / "production.json").is_file()

    documents = {}
    for args, env in (
        (("--env", "prod"), None),
        ((), {"ASSISTFORM_ENV": "prod"}),
        ((), None),  # dev, the default
        (("--env", "dev"), None),
    ):
        result = CliRunner(env=env).invoke(cli, ["output", *args])
        assert result.exit_code == 0, result.output
        document = json.loads(result.stdout)
        documents.setdefault(document["env"], []).append(document)
    prod, dev = documents["prod"], documents["dev"]
    assert prod[0] == prod[1] and dev[0] == dev[1]
    prod_triage, dev_triage = (
        prod[0]["outputs"]["support/triage"],
        dev[0]["outputs"]["support/triage"],
    )
    assert prod_triage["id"] != dev_triage["id"]
    assert prod_triage["vector_store_ids"] == ["vs_prod_kb"]  # prod's override
    assert (dev_triage["vector_store_ids"], dev_triage["model"]) == (["vs_dev_kb"], "gpt-4.1-mini")
    assert sorted(prod[0]["outputs"]) == ["support/triage", "writer"]  # no overlay as a key

    unknown = CliRunner().invoke(cli, ["output", "--env", "pord"])
    assert unknown.exit_code == 2
    assert unknown.stderr.startswith("error: unknown environment 'pord' (did you mean 'prod'?)")


def test_the_sandbox_keeps_its_own_outputs(multi_env: Path) -> None:
    assert (
        CliRunner().invoke(cli, ["apply", "--sandbox", "--env", "prod", "--auto-approve"]).exit_code
        == 0
    )
    sandboxed = CliRunner().invoke(cli, ["output", "--sandbox", "--env", "prod"])
    assert sandboxed.exit_code == 0, sandboxed.output
    assert json.loads(sandboxed.stdout)["outputs"]["writer"]["id"]
    # The committed state of prod knows nothing of the sandbox's assistants.
    committed = CliRunner().invoke(cli, ["output", "--env", "prod"])
    assert committed.exit_code == 1
    assert "support/triage and writer are declared but not applied yet" in committed.stderr
