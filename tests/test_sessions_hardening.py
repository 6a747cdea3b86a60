"""Issue 24: the session mechanism, second pass. A login ticket works only in the browser
that logged in and never from another site; forwarded headers count only from the configured
proxy; the throttle cannot be raced by parallel guesses nor reset by a flood of invented
names; an open tab ends with its 12-hour session; a logout that cannot be written still ends
the session; a township's user sees no other township on the quick maps.
(The login CSRF in a browser, from a page of another origin: tests/test_sessions_browser.py.)"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import hashlib
import json
import shutil
import threading
import time

import pytest
from starlette.requests import Request

from dashboard import auth, i18n, metrics, ui, web
from dashboard.store import Store

from helpers import PASSWORD, login


@pytest.fixture
def users(tmp_path):
    return auth.Users(tmp_path)


# ------------------------------------------------------------------ 1. login tickets
def run_async(coro):
    """`coro` run to its end in a thread of its own: Playwright's sync API (the browser
    tests of the same session) keeps an event loop running in this one."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def redeem(ticket: str, cookies: dict | None = None, headers: dict | None = None):
    """web.session for GET /auth/session?ticket=... with these cookies and headers."""
    raw = [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    if cookies:
        raw.append((b"cookie", "; ".join(f"{k}={v}" for k, v in cookies.items()).encode()))
    scope = {
        "type": "http",
        "method": "GET",
        "scheme": "http",
        "path": web.SESSION_PATH,
        "query_string": f"ticket={ticket}".encode(),
        "headers": raw,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8501),
    }
    response = run_async(web.session(Request(scope)))
    return response.status_code, response.headers.get("set-cookie", "")


def test_a_ticket_signs_in_only_the_browser_that_logged_in_and_never_from_another_site(
    users, tmp_path, monkeypatch
):
    monkeypatch.setenv("DASHBOARD_STORE", str(tmp_path))
    monkeypatch.delenv("DASHBOARD_STATE", raising=False)
    users.add("rep2", "reporter", PASSWORD, township="T01")
    mine = "browser-of-rep2"
    # another browser (the victim's), whatever its own binding cookie: refused
    status, cookie = redeem(users.ticket("rep2", "s1", bind=mine), {auth.BIND_COOKIE: "victim"})
    assert status == 403 and auth.COOKIE not in cookie
    status, cookie = redeem(users.ticket("rep2", "s2", bind=mine))  # no binding cookie at all
    assert status == 403 and auth.COOKIE not in cookie
    # the right browser, but the request comes from another site (a link, a frame elsewhere)
    for site in ("cross-site", "same-site"):
        status, cookie = redeem(
            users.ticket("rep2", f"s-{site}", bind=mine), {auth.BIND_COOKIE: mine}, {"Sec-Fetch-Site": site}
        )
        assert status == 403 and auth.COOKIE not in cookie, site
    # the login page's own hidden frame (same-origin), or an address typed in (none): signed in
    for n, site in enumerate(("same-origin", "none", None)):
        headers = {"Sec-Fetch-Site": site} if site else {}
        status, cookie = redeem(users.ticket("rep2", f"ok{n}", bind=mine), {auth.BIND_COOKIE: mine}, headers)
        assert status == 204 and cookie.startswith(auth.COOKIE + "="), site
        token = cookie.split(";", 1)[0].split("=", 1)[1]
        assert users.verify_session(token)[0].user.name == "rep2"
    # the ticket carries a digest of the binding, never the binding itself
    assert mine not in json.dumps(users.sessions.payload(users.ticket("rep2", "s9", bind=mine), "t"))


def test_pages_set_a_binding_cookie_and_keep_it(tmp_path):
    """The page (HTML) sets a random binding cookie once, HttpOnly and SameSite=Strict."""
    sent = []

    async def page(scope, receive, send):
        await send(
            {"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/html")]}
        )
        await send({"type": "http.response.body", "body": b"<html></html>"})

    async def collect(message):
        sent.append(message)

    def get(cookie: str | None):
        sent.clear()
        headers = [(b"cookie", cookie.encode())] if cookie else []
        scope = {"type": "http", "method": "GET", "scheme": "http", "path": "/", "headers": headers}
        run_async(web.BindCookie(page)(scope, None, collect))
        return [v.decode() for k, v in sent[0]["headers"] if k == b"set-cookie"]

    (first,) = get(None)
    assert first.startswith(auth.BIND_COOKIE + "=") and "HttpOnly" in first and "SameSite=strict" in first
    (second,) = get(None)
    assert second.split(";")[0] != first.split(";")[0]  # random per browser
    assert get(first.split(";")[0]) == []  # kept: never replaced


