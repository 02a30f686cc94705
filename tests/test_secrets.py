"""No secret in any artifact: every command, run with a distinct canary in each place a
credential can live, leaves none of them in any output or any file it writes.

The canaries: the API key (in the environment variable assistform.yaml names), the user and
the password in the base URL, a credential query parameter of the base URL, and a header
value of assistform.yaml. The server: a gateway on loopback that lets a request through to
the sandbox only when it carries all of them (so each canary is really in use), a port where
nothing listens, and servers that answer 401 or 500 echoing everything they were sent.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result

from assistform.apply.lock import StateLock, current_holder
from assistform.cli import main as cli_main
from assistform.cli.main import cli
from assistform.errors import ApiError
from assistform.plan.model import Plan
from assistform.sandbox import AssistantsService, Response, SandboxServer

API_KEY = "sk-canary-apikey-Q7w2R9"
USER = "canaryuser5Hk2"
PASSWORD = "canarypass8Jd4"
QUERY = "canaryquery3Lp6"
HEADER = "canaryheader1Zx7"
#: The userinfo as HTTP basic auth, the form a server sees (and may echo).
BASIC = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
CANARIES = {
    "API key": API_KEY,
    "URL user": USER,
    "URL password": PASSWORD,
    "query parameter": QUERY,
    "header value": HEADER,
    "basic auth": BASIC,
}
KEY_VARIABLE = "CANARY_API_KEY"
HEADER_NAME = "X-Gateway-Token"
#: Fast retries, so the 500s do not wait out production's backoff.
FAST = ("--retry-base-delay", "0.01", "--max-retry-seconds", "5")


def with_credentials(base_url: str, *, userinfo: bool = True) -> str:
    """`http://127.0.0.1:P/v1` -> `http://USER:PASSWORD@127.0.0.1:P/v1?key=QUERY`."""
    if userinfo:
        base_url = base_url.replace("http://", f"http://{USER}:{PASSWORD}@")
    return f"{base_url}?key={QUERY}"


def _echo(status: int, query: Mapping[str, str], headers: Mapping[str, str]) -> Response:
    """`status`, its message repeating all the request carried: the Authorization header
    (decoded too), the query and the header value (one sentence of under 200 characters,
    so nothing is cut off the message before it is checked)."""
    auth = headers.get("authorization", "")
    scheme, _, token = auth.partition(" ")
    decoded = base64.b64decode(token).decode() if scheme == "Basic" else ""
    message = (
        f"refused {auth} ({decoded}) key {query.get('key')} "
        f"token {headers.get(HEADER_NAME.lower())}"
    )
    assert len(message) < 200
    payload = {"error": {"message": message, "code": "echo"}}
    headers_out = {"content-type": "application/json", "retry-after-ms": "1"}
    return Response(status, headers_out, json.dumps(payload).encode())


class Gateway(AssistantsService):
    """A gateway in front of the sandbox: it lets a request through only with the basic
    auth of the URL's userinfo, the `key` parameter and the header, and answers 401 else.
    It refuses to create an assistant named "Refuse me", echoing everything it was sent."""

    def __init__(self) -> None:
        super().__init__()
        self.let_through = 0

    def handle(
        self,
        method: str,
        path: str,
        query: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        body: bytes = b"",
    ) -> Response:
        lowered = {k.lower(): v for k, v in (headers or {}).items()}
        params = dict(query or {})
        if method == "POST" and b'"Refuse me"' in body:
            return _echo(400, params, lowered)
        if (
            lowered.get("authorization") != f"Basic {BASIC}"
            or params.pop("key", None) != QUERY
            or lowered.get(HEADER_NAME.lower()) != HEADER
        ):
            payload = {"error": {"message": "gateway: missing credentials", "code": "gw"}}
            return Response(401, {"content-type": "application/json"}, json.dumps(payload).encode())
        self.let_through += 1
        forwarded = {**lowered, "authorization": "Bearer the-gateways-own-key"}
        return super().handle(method, path, params, forwarded, body)


class EchoesEverything(AssistantsService):
    """Refuses every request with `status`, its message repeating all it was sent."""

    def __init__(self, status: int) -> None:
        super().__init__()
        self.status = status
        self.requests = 0

    def handle(
        self,
        method: str,
        path: str,
        query: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        body: bytes = b"",
    ) -> Response:
        self.requests += 1
        lowered = {k.lower(): v for k, v in (headers or {}).items()}
        return _echo(self.status, dict(query or {}), lowered)


@dataclass
class Run:
    what: str
    exit_code: int
    stdout: str
    stderr: str


@dataclass
class World:
    """A repository whose environments all carry the canaries, and the servers behind them."""

    root: Path
    gateway: SandboxServer
    echoes: dict[str, SandboxServer]
    runs: list[Run] = field(default_factory=list)

    @property
    def gateway_url(self) -> str:
        return with_credentials(self.gateway.base_url)

    def env(self) -> dict[str, str | None]:
        return {
            KEY_VARIABLE: API_KEY,
            # The default environment names no base_url: this one is used.
            "OPENAI_BASE_URL": self.gateway_url,
            "OPENAI_API_KEY": None,
            "ASSISTFORM_ENV": None,
        }

    def run(self, *args: str, input: str | None = None) -> Run:
        """The CLI in this process."""
        result: Result = CliRunner(env=self.env()).invoke(cli, list(args), input=input)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return self._record(" ".join(args), result.exit_code, result.stdout, result.stderr)

    def spawn(self, *args: str) -> Run:
        """The CLI as a real process, as CI runs it."""
        env = {k: v for k, v in {**os.environ, **self.env()}.items() if v is not None}
        done = subprocess.run(
            [sys.executable, "-m", "assistform", *args],
            cwd=self.root,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        return self._record("process: " + " ".join(args), done.returncode, done.stdout, done.stderr)

    def _record(self, what: str, code: int, stdout: str, stderr: str) -> Run:
        run = Run(what, code, stdout, stderr)
        self.runs.append(run)
        return run

    def assert_no_canary_anywhere(self) -> None:
        """Not in any output, not in any file under the repository (bar assistform.yaml,
        which holds the base URLs and the header by the user's own choice)."""
        places = [(f"{run.what} (stdout)", run.stdout) for run in self.runs]
        places += [(f"{run.what} (stderr)", run.stderr) for run in self.runs]
        files = [p for p in self.root.rglob("*") if p.is_file() and p.name != "assistform.yaml"]
        places += [
            (str(p.relative_to(self.root)), p.read_bytes().decode("utf-8", "replace"))
            for p in files
        ]
        leaks = [
            f"{name} in {where}"
            for where, text in places
            for name, canary in CANARIES.items()
            if canary in text
        ]
        assert not leaks, leaks
        written = {str(p.relative_to(self.root)) for p in files}
        return None if written else pytest.fail("no file was written")


def _config(gateway: SandboxServer, echoes: Mapping[str, SandboxServer], dead: str) -> str:
    common = {"api_key_env": KEY_VARIABLE, "headers": {HEADER_NAME: HEADER}}
    environments: dict[str, Any] = {"live": {"default": True, "server": dict(common)}}
    # No SDK retries: each would only wait longer for the same refusal.
    environments["dead"] = {
        "server": {**common, "base_url": with_credentials(dead), "max_retries": 0}
    }
    for name, server in echoes.items():
        url = with_credentials(server.base_url, userinfo=name != "echoes-key")
        environments[name] = {"server": {**common, "base_url": url, "max_retries": 0}}
    return json.dumps({"environments": environments}, indent=2)  # JSON is YAML


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, closed_port_url: str) -> Iterator[World]:
    root = tmp_path / "repo"
    (root / "assistants").mkdir(parents=True)
    for key in ("alpha", "beta"):
        spec = {"model": "gpt-4o", "name": f"Bot {key}", "instructions": f"You are {key}."}
        (root / "assistants" / f"{key}.yaml").write_text(json.dumps(spec), encoding="utf-8")
    gateway = SandboxServer(Gateway()).start()
    echoes = {
        # 401 with the userinfo's basic auth, 401 with the API key as bearer, and a 500.
        "refuses": SandboxServer(EchoesEverything(401)).start(),
        "echoes-key": SandboxServer(EchoesEverything(401)).start(),
        "fails": SandboxServer(EchoesEverything(500)).start(),
    }
    (root / "assistform.yaml").write_text(
        _config(gateway, echoes, closed_port_url), encoding="utf-8"
    )
    monkeypatch.chdir(root)
    try:
        yield World(root, gateway, echoes)
    finally:
        for server in (gateway, *echoes.values()):
            server.stop()


