"""Kiosk mode on the small demo dataset: nothing to edit, a rotating focus, the idle cursor, the
screens waking; and the settings dialog outside it."""

from __future__ import annotations

from pathlib import Path

import pytest
from cockpit.datasets.catalog import open_catalog
from PySide6.QtCore import QEvent, QObject, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from cockpit.config import Config, Kiosk


class KeySpy(QObject):
    """Records every key press the application delivers (an application-wide filter installed
    last runs first, so it sees a key even when the kiosk's glass then swallows it)."""

    def __init__(self) -> None:
        super().__init__()
        self.keys: list[int] = []
        QApplication.instance().installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.KeyPress and isinstance(obj, QWidget):
            self.keys.append(event.key())
        return False

    def remove(self) -> None:
        QApplication.instance().removeEventFilter(self)


def open_window(qtbot, dataset: Path, tmp_path: Path, monkeypatch, config: Config | None = None):
    monkeypatch.setenv("COCKPIT_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("COCKPIT_DATA_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("COCKPIT_CONFIG", str(tmp_path / "config.toml"))
    from cockpit.window import MainWindow

    cat = open_catalog(dataset, tmp_path / "catalogs")
    win = MainWindow(cat, config=config)
    qtbot.addWidget(win)
    win.resize(1600, 900)
    return win, cat


@pytest.fixture
def kiosk_window(qtbot, small_dataset_master: Path, tmp_path: Path, monkeypatch):
    from cockpit.wall import WallController

    kiosk = Kiosk(enabled=True, playlist=("map", "vitals", "five_colour", "dispatch"),
                  interval_s=0.4, cursor_hide_s=0.3)
    win, cat = open_window(qtbot, small_dataset_master, tmp_path, monkeypatch,
                           Config(kiosk=kiosk, operator="测试员"))
    wall = WallController(win, kiosk, screen=None, parent=win)
    with qtbot.waitSignal(win.sig_all_drawn, timeout=90_000):
        wall.start(full_screen=False)  # offscreen: the size stays testable
        win.start()
    yield win, wall
    wall.stop()
    win.close()
    cat.close()


def test_kiosk_shows_no_editing_control(kiosk_window, qtbot) -> None:
    win, wall = kiosk_window
    assert wall.editing_controls_visible() == []
    # the same walk, written out: every button, edit, box, spin box and slider
    from cockpit.wall import is_editing_control

    offenders = [w for w in win.findChildren(QWidget)
                 if is_editing_control(w) and w.isVisible() and w.isEnabled()]
    assert offenders == []
    assert not win.header.mode_buttons["live"].isVisible()
    assert not win.map_side.isVisible() and not win.map_side.detail.dispatch.isVisible()
    assert not hasattr(win, "settings_button")  # no settings in a kiosk
    # the five-colour grid's full view shows its export buttons; they stay hidden
    wall.set_focus("five_colour")
    assert not win.review.compact
    assert wall.editing_controls_visible() == []
    # a control a panel shows later is hidden again
    win.header.mode_buttons["review"].setEnabled(True)
    win.header.mode_buttons["review"].show()
    wall.lock()
    assert wall.editing_controls_visible() == []


def test_kiosk_swallows_keys_and_clicks(kiosk_window, qtbot) -> None:
    win, wall = kiosk_window
    assert wall.glass.isVisible() and wall.glass.geometry() == win.rect()
    qtbot.wait(300)  # the events are listed
    assert win.dispatch_panel.events_model.rowCount() > 0
    win.dispatch_panel.events_view.selectRow(0)
    table = win.dispatch_panel.events_view
    assert table.focusPolicy() == Qt.FocusPolicy.NoFocus  # the keyboard cannot reach it
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow, timeout=5_000)
    changes: list = []
    QApplication.instance().focusChanged.connect(lambda old, new: changes.append(new))
    table.setFocus()
    # the focus did move to the table (the request was delivered) and came back to the glass
    qtbot.waitUntil(lambda: table in changes, timeout=5_000)
    assert not table.hasFocus() and QApplication.focusWidget() is wall.glass
    keys = (Qt.Key.Key_Return, Qt.Key.Key_D, Qt.Key.Key_F2, Qt.Key.Key_F4, Qt.Key.Key_F11)
    spy = KeySpy()
    try:
        for key in keys:
            qtbot.keyClick(QApplication.focusWidget() or wall.glass, key)
    finally:
        spy.remove()
    # every key was delivered (not merely sent): anything it would do has been asked for
    assert [k for k in spy.keys if k in keys] == list(keys)
    QApplication.processEvents()  # and what it queued has run
    assert win.dispatch_ctl.preview is None or not win.dispatch_ctl.preview.isVisible()
    assert win.mode == "live" and not win.map_side.isVisible()
    centre = win.dispatch_panel.mapTo(win, win.dispatch_panel.rect().center())
    assert win.childAt(centre) is wall.glass  # a click lands on the glass, not the panel


