"""Review mode (晾晒): the evaluation wired to the review panel.

:class:`ReviewController` runs the queries of :mod:`cockpit.datasets.review` off the GUI
thread (each opens its own cursor there) and turns their results into the plain rows the
widgets take (the ``*_data`` functions below, pure and tested). The panel itself is a widget,
:class:`cockpit.widgets.review_panel.ReviewView` (rows in, signals out);
:class:`ReviewPanel` is that view with its controller wired to it. Nothing here runs SQL.

Typical wiring::

    panel = ReviewPanel(catalog, orders_provider=lambda: store.orders())
    panel.sig_unit_selected.connect(map.highlight_unit)
    panel.refresh()
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QObject, Signal
from PySide6.QtWidgets import QWidget

from cockpit.datasets import evaluation as E
from cockpit.datasets import review as RQ
from cockpit.datasets.report import MODE_LABELS
from cockpit.widgets.dispatch_panel import action_label
from cockpit.widgets.five_colour import fmt_change, fmt_score
from cockpit.widgets.ranking import ranking_row
from cockpit.widgets.review_panel import ReviewView
from cockpit.widgets.words import EVALUATION, tr_word
from cockpit.workers import run_in_background

if TYPE_CHECKING:
    from cockpit.datasets.catalog import Catalog

log = logging.getLogger(__name__)

OrdersProvider = Callable[[], "pd.DataFrame | None"]
_SOURCE_TEXT = {"dispatch": QT_TRANSLATE_NOOP("review", "派遣记录"),
                "events": QT_TRANSLATE_NOOP("review", "事件历史（无完成时间）")}
translate = QCoreApplication.translate


def _source_text(src: str) -> str:
    return translate("review", _SOURCE_TEXT[src]) if src in _SOURCE_TEXT else src


@dataclass(frozen=True)
class QuarterView:
    """A quarter evaluated for the panel (both modes), with the quarter compared with."""

    periods: list[str]
    evaluation: E.QuarterEvaluation
    other: E.QuarterEvaluation | None  # the quarter compared with
    seconds: float

    @property
    def period(self) -> str | None:
        return self.evaluation.period


# --------------------------------------------------------------------------- view data


def _i(x) -> int | None:
    """An int, or None for NA / NaN."""
    return E._int(x)


def _cell_dict(ev: E.QuarterEvaluation, info: dict, column: str) -> dict[str, Any]:
    cell = {"score": info["score"], "label": info["label"], "colour": info["colour"],
            "text": info["text"], "status": info["status"], "rank": info["rank"]}
    if column == E.CLOSED_LOOP and info["status"] != "ok":
        src = ev.closed_loop["source"].iloc[0] if len(ev.closed_loop) else "events"
        cell["note"] = (translate("review",
                                  "派单少于 {n} 件，不评色").format(n=ev.config.min_sample)
                        if info["status"] == "insufficient"
                        else translate("review", "事件历史无完成时间，按时率无法计算")
                        if src == "events" else tr_word("无数据", EVALUATION))
    return cell


def legend_items(ev: E.QuarterEvaluation, mode: str) -> list[dict]:
    """The legend: each level with its rule in ``mode``, then missing and insufficient."""
    pal = sorted(ev.scheme, key=lambda p: p["level"])
    k = len(pal)
    out = []
    for i, p in enumerate(pal):
        if mode == "quintile":
            rule = translate("review", "第{i}/{k}段").format(i=i + 1, k=k)
        elif i == k - 1 and k > 1:
            rule = f"<{pal[i - 1]['min_score']:g}"
        else:
            rule = f"≥{p['min_score']:g}"
        out.append({"colour": p["colour"], "text": p["text"],
                    "label": f"{tr_word(p['label'], EVALUATION)} {rule}"})
    out.append({"colour": E.NO_DATA["colour"], "text": E.NO_DATA["text"],
                "label": tr_word(E.NO_DATA["label"], EVALUATION)})
    out.append({"colour": E.INSUFFICIENT["colour"], "text": E.INSUFFICIENT["text"],
                "label": tr_word(E.INSUFFICIENT["label"], EVALUATION), "dashed": True})
    return out


def grid_data(ev: E.QuarterEvaluation, mode: str) -> tuple[list[str], list[dict], list[dict], str]:
    """The grid's columns (total first, then the boards), rows, legend and caption."""
    columns = [E.TOTAL, *ev.boards]
    cells = ev.cells
    lv = cells[f"level_{mode}"].to_numpy()
    by_unit: dict[str, dict[str, dict]] = {}
    for u, c, s, st, rk, level in zip(cells["unit_code"], cells["column"], cells["score"],
                                      cells["status"], cells["rank"], lv):
        p = ev.level_info(_i(level), st)
        info = {"score": None if s != s else float(s), "status": st,
                "rank": _i(rk), "label": p["label"],
                "colour": p["colour"], "text": p["text"]}
        by_unit.setdefault(u, {})[c] = _cell_dict(ev, info, c)
    rows = []
    for r in ev.ranking.itertuples(index=False):
        cu = by_unit.get(r.unit_code, {})
        rows.append({"code": r.unit_code, "name": r.unit_name,
                     "rank": _i(r.rank),
                     "cells": [cu.get(c, {"score": None, "status": "nodata", **E.NO_DATA})
                               for c in columns]})
    src = ev.closed_loop["source"].iloc[0] if len(ev.closed_loop) else "events"
    caption = translate("review", "{period} · {mode} · {n} 个单位 · 闭环处置来源：{source}").format(
        period=ev.period, mode=tr_word(MODE_LABELS.get(mode, mode)), n=len(rows),
        source=_source_text(src))
    return columns, rows, legend_items(ev, mode), caption


