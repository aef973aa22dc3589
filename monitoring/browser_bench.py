"""``python -m monitoring bench --browser``: every page's cold load in Chromium, against a one-line page.

What a person waits for is not the script run AppTest times (``monitoring.bench``) but
the whole page in a browser: the HTML and JavaScript, the websocket, every script run of
the first request, the elements and charts drawn. Absolute times depend on the machine,
so each page is set against a **one-line Streamlit page** (``st.title``) served the same
way in the same run, interleaved with it:

- three servers on 127.0.0.1 (the README's flags): the dashboard as ``./run.sh`` starts it, the
  reference page and an informational one-chart page (Streamlit's Plotly element alone);
- Debian's Chromium through Playwright, headless; each cold load in a **fresh browser
  context** (no cookies, no HTTP cache, a new Streamlit session);
- a round visits the reference and every page in turn; the first round (the first visit
  of each page since the server started: caches empty) is reported apart, the ratio is
  the median over the later rounds;
- **warm cache**: after each cold load the same context opens the page again — a new
  Streamlit session, with Streamlit's hashed static files in the HTTP cache, as a person's
  browser has them after a first visit. Reported beside the cold figure; the goal is judged
  on the cold one (a fresh browser session, as the issue measured it);
- sidebar switches: one context opens the overview, then clicks every page's link in
  the sidebar in turn (Streamlit changes the page without reloading), twice.

**Settled** (measured in the page's own clock, ``performance.now()``, from the start of
navigation or from just before the click) is the first moment at which all of these hold
and still hold 300 ms later without another script run having started:

- Streamlit's script state is ``notRunning`` (its running indicator is gone) and a script
  run started since navigation (a switch: the title changed since the click);
- the main block's title (``h1``) is drawn;
- every Plotly chart in the window (1440 × 1000) has drawn its SVG (the pages draw static
  SVG charts first, which arrive with the page's elements; a large one sits in an iframe,
  counted once its document holds the SVG), every table in the
  window its canvas (tables below draw only when scrolled to), and no loading skeleton
  is in the window.

The 300 ms only confirm the state; they are not part of the figure.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from monitoring import config
from monitoring.browser_results import BrowserReport as BrowserReport  # the tests build one from measure()
from monitoring.browser_results import DataSetResult, PageResult, Visit

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
#: The reference: a one-line page, with the title the settle rule waits for.
REFERENCE_APP = 'import streamlit as st\n\nst.title("One line")\n'
#: Informational floor: the same page plus one three-bar Plotly chart. Streamlit loads its
#: Plotly bundle (≈ 4.7 MB of JavaScript, served uncompressed) only for a page that draws
#: one, so this is what any chart costs in a fresh browser before our code does anything.
CHART_APP = (
    'import plotly.graph_objects as go\nimport streamlit as st\n\nst.title("One chart")\n'
    'st.plotly_chart(go.Figure(go.Bar(x=["a", "b", "c"], y=[3, 1, 2])))\n'
)
#: url path → page file, in the sidebar's order (app.PAGE_TABLE).
PAGES: dict[str, str] = {
    "overview": "overview.py", "rankings": "rankings.py", "progress": "progress.py", "trends": "trends.py",
    "calendar": "calendar.py", "road-dust": "road_dust.py", "indicators": "indicators.py", "tasks": "tasks.py",
    "upload": "upload.py", "quality": "quality.py", "targets": "targets.py",
}
STABLE_MS = 300

#: Injected before any page script: counts script runs from the attribute Streamlit sets on its app.
_OBSERVER = """
(() => {
  window.__bench = {runs: 0, lastRunStart: 0};
  const watch = (app) => {
    new MutationObserver((records) => {
      for (const r of records) {
        if (app.getAttribute('data-test-script-state') === 'running' && r.oldValue !== 'running') {
          window.__bench.runs += 1; window.__bench.lastRunStart = performance.now();
        }
      }
    }).observe(app, {attributes: true, attributeFilter: ['data-test-script-state'], attributeOldValue: true});
    if (app.getAttribute('data-test-script-state') === 'running') {
      window.__bench.runs += 1; window.__bench.lastRunStart = performance.now();
    }
  };
  const find = () => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (app) { watch(app); } else { setTimeout(find, 5); }
  };
  if (document.readyState === 'loading') { document.addEventListener('DOMContentLoaded', find); } else { find(); }
})();
"""

_TITLE = "document.querySelector('[data-testid=\"stMain\"] h1').innerText"  # the page's title now
#: True when drawn (module docstring); [runs before the action, a switch's title before the click or ""].
_DRAWN = """
([since, h1]) => {
  const b = window.__bench;
  const app = document.querySelector('[data-testid="stApp"]');
  if (!b || !app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  const visible = (el) => el.offsetParent !== null;
  // Tables draw their canvas only once scrolled into view: what the window shows must be drawn.
  const shown = (el) => { const r = el.getBoundingClientRect(); return visible(el) && r.top < innerHeight && r.bottom > 0; };
  const main = document.querySelector('[data-testid="stMain"]');
  const heads = main ? Array.from(main.querySelectorAll('h1')).filter(visible) : [];
  if (!heads.length || (h1 ? heads[0].innerText === h1 : b.runs <= since)) return false;
  // drawn: a Plotly chart's SVG, a framed static chart's document (widgets.charts.framed), a table's canvas
  const drawn = [['[data-testid="stPlotlyChart"]', (c) => c.querySelector('.main-svg')],
                 ['iframe.monitor-chart-frame', (f) => f.contentDocument && f.contentDocument.querySelector('svg')],
                 ['[data-testid="stDataFrame"]', (d) => d.querySelector('canvas')]];
  for (const [kind, ok] of drawn) { for (const e of main.querySelectorAll(kind)) { if (shown(e) && !ok(e)) return false; } }
  if (Array.from(main.querySelectorAll('[data-testid="stSkeleton"]')).some(shown)) return false;
  return true;
}
"""


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_healthy(base: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 120.0) -> None:
    """Until the Streamlit server at ``base`` answers its health check; its log's tail in
    the error when it exits or stays unhealthy (the browser tests wait the same way)."""
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}: {log.read_text(errors='replace')[-1500:]}")
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"streamlit not healthy after {timeout:.0f} s: {log.read_text(errors='replace')[-1500:]}")
        time.sleep(0.2)


@contextmanager
def streamlit_server(script: Path, env: dict[str, str], log: Path, timeout: float = 120.0, *,
                     launcher: bool = False, root: Path = config.PROJECT_ROOT) -> Iterator[str]:
    """``streamlit run SCRIPT`` (``launcher``: via ``dashboard.serve``, as ./run.sh) on a free port, in
    ``root`` (the project; another copy of it for ``bench --browser --compare``); yields its URL."""
    port = free_port()
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", *(["dashboard.serve"] if launcher else ["streamlit", "run"]), str(script), "--server.headless", "true",
             "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
            cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, proc, log, timeout)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def server_env(db_url: str, root: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment a measured server runs in: the database, the code in ``root``, no demo load."""
    return {**os.environ, "DATABASE_URL": db_url, "PYTHONPATH": str(root), "MONITOR_LOAD_DEMO": "0", **(extra or {})}


def reference_page(work: Path) -> Path:
    """The one-line page's script, written into ``work``."""
    script = work / "one_line.py"
    script.write_text(REFERENCE_APP, encoding="utf-8")
    return script


def users_env(work: Path) -> dict[str, str]:
    """A users file as a deployment has one (the sidebar then draws the login form), as ``MONITOR_USERS``."""
    from monitoring import auth

    users = work / "users.yaml"
    auth.add_user("bench-analyst", "bench-password-1", "analyst", "Bench", path=users)
    return {"MONITOR_USERS": str(users)}


def chromium(stack: contextlib.ExitStack) -> Any:
    """Debian's Chromium through Playwright, headless, closed with ``stack``."""
    from playwright.sync_api import sync_playwright

    browser = stack.enter_context(sync_playwright()).chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
                                                                     headless=True)
    stack.callback(browser.close)
    return browser


