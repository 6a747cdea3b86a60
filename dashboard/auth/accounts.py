"""Accounts: `<state>/users.json` (scrypt password hashes, never the password; role,
township; mode 0600) and the login that checks them.

users.json is written under a lock and replaced atomically, and only when something in it
changed (a login writes nothing to it).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path

from ..i18n import Msg, t
from . import audit, files, passwords
from .errors import AuthError, Throttled

# role -> (Chinese, English) name, from the label table (auth.role.<role>):
#   admin     everything, including the data page
#   leader    all townships, all pages but data
#   township  only its township, everywhere
#   reporter  its township's pages, and submits its township's weekly tables on the data page
#   reviewer  every township; approves or returns township submissions (dashboard.review) on
#             the data page, whose other parts it does not see; loads nothing
ROLES = {
    role: (t(f"auth.role.{role}", "zh"), t(f"auth.role.{role}", "en"))
    for role in ("admin", "leader", "township", "reporter", "reviewer")
}
# Roles bound to one township: they see it only, whatever a link asks for.
TOWNSHIP_ROLES = ("township", "reporter")
MAX_NAME = 64  # characters of a user name typed on the login form
NAME_RE = re.compile(r"^[\w.\-\u4e00-\u9fff]{2,32}$")
FILE = "users.json"


@dataclass(frozen=True)
class User:
    name: str
    role: str
    township: str | None = None

    @property
    def sees_data_page(self) -> bool:
        # Reporters submit their own township's weekly tables there (scoped on the server);
        # reviewers see its review section only.
        return self.role in ("admin", "reporter", "reviewer")

    @property
    def is_reviewer(self) -> bool:
        """Reviews township submissions (and sees nothing else of the data page)."""
        return self.role == "reviewer"

    @property
    def may_review(self) -> bool:
        """Approves or returns township submissions (dashboard.review)."""
        return self.role in ("admin", "reviewer")

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_reporter(self) -> bool:
        """Submits its own township's weekly tables, and nothing else of the data page."""
        return self.role == "reporter"

    @property
    def township_bound(self) -> bool:
        return self.role in TOWNSHIP_ROLES

    def scope(self, asked: str | None) -> str | None:
        """The township this user may see for a view that asked for `asked`."""
        return self.township if self.township_bound else asked


@dataclass(frozen=True)
class Account:
    """A user as the user file has it now, with the stamps a session is checked against."""

    user: User
    stamp: str  # changes with the password (and nothing else)
    rights: str  # changes with the role or the township


def stamp(record: dict) -> str:
    """The credential stamp: a digest of the password hash, so a new password (a new salt,
    a new hash) gives a new stamp; `session_epoch`, when set, changes it too."""
    basis = f"{record.get('hash', '')}:{record.get('session_epoch', '')}"
    return hashlib.sha256(basis.encode()).hexdigest()[:16]


def rights(record: dict) -> str:
    return hashlib.sha256(f"{record.get('role')}:{record.get('township') or ''}".encode()).hexdigest()[:12]


def _addr(address: str | None) -> dict:
    return {"address": address} if address else {}


# The parsed user file, per path, kept while its (mtime, size, inode) stay the same: every
# script run checks its session against it, so it is read again only after a change.
_cache: dict[str, tuple[tuple, dict]] = {}
_cache_lock = threading.Lock()


