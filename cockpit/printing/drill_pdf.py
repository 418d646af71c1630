"""The drill's after-action report (演练复盘报告) as a PDF, with Qt's own PDF writer.

Input is the plain dict of :func:`cockpit.datasets.drill.after_action_report`. Pages: the title
with the scenario, the session and the total score; the per-inject table (time to dispatch,
departments right / wrong / missed, each stage met or missed, points); the timeline table; the
scoring formula. Text is real text in the CJK font (Noto Sans CJK SC when installed), so the
PDF's text can be searched and extracted. Needs a QGuiApplication.
"""

from __future__ import annotations

import html
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from cockpit.printing.quarter_pdf import write_html_pdf
from cockpit.widgets.dispatch_panel import action_label
from cockpit.widgets.words import tr_word

__all__ = ["write_drill_pdf", "drill_report_html"]

# Chinese · English in Chinese (the report travels), English only in English
_STATUS = {"met": (QT_TRANSLATE_NOOP("drill_report_pdf", "达标 met"), "#1e7b34"),
           "missed": (QT_TRANSLATE_NOOP("drill_report_pdf", "超时 missed"), "#b3261e"),
           "pending": (QT_TRANSLATE_NOOP("drill_report_pdf", "进行中 pending"), "#8a6d00")}
_STAGE = {"react": QT_TRANSLATE_NOOP("drill_report_pdf", "签收"),
          "verify": QT_TRANSLATE_NOOP("drill_report_pdf", "核查"),
          "handle": QT_TRANSLATE_NOOP("drill_report_pdf", "处置"),
          "close": QT_TRANSLATE_NOOP("drill_report_pdf", "结案"),
          "confirm": QT_TRANSLATE_NOOP("drill_report_pdf", "核实")}
translate = QCoreApplication.translate


def _tr(text: str) -> str:
    return translate("drill_report_pdf", text)


def _e(x: object) -> str:
    return html.escape("" if x is None else str(x))


def _t(x: Any) -> str:
    return f"{x:%Y-%m-%d %H:%M:%S}" if isinstance(x, datetime) else _e(x)


def _min(x: Any) -> str:
    return "—" if x is None else f"{float(x):.1f}"


