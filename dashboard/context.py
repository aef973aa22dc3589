"""What every page needs: the engine, the targets, the language, the filters, the actor."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, NoReturn

import streamlit as st
from sqlalchemy import Engine

from monitoring import i18n, timeutil
from monitoring.actors import ANONYMOUS, Actor
from monitoring.errors import MonitorError
from monitoring.i18n import Lang
from monitoring.targets import Targets, load_targets

#: session_state keys shared across pages (the sidebar widgets use them as their keys).
LANG_KEY = "lang"
YEAR_KEY = "year"
PERIOD_KEY = "period"
MONTH_KEY = "month"
POLLUTANT_KEY = "pollutant"
ACTOR_KEY = "actor"


@st.cache_resource(show_spinner=False)
def _engine(url: str) -> Engine:
    from monitoring.database import open_engine

    return open_engine(url)


def engine() -> Engine:
    """The database engine, created and initialised once per server process (and URL)."""
    from monitoring import config

    try:
        return _engine(config.database_url())
    except MonitorError as exc:
        stop_with(exc)


def targets() -> Targets:
    try:
        return load_targets()
    except MonitorError as exc:
        stop_with(exc)


def lang() -> Lang:
    value = st.session_state.get(LANG_KEY, "zh")
    return "en" if value == "en" else "zh"


def t(key: str, **values: Any) -> str:
    return i18n.t(key, lang(), **values)


def actor() -> Actor:
    value = st.session_state.get(ACTOR_KEY)
    return value if isinstance(value, Actor) else ANONYMOUS


@dataclass(frozen=True)
class Filters:
    """The sidebar's choices, honoured by every page."""

    year: int
    period: str  # "ytd" or "month"
    month: int | None
    pollutant: str

    @property
    def through(self) -> dt.date | None:
        """Last day of the chosen month, or None for the year to date."""
        if self.period != "month" or self.month is None:
            return None
        nxt = dt.date(self.year + (self.month == 12), self.month % 12 + 1, 1)
        return nxt - dt.timedelta(days=1)


def filters() -> Filters:
    # the as-of day is Beijing's (or MONITOR_TODAY), not the server's clock
    today = timeutil.today_beijing()
    period = st.session_state.get(PERIOD_KEY, "ytd")
    return Filters(
        year=int(st.session_state.get(YEAR_KEY, today.year)),
        period="month" if period == "month" else "ytd",
        month=int(st.session_state.get(MONTH_KEY, today.month)) if period == "month" else None,
        pollutant=str(st.session_state.get(POLLUTANT_KEY, "pm25")),
    )


def show_error(exc: MonitorError, box: Any = None) -> None:
    """A user's or operator's problem in one line in the screen's language, and what to do.

    ``box`` is where to draw (a container, the sidebar); the page body by default.
    """
    target = box if box is not None else st
    chinese = lang() == "zh"
    target.error(exc.message_zh if chinese else exc.message)
    hint = (exc.hint_zh or exc.hint) if chinese else exc.hint
    if hint:
        target.caption(t("error.hint", hint=hint))


def stop_with(exc: MonitorError) -> NoReturn:
    """Show a user's or operator's problem (``show_error``) and stop the page."""
    show_error(exc)
    st.stop()
    raise AssertionError("unreachable")  # st.stop raises; this keeps type checkers honest


def cache_key() -> str:
    """What a cached figure depends on besides its arguments: the database and targets.yaml."""
    from monitoring import config

    path = config.targets_path()
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        stamp = 0
    return f"{config.database_url()}|{path}|{stamp}"


def clear_data_caches() -> None:
    """After a write (upload, pull, flag), every cached figure must be recomputed."""
    st.cache_data.clear()


def requested_page() -> str | None:
    """The URL path this script run was asked for (``"rankings"`` for ``/rankings``), if known.

    Read before ``st.navigation`` so that a path naming no page can be given a page of its
    own. Streamlit offers no public accessor; on a version without this attribute the
    answer is None and Streamlit's own "Page not found" dialog comes back (the e2e test
    ``test_unknown_url_says_so_in_chinese`` notices).
    """
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    run = get_script_run_ctx()
    manager = getattr(run, "pages_manager", None)
    name = getattr(manager, "intended_page_name", None)
    return (name.strip("/") or None) if isinstance(name, str) else None


def route_through_app() -> None:
    """Hand a page opened by URL on a fresh server over to the router (app.py).

    Streamlit treats a folder named ``pages/`` as its old multipage layout until
    ``st.navigation`` has run once in the process; until then a bookmark such as
    ``/rankings`` runs the page file alone, without the sidebar, the banner or the login.
    Switching that mode off and rerunning sends the same request through app.py (one
    extra script run, once per server process). Started as run.sh starts it
    (``python -m dashboard.serve``, which switches the mode off before the first request)
    this does nothing; it stays for a plain ``streamlit run app.py`` (the README allows it),
    where it is what keeps a bookmark on a fresh server working. ``PagesManager.uses_pages_directory`` is
    Streamlit's own switch (``st.navigation`` sets it the same way); if a later version
    drops it, nothing is done here and ``test_bookmark_on_a_fresh_server`` fails.
    """
    try:
        from streamlit.runtime.pages_manager import PagesManager
        from streamlit.runtime.scriptrunner import get_script_run_ctx
    except ImportError:
        return
    if getattr(PagesManager, "uses_pages_directory", None) and get_script_run_ctx() is not None:
        PagesManager.uses_pages_directory = False
        st.rerun()


# Every page imports this module first, so this covers the pages of every helper.
route_through_app()
