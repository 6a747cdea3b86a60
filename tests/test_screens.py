"""The meeting screen's logic (dashboard.screens): the link's parameters, the presenter's file,
and the rotation a screen follows tick by tick."""

from __future__ import annotations

import json
import threading

import pytest

from dashboard import screens
from dashboard.screens import Rotation, Screens, ScreenState

ALL = screens.SLIDES


# ------------------------------------------------------------------ the link
@pytest.mark.parametrize(
    "text, expected",
    [
        (None, (screens.DEFAULT_INTERVAL, True)),
        ("", (screens.DEFAULT_INTERVAL, True)),
        ("20", (20, True)),
        ("3", (3, True)),
        ("1", (screens.MIN_INTERVAL, False)),  # too fast to read: clamped, and said so
        ("99999", (screens.MAX_INTERVAL, False)),
        ("7.5", (8, False)),
        ("abc", (screens.DEFAULT_INTERVAL, False)),
        ("nan", (screens.DEFAULT_INTERVAL, False)),
        ("inf", (screens.DEFAULT_INTERVAL, False)),
    ],
)
def test_interval_from_the_link(text, expected):
    assert screens.parse_interval(text) == expected


@pytest.mark.parametrize(
    "text, slides, unknown",
    [
        (None, ALL, []),
        ("", ALL, []),
        ("branches,overview", ("branches", "overview"), []),
        (" training , training,grids ", ("training", "grids"), []),
        ("overview,maps", ("overview",), ["maps"]),
        ("nothing,known", ALL, ["nothing", "known"]),  # no known slide: all of them
    ],
)
def test_slides_from_the_link(text, slides, unknown):
    assert screens.parse_slides(text) == (slides, unknown)


@pytest.mark.parametrize(
    "text, expected",
    [
        (None, ("main", True)),
        ("", ("main", True)),
        ("hall-2", ("hall-2", True)),
        ("../users", ("main", False)),
        ("a/b", ("main", False)),
        ("x" * 33, ("main", False)),
    ],
)
def test_screen_name_is_a_safe_file_name(text, expected):
    assert screens.parse_screen(text) == expected


@pytest.mark.parametrize("interval, tick", [(3, 3), (5, 5), (20, 5), (7, 3.5), (600, 5)])
def test_ticks_divide_the_interval_and_are_at_most_poll(interval, tick):
    assert screens.tick_seconds(interval) == tick


def test_a_scope_without_grids_or_checkpoints_skips_those_slides(demo_store):
    from dashboard import metrics

    con = demo_store.connect()
    county, mengma = metrics.summary(con), metrics.summary(con, metrics.Scope(township="T02"))
    con.close()
    assert screens.slides_with_data(ALL, county) == ALL
    # 勐马镇 has border branches and training but no community grids and no checkpoints
    assert screens.slides_with_data(ALL, mengma) == (
        "overview",
        "branches",
        "training",
        "submissions",
        "ledger",
    )
    assert screens.slides_with_data(("training", "grids"), mengma) == ("training",)


# ------------------------------------------------------------------ the presenter's file
def test_no_file_means_nobody_steers(tmp_path):
    assert Screens(tmp_path).read("main") is None


def test_write_read_update_clear(tmp_path):
    s = Screens(tmp_path)
    first = s.update("main", by="组织部", paused=True)
    assert first == s.read("main")
    assert (first.township, first.paused, first.slide, first.by) == (None, True, None, "组织部")
    assert json.loads((tmp_path / "screens" / "main.json").read_text("utf-8")) == {
        "township": None,
        "paused": True,
        "slide": None,
        "updated_at": first.updated_at,
        "by": "组织部",
    }

    jump = s.update("main", slide="branches")
    assert (jump.paused, jump.slide) == (True, "branches")  # a jump keeps the pause
    assert jump.updated_at != first.updated_at
    moved = s.update("main", township="T06")
    assert (moved.township, moved.paused, moved.slide) == ("T06", True, None)  # no re-jump
    s.update("main", township=screens.COUNTY)
    assert s.read("main").township == ""

    assert s.read("hall") is None  # screens are independent
    s.clear("main")
    assert s.read("main") is None
    s.clear("main")  # clearing twice is fine
    assert [p.name for p in (tmp_path / "screens").iterdir() if p.name != ".lock"] == []


