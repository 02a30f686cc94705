"""Ids only apply will know, as an assistant's request names them.

An assistant whose vector store is still to be created (or whose code_interpreter file is
still to be uploaded) cannot name its id in a plan. Its request holds a reference instead,
shown as such in every rendering (Terraform's "known after apply"), and apply swaps in the
id once the step that makes it is done. A reference is a string no server uses as an id
(it has spaces and parentheses), so it travels through normalize and diff like an id.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal

Kind = Literal["file", "vector_store"]
_PREFIX = "(known after apply: "
_PATTERN = re.compile(r"^\(known after apply: (file|vector_store) (.+)\)$")


def ref(kind: Kind, key: str) -> str:
    """The reference to the id of file `key` (its path) or of vector store `key`."""
    return f"{_PREFIX}{kind} {key})"


def parse_ref(value: object) -> tuple[Kind, str] | None:
    """(kind, key) of a reference; None for anything else (an id)."""
    if not isinstance(value, str) or not value.startswith(_PREFIX):
        return None
    match = _PATTERN.match(value)
    if match is None:
        return None
    kind: Kind = "file" if match.group(1) == "file" else "vector_store"
    return kind, match.group(2)


def resolve(value: Any, ids: Mapping[tuple[Kind, str], str]) -> Any:
    """`value` (a request body) with every reference replaced by its id.

    A reference without an id raises `KeyError`: apply must not send a placeholder.
    """
    if isinstance(value, dict):
        return {k: resolve(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, ids) for v in value]
    parsed = parse_ref(value)
    if parsed is not None:
        return ids[parsed]
    return value


def has_refs(value: Any) -> bool:
    if isinstance(value, dict):
        return any(has_refs(v) for v in value.values())
    if isinstance(value, list):
        return any(has_refs(v) for v in value)
    return parse_ref(value) is not None
