"""The data page's warnings section (issue 20 §2), in AppTest: an administrator adds a DingTalk
channel pointing at the local robot receiver (tests/test_notify.py's, loopback only), sends a
test and reads the outcome in plain words, sees the delivery log's row and removes the channel
after a confirmation; each action is in the audit log, and no secret is ever on the page. A
township's reporter and a reviewer get no section at all."""

from __future__ import annotations

import json
import re
import shutil

import pytest

from dashboard import auth
from dashboard.notify import Channel, Config, admin
from dashboard.store import Store

import helpers
from test_notify import SECRET, Receiver

PASSWORD = helpers.PASSWORD
ACCESS_TOKEN = "T1"  # what the receiver takes as DingTalk's access token


@pytest.fixture
def recv():
    r = Receiver(keyword="预警")
    yield r
    r.close()


@pytest.fixture
def users_store(demo_store, tmp_path) -> Store:
    root = tmp_path / "store"
    shutil.copytree(demo_store.root, root)
    users = auth.Users(root)
    users.add("admin", "admin", PASSWORD)
    users.add("shen", "reviewer", PASSWORD)
    users.add("nayun_clerk", "reporter", PASSWORD, township="T01")
    return Store(root)


def open_data(monkeypatch, store: Store, name: str, **query):
    at = helpers.login(helpers.app(monkeypatch, store, timeout=90, **query), name)
    at.switch_page("views/data.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def plain(markdown: str) -> str:
    """What a reader sees of markdown the page escaped (i18n.md_escape)."""
    return re.sub(r"\\(.)", r"\1", markdown)


def page_text(at) -> str:
    """Everything the page shows as text, tables and widget values included."""
    parts = [
        plain(e.value)
        for kind in ("markdown", "caption", "error", "warning", "info", "success", "subheader")
        for e in getattr(at, kind)
    ]
    parts += [d.value.to_csv() for d in at.dataframe]
    parts += [str(w.value) for w in at.text_input]
    return "\n".join(parts)


def shown(at, kind: str) -> list[str]:
    return [plain(e.value) for e in getattr(at, kind)]


@pytest.mark.slow
def test_admin_adds_a_channel_tests_it_sees_the_log_and_removes_it(monkeypatch, users_store, recv):
    at = open_data(monkeypatch, users_store, "admin")
    assert "预警推送" in [t.label for t in at.tabs]
    assert "尚未添加通道，不会发送任何预警消息。" in shown(at, "info")

    # the form: DingTalk, the whole webhook address pasted, the signing secret, one township
    at.selectbox(key="nt-kind-0").set_value("dingtalk").run()
    at.text_input(key="nt-name-0").input("nayun-dd")
    at.text_input(key="nt-hook-0").input(f"{recv.url}/robot/send?access_token={ACCESS_TOKEN}")
    at.text_input(key="nt-secret-0").input(SECRET)
    at.text_input(key="nt-keyword-0").input("预警")
    at.multiselect(key="nt-towns-0").select("T01")
    at.button(key="nt-add-submit-0").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("已添加通道 nayun-dd" in s for s in shown(at, "success"))
    ch = Config(users_store.state).get("nayun-dd")
    assert (ch.kind, ch.token, ch.secret, ch.townships) == ("dingtalk", ACCESS_TOKEN, SECRET, ("T01",))
    assert ch.base_url == recv.url  # the address pasted: its base kept, its token split off
    said = page_text(at)
    assert "娜允镇" in said and "127.0.0.1:" in said and "已加签" in said
    assert SECRET not in said and f"access_token={ACCESS_TOKEN}" not in said
    assert at.text_input(key="nt-name-1").value == ""  # a new form: nothing typed stays

    # the test send: the receiver checks the signature and the keyword, and takes it
    at.button(key="nt-test-nayun-dd").click().run()
    assert not at.exception
    (ok,) = [s for s in shown(at, "success") if s.startswith("已发送")]
    assert ok.endswith("（机器人答复：HTTP 200, code 0: ok）")  # the robot's answer, after the words
    assert len(recv.got) == 1 and "测试" in recv.got[0][1]["markdown"]["text"]
    (log,) = [d.value for d in at.dataframe if "尝试次数" in d.value.columns]
    row = log.iloc[0].to_dict()
    assert (row["消息"], row["通道"], row["状态"], row["尝试次数"]) == ("测试消息", "nayun-dd", "已送达", 1)
    assert row["送达时间"] and row["乡镇"] == "—"
    assert SECRET not in page_text(at)

    # the log filtered by status: nothing "配置有误" offered when there is none
    status = at.selectbox(key="nt-log-status")
    assert status.options == ["全部（1）", "已送达（1）"]

    # remove: the first click asks, the second removes
    at.button(key="nt-remove-nayun-dd").click().run()
    assert any("确定删除通道 nayun-dd" in w for w in shown(at, "warning"))
    assert Config(users_store.state).channels()
    at.button(key="nt-remove-yes-nayun-dd").click().run()
    assert not at.exception
    assert any("已删除通道 nayun-dd" in s for s in shown(at, "success"))
    assert Config(users_store.state).channels() == []

    # every action audited, by the admin, from the page, and no secret in the audit log
    events = [
        (e["event"], e.get("state"))
        for e in reversed(auth.Users(users_store.state).audit_log())
        if e["event"].startswith("notify")
    ]
    assert events == [
        ("notify_channel_add", "pending"),
        ("notify_channel_add", "done"),
        ("notify_test", "pending"),
        ("notify_test", "done"),
        ("notify_channel_remove", "pending"),
        ("notify_channel_remove", "done"),
    ]
    audit = (users_store.state / "audit.jsonl").read_text("utf-8")
    assert SECRET not in audit and f"access_token={ACCESS_TOKEN}" not in audit
    done = [json.loads(line) for line in audit.splitlines() if '"notify_test"' in line][-1]
    assert (done["user"], done["status"], done["via"]) == ("admin", "sent", "page")


@pytest.mark.slow
def test_a_bad_signature_reads_as_a_configuration_problem(monkeypatch, users_store, recv):
    admin.add_channel(
        users_store.state,
        Channel(
            name="dd",
            kind="dingtalk",
            base_url=recv.url,
            token=ACCESS_TOKEN,
            secret="SECwrong",
            townships=("*",),
        ),
        "admin",
    )
    at = open_data(monkeypatch, users_store, "admin", lang="en")
    at.button(key="nt-test-dd").click().run()
    (err,) = [e for e in shown(at, "error") if "Configuration problem" in e]
    assert "DingTalk 310000" in err and "sign not match" in err and recv.got == []
    (log,) = [d.value for d in at.dataframe if "Attempts" in d.value.columns]
    assert log.iloc[0]["Status"] == "Configuration problem" and "310000" in log.iloc[0]["Last error"]
    assert not helpers.CJK.search(err + log.to_csv())  # English throughout


def test_a_refused_form_says_why_and_keeps_nothing(monkeypatch, users_store):
    at = open_data(monkeypatch, users_store, "admin")
    at.text_input(key="nt-name-0").input("娜允 群")  # not a channel name
    at.text_input(key="nt-hook-0").input("KEY1")
    at.checkbox(key="nt-all-0").check()
    at.button(key="nt-add-submit-0").click().run()
    assert any("通道名称无效" in e for e in shown(at, "error"))
    assert Config(users_store.state).channels() == []
    assert not [e for e in auth.Users(users_store.state).audit_log() if e["event"].startswith("notify")]


@pytest.mark.parametrize("name", ["nayun_clerk", "shen"])
def test_no_section_for_a_township_reporter_or_a_reviewer(monkeypatch, users_store, name):
    admin.add_channel(
        users_store.state,
        Channel(name="wx", kind="wecom", token="KEY-SECRET-1", townships=("T01",)),
        "admin",
    )
    at = open_data(monkeypatch, users_store, name)
    assert "预警推送" not in [t.label for t in at.tabs]
    keys = [w.key for w in at.button] + [w.key for w in at.text_input] + [w.key for w in at.selectbox]
    assert not [k for k in keys if k and k.startswith("nt-")]
    said = page_text(at)
    assert "预警推送通道" not in said and "qyapi.weixin.qq.com" not in said and "KEY-SECRET-1" not in said


def test_webhook_addresses_split_into_base_and_key():
    assert admin.split_webhook("wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc-1") == (
        "",
        "abc-1",
    )
    assert admin.split_webhook("dingtalk", "https://oapi.dingtalk.com/robot/send?access_token=xyz") == (
        "",
        "xyz",
    )
    assert admin.split_webhook("feishu", "https://open.feishu.cn/open-apis/bot/v2/hook/h-1") == ("", "h-1")
    assert admin.split_webhook("wecom", "https://wx.gov.example/relay/cgi-bin/webhook/send?key=k") == (
        "https://wx.gov.example/relay",
        "k",
    )
    assert admin.split_webhook("wecom", "  abc-1 ") == ("", "abc-1")


def test_the_role_is_checked_on_the_server_whoever_draws_the_section(monkeypatch):
    from dashboard.ui import notify as page

    for user, open_here, allowed in [
        (auth.User("admin", "admin"), False, True),
        (auth.User("nayun_clerk", "reporter", "T01"), True, False),
        (auth.User("shen", "reviewer"), True, False),
        (auth.User("leader", "leader"), True, False),
        (None, True, True),  # the open demo mode, served to this machine only
        (None, False, False),
    ]:
        monkeypatch.setattr(page, "current_user", lambda user=user: user)
        monkeypatch.setattr(page, "open_here", lambda flag=open_here: flag)
        assert page.may_configure() is allowed, user
