"""Meeting screens (会议大屏): what each screen shows, set from the presenter page. No streamlit.

A screen is a browser on `?kiosk=1` (views/kiosk.py). Its URL gives the first view
(`township=`, `lang=`, `interval=`, `slides=`, `screen=`); the presenter page
(views/presenter.py) then steers it through one small file per screen:

    <store root>/screens/<name>.json   {"township", "paused", "slide", "updated_at", "by"}

written whole and swapped in with os.replace, so a screen never reads half a file. While the
file exists its township overrides the URL's: a township code, "" for the whole county, or
null to keep the URL's (a pause or a jump says nothing about the township). Deleting the
file hands the screen back to its URL.
The kiosk reads the file on every tick (`Rotation.step`), so a change shows within one tick.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import re
import secrets
from dataclasses import dataclass, replace
from pathlib import Path

from . import locks

# The slides in their default order, and the defaults of the kiosk's URL parameters.
SLIDES = ("overview", "grids", "branches", "checkpoints", "training", "submissions", "ledger")
DEFAULT_SCREEN = "main"
COUNTY = ""  # the state's township for the whole county
DEFAULT_INTERVAL = 20  # seconds each slide stays
MIN_INTERVAL, MAX_INTERVAL = 3, 600
POLL = 5  # at most this many seconds between ticks: how soon a screen
# follows the presenter and picks up a newly published version
NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


# ---------------------------------------------------------------- URL parameters
def parse_interval(text: str | None) -> tuple[int, bool]:
    """(seconds, ok): the URL's `interval`, clamped to MIN..MAX; the default when missing or bad."""
    if text is None or text == "":
        return DEFAULT_INTERVAL, True
    try:
        value = float(text)
    except ValueError:
        return DEFAULT_INTERVAL, False
    if not math.isfinite(value):
        return DEFAULT_INTERVAL, False
    clamped = int(min(MAX_INTERVAL, max(MIN_INTERVAL, round(value))))
    return clamped, clamped == value


def parse_slides(text: str | None) -> tuple[tuple[str, ...], list[str]]:
    """(slides, unknown names): the URL's comma-separated `slides`, in its order, each once;
    all slides when missing or when no name is known."""
    if not text:
        return SLIDES, []
    names = [n.strip() for n in text.split(",") if n.strip()]
    known = tuple(dict.fromkeys(n for n in names if n in SLIDES))
    unknown = [n for n in names if n not in SLIDES]
    return (known or SLIDES), unknown


def parse_screen(text: str | None) -> tuple[str, bool]:
    """(name, ok): the URL's `screen`; "main" when missing or not a safe file name."""
    if not text:
        return DEFAULT_SCREEN, True
    return (text, True) if NAME_RE.match(text) else (DEFAULT_SCREEN, False)


def slides_with_data(slides: tuple[str, ...], summary: dict) -> tuple[str, ...]:
    """The slides that have something to show for a scope (metrics.summary()): a township
    without grids, checkpoints, border branches or training this year skips that slide."""
    has = {
        "overview": True,
        "grids": bool(summary["grids"]["total"]),
        "branches": bool(summary["branches"]["total"]),
        "checkpoints": bool(summary["checkpoints"]["total"]),
        "training": bool(summary["training"]["sessions"]),
        "submissions": True,
        "ledger": True,
    }
    return tuple(s for s in slides if has[s])


def tick_seconds(interval: float) -> float:
    """Seconds between two ticks: at most POLL, and dividing `interval` evenly, so that a slide
    changes on a tick rather than up to a tick late."""
    return interval / math.ceil(interval / POLL)


# ---------------------------------------------------------------- the presenter's file
@dataclass(frozen=True)
class ScreenState:
    township: str | None  # a township code, COUNTY, or None: the screen's URL decides
    paused: bool = False
    slide: str | None = None  # the slide to jump to; None = stay where the screen is
    updated_at: str = ""  # ISO time of the change; a new value is a new command
    by: str | None = None

    def as_json(self) -> dict:
        return {
            "township": self.township,
            "paused": self.paused,
            "slide": self.slide,
            "updated_at": self.updated_at,
            "by": self.by,
        }


def _now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="microseconds")


