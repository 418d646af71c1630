"""Benchmarks of group ``vitals``: the vital-sign engine, the panel and the GUI during ticks.

``bench_vitals(quick)`` returns figures as :func:`cockpit.bench.figure` makes them, plus
``p95`` (the figures named ``*_p95`` are met on their p95):

- ``vitals_eval_ms_p95`` (target 50): the status of every vital sign as of ``t`` from the
  readings the controller keeps in memory (``evaluate``), ``t`` moving 5 minutes a tick;
- ``vitals_tick_ms_p95``: a whole tick's background job (``VitalsMonitor.update`` — status,
  alarm transitions, sparklines — and the panel's plain data), reloads of the cached readings
  included;
- ``vitals_eval_cold_ms_p95``: the status as of a random ``t`` straight from the catalog
  (``status_as_of``: reads the readings of the window first), as after a seek;
- ``vitals_panel_refresh_ms_p95`` (target 100): the panel (480×700, offscreen) given a
  tick's data and repainted completely (``grab``); ``vitals_table_refresh_ms_p95`` the same
  with the indicator table of all indicators showing;
- ``gui_block_ms_max`` (target 50): the longest the GUI thread was busy while the controller
  ticked (a 5 ms heartbeat timer's longest late arrival), ticks every 100 ms with the clock
  moving 5 minutes a tick, the first tick (signs, simulator, cache) included.

Dataset: ``chongqing`` (4,476 vital signs × 7 days at 5 minutes); ``quick``: ``small``.
Run alone: ``python -m cockpit.bench.vitals [--quick] [--json PATH]``.
"""

from __future__ import annotations

import os
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from cockpit.bench.common import bench_dataset, figure

__all__ = ["bench_vitals"]


def _p95_figure(runs_ms: list[float], target: float | None = None) -> dict[str, Any]:
    out = figure(runs_ms, unit="ms")
    p95 = float(np.percentile(runs_ms, 95))
    out["p95"] = round(p95, 3)
    out["max"] = round(max(runs_ms), 3)
    if target is not None:
        out["target"] = target
        out["met"] = p95 <= target
    return out


