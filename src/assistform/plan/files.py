"""The uploads and deletes of repository files: pure, part of `plan.knowledge`.

A file's identity is its path and its content. A path whose content the state records as
uploaded (and whose file is still live) is never uploaded again; new content is uploaded
anew (REPLACE: the old file is retired, and deleted once nothing refers to it); a path no
spec uses any more is deleted after the stores have let go of it. Uploads carry no
metadata, so only the state says which files are ours; an upload an interrupted apply
never recorded is found again through its intent (same name and size, made after it was
begun), adopted or deleted. A file matching no intent and not in the state is never
touched: it is not known to be ours.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from assistform.knowledge.desired import DesiredFile, DesiredKnowledge
from assistform.knowledge.live import LiveFile, LiveKnowledge
from assistform.knowledge.refs import ref
from assistform.knowledge.tags import SHA256_PREFIX
from assistform.plan.model import Action, FileChange, Reason
from assistform.state import State, UploadIntent

#: A server's `created_at` is whole seconds, and clocks differ: how much earlier than the
#: intent's start an upload may claim to have been made.
INTENT_SLACK_SECONDS = 5


@dataclass
class FilesPlan:
    changes: list[FileChange] = field(default_factory=list)
    #: Path -> the id its file has once applied: its live id when it stays, else a
    #: reference (known after apply).
    ids: dict[str, str] = field(default_factory=dict)
    #: Live files neither recorded nor matched to an intent: counted, never touched.
    unmanaged: int = 0
    warnings: list[str] = field(default_factory=list)


def recorded_file_ids(state: State) -> set[str]:
    """Every uploaded file the state knows to be ours."""
    ids = {r.id for r in state.files.values()} | set(state.retired_files)
    for store in state.vector_stores.values():
        ids |= {a.file_id for a in store.files.values()}
    return ids


def plan_files(
    desired: DesiredKnowledge,
    state: State,
    live: LiveKnowledge | None,
    *,
    recorded: set[str],
    in_use: frozenset[str] = frozenset(),
    attached: dict[str, str] | None = None,
) -> FilesPlan:
    """The file changes that make the uploaded files those `desired` uses (hashed).

    `recorded`: `recorded_file_ids(state)`, which the caller has already computed.
    `attached`: the digests (`knowledge.tags.SHA256_PREFIX` hex digits) of live files our
    stores hold with our attributes and the state does not record (a lost state), to the
    file's id: a path of that content adopts it instead of uploading it again."""
    spare = dict(attached or {})
    result = FilesPlan()
    live_ids = {f.id for f in live.files} if live is not None else None
    found, ambiguous = _match_intents(state.uploads, live, recorded)
    # An interrupted upload is its intent's to adopt or delete, not another path's.
    claimed = {f.id for files in found.values() for f in files} | {f.id for _, f in ambiguous}
    uploads: list[FileChange] = []
    deletes = [
        _orphan(path, f, "it cannot be told from another path's upload of that name and size")
        for path, f in ambiguous
    ]
    for path, file in desired.files.items():
        change = _plan_path(file, state, live_ids, found.pop(path, None), deletes)
        if change is not None and change.action is Action.CREATE and live_ids is not None:
            # Each such file for one path only: two paths of one content are two uploads.
            kept = spare.pop((file.sha256 or "")[:SHA256_PREFIX], None)
            if kept is not None and kept in live_ids and kept not in claimed:
                change = FileChange(
                    path=path,
                    action=Action.NOOP,
                    id=kept,
                    adopt=True,
                    sha256=file.sha256,
                    size=file.size,
                    notes=[
                        f"found {kept} in a vector store of ours with this content's digest, "
                        "unknown to the state: recording it instead of uploading again"
                    ],
                )
        if change is None:
            result.ids[path] = state.files[path].id
        elif change.adopt and change.id is not None:
            result.ids[path] = change.id
        else:
            result.ids[path] = ref("file", path)
        if change is not None:
            uploads.append(change)
    for path, candidates in sorted(found.items()):
        deletes += [_orphan(path, f, "its spec no longer uses it") for f in candidates]
    if live is not None and live.complete:
        planned = {c.path for c in uploads}
        deletes += _stale_intents(state.uploads, planned, found, ambiguous)
    for path, record in sorted(state.files.items()):
        if path not in desired.files:
            deletes.append(_unused(path, record.id, live_ids, "no spec uses it any more"))
    for file_id, path in sorted(state.retired_files.items(), key=lambda item: item[1]):
        why = "retired by an earlier apply (its content changed, or no spec used it)"
        deletes.append(_unused(path, file_id, live_ids, why))
    for change in deletes:
        if change.id in in_use and change.action is Action.DELETE:
            result.warnings.append(
                f"file {change.id} ({change.path}) is no longer a repository file's upload, "
                "but an assistant's spec names it in file_ids: not deleted"
            )
            continue
        result.changes.append(change)
    result.changes[:0] = uploads
    if live is not None:
        known = recorded | {c.id for c in result.changes if c.id is not None}
        result.unmanaged = sum(1 for f in live.files if f.id not in known)
    return result


