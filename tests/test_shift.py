"""A shift at the desk (issue 16), driven as an operator would: the queue in the panel,
list ↔ map, the map key, keyboard focus, the key sheet, plain-text tooltips, place words."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from cockpit.datasets.catalog import open_catalog
from cockpit.datasets.dispatch import open_store
from cockpit.layers.page import build_page
from cockpit.widgets.dispatch_panel import STRETCH_MIN, DispatchPanel, EventFilter
from cockpit.widgets.gauge import ArcGauge
from cockpit.widgets.map_view import MapView
from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtGui import QFontMetrics, QImage
from PySide6.QtWidgets import QApplication, QHBoxLayout, QWidget

from cockpit.controllers.dispatch import DispatchController
from tests.test_dispatch_gui import NOW, OFF, Clock
from tests.test_i18n import english  # noqa: F401, F811 - the fixture
from tests.test_queue import _set_closed


@pytest.fixture
def old_open(small_dataset: Path, tmp_path: Path):
    """The small dataset with an undispatched event 3 hours old still open, its catalog."""
    cat0 = open_catalog(small_dataset, tmp_path / "c0")
    old = cat0.con.execute(
        "SELECT event_id FROM event WHERE occurred_at BETWEEN ? AND ? ORDER BY occurred_at "
        "LIMIT 1", [NOW - timedelta(hours=3, minutes=10), NOW - timedelta(hours=3)]
    ).fetchone()[0]
    cat0.close()
    _set_closed(small_dataset, {old: None})
    cat = open_catalog(small_dataset, tmp_path / "cache")
    yield cat, str(old)
    cat.close()


def _panel(qtbot, catalog, store, clock):
    panel = DispatchPanel()
    qtbot.addWidget(panel)
    panel.resize(1512, 330)  # the bottom region of a 1920×1080 window
    panel.show()
    ctl = DispatchController(catalog, store, clock.local, panel, interval_ms=3_600_000,
                             utc_offset=OFF, operator="张伟")
    ctl.start()
    qtbot.waitUntil(lambda: panel.events_model.rowCount() > 0, timeout=10_000)
    return panel, ctl


def _stop(ctl) -> None:
    ctl.stop()
    QThreadPool.globalInstance().waitForDone(10_000)


def test_an_event_three_hours_old_stays_queued_and_counted(qtbot, old_open, tmp_path):
    catalog, old = old_open
    clock = Clock()
    store = open_store(tmp_path / "d.duckdb", clock=clock.utc)
    panel, ctl = _panel(qtbot, catalog, store, clock)
    ids = [r["event_id"] for r in panel.visible_events()]
    assert old in ids
    row = next(r for r in panel.visible_events() if r["event_id"] == old)
    assert row["queue"] and panel.events_model.live_state(row) == "overdue"
    counts = ctl.queue_counts
    assert f"待办 <b>{counts.total}</b>" in panel.events_count.text()
    assert f"超时 <b>{counts.overdue}</b>" in panel.events_count.text() and counts.overdue >= 1
    # the default order: the overdue first, then level, then deadline
    q = [r for r in panel.visible_events() if r["queue"]]
    keys = [(0 if panel.events_model.live_state(r) == "overdue" else 1, r["severity"],
             r["react_due"]) for r in q]
    assert keys == sorted(keys)
    # an hour later (the list's old 2-hour window has long passed it): still there
    clock.now = NOW + timedelta(hours=1)
    with qtbot.waitSignal(ctl.sig_ticked, timeout=10_000):
        ctl.tick()
    assert old in [r["event_id"] for r in panel.visible_events()]
    # X dismisses it with a reason: off the queue, in the log
    assert panel.select_event(old)
    qtbot.keyClick(panel.events_view, Qt.Key.Key_X)
    qtbot.waitUntil(lambda: panel.action_dialog is not None and panel.action_dialog.isVisible())
    panel.action_dialog.note.insert("设备误报，现场核实无事")
    qtbot.keyClick(panel.action_dialog.note, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(store.dispositions()) == 1, timeout=10_000)
    d = store.dispositions().iloc[0]
    assert d["event_id"] == old and d["note"] == "设备误报，现场核实无事"
    with qtbot.waitSignal(ctl.sig_ticked, timeout=10_000):
        ctl.tick()
    assert old not in [r["event_id"] for r in panel.visible_events() if r["queue"]]
    _stop(ctl)
    store.close()


def test_columns_sort_and_filters_work_by_keyboard(qtbot, old_open, tmp_path):
    catalog, _old = old_open
    panel, ctl = _panel(qtbot, catalog, None, Clock())
    default = [r["event_id"] for r in panel.visible_events()]
    # a click on the 到达 header sorts by arrival (newest first), a second the other way
    header = panel.events_view.horizontalHeader()
    col = panel.events_model.column_of("age")
    x = header.sectionViewportPosition(col) + header.sectionSize(col) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton,
                     pos=header.viewport().rect().center().__class__(x, 5))
    at = [r["occurred_at"] for r in panel.visible_events()]
    assert at in (sorted(at), sorted(at, reverse=True)) and len(set(at)) > 1
    panel.ev_default_order.click()
    assert [r["event_id"] for r in panel.visible_events()] == default
    # the level filter by keyboard: focus the box, pick 一般 with the arrow keys
    box = panel.ev_level_box
    box.setFocus()
    target = box.findData(3)
    while box.currentIndex() < target:
        qtbot.keyClick(box, Qt.Key.Key_Down)
    shown = panel.visible_events()
    assert shown and {r["severity"] for r in shown} == {3}
    n3 = ctl.queue_counts.by_severity.get(3, 0)
    assert f"({n3})" in box.currentText()
    assert sum(1 for r in shown if r["queue"]) == n3  # the box's count is the queue's
    panel.set_event_filter(EventFilter(overdue_only=True))
    assert all(panel.events_model.live_state(r) in ("overdue", "order_overdue")
               for r in panel.visible_events())
    _stop(ctl)


def test_tooltips_show_hostile_titles_as_text(qtbot, old_open):
    catalog, _ = old_open
    panel, ctl = _panel(qtbot, catalog, None, Clock())
    row = dict(panel.events_model.row(0))
    row.update(title="<img src=x onerror=alert(1)>\n第二行", event_id="F-x")
    panel.set_events([row], NOW)
    tip = panel.events_model.data(panel.events_model.index(0, 0),
                                  Qt.ItemDataRole.ToolTipRole)
    assert "<img" not in tip and "&lt;img src=x" in tip
    assert "white-space:pre-wrap" in tip and "\n第二行" in tip  # line breaks kept
    _stop(ctl)


def test_place_words_follow_the_dataset_level(qtbot, tmp_path):
    from cockpit.datasets import queue
    from cockpit.datasets.generate import generate

    data = tmp_path / "district"
    generate(data, scale="small", seed=3, anchor="2026-11-20", district="500103")
    cat = open_catalog(data, tmp_path / "cache")
    try:
        con = cat.cursor()
        assert queue.place_level(con) == "street"
        con.close()
        panel, ctl = _panel(qtbot, cat, None, Clock())
        m = panel.orders_model
        assert m.headerData(m.column_of("district"), Qt.Orientation.Horizontal) == "镇街"
        assert panel.district_box.itemText(0) == "全部镇街"
        assert panel.ev_district_box.itemText(0).startswith("镇街")
        _stop(ctl)
    finally:
        cat.close()


def test_english_columns_are_not_cut(qtbot, old_open, english):  # noqa: F811
    catalog, _ = old_open
    panel, ctl = _panel(qtbot, catalog, None, Clock())
    for view in (panel.events_view, panel.orders_view):
        m, h = view.model(), view.horizontalHeader()
        fm = h.fontMetrics()
        for c in range(m.columnCount()):
            text = str(m.headerData(c, Qt.Orientation.Horizontal))
            if view.isColumnHidden(c):  # a narrow side drops the place column, not cut
                continue
            assert h.sectionSize(c) >= fm.horizontalAdvance(text), (text, h.sectionSize(c))
        assert h.sectionSize(view._stretch) >= STRETCH_MIN  # the title is never a bare '…'
        # every cell's text fits its column (the longest words of the interface language)
        cm = QFontMetrics(view.font())
        for r in range(min(m.rowCount(), 30)):
            for c in range(m.columnCount()):
                if c == view._stretch or view.isColumnHidden(c):
                    continue
                text = str(m.data(m.index(r, c)) or "")
                assert cm.horizontalAdvance(text) <= h.sectionSize(c), (text, h.sectionSize(c))
    _stop(ctl)


def test_a_focus_frame_is_drawn(qtbot):
    """A grab of a gauge with the keyboard focus differs from one without (the frame)."""
    box = QWidget()
    lay = QHBoxLayout(box)
    other = ArcGauge("other")
    g = ArcGauge("经济发展", "分")
    g.set_value(76.5)
    for w in (g, other):
        w.setFixedSize(160, 150)
        lay.addWidget(w)
    qtbot.addWidget(box)
    box.show()
    box.activateWindow()
    qtbot.waitUntil(box.isActiveWindow)
    other.setFocus()
    qtbot.waitUntil(lambda: other.hasFocus())
    plain = g.grab().toImage()
    g.setFocus()
    qtbot.waitUntil(lambda: g.hasFocus())
    g.repaint()
    focused = g.grab().toImage()
    assert plain != focused
    # the frame is drawn in the focus colour along the edge
    img = focused.convertToFormat(QImage.Format.Format_RGB32)
    edge = {img.pixelColor(x, 1).name() for x in range(10, 150)}
    assert "#ffd60a" in edge
    with qtbot.waitSignal(g.sig_clicked, timeout=1000):  # Enter opens it as a click does
        qtbot.keyClick(g, Qt.Key.Key_Return)


@pytest.fixture
def themed(qapp):
    """The application's own theme (palette, font, style sheet), as the cockpit sets it."""
    from cockpit.widgets import theme

    saved = (qapp.styleSheet(), qapp.palette(), qapp.font())
    theme.apply(qapp)
    yield qapp
    qapp.setStyleSheet(saved[0])
    qapp.setPalette(saved[1])
    qapp.setFont(saved[2])


