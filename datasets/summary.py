"""Plain answers for the four regions of the screen, as of a moment in time.

Every function takes a DuckDB connection (a cursor of the catalog) and returns plain Python
values or DataFrames; nothing here knows about Qt. The later panels (gauges, evaluation,
dispatch) replace the simple views with their own engines, but the questions stay the same:
"what does the city look like as of t?".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import duckdb
import pandas as pd
from cockpit.datasets.schema import RISK_LEVELS


@dataclass(frozen=True)
class UnitInfo:
    """The dataset's top unit and the units it ranks."""

    top_code: str
    top_name: str
    ranked_level: str
    ranked_count: int


@dataclass(frozen=True)
class RiskSummary:
    total: int
    by_level: dict[int, int]  # level 1..4 -> count
    categories: int
    top_categories: list[tuple[str, int]]  # (name, count), largest first


@dataclass(frozen=True)
class VitalSummary:
    indicators: int
    as_of: datetime
    # domain -> {"normal": n, "warning": n, "alarm": n, "nodata": n}
    by_domain: dict[str, dict[str, int]]
    worst: pd.DataFrame  # indicator_id, name, domain, unit, value, status, unit_name


@dataclass(frozen=True)
class EventSummary:
    as_of: datetime
    today_total: int
    today_by_source: dict[str, int]
    last_24h: int
    latest: pd.DataFrame  # event_id, occurred_at, source, severity, title, type_name, district
    response_targets: dict[str, float] = field(default_factory=dict)  # median minutes


@dataclass(frozen=True)
class EvaluationSummary:
    period: str | None
    previous: str | None
    boards: list[str]
    scheme: pd.DataFrame  # level, colour, label, min_score
    # unit_code, unit_name, total, rank, prev_rank, colour, label and one column per board
    ranking: pd.DataFrame


def unit_info(con: duckdb.DuckDBPyConnection) -> UnitInfo:
    """The top unit (no parent) and the level of the units it ranks."""
    top = con.execute(
        "SELECT code, name, level FROM admin_unit WHERE parent_code IS NULL LIMIT 1"
    ).fetchone()
    if top is None:
        raise ValueError("admin_unit has no top unit")
    ranked = con.execute(
        """SELECT level, count(*) FROM admin_unit
           WHERE coalesce(ranked, parent_code = ?) GROUP BY level ORDER BY count(*) DESC LIMIT 1""",
        [top[0]],
    ).fetchone()
    return UnitInfo(top[0], top[1], ranked[0] if ranked else "district", ranked[1] if ranked else 0)


def risk_summary(con: duckdb.DuckDBPyConnection, top: int = 6) -> RiskSummary:
    """Risk points by level and the largest categories."""
    by_level = dict(con.execute(
        "SELECT level, count(*) FROM risk_point GROUP BY level ORDER BY level").fetchall())
    by_level = {lv: int(by_level.get(lv, 0)) for lv in RISK_LEVELS}
    cats = con.execute(
        """SELECT c.name, count(*) AS n FROM risk_point p JOIN risk_category c USING (category_id)
           GROUP BY c.name ORDER BY n DESC, c.name LIMIT ?""", [top]).fetchall()
    ncat = con.execute("SELECT count(*) FROM risk_category").fetchone()[0]
    return RiskSummary(sum(by_level.values()), by_level, int(ncat),
                       [(str(n), int(c)) for n, c in cats])


def data_time_range(con: duckdb.DuckDBPyConnection) -> tuple[datetime | None, datetime | None]:
    """First and last moment the dataset's events and readings cover."""
    e = con.execute("SELECT min(occurred_at), max(occurred_at) FROM event").fetchone()
    r = con.execute("SELECT min(ts), max(ts) FROM vital_reading").fetchone()
    lows = [x for x in (e[0], r[0]) if x is not None]
    highs = [x for x in (e[1], r[1]) if x is not None]
    return (min(lows) if lows else None), (max(highs) if highs else None)


