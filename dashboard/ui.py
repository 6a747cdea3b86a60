"""The only Streamlit-aware helpers: filters kept in the URL, cached data access, tiles.

Pages call `ui.context()` for the view (language, township, week, data version)
and `ui.data(name, ctx)` for a figure or list of `dashboard.metrics`; results
are cached by data version, so a new load invalidates nothing by hand.
"""
from __future__ import annotations

import atexit
import datetime as dt
import gc
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from . import auth, export, i18n, metrics
from . import screens as screens_module
from .i18n import t
from .store import Store

COUNTY = ""   # the township picker's value for the whole county
PAGES = ("overview", "grids", "branches", "training", "checkpoints")
SCREEN_PAGES = ("presenter",)       # steers the meeting screen (?kiosk=1)
ADMIN_PAGES = ("data",)
BOARD_PAGES = ("submissions",)     # 报送情况: everyone logged in; township users see their row


@dataclass(frozen=True)
class Context:
    lang: str
    township: str | None          # None = whole county
    week: dt.date | None          # None only when the store is empty
    version: int | None
    township_name: str
    notes: tuple[str, ...] = field(default=())
    latest: bool = True               # the week is the latest with data (links leave it out)

    def t(self, key: str, **fields) -> str:
        return t(key, self.lang, **fields)

    @property
    def query_params(self) -> dict:
        """The filters as URL parameters, for links that keep the view."""
        qp = {}
        if self.lang != i18n.DEFAULT_LANG:
            qp["lang"] = self.lang
        if self.township:
            qp["township"] = self.township
        if self.week and not self.latest:
            qp["week"] = self.week.isoformat()
        return qp


# ---------------------------------------------------------------- data access
@st.cache_resource(show_spinner=False)
def _store(root: str | None) -> Store:
    return Store(root) if root else Store()


def store() -> Store:
    return _store(None)


@st.cache_resource(show_spinner=False, max_entries=4)
def _connection(root: str, version: int | None):
    # A version file never changes, so one read-only connection per version is safe;
    # queries use a cursor each (a connection refuses concurrent calls).
    return Store(root).connect(version)


def connection(version: int | None):
    return _connection(str(store().root), version)


@st.cache_data(show_spinner=False, max_entries=512)
def _cached(root: str, version: int | None, name: str, week, township, kwargs: tuple):
    con = _connection(root, version)
    fn = getattr(metrics, name)
    if name in ("townships", "latest_week", "available_weeks"):
        return fn(con)
    if name == "geo_features":
        return fn(con, **dict(kwargs))
    if name == "targets":
        return fn(con, week.year, township)
    if name == "weekly_trend":
        return fn(con, township, until=week, **dict(kwargs))
    return fn(con, week, township, **dict(kwargs))


def data(name: str, ctx: Context, **kwargs):
    """metrics.<name>(con, week, township, **kwargs) for the view, cached by data version."""
    if st.session_state.get("_user") is not None and current_user() is None:
        st.rerun()          # a fragment's run: the session just ended; the full run says so
    return _cached(str(store().root), ctx.version, name, ctx.week, ctx.township,
                   tuple(sorted(kwargs.items())))


@st.cache_data(show_spinner=False, max_entries=64)
def _baseline(root: str, version: int | None, pins: str, week, township):
    con = _connection(root, version)
    return metrics.baseline_summary(Store(root), con, week, township)


@st.cache_data(show_spinner=False, max_entries=16)
def _briefing(root: str, version: int | None, pins: str, week, township, lang: str) -> bytes:
    from . import report
    return report.build_pdf(Store(root), week, township, lang)


def briefing_button(ctx: Context) -> None:
    """Make the weekly briefing PDF on request (it takes seconds), then offer it for download."""
    if ctx.version is None:
        return
    s = store()
    key = (str(s.root), ctx.version, repr(sorted(s.pins())), ctx.week, ctx.township, ctx.lang)
    if st.session_state.get("_briefing_key") != key:
        if not st.button(ctx.t("briefing.make"), icon=":material/picture_as_pdf:"):
            return
        with st.spinner(ctx.t("briefing.making")):
            try:
                _briefing(*key)
            except Exception as e:      # chromium missing or failing: say so, keep the page
                st.error(ctx.t("briefing.failed", reason=str(e)))
                return
        st.session_state["_briefing_key"] = key
    name = f"{ctx.t('briefing.file')}-{ctx.week}-{ctx.township or 'county'}.pdf"
    st.download_button(ctx.t("briefing.download"), _briefing(*key), name, "application/pdf",
                       icon=":material/download:")


