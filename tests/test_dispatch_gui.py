"""The dispatch screen with a real store: countdowns, filters, keys, the preview, the lock."""

from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from cockpit.datasets import routing
from cockpit.datasets.catalog import open_catalog
from cockpit.datasets.dispatch import StoreWriteError, open_store
from cockpit.datasets.event_feed import FeedBatch, FeedEvent
from cockpit.widgets.dispatch_panel import (
    OVERDUE_BG,
    DispatchPanel,
    EventsModel,
    OrdersFilter,
    OrdersModel,
    fmt_span,
)
from PySide6.QtCore import Qt, QThreadPool

from cockpit.controllers.dispatch import DispatchController, live_feeds
from cockpit.controllers.store import open_default_store

NOW = datetime(2026, 11, 20, 12, 0, 0)  # screen time (local) inside the small dataset's day
OFF = timedelta(hours=8)


class Clock:
    """The screen's clock (local) and the store's (UTC), moved together."""

    def __init__(self) -> None:
        self.now = NOW

    def local(self) -> datetime:
        return self.now

    def utc(self) -> datetime:
        return self.now - OFF


@pytest.fixture(scope="module")
def catalog(small_dataset_master: Path, tmp_path_factory: pytest.TempPathFactory):
    cat = open_catalog(small_dataset_master, tmp_path_factory.mktemp("cache"))
    yield cat
    cat.close()


@pytest.fixture(scope="module")
def recent(catalog) -> list[int]:
    """Catalog events of the last two hours before NOW, newest first, in two districts."""
    rows = catalog.con.execute(
        "SELECT event_id, district_code FROM event WHERE occurred_at <= ? AND occurred_at > ? "
        "ORDER BY occurred_at DESC", [NOW, NOW - timedelta(hours=2)]).fetchall()
    assert len(rows) >= 4 and len({d for _, d in rows}) >= 2
    return [int(e) for e, _ in rows]


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path, clock):
    s = open_store(tmp_path / "dispatch.duckdb", clock=clock.utc, seat="test-seat")
    yield s
    QThreadPool.globalInstance().waitForDone(10_000)
    s.close()


class Counting:
    """Wraps a store method, counting calls (and running a hook before the call)."""

    def __init__(self, fn, before=None):
        self.fn, self.before, self.calls = fn, before, []

    def __call__(self, *a, **kw):
        self.calls.append((a, kw))
        if self.before:
            self.before(len(self.calls), a, kw)
        return self.fn(*a, **kw)


def make(qtbot, catalog, store, clock, **kw):
    panel = DispatchPanel()
    qtbot.addWidget(panel)
    panel.resize(1900, 330)
    panel.show()
    ctl = DispatchController(catalog, store, clock.local, panel, interval_ms=3_600_000,
                             utc_offset=OFF, operator="张伟", **kw)
    return panel, ctl


def start(qtbot, panel, ctl, orders: int | None = None):
    ctl.start()
    qtbot.waitUntil(lambda: panel.events_model.rowCount() > 0, timeout=10_000)
    if orders is not None:
        qtbot.waitUntil(lambda: panel.orders_model.rowCount() == orders, timeout=10_000)


def dispatch(catalog, store, clock, event_id, minutes_ago: float = 0.0) -> list[str]:
    con = catalog.cursor()
    try:
        plan = routing.plan_for_event(con, event_id)
    finally:
        con.close()
    keep = clock.now
    clock.now = keep - timedelta(minutes=minutes_ago)
    try:
        return store.create(event_id, "值班员", f"setup-{event_id}", plan=plan)
    finally:
        clock.now = keep


def cell(model, row: int, key: str, role=Qt.ItemDataRole.DisplayRole):
    return model.data(model.index(row, model.column_of(key)), role)


def stop(ctl):
    ctl.stop()
    QThreadPool.globalInstance().waitForDone(10_000)


# ------------------------------------------------------------------ orders and countdowns


