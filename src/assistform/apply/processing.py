"""Waiting for the server to process the files an apply attached, within a bound.

A vector store file is searchable only once its status leaves `in_progress`. Apply polls
the files it attached (backing off up to `MAX_POLL` seconds) until each is `completed`,
`failed` or `cancelled`, or until `--processing-timeout` has passed. Each file that did not
complete is one failed step with the server's `last_error`; the files that did are applied
and stay so. Either way the state already records every attachment (the plan shows a
failed file with its error, and does not attach it again unless its content changes).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from assistform.apply.knowledge_context import KnowledgeContext, Step
from assistform.errors import ApiError

FIRST_POLL = 0.2
MAX_POLL = 5.0
IN_PROGRESS = "in_progress"
COMPLETED = "completed"


@dataclass(frozen=True)
class Attached:
    """A file this apply attached, to wait for."""

    store_key: str
    store_id: str
    file_id: str
    path: str

    @property
    def label(self) -> str:
        return f"{self.store_key}: {self.path}"


def wait_for_processing(attached: Sequence[Attached], ctx: KnowledgeContext) -> None:
    """Report each of `attached` once the server is done with it (or the time is up)."""
    pending: dict[str, dict[str, Attached]] = {}
    for item in attached:
        pending.setdefault(item.store_id, {})[item.file_id] = item
    deadline = ctx.clock.now() + ctx.processing_timeout
    delay = FIRST_POLL
    while pending:
        for store_id in list(pending):
            _poll(store_id, pending, ctx)
        if not pending:
            return
        left = deadline - ctx.clock.now()
        if left <= 0:
            break
        ctx.clock.sleep(min(delay, left))
        delay = min(delay * 2, MAX_POLL)
    timeout = f"{ctx.processing_timeout:g}"
    for files in pending.values():
        for item in files.values():
            error = ApiError(
                f"still {IN_PROGRESS} after {timeout} s (--processing-timeout); the next plan "
                "shows how it ended"
            )
            ctx.report(_step(item, error))


def _poll(store_id: str, pending: dict[str, dict[str, Attached]], ctx: KnowledgeContext) -> None:
    files = pending[store_id]
    try:
        statuses = ctx.api.file_statuses(store_id, list(files))
    except ApiError as error:
        # The client retried already: stop waiting on this store, say so per file.
        for item in files.values():
            ctx.report(_step(item, ApiError(f"its status could not be read: {error.message}")))
        del pending[store_id]
        return
    for file_id, item in list(files.items()):
        live = statuses.get(file_id)
        if live is None:
            gone = ApiError("it is no longer in the vector store (detached outside assistform?)")
            ctx.report(_step(item, gone))
        elif live.status == IN_PROGRESS:
            continue
        elif live.status == COMPLETED:
            ctx.report(_step(item))
        else:
            why = f": {live.last_error}" if live.last_error else ""
            ctx.report(_step(item, ApiError(f"processing {live.status}{why}")))
        del files[file_id]
    if not files:
        del pending[store_id]


def _step(item: Attached, error: ApiError | None = None) -> Step:
    return Step(
        "file of vector store",
        item.label,
        "process",
        id=item.file_id,
        error=error,
        store=item.store_key,
    )
