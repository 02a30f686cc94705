"""Uploading repository files without ever making a second copy or losing one.

`/v1/files` keeps no metadata, so the state alone says which files are ours. Before each
upload an `UploadIntent` (path, sha256, size, filename, time) is journaled; once the
server answers, the `FileRecord` replaces it in one journal write. A run killed in between
leaves the intent, and the next plan finds the file (same name and size, created after the
intent) and adopts it or deletes it. A lost answer is followed the same way at once: the
files are listed before the upload is tried again, and what the lost try made is adopted.

Uploads run in parallel within a bound; files that share a name and a size go one after
another, so a lookup after a lost answer never mistakes a neighbour's upload for its own.
"""

from __future__ import annotations

import os
import threading
import time
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from assistform.api.retry import Budget
from assistform.apply.knowledge_context import KnowledgeContext, Step, gone_is_done
from assistform.errors import ApiError
from assistform.knowledge.api import KnowledgeApi
from assistform.knowledge.hashing import sha256_of
from assistform.knowledge.live import LiveFile
from assistform.plan.files import fitting_uploads, recorded_file_ids
from assistform.plan.model import Action, FileChange, Reason
from assistform.state import FileRecord, Record, UploadIntent


def uploads(plan_changes: Iterable[FileChange]) -> list[FileChange]:
    return [c for c in plan_changes if c.action in (Action.CREATE, Action.REPLACE)]


def adopt_files(changes: Iterable[FileChange], ctx: KnowledgeContext) -> None:
    """Record the files lost upload answers made, as the plan found them."""
    for change in changes:
        if change.action is not Action.NOOP or not change.adopt:
            continue
        if change.id is None or change.sha256 is None or change.size is None:
            ctx.report(Step("file", change.path, "adopt", error=ApiError("the plan names no file")))
            continue
        record = FileRecord(
            id=change.id,
            sha256=change.sha256,
            size=change.size,
            mtime_ns=_mtime_if_size(ctx.root / change.path, change.size),
            filename=_filename(change.path),
        )
        records = [Record("file", change.path, record), Record("upload", change.path, None)]
        previous = ctx.recorder.state.files.get(change.path)
        if previous is not None and previous.id != change.id:
            # The path's old content: deleted after the assistants, or by a later apply.
            records.append(Record("retired", previous.id, change.path))
        ctx.recorder.record_all(records)
        ctx.made("file", change.path, change.id)
        ctx.report(Step("file", change.path, "adopt", id=change.id, notes=("a lost upload",)))


def delete_orphans(changes: Iterable[FileChange], ctx: KnowledgeContext) -> None:
    """Delete the files an interrupted apply uploaded and never recorded, then forget the
    intent that led to them. One that cannot be deleted now is recorded as retired, so
    the next apply deletes it without the intent."""
    by_path: dict[str, list[FileChange]] = defaultdict(list)
    for change in changes:
        if change.action is Action.DELETE and Reason.ORPHAN in change.reasons:
            by_path[change.path].append(change)
    for path, orphans in by_path.items():
        records: list[Record] = []
        for change in orphans:
            assert change.id is not None
            try:
                delete_file(ctx.api, change.id)
            except ApiError as error:
                records.append(Record("retired", change.id, path))
                ctx.report(Step("file", path, "delete", id=change.id, error=error))
                continue
            ctx.report(Step("file", path, "delete", id=change.id, notes=("an orphan upload",)))
        if path in ctx.recorder.state.uploads:
            records.append(Record("upload", path, None))
        ctx.recorder.record_all(records)


def upload_all(changes: Sequence[FileChange], ctx: KnowledgeContext) -> None:
    """Upload every CREATE and REPLACE, at most `ctx.upload_parallelism` at once."""
    groups: dict[tuple[str, int | None], list[FileChange]] = defaultdict(list)
    for change in changes:
        groups[(_filename(change.path), change.size)].append(change)
    stop = threading.Event()
    pool = ThreadPoolExecutor(
        max_workers=max(1, ctx.upload_parallelism), thread_name_prefix="upload"
    )
    try:
        futures = [pool.submit(_upload_group, group, ctx, stop) for group in groups.values()]
        for future in futures:
            future.result()
    except BaseException:
        # Interrupted (SIGTERM, Ctrl-C): start no new upload, let those under way finish
        # and be recorded.
        stop.set()
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


