"""The quarter's report as a PDF, drawn with Qt's own PDF writer (QPdfWriter + QTextDocument).

Pages: a title page (quarter, dataset, the demo-data notice, the five levels and how many
units fall in each), the ranking with its movement, the five-colour grid, the top and bottom
five of every board, the closed-loop board, and the method note. Text is real text in the
app's CJK font (embedded by Qt), so the PDF can be searched and its text extracted. Needs a
QGuiApplication (``cockpit report`` makes an offscreen one).
"""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QMarginsF, QSizeF
from PySide6.QtGui import (
    QFont,
    QFontDatabase,
    QPageLayout,
    QPageSize,
    QPdfWriter,
    QTextDocument,
)

from cockpit.datasets import evaluation as E
from cockpit.datasets.report import Report, change_text
from cockpit.widgets import theme
from cockpit.widgets.words import EVALUATION, tr_word

__all__ = ["write_pdf", "report_html", "cjk_family"]

_INK = "#111111"
_DIM = "#555555"
_RULE = "#c8ced8"
translate = QCoreApplication.translate


def cjk_family() -> str:
    """The app's CJK font family (the first of theme.CJK_FONTS installed)."""
    families = set(QFontDatabase.families())
    return next((f for f in theme.CJK_FONTS if f in families), QFont().defaultFamily())


def _e(x: object) -> str:
    return html.escape("" if x is None else str(x))


def _score_td(info: dict, bold: bool = True) -> str:
    s = info.get("score")
    text = f"{s:.1f}" if s is not None else tr_word(info["label"], EVALUATION)
    b = ("<b>", "</b>") if bold and s is not None else ("", "")
    return (f"<td align=center bgcolor='{info['colour']}' style='color:{info['text']}'>"
            f"{b[0]}{_e(text)}{b[1]}</td>")


def _num(x) -> str:
    try:
        f = float(x)
    except (TypeError, ValueError):
        return "—"
    return "—" if f != f else f"{f:.1f}"


def _signed(x) -> str:
    try:
        f = float(x)
    except (TypeError, ValueError):
        return "—"
    if f != f:
        return "—"
    return f"+{f:.1f}" if f > 0 else (f"−{-f:.1f}" if f < 0 else "0.0")


def _int(x) -> int | None:
    try:
        f = float(x)
    except (TypeError, ValueError):
        return None
    return None if f != f else int(f)


