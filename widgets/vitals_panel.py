"""The vital-sign panel (城市体征): domain tiles → the domain's indicators → one indicator's trend.

Three pages in one panel:

1. **Overview** — the counts of all indicators by status, one tile per domain (水 电 气 讯 桥
   隧 交通 环境 …) with its counts, its worst indicators and a sparkline of how many of its
   indicators were in warning / alarm over the last hours, and the worst indicators of the city.
2. **Indicators** — a virtualised table of the indicators (sortable; filterable by domain,
   district, status and name).
3. **Indicator** — an arc gauge of the value with its bands and the full trend chart.

Status is shown by colour *and* by shape and word: ▲ 报警 alarm, ◆ 预警 warning, ● 正常
normal, ○ 无数据 no data.

Plain data in (:meth:`VitalsPanel.set_status`, :meth:`VitalsPanel.show_trend`), signals out
(``sig_indicator_requested`` asks the controller for a trend). The table sorts in the model
with numpy and the proxy filters from a precomputed mask: sorting 4,476 rows through Python
comparisons in ``QSortFilterProxyModel.lessThan`` costs ~100 ms on the GUI thread, the numpy
sort ~1 ms.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import numpy as np
from cockpit.widgets import theme
from cockpit.widgets.gauge import STATUS_MARK, ArcGauge, status_word
from cockpit.widgets.plain import display, set_plain, tooltip
from cockpit.widgets.table_model import RowsModel
from cockpit.widgets.trend import Sparkline, TrendChart
from cockpit.widgets.words import tr_word
from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    QRectF,
    QSize,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

__all__ = ["VitalsPanel", "VitalsTableModel", "VitalsFilterProxy", "DomainTile", "STATUS_ORDER"]

_Index = QModelIndex | QPersistentModelIndex
#: Statuses, worst first.
STATUS_ORDER = ("alarm", "warning", "normal", "nodata")
_SEVERITY = {"alarm": 3, "warning": 2, "normal": 1, "nodata": 0}
#: The vital-sign domains in the house order (the schema's VITAL_DOMAINS; widgets do not
#: import the datasets package).
DEFAULT_DOMAINS = ("水", "电", "气", "讯", "桥", "隧", "交通", "环境")
_CARD = "#16213a"
SPARK_STEP_MS = 90
"""The domain tiles' charts redraw one per step after a tick (8 tiles: under a second)."""


def _font(px: int, bold: bool = False, base: QFont | None = None) -> QFont:
    f = QFont(base) if base is not None else QFont()
    f.setPixelSize(px)
    f.setBold(bold)
    return f


def fmt_value(v: float | None, unit: str = "") -> str:
    """A reading for people: 4 significant digits, thousands separators for large values."""
    if v is None or v != v:
        return "—"
    s = f"{v:,.0f}" if abs(v) >= 10000 else f"{v:.4g}"
    return f"{s} {unit}".strip()


def bands_text(row: dict) -> str:
    """'预 0.2~0.55 · 报 0.14~0.65' (inside the range: not beyond) or '预 >0.8 · 报 >1'."""
    def rng(lo, hi):
        if lo is None and hi is None:
            return None
        if lo is None:
            return f">{hi:g}"
        if hi is None:
            return f"<{lo:g}"
        return f"{lo:g}~{hi:g}"
    parts = []
    w = rng(row.get("warn_low"), row.get("warn_high"))
    a = rng(row.get("alarm_low"), row.get("alarm_high"))
    if w:
        parts.append(QCoreApplication.translate("vitals_panel", "预 {range}").format(range=w))
    if a:
        parts.append(QCoreApplication.translate("vitals_panel", "报 {range}").format(range=a))
    return " · ".join(parts) or "—"


# ------------------------------------------------------------------------------ overview


