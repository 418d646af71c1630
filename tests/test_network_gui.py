"""A pipe event's dispatch: the preview shows the network impact, the order carries it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from cockpit.datasets.catalog import open_catalog
from cockpit.datasets.dispatch import open_store
from cockpit.widgets.dispatch_panel import DispatchPanel
from cockpit.widgets.dispatch_preview import DispatchPreview
from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtWidgets import QLabel

from cockpit.controllers.dispatch import DispatchController

OFF = timedelta(hours=8)


@pytest.fixture(scope="module")
def catalog(small_dataset_master: Path, tmp_path_factory: pytest.TempPathFactory):
    cat = open_catalog(small_dataset_master, tmp_path_factory.mktemp("cache"))
    yield cat
    cat.close()


def _texts(dlg: DispatchPreview) -> str:
    return "\n".join(lab.text() for lab in dlg.findChildren(QLabel))


def _event(catalog, network: str | None):
    cond = "t.network = ?" if network else "t.network IS NULL"
    args = [network] if network else []
    row = catalog.con.execute(f"""
        SELECT e.event_id, e.occurred_at FROM event e JOIN event_type t USING (type_id)
        WHERE {cond} AND e.district_code = '500103' ORDER BY e.event_id LIMIT 1""",
                              args).fetchone()
    assert row is not None
    return int(row[0]), row[1]


def _preview_of(qtbot, catalog, tmp_path, network: str | None):
    """A dispatch preview opened on an event of ``network`` (None: an event on no network):
    (store, controller, the impacts the map was sent)."""
    eid, at = _event(catalog, network)
    store = open_store(tmp_path / "d.duckdb", clock=lambda: at - OFF, seat="t")
    panel = DispatchPanel()
    qtbot.addWidget(panel)
    ctl = DispatchController(catalog, store, lambda: at, panel, interval_ms=3_600_000,
                             utc_offset=OFF, operator="张伟")
    shown: list = []
    ctl.sig_network_impact_shown.connect(shown.append)
    ctl.request_dispatch({"kind": "event", "event_id": eid})
    qtbot.waitUntil(lambda: ctl.preview is not None and ctl.preview.isVisible(), timeout=15_000)
    return store, ctl, shown


@pytest.mark.parametrize("network", ["water", "gas"])
def test_pipe_event_preview_shows_valves_and_the_order_carries_them(
        qtbot, catalog, tmp_path, network: str) -> None:
    store, ctl, shown = _preview_of(qtbot, catalog, tmp_path, network)
    dlg = ctl.preview
    net = dlg.preview["impact"]["network"]
    assert net["network"] == network and net["valves"]
    text = _texts(dlg)
    assert "阀门隔离" in text and "半径" not in text
    assert f"{len(net['valves'])} 个" in text
    assert f"{net['population']:,} 人" in text
    assert shown and shown[-1]["valves"] == net["valves"]  # the map gets the same result
    with qtbot.waitSignal(ctl.sig_dispatched, timeout=10_000):
        qtbot.keyClick(dlg, Qt.Key.Key_Return)
    log = store.log()
    notes = set(log[log["action"] == "create"]["note"])
    assert len(notes) == 1
    note = notes.pop()
    assert f"关闭阀门 {len(net['valves'])} 个" in note and str(net["valves"][0]["node_id"]) in note
    ctl.stop()
    QThreadPool.globalInstance().waitForDone(10_000)
    store.close()


def test_drainage_blockage_preview_shows_the_backed_up_area_and_the_order_carries_it(
        qtbot, catalog, tmp_path) -> None:
    store, ctl, shown = _preview_of(qtbot, catalog, tmp_path, "drainage")
    dlg = ctl.preview
    net = dlg.preview["impact"]["network"]
    assert net["network"] == "drainage" and not net["valves"] and net["outfall"]
    text = _texts(dlg)
    assert "上游回水" in text and "受影响小区" in text and net["outfall"]["name"] in text
    assert "阀门" not in text and "停水" not in text and "半径" not in text
    assert f"{net['population']:,} 人" in text
    assert shown and shown[-1]["outfall"] == net["outfall"]  # the map gets the same result
    from cockpit.layers.pipes import impact_payload

    marks = impact_payload(shown[-1])["marks"]
    assert marks[0][2] in ("outfall", "treatment_plant") and marks[0][3] == net["outfall"]["name"]
    with qtbot.waitSignal(ctl.sig_dispatched, timeout=10_000):
        qtbot.keyClick(dlg, Qt.Key.Key_Return)
    log = store.log()
    note = set(log[log["action"] == "create"]["note"]).pop()
    assert note.startswith("排水管网分析") and f"上游回水范围 {net['cut_off_pipes']} 根" in note
    assert net["outfall"]["name"] in note and "关闭阀门" not in note
    ctl.stop()
    QThreadPool.globalInstance().waitForDone(10_000)
    store.close()


def test_other_events_keep_the_radius(qtbot, catalog, tmp_path) -> None:
    store, ctl, shown = _preview_of(qtbot, catalog, tmp_path, None)
    assert "network" not in ctl.preview.preview["impact"]
    assert "半径" in _texts(ctl.preview) and shown == [{}]
    qtbot.keyClick(ctl.preview, Qt.Key.Key_Escape)
    ctl.stop()
    QThreadPool.globalInstance().waitForDone(10_000)
    store.close()


def test_water_main_drill_orders_and_report_carry_the_network_result(catalog, tmp_path):
    from cockpit.datasets.drill import DrillSession, after_action_report, shipped_scenarios
    from cockpit.datasets.network.impact import impact_for_event, order_note

    from cockpit.printing.drill_pdf import drill_report_html

    sc = next(s for s in shipped_scenarios() if s.id == "water-main-burst-yuzhong")
    inj = next(i for i in sc.injects if i.scored)
    # what the dispatch controller computes for the inject: a burst at the drill's place
    net = impact_for_event(catalog.con, catalog.fingerprint, inj.type_id,
                           sc.place["lon"], sc.place["lat"])
    assert net is not None and net.network == "water" and net.valves
    assert net.distance_m < 500  # the place of the drill lies on the Yuzhong network
    note = order_note(net)
    now = [sc.start_at() + timedelta(minutes=3)]
    with DrillSession(sc, tmp_path, None, lambda: now[0], session_id="net",
                      utc_offset=timedelta(0)) as sess:
        sess.store.create(inj.event_id, "trainee", "c", dept_id="D-500103-GS", deadlines={},
                          note=note)
        rep = after_action_report(sess, sc.window()[1])
    assert [r["note"] for r in rep["network"]] == [note]
    assert rep["network"][0]["inject"] == inj.n
    html = drill_report_html(rep)
    assert "管网影响" in html and f"关闭阀门 {len(net.valves)} 个" in html


def test_a_drill_order_with_a_drainage_blockage_carries_it_into_the_report(catalog, tmp_path):
    """A scenario may name ``network = "drainage"``: its order's note is the blockage's
    answer, and the after-action report lists it as it lists a burst's."""
    from cockpit.datasets.drill import DrillSession, after_action_report, shipped_scenarios
    from cockpit.datasets.network.impact import impact_for_event, order_note

    from cockpit.printing.drill_pdf import drill_report_html

    sc = next(s for s in shipped_scenarios() if s.id == "water-main-burst-yuzhong")
    inj = next(i for i in sc.injects if i.scored)
    net = impact_for_event(catalog.con, catalog.fingerprint, inj.type_id, sc.place["lon"],
                           sc.place["lat"], network="drainage")
    assert net is not None and net.network == "drainage" and net.outfall is not None
    note = order_note(net)
    now = [sc.start_at() + timedelta(minutes=3)]
    with DrillSession(sc, tmp_path, None, lambda: now[0], session_id="drain",
                      utc_offset=timedelta(0)) as sess:
        sess.store.create(inj.event_id, "trainee", "c", dept_id="D-500103-GS", deadlines={},
                          note=note)
        rep = after_action_report(sess, sc.window()[1])
    assert [r["note"] for r in rep["network"]] == [note]
    html = drill_report_html(rep)
    assert "上游回水范围" in html and net.outfall["name"] in html


