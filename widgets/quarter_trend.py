"""The eight-quarter trend of a unit's score in the KPI breakdown (五色图 明细), with the mean of
all units and the levels as bands. Its own module: pyqtgraph is imported when the first
breakdown shows a trend, not with the window (see :mod:`cockpit.widgets.plots`)."""

from __future__ import annotations

import math

from cockpit.widgets import theme
from cockpit.widgets.plots import pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget

__all__ = ["TrendPlot"]


class TrendPlot(pg().PlotWidget):
    """An 8-quarter trend: the unit's score, the mean of all units, the levels as bands."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, background=theme.PANEL)
        self.setMinimumHeight(150)
        self.setMenuEnabled(False)
        self.setMouseEnabled(x=False, y=False)
        self.hideButtons()
        pi = self.getPlotItem()
        pi.showGrid(x=False, y=True, alpha=0.15)
        for ax in ("left", "bottom"):
            a = pi.getAxis(ax)
            a.setPen(pg().mkPen(theme.TEXT_DIM))
            a.setTextPen(pg().mkPen(theme.TEXT_DIM))
        # the legend sits on one row in a strip above 100 that no score reaches (the y range
        # leaves it free), so it never covers a point or its label
        self.legend = pi.addLegend(offset=(8, 2), labelTextColor=theme.TEXT,
                                   brush=pg().mkBrush(17, 26, 46, 200), colCount=2)
        self._drawn = False
        self._periods: list[str] = []

    def periods(self) -> list[str]:
        """The quarters drawn."""
        return list(self._periods)

    def set_trend(self, periods: list[str], score: list, city_mean: list,
                  bands: list[dict], label: str | None = None) -> None:
        """Draw the series (None for a missing quarter: a gap, not a zero)."""
        pi = self.getPlotItem()
        pi.clear()
        self.legend.clear()
        x = list(range(len(periods)))
        for i, b in enumerate(sorted(bands, key=lambda b: -b["min_score"])):
            hi = 100.0 if i == 0 else sorted(bands, key=lambda b: -b["min_score"])[i - 1][
                "min_score"]
            c = QColor(b["colour"])
            c.setAlpha(38)
            region = pg().LinearRegionItem((b["min_score"], hi), orientation="horizontal",
                                         movable=False, brush=pg().mkBrush(c),
                                         pen=pg().mkPen(None))
            region.setZValue(-10)
            pi.addItem(region)
        ys = [math.nan if v is None else float(v) for v in score]
        ms = [math.nan if v is None else float(v) for v in city_mean]
        pi.plot(x, ms, pen=pg().mkPen(theme.TEXT_DIM, width=2, style=Qt.PenStyle.DashLine),
                name=self.tr("全部单位平均"), connect="finite")
        pi.plot(x, ys, pen=pg().mkPen(theme.ACCENT, width=3), symbol="o", symbolSize=9,
                symbolBrush=theme.ACCENT, symbolPen=pg().mkPen(theme.BG),
                name=label if label is not None else self.tr("本单位"),
                connect="finite")
        for xi, y in zip(x, ys):
            if not math.isnan(y):
                t = pg().TextItem(f"{y:.1f}", color=theme.TEXT, anchor=(0.5, 1.3))
                t.setPos(xi, y)
                pi.addItem(t)
        finite = [v for v in ys + ms if not math.isnan(v)]
        lo = max(0.0, min(finite) - 8) if finite else 0.0
        pi.setYRange(lo, 100 + (100 - lo) * 0.45, padding=0.02)
        self._periods = list(periods)
        pi.setXRange(-0.4, max(len(x) - 0.6, 0.6), padding=0)
        # 2026Q3 -> 26Q3: eight quarters fit a narrow panel too
        pi.getAxis("bottom").setTicks([[(i, p[2:] if len(p) == 6 else p)
                                        for i, p in enumerate(periods)]])
        self._drawn = True
