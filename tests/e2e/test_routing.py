"""URLs in a real browser: a bookmark or an unknown path as a fresh server's first request,
/overview, and a path that names no page.

The server is started as run.sh starts it (``python -m dashboard.serve app.py``, the
launcher that switches Streamlit's old pages/ layout off). Streamlit routes by internals
the app leans on (dashboard.serve, dashboard.context.requested_page and, for a plain
``streamlit run app.py``, route_through_app): these tests are what notices when a
Streamlit upgrade changes them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Server
from tests.e2e.test_browser import MAIN_H1, assert_no_exception, open_path, screenshot

pytestmark = pytest.mark.e2e

#: Streamlit's own dialog for an unknown page (English whatever the app's language).
STREAMLIT_NOT_FOUND = "Page not found"


def _nav_links(page: Any) -> int:
    return int(page.locator('[data-testid="stSidebarNav"] a').count())


def _assert_not_found_page(page: Any, path: str) -> None:
    assert page.locator(MAIN_H1).first.inner_text().strip() == "找不到该页面"
    assert page.get_by_text(f"“/{path}”不是本系统的页面").count() == 1
    assert page.get_by_text(STREAMLIT_NOT_FOUND).count() == 0
    assert page.locator('[role="dialog"]').count() == 0
    assert _nav_links(page) == 11  # the sidebar is there to choose a page
    assert page.locator('[data-testid="stSidebar"]').get_by_text("语言 / Language").count() == 1


def test_bookmark_on_a_fresh_server(page: Any, fresh_servers: dict[str, Server], artifacts: Path) -> None:
    fresh_server = fresh_servers["bookmark"]
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    # The very first request of the process: without the launcher Streamlit would run
    # pages/rankings.py alone (its old pages/ layout), without the router's sidebar, banner and login.
    open_path(page, fresh_server, "rankings")
    # the page knows the server's address (dashboard.serve.page_shell): no probe of
    # /rankings/_stcore/health and its 100 ms retry before the connection
    assert [url for url in requested if "/rankings/_stcore/" in url] == []
    assert any(url.endswith("/_stcore/health") for url in requested)
    assert page.url.endswith("/rankings")
    assert page.locator(MAIN_H1).first.inner_text().strip().startswith("街道排名")
    assert _nav_links(page) == 11
    assert page.get_by_text("演示数据").count() >= 1  # the router's banner
    assert page.locator('[data-testid="stSidebar"]').get_by_text("语言 / Language").count() == 1
    assert page.get_by_text(STREAMLIT_NOT_FOUND).count() == 0
    assert_no_exception(page)
    screenshot(page, artifacts, "route-fresh-rankings")


def test_unknown_url_first_on_a_fresh_server(page: Any, fresh_servers: dict[str, Server], artifacts: Path) -> None:
    fresh_server = fresh_servers["unknown-url"]
    # Without the launcher, Streamlit's old pages/ layout answers this first request with its
    # English "Page not found" dialog before app.py has run once.
    open_path(page, fresh_server, "no-such-page")
    page.wait_for_timeout(1500)  # a dialog sent late would show up by now
    _assert_not_found_page(page, "no-such-page")
    assert_no_exception(page)
    screenshot(page, artifacts, "route-fresh-not-found")


def test_unknown_url_says_so_in_chinese(page: Any, server: Server, artifacts: Path) -> None:
    # first /overview has its own URL, in the same tab (issue 15: a page load less, and the
    # shared server has served the app once already, see the server fixture: the fresh-server
    # tests above are the ones about a first request)
    open_path(page, server, "overview")
    assert page.url.endswith("/overview")
    assert page.locator(MAIN_H1).first.inner_text().strip().startswith("总览")
    assert page.get_by_text(STREAMLIT_NOT_FOUND).count() == 0
    assert_no_exception(page)

    open_path(page, server, "no-such-page")
    _assert_not_found_page(page, "no-such-page")
    screenshot(page, artifacts, "route-not-found")
    page.get_by_role("link", name="返回总览").click()
    page.locator(MAIN_H1).filter(has_text="总览").first.wait_for()
    assert_no_exception(page)
