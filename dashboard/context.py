"""The view of a page run (`Context`): language, township, week, data version. Made by the
ui from the URL (dashboard/ui/context.py) and handed to every page, widget and data call;
it imports nothing from the ui, nor streamlit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from . import i18n, metrics


@dataclass(frozen=True)
class Context:
    lang: str
    township: str | None  # None = whole county
    week: dt.date | None  # None only when the store is empty
    version: int | None
    township_name: str
    notes: tuple[str, ...] = field(default=())
    latest: bool = True  # the week is the one pages open on (links leave it out)
    withheld: tuple[str, ...] = ()  # townships whose week is not shown (metrics.Scope.withheld)

    def t(self, key: str, **fields) -> str:
        return i18n.t(key, self.lang, **fields)

    @property
    def scope(self) -> metrics.Scope:
        """What the view's figures are about: its week and township (dashboard.metrics)."""
        return metrics.Scope(self.week, self.township, self.withheld)

    @property
    def query_params(self) -> dict:
        """The filters as URL parameters, for links that keep the view."""
        qp = {}
        if self.lang != i18n.DEFAULT_LANG:
            qp["lang"] = self.lang
        if self.township:
            qp["township"] = self.township
        if self.week and not self.latest:
            qp["week"] = self.week.isoformat()
        return qp
