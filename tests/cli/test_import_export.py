"""`assistform import` and `export`: take over live assistants, and the next plan is empty.

Assistants are made with the real SDK on the in-process sandbox kept in the repository's
`.assistform/sandbox.json`, which is where the CLI's `--sandbox` finds them.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openai
import pytest
from click.testing import CliRunner, Result

from assistform.adopt import export_assistants, import_assistant
from assistform.api.client import OpenAIAssistants
from assistform.api.connect import SANDBOX_DATA
from assistform.api.retry import RetryPolicy
from assistform.cli.main import cli
from assistform.errors import ApiError, PlanError
from assistform.plan.model import Action, Plan
from assistform.sandbox import ROUTE_ITEM, Faults
from assistform.sandbox.inprocess import sandbox_client, service_of
from assistform.workspace import Workspace

LONG = "# Triage\r\n\r\n" + "Read the ticket, then classify it. " * 80 + "\nEnd.\n"


@dataclass
class Repo:
    root: Path
    clients: list[openai.OpenAI]

    @property
    def specs(self) -> Path:
        return self.root / "assistants"

    def client(self, *, profile: str = "faithful", faults: Faults | None = None) -> openai.OpenAI:
        """A client on the sandbox as it is on disk now (each one reads the file afresh)."""
        client = sandbox_client(self.root / SANDBOX_DATA, profile=profile, faults=faults)
        self.clients.append(client)
        return client

    def create(self, **body: Any) -> str:
        return self.client().beta.assistants.create(**body).id

    def live(self, assistant_id: str) -> dict[str, Any]:
        raw: dict[str, Any] = self.client().beta.assistants.retrieve(assistant_id).to_dict()
        return raw

    def run(self, *args: str) -> Result:
        return CliRunner().invoke(cli, list(args))

    def workspace(self) -> Workspace:
        return Workspace.discover(self.root, sandbox=True)

    def plan(self, *, profile: str = "faithful") -> Plan:
        return self.workspace().plan(OpenAIAssistants(self.client(profile=profile)))

    def state(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.workspace().state_file.path.read_text())
        return data

    def files(self) -> list[str]:
        return sorted(p.relative_to(self.specs).as_posix() for p in self.specs.rglob("*.*"))


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Repo]:
    (tmp_path / "assistants").mkdir()
    (tmp_path / SANDBOX_DATA).parent.mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ASSISTFORM_ENV", raising=False)
    made = Repo(tmp_path, [])
    yield made
    for client in made.clients:
        client.close()


def assert_empty(plan: Plan, count: int) -> None:
    changes = [(c.key, c.action.value, c.notes) for c in plan.resource_changes if c.writes_state]
    assert changes == []
    assert [c.action for c in plan.resource_changes] == [Action.NOOP] * count
    assert plan.live.unmanaged == 0


# -- import -------------------------------------------------------------------------------

TRIAGE: dict[str, Any] = {
    "model": "gpt-4.1-mini",
    "name": "Support triage",
    "description": "Routes incoming tickets.",
    "instructions": LONG,
    "tools": [
        {
            "type": "file_search",
            "file_search": {"max_num_results": 8, "ranking_options": {"score_threshold": 0.4}},
        },
        {
            "type": "function",
            "function": {
                "name": "create_ticket",
                "strict": True,
                "parameters": {
                    "type": "object",
                    "properties": {"priority": {"type": "string", "enum": ["low", "urgent"]}},
                    "required": ["priority"],
                    "additionalProperties": False,
                },
            },
        },
    ],
    "tool_resources": {"file_search": {"vector_store_ids": ["vs_support_kb"]}},
    "metadata": {"team": "support", "owner": "bob"},
    "temperature": 0.4,
}


def test_import_writes_a_valid_spec_tags_and_records_the_assistant(repo: Repo) -> None:
    assistant_id = repo.create(**TRIAGE)
    result = repo.run("import", "support/triage", assistant_id, "--sandbox")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"Imported {assistant_id} (Support triage) as 'support/triage':",
        "  wrote assistants/support/triage.yaml",
        f"  wrote assistants/support/triage.md (instructions, {len(LONG):,} characters)",
        "  set its ownership tag (metadata key 'assistform')",
        "  recorded it in .assistform/state.json",
    ]
    assert "reasoning_effort" in result.stderr
    assert repo.files() == ["support/triage.md", "support/triage.yaml"]
    assert (repo.specs / "support/triage.md").read_bytes() == LONG.encode()
    assert "instructions_file: triage.md\n" in (repo.specs / "support/triage.yaml").read_text()
    assert repo.run("validate").exit_code == 0

    state = repo.state()
    assert state["resources"]["support/triage"]["id"] == assistant_id
    metadata = repo.live(assistant_id)["metadata"]
    assert metadata == {
        "team": "support",
        "owner": "bob",
        "assistform": f"support/triage@{state['lineage']}@",
    }
    assert_empty(repo.plan(), 1)
    assert repo.run("plan", "--sandbox", "--detailed-exitcode").exit_code == 0


def test_import_makes_one_get_and_one_modify_and_none_when_already_tagged(repo: Repo) -> None:
    assistant_id = repo.create(model="gpt-4o", name="Tutor")
    client = repo.client()
    import_assistant(repo.workspace(), OpenAIAssistants(client), "tutor", assistant_id, force=False)
    assert service_of(client).stats.counts == {("GET", ROUTE_ITEM): 1, ("POST", ROUTE_ITEM): 1}

    again = repo.client()
    report = import_assistant(
        repo.workspace(), OpenAIAssistants(again), "tutor", assistant_id, force=True
    )
    assert report.tagged == 0
    assert service_of(again).stats.counts == {("GET", ROUTE_ITEM): 1}
    assert_empty(repo.plan(), 1)


def test_import_refuses_to_overwrite_a_spec_unless_forced(repo: Repo) -> None:
    assistant_id = repo.create(model="gpt-4o", name="Tutor")
    (repo.specs / "tutor.yml").write_text("model: old\n")
    refused = repo.run("import", "tutor", assistant_id, "--sandbox")
    assert refused.exit_code == 1
    assert refused.stderr.splitlines()[-1] == (
        "error: assistants/tutor.yml already exists: pass --force to overwrite"
    )
    assert (repo.specs / "tutor.yml").read_text() == "model: old\n"
    assert "assistform" not in repo.live(assistant_id)["metadata"]
    assert not repo.workspace().state_file.exists()

    forced = repo.run("import", "tutor", assistant_id, "--sandbox", "--force")
    assert forced.exit_code == 0, forced.output
    # The existing .yml is rewritten: a new .yaml beside it would define the key twice.
    assert repo.files() == ["tutor.yml"]
    assert "name: Tutor" in (repo.specs / "tutor.yml").read_text()
    assert_empty(repo.plan(), 1)


def test_import_refuses_what_it_cannot_take_over_cleanly(repo: Repo) -> None:
    first = repo.create(model="gpt-4o", name="First")
    second = repo.create(model="gpt-4o", name="Second")
    crowded = repo.create(model="gpt-4o", metadata={f"k{i}": "v" for i in range(16)})
    assert repo.run("import", "first", first, "--sandbox").exit_code == 0
    (repo.specs / "first.yaml").rename(repo.root / "kept.yaml")

    cases = [
        (("first", second), 1, f"error: key 'first' already manages {first}: choose another key"),
        (("other", first), 1, f"error: {first} is already managed as 'first'"),
        (("crowded", crowded), 1, "the ownership tag needs one free"),
        (("../evil", second), 2, "error: key '../evil' may only use letters"),
        (("ghost", "asst_missing"), 1, "error: get assistant asst_missing: HTTP 404"),
    ]
    for (key, assistant_id), code, message in cases:
        result = repo.run("import", key, assistant_id, "--sandbox")
        assert (result.exit_code, len(result.stderr.splitlines())) == (code, 1), result.output
        assert message in result.stderr
    assert repo.files() == []
    assert list(repo.state()["resources"]) == ["first"]


def test_an_assistant_tagged_for_another_key_or_state_is_refused(repo: Repo) -> None:
    other_state = "99999999-9999-9999-9999-999999999999"
    foreign = repo.create(model="m", metadata={"assistform": f"x@{other_state}"})
    result = repo.run("import", "x", foreign, "--sandbox")
    assert result.exit_code == 1
    assert "carries the ownership tag of another state" in result.stderr
    staging = repo.create(model="m", metadata={"assistform": f"x@{other_state}@staging"})
    result = repo.run("import", "x", staging, "--sandbox")
    assert result.exit_code == 1
    assert "carries the ownership tag of environment staging, which manages it" in result.stderr

    mine = repo.create(model="m")
    assert repo.run("import", "mine", mine, "--sandbox").exit_code == 0
    (repo.specs / "mine.yaml").unlink()
    result = repo.run("import", "renamed", mine, "--sandbox")
    assert result.exit_code == 1
    assert f"{mine} is already managed as 'mine'" in result.stderr


def test_a_spec_that_does_not_validate_is_taken_back(repo: Repo) -> None:
    (repo.root / "assistform.yaml").write_text("policy:\n  allowed_models: [gpt-4o]\n")
    assistant_id = repo.create(model="gpt-3.5-turbo", name="Old")
    result = repo.run("import", "old", assistant_id, "--sandbox")
    assert result.exit_code == 1
    assert "does not validate, so nothing was taken over" in result.stderr
    assert "model 'gpt-3.5-turbo' is not allowed" in result.stderr
    assert repo.files() == []
    assert "assistform" not in repo.live(assistant_id)["metadata"]


def test_a_failed_tag_leaves_spec_and_state_and_the_next_plan_only_restores_it(
    repo: Repo,
) -> None:
    assistant_id = repo.create(model="gpt-4o", name="Tutor", metadata={"team": "edu"})
    # The modify fails (the second request), and is not tried again.
    failing = OpenAIAssistants(
        repo.client(faults=Faults(fail_every=2)), policy=RetryPolicy(max_tries=1)
    )
    with pytest.raises(ApiError, match="the next apply sets its ownership tag"):
        import_assistant(repo.workspace(), failing, "tutor", assistant_id, force=False)
    assert repo.files() == ["tutor.yaml"]
    assert repo.state()["resources"]["tutor"]["id"] == assistant_id

    (change,) = repo.plan().resource_changes
    lineage = repo.state()["lineage"]
    assert (change.action, change.id, change.changes) == (Action.UPDATE, assistant_id, [])
    assert change.request == {"metadata": {"team": "edu", "assistform": f"tutor@{lineage}@"}}


def test_import_in_an_environment_records_what_is_live_and_notes_its_overrides(
    repo: Repo,
) -> None:
    (repo.root / "assistform.yaml").write_text(
        "environments:\n"
        "  dev:\n"
        "    default: true\n"
        "    overrides:\n"
        "      - keys: '*'\n"
        "        set: {model: gpt-4.1-mini}\n"
    )
    dev = sandbox_client(repo.root / ".assistform/sandbox-dev.json")
    repo.clients.append(dev)
    assistant_id = dev.beta.assistants.create(model="gpt-4o", name="Tutor").id
    result = repo.run("import", "tutor", assistant_id, "--sandbox")
    assert result.exit_code == 0, result.output
    assert "note: environment 'dev' changes model of 'tutor': the next plan shows it" in (
        result.stderr
    )
    assert "model: gpt-4o\n" in (repo.specs / "tutor.yaml").read_text()

    planned = repo.run("plan", "--sandbox", "--format", "json")
    (change,) = json.loads(planned.stdout)["resource_changes"]
    assert (change["action"], change["reasons"]) == ("update", ["spec-changed"])
    assert [(c["path"], c["before"], c["after"]) for c in change["changes"]] == [
        ("model", "gpt-4o", "gpt-4.1-mini")
    ]


# -- export -------------------------------------------------------------------------------

NAMES: list[str | None] = [
    "Support Bot", "Support Bot", "support bot", "Support-Bot-2", "Café Crème ☕", None,
    "!!!", "日本語", "Sales", "SALES", "dots.in.name", "n" * 256, "Ärger/Über: Test",
    "tab\tname", "emoji 🚀 bot", "yes", "null", "1", "- dash", "? question", "Support Bot",
    "a #comment", "quote's \"both\"", "Tutor", "Tutor", "Analyst", "Analyst 2", "Triage",
    "Summarizer", "JSON bot",
]  # fmt: skip


def varied(i: int) -> dict[str, Any]:
    """The create body of the i-th of 30 assistants, each field varied independently."""
    body: dict[str, Any] = {"model": ["gpt-4o", "gpt-4.1-mini", "o3-mini"][i % 3]}
    if NAMES[i] is not None:
        body["name"] = NAMES[i]
    if i % 4 == 1:
        body["description"] = f"Assistant number {i}: helps with things."
    body["instructions"] = [
        None,
        "Answer briefly.",
        "Step one.\nStep two.\n\n- a list\n- # not a comment\n",
        LONG,
        "trailing space \nnext line\r\n",
        "JSON only, please.",
    ][i % 6]
    tools: list[dict[str, Any]] = [
        [{"type": "code_interpreter"}],
        [
            {
                "type": "file_search",
                "file_search": {
                    "max_num_results": 1 + i,
                    "ranking_options": {"ranker": "default_2024_08_21", "score_threshold": 0.25},
                },
            }
        ],
        [
            {
                "type": "function",
                "function": {
                    "name": f"lookup_{i}",
                    "description": "Look a record up.\nReturns JSON.",
                    # Not strict: strict mode refuses a default and optional properties.
                    "strict": False,
                    "parameters": {
                        "type": "object",
                        "properties": {
                            "id": {"type": "integer", "minimum": 1},
                            "on": {"type": "boolean", "default": True},
                            "mode": {"enum": ["yes", "no", "null", 1, 1.5, None]},
                            "<<": {"type": "string", "description": ": odd key"},
                        },
                        "required": ["id"],
                    },
                },
            }
        ],
        [{"type": "file_search"}],
        [
            {"type": "code_interpreter"},
            {"type": "function", "function": {"name": "a"}},
            {"type": "function", "function": {"name": "b", "parameters": {"type": "object"}}},
        ],
    ][i % 5]
    if i % 7 != 6:
        body["tools"] = tools
    resources = {
        0: {"code_interpreter": {"file_ids": [f"file-{i}a", f"file-{i}b"]}},
        1: {"file_search": {"vector_store_ids": [f"vs_{i}"]}},
        3: {"file_search": {"vector_stores": [{"file_ids": [f"file-{i}"]}]}},
    }.get(i % 5)
    if resources is not None and "tools" in body:
        body["tool_resources"] = resources
    if i % 3 == 1:
        body["metadata"] = {"team": f"team-{i}", "on": "off", "count": "1"}
    elif i % 3 == 2:
        body["metadata"] = {f"key{j}": f"value {j}" for j in range(15)}
    if i % 4 in (1, 3):
        body["temperature"] = round(0.1 * (i % 20), 2)
    if i % 4 in (2, 3):
        body["top_p"] = 0.05 * (i % 10) + 0.01
    body["response_format"] = [
        "auto",
        {"type": "text"},
        {"type": "json_object"},
        {
            "type": "json_schema",
            "json_schema": {
                "name": f"out_{i}",
                "strict": True,
                "schema": {
                    "type": "object",
                    "properties": {"answer": {"type": "string"}},
                    "required": ["answer"],
                    "additionalProperties": False,
                },
            },
        },
        None,
    ][i % 5]
    if body["response_format"] is None:
        del body["response_format"]
    return body


def make_thirty(repo: Repo) -> list[str]:
    client = repo.client()
    return [client.beta.assistants.create(**varied(i)).id for i in range(30)]


def import_commands(output: str) -> list[list[str]]:
    lines = [line.strip() for line in output.splitlines()]
    return [shlex.split(line)[1:] for line in lines if line.startswith("assistform import ")]


def test_export_of_thirty_varied_assistants_then_importing_them_all_plans_no_change(
    repo: Repo,
) -> None:
    ids = make_thirty(repo)
    exported = repo.run("export", "--sandbox")
    assert exported.exit_code == 0, exported.output
    commands = import_commands(exported.stdout)
    keys = {command[2]: command[1] for command in commands}
    assert [keys[i] for i in ids[:4]] == [
        "support-bot",
        "support-bot-2",
        "support-bot-3",
        "support-bot-2-2",
    ]
    assert keys[ids[20]] == "support-bot-4"
    assert [keys[i] for i in (ids[4], ids[5], ids[6], ids[7], ids[8], ids[9])] == [
        "cafe-creme",
        ids[5],
        ids[6],
        ids[7],
        "sales",
        "sales-2",
    ]
    assert keys[ids[11]] == "n" * 64
    assert len(keys) == 30
    written = repo.files()
    assert len([f for f in written if f.endswith(".yaml")]) == 30
    assert len([f for f in written if f.endswith(".md")]) == 5
    assert repo.run("validate").exit_code == 0

    for command in commands:
        result = repo.run(*command)
        assert result.exit_code == 0, result.output
    assert repo.files() == written
    assert_empty(repo.plan(), 30)
    assert repo.run("plan", "--sandbox", "--detailed-exitcode").exit_code == 0


def test_export_adopt_takes_thirty_assistants_over_in_one_go(repo: Repo) -> None:
    make_thirty(repo)
    result = repo.run("export", "--sandbox", "--adopt")
    assert result.exit_code == 0, result.output
    assert "Took over 30 assistants (30 newly tagged)" in result.stdout
    assert len(repo.state()["resources"]) == 30
    assert_empty(repo.plan(), 30)


@pytest.mark.parametrize("profile", ["faithful", "lenient"])
def test_export_round_trip_on_either_server_profile(repo: Repo, profile: str) -> None:
    client = repo.client(profile=profile)
    for i in range(12):
        body = varied(i)
        if profile == "lenient" and isinstance(body.get("instructions"), str):
            body["instructions"] = body["instructions"][:2500]
        client.beta.assistants.create(**body)
    api = OpenAIAssistants(repo.client(profile=profile))
    report = export_assistants(
        repo.workspace(), api, unmanaged=False, directory=None, adopt=True, force=False
    )
    assert len(report.adopted) == 12
    assert_empty(repo.plan(profile=profile), 12)


def test_export_unmanaged_leaves_managed_ones_alone_and_never_overwrites(repo: Repo) -> None:
    managed = repo.create(model="gpt-4o", name="Tutor")
    assert repo.run("import", "tutor", managed, "--sandbox").exit_code == 0
    repo.create(model="gpt-4o", name="Tutor")
    repo.create(model="gpt-4o", name="Helper")

    first = repo.run("export", "--sandbox", "--unmanaged")
    assert first.exit_code == 0, first.output
    assert [c[1] for c in import_commands(first.stdout)] == ["tutor-2", "helper"]
    assert "not taken over yet" in first.stdout

    again = repo.run("export", "--sandbox", "--unmanaged", "--adopt")
    assert again.exit_code == 1
    assert "assistants/tutor-2.yaml, assistants/helper.yaml already exist" in again.stderr

    forced = repo.run("export", "--sandbox", "--unmanaged", "--adopt", "--force")
    assert forced.exit_code == 0, forced.output
    assert repo.files() == ["helper.yaml", "tutor-2.yaml", "tutor.yaml"]
    assert_empty(repo.plan(), 3)
    nothing = repo.run("export", "--sandbox", "--unmanaged")
    assert nothing.stdout == "No assistants to export.\n"


def test_export_to_another_folder_writes_specs_only(repo: Repo) -> None:
    repo.create(model="gpt-4o", name="Tutor", instructions=LONG)
    result = repo.run("export", "--sandbox", "--dir", "review")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (repo.root / "review").iterdir()) == ["tutor.md", "tutor.yaml"]
    spec = (repo.root / "review/tutor.yaml").read_text()
    assert spec.startswith("# yaml-language-server: $schema=../schema/assistant.schema.json\n")
    assert not repo.workspace().state_file.exists()
    assert repo.files() == []

    refused = repo.run("export", "--sandbox", "--dir", "review", "--adopt", "--force")
    assert refused.exit_code == 2
    assert "--adopt writes the specs where plan reads them" in refused.stderr
    inside = repo.run("export", "--sandbox", "--dir", "assistants/legacy")
    assert inside.exit_code == 2
    assert "--dir assistants/legacy is inside assistants/" in inside.stderr
    assert repo.files() == []


def test_export_adopt_refuses_everything_before_writing_anything(repo: Repo) -> None:
    repo.create(model="gpt-4o", name="Fine")
    repo.create(model="gpt-4o", name="Full", metadata={f"k{i}": "v" for i in range(16)})
    with pytest.raises(PlanError, match="the ownership tag needs one free"):
        export_assistants(
            repo.workspace(),
            OpenAIAssistants(repo.client()),
            unmanaged=True,
            directory=None,
            adopt=True,
            force=False,
        )
    assert repo.files() == []
    assert not repo.workspace().state_file.exists()
