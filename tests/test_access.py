"""Who sees what: the login form, lockout, township scope enforced on the server whatever
the link says, the data page for administrators only, and loaded text shown as text."""

from __future__ import annotations

import copy
import shutil
import time

import pytest

from dashboard import auth, export, i18n, ingest, metrics
from dashboard.store import Store

from conftest import TINY, write_county
from helpers import PASSWORD, app, login


@pytest.fixture(scope="module")
def secured_store(demo_store, tmp_path_factory) -> Store:
    """A copy of the demo county with an admin, a leader and a 公信乡 (T06) clerk."""
    root = tmp_path_factory.mktemp("secured") / "store"
    shutil.copytree(demo_store.root, root)
    users = auth.Users(root)
    users.add("admin", "admin", PASSWORD)
    users.add("leader", "leader", PASSWORD)
    users.add("gongxin", "township", PASSWORD, township="T06")
    return Store(root)


def test_nothing_shows_before_login(monkeypatch, secured_store):
    at = app(monkeypatch, secured_store)
    assert not at.exception
    assert [t.value for t in at.title] == [i18n.t("app.title")]
    assert len(at.metric) == 0 and len(at.get("plotly_chart")) == 0
    assert [w.label for w in at.text_input] == ["用户名", "密码"]


def test_wrong_passwords_slow_down_then_the_right_one_works(monkeypatch, secured_store):
    """No lock: after a few wrong passwords the name waits a little (said so on the form),
    then the right password signs in."""
    at = app(monkeypatch, secured_store)
    at = login(at, "leader", "wrong-one")
    assert [e.value for e in at.error] == ["用户名或密码错误"] and len(at.metric) == 0
    for _ in range(auth.FREE_FAILURES - 1):
        at = login(at, "leader", "wrong-one")
    at = login(at, "leader", PASSWORD)  # too soon: refused, with how long to wait
    assert "请 1 秒后再试" in at.error[0].value and len(at.metric) == 0
    time.sleep(1.2)
    at = login(at, "leader", PASSWORD)
    assert not at.error and len(at.metric) > 0


def test_township_user_sees_only_their_township_whatever_the_link_says(monkeypatch, secured_store):
    at = login(app(monkeypatch, secured_store, township="T01"), "gongxin", PASSWORD)
    assert not at.exception
    assert at.title[0].value.endswith("公信乡")
    assert any("T01" in w.value and "已忽略" in w.value for w in at.warning)
    con = secured_store.connect()
    gongxin = metrics.summary(con, metrics.Scope(township="T06"))
    con.close()
    shown = {m.label: m.value for m in at.metric}
    assert shown[i18n.t("figure.checkpoints.coverage_rate")] == i18n.fmt_rate(
        gongxin["checkpoints"]["coverage_rate"]
    )
    picker = at.selectbox(key="_w_township")
    assert picker.disabled and picker.options == ["公信乡"]
    # every page of the session keeps the scope: the grids page of 公信乡 has no grids
    at.switch_page("views/grids.py").run()
    assert at.title[0].value.endswith("公信乡")
    at.switch_page("views/checkpoints.py").run()
    assert at.title[0].value.endswith("公信乡") and not at.exception


@pytest.mark.parametrize("name", ["leader", "gongxin"])
def test_data_page_is_refused_to_non_admins(monkeypatch, secured_store, name):
    at = login(app(monkeypatch, secured_store), name, PASSWORD)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        # not in the navigation at all: Streamlit cannot even switch to it
        at.switch_page("views/data.py").run()


def test_admin_reaches_the_data_page_and_the_audit_log(monkeypatch, secured_store):
    at = login(app(monkeypatch, secured_store), "admin", PASSWORD)
    at.switch_page("views/data.py").run()
    assert not at.exception
    assert at.title[0].value.startswith(i18n.t("page.data"))
    assert not at.error
    events = [e["event"] for e in auth.Users(secured_store.root).audit_log()]
    assert "login" in events and "login_failed" in events


HOSTILE = "<img src=x onerror=alert(1)>"
FORMULA = '=HYPERLINK("http://evil.example","点我")'


@pytest.mark.slow
def test_hostile_names_are_text_in_pages_and_neutralised_in_exports(monkeypatch, tmp_path):
    data = copy.deepcopy(TINY)
    data["branches"][0]["name"] = HOSTILE
    data["grids"][0]["name"] = FORMULA
    data["branch_assessments"][0]["passed"] = "false"  # B1 needs attention: its name is listed
    store = Store(tmp_path / "store")
    assert ingest.load([write_county(tmp_path / "x", data)], store).ok
    at = app(monkeypatch, store)
    assert not at.exception
    # the name is shown as plain text (st.text), never inside markdown that could carry HTML
    assert any(HOSTILE in t.value for t in at.text)
    assert not any(HOSTILE in m.value for m in at.markdown)
    for page in ("branches", "grids"):
        at.switch_page(f"views/{page}.py").run()
        assert not at.exception
        assert not any(HOSTILE in m.value or FORMULA in m.value for m in at.markdown if m.proto.allow_html)
    con = store.connect()
    grids = metrics.grid_visit_rates(con)
    con.close()
    csv = export.to_csv_bytes(grids[["grid_id", "name"]]).decode("utf-8-sig")
    assert "'=HYPERLINK" in csv and "\n=HYPERLINK" not in csv.replace('"', "")


def test_township_user_maps_show_only_their_township(monkeypatch, secured_store):
    """The quick map and the interactive one draw the clerk's township only, with no way
    back to the county (issue 14 §2: the maps' scope is the server's)."""
    import json

    from helpers import interactive_map, quick_map_marks

    at = login(app(monkeypatch, secured_store, township="T01"), "gongxin", PASSWORD)
    at.switch_page("views/checkpoints.py").run()
    con = secured_store.connect()
    gongxin = set(metrics.checkpoint_status(con, metrics.Scope(township="T06"))["name"])
    con.close()
    dots = quick_map_marks(at, "checkpoints")
    assert {d.find("{http://www.w3.org/2000/svg}title").text.split("\n")[0] for d in dots} == gongxin
    assert len(dots) == len(gongxin) == 8
    assert not [b for b in at.button if b.label == i18n.t("geo.back_county")]
    interactive_map(at, "cp_map_mode")
    (chart,) = at.get("deck_gl_json_chart")
    layer = next(x for x in json.loads(chart.proto.json)["layers"] if x["id"] == "checkpoints")
    assert len(layer["data"]) == 8
