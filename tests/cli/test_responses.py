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


KB_ENVIRONMENTS = """\
environments:
  dev: {default: true}
  prod: {state: state/prod.json}
"""


@pytest.fixture
def knowledge_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An assistant searching a managed vector store and computing over repository files;
    dev's state records the store and one of the two files, prod's nothing."""
    from assistform.state import FileRecord, State, StateFile, VectorStoreRecord

    root = tmp_path / "repo"
    for path, text in {
        "assistform.yaml": KB_ENVIRONMENTS,
        "docs/faq.md": "# FAQ\n",
        "data/a.csv": "x\n1\n",
        "data/b.csv": "y\n2\n",
        "vector_stores/kb.yaml": "name: KB\nfiles: ['../docs/*.md']\n",
        "assistants/bot.yaml": (
            "model: m\ntools: [{type: file_search}, {type: code_interpreter}]\n"
            "tool_resources:\n  file_search: {vector_store: kb}\n"
            "  code_interpreter: {file_ids: [file-lit], files: ['../data/*.csv']}\n"
        ),
    }.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    record = FileRecord(id="file-a", sha256="0" * 64, size=4, mtime_ns=1, filename="a.csv")
    dev = State(
        files={"data/a.csv": record},
        vector_stores={"kb": VectorStoreRecord(id="vs_kb", applied={"name": "KB"})},
    )
    StateFile(root / "state" / "dev.json").save(dev)
    monkeypatch.chdir(root)
    monkeypatch.delenv("ASSISTFORM_ENV", raising=False)
    return root


def test_managed_knowledge_takes_the_ids_the_environments_state_records(
    knowledge_repo: Path,
) -> None:
    code, out, err = run("render", "--responses")
    assert code == 0, err
    bot = json.loads(out)["bot"]
    assert bot["request"]["tools"] == [
        {"type": "file_search", "vector_store_ids": ["vs_kb"]},
        {
            "type": "code_interpreter",
            "container": {"type": "auto", "file_ids": ["file-lit", "file-a"]},
        },
    ]
    assert bot["unmapped"] == [
        {
            "field": "tool_resources.code_interpreter.files",
            "reason": "file 'data/b.csv' is not uploaded yet (the state records no id for it): "
            "run `assistform apply` first",
        }
    ]
    assert "1 spec field(s) have no Responses equivalent" in err


def test_an_environment_not_applied_yet_gets_no_made_up_ids(knowledge_repo: Path) -> None:
    bot = render("--env", "prod")["bot"]
    assert bot["request"]["tools"] == [
        {"type": "file_search", "vector_store_ids": []},
        {"type": "code_interpreter", "container": {"type": "auto", "file_ids": ["file-lit"]}},
    ]
    assert [u["reason"].split(" (")[0] for u in bot["unmapped"]] == [
        "vector store 'kb' is not created yet",
        "file 'data/a.csv' is not uploaded yet",
        "file 'data/b.csv' is not uploaded yet",
    ]
    # The same state, named by --state, gives the same ids as the environment.
    assert render("--state", "state/dev.json", "--env", "prod")["bot"]["request"]["tools"][0] == {
        "type": "file_search",
        "vector_store_ids": ["vs_kb"],
    }


def test_the_sandbox_state_is_its_own(knowledge_repo: Path) -> None:
    from assistform.state import State, StateFile, VectorStoreRecord

    sandbox = State(vector_stores={"kb": VectorStoreRecord(id="vs_sandbox", applied={})})
    StateFile(knowledge_repo / ".assistform" / "state-dev.json").save(sandbox)
    tools = render("--sandbox")["bot"]["request"]["tools"]
    assert tools[0]["vector_store_ids"] == ["vs_sandbox"]


def test_specs_without_managed_knowledge_never_read_the_state(multi_env: Path) -> None:
    (multi_env / "state").mkdir(exist_ok=True)
    (multi_env / "state" / "dev.json").write_text("not json")
    assert run("render", "--responses")[0] == 0
