"""The evaluation engine: five-colour grid (五色图) and quarterly ranking (逐季度晾晒).

Every function takes a DuckDB connection (a cursor of the catalog) and returns plain values or
DataFrames; nothing here knows about Qt. The method below is what the README documents.

Method
======

**Who is ranked.** The units of ``admin_unit`` whose ``ranked`` is true; where ``ranked`` is
empty, the units directly under the top unit (the districts at the city centre, the streets
at a district centre). KPI values of other units are ignored.

**KPI score (0–100).** For a KPI with target *T* and direction, a unit's value *v* is turned
into a relative gap to target, positive when better than target::

    g = (v − T) / |T|      (higher is better)
    g = (T − v) / |T|      (lower is better)

(a KPI whose target is 0 uses, instead of |T|, the median |v| of the ranked units that
quarter, or 1 if that is 0 too). The score is piecewise linear in *g* and capped at both
ends::

    score = 80 + 20 · g / 0.10      for g ≥ 0, at most 100   (10 % better than target → 100)
    score = 80 + 80 · g / 0.40      for g < 0,  at least 0   (40 % worse than target  →   0)

so on target scores 80 (the 良好 threshold of the demo scheme), each per cent better or worse
moves the score by 2 points, and the caps are the **outlier rule**: however extreme a value
(a typo, one spectacular quarter), a KPI never contributes more than 100 or less than 0, so
no single KPI can carry or sink a board. The three numbers (80, 0.10, 0.40) are
:class:`EvalConfig` fields.

**Board score** = weighted mean of the board's KPI scores with ``kpi.weight``, over the KPIs
that have a value. **Missing values stay missing**: a KPI without a value is left out of the
mean (never counted as 0), and when the KPIs with a value carry less than half of the board's
total weight (``min_coverage``) the board score itself is missing — shown grey, "无数据".

**Total score** = weighted mean of the board scores — equal board weights unless configured
(``EvalConfig.board_weights``, or ``"evaluation": {"board_weights": {...}}`` in the dataset's
``dataset.json``), over the boards that have a score; missing when the KPI boards with a score
carry less than half of the KPI boards' weight. The closed-loop board (below) counts in the
total with ``closed_loop_weight`` (default 1, like any board) when it has a score.

**Reported precision.** Board and total scores are reported to one decimal; ranks and levels
are computed from the reported value, so two units that show the same score always share
their rank and level.

**Ranks and ties.** Units are ranked by score, highest first, with competition ranking
(1, 2, 2, 4): equal reported scores share the better rank. A unit without a score has no rank.
Lists order tied units by unit code, which is deterministic but carries no meaning. Rank
change = previous quarter's rank − this quarter's rank (↑ positive, ↓ negative); it is empty
for a unit not ranked in the previous quarter.

**Five-colour level** from ``eval_scheme`` (level 1 best), in one of two modes, both always
computed:

- *absolute*: the best level whose ``min_score`` the score reaches (a score below every
  threshold gets the worst level);
- *quintile* (晾晒 mode): by rank among the *n* units that have a score; with *k* levels
  (five), the unit of rank *r* gets level ``floor((r − 1) · k / n) + 1`` — for 41 units ranks
  1–9, 10–17, 18–25, 26–33 and 34–41. Tied units share their rank and therefore their level,
  so a tie straddling a boundary lifts all of them into the better band.

Both apply to each board column and to the total separately.

**Closed-loop board (闭环处置)** from the dispatch records: the orders (one department's
assignment for one event; :meth:`cockpit.datasets.dispatch.DispatchStore.orders`) created in
the quarter (local time, UTC+8; cancelled orders left out), assigned to the ranked unit of the
event's place (the order's ``unit_code`` if it has one, else the catalog event's street or
district, else the department's unit, walked up ``admin_unit`` to the ranked level). Judged as
of the quarter's end (a quarter still running: as of now, or of an earlier ``as_of``), per unit:

- on-time rate of each stage — react (签收 = ``acknowledge``), confirm (核实, the orders of a
  plan with the emergency flow), verify (核查), handle (处置):
  orders that did the stage by its deadline ÷ orders whose stage is decided (done, or its
  deadline passed); stages without a deadline are left out;
- closure rate: orders closed (结案) ÷ orders;
- satisfaction: the mean rating of the orders evaluated (评价) by then — 满意 1, 基本满意
  0.5, 不满意 0 (``cockpit.datasets.dispatch.RATINGS``, the outcome the operator records);
- overdue count: orders still open with a stage past its deadline;
- score = 100 × the mean of the available rates among the four on-time rates (a rate
  without decided orders is left out), the closure rate and the satisfaction.

**Minimum sample**: a unit with fewer than ``min_sample`` orders (default 10) in the quarter
gets "样本不足" (insufficient sample) — its rates are shown, but it gets no score, no colour
and no rank on that board.

Without dispatch records (no orders given) the board reads the **event history**: the events
of the quarter per unit (by ``occurred_at``, at the event's street or district) are the
sample. Each event's stage deadlines would follow from ``event_type`` (``occurred_at`` +
``react_min`` / ``verify_min`` / ``handle_min``), but the history records no completion times,
so the on-time rates, closure rate and overdue count are **not derivable** from it: they stay
missing, and the board shows "无数据" (or "样本不足" below the minimum sample) — never a
made-up rate — and does not count in the total. When orders are given, they are used.

**City-wide figures** (the KPI board): a KPI's city value is the mean of the ranked units'
values, its score the mean of their scores; a board's city score is the mean of the units'
board scores.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import duckdb
import numpy as np
import pandas as pd
from cockpit.datasets.dispatch.ledger import RATINGS
from cockpit.datasets.i18n import QT_TRANSLATE_NOOP
from cockpit.datasets.schema import BOARDS

__all__ = [
    "CLOSED_LOOP", "TOTAL", "MODES", "NO_DATA", "INSUFFICIENT", "DEFAULT_SCHEME", "EvalConfig",
    "QuarterEvaluation", "palette", "palette_from_rows", "colour_for", "ranked_units",
    "periods", "previous_period", "kpi_scores", "closed_loop", "evaluate_quarter",
    "rank_scores", "assign_levels", "kpi_score", "kpi_table", "board_scores", "kpi_breakdown",
    "trend", "top_bottom", "compare", "config_from_dataset", "quarter_bounds",
]

#: The closed-loop board's column name.
CLOSED_LOOP = QT_TRANSLATE_NOOP("vocabulary", "闭环处置")
#: The total's column name.
TOTAL = QT_TRANSLATE_NOOP("vocabulary", "总分")
MODES = ("absolute", "quintile")
#: Shown for a missing score: grey, "无数据". Never a level colour.
NO_DATA = {"level": None, "colour": "#5a6270", "label": QT_TRANSLATE_NOOP("evaluation", "无数据"),
           "min_score": None,
           "text": "#e6edf7", "status": "nodata"}
#: Shown for too small a sample: dark grey, "样本不足". Never a level colour.
INSUFFICIENT = {"level": None, "colour": "#2c3547",
                "label": QT_TRANSLATE_NOOP("evaluation", "样本不足"), "min_score": None,
                "text": "#c3cede", "status": "insufficient"}
#: The fallback scheme when a dataset has none: blue → red (diverging, colour-blind safe).
DEFAULT_SCHEME = ((1, "#0571b0", QT_TRANSLATE_NOOP("evaluation", "优秀"), 90.0),
                  (2, "#92c5de", QT_TRANSLATE_NOOP("evaluation", "良好"), 80.0),
                  (3, "#ffe08a", QT_TRANSLATE_NOOP("evaluation", "一般"), 70.0),
                  (4, "#f4a582", QT_TRANSLATE_NOOP("evaluation", "较差"), 60.0),
                  (5, "#ca0020", QT_TRANSLATE_NOOP("evaluation", "差"), 0.0))

#: The timed stages rated on-time (an order is rated on the stages of its own flow: a stage
#: its plan does not run has no deadline and is left out). 核实 (confirm: the event is real)
#: and 核查 (verify: the result is checked) are two rates, never one.
_STAGES = (("react", "acknowledge"), ("confirm", "confirm"), ("verify", "verify"),
           ("handle", "handle"))


@dataclass(frozen=True)
class EvalConfig:
    """The evaluation's parameters (see the module docstring)."""

    on_target: float = 80.0  # score exactly on target
    full_gap: float = 0.10  # relative gap better than target that scores 100
    zero_gap: float = 0.40  # relative gap worse than target that scores 0
    min_coverage: float = 0.5  # share of weight that must have values
    board_weights: Mapping[str, float] | None = None  # None: equal weights
    closed_loop_weight: float = 1.0  # weight of the closed-loop board in the total
    min_sample: int = 10  # fewer orders in a quarter: "样本不足"
    utc_offset_hours: float = 8.0  # quarters are local time; the dispatch store is UTC


