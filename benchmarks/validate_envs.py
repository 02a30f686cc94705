"""What environments cost `assistform validate`: wall time for N specs, as written and with
every environment merged.

For each N, a temporary repository holds N generated specs, an assistform.yaml with three
environments (each with an override for every key and one for a glob) and a policy, and an
overlay file for every tenth spec in each environment. `validate` checks the specs as
written and as each environment merges them; a spec that no layer touches is parsed and
checked once, not once per environment.

    python benchmarks/validate_envs.py            # N = 100, 1000
    python benchmarks/validate_envs.py 5000

Goal: with three environments, under twice the time of the same specs without any.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from assistform.spec.load import load_every_environment, load_specs

SIZES = (100, 1_000)
ENVIRONMENTS = ("dev", "staging", "prod")
CONFIG = """\
environments:
  dev:
    default: true
    overrides:
      - keys: "team-1/*"
        set: {model: gpt-4o-mini}
  staging:
    overrides:
      - keys: "*"
        set: {metadata: {stage: staging}}
  prod:
    policy: {max_temperature: 0.9}
policy:
  allowed_models: [gpt-4o*, gpt-4.1*]
  required_metadata: [team]
"""
SPEC = """\
model: gpt-4.1
name: Assistant {index}
instructions: You answer questions about the product catalogue, briefly and politely.
tools:
  - type: function
    function:
      name: lookup_{index}
      parameters: {{type: object, properties: {{q: {{type: string}}}}, required: [q]}}
temperature: 0.5
metadata:
  team: team-{team}
"""


def build(root: Path, n: int, *, environments: bool) -> None:
    for index in range(n):
        folder = root / "assistants" / f"team-{index % 10}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"a{index}.yaml").write_text(SPEC.format(index=index, team=index % 10))
        if environments and index % 10 == 0:
            for env in ENVIRONMENTS:
                (folder / f"a{index}.{env}.yaml").write_text("temperature: 0.2\n")
    if environments:
        (root / "assistform.yaml").write_text(CONFIG)


def timed(root: Path, *, environments: bool) -> tuple[float, int]:
    started = time.perf_counter()
    result = load_every_environment(root) if environments else load_specs(root)
    elapsed = time.perf_counter() - started
    assert not result.errors, result.errors[:3]
    return elapsed, result.files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=list(SIZES))
    args = parser.parse_args()
    print(f"{'specs':>6}  {'plain':>8}  {'3 envs':>8}  ratio")
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as plain, tempfile.TemporaryDirectory() as envs:
            build(Path(plain), n, environments=False)
            build(Path(envs), n, environments=True)
            base, _ = timed(Path(plain), environments=False)
            merged, files = timed(Path(envs), environments=True)
            assert files == n
            print(f"{n:>6}  {base:>7.2f}s  {merged:>7.2f}s  {merged / base:.2f}x")


if __name__ == "__main__":
    main()
