"""The durable outbox: <state>/notify/outbox.jsonl, one JSON line per event, appended whole (one
write of the encoded line, then fsync), never rewritten; damaged lines (a torn last line after a
crash) are skipped and counted. Replaying the events gives every message and every delivery.

Events ("ev"):
  message   a Message made once for its key (rule, township, period), with its frozen content
  queued    a delivery of that message to one channel (the delivery key: message id + channel)
  sending   written and fsynced just before the message's first byte goes out
  sent      the robot / mail server accepted it
  retry     not delivered, tried again at `next_at` (network error, rate limit, 5xx)
  config    refused for its configuration (signature, keyword, token): not retried
  failed    refused otherwise, or given up after MAX_ATTEMPTS: not retried
  unknown   a "sending" with no answer: crashed or cut off mid-send; never resent by itself
  requeued  an admin asked for it again (`notify resend`)

Only `notify run` (and a test send) writes, holding <state>/notify/outbox.lock."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .messages import Message

FINAL = frozenset({"sent", "config", "failed", "unknown"})
# statuses of a delivery as the log shows them
STATUSES = ("queued", "sending", "retry", "sent", "config", "failed", "unknown")


@dataclass
class Delivery:
    message_id: str
    channel: str
    status: str = "queued"
    attempts: int = 0
    last_error: str = ""
    queued_at: float = 0.0
    next_at: float = 0.0
    sent_at: float | None = None
    last_at: float = 0.0
    sends: list[float] = field(default_factory=list)  # times of each "sending" (rate limits)

    @property
    def key(self) -> tuple[str, str]:
        return (self.message_id, self.channel)


class Outbox:
    def __init__(self, state_dir: str | os.PathLike):
        self.root = Path(state_dir) / "notify"
        self.path = self.root / "outbox.jsonl"
        self.lock_path = self.root / "outbox.lock"
        self.messages: dict[str, Message] = {}
        self.made_at: dict[str, float] = {}
        self.deliveries: dict[tuple[str, str], Delivery] = {}
        self.skipped = 0
        self._read_bytes = 0

    # ---- reading
    def load(self) -> Outbox:
        """Replay the whole file (a fresh start: `refresh` reads only what was appended)."""
        self.messages, self.made_at, self.deliveries = {}, {}, {}
        self.skipped, self._read_bytes = 0, 0
        return self.refresh()

    def refresh(self) -> Outbox:
        try:
            with open(self.path, "rb") as f:
                f.seek(self._read_bytes)
                raw = f.read()
        except FileNotFoundError:
            return self
        end = raw.rfind(b"\n") + 1  # a line still being written is read next time
        for line in raw[:end].splitlines():
            try:
                self._apply(json.loads(line))
            except (ValueError, KeyError, TypeError):
                self.skipped += 1
        self._read_bytes += end
        return self

    def _apply(self, e: dict) -> None:
        ev = e["ev"]
        if ev == "message":
            msg = Message.from_json(e["msg"])
            self.messages.setdefault(msg.id, msg)
            self.made_at.setdefault(msg.id, e["at"])
            return
        key = (e["id"], e["channel"])
        if ev == "queued":
            if key not in self.deliveries:
                self.deliveries[key] = Delivery(e["id"], e["channel"], queued_at=e["at"], next_at=e["at"])
            return
        d = self.deliveries[key]
        d.last_at = e["at"]
        if ev == "sending":
            d.status = "sending"
            d.attempts += 1
            d.sends.append(e["at"])
        elif ev == "sent":
            d.status, d.sent_at, d.last_error = "sent", e["at"], e.get("detail", "")
        elif ev == "retry":
            d.status, d.last_error, d.next_at = "retry", e.get("error", ""), e["next_at"]
            if e.get("unsent"):  # a try that could not even connect counts as an attempt too
                d.attempts += 1
        elif ev in ("config", "failed", "unknown"):
            d.status, d.last_error = ev, e.get("error", d.last_error)
            if e.get("unsent"):
                d.attempts += 1
        elif ev == "requeued":
            d.status, d.next_at, d.last_error = "queued", e["at"], ""
            d.attempts = 0

    def sends_since(self, channel: str, since: float) -> list[float]:
        """When each message went out on `channel` at or after `since` (for the rate limit)."""
        return sorted(
            s for d in self.deliveries.values() if d.channel == channel for s in d.sends if s >= since
        )

    def announced(self, township: str) -> set[str]:
        """The ledger keys ("key@opened" / "key@overdue") already put in a message of `township`."""
        out: set[str] = set()
        for m in self.messages.values():
            if m.township == township:
                out.update(m.items)
        return out

    def log(self, limit: int = 200) -> list[dict]:
        """The deliveries, newest first, for the admin: what, where, status, attempts, error."""
        rows = []
        for d in self.deliveries.values():
            m = self.messages.get(d.message_id)
            rows.append(
                {
                    "message": d.message_id,
                    "rule": m.rule if m else "",
                    "township": m.township if m else None,
                    "period": m.period if m else "",
                    "title": m.title if m else "",
                    "channel": d.channel,
                    "status": d.status,
                    "attempts": d.attempts,
                    "last_error": d.last_error,
                    "queued_at": d.queued_at,
                    "sent_at": d.sent_at,
                    "next_at": d.next_at if d.status == "retry" else None,
                    "last_at": d.last_at or d.queued_at,
                }
            )
        rows.sort(key=lambda r: (r["last_at"], r["queued_at"]), reverse=True)
        return rows[:limit]

    def due(self, now: float) -> Iterator[Delivery]:
        """Deliveries to try now, oldest first."""
        ready = [
            d
            for d in self.deliveries.values()
            if d.status == "queued" or (d.status == "retry" and d.next_at <= now)
        ]
        yield from sorted(ready, key=lambda d: (d.queued_at, d.message_id, d.channel))

    # ---- writing (under the lock)
    def append(self, ev: str, at: float, **fields) -> None:
        """One event: the whole line in one write, then fsync, then applied in memory."""
        e = {"ev": ev, "at": at, **fields}
        line = (json.dumps(e, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
        self.root.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            written = os.write(fd, line)
            if written != len(line):
                raise OSError(28, f"outbox line cut short ({written} of {len(line)} bytes)")
            os.fsync(fd)
        finally:
            os.close(fd)
        self._read_bytes += len(line)
        self._apply(e)

    def add_message(self, msg: Message, channels: list[str], at: float) -> bool:
        """Record `msg` and one delivery per channel, unless its key is already known: a
        message is made once, whatever happens later."""
        if msg.id in self.messages:
            return False
        self.append("message", at, msg=msg.to_json())
        for ch in channels:
            self.append("queued", at, id=msg.id, channel=ch)
        return True

    def recover(self, at: float) -> int:
        """A "sending" left by a crash (the lock is held, so no pass is under way): recorded as
        unknown — it may have reached the robot — and never resent by itself."""
        n = 0
        for d in list(self.deliveries.values()):
            if d.status == "sending":
                self.append(
                    "unknown",
                    at,
                    id=d.message_id,
                    channel=d.channel,
                    error="interrupted while sending / 发送中断，可能已送达",
                )
                n += 1
        return n
