"""`assistform apply`: asks, applies, reports; refuses stale plans and concurrent runs;
and a run killed at any moment is finished by the next one, with never a second copy."""

from __future__ import annotations

import json
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from assistform.cli import apply as apply_command
from assistform.sandbox import Faults, RequestInfo
from assistform.state import State
from doubles import Killed, killed_before_removing

from .applyrepo import FAST, Repo


@pytest.fixture
def repo(make_repo: Callable[..., Repo]) -> Repo:
    return make_repo()


def interactive(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(apply_command, "stdin_is_interactive", lambda: True)


def test_apply_shows_the_plan_and_applies_on_yes(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo.write("support/triage")
    interactive(monkeypatch)
    result = repo.run("apply", input="yes\n")
    assert result.exit_code == 0, result.output
    [live] = repo.live()
    assert result.stdout.splitlines()[-2:] == [
        f"[1/1] created support/triage ({live.id})",
        "Apply complete: 1 created, 0 updated, 0 replaced, 0 deleted.",
    ]
    assert "+ support/triage will be created" in result.stdout
    assert "Only 'yes' will be accepted" in result.stdout
    repo.assert_converged(["support/triage"])


@pytest.mark.parametrize("answer", ["no\n", "y\n", "YES please\n", "\n"])
def test_anything_but_yes_cancels_and_changes_nothing(
    repo: Repo, monkeypatch: pytest.MonkeyPatch, answer: str
) -> None:
    repo.write("a")
    interactive(monkeypatch)
    result = repo.run("apply", input=answer)
    assert result.exit_code == 1
    assert result.stderr == "error: apply cancelled: only 'yes' is accepted; nothing was changed\n"
    assert repo.live() == []
    assert not (repo.root / "state" / "assistform.json").exists()


def test_without_a_terminal_apply_refuses_to_ask(repo: Repo) -> None:
    repo.write("a")
    result = repo.run("apply")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(
        "error: no terminal to ask for approval on: pass --auto-approve"
    )
    assert repo.live() == []


def test_nothing_to_do_exits_0_without_asking(repo: Repo) -> None:
    repo.write("a")
    assert repo.run("apply", "--auto-approve", *FAST).exit_code == 0
    serial = repo.state().serial
    result = repo.run("apply")  # no terminal, no --auto-approve: nothing to ask about
    assert result.exit_code == 0
    assert result.stdout.endswith("No changes. Live assistants match the specs.\n")
    assert repo.state().serial == serial


def test_each_kind_of_change_then_a_clean_plan(repo: Repo) -> None:
    repo.write("a", temperature=0.5)
    repo.write("b")
    assert repo.run("apply", "--auto-approve", *FAST).exit_code == 0
    ids = {k: r.id for k, r in repo.state().resources.items()}
    repo.assert_converged(["a", "b"])

    repo.write("a", temperature=0.9)
    repo.remove("b")
    repo.write("c")
    result = repo.run("apply", "--auto-approve", *FAST)
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith("Apply complete: 1 created, 1 updated, 0 replaced, 1 deleted.\n")
    assert repo.state().resources["a"].id == ids["a"]
    repo.assert_converged(["a", "c"])

    result = repo.run("apply", "--auto-approve", "--replace", "a", *FAST)
    assert result.stdout.endswith("Apply complete: 0 created, 0 updated, 1 replaced, 0 deleted.\n")
    assert repo.state().resources["a"].id != ids["a"]
    assert ids["a"] not in {a.id for a in repo.live()}
    repo.assert_converged(["a", "c"])


def test_a_refused_spec_fails_alone_and_the_run_exits_1(make_repo: Callable[..., Repo]) -> None:
    repo = make_repo(profile="lenient")  # refuses instructions over 32,768 characters
    keys = repo.write_many(4)
    repo.write("big", instructions="x" * 40_000)
    result = repo.run("apply", "--auto-approve", *FAST)
    assert result.exit_code == 1
    assert result.stdout.splitlines()[-1] == (
        "Apply failed: 4 created, 0 updated, 0 replaced, 0 deleted; 1 failed."
    )
    [line] = result.stderr.splitlines()
    assert line.startswith("error: big (create): create assistant: HTTP 422")
    assert sorted(repo.state().resources) == keys


def test_a_saved_plan_is_applied_as_saved_without_asking(repo: Repo, tmp_path: Path) -> None:
    repo.write("a")
    plan_file = tmp_path / "plan.json"
    assert repo.run("plan", "--out", str(plan_file)).exit_code == 0
    repo.write("b")  # not in the saved plan: not applied
    result = repo.run("apply", str(plan_file), *FAST)
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith("Apply complete: 1 created, 0 updated, 0 replaced, 0 deleted.\n")
    assert list(repo.state().resources) == ["a"]


def test_a_stale_saved_plan_is_refused_and_nothing_changes(repo: Repo) -> None:
    repo.write("a")
    repo.write("b")
    assert repo.run("apply", "--auto-approve", *FAST).exit_code == 0
    repo.write("a", description="new")
    repo.write("b", description="new")
    plan_file = "plan.json"
    assert repo.run("plan", "--out", plan_file).exit_code == 0
    a = repo.state().resources["a"].id
    repo.api.update(a, {"name": "changed by hand"})
    before = ({x.id: x.raw for x in repo.live()}, repo.state())

    result = repo.run("apply", plan_file, *FAST)
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: saved plan plan.json is stale: a: {a} was changed. "
        "Nothing was changed; make a new plan\n"
    )
    assert ({x.id: x.raw for x in repo.live()}, repo.state()) == before


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_a_stale_saved_plan_leaves_an_empty_state_file_byte_identical(
    repo: Repo, tmp_path: Path
) -> None:
    """An empty state file takes on the lineage of a plan that adopts; a stale one must not
    have rewritten it before saying that nothing was changed."""
    repo.write("a")
    assert repo.run("apply", "--auto-approve", *FAST).exit_code == 0
    state_dir = repo.workspace.state_file.path.parent
    for path in state_dir.iterdir():
        path.unlink()
    repo.workspace.state_file.save(State(lineage="0f0f0f0f-empty-state"), bump=False)
    plan_file = tmp_path / "plan.json"
    assert repo.run("plan", "--out", str(plan_file)).exit_code == 0
    [live] = repo.live()
    repo.api.update(live.id, {"name": "changed by hand"})
    before = files_of(state_dir)

    result = repo.run("apply", str(plan_file), *FAST)

    assert result.exit_code == 1
    assert f"a: {live.id} was changed. Nothing was changed" in result.stderr
    assert files_of(state_dir) == before, "no byte written, no backup, no journal"


def test_a_kill_between_saving_the_state_and_removing_the_journal_counts_nothing_twice(
    repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo.write("a")
    repo.write("b")
    state_file = repo.workspace.state_file
    with killed_before_removing(state_file.journal_path, monkeypatch), pytest.raises(Killed):
        repo.run("apply", "--auto-approve", *FAST)
    assert state_file.journal_path.exists(), "killed after the state, before the journal went"
    on_file = json.loads(state_file.path.read_text(encoding="utf-8"))
    assert on_file["serial"] == 2, "the compacted state: two creates"
    state = repo.state()
    assert state.serial == 2
    assert {k: r.id for k, r in state.resources.items()} == {
        k: r["id"] for k, r in on_file["resources"].items()
    }
    # A plan made now (here, or from the state file as committed) applies.
    repo.write("a", description="new")
    plan_file = tmp_path / "plan.json"
    assert repo.run("plan", "--out", str(plan_file)).exit_code == 0
    assert json.loads(plan_file.read_text(encoding="utf-8"))["state"]["serial"] == 2
    result = repo.run("apply", str(plan_file), *FAST)
    assert result.exit_code == 0, result.output
    assert repo.state().serial == 3
    repo.assert_converged(["a", "b"])


def test_an_applied_plan_cannot_be_applied_twice(repo: Repo, tmp_path: Path) -> None:
    repo.write("a")
    plan_file = tmp_path / "plan.json"
    repo.run("plan", "--out", str(plan_file))
    assert repo.run("apply", str(plan_file), *FAST).exit_code == 0
    result = repo.run("apply", str(plan_file), *FAST)
    assert result.exit_code == 1
    assert "the state was written since (serial 0 -> 1)" in result.stderr
    assert len(repo.live()) == 1


def test_target_with_a_saved_plan_is_a_usage_error(repo: Repo, tmp_path: Path) -> None:
    result = repo.run("apply", str(tmp_path / "p.json"), "--target", "a")
    assert result.exit_code == 2


def test_a_concurrent_apply_is_refused_by_the_lock(make_repo: Callable[..., Repo]) -> None:
    # At one change at a time, 8 s under the lock: long enough that the second run, however
    # slowly a loaded machine starts it, still finds the lock held.
    repo = make_repo(faults=Faults(latency=0.5))
    keys = repo.write_many(16)
    first = repo.spawn("apply", "--auto-approve", "--parallelism", "1", *FAST)
    lock = repo.root / "state" / "assistform.json.lock"
    deadline = time.monotonic() + 20
    while not lock.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    second = repo.spawn("apply", "--auto-approve", *FAST)
    _, err = second.communicate(timeout=20)
    # Refused at once, not after waiting for the lock: the first run still holds it.
    assert first.poll() is None
    assert second.returncode == 1
    assert err.startswith("error: state is locked by ")
    assert f"pid {first.pid} since " in err
    assert err.rstrip().endswith(
        "(assistform apply --auto-approve --parallelism 1 "
        "--retry-base-delay 0.01 --max-retry-seconds 20); "
        "if that run is dead: assistform force-unlock"
    )
    assert first.wait(timeout=60) == 0
    assert not lock.exists()
    repo.assert_converged(keys)


def every_nth_create(n: int) -> Callable[[RequestInfo], bool]:
    count = 0
    lock = threading.Lock()

    def hit(request: RequestInfo) -> bool:
        nonlocal count
        if (request.method, request.route) != ("POST", "/v1/assistants"):
            return False
        with lock:
            count += 1
            return count % n == 0

    return hit


def kill_after(process: subprocess.Popen[str], lines: int) -> list[str]:
    """SIGKILL `process` once it has printed `lines` progress lines (0: once it locked)."""
    assert process.stdout is not None
    seen: list[str] = []
    while len(seen) < lines:
        line = process.stdout.readline()
        if not line:
            break
        if line.startswith("["):
            seen.append(line)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    return seen


@pytest.mark.parametrize(
    ("progress_lines", "lose_every"),
    [(1, 0), (25, 0), (55, 0), (10, 3), (40, 3)],
)
def test_an_apply_killed_at_any_moment_is_finished_by_the_next_run(
    make_repo: Callable[..., Repo], progress_lines: int, lose_every: int
) -> None:
    faults = Faults(latency=0.03)
    if lose_every:
        faults.lose_answer = every_nth_create(lose_every)
    repo = make_repo(faults=faults)
    keys = repo.write_many(60)
    killed = repo.spawn("apply", "--auto-approve", *FAST)
    seen = kill_after(killed, progress_lines)
    assert killed.returncode == -signal.SIGKILL
    assert len(seen) == progress_lines, "killed in the middle of the apply"
    # Every change reported done was recorded before it was reported.
    assert len(repo.state().resources) >= len(seen)

    # The dead run's lock is stale: reported as such, and removed without --force.
    refused = repo.run("apply", "--auto-approve", *FAST)
    assert refused.exit_code == 1
    assert "that process is gone (stale lock)" in refused.stderr
    unlocked = repo.run("force-unlock")
    assert unlocked.exit_code == 0, unlocked.output
    assert unlocked.stdout.startswith("Removed the stale lock of ")

    rerun = repo.run("apply", "--auto-approve", *FAST)
    assert rerun.exit_code == 0, rerun.output
    repo.assert_converged(keys)
    creates = repo.server.stats.count("POST", "/v1/assistants", status=200)
    assert creates >= 60


def test_a_killed_apply_of_updates_replaces_and_deletes_is_finished_by_the_next_run(
    make_repo: Callable[..., Repo],
) -> None:
    repo = make_repo()
    keys = repo.write_many(45)
    for key in keys[15:30]:
        repo.write(key, temperature=0.5, lifecycle={"replace_on_change": ["temperature"]})
    assert repo.run("apply", "--auto-approve", *FAST).exit_code == 0
    for key in keys[:15]:
        repo.write(key, description="updated")
    for key in keys[15:30]:
        repo.write(key, temperature=0.9, lifecycle={"replace_on_change": ["temperature"]})
    for key in keys[30:]:
        repo.remove(key)
    repo.server.faults = Faults(latency=0.03, lose_answer=every_nth_create(4))
    killed = repo.spawn("apply", "--auto-approve", *FAST)
    assert len(kill_after(killed, 20)) == 20
    assert repo.run("force-unlock").exit_code == 0
    rerun = repo.run("apply", "--auto-approve", *FAST)
    assert rerun.exit_code == 0, rerun.output
    repo.assert_converged(keys[:30])


def test_sigterm_finishes_what_is_under_way_records_it_and_unlocks(
    make_repo: Callable[..., Repo],
) -> None:
    repo = make_repo(faults=Faults(latency=0.05))
    keys = repo.write_many(40)
    process = repo.spawn("apply", "--auto-approve", "--parallelism", "2", *FAST)
    assert process.stdout is not None
    reported = 0
    while reported < 5:
        reported += process.stdout.readline().startswith("[")
    process.send_signal(signal.SIGTERM)  # what a cancelled CI job gets first
    out, err = process.communicate(timeout=20)
    assert process.returncode == 130
    assert err.endswith("error: interrupted\n")
    state_dir = repo.root / "state"
    assert sorted(p.name for p in state_dir.iterdir()) == [
        "assistform.json",
        "assistform.json.backup",
    ], "unlocked, journal compacted"
    recorded = repo.state().resources
    assert len(recorded) >= reported + out.count("\n[")
    assert sorted(r.id for r in recorded.values()) == sorted(a.id for a in repo.live())
    assert repo.run("apply", "--auto-approve", *FAST).exit_code == 0
    repo.assert_converged(keys)
