"""Shared fixtures: a tiny valid county as CSV text, a store in a temp folder; the demo county
in a store, the app in AppTest, a live Streamlit server and a browser (see below)."""

from __future__ import annotations

import contextlib
import csv
import io
import shutil
from pathlib import Path

import pytest

from benchmarks.browser import Server
from benchmarks.pagewait import CHROMIUM, CHROMIUM_ARGS
from dashboard import contract
from dashboard.store import Store

import helpers

# A minimal county that satisfies every rule of the data contract (dashboard/contract.py).
TINY = {
    "townships": [
        dict(township_id="T1", name="娜允镇", name_en="Nayun", lon=99.59, lat=22.33, is_border="true"),
        dict(township_id="T2", name="公信乡", name_en="Gongxin", lon=99.8, lat=22.28, is_border="是"),
    ],
    "communities": [dict(community_id="C1", township_id="T1", name="城区社区")],
    "zones": [dict(zone_id="Z1", community_id="C1", name="一片区", leader_title="县委副书记")],
    "units": [
        dict(unit_id="U1", name="县委组织部", kind="county"),
        dict(unit_id="U2", name="孟连边境管理大队", kind="驻孟单位"),
    ],
    "grids": [
        dict(
            grid_id="G1",
            zone_id="Z1",
            name="一网格",
            households=40,
            residents=100,
            unit_id="U1",
            lon=99.59,
            lat=22.33,
        ),
        dict(
            grid_id="G2",
            zone_id="Z1",
            name="二网格",
            households=60,
            residents="",
            unit_id="",
            lon=99.6,
            lat=22.34,
        ),
    ],
    "members": [
        dict(
            member_id="M1",
            unit_id="U1",
            grid_id="G1",
            role="chief",
            reported_on="2021-05-06",
            households_linked=8,
        )
    ],
    "grid_weekly": [
        dict(
            week_start="2021-05-03",
            grid_id="G1",
            households_visited=30,
            residents_checked=80,
            travel_registered=2,
            vaccinated=50,
            issues_found=3,
            issues_resolved=2,
        )
    ],
    "checkpoints": [
        dict(
            checkpoint_id="K1",
            township_id="T1",
            community_id="C1",
            name="一号卡点",
            kind="community",
            required_staff=2,
            lon=99.59,
            lat=22.33,
        )
    ],
    "checkpoint_shifts": [
        dict(
            checkpoint_id="K1",
            shift_start="2021-05-03 00:00",
            shift_end="2021-05-03 08:00",
            staff_party=1,
            staff_unit=1,
            staff_volunteer=0,
            persons_checked=40,
        )
    ],
    "branches": [
        dict(
            branch_id="B1",
            township_id="T2",
            village="芒国村",
            group_name="一组",
            name="芒国村一组党支部",
            on_border_line="Y",
            party_members=12,
            is_model="N",
            link_county_leader=1,
            link_unit=1,
            link_township=1,
            link_village_team=0,
            lon=99.8,
            lat=22.28,
        )
    ],
    "branch_assessments": [
        dict(branch_id="B1", assessed_on="2021/05/20", criterion=k, passed="true", note="")
        for k in contract.CRITERIA
    ],
    "trainings": [
        dict(
            activity_id="A1",
            held_on="2021-05-10",
            township_id="",
            kind="party_school",
            title="强边固防教育",
            sessions=1,
            attendees=120,
        )
    ],
    "training_attendance": [dict(activity_id="A1", member_id="M1")],
    "targets": [dict(metric="branches.compliance_rate", year=2021, township_id="", target=1)],
    "indicators": [dict(indicator="outreach_teams", township_id="", as_of="2021-06-30", value=71)],
}


def csv_text(table: str, rows: list[dict], chinese: bool = False) -> str:
    cols = contract.TABLES[table].column_names
    header = [contract.TABLES[table].column(c).zh for c in cols] if chinese else cols
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        w.writerow([r.get(c, "") for c in cols])
    return buf.getvalue()


