"""Trend charts: a sparkline for a tile (painted) and the full trend of one indicator
(pyqtgraph).

Plain data in: times as seconds since 1970 of the *local* clock (the catalog's naive local
times read as if UTC; the time axis shows them unchanged), values as sequences or numpy
arrays. The full chart shades the warning and alarm zones, draws the thresholds, and marks the
moments the indicator crossed into another state — by colour and by shape (▲ alarm,
◆ warning, ● back to normal).

Run ``python -m cockpit.widgets.trend`` to see both on sample data
(``--screenshot PNG`` saves them and exits).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import cache

import numpy as np
from cockpit.widgets import theme
from cockpit.widgets.plots import pg
from cockpit.widgets.preview import preview_app, show_or_save
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QPointF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

__all__ = ["Sparkline", "TrendChart", "MARKER_SYMBOL", "epoch_seconds"]

#: pyqtgraph symbol of the state a crossing enters.
MARKER_SYMBOL = {"alarm": "t1", "warning": "d", "normal": "o"}
_LABELS = {"warn_low": QT_TRANSLATE_NOOP("TrendChart", "预警下限"),
           "warn_high": QT_TRANSLATE_NOOP("TrendChart", "预警上限"),
           "alarm_low": QT_TRANSLATE_NOOP("TrendChart", "报警下限"),
           "alarm_high": QT_TRANSLATE_NOOP("TrendChart", "报警上限")}
_SP = "&nbsp;&nbsp;&nbsp;"


def epoch_seconds(t: datetime) -> float:
    """A naive local time as the chart's time scale (seconds, read as UTC)."""
    return (t.replace(tzinfo=None) - datetime(1970, 1, 1)).total_seconds()


def _colour(name: str, alpha: int | None = None) -> QColor:
    c = QColor(theme.STATUS.get(name, name))
    if alpha is not None:
        c.setAlpha(alpha)
    return c


class Sparkline(QWidget):
    """A tiny chart without axes or interaction: filled series over a shared x, painted
    directly (a pyqtgraph plot per tile cost ~40 ms each to build at start-up)."""

    def __init__(self, parent: QWidget | None = None, height: int = 34, series: int = 2) -> None:
        """``series``: kept for the callers that size it; any number can be drawn."""
        super().__init__(parent)
        self._background: QColor | None = None
        self.setFixedHeight(height)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self._x = np.zeros(0)
        #: (values with all-zero series as NaN, colour name), in drawing order
        self._series: list[tuple[np.ndarray, str]] = []
        self._fill = True
        self._range = (0.0, 3.0)
        #: How many series the last ``set_series`` drew, and over how many points.
        self.shown = 0
        self.points = 0

    def setBackground(self, colour) -> None:  # noqa: N802 - pyqtgraph's name, kept
        self._background = None if colour is None else QColor(colour)
        self.update()

    def set_series(self, x: Sequence[float], series: list[tuple[Sequence[float], str]],
                   fill: bool = True, y_min: float | None = 0.0) -> None:
        """``series``: (values, status name or colour), drawn in order (later on top); a
        series of zeros is not drawn (the baseline shows it)."""
        x = np.asarray(x, float)
        lo = y_min if y_min is not None else 0.0
        top = 0.0
        kept = []
        for values, colour in series:
            y = np.asarray(values, float)
            top = max(top, float(np.nanmax(y)) if y.size else 0.0)
            if not np.any(y):
                y = np.full(y.shape, np.nan)
            kept.append((y, colour))
        self._x, self._series, self._fill = x, kept, fill
        # a count of 1 must not look like a full tile: at least 3 units tall
        self._range = (lo, max(top * 1.08, lo + 3.0))
        self.shown = len(series)
        self.points = int(x.size)
        self.update()

    def drawn_series(self) -> list[tuple[np.ndarray, str]]:
        """What the next paint draws: (values, colour) per series, NaN where not drawn."""
        return list(self._series)

    def paintEvent(self, _event) -> None:  # noqa: N802
        p = QPainter(self)
        w, h = self.width(), self.height()
        if self._background is not None:
            p.fillRect(self.rect(), self._background)
        lo, hi = self._range
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(QPen(QColor("#3a4a6a"), 1))
        p.drawLine(QPointF(0, h - 0.5), QPointF(w, h - 0.5))  # the baseline
        x = self._x
        if x.size < 2 or x[-1] == x[0]:
            return
        px = (x - x[0]) / (x[-1] - x[0]) * (w - 1)
        for y, colour in self._series:
            ok = np.isfinite(y)
            if not ok.any():
                continue
            py = h - 1 - (np.clip(y, lo, hi) - lo) / (hi - lo) * (h - 2)
            for run in _runs(ok):
                pts = [QPointF(float(a), float(b)) for a, b in zip(px[run], py[run])]
                if self._fill and len(pts) > 1:
                    poly = QPolygonF([QPointF(pts[0].x(), h), *pts, QPointF(pts[-1].x(), h)])
                    p.setPen(Qt.PenStyle.NoPen)
                    p.setBrush(_colour(colour, 70))
                    p.drawPolygon(poly)
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.setPen(QPen(_colour(colour), 1.6))
                p.drawPolyline(QPolygonF(pts))

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(160, self.height())


