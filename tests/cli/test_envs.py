"""`assistform envs`: each environment, its state file and whether its key is set, never the
key itself."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistform.cli.main import cli

#: A key value distinctive enough that finding it anywhere in the output means a leak.
SECRET = "sk-assistform-test-3f9c1d7e0b2a"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_lists_every_environment_as_a_table(multi_env: Path) -> None:
    (multi_env / "state" / "dev.json").write_text("{}")
    code, out, _ = run("envs")
    assert code == 0
    assert out.splitlines() == [
        "ENVIRONMENT    STATE                                    SERVER"
        "                                 KEY VARIABLE",
        "dev (default)  state/dev.json                           http://localhost:8080/v1"
        "               ASSISTFORM_DEV_API_KEY (NOT SET)",
        "prod           state/production.json (not created yet)  $OPENAI_BASE_URL or the "
        "SDK's default  ASSISTFORM_PROD_API_KEY (NOT SET)",
    ]


def test_says_whether_the_key_is_set_never_what_it_is(
    multi_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASSISTFORM_PROD_API_KEY", SECRET)
    for fmt in ("text", "json"):
        code, out, err = run("envs", "--format", fmt)
        assert code == 0
        assert SECRET not in out + err
        assert SECRET[3:12] not in out + err
    rows = json.loads(run("envs", "--format", "json")[1])["environments"]
    assert {r["name"]: r["api_key_set"] for r in rows} == {"dev": False, "prod": True}
    assert "ASSISTFORM_PROD_API_KEY (set)" in run("envs")[1]


def test_json_rows(multi_env: Path) -> None:
    rows = json.loads(run("envs", "--format", "json")[1])["environments"]
    assert rows[1] == {
        "name": "prod",
        "default": False,
        "state": "state/production.json",
        "state_exists": False,
        "base_url": None,
        "api_key_env": "ASSISTFORM_PROD_API_KEY",
        "api_key_set": False,
    }


def test_without_assistform_yaml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "assistants").mkdir()
    monkeypatch.chdir(tmp_path)
    code, out, _ = run("envs")
    assert (code, out) == (
        0,
        "No environments: there is no assistform.yaml. "
        "Commands use state/assistform.json and $OPENAI_API_KEY.\n",
    )
    assert json.loads(run("envs", "--format", "json")[1]) == {"environments": []}
    (tmp_path / "assistform.yaml").write_text("policy: {}\n")
    assert run("envs")[1].startswith("No environments: assistform.yaml declares none.")


def test_an_invalid_config_is_one_error_line(multi_env: Path) -> None:
    (multi_env / "assistform.yaml").write_text("environments:\n  dev: {defualt: true}\n")
    code, _, err = run("envs")
    assert code == 1
    assert err == (
        "assistform.yaml:2:9: error: unknown field 'defualt' in environments.dev "
        "(did you mean 'default'?)\n"
    )
