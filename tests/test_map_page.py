"""The map page in a real QtWebEngine: bridge round trip, offline, escaping, MBTiles."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from cockpit.datasets.catalog import open_catalog
from cockpit.layers.page import TILE_SCHEME_URL, build_page
from cockpit.widgets.map_view import MapView


def js(qtbot, view: MapView, code: str):
    """Run JavaScript in the page and wait for its result."""
    with qtbot.waitCallback(timeout=10_000) as cb:
        view.page().runJavaScript(code, 0, cb)
    return cb.args[0]


@pytest.fixture
def catalog(small_dataset_master: Path, tmp_path: Path):
    cat = open_catalog(small_dataset_master, tmp_path / "catalogs")
    yield cat
    cat.close()


def make_view(qtbot, page: Path) -> MapView:
    view = MapView()
    qtbot.addWidget(view)
    view.resize(900, 700)
    view.show()
    with qtbot.waitSignal(view.sig_ready, timeout=60_000):
        view.load_page(page)
    return view


def test_a_page_loaded_before_its_controller_draws_once_the_controller_is_there(
        qtbot, catalog, tmp_path: Path) -> None:
    """The application loads the page before the window is built: the page's reports (ready,
    the first viewport) are held until the controller listens, then it draws as usual."""
    from datetime import datetime

    from cockpit.controllers.map import MapController

    view = MapView()  # not shown yet: the page is laid out in a view without its size
    qtbot.addWidget(view)
    ready: list[bool] = []
    view.sig_ready.connect(lambda: ready.append(True))
    view.hold_signals()
    view.load_page(build_page(catalog.boundaries_geojson(), catalog.extent, tmp_path))
    qtbot.waitUntil(lambda: view.page_ready, timeout=60_000)
    qtbot.wait(300)  # the page's first viewport report comes right after ready
    assert ready == []  # held: nobody listened yet
    view.resize(900, 700)
    view.show()
    # shown at its size, the map fits the city again (it kept the first fit: a speck)
    span = ("(function () { var m = window.cockpitMap.map;"
            " if (m.getSize().x < 100) { return 1e9; }"  # not laid out yet
            " var b = m.getBounds(); return b.getEast() - b.getWest(); })()")
    west, _south, east, _north = catalog.extent
    qtbot.waitUntil(lambda: js(qtbot, view, span) < 3 * (east - west), timeout=10_000)
    ctl = MapController(catalog, view, None, lambda: datetime(2026, 11, 20, 15))
    view.release_signals()
    assert ready == [True]
    qtbot.waitUntil(lambda: {"risk_points", "districts"} <= view.drawn_layers, timeout=30_000)
    assert ctl.viewport is not None  # the held first viewport reached the controller


def test_bridge_round_trip(qtbot, catalog, tmp_path: Path) -> None:
    from datetime import datetime

    from cockpit.controllers.map import MapController

    page = build_page(catalog.boundaries_geojson(), catalog.extent, tmp_path)
    view = MapView()
    qtbot.addWidget(view)
    view.resize(900, 700)
    view.show()
    ctl = MapController(catalog, view, None, lambda: datetime(2026, 11, 20, 15))
    drawn: list[dict] = []
    view.sig_layer_drawn.connect(drawn.append)
    with qtbot.waitSignal(view.sig_viewport_changed, timeout=60_000) as vp_msg:
        view.load_page(page)
    assert {"west", "south", "east", "north", "zoom", "seq"} <= set(vp_msg.args[0])
    qtbot.waitUntil(lambda: {"risk_points", "events", "districts"} <= view.drawn_layers,
                    timeout=30_000)
    risk = [d for d in drawn if d["layer"] == "risk_points"]
    assert risk and risk[-1]["features"] > 0 and risk[-1]["ms"] > 0
    # zoom in on one point: the page asks again and gets single points
    lon, lat = catalog.con.execute("SELECT lon, lat FROM risk_point LIMIT 1").fetchone()
    n_before = len(drawn)
    view.send_command({"cmd": "set_view", "lon": lon, "lat": lat, "zoom": 16})
    qtbot.waitUntil(lambda: any(d["layer"] == "risk_points" for d in drawn[n_before:]),
                    timeout=30_000)
    assert js(qtbot, view, "window.cockpitMap.groups.risk_points.getLayers().length") >= 1
    with qtbot.waitSignal(view.sig_feature_clicked, timeout=10_000) as click:
        js(qtbot, view, "window.cockpitMap.groups.risk_points.getLayers()[0].fire('click'); 1")
    assert click.args[0]["layer"] == "risk_points" and isinstance(click.args[0]["id"], int)
    assert view.console_errors() == []
    assert view.blocked_requests() == []
    del ctl


def test_no_request_leaves_the_machine(qtbot, catalog, tmp_path: Path) -> None:
    view = make_view(qtbot, build_page(catalog.boundaries_geojson(), catalog.extent, tmp_path))
    w, s, e, n = catalog.extent
    for zoom in (8, 11, 14, 17):
        view.send_command({"cmd": "set_view", "lon": (w + e) / 2, "lat": (s + n) / 2,
                           "zoom": zoom})
        qtbot.wait(150)
    # the page took the moves and answers (its zoom is a number), so any request it would
    # make for them has been issued by now
    qtbot.waitUntil(lambda: isinstance(js(qtbot, view, "window.cockpitMap.map.getZoom()"),
                                       (int, float)), timeout=10_000)
    assert view.blocked_requests() == [] and view.console_errors() == []
    assert js(qtbot, view, "performance.getEntriesByType('resource')"
                           ".filter(function (r) { return /^https?:/.test(r.name); }).length") == 0
    # a script that tries to reach out is stopped by the content-security policy
    js(qtbot, view, "var i = new Image(); i.src = 'http://192.0.2.1/x.png'; 1")
    qtbot.waitUntil(lambda: any("Content Security Policy" in m and "192.0.2.1" in m
                                for m in view.console_errors()), timeout=5_000)


HOSTILE = [
    '<img src=x onerror="window.__pwned=1">',
    '<svg onload="window.__pwned=1"></svg>',
    '"><script>window.__pwned=1</script>',
    "</script><script>window.__pwned=1</script>",
    "javascript:window.__pwned=1",
    '<iframe src="javascript:window.__pwned=1"></iframe>',
    "<img src=x onerror=\"bridge.feature_clicked('{\\\"layer\\\":\\\"pwned\\\",\\\"id\\\":1}')\">",
    "{{7*7}} ${window.__pwned=1}",
    "<a href=\"javascript:window.__pwned=1\">x</a>",
    "\u202e<b onmouseover=window.__pwned=1>x</b>",
]


def hostile_boundaries(n: int) -> dict:
    feats = []
    for i in range(n):
        x, y = 106 + (i % 20) * 0.05, 29 + (i // 20) * 0.05
        ring = [[x, y], [x + 0.04, y], [x + 0.04, y + 0.04], [x, y + 0.04], [x, y]]
        feats.append({"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]},
                      "properties": {"adcode": f"H{i}", "name": HOSTILE[i % len(HOSTILE)]
                                     + f" #{i}"}})
    return {"type": "FeatureCollection", "features": feats}


def test_hostile_names_show_as_text_and_run_nothing(qtbot, tmp_path: Path) -> None:
    b = hostile_boundaries(300)
    view = make_view(qtbot, build_page(b, (105.9, 28.9, 107.1, 29.9), tmp_path))
    clicks: list[dict] = []
    view.sig_feature_clicked.connect(clicks.append)
    features = {f["properties"]["adcode"]: {"name": f["properties"]["name"], "colour": "#123456",
                                            "value": 1, "major": 0}
                for f in b["features"]}
    features["H1"]["colour"] = "red;background:url(http://192.0.2.1/x)"
    with qtbot.waitSignal(view.sig_layer_drawn, timeout=10_000):
        view.send_layer({"layer": "districts", "mode": "density", "features": features,
                         "legend": [{"colour": "#fff", "label": HOSTILE[0]}]})
    # open every tooltip and label, as a user hovering over each district would
    js(qtbot, view, "Object.values(window.cockpitMap.districts).forEach(function (l) {"
                    " l.openTooltip(); }); 1")
    # first prove that what a hostile name would trigger has had its chance: every tooltip is
    # in the page, and an image that fails to load after them (a probe set up by the test)
    # has fired its error handler — an injected <img onerror> would have fired by then too
    qtbot.waitUntil(lambda: js(qtbot, view, "document.querySelectorAll('.leaflet-tooltip')"
                                            ".length") >= 300, timeout=10_000)
    js(qtbot, view, "var p = new Image(); p.onerror = function () { window.__probe = 1; };"
                    " p.src = 'cockpit-missing-probe.png'; 1")
    qtbot.waitUntil(lambda: js(qtbot, view, "window.__probe === 1"), timeout=10_000)
    assert js(qtbot, view, "typeof window.__pwned") == "undefined"
    assert js(qtbot, view, "document.querySelectorAll('img, svg image, iframe, script[src^=\"x\"]')"
                           ".length") == 0
    text = js(qtbot, view, "document.body.innerText")
    assert HOSTILE[0] in text and "#299" in text  # shown, as text
    assert not [c for c in clicks if c.get("layer") == "pwned"]
    assert view.blocked_requests() == []


def tiny_mbtiles(path: Path) -> None:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QColor, QImage

    img = QImage(256, 256, QImage.Format.Format_RGB32)
    img.fill(QColor("#224466"))
    ba = QByteArray()
    buf = QBuffer(ba)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    img.save(buf, "PNG")
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
    con.execute("CREATE TABLE tiles "
                "(zoom_level INT, tile_column INT, tile_row INT, tile_data BLOB)")
    con.executemany("INSERT INTO metadata VALUES (?, ?)",
                    [("name", "test"), ("format", "png"), ("minzoom", "0"), ("maxzoom", "10")])
    for z in range(0, 9):
        for x in range(2 ** z):
            for y in range(2 ** z):
                if z <= 4 or (abs(x - 2 ** z * 0.795) < 3 and abs(y - 2 ** z * 0.42) < 3):
                    con.execute("INSERT INTO tiles VALUES (?, ?, ?, ?)",
                                (z, x, (2 ** z - 1) - y, bytes(ba.data())))
    con.commit()
    con.close()


def test_offline_mbtiles_base_map(qtbot, catalog, tmp_path: Path) -> None:
    from cockpit.datasets.tiles import MBTiles

    f = tmp_path / "base.mbtiles"
    tiny_mbtiles(f)
    mb = MBTiles(f)
    assert mb.tile(0, 0, 0) and mb.tile(0, 5, 5) is None
    page = build_page(catalog.boundaries_geojson(), catalog.extent, tmp_path, tiles=TILE_SCHEME_URL)
    view = MapView()
    qtbot.addWidget(view)
    view.resize(800, 600)
    view.set_tile_source(mb.tile, mb.mime)
    view.show()
    with qtbot.waitSignal(view.sig_ready, timeout=60_000):
        view.load_page(page)
    qtbot.waitUntil(lambda: view.tile_handler.served > 0, timeout=20_000)
    assert view.blocked_requests() == []
    assert not [e for e in view.console_errors() if "cockpit-tiles" not in e]


def test_intranet_tile_url_is_the_only_remote_origin(tmp_path: Path, catalog) -> None:
    page = build_page(catalog.boundaries_geojson(), catalog.extent, tmp_path,
                      tiles="http://tiles.intranet:8080/{z}/{x}/{y}.png")
    html = page.read_text("utf-8")
    csp_line = next(line for line in html.splitlines() if "Content-Security-Policy" in line)
    assert "http://tiles.intranet:8080" in csp_line
    with pytest.raises(ValueError):
        build_page(catalog.boundaries_geojson(), catalog.extent, tmp_path, tiles="ftp://x/{z}")


def test_csp_runs_only_the_pages_own_inline_scripts(qtbot, catalog, tmp_path: Path) -> None:
    """No 'unsafe-inline' for scripts (issue 14, item 7): the page's own inline script runs
    (the map draws, by its hash); a script or handler slipped into the page does not."""
    import re

    page = build_page(catalog.boundaries_geojson(), catalog.extent, tmp_path)
    html = page.read_text("utf-8")
    policy = re.search(r'Content-Security-Policy" content="([^"]*)"', html).group(1)
    script_src = next(d for d in policy.replace("&#x27;", "'").split(";")
                      if d.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src and "'sha256-" in script_src
    cut = html.rfind("</body>")
    injected = tmp_path / "injected.html"
    injected.write_text(html[:cut] + "<script>window.__injected = 1;</script>"
                        '<img src="x.png" onerror="window.__handler = 1">' + html[cut:],
                        "utf-8")
    view = make_view(qtbot, injected)
    qtbot.waitUntil(lambda: "districts" in view.drawn_layers or js(
        qtbot, view, "typeof window.cockpitMap") == "object", timeout=20_000)
    assert js(qtbot, view, "typeof window.cockpitMap") == "object"  # the map set itself up
    assert js(qtbot, view, "Object.keys(window.cockpitMap.districts).length") > 0
    assert js(qtbot, view, "typeof window.__injected") == "undefined"
    assert js(qtbot, view, "typeof window.__handler") == "undefined"
    assert any("Content Security Policy" in e for e in view.console_errors())