class StatusSummary(QWidget):
    """The counts of all indicators by status, big; click a status to list those indicators."""

    sig_status_clicked = Signal(str)
    """A status was clicked: "alarm", "warning", "normal" or "nodata"."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._counts: dict[str, int] = {}
        self._total = 0
        self._cells: list[tuple[QRectF, str]] = []
        self.setFixedHeight(64)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def set_counts(self, counts: dict[str, int]) -> None:
        if dict(counts) == self._counts:
            return
        self._counts = dict(counts)
        self._total = sum(self._counts.values())
        self.update()

    def paintEvent(self, event) -> None:  # noqa: N802
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        w, h = self.width(), self.height()
        shown = ["total"] + [s for s in STATUS_ORDER if s != "nodata" or self._counts.get(s)]
        cw = w / len(shown)
        self._cells = []
        base = self.font()
        for k, key in enumerate(shown):
            r = QRectF(k * cw + 2, 2, cw - 4, h - 4)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor(_CARD))
            p.drawRoundedRect(r, 4, 4)
            if key == "total":
                colour, n, cap = QColor(theme.TEXT), self._total, self.tr("体征指标")
            else:
                colour = QColor(theme.STATUS[key])
                n = self._counts.get(key, 0)
                cap = f"{STATUS_MARK[key]} {status_word(key)}"
                self._cells.append((r, key))
                if key in ("alarm", "warning") and n:
                    p.setBrush(QColor(colour.red(), colour.green(), colour.blue(), 40))
                    p.drawRoundedRect(r, 4, 4)
            big = _font(max(14, min(28, int(h * 0.42), int(cw / 4.2))), True, base)
            p.setFont(big)
            p.setPen(colour if key == "total" or n else QColor(theme.TEXT_DIM))
            p.drawText(QRectF(r.left(), r.top() + 2, r.width(), h * 0.55),
                       Qt.AlignmentFlag.AlignCenter, f"{n:,}")
            p.setFont(_font(max(11, min(14, int(cw / 7))), key != "total", base))
            p.setPen(colour if key != "total" else QColor(theme.TEXT_DIM))
            p.drawText(QRectF(r.left(), r.top() + h * 0.55, r.width(), h * 0.38),
                       Qt.AlignmentFlag.AlignCenter, cap)
        p.end()

    def mousePressEvent(self, event) -> None:  # noqa: N802
        for r, key in self._cells:
            if r.contains(event.position()):
                self.sig_status_clicked.emit(key)
                return


class DomainTile(QFrame):
    """One domain: its worst status, its counts, its worst indicators and a sparkline.

    Keyboard: it takes the focus (Tab) and shows it with a dashed frame in the focus colour
    (as the gauges do); Enter or Space opens it as a click does; the arrow keys ask to move
    to the neighbouring tile (:attr:`sig_arrow_pressed`)."""

    sig_clicked = Signal(str)
    """The tile was clicked (or Enter / Space pressed on it): its domain."""
    sig_arrow_pressed = Signal(str, int, int)
    """An arrow key on the tile: its domain, the column step and the row step (±1 / 0)."""

    _ARROWS = {Qt.Key.Key_Left: (-1, 0), Qt.Key.Key_Right: (1, 0), Qt.Key.Key_Up: (0, -1),
               Qt.Key.Key_Down: (0, 1)}

    def __init__(self, domain: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.domain = domain
        self.setObjectName("vitalTile")
        self._counts: dict[str, int] = {}
        self._total = 0
        self._worst: list[dict] = []
        self._spark_shown: tuple[list, list, list] | None = None
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName(tr_word(domain))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(10, 0, 6, 4)
        lay.addStretch(1)
        self.spark = Sparkline(height=28)
        self.spark.setBackground(_CARD)
        for w in (self.spark, *self.spark.findChildren(QWidget)):  # Tab goes tile to tile
            w.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        lay.addWidget(self.spark)

    def set_data(self, counts: dict[str, int], total: int, worst: list[dict]) -> None:
        new = (dict(counts), int(total), list(worst))
        if new == (self._counts, self._total, self._worst):
            return  # most ticks change nothing on most tiles: no repaint
        self._counts, self._total, self._worst = new
        self._size_spark()
        self.update()

    def set_spark(self, t: list[float], warning: list[float], alarm: list[float]) -> None:
        """Counts of the domain's indicators in warning-or-alarm and in alarm over time."""
        shown = self._spark_shown
        if (shown is not None and shown[1:] == (list(warning), list(alarm)) and len(t) > 1
                and len(shown[0]) == len(t)):
            # the same counts, the window moved by less than a pixel: nothing to redraw
            px = (t[-1] - t[0]) / max(1, self.spark.width())
            if abs(t[-1] - shown[0][-1]) < px and abs(t[0] - shown[0][0]) < px:
                return
        self._spark_shown = (list(t), list(warning), list(alarm))
        w = np.asarray(warning, float) + np.asarray(alarm, float)
        self.spark.set_series(t, [(w, "warning"), (alarm, "alarm")])

    def state(self) -> str:
        for s in ("alarm", "warning"):
            if self._counts.get(s):
                return s
        if self._total and self._counts.get("nodata", 0) == self._total:
            return "nodata"
        return "normal"

    def text_lines(self) -> list[str]:
        """What the tile says, as text (for tests and the accessible description)."""
        c = self._counts
        lines = [f"{tr_word(self.domain)} {STATUS_MARK[self.state()]} {status_word(self.state())}",
                 " ".join(f"{STATUS_MARK[s]}{status_word(s)} {c.get(s, 0)}"
                          for s in STATUS_ORDER if s != "nodata" or c.get(s))]
        lines += [f"{STATUS_MARK[r['status']]} {r['name']} "
                  f"{fmt_value(r.get('value'), r.get('unit', ''))}"
                  for r in self._worst]
        return lines

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(230, 150)

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._size_spark()

    def _size_spark(self) -> None:
        # the worst indicators first (up to two lines), then the sparkline takes the rest:
        # a small chart on a big screen, a strip on a small one
        lines = min(2, max(1, len(self._worst)))
        room = self.height() - 72 - 19 * lines - 8
        self.spark.setFixedHeight(int(min(140, max(24, room))))
        # a short tile (four rows at 1080p) shows its counts rather than a strip over them
        self.spark.setVisible(self.height() >= 96)

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(180, 120)

    def mousePressEvent(self, event) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton:
            self.sig_clicked.emit(self.domain)

    def keyPressEvent(self, event) -> None:  # noqa: N802
        plain = not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        key = Qt.Key(event.key())
        if plain and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.sig_clicked.emit(self.domain)
            event.accept()
            return
        if plain and key in self._ARROWS:
            self.sig_arrow_pressed.emit(self.domain, *self._ARROWS[key])
            event.accept()
            return
        super().keyPressEvent(event)

    def focusInEvent(self, event) -> None:  # noqa: N802
        super().focusInEvent(event)
        self.update()

    def focusOutEvent(self, event) -> None:  # noqa: N802
        super().focusOutEvent(event)
        self.update()

    def _first_line(self, w: float, h: float, state: str, room: float
                    ) -> tuple[QFont, QFont, str, str]:
        """(domain font, state font, domain, state tag) of the first line, fitted to
        ``room`` pixels: the type shrinks first (an English "Environment ▲ Alarm" is three
        times as wide as 环境 ▲ 报警), then the state keeps its shape and loses its word.
        ``self.first_line_fits`` says whether the whole line fits."""
        base = self.font()
        domain = tr_word(self.domain)
        size = 22 if w >= 200 and h >= 72 else 18  # short at 1080p
        for tag in (f"{STATUS_MARK[state]} {status_word(state)}", STATUS_MARK[state]):
            for big_size in range(size, 12, -1):
                big = _font(big_size, True, base)
                mid = _font(max(11, round(big_size * 15 / 22)), True, base)
                need = (QFontMetricsF(big).horizontalAdvance(domain) + 8
                        + QFontMetricsF(mid).horizontalAdvance(tag))
                if need <= room:
                    self.first_line_fits = True
                    return big, mid, domain, tag
        self.first_line_fits = False
        return big, mid, domain, tag

    def paintEvent(self, event) -> None:  # noqa: N802
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        w, h = self.width(), self.height()
        state = self.state()
        colour = QColor(theme.STATUS[state])
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(_CARD))
        p.drawRoundedRect(QRectF(0, 0, w, h), 5, 5)
        p.setBrush(colour)
        p.drawRoundedRect(QRectF(0, 0, 5, h), 2, 2)
        base = self.font()
        x0, right = 14.0, w - 8.0
        # line 1: the domain, its state in shape and word, the number of indicators
        big, mid, domain, tag = self._first_line(w, h, state, right - x0)
        p.setFont(big)
        p.setPen(QColor(theme.TEXT))
        fm = QFontMetricsF(big)
        y = 6.0
        p.drawText(QRectF(x0, y, w, fm.height()), Qt.AlignmentFlag.AlignLeft, domain)
        x = x0 + fm.horizontalAdvance(domain) + 8
        p.setFont(mid)
        p.setPen(colour)
        p.drawText(QRectF(x, y, w, fm.height()), Qt.AlignmentFlag.AlignVCenter, tag)
        x += QFontMetricsF(mid).horizontalAdvance(tag) + 8
        small13 = _font(13, False, base)
        p.setFont(small13)
        p.setPen(QColor(theme.TEXT_DIM))
        count = self.tr("{n} 项").format(n=f"{self._total:,}")
        if x + QFontMetricsF(small13).horizontalAdvance(count) <= right:  # else no room
            p.drawText(QRectF(x0, y, right - x0, fm.height()),
                       Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, count)
        y += fm.height() + 2
        # line 2: counts by status, shape + number in the status colour
        cnt = _font(18, True, base)
        p.setFont(cnt)
        cfm = QFontMetricsF(cnt)
        x = x0
        for s in STATUS_ORDER:
            n = self._counts.get(s, 0)
            if s == "nodata" and not n:
                continue
            t = f"{STATUS_MARK[s]} {n:,}"
            p.setPen(QColor(theme.STATUS[s]) if n or s == "normal" else QColor(theme.TEXT_DIM))
            p.drawText(QRectF(x, y, right - x, cfm.height()), Qt.AlignmentFlag.AlignLeft, t)
            x += cfm.horizontalAdvance(t) + 14
        y += cfm.height() + 3
        # worst indicators, as many as fit above the sparkline
        small = _font(13, False, base)
        p.setFont(small)
        sfm = QFontMetricsF(small)
        limit = h - (self.spark.height() if self.spark.isVisible() else 0) - 6
        for r in self._worst:
            if y + sfm.height() > limit:
                break
            st = r["status"]
            p.setPen(QColor(theme.STATUS.get(st, theme.TEXT)))
            mark = STATUS_MARK.get(st, "")
            p.drawText(QRectF(x0, y, 16, sfm.height()), Qt.AlignmentFlag.AlignLeft, mark)
            val = fmt_value(r.get("value"), r.get("unit", ""))
            vw = sfm.horizontalAdvance(val)
            p.drawText(QRectF(right - vw, y, vw, sfm.height()), Qt.AlignmentFlag.AlignRight, val)
            p.setPen(QColor(theme.TEXT))
            name_w = right - vw - x0 - 22
            p.drawText(QRectF(x0 + 17, y, name_w, sfm.height()), Qt.AlignmentFlag.AlignLeft,
                       sfm.elidedText(display(r["name"]), Qt.TextElideMode.ElideRight, name_w))
            y += sfm.height() + 1
        if not self._worst and y + sfm.height() <= limit:
            p.setPen(QColor(theme.TEXT_DIM))
            p.drawText(QRectF(x0, y, right - x0, sfm.height()), Qt.AlignmentFlag.AlignLeft,
                       self.tr("全部正常") if self._total else self.tr("无指标"))
        if self.hasFocus():  # the keyboard focus: a 2 px dashed outline (never colour alone)
            pen = QPen(QColor(theme.FOCUS), 2)
            pen.setStyle(Qt.PenStyle.DashLine)
            p.setPen(pen)
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRoundedRect(QRectF(self.rect()).adjusted(1, 1, -1, -1), 5, 5)
        p.end()