def test_orders_show_live_countdowns_without_a_query_per_second(qtbot, catalog, store, clock,
                                                                 recent):
    ids = dispatch(catalog, store, clock, recent[0], minutes_ago=1)
    panel, ctl = make(qtbot, catalog, store, clock)
    spy = Counting(store.orders)
    store.orders = spy
    start(qtbot, panel, ctl, orders=len(ids))
    m = panel.orders_model
    row = m.row(0)
    ack = row["dues"]["acknowledge"]
    assert row["created_at"] == NOW - timedelta(minutes=1)  # store UTC shown as local time
    left = (ack - NOW).total_seconds()
    assert cell(m, 0, "countdown") == f"签收 剩 {fmt_span(left)}"
    assert cell(m, 0, "state") == "待签收"
    assert cell(m, 0, "countdown", Qt.ItemDataRole.BackgroundRole) is None
    queries = len(spy.calls)
    for s in range(1, 4):  # the panel counts down by itself
        clock.now = NOW + timedelta(seconds=s)
        panel.tick()
        assert cell(m, 0, "countdown") == f"签收 剩 {fmt_span(left - s)}"
    assert len(spy.calls) == queries
    # past the deadline: red, and it says so in words and a sign
    clock.now = ack + timedelta(seconds=65)
    panel.tick()
    assert cell(m, 0, "countdown") == "⚠ 签收 超时 +01:05"
    assert cell(m, 0, "state") == "⚠ 待签收"
    bg = cell(m, 0, "title", Qt.ItemDataRole.BackgroundRole)
    assert bg is not None and bg.color().name() == OVERDUE_BG
    assert "超时" in panel.orders_count.text()
    # the controller's next look raises the alert and tells the map
    with qtbot.waitSignal(ctl.sig_alert, timeout=10_000) as alert, \
            qtbot.waitSignal(ctl.sig_event_states_changed, timeout=10_000) as states:
        ctl.tick()
    assert "超时" in alert.args[0]
    assert states.args[0] == {recent[0]: "overdue"}
    stop(ctl)


def test_filters_by_department_district_state_and_overdue(qtbot, catalog, store, clock, recent):
    con = catalog.cursor()
    dist = dict(con.execute("SELECT event_id, district_code FROM event WHERE event_id IN "
                            "(SELECT unnest(?::BIGINT[]))", [recent]).fetchall())
    con.close()
    e1 = recent[0]
    e2 = next(e for e in recent if dist[e] != dist[e1])
    a = dispatch(catalog, store, clock, e1, minutes_ago=60)  # long overdue
    b = dispatch(catalog, store, clock, e2, minutes_ago=0)
    panel, ctl = make(qtbot, catalog, store, clock)
    start(qtbot, panel, ctl, orders=len(a) + len(b))
    store.advance(b[0], "acknowledge", "x", "ack-b0")
    ctl.tick()
    qtbot.waitUntil(lambda: any(r["state"] == "acknowledged" for r in panel.visible_orders()))
    assert {r["order_id"] for r in panel.visible_orders()} == set(a + b)
    dept = panel.orders_model.row(0)["dept_id"]
    panel.set_filters(dept=dept)
    assert panel.visible_orders() and {r["dept_id"] for r in panel.visible_orders()} == {dept}
    assert panel.dept_box.currentData() == dept
    panel.set_filters(district=dist[e2])
    assert {r["order_id"] for r in panel.visible_orders()} == set(b)
    panel.set_filters(state="acknowledged")
    assert [r["order_id"] for r in panel.visible_orders()] == [b[0]]
    panel.set_filters(overdue_only=True)
    assert {r["order_id"] for r in panel.visible_orders()} == set(a)
    panel.overdue_box.setChecked(False)  # the boxes drive the same filter
    assert len(panel.visible_orders()) == len(a) + len(b)
    panel.set_filters(origin="manual")  # an operator's dispatches, not 自动派遣's
    assert len(panel.visible_orders()) == len(a) + len(b)
    panel.origin_box.setCurrentIndex(panel.origin_box.findData("auto"))
    assert panel.visible_orders() == []
    stop(ctl)


