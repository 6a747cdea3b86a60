"""Township names as a reader sees them: the Chinese name, or in English the English name where
the township has one. The one lookup for pages, charts, tables and the briefing; the rows
come from metrics.townships() (township_id, name, name_en)."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from . import i18n


def place_names(names: Iterable, names_en: Iterable | None, lang: str) -> list[str]:
    """The name in `lang` of each row, from its Chinese and English names (None, NaN or no
    English column: the Chinese name; no name at all: "—")."""
    names = list(names)
    en = [None] * len(names) if names_en is None else list(names_en)
    return [
        i18n.place_name(None if pd.isna(n) else n, None if pd.isna(e) else e, lang)
        for n, e in zip(names, en, strict=False)
    ]


def township_names(townships: pd.DataFrame, lang: str) -> dict[str, str]:
    """township_id -> its name in `lang`."""
    return dict(
        zip(
            townships["township_id"],
            place_names(townships["name"], townships.get("name_en"), lang),
            strict=False,
        )
    )


def township_name(townships: pd.DataFrame, township: str | None, lang: str) -> str:
    """One township's name in `lang`; the whole county's (全县) for None; the id itself for a
    township not among `townships`."""
    if not township:
        return i18n.t("filter.county", lang)
    return township_names(townships, lang).get(township, township)
