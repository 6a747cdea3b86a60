"""Two Streamlit replicas behind nginx, started by deploy/run.sh over a copy of the demo county:
browsers (separate contexts, so separate cookies) spread over both replicas and each stays
pinned to its own (every HTTP response and every websocket of a browser went to one replica);
a load published from the command line while they browse never shows an error or a mix: every
page view shows the figures of exactly the version its caption names ("v1" or "v2"), computed
here with dashboard.metrics.summary on that version; TERM stops the whole deployment.
All of it over HTTPS (run.sh makes a self-signed certificate when none is given).

The second test runs one replica with a certificate of its own and no debug flag: HTTPS with
that certificate, http:// sent to https://, the security headers on every response and no
X-Replica, every page drawn in Chromium with no Content-Security-Policy violation, and the
request limits on new sessions (websockets) and on the health probes.

Needs /usr/sbin/nginx (scripts/system-packages.sh installs it) and /usr/bin/chromium.
Run with `pytest -m browser` or `pytest tests/test_replicas.py`.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from dashboard import auth, contract, i18n, metrics
from dashboard.store import Store

from conftest import ARTIFACTS, CHROMIUM, ROOT

NGINX = "/usr/sbin/nginx"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.access(NGINX, os.X_OK), reason=f"no {NGINX}: install nginx (scripts/system-packages.sh does)"
    ),
    pytest.mark.skipif(
        not os.access(CHROMIUM, os.X_OK),
        reason=f"no {CHROMIUM}: install chromium (scripts/system-packages.sh does)",
    ),
]
playwright = pytest.importorskip("playwright.sync_api")
from benchmarks.pagewait import RESET, drawn_predicate, wait_drawn  # noqa: E402  (after the skips: needs playwright only to run)

RUN_SH = ROOT / "deploy" / "run.sh"
REPLICAS = 2
START_TIMEOUT = 120  # s until run.sh says "ready:" (two Streamlit start-ups)
TIMEOUT = 90_000  # ms for a page to draw; generous: the machine may be busy
MIN_SESSIONS, MAX_SESSIONS = 4, 16  # browsers opened until both replicas serve one
COOKIE = "dashboard_replica"
VIEWER, VIEWER_PASSWORD = "viewer", "border-2021"
VERSION_RE = re.compile(r"·\s*v(\d+)\b")

COMPLIANCE, COVERAGE = i18n.t("figure.branches.compliant"), i18n.t("figure.checkpoints.coverage_rate")
OUTREACH = i18n.enum_label(contract.INDICATORS, "outreach_teams")


# ------------------------------------------------------------------ the deployment
def _free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(2)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _free_ports(consecutive: int) -> int:
    """The first of `consecutive` free localhost ports (run.sh numbers replicas from it)."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            first = s.getsockname()[1]
        if first + consecutive < 65536 and all(_free(first + i) for i in range(consecutive)):
            return first
    raise RuntimeError("no free consecutive ports")


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return f"--- {path.name}\n" + "\n".join(
            path.read_text("utf-8", errors="replace").splitlines()[-lines:]
        )
    except FileNotFoundError:
        return f"--- {path.name}: (none)"


class Deployment:
    # --debug-replica: the X-Replica header says which replica answered each response.
    def __init__(
        self, store: Store, run_dir: Path, replicas: int = REPLICAS, args: tuple = ("--debug-replica",)
    ):
        self.store, self.run_dir, self.args = store, run_dir, tuple(args)
        self.logs = run_dir / "logs"
        self.out = run_dir.parent / "run.sh.log"
        self.port = _free_ports(1)
        self.replica_port = _free_ports(replicas)
        self.replicas = {f"127.0.0.1:{self.replica_port + i}" for i in range(replicas)}
        self.base = f"https://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        cmd = [
            "bash",
            str(RUN_SH),
            "--replicas",
            str(len(self.replicas)),
            "--port",
            str(self.port),
            "--replica-port",
            str(self.replica_port),
            "--store",
            str(self.store.root),
            "--run-dir",
            str(self.run_dir),
            *self.args,
        ]
        env = dict(os.environ, PYTHON=sys.executable, NGINX_BIN=NGINX, START_TIMEOUT=str(START_TIMEOUT))
        with open(self.out, "w", encoding="utf-8") as out:
            # a session (process group) of its own, so teardown can end exactly what it started
            self.proc = subprocess.Popen(
                cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + START_TIMEOUT + 10
        while "ready:" not in self.out.read_text("utf-8", errors="replace"):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(
                    f"deploy/run.sh did not get ready (exit {self.proc.poll()}):\n" + self.tails(),
                    pytrace=False,
                )
            time.sleep(0.3)

    def stop(self, timeout: float = 30) -> int | None:
        """TERM to run.sh (it stops its replicas and nginx); KILL the group if it hangs."""
        if self.proc is None or self.proc.poll() is not None:
            return None if self.proc is None else self.proc.returncode
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
            return None
        finally:
            # anything of the group still alive is a leak
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)

    def access_log(self) -> list[dict]:
        rows = []
        for line in (self.logs / "access.log").read_text("utf-8").splitlines():
            m = re.search(r'"(\S+) (\S+) [^"]*" (\d+) .*upstream=(\S+) route=(\S+)', line)
            if m:
                rows.append(
                    dict(zip(("method", "path", "status", "upstream", "route"), m.groups(), strict=False))
                )
        return rows

    def tails(self) -> str:
        files = [self.out, self.logs / "error.log"] + sorted(self.logs.glob("replica-*.log"))
        return "\n".join(_tail(p) for p in files)


