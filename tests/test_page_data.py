"""Each page asks for the data it declares in dashboard/page_data.py, and for nothing else: the
declaration the benchmarks time (benchmarks/run.py PAGE_DATA) is the page's own, kept in step
by this test rather than by hand."""

from __future__ import annotations

import pytest

from dashboard import metrics, page_data, ui

from helpers import open_boxes

# The charts the benchmarks time as if opened, drawn on request (ui.on_request) on the page.
BOXES = ("show_training_charts",)


@pytest.mark.parametrize("page", ["overview", "grids", "branches", "training", "checkpoints"])
def test_a_page_asks_for_what_it_declares(open_app, monkeypatch, page):
    asked = []
    real = ui.data

    def record(what, ctx, **kwargs):
        asked.append(what)
        return real(what, ctx, **kwargs)

    monkeypatch.setattr(ui, "data", record)
    at = open_app()  # the overview first, as a browser opens the app
    if page != "overview":
        asked.clear()
        at.switch_page(ui.PAGE_FILES[page]).run()
    open_boxes(at, *BOXES)
    assert not at.exception, [e.value for e in at.exception]
    declared = page_data.calls(page_data.PAGES[page]) + page_data.calls(page_data.App)
    strays = [w for w in asked if not any(w is d for d in declared)]
    assert not strays, strays  # a string or a call the page does not declare
    # Everything declared for opening the page was asked (the baseline goes through ui.baseline).
    opened = {
        d
        for d in page_data.calls(page_data.PAGES[page])
        if d.on_open and d.fn is not metrics.baseline_summary
    }
    assert opened <= set(asked), sorted(d.name for d in opened - set(asked))
