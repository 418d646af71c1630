"""Benchmarks of the shared PostgreSQL dispatch store (``cockpit bench --only seats``).

A throw-away PostgreSQL server
(:class:`cockpit.services.pg_server.ThrowawayPostgres`, ``fsync`` on) on 127.0.0.1; each run
on a new database. Figures (``runs``: each run's 95th percentile,
``median``: their median, ``value``: the 95th percentile pooled, ``p50`` beside it):

- ``pg_dispatch_commit_ms_p95`` — one confirmed dispatch of the 14-step water-main plan (7
  orders in one transaction: advisory lock, key check, head, insert, notify, commit) over
  loopback, from the call to the acknowledged commit. Target ≤ 50 ms.
- ``pg_advance_commit_ms_p95`` — one action (acknowledge … close) on one of those orders,
  committed on its own.
- ``seat_propagation_ms_p95`` — from the moment seat A (this process) calls ``create`` to
  the moment seat B (another process, :meth:`PgDispatchStore.watch`: LISTEN/NOTIFY) is told of
  the new head: the commit plus the notice. Target ≤ 2,000 ms (aim ≤ 500).

``python -m cockpit.bench.seats watch URL`` is seat B: it prints ``ready``, then
``seen <seq> <unix time>`` for every change.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from typing import Any

from cockpit.bench.common import pfigure, python_child
from cockpit.bench.dispatch import bench_plan
from cockpit.datasets.dispatch import open_store

COMMIT_TARGET_MS = 50.0
PROPAGATION_TARGET_MS = 2000.0
_ADVANCE = ("acknowledge", "handle", "verify", "close")


def _commit_run(url: str, n: int) -> tuple[list[float], list[float]]:
    plan = bench_plan()
    creates, advances = [], []
    with open_store(url, seat="bench-a", source="bench") as store:
        for i in range(n):
            t0 = time.perf_counter()
            ids = store.create(100_000 + i, "bench", f"bench-create-{i}", plan)
            creates.append((time.perf_counter() - t0) * 1000)
            for act in _ADVANCE:  # the first department's order through to close
                t0 = time.perf_counter()
                store.advance(ids[0], act, "bench", f"bench-{act}-{i}")
                advances.append((time.perf_counter() - t0) * 1000)
    return creates, advances


def _propagation_run(url: str, n: int) -> list[float]:
    """Seat A writes here, seat B watches in another process; ms from A's call to B's notice."""
    plan = bench_plan()
    open_store(url).close()  # the tables exist before seat B looks
    b = subprocess.Popen(python_child("-m", "cockpit.bench.seats", "watch", url),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen: dict[int, float] = {}
    got = threading.Condition()
    try:
        assert b.stdout is not None
        first = b.stdout.readline().strip()
        if first != "ready":
            raise RuntimeError(f"seat B did not start: {first} {b.stderr.read()[-2000:]}")

        def read() -> None:
            for line in b.stdout:
                parts = line.split()
                if len(parts) == 3 and parts[0] == "seen":
                    with got:
                        seen[int(parts[1])] = float(parts[2])
                        got.notify_all()

        threading.Thread(target=read, daemon=True).start()
        sent: list[tuple[int, float]] = []
        with open_store(url, seat="bench-a", source="bench") as store:
            for i in range(n):
                t0 = time.time()
                store.create(300_000 + i, "bench", f"bench-prop-{i}", plan)
                seq = store._head[0]
                sent.append((seq, t0))
                with got:  # one change at a time, so that each notice is timed on its own
                    got.wait_for(lambda s=seq: s in seen, timeout=5)
                time.sleep(0.02)
        lat = []
        for seq, t0 in sent:
            if seq not in seen:
                raise RuntimeError(f"seat B never saw seq {seq}")
            lat.append((seen[seq] - t0) * 1000)
        return lat
    finally:
        b.terminate()
        try:
            b.wait(10)
        except subprocess.TimeoutExpired:
            b.kill()


def bench_seats(quick: bool = False) -> dict[str, Any]:
    from cockpit.services.pg_server import ThrowawayPostgres

    runs = 3 if quick else 5
    n_commit = 30 if quick else 100
    n_prop = 15 if quick else 40
    creates, advances, props = [], [], []
    with ThrowawayPostgres() as pg:
        for r in range(runs):
            c, a = _commit_run(pg.create_database(f"commit{r}"), n_commit)
            creates.append(c)
            advances.append(a)
            props.append(_propagation_run(pg.create_database(f"prop{r}"), n_prop))
    return {
        "pg_dispatch_commit_ms_p95": pfigure(creates, "ms", COMMIT_TARGET_MS),
        "pg_advance_commit_ms_p95": pfigure(advances, "ms"),
        "seat_propagation_ms_p95": pfigure(props, "ms", PROPAGATION_TARGET_MS),
    }


def _watch(url: str) -> int:
    """Seat B: print every change of the store at ``url``."""
    ready = threading.Event()

    def on_change(seq: int) -> None:
        print(f"seen {seq} {time.time():.6f}", flush=True)

    def on_status(ok: bool, _detail: str) -> None:
        if ok:
            ready.set()

    with open_store(url, seat="bench-b", source="bench") as store:
        store.watch(on_change, on_status, poll_s=1.0)
        if not ready.wait(10):
            print("not connected", flush=True)
            return 1
        print("ready", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            return 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "watch":
        sys.exit(_watch(sys.argv[2]))
    import json

    print(json.dumps(bench_seats("--quick" in sys.argv), indent=1))
