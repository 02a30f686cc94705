"""A `multipart/form-data` body (RFC 7578) split into its parts without copying them.

The body is already in memory (the HTTP server reads it whole); each part's data is a
`memoryview` into it, so an uploaded file is written to disk from the request's own bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import Message
from email.parser import HeaderParser


class MalformedMultipart(ValueError):
    """The body is not the multipart body its Content-Type announces."""


@dataclass(frozen=True)
class Part:
    name: str
    filename: str | None
    content_type: str | None
    data: memoryview

    def text(self) -> str:
        return bytes(self.data).decode("utf-8", "replace")


def boundary_of(content_type: str) -> str | None:
    """The boundary of a `multipart/form-data` Content-Type, or None for any other type."""
    message = Message()
    message["content-type"] = content_type
    if message.get_content_type() != "multipart/form-data":
        return None
    boundary = message.get_param("boundary")
    return boundary if isinstance(boundary, str) and boundary else None


def parse(body: bytes | bytearray, boundary: str) -> list[Part]:
    delimiter = b"--" + boundary.encode("latin-1")
    view = memoryview(body)
    parts: list[Part] = []
    position = body.find(delimiter)
    if position < 0:
        raise MalformedMultipart("no boundary in the body")
    while True:
        position += len(delimiter)
        if body.startswith(b"--", position):
            return parts
        line_end = body.find(b"\r\n", position)
        headers_end = body.find(b"\r\n\r\n", line_end)
        if line_end < 0 or headers_end < 0:
            raise MalformedMultipart("a part without headers")
        headers = HeaderParser().parsestr(body[line_end + 2 : headers_end].decode("utf-8"))
        data_start = headers_end + 4
        data_end = body.find(b"\r\n" + delimiter, data_start)
        if data_end < 0:
            raise MalformedMultipart("a part without its closing boundary")
        name = headers.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            raise MalformedMultipart("a part without a name")
        parts.append(
            Part(
                name=name,
                filename=headers.get_filename(),
                content_type=headers.get("content-type"),
                data=view[data_start:data_end],
            )
        )
        position = data_end + 2