# ------------------------------------------------------------------ 2. forwarded headers
@pytest.mark.parametrize(
    "trusted, peer, headers, address",
    [
        (None, None, {"x-forwarded-for": "10.0.0.7"}, "127.0.0.1"),  # no proxy configured
        (None, None, {"x-real-ip": "10.0.0.8"}, "127.0.0.1"),
        ("127.0.0.2", None, {"x-real-ip": "10.0.0.8"}, "127.0.0.1"),  # a local process, not nginx
        ("127.0.0.2", "127.0.0.2", {"x-real-ip": "10.0.0.8"}, "10.0.0.8"),  # nginx of deploy/
        ("127.0.0.2", "127.0.0.2", {"x-forwarded-for": "6.6.6.6, 10.0.0.7"}, "10.0.0.7"),
        ("127.0.0.2, 127.0.0.1", None, {"x-real-ip": "10.0.0.8"}, "10.0.0.8"),  # two proxies
        ("127.0.0.2", "10.0.0.5", {"x-real-ip": "10.0.0.8"}, "10.0.0.5"),  # another computer
    ],
)
def test_forwarded_addresses_count_only_from_the_configured_proxy(
    monkeypatch, trusted, peer, headers, address
):
    if trusted is None:
        monkeypatch.delenv("DASHBOARD_TRUSTED_PROXIES", raising=False)
    else:
        monkeypatch.setenv("DASHBOARD_TRUSTED_PROXIES", trusted)
    monkeypatch.setattr(ui.gate, "_peer", lambda: peer)
    monkeypatch.setattr(ui.gate, "_headers", lambda: headers)
    assert ui.client_address() == address


# ------------------------------------------------------------------ 3. the throttle
def test_parallel_wrong_passwords_do_not_all_pass_the_throttle(users, monkeypatch):
    """Eight guesses at once from one address: the free ones are answered, the rest wait."""
    users.add("admin1", "admin", "s3cret-pass")
    parallel = 8
    # Every guess that reaches the password check waits there until all eight have (or a
    # few seconds): on code that checks the wait first and records the failure after, all
    # eight get there before any failure is recorded.
    inside = threading.Barrier(parallel, timeout=3)
    real = auth.passwords.hash_password

    def slow_hash(password, salt):
        with contextlib.suppress(threading.BrokenBarrierError):
            inside.wait()
        return real(password, salt)

    monkeypatch.setattr(auth.passwords, "hash_password", slow_hash)
    answers = []

    def guess():
        try:
            users.authenticate("admin1", "guess-guess", address="10.9.9.9")
        except auth.Throttled:
            answers.append("wait")
        except auth.AuthError:
            answers.append("wrong")

    threads = [threading.Thread(target=guess) for _ in range(parallel)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sorted(answers) == ["wait"] * (parallel - auth.FREE_FAILURES) + ["wrong"] * auth.FREE_FAILURES
    entry = json.loads(users.throttle_path.read_text())["admin1\n10.9.9.9"]
    assert entry["n"] == auth.FREE_FAILURES


def test_a_flood_of_invented_names_does_not_reset_an_attackers_wait(users, monkeypatch):
    clock = [1_000_000.0]
    monkeypatch.setattr(time, "time", lambda: clock[0])
    monkeypatch.setattr(
        auth.passwords, "hash_password", lambda p, s: hashlib.sha256(s + p.encode()).hexdigest()
    )
    monkeypatch.setattr(auth.passwords, "THROTTLE_MAX_PAIRS", 30)
    users.add("admin1", "admin", "s3cret-pass")
    attacker = "10.6.6.6"

    def fail(name, address):
        with pytest.raises(auth.AuthError):
            users.authenticate(name, "guess-guess", address=address)

    def flood(n):
        for i in range(n):  # from the attacker's address and from as many others
            clock[0] += 0.5
            fail(f"nobody{i}", attacker)
            fail(f"nobody{i}", f"10.7.{i // 250}.{i % 250}")

    for _ in range(auth.FREE_FAILURES + 7):  # 10 failures: the next try waits 128 s
        clock[0] += auth.MAX_WAIT
        fail("admin1", attacker)
    flood(100)  # 50 s
    with pytest.raises(auth.Throttled):  # still in force
        users.authenticate("admin1", "s3cret-pass", address=attacker)
    clock[0] += auth.MAX_WAIT  # the wait is over, the failures are remembered
    flood(100)
    fail("admin1", attacker)  # the eleventh failure: 256 s, not a fresh start
    with pytest.raises(auth.Throttled) as e:
        users.authenticate("admin1", "s3cret-pass", address=attacker)
    assert e.value.seconds == 256
    # the file stays small; the owner from their own address is not slowed
    assert len(json.loads(users.throttle_path.read_text())) <= auth.THROTTLE_MAX_PAIRS + 1
    assert users.authenticate("admin1", "s3cret-pass", address="10.1.1.1").name == "admin1"


# ------------------------------------------------------------------ 4. open tabs, logout
@pytest.fixture
def secured(demo_store, tmp_path) -> Store:
    shutil.copytree(demo_store.root, tmp_path / "store")
    users = auth.Users(tmp_path / "store")
    users.add("leader", "leader", PASSWORD)
    users.add("rep1", "reporter", PASSWORD, township="T01")
    users.add("naxun", "township", PASSWORD, township="T01")
    return Store(tmp_path / "store")


def on_login_form(at) -> bool:
    return [w.label for w in at.text_input] == ["用户名", "密码"] and len(at.metric) == 0


def test_an_open_tab_is_signed_out_when_its_12_hours_are_over(open_app, secured, monkeypatch):
    at = login(open_app(store=secured), "leader")
    assert len(at.metric) > 0
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + auth.SESSION_HOURS * 3600 - 120)
    at.switch_page(ui.PAGE_FILES["grids"]).run()
    assert not on_login_form(at)  # still within the 12 hours
    monkeypatch.setattr(time, "time", lambda: real() + auth.SESSION_HOURS * 3600 + 1)
    at.switch_page(ui.PAGE_FILES["branches"]).run()  # the next click after 12 hours
    assert on_login_form(at) and i18n.t("auth.ended_cookie") in [w.value for w in at.warning]


