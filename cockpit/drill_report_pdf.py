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

from cockpit.report_pdf import write_html_pdf

__all__ = ["write_drill_pdf", "drill_report_html"]

_STATUS = {"met": ("达标 met", "#1e7b34"), "missed": ("超时 missed", "#b3261e"),
           "pending": ("进行中 pending", "#8a6d00")}
_STAGE = {"react": "签收", "verify": "核查", "handle": "处置", "close": "结案"}


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
        "<h1>演练复盘报告 · After-action report</h1>",
        f"<h2>{_e(sc['title'])}</h2>",
        "<p>",
        f"场景 scenario: <b>{_e(sc['id'])}</b> · 地点 place: {_e(sc.get('place'))} "
        f"({_e(sc.get('district_code'))}) · 预案 plan: {_e(sc.get('plan_id'))}<br>",
        f"演练时间 drill window: {_t(sc['start'])} – {_t(sc['end'])} · "
        f"截至 as of: {_t(se['as_of'])}<br>",
        f"会话 session: {_e(se['id'])} · 演练库 drill store: {_e(se['store'])}",
        "</p>",
        f"<p style='font-size:20pt'>总分 Total score: <b>{score_txt}</b> / 100</p>",
        "<p>",
        f"评分注入 scored injects: {tot['scored_injects']} · 已派遣 dispatched: "
        f"{tot['dispatched']} · 部门 正确/错派/漏派 departments right/wrong/missed: "
        f"{tot['departments_right']}/{tot['departments_wrong']}/{tot['departments_missed']} · "
        f"阶段 达标/超时/进行中 stages met/missed/pending: {tot['stages_met']}/"
        f"{tot['stages_missed']}/{tot['stages_pending']}",
        "</p>",
        "<h3>逐条注入 · Per inject</h3>",
        "<table border=1 cellspacing=0 cellpadding=4 width='100%'>",
        "<tr><th>#</th><th>注入 inject</th><th>派遣用时 (分) time to dispatch</th>"
        "<th>正确部门 right</th><th>错派 wrong</th><th>漏派 missed</th>"
        "<th>阶段时限 stage deadlines</th><th>得分 points (派遣/部门/阶段)</th>"
        "<th>分数 score</th></tr>",
    ]
    for r in rep["injects"]:
        stages = "<br>".join(
            f"{_STAGE.get(s['stage'], s['stage'])} ≤{s['target_min']:g}′: "
            f"<span style='color:{_STATUS[s['status']][1]}'>{_STATUS[s['status']][0]}</span>"
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
    out += ["<h3>时间线 · Timeline</h3>",
            "<table border=1 cellspacing=0 cellpadding=3 width='100%'>",
            "<tr><th>时间 time</th><th>+分 min</th><th>类型 kind</th><th>注入 #</th>"
            "<th>部门 department</th><th>内容 what</th><th>时限 deadline</th></tr>"]
    for r in rep["timeline"]:
        late = ("<span style='color:#b3261e'>超时 late</span>" if r["late"] else
                ("" if r["kind"] == "inject" else "按时 on time"))
        out.append(
            f"<tr><td>{_t(r['at'])}</td><td align=right>{r['offset_min']:.1f}</td>"
            f"<td>{_e(r['kind'])}</td><td>{_e(r['inject'])}</td><td>{_e(r['dept_id'])}</td>"
            f"<td>{_e(r['text'])}</td><td>{late}</td></tr>")
    out.append("</table>")
    out.append(f"<h3>评分方法 · Scoring</h3><p>{_e(rep.get('formula'))}</p>")
    return "\n".join(out)


def write_drill_pdf(rep: dict[str, Any], path: Path | str) -> Path:
    """Write the after-action report as an A4 landscape PDF (atomically: .part, rename)."""
    return write_html_pdf(drill_report_html(rep), path,
                          f"演练复盘报告 {rep['scenario']['title']}")