def _runs(ok: np.ndarray) -> list[slice]:
    """The runs of True in ``ok``, as slices."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], ok.astype(np.int8), [0]])))
    return [slice(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2])]


@cache
def _clock_axis_class() -> type:
    """The trend's time axis class (made with the first chart: pyqtgraph is imported then)."""

    class _ClockAxis(pg().DateAxisItem):
        """Times as 11-24 / 15:00 (no weekday names, whatever the locale)."""

        def tickStrings(self, values, scale, spacing):  # noqa: N802
            out = []
            for v in values:
                try:
                    t = datetime(1970, 1, 1) + timedelta(seconds=float(v))
                except (OverflowError, ValueError):
                    out.append("")
                    continue
                if spacing >= 86400 or (t.hour == 0 and t.minute == 0):
                    out.append(f"{t:%m-%d}")
                else:
                    out.append(f"{t:%H:%M}")
            return out

    return _ClockAxis


class TrendChart(QWidget):
    """The full trend of one indicator with its bands, thresholds and crossings."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        self._plot = None  # made when the first trend is shown (see cockpit.widgets.plots)
        self._lay = lay
        self.legend = QLabel()
        self.legend.setObjectName("note")
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.legend.setWordWrap(True)
        lay.addWidget(self.legend)
        self.data: dict | None = None
        self.marker_count = 0

    @property
    def plot(self):
        """The chart's pyqtgraph PlotWidget (made on first use)."""
        if self._plot is None:
            pg_ = pg()
            axis = _clock_axis_class()(orientation="bottom", utcOffset=0)
            plot = pg_.PlotWidget(axisItems={"bottom": axis}, background=theme.PANEL)
            plot.setMenuEnabled(False)
            plot.showGrid(x=True, y=True, alpha=0.15)
            font = QFont(self.font().family())
            font.setPixelSize(13)
            for name in ("left", "bottom"):
                ax = plot.getAxis(name)
                ax.setTextPen(pg_.mkPen(theme.TEXT_DIM))
                ax.setPen(pg_.mkPen("#2a3a5c"))
                ax.setStyle(tickFont=font)
                ax.enableAutoSIPrefix(False)
            plot.getPlotItem().setContentsMargins(4, 6, 8, 4)
            self._lay.insertWidget(0, plot, 1)
            self._plot = plot
        return self._plot

    def set_trend(self, data: dict) -> None:
        """``data``: ``t`` and ``v`` (sequences), ``unit``, ``thresholds`` (warn_low, warn_high,
        alarm_low, alarm_high; None = none), ``crossings`` ([(t, state entered, value)]) and
        ``now`` (t of the moment shown, or None)."""
        self.data = data
        pg_ = pg()
        p = self.plot
        p.clear()
        t = np.asarray(data.get("t", []), float)
        v = np.asarray(data.get("v", []), float)
        thr = {k: data.get("thresholds", {}).get(k) for k in _LABELS}
        levels = [x for x in thr.values() if x is not None]
        finite = v[np.isfinite(v)] if v.size else v
        if finite.size:
            lo, hi = float(finite.min()), float(finite.max())
        elif levels:
            lo, hi = min(levels), max(levels)
        else:
            lo, hi = 0.0, 1.0
        # keep the nearest thresholds in view so the bands mean something
        lo = min([lo] + [x for x in (thr["warn_low"], thr["alarm_low"]) if x is not None
                         and x >= lo - (hi - lo)])
        hi = max([hi] + [x for x in (thr["warn_high"], thr["alarm_high"]) if x is not None
                         and x <= hi + (hi - lo)])
        pad = (hi - lo) * 0.08 or max(abs(hi) * 0.1, 1.0)
        y0, y1 = lo - pad, hi + pad
        # zones: alarm beyond the alarm thresholds, warning between warning and alarm
        wl, wh, al, ah = thr["warn_low"], thr["warn_high"], thr["alarm_low"], thr["alarm_high"]
        zones = []
        if ah is not None:
            zones.append((ah, max(y1, ah), "alarm"))
        if wh is not None:
            zones.append((wh, ah if ah is not None else max(y1, wh), "warning"))
        if al is not None:
            zones.append((min(y0, al), al, "alarm"))
        if wl is not None:
            zones.append((al if al is not None else min(y0, wl), wl, "warning"))
        for a, b, status in zones:
            if b > a:
                region = pg_.LinearRegionItem((a, b), orientation="horizontal", movable=False,
                                             brush=pg_.mkBrush(_colour(status, 38)),
                                             pen=pg_.mkPen(None))
                region.setZValue(-10)
                p.addItem(region, ignoreBounds=True)
        for key, x in thr.items():
            if x is None:
                continue
            status = "alarm" if key.startswith("alarm") else "warning"
            name = QCoreApplication.translate("TrendChart", _LABELS[key])
            line = pg_.InfiniteLine(pos=x, angle=0, movable=False,
                                   pen=pg_.mkPen(_colour(status), width=1.2,
                                                style=Qt.PenStyle.DashLine),
                                   label=f"{name} {x:g}",
                                   labelOpts={"position": 0.02, "color": _colour(status),
                                              "anchors": [(0, 1), (0, 1)]
                                              if key.endswith("high") else [(0, 0), (0, 0)]})
            p.addItem(line, ignoreBounds=True)
        if t.size:
            p.plot(t, v, pen=pg_.mkPen(theme.ACCENT, width=2))
        marks = data.get("crossings", [])
        self.marker_count = len(marks)
        for status in MARKER_SYMBOL:
            pts = [(float(mt), float(mv)) for mt, st, mv in marks if st == status]
            if pts:
                xs, ys = zip(*pts, strict=True)
                p.addItem(pg_.ScatterPlotItem(
                    xs, ys, symbol=MARKER_SYMBOL[status], size=15,
                    brush=pg_.mkBrush(_colour(status)), pen=pg_.mkPen(theme.BG, width=1.2)))
        now = data.get("now")
        if now is not None:
            p.addItem(pg_.InfiniteLine(pos=float(now), angle=90, movable=False,
                                      pen=pg_.mkPen("#ffffff", width=1,
                                                   style=Qt.PenStyle.DotLine)),
                      ignoreBounds=True)
        p.setYRange(y0, y1, padding=0)
        if t.size:
            p.setXRange(float(t[0]), float(now if now is not None else t[-1]), padding=0.01)
        p.getAxis("left").setLabel(data.get("unit") or "", color=theme.TEXT_DIM)
        n_alarm = sum(1 for _t, st, _v in marks if st == "alarm")
        n_warn = sum(1 for _t, st, _v in marks if st == "warning")
        self.legend.setText(
            f"<span style='color:{theme.STATUS['alarm']}'>"
            + self.tr("▲ 进入报警 {n}").format(n=n_alarm) + f"</span>{_SP}"
            f"<span style='color:{theme.STATUS['warning']}'>"
            + self.tr("◆ 进入预警 {n}").format(n=n_warn) + f"</span>{_SP}"
            f"<span style='color:{theme.STATUS['normal']}'>" + self.tr("● 恢复正常")
            + f"</span>{_SP}<span style='color:{theme.TEXT_DIM}'>" + self.tr("┆ 当前") + "</span>")


