"""Local users, roles and township scope, and the audit log. No streamlit here.

The county intranet has no identity provider, so users live in the store
folder: `users.json` (scrypt password hashes, never the password) and
`audit.jsonl` (one JSON line per login, failed login, load, restore, pin).
Both are written under a lock and replaced atomically.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import hmac
import json
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

ROLES = {
    "admin": ("管理员", "Administrator"),        # everything, including the data page
    "leader": ("县级领导", "County leader"),       # all townships, all pages but data
    "township": ("乡镇用户", "Township user"),     # only its township, everywhere
    "reporter": ("乡镇填报员", "Township reporter"),  # its township's pages, and submits its
                                                   # township's weekly tables on the data page
}
# Roles bound to one township: they see it only, whatever a link asks for.
TOWNSHIP_ROLES = ("township", "reporter")
MAX_FAILURES = 5                      # wrong passwords in a row before the account locks
LOCK_MINUTES = 15
MIN_PASSWORD = 8
NAME_RE = re.compile(r"^[\w.\-\u4e00-\u9fff]{2,32}$")
_SCRYPT = dict(n=2**14, r=8, p=1, dklen=32)


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


class AuthError(Exception):
    """A refusal to show the user: `zh` and `en` say why."""

    def __init__(self, zh: str, en: str):
        super().__init__(en)
        self.zh, self.en = zh, en


def _hash(password: str, salt: bytes) -> str:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, **_SCRYPT).hex()


def _now() -> dt.datetime:
    return dt.datetime.now().astimezone()


class Users:
    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)
        self.path = self.root / "users.json"
        self.audit_path = self.root / "audit.jsonl"

    # ---- storage
    @contextlib.contextmanager
    def _locked(self):
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / "users.lock", "a+") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)

    def _read(self) -> dict:
        try:
            return json.loads(self.path.read_text("utf-8"))
        except FileNotFoundError:
            return {}

    def _write(self, users: dict) -> None:
        tmp = self.path.with_name(f".users.{os.getpid()}.tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(users, f, ensure_ascii=False, indent=1)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, self.path)

    # ---- queries
    def any(self) -> bool:
        return bool(self._read())

    def list(self) -> list[dict]:
        return [{"name": n, "role": u["role"], "township": u.get("township"),
                 "locked_until": u.get("locked_until")} for n, u in sorted(self._read().items())]

    def get(self, name: str) -> User | None:
        u = self._read().get(name)
        return None if u is None else User(name, u["role"], u.get("township"))

    # ---- changes
    def add(self, name: str, role: str, password: str, township: str | None = None,
            known_townships: set[str] | None = None) -> User:
        if not NAME_RE.match(name or ""):
            raise AuthError("用户名应为2–32个字母、数字、汉字或 . _ -",
                            "a user name is 2–32 letters, digits, Chinese characters or . _ -")
        if role not in ROLES:
            raise AuthError(f"角色应为 {'、'.join(ROLES)}", f"role must be one of {', '.join(ROLES)}")
        if role in TOWNSHIP_ROLES:
            if not township:
                raise AuthError("乡镇用户和乡镇填报员必须指定乡镇（--township）",
                                "a township user or reporter needs --township")
            if known_townships is not None and township not in known_townships:
                raise AuthError(f"乡镇代码 {township} 不存在", f"no township {township}")
        elif township:
            raise AuthError("只有乡镇用户和乡镇填报员才指定乡镇",
                            "only township users and reporters have a township")
        self._check_password(password)
        with self._locked():
            users = self._read()
            if name in users:
                raise AuthError(f"用户 {name} 已存在", f"user {name} exists already")
            salt = secrets.token_bytes(16)
            users[name] = {"role": role, "township": township, "salt": salt.hex(),
                           "hash": _hash(password, salt), "failures": 0, "locked_until": None,
                           "created_at": _now().isoformat(timespec="seconds")}
            self._write(users)
        return User(name, role, township)

    def remove(self, name: str) -> None:
        with self._locked():
            users = self._read()
            if users.pop(name, None) is None:
                raise AuthError(f"没有用户 {name}", f"no user {name}")
            self._write(users)

    def set_password(self, name: str, password: str) -> None:
        self._check_password(password)
        with self._locked():
            users = self._read()
            if name not in users:
                raise AuthError(f"没有用户 {name}", f"no user {name}")
            salt = secrets.token_bytes(16)
            users[name].update(salt=salt.hex(), hash=_hash(password, salt), failures=0,
                               locked_until=None)
            self._write(users)

    def authenticate(self, name: str, password: str) -> User:
        """The user, or AuthError; every attempt goes to the audit log."""
        with self._locked():
            users = self._read()
            u = users.get(name)
            now = _now()
            if u is None:
                # Same work as a real check, so a wrong name takes as long as a wrong password.
                _hash(password, b"0" * 16)
                self.audit("login_failed", name, reason="unknown user")
                raise AuthError("用户名或密码错误", "wrong user name or password")
            if u.get("locked_until") and dt.datetime.fromisoformat(u["locked_until"]) > now:
                self.audit("login_refused", name, reason="locked")
                raise AuthError(f"连续输错密码{MAX_FAILURES}次，账号已锁定{LOCK_MINUTES}分钟，请稍后再试或联系管理员",
                                f"{MAX_FAILURES} wrong passwords in a row: the account is locked for"
                                f" {LOCK_MINUTES} minutes; try later or ask an administrator")
            if not hmac.compare_digest(_hash(password, bytes.fromhex(u["salt"])), u["hash"]):
                u["failures"] = u.get("failures", 0) + 1
                if u["failures"] >= MAX_FAILURES:
                    u["locked_until"] = (now + dt.timedelta(minutes=LOCK_MINUTES)).isoformat()
                    u["failures"] = 0
                self._write(users)
                self.audit("login_failed", name, reason="wrong password")
                raise AuthError("用户名或密码错误", "wrong user name or password")
            u["failures"], u["locked_until"] = 0, None
            self._write(users)
            self.audit("login", name)
            return User(name, u["role"], u.get("township"))

    def _check_password(self, password: str) -> None:
        if len(password or "") < MIN_PASSWORD:
            raise AuthError(f"密码至少{MIN_PASSWORD}位", f"a password has at least {MIN_PASSWORD} characters")

    # ---- audit
    def audit(self, event: str, user: str | None, **details) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        line = json.dumps({"at": _now().isoformat(timespec="seconds"), "event": event,
                           "user": user, **details}, ensure_ascii=False)
        with open(self.audit_path, "a", encoding="utf-8") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            f.write(line + "\n")
            f.flush()
            fcntl.flock(f, fcntl.LOCK_UN)

    def audit_log(self, limit: int = 500) -> list[dict]:
        try:
            lines = self.audit_path.read_text("utf-8").splitlines()
        except FileNotFoundError:
            return []
        return [json.loads(l) for l in reversed(lines[-limit:])]
