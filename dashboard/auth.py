"""The login form in the sidebar: a username and password checked against bcrypt hashes.

Without a login the visitor is ``ANONYMOUS`` (a viewer): every page reads, nothing writes,
and the ingestion functions refuse the call even if a page forgot to hide a button.
A successful login puts ``Actor(username, role)`` in ``st.session_state["actor"]``,
which ``dashboard.context.actor()`` reads. The session lives as long as the browser tab;
no cookie is kept, so closing the tab logs out.
"""

from __future__ import annotations

import streamlit as st

from dashboard import context as ctx
from monitoring import auth
from monitoring.actors import Actor
from monitoring.errors import MonitorError

_NAME_KEY = "auth_display_name"


def _log_out() -> None:
    st.session_state.pop(ctx.ACTOR_KEY, None)
    st.session_state.pop(_NAME_KEY, None)


def login_sidebar() -> Actor:
    """Draw the login form (or who is logged in, with a log-out button); return the actor."""
    box = st.sidebar.expander(ctx.t("auth.title"), expanded=False, icon=":material/login:")
    current = ctx.actor()
    if current.name != "anonymous" and ctx.ACTOR_KEY in st.session_state:
        name = st.session_state.get(_NAME_KEY, current.name)
        box.caption(ctx.t("auth.signed_in", name=name, role=ctx.t(f"auth.role.{current.role}")))
        box.button(ctx.t("auth.logout"), on_click=_log_out, key="auth_logout")
        return current
    try:
        users = auth.load_users()
    except MonitorError as exc:
        box.error(exc.message_zh if ctx.lang() == "zh" else exc.message)
        return current
    if not users:
        box.caption(ctx.t("auth.no_users"))
        return current
    with box.form("auth_login", clear_on_submit=True, border=False):
        username = st.text_input(ctx.t("auth.username"), key="auth_username", autocomplete="username")
        password = st.text_input(ctx.t("auth.password"), type="password", key="auth_password",
                                 autocomplete="current-password")
        submitted = st.form_submit_button(ctx.t("auth.submit"))
    box.caption(ctx.t("auth.viewer_note"))
    if submitted:
        actor = auth.authenticate(username, password)
        if actor is None:
            box.error(ctx.t("auth.failed"))
            return current
        st.session_state[ctx.ACTOR_KEY] = actor
        st.session_state[_NAME_KEY] = users[actor.name].name
        # Rerun so the page below is drawn for the new role (upload controls appear).
        st.rerun()
    return current
