"""Blue-green versions and rollback, through the real CLI, SDK and sandbox server."""

from __future__ import annotations

import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from assistform.ownership import VERSION_KEY
from assistform.plan.live import LiveAssistant
from assistform.plan.model import Action, Reason
from assistform.sandbox import Faults, RequestInfo

from .applyrepo import FAST, Repo

KEY = "support/triage"


def blue_green(keep: int = 3) -> dict[str, Any]:
    return {"lifecycle": {"strategy": "blue-green", "keep_versions": keep}}


@pytest.fixture
def repo(make_repo: Callable[..., Repo]) -> Repo:
    return make_repo()


def apply(repo: Repo) -> str:
    result = repo.run("apply", "--auto-approve", *FAST)
    assert result.exit_code == 0, result.output
    return result.stdout


def versions(repo: Repo) -> dict[int, LiveAssistant]:
    """The live assistants of KEY by the version their tag names."""
    return {
        int(a.raw["metadata"][VERSION_KEY]): a
        for a in repo.live()
        if VERSION_KEY in (a.raw.get("metadata") or {})
    }


def recorded(repo: Repo) -> tuple[str, int | None, list[tuple[int, str]]]:
    entry = repo.state().resources[KEY]
    return entry.id, entry.version, [(v.version, v.id) for v in entry.versions]


def assert_clean(repo: Repo) -> None:
    """Every live assistant is a version the state keeps, and the plan is clean."""
    if KEY in repo.state().resources:
        assert {a.id for a in repo.live()} == {i for _, i in recorded(repo)[2]}, "no orphan"
    plan = repo.plan()
    assert not plan.writes_state, [(c.key, c.action.value) for c in plan.resource_changes]


def test_a_change_creates_version_2_and_keeps_version_1_live(repo: Repo) -> None:
    repo.write(KEY, **blue_green())
    out = apply(repo)
    live = versions(repo)
    assert sorted(live) == [1]
    assert f"created version 1 of {KEY} ({live[1].id})" in out
    assert recorded(repo) == (live[1].id, 1, [(1, live[1].id)])
    assert_clean(repo)

    repo.write(KEY, description="v2", **blue_green())
    plan = repo.plan()
    (change,) = plan.resource_changes
    assert (change.action, change.version, change.id) == (Action.REPLACE, 2, live[1].id)
    assert Reason.NEW_VERSION in change.reasons and not change.prune
    out = apply(repo)
    live = versions(repo)
    assert sorted(live) == [1, 2]
    assert live[1].raw["description"] is None, "version 1 was not modified"
    assert live[2].raw["description"] == "v2"
    assert recorded(repo) == (live[2].id, 2, [(1, live[1].id), (2, live[2].id)])
    assert_clean(repo)  # version 1 is no duplicate


def test_keep_versions_deletes_the_oldest_after_the_switch(repo: Repo) -> None:
    for n in range(4):
        repo.write(KEY, description=f"v{n + 1}", **blue_green(keep=2))
        apply(repo)
    live = versions(repo)
    assert sorted(live) == [3, 4]
    assert recorded(repo) == (live[4].id, 4, [(3, live[3].id), (4, live[4].id)])
    assert_clean(repo)

    repo.write(KEY, description="v4", **blue_green(keep=1))  # only keep_versions changes
    plan = repo.plan()
    (change,) = plan.resource_changes
    assert change.action is Action.DELETE and change.id == live[4].id
    assert [v.version for v in change.prune] == [3]
    assert Reason.BEYOND_KEEP_VERSIONS in change.reasons
    apply(repo)
    assert sorted(versions(repo)) == [4]
    assert recorded(repo) == (live[4].id, 4, [(4, live[4].id)])
    assert_clean(repo)


