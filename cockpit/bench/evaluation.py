"""Benchmarks of the evaluation (``cockpit bench --only evaluation``).

``bench_evaluation(quick)`` returns the group's figures in the format of
:func:`cockpit.bench.figure` (``median`` of the runs, ``runs``, ``unit``, ``target``,
``met``); for the p95 figures each run is the 95th percentile of a series of repetitions,
so ``median`` is the median of those p95s:

- ``evaluation_quarter_ms_p95`` — the full evaluation of one quarter, both modes (every
  unit × KPI score, board and total scores, ranks, the levels by thresholds and by
  quintiles, the quarter before for the changes, the closed-loop board), on a cursor of a
  warm catalog. Target ≤ 50 ms.
- ``grid_render_ms_p95`` — the five-colour grid repainted after a quarter change: the
  evaluation turned into the grid's rows, the model reset and the widget drawn (offscreen,
  1100×900). Target ≤ 50 ms.
- ``report_pdf_s`` — the quarter's PDF report: gathering it and drawing it with QPdfWriter.

Dataset: the Chongqing-scale demo data (``quick``: the small one; both 41 units × 911 KPIs
× 8 quarters).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from cockpit.bench.common import bench_dataset, figure

EVAL_TARGET_MS = 50.0
GRID_TARGET_MS = 50.0


def _p95(values: list[float]) -> float:
    v = sorted(values)
    return v[min(len(v) - 1, max(0, int(round(0.95 * (len(v) - 1)))))]


def _app():
    if (not os.environ.get("QT_QPA_PLATFORM") and sys.platform.startswith("linux")
            and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY")):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    from cockpit.widgets import theme

    theme.apply(app)
    return app


def bench_evaluation(quick: bool) -> dict[str, Any]:
    from cockpit.datasets import evaluation as E
    from cockpit.datasets.catalog import open_catalog
    from cockpit.datasets.report import build_report

    scale = "small" if quick else "chongqing"
    rounds, reps = (3, 10) if quick else (5, 20)
    data = bench_dataset(scale)
    res: dict[str, Any] = {"scale": scale}
    app = _app()
    with tempfile.TemporaryDirectory() as tmp:
        cat = open_catalog(data, Path(tmp) / "catalogs")
        con = cat.cursor()
        try:
            ps = E.periods(con)
            a, b = ps[-1], ps[-2]
            E.evaluate_quarter(con, a)  # warm: the catalog's static info, DuckDB's caches
            runs = []
            for _ in range(rounds):
                times = []
                for i in range(reps):
                    p = a if i % 2 == 0 else b
                    t0 = time.perf_counter()
                    E.evaluate_quarter(con, p)
                    times.append((time.perf_counter() - t0) * 1000)
                runs.append(_p95(times))
            res["evaluation_quarter_ms_p95"] = figure(runs, unit="ms", target=EVAL_TARGET_MS)

            from cockpit.controllers.review import grid_data
            from cockpit.widgets.five_colour import FiveColourGrid

            evs = {p: E.evaluate_quarter(con, p) for p in (a, b)}
            grid = FiveColourGrid()
            grid.resize(1100, 900)
            grid.show()
            grid.set_grid(*grid_data(evs[a], "absolute"))
            app.processEvents()
            runs = []
            for _ in range(rounds):
                times = []
                for i in range(reps):
                    ev = evs[b if i % 2 == 0 else a]
                    mode = "quintile" if i % 4 < 2 else "absolute"
                    t0 = time.perf_counter()
                    grid.set_grid(*grid_data(ev, mode))
                    grid.grab()  # draws every visible cell now
                    times.append((time.perf_counter() - t0) * 1000)
                runs.append(_p95(times))
            res["grid_render_ms_p95"] = figure(runs, unit="ms", target=GRID_TARGET_MS)
            grid.close()
            grid.deleteLater()
            app.processEvents()

            from cockpit.printing.quarter_pdf import write_pdf

            runs = []
            for i in range(3):
                t0 = time.perf_counter()
                rep = build_report(con, a, "absolute", kpi_detail=False)
                write_pdf(rep, Path(tmp) / f"r{i}.pdf")
                runs.append(time.perf_counter() - t0)
            res["report_pdf_s"] = figure(runs, unit="s")
        finally:
            con.close()
            cat.close()
    return res
