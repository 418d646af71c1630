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
    assert sum(f["value"] for f in [*data["features"].values(), *data["units"]]) == total
    assert all(f["colour"].startswith("#") for f in data["features"].values())
    assert len(data["legend"]) == 5


def test_evaluation_layer_colours_each_unit_by_its_score(catalog) -> None:
    """Each district's colour is the scheme's colour for its total score (the best level
    whose threshold it reaches, worked out here from the scheme's rows); a unit with a score
    is never the no-data grey, and the map is not one colour."""
    data = DistrictLayer("evaluation").query(catalog.con)
    scheme = sorted(catalog.con.execute(
        "SELECT min_score, colour FROM eval_scheme").fetchall(), reverse=True)
    # the functional zones' polygons are overlays: they are coloured at their centres
    every = {**data["features"], **{u["code"]: u for u in data["units"]}}
    scored = {c: f for c, f in every.items() if f["value"] is not None
              and f["value"] == f["value"]}
    assert len(scored) >= len(every) // 2
    for code, f in scored.items():
        expected = next((col for m, col in scheme if round(f["value"], 1) >= m), scheme[-1][1])
        assert f["colour"] == expected, (code, f)
    assert len({f["colour"] for f in scored.values()}) >= 2
    assert data["period"]
    ranked = catalog.con.execute(
        "SELECT count(DISTINCT unit_code) FROM kpi_value").fetchone()[0]
    assert len(data["features"]) + len(data["units"]) == ranked
    assert "note" not in data  # every unit has a boundary


def test_unknown_colouring_is_refused() -> None:
    with pytest.raises(ValueError):
        DistrictLayer("rainbow")


def sql_count(catalog, table: str, vp: Viewport, extra: str = "", params=()) -> int:
    return catalog.con.execute(
        f"SELECT count(*) FROM {table} WHERE lon BETWEEN ? AND ? AND lat BETWEEN ? AND ? "
        + extra, [vp.west, vp.east, vp.south, vp.north, *params]).fetchone()[0]


def test_risk_cells_when_zoomed_out_add_up(catalog) -> None:
    w, s, e, n = catalog.extent
    vp = Viewport(w, s, e, n, 7)
    data = RiskPointLayer(max_features=1000).query(catalog.con, vp)
    assert data["kind"] == "cells"
    assert sum(data["count"]) == sql_count(catalog, "risk_point", vp)
    assert set(data["worst"].tolist()) <= {1, 2, 3, 4}
    assert len(data["lon"]) <= 1000


def test_risk_points_in_a_view_equal_a_direct_count(catalog) -> None:
    lon, lat = catalog.con.execute(
        "SELECT lon, lat FROM risk_point ORDER BY point_id LIMIT 1").fetchone()
    vp = Viewport(lon - 0.05, lat - 0.05, lon + 0.05, lat + 0.05, 15)
    data = RiskPointLayer().query(catalog.con, vp)
    assert data["kind"] == "points"
    assert len(data["id"]) == sql_count(catalog, "risk_point", vp) >= 1
    assert all(vp.west <= x <= vp.east for x in data["lon"])
    assert all(vp.south <= y <= vp.north for y in data["lat"])


def test_level_and_category_filters(catalog) -> None:
    w, s, e, n = catalog.extent
    vp = Viewport(w, s, e, n, 12)
    layer = RiskPointLayer(max_features=100_000)
    major = layer.query(catalog.con, vp, filters={"levels": [1]})
    assert set(major["level"].tolist()) == {1}
    assert len(major["id"]) == sql_count(catalog, "risk_point", vp, "AND level = 1")
    cat = catalog.con.execute("SELECT category_id FROM risk_point LIMIT 1").fetchone()[0]
    one = layer.query(catalog.con, vp, filters={"categories": [cat]})
    assert len(one["id"]) == sql_count(catalog, "risk_point", vp, "AND category_id = ?", [cat])
    none = layer.query(catalog.con, vp, filters={"categories": []})
    assert len(none["id"]) == 0
    counts = layer.counts_by_category(catalog.con)
    assert sum(n for _c, _n, n in counts) == catalog.con.execute(
        "SELECT count(*) FROM risk_point").fetchone()[0]


