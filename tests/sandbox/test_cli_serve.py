"""`assistform sandbox serve` as a real subprocess."""

from __future__ import annotations

import io
import os
import re
import selectors
import signal
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import openai
import pytest

from assistform.cli.sandbox import PROFILE_NAMES
from assistform.sandbox import PROFILES

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

SRC = Path(__file__).resolve().parents[2] / "src"
URL_LINE = re.compile(
    r"^Serving the assistants API at (http://127\.0\.0\.1:\d+/v1) "
    r"\(export OPENAI_BASE_URL=(\S+)\)$"
)
STARTUP_SECONDS = 20.0


def _env() -> dict[str, str]:
    path = os.pathsep.join(p for p in (str(SRC), os.environ.get("PYTHONPATH")) if p)
    return {**os.environ, "PYTHONPATH": path, "PYTHONUNBUFFERED": "1"}


Serve = Callable[..., tuple["subprocess.Popen[str]", str]]


@pytest.fixture
def serve() -> Iterator[Serve]:
    """`serve(*args)` -> (process, base URL) of `assistform sandbox serve --port 0 *args`."""
    processes: list[subprocess.Popen[str]] = []

    def start(*args: str) -> tuple[subprocess.Popen[str], str]:
        process = subprocess.Popen(
            [sys.executable, "-m", "assistform", "sandbox", "serve", "--port", "0", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=_env(),
        )
        processes.append(process)
        assert process.stdout is not None
        with selectors.DefaultSelector() as selector:
            selector.register(process.stdout, selectors.EVENT_READ)
            if not selector.select(timeout=STARTUP_SECONDS):
                pytest.fail("sandbox serve printed no URL")
        line = process.stdout.readline().rstrip("\n")
        match = URL_LINE.match(line)
        assert match, (
            f"unexpected first line {line!r}; stderr: {process.stderr and process.stderr.read()}"
        )
        assert match.group(1) == match.group(2)
        return process, match.group(1)

    yield start
    for process in processes:
        if process.poll() is None:
            process.kill()
        process.communicate()


def _stop(process: subprocess.Popen[str], sig: signal.Signals) -> tuple[int, str]:
    process.send_signal(sig)
    _, stderr = process.communicate(timeout=10)
    return process.returncode, stderr


def test_serve_stop_and_restart_on_the_same_data(serve: Serve, tmp_path: Path) -> None:
    data = tmp_path / "sandbox.json"
    process, url = serve("--data", str(data))
    client = openai.OpenAI(base_url=url, api_key="sk-test", max_retries=0)
    ids = [client.beta.assistants.create(model="gpt-4o", name=n).id for n in ("a", "b")]
    client.close()
    code, stderr = _stop(process, signal.SIGINT)
    assert code == 0, stderr
    assert "POST /v1/assistants 200" in stderr
    assert "Traceback" not in stderr

    process, url = serve("--data", str(data))
    client = openai.OpenAI(base_url=url, api_key="sk-test", max_retries=0)
    assert [a.id for a in client.beta.assistants.list(order="asc")] == ids
    client.close()
    code, stderr = _stop(process, signal.SIGTERM)
    assert code == 0, stderr


def test_serve_options_profile_and_faults(serve: Serve) -> None:
    process, url = serve(
        "--profile", "lenient", "--fail-every", "2", "--throttle-every", "3", "--latency", "0.01"
    )
    client = openai.OpenAI(base_url=url, api_key="sk-test", max_retries=0)
    created = client.beta.assistants.create(model="gpt-4o")
    assert re.fullmatch(r"[0-9a-f]{24}", created.id)
    with pytest.raises(openai.InternalServerError):
        client.beta.assistants.list()
    with pytest.raises(openai.RateLimitError):
        client.beta.assistants.list()
    client.close()
    code, stderr = _stop(process, signal.SIGINT)
    assert code == 0
    assert "[server_error]" in stderr and "[throttled]" in stderr


def test_serve_files_and_vector_stores_with_failing_files_kept_across_restarts(
    serve: Serve, tmp_path: Path
) -> None:
    data = tmp_path / "sandbox.json"
    args = ("--data", str(data), "--processing-seconds", "0", "--fail-files", "*.bad")
    process, url = serve(*args)
    client = openai.OpenAI(base_url=url, api_key="sk-test", max_retries=0)
    good = client.files.create(file=("kb.md", io.BytesIO(b"# kb")), purpose="assistants")
    bad = client.files.create(file=("scan.bad", io.BytesIO(b"?")), purpose="assistants")
    store = client.vector_stores.create(name="kb", file_ids=[good.id, bad.id])
    statuses = {f.id: f.status for f in client.vector_stores.files.list(store.id)}
    assert statuses == {good.id: "completed", bad.id: "failed"}
    client.close()
    code, stderr = _stop(process, signal.SIGTERM)
    assert code == 0, stderr
    assert "POST /v1/files 200" in stderr

    process, url = serve("--data", str(data))
    client = openai.OpenAI(base_url=url, api_key="sk-test", max_retries=0)
    assert {f.id for f in client.files.list()} == {good.id, bad.id}
    assert client.vector_stores.retrieve(store.id).file_counts.failed == 1
    client.close()
    code, stderr = _stop(process, signal.SIGINT)
    assert code == 0, stderr


def test_a_busy_port_is_a_one_line_error(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "assistform", "sandbox", "serve", "--port", str(port)],
            capture_output=True,
            text=True,
            env=_env(),
            timeout=STARTUP_SECONDS,
        )
    assert result.returncode == 1
    assert result.stderr.startswith(f"error: cannot listen on 127.0.0.1:{port}")
    assert "Traceback" not in result.stderr


def test_a_corrupt_data_file_is_a_one_line_error(tmp_path: Path) -> None:
    data = tmp_path / "bad.json"
    data.write_text("{")
    result = subprocess.run(
        [sys.executable, "-m", "assistform", "sandbox", "serve", "--data", str(data)],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=STARTUP_SECONDS,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("error: sandbox data")
    assert "Traceback" not in result.stderr


def test_cli_and_sandbox_core_do_not_import_openai() -> None:
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from assistform.cli.main import cli\n"
        "import assistform.sandbox\n"
        "result = CliRunner().invoke(cli, ['sandbox', 'serve', '--help'])\n"
        "assert result.exit_code == 0, result.output\n"
        "assert 'OPENAI_BASE_URL' in result.output\n"
        "loaded = sorted(m for m in ('openai', 'httpx2') if m in sys.modules)\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, env=_env(), timeout=STARTUP_SECONDS)


def test_profile_choices_match_the_profiles() -> None:
    assert tuple(PROFILES) == PROFILE_NAMES
