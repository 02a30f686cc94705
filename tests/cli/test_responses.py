"""`assistform render --responses`: one JSON object keyed by spec key, in the environment.

The mapping itself (and its validity against OpenAI's `CreateResponse` schema) is tested in
tests/test_responses.py; here, that the command prints exactly that mapping for the right
specs, merged for the right environment.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from assistform.cli.main import cli
from assistform.responses import to_responses
from assistform.spec.load import load_specs


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def render(*args: str) -> dict[str, Any]:
    code, out, err = run("render", "--responses", *args)
    assert code == 0, err
    parsed: dict[str, Any] = json.loads(out)
    return parsed


def test_prints_every_spec_as_the_default_environment_merges_it(multi_env: Path) -> None:
    expected = {
        s.key: to_responses(s.spec).as_json() for s in load_specs(multi_env, env="dev").specs
    }
    assert render() == expected
    assert list(expected) == ["support/triage", "writer"]
    assert expected["writer"]["request"]["model"] == "gpt-4.1-mini"  # dev's override


def test_env_selects_overrides_and_overlays(multi_env: Path) -> None:
    prod = render("--env", "prod")
    triage = prod["support/triage"]["request"]
    assert triage["model"] == "gpt-4.1"
    assert triage["tools"][0]["vector_store_ids"] == ["vs_prod_kb"]  # prod's override
    assert triage["temperature"] == 0.3  # triage.prod.yaml
    assert triage["metadata"] == {"team": "support", "tier": "production"}


def test_keys_select_specs_by_glob(multi_env: Path) -> None:
    assert list(render("support/*")) == ["support/triage"]
    assert list(render("writer", "support/triage")) == ["support/triage", "writer"]


def test_unmapped_fields_are_listed_and_counted_on_stderr(multi_env: Path) -> None:
    code, out, err = run("render", "--responses", "writer")
    assert code == 0
    assert json.loads(out)["writer"]["unmapped"] == [
        {"field": "name", "reason": "a Responses request has no name"}
    ]
    assert err == (
        'note: 1 spec field(s) have no Responses equivalent; each is listed under "unmapped"\n'
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["render"], "error: say what to render: --responses (the one rendering so far)\n"),
        (
            ["render", "--responses", "nobody"],
            "error: no spec has a key matching 'nobody'\n",
        ),
        (
            ["render", "--responses", "--env", "qa"],
            "error: unknown environment 'qa'; assistform.yaml declares: dev, prod\n",
        ),
    ],
)
def test_usage_errors(multi_env: Path, args: list[str], message: str) -> None:
    code, out, err = run(*args)
    assert (code, out, err) == (2, "", message)


def test_invalid_specs_are_reported_not_rendered(multi_env: Path) -> None:
    (multi_env / "assistants" / "writer.prod.yaml").write_text("temperature: 5\n")
    assert run("render", "--responses")[0] == 0  # dev is not affected
    code, out, err = run("render", "--responses", "--env", "prod")
    assert (code, out) == (1, "")
    assert err == "assistants/writer.prod.yaml:1:14: error: temperature must be at most 2, not 5\n"


def test_without_environments(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "assistants").mkdir()
    (tmp_path / "assistants" / "bot.yaml").write_text("model: m\nreasoning_effort: low\n")
    monkeypatch.chdir(tmp_path)
    assert render() == {
        "bot": {"request": {"model": "m", "reasoning": {"effort": "low"}}, "unmapped": []}
    }
