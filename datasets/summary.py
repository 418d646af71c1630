"""Plain answers about the dataset that do not move with the clock: its units, its risk
points and facilities, its response targets — plus the plain (no hysteresis) status of the
vital signs, the reference the vitals engine is tested against.

Every function takes a DuckDB connection (a cursor of the catalog) and returns plain Python
values or DataFrames; nothing here knows about Qt. What moves with the clock has its own
engine: ``vitals`` (vital signs), ``evaluation`` (five colours), ``dispatch`` (orders).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

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
    top_level: str = "city"  # admin_unit.level of the top unit: city, district, street …


@dataclass(frozen=True)
class RiskSummary:
    total: int
    by_level: dict[int, int]  # level 1..4 -> count
    categories: int
    top_categories: list[tuple[str, int]]  # (name, count), largest first


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
    return UnitInfo(top[0], top[1], ranked[0] if ranked else "district",
                    ranked[1] if ranked else 0, str(top[2] or "city"))


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


def response_targets(con: duckdb.DuckDBPyConnection) -> dict[str, float]:
    """Median react / verify / handle minutes over the event types."""
    r = con.execute("SELECT median(react_min), median(verify_min), median(handle_min) "
                    "FROM event_type").fetchone()
    return {"react": float(r[0] or 0), "verify": float(r[1] or 0), "handle": float(r[2] or 0)}


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
