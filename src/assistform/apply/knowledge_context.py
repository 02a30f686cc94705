"""What every knowledge step of an apply shares, and how each reports what it did.

A knowledge step (an upload, a vector store's create, a batch of attaches, a delete) ends
as a `Step`: done, or failed with one line. A failed step never stops the others; the
apply's exit code says a part failed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path

from assistform.apply.recorder import Recorder
from assistform.apply.retry import Clock, RetryPolicy
from assistform.errors import ApiError
from assistform.knowledge.api import KnowledgeApi
from assistform.knowledge.refs import Kind

#: Uploads at once: enough to fill a link, few enough not to be throttled.
DEFAULT_UPLOAD_PARALLELISM = 4
#: Seconds apply waits for the server to process the files it attached.
DEFAULT_PROCESSING_TIMEOUT = 600.0

_PAST = {
    "upload": "uploaded",
    "adopt": "adopted",
    "delete": "deleted",
    "create": "created",
    "replace": "made again",
    "update": "updated",
    "attach": "attached",
    "retag": "updated the attributes of",
    "detach": "detached",
    "process": "processed",
    "forget": "forgot",
}


@dataclass(frozen=True)
class Step:
    """One finished knowledge step: `uploaded file docs/a.md (file-1)`."""

    #: `file`, `vector store`, or `file of vector store`.
    what: str
    #: The file's path, or the vector store's key (`support/kb: docs/a.md` for its files).
    key: str
    #: What was done, as a verb: `upload`, `create`, `attach`, `delete`, ...
    action: str
    id: str | None = None
    error: ApiError | None = None
    notes: tuple[str, ...] = ()
    #: Bytes sent, for an upload.
    size: int | None = None
    #: Files it stands for (a batch of attaches stands for all of its files).
    count: int = 1
    #: The vector store a step on one of its files belongs to.
    store: str | None = None

    @property
    def store_key(self) -> str | None:
        return self.key if self.what == "vector store" else self.store

    @property
    def ok(self) -> bool:
        return self.error is None

    def describe(self) -> str:
        if self.error is not None:
            return f"failed {self.what} {self.key} ({self.action}): {self.error.message}"
        extra = "".join(f"; {note}" for note in self.notes)
        ident = f" ({self.id})" if self.id else ""
        if self.action == "attach" and self.what == "vector store":
            files = f"{self.count} file{'' if self.count == 1 else 's'}"
            return f"attached {files} to vector store {self.key}{ident}{extra}"
        return f"{_PAST.get(self.action, self.action)} {self.what} {self.key}{ident}{extra}"

    def failure_line(self) -> str:
        assert self.error is not None
        return f"{self.what} {self.key} ({self.action}): {self.error.message}"


@dataclass
class KnowledgeContext:
    api: KnowledgeApi
    recorder: Recorder
    lineage: str
    #: The repository root: a file change's path is relative to it.
    root: Path
    env: str | None = None
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    clock: Clock = field(default_factory=Clock)
    upload_parallelism: int = DEFAULT_UPLOAD_PARALLELISM
    processing_timeout: float = DEFAULT_PROCESSING_TIMEOUT
    #: Hears of each step as it ends (progress); called from several threads.
    on_step: Callable[[Step], None] = lambda step: None
    #: Hears of the bytes of each upload chunk sent (progress).
    on_bytes: Callable[[int], None] = lambda count: None
    #: Ids this apply made or adopted, for the references of assistant requests.
    ids: dict[tuple[Kind, str], str] = field(default_factory=dict)
    steps: list[Step] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def report(self, step: Step) -> Step:
        with self._lock:
            self.steps.append(step)
        self.on_step(step)
        return step

    def made(self, kind: Kind, key: str, made_id: str) -> None:
        with self._lock:
            self.ids[(kind, key)] = made_id

    def made_ids(self, kind: Kind) -> frozenset[str]:
        with self._lock:
            return frozenset(made for (of, _), made in self.ids.items() if of == kind)


def gone_is_done(request: Callable[[], object]) -> None:
    """Run `request`, a detach or a delete: a 404 says what it removes is gone already (a
    try whose answer was lost removed it), which is done."""
    try:
        request()
    except ApiError as error:
        if error.status != HTTPStatus.NOT_FOUND:
            raise
