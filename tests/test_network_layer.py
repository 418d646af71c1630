"""The pipe layer as a plain function: detail by zoom, and a burst's highlight payload."""

from __future__ import annotations

from pathlib import Path

import pytest
from cockpit.datasets.catalog import open_catalog
from cockpit.datasets.network.impact import network_for
from cockpit.layers.base import Viewport
from cockpit.layers.pipes import (
    EVERY_PIPE_FROM,
    MAINS_BELOW,
    PAD_DEG,
    VALVES_FROM,
    PipeLayer,
    has_pipes,
    impact_payload,
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
    city = PipeLayer().query(con, Viewport(w, s, e, n, 8))
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
    got = PipeLayer().query(con, vp)
    assert got["level"] == "all"
    # every pipe whose middle lies in the view (padded) is drawn, mains and distribution
    want = con.execute("""SELECT count(*) FROM network_pipe_xy
                          WHERE lon BETWEEN ? AND ? AND lat BETWEEN ? AND ?""",
                       [lon - d - PAD_DEG, lon + d + PAD_DEG, lat - d - PAD_DEG, lat + d + PAD_DEG]
                       ).fetchone()[0]
    assert len(got["x0"]) == want > 0
    assert set(got["main"].tolist()) == {0, 1}
    assert len(got["valve_lon"]) > 0
    assert set(got["net"].tolist()) == {0, 1, 2}  # water, gas and drainage
    assert got["networks"][2] == "drainage" and len(set(map(tuple, got["colours"]))) == 3
    # the district zoom sits between: fewer lines than every pipe
    mid = PipeLayer(max_features=100_000).query(
        con, Viewport(lon - 0.05, lat - 0.05, lon + 0.05, lat + 0.05, MAINS_BELOW + 1))
    assert mid["level"] == "trunk"
    every = PipeLayer(max_features=100_000).query(
        con, Viewport(lon - 0.05, lat - 0.05, lon + 0.05, lat + 0.05, EVERY_PIPE_FROM))
    assert 0 < len(mid["x0"]) < len(every["x0"])


def test_filters_and_the_feature_cap(catalog) -> None:
    con = catalog.con
    w, s, e, n = catalog.extent
    gas = PipeLayer().query(con, Viewport(w, s, e, n, 8), filters={"networks": ["gas"]})
    assert set(gas["net"].tolist()) == {1}
    # more pipes in view than the cap: a coarser drawing of the whole view, not a part
    lon, lat = _centre(con)
    vp = Viewport(lon - 0.02, lat - 0.02, lon + 0.02, lat + 0.02, VALVES_FROM)
    every = PipeLayer(max_features=100_000).query(con, vp)
    assert len(every["valve_lon"]) > 0
    cap = len(every["x0"]) - 1
    fits = PipeLayer(max_features=cap).query(con, vp)
    assert every["level"] == "all" and every["complete"]
    assert fits["level"] != "all" and fits["complete"] and 0 < len(fits["x0"]) <= cap
    assert len(fits["valve_lon"]) == 0  # valves go with every pipe only
    west, east = min(fits["x0"].min(), fits["x1"].min()), max(fits["x0"].max(), fits["x1"].max())
    assert west < lon - 0.01 and east > lon + 0.01  # the whole view, not its first rows
    # the coarsest drawing is cut at the cap, and says so
    capped = PipeLayer(max_features=5).query(con, Viewport(w, s, e, n, 15))
    assert len(capped["x0"]) == 5 and not capped["complete"]


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
