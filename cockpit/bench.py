"""`cockpit bench`: the performance benchmarks, as JSON.

Each figure is an object ``{"median": x, "runs": [...], "unit": "s", "target": t}`` measured
over several runs on realistic data sizes (``--quick``: small sizes for CI). The datasets the
benchmarks need are generated once and cached under the user's cache directory.
Groups are filled by the issues that own them; asking for a group that has no benchmark yet
says so instead of inventing numbers.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cockpit import paths

GROUPS_PLANNED = ("data", "map", "vitals", "evaluation", "dispatch", "replay", "seats", "route")
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


def _startup_run(data: Path, cache: Path) -> float:
    """Seconds from process start to 'every region drawn' (warm catalog)."""
    env = dict(os.environ, COCKPIT_CACHE_HOME=str(cache), QT_QPA_PLATFORM="offscreen",
               COCKPIT_DATA_HOME=str(cache))  # a throw-away dispatch store
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "cockpit", "--data", str(data), "--screenshot",
             str(Path(tmp) / "s.png"), "--report-startup"],
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
        start = [_startup_run(data, Path(cache)) for _ in range(n)]
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


def _bench_map(quick: bool) -> dict[str, Any]:
    from cockpit.bench_map import bench_map

    return bench_map(quick)


def _bench_dispatch(quick: bool) -> dict[str, Any]:
    from cockpit.datasets.dispatch_bench import bench_dispatch

    return bench_dispatch(quick)


def _bench_vitals(quick: bool) -> dict[str, Any]:
    from cockpit.bench_vitals import bench_vitals

    return bench_vitals(quick)


def _bench_evaluation(quick: bool) -> dict[str, Any]:
    from cockpit.bench_evaluation import bench_evaluation

    return bench_evaluation(quick)


def _bench_replay(quick: bool) -> dict[str, Any]:
    from cockpit.bench_replay import bench_replay

    return bench_replay(quick)


def _bench_seats(quick: bool) -> dict[str, Any]:
    from cockpit.bench_seats import bench_seats

    return bench_seats(quick)


def _bench_route(quick: bool) -> dict[str, Any]:
    from cockpit.bench_route import bench_route

    return bench_route(quick)


GROUPS: dict[str, Callable[[bool], dict[str, Any]]] = {
    "data": bench_data, "map": _bench_map, "vitals": _bench_vitals,
    "evaluation": _bench_evaluation, "dispatch": _bench_dispatch, "replay": _bench_replay,
    "seats": _bench_seats, "route": _bench_route}


def run_bench(only: str | None, quick: bool, json_path: Path) -> int:
    if only is not None and only not in GROUPS_PLANNED:
        print(f"cockpit bench: unknown group {only!r}; groups: {', '.join(GROUPS_PLANNED)}",
              file=sys.stderr)
        return 2
    if only is not None and only not in GROUPS:
        print(f"cockpit bench: group {only!r} has no benchmarks yet (its issue adds them)",
              file=sys.stderr)
        return 2
    chosen = [only] if only else list(GROUPS)
    report: dict[str, Any] = {
        "quick": quick,
        "machine": {"python": platform.python_version(), "platform": platform.platform(),
                    "cpus": os.cpu_count()},
        "started": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "groups": {},
    }
    for g in chosen:
        print(f"bench: {g} …", file=sys.stderr, flush=True)
        report["groups"][g] = GROUPS[g](quick)
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(report, indent=2, ensure_ascii=False), "utf-8")
    print(json.dumps(report["groups"], indent=1, ensure_ascii=False))
    return 0
