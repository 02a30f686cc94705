"""The plan of files and vector stores: pure, no I/O, no clock (issue 13).

From the repository's knowledge (hashed: `knowledge.hashing`), the state and the live files
and stores (None with --no-refresh) to the file and vector store changes, and the ids the
assistants' requests name (`ids`): a file's or store's live id where it stays, else a
reference that apply resolves once the upload or the create is done. The assistant
planner needs no change: an assistant whose store is made again sees a reference instead
of the live id, and gets an update.

Apply's order makes "nothing is deleted while an assistant still refers to it" hold:
uploads, stores and their attaches, assistants, then detaches and deletes. Here, a store or
file is deleted only when no spec uses it: by key (the specs' `vector_store`, `files`) or
by id (`in_use`: the ids assistants' specs name literally).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from assistform.errors import PlanError
from assistform.knowledge import endpoints
from assistform.knowledge.desired import DesiredKnowledge
from assistform.knowledge.live import LiveKnowledge
from assistform.knowledge.refs import Kind
from assistform.knowledge.tags import SHA256_KEY, attached_by
from assistform.ownership import OwnershipTag
from assistform.plan.files import plan_files, recorded_file_ids
from assistform.plan.incomplete import counted, risky_verb
from assistform.plan.model import (
    Action,
    FileChange,
    KnowledgeRef,
    VectorStoreChange,
)
from assistform.plan.vector_stores import StoreInputs, plan_vector_stores
from assistform.state import State


@dataclass(frozen=True)
class KnowledgeOptions:
    #: The state's lineage, part of every ownership tag.
    lineage: str
    env: str | None = None
    #: How the plan names the server (in the refusal of a missing endpoint).
    server: str | None = None
    #: Ids the assistants' specs name literally (`vector_store_ids`, `file_ids`).
    in_use: frozenset[str] = frozenset()
    #: Bytes the hashing edge read (`knowledge.hashing`), reported in the plan.
    bytes_hashed: int = 0


@dataclass
class KnowledgePlan:
    file_changes: list[FileChange] = field(default_factory=list)
    vector_store_changes: list[VectorStoreChange] = field(default_factory=list)
    #: None when neither the repository nor the state has knowledge: the plan reads as
    #: it did before knowledge existed.
    ref: KnowledgeRef | None = None
    ids: dict[tuple[Kind, str], str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def uses_knowledge(desired: DesiredKnowledge, state: State) -> bool:
    """Whether a plan must look at files and vector stores at all (else: no request)."""
    return not desired.empty or state.has_knowledge


def plan_knowledge(
    desired: DesiredKnowledge,
    state: State,
    live: LiveKnowledge | None,
    options: KnowledgeOptions,
) -> KnowledgePlan:
    """The file and vector store changes that make `live` hold what `desired` asks for."""
    if not uses_knowledge(desired, state):
        return KnowledgePlan()
    result = KnowledgePlan(warnings=list(live.warnings) if live is not None else [])
    missing = _needed(desired, state) & set(live.missing_endpoints) if live is not None else set()
    if live is not None and missing:
        if not desired.empty:
            needed = [e for e in live.missing_endpoints if e in missing]
            raise PlanError(_missing_endpoints(desired, needed, options.server))
        # Nothing declared, nothing to reach: what the state records waits for a server
        # that has the endpoints.
        result.warnings.append(
            f"{options.server or 'the server'} does not have "
            f"{' or '.join(sorted(missing))}: the files and vector stores the state "
            "records are left as they are"
        )
        result.ref = _ref(live, options, 0, 0)
        return result
    lineage = _recovered_lineage(desired, state, live, options, result.warnings)
    recorded = recorded_file_ids(state)
    attached = _attached_unrecorded(live, recorded, lineage, options.env)
    files = plan_files(
        desired, state, live, recorded=recorded, in_use=options.in_use, attached=attached
    )
    inputs = StoreInputs(
        state=state,
        live=live,
        lineage=lineage,
        env=options.env,
        files=desired.files,
        file_ids=files.ids,
        # Why each path is uploaded anew: only its create or replace says (a forgotten or
        # deleted file of the same path, retired or orphaned, says why it goes instead).
        file_reasons={
            c.path: c.reasons for c in files.changes if c.action in (Action.CREATE, Action.REPLACE)
        },
        in_use=options.in_use,
    )
    stores = plan_vector_stores(desired, inputs)
    result.file_changes = files.changes
    result.vector_store_changes = stores.changes
    result.warnings += files.warnings + stores.warnings
    result.ids = {("file", path): file_id for path, file_id in files.ids.items()}
    result.ids.update({("vector_store", key): store_id for key, store_id in stores.ids.items()})
    result.ref = _ref(live, options, files.unmanaged, stores.unmanaged)
    refuse_on_incomplete_knowledge(result, live)
    return result


def _attached_unrecorded(
    live: LiveKnowledge | None, recorded: set[str], lineage: str, env: str | None
) -> dict[str, str]:
    """Digest prefix -> id of each live file a store of ours holds with our attributes and
    the state does not record (`recorded`: a lost state): ours, by those attributes."""
    if live is None:
        return {}
    found: dict[str, str] = {}
    for store in sorted(live.vector_stores, key=lambda s: s.id):
        tag = store.tag
        if tag is None or not tag.of_env(env) or tag.lineage != lineage:
            continue
        store_tag = OwnershipTag(tag.key, lineage, env)
        for file in sorted(store.files, key=lambda f: f.id):
            digest = file.attributes.get(SHA256_KEY)
            if (
                attached_by(file.attributes, store_tag)
                and isinstance(digest, str)
                and file.id not in recorded
                and file.status != "failed"
            ):
                found.setdefault(digest, file.id)
    return found


def _recovered_lineage(
    desired: DesiredKnowledge,
    state: State,
    live: LiveKnowledge | None,
    options: KnowledgeOptions,
    warnings: list[str],
) -> str:
    """An empty state facing vector stores its environment tagged, all of one lineage, for
    these very keys: the state was lost. Their lineage is taken, so they are adopted rather
    than made again beside them (as the assistant planner does for assistants). Tags of
    several lineages say nothing sure: they are left alone, as another lineage's."""
    fresh = state.serial == 0 and not state.resources and not state.has_knowledge
    if not fresh or live is None:
        return options.lineage
    lineages = {
        s.tag.lineage
        for s in live.vector_stores
        if s.tag is not None and s.tag.of_env(options.env) and s.tag.key in desired.vector_stores
    }
    if len(lineages) != 1 or options.lineage in lineages:
        return options.lineage
    [lineage] = lineages
    warnings.append(
        f"the state is empty but live vector stores carry tags of lineage {lineage} for these "
        "specs: adopting them (was the state file lost?)"
    )
    return lineage