def _upload_group(group: list[FileChange], ctx: KnowledgeContext, stop: threading.Event) -> None:
    for change in group:
        if stop.is_set():
            return
        try:
            ctx.report(upload_one(change, ctx))
        except ApiError as error:
            ctx.report(Step("file", change.path, "upload", error=error))


def upload_one(change: FileChange, ctx: KnowledgeContext) -> Step:
    """Upload one file crash-safely (see the module docstring); its record is durable once
    this returns."""
    absolute = ctx.root / change.path
    try:
        before = absolute.stat()
        digest, _ = sha256_of(absolute)
    except OSError as error:
        raise ApiError(f"cannot read it: {error.strerror or type(error).__name__}") from None
    if change.sha256 is not None and digest != change.sha256:
        raise ApiError("its content changed since the plan was made: plan again")
    filename = _filename(change.path)
    intent = UploadIntent(
        path=change.path,
        sha256=digest,
        size=before.st_size,
        filename=filename,
        started_at=time.time(),
    )
    ctx.recorder.record(change.path, intent, "upload")
    live, extra = _send(absolute, intent, ctx)
    after = _stat(absolute)
    unchanged = after is not None and (after.st_size, after.st_mtime_ns) == (
        before.st_size,
        before.st_mtime_ns,
    )
    record = FileRecord(
        id=live.id,
        sha256=digest,
        size=before.st_size,
        # Changed while it was sent: what went is unsure, so the next plan reads it again.
        mtime_ns=before.st_mtime_ns if unchanged else 0,
        filename=filename,
    )
    records = [Record("file", change.path, record), Record("upload", change.path, None)]
    # Retired files are deleted at the end of the apply, once nothing refers to them: the
    # old content's file of a replace, and the extra copies tries with lost answers made.
    retired = [c.id for c in extra or ()]
    if change.action is Action.REPLACE and change.id is not None and change.id != live.id:
        retired.append(change.id)
    records += [Record("retired", file_id, change.path) for file_id in retired]
    ctx.recorder.record_all(records)
    ctx.made("file", change.path, live.id)
    notes: tuple[str, ...] = ()
    if extra is not None:
        notes = ("its answer was lost; found it by name, size and time",)
    return Step("file", change.path, "upload", id=live.id, notes=notes, size=before.st_size)


def _send(
    absolute: Path, intent: UploadIntent, ctx: KnowledgeContext
) -> tuple[LiveFile, list[LiveFile] | None]:
    """The uploaded file, and (when it was found after a lost answer rather than answered)
    the further copies found with it."""
    budget = Budget(ctx.policy, ctx.clock)
    maybe_made = False
    while True:
        budget.attempt()
        try:
            return ctx.api.upload(absolute, intent.filename, on_bytes=ctx.on_bytes), None
        except ApiError as error:
            if error.ambiguous:
                maybe_made = True
                found = find_upload(ctx.api, intent, _known_file_ids(ctx))
                if found:
                    return found[0], found[1:]
            try:
                budget.wait_or_raise(error)
            except ApiError:
                if not maybe_made:
                    # Every try was refused outright: nothing was made, nothing to follow.
                    ctx.recorder.record(intent.path, None, "upload")
                raise


def find_upload(
    api: KnowledgeApi, intent: UploadIntent, exclude: Collection[str]
) -> list[LiveFile]:
    """The files uploads with lost answers made, oldest first, by the rule a plan adopts an
    interrupted upload by (`plan.files.fitting_uploads`). The first is the one to keep; the
    others are copies of several tries that all landed."""
    try:
        files = api.list_files()
    except ApiError as error:
        raise ApiError(
            f"its answer was lost, and the files could not be listed to find it: "
            f"{error.message} (the next plan looks again)",
            status=error.status,
        ) from None
    return fitting_uploads(intent, files, exclude)


def delete_file(api: KnowledgeApi, file_id: str) -> None:
    """Delete an uploaded file; one already gone is deleted."""
    gone_is_done(lambda: api.delete_file(file_id))


def _known_file_ids(ctx: KnowledgeContext) -> set[str]:
    return recorded_file_ids(ctx.recorder.state) | ctx.made_ids("file")


def _filename(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def _stat(path: Path) -> os.stat_result | None:
    try:
        return path.stat()
    except OSError:
        return None


def _mtime_if_size(path: Path, size: int) -> int:
    """The file's mtime when it still has the adopted size (else 0: the next plan hashes it
    again rather than trust a cache entry of other content)."""
    stat = _stat(path)
    return stat.st_mtime_ns if stat is not None and stat.st_size == size else 0
