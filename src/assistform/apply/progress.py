"""Progress of an apply: one line rewritten in place on a terminal, one line per change in CI.

Uploads count bytes too (`KnowledgeProgress`).

On a terminal the line is rewritten with a carriage return, so a thousand changes do not
scroll the plan away; in a CI log, where `\\r` is noise, every finished change gets its own
line (a killed run's log then shows exactly how far it got).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TextIO

from assistform.apply.knowledge_context import Step
from assistform.apply.steps import Outcome
from assistform.plan.model import human_size

#: Erase from the cursor to the end of the line (after a shorter rewrite).
_CLEAR = "\x1b[K"


class _Line:
    """Where progress is shown: one line rewritten in place when `live` (a terminal), else
    one line per message. Callers hold `lock` while they count and show."""

    def __init__(self, stream: TextIO, *, live: bool, redact: Callable[[str], str]) -> None:
        self.stream = stream
        self.live = live
        #: Masks secrets a line may hold (an error echoing a key): these lines go to CI logs.
        self.redact = redact
        self.lock = threading.Lock()
        self._open = False

    def show(self, text: str) -> None:
        text = self.redact(text)
        if self.live:
            self.stream.write(f"\r{text}{_CLEAR}")
            self._open = True
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def close(self) -> None:
        """End the rewritten line, so what follows starts on a line of its own."""
        with self.lock:
            if self._open:
                self.stream.write("\n")
                self.stream.flush()
                self._open = False


class Progress:
    def __init__(
        self,
        total: int,
        stream: TextIO,
        *,
        live: bool,
        redact: Callable[[str], str] = lambda text: text,
    ) -> None:
        self.total = total
        self.done = 0
        self._line = _Line(stream, live=live, redact=redact)

    def finished(self, outcome: Outcome) -> None:
        with self._line.lock:
            self.done += 1
            self._line.show(f"[{self.done}/{self.total}] {outcome.describe()}")

    def close(self) -> None:
        self._line.close()


class KnowledgeProgress:
    """Uploads and the other knowledge steps: on a terminal one line rewritten in place
    (`uploading 3/12 files, 4.1 of 9.0 MB`, then each step), elsewhere one line per file
    uploaded and per step, so a CI log shows how far a run got without carriage returns."""

    def __init__(
        self,
        stream: TextIO,
        *,
        live: bool,
        files: int = 0,
        total_bytes: int = 0,
        redact: Callable[[str], str] = lambda text: text,
    ) -> None:
        self.files = files
        self.total_bytes = total_bytes
        self.sent = 0
        self.uploaded = 0
        self._line = _Line(stream, live=live, redact=redact)

    def bytes_sent(self, count: int) -> None:
        with self._line.lock:
            self.sent += count
            if self._line.live:
                self._line.show(self._transfer())

    def step(self, step: Step) -> None:
        with self._line.lock:
            text = step.describe()
            if step.action == "upload":
                self.uploaded += 1
                size = f", {human_size(step.size)}" if step.size is not None else ""
                text = f"[{self.uploaded}/{self.files} files{size}] {text}"
            self._line.show(text)

    def close(self) -> None:
        self._line.close()

    def _transfer(self) -> str:
        return (
            f"uploading {self.uploaded}/{self.files} files, "
            f"{human_size(self.sent)} of {human_size(self.total_bytes)}"
        )
