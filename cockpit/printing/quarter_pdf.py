"""The quarter's report as a PDF, drawn with Qt's own PDF writer (QPdfWriter + QTextDocument).

Pages: a title page (quarter, dataset, the demo-data notice, the five levels and how many
units fall in each), the ranking with its movement, the five-colour grid, the top and bottom
five of every board, the closed-loop board, and the method note. Text is real text in the
PDF font of :mod:`cockpit.printing.fonts` (embedded by Qt), so the PDF can be searched and its
text extracted as the real characters. Needs a
QGuiApplication (``cockpit report`` makes an offscreen one).
"""

from __future__ import annotations

import html
import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QMarginsF, QSizeF, QUrl
from PySide6.QtGui import (
    QFont,
    QFontDatabase,
    QImage,
    QPageLayout,
    QPageSize,
    QPdfWriter,
    QTextDocument,
)

from cockpit.datasets import evaluation as E
from cockpit.datasets.report import Report, change_text
from cockpit.widgets import theme
from cockpit.widgets.words import EVALUATION, tr_word

__all__ = ["write_pdf", "report_html", "report_images", "cjk_family", "pdf_family"]

_INK = "#111111"
_DIM = "#555555"
_RULE = "#c8ced8"
translate = QCoreApplication.translate
log = logging.getLogger(__name__)


def cjk_family() -> str:
    """The app's CJK font family (the first of theme.CJK_FONTS installed)."""
    families = set(QFontDatabase.families())
    return next((f for f in theme.CJK_FONTS if f in families), QFont().defaultFamily())


_PDF_FAMILY: list[str] = []


def pdf_family() -> str:
    """The family the PDFs are written in: Noto Sans CJK SC without its radical aliases
    (:mod:`cockpit.printing.fonts`, so that the text layer holds the real characters),
    registered with Qt once; the app's CJK font when that cannot be made."""
    if not _PDF_FAMILY:
        from cockpit.printing.fonts import pdf_font_file

        family = cjk_family()
        try:
            path = pdf_font_file()
        except (OSError, ValueError, ImportError) as exc:  # a broken font file, no fontTools
            log.warning("PDF font: %s", exc)
            path = None
        if path is not None:
            fid = QFontDatabase.addApplicationFont(str(path))
            fams = QFontDatabase.applicationFontFamilies(fid) if fid >= 0 else []
            family = fams[0] if fams else family
        _PDF_FAMILY.append(family)
    return _PDF_FAMILY[0]


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


def _pct(x) -> str:
    try:
        f = float(x)
    except (TypeError, ValueError):
        return "—"
    return "—" if f != f else f"{f:.0%}"


def _move(change: int | None) -> str:
    """A rank change as a coloured arrow (↑ green, ↓ red)."""
    if change is None:
        return _e(tr_word(change_text(None)))
    colour = "#1e7b34" if change > 0 else "#b3261e" if change < 0 else _DIM
    return f"<span style='color:{colour}'><b>{_e(change_text(change))}</b></span>"


def _unit_line(u: dict | None) -> str:
    if u is None:
        return "—"
    return (f"<b>{_e(u['name'])}</b> "
            + _e(translate("report_pdf", "第 {rank} 名 · {total} 分").format(
        rank=u["rank"], total=_num(u["total"]))) + f" {_move(u['rank_change'])}")


#: Chart images of a report: name (the HTML's ``src``) -> PNG bytes.
Images = dict[str, bytes]
_IMG_W = 1500  # the page's text width at 144 dpi (A4 landscape, 12 mm margins) is ~1540 px


