"""A custom-painted arc gauge: value, unit, target mark, warning/alarm bands, trend arrow.

Generic: the vital-sign detail shows one indicator with its thresholds; the KPI board shows a
board's score against the five-colour bands. Plain numbers in, ``sig_clicked`` out.

The drawing is cached: a ``QPixmap`` at the device pixel ratio, keyed on the size, the ratio
and everything drawn (value, range, bands, texts). A repaint with an unchanged key blits the
pixmap; text and arcs are drawn at the device's resolution, so the gauge is crisp on a 4K
video wall. Status is shown by colour *and* by a shape and a word (▲ 报警 · ◆ 预警 · ● 正常).

Run ``python -m cockpit.widgets.gauge`` to see it alone on sample data
(``--screenshot PNG`` saves it and exits).
"""

from __future__ import annotations

import math

from cockpit.widgets import theme
from cockpit.widgets.preview import preview_app, screenshot_path, show_or_save
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QSizePolicy, QWidget

__all__ = ["ArcGauge", "STATUS_MARK", "STATUS_WORD", "status_word"]

#: Shape and word of each status (never colour alone).
STATUS_MARK = {"alarm": "▲", "warning": "◆", "normal": "●", "nodata": "○"}
STATUS_WORD = {"alarm": QT_TRANSLATE_NOOP("ArcGauge", "报警"),
               "warning": QT_TRANSLATE_NOOP("ArcGauge", "预警"),
               "normal": QT_TRANSLATE_NOOP("ArcGauge", "正常"),
               "nodata": QT_TRANSLATE_NOOP("ArcGauge", "无数据")}
"""Chinese source texts; show them with :func:`status_word`."""


def status_word(status: str) -> str:
    """The status's word in the interface language (unknown statuses as they are)."""
    word = STATUS_WORD.get(status)
    return QCoreApplication.translate("ArcGauge", word) if word else status

_START = 225.0  # degrees, Qt's convention (counter-clockwise from 3 o'clock)
_SPAN = 270.0


#: The smallest text a gauge draws (px): readable across a room at 1080p.
MIN_LABEL_PX = 12


