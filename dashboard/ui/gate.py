"""The login gate: users, sessions (the signed-in user checked on every call), the session
cookie's hidden frames, screen tokens of meeting screens, the open demo mode, logout."""

from __future__ import annotations

import secrets as _secrets
import time as _time
from typing import TYPE_CHECKING
from urllib.parse import urlencode

import streamlit as st

from .. import auth, i18n
from ..i18n import t
from . import memory
from .handles import store

if TYPE_CHECKING:
    from ..context import Context


def users() -> auth.Users:
    return auth.Users(store().state)


def _headers() -> dict[str, str]:
    try:
        return {k.lower(): v for k, v in (st.context.headers or {}).items()}
    except Exception:  # no client (a bare script run)
        return {}


_FORWARDED = ("x-forwarded-for", "forwarded", "x-real-ip")


def _peer() -> str | None:
    """st.context.ip_address: None for this machine (loopback) or when there is no client."""
    peer = st.context.ip_address
    return peer if isinstance(peer, str) and peer else None


def client_address() -> str:
    """The browser's address: the peer's, or, when the peer is a configured proxy
    (auth.TRUSTED_PROXIES_ENV: the nginx of deploy/), the address it forwards (X-Real-IP,
    else the last X-Forwarded-For). Anyone else's forwarded headers are ignored: a local
    process gets no free guesses under invented addresses, nor writes them into the log."""
    peer = _peer()
    address = "127.0.0.1" if peer is None else str(peer)[:64]  # None: 127.0.0.1 or ::1
    trusted = auth.trusted_proxies()
    if address in trusted or (peer is None and "::1" in trusted):
        h = _headers()
        forwarded = h.get("x-real-ip") or (h.get("x-forwarded-for") or "").split(",")[-1]
        if forwarded.strip():
            return forwarded.strip()[:64]
    return address


def _loopback(address: str | None) -> bool:
    return (address or "") in ("127.0.0.1", "localhost", "::1") or (address or "").startswith("127.")


def direct_local() -> bool:
    """This request reaches the app straight from this machine: no proxy header, a loopback
    peer, and the server listens on loopback only."""
    h = _headers()
    return (
        _peer() is None and not any(k in h for k in _FORWARDED) and _loopback(st.get_option("server.address"))
    )


def open_mode() -> bool:
    """No users are set up (the open demo mode, served only to this machine: login_gate)."""
    return not users().any()


def open_here() -> bool:
    """The open demo mode, and this request from this machine: every page open, no login."""
    return open_mode() and direct_local()


def _note(key: str) -> None:
    """A message for the login form of the next run (why the session ended)."""
    st.session_state["_auth_note"] = key


def _clear_session(note: str | None = None) -> None:
    for key in list(st.session_state.keys()):
        if not key.startswith("_view_"):
            del st.session_state[key]
    st.session_state["_cookie_off"] = True  # this tab's handshake cookie is spent
    st.session_state["_clear_cookie"] = True
    if note:
        _note(note)


def current_user() -> auth.User | None:
    """The signed-in user, checked against the user file on every call (the file is parsed
    again only when it changed): a removed account or a new password ends the session at
    once; a new role or township applies at once."""
    auth.REQUEST.set({"address": client_address(), "via": "page"})
    user = st.session_state.get("_user")
    if user is None:
        return None
    account = users().account(user.name)
    if account is None:
        # Written by the dashboard, not by the removed account (`user` stays empty).
        users().audit_quietly("session_ended", None, name=user.name, reason="account removed")
        _clear_session("auth.ended_removed")
        return None
    if account.stamp != st.session_state.get("_stamp"):
        users().audit_quietly("session_ended", None, name=user.name, reason="password changed")
        _clear_session("auth.ended_password")
        return None
    if users().session_revoked(st.session_state.get("_sid")):
        _clear_session("auth.ended_cookie")  # signed out in another tab
        return None
    if not _time.time() < st.session_state.get("_expires", 0):
        # The session's 12 hours are over (its cookie's too): an open tab ends with it.
        users().audit_quietly("session_ended", None, name=user.name, reason="expired")
        _clear_session("auth.ended_cookie")
        return None
    if account.user != user:
        st.session_state["_user"] = account.user
    return account.user


def screen_grant() -> auth.ScreenGrant | None:
    """The screen token of this kiosk session, checked again (revoked: None)."""
    grant = st.session_state.get("_screen")
    if grant is None:
        return None
    if users().screen_grant(grant.name, st.session_state.get("_screen_token")) != grant:
        st.session_state.pop("_screen", None)
        st.session_state.pop("_screen_token", None)
        _note("auth.screen_revoked")
        return None
    return grant


def _cookie(name: str) -> str | None:
    """A cookie the websocket's handshake carried (None without a client)."""
    try:
        value = st.context.cookies.get(name)
    except Exception:
        return None
    return value if isinstance(value, str) and value else None


def _start_session(account: auth.Account) -> None:
    sid = _secrets.token_hex(8)
    ends = _time.time() + auth.SESSION_HOURS * 3600
    st.session_state["_user"] = account.user
    st.session_state["_stamp"] = account.stamp
    st.session_state["_sid"] = sid
    st.session_state["_expires"] = ends
    bind = _cookie(auth.BIND_COOKIE)
    if bind is None:
        # No binding cookie (cookies blocked): no ticket, so no session cookie; the session
        # lives in this tab only.
        st.session_state.pop("_ticket", None)
        return
    st.session_state["_ticket"] = (
        users().ticket(account.user.name, sid, bind, until=ends),
        _time.time() + auth.TICKET_SECONDS - 5,
    )


