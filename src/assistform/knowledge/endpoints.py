"""The endpoints knowledge specs need, as `LiveKnowledge.missing_endpoints` and the doctor
name them (the official spec's paths)."""

from __future__ import annotations

FILES = "/v1/files"
VECTOR_STORES = "/v1/vector_stores"
VECTOR_STORE_FILES = "/v1/vector_stores/{vector_store_id}/files"
FILE_BATCHES = "/v1/vector_stores/{vector_store_id}/file_batches"

ALL = (FILES, VECTOR_STORES, VECTOR_STORE_FILES, FILE_BATCHES)