def _plan_path(
    file: DesiredFile,
    state: State,
    live_ids: set[str] | None,
    candidates: list[LiveFile] | None,
    deletes: list[FileChange],
) -> FileChange | None:
    """The change of one desired path (None: its recorded upload stays); the uploads an
    interrupted apply left behind go to `deletes`, but for the one adopted."""
    assert file.sha256 is not None, "hash the desired knowledge first (knowledge.hashing)"
    record = state.files.get(file.path)
    intent = state.uploads.get(file.path)
    base: dict[str, Any] = {"path": file.path, "sha256": file.sha256, "size": file.size}
    if candidates and intent is not None and intent.sha256 == file.sha256:
        first, *others = candidates
        deletes += [_orphan(file.path, f, "a second upload of the same content") for f in others]
        if record is not None and record.id != first.id:
            deletes.append(_unused(file.path, record.id, live_ids, "its content changed"))
        return FileChange(
            **base,
            action=Action.NOOP,
            id=first.id,
            adopt=True,
            previous_sha256=record.sha256 if record and record.sha256 != file.sha256 else None,
            notes=[
                f"found {first.id}, uploaded by an interrupted apply and never recorded: "
                "recording it instead of uploading again"
            ],
        )
    if candidates:
        deletes += [_orphan(file.path, f, "its content changed since") for f in candidates]
    if record is not None and record.sha256 == file.sha256:
        if live_ids is None or record.id in live_ids:
            return None
        return FileChange(
            **base,
            action=Action.CREATE,
            reasons=[Reason.DELETED_OUTSIDE],
            notes=[f"{record.id} was deleted outside assistform; uploading it again"],
        )
    if record is not None:
        notes = ["the old file is deleted once nothing refers to it"]
        if live_ids is not None and record.id not in live_ids:
            notes = [f"{record.id} was already deleted outside assistform"]
        return FileChange(
            **base,
            action=Action.REPLACE,
            id=record.id,
            reasons=[Reason.CONTENT_CHANGED],
            previous_sha256=record.sha256,
            notes=notes,
        )
    return FileChange(**base, action=Action.CREATE, reasons=[Reason.NEW_SPEC])


def _unused(path: str, file_id: str, live_ids: set[str] | None, why: str) -> FileChange:
    if live_ids is not None and file_id not in live_ids:
        return FileChange(
            path=path,
            action=Action.NOOP,
            id=file_id,
            reasons=[Reason.UNUSED, Reason.DELETED_OUTSIDE],
            notes=[f"{why}, and it is already gone from the server: forgetting it"],
        )
    return FileChange(
        path=path, action=Action.DELETE, id=file_id, reasons=[Reason.UNUSED], notes=[why]
    )


def _stale_intents(
    intents: dict[str, UploadIntent],
    planned: set[str],
    found: dict[str, list[LiveFile]],
    ambiguous: list[tuple[str, LiveFile]],
) -> list[FileChange]:
    """Forget the intents of uploads that never reached the server (a complete listing
    shows nothing they made) for paths this plan uploads nothing to: nothing else would
    ever drop them, and an intent left behind would one day take someone else's upload of
    that name and size for ours. A path the plan uploads to gets a new intent anyway."""
    matched = set(found) | {path for path, _ in ambiguous}
    return [
        FileChange(
            path=path,
            action=Action.NOOP,
            size=intent.size,
            sha256=intent.sha256,
            reasons=[Reason.UNUSED],
            notes=[
                "an interrupted apply began uploading this content and the server never "
                "made it: forgetting that upload"
            ],
        )
        for path, intent in sorted(intents.items())
        if path not in planned and path not in matched
    ]


def _orphan(path: str, file: LiveFile, why: str) -> FileChange:
    return FileChange(
        path=path,
        action=Action.DELETE,
        id=file.id,
        size=file.bytes,
        reasons=[Reason.ORPHAN],
        notes=[f"uploaded by an interrupted apply and never recorded; not kept: {why}"],
    )


def _match_intents(
    intents: dict[str, UploadIntent], live: LiveKnowledge | None, recorded: set[str]
) -> tuple[dict[str, list[LiveFile]], list[tuple[str, LiveFile]]]:
    """Path -> the live files its upload intent may have made, oldest first: same name and
    size, made after the upload began, not a file the state records; and the files that fit
    the intents of two paths (same name and size): which content they hold cannot be told
    here, so they are no path's to adopt (ours all the same, by the intents: deleted)."""
    if live is None or not intents:
        return {}, []
    fits: dict[str, list[LiveFile]] = {}
    claims: dict[str, int] = defaultdict(int)
    for path, intent in sorted(intents.items()):
        fits[path] = fitting_uploads(intent, live.files, recorded)
        for candidate in fits[path]:
            claims[candidate.id] += 1
    found: dict[str, list[LiveFile]] = {}
    ambiguous: list[tuple[str, LiveFile]] = []
    taken: set[str] = set()
    for path, candidates in fits.items():
        fresh = [f for f in candidates if f.id not in taken]
        taken |= {f.id for f in fresh}
        if any(claims[f.id] > 1 for f in fresh):
            ambiguous += [(path, f) for f in fresh]
        elif fresh:
            found[path] = fresh
    return found, ambiguous


def fitting_uploads(
    intent: UploadIntent, files: Iterable[LiveFile], recorded: Collection[str]
) -> list[LiveFile]:
    """The files `intent`'s upload may have made, oldest first: same name and size, made
    after the upload began, none of `recorded`. The one rule by which a plan adopts an
    interrupted upload and an apply a lost upload answer (`apply.uploads`)."""
    earliest = intent.started_at - INTENT_SLACK_SECONDS
    fitting = [
        f
        for f in files
        if f.filename == intent.filename
        and f.bytes == intent.size
        and f.created_at >= earliest
        and f.id not in recorded
    ]
    return sorted(fitting, key=_age)


def _age(file: LiveFile) -> tuple[int, str]:
    return (file.created_at, file.id)
