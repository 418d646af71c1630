"""The quarter's report as plain data, and its XLSX workbook (openpyxl; no Qt).

:func:`build_report` evaluates a quarter (:mod:`cockpit.datasets.evaluation`) and gathers
what the report shows: the ranking with its movement, the five-colour grid, the comparison
with another quarter, the top and bottom five per board, the closed-loop board, every KPI's
score and the method note. :func:`write_xlsx` writes it as a workbook with one sheet per view;
the PDF of the same report is drawn with Qt's PDF writer in ``cockpit.printing.quarter_pdf``.

Spreadsheet safety: every text cell that comes from the data goes through :func:`safe_text`,
which neutralises text beginning with ``=``, ``+``, ``-``, ``@`` (and tab or carriage return)
by prefixing a single quote, so that no spreadsheet ever runs a unit name as a formula; such
cells are also written with the string type explicitly.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd
from cockpit.datasets import evaluation as E
from cockpit.datasets.i18n import QT_TRANSLATE_NOOP, Text

__all__ = ["Report", "build_report", "write_xlsx", "safe_text", "method_note", "change_text",
           "MODE_LABELS", "SHEETS", "headline", "bottom_units", "read_orders"]

MODE_LABELS = {"absolute": QT_TRANSLATE_NOOP("vocabulary", "按分数段（绝对阈值）"),
               "quintile": QT_TRANSLATE_NOOP("vocabulary", "按名次五等分（晾晒）")}
#: The workbook's sheets, in order.
SHEETS = (QT_TRANSLATE_NOOP("vocabulary", "说明"), QT_TRANSLATE_NOOP("vocabulary", "排名"),
          QT_TRANSLATE_NOOP("vocabulary", "五色图"), QT_TRANSLATE_NOOP("vocabulary", "两季度对比"),
          QT_TRANSLATE_NOOP("vocabulary", "前五后五"), QT_TRANSLATE_NOOP("vocabulary", "闭环处置"),
          QT_TRANSLATE_NOOP("vocabulary", "指标得分"),
          QT_TRANSLATE_NOOP("vocabulary", "后五名失分指标"))
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_LEVEL_NAMES = {"district": QT_TRANSLATE_NOOP("vocabulary", "区县"),
                "street": QT_TRANSLATE_NOOP("vocabulary", "镇街"),
                "community": QT_TRANSLATE_NOOP("vocabulary", "村社"),
                "grid": QT_TRANSLATE_NOOP("vocabulary", "网格")}


@dataclass
class Report:
    """Everything a quarter's report shows, as plain values."""

    title: str
    top_name: str
    unit_label: str  # 区县 / 镇街 …
    period: str
    mode: str
    generated_at: datetime
    dataset_title: str
    synthetic: bool
    evaluation: E.QuarterEvaluation
    compare_with: str | None
    comparison: pd.DataFrame | None  # evaluation.compare(other, this)
    extremes: dict[str, dict[str, list[tuple]]]
    kpi_detail: pd.DataFrame | None
    method: list[str] = field(default_factory=list)
    # the cover's headline (:func:`headline`)
    headline: dict = field(default_factory=dict)
    # the bottom five with the KPIs that explain each (:func:`bottom_units`)
    bottom: list[dict] = field(default_factory=list)
    # why the closed-loop board lacks the dispatch records (None: it has them, or the
    #: caller passed none on purpose)
    orders_note: str | None = None

    @property
    def palette(self) -> list[dict]:
        return self.evaluation.scheme

    @property
    def mode_label(self) -> str:
        return MODE_LABELS.get(self.mode, self.mode)

    def level(self, unit_code: str, column: str) -> dict:
        """The cell's palette entry in the report's mode (with score, status, rank)."""
        return self.evaluation.cell(unit_code, column, self.mode)

    def legend(self) -> list[dict]:
        """The colours with their meaning in the report's mode, then missing and
        insufficient."""
        out = []
        pal = sorted(self.palette, key=lambda p: p["level"])
        k = len(pal)
        for i, p in enumerate(pal):
            if self.mode == "quintile":
                note = Text(QT_TRANSLATE_NOOP("vocabulary", "名次第 {i}/{k} 段"), i=i + 1, k=k)
            elif i == k - 1 and k > 1:
                note = Text(QT_TRANSLATE_NOOP("vocabulary", "<{score:g} 分"),
                            score=pal[i - 1]["min_score"])
            else:
                note = Text(QT_TRANSLATE_NOOP("vocabulary", "≥{score:g} 分"), score=p["min_score"])
            out.append({**p, "note": note})
        out.append({**E.NO_DATA, "note": QT_TRANSLATE_NOOP("vocabulary", "缺失，不计为 0")})
        out.append({**E.INSUFFICIENT,
                    "note": Text(QT_TRANSLATE_NOOP("vocabulary", "闭环处置派单少于 {n} 件"),
                                                 n=self.evaluation.config.min_sample)})
        return out


