"""The replay bar (复盘 · 演练): play, pause, step, seek, speed, and a timeline of the window.

Plain data in — the window ``[start, end]`` (naive local datetimes), the event density as bin
start times and counts, the drill injects as (time, label) — and signals out; the bar never
moves time itself: the replay clock does, and tells the bar with :meth:`set_time`.

Run ``python -m cockpit.widgets.replay_bar`` to see it on sample data
(``--screenshot PNG`` saves it and exits).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import cache

import numpy as np
from cockpit.widgets import theme
from cockpit.widgets.plain import tooltip
from cockpit.widgets.plots import pg
from cockpit.widgets.preview import preview_app, show_or_save
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

__all__ = ["ReplayBar", "SPEEDS"]

#: The speeds offered, simulated seconds per wall second.
SPEEDS = (1, 5, 10, 30, 60)
_SLIDER_STEPS = 10_000


@cache
def _time_axis_class() -> type:
    """The timeline's axis class (made with the first bar: pyqtgraph is imported then)."""

    class _TimeAxis(pg().AxisItem):
        """Minutes after the window's start shown as clock times (dates when the span is
        long)."""

        def __init__(self) -> None:
            super().__init__("bottom")
            self.start = datetime(2000, 1, 1)
            self.long = False

        def tickStrings(self, values, scale, spacing):  # noqa: N802 - pyqtgraph's name
            fmt = "%m-%d %H:%M" if self.long else "%H:%M"
            return [(self.start + timedelta(minutes=float(v))).strftime(fmt) for v in values]

    return _TimeAxis


