"""What files and vector stores cost: 1,000 files in 10 vector stores against the sandbox.

A temporary repository of N generated Markdown files (the mix below) in S vector stores
(`vector_stores/kb/sNN.yaml`, N/S files each), with one assistant searching each store.
The server is the project's own (faithful profile, every request answered after
`--latency`, default 20 ms, like a remote API), on loopback in a process of its own, so
the measured client's memory is its own. The client is the real CLI in a fresh process:

1. `assistform apply --auto-approve`: wall time (process start to exit), the server's
   requests by route, the bytes it received as files, the process's peak RSS.
2. `assistform plan` again: time, requests, and file bytes read to hash (goal: no upload,
   0 bytes read, list pages only); then the same plan timed inside a fresh process once
   the SDK is imported (`Workspace.plan`): on a busy machine, the SDK's imports can take
   seconds of every CLI figure (the first line says how many).
3. Peak RSS of the apply of one small file against one `--big-mb` file (goal: flat).
4. Hashing throughput of assistform's hashing edge (`knowledge/hashing.py`, no state
   cache) against `sha256sum` on the same files in the same run (goal: within 1.5x).
   Both read from the page cache (the files are read once before either is timed).

    python benchmarks/files.py                       # 1,000 files, 10 stores, 200 MB file
    python benchmarks/files.py --files 100 --big-mb 20

File sizes (deterministic; decimal units, as the plan prints them): of each 100 files, 1 is
10 MB, 9 are 256 kB to 1 MB, 90 are 1 kB to 16 kB. `sha256sum` (GNU coreutils) may not use
the CPU's SHA instructions where OpenSSL, and so Python's hashlib, does: `openssl dgst
-sha256` on the same files is printed beside it, the same implementation's floor.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: Decimal units, as the plan prints sizes.
KB = 1000
MB = 1000 * KB
SRC = Path(__file__).resolve().parents[1] / "src"
ROW = "{:<60} {:>8}"


def size_of(index: int) -> int:
    """The mix: per 100 files, 1 large, 9 medium, 90 small."""
    rng = random.Random(index)
    if index % 100 == 99:
        return 10 * MB
    if index % 10 == 9:
        return rng.randint(256 * KB, 1 * MB)
    return rng.randint(1 * KB, 16 * KB)


def write_text_file(path: Path, size: int, seed: int) -> None:
    """`size` bytes of printable text, written in 1 MB pieces (no whole file in memory)."""
    rng = random.Random(seed)
    block = rng.randbytes(MB).hex().encode()[:MB]
    with path.open("wb") as file:
        left = size
        while left > 0:
            piece = min(left, MB)
            # Each piece differs (its offset first), so no two files or pieces are alike.
            head = f"{seed}:{left}\n".encode()
            file.write((head + block)[:piece])
            left -= piece


def write_repo(root: Path, sizes: list[int], stores: int) -> list[Path]:
    """The repository: files spread evenly over `stores` vector stores, one assistant each."""
    paths: list[Path] = []
    (root / "assistants").mkdir(parents=True)
    (root / "vector_stores" / "kb").mkdir(parents=True)
    for store in range(stores):
        (root / "docs" / f"s{store:02d}").mkdir(parents=True)
        spec = {
            "name": f"Knowledge base {store}",
            "metadata": {"team": f"team-{store % 3}"},
            "files": [f"../../docs/s{store:02d}/*.md"],
        }
        (root / "vector_stores" / "kb" / f"s{store:02d}.yaml").write_text(json.dumps(spec))
        assistant = {
            "model": "gpt-4o",
            "name": f"Support {store}",
            "instructions": "Answer from the knowledge base; quote the article you used.",
            "tools": [{"type": "file_search"}],
            "tool_resources": {"file_search": {"vector_store": f"kb/s{store:02d}"}},
        }
        (root / "assistants" / f"a{store:02d}.yaml").write_text(json.dumps(assistant))
    for index, size in enumerate(sizes):
        path = root / "docs" / f"s{index % stores:02d}" / f"f{index:05d}.md"
        write_text_file(path, size, index)
        paths.append(path)
    return paths


# --- the server, in a process of its own ------------------------------------------------


def serve(latency: float) -> None:
    """Child: a sandbox server; answers `stats` and `reset` lines on stdin until EOF."""
    from assistform.sandbox import Faults, SandboxServer
    from assistform.sandbox.knowledge_store import StoredFile

    with SandboxServer(faults=Faults(latency=latency)) as server:
        print(json.dumps({"base_url": server.base_url}), flush=True)
        for line in sys.stdin:
            service = server.service
            if line.strip() == "reset":
                service.stats.reset()
                print("{}", flush=True)
            elif line.strip() == "stats":
                counts = {f"{m} {r}": n for (m, r), n in sorted(service.stats.counts.items())}
                files = service.knowledge.all(StoredFile)
                stored = sum(f.bytes for f in files)
                print(json.dumps({"counts": counts, "files": len(files), "bytes": stored}))
                sys.stdout.flush()


class Server:
    """The parent's handle on a `serve` child."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self.base_url: str = self._ask(None)["base_url"]

    def _ask(self, command: str | None) -> dict[str, Any]:
        assert self.process.stdin is not None and self.process.stdout is not None
        if command is not None:
            self.process.stdin.write(command + "\n")
            self.process.stdin.flush()
        answer: dict[str, Any] = json.loads(self.process.stdout.readline())
        return answer

    def stats(self) -> dict[str, Any]:
        return self._ask("stats")

    def reset(self) -> None:
        self._ask("reset")