def ranking_data(ev: E.QuarterEvaluation, mode: str) -> list[dict]:
    """The ranking table's rows, best first."""
    rows = []
    for r in ev.ranking.itertuples(index=False):
        p = ev.level_info(_i(getattr(r, f"level_{mode}")), r.status)
        rank, prev, change = _i(r.rank), _i(r.prev_rank), _i(r.rank_change)
        total = None if r.total != r.total else float(r.total)
        sc = None if r.score_change != r.score_change else float(r.score_change)
        rows.append(ranking_row(r.unit_code, r.unit_name, rank, change, total, sc,
                                p["label"], p["colour"], p["text"], prev))
    return rows


def comparison_data(a: E.QuarterEvaluation, b: E.QuarterEvaluation) -> list[dict]:
    """Two quarters side by side (``a`` the one compared with, ``b`` the one shown)."""
    from cockpit.widgets.five_colour import rank_change_text

    rows = []
    for r in E.compare(a, b).itertuples(index=False):
        ch = _i(r.rank_change)
        text, colour = rank_change_text(ch)
        sc = None if r.score_change != r.score_change else float(r.score_change)
        rows.append({"code": r.unit_code, "name": r.unit_name,
                     "rank_a": _i(r.rank_a),
                     "total_a": None if r.total_a != r.total_a else float(r.total_a),
                     "rank_b": _i(r.rank_b),
                     "total_b": None if r.total_b != r.total_b else float(r.total_b),
                     "rank_change": ch, "rank_change__text": text if ch is not None else "—",
                     "rank_change__fg": colour, "score_change": sc,
                     "score_change__text": fmt_change(sc)})
    return rows


def extremes_data(ev: E.QuarterEvaluation, mode: str, n: int = 5) -> list[dict]:
    """Per column (total, boards): top and bottom ``n`` with their cell colours."""
    tb = E.top_bottom(ev, n)
    out = []
    for c in [E.TOTAL, *ev.boards]:
        def entries(lst: list[tuple], column: str = c) -> list[tuple]:
            res = []
            for rank, code, name, score in lst:
                cell = ev.cell(code, column, mode)
                res.append((rank, code, name, score, cell["colour"], cell["text"]))
            return res
        out.append({"board": c, "top": entries(tb[c]["top"]),
                    "bottom": entries(tb[c]["bottom"])})
    return out