class ReplayBar(QWidget):
    """Transport controls, speed, the current simulated time (large) and the timeline."""

    sig_play_requested = Signal()
    """The user pressed play."""
    sig_pause_requested = Signal()
    """The user pressed pause."""
    sig_step_requested = Signal()
    """The user asked for one step forward."""
    sig_seek_requested = Signal(object)
    """The user asked to jump to a time (datetime)."""
    sig_speed_changed = Signal(int)
    """The user picked a speed (1, 5, 10, 30 or 60)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("replayBar")
        self.setAutoFillBackground(True)
        self.setStyleSheet(
            f"QPushButton:checked {{ background:{theme.ACCENT}; color:{theme.BG}; "
            f"font-weight:bold; }} QPushButton:disabled {{ color:{theme.TEXT_DIM}; }}")
        self.start = datetime(2000, 1, 1)
        self.end = self.start + timedelta(hours=1)
        self.time = self.start
        self.playing = False
        self.speed = 1
        self._syncing = False
        self._build()
        self.set_window(self.start, self.end)

    # ---- construction ---------------------------------------------------------------------
    def _build(self) -> None:
        root = QHBoxLayout(self)
        root.setContentsMargins(10, 6, 10, 6)
        root.setSpacing(12)
        left = QVBoxLayout()
        left.setSpacing(4)
        self.drill = False
        self.caption = QLabel(self.tr("复盘"))
        self.caption.setStyleSheet(f"color:{theme.TEXT_DIM}; font-size:12px;")
        self.time_label = QLabel()
        big = QFont(self.font())
        big.setPixelSize(34)
        big.setBold(True)
        self.time_label.setFont(big)
        self.time_label.setStyleSheet(f"color:{theme.TEXT};")
        self.time_label.setMinimumWidth(250)
        self.date_label = QLabel()
        self.date_label.setStyleSheet(f"color:{theme.TEXT_DIM}; font-size:13px;")
        left.addWidget(self.caption)
        left.addWidget(self.time_label)
        left.addWidget(self.date_label)
        root.addLayout(left)

        controls = QVBoxLayout()
        controls.setSpacing(6)
        transport = QHBoxLayout()
        transport.setSpacing(4)
        self.play_button = self._button(self.tr("▶ 播放"), self.tr("播放（空格）"))
        self.pause_button = self._button(self.tr("‖ 暂停"), self.tr("暂停（空格）"))
        self.step_button = self._button(self.tr("▶| 单步"), self.tr("单步前进（→；← 后退）"))
        self.play_button.clicked.connect(self.sig_play_requested.emit)
        self.pause_button.clicked.connect(self.sig_pause_requested.emit)
        self.step_button.clicked.connect(self.sig_step_requested.emit)
        for b in (self.play_button, self.pause_button, self.step_button):
            transport.addWidget(b)
        controls.addLayout(transport)
        speeds = QHBoxLayout()
        speeds.setSpacing(2)
        self.speed_group = QButtonGroup(self)
        self.speed_group.setExclusive(True)
        self.speed_buttons: dict[int, QPushButton] = {}
        for s in SPEEDS:
            b = self._button(f"{s}×", self.tr("回放速度 {speed}×").format(speed=s))
            b.setCheckable(True)
            b.setMinimumWidth(44)
            self.speed_group.addButton(b, s)
            self.speed_buttons[s] = b
            speeds.addWidget(b)
        self.speed_buttons[1].setChecked(True)
        self.speed_group.idClicked.connect(self._on_speed_clicked)
        controls.addLayout(speeds)
        root.addLayout(controls)

        right = QVBoxLayout()
        right.setSpacing(2)
        pg_ = pg()
        self.axis = _time_axis_class()()
        self.plot = pg_.PlotWidget(axisItems={"bottom": self.axis}, background=theme.PANEL)
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.plot.getPlotItem().hideAxis("left")
        self.plot.getPlotItem().setContentsMargins(0, 0, 0, 0)
        self.axis.setTextPen(theme.TEXT_DIM)
        self.axis.setPen(theme.TRACK)
        self.density = pg_.BarGraphItem(x0=[], x1=[], height=[], brush=theme.ACCENT + "99",
                                       pen=pg_.mkPen(None))
        self.plot.addItem(self.density)
        self.inject_lines: list = []  # pyqtgraph InfiniteLines
        self.inject_points = pg_.ScatterPlotItem(symbol="t", size=13,
                                                brush=pg_.mkBrush(theme.DEMO),
                                                pen=pg_.mkPen(theme.BG))
        self.plot.addItem(self.inject_points)
        self.cursor = pg_.InfiniteLine(angle=90, movable=False,
                                      pen=pg_.mkPen(theme.STATUS["alarm"], width=2))
        self.plot.addItem(self.cursor)
        self.plot.scene().sigMouseClicked.connect(self._on_plot_clicked)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, _SLIDER_STEPS)
        self.slider.setToolTip(self.tr("拖动跳转"))
        self.slider.sliderReleased.connect(self._on_slider_released)
        self.slider.valueChanged.connect(self._on_slider_moved)
        right.addWidget(self.plot, 1)
        right.addWidget(self.slider)
        root.addLayout(right, 1)
        self._max_count = 1.0
        self._show_state()

    def _button(self, text: str, tip: str) -> QPushButton:
        b = QPushButton(text)
        b.setToolTip(tip)
        b.setMinimumHeight(30)
        return b

    # ---- public API -----------------------------------------------------------------------
    def set_window(self, start: datetime, end: datetime) -> None:
        """The span the timeline and the slider cover."""
        if end <= start:
            end = start + timedelta(minutes=1)
        self.start, self.end = start, end
        self.axis.start = start
        self.axis.long = (end - start) > timedelta(days=1)
        self.plot.setXRange(0, self._x(end), padding=0.01)
        self.set_time(min(max(self.time, start), end))

    def set_density(self, bin_starts: Sequence[datetime], counts: Sequence[float]) -> None:
        """Events per bin (bins equally wide, from ``bin_starts``)."""
        xs = np.array([self._x(t) for t in bin_starts], dtype=float)
        hs = np.asarray(counts, dtype=float)
        if len(xs) == 0:
            self.density.setOpts(x0=[], x1=[], height=[])
            return
        width = np.diff(xs).min() if len(xs) > 1 else self._x(self.end) - xs[0]
        self.density.setOpts(x0=xs, x1=xs + width * 0.9, height=hs)
        self._max_count = max(1.0, float(hs.max()) if len(hs) else 1.0)
        self.plot.setYRange(0, self._max_count * 1.25, padding=0)
        self._place_injects()

    def set_injects(self, markers: Sequence[tuple[datetime, str]]) -> None:
        """Drill injects as (time, label): a marker (▼ and a dashed line) each."""
        for line in self.inject_lines:
            self.plot.removeItem(line)
        self.inject_lines = []
        self._markers = list(markers)
        pg_ = pg()
        for t, label in self._markers:
            line = pg_.InfiniteLine(pos=self._x(t), angle=90, movable=False,
                                    pen=pg_.mkPen(theme.DEMO, width=1,
                                                  style=Qt.PenStyle.DashLine))
            line.setToolTip(tooltip(f"{t:%H:%M} {label}"))  # a label from the scenario
            self.plot.addItem(line)
            self.inject_lines.append(line)
        self._place_injects()

    def set_time(self, t: datetime) -> None:
        """The current simulated time (from the clock)."""
        self.time = t
        self.time_label.setText(f"{t:%H:%M:%S}")
        self.date_label.setText(self.tr("{date} · 模拟时间").format(date=f"{t:%Y-%m-%d}"))
        x = self._x(t)
        vb = self.plot.getPlotItem().vb
        (x0, x1), width = vb.viewRange()[0], max(1.0, vb.width())
        # moving the line repaints the whole density chart: only when it moves a pixel
        if abs(x - self.cursor.value()) * width >= (x1 - x0) or not self.isVisible():
            self.cursor.setValue(x)
        if not self.slider.isSliderDown():
            self._syncing = True
            self.slider.setValue(self._slider_of(t))
            self._syncing = False

    def set_playing(self, playing: bool) -> None:
        self.playing = bool(playing)
        self._show_state()

    def set_speed(self, speed: int) -> None:
        self.speed = int(speed)
        b = self.speed_buttons.get(self.speed)
        if b is not None:
            b.setChecked(True)
        self._show_state()

    def set_caption(self, text: str) -> None:
        self.caption.setText(text)

    def time_at_fraction(self, f: float) -> datetime:
        """The time at a fraction 0–1 of the window."""
        f = min(1.0, max(0.0, float(f)))
        return self.start + (self.end - self.start) * f

    # ---- private --------------------------------------------------------------------------
    def _x(self, t: datetime) -> float:
        return (t - self.start).total_seconds() / 60.0

    def _slider_of(self, t: datetime) -> int:
        span = (self.end - self.start).total_seconds() or 1.0
        return round((t - self.start).total_seconds() / span * _SLIDER_STEPS)

    def _place_injects(self) -> None:
        markers = getattr(self, "_markers", [])
        self.inject_points.setData([self._x(t) for t, _ in markers],
                                   [self._max_count * 1.12] * len(markers))

    def _show_state(self) -> None:
        self.play_button.setEnabled(not self.playing)
        self.pause_button.setEnabled(self.playing)
        state = self.tr("▶ 播放中") if self.playing else self.tr("‖ 已暂停")
        text = (self.tr("演练  {state} · {speed}×") if self.drill
                else self.tr("复盘  {state} · {speed}×"))
        self.caption.setText(text.format(state=state, speed=self.speed))

    def set_drill(self, drill: bool) -> None:
        """A drill's bar says 演练, a replay's 复盘."""
        self.drill = bool(drill)
        self._show_state()

    def _on_speed_clicked(self, speed: int) -> None:
        self.sig_speed_changed.emit(int(speed))

    def _on_slider_moved(self, value: int) -> None:
        if self._syncing or self.slider.isSliderDown():
            return
        self.sig_seek_requested.emit(self.time_at_fraction(value / _SLIDER_STEPS))

    def _on_slider_released(self) -> None:
        self.sig_seek_requested.emit(self.time_at_fraction(self.slider.value() / _SLIDER_STEPS))

    def _on_plot_clicked(self, ev) -> None:
        vb = self.plot.getPlotItem().vb
        x = vb.mapSceneToView(ev.scenePos()).x()
        span = self._x(self.end) or 1.0
        self.sig_seek_requested.emit(self.time_at_fraction(x / span))


def _sample(bar: ReplayBar) -> None:
    start = datetime(2026, 11, 20, 8, 0)
    end = start + timedelta(hours=8)
    bar.set_window(start, end)
    rng = np.random.default_rng(1)
    bins = [start + timedelta(minutes=2 * i) for i in range(240)]
    base = 4 + 3 * np.sin(np.linspace(0, 3.1, 240))
    bar.set_density(bins, rng.poisson(base))
    bar.set_injects([(start + timedelta(minutes=32), "供水主管爆管"),
                     (start + timedelta(minutes=150), "停水投诉")])
    bar.set_time(start + timedelta(minutes=95))
    bar.set_speed(10)
    bar.set_playing(True)


def preview(argv: list[str]) -> int:
    """This widget alone on sample data (see :mod:`cockpit.widgets.preview`)."""
    app = preview_app(argv)
    bar = ReplayBar()
    bar.resize(1900, 140)
    _sample(bar)
    return show_or_save(app, bar, argv)


if __name__ == "__main__":
    sys.exit(preview(sys.argv))
