"""Creating an assistant without ever making a second one.

The API takes no idempotency key, so a create whose answer was lost (a timeout, a dropped
connection, a 5xx) may or may not have happened. Every create body carries the ownership
tag (`key@lineage@env`), so before trying again we look the tag up in a fresh listing and
adopt what we find. Should we find several (a create that landed after we looked), the
oldest is kept and the rest deleted. A listing that may be incomplete proves no absence:
the change then fails rather than risk a copy.

The client sends a create once and retries every other request itself, so the loop here is
the only retry of a create, and the listings and deletes it makes are retried only by the
client (never under a second, stacked budget).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from assistform.api.client import AssistantsApi
from assistform.api.retry import Budget
from assistform.errors import ApiError
from assistform.ownership import OwnershipTag
from assistform.plan.live import LiveAssistant


@dataclass(frozen=True)
class Created:
    assistant: LiveAssistant
    #: Found by its tag after an ambiguous failure, rather than answered by the create.
    recovered: bool = False
    #: Extra copies found by the tag and deleted.
    removed: tuple[str, ...] = ()
    #: Extra copies found by the tag that could not be deleted (the next plan deletes them).
    left: tuple[str, ...] = field(default=())


def safe_create(
    api: AssistantsApi,
    body: dict[str, Any],
    tag: OwnershipTag,
    budget: Budget,
    *,
    exclude: frozenset[str] = frozenset(),
) -> Created:
    """Create from `body` (which carries `tag`), or adopt the copy an earlier try made.

    `exclude` names live assistants that carried the tag before we started (the one a
    replace is replacing): they are never mistaken for our create.
    """
    while True:
        budget.attempt()
        try:
            return Created(api.create(body))
        except ApiError as error:
            if error.ambiguous:
                found = _look_up(api, tag, exclude, error)
                if found is not None:
                    return found
            budget.wait_or_raise(error)


def delete_if_present(api: AssistantsApi, assistant_id: str) -> None:
    """Delete `assistant_id`; one that is already gone (404) counts as deleted.

    The client retries the delete itself, so a retry after a lost answer meets the 404.
    Some servers answer 403 for an id they do not know. A GET that still finds the
    assistant makes the 403 a real refusal at the price of one request; only when the GET
    is refused too does a listing (N/100 requests) decide whether it is gone, and an
    incomplete listing decides nothing: the 403 stands.
    """
    try:
        api.delete(assistant_id)
    except ApiError as error:
        if error.status == HTTPStatus.NOT_FOUND:
            return
        if error.status == HTTPStatus.FORBIDDEN and _gone(api, assistant_id, error):
            return
        raise


def _gone(api: AssistantsApi, assistant_id: str, refusal: ApiError) -> bool:
    """Whether the assistant a 403 was answered for no longer exists."""
    try:
        api.get(assistant_id)
    except ApiError as error:
        if error.status == HTTPStatus.NOT_FOUND:
            return True
        if error.status != HTTPStatus.FORBIDDEN:
            raise
    else:
        return False
    live = api.list_all()
    if assistant_id in live.by_id():
        return False
    if not live.complete:
        raise ApiError(
            f"{refusal.message}; whether it still exists is unknown: the list of assistants "
            f"may be incomplete ({live.gap})",
            status=refusal.status,
            code=refusal.code,
            url=refusal.url,
        )
    return True


def _look_up(
    api: AssistantsApi,
    tag: OwnershipTag,
    exclude: frozenset[str],
    failure: ApiError,
) -> Created | None:
    try:
        live = api.list_all()
    except ApiError as error:
        # Not knowing whether the create happened, trying it again could make a copy:
        # give up on this change; the next plan adopts the copy by its tag if it exists.
        raise _unknown(failure, error.message) from None
    listed = [a for a in live.assistants if a.tag == tag and a.id not in exclude]
    if not listed:
        if not live.complete:
            # Absent from a listing that may have stopped short proves nothing.
            raise _unknown(failure, f"the list of assistants may be incomplete ({live.gap})")
        return None
    order = {a.id: i for i, a in enumerate(live.assistants)}
    listed.sort(key=lambda a: (_created_at(a), order[a.id]))
    keep, *extra = listed
    removed: list[str] = []
    left: list[str] = []
    for duplicate in extra:
        try:
            delete_if_present(api, duplicate.id)
            removed.append(duplicate.id)
        except ApiError:
            left.append(duplicate.id)
    return Created(keep, recovered=True, removed=tuple(removed), left=tuple(left))


def _unknown(failure: ApiError, why: str) -> ApiError:
    return ApiError(
        f"{failure.message}; could not check whether it was created anyway: {why}",
        status=failure.status,
        code=failure.code,
        url=failure.url,
    )


def _created_at(assistant: LiveAssistant) -> float:
    value = assistant.raw.get("created_at")
    return float(value) if isinstance(value, int | float) else 0.0
