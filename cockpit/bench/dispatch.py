"""Benchmarks of the dispatch store (``cockpit bench --only dispatch``).

``bench_dispatch(quick)`` returns the figures of the group, each a dict with ``median``,
``runs``, ``unit`` and, where the issue sets one, ``target`` and ``met``:

- ``dispatch_commit_ms_p95`` — one confirmed dispatch of a 14-step plan (7 departments, so 7
  orders in one transaction), from the call to the durable commit (DuckDB has synced its
  write-ahead log when the call returns). Each run times a series of creates on a fresh store;
  ``runs`` holds each run's 95th percentile, ``median`` their median, ``value`` the 95th
  percentile over all runs pooled. Target ≤ 10 ms.
- ``dispatch_commit_floor_ms`` — what the disk and DuckDB cost at least: a bare single-row
  INSERT, committed, on a long-lived connection to a DuckDB file in the same directory, measured
  in the same runs (95th percentile, like the figure above; ``p50`` beside it).
- ``dispatch_actions_per_s`` — single actions (acknowledge … evaluate), each committed on its
  own, sustained over 10,000 actions (``quick``: 1,000). Target ≥ 1,000/s.

Everything happens in a temporary directory that is removed afterwards.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import duckdb

from cockpit.bench.common import pfigure
from cockpit.datasets.dispatch import open_store
from cockpit.datasets.routing import Plan, PlanStep

COMMIT_TARGET_MS = 10.0
ACTIONS_TARGET = 1000.0

#: The water-main burst plan of the demo data (14 steps, 7 departments), district-resolved.
_WATER_MAIN = [
    ("GS", 5, "react"), ("CGJ", 10, "react"), ("GAJ", 15, "react"), ("GS", 20, "verify"),
    ("XF", 20, "verify"), ("CGJ", 30, "verify"), ("TXJ", 30, "handle"), ("JXW", 40, "handle"),
    ("YJJ", 45, "handle"), ("GS", 60, "handle"), ("GS", 240, "handle"), ("CGJ", 300, "handle"),
    ("GAJ", 330, "close"), ("CGJ", 360, "close"),
]


def bench_plan() -> Plan:
    steps = [PlanStep(i, f"D-500103-{k}", f"步骤 {i}：处置动作说明", float(due), stage,
                      plan_dept=f"D-CITY-{k}")
             for i, (k, due, stage) in enumerate(_WATER_MAIN, start=1)]
    return Plan(steps, plan_id="P-WATER-MAIN-BURST",
                targets={"react": 5.0, "verify": 30.0, "handle": 240.0})


def _commit_run(d: Path, n: int) -> tuple[list[float], list[float]]:
    plan = bench_plan()
    store = open_store(d / "bench.duckdb", seat="bench", source="bench")
    floor_con = duckdb.connect(str(d / "floor.duckdb"))
    floor_con.execute("CREATE TABLE t (seq BIGINT PRIMARY KEY, note VARCHAR)")
    creates, floor = [], []
    try:
        for i in range(n):
            t0 = time.perf_counter()
            store.create(100_000 + i, "bench", f"bench-create-{i}", plan)
            creates.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            floor_con.execute("INSERT INTO t VALUES (?, ?)", [i, "x"])
            floor.append((time.perf_counter() - t0) * 1000)
    finally:
        store.close()
        floor_con.close()
    return creates, floor


def _actions_run(d: Path, n_actions: int) -> float:
    store = open_store(d / "actions.duckdb", seat="bench", source="bench")
    steps = ("acknowledge", "handle", "verify", "close", "evaluate")
    n_orders = -(-n_actions // len(steps))
    try:
        ids = [store.create(200_000 + i, "bench", f"c-{i}", dept_id="D-500103-CGJ",
                            deadlines={"acknowledge": 5, "handle": 60, "verify": 90,
                                       "close": 120})[0]
               for i in range(n_orders)]
        todo = [(oid, a) for a in steps for oid in ids][:n_actions]
        t0 = time.perf_counter()
        for k, (oid, a) in enumerate(todo):
            store.advance(oid, a, "bench", f"a-{k}")
        elapsed = time.perf_counter() - t0
    finally:
        store.close()
    return len(todo) / elapsed


def bench_dispatch(quick: bool = False) -> dict[str, dict[str, Any]]:
    runs = 3 if quick else 5
    n_creates = 60 if quick else 200
    n_actions = 1_000 if quick else 10_000
    create_runs, floor_runs, rates = [], [], []
    for r in range(runs):
        with tempfile.TemporaryDirectory(prefix="cockpit-bench-dispatch-") as tmp:
            c, f = _commit_run(Path(tmp), n_creates)
            create_runs.append(c)
            floor_runs.append(f)
            if r < (2 if quick else 3):
                rates.append(_actions_run(Path(tmp), n_actions))
    rate_med = statistics.median(rates)
    return {
        "dispatch_commit_ms_p95": pfigure(create_runs, "ms", COMMIT_TARGET_MS),
        "dispatch_commit_floor_ms": pfigure(floor_runs, "ms"),
        "dispatch_actions_per_s": {
            "median": round(rate_med, 1), "runs": [round(x, 1) for x in rates],
            "unit": "actions/s", "actions": n_actions, "target": ACTIONS_TARGET,
            "met": rate_med >= ACTIONS_TARGET},
    }


if __name__ == "__main__":
    import json
    import sys

    print(json.dumps(bench_dispatch("--quick" in sys.argv), indent=1))
