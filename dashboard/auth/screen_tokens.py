"""Meeting-screen credentials, `<state>/screen_tokens.json` (only their hashes), mode 0600: a
token opens one meeting screen, read-only, for one township or the county, and no other page."""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from ..i18n import Msg
from . import audit, files
from .errors import AuthError

SCREEN_NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")  # as dashboard.screens.NAME_RE
FILE = "screen_tokens.json"


@dataclass(frozen=True)
class ScreenGrant:
    """What a screen token allows: the meeting screen `name`, read-only, for one township
    (or the county, None). Never another page."""

    name: str
    township: str | None


class ScreenTokens:
    """The meeting-screen tokens of a state folder."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)
        self.path = self.root / FILE

    def list(self) -> list[dict]:
        data = files.read_json(self.path, {})
        return [
            {"name": n, "township": v.get("township"), "created_at": v.get("created_at"), "by": v.get("by")}
            for n, v in sorted(data.items())
            if isinstance(v, dict)
        ]

    def issue(
        self,
        name: str,
        township: str | None = None,
        by: str | None = None,
        known_townships: set[str] | None = None,
    ) -> str:
        """A new credential for the meeting screen `name` (one township, or the county):
        read-only, kiosk only. Replaces the screen's earlier token. Only its hash is kept."""
        if not SCREEN_NAME_RE.match(name or ""):
            raise AuthError(Msg("auth.err.bad_screen_name"))
        if township and known_townships is not None and township not in known_townships:
            raise AuthError(Msg("auth.err.no_township", township=township))
        secret = secrets.token_urlsafe(24)
        with files.locked(self.root):
            data = files.read_json(self.path, {})
            data[name] = {
                "township": township or None,
                "hash": hashlib.sha256(secret.encode()).hexdigest(),
                "created_at": files.now().isoformat(timespec="seconds"),
                "by": by,
            }
            files.write_json(self.path, data)
        audit.write(self.root, "screen_token", by, screen=name, township=township or None)
        return secret

    def revoke(self, name: str, by: str | None = None) -> None:
        with files.locked(self.root):
            data = files.read_json(self.path, {})
            if data.pop(name, None) is None:
                raise AuthError(Msg("auth.err.no_screen_token", name=name))
            files.write_json(self.path, data)
        audit.write(self.root, "screen_revoke", by, screen=name)

    def grant(self, name: str | None, secret: str | None) -> ScreenGrant | None:
        """What the token `secret` allows on screen `name`, or None (unknown, revoked, wrong)."""
        if not name or not secret or len(secret) > 256:
            return None
        entry = files.read_json(self.path, {}).get(name)
        if not isinstance(entry, dict):
            return None
        if not hmac.compare_digest(hashlib.sha256(secret.encode()).hexdigest(), entry.get("hash", "")):
            return None
        return ScreenGrant(name, entry.get("township") or None)

    def township(self, name: str) -> tuple[bool, str | None]:
        """(has a token, its township): a token-bound screen shows that township only."""
        entry = files.read_json(self.path, {}).get(name)
        if not isinstance(entry, dict):
            return False, None
        return True, entry.get("township") or None
