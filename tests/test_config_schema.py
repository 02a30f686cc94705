"""The JSON Schema of assistform.yaml: committed, current, true to every example configuration
in the repository, and refusing what `validate` refuses."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator
from ruamel.yaml import YAML

from assistform.cli.main import cli
from assistform.config import check_config
from assistform.config_schema import config_json_schema
from assistform.spec.yamlsource import parse_yaml

REPO_ROOT = next(p for p in Path(__file__).resolve().parents if (p / "pyproject.toml").is_file())
SCHEMA_FILE = REPO_ROOT / "schema" / "assistform.schema.json"
MODELINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)$", re.MULTILINE)
FENCED_YAML = re.compile(r"^```yaml\n(.*?)^```", re.MULTILINE | re.DOTALL)


@dataclass(frozen=True)
class Example:
    """An example configuration: a file, or a fenced block in a document (read from the root)."""

    name: str
    text: str
    base: Path


def _examples() -> list[Example]:
    found = [
        Example(path.relative_to(REPO_ROOT).as_posix(), path.read_text("utf-8"), path.parent)
        for path in sorted(REPO_ROOT.rglob("assistform.yaml"))
        if not any(part.startswith(".") for part in path.relative_to(REPO_ROOT).parts)
    ]
    documents = [REPO_ROOT / "README.md", *sorted((REPO_ROOT / "docs").glob("*.md"))]
    for document in documents:
        for number, block in enumerate(FENCED_YAML.findall(document.read_text("utf-8"))):
            # A block is a configuration when it says so, in a comment or in its modeline.
            if "# assistform.yaml" in block or "assistform.schema.json" in block:
                name = f"{document.relative_to(REPO_ROOT).as_posix()}#{number}"
                found.append(Example(name, block, REPO_ROOT))
    return found


EXAMPLES = _examples()


def load_yaml(text: str) -> Any:
    return YAML(typ="safe", pure=True).load(text)


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = config_json_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def test_committed_schema_is_the_output_of_assistform_schema_config() -> None:
    result = CliRunner().invoke(cli, ["schema", "--config"], prog_name="assistform")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == config_json_schema()
    assert SCHEMA_FILE.read_text(encoding="utf-8") == result.stdout, (
        "schema/assistform.schema.json is stale: "
        "run `assistform schema --config > schema/assistform.schema.json`"
    )


def test_the_spec_schema_is_still_the_default() -> None:
    result = CliRunner().invoke(cli, ["schema"], prog_name="assistform")
    assert json.loads(result.stdout)["$id"].endswith("/assistant.schema.json")


def test_the_schema_describes_the_whole_file() -> None:
    schema = config_json_schema()
    assert schema["$id"].endswith("/assistform.schema.json")
    assert set(schema["properties"]) == {"environments", "policy"}
    assert schema["additionalProperties"] is False
    assert {"Environment", "Override", "Policy", "ServerConfig"} <= set(schema["$defs"])


def test_there_are_examples_in_files_and_in_the_docs() -> None:
    names = [example.name for example in EXAMPLES]
    assert "examples/multi-env/assistform.yaml" in names
    assert any(name.startswith("docs/environments.md#") for name in names)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.name)
def test_example_points_editors_at_the_schema(example: Example) -> None:
    match = MODELINE.search(example.text)
    assert match, f"{example.name} lacks the yaml-language-server modeline"
    assert example.text.startswith(match.group(0)), "the modeline is the first line"
    assert (example.base / match.group(1)).resolve() == SCHEMA_FILE


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.name)
def test_example_is_valid_per_the_schema_and_per_assistform(
    example: Example, validator: Draft202012Validator
) -> None:
    errors = [e.message for e in validator.iter_errors(load_yaml(example.text))]
    assert errors == []
    config, diagnostics = check_config(parse_yaml(example.text, "assistform.yaml"))
    assert (config is not None, [d.message for d in diagnostics]) == (True, [])


def env(**fields: Any) -> dict[str, Any]:
    return {"environments": {"prod": fields}}


def policy(**rules: Any) -> dict[str, Any]:
    return {"policy": rules}


INVALID = [
    pytest.param({"enviroments": {}}, id="unknown-top-level-key"),
    pytest.param({"environments": {"prod.eu": {}}}, id="env-name-with-a-dot"),
    pytest.param({"environments": {"p" * 65: {}}}, id="env-name-too-long"),
    pytest.param({"environments": ["dev", "prod"]}, id="environments-as-a-list"),
    pytest.param(env(defualt=True), id="unknown-environment-key"),
    pytest.param(env(default="yes"), id="default-not-a-boolean"),
    pytest.param(env(state=""), id="empty-state-path"),
    pytest.param(env(server={"timeout": 0}), id="timeout-zero"),
    pytest.param(env(server={"timeout": "30"}), id="timeout-as-a-string"),
    pytest.param(env(server={"max_retries": -1}), id="negative-retries"),
    pytest.param(env(server={"api_key_env": "MY-KEY"}), id="api-key-env-not-a-variable"),
    pytest.param(env(server={"headers": {"Authorization": "Bearer x"}}), id="credential-header"),
    pytest.param(env(server={"headers": {"X-API-KEY": "x"}}), id="credential-header-any-case"),
    pytest.param(env(server={"headers": {"X-Team": 1}}), id="header-not-a-string"),
    pytest.param(env(overrides=[{"keys": "*"}]), id="override-without-set"),
    pytest.param(env(overrides=[{"keys": [], "set": {}}]), id="override-with-no-keys"),
    pytest.param(env(overrides=[{"set": {"modle": "m"}}]), id="override-of-an-unknown-field"),
    pytest.param(policy(allowed_models=[]), id="no-allowed-models"),
    pytest.param(policy(max_temperature=3), id="max-temperature-above-2"),
    pytest.param(policy(forbidden_tools=["retrieval"]), id="unknown-tool-type"),
    pytest.param(policy(name_pattern="^[A-Z"), id="name-pattern-not-a-regex"),
    pytest.param(env(policy={"max_temprature": 1}), id="unknown-rule-in-an-environment"),
]


@pytest.mark.parametrize("config", INVALID)
def test_schema_refuses_what_validate_refuses(
    config: dict[str, Any],
    validator: Draft202012Validator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Each case is one `assistform validate` refuses too: the schema says no more than it.
    (tmp_path / "assistants").mkdir()
    (tmp_path / "assistants" / "tutor.yaml").write_text("model: gpt-4o\nname: Tutor\n")
    (tmp_path / "assistform.yaml").write_text(json.dumps(config))
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["validate"], prog_name="assistform")
    assert result.exit_code == 1, result.output
    assert not validator.is_valid(config)
