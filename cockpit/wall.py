"""The video wall: kiosk mode (full screen, nothing to edit, a rotating focus panel, the cursor
hidden when idle, surviving the screens going to sleep) and the settings button outside it.

Kept out of ``window.py``: the wall only rearranges and locks a finished :class:`MainWindow`
through its public parts (splitters, panels, header), so the window knows nothing of kiosks.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QCursor, QKeyEvent, QPainter, QPen, QShortcut
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollBar,
    QTabBar,
    QTextEdit,
    QWidget,
)

from cockpit import config as config_mod
from cockpit.config import Kiosk
from cockpit.widgets import theme

if TYPE_CHECKING:
    from cockpit.window import MainWindow

log = logging.getLogger(__name__)

#: Widgets a user edits or acts with; none of them is visible and enabled in kiosk mode.
EDITING_TYPES: tuple[type, ...] = (QAbstractButton, QLineEdit, QTextEdit, QPlainTextEdit,
                                   QComboBox, QAbstractSpinBox, QAbstractSlider)
#: Input a kiosk swallows (the wall has no operator; a stray key must not dispatch).
INPUT_EVENTS = {QEvent.Type.KeyPress, QEvent.Type.KeyRelease, QEvent.Type.ShortcutOverride,
                QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease,
                QEvent.Type.MouseButtonDblClick, QEvent.Type.Wheel, QEvent.Type.ContextMenu,
                QEvent.Type.TouchBegin, QEvent.Type.TabletPress}
#: Proportions per focus: (left, map, right) across the top, (top, bottom) down the window,
#: (events and orders, risk points) along the bottom. The vital-sign tiles need their height,
#: so the dispatch focus also folds the KPI gauges away to give the event list the room.
FOCUS_LAYOUT = {
    "map": ((20, 60, 20), (74, 26), (78, 22)),
    "vitals": ((46, 34, 20), (70, 30), (78, 22)),
    "five_colour": ((17, 30, 53), (70, 30), (78, 22)),
    "dispatch": ((22, 54, 24), (35, 65), (86, 14)),
}


def is_editing_control(w: QWidget) -> bool:
    """A control that edits or acts (scroll bars only scroll: not one)."""
    return isinstance(w, EDITING_TYPES) and not isinstance(w, QScrollBar)


def panel_label(panel: str) -> str:
    labels = {"map": QApplication.translate("Wall", "风险地图"),
              "vitals": QApplication.translate("Wall", "城市体征"),
              "five_colour": QApplication.translate("Wall", "五色图 · 排名"),
              "dispatch": QApplication.translate("Wall", "事件与派遣")}
    return labels.get(panel, panel)


class SpotlightFrame(QWidget):
    """An accent border drawn over the panel in focus; it never takes input."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.hide()

    def paintEvent(self, _event) -> None:  # noqa: N802
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = QPen(QColor(theme.ACCENT), 4)
        p.setPen(pen)
        p.drawRoundedRect(self.rect().adjusted(2, 2, -2, -2), 8, 8)