def child_env() -> dict[str, str]:
    path = os.pathsep.join(p for p in (str(SRC), os.environ.get("PYTHONPATH")) if p)
    unset = ("OPENAI_BASE_URL", "ASSISTFORM_ENV")
    env = {k: v for k, v in os.environ.items() if k not in unset}
    return {**env, "PYTHONPATH": path, "PYTHONWARNINGS": "ignore", "OPENAI_API_KEY": "sk-bench"}


@contextmanager
def sandbox(latency: float) -> Iterator[Server]:
    command = [sys.executable, __file__, "--serve", str(latency)]
    process = subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=child_env()
    )
    try:
        yield Server(process)
    finally:
        assert process.stdin is not None
        process.stdin.close()
        process.wait(timeout=30)


# --- the measured client: the real CLI --------------------------------------------------


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_mb: float
    code: int
    stdout: str


def assistform(root: Path, base_url: str, *args: str) -> Run:
    """`assistform ARGS --base-url URL` in `root` as a fresh process: its wall time and
    peak RSS (from wait4, the process's own)."""
    command = [sys.executable, "-m", "assistform", *args, "--base-url", base_url]
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=root, env=child_env(), stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if process.returncode not in (0, 2):
        raise SystemExit(f"assistform {' '.join(args)} failed ({process.returncode}):\n{stderr}")
    return Run(seconds, usage.ru_maxrss / 1024, process.returncode, stdout)


def print_requests(counts: dict[str, int]) -> None:
    for kind, count in counts.items():
        print(ROW.format(f"    {kind}", count))
    print(ROW.format("    total", sum(counts.values())))


def changed(changes: list[dict[str, Any]]) -> int:
    return sum(1 for change in changes if change.get("action") != "no-op")


