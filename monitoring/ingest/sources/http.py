"""The HTTP side of a pull: a ``requests`` session with timeouts and retries, and a
``fetch`` that turns every way a response can be wrong into one clear ``SourceError``.

Retries (urllib3's ``Retry`` on the session's adapters) cover connection errors, read
timeouts, 429 and 5xx, with exponential back-off and ``Retry-After`` honoured. A body cut
short (fewer bytes than its Content-Length) or stalled fails after the status line was
read, outside urllib3's retry loop, so ``fetch`` retries that itself with the same
back-off. The body is read as it arrives, bounded by ``limits.max_response_mb`` (after
decompression) and by the pull's deadline (``pull_deadline``), so neither a huge answer
nor a trickle can hold a pull; "after N attempts" counts the requests really sent. The session is passed in (as openaq-python does), so tests hand it the real
local server and a scheduler reuses one connection pool.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import math
import re
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.connectionpool import ConnectionPool
from urllib3.util.retry import Retry

from monitoring.errors import SourceError
from monitoring.ingest.sources.config import HttpSettings

RETRY_STATUSES = (429, 500, 502, 503, 504)


class NotPublished(SourceError):
    """The source answered 404 for a resource that may simply not exist yet (an hour not
    yet published); a caller decides whether that is a failure."""


class _Budget:
    """A pull's limits while it runs: its deadline (monotonic seconds) and the count of
    requests really sent by the current ``fetch`` (urllib3's own retries included)."""

    def __init__(self, deadline_s: float | None) -> None:
        self.seconds = deadline_s
        self.deadline = None if deadline_s is None else time.monotonic() + deadline_s
        self.sent = 0

    def remaining(self) -> float:
        return math.inf if self.deadline is None else self.deadline - time.monotonic()


_BUDGET: contextvars.ContextVar[_Budget | None] = contextvars.ContextVar("pull_budget", default=None)


@contextlib.contextmanager
def pull_deadline(seconds: float | None) -> Iterator[None]:
    """Every ``fetch`` inside shares one deadline: ``limits.deadline`` of the pull."""
    token = _BUDGET.set(_Budget(seconds))
    try:
        yield
    finally:
        _BUDGET.reset(token)


class _DeadlinePassed(Exception):
    """Raised from a retry's back-off sleep that would end past the pull's deadline (not
    an OSError, so requests lets it through unwrapped)."""


class _PullRetry(Retry):
    """urllib3's Retry that counts the requests it retries (for a true "after N attempts")
    and does not sleep past the pull's deadline (a Retry-After of 300 s with 20 s left)."""

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: urllib3.BaseHTTPResponse | None = None,
        error: Exception | None = None,
        _pool: ConnectionPool | None = None,
        _stacktrace: TracebackType | None = None,
    ) -> Self:
        budget = _BUDGET.get()
        if budget is not None:
            budget.sent += 1  # one request failed and is being counted
        return super().increment(method, url, response, error, _pool, _stacktrace)

    def sleep(self, response: urllib3.BaseHTTPResponse | None = None) -> None:
        budget = _BUDGET.get()
        if budget is not None:
            wait = (self.get_retry_after(response) if response is not None else None) or self.get_backoff_time()
            if wait >= budget.remaining():
                raise _DeadlinePassed
        super().sleep(response)


def make_session(settings: HttpSettings) -> requests.Session:
    """A session whose adapters retry with back-off; timeouts are given per request."""
    r = settings.retries
    retry = _PullRetry(
        total=r.total,
        connect=r.total,
        read=r.total,
        status=r.total,
        other=0,
        backoff_factor=r.backoff_factor,
        backoff_max=r.backoff_max,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset({"GET", "HEAD"}),
        respect_retry_after_header=True,
        retry_after_max=r.retry_after_max,
        # the last response is returned rather than raised, so the error names its status
        raise_on_status=False,
    )
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = settings.user_agent
    return session


