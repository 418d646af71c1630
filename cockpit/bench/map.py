"""`cockpit bench --only map`: the map pipeline measured end to end in a real QtWebEngine.

A refresh is timed by the page itself, from sending a viewport to having drawn the answer
(query, serialisation, transfer through the web channel, canvas drawing); the DuckDB part
is timed separately. Viewports are random, seeded, from city level to street level, centred
on risk points so that every view holds data. The GUI thread's longest stall is watched by a
10 ms heartbeat timer while the refreshes run.
"""

from __future__ import annotations

import os
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from cockpit.bench.common import bench_dataset, figure, percentile, qt_app, wait_until


def refresh_times(catalog, n_views: int, seed: int = 11, layers: dict[str, bool] | None = None,
                  measure: str = "risk_points") -> dict[str, Any]:
    """Drive a MapView through ``n_views`` random viewports; per-refresh timings.

    ``layers``: layers to switch on or off besides the risk points (the network group turns
    the pipes on; ``switched_on_ms``: from switching them on to the measured layer drawn, before
    the timed views); ``measure``: the layer whose drawing ends a refresh."""
    from datetime import datetime

    from PySide6.QtCore import QTimer

    from cockpit.controllers.map import MapController
    from cockpit.layers.page import build_page
    from cockpit.widgets.map_view import MapView

    app = qt_app()
    with tempfile.TemporaryDirectory() as tmp:
        page = build_page(catalog.boundaries_geojson(), catalog.extent, Path(tmp))
        view = MapView()
        view.resize(1280, 900)
        view.show()
        ctl = MapController(catalog, view, None, lambda: datetime.now())
        for layer in ("events", "facilities"):  # the risk layer alone, as the issue measures
            ctl.visible[layer] = False
        got: list[dict] = []
        ctl.sig_refresh_measured.connect(got.append)
        view.load_page(page)
        if not wait_until(app, lambda: len(got) >= 1, 120):
            raise RuntimeError(f"map page never drew: {view.console_errors()[:3]}")
        ctl.measure_layer = measure
        # switching a layer on refreshes the map: wait for that drawing before the timed views,
        # or the first views would queue behind it (and each answer be taken for the next
        # view's); how long it took is reported apart
        before, t_on = len(got), time.perf_counter()
        for layer, on in (layers or {}).items():
            ctl.set_visible(layer, on)
        switched_ms = None
        if any((layers or {}).values()):
            if not wait_until(app, lambda: len(got) > before, 60):
                raise RuntimeError("the map did not draw the layers switched on within 60 s")
            switched_ms = (time.perf_counter() - t_on) * 1000
        rng = random.Random(seed)
        con = catalog.cursor()
        n_points = con.execute("SELECT count(*) FROM risk_point").fetchone()[0]
        gaps: list[float] = []
        last = [time.perf_counter()]

        def beat() -> None:
            now = time.perf_counter()
            gaps.append((now - last[0]) * 1000)
            last[0] = now

        timer = QTimer()
        timer.setInterval(10)
        timer.timeout.connect(beat)
        results = []
        timer.start()
        for _ in range(n_views):
            lon, lat = con.execute("SELECT lon, lat FROM risk_point LIMIT 1 OFFSET ?",
                                   [rng.randrange(n_points)]).fetchone()
            zoom = rng.choice([7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17])
            before = len(got)
            view.send_command({"cmd": "set_view", "lon": lon, "lat": lat, "zoom": zoom})
            if not wait_until(app, lambda b=before: len(got) > b, 30):
                raise RuntimeError("a refresh did not arrive within 30 s")
            results.append({**got[-1], "zoom": zoom})
        timer.stop()
        con.close()
        view.close()
        view.deleteLater()
        app.processEvents()
    return {"refreshes": results, "gui_gap_ms_max": max(gaps) if gaps else 0.0,
            "switched_on_ms": switched_ms}


