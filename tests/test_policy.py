"""Policy rules, as a table: for each rule, specs that pass and specs that fail, with every
diagnostic exactly (`path:line:col: severity: message`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assistform.config import Policy
from assistform.policy import check
from assistform.spec.load import load_specs

SPEC = "assistants/bot.yaml"


def case(case_id: str, policy: str, spec: str, expected: list[str]) -> Any:
    return pytest.param(policy, spec, expected, id=case_id)


CASES = [
    # allowed_models
    case("models-pass", "allowed_models: [gpt-4o*, o3]", "model: gpt-4o-mini\n", []),
    case(
        "models-fail",
        "allowed_models: [gpt-4o*, o3]",
        "name: Bot\nmodel: gpt-3.5-turbo\n",
        [
            f"{SPEC}:2:8: error: model 'gpt-3.5-turbo' is not allowed; allowed: gpt-4o*, o3 "
            "(policy allowed_models)"
        ],
    ),
    # required_metadata
    case(
        "metadata-pass",
        "required_metadata: [team, owner]",
        "model: m\nmetadata: {team: a, owner: b}\n",
        [],
    ),
    case(
        "metadata-missing-key",
        "required_metadata: [team, owner]",
        "model: m\nmetadata:\n  team: a\n",
        [f"{SPEC}:2:1: error: metadata must set the key 'owner' (policy required_metadata)"],
    ),
    case(
        "metadata-absent",
        "required_metadata: [team]",
        "# a comment first\nmodel: m\n",
        [f"{SPEC}:1:1: error: metadata must set the key 'team' (policy required_metadata)"],
    ),
    # name_pattern
    case("name-pass", "name_pattern: '^[A-Z][a-z]+$'", "model: m\nname: Helper\n", []),
    case(
        "name-fail",
        "name_pattern: '^[A-Z][a-z]+$'",
        "model: m\nname: helper bot\n",
        [
            f"{SPEC}:2:7: error: name 'helper bot' does not match '^[A-Z][a-z]+$' "
            "(policy name_pattern)"
        ],
    ),
    case(
        "name-absent",
        "name_pattern: '^[A-Z]'",
        "model: m\n",
        [f"{SPEC}:1:1: error: name is required and must match '^[A-Z]' (policy name_pattern)"],
    ),
    # max_temperature
    case("temperature-pass", "max_temperature: 0.5", "model: m\ntemperature: 0.5\n", []),
    case(
        "temperature-fail",
        "max_temperature: 0.5",
        "model: m\ntemperature: 0.8\n",
        [
            f"{SPEC}:2:14: error: temperature 0.8 is above the largest allowed, 0.5 "
            "(policy max_temperature)"
        ],
    ),
    case(
        "temperature-absent-means-the-default",
        "max_temperature: 0.5",
        "model: m\n",
        [
            f"{SPEC}:1:1: error: temperature is not set, so the server's default 1 applies, "
            "above the largest allowed, 0.5: set temperature (policy max_temperature)"
        ],
    ),
    case("temperature-absent-within-limit", "max_temperature: 1.5", "model: m\n", []),
    # forbidden_tools
    case(
        "tools-pass",
        "forbidden_tools: [code_interpreter]",
        "model: m\ntools: [{type: file_search}]\n",
        [],
    ),
    case(
        "tools-fail",
        "forbidden_tools: [code_interpreter]",
        "model: m\ntools:\n  - type: file_search\n  - type: code_interpreter\n",
        [f"{SPEC}:4:11: error: tool 'code_interpreter' is forbidden (policy forbidden_tools)"],
    ),
    # prevent_destroy
    case(
        "prevent-destroy-pass",
        "prevent_destroy: [b*]",
        "model: m\nlifecycle: {prevent_destroy: true}\n",
        [],
    ),
    case("prevent-destroy-other-key", "prevent_destroy: [support/*]", "model: m\n", []),
    case(
        "prevent-destroy-false",
        "prevent_destroy: [b*]",
        "model: m\nlifecycle:\n  prevent_destroy: false\n",
        [
            f"{SPEC}:3:20: error: key 'bot' matches 'b*': set lifecycle.prevent_destroy: true "
            "(policy prevent_destroy)"
        ],
    ),
    case(
        "prevent-destroy-absent",
        "prevent_destroy: [b*]",
        "model: m\n",
        [
            f"{SPEC}:1:1: error: key 'bot' matches 'b*': set lifecycle.prevent_destroy: true "
            "(policy prevent_destroy)"
        ],
    ),
]


def write_repo(root: Path, config: str, spec: str) -> None:
    (root / "assistants").mkdir()
    (root / "assistform.yaml").write_text(config, encoding="utf-8")
    (root / SPEC).write_text(spec, encoding="utf-8")


@pytest.mark.parametrize(("policy", "spec", "expected"), CASES)
def test_global_rule(
    policy: str, spec: str, expected: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write_repo(tmp_path, f"policy:\n  {policy}\n", spec)
    assert [str(d) for d in load_specs(tmp_path).diagnostics] == expected


@pytest.mark.parametrize(("policy", "spec", "expected"), CASES)
def test_environment_rule(
    policy: str, spec: str, expected: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same rule set for one environment applies there and nowhere else."""
    monkeypatch.chdir(tmp_path)
    write_repo(tmp_path, f"environments:\n  prod:\n    policy:\n      {policy}\n", spec)
    assert [str(d) for d in load_specs(tmp_path, env="prod").diagnostics] == expected
    assert load_specs(tmp_path).diagnostics == []


def test_an_environment_rule_replaces_the_global_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    config = (
        "environments:\n  dev:\n    policy:\n      allowed_models: [gpt-4o-mini]\n"
        "policy:\n  allowed_models: [gpt-4.1]\n  max_temperature: 0.5\n"
    )
    write_repo(tmp_path, config, "model: gpt-4o-mini\ntemperature: 0.9\n")
    assert [str(d) for d in load_specs(tmp_path, env="dev").diagnostics] == [
        f"{SPEC}:2:14: error: temperature 0.9 is above the largest allowed, 0.5 "
        "(policy max_temperature)"
    ]
    assert [d.location.line for d in load_specs(tmp_path).diagnostics] == [1, 2]


def test_a_bad_value_from_an_overlay_is_reported_in_the_overlay(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    config = "environments:\n  prod: {}\npolicy:\n  allowed_models: [gpt-4o*]\n"
    write_repo(tmp_path, config, "model: gpt-4o\n")
    (tmp_path / "assistants/bot.prod.yaml").write_text("# cheaper\nmodel: gpt-3.5\n")
    assert [str(d) for d in load_specs(tmp_path, env="prod").diagnostics] == [
        "assistants/bot.prod.yaml:2:8: error: model 'gpt-3.5' is not allowed; allowed: gpt-4o* "
        "(policy allowed_models)"
    ]


def test_no_rules_no_findings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write_repo(tmp_path, "policy: {}\n", "model: anything\ntemperature: 2\n")
    result = load_specs(tmp_path)
    assert result.specs and check(result.specs, Policy()) == []
