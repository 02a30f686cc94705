"""The state as an apply writes it: one durable journal line per finished change.

Changes finish on many threads; one writer thread owns the journal. It writes whatever
records are waiting with a single fsync (a group commit: on a busy or networked disk the
fsync, not the API, would otherwise set the pace), then marks them durable. A worker
hands its record in and moves on to the next change; what depends on durability waits
for it: the progress report of the change, and the delete half of a replace.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import Future

from assistform.errors import StateError
from assistform.state import Record, RecordKind, RecordValue, State, StateFile


class Recorder:
    def __init__(self, state_file: StateFile, state: State) -> None:
        self.state_file = state_file
        self._state = state_file.ensure_saved(state)
        self._cond = threading.Condition()
        #: Each record with the future of its group, which only the group's last one carries.
        self._waiting: list[tuple[Record, Future[None] | None]] = []
        self._closing = False
        self._error: StateError | None = None
        self.entries = 0
        self.writes = 0
        self._writer = threading.Thread(target=self._write_loop, name="journal", daemon=True)
        self._writer.start()

    @property
    def state(self) -> State:
        with self._cond:
            return self._state

    def submit(
        self, key: str, value: RecordValue | None, kind: RecordKind = "assistant"
    ) -> Future[None]:
        """Hand in a record of `key` (None: forget it); the future is done once it is durable."""
        return self.submit_all([Record(kind, key, value)])

    def submit_all(self, records: Sequence[Record]) -> Future[None]:
        """Hand in records that belong together: they go into one journal write, in order;
        the future is done once all are durable."""
        done: Future[None] = Future()
        with self._cond:
            if self._error is not None:
                raise self._error
            if self._closing:
                raise RuntimeError("the recorder is closed")
            if not records:
                done.set_result(None)
                return done
            # Only the last one carries the future: one write makes them durable together.
            for record in records[:-1]:
                self._waiting.append((record, None))
            self._waiting.append((records[-1], done))
            self._cond.notify_all()
        return done

    def record(self, key: str, value: RecordValue | None, kind: RecordKind = "assistant") -> None:
        """Record `key` and wait until it is durable."""
        self.submit(key, value, kind).result()

    def record_all(self, records: Sequence[Record]) -> None:
        """Record records that belong together (`submit_all`) and wait until they are durable."""
        self.submit_all(records).result()

    def close(self) -> State:
        """Write what is waiting, stop the writer, and return the state as written."""
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        self._writer.join()
        with self._cond:
            if self._error is not None:
                raise self._error
            return self._state

    def compact(self) -> State:
        """Close, then fold the journal into the state file (the serial counts each entry)."""
        state = self.close()
        if self.entries or self.state_file.journal_path.exists():
            state = self.state_file.save(state, bump=False)
        with self._cond:
            self._state = state
        return state

    def _write_loop(self) -> None:
        while True:
            with self._cond:
                while not self._waiting and not self._closing:
                    self._cond.wait()
                if not self._waiting:
                    return
                batch, self._waiting = self._waiting, []
                state = self._state
            try:
                written = self.state_file.journal_many(state, [record for record, _ in batch])
            except Exception as exc:
                error = StateError(f"could not write the state journal: {exc}")
                with self._cond:
                    self._error = error
                    failed, self._waiting = batch + self._waiting, []
                for _, done in failed:
                    if done is not None:
                        done.set_exception(error)
                return
            with self._cond:
                self._state = written
                self.entries += len(batch)
                self.writes += 1
            for _, done in batch:
                if done is not None:
                    done.set_result(None)