def test_no_command_leaves_a_canary_in_any_output_or_file(world: World) -> None:
    ok = _run_every_command_on_the_gateway(world)
    failed = _run_every_command_against_failing_servers(world)
    world.assert_no_canary_anywhere()
    # Honest: the commands did what they are for, and named the server (masked) when failing.
    assert isinstance(world.gateway.service, Gateway)
    assert world.gateway.service.let_through > 0, "every canary was in use"
    assert all(run.exit_code == 0 for run in ok), [(r.what, r.stderr) for r in ok if r.exit_code]
    masked = world.gateway.base_url.replace("http://", "http://***@") + "?key=***"
    saved = Plan.model_validate_json((world.root / "plans" / "live.json").read_text())
    assert saved.server == masked
    assert json.loads(_only(ok, "process: plan").stdout)["server"] == masked
    assert f"--base-url '{masked}'" in _only(ok, "export --unmanaged").stdout
    assert f"--base-url '{masked}'" in json.loads(_only(ok, "lock file").stdout)["command"]
    assert f"--base-url '{masked}'" in _only(ok, "apply --auto-approve --lock-timeout").stderr
    assert f"--base-url {masked} " in _only(ok, "force-unlock").stdout
    assert all(run.exit_code != 0 for run in failed), [r.what for r in failed if not r.exit_code]
    for name, server in world.echoes.items():
        assert isinstance(server.service, EchoesEverything)
        assert server.service.requests > 0, f"{name} was asked"
    dead = [
        run
        for run in failed
        if "--env dead" in run.what and not {"doctor", "plans/live.json"} & set(run.what.split())
    ]
    assert dead and all("cannot reach http://***@127.0.0.1:" in run.stderr for run in dead)