def baseline(ctx: Context) -> dict | None:
    """The figures to compare with: the last pinned meeting, else the previous week."""
    if ctx.version is None or ctx.week is None:
        return None
    s = store()
    return _baseline(str(s.root), ctx.version, repr(sorted(s.pins())), ctx.week, ctx.township)


def change_text(ctx: Context, base: dict | None, delta, rate: bool = False) -> str | None:
    """"+3 since the 12-27 meeting" / "+1.5 pts vs last week"; None when there is nothing to say.
    The text is a kpis.Change: tile() draws its amount with an arrow."""
    from . import kpis
    return kpis.change(delta, base, ctx.lang, rate=rate)


# ---------------------------------------------------------------- filters
def _remember(key: str, value) -> None:
    st.session_state[f"_view_{key}"] = value


def _param(key: str) -> str | None:
    """A filter from the URL; when the URL lacks it (a page switch), the session's last value."""
    if key in st.query_params:
        return st.query_params[key]
    return st.session_state.get(f"_view_{key}")


def _set_param(key: str, value: str | None) -> None:
    _remember(key, value)
    if value is None:
        st.query_params.pop(key, None)
    else:
        st.query_params[key] = value


def url_lang() -> str:
    lang = _param("lang")
    return lang if lang in i18n.LANGS else i18n.DEFAULT_LANG


def resolve_context() -> Context:
    """Read and check the filters of the URL; remember them for page switches."""
    notes = []
    lang = _param("lang") or i18n.DEFAULT_LANG
    if lang not in i18n.LANGS:
        notes.append(t("note.bad_lang", i18n.DEFAULT_LANG, value=lang))
        lang = i18n.DEFAULT_LANG
        st.query_params.pop("lang", None)

    version = store().current()
    root = str(store().root)
    towns = _cached(root, version, "townships", None, None, ())
    township = _param("township") or None
    if township is not None and township not in set(towns["township_id"]):
        notes.append(t("note.bad_township", lang, value=township))
        township = None
        st.query_params.pop("township", None)
    user = current_user()
    if user is not None and user.scope(township) != township:
        # A township user sees their own township, whatever the link says.
        if township is not None:
            notes.append(t("note.scoped", lang, value=township))
        township = user.scope(township)
        st.query_params["township"] = township

    weeks = _cached(root, version, "available_weeks", None, None, ())
    week_text = _param("week")
    week = weeks[-1] if weeks else None
    if week_text:
        try:
            asked = dt.date.fromisoformat(week_text)
        except ValueError:
            asked = None
        if asked in weeks:
            week = asked
        else:
            notes.append(t("note.bad_week", lang, value=week_text,
                           latest=weeks[-1].isoformat() if weeks else "—"))
            st.query_params.pop("week", None)
    for key, value in (("lang", None if lang == i18n.DEFAULT_LANG else lang), ("township", township),
                       ("week", week_text if week_text and week and week_text == week.isoformat() else None)):
        _remember(key, value)
        if value is not None and st.query_params.get(key) != value:
            st.query_params[key] = value

    ctx = Context(lang=lang, township=township, week=week, version=version,
                  township_name=_place_name(towns, township, lang), notes=tuple(notes),
                  latest=not weeks or week == weeks[-1])
    st.session_state["_ctx"] = ctx
    return ctx


def _place_name(towns: pd.DataFrame, township: str | None, lang: str) -> str:
    if not township:
        return t("filter.county", lang)
    row = towns.loc[towns["township_id"] == township].iloc[0]
    return i18n.place_name(row["name"], row.get("name_en"), lang)


