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
- ``dispatch_actions_per_s`` — single actions (acknowledge … evaluate) arriving together from
  ``ACTION_CALLERS`` callers at once (seats, the intake, the simulated departments: threads
  here), each caller waiting for its action's durable commit before sending the next;
  sustained over 10,000 actions (``quick``: 1,000). The store commits the actions that arrive
  together in one transaction (group commit). Target ≥ 1,000/s.
- ``dispatch_actions_serial_per_s`` — the same actions from one caller, one after the other:
  nothing arrives together, so every action is a commit of its own (no target; the floor of
  a commit per action).
- ``queue_collect_ms`` — the duty queue (:func:`cockpit.datasets.queue.load_queue`, what the
  events list and ``cockpit queue`` show) on the Chongqing-scale demo (500,000 events;
  ``quick``: the small one), with a store holding 200 dispatched events and 20 dismissed:
  one call per screen time, at 12 times spread over the data's last day; ``runs`` are the
  calls. It runs in the dispatch controller's tick, off the GUI thread.

Everything happens in a temporary directory that is removed afterwards.
"""

from __future__ import annotations

import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import duckdb

from cockpit.bench.common import bench_dataset, figure, pfigure
from cockpit.datasets.dispatch import open_store
from cockpit.datasets.routing import Plan, PlanStep

COMMIT_TARGET_MS = 10.0
ACTIONS_TARGET = 1000.0
#: Callers sending actions at once in the actions figure.
ACTION_CALLERS = 8

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


def _actions_run(d: Path, n_actions: int, callers: int = 1) -> float:
    """Actions per second from ``callers`` threads at once, each taking its own orders
    through acknowledge … evaluate and waiting for every answer."""
    store = open_store(d / f"actions-{callers}.duckdb", seat="bench", source="bench")
    steps = ("acknowledge", "handle", "verify", "close", "evaluate")
    n_orders = -(-n_actions // len(steps))
    try:
        ids = [store.create(200_000 + i, "bench", f"c-{i}", dept_id="D-500103-CGJ",
                            deadlines={"acknowledge": 5, "handle": 60, "verify": 90,
                                       "close": 120})[0]
               for i in range(n_orders)]
        todo = [(oid, a) for a in steps for oid in ids][:n_actions]
        # caller c takes the orders c, c + callers, …: each order's steps stay in order
        pos = {oid: i for i, oid in enumerate(ids)}
        shares: list[list[tuple[int, tuple[str, str]]]] = [[] for _ in range(callers)]
        for k, t in enumerate(todo):
            shares[pos[t[0]] % callers].append((k, t))
        errors: list[BaseException] = []
        go = threading.Barrier(len(shares) + 1)

        def run(share: list[tuple[int, tuple[str, str]]]) -> None:
            go.wait()
            try:
                for k, (oid, a) in share:
                    store.advance(oid, a, "bench", f"a-{k}")
            except BaseException as e:  # noqa: BLE001 - re-raised below
                errors.append(e)

        threads = [threading.Thread(target=run, args=(sh,)) for sh in shares]
        for t in threads:
            t.start()
        go.wait()
        t0 = time.perf_counter()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - t0
        if errors:
            raise errors[0]
    finally:
        store.close()
    return len(todo) / elapsed


def bench_dispatch(quick: bool = False) -> dict[str, dict[str, Any]]:
    runs = 3 if quick else 5
    n_creates = 60 if quick else 200
    n_actions = 1_000 if quick else 10_000
    create_runs, floor_runs, rates, serial = [], [], [], []
    for r in range(runs):
        with tempfile.TemporaryDirectory(prefix="cockpit-bench-dispatch-") as tmp:
            c, f = _commit_run(Path(tmp), n_creates)
            create_runs.append(c)
            floor_runs.append(f)
            if r < (2 if quick else 3):
                rates.append(_actions_run(Path(tmp), n_actions, ACTION_CALLERS))
                serial.append(_actions_run(Path(tmp), n_actions // 5))
    rate_med = statistics.median(rates)
    queue_ms = _queue_runs(quick)
    return {
        "queue_collect_ms": figure(queue_ms, "ms"),
        "dispatch_commit_ms_p95": pfigure(create_runs, "ms", COMMIT_TARGET_MS),
        "dispatch_commit_floor_ms": pfigure(floor_runs, "ms"),
        "dispatch_actions_per_s": {
            "median": round(rate_med, 1), "runs": [round(x, 1) for x in rates],
            "unit": "actions/s", "actions": n_actions, "callers": ACTION_CALLERS,
            "target": ACTIONS_TARGET, "met": rate_med >= ACTIONS_TARGET},
        "dispatch_actions_serial_per_s": {
            "median": round(statistics.median(serial), 1),
            "runs": [round(x, 1) for x in serial], "unit": "actions/s",
            "actions": n_actions // 5, "callers": 1},
    }


def _queue_runs(quick: bool) -> list[float]:
    """Milliseconds of queue.load_queue at 12 screen times of the data's last day."""
    from datetime import timedelta

    from cockpit import paths
    from cockpit.datasets import queue
    from cockpit.datasets.catalog import open_catalog
    from cockpit.datasets.summary import data_time_range

    out: list[float] = []
    with tempfile.TemporaryDirectory(prefix="cockpit-bench-queue-") as tmp:
        cat = open_catalog(bench_dataset("small" if quick else "chongqing"),
                           paths.catalog_cache_dir())
        store = open_store(Path(tmp) / "q.duckdb", seat="bench", source="bench")
        try:
            con = cat.cursor()
            _first, last = data_time_range(con)
            day = last.replace(hour=0, minute=0, second=0, microsecond=0)
            off = queue.local_utc_offset()
            ids = [r[0] for r in con.execute(
                "SELECT event_id FROM event WHERE occurred_at < ? ORDER BY occurred_at DESC "
                "LIMIT 220", [day + timedelta(hours=12)]).fetchall()]
            store.clock = lambda: day + timedelta(hours=12) - off
            for i, eid in enumerate(ids[:200]):
                store.create(eid, "bench", f"q-c{i}", dept_id="D-CITY-CGJ",
                             deadlines={"acknowledge": 5, "handle": 60})
            for i, eid in enumerate(ids[200:]):
                store.dispose(eid, "dismiss", "bench", f"q-d{i}", "误报")
            names = queue.load_names(con)
            for h in range(1, 24, 2):
                now = day + timedelta(hours=h)
                t0 = time.perf_counter()
                queue.load_queue(con, store, now, names=names, utc_offset=off)
                out.append((time.perf_counter() - t0) * 1000)
            con.close()
        finally:
            store.close()
            cat.close()
    return out


if __name__ == "__main__":
    import json
    import sys

    print(json.dumps(bench_dispatch("--quick" in sys.argv), indent=1))