def _run_every_command_on_the_gateway(world: World) -> list[Run]:
    root = world.root
    runs = [
        world.run("validate"),
        world.run("validate", "--format", "json"),
        world.run("schema"),
        world.run("render", "--responses"),
        world.run("envs"),
        world.run("envs", "--format", "json"),
        world.run("plan", "--no-color"),
        world.run("plan", "--format", "markdown", "--out", "plans/markdown.json"),
        world.run("plan", "--format", "json", "--out", "plans/inprocess.json"),
        world.spawn("plan", "--format", "json", "--out", "plans/live.json"),
    ]
    runs.append(world.spawn("apply", "plans/live.json"))
    (root / "assistants" / "gamma.yaml").write_text(
        json.dumps({"model": "gpt-4o", "name": "Bot gamma"}), encoding="utf-8"
    )
    runs += [
        world.run("apply", "--auto-approve", "--no-color", *FAST),
        world.run("plan", "--detailed-exitcode"),
        world.run("state", "show"),
        world.run("state", "rebuild"),
        world.run("export", "--dir", "exported"),
    ]
    loose = _unmanaged(world.gateway)
    runs += [
        # Prints the import commands, with the --base-url it was given.
        world.run("export", "--unmanaged", "--base-url", world.gateway_url),
        world.run("import", "loose", loose, "--force"),
        world.run("doctor"),
        world.run("doctor", "--format", "json"),
        world.run("plan", "--sandbox"),
        world.run("apply", "--sandbox", "--auto-approve", *FAST),
        world.run("sandbox", "--help"),
    ]
    runs += _locks(world)
    return runs


