"""Benchmarks of the three levels in one store (``cockpit bench --only levels``).

A throw-away PostgreSQL server (``fsync`` on) on 127.0.0.1, a levels store
(``cockpit centre init``) over the demo's admin tree, one street and its district as the two
seats. Figures (``runs``: each run's 95th percentile, ``median``: their median, ``value``: the
95th percentile pooled, ``p50`` beside it):

- ``levels_propagation_ms_p95`` — a street seat escalates an order; from its call to the
  moment the district seat (another connection, :meth:`PgDispatchStore.watch`) has been told
  and has read the order view showing itself as the owner: commit, notice and the scoped read.
  Target ≤ 1,000 ms.
- ``levels_commit_ms_p95_rls_on`` / ``_rls_off`` — one action (acknowledge … close) committed
  by a street login with row-level security on, and the same with it switched off
  (``ALTER TABLE dispatch_log DISABLE ROW LEVEL SECURITY``; the identity trigger stays on),
  alternating every five orders in the same run so that both see the same load;
  ``levels_rls_overhead_pct`` — how much slower the median of the p95s is with RLS on.
  Target ≤ 20 %.
- ``levels_commit_ms_p95_plain`` — the same actions on a store without levels (no trigger, no
  RLS), for scale.
"""

from __future__ import annotations

import statistics
import threading
import time
from typing import Any

from cockpit.bench.common import pfigure

PROPAGATION_TARGET_MS = 1000.0
OVERHEAD_TARGET_PCT = 20.0
_ACTIONS = ("acknowledge", "handle", "verify", "close")


def _as(url: str, login: str) -> str:
    import psycopg

    info = psycopg.conninfo.conninfo_to_dict(url)
    return f"postgresql://{login}@{info['host']}:{info['port']}/{info['dbname']}"


def _units():
    """A city, its districts and streets: the demo's real tree (no dataset needed)."""
    from cockpit.datasets.dispatch.centres import Unit
    from cockpit.datasets.geography import admin_units

    df = admin_units()
    return [Unit(c, n, lv, p or None) for c, n, lv, p in
            df[["code", "name", "level", "parent_code"]].itertuples(index=False)
            if lv in ("city", "district", "street")]


def _setup(url: str, units) -> tuple[str, str]:
    from cockpit.datasets.dispatch.centres import add_operator, init_centres

    init_centres(url, units)
    street = next(u for u in sorted(units, key=lambda u: u.code) if u.level == "street")
    add_operator(url, "bench_street", street.code, "leader")
    add_operator(url, "bench_district", street.parent, "leader")
    return street.code, street.parent


def _commits(url: str, n: int, area: str | None, admin: str | None = None,
             block: int = 5) -> tuple[list[float], list[float]]:
    """ms per action. With ``admin`` (the owner's URL), row-level security is switched on and
    off every ``block`` orders, so that both sides see the same load and table size; returns
    (with RLS on, with it off), else (all, [])."""
    import psycopg

    from cockpit.datasets.dispatch import open_store

    on: list[float] = []
    off: list[float] = []
    extra = {"area": area} if area else {}
    owner = psycopg.connect(admin, autocommit=True) if admin else None
    try:
        with open_store(url, source="bench") as s:
            for i in range(n):
                rls = admin is None or (i // block) % 2 == 0
                if owner is not None and i % block == 0:
                    owner.execute("ALTER TABLE dispatch_log "
                                  f"{'ENABLE' if rls else 'DISABLE'} ROW LEVEL SECURITY")
                oid = s.create(200_000 + i, "bench", f"c{i}", dept_id="D-1", deadlines={},
                               **extra)[0]
                for a in _ACTIONS:
                    t0 = time.perf_counter()
                    s.advance(oid, a, "bench", f"{a}{i}")
                    (on if rls else off).append((time.perf_counter() - t0) * 1000)
    finally:
        if owner is not None:
            owner.execute("ALTER TABLE dispatch_log ENABLE ROW LEVEL SECURITY")
            owner.close()
    return on, off


def _propagation(url: str, street: str, district: str, n: int) -> list[float]:
    from cockpit.datasets.dispatch import open_store

    a = open_store(_as(url, "bench_street"), source="bench")
    b = open_store(_as(url, "bench_district"), source="bench")
    changed = threading.Event()
    ready = threading.Event()
    w = b.watch(lambda _seq: changed.set(), lambda ok, _d: ok and ready.set(), poll_s=1.0)
    out = []
    try:
        ready.wait(10)
        for i in range(n):
            oid = a.create(300_000 + i, "bench", f"p{i}", dept_id="D-1", deadlines={},
                           area=street)[0]
            time.sleep(0.02)
            changed.clear()
            t0 = time.perf_counter()
            a.advance(oid, "escalate", "bench", f"e{i}", note="bench", owner=district)
            deadline = t0 + 10
            while time.perf_counter() < deadline:
                if changed.wait(0.5):
                    changed.clear()
                    view = b.orders()
                    row = view[view["order_id"] == oid]
                    if len(row) and row["owner"].iloc[0] == district:
                        break
            out.append((time.perf_counter() - t0) * 1000)
    finally:
        w.stop()
        a.close()
        b.close()
    return out


def bench_levels(quick: bool = False) -> dict[str, Any]:
    """The levels figures above; the admin tree is the real geography (no dataset needed)."""
    from cockpit.services.pg_server import ThrowawayPostgres

    runs = 3 if quick else 5
    n_commit = 20 if quick else 60
    n_prop = 10 if quick else 30
    units = _units()
    props, on, off, plain = [], [], [], []
    with ThrowawayPostgres() as pg:
        for r in range(runs):
            url = pg.create_database(f"levels{r}")
            street, district = _setup(url, units)
            props.append(_propagation(url, street, district, n_prop))
            a, b = _commits(_as(url, "bench_street"), n_commit, street, admin=url)
            on.append(a)
            off.append(b)
            plain.append(_commits(pg.create_database(f"plain{r}"), n_commit, None)[0])
    fig_on, fig_off = pfigure(on, "ms"), pfigure(off, "ms")
    overhead = [(a / b - 1) * 100 for a, b in zip(fig_on["runs"], fig_off["runs"])]
    return {
        "levels_propagation_ms_p95": pfigure(props, "ms", PROPAGATION_TARGET_MS),
        "levels_commit_ms_p95_rls_on": fig_on,
        "levels_commit_ms_p95_rls_off": fig_off,
        "levels_commit_ms_p95_plain": pfigure(plain, "ms"),
        "levels_rls_overhead_pct": {
            "median": round(statistics.median(overhead), 1),
            "runs": [round(x, 1) for x in overhead], "unit": "%",
            "target": OVERHEAD_TARGET_PCT,
            "met": statistics.median(overhead) <= OVERHEAD_TARGET_PCT},
    }