def screen_context(lang: str, township: str | None) -> Context:
    """The view of a meeting screen: the live version (read anew, so a load published since
    the last call shows), its latest week, `township` if it exists and the user may see it
    (else the county, or the user's own township). Touches neither the URL nor the session."""
    version = store().current()
    root = str(store().root)
    towns = _cached(root, version, "townships", None, None, ())
    notes = []
    if township is not None and township not in set(towns["township_id"]):
        notes.append(t("note.bad_township", lang, value=township))
        township = None
    user = current_user()
    if user is not None:
        township = user.scope(township)
    elif st.session_state.get("_screen") is not None:
        grant = screen_grant()
        if grant is None:
            st.rerun()             # revoked: the full run shows the login form
        township = grant.township or township
    elif not _open_here():
        st.rerun()                 # the session ended: the full run shows the login form
    weeks = _cached(root, version, "available_weeks", None, None, ())
    return Context(lang=lang, township=township, week=weeks[-1] if weeks else None,
                   version=version, township_name=_place_name(towns, township, lang),
                   notes=tuple(notes))


def context() -> Context:
    """The view resolved by app.py for this run."""
    return st.session_state.get("_ctx") or resolve_context()


def sidebar_filters(ctx: Context) -> None:
    """Township, week and language pickers; each change goes to the URL."""
    towns = data("townships", ctx)
    weeks = data("available_weeks", ctx)
    options = [COUNTY] + list(towns["township_id"])
    labels = {COUNTY: t("filter.county", ctx.lang)}
    for r in towns.itertuples():
        labels[r.township_id] = i18n.place_name(r.name, getattr(r, "name_en", None), ctx.lang)

    def on_township():
        _set_param("township", st.session_state["_w_township"] or None)

    def on_week():
        w = st.session_state["_w_week"]
        _set_param("week", None if w is None or w == weeks[-1] else w.isoformat())

    def on_lang():
        lang = st.session_state["_w_lang"]
        _set_param("lang", None if lang == i18n.DEFAULT_LANG else lang)

    user = current_user()
    if user is not None and user.township_bound:
        options = [user.township]
    with st.sidebar:
        st.session_state["_w_township"] = ctx.township or COUNTY
        st.selectbox(t("filter.township", ctx.lang), options, key="_w_township",
                     placeholder=t("filter.county", ctx.lang),
                     format_func=lambda v: labels.get(v, str(v)), on_change=on_township,
                     disabled=len(options) == 1)
        if weeks:
            st.session_state["_w_week"] = ctx.week
            st.selectbox(t("filter.week", ctx.lang), list(reversed(weeks)), key="_w_week",
                         format_func=lambda w: i18n.fmt_week(w, ctx.lang), on_change=on_week)
        st.session_state["_w_lang"] = ctx.lang
        st.radio(t("filter.lang", ctx.lang), list(i18n.LANGS), key="_w_lang", horizontal=True,
                 format_func=lambda v: {"zh": "中文", "en": "English"}[v], on_change=on_lang)


# ---------------------------------------------------------------- users
def users() -> auth.Users:
    return auth.Users(store().state)


def _headers() -> dict[str, str]:
    try:
        return {k.lower(): v for k, v in (st.context.headers or {}).items()}
    except Exception:          # no client (a bare script run)
        return {}


_FORWARDED = ("x-forwarded-for", "forwarded", "x-real-ip")


def _peer() -> str | None:
    """st.context.ip_address: None for this machine (loopback) or when there is no client."""
    peer = st.context.ip_address
    return peer if isinstance(peer, str) and peer else None


def client_address() -> str:
    """The browser's address: the peer's, or, when the peer is a proxy on this machine (the
    nginx of deploy/), the address it forwards (X-Real-IP, else the last X-Forwarded-For)."""
    peer = _peer()                          # None: this machine
    h = _headers()
    if peer is None:
        forwarded = h.get("x-real-ip") or (h.get("x-forwarded-for") or "").split(",")[-1]
        if forwarded.strip():
            return forwarded.strip()[:64]
        return "127.0.0.1"
    return str(peer)[:64]


def _loopback(address: str | None) -> bool:
    return (address or "") in ("127.0.0.1", "localhost", "::1") or (address or "").startswith("127.")


def direct_local() -> bool:
    """This request reaches the app straight from this machine: no proxy header, a loopback
    peer, and the server listens on loopback only."""
    h = _headers()
    return (_peer() is None and not any(k in h for k in _FORWARDED)
            and _loopback(st.get_option("server.address")))


def open_mode() -> bool:
    """No users are set up (the open demo mode, served only to this machine: login_gate)."""
    return not users().any()


def _open_here() -> bool:
    return open_mode() and direct_local()


def _note(key: str) -> None:
    """A message for the login form of the next run (why the session ended)."""
    st.session_state["_auth_note"] = key


