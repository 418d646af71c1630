"""`cockpit bench --only data`: generating the demo, opening the catalog, and start-up to the
first frame."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from cockpit.bench.common import BENCH_ANCHOR, bench_dataset, figure, python_child, timed


def _startup_run(data: Path, cache: Path) -> float:
    """Seconds from process start to 'every region drawn' (warm catalog)."""
    env = dict(os.environ, COCKPIT_CACHE_HOME=str(cache), QT_QPA_PLATFORM="offscreen",
               COCKPIT_DATA_HOME=str(cache))  # a throw-away dispatch store
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            python_child("-m", "cockpit", "--data", str(data), "--screenshot",
                         str(Path(tmp) / "s.png"), "--report-startup"),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        elapsed = None
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("first-frame"):
                elapsed = time.perf_counter() - t0
                break
        out, err = proc.communicate(timeout=120)
        if elapsed is None or proc.returncode != 0:
            raise RuntimeError(f"startup run failed (exit {proc.returncode}): {err[-2000:]}")
        return elapsed


def bench_data(quick: bool) -> dict[str, Any]:
    from cockpit.datasets.catalog import open_catalog
    from cockpit.datasets.generate import generate

    scale = "small" if quick else "chongqing"
    n = 3
    res: dict[str, Any] = {"scale": scale}
    with tempfile.TemporaryDirectory() as tmp:
        gen_runs = [timed(lambda i=i: generate(Path(tmp) / f"g{i}", scale=scale, seed=1,
                                               anchor=BENCH_ANCHOR)) for i in range(n)]
        for i in range(n):
            shutil.rmtree(Path(tmp) / f"g{i}", ignore_errors=True)
    res[f"generate_{scale}_s"] = figure(gen_runs, target=60 if scale == "chongqing" else None)
    data = bench_dataset(scale)

    cold, warm = [], []
    for _ in range(n):
        with tempfile.TemporaryDirectory() as cache:
            cold.append(timed(lambda c=cache: open_catalog(data, Path(c)).close()))
            for _ in range(2):
                warm.append(timed(lambda c=cache: open_catalog(data, Path(c)).close()))
    res["catalog_open_cold_s"] = figure(cold)
    res["catalog_open_warm_s"] = figure(warm, target=1.0)

    with tempfile.TemporaryDirectory() as cache:
        catalog_dir = Path(cache) / "catalogs"
        open_catalog(data, catalog_dir).close()  # warm the catalog for the app
        # a warm start, as every start after the first of a day: the catalog built, the map
        # page written (the first start writes it with folium), the system's file cache
        # holding QtWebEngine; then five starts (each one's time is noisy on a shared VM)
        _startup_run(data, Path(cache))
        start = [_startup_run(data, Path(cache)) for _ in range(5)]
    res["startup_to_first_frame_s"] = figure(start, target=2.5)

    # the regions' first queries on one cursor: summaries, vital status, the quarter
    from datetime import datetime

    from cockpit.datasets import evaluation, summary, vitals

    with tempfile.TemporaryDirectory() as cache:
        cat = open_catalog(data, Path(cache))
        con = cat.cursor()
        as_of = datetime.fromisoformat(f"{BENCH_ANCHOR}T15:00:00")

        def snapshot() -> None:
            summary.unit_info(con)
            summary.risk_summary(con)
            summary.facility_counts(con)
            vitals.status_as_of(con, as_of)
            evaluation.evaluate_quarter(con)

        res["regions_query_s"] = figure([timed(snapshot) for _ in range(5)])
        con.close()
        cat.close()
    return res