def test_the_style_sheet_frames_the_focused_table(qtbot, old_open, themed):
    catalog, _ = old_open
    panel, ctl = _panel(qtbot, catalog, None, Clock())
    panel.activateWindow()
    qtbot.waitUntil(panel.isActiveWindow)

    def top_edge() -> str:
        img = panel.events_view.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
        return img.pixelColor(img.width() // 2, 0).name()

    panel.orders_view.setFocus()
    qtbot.waitUntil(lambda: panel.orders_view.hasFocus())
    qtbot.waitUntil(lambda: top_edge() != "#ffd60a")  # unfocused: no frame
    panel.events_view.setFocus()
    qtbot.waitUntil(lambda: panel.events_view.hasFocus())
    # the style sheet's :focus frame follows the focus (a repaint may land a beat later)
    qtbot.waitUntil(lambda: top_edge() == "#ffd60a", timeout=3000)
    _stop(ctl)


def test_selecting_an_event_marks_it_on_the_map_page(qtbot, old_open, tmp_path):
    from cockpit.controllers.map import MapController
    from tests.test_map_page import js

    catalog, old = old_open
    page = build_page(catalog.boundaries_geojson(), catalog.extent, tmp_path / "page")
    view = MapView()
    qtbot.addWidget(view)
    view.resize(900, 600)
    view.show()
    mctl = MapController(catalog, view, None, lambda: NOW)
    with qtbot.waitSignal(view.sig_ready, timeout=60_000):
        view.load_page(page)
    panel, ctl = _panel(qtbot, catalog, None, Clock())
    panel.sig_event_selected.connect(mctl.locate_event)
    ctl.sig_event_located.connect(mctl.locate_event)
    assert panel.select_event(old)
    row = panel.current_event()
    qtbot.waitUntil(lambda: js(qtbot, view, "JSON.stringify(window.cockpitMark.last())")
                    not in (None, "null"), timeout=10_000)
    mark = json.loads(js(qtbot, view, "JSON.stringify(window.cockpitMark.last())"))
    assert mark["id"] == old and mark["kind"] == "event"
    assert abs(mark["lon"] - row["lon"]) < 1e-6 and abs(mark["lat"] - row["lat"]) < 1e-6
    # the map key names every state by a symbol and a word
    qtbot.waitUntil(lambda: "超时" in js(qtbot, view, "window.cockpitMark.key()"),
                    timeout=10_000)
    key = js(qtbot, view, "window.cockpitMark.key()")
    for word in ("▲超时", "■已派遣", "●待派遣", "▲重大", "◆较大"):
        assert word in key
    # a click on its title folds the key away (it covers part of a 1080p map) and back
    fold = "document.querySelector('.cockpit-key button.fold').click()"
    js(qtbot, view, fold)
    qtbot.waitUntil(lambda: "▲超时" not in js(qtbot, view, "window.cockpitMark.key()"),
                    timeout=5_000)
    assert "▸" in js(qtbot, view, "window.cockpitMark.key()")
    js(qtbot, view, fold)
    qtbot.waitUntil(lambda: "▲超时" in js(qtbot, view, "window.cockpitMark.key()"),
                    timeout=5_000)
    assert view.console_errors() == []
    _stop(ctl)
    del mctl


def test_search_finds_an_event_by_id_and_says_when_nothing_matches(qtbot, old_open):
    from cockpit.widgets.map_side import MapSidePanel

    from cockpit.controllers.map import MapController

    catalog, old = old_open
    side = MapSidePanel()
    qtbot.addWidget(side)
    side.show()
    view = MapView()
    qtbot.addWidget(view)
    ctl = MapController(catalog, view, side, lambda: NOW)
    sent: list[dict] = []
    view.send_command = sent.append  # the page is not loaded here: record the commands
    with qtbot.waitSignal(side.search.results.model().rowsInserted, timeout=10_000):
        side.search.edit.setText(old)
    item = side.search.results.item(0)
    r = item.data(Qt.ItemDataRole.UserRole)
    assert r["kind"] == "event" and r["id"] == old
    qtbot.keyClick(side.search.edit, Qt.Key.Key_Return)  # flies there and leaves a mark
    assert sent and sent[-1]["cmd"] == "mark" and sent[-1]["id"] == old
    side.search.edit.setText("全无此名称xyz")
    qtbot.waitUntil(lambda: side.search.empty.isVisible(), timeout=10_000)
    assert side.search.empty.text().startswith("无结果")
    del ctl


def test_window_keys_sheet_panes_and_f1(qtbot, small_dataset_master, tmp_path, monkeypatch):
    monkeypatch.setenv("COCKPIT_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("COCKPIT_DATA_HOME", str(tmp_path / "home"))
    from cockpit.window import MainWindow

    cat = open_catalog(small_dataset_master, tmp_path / "catalogs")
    win = MainWindow(cat)
    qtbot.addWidget(win)
    win.resize(1600, 900)
    win.show()
    with qtbot.waitSignal(win.sig_all_drawn, timeout=90_000):
        win.start()
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow, timeout=5_000)
    win.dispatch_panel.events_view.setFocus()
    qtbot.keyClick(win.dispatch_panel.events_view, "?")
    qtbot.waitUntil(lambda: getattr(win, "_shortcut_sheet", None) is not None
                    and win._shortcut_sheet.isVisible(), timeout=5_000)
    keys = [k for _g, k, _w in win._shortcut_sheet.rows()]
    assert "F6 / Shift+F6" in keys and "X" in keys and "Ctrl+F" in keys
    qtbot.keyClick(win._shortcut_sheet, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not win._shortcut_sheet.isVisible(), timeout=5_000)
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow, timeout=5_000)
    # F6 walks the panes: each in turn has the focus
    seen = []
    for _ in range(len(win.panes())):
        pane = win.cycle_pane(1)
        QApplication.processEvents()
        seen.append(pane)
    assert win.dispatch_panel.events_view in seen and win.dispatch_panel.orders_view in seen
    # F1 still switches to 值守 (live) from 晾晒 (review)
    win.set_mode("review")
    qtbot.keyClick(QApplication.focusWidget() or win, Qt.Key.Key_F1)
    assert win.mode == "live"
    win.close()
    QThreadPool.globalInstance().waitForDone(10_000)
    cat.close()


def test_a_long_message_never_squeezes_the_queue(qtbot) -> None:
    """The line under the orders is elided to its room (whole in the tooltip): a long
    message once widened the orders side and pushed the queue's deadline column out of view."""
    panel = DispatchPanel()
    qtbot.addWidget(panel)
    panel.resize(1512, 330)
    panel.show()
    qtbot.waitExposed(panel)
    before = panel.split.sizes()
    text = "已派遣 · 事件 4719688192877019 → 4 个部门工单 · " + "另有很长的说明" * 20
    panel.show_message(text, "ok")
    QApplication.processEvents()
    assert panel.split.sizes() == before
    assert panel.width() == 1512
    assert panel.message.text() == text and "4719688192877019" in panel.message.toolTip()
