"""What the benchmark scripts share: a measured run in a fresh child process, and its RSS."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def run_child(script: str, *args: str) -> dict[str, float]:
    """Run `script --child ARGS...` in a fresh interpreter; its last stdout line is JSON."""
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    command = [sys.executable, script, "--child", *args]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"child failed:\n{done.stderr}")
    figures: dict[str, float] = json.loads(done.stdout.splitlines()[-1])
    return figures


def rss_mb() -> float:
    """This process's resident memory now, in MB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0
