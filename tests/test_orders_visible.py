"""Live mode on a dataset whose history ends in the past: every written order is listed.

The screen clock stops at the data's end; the live store stamps its rows by the wall clock
(UTC). An order written from the window, another seat or the API must be on the list all the
same (issue 14, item 1).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from cockpit.datasets import routing
from cockpit.datasets.catalog import open_catalog
from cockpit.datasets.dispatch import open_store
from cockpit.widgets.dispatch_panel import DispatchPanel
from PySide6.QtCore import QThreadPool

from cockpit.controllers.dispatch import DispatchController

SCREEN = datetime(2026, 11, 20, 12, 0, 0)  # the data's end: days before the wall clock
OFF = timedelta(hours=8)


@pytest.fixture(scope="module")
def catalog(small_dataset_master: Path, tmp_path_factory: pytest.TempPathFactory):
    cat = open_catalog(small_dataset_master, tmp_path_factory.mktemp("cache"))
    yield cat
    cat.close()


def _event(catalog) -> int:
    (eid,) = catalog.con.execute(
        "SELECT event_id FROM event WHERE occurred_at <= ? ORDER BY occurred_at DESC LIMIT 1",
        [SCREEN]).fetchone()
    return int(eid)


def test_an_order_written_by_the_wall_clock_is_listed_on_a_past_screen(qtbot, catalog,
                                                                        tmp_path):
    assert SCREEN < datetime.now() - timedelta(days=1)
    store = open_store(tmp_path / "dispatch.duckdb", seat="api")  # wall-clock UTC stamps
    try:
        eid = _event(catalog)
        con = catalog.cursor()
        try:
            plan = routing.plan_for_event(con, eid)
        finally:
            con.close()
        ids = store.create(eid, "接口", "api-1", plan=plan)  # as the API writes it
        panel = DispatchPanel()
        qtbot.addWidget(panel)
        ctl = DispatchController(catalog, store, lambda: SCREEN, panel,
                                 interval_ms=3_600_000, utc_offset=OFF, operator="张伟")
        ctl.start()
        qtbot.waitUntil(lambda: panel.orders_model.rowCount() == len(ids), timeout=10_000)
        assert {r["order_id"] for r in ctl.order_rows} == set(ids)
        # and an action written later still shows: the order moves on the list
        store.advance(ids[0], "acknowledge", "接口", "api-2")
        ctl.tick()
        qtbot.waitUntil(lambda: any(r["order_id"] == ids[0] and r["state"] == "acknowledged"
                                    for r in ctl.order_rows), timeout=10_000)
        ctl.stop()
    finally:
        QThreadPool.globalInstance().waitForDone(10_000)
        store.close()


def test_a_drill_store_on_the_screen_clock_still_lists_as_of_the_screen(qtbot, catalog,
                                                                          tmp_path):
    """A store that runs on the screen's clock (a drill's) is read as of that clock: a
    seek back hides what was written later."""
    t = {"now": SCREEN}
    store = open_store(tmp_path / "drill.duckdb", clock=lambda: t["now"] - OFF, seat="drill")
    try:
        eid = _event(catalog)
        t["now"] = SCREEN + timedelta(minutes=5)
        store.create(eid, "学员", "drill-1", dept_id="D-TEST", deadlines={"acknowledge": 5})
        t["now"] = SCREEN  # seek back before the order
        panel = DispatchPanel()
        qtbot.addWidget(panel)
        ctl = DispatchController(catalog, store, lambda: t["now"], panel,
                                 interval_ms=3_600_000, utc_offset=OFF, operator="学员")
        with qtbot.waitSignal(ctl.sig_ticked, timeout=10_000):
            ctl.start()
        assert ctl.order_rows == []
        t["now"] = SCREEN + timedelta(minutes=6)
        with qtbot.waitSignal(ctl.sig_ticked, timeout=10_000):
            ctl.tick()
        assert len(ctl.order_rows) == 1
        ctl.stop()
    finally:
        QThreadPool.globalInstance().waitForDone(10_000)
        store.close()