def report_images(rep: Report) -> Images:
    """The report's charts (matplotlib, :mod:`cockpit.printing.charts`): the five-colour
    grid, the ranking with its movement, one per board."""
    from cockpit.printing import charts

    ev = rep.evaluation
    order = [E.TOTAL, *[c for c in ev.columns if c != E.TOTAL]]
    rows, cells = [], []
    for r in ev.ranking.itertuples(index=False):
        rank = _int(r.rank)
        rows.append(f"{rank if rank is not None else '—'}  {r.unit_name}")
        line = []
        for c in order:
            info = rep.level(r.unit_code, c)
            s = info.get("score")
            line.append({"colour": info["colour"], "text": info["text"],
                         "label": f"{s:.1f}" if s is not None else "—"})
        cells.append(line)
    images = {"chart:grid": charts.grid_png(rows, [tr_word(c) for c in order], cells)}
    mean_label = translate("report_pdf", "平均")
    missing = tr_word("无数据", EVALUATION)

    def bar_rows(column: str, with_change: bool) -> list[dict]:
        out = []
        cs = ev.cells[ev.cells["column"] == column]
        score = dict(zip(cs["unit_code"], cs["score"]))
        names = dict(zip(ev.ranking["unit_code"], ev.ranking["unit_name"]))
        change = dict(zip(ev.ranking["unit_code"], ev.ranking["rank_change"]))
        codes = sorted(names, key=lambda u: (-(score.get(u) if score.get(u) == score.get(u)
                                                and score.get(u) is not None else -1), u))
        for u in codes:
            info = rep.level(u, column)
            out.append({"label": names[u], "score": info.get("score"), "colour": info["colour"],
                        "change": _int(change.get(u)) if with_change else None})
        return out

    def mean(rows_: list[dict]) -> float | None:
        vals = [r["score"] for r in rows_ if r["score"] is not None]
        return sum(vals) / len(vals) if vals else None

    rk = bar_rows(E.TOTAL, True)
    images["chart:ranking"] = charts.bars_png(
        rk, translate("report_pdf", "总分与名次变化（↑ 上升 ↓ 下降，对比 {previous}）").format(
            previous=ev.previous or "—"), mean(rk), mean_label, missing_label=missing)
    for i, b in enumerate(ev.boards):
        br = bar_rows(b, False)
        images[f"chart:board{i}"] = charts.bars_png(
            br, tr_word(b), mean(br), mean_label, height_in=5.6, missing_label=missing)
    return images


def _img(name: str, images: Images | None, height_in: float) -> str:
    if images is None or name not in images:
        return ""
    return (f"<p align=center><img src='{name}' width={_IMG_W} "
            f"height={round(height_in / 10.6 * _IMG_W)}></p>")


