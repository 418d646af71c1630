"""The drill-mode watermark: a large diagonal 演练 · EXERCISE over the whole parent.

A child widget that follows its parent's size, stays on top, and lets every mouse event through
(``WA_TransparentForMouseEvents``), so the screen under it works as usual. It adds a frame in
the exercise colour so the mode is unmistakable even where the text is covered.
"""

from __future__ import annotations

import math

from cockpit.widgets import theme
from PySide6.QtCore import QT_TRANSLATE_NOOP, QEvent, QObject, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen, QPixmap
from PySide6.QtWidgets import QWidget

__all__ = ["ExerciseWatermark", "WATERMARK_TEXT"]

WATERMARK_TEXT = QT_TRANSLATE_NOOP("ExerciseWatermark", "演练 · EXERCISE")


class ExerciseWatermark(QWidget):
    """Covers ``parent``; draws the watermark; transparent to the mouse."""

    def __init__(self, parent: QWidget, text: str | None = None,
                 colour: str = theme.DEMO) -> None:
        """``text``: already in the interface language; default: 演练 · EXERCISE."""
        super().__init__(parent)
        self.text = text if text is not None else self.tr(WATERMARK_TEXT)
        self.colour = QColor(colour)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground, True)
        self.setAttribute(Qt.WidgetAttribute.WA_TranslucentBackground, True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        parent.installEventFilter(self)
        self._cache: QPixmap | None = None
        self._cache_key: tuple | None = None
        self.setGeometry(parent.rect())
        self.raise_()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if obj is self.parent() and event.type() in (QEvent.Type.Resize,
                                                     QEvent.Type.ChildAdded):
            self.setGeometry(self.parentWidget().rect())
            self.raise_()
        return False

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        # drawn once per size into a cached pixmap: every panel update under the overlay
        # repaints it, and building the text path each time cost a third of a replay frame
        w, h = self.width(), self.height()
        if w <= 0 or h <= 0:
            return
        dpr = self.devicePixelRatioF()
        key = (w, h, dpr, self.text)
        if self._cache is None or self._cache_key != key:
            pm = QPixmap(int(w * dpr), int(h * dpr))
            pm.setDevicePixelRatio(dpr)
            pm.fill(Qt.GlobalColor.transparent)
            self._draw(pm, w, h)
            self._cache, self._cache_key = pm, key
        p = QPainter(self)
        p.drawPixmap(event.rect(), self._cache, QRectF(
            event.rect().x() * dpr, event.rect().y() * dpr, event.rect().width() * dpr,
            event.rect().height() * dpr).toRect())
        p.end()

    def _draw(self, device, w: int, h: int) -> None:
        p = QPainter(device)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        frame = QColor(self.colour)
        frame.setAlpha(200)
        p.setPen(QPen(frame, 6))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRect(QRectF(3, 3, w - 6, h - 6))
        angle = -math.degrees(math.atan2(h, w))
        diag = math.hypot(w, h)
        font = QFont(self.font())
        font.setBold(True)
        font.setPixelSize(100)
        width100 = QFontMetricsF(font).horizontalAdvance(self.text) or 1.0
        font.setPixelSize(max(12, int(100 * diag * 0.7 / width100)))
        p.setFont(font)
        fm = QFontMetricsF(font)
        text_w = fm.horizontalAdvance(self.text)
        p.translate(QPointF(w / 2, h / 2))
        p.rotate(angle)
        fill = QColor(self.colour)
        fill.setAlpha(46)
        outline = QColor(self.colour)
        outline.setAlpha(110)
        p.setPen(QPen(outline, 2))
        path = QPainterPath()
        path.addText(QPointF(-text_w / 2, (fm.ascent() - fm.descent()) / 2), font, self.text)
        p.fillPath(path, fill)
        p.drawPath(path)
        p.end()