def test_a_broken_file_is_ignored_not_shown(tmp_path):
    (tmp_path / "screens").mkdir()
    path = tmp_path / "screens" / "main.json"
    for text in ("{not json", "[1, 2]", '"text"', ""):
        path.write_text(text, "utf-8")
        assert Screens(tmp_path).read("main") is None
    path.write_text(json.dumps({"township": 5, "paused": "yes", "slide": "nowhere"}), "utf-8")
    assert Screens(tmp_path).read("main") == ScreenState(township=None, paused=False, slide=None)


def test_a_bad_name_never_reaches_the_file_system(tmp_path):
    with pytest.raises(ValueError):
        Screens(tmp_path).write("../../etc/x", ScreenState(township=None))
    assert not (tmp_path / "screens").exists()


def test_writers_in_threads_lose_nothing_and_leave_no_temp_files(tmp_path):
    s = Screens(tmp_path)
    s.update("main", township="T01")

    def pause():
        s.update("main", paused=True)

    def jump():
        s.update("main", slide="training")

    threads = [threading.Thread(target=f) for f in (pause, jump) * 10]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    state = s.read("main")
    assert state.paused and state.township == "T01"
    assert sorted(p.name for p in (tmp_path / "screens").iterdir()) == [".lock", "main.json"]


@pytest.mark.parametrize(
    "state, url, shown",
    [
        (None, None, None),
        (None, "T01", "T01"),
        (ScreenState(township=None), "T01", "T01"),  # a pause says nothing of the township
        (ScreenState(township="T06"), "T01", "T06"),
        (ScreenState(township=""), "T01", None),  # the presenter chose the county
    ],
)
def test_the_presenter_overrides_the_links_township(state, url, shown):
    assert screens.township_shown(state, url) == shown


# ------------------------------------------------------------------ the rotation
def run(rotation: Rotation, ticks, slides=ALL, state=None, interval=20):
    """The slide shown at each of the given times."""
    shown = []
    for now in ticks:
        rotation = rotation.step(slides, state, now, interval)
        shown.append(rotation.slide)
    return rotation, shown


def test_rotates_every_interval_and_wraps():
    _, shown = run(Rotation(), [0, 5, 10, 15, 20, 40, 60, 80, 100, 120])
    assert shown == ["overview"] * 4 + [
        "grids",
        "branches",
        "checkpoints",
        "training",
        "submissions",
        "ledger",
    ]


def test_a_tick_a_little_early_still_turns_the_slide():
    _, shown = run(Rotation(), [0, 19.6, 39.2, 58], interval=20)  # tolerance 0.5 s
    assert shown == ["overview", "grids", "branches", "branches"]


def test_position_counts_from_one():
    rotation, _ = run(Rotation(), [0, 20])
    assert rotation.position(ALL) == (2, 7)
    assert rotation.position(("grids",)) == (1, 1)
    assert Rotation().position(()) == (0, 0)


def test_paused_stays_and_resume_gives_the_slide_a_full_interval():
    paused = ScreenState(township=None, paused=True, updated_at="t1")
    rotation, shown = run(Rotation(), [0, 20, 40, 60], state=paused)
    assert shown == ["overview"] * 4
    resumed = ScreenState(township=None, paused=False, updated_at="t2")
    rotation, shown = run(rotation, [65, 80, 85], state=resumed)
    assert shown == ["overview", "overview", "grids"]


def test_a_jump_is_followed_once_then_rotation_goes_on():
    jump = ScreenState(township=None, slide="checkpoints", updated_at="t1")
    rotation, shown = run(Rotation(), [0, 5, 25, 45], state=jump)
    assert shown == ["checkpoints", "checkpoints", "training", "submissions"]


def test_a_jump_while_paused_shows_that_slide_and_stays():
    jump = ScreenState(township=None, paused=True, slide="branches", updated_at="t1")
    _, shown = run(Rotation(slide="grids", shown_since=0), [3, 30, 300], state=jump)
    assert shown == ["branches"] * 3


def test_a_jump_to_a_slide_the_screen_lacks_is_ignored():
    jump = ScreenState(township=None, slide="training", updated_at="t1")
    _, shown = run(Rotation(), [0, 5], slides=("overview", "branches"), state=jump)
    assert shown == ["overview", "overview"]


def test_a_slide_that_disappears_gives_way_to_the_next():
    rotation = Rotation(slide="grids", shown_since=0)
    # the presenter switched to a township without grids
    after = rotation.step(("overview", "branches", "training"), None, 5, 20)
    assert after.slide == "branches" and after.shown_since == 5


def test_no_slides_no_slide():
    assert Rotation().step((), None, 0, 20).slide is None
