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

Servers that break the contract on modify, each like `faithful` but for one fault (see
their classes): `merges-metadata` merges `metadata` instead of replacing it, and
`ignores-falsy` silently ignores falsy values (`0`, `""`, `[]`, `{}`, `null`).

Two more profiles are `faithful` in every way but their list, as self-hosted servers are
(each a subclass just below the others, so the rest of the sandbox never asks):

- `thin-list` (`ThinListProfile`): the list body is only `{"data": [...]}`: no `object`,
  `has_more`, `first_id` or `last_id`. `after` and `before` work, so a client learns the
  end of the list only from a page shorter than its limit (or an empty one).
- `stuck-cursor` (`StuckCursorProfile`): the same thin body, and `after` and `before` are
  ignored: every page is the first page. A client cannot see past the first `limit`
  assistants, and must neither page forever nor take what it saw for everything.

`files-only` (`FilesOnlyProfile`) is `faithful` without vector stores: `/v1/files` works,
every `/v1/vector_stores` path answers 404 like an unknown URL.
"""

from __future__ import annotations

import copy
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
    #: Whether files of purpose `assistants` can be downloaded (OpenAI refuses it).
    downloads_assistants_files: ClassVar[bool] = False
    #: Whether /v1/vector_stores exists (else its routes are unknown URLs).
    has_vector_stores: ClassVar[bool] = True
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
    downloads_assistants_files: ClassVar[bool] = True
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


#: What `contrary` fills where OpenAI's service filled the value in `defaults.py`.
CONTRARY_DEFAULTS: Final[Mapping[str, Any]] = {
    "name": "Untitled assistant",
    "description": "No description.",
    "instructions": "You are a helpful assistant.",
    "reasoning_effort": "medium",
    "tools": [{"type": "code_interpreter"}],
    "tool_resources": {"code_interpreter": {"file_ids": ["file-contrary-default"]}},
    "metadata": {"origin": "contrary"},
    "temperature": 0.7,
    "top_p": 0.95,
    "response_format": {"type": "text"},
}
#: A nested option no SDK knows, which the server adds to every file_search tool.
CONTRARY_UNKNOWN_OPTION: Final = ("rerank_depth", 64)


class ContraryProfile(Profile):
    """A server of the contract whose every filled-in value differs from OpenAI's.

    Each top-level field sent as null or left out gets `CONTRARY_DEFAULTS` (and
    `reasoning_effort` is returned, with its default), function tools get `strict: true`,
    a description and empty parameters, file_search tools get `max_num_results: 10`,
    `ranking_options` `{"ranker": "default_2024_08_21", "score_threshold": 0.3}` and an
    option of its own (`CONTRARY_UNKNOWN_OPTION`), json_schema response formats get
    `strict: true` and a description. Everything else is `faithful`'s, modify included
    (null resets a field to what create fills). It proves that assistform learns what a
    server stores instead of assuming OpenAI's defaults.
    """

    name: ClassVar[str] = "contrary"

    def new_fields(self, body: Mapping[str, Any]) -> dict[str, Any]:
        return self.modified_fields({}, {f: body.get(f) for f in limits.CREATE_FIELDS})

    def modified_fields(
        self, current: Mapping[str, Any], body: Mapping[str, Any]
    ) -> dict[str, Any]:
        fields = dict(current)
        for name, value in body.items():
            if value is None:
                value = copy.deepcopy(CONTRARY_DEFAULTS.get(name))
            if name == "tools":
                value = [_contrary_tool(tool) for tool in value]
            if name == "response_format":
                value = _contrary_response_format(value)
            if name == "tool_resources":
                value = defaults.merge_tool_resources(
                    current.get(name), value, defaults.mint_vector_store_id
                )
            fields[name] = value
        return fields

    def render(self, record: StoredAssistant) -> dict[str, Any]:
        rendered = super().render(record)
        rendered["reasoning_effort"] = record.fields.get("reasoning_effort")
        return rendered


def _contrary_tool(tool: Mapping[str, Any]) -> dict[str, Any]:
    filled = copy.deepcopy(dict(tool))
    if filled["type"] == "function":
        function = filled["function"]
        function.setdefault("description", "A function.")
        # Strict, so a schema strict mode takes: a spec exported from here validates.
        function.setdefault(
            "parameters", {"type": "object", "properties": {}, "additionalProperties": False}
        )
        if function.get("strict") is None:
            function["strict"] = True
    elif filled["type"] == "file_search":
        options = filled.setdefault("file_search", {})
        options.setdefault("max_num_results", 10)
        ranking = options.setdefault("ranking_options", {})
        ranking.setdefault("ranker", "default_2024_08_21")
        ranking.setdefault("score_threshold", 0.3)
        unknown, value = CONTRARY_UNKNOWN_OPTION
        options[unknown] = value
    return filled


def _contrary_response_format(value: Any) -> Any:
    if isinstance(value, Mapping) and value.get("type") == "json_schema":
        filled = copy.deepcopy(dict(value))
        schema = filled["json_schema"]
        schema.setdefault("description", "Structured output.")
        if schema.get("strict") is None:
            schema["strict"] = True
        return filled
    return value


class MergesMetadataProfile(Profile):
    """A self-hosted server that merges `metadata` on modify instead of replacing it.

    Like `faithful` in everything else. On modify, the keys sent are written over the
    stored ones and every other stored key stays: a key can be added or changed, never
    removed, neither by leaving it out nor by sending `{}`. `metadata: null` merges nothing
    either (the stored metadata stays), as `{**stored, **(sent or {})}` does. Create stores
    metadata as sent.
    """

    name: ClassVar[str] = "merges-metadata"

    def modified_fields(
        self, current: Mapping[str, Any], body: Mapping[str, Any]
    ) -> dict[str, Any]:
        fields = super().modified_fields(current, body)
        if "metadata" in body:
            fields["metadata"] = {**(current.get("metadata") or {}), **(body["metadata"] or {})}
        return fields


class IgnoresFalsyProfile(Profile):
    """A self-hosted server that silently ignores falsy values on modify.

    Like `faithful` in everything else. On modify, a top-level field whose value is falsy
    is left as stored, and the answer is a 200 showing the old value: `temperature: 0`
    (or `top_p: 0`), `""` (description, instructions, name), `[]` (tools), `{}` (metadata,
    tool_resources). `null` is ignored as well: such servers test a value's truthiness
    (`if value:`), and `null` is as falsy as the issue's examples, so sending null to reset
    a field has no effect either. Falsy values nested in a truthy one (`strict: false` in a
    tool, `[]` in `tool_resources`) are stored. Create stores every value as sent.
    """

    name: ClassVar[str] = "ignores-falsy"

    def modified_fields(
        self, current: Mapping[str, Any], body: Mapping[str, Any]
    ) -> dict[str, Any]:
        return super().modified_fields(current, {k: v for k, v in body.items() if v})


class ThinListProfile(Profile):
    """A list body of `{"data": [...]}` alone; cursors work (see the module docstring)."""

    name: ClassVar[str] = "thin-list"

    def list_body(self, data: list[dict[str, Any]], has_more: bool) -> dict[str, Any]:
        return {"data": data}


class StuckCursorProfile(ThinListProfile):
    """A thin list body whose `after`/`before` are ignored (see the module docstring)."""

    name: ClassVar[str] = "stuck-cursor"
    ignores_list_cursors: ClassVar[bool] = True


class FilesOnlyProfile(Profile):
    """`faithful` with `/v1/files` but no `/v1/vector_stores`: every vector store path is
    an unknown URL (404), as on the many self-hosted servers that have files only."""

    name: ClassVar[str] = "files-only"
    has_vector_stores: ClassVar[bool] = False


PROFILES: Final[Mapping[str, type[Profile]]] = {
    Profile.name: Profile,
    LenientProfile.name: LenientProfile,
    ContraryProfile.name: ContraryProfile,
    MergesMetadataProfile.name: MergesMetadataProfile,
    IgnoresFalsyProfile.name: IgnoresFalsyProfile,
    ThinListProfile.name: ThinListProfile,
    StuckCursorProfile.name: StuckCursorProfile,
    FilesOnlyProfile.name: FilesOnlyProfile,
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