class ArcGauge(QWidget):
    """A 270° arc gauge."""

    sig_clicked = Signal()
    """The gauge was clicked."""

    def __init__(self, title: str = "", unit: str = "", minimum: float = 0.0,
                 maximum: float = 100.0, decimals: int = 1,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._title = title
        self._unit = unit
        self._min = float(minimum)
        self._max = float(maximum)
        self._decimals = decimals
        self._value: float | None = None
        self._trend: float | None = None
        self._target: float | None = None
        self._bands: list[tuple[float, float, str]] = []
        self._thresholds: (tuple[float | None, float | None, float | None, float | None]
                           | None) = None
        self._status: str | None = None
        self._higher_is_better: bool | None = None
        self._caption = ""
        self._cache: QPixmap | None = None
        self._cache_key: tuple | None = None
        #: How many times the gauge was drawn (not blitted) — the cache at work.
        self.render_count = 0
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, False)
        # operable by keyboard: Tab reaches it, Enter or Space opens it as a click does
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    # ---- public API -----------------------------------------------------------------------
    def set_value(self, value: float | None, trend: float | None = None) -> None:
        """The value (None: no data) and its change since the previous one (arrow ↑ ↓ →)."""
        self._value = None if value is None or value != value else float(value)
        self._trend = trend
        self.update()

    def set_range(self, minimum: float, maximum: float) -> None:
        if not maximum > minimum:
            raise ValueError(f"empty gauge range [{minimum}, {maximum}]")
        self._min, self._max = float(minimum), float(maximum)
        self.update()

    def set_target(self, target: float | None) -> None:
        """A target mark on the arc (None: none)."""
        self._target = target
        self.update()

    def set_bands(self, bands: list[tuple[float, float, str]]) -> None:
        """Coloured bands along the arc: (from, to, status name or '#rrggbb' colour)."""
        self._bands = [(float(a), float(b), str(c)) for a, b, c in bands]
        self.update()

    def set_thresholds(self, warn_low: float | None = None, warn_high: float | None = None,
                       alarm_low: float | None = None, alarm_high: float | None = None) -> None:
        """Warning and alarm bands from thresholds (any may be None); the status then follows
        the value (strictly beyond a threshold) unless :meth:`set_status` says otherwise."""
        self._thresholds = (warn_low, warn_high, alarm_low, alarm_high)
        lo, hi = self._min, self._max
        bands: list[tuple[float, float, str]] = []
        inner_lo = warn_low if warn_low is not None else alarm_low
        inner_hi = warn_high if warn_high is not None else alarm_high
        bands.append((inner_lo if inner_lo is not None else lo,
                      inner_hi if inner_hi is not None else hi, "normal"))
        if warn_high is not None:
            bands.append((warn_high, alarm_high if alarm_high is not None else hi, "warning"))
        if alarm_high is not None:
            bands.append((alarm_high, hi, "alarm"))
        if warn_low is not None:
            bands.append((alarm_low if alarm_low is not None else lo, warn_low, "warning"))
        if alarm_low is not None:
            bands.append((lo, alarm_low, "alarm"))
        self._bands = bands
        self.update()

    def set_status(self, status: str | None) -> None:
        """The status to show (normal / warning / alarm / nodata); None: from the thresholds."""
        if status is not None and status not in STATUS_WORD:
            raise ValueError(f"unknown status {status!r}")
        self._status = status
        self.update()

    def set_title(self, title: str) -> None:
        self._title = title
        self.update()

    def set_unit(self, unit: str) -> None:
        self._unit = unit
        self.update()

    def set_caption(self, caption: str) -> None:
        """A small line under the status (e.g. '目标 85')."""
        self._caption = caption
        self.update()

    def set_decimals(self, decimals: int) -> None:
        self._decimals = decimals
        self.update()

    def set_higher_is_better(self, flag: bool | None) -> None:
        """Colours the trend arrow: green when it moves the good way (None: neutral)."""
        self._higher_is_better = flag
        self.update()

    def status(self) -> str | None:
        """The status shown: explicit, else from the thresholds, else from the value's band."""
        if self._status is not None:
            return self._status
        v = self._value
        if v is None:
            return "nodata" if (self._thresholds or self._bands) else None
        if self._thresholds is not None:
            wl, wh, al, ah = self._thresholds
            if (ah is not None and v > ah) or (al is not None and v < al):
                return "alarm"
            if (wh is not None and v > wh) or (wl is not None and v < wl):
                return "warning"
            return "normal"
        for a, b, c in self._bands:
            if a <= v <= b and c in STATUS_WORD:
                return c
        return None

    def value_text(self) -> str:
        if self._value is None:
            return "—"
        v = self._value
        return f"{v:,.{self._decimals}f}" if abs(v) >= 10000 else f"{v:.{self._decimals}f}"

    def trend_text(self) -> str:
        t = self._trend
        if t is None:
            return ""
        if abs(t) < 10 ** -(self._decimals + 1):
            return self.tr("→ 持平")
        return f"{'↑' if t > 0 else '↓'} {abs(t):.{self._decimals}f}"

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(220, 220)

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(120, 120)

    def hasHeightForWidth(self) -> bool:  # noqa: N802
        return True

    def heightForWidth(self, w: int) -> int:  # noqa: N802
        return int(w * 0.95)

    # ---- painting -------------------------------------------------------------------------
    def _key(self) -> tuple:
        return (self.width(), self.height(), self.devicePixelRatioF(), self._value, self._trend,
                self._min, self._max, self._target, tuple(self._bands), self._thresholds,
                self._status, self._title, self._unit, self._decimals, self._caption,
                self._higher_is_better, self.font().family(), self.isEnabled())

    def paintEvent(self, event) -> None:  # noqa: N802
        key = self._key()
        if self._cache is None or key != self._cache_key:
            self._cache = self._render()
            self._cache_key = key
        p = QPainter(self)
        p.drawPixmap(0, 0, self._cache)
        if self.hasFocus():  # the keyboard focus: a 2 px outline (never colour alone)
            pen = QPen(QColor(theme.FOCUS), 2)
            pen.setStyle(Qt.PenStyle.DashLine)
            p.setPen(pen)
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRoundedRect(QRectF(self.rect()).adjusted(1, 1, -1, -1), 4, 4)
        p.end()

    def keyPressEvent(self, event) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space) \
                and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            self.sig_clicked.emit()
            event.accept()
            return
        super().keyPressEvent(event)

    def focusInEvent(self, event) -> None:  # noqa: N802
        super().focusInEvent(event)
        self.update()

    def focusOutEvent(self, event) -> None:  # noqa: N802
        super().focusOutEvent(event)
        self.update()

    def mousePressEvent(self, event) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton:
            self.sig_clicked.emit()
        super().mousePressEvent(event)

    def _frac(self, v: float) -> float:
        return min(1.0, max(0.0, (v - self._min) / (self._max - self._min)))

    def _angle(self, v: float) -> float:
        return _START - _SPAN * self._frac(v)

    def _colour(self, name: str) -> QColor:
        return QColor(theme.STATUS.get(name, name))

    def _band_colour(self) -> QColor:
        """Without a status: the colour of the band the value lies in, else the accent."""
        v = self._value
        if v is not None:
            for a, b, c in self._bands:
                if a <= v <= b:
                    return self._colour(c)
        return QColor(theme.ACCENT)

    def _render(self) -> QPixmap:
        self.render_count += 1
        dpr = self.devicePixelRatioF()
        w, h = max(1, self.width()), max(1, self.height())
        pm = QPixmap(int(math.ceil(w * dpr)), int(math.ceil(h * dpr)))
        pm.setDevicePixelRatio(dpr)
        pm.fill(Qt.GlobalColor.transparent)
        p = QPainter(pm)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing)

        title_h = max(16.0, h * 0.12) if self._title else 0.0
        side = min(w, (h - title_h) / 0.86)  # the arc's box; its bottom 14 % stays empty
        r_out = side / 2 - max(2.0, side * 0.02)
        cx, cy = w / 2, side / 2
        ring = max(4.0, side * 0.085)
        band_w = max(2.0, side * 0.03)
        r_mid = r_out - band_w - ring / 2 - side * 0.01
        status = self.status()
        colour = self._colour(status) if status else self._band_colour()

        # the bands on the outer edge
        for a, b, c in self._bands:
            a0, a1 = self._angle(max(a, self._min)), self._angle(min(b, self._max))
            if abs(a1 - a0) < 0.05:
                continue
            col = self._colour(c)
            if c == "normal":
                col.setAlphaF(0.55)
            pen = QPen(col, band_w, Qt.PenStyle.SolidLine, Qt.PenCapStyle.FlatCap)
            p.setPen(pen)
            rb = r_out - band_w / 2
            p.drawArc(QRectF(cx - rb, cy - rb, 2 * rb, 2 * rb), int(a0 * 16), int((a1 - a0) * 16))
        # the track and the value
        rect = QRectF(cx - r_mid, cy - r_mid, 2 * r_mid, 2 * r_mid)
        p.setPen(QPen(QColor(theme.TRACK), ring, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        p.drawArc(rect, int(_START * 16), int(-_SPAN * 16))
        if self._value is not None:
            span = -_SPAN * self._frac(self._value)
            p.setPen(QPen(colour, ring, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
            p.drawArc(rect, int(_START * 16), int(min(-0.5, span) * 16))
        # the target mark: a bright radial bar across the ring and the bands
        if self._target is not None:
            ang = math.radians(self._angle(self._target))
            r0, r1 = r_mid - ring * 0.75, r_out + 1
            p.setPen(QPen(QColor("#ffffff"), max(2.0, side * 0.014), Qt.PenStyle.SolidLine,
                          Qt.PenCapStyle.FlatCap))
            p.drawLine(QPointF(cx + r0 * math.cos(ang), cy - r0 * math.sin(ang)),
                       QPointF(cx + r1 * math.cos(ang), cy - r1 * math.sin(ang)))

        # texts, sized from the arc so that they scale with the screen
        family = self.font().family()
        inner = r_mid - ring / 2
        value_font = QFont(family)
        value_font.setPixelSize(max(10, int(inner * 0.52)))
        value_font.setBold(True)
        text = self.value_text()
        fm = QFontMetricsF(value_font)
        while fm.horizontalAdvance(text) > inner * 1.7 and value_font.pixelSize() > 9:
            value_font.setPixelSize(value_font.pixelSize() - 1)
            fm = QFontMetricsF(value_font)
        p.setFont(value_font)
        p.setPen(QColor(theme.TEXT))
        vh = fm.height()
        vrect = QRectF(cx - inner, cy - vh * 0.62, 2 * inner, vh)
        p.drawText(vrect, Qt.AlignmentFlag.AlignCenter, text)
        small = QFont(family)
        small.setPixelSize(max(MIN_LABEL_PX, int(inner * 0.19)))
        sfm = QFontMetricsF(small)
        p.setFont(small)
        p.setPen(QColor(theme.TEXT_DIM))
        if self._unit:
            p.drawText(QRectF(cx - inner, vrect.top() - sfm.height() * 0.9, 2 * inner,
                              sfm.height()), Qt.AlignmentFlag.AlignCenter, self._unit)
        y = vrect.bottom() - vh * 0.05
        line = []
        if status:
            line.append((f"{STATUS_MARK[status]} {status_word(status)}", colour))
        trend = self.trend_text()
        if trend:
            good = None
            if self._higher_is_better is not None and self._trend:
                good = (self._trend > 0) == self._higher_is_better
            tc = QColor(theme.TEXT_DIM if good is None else
                        theme.STATUS["normal"] if good else theme.STATUS["alarm"])
            line.append((trend, tc))
        if line:
            bold = QFont(small)
            bold.setBold(True)
            p.setFont(bold)
            bfm = QFontMetricsF(bold)
            gap = bfm.horizontalAdvance("  ")
            total = sum(bfm.horizontalAdvance(t) for t, _ in line) + gap * (len(line) - 1)
            x = cx - total / 2
            for t, c in line:
                p.setPen(c)
                p.drawText(QPointF(x, y + bfm.ascent()), t)
                x += bfm.horizontalAdvance(t) + gap
            y += bfm.height()
        # a small gauge (the KPI boards at 1080p) keeps value, status and title legible and
        # drops the caption and the scale's ends, which would overlap them
        roomy = side >= 110
        if self._caption and roomy:
            p.setFont(small)
            p.setPen(QColor(theme.TEXT_DIM))
            p.drawText(QRectF(cx - inner, y, 2 * inner, sfm.height()),
                       Qt.AlignmentFlag.AlignCenter,
                       sfm.elidedText(self._caption, Qt.TextElideMode.ElideRight, 2 * inner))
        # min and max at the arc's ends
        tiny = QFont(family)
        tiny.setPixelSize(max(MIN_LABEL_PX, int(side * 0.055)))
        p.setFont(tiny)
        p.setPen(QColor(theme.TEXT_DIM))
        tfm = QFontMetricsF(tiny)
        for v, sgn in ((self._min, -1), (self._max, 1)) if roomy else ():
            ang = math.radians(self._angle(v))
            px, py = cx + r_mid * math.cos(ang), cy - r_mid * math.sin(ang) + ring * 0.6
            t = _short(v)
            tw = tfm.horizontalAdvance(t)
            p.drawText(QPointF(px - tw / 2 + sgn * 0, py + tfm.ascent()), t)
        # the title under the arc
        if self._title:
            tf = QFont(family)
            tf.setPixelSize(max(MIN_LABEL_PX, int(min(title_h * 0.62, side * 0.085))))
            tf.setBold(True)
            p.setFont(tf)
            p.setPen(QColor(theme.TEXT))
            tfm2 = QFontMetricsF(tf)
            p.drawText(QRectF(2, h - title_h, w - 4, title_h), Qt.AlignmentFlag.AlignCenter,
                       tfm2.elidedText(self._title, Qt.TextElideMode.ElideRight, w - 6))
        p.end()
        return pm


def _short(v: float) -> str:
    if abs(v) >= 10000:  # 1.2万 in Chinese, 12k in English
        return QCoreApplication.translate("ArcGauge", "{wan:g}万").format(wan=v / 10000,
                                                                          k=v / 1000)
    return f"{v:g}"


def preview(argv: list[str]) -> int:
    """A window of sample gauges; ``--screenshot PNG`` saves it and exits."""
    import random

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QGridLayout

    app = preview_app(argv)
    w = QWidget()
    w.setObjectName("central")
    w.setStyleSheet(f"QWidget#central {{ background: {theme.BG}; }}")
    grid = QGridLayout(w)
    pressure = ArcGauge("供水管网压力", "MPa", 0.0, 0.8, decimals=3)
    pressure.set_thresholds(0.20, 0.55, 0.14, 0.65)
    pressure.set_value(0.412, trend=0.006)
    gas = ArcGauge("可燃气体浓度", "%LEL", 0, 30, decimals=1)
    gas.set_thresholds(None, 10, None, 25)
    gas.set_value(12.6, trend=1.4)
    gas.set_higher_is_better(False)
    tunnel = ArcGauge("隧道CO浓度", "ppm", 0, 200, decimals=0)
    tunnel.set_thresholds(None, 100, None, 150)
    tunnel.set_value(168, trend=12)
    tunnel.set_higher_is_better(False)
    kpi = ArcGauge("设施运行 · 板块得分", "分", 0, 100, decimals=1)
    kpi.set_bands([(0, 60, "#ff453a"), (60, 70, "#ff9f0a"), (70, 80, "#ffd60a"),
                   (80, 90, "#5ac8fa"), (90, 100, "#34c759")])
    kpi.set_target(85)
    kpi.set_value(87.4, trend=2.1)
    kpi.set_higher_is_better(True)
    kpi.set_caption("目标 85 · 第 6 名")
    volt = ArcGauge("供电电压合格率", "%", 97, 100, decimals=2)
    volt.set_thresholds(99.0, None, 98.0, None)
    volt.set_value(99.62, trend=-0.03)
    volt.set_higher_is_better(True)
    empty = ArcGauge("桥梁挠度（无数据）", "mm", 0, 50)
    empty.set_thresholds(None, 30, None, 40)
    empty.set_value(None)
    gauges = [pressure, gas, tunnel, kpi, volt, empty]
    for i, g in enumerate(gauges):
        grid.addWidget(g, i // 3, i % 3)
    w.resize(900, 620)
    if screenshot_path(argv):
        return show_or_save(app, w, argv)

    def wiggle() -> None:
        v = pressure._value or 0.4
        d = random.uniform(-0.02, 0.02)
        pressure.set_value(round(v + d, 3), trend=d)

    timer = QTimer(w)
    timer.timeout.connect(wiggle)
    timer.start(1000)
    w.setWindowTitle("ArcGauge · 仪表")
    w.show()
    return app.exec()


if __name__ == "__main__":
    import sys

    sys.exit(preview(sys.argv))