def report_html(rep: Report) -> str:
    """The report as Qt rich text (HTML subset), one section per page."""
    ev = rep.evaluation
    out: list[str] = []
    table = (f"<table width='100%' cellspacing=0 cellpadding=3 border=1 "
             f"style='border-color:{_RULE}; border-collapse:collapse'>")
    th = "<th bgcolor='#1f3a66' style='color:#ffffff'>{}</th>"

    # --- title page
    counts = ev.ranking[f"level_{rep.mode}"].value_counts(dropna=True)
    out.append("<div align=center><br><br><br>")
    unit_label = tr_word(rep.unit_label)
    unit_head = unit_label[:1].upper() + unit_label[1:]  # "districts" heads a column
    out.append(f"<p style='font-size:26pt'><b>{_e(tr_word(rep.title))}</b></p>")
    out.append("<p style='font-size:20pt'>"
               + _e(translate("report_pdf", "{period} 季度").format(period=rep.period)) + "</p>")
    out.append(f"<p style='font-size:12pt; color:{_DIM}'>" + _e(translate("report_pdf", "五色方式：{mode} · 对比季度：{compare} · 排名单位：{n} 个{unit}").format(
            mode=tr_word(rep.mode_label), compare=rep.compare_with or "—", n=len(ev.ranking),
            unit=unit_label)) + "</p>")
    out.append(f"<p style='font-size:11pt; color:{_DIM}'>" + _e(translate("report_pdf", "数据集：{dataset} · 生成时间：{at}").format(
            dataset=rep.dataset_title, at=f"{rep.generated_at:%Y-%m-%d %H:%M}")) + "</p>")
    if rep.synthetic:
        out.append("<p><span style='background-color:#ffb020; color:#1a1200; font-size:14pt'>"
                   "<b>&nbsp;" + translate("report_pdf", "演示数据 · DEMO DATA") + "&nbsp;</b></span></p>"
                   f"<p style='font-size:10pt; color:{_DIM}'>"
                   + translate("report_pdf", "运营数据为虚构；行政区划名称、代码与边界为真实地理信息。") + "</p>")
    out.append("<br><table cellspacing=0 cellpadding=6 border=1 align=center "
               f"style='border-color:{_RULE}'><tr>")
    for item in rep.legend():
        n = int(counts.get(item["level"], 0)) if item["level"] is not None else None
        cnt = "<br>" + translate("report_pdf", "{n} 个").format(n=n) if n is not None else ""
        out.append(f"<td align=center bgcolor='{item['colour']}' style='color:{item['text']}'>"
                   f"<b>{_e(tr_word(item['label'], EVALUATION))}</b><br>"
                   f"<small>{_e(tr_word(item['note']))}</small>{cnt}</td>")
    out.append("</tr></table></div>")

    # --- ranking
    out.append("<h2 style='page-break-before:always'>" + _e(translate("report_pdf", "一、{period} 总分排名").format(
        period=rep.period)) + "</h2>")
    out.append(f"<p style='color:{_DIM}'>" + _e(translate("report_pdf", "名次变化对比 {previous}：↑ 上升，↓ 下降，— 不变，新 上季度未排名。").format(
            previous=ev.previous or "—")) + "</p>")
    out.append(table + "<thead><tr>" + "".join(th.format(h) for h in (
        translate("report_pdf", "名次"), translate("report_pdf", "变化"), unit_head, translate("report_pdf", "总分"),
        translate("report_pdf", "上季度"), translate("report_pdf", "分数变化"), translate("report_pdf", "等级"))) + "</tr></thead>")
    lv = f"level_{rep.mode}"
    for r in ev.ranking.itertuples(index=False):
        rank = _int(r.rank)
        info = rep.level(r.unit_code, E.TOTAL)
        level = ev.level_info(_int(getattr(r, lv)), r.status)
        out.append(
            f"<tr><td align=center>{rank if rank is not None else '—'}</td>"
            f"<td align=center>{_e(tr_word(change_text(_int(r.rank_change))) if rank else '—')}</td>"
            f"<td>{_e(r.unit_name)}</td>{_score_td(info)}"
            f"<td align=center>{_num(r.prev_total)}</td>"
            f"<td align=center>{_signed(r.score_change)}</td>"
            f"<td align=center bgcolor='{level['colour']}' style='color:{level['text']}'>"
            f"{_e(tr_word(level['label'], EVALUATION))}</td></tr>")
    out.append("</table>")

    # --- grid
    out.append("<h2 style='page-break-before:always'>" + _e(translate("report_pdf", "二、五色图（{mode}）").format(
        mode=tr_word(rep.mode_label))) + "</h2>")
    out.append(f"<p style='color:{_DIM}'>" + _e(translate("report_pdf", "每格显示得分与等级颜色；灰色“无数据”为缺失（不计为 0），深灰“样本不足”为闭环处置派单过少。"))
        + "</p>")
    cols = ev.columns
    order = [E.TOTAL, *[c for c in cols if c != E.TOTAL]]
    out.append("<table width='100%' cellspacing=0 cellpadding=2 border=1 "
               f"style='border-color:{_RULE}; border-collapse:collapse; font-size:8pt'>"
               "<thead><tr>" + th.format(translate("report_pdf", "名次")) + th.format(unit_head)
               + "".join(th.format(_e(tr_word(c))) for c in order) + "</tr></thead>")
    for r in ev.ranking.itertuples(index=False):
        rank = _int(r.rank)
        out.append(f"<tr><td align=center>{rank if rank is not None else '—'}</td>"
                   f"<td>{_e(r.unit_name)}</td>"
                   + "".join(_score_td(rep.level(r.unit_code, c), c == E.TOTAL)
                             for c in order) + "</tr>")
    out.append("</table>")

    # --- top / bottom per board
    out.append("<h2 style='page-break-before:always'>" + translate("report_pdf", "三、各板块前五与后五") + "</h2>")
    out.append(table + "<thead><tr>" + th.format(translate("report_pdf", "板块"))
               + th.format(translate("report_pdf", "前五（名次 单位 得分）"))
               + th.format(translate("report_pdf", "后五（名次 单位 得分，最差在前）")) + "</tr></thead>")
    no_data = tr_word("无数据", EVALUATION)
    for c in order:
        tb = rep.extremes.get(c, {"top": [], "bottom": []})

        def lst(entries: list[tuple], column: str = c) -> str:
            if not entries:
                return no_data
            return "<br>".join(
                f"{rank}&nbsp;&nbsp;{_e(name)}&nbsp;&nbsp;<span style='background-color:"
                f"{rep.level(code, column)['colour']}; color:{rep.level(code, column)['text']}'>"
                f"&nbsp;{score:.1f}&nbsp;</span>" for rank, code, name, score in entries)

        out.append(f"<tr><td><b>{_e(tr_word(c))}</b></td><td>{lst(tb['top'])}</td>"
                   f"<td>{lst(tb['bottom'])}</td></tr>")
    out.append("</table>")

    # --- closed loop
    cl = ev.closed_loop
    names = dict(zip(ev.scores["unit_code"], ev.scores["unit_name"]))
    source = (translate("report_pdf", "派遣记录") if len(cl) and cl["source"].iloc[0] == "dispatch"
              else translate("report_pdf", "事件历史（无完成时间）"))
    out.append("<h2 style='page-break-before:always'>" + _e(translate("report_pdf", "四、闭环处置（来源：{source}）")
                                                            .format(source=source)) + "</h2>")
    out.append(table.replace("cellpadding=3", "cellpadding=2") + "<thead><tr>" + "".join(
        th.format(h) for h in (unit_head, translate("report_pdf", "样本量"), translate("report_pdf", "签收按时率"),
                               translate("report_pdf", "核查按时率"), translate("report_pdf", "处置按时率"),
                               translate("report_pdf", "结案率"), translate("report_pdf", "超时"), translate("report_pdf", "得分"))) + "</tr></thead>")

    def pct(x) -> str:
        try:
            f = float(x)
        except (TypeError, ValueError):
            return "—"
        return "—" if f != f else f"{f:.0%}"

    for r in cl.itertuples(index=False):
        out.append(f"<tr><td>{_e(names.get(r.unit_code, r.unit_code))}</td>"
                   f"<td align=right>{int(r.n)}</td><td align=center>{pct(r.react_on_time)}</td>"
                   f"<td align=center>{pct(r.verify_on_time)}</td>"
                   f"<td align=center>{pct(r.handle_on_time)}</td>"
                   f"<td align=center>{pct(r.closure_rate)}</td>"
                   f"<td align=center>{'—' if _int(r.overdue) is None else _int(r.overdue)}</td>"
                   + _score_td(rep.level(r.unit_code, E.CLOSED_LOOP)) + "</tr>")
    out.append("</table>")

    # --- method
    out.append("<h2 style='page-break-before:always'>" + translate("report_pdf", "五、方法说明") + "</h2>")
    for para in rep.method:
        out.append(f"<p>{_e(tr_word(para))}</p>")
    return "\n".join(out)


