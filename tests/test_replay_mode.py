"""复盘 (replay of the past): the window over a past period, read-only, following the clock."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from cockpit.datasets.catalog import open_catalog
from cockpit.datasets.summary import data_time_range
from cockpit.datasets.vitals import alarm_event_id

from cockpit.window import parse_replay_window

T0, T1 = datetime(2026, 11, 1), datetime(2026, 11, 20, 23, 59)


def test_parse_replay_window_accepts_a_window_inside_the_data() -> None:
    assert parse_replay_window("2026-11-10T08:00..2026-11-10T20:00", T0, T1) == (
        datetime(2026, 11, 10, 8), datetime(2026, 11, 10, 20))


@pytest.mark.parametrize(("text", "words"), [
    ("2026-11-10T08:00", "FROM..TO"),
    ("2026-11-10T08:00..", "FROM..TO"),
    ("yesterday..today", "not an ISO time"),
    ("2026-11-10T20:00..2026-11-10T08:00", "before TO"),
    ("2026-11-10T08:00..2026-11-10T08:00", "before TO"),
    ("2026-10-01T08:00..2026-11-10T08:00", "outside the data"),
    ("2026-11-10T08:00..2026-12-10T08:00", "outside the data"),
    ("2026-11-10T08:00+08:00..2026-11-10T09:00+08:00", "without a zone"),
])
def test_parse_replay_window_says_what_is_wrong(text: str, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        parse_replay_window(text, T0, T1)


def _replay_window(qtbot, data: Path, tmp_path: Path, monkeypatch, hours: int):
    """A 复盘 window over the last ``hours`` whole hours of ``data``, every region drawn."""
    monkeypatch.setenv("COCKPIT_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("COCKPIT_DATA_HOME", str(tmp_path / "home"))
    from cockpit.window import MainWindow

    cat = open_catalog(data, tmp_path / "catalogs")
    _first, last = data_time_range(cat.con)
    end = last.replace(minute=0, second=0, microsecond=0)
    start = end - timedelta(hours=hours)
    win = MainWindow(cat, mode="drill", replay=(start, end))
    qtbot.addWidget(win)
    win.resize(1600, 900)
    win.show()
    with qtbot.waitSignal(win.sig_all_drawn, timeout=90_000):
        win.start()
    return cat, win, start, end


def test_replay_mode_follows_the_clock_and_writes_nothing(
        qtbot, small_dataset_master: Path, tmp_path: Path, monkeypatch) -> None:
    from cockpit.controllers.store import default_store_path, drills_dir
    from cockpit.window import REPLAY_WATERMARK

    cat, win, start, end = _replay_window(qtbot, small_dataset_master, tmp_path, monkeypatch, 12)
    assert win.drill is None and win.store is None
    assert win.dispatch_ctl.read_only_reason() and "只读" in win.dispatch_ctl.read_only_reason()
    assert win.watermark.isVisible() and win.watermark.text == REPLAY_WATERMARK
    assert win.replay_bar.isVisible() and win.replay_bar.caption.text().startswith("复盘")
    assert win.clock.now() == start
    assert win.snapshot.as_of == start
    # seek: the snapshot (events, tiles) and the vital signs follow the clock
    t = start + timedelta(hours=6)
    win.clock.seek(t)
    qtbot.waitUntil(lambda: win.snapshot.as_of == t and not win._snap_busy, timeout=30_000)
    qtbot.waitUntil(lambda: win.vitals.last is not None and win.vitals.last.as_of == t,
                    timeout=30_000)
    assert start <= win.clock.now() <= end
    # play at 60×: time moves, inside the window
    win.clock.set_speed(60)
    win.clock.play()
    qtbot.waitUntil(lambda: win.clock.now() > t, timeout=10_000)
    assert start <= win.clock.now() <= end
    win.set_mode("live")  # refused: a replay stays a replay
    assert win.mode == "drill"
    assert win.finish_drill() is None  # no drill session, nothing to score
    win.close()
    live = default_store_path(cat.data_dir)
    cat.close()
    assert not live.exists()  # the live store was never created
    assert not drills_dir().exists()


def test_cli_refuses_a_bad_replay_window(small_dataset_master: Path, tmp_path: Path) -> None:
    env = dict(os.environ, COCKPIT_CACHE_HOME=str(tmp_path / "cache"),
               COCKPIT_DATA_HOME=str(tmp_path / "home"), QT_QPA_PLATFORM="offscreen")
    r = subprocess.run([sys.executable, "-m", "cockpit", "--data", str(small_dataset_master),
                        "--mode", "drill", "--replay", "2020-01-01T08:00..2020-01-01T09:00",
                        "--screenshot", str(tmp_path / "s.png")],
                       capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 2, r.stderr
    assert "outside the data" in r.stderr
    assert not (tmp_path / "s.png").exists()


def _short_alarm(cat, lo: datetime, hi: datetime):
    """(indicator id, excursion) of an alarm that ended between ``lo`` and ``hi``."""
    import numpy as np
    from cockpit.datasets import vitals as v

    con = cat.cursor()
    try:
        mon = v.VitalsMonitor()
        signs = mon.prepare(con)
        rd = mon.readings(con, lo - v.WINDOW - v.STALE, hi)
        runs = v.excursions_in(rd, np.arange(len(signs)), lo, hi)
    finally:
        con.close()
    for i, rs in runs.items():
        for r in rs:
            if (r.level == "alarm" and r.left_at is not None and r.left_at > lo
                    and r.left_at + timedelta(minutes=30) < hi):
                return signs.ids[i], r
    raise AssertionError("the small dataset has no short alarm excursion to replay")


def _as_of_state(win) -> dict:
    """What the regions show as of the clock, in comparable form."""
    import orjson
    ev = orjson.loads(win._events_sent[-1])
    vit = win.vitals.last
    return {
        "t": win.clock.now(),
        "snapshot": win.snapshot.as_of,
        "vitals_as_of": vit.as_of,
        "vitals_state": vit.status.state.tolist(),
        "open_alarms": sorted(e["event_id"] for e in win.vitals.alarm_events()),
        "event_list": sorted((r["event_id"], r["state"]) for r in win.dispatch_ctl.event_rows),
        "map_events": sorted(zip(ev["id"], ev["state"], ev["fresh"])),
    }


def _settled(win, t) -> bool:
    return (win.snapshot is not None and win.snapshot.as_of == t and not win._snap_busy
            and win.vitals.last is not None and win.vitals.last.as_of == t
            and not win.vitals.busy() and not win.dispatch_ctl._busy
            and win.dispatch_ctl.event_rows is not None and win._dispatch_as_of == t
            and not win.map_ctl._running and win._events_as_of == t)


def test_as_of_state_equals_a_replay_stepped_to_the_same_time(
        qtbot, small_dataset_master: Path, tmp_path: Path, monkeypatch) -> None:
    """Seeking straight to t shows what playing the replay up to t shows: the vital signs,
    the open alarms, the event list with its states, the map's events."""
    cat, win, start, end = _replay_window(qtbot, small_dataset_master, tmp_path, monkeypatch, 30)
    win.clock.stop()  # the test drives the clock
    # record the time each region last answered for, and the map's events as sent
    win._events_sent, win._events_as_of, win._dispatch_as_of = [], None, None
    send = win.map.send_layer

    kinds: list[str] = []

    def record(text: str) -> None:
        kinds.append(text[:40])
        if '"layer":"events"' in text:
            win._events_sent.append(text)
            win._events_as_of = win.map_ctl.answered_as_of
        send(text)

    win.map.send_layer = record
    win.dispatch_ctl.sig_ticked.connect(
        lambda: setattr(win, "_dispatch_as_of", win.dispatch_ctl.as_of))
    # t: 20 minutes after an alarm excursion ended, so that the played replay raised and
    # cleared it on the way
    exc = _short_alarm(cat, start + timedelta(hours=6), end - timedelta(hours=1))
    t = (exc[1].left_at + timedelta(minutes=20)).replace(second=0, microsecond=0)
    # 1. straight to t
    win.clock.seek(t)
    qtbot.waitUntil(lambda: _settled(win, t), timeout=30_000)
    direct = _as_of_state(win)
    # 2. from 90 minutes before, played at 60× in one-second ticks, then paused at t
    win.clock.seek(t - timedelta(minutes=90))
    qtbot.waitUntil(lambda: _settled(win, t - timedelta(minutes=90)), timeout=30_000)
    win.clock.set_speed(60)
    win.clock.play()
    kinds.clear()
    seq0 = win.map_ctl.seq
    while win.clock.now() + timedelta(minutes=1) < t:
        win.clock.tick(1000)  # one minute of the replay
        qtbot.wait(30)
    # while playing, only what moves with the clock is sent to the map again (the other
    # layers only when the page reported a new viewport meanwhile)
    assert any('"layer":"events"' in k for k in kinds)
    assert sum('"layer":"risk_points"' in k for k in kinds) <= win.map_ctl.seq - seq0
    win.clock.pause()
    win.clock.step(t - win.clock.now())  # the last part of a minute, then paused
    qtbot.waitUntil(lambda: _settled(win, t), timeout=30_000)
    stepped = _as_of_state(win)
    assert stepped["vitals_as_of"] == direct["vitals_as_of"] == t
    assert stepped["vitals_state"] == direct["vitals_state"]
    assert stepped["open_alarms"] == direct["open_alarms"]
    assert stepped["event_list"] == direct["event_list"]
    assert stepped["map_events"] == direct["map_events"]
    assert direct["map_events"] and direct["event_list"]
    alarm_id = str(alarm_event_id(exc[0], exc[1].entered_at))
    assert alarm_id in {e for e, _s in stepped["event_list"]}
    win.close()
    cat.close()