def test_rollback_points_the_key_at_a_kept_version_and_the_next_plan_differs(
    repo: Repo,
) -> None:
    repo.write(KEY, description="one", **blue_green())
    apply(repo)
    repo.write(KEY, description="two", **blue_green())
    apply(repo)
    live = versions(repo)
    creates = repo.server.stats.count("POST", "/v1/assistants", status=200)

    unknown = repo.run("rollback", KEY, "--to", "7")
    assert unknown.exit_code == 1
    assert f"'{KEY}' keeps no version 7; kept versions: 1, 2" in unknown.stderr

    result = repo.run("rollback", KEY)
    assert result.exit_code == 0, result.output
    assert f"version 1 ({live[1].id}) is current again (was version 2)" in result.stdout
    assert recorded(repo) == (live[1].id, 1, [(1, live[1].id), (2, live[2].id)])
    assert repo.server.stats.count("POST", "/v1/assistants", status=200) == creates

    plan = repo.plan()
    (change,) = plan.resource_changes
    assert (change.action, change.id, change.version) == (Action.REPLACE, live[1].id, 3)
    assert [(c.path, c.before, c.after) for c in change.changes] == [("description", "one", "two")]
    assert Reason.DRIFT not in change.reasons, "a rollback is no change made outside"

    again = repo.run("rollback", KEY, "--to", "2")  # and forward again
    assert again.exit_code == 0, again.output
    assert_clean(repo)


def test_rollback_refuses_a_version_deleted_outside(repo: Repo) -> None:
    repo.write(KEY, description="one", **blue_green())
    apply(repo)
    repo.write(KEY, description="two", **blue_green())
    apply(repo)
    repo.api.delete(versions(repo)[1].id)
    result = repo.run("rollback", KEY, "--to", "1")
    assert result.exit_code == 1
    assert "version 1 of 'support/triage'" in result.stderr
    assert recorded(repo)[1] == 2


def test_an_in_place_assistant_switched_to_blue_green_becomes_version_1(repo: Repo) -> None:
    repo.write(KEY, description="one")
    apply(repo)
    (first,) = repo.live()
    repo.write(KEY, description="one", **blue_green())
    apply(repo)
    assert recorded(repo) == (first.id, 1, [(1, first.id)])
    repo.write(KEY, description="two", **blue_green())
    apply(repo)
    live = versions(repo)
    assert sorted(live) == [2] and live[2].id != first.id
    assert first.id in {a.id for a in repo.live()}, "version 1 (untagged) is kept live"
    assert recorded(repo) == (live[2].id, 2, [(1, first.id), (2, live[2].id)])
    assert_clean(repo)


def test_a_saved_plan_of_a_new_version_applies_despite_the_kept_versions(
    repo: Repo, tmp_path: Path
) -> None:
    for text in ("one", "two", "three"):
        repo.write(KEY, description=text, **blue_green())
        out = tmp_path / f"{text}.json"
        assert repo.run("plan", "--out", str(out)).exit_code in (0, 2)
        result = repo.run("apply", str(out), *FAST)
        assert result.exit_code == 0, result.output
    assert sorted(versions(repo)) == [1, 2, 3]
    assert_clean(repo)


def test_removing_a_blue_green_spec_deletes_every_version(repo: Repo) -> None:
    for text in ("one", "two"):
        repo.write(KEY, description=text, **blue_green())
        apply(repo)
    repo.write("other/bot")
    repo.remove(KEY)
    apply(repo)
    assert versions(repo) == {}
    assert KEY not in repo.state().resources
    repo.assert_converged(["other/bot"])


def test_an_in_place_key_cannot_be_rolled_back(repo: Repo) -> None:
    repo.write(KEY)
    apply(repo)
    result = repo.run("rollback", KEY)
    assert result.exit_code == 1
    assert "keeps no versions" in result.stderr