_STATUS_SQL = """
WITH latest AS (
    SELECT indicator_id, arg_max(value, ts) AS value, max(ts) AS ts
    FROM vital_reading
    WHERE ts <= $as_of AND ts > $as_of - INTERVAL 6 HOUR
    GROUP BY indicator_id
)
SELECT s.indicator_id, s.name, s.domain, s.unit, l.value, l.ts,
       CASE
         WHEN l.value IS NULL THEN 'nodata'
         WHEN l.value < s.alarm_low OR l.value > s.alarm_high THEN 'alarm'
         WHEN l.value < s.warn_low OR l.value > s.warn_high THEN 'warning'
         ELSE 'normal' END AS status,
       -- how far past its band the value is, relative to the band's width (for "worst")
       CASE
         WHEN l.value IS NULL THEN NULL
         ELSE greatest(
           coalesce((l.value - s.warn_high) / nullif(abs(s.alarm_high - s.warn_high), 0), -1),
           coalesce((s.warn_low - l.value) / nullif(abs(s.warn_low - s.alarm_low), 0), -1))
       END AS excess,
       u.name AS unit_name
FROM vital_sign s
LEFT JOIN latest l USING (indicator_id)
LEFT JOIN admin_unit u ON u.code = s.unit_code
"""


def vital_status(con: duckdb.DuckDBPyConnection, as_of: datetime) -> pd.DataFrame:
    """Each vital sign's latest value at or before ``as_of`` and its status."""
    return con.execute(_STATUS_SQL, {"as_of": as_of}).df()


def vital_summary(con: duckdb.DuckDBPyConnection, as_of: datetime, worst: int = 8) -> VitalSummary:
    """Counts per domain of normal / warning / alarm / no-data vital signs as of ``as_of``."""
    df = vital_status(con, as_of)
    by_domain: dict[str, dict[str, int]] = {}
    for (domain, status), n in df.groupby(["domain", "status"]).size().items():
        by_domain.setdefault(str(domain), {"normal": 0, "warning": 0, "alarm": 0, "nodata": 0})
        by_domain[str(domain)][str(status)] = int(n)
    order = {"alarm": 0, "warning": 1}
    bad = df[df["status"].isin(order)].copy()
    bad["o"] = bad["status"].map(order)
    bad = bad.sort_values(["o", "excess"], ascending=[True, False]).head(worst)
    return VitalSummary(len(df), as_of, by_domain, bad.drop(columns=["o"]).reset_index(drop=True))


def event_summary(con: duckdb.DuckDBPyConnection, as_of: datetime, latest: int = 60) -> EventSummary:
    """Events of the day so far by source, the last 24 hours, and the newest events."""
    day = as_of.replace(hour=0, minute=0, second=0, microsecond=0)
    by_source = dict(con.execute(
        """SELECT source, count(*) FROM event WHERE occurred_at >= ? AND occurred_at <= ?
           GROUP BY source ORDER BY 2 DESC""", [day, as_of]).fetchall())
    last24 = con.execute("SELECT count(*) FROM event WHERE occurred_at > ? AND occurred_at <= ?",
                         [as_of - timedelta(hours=24), as_of]).fetchone()[0]
    rows = con.execute(
        """SELECT e.event_id, e.occurred_at, e.source, e.severity, e.title,
                  t.name AS type_name, u.name AS district, t.react_min, t.handle_min
           FROM event e
           LEFT JOIN event_type t USING (type_id)
           LEFT JOIN admin_unit u ON u.code = e.district_code
           WHERE e.occurred_at <= ? AND e.occurred_at > ?
           ORDER BY e.occurred_at DESC, e.event_id DESC LIMIT ?""",
        [as_of, as_of - timedelta(days=7), latest]).df()
    targets = con.execute(
        "SELECT median(react_min), median(verify_min), median(handle_min) FROM event_type"
    ).fetchone()
    return EventSummary(as_of, int(sum(by_source.values())),
                        {str(k): int(v) for k, v in by_source.items()}, int(last24), rows,
                        {"react": float(targets[0] or 0), "verify": float(targets[1] or 0),
                         "handle": float(targets[2] or 0)})


def response_targets(con: duckdb.DuckDBPyConnection) -> dict[str, float]:
    """Median react / verify / handle minutes over the event types."""
    r = con.execute("SELECT median(react_min), median(verify_min), median(handle_min) "
                    "FROM event_type").fetchone()
    return {"react": float(r[0] or 0), "verify": float(r[1] or 0), "handle": float(r[2] or 0)}


