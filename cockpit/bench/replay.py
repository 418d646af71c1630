"""`cockpit bench --only replay`: a real MainWindow offscreen in 复盘 (replay) mode.

``replay_frame_ms_p95``: the replay plays at 60× over a window that holds ≥ 10,000 events
(the shortest window ending at the data's end that does). Each frame is one clock tick (the
clock's own interval); the GUI thread's work in a frame is the tick's handlers (header, replay
bar, snapshot/map/vitals/dispatch requests) plus every queued result applied until the next
tick (snapshot → tiles and lists, map layers sent, vitals, dispatch list), measured as the time
spent inside ``processEvents`` — idle waiting is not counted. Frames are sampled in segments
at random places of the window (playing the whole window at 60× would take minutes).

``replay_seek_ms_p95``: seek to a random t, then wait until the snapshot for t is applied, the
vital signs have ticked for t and the map has drawn its layers for a query made at t.
"""

from __future__ import annotations

import os
import random
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cockpit.bench.common import bench_dataset, figure, percentile, qt_app, wait_until

MIN_EVENTS = 10_000


def replay_window(con, min_events: int) -> tuple[datetime, datetime, int]:
    """The shortest whole-hour window ending at the last event that holds ``min_events``."""
    last = con.execute("SELECT max(occurred_at) FROM event").fetchone()[0]
    end = last.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    n, hours = 0, 0
    while n < min_events and hours < 24 * 120:
        hours += 1
        n = con.execute("SELECT count(*) FROM event WHERE occurred_at >= ? AND occurred_at < ?",
                        [end - timedelta(hours=hours), end]).fetchone()[0]
    first = con.execute("SELECT min(occurred_at) FROM event").fetchone()[0]
    start = max(end - timedelta(hours=hours), first)
    last_all = con.execute("SELECT max(ts) FROM vital_reading").fetchone()[0]
    end = min(end, max(last, last_all or last))
    return start, end, int(n)


def _instrumented(app):
    """processEvents that adds its own duration to a counter (the GUI thread's busy time)."""
    busy = [0.0]

    def pump(until: float) -> None:
        while time.perf_counter() < until:
            t0 = time.perf_counter()
            app.processEvents()
            busy[0] += time.perf_counter() - t0
            time.sleep(0.001)

    return busy, pump


def run_replay(catalog, *, segments: int, frames_per_segment: int, seeks: int,
               seed: int = 3) -> dict[str, Any]:
    from cockpit.window import MainWindow

    app = qt_app()
    con = catalog.cursor()
    start, end, n_events = replay_window(con, MIN_EVENTS)
    con.close()
    win = MainWindow(catalog, mode="drill", replay=(start, end))
    win.resize(1920, 1080)
    win.show()
    win.start()
    if not wait_until(app, win.all_drawn, 180):
        raise RuntimeError(
            "the replay window never drew: missing "
            f"{sorted(set(('vitals', 'evaluation', 'events', 'risk', 'map')) - win.drawn)}")
    clock = win.clock
    clock.stop()  # the bench drives the ticks itself, at the clock's own interval
    interval_s = clock._timer.interval() / 1000
    rng = random.Random(seed)
    span = (end - start).total_seconds()
    frames: list[float] = []
    busy, pump = _instrumented(app)
    clock.set_speed(60)
    for _ in range(segments):
        clock.seek(start + timedelta(seconds=rng.uniform(0, span * 0.9)))
        wait_until(app, lambda: not win._snap_busy and not win.vitals.busy(), 30)
        clock.play()
        for _ in range(frames_per_segment):
            frame_end = time.perf_counter() + interval_s
            busy[0] = 0.0
            t0 = time.perf_counter()
            clock.tick(interval_s * 1000)  # the tick's handlers run here, synchronously
            busy[0] += time.perf_counter() - t0
            pump(frame_end)
            frames.append(busy[0] * 1000)
        clock.pause()

    # seeks: wait for the regions to have drawn for t
    state: dict[str, Any] = {"map_for": None, "map_drawn": False}
    orig_query = win.map_ctl._query

    def query(**kw) -> None:
        state["pending_as_of"] = win.clock.now()
        orig_query(**kw)

    orig_answer = win.map_ctl._on_answer

    def answer(result) -> None:
        state["map_for"] = state.get("pending_as_of")
        state["map_drawn"] = False
        orig_answer(result)

    def drawn(msg: dict) -> None:
        if msg.get("layer") == "events":
            state["map_drawn"] = True

    win.map_ctl._query = query
    win.map_ctl._on_answer = answer
    win.map.sig_layer_drawn.connect(drawn)
    seek_ms: list[float] = []
    for _ in range(seeks):
        t = (start + timedelta(seconds=rng.uniform(0, span))).replace(microsecond=0)
        wait_until(app, lambda: not win._snap_busy, 30)
        t0 = time.perf_counter()
        clock.seek(t)

        def done(t=t) -> bool:
            return (win.snapshot is not None and win.snapshot.as_of == t
                    and win.vitals.last is not None and win.vitals.last.as_of == t
                    and state["map_for"] == t and state["map_drawn"])

        if not wait_until(app, done, 30):
            raise RuntimeError(f"the regions did not redraw for {t} within 30 s")
        seek_ms.append((time.perf_counter() - t0) * 1000)
    win.close()
    win.deleteLater()
    app.processEvents()
    return {"window": f"{start:%Y-%m-%dT%H:%M}..{end:%Y-%m-%dT%H:%M}", "events": n_events,
            "frame_interval_ms": interval_s * 1000, "frames": frames, "seeks": seek_ms}


def bench_replay(quick: bool) -> dict[str, Any]:
    from cockpit.datasets.catalog import open_catalog

    scale = "small" if quick else "chongqing"
    home = tempfile.mkdtemp()
    os.environ["COCKPIT_DATA_HOME"] = home  # a replay writes nothing; if it did, here
    with tempfile.TemporaryDirectory() as cache:
        os.environ.setdefault("COCKPIT_CACHE_HOME", cache)
        cat = open_catalog(bench_dataset(scale), Path(cache) / "catalogs")
        out = run_replay(cat, segments=2 if quick else 4,
                         frames_per_segment=15 if quick else 40, seeks=5 if quick else 20)
        cat.close()
    frames, seeks = out["frames"], out["seeks"]
    return {
        "scale": scale, "replay_window": out["window"], "events_in_window": out["events"],
        "speed": 60, "frame_interval_ms": out["frame_interval_ms"], "frames": len(frames),
        "replay_frame_ms_p95": figure([percentile(frames, 0.95)], unit="ms", target=33),
        "replay_frame_ms_p50": figure([percentile(frames, 0.5)], unit="ms"),
        "replay_frame_ms_max": figure([max(frames)], unit="ms"),
        "replay_seek_ms_p95": figure([percentile(seeks, 0.95)], unit="ms", target=200),
        "replay_seek_ms_p50": figure([percentile(seeks, 0.5)], unit="ms"),
        "store_files_written": sorted(str(p.relative_to(home)) for p in Path(home).rglob("*")
                                      if p.is_file()),
    }
