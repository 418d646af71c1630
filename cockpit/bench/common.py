"""What every benchmark group shares: a figure's JSON shape, timing, the cached datasets,
percentiles, and a Qt application for the groups that measure a real window."""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cockpit import paths

BENCH_ANCHOR = "2026-11-20"  # fixed, so the cached datasets stay valid between runs


def figure(runs: list[float], unit: str = "s", target: float | None = None,
           better: str = "lower") -> dict[str, Any]:
    med = statistics.median(runs)
    out: dict[str, Any] = {"median": round(med, 4), "runs": [round(r, 4) for r in runs],
                           "unit": unit}
    if target is not None:
        out["target"] = target
        out["met"] = med <= target if better == "lower" else med >= target
    return out


def timed(fn: Callable[[], Any]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def bench_dataset(scale: str, seed: int = 1) -> Path:
    """A cached dataset for the benchmarks (generated on first use)."""
    from cockpit.datasets.generate import generate

    d = paths.cache_dir() / "bench" / f"{scale}-seed{seed}-{BENCH_ANCHOR}"
    if not (d / "dataset.json").exists():
        generate(d, scale=scale, seed=seed, anchor=BENCH_ANCHOR)
    return d


def percentile(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]


def qt_app():
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    flags = os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS", "")
    if "--no-sandbox" not in flags:
        os.environ["QTWEBENGINE_CHROMIUM_FLAGS"] = (flags + " --no-sandbox --disable-gpu").strip()
    from PySide6.QtCore import QCoreApplication, Qt
    from PySide6.QtWebEngineWidgets import QWebEngineView  # noqa: F401 - before the app
    from PySide6.QtWidgets import QApplication

    from cockpit.widgets.map_view import register_tile_scheme

    if QApplication.instance() is None:
        QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
        register_tile_scheme()
        QApplication([])
    return QApplication.instance()


def wait_until(app, predicate, timeout_s: float) -> bool:
    end = time.perf_counter() + timeout_s
    while time.perf_counter() < end:
        app.processEvents()
        if predicate():
            return True
        time.sleep(0.002)
    return False


def pfigure(per_run: list[list[float]], unit: str, target: float | None = None
             ) -> dict[str, Any]:
    p95s = [percentile(r, 0.95) for r in per_run]
    pooled = [x for r in per_run for x in r]
    out: dict[str, Any] = {
        "value": round(percentile(pooled, 0.95), 3), "median": round(statistics.median(p95s), 3),
        "runs": [round(x, 3) for x in p95s], "p50": round(statistics.median(pooled), 3),
        "unit": unit, "samples": len(pooled)}
    if target is not None:
        out["target"] = target
        out["met"] = out["median"] <= target
    return out


def python_child(*args: str) -> list[str]:
    """The command line of a child Python process that imports the *installed* cockpit:
    ``-P`` keeps the working directory off ``sys.path``, so run from the repository root a
    regular (non-editable) install is not shadowed by the checkout's ``cockpit/`` folder,
    which lacks the mapped subpackages (docs/ARCHITECTURE.md)."""
    return [sys.executable, "-P", *args]
