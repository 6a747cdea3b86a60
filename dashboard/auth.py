"""Local users, roles and township scope, sessions, screen tokens and the audit log. No streamlit.

The county intranet has no identity provider, so users live in the state folder:

    users.json          scrypt password hashes (never the password), role, township; mode 0600
    audit.jsonl         one JSON line per login, failed login, load, restore, pin, user change...;
                        appended whole (one write of the encoded line, fsync), mode 0600
    throttle.json       failed logins per (account, client address): growing waits, pruned
    session.key         the secret that signs session cookies and tickets; mode 0600
    screen_tokens.json  meeting-screen credentials (only their hashes), mode 0600
    revoked.json        session ids ended by a logout, until they would have expired
    tickets_used.json   login tickets already exchanged for a cookie, until they expire

users.json is written under a lock and replaced atomically, and only when something in it
changed (a login writes nothing to it).
"""

from __future__ import annotations

import base64
import contextlib
import contextvars
import datetime as dt
import hashlib
import hmac
import json
import os
import re
import secrets
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from . import jsonl, locks
from .i18n import Explained, Msg, t

# role -> (Chinese, English) name, from the label table (auth.role.<role>):
#   admin     everything, including the data page
#   leader    all townships, all pages but data
#   township  only its township, everywhere
#   reporter  its township's pages, and submits its township's weekly tables on the data page
ROLES = {
    role: (t(f"auth.role.{role}", "zh"), t(f"auth.role.{role}", "en"))
    for role in ("admin", "leader", "township", "reporter")
}
# Roles bound to one township: they see it only, whatever a link asks for.
TOWNSHIP_ROLES = ("township", "reporter")
MIN_PASSWORD = 8
MAX_NAME = 64  # characters of a user name typed on the login form
MAX_PASSWORD = 256  # characters of a password
NAME_RE = re.compile(r"^[\w.\-\u4e00-\u9fff]{2,32}$")
_SCRYPT = dict(n=2**14, r=8, p=1, dklen=32)

# Failed logins are throttled per (account, client address): after FREE_FAILURES failures in
# a row the pair waits 2^(n - FREE_FAILURES) seconds, up to MAX_WAIT, before its next try.
# There is no lock a stranger can set on someone else's account: the account's owner, from
# their own address, is not slowed by a stranger's guesses.
FREE_FAILURES = 3
MAX_WAIT = 15 * 60
THROTTLE_FORGET = 24 * 3600  # a pair's failures are forgotten a day after its last one
THROTTLE_MAX_PAIRS = 5000  # the file keeps at most this many pairs (the oldest go)

SESSION_HOURS = 12  # a session cookie's life
TICKET_SECONDS = 60  # a login ticket's life (exchanged once for the cookie)
COOKIE = "dashboard_session"
SCREEN_NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")  # as dashboard.screens.NAME_RE

# Who acts through the pages (the client address), added to every audit line written in
# that context; set by dashboard.ui for each script run.
REQUEST = contextvars.ContextVar("dashboard_request", default=None)


@dataclass(frozen=True)
class User:
    name: str
    role: str
    township: str | None = None

    @property
    def sees_data_page(self) -> bool:
        # Reporters submit their own township's weekly tables there (scoped on the server).
        return self.role in ("admin", "reporter")

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


@dataclass(frozen=True)
class ScreenGrant:
    """What a screen token allows: the meeting screen `name`, read-only, for one township
    (or the county, None). Never another page."""

    name: str
    township: str | None


class AuthError(Explained, Exception):
    """A refusal to show the user: `message` (a label, auth.err.*) says why, as `zh`, `en`."""

    def __init__(self, message: Msg):
        super().__init__(message.en)
        self.message = message


class Throttled(AuthError):
    """Too many failed logins from this address for this name: wait `seconds`."""

    def __init__(self, seconds: int):
        super().__init__(Msg("auth.err.throttled", wait=_duration(seconds)))
        self.seconds = seconds


