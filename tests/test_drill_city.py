"""A drill's city is whole: a dataset made on another day still has vital-sign readings for
every shipped scenario's window, so the gauges show the city at the drill's clock."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from cockpit.datasets.drill import shipped_scenarios
from cockpit.datasets.drill_city import add_scenario_readings, scenario_windows

#: anchor 2026-12-06 at the small scale: the generator's own readings start on 12-05
FIRST_GENERATED = datetime(2026, 12, 5)


@pytest.fixture(scope="module")
def far_dataset(tmp_path_factory) -> Path:
    """The small demo made 16 days after the biogas drill's fixed start."""
    from cockpit.datasets.generate import generate

    out = tmp_path_factory.mktemp("far") / "data"
    generate(out, scale="small", seed=7, anchor="2026-12-06")
    return out


def test_every_fixed_scenario_window_has_readings_for_every_sign(far_dataset, tmp_path):
    from cockpit.datasets import summary
    from cockpit.datasets.catalog import open_catalog

    cat = open_catalog(far_dataset, tmp_path / "catalogs")
    try:
        n_signs = cat.con.execute("SELECT count(*) FROM vital_sign").fetchone()[0]
        fixed = [s for s in shipped_scenarios() if s.start is not None]
        assert fixed
        for sc in fixed:
            start, end = sc.window()
            assert start < FIRST_GENERATED  # the drill lies before the generated days
            for t in (start, start + (end - start) / 2, end):
                st = summary.vital_status(cat.con, t)
                assert (st["status"] == "nodata").sum() == 0, (sc.id, t)
                assert len(st) == n_signs
    finally:
        cat.close()


def test_readings_keep_the_catalogs_order_and_the_days_shape(far_dataset):
    t = pq.read_table(far_dataset / "vital_reading.parquet")
    ids = t.column("indicator_id").to_pylist()
    ts = t.column("ts").to_pylist()
    # one block per indicator, by time inside each block
    changes = [i for i in range(1, len(ids)) if ids[i] != ids[i - 1]]
    assert len(changes) + 1 == len(set(ids))
    assert all(ts[i] > ts[i - 1] for i in range(1, len(ts)) if i not in set(changes))
    # a drill's reading is the same hour's reading whole days later (the dataset's own shape)
    values = dict(zip(zip(ids, ts), t.column("value").to_pylist()))
    sc = next(s for s in shipped_scenarios() if s.id == "biogas-septic-jiangbei")
    at = sc.window()[0]
    sign = ids[0]
    later = [values.get((sign, at + timedelta(days=d))) for d in range(1, 30)]
    assert values[(sign, at)] == next(v for v in later if v is not None)


def test_a_covered_window_adds_nothing() -> None:
    base = datetime(2026, 1, 1)
    ts = pa.array([base + timedelta(minutes=15 * i) for i in range(8)] * 2, pa.timestamp("us"))
    table = pa.table({"indicator_id": ["a"] * 8 + ["b"] * 8, "ts": ts,
                      "value": [float(i) for i in range(16)]})
    inside = [(base + timedelta(minutes=15), base + timedelta(minutes=60))]
    assert add_scenario_readings(table, 2, 15, inside) is table
    assert scenario_windows([]) == []


