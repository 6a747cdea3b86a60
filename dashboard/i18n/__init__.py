"""Chinese and English labels: one table for everything a user reads.

Chinese is the default. `t(key, lang)` gives a label; enum codes and table
columns get theirs from `contract`, so a code never shows untranslated.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import tomllib
from pathlib import Path

from .. import contract

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"

# key -> (zh, en), from labels.toml beside this file: the label table is data, kept apart from code.
LABELS: dict[str, tuple[str, str]] = {
    key: (pair[0], pair[1])
    for key, pair in tomllib.loads((Path(__file__).with_name("labels.toml")).read_text("utf-8")).items()
}


def t(key: str, lang: str = DEFAULT_LANG, **fields) -> str:
    zh, en = LABELS[key]
    text = en if lang == "en" else zh
    return text.format(**fields) if fields else text


class Text:
    """Something a user reads, kept until it is shown: `text(lang)` in one language (the
    page), `zh` / `en`, or `both()` as "中文 / English" (the command line)."""

    __slots__ = ()

    def text(self, lang: str = DEFAULT_LANG) -> str:
        raise NotImplementedError

    @property
    def zh(self) -> str:
        return self.text("zh")

    @property
    def en(self) -> str:
        return self.text("en")

    def both(self) -> str:
        return f"{self.zh} / {self.en}"

    def __str__(self) -> str:
        return self.both()


class Explained:
    """A refusal or a problem that carries its `message` (a Text): read as `zh`, `en`, or
    `text(lang)` like the message itself."""

    message: Text

    @property
    def zh(self) -> str:
        return self.message.zh

    @property
    def en(self) -> str:
        return self.message.en

    def text(self, lang: str = DEFAULT_LANG) -> str:
        return self.message.text(lang)


class Msg(Text):
    """A label of the table with its fields, e.g. Msg("intake.too_many_rows", limit=20_000_000).

    A field may be a Text (rendered in the same language), a list (joined by "list.sep") or a
    plain value (formatted as it is)."""

    __slots__ = ("fields", "key")

    def __init__(self, key: str, **fields):
        if key not in LABELS:
            raise KeyError(f"no label {key!r} in labels.toml")
        self.key, self.fields = key, fields

    def text(self, lang: str = DEFAULT_LANG) -> str:
        return t(self.key, lang, **{k: render(v, lang) for k, v in self.fields.items()})

    def __eq__(self, other) -> bool:
        return isinstance(other, Msg) and (self.key, self.fields) == (other.key, other.fields)

    def __hash__(self) -> int:
        return hash(self.key)

    def __repr__(self) -> str:
        return f"Msg({self.key!r}, {self.fields!r})"


class ByLang(Text):
    """A value that differs by language but is no label: a contract name (网格 / grids), a
    code with its Chinese name. Each side may itself be a Text or a list."""

    __slots__ = ("en_value", "zh_value")

    def __init__(self, zh, en):
        self.zh_value, self.en_value = zh, en

    def text(self, lang: str = DEFAULT_LANG) -> str:
        return str(render(self.en_value if lang == "en" else self.zh_value, lang))

    def __eq__(self, other) -> bool:
        return isinstance(other, ByLang) and (self.zh_value, self.en_value) == (
            other.zh_value,
            other.en_value,
        )

    def __hash__(self) -> int:
        return hash(str(self.zh_value))

    def __repr__(self) -> str:
        return f"ByLang({self.zh_value!r}, {self.en_value!r})"


def render(value, lang: str = DEFAULT_LANG):
    """A message field in one language (numbers stay numbers, for formats such as {n:g})."""
    if isinstance(value, Text):
        return value.text(lang)
    if isinstance(value, (list, tuple)):
        return t("list.sep", lang).join(str(render(v, lang)) for v in value)
    return value


def enum_label(enum: dict, code: str | None, lang: str = DEFAULT_LANG) -> str:
    """The label of a contract enum code (criterion, training kind, indicator, ...)."""
    if code is None:
        return "—"
    zh, en = enum.get(code, (code, code))
    return en if lang == "en" else zh


def column_label(table: str, column: str, lang: str = DEFAULT_LANG) -> str:
    """A contract column's label: its Chinese name, or the English name made readable."""
    c = contract.TABLES[table].column(column)
    return c.name.replace("_", " ").capitalize() if lang == "en" else c.zh


def place_name(name: str | None, name_en: str | None, lang: str) -> str:
    """A proper name in the current language (Chinese where no English name is known)."""
    if lang == "en" and name_en:
        return name_en
    return name or "—"


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def md_escape(text) -> str:
    """Text from uploaded files (names) made literal for Streamlit markdown (st.info, st.caption,
    titles): no link, image, emphasis or formula can come from data."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))


def fmt_int(value, lang: str = DEFAULT_LANG) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{int(round(value)):,}"


def fmt_num(value, lang: str = DEFAULT_LANG) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def fmt_rate(value, lang: str = DEFAULT_LANG, digits: int = 1) -> str:
    """A rate 0..1 as a percentage; None (an empty scope) as "—", never 0% or 100%."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value * 100:.{digits}f}%"


def fmt_date(value, lang: str = DEFAULT_LANG) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    if lang == "en":
        return value.strftime("%d %b %Y")
    return f"{value.year}年{value.month}月{value.day}日"


def fmt_week(week_start: dt.date, lang: str = DEFAULT_LANG) -> str:
    end = week_start + dt.timedelta(days=6)
    if lang == "en":
        return f"{week_start:%d %b} – {end:%d %b %Y}"
    return f"{week_start.month}月{week_start.day}日—{end.month}月{end.day}日（{week_start.year}）"
