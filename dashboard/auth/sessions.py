"""Session cookies and login tickets: signed with `<state>/session.key` (mode 0600); logouts
in `<state>/revoked.json` and exchanged tickets in `<state>/tickets_used.json`, each until
what it names would have expired anyway."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from ..i18n import Msg
from . import files
from .accounts import Account, Accounts
from .errors import AuthError

SESSION_HOURS = 12  # a session cookie's life
TICKET_SECONDS = 60  # a login ticket's life (exchanged once for the cookie)
COOKIE = "dashboard_session"
# A random value each browser gets with its first page (dashboard.web.BindCookie; HttpOnly,
# SameSite=Strict). A login ticket carries its digest and is exchanged for the session cookie
# only in a request that carries the same value: in the browser that logged in (no login
# CSRF: a ticket sent to someone else signs nobody in).
BIND_COOKIE = "dashboard_bind"
# The addresses of the reverse proxies whose X-Real-IP / X-Forwarded-For are believed (comma
# separated; deploy/run.sh sets the address its nginx connects from). Unset: none, and the
# client address is the connection's own.
TRUSTED_PROXIES_ENV = "DASHBOARD_TRUSTED_PROXIES"
KEY_FILE = "session.key"
REVOKED_FILE = "revoked.json"
TICKETS_FILE = "tickets_used.json"


def trusted_proxies() -> frozenset[str]:
    """The proxy addresses of TRUSTED_PROXIES_ENV (read on each call: cheap, and a test or a
    restart with another setting needs no reload)."""
    raw = os.environ.get(TRUSTED_PROXIES_ENV, "")
    return frozenset(a.strip() for a in raw.split(",") if a.strip())


@dataclass(frozen=True)
class Session:
    """A valid session token: whose, its id, and when it ends (epoch seconds)."""

    account: Account
    sid: str
    expires: float


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _bind_digest(bind: str | None) -> str:
    """What a ticket carries of the browser's BIND_COOKIE: a digest, so the ticket (in a URL)
    never shows the cookie's value."""
    return hashlib.sha256(f"bind:{bind or ''}".encode()).hexdigest()[:32]


_lock = threading.Lock()
# Tickets already exchanged for a cookie in this process (their ids, until they expire);
# another replica sharing the state folder starts without them.
used_here: dict[str, float] = {}
# Logouts of this process, per revoked.json path: sid -> until when. Refused at once here,
# and kept to be written again while revoked.json could not be (a full disk): a logout that
# cannot be written still ends the session (`pending` holds what is still to write).
_revoked_here: dict[str, dict[str, float]] = {}
_revoked_pending: dict[str, dict[str, float]] = {}
# revoked.json parsed, per path, while its (mtime, size, inode) stay the same.
_revoked_cache: dict[str, tuple[tuple, dict]] = {}


