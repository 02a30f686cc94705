"""Progress of an apply: one line rewritten in place on a terminal, one line per change in CI.

On a terminal the line is rewritten with a carriage return, so a thousand changes do not
scroll the plan away; in a CI log, where `\\r` is noise, every finished change gets its own
line (a killed run's log then shows exactly how far it got).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TextIO

from assistform.apply.steps import Outcome

#: Erase from the cursor to the end of the line (after a shorter rewrite).
_CLEAR = "\x1b[K"


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
        self.stream = stream
        self.live = live
        #: Masks secrets a line may hold (an error echoing a key): these lines go to CI logs.
        self.redact = redact
        self.done = 0
        self._lock = threading.Lock()
        self._open_line = False

    def finished(self, outcome: Outcome) -> None:
        with self._lock:
            self.done += 1
            text = self.redact(f"[{self.done}/{self.total}] {outcome.describe()}")
            if self.live:
                self.stream.write(f"\r{text}{_CLEAR}")
                self._open_line = True
            else:
                self.stream.write(text + "\n")
            self.stream.flush()

    def close(self) -> None:
        """End the rewritten line, so what follows starts on a line of its own."""
        with self._lock:
            if self._open_line:
                self.stream.write("\n")
                self.stream.flush()
                self._open_line = False