class WorstList(QWidget):
    """The city's worst indicators, one per line; click a line to see its trend."""

    sig_indicator_clicked = Signal(str)
    """A line was clicked: the indicator's id."""

    ROW = 26

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[dict] = []
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_rows(self, rows: list[dict]) -> None:
        rows = list(rows)
        if rows != self._rows:
            self._rows = rows
            self.update()

    def visible_rows(self) -> int:
        return max(0, min(len(self._rows), self.height() // self.ROW))

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(160, 0)

    def mousePressEvent(self, event) -> None:  # noqa: N802
        i = int(event.position().y() // self.ROW)
        if 0 <= i < self.visible_rows():
            self.sig_indicator_clicked.emit(self._rows[i]["indicator_id"])

    def paintEvent(self, event) -> None:  # noqa: N802
        p = QPainter(self)
        w = self.width()
        f = _font(14, False, self.font())
        fm = QFontMetricsF(f)
        p.setFont(f)
        for i in range(self.visible_rows()):
            r = self._rows[i]
            y = i * self.ROW
            if i % 2:
                p.fillRect(QRectF(0, y, w, self.ROW), QColor("#14203a"))
            st = r["status"]
            p.setPen(QColor(theme.STATUS.get(st, theme.TEXT)))
            p.drawText(QRectF(6, y, 60, self.ROW), Qt.AlignmentFlag.AlignVCenter,
                       f"{STATUS_MARK[st]} {status_word(st)}")
            val = fmt_value(r.get("value"), r.get("unit", ""))
            vw = fm.horizontalAdvance(val) + 6
            p.drawText(QRectF(w - vw - 4, y, vw, self.ROW),
                       Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, val)
            dist = r.get("district") or ""
            dw = min(fm.horizontalAdvance(dist) + 10, w * 0.22)
            p.setPen(QColor(theme.TEXT_DIM))
            p.drawText(QRectF(w - vw - dw - 8, y, dw, self.ROW),
                       Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                       fm.elidedText(dist, Qt.TextElideMode.ElideRight, dw))
            nw = w - vw - dw - 80
            p.setPen(QColor(theme.TEXT))
            p.drawText(QRectF(70, y, nw, self.ROW), Qt.AlignmentFlag.AlignVCenter,
                       fm.elidedText(r["name"], Qt.TextElideMode.ElideRight, nw))
        if not self._rows:
            p.setPen(QColor(theme.STATUS["normal"]))
            p.drawText(QRectF(6, 0, w, self.ROW), Qt.AlignmentFlag.AlignVCenter,
                       self.tr("● 全部指标正常"))
        p.end()


# ------------------------------------------------------------------------- the table


class VitalsTableModel(RowsModel):
    """The indicators as a table: one row per indicator, columns of plain lists.

    Sorting happens here, with numpy (``sort``); filtering is a boolean mask the proxy reads
    (``accepts``). Rows keep their identity across updates of the values. The values come
    in as columns (``set_columns``), not as the base's rows: ``row`` builds a row's dict."""

    TR_CONTEXT = "VitalsTableModel"

    COLUMNS = (("status", QT_TRANSLATE_NOOP("VitalsTableModel", "状态")),
               ("name", QT_TRANSLATE_NOOP("VitalsTableModel", "指标")),
               ("district", QT_TRANSLATE_NOOP("VitalsTableModel", "区县")),
               ("value", QT_TRANSLATE_NOOP("VitalsTableModel", "当前值")),
               ("bands", QT_TRANSLATE_NOOP("VitalsTableModel", "阈值（预 · 报）")),
               ("ts", QT_TRANSLATE_NOOP("VitalsTableModel", "更新")))
    IdRole = Qt.ItemDataRole.UserRole + 1
    StatusRole = Qt.ItemDataRole.UserRole + 2
    DomainRole = Qt.ItemDataRole.UserRole + 3
    DistrictRole = Qt.ItemDataRole.UserRole + 4
    SortRole = Qt.ItemDataRole.UserRole + 5

    def __init__(self, parent=None) -> None:
        super().__init__(None, parent)
        self._cols: dict[str, list] = {k: [] for k in ("indicator_id", "name", "domain",
                                                      "district", "unit", "status", "value",
                                                      "ts", "excess")}
        self._n = 0
        self._order = np.zeros(0, np.int64)  # row -> data index
        self._sort: tuple[int, Qt.SortOrder] | None = None
        self._mask = np.zeros(0, bool)  # by data index
        self._filter: dict[str, Any] = {"domain": None, "district": None, "statuses": None,
                                        "text": ""}

    # ---- data in ---------------------------------------------------------------------------
    def set_columns(self, cols: dict[str, list]) -> bool:
        """Replace the data (dict of equally long lists, keys as :attr:`COLUMNS` plus
        indicator_id, domain, unit, excess and the four thresholds). Returns True when the
        row order or the filter changed (the proxy must re-filter)."""
        n = len(cols.get("indicator_id", []))
        same_rows = n == self._n and cols["indicator_id"] == self._cols["indicator_id"]
        if not same_rows:
            self.beginResetModel()
            self._cols = {k: list(v) for k, v in cols.items()}
            self._n = n
            self._order = np.arange(n)
            self._derive(rows_changed=True)
            self._order = self._sorted_order()
            self._mask = self._compute_mask()
            self.endResetModel()
            return True
        old_order, old_mask = self._order, self._mask
        self._cols = {k: list(v) for k, v in cols.items()}
        self._derive()
        new_order = self._sorted_order()
        new_mask = self._compute_mask()
        if not np.array_equal(new_order, old_order):
            self._relayout(new_order)
        self._mask = new_mask
        if n:
            self.dataChanged.emit(self.index(0, 0), self.index(n - 1, self.columnCount() - 1))
        return not np.array_equal(new_mask, old_mask) or not np.array_equal(new_order, old_order)

    def _derive(self, rows_changed: bool = False) -> None:
        c = self._cols
        self._sev = np.array([_SEVERITY.get(s, 0) for s in c["status"]], float)
        self._val = np.array([np.nan if v is None else v for v in c["value"]], float)
        self._exc = np.array([-np.inf if v is None else v for v in c["excess"]], float)
        self._tsv = np.array([t.timestamp() if isinstance(t, datetime) else -np.inf
                              for t in c["ts"]], float)
        if rows_changed:
            self._names = np.array(c["name"], dtype=str) if self._n else np.zeros(0, str)
            self._dists = np.array(c["district"], dtype=str) if self._n else np.zeros(0, str)
            self._doms = np.array(c["domain"], dtype=object)

    def data_index(self, row: int) -> int:
        return int(self._order[row])

    def row_dict(self, row: int) -> dict:
        i = self.data_index(row)
        return {k: v[i] for k, v in self._cols.items()}

    row = row_dict

    def rows(self) -> list[dict[str, Any]]:
        return [self.row_dict(r) for r in range(self._n)]

    # ---- filtering -------------------------------------------------------------------------
    def set_filter(self, domain: str | None = None, district: str | None = None,
                   statuses: set[str] | None = None, text: str = "") -> None:
        self._filter = {"domain": domain, "district": district,
                        "statuses": set(statuses) if statuses else None, "text": text.strip()}
        self._mask = self._compute_mask()

    def filter(self) -> dict[str, Any]:
        return dict(self._filter)

    def accepts(self, row: int) -> bool:
        return bool(self._mask[self._order[row]]) if 0 <= row < self._n else False

    def _compute_mask(self) -> np.ndarray:
        f = self._filter
        m = np.ones(self._n, bool)
        if f["domain"]:
            m &= self._doms == f["domain"]
        if f["district"]:
            m &= self._dists == f["district"]
        if f["statuses"]:
            m &= np.isin(np.array(self._cols["status"], dtype=object), list(f["statuses"]))
        if f["text"]:
            t = f["text"].lower()
            m &= np.array([t in (n or "").lower() or t in (i or "").lower() for n, i in
                           zip(self._cols["name"], self._cols["indicator_id"], strict=True)],
                          bool)
        return m

    # ---- sorting ---------------------------------------------------------------------------
    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._sort = (column, order)
        new = self._sorted_order()
        if not np.array_equal(new, self._order):
            self._relayout(new)

    def _sorted_order(self) -> np.ndarray:
        """Row order for the current sort (stable: ties keep the data order)."""
        n = self._n
        if self._sort is None or not n:
            return np.arange(n)
        col, order = self._sort
        key = self._columns[col][0] if 0 <= col < len(self._columns) else None
        desc = order == Qt.SortOrder.DescendingOrder
        if key in ("name", "district"):
            arr = self._names if key == "name" else self._dists
            return np.argsort(_desc_rank(arr) if desc else arr, kind="stable").astype(np.int64)
        if key == "status":  # by status, then by how far out of band
            keys = [self._sev, np.nan_to_num(self._exc, neginf=-1e300)]
        elif key == "value":
            keys = [np.nan_to_num(self._val, nan=-np.inf)]
        elif key == "ts":
            keys = [self._tsv]
        else:
            return np.arange(n)
        if desc:
            keys = [-k for k in keys]
        return np.lexsort(keys[::-1]).astype(np.int64)  # lexsort: last key is primary

    def _relayout(self, new_order: np.ndarray) -> None:
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        pos = np.empty(self._n, np.int64)
        pos[new_order] = np.arange(self._n)
        moved = [self.index(int(pos[self._order[i.row()]]), i.column()) for i in old]
        self._order = new_order
        self.changePersistentIndexList(old, moved)
        self.layoutChanged.emit()

    # ---- Qt model --------------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else self._n

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (not index.isValid() or not 0 <= index.row() < self._n
                or not 0 <= index.column() < len(self._columns)):
            return None
        i = int(self._order[index.row()])
        key = self._columns[index.column()][0]
        c = self._cols
        if role == Qt.ItemDataRole.DisplayRole:
            if key == "status":
                s = c["status"][i]
                return f"{STATUS_MARK.get(s, '')} {status_word(s)}"
            if key == "value":
                return fmt_value(c["value"][i], c["unit"][i])
            if key == "bands":
                return bands_text({k: c.get(k, [None] * self._n)[i] for k in
                                   ("warn_low", "warn_high", "alarm_low", "alarm_high")})
            if key == "ts":
                t = c["ts"][i]
                return f"{t:%m-%d %H:%M}" if isinstance(t, datetime) else "—"
            return display(c[key][i] or "", 200)
        if role == Qt.ItemDataRole.ForegroundRole:
            if key in ("status", "value"):
                return QBrush(QColor(theme.STATUS.get(c["status"][i], theme.TEXT)))
            if key in ("bands", "ts", "district"):
                return QBrush(QColor(theme.TEXT_DIM))
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if key == "value":
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return tooltip(f"{c['name'][i]} · {c['district'][i]} · {c['indicator_id'][i]}")
        if role == self.IdRole:
            return c["indicator_id"][i]
        if role == self.StatusRole:
            return c["status"][i]
        if role == self.DomainRole:
            return c["domain"][i]
        if role == self.DistrictRole:
            return c["district"][i]
        if role == self.SortRole:
            return {"status": float(self._sev[i]), "value": float(np.nan_to_num(self._val[i],
                    nan=-1e300)), "ts": float(self._tsv[i]) if np.isfinite(self._tsv[i])
                    else -1e300}.get(key, str(c.get(key, [""] * self._n)[i] or ""))
        return None


def _desc_rank(a: np.ndarray) -> np.ndarray:
    """Ranks that sort strings descending when sorted ascending (ties share a rank)."""
    uniq, inv = np.unique(a, return_inverse=True)
    return (len(uniq) - 1 - inv).astype(np.int64)


class VitalsFilterProxy(QSortFilterProxyModel):
    """Filters the indicator table by domain, district, status and text.

    Sorting is delegated to the source model (a numpy sort); the proxy keeps its order."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setDynamicSortFilter(False)
        self._sort_column = -1
        self._sort_order = Qt.SortOrder.AscendingOrder

    def set_filter(self, domain: str | None = None, district: str | None = None,
                   statuses: set[str] | None = None, text: str = "") -> None:
        self.change_filter(lambda: self.sourceModel().set_filter(domain, district, statuses, text))

    def change_filter(self, change) -> Any:
        """Run ``change()`` (which alters what the filter accepts) and re-filter the rows."""
        self.beginFilterChange()
        try:
            return change()
        finally:
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: _Index) -> bool:  # noqa: N802
        return self.sourceModel().accepts(source_row)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._sort_column, self._sort_order = column, order
        self.sourceModel().sort(column, order)

    def sortColumn(self) -> int:  # noqa: N802
        return self._sort_column

    def sortOrder(self) -> Qt.SortOrder:  # noqa: N802
        return self._sort_order


class IndicatorTable(QWidget):
    """Filters above a virtualised table of indicators."""

    sig_indicator_clicked = Signal(str)
    """A row was clicked: the indicator's id."""

    ALL = "全部"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(6)
        filters = QGridLayout()
        filters.setHorizontalSpacing(6)
        filters.setVerticalSpacing(4)
        self.domain_box = QComboBox()
        self.status_box = QComboBox()
        for label, key in ((self.tr("全部状态"), None), (self.tr("▲ 报警"), "alarm"),
                           (self.tr("◆ 预警"), "warning"),
                           (self.tr("▲◆ 报警和预警"), "alarm,warning"),
                           (self.tr("● 正常"), "normal"),
                           (self.tr("○ 无数据"), "nodata")):
            self.status_box.addItem(label, key)
        self.district_box = QComboBox()
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("搜索指标名称或编号…"))
        self.search.setClearButtonEnabled(True)
        filters.addWidget(self.domain_box, 0, 0)
        filters.addWidget(self.status_box, 0, 1)
        filters.addWidget(self.district_box, 1, 0)
        filters.addWidget(self.search, 1, 1)
        lay.addLayout(filters)
        self.model = VitalsTableModel(self)
        self.proxy = VitalsFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.view = QTableView()
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.setAlternatingRowColors(True)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setShowGrid(False)
        self.view.setWordWrap(False)
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        vh = self.view.verticalHeader()
        vh.hide()
        vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vh.setDefaultSectionSize(30)
        hh = self.view.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        hh.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        hh.setSortIndicatorShown(True)
        hh.setHighlightSections(False)
        hh.setMinimumSectionSize(40)
        self.view.setStyleSheet("QTableView { font-size: 13pt; }")
        f = QFont(self.view.font())
        f.setPointSizeF(13)
        fm = QFontMetricsF(f)  # the status words are longer in English than in Chinese
        hh.resizeSection(0,
                         max(90, int(max(fm.horizontalAdvance(f"{STATUS_MARK[s]} {status_word(s)}")
                                            for s in STATUS_ORDER)) + 18))
        lay.addWidget(self.view, 1)
        self.count_label = QLabel()
        self.count_label.setObjectName("note")
        lay.addWidget(self.count_label)
        self.view.clicked.connect(self._on_clicked)
        self.domain_box.currentIndexChanged.connect(self._on_filter_changed)
        self.status_box.currentIndexChanged.connect(self._on_filter_changed)
        self.district_box.currentIndexChanged.connect(self._on_filter_changed)
        self.search.textChanged.connect(self._on_filter_changed)
        self.proxy.rowsInserted.connect(self._update_count)
        self.proxy.rowsRemoved.connect(self._update_count)
        self.proxy.modelReset.connect(self._update_count)
        self.proxy.layoutChanged.connect(self._update_count)
        self._quiet = False
        self._pending: tuple[dict[str, list], list[str]] | None = None

    def set_columns(self, cols: dict[str, list], domains: list[str]) -> None:
        """New data for every indicator. While the table is hidden it is only kept, and
        applied when the table shows (a hidden table costs a tick nothing)."""
        self._pending = (cols, list(domains))
        if self.isVisible():
            self._apply_pending()

    def showEvent(self, event) -> None:  # noqa: N802
        self._apply_pending()
        super().showEvent(event)

    def _apply_pending(self) -> None:
        if self._pending is None:
            return
        cols, domains = self._pending
        self._pending = None
        self.proxy.change_filter(lambda: self.model.set_columns(cols))
        self._quiet = True
        try:
            _fill_combo(self.domain_box,
                        [(self.tr("全部领域"), None)] + [(tr_word(d), d) for d in domains])
            dists = list(dict.fromkeys(cols.get("district", [])))
            _fill_combo(self.district_box, [(self.tr("全部区县"), None)] + [(d, d) for d in dists])
        finally:
            self._quiet = False
        self._update_count()

    def set_filter(self, domain: str | None = None, status: str | None = None,
                   district: str | None = None, text: str | None = None) -> None:
        """Show the indicators of a domain (None: all) with a status (None: all)."""
        self._apply_pending()
        self._quiet = True
        try:
            _select(self.domain_box, domain)
            _select(self.status_box, status)
            if district is not None or domain is not None:
                _select(self.district_box, district)
            if text is not None:
                self.search.setText(text)
        finally:
            self._quiet = False
        self._on_filter_changed()

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        w = self.view.viewport().width()
        narrow = w < 640
        self.view.setColumnHidden(4, narrow)
        self.view.setColumnHidden(5, w < 520)
        self.view.setColumnWidth(0, 86)
        self.view.setColumnWidth(2, 96 if narrow else 130)
        self.view.setColumnWidth(3, 120)
        self.view.setColumnWidth(4, 250)
        self.view.setColumnWidth(5, 100)

    def _on_filter_changed(self, *_a) -> None:
        if self._quiet:
            return
        status = self.status_box.currentData()
        self.proxy.set_filter(self.domain_box.currentData(), self.district_box.currentData(),
                              set(status.split(",")) if status else None, self.search.text())
        self._update_count()

    def _update_count(self, *_a) -> None:
        self.count_label.setText(
            self.tr("显示 {shown} / {total} 项 · 点击表头排序 · 点击一行查看趋势").format(
                shown=f"{self.proxy.rowCount():,}", total=f"{self.model.rowCount():,}"))

    def _on_clicked(self, index: QModelIndex) -> None:
        ind = index.data(VitalsTableModel.IdRole)
        if ind:
            self.sig_indicator_clicked.emit(str(ind))


def _fill_combo(box: QComboBox, items: list[tuple[str, Any]]) -> None:
    items = [(display(label, 40), data) for label, data in items]  # names from the data
    current = [(box.itemText(i), box.itemData(i)) for i in range(box.count())]
    if current == items:
        return
    keep = box.currentData()
    box.blockSignals(True)
    box.clear()
    for label, data in items:
        box.addItem(label, data)
    _select(box, keep)
    box.blockSignals(False)


def _select(box: QComboBox, data: Any) -> None:
    i = box.findData(data)
    box.setCurrentIndex(i if i >= 0 else 0)


# ---------------------------------------------------------------------- the indicator


class IndicatorDetail(QWidget):
    """One indicator: a gauge of its value in its bands, facts, and the full trend."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(6)
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.title.setStyleSheet(f"font-size: 16pt; font-weight: 700; color: {theme.TEXT};")
        lay.addWidget(self.title)
        top = QHBoxLayout()
        self.gauge = ArcGauge()
        self.gauge.setMinimumSize(170, 170)
        self.gauge.setMaximumSize(260, 250)
        top.addWidget(self.gauge, 0)
        self.facts = QLabel()
        self.facts.setTextFormat(Qt.TextFormat.RichText)
        self.facts.setWordWrap(True)
        self.facts.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.facts.setStyleSheet("font-size: 12pt;")
        top.addWidget(self.facts, 1)
        lay.addLayout(top)
        self.chart = TrendChart()
        self.chart.setMinimumHeight(200)
        lay.addWidget(self.chart, 1)
        self.data: dict | None = None

    def show_loading(self, name: str) -> None:
        set_plain(self.title, self.tr("{name} · 正在读取趋势…").format(name=display(name, 80)),
                  None)

    def set_data(self, d: dict) -> None:
        self.data = d
        unit = d.get("unit") or ""
        set_plain(self.title, d.get("name", ""), 120)
        thr = d.get("thresholds", {})
        lo, hi = gauge_range(thr, d.get("v", []), d.get("value"))
        self.gauge.set_range(lo, hi)
        self.gauge.set_unit(unit)
        self.gauge.set_title("")
        self.gauge.set_decimals(_decimals_for(hi - lo))
        self.gauge.set_thresholds(thr.get("warn_low"), thr.get("warn_high"),
                                  thr.get("alarm_low"), thr.get("alarm_high"))
        self.gauge.set_status(d.get("status"))
        self.gauge.set_value(d.get("value"), d.get("trend"))
        self.gauge.set_caption(self.tr("较1小时前") if d.get("trend") is not None else "")
        st = d.get("status", "nodata")
        colour = theme.STATUS.get(st, theme.TEXT)
        exc = d.get("excursions", [])
        n_alarm = sum(1 for e in exc if e.get("level") == "alarm")
        n_warn = sum(1 for e in exc if e.get("level") == "warning")
        at = d.get("ts")
        rows = [
            (self.tr("状态"), f"<b style='color:{colour}'>{STATUS_MARK.get(st, '')} "
                     f"{status_word(st)}</b>"),
            (self.tr("区县"), _esc(d.get("district", ""))),
            (self.tr("领域"), _esc(tr_word(d.get("domain", "")))),
            (self.tr("阈值"), _esc(bands_text(thr))),
            (self.tr("读数时间"), f"{at:%m-%d %H:%M}" if isinstance(at, datetime) else "—"),
            (self.tr("近24小时"),
             f"<span style='color:{theme.STATUS['alarm']}'>"
             + self.tr("▲ 报警 {n} 次").format(n=n_alarm)
             + f"</span> · <span style='color:{theme.STATUS['warning']}'>"
             + self.tr("◆ 预警 {n} 次").format(n=n_warn) + "</span>"),
            (self.tr("编号"), _esc(d.get("indicator_id", ""))),
        ]
        self.facts.setText("<table cellspacing='3'>" + "".join(
            f"<tr><td style='color:{theme.TEXT_DIM};padding-right:8px;white-space:nowrap'>{k}"
            f"</td><td>{v}</td></tr>"
            for k, v in rows) + "</table>")
        self.chart.set_trend(d)


def gauge_range(thr: dict, values, value: float | None) -> tuple[float, float]:
    """A gauge range that shows the thresholds and the values with a margin."""
    pts = [x for x in (thr.get("warn_low"), thr.get("warn_high"), thr.get("alarm_low"),
                       thr.get("alarm_high")) if x is not None]
    v = np.asarray(values, float)
    v = v[np.isfinite(v)] if v.size else v
    if v.size:
        pts += [float(v.min()), float(v.max())]
    if value is not None:
        pts.append(float(value))
    if not pts:
        return 0.0, 1.0
    lo, hi = min(pts), max(pts)
    span = (hi - lo) or max(abs(hi), 1.0)
    lo, hi = lo - 0.12 * span, hi + 0.12 * span
    if min(pts) >= 0 and lo < 0:
        lo = 0.0
    # round outwards to a step of 1, 2 or 5 × 10^k, so the ends read as plain numbers
    raw = (hi - lo) / 5
    mag = 10 ** np.floor(np.log10(raw))
    step = next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)
    return float(np.floor(lo / step) * step), float(np.ceil(hi / step) * step)


def _decimals_for(span: float) -> int:
    if span <= 0:
        return 2
    return int(min(3, max(0, 2 - np.floor(np.log10(span)))))


def _esc(text: Any) -> str:
    """Data in rich text: escaped, without bidi controls."""
    return (display(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


# --------------------------------------------------------------------------- the panel


class VitalsPanel(QFrame):
    """City vital signs: overview tiles → indicator table → trend."""

    sig_indicator_requested = Signal(str)
    """The user asked for an indicator's trend: its id (answer with :meth:`show_trend`)."""

    sig_domain_opened = Signal(str)
    """The indicator table was opened for a domain ("" for all)."""

    PAGES = ("overview", "table", "detail")

    def __init__(self, parent: QWidget | None = None,
                 domains: list[str] | tuple[str, ...] | None = DEFAULT_DOMAINS) -> None:
        """``domains``: the tiles to build now, in order (building them when the first data
        arrives would cost that tick ~100 ms of GUI time); data with other domains rebuilds."""
        super().__init__(parent)
        self.setObjectName("panel")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 8, 12, 10)
        lay.setSpacing(6)
        bar = QHBoxLayout()
        self.back = QPushButton(self.tr("‹ 返回"))
        self.back.setObjectName("modeButton")
        self.back.clicked.connect(self._on_back)
        self.back.hide()
        bar.addWidget(self.back)
        self.title = QLabel(self.tr("城市体征"))
        self.title.setObjectName("panelTitle")
        self.title.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        bar.addWidget(self.title, 1)
        self.as_of_label = QLabel()
        self.as_of_label.setObjectName("note")
        bar.addWidget(self.as_of_label)
        lay.addLayout(bar)
        self.stack = QStackedWidget()
        lay.addWidget(self.stack, 1)

        # page 1: overview
        ov = QWidget()
        ol = QVBoxLayout(ov)
        ol.setContentsMargins(0, 0, 0, 0)
        ol.setSpacing(8)
        self.summary = StatusSummary()
        self.summary.sig_status_clicked.connect(self._on_status_clicked)
        ol.addWidget(self.summary)
        self.tiles_box = QWidget()
        self.tiles_grid = QGridLayout(self.tiles_box)
        self.tiles_grid.setContentsMargins(0, 0, 0, 0)
        self.tiles_grid.setSpacing(8)
        ol.addWidget(self.tiles_box, 3)
        self.spark_note = QLabel()
        self.spark_note.setObjectName("note")
        self.spark_note.setTextFormat(Qt.TextFormat.RichText)
        self.spark_note.setWordWrap(True)  # two lines rather than a cut sentence (English)
        self.spark_note.setText(self.tr(
            "曲线：近6小时各领域 <span style='color:{warning}'>预警+报警</span>"
            " 与 <span style='color:{alarm}'>报警</span> 指标数 · 点击领域看明细").format(
                warning=theme.STATUS["warning"], alarm=theme.STATUS["alarm"]))
        ol.addWidget(self.spark_note)
        self.worst_caption = QLabel(self.tr("最需关注的指标 · 点击查看趋势"))
        self.worst_caption.setObjectName("note")
        ol.addWidget(self.worst_caption)
        self.worst = WorstList()
        self.worst.sig_indicator_clicked.connect(self._request)
        ol.addWidget(self.worst, 1)
        self.stack.addWidget(ov)
        # page 2: the table
        self.table = IndicatorTable()
        self.table.sig_indicator_clicked.connect(self._request)
        self.stack.addWidget(self.table)
        # page 3: one indicator
        self.detail = IndicatorDetail()
        self.stack.addWidget(self.detail)

        self.tiles: dict[str, DomainTile] = {}
        self._columns = 2
        self._domains: list[str] = []
        self._history: list[str] = []
        self._sparks: dict | None = None
        self._spark_queue: list[str] = []
        self._spark_timer = QTimer(self)
        self._spark_timer.setInterval(SPARK_STEP_MS)
        self._spark_timer.timeout.connect(self._next_spark)
        self.as_of: datetime | None = None
        self.refreshes = 0
        self.setMinimumWidth(320)
        if domains:
            self._build_tiles(list(domains))

    # ---- public API ------------------------------------------------------------------------
    def set_status(self, data: dict) -> None:
        """A tick's plain data: ``as_of``, ``counts`` (status → n), ``domains`` (domain →
        {counts, total, worst: [row dicts]}), ``worst`` (row dicts), optional ``sparks``
        ({"t": [...], "domains": {domain: {"warning": [...], "alarm": [...]}}}) and
        ``table`` (columns of every indicator, see :class:`VitalsTableModel`)."""
        self.as_of = data.get("as_of")
        if isinstance(self.as_of, datetime):
            self.as_of_label.setText(self.tr("截至 {t}").format(t=f"{self.as_of:%m-%d %H:%M}"))
        self.summary.set_counts(data.get("counts", {}))
        domains = data.get("domains", {})
        if domains and list(domains) != self._domains:
            self._build_tiles(list(domains))
            self._sparks = None
        for d, info in domains.items():
            self.tiles[d].set_data(info.get("counts", {}), info.get("total", 0),
                                   info.get("worst", []))
        sparks = data.get("sparks")
        if sparks and sparks != self._sparks:  # unchanged between readings: leave them
            self._sparks = sparks
            # one tile's chart per short timer step, not all in this event: a replay frame
            # (or a live tick) never carries the redraw of every chart at once
            self._spark_queue = [d for d in sparks.get("domains", {}) if d in self.tiles]
            self._spark_timer.start()
        self.worst.set_rows(data.get("worst", []))
        if "table" in data and data["table"] is not None:
            self.table.set_columns(data["table"], self._domains)
        self.refreshes += 1

    def show_overview(self) -> None:
        self._history.clear()
        self._go("overview")

    def show_domain(self, domain: str | None, status: str | None = None) -> None:
        """Open the indicator table on a domain (None: all) and a status (None: all)."""
        self.table.set_filter(domain, status)
        self._go("table")
        self.sig_domain_opened.emit(domain or "")

    def show_trend(self, data: dict) -> None:
        """An indicator's trend (see :class:`TrendChart` and :meth:`IndicatorDetail.set_data`)."""
        self.detail.set_data(data)
        self._go("detail")

    def page(self) -> str:
        return self.PAGES[self.stack.currentIndex()]

    def domains(self) -> list[str]:
        return list(self._domains)

    # ---- private ---------------------------------------------------------------------------
    def _next_spark(self) -> None:
        while self._spark_queue:
            d = self._spark_queue.pop(0)
            s = (self._sparks or {}).get("domains", {}).get(d)
            if s is not None and d in self.tiles:
                self.tiles[d].set_spark(self._sparks.get("t", []), s.get("warning", []),
                                        s.get("alarm", []))
                break
        if not self._spark_queue:
            self._spark_timer.stop()

    def flush_sparks(self) -> None:
        """Redraw every chart still waiting for its turn now (benchmarks, screenshots)."""
        while self._spark_queue:
            self._next_spark()

    def sparks_pending(self) -> bool:
        """Whether some tiles' charts still wait for their turn (see ``set_status``)."""
        return bool(self._spark_queue)

    def _build_tiles(self, domains: list[str]) -> None:
        for t in self.tiles.values():
            t.setParent(None)
            t.deleteLater()
        self.tiles = {}
        self._domains = domains
        for d in domains:
            tile = DomainTile(d)
            tile.sig_clicked.connect(lambda dom: self.show_domain(dom))
            tile.sig_arrow_pressed.connect(self._on_tile_arrow)
            self.tiles[d] = tile
        self._layout_tiles()

    def _on_tile_arrow(self, domain: str, dx: int, dy: int) -> None:
        """Move the focus to the tile beside ``domain`` in the grid (the edge stops it)."""
        if domain not in self._domains:
            return
        cols = max(1, self._columns)
        i = self._domains.index(domain)
        row, col = divmod(i, cols)
        col, row = col + dx, row + dy
        j = row * cols + col
        if 0 <= col < cols and row >= 0 and j < len(self._domains):
            self.tiles[self._domains[j]].setFocus(Qt.FocusReason.OtherFocusReason)

    def _layout_tiles(self) -> None:
        for i in reversed(range(self.tiles_grid.count())):
            self.tiles_grid.takeAt(i)
        cols = self._columns
        for i, d in enumerate(self._domains):
            self.tiles_grid.addWidget(self.tiles[d], i // cols, i % cols)
        for c in range(4):
            self.tiles_grid.setColumnStretch(c, 1 if c < cols else 0)

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        cols = 4 if self.width() >= 1100 else 2
        if cols != self._columns:
            self._columns = cols
            self._layout_tiles()
        # a short panel gives the tiles the room (they list their own worst indicators)
        tall = self.height() >= 820
        self.worst.setVisible(tall)
        self.worst_caption.setVisible(tall)

    def _go(self, page: str) -> None:
        cur = self.page()
        if page != cur and (not self._history or self._history[-1] != cur):
            self._history.append(cur)
        if page == "overview":
            self._history.clear()
        self.stack.setCurrentIndex(self.PAGES.index(page))
        self.back.setVisible(page != "overview")
        self.title.setText({"overview": self.tr("城市体征"),
                            "table": self.tr("城市体征 · 指标列表"),
                            "detail": self.tr("城市体征 · 指标趋势")}[page])

    def _on_back(self) -> None:
        prev = self._history.pop() if self._history else "overview"
        if prev == self.page():
            prev = "overview"
        self._go(prev)

    def _on_status_clicked(self, status: str) -> None:
        self.show_domain(None, status)

    def _request(self, indicator_id: str) -> None:
        self.detail.show_loading(indicator_id)
        self.sig_indicator_requested.emit(indicator_id)


def sample_data(n_per_domain: int = 60, seed: int = 1) -> dict:
    """Plain sample data in the shape :meth:`VitalsPanel.set_status` takes."""
    rng = np.random.default_rng(seed)
    domains = ["水", "电", "气", "讯", "桥", "隧", "交通", "环境"]
    districts = ["渝中区", "江北区", "沙坪坝区", "九龙坡区", "南岸区", "渝北区"]
    cols: dict[str, list] = {k: [] for k in ("indicator_id", "name", "domain", "district", "unit",
                                             "status", "value", "ts", "excess", "warn_low",
                                             "warn_high", "alarm_low", "alarm_high")}
    now = datetime(2026, 11, 24, 15, 0)
    for d in domains:
        for k in range(n_per_domain):
            u = rng.random()
            st = "alarm" if u < 0.02 else "warning" if u < 0.08 else "normal"
            v = float(np.round(rng.uniform(0.3, 0.5) + {"alarm": 0.3, "warning": 0.15,
                                                          "normal": 0}[st], 3))
            cols["indicator_id"].append(f"VS-{d}-{k:04d}")
            cols["name"].append(f"{districts[k % 6]}{d}指标{k:02d}")
            cols["domain"].append(d)
            cols["district"].append(districts[k % 6])
            cols["unit"].append("MPa")
            cols["status"].append(st)
            cols["value"].append(v)
            cols["ts"].append(now)
            cols["excess"].append(v - 0.55)
            cols["warn_low"].append(0.2)
            cols["warn_high"].append(0.55)
            cols["alarm_low"].append(0.14)
            cols["alarm_high"].append(0.65)
    by_domain = {}
    rows = [{k: v[i] for k, v in cols.items()} for i in range(len(cols["name"]))]
    for d in domains:
        mine = [r for r in rows if r["domain"] == d]
        counts = {s: sum(r["status"] == s for r in mine) for s in STATUS_ORDER}
        worst = sorted([r for r in mine if r["status"] != "normal"],
                       key=lambda r: (-_SEVERITY[r["status"]], -r["excess"]))[:3]
        by_domain[d] = {"counts": counts, "total": len(mine), "worst": worst}
    worst = sorted([r for r in rows if r["status"] != "normal"],
                   key=lambda r: (-_SEVERITY[r["status"]], -r["excess"]))[:20]
    t = [float(x) for x in range(25)]
    sparks = {"t": t, "domains": {d: {"warning": rng.integers(0, 6, 25).tolist(),
                                      "alarm": rng.integers(0, 2, 25).tolist()}
                                  for d in domains}}
    counts = {s: sum(c["counts"][s] for c in by_domain.values()) for s in STATUS_ORDER}
    return {"as_of": now, "counts": counts, "domains": by_domain, "worst": worst,
            "sparks": sparks, "table": cols}


if __name__ == "__main__":  # a smoke run on sample data; --screenshot PNG saves and exits
    import sys

    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv)
    theme.apply(app)
    w = VitalsPanel()
    w.set_status(sample_data())
    w.resize(480, 700)
    if "--screenshot" in sys.argv:
        w.show()
        app.processEvents()
        out = sys.argv[sys.argv.index("--screenshot") + 1]
        sys.exit(0 if w.grab().save(out) else 1)
    w.show()
    sys.exit(app.exec())
