"""Users, passwords, lockout, scope and the audit log; the template round trip."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import openpyxl
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
    assert users.authenticate("gongxin-clerk", "correct horse") == auth.User("gongxin-clerk", "township", "T06")


def test_wrong_password_n_times_locks_the_account(users):
    users.add("leader1", "leader", "s3cret-pass")
    for _ in range(auth.MAX_FAILURES):
        with pytest.raises(auth.AuthError, match="wrong user name or password"):
            users.authenticate("leader1", "nope-nope")
    with pytest.raises(auth.AuthError, match="locked") as e:
        users.authenticate("leader1", "s3cret-pass")     # even the right password
    assert "锁定" in e.value.zh
    assert users.list()[0]["locked_until"]
    users.set_password("leader1", "new-pass-123")          # an admin resets it
    assert users.authenticate("leader1", "new-pass-123").role == "leader"
    events = [e["event"] for e in users.audit_log()]
    assert events.count("login_failed") == auth.MAX_FAILURES
    assert events[0] == "login" and "login_refused" in events


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


@pytest.mark.parametrize("role,township,asked,seen", [
    ("township", "T06", None, "T06"), ("township", "T06", "T01", "T06"),
    ("reporter", "T03", None, "T03"), ("reporter", "T03", "T01", "T03"),
    ("leader", None, "T01", "T01"), ("leader", None, None, None), ("admin", None, "T02", "T02"),
])
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


def test_user_command_line_reads_the_password_from_stdin(tmp_path):
    def run(*args, stdin=""):
        return subprocess.run([sys.executable, "-m", "dashboard", "--store", str(tmp_path), "user", *args],
                              input=stdin, capture_output=True, text=True, cwd=ROOT)
    assert run("add", "gx-clerk", "--role", "township", "--township", "T06",
               stdin="pass-word-1\n").returncode == 0
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
