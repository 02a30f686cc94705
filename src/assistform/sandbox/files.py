"""/v1/files: upload (multipart), list, retrieve, delete and content (rules 27-31 of
`defaults.py`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from assistform.sandbox import defaults, routes
from assistform.sandbox.handling import (
    Answer,
    Exchange,
    Raw,
    Refusal,
    Server,
    checked_query,
    list_answer,
    refuse_invalid,
    refuse_not_found,
)
from assistform.sandbox.knowledge_store import KnowledgeStore, StoredFile, StoredVectorStoreFile
from assistform.sandbox.knowledge_validation import (
    FILES_LIST_LIMIT_DEFAULT,
    FILES_LIST_LIMIT_MAX,
    validate_purpose_filter,
    validate_upload,
)
from assistform.sandbox.multipart import MalformedMultipart, Part, boundary_of, parse
from assistform.sandbox.profiles import Failure, Problem


class FilesHandler:
    def __init__(self, server: Server, store: KnowledgeStore) -> None:
        self.server = server
        self.store = store

    def handle(self, exchange: Exchange) -> Answer:
        route, method = exchange.route, exchange.method
        if route == routes.FILES:
            return self._list(exchange.query) if method == "GET" else self._upload(exchange)
        file_id = exchange.params["file_id"]
        if route == routes.FILE_CONTENT:
            return self._content(file_id)
        if method == "DELETE":
            return self._delete(file_id)
        return render_file(self.existing(file_id))

    def existing(self, file_id: str) -> StoredFile:
        stored = self.store.get(StoredFile, file_id)
        if stored is None:
            raise refuse_not_found(defaults.file_not_found_message(file_id), "id")
        return stored

    def _upload(self, exchange: Exchange) -> Answer:
        content_type = exchange.headers.get("content-type", "")
        boundary = boundary_of(content_type)
        if boundary is None:
            raise Refusal(Failure(Problem.INVALID, defaults.not_multipart_message(content_type)))
        try:
            parts = parse(exchange.body, boundary)
        except (MalformedMultipart, UnicodeDecodeError):
            raise Refusal(Failure(Problem.INVALID, defaults.MALFORMED_MULTIPART_MESSAGE)) from None
        upload: Part | None = None
        fields: dict[str, str] = {}
        for part in parts:
            if part.name == "file":
                upload = part
            else:
                fields[part.name] = part.text()
        invalid = validate_upload(fields, upload is not None)
        if invalid is not None:
            raise refuse_invalid(invalid, input=fields)
        assert upload is not None
        now = int(self.server.profile.timestamp(self.server.clock()))
        seconds = fields.get("expires_after[seconds]")
        stored = StoredFile(
            id=defaults.random_id(defaults.FILE_ID_PREFIX, defaults.FILE_ID_LENGTH),
            created_at=now,
            seq=self.store.next_seq(),
            bytes=len(upload.data),
            filename=upload.filename or "file",
            purpose=fields["purpose"],
            expires_at=now + int(seconds) if seconds is not None else None,
        )
        # The bytes first: a file the store lists always has them.
        self.store.blobs.put(stored.id, upload.data)
        self.store.put(stored)
        return render_file(stored)

    def _list(self, query: Mapping[str, str]) -> Answer:
        parsed = checked_query(
            {k: v for k, v in query.items() if k != "before"},
            default=FILES_LIST_LIMIT_DEFAULT,
            maximum=FILES_LIST_LIMIT_MAX,
        )
        invalid = validate_purpose_filter(query)
        if invalid is not None:
            raise refuse_invalid(invalid, location="query", input=query.get("purpose"))
        purpose = query.get("purpose")
        files = [f for f in self.store.all(StoredFile) if purpose is None or f.purpose == purpose]
        return list_answer(
            self.server,
            files,
            parsed,
            position_of=lambda file_id: self.store.position_of(StoredFile, file_id),
            render=render_file,
            noun="file",
        )

    def _delete(self, file_id: str) -> Answer:
        with self.store.lock:
            stored = self.existing(file_id)
            # Its vector stores lose it too (rule 30).
            attached = [f for f in self.store.all(StoredVectorStoreFile) if f.file_id == file_id]
            self.store.remove_many([*attached, stored])
        self.store.blobs.delete(file_id)
        return {"id": file_id, "object": "file", "deleted": True}

    def _content(self, file_id: str) -> Answer:
        stored = self.existing(file_id)
        if stored.purpose == "assistants" and not self.server.profile.downloads_assistants_files:
            raise Refusal(
                Failure(Problem.INVALID, defaults.download_refused_message(stored.purpose))
            )
        data = self.store.blobs.read(file_id)
        if data is None:
            raise refuse_not_found(defaults.file_not_found_message(file_id), "id")
        return Raw(data)


def render_file(stored: StoredFile) -> dict[str, Any]:
    rendered: dict[str, Any] = {
        "id": stored.id,
        "object": "file",
        "bytes": stored.bytes,
        "created_at": stored.created_at,
        "filename": stored.filename,
        "purpose": stored.purpose,
        "status": "processed",
    }
    if stored.expires_at is not None:
        rendered["expires_at"] = stored.expires_at
    return rendered