@dataclass(frozen=True)
class Fetched:
    url: str
    status: int
    body: bytes
    content_type: str
    attempts: int


def _attempts(response: requests.Response) -> int:
    retries = getattr(response.raw, "retries", None)
    history = getattr(retries, "history", ()) or ()
    return len(history) + 1


def _shorten(url: str) -> str:
    return url if len(url) <= 160 else url[:157] + "..."


def _times(n: int) -> str:
    return "1 attempt" if n == 1 else f"{n} attempts"


#: The most of an error response (404, 500 …) that is read.
_ERROR_BODY_BYTES = 64 * 1024


class _BodyBroken(Exception):
    """The body stopped before its end (cut, stalled past the read timeout, undecodable)."""

    def __init__(self, reason: str, stalled: bool) -> None:
        super().__init__(reason)
        self.stalled = stalled


def _too_big(where: str, source: str, settings: HttpSettings, seen: str) -> SourceError:
    mb = settings.limits.max_response_mb
    return SourceError(
        f"{where}: the response is larger than {mb:g} MB ({seen})",
        message_zh=f"数据源 {source} 的响应超过 {mb:g} MB 上限，已停止下载，未写入任何数据",
        hint="if the source is right, raise limits.max_response_mb in sources.yaml or pull a shorter period with --from/--to",
    )


def _deadline_error(where: str, source: str, budget: _Budget, received: int | None = None) -> SourceError:
    got = f"; {received:,} bytes of this response received" if received is not None else ""
    return SourceError(
        f"{where}: the pull went past its deadline of {budget.seconds:g} s{got}",
        message_zh=f"数据源 {source} 的拉取超过时限 {budget.seconds:g} 秒，已中止，未写入任何数据",
        hint="the server is too slow; raise limits.deadline in sources.yaml, or pull a shorter period with --from/--to",
    )


def _read_body(response: requests.Response, *, limit: int, budget: _Budget, where: str, source: str,
               settings: HttpSettings) -> bytes:
    """The body, read piece by piece as it arrives: refused as soon as it passes ``limit``
    bytes (after decompression) or the pull's deadline, so neither a huge answer nor a
    server trickling bytes can hold the pull."""
    declared = response.headers.get("Content-Length", "")
    encoded = response.headers.get("Content-Encoding", "identity").lower() not in ("", "identity")
    if declared.isdigit() and int(declared) > limit and not encoded:
        raise _too_big(where, source, settings, f"Content-Length {int(declared):,} bytes")
    body = bytearray()
    raw = response.raw
    while True:
        if budget.remaining() <= 0:
            raise _deadline_error(where, source, budget, len(body))
        try:
            piece = raw.read1(256 * 1024, decode_content=True)
        except urllib3.exceptions.ReadTimeoutError as exc:
            raise _BodyBroken(f"no data for {settings.timeout.read:g}s mid-body ({_reason(exc)})", stalled=True) from None
        except (urllib3.exceptions.HTTPError, OSError) as exc:  # IncompleteRead, reset, bad gzip
            raise _BodyBroken(_reason(exc), stalled=False) from None
        if not piece:
            return bytes(body)
        body += piece
        if len(body) > limit:
            raise _too_big(where, source, settings, f"more than {limit:,} bytes received")