def write_pdf(rep: Report, path: Path | str) -> Path:
    """Write the report as an A4 landscape PDF."""
    return write_html_pdf(report_html(rep), path, f"{tr_word(rep.title)} {rep.period}",
                          f"body {{ color: {_INK}; }} h2 {{ color: #1f3a66; }} "
                          f"th {{ font-weight: bold; }}")


def write_html_pdf(html_text: str, path: Path | str, title: str,
                   stylesheet: str | None = None) -> Path:
    """HTML as an A4 landscape PDF in the CJK font, with Qt's own writer; written to
    ``<path>.part`` and renamed, so a failure never leaves half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    writer = QPdfWriter(str(tmp))
    writer.setTitle(title)
    writer.setCreator("City Operations Cockpit")
    writer.setResolution(144)
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4),
                                     QPageLayout.Orientation.Landscape,
                                     QMarginsF(12, 12, 12, 12), QPageLayout.Unit.Millimeter))
    doc = QTextDocument()
    font = QFont(cjk_family())
    font.setPointSizeF(9.5)
    # Noto CJK's 'locl' substitutes digits with glyphs that have no Unicode mapping, and Qt
    # then writes them into the PDF's text layer as garbage (2026Q3 -> \x01\x01Q\x05)
    font.setFeature(QFont.Tag("locl"), 0)
    doc.setDefaultFont(font)
    if stylesheet:
        doc.setDefaultStyleSheet(stylesheet)
    doc.setHtml(html_text)
    rect = writer.pageLayout().paintRectPixels(writer.resolution())
    doc.setPageSize(QSizeF(rect.width(), rect.height()))
    doc.print_(writer)
    del writer  # finishes the file
    tmp.replace(path)
    return path