# -- measuring ------------------------------------------------------------------------------


def _settle(page: Any, since: int, start_ms: float, timeout_s: float, h1: str = "") -> tuple[float, int]:
    """Wait until drawn and stable for STABLE_MS; (settled ms in the page's clock − start_ms, runs)."""
    deadline = time.monotonic() + timeout_s
    while True:
        left = max(1.0, (deadline - time.monotonic()) * 1000)
        page.wait_for_function(_DRAWN, arg=[since, h1], polling=20, timeout=left)
        at, runs = page.evaluate("() => [performance.now(), window.__bench.runs]")
        page.wait_for_timeout(STABLE_MS)
        still, runs_after = page.evaluate(f"([since, h1]) => [({_DRAWN})([since, h1]), window.__bench.runs]", [since, h1])
        if still and runs_after == runs:
            return at - start_ms, runs - since
        if time.monotonic() > deadline:
            raise TimeoutError("the page did not settle")


def _error_text(page: Any) -> str:
    boxes = page.locator('[data-testid="stException"]')
    return boxes.first.inner_text()[:200] if boxes.count() else ""


def cold_visit(browser: Any, url: str, timeout_s: float = 120.0, *, warm: list[Visit] | None = None) -> Visit:
    """Open ``url`` in a fresh browser context and wait until it has settled.

    ``warm``: also open it once more in the same context (a new session, the HTTP cache kept)
    and append that visit to the list."""
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN", timezone_id="Asia/Shanghai")
    sizes = {"http": 0, "ws": 0}

    def on_response(response: Any) -> None:
        length = response.headers.get("content-length")
        if length and length.isdigit():
            sizes["http"] += int(length)
        else:
            # A redirect or a closed stream has no body: it adds nothing.
            with contextlib.suppress(Exception):
                sizes["http"] += len(response.body())

    def on_ws(ws: Any) -> None:
        ws.on("framereceived", lambda payload: sizes.__setitem__("ws", sizes["ws"] + len(payload)))

    try:
        context.add_init_script(_OBSERVER)
        page = context.new_page()
        page.on("response", on_response)
        page.on("websocket", on_ws)
        start = time.perf_counter()
        page.goto(url, wait_until="commit")
        settled_ms, runs = _settle(page, 0, 0.0, timeout_s)
        wall = time.perf_counter() - start - STABLE_MS / 1000
        cold = Visit(settled_ms / 1000, wall, runs, sizes["http"] / 1024, sizes["ws"] / 1024, _error_text(page))
        if warm is not None:
            sizes.update(http=0, ws=0)
            start = time.perf_counter()
            page.goto(url, wait_until="commit")
            settled_ms, runs = _settle(page, 0, 0.0, timeout_s)
            wall = time.perf_counter() - start - STABLE_MS / 1000
            warm.append(Visit(settled_ms / 1000, wall, runs, sizes["http"] / 1024, sizes["ws"] / 1024, _error_text(page)))
        return cold
    finally:
        context.close()


