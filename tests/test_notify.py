"""Warnings pushed (issue 20 §2): real HTTP to a local receiver that answers as each robot does
and checks signatures and keywords; the outbox's once-per-channel delivery, rate limit, retries
and a crash mid-send. Loopback only; the clock is injected, nothing sleeps."""

from __future__ import annotations

import base64
import hashlib
import hmac
import importlib
import json
import os
import stat
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from dashboard.notify import Channel, Config, messages
from dashboard.notify.outbox import Outbox

runmod = importlib.import_module("dashboard.notify.run")  # the package's `run` is the function
SECRET = "SECabc123"


class Receiver:
    """Answers like WeCom, DingTalk and Feishu; `script[path_kind]` lists forced answers."""

    def __init__(self, keyword: str = ""):
        self.got: list[tuple[str, dict]] = []  # accepted messages (kind, body)
        self.hits = 0
        self.script: dict[str, list[str]] = {"wecom": [], "dingtalk": [], "feishu": []}
        self.keyword = keyword
        recv = self

        class H(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_POST(self):
                recv.hits += 1
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                url = urlsplit(self.path)
                q = parse_qs(url.query)
                if url.path == "/cgi-bin/webhook/send":
                    kind, ok = "wecom", q.get("key") == ["K1"]
                    text = body["markdown"]["content"]
                    sign_ok = ok and len(text.encode()) <= 4096
                elif url.path == "/robot/send":
                    kind = "dingtalk"
                    ts = q["timestamp"][0]
                    mac = hmac.new(SECRET.encode(), f"{ts}\n{SECRET}".encode(), hashlib.sha256).digest()
                    # parse_qs already url-decoded the sign once
                    sign_ok = q["sign"][0] == base64.b64encode(mac).decode()
                    text = body["markdown"]["text"]
                elif url.path.startswith("/open-apis/bot/v2/hook/"):
                    kind = "feishu"
                    ts = body["timestamp"]
                    mac = hmac.new(f"{ts}\n{SECRET}".encode(), b"", hashlib.sha256).digest()
                    sign_ok = body["sign"] == base64.b64encode(mac).decode()
                    text = body["content"]["text"]
                else:
                    self.send_response(404)
                    self.end_headers()
                    return
                forced = recv.script[kind].pop(0) if recv.script[kind] else None
                if forced == "500":
                    return self._answer(500, {"errcode": -1, "errmsg": "system busy"})
                if forced == "rate":
                    code = {"wecom": 45009, "dingtalk": 130101, "feishu": 11232}[kind]
                    return self._answer(
                        200, {"errcode" if kind != "feishu" else "code": code, "msg": "limit"}
                    )
                if not sign_ok or (recv.keyword and recv.keyword not in text):
                    if kind == "feishu":
                        return self._answer(
                            200,
                            {
                                "code": 19021,
                                "msg": "sign match fail or timestamp is not within one hour",
                            },
                        )
                    if kind == "wecom":
                        return self._answer(200, {"errcode": 93000, "errmsg": "invalid webhook url"})
                    return self._answer(
                        200, {"errcode": 310000, "errmsg": "sign not match / keywords not in content"}
                    )
                recv.got.append((kind, body))
                if kind == "feishu":
                    return self._answer(200, {"code": 0, "msg": "success", "data": {}})
                return self._answer(200, {"errcode": 0, "errmsg": "ok"})

            def _answer(self, status, obj):
                data = json.dumps(obj).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def recv():
    r = Receiver()
    yield r
    r.close()


class Clock:
    def __init__(self, t=1_765_000_000.0):
        self.t = t

    def __call__(self):
        return self.t


def msg(township, period="v1", rule="ledger", n=1):
    items = [
        dict(
            key=f"grid_no_chief|G{i}|",
            kind="grid_no_chief",
            entity=f"G{i}",
            township_id=township,
            deadline="2026-12-10",
            status="open",
            escalated=False,
        )
        for i in range(n)
    ]
    return messages.ledger_digest(township, f"乡{township}", period, items, [], "", rule=rule)


def add(state, name, kind, url, **kw):
    defaults = dict(token={"wecom": "K1", "dingtalk": "T1", "feishu": "H1"}[kind], townships=("*",))
    return Config(state).add(Channel(name=name, kind=kind, base_url=url, **{**defaults, **kw}))


def test_nothing_is_sent_without_channels(tmp_path, recv):
    p = runmod.run(tmp_path, sources=[lambda ctx: [msg("T1")]])
    assert p.made == 0 and p.sent == 0 and recv.hits == 0
    assert not (tmp_path / "notify" / "outbox.jsonl").exists()


def test_exactly_one_message_per_key_and_channel(tmp_path, recv):
    add(tmp_path, "wx", "wecom", recv.url, townships=("T1",))
    add(tmp_path, "dd", "dingtalk", recv.url, secret=SECRET)
    add(tmp_path, "fs", "feishu", recv.url, secret=SECRET)
    clock = Clock()
    source = lambda ctx: [msg("T1"), msg("T2")]  # noqa: E731
    for _ in range(3):
        runmod.run(tmp_path, sources=[source], clock=clock)
        clock.t += 120
    kinds = [k for k, _b in recv.got]
    assert kinds.count("wecom") == 1  # serves T1 only
    assert kinds.count("dingtalk") == 2 and kinds.count("feishu") == 2  # signatures checked
    assert recv.hits == 5


def test_rate_limit_twenty_a_minute(tmp_path, recv):
    add(tmp_path, "wx", "wecom", recv.url)
    clock = Clock()
    source = lambda ctx: [msg(f"T{i}") for i in range(45)]  # noqa: E731
    p = runmod.run(tmp_path, sources=[source], clock=clock)
    assert (p.made, p.sent) == (45, 20)
    assert runmod.run(tmp_path, sources=[source], clock=clock).sent == 0  # same minute
    clock.t += 61
    assert runmod.run(tmp_path, sources=[source], clock=clock).sent == 20
    clock.t += 61
    assert runmod.run(tmp_path, sources=[source], clock=clock).sent == 5
    assert len(recv.got) == 45
    sends = sorted(s for d in Outbox(tmp_path).load().deliveries.values() for s in d.sends)
    assert all(sum(1 for s in sends if a <= s < a + 60) <= 20 for a in sends)


def test_fails_twice_then_succeeds_gets_it_once(tmp_path, recv):
    add(tmp_path, "wx", "wecom", recv.url)
    recv.script["wecom"] = ["rate", "500"]
    clock = Clock()
    src = [lambda ctx: [msg("T1")]]
    assert runmod.run(tmp_path, sources=src, clock=clock).retry == 1
    assert runmod.run(tmp_path, sources=src, clock=clock).sent == 0  # backoff not due yet
    clock.t += runmod.backoff(1)
    assert runmod.run(tmp_path, sources=src, clock=clock).retry == 1
    clock.t += runmod.backoff(2)
    assert runmod.run(tmp_path, sources=src, clock=clock).sent == 1
    clock.t += 3600
    runmod.run(tmp_path, sources=src, clock=clock)
    assert len(recv.got) == 1 and recv.hits == 3
    (row,) = runmod.log(tmp_path)[0]
    assert row["status"] == "sent" and row["attempts"] == 3


def test_bad_signature_and_missing_keyword_are_configuration_problems(tmp_path, recv):
    recv.keyword = "预警"
    add(tmp_path, "dd_bad", "dingtalk", recv.url, secret="wrong")
    add(tmp_path, "dd_nokw", "dingtalk", recv.url, secret=SECRET)
    add(tmp_path, "dd_ok", "dingtalk", recv.url, secret=SECRET, keyword="预警")
    add(tmp_path, "fs_bad", "feishu", recv.url, secret="wrong", keyword="预警")
    clock = Clock()
    src = [lambda ctx: [msg("T1"), msg("T2")]]
    p = runmod.run(tmp_path, sources=src, clock=clock)
    assert p.sent == 2 and p.config == 3  # one try per broken channel, its other message held
    assert {pr.split(":")[0] for pr in p.problems} == {"dd_bad", "dd_nokw", "fs_bad"}
    hits = recv.hits
    clock.t += 7200
    runmod.run(tmp_path, sources=src, clock=clock)
    assert recv.hits == hits + 3  # the held ones are tried once; nothing refused is retried
    rows, _ = runmod.log(tmp_path)
    assert {r["status"] for r in rows if r["channel"] != "dd_ok"} == {"config"}
    assert all("预警" in b["markdown"]["text"] for k, b in recv.got)


def test_long_digest_fits_wecom_and_says_how_many_more(tmp_path, recv):
    add(tmp_path, "wx", "wecom", recv.url)
    runmod.run(tmp_path, sources=[lambda ctx: [msg("T1", n=500)]], clock=Clock())
    ((_, body),) = recv.got
    text = body["markdown"]["content"]
    assert len(text.encode()) <= 4096
    shown = text.count("\n- ")
    assert f"…及另外 {500 - shown} 项" in text and 20 < shown < 500


def test_crash_between_send_and_record_never_sends_twice(tmp_path, recv):
    add(tmp_path, "wx", "wecom", recv.url)
    clock = Clock()

    def crash_after_send(*a, **kw):
        runmod.robots.deliver(*a, **kw)
        raise KeyboardInterrupt  # killed after the robot accepted, before "sent" is written

    src = [lambda ctx: [msg("T1"), msg("T2")]]
    with pytest.raises(KeyboardInterrupt):
        runmod.run(tmp_path, sources=src, clock=clock, deliver=crash_after_send)
    assert len(recv.got) == 1
    clock.t += 7200
    p = runmod.run(tmp_path, sources=src, clock=clock)
    assert p.recovered == 1 and p.sent == 1  # T2, never tried, is not lost
    runmod.run(tmp_path, sources=src, clock=clock)
    assert len(recv.got) == 2  # T1 not resent by itself
    rows, _ = runmod.log(tmp_path)
    status = {r["township"]: r["status"] for r in rows}
    assert status == {"T1": "unknown", "T2": "sent"}
    runmod.resend(tmp_path, "ledger|T1|v1", "wx", clock=clock)  # the admin's decision
    runmod.run(tmp_path, sources=src, clock=clock)
    assert len(recv.got) == 3


def test_crash_before_sending_loses_nothing(tmp_path, recv):
    add(tmp_path, "wx", "wecom", recv.url)

    def crash_before(*a, **kw):
        raise KeyboardInterrupt  # killed after the message was recorded, before connecting

    with pytest.raises(KeyboardInterrupt):
        runmod.run(tmp_path, sources=[lambda ctx: [msg("T1")]], clock=Clock(), deliver=crash_before)
    assert runmod.run(tmp_path, sources=[lambda ctx: []], clock=Clock()).sent == 1
    assert len(recv.got) == 1


def test_unreachable_robot_is_retried_with_backoff(tmp_path, recv):
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    s.close()  # nothing listens there
    add(tmp_path, "wx", "wecom", dead)
    clock = Clock()
    p = runmod.run(tmp_path, sources=[lambda ctx: [msg("T1")]], clock=clock)
    assert p.retry == 1
    (row,) = runmod.log(tmp_path)[0]
    assert row["status"] == "retry" and row["attempts"] == 1 and row["next_at"] == clock.t + 30
    Config(tmp_path).add(
        Channel(name="wx", kind="wecom", base_url=recv.url, token="K1", townships=("*",)),
        replace_existing=True,
    )
    clock.t += 31
    assert runmod.run(tmp_path, sources=[], clock=clock).sent == 1
    assert len(recv.got) == 1


def test_secrets_kept_apart_0600_and_never_shown(tmp_path):
    Config(tmp_path).add(
        Channel(name="dd", kind="dingtalk", token="TOKEN9", secret="SEC9", townships=("T1",))
    )
    sec = tmp_path / "notify" / "secrets.json"
    assert stat.S_IMODE(os.stat(sec).st_mode) == 0o600
    assert "SEC9" not in (tmp_path / "notify" / "channels.json").read_text()
    (ch,) = Config(tmp_path).channels()
    assert ch.public()["secret"] == "***" and ch.public()["token"] == "***"
    assert "SEC9" not in repr(ch)


def test_smtp_with_starttls_and_login(tmp_path, monkeypatch):
    import socket
    import ssl
    import subprocess

    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    crt, key = tmp_path / "c.pem", tmp_path / "k.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(crt),
        ],
        check=True,
        capture_output=True,
    )
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(crt, key)
    got = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            got.append((session.authenticated, envelope.rcpt_tos, envelope.content.decode()))
            return "250 OK"

    def auth(server, session, envelope, mechanism, data):
        return AuthResult(success=(data.login, data.password) == (b"clerk", b"pw"))

    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    free = probe.getsockname()[1]
    probe.close()
    ctl = Controller(
        Handler(),
        hostname="127.0.0.1",
        port=free,
        tls_context=tls,
        require_starttls=True,
        authenticator=auth,
        auth_require_tls=True,
    )
    ctl.start()
    try:
        port = free
        monkeypatch.setenv("DASHBOARD_SMTP_CAFILE", str(crt))
        Config(tmp_path).add(
            Channel(
                name="mail",
                kind="smtp",
                host="127.0.0.1",
                port=port,
                user="clerk",
                password="pw",
                sender="dash@example.cn",
                to=("zzb@example.cn",),
                county=True,
            )
        )
        p = runmod.run(
            tmp_path, sources=[lambda ctx: [msg(None, "2026-11-30", rule="county")]], clock=Clock()
        )
        assert p.sent == 1
        ((authed, rcpt, content),) = got
        assert authed and rcpt == ["zzb@example.cn"] and "Subject:" in content
    finally:
        ctl.stop()


