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


def test_replay_mode_follows_the_clock_and_writes_nothing(
        qtbot, small_dataset_master: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("COCKPIT_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("COCKPIT_DATA_HOME", str(tmp_path / "home"))
    from cockpit.store_location import default_store_path
    from cockpit.window import REPLAY_WATERMARK, MainWindow

    cat = open_catalog(small_dataset_master, tmp_path / "catalogs")
    _first, last = data_time_range(cat.con)
    end = last.replace(minute=0, second=0, microsecond=0)
    start = end - timedelta(hours=12)
    win = MainWindow(cat, mode="drill", replay=(start, end))
    qtbot.addWidget(win)
    win.resize(1600, 900)
    win.show()
    with qtbot.waitSignal(win.sig_all_drawn, timeout=90_000):
        win.start()
    assert win.drill is None and win.store is None
    assert win.dispatch_ctl.read_only_reason() and "只读" in win.dispatch_ctl.read_only_reason()
    assert win.watermark.isVisible() and win.watermark.text == REPLAY_WATERMARK
    assert win.replay_bar.isVisible()
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
    cat.close()
    assert not default_store_path().exists()  # the live store was never created
    assert not (default_store_path().parent / "drills").exists()


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
