"""One pass of the outbox (`python -m dashboard notify run`, from a systemd timer): make the
messages the sources call for (each once: its key is (rule, township, period)), one delivery
per channel that serves its township, then send what is due within each channel's rate limit.

A pass never sleeps: what the rate limit holds back, or a retry not yet due, waits for the
next pass (the timer runs it every minute). The clock is injectable (`clock`, seconds since the
epoch), so tests check the rate limit and the backoff without waiting."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from .. import locks
from . import robots
from .config import Channel, Config
from .messages import Message, probe_message, render
from .outbox import Delivery, Outbox

TZ = ZoneInfo("Asia/Shanghai")
RATE_PER_MINUTE = 20  # every robot's documented limit: 20 messages a minute
WINDOW_S = 60.0
BACKOFF_S = 30.0  # 30 s, 1 min, 2 min, ... at most BACKOFF_MAX_S
BACKOFF_MAX_S = 3600.0
MAX_ATTEMPTS = 8


@dataclass
class Pass:
    made: int = 0  # messages made this pass
    sent: int = 0
    retry: int = 0
    held: int = 0  # left queued: rate limit, or the channel failed earlier in the pass
    config: int = 0
    failed: int = 0
    unknown: int = 0
    recovered: int = 0  # "sending" left by a crash, recorded as unknown
    problems: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (
            f"made {self.made}, sent {self.sent}, retry {self.retry}, held {self.held}, "
            f"config {self.config}, failed {self.failed}, unknown {self.unknown}"
            + (f", recovered {self.recovered}" if self.recovered else "")
        )


@dataclass
class Context:
    """What a source reads: the store, the time, the outbox (what was already said), the
    public URL, the township names and the state folder (the review's events)."""

    store: object
    now: dt.datetime
    outbox: Outbox
    public_url: str
    names: dict[str, str]
    state_dir: object = None


Source = Callable[[Context], Iterable[Message]]


def backoff(attempts: int) -> float:
    return min(BACKOFF_S * 2 ** max(0, attempts - 1), BACKOFF_MAX_S)


def _names(store) -> dict[str, str]:
    if store is None or getattr(store, "current", lambda: None)() is None:
        return {}
    from .. import metrics, places

    con = store.connect()
    try:
        return places.township_names(metrics.townships(con), "zh")
    finally:
        con.close()


def run(
    state_dir,
    *,
    store=None,
    sources: Iterable[Source] | None = None,
    clock: Callable[[], float] = time.time,
    deliver=robots.deliver,
) -> Pass:
    """One pass: recover, make messages, send what is due. Without channels, nothing is made."""
    config, box = Config(state_dir), Outbox(state_dir)
    result = Pass()
    with locks.exclusive(box.lock_path):
        box.load()
        result.recovered = box.recover(clock())
        channels = config.channels()
        if not channels:
            return result
        if sources is None:
            from .sources import default_sources

            sources = default_sources()
        sources = list(sources)
        if sources:
            now = dt.datetime.fromtimestamp(clock(), TZ)
            ctx = Context(store, now, box, config.public_url(), _names(store), state_dir)
            for source in sources:
                for msg in source(ctx):
                    served = [c.name for c in channels if c.serves(msg.township)]
                    if served and box.add_message(msg, served, clock()):
                        result.made += 1
        _send_due(box, {c.name: c for c in channels}, clock, deliver, result)
    return result


def _send_due(box: Outbox, channels: dict[str, Channel], clock, deliver, result: Pass, only=None) -> None:
    stopped: set[str] = set()  # channels held for the rest of the pass
    for d in list(box.due(clock())):
        if only is not None and d.key != only:
            continue
        ch = channels.get(d.channel)
        if ch is None:
            box.append(
                "failed", clock(), id=d.message_id, channel=d.channel, error="channel removed / 通道已删除"
            )
            result.failed += 1
            continue
        if ch.name in stopped:
            result.held += 1
            continue
        if len(box.sends_since(ch.name, clock() - WINDOW_S)) >= RATE_PER_MINUTE:
            stopped.add(ch.name)
            result.held += 1
            continue
        if not _send_one(box, ch, d, clock, deliver, result):
            stopped.add(ch.name)


def _send_one(box: Outbox, ch: Channel, d: Delivery, clock, deliver, result: Pass) -> bool:
    """Try one delivery; False when the channel should rest for the rest of the pass."""
    msg = box.messages[d.message_id]
    title, text = render(msg, ch.kind, robots.LIMIT[ch.kind], ch.keyword)
    ids = {"id": d.message_id, "channel": ch.name}
    unsent = False
    try:
        outcome = deliver(ch, title, text, lambda: box.append("sending", clock(), **ids), now_s=clock())
    except robots.NotSent as e:
        outcome, unsent = robots.Outcome("retry", str(e)), True
    now = clock()
    extra = {"unsent": True} if unsent else {}
    attempts = d.attempts + (1 if unsent else 0)
    if outcome.status == "sent":
        box.append("sent", now, detail=outcome.detail, **ids)
        result.sent += 1
        return True
    if outcome.retried:
        if attempts >= MAX_ATTEMPTS:
            box.append("failed", now, error=f"gave up after {attempts}: {outcome.detail}", **ids, **extra)
            result.failed += 1
        else:
            box.append("retry", now, error=outcome.detail, next_at=now + backoff(attempts), **ids, **extra)
            result.retry += 1
        return False  # rate-limited or unreachable: leave the channel alone until the next pass
    box.append(outcome.status, now, error=outcome.detail, **ids, **extra)
    if outcome.status == "config":
        result.config += 1
        result.problems.append(f"{ch.name}: {outcome.detail}")
        return False  # its other messages would be refused the same way
    if outcome.status == "unknown":
        result.unknown += 1
    else:
        result.failed += 1
    return True


def send_test(
    state_dir, name: str, *, clock: Callable[[], float] = time.time, deliver=robots.deliver
) -> Delivery:
    """Send a test message on one channel now (recorded in the outbox like any other)."""
    config, box = Config(state_dir), Outbox(state_dir)
    ch = config.get(name)
    with locks.exclusive(box.lock_path):
        box.load()
        box.recover(clock())
        msg = probe_message(ch.name, dt.datetime.fromtimestamp(clock(), TZ))
        if msg.id in box.messages:  # two tests in the same second: one message
            return box.deliveries[(msg.id, ch.name)]
        box.add_message(msg, [ch.name], clock())
        _send_due(box, {ch.name: ch}, clock, deliver, Pass(), only=(msg.id, ch.name))
        return box.deliveries[(msg.id, ch.name)]


def resend(state_dir, message_id: str, channel: str, *, clock: Callable[[], float] = time.time) -> Delivery:
    """An admin's decision to send a delivery again (after an unknown, a configuration problem
    fixed, a give-up): queued for the next pass."""
    box = Outbox(state_dir)
    with locks.exclusive(box.lock_path):
        box.load()
        d = box.deliveries.get((message_id, channel))
        if d is None:
            raise KeyError(f"no delivery {message_id} → {channel}")
        if d.status in ("unknown", "config", "failed"):
            box.append("requeued", clock(), id=message_id, channel=channel)
        return box.deliveries[(message_id, channel)]


def log(state_dir, limit: int = 200) -> tuple[list[dict], int]:
    """The delivery log, newest first, and the number of damaged lines skipped."""
    box = Outbox(state_dir).load()
    return box.log(limit), box.skipped
