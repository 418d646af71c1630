"""The 晾晒 (review) panel: the five-colour grid, the ranking with its movement and the KPI
breakdown of the selected cell, with the quarter selectors, the colour mode and the export
buttons. Plain rows in (the dicts of ``cockpit.controllers.review``'s ``*_data`` functions),
signals out; it runs no query.

Two arrangements of the same views: compact (tabs, for the window's right region in live
mode) and wide (review mode: the grid beside the ranking over the breakdown). In the wide
arrangement the grid gets what its columns need and the breakdown's table most of the right
column, so that ranking, value / target / score / weight / contribution and the 8-quarter
trend are readable at 1920×1080 without dragging; :meth:`layout_state` and
:meth:`restore_layout` keep the user's own splitter sizes (the window keeps them per mode
and screen size).
"""

from __future__ import annotations

import logging
from typing import Any

from cockpit.widgets.five_colour import FiveColourGrid, KpiBreakdown
from cockpit.widgets.ranking import RankingView
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QStackedLayout,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

log = logging.getLogger(__name__)

__all__ = ["ReviewView"]

MODES = ("absolute", "quintile")


class ReviewView(QWidget):
    """The five-colour grid, the ranking and the KPI breakdown, for review mode."""

    sig_unit_selected = Signal(str)
    """A unit was selected in the grid, the ranking or the breakdown: its code."""
    sig_cell_activated = Signal(str, str)
    """A cell was clicked: unit code and column (a board or the total)."""
    sig_period_requested = Signal(str)
    """The quarter selector asked for another quarter."""
    sig_compare_requested = Signal(str)
    """The comparison selector asked for another quarter to compare with."""
    sig_mode_changed = Signal(str)
    """The colour mode changed: "absolute" or "quintile"."""
    sig_export_requested = Signal(str, str)
    """An export was asked for: kind ("pdf" or "xlsx") and the chosen path."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.mode = "absolute"
        self.compact = False
        self._period: str | None = None
        self._restored: dict | None = None

        self.grid = FiveColourGrid()
        self.grid.sig_cell_activated.connect(self.sig_cell_activated)
        self.grid.sig_unit_selected.connect(self.sig_unit_selected)
        self.breakdown = KpiBreakdown()
        self.breakdown.sig_unit_selected.connect(self.sig_unit_selected)
        self.ranking = RankingView()
        self.ranking.sig_period_requested.connect(self.sig_period_requested)
        self.ranking.sig_compare_requested.connect(self.sig_compare_requested)
        self.ranking.sig_unit_selected.connect(self._on_ranking_unit)

        # toolbar: quarter selectors, mode, export
        self.title = QLabel(self.tr("五色图 · 晾晒"))
        self.title.setObjectName("panelTitle")
        self.btn_absolute = QPushButton(self.tr("分数段"))
        self.btn_absolute.setToolTip(self.tr("按 eval_scheme 的分数阈值评色"))
        self.btn_quintile = QPushButton(self.tr("名次五等分"))
        self.btn_quintile.setToolTip(self.tr("按名次五等分评色（晾晒）"))
        self.mode_group = QButtonGroup(self)
        for b in (self.btn_absolute, self.btn_quintile):
            b.setObjectName("modeButton")
            b.setCheckable(True)
            self.mode_group.addButton(b)
        self.btn_absolute.setChecked(True)
        self.btn_absolute.clicked.connect(self._on_absolute_clicked)
        self.btn_quintile.clicked.connect(self._on_quintile_clicked)
        self.btn_pdf = QPushButton(self.tr("导出 PDF"))
        self.btn_pdf.clicked.connect(self._on_export_pdf_clicked)
        self.btn_xlsx = QPushButton(self.tr("导出 Excel"))
        self.btn_xlsx.clicked.connect(self._on_export_xlsx_clicked)
        self.status = QLabel()
        self.status.setObjectName("note")
        self.status.setWordWrap(True)

        self._row1 = QHBoxLayout()
        self._row2 = QHBoxLayout()
        for row in (self._row1, self._row2):
            row.setContentsMargins(0, 0, 0, 0)
            row.setSpacing(6)
        top = QVBoxLayout()
        top.setSpacing(4)
        top.addLayout(self._row1)
        top.addLayout(self._row2)

        # two arrangements of the same views
        self._wide = QSplitter(Qt.Orientation.Horizontal)
        self._wide.setChildrenCollapsible(False)
        self._right = QSplitter(Qt.Orientation.Vertical)
        self._right.setChildrenCollapsible(False)
        self._tabs = QTabWidget()
        self._stack = QStackedLayout()
        holder_wide, holder_tabs = QWidget(), QWidget()
        QVBoxLayout(holder_wide).addWidget(self._wide)
        QVBoxLayout(holder_tabs).addWidget(self._tabs)
        for h in (holder_wide, holder_tabs):
            h.layout().setContentsMargins(0, 0, 0, 0)
        self._stack.addWidget(holder_wide)
        self._stack.addWidget(holder_tabs)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(6)
        lay.addLayout(top)
        lay.addLayout(self._stack, 1)
        lay.addWidget(self.status)
        self.set_compact(False)

    # ---- public API ---------------------------------------------------------------------
    @property
    def period(self) -> str | None:
        """The quarter shown."""
        return self._period

    def set_compact(self, compact: bool) -> None:
        """Tabs for a side region (compact), or the grid beside ranking and breakdown."""
        self.compact = compact
        for w in (self.grid, self.ranking, self.breakdown):
            w.setParent(None)
        self._tabs.clear()
        for row in (self._row1, self._row2):
            while row.count():
                row.takeAt(0)
        if compact:
            self._tabs.addTab(self.grid, self.tr("五色图"))
            self._tabs.addTab(self.ranking, self.tr("排名"))
            self._tabs.addTab(self.breakdown, self.tr("明细"))
            self._row1.addWidget(self.title)
            self._row1.addStretch(1)
            self._row1.addWidget(self.ranking.selector)
            self._row2.addWidget(self.btn_absolute)
            self._row2.addWidget(self.btn_quintile)
            self._row2.addStretch(1)
            self._row2.addWidget(self.btn_pdf)
            self._row2.addWidget(self.btn_xlsx)
            self._stack.setCurrentIndex(1)
        else:
            self._wide.addWidget(self.grid)
            self._right.addWidget(self.ranking)
            self._right.addWidget(self.breakdown)
            self._wide.addWidget(self._right)
            self._wide.setStretchFactor(0, 55)
            self._wide.setStretchFactor(1, 45)
            self._right.setStretchFactor(0, 38)
            self._right.setStretchFactor(1, 62)
            self._row1.addWidget(self.title)
            self._row1.addSpacing(16)
            self._row1.addWidget(self.ranking.selector)
            self._row1.addStretch(1)
            self._row1.addWidget(self.btn_absolute)
            self._row1.addWidget(self.btn_quintile)
            self._row1.addSpacing(16)
            self._row1.addWidget(self.btn_pdf)
            self._row1.addWidget(self.btn_xlsx)
            self._stack.setCurrentIndex(0)
            if self._restored is None:
                self._sized = False
                QTimer.singleShot(0, self._size_splitters)
        for w in (self.title, self.ranking.selector, self.btn_absolute, self.btn_quintile,
                  self.btn_pdf, self.btn_xlsx):
            w.show()
        if compact:  # the tab widget shows its current page only
            self._tabs.setCurrentIndex(0)
        else:
            for w in (self.grid, self.ranking, self.breakdown):
                w.show()
        self.grid.set_compact(compact)
        self.ranking.set_compact(compact)

    def set_mode_checked(self, mode: str) -> None:
        """Show ``mode`` as the chosen colour mode (no signal)."""
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}")
        self.mode = mode
        (self.btn_quintile if mode == "quintile" else self.btn_absolute).setChecked(True)

    def show_empty(self, title: str, status: str) -> None:
        """No quarter to show (a dataset without KPI values)."""
        self.title.setText(title)
        self.status.setText(status)

    def show_quarter(self, view: dict[str, Any]) -> None:
        """Show a quarter: ``view`` holds title, period, grid (columns, rows, legend,
        caption), periods, compare, ranking, ranking_caption, comparison (rows, a, b,
        caption), extremes and status."""
        self._period = view["period"]
        self.title.setText(view["title"])
        cols, rows, legend, caption = view["grid"]
        self.grid.set_grid(cols, rows, legend, caption)
        self._size_splitters()
        self.ranking.set_periods(view["periods"], view["period"], view.get("compare"))
        self.ranking.set_ranking(view["ranking"], view["ranking_caption"])
        crows, a, b, ccap = view["comparison"]
        if crows:
            self.ranking.set_comparison(crows, a, b, ccap)
        else:
            self.ranking.set_comparison([], "—", view["period"])
        self.ranking.set_extremes(view["extremes"])
        self.status.setText(view["status"])

    def show_breakdown(self, data: dict[str, Any], bands: list[dict]) -> None:
        """Show a cell's breakdown (title, summary, columns, rows, trend)."""
        self.breakdown.set_breakdown(data["title"], data["summary"], data["columns"],
                                     data["rows"], data["trend"], bands)
        if self.compact:
            self._tabs.setCurrentWidget(self.breakdown)

    def set_status(self, text: str) -> None:
        """The status line under the views."""
        self.status.setText(text)

    def layout_state(self) -> dict[str, list[int]]:
        """The wide arrangement's splitter sizes (to keep per mode and screen)."""
        return {"wide": self._wide.sizes(), "right": self._right.sizes(),
                "breakdown": self.breakdown.split.sizes()}

    def restore_layout(self, state: dict[str, list[int]] | None) -> None:
        """Put back sizes from :meth:`layout_state` (None: the computed default)."""
        self._restored = state
        if state is None:  # sized once the window has laid the panel out
            self._sized = False
            QTimer.singleShot(0, self._size_splitters)
            return
        self._sized = True
        self._wide.setSizes(state["wide"])
        self._right.setSizes(state["right"])
        self.breakdown.split.setSizes(state["breakdown"])

    def export_path(self, kind: str, default_name: str) -> str | None:
        """Ask where to write an export (None: cancelled)."""
        title, flt = ((self.tr("导出 PDF"), "PDF (*.pdf)") if kind == "pdf"
                      else (self.tr("导出 Excel"), "Excel (*.xlsx)"))
        path, _ = QFileDialog.getSaveFileName(self, title, default_name, flt)
        return path or None

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._size_splitters()

    # ---- helpers ---------------------------------------------------------------------
    def _size_splitters(self, tries: int = 20) -> None:
        """The grid gets what its columns need (45-60 %); the breakdown most of the right
        column (its table shows the KPI rows, the trend under it).

        Waits until the splitter has the panel's new width: a panel just widened (live ->
        review) gets its size before its splitters do, and sizes set on a splitter that is
        still narrow squeeze its second pane to nothing."""
        if (self.compact or getattr(self, "_sized", False) or self.width() < 900
                or self.height() < 300 or self.grid.model.rowCount() == 0):
            return
        w = self._wide.width()
        if w < self.width() * 0.9 or self._right.height() < self.height() - 160:
            if tries > 0:
                QTimer.singleShot(10, self, lambda: self._size_splitters(tries - 1))
            return
        self._sized = True
        grid_w = min(int(w * 0.60), max(int(w * 0.45), self.grid.wanted_width()))
        log.debug("review: grid wants %d of %d px", self.grid.wanted_width(), w)
        self._wide.setSizes([grid_w, w - grid_w])
        h = self._right.height()
        self._right.setSizes([int(h * 0.36), h - int(h * 0.36)])
        self._size_breakdown(int((h - int(h * 0.36)) * 0.8))

    def _size_breakdown(self, want: int, tries: int = 20) -> None:
        """The breakdown's table over its trend, 2:1, once the breakdown has its height."""
        bh = self.breakdown.split.height()
        if bh < want and tries > 0:
            QTimer.singleShot(10, self, lambda: self._size_breakdown(want, tries - 1))
            return
        self.breakdown.split.setSizes([int(bh * 0.66), bh - int(bh * 0.66)])

    # ---- handlers -------------------------------------------------------------------------
    def _on_ranking_unit(self, unit_code: str) -> None:
        self.grid.select(unit_code)
        self.sig_unit_selected.emit(unit_code)

    def _on_absolute_clicked(self) -> None:
        self.mode = "absolute"
        self.sig_mode_changed.emit("absolute")

    def _on_quintile_clicked(self) -> None:
        self.mode = "quintile"
        self.sig_mode_changed.emit("quintile")

    def _default_name(self, ext: str) -> str:
        return f"cockpit-report-{self._period or 'quarter'}-{self.mode}.{ext}"

    def _on_export_pdf_clicked(self) -> None:
        path = self.export_path("pdf", self._default_name("pdf"))
        if path:
            self.sig_export_requested.emit("pdf", path)

    def _on_export_xlsx_clicked(self) -> None:
        path = self.export_path("xlsx", self._default_name("xlsx"))
        if path:
            self.sig_export_requested.emit("xlsx", path)
