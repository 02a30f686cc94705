"""Many changes at once, through every fault the sandbox can throw."""

from __future__ import annotations

import threading
from collections.abc import Callable

from assistform.apply.run import ApplySettings
from assistform.apply.summary import failure_lines, summary_line
from assistform.sandbox import Faults, RequestInfo

from .world import FAST_RETRIES, World, spec, specs


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


def test_fifty_specs_through_lost_answers_throttling_errors_and_slow_replies(
    make_world: Callable[..., World],
) -> None:
    faults = Faults(
        latency=0.005,
        throttle_every=9,
        retry_after=1,
        retry_after_ms=50,
        fail_every=13,
        lose_answer=every_nth_create(4),
        slow_reply=every_nth_create(11),
        slow_seconds=1.0,
    )
    world = make_world(faults=faults, timeout=0.4)
    desired = specs(50)
    result = world.apply(desired)
    if result.failed:  # one re-run is allowed; it must finish the job
        result = world.apply(desired)
    assert result.failed == []
    log = world.server.stats.requests
    assert {"lost_answer", "throttled", "server_error", "slow_reply"} <= {r.fault for r in log}
    assert len(world.live()) == 50
    world.assert_converged(desired)


def test_a_refused_spec_does_not_stop_the_others(make_world: Callable[..., World]) -> None:
    world = make_world(profile="lenient")  # its own limit: 32,768 characters of instructions
    desired = [*specs(5), spec("big", instructions="x" * 40_000)]
    result = world.apply(desired)
    assert [o.change.key for o in result.failed] == ["big"]
    assert summary_line(result.outcomes) == (
        "Apply failed: 5 created, 0 updated, 0 replaced, 0 deleted; 1 failed."
    )
    [line] = failure_lines(result.outcomes)
    assert line.startswith("big (create): create assistant: HTTP 422")
    assert sorted(world.state_file.load().resources) == sorted(d.key for d in specs(5))
    assert len(world.live()) == 5


def test_summary_of_a_complete_apply(world: World) -> None:
    world.apply([spec("a"), spec("b"), spec("c")])
    result = world.apply([spec("a", description="new"), spec("d")])
    assert summary_line(result.outcomes) == (
        "Apply complete: 1 created, 1 updated, 0 replaced, 2 deleted."
    )


def _max_in_flight(world: World, parallelism: int, count: int) -> int:
    in_flight = peak = 0
    lock = threading.Lock()

    def sleep(seconds: float) -> None:
        nonlocal in_flight, peak
        with lock:
            in_flight += 1
            peak = max(peak, in_flight)
        threading.Event().wait(seconds)
        with lock:
            in_flight -= 1

    world.server.faults = Faults(latency=0.05)
    world.server.service.sleep = sleep
    world.settings = ApplySettings(parallelism=parallelism, policy=FAST_RETRIES)
    world.apply(specs(count))
    return peak


def test_parallelism_bounds_the_changes_in_flight(make_world: Callable[..., World]) -> None:
    assert _max_in_flight(make_world(), parallelism=4, count=12) == 4
    assert _max_in_flight(make_world(), parallelism=1, count=3) == 1