def _biogas_dispatch(qtbot, catalog, tmp_path: Path) -> tuple[dict, str, dict]:
    """Run the biogas drill's scored inject through the dispatch controller (the drill
    session as its feed, as in the drill window) up to a confirmed dispatch: (the preview's
    impact, the orders' note, the after-action report)."""
    from cockpit.datasets.drill import DrillSession, after_action_report, shipped_scenarios

    sc = next(s for s in shipped_scenarios() if s.id == "biogas-septic-jiangbei")
    inj = next(i for i in sc.injects if i.scored)
    assert inj.network == "gas"  # the scenario names the network
    now = [sc.start_at() + timedelta(minutes=inj.at_min + 1)]
    with DrillSession(sc, tmp_path / "drills", None, lambda: now[0], session_id="gas",
                      utc_offset=OFF) as sess:
        panel = DispatchPanel()
        qtbot.addWidget(panel)
        ctl = DispatchController(catalog, sess.store, lambda: now[0], panel, feeds=[sess],
                                 interval_ms=3_600_000, utc_offset=OFF, operator="张伟")
        eid = str(inj.event_id)
        ctl.tick()
        qtbot.waitUntil(lambda: eid in ctl.feed_events, timeout=15_000)
        ctl.request_dispatch({"event_id": eid})
        qtbot.waitUntil(lambda: ctl.preview is not None and ctl.preview.isVisible(),
                        timeout=15_000)
        dlg = ctl.preview
        impact, text = dict(dlg.preview["impact"]), _texts(dlg)
        with qtbot.waitSignal(ctl.sig_dispatched, timeout=10_000):
            qtbot.keyClick(dlg, Qt.Key.Key_Return)
        log = sess.store.log()
        notes = set(log[log["action"] == "create"]["note"])
        ctl.stop()
        QThreadPool.globalInstance().waitForDone(10_000)
        rep = after_action_report(sess, sess.end)
    assert len(notes) == 1
    return {**impact, "text": text}, notes.pop(), rep


