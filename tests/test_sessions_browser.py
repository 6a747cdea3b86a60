"""Issue 11 items 2, 3 and 4 in headless Chromium, on servers of their own over copies of the
demo county: a removed admin's click on 恢复 is refused; a reload and a new tab stay signed in
(the session cookie), logout clears it; a kiosk link with a screen token comes back after a
reload, and a revoked token shows the login form; behind a proxy (nginx, as deploy/ runs it)
with the last user removed, the data page is not open.

Run with `pytest -m browser tests/test_sessions_browser.py`.
"""

from __future__ import annotations

import contextlib
import http.server
import os
import shutil
import subprocess
import sys
import threading
import time

import pytest

from benchmarks.browser import _free_port
from dashboard import auth, i18n
from dashboard.store import Store

from conftest import ROOT, streamlit_server

playwright = pytest.importorskip("playwright.sync_api")
expect = playwright.expect

pytestmark = pytest.mark.browser

PASSWORD = "border-2021"
TIMEOUT = 90_000


@pytest.fixture(autouse=True)
def patient_expect():
    """A busy machine: a page's run may take seconds (Playwright's default wait is 5 s)."""
    expect.set_options(timeout=30_000)
    yield
    expect.set_options(timeout=5_000)


NGINX = "/usr/sbin/nginx"


@pytest.fixture
def secured(demo_store, tmp_path, request):
    """(base URL, store): a server of its own over a copy with an admin and a leader."""
    shutil.copytree(demo_store.root, tmp_path / "store")
    store = Store(tmp_path / "store")
    users = auth.Users(store.root)
    users.add("admin", "admin", PASSWORD)
    users.add("leader", "leader", PASSWORD)
    with streamlit_server(store.root, tmp_path / "streamlit.log", request, name="secured") as url:
        yield url, store


@pytest.fixture
def context(browser):
    ctx = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    ctx.set_default_timeout(TIMEOUT)
    yield ctx
    ctx.close()


