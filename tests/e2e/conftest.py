"""A real dashboard server (``streamlit run app.py``) on 127.0.0.1 and Debian's Chromium.

The server runs on a private copy of the seeded database (history + demo year) with a
users file holding one analyst, so the tests can log in and upload. Playwright's own
browser download does not work here: the tests drive /usr/bin/chromium and are skipped,
with the reason, when it is missing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import weakref
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from monitoring.browser_bench import free_port, wait_healthy

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
ANALYST = ("e2e-analyst", "correct-horse-battery")


@dataclass(frozen=True)
class Server:
    base: str
    db_path: Path
    users_path: Path


@contextmanager
def run_server(db_path: Path, users_path: Path, folder: Path) -> Iterator[Server]:
    """``streamlit run app.py`` on ``db_path`` until the block ends."""
    port = free_port()
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{db_path}", MONITOR_USERS=str(users_path),
               MONITOR_LOAD_DEMO="0", PYTHONUNBUFFERED="1")
    log = folder / "streamlit.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "dashboard.serve", str(ROOT / "app.py"), "--server.headless", "true",
             "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, proc, log, timeout=90.0)
        yield Server(base, db_path, users_path)
    finally:
        proc.terminate()
        try:
            # the copy it serves is thrown away: no need to wait long for a clean exit
            proc.wait(timeout=3)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def seeded_copy(seeded_template: str, folder: Path) -> tuple[Path, Path]:
    """A private copy of the seeded database and a users file with the analyst."""
    db_path = folder / "app.db"
    shutil.copyfile(seeded_template, db_path)
    users_path = folder / "users.yaml"
    from monitoring import auth

    auth.add_user(ANALYST[0], ANALYST[1], "analyst", "E2E 分析员", path=users_path)
    return db_path, users_path


@contextmanager
def start_server(seeded_template: str, folder: Path) -> Iterator[Server]:
    """A new ``streamlit run app.py`` process on a private copy of the seeded database."""
    db_path, users_path = seeded_copy(seeded_template, folder)
    with run_server(db_path, users_path, folder) as running:
        yield running


def _sqlite_only() -> None:
    if os.environ.get("TEST_DATABASE_URL"):
        pytest.skip("the browser tests run on SQLite only")


@pytest.fixture(scope="session")
def server(seeded_template: str, tmp_path_factory: pytest.TempPathFactory, browser_context: Any) -> Iterator[Server]:
    """The worker's shared server, having served the app once: a server's first page request
    is handed to the router by an extra rerun (dashboard.context.route_through_app, tested on
    a fresh server by test_routing.py), which a busy machine can show half done to whichever
    test comes first on this worker."""
    _sqlite_only()
    with start_server(seeded_template, tmp_path_factory.mktemp("e2e")) as running:
        tab = browser_context.new_page()
        track_network(tab)
        try:
            tab.goto(running.base + "/")
            # "/" runs app.py itself, whose st.navigation makes the router the server's routing
            tab.locator('[data-testid="stMain"] h1').filter(has_text="总览").first.wait_for()
        finally:
            tab.close()
        yield running


#: The fresh servers test_routing.py asks for, one a test (fresh_servers).
FRESH_SERVERS = ("bookmark", "unknown-url")


@pytest.fixture(scope="module")
def fresh_servers(seeded_template: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Server]]:
    """Servers no browser has talked to yet (Streamlit's routing differs on a first request),
    one for each name of FRESH_SERVERS, each used by one test only: started at once, side by
    side, instead of one after the other (each start waits ~10 s on a server's imports, issue 15)."""
    _sqlite_only()
    starts = {name: start_server(seeded_template, tmp_path_factory.mktemp(f"fresh-{name}")) for name in FRESH_SERVERS}
    with ThreadPoolExecutor(len(starts)) as pool:
        entered = {name: pool.submit(start.__enter__) for name, start in starts.items()}
        # waits for each; a failed start has nothing to stop
        running = [name for name, future in entered.items() if future.exception() is None]
        try:
            yield {name: future.result() for name, future in entered.items()}
        finally:
            # stopped side by side too: each may take its 3 s grace (run_server)
            for stopped in [pool.submit(starts[name].__exit__, None, None, None) for name in running]:
                stopped.result()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's Chromium is missing at /usr/bin/chromium: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def browser_context(browser: Any) -> Iterator[Any]:
    """One browser profile for the worker's tests: its HTTP and code caches keep Streamlit's
    JavaScript (several MB) loaded and compiled once, not once a test (issue 15). Each test
    still has its own tab, so its own Streamlit session (the login lives there: no cookie)."""
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN",
                                  timezone_id="Asia/Shanghai", accept_downloads=True)
    context.set_default_timeout(60_000)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def page(browser_context: Any) -> Iterator[Any]:
    tab = browser_context.new_page()
    track_network(tab)
    try:
        yield tab
    finally:
        tab.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


#: Each page's requests in flight and the moment the last one started or ended.
_NETWORK: weakref.WeakKeyDictionary[Any, dict[str, Any]] = weakref.WeakKeyDictionary()


def track_network(page: Any) -> dict[str, Any]:
    """Follow the page's HTTP requests from now on (``wait_network_quiet``): call it on a new tab."""
    state: dict[str, Any] = {"pending": set(), "last": time.monotonic()}

    def started(request: Any) -> None:
        state["pending"].add(request)
        state["last"] = time.monotonic()

    def ended(request: Any) -> None:
        state["pending"].discard(request)
        state["last"] = time.monotonic()

    page.on("request", started)
    page.on("requestfinished", ended)
    page.on("requestfailed", ended)
    _NETWORK[page] = state
    return state


def wait_network_quiet(page: Any, quiet_s: float = 0.5, timeout_s: float = 60.0) -> None:
    """Until no HTTP request of the page is in flight and none started or ended for ``quiet_s``
    (the elements' JavaScript chunks, fetched as they first appear, have arrived).

    Not Playwright's ``networkidle`` load state: a frame counts as idle only once its child
    frames are, and an iframe made from ``srcdoc`` (the calendar grid, widgets.charts.framed)
    added after an in-app page switch never reports it, so the wait timed out with nothing
    in flight."""
    state = _NETWORK.get(page) or track_network(page)
    deadline = time.monotonic() + timeout_s
    while state["pending"] or time.monotonic() - state["last"] < quiet_s:
        if time.monotonic() > deadline:
            raise AssertionError(f"requests still in flight after {timeout_s:.0f} s: {list(state['pending'])[:5]}")
        page.wait_for_timeout(100)