def switch_visits(browser: Any, base: str, paths: list[str], rounds: int, timeout_s: float = 30.0) -> dict[str, list[Visit]]:
    """Open ``paths[0]``, then click every page's sidebar link in turn, ``rounds`` times."""
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN", timezone_id="Asia/Shanghai")
    out: dict[str, list[Visit]] = {p: [] for p in paths}
    try:
        context.add_init_script(_OBSERVER)
        page = context.new_page()
        page.goto(f"{base}/{paths[0]}", wait_until="commit")
        _settle(page, 0, 0.0, timeout_s)
        links = page.locator('[data-testid="stSidebarNav"] a')
        index: dict[str, int] = {}
        for n in range(links.count()):
            # The default page's link is the app's root: it stands for the first path.
            href = (links.nth(n).get_attribute("href") or "").rstrip("/").rsplit("/", 1)[-1]
            index[href if href in paths else paths[0]] = n
        order = paths[1:] + paths[:1]  # the first page last: it is open to begin with
        for _ in range(rounds):
            for path in order:
                since, t0, h1 = page.evaluate(f"() => [window.__bench.runs, performance.now(), {_TITLE}]")
                start = time.perf_counter()
                links.nth(index[path]).click()
                try:
                    settled_ms, runs = _settle(page, since, t0, timeout_s, h1)
                except Exception as exc:  # one stuck switch is reported, not fatal: the page is reloaded
                    out[path].append(Visit(timeout_s, timeout_s, 0, error=f"did not settle: {str(exc)[:80]}"))
                    page.goto(f"{base}/{path}", wait_until="commit")
                    _settle(page, 0, 0.0, timeout_s)
                    continue
                wall = time.perf_counter() - start - STABLE_MS / 1000
                out[path].append(Visit(settled_ms / 1000, wall, runs, error=_error_text(page)))
    finally:
        context.close()
    return out


