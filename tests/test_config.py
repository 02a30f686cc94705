"""assistform.yaml: read with positions like a spec; environments, their defaults and policy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assistform.configfile import read_config
from assistform.errors import ConfigError, UsageError

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "multi-env"


def read(tmp_path: Path, text: str) -> list[str]:
    (tmp_path / "assistform.yaml").write_text(text, encoding="utf-8")
    return [str(d) for d in read_config(tmp_path, "assistform.yaml").diagnostics]


def case(case_id: str, text: str, expected: list[str]) -> Any:
    return pytest.param(text, expected, id=case_id)


CASES = [
    case("empty-file", "", []),
    case("comment-only", "# nothing yet\n", []),
    case(
        "not-a-mapping",
        "- dev\n- prod\n",
        ["assistform.yaml:1:1: error: assistform.yaml must be a mapping, not a list"],
    ),
    case(
        "syntax",
        "environments:\n  dev: {default: true\n",
        ["assistform.yaml:2:8: error: invalid YAML: '{' starting here is never closed"],
    ),
    case(
        "unknown-top-level-key",
        "enviroments: {}\n",
        ["assistform.yaml:1:1: error: unknown field 'enviroments' (did you mean 'environments'?)"],
    ),
    case(
        "unknown-server-key",
        "environments:\n  dev:\n    server:\n      base_ur: http://x\n",
        [
            "assistform.yaml:4:7: error: unknown field 'base_ur' in environments.dev.server "
            "(did you mean 'base_url'?)"
        ],
    ),
    case(
        "wrong-type",
        "environments:\n  dev:\n    server:\n      timeout: soon\n",
        [
            "assistform.yaml:4:16: error: environments.dev.server.timeout must be a number, "
            "not the string 'soon'"
        ],
    ),
    case(
        "bad-key-variable",
        "environments:\n  dev:\n    server: {api_key_env: sk-123}\n",
        [
            "assistform.yaml:3:27: error: environments.dev.server.api_key_env 'sk-123' "
            "must match ^[A-Za-z_][A-Za-z0-9_]*$"
        ],
    ),
    case(
        "override-without-set",
        "environments:\n  dev:\n    overrides:\n      - keys: '*'\n",
        [
            "assistform.yaml:4:9: error: environments.dev.overrides[0] is missing required "
            "field 'set'"
        ],
    ),
    case(
        "unknown-tool-type",
        "policy:\n  forbidden_tools: [code_interpreterr]\n",
        [
            "assistform.yaml:2:21: error: policy.forbidden_tools[0] must be 'code_interpreter', "
            "'file_search' or 'function', not 'code_interpreterr' "
            "(did you mean 'code_interpreter'?)"
        ],
    ),
    case(
        "temperature-out-of-range",
        "policy:\n  max_temperature: 3\n",
        ["assistform.yaml:2:20: error: policy.max_temperature must be at most 2, not 3"],
    ),
    case(
        "bad-regex",
        "policy:\n  name_pattern: '[a-'\n",
        [
            "assistform.yaml:2:17: error: name_pattern is not a valid regular expression: "
            "unterminated character set at position 0"
        ],
    ),
    case(
        "environment-name-with-a-dot",
        "environments:\n  eu.prod: {}\n",
        [
            "assistform.yaml:2:3: error: environment name 'eu.prod' may only use letters, "
            "digits, '_' and '-' (it becomes part of file names such as "
            "assistants/<key>.<env>.yaml)"
        ],
    ),
    case(
        "environment-name-longer-than-its-tag-allows",
        "environments:\n  " + "e" * 65 + ": {}\n  " + "f" * 64 + ": {}\n",
        [
            "assistform.yaml:2:3: error: environment name 'eeeeeeeeeeeeeeeeeeee...' is longer "
            "than 64 characters (it is part of the ownership tag in every assistant's metadata)"
        ],
    ),
    case(
        "two-defaults",
        "environments:\n  dev: {default: true}\n  prod:\n    default: true\n",
        ["assistform.yaml:4:14: error: only one environment may be the default; 'dev' already is"],
    ),
    case(
        "credential-in-a-header",
        "environments:\n  dev:\n    server:\n      headers: {Authorization: Bearer sk-1}\n",
        [
            "assistform.yaml:4:17: error: header 'Authorization' would put a credential in a "
            "committed file; name the variable that holds the key in server.api_key_env instead"
        ],
    ),
    case(
        "duplicate-environment",
        "environments:\n  dev: {}\n  dev: {}\n",
        ["assistform.yaml:3:3: error: duplicate key 'dev' (first defined on line 2)"],
    ),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_config_diagnostics(text: str, expected: list[str], tmp_path: Path) -> None:
    assert read(tmp_path, text) == expected


def test_no_file_is_an_empty_valid_config(tmp_path: Path) -> None:
    result = read_config(tmp_path)
    assert not result.exists and not result.diagnostics
    assert result.select(None) is None
    assert result.require().environments == {}


def test_the_example_is_valid_and_maps_every_setting() -> None:
    result = read_config(EXAMPLE)
    assert result.diagnostics == ()
    config = result.require()
    assert list(config.environments) == ["dev", "prod"]
    assert config.default_environment() == "dev"
    assert config.state_path("dev") == Path("state/dev.json")
    assert config.state_path("prod") == Path("state/production.json")
    prod = config.environments["prod"].server
    assert (prod.api_key_env, prod.organization, prod.project) == (
        "ASSISTFORM_PROD_API_KEY",
        "org-acme",
        "proj-assistants",
    )
    assert (prod.headers, prod.timeout, prod.max_retries) == ({"X-Team": "support"}, 60.0, 4)
    assert config.environments["dev"].overrides[0].set == {"model": "gpt-4.1-mini"}


def test_environment_policy_replaces_global_rules_one_by_one() -> None:
    config = read_config(EXAMPLE).require()
    prod = config.policy_for("prod")
    assert prod.max_temperature == 0.7  # set by prod
    assert prod.allowed_models == ["gpt-4.1*", "gpt-4o*"]  # global, prod does not set it
    assert config.policy_for("dev") == config.policy
    assert config.policy_for(None) == config.policy


def test_select_explicit_default_and_unknown(tmp_path: Path) -> None:
    read(tmp_path, "environments:\n  dev: {}\n  prod: {default: true}\n")
    result = read_config(tmp_path)
    assert result.select(None) == "prod"
    assert result.select("dev") == "dev"
    with pytest.raises(UsageError, match=r"unknown environment 'prd' \(did you mean 'prod'\?\)"):
        result.select("prd")


def test_select_without_environments(tmp_path: Path) -> None:
    assert read_config(tmp_path).select(None) is None
    with pytest.raises(UsageError, match="no environments are declared"):
        read_config(tmp_path).select("prod")


def test_an_invalid_config_refuses_to_be_used_but_still_names_its_environments(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    read(tmp_path, "environments:\n  dev: {}\n  prod: {sever: {}}\npolicy: {}\n")
    result = read_config(tmp_path)
    assert result.names == ("dev", "prod")
    with pytest.raises(ConfigError) as raised:
        result.select(None)
    assert str(raised.value).startswith("assistform.yaml:3:10: error: unknown field 'sever'")


def _imports_of(module: str) -> set[str]:
    """Every module `module`'s source imports, at its top or inside a function."""
    import ast

    import assistform

    path = Path(assistform.__file__).parent.joinpath(*module.split(".")[1:]).with_suffix(".py")
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_reading_the_config_does_not_depend_on_loading_specs() -> None:
    """No cycle: `spec.load` reads assistform.yaml; neither config module imports it back."""
    for module in ("assistform.config", "assistform.configfile"):
        assert "assistform.spec.load" not in _imports_of(module), module
    assert "assistform.configfile" not in _imports_of("assistform.config")