@pytest.fixture
def deployment(demo_store, tmp_path, request):
    # A copy of the demo county: this test publishes a version (demo_store is shared, read-only).
    shutil.copytree(demo_store.root, tmp_path / "store")
    # Behind nginx there is no open mode (issue 11 item 4): the browsers sign in.
    auth.Users(tmp_path / "store").add(VIEWER, "leader", VIEWER_PASSWORD)
    d = Deployment(Store(tmp_path / "store"), tmp_path / "run")
    try:
        d.start()
        yield d
    finally:
        d.stop()
        if request.session.testsfailed:
            ARTIFACTS.mkdir(exist_ok=True)
            shutil.copytree(d.run_dir / "logs", ARTIFACTS / "replicas-logs", dirs_exist_ok=True)
            shutil.copyfile(d.out, ARTIFACTS / "replicas-logs" / "run.sh.log")


@contextlib.contextmanager
def deployed(d: Deployment, request):
    """Start `d`, yield it, stop it; its logs go to artifacts/ when the session has failures."""
    try:
        d.start()
        yield d
    finally:
        d.stop()
        if request.session.testsfailed:
            ARTIFACTS.mkdir(exist_ok=True)
            shutil.copytree(d.run_dir / "logs", ARTIFACTS / "tls-logs", dirs_exist_ok=True)
            shutil.copyfile(d.out, ARTIFACTS / "tls-logs" / "run.sh.log")


def served_certificate(port: int) -> bytes:
    """The DER certificate nginx presents on 127.0.0.1:port."""
    return ssl.PEM_cert_to_DER_cert(ssl.get_server_certificate(("127.0.0.1", port), timeout=10))


