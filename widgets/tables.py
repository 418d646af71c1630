"""Tables over plain rows: the event list and the five-colour ranking.

Models take lists of dicts; views are virtualised by Qt (only visible rows are painted).
"""

from __future__ import annotations

from typing import Any

from cockpit.widgets import theme
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

_Index = QModelIndex | QPersistentModelIndex


class RowsModel(QAbstractTableModel):
    """A read-only table of dict rows; ``columns`` are (key, header) pairs."""

    def __init__(self, columns: list[tuple[str, str]], parent=None) -> None:
        super().__init__(parent)
        self._columns = columns
        self._rows: list[dict[str, Any]] = []

    def set_rows(self, rows: list[dict[str, Any]]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row(self, i: int) -> dict[str, Any]:
        return self._rows[i]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._columns)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self._columns[section][1]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        key = self._columns[index.column()][0]
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            v = row.get(key)
            return "" if v is None else str(v)
        if role == Qt.ItemDataRole.BackgroundRole and f"{key}__bg" in row:
            return QBrush(QColor(row[f"{key}__bg"]))
        if role == Qt.ItemDataRole.ForegroundRole and f"{key}__fg" in row:
            return QBrush(QColor(row[f"{key}__fg"]))
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.get(f"{key}__tip")
        if role == Qt.ItemDataRole.TextAlignmentRole and isinstance(row.get(key), (int, float)):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class RowsView(QTableView):
    """A dark, row-selecting table for RowsModel."""

    sig_row_activated = Signal(dict)
    """A row was double-clicked or entered: the row's dict."""

    def __init__(self, columns: list[tuple[str, str]], parent=None) -> None:
        super().__init__(parent)
        self.rows_model = RowsModel(columns, self)
        self.setModel(self.rows_model)
        self.setAlternatingRowColors(True)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(26)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.horizontalHeader().setStretchLastSection(True)
        self.setShowGrid(False)
        self.activated.connect(lambda i: self.sig_row_activated.emit(self.rows_model.row(i.row())))

    def set_rows(self, rows: list[dict[str, Any]]) -> None:
        self.rows_model.set_rows(rows)


def rank_change_text(rank: int | None, prev_rank: int | None) -> tuple[str, str]:
    """'↑3', '↓1' or '—', with its colour."""
    if rank is None or prev_rank is None:
        return "新", theme.TEXT_DIM
    d = prev_rank - rank
    if d > 0:
        return f"↑{d}", theme.STATUS["normal"]
    if d < 0:
        return f"↓{-d}", theme.STATUS["alarm"]
    return "—", theme.TEXT_DIM
