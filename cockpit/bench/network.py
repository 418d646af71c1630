"""`cockpit bench --only network`: pipe networks — burst analysis, precompute, map refresh.

On the ``chongqing`` demo dataset (``--quick``: ``small``):

- ``network_impact_ms_p95`` (target ≤ 200 ms): an event at a point → the nearest pipe of its
  network, its segment, the valves to close, the cut-off segments, the communities, population
  and critical sites, and the plain dict the preview and the map receive (``as_dict``); the
  water-main bursts and gas leaks of the dataset's events, seeded sample; p50 beside it. The
  network model is loaded once before (``network_model_load_s``), as the cockpit does on its
  first pipe event;
- ``network_precompute_s``: what the catalog build adds — segments, segment→valves, source
  reachability, critical sites' nodes, the map's drawing table;
- ``network_map_ms_p95`` (target ≤ 60 ms): a map refresh with the pipe layer on, timed by the
  page from sending a viewport to having drawn the pipes (sent last, after the risk points),
  random viewports from city to street level (:func:`cockpit.bench.map.refresh_times`);
  ``network_map_baseline_ms_p95``: the same viewports with the pipe layer off, measured right
  after each run (on a shared machine the difference is what the pipes cost);
  ``network_map_query_ms_p95``: every visible layer's query of a refresh (risk points and
  pipes), ``network_map_pipes_query_ms_p95`` the pipe layer's alone; figures that do not move
  with the machine's load: ``network_map_bytes_p95`` (the pipe payload's JSON text) and
  ``network_map_lines_p95`` (lines drawn per refresh), and ``network_map_page_ms_p95`` (the
  page parsing and drawing the pipes, before the canvas paints);
  ``network_map_switch_on_ms``: switching the pipe layer on → the pipes drawn, before each
  run's timed views (its first run reads the drawing into memory);
- ``network_pipes``: the pipes of the network measured;
- ``network_drainage_impact_ms_p95`` (p50 beside it): a drainage blockage at a point (the
  dataset's 排水管道堵塞 events, seeded sample) → the nearest drainage pipe, the upstream area
  that backs up, its communities, sites, outfall and pumping stations, and ``as_dict``; kept
  apart from ``network_impact_ms_p95`` (water and gas, as before).
  ``network_drainage_load_s``: building the drainage graph once (on the first blockage);
  ``drainage_blockages_backing_up``: how many of the sample back anything up.
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from cockpit.bench.common import bench_dataset, figure
from cockpit.bench.common import percentile as _p


def _precompute_s(catalog) -> float:
    """precompute() on an in-memory copy of the tables it reads."""
    import duckdb

    from cockpit.datasets.network.graph import precompute

    con = duckdb.connect()
    con.execute(f"ATTACH '{catalog.db_path}' AS src (READ_ONLY)")
    for t in ("network_node", "network_pipe", "facility", "risk_point"):
        con.execute(f"CREATE TABLE {t} AS SELECT * FROM src.{t}")
    con.execute("DETACH src")
    t0 = time.perf_counter()
    precompute(con)
    s = time.perf_counter() - t0
    con.close()
    return s


def impact_times(catalog, n: int, seed: int, networks: tuple[str, ...] = ("water", "gas"),
                 model=None) -> tuple[list[float], dict[str, int]]:
    from cockpit.datasets.network.impact import NetworkModel

    con = catalog.cursor()
    model = model or NetworkModel(con)
    rows = con.execute("""SELECT e.lon, e.lat, t.network FROM event e
                          JOIN event_type t USING (type_id)
                          WHERE t.network IN (SELECT unnest($nets))
                          ORDER BY e.event_id""", {"nets": list(networks)}).fetchall()
    con.close()
    if not rows:
        return [], {"with_cut_off": 0, "no_pipe_near": 0}
    rng = random.Random(seed)
    picks = [rows[rng.randrange(len(rows))] for _ in range(n)]
    ms, cut, none = [], 0, 0
    for lon, lat, net in picks:
        t0 = time.perf_counter()
        r = model.at_point(lon, lat, net)
        if r is not None:
            r.as_dict()
        ms.append((time.perf_counter() - t0) * 1000)
        cut += bool(r is not None and r.cut_off_pipes)
        none += r is None
    return ms, {"with_cut_off": cut, "no_pipe_near": none}


def bench_network(quick: bool) -> dict[str, Any]:
    from cockpit.bench.map import refresh_times
    from cockpit.datasets.catalog import open_catalog
    from cockpit.datasets.network.impact import NetworkModel

    scale = "small" if quick else "chongqing"
    runs = 1 if quick else 3
    n_bursts = 100 if quick else 400
    n_views = 12 if quick else 40
    res: dict[str, Any] = {"scale": scale}
    with tempfile.TemporaryDirectory() as cache:
        cat = open_catalog(bench_dataset(scale), Path(cache))
        res["network_pipes"] = int(cat.con.execute("SELECT count(*) FROM network_pipe"
                                                   ).fetchone()[0])
        res["network_pipes_by_kind"] = dict(cat.con.execute(
            "SELECT network, count(*) FROM network_pipe GROUP BY 1 ORDER BY 1").fetchall())
        res["network_segments"] = int(cat.con.execute("SELECT count(*) FROM network_segment"
                                                      ).fetchone()[0])
        res["network_precompute_s"] = figure([_precompute_s(cat) for _ in range(runs)])
        loads = []
        for _ in range(runs):
            con = cat.cursor()
            t0 = time.perf_counter()
            NetworkModel(con)
            loads.append(time.perf_counter() - t0)
            con.close()
        res["network_model_load_s"] = figure(loads)
        p50s, p95s, info = [], [], {}
        for r in range(runs):
            ms, info = impact_times(cat, n_bursts, seed=21 + r)
            p50s.append(statistics.median(ms))
            p95s.append(_p(ms, 0.95))
        res["bursts_per_run"] = n_bursts
        res["bursts_with_cut_off"] = info.get("with_cut_off", 0)
        res["network_impact_ms_p50"] = figure(p50s, unit="ms")
        res["network_impact_ms_p95"] = figure(p95s, unit="ms", target=200)
        # drainage blockages, apart (gravity flow: the backed-up area upstream)
        con = cat.cursor()
        model = NetworkModel(con)
        con.close()
        if "drainage" in model.networks:
            t0 = time.perf_counter()
            model.drainage()
            res["network_drainage_load_s"] = round(time.perf_counter() - t0, 3)
            d50, d95 = [], []
            for r in range(runs):
                ms, info = impact_times(cat, n_bursts, seed=41 + r, networks=("drainage",),
                                        model=model)
                if ms:
                    d50.append(statistics.median(ms))
                    d95.append(_p(ms, 0.95))
            if d95:
                res["drainage_blockages_backing_up"] = info.get("with_cut_off", 0)
                res["network_drainage_impact_ms_p50"] = figure(d50, unit="ms")
                res["network_drainage_impact_ms_p95"] = figure(d95, unit="ms", target=200)
        m50, m95, q95, b95 = [], [], [], []
        pq95, by95, ln95, pg95, on_ms = [], [], [], [], []
        for r in range(runs):
            out = refresh_times(cat, n_views, seed=31 + r, layers={"pipes": True},
                                measure="pipes")
            got = out["refreshes"]
            on_ms.append(out["switched_on_ms"])
            ms = [x["ms"] for x in got]
            m50.append(statistics.median(ms))
            m95.append(_p(ms, 0.95))
            q95.append(_p([x.get("query_ms", 0.0) for x in got], 0.95))
            pq95.append(_p([x.get("layer_ms", {}).get("pipes", 0.0) for x in got], 0.95))
            by95.append(_p([x.get("bytes", 0.0) for x in got], 0.95))
            ln95.append(_p([float(x.get("features", 0)) for x in got], 0.95))
            pg95.append(_p([x.get("draw_ms", 0.0) for x in got], 0.95))
            # the same viewports without the pipes, right after: what the pipes add, on a
            # machine whose load is the same for both
            base = refresh_times(cat, n_views, seed=31 + r)
            b95.append(_p([x["ms"] for x in base["refreshes"]], 0.95))
        res["viewports_per_run"] = n_views
        res["network_map_ms_p50"] = figure(m50, unit="ms")
        res["network_map_ms_p95"] = figure(m95, unit="ms", target=60)
        res["network_map_query_ms_p95"] = figure(q95, unit="ms")
        res["network_map_pipes_query_ms_p95"] = figure(pq95, unit="ms")
        res["network_map_bytes_p95"] = figure(by95, unit="bytes")
        res["network_map_lines_p95"] = figure(ln95, unit="lines")
        res["network_map_page_ms_p95"] = figure(pg95, unit="ms")
        res["network_map_switch_on_ms"] = figure(on_ms, unit="ms")
        res["network_map_baseline_ms_p95"] = figure(b95, unit="ms")
        cat.close()
    return res