def test_a_kill_after_the_create_before_the_record_converges(
    make_repo: Callable[..., Repo],
) -> None:
    repo = make_repo()
    repo.write(KEY, description="one", **blue_green(keep=2))
    apply(repo)
    repo.write(KEY, description="two", **blue_green(keep=2))
    apply(repo)
    before = versions(repo)
    repo.write(KEY, description="three", **blue_green(keep=2))
    # The create is carried out and its answer held back: the kill lands once the new
    # version exists (listed) and before its answer, hence before the state records it.
    repo.server.faults = Faults(slow_reply=is_create, slow_seconds=20)
    process = repo.spawn("apply", "--auto-approve", *FAST)
    wait_for(lambda: len(listed_versions(repo)) == 3)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    repo.server.faults = Faults()
    assert recorded(repo)[1] == 2, "version 2 is still current: the switch never happened"
    orphan = versions(repo)[3]

    plan = repo.plan()
    unrecorded = [c for c in plan.resource_changes if Reason.UNRECORDED_VERSION in c.reasons]
    assert [c.id for c in unrecorded] == [orphan.id]
    (switch,) = [c for c in plan.resource_changes if c.version is not None]
    assert switch.version == 4, "a number an orphan used is never reused"
    assert [v.version for v in switch.prune] == [1]
    assert not any("DUPLICATES" in w for w in plan.warnings)

    assert repo.run("force-unlock").exit_code == 0
    apply(repo)
    live = versions(repo)
    assert sorted(live) == [2, 4]
    assert live[2].id == before[2].id
    assert recorded(repo) == (live[4].id, 4, [(2, live[2].id), (4, live[4].id)])
    assert_clean(repo)


def test_a_kill_after_the_switch_before_the_prune_converges(
    make_repo: Callable[..., Repo],
) -> None:
    repo = make_repo()
    repo.write(KEY, description="one", **blue_green(keep=1))
    apply(repo)
    first = versions(repo)[1]
    repo.write(KEY, description="two", **blue_green(keep=1))
    repo.server.faults = Faults(latency=1.0)
    process = repo.spawn("apply", "--auto-approve", *FAST)
    wait_for(lambda: recorded(repo)[1] == 2)  # switched (journaled); the delete is slow
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    repo.server.faults = Faults()
    assert repo.run("force-unlock").exit_code == 0
    apply(repo)
    live = versions(repo)
    assert first.id not in {a.id for a in repo.live()}
    assert sorted(live) == [2]
    assert recorded(repo) == (live[2].id, 2, [(2, live[2].id)])
    assert_clean(repo)


def is_create(request: RequestInfo) -> bool:
    return (request.method, request.route) == ("POST", "/v1/assistants")


def listed_versions(repo: Repo) -> list[LiveAssistant]:
    """Listed with the faults in force (only creates are slowed): `repo.live` lifts them."""
    return [a for a in repo.api.list_all().assistants if VERSION_KEY in a.raw["metadata"]]


def wait_for(condition: Callable[[], bool]) -> None:
    import time

    deadline = time.monotonic() + 30
    while not condition():
        assert time.monotonic() < deadline, "the condition never held"
        time.sleep(0.05)


@pytest.mark.parametrize("progress_lines", [2, 7])
def test_an_apply_of_new_versions_killed_at_any_moment_converges(
    make_repo: Callable[..., Repo], progress_lines: int
) -> None:
    repo = make_repo()
    keys = [f"team/bot{i:02d}" for i in range(12)]
    for text in ("one", "two"):
        for key in keys:
            repo.write(key, description=text, **blue_green(keep=2))
        apply(repo)
    for key in keys:
        repo.write(key, description="three", **blue_green(keep=2))
    repo.server.faults = Faults(latency=0.05)
    process = repo.spawn("apply", "--auto-approve", "--parallelism", "2", *FAST)
    assert process.stdout is not None
    seen = 0
    while seen < progress_lines:
        seen += process.stdout.readline().startswith("[")
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    repo.server.faults = Faults()
    assert repo.run("force-unlock").exit_code == 0
    apply(repo)
    state = repo.state().resources
    live = {a.id for a in repo.live()}
    assert live == {v.id for key in keys for v in state[key].versions}, "no orphan"
    for key in keys:
        entry = state[key]
        # 3, or 4 where the kill left version 3 unrecorded (deleted, its number not reused)
        assert [v.version for v in entry.versions] in ([2, 3], [2, 4])
        assert (entry.version, entry.id) == (entry.versions[-1].version, entry.versions[-1].id)
    plan = repo.plan()
    assert not plan.writes_state


def test_a_lost_state_is_rebuilt_with_every_kept_version(repo: Repo) -> None:
    for text in ("one", "two", "three"):
        repo.write(KEY, description=text, **blue_green())
        apply(repo)
    before = recorded(repo)
    repo.workspace.state_file.path.unlink()
    result = repo.run("state", "rebuild")
    assert result.exit_code == 0, result.output
    assert recorded(repo) == before
    assert_clean(repo)
