"""The plan as data, like Terraform's: renderers and the applier consume it, nobody recomputes it.

This is also the public JSON format of `plan --format json` and `plan --out`:
`format_version` changes when a field is removed or changes meaning; new fields may appear.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    model_serializer,
)

from assistform.state import Version

PLAN_FORMAT_VERSION = 2


class Action(StrEnum):
    NOOP = "no-op"
    CREATE = "create"
    UPDATE = "update"
    REPLACE = "replace"
    DELETE = "delete"


class Reason(StrEnum):
    NEW_SPEC = "new-spec"  # a spec with nothing live behind it yet
    SPEC_CHANGED = "spec-changed"  # the repo asks for other values than were applied
    DRIFT = "drift"  # the live assistant was changed outside assistform
    SPEC_REMOVED = "spec-removed"  # the spec file is gone
    DELETED_OUTSIDE = "deleted-outside"  # the state knows it, the server does not
    REPLACE_ON_CHANGE = "replace-on-change"  # lifecycle.replace_on_change names a changed field
    REPLACE_REQUESTED = "replace-requested"  # --replace KEY
    ADOPTED = "adopted"  # found live by its ownership tag, unknown to the state
    DUPLICATE = "duplicate"  # a second live assistant carrying our tag for the same key
    CREATE_ONLY = "create-only"  # a changed value the API takes only at create (vector_stores)
    LIFECYCLE_CHANGED = "lifecycle-changed"  # only the spec's lifecycle changed: state only
    OBSERVED = "observed"  # the state has no record of what the server stores: state only
    NEW_VERSION = "new-version"  # lifecycle.strategy blue-green: a change is a new assistant
    BEYOND_KEEP_VERSIONS = "beyond-keep-versions"  # blue-green versions past keep_versions
    UNRECORDED_VERSION = "unrecorded-version"  # a version an interrupted apply never recorded
    CONTENT_CHANGED = "content-changed"  # a repository file's content (sha256) changed
    UNUSED = "unused"  # an uploaded file no spec uses any more
    ORPHAN = "orphan"  # an upload an interrupted apply never recorded, not adopted
    PROCESSING_FAILED = "processing-failed"  # the server could not process an attached file


#: Reasons only files and vector stores have.
KNOWLEDGE_REASONS = frozenset(
    {Reason.CONTENT_CHANGED, Reason.UNUSED, Reason.ORPHAN, Reason.PROCESSING_FAILED}
)


class FieldChange(BaseModel):
    """One field path that differs, e.g. `tools[1].function.description`."""

    model_config = ConfigDict(frozen=True)

    path: str
    before: Any = None
    after: Any = None
    #: True when the live value left what was last applied (changed outside assistform).
    drift: bool = False
    #: Where `before` comes from: the live assistant, or the state for fields the API
    #: does not return (reasoning_effort, the vector_stores helper).
    compared_with: str = "live"


class ResourceChange(BaseModel):
    key: str
    action: Action
    #: The live assistant this change acts on; None for a create.
    id: str | None = None
    reasons: list[Reason] = Field(default_factory=list)
    #: Normalized configuration now (live, or state with --no-refresh) and as expected after
    #: the change: the fields the spec declares, and the ones it leaves out as the server
    #: held them after our last write (only compared fields are in both).
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    #: What the state records as applied once the change is done: the fields the spec
    #: declares, normalized (None for deletes).
    applied: dict[str, Any] | None = None
    #: The live assistant as read, normalized: recorded as the server's state of it by a
    #: change that writes no assistant (an adoption, a first observation).
    observed: dict[str, Any] | None = None
    changes: list[FieldChange] = Field(default_factory=list)
    #: Exactly what apply sends: the create body, or the modify body (changed fields only).
    request: dict[str, Any] | None = None
    #: Hash of the live assistant as read; apply refuses the plan if it moved.
    live_fingerprint: str | None = None
    #: The state does not know this assistant yet: apply records it.
    adopt: bool = False
    #: The state lists this key and apply must forget it (spec removed, deleted outside).
    forget: bool = False
    #: Nothing changes live, but apply rewrites the key's state entry: its lifecycle changed
    #: (prevent_destroy must protect an assistant even after its spec file is deleted).
    record: bool = False
    source: str | None = None
    lifecycle: dict[str, Any] = Field(default_factory=dict)
    notes: list[str] = Field(default_factory=list)
    #: Blue-green (`lifecycle.strategy`): the version the key's assistant is once the change
    #: is done; a new number when the change creates it (then `request` is its create body).
    version: int | None = None
    #: Blue-green: the versions kept live once the change is done, oldest first, without the
    #: one it creates (whose id the server gives).
    versions: list[Version] = Field(default_factory=list)
    #: Blue-green: versions deleted, after the state stops recording them: beyond
    #: keep_versions, or (a spec removed) every version but the current one.
    prune: list[Version] = Field(default_factory=list)

    @property
    def named_ids(self) -> set[str]:
        """Every live assistant the change names: its own, and its versions kept or pruned."""
        ids = {v.id for v in [*self.versions, *self.prune]}
        return ids | {self.id} if self.id is not None else ids

    @property
    def new_version(self) -> bool:
        """Whether the change creates a blue-green version (it never modifies one)."""
        return self.version is not None and self.action in (Action.CREATE, Action.REPLACE)

    @property
    def adds_version(self) -> bool:
        """Whether the change creates a blue-green version beside the key's current one:
        no replace, since nothing live is destroyed (a key's first version is a create)."""
        return self.new_version and self.action is Action.REPLACE

    @property
    def drifted(self) -> list[FieldChange]:
        return [c for c in self.changes if c.drift]

    @property
    def writes_state(self) -> bool:
        return self.action is not Action.NOOP or self.adopt or self.forget or self.record


class FileChange(BaseModel):
    """One repository file's upload, or one uploaded file's delete.

    CREATE uploads a file new to the state; REPLACE uploads its new content (the old file
    is retired, and deleted once nothing refers to it); DELETE deletes an uploaded file
    (`id`) that nothing wants any more; NOOP with `adopt` records the file a lost upload
    answer made.
    """

    path: str
    action: Action
    #: The uploaded file this change acts on (REPLACE: the old one); None for a create.
    id: str | None = None
    reasons: list[Reason] = Field(default_factory=list)
    sha256: str | None = None
    size: int | None = None
    previous_sha256: str | None = None
    #: The file a lost upload answer made, found on the server: apply records it.
    adopt: bool = False
    notes: list[str] = Field(default_factory=list)


class AttachmentChange(BaseModel):
    """One file of a vector store to attach (CREATE), detach (DELETE) or give other
    attributes (UPDATE)."""

    path: str
    action: Action
    #: The uploaded file; None when it is uploaded by this plan (known after apply).
    file_id: str | None = None
    size: int | None = None
    attributes: dict[str, Any] = Field(default_factory=dict)
    #: The server's `last_error` of a file whose processing failed (`code: message`).
    last_error: str | None = None
    #: Drift: attached by the plan's last apply, detached (or failed) since.
    drift: bool = False


class VectorStoreChange(BaseModel):
    """One vector store: its own fields like an assistant's, and its files."""

    key: str
    action: Action
    id: str | None = None
    reasons: list[Reason] = Field(default_factory=list)
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    applied: dict[str, Any] | None = None
    observed: dict[str, Any] | None = None
    changes: list[FieldChange] = Field(default_factory=list)
    #: Exactly what apply sends: the create body (with the ownership tag), or the modify body.
    request: dict[str, Any] | None = None
    live_fingerprint: str | None = None
    adopt: bool = False
    forget: bool = False
    source: str | None = None
    notes: list[str] = Field(default_factory=list)
    attach: list[AttachmentChange] = Field(default_factory=list)
    detach: list[AttachmentChange] = Field(default_factory=list)
    #: Files whose attributes change in place.
    retag: list[AttachmentChange] = Field(default_factory=list)
    #: Files attached and unchanged: counted, not listed.
    unchanged: int = 0
    #: Files whose processing failed on the server (shown with `last_error`).
    failed: list[AttachmentChange] = Field(default_factory=list)

    @property
    def writes(self) -> bool:
        return self.changes_files or self.action is not Action.NOOP or self.adopt or self.forget

    @property
    def changes_files(self) -> bool:
        return bool(self.attach or self.detach or self.retag)

    @property
    def effective_action(self) -> Action:
        """The action as counted: a store whose files change is updated."""
        if self.action is Action.NOOP and self.changes_files:
            return Action.UPDATE
        return self.action


class KnowledgeRef(BaseModel):
    """What the plan read of the server's files and vector stores."""

    files: int = 0
    vector_stores: int = 0
    #: Files and vector stores not assistform's: counted, never touched.
    unmanaged_files: int = 0
    unmanaged_vector_stores: int = 0
    requests: int = 0
    #: Bytes of file content read to hash (0 when every hash came from the state's cache).
    bytes_hashed: int = 0


class StateRef(BaseModel):
    path: str
    lineage: str
    serial: int


class LiveRef(BaseModel):
    refreshed: bool
    #: Hash over every managed live assistant read (ids and normalized configuration).
    fingerprint: str | None = None
    assistants: int = 0
    unmanaged: int = 0
    #: Assistants whose ownership tag names another environment, per environment name
    #: ("" for a repository without environments): never adopted, changed or deleted here.
    other_environments: dict[str, int] = Field(default_factory=dict)
    requests: int = 0


class Plan(BaseModel):
    format_version: int = PLAN_FORMAT_VERSION
    tool_version: str
    created_at: datetime
    state: StateRef
    live: LiveRef
    targets: list[str] = Field(default_factory=list)
    #: Where the plan was made: the environment of assistform.yaml, and the server's base
    #: URL (`sandbox` for the built-in one; None with --no-refresh). A saved plan is applied
    #: there and nowhere else.
    env: str | None = None
    server: str | None = None
    resource_changes: list[ResourceChange] = Field(default_factory=list)
    #: Knowledge (issue 13): uploads and deletes of repository files, and vector stores.
    #: Apply's order: uploads, vector stores and their attaches, assistants, then detaches
    #: and deletes of what became unused.
    file_changes: list[FileChange] = Field(default_factory=list)
    vector_store_changes: list[VectorStoreChange] = Field(default_factory=list)
    knowledge: KnowledgeRef | None = None
    warnings: list[str] = Field(default_factory=list)

    @model_serializer(mode="wrap")
    def _without_absent_knowledge(self, handler: SerializerFunctionWrapHandler) -> Any:
        # A plan of a repository without knowledge reads as it did before knowledge existed.
        data = handler(self)
        if isinstance(data, dict) and not self.has_knowledge:
            for name in ("file_changes", "vector_store_changes", "knowledge"):
                data.pop(name, None)
        return data

    @property
    def has_knowledge(self) -> bool:
        return self.knowledge is not None or bool(self.file_changes or self.vector_store_changes)

    def counts(self) -> dict[Action, int]:
        """Assistants per action; a blue-green key's new version is not counted as a
        replace (nothing live is destroyed: see `new_versions`)."""
        counts = dict.fromkeys(Action, 0)
        for change in self.resource_changes:
            if not change.adds_version:
                counts[change.action] += 1
        return counts

    def vector_store_counts(self) -> dict[Action, int]:
        counts = dict.fromkeys(Action, 0)
        for change in self.vector_store_changes:
            counts[change.effective_action] += 1
        return counts

    @property
    def uploads(self) -> list[FileChange]:
        return [f for f in self.file_changes if f.action in (Action.CREATE, Action.REPLACE)]

    @property
    def upload_bytes(self) -> int:
        """What the uploads weigh together (a size unknown counts 0)."""
        return sum(f.size or 0 for f in self.uploads)

    @property
    def removals(self) -> list[FileChange]:
        """Uploaded files the apply deletes: unused ones, and the old content of a changed
        file (deleted once its new upload has taken its place)."""
        return [
            f
            for f in self.file_changes
            if f.action is Action.DELETE or (f.action is Action.REPLACE and f.id is not None)
        ]

    @property
    def new_versions(self) -> int:
        """Blue-green keys that get a new version beside their current one."""
        return sum(1 for c in self.resource_changes if c.adds_version)

    @property
    def has_changes(self) -> bool:
        """Whether apply changes anything on the server."""
        return (
            any(c.action is not Action.NOOP for c in self.resource_changes)
            or any(f.action is not Action.NOOP for f in self.file_changes)
            or any(v.effective_action is not Action.NOOP for v in self.vector_store_changes)
        )

    @property
    def writes_state(self) -> bool:
        # Every listed file change writes the state (a no-op one adopts or forgets).
        return (
            any(c.writes_state for c in self.resource_changes)
            or bool(self.file_changes)
            or any(v.writes for v in self.vector_store_changes)
        )

    def summary_line(self) -> str:
        """`Plan: 1 to create, ...`: assistants, and vector stores with them when the plan
        has knowledge, then its files: `12 files to upload (4.2 MB), 3 to remove.`"""
        c = self.counts()
        if self.has_knowledge:
            stores = self.vector_store_counts()
            c = {action: n + stores[action] for action, n in c.items()}
        line = (
            f"Plan: {c[Action.CREATE]} to create, {c[Action.UPDATE]} to update, "
            f"{c[Action.REPLACE]} to replace, {c[Action.DELETE]} to delete"
        )
        versions = self.new_versions
        if versions:
            line += f", {versions} new version{'s' if versions > 1 else ''}"
        line += "."
        if self.has_knowledge:
            uploads = len(self.uploads)
            size = human_size(self.upload_bytes)
            noun = "file" if uploads == 1 else "files"
            line += f" {uploads} {noun} to upload ({size}), {len(self.removals)} to remove."
        return line


def human_size(size: int) -> str:
    """`4.2 MB`: decimal units, as file managers and the API's docs count."""
    if size < 1000:
        return f"{size} B"
    value = float(size)
    for unit in ("kB", "MB", "GB"):
        value /= 1000
        if value < 999.95 or unit == "GB":
            return f"{value:.1f} {unit}"
    raise AssertionError("unreachable")
