"""The map controller as a user drives it: filters narrow what the page is sent, a search
finds a place and flies there, a click shows the feature's detail (a bad click nothing)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cockpit.datasets.catalog import open_catalog
from PySide6.QtCore import QObject, Signal


class FakeView(QObject):
    """The map view's signals and the two calls the controller makes, recorded."""

    sig_viewport_changed = Signal(dict)
    sig_feature_clicked = Signal(dict)
    sig_layer_drawn = Signal(dict)
    sig_ready = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.layers: list[dict] = []
        self.commands: list[dict] = []

    def send_layer(self, text: str) -> None:
        self.layers.append(json.loads(text))

    def send_command(self, cmd: dict) -> None:
        self.commands.append(cmd)


@pytest.fixture(scope="module")
def catalog(small_dataset_master: Path, tmp_path_factory: pytest.TempPathFactory):
    cat = open_catalog(small_dataset_master, tmp_path_factory.mktemp("catalogs"))
    yield cat
    cat.close()


@pytest.fixture
def map_ctl(qtbot, catalog):
    from cockpit.widgets.map_side import MapSidePanel

    from cockpit.controllers.map import MapController

    side = MapSidePanel()
    qtbot.addWidget(side)
    view = FakeView()
    last = catalog.con.execute("SELECT max(occurred_at) FROM event").fetchone()[0]
    ctl = MapController(catalog, view, side, lambda: last)
    return ctl, view, side


def _points_sent(qtbot, view: FakeView, n_before: int) -> dict:
    qtbot.waitUntil(lambda: any(p["layer"] == "risk_points" for p in view.layers[n_before:]),
                    timeout=20_000)
    return [p for p in view.layers[n_before:] if p["layer"] == "risk_points"][-1]


def _levels(payload: dict) -> set[int]:
    """The risk levels a risk-point payload shows (points or cells' worst level)."""
    for key in ("level", "worst"):
        if key in payload:
            return {int(x) for x in payload[key]}
    raise AssertionError(f"no level column in {sorted(payload)}")


def test_the_level_filter_narrows_what_the_page_is_sent(qtbot, catalog, map_ctl) -> None:
    ctl, view, side = map_ctl
    w, s, e, n = catalog.extent
    view.sig_viewport_changed.emit({"west": w, "south": s, "east": e, "north": n, "zoom": 16,
                                    "seq": 1})
    everything = _levels(_points_sent(qtbot, view, 0))
    assert len(everything) >= 2
    qtbot.waitUntil(lambda: not ctl._running, timeout=20_000)
    n0 = len(view.layers)
    side.sig_levels_changed.emit([1])
    assert _levels(_points_sent(qtbot, view, n0)) == {1}
    # a layer switched off is hidden on the page and no longer queried
    ctl.set_visible("events", False)
    assert view.commands[-1] == {"cmd": "visible", "layer": "events", "on": False}


def test_search_finds_a_unit_and_choosing_a_point_flies_there_with_its_detail(
        qtbot, catalog, map_ctl) -> None:
    ctl, view, side = map_ctl
    name = catalog.con.execute("SELECT name FROM admin_unit WHERE level = 'district' "
                               "ORDER BY code LIMIT 1").fetchone()[0]
    got: list = []
    side.search.set_results = got.append  # what the panel would list
    side.search.sig_search_requested.emit(name)
    qtbot.waitUntil(lambda: bool(got), timeout=20_000)
    assert any(r["kind"] == "unit" and name in str(r.get("name")) for r in got[0]), got[0][:3]
    pid, lon, lat = catalog.con.execute("SELECT point_id, lon, lat FROM risk_point "
                                        "ORDER BY point_id LIMIT 1").fetchone()
    side.search.sig_result_chosen.emit({"kind": "risk_point", "id": pid, "lon": lon,
                                        "lat": lat, "zoom": 16})
    fly = view.commands[-1]
    # the map flies there and marks the place (a mark flies to it too)
    assert fly["cmd"] in ("fly_to", "mark") and (fly["lon"], fly["lat"]) == (lon, lat)
    qtbot.waitUntil(lambda: side.detail._detail.get("point_id") == pid, timeout=20_000)
    assert side.detail._detail["kind"] == "risk_point"


def test_a_click_shows_the_detail_and_a_bad_click_nothing(qtbot, catalog, map_ctl) -> None:
    ctl, view, side = map_ctl
    eid, title = catalog.con.execute("SELECT event_id, title FROM event "
                                     "ORDER BY event_id LIMIT 1").fetchone()
    view.sig_feature_clicked.emit({"layer": "events", "id": eid})
    qtbot.waitUntil(lambda: side.detail._detail.get("event_id") == eid, timeout=20_000)
    assert title in side.detail.title.text() and side.detail.dispatch.isVisibleTo(side)
    units: list[str] = []
    ctl.sig_unit_selected.connect(units.append)
    view.sig_feature_clicked.emit({"layer": "districts", "code": "500103"})
    assert units == ["500103"]
    before = dict(side.detail._detail)
    view.sig_feature_clicked.emit({"layer": "events", "id": "<script>"})  # ignored
    view.sig_feature_clicked.emit({"layer": "nonsense", "id": 1})
    qtbot.wait(0)
    assert side.detail._detail == before
    view.sig_feature_clicked.emit({"layer": "facilities", "id": -5})  # not found: said so
    qtbot.waitUntil(lambda: side.detail._detail == {"kind": "facility"}, timeout=20_000)
    assert side.detail.title.text() in ("未找到该要素", "Feature not found")