def safe_text(value: object) -> str:
    """Text for a spreadsheet cell that no spreadsheet runs as a formula."""
    s = "" if value is None else str(value)
    return "'" + s if s.startswith(_FORMULA_START) else s


def change_text(change: int | None) -> str:
    """A rank change as ↑3, ↓1, — (same rank) or 新 (not ranked before)."""
    if change is None or (isinstance(change, float) and math.isnan(change)):
        return QT_TRANSLATE_NOOP("vocabulary", "新")
    change = int(change)
    return f"↑{change}" if change > 0 else (f"↓{-change}" if change < 0 else "—")


def method_note(cfg: E.EvalConfig, mode: str, closed_loop_source: str) -> list[str]:
    """The method in a few sentences, for the report's last page and the workbook."""
    weights = (QT_TRANSLATE_NOOP("vocabulary", "各板块等权") if not cfg.board_weights else
               Text(QT_TRANSLATE_NOOP("vocabulary", "板块权重：{weights}"),
                    weights="、".join(f"{b} {w:g}" for b, w in cfg.board_weights.items())))
    cl = (Text(QT_TRANSLATE_NOOP(
        "vocabulary", "闭环处置板块取自派遣记录：签收、核实（应急流程）、核查、处置各环节的按时率"
        "与结案率的平均 × 100；当季派单少于 {n} 件为“样本不足”，不评色、不排名。"),
               n=cfg.min_sample)
          if closed_loop_source == "dispatch" else
          QT_TRANSLATE_NOOP(
              "vocabulary",
              "闭环处置板块：本报告未接入派遣记录，只有事件历史（事件量与各环节时限），"
              "事件历史不含完成时间，按时率、结案率与超时数无法计算，显示为“无数据”，不计入总分。"))
    return [
        Text(QT_TRANSLATE_NOOP(
            "vocabulary",
            "指标得分（0–100）：按目标值与指标方向计算相对差距 g（越高越好：(值−目标)/|目标|；"
            "越低越好：(目标−值)/|目标|）。达标得 {on_target:g} 分；"
            "优于目标 {full_gap:.0%} 得 100 分（封顶）；差于目标 {zero_gap:.0%} 得 0 分（保底），"
            "其间线性。封顶与保底即异常值处理："
            "任何单项指标的贡献都不超过 100、不低于 0。"),
            on_target=cfg.on_target, full_gap=cfg.full_gap, zero_gap=cfg.zero_gap),
        Text(QT_TRANSLATE_NOOP(
            "vocabulary",
            "板块得分：该板块有数值的指标按权重加权平均；有数值指标的权重不足板块总权重的 "
            "{coverage:.0%} 时，板块记为“无数据”。缺失值不计为 0。"), coverage=cfg.min_coverage),
        Text(QT_TRANSLATE_NOOP(
            "vocabulary",
            "总分：各板块得分的加权平均（{weights}），闭环处置板块权重 {cl_weight:g}；"
            "有得分的指标板块权重不足 {coverage:.0%} 时总分为“无数据”。"),
            weights=weights, cl_weight=cfg.closed_loop_weight, coverage=cfg.min_coverage),
        QT_TRANSLATE_NOOP(
            "vocabulary", "名次：按保留一位小数后的得分从高到低；得分相同者名次相同（1、2、2、4），"
            "列表中按单位代码排列。名次变化 = 上季度名次 − 本季度名次（↑ 上升，↓ 下降，— 不变，"
            "新 上季度未排名）。"),
        QT_TRANSLATE_NOOP("vocabulary", "五色：按分数段——达到某一等级的最低分即为该等级。"
                          "两种方式均可选择。") if mode == "absolute" else
        QT_TRANSLATE_NOOP("vocabulary",
                          "五色：按名次五等分（晾晒）——n 个有得分的单位中第 r 名的等级为"
                          " ⌊(r−1)·5/n⌋+1，同分者同段。两种方式均可选择。"),
        cl,
    ]


