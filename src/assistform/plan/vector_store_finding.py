"""Finding a vector store's live counterpart, like an assistant's: by the id the state
records, else by its ownership tag (`key@lineage@env` in metadata), oldest first; other
stores of ours carrying the tag are duplicates. A store another environment owns, or
another lineage tags, is never touched."""

from __future__ import annotations

from collections import defaultdict

from assistform.knowledge.live import LiveVectorStore
from assistform.ownership import OwnershipTag, env_label
from assistform.plan.tagged import by_age, duplicates_warning, keep_first
from assistform.plan.vector_store_inputs import StoreInputs
from assistform.state import VectorStoreRecord


class StoreFinder:
    def __init__(self, inputs: StoreInputs, warnings: list[str]) -> None:
        self.inputs = inputs
        self.warnings = warnings
        #: Live stores this plan acts on or keeps: the rest are counted as unmanaged.
        self.ours: set[str] = set()
        self.by_id: dict[str, LiveVectorStore] = {}
        self.by_key: dict[str, list[LiveVectorStore]] = defaultdict(list)
        live = inputs.live
        if live is not None:
            self.by_id = live.vector_store_by_id()
            for store in sorted(live.vector_stores, key=by_age):
                if store.tag is not None and store.tag.of_env(inputs.env):
                    self.by_key[store.tag.key].append(store)

    def keys(self) -> set[str]:
        """The keys of live stores of this environment and this lineage."""
        return {k for k, stores in self.by_key.items() if any(map(self._mine, stores))}

    def _mine(self, store: LiveVectorStore) -> bool:
        return store.tag is not None and store.tag.lineage == self.inputs.lineage

    def find(
        self, key: str, recorded: VectorStoreRecord | None
    ) -> tuple[LiveVectorStore | None, list[LiveVectorStore], OwnershipTag | None]:
        """The live store of `key`, the duplicates to delete, and the environment that owns
        the recorded store if another one does."""
        if self.inputs.live is None:
            return None, [], None
        env = self.inputs.env
        owner = None
        current = self.by_id.get(recorded.id) if recorded is not None else None
        if current is not None and current.tag is not None and current.tag.of_other_env(env):
            owner, current = current.tag, None
            self.warnings.append(
                f"the state records vector store {recorded.id if recorded else '?'} for "
                f"'{key}', but its ownership tag says {env_label(owner.env)} manages it: "
                "not touched; this state forgets it"
            )
        tagged = self.by_key.get(key, [])
        candidates = [s for s in tagged if self._mine(s)]
        current, extras = keep_first(current, candidates)
        foreign = [
            s for s in tagged if not self._mine(s) and (current is None or s.id != current.id)
        ]
        if foreign:
            ids = ", ".join(s.id for s in foreign)
            self.warnings.append(
                f"vector store(s) {ids} carry the key '{key}' of another lineage (another "
                "repository using this environment's name?): not touched"
            )
        if extras:
            self.warnings.append(duplicates_warning(key, "vector stores", current, extras))
        if current is not None:
            self.ours.add(current.id)
        return current, extras, owner