class GlassPane(QWidget):
    """A transparent pane over the whole window that takes every click, wheel and key, so a
    stray input on a wall can never dispatch, search or open a dialog. Mouse moves show the
    cursor again; Ctrl+Shift+Q is the one way out."""

    sig_mouse_moved = Signal()
    """The mouse moved or was pressed over the window."""
    sig_quit_requested = Signal()
    """Ctrl+Shift+Q."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setMouseTracking(True)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.setAttribute(Qt.WidgetAttribute.WA_TranslucentBackground)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setObjectName("wallGlass")

    def event(self, event: QEvent) -> bool:  # noqa: D102
        kind = event.type()
        if kind in (QEvent.Type.MouseMove, QEvent.Type.MouseButtonPress):
            self.sig_mouse_moved.emit()
        if kind == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            mods = event.modifiers()
            if event.key() == Qt.Key.Key_Q and mods == (Qt.KeyboardModifier.ControlModifier
                                                       | Qt.KeyboardModifier.ShiftModifier):
                self.sig_quit_requested.emit()
        if kind in INPUT_EVENTS:
            event.accept()
            return True
        return super().event(event)


class WallController(QObject):
    """Kiosk mode for one window: lock, playlist, idle cursor, screens."""

    sig_focus_changed = Signal(str)
    """The playlist put another panel in focus: its name (see :data:`FOCUS_LAYOUT`)."""
    sig_refitted = Signal(object)
    """The window went (back) full screen on a screen: the QScreen."""

    def __init__(self, win: MainWindow, kiosk: Kiosk, screen: int | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.win = win
        self.kiosk = kiosk
        self.screen_index = screen
        self.playlist = [p for p in kiosk.playlist if p in FOCUS_LAYOUT]
        self.focus_panel: str | None = None
        self.cursor_hidden = False
        self.full_screen = True
        self._step = -1
        self._watched: QWidget | None = None
        self._app = QApplication.instance()
        self._rotate = QTimer(self)
        self._rotate.setInterval(max(100, round(kiosk.interval_s * 1000)))
        self._rotate.timeout.connect(self.next_panel)
        self._idle = QTimer(self)
        self._idle.setSingleShot(True)
        self._idle.setInterval(max(100, round(kiosk.cursor_hide_s * 1000)))
        self._idle.timeout.connect(self.hide_cursor)
        self._refit_timer = QTimer(self)
        self._refit_timer.setSingleShot(True)
        self._refit_timer.setInterval(400)  # screens wake in bursts of signals
        self._refit_timer.timeout.connect(self.refit)
        self.spotlight = SpotlightFrame(win.centralWidget())
        self.glass = GlassPane(win)
        self.glass.hide()
        self.glass.sig_mouse_moved.connect(self._on_mouse_moved)
        self.glass.sig_quit_requested.connect(win.close)
        self._relock = QTimer(self)
        self._relock.setInterval(3000)  # a control some panel shows later is hidden again
        self._relock.timeout.connect(self.lock)
        self._relayout = QTimer(self)
        self._relayout.setSingleShot(True)
        self._relayout.setInterval(150)  # after the splitters and the layouts settle
        self._relayout.timeout.connect(self._apply_layout)
        self._spot_timer = QTimer(self)  # owned: it dies with the window, never fires late
        self._spot_timer.setSingleShot(True)
        self._spot_timer.setInterval(0)
        self._spot_timer.timeout.connect(self._place_spotlight)
        self.focus_label = QLabel()
        self.focus_label.setObjectName("wallFocus")
        self.focus_label.setStyleSheet(
            f"QLabel#wallFocus {{ color: {theme.ACCENT}; font-size: 16pt; font-weight: 700;"
            " padding: 0 12px; }")
        self.focus_label.hide()
        win.header.layout().insertWidget(2, self.focus_label)

    # ---- public API -----------------------------------------------------------------------
    def start(self, full_screen: bool = True) -> None:
        """Lock the window, show it (full screen unless ``full_screen`` is False, as for a
        screenshot) and start the playlist and the idle cursor."""
        self.full_screen = full_screen
        self.win.kiosk = self
        self.lock()
        win = self.win
        win.installEventFilter(self)  # resizes: the glass and the spotlight follow
        self._app.focusChanged.connect(self._on_focus_changed)
        self._place_glass()
        self.glass.show()
        self.glass.raise_()
        self.glass.setFocus()
        self._relock.start()
        self._app.screenAdded.connect(self._on_screens_changed)
        self._app.screenRemoved.connect(self._on_screens_changed)
        self._app.primaryScreenChanged.connect(self._on_screens_changed)
        for s in self._app.screens():
            self._watch(s)
        if full_screen:
            self.refit()
        else:
            self.win.show()
        if self.playlist:
            self.next_panel()
            if len(self.playlist) > 1:
                self._rotate.start()
        self._idle.start()

    def stop(self) -> None:
        self._rotate.stop()
        self._idle.stop()
        self._relock.stop()
        self.win.removeEventFilter(self)
        self._app.focusChanged.disconnect(self._on_focus_changed)
        self.glass.hide()
        self.show_cursor()

    def lock(self) -> None:
        """Hide every editing control, the map's side panel and the replay controls; switch
        the window's shortcuts off (Ctrl+Shift+Q still closes the kiosk)."""
        self.win.map_side.hide()
        panel = self.win.dispatch_panel
        for hint in (panel.events_hint, panel.orders_hint):  # keys nobody may press here
            hint.hide()
        for bar in self.win.findChildren(QTabBar):
            # a tab bar re-shows its own scroll arrows whenever its tabs overflow: no
            # arrows on the wall, the tab titles are elided instead
            bar.setUsesScrollButtons(False)
            bar.setElideMode(Qt.TextElideMode.ElideRight)
        for w in self.win.findChildren(QWidget):
            if is_editing_control(w) and (w.isVisibleTo(self.win) or w.isEnabled()):
                w.hide()
                w.setEnabled(False)
                label = _label_before(w)
                if label is not None:  # "季度" before a hidden period box names nothing
                    label.hide()
        for sc in self.win.findChildren(QShortcut):
            sc.setEnabled(False)
        # no widget under the glass can take the keyboard (a table would dispatch on Enter)
        for w in self.win.findChildren(QWidget):
            if w is not self.glass and w.focusPolicy() != Qt.FocusPolicy.NoFocus:
                w.setFocusPolicy(Qt.FocusPolicy.NoFocus)

    def editing_controls_visible(self) -> list[QWidget]:
        """Editing controls a viewer could see and use: empty in a locked kiosk."""
        return [w for w in self.win.findChildren(QWidget)
                if is_editing_control(w) and w.isVisible() and w.isEnabled()]

    def next_panel(self) -> None:
        """Put the next panel of the playlist in focus."""
        if not self.playlist:
            return
        self._step = (self._step + 1) % len(self.playlist)
        self.set_focus(self.playlist[self._step])

    def set_focus(self, panel: str) -> None:
        """Give ``panel`` the large area; the others stay visible, smaller."""
        if panel not in FOCUS_LAYOUT:
            raise ValueError(f"unknown panel {panel!r}; known: {', '.join(FOCUS_LAYOUT)}")
        win = self.win
        self.focus_panel = panel
        (left, centre, right), (top, bottom), along = FOCUS_LAYOUT[panel]
        review_mode = win.mode == "review"
        if review_mode:  # review has no vitals column: the grid keeps the large area
            left, right = 0, max(right, 50)
        win.review.set_compact(not (panel == "five_colour" or review_mode))
        win.kpi_panel.setVisible(panel != "dispatch")
        self._sizes = ((left, centre, right), (top, bottom), along)
        self._apply_sizes()
        n = len(self.playlist)
        pos = f" {self._step + 1}/{n}" if n > 1 and self._step >= 0 else ""
        self.focus_label.setText(self.tr("焦点") + f" · {panel_label(panel)}{pos}")
        self.focus_label.setVisible(bool(self.playlist))
        self.lock()  # the grid's full view shows its buttons again: hide them
        target = self.focus_widget(panel)
        if target is not self._watched:
            if self._watched is not None:
                self._watched.removeEventFilter(self)
            target.installEventFilter(self)  # the spotlight follows its moves and resizes
            self._watched = target
        self._place_spotlight()
        self._relayout.start()
        self.sig_focus_changed.emit(panel)

    def focus_widget(self, panel: str | None = None) -> QWidget:
        win = self.win
        return {"map": win.map_split, "vitals": win.left_split, "five_colour": win.review,
                "dispatch": win.dispatch_panel}[panel or self.focus_panel or "map"]

    def hide_cursor(self) -> None:
        if not self.cursor_hidden:
            self.cursor_hidden = True
            QApplication.setOverrideCursor(QCursor(Qt.CursorShape.BlankCursor))

    def show_cursor(self) -> None:
        if self.cursor_hidden:
            self.cursor_hidden = False
            QApplication.restoreOverrideCursor()

    def target_screen(self):
        """The configured screen if it is there, else the primary (None: no screen at all,
        e.g. every display asleep)."""
        screens = self._app.screens()
        if self.screen_index is not None and 0 <= self.screen_index < len(screens):
            return screens[self.screen_index]
        return self._app.primaryScreen()

    def refit(self) -> None:
        """Go (back) full screen on the target screen: after a screen slept and woke, was
        unplugged, came back, or changed its resolution."""
        screen = self.target_screen()
        if screen is None:
            return  # wait for screenAdded
        win = self.win
        handle = win.windowHandle()
        if handle is not None and handle.screen() is not screen:
            handle.setScreen(screen)
        if self.full_screen:
            win.setGeometry(screen.geometry())
            win.showFullScreen()
        self._spot_timer.start()
        self.sig_refitted.emit(screen)

    # ---- private helpers --------------------------------------------------------------------
    def _watch(self, screen) -> None:
        screen.geometryChanged.connect(self._on_screens_changed)

    def _on_screens_changed(self, *args) -> None:
        for a in args:
            if hasattr(a, "geometryChanged"):
                try:
                    self._watch(a)
                except RuntimeError:  # a removed screen
                    pass
        self._refit_timer.start()

    def _place_spotlight(self) -> None:
        target = self.focus_widget() if self.focus_panel else None
        if target is None or not target.isVisible() or len(self.playlist) < 2:
            self.spotlight.hide()
            return
        central = self.win.centralWidget()
        top_left = target.mapTo(central, target.rect().topLeft())
        self.spotlight.setGeometry(QRect(top_left, target.size()).adjusted(-3, -3, 3, 3))
        self.spotlight.show()
        self.spotlight.raise_()

    def _apply_layout(self) -> None:
        """The focus proportions again at the window's real size, then the spotlight."""
        self._apply_sizes()
        self._spot_timer.start()

    def _apply_sizes(self) -> None:
        sizes = getattr(self, "_sizes", None)
        if sizes is not None:
            for splitter, parts in zip((self.win.top_split, self.win.vsplit,
                                        self.win.bottom_split), sizes):
                _share(splitter, parts)

    def _place_glass(self) -> None:
        self.glass.setGeometry(self.win.rect())
        self.glass.raise_()

    def _on_focus_changed(self, _old, new) -> None:
        """Focus that lands on anything of the window but the glass goes back to the glass."""
        if (self.glass.isVisible() and isinstance(new, QWidget) and new is not self.glass
                and (new is self.win or self.win.isAncestorOf(new))):
            self.glass.setFocus()

    def _on_mouse_moved(self) -> None:
        self.show_cursor()
        self._idle.start()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        if obj is self.win and event.type() == QEvent.Type.Resize:
            self._place_glass()
            self._relayout.start()
        elif obj is self._watched and event.type() in (QEvent.Type.Resize, QEvent.Type.Move,
                                                        QEvent.Type.Show):
            self._place_spotlight()
        return False