def _manifest(con: duckdb.DuckDBPyConnection) -> dict:
    try:
        return {k: json.loads(v) for k, v in
                con.execute("SELECT key, value FROM _manifest").fetchall()}
    except (duckdb.Error, ValueError):
        return {}


def dataset_name(con: duckdb.DuckDBPyConnection, manifest: dict | None = None) -> str:
    """The dataset's name for a report: the manifest's title, else the name of the directory
    the catalog was built from (a user's dataset often has no dataset.json)."""
    man = _manifest(con) if manifest is None else manifest
    title = str(man.get("title") or "").strip()
    if title:
        return title
    try:
        row = con.execute("SELECT value FROM _catalog_meta WHERE key = 'data_dir'").fetchone()
    except duckdb.Error:
        row = None
    return Path(str(row[0])).name if row and row[0] else ""


def headline(ev: E.QuarterEvaluation, mode: str, movers: int = 3) -> dict:
    """The quarter in one look: best and worst unit, the biggest movers up and down (by
    rank), how many units have each colour. Units as ``(name, rank, total, change)``."""
    r = ev.ranking[ev.ranking["total"].notna()]

    def unit(row) -> dict:
        return {"code": row.unit_code, "name": row.unit_name, "rank": _int(row.rank),
                "total": _num(row.total), "rank_change": _int(row.rank_change),
                "score_change": _num(row.score_change)}

    rows = list(r.itertuples(index=False))
    moved = [x for x in rows if _int(x.rank_change)]
    up = sorted((x for x in moved if _int(x.rank_change) > 0),
                key=lambda x: (-_int(x.rank_change), _int(x.rank)))[:movers]
    down = sorted((x for x in moved if _int(x.rank_change) < 0),
                  key=lambda x: (_int(x.rank_change), _int(x.rank)))[:movers]
    counts = ev.ranking[f"level_{mode}"].value_counts(dropna=True)
    levels = [{"level": p["level"], "label": p["label"], "colour": p["colour"],
               "text": p["text"], "count": int(counts.get(p["level"], 0))}
              for p in sorted(ev.scheme, key=lambda p: p["level"])]
    return {"best": unit(rows[0]) if rows else None, "worst": unit(rows[-1]) if rows else None,
            "up": [unit(x) for x in up], "down": [unit(x) for x in down], "levels": levels,
            "ranked": len(rows), "missing": int(ev.ranking["total"].isna().sum())}


def bottom_units(con: duckdb.DuckDBPyConnection, ev: E.QuarterEvaluation, mode: str,
                 n: int = 5, kpis: int = 5) -> list[dict]:
    """The ``n`` lowest totals (worst first), each with its weakest boards and the ``kpis``
    KPIs that cost it the most points (weight share within the board × (100 − score))."""
    r = ev.ranking[ev.ranking["total"].notna()]
    out = []
    for row in list(r.itertuples(index=False))[::-1][:n]:
        boards = []
        for b in ev.boards:
            c = ev.cell(row.unit_code, b, mode)
            if c["score"] is not None:
                boards.append({"board": b, "score": c["score"], "colour": c["colour"],
                               "text": c["text"], "label": c["label"]})
        boards.sort(key=lambda x: x["score"])
        df = E.kpi_table(con, ev.period, row.unit_code, ev.config)
        w = df["weight"].where(df["score"].notna())
        share = w / w.groupby(df["board"]).transform("sum")
        df = df.assign(points_lost=share * (100 - df["score"]))
        df = df[df["points_lost"].notna()].sort_values(
            ["points_lost", "kpi_id"], ascending=[False, True]).head(kpis)
        out.append({
            "code": row.unit_code, "name": row.unit_name, "rank": _int(row.rank),
            "total": _num(row.total), "rank_change": _int(row.rank_change),
            "cell": ev.cell(row.unit_code, E.TOTAL, mode), "weakest": boards[:2],
            "kpis": [{"name": k.name, "board": k.board, "unit": k.unit or "",
                      "direction": k.direction, "value": _num(k.value),
                      "target": _num(k.target), "score": _num(k.score),
                      "points_lost": _num(k.points_lost)} for k in df.itertuples(index=False)]})
    return out