def test_a_drill_starts_at_a_plausible_load(qtbot, small_dataset_master, tmp_path, monkeypatch):
    """The background waiting at the drill's start is what was still open then (the duty
    queue), not two hours' worth of events, most of them already overdue."""
    from cockpit.datasets import summary
    from cockpit.datasets.catalog import open_catalog

    from cockpit.window import MainWindow

    monkeypatch.setenv("COCKPIT_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("COCKPIT_DATA_HOME", str(tmp_path / "home"))
    cat = open_catalog(small_dataset_master, tmp_path / "catalogs")
    win = MainWindow(cat, mode="drill", scenario="biogas-septic-jiangbei")
    qtbot.addWidget(win)
    win.show()
    win.start()
    try:
        qtbot.waitUntil(lambda: len(win.dispatch_ctl.event_rows) > 0, timeout=60_000)
        now = win.clock.now()
        # the background is the duty queue at the drill's start: the events still open then
        # (event.closed_at), tens of them — not every event of the last hours
        background = [r for r in win.dispatch_ctl.event_rows
                      if not str(r["event_id"]).startswith("-")]
        assert len(background) <= 80
        two_hours = cat.con.execute(
            "SELECT count(*) FROM event WHERE occurred_at > ? - INTERVAL 2 HOUR "
            "AND occurred_at <= ?", [now, now]).fetchone()[0]
        assert len(background) < two_hours
        # the vital signs read values at the drill's clock, not 无数据
        st = summary.vital_status(cat.con, now)
        assert (st["status"] != "nodata").all()
    finally:
        win.close()
        cat.close()


def _tile_row(win, indicator_id: str) -> dict | None:
    """The row of an indicator as the vital-sign panel's 气 tile shows it (None: not shown)."""
    tile = win.vitals_view.tiles.get("气")
    return next((r for r in (tile._worst if tile else []) if r["indicator_id"] == indicator_id),
                None)


def test_the_biogas_inject_moves_its_gauge_and_its_alarm_is_the_inject(
        qtbot, small_dataset_master, tmp_path, monkeypatch):
    """Played at 60×, the biogas drill's methane reading crosses its limit on the 气 tile two
    minutes in (normal → alarm, 4 → 32 %LEL, then 41), and the alarm is the inject's event:
    one row in the event list with the inject's id, dispatchable with the biogas plan."""
    from cockpit.datasets.catalog import open_catalog
    from PySide6.QtCore import QThreadPool

    from cockpit.window import MainWindow

    monkeypatch.setenv("COCKPIT_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("COCKPIT_DATA_HOME", str(tmp_path / "home"))
    cat = open_catalog(small_dataset_master, tmp_path / "catalogs")
    win = MainWindow(cat, mode="drill", scenario="biogas-septic-jiangbei")
    qtbot.addWidget(win)
    win.resize(1600, 900)
    win.show()
    win.start()
    try:
        inj = next(i for i in win.scenario.injects if i.scored)
        assert inj.kind == "vital" and inj.at_min > 0
        alarms = []
        win.vitals.sig_alarm_raised.connect(alarms.append)
        qtbot.waitUntil(lambda: win.vitals.last is not None, timeout=60_000)
        (script,) = win.vitals.monitor.scripts
        sign = script.indicator_id
        # the small demo has no 江北区化粪池甲烷浓度: the drill brings its own, limit 25 %LEL
        assert sign.startswith("DRILL-")
        tile = win.vitals_view.tiles["气"]
        before = dict(tile._counts)
        row = win.vitals.last.status
        i = win.vitals.monitor.signs.index[sign]
        assert row.state_name(i) == "normal" and row.value[i] == 4.0
        assert not any(a["indicator_id"] == sign for a in alarms)

        win.clock.set_speed(60)
        win.clock.play()
        qtbot.waitUntil(lambda: (_tile_row(win, sign) or {}).get("status") == "alarm",
                        timeout=60_000)
        shown = _tile_row(win, sign)
        assert shown["value"] >= 32.0 > shown["alarm_high"] == 25.0
        assert tile.state() == "alarm"
        assert tile._counts["alarm"] == before.get("alarm", 0) + 1
        assert any(f"{shown['value']:g} %LEL" in line for line in tile.text_lines())
        # the alarm is the inject's event (its id), raised when the reading crossed
        raised = [a for a in alarms if a["indicator_id"] == sign]
        assert [a["event_id"] for a in raised] == [inj.event_id]
        assert raised[0]["occurred_at"] == win.drill.inject_time(inj)
        qtbot.waitUntil(lambda: (_tile_row(win, sign) or {}).get("value") == 41.0,
                        timeout=60_000)  # the second inject: still rising
        win.clock.pause()
        qtbot.waitUntil(lambda: any(str(r["event_id"]) == str(inj.event_id)
                                    for r in win.dispatch_ctl.event_rows), timeout=30_000)
        rows = [r for r in win.dispatch_ctl.event_rows if str(r["event_id"]) == str(inj.event_id)]
        assert len(rows) == 1  # the alarm and the drill's inject are one event
        win.dispatch_ctl.request_dispatch({"event_id": str(inj.event_id)})
        qtbot.waitUntil(lambda: win.dispatch_ctl.preview is not None, timeout=30_000)
        assert win.dispatch_ctl.preview.preview["plan_id"] == "P-BIOGAS"
        win.dispatch_ctl.preview.reject()
    finally:
        win.close()
        QThreadPool.globalInstance().waitForDone(60_000)
        cat.close()
