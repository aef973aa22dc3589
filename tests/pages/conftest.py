"""AppTest fixtures: the real app.py router on a private copy of the seeded database.

One database copy per test session (per xdist worker; the pages only read), so the report
caches stay warm from one test to the next, across modules, and the suite stays quick (issue
15); a test that writes uses its own ``seeded_db`` copy. The language, year and filters are set in session state exactly as
the sidebar widgets keep them (keys from dashboard.context).
"""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import streamlit as st
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Dataframe, Markdown

from dashboard.widgets.charts import FRAME_CLASS
from dashboard.widgets.tables import PREVIEW_ATTRIBUTE, STATIC_TABLE_CLASS
from dashboard.widgets.tiles import TILE_CLASS
from monitoring.targets import Targets
from tests.conftest import DEMO_NOW, POSTGRES_URL, _fresh_postgres, _postgres_template

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
#: Cold runs compute every report once; generous so a slow CI machine does not flake.
TIMEOUT = 90
#: The demo year of the seeded database (tests/conftest.py DEMO_NOW: 2026-11-21).
YEAR = 2026
#: url path → page file, for the pages this suite covers.
PAGES = {
    "overview": "overview.py",
    "rankings": "rankings.py",
    "progress": "progress.py",
    "trends": "trends.py",
    "calendar": "calendar.py",
    "road-dust": "road_dust.py",
    "targets": "targets.py",
}


def clear_caches() -> None:
    st.cache_data.clear()
    st.cache_resource.clear()


