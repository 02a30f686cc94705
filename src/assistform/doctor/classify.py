"""Classifying what a server sent back, pure: which fields it kept, what it filled in, the
shape of its errors, its ids and its headers. The probe (`doctor.probe`) feeds these."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from assistform import limits
from assistform.doctor.report import ErrorAnswer, FieldResult
from assistform.limits import DOCUMENTED_DEFAULTS as DEFAULTS
from assistform.normalize import canonical
from assistform.plan.expected import matches

#: Fields whose default the minimal probe shows (it sends model, name and metadata).
UNSENT_FIELDS = tuple(f for f in DEFAULTS if f not in ("name", "metadata", "reasoning_effort"))
#: Response headers any HTTP server or OpenAI sends; others are listed as extra.
KNOWN_HEADERS = frozenset(
    [
        "content-type",
        "content-length",
        "content-encoding",
        "date",
        "server",
        "connection",
        "keep-alive",
        "vary",
        "transfer-encoding",
        "x-request-id",
        "strict-transport-security",
        "alt-svc",
        "set-cookie",
        "access-control-expose-headers",
    ]
)
KNOWN_HEADER_PREFIXES = ("openai-", "x-ratelimit-", "cf-")


def describe_id(assistant_id: str) -> tuple[str, bool]:
    """A phrase for the id's form, and whether it is OpenAI's (`asst_` + 24)."""
    if re.fullmatch(r"asst_[A-Za-z0-9]{24}", assistant_id):
        return "asst_ + 24 letters and digits", True
    if assistant_id.startswith("asst_"):
        return f"asst_ + {len(assistant_id) - 5} characters", True
    if re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", assistant_id):
        return "UUIDs", False
    if re.fullmatch(r"[0-9a-fA-F]+", assistant_id):
        return f"{len(assistant_id)} hex characters", False
    return f"{len(assistant_id)} characters", False


def describe_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a float"
    return f"a {type(value).__name__}"


def classify_sent(sent: Mapping[str, Any], returned: Mapping[str, Any]) -> list[FieldResult]:
    """What the server kept of each field sent, compared in normalized form (options it
    filled in beside those sent count as kept)."""
    results = []
    for name in limits.CREATE_FIELDS:
        if name not in sent:
            continue
        if name not in returned:
            results.append(FieldResult(name, "absent"))
        elif returned[name] is None:
            results.append(FieldResult(name, "null"))
        elif matches(canonical(name, returned[name]), canonical(name, sent[name]), name):
            results.append(FieldResult(name, "stored"))
        else:
            results.append(FieldResult(name, "changed", returned[name]))
    return results


def classify_unsent(returned: Mapping[str, Any]) -> list[FieldResult]:
    """What the server filled in for each field not sent."""
    results = []
    for name in UNSENT_FIELDS:
        default = DEFAULTS[name]
        if name not in returned:
            results.append(FieldResult(name, "absent"))
        elif returned[name] is None:
            results.append(FieldResult(name, "default" if default is None else "null"))
        elif canonical(name, returned[name]) == canonical(name, default):
            results.append(FieldResult(name, "default"))
        else:
            results.append(FieldResult(name, "changed", returned[name]))
    return results


def classify_error(status: int | None, text: str, body: Any, probe_name: str) -> ErrorAnswer:
    """The shape of an error answer; `probe_name` is in the request, so finding it in the
    answer means the server echoes requests back (a whole prompt, in the worst case)."""
    if status is None:
        return ErrorAnswer(None, "accepted")
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        shape = "openai" if "message" in body["error"] else "other-json"
    elif isinstance(body, dict) and isinstance(body.get("detail"), list):
        shape = "pydantic-list"
    elif isinstance(body, dict) and isinstance(body.get("detail"), str):
        shape = "detail-string"
    elif isinstance(body, dict | list):
        shape = "other-json"
    else:
        shape = "not-json"
    return ErrorAnswer(status, shape, echoes_request=bool(probe_name) and probe_name in text)


def extra_headers(headers: Mapping[str, str]) -> list[str]:
    return sorted(
        name
        for name in (h.lower() for h in headers)
        if name not in KNOWN_HEADERS and not name.startswith(KNOWN_HEADER_PREFIXES)
    )


def classify_metadata_update(metadata: Any, first: str, second: str) -> str:
    """How a server took two updates of metadata, the first adding key `first`, the second
    sending `second` instead: `replaced` (as OpenAI), `merged` (`first` is still there) or
    `ignored` (`second` never arrived)."""
    keys = metadata if isinstance(metadata, Mapping) else {}
    if second not in keys:
        return "ignored"
    return "merged" if first in keys else "replaced"


def classify_falsy(
    sent: Mapping[str, Any], before: Mapping[str, Any], after: Mapping[str, Any]
) -> list[str]:
    """The fields of an update `sent` that it left as they were `before`, in `sent`'s order.
    A field that already held the value sent (in normalized form) says nothing either way."""
    return [
        name
        for name, value in sent.items()
        if after.get(name) == before.get(name)
        and canonical(name, before.get(name)) != canonical(name, value)
    ]
