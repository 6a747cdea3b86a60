"""The refusals of the auth package, as the user reads them."""

from __future__ import annotations

from ..i18n import Explained, Msg


class AuthError(Explained, Exception):
    """A refusal to show the user: `message` (a label, auth.err.*) says why, as `zh`, `en`."""

    def __init__(self, message: Msg):
        super().__init__(message.en)
        self.message = message


class Throttled(AuthError):
    """Too many failed logins from this address for this name: wait `seconds`."""

    def __init__(self, seconds: int):
        super().__init__(Msg("auth.err.throttled", wait=duration(seconds)))
        self.seconds = seconds


def duration(seconds: int) -> Msg:
    if seconds < 60:
        return Msg("auth.wait_seconds", n=seconds)
    return Msg("auth.wait_minutes", n=-(-seconds // 60))
