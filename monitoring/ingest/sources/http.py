"""The HTTP side of a pull: a ``requests`` session with timeouts and retries, and a
``fetch`` that turns every way a response can be wrong into one clear ``SourceError``.

Retries (urllib3's ``Retry`` on the session's adapters) cover connection errors, read
timeouts, 429 and 5xx, with exponential back-off and ``Retry-After`` honoured. A body cut
short (fewer bytes than its Content-Length) is raised by requests after the status line
was read, outside urllib3's retry loop, so ``fetch`` retries that itself with the same
back-off. The session is passed in (as openaq-python does), so tests hand it the real
local server and a scheduler reuses one connection pool.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from monitoring.errors import SourceError
from monitoring.ingest.sources.config import HttpSettings

RETRY_STATUSES = (429, 500, 502, 503, 504)


class NotPublished(SourceError):
    """The source answered 404 for a resource that may simply not exist yet (an hour not
    yet published); a caller decides whether that is a failure."""


def make_session(settings: HttpSettings) -> requests.Session:
    """A session whose adapters retry with back-off; timeouts are given per request."""
    r = settings.retries
    retry = Retry(
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
    or a portal's error page) is refused for either.
    """
    timeout = (settings.timeout.connect, settings.timeout.read)
    shown = _shorten(url)
    where = f"source {source}: GET {shown}"
    body_attempts = settings.retries.total + 1
    for attempt in range(1, body_attempts + 1):
        try:
            response = session.get(url, params=params, headers=dict(headers or {}), timeout=timeout)
            body = response.content  # read in full here: a cut body raises now, not later
        except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError) as exc:
            # the connection dropped mid-body (Content-Length not reached): retry like a 5xx
            if attempt < body_attempts:
                time.sleep(min(settings.retries.backoff_factor * 2 ** (attempt - 1), settings.retries.backoff_max))
                continue
            raise SourceError(
                f"{where}: the response was cut short after {body_attempts} attempts ({_reason(exc)})",
                message_zh=f"数据源 {source} 的响应不完整（连接中断），已重试 {body_attempts} 次",
                hint="the server or the network dropped the connection; the next pull will try again",
            ) from None
        except requests.exceptions.RequestException as exc:
            raise _request_error(exc, where=where, source=source, settings=settings) from None
        break
    return _check(response, body, where=where, source=source, expect=expect)


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
    exc: requests.exceptions.RequestException, *, where: str, source: str, settings: HttpSettings
) -> SourceError:
    attempts = settings.retries.total + 1
    if _is_timeout(exc):
        return SourceError(
            f"{where}: timed out after {attempts} attempts "
            f"(connect {settings.timeout.connect:g}s, read {settings.timeout.read:g}s)",
            message_zh=f"数据源 {source} 超时，共尝试 {attempts} 次",
            hint="the server is slow or unreachable; raise timeout.read in sources.yaml or try later",
        )
    if isinstance(exc, requests.exceptions.ConnectionError):
        return SourceError(
            f"{where}: cannot connect after {attempts} attempts ({_reason(exc)})",
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


def _check(response: requests.Response, body: bytes, *, where: str, source: str, expect: str) -> Fetched:
    status = response.status_code
    attempts = _attempts(response)
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