def _unmanaged(server: SandboxServer) -> str:
    """An assistant made by hand on the server behind the gateway: its id."""
    body = json.dumps({"model": "gpt-4o", "name": "Loose"}).encode()
    headers = {"authorization": "Bearer by-hand", "openai-beta": "assistants=v2"}
    answer = AssistantsService.handle(server.service, "POST", "/v1/assistants", {}, headers, body)
    assert answer.status == 200, answer.body
    return str(json.loads(answer.body)["id"])


def _locks(world: World) -> list[Run]:
    """A run holding the lock with --base-url on its command line: the lock file and the
    message another run gets name it masked; so does force-unlock for a lock written by an
    older assistform, which wrote the command line as typed."""
    lock_path = world.root / "state" / "live.json.lock"
    argv = ["assistform", "apply", "--base-url", world.gateway_url, "--auto-approve"]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sys, "argv", argv)
        holder = current_holder()
    with StateLock(lock_path, holder=holder):
        written = lock_path.read_text(encoding="utf-8")
        lock = world._record("lock file", 0, written, "")
        blocked = world.run("apply", "--auto-approve", "--lock-timeout", "0")
    blocked.exit_code = 0 if blocked.exit_code == 1 else 99  # refused, as it should be
    old = {**json.loads(written), "command": " ".join(argv), "pid": 1}
    lock_path.write_text(json.dumps(old), encoding="utf-8")
    return [lock, blocked, world.run("force-unlock", "--force")]


def _only(runs: list[Run], what: str) -> Run:
    (found,) = [run for run in runs if run.what.startswith(what)]
    return found


def _run_every_command_against_failing_servers(world: World) -> list[Run]:
    # A change the gateway refuses, echoing every credential: the progress line and the
    # error line of apply.
    refused = world.root / "assistants" / "refused.yaml"
    refused.write_text(json.dumps({"model": "gpt-4o", "name": "Refuse me"}), encoding="utf-8")
    runs = [
        world.run("apply", "--auto-approve", "--no-color", *FAST),
        world.spawn("apply", "--auto-approve", "--no-color", *FAST),
    ]
    for run in runs:
        assert (
            "failed refused (create): create assistant: HTTP 400 [echo]: refused Basic *** (***)"
            in run.stdout
        )
        assert "error: refused (create): create assistant: HTTP 400" in run.stderr
    refused.unlink()
    for env in ("dead", "refuses", "echoes-key", "fails"):
        flag = ("--env", env)
        runs += [
            world.run("plan", *flag),
            world.run("plan", *flag, "--format", "json", "--out", f"plans/{env}.json"),
            world.run("plan", *flag, "--format", "markdown"),
            world.run("apply", *flag, "--auto-approve", *FAST),
            world.run("apply", "plans/live.json", *flag, *FAST),
            world.run("state", "rebuild", *flag),
            world.run("export", *flag, "--dir", f"exported-{env}"),
            world.run("import", "loose", "asst_0123456789abcdefghijklmn", *flag, "--force"),
            world.run("doctor", *flag),
            world.run("doctor", *flag, "--format", "json"),
        ]
        # Real processes too, where the runs differ: no answer at all, and the key echoed.
        if env == "dead":
            runs.append(world.spawn("plan", *flag, "--format", "json"))
        if env in ("dead", "echoes-key"):
            runs.append(world.spawn("apply", *flag, "--auto-approve", *FAST))
        assert not (world.root / "plans" / f"{env}.json").exists()
    return runs


