"""plan and apply retry alike: one policy, set by the same flags (or the environment's
`server.max_retries`), wraps every request once. The requests are counted by the server.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from assistform.sandbox import ROUTE_COLLECTION, Faults
from assistform.sandbox.faults import FaultDecision, RequestInfo

from .applyrepo import Repo

ITEM = "/v1/assistants/{assistant_id}"
#: Quick waits; the tries are what the tests count.
QUICK = ("--retry-base-delay", "0.001")


class Numbered(Faults):
    """Answers the requests numbered in `answers` (1-based) with a 429 ("429", with a
    5 ms Retry-After-Ms) or a 500 ("500"); every other request normally."""

    def __init__(self, answers: dict[int, str]) -> None:
        super().__init__(retry_after_ms=5)
        self.answers = answers
        self.count = 0
        self.guard = threading.Lock()

    def decide(self, request: RequestInfo) -> FaultDecision:
        with self.guard:
            self.count += 1
            answer = self.answers.get(self.count)
        return FaultDecision(throttle=answer == "429", fail=answer == "500")


def applied(make_repo: Callable[..., Repo]) -> Repo:
    repo = make_repo()
    repo.write("a")
    repo.write("b")
    result = repo.run("apply", "--auto-approve")
    assert result.exit_code == 0, result.output
    repo.server.stats.reset()
    return repo


def test_plan_gets_through_429s_and_500s_within_the_budget_apply_has(
    make_repo: Callable[..., Repo],
) -> None:
    repo = applied(make_repo)
    repo.server.faults = Numbered({1: "429", 2: "500"})
    result = repo.run("plan", "--detailed-exitcode", "--max-tries", "3", *QUICK)
    assert result.exit_code == 0, result.output
    assert repo.server.stats.count("GET", ROUTE_COLLECTION) == 3

    # apply, with the same budget: its listing and its update are each tried 3 times.
    repo.write("a", name="Renamed")
    repo.server.stats.reset()
    repo.server.faults = Numbered({1: "429", 2: "500", 4: "500", 5: "429"})
    result = repo.run("apply", "--auto-approve", "--max-tries", "3", *QUICK)
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith("Apply complete: 0 created, 1 updated, 0 replaced, 0 deleted.\n")
    assert repo.server.stats.count("GET", ROUTE_COLLECTION) == 3
    assert repo.server.stats.count("POST", ITEM) == 3


@pytest.mark.parametrize("tries", [1, 4])
@pytest.mark.parametrize("command", ["plan", "apply"])
def test_a_failing_listing_is_tried_exactly_max_tries_times(
    make_repo: Callable[..., Repo], command: str, tries: int
) -> None:
    repo = applied(make_repo)
    repo.server.faults = Faults(fail_every=1)
    args = ["--auto-approve"] if command == "apply" else []
    result = repo.run(command, *args, "--max-tries", str(tries), *QUICK)
    assert result.exit_code == 1, result.output
    assert "error: list assistants: HTTP 500 [server_error]" in result.stderr
    # Never the SDK's retries on top (they were 3 tries a request, whatever was asked).
    assert repo.server.stats.total == tries


def test_a_failing_update_is_tried_exactly_max_tries_times(make_repo: Callable[..., Repo]) -> None:
    repo = applied(make_repo)
    repo.write("a", name="Renamed")
    repo.server.faults = Numbered({n: "500" for n in range(2, 10)})  # all but the listing
    result = repo.run("apply", "--auto-approve", "--max-tries", "4", *QUICK)
    assert result.exit_code == 1, result.output
    assert repo.server.stats.count("POST", ITEM) == 4


def test_the_environment_sets_the_tries_and_the_flag_beats_it(
    make_repo: Callable[..., Repo],
) -> None:
    repo = applied(make_repo)
    (repo.root / "assistform.yaml").write_text(
        "environments:\n  dev:\n    default: true\n    server: {max_retries: 1}\n",
        encoding="utf-8",
    )
    repo.server.faults = Faults(fail_every=1)
    assert repo.run("plan", *QUICK).exit_code == 1
    assert repo.server.stats.total == 2  # max_retries: 1 is 2 tries

    repo.server.stats.reset()
    assert repo.run("plan", "--max-tries", "5", *QUICK).exit_code == 1
    assert repo.server.stats.total == 5