def test_test_send_and_links(tmp_path, recv, monkeypatch):
    add(tmp_path, "wx", "wecom", recv.url)
    d = runmod.send_test(tmp_path, "wx", clock=Clock())
    assert d.status == "sent" and "测试" in recv.got[0][1]["markdown"]["content"]
    m = messages.reminder(
        "T1",
        "娜允镇",
        __import__("datetime").date(2026, 11, 30),
        __import__("datetime").datetime(2026, 12, 7, 12, 0),
        "pending",
        "https://dj.example/",
    )
    _t, text = messages.render(m, "wecom", 4096)
    assert "(https://dj.example/submissions?township=T1)" in text and "未报送" in text
    _t, text = messages.render(
        messages.reminder(
            "T1",
            "娜允镇",
            __import__("datetime").date(2026, 11, 30),
            __import__("datetime").datetime(2026, 12, 7, 12, 0),
            "pending",
        ),
        "wecom",
        4096,
    )
    assert "http" not in text  # no public URL set: no link
    evil = messages.returned(
        "T1", "[x](http://evil)", __import__("datetime").date(2026, 11, 30), "**坏**", "t"
    )
    _t, text = messages.render(evil, "wecom", 4096)
    assert "](http://evil)" not in text and "**坏**" not in text


def test_command_line_channel_add_list_test_log(tmp_path, recv):
    import subprocess
    import sys
    from pathlib import Path

    def cli(*args, stdin=""):
        cmd = [sys.executable, "-m", "dashboard", "--store", str(tmp_path), "notify", *args]
        root = Path(__file__).resolve().parent.parent
        return subprocess.run(cmd, input=stdin, capture_output=True, text=True, cwd=root)

    out = cli(
        "channel",
        "add",
        "dd",
        "--kind",
        "dingtalk",
        "--all-townships",
        "--base-url",
        recv.url,
        stdin=f"token=T1\nsecret={SECRET}\n",
    )
    assert out.returncode == 0, out.stderr
    listed = cli("channel", "list").stdout
    assert "secret=***" in listed and SECRET not in listed
    assert cli("channel", "test", "dd").returncode == 0 and len(recv.got) == 1
    assert "\tsent\t1" in cli("log").stdout
    bad = cli("channel", "add", "mail", "--kind", "smtp", "--county")
    assert bad.returncode == 1 and "发件人" in bad.stderr
    from dashboard import auth

    done = [(e["event"], e.get("via")) for e in auth.Users(tmp_path).audit_log() if e.get("state") == "done"]
    assert sorted(done) == [("notify_channel_add", "cli"), ("notify_test", "cli")]  # as on the page