class Sessions:
    """The session tokens and login tickets of a state folder's accounts."""

    def __init__(self, root: str | os.PathLike, accounts: Accounts | None = None):
        self.root = Path(root)
        self.accounts = accounts or Accounts(self.root)
        self.key_path = self.root / KEY_FILE
        self.revoked_path = self.root / REVOKED_FILE
        self.tickets_path = self.root / TICKETS_FILE

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

    def payload(self, token: str | None, kind: str) -> dict | None:
        """What a token signed here says, when it is of `kind` and not expired; None else.
        (Not whether its account still holds: check_session says that.)"""
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
        until: float | None = None,
        **extra,
    ) -> str:
        """A signed token for the account `name` as it is now: its name, credential stamp and
        rights stamp, an expiry (`until`, else `seconds` or `hours` from now) and a session
        id; never the password."""
        account = self.accounts.account(name)
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
                "exp": int(until if until is not None else time.time() + life),
                **extra,
            }
        )

    def ticket(self, name: str, sid: str, bind: str, until: float | None = None) -> str:
        """A one-time ticket, good for TICKET_SECONDS, that the browser exchanges for the
        session cookie (dashboard.web); the cookie's token itself never appears in a URL.
        `bind`: the BIND_COOKIE of the browser that logged in (only its digest goes into the
        ticket); `until`: when the session ends (default SESSION_HOURS from now), the
        cookie's expiry."""
        end = int(until if until is not None else time.time() + SESSION_HOURS * 3600)
        return self.session_token(
            name, kind="t", seconds=TICKET_SECONDS, sid=sid, b=_bind_digest(bind), se=end
        )

    def check_session(self, token: str | None, kind: str = "s") -> Session | None:
        """The session of a valid token: signed here, not expired, not logged out, and the
        account still has the password and the rights it was issued for."""
        payload = self.payload(token, kind)
        if payload is None:
            return None
        account = self.accounts.account(payload.get("u"))
        if account is None or payload.get("c") != account.stamp or payload.get("r") != account.rights:
            return None
        sid = str(payload.get("sid"))
        if self.session_revoked(sid):
            return None
        return Session(account, sid, float(payload["exp"]))

    def verify_session(self, token: str | None, kind: str = "s") -> tuple[Account, str] | None:
        """(the account, the session id) of a valid token (check_session)."""
        checked = self.check_session(token, kind)
        return None if checked is None else (checked.account, checked.sid)

    def session_revoked(self, sid: str | None) -> bool:
        """Whether the session `sid` was logged out (in any tab of its browser)."""
        if not sid:
            return False
        here = str(self.revoked_path)
        if _revoked_pending.get(here):
            self._write_revocations()  # logouts a full disk kept out of the file: try again
        if sid in _revoked_here.get(here, {}):
            return True
        try:
            st = os.stat(self.revoked_path)
        except FileNotFoundError:
            return False
        sig = (st.st_mtime_ns, st.st_size, st.st_ino)
        with _lock:
            hit = _revoked_cache.get(here)
        if hit is None or hit[0] != sig:
            hit = (sig, files.read_json(self.revoked_path, {}))
            with _lock:
                _revoked_cache[here] = hit
        return sid in hit[1]

    def redeem_ticket(self, ticket: str | None, bind: str | None = None) -> tuple[str, str] | None:
        """(a session token, its id) for a valid ticket not used before, presented with the
        BIND_COOKIE value `bind` of the browser that logged in."""
        payload = self.payload(ticket, "t")
        checked = self.check_session(ticket, "t") if payload else None
        if checked is None or not bind or not isinstance(payload.get("b"), str):
            return None
        if not hmac.compare_digest(payload["b"], _bind_digest(bind)):
            return None  # another browser's ticket (sent to this one): it signs nobody in
        if not isinstance(payload.get("se"), (int, float)) or payload["se"] <= time.time():
            return None
        tid = f"{payload['sid']}:{payload['exp']}"
        now = time.time()
        with _lock:
            for k in [k for k, exp in used_here.items() if exp < now]:
                del used_here[k]
            if tid in used_here:
                return None
            used_here[tid] = payload["exp"]
        # Replicas share the state folder: a ticket used on one is refused on the others.
        try:
            with files.locked(self.root):
                used = files.read_json(self.tickets_path, {})
                if not isinstance(used, dict):
                    used = {}
                if tid in used:
                    return None
                used = {k: v for k, v in used.items() if isinstance(v, (int, float)) and v >= now}
                used[tid] = payload["exp"]
                files.write_json(self.tickets_path, used)
        except OSError as e:  # a full disk: this process's own record still holds
            print(f"dashboard: used ticket not recorded: {e}", file=sys.stderr)
        until = min(float(payload["se"]), time.time() + SESSION_HOURS * 3600)
        token = self.session_token(checked.account.user.name, sid=checked.sid, until=until)
        return token, checked.sid

    def end_session(self, sid: str | None) -> bool:
        """Logout: the session id is refused until its token would have expired anyway. At
        once in this process, whatever happens to the file; False when revoked.json could not
        be written (other processes, replicas, do not know yet: it is written again at the
        next check of any session here)."""
        if not sid:
            return True
        here = str(self.revoked_path)
        until = time.time() + SESSION_HOURS * 3600
        with _lock:
            _revoked_here.setdefault(here, {})[sid] = until
            _revoked_pending.setdefault(here, {})[sid] = until
        return self._write_revocations()

    def _write_revocations(self) -> bool:
        """Write this process's logouts not yet in revoked.json; False when it cannot be."""
        here = str(self.revoked_path)
        try:
            with files.locked(self.root):
                now = time.time()
                with _lock:
                    pending = dict(_revoked_pending.get(here, {}))
                    mine = _revoked_here.get(here, {})
                    for k in [k for k, v in mine.items() if v <= now]:
                        del mine[k]
                data = files.read_json(self.revoked_path, {})
                if not isinstance(data, dict):
                    data = {}
                data = {k: v for k, v in data.items() if isinstance(v, (int, float)) and v > now}
                data.update(pending)
                files.write_json(self.revoked_path, data)
                with _lock:
                    left = _revoked_pending.get(here, {})
                    for k in pending:
                        left.pop(k, None)
                return True
        except OSError as e:
            print(f"dashboard: logout not recorded: {e}", file=sys.stderr)
            return False
