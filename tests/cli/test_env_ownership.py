"""Two environments on one server never take over each other (issue 12, failure 2).

Real runs of the CLI against one loopback sandbox server that both environments of
assistform.yaml point at, starting from the states users really have: none (a fresh
environment, or a lost file) and an empty one (serial 0). Today's `key@lineage` tags are
still recognised where a state records their ids.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from assistform.ownership import OwnershipTag, tag_of
from assistform.plan.model import Action, Plan
from assistform.sandbox import SandboxServer
from assistform.state import State, StateFile
from assistform.workspace import Workspace

from .applyrepo import FAST, Repo, repo_factory

KEYS = ["a", "team/b"]
#: How each test leaves prod's state before prod plans: what users really have.
FRESH = ["missing", "empty"]


@pytest.fixture
def repo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, make_api_server: Callable[..., SandboxServer]
) -> Iterator[Repo]:
    for make in repo_factory(tmp_path, monkeypatch, make_api_server):
        made = make()
        for key in KEYS:
            made.write(key)
        yield made


def two_environments(repo: Repo) -> None:
    """staging and prod, both on the repo's one server (as docs/environments.md shows)."""
    url = repo.server.base_url
    (repo.root / "assistform.yaml").write_text(
        "environments:\n"
        f"  staging:\n    server: {{base_url: '{url}'}}\n"
        f"  prod:\n    server: {{base_url: '{url}'}}\n",
        encoding="utf-8",
    )


def workspace(repo: Repo, env: str | None) -> Workspace:
    return Workspace.discover(repo.root, env=env)


def plan(repo: Repo, env: str | None) -> Plan:
    return workspace(repo, env).plan(repo.api)


def state(repo: Repo, env: str | None) -> State:
    return workspace(repo, env).state_file.load()


def apply(repo: Repo, env: str | None) -> None:
    args = ["--env", env] if env else []
    result = repo.run("apply", *args, "--auto-approve", *FAST)
    assert result.exit_code == 0, result.output


def live_of(repo: Repo, env: str | None) -> dict[str, dict[str, Any]]:
    """The raw live assistants whose tag names `env`, by id."""
    found = {}
    for assistant in repo.live():
        tag = tag_of(assistant.raw.get("metadata"))
        if tag is not None and tag.of_env(env):
            found[assistant.id] = assistant.raw
    return found


def snapshot(repo: Repo) -> dict[str, dict[str, Any]]:
    """Every live assistant as the server returns it, by id."""
    return {a.id: a.raw for a in repo.live()}


def make_fresh(repo: Repo, env: str, how: str) -> None:
    """Leave `env`'s state as a user has it: no file at all, or an empty one (serial 0)."""
    state_file = workspace(repo, env).state_file
    state_file.path.unlink(missing_ok=True)
    state_file.backup_path.unlink(missing_ok=True)
    if how == "empty":
        StateFile(state_file.path).save(State(), bump=False)


def assert_clean(repo: Repo, env: str | None, **others: int) -> None:
    """This environment is converged: its plan writes nothing, and it counts the others'."""
    result = plan(repo, env)
    assert not result.writes_state, [(c.key, c.action.value) for c in result.resource_changes]
    assert result.live.other_environments == others
    recorded = {r.id for r in state(repo, env).resources.values()}
    assert recorded == set(live_of(repo, env)), "the state names exactly its own assistants"


@pytest.mark.parametrize("prod_state", FRESH)
def test_a_new_environment_creates_its_own_and_leaves_the_other_untouched(
    repo: Repo, prod_state: str
) -> None:
    two_environments(repo)
    apply(repo, "staging")
    staging = snapshot(repo)
    assert len(staging) == 2
    make_fresh(repo, "prod", prod_state)

    shown = repo.run("plan", "--env", "prod")
    assert shown.exit_code == 0, shown.output
    assert "2 owned by environment staging" in shown.stdout
    assert "adopting" not in shown.output
    as_json = json.loads(repo.run("plan", "--env", "prod", "--format", "json").stdout)
    assert as_json["live"]["other_environments"] == {"staging": 2}
    assert [(c["key"], c["action"]) for c in as_json["resource_changes"]] == [
        ("a", "create"),
        ("team/b", "create"),
    ]

    apply(repo, "prod")
    both = snapshot(repo)
    assert {i: both.get(i) for i in staging} == staging, "staging's ids and configs unchanged"
    assert len(both) == 4
    assert state(repo, "prod").lineage != state(repo, "staging").lineage
    assert_clean(repo, "staging", prod=2)
    assert_clean(repo, "prod", staging=2)

    # A spec removed: prod deletes its own assistant, never staging's.
    repo.remove("team/b")
    apply(repo, "prod")
    assert live_of(repo, "staging") == staging
    assert len(snapshot(repo)) == 3
    assert_clean(repo, "prod", staging=2)


