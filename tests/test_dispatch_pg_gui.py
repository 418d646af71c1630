"""Two seats on one PostgreSQL store in the dispatch screen: another seat's dispatch shows up
without waiting for the timer; a stopped server puts up the disconnected banner, keeps the last
state and refuses writes; when the server is back the banner goes and the seat catches up."""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

from cockpit.datasets.dispatch import open_store
from PySide6.QtCore import QThreadPool

sys.path.insert(0, str(Path(__file__).resolve().parent))
import test_dispatch_gui as single_seat  # noqa: E402
from test_dispatch_gui import Clock, dispatch, make, start, stop  # noqa: E402

# the module fixtures of the single-seat screen tests: the small catalog, its recent events
catalog = single_seat.catalog
recent = single_seat.recent


def _state(panel, order_id: str) -> str | None:
    return next((r["state"] for r in panel.orders_model.rows() if r["order_id"] == order_id),
                None)


def test_disconnect_banner_refused_writes_and_catch_up(qtbot, pg_server, pg_url, catalog,
                                                       recent) -> None:
    clock = Clock()
    mine = open_store(pg_url, clock=clock.utc, seat="seat-A")
    # the other seat writes 0.4 s into the second the screen shows (12:00:00): on screen at once
    other = open_store(pg_url, clock=lambda: clock.utc() + timedelta(milliseconds=400),
                       seat="seat-B")
    panel, ctl = make(qtbot, catalog, mine, clock)  # the timer ticks once an hour: off
    try:
        start(qtbot, panel, ctl, orders=0)
        # another seat dispatches: the notice brings it to this screen
        ids = dispatch(catalog, other, clock, recent[0])
        qtbot.waitUntil(lambda: panel.orders_model.rowCount() == len(ids), timeout=3_000)

        pg_server.stop("fast")
        try:
            qtbot.waitUntil(lambda: ctl.disconnected_reason() is not None, timeout=5_000)
            text = panel.banner.text()
            assert panel.banner.isVisible()
            assert "派遣库连接中断" in text
            assert "显示 12:00:00 时的状态" in text and "拒绝写入" in text
            assert panel.orders_model.rowCount() == len(ids)  # the last state stays
            # writes are refused, and say why; nothing reaches the store
            ctl.request_action(ids[0], "acknowledge")
            assert "派遣库连接中断" in panel.message.text()
            ctl.request_dispatch({"event_id": recent[1]})
            assert ctl.preview is None
            # a tick while the server is down keeps the orders on screen
            with qtbot.waitSignal(ctl.sig_ticked, timeout=10_000):
                ctl.tick()
            assert panel.orders_model.rowCount() == len(ids)
            assert ctl.disconnected_reason() is not None
        finally:
            pg_server.start()
        # the other seat acts as soon as the server is back; this seat reconnects by itself
        other.advance(ids[0], "acknowledge", "李娜", "b-ack-1")
        qtbot.waitUntil(lambda: ctl.disconnected_reason() is None, timeout=15_000)
        assert not panel.banner.isVisible()
        qtbot.waitUntil(lambda: _state(panel, ids[0]) == "acknowledged", timeout=3_000)
        # and writes go through again
        with qtbot.waitSignal(ctl.sig_ticked, timeout=10_000):
            ctl.request_action(ids[0], "handle")
        qtbot.waitUntil(lambda: _state(panel, ids[0]) == "handled", timeout=3_000)
        assert other.state(ids[0]) == "handled"
    finally:
        stop(ctl)
        QThreadPool.globalInstance().waitForDone(10_000)
        mine.close()
        other.close()


def test_a_seat_started_while_the_server_is_down_opens_the_store_later(
        qtbot, pg_server, pg_url, catalog, recent) -> None:
    from cockpit.controllers.store import open_default_store

    clock = Clock()
    open_store(pg_url).close()  # the centre's store exists
    pg_server.stop("fast")
    opened: list = []
    try:
        store, problem = open_default_store(pg_url, clock=clock.utc)
        assert store is None and "cannot reach the dispatch store" in problem
        panel, ctl = make(qtbot, catalog, None, clock, store_problem=problem,
                          reopen=lambda: open_default_store(pg_url, clock=clock.utc))
        ctl.sig_store_opened.connect(opened.append)
        start(qtbot, panel, ctl)
        assert panel.banner.isVisible() and "自动重连中" in panel.banner.text()
        ctl.request_dispatch({"event_id": recent[0]})
        assert ctl.preview is None  # refused: no store
        qtbot.wait(1_500)  # a failed attempt or two
        assert not opened
    finally:
        pg_server.start()
    try:
        qtbot.waitUntil(lambda: bool(opened), timeout=15_000)
        assert ctl.store is opened[0] and not panel.banner.isVisible()
        assert ctl.read_only_reason() is None
        with open_store(pg_url, clock=clock.utc, seat="seat-B") as other:
            ids = dispatch(catalog, other, clock, recent[0])
        qtbot.waitUntil(lambda: panel.orders_model.rowCount() == len(ids), timeout=3_000)
    finally:
        stop(ctl)
        QThreadPool.globalInstance().waitForDone(10_000)
        for s in opened:
            s.close()
