"""The five-colour grid (五色图) and the KPI breakdown of one cell.

Plain data in, signals out. The grid shows units × (total + boards): each cell is filled
with its level's colour **and** shows the score (the level name on hover), so the colour is
never the only cue; a missing score is grey "无数据", too small a sample dark grey "样本不足".
Every column sorts (missing scores always last); the header row and the rank and unit
columns stay in place while the table scrolls. Clicking a cell asks for its breakdown:
the unit's KPIs on that board (a sortable table) and an 8-quarter trend (pyqtgraph).

The palette arrives as plain dicts (``level, colour, label, min_score, text``) made by the
engine's one palette function (``cockpit.datasets.evaluation.palette``), the same colours the
map's choropleth uses. Run ``python -m cockpit.widgets.five_colour [PNG]`` to see it alone on
sample data (with a path: render offscreen, save, exit).
"""

from __future__ import annotations

import math
from typing import Any

from cockpit.widgets import theme
from cockpit.widgets.plain import display, set_plain, tooltip
from cockpit.widgets.preview import preview_app, show_or_save
from cockpit.widgets.table_model import SORT_ROLE, RowsModel
from cockpit.widgets.words import EVALUATION, tr_word
from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractProxyModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

_Index = QModelIndex | QPersistentModelIndex

# SORT_ROLE (the table base's): the raw value a column sorts by (numbers, codes); None sorts
# last in either order.
#: A score cell's dict (score, label, colour, text, status, rank).
CELL_ROLE = Qt.ItemDataRole.UserRole + 2
#: The unit code of a row.
CODE_ROLE = Qt.ItemDataRole.UserRole + 3

NO_DATA_COLOUR = "#5a6270"
INSUFFICIENT_COLOUR = "#2c3547"


def fmt_score(x: float | None) -> str:
    """A score as shown everywhere: one decimal."""
    return "—" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.1f}"


def fmt_change(d: float | None) -> str:
    """A score change with its sign (+1.2, −0.4, 0.0)."""
    if d is None or (isinstance(d, float) and math.isnan(d)):
        return "—"
    return f"+{d:.1f}" if d > 0 else (f"−{-d:.1f}" if d < 0 else "0.0")


def rank_change_text(change: int | None) -> tuple[str, str]:
    """'↑3', '↓1', '—' (same rank) or '新' (not ranked before), with its colour."""
    if change is None:
        return QCoreApplication.translate("five_colour", "新"), theme.TEXT_DIM
    if change > 0:
        return f"↑{change}", theme.STATUS["normal"]
    if change < 0:
        return f"↓{-change}", theme.STATUS["alarm"]
    return "—", theme.TEXT_DIM


def model_data(index: _Index, role: int) -> Any:
    """``index.data(role)`` read from the Python model behind any proxies.

    With PySide6 6.12 on CPython 3.11, ``QModelIndex.data()`` (and a C++ model's ``data()``)
    returning an empty QVariant hands back ``None`` without a reference: each call lowers
    None's reference count by one until the interpreter aborts ("none_dealloc"). Calling the
    Python model's ``data`` directly avoids the QVariant round trip.
    """
    if not index.isValid():
        return None
    m = index.model()
    while isinstance(m, QAbstractProxyModel):
        index = m.mapToSource(index)
        m = index.model()
    return m.data(index, role)


class ScoreSortProxy(QSortFilterProxyModel):
    """Sorts by SORT_ROLE with missing values last in both orders."""

    def lessThan(self, left: _Index, right: _Index) -> bool:  # noqa: N802
        src = self.sourceModel()  # the Python model: see model_data
        a, b = src.data(left, SORT_ROLE), src.data(right, SORT_ROLE)
        desc = self.sortOrder() == Qt.SortOrder.DescendingOrder
        if a is None or b is None:
            if a is None and b is None:
                return False
            return desc if a is None else not desc
        try:
            return a < b
        except TypeError:
            return str(a) < str(b)


# --------------------------------------------------------------------------- grid model