@dataclass
class QuarterEvaluation:
    """One quarter evaluated in both modes, with the quarter before for the changes."""

    period: str | None
    previous: str | None
    boards: list[str]  # KPI boards in order, then CLOSED_LOOP
    scheme: list[dict]  # the palette: level, colour, label, min_score, text
    #: unit_code, unit_name, one column per board, TOTAL (scores to one decimal, NaN missing)
    scores: pd.DataFrame
    #: long: unit_code, column (a board or TOTAL), score, status, coverage, rank,
    #: level_absolute, level_quintile
    cells: pd.DataFrame
    #: by rank: unit_code, unit_name, total, status, rank, prev_total, prev_rank, rank_change,
    #: score_change, level_absolute, level_quintile
    ranking: pd.DataFrame
    #: per unit: n, react_on_time, verify_on_time, handle_on_time, closure_rate, overdue,
    #: score, status, source
    closed_loop: pd.DataFrame
    config: EvalConfig = field(default_factory=EvalConfig)
    _index: dict | None = field(default=None, repr=False, compare=False)

    @property
    def columns(self) -> list[str]:
        """The grid's score columns: the boards, then the total."""
        return [*self.boards, TOTAL]

    def level_info(self, level: int | None, status: str = "ok") -> dict:
        """The palette entry of a level (or the no-data / insufficient entry)."""
        if status == "insufficient":
            return INSUFFICIENT
        for p in self.scheme:
            if level is not None and p["level"] == level:
                return p
        return NO_DATA

    def cell(self, unit_code: str, column: str, mode: str = "absolute") -> dict:
        """One cell: score, status, rank, level, label, colour."""
        if self._index is None:
            c = self.cells
            self._index = {} if c.empty else {
                (u, col): (s, st, rk, la, lq) for u, col, s, st, rk, la, lq in zip(
                    c["unit_code"], c["column"], c["score"], c["status"], c["rank"],
                    c["level_absolute"], c["level_quintile"])}
        r = self._index.get((unit_code, column))
        if r is None:
            return {"score": None, "status": "nodata", "rank": None, **_entry(NO_DATA)}
        score, status, rank, la, lq = r
        lv = _int(lq if mode == "quintile" else la)
        return {"score": _float(score), "status": status, "rank": _int(rank),
                **_entry(self.level_info(lv, status))}


# --------------------------------------------------------------------------- palette


def palette_from_rows(rows: list[tuple] | pd.DataFrame | None) -> list[dict]:
    """The five colours as plain dicts (level, colour, label, min_score, text), best first.

    ``rows`` are (level, colour, label, min_score); empty or None gives :data:`DEFAULT_SCHEME`.
    ``text`` is black or white, whichever reads better on the colour. The one palette of the
    grid, the ranking, the reports and the map's choropleth.
    """
    if isinstance(rows, pd.DataFrame):
        rows = list(rows[["level", "colour", "label", "min_score"]].itertuples(index=False))
    rows = list(rows or DEFAULT_SCHEME)
    out = [{"level": int(lv), "colour": str(c), "label": str(lab), "min_score": float(m),
            "text": _text_on(str(c))} for lv, c, lab, m in rows]
    return sorted(out, key=lambda p: p["level"])