def measure(
    name: str, db_url: str, work: Path, *, paths: list[str], rounds: int, switch_rounds: int,
    say: Callable[[str], None], extra_env: dict[str, str] | None = None, browser: Any = None,
) -> DataSetResult:
    """One data set: the three servers up, the rounds of cold loads, then the sidebar switches.

    ``browser``: a Playwright Chromium already running (the e2e tests' own); else one is started.
    """
    reference_script = reference_page(work)
    chart_script = work / "one_chart.py"
    chart_script.write_text(CHART_APP, encoding="utf-8")
    env = server_env(db_url, config.PROJECT_ROOT, extra_env)
    reference = PageResult("one-line")
    chart = PageResult("one-chart")
    pages = {p: PageResult(p) for p in paths}
    with contextlib.ExitStack() as stack:
        app = stack.enter_context(streamlit_server(config.PROJECT_ROOT / "app.py", env, work / f"app-{name}.log", launcher=True))
        ref = stack.enter_context(streamlit_server(reference_script, env, work / f"ref-{name}.log"))
        one_chart = stack.enter_context(streamlit_server(chart_script, env, work / f"chart-{name}.log"))
        browser = browser or chromium(stack)
        for n in range(rounds + 1):
            say(f"{name}: round {n + 1}/{rounds + 1} of cold loads")
            for target, url in [(reference, ref), (chart, one_chart), *((pages[p], f"{app}/{p}") for p in paths)]:
                visit = cold_visit(browser, url, warm=target.warm if n else None)
                say(f"  {target.path}: {visit.settled_s:.2f} s, {visit.runs} run(s), "
                    f"{visit.http_kb:.0f} KB http, {visit.ws_kb:.0f} KB ws"
                    + (f"; warm {target.warm[-1].settled_s:.2f} s" if n else "") + f" {visit.error}")
                if n == 0:
                    target.first = visit
                else:
                    target.cold.append(visit)
        if switch_rounds:
            say(f"{name}: sidebar switches")
            for path, visits in switch_visits(browser, app, paths, switch_rounds).items():
                pages[path].switch = visits
    return DataSetResult(name, reference, pages, chart)


def embedded_database(folder: Path) -> Path:
    """A SQLite file as ``init`` leaves it on a first start: the embedded history and the demo year."""
    from monitoring.bootstrap import init_database
    from monitoring.storage.engine import make_engine

    path = folder / "embedded.db"
    engine = make_engine(f"sqlite:///{path}")
    try:
        init_database(engine, load_data=True, with_demo=True)
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        engine.dispose()
    return path


def run(
    *, quick: bool = False, folder: Path, progress: Callable[[str], None] | None = None,
    ten_years: bool = True, rounds: int = 3,
) -> BrowserReport:
    """The browser benchmark: embedded data (and ten years of hourly data unless ``quick``)."""
    from monitoring import bench

    if not CHROMIUM.exists():
        raise RuntimeError(f"the browser benchmark needs Debian's Chromium at {CHROMIUM} (apt-get install chromium)")
    say = progress or (lambda _m: None)
    started = dt.datetime.now(dt.UTC)
    t0 = time.perf_counter()
    info = bench.machine()
    folder.mkdir(parents=True, exist_ok=True)
    paths = ["overview", "rankings"] if quick else list(PAGES)
    paths = [p for p in paths if (config.PROJECT_ROOT / "pages" / PAGES[p]).exists()]
    results: list[DataSetResult] = []
    with tempfile.TemporaryDirectory(prefix="browser-bench-", dir=folder) as tmp:
        work = Path(tmp)
        env = users_env(work)
        say("embedded data: building the database (init, with the demo year)")
        db = embedded_database(work)
        results.append(measure("embedded data", f"sqlite:///{db}", work, paths=paths, rounds=1 if quick else rounds,
                               switch_rounds=1 if quick else 2, say=say, extra_env=env))
        if ten_years and not quick:
            say("ten years of hourly data (cached in bench-data/)")
            big = bench.pages_database(10, folder, say)
            results.append(measure("ten years of hourly data", f"sqlite:///{big}", work, paths=paths, rounds=rounds,
                                   switch_rounds=2, say=say, extra_env=env))
    command = "python -m monitoring bench --browser" + (" --quick" if quick else "")
    return BrowserReport(f"{started:%Y-%m-%d %H:%M} UTC", time.perf_counter() - t0, info, command, results)
