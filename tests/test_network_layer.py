"""The pipe layer as a plain function: detail by zoom, and a burst's highlight payload."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from cockpit.datasets.catalog import open_catalog
from cockpit.datasets.network.impact import network_for
from cockpit.layers.base import Viewport
from cockpit.layers.pipes import (
    COLOURS,
    EVERY_PIPE_FROM,
    MAINS_BELOW,
    NETWORKS,
    OTHER_COLOURS,
    PAD_DEG,
    VALVES_FROM,
    PipeLayer,
    colours_of,
    drawing_index,
    has_pipes,
    impact_payload,
    pack,
    unpack,
)


@pytest.fixture(scope="module")
def catalog(small_dataset_master: Path, tmp_path_factory: pytest.TempPathFactory):
    cat = open_catalog(small_dataset_master, tmp_path_factory.mktemp("cache"))
    yield cat
    cat.close()


def _centre(con) -> tuple[float, float]:
    return con.execute("SELECT median(lon), median(lat) FROM network_node "
                       "WHERE district_code = '500103'").fetchone()


def test_city_level_draws_simplified_mains_only(catalog) -> None:
    con = catalog.con
    assert has_pipes(con)
    w, s, e, n = catalog.extent
    city = PipeLayer().lines(con, Viewport(w, s, e, n, 8))
    assert city["level"] == "mains" and len(city["x0"]) > 0
    assert set(city["main"].tolist()) == {1}
    mains = con.execute("SELECT count(*) FROM network_pipe WHERE main").fetchone()[0]
    assert len(city["x0"]) < mains  # snapped: consecutive short pieces merge
    assert len(city["valve_lon"]) == 0
    # every stroke has a length after snapping
    assert ((city["x0"] != city["x1"]) | (city["y0"] != city["y1"])).all()


def test_street_level_draws_every_pipe_in_view_and_the_valves(catalog) -> None:
    con = catalog.con
    lon, lat = _centre(con)
    d = 0.004
    vp = Viewport(lon - d, lat - d, lon + d, lat + d, 16)
    got = PipeLayer().lines(con, vp)
    assert got["level"] == "all"
    # every pipe whose middle lies in the view (padded) is drawn, mains and distribution
    want = con.execute("""SELECT count(*) FROM network_pipe_xy
                          WHERE lon BETWEEN ? AND ? AND lat BETWEEN ? AND ?""",
                       [lon - d - PAD_DEG, lon + d + PAD_DEG, lat - d - PAD_DEG, lat + d + PAD_DEG]
                       ).fetchone()[0]
    assert len(got["x0"]) == want > 0
    assert set(got["main"].tolist()) == {0, 1}
    assert len(got["valve_lon"]) > 0
    assert set(got["network"].tolist()) == {"water", "gas", "drainage"}
    assert got["kinds"] == ["drainage", "gas", "water"]
    assert len({colours_of(k) for k in got["kinds"]}) == 3
    # the district zoom sits between: fewer lines than every pipe
    mid = PipeLayer(max_features=100_000).lines(
        con, Viewport(lon - 0.05, lat - 0.05, lon + 0.05, lat + 0.05, MAINS_BELOW + 1))
    assert mid["level"] == "trunk"
    every = PipeLayer(max_features=100_000).lines(
        con, Viewport(lon - 0.05, lat - 0.05, lon + 0.05, lat + 0.05, EVERY_PIPE_FROM))
    assert 0 < len(mid["x0"]) < len(every["x0"])


def test_filters_and_the_feature_cap(catalog) -> None:
    con = catalog.con
    w, s, e, n = catalog.extent
    gas = PipeLayer().lines(con, Viewport(w, s, e, n, 8), filters={"networks": ["gas"]})
    assert set(gas["network"].tolist()) == {"gas"}
    # more pipes in view than the cap: a coarser drawing of the whole view, not a part
    lon, lat = _centre(con)
    vp = Viewport(lon - 0.02, lat - 0.02, lon + 0.02, lat + 0.02, VALVES_FROM)
    every = PipeLayer(max_features=100_000).lines(con, vp)
    assert len(every["valve_lon"]) > 0
    cap = len(every["x0"]) - 1
    fits = PipeLayer(max_features=cap).lines(con, vp)
    assert every["level"] == "all" and every["complete"]
    assert fits["level"] != "all" and fits["complete"] and 0 < len(fits["x0"]) <= cap
    assert len(fits["valve_lon"]) == 0  # valves go with every pipe only
    west, east = min(fits["x0"].min(), fits["x1"].min()), max(fits["x0"].max(), fits["x1"].max())
    assert west < lon - 0.01 and east > lon + 0.01  # the whole view, not its first rows
    # the coarsest drawing is cut at the cap, and says so
    capped = PipeLayer(max_features=5).lines(con, Viewport(w, s, e, n, 15))
    assert len(capped["x0"]) == 5 and not capped["complete"]


def test_the_drawing_is_read_once_per_catalog_and_answers_as_sql_would(catalog) -> None:
    con = catalog.cursor()
    ix = drawing_index(con)
    assert drawing_index(catalog.cursor()) is ix  # another cursor, the same catalog
    lon, lat = _centre(con)
    d = 0.01
    box = (lat - d, lat + d, lon - d, lon + d)
    for z, table in ((None, ix.every), (9, ix.lod[9]), (13, ix.lod[13])):
        src = "network_pipe_xy WHERE" if z is None else f"network_pipe_lod WHERE z = {z} AND"
        sql = (f"SELECT x0, y0, x1, y1 FROM {src} lat BETWEEN ? AND ? AND lon BETWEEN ? AND ?"
               " AND network = 'gas' ORDER BY x0, y0, x1, y1")
        want = np.array(con.execute(sql, list(box)).fetchall())
        rows = table.select(box, {"gas"})
        got = np.stack([getattr(table, k)[rows] for k in ("x0", "y0", "x1", "y1")], 1)
        got = got[np.lexsort(got.T[::-1])]
        assert len(want) > 0 and np.array_equal(got, want)
    con.close()


def _same_lines(a: dict, b: dict, tol_deg: float) -> None:
    """The same lines (kind, main, both ends) in any order, end points within ``tol_deg``."""
    assert len(a["x0"]) == len(b["x0"])
    xa = np.stack([a["x0"], a["y0"], a["x1"], a["y1"]], 1)
    xb = np.stack([b["x0"], b["y0"], b["x1"], b["y1"]], 1)
    ka = [(str(n), int(m)) for n, m in zip(a["network"], a["main"])]
    kb = [(str(n), int(m)) for n, m in zip(b["network"], b["main"])]
    assert sorted(ka) == sorted(kb)
    for key in set(ka):
        pa = xa[[k == key for k in ka]]
        pb = xb[[k == key for k in kb]]
        assert max(np.abs(pb - r).max(1).min() for r in pa) <= tol_deg
        assert max(np.abs(pa - r).max(1).min() for r in pb) <= tol_deg


@pytest.mark.parametrize("zoom", [8.0, 13.0, 17.0])
def test_the_page_gets_the_lines_packed_to_a_quarter_pixel(catalog, zoom: float) -> None:
    con = catalog.con
    lon, lat = _centre(con)
    d = 640 * 360 / (256 * 2 ** zoom)  # a 1280-pixel-wide view
    vp = Viewport(lon - d, lat - d * 0.7, lon + d, lat + d * 0.7, zoom)
    layer = PipeLayer()
    lines = layer.lines(con, vp)
    msg = layer.query(con, vp)
    assert msg["layer"] == "pipes" and msg["level"] == lines["level"]
    assert msg["complete"] == lines["complete"] and msg["features"] == len(lines["x0"]) > 0
    back = unpack(msg)
    quarter_px = 360 / (256 * 2 ** zoom) / 4
    _same_lines(lines, back, quarter_px)
    assert np.abs(np.sort(back["valve_lon"]) - np.sort(lines["valve_lon"])).max(
        initial=0) <= quarter_px
    assert len(back["valve_lon"]) == len(lines["valve_lon"]) == msg["valve_count"]
    assert (len(lines["valve_lon"]) > 0) == (zoom >= VALVES_FROM)
    # groups: the kinds the data has, distribution pipes first so the mains are drawn on top
    assert sum(g["n"] for g in msg["groups"]) == msg["features"]
    assert [g["main"] for g in msg["groups"]] == sorted(g["main"] for g in msg["groups"])
    # the key's kinds: every kind of the catalog, in the map's order, whatever the view holds
    assert msg["networks"] == [k for k in NETWORKS if k in lines["kinds"]] == list(NETWORKS)
    assert set(lines["network"].tolist()) <= set(msg["networks"])
    for g in msg["groups"]:
        assert g["colour"] == COLOURS[g["network"]][0 if g["main"] else 1]
    # 16-bit integers in base64: under 11 bytes a line, where decimal degrees took ~40
    assert msg["enc"] == "i16"
    assert len(msg["xy"]) == 4 * ((msg["features"] * 8 + 2) // 3)


def test_pack_keeps_far_reaching_lines_and_any_kind() -> None:
    """A line reaching beyond what 16 bits hold is packed in 32 bits, not clipped or dropped;
    a kind the map has no colour for is drawn with the fallback colour, not as water."""
    vp = Viewport(106.50, 29.50, 106.51, 29.51, 17)
    lines = {"level": "all", "lod_zoom": None, "complete": True,
             "network": np.array(["heating", "water"], dtype=object),
             "main": np.array([1, 0], dtype=np.int8),
             "x0": np.array([106.505, 106.505]), "y0": np.array([29.505, 29.505]),
             "x1": np.array([106.80, 106.506]), "y1": np.array([29.505, 29.506]),
             "valve_lon": np.array([106.5051]), "valve_lat": np.array([29.5051])}
    msg = pack(lines, vp)
    assert msg["enc"] == "i32" and msg["features"] == 2 and msg["valve_count"] == 1
    _same_lines(lines, unpack(msg), 1e-6)
    heating = [g for g in msg["groups"] if g["network"] == "heating"]
    assert heating == [{"network": "heating", "main": 1, "n": 1, "colour": OTHER_COLOURS[0]}]
    near = pack({**lines, "x1": np.array([106.506, 106.506])}, vp)
    assert near["enc"] == "i16"
    _same_lines({**lines, "x1": np.array([106.506, 106.506])}, unpack(near), 1e-6)
    empty = pack({**lines, **{k: np.zeros(0) for k in ("main", "x0", "y0", "x1", "y1",
                                                       "valve_lon", "valve_lat")},
                  "network": np.zeros(0, dtype=object)}, vp)
    assert empty["features"] == 0 and empty["groups"] == [] and unpack(empty)["x0"].size == 0


def test_impact_payload_carries_the_burst(catalog) -> None:
    con = catalog.con
    lon, lat = _centre(con)
    imp = network_for(con, catalog.fingerprint).at_point(lon, lat, "water").as_dict()
    msg = impact_payload(imp)
    assert msg["layer"] == "network_impact" and not msg["clear"]
    assert len(msg["segment"]) == imp["segment_pipes"]
    assert [v[2] for v in msg["valves"]] == [v["node_id"] for v in imp["valves"]]
    assert impact_payload({}) == {"layer": "network_impact", "clear": True}


def test_the_page_draws_pipes_and_a_burst_with_its_valves(qtbot, catalog, tmp_path: Path
                                                          ) -> None:
    from datetime import datetime

    from cockpit.layers.page import build_page
    from cockpit.widgets.map_view import MapView

    from cockpit.controllers.map import MapController

    page = build_page(catalog.boundaries_geojson(), catalog.extent, tmp_path)
    view = MapView()
    qtbot.addWidget(view)
    view.resize(900, 700)
    view.show()
    ctl = MapController(catalog, view, None, lambda: datetime(2026, 11, 20, 15))
    drawn: list[dict] = []
    view.sig_layer_drawn.connect(drawn.append)
    with qtbot.waitSignal(view.sig_ready, timeout=60_000):
        view.load_page(page)
    lon, lat = _centre(catalog.con)
    ctl.set_visible("pipes", True)  # the layer tree's 地下管线 switch
    view.send_command({"cmd": "set_view", "lon": lon, "lat": lat, "zoom": 16})
    qtbot.waitUntil(lambda: any(d["layer"] == "pipes" and d["features"] > 0 for d in drawn),
                    timeout=30_000)

    def js(code: str):
        with qtbot.waitCallback(timeout=10_000) as cb:
            view.page().runJavaScript(code, 0, cb)
        return cb.args[0]

    assert js("window.cockpitMap.groups.pipes.getLayers().length") >= 2  # lines and valves
    assert js("window.cockpitMap.map.hasLayer(window.cockpitMap.groups.pipes)")
    # the packed lines land where Leaflet puts their end points, at this zoom and after zooming
    import json

    sent = ctl._sent  # the last text sent per layer: wait until the page drew that one
    qtbot.waitUntil(lambda: any(d["layer"] == "pipes" and d["seq"] == json.loads(
        sent["pipes"])["seq"] for d in drawn), timeout=30_000)
    msg = json.loads(sent["pipes"])
    back = unpack(msg)
    n_main = sum(g["n"] for g in msg["groups"] if not g["main"])  # the first main's index
    for i in (0, min(n_main, msg["features"] - 1), msg["features"] - 1):
        k = next(j for j, g in enumerate(msg["groups"])
                 if i < sum(h["n"] for h in msg["groups"][:j + 1]))
        first = sum(h["n"] for h in msg["groups"][:k])
        for zoom_in in (0, 1):
            got = js(f"""(function () {{
                var m = window.cockpitMap.map, g = window.cockpitMap.groups.pipes.getLayers()[{k}];
                if ({zoom_in}) {{ m.setZoom(m.getZoom() + 1, {{animate: false}}); }}
                var p = m.project([{back['y1'][i]}, {back['x1'][i]}]).subtract(
                  m.getPixelOrigin());
                var q = g._px, j = 4 * ({i} - {first}) + 2;
                var out = [q[j] - p.x, q[j + 1] - p.y];
                if ({zoom_in}) {{ m.setZoom(m.getZoom() - 1, {{animate: false}}); }}
                return JSON.stringify(out); }})()""")
            dx, dy = json.loads(got)
            assert abs(dx) < 0.01 and abs(dy) < 0.01, (i, zoom_in, dx, dy)
    imp = network_for(catalog.con, catalog.fingerprint).at_point(lon, lat, "water").as_dict()
    ctl.show_network_impact(imp)
    # the segment, one ring per valve to close, the sites, the burst's own marker
    want = 1 + (1 if imp["cut_off_lines"] else 0) + len(imp["valves"]) + len(imp["critical"]) + 1
    qtbot.waitUntil(lambda: js("window.cockpitMap.impact.getLayers().length") == want,
                    timeout=10_000)
    # a drainage blockage: the blocked pipe, the area backing up, the sites, the outfall and
    # pumping stations (labelled), the blockage's marker
    dimp = network_for(catalog.con, catalog.fingerprint).at_point(lon, lat, "drainage").as_dict()
    assert dimp["outfall"] is not None
    ctl.show_network_impact(dimp)
    want = (1 + (1 if dimp["cut_off_lines"] else 0) + len(dimp["critical"]) + 1
            + len(dimp["pumps"]) + 1)
    qtbot.waitUntil(lambda: js("window.cockpitMap.impact.getLayers().length") == want,
                    timeout=10_000)
    legend = js("Array.from(document.querySelectorAll('.cockpit-legend'))"
                ".map(function (e) { return e.textContent; }).join(' ')")
    assert "排水" in legend
    ctl.show_network_impact({})
    qtbot.waitUntil(lambda: js("window.cockpitMap.impact.getLayers().length") == 0,
                    timeout=10_000)
    assert view.console_errors() == []
    from PySide6.QtCore import QThreadPool

    # no query left on the module's catalog: the page stops asking (a late viewport report
    # would start another), then the pool empties
    view.sig_viewport_changed.disconnect(ctl._on_viewport_changed)
    view.close()
    qtbot.waitUntil(lambda: QThreadPool.globalInstance().activeThreadCount() == 0,
                    timeout=60_000)
    del ctl
