"""The dashboard's router: page navigation, the shared sidebar, the demo banner.

Run: ``streamlit run app.py`` (the README's run command does it for you). Pages live in
pages/ and draw what monitoring/ computes; this file only wires them together.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboard import auth, loaders
from dashboard import context as ctx
from monitoring import i18n, timeutil

st.set_page_config(page_title="西城区空气质量目标监测", page_icon="🌫️", layout="wide")

PAGES_DIR = Path(__file__).parent / "pages"
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
    if st.session_state.get(ctx.YEAR_KEY) not in choices:
        st.session_state[ctx.YEAR_KEY] = choices[0]
    st.sidebar.selectbox(ctx.t("sidebar.year"), options=choices, key=ctx.YEAR_KEY)
    st.sidebar.radio(
        ctx.t("sidebar.period"),
        options=["ytd", "month"],
        format_func=lambda v: i18n.t(f"sidebar.period.{v}", lang),
        key=ctx.PERIOD_KEY,
    )
    if st.session_state.get(ctx.PERIOD_KEY) == "month":
        st.sidebar.selectbox(ctx.t("sidebar.month"), options=list(range(1, 13)), key=ctx.MONTH_KEY)
    st.sidebar.selectbox(
        ctx.t("sidebar.pollutant"),
        options=["pm25", "pm10", "no2", "so2", "o3", "co"],
        format_func=lambda p: i18n.t(f"pollutant.{p}", lang),
        key=ctx.POLLUTANT_KEY,
    )


def _last_complete_month() -> int:
    """The month view opens on the last month that is over (the current one is still filling)."""
    return (timeutil.today_beijing().month - 2) % 12 + 1


def main() -> None:
    # Widgets' values outlive the pages that show them only if the keys stay set.
    for key, default in ((ctx.LANG_KEY, "zh"), (ctx.PERIOD_KEY, "ytd"), (ctx.POLLUTANT_KEY, "pm25"),
                         (ctx.MONTH_KEY, _last_complete_month())):
        st.session_state.setdefault(key, default)
        st.session_state[key] = st.session_state[key]
    engine = ctx.engine()
    ctx.targets()
    pages = [
        st.Page(str(PAGES_DIR / file), title=ctx.t(label), url_path=url, icon=icon, default=(url == "overview"))
        for file, label, url, icon in PAGE_TABLE
    ]
    nav = st.navigation(pages)
    st.sidebar.title(ctx.t("app.title"))
    sidebar(loaders.available_years(engine, ctx.cache_key()))
    auth.login_sidebar()
    demo = loaders.demo_years(engine, ctx.cache_key())
    if demo:
        st.warning(ctx.t("demo.banner", year="、".join(map(str, demo))), icon=":material/science:")
    nav.run()


main()
