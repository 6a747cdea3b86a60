"""What is sent: one `Message` per (rule, township, period), built from plain data (ledger
`Item`s or dicts with the same fields, submission states, review returns), and its rendering
for a channel within that channel's size limit.

Rules (the first part of the de-duplication key):
  ledger    after a publish: a township's items newly opened or newly overdue (period v<N>)
  overdue   between publishes: a township's items that turned overdue (period: the local day)
  reminder  before the submission deadline: a township that has not submitted (period: week)
  county    weekly digest to the county: overdue and escalated items, submissions (period: week)
  returned  a returned submission's reason to its township (period: week and time of return)
  test      a test message of one channel (period: when it was asked for)

Everything the reader sees comes from the label table (notify.*), in Chinese. Text that comes
from data (codes, a return's reason) is made literal: markdown's characters become their
full-width forms, so no link or emphasis can come from data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from .. import contract, i18n
from ..i18n import t

ZH = "zh"
# markdown's special characters -> full-width look-alikes (robots' markdown has no escapes)
_LITERAL = str.maketrans(
    {
        "[": "［",
        "]": "］",
        "(": "（",
        ")": "）",
        "*": "＊",
        "_": "＿",
        "`": "｀",
        "<": "＜",
        ">": "＞",
        "#": "＃",
        "~": "～",
        "|": "｜",
        "\\": "＼",
        "\n": " ",
        "\r": " ",
    }
)
REASON_MAX = 300  # characters of a return's reason carried in a message


def literal(text) -> str:
    return str(text).translate(_LITERAL)


@dataclass(frozen=True)
class Message:
    rule: str
    township: str | None  # None: the county
    period: str
    title: str
    intro: tuple[str, ...] = ()  # always shown
    sections: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (heading, lines): truncated last first
    link: str | None = None
    items: tuple[str, ...] = field(default=(), compare=False)  # ledger keys announced ("key@what")

    @property
    def id(self) -> str:
        return f"{self.rule}|{self.township or 'county'}|{self.period}"

    def to_json(self) -> dict:
        return {
            "rule": self.rule,
            "township": self.township,
            "period": self.period,
            "title": self.title,
            "intro": list(self.intro),
            "sections": [[h, list(lines)] for h, lines in self.sections],
            "link": self.link,
            "items": list(self.items),
        }

    @classmethod
    def from_json(cls, d: dict) -> Message:
        return cls(
            rule=d["rule"],
            township=d.get("township"),
            period=d["period"],
            title=d["title"],
            intro=tuple(d.get("intro", ())),
            sections=tuple((h, tuple(lines)) for h, lines in d.get("sections", ())),
            link=d.get("link"),
            items=tuple(d.get("items", ())),
        )


# ---- links
def page_link(public_url: str, page: str, township: str | None = None) -> str | None:
    """The township's page on the dashboard's public address; None when no address is set."""
    if not public_url:
        return None
    query = f"?{urlencode({'township': township})}" if township else ""
    return f"{public_url.rstrip('/')}/{page}{query}"


# ---- reading items (ledger.Item or a dict with the same fields)
def _get(item, name, default=None):
    if isinstance(item, dict):
        return item.get(name, default)
    return getattr(item, name, default)


def _date(value) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def kind_label(kind: str) -> str:
    for key in (f"notify.kind.{kind}", f"ledger.kind.{kind}"):
        if key in i18n.LABELS:
            return t(key, ZH)
    if kind.startswith("roster_") and "notify.kind.roster" in i18n.LABELS:
        return t("notify.kind.roster", ZH)
    return literal(kind)


def item_line(item) -> str:
    criterion = _get(item, "criterion")
    crit = f"（{i18n.enum_label(contract.CRITERIA, criterion, ZH)}）" if criterion else ""
    line = t(
        "notify.line.item",
        ZH,
        kind=kind_label(str(_get(item, "kind", ""))),
        entity=literal(_get(item, "name") or _get(item, "entity", "")),
        criterion=literal(crit),
        deadline=i18n.fmt_date(_date(_get(item, "deadline")), ZH),
    )
    if _get(item, "escalated"):
        line += t("notify.line.escalated", ZH)
    return line


def _sorted(items: Iterable) -> list:
    # the most serious first: escalated, then overdue, then the earliest deadline
    return sorted(
        items,
        key=lambda i: (
            not _get(i, "escalated", False),
            _get(i, "status") != "overdue",
            str(_date(_get(i, "deadline")) or ""),
            str(_get(i, "key", "")),
        ),
    )


def announce_key(item, what: str) -> str:
    """What a message said of an item: opened / overdue, per episode (a reopened item is news)."""
    return f"{_get(item, 'key')}@{what}@{_get(item, 'opened_week', '')}"


# ---- builders
def ledger_digest(
    township: str,
    name: str,
    period: str,
    opened: Iterable,
    overdue: Iterable,
    public_url: str = "",
    *,
    rule: str = "ledger",
    page: str = "ledger",
) -> Message | None:
    """(a) A township's items newly opened and newly overdue; None when there are none."""
    opened, overdue = _sorted(opened), _sorted(overdue)
    if not opened and not overdue:
        return None
    sections = []
    if overdue:
        sections.append((t("notify.sec.overdue", ZH, n=len(overdue)), tuple(item_line(i) for i in overdue)))
    if opened:
        sections.append((t("notify.sec.opened", ZH, n=len(opened)), tuple(item_line(i) for i in opened)))
    title_key = "notify.title.ledger" if rule == "ledger" else "notify.title.overdue"
    return Message(
        rule=rule,
        township=township,
        period=period,
        title=t(title_key, ZH, township=literal(name), opened=len(opened), overdue=len(overdue)),
        sections=tuple(sections),
        link=page_link(public_url, page, township),
        items=tuple(announce_key(i, "opened") for i in opened)
        + tuple(announce_key(i, "overdue") for i in overdue),
    )