class Screens:
    """The screens' files under one store root."""

    def __init__(self, root: str | os.PathLike):
        self.dir = Path(root) / "screens"

    def path(self, name: str) -> Path:
        if not NAME_RE.match(name or ""):
            raise ValueError(f"bad screen name {name!r}")
        return self.dir / f"{name}.json"

    def read(self, name: str) -> ScreenState | None:
        """The screen's state; None when nobody steers it (no file, or a file that is not a
        state, which is then ignored rather than shown as an error on the big screen)."""
        try:
            data = json.loads(self.path(name).read_text("utf-8"))
            township = data.get("township")
            slide = data.get("slide")
            return ScreenState(
                township=township if isinstance(township, str) else None,
                paused=data.get("paused") is True,
                slide=slide if slide in SLIDES else None,
                updated_at=str(data.get("updated_at") or ""),
                by=data.get("by") if isinstance(data.get("by"), str) else None,
            )
        except (FileNotFoundError, ValueError, AttributeError, TypeError):
            return None

    def write(self, name: str, state: ScreenState) -> ScreenState:
        """Replace the screen's state atomically; stamps `updated_at`. Returns what was written."""
        state = replace(state, updated_at=_now(), slide=state.slide if state.slide in SLIDES else None)
        path = self.path(name)
        self.dir.mkdir(parents=True, exist_ok=True)
        # Presenters in one Streamlit process are threads: the pid alone does not make it unique.
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(state.as_json(), f, ensure_ascii=False, indent=1)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        return state

    def update(self, name: str, by: str | None = None, **changes) -> ScreenState:
        """Change some fields of the screen's state (township, paused, slide); a change that
        is not a jump leaves the screen on the slide it shows (slide=None)."""
        with self._locked():  # two presenters at once: neither change is lost
            old = self.read(name) or ScreenState(township=None)
            return self.write(name, replace(old, **{"slide": None, "by": by, **changes}))

    def _locked(self):
        return locks.exclusive(self.dir / ".lock")

    def clear(self, name: str) -> None:
        """Hand the screen back to its URL."""
        self.path(name).unlink(missing_ok=True)


def township_shown(state: ScreenState | None, url_township: str | None) -> str | None:
    """The township a screen shows (None = the county): the presenter's while it says one,
    else the URL's."""
    if state is None or state.township is None:
        return url_township or None
    return state.township or None


def may_steer(user, state: ScreenState | None, token: tuple[bool, str | None]) -> bool:
    """Whether `user` (a dashboard.auth.User; None in the open demo mode) may steer a screen
    whose presenter state is `state` and whose screen token is `token` (has one, its
    township). Leaders and administrators steer every screen. A township-bound user steers
    only a screen known to show their township: one whose token is bound to it, or, without
    a token, one a presenter already set to it. The county's screens, and screens whose
    township only their own link knows, are not theirs."""
    if user is None or not user.township_bound:
        return True
    has_token, township = token
    if has_token:
        return township == user.township
    return state is not None and state.township == user.township


# ---------------------------------------------------------------- the kiosk's rotation
@dataclass(frozen=True)
class Rotation:
    """Which slide a kiosk shows, since when, and the last presenter command it followed."""

    slide: str | None = None
    shown_since: float = 0.0
    seen: str | None = None

    def step(
        self, slides: tuple[str, ...], state: ScreenState | None, now: float, interval: float
    ) -> Rotation:
        """The rotation at time `now` (seconds): a new presenter command is followed first
        (a jump, or a restart of the slide's time after pause/resume/township); else the
        next slide once the current one has been shown `interval` seconds, unless paused.
        A slide no longer in `slides` (a township without grids) gives way to the next."""
        if not slides:
            return replace(self, slide=None, shown_since=now)
        # A tick comes a whole tick after the slide was drawn, give or take the timer's jitter.
        tolerance = min(0.5, tick_seconds(interval) / 4)
        rot = self
        if state is not None and state.updated_at != self.seen:
            rot = replace(rot, seen=state.updated_at, shown_since=now)
            if state.slide in slides:
                return replace(rot, slide=state.slide)
        if rot.slide not in slides:
            return replace(rot, slide=_following(rot.slide, slides), shown_since=now)
        paused = state is not None and state.paused
        if not paused and now - rot.shown_since >= interval - tolerance:
            return replace(rot, slide=slides[(slides.index(rot.slide) + 1) % len(slides)], shown_since=now)
        return rot

    def position(self, slides: tuple[str, ...]) -> tuple[int, int]:
        """(1-based number of the slide shown, number of slides), e.g. (2, 5)."""
        return (slides.index(self.slide) + 1 if self.slide in slides else 0), len(slides)


def _following(slide: str | None, slides: tuple[str, ...]) -> str:
    """The slide of `slides` that comes after `slide` in the default order (the first when
    `slide` is None)."""
    if slide in SLIDES:
        after = SLIDES[SLIDES.index(slide) + 1 :]
        for name in after:
            if name in slides:
                return name
    return slides[0]