def read_orders(location: Path | str | None) -> tuple[pd.DataFrame | None, str | None]:
    """The dispatch orders for the closed-loop board, read without writing: ``(orders,
    None)``; ``(None, why)`` when there is no store or it cannot be read.

    A DuckDB store held by a running cockpit cannot be opened by another process, not even
    read-only: then its file (and write-ahead log) is copied aside and the copy is read —
    the orders as of the last write the cockpit made. When even that fails, the reason says
    so plainly; the report then states it instead of a silent column of 无数据."""
    import shutil
    import tempfile

    from cockpit.datasets.dispatch import DispatchError, StoreLocked, open_store

    if location is None:
        return None, Text(QT_TRANSLATE_NOOP("vocabulary", "未指定派遣库"))
    if not str(location).startswith(("postgresql://", "postgres://")):
        path = Path(location).expanduser()
        if not path.exists():
            return None, Text(QT_TRANSLATE_NOOP(
                "vocabulary", "派遣库 {path} 不存在（尚无派遣记录）"), path=path)
    try:
        store = open_store(location, read_only=True)
    except StoreLocked as exc:
        try:
            with tempfile.TemporaryDirectory(prefix="cockpit-orders-") as tmp:
                copy = Path(tmp) / path.name
                shutil.copy2(path, copy)
                wal = path.with_name(path.name + ".wal")
                if wal.exists():
                    shutil.copy2(wal, copy.with_name(copy.name + ".wal"))
                # the key file beside the store (the store signs its head) travels too
                for extra in path.parent.glob(path.name + ".*"):
                    if extra.is_file() and not extra.name.endswith(".wal"):
                        shutil.copy2(extra, Path(tmp) / extra.name)
                snap = open_store(copy, read_only=True)
                try:
                    return snap.orders(), Text(QT_TRANSLATE_NOOP(
                        "vocabulary",
                        "派遣库正被运行中的驾驶舱占用（{who}）：读取的是它此刻的副本"),
                        who=exc.holder or exc.pid or "?")
                finally:
                    snap.close()
        except (OSError, DispatchError, duckdb.Error) as exc2:
            return None, Text(QT_TRANSLATE_NOOP(
                "vocabulary", "派遣库正被另一程序占用，无法读取（{error}）；闭环处置改用事件历史，"
                "按时率与结案率缺失"), error=f"{exc.holder or exc.pid or '?'}; {exc2}")
    except (OSError, DispatchError, duckdb.Error) as exc:
        return None, Text(QT_TRANSLATE_NOOP(
            "vocabulary", "派遣库无法读取（{error}）；闭环处置改用事件历史，按时率与结案率缺失"),
            error=exc)
    try:
        return store.orders(), None
    finally:
        store.close()


