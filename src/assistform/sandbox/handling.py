"""What every resource handler of the sandbox shares: the request being served, the
refusal that becomes an error answer, JSON bodies and paged lists.

`service.AssistantsService` dispatches each request to a handler (`files.py`,
`vector_stores.py`, ...) with an `Exchange`; a handler returns a JSON payload or `Raw`
bytes, or raises `Refusal`, which the service turns into the profile's error answer.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from assistform import limits
from assistform.sandbox import defaults
from assistform.sandbox.faults import Body, Faults
from assistform.sandbox.pagination import ItemT, Position, paginate
from assistform.sandbox.profiles import Failure, Problem, Profile
from assistform.sandbox.validation import Invalid, ListQuery, validate_list_query


class Refusal(Exception):
    """Raised by a handler: answer with this failure (its status and shape are the
    profile's)."""

    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.message)
        self.failure = failure


def refuse_invalid(invalid: Invalid, *, location: str = "body", input: Any = None) -> Refusal:
    return Refusal(Failure.invalid(invalid, location=location, input=input))


def refuse_not_found(message: str, param: str | None = None) -> Refusal:
    return Refusal(Failure(Problem.NOT_FOUND, message, (param,) if param else ()))


@dataclass
class Exchange:
    """One request being served, as the handlers need it."""

    method: str
    path: str
    route: str
    params: Mapping[str, str]
    query: Mapping[str, str]
    headers: Mapping[str, str]
    body: Body
    extra_headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Raw:
    """An answer that is not JSON (a file's content)."""

    body: bytes
    content_type: str = "application/octet-stream"


Answer = Mapping[str, Any] | Raw


class Server(Protocol):
    """What handlers read of the service: mutable, so tests may swap faults mid-run."""

    profile: Profile
    faults: Faults
    clock: Callable[[], float]


def parse_json(raw: Body) -> Any:
    """The decoded body, or a refusal as the service words it."""
    try:
        return json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except ValueError:
        raise Refusal(
            Failure(
                Problem.INVALID, defaults.INVALID_JSON_MESSAGE, input=raw.decode("utf-8", "replace")
            )
        ) from None


def checked_body(raw: Body, validate: Callable[[object], Invalid | None]) -> Mapping[str, Any]:
    """The decoded JSON body, once `validate` finds nothing wrong with it."""
    body = parse_json(raw)
    invalid = validate(body)
    if invalid is not None:
        raise refuse_invalid(invalid, input=body)
    assert isinstance(body, dict)
    return body


def _reject_constant(name: str) -> Any:
    # NaN and Infinity are not JSON, though Python's parser takes them by default.
    raise ValueError(f"{name} is not valid JSON")


def checked_query(
    query: Mapping[str, str],
    *,
    default: int = limits.LIST_LIMIT_DEFAULT,
    maximum: int = limits.LIST_LIMIT_MAX,
) -> ListQuery:
    """The list query; `limit` within the bounds the API's lists share (assistants, vector
    stores, a store's files), unless a list has its own (the files list)."""
    parsed = validate_list_query(query, default=default, maximum=maximum)
    if isinstance(parsed, Invalid):
        raise refuse_invalid(parsed, location="query", input=query.get(str(parsed.path[0])))
    return parsed


def list_answer(
    server: Server,
    oldest_first: Sequence[ItemT],
    query: ListQuery,
    *,
    position_of: Callable[[str], Position | None],
    render: Callable[[ItemT], dict[str, Any]],
    noun: str,
) -> Mapping[str, Any]:
    """One page of a list, as the profile shapes lists; `noun` names the items in the
    refusal of a cursor never seen ("Invalid 'after': no file found with id ...")."""
    profile = server.profile
    cursors = not profile.ignores_list_cursors

    def cursor(name: str) -> Position | None:
        item_id: str | None = getattr(query, name)
        if item_id is None or not cursors:
            return None
        position = position_of(item_id)
        if position is None:
            raise Refusal(
                Failure(
                    Problem.INVALID,
                    f"Invalid '{name}': no {noun} found with id '{item_id}'.",
                    (name,),
                    "invalid_value",
                    location="query",
                    input=item_id,
                )
            )
        return position

    page = paginate(
        oldest_first,
        limit=query.limit,
        descending=query.descending,
        after=cursor("after"),
        before=cursor("before"),
        repeat_cursor_within_second=profile.repeats_cursor_within_second,
    )
    return profile.list_body([render(item) for item in page.items], page.has_more)