def _ms(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000


def bench_vitals(quick: bool) -> dict[str, Any]:
    from cockpit.datasets import vitals as V
    from cockpit.datasets.catalog import open_catalog

    scale = "small" if quick else "chongqing"
    data = bench_dataset(scale)
    res: dict[str, Any] = {"scale": scale}
    with tempfile.TemporaryDirectory() as cache:
        cat = open_catalog(data, Path(cache))
        con = cat.cursor()
        lo, hi = con.execute("SELECT min(ts), max(ts) FROM vital_reading").fetchone()
        res["vital_signs"] = int(con.execute("SELECT count(*) FROM vital_sign").fetchone()[0])
        res["readings"] = int(con.execute("SELECT count(*) FROM vital_reading").fetchone()[0])
        start = max(lo + timedelta(hours=10), hi - timedelta(hours=30))
        ticks = [start + k * timedelta(minutes=5) for k in range(72 if quick else 144)]

        # the status of all signs from the controller's cached readings
        mon = V.VitalsMonitor()
        mon.update(con, ticks[0])
        slab = mon.readings(con, ticks[0] - timedelta(hours=5), ticks[-1])
        for t in ticks[:3]:
            V.evaluate(slab, t)  # warm
        res["vitals_eval_ms_p95"] = _p95_figure([_ms(lambda t=t: V.evaluate(slab, t))
                                                 for t in ticks], target=50)

        # a whole tick, reloads included
        mon = V.VitalsMonitor()
        tick_runs = [_ms(lambda t=t: V.panel_data(mon.update(con, t))) for t in ticks]
        res["vitals_first_tick_ms"] = round(tick_runs[0], 1)
        res["vitals_tick_ms_p95"] = _p95_figure(tick_runs[1:])
        res["vitals_slab_loads"] = mon.slab_loads

        # cold: straight from the catalog at random moments
        rng = np.random.default_rng(1)
        span = (hi - lo).total_seconds() - 4 * 3600
        signs = mon.signs
        cold = [_ms(lambda s=s: V.status_as_of(con, lo + timedelta(seconds=4 * 3600 + s), signs))
                for s in rng.uniform(0, span, 10 if quick else 20)]
        res["vitals_eval_cold_ms_p95"] = _p95_figure(cold)

        res.update(_bench_gui(cat, con, ticks, quick))
        con.close()
        cat.close()
    return res


def _bench_gui(cat, con, ticks: list[datetime], quick: bool) -> dict[str, Any]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from cockpit.controllers.vitals import VitalsController
    from cockpit.datasets import vitals as V
    from cockpit.widgets import theme
    from cockpit.widgets.vitals_panel import VitalsPanel

    app = QApplication.instance() or QApplication(["bench"])
    theme.apply(app)
    out: dict[str, Any] = {}

    # the panel repainted after a tick
    mon = V.VitalsMonitor()
    payloads = [V.panel_data(mon.update(con, t)) for t in ticks[:30]]
    panel = VitalsPanel()
    panel.resize(480, 700)
    panel.show()
    app.processEvents()
    panel.set_status(payloads[0])
    panel.grab()

    def refreshes() -> list[float]:
        # the whole redraw, the domain charts included (the panel spreads them over a
        # timer in the app; here they are drawn at once and counted)
        runs = []
        for d in payloads[1:]:
            t0 = time.perf_counter()
            panel.set_status(d)
            panel.flush_sparks()
            panel.grab()
            runs.append((time.perf_counter() - t0) * 1000)
        return runs

    out["vitals_panel_refresh_ms_p95"] = _p95_figure(refreshes(), target=100)
    panel.show_domain(None)
    app.processEvents()
    out["vitals_table_refresh_ms_p95"] = _p95_figure(refreshes(), target=100)
    panel.close()

    # the GUI thread while the controller ticks
    panel = VitalsPanel()
    panel.resize(480, 700)
    panel.show()
    moments = iter(ticks * 3)
    state = {"t": ticks[0]}

    def clock() -> datetime:
        state["t"] = next(moments, state["t"])
        return state["t"]

    ctl = VitalsController(cat, clock, panel, interval_ms=100, simulate=True)
    beat = QElapsedTimer()
    gaps: list[float] = []
    heartbeat = QTimer()
    heartbeat.setInterval(5)

    def on_beat() -> None:
        if beat.isValid():
            gaps.append(max(0.0, beat.nsecsElapsed() / 1e6 - 5.0))
        beat.restart()

    heartbeat.timeout.connect(on_beat)
    n_ticks = 25 if quick else 60
    done = {"n": 0}
    loop = QEventLoop()

    def on_tick(_info: dict) -> None:
        done["n"] += 1
        if done["n"] >= n_ticks:
            loop.quit()

    ctl.sig_ticked.connect(on_tick)
    QTimer.singleShot(120_000, loop.quit)
    heartbeat.start()
    ctl.start()
    loop.exec()
    ctl.close()
    heartbeat.stop()
    out["gui_block_ms_max"] = {**figure([max(gaps)] if gaps else [0.0], unit="ms", target=50),
                               "p99": round(float(np.percentile(gaps, 99)), 2) if gaps else 0,
                               "ticks": done["n"],
                               "apply_ms_max": round(max(ctl.gui_ms), 2) if ctl.gui_ms else 0}
    panel.close()
    app.processEvents()
    return out


def main(argv: list[str] | None = None) -> int:
    import argparse
    import json

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--json", type=Path)
    a = ap.parse_args(argv)
    res = bench_vitals(a.quick)
    text = json.dumps(res, indent=1, ensure_ascii=False)
    if a.json:
        a.json.write_text(text, "utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
