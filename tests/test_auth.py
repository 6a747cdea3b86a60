"""Users, passwords, lockout, scope and the audit log; the template round trip."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dashboard import auth, contract, ingest, template
from dashboard.store import Store

from conftest import TINY

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def users(tmp_path):
    return auth.Users(tmp_path)


def test_passwords_are_hashed_not_stored(users, tmp_path):
    users.add("gongxin-clerk", "township", "correct horse", township="T06")
    text = (tmp_path / "users.json").read_text()
    assert "correct horse" not in text and '"hash"' in text
    assert users.authenticate("gongxin-clerk", "correct horse") == auth.User(
        "gongxin-clerk", "township", "T06"
    )


def test_wrong_passwords_throttle_the_name_from_that_address_with_growing_waits(users, monkeypatch):
    """Issue 11 item 6: no hard lock a stranger can set. Failures slow down one (name,
    address) pair: free tries, then 1 s, 2 s, 4 s ... up to 15 minutes; the owner at their own
    address still signs in; an unknown name is throttled the same way."""
    clock = [1_000_000.0]
    monkeypatch.setattr(time, "time", lambda: clock[0])
    users.add("admin1", "admin", "s3cret-pass")
    for _ in range(auth.FREE_FAILURES):
        with pytest.raises(auth.AuthError, match="wrong user name or password"):
            users.authenticate("admin1", "guess-guess", address="10.9.9.9")
    with pytest.raises(auth.Throttled) as e:  # even the right password
        users.authenticate("admin1", "s3cret-pass", address="10.9.9.9")
    assert e.value.seconds == 1 and "请 1 秒后再试" in e.value.zh and "1 s" in e.value.en
    # the owner, from their own address, is not slowed down by the stranger
    assert users.authenticate("admin1", "s3cret-pass", address="10.1.1.1").role == "admin"
    waits = []
    for _ in range(14):
        clock[0] += 10_000
        with pytest.raises(auth.AuthError):
            users.authenticate("admin1", "guess-guess", address="10.9.9.9")
        with pytest.raises(auth.Throttled) as e:
            users.authenticate("admin1", "guess-guess", address="10.9.9.9")
        waits.append(e.value.seconds)
    assert waits[:5] == [2, 4, 8, 16, 32] and max(waits) == auth.MAX_WAIT
    assert "15 分钟" in auth.Throttled(auth.MAX_WAIT).zh
    clock[0] += auth.MAX_WAIT  # waited: the right password works
    assert users.authenticate("admin1", "s3cret-pass", address="10.9.9.9").name == "admin1"
    for _ in range(auth.FREE_FAILURES):  # unknown names alike
        with pytest.raises(auth.AuthError, match="wrong user name"):
            users.authenticate("nobody", "guess-guess", address="10.9.9.9")
    with pytest.raises(auth.Throttled):
        users.authenticate("nobody", "guess-guess", address="10.9.9.9")
    events = [e["event"] for e in users.audit_log()]
    assert "login_refused" in events and events.count("login") == 2
    # the throttle file is small and forgets old pairs
    clock[0] += auth.THROTTLE_FORGET + 1
    with pytest.raises(auth.AuthError):
        users.authenticate("other", "guess-guess", address="10.2.2.2")
    assert list(json.loads(users.throttle_path.read_text())) == ["other\n10.2.2.2"]


def test_long_names_and_passwords_are_refused_before_any_work(users):
    """Issue 11 item 5: a 10-million-character name adds one short audit line, not 10 MB."""
    users.add("leader1", "leader", "s3cret-pass")
    with pytest.raises(auth.AuthError, match="at most 64") as e:
        users.authenticate("x" * 10_000_000, "whatever1")
    assert "最多 64 个字符" in e.value.zh
    with pytest.raises(auth.AuthError, match="at most"):
        users.authenticate("leader1", "p" * (auth.MAX_PASSWORD + 1))
    assert users.audit_path.stat().st_size < 2_000
    with pytest.raises(auth.AuthError, match="at most 256"):
        users.add("clerk", "leader", "p" * 257)


def test_a_login_does_not_rewrite_the_user_file_and_works_on_a_full_disk(users, monkeypatch):
    """Issue 11 item 5: users.json is written only when something changed, so with the state
    folder full the right password still signs in."""
    users.add("leader1", "leader", "s3cret-pass")
    before = (users.path.stat().st_mtime_ns, users.path.read_bytes())
    assert users.authenticate("leader1", "s3cret-pass").role == "leader"
    assert (users.path.stat().st_mtime_ns, users.path.read_bytes()) == before

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "write", full)  # every append to the audit log fails
    monkeypatch.setattr(auth.files, "write_json", full)  # and every file replaced
    assert users.authenticate("leader1", "s3cret-pass").role == "leader"
    with pytest.raises(auth.AuthError, match="wrong user name or password"):
        users.authenticate("leader1", "not-the-one")
    # but a load is not published unaudited
    with pytest.raises(OSError), users.audited("load", "leader1"):
        pass


def test_audit_lines_are_whole_and_damaged_lines_are_skipped_and_counted(users, tmp_path):
    """Issue 11 item 5: a line cut short by a full disk neither breaks the log nor the next line."""
    users.audit("load", "a", version=1)
    with open(users.audit_path, "ab") as f:
        f.write(b'{"at": "2026-01-01T00:00:00+08:00", "event": "lo')  # cut short, no newline
    users.audit("restore", "b", version=2)
    with open(users.audit_path, "ab") as f:
        f.write(b"\xff\xfe not json\n[1, 2]\n")
    users.audit("pin", "c", version=2)
    entries, skipped = users.audit_read()
    assert [e["event"] for e in entries] == ["pin", "restore", "load"] and skipped == 3
    assert [e["event"] for e in users.audit_log()] == ["pin", "restore", "load"]
    assert oct(users.audit_path.stat().st_mode & 0o777) == "0o600"
    out = subprocess.run(
        [sys.executable, "-m", "dashboard", "--store", str(tmp_path), "audit"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert out.returncode == 0 and "pin" in out.stdout and "3 damaged line(s)" in out.stderr


def test_state_files_are_readable_by_the_owner_only(users):
    """Issue 11 item 7: users.json and audit.jsonl are 0600 (also files of an older version)."""
    users.add("leader1", "leader", "s3cret-pass")
    users.audit("load", "leader1")
    users.issue_screen_token("hall", None)
    users.session_token("leader1")
    for path in (users.path, users.audit_path, users.tokens_path, users.key_path):
        assert oct(path.stat().st_mode & 0o777) == "0o600", path.name
    os.chmod(users.audit_path, 0o644)
    users.audit("pin", "leader1")
    assert oct(users.audit_path.stat().st_mode & 0o777) == "0o600"


def test_session_tokens_are_signed_expire_and_end_with_the_account(users, monkeypatch):
    """Issue 11 items 2 and 3: a token names the user and stamps of their password and rights,
    never the password; a new password, another role or a removal revokes it; so does logout."""
    users.add("boss", "admin", "s3cret-pass")
    token = users.session_token("boss")
    assert "s3cret" not in token
    account, sid = users.verify_session(token)
    assert account.user == auth.User("boss", "admin")
    assert users.verify_session(token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]) is None
    assert users.verify_session(token.replace(".", "x.", 1)) is None
    assert users.verify_session(users.ticket("boss", sid, "b1")) is None  # a ticket is no cookie
    clock = time.time
    monkeypatch.setattr(time, "time", lambda: clock() + auth.SESSION_HOURS * 3600 + 1)
    assert users.verify_session(token) is None  # 12 hours later
    monkeypatch.setattr(time, "time", clock)
    users.set_password("boss", "new-pass-123")
    assert users.verify_session(token) is None
    token = users.session_token("boss")
    users.remove("boss")
    users.add("boss", "leader", "new-pass-123")  # same name, new account
    assert users.verify_session(token) is None
    token = users.session_token("boss")
    assert users.verify_session(token) is not None
    users.end_session(users.verify_session(token)[1])  # logout
    assert users.verify_session(token) is None


def test_a_ticket_is_exchanged_once_for_a_session_token(users):
    users.add("boss", "admin", "s3cret-pass")
    ticket = users.ticket("boss", "abc123", "browser-1")
    token, sid = users.redeem_ticket(ticket, "browser-1")
    assert sid == "abc123" and users.verify_session(token)[0].user.name == "boss"
    assert users.redeem_ticket(ticket, "browser-1") is None  # once only
    auth.sessions.used_here.clear()  # another replica, sharing the state folder
    assert users.redeem_ticket(ticket, "browser-1") is None
    assert users.redeem_ticket("garbage", "browser-1") is None and users.redeem_ticket(None) is None


def test_screen_tokens_grant_one_screen_and_are_listed_revoked_and_audited(users):
    secret = users.issue_screen_token("hall-t06", "T06", by="root")
    assert users.screen_grant("hall-t06", secret) == auth.ScreenGrant("hall-t06", "T06")
    assert users.screen_grant("main", secret) is None  # another screen
    assert users.screen_grant("hall-t06", secret + "x") is None
    assert secret not in users.tokens_path.read_text()  # only its hash is kept
    assert [t["name"] for t in users.screen_tokens()] == ["hall-t06"]
    county = users.issue_screen_token("main", None)
    assert users.screen_grant("main", county) == auth.ScreenGrant("main", None)
    users.revoke_screen_token("hall-t06", by="root")
    assert users.screen_grant("hall-t06", secret) is None
    with pytest.raises(auth.AuthError, match="no token"):
        users.revoke_screen_token("hall-t06")
    with pytest.raises(auth.AuthError, match="screen name"):
        users.issue_screen_token("../users", None)
    events = [(e["event"], e.get("screen")) for e in users.audit_log()]
    assert events[:3] == [
        ("screen_revoke", "hall-t06"),
        ("screen_token", "main"),
        ("screen_token", "hall-t06"),
    ]


@pytest.mark.slow
def test_screen_token_command_line(tmp_path):
    def run(*args):
        return subprocess.run(
            [sys.executable, "-m", "dashboard", "--store", str(tmp_path), "screen", "--by", "root", *args],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )

    out = run("token", "hall-t06", "--township", "T06", "--url", "http://dash.local/")
    assert out.returncode == 0, out.stderr
    link = out.stdout.strip().splitlines()[-1]
    assert link.startswith("http://dash.local/?kiosk=1&screen=hall-t06&token=")
    secret = link.split("token=")[1].split("&")[0]
    assert auth.Users(tmp_path).screen_grant("hall-t06", secret).township == "T06"
    assert "hall-t06\tT06" in run("tokens").stdout
    assert run("revoke", "hall-t06").returncode == 0
    assert run("tokens").stdout == "" and run("revoke", "hall-t06").returncode == 1
    assert auth.Users(tmp_path).screen_grant("hall-t06", secret) is None
    events = [e["event"] for e in auth.Users(tmp_path).audit_log()]
    assert events == ["screen_revoke", "screen_token"]


def test_a_publish_killed_after_publishing_still_has_its_pending_audit_line(users):
    """Issue 11 item 7: the pending line is written before the block publishes; the done line
    after, with the version."""
    with pytest.raises(KeyboardInterrupt), users.audited("restore", "boss", restored_from=1):
        assert users.audit_log()[0]["state"] == "pending"  # before publishing
        raise KeyboardInterrupt  # killed
    with users.audited("restore", "boss", restored_from=1) as done:
        done["version"] = 3
    lines = users.audit_log()
    assert [(e["state"], e.get("version")) for e in lines] == [
        ("done", 3),
        ("pending", None),
        ("failed", None),
        ("pending", None),
    ]
    assert lines[0]["op"] == lines[1]["op"] != lines[2]["op"]


def test_unknown_user_and_bad_accounts(users):
    with pytest.raises(auth.AuthError):
        users.authenticate("nobody", "whatever1")
    with pytest.raises(auth.AuthError, match="needs --township"):
        users.add("clerk", "township", "password1")
    with pytest.raises(auth.AuthError, match="no township"):
        users.add("clerk", "township", "password1", township="T99", known_townships={"T01"})
    with pytest.raises(auth.AuthError, match="at least 8"):
        users.add("clerk", "leader", "short")
    with pytest.raises(auth.AuthError, match="role"):
        users.add("clerk", "king", "password1")
    users.add("clerk", "leader", "password1")
    with pytest.raises(auth.AuthError, match="exists"):
        users.add("clerk", "admin", "password1")


@pytest.mark.parametrize(
    "role,township,asked,seen",
    [
        ("township", "T06", None, "T06"),
        ("township", "T06", "T01", "T06"),
        ("reporter", "T03", None, "T03"),
        ("reporter", "T03", "T01", "T03"),
        ("leader", None, "T01", "T01"),
        ("leader", None, None, None),
        ("admin", None, "T02", "T02"),
    ],
)
def test_scope_is_the_users_township_whatever_is_asked(role, township, asked, seen):
    assert auth.User("u", role, township).scope(asked) == seen


def test_a_reporter_needs_a_township(tmp_path):
    users = auth.Users(tmp_path)
    with pytest.raises(auth.AuthError, match="needs --township"):
        users.add("clerk", "reporter", "password1")
    assert users.add("clerk", "reporter", "password1", "T02").township == "T02"


def test_only_admins_see_the_data_page():
    assert auth.User("a", "admin").sees_data_page
    assert not auth.User("l", "leader").sees_data_page
    assert not auth.User("t", "township", "T01").sees_data_page


@pytest.mark.slow
def test_user_command_line_reads_the_password_from_stdin(tmp_path):
    def run(*args, stdin=""):
        return subprocess.run(
            [sys.executable, "-m", "dashboard", "--store", str(tmp_path), "user", *args],
            input=stdin,
            capture_output=True,
            text=True,
            cwd=ROOT,
        )

    assert (
        run("add", "gx-clerk", "--role", "township", "--township", "T06", stdin="pass-word-1\n").returncode
        == 0
    )
    assert run("add", "boss", "--role", "admin", stdin="pass-word-2\n").returncode == 0
    listed = run("list").stdout
    assert "gx-clerk\ttownship\tT06" in listed and "boss\tadmin\t-" in listed
    assert "pass-word" not in (tmp_path / "users.json").read_text()
    assert run("passwd", "boss", stdin="pass-word-3\n").returncode == 0
    assert auth.Users(tmp_path).authenticate("boss", "pass-word-3").role == "admin"
    assert run("remove", "gx-clerk").returncode == 0
    assert "gx-clerk" not in run("list").stdout
    bad = run("add", "x1", "--role", "township", stdin="pass-word-4\n")
    assert bad.returncode == 1 and "--township" in bad.stderr
    # issue 11 item 7: every change is audited (who, what), never the password
    audit = [
        (e["event"], e.get("name"))
        for e in auth.Users(tmp_path).audit_log()
        if e["event"].startswith("user_")
    ]
    assert audit == [
        ("user_remove", "gx-clerk"),
        ("user_passwd", "boss"),
        ("user_add", "boss"),
        ("user_add", "gx-clerk"),
    ]
    assert "pass-word" not in (tmp_path / "audit.jsonl").read_text()
    assert oct((tmp_path / "users.json").stat().st_mode & 0o777) == "0o600"


@pytest.mark.slow
def test_filled_template_loads_cleanly(tmp_path):
    wb = template.workbook()
    assert wb.sheetnames[0] == "说明" and set(wb.sheetnames[1:]) == {t.zh for t in contract.TABLES.values()}
    ws = wb["单位党组织"]
    assert [c.value for c in ws[1]] == ["单位代码", "单位名称", "单位类别"]
    assert any('"县直单位,驻孟单位"' in dv.formula1 for dv in ws.data_validations.dataValidation)
    # Fill every sheet the way a clerk would: Chinese labels from the drop-downs, 是/否.
    for table, rows in TINY.items():
        t = contract.TABLES[table]
        sheet = wb[t.zh]
        for r in rows:
            vals = []
            for c in t.columns:
                v = r.get(c.name, "")
                if c.type == contract.ENUM and v in c.enum:
                    v = c.enum[v][0]
                elif c.type == contract.BOOL and v != "":
                    v = "是" if str(v).lower() in ("true", "1", "是", "y") else "否"
                vals.append(None if v == "" else v)
            sheet.append(vals)
    path = tmp_path / "filled.xlsx"
    wb.save(path)
    res = ingest.load([path], Store(tmp_path / "store"))
    assert res.ok, [str(e) for e in res.errors]
    assert res.changes["units"]["added"] == 2 and res.changes["branch_assessments"]["added"] == 8
