"""One base for the read-only tables: rows under columns ``(key, header, …)``.

Subclasses say how a cell looks (``data``); the rows, the counts, the headers (translated in
the subclass's context when it gives one), finding a column by its key and replacing the rows
live here once. A subclass that keeps its rows another way (the vitals table keeps columns of
values in a numpy order) overrides ``rowCount`` and ``row``."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)

_Index = QModelIndex | QPersistentModelIndex

#: The role a sorting proxy reads: the raw value of a cell (a number or a text).
SORT_ROLE = Qt.ItemDataRole.UserRole + 1


class RowsModel(QAbstractTableModel):
    """Rows (dicts) under columns ``(key, header, …)``: the ``columns`` given, else the
    class's ``COLUMNS``. ``TR_CONTEXT``: the translation context of the headers (None:
    headers are shown as given)."""

    TR_CONTEXT: str | None = None
    COLUMNS: tuple[tuple, ...] = ()

    def __init__(self, columns: list[tuple] | tuple | None = None, parent=None) -> None:
        super().__init__(parent)
        self._columns: list[tuple] = [tuple(c) for c in
                                      (self.COLUMNS if columns is None else columns)]
        self._rows: list[dict[str, Any]] = []

    # ---- data in and out
    def set_rows(self, rows: list[dict[str, Any]], columns: list[tuple] | None = None) -> None:
        """Replace the rows (and the columns, if given)."""
        self.beginResetModel()
        if columns is not None:
            self._columns = [tuple(c) for c in columns]
        self._rows = list(rows)
        self.endResetModel()

    def row(self, i: int) -> dict[str, Any]:
        return self._rows[i]

    def rows(self) -> list[dict[str, Any]]:
        return list(self._rows)

    def column_keys(self) -> list[str]:
        return [c[0] for c in self._columns]

    def column_of(self, key: str) -> int:
        """The column showing ``key`` (ValueError if none does)."""
        return self.column_keys().index(key)

    # ---- Qt
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._columns)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal
                and 0 <= section < len(self._columns)):
            head = self._columns[section][1]
            return (QCoreApplication.translate(self.TR_CONTEXT, head) if self.TR_CONTEXT
                    else head)
        return None

    def cell(self, index: _Index) -> tuple[str, dict[str, Any]] | None:
        """(column key, row) of a valid index, else None."""
        if (not index.isValid() or not 0 <= index.row() < self.rowCount()
                or not 0 <= index.column() < len(self._columns)):
            return None
        return self._columns[index.column()][0], self.row(index.row())