def _ref(
    live: LiveKnowledge | None, options: KnowledgeOptions, files: int, stores: int
) -> KnowledgeRef:
    if live is None:
        return KnowledgeRef(bytes_hashed=options.bytes_hashed)
    return KnowledgeRef(
        files=len(live.files),
        vector_stores=len(live.vector_stores),
        unmanaged_files=files,
        unmanaged_vector_stores=stores,
        requests=live.requests,
        bytes_hashed=options.bytes_hashed,
    )


def _needed(desired: DesiredKnowledge, state: State) -> set[str]:
    """The endpoints a plan of `desired` (and of what `state` records) cannot do without:
    code_interpreter files alone need only `/v1/files`, which many servers have without
    vector stores."""
    needed = set()
    if desired.files or state.files or state.uploads or state.retired_files:
        needed.add(endpoints.FILES)
    if desired.vector_stores or state.vector_stores:
        needed |= set(endpoints.ALL)
    return needed


def _missing_endpoints(desired: DesiredKnowledge, missing: list[str], server: str | None) -> str:
    """One line: the first spec that needs a missing endpoint, and the endpoint."""
    where = server or "the server"
    stores = sorted(desired.vector_stores.values(), key=lambda s: s.key)
    for endpoint in missing:
        if endpoint.startswith(endpoints.VECTOR_STORES) and stores:
            who = stores[0].source or f"vector store {stores[0].key}"
            return f"{who} needs {endpoint}, which {where} does not have"
    endpoint = missing[0]
    users = [k for k, paths in sorted(desired.code_interpreter.items()) if paths]
    if users:
        return (
            f"assistant {users[0]} needs {endpoint} (for its code_interpreter files), which "
            f"{where} does not have"
        )
    who = stores[0].source or f"vector store {stores[0].key}" if stores else "the repository"
    return f"{who} needs {endpoint}, which {where} does not have"


def refuse_on_incomplete_knowledge(plan: KnowledgePlan, live: LiveKnowledge | None) -> None:
    """Like `plan.incomplete` for assistants: a listing that may have stopped short proves
    no file or store absent, so nothing is uploaded, created, replaced, deleted or forgotten
    on the strength of it."""
    if live is None or live.complete:
        return
    risky: dict[str, list[str]] = {}
    for file in plan.file_changes:
        verb = risky_verb(file.action, forget=file.action is Action.NOOP and not file.adopt)
        if verb is not None:
            risky.setdefault(f"{verb} file", []).append(file.path)
    for store in plan.vector_store_changes:
        verb = risky_verb(store.action, forget=store.forget)
        if verb is not None:
            risky.setdefault(f"{verb} vector store", []).append(store.key)
    if not risky:
        return
    planned = "; ".join(f"{verb} {counted(names)}" for verb, names in risky.items())
    raise PlanError(
        f"the list of files or vector stores may be incomplete: assistform saw "
        f"{len(live.files)} file(s) and {len(live.vector_stores)} vector store(s) and cannot "
        f"see whether any other exists, so it will not plan to {planned} on the strength of "
        "it (that could copy or lose one it cannot see); `assistform doctor` shows what the "
        "server's lists do"
    )