def preview(argv: list[str]) -> int:
    """This widget alone on sample data (see :mod:`cockpit.widgets.preview`)."""
    app = preview_app(argv)
    w = QWidget()
    w.setStyleSheet(f"background: {theme.BG};")
    lay = QVBoxLayout(w)
    t0 = epoch_seconds(datetime(2026, 11, 24, 0, 0))
    t = t0 + np.arange(288) * 300.0
    v = 0.35 + 0.05 * np.cos(2 * np.pi * (t - t0) / 86400) + np.random.default_rng(1).normal(
        0, 0.005, t.size)
    v += 0.3 * np.exp(-0.5 * ((np.arange(288) - 180) / 12) ** 2)
    spark = Sparkline()
    spark.set_series(np.arange(25), [(np.r_[np.zeros(10), np.arange(15) % 5], "warning"),
                                     (np.r_[np.zeros(18), np.ones(7)], "alarm")])
    chart = TrendChart()
    marks = [(t[163], "warning", v[163]), (t[172], "alarm", v[172]), (t[190], "warning", v[190]),
             (t[197], "normal", v[197])]
    chart.set_trend({"t": t, "v": v, "unit": "MPa", "crossings": marks, "now": t[-1],
                     "thresholds": {"warn_low": 0.20, "warn_high": 0.55, "alarm_low": 0.14,
                                    "alarm_high": 0.65}})
    lay.addWidget(spark)
    lay.addWidget(chart, 1)
    w.resize(900, 520)
    return show_or_save(app, w, argv)


if __name__ == "__main__":
    import sys

    sys.exit(preview(sys.argv))