class Accounts:
    """The users of a state folder."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)
        self.path = self.root / FILE
        self.throttle = passwords.Throttle(self.root)

    # ---- storage
    def read(self) -> dict:
        """The user file, parsed (a copy the caller may change); read from disk only when it
        changed since the last read."""
        return json.loads(json.dumps(self._peek()))

    def _peek(self) -> dict:
        """The cached parse of the user file itself: read it, never change it."""
        key = str(self.path)
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return {}
        sig = (st.st_mtime_ns, st.st_size, st.st_ino)
        with _cache_lock:
            hit = _cache.get(key)
            if hit is not None and hit[0] == sig:
                return hit[1]
        try:
            users = json.loads(self.path.read_text("utf-8"))
        except FileNotFoundError:
            return {}
        files.private(self.path)
        with _cache_lock:
            _cache[key] = (sig, users)
        return users

    def write(self, users: dict) -> None:
        """Replace the user file whole with `users` (the caller holds files.locked)."""
        files.write_json(self.path, users)

    # ---- queries
    def any(self) -> bool:
        return bool(self._peek())

    def list(self) -> list[dict]:
        return [
            {"name": n, "role": u["role"], "township": u.get("township")}
            for n, u in sorted(self.read().items())
        ]

    def get(self, name: str) -> User | None:
        account = self.account(name)
        return None if account is None else account.user

    def account(self, name: str) -> Account | None:
        """The user `name` as the file has it now (None when removed): what a session is
        checked against on every run."""
        u = self._peek().get(name) if isinstance(name, str) else None
        if u is None:
            return None
        return Account(User(name, u["role"], u.get("township")), stamp(u), rights(u))

    # ---- changes
    def add(
        self,
        name: str,
        role: str,
        password: str,
        township: str | None = None,
        known_townships: set[str] | None = None,
    ) -> User:
        if not NAME_RE.match(name or ""):
            raise AuthError(Msg("auth.err.bad_name"))
        if role not in ROLES:
            raise AuthError(Msg("auth.err.bad_role", roles=list(ROLES)))
        if role in TOWNSHIP_ROLES:
            if not township:
                raise AuthError(Msg("auth.err.needs_township"))
            if known_townships is not None and township not in known_townships:
                raise AuthError(Msg("auth.err.no_township", township=township))
        elif township:
            raise AuthError(Msg("auth.err.no_township_role"))
        passwords.check_new(password)
        with files.locked(self.root):
            users = self.read()
            if name in users:
                raise AuthError(Msg("auth.err.user_exists", name=name))
            salt = secrets.token_bytes(16)
            users[name] = {
                "role": role,
                "township": township,
                "salt": salt.hex(),
                "hash": passwords.hash_password(password, salt),
                "session_epoch": secrets.token_hex(8),
                "created_at": files.now().isoformat(timespec="seconds"),
            }
            self.write(users)
        return User(name, role, township)

    def remove(self, name: str) -> None:
        with files.locked(self.root):
            users = self.read()
            if users.pop(name, None) is None:
                raise AuthError(Msg("auth.err.no_user", name=name))
            self.write(users)

    def set_password(self, name: str, password: str) -> None:
        """A new password; every session of the user ends at its next click."""
        passwords.check_new(password)
        with files.locked(self.root):
            users = self.read()
            if name not in users:
                raise AuthError(Msg("auth.err.no_user", name=name))
            salt = secrets.token_bytes(16)
            users[name].update(
                salt=salt.hex(),
                hash=passwords.hash_password(password, salt),
                session_epoch=secrets.token_hex(8),
            )
            for old in ("failures", "locked_until"):
                users[name].pop(old, None)
            self.write(users)

    def authenticate(self, name: str, password: str, address: str | None = None) -> User:
        """The user, or AuthError; every attempt goes to the audit log. `address` is the
        client's: failures are throttled per (name, address). Writes nothing to the user file."""
        name, password = name or "", password or ""
        if len(name) > MAX_NAME or len(password) > passwords.MAX_PASSWORD:
            audit.write_quietly(
                self.root,
                "login_failed",
                name[:MAX_NAME],
                reason="too long",
                name_chars=len(name),
                **_addr(address),
            )
            raise AuthError(Msg("auth.err.too_long", name_max=MAX_NAME, password_max=passwords.MAX_PASSWORD))
        key, wait = self.throttle.attempt(name, address)
        if wait:
            audit.write_quietly(
                self.root, "login_refused", name, reason="throttled", wait=wait, **_addr(address)
            )
            raise Throttled(wait)
        # The attempt already counts as a failure (recorded with the check, in one step under
        # the lock, so parallel guesses cannot all pass the check); a right password takes
        # it back.
        u = self._peek().get(name)
        if u is None:
            # Same work as a real check, so a wrong name takes as long as a wrong password.
            passwords.hash_password(password, b"0" * 16)
            ok = False
        else:
            ok = hmac.compare_digest(passwords.hash_password(password, bytes.fromhex(u["salt"])), u["hash"])
        if not ok:
            audit.write_quietly(
                self.root,
                "login_failed",
                name,
                reason="unknown user" if u is None else "wrong password",
                **_addr(address),
            )
            raise AuthError(Msg("auth.err.wrong"))
        if key == passwords.pair(name, address):  # an address's shared entry is not reset by one login
            self.throttle.clear(key)
        audit.write_quietly(self.root, "login", name, **_addr(address))
        return User(name, u["role"], u.get("township"))