def cli(store: Store, *args, stdin: str = "") -> subprocess.CompletedProcess:
    out = subprocess.run(
        [sys.executable, "-m", "dashboard", "--store", str(store.root), *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert out.returncode == 0, out.stderr
    return out


def login(page, base: str, name: str, path: str = "/") -> None:
    page.goto(base + path)
    page.get_by_label(i18n.t("auth.name")).fill(name)
    page.get_by_label(i18n.t("auth.password")).fill(PASSWORD)
    page.get_by_role("button", name=i18n.t("auth.submit")).click()
    signed_in(page, name)
    # the hidden frame trades the login's ticket for the cookie a moment after the page shows
    deadline = time.monotonic() + TIMEOUT / 1000
    while auth.COOKIE not in {c["name"] for c in page.context.cookies()}:
        assert time.monotonic() < deadline, "no session cookie after signing in"
        time.sleep(0.1)
    if path != "/":
        # after signing in the dashboard opens its first page; the cookie carries the session
        page.goto(base + path)
        signed_in(page, name)


def signed_in(page, name: str) -> None:
    expect(page.get_by_text(f"当前用户：{name}")).to_be_visible()


def login_form(page) -> None:
    expect(page.get_by_label(i18n.t("auth.password"))).to_be_visible()
    expect(page.get_by_text("当前用户")).to_have_count(0)


def test_a_removed_admin_clicks_restore_and_nothing_happens(secured, context):
    base, store = secured
    page = context.new_page()
    login(page, base, "admin", "/data")
    page.get_by_role("tab", name=i18n.t("data.tab_history")).click()
    page.get_by_text(i18n.t("data.restore_confirm", version=1)).click()
    button = page.get_by_role("button", name=i18n.t("data.restore_button"), exact=True)
    expect(button).to_be_enabled()
    cli(store, "user", "remove", "admin")
    button.click()
    login_form(page)
    expect(page.get_by_text(i18n.t("auth.ended_removed"))).to_be_visible()
    assert store.current() == 1 and [v["version"] for v in store.versions()] == [1]
    log = auth.Users(store.root).audit_log()
    assert not [e for e in log if e["event"] == "restore"]
    assert [e["event"] for e in log if e.get("user") == "admin"] == ["login"]
    page.reload()  # and the cookie no longer signs in
    login_form(page)


def test_a_reload_and_a_new_tab_stay_signed_in_and_logout_ends_it(secured, context):
    base, store = secured
    page = context.new_page()
    login(page, base, "leader", "/grids?township=T01")
    cookies = {c["name"]: c for c in context.cookies()}
    cookie = cookies[auth.COOKIE]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert PASSWORD not in cookie["value"] and cookie["value"] not in page.url
    assert 11.9 * 3600 < cookie["expires"] - time.time() <= 12 * 3600
    page.reload()
    signed_in(page, "leader")
    expect(page.get_by_role("heading", name="网格覆盖 · 娜允镇")).to_be_visible()
    tab = context.new_page()
    tab.goto(base + "/branches")
    signed_in(tab, "leader")
    tab.get_by_role("button", name=i18n.t("auth.logout")).click()
    login_form(tab)
    page.get_by_role("link", name=i18n.t("page.branches")).click()  # the other tab's next click
    login_form(page)
    page.reload()  # and its reload
    login_form(page)
    assert auth.COOKIE not in {c["name"] for c in context.cookies()}
    # a new password ends a session carried by the cookie too
    login(page, base, "leader")
    cli(store, "user", "passwd", "leader", stdin="another-pass-1\n")
    page.reload()
    login_form(page)
    expect(page.get_by_text(i18n.t("auth.ended_cookie"))).to_be_visible()


def test_a_kiosk_link_with_a_screen_token_comes_back_after_a_reload(secured, context):
    base, store = secured
    out = cli(store, "screen", "token", "hall-t06", "--township", "T06", "--url", base)
    link = out.stdout.strip().splitlines()[-1]
    screen = context.new_page()
    screen.goto(link)
    place = screen.locator(".st-key-kiosk-place")
    expect(place).to_have_text("公信乡")
    screen.reload()  # a power cut, a network blip
    expect(place).to_have_text("公信乡")
    expect(screen.get_by_label(i18n.t("auth.password"))).to_have_count(0)
    # the token opens the meeting screen only
    other = context.new_page()
    other.goto(link.replace("kiosk=1&", "").replace("?", "data?", 1))
    login_form(other)
    cli(store, "screen", "revoke", "hall-t06")
    screen.reload()
    login_form(screen)
    expect(screen.get_by_text(i18n.t("auth.screen_revoked"))).to_be_visible()


# ------------------------------------------------------------------ login CSRF (issue 24 item 1)
ATTACK_PAGE = """<!doctype html><html><body><h1>prize</h1>
<iframe id="trap" src="{frame}" width="10" height="10"></iframe>
<a id="go" href="{link}">open</a>
</body></html>"""


@contextlib.contextmanager
def another_origin(html: str):
    """A page served from another loopback port (another origin): the attacker's site."""
    body = html.encode()

    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


def unused_ticket(browser, base: str) -> str:
    """The attacker signs in with their hidden frame blocked: the ticket stays unused."""
    ctx = browser.new_context(locale="zh-CN")
    ctx.set_default_timeout(TIMEOUT)
    try:
        page = ctx.new_page()
        page.route("**/auth/session*", lambda route: route.abort())
        page.goto(base + "/")
        page.get_by_label(i18n.t("auth.name")).fill("rep2")
        page.get_by_label(i18n.t("auth.password")).fill(PASSWORD)
        page.get_by_role("button", name=i18n.t("auth.submit")).click()
        signed_in(page, "rep2")
        frame = page.locator("iframe[src*='/auth/session']")
        expect(frame).to_have_count(1)
        return base + frame.get_attribute("src")
    finally:
        ctx.close()


def test_a_ticket_sent_from_another_site_does_not_sign_the_victim_in_as_the_attacker(
    secured, context, browser
):
    """The attack of issue 24: the attacker's unused ticket, in a frame of their page and as
    a link on it; the victim, signed in as leader, visits. Their browser must stay theirs."""
    base, store = secured
    auth.Users(store.root).add("rep2", "reporter", PASSWORD, township="T01")
    victim = context.new_page()
    login(victim, base, "leader")
    own = {c["name"]: c["value"] for c in context.cookies()}[auth.COOKIE]
    frame, link = unused_ticket(browser, base), unused_ticket(browser, base)
    with another_origin(ATTACK_PAGE.format(frame=frame, link=link)) as evil:
        attack = context.new_page()
        redeeming = lambda r: "/auth/session" in r.url  # noqa: E731
        with attack.expect_response(redeeming) as in_frame:
            attack.goto(evil)
        with attack.expect_response(redeeming) as by_link:
            attack.locator("#go").click()
        assert (in_frame.value.status, by_link.value.status) == (403, 403)
    cookie = {c["name"]: c["value"] for c in context.cookies()}[auth.COOKIE]
    assert cookie == own and auth.Users(store.root).verify_session(cookie)[0].user.name == "leader"
    victim.reload()
    signed_in(victim, "leader")
    expect(victim.get_by_text("当前用户：rep2")).to_have_count(0)
    # a browser that never signed in is not signed in by the link either
    fresh = browser.new_context(locale="zh-CN")
    try:
        page = fresh.new_page()
        page.goto(base + "/")
        login_form(page)
        page.goto(unused_ticket(browser, base))
        assert auth.COOKIE not in {c["name"] for c in fresh.cookies()}
        page.goto(base + "/")
        login_form(page)
    finally:
        fresh.close()


# ------------------------------------------------------------------ behind a proxy
NGINX_CONF = """daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body; proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi; uwsgi_temp_path {dir}/uwsgi; scgi_temp_path {dir}/scgi;
    map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://127.0.0.1:{upstream};
            proxy_http_version 1.1;
            proxy_set_header Host $http_host;
            proxy_set_header X-Real-IP $remote_addr;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_read_timeout 300s;
        }}
    }}
}}
"""


@pytest.mark.skipif(not os.access(NGINX, os.X_OK), reason=f"no {NGINX}")
def test_behind_a_proxy_removing_the_last_user_does_not_open_the_data_page(secured, context, tmp_path):
    base, store = secured
    upstream = base.rsplit(":", 1)[1]
    port = _free_port()
    run = tmp_path / "nginx"
    run.mkdir()
    (run / "nginx.conf").write_text(NGINX_CONF.format(dir=run, port=port, upstream=upstream))
    proxy = subprocess.Popen(
        [NGINX, "-p", str(run), "-c", str(run / "nginx.conf"), "-e", str(run / "error.log")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        via_proxy = f"http://127.0.0.1:{port}"
        page = context.new_page()
        login(page, via_proxy, "admin", "/data")
        cli(store, "user", "remove", "leader")
        cli(store, "user", "remove", "admin")  # the last user
        assert not auth.Users(store.root).any()
        for path in ("/data", "/", "/?kiosk=1"):
            fresh = context.new_page()
            fresh.goto(via_proxy + path)
            login_form(fresh)
            expect(fresh.get_by_text(i18n.t("auth.no_users")[:20])).to_be_visible()
            expect(fresh.get_by_text(i18n.t("data.tab_upload"))).to_have_count(0)
            fresh.close()
        page.get_by_role("tab", name=i18n.t("data.tab_history")).click()  # the open tab too:
        page.get_by_text(i18n.t("data.restore_confirm", version=1)).click()  # its next run
        login_form(page)
        # straight from this machine, no proxy: the open demo mode, as before
        direct = context.new_page()
        direct.goto(base + "/data")
        expect(direct.get_by_text(i18n.t("auth.open_mode")[:20])).to_be_visible()
        expect(direct.get_by_role("tab", name=i18n.t("data.tab_upload"))).to_be_visible()
        log = auth.Users(store.root).audit_log()
        assert any(e["event"] == "login" and e.get("address") == "127.0.0.1" for e in log)
    finally:
        proxy.terminate()
        proxy.wait(timeout=10)
