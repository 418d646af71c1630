"""Small, self-contained views for the regions of the screen.

Each takes plain data (numbers, lists of tuples) through a ``set_*`` method and draws it; none
knows where the data came from. Run ``python -m cockpit.widgets.panels`` to see them alone.
"""

from __future__ import annotations

from cockpit.widgets import theme
from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)


class Panel(QFrame):
    """A titled region with a body layout."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("panel")
        self.setFrameShape(QFrame.Shape.NoFrame)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 8, 12, 10)
        lay.setSpacing(6)
        self.title = QLabel(title)
        self.title.setObjectName("panelTitle")
        lay.addWidget(self.title)
        self.body = QVBoxLayout()
        self.body.setSpacing(6)
        lay.addLayout(self.body, 1)

    def set_title(self, title: str) -> None:
        self.title.setText(title)


class StatTile(QFrame):
    """A big number with a caption, readable from across the room."""

    def __init__(self, caption: str, colour: str = theme.TEXT,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statTile")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 4, 8, 4)
        lay.setSpacing(0)
        self.value = QLabel("—")
        self.value.setObjectName("statValue")
        self.value.setStyleSheet(f"color: {colour};")
        self.caption = QLabel(caption)
        self.caption.setObjectName("statCaption")
        lay.addWidget(self.value)
        lay.addWidget(self.caption)

    def set_value(self, value: int | float | str) -> None:
        self.value.setText(f"{value:,}" if isinstance(value, int) else str(value))


class BarList(QWidget):
    """Horizontal bars: one row per (label, value, colour), drawn from a cached layout."""

    sig_item_clicked = Signal(str)
    """A row was clicked: its label."""

    def __init__(self, parent: QWidget | None = None, row_height: int = 22) -> None:
        super().__init__(parent)
        self._rows: list[tuple[str, float, str, str]] = []
        self._row_h = row_height
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.drawn = False

    def set_rows(self, rows: list[tuple[str, float, str] | tuple[str, float, str, str]]) -> None:
        """Rows of (label, value, colour[, value text])."""
        self._rows = [(r[0], float(r[1]), r[2], r[3] if len(r) > 3 else f"{r[1]:,.0f}")
                      for r in rows]
        self.updateGeometry()
        self.update()

    def rows(self) -> list[tuple[str, float, str, str]]:
        return list(self._rows)

    def sizeHint(self) -> QSize:
        return QSize(240, max(1, len(self._rows)) * self._row_h + 4)

    def minimumSizeHint(self) -> QSize:
        return QSize(160, max(1, len(self._rows)) * self._row_h + 4)

    def mousePressEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        i = int(event.position().y() // self._row_h)
        if 0 <= i < len(self._rows):
            self.sig_item_clicked.emit(self._rows[i][0])

    def paintEvent(self, event) -> None:  # noqa: N802
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        w = self.width()
        label_w = min(int(w * 0.38), 150)
        value_w = 70
        bar_w = max(10, w - label_w - value_w - 12)
        top = max((r[1] for r in self._rows), default=1.0) or 1.0
        f = QFont(self.font())
        p.setFont(f)
        for i, (label, value, colour, text) in enumerate(self._rows):
            y = i * self._row_h
            p.setPen(QColor(theme.TEXT_DIM))
            p.drawText(QRectF(0, y, label_w - 6, self._row_h),
                       Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, label)
            bw = bar_w * (value / top)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor(theme.TRACK))
            p.drawRoundedRect(QRectF(label_w, y + 5, bar_w, self._row_h - 10), 3, 3)
            p.setBrush(QColor(colour))
            p.drawRoundedRect(QRectF(label_w, y + 5, max(2.0, bw), self._row_h - 10), 3, 3)
            p.setPen(QPen(QColor(theme.TEXT)))
            p.drawText(QRectF(label_w + bar_w + 6, y, value_w, self._row_h),
                       Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, text)
        p.end()
        self.drawn = True


if __name__ == "__main__":  # a smoke run on sample data
    import sys

    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv)
    theme.apply(app)
    w = Panel("风险点 · risk points")
    bars = BarList()
    bars.set_rows([("重大", 1200, "#ff3b30"), ("较大", 5200, "#ff9500"),
                   ("一般", 30000, "#ffd60a")])
    w.body.addWidget(bars)
    w.resize(480, 320)
    w.show()
    sys.exit(app.exec())