def _duration(seconds: int) -> Msg:
    if seconds < 60:
        return Msg("auth.wait_seconds", n=seconds)
    return Msg("auth.wait_minutes", n=-(-seconds // 60))


def _hash(password: str, salt: bytes) -> str:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, **_SCRYPT).hex()


def _now() -> dt.datetime:
    return dt.datetime.now().astimezone()


def _stamp(record: dict) -> str:
    """The credential stamp: a digest of the password hash, so a new password (a new salt,
    a new hash) gives a new stamp; `session_epoch`, when set, changes it too."""
    basis = f"{record.get('hash', '')}:{record.get('session_epoch', '')}"
    return hashlib.sha256(basis.encode()).hexdigest()[:16]


def _rights(record: dict) -> str:
    return hashlib.sha256(f"{record.get('role')}:{record.get('township') or ''}".encode()).hexdigest()[:12]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# The parsed user file, per path, kept while its (mtime, size, inode) stay the same: every
# script run checks its session against it, so it is read again only after a change.
_cache: dict[str, tuple[tuple, dict]] = {}
_cache_lock = threading.Lock()
# Tickets already exchanged for a cookie in this process (their ids, until they expire).
_used_tickets: dict[str, float] = {}


def _private(path: Path) -> None:
    """Owner-only access to a file of the state folder (a file made by an older version)."""
    try:
        if path.stat().st_mode & 0o077:
            os.chmod(path, 0o600)
    except FileNotFoundError:
        pass


class Users:
    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)
        self.path = self.root / "users.json"
        self.audit_path = self.root / "audit.jsonl"
        self.throttle_path = self.root / "throttle.json"
        self.key_path = self.root / "session.key"
        self.tokens_path = self.root / "screen_tokens.json"
        self.revoked_path = self.root / "revoked.json"
        self.tickets_path = self.root / "tickets_used.json"

    # ---- storage
    def _locked(self):
        return locks.exclusive(self.root / "users.lock")

    def _read(self) -> dict:
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
        _private(self.path)
        with _cache_lock:
            _cache[key] = (sig, users)
        return users

    def _read_json(self, path: Path, default):
        try:
            return json.loads(path.read_text("utf-8"))
        except (FileNotFoundError, ValueError):
            return default

    def _write_json(self, path: Path, data) -> None:
        """Replace `path` whole (a temporary file, fsync, rename), readable by the owner only."""
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(data, f, ensure_ascii=False, indent=1)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def _write(self, users: dict) -> None:
        self._write_json(self.path, users)

    # ---- queries
    def any(self) -> bool:
        return bool(self._peek())

    def list(self) -> list[dict]:
        return [
            {"name": n, "role": u["role"], "township": u.get("township")}
            for n, u in sorted(self._read().items())
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
        return Account(User(name, u["role"], u.get("township")), _stamp(u), _rights(u))

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
        self._check_password(password)
        with self._locked():
            users = self._read()
            if name in users:
                raise AuthError(Msg("auth.err.user_exists", name=name))
            salt = secrets.token_bytes(16)
            users[name] = {
                "role": role,
                "township": township,
                "salt": salt.hex(),
                "hash": _hash(password, salt),
                "session_epoch": secrets.token_hex(8),
                "created_at": _now().isoformat(timespec="seconds"),
            }
            self._write(users)
        return User(name, role, township)

    def remove(self, name: str) -> None:
        with self._locked():
            users = self._read()
            if users.pop(name, None) is None:
                raise AuthError(Msg("auth.err.no_user", name=name))
            self._write(users)

    def set_password(self, name: str, password: str) -> None:
        """A new password; every session of the user ends at its next click."""
        self._check_password(password)
        with self._locked():
            users = self._read()
            if name not in users:
                raise AuthError(Msg("auth.err.no_user", name=name))
            salt = secrets.token_bytes(16)
            users[name].update(
                salt=salt.hex(), hash=_hash(password, salt), session_epoch=secrets.token_hex(8)
            )
            for old in ("failures", "locked_until"):
                users[name].pop(old, None)
            self._write(users)

    def authenticate(self, name: str, password: str, address: str | None = None) -> User:
        """The user, or AuthError; every attempt goes to the audit log. `address` is the
        client's: failures are throttled per (name, address). Writes nothing to the user file."""
        name, password = name or "", password or ""
        if len(name) > MAX_NAME or len(password) > MAX_PASSWORD:
            self._audit_quietly(
                "login_failed", name[:MAX_NAME], reason="too long", name_chars=len(name), **_addr(address)
            )
            raise AuthError(Msg("auth.err.too_long", name_max=MAX_NAME, password_max=MAX_PASSWORD))
        pair = f"{name}\n{address or '-'}"
        wait = self._throttle_wait(pair)
        if wait:
            self._audit_quietly("login_refused", name, reason="throttled", wait=wait, **_addr(address))
            raise Throttled(wait)
        u = self._peek().get(name)
        if u is None:
            # Same work as a real check, so a wrong name takes as long as a wrong password.
            _hash(password, b"0" * 16)
            ok = False
        else:
            ok = hmac.compare_digest(_hash(password, bytes.fromhex(u["salt"])), u["hash"])
        if not ok:
            self._throttle_fail(pair)
            self._audit_quietly(
                "login_failed",
                name,
                reason="unknown user" if u is None else "wrong password",
                **_addr(address),
            )
            raise AuthError(Msg("auth.err.wrong"))
        self._throttle_clear(pair)
        self._audit_quietly("login", name, **_addr(address))
        return User(name, u["role"], u.get("township"))

    def _check_password(self, password: str) -> None:
        if len(password or "") < MIN_PASSWORD:
            raise AuthError(Msg("auth.err.password_short", n=MIN_PASSWORD))
        if len(password) > MAX_PASSWORD:
            raise AuthError(Msg("auth.err.password_long", n=MAX_PASSWORD))

    # ---- throttling
    def _throttle_wait(self, pair: str, now: float | None = None) -> int:
        """Seconds the pair must still wait before its next try (0: it may try now)."""
        entry = self._read_json(self.throttle_path, {}).get(pair)
        if not isinstance(entry, dict):
            return 0
        now = time.time() if now is None else now
        return max(0, int(-(-(entry.get("until", 0) - now) // 1)))

    def _throttle_fail(self, pair: str) -> None:
        try:
            with self._locked():
                now = time.time()
                data = self._read_json(self.throttle_path, {})
                if not isinstance(data, dict):
                    data = {}
                entry = data.get(pair) if isinstance(data.get(pair), dict) else {}
                n = int(entry.get("n", 0)) + 1
                wait = 0 if n < FREE_FAILURES else min(MAX_WAIT, 2 ** (n - FREE_FAILURES))
                data[pair] = {"n": n, "last": now, "until": now + wait}
                data = {
                    k: v
                    for k, v in data.items()
                    if isinstance(v, dict) and now - v.get("last", 0) < THROTTLE_FORGET
                }
                if len(data) > THROTTLE_MAX_PAIRS:
                    keep = sorted(data, key=lambda k: data[k]["last"])[-THROTTLE_MAX_PAIRS:]
                    data = {k: data[k] for k in keep}
                self._write_json(self.throttle_path, data)
        except OSError as e:  # a full disk must not turn a wrong password into an error
            print(f"dashboard: throttle not recorded: {e}", file=sys.stderr)

    def _throttle_clear(self, pair: str) -> None:
        if pair not in self._read_json(self.throttle_path, {}):
            return  # nothing to reset: nothing is written
        try:
            with self._locked():
                data = self._read_json(self.throttle_path, {})
                if data.pop(pair, None) is not None:
                    self._write_json(self.throttle_path, data)
        except OSError as e:
            print(f"dashboard: throttle not reset: {e}", file=sys.stderr)

    # ---- session tokens
    def _key(self) -> bytes:
        """The signing secret, made on first use (32 random bytes, owner-only)."""
        try:
            return self.key_path.read_bytes()
        except FileNotFoundError:
            pass
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.key_path.with_name(f".session.key.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(secrets.token_bytes(32))
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(tmp, self.key_path)  # the first process to make one wins
        except FileExistsError:
            pass
        finally:
            tmp.unlink(missing_ok=True)
        return self.key_path.read_bytes()

    def _sign(self, payload: dict) -> str:
        body = _b64(json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode())
        mac = hmac.new(self._key(), body.encode(), hashlib.sha256).digest()
        return f"{body}.{_b64(mac)}"

    def _unsign(self, token: str | None, kind: str) -> dict | None:
        if not token or not isinstance(token, str) or len(token) > 2048 or token.count(".") != 1:
            return None
        body, mac = token.split(".")
        try:
            want = hmac.new(self._key(), body.encode(), hashlib.sha256).digest()
            if not hmac.compare_digest(want, _unb64(mac)):
                return None
            payload = json.loads(_unb64(body))
        except (ValueError, OSError):
            return None
        if not isinstance(payload, dict) or payload.get("k") != kind:
            return None
        if not isinstance(payload.get("exp"), (int, float)) or payload["exp"] < time.time():
            return None
        return payload

    def session_token(
        self,
        name: str,
        hours: float = SESSION_HOURS,
        kind: str = "s",
        seconds: float | None = None,
        sid: str | None = None,
    ) -> str:
        """A signed token for the account `name` as it is now: its name, credential stamp and
        rights stamp, an expiry and a session id; never the password."""
        account = self.account(name)
        if account is None:
            raise AuthError(Msg("auth.err.no_user", name=name))
        life = seconds if seconds is not None else hours * 3600
        return self._sign(
            {
                "k": kind,
                "u": name,
                "c": account.stamp,
                "r": account.rights,
                "sid": sid or secrets.token_hex(8),
                "exp": int(time.time() + life),
            }
        )

    def ticket(self, name: str, sid: str) -> str:
        """A one-time ticket, good for TICKET_SECONDS, that the browser exchanges for the
        session cookie (dashboard.web); the cookie's token itself never appears in a URL."""
        return self.session_token(name, kind="t", seconds=TICKET_SECONDS, sid=sid)

    def verify_session(self, token: str | None, kind: str = "s") -> tuple[Account, str] | None:
        """(the account, the session id) of a valid token: signed here, not expired, not
        logged out, and the account still has the password and the rights it was issued for."""
        payload = self._unsign(token, kind)
        if payload is None:
            return None
        account = self.account(payload.get("u"))
        if account is None or payload.get("c") != account.stamp or payload.get("r") != account.rights:
            return None
        sid = str(payload.get("sid"))
        if self.session_revoked(sid):
            return None
        return account, sid

    def session_revoked(self, sid: str | None) -> bool:
        """Whether the session `sid` was logged out (in any tab of its browser)."""
        if not sid:
            return False
        try:
            st = os.stat(self.revoked_path)
        except FileNotFoundError:
            return False
        key, sig = f"revoked:{self.revoked_path}", (st.st_mtime_ns, st.st_size, st.st_ino)
        with _cache_lock:
            hit = _cache.get(key)
        if hit is None or hit[0] != sig:
            hit = (sig, self._read_json(self.revoked_path, {}))
            with _cache_lock:
                _cache[key] = hit
        return sid in hit[1]

    def redeem_ticket(self, ticket: str | None) -> tuple[str, str] | None:
        """(a session token, its id) for a valid ticket not used before in this process."""
        payload = self._unsign(ticket, "t")
        checked = self.verify_session(ticket, "t") if payload else None
        if checked is None:
            return None
        tid = f"{payload['sid']}:{payload['exp']}"
        now = time.time()
        with _cache_lock:
            for k in [k for k, exp in _used_tickets.items() if exp < now]:
                del _used_tickets[k]
            if tid in _used_tickets:
                return None
            _used_tickets[tid] = payload["exp"]
        # Replicas share the state folder: a ticket used on one is refused on the others.
        try:
            with self._locked():
                used = self._read_json(self.tickets_path, {})
                if not isinstance(used, dict):
                    used = {}
                if tid in used:
                    return None
                used = {k: v for k, v in used.items() if isinstance(v, (int, float)) and v >= now}
                used[tid] = payload["exp"]
                self._write_json(self.tickets_path, used)
        except OSError as e:  # a full disk: this process's own record still holds
            print(f"dashboard: used ticket not recorded: {e}", file=sys.stderr)
        account, sid = checked
        return self.session_token(account.user.name, sid=sid), sid

    def end_session(self, sid: str | None) -> None:
        """Logout: the session id is refused until its token would have expired anyway."""
        if not sid:
            return
        try:
            with self._locked():
                now = time.time()
                data = self._read_json(self.revoked_path, {})
                data = {k: v for k, v in data.items() if isinstance(v, (int, float)) and v > now}
                data[sid] = now + SESSION_HOURS * 3600
                self._write_json(self.revoked_path, data)
        except OSError as e:
            print(f"dashboard: logout not recorded: {e}", file=sys.stderr)

    # ---- screen tokens
    def screen_tokens(self) -> list[dict]:
        data = self._read_json(self.tokens_path, {})
        return [
            {"name": n, "township": v.get("township"), "created_at": v.get("created_at"), "by": v.get("by")}
            for n, v in sorted(data.items())
            if isinstance(v, dict)
        ]

    def issue_screen_token(
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
        with self._locked():
            data = self._read_json(self.tokens_path, {})
            data[name] = {
                "township": township or None,
                "hash": hashlib.sha256(secret.encode()).hexdigest(),
                "created_at": _now().isoformat(timespec="seconds"),
                "by": by,
            }
            self._write_json(self.tokens_path, data)
        self.audit("screen_token", by, screen=name, township=township or None)
        return secret

    def revoke_screen_token(self, name: str, by: str | None = None) -> None:
        with self._locked():
            data = self._read_json(self.tokens_path, {})
            if data.pop(name, None) is None:
                raise AuthError(Msg("auth.err.no_screen_token", name=name))
            self._write_json(self.tokens_path, data)
        self.audit("screen_revoke", by, screen=name)

    def screen_grant(self, name: str | None, secret: str | None) -> ScreenGrant | None:
        """What the token `secret` allows on screen `name`, or None (unknown, revoked, wrong)."""
        if not name or not secret or len(secret) > 256:
            return None
        entry = self._read_json(self.tokens_path, {}).get(name)
        if not isinstance(entry, dict):
            return None
        if not hmac.compare_digest(hashlib.sha256(secret.encode()).hexdigest(), entry.get("hash", "")):
            return None
        return ScreenGrant(name, entry.get("township") or None)

    def screen_township(self, name: str) -> tuple[bool, str | None]:
        """(has a token, its township): a token-bound screen shows that township only."""
        entry = self._read_json(self.tokens_path, {}).get(name)
        if not isinstance(entry, dict):
            return False, None
        return True, entry.get("township") or None

    # ---- audit
    def audit(self, event: str, user: str | None, **details) -> None:
        """Append one line to the audit log: the whole line in one write, then fsync; a line
        a full disk cut short before is closed first, so it damages no other line. Raises
        OSError when the line could not be written."""
        request = REQUEST.get()
        if request:
            details = {**request, **details}
        jsonl.append(
            self.audit_path,
            {"at": _now().isoformat(timespec="seconds"), "event": event, "user": user, **details},
        )

    def _audit_quietly(self, event: str, user: str | None, **details) -> None:
        """A login's audit line: a full disk must not keep the right password out."""
        try:
            self.audit(event, user, **details)
        except OSError as e:
            print(f"dashboard: audit line not written ({event}): {e}", file=sys.stderr)

    @contextlib.contextmanager
    def audited(self, event: str, user: str | None, **details):
        """Audit an action that publishes something: a "pending" line before it, and after it
        a "done" line with what the block adds to the yielded dict (or "failed"). A process
        killed between publishing and the second line still left the first."""
        op = secrets.token_hex(6)
        self.audit(event, user, state="pending", op=op, **details)
        result: dict = {}
        try:
            yield result
        except BaseException as e:
            self._audit_quietly(
                event, user, **{**details, "state": "failed", "op": op, "error": type(e).__name__}
            )
            raise
        if result.get("skip"):
            self._audit_quietly(event, user, **{**details, "state": "nothing", "op": op})
        else:
            self.audit(event, user, **{**details, "state": "done", "op": op, **result})

    def audit_read(self, limit: int = 500) -> tuple[list[dict], int]:
        """(the last `limit` lines, newest first; the number of damaged lines skipped in the
        whole log)."""
        _private(self.audit_path)
        entries, skipped = jsonl.read(
            self.audit_path, lambda e: isinstance(e, dict) and isinstance(e.get("event"), str)
        )
        for e in entries:
            e.setdefault("at", "")
        return list(reversed(entries[-limit:])) if limit else [], skipped

    def audit_log(self, limit: int = 500) -> list[dict]:
        return self.audit_read(limit)[0]


def _addr(address: str | None) -> dict:
    return {"address": address} if address else {}