def apply_and_replan(root: Path, latency: float, total_bytes: int) -> None:
    with sandbox(latency) as server:
        applied = assistform(root, server.base_url, "apply", "--auto-approve", "--no-color")
        first = server.stats()
        server.reset()
        planned = assistform(
            root, server.base_url, "plan", "--format", "json", "--detailed-exitcode"
        )
        second = server.stats()
        server.reset()
        warm = plan_in_process(root, server.base_url)
        warm_requests = sum(server.stats()["counts"].values())
    summary = [line for line in applied.stdout.splitlines() if line.startswith("Plan:")]
    print("\n1. first apply (`assistform apply --auto-approve`, a fresh process)")
    print(f"   {summary[0] if summary else '(no plan line)'}")
    print(ROW.format("   wall time, s", f"{applied.seconds:.2f}"))
    print(ROW.format("   files the server holds", first["files"]))
    print(ROW.format("   bytes uploaded (file bytes received), MB", f"{first['bytes'] / MB:.1f}"))
    print(ROW.format("   (bytes in the repository, MB)", f"{total_bytes / MB:.1f}"))
    print(ROW.format("   peak RSS of the apply process, MiB", f"{applied.peak_mb:.1f}"))
    print("   requests by route:")
    print_requests(first["counts"])
    plan = json.loads(planned.stdout)
    knowledge = plan.get("knowledge") or {}
    uploads = changed(plan.get("file_changes", []))
    stores = changed(plan.get("vector_store_changes", []))
    changes = changed(plan.get("resource_changes", []))
    print("\n2. second plan (`assistform plan`, a fresh process)")
    print(ROW.format("   exit code (0: no changes)", planned.code))
    print(ROW.format("   wall time, s", f"{planned.seconds:.2f}"))
    print(ROW.format("   file changes (uploads, deletes)", uploads))
    print(ROW.format("   vector store changes", stores))
    print(ROW.format("   assistant changes", changes))
    print(ROW.format("   file bytes read to hash", knowledge.get("bytes_hashed", "?")))
    print(ROW.format("   files uploaded meanwhile", second["files"] - first["files"]))
    print("   requests by route:")
    print_requests(second["counts"])
    print(
        ROW.format("   the plan alone (Workspace.plan, SDK imported), s", f"{warm['seconds']:.2f}")
        + f"   ({warm_requests} requests, {warm['bytes_hashed']:.0f} bytes read)"
    )


def plan_in_process(root: Path, base_url: str) -> dict[str, float]:
    """The second plan again, timed inside a fresh process once the SDK is imported: what
    the plan costs apart from the interpreter's start and the SDK's imports."""
    command = [sys.executable, __file__, "--plan-child", str(root), base_url]
    done = subprocess.run(command, env=child_env(), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"plan child failed:\n{done.stderr}")
    figures: dict[str, float] = json.loads(done.stdout.splitlines()[-1])
    return figures


def plan_child(root: Path, base_url: str) -> None:
    import openai

    from assistform.api.client import OpenAIAssistants
    from assistform.workspace import Workspace

    client = openai.OpenAI(base_url=base_url, api_key="sk-bench", timeout=30)
    # The SDK imports its resources on first use: load them now, outside the timing.
    for resource in (client.beta.assistants, client.files, client.vector_stores):
        assert resource is not None
    workspace = Workspace.discover(root)
    started = time.perf_counter()
    plan = workspace.plan(OpenAIAssistants(client))
    seconds = time.perf_counter() - started
    knowledge = plan.knowledge
    figures = {
        "seconds": seconds,
        "bytes_hashed": knowledge.bytes_hashed if knowledge is not None else -1,
    }
    print(json.dumps(figures))


def memory_runs(base: Path, latency: float, big_mb: int) -> None:
    print(f"\n3. peak RSS of `assistform apply`: one 1 kB file vs one {big_mb} MB file")
    peaks: list[float] = []
    for label, size in (("1 kB", 1 * KB), (f"{big_mb} MB", big_mb * MB)):
        root = base / f"memory-{size}"
        write_repo(root, [size], 1)
        with sandbox(latency) as server:
            run = assistform(root, server.base_url, "apply", "--auto-approve", "--no-color")
            received = server.stats()["bytes"]
        peaks.append(run.peak_mb)
        print(
            ROW.format(f"   {label}: peak RSS, MiB", f"{run.peak_mb:.1f}")
            + f"   ({run.seconds:.2f} s, {received / MB:.1f} MB uploaded)"
        )
    print(ROW.format("   growth with the file's size, MiB", f"{peaks[1] - peaks[0]:+.1f}"))


def timed_digests(
    command: list[str], paths: list[Path], root: Path
) -> tuple[float, dict[str, str]]:
    """Seconds `command FILE...` takes over `paths` (through xargs), and its digests."""
    listing = b"\0".join(str(p).encode() for p in paths)
    started = time.perf_counter()
    done = subprocess.run(["xargs", "-0", *command], input=listing, capture_output=True, check=True)
    seconds = time.perf_counter() - started
    digests = {}
    for line in done.stdout.decode().splitlines():
        if line.startswith("SHA2-256(") or line.startswith("SHA256("):  # openssl's format
            name, digest = line.split("(", 1)[1].rsplit(")= ", 1)
        else:
            digest, name = line.split(maxsplit=1)
        digests[Path(name.lstrip("*")).relative_to(root).as_posix()] = digest
    return seconds, digests


