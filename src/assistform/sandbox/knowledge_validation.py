"""Validation of the /v1/files and /v1/vector_stores requests, as `validation.py` does
for assistants: the first problem found, as an `Invalid`, or None.

Limits are the spec's (CreateFileRequest, CreateVectorStoreRequest, ...), including those
written only in its descriptions (attributes: 16 keys of at most 64 characters, strings of
at most 512; a static chunk overlap of at most half the chunk size).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import Any, Final, NoReturn

from assistform.limits import (
    ATTRIBUTE_KEY_MAX,
    ATTRIBUTE_VALUE_MAX,
    ATTRIBUTES_MAX,
    EXPIRES_AFTER_DAYS_MAX,
    EXPIRES_AFTER_DAYS_MIN,
)
from assistform.sandbox.processing import STATUSES

# The primitive checks are validation.py's, so both families word their errors alike.
from assistform.sandbox.validation import (
    Invalid,
    Path,
    _array,
    _chunking_strategy,
    _enum,
    _fail,
    _integer,
    _kind,
    _metadata,
    _nullable,
    _object,
    _only,
    _optional,
    _quote,
    _Refused,
    _required,
    _string,
    _string_items,
    _wrong_type,
)

#: What CreateFileRequest takes as `purpose`.
UPLOAD_PURPOSES: Final = ("assistants", "batch", "fine-tune", "vision", "user_data", "evals")
#: What ListFiles filters on: every purpose a file object can have.
FILE_PURPOSES: Final = (
    "assistants",
    "assistants_output",
    "batch",
    "batch_output",
    "fine-tune",
    "fine-tune-results",
    "vision",
    "user_data",
    "evals",
)
FILE_EXPIRES_SECONDS_MIN: Final = 3600
FILE_EXPIRES_SECONDS_MAX: Final = 2_592_000
FILES_LIST_LIMIT_MAX: Final = 10_000
FILES_LIST_LIMIT_DEFAULT: Final = 10_000
#: A vector store create's file_ids (the assistants' inline helper allows many more).
VECTOR_STORE_FILE_IDS_MAX: Final = 500
BATCH_FILES_MAX: Final = 2000


def _run(check: Callable[[], object]) -> Invalid | None:
    try:
        check()
    except _Refused as refused:
        return refused.invalid
    return None


def _body(body: object) -> Mapping[str, Any]:
    if not isinstance(body, dict):
        _fail(
            f"Invalid request body: expected a JSON object, but got {_kind(body)} instead.",
            (),
            "invalid_type",
        )
    return body


# --- files -------------------------------------------------------------------------------


def validate_upload(fields: Mapping[str, str], has_file: bool) -> Invalid | None:
    """The form fields of POST /v1/files (the SDK sends `expires_after[anchor]` and
    `expires_after[seconds]` for the nested object)."""

    def check() -> None:
        known = ("purpose", "expires_after[anchor]", "expires_after[seconds]")
        _only(fields, (), known)
        if not has_file:
            _fail("Missing required parameter: 'file'.", ("file",), "missing_required_parameter")
        _enum(_required(fields, (), "purpose"), ("purpose",), UPLOAD_PURPOSES)
        anchor = fields.get("expires_after[anchor]")
        seconds = fields.get("expires_after[seconds]")
        if anchor is None and seconds is None:
            return
        path: Path = ("expires_after",)
        if anchor is None:
            _required({}, path, "anchor")
        _enum(anchor, (*path, "anchor"), ("created_at",))
        if seconds is None:
            _required({}, path, "seconds")
        elif not re.fullmatch(r"[0-9]+", seconds.strip()):
            _wrong_type((*path, "seconds"), "an integer", seconds)
        else:
            _integer(
                int(seconds),
                (*path, "seconds"),
                FILE_EXPIRES_SECONDS_MIN,
                FILE_EXPIRES_SECONDS_MAX,
            )

    return _run(check)


# --- vector stores -----------------------------------------------------------------------


def _expires_after(value: object, path: Path) -> None:
    policy = _object(value, path)
    _only(policy, path, ("anchor", "days"))
    _enum(_required(policy, path, "anchor"), (*path, "anchor"), ("last_active_at",))
    _integer(
        _required(policy, path, "days"),
        (*path, "days"),
        EXPIRES_AFTER_DAYS_MIN,
        EXPIRES_AFTER_DAYS_MAX,
    )


def _store_file_ids(value: object, path: Path) -> None:
    _string_items(value, path, VECTOR_STORE_FILE_IDS_MAX)


def _batch_file_ids(value: object, path: Path) -> None:
    _string_items(value, path, BATCH_FILES_MAX)
    if not value:
        _refuse_empty(path)


def _refuse_empty(path: Path) -> NoReturn:
    _fail(
        f"Invalid {_quote(path)}: empty array. Expected an array with minimum length 1, but "
        "got an empty array instead.",
        path,
        "empty_array",
    )


def attributes(value: object, path: Path) -> None:
    pairs = _object(value, path)
    if len(pairs) > ATTRIBUTES_MAX:
        _fail(
            f"Invalid {_quote(path)}: too many properties. Expected an object with at most "
            f"{ATTRIBUTES_MAX} properties, but got an object with {len(pairs)} properties "
            "instead.",
            path,
            "object_above_max_properties",
        )
    for key, item in pairs.items():
        if len(key) > ATTRIBUTE_KEY_MAX:
            _fail(
                f"Invalid {_quote(path)}: key too long. Expected keys with maximum length "
                f"{ATTRIBUTE_KEY_MAX}, but got a key with length {len(key)} instead.",
                path,
                "string_above_max_length",
            )
        if isinstance(item, str):
            _string(item, (*path, key), ATTRIBUTE_VALUE_MAX)
        elif isinstance(item, bool):
            continue
        elif not isinstance(item, int | float) or not math.isfinite(item):
            _wrong_type((*path, key), "a string, a number or a boolean", item)


def validate_vector_store_create(body: object) -> Invalid | None:
    def check() -> None:
        fields = _body(body)
        _only(
            fields,
            (),
            ("file_ids", "name", "description", "expires_after", "chunking_strategy", "metadata"),
        )
        _optional(fields, (), "file_ids", _store_file_ids)
        _optional(fields, (), "name", _string)
        _optional(fields, (), "description", _string)
        _optional(fields, (), "expires_after", _expires_after)
        _optional(fields, (), "chunking_strategy", _chunking_strategy)
        _optional(fields, (), "metadata", _nullable(_metadata))

    return _run(check)


def validate_vector_store_modify(body: object) -> Invalid | None:
    def check() -> None:
        fields = _body(body)
        _only(fields, (), ("name", "expires_after", "metadata"))
        _optional(fields, (), "name", _nullable(_string))
        _optional(fields, (), "expires_after", _nullable(_expires_after))
        _optional(fields, (), "metadata", _nullable(_metadata))

    return _run(check)


def _file_entry(value: object, path: Path) -> None:
    entry = _object(value, path)
    _only(entry, path, ("file_id", "chunking_strategy", "attributes"))
    _string(_required(entry, path, "file_id"), (*path, "file_id"))
    _optional(entry, path, "chunking_strategy", _chunking_strategy)
    _optional(entry, path, "attributes", _nullable(attributes))


def validate_vector_store_file_create(body: object) -> Invalid | None:
    return _run(lambda: _file_entry(_body(body), ()))


def validate_attributes_update(body: object) -> Invalid | None:
    def check() -> None:
        fields = _body(body)
        _only(fields, (), ("attributes",))
        _nullable(attributes)(_required(fields, (), "attributes"), ("attributes",))

    return _run(check)


def validate_batch_create(body: object) -> Invalid | None:
    def check() -> None:
        fields = _body(body)
        _only(fields, (), ("file_ids", "files", "chunking_strategy", "attributes"))
        if "file_ids" in fields and "files" in fields:
            _fail(
                "Invalid request: 'file_ids' and 'files' are mutually exclusive; provide one.",
                ("files",),
                "invalid_value",
            )
        if "file_ids" not in fields and "files" not in fields:
            _fail(
                "Missing required parameter: 'file_ids' (or 'files').",
                ("file_ids",),
                "missing_required_parameter",
            )
        _optional(fields, (), "file_ids", _batch_file_ids)
        if "files" in fields:
            entries = _array(fields["files"], ("files",), BATCH_FILES_MAX)
            if not entries:
                _refuse_empty(("files",))
            for index, entry in enumerate(entries):
                _file_entry(entry, ("files", index))
        _optional(fields, (), "chunking_strategy", _chunking_strategy)
        _optional(fields, (), "attributes", _nullable(attributes))

    return _run(check)


def validate_status_filter(query: Mapping[str, str]) -> Invalid | None:
    if "filter" not in query:
        return None
    return _run(lambda: _enum(query["filter"], ("filter",), STATUSES))


def validate_purpose_filter(query: Mapping[str, str]) -> Invalid | None:
    if "purpose" not in query:
        return None
    return _run(lambda: _enum(query["purpose"], ("purpose",), FILE_PURPOSES))
