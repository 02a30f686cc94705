"""What `assistform apply` costs: 1,000 creates against the project's own server.

The server (a real loopback HTTP server, faithful profile) answers every request after
`--latency` seconds (default 20 ms), like a remote API. For each parallelism, a fresh
server and a temporary repository of N generated specs; a fresh child process makes the
plan (`Workspace.plan`) and applies it (`apply_plan`, the code `assistform apply` runs),
so its wall time and peak RSS are its own. The state is journaled to a real file (one
fsync per change) and compacted at the end, as in production.

    python benchmarks/apply.py                     # N = 1000; parallelism 1, 8, 32
    python benchmarks/apply.py --count 200 --parallelism 8

Goal: under 4 s at the default parallelism 8 (the sequential floor is N x latency = 20 s).
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from pathlib import Path

from childproc import rss_mb, run_child

from assistform.sandbox import Faults, SandboxServer

PARALLELISMS = (1, 8, 32)


def write_repo(root: Path, count: int) -> None:
    folder = root / "assistants"
    folder.mkdir(parents=True)
    for index in range(count):
        spec = {
            "model": "gpt-4o",
            "name": f"Assistant {index}",
            "instructions": "You answer questions about the product catalogue. " * 4,
            "tools": [{"type": "code_interpreter"}] if index % 2 else [],
            "metadata": {"team": f"team-{index % 7}"},
        }
        (folder / f"a{index:05d}.yaml").write_text(json.dumps(spec), encoding="utf-8")


def run_parent(count: int, parallelisms: list[int], latency: float) -> None:
    print(
        f"assistform apply: {count} creates, server latency {latency * 1000:.0f} ms per request, "
        "real SDK over loopback HTTP, fresh process each"
    )
    print(
        f"{'parallel':>8} {'apply s':>8} {'plan s':>7} {'creates':>8} {'lists':>6} "
        f"{'other':>6} {'live':>6} {'state':>6} {'peak MB':>8} {'growth MB':>9}"
    )
    for parallelism in parallelisms:
        with tempfile.TemporaryDirectory(prefix="assistform-bench-") as tmp:
            root = Path(tmp)
            write_repo(root, count)
            with SandboxServer(faults=Faults(latency=latency)) as server:
                figures = run_child(__file__, str(root), server.base_url, str(parallelism))
                creates = server.stats.count("POST", "/v1/assistants")
                lists = server.stats.count("GET", "/v1/assistants")
                other = server.stats.total - creates - lists
                live = len(server.store)
        print(
            f"{parallelism:>8} {figures['apply']:>8.2f} {figures['plan']:>7.2f} {creates:>8} "
            f"{lists:>6} {other:>6} {live:>6} {figures['recorded']:>6.0f} "
            f"{figures['peak_mb']:>8.1f} {figures['peak_mb'] - figures['baseline_mb']:>9.1f}"
        )
        if figures["failed"]:
            print(f"         ({figures['failed']:.0f} changes failed)")


def run_child_apply(root: Path, base_url: str, parallelism: int) -> None:
    import openai

    from assistform.api.client import OpenAIAssistants
    from assistform.apply.run import ApplySettings, apply_plan, state_for
    from assistform.workspace import Workspace

    client = openai.OpenAI(base_url=base_url, api_key="sk-bench", timeout=30)
    api = OpenAIAssistants(client)
    workspace = Workspace.discover(root)
    baseline = rss_mb()
    started = time.perf_counter()
    plan = workspace.plan(api)
    planned = time.perf_counter()
    state = state_for(plan, workspace.state_file)
    result = apply_plan(
        plan, api, workspace.state_file, state, ApplySettings(parallelism=parallelism)
    )
    applied = time.perf_counter()
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    figures = {
        "plan": planned - started,
        "apply": applied - planned,
        "recorded": len(workspace.state_file.load().resources),
        "failed": len(result.failed),
        "peak_mb": peak_kb / 1024,
        "baseline_mb": baseline,
    }
    print(json.dumps(figures))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1_000)
    parser.add_argument(
        "--parallelism", type=int, action="append", help="repeatable; default 1, 8, 32"
    )
    parser.add_argument("--latency", type=float, default=0.02, help="seconds per request")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_child_apply(Path(args.child[0]), args.child[1], int(args.child[2]))
    else:
        run_parent(args.count, args.parallelism or list(PARALLELISMS), args.latency)


if __name__ == "__main__":
    main()
