"""Local users, roles and township scope, sessions, screen tokens and the audit log. No streamlit.

The county intranet has no identity provider, so users live in the state folder, one module
of this package for each kind of file:

    users.json          accounts: scrypt password hashes (never the password), role,
                        township; mode 0600
    throttle.json       passwords: failed logins per (account, client address), growing waits
    session.key         sessions: the secret that signs session cookies and tickets; mode 0600
    revoked.json        sessions: session ids ended by a logout, until they would have expired
    tickets_used.json   sessions: login tickets already exchanged for a cookie, until they expire
    screen_tokens.json  screen_tokens: meeting-screen credentials (only their hashes), mode 0600
    audit.jsonl         audit: one JSON line per login, load, restore, pin, user change...

`Users(state)` puts them together for the pages and the command line; code that only writes
the audit log (a load, a review) calls `audit.write(state, ...)` and needs no account.
"""

from __future__ import annotations

import os
from pathlib import Path

from . import accounts, audit, files, passwords, screen_tokens, sessions
from .accounts import MAX_NAME, NAME_RE, ROLES, TOWNSHIP_ROLES, Account, User
from .audit import REQUEST
from .errors import AuthError, Throttled
from .passwords import (
    FREE_FAILURES,
    MAX_PASSWORD,
    MAX_WAIT,
    MIN_PASSWORD,
    THROTTLE_FORGET,
    THROTTLE_MAX_PAIRS,
    THROTTLE_PER_ADDRESS,
)
from .screen_tokens import SCREEN_NAME_RE, ScreenGrant
from .sessions import (
    BIND_COOKIE,
    COOKIE,
    SESSION_HOURS,
    TICKET_SECONDS,
    TRUSTED_PROXIES_ENV,
    Session,
    trusted_proxies,
)

__all__ = [
    "BIND_COOKIE",
    "COOKIE",
    "FREE_FAILURES",
    "MAX_NAME",
    "MAX_PASSWORD",
    "MAX_WAIT",
    "MIN_PASSWORD",
    "NAME_RE",
    "REQUEST",
    "ROLES",
    "SCREEN_NAME_RE",
    "SESSION_HOURS",
    "THROTTLE_FORGET",
    "THROTTLE_MAX_PAIRS",
    "THROTTLE_PER_ADDRESS",
    "TICKET_SECONDS",
    "TOWNSHIP_ROLES",
    "TRUSTED_PROXIES_ENV",
    "Account",
    "AuthError",
    "ScreenGrant",
    "Session",
    "Throttled",
    "User",
    "Users",
    "accounts",
    "audit",
    "files",
    "passwords",
    "screen_tokens",
    "sessions",
    "trusted_proxies",
]


class Users:
    """The accounts, sessions, screen tokens and audit log of one state folder."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)
        self.accounts = accounts.Accounts(self.root)
        self.sessions = sessions.Sessions(self.root, self.accounts)
        self.screens = screen_tokens.ScreenTokens(self.root)
        self.path = self.accounts.path
        self.audit_path = audit.path(self.root)
        self.throttle_path = self.accounts.throttle.path
        self.key_path = self.sessions.key_path
        self.tokens_path = self.screens.path
        self.revoked_path = self.sessions.revoked_path
        self.tickets_path = self.sessions.tickets_path

    # ---- accounts
    def any(self) -> bool:
        return self.accounts.any()

    def list(self) -> list[dict]:
        return self.accounts.list()

    def get(self, name: str) -> User | None:
        return self.accounts.get(name)

    def account(self, name: str) -> Account | None:
        return self.accounts.account(name)

    def add(self, name, role, password, township=None, known_townships=None) -> User:
        return self.accounts.add(name, role, password, township, known_townships)

    def remove(self, name: str) -> None:
        self.accounts.remove(name)

    def set_password(self, name: str, password: str) -> None:
        self.accounts.set_password(name, password)

    def authenticate(self, name: str, password: str, address: str | None = None) -> User:
        return self.accounts.authenticate(name, password, address)

    # ---- sessions
    def session_token(self, name: str, *args, **kwargs) -> str:
        return self.sessions.session_token(name, *args, **kwargs)

    def ticket(self, name: str, sid: str, bind: str, until: float | None = None) -> str:
        return self.sessions.ticket(name, sid, bind, until)

    def check_session(self, token: str | None, kind: str = "s") -> Session | None:
        return self.sessions.check_session(token, kind)

    def verify_session(self, token: str | None, kind: str = "s") -> tuple[Account, str] | None:
        return self.sessions.verify_session(token, kind)

    def session_revoked(self, sid: str | None) -> bool:
        return self.sessions.session_revoked(sid)

    def redeem_ticket(self, ticket: str | None, bind: str | None = None) -> tuple[str, str] | None:
        return self.sessions.redeem_ticket(ticket, bind)

    def end_session(self, sid: str | None) -> bool:
        return self.sessions.end_session(sid)

    # ---- screen tokens
    def screen_tokens(self) -> list[dict]:
        return self.screens.list()

    def issue_screen_token(self, name, township=None, by=None, known_townships=None) -> str:
        return self.screens.issue(name, township, by, known_townships)

    def revoke_screen_token(self, name: str, by: str | None = None) -> None:
        self.screens.revoke(name, by)

    def screen_grant(self, name: str | None, secret: str | None) -> ScreenGrant | None:
        return self.screens.grant(name, secret)

    def screen_township(self, name: str) -> tuple[bool, str | None]:
        return self.screens.township(name)

    # ---- audit (dashboard.auth.audit, for this state folder)
    def audit(self, event: str, user: str | None, **details) -> None:
        audit.write(self.root, event, user, **details)

    def audit_quietly(self, event: str, user: str | None, **details) -> None:
        audit.write_quietly(self.root, event, user, **details)

    def audited(self, event: str, user: str | None, **details):
        return audit.audited(self.root, event, user, **details)

    def audit_read(self, limit: int = 500) -> tuple[list[dict], int]:
        return audit.read(self.root, limit)

    def audit_log(self, limit: int = 500) -> list[dict]:
        return audit.read(self.root, limit)[0]