def confirm(qtbot, panel, note: str = "") -> None:
    """Type the note into the open confirmation and press Enter."""
    qtbot.waitUntil(lambda: panel.action_dialog is not None and panel.action_dialog.isVisible())
    dlg = panel.action_dialog
    if note:  # (typed through an input method: QTest's key clicks are Latin-1 only)
        dlg.note.setFocus()
        dlg.note.insert(note)
    qtbot.keyClick(dlg.note, Qt.Key.Key_Return)


def test_keys_move_an_order_through_the_controller(qtbot, catalog, store, clock, recent):
    ids = dispatch(catalog, store, clock, recent[0])
    panel, ctl = make(qtbot, catalog, store, clock)
    start(qtbot, panel, ctl, orders=len(ids))
    oid = panel.orders_model.row(0)["order_id"]
    assert panel.select_order(oid)
    qtbot.waitUntil(lambda: "派遣" in panel.timeline.text())  # the timeline of the selection
    for key, state in ((Qt.Key.Key_A, "acknowledged"), (Qt.Key.Key_H, "handled"),
                       (Qt.Key.Key_V, "verified")):
        seq = store.head[0]
        qtbot.keyClick(panel.orders_view, key)  # asks first: nothing written yet
        qtbot.waitUntil(lambda: panel.action_dialog is not None)
        assert oid in panel.action_dialog.summary.text() and store.head[0] == seq
        confirm(qtbot, panel, note="现场已到" if key == Qt.Key.Key_H else "")
        qtbot.waitUntil(lambda s=state: panel.current_order() is not None
                        and panel.current_order()["state"] == s, timeout=10_000)
        assert store.state(oid) == state
    assert list(store.history(oid)["note"])[2] == "现场已到"
    qtbot.waitUntil(lambda: "核查" in panel.timeline.text() and "✓" in panel.timeline.text())
    seq = store.head[0]
    qtbot.keyClick(panel.orders_view, Qt.Key.Key_A)  # not allowed now: refused, nothing written
    assert "不能签收" in panel.message.text() and store.head[0] == seq
    assert panel.action_dialog is None
    qtbot.keyClick(panel.orders_view, Qt.Key.Key_C)
    confirm(qtbot, panel)
    qtbot.waitUntil(lambda: store.state(oid) == "closed", timeout=10_000)
    h = store.history(oid)
    assert list(h["action"]) == ["create", "acknowledge", "handle", "verify", "close"]
    assert set(h["source"][1:]) == {"gui"} and set(h["operator"][1:]) == {"张伟"}
    assert len(set(h["idempotency_key"])) == 5
    # the selection stays on the closed order (the 未结 filter would hide it): E rates it
    qtbot.waitUntil(lambda: panel.current_order() is not None
                    and panel.current_order()["state"] == "closed", timeout=10_000)
    assert panel.current_order()["order_id"] == oid
    qtbot.keyClick(panel.orders_view, Qt.Key.Key_E)
    qtbot.waitUntil(lambda: panel.action_dialog is not None)
    dlg = panel.action_dialog
    dlg.rating.setCurrentIndex(dlg.rating.findData("基本满意"))
    confirm(qtbot, panel, note="处置及时，现场未清理")
    qtbot.waitUntil(lambda: store.state(oid) == "evaluated", timeout=10_000)
    last = store.history(oid).iloc[-1]
    assert last["outcome"] == "基本满意" and last["note"] == "处置及时，现场未清理"
    assert panel.current_order()["order_id"] == oid
    stop(ctl)


