"""Issue 11 items 2, 3 (screen tokens) and 8 in AppTest: every run checks the session against
the user file (a removed account or a new password ends it at the next click, a new role or
township applies at the next click), a screen token opens its meeting screen only, and
township users steer only their own township's screens."""

from __future__ import annotations

import shutil

import pytest

from dashboard import auth, i18n, screens, ui
from dashboard.store import Store

from helpers import PASSWORD, login
from test_page_kiosk import lines


@pytest.fixture
def secured(demo_store, tmp_path) -> Store:
    """A writable copy of the demo county with an admin, a leader and a 公信乡 (T06) clerk."""
    shutil.copytree(demo_store.root, tmp_path / "store")
    users = auth.Users(tmp_path / "store")
    users.add("admin", "admin", PASSWORD)
    users.add("leader", "leader", PASSWORD)
    users.add("gongxin", "township", PASSWORD, township="T06")
    return Store(tmp_path / "store")


def on_login_form(at) -> bool:
    return [w.label for w in at.text_input] == ["用户名", "密码"] and len(at.metric) == 0


def restore_click(at, version: int = 1):
    at.selectbox(key="restore_version").select(version)
    at.checkbox(key="restore_sure").check()
    at = at.run()
    return next(b for b in at.button if b.label == i18n.t("data.restore_button")).click().run()


def test_a_removed_admin_cannot_restore_in_the_same_tab(open_app, secured):
    at = login(open_app(store=secured), "admin")
    at.switch_page(ui.PAGE_FILES["data"]).run()
    assert not at.exception and at.title[0].value.startswith(i18n.t("page.data"))
    at.selectbox(key="restore_version").select(1)
    at.checkbox(key="restore_sure").check()
    at = at.run()
    auth.Users(secured.root).remove("admin")  # from the command line
    at = next(b for b in at.button if b.label == i18n.t("data.restore_button")).click().run()
    assert not at.exception and on_login_form(at)
    assert i18n.t("auth.ended_removed") in [w.value for w in at.warning]
    assert secured.current() == 1 and len(secured.versions()) == 1  # nothing restored
    log = auth.Users(secured.root).audit_log()
    assert not [e for e in log if e["event"] == "restore"]
    assert [e for e in log if e.get("user") == "admin"][0]["event"] == "login"  # the last
    assert (log[0]["event"], log[0]["user"], log[0]["name"]) == ("session_ended", None, "admin")


def test_a_changed_password_ends_the_session_at_the_next_click(open_app, secured):
    at = login(open_app(store=secured), "leader")
    assert len(at.metric) > 0
    auth.Users(secured.root).set_password("leader", "another-pass")
    at.switch_page(ui.PAGE_FILES["grids"]).run()
    assert on_login_form(at) and i18n.t("auth.ended_password") in [w.value for w in at.warning]
    at = login(at, "leader", "another-pass")
    assert len(at.metric) > 0 and not at.error


def test_a_changed_role_or_township_applies_at_the_next_click(open_app, secured):
    users = auth.Users(secured.root)
    at = login(open_app(store=secured, township="T01"), "leader")
    assert at.title[0].value.endswith("娜允镇")
    # the leader becomes 公信乡's clerk: the same session now sees 公信乡 only
    users.remove("leader")
    users.add("leader", "township", PASSWORD, township="T06")
    at.run()
    assert on_login_form(at)  # removed and added again: another account, another stamp
    # a role change without a new password: same session, new rights at once
    at = login(open_app(store=secured), "admin")
    at.switch_page(ui.PAGE_FILES["data"]).run()
    assert at.title[0].value.startswith(i18n.t("page.data"))
    data = users.accounts.read()
    data["admin"]["role"] = "leader"
    users.accounts.write(data)
    at.run()
    assert not at.exception  # now a leader: the data page is gone at once
    assert not any(t.value.startswith(i18n.t("page.data")) for t in at.title)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(ui.PAGE_FILES["data"]).run()
    data["admin"].update(role="township", township="T06")
    users.accounts.write(data)
    at.switch_page(ui.PAGE_FILES["overview"]).run()
    assert at.title[0].value.endswith("公信乡")


def test_a_screen_token_opens_its_meeting_screen_and_nothing_else(open_app, secured):
    users = auth.Users(secured.root)
    county = users.issue_screen_token("main", None)
    township = users.issue_screen_token("hall-t06", "T06")
    at = open_app(store=secured, kiosk="1", screen="main", token=county, township="T01")
    assert not at.exception and not on_login_form(at)
    assert lines(at)["kiosk-place"] == "娜允镇"  # a county screen: any township
    at = open_app(store=secured, kiosk="1", screen="hall-t06", token=township, township="T01")
    assert lines(at)["kiosk-place"] == "公信乡"  # bound to 公信乡, whatever the link
    # the token of one screen opens no other, and no page
    assert on_login_form(open_app(store=secured, kiosk="1", screen="main", token=township))
    assert on_login_form(open_app(store=secured, screen="main", token=county))
    at = open_app(store=secured, screen="main", token=county)
    at.switch_page(ui.PAGE_FILES["data"]).run()
    assert on_login_form(at) and not any(t.value.startswith(i18n.t("page.data")) for t in at.title)
    # revoked: the running screen shows the login form at its next run
    at = open_app(store=secured, kiosk="1", screen="main", token=county)
    users.revoke_screen_token("main")
    at.run()
    assert on_login_form(at) and i18n.t("auth.screen_revoked") in [w.value for w in at.warning]