def report_html(rep: Report, images: Images | None = None) -> str:
    """The report as Qt rich text (HTML subset), one section per page; ``images`` (from
    :func:`report_images`) adds the charts."""
    ev = rep.evaluation
    out: list[str] = []
    table = (f"<table width='100%' cellspacing=0 cellpadding=3 border=1 "
             f"style='border-color:{_RULE}; border-collapse:collapse'>")
    th = "<th bgcolor='#1f3a66' style='color:#ffffff'>{}</th>"
    unit_label = tr_word(rep.unit_label)
    unit_head = unit_label[:1].upper() + unit_label[1:]  # "districts" heads a column
    order = [E.TOTAL, *[c for c in ev.columns if c != E.TOTAL]]
    no_data = tr_word("无数据", EVALUATION)

    # --- cover: title and the quarter's headline
    hl = rep.headline or {}
    out.append("<div align=center><br>")
    out.append(f"<p style='font-size:24pt'><b>{_e(tr_word(rep.title))}</b></p>")
    out.append("<p style='font-size:18pt'>"
               + _e(translate("report_pdf", "{period} 季度").format(period=rep.period)) + "</p>")
    out.append(f"<p style='font-size:11pt; color:{_DIM}'>" + _e(translate(
            "report_pdf", "五色方式：{mode} · 对比季度：{compare} · 排名单位：{n} 个{unit}").format(
            mode=tr_word(rep.mode_label), compare=rep.compare_with or "—", n=len(ev.ranking),
            unit=unit_label)) + "<br>"
            + _e(translate("report_pdf", "数据集：{dataset} · 生成时间：{at}").format(
            dataset=rep.dataset_title, at=f"{rep.generated_at:%Y-%m-%d %H:%M}")) + "</p>")
    if rep.synthetic:
        out.append("<p><span style='background-color:#ffb020; color:#1a1200; font-size:12pt'>"
                   "<b>&nbsp;" + translate("report_pdf", "演示数据 · DEMO DATA")
                   + "&nbsp;</b></span> "
                   f"<span style='font-size:9pt; color:{_DIM}'>"
                   + translate("report_pdf",
                               "运营数据为虚构；行政区划名称、代码与边界为真实地理信息。")
                   + "</span></p>")
    out.append("</div>")
    out.append("<h2>" + _e(translate("report_pdf", "本季要点")) + "</h2>")
    out.append("<table width='100%' cellspacing=0 cellpadding=6 border=1 "
               f"style='border-color:{_RULE}; border-collapse:collapse; font-size:11pt'>")
    out.append("<tr><td width='18%' bgcolor='#eef2f8'><b>" + _e(translate("report_pdf", "最佳"))
               + "</b></td><td>"
               + _unit_line(hl.get("best")) + "</td></tr>")
    out.append("<tr><td bgcolor='#eef2f8'><b>" + _e(translate("report_pdf", "最差"))
               + "</b></td><td>"
               + _unit_line(hl.get("worst")) + "</td></tr>")
    for key, label in (("up", translate("report_pdf", "上升最多")),
                       ("down", translate("report_pdf", "下降最多"))):
        units = hl.get(key) or []
        out.append(f"<tr><td bgcolor='#eef2f8'><b>{_e(label)}</b></td><td>"
                   + ("；".join(_unit_line(u) for u in units) if units
                      else _e(translate("report_pdf", "无"))) + "</td></tr>")
    out.append("</table>")
    out.append("<p>" + _e(translate("report_pdf", "五色分布（{n} 个有总分的单位）：").format(
        n=hl.get("ranked", 0))) + "</p>")
    counts = ev.ranking[f"level_{rep.mode}"].value_counts(dropna=True)
    out.append("<table cellspacing=0 cellpadding=6 border=1 align=center "
               f"style='border-color:{_RULE}'><tr>")
    for item in rep.legend():
        n = int(counts.get(item["level"], 0)) if item["level"] is not None else None
        cnt = ("<br><span style='font-size:14pt'><b>"
               + translate("report_pdf", "{n} 个").format(n=n)
               + "</b></span>" if n is not None else "")
        out.append(f"<td align=center bgcolor='{item['colour']}' style='color:{item['text']}'>"
                   f"<b>{_e(tr_word(item['label'], EVALUATION))}</b><br>"
                   f"<small>{_e(tr_word(item['note']))}</small>{cnt}</td>")
    out.append("</tr></table>")

    # --- 1. the grid as a figure
    out.append("<h2 style='page-break-before:always'>"
               + _e(translate("report_pdf", "一、五色图（{mode}）").format(
        mode=tr_word(rep.mode_label))) + "</h2>")
    out.append(f"<p style='color:{_DIM}'>" + _e(translate(
        "report_pdf", "每格显示得分与等级颜色；灰色“无数据”为缺失（不计为 0），"
        "深灰“样本不足”为闭环处置派单过少。")) + "</p>")
    if images and "chart:grid" in images:
        out.append(_img("chart:grid", images, 6.6))
    else:
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

    # --- 2. ranking: chart, then the table
    out.append("<h2 style='page-break-before:always'>"
               + _e(translate("report_pdf", "二、{period} 总分排名").format(
        period=rep.period)) + "</h2>")
    out.append(_img("chart:ranking", images, 6.4))
    out.append(f"<p style='color:{_DIM}; page-break-before:always'>" + _e(translate(
        "report_pdf", "名次变化对比 {previous}：↑ 上升，↓ 下降，— 不变，新 上季度未排名。").format(
            previous=ev.previous or "—")) + "</p>")
    out.append(table + "<thead><tr>" + "".join(th.format(h) for h in (
        translate("report_pdf", "名次"), translate("report_pdf", "变化"), unit_head,
        translate("report_pdf", "总分"),
        translate("report_pdf", "上季度"), translate("report_pdf", "分数变化"),
        translate("report_pdf", "等级"))) + "</tr></thead>")
    lv = f"level_{rep.mode}"
    for r in ev.ranking.itertuples(index=False):
        rank = _int(r.rank)
        info = rep.level(r.unit_code, E.TOTAL)
        level = ev.level_info(_int(getattr(r, lv)), r.status)
        out.append(
            f"<tr><td align=center>{rank if rank is not None else '—'}</td>"
            "<td align=center>"
            f"{_e(tr_word(change_text(_int(r.rank_change))) if rank else '—')}</td>"
            f"<td>{_e(r.unit_name)}</td>{_score_td(info)}"
            f"<td align=center>{_num(r.prev_total)}</td>"
            f"<td align=center>{_signed(r.score_change)}</td>"
            f"<td align=center bgcolor='{level['colour']}' style='color:{level['text']}'>"
            f"{_e(tr_word(level['label'], EVALUATION))}</td></tr>")
    out.append("</table>")

    # --- 3. the bottom five and the KPIs that explain each
    out.append("<h2 style='page-break-before:always'>"
               + _e(translate("report_pdf", "三、后五名及其失分指标")) + "</h2>")
    out.append(f"<p style='color:{_DIM}'>" + _e(translate(
        "report_pdf", "总分最低的五个单位（最差在前）；每个单位列出得分最低的板块，"
        "以及失分最多的指标（失分 = 指标在板块内的权重占比 × (100 − 得分)）。")) + "</p>")
    higher, lower = translate("report_pdf", "越高越好"), translate("report_pdf", "越低越好")
    for u in rep.bottom:
        cell = u["cell"]
        weak = "、".join(f"{_e(tr_word(b['board']))} {b['score']:.1f}" for b in u["weakest"]) or "—"
        out.append(f"<h3>{u['rank']}&nbsp;&nbsp;{_e(u['name'])}&nbsp;&nbsp;"
                   f"<span style='background-color:{cell['colour']}; color:{cell['text']}'>&nbsp;"
                   f"{_num(u['total'])} {_e(tr_word(cell['label'], EVALUATION))}&nbsp;</span>&nbsp;"
                   f"{_move(u['rank_change'])}</h3>")
        out.append("<p>" + _e(translate("report_pdf", "最弱板块：")) + weak + "</p>")
        out.append(table + "<thead><tr>" + "".join(th.format(h) for h in (
            translate("report_pdf", "指标"), translate("report_pdf", "板块"),
            translate("report_pdf", "方向"),
            translate("report_pdf", "数值"), translate("report_pdf", "目标"),
            translate("report_pdf", "得分"),
            translate("report_pdf", "失分"))) + "</tr></thead>")
        for k in u["kpis"]:
            unit = f" {_e(k['unit'])}" if k["unit"] else ""
            val = "—" if k["value"] is None else f"{k['value']:g}"
            tgt = "—" if k["target"] is None else f"{k['target']:g}"
            out.append(f"<tr><td>{_e(k['name'])}</td><td>{_e(tr_word(k['board']))}</td>"
                       "<td align=center>"
                       f"{_e(higher if k['direction'] == 'higher' else lower)}</td>"
                       f"<td align=right>{val}{unit}</td>"
                       f"<td align=right>{tgt}{unit}</td>"
                       f"<td align=center>{_num(k['score'])}</td>"
                       f"<td align=right>{_num(k['points_lost'])}</td></tr>")
        out.append("</table>")

    # --- 4. a page per board
    for i, b in enumerate(ev.boards):
        if b == E.CLOSED_LOOP:
            continue
        out.append("<h2 style='page-break-before:always'>"
                   + _e(translate("report_pdf", "四、板块 · {board}").format(
            board=tr_word(b))) + "</h2>")
        tb = rep.extremes.get(b, {"top": [], "bottom": []})

        def lst(entries: list[tuple], column: str = b) -> str:
            if not entries:
                return no_data
            return "；".join(
                f"{rank} {_e(name)} "
                f"<span style='background-color:{rep.level(code, column)['colour']};"
                f" color:{rep.level(code, column)['text']}'>&nbsp;{score:.1f}&nbsp;</span>"
                for rank, code, name, score in entries)

        out.append("<p><b>" + _e(translate("report_pdf", "前五：")) + "</b>" + lst(tb["top"])
                   + "<br><b>"
                   + _e(translate("report_pdf", "后五：")) + "</b>" + lst(tb["bottom"]) + "</p>")
        out.append(_img(f"chart:board{i}", images, 5.6))

    # --- 5. closed loop
    cl = ev.closed_loop
    names = dict(zip(ev.scores["unit_code"], ev.scores["unit_name"]))
    source = (translate("report_pdf", "派遣记录") if len(cl) and cl["source"].iloc[0] == "dispatch"
              else translate("report_pdf", "事件历史（无完成时间）"))
    out.append("<h2 style='page-break-before:always'>"
               + _e(translate("report_pdf", "五、闭环处置（来源：{source}）").format(
                   source=source)) + "</h2>")
    if rep.orders_note:
        out.append("<table width='100%' cellpadding=6 cellspacing=0 border=1 "
                   "style='border-color:#b3261e'>"
                   "<tr><td bgcolor='#fff3e0'><b>" + _e(translate("report_pdf", "派遣记录："))
                   + "</b>" + _e(tr_word(rep.orders_note)) + "</td></tr></table><br>")
    out.append(table.replace("cellpadding=3", "cellpadding=2") + "<thead><tr>" + "".join(
        th.format(h) for h in (unit_head, translate("report_pdf", "样本量"),
                               translate("report_pdf", "签收按时率"),
                               translate("report_pdf", "核实按时率"),
                               translate("report_pdf", "核查按时率"),
                               translate("report_pdf", "处置按时率"),
                               translate("report_pdf", "结案率"), translate("report_pdf", "超时"),
                               translate("report_pdf", "得分"))) + "</tr></thead>")
    for r in cl.itertuples(index=False):
        out.append(f"<tr><td>{_e(names.get(r.unit_code, r.unit_code))}</td>"
                   f"<td align=right>{int(r.n)}</td><td align=center>{_pct(r.react_on_time)}</td>"
                   f"<td align=center>{_pct(getattr(r, 'confirm_on_time', None))}</td>"
                   f"<td align=center>{_pct(r.verify_on_time)}</td>"
                   f"<td align=center>{_pct(r.handle_on_time)}</td>"
                   f"<td align=center>{_pct(r.closure_rate)}</td>"
                   f"<td align=center>{'—' if _int(r.overdue) is None else _int(r.overdue)}</td>"
                   + _score_td(rep.level(r.unit_code, E.CLOSED_LOOP)) + "</tr>")
    out.append("</table>")

    # --- 6. method
    out.append("<h2 style='page-break-before:always'>" + translate("report_pdf", "六、方法说明")
               + "</h2>")
    for para in rep.method:
        out.append(f"<p>{_e(tr_word(para))}</p>")
    return "\n".join(out)