def palette(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """The dataset's eval_scheme as the palette (the default scheme if it has none)."""
    try:
        rows = con.execute("SELECT level, colour, label, min_score FROM eval_scheme "
                           "ORDER BY level").fetchall()
    except duckdb.Error:
        rows = []
    return palette_from_rows(rows)


def colour_for(score: float | None, pal: list[dict]) -> dict:
    """The palette entry of a score by absolute thresholds, as the grid's levels are: the best
    level whose ``min_score`` the score reaches, the worst level below every threshold
    (NO_DATA when the score is missing or the palette empty)."""
    if score is None or (isinstance(score, float) and math.isnan(score)) or not pal:
        return NO_DATA
    s = float(_round1(score))
    for p in sorted(pal, key=lambda p: (-p["min_score"], p["level"])):
        if s >= p["min_score"]:
            return p
    return max(pal, key=lambda p: p["level"])


def _text_on(colour: str) -> str:
    r, g, b = (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))

    def lin(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    lum = 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
    # contrast against black vs white
    return "#0b1220" if (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) else "#ffffff"


def _entry(p: dict) -> dict:
    return {"level": p["level"], "label": p["label"], "colour": p["colour"], "text": p["text"]}


# --------------------------------------------------------------------------- units, periods


def ranked_units(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The units this dataset ranks: code, name, level (by code)."""
    return con.execute(
        """SELECT code AS unit_code, name AS unit_name, level FROM admin_unit
           WHERE coalesce(ranked, parent_code = (SELECT code FROM admin_unit
                                                 WHERE parent_code IS NULL LIMIT 1))
           ORDER BY code""").df()


def periods(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The quarters that have KPI values, oldest first."""
    return [r[0]
            for r in con.execute("SELECT DISTINCT period FROM kpi_value ORDER BY 1").fetchall()]


def previous_period(period: str) -> str:
    """The quarter before ``2026Q3`` is ``2026Q2``; before ``2026Q1`` is ``2025Q4``."""
    y, q = int(period[:4]), int(period[5])
    return f"{y - 1}Q4" if q == 1 else f"{y}Q{q - 1}"


def quarter_bounds(period: str) -> tuple[datetime, datetime]:
    """First moment of the quarter and of the next one (local time)."""
    y, q = int(period[:4]), int(period[5])
    start = datetime(y, 3 * (q - 1) + 1, 1)
    end = datetime(y + 1, 1, 1) if q == 4 else datetime(y, 3 * q + 1, 1)
    return start, end


def config_from_dataset(con: duckdb.DuckDBPyConnection, base: EvalConfig | None = None
                        ) -> EvalConfig:
    """The configuration with the dataset manifest's ``"evaluation"`` settings applied."""
    cfg = base or EvalConfig()
    try:
        row = _one(con, "SELECT value FROM _manifest WHERE key = 'evaluation'")
    except duckdb.Error:
        return cfg
    if not row:
        return cfg
    try:
        ev = json.loads(row[0])
    except ValueError:
        return cfg
    if not isinstance(ev, dict):
        return cfg
    known = {f for f in EvalConfig.__dataclass_fields__ if f != "board_weights"}
    kw = {k: type(getattr(cfg, k))(v) for k, v in ev.items() if k in known}
    if isinstance(ev.get("board_weights"), dict):
        kw["board_weights"] = {str(k): float(v) for k, v in ev["board_weights"].items()}
    return replace(cfg, **kw)


# --------------------------------------------------------------------------- static info


@dataclass(frozen=True)
class _Static:
    """What a catalog's evaluation needs that never changes while the catalog is open."""

    units: pd.DataFrame  # unit_code, unit_name, level
    codes: list[str]
    periods: list[str]
    palette: list[dict]
    kpi_boards: list[str]
    board_weight: dict[str, float]  # total kpi.weight per board
    zero_targets: bool  # some KPI has target 0
    config: EvalConfig
    place_map: dict[str, str]  # any admin unit → its ranked unit (itself or an ancestor)


_STATIC: dict[str, _Static] = {}


def _static(con: duckdb.DuckDBPyConnection) -> _Static:
    """The static info, cached per catalog (its fingerprint) since the catalog is read-only;
    computed afresh on connections that are not a catalog (tests build such databases)."""
    try:
        row = _one(con, "SELECT value FROM _catalog_meta WHERE key = 'fingerprint'")
        fp = row[0] if row else None
    except duckdb.Error:
        fp = None
    if fp is not None and fp in _STATIC:
        return _STATIC[fp]
    units = ranked_units(con)
    codes = units["unit_code"].tolist()
    bw = dict(con.execute("SELECT board, sum(weight) FROM kpi GROUP BY board").fetchall())
    rows = con.execute(f"""
        SELECT a0.code,
               CASE {' '.join(f"WHEN list_contains($r, a{i}.code) THEN a{i}.code"
                               for i in range(6))} END
        FROM admin_unit a0
        {' '.join(f"LEFT JOIN admin_unit a{i} ON a{i}.code = a{i - 1}.parent_code"
                  for i in range(1, 6))}""", {"r": codes}).fetchall()
    st = _Static(units, codes, periods(con), palette(con),
                 sorted(bw, key=_board_order), {str(k): float(v or 0) for k, v in bw.items()},
                 bool(_one(con, "SELECT count(*) FROM kpi WHERE target = 0")[0]),
                 config_from_dataset(con), {a: u for a, u in rows if u is not None})
    if fp is not None:
        if len(_STATIC) > 8:
            _STATIC.clear()
        _STATIC[fp] = st
    return st


# --------------------------------------------------------------------------- KPI scores


def kpi_score(value: float | None, target: float, direction: str,
              config: EvalConfig | None = None, scale: float | None = None) -> float | None:
    """One KPI score (the module's formula) — the reference the SQL is tested against."""
    cfg = config or EvalConfig()
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    s = abs(target) if target != 0 else (scale or 1.0)
    gap = ((value - target) if direction == "higher" else (target - value)) / s
    if gap >= 0:
        score = cfg.on_target + (100 - cfg.on_target) * gap / cfg.full_gap
    else:
        score = cfg.on_target + cfg.on_target * gap / cfg.zero_gap
    return max(0.0, min(100.0, score))


_KPI_SQL = """
WITH k AS (
    SELECT *, CASE WHEN direction = 'lower' THEN -1.0 ELSE 1.0 END AS sign,
           nullif(abs(target), 0) AS scale
    FROM kpi
), z AS (  -- the scale of KPIs whose target is 0: the median |value| that quarter (or 1)
    SELECT kpi_id, period, coalesce(nullif(median(abs(value)), 0), 1) AS med
    FROM kpi_value
    WHERE kpi_id IN (SELECT kpi_id FROM k WHERE scale IS NULL)
      AND period IN (SELECT unnest($periods))
      AND unit_code IN (SELECT unnest($ranked))
    GROUP BY ALL
), g AS (
    SELECT v.kpi_id, v.unit_code, v.period, v.value, k.name, k.board, k.runway, k.unit,
           k.direction, k.weight, k.target,
           (v.value - k.target) * k.sign / coalesce(k.scale, z.med) AS gap
    FROM kpi_value v JOIN k USING (kpi_id)
    LEFT JOIN z ON k.scale IS NULL AND z.kpi_id = v.kpi_id AND z.period = v.period
    WHERE v.period IN (SELECT unnest($periods))
      AND v.unit_code IN (SELECT unnest($units))
)
SELECT *, CASE WHEN gap IS NOT NULL THEN greatest(0.0, least(100.0, CASE
           WHEN gap >= 0 THEN $on + (100 - $on) * gap / $full
           ELSE $on + $on * gap / $zero END)) END AS score
FROM g
"""


def kpi_scores(con: duckdb.DuckDBPyConnection, periods_: list[str],
               units: list[str] | None = None, config: EvalConfig | None = None) -> pd.DataFrame:
    """Every KPI's value, gap and score per ranked unit for the given quarters.

    Columns: kpi_id, unit_code, period, value, name, board, runway, unit, direction, weight,
    target, gap, score (NaN where the value is missing).
    """
    st = _static(con)
    cfg = config or st.config
    return con.execute(_KPI_SQL, {"periods": list(periods_),
                                  "units": list(units) if units is not None else st.codes,
                                  "ranked": st.codes, "on": cfg.on_target,
                                  "full": cfg.full_gap, "zero": cfg.zero_gap}).df()


_PERIOD_RE = re.compile(r"^[0-9]{4}Q[1-4]$")


def _period_list(periods_: list[str]) -> str:
    """Quarters as an SQL list literal (checked: a literal lets DuckDB prune row groups)."""
    bad = [p for p in periods_ if not isinstance(p, str) or not _PERIOD_RE.match(p)]
    if bad:
        raise ValueError(f"not a quarter like 2026Q3: {bad[0]!r}")
    return "(" + ", ".join(f"'{p}'" for p in periods_) + ")"


def _board_sql(periods_: list[str], zero_targets: bool) -> str:
    """Board scores and the weight with values per unit, quarter and board (one statement;
    the median scale of target-0 KPIs only when the dataset has such KPIs)."""
    plist = _period_list(periods_)
    z_cte = z_join = ""
    scale = "k.scale"
    if zero_targets:
        z_cte = f"""z AS (
            SELECT kpi_id, period, coalesce(nullif(median(abs(value)), 0), 1) AS med
            FROM kpi_value
            WHERE kpi_id IN (SELECT kpi_id FROM k WHERE scale IS NULL) AND period IN {plist}
              AND unit_code IN (SELECT unnest($ranked))
            GROUP BY ALL),"""
        z_join = "LEFT JOIN z ON k.scale IS NULL AND z.kpi_id = v.kpi_id AND z.period = v.period"
        scale = "coalesce(k.scale, z.med)"
    return f"""
        WITH k AS (
            SELECT kpi_id, board, weight, target,
                   CASE WHEN direction = 'lower' THEN -1.0 ELSE 1.0 END AS sign,
                   nullif(abs(target), 0) AS scale
            FROM kpi
        ), {z_cte} g AS (
            SELECT v.unit_code, v.period, k.board, k.weight,
                   (v.value - k.target) * k.sign / {scale} AS gap
            FROM kpi_value v JOIN k USING (kpi_id) {z_join}
            WHERE v.period IN {plist}
        ), s AS (
            SELECT *, CASE WHEN gap IS NOT NULL THEN greatest(0.0, least(100.0, CASE
                       WHEN gap >= 0 THEN $on + (100 - $on) * gap / $full
                       ELSE $on + $on * gap / $zero END)) END AS score
            FROM g
        )
        SELECT unit_code, period, board,
               sum(score * weight) / nullif(sum(weight) FILTER (WHERE score IS NOT NULL), 0)
                 AS score,
               coalesce(sum(weight) FILTER (WHERE score IS NOT NULL), 0) AS weight
        FROM s GROUP BY ALL"""


# --------------------------------------------------------------------------- closed loop

_STAGE_COLS = ("created_at", "acknowledge_at", "confirm_at", "handle_at", "verify_at",
               "close_at", "cancel_at", "evaluate_at", "acknowledge_due", "confirm_due",
               "handle_due", "verify_due", "close_due")
_CL_COLS = ("n", "react_ok", "react_decided", "confirm_ok", "confirm_decided", "verify_ok",
            "verify_decided", "handle_ok", "handle_decided", "closed", "overdue", "rated",
            "satisfied")

def _events_source(periods_: list[str]) -> str:
    """Events per place and quarter (the sample when there are no dispatch records)."""
    bounds = {p: quarter_bounds(p) for p in periods_}
    lo, hi = min(b[0] for b in bounds.values()), max(b[1] for b in bounds.values())
    cases = " ".join(f"WHEN occurred_at >= TIMESTAMP '{s:%Y-%m-%d}' AND occurred_at < "
                     f"TIMESTAMP '{e:%Y-%m-%d}' THEN '{p}'" for p, (s, e) in bounds.items())
    return f"""
        SELECT place, period, count(*) AS n FROM (
            SELECT coalesce(street_code, district_code) AS place, CASE {cases} END AS period
            FROM event
            WHERE occurred_at >= TIMESTAMP '{lo:%Y-%m-%d}'
              AND occurred_at < TIMESTAMP '{hi:%Y-%m-%d}'
        ) WHERE period IS NOT NULL GROUP BY ALL"""


def _orders_source(cfg: EvalConfig, as_of: datetime | None) -> str:
    """Orders per place and quarter: sample, per-stage on-time counts, closed, overdue."""
    off = f"INTERVAL {int(round(cfg.utc_offset_hours * 60))} MINUTE"
    local = f"(created_at + {off})"
    period = f"CAST(year({local}) AS VARCHAR) || 'Q' || CAST(quarter({local}) AS VARCHAR)"
    # the quarter's end in UTC: the first moment of the next quarter, local, minus the offset
    q_end = f"(date_trunc('quarter', {local}) + INTERVAL 3 MONTH - {off})"
    # a quarter still running is judged now, not at its end (deadlines not yet reached are
    # not overdue)
    at = _naive_utc(as_of) if as_of is not None else datetime.now(UTC).replace(
        tzinfo=None)
    judge_at = f"least({q_end}, TIMESTAMP '{at:%Y-%m-%d %H:%M:%S.%f}')"
    stages = ",\n".join(
        f"count(*) FILTER (WHERE {a}_due IS NOT NULL AND {a}_at <= judge_at "
        f"AND {a}_at <= {a}_due) AS {s}_ok, "
        f"count(*) FILTER (WHERE {a}_due IS NOT NULL "
        f"AND ({a}_at <= judge_at OR {a}_due <= judge_at)) AS {s}_decided"
        for s, a in _STAGES)
    overdue = " OR ".join(f"(({a}_at IS NULL OR {a}_at > judge_at) AND {a}_due < judge_at)"
                          for a in ("acknowledge", "confirm", "handle", "verify", "close"))
    return f"""
        WITH o AS (
            SELECT o.*, {period} AS period, {judge_at} AS judge_at FROM _eval_orders o
        ), o2 AS (
            SELECT o.*, coalesce(o.unit_code, e.street_code, e.district_code, d.unit_code)
                   AS place
            FROM o
            LEFT JOIN event e ON e.event_id = TRY_CAST(o.event_id AS BIGINT)
            LEFT JOIN department d ON d.dept_id = o.dept_id
            WHERE o.period IN (SELECT unnest($periods))
              AND (o.cancel_at IS NULL OR o.cancel_at > o.judge_at)
        )
        SELECT place, period, count(*) AS n, {stages},
               count(*) FILTER (WHERE close_at <= judge_at) AS closed,
               count(*) FILTER (WHERE rating IS NOT NULL AND evaluate_at <= judge_at) AS rated,
               coalesce(sum(rating) FILTER (WHERE rating IS NOT NULL
                                            AND evaluate_at <= judge_at), 0) AS satisfied,
               count(*) FILTER (WHERE (close_at IS NULL OR close_at > judge_at) AND ({overdue}))
                 AS overdue
        FROM o2 GROUP BY ALL"""


def _prepare_orders(orders: pd.DataFrame) -> pd.DataFrame:
    o = pd.DataFrame(index=orders.index)
    for c in ("event_id", "dept_id", "unit_code"):
        if c in orders:
            col = orders[c]
            o[c] = col.astype(object).where(col.notna(), None).map(
                lambda x: None if x is None else str(x))
        else:
            o[c] = pd.Series([None] * len(orders), index=orders.index, dtype=object)
    for c in _STAGE_COLS:
        col = orders[c] if c in orders else pd.Series(pd.NaT, index=orders.index)
        col = pd.to_datetime(col)
        if getattr(col.dt, "tz", None) is not None:
            col = col.dt.tz_convert("UTC").dt.tz_localize(None)
        o[c] = col.astype("datetime64[us]")
    # 评价's rating (the last action's outcome of an evaluated order): 1, 0.5 or 0
    rating = pd.Series([None] * len(orders), index=orders.index, dtype=object)
    if "outcome" in orders and "state" in orders:
        rating = orders["outcome"].map(RATINGS).where(orders["state"] == "evaluated")
    o["rating"] = pd.to_numeric(rating, errors="coerce").astype("float64")
    if "state" in orders:  # a cancelled order without a cancel time still counts as cancelled
        o.loc[(orders["state"] == "cancelled") & o["cancel_at"].isna(), "cancel_at"] = (
            o["created_at"])
    return o.reset_index(drop=True)


def closed_loop(con: duckdb.DuckDBPyConnection, periods_: list[str],
                orders: pd.DataFrame | None = None, as_of: datetime | None = None,
                config: EvalConfig | None = None) -> pd.DataFrame:
    """The closed-loop board per ranked unit and quarter.

    ``orders``: one row per dispatch order as :meth:`DispatchStore.orders` returns it (UTC
    times: created_at, acknowledge_at, handle_at, verify_at, close_at, cancel_at and the
    ``*_due`` deadlines; event_id, dept_id, optionally unit_code). Without orders the event
    history gives the sample only (see the module docstring). ``as_of`` (UTC, default now)
    caps the moment each quarter is judged at: its end, or ``as_of`` if earlier.

    Columns: unit_code, period, n, react_on_time, confirm_on_time, verify_on_time,
    handle_on_time,
    closure_rate, overdue, score, status (ok / insufficient / nodata), source.
    """
    st = _static(con)
    cfg = config or st.config
    ranked, periods_ = st.codes, list(periods_)
    nu, npd = len(ranked), len(periods_)
    acc = {c: np.zeros((nu, npd)) for c in _CL_COLS}
    if periods_:
        if orders is not None:
            cols: tuple[str, ...] = _CL_COLS
            con.register("_eval_orders", _prepare_orders(orders))
            try:
                raw = con.execute(_orders_source(cfg, as_of), {"periods": periods_}).fetchnumpy()
            finally:
                con.unregister("_eval_orders")
        else:
            cols = ("n",)
            raw = con.execute(_events_source(periods_)).fetchnumpy()
        ui = {u: i for i, u in enumerate(ranked)}
        pi = {p: i for i, p in enumerate(periods_)}
        units = [ui.get(st.place_map.get(x, ""), -1) if x is not None else -1
                 for x in raw["place"]]
        r = np.array(units, dtype=int)
        c = np.array([pi[p] for p in raw["period"]], dtype=int)
        keep = r >= 0
        for col in cols:
            np.add.at(acc[col], (r[keep], c[keep]), np.asarray(raw[col], dtype=float)[keep])
    n = acc["n"]
    with np.errstate(invalid="ignore", divide="ignore"):
        rates = {}
        for stage, _a in _STAGES:
            dec = acc[f"{stage}_decided"]
            rates[f"{stage}_on_time"] = np.where(dec > 0, acc[f"{stage}_ok"] / dec, np.nan)
        rates["closure_rate"] = np.where(n > 0, acc["closed"] / n, np.nan)
        rates["satisfaction"] = np.where(acc["rated"] > 0, acc["satisfied"] / acc["rated"],
                                         np.nan)
    if orders is None:  # the event history has no completion times: nothing to rate
        rates = {k: np.full_like(n, np.nan) for k in rates}
    stack = np.stack(list(rates.values()))
    have = ~np.isnan(stack)
    with np.errstate(invalid="ignore", divide="ignore"):
        score = np.where(have.any(axis=0), np.where(have, stack, 0).sum(axis=0)
                         / np.maximum(have.sum(axis=0), 1) * 100, np.nan)
    small = n < cfg.min_sample
    score = np.where(small, np.nan, score)
    status = np.where(small, "insufficient", np.where(np.isnan(score), "nodata", "ok"))
    overdue = pd.array(acc["overdue"].ravel().astype(int), dtype="Int64")
    overdue[(n.ravel() == 0) | (orders is None)] = pd.NA
    out = pd.DataFrame({"unit_code": np.repeat(np.array(ranked, dtype=object), npd),
                        "period": np.tile(np.array(periods_, dtype=object), nu),
                        "n": n.ravel().astype(int)})
    for k, v in rates.items():
        out[k] = v.ravel()
    out["overdue"] = overdue
    out["score"] = score.ravel()
    out["status"] = status.ravel()
    out["source"] = "dispatch" if orders is not None else "events"
    return out


def _naive_utc(t: datetime) -> datetime:
    if t.tzinfo is not None:
        t = t.astimezone(UTC).replace(tzinfo=None)
    return t


# --------------------------------------------------------------------------- ranks and levels


def _round1(x):
    """Round half up to one decimal (81.25 → 81.3), as people round; NaN stays NaN."""
    return np.floor(np.asarray(x, dtype=float) * 10 + 0.5 + 1e-9) / 10


def _ranks_np(s: np.ndarray) -> np.ndarray:
    r = _round1(s)
    out = np.full(r.shape, np.nan)
    ok = ~np.isnan(r)
    a = np.sort(r[ok])
    out[ok] = 1 + len(a) - np.searchsorted(a, r[ok], side="right")
    return out


def _levels_np(s: np.ndarray, pal: list[dict], mode: str) -> np.ndarray:
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}: expected one of {', '.join(MODES)}")
    r = _round1(s)
    out = np.full(r.shape, np.nan)
    ok = ~np.isnan(r)
    if not pal or not ok.any():
        return out
    if mode == "absolute":
        asc = sorted(pal, key=lambda p: (p["min_score"], -p["level"]))
        thr = np.array([p["min_score"] for p in asc])
        lv = np.array([p["level"] for p in asc], dtype=float)
        i = np.searchsorted(thr, r[ok], side="right") - 1
        # below every threshold: the worst level
        out[ok] = np.where(i >= 0, lv[np.clip(i, 0, None)], max(lv))
        return out
    levels = np.array(sorted(p["level"] for p in pal), dtype=float)
    ranks = _ranks_np(r)
    n = int(ok.sum())
    idx = ((ranks[ok] - 1) * len(levels) // n).astype(int)
    out[ok] = levels[np.clip(idx, 0, len(levels) - 1)]
    return out


def rank_scores(scores: pd.Series) -> pd.Series:
    """Competition ranks (1, 2, 2, 4) of the scores to one decimal, highest first; NaN →
    <NA>."""
    return pd.Series(_ranks_np(scores.to_numpy(dtype=float, na_value=np.nan)),
                     index=scores.index).astype("Int64")


def assign_levels(scores: pd.Series, pal: list[dict], mode: str) -> pd.Series:
    """Each score's level: by absolute thresholds or by rank quantiles (see the docstring)."""
    return pd.Series(_levels_np(scores.to_numpy(dtype=float, na_value=np.nan), pal, mode),
                     index=scores.index).astype("Int64")


# --------------------------------------------------------------------------- the quarter


def _board_order(name: str) -> tuple[int, str]:
    return (BOARDS.index(name) if name in BOARDS else len(BOARDS), name)


@dataclass
class _Frame:
    """Scores of several quarters as arrays: [period][unit, column]."""

    units: list[str]
    periods: list[str]
    kpi_boards: list[str]
    columns: list[str]  # kpi boards, CLOSED_LOOP, TOTAL
    scores: np.ndarray  # (periods, units, columns), one decimal, NaN missing
    coverage: np.ndarray  # (periods, units, kpi boards)
    closed: pd.DataFrame  # closed_loop() rows


def _frame(con: duckdb.DuckDBPyConnection, wanted: list[str], st: _Static,
           orders: pd.DataFrame | None, as_of: datetime | None, cfg: EvalConfig) -> _Frame:
    units = st.codes
    params = {"on": cfg.on_target, "full": cfg.full_gap, "zero": cfg.zero_gap}
    if st.zero_targets:
        params["ranked"] = list(units)
    raw = con.execute(_board_sql(wanted, st.zero_targets), params).fetchnumpy()
    kpi_boards = st.kpi_boards
    nb, nu, npd = len(kpi_boards), len(units), len(wanted)
    cols = [*kpi_boards, CLOSED_LOOP, TOTAL]
    sc = np.full((npd, nu, len(cols)), np.nan)
    cov = np.zeros((npd, nu, nb))
    if len(raw["unit_code"]):
        ui = {u: i for i, u in enumerate(units)}
        pi = {p: i for i, p in enumerate(wanted)}
        bi = {b: i for i, b in enumerate(kpi_boards)}
        u = np.array([ui.get(x, -1) for x in raw["unit_code"]], dtype=int)
        keep = u >= 0  # values of units that are not ranked are ignored
        p = np.array([pi[x] for x in raw["period"]], dtype=int)[keep]
        b = np.array([bi[x] for x in raw["board"]], dtype=int)[keep]
        u = u[keep]
        score = np.asarray(raw["score"], dtype=float)[keep]
        total_w = np.array([st.board_weight[k] for k in kpi_boards])[b]
        with np.errstate(invalid="ignore", divide="ignore"):
            cv = np.where(total_w > 0, np.asarray(raw["weight"], dtype=float)[keep] / total_w,
                          0.0)
        sc[p, u, b] = np.where(cv >= cfg.min_coverage - 1e-9, score, np.nan)
        cov[p, u, b] = cv
    cl = closed_loop(con, wanted, orders, as_of, cfg)
    sc[:, :, nb] = cl["score"].to_numpy(dtype=float).reshape(nu, npd).T
    # total: weighted mean of the boards that have a score
    w = np.array([float((cfg.board_weights or {}).get(b, 1.0)) for b in kpi_boards]
                 + [float(cfg.closed_loop_weight)])
    vals = sc[:, :, :nb + 1]
    have = ~np.isnan(vals)
    den = have @ w
    num = np.where(have, vals, 0.0) @ w
    kpi_cov = (have[:, :, :nb] @ w[:nb]) / (w[:nb].sum() or 1.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        sc[:, :, nb + 1] = np.where((den > 0) & (kpi_cov >= cfg.min_coverage - 1e-9),
                                    num / den, np.nan)
    return _Frame(list(units), list(wanted), kpi_boards, cols, _round1(sc), cov, cl)


def evaluate_quarter(con: duckdb.DuckDBPyConnection, period: str | None = None,
                     orders: pd.DataFrame | None = None, config: EvalConfig | None = None,
                     as_of: datetime | None = None) -> QuarterEvaluation:
    """The quarter's evaluation (default: the latest quarter with KPI values), both modes.

    ``orders``: the dispatch orders (:meth:`DispatchStore.orders`) for the closed-loop board;
    None reads the event history. ``as_of`` (UTC) caps when the orders are judged.
    """
    st = _static(con)
    cfg = config or st.config
    pal, units, ps = st.palette, st.units, st.periods
    if period is None:
        if not ps:
            return _empty(pal, cfg)
        period = ps[-1]
    previous = previous_period(period)
    has_prev = previous in ps
    codes = units["unit_code"].tolist()
    fr = _frame(con, [period, previous] if has_prev else [period], st, orders, as_of, cfg)
    cols, nb = fr.columns, len(fr.kpi_boards)
    cur = fr.scores[0]
    prev_total = fr.scores[1][:, -1] if has_prev else np.full(len(codes), np.nan)

    cl = fr.closed[fr.closed["period"] == period].reset_index(drop=True)
    status = np.where(np.isnan(cur), "nodata", "ok").astype(object)
    status[:, nb] = np.where(~np.isnan(cur[:, nb]), "ok",
                             np.where(cl["status"].to_numpy() == "insufficient",
                                      "insufficient", "nodata"))
    ranks = np.stack([_ranks_np(cur[:, j]) for j in range(len(cols))], axis=1)
    lv_abs = np.stack([_levels_np(cur[:, j], pal, "absolute") for j in range(len(cols))], 1)
    lv_q = np.stack([_levels_np(cur[:, j], pal, "quintile") for j in range(len(cols))], 1)
    coverage = np.concatenate([fr.coverage[0], np.full((len(codes), 2), np.nan)], axis=1)

    # the ranking, best first, ties by unit code
    total = cur[:, -1]
    rank = ranks[:, -1]
    prev_rank = _ranks_np(prev_total)
    order = np.lexsort((np.array(codes), np.where(np.isnan(rank), np.inf, rank)))
    names = units["unit_name"].to_numpy()
    nc = len(cols)
    cells = pd.DataFrame({
        "unit_code": np.repeat(np.array(codes, dtype=object)[order], nc),
        "column": np.tile(np.array(cols, dtype=object), len(codes)),
        "score": cur[order].ravel(), "status": status[order].ravel(),
        "coverage": coverage[order].ravel(),
        "rank": pd.array(ranks[order].ravel(), dtype="Int64"),
        "level_absolute": pd.array(lv_abs[order].ravel(), dtype="Int64"),
        "level_quintile": pd.array(lv_q[order].ravel(), dtype="Int64")})
    scores = pd.DataFrame(cur[order], columns=cols)
    scores.insert(0, "unit_name", names[order])
    scores.insert(0, "unit_code", np.array(codes, dtype=object)[order])
    with np.errstate(invalid="ignore"):
        ranking = pd.DataFrame({
            "unit_code": np.array(codes, dtype=object)[order], "unit_name": names[order],
            "total": total[order],
            "status": np.where(np.isnan(total[order]), "nodata", "ok"),
            "rank": pd.array(rank[order], dtype="Int64"),
            "prev_total": prev_total[order],
            "prev_rank": pd.array(prev_rank[order], dtype="Int64"),
            "rank_change": pd.array((prev_rank - rank)[order], dtype="Int64"),
            "score_change": _round1(total - prev_total)[order],
            "level_absolute": pd.array(lv_abs[order, -1], dtype="Int64"),
            "level_quintile": pd.array(lv_q[order, -1], dtype="Int64")})
    cl = cl.set_index("unit_code").loc[ranking["unit_code"]].reset_index().drop(columns="period")
    return QuarterEvaluation(period, previous if has_prev else None, [*fr.kpi_boards,
                             CLOSED_LOOP], pal, scores, cells, ranking, cl, cfg)


def _empty(pal: list[dict], cfg: EvalConfig) -> QuarterEvaluation:
    e = pd.DataFrame()
    return QuarterEvaluation(None, None, [], pal, e, e, e, e, cfg)


# --------------------------------------------------------------------------- views


def top_bottom(ev: QuarterEvaluation, n: int = 5) -> dict[str, dict[str, list[tuple]]]:
    """Per board (and the total): the top and bottom ``n`` units as (rank, code, name, score).

    Bottom is listed worst first. Units without a score are left out.
    """
    names = dict(zip(ev.scores["unit_code"], ev.scores["unit_name"]))
    out: dict[str, dict[str, list[tuple]]] = {}
    for c in ev.columns:
        d = ev.cells[(ev.cells["column"] == c) & ev.cells["score"].notna()]
        rows = sorted(((int(r), u, str(names.get(u, u)), float(s)) for u, r, s in
                       zip(d["unit_code"], d["rank"], d["score"])), key=lambda x: (x[0], x[1]))
        bottom = sorted(rows, key=lambda x: (-x[0], x[1]))[:n]
        out[c] = {"top": rows[:n], "bottom": bottom}
    return out


def compare(a: QuarterEvaluation, b: QuarterEvaluation) -> pd.DataFrame:
    """Two quarters side by side: unit_code, unit_name, rank_a, total_a, rank_b, total_b,
    rank_change (rank_a − rank_b: positive when b is better), score_change (b − a)."""
    ra = a.ranking[["unit_code", "unit_name", "rank", "total"]].rename(
        columns={"rank": "rank_a", "total": "total_a"})
    rb = b.ranking[["unit_code", "unit_name", "rank", "total"]].rename(
        columns={"rank": "rank_b", "total": "total_b", "unit_name": "name_b"})
    df = ra.merge(rb, on="unit_code", how="outer")
    df["unit_name"] = df["unit_name"].fillna(df.pop("name_b"))
    df["rank_change"] = (df["rank_a"] - df["rank_b"]).astype("Int64")
    df["score_change"] = (df["total_b"] - df["total_a"]).round(1)
    return df.sort_values(["rank_b", "unit_code"], na_position="last").reset_index(drop=True)


def kpi_table(con: duckdb.DuckDBPyConnection, period: str, unit_code: str | None = None,
              config: EvalConfig | None = None) -> pd.DataFrame:
    """Every KPI for a quarter: for one unit, or city-wide (None: means over ranked units).

    Columns: kpi_id, name, board, runway, unit, direction, weight, target, value, score,
    prev_value, change (value − prev_value), prev_score, score_change.
    """
    st = _static(con)
    cfg = config or st.config
    prev = previous_period(period)
    units = [unit_code] if unit_code is not None else st.codes
    s = kpi_scores(con, [period, prev], units, cfg)
    s = s.groupby(["kpi_id", "period"], as_index=False).agg(
        value=("value", "mean"), score=("score", "mean"))
    cur = s[s["period"] == period].set_index("kpi_id")[["value", "score"]]
    old = s[s["period"] == prev].set_index("kpi_id")[["value", "score"]]
    k = con.execute("SELECT kpi_id, name, board, runway, unit, direction, weight, target "
                    "FROM kpi").df().set_index("kpi_id")
    df = k.join(cur).join(old.rename(columns={"value": "prev_value", "score": "prev_score"}))
    df["change"] = df["value"] - df["prev_value"]
    df["score_change"] = df["score"] - df["prev_score"]
    df = df.reset_index()
    df["_b"] = df["board"].map(lambda b: _board_order(b)[0])
    df = df.sort_values(["_b", "board", "kpi_id"]).drop(columns="_b").reset_index(drop=True)
    return df[["kpi_id", "name", "board", "runway", "unit", "direction", "weight", "target",
               "value", "score", "prev_value", "change", "prev_score", "score_change"]]


def kpi_breakdown(con: duckdb.DuckDBPyConnection, period: str, unit_code: str, board: str,
                  config: EvalConfig | None = None) -> pd.DataFrame:
    """One unit's KPIs on one board, with each KPI's share of the board score.

    ``kpi_table`` columns plus ``share`` (the KPI's weight ÷ the weight of the board's KPIs
    with a value) and ``points_lost`` (share × (100 − score)), most points lost first.
    """
    df = kpi_table(con, period, unit_code, config)
    df = df[df["board"] == board].copy()
    w = df["weight"].where(df["score"].notna())
    df["share"] = w / w.sum() if w.sum() else np.nan
    df["points_lost"] = df["share"] * (100 - df["score"])
    return df.sort_values(["points_lost", "kpi_id"], ascending=[False, True],
                          na_position="last").reset_index(drop=True)


def board_scores(con: duckdb.DuckDBPyConnection, period: str, unit_code: str | None = None,
                 mode: str = "absolute", orders: pd.DataFrame | None = None,
                 config: EvalConfig | None = None, closed_loop_board: bool = False
                 ) -> pd.DataFrame:
    """The boards' scores for a quarter: one unit's, or city-wide (None: means over units).

    Columns: board, score, status, level, label, colour, prev_score, change. The city-wide
    level is by absolute thresholds (there is no rank to take a quintile of).
    """
    ev = evaluate_quarter(con, period, orders, config)
    prev = evaluate_quarter(con, ev.previous, orders, config) if ev.previous else None
    boards = ev.boards if closed_loop_board else [b for b in ev.boards if b != CLOSED_LOOP]
    rows = []
    for b in boards:
        if unit_code is None:
            score = _float(ev.scores[b].mean(skipna=True))
            old = _float(prev.scores[b].mean(skipna=True)) if prev is not None else None
            score = None if score is None else float(_round1(score))
            old = None if old is None else float(_round1(old))
            info = colour_for(score, ev.scheme)
            status = "ok" if score is not None else "nodata"
        else:
            cell = ev.cell(unit_code, b, mode)
            score, status = cell["score"], cell["status"]
            info = cell
            old = prev.cell(unit_code, b, mode)["score"] if prev is not None else None
        rows.append({"board": b, "score": score, "status": status, "level": info["level"],
                     "label": info["label"], "colour": info["colour"], "prev_score": old,
                     "change": None if score is None or old is None
                     else float(_round1(score - old))})
    return pd.DataFrame(rows)


def trend(con: duckdb.DuckDBPyConnection, unit_code: str, column: str = TOTAL, last: int = 8,
          up_to: str | None = None, orders: pd.DataFrame | None = None,
          config: EvalConfig | None = None) -> pd.DataFrame:
    """A unit's score on a board (or the total) over the last ``last`` quarters up to
    ``up_to``: period, score, city_mean, rank, units (how many had a score)."""
    st = _static(con)
    cfg = config or st.config
    ps = st.periods
    if up_to in ps:
        ps = ps[:ps.index(up_to) + 1]
    ps = ps[-last:]
    if not ps:
        return pd.DataFrame(columns=["period", "score", "city_mean", "rank", "units"])
    codes = st.codes
    fr = _frame(con, ps, st, orders, None, cfg)
    j = fr.columns.index(column) if column in fr.columns else None
    rows = []
    for k, p in enumerate(ps):
        s = fr.scores[k][:, j] if j is not None else np.full(len(codes), np.nan)
        ranks = _ranks_np(s)
        i = codes.index(unit_code) if unit_code in codes else None
        valid = s[~np.isnan(s)]
        rows.append({"period": p, "score": None if i is None else _float(s[i]),
                     "city_mean": float(_round1(valid.mean())) if len(valid) else None,
                     "rank": None if i is None else _int(ranks[i]),
                     "units": int(len(valid))})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- helpers


def _one(con: duckdb.DuckDBPyConnection, sql: str) -> tuple | None:
    """The first row, with the result fetched to the end (a half-read result blocks the
    connection)."""
    rows = con.execute(sql).fetchall()
    return rows[0] if rows else None


def _float(x) -> float | None:
    try:
        f = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def _int(x) -> int | None:
    if x is None or x is pd.NA:
        return None
    try:
        f = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else int(f)
