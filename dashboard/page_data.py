"""What each page reads, declared once: the functions of `dashboard.metrics` a page calls, with
the arguments it opens with. One class per page (views/<page>.py), one attribute per call.

The page reads through its declaration (`ui.data(page_data.Grids.grid_list, ctx, zone=...)`),
so an editor follows a call from the page to its metrics function and on to its query
(queries/<name>.sql); benchmarks/run.py times every page by these lists, and
tests/test_page_data.py opens each page and checks that it asks for what its class declares
and nothing else. No streamlit here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from types import MappingProxyType

from . import metrics


@dataclass(frozen=True, eq=False)  # one declaration, one object: compared by identity
class Data:
    """One data call of a page: metrics function `fn`(con, scope, **kwargs)."""

    fn: Callable
    kwargs: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))  # as the page opens
    county_only: bool = False  # asked only for the whole county
    on_open: bool = True  # asked when the page opens (False: after a click, or for an empty scope)

    @property
    def name(self) -> str:
        return self.fn.__name__


def call(fn: Callable, county_only: bool = False, on_open: bool = True, **kwargs) -> Data:
    return Data(fn, MappingProxyType(kwargs), county_only, on_open)


def calls(page: type) -> tuple[Data, ...]:
    """The declared calls of a page class, in the order it declares them."""
    return tuple(v for v in vars(page).values() if isinstance(v, Data))


class App:
    """app.py on every page: the filters (ui.resolve_context, the sidebar)."""

    townships = call(metrics.townships)
    available_weeks = call(metrics.available_weeks)


class Overview:
    summary = call(metrics.summary)
    targets = call(metrics.targets)
    weekly_trend = call(metrics.weekly_trend, weeks=12)
    baseline = call(metrics.baseline_summary)  # through ui.baseline (the pinned meeting)
    noncompliant_branches = call(metrics.noncompliant_branches)
    checkpoint_gaps = call(metrics.checkpoint_gaps)
    grids_needing_attention = call(metrics.grids_needing_attention)


class Grids:
    summary = call(metrics.summary)
    townships = call(metrics.townships)
    targets = call(metrics.targets)
    grid_areas = call(metrics.grid_areas)
    grid_list = call(metrics.grid_list, community=None, zone=None)
    geo_features = call(metrics.geo_features, layer="townships")
    grid_history = call(metrics.grid_history, on_open=False, weeks=12)  # a grid picked


class Branches:
    summary = call(metrics.summary)
    targets = call(metrics.targets)
    townships = call(metrics.townships)
    branch_status = call(metrics.branch_status)
    noncompliant_branches = call(metrics.noncompliant_branches)
    compliance_trend = call(metrics.compliance_trend)
    compliance_by_township = call(metrics.compliance_by_township, county_only=True)
    failed_criteria_counts = call(metrics.failed_criteria_counts)
    geo_features = call(metrics.geo_features, layer="townships")


class Training:
    summary = call(metrics.summary)
    targets = call(metrics.targets)
    townships = call(metrics.townships)
    training_activities = call(metrics.training_activities)
    training_people = call(metrics.training_people)
    training_by_kind_month = call(metrics.training_by_kind_month)
    training_by_township = call(metrics.training_by_township, county_only=True)


class Checkpoints:
    summary = call(metrics.summary)
    townships = call(metrics.townships)
    targets = call(metrics.targets)
    checkpoint_gaps = call(metrics.checkpoint_gaps)
    checkpoint_status = call(metrics.checkpoint_status)
    checkpoint_daily = call(metrics.checkpoint_daily)
    checkpoint_hourly = call(metrics.checkpoint_hourly)
    geo_features = call(metrics.geo_features, layer="townships")


class Kiosk:
    """The meeting screen (?kiosk=1) on its first slide, the overview (views/kiosk.py); its
    later slides (dashboard/ui/slides.py) make the calls of the pages they show."""

    summary = call(metrics.summary)
    targets = call(metrics.targets)
    baseline = call(metrics.baseline_summary)


# page (views/<page>.py) -> its declaration
PAGES: dict[str, type] = {
    "overview": Overview,
    "grids": Grids,
    "branches": Branches,
    "training": Training,
    "checkpoints": Checkpoints,
    "kiosk": Kiosk,
}