def write_pdf(rep: Report, path: Path | str, images: Images | None = None) -> Path:
    """Write the report as an A4 landscape PDF with its charts (``images``: made here when
    not given; :func:`report_images` can run off the GUI thread)."""
    if images is None:
        images = report_images(rep)
    return write_html_pdf(report_html(rep, images), path, f"{tr_word(rep.title)} {rep.period}",
                          f"body {{ color: {_INK}; }} h2 {{ color: #1f3a66; }} "
                          f"h3 {{ color: #1f3a66; }} th {{ font-weight: bold; }}", images)


def write_html_pdf(html_text: str, path: Path | str, title: str,
                   stylesheet: str | None = None, images: Images | None = None) -> Path:
    """HTML as an A4 landscape PDF in the CJK font, with Qt's own writer; written to
    ``<path>.part`` and renamed, so a failure never leaves half a file. ``images``: PNG
    bytes by the name the HTML's ``<img src>`` uses."""
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
    font = QFont(pdf_family())
    font.setPointSizeF(9.5)
    # Noto CJK's 'locl' substitutes digits with glyphs that have no Unicode mapping, and Qt
    # then writes them into the PDF's text layer as garbage (2026Q3 -> \x01\x01Q\x05)
    font.setFeature(QFont.Tag("locl"), 0)
    doc.setDefaultFont(font)
    if stylesheet:
        doc.setDefaultStyleSheet(stylesheet)
    for name, png in (images or {}).items():
        doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(name),
                        QImage.fromData(png))
    doc.setHtml(html_text)
    rect = writer.pageLayout().paintRectPixels(writer.resolution())
    doc.setPageSize(QSizeF(rect.width(), rect.height()))
    doc.print_(writer)
    del writer  # finishes the file
    tmp.replace(path)
    return path
