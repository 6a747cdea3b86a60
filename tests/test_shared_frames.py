"""The frames shared by every session (dashboard.ui.data.SHARED: one copy per process in a
resource cache, not a copy per page view) are never changed by a view. Every page runs in
AppTest at the county and at a township, with the meeting screen's slides and a few clicks;
each shared frame is recorded with a deep copy when it is made, and afterwards every one must
still equal its copy. Writes into a frame's NumPy columns are refused on the spot (the page
shows an exception); anything else a view could do to a shared frame (a new column, an
in-place sort, a string cell) shows as a difference here. The last tests prove that a view
which mutates a shared frame does fail."""

from __future__ import annotations

import importlib
import pickle

import pandas as pd
import pytest

from dashboard import i18n

from helpers import open_boxes

ui_data = importlib.import_module("dashboard.ui.data")  # the module (ui.data is its function)

PAGES = ("overview", "grids", "branches", "training", "checkpoints", "presenter", "submissions", "data")
SLIDES = ("overview", "grids", "branches", "checkpoints", "training", "submissions")


@pytest.fixture
def shared(monkeypatch):
    """Every shared frame made from now on, with a deep copy taken when it was made."""
    seen: list[tuple[pd.DataFrame, pd.DataFrame]] = []
    freeze = ui_data.freeze

    def record(df):
        df = freeze(df)
        seen.append((df, pickle.loads(pickle.dumps(df))))  # deep: lists in cells too
        return df

    monkeypatch.setattr(ui_data, "freeze", record)
    return seen


# the charts drawn on request (ui.on_request), by their keys in views/*.py
BOXES = (
    "show_weekly_trend",
    "show_training_charts",
    "show_compliance_trend",
    "show_compliance_by_township",
    "show_failed_criteria",
    "show_cp_daily",
)


def changed(seen) -> list[str]:
    """What differs between each shared frame and its copy from when it was made."""
    out = []
    for frame, before in seen:
        try:
            pd.testing.assert_frame_equal(frame, before, check_exact=True)
        except AssertionError as e:
            out.append(f"frame with columns {list(before.columns)}, now {list(frame.columns)}: {e}")
    return out


def ok(at):
    assert not at.exception, [e.value for e in at.exception]
    failed = i18n.t("kiosk.slide_failed", "zh")
    assert not [m.value for m in at.markdown if failed in m.value]
    return at


@pytest.mark.parametrize("township", [None, "T01"])
def test_no_page_mutates_a_shared_frame(open_app, shared, township):
    query = {"township": township} if township else {}
    for page in PAGES:
        at = ok(open_app(page, **query))
        # every chart drawn on request opened, as a leader clicking on them does
        ok(open_boxes(at, *BOXES))
        if page == "training":  # the other measure: its charts again
            at.radio(key="training_measure").set_value("attendees").run()
            ok(at)
        if page == "grids" and township:  # a grid picked: its detail panel
            pick = next(s for s in at.selectbox if s.key.startswith("grid_pick_"))
            pick.select_index(0).run()
            ok(at)
    for slide in SLIDES:
        ok(open_app(kiosk="1", slides=slide, interval="600", **query))
    # The view made these shared frames (not a vacuous pass): grids, branches, checkpoints,
    # activities and the townships at least.
    columns = {c for frame, _ in shared for c in frame.columns}
    assert {"grid_id", "branch_id", "checkpoint_id", "activity_id", "township_id"} <= columns
    assert len(shared) >= 8
    assert changed(shared) == []


def test_shared_frames_refuse_writes(demo_store):
    """A shared frame's numbers and flags cannot be written into."""
    from dashboard import metrics

    con = demo_store.connect()
    try:
        grids = ui_data.freeze(metrics.grid_list(con, metrics.DEFAULT_SCOPE))
    finally:
        con.close()
    with pytest.raises(ValueError, match="read-only"):
        grids.loc[grids.index[0], "households"] = -1
    with pytest.raises(ValueError, match="read-only"):
        grids.iloc[0, grids.columns.get_loc("visit_rate")] = 0.5
    assert grids.assign(households=0)["households"].eq(0).all()  # a derived frame is free


def test_a_view_that_adds_a_column_is_caught(open_app, shared, monkeypatch):
    """A view that changes a shared frame in a way NumPy cannot refuse fails the check."""
    from dashboard.charts import grids as grid_charts

    real = grid_charts.grid_table

    def careless(grids, lang):
        grids["careless"] = 1  # a new column on the shared frame
        return real(grids, lang)

    monkeypatch.setattr(grid_charts, "grid_table", careless)
    ok(open_app("grids", township="T01"))
    assert any("careless" in c for c in changed(shared))


def test_a_view_that_writes_a_cell_fails(open_app, shared, monkeypatch, caplog):
    """A view that writes into a shared frame's numbers stops with an exception (the page
    shows Streamlit's redacted error; the log has the reason)."""
    from dashboard.charts import grids as grid_charts

    real = grid_charts.grid_table

    def careless(grids, lang):
        grids.loc[grids.index[0], "households"] = 0
        return real(grids, lang)

    monkeypatch.setattr(grid_charts, "grid_table", careless)
    at = open_app("grids", township="T01")
    assert at.exception
    assert "assignment destination is read-only" in caplog.text