@pytest.mark.parametrize(
    "state_township, token, allowed",
    [
        (None, None, False),  # a free screen: its link's township is unknown -> not theirs
        ("", None, False),  # the county's
        ("T01", None, False),  # another township's
        ("T06", None, True),  # sent to 公信乡 by a presenter
        (None, ("county",), False),  # a county screen token
        (None, ("T01",), False),
        (None, ("T06",), True),  # 公信乡's own screen
    ],
)
def test_township_users_steer_only_screens_showing_their_township(state_township, token, allowed):
    state = None if state_township is None else screens.ScreenState(township=state_township)
    bound = (False, None) if token is None else (True, None if token[0] == "county" else token[0])
    clerk = auth.User("gongxin", "township", "T06")
    assert screens.may_steer(clerk, state, bound) is allowed
    assert screens.may_steer(auth.User("r", "reporter", "T06"), state, bound) is allowed
    for boss in (auth.User("leader", "leader"), auth.User("admin", "admin"), None):
        assert screens.may_steer(boss, state, bound)


def test_a_township_user_cannot_pause_retarget_or_release_the_county_screen(open_app, secured):
    panel = screens.Screens(secured.root)
    panel.update("main", by="leader", township="")  # the county's meeting
    at = login(open_app(store=secured), "gongxin")
    at.switch_page(ui.PAGE_FILES["presenter"]).run()
    assert not at.exception
    assert i18n.t("presenter.not_yours") in [w.value for w in at.warning]
    for key in ("presenter_pause", "presenter_release", "presenter_jump_grids"):
        assert at.button(key=key).disabled
    assert at.selectbox(key="presenter_township").disabled
    # a page drawn while the screen showed 公信乡; a leader takes it for the county; the
    # clerk's click on the old page is checked again and refused
    panel.update("main", by="leader", township="T06")
    at.run()
    assert not at.button(key="presenter_pause").disabled
    before = panel.update("main", by="leader", township="")
    at.button(key="presenter_pause").click().run()
    assert panel.read("main") == before
    assert i18n.t("presenter.not_yours") in [w.value for w in at.warning]
    leader = login(open_app(store=secured), "leader")
    leader.switch_page(ui.PAGE_FILES["presenter"]).run()
    leader.button(key="presenter_pause").click().run()
    assert panel.read("main").paused and panel.read("main").by == "leader"


def test_a_restore_on_the_data_page_is_audited_before_and_after_with_the_address(open_app, secured):
    at = login(open_app(store=secured), "admin")
    at.switch_page(ui.PAGE_FILES["data"]).run()
    at = restore_click(at, 1)
    assert not at.exception and secured.current() == 2
    log = [e for e in auth.Users(secured.root).audit_log() if e["event"] == "restore"]
    assert [(e["state"], e.get("version")) for e in log] == [("done", 2), ("pending", None)]
    assert all(e["user"] == "admin" and e["address"] == "127.0.0.1" and e["via"] == "page" for e in log)
    login_line = next(e for e in auth.Users(secured.root).audit_log() if e["event"] == "login")
    assert login_line["address"] == "127.0.0.1"


@pytest.mark.parametrize(
    "peer, headers, direct, address",
    [
        (None, {}, True, "127.0.0.1"),  # straight from here
        (None, {"x-forwarded-for": "10.0.0.7"}, False, "10.0.0.7"),  # nginx on this machine
        (None, {"x-forwarded-for": "1.2.3.4, 10.0.0.7"}, False, "10.0.0.7"),  # the proxy's own entry
        (None, {"x-real-ip": "10.0.0.8", "x-forwarded-for": "6.6.6.6"}, False, "10.0.0.8"),
        (None, {"forwarded": "for=10.0.0.9"}, False, "127.0.0.1"),
        ("10.0.0.5", {}, False, "10.0.0.5"),  # another computer
        ("10.0.0.5", {"x-real-ip": "127.0.0.1"}, False, "10.0.0.5"),  # headers of a stranger
    ],
)
def test_open_mode_needs_a_direct_request_from_this_machine(monkeypatch, peer, headers, direct, address):
    """Issue 11 item 4: open mode only with no proxy header and a loopback peer; the client
    address recorded in the audit log trusts forwarded headers only from the configured proxy
    (here nginx on 127.0.0.1; issue 24: tests/test_sessions_hardening.py)."""
    monkeypatch.setenv(auth.TRUSTED_PROXIES_ENV, "127.0.0.1")
    monkeypatch.setattr(ui.gate, "_peer", lambda: peer)
    monkeypatch.setattr(ui.gate, "_headers", lambda: headers)
    monkeypatch.setattr(ui.gate.st, "get_option", lambda key: "127.0.0.1")
    assert ui.direct_local() is direct and ui.client_address() == address
    monkeypatch.setattr(ui.gate.st, "get_option", lambda key: "0.0.0.0")  # listening beyond here
    assert ui.direct_local() is False
