"""`assistform sandbox serve`: run the sandbox API (assistants, files, vector stores) as a
local server."""

from __future__ import annotations

import ipaddress
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

import click

from assistform.errors import AssistformError

#: Kept literal so `--help` does not import the sandbox; a test checks it against PROFILES.
PROFILE_NAMES = (
    "faithful",
    "lenient",
    "contrary",
    "merges-metadata",
    "ignores-falsy",
    "thin-list",
    "stuck-cursor",
    "files-only",
)


@click.group()
def sandbox() -> None:
    """Run assistform's own server of the /v1/assistants API."""


@sandbox.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=0,
    show_default=True,
    help="Port to bind; 0 picks a free one.",
)
@click.option(
    "--data",
    "data_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help=(
        "Keep assistants in this JSON file (saved after every change), files and vector "
        "stores beside it (NAME.knowledge.jsonl, file bytes in NAME.blobs/). Default: memory."
    ),
)
@click.option(
    "--profile",
    type=click.Choice(PROFILE_NAMES),
    default="faithful",
    show_default=True,
    help=(
        "faithful: like OpenAI. lenient: like third-party self-hosted servers. "
        "contrary: every value the server fills differs from OpenAI's. "
        "merges-metadata, ignores-falsy: like faithful, but a modify merges metadata, or "
        'ignores falsy values (0, "", [], {}, null). '
        "thin-list: a list body of data alone. stuck-cursor: that, and `after` ignored. "
        "files-only: /v1/files but no /v1/vector_stores."
    ),
)
@click.option(
    "--latency",
    type=click.FloatRange(min=0),
    default=0.0,
    help="Seconds added to every request.",
)
@click.option(
    "--fail-every",
    type=click.IntRange(min=0),
    default=0,
    help="Answer every Nth request with a 500.",
)
@click.option(
    "--throttle-every",
    type=click.IntRange(min=0),
    default=0,
    help="Answer every Nth request with a 429 and Retry-After.",
)
@click.option(
    "--processing-seconds",
    type=click.FloatRange(min=0),
    default=0.2,
    show_default=True,
    help="How long a file attached to a vector store stays in_progress.",
)
@click.option(
    "--fail-files",
    metavar="GLOB",
    default=None,
    help="Files attached to a vector store whose filename matches GLOB (e.g. '*.bad') end "
    "failed, with last_error invalid_file.",
)
def serve(
    host: str,
    port: int,
    data_file: Path | None,
    profile: str,
    latency: float,
    fail_every: int,
    throttle_every: int,
    processing_seconds: float,
    fail_files: str | None,
) -> None:
    """Serve the assistants, files and vector stores API until Ctrl-C or SIGTERM.

    Prints the base URL to use as OPENAI_BASE_URL, then one line per request on stderr.
    """
    from assistform.sandbox import Faults, LoggedRequest, SandboxServer

    def log_request(entry: LoggedRequest) -> None:
        fault = f" [{entry.fault}]" if entry.fault else ""
        click.echo(
            f"{entry.method} {entry.path} {entry.status} {entry.seconds * 1000:.1f}ms{fault}",
            err=True,
        )

    faults = Faults(
        latency=latency,
        fail_every=fail_every,
        throttle_every=throttle_every,
        processing_seconds=processing_seconds,
        fail_files=fail_files,
    )
    server = SandboxServer(
        host=host, port=port, data_file=data_file, profile=profile, faults=faults
    )
    server.service.stats.listener = log_request
    if not _is_loopback(host):
        click.echo(
            f"warning: serving on {host}, not loopback: anyone who can reach it can use it",
            err=True,
        )
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        try:
            server.start()
        except OSError as exc:
            raise AssistformError(f"cannot listen on {host}:{port}: {exc.strerror}") from exc
        url = server.base_url
        click.echo(f"Serving the assistants API at {url} (export OPENAI_BASE_URL={url})")
        sys.stdout.flush()
        # A timed wait, so the signal handler's flag is seen even where a blocking wait
        # would not be interrupted.
        while not stop.wait(0.2):
            pass
    finally:
        server.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    click.echo("Sandbox stopped.", err=True)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