def write_county(
    folder: Path, data: dict | None = None, *, chinese: bool = False, encoding: str = "utf-8"
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for table, rows in (data or TINY).items():
        name = contract.TABLES[table].zh if chinese else table
        (folder / f"{name}.csv").write_text(csv_text(table, rows, chinese), encoding=encoding)
    return folder


def table_rows(store: Store, table: str) -> list[tuple]:
    con = store.connect()
    try:
        cols = ", ".join(contract.quote_ident(c) for c in contract.TABLES[table].column_names)
        return con.execute(f"SELECT {cols} FROM {contract.quote_ident(table)} ORDER BY ALL").fetchall()
    finally:
        con.close()


@pytest.fixture
def store(tmp_path) -> Store:
    return Store(tmp_path / "store")


@pytest.fixture
def tiny_dir(tmp_path) -> Path:
    return write_county(tmp_path / "tiny")


# ------------------------------------------------------------------ the demo county, a live app
#
# Shared by the page tests (AppTest) and the browser tests (Playwright):
#
#   demo_store  session  the demo county (dashboard.demo.generate, seed 2021) loaded by
#                        dashboard.ingest.load into a Store in a temp folder; version 1.
#                        Read it, never write it (other tests share it): open
#                        `demo_store.connect()` and call dashboard.metrics for expected figures.
#   open_app    function open_app(page="overview", store=None, **query_params) -> AppTest,
#                        already run: app.py with DASHBOARD_STORE pointing to `store`
#                        (default demo_store), Streamlit caches cleared first, the URL
#                        parameters given (lang=, township=, week=), on the page named as in
#                        dashboard.ui.PAGES.
#   server      session  `streamlit run app.py` on a free 127.0.0.1 port serving demo_store;
#                        yields the base URL ("http://127.0.0.1:PORT"). Its log is attached to
#                        the report of any failing test that used it, and copied to
#                        artifacts/streamlit-server.log when the session has failures.
#                        Read-only: a test that writes to its store (a load, a presenter)
#                        starts its own server with streamlit_server() on a copy.
#   browser     session  one headless Playwright Chromium (the system's /usr/bin/chromium);
#                        open a new page (or context) per test and close it.

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "artifacts"


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory) -> Store:
    """The demo county loaded into a Store of its own (version 1). Read-only for tests."""
    from dashboard import demo, ingest

    base = tmp_path_factory.mktemp("demo_county")
    demo.generate(base / "csv")
    result = ingest.load([base / "csv"], Store(base / "store"), by="tests")
    assert result.ok, "\n".join(map(str, result.errors))
    return Store(base / "store")


@pytest.fixture
def copy_store(demo_store, tmp_path) -> Store:
    """A writable copy of the demo county (the presenter and uploads write into it)."""
    shutil.copytree(demo_store.root, tmp_path / "store")
    return Store(tmp_path / "store")


@pytest.fixture(scope="module")
def demo(demo_store):
    """A read-only connection to the demo county, for computing expected figures."""
    con = demo_store.connect()
    yield con
    con.close()


@pytest.fixture
def open_app(monkeypatch, demo_store):
    """Run app.py in AppTest as a browser would open a link; see the block comment above."""

    def run(page: str = "overview", store: Store | None = None, timeout: float = 30, **query_params):
        at = helpers.app(monkeypatch, store or demo_store, timeout, **query_params)
        if page != "overview" and not at.exception:
            # st.navigation registers its pages in the first run; a page is reachable after it.
            from dashboard import ui

            at.switch_page(ui.PAGE_FILES[page]).run()
        return at

    return run


def _tail(path: Path, lines: int = 80) -> str:
    try:
        return "\n".join(path.read_text("utf-8", errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no log)"


@contextlib.contextmanager
def streamlit_server(store_root, log_path: Path, request, name: str = "server"):
    """`streamlit run app.py` on a free 127.0.0.1 port serving the store at `store_root`;
    yields the base URL and stops the server on leaving. `name` is the fixture that yields it:
    the log's tail goes with any failing test using that fixture, and the log is copied to
    artifacts/streamlit-<name>.log when the session has failures."""
    if not hasattr(request.config, "_streamlit_logs"):
        request.config._streamlit_logs = {}
    request.config._streamlit_logs[name] = log_path
    srv = Server("app.py", Path(store_root), log_path)  # benchmarks/browser.py
    try:
        srv.__enter__()  # waits for /_stcore/health; stops what it started
    except RuntimeError as e:
        pytest.fail(str(e), pytrace=False)
    try:
        yield srv.url
    finally:
        srv.__exit__(None, None, None)
        if request.session.testsfailed:
            ARTIFACTS.mkdir(exist_ok=True)
            shutil.copyfile(log_path, ARTIFACTS / f"streamlit-{name}.log")


@pytest.fixture(scope="session")
def server(demo_store, tmp_path_factory, request):
    """`streamlit run app.py` on the demo store; yields the base URL."""
    with streamlit_server(
        demo_store.root, tmp_path_factory.mktemp("server") / "streamlit.log", request
    ) as url:
        yield url


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Attach the tail of a Streamlit server's log to a failing test that used the server."""
    outcome = yield
    report = outcome.get_result()
    if report.failed:
        for name, log_path in getattr(item.config, "_streamlit_logs", {}).items():
            if name in getattr(item, "fixturenames", ()):
                report.sections.append((f"streamlit {name} log (tail)", _tail(log_path)))


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the session (Debian's; Playwright never downloads one)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()
