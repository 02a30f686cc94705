"""Ownership of the files of a vector store: two attributes on each file assistform attaches.

A vector store carries the assistants' ownership tag in its metadata (`ownership`). A file
attached to it carries, in its attributes, `assistform: <store key>@<lineage>@<env>` (the
store's tag) and `assistform-sha256` (the first 32 hex digits of its content's digest), so
a listing of a store tells ours from files attached by hand, and which content each is,
without the state. They take two of the API's 16 attribute keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from assistform.ownership import FILE_HASH_KEY, RESERVED_ATTRIBUTE_KEYS, TAG_KEY, OwnershipTag

#: The content's attribute: ownership's name for it, which validate reserves.
SHA256_KEY = FILE_HASH_KEY
#: The digest's prefix kept in an attribute: 128 bits tell contents apart.
SHA256_PREFIX = 32


def file_attributes(
    user: Mapping[str, Any], store: OwnershipTag, sha256: str | None
) -> dict[str, Any]:
    """The attributes a file is attached with: the spec's, then ours."""
    attributes = {**user, TAG_KEY: store.value()}
    if sha256:
        attributes[SHA256_KEY] = sha256[:SHA256_PREFIX]
    return attributes


def user_attributes(attributes: Mapping[str, Any] | None) -> dict[str, Any]:
    """The spec's attributes: without ours."""
    return {k: v for k, v in (attributes or {}).items() if k not in RESERVED_ATTRIBUTE_KEYS}


def attached_by(attributes: Mapping[str, Any] | None, store: OwnershipTag) -> bool:
    """Whether a store's file carries the attribute assistform gives the files it attaches."""
    return (attributes or {}).get(TAG_KEY) == store.value()