# ------------------------------------------------------------------ browsers
class Session:
    """One browser (a context of its own: its own cookies) on the overview through nginx;
    remembers which replica answered each HTTP response and what each view showed."""

    def __init__(self, browser, base: str):
        self.base = base
        self.context = browser.new_context(
            viewport={"width": 1366, "height": 768},
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            ignore_https_errors=True,  # self-signed
            # Playwright's wait_for_function evals its predicate
            # in the page, which the dashboard's CSP forbids; this
            # test is about pinning (the next one checks the CSP).
            bypass_csp=True,
        )
        self.context.set_default_timeout(TIMEOUT)
        self.page = self.context.new_page()
        self.answered_by: list[str] = []  # X-Replica of every response through nginx
        self.page.on("response", self._response)
        self.views: list[dict] = []

    def _response(self, response) -> None:
        if response.url.startswith(self.base):
            self.answered_by.append(response.headers.get("x-replica", "(none)"))

    @property
    def replica(self) -> str:
        return self.answered_by[0]

    @property
    def route(self) -> str | None:
        return next((c["value"] for c in self.context.cookies(self.base) if c["name"] == COOKIE), None)

    def go(self) -> None:
        """Start a page view: the first opens the overview, later ones reload it (a new
        Streamlit session each time, in the same browser)."""
        if self.views or self.page.url.startswith(self.base):
            self.page.reload(wait_until="domcontentloaded")  # the session cookie signs in
        else:
            self.page.goto(self.base + "/", wait_until="domcontentloaded")
            self.page.get_by_label(i18n.t("auth.name")).fill(VIEWER)
            self.page.get_by_label(i18n.t("auth.password")).fill(VIEWER_PASSWORD)
            self.page.get_by_role("button", name=i18n.t("auth.submit")).click()

    def seen(self, during_load: bool) -> dict:
        """Wait until the view is drawn, then read its version and figures."""
        self.page.wait_for_function(
            """labels => {
                const main = document.querySelector('[data-testid=stMain]');
                if (!main || !/·\\s*v\\d+/.test(main.innerText)) return false;
                const shown = Array.from(main.querySelectorAll('[data-testid=stMetricLabel]'),
                                         e => e.innerText.trim());
                return labels.every(l => shown.includes(l));
            }""",
            arg=[COMPLIANCE, COVERAGE, OUTREACH],
            polling=100,
        )
        wait_drawn(self.page, timeout=TIMEOUT)
        shown = self.page.evaluate("""() => ({
            main: document.querySelector('[data-testid=stMain]').innerText,
            body: document.body.innerText,
            exceptions: document.querySelectorAll('[data-testid=stException]').length,
            errors: document.querySelectorAll('[data-testid=stAlertContentError]').length,
            tiles: Array.from(document.querySelectorAll('[data-testid=stMain] [data-testid=stMetric]'),
                m => [(m.querySelector('[data-testid=stMetricLabel]') || {}).innerText,
                      (m.querySelector('[data-testid=stMetricValue]') || {}).innerText]),
        })""")
        m = VERSION_RE.search(shown["main"])
        tiles = {}
        for label, value in shown["tiles"]:
            tiles.setdefault((label or "").strip(), (value or "").strip())
        view = dict(
            version=int(m.group(1)) if m else None,
            during_load=during_load,
            exceptions=shown["exceptions"],
            errors=shown["errors"],
            error_text=bool(re.search(r"error", shown["body"], re.I)),
            figures={k: tiles.get(k) for k in (COMPLIANCE, COVERAGE, OUTREACH)},
        )
        self.views.append(view)
        return view

    def close(self) -> None:
        self.context.close()


def expected_figures(store: Store, version: int) -> dict:
    """What the overview must show for a version, from dashboard.metrics on that version."""
    con = store.connect(version)
    try:
        s = metrics.summary(con)
    finally:
        con.close()
    b = s["branches"]
    return {
        COMPLIANCE: f"{b['compliant']:,} / {b['total']:,}",
        COVERAGE: i18n.fmt_rate(s["checkpoints"]["coverage_rate"]),
        OUTREACH: i18n.fmt_num(s["indicators"]["outreach_teams"]),
    }


def changed_county(folder: Path) -> list[Path]:
    """A load that changes two figures in different parts of the overview: one branch fails
    a criterion in the latest week (the compliance tile) and the county reports more outreach
    teams (an indicator tile); a page mixing two versions would show one change only."""
    folder.mkdir()
    first = list(contract.CRITERIA)[0]
    rows = [f"B001,2021-12-28,{c},{'false' if c == first else 'true'}," for c in contract.CRITERIA]
    assessments = folder / "branch_assessments.csv"
    assessments.write_text("branch_id,assessed_on,criterion,passed,note\n" + "\n".join(rows) + "\n", "utf-8")
    indicators = folder / "indicators.csv"
    indicators.write_text("indicator,township_id,as_of,value\noutreach_teams,,2021-12-29,75\n", "utf-8")
    return [assessments, indicators]


def check_view(view: dict, expected: dict, store: Store) -> None:
    assert view["exceptions"] == 0 and view["errors"] == 0 and not view["error_text"], view
    assert view["version"] in (1, 2), view
    if view["version"] not in expected:
        expected[view["version"]] = expected_figures(store, view["version"])
    assert view["figures"] == expected[view["version"]], (view, expected)