def _clear_session(note: str | None = None) -> None:
    for key in list(st.session_state.keys()):
        if not key.startswith("_view_"):
            del st.session_state[key]
    st.session_state["_cookie_off"] = True     # this tab's handshake cookie is spent
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
        users()._audit_quietly("session_ended", None, name=user.name, reason="account removed")
        _clear_session("auth.ended_removed")
        return None
    if account.stamp != st.session_state.get("_stamp"):
        users()._audit_quietly("session_ended", None, name=user.name, reason="password changed")
        _clear_session("auth.ended_password")
        return None
    if users().session_revoked(st.session_state.get("_sid")):
        _clear_session("auth.ended_cookie")         # signed out in another tab
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


def _start_session(account: auth.Account) -> None:
    import secrets as _secrets
    import time as _time
    sid = _secrets.token_hex(8)
    st.session_state["_user"] = account.user
    st.session_state["_stamp"] = account.stamp
    st.session_state["_sid"] = sid
    st.session_state["_ticket"] = (users().ticket(account.user.name, sid),
                                   _time.time() + auth.TICKET_SECONDS - 5)


def _from_cookie() -> auth.User | None:
    """A session carried over a reload or into a new tab by the session cookie."""
    if st.session_state.get("_cookie_off"):
        return None
    try:
        token = st.context.cookies.get(auth.COOKIE)
    except Exception:
        token = None
    if not token:
        return None
    checked = users().verify_session(token)
    if checked is None:
        st.session_state["_cookie_off"] = True
        st.session_state["_clear_cookie"] = True
        _note("auth.ended_cookie")
        return None
    account, sid = checked
    st.session_state["_user"] = account.user
    st.session_state["_stamp"] = account.stamp
    st.session_state["_sid"] = sid
    return account.user


def _base_path() -> str:
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}" if base else ""


def _cookie_frames() -> None:
    """Hidden frames that set (after a login) or clear (after a logout) the session cookie."""
    import time as _time
    ticket = st.session_state.get("_ticket")
    if (ticket and ticket[1] > _time.time()) or st.session_state.get("_clear_cookie"):
        # Out of the layout, still loaded: a frame of no size outside the page flow.
        st.html("<style>.st-key-auth-cookie, .st-key-auth-cookie-clear {position: absolute;"
                " width: 0; height: 0; overflow: hidden; visibility: hidden;}</style>")
    if ticket and ticket[1] > _time.time():
        with st.container(key="auth-cookie", height=1, border=False):
            st.iframe(f"{_base_path()}/auth/session?{urlencode({'ticket': ticket[0]})}",
                      height=1, tab_index=-1, alt="session")
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
        password = st.text_input(t("auth.password", lang), type="password",
                                 max_chars=auth.MAX_PASSWORD)
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
        users()._audit_quietly("logout", user.name)
        users().end_session(st.session_state.get("_sid"))
        _clear_session()
        st.rerun()


# ---------------------------------------------------------------- layout pieces
def page_header(ctx: Context, page: str) -> None:
    st.title(f"{ctx.t('page.' + page)} · {i18n.md_escape(ctx.township_name)}")
    for note in ctx.notes:
        st.warning(note)
    if ctx.week:
        st.caption(ctx.t("data.as_of", start=i18n.fmt_date(ctx.week, ctx.lang),
                         end=i18n.fmt_date(ctx.week + dt.timedelta(days=6), ctx.lang))
                   + ("" if ctx.version is None else f" · v{ctx.version}"))


def empty_store(ctx: Context) -> bool:
    """Say so and return True when nothing has been loaded yet."""
    if ctx.version is None:
        st.info(ctx.t("empty.store"))
        return True
    return False


