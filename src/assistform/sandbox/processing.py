"""Vector store files over time: their status, and what a store or a batch reports of them.

Pure functions of the stored records and the service's clock (`now`), so a test with a
fake clock steps processing forward (rules 36-38 of `defaults.py`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

from assistform.sandbox import defaults
from assistform.sandbox.knowledge_store import StoredBatch, StoredVectorStore, StoredVectorStoreFile

STATUSES: Final = ("in_progress", "completed", "failed", "cancelled")
SECONDS_A_DAY: Final = 86_400


def file_status(attached: StoredVectorStoreFile, now: float) -> str:
    if attached.outcome == "cancelled":
        return "cancelled"
    return "in_progress" if now < attached.ready_at else attached.outcome


def last_error(attached: StoredVectorStoreFile, now: float) -> dict[str, str] | None:
    if file_status(attached, now) != "failed":
        return None
    return {"code": "invalid_file", "message": defaults.PROCESSING_FAILED_MESSAGE}


def usage_bytes(attached: StoredVectorStoreFile, now: float) -> int:
    return attached.usage_bytes if file_status(attached, now) == "completed" else 0


def file_counts(files: Iterable[StoredVectorStoreFile], now: float) -> dict[str, int]:
    counts = dict.fromkeys(STATUSES, 0)
    for attached in files:
        counts[file_status(attached, now)] += 1
    counts["total"] = sum(counts.values())
    return counts


def expires_at(store: StoredVectorStore) -> int | None:
    if store.expires_after is None:
        return None
    return store.last_active_at + int(store.expires_after["days"]) * SECONDS_A_DAY


def store_status(store: StoredVectorStore, counts: dict[str, int], now: float) -> str:
    expiry = expires_at(store)
    if expiry is not None and now >= expiry:
        return "expired"
    return "in_progress" if counts["in_progress"] else "completed"


def batch_status(batch: StoredBatch, counts: dict[str, int]) -> str:
    if batch.cancelled:
        return "cancelled"
    # Failed files do not fail the batch: they are counted in `file_counts.failed`.
    return "in_progress" if counts["in_progress"] else "completed"


def resolved_chunking(strategy: Any) -> dict[str, Any]:
    """What a file is chunked with: `auto` (or nothing) is static 800/400 (rule 37)."""
    if isinstance(strategy, dict) and strategy.get("type") == "static":
        return {"type": "static", "static": dict(strategy["static"])}
    return {"type": "static", "static": dict(defaults.AUTO_CHUNKING)}
