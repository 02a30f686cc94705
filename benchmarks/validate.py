"""What `assistform validate` costs as a whole process: start-up, imports, reading, checking.

For each N, a temporary repository holds N generated specs, as a team writes them: nested
folders, every tool type, file-search ranking options, function JSON schemas, structured
outputs, metadata, lifecycle options, and instructions in a separate file for some. The
command runs as a real child process (what pre-commit and CI run), best of `--runs`.

    python benchmarks/validate.py             # N = 12 and 1,000, best of 5; ratio median of 21
    python benchmarks/validate.py 100 5000 --runs 3 --ratio-runs 11
    python benchmarks/validate.py --without-libyaml   # as where PyYAML is not installed

It also prints the ratio that says whether the hook costs more than its libraries: in one
fresh interpreter per run, the time `validate` takes on 12 specs, its libraries' imports
included, over the time importing those libraries (click, pydantic's model machinery and the
YAML reader it uses) takes, both timed from the same start after interpreter start-up; the
median of `--ratio-runs` runs. Byte code is written and reused, as an installed package has it.

Goals: under 0.3 s for 12 specs, under 2 s for 1,000; a ratio under 1.5.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SIZES = (12, 1_000)
GOALS = {12: 0.3, 1_000: 2.0}
RATIO_SPECS = 12
RATIO_GOAL = 1.5
TEAMS = ("support", "sales", "hr", "finance", "data", "legal")

PROMPT = """\
# {title}

You are the {title} assistant of Acme Cloud.

1. Read the request and classify it.
2. Search the knowledge base before you answer, and quote the article you used.
3. When a human must act, open a ticket with the right priority.

Keep answers under 150 words, friendly and precise.
"""

FUNCTION_TOOL = """\
  - type: function
    function:
      name: {name}
      description: {description}
      strict: true
      parameters:
        type: object
        properties:
          title: {{type: string, description: A one-line summary}}
          priority: {{type: string, enum: [low, normal, urgent]}}
          tags:
            type: array
            items: {{type: string}}
        required: [title, priority, tags]
        additionalProperties: false
"""

FILE_SEARCH_TOOL = """\
  - type: file_search
    file_search:
      max_num_results: {results}
      ranking_options:
        ranker: default_2024_08_21
        score_threshold: 0.{threshold}
"""

JSON_SCHEMA_FORMAT = """\
response_format:
  type: json_schema
  json_schema:
    name: {name}_reply
    description: The structured reply of the {title} assistant.
    strict: true
    schema:
      type: object
      properties:
        summary: {{type: string}}
        sentiment: {{type: string, enum: [positive, neutral, negative]}}
        next_action: {{type: string}}
      required: [summary, sentiment, next_action]
      additionalProperties: false
"""


def spec_text(i: int) -> str:
    """One realistic spec; which features it uses depends on `i`."""
    team = TEAMS[i % len(TEAMS)]
    title = f"{team} helper {i}"
    lines = [
        "# yaml-language-server: $schema=../../schema/assistant.schema.json",
        f"model: {('gpt-4o', 'gpt-4.1-mini', 'o3-mini')[i % 3]}",
        f"name: {title.capitalize()}",
        f"description: Answers {team} questions and routes the hard ones to a human.",
    ]
    if i % 4 == 0:
        lines.append(f"instructions_file: ../prompts/{team}-{i}.md")
    else:
        lines.append(
            "instructions: >-\n"
            f"  You help the {team} team. Search the knowledge base first, quote your\n"
            "  source, and open a ticket when a human must act. Reply in JSON."
        )
    if i % 3 == 2:
        lines.append("reasoning_effort: low")
    tools = ["tools:", "  - type: code_interpreter"] if i % 2 == 0 else ["tools:"]
    text = "\n".join(lines) + "\n" + "\n".join(tools) + "\n"
    text += FILE_SEARCH_TOOL.format(results=5 + i % 40, threshold=i % 10)
    text += FUNCTION_TOOL.format(name=f"open_ticket_{i}", description=f"Open a {team} ticket.")
    text += FUNCTION_TOOL.format(name=f"lookup_order_{i}", description="Find an order by id.")
    resources = ["tool_resources:"]
    if i % 2 == 0:
        resources.append(f"  code_interpreter:\n    file_ids: [file-{i}-a, file-{i}-b]")
    resources.append(f"  file_search:\n    vector_store_ids: [vs_{team}_kb]")
    text += "\n".join(resources) + "\n"
    if i % 5 == 0:
        text += JSON_SCHEMA_FORMAT.format(name=team, title=title)
    elif i % 3 == 0:
        text += "temperature: 0.3\n"
    text += f"metadata:\n  team: {team}\n  owner: owner-{i % 17}\n  cost-center: cc-{1000 + i}\n"
    if i % 7 == 0:
        text += "lifecycle:\n  prevent_destroy: true\n  ignore_changes: [tool_resources]\n"
    return text


def make_repo(root: Path, count: int) -> None:
    (root / ".git").mkdir()  # a repository root marker, as in a clone
    (root / "assistants" / "prompts").mkdir(parents=True)
    for i in range(count):
        team = TEAMS[i % len(TEAMS)]
        folder = root / "assistants" / team
        folder.mkdir(exist_ok=True)
        (folder / f"helper-{i:05d}.yaml").write_text(spec_text(i), encoding="utf-8")
        if i % 4 == 0:
            prompt = root / "assistants" / "prompts" / f"{team}-{i}.md"
            prompt.write_text(PROMPT.format(title=f"{team} helper {i}"), encoding="utf-8")


#: `assistform validate` in a process that cannot import PyYAML (so reads with ruamel.yaml).
WITHOUT_LIBYAML = (
    "import sys; sys.modules['yaml'] = None; sys.argv = ['assistform', 'validate']; "
    "from assistform.cli.main import main; main()"
)


#: What `validate` imports to read and check clean specs, as the hook's own modules import it.
LIBRARIES = (
    "import click\n"
    "from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError\n"
)
YAML_READER = {False: "from yaml._yaml import CParser\n", True: "import ruamel.yaml\n"}
NO_LIBYAML = "sys.modules['yaml'] = None\n"

#: The measured child: the clock starts once `time`, `json` and `sys` are imported; the
#: libraries are imported first, then `validate` runs (its own imports then cost nothing
#: for them), so the two figures share one process and whatever load the machine has.
CHILD = """\
import json, sys, time
{prelude}sys.argv = ["assistform", "validate"]
clock = time.perf_counter, time.process_time
started = [f() for f in clock]
{imports}imported = [f() for f in clock]
code = 0
try:
    from assistform.cli.main import main
    main()