def test_the_biogas_drill_dispatch_uses_the_gas_network(qtbot, catalog, tmp_path) -> None:
    """ET-BIOGAS names no network; the drill's scenario does (gas): the preview, the orders
    and the after-action report carry the gas network's burst analysis, not the radius."""
    from cockpit.datasets.drill import shipped_scenarios
    from cockpit.datasets.network.impact import impact_for_event

    impact, note, rep = _biogas_dispatch(qtbot, catalog, tmp_path)
    net = impact["network"]
    assert net["network"] == "gas" and net["valves"] and net["distance_m"] < 1500
    # the analysis as live dispatch runs it for a gas event at the drill's place
    sc = next(s for s in shipped_scenarios() if s.id == "biogas-septic-jiangbei")
    assert impact_for_event(catalog.con, catalog.fingerprint, "ET-BIOGAS", sc.place["lon"],
                            sc.place["lat"]) is None  # the type alone names no network
    want = impact_for_event(catalog.con, catalog.fingerprint, "ET-BIOGAS", sc.place["lon"],
                            sc.place["lat"], network="gas").as_dict()
    for k in ("pipe_id", "valves", "segment_pipes", "cut_off_pipes", "communities",
              "households", "population", "critical"):
        assert net[k] == want[k], k  # valves to close, who loses gas
    assert "阀门隔离" in impact["text"] and "半径" not in impact["text"]
    assert note.startswith("燃气管网分析") and f"关闭阀门 {len(net['valves'])} 个" in note
    assert f"停气 {len(net['communities'])} 个村社 {net['households']:,} 户" in note
    assert [r["note"] for r in rep["network"]] == [note]


def test_without_a_gas_network_the_biogas_drill_keeps_the_radius(
        qtbot, small_dataset: Path, tmp_path) -> None:
    for f in small_dataset.glob("network_*.parquet"):
        f.unlink()
    cat = open_catalog(small_dataset, tmp_path / "catalogs")
    try:
        impact, note, rep = _biogas_dispatch(qtbot, cat, tmp_path)
    finally:
        cat.close()
    assert "network" not in impact and "半径" in impact["text"]
    assert note == "" and rep["network"] == []
