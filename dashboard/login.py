"""The login form in the sidebar: a username and password checked against bcrypt hashes.

Without a login the visitor is ``ANONYMOUS`` (a viewer): every page reads, nothing writes,
and the ingestion functions refuse the call even if a page forgot to hide a button.
A successful login puts ``Actor(username, role)`` in ``st.session_state["actor"]``,
which ``dashboard.context.actor()`` reads. The session lives as long as the browser tab;
no cookie is kept, so closing the tab logs out.
"""

from __future__ import annotations

import math

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from dashboard import context as ctx
from monitoring import actors, auth
from monitoring.actors import Actor, require_admin
from monitoring.errors import MonitorError, PermissionDenied

_NAME_KEY = "auth_display_name"


def _log_out() -> None:
    st.session_state.pop(ctx.ACTOR_KEY, None)
    st.session_state.pop(_NAME_KEY, None)


def _refresh(box: DeltaGenerator) -> None:
    """The session's role as the users file says now: `users role` and `users remove` apply
    to a session already logged in (every write also re-checks, in actors.require_writer)."""
    actor = st.session_state.get(ctx.ACTOR_KEY)
    if not isinstance(actor, Actor):
        return
    try:
        fresh = actors.current(actor)
    except PermissionDenied:
        _log_out()
        box.warning(ctx.t("auth.revoked"))
        return
    except MonitorError as exc:  # an unreadable users file: no rights until it is fixed
        _log_out()
        ctx.show_error(exc, box)
        return
    if fresh is not None and fresh.role != actor.role:
        st.session_state[ctx.ACTOR_KEY] = fresh
        box.info(ctx.t("auth.role_changed", role=ctx.t(f"auth.role.{fresh.role}")))


def login_sidebar() -> Actor:
    """Draw the login form (or who is logged in, with a log-out button); return the actor."""
    box = st.sidebar.expander(ctx.t("auth.title"), expanded=False, icon=":material/login:")
    _refresh(box)
    current = ctx.actor()
    if current.name != "anonymous" and ctx.ACTOR_KEY in st.session_state:
        name = st.session_state.get(_NAME_KEY, current.name)
        box.caption(ctx.t("auth.signed_in", name=name, role=ctx.t(f"auth.role.{current.role}")))
        box.button(ctx.t("auth.logout"), on_click=_log_out, key="auth_logout")
        admin_panel(current)
        return current
    try:
        users = auth.load_users()
    except MonitorError as exc:
        ctx.show_error(exc, box)
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
        ip = st.context.ip_address  # None through localhost (a reverse proxy on the same host)
        try:
            result = auth.login(username, password, client=ip if isinstance(ip, str) else None)
        except MonitorError as exc:
            ctx.show_error(exc, box)
            return current
        actor = result.actor
        if result.locked:
            box.error(ctx.t("auth.locked", minutes=max(1, math.ceil(result.wait_s / 60))))
            return current
        if result.throttled:
            box.error(ctx.t("auth.wait", seconds=max(1, math.ceil(result.wait_s))))
            return current
        if actor is None:
            box.error(ctx.t("auth.failed"))
            return current
        st.session_state[ctx.ACTOR_KEY] = actor
        st.session_state[_NAME_KEY] = users[actor.name].name
        # Rerun so the page below is drawn for the new role (upload controls appear).
        st.rerun()
    return current


def _admins_after(users: dict[str, auth.User], username: str, role: str | None) -> int:
    """How many admins remain if ``username`` gets ``role`` (None: is removed)."""
    roles = {u.username: u.role for u in users.values()}
    if role is None:
        roles.pop(username, None)
    else:
        roles[username] = role  # type: ignore[assignment]
    return sum(1 for r in roles.values() if r == "admin")


def admin_panel(current: Actor) -> None:
    """Add users, change roles, remove users: admins only (the `users` command does the same)."""
    if not current.is_admin:
        return
    box = st.sidebar.expander(ctx.t("auth.admin.title"), icon=":material/manage_accounts:")
    roles = ["viewer", "analyst", "admin"]
    try:
        users = auth.load_users()
        with box.form("auth_admin_add", clear_on_submit=True, border=False):
            st.caption(ctx.t("auth.admin.add"))
            new_user = st.text_input(ctx.t("auth.username"), key="auth_admin_username")
            new_name = st.text_input(ctx.t("auth.admin.name"), key="auth_admin_name")
            new_role = st.selectbox(ctx.t("auth.admin.role"), roles, format_func=lambda r: ctx.t(f"auth.role.{r}"),
                                    key="auth_admin_role")
            new_password = st.text_input(ctx.t("auth.password"), type="password", key="auth_admin_password",
                                         autocomplete="new-password")
            if st.form_submit_button(ctx.t("auth.admin.submit")):
                require_admin(ctx.actor())
                auth.add_user(new_user.strip(), new_password, str(new_role), new_name.strip())
                box.success(ctx.t("auth.admin.added", user=new_user.strip()))
                users = auth.load_users()
        box.caption(ctx.t("auth.admin.change"))
        who = box.selectbox(ctx.t("auth.admin.user"), sorted(users), key="auth_admin_who")
        if who is None:
            return
        role = box.selectbox(ctx.t("auth.admin.role"), roles, index=roles.index(users[who].role),
                             format_func=lambda r: ctx.t(f"auth.role.{r}"), key="auth_admin_new_role")
        left, right = box.columns(2)
        if left.button(ctx.t("auth.admin.set_role"), key="auth_admin_set_role"):
            require_admin(ctx.actor())
            if _admins_after(users, who, str(role)) == 0:
                box.error(ctx.t("auth.admin.last_admin"))
            else:
                auth.set_role(who, str(role))
                if who == current.name:  # the admin changed their own role: it applies now
                    st.session_state[ctx.ACTOR_KEY] = Actor(who, role, current.users_file)  # type: ignore[arg-type]
                box.success(ctx.t("auth.admin.done"))
        if right.button(ctx.t("auth.admin.remove"), key="auth_admin_remove", type="secondary"):
            require_admin(ctx.actor())
            if _admins_after(users, who, None) == 0:
                box.error(ctx.t("auth.admin.last_admin"))
            else:
                auth.remove_user(who)
                if who == current.name:
                    _log_out()
                box.success(ctx.t("auth.admin.done"))
    except MonitorError as exc:
        ctx.show_error(exc, box)
