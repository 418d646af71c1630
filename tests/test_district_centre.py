"""A district centre's own dataset (one district, streets ranked, no alarm → type link):
drills fit the dataset, and the loop create → list → advance → close works in the window,
alarms dispatch, and a fitting drill runs (issue 14, items 1–3 and its "done when")."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from cockpit.datasets import vitals as V
from cockpit.datasets.catalog import open_catalog
from cockpit.datasets.drill import available_scenarios, dataset_scenarios, scenario_misfit
from PySide6.QtCore import Qt, QThreadPool

DISTRICT = "500106"  # 沙坪坝区: none of the shipped scenarios is there

SCENARIO = """\
# 沙坪坝区的本中心场景（数据集自带）
id = "water-main-burst-shapingba"
title = "沙坪坝区供水主管爆管演练"
description = "三峡广场片区供水主管爆管，按 14 步预案联动处置。"
start_offset_min = -120
duration_min = 180

[place]
name = "沙坪坝区三峡广场"
district_code = "{district}"
lon = {lon}
lat = {lat}

[expected]
type_id = "ET-WATER-MAIN-BURST"
plan_id = "P-WATER-MAIN-BURST"
plan_steps = 14
departments = ["D-{district}-GS", "D-{district}-CGJ", "D-{district}-GAJ", "D-{district}-XF",
               "D-{district}-TXJ", "D-{district}-JXW", "D-{district}-YJJ"]

[targets]
dispatch = 3
react = 5
verify = 20
handle = 120

[[inject]]
at_min = 1
type_id = "ET-WATER-MAIN-BURST"
source = "sensor"
severity = 1
title = "三峡广场供水主管爆管，路面积水"
"""


@pytest.fixture(scope="module")
def district_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated one-district dataset as a district centre would have it: its vital signs
    carry no event_type_id column, and it brings one scenario of its own in drills/."""
    from cockpit.datasets import geography
    from cockpit.datasets.generate import generate

    out = tmp_path_factory.mktemp("district") / "沙坪坝区中心"
    generate(out, scale="small", seed=5, anchor="2026-11-20", district=DISTRICT)
    vs = out / "vital_sign.parquet"
    pq.write_table(pq.read_table(vs).drop_columns(["event_type_id"]), vs)
    (out / "dataset.json").unlink()  # a user's export has no manifest
    pt = geography.district_polygons()[DISTRICT].representative_point()
    (out / "drills").mkdir()
    (out / "drills" / "water_main_burst_shapingba.toml").write_text(
        SCENARIO.format(district=DISTRICT, lon=round(pt.x, 5), lat=round(pt.y, 5)), "utf-8")
    (out / "drills" / "broken.toml").write_text("id = \n", "utf-8")
    return out


@pytest.fixture(scope="module")
def catalog(district_dataset: Path, tmp_path_factory: pytest.TempPathFactory):
    cat = open_catalog(district_dataset, tmp_path_factory.mktemp("cache"))
    yield cat
    cat.close()


# ----------------------------------------------------------------- scenarios that fit


def test_only_scenarios_that_fit_the_dataset_are_offered(catalog, district_dataset) -> None:
    fit, unfit, problems = available_scenarios(catalog.con, district_dataset)
    assert [sc.id for sc in fit] == ["water-main-burst-shapingba"]
    assert len(unfit) == 4  # the shipped ones: other districts
    reasons = {sc.id: missing for sc, missing in unfit}
    assert "unit 500103" in reasons["water-main-burst-yuzhong"]
    assert "department D-500103-GS" in reasons["water-main-burst-yuzhong"]
    # the broken file is named, and skipped: never a traceback
    assert len(problems) == 1 and problems[0].startswith("broken.toml: not valid TOML")