def _use_database(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("MONITOR_LOAD_DEMO", "0")
    monkeypatch.setenv("MONITOR_USERS", str(ROOT / "tests" / "pages" / "no-users.yaml"))


@pytest.fixture(scope="session")
def module_db(
    seeded_template: str, tmp_path_factory: pytest.TempPathFactory, targets: Targets
) -> Iterator[str]:
    """A seeded database shared by the read-only page tests (its URL): a SQLite copy, or on
    PostgreSQL a clone of the session's seeded database. Session-wide, not one a module: each
    copy's reports were computed afresh by each module's first tests (its URL is in the keys)."""
    if POSTGRES_URL:
        url = _fresh_postgres(POSTGRES_URL, template=_postgres_template(targets, True, True, DEMO_NOW))
    else:
        path = tmp_path_factory.mktemp("pages") / "seeded.db"
        shutil.copyfile(seeded_template, path)
        url = f"sqlite:///{path}"
    clear_caches()
    yield url
    clear_caches()


@pytest.fixture
def shared_db(module_db: str, monkeypatch: pytest.MonkeyPatch) -> str:
    _use_database(monkeypatch, module_db)
    return module_db


#: The keys of the pages' lazy expanders (``w.lazy_expander``: drawn only when open). The page
#: tests open them before the first run, as a reader who clicks them would see the page, so a
#: test reads their content in one run; test_lazy_expanders.py checks that they start closed.
LAZY_EXPANDERS = (
    "overview-tables", "calendar-counts", "sidebar-filters", "tasks-filters", "tasks-by-unit", "indicators-as-of",
    "quality-pick", "calendar-day-pick",
    *(f"method-{name}" for name in ("overview-indicators", "overview-ranking", "rankings", "progress",
                                    "progress-budget", "trends", "calendar", "road-dust")),
    *(f"method-std-compare-{year}" for year in range(2013, 2031)),
    # a long table's grid (w.dataframe: the first rows static, the whole table behind "全部 N 条")
    *(f"{table}-all" for table in (
        "tasks-table", "tasks-overdue", "tasks-summary", "tasks-history", "indicators-table", "indicators-history",
        "events-table", "coverage-streaks", "coverage-recheck", "coverage-quarter", "road-table", "road-month",
        "quality-runs", "quality-rejected-rows", "quality-conflicts", "quality-plausibility", "quality-coverage",
        "upload-counts", "upload-conflicts", "upload-duplicates", "upload-rejected-preview", "upload-rejected-done",
        "calendar-day", "trends-table", "rankings-table", "progress-months", "progress-budget",
        "targets-rule-sets", *(f"std-compare-{year}" for year in range(2013, 2031)))),
)


def make_app(name: str, *, run: bool = True, expanders_open: bool = True, **state: object) -> AppTest:
    """app.py opened on ``pages/<file>`` with the sidebar state given, as a bookmark of that
    page opens it (run once unless ``run=False``). Not the overview first and then a switch:
    that ran the overview page too in every test, ~0.4 s each (issue 15); the switch between
    pages is tested where it matters (test_filters_survive_a_page_switch and others).
    ``expanders_open``: the lazy expanders (LAZY_EXPANDERS) open, their content drawn."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["year"] = YEAR
    if expanders_open:
        for key in LAZY_EXPANDERS:
            at.session_state[key] = True
    for key, value in state.items():
        at.session_state[key] = value
    if name != "overview":
        at.switch_page(f"pages/{PAGES.get(name, name)}")
    if run:
        at.run()
    return at


#: page → the key of its lazy tabs (``w.lazy_tabs``: a hidden tab draws nothing).
LAZY_TABS = {"rankings": "rankings-tab", "targets": "targets-tab"}


def every_tab(name: str, **state: object) -> list[AppTest]:
    """The page once per tab of its lazy tabs, as a reader clicking each in turn (one run each;
    the first is the page as it opens). A page without lazy tabs: one run."""
    first = make_app(name, **state)
    key = LAZY_TABS.get(name)
    if key is None:
        return [first]
    return [first, *(make_app(name, **state, **{key: tab.label}) for tab in list(first.tabs)[1:])]


@pytest.fixture
def open_page(shared_db: str) -> Callable[..., AppTest]:
    return make_app


@pytest.fixture
def private_app(seeded_db: object, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., AppTest]]:
    """Like open_page, on the test's own copy of the database (for tests that write)."""
    from sqlalchemy import Engine

    assert isinstance(seeded_db, Engine)
    _use_database(monkeypatch, seeded_db.url.render_as_string(hide_password=False))
    clear_caches()
    yield make_app
    clear_caches()


class Drawing:
    """A static chart as drawn: ``value`` is its SVG, inline or inside its iframe (widgets.charts.framed)."""

    def __init__(self, markup: str) -> None:
        self.framed = markup.startswith("<iframe")
        self.value = svg_of(markup)


def _srcdoc(markup: str) -> str:
    """An iframe's srcdoc as the browser reads it (an HTML parser: either quoting, references undone)."""
    found: list[str] = []

    class Frame(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag == "iframe":
                found.append(dict(attrs).get("srcdoc") or "")

    Frame().feed(markup)
    return found[0] if found else ""


def svg_of(markup: str) -> str:
    """The SVG a markdown element shows: itself, or the one in its iframe's srcdoc ("" for anything else)."""
    if markup.startswith("<svg"):
        return markup
    if markup.startswith(f'<iframe class="{FRAME_CLASS}"'):
        document = _srcdoc(markup)
        return document[document.find("<svg"):document.rfind("</svg>") + len("</svg>")]
    return ""


def svg_charts(at: AppTest) -> list[Drawing]:
    """The static charts (dashboard.widgets.svg) a run drew: markdown elements holding an SVG."""
    return [Drawing(str(m.value)) for m in at.markdown if svg_of(str(m.value))]


def interactive(at: AppTest, mode: str = "interactive") -> AppTest:
    """Choose 交互图表 under every chart, as a reader would: the plotly charts."""
    for choice in chart_modes(at):
        choice.set_value(mode)
    return at.run()


class Tile:
    """A tile as the page drew it (widgets.tiles.tile_html): what a reader sees in the box."""

    def __init__(self, attrs: dict[str, str | None]) -> None:
        self.label = attrs.get("data-label") or ""
        self.value = attrs.get("data-value") or ""
        self.delta = attrs.get("data-delta")
        self.help = attrs.get("data-help")


class _TileAttrs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[Tile] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "div" and values.get("class") == TILE_CLASS:
            self.found.append(Tile(values))


def is_tile(markup: str) -> bool:
    return f'class="{TILE_CLASS}"' in markup


def tiles_in(markup: str) -> list[Tile]:
    """The tiles one piece of markup holds (widgets.tiles.tile_html)."""
    parser = _TileAttrs()
    parser.feed(markup)
    return parser.found


def tiles(at: AppTest) -> list[Tile]:
    """The page's tiles in page order (the main area), as ``at.metric`` reads Streamlit's metrics."""
    return [box for element in at.main.markdown if is_tile(str(element.value)) for box in tiles_in(str(element.value))]


def chart_modes(at: AppTest) -> list[Any]:
    """The 静态图表 / 交互图表 choices under the page's charts (widgets.chart)."""
    return [r for r in at.radio if str(r.key).endswith("-mode")]


def tables(at: AppTest, *, shown: bool = False) -> list[pd.DataFrame]:
    """The page's tables in page order, whichever element drew them (a short one is a static
    HTML table in a markdown element, see ``widgets.dataframe``). A long table is counted once: its
    static preview (first 30 rows) while its expander is closed, its grid (every row) once open.

    ``shown=False``: the values the page passed (numbers stay numbers). ``shown=True``: the text
    each cell shows — the Styler's text (a dash for a missing value, one decimal), and for a
    missing cell the grid draws without a Styler, "None", as the browser prints it."""
    found: list[pd.DataFrame] = []
    preview: tuple[int, int] | None = None  # (where, rows) of a static preview whose grid may follow
    for node in at.main:
        if isinstance(node, Dataframe):
            value = _shown(node) if shown else node.value
            if preview is not None and len(node.value) == preview[1]:
                found[preview[0]] = value  # the grid behind a preview is the same table, whole
            else:
                found.append(value)
            preview = None
        elif isinstance(node, Markdown) and is_static_table(str(node.value)):
            markup = str(node.value)
            found.append(_static_shown(markup) if shown else _static_values(markup))
            rows = preview_of(markup)
            preview = None if rows is None else (len(found) - 1, rows)
    return found


def is_static_table(markup: str) -> bool:
    """A markdown element that is a static table (widgets.static_table)."""
    return f'class="{STATIC_TABLE_CLASS}"' in markup


def preview_of(markup: str) -> int | None:
    """The row count of the table a static table previews (widgets.dataframe: its first rows, the
    grid behind a lazy expander), None for a table shown whole."""
    found = re.search(rf'{PREVIEW_ATTRIBUTE}="(\d+)"', markup)
    return int(found.group(1)) if found else None


def _static_values(markup: str) -> pd.DataFrame:
    """The values a static table carries in its ``data-frame`` attribute (JSON, orient="split")."""
    return pd.read_json(io.StringIO(_TableText.of(markup).frame_json), orient="split", dtype=False)


def _static_shown(markup: str) -> pd.DataFrame:
    parsed = _TableText.of(markup)
    return pd.DataFrame(parsed.rows, columns=parsed.header, dtype=object)


class _TableText(HTMLParser):
    """The header, the cells' text and the data-frame attribute of one static table."""

    def __init__(self) -> None:
        super().__init__()
        self.header: list[str] = []
        self.rows: list[list[str]] = []
        self.frame_json = ""
        self._cell: list[str] | None = None
        self._in_head = False

    @classmethod
    def of(cls, markup: str) -> _TableText:
        parser = cls()
        parser.feed(markup)
        return parser

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.frame_json = dict(attrs).get("data-frame") or ""
        elif tag == "thead":
            self._in_head = True
        elif tag == "tr" and not self._in_head:
            self.rows.append([])
        elif tag in ("th", "td"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "thead":
            self._in_head = False
        elif tag in ("th", "td") and self._cell is not None:
            text = "".join(self._cell).strip()
            (self.header if self._in_head else self.rows[-1]).append(text)
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _shown(node: Dataframe) -> pd.DataFrame:
    raw = node.value
    display = node.proto.arrow_data.styler.display_values
    if display:
        text = convert_arrow_bytes_to_pandas_df(display)
        text.columns = raw.columns
        return text.reset_index(drop=True)
    return raw.astype(object).where(raw.notna(), "None").astype(str).reset_index(drop=True)