def test_playlist_rotates_the_focus(kiosk_window, qtbot) -> None:
    from cockpit.wall import panel_label

    win, wall = kiosk_window
    seen: list[str] = []
    wall.sig_focus_changed.connect(seen.append)
    qtbot.waitUntil(lambda: len(seen) >= 4, timeout=10_000)
    assert seen[:4] in (["vitals", "five_colour", "dispatch", "map"],
                        ["five_colour", "dispatch", "map", "vitals"],
                        ["dispatch", "map", "vitals", "five_colour"],
                        ["map", "vitals", "five_colour", "dispatch"])
    wall._rotate.stop()
    sizes = {}
    for panel in ("map", "vitals", "five_colour", "dispatch"):
        wall.set_focus(panel)
        qtbot.wait(250)  # the layout settles, the spotlight follows
        sizes[panel] = (win.top_split.sizes(), win.vsplit.sizes(), win.bottom_split.sizes())
        assert wall.focus_panel == panel and panel_label(panel) in wall.focus_label.text()
        target = wall.focus_widget(panel)

        def framed(target=target) -> bool:
            top_left = target.mapTo(win.centralWidget(), target.rect().topLeft())
            return (wall.spotlight.isVisible()
                    and abs(wall.spotlight.geometry().left() - (top_left.x() - 3)) <= 1
                    and abs(wall.spotlight.width() - (target.width() + 6)) <= 1)

        qtbot.waitUntil(framed, timeout=5_000)
    (l_map, c_map, r_map), (t_map, b_map), _ = sizes["map"]
    assert c_map > l_map + r_map * 0.5 and c_map == max(sizes["map"][0])
    assert sizes["vitals"][0][0] > sizes["map"][0][0] * 1.5  # the vitals column grows
    assert sizes["five_colour"][0][2] > sizes["map"][0][2] * 1.5  # the grid grows
    # the event list grows: as tall as the vital-sign tiles let it, and wider
    assert sizes["dispatch"][1][1] >= b_map
    events, risk = sizes["dispatch"][2]
    assert events / (events + risk) > 0.8 and events > sizes["map"][2][0]
    assert not win.kpi_panel.isVisible()  # folded away for the dispatch focus only
    wall.set_focus("map")
    assert win.kpi_panel.isVisible()
    # the others stay visible, smaller
    assert all(s > 100 for s in sizes["vitals"][0] + sizes["dispatch"][0] + sizes["dispatch"][1])
    with pytest.raises(ValueError):
        wall.set_focus("weather")