class WideLayout(QObject):
    """On a wide wall (three 1080p screens side by side: 5760×1080, or 7680×2160) the
    regions under the map would become a thin strip 5,000 pixels long: past an aspect of
    2.4 the events and dispatch column stands beside the map instead, full height."""

    WIDE = 2.4
    NARROW = 2.2  # hysteresis: a window dragged around the threshold does not flicker

    sig_changed = Signal(bool)
    """The arrangement changed: True = wide (side by side)."""

    def __init__(self, win: MainWindow) -> None:
        super().__init__(win)
        self.win = win
        self.wide = False
        win.installEventFilter(self)
        self.update()

    def update(self) -> None:
        w, h = self.win.width(), max(1, self.win.height())
        want = w / h >= (self.NARROW if self.wide else self.WIDE)
        if want == self.wide:
            return
        self.wide = want
        win = self.win
        win.vsplit.setOrientation(Qt.Orientation.Horizontal if want else Qt.Orientation.Vertical)
        win.bottom_split.setOrientation(Qt.Orientation.Vertical if want
                                        else Qt.Orientation.Horizontal)
        _share(win.vsplit, (68, 32) if want else (68, 32))
        _share(win.bottom_split, (72, 28) if want else (78, 22))
        kiosk = getattr(win, "kiosk", None)
        if kiosk is not None:
            kiosk._relayout.start()
        self.sig_changed.emit(want)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        if obj is self.win and event.type() == QEvent.Type.Resize:
            self.update()
        return False