def build_report(con: duckdb.DuckDBPyConnection, period: str | None = None,
                 mode: str = "absolute", orders: pd.DataFrame | None = None,
                 compare_with: str | None = None, kpi_detail: bool = True,
                 as_of: datetime | None = None, orders_note: str | None = None) -> Report:
    """Evaluate ``period`` (default: the latest quarter) and gather the report.

    ``compare_with``: the quarter to compare with (default: the quarter before);
    ``orders_note``: why ``orders`` is missing (or a copy), printed with the closed loop.
    Raises ValueError for an unknown mode or a quarter without KPI values.
    """
    if mode not in E.MODES:
        raise ValueError(f"unknown mode {mode!r}: expected one of {', '.join(E.MODES)}")
    ps = E.periods(con)
    if period is not None and period not in ps:
        raise ValueError(f"no KPI values for {period}; quarters with values: "
                         f"{', '.join(ps) or 'none'}")
    ev = E.evaluate_quarter(con, period, orders, as_of=as_of)
    if ev.period is None:
        raise ValueError("the dataset has no KPI values")
    other = compare_with if compare_with is not None else ev.previous
    comparison = None
    if other and other in ps and other != ev.period:
        comparison = E.compare(E.evaluate_quarter(con, other, orders, as_of=as_of), ev)
    detail = None
    if kpi_detail:
        k = E.kpi_scores(con, [ev.period])
        names = dict(zip(ev.scores["unit_code"], ev.scores["unit_name"]))
        k["unit_name"] = k["unit_code"].map(names)
        order = {u: i for i, u in enumerate(ev.ranking["unit_code"])}
        k["_o"] = k["unit_code"].map(order)
        detail = k.sort_values(["_o", "kpi_id"])[[
            "unit_code", "unit_name", "kpi_id", "name", "board", "runway", "unit",
            "direction", "weight", "target", "value", "score"]].reset_index(drop=True)
    man = _manifest(con)
    top = con.execute("SELECT name FROM admin_unit WHERE parent_code IS NULL LIMIT 1").fetchall()
    top_name = str(top[0][0]) if top else ""
    level = E.ranked_units(con)["level"]
    unit_label = _LEVEL_NAMES.get(str(level.mode().iloc[0]) if len(level) else "",
                                  QT_TRANSLATE_NOOP("vocabulary", "单位"))
    source = str(ev.closed_loop["source"].iloc[0]) if len(ev.closed_loop) else "events"
    return Report(
        title=Text(QT_TRANSLATE_NOOP("vocabulary", "{top}城市运行 · 五色图与季度晾晒报告"),
                   top=top_name),
        top_name=top_name, unit_label=unit_label, period=ev.period, mode=mode,
        generated_at=datetime.now().replace(microsecond=0),
        dataset_title=dataset_name(con, man), synthetic=bool(man.get("synthetic", False)),
        evaluation=ev, compare_with=other if comparison is not None else None,
        comparison=comparison, extremes=E.top_bottom(ev, 5), kpi_detail=detail,
        method=method_note(ev.config, mode, source), headline=headline(ev, mode),
        bottom=bottom_units(con, ev, mode), orders_note=orders_note)


# --------------------------------------------------------------------------- XLSX


# the engine's own converters: NaN and unparseable values become None
_num = E._float
_int = E._int