def test_a_logout_that_cannot_be_written_still_ends_the_session(open_app, secured, monkeypatch):
    users = auth.Users(secured.root)
    at = login(open_app(store=secured), "leader")
    sid = at.session_state["_sid"]
    cookie = users.session_token("leader", sid=sid)  # what the browser's cookie holds
    assert users.verify_session(cookie) is not None
    write = auth.files.write_json

    def full(path, data):
        if path.name == "revoked.json":
            raise OSError(28, "No space left on device")
        return write(path, data)

    monkeypatch.setattr(auth.files, "write_json", full)
    at = next(b for b in at.sidebar.button if b.label == i18n.t("auth.logout")).click().run()
    assert on_login_form(at)
    assert users.verify_session(cookie) is None, "the server still takes the cookie"
    assert i18n.t("auth.logout_unrecorded") in [w.value for w in at.warning]
    assert not [e for e in users.audit_log() if e["event"] == "logout" and e.get("recorded") is not False]
    # the disk has room again: the revocation is written at the next check
    monkeypatch.setattr(auth.files, "write_json", write)
    assert users.verify_session(cookie) is None
    assert sid in json.loads(users.revoked_path.read_text())


# ------------------------------------------------------------------ 5. quick maps of a township
def svg_of(at) -> str:
    (svg,) = [m.value for m in at.markdown if "<svg" in m.value]
    return svg


@pytest.mark.parametrize("name", ["rep1", "naxun"])
def test_a_township_user_sees_no_other_township_on_the_quick_maps(open_app, secured, demo, name):
    towns = metrics.townships(demo)
    others = [n for t, n in zip(towns["township_id"], towns["name"], strict=True) if t != "T01"]
    own = towns.loc[towns["township_id"] == "T01", "name"].iloc[0]
    # a leader views 娜允镇 first (the quick maps are cached per scope), then its own user
    boss = login(open_app(store=secured, township="T01"), "leader")
    user = open_app(store=secured, township="T01")
    for page in ("grids", "checkpoints"):
        boss.switch_page(ui.PAGE_FILES[page]).run()
        assert any(n in svg_of(boss) for n in others), page  # the leader sees the neighbours
    user = login(user, name)
    for page in ("grids", "checkpoints"):
        user.switch_page(ui.PAGE_FILES[page]).run()
        assert not user.exception and user.title[0].value.endswith(own)
        svg = svg_of(user)
        assert [n for n in others if n in svg] == [], page  # no name, no hover title
        assert 'class="county-outline"' in svg  # the county's outline only
        shown = " ".join(str(e.value) for e in [*user.markdown, *user.caption, *user.dataframe])
        assert [n for n in others if n in shown] == [], page
