"""What an administrator does with the channels, for the data page's section and the command
line alike: add, remove and test a channel (each audited like other admin actions, never
with a secret), the channels as they may be shown (the robot's host, never its key), a test
send's outcome in plain words, and the delivery log as a table. No streamlit.

Who may do it is the caller's check (the page: an administrator's session; the command line:
whoever may write the state folder)."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import parse_qs, unquote, urlsplit

import pandas as pd

from ..auth import Users
from ..i18n import Msg, fmt_date, fmt_week, t
from .config import ALL_TOWNSHIPS, DEFAULT_BASE, Channel, Config, NotifyError, validate
from .outbox import STATUSES, Delivery
from .run import TZ, send_test
from .run import log as _outbox_log

LOG_SHOWN = 200  # deliveries in the page's log, newest first
# the robot's documented answers that point at one setting (else: the kind's general advice)
HINTS = {
    ("dingtalk", 310000): "notify.hint.dingtalk_310000",
    ("dingtalk", 300001): "notify.hint.token",
    ("dingtalk", 300005): "notify.hint.token",
    ("dingtalk", 400101): "notify.hint.token",
    ("dingtalk", 400102): "notify.hint.stopped",
    ("wecom", 93000): "notify.hint.token",
    ("wecom", 40008): "notify.hint.token",
    ("feishu", 19021): "notify.hint.feishu_sign",
    ("feishu", 19022): "notify.hint.feishu_ip",
    ("feishu", 19024): "notify.hint.keyword",
    ("feishu", 19001): "notify.hint.token",
}
_CODE = re.compile(r"code (-?\d+)")
# the robots' webhook addresses: where the key / access token / hook id sits in each
_HOOK_PATH = {
    "wecom": "/cgi-bin/webhook/send",
    "dingtalk": "/robot/send",
    "feishu": "/open-apis/bot/v2/hook/",
}


def split_webhook(kind: str, text: str) -> tuple[str, str]:
    """(base URL, token) from what an admin pastes: the robot's whole webhook address as the
    group chat shows it (…/cgi-bin/webhook/send?key=…, …/robot/send?access_token=…,
    …/open-apis/bot/v2/hook/…), or the key alone. The base is "" for the public service's
    own address."""
    text = (text or "").strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname or kind not in _HOOK_PATH:
        return "", text
    hook = _HOOK_PATH[kind]
    at = parts.path.find(hook)
    if kind == "feishu":
        token = unquote(parts.path[at + len(hook) :]).strip("/") if at >= 0 else ""
    else:
        token = (parse_qs(parts.query).get("key" if kind == "wecom" else "access_token") or [""])[0]
    base = f"{parts.scheme}://{parts.netloc}{parts.path[: max(at, 0)]}".rstrip("/")
    return ("" if base == DEFAULT_BASE[kind] else base), token


def host(ch: Channel) -> str:
    """Where a channel sends, as it may be shown: the robot's host (and port), or the mail
    server's; never a path or query (a relay's address could carry the key)."""
    if ch.kind == "smtp":
        return f"{ch.host}:{ch.port}"
    return urlsplit(ch.base).netloc


def channels(state_dir) -> list[dict]:
    """The channels as the page shows them: name, kind, townships (ids, or "*"), county,
    host, recipients (e-mail), keyword, and which secrets are set (never their values)."""
    return [
        {
            "name": ch.name,
            "kind": ch.kind,
            "townships": list(ch.townships),
            "county": ch.county,
            "host": host(ch),
            "to": list(ch.to),
            "keyword": ch.keyword,
            "signed": bool(ch.secret),
        }
        for ch in Config(state_dir).channels()
    ]


def _audit_details(ch: Channel) -> dict:
    return {
        "name": ch.name,
        "kind": ch.kind,
        "townships": list(ch.townships),
        "county": ch.county,
        "host": host(ch),
    }


def add_channel(
    state_dir, ch: Channel, by: str | None, *, replace_existing: bool = False, **where
) -> Channel:
    """Config.add, audited ("notify_channel_add": name, kind, townships, host — no secret).
    A channel refused (NotifyError) is neither written nor audited."""
    validate(ch)
    with Users(state_dir).audited("notify_channel_add", by, **_audit_details(ch), **where):
        return Config(state_dir).add(ch, replace_existing=replace_existing)


def remove_channel(state_dir, name: str, by: str | None, **where) -> None:
    """Config.remove, audited ("notify_channel_remove")."""
    config = Config(state_dir)
    ch = config.get(name)  # an unknown name: NotifyError, nothing audited
    with Users(state_dir).audited("notify_channel_remove", by, name=name, kind=ch.kind, **where):
        config.remove(name)


def probe_channel(state_dir, name: str, by: str | None, *, deliver=None, **where) -> Delivery:
    """run.send_test, audited ("notify_test") with the outcome: the status and the robot's
    answer."""
    Config(state_dir).get(name)
    kwargs = {"deliver": deliver} if deliver is not None else {}
    with Users(state_dir).audited("notify_test", by, name=name, **where) as done:
        d = send_test(state_dir, name, **kwargs)
        done.update(status=d.status, answer=d.last_error)
    return d


def outcome(kind: str, d: Delivery) -> tuple[str, Msg]:
    """A test send's outcome for the admin: ("ok" | "config" | "network" | "unknown" |
    "failed", the words to show), the robot's answer included."""
    answer = d.last_error or "—"
    if d.status == "sent":
        return "ok", Msg("notify.out.sent", answer=answer)
    if d.status == "config":
        code = _CODE.search(answer)
        key = HINTS.get((kind, int(code.group(1)))) if code else None
        if key is None:
            key = "notify.hint.smtp" if kind == "smtp" else "notify.hint.config"
        return "config", Msg("notify.out.config", hint=Msg(key), answer=answer)
    if d.status in ("retry", "queued"):
        if answer.startswith("HTTP"):  # the robot answered: busy or rate-limited
            return "network", Msg("notify.out.busy", answer=answer)
        return "network", Msg("notify.out.network", answer=answer)
    if d.status == "unknown":
        return "unknown", Msg("notify.out.unknown", answer=answer)
    return "failed", Msg("notify.out.failed", answer=answer)


