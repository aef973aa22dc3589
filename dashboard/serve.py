"""Start the dashboard: ``python -m dashboard.serve app.py [streamlit flags]``.

The same as ``streamlit run app.py [flags]`` (Streamlit's own CLI, in this process), with
Streamlit's old ``pages/`` layout switched off before the first request. Streamlit 1.x
treats a folder named ``pages/`` next to the main script as its first multipage layout
until ``st.navigation`` has run once in the process: the very first request of a fresh
server then bypasses app.py (a bookmark runs the page file alone; an unknown URL gets
Streamlit's English "Page not found" dialog). app.py routes with ``st.navigation``, so
that layout is never wanted; the page files stay in pages/ because that is where the
team keeps its screens.

It also serves Streamlit's page with the server's address and the common elements' code written
in (``page_shell``), so a bookmarked page connects at once instead of after a failed probe and a
100 ms wait.
"""

from __future__ import annotations

import atexit
import gc
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

#: Where Streamlit's page starts its own scripts: the address goes in just before them.
_ANCHOR = "<script>\n      window.prerenderReady = false"
#: The code of the elements every page shows, fetched with Streamlit's own code instead of after the
#: first script run: the sidebar's language radio, download buttons, HTML in markdown (tiles, tables,
#: charts). Chunk files are named "<Element>.<hash>.js"; a name not found is skipped.
PRELOADED = ("Radio", "DownloadButton", "rehype-raw")
_IMPORT = re.compile(r'(?:from|import)\s*"\./([\w.\-]+\.js)"')
#: The server's address for Streamlit's connection code (``window.__streamlit.BACKEND_BASE_URL``):
#: the folder of the page's URL, i.e. the server's root or its ``--server.baseUrlPath`` (page
#: URLs are one segment below it; a URL ending in "/" keeps Streamlit's own probing).
_BACKEND_AT_ROOT = ("<script>window.__streamlit = Object.assign({}, window.__streamlit, "
                    "{BACKEND_BASE_URL: new URL(\"./\", window.location.href).href})</script>\n    ")


def use_router_only() -> None:
    """Tell Streamlit that app.py's ``st.navigation`` routes every request, the first included.

    ``PagesManager.uses_pages_directory`` is Streamlit's own switch (``st.navigation`` sets
    it to False the same way, but only once app.py has run). A Streamlit without it is left
    as it is: the e2e routing tests on a fresh server then fail.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if hasattr(PagesManager, "uses_pages_directory"):
        PagesManager.uses_pages_directory = False


def page_shell() -> Path | None:
    """Serve Streamlit's index.html with the server's address set and the PRELOADED elements' code
    listed. Returns the folder it is served from (every other file a link to Streamlit's own), or
    None when Streamlit's page has changed shape.

    Why: without it, Streamlit's page opened at a page's URL (a bookmark, ``/progress``) first
    asks ``/progress/_stcore/health`` whether the server lives there, gets a 404, waits 100 ms
    and asks the root: 0.12–0.15 s of every cold load of a page by its URL (docs/PERFORMANCE.md,
    "Browser"). The address is Streamlit's own setting for pages served from elsewhere."""
    from streamlit import file_util

    real = Path(file_util.get_static_dir())
    page = (real / "index.html").read_text(encoding="utf-8")
    if _ANCHOR not in page or "BACKEND_BASE_URL" in page:
        return None
    folder = Path(tempfile.mkdtemp(prefix="monitor-static-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    for entry in os.listdir(real):
        if entry != "index.html":
            (folder / entry).symlink_to(real / entry)
    head = _BACKEND_AT_ROOT + "".join(f'<link rel="modulepreload" crossorigin href="./static/js/{name}">\n    '
                                      for name in _chunks(real / "static" / "js", page))
    (folder / "index.html").write_text(page.replace(_ANCHOR, head + _ANCHOR, 1), encoding="utf-8")
    file_util.get_static_dir = lambda: str(folder)  # read once, when the server builds its routes
    return folder


def _chunks(js: Path, page: str) -> list[str]:
    """The PRELOADED elements' chunk files and every chunk they import, less those the page lists."""
    wanted = [next(iter(sorted(js.glob(f"{element}.*.js"))), None) for element in PRELOADED]
    found: list[str] = []
    queue = [path.name for path in wanted if path is not None]
    while queue:
        name = queue.pop(0)
        if name in found or f"static/js/{name}" in page or not (js / name).is_file():
            continue
        found.append(name)
        queue += _IMPORT.findall((js / name).read_text(encoding="utf-8", errors="replace"))
    return found


#: The collector's thresholds for the server process: Python's own for the young generations, a full
#: collection after 100 middle-generation ones instead of 10 (``gc.set_threshold``).
GC_THRESHOLDS = (700, 10, 100)


def collect_less_often() -> None:
    """Fewer full garbage collections in the server process (``GC_THRESHOLDS``).

    Why: a full collection walks every object this process holds (pandas, plotly, Streamlit, the
    caches) for 0.1–0.2 s with the GIL held, so whatever the server was sending waits. With Python's
    defaults one came every three or four page runs (7 in 44 sidebar switches); with these, 2
    (at start-up). Switch medians 0.255 → 0.240 s, the slow tail gone; memory after 60 visits
    295 → 301 MB (docs/PERFORMANCE.md, "Browser"). Cycles are still collected, later."""
    gc.set_threshold(*GC_THRESHOLDS)


def main(argv: Sequence[str] | None = None) -> None:
    """``streamlit run ARGV…`` in this process, after ``use_router_only`` and ``page_shell``."""
    from streamlit.web import cli

    args = list(sys.argv[1:] if argv is None else argv)
    use_router_only()
    page_shell()
    collect_less_often()
    # prog_name as `python -m streamlit` sets it: Streamlit reads its own command line back.
    cli.main(args=["run", *args], prog_name="streamlit")


if __name__ == "__main__":
    main()
