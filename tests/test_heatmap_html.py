"""The checkpoints heatmap in HTML (charts.checkpoints.heatmap_html, issue 14 §2) shows what
the Plotly heatmap (kept for the meeting screen and the briefing) shows: the same checkpoints
in the same order, every hour in the same colour, the same legend and days, and on each short
or empty stretch the hover text of its hours; names from the data are text, never markup."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from dashboard import metrics
from dashboard.charts import checkpoints as cp

from helpers import heatmap

WEEK = dt.date(2021, 12, 27)  # the demo's last week
HOSTILE = '<script>alert(1)</script> & "一号" <b>b</b>'


def both(con, only_gaps: bool, lang: str):
    status = metrics.checkpoint_status(con)
    rows = cp.heatmap_rows(status, only_gaps=only_gaps)
    hourly = metrics.checkpoint_hourly(con, checkpoints=tuple(rows["checkpoint_id"]))
    return cp.heatmap(hourly, rows, WEEK, lang), heatmap(cp.heatmap_html(hourly, rows, WEEK, lang)), rows


def figure_colour(fig, z: float) -> str:
    """The colour the Plotly heatmap gives state `z` (its stepped colour scale on -0.5..2.5)."""
    pos = (z + 0.5) / 3
    return next(c for at, c in fig.data[0].colorscale[1::2] if pos <= at + 1e-9)


@pytest.mark.parametrize("only_gaps, lang", [(True, "zh"), (False, "zh"), (True, "en")])
def test_cells_and_colours_are_the_charts(demo, only_gaps, lang):
    fig, h, rows = both(demo, only_gaps, lang)
    z = np.array(fig.data[0].z, dtype=float)
    assert h["names"] == list(rows["name"]) == list(fig.layout.yaxis.ticktext)
    assert h["state"].shape == z.shape == (len(rows), 168)
    assert np.array_equal(h["state"], z, equal_nan=True)
    for value in (0, 1, 2):
        assert set(h["colour"][z == value]) <= {figure_colour(fig, value)}
    assert h["legend"] == [(t.name, t.marker.color) for t in fig.data[1:]]  # staffed, short, empty
    assert h["days"] == list(fig.layout.xaxis.ticktext)
    if only_gaps:
        assert (z == 0).any() and (z == 1).any()  # both kinds of gap are drawn


def test_each_gap_hour_tells_what_the_charts_hover_told(demo):
    fig, h, _ = both(demo, only_gaps=True, lang="zh")
    hover = fig.data[0].customdata
    covered = np.zeros(h["state"].shape, dtype=bool)
    for row, first, hours, tip in h["tips"]:
        name, when, staff = tip.split("\n")
        day, span = when.rsplit(" ", 1)
        assert span == f"{first % 24:02d}:00–{(first + hours - 1) % 24 + 1:02d}:00"
        for slot in range(first, first + hours):
            # the chart's text for this hour: the same checkpoint, day and staff
            assert hover[row][slot] == f"{name}<br>{day} {slot % 24:02d}:00–{slot % 24 + 1:02d}:00<br>{staff}"
            covered[row, slot] = True
    assert np.array_equal(covered, h["state"] < 2)  # every short or empty hour, only those
    assert len(h["tips"]) < int(covered.sum())  # a stretch of hours is one cell


def hostile_week():
    rows = pd.DataFrame({"checkpoint_id": ["C1", "C2"], "name": [HOSTILE, "&lt;"]})
    slots = np.arange(168)
    hourly = pd.concat(
        pd.DataFrame(
            {
                "checkpoint_id": cid,
                "slot": slots,
                "staff": np.where(slots < 5, 0, np.where(slots < 30, 1, 2)),
                "required_staff": 2,
            }
        )
        for cid in ("C1", "C2")
    )
    hourly["staffed"] = hourly["staff"] >= hourly["required_staff"]
    return hourly, rows


def test_names_are_text_not_markup():
    hourly, rows = hostile_week()
    html = cp.heatmap_html(hourly, rows, WEEK, "zh")
    assert "<script" not in html and "<b>" not in html
    h = heatmap(html)
    assert h["names"] == [HOSTILE, "&lt;"]  # as typed, decoded once
    assert [t.split("\n")[0] for *_, t in h["tips"]] == [HOSTILE] * 3 + ["&lt;"] * 3
    # Monday 00-05 nobody, 05-24 short, Tuesday 00-06 short (a new cell: a new day), then staffed
    assert [(first, hours) for row, first, hours, _ in h["tips"] if row == 0] == [(0, 5), (5, 19), (24, 6)]
    assert h["tips"][0][3].endswith("周一 12-27 00:00–05:00\n在岗 0 人，需 2 人")


@pytest.mark.browser
def test_chromium_shows_the_names_as_typed(browser):
    hourly, rows = hostile_week()
    page = browser.new_page(viewport={"width": 1366, "height": 400})
    try:
        page.set_content(f"<html><body>{cp.heatmap_html(hourly, rows, WEEK, 'en')}</body></html>")
        assert page.locator("script").count() == 0 and page.locator(".cph b").count() == 0
        assert page.locator(".cph .n").all_inner_texts() == [HOSTILE, "&lt;"]
        assert page.locator(".cph .h i[title]").first.get_attribute("title") == (
            f"{HOSTILE}\nMon 27 Dec 00:00–05:00\n0 on duty, 2 needed"
        )
        # the hours fill the row: a row's cells end where the row ends
        row = page.locator(".cph .h").first.bounding_box()
        last = page.locator(".cph .h").first.locator("i").last.bounding_box()
        assert abs(last["x"] + last["width"] - (row["x"] + row["width"])) < 1
    finally:
        page.close()
