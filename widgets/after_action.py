"""The drill's after-action report in the app (演练复盘): a timeline chart, a table, the total.

Plain dict in — the output of ``cockpit.datasets.drill.after_action_report`` — nothing out
but the dialog. The chart has one row per inject, minutes after the drill's start across:
the inject (◆), a bar to its first dispatch (● within the dispatch target, ✕ late), each
stage's completion (● met, ✕ missed, □ pending) and the stage targets as short dashed lines.
Met is green and missed red, and the shape says the same for those who cannot tell them apart.

Run ``python -m cockpit.widgets.after_action`` to see it on sample data
(``--screenshot PNG`` saves it and exits).
"""

from __future__ import annotations

import sys
from datetime import datetime, timedelta
from typing import Any

import pyqtgraph as pg
from cockpit.widgets import theme
from cockpit.widgets.plain import display
from cockpit.widgets.preview import preview_app, show_or_save
from cockpit.widgets.words import tr_word
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

__all__ = ["AfterActionDialog", "AfterActionView", "STAGE_LABELS"]

STAGE_LABELS = {"react": QT_TRANSLATE_NOOP("after_action", "签收"),
                "verify": QT_TRANSLATE_NOOP("after_action", "核查"),
                "handle": QT_TRANSLATE_NOOP("after_action", "处置"),
                "close": QT_TRANSLATE_NOOP("after_action", "结案"),
                "confirm": QT_TRANSLATE_NOOP("after_action", "核实"),
                "evaluate": QT_TRANSLATE_NOOP("after_action", "评价")}
MET, MISSED, PENDING = theme.STATUS["normal"], theme.STATUS["alarm"], theme.STATUS["warning"]
_STATUS = {"met": (QT_TRANSLATE_NOOP("after_action", "✓ 达标"), MET, "o"),
           "missed": (QT_TRANSLATE_NOOP("after_action", "✗ 超时"), MISSED, "x"),
           "pending": (QT_TRANSLATE_NOOP("after_action", "… 进行中"), PENDING, "s")}


def _tr(text: str) -> str:
    return QCoreApplication.translate("after_action", text)


def stage_label(stage: str) -> str:
    """签收 核查 处置 结案 in the interface language."""
    return _tr(STAGE_LABELS[stage]) if stage in STAGE_LABELS else stage
_INJECT = "#64d2ff"


def _min(x: Any) -> str:
    return "—" if x is None else f"{float(x):.1f}′"


