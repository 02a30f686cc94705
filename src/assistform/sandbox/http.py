"""The sandbox over real HTTP: a stdlib threading server on loopback.

HTTP/1.1 with keep-alive (every answer has a Content-Length), so the SDK's connection
pool behaves as it does against the real service. A lost answer closes the socket
without writing a byte; a slow answer is held back, but never past `stop()`.
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from assistform.sandbox.faults import Body, Faults
from assistform.sandbox.profiles import Profile
from assistform.sandbox.service import AssistantsService, Response
from assistform.sandbox.stats import LoggedRequest, RequestStats
from assistform.sandbox.store import AssistantStore


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], service: AssistantsService) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.service = service
        self.stopping = threading.Event()
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        # socketserver's own loop notices shutdown() only at its next poll; a wake-up
        # socket makes stop() immediate, which matters when tests start hundreds of servers.
        self._wake_reader, self._wake_writer = socket.socketpair()
        super().__init__(address, _Handler)

    def serve_until_stopped(self) -> None:
        with selectors.DefaultSelector() as selector:
            selector.register(self.socket, selectors.EVENT_READ)
            selector.register(self._wake_reader, selectors.EVENT_READ)
            while not self.stopping.is_set():
                for key, _ in selector.select():
                    if key.fileobj is self.socket and not self.stopping.is_set():
                        self.handle_request()

    def wake(self) -> None:
        self.stopping.set()
        with contextlib.suppress(OSError):
            self._wake_writer.send(b"\0")

    def server_close(self) -> None:
        super().server_close()
        self._wake_reader.close()
        self._wake_writer.close()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def drop_connections(self) -> None:
        # Idle keep-alive connections would otherwise keep their threads reading forever.
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body must leave in one segment: split writes meet the client's delayed
    # ACK and cost ~40 ms a request.
    wbufsize = -1
    disable_nagle_algorithm = True
    server: _Server

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_DELETE = do_PUT = do_PATCH = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        # Requests are logged through the service's stats listener instead.
        pass

    def _serve(self) -> None:
        url = urlsplit(self.path)
        response = self.server.service.handle(
            self.command,
            unquote(url.path),
            dict(parse_qsl(url.query, keep_blank_values=True)),
            dict(self.headers.items()),
            self._read_body(),
        )
        if response.drop_connection:
            self.close_connection = True
            return
        if response.delay > 0 and self.server.stopping.wait(response.delay):
            self.close_connection = True
            return
        try:
            self._write(response)
        except OSError:
            # The client gave up (e.g. timed out on a slow reply); nothing to tell it.
            self.close_connection = True

    def _read_body(self) -> Body:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            # The body's end is unknown, so this connection cannot carry another request.
            self.close_connection = True
            return b""
        return self.rfile.read(length) if length > 0 else b""

    def _read_chunked(self) -> bytearray:
        # Into one growing buffer, not a list of chunks joined at the end: an upload is
        # held once, not twice.
        body = bytearray()
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                return body
            body += self.rfile.read(size)
            self.rfile.readline()

    def _write(self, response: Response) -> None:
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        self.wfile.write(response.body)
        self.wfile.flush()


class SandboxServer:
    """The assistants API on a loopback port, served from a background thread.

    Use as a context manager, or `start()` / `stop()`. Either pass a ready `service`, or
    let the server build one from `data_file`, `profile` and `faults`.
    """

    def __init__(
        self,
        service: AssistantsService | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        data_file: Path | None = None,
        profile: str | Profile | None = None,
        faults: Faults | None = None,
        on_request: Callable[[LoggedRequest], None] | None = None,
    ) -> None:
        if service is None:
            service = AssistantsService(
                AssistantStore(data_file), profile=profile or "faithful", faults=faults
            )
        elif data_file is not None or profile is not None or faults is not None:
            raise ValueError("pass either a service or data_file/profile/faults, not both")
        if on_request is not None:
            service.stats.listener = on_request
        self.service = service
        self._address = (host, port)
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle -------------------------------------------------------------------

    def start(self) -> SandboxServer:
        if self._httpd is not None:
            raise RuntimeError("sandbox server already started")
        self._httpd = _Server(self._address, self.service)
        self._thread = threading.Thread(
            target=self._httpd.serve_until_stopped,
            name=f"assistform-sandbox-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port; safe to call twice. Data is already saved."""
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        httpd.wake()
        if self._thread is not None:
            self._thread.join()
        httpd.drop_connections()
        httpd.server_close()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # --- what tests read -------------------------------------------------------------

    @property
    def host(self) -> str:
        return self._address[0]

    @property
    def port(self) -> int:
        if self._httpd is None:
            return self._address[1]
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        """E.g. `http://127.0.0.1:8080/v1`, for `OPENAI_BASE_URL` or `OpenAI(base_url=)`."""
        if self._httpd is None:
            raise RuntimeError("sandbox server not started")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/v1"

    @property
    def store(self) -> AssistantStore:
        return self.service.store

    @property
    def stats(self) -> RequestStats:
        return self.service.stats

    @property
    def faults(self) -> Faults:
        return self.service.faults

    @faults.setter
    def faults(self, faults: Faults) -> None:
        self.service.faults = faults
