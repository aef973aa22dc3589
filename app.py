"""The dashboard's router: page navigation, the shared sidebar, the demo banner.

Run: ``./run.sh``, or ``python -m dashboard.serve app.py [streamlit flags]`` (``streamlit run``
with Streamlit's old pages/ layout off: see dashboard/serve.py). Pages live in
pages/ and draw what monitoring/ computes; this file only wires them together.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboard import context as ctx
from dashboard import loaders, login
from dashboard import widgets as w
from monitoring import i18n, timeutil
from monitoring.targets import POLLUTANT_TABLE

st.set_page_config(page_title="西城区空气质量目标监测", page_icon="🌫️", layout="wide")

PAGES_DIR = Path(__file__).parent / "pages"
DEFAULT_URL = "overview"
#: The default page's internal name (its URL is the root): one no visitor types.
ROOT_NAME = "_root"
# (file, label key, url path, icon); a missing file stops the app (st.Page raises), never a silently absent page.
PAGE_TABLE = [
    ("overview.py", "nav.overview", "overview", ":material/dashboard:"),
    ("rankings.py", "nav.rankings", "rankings", ":material/leaderboard:"),
    ("progress.py", "nav.progress", "progress", ":material/trending_down:"),
    ("trends.py", "nav.trends", "trends", ":material/timeline:"),
    ("calendar.py", "nav.calendar", "calendar", ":material/calendar_month:"),
    ("road_dust.py", "nav.road_dust", "road-dust", ":material/add_road:"),
    ("indicators.py", "nav.indicators", "indicators", ":material/checklist:"),
    ("tasks.py", "nav.tasks", "tasks", ":material/task:"),
    ("upload.py", "nav.upload", "upload", ":material/upload_file:"),
    ("quality.py", "nav.quality", "quality", ":material/fact_check:"),
    ("targets.py", "nav.targets", "targets", ":material/flag:"),
]


#: The filters' expander (year, period, month, pollutant): closed, its widgets are not drawn.
FILTERS_KEY = "sidebar-filters"


def filters_summary(lang: str) -> str:
    """What the filters hold now, in one line: the closed box's neighbour says it."""
    period = st.session_state.get(ctx.PERIOD_KEY, "ytd")
    when = (i18n.t("sidebar.filters.month", lang, month=int(st.session_state.get(ctx.MONTH_KEY, 1)))
            if period == "month" else i18n.t("sidebar.filters.ytd", lang))
    pollutant = i18n.t(f"pollutant.{st.session_state.get(ctx.POLLUTANT_KEY, 'pm25')}", lang)
    return i18n.t("sidebar.filters.now", lang, year=st.session_state.get(ctx.YEAR_KEY), period=when, pollutant=pollutant)


def sidebar(years: list[int]) -> None:
    # format_func may be called outside a script run (AppTest does): bind the language now.
    lang = ctx.lang()
    st.sidebar.radio(
        ctx.t("sidebar.language"),
        options=["zh", "en"],
        format_func=lambda v: "中文" if v == "zh" else "English",
        key=ctx.LANG_KEY,
        horizontal=True,
    )
    this_year = timeutil.today_beijing().year
    choices = years or [this_year]
    # The widgets below are drawn only when their box is open, so they cannot refuse a stale
    # session's value: each is checked here against its options, as the widget would.
    defaults = {**_filter_defaults(), ctx.YEAR_KEY: choices[0]}
    for key, options in ((ctx.YEAR_KEY, choices), (ctx.PERIOD_KEY, ["ytd", "month"]), (ctx.MONTH_KEY, range(1, 13)),
                         (ctx.POLLUTANT_KEY, [p.code for p in POLLUTANT_TABLE])):
        if st.session_state.get(key) not in options:
            st.session_state[key] = defaults[key]
    # The filters sit in an expander drawn only when open, the choice named beside it: the four
    # widgets cost every cold load ≈ 0.15 × a one-line page in the browser (docs/PERFORMANCE.md);
    # closed, the values live on in session_state (main() keeps them). The label stays the same
    # whatever is chosen: a new label would be a new expander, closed after every change.
    st.sidebar.caption(filters_summary(lang))
    with st.sidebar:
        box = w.lazy_expander(ctx.t("sidebar.filters"), key=FILTERS_KEY, icon=":material/tune:")
    if box is None:
        return
    box.selectbox(ctx.t("sidebar.year"), options=choices, key=ctx.YEAR_KEY)
    box.radio(
        ctx.t("sidebar.period"),
        options=["ytd", "month"],
        format_func=lambda v: i18n.t(f"sidebar.period.{v}", lang),
        key=ctx.PERIOD_KEY,
        horizontal=True,
    )
    if st.session_state.get(ctx.PERIOD_KEY) == "month":
        box.selectbox(ctx.t("sidebar.month"), options=list(range(1, 13)), key=ctx.MONTH_KEY)
    box.selectbox(
        ctx.t("sidebar.pollutant"),
        options=[p.code for p in POLLUTANT_TABLE],
        format_func=lambda p: i18n.t(f"pollutant.{p}", lang),
        key=ctx.POLLUTANT_KEY,
    )