def tile(ctx: Context, label: str, value: str, *, rate=None, target=None, target_text=None,
         help_text=None, trend=None, detail: str | None = None, change: str | None = None) -> None:
    """A KPI tile: the figure with its change over time (an arrow, from `change`, a
    ui.change_text()), and against its target a line without arrow: green "达标 · 目标 100%",
    red "差 42.9 个百分点 · 目标 100%" (dashboard.kpis decides "met").

    `rate` and `target` are compared; `target_text` is how the target reads (e.g. "100%").
    """
    from . import kpis
    arrow = getattr(change, "direction", None)          # a kpis.Change; plain text has none
    with st.container(border=True):
        st.metric(label, value, delta=change.amount if arrow is not None else None,
                  delta_description=change.base if arrow is not None else None,
                  delta_arrow="auto" if arrow else "off",
                  delta_color=("normal" if change.better == change.direction else "inverse")
                  if arrow else "off",
                  help=help_text, chart_data=trend, chart_type="line")
        status = kpis.status(rate, target)
        if status.met is not None:
            said = (ctx.t("on_target") if status.met else
                    kpis.gap_text(status, ctx.lang, kpis.RATE if target <= 1 else None))
            line = ctx.t("kpi.status_target", status=said,
                         target=target_text or i18n.fmt_num(target))
            st.markdown(f":{'green' if status.met else 'red'}[{i18n.md_escape(line)}]")
        if detail:
            st.caption(detail)
        if change and arrow is None:
            st.caption(f"**{change}**")


def downloads(ctx: Context, df: pd.DataFrame, name: str, key: str) -> None:
    """CSV and Excel download buttons for a table (formula cells neutralised). The files are
    made when a button is clicked, not on every run: a province's table takes seconds to
    write as xlsx, and bytes made up front would sit in the server's memory per session."""
    # on_click="ignore": a download needs no rerun, and a rerun would replace the file's id
    # while the browser is still fetching it.
    c1, c2, _ = st.columns([1, 1, 4])
    c1.download_button(ctx.t("download.csv"), lambda: export.to_csv_bytes(df), f"{name}.csv",
                       "text/csv", key=f"{key}_csv", on_click="ignore")
    c2.download_button(ctx.t("download.xlsx"), lambda: export.to_xlsx_bytes(df, name),
                       f"{name}.xlsx",
                       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       key=f"{key}_xlsx", on_click="ignore")


# A table shows at most this many rows (most serious first); its download has them all. Past
# it (a province's tens of thousands of grids or activities) the page would be megabytes.
TABLE_MAX_ROWS = 2000


def table(ctx: Context, df: pd.DataFrame, **kwargs) -> None:
    """st.dataframe of the first TABLE_MAX_ROWS rows of `df`, saying so when it has more.
    `height` may be a function of the number of rows shown."""
    shown = df.head(TABLE_MAX_ROWS)
    if callable(kwargs.get("height")):
        kwargs["height"] = kwargs["height"](len(shown))
    st.dataframe(shown, hide_index=True, **kwargs)
    if len(shown) < len(df):
        st.caption(ctx.t("table.first_rows", n=i18n.fmt_int(len(shown)),
                         total=i18n.fmt_int(len(df))))


def page_link(ctx: Context, page: str, label: str) -> None:
    st.page_link(PAGE_FILES[page], label=label, query_params=ctx.query_params)


ROOT = Path(__file__).resolve().parent.parent
PAGE_FILES = {p: f"views/{p}.py" for p in PAGES + SCREEN_PAGES + BOARD_PAGES + ADMIN_PAGES}
KIOSK_FILE = "views/kiosk.py"
KIOSK_CSS = ROOT / "views" / "kiosk.css"


def visible_pages() -> tuple[str, ...]:
    """The pages this session may open: the presenter for everyone (a township user steers
    the screen to their own township only), the submission board for everyone (a township
    user or reporter sees their own row), the data page for admins and reporters (a reporter
    submits their own township's weekly tables there), and everything in the open demo mode."""
    user = current_user()
    if user is None:
        return PAGES + SCREEN_PAGES + BOARD_PAGES + ADMIN_PAGES if _open_here() else ()
    if user.sees_data_page:
        return PAGES + SCREEN_PAGES + BOARD_PAGES + ADMIN_PAGES
    return PAGES + SCREEN_PAGES + BOARD_PAGES


def kiosk_requested() -> bool:
    """`?kiosk=1`: this browser is a meeting screen."""
    return st.query_params.get("kiosk") == "1"


def run_kiosk(lang: str) -> None:
    """Run the meeting screen whatever page the URL names (each page's path leads to it),
    without the sidebar, the filters or the navigation."""
    st.set_page_config(page_title=t("page.kiosk", lang), initial_sidebar_state="collapsed")
    paths = PAGES + SCREEN_PAGES + BOARD_PAGES + ADMIN_PAGES
    st.navigation([st.Page(KIOSK_FILE, title=t("page.kiosk", lang), url_path=p,
                           default=(p == "overview")) for p in paths],
                  position="hidden").run()