def fetch(
    session: requests.Session,
    url: str,
    *,
    source: str,
    settings: HttpSettings,
    expect: str,
    params: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Fetched:
    """GET ``url`` and return its body, or raise ``SourceError`` saying what went wrong.

    ``expect`` is ``"csv"`` or ``"json"``: a 200 response that is an HTML page (a proxy's
    or a portal's error page) is refused for either. The body is bounded by
    ``limits.max_response_mb`` and the pull's deadline (``pull_deadline``); messages
    give the number of requests really sent.
    """
    shown = _shorten(url)
    where = f"source {source}: GET {shown}"
    outer = _BUDGET.get()
    budget = _Budget(None) if outer is None else outer
    budget.sent = 0
    token = _BUDGET.set(budget)
    try:
        body_attempts = settings.retries.total + 1
        for attempt in range(1, body_attempts + 1):
            remaining = budget.remaining()
            if remaining <= 0:
                raise _deadline_error(where, source, budget)
            timeout = (min(settings.timeout.connect, remaining), min(settings.timeout.read, remaining))
            before = budget.sent
            try:
                response = session.get(url, params=params, headers=dict(headers or {}), timeout=timeout, stream=True)
            except _DeadlinePassed:  # a retry's back-off would end past the deadline
                raise _deadline_error(where, source, budget) from None
            except requests.exceptions.RequestException as exc:
                sent = max(budget.sent, before + 1)  # each failed request was counted by _PullRetry
                if budget.remaining() <= 0:
                    raise _deadline_error(where, source, budget) from None
                raise _request_error(exc, where=where, source=source, settings=settings, attempts=sent) from None
            # the answered request and the ones urllib3 retried before it (its own history)
            budget.sent = before + _attempts(response)
            try:
                # an error page's status says enough: read a little of it (so the connection
                # can be reused), never more
                limit = settings.limits.max_bytes if response.status_code == 200 else _ERROR_BODY_BYTES
                body = _read_body(response, limit=limit, budget=budget, where=where, source=source, settings=settings)
                response.raw.release_conn()  # read to its end: the connection goes back to the pool
            except SourceError:
                if response.status_code == 200 or budget.remaining() <= 0:
                    raise
                body = b""  # an error page longer than we read: its status is the answer
            except _BodyBroken as broken:
                if response.status_code != 200:
                    body = b""
                    break
                if budget.remaining() <= 0:  # the read timeout was shortened to the deadline
                    raise _deadline_error(where, source, budget) from None
                wait = min(settings.retries.backoff_factor * 2 ** (attempt - 1), settings.retries.backoff_max)
                if attempt < body_attempts and wait < budget.remaining():
                    time.sleep(wait)
                    continue
                what = "stalled" if broken.stalled else "was cut short"
                raise SourceError(
                    f"{where}: the response {what} after {_times(budget.sent)} ({broken})",
                    message_zh=f"数据源 {source} 的响应不完整（{'传输停滞' if broken.stalled else '连接中断'}），"
                    f"共请求 {budget.sent} 次",
                    hint="the server or the network dropped the connection; the next pull will try again",
                ) from None
            finally:
                response.close()
            break
        return _check(response, body, where=where, source=source, expect=expect, attempts=budget.sent)
    finally:
        _BUDGET.reset(token)


def _is_timeout(exc: BaseException) -> bool:
    """A timeout, also when urllib3 gave up retrying one (requests then raises a
    ConnectionError wrapping MaxRetryError(reason=ReadTimeoutError))."""
    inner = exc.args[0] if exc.args else None
    reason = getattr(inner, "reason", None)
    if isinstance(reason, urllib3.exceptions.NewConnectionError):
        return False  # urllib3 derives "connection refused" from its connect-timeout class
    if isinstance(exc, requests.exceptions.Timeout):
        return True
    return isinstance(reason, (urllib3.exceptions.TimeoutError, TimeoutError))


def _request_error(
    exc: requests.exceptions.RequestException, *, where: str, source: str, settings: HttpSettings, attempts: int
) -> SourceError:
    if _is_timeout(exc):
        return SourceError(
            f"{where}: timed out after {_times(attempts)} "
            f"(connect {settings.timeout.connect:g}s, read {settings.timeout.read:g}s)",
            message_zh=f"数据源 {source} 超时，共尝试 {attempts} 次",
            hint="the server is slow or unreachable; raise timeout.read in sources.yaml or try later",
        )
    if isinstance(exc, requests.exceptions.ConnectionError):
        return SourceError(
            f"{where}: cannot connect after {_times(attempts)} ({_reason(exc)})",
            message_zh=f"无法连接数据源 {source}，共尝试 {attempts} 次",
            hint="check the url in sources.yaml and the network; the next pull will try again",
        )
    return SourceError(
        f"{where}: request failed ({_reason(exc)})",
        message_zh=f"数据源 {source} 请求失败",
        hint="check the url in sources.yaml",
    )


def _reason(exc: BaseException) -> str:
    """The innermost useful words of a requests/urllib3 exception, on one line."""
    text = " ".join(str(exc).split())
    errno = re.search(r"\[Errno -?\d+\] ([^'\")\]]+)", text)
    if errno:
        return errno.group(1).strip()  # "Connection refused", "Name or service not known"
    for marker in ("Caused by ", "caused by "):
        if marker in text:
            text = text.split(marker, 1)[1]
    return text[:200]


def _check(response: requests.Response, body: bytes, *, where: str, source: str, expect: str, attempts: int) -> Fetched:
    status = response.status_code
    content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    tries = f" after {attempts} attempts" if attempts > 1 else ""
    if status == 404:
        raise NotPublished(
            f"{where}: HTTP 404 not found",
            message_zh=f"数据源 {source}：资源不存在（404）",
            hint="the data is not published (yet), or the url in sources.yaml is wrong",
        )
    if status in (401, 403):
        raise SourceError(
            f"{where}: HTTP {status} {response.reason or ''}".rstrip(),
            message_zh=f"数据源 {source} 拒绝访问（HTTP {status}）",
            hint="check the API key (the environment variable named in sources.yaml) and its permissions",
        )
    if status != 200:
        raise SourceError(
            f"{where}: HTTP {status} {response.reason or ''}{tries}".rstrip(),
            message_zh=f"数据源 {source} 返回错误 HTTP {status}{'，已重试 ' + str(attempts) + ' 次' if attempts > 1 else ''}",
            hint="the server failed; the next pull will try again" if status >= 500 else "check the url in sources.yaml",
        )
    head = body[:512].lstrip().lower()
    if content_type in ("text/html", "application/xhtml+xml") or head.startswith((b"<!doctype", b"<html")):
        raise SourceError(
            f"{where}: the server sent an HTML page instead of {expect.upper()} ({_html_title(body)})",
            message_zh=f"数据源 {source} 返回了网页而不是 {expect.upper()} 数据（可能是错误页或登录页）",
            hint="open the url in a browser to see the page; check the url in sources.yaml",
        )
    if not body.strip():
        raise SourceError(
            f"{where}: the response body is empty",
            message_zh=f"数据源 {source} 返回了空内容",
            hint="the server had nothing to send; the next pull will try again",
        )
    return Fetched(url=response.url, status=status, body=body, content_type=content_type, attempts=attempts)


def _html_title(body: bytes) -> str:
    text = body[:4096].decode("utf-8", "replace")
    lower = text.lower()
    start = lower.find("<title>")
    end = lower.find("</title>")
    if start >= 0 and end > start:
        title = " ".join(text[start + 7 : end].split())
        if title:
            return f"title: {title[:80]!r}"
    return "Content-Type: text/html"


def parse_json(fetched: Fetched, *, source: str) -> Any:
    """The JSON of a response, or a ``SourceError`` naming where it breaks."""
    try:
        text = fetched.body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SourceError(
            f"source {source}: GET {_shorten(fetched.url)}: the response is not UTF-8 JSON",
            message_zh=f"数据源 {source} 返回的不是 UTF-8 编码的 JSON",
            hint="check the url in sources.yaml",
        ) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError(
            f"source {source}: GET {_shorten(fetched.url)}: malformed JSON at line {exc.lineno} column {exc.colno} "
            f"({exc.msg}; {len(fetched.body)} bytes received)",
            message_zh=f"数据源 {source} 返回的 JSON 格式错误（第 {exc.lineno} 行第 {exc.colno} 列）",
            hint="the response was cut or is not JSON; the next pull will try again",
        ) from None
