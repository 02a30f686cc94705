"""What `assistform plan` costs against a real server: requests, wall time, peak memory.

For each N, a temporary repository holds N generated specs and a state that records them,
and the project's own API server (a real loopback HTTP server) is seeded with the N
matching assistants, ownership tags included: the steady state of a large team, where a
plan reads everything and finds nothing to do. The plan itself runs in a fresh child
process (the real SDK through `Workspace.plan`), so its peak RSS is its own.

    python benchmarks/plan.py                 # N = 100, 1000, 10000, faithful server
    python benchmarks/plan.py 1000 --profile lenient

Goals: ceil(N/100) list requests and no other request; 1,000 in under 2 s; memory linear
in N and under 300 MB at 10,000.
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

from childproc import rss_mb, run_child

from assistform.normalize import normalize
from assistform.ownership import OwnershipTag, with_tag
from assistform.sandbox import SandboxServer
from assistform.state import ResourceState, State, StateFile

SIZES = (100, 1_000, 10_000)
INSTRUCTIONS = "You answer questions about the product catalogue, briefly and politely. " * 8


def spec_of(index: int) -> dict[str, Any]:
    """A varied spec: four shapes, so normalization meets every kind of field."""
    spec: dict[str, Any] = {
        "model": "gpt-4o",
        "name": f"Assistant {index}",
        "instructions": INSTRUCTIONS,
        "metadata": {"team": f"team-{index % 7}", "owner": "bench"},
    }
    shape = index % 4
    if shape == 0:
        spec["tools"] = [{"type": "code_interpreter"}]
        spec["temperature"] = 0.3
    elif shape == 1:
        spec["tools"] = [
            {
                "type": "function",
                "function": {
                    "name": "lookup",
                    "description": "Look a product up.",
                    "parameters": {
                        "type": "object",
                        "properties": {"sku": {"type": "string"}},
                        "required": ["sku"],
                    },
                },
            }
        ]
        spec["top_p"] = 0.9
    elif shape == 2:
        spec["tools"] = [
            {"type": "file_search", "file_search": {"ranking_options": {"score_threshold": 0.5}}}
        ]
        spec["tool_resources"] = {"file_search": {"vector_store_ids": [f"vs_{index}"]}}
    else:
        spec["response_format"] = {"type": "json_object"}
    return spec


def write_repo(root: Path, count: int) -> dict[str, dict[str, Any]]:
    """N spec files, block-style YAML as people write them; their bodies by key."""
    from ruamel.yaml import YAML

    dumper = YAML(typ="safe", pure=True)
    dumper.default_flow_style = False
    dumper.width = 100
    specs = {}
    folder = root / "assistants"
    folder.mkdir(parents=True)
    for index in range(count):
        key = f"a{index:05d}"
        specs[key] = spec_of(index)
        with (folder / f"{key}.yaml").open("w", encoding="utf-8") as handle:
            dumper.dump(specs[key], handle)
    return specs


def seed(server: SandboxServer, root: Path, specs: dict[str, dict[str, Any]]) -> None:
    """The live assistants and the state that records them, as an apply would leave them."""
    state = State()
    resources = {}
    profile = server.service.profile
    created = int(time.time()) - len(specs)
    for index, (key, spec) in enumerate(specs.items()):
        assistant_id = f"asst_bench{index:07d}"
        body = {**spec, "metadata": with_tag(spec["metadata"], OwnershipTag(key, state.lineage))}
        fields = profile.new_fields(body)
        server.store.add(assistant_id, created + index, fields)
        resources[key] = ResourceState(
            id=assistant_id, applied=normalize(spec, fields=spec), observed=normalize(fields)
        )
    StateFile(root / "state" / "assistform.json").save(
        state.model_copy(update={"resources": resources})
    )


def run_parent(sizes: list[int], profile: str) -> None:
    print(f"assistform plan, {profile} server over loopback HTTP, real SDK, fresh process each")
    header = f"{'N':>6} {'requests':>9} {'goal':>5} {'writes':>6} {'plan s':>7} {'cpu s':>6} "
    header += f"{'specs s':>7} {'list s':>7} {'(server)':>8} {'planner s':>9} "
    header += f"{'peak MB':>8} {'growth MB':>9}"
    print(header)
    for count in sizes:
        with tempfile.TemporaryDirectory(prefix="assistform-bench-") as tmp:
            root = Path(tmp)
            specs = write_repo(root, count)
            with SandboxServer(profile=profile) as server:
                seed(server, root, specs)
                server.stats.reset()
                figures = run_child(__file__, str(root), server.base_url)
                lists = server.stats.count("GET", "/v1/assistants")
                others = server.stats.total - lists
                # Time the server spent answering: part of "list s", not the client's cost.
                served = sum(entry.seconds for entry in server.stats.requests)
        goal = max(1, math.ceil(count / 100))
        print(
            f"{count:>6} {lists:>9} {goal:>5} {others:>6} {figures['plan']:>7.2f} "
            f"{figures['cpu']:>6.2f} "
            f"{figures['specs']:>7.2f} {figures['list']:>7.2f} {served:>8.2f} "
            f"{figures['planner']:>9.2f} "
            f"{figures['peak_mb']:>8.1f} {figures['peak_mb'] - figures['baseline_mb']:>9.1f}"
        )
        if figures["noop"] != count:
            print(f"       (expected {count} no-op changes, got {figures['noop']})")


def run_child_plan(root: Path, base_url: str) -> None:
    """In the child: one `Workspace.plan`, its phases timed by thin wrappers."""
    import openai

    import assistform.workspace as workspace_module
    from assistform.api.client import OpenAIAssistants
    from assistform.api.live import LiveSet
    from assistform.plan.desired import DesiredAssistant
    from assistform.plan.model import Action, Plan
    from assistform.workspace import Workspace

    phases: dict[str, float] = {"specs": 0.0, "list": 0.0, "planner": 0.0}

    class TimedApi(OpenAIAssistants):
        def list_all(self) -> LiveSet:
            started = time.perf_counter()
            try:
                return super().list_all()
            finally:
                phases["list"] += time.perf_counter() - started

    class TimedWorkspace(Workspace):
        def desired(self) -> list[DesiredAssistant]:
            started = time.perf_counter()
            try:
                return super().desired()
            finally:
                phases["specs"] += time.perf_counter() - started

    real_make_plan = workspace_module.make_plan

    def timed_make_plan(*args: Any, **kwargs: Any) -> Plan:
        started = time.perf_counter()
        try:
            return real_make_plan(*args, **kwargs)
        finally:
            phases["planner"] += time.perf_counter() - started

    workspace_module.make_plan = timed_make_plan  # type: ignore[assignment]
    api = TimedApi(openai.OpenAI(base_url=base_url, api_key="sk-bench", max_retries=0))
    base = Workspace.discover(root)
    workspace = TimedWorkspace(base.root, base.state_file)
    baseline = rss_mb()
    cpu_started = time.process_time()
    started = time.perf_counter()
    plan = workspace.plan(api)
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    noop = sum(1 for c in plan.resource_changes if c.action is Action.NOOP and not c.writes_state)
    figures = {
        "plan": seconds,
        "cpu": cpu,
        **phases,
        "peak_mb": peak_kb / 1024,
        "baseline_mb": baseline,
    }
    print(json.dumps({**figures, "noop": noop}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=list(SIZES))
    parser.add_argument("--profile", default="faithful", choices=("faithful", "lenient"))
    parser.add_argument("--child", nargs=2, metavar=("ROOT", "BASE_URL"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_child_plan(Path(args.child[0]), args.child[1])
    else:
        run_parent(args.sizes, args.profile)


if __name__ == "__main__":
    main()