def test_demo_county_digests_once_per_township(demo_store, tmp_path, recv):
    import datetime as dt

    from dashboard import ledger, metrics, reporting
    from dashboard.store import Store

    store = Store(demo_store.root, state=tmp_path)
    con = store.connect()
    try:
        latest = metrics.latest_week(con)
        towns = set(metrics.townships(con)["township_id"])
    finally:
        con.close()
    now = reporting.deadline(latest) + dt.timedelta(hours=30)
    clock = Clock(now.timestamp())
    add(tmp_path, "all", "wecom", recv.url, county=True)
    Config(tmp_path).set_public_url("https://dj.example")
    for _ in range(4):
        runmod.run(tmp_path, store=store, clock=clock)
        clock.t += 61
    box = Outbox(tmp_path).load()
    ledger_msgs = [m for m in box.messages.values() if m.rule == "ledger"]
    live = {i.township_id for i in ledger.items(store, as_of=now) if i.status != "closed"}
    assert {m.township for m in ledger_msgs} == live and live <= towns
    assert len([m for m in box.messages.values() if m.rule == "county"]) == 1
    texts = [b["markdown"]["content"] for _k, b in recv.got]
    assert len(texts) == len(box.messages)  # each message once on the one channel
    assert all(len(t.encode()) <= 4096 for t in texts)
    county = next(t for t in texts if "每周督办" in t)
    assert "(https://dj.example/overview)" in county
    n = len(recv.got)
    clock.t += 3600
    runmod.run(tmp_path, store=store, clock=clock)
    assert len(recv.got) == n  # nothing new: nothing sent


