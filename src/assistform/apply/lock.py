"""The state lock: one writer at a time for a state file, like Terraform's local lock.

The lock is a file beside the state, created atomically (O_CREAT | O_EXCL), so two runs can
never both believe they hold it. It records who holds it (user, host, pid, time, command
line) for the message the loser sees. A holder that died keeps its lock: the lock only
says "probably dead" (same host, no such process), and `force-unlock` removes it.
"""

from __future__ import annotations

import getpass
import json
import os
import shlex
import socket
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from assistform.errors import LockError
from assistform.redact import mask_urls

#: Seconds a run waits for a held lock before it gives up.
DEFAULT_WAIT = 2.0
POLL = 0.1


@dataclass(frozen=True)
class LockInfo:
    user: str
    host: str
    pid: int
    time: str
    command: str
    token: str = ""

    def describe(self) -> str:
        command = mask_urls(self.command)  # a lock written by an older assistform
        return f"{self.user}@{self.host} pid {self.pid} since {self.time} ({command})"

    def holder_is_dead(self) -> bool:
        """True only when provably dead: same host, and no such (living) process."""
        return self.host == socket.gethostname() and not process_alive(self.pid)


def process_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A killed process nobody has reaped yet still answers kill(0): look at its state.
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return True
    return stat.rpartition(")")[2].split()[:1] != ["Z"]


def current_holder(command: str | None = None) -> LockInfo:
    return LockInfo(
        user=_user(),
        host=socket.gethostname(),
        pid=os.getpid(),
        time=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        command=command if command is not None else _command_line(),
        token=uuid.uuid4().hex,
    )


def read_lock(path: Path) -> LockInfo | None:
    """Who holds the lock at `path`; None if nobody. Raises `LockError` if unreadable."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise LockError(f"cannot read the state lock {path}: {exc.strerror}") from None
    try:
        raw = json.loads(text)
        return LockInfo(
            user=str(raw["user"]),
            host=str(raw["host"]),
            pid=int(raw["pid"]),
            time=str(raw["time"]),
            command=str(raw["command"]),
            token=str(raw.get("token", "")),
        )
    except (ValueError, KeyError, TypeError):
        # Also what a reader sees in the instant between O_EXCL creation and the write.
        raise LockError(
            f"state is locked ({path} exists but names no holder); "
            "if no run is going on: assistform force-unlock"
        ) from None


class StateLock:
    """Hold the lock at `path` for the duration of a `with` block."""

    def __init__(
        self,
        path: Path,
        *,
        wait: float = DEFAULT_WAIT,
        holder: LockInfo | None = None,
        now: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.path = path
        self.wait = wait
        self.holder = holder if holder is not None else current_holder()
        self._now = now
        self._sleep = sleep
        self.held = False

    def acquire(self) -> None:
        deadline = self._now() + self.wait
        while True:
            if self._try_create():
                self.held = True
                return
            try:
                other = read_lock(self.path)
            except LockError:
                other = None
                if self._now() >= deadline:
                    raise
            if other is not None and (other.holder_is_dead() or self._now() >= deadline):
                raise LockError(locked_message(other))
            self._sleep(POLL)

    def release(self) -> None:
        """Remove the lock if it is still ours (force-unlock may have handed it on)."""
        if not self.held:
            return
        self.held = False
        try:
            current = read_lock(self.path)
        except LockError:
            return
        if current is not None and current.token == self.holder.token:
            self.path.unlink(missing_ok=True)

    def _try_create(self) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            return False
        try:
            os.write(fd, (json.dumps(asdict(self.holder), indent=2) + "\n").encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)
        return True

    def __enter__(self) -> StateLock:
        self.acquire()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


def locked_message(holder: LockInfo) -> str:
    if holder.holder_is_dead():
        return (
            f"state is locked by {holder.describe()}, but that process is gone "
            "(stale lock); remove it with: assistform force-unlock"
        )
    return f"state is locked by {holder.describe()}; if that run is dead: assistform force-unlock"


def remove_lock(path: Path, expected: LockInfo | None) -> bool:
    """Remove the lock if it still names `expected` (None: whatever it holds)."""
    try:
        current = read_lock(path)
    except LockError:
        current = None
    if expected is not None and current is not None and current.token != expected.token:
        return False
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return str(os.getuid()) if hasattr(os, "getuid") else "unknown"


def _command_line() -> str:
    # argv[0] may be a path to a venv script or __main__.py; the user typed `assistform`.
    # A --base-url with credentials must not land in a file or another run's message.
    return mask_urls(shlex.join(["assistform", *sys.argv[1:]]))