class AfterActionView(QWidget):
    """The report: title and total score, the timeline chart, the per-inject table."""

    COLUMNS = ("#", QT_TRANSLATE_NOOP("after_action", "注入"),
               QT_TRANSLATE_NOOP("after_action", "派遣用时"),
               QT_TRANSLATE_NOOP("after_action", "正确"),
               QT_TRANSLATE_NOOP("after_action", "错派"), QT_TRANSLATE_NOOP("after_action", "漏派"))

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.report: dict[str, Any] = {}
        self.stages: list[str] = []
        lay = QVBoxLayout(self)
        head = QHBoxLayout()
        self.title = QLabel()
        self.title.setTextFormat(Qt.TextFormat.PlainText)  # a scenario's title is data
        self.title.setWordWrap(True)
        f = self.title.font()
        f.setPointSizeF(f.pointSizeF() * 1.4)
        f.setBold(True)
        self.title.setFont(f)
        self.subtitle = QLabel()
        self.subtitle.setTextFormat(Qt.TextFormat.PlainText)
        self.subtitle.setObjectName("note")
        self.subtitle.setWordWrap(True)
        titles = QVBoxLayout()
        titles.addWidget(self.title)
        titles.addWidget(self.subtitle)
        head.addLayout(titles, 1)
        self.score = QLabel("—")
        self.score.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        sf = QFont(self.score.font())
        sf.setPointSizeF(sf.pointSizeF() * 4)
        sf.setBold(True)
        self.score.setFont(sf)
        self.score.setToolTip(self.tr("总分 / 100"))
        head.addWidget(self.score)
        lay.addLayout(head)

        split = QSplitter(Qt.Orientation.Vertical)
        self.plot = pg.PlotWidget(background=theme.PANEL)
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(x=True, y=False)
        self.plot.showGrid(x=True, y=False, alpha=0.2)
        self.plot.getAxis("bottom").setLabel(self.tr("演练开始后（分钟）"))
        self.plot.getPlotItem().invertY(True)
        self.legend = self.plot.addLegend(offset=(-10, 10), colCount=4)
        split.addWidget(self.plot)
        self.table = QTableWidget()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(True)
        split.addWidget(self.table)
        split.setSizes([380, 300])
        lay.addWidget(split, 1)
        self.formula = QLabel()
        self.formula.setObjectName("note")
        self.formula.setWordWrap(True)
        lay.addWidget(self.formula)

    # ---- public API -----------------------------------------------------------------------
    def set_report(self, report: dict[str, Any]) -> None:
        """Show an after-action report (the plain dict of ``after_action_report``)."""
        self.report = report
        sc, se, tot = report["scenario"], report["session"], report["totals"]
        score = report.get("score")
        self.score.setText("—" if score is None else f"{score:.1f}")
        colour = theme.TEXT_DIM if score is None else (MET if score >= 80 else PENDING
                                                       if score >= 60 else MISSED)
        self.score.setStyleSheet(f"color:{colour}")
        self.title.setText(self.tr("演练复盘 · {title}").format(title=display(sc["title"], 80)))
        self.subtitle.setText(self.tr(
            "{place} · 预案 {plan} · 截至 {as_of} · 注入 {injects} · 已派遣 {dispatched}"
            " · 部门 正确/错派/漏派 {right}/{wrong}/{missed}"
            " · 阶段 达标/超时/进行中 {met}/{late}/{pending}").format(
                place=display(sc.get("place", ""), 40), plan=sc.get("plan_id") or "—",
                as_of=f"{se['as_of']:%Y-%m-%d %H:%M}", injects=tot["scored_injects"],
                dispatched=tot["dispatched"], right=tot["departments_right"],
                wrong=tot["departments_wrong"], missed=tot["departments_missed"],
                met=tot["stages_met"], late=tot["stages_missed"],
                pending=tot["stages_pending"]))
        self.formula.setText(tr_word(report.get("formula", "")))
        injects = report["injects"]
        self.stages = list(dict.fromkeys(s["stage"] for r in injects for s in r["stages"]))
        self._fill_table(injects)
        self._draw(injects, self._inject_offsets(report))

    def row_count(self) -> int:
        return self.table.rowCount()

    def cell_text(self, row: int, column: str) -> str:
        """The text of a cell by its header (for tests and the clipboard)."""
        for c in range(self.table.columnCount()):
            if self.table.horizontalHeaderItem(c).text() == column:
                item = self.table.item(row, c)
                return item.text() if item is not None else ""
        raise KeyError(column)

    # ---- private ----------------------------------------------------------------------------
    @staticmethod
    def _inject_offsets(report: dict[str, Any]) -> dict[int, float]:
        return {int(r["inject"]): float(r["offset_min"]) for r in report["timeline"]
                if r["kind"] == "inject"}

    def _fill_table(self, injects: list[dict[str, Any]]) -> None:
        headers = [*(_tr(c) for c in self.COLUMNS), *(stage_label(s) for s in self.stages),
                   self.tr("得分（派遣/部门/阶段）"), self.tr("分数")]
        self.table.clear()
        self.table.setColumnCount(len(headers))
        self.table.setHorizontalHeaderLabels(headers)
        self.table.setRowCount(len(injects))
        for i, r in enumerate(injects):
            ttd, target = r["time_to_dispatch_min"], r["dispatch_target_min"]
            late = ttd is None or ttd > target
            cells: list[tuple[str, str | None]] = [
                (str(r["inject"]), None), (r["title"], None),
                (f"{'✗' if late else '✓'} {_min(ttd)} (≤{target:g}′)", MISSED if late else MET),
                ("\n".join(r["departments_right"]) or "—", MET if r["departments_right"]
                 else None),
                ("\n".join(r["departments_wrong"]) or "—", MISSED if r["departments_wrong"]
                 else None),
                ("\n".join(r["departments_missed"]) or "—", MISSED if r["departments_missed"]
                 else None)]
            by_stage = {s["stage"]: s for s in r["stages"]}
            for stage in self.stages:
                s = by_stage.get(stage)
                if s is None:
                    cells.append(("", None))
                    continue
                text, colour, _sym = _STATUS[s["status"]]
                text = _tr(text)
                cells.append((f"{text} {_min(s['done_min'])} (≤{s['target_min']:g}′)", colour))
            p = r["points"]
            cells.append((f"{p['dispatch']:.1f} / {p['departments']:.1f} / {p['stages']:.1f}",
                          None))
            cells.append((f"{r['score']:.1f}", None))
            for c, (text, colour) in enumerate(cells):
                item = QTableWidgetItem(text)
                if colour is not None:
                    item.setForeground(QBrush(QColor(colour)))
                if c == len(cells) - 1:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.table.setItem(i, c, item)
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        hh.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.resizeRowsToContents()

    def _draw(self, injects: list[dict[str, Any]], offsets: dict[int, float]) -> None:
        plot = self.plot
        plot.clear()
        self.legend.clear()
        pen_bar = pg.mkPen(theme.TEXT_DIM, width=3)
        shown: set[str] = set()

        def scatter(x: float, y: float, symbol: str, colour: str, name: str,
                    size: int = 14, hollow: bool = False) -> None:
            item = pg.ScatterPlotItem(
                [x], [y], symbol=symbol, size=size,
                pen=pg.mkPen(colour, width=2),
                brush=None if hollow else pg.mkBrush(colour),
                name=None if name in shown else name)
            shown.add(name)
            plot.addItem(item)

        ticks, x_max = [], 1.0
        for row, r in enumerate(injects):
            y = float(row)
            at = offsets.get(int(r["inject"]), 0.0)
            title = r["title"] if len(r["title"]) <= 10 else r["title"][:9] + "…"
            ticks.append((y, f"{r['inject']}. {title}"))
            # the targets: dashed ticks at inject + target (dispatch, then each stage)
            targets = [("dispatch", r["dispatch_target_min"])] + [
                (s["stage"], s["target_min"]) for s in r["stages"]]
            by_x: dict[float, list[str]] = {}
            for name, target in targets:  # stages with the same target share one line
                by_x.setdefault(at + float(target), []).append(
                    stage_label(name) if name in STAGE_LABELS else self.tr("派遣"))
            for x, names in by_x.items():
                line = pg.PlotDataItem([x, x], [y - 0.35, y + 0.35],
                                       pen=pg.mkPen(theme.TEXT_DIM, width=1,
                                                    style=Qt.PenStyle.DashLine))
                plot.addItem(line)
                label = pg.TextItem(self.tr("{stages}时限").format(stages="/".join(names)),
                                    color=theme.TEXT_DIM,
                                    anchor=(0.5, 0))
                label.setPos(x, y + 0.35)
                plot.addItem(label)
                x_max = max(x_max, x)
            ttd = r["time_to_dispatch_min"]
            done = [at + s["done_min"] for s in r["stages"] if s["done_min"] is not None]
            end = max([at + (ttd or 0.0), *done])
            plot.addItem(pg.PlotDataItem([at, end], [y, y], pen=pen_bar))
            scatter(at, y, "d", _INJECT, _tr(self.COLUMNS[1]))
            if ttd is not None:
                ok = ttd <= r["dispatch_target_min"]
                scatter(at + ttd, y, "t1" if ok else "x", MET if ok else MISSED,
                        self.tr("派遣 ▲ 按时 / ✕ 超时"), size=16)
                x_max = max(x_max, at + ttd)
            for s in r["stages"]:
                text, colour, sym = _STATUS[s["status"]]
                text = _tr(text)
                x = at + (s["done_min"] if s["done_min"] is not None else s["target_min"])
                if s["done_min"] is None and s["status"] == "missed":
                    x = at + s["target_min"]
                scatter(x, y, sym, colour, self.tr("阶段 {status}").format(status=text),
                        hollow=s["status"] == "pending")
                label = pg.TextItem(stage_label(s["stage"]), color=colour,
                                    anchor=(0.5, 1))
                label.setPos(x, y - 0.18)
                plot.addItem(label)
                x_max = max(x_max, x)
        axis = plot.getAxis("left")
        axis.setTicks([ticks, []])
        axis.setWidth(200)
        # room above the first row for the legend
        plot.setYRange(-1.5, max(0.7, len(injects) - 0.3), padding=0)
        plot.setXRange(min([0.0, *offsets.values()]) - 1, x_max * 1.05 + 1, padding=0)