except SystemExit as exc:
    code = exc.code
done = [f() for f in clock]
print(json.dumps({{
    "imports": [b - a for a, b in zip(started, imported)],
    "validate": [b - a for a, b in zip(started, done)],
    "exit": code,
}}))
"""


def child_env() -> dict[str, str]:
    """The environment of every measured child: byte code cached, as in an installed package."""
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def measure_child(code: str, cwd: Path) -> dict[str, list[float]]:
    """What one fresh interpreter running `code` in `cwd` reports."""
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=cwd,
        env=child_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"child failed:\n{done.stderr[-3000:]}")
    figures: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    if figures["exit"] != 0:
        raise SystemExit(f"validate failed:\n{done.stderr[-3000:]}")
    return figures


def ratio(runs: int, without_libyaml: bool) -> None:
    """Print validate on 12 specs over the imports of its libraries, in the same process.

    Each run is a fresh interpreter that imports the libraries, then runs `validate`, timing
    both from the same start; the ratio is the median of the runs' ratios, in CPU time,
    which other processes on a shared machine disturb least (wall time beside it).
    """
    prelude = NO_LIBYAML if without_libyaml else ""
    code = CHILD.format(prelude=prelude, imports=LIBRARIES + YAML_READER[without_libyaml])
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        make_repo(root, RATIO_SPECS)
        measure_child(code, root)  # writes the byte code caches
        figures = [measure_child(code, root) for _ in range(runs)]
    wall, cpu = (
        statistics.median(f["validate"][i] / f["imports"][i] for f in figures) for i in (0, 1)
    )
    imports, validate = (min(f[name][1] for f in figures) for name in ("imports", "validate"))
    print(
        f"ratio {cpu:.2f} cpu, {wall:.2f} wall  (validate {RATIO_SPECS} specs over the import of"
        f" its libraries in the same process, median of {runs}; best cpu: validate"
        f" {validate * 1000:.0f} ms, imports {imports * 1000:.0f} ms)"
        f"  goal < {RATIO_GOAL:g}: {'ok' if cpu < RATIO_GOAL else 'MISSED'}"
    )


def command(without_libyaml: bool = False) -> list[str]:
    if without_libyaml:
        return [sys.executable, "-c", WITHOUT_LIBYAML]
    script = shutil.which("assistform")
    return [script, "validate"] if script else [sys.executable, "-m", "assistform", "validate"]


def best_time(cwd: Path, runs: int, argv: list[str]) -> tuple[float, float, str]:
    """Best wall time, best CPU time (user + system) of the child, and its summary line."""
    best_wall = best_cpu = float("inf")
    summary = ""
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        done = subprocess.run(
            argv, cwd=cwd, env=child_env(), capture_output=True, text=True, check=False
        )
        elapsed = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if done.returncode != 0:
            raise SystemExit(f"validate failed:\n{done.stderr[-3000:]}")
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        best_wall, best_cpu = min(best_wall, elapsed), min(best_cpu, cpu)
        summary = done.stdout.strip()
    return best_wall, best_cpu, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=list(SIZES))
    parser.add_argument("--runs", type=int, default=5)
    # A ratio of two short timings varies from run to run by some percent: its median needs
    # more runs than a best time does to say the same thing twice.
    parser.add_argument("--ratio-runs", type=int, default=21, help="runs of the ratio (median)")
    parser.add_argument("--without-libyaml", action="store_true", help="read with ruamel.yaml")
    args = parser.parse_args()
    argv = command(args.without_libyaml)
    print(f"command: {' '.join(argv)}  (best of {args.runs})")
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    for count in args.sizes:
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder)
            make_repo(root, count)
            wall, cpu, summary = best_time(root, args.runs, argv)
        goal = GOALS.get(count)
        verdict = (
            "" if goal is None else f"  goal < {goal:g} s: {'ok' if wall < goal else 'MISSED'}"
        )
        print(f"{count:>6,} specs  wall {wall:6.3f} s  cpu {cpu:6.3f} s  ({summary}){verdict}")
    ratio(args.ratio_runs, args.without_libyaml)


if __name__ == "__main__":
    main()
