"""The queries behind review mode (晾晒), as named functions over a catalog — no Qt.

The review controller (``cockpit/controllers/review.py``) runs these off the GUI thread and
turns their plain results into the widgets' rows; it opens no cursor itself. Each function
takes the catalog, opens its own cursor (one per thread) and closes it.

- :func:`quarter_views` — a quarter evaluated and the quarter compared with;
- :func:`cell_facts` — what explains one cell of the grid: the unit's boards (for the
  total), the KPIs with their value, target, score, weight and points lost (for a board), the
  closed-loop rates and the orders behind them (for 闭环处置), and the 8-quarter trend;
- :func:`quarter_report` — the quarter's report (PDF / XLSX), as ``cockpit report`` makes it;
- :func:`department_labels` / :func:`department_label` — department names for people to
  read (``江北区城市管理局``, never ``D-500105-CGJ``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pandas as pd
from cockpit.datasets import evaluation as E

if TYPE_CHECKING:
    from cockpit.datasets.catalog import Catalog
    from cockpit.datasets.report import Report

__all__ = ["CellFacts", "quarter_views", "cell_facts", "quarter_report", "closed_loop_orders",
           "department_labels", "department_label", "catalog_department_labels",
           "name_departments", "report_department_ids"]


@dataclass(frozen=True)
class CellFacts:
    """What explains one cell: ``boards`` (the total's cell), ``kpis`` (a board's cell),
    ``closed_loop`` and ``orders`` (the closed-loop cell), ``trend`` (always)."""

    unit_code: str
    column: str
    trend: pd.DataFrame
    boards: pd.DataFrame | None = None
    kpis: pd.DataFrame | None = None
    closed_loop: pd.Series | None = None
    orders: pd.DataFrame | None = None


def quarter_views(catalog: Catalog, period: str | None, compare: str | None,
                  orders: pd.DataFrame | None,
                  cache: dict[str, E.QuarterEvaluation] | None = None
                  ) -> tuple[list[str], E.QuarterEvaluation, E.QuarterEvaluation | None]:
    """The quarters with KPI values, ``period`` evaluated (default: the latest) and the
    quarter it is compared with (``compare``, default the quarter before); ``cache`` holds
    quarters evaluated before."""
    cache = cache or {}
    con = catalog.cursor()
    try:
        ps = E.periods(con)
        p = period if period in ps else (ps[-1] if ps else None)
        ev = cache.get(p) if p else None
        if ev is None:
            ev = E.evaluate_quarter(con, p, orders)
        c = compare if compare in ps and compare != ev.period else ev.previous
        other = None
        if c:
            other = cache.get(c) or E.evaluate_quarter(con, c, orders)
        return ps, ev, other
    finally:
        con.close()


def _naive_utc(col: pd.Series) -> pd.Series:
    col = pd.to_datetime(col)
    return col.dt.tz_convert("UTC").dt.tz_localize(None) if col.dt.tz is not None else col


def closed_loop_orders(con: Any, period: str, unit_code: str, orders: pd.DataFrame | None,
                       limit: int = 15) -> pd.DataFrame:
    """The dispatch orders of ``unit_code`` created in ``period`` (local quarter), the ones
    that cost the closed-loop score first: overdue, then late, then the rest; with the
    event's title and the department's name. Columns: order_id, event_id, title, dept_id,
    department, created_at, state, overdue, late_actions."""
    cols = ["order_id", "event_id", "title", "dept_id", "department", "created_at", "state",
            "overdue", "late_actions"]
    if orders is None or not len(orders):
        return pd.DataFrame(columns=cols)
    st = E._static(con)
    cfg = st.config
    o = pd.DataFrame({
        "order_id": orders.get("order_id", pd.Series([None] * len(orders))).astype(str).values,
        "event_id": orders["event_id"].astype(str).values,
        "dept_id": orders["dept_id"].astype(str).values,
        "created_at": _naive_utc(orders["created_at"]).values,
        "state": orders.get("state", pd.Series([""] * len(orders))).astype(str).values,
        "overdue": orders.get("overdue", pd.Series([False] * len(orders))).fillna(False)
        .astype(bool).values,
        "late_actions": orders.get("late_actions", pd.Series([""] * len(orders))).fillna("")
        .astype(str).values,
    })
    off = pd.Timedelta(hours=cfg.utc_offset_hours)
    local = o["created_at"] + off
    o = o[(local.dt.year.astype(str) + "Q" + local.dt.quarter.astype(str)) == period]
    if not len(o):
        return pd.DataFrame(columns=cols)
    con.register("_review_orders", o)
    try:
        df = con.execute("""
            SELECT o.*, e.title, coalesce(e.street_code, e.district_code, d.unit_code) AS place,
                   coalesce(d.name, o.dept_id) AS department
            FROM _review_orders o
            LEFT JOIN event e ON e.event_id = TRY_CAST(o.event_id AS BIGINT)
            LEFT JOIN department d ON d.dept_id = o.dept_id""").df()
    finally:
        con.unregister("_review_orders")
    df = df[df["place"].map(lambda x: st.place_map.get(x) if x is not None else None)
            == unit_code]
    df = df.assign(_late=df["late_actions"].str.len() > 0).sort_values(
        ["overdue", "_late", "created_at"], ascending=[False, False, False])
    return df[cols].head(limit).reset_index(drop=True)


def cell_facts(catalog: Catalog, ev: E.QuarterEvaluation, unit_code: str, column: str,
               mode: str, orders: pd.DataFrame | None = None) -> CellFacts:
    """Everything the breakdown of one cell shows, as plain frames."""
    con = catalog.cursor()
    try:
        tr = E.trend(con, unit_code, column, 8, ev.period, orders, ev.config)
        if column == E.TOTAL:
            bs = E.board_scores(con, ev.period, unit_code, mode, orders, ev.config,
                                closed_loop_board=True)
            return CellFacts(unit_code, column, tr, boards=bs)
        if column == E.CLOSED_LOOP:
            r = ev.closed_loop[ev.closed_loop["unit_code"] == unit_code]
            return CellFacts(unit_code, column, tr,
                             closed_loop=r.iloc[0] if len(r) else None,
                             orders=closed_loop_orders(con, ev.period, unit_code, orders))
        return CellFacts(unit_code, column, tr,
                         kpis=E.kpi_breakdown(con, ev.period, unit_code, column, ev.config))
    finally:
        con.close()


def quarter_report(catalog: Catalog, period: str | None, mode: str,
                   orders: pd.DataFrame | None, compare: str | None = None,
                   kpi_detail: bool = True, orders_note: str | None = None,
                   as_of: datetime | None = None) -> Report:
    """The quarter's report (:func:`cockpit.datasets.report.build_report`) on a cursor of
    its own."""
    from cockpit.datasets.report import build_report

    con = catalog.cursor()
    try:
        return build_report(con, period, mode, orders, compare, kpi_detail=kpi_detail,
                            as_of=as_of, orders_note=orders_note)
    finally:
        con.close()


def department_labels(con: Any, dept_ids: Iterable[str] | None = None) -> dict[str, str]:
    """Department id → its name as a person reads it (``江北区城市管理局``: the dataset's
    names carry their level's unit). ``dept_ids``: only these (default: all)."""
    try:
        if dept_ids is None:
            rows = con.execute("SELECT dept_id, name FROM department").fetchall()
        else:
            ids = sorted({str(d) for d in dept_ids if d is not None})
            if not ids:
                return {}
            rows = con.execute("SELECT dept_id, name FROM department WHERE dept_id IN "
                               "(SELECT unnest($ids))", {"ids": ids}).fetchall()
    except Exception:  # noqa: BLE001 - a dataset without departments: ids stay as they are
        return {}
    return {str(d): str(n) for d, n in rows if n}


def department_label(labels: dict[str, str], dept_id: Any) -> str:
    """The department's name from ``labels`` (:func:`department_labels`); an id the dataset
    does not know is shown as it is (a drill's own department, a typo in a plan)."""
    if dept_id is None:
        return "—"
    return labels.get(str(dept_id), str(dept_id))


def catalog_department_labels(catalog: Catalog, dept_ids: Iterable[str] | None = None
                              ) -> dict[str, str]:
    """:func:`department_labels` on a cursor of its own (for the GUI's wiring)."""
    con = catalog.cursor()
    try:
        return department_labels(con, dept_ids)
    finally:
        con.close()


_DEPT_LISTS = ("departments_right", "departments_wrong", "departments_missed",
               "departments_expected")


def name_departments(report: dict[str, Any], labels: dict[str, str]) -> dict[str, Any]:
    """The after-action report (``datasets.drill.after_action_report``) as a person reads
    it: every department id in the per-inject lists and the timeline becomes its name
    (``dept_id`` stays for machines; timeline rows gain ``department``). A new dict; the
    report given is not changed."""
    out = dict(report)
    injects = []
    for r in report.get("injects", []):
        r = dict(r)
        for k in _DEPT_LISTS:
            if k in r:
                r[k] = [department_label(labels, d) for d in r[k]]
        injects.append(r)
    out["injects"] = injects
    timeline = []
    for r in report.get("timeline", []):
        r = dict(r)
        d = r.get("dept_id")
        if d:
            name = department_label(labels, d)
            r["department"] = name
            if isinstance(r.get("text"), str):
                r["text"] = r["text"].replace(str(d), name)
        else:
            r["department"] = ""
        timeline.append(r)
    out["timeline"] = timeline
    return out


def report_department_ids(report: dict[str, Any]) -> set[str]:
    """Every department id an after-action report names (to look their names up)."""
    ids = {str(r["dept_id"]) for r in report.get("timeline", []) if r.get("dept_id")}
    for r in report.get("injects", []):
        for k in _DEPT_LISTS:
            ids.update(str(d) for d in r.get(k, []))
    return ids