def write_xlsx(report: Report, path: Path | str,
               tr: Callable[[str], str] = lambda text: text) -> Path:
    """Write the report as a workbook, one sheet per view (:data:`SHEETS`). ``tr`` puts the
    report's words in another language (the widgets' ``tr_word``); default: Chinese."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook(write_only=True)
    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="1F3A66")
    head_font = Font(bold=True, color="FFFFFF")

    def cell(ws, value, fill: str | None = None, text: str | None = None,
             fmt: str | None = None, font: Font | None = None) -> WriteOnlyCell:
        if isinstance(value, str):
            c = WriteOnlyCell(ws, value=safe_text(value))
            c.data_type = "s"
        else:
            c = WriteOnlyCell(ws, value=value)
        if fill:
            c.fill = PatternFill("solid", fgColor=fill.lstrip("#").upper())
            c.font = Font(color=(text or "#000000").lstrip("#").upper(), bold=True)
            c.alignment = Alignment(horizontal="center")
        if font is not None:
            c.font = font
        if fmt:
            c.number_format = fmt
        return c

    def sheet(name: str, header: list[str], widths: list[int], freeze: str = "A2"):
        ws = wb.create_sheet(name)
        ws.freeze_panes = freeze
        for i, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = w
        heads = []
        for h in header:
            c = cell(ws, tr(h), font=head_font)
            c.fill = head_fill
            heads.append(c)
        ws.append(heads)
        return ws

    ev = report.evaluation
    names = dict(zip(ev.scores["unit_code"], ev.scores["unit_name"]))

    def level_cell(ws, unit: str, column: str, fmt: str = "0.0"):
        info = report.level(unit, column)
        if info["score"] is None:
            return cell(ws, tr(info["label"]), fill=info["colour"], text=info["text"])
        return cell(ws, info["score"], fill=info["colour"], text=info["text"], fmt=fmt)

    # 说明
    ws = wb.create_sheet(tr(SHEETS[0]))
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 110
    ws.append([cell(ws, tr(report.title), font=Font(bold=True, size=14))])
    for k, v in ((QT_TRANSLATE_NOOP("vocabulary", "季度"), report.period),
                 (QT_TRANSLATE_NOOP("vocabulary", "对比季度"), report.compare_with or "—"),
                 (QT_TRANSLATE_NOOP("vocabulary", "五色方式"), report.mode_label),
                 (QT_TRANSLATE_NOOP("vocabulary", "数据集"), report.dataset_title),
                 (QT_TRANSLATE_NOOP("vocabulary", "生成时间"),
                  report.generated_at.strftime("%Y-%m-%d %H:%M")),
                 (QT_TRANSLATE_NOOP("vocabulary", "排名单位"),
                  tr(Text(QT_TRANSLATE_NOOP("vocabulary", "{n} 个{unit}"),
                                  n=len(ev.ranking), unit=report.unit_label)))):
        ws.append([cell(ws, tr(k), font=bold), cell(ws, tr(v))])
    if report.synthetic:
        ws.append([cell(ws, tr(QT_TRANSLATE_NOOP("vocabulary", "演示数据")),
                        font=Font(bold=True, color="B26A00")),
                   cell(ws, tr(QT_TRANSLATE_NOOP(
                       "vocabulary", "DEMO DATA：运营数据为虚构，行政区划为真实地理信息。")))])
    ws.append([])
    ws.append([cell(ws, tr(QT_TRANSLATE_NOOP("vocabulary", "图例")), font=bold)])
    for item in report.legend():
        ws.append([cell(ws, tr(item["label"]), fill=item["colour"], text=item["text"]),
                   cell(ws, tr(item["note"]))])
    ws.append([])
    ws.append([cell(ws, tr(QT_TRANSLATE_NOOP("vocabulary", "方法说明")), font=bold)])
    for para in report.method:
        ws.append([None, cell(ws, tr(para))])

    # 排名
    ws = sheet(tr(SHEETS[1]),
               [QT_TRANSLATE_NOOP("vocabulary", "名次"), QT_TRANSLATE_NOOP("vocabulary", "变化"),
                QT_TRANSLATE_NOOP("vocabulary", "名次变化"),
                QT_TRANSLATE_NOOP("vocabulary", "单位代码"),
                QT_TRANSLATE_NOOP("vocabulary", "单位"), QT_TRANSLATE_NOOP("vocabulary", "总分"),
                QT_TRANSLATE_NOOP("vocabulary", "上季度名次"),
                QT_TRANSLATE_NOOP("vocabulary", "上季度总分"),
                QT_TRANSLATE_NOOP("vocabulary", "分数变化"),
                QT_TRANSLATE_NOOP("vocabulary", "等级")],
               [8, 8, 10, 12, 22, 10, 12, 12, 10, 10])
    lv_col = f"level_{report.mode}"
    for r in ev.ranking.itertuples(index=False):
        rank, prev_rank = _int(r.rank), _int(r.prev_rank)
        change = _int(r.rank_change)
        info = ev.level_info(_int(getattr(r, lv_col)), r.status)
        ws.append([rank, cell(ws, tr(change_text(change)) if rank is not None else "—"), change,
                   cell(ws, r.unit_code), cell(ws, r.unit_name),
                   level_cell(ws, r.unit_code, E.TOTAL), prev_rank,
                   cell(ws, _num(r.prev_total), fmt="0.0"),
                   cell(ws, _num(r.score_change), fmt="+0.0;-0.0;0.0"),
                   cell(ws, tr(info["label"]), fill=info["colour"], text=info["text"])])

    # 五色图
    cols = ev.columns
    ws = sheet(tr(SHEETS[2]),
               [QT_TRANSLATE_NOOP("vocabulary", "名次"),
                QT_TRANSLATE_NOOP("vocabulary", "单位代码"),
                QT_TRANSLATE_NOOP("vocabulary", "单位"), tr(E.TOTAL), *map(tr, ev.boards)],
               [8, 12, 22] + [12] * len(cols), freeze="D2")
    for r in ev.ranking.itertuples(index=False):
        ws.append([_int(r.rank), cell(ws, r.unit_code), cell(ws, r.unit_name),
                   level_cell(ws, r.unit_code, E.TOTAL)]
                  + [level_cell(ws, r.unit_code, b) for b in ev.boards])

    # 两季度对比
    if report.comparison is not None:
        a, b = report.compare_with, report.period
        rank_h, total_h = tr(QT_TRANSLATE_NOOP("vocabulary", "{period} 名次")), \
            tr(QT_TRANSLATE_NOOP("vocabulary", "{period} 总分"))
        ws = sheet(tr(SHEETS[3]),
                   [QT_TRANSLATE_NOOP("vocabulary", "单位代码"),
                    QT_TRANSLATE_NOOP("vocabulary", "单位"), rank_h.format(period=a),
                    total_h.format(period=a), rank_h.format(period=b), total_h.format(period=b),
                    QT_TRANSLATE_NOOP("vocabulary", "名次变化"),
                    QT_TRANSLATE_NOOP("vocabulary", "分数变化")],
                   [12, 22, 12, 12, 12, 12, 10, 10])
        for r in report.comparison.itertuples(index=False):
            ws.append([cell(ws, r.unit_code), cell(ws, r.unit_name), _int(r.rank_a),
                       cell(ws, _num(r.total_a), fmt="0.0"), _int(r.rank_b),
                       cell(ws, _num(r.total_b), fmt="0.0"), _int(r.rank_change),
                       cell(ws, _num(r.score_change), fmt="+0.0;-0.0;0.0")])
    else:
        ws = sheet(tr(SHEETS[3]), [QT_TRANSLATE_NOOP("vocabulary", "说明")], [60])
        ws.append([cell(ws, tr(QT_TRANSLATE_NOOP("vocabulary", "没有可对比的季度")))])

    # 前五后五
    ws = sheet(tr(SHEETS[4]),
               [QT_TRANSLATE_NOOP("vocabulary", "板块"), QT_TRANSLATE_NOOP("vocabulary", "类别"),
                QT_TRANSLATE_NOOP("vocabulary", "位次"), QT_TRANSLATE_NOOP("vocabulary", "名次"),
                QT_TRANSLATE_NOOP("vocabulary", "单位代码"),
                QT_TRANSLATE_NOOP("vocabulary", "单位"), QT_TRANSLATE_NOOP("vocabulary", "得分")],
               [14, 8, 6, 6, 12, 22, 10])
    for column in [E.TOTAL, *ev.boards]:
        tb = report.extremes.get(column, {"top": [], "bottom": []})
        for kind, label in (("top", QT_TRANSLATE_NOOP("vocabulary", "前五")),
                            ("bottom", QT_TRANSLATE_NOOP("vocabulary", "后五"))):
            for i, (rank, code, name, _score) in enumerate(tb[kind], start=1):
                ws.append([cell(ws, tr(column)), cell(ws, tr(label)), i, rank, cell(ws, code),
                           cell(ws, name), level_cell(ws, code, column)])

    # 闭环处置
    ws = sheet(tr(SHEETS[5]),
               [QT_TRANSLATE_NOOP("vocabulary", "单位代码"),
                QT_TRANSLATE_NOOP("vocabulary", "单位"), QT_TRANSLATE_NOOP("vocabulary", "样本量"),
                QT_TRANSLATE_NOOP("vocabulary", "签收按时率"),
                QT_TRANSLATE_NOOP("vocabulary", "核实按时率"),
                QT_TRANSLATE_NOOP("vocabulary", "核查按时率"),
                QT_TRANSLATE_NOOP("vocabulary", "处置按时率"),
                QT_TRANSLATE_NOOP("vocabulary", "结案率"), QT_TRANSLATE_NOOP("vocabulary", "超时"),
                QT_TRANSLATE_NOOP("vocabulary", "得分"), QT_TRANSLATE_NOOP("vocabulary", "状态"),
                QT_TRANSLATE_NOOP("vocabulary", "来源")],
               [12, 22, 8, 11, 11, 11, 11, 9, 7, 9, 10, 10])
    status_text = {"ok": QT_TRANSLATE_NOOP("vocabulary", "正常"),
                   "insufficient": QT_TRANSLATE_NOOP("vocabulary", "样本不足"),
                   "nodata": QT_TRANSLATE_NOOP("vocabulary", "无数据")}
    for r in ev.closed_loop.itertuples(index=False):
        ws.append([cell(ws, r.unit_code), cell(ws, names.get(r.unit_code, r.unit_code)), int(r.n)]
                  + [cell(ws, _num(getattr(r, c)), fmt="0.0%") for c in
                     ("react_on_time", "confirm_on_time", "verify_on_time",
                      "handle_on_time", "closure_rate")]
                  + [_int(r.overdue), level_cell(ws, r.unit_code, E.CLOSED_LOOP),
                     cell(ws, tr(status_text.get(r.status, r.status))),
                     cell(ws, tr(QT_TRANSLATE_NOOP("vocabulary", "派遣记录")
                                 if r.source == "dispatch"
                                 else QT_TRANSLATE_NOOP("vocabulary", "事件历史")))])

    # 指标得分
    ws = sheet(tr(SHEETS[6]),
               [QT_TRANSLATE_NOOP("vocabulary", "单位代码"),
                QT_TRANSLATE_NOOP("vocabulary", "单位"),
                QT_TRANSLATE_NOOP("vocabulary", "指标代码"),
                QT_TRANSLATE_NOOP("vocabulary", "指标"), QT_TRANSLATE_NOOP("vocabulary", "板块"),
                QT_TRANSLATE_NOOP("vocabulary", "跑道"),
                QT_TRANSLATE_NOOP("vocabulary", "计量单位"),
                QT_TRANSLATE_NOOP("vocabulary", "方向"), QT_TRANSLATE_NOOP("vocabulary", "权重"),
                QT_TRANSLATE_NOOP("vocabulary", "目标"), QT_TRANSLATE_NOOP("vocabulary", "数值"),
                QT_TRANSLATE_NOOP("vocabulary", "得分")],
               [12, 18, 12, 30, 12, 18, 9, 8, 8, 10, 10, 8])
    if report.kpi_detail is not None:
        higher = tr(QT_TRANSLATE_NOOP("vocabulary", "越高越好"))
        lower = tr(QT_TRANSLATE_NOOP("vocabulary", "越低越好"))
        d = report.kpi_detail
        for row in zip(d["unit_code"], d["unit_name"], d["kpi_id"], d["name"], d["board"],
                       d["runway"], d["unit"], d["direction"], d["weight"], d["target"],
                       d["value"], d["score"]):
            u, un, k, n, b, rw, unit, direction, w, t, v, s = row
            ws.append([safe_text(u), safe_text(un), safe_text(k), safe_text(n), safe_text(b),
                       safe_text(rw), safe_text(unit), higher if direction == "higher"
                       else lower, _num(w), _num(t), _num(v),
                       None if _num(s) is None else round(float(s), 1)])
    # 后五名失分指标: the bottom five and the KPIs that cost them most points
    ws = sheet(tr(SHEETS[7]),
               [QT_TRANSLATE_NOOP("vocabulary", "名次"),
                QT_TRANSLATE_NOOP("vocabulary", "单位代码"),
                QT_TRANSLATE_NOOP("vocabulary", "单位"), QT_TRANSLATE_NOOP("vocabulary", "总分"),
                QT_TRANSLATE_NOOP("vocabulary", "指标"), QT_TRANSLATE_NOOP("vocabulary", "板块"),
                QT_TRANSLATE_NOOP("vocabulary", "计量单位"),
                QT_TRANSLATE_NOOP("vocabulary", "数值"), QT_TRANSLATE_NOOP("vocabulary", "目标"),
                QT_TRANSLATE_NOOP("vocabulary", "得分"), QT_TRANSLATE_NOOP("vocabulary", "失分")],
               [6, 12, 22, 8, 30, 12, 9, 10, 10, 8, 8])
    for u in report.bottom:
        for k in u["kpis"]:
            ws.append([u["rank"], cell(ws, u["code"]), cell(ws, u["name"]),
                       level_cell(ws, u["code"], E.TOTAL), cell(ws, k["name"]),
                       cell(ws, tr(k["board"])), cell(ws, k["unit"]),
                       cell(ws, k["value"], fmt="0.00"), cell(ws, k["target"], fmt="0.00"),
                       cell(ws, k["score"], fmt="0.0"), cell(ws, k["points_lost"], fmt="0.00")])
    tmp = path.with_name(path.name + ".part")
    wb.save(tmp)
    tmp.replace(path)
    return path