def hashing(root: Path, paths: list[Path], total_bytes: int) -> None:
    from assistform.knowledge.hashing import DEFAULT_WORKERS, hash_knowledge
    from assistform.spec.knowledge import knowledge_from
    from assistform.workspace import Workspace

    knowledge = knowledge_from(Workspace.discover(root).load())
    for path in paths:  # into the page cache, for every contender alike
        with path.open("rb") as file:
            while file.read(MB):
                pass
    print(f"\n4. hashing {len(paths)} files, {total_bytes / MB:.1f} MB (page cache warm)")
    plain, expected = timed_digests(["sha256sum"], paths, root)
    print(
        ROW.format(
            "   sha256sum (GNU, xargs -0 sha256sum), MB/s", f"{total_bytes / MB / plain:.0f}"
        )
    )
    if shutil.which("openssl") is not None:
        seconds, digests = timed_digests(["openssl", "dgst", "-sha256"], paths, root)
        assert digests == expected, "openssl's digests differ from sha256sum's"
        print(
            ROW.format("   openssl dgst -sha256, MB/s", f"{total_bytes / MB / seconds:.0f}")
            + f"   ({seconds / plain:.2f}x sha256sum's time)"
        )
    for workers in (DEFAULT_WORKERS, 1):
        started = time.perf_counter()
        hashed = hash_knowledge(knowledge, {}, workers=workers)
        seconds = time.perf_counter() - started
        digests = {p: f.sha256 or "" for p, f in hashed.knowledge.files.items()}
        assert digests == expected, "assistform's digests differ from sha256sum's"
        assert hashed.bytes_read == total_bytes
        label = f"   assistform hash_knowledge, {workers} thread(s), MB/s"
        print(
            ROW.format(label, f"{total_bytes / MB / seconds:.0f}")
            + f"   ({seconds / plain:.2f}x sha256sum's time)"
        )


SDK_IMPORT = (
    "import openai; c = openai.OpenAI(api_key='sk-bench'); c.beta.assistants; c.files; "
    "c.vector_stores"
)


def startup() -> str:
    """What every CLI figure below includes: a process's start and the SDK's imports."""
    figures = []
    for label, args in (
        ("`assistform --version`", ["-m", "assistform", "--version"]),
        ("importing the openai SDK", ["-c", SDK_IMPORT]),
    ):
        started = time.perf_counter()
        subprocess.run([sys.executable, *args], env=child_env(), capture_output=True, check=True)
        figures.append(f"{label} {time.perf_counter() - started:.2f} s")
    return "a fresh process: " + ", ".join(figures)


def run(files: int, stores: int, latency: float, big_mb: int) -> None:
    sizes = [size_of(i) for i in range(files)]
    total = sum(sizes)
    small = sum(1 for s in sizes if s <= 16 * KB)
    large = sum(1 for s in sizes if s == 10 * MB)
    print(
        f"assistform files: {files} files in {stores} vector stores, {stores} assistants; "
        f"server latency {latency * 1000:.0f} ms per request, a process of its own; "
        "real CLI in fresh processes"
    )
    print(
        f"mix: {small} of 1-16 kB, {files - small - large} of 256 kB-1 MB, {large} of 10 MB; "
        f"{total / MB:.1f} MB in all"
    )
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; " + startup())
    with tempfile.TemporaryDirectory(prefix="assistform-bench-files-") as tmp:
        base = Path(tmp)
        root = base / "repo"
        paths = write_repo(root, sizes, stores)
        apply_and_replan(root, latency, total)
        memory_runs(base, latency, big_mb)
        hashing(root, paths, total)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1_000)
    parser.add_argument("--stores", type=int, default=10)
    parser.add_argument("--latency", type=float, default=0.02, help="seconds per request")
    parser.add_argument("--big-mb", type=int, default=200, help="the memory run's large file")
    parser.add_argument("--serve", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--plan-child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.plan_child:
        plan_child(Path(args.plan_child[0]), args.plan_child[1])
    elif args.serve is not None:
        serve(args.serve)
    else:
        run(args.files, args.stores, args.latency, args.big_mb)


if __name__ == "__main__":
    main()