def test_escape_on_an_order_confirmation_writes_nothing(qtbot, catalog, store, clock, recent):
    ids = dispatch(catalog, store, clock, recent[0])
    panel, ctl = make(qtbot, catalog, store, clock)
    start(qtbot, panel, ctl, orders=len(ids))
    assert panel.select_order(ids[0])
    seq = store.head[0]
    panel.action_buttons["acknowledge"].click()  # the button asks the same as the key
    qtbot.waitUntil(lambda: panel.action_dialog is not None and panel.action_dialog.isVisible())
    qtbot.keyClick(panel.action_dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: panel.action_dialog is None)
    assert store.head[0] == seq and store.state(ids[0]) == "created"
    stop(ctl)


def test_cancel_needs_a_reason_and_writes_it_to_the_log(qtbot, catalog, store, clock, recent):
    ids = dispatch(catalog, store, clock, recent[0])
    panel, ctl = make(qtbot, catalog, store, clock)
    start(qtbot, panel, ctl, orders=len(ids))
    oid = ids[0]
    assert panel.select_order(oid)
    # the context menu offers 撤销 (enabled only where the state allows it)
    panel._order_menu(panel.orders_view.visualRect(panel.orders_view.currentIndex()).center())
    acts = {a.text(): a.isEnabled() for a in panel.context_menu.actions()}
    assert acts["撤销 (X)"] and not acts["结案 (C)"]
    panel.context_menu.close()
    seq = store.head[0]
    qtbot.keyClick(panel.orders_view, Qt.Key.Key_X)  # 撤销
    confirm(qtbot, panel)  # Enter without a reason: the dialog says so and stays
    assert panel.action_dialog is not None and "原因" in panel.action_dialog.problem.text()
    assert store.head[0] == seq
    confirm(qtbot, panel, note="重复派遣，已由城管处置")
    qtbot.waitUntil(lambda: store.state(oid) == "cancelled", timeout=10_000)
    last = store.history(oid).iloc[-1]
    assert last["action"] == "cancel" and last["note"] == "重复派遣，已由城管处置"
    assert store.verify() == []
    stop(ctl)


def test_a_failed_action_is_shown_and_nothing_changes(qtbot, catalog, store, clock, recent):
    """签收 fails in the store: the panel says why (the store's words), the order keeps its
    state and nothing is written; the next press goes through, recorded once."""
    ids = dispatch(catalog, store, clock, recent[0])
    panel, ctl = make(qtbot, catalog, store, clock)
    start(qtbot, panel, ctl, orders=len(ids))
    oid = panel.orders_model.row(0)["order_id"]
    assert panel.select_order(oid)
    real = store.advance
    calls = []

    def advance(*a, **kw):
        calls.append(a)
        if len(calls) == 1:
            raise StoreWriteError("the dispatch store could not record the action: disk full")
        return real(*a, **kw)

    store.advance = advance
    seq = store.head[0]
    qtbot.keyClick(panel.orders_view, Qt.Key.Key_A)
    confirm(qtbot, panel)  # each action asks first (Enter confirms)
    qtbot.waitUntil(lambda: "disk full" in panel.message.text(), timeout=10_000)
    assert store.state(oid) == "created" and store.head[0] == seq
    assert panel.current_order()["state"] == "created"
    qtbot.keyClick(panel.orders_view, Qt.Key.Key_A)
    confirm(qtbot, panel)
    qtbot.waitUntil(lambda: store.state(oid) == "acknowledged", timeout=10_000)
    assert list(store.history(oid)["action"]) == ["create", "acknowledge"]
    assert len(calls) == 2
    stop(ctl)


# ------------------------------------------------------------------ the preview


def _open_preview(qtbot, ctl, event):
    ctl.request_dispatch(event)
    qtbot.waitUntil(lambda: ctl.preview is not None and ctl.preview.isVisible(),
                    timeout=10_000)
    return ctl.preview


