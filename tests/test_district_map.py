"""The map on a district centre's dataset (issue 14, item 8): the boundaries hold only the
district's own polygon, its streets are the ranked units. What has a polygon is coloured;
the streets are drawn as coloured points at their centres and the legend says so; the
district's polygon carries its name; the legend counts risk points, it does not say
"density"."""

from __future__ import annotations

import importlib.util
import json
from datetime import datetime
from pathlib import Path

import pytest
from cockpit.datasets.catalog import open_catalog
from cockpit.layers.districts import DistrictLayer
from cockpit.layers.page import build_page

_spec = importlib.util.spec_from_file_location("hostile", Path(__file__).with_name("hostile.py"))
hostile = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(hostile)


@pytest.fixture(scope="module")
def district(tmp_path_factory: pytest.TempPathFactory):
    """The 渝北 dataset with the district's polygon only (and hostile names)."""
    data = hostile.make_hostile_district(tmp_path_factory.mktemp("district") / "data")
    cat = open_catalog(data, tmp_path_factory.mktemp("cache"))
    yield cat
    cat.close()


def streets(con) -> dict[str, str]:
    return dict(con.execute("SELECT code, name FROM admin_unit WHERE ranked").fetchall())


def test_streets_without_polygons_become_points(district) -> None:
    con = district.con
    data = DistrictLayer("density").query(con)
    ranked = streets(con)
    assert {u["code"] for u in data["units"]} == set(ranked)
    total = con.execute("SELECT count(*) FROM risk_point").fetchone()[0]
    assert sum(u["value"] for u in data["units"]) == total
    assert all(u["colour"].startswith("#") and u["lon"] and u["lat"] for u in data["units"])
    assert len({u["colour"] for u in data["units"]}) > 1  # the classes spread
    # the district's own polygon: its name and totals, not left empty
    (top,) = data["features"].values()
    assert top["name"] == hostile.TOP_NAME and top["value"] == total and top["outline"]
    assert data["note"] == f"{len(ranked)} 个镇街没有边界：以中心点着色"
    assert "密度" not in data["title"] and "镇街" in data["title"]
    ev = DistrictLayer("evaluation").query(con)
    assert {u["code"] for u in ev["units"]} == set(ranked) and "note" in ev


def test_streets_with_polygons_are_coloured_as_polygons(tmp_path: Path) -> None:
    from cockpit.datasets.generate import generate

    data = tmp_path / "data"
    generate(data, scale="small", seed=3, anchor="2026-11-20", district="500112")
    cat = open_catalog(data, tmp_path / "cache")
    try:
        msg = DistrictLayer("density").query(cat.con)
        assert set(msg["features"]) >= set(streets(cat.con))
        assert msg["units"] == [] and "note" not in msg
    finally:
        cat.close()


def js(qtbot, view, code: str):
    with qtbot.waitCallback(timeout=10_000) as cb:
        view.page().runJavaScript(code, 0, cb)
    return cb.args[0]


def test_the_page_draws_the_points_and_says_why(qtbot, district, tmp_path: Path) -> None:
    from cockpit.widgets.map_view import MapView

    from cockpit.controllers.map import MapController

    view = MapView()
    qtbot.addWidget(view)
    view.resize(900, 700)
    view.show()
    ctl = MapController(district, view, None, lambda: datetime(2026, 11, 20, 15))
    with qtbot.waitSignal(view.sig_ready, timeout=60_000):
        view.load_page(build_page(district.boundaries_geojson(), district.extent, tmp_path))
    qtbot.waitUntil(lambda: "districts" in view.drawn_layers, timeout=30_000)
    n = len(streets(district.con))
    assert js(qtbot, view, "window.cockpitMap.unitPoints.getLayers().length") == n
    legend = js(qtbot, view, "window.cockpitMap.legend().getContainer().innerText")
    assert f"{n} 个镇街没有边界" in legend and "风险点数" in legend and "密度" not in legend
    label = js(qtbot, view, "Object.values(window.cockpitMap.districts)[0]"
                            ".getTooltip().getContent().textContent")
    assert "渝北" in label and "\u202e" not in label  # named, as text, without the override
    tips = json.loads(js(qtbot, view, "JSON.stringify(window.cockpitMap.unitPoints.getLayers()"
                                      ".map(function (m) { return m.getTooltip().getContent()"
                                      ".textContent; }))"))
    assert len(tips) == n and all("风险点" in t for t in tips)
    assert view.console_errors() == []
    del ctl