# ------------------------------------------------------------------ the test
def test_replicas_spread_browsers_pin_them_and_serve_whole_versions_through_a_load(
    deployment, browser, tmp_path
):
    d, store = deployment, deployment.store
    assert store.current() == 1
    # No certificate given: run.sh made a self-signed one, and nginx serves it.
    cert = d.run_dir / "tls" / "self-signed.crt"
    assert (d.run_dir / "tls" / "self-signed.key").stat().st_mode & 0o077 == 0
    assert served_certificate(d.port) == ssl.PEM_cert_to_DER_cert(cert.read_text())
    expected = {1: expected_figures(store, 1)}
    sessions: list[Session] = []
    loader = None
    try:
        # 1. Browsers through nginx until both replicas serve at least one (the route is random:
        #    four browsers miss a replica with probability 1/8, sixteen with 1/32768).
        while len(sessions) < MAX_SESSIONS:
            batch = [Session(browser, d.base) for _ in range(MIN_SESSIONS if not sessions else 1)]
            for s in batch:
                s.go()
            for s in batch:
                check_view(s.seen(during_load=False), expected, store)
                assert s.views[-1]["version"] == 1
            sessions += batch
            if {s.replica for s in sessions} == d.replicas:
                break
        by_replica = {r: sum(s.replica == r for s in sessions) for r in d.replicas}
        assert all(by_replica.values()), f"browsers did not spread over the replicas: {by_replica}"
        routes = {s.route for s in sessions}
        assert None not in routes and len(routes) == len(sessions), "each browser gets its own route"

        # 2. Publish a load from the command line while every browser keeps viewing pages.
        files = changed_county(tmp_path / "changes")
        loader = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "dashboard",
                "--store",
                str(store.root),
                "load",
                *map(str, files),
                "--by",
                "tests",
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        saw_new = set()
        deadline = time.monotonic() + 150
        while len(saw_new) < len(sessions):
            assert time.monotonic() < deadline, "the new version did not reach every browser"
            during = loader.poll() is None
            for s in sessions:
                s.go()
            for s in sessions:
                view = s.seen(during_load=during)
                check_view(view, expected, store)
                if view["version"] == 2 and loader.poll() is not None:
                    saw_new.add(id(s))
            if loader.poll() is not None:
                assert loader.returncode == 0, loader.stdout.read()
        assert store.current() == 2
        assert expected[1][COMPLIANCE] != expected[2][COMPLIANCE]
        assert expected[1][OUTREACH] != expected[2][OUTREACH]
        assert expected[1][COVERAGE] == expected[2][COVERAGE]
        assert any(v["during_load"] for s in sessions for v in s.views), "no view during the load"
        # once a browser has seen v2, it never goes back to v1 (its replica reads CURRENT anew)
        for s in sessions:
            versions = [v["version"] for v in s.views]
            assert versions == sorted(versions), versions

        # 3. Pinned: every HTTP response a browser got came from its replica, and it kept its
        #    route cookie through all its views.
        for s in sessions:
            assert set(s.answered_by) == {s.replica}, s.answered_by
        print(
            f"{len(sessions)} browsers over {by_replica}; views (version, during load):",
            [[(v["version"], v["during_load"]) for v in s.views] for s in sessions],
        )
        route_of = {s.route: s.replica for s in sessions}  # read before the contexts close
        views_of = {s.route: len(s.views) for s in sessions}
        assert set(route_of) == routes
    finally:
        for s in sessions:
            s.close()
        if loader is not None and loader.poll() is None:
            loader.kill()
            loader.wait()

    # 4. ... and every websocket of a browser went to the same replica as its pages (nginx logs
    #    a websocket when it closes: the contexts are closed now).
    deadline = time.monotonic() + 20
    while True:
        streams = [r for r in d.access_log() if r["path"].startswith("/_stcore/stream")]
        per_route = {}
        for r in streams:
            per_route.setdefault(r["route"], []).append(r["upstream"])
        if (
            all(len(per_route.get(route, ())) >= n for route, n in views_of.items())
            or time.monotonic() > deadline
        ):
            break
        time.sleep(0.5)
    assert set(per_route) == set(route_of), "only the browsers' routes opened websockets"
    for route, n in views_of.items():
        assert len(per_route[route]) >= n, f"a websocket per view: {route} {per_route[route]}"
        assert set(per_route[route]) == {route_of[route]}, (route, per_route[route])
    assert {r["status"] for r in streams} == {"101"}
    assert set().union(*per_route.values()) == d.replicas

    problems = [
        line
        for line in (d.logs / "error.log").read_text("utf-8").splitlines()
        if re.search(r"\[(error|crit|alert|emerg)\]", line)
    ]
    assert problems == [], "nginx reported problems"

    # 5. TERM stops everything: run.sh exits 0, and no port is left listening.
    assert d.stop() == 0, d.tails()
    ports = [d.port] + [int(r.rsplit(":", 1)[1]) for r in d.replicas]
    assert not [p for p in ports if _listening(p)], "still listening after TERM"


# ------------------------------------------------------------------ TLS, headers, limits
CSP_WATCH = """document.addEventListener('securitypolicyviolation', e => {
    (window.__csp = window.__csp || []).push(`${e.violatedDirective} ${e.blockedURI}`);
});"""
PAGES = {
    "": "overview",
    "grids": "grids",
    "branches": "branches",
    "training": "training",
    "checkpoints": "checkpoints",
    "data": "data",
    "?kiosk=1": "kiosk",
}