def test_preview_confirm_writes_exactly_one_dispatch_even_on_double_confirm(
        qtbot, catalog, store, clock, recent):
    panel, ctl = make(qtbot, catalog, store, clock)
    start(qtbot, panel, ctl, orders=0)
    gate = threading.Event()
    spy = Counting(store.create, before=lambda n, a, kw: gate.wait(10))
    store.create = spy
    assert panel.select_event(str(recent[1]))
    qtbot.keyClick(panel.events_view, Qt.Key.Key_D)  # one key on the event list
    qtbot.waitUntil(lambda: ctl.preview is not None and ctl.preview.isVisible(),
                    timeout=10_000)
    dlg = ctl.preview
    steps = dlg.preview["steps"]
    depts = {s["dept_id"] for s in steps}
    assert dlg.steps_table.rowCount() == len(steps) and steps
    assert dlg.preview["impact"]["nearest_fire_station"] is not None
    qtbot.keyClick(dlg, Qt.Key.Key_Return)
    qtbot.keyClick(dlg, Qt.Key.Key_Return)
    dlg.confirm()
    dlg.sig_dispatch_confirmed.emit(dlg.preview)  # even a second signal is one request
    qtbot.keyClick(dlg, Qt.Key.Key_Escape)  # and the pending write cannot be walked away from
    assert dlg.isVisible() and dlg.state == "pending"
    # not committed yet: nobody says dispatched
    assert "已派遣" not in dlg.status.text() and "已派遣" not in panel.message.text()
    with qtbot.waitSignal(ctl.sig_dispatched, timeout=10_000) as done:
        gate.set()
    assert done.args[0] == str(recent[1]) and len(done.args[1]) == len(depts)
    assert len(spy.calls) == 1
    assert dlg.state == "done" and "已派遣" in dlg.status.text()
    assert "已派遣" in panel.message.text()
    log = store.log()
    creates = log[(log["action"] == "create") & (log["event_id"] == str(recent[1]))]
    assert len(creates) == len(depts) and creates["idempotency_key"].nunique() == 1
    assert set(creates["dept_id"]) == depts and set(creates["source"]) == {"gui"}
    qtbot.waitUntil(lambda: ctl.preview is None, timeout=5_000)  # closed by itself
    qtbot.waitUntil(lambda: ctl.event_states.get(str(recent[1])) == "dispatched",
                    timeout=10_000)
    # the same event again: the store refuses, the dialog says why, nothing is written
    seq = store.head[0]
    dlg2 = _open_preview(qtbot, ctl, {"kind": "event", "event_id": recent[1]})
    qtbot.keyClick(dlg2, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dlg2.state == "refused", timeout=10_000)
    assert "already dispatched" in dlg2.status.text() and store.head[0] == seq
    qtbot.keyClick(dlg2, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: ctl.preview is None, timeout=5_000)
    stop(ctl)


def test_a_lost_answer_is_retried_with_the_same_key(qtbot, catalog, store, clock, recent):
    panel, ctl = make(qtbot, catalog, store, clock)
    start(qtbot, panel, ctl, orders=0)
    real = store.create

    def create(*a, **kw):
        out = real(*a, **kw)
        if len(spy.calls) == 1:  # the commit landed, but the answer is lost
            raise StoreWriteError("the dispatch store could not record the action: I/O error")
        return out

    spy = Counting(create)
    store.create = spy
    dlg = _open_preview(qtbot, ctl, {"kind": "event", "event_id": recent[2]})
    qtbot.mouseClick(dlg.confirm_button, Qt.MouseButton.LeftButton)  # one click confirms
    qtbot.waitUntil(lambda: dlg.state == "failed", timeout=10_000)
    assert "I/O error" in dlg.status.text() and "已派遣" not in panel.message.text()
    assert dlg.confirm_button.isEnabled() and "重试" in dlg.confirm_button.text()
    qtbot.keyClick(dlg, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dlg.state == "done", timeout=10_000)
    (k1, k2) = (c[0][2] for c in spy.calls)
    assert k1 == k2  # the retry was the same request
    log = store.log()
    assert log["idempotency_key"].nunique() == 1 and set(log["action"]) == {"create"}
    assert store.verify() == []
    stop(ctl)