def test_events_as_of_the_clock_with_states(catalog) -> None:
    from datetime import timedelta

    from cockpit.layers.events import STATE_CODES, EventLayer

    t = catalog.con.execute("SELECT max(occurred_at) FROM event").fetchone()[0]
    w, s, e, n = catalog.extent
    vp = Viewport(w, s, e, n, 8)
    data = EventLayer(window_hours=24).query(catalog.con, vp, t)
    expected = sql_count(catalog, "event", vp, "AND occurred_at <= ? AND occurred_at > ?",
                         [t, t - timedelta(hours=24)])
    assert len(data["id"]) == expected > 0
    first = int(data["id"][0])
    marked = EventLayer().query(catalog.con, vp, t, {"states": {first: "closed"}})
    assert int(marked["state"][0]) == STATE_CODES["closed"]
    earlier = EventLayer().query(catalog.con, vp, t - timedelta(days=1))
    assert first not in set(earlier["id"].tolist())  # nothing from after the clock


def test_density_cells_add_up(catalog) -> None:
    from cockpit.layers.density import DensityLayer

    w, s, e, n = catalog.extent
    vp = Viewport(w, s, e, n, 8)
    data = DensityLayer("risk").query(catalog.con, vp, None)
    assert int(data["count"].sum()) == sql_count(catalog, "risk_point", vp)
    assert data["cls"].max() == len(data["ramp"]) - 1


def test_facilities_in_view(catalog) -> None:
    from cockpit.layers.facilities import FacilityLayer

    w, s, e, n = catalog.extent
    vp = Viewport(w, s, e, n, 10)
    assert len(FacilityLayer().query(catalog.con, Viewport(w, s, e, n, 7))["id"]) == 0
    data = FacilityLayer().query(catalog.con, vp)
    assert len(data["id"]) == sql_count(catalog, "facility", vp)
    only = FacilityLayer().query(catalog.con, vp, filters={"kinds": ["hospital"]})
    assert set(only["kind"].tolist()) == {data["kinds"].index("hospital")}


def test_search_by_name_and_code_is_safe(catalog) -> None:
    from cockpit.layers.search import search

    code, name = catalog.con.execute(
        "SELECT code, name FROM admin_unit WHERE level = 'street' LIMIT 1").fetchone()
    by_name = search(catalog.con, name)
    assert by_name and by_name[0]["id"] == code
    assert any(r["id"] == code for r in search(catalog.con, code))
    assert search(catalog.con, "%") == [] or all("%" in r["name"] for r in search(catalog.con, "%"))
    assert search(catalog.con, "'; DROP TABLE risk_point; --") == []
    assert search(catalog.con, "") == []


def test_risk_point_detail_lists_sensors_and_events(catalog) -> None:
    pid = catalog.con.execute(
        "SELECT point_id FROM sensor WHERE point_id IS NOT NULL LIMIT 1").fetchone()[0]
    d = RiskPointLayer().detail(catalog.con, pid)
    assert d["point_id"] == pid and d["sensors"]
    assert RiskPointLayer().detail(catalog.con, -1) is None


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


def test_event_and_facility_detail_name_the_place_and_the_rules(catalog) -> None:
    """A clicked event shows its type's name, its district and street by name and its plan's
    time limits; a clicked facility its kind and district; an unknown id gives None."""
    from cockpit.layers.events import EventLayer
    from cockpit.layers.facilities import FacilityLayer

    con = catalog.con
    eid, title, type_name, district, street, react, plan = con.execute(
        "SELECT e.event_id, e.title, t.name, d.name, s.name, t.react_min, t.plan_id "
        "FROM event e JOIN event_type t USING (type_id) "
        "JOIN admin_unit d ON d.code = e.district_code "
        "JOIN admin_unit s ON s.code = e.street_code ORDER BY e.event_id LIMIT 1").fetchone()
    d = EventLayer().detail(con, eid)
    assert (d["event_id"], d["title"], d["type"], d["district"], d["street"]) == (
        eid, title, type_name, district, street)
    assert (d["react_min"], d["plan_id"]) == (react, plan)
    assert isinstance(d["occurred_at"], str) and d["occurred_at"][:2] == "20"
    assert EventLayer().detail(con, -123456) is None
    fid, name, kind, fdistrict = con.execute(
        "SELECT f.facility_id, f.name, f.kind, d.name FROM facility f "
        "JOIN admin_unit d ON d.code = f.district_code ORDER BY f.facility_id LIMIT 1").fetchone()
    f = FacilityLayer().detail(con, fid)
    assert (f["facility_id"], f["name"], f["kind"], f["district"]) == (fid, name, kind, fdistrict)
    assert FacilityLayer().detail(con, -1) is None
