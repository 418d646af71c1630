"""The map's side panel: layer tree, filters, search box and detail panel."""

from __future__ import annotations

from cockpit.widgets.map_side import DetailPanel, LayerTree, MapSidePanel
from PySide6.QtCore import Qt


def test_layer_tree_categories_and_toggles(qtbot) -> None:
    tree = LayerTree()
    qtbot.addWidget(tree)
    tree.set_categories([("A", "燃气管网", 10), ("B", "桥梁", 5)])
    assert tree.checked_categories() is None  # all checked: no filter
    parent = tree.topLevelItem(0)
    assert parent.child(0).text(0) == "燃气管网  10"
    with qtbot.waitSignal(tree.sig_categories_changed) as sig:
        parent.child(1).setCheckState(0, Qt.CheckState.Unchecked)
    assert sig.args[0] == ["A"]
    tree.set_categories([("A", "燃气管网", 3), ("B", "桥梁", 1)])  # new counts keep the checks
    assert tree.checked_categories() == ["A"]
    with qtbot.waitSignal(tree.sig_layer_toggled) as toggled:
        tree.set_on("events", False)
    assert toggled.args == ["events", False]


def test_detail_panel_shows_data_as_plain_text(qtbot) -> None:
    panel = DetailPanel()
    qtbot.addWidget(panel)
    hostile = "<img src=x onerror=alert(1)><b>bold?</b>"
    panel.show_detail("risk_point", {"name": hostile, "level": 1, "lon": 106.5, "lat": 29.5,
                                     "owner": hostile, "sensors": [], "events": []})
    assert hostile in panel.title.text()
    assert panel.title.textFormat() == Qt.TextFormat.PlainText
    with qtbot.waitSignal(panel.sig_dispatch_requested) as sig:
        panel.dispatch.click()
    assert sig.args[0]["kind"] == "risk_point" and sig.args[0]["name"] == hostile
    panel.show_detail("risk_point", None)
    assert panel.dispatch.isHidden()


def test_level_filter_and_search_debounce(qtbot) -> None:
    side = MapSidePanel()
    qtbot.addWidget(side)
    with qtbot.waitSignal(side.sig_levels_changed) as sig:
        side.level_boxes[4].setChecked(False)
    assert sig.args[0] == [1, 2, 3]
    with qtbot.waitSignal(side.search.sig_search_requested, timeout=2000) as q:
        side.search.edit.setText("解放碑")
    assert q.args[0] == "解放碑"
    side.search.set_results([{"kind": "unit", "id": "500103001", "name": "解放碑街道",
                              "lon": 106.57, "lat": 29.55, "zoom": 13}])
    with qtbot.waitSignal(side.search.sig_result_chosen) as chosen:
        side.search.edit.returnPressed.emit()
    assert chosen.args[0]["id"] == "500103001"


def test_detail_fields_are_named_in_words(qtbot, small_dataset_master, tmp_path) -> None:
    """No raw field name (point_id, owner_dept, last_inspected …) on screen (issue 14,
    item 10): every field of the layers' details has a translated label."""
    from cockpit.datasets.catalog import open_catalog
    from cockpit.layers.events import EventLayer
    from cockpit.layers.facilities import FacilityLayer
    from cockpit.layers.risk_points import RiskPointLayer
    from PySide6.QtWidgets import QFormLayout

    cat = open_catalog(small_dataset_master, tmp_path / "catalogs")
    try:
        con = cat.con
        pid = con.execute("SELECT point_id FROM risk_point WHERE point_id IN "
                          "(SELECT point_id FROM event) LIMIT 1").fetchone()[0]
        eid = con.execute("SELECT min(event_id) FROM event").fetchone()[0]
        fid = con.execute("SELECT min(facility_id) FROM facility").fetchone()[0]
        details = [("risk_point", RiskPointLayer().detail(con, pid, None)),
                   ("event", EventLayer().detail(con, eid)),
                   ("facility", FacilityLayer().detail(con, fid))]
    finally:
        cat.close()
    panel = DetailPanel()
    qtbot.addWidget(panel)
    for kind, detail in details:
        panel.show_detail(kind, detail)
        form = panel._form
        labels = [form.itemAt(r, QFormLayout.ItemRole.LabelRole).widget().text()
                  for r in range(form.rowCount())]
        values = [form.itemAt(r, QFormLayout.ItemRole.FieldRole).widget().text()
                  for r in range(form.rowCount())]
        assert labels and not [t for t in labels if t in detail or "_" in t], (kind, labels)
        assert not {"grid_worker", "ai_camera", "fire_station"} & set(values), values