def test_escape_cancels_and_writes_nothing(qtbot, catalog, store, clock, recent):
    panel, ctl = make(qtbot, catalog, store, clock)
    start(qtbot, panel, ctl, orders=0)
    dlg = _open_preview(qtbot, ctl, {"kind": "event", "event_id": recent[0]})
    with qtbot.waitSignal(dlg.rejected, timeout=5_000):
        qtbot.keyClick(dlg, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: ctl.preview is None, timeout=5_000)
    assert store.head[0] == 0
    stop(ctl)


def test_a_live_event_from_a_feed_is_dispatched_by_its_type(qtbot, catalog, store, clock):
    con = catalog.cursor()
    lon, lat, tid = con.execute("SELECT lon, lat, type_id FROM event WHERE type_id LIKE "
                                "'ET-STREET-VENDING%' LIMIT 1").fetchone()
    con.close()

    class OneShot:
        name = "test"

        def __init__(self):
            self.sent = False

        def poll(self, now):
            if self.sent:
                return FeedBatch()
            self.sent = True
            return FeedBatch([FeedEvent("SIM-1-1-0", tid, "ai_camera", now - timedelta(
                seconds=30), lon, lat, 4, "占道经营", feed="simulator")])

    panel, ctl = make(qtbot, catalog, store, clock, feeds=[OneShot()])
    start(qtbot, panel, ctl)
    qtbot.waitUntil(lambda: panel.events_model.find("SIM-1-1-0") >= 0, timeout=10_000)
    row = panel.events_model.row(panel.events_model.find("SIM-1-1-0"))
    assert row["district_code"] and row["street_code"]  # placed from lon/lat
    assert row["title"].endswith("占道经营") and row["district"] in row["place"]
    dlg = _open_preview(qtbot, ctl, row)
    qtbot.keyClick(dlg, Qt.Key.Key_Enter)
    qtbot.waitUntil(lambda: dlg.state == "done", timeout=10_000)
    o = store.orders(as_of=clock.utc())
    assert set(o["event_id"]) == {"SIM-1-1-0"}
    assert set(o["dept_id"]) == {s["dept_id"] for s in dlg.preview["steps"]}
    qtbot.waitUntil(lambda: panel.events_model.row(panel.events_model.find("SIM-1-1-0"))
                    ["state"] == "dispatched", timeout=10_000)
    stop(ctl)


def test_live_feeds_bring_dropped_files_and_simulated_events_to_the_list(
        qtbot, catalog, store, clock, tmp_path):
    drop = tmp_path / "inbox"
    drop.mkdir()
    con = catalog.cursor()
    lon, lat, tid = con.execute("SELECT lon, lat, type_id FROM event LIMIT 1").fetchone()
    con.close()
    good = {"event_id": "HL-1", "type_id": tid, "source": "民呼我为", "lon": lon, "lat": lat,
            "occurred_at": (NOW - timedelta(minutes=3)).isoformat(), "title": "市民反映"}
    (drop / "hotline.jsonl").write_text(json.dumps(good, ensure_ascii=False) + "\n"
                                        + '{"bad": 1}\n', "utf-8")
    feeds = live_feeds(catalog, drop_dir=drop, state_path=tmp_path / "event_feed.json",
                       simulate=True, seed=4, rate_scale=5.0, backlog=timedelta(minutes=30))
    panel, ctl = make(qtbot, catalog, store, clock, feeds=feeds)
    start(qtbot, panel, ctl)
    qtbot.waitUntil(lambda: panel.events_model.find("F-HL-1") >= 0, timeout=10_000)
    feeds_seen = {r["feed"] for r in panel.events_model.rows()}
    assert {"catalog", "directory", "simulator"} <= feeds_seen
    assert "hotline.jsonl:2" in panel.message.text()  # the bad line, by file and line
    row = panel.events_model.row(panel.events_model.find("F-HL-1"))
    assert row["source"] == "hotline" and row["district"]
    assert (tmp_path / "event_feed.json").exists()
    stop(ctl)


