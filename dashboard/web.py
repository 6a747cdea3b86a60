"""HTTP routes beside Streamlit's (st.App, see app.py): the session cookie. No streamlit here.

A browser's Streamlit session lives in a websocket, which cannot set a cookie. So after a
login the page loads, in a hidden frame, `/auth/session?ticket=...`: a one-time ticket,
signed, good for a minute, that this route exchanges for the session cookie (HttpOnly,
SameSite=Strict, 12 hours; Secure behind TLS). The cookie's token never appears in a URL.
On a reload or in a new tab the websocket's handshake carries the cookie, and the page reads
it with `st.context.cookies` (dashboard.ui.login_gate). `/auth/logout` clears it.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from . import auth
from .store import Store

SESSION_PATH = "/auth/session"
LOGOUT_PATH = "/auth/logout"


def _users() -> auth.Users:
    return auth.Users(Store().state)


def _response() -> Response:
    return Response(status_code=204, headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"})


def _secure(request: Request) -> bool:
    return request.url.scheme == "https" or request.headers.get("x-forwarded-proto", "").lower() == "https"


async def session(request: Request) -> Response:
    redeemed = await run_in_threadpool(_users().redeem_ticket, request.query_params.get("ticket"))
    response = _response()
    if redeemed is not None:
        token, _ = redeemed
        response.set_cookie(
            auth.COOKIE,
            token,
            max_age=auth.SESSION_HOURS * 3600,
            path="/",
            httponly=True,
            samesite="strict",
            secure=_secure(request),
        )
    return response


async def logout(request: Request) -> Response:
    users = _users()
    checked = await run_in_threadpool(users.verify_session, request.cookies.get(auth.COOKIE))
    if checked is not None:
        await run_in_threadpool(users.end_session, checked[1])
    response = _response()
    response.delete_cookie(auth.COOKIE, path="/", httponly=True, samesite="strict", secure=_secure(request))
    return response


def routes() -> list[Route]:
    return [Route(SESSION_PATH, session, methods=["GET"]), Route(LOGOUT_PATH, logout, methods=["GET"])]
