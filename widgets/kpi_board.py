"""The KPI board drill-down: a board's runways with their scores, and its KPIs in a
virtualised, sortable, searchable table (value, target, direction, score, change).

Plain rows in (dicts), signals out. ``python -m cockpit.widgets.kpi_board`` shows it alone.
"""

from __future__ import annotations

from typing import Any

from cockpit.widgets import theme
from cockpit.widgets.plain import display, tooltip
from cockpit.widgets.table_model import SORT_ROLE, RowsModel
from cockpit.widgets.words import tr_word
from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

_Index = QModelIndex | QPersistentModelIndex
ALL_RUNWAYS = QT_TRANSLATE_NOOP("KpiBoardView", "全部跑道")
#: (key, header, decimals or None for text)
COLUMNS = (("name", QT_TRANSLATE_NOOP("KpiTableModel", "指标"), None),
           ("runway", QT_TRANSLATE_NOOP("KpiTableModel", "跑道"), None),
           ("unit", QT_TRANSLATE_NOOP("KpiTableModel", "单位"), None),
           ("value", QT_TRANSLATE_NOOP("KpiTableModel", "本季值"), 2),
           ("target", QT_TRANSLATE_NOOP("KpiTableModel", "目标"), 2),
           ("direction", QT_TRANSLATE_NOOP("KpiTableModel", "方向"), None),
           ("score", QT_TRANSLATE_NOOP("KpiTableModel", "得分"), 1),
           ("change", QT_TRANSLATE_NOOP("KpiTableModel", "较上季"), 2),
           ("score_change", QT_TRANSLATE_NOOP("KpiTableModel", "得分变化"), 1))


def _num(v: Any) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if f != f else f


def score_colour(score: float | None) -> str:
    if score is None:
        return theme.STATUS["nodata"]
    if score >= 80:
        return theme.STATUS["normal"]
    return theme.STATUS["warning"] if score >= 60 else theme.STATUS["alarm"]


class KpiTableModel(RowsModel):
    """KPI rows; numbers sort as numbers, missing values last."""

    TR_CONTEXT = "KpiTableModel"

    def __init__(self, parent=None) -> None:
        super().__init__(COLUMNS, parent)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        key, _h, dec = COLUMNS[index.column()]
        row = self._rows[index.row()]
        v = row.get(key)
        if dec is not None:
            v = _num(v)
        if role == Qt.ItemDataRole.DisplayRole:
            if key == "direction":
                return self.tr("越高越好 ↑") if v == "higher" else self.tr("越低越好 ↓")
            if dec is None:
                return "" if v is None else display(v, 200)
            if v is None:
                return self.tr("无数据")
            text = f"{v:.{dec}f}"
            return f"+{text}" if key in ("change", "score_change") and v > 0 else text
        if role == SORT_ROLE:
            if dec is None:
                return "" if v is None else str(v)
            return float("-inf") if v is None else v
        if role == Qt.ItemDataRole.ForegroundRole:
            if key == "score":
                return QBrush(QColor(score_colour(v)))
            if dec is not None and v is None:
                return QBrush(QColor(theme.STATUS["nodata"]))
        if role == Qt.ItemDataRole.TextAlignmentRole and dec is not None:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and key == "name":
            return tooltip(f"{row.get('kpi_id', '')} · {row.get('name', '')}")
        return None