def test_a_scenario_names_what_it_needs(district_dataset) -> None:
    import duckdb

    own, _ = dataset_scenarios(district_dataset)
    sc = own[0]
    con = duckdb.connect()
    con.execute("CREATE TABLE admin_unit (code VARCHAR)")
    con.execute("INSERT INTO admin_unit VALUES ('500106')")
    con.execute("CREATE TABLE event_type (type_id VARCHAR)")
    con.execute("CREATE TABLE department AS SELECT unnest(?::VARCHAR[]) AS dept_id",
                [list(sc.expected["departments"])[1:]])
    assert scenario_misfit(con, sc) == ["event type ET-WATER-MAIN-BURST",
                                        f"department D-{DISTRICT}-GS"]
    con.execute("INSERT INTO event_type VALUES ('ET-WATER-MAIN-BURST')")
    con.execute(f"INSERT INTO department VALUES ('D-{DISTRICT}-GS')")
    assert scenario_misfit(con, sc) == []


def test_the_alarm_link_is_absent_and_signs_have_no_type(catalog) -> None:
    signs = V.load_signs(catalog.con)
    assert len(signs) and set(signs.type_id) == {None}


# ----------------------------------------------------------------- the window


def _window(qtbot, catalog, **kw):
    from cockpit.window import MainWindow

    win = MainWindow(catalog, **kw)
    qtbot.addWidget(win)
    win.resize(1600, 900)
    win.show()
    with qtbot.waitSignal(win.sig_all_drawn, timeout=120_000):
        win.start()
    return win


def _close(win) -> None:
    """Stop the ticks and let the queries in flight end before the stores close."""
    for t in (win.dispatch_ctl, win.vitals, win.clock):
        t.stop()
    QThreadPool.globalInstance().waitForDone(20_000)
    win.close()
    QThreadPool.globalInstance().waitForDone(20_000)


def test_a_drill_of_a_scenario_that_does_not_fit_is_refused_with_the_reason(
        qtbot, catalog, monkeypatch, tmp_path) -> None:
    from cockpit.window import MainWindow

    monkeypatch.setenv("COCKPIT_DATA_HOME", str(tmp_path / "home"))
    with pytest.raises(ValueError, match="does not fit this dataset.*unit 500103"):
        MainWindow(catalog, mode="drill", scenario="water-main-burst-yuzhong")


