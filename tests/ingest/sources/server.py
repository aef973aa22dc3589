"""A real HTTP server on 127.0.0.1 for pull tests, answering from a script.

``server.route(path, Reply(...), Reply(...))`` makes the path answer with those replies in
order (the last one repeats). A reply sets the status, headers and body, an optional delay
before the status line (a timeout), and an optional truncation: the full Content-Length is
announced, only ``truncate`` bytes are sent, then the connection closes (a cut download).
Routes may also match query parameters (OpenAQ's ``page``). Every request is recorded.

    with ScriptedServer() as server:
        server.route("/cnemc/2026-01-05T13.csv", Reply(status=500), Reply(body=csv_bytes))
        session.get(server.url + "/cnemc/2026-01-05T13.csv")
"""

from __future__ import annotations

import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up (a pull giving up on a huge or slow body) is expected."""
        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError | TimeoutError):
            return
        super().handle_error(request, client_address)


@dataclass
class Reply:
    status: int = 200
    body: bytes | str = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "text/csv; charset=utf-8"
    delay: float = 0.0  # seconds to wait before answering
    truncate: int | None = None  # bytes of the body actually sent (Content-Length stays full)

    def payload(self) -> bytes:
        return self.body.encode("utf-8") if isinstance(self.body, str) else self.body


@dataclass
class Seen:
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    at: float


@dataclass
class _Route:
    path: str
    query: dict[str, str]
    replies: list[Reply]
    served: int = 0

    def next_reply(self) -> Reply:
        reply = self.replies[min(self.served, len(self.replies) - 1)]
        self.served += 1
        return reply


class ScriptedServer:
    def __init__(self) -> None:
        self._routes: list[_Route] = []
        self._lock = threading.Lock()
        self.requests: list[Seen] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # the name http.server calls
                owner._serve(self)

            def log_message(self, format: str, *args: Any) -> None:  # silence the test output
                return

        self._httpd = _QuietServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._httpd.block_on_close = False
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def route(self, path: str, *replies: Reply, query: dict[str, str] | None = None) -> None:
        if not replies:
            raise ValueError("a route needs at least one reply")
        with self._lock:
            self._routes.append(_Route(path=path, query=dict(query or {}), replies=list(replies)))

    def hits(self, path: str) -> int:
        with self._lock:
            return sum(1 for r in self.requests if r.path == path)

    def _match(self, path: str, query: dict[str, str]) -> _Route | None:
        best: _Route | None = None
        for route in self._routes:
            if route.path != path or any(query.get(k) != v for k, v in route.query.items()):
                continue
            if best is None or len(route.query) >= len(best.query):  # a later route replaces an earlier one
                best = route
        return best

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        with self._lock:
            self.requests.append(Seen(parts.path, query, dict(handler.headers.items()), time.monotonic()))
            route = self._match(parts.path, query)
            reply = route.next_reply() if route else Reply(status=404, body="not found", content_type="text/plain")
        try:
            if reply.delay:
                time.sleep(reply.delay)
            body = reply.payload()
            handler.send_response(reply.status)
            handler.send_header("Content-Type", reply.content_type)
            handler.send_header("Content-Length", str(len(body)))
            for key, value in reply.headers.items():
                handler.send_header(key, value)
            if reply.truncate is not None:
                handler.send_header("Connection", "close")
                handler.close_connection = True
            handler.end_headers()
            handler.wfile.write(body if reply.truncate is None else body[: reply.truncate])
            handler.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            handler.close_connection = True  # the client gave up (a timeout test)

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> ScriptedServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