def reminder(
    township: str, name: str, week: dt.date, deadline: dt.datetime, state: str, public_url: str = ""
) -> Message:
    """(b) Before the deadline: a township whose week is not (fully) in."""
    return Message(
        rule="reminder",
        township=township,
        period=week.isoformat(),
        title=t("notify.title.reminder", ZH, township=literal(name), week=i18n.fmt_week(week, ZH)),
        intro=(
            t(
                "notify.reminder.body",
                ZH,
                week=i18n.fmt_week(week, ZH),
                deadline=f"{i18n.fmt_date(deadline.date(), ZH)} {deadline:%H:%M}",
            ),
            t("notify.reminder.state", ZH, state=t(f"notify.state.{state}", ZH)),
        ),
        link=page_link(public_url, "submissions", township),
    )


def county_digest(
    week: dt.date,
    items: Iterable,
    submissions: dict[str, dict],
    names: dict[str, str],
    public_url: str = "",
) -> Message:
    """(c) The county's week: overdue and escalated items (per township, then each), and who
    submitted on time, late or not at all."""
    items = [i for i in items if _get(i, "status") == "overdue" or _get(i, "escalated")]
    items = _sorted(items)
    counts: dict[str, int] = {}
    for s in submissions.values():
        counts[s["state"]] = counts.get(s["state"], 0) + 1
    missing = sorted(tid for tid, s in submissions.items() if s["state"] == "missing")
    late = sorted(tid for tid, s in submissions.items() if s["state"] == "late")
    escalated = sum(1 for i in items if _get(i, "escalated"))
    overdue = sum(1 for i in items if _get(i, "status") == "overdue")
    intro = [
        t(
            "notify.county.sub",
            ZH,
            on_time=counts.get("on_time", 0),
            late=counts.get("late", 0),
            missing=counts.get("missing", 0),
        )
    ]
    if missing:
        intro.append(
            t("notify.county.missing", ZH, names="、".join(literal(names.get(x, x)) for x in missing))
        )
    if late:
        intro.append(t("notify.county.late", ZH, names="、".join(literal(names.get(x, x)) for x in late)))
    per_town: dict[str, list] = {}
    for i in items:
        per_town.setdefault(str(_get(i, "township_id")), []).append(i)
    town_lines = tuple(
        t(
            "notify.county.town",
            ZH,
            township=literal(names.get(tid, tid)),
            overdue=sum(1 for i in its if _get(i, "status") == "overdue"),
            escalated=sum(1 for i in its if _get(i, "escalated")),
        )
        for tid, its in sorted(per_town.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    )
    sections = []
    if town_lines:
        sections.append((t("notify.sec.towns", ZH), town_lines))
    if items:
        sections.append(
            (
                t("notify.sec.items", ZH, n=len(items)),
                tuple(f"{literal(names.get(str(_get(i, 'township_id')), ''))} {item_line(i)}" for i in items),
            )
        )
    return Message(
        rule="county",
        township=None,
        period=week.isoformat(),
        title=t(
            "notify.title.county", ZH, week=i18n.fmt_week(week, ZH), overdue=overdue, escalated=escalated
        ),
        intro=tuple(intro),
        sections=tuple(sections),
        link=page_link(public_url, "overview"),
    )


def returned(township: str, name: str, week: dt.date, reason: str, at: str, public_url: str = "") -> Message:
    """(d) A returned submission: its reason, to its township."""
    reason = literal((reason or "").strip())
    if len(reason) > REASON_MAX:
        reason = reason[: REASON_MAX - 1] + "…"
    return Message(
        rule="returned",
        township=township,
        period=f"{week.isoformat()}@{at}",
        title=t("notify.title.returned", ZH, township=literal(name), week=i18n.fmt_week(week, ZH)),
        intro=(t("notify.returned.reason", ZH, reason=reason or "—"), t("notify.returned.again", ZH)),
        link=page_link(public_url, "data", township),
    )


def probe_message(channel: str, at: dt.datetime) -> Message:
    return Message(
        rule="test",
        township=None,
        period=at.isoformat(timespec="seconds"),
        title=t("notify.title.test", ZH),
        intro=(t("notify.test.body", ZH, name=literal(channel), at=f"{at:%Y-%m-%d %H:%M:%S}"),),
    )


# ---- rendering
def _compose(msg: Message, style: str, shown: int) -> str:
    """The text with the first `shown` section lines and "…及另外 N 项" for the rest."""
    total = sum(len(lines) for _h, lines in msg.sections)
    out: list[str] = []
    if style == "wecom":
        out.append(f"**{msg.title}**")
        out += [f"> {line}" for line in msg.intro]
    elif style == "dingtalk":
        out.append(f"### {msg.title}")
        out += [f"> {line}\n" for line in msg.intro]
    else:
        out.append(msg.title)
        out += msg.intro
    left = shown
    for heading, lines in msg.sections:
        if left <= 0:
            break
        take = lines[:left]
        left -= len(take)
        if style in ("wecom", "dingtalk"):
            out.append(f"\n**{heading}**")
            out += [f"- {line}" for line in take]
        else:
            out.append(f"\n{heading}")
            out += [f"· {line}" for line in take]
    if total > shown:
        out.append(t("notify.more", ZH, n=total - shown))
    if msg.link:
        if style in ("wecom", "dingtalk"):
            out.append(f"\n[{t('notify.link', ZH)}]({msg.link})")
        else:
            out.append(f"\n{t('notify.link', ZH)}：{msg.link}")
    return "\n".join(out)


def render(msg: Message, kind: str, limit: int, keyword: str = "") -> tuple[str, str]:
    """(title, text) of `msg` for a channel of `kind`, the text at most `limit` UTF-8 bytes
    (with the keyword DingTalk/Feishu will add, when missing): as many section lines as fit,
    then "…及另外 N 项"."""
    style = kind if kind in ("wecom", "dingtalk") else "plain"
    room = limit - (len(f"【{keyword}】".encode()) if keyword and kind in ("dingtalk", "feishu") else 0)
    total = sum(len(lines) for _h, lines in msg.sections)

    def fits(n: int) -> bool:
        return len(_compose(msg, style, n).encode("utf-8")) <= room

    if fits(total):
        return msg.title, _compose(msg, style, total)
    lo, hi = 0, total  # fits(lo) is sought; the largest n that fits
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if fits(mid):
            lo = mid
        else:
            hi = mid - 1
    text = _compose(msg, style, lo)
    if len(text.encode("utf-8")) > room:  # even the intro is too long: cut it at a character
        text = text.encode("utf-8")[: max(0, room - 3)].decode("utf-8", "ignore") + "…"
    return msg.title, text