def test_risk_point_without_event_is_not_dispatched(qtbot, catalog, store, clock):
    panel, ctl = make(qtbot, catalog, store, clock)
    start(qtbot, panel, ctl, orders=0)
    ctl.request_dispatch({"kind": "risk_point", "point_id": 1, "name": "某燃气管网",
                          "events": []})
    assert ctl.preview is None and "没有事件" in panel.message.text()
    stop(ctl)


# ------------------------------------------------------------------ a store held elsewhere


def test_locked_store_runs_read_only_with_the_reason(qtbot, catalog, clock, tmp_path,
                                                    hold_store):
    path = tmp_path / "dispatch.duckdb"
    open_store(path).close()
    with hold_store(path) as holder:
        store, problem = open_default_store(path)
        assert store is None and f"PID {holder.pid}" in problem
        panel, ctl = make(qtbot, catalog, None, clock, store_problem=problem)
        start(qtbot, panel, ctl)
        text = panel.banner.text()  # plain words: no path, no exception text
        assert panel.banner.isVisible() and "另一个程序" in text
        assert "只读" in text and "PostgreSQL" in text
        assert str(path) not in text and "duckdb" not in text.lower()
        assert panel.is_read_only() and ctl.read_only_reason() in text
        panel.select_event(panel.events_model.row(0)["event_id"])
        qtbot.keyClick(panel.events_view, Qt.Key.Key_Return)
        ctl.request_dispatch({"kind": "event", "event_id": 1})
        assert ctl.preview is None and "只读" in panel.message.text()
        assert panel.orders_model.rowCount() == 0
        stop(ctl)
    store, problem = open_default_store(path)  # free again
    assert problem is None and store is not None
    store.close()


# ------------------------------------------------------------------ the models


def test_models_pass_the_model_tester(qtmodeltester):
    now = NOW
    events = [{"event_id": str(i), "occurred_at": now - timedelta(minutes=i), "severity": i % 4 + 1,
               "source": "hotline", "place": "渝中区", "title": f"事件 {i}",
               "react_due": now + timedelta(minutes=5 - i), "state": "new", "orders": 0}
              for i in range(30)]
    em = EventsModel()
    em.set_rows(events)
    em.set_now(now)
    qtmodeltester.check(em)
    assert em.row(0)["event_id"] == "0"  # newest first
    em.set_rows(events[5:])
    qtmodeltester.check(em)
    orders = [{"order_id": f"{i}/D-{i % 3}/1", "event_id": str(i), "event_title": f"事件 {i}",
               "dept_id": f"D-{i % 3}", "dept_name": f"部门{i % 3}", "district_code": "500103",
               "district": "渝中区", "state": ("created", "acknowledged", "closed")[i % 3],
               "next_actions": ["acknowledge"], "created_at": now,
               "dues": {"acknowledge": now + timedelta(minutes=i - 10),
                        "handle": now + timedelta(minutes=60)}, "done": {}}
              for i in range(40)]
    om = OrdersModel()
    om.set_rows(orders)
    om.set_now(now)
    qtmodeltester.check(om)
    proxy = OrdersFilter()
    proxy.setSourceModel(om)
    qtmodeltester.check(proxy)
    proxy.set_filters(dept="D-1", overdue_only=True)
    qtmodeltester.check(proxy)
    rows = [proxy.data(proxy.index(i, 0), Qt.ItemDataRole.UserRole)
            for i in range(proxy.rowCount())]
    assert rows and all(r["dept_id"] == "D-1" and om.is_overdue(r) for r in rows)


# ------------------------------------------------------------------ stages from the plan, 退回

EMERGENCY = {"stages": ["react", "confirm", "handle", "close"], "acknowledge": 1,
             "confirm": 3, "handle": 5, "close": 60}
LOOP = {"acknowledge": 5, "handle": 60, "verify": 90, "close": 120}


def _timeline_order(text: str, words: list[str]) -> list[str]:
    """The words in the order the timeline shows them (absent ones left out)."""
    return sorted((w for w in words if w in text), key=text.index)