class FiveColourModel(RowsModel):
    """Units × score columns. Rows are dicts: ``code, name, rank, cells`` where ``cells`` is
    a list (one per score column) of ``{score, label, colour, text, status, rank}``."""

    FIXED = (QT_TRANSLATE_NOOP("five_colour", "名次"), QT_TRANSLATE_NOOP("five_colour", "单位"))
    COLUMNS = (("rank", FIXED[0]), ("name", FIXED[1]))
    TR_CONTEXT = "five_colour"

    def __init__(self, parent=None) -> None:
        super().__init__(None, parent)
        self._brushes: dict[str, QBrush] = {}
        self.set_point_size(13.0)

    def set_point_size(self, size: float) -> None:
        """The size of the scores (missing values a little smaller, in italics)."""
        self._font_score = QFont()
        self._font_score.setPointSizeF(size)
        self._font_score.setBold(True)
        self._font_missing = QFont()
        self._font_missing.setPointSizeF(size * 0.78)
        self._font_missing.setItalic(True)
        if self._rows:
            self.dataChanged.emit(self.index(0, 2), self.index(len(self._rows) - 1,
                                                                self.columnCount() - 1))

    def _brush(self, colour: str) -> QBrush:
        b = self._brushes.get(colour)
        if b is None:
            b = self._brushes[colour] = QBrush(QColor(colour))
        return b

    def set_grid(self, columns: list[str], rows: list[dict[str, Any]]) -> None:
        """The score ``columns`` (after the rank and the unit) and the rows."""
        self.set_rows(rows, [*self.COLUMNS, *(("score", c) for c in columns)])

    def columns(self) -> list[str]:
        """The score columns' names."""
        return [c[1] for c in self._columns[len(self.FIXED):]]

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < self.columnCount():
            return None
        name = (super().headerData(section, orientation) if section < len(self.FIXED)
                else tr_word(self._columns[section][1]))
        if role == Qt.ItemDataRole.DisplayRole:
            return name
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tr("{column}：点击排序").format(column=name)
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        found = self.cell(index)
        if found is None:
            return None
        row = found[1]
        col = index.column()
        if role == CODE_ROLE:
            return row["code"]
        if col == 0:
            rank = row.get("rank")
            if role == Qt.ItemDataRole.DisplayRole:
                return "—" if rank is None else str(rank)
            if role == SORT_ROLE:
                return rank
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return int(Qt.AlignmentFlag.AlignCenter)
            return None
        if col == 1:
            if role == Qt.ItemDataRole.DisplayRole:
                return display(row["name"], UNIT_CHARS)
            if role == SORT_ROLE:
                return row["code"]  # administrative order
            if role == Qt.ItemDataRole.ToolTipRole:
                return tooltip(f"{row['name']}（{row['code']}）")
            return None
        cells = row.get("cells") or []
        cell = cells[col - 2] if col - 2 < len(cells) else {}
        score = cell.get("score")
        if role == Qt.ItemDataRole.DisplayRole:
            return (fmt_score(score) if score is not None
                    else tr_word(cell.get("label", "无数据"), EVALUATION))
        if role == SORT_ROLE:
            return score
        if role == CELL_ROLE:
            return cell
        if role == Qt.ItemDataRole.BackgroundRole:
            return self._brush(cell.get("colour", NO_DATA_COLOUR))
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._brush(cell.get("text", theme.TEXT))
        if role == Qt.ItemDataRole.FontRole:
            return self._font_score if score is not None else self._font_missing
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return tooltip(_cell_tip(row["name"], tr_word(self._columns[col][1]), cell))
        return None


def _cell_tip(name: str, column: str, cell: dict) -> str:
    score = cell.get("score")
    label = tr_word(cell.get("label", "无数据"), EVALUATION)
    note = tr_word(cell.get("note") or "")
    if score is None:
        extra = note or (
            QCoreApplication.translate("five_colour", "样本不足，不评色")
            if cell.get("status") == "insufficient"
            else QCoreApplication.translate("five_colour", "无数据（缺失值不计为 0）"))
        return f"{name} · {column}：{label}\n{extra}"
    rank = cell.get("rank")
    return (QCoreApplication.translate("five_colour", "{name} · {column}：{score} 分 · {label}")
            .format(name=name, column=column, score=f"{score:.1f}", label=label)
            + (QCoreApplication.translate("five_colour", "（第 {rank} 名）").format(rank=rank)
               if rank is not None else "")
            + (f"\n{note}" if note else "")
            + "\n" + QCoreApplication.translate("five_colour", "点击查看指标明细"))