def test_drill_mode_runs_the_datasets_own_scenario_with_place_names(
        qtbot, catalog, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("COCKPIT_DATA_HOME", str(tmp_path / "home"))
    win = _window(qtbot, catalog, mode="drill")  # no --scenario: the first that fits
    try:
        assert win.scenario.id == "water-main-burst-shapingba"
        assert "沙坪坝区供水主管爆管演练" in win.header.title.text()
        start = win.clock.now()
        win.clock.seek(start + timedelta(minutes=3))  # past the inject
        win.dispatch_ctl.tick()
        eid = str(win.scenario.injects[0].event_id)
        model = win.dispatch_panel.events_model
        qtbot.waitUntil(lambda: model.find(eid) >= 0, timeout=20_000)
        row = model.row(model.find(eid))
        assert row["district"] == "沙坪坝区" and DISTRICT not in row["place"]
        # the trainee dispatches it: the plan resolves to the district's departments
        win.dispatch_ctl.request_dispatch(row)
        qtbot.waitUntil(lambda: win.dispatch_ctl.preview is not None
                        and win.dispatch_ctl.preview.isVisible(), timeout=20_000)
        dlg = win.dispatch_ctl.preview
        assert len(dlg.preview["steps"]) == 14
        with qtbot.waitSignal(win.dispatch_ctl.sig_dispatched, timeout=20_000):
            qtbot.keyClick(dlg, Qt.Key.Key_Return)
        assert set(win.drill.store.orders()["event_id"]) == {eid}
    finally:
        _close(win)


def test_live_loop_on_the_district_dataset_create_list_advance_close_and_alarms(
        qtbot, catalog, monkeypatch, tmp_path) -> None:
    """The screen clock stops at the data's end (days ago); orders are stamped by the wall
    clock: they show all the same, move through the keys, and an alarm of a sign without a
    type is dispatched with the type the operator chooses."""
    from cockpit.controllers.store import default_store_path

    monkeypatch.setenv("COCKPIT_DATA_HOME", str(tmp_path / "home"))
    win = _window(qtbot, catalog)
    panel, ctl = win.dispatch_panel, win.dispatch_ctl
    try:
        assert win.clock.now() < datetime.now() - timedelta(days=1)
        qtbot.waitUntil(lambda: panel.events_model.rowCount() > 0, timeout=20_000)
        # create: the newest catalog event, from the list by its key
        eid = panel.events_model.row(0)["event_id"]
        assert panel.select_event(eid)
        qtbot.keyClick(panel.events_view, Qt.Key.Key_D)
        qtbot.waitUntil(lambda: ctl.preview is not None and ctl.preview.isVisible(),
                        timeout=20_000)
        with qtbot.waitSignal(ctl.sig_dispatched, timeout=20_000) as done:
            qtbot.keyClick(ctl.preview, Qt.Key.Key_Return)
        ids = done.args[1]
        # list: every order written shows, although the screen's clock is days behind
        qtbot.waitUntil(lambda: panel.orders_model.rowCount() >= len(ids), timeout=20_000)
        oid = ids[0]
        assert panel.select_order(oid)
        # advance … close, by the keys on the order list
        for key, state in ((Qt.Key.Key_A, "acknowledged"), (Qt.Key.Key_H, "handled"),
                           (Qt.Key.Key_V, "verified"), (Qt.Key.Key_C, "closed")):
            assert panel.select_order(oid)
            qtbot.keyClick(panel.orders_view, key)
            # every order action asks first (what it does to which order): Enter confirms
            qtbot.waitUntil(lambda: panel.action_dialog is not None
                            and panel.action_dialog.isVisible(), timeout=20_000)
            qtbot.keyClick(panel.action_dialog.note, Qt.Key.Key_Return)
            # the list shows the new state once the write is answered
            qtbot.waitUntil(lambda s=state: any(
                r["order_id"] == oid and r["state"] == s for r in ctl.order_rows),
                timeout=20_000)
            assert win.store.state(oid) == state
        assert list(win.store.history(oid)["action"]) == [
            "create", "acknowledge", "handle", "verify", "close"]
        # an alarm of a sign without a type: listed, dispatched with the chosen type
        signs = V.load_signs(catalog.con)
        i = next(k for k in range(len(signs)) if signs.alarm_high[k] > 0)
        alarm = V.alarm_event(signs, i, win.clock.now() - timedelta(minutes=1),
                              float(signs.alarm_high[i]) * 1.5)
        assert alarm["type_id"] is None
        win.vitals.sig_alarm_raised.emit(alarm)
        aid = str(alarm["event_id"])
        ctl.tick()
        qtbot.waitUntil(lambda: panel.events_model.find(aid) >= 0, timeout=20_000)
        old = ctl.preview  # the first dispatch's preview, still open with its answer
        if old is not None:
            old.close()
            qtbot.waitUntil(lambda: ctl.preview is not old, timeout=20_000)
        ctl.request_dispatch(panel.events_model.row(panel.events_model.find(aid)))
        qtbot.waitUntil(lambda: ctl.preview is not None and ctl.preview is not old
                        and ctl.preview.isVisible(), timeout=20_000)
        chooser = ctl.preview
        assert chooser.preview.get("needs_type"), sorted(chooser.preview)[:12]
        qtbot.keyClicks(chooser.type_combo.lineEdit(), "ET-WATER-PRESSURE")
        qtbot.keyClick(chooser, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: ctl.preview is not None and ctl.preview is not chooser
                        and ctl.preview.isVisible(), timeout=20_000)
        with qtbot.waitSignal(ctl.sig_dispatched, timeout=20_000) as done2:
            qtbot.keyClick(ctl.preview, Qt.Key.Key_Return)
        assert done2.args[0] == aid and done2.args[1]
        assert "预案生成失败" not in panel.message.text()
        assert default_store_path(catalog.data_dir).exists()
    finally:
        _close(win)


def test_report_of_the_district_dataset_names_its_directory(catalog, district_dataset) -> None:
    from cockpit.datasets.report import build_report

    rep = build_report(catalog.con, None, "absolute", kpi_detail=False)
    assert rep.dataset_title == district_dataset.name
