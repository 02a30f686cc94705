"""Take over assistants that assistform did not create: `import` one, `export` many (with
the vector stores they search: `export_stores`).

For each assistant: write its spec (`spec.writer`), load it back as `validate` does and
check that it asks for exactly the live configuration, then tag the assistant and record it
in the state, under the state lock. Every refusal comes before the first write. When a step
fails after the files are written, the files of each assistant not yet taken over are put
back as they were: a spec for an assistant that is neither tagged nor recorded would make
the next plan create a second one.
"""

from __future__ import annotations

import contextlib
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from assistform import ownership
from assistform.api.client import AssistantsApi
from assistform.apply.lock import StateLock
from assistform.errors import ApiError, PlanError, Severity, UsageError
from assistform.knowledge.desired import DesiredKnowledge
from assistform.normalize import STATE_ONLY_FIELDS, Config
from assistform.ownership import OwnershipTag, env_label, with_tag, without_tag
from assistform.plan.desired import DesiredAssistant, desired_from, with_knowledge_ids
from assistform.plan.expected import matches
from assistform.plan.live import LiveAssistant
from assistform.spec.load import (
    KEY_PATTERN,
    SPEC_DIR,
    SPEC_SUFFIXES,
    LoadedSpec,
    display,
    load_every_environment,
    load_one,
    load_specs,
)
from assistform.spec.writer import SCHEMA_PATH, SpecFiles, spec_files
from assistform.state import ResourceState, State, StateFile
from assistform.workspace import Workspace

if TYPE_CHECKING:
    from assistform.export_stores import StoreTarget
    from assistform.knowledge.api import KnowledgeApi

#: Longest key made from a name; suffixes (-2, -3, ...) come on top.
SLUG_MAX = 64


@dataclass(frozen=True)
class Target:
    """One live assistant and where its spec goes."""

    key: str
    live: LiveAssistant
    files: SpecFiles
    spec_path: Path
    instructions_path: Path | None = None

    @property
    def paths(self) -> list[Path]:
        return [p for p in (self.spec_path, self.instructions_path) if p is not None]

    def contents(self) -> list[tuple[Path, str]]:
        files = [(self.spec_path, self.files.spec_text)]
        if self.instructions_path is not None and self.files.instructions_text is not None:
            files.append((self.instructions_path, self.files.instructions_text))
        return files


class Written(Protocol):
    """What export writes for one live object (an assistant, a vector store)."""

    @property
    def paths(self) -> list[Path]: ...

    def contents(self) -> list[tuple[Path, str]]: ...


class Keyed(Protocol):
    """A live object a key is made for (an assistant, a vector store)."""

    @property
    def id(self) -> str: ...

    @property
    def raw(self) -> dict[str, Any]: ...

    @property
    def tag(self) -> OwnershipTag | None: ...


@dataclass
class Report:
    """What an import or export did, for the command to print."""

    targets: list[Target] = field(default_factory=list)
    #: Tagged and recorded in the state, in the order they were taken over.
    adopted: list[Target] = field(default_factory=list)
    #: Modify calls made to set the ownership tag (none for one already tagged).
    tagged: int = 0
    #: Lines to print as they are: findings of `validate` on the written specs, and the like.
    warnings: list[str] = field(default_factory=list)
    state_path: Path | None = None
    #: Where the specs went, and whether plan reads them there (`assistants/`).
    directory: Path | None = None
    planned: bool = True
    #: The vector stores written as specs (export).
    stores: list[StoreTarget] = field(default_factory=list)
    #: Modify calls made to set a vector store's ownership tag.
    stores_tagged: int = 0


