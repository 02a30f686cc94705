"""`assistform state rebuild` and `state show`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from assistform.apply.lock import StateLock
from assistform.sandbox import SandboxServer

from .applyrepo import FAST, Repo, repo_factory


@pytest.fixture
def repo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, make_api_server: Callable[..., SandboxServer]
) -> Iterator[Repo]:
    for make in repo_factory(tmp_path, monkeypatch, make_api_server):
        yield make()


def test_a_lost_state_is_rebuilt_from_the_tags(repo: Repo) -> None:
    repo.write("a")
    repo.write("team/b")
    assert repo.run("apply", "--auto-approve", *FAST).exit_code == 0
    before = repo.state()
    repo.workspace.state_file.path.unlink()

    result = repo.run("state", "rebuild")
    assert result.exit_code == 0, result.output
    ids = {k: r.id for k, r in before.resources.items()}
    assert result.stdout.splitlines() == [
        f"recorded a -> {ids['a']} (Bot a)",
        f"recorded team/b -> {ids['team/b']} (Bot team/b)",
        f"State rebuilt: 2 assistant(s) recorded in state/assistform.json "
        f"(lineage {before.lineage}, serial 1).",
    ]
    after = repo.state()
    assert after.lineage == before.lineage
    assert {k: r.id for k, r in after.resources.items()} == ids
    # The specs say which fields were declared, the live assistants what the server holds.
    repo.assert_converged(["a", "team/b"])


def test_rebuild_refuses_two_claims_on_a_key_unless_told_which_to_keep(repo: Repo) -> None:
    repo.write("a")
    assert repo.run("apply", "--auto-approve", *FAST).exit_code == 0
    state = repo.state()
    first = state.resources["a"].id
    second = repo.api.create(
        {"model": "gpt-4o", "metadata": {"assistform": f"a@{state.lineage}@"}}
    ).id

    refused = repo.run("state", "rebuild")
    assert refused.exit_code == 1
    assert f"'a' is claimed by {first}, {second}" in refused.stderr
    assert repo.state() == state

    kept = repo.run("state", "rebuild", "--keep", first)
    assert kept.exit_code == 0, kept.output
    assert repo.state().resources["a"].id == first
    assert repo.state().serial == state.serial + 1


def test_rebuild_waits_for_the_lock(repo: Repo) -> None:
    repo.write("a")
    assert repo.run("apply", "--auto-approve", *FAST).exit_code == 0
    with StateLock(repo.workspace.state_file.lock_path):
        result = repo.run("state", "rebuild", "--lock-timeout", "0.2")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: state is locked by ")


def test_show_lists_what_the_state_records(repo: Repo) -> None:
    assert repo.run("state", "show").stdout == (
        "state/assistform.json: no state yet (nothing applied).\n"
    )
    repo.write("a")
    repo.run("apply", "--auto-approve", *FAST)
    state = repo.state()
    assert repo.run("state", "show").stdout.splitlines() == [
        f"state/assistform.json: lineage {state.lineage}, serial 1, 1 assistant(s)",
        f"  a  {state.resources['a'].id}  Bot a",
    ]