class AfterActionDialog(QDialog):
    """A window around :class:`AfterActionView` (not modal: the screen stays usable)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("演练复盘报告"))
        self.setModal(False)
        self.resize(1400, 860)
        self.view = AfterActionView(self)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addWidget(self.view)

    def set_report(self, report: dict[str, Any]) -> None:
        self.view.set_report(report)


def sample_report() -> dict[str, Any]:
    """A small report shaped like ``after_action_report``'s, for the demo and tests."""
    start = datetime(2026, 11, 20, 14, 0)

    def stage(name: str, target: float, done: float | None, status: str) -> dict[str, Any]:
        return {"stage": name, "action": name, "target_min": target,
                "scenario_target_min": target, "done_min": done, "status": status}

    injects = [
        {"inject": 1, "event_id": 1, "title": "沼气浓度超限", "type_id": "ET", "weight": 1.0,
         "time_to_dispatch_min": 1.5, "dispatch_target_min": 2.0,
         "departments_expected": ["D-A", "D-B"], "departments_right": ["D-A", "D-B"],
         "departments_wrong": [], "departments_missed": [],
         "stages": [stage("react", 5, 3.0, "met"), stage("verify", 10, 12.5, "missed"),
                    stage("handle", 20, 18.0, "met")],
         "points": {"dispatch": 20.0, "departments": 30.0, "stages": 33.33}, "score": 83.3},
        {"inject": 2, "event_id": 2, "title": "周边居民投诉异味", "type_id": "ET",
         "weight": 1.0, "time_to_dispatch_min": 4.0, "dispatch_target_min": 2.0,
         "departments_expected": ["D-A", "D-C"], "departments_right": ["D-A"],
         "departments_wrong": ["D-X"], "departments_missed": ["D-C"],
         "stages": [stage("react", 5, None, "missed"), stage("verify", 10, None, "pending"),
                    stage("handle", 20, None, "pending")],
         "points": {"dispatch": 10.0, "departments": 7.5, "stages": 0.0}, "score": 17.5}]
    timeline = [{"at": start, "offset_min": 0.0, "kind": "inject", "inject": 1},
                {"at": start + timedelta(minutes=6), "offset_min": 6.0, "kind": "inject",
                 "inject": 2}]
    return {"scenario": {"id": "sample", "title": "示例 · 江北化粪池沼气超限", "place": "江北",
                         "plan_id": "P-BIOGAS", "start": start,
                         "end": start + timedelta(hours=1)},
            "session": {"id": "sample", "store": "", "as_of": start + timedelta(minutes=25)},
            "timeline": timeline, "injects": injects,
            "totals": {"score": 50.4, "scored_injects": 2, "dispatched": 2,
                       "departments_right": 3, "departments_wrong": 1, "departments_missed": 1,
                       "stages_met": 2, "stages_missed": 2, "stages_pending": 2},
            "score": 50.4, "formula": "每条注入 100 分 · per inject 100 points"}


def preview(argv: list[str]) -> int:
    """This widget alone on sample data (see :mod:`cockpit.widgets.preview`)."""
    app = preview_app(argv)
    dlg = AfterActionDialog()
    dlg.set_report(sample_report())
    return show_or_save(app, dlg, argv)


if __name__ == "__main__":
    sys.exit(preview(sys.argv))