@pytest.mark.parametrize("prod_state", FRESH)
def test_a_lost_state_recovers_its_own_environment_beside_another(
    repo: Repo, prod_state: str
) -> None:
    two_environments(repo)
    apply(repo, "staging")
    staging = snapshot(repo)
    apply(repo, "prod")
    prod = {i: raw for i, raw in snapshot(repo).items() if i not in staging}
    lineage = state(repo, "prod").lineage
    make_fresh(repo, "prod", prod_state)

    result = plan(repo, "prod")
    assert result.counts()[Action.CREATE] == 0, "never a copy"
    assert {c.id for c in result.resource_changes if c.adopt} == set(prod)
    assert result.state.lineage == lineage
    assert any("adopting them (was the state file lost?)" in w for w in result.warnings)

    apply(repo, "prod")
    assert {r.id for r in state(repo, "prod").resources.values()} == set(prod)
    assert snapshot(repo).keys() == staging.keys() | prod.keys(), "no copies"
    assert live_of(repo, "staging") == staging
    assert_clean(repo, "prod", staging=2)
    assert_clean(repo, "staging", prod=2)


@pytest.mark.parametrize("prod_state", FRESH)
def test_a_lost_state_facing_two_lineages_of_its_environment_refuses_with_the_command(
    repo: Repo, prod_state: str
) -> None:
    """Another repository uses the same environment name and keys on this server."""
    two_environments(repo)
    apply(repo, "prod")
    prod = snapshot(repo)
    lineage = state(repo, "prod").lineage
    theirs = "99999999-9999-4999-8999-999999999999"
    for key in KEYS:
        tag = f"{key}@{theirs}@prod"  # what assistform writes in that other repository
        repo.api.create({"model": "gpt-4o", "name": "Theirs", "metadata": {"assistform": tag}})
    before = snapshot(repo)
    make_fresh(repo, "prod", prod_state)

    refused = repo.run("plan", "--env", "prod")
    assert refused.exit_code == 1
    [line] = refused.stderr.splitlines()
    first, second = sorted([lineage, theirs])
    assert f"several lineages {first} (environment prod), {second} (environment prod)" in line
    assert "nothing is adopted or created" in line
    commands = re.findall(r"`(assistform state rebuild [^`]*)`", line)
    assert commands == [
        f"assistform state rebuild --env prod --lineage {first}",
        f"assistform state rebuild --env prod --lineage {second}",
    ]
    assert repo.run("apply", "--env", "prod", "--auto-approve", *FAST).exit_code == 1
    assert snapshot(repo) == before, "nothing touched"

    # The printed command works as printed.
    [mine] = [c for c in commands if c.endswith(lineage)]
    rebuilt = repo.run(*mine.split()[1:])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert {r.id for r in state(repo, "prod").resources.values()} == set(prod)
    after = plan(repo, "prod")
    assert not after.writes_state
    assert any("from another state lineage: not touched" in w for w in after.warnings)
    assert snapshot(repo) == before


def test_an_environment_whose_state_names_the_other_ones_assistants_leaves_them_alone(
    repo: Repo,
) -> None:
    """What today's takeover leaves behind: both state files hold staging's lineage and
    ids. prod must neither update nor delete them, and gets assistants of its own."""
    two_environments(repo)
    apply(repo, "staging")
    staging = snapshot(repo)
    prod_state = workspace(repo, "prod").state_file.path
    prod_state.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(workspace(repo, "staging").state_file.path, prod_state)
    repo.write("a", temperature=0.3)  # prod would update it, were it prod's

    result = plan(repo, "prod")
    assert [(c.key, c.action) for c in result.resource_changes] == [
        ("a", Action.CREATE),
        ("team/b", Action.CREATE),
    ]
    assert sum("environment staging manages it: not touched" in w for w in result.warnings) == 2
    apply(repo, "prod")
    assert live_of(repo, "staging") == staging
    assert_clean(repo, "prod", staging=2)

    repo.remove("team/b")
    apply(repo, "prod")
    assert live_of(repo, "staging") == staging