def _label_before(w: QWidget) -> QLabel | None:
    """The QLabel just before ``w`` in its layout (a caption such as "季度"), if any."""
    parent = w.parentWidget()
    stack = [parent.layout()] if parent is not None and parent.layout() is not None else []
    while stack:
        lay = stack.pop()
        i = lay.indexOf(w)
        if i > 0:
            before = lay.itemAt(i - 1).widget()
            return before if isinstance(before, QLabel) else None
        if i == 0:
            return None
        for j in range(lay.count()):
            child = lay.itemAt(j).layout()
            if child is not None:
                stack.append(child)
    return None


def _share(splitter, parts: tuple[int, ...]) -> None:
    """Set a splitter's sizes to these proportions of its current length."""
    n = splitter.count()
    parts = tuple(parts[:n]) + (0,) * max(0, n - len(parts))
    total = (splitter.width() if splitter.orientation() == Qt.Orientation.Horizontal
             else splitter.height())
    total = max(total, 1000)
    weight = sum(parts) or 1
    splitter.setSizes([round(total * p / weight) for p in parts])


# ---- settings (outside the kiosk) -----------------------------------------------------------
def install_settings(win: MainWindow, config_path: Path) -> QPushButton:
    """A gear button in the header (and Ctrl+,) that opens the settings dialog; saving writes
    the config file, keeping the user's other keys and comments."""
    from PySide6.QtGui import QKeySequence

    from cockpit.widgets.settings_dialog import SettingsDialog

    button = QPushButton("⚙")
    button.setObjectName("settingsButton")
    button.setToolTip(QApplication.translate("Wall", "设置 (Ctrl+,)"))
    button.setStyleSheet("QPushButton#settingsButton { background: #16213a; border: 1px solid "
                         "#2a3a5c; border-radius: 4px; font-size: 16pt; padding: 0 10px; }")
    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    lay = win.header.layout()
    lay.insertWidget(lay.count(), button)

    def open_dialog() -> None:
        cfg = win.config
        values, problems = config_mod.read(config_path)
        current = {"lang": values.get("lang", cfg.lang),
                   "operator": values.get("operator", cfg.operator or ""),
                   "font_scale": values.get("font_scale", cfg.font_scale),
                   "tiles": values.get("tiles", cfg.tiles or ""),
                   "store": values.get("store", cfg.store or "")}
        dlg = SettingsDialog(current, str(config_path), win)
        if problems:
            dlg.show_message("\n".join(str(p) for p in problems), error=True)

        def save(new: dict) -> None:
            out = {k: (v if v not in ("", None) else None) for k, v in new.items()}
            check = [(k, config_mod.BY_NAME[k].check(v)[1]) for k, v in out.items()
                     if v is not None]
            bad = [f"{k}: {msg}" for k, msg in check if msg]
            if bad:
                dlg.show_message("\n".join(bad), error=True)
                return
            try:
                config_mod.write_values(config_path, out)
            except (OSError, ValueError) as exc:
                dlg.show_message(f"{config_path}: {exc}", error=True)
                return
            dlg.accept()
            win.status.setText(QApplication.translate(
                "Wall", "设置已保存，下次启动生效") + f" · {config_path}")

        dlg.sig_save_requested.connect(save)
        dlg.open()
        win.settings_dialog = dlg

    button.clicked.connect(open_dialog)
    QShortcut(QKeySequence("Ctrl+,"), win, open_dialog)
    win.settings_button = button
    win.open_settings = open_dialog
    return button
