"""A real HTTP server on 127.0.0.1 for pull tests, answering from a script.

``server.route(path, Reply(...), Reply(...))`` makes the path answer with those replies in
order (the last one repeats). A reply sets the status, headers and body, an optional delay
before the status line (a timeout), and an optional truncation: the full Content-Length is
announced, only ``truncate`` bytes are sent, then the connection closes (a cut download).
Routes may also match query parameters (OpenAQ's ``page``). Every request is recorded.
Faulty behaviours (issue 13): ``trickle`` (a few bytes, a pause, again), ``stall_after``
(part of the body, then silence), ``huge`` (a generated body of any size, streamed), and
``declare_length=False`` (no Content-Length: the body ends when the connection closes).

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
    # faulty behaviours of issue 13:
    trickle: tuple[int, float] | None = None  # (bytes, seconds): send that many bytes, wait, repeat
    stall_after: int | None = None  # send this many bytes, then stall (say nothing) until the client gives up
    huge: int | None = None  # a generated body of this many bytes (CSV-looking lines), never held in memory
    declare_length: bool = True  # False: no Content-Length, the body ends when the connection closes

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


_HUGE_LINE = "德胜,2026-01-05 13:00,pm25,35\n".encode()


def _write_huge(handler: BaseHTTPRequestHandler, size: int) -> None:
    """``size`` bytes of readings-like lines, generated a megabyte at a time."""
    block = _HUGE_LINE * (1_000_000 // len(_HUGE_LINE))
    sent = 0
    while sent < size:
        piece = block[: size - sent]
        handler.wfile.write(piece)
        sent += len(piece)


class ScriptedServer:
    def __init__(self) -> None:
        self._routes: list[_Route] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
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
            size = reply.huge if reply.huge is not None else len(body)
            handler.send_response(reply.status)
            handler.send_header("Content-Type", reply.content_type)
            if reply.declare_length:
                handler.send_header("Content-Length", str(size))
            for key, value in reply.headers.items():
                handler.send_header(key, value)
            if reply.truncate is not None or not reply.declare_length or reply.trickle or reply.stall_after is not None:
                handler.send_header("Connection", "close")
                handler.close_connection = True
            handler.end_headers()
            if reply.huge is not None:
                _write_huge(handler, reply.huge)
            elif reply.trickle is not None:
                step, pause = reply.trickle
                for i in range(0, len(body), step):
                    handler.wfile.write(body[i : i + step])
                    handler.wfile.flush()
                    time.sleep(pause)
            elif reply.stall_after is not None:
                handler.wfile.write(body[: reply.stall_after])
                handler.wfile.flush()
                self._stop.wait(30)  # until the test ends or the client hangs up
            else:
                handler.wfile.write(body if reply.truncate is None else body[: reply.truncate])
            handler.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            handler.close_connection = True  # the client gave up (a timeout test)

    def close(self) -> None:
        self._stop.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> ScriptedServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