def breakdown_data(facts: RQ.CellFacts, ev: E.QuarterEvaluation, mode: str) -> dict[str, Any]:
    """What the breakdown shows for one cell (from :func:`cockpit.datasets.review.cell_facts`):
    title, summary, columns, rows, trend."""
    unit_code, column = facts.unit_code, facts.column
    names = dict(zip(ev.scores["unit_code"], ev.scores["unit_name"]))
    name = names.get(unit_code, unit_code)
    cell = ev.cell(unit_code, column, mode)
    n_units = int(ev.ranking["total"].notna().sum())
    head = (translate("review", "{column}：{score} 分 · {label}").format(
        column=tr_word(column), score=fmt_score(cell["score"]),
        label=tr_word(cell["label"], EVALUATION))
            + (translate("review", " · 第 {rank} 名 / {n}").format(rank=cell["rank"], n=n_units)
               if cell["rank"] is not None else ""))
    tr = facts.trend
    trend = {"periods": tr["period"].tolist(), "score": tr["score"].tolist(),
             "city_mean": tr["city_mean"].tolist(), "label": name}
    title = f"{name} · {tr_word(column)} · {ev.period}"
    pal = ev.scheme

    def coloured(score: float | None) -> dict:
        p = E.colour_for(score, pal)
        return {"score__bg": p["colour"], "score__fg": p["text"],
                "score__tip": tr_word(p["label"], EVALUATION)}

    if column == E.TOTAL:
        columns = [("name", translate("review", "板块")),
                   ("score", translate("review", "得分"), "{:.1f}"),
                   ("label", translate("review", "等级")), ("rank", translate("review", "名次")),
                   ("prev", translate("review", "上季度"), "{:.1f}"),
                   ("change", translate("review", "变化"))]
        rows = []
        bs = facts.boards
        for b in bs.itertuples(index=False):
            c = ev.cell(unit_code, b.board, mode)
            rows.append({"name": tr_word(b.board), "score": b.score,
                         "label": tr_word(c["label"], EVALUATION),
                         "label__bg": c["colour"], "label__fg": c["text"], "rank": c["rank"],
                         "prev": b.prev_score, "change": b.change,
                         "change__text": fmt_change(b.change), **coloured(b.score)})
        summary = head + translate("review", " · 总分 = 各板块得分的加权平均（缺失板块不计入）")
        return {"title": title, "summary": summary, "columns": columns, "rows": rows,
                "trend": trend}
    if column == E.CLOSED_LOOP:
        r = facts.closed_loop
        columns = [("name", translate("review", "项目")), ("value", translate("review", "数值"))]
        rows = []
        if r is not None:

            def pct(x) -> str:
                return "—" if x != x or x is None else f"{x:.0%}"

            for label, text in ((translate("review", "样本量（派单）") if r["source"] == "dispatch"
                                 else translate("review", "样本量（事件）"), str(int(r["n"]))),
                                (translate("review", "签收按时率"), pct(r["react_on_time"])),
                                (translate("review", "核实按时率"),
                                 pct(r.get("confirm_on_time", float("nan")))),
                                (translate("review", "核查按时率"), pct(r["verify_on_time"])),
                                (translate("review", "处置按时率"), pct(r["handle_on_time"])),
                                (translate("review", "结案率"), pct(r["closure_rate"])),
                                (translate("review", "超时未办结"), "—" if _i(r["overdue"]) is None
                                 else str(_i(r["overdue"]))),
                                (translate("review", "来源"), _source_text(r["source"]))):
                rows.append({"name": label, "value": text})
        # the orders behind the score: overdue and late first
        for o in (facts.orders.itertuples(index=False) if facts.orders is not None else []):
            why = (translate("review", "超时未办结") if o.overdue else
                   translate("review", "迟办：{actions}").format(actions="、".join(
                       action_label(a) for a in str(o.late_actions).split(",") if a))
                   if o.late_actions else translate("review", "按时"))
            rows.append({"name": translate("review", "事件 {event} · {title}").format(
                event=o.event_id, title=o.title if isinstance(o.title, str) else "—"),
                "value": f"{o.department} · {why}",
                **({"value__fg": "#ff6b5e"} if o.overdue or o.late_actions else {})})
        note = _cell_dict(ev, cell, column).get("note", "")
        return {"title": title, "summary": head + (f" · {note}" if note else ""),
                "columns": columns, "rows": rows, "trend": trend}
    df = facts.kpis
    # what a leader reads first comes first: value against target, score, weight, what the
    # KPI adds to the board's score and what it costs it
    columns = [("name", translate("review", "指标")),
               ("value", translate("review", "数值"), "{:g}"),
               ("target", translate("review", "目标"), "{:g}"),
               ("unit", translate("review", "单位")),
               ("score", translate("review", "得分"), "{:.1f}"),
               ("weight", translate("review", "权重"), "{:.2f}"),
               ("contribution", translate("review", "贡献"), "{:.2f}"),
               ("points_lost", translate("review", "失分"), "{:.2f}"),
               ("change", translate("review", "较上季"), "{:+g}"),
               ("direction", translate("review", "方向")), ("runway", translate("review", "跑道"))]
    higher, lower = translate("review", "↑ 越高越好"), translate("review", "↓ 越低越好")
    no_data = tr_word("无数据", EVALUATION)
    rows = []
    for k in df.itertuples(index=False):
        score = None if k.score != k.score else float(k.score)
        rows.append({"name": k.name, "runway": k.runway,
                     "direction": higher if k.direction == "higher" else lower,
                     "weight": k.weight, "target": k.target,
                     "value": None if k.value != k.value else float(k.value),
                     "value__text": no_data if k.value != k.value else f"{k.value:g}",
                     "unit": k.unit or "", "score": score,
                     "score__text": fmt_score(score) if score is not None else no_data,
                     "change": None if k.change != k.change else float(k.change),
                     "points_lost": None if k.points_lost != k.points_lost
                     else float(k.points_lost),
                     "contribution": None if score is None or k.share != k.share
                     else float(k.share * score), **coloured(score)})
    have = int(df["score"].notna().sum())
    cov = ev.cells[(ev.cells["unit_code"] == unit_code) & (ev.cells["column"] == column)]
    cv = float(cov["coverage"].iloc[0]) if len(cov) and cov["coverage"].iloc[0] == cov[
        "coverage"].iloc[0] else None
    summary = (head + translate("review", " · 有数值的指标 {have}/{n}").format(have=have, n=len(df))
               + (translate("review", "（权重覆盖 {cv}）").format(cv=f"{cv:.0%}") if cv is not None
                  else "")
               + translate("review",
                           " · 贡献 = 权重占比 × 得分，失分 = 权重占比 × (100 − 得分)，按失分排序"))
    return {"title": title, "summary": summary, "columns": columns, "rows": rows,
            "trend": trend}