def periods(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The quarters that have KPI values, oldest first."""
    return [r[0] for r in con.execute("SELECT DISTINCT period FROM kpi_value ORDER BY 1").fetchall()]


# A KPI's score from its attainment a (value / target, or target / value when lower is
# better): 0 at a <= 60 %, 80 exactly on target, 100 at a >= 110 %, linear in between — so
# one outlier cannot carry a board, and "on target" lands on the 良好 threshold. Missing
# values stay missing (NULL), never zero.
_SCORES_SQL = """
WITH a AS (
    SELECT v.unit_code, v.period, k.board, k.weight,
           CASE WHEN v.value IS NULL OR k.target IS NULL OR k.target = 0 THEN NULL
                WHEN k.direction = 'higher' THEN v.value / k.target
                WHEN v.value <= 0 THEN 1.1
                ELSE k.target / v.value END AS att
    FROM kpi_value v JOIN kpi k USING (kpi_id)
    WHERE v.period IN (SELECT unnest($periods))
), s AS (
    SELECT unit_code, period, board, weight,
           CASE WHEN att IS NULL THEN NULL
                WHEN att <= 0.6 THEN 0.0
                WHEN att <= 1.0 THEN 200 * (att - 0.6)
                ELSE least(100.0, 80 + 200 * (att - 1.0)) END AS score
    FROM a
), b AS (
    SELECT unit_code, period, board,
           sum(score * weight) / nullif(sum(CASE WHEN score IS NOT NULL THEN weight END), 0) AS score
    FROM s GROUP BY ALL
)
SELECT b.*, u.name AS unit_name FROM b JOIN admin_unit u ON u.code = b.unit_code
"""


def evaluation_summary(con: duckdb.DuckDBPyConnection, period: str | None = None) -> EvaluationSummary:
    """Board and total scores per ranked unit for a quarter (default: the latest), with ranks
    and the rank of the quarter before."""
    ps = periods(con)
    scheme = con.execute("SELECT level, colour, label, min_score FROM eval_scheme "
                         "ORDER BY min_score DESC").df()
    if not ps:
        return EvaluationSummary(None, None, [], scheme, pd.DataFrame())
    period = period if period in ps else ps[-1]
    i = ps.index(period)
    previous = ps[i - 1] if i > 0 else None
    wanted = [p for p in (period, previous) if p]
    df = con.execute(_SCORES_SQL, {"periods": wanted}).df()
    boards = sorted(df["board"].unique().tolist(), key=_board_order)
    wide = df.pivot_table(index=["unit_code", "unit_name", "period"], columns="board",
                          values="score").reset_index()
    wide["total"] = wide[boards].mean(axis=1, skipna=True)
    cur = wide[wide["period"] == period].copy()
    cur["rank"] = cur["total"].rank(ascending=False, method="min")
    if previous:
        prev = wide[wide["period"] == previous][["unit_code", "total"]].copy()
        prev["prev_rank"] = prev["total"].rank(ascending=False, method="min")
        cur = cur.merge(prev[["unit_code", "prev_rank"]], on="unit_code", how="left")
    else:
        cur["prev_rank"] = pd.NA
    cur[["colour", "label"]] = cur["total"].apply(lambda s: pd.Series(_colour(scheme, s)))
    cur = cur.sort_values(["rank", "unit_code"]).reset_index(drop=True)
    return EvaluationSummary(period, previous, boards, scheme, cur.drop(columns=["period"]))


def _board_order(name: str) -> tuple[int, str]:
    from cockpit.datasets.schema import BOARDS

    return (BOARDS.index(name) if name in BOARDS else len(BOARDS), name)


def _colour(scheme: pd.DataFrame, score: float | None) -> tuple[str, str]:
    if score is None or pd.isna(score):
        return "#5a6270", "无数据"
    for row in scheme.itertuples():
        if score >= row.min_score:
            return str(row.colour), str(row.label)
    return "#5a6270", "无数据"


def facility_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return {str(k): int(v) for k, v in con.execute(
        "SELECT kind, count(*) FROM facility GROUP BY kind ORDER BY 2 DESC").fetchall()}


def risk_density_by_unit(con: duckdb.DuckDBPyConnection,
                         level: str = "district") -> dict[str, dict[str, float]]:
    """Risk points per district (or per street, for a district centre's dataset): total and
    major (level 1–2), for the map's choropleth."""
    column = {"district": "district_code", "street": "street_code"}.get(level)
    if column is None:
        raise ValueError(f"risk density by {level!r} is not supported")
    rows = con.execute(
        f"""SELECT {column}, count(*), count(*) FILTER (WHERE level <= 2)
            FROM risk_point WHERE {column} IS NOT NULL GROUP BY {column}""").fetchall()
    return {str(c): {"total": int(n), "major": int(m)} for c, n, m in rows}
