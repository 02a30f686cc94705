"""`--env` on the commands: which specs, state file and server each environment gets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistform.api.connect import ServerOptions, connect
from assistform.api.retry import RetryPolicy
from assistform.workspace import Workspace


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    from assistform.cli.main import cli

    result = CliRunner(env=env).invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


PROD_OVERLAY_ERROR = (
    "assistants/support/triage.prod.yaml:2:14: error: temperature 0.9 is above the largest "
    "allowed, 0.7 (policy max_temperature)"
)


@pytest.fixture
def hot_prod(multi_env: Path) -> Path:
    """prod's overlay breaks prod's policy; the specs as written and dev are fine."""
    overlay = multi_env / "assistants" / "support" / "triage.prod.yaml"
    overlay.write_text("lifecycle: {prevent_destroy: true}\ntemperature: 0.9\n")
    return multi_env


def test_the_example_is_valid_in_every_environment(multi_env: Path) -> None:
    assert run("validate") == (0, "2 specs valid.\n", "")


def test_validate_without_env_checks_every_environment(hot_prod: Path) -> None:
    code, _, err = run("validate")
    assert code == 1
    assert err.splitlines() == [
        PROD_OVERLAY_ERROR + " (environment 'prod')",
        "2 specs: 1 error, 0 warnings.",
    ]


def test_validate_with_env_checks_that_environment(hot_prod: Path) -> None:
    assert run("validate", "--env", "dev")[0] == 0
    code, _, err = run("validate", "--env", "prod")
    assert code == 1
    assert err.splitlines()[0] == PROD_OVERLAY_ERROR
    assert run("validate", env={"ASSISTFORM_ENV": "prod"})[0] == 1


def test_validate_an_unknown_env_is_a_usage_error(multi_env: Path) -> None:
    code, _, err = run("validate", "--env", "pord")
    assert (code, err) == (
        2,
        "error: unknown environment 'pord' (did you mean 'prod'?); "
        "assistform.yaml declares: dev, prod\n",
    )


def test_validate_reports_a_broken_assistform_yaml(multi_env: Path) -> None:
    config = multi_env / "assistform.yaml"
    text = config.read_text().replace("\n  max_temperature:", "\n  max_temprature:")
    config.write_text(text)
    line = text.splitlines().index("  max_temprature: 1.2") + 1
    code, _, err = run("validate")
    assert code == 1
    # The environments are still known, so overlays are still not taken for specs.
    assert err.splitlines() == [
        f"assistform.yaml:{line}:3: error: unknown field 'max_temprature' in policy "
        "(did you mean 'max_temperature'?)",
        "2 specs: 1 error, 0 warnings.",
    ]


@pytest.mark.parametrize(
    ("args", "state", "model"),
    [
        ([], "state/dev.json", "gpt-4.1-mini"),  # the default environment
        (["--env", "prod"], "state/production.json", "gpt-4o"),
        (["--env", "prod", "--state", "elsewhere.json"], "elsewhere.json", "gpt-4o"),
    ],
)
def test_plan_uses_the_environment_state_and_specs(
    multi_env: Path, args: list[str], state: str, model: str
) -> None:
    code, out, err = run("plan", "--no-refresh", "--format", "json", *args)
    assert code == 0, err
    plan = json.loads(out)
    assert plan["state"]["path"] == state
    writer = next(c for c in plan["resource_changes"] if c["key"] == "writer")
    assert writer["request"]["model"] == model


def test_discover_state_paths(multi_env: Path) -> None:
    root = multi_env.resolve()

    def state(**kwargs: object) -> Path:
        return Workspace.discover(multi_env, **kwargs).state_file.path  # type: ignore[arg-type]

    assert state() == root / "state" / "dev.json"
    assert state(env="prod") == root / "state" / "production.json"
    assert state(env="prod", sandbox=True) == root / ".assistform" / "state-prod.json"
    (multi_env / "assistform.yaml").write_text("policy: {}\n")
    assert state() == root / "state" / "assistform.json"
    assert state(sandbox=True) == root / ".assistform" / "state.json"


def test_server_options_come_from_the_environment(multi_env: Path) -> None:
    prod = Workspace.discover(multi_env, env="prod")
    assert prod.server_options(sandbox=False, base_url=None) == ServerOptions(
        base_url=None,
        api_key_env="ASSISTFORM_PROD_API_KEY",
        organization="org-acme",
        project="proj-assistants",
        headers={"X-Team": "support"},
        timeout=60.0,
        retry=RetryPolicy(max_tries=5),  # max_retries: 4
    )
    dev = Workspace.discover(multi_env)
    assert dev.server_options(sandbox=False, base_url=None).base_url == "http://localhost:8080/v1"
    flagged = dev.server_options(sandbox=False, base_url="http://other/v1")
    assert flagged.base_url == "http://other/v1"


def test_each_environment_has_its_own_sandbox(multi_env: Path) -> None:
    prod = Workspace.discover(multi_env, env="prod", sandbox=True)
    options = prod.server_options(sandbox=True, base_url=None)
    assert options.sandbox_data == Path(".assistform/sandbox-prod.json")
    connect(options, prod.root).create({"model": "gpt-4o"})
    assert (multi_env / ".assistform" / "sandbox-prod.json").is_file()
    assert not (multi_env / ".assistform" / "sandbox.json").exists()


def test_a_missing_key_names_the_environment_variable(
    multi_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    code, _, err = run("plan", "--env", "prod")
    assert code == 2
    assert "ASSISTFORM_PROD_API_KEY" in err