def test_returned_submission_reason_goes_to_its_township_once(tmp_path, recv, monkeypatch):
    import datetime as dt

    from dashboard import auth, review

    add(tmp_path, "nayun", "wecom", recv.url, townships=("T01",))
    add(tmp_path, "other", "dingtalk", recv.url, townships=("T02",), secret=SECRET)
    t0 = dt.datetime(2026, 12, 7, 10, 0, tzinfo=runmod.TZ)
    stamp = {"now": t0}
    monkeypatch.setattr(review, "_now", lambda: stamp["now"])  # the review's events' time
    shen = auth.User("shen", "reviewer")
    week = dt.date(2022, 1, 3)

    def step(minutes, call, *args):
        stamp["now"] = t0 + dt.timedelta(minutes=minutes)
        call(tmp_path, *args)

    step(0, review.submitted, "T01", week, "nayun_clerk", 2)
    step(1, review.send_back, "T01", week, shen, "G0003 走访户数 [看这里](http://x) 有误")
    # T02's week was returned nine days ago: older than the window, not pushed
    step(-9 * 24 * 60, review.submitted, "T02", week, "mangxin_clerk", 2)
    step(-9 * 24 * 60 + 1, review.send_back, "T02", week, shen, "旧的退回")
    clock = Clock((t0 + dt.timedelta(minutes=2)).timestamp())
    for _ in range(2):  # the default sources, as `notify run` calls them; twice: sent once
        runmod.run(tmp_path, clock=clock)
        clock.t += 61
    assert len(recv.got) == 1 and recv.hits == 1
    ((kind, body),) = recv.got
    text = body["markdown"]["content"]
    assert kind == "wecom" and "【报送退回】" in text and "1月3日" in text and "请修改后重新报送" in text
    assert "G0003 走访户数" in text and "](http://x)" not in text  # the reason, as literal text
    (m,) = Outbox(tmp_path).load().messages.values()
    assert (m.rule, m.township) == ("returned", "T01") and m.period.startswith("2022-01-03@2026-12-07T10:01")
    # the reporter resubmits, the week is returned again: a second return, a second message
    step(5, review.submitted, "T01", week, "nayun_clerk", 3)
    step(6, review.send_back, "T01", week, shen, "卡点值守时长仍缺")
    clock.t = (t0 + dt.timedelta(minutes=7)).timestamp()
    for _ in range(2):
        runmod.run(tmp_path, clock=clock)
        clock.t += 61
    assert len(recv.got) == 2 and "卡点值守时长仍缺" in recv.got[1][1]["markdown"]["content"]
    assert [k for k, _b in recv.got] == ["wecom", "wecom"]  # T02's robot heard nothing