def drill_report_html(rep: dict[str, Any]) -> str:
    """The report as HTML for QTextDocument."""
    sc, se, tot = rep["scenario"], rep["session"], rep["totals"]
    score = rep.get("score")
    score_txt = "—" if score is None else f"{score:.1f}"
    out = [
        "<h1>" + translate("drill_report_pdf", "演练复盘报告 · After-action report") + "</h1>",
        f"<h2>{_e(sc['title'])}</h2>",
        "<p>",
        translate("drill_report_pdf",
                  "场景 scenario: <b>{id}</b> · 地点 place: {place} ({code}) · 预案 plan: "
                  "{plan}").format(id=_e(sc["id"]), place=_e(sc.get("place")),
                                   code=_e(sc.get("district_code")), plan=_e(sc.get("plan_id")))
        + "<br>",
        translate("drill_report_pdf",
                  "演练时间 drill window: {start} – {end} · 截至 as of: {as_of}").format(
            start=_t(sc["start"]), end=_t(sc["end"]), as_of=_t(se["as_of"])) + "<br>",
        translate("drill_report_pdf", "会话 session: {id} · 演练库 drill store: {store}").format(
            id=_e(se["id"]), store=_e(se["store"])),
        "</p>",
        "<p style='font-size:20pt'>"
        + translate("drill_report_pdf", "总分 Total score: <b>{score}</b> / 100").format(
            score=score_txt) + "</p>",
        "<p>",
        translate("drill_report_pdf",
                  "评分注入 scored injects: {injects} · 已派遣 dispatched: {dispatched} · "
                  "部门 正确/错派/漏派 departments right/wrong/missed: {right}/{wrong}/{missed} · "
                  "阶段 达标/超时/进行中 stages met/missed/pending: {met}/{late}/{pending}").format(
            injects=tot["scored_injects"], dispatched=tot["dispatched"],
            right=tot["departments_right"], wrong=tot["departments_wrong"],
            missed=tot["departments_missed"], met=tot["stages_met"], late=tot["stages_missed"],
            pending=tot["stages_pending"]),
        "</p>",
        "<h3>" + translate("drill_report_pdf", "逐条注入 · Per inject") + "</h3>",
        "<table border=1 cellspacing=0 cellpadding=4 width='100%'>",
        "<tr><th>#</th>" + "".join(f"<th>{h}</th>" for h in (
            translate("drill_report_pdf", "注入 inject"),
            translate("drill_report_pdf", "派遣用时 (分) time to dispatch"),
            translate("drill_report_pdf", "正确部门 right"),
            translate("drill_report_pdf", "错派 wrong"),
            translate("drill_report_pdf", "漏派 missed"),
            translate("drill_report_pdf", "阶段时限 stage deadlines"),
            translate("drill_report_pdf", "得分 points (派遣/部门/阶段)"),
            translate("drill_report_pdf", "分数 score"))) + "</tr>",
    ]
    for r in rep["injects"]:
        stages = "<br>".join(
            f"{_tr(_STAGE[s['stage']]) if s['stage'] in _STAGE else s['stage']}"
            f" ≤{s['target_min']:g}′: <span style='color:{_STATUS[s['status']][1]}'>"
            f"{_tr(_STATUS[s['status']][0])}</span>"
            f" ({_min(s['done_min'])})" for s in r["stages"])
        p = r["points"]
        out.append(
            f"<tr><td>{r['inject']}</td><td>{_e(r['title'])}</td>"
            f"<td align=right>{_min(r['time_to_dispatch_min'])} "
            f"(≤{r['dispatch_target_min']:g})</td>"
            f"<td>{'<br>'.join(map(_e, r['departments_right'])) or '—'}</td>"
            f"<td>{'<br>'.join(map(_e, r['departments_wrong'])) or '—'}</td>"
            f"<td>{'<br>'.join(map(_e, r['departments_missed'])) or '—'}</td>"
            f"<td>{stages}</td>"
            f"<td align=right>{p['dispatch']:.1f} / {p['departments']:.1f} / "
            f"{p['stages']:.1f}</td><td align=right><b>{r['score']:.1f}</b></td></tr>")
    out.append("</table>")
    out += ["<h3>" + translate("drill_report_pdf", "时间线 · Timeline") + "</h3>",
            "<table border=1 cellspacing=0 cellpadding=3 width='100%'>",
            "<tr>" + "".join(f"<th>{h}</th>" for h in (
                translate("drill_report_pdf", "时间 time"),
                translate("drill_report_pdf", "+分 min"),
                translate("drill_report_pdf", "类型 kind"),
                translate("drill_report_pdf", "注入 #"),
                translate("drill_report_pdf", "部门 department"),
                translate("drill_report_pdf", "内容 what"),
                translate("drill_report_pdf", "时限 deadline"))) + "</tr>"]
    late_word = "<span style='color:#b3261e'>" + translate("drill_report_pdf",
                                                           "超时 late") + "</span>"
    on_time = translate("drill_report_pdf", "按时 on time")
    for r in rep["timeline"]:
        late = (late_word if r["late"] else ("" if r["kind"] == "inject" else on_time))
        if r["kind"] == "inject":
            what = translate("drill_report_pdf", "注入 · inject {n}: {title}").format(
                n=r["inject"], title=r.get("title"))
            kind = translate("drill_report_pdf", "注入 inject")
        else:
            dept = r.get("department") or r["dept_id"]
            what, kind = f"{action_label(r['kind'])} · {dept}", action_label(r["kind"])
        out.append(
            f"<tr><td>{_t(r['at'])}</td><td align=right>{r['offset_min']:.1f}</td>"
            f"<td>{_e(kind)}</td><td>{_e(r['inject'])}</td>"
            f"<td>{_e(r.get('department') or r['dept_id'])}</td>"
            f"<td>{_e(what)}</td><td>{late}</td></tr>")
    out.append("</table>")
    if rep.get("network"):
        out.append("<h3>" + translate("drill_report_pdf", "管网影响 · Pipe network impact")
                   + "</h3>")
        out.append("<ul>" + "".join(
            f"<li>{_e(translate('drill_report_pdf', '注入 {n}').format(n=r['inject'] or '—'))}"
            f" · {_e(r['event_id'])}: {_e(r['note'])}</li>" for r in rep["network"]) + "</ul>")
    out.append("<h3>" + translate("drill_report_pdf", "评分方法 · Scoring") + "</h3>"
               f"<p>{_e(tr_word(rep.get('formula')))}</p>")
    return "\n".join(out)


def write_drill_pdf(rep: dict[str, Any], path: Path | str) -> Path:
    """Write the after-action report as an A4 landscape PDF (atomically: .part, rename)."""
    return write_html_pdf(drill_report_html(rep), path,
                          translate("drill_report_pdf",
                                    "演练复盘报告 {title}").format(title=rep["scenario"]["title"]))