def _filter_defaults() -> dict[str, object]:
    """What a new session starts with, and what a stale value falls back to (the year: None,
    the latest year with data once the sidebar knows them). The month view opens on the last
    month that is over (the current one is still filling)."""
    return {ctx.LANG_KEY: "zh", ctx.PERIOD_KEY: "ytd", ctx.POLLUTANT_KEY: "pm25",
            ctx.MONTH_KEY: (timeutil.today_beijing().month - 2) % 12 + 1, ctx.YEAR_KEY: None}


def not_found_page(path: str, home: st.Page) -> st.Page:
    """A hidden page at the unknown ``path``: the visitor gets a message in the screen's
    language and a way back, instead of Streamlit's English "Page not found" dialog."""

    def draw() -> None:
        st.title(ctx.t("nav.not_found.title"))
        st.info(ctx.t("nav.not_found.body", path=path), icon=":material/link_off:")
        st.page_link(home, label=ctx.t("nav.not_found.back"), icon=":material/dashboard:")

    return st.Page(draw, title=ctx.t("nav.not_found.title"), url_path=path, visibility="hidden")


def build_pages() -> list[st.Page]:
    """The sidebar's pages, plus what makes every bookmark land somewhere.

    The default page (the overview) is served at the root URL, and Streamlit then knows
    no ``/overview``: a hidden page at that path shows the same file. A path that names
    no page gets ``not_found_page``.
    """
    pages: list[st.Page] = []
    for file, label, url, icon in PAGE_TABLE:
        # no existence check: a missing page file stops the app (st.Page raises), it is never silently left out
        if url == DEFAULT_URL:
            # The default page's own url_path is never shown (its URL is the root), but it
            # names the page internally: ROOT_NAME leaves "overview" free for the alias.
            pages.append(st.Page(str(PAGES_DIR / file), title=ctx.t(label), url_path=ROOT_NAME, icon=icon, default=True))
            pages.append(st.Page(str(PAGES_DIR / file), title=ctx.t(label), url_path=url, visibility="hidden"))
        else:
            pages.append(st.Page(str(PAGES_DIR / file), title=ctx.t(label), url_path=url, icon=icon))
    home = next((p for p in pages if p.url_path == ""), pages[0])
    requested = ctx.requested_page()
    if requested and requested != ROOT_NAME and requested not in {url for _f, _l, url, _i in PAGE_TABLE}:
        pages.append(not_found_page(requested, home))
    return pages


def main() -> None:
    # Widgets' values outlive the pages that show them only if the keys stay set.
    for key, default in _filter_defaults().items():
        st.session_state.setdefault(key, default)
        st.session_state[key] = st.session_state[key]
    engine = ctx.engine()
    ctx.targets()
    nav = st.navigation(build_pages())
    st.sidebar.title(ctx.t("app.title"))
    sidebar(loaders.available_years(engine, ctx.cache_key()))
    login.login_sidebar()
    demo = loaders.demo_years(engine, ctx.cache_key())
    if demo:
        st.warning(ctx.t("demo.banner", year="、".join(map(str, demo))), icon=":material/science:")
    nav.run()


main()
