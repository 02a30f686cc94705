"""How files and vector stores read in a plan, shared by the text and Markdown renderings.

Per vector store: its own fields like an assistant's, then the files to attach, detach or
give other attributes, each with its path and size, the files whose processing failed with
the server's error, and the unchanged ones counted. Files: one line per upload or delete.
A plan without knowledge shows none of this (and reads byte for byte as before).
Also the few words every rendering says alike, of assistants too: a count of things
(`count`) and a change's reasons (`reasons_text`). Pure: Plan in, lines out.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistform.plan.model import (
    Action,
    AttachmentChange,
    FileChange,
    Plan,
    ResourceChange,
    VectorStoreChange,
    human_size,
)

#: Kinds of a vector store's block, as `render.text.KINDS` has for assistants.
STORE_PHRASES = {
    "create": "will be created",
    "update": "will be updated in place",
    "replace": "will be made again (then the old one deleted)",
    "delete": "will be deleted",
    "adopt": "will be adopted: recorded in the state",
    "forget": "will be forgotten: removed from the state, already gone from the server",
    "failed": "has files the server could not process",
    "files": "will have its files changed",
}
FILE_PHRASES = {
    "create": "will be uploaded",
    "replace": "will be uploaded again (its content changed); the old file is deleted once unused",
    "delete": "will be deleted",
    "adopt": "will be adopted: an interrupted apply's upload, recorded in the state",
    "forget": "will be forgotten: already gone from the server",
}
SYMBOLS = {
    "create": "+",
    "update": "~",
    "files": "~",
    "replace": "-/+",
    "delete": "-",
    "adopt": "=",
    "forget": ".",
    "failed": "!",
}


@dataclass(frozen=True)
class Step:
    """One line under a store: `+ attach kb/a.md (1.2 kB, uploaded by this plan)`."""

    sign: str
    text: str
    marker: str | None = None


def store_kind(change: VectorStoreChange) -> str:
    if change.action is not Action.NOOP:
        return str(change.action.value)
    if change.forget:
        return "forget"
    if change.changes_files:
        return "files"  # an adoption too, if so: its reasons say it
    return "adopt" if change.adopt else "failed"


def is_store_shown(change: VectorStoreChange) -> bool:
    """Stores that change, or hold files whose processing failed; the rest are counted."""
    return change.writes or bool(change.failed)


def store_header(change: VectorStoreChange) -> str:
    label = f"vector store {change.key}"
    return label + (f" ({change.id})" if change.id else "")


def store_steps(change: VectorStoreChange) -> list[Step]:
    """What happens to a store's files, in apply's order."""
    steps = [Step("+", f"attach {_attachment(a)}", _drift(a)) for a in change.attach]
    steps += [Step("~", f"attributes of {_attachment(a)}", _drift(a)) for a in change.retag]
    steps += [Step("-", f"detach {_attachment(a)}") for a in change.detach]
    steps += [
        Step("!", f"processing failed: {_attachment(a)}: {a.last_error or 'no error given'}")
        for a in change.failed
    ]
    if change.unchanged:
        steps.append(Step(" ", f"{count(change.unchanged, 'file')} unchanged"))
    return steps


def _attachment(item: AttachmentChange) -> str:
    facts = [human_size(item.size)] if item.size is not None else []
    if item.file_id:
        facts.append(item.file_id)
    elif item.action is Action.CREATE:
        facts.append("uploaded by this plan")
    return f"{item.path} ({', '.join(facts)})" if facts else item.path


def _drift(item: AttachmentChange) -> str | None:
    if not item.drift:
        return None
    if item.action is Action.CREATE:
        return "drift: detached outside assistform"
    return "drift: changed outside assistform"


def file_kind(change: FileChange) -> str:
    if change.action is not Action.NOOP:
        return str(change.action.value)
    return "adopt" if change.adopt else "forget"


def file_line(change: FileChange) -> tuple[str, str]:
    """(symbol, text) of one file change, e.g. `+`, `kb/a.md (1.2 kB) will be uploaded`."""
    kind = file_kind(change)
    facts = [human_size(change.size)] if change.size is not None else []
    if change.id:
        facts.append(change.id)
    text = f"{change.path} ({', '.join(facts)})" if facts else change.path
    reasons = reasons_text(change)
    text += f" {FILE_PHRASES[kind]}" + (f" ({reasons})" if reasons else "")
    return SYMBOLS[kind], text


def knowledge_counts_line(plan: Plan) -> str:
    """`Vector stores: 1 to create, ... 2 unchanged. Files: 12 to upload (4.2 MB), ...`"""
    counts = plan.vector_store_counts()
    stores = ", ".join(
        f"{counts[a]} to {a.value}"
        for a in (Action.CREATE, Action.UPDATE, Action.REPLACE, Action.DELETE)
    )
    unchanged = sum(1 for c in plan.vector_store_changes if not is_store_shown(c))
    kept = sum(c.unchanged for c in plan.vector_store_changes)
    return (
        f"Vector stores: {stores}, {unchanged} unchanged. {files_counts(plan)}, "
        f"{kept} attached and unchanged."
    )


def files_counts(plan: Plan) -> str:
    """`Files: 12 to upload (4.2 MB), 3 to remove`."""
    return (
        f"Files: {len(plan.uploads)} to upload ({human_size(plan.upload_bytes)}), "
        f"{len(plan.removals)} to remove"
    )


def knowledge_tail(plan: Plan, *, unchanged: bool = True) -> list[str]:
    """What is counted, not listed: unchanged stores, and what is not assistform's."""
    lines = []
    quiet = [c for c in plan.vector_store_changes if not is_store_shown(c)]
    if quiet and unchanged:
        files = sum(c.unchanged for c in quiet)
        lines.append(f"{count(len(quiet), 'vector store')} unchanged ({count(files, 'file')}).")
    ref = plan.knowledge
    if ref is not None and plan.live.refreshed:
        parts = []
        if ref.unmanaged_files:
            parts.append(count(ref.unmanaged_files, "file"))
        if ref.unmanaged_vector_stores:
            parts.append(count(ref.unmanaged_vector_stores, "vector store"))
        if parts:
            one = ref.unmanaged_files + ref.unmanaged_vector_stores == 1
            lines.append(
                f"{' and '.join(parts)} on the server not managed here "
                f"(untagged, or another environment's or lineage's) {'is' if one else 'are'} "
                "not touched."
            )
    return lines


def count(n: int, noun: str) -> str:
    """`1 file`, `1,204 files`."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def reasons_text(change: ResourceChange | VectorStoreChange | FileChange) -> str:
    """`spec-changed, drift`: a change's reasons as every rendering lists them."""
    return ", ".join(r.value for r in change.reasons)