def test_cursor_hides_when_idle_and_returns_on_move(kiosk_window, qtbot) -> None:
    win, wall = kiosk_window
    qtbot.waitUntil(lambda: wall.cursor_hidden, timeout=5_000)
    cursor = QApplication.overrideCursor()
    assert cursor is not None and cursor.shape() == Qt.CursorShape.BlankCursor
    move = QMouseEvent(QEvent.Type.MouseMove, QPointF(50, 50), QPointF(50, 50),
                       Qt.MouseButton.NoButton, Qt.MouseButton.NoButton,
                       Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(wall.glass, move)
    assert not wall.cursor_hidden and QApplication.overrideCursor() is None
    qtbot.waitUntil(lambda: wall.cursor_hidden, timeout=5_000)  # and hides again


def test_screen_changes_refit_the_window(kiosk_window, qtbot) -> None:
    win, wall = kiosk_window
    app = QApplication.instance()
    screen = app.primaryScreen()
    wall.full_screen = True  # as on a real wall
    win.showNormal()
    with qtbot.waitSignal(wall.sig_refitted, timeout=5_000) as got:
        app.screenAdded.emit(screen)  # a display woke up
    assert got.args[0] is screen
    qtbot.waitUntil(win.isFullScreen, timeout=5_000)
    win.showNormal()
    with qtbot.waitSignal(wall.sig_refitted, timeout=5_000):
        screen.geometryChanged.emit(screen.geometry())  # a resolution change
    qtbot.waitUntil(win.isFullScreen, timeout=5_000)
    # the configured screen is gone (asleep, unplugged): the primary takes over
    wall.screen_index = 5
    assert wall.target_screen() is screen
    win.showNormal()
    win.resize(800, 600)
    with qtbot.waitSignal(wall.sig_refitted, timeout=5_000) as got:
        app.screenRemoved.emit(screen)
    # refitted onto the primary screen: full screen there, covering it
    assert got.args[0] is app.primaryScreen()
    qtbot.waitUntil(win.isFullScreen, timeout=5_000)
    assert win.screen() is app.primaryScreen()
    qtbot.waitUntil(lambda: win.geometry() == app.primaryScreen().geometry(), timeout=5_000)
    wall.full_screen = False
    win.showNormal()


def test_operator_and_intervals_come_from_the_config(kiosk_window) -> None:
    win, _wall = kiosk_window
    assert win.dispatch_ctl.operator == "测试员"
    assert win.vitals.interval() == 5000 and win.dispatch_ctl.timer.interval() == 2000


def test_settings_dialog_writes_the_config(qtbot, small_dataset_master: Path, tmp_path: Path,
                                           monkeypatch) -> None:
    from cockpit import config as cm
    from cockpit.wall import install_settings

    win, cat = open_window(qtbot, small_dataset_master, tmp_path, monkeypatch)
    path = tmp_path / "config.toml"
    path.write_text("# the wall in room 3\n[kiosk]\ninterval_s = 40  # slow\n", "utf-8")
    button = install_settings(win, path)
    win.show()
    assert button.isVisible()
    button.click()
    dlg = win.settings_dialog
    assert dlg.isVisible() and "下次启动" in dlg.findChildren(QLabel)[0].text()
    dlg.operator.setText("李娜")
    dlg.font_scale.setValue(1.5)
    dlg.lang.setCurrentIndex(dlg.lang.findData("en"))
    dlg.tiles.setText("")
    dlg.buttons.accepted.emit()
    assert not dlg.isVisible()
    cfg = cm.load(path)
    assert (cfg.operator, cfg.font_scale, cfg.lang, cfg.tiles) == ("李娜", 1.5, "en", None)
    text = path.read_text("utf-8")
    assert "# the wall in room 3" in text and "interval_s = 40  # slow" in text
    # a bad value is refused in the dialog and writes nothing
    win.open_settings()
    dlg = win.settings_dialog
    dlg.tiles.setText(" ")
    dlg.font_scale.setValue(2.0)
    dlg.store.setText("x" * 5000)
    dlg.buttons.accepted.emit()
    assert dlg.isVisible() and "store" in dlg.message.text()
    assert cm.load(path).font_scale == 1.5
    dlg.reject()
    win.close()
    cat.close()


def test_a_wide_wall_puts_the_event_column_beside_the_map(qtbot, small_dataset_master: Path,
                                                          tmp_path: Path, monkeypatch) -> None:
    from cockpit.wall import WideLayout

    win, cat = open_window(qtbot, small_dataset_master, tmp_path, monkeypatch)
    wide = WideLayout(win)
    win.show()
    assert not wide.wide and win.vsplit.orientation() == Qt.Orientation.Vertical
    win.resize(3200, 900)  # 5760×1080 at the same aspect, within an offscreen screen
    qtbot.waitUntil(lambda: wide.wide, timeout=5_000)
    assert win.vsplit.orientation() == Qt.Orientation.Horizontal
    assert win.bottom_split.orientation() == Qt.Orientation.Vertical
    top, side = win.vsplit.sizes()
    assert top > side > 600  # the map and its neighbours, then the event column
    assert win.dispatch_panel.height() > 450  # the event list runs the full height
    win.resize(2100, 900)  # between the thresholds: stays wide (no flicker)
    # the resize reached the window (not merely waited for) before "still wide" is judged
    qtbot.waitUntil(lambda: win.width() == 2100, timeout=5_000)
    QApplication.processEvents()
    assert wide.wide
    win.resize(1600, 900)
    qtbot.waitUntil(lambda: not wide.wide, timeout=5_000)
    assert win.vsplit.orientation() == Qt.Orientation.Vertical
    win.close()
    cat.close()