def test_a_plan_saved_with_its_server_in_full_is_recognised_by_its_masked_form(
    world: World,
) -> None:
    """Plans saved before masking name their server in full: such a plan still applies
    to the same server, and a plan from another server is refused without a canary."""
    made = world.run("plan", "--format", "json", "--out", "plans/new.json")
    assert made.exit_code == 0, made.stderr
    saved = json.loads((world.root / "plans" / "new.json").read_text())
    assert saved["server"] == world.gateway.base_url.replace("http://", "http://***@") + "?key=***"
    # As this assistform wrote it before: the SDK's base URL (the query then in it), in full.
    legacy = {**saved, "server": world.gateway_url}
    (world.root / "plans" / "legacy.json").write_text(json.dumps(legacy), encoding="utf-8")
    other = {**saved, "server": with_credentials("http://127.0.0.1:9/v1")}
    (world.root / "plans" / "other.json").write_text(json.dumps(other), encoding="utf-8")

    refused = world.run("apply", "plans/other.json", *FAST)
    assert refused.exit_code == 1
    assert refused.stderr.startswith(
        "error: saved plan plans/other.json was made against http://***@127.0.0.1:9/v1?key=***;"
    )
    applied = world.run("apply", "plans/legacy.json", *FAST)
    assert applied.exit_code == 0, applied.stderr
    assert applied.stdout.endswith(
        "Apply complete: 2 created, 0 updated, 0 replaced, 0 deleted.\n"
    ), applied.stdout
    (world.root / "plans" / "legacy.json").unlink()
    (world.root / "plans" / "other.json").unlink()
    world.assert_no_canary_anywhere()


def test_the_error_boundary_masks_what_a_source_missed(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An error raised with every canary in it (as a future code path might) is printed
    masked by the one place that prints errors."""
    monkeypatch.setitem(cli_main.COMMANDS, "boom", f"{__name__}:boom")
    run = world.run("boom")
    assert run.exit_code == 1
    assert run.stderr == "error: refused *** *** *** *** *** at http://***@127.0.0.1:9/v1?key=***\n"
    world.assert_no_canary_anywhere()


@click.command()
def boom() -> None:
    """Fails with every canary in its message."""
    url = with_credentials("http://127.0.0.1:9/v1")
    raise ApiError(f"refused {API_KEY} {HEADER} {QUERY} {PASSWORD} {BASIC} at {url}")


def test_an_error_assistform_raises_while_listing_is_masked_too(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A server whose every page is the same full page: what assistform says of it (an
    error naming the server, or a warning) carries no credential."""
    from assistform.api.connect import ServerOptions, connect
    from assistform.api.retry import RetryPolicy

    item = {"id": "asst_1", "object": "assistant", "created_at": 1, "model": "gpt-4o"}
    page = {"object": "list", "data": [item], "has_more": True, "last_id": "asst_1"}
    with SandboxServer(_Always(page)) as server:
        monkeypatch.setenv(KEY_VARIABLE, API_KEY)
        options = ServerOptions(
            base_url=with_credentials(server.base_url),
            api_key_env=KEY_VARIABLE,
            headers={HEADER_NAME: HEADER},
            retry=RetryPolicy(max_tries=1),
        )
        api = connect(options, tmp_path)
        assert api.server_label == server.base_url.replace("http://", "http://***@") + "?key=***"
        try:
            said = " ".join(api.list_all().warnings)
        except ApiError as error:
            said = f"{error.message} {error.url}"
    assert said, "a listing that cannot advance says so"
    assert not [name for name, canary in CANARIES.items() if canary in said], said


class _Always(AssistantsService):
    """Answers every request with the same 200 and JSON body."""

    def __init__(self, body: Any) -> None:
        super().__init__()
        self.body = body

    def handle(
        self,
        method: str,
        path: str,
        query: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        body: bytes = b"",
    ) -> Response:
        return Response(200, {"content-type": "application/json"}, json.dumps(self.body).encode())
