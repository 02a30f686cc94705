"""The vector stores of `export`: which live stores, their keys, their spec files, the check
that each written spec reads back as its store, and, with --adopt, their ownership tags.

A store's files are written by id (`file_ids`): the API does not give back the content of
a file uploaded for assistants. A store is taken over by its ownership tag alone: the next
plan finds it by the tag and records it in the state (see `plan.vector_store_finding`). So a store
is tagged only once its spec is written to stay, never the other way round: a tagged store
without a spec is one a plan deletes.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from assistform import ownership
from assistform.errors import PlanError, Severity
from assistform.knowledge.api import KnowledgeApi
from assistform.knowledge.live import LiveVectorStore
from assistform.ownership import OwnershipTag, env_label, with_tag, without_tag
from assistform.spec.discover import VECTOR_STORE_DIR, display
from assistform.spec.read import parse_file
from assistform.spec.vector_stores import validate_vector_store
from assistform.spec.writer import VECTOR_STORE_SCHEMA_PATH, vector_store_data, vector_store_spec
from assistform.state import State


@dataclass(frozen=True)
class StoreTarget:
    """One live vector store and where its spec goes."""

    key: str
    live: LiveVectorStore
    spec_path: Path
    text: str

    @property
    def paths(self) -> list[Path]:
        return [self.spec_path]

    def contents(self) -> list[tuple[Path, str]]:
        return [(self.spec_path, self.text)]

    @property
    def file_ids(self) -> list[str]:
        return [f.id for f in self.live.files]


@dataclass
class LiveStores:
    stores: list[LiveVectorStore]
    warnings: list[str]


def live_stores(knowledge: KnowledgeApi, *, unmanaged: bool) -> LiveStores:
    """Every live vector store (or every one without an ownership tag), its files listed."""

    def chosen(store: LiveVectorStore) -> bool:
        return not unmanaged or store.tag is None

    live = knowledge.list_knowledge(chosen)
    warnings = [f"warning: {w}" for w in live.warnings]
    if any(e.endswith("/vector_stores") for e in live.missing_endpoints):
        warnings.append("note: the server has no vector stores (/v1/vector_stores): none exported")
    stores = [s for s in live.vector_stores if chosen(s)]
    for store in stores:
        if not store.files_listed:
            warnings.append(
                f"warning: the files of vector store {store.id} could not be listed: "
                "its spec lists none"
            )
    return LiveStores(stores, warnings)


def store_folder(directory: Path, spec_dir: Path, root: Path) -> Path:
    """`vector_stores/` beside `assistants/`, or inside a review folder (`export --dir`)."""
    if os.path.abspath(directory) == os.path.abspath(spec_dir):
        return root / VECTOR_STORE_DIR
    return directory / VECTOR_STORE_DIR


def store_target(key: str, live: LiveVectorStore, folder: Path, root: Path) -> StoreTarget:
    spec_path = folder / f"{key}.yaml"
    schema = Path(os.path.relpath(root / VECTOR_STORE_SCHEMA_PATH, spec_path.parent)).as_posix()
    text = vector_store_spec(live.raw, [f.id for f in live.files], schema=schema)
    return StoreTarget(key, live, spec_path, text)


def recorded_ids(state: State) -> dict[str, str]:
    """Vector store id -> the key the state records it under."""
    return {record.id: key for key, record in state.vector_stores.items()}


def verify_stores(targets: Sequence[StoreTarget], root: Path) -> list[str]:
    """Read each written spec back as `validate` does and check that it declares exactly
    its live store; its warnings. A spec that does not is an error: nothing is taken over."""
    warnings: list[str] = []
    for target in targets:
        document, problems = parse_file(target.spec_path)
        loaded, found = (
            validate_vector_store(document, target.spec_path, target.key, root)
            if document is not None
            else (None, [])
        )
        diagnostics = [*problems, *found]
        errors = [str(d) for d in diagnostics if d.severity is Severity.ERROR]
        if loaded is None or errors:
            raise PlanError(
                "the spec written from the live vector store does not validate, so nothing "
                "was taken over:\n" + "\n".join(errors)
            )
        warnings.extend(str(d) for d in diagnostics if d.severity is Severity.WARNING)
        written = {**loaded.spec.request_fields()}
        if loaded.spec.file_ids:
            written["file_ids"] = loaded.spec.file_ids
        if written != vector_store_data(target.live.raw, target.file_ids):
            raise PlanError(
                f"{display(target.spec_path)} does not reproduce {target.live.id} exactly, "
                "so nothing was taken over; please report this"
            )
    return warnings


def check_store_takeover(target: StoreTarget, state: State, env: str | None) -> None:
    """Refuse to take over a store another key, state or environment manages."""
    key, live = target.key, target.live
    recorded = state.vector_stores.get(key)
    if recorded is not None and recorded.id != live.id:
        raise PlanError(f"vector store key '{key}' already manages {recorded.id}")
    tag = live.tag
    if tag is not None and tag.of_other_env(env):
        raise PlanError(
            f"vector store {live.id} carries the ownership tag of {env_label(tag.env)}, which "
            "manages it: export --unmanaged leaves it out"
        )
    if tag is not None and (tag.lineage != state.lineage or tag.key != key):
        raise PlanError(
            f"vector store {live.id} carries the ownership tag of '{tag.key}' of another "
            "state or key: export --unmanaged leaves it out"
        )
    metadata = live.raw.get("metadata")
    pairs = len(without_tag(metadata))
    if pairs > ownership.USER_METADATA_MAX:
        raise PlanError(
            f"vector store {live.id} has {pairs} metadata pairs, the API's limit: the "
            "ownership tag needs one free; remove a pair first"
        )


def tag_store(knowledge: KnowledgeApi, target: StoreTarget, lineage: str, env: str | None) -> bool:
    """Set the store's ownership tag, so that the next plan takes it over; whether a
    request was sent (none for a store tagged already)."""
    tag = OwnershipTag(target.key, lineage, env)
    if target.live.tag == tag:
        return False
    metadata = target.live.raw.get("metadata")
    body: Mapping[str, object] = {"metadata": with_tag(without_tag(metadata), tag)}
    knowledge.update_vector_store(target.live.id, body)
    return True