def _from_cookie() -> auth.User | None:
    """A session carried over a reload or into a new tab by the session cookie."""
    if st.session_state.get("_cookie_off"):
        return None
    token = _cookie(auth.COOKIE)
    if not token:
        return None
    checked = users().check_session(token)
    if checked is None:
        st.session_state["_cookie_off"] = True
        st.session_state["_clear_cookie"] = True
        _note("auth.ended_cookie")
        return None
    st.session_state["_user"] = checked.account.user
    st.session_state["_stamp"] = checked.account.stamp
    st.session_state["_sid"] = checked.sid
    st.session_state["_expires"] = checked.expires
    return checked.account.user


def _base_path() -> str:
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}" if base else ""


def _cookie_frames() -> None:
    """Hidden frames that set (after a login) or clear (after a logout) the session cookie."""
    ticket = st.session_state.get("_ticket")
    if (ticket and ticket[1] > _time.time()) or st.session_state.get("_clear_cookie"):
        # Out of the layout, still loaded: a frame of no size outside the page flow.
        st.html(
            "<style>.st-key-auth-cookie, .st-key-auth-cookie-clear {position: absolute;"
            " width: 0; height: 0; overflow: hidden; visibility: hidden;}</style>"
        )
    if ticket and ticket[1] > _time.time():
        with st.container(key="auth-cookie", height=1, border=False):
            st.iframe(
                f"{_base_path()}/auth/session?{urlencode({'ticket': ticket[0]})}",
                height=1,
                tab_index=-1,
                alt="session",
            )
    elif ticket:
        st.session_state.pop("_ticket", None)
    if st.session_state.get("_clear_cookie"):
        with st.container(key="auth-cookie-clear", height=1, border=False):
            st.iframe(f"{_base_path()}/auth/logout", height=1, tab_index=-1, alt="logout")


def login_gate(lang: str, banner: bool = True, kiosk: bool = False) -> auth.User | None:
    """Show the login form and stop the run until someone logs in.

    With no users at all, and a request that reaches the app straight from this machine,
    the dashboard runs in an open demo mode: it says so on every page (the meeting screen,
    `banner=False`, says it in its status line). Through a proxy, or from another machine,
    it shows the login form and asks for a user to be added.
    A kiosk link (`kiosk=True`) may carry a screen token (`screen=NAME&token=...`): it
    opens that meeting screen only.
    """
    user = current_user() or _from_cookie()
    if user is not None:
        _cookie_frames()
        return user
    if kiosk and st.query_params.get("token"):
        grant = users().screen_grant(st.query_params.get("screen"), st.query_params.get("token"))
        if grant is not None:
            st.session_state["_screen"] = grant
            st.session_state["_screen_token"] = st.query_params.get("token")
            return None
        _note("auth.screen_revoked")
    no_users = open_mode()
    if no_users and direct_local():
        if banner:
            st.warning(t("auth.open_mode", lang), icon=":material/lock_open:")
        return None
    _cookie_frames()
    st.title(t("app.title", lang))
    note = "auth.no_users" if no_users else st.session_state.get("_auth_note")
    if note:
        st.warning(t(note, lang))
    with st.form("login"):
        st.subheader(t("auth.login", lang))
        name = st.text_input(t("auth.name", lang), max_chars=auth.MAX_NAME)
        password = st.text_input(t("auth.password", lang), type="password", max_chars=auth.MAX_PASSWORD)
        submitted = st.form_submit_button(t("auth.submit", lang))
    if submitted:
        try:
            user = users().authenticate(name.strip(), password, address=client_address())
            account = users().account(user.name)
            if account is not None:
                st.session_state.pop("_auth_note", None)
                st.session_state.pop("_clear_cookie", None)
                _start_session(account)
                st.rerun()
        except auth.AuthError as e:
            st.error(e.en if lang == "en" else e.zh)
    memory.note_run()  # the login form's run counts for the collector too
    st.stop()


def actor_name(ctx: Context) -> str:
    """Who is acting, for the history and the audit log."""
    user = current_user()
    return user.name if user else t("auth.demo_actor", ctx.lang)


def logout_button(ctx: Context) -> None:
    user = current_user()
    if user is None:
        return
    role = i18n.enum_label(auth.ROLES, user.role, ctx.lang)
    st.sidebar.caption(t("auth.signed_in", ctx.lang, name=user.name, role=role))
    if st.sidebar.button(t("auth.logout", ctx.lang)):
        # Fail closed: the tab forgets the session and the cookie is cleared whatever
        # happens; the server refuses the session at once in this process (auth.end_session)
        # and writes it down for the other replicas as soon as it can. A logout that could
        # not be written is said so, and audited as such.
        recorded = users().end_session(st.session_state.get("_sid"))
        users().audit_quietly("logout", user.name, **({} if recorded else {"recorded": False}))
        _clear_session(None if recorded else "auth.logout_unrecorded")
        st.rerun()
