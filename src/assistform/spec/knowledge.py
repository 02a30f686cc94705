"""The knowledge the loaded specs ask for, as the planner's input (`DesiredKnowledge`)."""

from __future__ import annotations

from assistform.knowledge.desired import DesiredFile, DesiredKnowledge, DesiredVectorStore
from assistform.spec.discover import display
from assistform.spec.loaded import LoadResult


def knowledge_from(result: LoadResult) -> DesiredKnowledge:
    """Every file the specs use (each path once, sorted), every vector store spec (used or
    not: a declared store is managed), and what each assistant takes of them."""
    files: dict[str, DesiredFile] = {}
    stores: dict[str, DesiredVectorStore] = {}
    for store in result.vector_stores:
        files.update((f.path, f) for f in store.files)
        strategy = store.spec.chunking_strategy
        stores[store.key] = DesiredVectorStore(
            key=store.key,
            request=store.spec.request_fields(),
            chunking_strategy=None if strategy is None else strategy.model_dump(mode="json"),
            files=store.attachments,
            file_ids=tuple(dict.fromkeys(store.spec.file_ids)),
            source=display(store.path),
        )
    for spec in result.specs:
        files.update((f.path, f) for f in spec.code_interpreter_files)
    return DesiredKnowledge(
        files={path: files[path] for path in sorted(files)},
        vector_stores=stores,
        code_interpreter={
            s.key: s.code_interpreter_paths for s in result.specs if s.code_interpreter_files
        },
        vector_store_of={
            s.key: key for s in result.specs if (key := s.vector_store_key) is not None
        },
    )
