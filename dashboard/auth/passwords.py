"""Password hashing (scrypt) and the throttle of failed logins, `<state>/throttle.json`.

Failed logins are throttled per (account, client address): after FREE_FAILURES failures in
a row the pair waits 2^(n - FREE_FAILURES) seconds, up to MAX_WAIT, before its next try.
There is no lock a stranger can set on someone else's account: the account's owner, from
their own address, is not slowed by a stranger's guesses.
"""

from __future__ import annotations

import hashlib
import sys
import time
from pathlib import Path

from ..i18n import Msg
from . import files
from .errors import AuthError

MIN_PASSWORD = 8
MAX_PASSWORD = 256  # characters of a password
SCRYPT = dict(n=2**14, r=8, p=1, dklen=32)

FREE_FAILURES = 3
MAX_WAIT = 15 * 60
THROTTLE_FORGET = 24 * 3600  # a pair's failures are forgotten a day after its last one
# The file keeps at most THROTTLE_MAX_PAIRS pairs. Past that the weakest go first (the pairs
# whose wait is over, fewest failures first, then the oldest), never a pair still waiting, so
# a flood of invented names cannot clear the attacker's own entry. And one address keeps at
# most THROTTLE_PER_ADDRESS names of its own: the failures of any further name it tries are
# counted together, on one entry for the address (`*` as the name), which slows down the
# flood itself.
THROTTLE_MAX_PAIRS = 5000
THROTTLE_PER_ADDRESS = 20
FILE = "throttle.json"


def hash_password(password: str, salt: bytes) -> str:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, **SCRYPT).hex()


def check_new(password: str) -> None:
    """AuthError unless `password` may be set: long enough, not too long."""
    if len(password or "") < MIN_PASSWORD:
        raise AuthError(Msg("auth.err.password_short", n=MIN_PASSWORD))
    if len(password) > MAX_PASSWORD:
        raise AuthError(Msg("auth.err.password_long", n=MAX_PASSWORD))


def pair(name: str, address: str | None) -> str:
    """The throttle's key of a (name, client address) pair: name, newline, address."""
    return f"{name.replace(chr(10), ' ')}\n{address or '-'}"


def remaining(entry, now: float) -> int:
    """Seconds a throttle entry still makes its pair wait (0: none)."""
    if not isinstance(entry, dict):
        return 0
    return max(0, int(-(-(entry.get("until", 0) - now) // 1)))


def evict(data: dict, now: float, keep: str) -> dict:
    """The throttle file cut back to THROTTLE_MAX_PAIRS: the entries whose wait is over go
    first, those with the fewest failures first, then the oldest; an entry still in force
    never goes (nor `keep`, the one just recorded), even if the file stays over the cap."""
    over = len(data) - THROTTLE_MAX_PAIRS
    spare = sorted(
        (k for k, v in data.items() if k != keep and v.get("until", 0) <= now),
        key=lambda k: (int(data[k].get("n", 0)), data[k].get("last", 0)),
    )
    gone = set(spare[:over])
    return {k: v for k, v in data.items() if k not in gone}


class Throttle:
    """The failed logins of a state folder, per (name, client address)."""

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.path = self.root / FILE

    def wait(self, key: str, now: float | None = None) -> int:
        """Seconds the pair must still wait before its next try (0: it may try now)."""
        entry = files.read_json(self.path, {}).get(key)
        now = time.time() if now is None else now
        return remaining(entry, now)

    def attempt(self, name: str, address: str | None) -> tuple[str, int]:
        """(the throttle entry this attempt counts on, seconds still to wait). One step under
        the lock: the wait is checked and, when there is none, the attempt is recorded as a
        failure at once. A file that cannot be written (a full disk) does not keep the right
        password out: the wait read is still applied."""
        own = pair(name, address)
        try:
            with files.locked(self.root):
                now = time.time()
                data = files.read_json(self.path, {})
                if not isinstance(data, dict):
                    data = {}
                data = {
                    k: v
                    for k, v in data.items()
                    if isinstance(v, dict) and now - v.get("last", 0) < THROTTLE_FORGET
                }
                key = own
                if own not in data:
                    suffix = "\n" + own.split("\n", 1)[1]
                    if (
                        sum(k.endswith(suffix) and not k.startswith("*\n") for k in data)
                        >= THROTTLE_PER_ADDRESS
                    ):
                        key = "*" + suffix  # this address has tried names enough: one entry
                wait = remaining(data.get(key), now)
                if wait:
                    return key, wait
                entry = data.get(key) or {}
                n = int(entry.get("n", 0)) + 1
                hold = 0 if n < FREE_FAILURES else min(MAX_WAIT, 2 ** (n - FREE_FAILURES))
                data[key] = {"n": n, "last": now, "until": now + hold}
                if len(data) > THROTTLE_MAX_PAIRS:
                    data = evict(data, now, keep=key)
                files.write_json(self.path, data)
                return key, 0
        except OSError as e:  # a full disk must not turn a wrong password into an error
            print(f"dashboard: throttle not recorded: {e}", file=sys.stderr)
            return own, self.wait(own)

    def clear(self, key: str) -> None:
        if key not in files.read_json(self.path, {}):
            return  # nothing to reset: nothing is written
        try:
            with files.locked(self.root):
                data = files.read_json(self.path, {})
                if data.pop(key, None) is not None:
                    files.write_json(self.path, data)
        except OSError as e:
            print(f"dashboard: throttle not reset: {e}", file=sys.stderr)
