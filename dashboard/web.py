"""HTTP routes beside Streamlit's (st.App, see app.py): the session cookie. No streamlit here.

A browser's Streamlit session lives in a websocket, which cannot set a cookie. So after a
login the page loads, in a hidden frame, `/auth/session?ticket=...`: a one-time ticket,
signed, good for a minute, that this route exchanges for the session cookie (HttpOnly,
SameSite=Strict, until the session's 12 hours are over; Secure behind TLS). The cookie's token
never appears in a URL. On a reload or in a new tab the websocket's handshake carries the
cookie, and the page reads it with `st.context.cookies` (dashboard.ui.login_gate).
`/auth/logout` clears it.

No login CSRF: every page (HTML) response gives a browser without one a random binding
cookie (`BindCookie`, auth.BIND_COOKIE); the login puts its digest into the ticket, and the
ticket is exchanged only in a request that carries the same cookie, so a ticket sent to
someone else (a link, a frame of another site) signs nobody in. Requests a browser marks as
coming from another site (`Sec-Fetch-Site` other than same-origin or none) are refused
outright, on both routes.
"""

from __future__ import annotations

import secrets
import time

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection, Request
from starlette.responses import Response
from starlette.routing import Route

from . import auth, i18n
from .store import Store

SESSION_PATH = "/auth/session"
LOGOUT_PATH = "/auth/logout"
# What Sec-Fetch-Site may say for these routes: the page's own frame (same-origin) or an
# address typed in (none). "same-site" is refused too: another port of this host is another
# origin but the same site.
ALLOWED_SITES = ("same-origin", "none")
BIND_DAYS = 400  # the binding cookie's life (browsers cap cookies at 400 days)


def _users() -> auth.Users:
    return auth.Users(Store().state)


def _response(status: int = 204) -> Response:
    headers = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
    if status == 204:
        return Response(status_code=status, headers=headers)
    # A refusal someone may see (a link opened in the address bar): say so, in both languages.
    text = f"{i18n.t('auth.ticket_refused', 'zh')}\n{i18n.t('auth.ticket_refused', 'en')}\n"
    return Response(text, status_code=status, headers=headers, media_type="text/plain")


def _trusted_proxy(conn: HTTPConnection) -> bool:
    return conn.client is not None and conn.client.host in auth.trusted_proxies()


def _secure(conn: HTTPConnection) -> bool:
    forwarded = conn.headers.get("x-forwarded-proto", "").lower() == "https" and _trusted_proxy(conn)
    return conn.url.scheme == "https" or forwarded


def _other_site(request: Request) -> bool:
    site = request.headers.get("sec-fetch-site")
    return site is not None and site.lower() not in ALLOWED_SITES


async def session(request: Request) -> Response:
    if _other_site(request):
        return _response(403)
    users = _users()
    redeemed = await run_in_threadpool(
        users.redeem_ticket, request.query_params.get("ticket"), request.cookies.get(auth.BIND_COOKIE)
    )
    if redeemed is None:
        return _response(403)
    token, _ = redeemed
    ends = (users.sessions.payload(token, "s") or {}).get("exp", 0)  # the session's end, not 12 h from now
    response = _response()
    response.set_cookie(
        auth.COOKIE,
        token,
        max_age=max(1, int(ends - time.time())),
        path="/",
        httponly=True,
        samesite="strict",
        secure=_secure(request),
    )
    return response


async def logout(request: Request) -> Response:
    if _other_site(request):
        return _response(403)
    users = _users()
    checked = await run_in_threadpool(users.verify_session, request.cookies.get(auth.COOKIE))
    if checked is not None:
        await run_in_threadpool(users.end_session, checked[1])
    response = _response()
    response.delete_cookie(auth.COOKIE, path="/", httponly=True, samesite="strict", secure=_secure(request))
    return response


class BindCookie:
    """ASGI middleware: a page (an HTML response) to a browser without auth.BIND_COOKIE sets
    one, random (the browser's binding for login tickets). Never replaced once there."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        conn = HTTPConnection(scope)
        if conn.cookies.get(auth.BIND_COOKIE):
            return await self.app(scope, receive, send)
        value = secrets.token_urlsafe(24)
        secure = "; Secure" if _secure(conn) else ""

        async def send_with_cookie(message):
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if headers.get("content-type", "").startswith("text/html"):
                    headers.append(
                        "set-cookie",
                        f"{auth.BIND_COOKIE}={value}; Max-Age={BIND_DAYS * 86400}; Path=/; HttpOnly;"
                        f" SameSite=strict{secure}",
                    )
            await send(message)

        return await self.app(scope, receive, send_with_cookie)


def routes() -> list[Route]:
    return [Route(SESSION_PATH, session, methods=["GET"]), Route(LOGOUT_PATH, logout, methods=["GET"])]
