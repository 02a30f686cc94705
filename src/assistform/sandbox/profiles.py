"""Profiles: which server the sandbox pretends to be.

`faithful` behaves like OpenAI's hosted service (see `defaults.py` for its choices).
`lenient` mimics the third-party, self-hosted re-implementations a user may point
assistform at; every way it differs from `faithful` is a method or attribute of
`LenientProfile`, so the rest of the sandbox never asks which profile it runs:

- ids are 24 hex characters, without `asst_`; `created_at` is a float;
- fields not sent come back null instead of filled (`tools`, `metadata`, `tool_resources`,
  `temperature`, `top_p`, `response_format`; no function/file-search defaults either);
- unknown top-level fields, `reasoning_effort` among them, are silently dropped;
- every assistant object carries extra fields (`updated_at`, `file_ids: []`,
  `extra_body: null`) and every response an extra header (`x-lenient-server: 1`);
- errors are FastAPI-shaped, not OpenAI-shaped: validation errors are 422
  `{"detail": [{"loc", "msg", "type", "input"}]}` with the whole request body as `input`,
  every other error `{"detail": "<text>"}`; an unknown id is 403, not 404;
- its own limit: instructions of at most 32,768 characters (422);
- no `OpenAI-Beta` header needed;
- unreliable pagination: with `after=X`, when the item following X was created in the
  same second as X, X itself is served again as the first item of the page (the server
  resolves the cursor by created_at second). Only repeats, never skips, so a client that
  de-duplicates by id still sees every item exactly once. Pages of `limit=1` do not
  repeat, or a pager could never move on.

Two more profiles are `faithful` in every way but their list, as self-hosted servers are
(each a subclass just below the others, so the rest of the sandbox never asks):

- `thin-list` (`ThinListProfile`): the list body is only `{"data": [...]}`: no `object`,
  `has_more`, `first_id` or `last_id`. `after` and `before` work, so a client learns the
  end of the list only from a page shorter than its limit (or an empty one).
- `stuck-cursor` (`StuckCursorProfile`): the same thin body, and `after` and `before` are
  ignored: every page is the first page. A client cannot see past the first `limit`
  assistants, and must neither page forever nor take what it saw for everything.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any, ClassVar, Final

from assistform import limits
from assistform.sandbox import defaults
from assistform.sandbox.store import StoredAssistant
from assistform.sandbox.validation import (
    Invalid,
    Path,
    render_param,
    validate_create,
    validate_modify,
)

LENIENT_INSTRUCTIONS_MAX: Final = 32_768


class Problem(Enum):
    INVALID = "invalid"
    NOT_FOUND = "not_found"
    UNAUTHORIZED = "unauthorized"
    NO_ROUTE = "no_route"
    RATE_LIMITED = "rate_limited"
    SERVER_ERROR = "server_error"


@dataclass(frozen=True)
class Failure:
    """An error answer before the profile decides its status and shape.

    `location` is where `path` points ("body" or "query"); `input` is what was refused
    (lenient servers echo it).
    """

    problem: Problem
    message: str
    path: Path = ()
    code: str | None = None
    location: str = "body"
    input: Any = None

    @classmethod
    def invalid(cls, invalid: Invalid, *, location: str = "body", input: Any = None) -> Failure:
        return cls(Problem.INVALID, invalid.message, invalid.path, invalid.code, location, input)


class Profile:
    """The faithful profile; subclasses override what their server does differently."""

    name: ClassVar[str] = "faithful"
    requires_beta_header: ClassVar[bool] = True
    #: Whether `after=X` serves X again when its successor shares X's second.
    repeats_cursor_within_second: ClassVar[bool] = False
    #: Whether the list's `after` and `before` are ignored (every page is the first).
    ignores_list_cursors: ClassVar[bool] = False
    extra_headers: ClassVar[Mapping[str, str]] = {}

    _STATUS: ClassVar[Mapping[Problem, int]] = {
        Problem.INVALID: 400,
        Problem.NOT_FOUND: 404,
        Problem.UNAUTHORIZED: 401,
        Problem.NO_ROUTE: 404,
        Problem.RATE_LIMITED: 429,
        Problem.SERVER_ERROR: 500,
    }

    def new_id(self) -> str:
        return defaults.random_id(defaults.ASSISTANT_ID_PREFIX)

    def timestamp(self, now: float) -> float:
        return int(now)

    def check(self, body: Any, *, create: bool) -> tuple[Any, Invalid | None]:
        """The body to act on, and its first problem (None when valid)."""
        return body, validate_create(body) if create else validate_modify(body)

    def new_fields(self, body: Mapping[str, Any]) -> dict[str, Any]:
        return defaults.new_fields(body)

    def modified_fields(
        self, current: Mapping[str, Any], body: Mapping[str, Any]
    ) -> dict[str, Any]:
        return defaults.modified_fields(current, body)

    def render(self, record: StoredAssistant) -> dict[str, Any]:
        fields = record.fields
        header = {"id": record.id, "object": "assistant", "created_at": record.created_at}
        return {
            name: header[name] if name in header else fields.get(name)
            for name in defaults.OBJECT_FIELDS
        }

    def list_body(self, data: list[dict[str, Any]], has_more: bool) -> dict[str, Any]:
        return {
            "object": "list",
            "data": data,
            "first_id": data[0]["id"] if data else None,
            "last_id": data[-1]["id"] if data else None,
            "has_more": has_more,
        }

    def status_of(self, problem: Problem) -> int:
        return self._STATUS[problem]

    def error_body(self, failure: Failure) -> dict[str, Any]:
        kind = {
            Problem.RATE_LIMITED: "requests",
            Problem.SERVER_ERROR: "server_error",
        }.get(failure.problem, "invalid_request_error")
        return {
            "error": {
                "message": failure.message,
                "type": kind,
                "param": render_param(failure.path),
                "code": failure.code,
            }
        }


class LenientProfile(Profile):
    name: ClassVar[str] = "lenient"
    requires_beta_header: ClassVar[bool] = False
    repeats_cursor_within_second: ClassVar[bool] = True
    extra_headers: ClassVar[Mapping[str, str]] = {"x-lenient-server": "1"}

    _STATUS: ClassVar[Mapping[Problem, int]] = {
        **Profile._STATUS,
        Problem.INVALID: 422,
        Problem.NOT_FOUND: 403,
    }
    _KNOWN_FIELDS: ClassVar[tuple[str, ...]] = tuple(
        f for f in limits.CREATE_FIELDS if f != "reasoning_effort"
    )
    _DETAIL: ClassVar[Mapping[Problem, str]] = {
        Problem.UNAUTHORIZED: "Not authenticated",
        Problem.NO_ROUTE: "Not Found",
        Problem.SERVER_ERROR: "Internal Server Error",
    }

    def new_id(self) -> str:
        return secrets.token_hex(12)

    def timestamp(self, now: float) -> float:
        return float(now)

    def check(self, body: Any, *, create: bool) -> tuple[Any, Invalid | None]:
        if isinstance(body, dict):
            body = {k: v for k, v in body.items() if k in self._KNOWN_FIELDS}
        body, invalid = super().check(body, create=create)
        if invalid is None:
            instructions = body.get("instructions")
            if isinstance(instructions, str) and len(instructions) > LENIENT_INSTRUCTIONS_MAX:
                invalid = Invalid(
                    f"String should have at most {LENIENT_INSTRUCTIONS_MAX} characters",
                    ("instructions",),
                    "string_too_long",
                )
        return body, invalid

    def new_fields(self, body: Mapping[str, Any]) -> dict[str, Any]:
        fields = dict(body)
        if isinstance(fields.get("tool_resources"), Mapping):
            fields["tool_resources"] = defaults.resolve_vector_stores(
                fields["tool_resources"], defaults.mint_vector_store_id
            )
        return fields

    def modified_fields(
        self, current: Mapping[str, Any], body: Mapping[str, Any]
    ) -> dict[str, Any]:
        fields = dict(current)
        for name, value in body.items():
            if name == "tool_resources" and value is not None:
                fields[name] = defaults.resolve_vector_stores(
                    {**(current.get(name) or {}), **value}, defaults.mint_vector_store_id
                )
            else:
                fields[name] = value
        return fields

    def render(self, record: StoredAssistant) -> dict[str, Any]:
        rendered = super().render(record)
        rendered["updated_at"] = record.updated_at
        rendered["file_ids"] = []
        rendered["extra_body"] = None
        return rendered

    def error_body(self, failure: Failure) -> dict[str, Any]:
        if failure.problem is Problem.INVALID:
            return {
                "detail": [
                    {
                        "loc": [failure.location, *failure.path],
                        "msg": failure.message,
                        "type": failure.code or "value_error",
                        "input": failure.input,
                    }
                ]
            }
        return {"detail": self._DETAIL.get(failure.problem, failure.message)}


class ThinListProfile(Profile):
    """A list body of `{"data": [...]}` alone; cursors work (see the module docstring)."""

    name: ClassVar[str] = "thin-list"

    def list_body(self, data: list[dict[str, Any]], has_more: bool) -> dict[str, Any]:
        return {"data": data}


class StuckCursorProfile(ThinListProfile):
    """A thin list body whose `after`/`before` are ignored (see the module docstring)."""

    name: ClassVar[str] = "stuck-cursor"
    ignores_list_cursors: ClassVar[bool] = True


PROFILES: Final[Mapping[str, type[Profile]]] = {
    Profile.name: Profile,
    LenientProfile.name: LenientProfile,
    ThinListProfile.name: ThinListProfile,
    StuckCursorProfile.name: StuckCursorProfile,
}


def get_profile(profile: str | Profile) -> Profile:
    if isinstance(profile, Profile):
        return profile
    try:
        return PROFILES[profile]()
    except KeyError:
        raise ValueError(
            f"unknown sandbox profile {profile!r} (choose from {', '.join(PROFILES)})"
        ) from None