def kiosk_style() -> None:
    """The meeting screen's dark, large-type look: a static style sheet, nothing from data."""
    st.html(f"<style>{KIOSK_CSS.read_text('utf-8')}</style>")


def screens() -> screens_module.Screens:
    return screens_module.Screens(store().state)


_settled: set[str] = set()
_settle_lock = threading.Lock()


def settle_heap(page: str) -> None:
    """After the first run of each page in this process: collect, then gc.freeze() what is
    left (modules, the libraries' tables, the caches), so that the full collection Streamlit
    makes after every run (runner.postScriptGC) no longer walks it. That collection was most
    of a page view's CPU (about 55 of 150-220 ms, measured with benchmarks.protocol). Objects
    made later are still collected as before; what is frozen stays until the process ends
    (the first runs' live objects among it: a few MB, once)."""
    if page in _settled:
        return
    with _settle_lock:
        if page in _settled:
            return
        if not _settled:
            # Give the frozen objects back at exit, so that the interpreter's last collection
            # frees them (DuckDB's bindings report objects never freed).
            atexit.register(gc.unfreeze)
        _settled.add(page)
        gc.collect()
        gc.freeze()


def require_page(ctx: Context, page: str) -> None:
    """Stop a page the session may not open, whatever URL led there."""
    if page not in visible_pages():
        st.error(ctx.t("auth.no_access"))
        st.stop()


# ---------------------------------------------------------------- submission board (报送情况)
@st.cache_data(show_spinner=False, max_entries=64)
def _board(root: str, version: int | None, week: dt.date, township: str | None):
    from . import submissions
    s = Store(root)
    con = _connection(root, version)
    return submissions.board(con, week, township), submissions.last_submissions(s, week)


def board_scope() -> str | None:
    """The township whose row the session may see (None: every township), from the user."""
    user = current_user()
    return user.township if user is not None and user.township_bound else None


def board(ctx: Context, week: dt.date, township: str | None):
    """(board, last submissions) of `week` for `township` (None: every township), cached by
    data version."""
    return _board(str(store().root), ctx.version, week, township)


def submission_board(ctx: Context, key: str = "board") -> None:
    """The board: a week picker (the week being reported, then earlier ones), the counts,
    the table (status in colour), and the rule of the statuses."""
    from . import submissions
    weeks = submissions.report_weeks(data("latest_week", ctx))
    week = st.selectbox(t("sub.week", ctx.lang), weeks, key=f"{key}_week", width=320,
                        index=weeks.index(ctx.week) if ctx.week in weeks else 0,
                        format_func=lambda w: i18n.fmt_week(w, ctx.lang))
    df, last = board(ctx, week, board_scope())
    if board_scope() is None:
        st.markdown(t("sub.counts", ctx.lang, **submissions.status_counts(df)))
    elif len(df):
        st.markdown(t("sub.own_row", ctx.lang, week=i18n.fmt_week(week, ctx.lang),
                      status=submissions.status_label(df["status"].iloc[0], ctx.lang)))
    shown = submissions.board_table(df, last, ctx.lang).head(TABLE_MAX_ROWS)
    colours = {submissions.status_label(s, ctx.lang): c for s, c in
               (("submitted", "#2e7d32"), ("partial", "#e65100"), ("missing", "#c62828"))}
    status_col = t("sub.col_status", ctx.lang)
    styled = shown.style.map(lambda v: f"color: {colours.get(v, 'inherit')}; font-weight: 600",
                             subset=[status_col]) if len(shown) else shown
    narrow = {t(f"sub.col_{c}", ctx.lang): st.column_config.Column(width="small")
              for c in ("status", "trainings", "assessed", "grids")}
    if ctx.lang == "en":        # "Not submitted" needs more than a small column
        narrow[status_col] = st.column_config.Column(width="medium")
    st.dataframe(styled, hide_index=True, width="stretch", column_config=narrow)
    if len(df) > len(shown):
        st.caption(t("table.first_rows", ctx.lang, n=i18n.fmt_int(len(shown)),
                     total=i18n.fmt_int(len(df))))
    st.caption(t("sub.rule", ctx.lang))