class KpiFilter(QSortFilterProxyModel):
    """Search on name, id and runway; optionally one runway only."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self._text = ""
        self._runway: str | None = None

    def set_search(self, text: str) -> None:
        self._refilter(lambda: setattr(self, "_text", text.strip().lower()))

    def set_runway(self, runway: str | None) -> None:
        self._refilter(lambda: setattr(self, "_runway", runway))

    def _refilter(self, change) -> None:
        # Qt 6.10 replaced invalidateFilter() with begin/endFilterChange()
        if hasattr(self, "beginFilterChange"):
            self.beginFilterChange()
            change()
            self.endFilterChange()
        else:
            change()
            self.invalidateFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: _Index) -> bool:  # noqa: N802
        row = self.sourceModel()._rows[source_row]
        if self._runway and row.get("runway") != self._runway:
            return False
        if not self._text:
            return True
        hay = f"{row.get('name', '')} {row.get('kpi_id', '')} {row.get('runway', '')}".lower()
        return self._text in hay


class KpiBoardView(QWidget):
    """Runways (with scores) on the left, the board's KPIs on the right, a search box."""

    sig_runway_selected = Signal(str)
    """A runway was chosen ("" for all)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        lay = QVBoxLayout(self)
        self.title = QLabel()
        self.title.setObjectName("panelTitle")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("搜索指标名称、编号或跑道"))
        self.search.setClearButtonEnabled(True)
        self.search.setMaximumWidth(360)
        top.addWidget(self.search)
        lay.addLayout(top)
        split = QSplitter(Qt.Orientation.Horizontal)
        self.runways = QListWidget()
        split.addWidget(self.runways)
        self.model = KpiTableModel(self)
        self.proxy = KpiFilter(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(6, Qt.SortOrder.AscendingOrder)  # weakest KPIs first
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(26)
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        hh.setStretchLastSection(True)
        hh.resizeSection(0, 320)
        hh.resizeSection(1, 140)
        split.addWidget(self.table)
        split.setSizes([260, 1000])
        lay.addWidget(split, 1)
        self.search.textChanged.connect(self.proxy.set_search)
        self.runways.currentItemChanged.connect(self._on_runway)

    def set_board(self, board: str, period: str, rows: list[dict]) -> None:
        """One board's KPI rows (kpi_table rows of that board)."""
        self.title.setText(self.tr("{board} · {period} · 指标 {n} 项").format(
            board=tr_word(board), period=period, n=len(rows)))
        self.model.set_rows(rows)
        by_runway: dict[str, list[tuple[float, float]]] = {}
        for r in rows:
            s, w = _num(r.get("score")), _num(r.get("weight")) or 0.0
            if s is not None:
                by_runway.setdefault(str(r.get("runway")), []).append((s, w))
            else:
                by_runway.setdefault(str(r.get("runway")), [])
        self.runways.blockSignals(True)
        self.runways.clear()
        QListWidgetItem(self.tr(ALL_RUNWAYS), self.runways).setData(Qt.ItemDataRole.UserRole, "")
        for name, pairs in sorted(by_runway.items()):
            tw = sum(w for _s, w in pairs)
            score = sum(s * w for s, w in pairs) / tw if tw else None
            text = f"{name}  {score:.1f}" if score is not None else f"{name}  {self.tr('无数据')}"
            item = QListWidgetItem(text, self.runways)
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setForeground(QBrush(QColor(score_colour(score))))
        self.runways.setCurrentRow(0)
        self.runways.blockSignals(False)
        self.proxy.set_runway(None)

    def visible_rows(self) -> int:
        return self.proxy.rowCount()

    def _on_runway(self, item: QListWidgetItem | None, _prev=None) -> None:
        name = item.data(Qt.ItemDataRole.UserRole) if item is not None else ""
        self.proxy.set_runway(name or None)
        self.sig_runway_selected.emit(name or "")


class KpiBoardDialog(QDialog):
    """The drill-down opened from a board gauge."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("八大板块 · 指标明细"))
        self.resize(1400, 800)
        lay = QVBoxLayout(self)
        self.view = KpiBoardView()
        lay.addWidget(self.view)


if __name__ == "__main__":
    import sys

    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv)
    theme.apply(app)
    d = KpiBoardDialog()
    d.view.set_board("设施运行", "2026Q3", [
        {"kpi_id": "K1", "name": "供水管网漏损率", "runway": "供水保障", "unit": "%",
         "direction": "lower", "weight": 2, "target": 9, "value": 10.5, "score": 66.7,
         "change": -0.4, "score_change": 3.1},
        {"kpi_id": "K2", "name": "燃气巡检完成率", "runway": "燃气安全", "unit": "%",
         "direction": "higher", "weight": 1, "target": 95, "value": 97, "score": 84.2,
         "change": 1.0, "score_change": 2.0}])
    d.show()
    sys.exit(app.exec())
