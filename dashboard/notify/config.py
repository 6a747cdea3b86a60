"""The channels an admin configured, and the notify settings, in the state folder:

    <state>/notify/channels.json   the channels, without their secrets (name, kind, base URL,
                                   townships served, keyword, SMTP host/port/from/to ...)
    <state>/notify/secrets.json    per channel: the robot's key / access token / hook id, its
                                   signing secret, the SMTP password — mode 0600, never shown
    <state>/notify/settings.json   the dashboard's public URL (links in the messages)

Nothing is configured by default, so nothing is sent anywhere until an admin adds a channel.
Both files are replaced whole (temporary file, fsync, rename) under <state>/notify/lock."""

from __future__ import annotations

import json
import os
import re
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

from .. import locks
from ..auth import files
from ..i18n import Explained, Msg

KINDS = ("wecom", "dingtalk", "feishu", "smtp")
# The public services' addresses; an intranet points a channel at its 政务微信 private
# deployment or a relay instead (`base_url`).
DEFAULT_BASE = {
    "wecom": "https://qyapi.weixin.qq.com",
    "dingtalk": "https://oapi.dingtalk.com",
    "feishu": "https://open.feishu.cn",
}
ALL_TOWNSHIPS = "*"
SECRET_FIELDS = ("token", "secret", "password")
MASK = "***"
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


class NotifyError(Explained, Exception):
    """A refusal to show the admin (a label notify.err.*), as zh / en."""

    def __init__(self, message: Msg):
        super().__init__(message.en)
        self.message = message


@dataclass(frozen=True)
class Channel:
    name: str
    kind: str
    base_url: str = ""
    townships: tuple[str, ...] = ()  # township_ids served, or ("*",) for every township
    county: bool = False  # receives the county's weekly digest
    keyword: str = ""  # DingTalk/Feishu keyword security: every message must contain it
    host: str = ""  # smtp
    port: int = 587
    starttls: bool = True
    user: str = ""
    sender: str = ""
    to: tuple[str, ...] = ()
    # secrets (kept in secrets.json only)
    token: str = field(default="", repr=False)
    secret: str = field(default="", repr=False)
    password: str = field(default="", repr=False)

    def serves(self, township: str | None) -> bool:
        """Whether a message for `township` (None: the county) goes to this channel."""
        if township is None:
            return self.county
        return ALL_TOWNSHIPS in self.townships or township in self.townships

    @property
    def base(self) -> str:
        return (self.base_url or DEFAULT_BASE.get(self.kind, "")).rstrip("/")

    def public(self) -> dict:
        """What may be shown back: every field, the secrets as *** (or empty when unset)."""
        d = asdict(self)
        for k in SECRET_FIELDS:
            d[k] = MASK if d[k] else ""
        d["townships"] = list(self.townships)
        d["to"] = list(self.to)
        return d

    def target(self) -> str:
        """Where it sends, without any secret: the base URL, or the SMTP server and recipients."""
        if self.kind == "smtp":
            return f"{self.host}:{self.port} → {', '.join(self.to)}"
        return self.base


def validate(ch: Channel) -> Channel:
    if not _NAME.match(ch.name or ""):
        raise NotifyError(Msg("notify.err.name", name=ch.name))
    if ch.kind not in KINDS:
        raise NotifyError(Msg("notify.err.kind", kind=ch.kind, kinds=", ".join(KINDS)))
    if ch.base_url:
        parts = urlsplit(ch.base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise NotifyError(Msg("notify.err.url", url=ch.base_url))
    if not ch.townships and not ch.county:
        raise NotifyError(Msg("notify.err.scope"))
    if ch.kind == "smtp":
        if not ch.host or not ch.sender or not ch.to:
            raise NotifyError(Msg("notify.err.smtp"))
        if not 0 < int(ch.port) < 65536:
            raise NotifyError(Msg("notify.err.port", port=ch.port))
    elif not ch.token:
        raise NotifyError(Msg("notify.err.token", kind=ch.kind))
    return ch


class Config:
    def __init__(self, state_dir: str | os.PathLike):
        self.root = Path(state_dir) / "notify"
        self.channels_path = self.root / "channels.json"
        self.secrets_path = self.root / "secrets.json"
        self.settings_path = self.root / "settings.json"
        self.lock_path = self.root / "config.lock"

    # ---- files
    def _read(self, path: Path, default):
        try:
            return json.loads(path.read_text("utf-8"))
        except FileNotFoundError:
            return default

    def _write(self, path: Path, data) -> None:
        files.write_json(path, data)  # owner-only, whole or not at all, durable

    # ---- channels
    def channels(self) -> list[Channel]:
        """Every configured channel with its secrets (for sending; never shown: `public()`)."""
        plain = self._read(self.channels_path, {})
        secret = self._read(self.secrets_path, {})
        out = []
        for name, d in sorted(plain.items()):
            d = {k: v for k, v in d.items() if k in Channel.__dataclass_fields__ and k not in SECRET_FIELDS}
            d["townships"] = tuple(d.get("townships", ()))
            d["to"] = tuple(d.get("to", ()))
            s = {k: v for k, v in secret.get(name, {}).items() if k in SECRET_FIELDS}
            out.append(Channel(name=name, **{k: v for k, v in d.items() if k != "name"}, **s))
        return out

    def get(self, name: str) -> Channel:
        for ch in self.channels():
            if ch.name == name:
                return ch
        raise NotifyError(Msg("notify.err.unknown", name=name))

    def add(self, ch: Channel, *, replace_existing: bool = False) -> Channel:
        ch = validate(replace(ch, townships=tuple(ch.townships), to=tuple(ch.to), port=int(ch.port)))
        with locks.exclusive(self.lock_path):
            plain = self._read(self.channels_path, {})
            secret = self._read(self.secrets_path, {})
            if ch.name in plain and not replace_existing:
                raise NotifyError(Msg("notify.err.exists", name=ch.name))
            d = asdict(ch)
            s = {k: d.pop(k) for k in SECRET_FIELDS}
            d.pop("name")
            plain[ch.name] = d
            secret[ch.name] = {k: v for k, v in s.items() if v}
            # secrets first: a channel never appears without the credentials it needs
            self._write(self.secrets_path, secret)
            self._write(self.channels_path, plain)
        return ch

    def remove(self, name: str) -> None:
        with locks.exclusive(self.lock_path):
            plain = self._read(self.channels_path, {})
            if name not in plain:
                raise NotifyError(Msg("notify.err.unknown", name=name))
            del plain[name]
            self._write(self.channels_path, plain)
            secret = self._read(self.secrets_path, {})
            secret.pop(name, None)
            self._write(self.secrets_path, secret)

    # ---- settings
    def public_url(self) -> str:
        """The dashboard's address as its readers open it (links in the messages); '' = none.
        $DASHBOARD_PUBLIC_URL wins over the stored setting."""
        env = os.environ.get("DASHBOARD_PUBLIC_URL")
        if env is not None:
            return env.strip().rstrip("/")
        return str(self._read(self.settings_path, {}).get("public_url", "")).rstrip("/")

    def set_public_url(self, url: str) -> None:
        url = (url or "").strip()
        if url:
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise NotifyError(Msg("notify.err.url", url=url))
        with locks.exclusive(self.lock_path):
            settings = self._read(self.settings_path, {})
            settings["public_url"] = url.rstrip("/")
            self._write(self.settings_path, settings)