def test_the_timeline_and_countdown_follow_the_plans_stages(qtbot, catalog, store, clock,
                                                            recent):
    """An order of the emergency flow shows 签收 → 核实 → 处置 → 结案 (no 核查) and counts
    down to 核实 after 签收; a loop order shows 签收 → 处置 → 核查 → 结案 (no 核实); H on
    the emergency order before 核实 is refused by its own stage list."""
    em = store.create(recent[0], "值班员", "s-em", dept_id="D-EM", deadlines=EMERGENCY)[0]
    lp = store.create(recent[1], "值班员", "s-lp", dept_id="D-LP", deadlines=LOOP)[0]
    store.advance(em, "acknowledge", "值班员", "s-em-a")
    panel, ctl = make(qtbot, catalog, store, clock)
    start(qtbot, panel, ctl, orders=2)
    words = ["签收", "核实", "处置", "核查", "结案"]
    assert panel.select_order(em)
    qtbot.waitUntil(lambda: "D-EM" in panel.timeline.text() and "✓" in panel.timeline.text())
    assert _timeline_order(panel.timeline.text(), words) == ["签收", "核实", "处置", "结案"]
    i = panel.orders_model.find(em)
    assert cell(panel.orders_model, i, "countdown").startswith("核实")
    seq = store.head[0]
    qtbot.keyClick(panel.orders_view, Qt.Key.Key_H)
    assert "不能处置" in panel.message.text() and "核实" in panel.message.text()
    assert panel.action_dialog is None and store.head[0] == seq
    qtbot.keyClick(panel.orders_view, Qt.Key.Key_K)  # 核实
    confirm(qtbot, panel)
    qtbot.waitUntil(lambda: store.state(em) == "confirmed", timeout=10_000)
    assert panel.select_order(lp)
    qtbot.waitUntil(lambda: "D-LP" in panel.timeline.text())
    assert _timeline_order(panel.timeline.text(), words) == ["签收", "处置", "核查", "结案"]
    stop(ctl)


def test_rework_returns_an_order_to_handle_with_a_reason(qtbot, catalog, store, clock, recent):
    """退回 (R, the button, the context menu) after 处置: asks, needs a reason, goes through
    the store's advance; the order is back to 已签收 with 处置 next, and the timeline says
    so."""
    oid = store.create(recent[0], "值班员", "s-rw", dept_id="D-RW", deadlines=LOOP)[0]
    for a in ("acknowledge", "handle"):
        store.advance(oid, a, "值班员", f"s-rw-{a}")
    panel, ctl = make(qtbot, catalog, store, clock)
    start(qtbot, panel, ctl, orders=1)
    assert panel.select_order(oid)
    panel._order_menu(panel.orders_view.visualRect(panel.orders_view.currentIndex()).center())
    acts = {a.text(): a.isEnabled() for a in panel.context_menu.actions()}
    assert acts["重办 (R)"] and acts["核查 (V)"] and not acts["处置 (H)"]
    panel.context_menu.close()
    assert "R" in panel.action_buttons["rework"].text()
    seq = store.head[0]
    qtbot.keyClick(panel.orders_view, Qt.Key.Key_R)
    confirm(qtbot, panel)  # no reason: refused in the dialog
    assert panel.action_dialog is not None and "原因" in panel.action_dialog.problem.text()
    assert store.head[0] == seq
    confirm(qtbot, panel, note="核查未通过：积水未排净")
    qtbot.waitUntil(lambda: store.state(oid) == "acknowledged", timeout=10_000)
    last = store.history(oid).iloc[-1]
    assert last["action"] == "rework" and last["note"] == "核查未通过：积水未排净"
    qtbot.waitUntil(lambda: panel.current_order() is not None
                    and panel.current_order()["next_actions"][:1] == ["handle"],
                    timeout=10_000)
    qtbot.waitUntil(lambda: "重办" in panel.timeline.text(), timeout=10_000)
    assert store.verify() == []
    stop(ctl)