#: Characters of a unit's name in a grid or table cell (the whole name in its tooltip).
UNIT_CHARS = 24


# --------------------------------------------------------------------------- frozen columns


class FrozenTableView(QTableView):
    """A table whose first ``frozen`` columns stay in place when it scrolls sideways (a
    second view over the same model, as in Qt's frozen-column example)."""

    def __init__(self, frozen: int = 2, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._n_frozen = frozen
        self.frozen = QTableView(self)
        self.frozen.setObjectName("frozenColumns")
        self.frozen.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.frozen.verticalHeader().hide()
        self.frozen.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.frozen.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.frozen.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.frozen.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.frozen.setShowGrid(False)
        self.frozen.setStyleSheet("QTableView#frozenColumns { border: none; "
                                  "border-right: 2px solid #2a3a5c; }")
        self.viewport().stackUnder(self.frozen)
        self.horizontalHeader().sectionResized.connect(self._on_section_resized)
        self.verticalHeader().sectionResized.connect(self._on_row_resized)
        self.frozen.verticalScrollBar().valueChanged.connect(self.verticalScrollBar().setValue)
        self.verticalScrollBar().valueChanged.connect(self.frozen.verticalScrollBar().setValue)
        self.frozen.horizontalHeader().sortIndicatorChanged.connect(self._on_frozen_sorted)
        self.horizontalHeader().sortIndicatorChanged.connect(self._on_main_sorted)

    def setModel(self, model) -> None:  # noqa: N802
        super().setModel(model)
        self.frozen.setModel(model)
        self.frozen.setSelectionModel(self.selectionModel())
        self.frozen.setSelectionBehavior(self.selectionBehavior())
        self.frozen.setEditTriggers(self.editTriggers())
        model.modelReset.connect(self._sync)
        model.layoutChanged.connect(self._sync)
        self._sync()

    def setItemDelegate(self, delegate) -> None:  # noqa: N802
        super().setItemDelegate(delegate)
        self.frozen.setItemDelegate(delegate)

    def setSortingEnabled(self, enable: bool) -> None:  # noqa: N802
        super().setSortingEnabled(enable)
        self.frozen.setSortingEnabled(enable)

    def _sync(self) -> None:
        m = self.model()
        if m is None:
            return
        for c in range(m.columnCount()):
            self.frozen.setColumnHidden(c, c >= self._n_frozen)
        for c in range(min(self._n_frozen, m.columnCount())):
            self.frozen.setColumnWidth(c, self.columnWidth(c))
        self.frozen.verticalHeader().setDefaultSectionSize(
            self.verticalHeader().defaultSectionSize())
        self.frozen.horizontalHeader().setFixedHeight(self.horizontalHeader().height())
        self._update_geometry()

    def _on_section_resized(self, i: int, _old: int, new: int) -> None:
        if i < self._n_frozen:
            self.frozen.setColumnWidth(i, new)
            self._update_geometry()

    def _on_row_resized(self, i: int, _old: int, new: int) -> None:
        self.frozen.setRowHeight(i, new)

    def _on_frozen_sorted(self, section: int, order: Qt.SortOrder) -> None:
        h = self.horizontalHeader()
        if (h.sortIndicatorSection(), h.sortIndicatorOrder()) != (section, order):
            h.setSortIndicator(section, order)

    def _on_main_sorted(self, section: int, order: Qt.SortOrder) -> None:
        h = self.frozen.horizontalHeader()
        if (h.sortIndicatorSection(), h.sortIndicatorOrder()) != (section, order):
            h.blockSignals(True)
            h.setSortIndicator(section, order)
            h.blockSignals(False)
            h.viewport().update()

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._update_geometry()

    def updateGeometries(self) -> None:  # noqa: N802
        super().updateGeometries()
        if hasattr(self, "frozen"):
            self.frozen.horizontalHeader().setFixedHeight(self.horizontalHeader().height())
            self._update_geometry()

    def moveCursor(self, action, modifiers):  # noqa: N802
        current = super().moveCursor(action, modifiers)
        width = sum(self.columnWidth(c) for c in range(self._n_frozen))
        if (action == QAbstractItemView.CursorAction.MoveLeft and current.column() >= self._n_frozen
                and self.visualRect(current).topLeft().x() < width):
            sb = self.horizontalScrollBar()
            sb.setValue(sb.value() + self.visualRect(current).topLeft().x() - width)
        return current

    def scrollTo(self, index, hint=QAbstractItemView.ScrollHint.EnsureVisible) -> None:  # noqa: N802
        if index.column() >= self._n_frozen:
            super().scrollTo(index, hint)

    def _update_geometry(self) -> None:
        width = sum(self.columnWidth(c) for c in range(self._n_frozen))
        fw = self.frameWidth()
        self.frozen.setGeometry(self.verticalHeader().width() + fw, fw, width,
                                self.viewport().height() + self.horizontalHeader().height())


# --------------------------------------------------------------------------- legend


class Legend(QLabel):
    """The colours with their meaning (rich text that wraps); missing and insufficient
    included. A label rather than custom painting: see :func:`model_data` for why this
    module leaves drawing to Qt."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setWordWrap(True)
        self._items: list[str] = []

    def set_items(self, items: list[dict]) -> None:
        """Items of ``colour, text, label``, in order."""
        import html

        self._items = [tr_word(i["label"], EVALUATION) for i in items]
        self.setText("&nbsp; ".join(
            f"<span style='background-color:{i['colour']}; color:{i.get('text', theme.TEXT)}'>"
            f"&nbsp;{html.escape(label)}&nbsp;</span>" for i, label in zip(items, self._items)))

    def items(self) -> list[str]:
        return list(self._items)


# --------------------------------------------------------------------------- the grid


class FiveColourGrid(QWidget):
    """The five-colour grid: units × (total + boards), sortable, with a legend."""

    sig_cell_activated = Signal(str, str)
    """A score cell was clicked: the unit's code and the column (a board or the total)."""
    sig_unit_selected = Signal(str)
    """A unit's row was clicked: its code."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = FiveColourModel(self)
        self.proxy = ScoreSortProxy(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.view = FrozenTableView(2)
        self.view.setModel(self.proxy)
        # Qt draws the cells from the model's roles (colour, text colour, font); a Python
        # delegate would call QPainter from Python on every cell (see model_data)
        self.view.setStyleSheet("QTableView::item:selected { border: 3px solid #ffffff; }")
        self.view.setGridStyle(Qt.PenStyle.SolidLine)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.horizontalHeader().setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        self.view.setSortingEnabled(True)
        self.view.verticalHeader().hide()
        self.view.setShowGrid(True)
        self.view.setWordWrap(False)
        self.view.horizontalHeader().setHighlightSections(False)
        self.view.horizontalHeader().setSortIndicatorShown(True)
        self.view.horizontalHeader().setMinimumSectionSize(40)
        self.view.clicked.connect(self._on_clicked)
        self.view.frozen.clicked.connect(self._on_clicked)
        self.view.activated.connect(self._on_clicked)
        self.caption = QLabel()
        self.caption.setObjectName("note")
        self.legend = Legend()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(4)
        lay.addWidget(self.view, 1)
        lay.addWidget(self.legend)
        lay.addWidget(self.caption)
        self._compact = False
        self.set_compact(False)

    # ---- public API -----------------------------------------------------------------
    def set_grid(self, columns: list[str], rows: list[dict[str, Any]], legend: list[dict],
                 caption: str = "") -> None:
        """Show ``rows`` (see :class:`FiveColourModel`) under the score ``columns``; keeps the
        current sort column and order."""
        header = self.view.horizontalHeader()
        section, order = header.sortIndicatorSection(), header.sortIndicatorOrder()
        self.model.set_grid(columns, rows)
        if not 0 <= section < self.model.columnCount():
            section, order = 0, Qt.SortOrder.AscendingOrder
        self.view.sortByColumn(section, order)
        self.legend.set_items(legend)
        set_plain(self.caption, caption, None)
        self._fit_columns()

    def set_compact(self, compact: bool) -> None:
        """Smaller type and rows for a side region; large for the review area and walls."""
        self._compact = compact
        size = 10.5 if compact else 13.0
        self.point_size = size
        self.model.set_point_size(size)
        row_h = 26 if compact else 34
        for v in (self.view, self.view.frozen):
            v.verticalHeader().setDefaultSectionSize(row_h)
            f = QFont(v.font())
            f.setPointSizeF(size * 0.92)
            v.setFont(f)
        self._fit_columns()

    def select(self, unit_code: str, column: str | None = None) -> None:
        """Select a unit's row (its cell in ``column`` if given) without emitting signals."""
        cols = self.model.columns()
        c = 2 + cols.index(column) if column in cols else 1
        for r in range(self.model.rowCount()):
            if self.model.row(r)["code"] == unit_code:
                idx = self.proxy.mapFromSource(self.model.index(r, c))
                self.view.selectionModel().setCurrentIndex(
                    idx, self.view.selectionModel().SelectionFlag.ClearAndSelect)
                self.view.scrollTo(idx)
                return

    def wanted_width(self) -> int:
        """The width that shows every column without scrolling."""
        cols = sum(self.view.columnWidth(c) for c in range(self.model.columnCount()))
        return cols + self.view.verticalScrollBar().sizeHint().width() + 4

    def cell_at(self, row: int, column: int) -> dict | None:
        """The cell shown at a view position (after sorting), for tests."""
        return model_data(self.proxy.index(row, column), CELL_ROLE)

    # ---- private ------------------------------------------------------------------------
    def _fit_columns(self) -> None:
        fm = self.view.fontMetrics()
        h = self.view.horizontalHeader()
        h.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        names = [self.model.row(r)["name"] for r in range(self.model.rowCount())]
        name_w = max([fm.horizontalAdvance(n) for n in names] + [60]) + 16
        self.view.setColumnWidth(0, fm.horizontalAdvance(
            QCoreApplication.translate("five_colour", self.model.FIXED[0])) + 26)
        self.view.setColumnWidth(1, min(name_w, 240 if not self._compact else 150))
        score_w = int(self.point_size * 5.2)
        hfm = self.view.horizontalHeader().fontMetrics()
        for c in range(2, self.model.columnCount()):
            head = hfm.horizontalAdvance(str(self.model.headerData(
                c, Qt.Orientation.Horizontal))) + 16
            self.view.setColumnWidth(c, max(score_w, head))
        self.view._sync()

    def _on_clicked(self, index: QModelIndex) -> None:
        if not index.isValid():
            return
        code = model_data(index, CODE_ROLE)
        if code is None:
            return
        self.sig_unit_selected.emit(code)
        c = index.column()
        if c >= 2:
            self.sig_cell_activated.emit(code, self.model.columns()[c - 2])


# --------------------------------------------------------------------------- breakdown


class DictRowsModel(RowsModel):
    """A read-only, sortable table of dict rows.

    ``columns``: (key, header) or (key, header, format) where format is a str.format spec
    for numbers (``"{:.1f}"``). A row may style a cell with ``<key>__bg``, ``<key>__fg`` and
    ``<key>__tip``, and give its text with ``<key>__text``.
    """

    def __init__(self, columns: list[tuple], parent=None) -> None:
        super().__init__([tuple(c) + (None,) * (3 - len(c)) for c in columns], parent)

    def set_rows(self, rows: list[dict[str, Any]], columns: list[tuple] | None = None) -> None:
        super().set_rows(rows, None if columns is None else
                         [tuple(c) + (None,) * (3 - len(c)) for c in columns])

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        if not 0 <= index.column() < len(self._columns):
            return None
        key, _head, spec = self._columns[index.column()]
        row = self._rows[index.row()]
        v = row.get(key)
        if isinstance(v, float) and math.isnan(v):
            v = None
        if role == Qt.ItemDataRole.DisplayRole:
            if f"{key}__text" in row:
                return display(row[f"{key}__text"], UNIT_CHARS * 4)
            if v is None:
                return "—"
            if spec and isinstance(v, (int, float)):
                return spec.format(v)
            return display(v, UNIT_CHARS * 4)
        if role == SORT_ROLE:
            return v
        if role == CODE_ROLE:
            return row.get("code")
        if role == Qt.ItemDataRole.BackgroundRole and row.get(f"{key}__bg"):
            return QBrush(QColor(row[f"{key}__bg"]))
        if role == Qt.ItemDataRole.ForegroundRole and row.get(f"{key}__fg"):
            return QBrush(QColor(row[f"{key}__fg"]))
        if role == Qt.ItemDataRole.ToolTipRole:
            tip = row.get(f"{key}__tip")
            return tooltip(tip) if tip else None
        if role == Qt.ItemDataRole.TextAlignmentRole and isinstance(v, (int, float)):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


def make_table(model: DictRowsModel, parent: QWidget | None = None) -> QTableView:
    """A dark, sortable, read-only table over a DictRowsModel (with a ScoreSortProxy)."""
    view = QTableView(parent)
    proxy = ScoreSortProxy(view)
    proxy.setSourceModel(model)
    proxy.setSortRole(SORT_ROLE)
    view.setModel(proxy)
    view.setSortingEnabled(True)
    view.setAlternatingRowColors(True)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(26)
    view.setShowGrid(False)
    view.setWordWrap(False)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.horizontalHeader().setStretchLastSection(False)
    return view


class KpiBreakdown(QWidget):
    """One cell explained: a title, a sortable table and an 8-quarter trend."""

    sig_unit_selected = Signal(str)
    """A row that names a unit was clicked: its code."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel(self.tr("点击五色图中的格子查看指标明细"))
        self.title.setObjectName("panelTitle")
        self.title.setWordWrap(True)
        self.summary = QLabel()
        self.summary.setObjectName("note")
        self.summary.setWordWrap(True)
        self.model = DictRowsModel([("name", self.tr("指标"))], self)
        self.table = make_table(self.model)
        self.table.clicked.connect(self._on_clicked)
        # the trend's plot is made when a breakdown first has one (pyqtgraph is imported
        # then, not with the window: see cockpit.widgets.plots)
        self._trend = None
        self.trend_box = QWidget()
        self.trend_box.setMinimumHeight(150)
        box = QVBoxLayout(self.trend_box)
        box.setContentsMargins(0, 0, 0, 0)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.trend_box)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setChildrenCollapsible(False)
        self.split = split
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(4)
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        lay.addLayout(head)
        lay.addWidget(self.summary)
        lay.addWidget(split, 1)

    @property
    def trend(self):
        """The 8-quarter trend plot (:class:`cockpit.widgets.quarter_trend.TrendPlot`, made on
        first use)."""
        if self._trend is None:
            from cockpit.widgets.quarter_trend import TrendPlot

            self._trend = TrendPlot()
            self.trend_box.layout().addWidget(self._trend)
        return self._trend

    def set_breakdown(self, title: str, summary: str, columns: list[tuple],
                      rows: list[dict[str, Any]], trend: dict | None = None,
                      bands: list[dict] | None = None) -> None:
        """Show a breakdown. ``trend``: ``{"periods": [...], "score": [...], "city_mean":
        [...], "label": str}``; ``bands``: the palette (absolute thresholds)."""
        set_plain(self.title, title, None)
        set_plain(self.summary, summary, None)
        self.model.set_rows(rows, columns)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # the given order first
        if trend is not None:
            self.trend.set_trend(trend["periods"], trend["score"], trend["city_mean"],
                                 bands or [], trend.get("label"))
            self.trend.show()
            self.trend_box.show()
        else:
            self.trend_box.hide()

    def clear(self, message: str) -> None:
        set_plain(self.title, message, None)
        self.summary.clear()
        self.model.set_rows([])
        if self._trend is not None:
            self._trend.getPlotItem().clear()

    def _on_clicked(self, index: QModelIndex) -> None:
        code = model_data(index, CODE_ROLE)
        if code:
            self.sig_unit_selected.emit(code)


# --------------------------------------------------------------------------- sample


def sample_palette() -> list[dict]:
    """The demo dataset's scheme, for running the widgets alone."""
    rows = [(1, "#0571b0", "优秀", 90.0, "#ffffff"), (2, "#92c5de", "良好", 80.0, "#0b1220"),
            (3, "#ffe08a", "一般", 70.0, "#0b1220"), (4, "#f4a582", "较差", 60.0, "#0b1220"),
            (5, "#ca0020", "差", 0.0, "#ffffff")]
    return [{"level": lv, "colour": c, "label": lab, "min_score": m, "text": t}
            for lv, c, lab, m, t in rows]


def sample_grid(n: int = 41) -> tuple[list[str], list[dict], list[dict]]:
    """Deterministic sample data: columns, rows and legend."""
    import random

    rng = random.Random(5)
    pal = sample_palette()
    boards = ["党建统领", "经济发展", "设施运行", "社会治理", "应急动员", "文明创建", "生态景观",
              "生产生活服务", "闭环处置"]
    columns = ["总分", *boards]
    rows = []
    for i in range(n):
        cells = []
        base = rng.uniform(55, 97)
        for j, _c in enumerate(columns):
            if j == len(columns) - 1 and i % 7 == 3:
                cells.append({"score": None, "label": "样本不足", "status": "insufficient",
                              "colour": INSUFFICIENT_COLOUR, "text": "#c3cede"})
                continue
            if i == 5 and j == 3:
                cells.append({"score": None, "label": "无数据", "status": "nodata",
                              "colour": NO_DATA_COLOUR, "text": theme.TEXT})
                continue
            s = round(min(100, max(0, base + rng.uniform(-8, 8))), 1)
            p = next(p for p in pal if s >= p["min_score"])
            cells.append({"score": s, "label": p["label"], "colour": p["colour"],
                          "text": p["text"], "status": "ok", "rank": None})
        rows.append({"code": f"5001{i:02d}", "name": f"示例区{i + 1}", "cells": cells})
    order = sorted(range(n), key=lambda i: -rows[i]["cells"][0]["score"])
    for r, i in enumerate(order, start=1):
        rows[i]["rank"] = r
    legend = [{"colour": p["colour"], "text": p["text"],
               "label": f"{p['label']} ≥{p['min_score']:g}" if p["min_score"] > 0
               else f"{p['label']} <{pal[-2]['min_score']:g}"} for p in pal]
    legend += [{"colour": NO_DATA_COLOUR, "label": "无数据"},
               {"colour": INSUFFICIENT_COLOUR, "label": "样本不足", "dashed": True}]
    return columns, rows, legend


def preview(argv: list[str]) -> int:
    """This widget alone on sample data (see :mod:`cockpit.widgets.preview`)."""
    app = preview_app(argv)
    w = QSplitter()
    grid = FiveColourGrid()
    cols, rows, legend = sample_grid()
    grid.set_grid(cols, rows, legend, "示例数据 · sample data")
    bd = KpiBreakdown()
    pal = sample_palette()
    kpis = [{"name": f"指标{i}", "weight": 10.0 + i, "target": 90.0, "value": 88.0 + i,
             "score": 70.0 + 3 * i, "score__bg": next(p for p in pal if 70 + 3 * i >= p[
                 "min_score"])["colour"], "score__fg": "#0b1220"} for i in range(8)]
    bd.set_breakdown("示例区1 · 经济发展 · 2026Q3", "板块得分 83.1 · 良好",
                     [("name", "指标"), ("weight", "权重", "{:.1f}"), ("target", "目标", "{:g}"),
                      ("value", "数值", "{:g}"), ("score", "得分", "{:.1f}")], kpis,
                     {"periods": [f"2025Q{q}" for q in range(1, 5)] + [f"2026Q{q}" for q in
                                                                      range(1, 5)],
                      "score": [78, 80.5, None, 83, 84, 82.2, 85, 83.1],
                      "city_mean": [80, 81, 81, 82, 82, 82.5, 83, 83]}, pal)
    grid.sig_cell_activated.connect(lambda u, c: bd.title.setText(f"{u} · {c}"))
    w.addWidget(grid)
    w.addWidget(bd)
    w.setSizes([1000, 600])
    w.resize(1600, 900)
    return show_or_save(app, w, argv)


if __name__ == "__main__":
    import sys

    raise SystemExit(preview(sys.argv))
