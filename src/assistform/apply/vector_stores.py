"""The API calls of a vector store's apply, each safe to repeat after a lost answer.

- A create carries the ownership tag in its metadata (the plan's request has it): after an
  ambiguous failure the stores are listed and one with our tag adopted before any retry,
  as `apply.creates.safe_create` does for assistants.
- A file batch attaches up to 2,000 files, each with our ownership attributes
  (`assistform`: `<store key>@<lineage>@<env>`, `assistform-sha256`: the start of its
  content's digest) beside the spec's. After an ambiguous failure the store's files are
  listed, and only those not attached yet are sent again.
- Updates, detaches and deletes change nothing more when repeated: the client retries
  them; a detach or a delete of what is already gone is done.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from assistform.api.retry import Budget
from assistform.apply.knowledge_context import KnowledgeContext, gone_is_done
from assistform.errors import ApiError
from assistform.knowledge import tags
from assistform.knowledge.live import LiveVectorStore
from assistform.ownership import OwnershipTag
from assistform.plan.tagged import by_age

#: The API's limit of files in one file batch.
BATCH_MAX = 2000


def file_attributes(
    attributes: Mapping[str, Any], store_key: str, sha256: str | None, ctx: KnowledgeContext
) -> dict[str, Any]:
    """A file's attributes as sent: the spec's, and assistform's ownership pair (`knowledge.
    tags`; the plan's attachments carry them already, so this only makes sure)."""
    tag = OwnershipTag(store_key, ctx.lineage, ctx.env)
    return tags.file_attributes(tags.user_attributes(attributes), tag, sha256)


def create_store(
    body: Mapping[str, Any], key: str, ctx: KnowledgeContext, *, exclude: frozenset[str]
) -> tuple[LiveVectorStore, bool]:
    """The store created from `body`, or the one a try with a lost answer made (True).

    `exclude` names the stores that carried the tag before (the one a replace replaces).
    """
    tag = OwnershipTag(key, ctx.lineage, ctx.env)
    budget = Budget(ctx.policy, ctx.clock)
    while True:
        budget.attempt()
        try:
            return ctx.api.create_vector_store(body), False
        except ApiError as error:
            if error.ambiguous:
                found = _find_store(tag, ctx, exclude, error)
                if found is not None:
                    return found, True
            budget.wait_or_raise(error)


def _find_store(
    tag: OwnershipTag, ctx: KnowledgeContext, exclude: frozenset[str], failure: ApiError
) -> LiveVectorStore | None:
    try:
        live = ctx.api.list_knowledge(lambda store: False)
    except ApiError as error:
        raise _unknown(failure, error.message) from None
    tagged = [s for s in live.vector_stores if s.tag == tag and s.id not in exclude]
    if not tagged:
        if not live.complete:
            raise _unknown(failure, "the list of vector stores may be incomplete")
        return None
    # Several tries that all landed: the oldest is kept, as a plan keeps it; the next plan
    # deletes the others (tagged for our key, recorded nowhere: duplicates).
    return min(tagged, key=by_age)


def batches(files: Sequence[Mapping[str, Any]]) -> Iterator[list[Mapping[str, Any]]]:
    """`files` in batches of at most `BATCH_MAX`, the API's limit."""
    for start in range(0, len(files), BATCH_MAX):
        yield list(files[start : start + BATCH_MAX])


def attach_batch(
    store_id: str,
    files: list[Mapping[str, Any]],
    chunking_strategy: Mapping[str, Any] | None,
    ctx: KnowledgeContext,
) -> None:
    """Attach one batch (`{file_id, attributes}` each) once the server holds it. A failure
    that may have left some of it attached is raised as `ambiguous`."""
    budget = Budget(ctx.policy, ctx.clock)
    pending = files
    maybe_landed = False
    while True:
        budget.attempt()
        try:
            ctx.api.attach_batch(store_id, pending, chunking_strategy)
            return
        except ApiError as error:
            if error.ambiguous:
                maybe_landed = True
                try:
                    present = {f.id for f in ctx.api.list_vector_store_files(store_id)}
                except ApiError as listing:
                    raise _unknown(failure=error, why=listing.message) from None
                pending = [f for f in pending if f["file_id"] not in present]
                if not pending:
                    return
            try:
                budget.wait_or_raise(error)
            except ApiError as final:
                if maybe_landed and not final.ambiguous:
                    raise _unknown(final, "an earlier try may have landed") from None
                raise


def detach(store_id: str, file_id: str, ctx: KnowledgeContext) -> None:
    gone_is_done(lambda: ctx.api.detach(store_id, file_id))


def delete_store(store_id: str, ctx: KnowledgeContext) -> None:
    gone_is_done(lambda: ctx.api.delete_vector_store(store_id))


def _unknown(failure: ApiError, why: str) -> ApiError:
    return ApiError(
        f"{failure.message}; could not check whether it was done anyway: {why}",
        status=failure.status,
        code=failure.code,
        url=failure.url,
        ambiguous=True,
    )
