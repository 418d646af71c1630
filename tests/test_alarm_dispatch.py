"""An alarm of a vital sign the dataset links to no event type is listed and dispatched
with a type the operator chooses in the preview — never a traceback (issue 14, item 2)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from cockpit.datasets.catalog import open_catalog
from cockpit.datasets.dispatch import open_store
from cockpit.widgets.dispatch_panel import DispatchPanel
from PySide6.QtCore import Qt, QThreadPool

from cockpit.controllers.alarms import VitalAlarmSource
from cockpit.controllers.dispatch import DispatchController

NOW = datetime(2026, 11, 20, 12, 0, 0)
OFF = timedelta(hours=8)


@pytest.fixture(scope="module")
def catalog(small_dataset_master: Path, tmp_path_factory: pytest.TempPathFactory):
    cat = open_catalog(small_dataset_master, tmp_path_factory.mktemp("cache"))
    yield cat
    cat.close()


def _alarm(catalog) -> dict:
    lon, lat = catalog.con.execute(
        "SELECT lon, lat FROM risk_point ORDER BY point_id LIMIT 1").fetchone()
    return {"event_id": 1 << 52 | 77, "indicator_id": "VS-X", "name": "某自定义指标",
            "type_id": None, "occurred_at": NOW - timedelta(minutes=2), "lon": lon,
            "lat": lat, "severity": 2, "side": "high", "value": 9.5, "threshold": 8.0,
            "unit": "m"}


def test_an_alarm_without_type_is_listed_and_dispatched_with_the_chosen_type(
        qtbot, catalog, tmp_path):
    store = open_store(tmp_path / "d.duckdb", clock=lambda: NOW - OFF, seat="t")
    src = VitalAlarmSource()
    alarm = _alarm(catalog)
    src.push(alarm)
    panel = DispatchPanel()
    qtbot.addWidget(panel)
    ctl = DispatchController(catalog, store, lambda: NOW, panel, feeds=[src],
                             interval_ms=3_600_000, utc_offset=OFF, operator="张伟")
    seen: list[dict] = []
    ctl.suggest_type = lambda ev: seen.append(ev) or None  # the router's hook is asked
    try:
        ctl.start()
        eid = str(alarm["event_id"])
        qtbot.waitUntil(lambda: panel.events_model.find(eid) >= 0, timeout=10_000)
        row = panel.events_model.row(panel.events_model.find(eid))
        assert "某自定义指标" in row["title"]
        ctl.request_dispatch(row)
        qtbot.waitUntil(lambda: ctl.preview is not None and ctl.preview.isVisible(),
                        timeout=10_000)
        dlg = ctl.preview
        assert dlg.preview["needs_type"] and dlg.steps_table is None
        assert seen and seen[0]["event_id"] == eid
        assert "预案生成失败" not in panel.message.text()
        # Enter with nothing chosen: it says so, nothing is written
        qtbot.keyClick(dlg, Qt.Key.Key_Return)
        assert dlg.isVisible() and "请选择" in dlg.status.text()
        (tid,) = catalog.con.execute(
            "SELECT type_id FROM event_type WHERE plan_id IS NOT NULL "
            "ORDER BY type_id LIMIT 1").fetchone()
        dlg.type_combo.setFocus()
        # typed by its id (QTest types ASCII only; a name works the same way)
        qtbot.keyClicks(dlg.type_combo.lineEdit(), tid)
        with qtbot.waitSignal(dlg.sig_type_chosen, timeout=5_000) as chosen:
            qtbot.keyClick(dlg, Qt.Key.Key_Return)
        assert chosen.args == [tid]
        qtbot.waitUntil(lambda: ctl.preview is not None and ctl.preview is not dlg
                        and ctl.preview.isVisible(), timeout=10_000)
        plan_dlg = ctl.preview
        assert plan_dlg.preview["steps"] and plan_dlg.preview["event"]["type_id"] == tid
        with qtbot.waitSignal(ctl.sig_dispatched, timeout=10_000) as done:
            qtbot.keyClick(plan_dlg, Qt.Key.Key_Return)
        assert done.args[0] == eid and done.args[1]
        assert set(store.orders()["event_id"]) == {eid}
        # the list now shows the chosen type on the alarm
        assert ctl.feed_events[eid].type_id == tid
        ctl.stop()
    finally:
        QThreadPool.globalInstance().waitForDone(10_000)
        store.close()