def drawn_under_csp(page) -> None:
    """benchmarks.pagewait's "drawn" predicate, polled from here: page.wait_for_function would
    eval it inside the page, which the policy refuses (page.evaluate goes through DevTools)."""
    page.evaluate(RESET)
    deadline = time.monotonic() + TIMEOUT / 1000
    while not page.evaluate(drawn_predicate()):
        assert time.monotonic() < deadline, f"{page.url} was not drawn within {TIMEOUT / 1000} s"
        time.sleep(0.1)


def _get(url: str, context: ssl.SSLContext | None = None, redirect: bool = True):
    """(status, headers) of a GET; redirects followed or not."""
    handlers = [urllib.request.HTTPSHandler(context=context)]
    if not redirect:

        class Keep(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        handlers.append(Keep())
    try:
        with urllib.request.build_opener(*handlers).open(url, timeout=20) as r:
            return r.status, r.headers
    except urllib.error.HTTPError as e:
        return e.code, e.headers


def _upgrade(port: int, context: ssl.SSLContext) -> int:
    """The status nginx answers a websocket upgrade of /_stcore/stream with (then hang up)."""
    with (
        socket.create_connection(("127.0.0.1", port), timeout=20) as raw,
        context.wrap_socket(raw, server_hostname="localhost") as tls,
    ):
        tls.sendall(
            f"GET /_stcore/stream HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            f"Origin: https://127.0.0.1:{port}\r\n\r\n".encode()
        )
        return int(tls.recv(64).split(b" ", 2)[1])


def test_nginx_terminates_tls_sends_security_headers_and_limits_sessions(
    demo_store, browser, tmp_path, request
):
    # A certificate of our own (as a county would give its intranet one): run.sh uses it.
    cert, key = tmp_path / "site.crt", tmp_path / "site.key"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    # An admin (behind nginx there is no open mode): the data page too must draw.
    shutil.copytree(demo_store.root, tmp_path / "store")
    auth.Users(tmp_path / "store").add("admin", "admin", VIEWER_PASSWORD)
    d = Deployment(
        Store(tmp_path / "store"), tmp_path / "run", replicas=1, args=["--cert", str(cert), "--key", str(key)]
    )
    with deployed(d, request):
        assert not (d.run_dir / "tls").exists(), "a certificate was given: none is made"
        # 1. HTTPS with our certificate, verified against it (name and all).
        trusted = ssl.create_default_context(cafile=str(cert))
        assert served_certificate(d.port) == ssl.PEM_cert_to_DER_cert(cert.read_text())
        status, headers = _get(d.base + "/", trusted)
        assert status == 200
        # plain http:// to the same port is sent to https://
        status, moved = _get(f"http://127.0.0.1:{d.port}/grids?lang=en", redirect=False)
        assert status == 301 and moved["Location"] == f"https://127.0.0.1:{d.port}/grids?lang=en"

        # 2. Security headers on the page, a script, the health probe and an error; no X-Replica.
        for path in ("/", "/_stcore/health", "/_stcore/host-config", "/no-such-file.js"):
            status, h = _get(d.base + path, trusted)
            csp = h["Content-Security-Policy"] or ""
            assert "frame-ancestors 'self'" in csp and "default-src 'self'" in csp, (path, csp)
            assert "style-src 'self' 'unsafe-inline'" in csp and "connect-src 'self'" in csp
            assert "'unsafe-eval'" not in csp and "script-src 'self' 'wasm-unsafe-eval'" in csp
            assert h["X-Frame-Options"] == "SAMEORIGIN" and h["X-Content-Type-Options"] == "nosniff"
            assert h["Referrer-Policy"] == "same-origin"
            assert h["X-Replica"] is None, "X-Replica without --debug-replica"
            assert h.get_all("Content-Security-Policy") == [csp], "one policy, not two"
        set_cookies = {c.split("=", 1)[0]: c for c in headers.get_all("Set-Cookie")}
        cookie = set_cookies[COOKIE]
        assert "Secure" in cookie and "HttpOnly" in cookie
        # the login tickets' binding cookie (issue 24): Secure too, nginx being the trusted proxy
        bind = set_cookies[auth.BIND_COOKIE]
        assert "Secure" in bind and "HttpOnly" in bind and "SameSite=strict" in bind

        # 3. The app draws every page through nginx with no CSP violation: sign in (the hidden
        #    frame that sets the session cookie is framed by the page itself), then open each
        #    page anew (a full load: the cookie signs the new session in).
        context = browser.new_context(ignore_https_errors=True, viewport={"width": 1366, "height": 900})
        context.set_default_timeout(TIMEOUT)
        context.add_init_script(CSP_WATCH)
        page = context.new_page()
        try:
            page.goto(d.base + "/", wait_until="domcontentloaded")
            page.get_by_label(i18n.t("auth.name")).fill("admin")
            page.get_by_label(i18n.t("auth.password")).fill(VIEWER_PASSWORD)
            page.get_by_role("button", name=i18n.t("auth.submit")).click()
            drawn_under_csp(page)
            assert page.evaluate("window.__csp || []") == [], "signing in"
            deadline = time.monotonic() + 30
            while not any(c["name"] == auth.COOKIE for c in context.cookies(d.base)):
                assert time.monotonic() < deadline, "no session cookie under the CSP"
                time.sleep(0.2)
            session_cookie = next(c for c in context.cookies(d.base) if c["name"] == auth.COOKIE)
            assert session_cookie["secure"] and session_cookie["httpOnly"]
            # nginx connects from 127.0.0.2 (--proxy-address), the browser from 127.0.0.1: the
            # login is recorded under the browser's address, as nginx forwards it (issue 24)
            logins = [e for e in auth.Users(d.store.root).audit_log() if e["event"] == "login"]
            assert [e.get("address") for e in logins] == ["127.0.0.1"], logins
            assert "proxy_bind 127.0.0.2;" in (d.run_dir / "nginx.conf").read_text()
            for path, name in PAGES.items():
                page.goto(f"{d.base}/{path}", wait_until="domcontentloaded")
                drawn_under_csp(page)
                assert page.evaluate("window.__csp || []") == [], name
                assert page.locator("[data-testid=stException]").count() == 0, name
                assert page.get_by_label(i18n.t("auth.password")).count() == 0, f"{name}: signed out"
                if name == "checkpoints":  # its heatmap: HTML, no Plotly on load
                    assert page.locator("[data-heatmap=checkpoints] .h").count() > 0, name
                    assert page.locator(".js-plotly-plot").count() == 0, name
                if name == "overview":  # a chart drawn on request, opened: Plotly under the CSP
                    page.get_by_text(i18n.t("light.trend")).click()
                    playwright.expect(page.locator(".js-plotly-plot .main-svg").first).to_be_visible()
                    assert page.evaluate("window.__csp || []") == [], "overview, trend opened"
                if name in ("grids", "branches", "checkpoints"):  # the quick map (SVG) on load
                    assert page.locator(".svgmap svg").count() == 1, name
                    assert page.locator("[data-testid=stDeckGlJsonChart]").count() == 0, name
                if name == "grids":  # the interactive map on request: deck.gl under the CSP
                    page.get_by_role("radio", name=i18n.t("mapview.interactive")).click()
                    deck = page.locator("[data-testid=stDeckGlJsonChart] canvas").first
                    playwright.expect(deck).to_be_attached()
                    assert page.evaluate("window.__csp || []") == [], "grids, interactive map"
            page.screenshot(path=str(tmp_path / "through-nginx.png"))
        finally:
            context.close()

        # 4. Limits. Health probes: 10 a second with a burst of 50, past that 429.
        insecure = ssl.create_default_context()
        insecure.check_hostname, insecure.verify_mode = False, ssl.CERT_NONE
        with concurrent.futures.ThreadPoolExecutor(30) as pool:
            probes = list(pool.map(lambda _: _get(d.base + "/_stcore/health", insecure)[0], range(150)))
        assert probes.count(200) >= 50 and probes.count(429) >= 30, probes
        # New sessions (websocket upgrades, where the login happens): 2 a second; a client
        # that waits for each answer is paced (past 20 at once), one opening more than 40 at
        # once is refused.
        with concurrent.futures.ThreadPoolExecutor(70) as pool:
            upgrades = list(pool.map(lambda _: _upgrade(d.port, insecure), range(100)))
        assert upgrades.count(429) >= 30, upgrades
        assert sum(code == 101 for code in upgrades) >= 20, upgrades  # the burst went through
        log = (d.logs / "error.log").read_text("utf-8")
        assert 'zone "sessions"' in log and 'zone "probes"' in log
        assert not re.search(r"\[(error|crit|alert|emerg)\]", log), "a refusal is a warning"
        assert d.stop() == 0, d.tails()