def scope_text(townships, county: bool, names: dict[str, str], lang: str) -> str:
    """Whom a channel serves, in words: "全部乡镇", the townships' names, "全县每周汇总"."""
    parts = []
    if ALL_TOWNSHIPS in townships:
        parts.append(t("notify.ui.all_townships", lang))
    else:
        parts += [names.get(tw, tw) for tw in townships]
    if county:
        parts.append(t("notify.ui.county", lang))
    return t("list.sep", lang).join(parts) or "—"


def _when(epoch: float | None) -> str:
    if not epoch:
        return ""
    return dt.datetime.fromtimestamp(epoch, TZ).strftime("%Y-%m-%d %H:%M")


def period_text(rule: str, period: str, lang: str) -> str:
    """A message's period as a reader says it: a version, a day, a week, a week and the time
    of its return, the time of a test."""
    try:
        if rule in ("ledger",) and period.startswith("v"):
            return t("notify.ui.period_version", lang, n=period[1:])
        if rule == "overdue":
            return fmt_date(dt.date.fromisoformat(period), lang)
        if rule in ("reminder", "county"):
            return fmt_week(dt.date.fromisoformat(period), lang)
        if rule == "returned":
            week, _, at = period.partition("@")
            when = at[:16].replace("T", " ")
            return t(
                "notify.ui.period_returned", lang, week=fmt_week(dt.date.fromisoformat(week), lang), at=when
            )
        if rule == "test":
            return period[:16].replace("T", " ")
    except ValueError:
        pass
    return period


def status_label(status: str, lang: str) -> str:
    return t(f"notify.status.{status}", lang)


def deliveries(state_dir) -> tuple[list[dict], dict[str, int], int]:
    """(the last LOG_SHOWN deliveries, newest first (run.log); the count of each status among
    them; the outbox's damaged lines skipped)."""
    rows, skipped = _outbox_log(state_dir, LOG_SHOWN)
    counts = dict.fromkeys(STATUSES, 0)
    for r in rows:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    return rows, counts, skipped


def log_table(rows: list[dict], names: dict[str, str], lang: str, status: str | None = None) -> pd.DataFrame:
    """The delivery log for the page, of `status` or of all: when, rule, township, period,
    channel, status, attempts, last error, sent at."""
    shown = [r for r in rows if status is None or r["status"] == status]
    county = t("notify.ui.county_short", lang)
    table = pd.DataFrame(
        [
            {
                t("notify.col.when", lang): _when(r["last_at"]),
                t("notify.col.rule", lang): t(f"notify.rule.{r['rule']}", lang)
                if f"notify.rule.{r['rule']}" in _RULE_KEYS
                else r["rule"],
                t("notify.col.township", lang): "—"
                if r["rule"] == "test"
                else (names.get(r["township"], r["township"]) if r["township"] else county),
                t("notify.col.period", lang): period_text(r["rule"], r["period"], lang),
                t("notify.col.channel", lang): r["channel"],
                t("notify.col.status", lang): status_label(r["status"], lang),
                t("notify.col.attempts", lang): r["attempts"],
                t("notify.col.error", lang): "" if r["status"] == "sent" else r["last_error"],
                t("notify.col.sent_at", lang): _when(r["sent_at"]),
            }
            for r in shown
        ],
        columns=[
            t(f"notify.col.{c}", lang)
            for c in (
                "when",
                "rule",
                "township",
                "period",
                "channel",
                "status",
                "attempts",
                "error",
                "sent_at",
            )
        ],
    )
    return table


_RULE_KEYS = {f"notify.rule.{r}" for r in ("ledger", "overdue", "reminder", "county", "returned", "test")}


__all__ = [
    "NotifyError",
    "add_channel",
    "channels",
    "host",
    "deliveries",
    "log_table",
    "outcome",
    "period_text",
    "remove_channel",
    "scope_text",
    "split_webhook",
    "status_label",
    "probe_channel",
]