# --------------------------------------------------------------------------- controller


class ReviewController(QObject):
    """Runs the evaluation off the GUI thread and caches the quarters it evaluated."""

    sig_quarter_ready = Signal(object)
    """A quarter was evaluated: a QuarterView."""
    sig_breakdown_ready = Signal(object)
    """A cell's breakdown is ready: the dict of :func:`breakdown_data`."""
    sig_failed = Signal(str)
    """A background job failed: the message."""

    def __init__(self, catalog: Catalog, orders_provider: OrdersProvider | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.catalog = catalog
        self.orders_provider = orders_provider
        self._cache: dict[str, E.QuarterEvaluation] = {}
        self._running = False
        self._pending: tuple | None = None
        self.current: QuarterView | None = None

    def load(self, period: str | None = None, compare: str | None = None,
             fresh: bool = False) -> None:
        """Evaluate ``period`` (default: the latest) and ``compare`` (default: the quarter
        before) in the background; a burst of requests collapses into the last one."""
        if fresh:
            self._cache.clear()
        if self._running:
            self._pending = (period, compare)
            return
        self._running = True
        cache = dict(self._cache)
        catalog, provider = self.catalog, self.orders_provider

        def work() -> QuarterView:
            t0 = time.perf_counter()
            orders = provider() if provider is not None else None
            ps, ev, other = RQ.quarter_views(catalog, period, compare, orders, cache)
            return QuarterView(ps, ev, other, time.perf_counter() - t0)

        run_in_background(work, self._on_loaded, self._on_failed)

    def breakdown(self, unit_code: str, column: str, mode: str) -> None:
        """Compute a cell's breakdown in the background."""
        if self.current is None:
            return
        ev = self.current.evaluation
        catalog, provider = self.catalog, self.orders_provider

        def work() -> dict:
            orders = provider() if provider is not None else None
            out = breakdown_data(RQ.cell_facts(catalog, ev, unit_code, column, mode, orders),
                                 ev, mode)
            out["unit_code"], out["column"] = unit_code, column
            return out

        run_in_background(work, self.sig_breakdown_ready.emit, self._on_failed)

    def report(self, period: str | None, mode: str, compare: str | None, kpi_detail: bool,
               done: Callable[[Any], None], failed: Callable[[str], None],
               then: Callable[[Any], Any] | None = None) -> None:
        """Build the quarter's report in the background (``then`` runs there on it too);
        ``done`` gets the result on the GUI thread. Without dispatch records the report says
        why."""
        catalog, provider = self.catalog, self.orders_provider

        def work():
            orders = provider() if provider is not None else None
            note = None if orders is not None else translate(
                "review", "本窗口未打开派遣库（见状态栏），闭环处置改用事件历史")
            rep = RQ.quarter_report(catalog, period, mode, orders, compare,
                                    kpi_detail=kpi_detail, orders_note=note)
            return then(rep) if then is not None else rep

        run_in_background(work, done, failed)

    def _on_loaded(self, view: QuarterView) -> None:
        self._running = False
        self._cache[view.evaluation.period] = view.evaluation
        if view.other is not None:
            self._cache[view.other.period] = view.other
        self.current = view
        self.sig_quarter_ready.emit(view)
        self._next()

    def _on_failed(self, message: str) -> None:
        self._running = False
        self.sig_failed.emit(message)
        self._next()

    def _next(self) -> None:
        if self._pending is not None:
            p, c = self._pending
            self._pending = None
            self.load(p, c)


# --------------------------------------------------------------------------- panel


class ReviewPanel(ReviewView):
    """The review view (:class:`cockpit.widgets.review_panel.ReviewView`) with its
    controller: the view's signals become background jobs, their results become rows."""

    sig_quarter_shown = Signal(str)
    """The panel shows a quarter's evaluation: its period."""
    sig_exported = Signal(str)
    """An export was written: its path."""

    def __init__(self, catalog: Catalog, orders_provider: OrdersProvider | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = ReviewController(catalog, orders_provider, self)
        self.controller.sig_quarter_ready.connect(self._on_quarter_ready)
        self.controller.sig_breakdown_ready.connect(self._on_breakdown_ready)
        self.controller.sig_failed.connect(self._on_failed)
        self._compare: str | None = None
        self._selected: tuple[str, str] | None = None
        self.sig_cell_activated.connect(self._on_cell_activated)
        self.sig_period_requested.connect(self.set_period)
        self.sig_compare_requested.connect(self.set_compare)
        self.sig_mode_changed.connect(self.set_mode)
        self.sig_export_requested.connect(self._on_export_requested)

    # ---- public API ---------------------------------------------------------------------
    @property
    def evaluation(self) -> E.QuarterEvaluation | None:
        """The evaluation shown (None before the first one arrives)."""
        v = self.controller.current
        return v.evaluation if v is not None else None

    def refresh(self) -> None:
        """Evaluate the quarter shown (the latest at first) afresh, off the GUI thread."""
        self.set_status(self.tr("正在计算 …"))
        self.controller.load(self._period, self._compare, fresh=True)

    def set_period(self, period: str) -> None:
        """Show another quarter."""
        self._period = period
        self.controller.load(period, self._compare)

    def set_compare(self, period: str) -> None:
        """Compare with another quarter."""
        self._compare = period
        self.controller.load(self._period, period)

    def set_mode(self, mode: str) -> None:
        """Colour by absolute thresholds ("absolute") or by rank quintiles ("quintile")."""
        if mode not in E.MODES:
            raise ValueError(f"unknown mode {mode!r}")
        self.set_mode_checked(mode)
        if self.controller.current is not None:
            self._show(self.controller.current)

    def export_xlsx(self, path: Path | str) -> None:
        """Write the quarter shown as XLSX, off the GUI thread; sig_exported when done."""
        from cockpit.datasets.report import write_xlsx

        self.set_status(self.tr("正在导出 {name} …").format(name=Path(path).name))
        self.controller.report(self._period, self.mode, self._compare, True,
                               self._on_exported, self._on_failed,
                               then=lambda rep: str(write_xlsx(rep, path, tr_word)))

    def export_pdf(self, path: Path | str) -> None:
        """Write the quarter shown as PDF (data and charts off the GUI thread, the page
        drawing on it)."""
        from cockpit.printing.quarter_pdf import report_images

        def draw(result) -> None:
            from cockpit.printing.quarter_pdf import write_pdf

            rep, images = result
            try:
                self._on_exported(str(write_pdf(rep, path, images)))
            except OSError as exc:
                self._on_failed(f"{type(exc).__name__}: {exc}")

        self.set_status(self.tr("正在导出 {name} …").format(name=Path(path).name))
        self.controller.report(self._period, self.mode, self._compare, False, draw,
                               self._on_failed, then=lambda rep: (rep, report_images(rep)))

    # ---- handlers -------------------------------------------------------------------------
    def _on_quarter_ready(self, view: QuarterView) -> None:
        self._period = view.period
        self._show(view)
        self.sig_quarter_shown.emit(view.period or "")

    def _show(self, view: QuarterView) -> None:
        ev = view.evaluation
        if ev.period is None:
            self.show_empty(self.tr("五色图 · 晾晒 — 无指标数据"), self.tr("数据集中没有指标值"))
            return
        mode = self.mode
        other = view.other
        comparison: tuple = ([], "—", ev.period, "")
        if other is not None:
            a, b = (other, ev) if (other.period or "") < (ev.period or "") else (ev, other)
            comparison = (comparison_data(a, b), a.period, b.period,
                          self.tr("名次变化 = {a} 名次 − {b} 名次").format(a=a.period, b=b.period))
        src = ev.closed_loop["source"].iloc[0] if len(ev.closed_loop) else "events"
        self.show_quarter({
            "title": self.tr("五色图 · 晾晒 {period}").format(period=ev.period),
            "period": ev.period, "grid": grid_data(ev, mode), "periods": view.periods,
            "compare": other.period if other else None,
            "ranking": ranking_data(ev, mode),
            "ranking_caption": self.tr(
                "名次变化对比 {previous}：↑ 上升 ↓ 下降 — 不变 新 上季度未排名；"
                "同分同名次（1、2、2、4）").format(previous=ev.previous or "—"),
            "comparison": comparison, "extremes": extremes_data(ev, mode),
            "status": self.tr("计算 {ms} ms · 闭环处置：{source} · {mode}").format(
                ms=f"{view.seconds * 1000:.0f}", source=_source_text(src),
                mode=tr_word(MODE_LABELS[mode]))})
        if self._selected is not None:
            unit, column = self._selected
            self.grid.select(unit, column)
            self.controller.breakdown(unit, column, mode)

    def _on_cell_activated(self, unit_code: str, column: str) -> None:
        self._selected = (unit_code, column)
        self.controller.breakdown(unit_code, column, self.mode)

    def _on_breakdown_ready(self, data: dict) -> None:
        ev = self.evaluation
        self.show_breakdown(data, ev.scheme if ev else [])

    def _on_failed(self, message: str) -> None:
        log.warning("review: %s", message)
        self.set_status(self.tr("失败：{error}").format(error=message))

    def _on_exported(self, path: str) -> None:
        self.set_status(self.tr("已导出 {path}").format(path=path))
        self.sig_exported.emit(path)

    def _on_export_requested(self, kind: str, path: str) -> None:
        (self.export_pdf if kind == "pdf" else self.export_xlsx)(path)