def legacy_tags(repo: Repo, env: str | None) -> dict[str, str]:
    """Rewrite the tag of every assistant env's state records in today's `key@lineage`
    form, as assistform wrote it before environments were tagged; the ids by key."""
    recorded = state(repo, env)
    for key, resource in recorded.resources.items():
        old = f"{key}@{recorded.lineage}"
        repo.api.update(resource.id, {"metadata": {"assistform": old}})
    return {key: resource.id for key, resource in recorded.resources.items()}


@pytest.mark.parametrize("env", [None, "prod"])
def test_older_tags_the_state_records_are_managed_and_rewritten(
    repo: Repo, env: str | None
) -> None:
    if env:
        two_environments(repo)
    apply(repo, env)
    ids = legacy_tags(repo, env)

    result = plan(repo, env)
    assert [(c.key, c.action, c.id) for c in result.resource_changes] == [
        (key, Action.UPDATE, ids[key]) for key in KEYS
    ]
    assert all(c.request and set(c.request) == {"metadata"} for c in result.resource_changes)
    apply(repo, env)

    lineage = state(repo, env).lineage
    tags = {tag_of(a.raw["metadata"]) for a in repo.live()}
    assert tags == {OwnershipTag(key, lineage, env) for key in KEYS}
    assert {a.id for a in repo.live()} == set(ids.values())
    assert_clean(repo, env)


@pytest.mark.parametrize("how", FRESH)
def test_older_tags_facing_an_empty_state_refuse_and_the_command_recovers_them(
    repo: Repo, how: str
) -> None:
    """Older tags name no environment: they could be any environment's, so an empty state
    neither adopts them nor creates copies beside them; the printed command takes them."""
    two_environments(repo)
    apply(repo, "prod")
    ids = legacy_tags(repo, "prod")
    lineage = state(repo, "prod").lineage
    make_fresh(repo, "prod", how)

    refused = repo.run("plan", "--env", "prod")
    assert refused.exit_code == 1
    assert f"lineage {lineage} (older tags that name no environment)" in refused.stderr
    command = f"assistform state rebuild --env prod --lineage {lineage}"
    assert f"`{command}`" in refused.stderr

    # Without --lineage, rebuild does not take them on a guess.
    guessed = repo.run("state", "rebuild", "--env", "prod")
    assert guessed.exit_code != 0
    assert f"`{command}`" in guessed.stderr

    rebuilt = repo.run(*command.split()[1:])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert {k: r.id for k, r in state(repo, "prod").resources.items()} == ids
    apply(repo, "prod")
    assert {a.id for a in repo.live()} == set(ids.values()), "no copies"
    assert_clean(repo, "prod")


def test_rebuild_takes_only_its_own_environment(repo: Repo) -> None:
    two_environments(repo)
    apply(repo, "staging")
    apply(repo, "prod")
    prod = state(repo, "prod")
    make_fresh(repo, "prod", "missing")

    rebuilt = repo.run("state", "rebuild", "--env", "prod")
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "2 of environment staging" in rebuilt.stderr
    after = state(repo, "prod")
    assert (after.lineage, after.resources.keys()) == (prod.lineage, prod.resources.keys())
    assert {r.id for r in after.resources.values()} == set(live_of(repo, "prod"))
    assert_clean(repo, "prod", staging=2)


def test_a_plan_made_without_refresh_never_acts_on_the_other_environments(repo: Repo) -> None:
    """--no-refresh trusts the state; a state naming staging's assistants must not lead
    prod's saved plan to update them."""
    two_environments(repo)
    apply(repo, "staging")
    staging = snapshot(repo)
    prod_state = workspace(repo, "prod").state_file.path
    prod_state.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(workspace(repo, "staging").state_file.path, prod_state)
    repo.write("a", temperature=0.3)
    saved = repo.run("plan", "--env", "prod", "--no-refresh", "--out", "prod.plan")
    assert saved.exit_code == 0, saved.output

    refused = repo.run("apply", "prod.plan", *FAST)
    assert refused.exit_code == 1
    [line] = refused.stderr.splitlines()
    assert "is owned by environment staging" in line and "Nothing was changed" in line
    assert snapshot(repo) == staging
