"""Map layers as plain functions over a catalog, without Qt; and the offline page."""

from __future__ import annotations

from pathlib import Path

import pytest
from cockpit.datasets.catalog import open_catalog
from cockpit.layers.base import Viewport
from cockpit.layers.districts import DistrictLayer
from cockpit.layers.page import REMOTE_REF, build_page
from cockpit.layers.risk_points import RiskPointLayer


@pytest.fixture(scope="module")
def catalog(small_dataset_master: Path, tmp_path_factory: pytest.TempPathFactory):
    cat = open_catalog(small_dataset_master, tmp_path_factory.mktemp("cache"))
    yield cat
    cat.close()


def test_density_layer_counts_every_point(catalog) -> None:
    data = DistrictLayer("density").query(catalog.con)
    total = catalog.con.execute("SELECT count(*) FROM risk_point").fetchone()[0]
    assert sum(f["value"] for f in data["features"].values()) == total
    assert all(f["colour"].startswith("#") for f in data["features"].values())
    assert len(data["legend"]) == 5


def test_evaluation_layer_uses_the_scheme_colours(catalog) -> None:
    data = DistrictLayer("evaluation").query(catalog.con)
    scheme = {r[0] for r in catalog.con.execute("SELECT colour FROM eval_scheme").fetchall()}
    colours = {f["colour"] for f in data["features"].values()}
    assert colours <= scheme | {"#5a6270"}
    assert data["period"]
    ranked = catalog.con.execute(
        "SELECT count(DISTINCT unit_code) FROM kpi_value").fetchone()[0]
    assert len(data["features"]) == ranked


def test_unknown_colouring_is_refused() -> None:
    with pytest.raises(ValueError):
        DistrictLayer("rainbow")


def test_risk_cells_when_zoomed_out_add_up(catalog) -> None:
    w, s, e, n = catalog.extent
    data = RiskPointLayer().query(catalog.con, Viewport(w, s, e, n, 7))
    assert data["kind"] == "cells"
    total = catalog.con.execute("SELECT count(*) FROM risk_point").fetchone()[0]
    assert sum(data["count"]) == total
    assert set(data["worst"]) <= {1, 2, 3, 4}
    assert len(data["lon"]) <= 5000


def test_risk_points_when_zoomed_in_stay_in_view_and_filter(catalog) -> None:
    lon, lat = catalog.con.execute(
        "SELECT lon, lat FROM risk_point ORDER BY point_id LIMIT 1").fetchone()
    vp = Viewport(lon - 0.05, lat - 0.05, lon + 0.05, lat + 0.05, 15)
    layer = RiskPointLayer(max_features=50)
    data = layer.query(catalog.con, vp)
    assert data["kind"] == "points" and 1 <= len(data["id"]) <= 50
    assert all(vp.west <= x <= vp.east for x in data["lon"])
    assert all(vp.south <= y <= vp.north for y in data["lat"])
    only_major = layer.query(catalog.con, vp, filters={"levels": [1]})
    assert set(only_major["level"]) <= {1}


def test_viewport_rejects_nonsense() -> None:
    with pytest.raises(ValueError):
        Viewport.from_dict({"west": 1e9, "south": 0, "east": 1, "north": 1, "zoom": 3})
    with pytest.raises(KeyError):
        Viewport.from_dict({"west": 1})


def test_page_has_no_network_reference(catalog, tmp_path: Path) -> None:
    page = build_page(catalog.boundaries_geojson(), catalog.extent, tmp_path)
    html = page.read_text("utf-8")
    assert not REMOTE_REF.search(html)
    assert "cdn" not in html.lower() and "jquery" not in html.lower()
    assert "Content-Security-Policy" in html
    assert "leaflet.js" in html and "qwebchannel.js" in html


def test_remote_reference_pattern_catches_cdn_links() -> None:
    assert REMOTE_REF.search('<script src="https://cdn.jsdelivr.net/npm/leaflet.js">')
    assert REMOTE_REF.search("<link href='//example.org/x.css'>")
    assert not REMOTE_REF.search('<script src="file:///opt/leaflet.js">')