def slug(text: str) -> str:
    """`"Support Bot (EU) #2"` -> `support-bot-eu-2`: lower-case ASCII words joined by `-`."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return words[:SLUG_MAX].rstrip("-")


def id_key(assistant_id: str) -> str:
    """An id as a key: ids are opaque, so anything outside `[A-Za-z0-9_-]` becomes `-`.
    No dots: `x.prod` would read as the `prod` overlay of `x`."""
    key = re.sub(r"[^A-Za-z0-9_-]+", "-", assistant_id).strip("-")
    return key[:SLUG_MAX] or "assistant"


def valid_key(key: str) -> bool:
    return bool(KEY_PATTERN.match(key)) and len(key) <= ownership.KEY_MAX


def assign_keys(
    assistants: Sequence[Keyed], state: State, *, reserved: Iterable[str] = ()
) -> dict[str, str]:
    """A key per assistant id: the one the state or its ownership tag gives it, else its
    name made file-safe (else its id), then `-2`, `-3`... until unique. Unique ignoring
    case, for the file systems that do; `reserved` keys (other assistants' tags) are taken."""
    recorded = {resource.id: key for key, resource in state.resources.items()}
    return keys_for(assistants, recorded, reserved=reserved)


def keys_for(
    items: Sequence[Keyed], recorded: Mapping[str, str], *, reserved: Iterable[str] = ()
) -> dict[str, str]:
    """`assign_keys` for any live objects, given the keys a state records (id -> key)."""
    used = {k.casefold() for k in (*recorded.values(), *reserved)}
    keys: dict[str, str] = {}
    given: set[str] = set()
    for assistant in items:
        tag = assistant.tag
        fixed = recorded.get(assistant.id) or (
            tag.key if tag is not None and valid_key(tag.key) else None
        )
        if fixed is not None and fixed.casefold() not in given:
            keys[assistant.id] = fixed
            given.add(fixed.casefold())
            used.add(fixed.casefold())
    for assistant in items:
        if assistant.id in keys:
            continue
        name = assistant.raw.get("name")
        base = (slug(name) if isinstance(name, str) else "") or id_key(assistant.id)
        candidate, n = base, 2
        while candidate.casefold() in used:
            candidate, n = f"{base}-{n}", n + 1
        keys[assistant.id] = candidate
        used.add(candidate.casefold())
    return keys


def target_for(
    key: str,
    live: LiveAssistant,
    directory: Path,
    root: Path,
    vector_store_keys: Mapping[str, str] | None = None,
) -> Target:
    """Where `key`'s spec goes under `directory`: an existing `.yml` of the key is reused,
    so that `--force` never leaves two files defining one key. `vector_store_keys`: the
    stores written as specs, by id (see `spec.writer.spec_data`)."""
    spec_path = directory / f"{key}.yaml"
    for suffix in SPEC_SUFFIXES:
        if (directory / f"{key}{suffix}").exists():
            spec_path = directory / f"{key}{suffix}"
            break
    schema = Path(os.path.relpath(root / SCHEMA_PATH, spec_path.parent)).as_posix()
    files = spec_files(key, live.raw, schema=schema, vector_store_keys=vector_store_keys)
    instructions = directory / str(files.instructions_path) if files.instructions_path else None
    return Target(key, live, files, spec_path, instructions)


def refuse_existing(targets: Sequence[Written], *, force: bool) -> None:
    if force:
        return
    existing = [display(p) for t in targets for p in t.paths if p.exists()]
    if existing:
        shown = ", ".join(existing[:5])
        if len(existing) > 5:
            shown += f" and {len(existing) - 5} more"
        verb = "exists" if len(existing) == 1 else "exist"
        raise PlanError(f"{shown} already {verb}: pass --force to overwrite")


def check_takeover(target: Target, state: State, env: str | None = None) -> None:
    """Refuse to take over an assistant that some key, state or environment already
    manages. `env` is the environment taking it over."""
    key, live = target.key, target.live
    recorded = state.resources.get(key)
    if recorded is not None and recorded.id != live.id:
        raise PlanError(f"key '{key}' already manages {recorded.id}: choose another key")
    for other, resource in state.resources.items():
        if resource.id == live.id and other != key:
            raise PlanError(f"{live.id} is already managed as '{other}'")
    tag = live.tag
    if tag is not None and tag.of_other_env(env):
        raise PlanError(
            f"{live.id} carries the ownership tag of {env_label(tag.env)}, which manages it. "
            "Remove its 'assistform' metadata key first if it should move here"
        )
    if tag is not None and tag.lineage != state.lineage:
        raise PlanError(
            f"{live.id} carries the ownership tag of another state (lineage {tag.lineage}): "
            "another environment manages it. Remove its 'assistform' metadata key first "
            "if it should move here"
        )
    if tag is not None and tag.key != key:
        raise PlanError(
            f"{live.id} carries the ownership tag of '{tag.key}': import it as that key"
        )
    pairs = len(without_tag(live.raw.get("metadata")))
    if pairs > ownership.USER_METADATA_MAX:
        raise PlanError(
            f"{live.id} has {pairs} metadata pairs, the API's limit: the ownership tag needs "
            "one free; remove a pair first"
        )


def import_assistant(
    workspace: Workspace, api: AssistantsApi, key: str, assistant_id: str, *, force: bool
) -> Report:
    """Take over one live assistant as `key`: one GET, at most one modify (the tag)."""
    if not valid_key(key):
        raise UsageError(
            f"key '{key}' may only use letters, digits, '_', '.', '-' and '/' "
            f"(at most {ownership.KEY_MAX} characters), as a spec's path under {SPEC_DIR}/"
        )
    live = api.get(assistant_id)
    target = target_for(key, live, workspace.root / SPEC_DIR, workspace.root)
    state_file = workspace.state_file
    with StateLock(state_file.lock_path):
        state = state_file.load()
        check_takeover(target, state, workspace.env)
        refuse_existing([target], force=force)
        report = Report(targets=[target], state_path=state_file.path)
        _write_and_adopt(report, workspace, api, state)
    return report


def export_assistants(
    workspace: Workspace,
    api: AssistantsApi,
    *,
    unmanaged: bool,
    directory: Path | None,
    adopt: bool,
    force: bool,
    knowledge: KnowledgeApi | None = None,
) -> Report:
    """Write a spec for every live assistant (or every untagged one); with `adopt`, also
    tag and record each, so that the next plan shows no change. With `knowledge`, also a
    spec for every live vector store (or every untagged one), which the assistants that
    search it name by key; with `adopt`, each store is tagged, for the next plan to take
    over."""
    spec_dir = workspace.root / SPEC_DIR
    directory = directory if directory is not None else spec_dir
    if _inside(directory, spec_dir) and not _same_folder(directory, spec_dir):
        # The folder would become part of every key, and a managed assistant's key is fixed.
        raise UsageError(
            f"--dir {display(directory)} is inside {display(spec_dir)}/: leave --dir out, "
            "or give a folder outside it to review the specs there"
        )
    if adopt and not _same_folder(directory, spec_dir):
        raise UsageError(
            "--adopt writes the specs where plan reads them: leave --dir out, "
            f"or give {display(spec_dir)}"
        )
    live = api.list_all()
    chosen = live.unmanaged() if unmanaged else live.assistants
    from assistform import export_stores as stores_of

    found = stores_of.live_stores(knowledge, unmanaged=unmanaged) if knowledge else None
    state_file = workspace.state_file
    lock = StateLock(state_file.lock_path) if adopt else contextlib.nullcontext()
    with lock:
        state = state_file.load()
        stores: list[StoreTarget] = []
        if found is not None:
            folder = stores_of.store_folder(directory, spec_dir, workspace.root)
            reserved_stores = [s.tag.key for s in found.stores if s.tag is not None]
            store_keys = keys_for(
                found.stores, stores_of.recorded_ids(state), reserved=reserved_stores
            )
            stores = sorted(
                (
                    stores_of.store_target(store_keys[s.id], s, folder, workspace.root)
                    for s in found.stores
                ),
                key=lambda t: t.key,
            )
        # Only a store plan reads (beside assistants/) is named by key.
        by_id = {t.live.id: t.key for t in stores} if _same_folder(directory, spec_dir) else {}
        reserved = [a.tag.key for a in live.managed() if a.tag is not None]
        keys = assign_keys(chosen, state, reserved=reserved)
        targets = [target_for(keys[a.id], a, directory, workspace.root, by_id) for a in chosen]
        if adopt:
            for target in targets:
                check_takeover(target, state, workspace.env)
            for store in stores:
                stores_of.check_store_takeover(store, state, workspace.env)
        refuse_existing([*targets, *stores], force=force)
        warnings = [f"warning: {w}" for w in live.warnings]
        warnings += found.warnings if found is not None else []
        report = Report(
            targets=targets,
            warnings=warnings,
            state_path=state_file.path,
            directory=directory,
            planned=_same_folder(directory, spec_dir),
            stores=stores,
        )
        store_ids = {key: store_id for store_id, key in by_id.items()}
        if adopt:
            _write_and_adopt(report, workspace, api, state, knowledge, store_ids)
        else:
            with _written([*stores, *targets]) as _:
                report.warnings.extend(stores_of.verify_stores(stores, workspace.root))
                _verified(targets, workspace, directory, report, store_ids)
    return report


def _same_folder(a: Path, b: Path) -> bool:
    return os.path.abspath(a) == os.path.abspath(b)


def _inside(folder: Path, parent: Path) -> bool:
    return Path(os.path.abspath(folder)).is_relative_to(os.path.abspath(parent))


def _write_and_adopt(
    report: Report,
    workspace: Workspace,
    api: AssistantsApi,
    state: State,
    knowledge: KnowledgeApi | None = None,
    store_ids: Mapping[str, str] | None = None,
) -> None:
    spec_dir = workspace.root / SPEC_DIR
    with _written([*report.stores, *report.targets]) as keep:
        if report.stores:
            from assistform.export_stores import verify_stores

            report.warnings.extend(verify_stores(report.stores, workspace.root))
        desired = _verified(report.targets, workspace, spec_dir, report, store_ids)
        if report.stores and knowledge is not None:
            state = _tag_stores(report, knowledge, workspace, state, keep)
        _take_over(report, api, workspace.state_file, state, desired, keep, workspace.env)


def _tag_stores(
    report: Report,
    knowledge: KnowledgeApi,
    workspace: Workspace,
    state: State,
    keep: list[Written],
) -> State:
    """Tag each store (its spec then stays, whatever follows), before the assistants that
    name it are taken over. The state is saved first: the tag carries its lineage."""
    from assistform.export_stores import tag_store

    state = workspace.state_file.ensure_saved(state)
    for store in report.stores:
        try:
            sent = tag_store(knowledge, store, state.lineage, workspace.env)
        except ApiError as exc:
            exc.message += (
                f" (vector store '{store.key}' is not tagged: its spec and those of the "
                "assistants not taken over are removed again)"
            )
            exc.args = (exc.message,)
            raise
        keep.append(store)
        report.stores_tagged += int(sent)
    return state


@contextlib.contextmanager
def _written(targets: Sequence[Written]) -> Iterator[list[Written]]:
    """Write the targets' files; if the block fails, put back those of the targets it did
    not add to the yielded list (taken over: their files must stay)."""
    previous: dict[Path, bytes | None] = {}
    keep: list[Written] = []
    try:
        for target in targets:
            _write(target, previous)
        yield keep
    except BaseException:
        kept = {p for t in keep for p in t.paths}
        for path, content in previous.items():
            if path in kept:
                continue
            if content is None:
                path.unlink(missing_ok=True)
            else:
                path.write_bytes(content)
        raise


def _write(target: Written, previous: dict[Path, bytes | None]) -> None:
    for path, text in target.contents():
        previous.setdefault(path, path.read_bytes() if path.exists() else None)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Bytes, not text: instructions are sent exactly as read, `\r\n` included.
        path.write_bytes(text.encode("utf-8"))


def _verified(
    targets: Sequence[Target],
    workspace: Workspace,
    directory: Path,
    report: Report,
    store_ids: Mapping[str, str] | None = None,
) -> dict[str, DesiredAssistant]:
    """Load the written specs as `validate` does (in every environment) and check that each,
    as written, asks for exactly its live assistant's configuration: what to record as
    applied, per key. `store_ids`: the id of each vector store a spec names by key."""
    spec_dir = workspace.root / SPEC_DIR
    if not targets:
        return {}
    inside = _same_folder(directory, spec_dir)
    if inside:
        result = load_every_environment(workspace.root, [t.spec_path for t in targets])
        loaded, diagnostics = result.specs, result.diagnostics
    else:
        # Outside assistants/ (export --dir): checked on their own, as in a repo of their own.
        loaded, diagnostics = [], []
        for target in targets:
            spec, found = load_one(target.spec_path, directory, directory)
            diagnostics.extend(found)
            loaded.extend([spec] if spec is not None else [])
    errors = [d for d in diagnostics if d.severity is Severity.ERROR]
    if errors:
        raise PlanError(
            "the spec written from the live assistant does not validate, so nothing was "
            "taken over:\n" + "\n".join(str(d) for d in errors)
        )
    report.warnings.extend(str(d) for d in diagnostics if d.severity is Severity.WARNING)
    by_key = {spec.key: spec for spec in loaded}
    desired: dict[str, DesiredAssistant] = {}
    for target in targets:
        spec = by_key.get(_loaded_key(target, directory))
        if spec is None:
            raise PlanError(
                f"{display(target.spec_path)} is not read as the spec of '{target.key}' "
                "(a name ending in .<environment> is an overlay): choose another key"
            )
        want = _with_store_id(desired_from([spec])[0], spec, store_ids or {})
        _check_round_trip(target, want.config, spec)
        desired[target.key] = want
    if inside and workspace.env is not None:
        report.warnings.extend(
            _changed_by_environment(targets, workspace, desired, store_ids or {})
        )
    return desired


def _with_store_id(
    want: DesiredAssistant, spec: LoadedSpec, store_ids: Mapping[str, str]
) -> DesiredAssistant:
    """`want` with the id of the vector store its spec names by key, as the plan sends it."""
    key = spec.vector_store_key
    if key is None or key not in store_ids:
        return want
    knowledge = DesiredKnowledge(vector_store_of={want.key: key})
    return with_knowledge_ids([want], knowledge, {("vector_store", key): store_ids[key]})[0]


def _changed_by_environment(
    targets: Sequence[Target],
    workspace: Workspace,
    written: dict[str, DesiredAssistant],
    store_ids: Mapping[str, str],
) -> list[str]:
    """What the environment's overrides and overlays change in the specs just written:
    the next plan in that environment shows those changes."""
    merged = load_specs(workspace.root, [t.spec_path for t in targets], env=workspace.env)
    notes = []
    for spec, plain in zip(merged.specs, desired_from(merged.specs), strict=True):
        want = _with_store_id(plain, spec, store_ids)
        mine = written.get(want.key)
        if mine is None:
            continue
        fields = [f for f, v in want.config.items() if mine.config.get(f) != v]
        if fields:
            notes.append(
                f"note: environment '{workspace.env}' changes {', '.join(fields)} of "
                f"'{want.key}': the next plan shows it"
            )
    return notes


def _loaded_key(target: Target, directory: Path) -> str:
    return Path(os.path.relpath(target.spec_path, directory)).with_suffix("").as_posix()


def _check_round_trip(target: Target, wanted: Config, spec: LoadedSpec) -> None:
    live = target.live.config
    # What the spec leaves out is the server's, as it is now; what it declares must be live.
    differing = [
        name
        for name in wanted
        if name not in STATE_ONLY_FIELDS and not matches(live.get(name), wanted[name], name)
    ]
    if differing:
        raise PlanError(
            f"{display(spec.path)} does not reproduce {target.live.id} exactly "
            f"({', '.join(differing)}), so nothing was taken over; please report this"
        )


def _take_over(
    report: Report,
    api: AssistantsApi,
    state_file: StateFile,
    state: State,
    desired: dict[str, DesiredAssistant],
    keep: list[Written],
    env: str | None,
) -> None:
    """Record each assistant in the state, then tag it (one modify call, unless it carries
    the tag already). The journal is folded into the state file however this ends.

    Recorded before tagged: an assistant tagged but neither recorded nor given a spec is
    what a plan deletes ("spec removed"), while one recorded with its spec but untagged
    only gets its tag back from the next apply.
    """
    state = state_file.ensure_saved(state)
    try:
        for target in report.targets:
            want = desired[target.key]
            resource = ResourceState(
                id=target.live.id,
                applied=want.config,
                observed=target.live.config,
                lifecycle=want.lifecycle,
            )
            state = state_file.journal(state, target.key, resource)
            keep.append(target)
            report.adopted.append(target)
            tag = OwnershipTag(target.key, state.lineage, env)
            if target.live.tag == tag:
                continue
            metadata = with_tag(without_tag(target.live.raw.get("metadata")), tag)
            try:
                api.update(target.live.id, {"metadata": metadata})
            except ApiError as exc:
                exc.message += (
                    f" ('{target.key}' is recorded with its spec: the next apply sets its "
                    "ownership tag)"
                )
                exc.args = (exc.message,)
                raise
            report.tagged += 1
    finally:
        if keep:
            state_file.save(state, bump=False)


def reasoning_effort_note(targets: Sequence[Target]) -> str:
    """The API never returns reasoning_effort, so no written spec can carry one."""
    where = display(targets[0].spec_path) if len(targets) == 1 else "its spec"
    return (
        "note: the API does not return reasoning_effort, so no spec written here sets one: "
        f"if an assistant uses one, add it to {where} (the next plan then shows it as a change)"
    )