def first_draw_s(catalog) -> float:
    """Window shown → map with all its layers drawn."""
    from cockpit.window import MainWindow

    app = qt_app()
    home = tempfile.mkdtemp()
    os.environ["COCKPIT_DATA_HOME"] = home  # a throw-away dispatch store, never the user's
    t0 = time.perf_counter()
    win = MainWindow(catalog)
    win.resize(1920, 1080)
    win.show()
    win.start()
    ok = wait_until(app, lambda: "map" in win.drawn, 120)
    elapsed = time.perf_counter() - t0
    win.close()
    win.deleteLater()
    app.processEvents()
    if not ok:
        raise RuntimeError("the map did not draw within 120 s")
    return elapsed


def naive_folium(catalog, limit_s: float = 120) -> dict[str, Any]:
    """For comparison: a folium page with every risk point inline, as peers do it."""
    import folium

    from cockpit.widgets.map_view import MapView

    pts = catalog.cursor().execute("SELECT lat, lon FROM risk_point").fetchall()
    t0 = time.perf_counter()
    w, s, e, n = catalog.extent
    m = folium.Map(location=[(s + n) / 2, (w + e) / 2], zoom_start=8, tiles=None,
                   prefer_canvas=True)
    for lat, lon in pts:
        folium.CircleMarker([lat, lon], radius=2).add_to(m)
    html = m.get_root().render()
    build = time.perf_counter() - t0
    out: dict[str, Any] = {"points": len(pts), "naive_folium_build_s": round(build, 2),
                           "naive_folium_html_mb": round(len(html.encode()) / 1e6, 1)}
    app = qt_app()
    with tempfile.TemporaryDirectory() as tmp:
        f = Path(tmp) / "naive.html"
        f.write_text(html, "utf-8")
        view = MapView()
        view.resize(1280, 900)
        view.show()
        done = []
        view.loadFinished.connect(done.append)
        t1 = time.perf_counter()
        view.load_page(f)
        if wait_until(app, lambda: bool(done), limit_s):
            out["naive_folium_load_s"] = round(time.perf_counter() - t1, 2)
        else:
            out["naive_folium_load_s"] = f"did not load in {limit_s:.0f} s"
        view.close()
        view.deleteLater()
        app.processEvents()
    return out


def bench_map(quick: bool) -> dict[str, Any]:
    from cockpit.datasets.catalog import open_catalog

    res: dict[str, Any] = {}
    scale = "small" if quick else "stress"
    n_views = 12 if quick else 40
    runs = 1 if quick else 3
    with tempfile.TemporaryDirectory() as cache:
        cat = open_catalog(bench_dataset(scale), Path(cache))
        p50s, p95s, q95s, gaps, feats = [], [], [], [], []
        for r in range(runs):
            out = refresh_times(cat, n_views, seed=11 + r)
            ms = [x["ms"] for x in out["refreshes"]]
            qms = [x.get("query_ms", 0.0) for x in out["refreshes"]]
            p50s.append(statistics.median(ms))
            p95s.append(percentile(ms, 0.95))
            q95s.append(percentile(qms, 0.95))
            gaps.append(out["gui_gap_ms_max"])
            feats.append(max(x["features"] for x in out["refreshes"]))
        res["scale"] = scale
        res["points"] = cat.con.execute("SELECT count(*) FROM risk_point").fetchone()[0]
        res["viewports_per_run"] = n_views
        res["map_refresh_ms_p50"] = figure(p50s, unit="ms", target=35)
        res["map_refresh_ms_p95"] = figure(p95s, unit="ms", target=60)
        res["map_query_ms_p95"] = figure(q95s, unit="ms")
        res["features_per_refresh_max"] = figure([float(f) for f in feats], unit="features",
                                                 target=5000)
        res["gui_thread_gap_ms_max"] = figure(gaps, unit="ms")
        cat.close()
    with tempfile.TemporaryDirectory() as cache:
        cat = open_catalog(bench_dataset("small" if quick else "chongqing"), Path(cache))
        res["map_first_draw_s"] = figure([first_draw_s(cat) for _ in range(1 if quick else 3)],
                                         target=1.5)
        if not quick:
            res["naive"] = naive_folium(cat)
        cat.close()
    return res
