"""The vital signs themselves: the indicator table, thresholds and dead bands, and the
time units the engine counts in. The rules are in the package docstring."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import duckdb
import numpy as np
from cockpit.datasets.schema import VITAL_DOMAINS

NODATA, NORMAL, WARNING, ALARM = -1, 0, 1, 2
STATE_NAMES = {NODATA: "nodata", NORMAL: "normal", WARNING: "warning", ALARM: "alarm"}
#: Dead band, as a fraction of the side's band width, that a value must come back by.
HYSTERESIS = 0.10
#: Each reading's state is replayed over the readings of this window before it.
WINDOW = timedelta(hours=2)
#: At most this many readings are replayed per window (guards very dense series).
MAX_REPLAY = 64
#: No reading for this long: the status is "nodata".
STALE = timedelta(hours=2)
#: How far back the start of an alarm that is already on is looked for.
LOOKBACK = timedelta(hours=24)

_EPOCH = datetime(1970, 1, 1)
_US = 1_000_000
ALARM_ID_BASE = 1 << 52

def to_us(t: datetime) -> int:
    """Microseconds since 1970 of a naive local time (the catalog's time scale)."""
    if t.tzinfo is not None:
        t = t.replace(tzinfo=None)
    return (t - _EPOCH) // timedelta(microseconds=1)


def from_us(us: int) -> datetime:
    return _EPOCH + timedelta(microseconds=int(us))


# ------------------------------------------------------------------------------- the signs


@dataclass(frozen=True, eq=False)
class Signs:
    """The vital-sign table, ordered by ``indicator_id``; position ``i`` is sign number ``i``.

    Per sign: where an alarm of it is placed (``lon``/``lat`` of its risk point when
    ``point_id`` is set, else of its admin unit; ``district_code`` and ``street_code`` of the
    same), the event type it is dispatched as (``type_id``, None when the dataset has none
    that fits), the thresholds (NaN = none) and the dead bands of both sides.
    """

    ids: list[str]
    name: list[str]
    domain: list[str]
    unit: list[str]
    unit_code: list[str]
    unit_name: list[str]
    district_code: list[str]
    street_code: list[str | None]
    point_id: list[int | None]
    point_level: np.ndarray
    type_id: list[str | None]
    lon: np.ndarray
    lat: np.ndarray
    warn_low: np.ndarray
    warn_high: np.ndarray
    alarm_low: np.ndarray
    alarm_high: np.ndarray
    dead_low: np.ndarray
    dead_high: np.ndarray
    width_low: np.ndarray
    width_high: np.ndarray
    index: dict[str, int]
    #: rowid ranges of each sign in ``vital_reading`` (first, count), when the table is
    #: stored contiguously per indicator (the catalog sorts it); else None
    row_start: np.ndarray | None = None
    #: derived values computed once (e.g. the table's static columns)
    cache: dict = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.ids)

    def number(self, indicator_id: str) -> int:
        try:
            return self.index[indicator_id]
        except KeyError:
            raise KeyError(f"no vital sign {indicator_id!r}") from None

    def domains(self) -> list[str]:
        """The domains present, in the house order (水 电 气 …) then by name."""
        present = set(self.domain)
        return [d for d in VITAL_DOMAINS if d in present] + sorted(present - set(VITAL_DOMAINS))

    def levels(self, numbers: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The plain level of each value and the level it may hold (with the dead band)."""
        wl, wh = self._inf(self.warn_low, -1)[numbers], self._inf(self.warn_high, 1)[numbers]
        al, ah = self._inf(self.alarm_low, -1)[numbers], self._inf(self.alarm_high, 1)[numbers]
        dl, dh = self.dead_low[numbers], self.dead_high[numbers]
        v = values
        enter = np.where((v > ah) | (v < al), ALARM,
                         np.where((v > wh) | (v < wl), WARNING, NORMAL)).astype(np.int8)
        hold = np.where((v > ah - dh) | (v < al + dl), ALARM,
                        np.where((v > wh - dh) | (v < wl + dl), WARNING, NORMAL)).astype(np.int8)
        return enter, hold

    def excess(self, numbers: np.ndarray, values: np.ndarray) -> np.ndarray:
        """How far each value is beyond its normal band, in band widths (<= 0: inside)."""
        hi_in = np.where(np.isnan(self.warn_high), self.alarm_high, self.warn_high)[numbers]
        lo_in = np.where(np.isnan(self.warn_low), self.alarm_low, self.warn_low)[numbers]
        with np.errstate(invalid="ignore", divide="ignore"):
            up = (values - hi_in) / self.width_high[numbers]
            down = (lo_in - values) / self.width_low[numbers]
        return np.fmax(np.nan_to_num(up, nan=-np.inf), np.nan_to_num(down, nan=-np.inf))

    @staticmethod
    def _inf(a: np.ndarray, sign: int) -> np.ndarray:
        return np.where(np.isnan(a), sign * np.inf, a)


def _widths(wl, wh, al, ah) -> tuple[np.ndarray, np.ndarray]:
    """The band width of each side that the dead band is a fraction of (see the module doc)."""
    hi_in = np.where(np.isnan(wh), ah, wh)
    lo_in = np.where(np.isnan(wl), al, wl)
    inner = hi_in - lo_in
    inner = np.where(np.isfinite(inner) & (inner > 0), inner, np.nan)

    def side(w, a, thr):
        gap = np.abs(a - w)
        gap = np.where(np.isfinite(gap) & (gap > 0), gap, np.nan)
        out = np.where(np.isnan(gap), inner, gap)
        out = np.where(np.isnan(out), np.abs(thr), out)
        return np.where(np.isnan(out), 0.0, out)

    return side(wl, al, lo_in), side(wh, ah, hi_in)


def make_signs(rows: list[dict], row_start: np.ndarray | None = None,
               event_types: set[str] | None = None) -> Signs:
    """Signs from plain rows (keys as :func:`load_signs` selects them), sorted by id."""
    rows = sorted(rows, key=lambda r: r["indicator_id"])

    def f(key: str) -> np.ndarray:
        return np.array([np.nan if r.get(key) is None else float(r[key]) for r in rows], float)

    wl, wh, al, ah = f("warn_low"), f("warn_high"), f("alarm_low"), f("alarm_high")
    width_low, width_high = _widths(wl, wh, al, ah)
    # the dataset's own link (vital_sign.event_type_id); a type the dataset does not have
    # counts as none: the operator chooses when dispatching
    types = [r.get("event_type_id") or None for r in rows]
    types = [t if t is None or event_types is None or t in event_types else None
             for t in types]
    has_point = [r.get("point_id") is not None and r.get("p_lon") is not None for r in rows]
    return Signs(
        ids=[r["indicator_id"] for r in rows],
        name=[r["name"] for r in rows],
        domain=[r["domain"] for r in rows],
        unit=[r.get("unit") or "" for r in rows],
        unit_code=[r["unit_code"] for r in rows],
        unit_name=[r.get("unit_name") or r["unit_code"] for r in rows],
        district_code=[(r.get("p_district") if hp else None) or r.get("district_code")
                       or r["unit_code"] for r, hp in zip(rows, has_point, strict=True)],
        street_code=[(r.get("p_street") if hp else None) or r.get("street_code")
                     for r, hp in zip(rows, has_point, strict=True)],
        point_id=[int(r["point_id"]) if r.get("point_id") is not None else None for r in rows],
        point_level=np.array([int(r.get("p_level") or 0) for r in rows], int),
        type_id=types,
        lon=np.array([float(r["p_lon"] if hp else (r.get("u_lon") or np.nan))
                      for r, hp in zip(rows, has_point, strict=True)]),
        lat=np.array([float(r["p_lat"] if hp else (r.get("u_lat") or np.nan))
                      for r, hp in zip(rows, has_point, strict=True)]),
        warn_low=wl, warn_high=wh, alarm_low=al, alarm_high=ah,
        dead_low=HYSTERESIS * width_low, dead_high=HYSTERESIS * width_high,
        width_low=np.where(width_low > 0, width_low, 1.0),
        width_high=np.where(width_high > 0, width_high, 1.0),
        index={r["indicator_id"]: i for i, r in enumerate(rows)},
        row_start=row_start,
    )


_SIGNS_SQL = """
SELECT s.indicator_id, s.name, s.domain, s.unit, s.unit_code, s.warn_low, s.warn_high,
       s.alarm_low, s.alarm_high, s.point_id, s.event_type_id,
       u.name AS unit_name, u.level AS unit_level, u.parent_code, u.lon AS u_lon, u.lat AS u_lat,
       p.lon AS p_lon, p.lat AS p_lat, p.district_code AS p_district,
       p.street_code AS p_street, p.level AS p_level
FROM vital_sign s
LEFT JOIN admin_unit u ON u.code = s.unit_code
LEFT JOIN risk_point p ON p.point_id = s.point_id
ORDER BY s.indicator_id
"""


def load_signs(con: duckdb.DuckDBPyConnection, extra: list[dict] | None = None) -> Signs:
    """The vital-sign table with each sign's place and event type (read once per catalog).

    ``extra``: signs the dataset does not have (rows keyed as :func:`make_signs` takes them,
    with ``district_code`` and ``u_lon``/``u_lat``; a drill's own indicator), readings of
    which come from elsewhere (:class:`cockpit.datasets.vitals.monitor.ScriptedSign`)."""
    cols = {r[0] for r in con.execute("DESCRIBE vital_sign").fetchall()}
    sql = _SIGNS_SQL if "event_type_id" in cols else _SIGNS_SQL.replace(
        "s.event_type_id", "NULL::VARCHAR AS event_type_id")
    cur = con.execute(sql)
    cols = [d[0] for d in cur.description]
    rows = [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
    added = {r["indicator_id"] for r in extra or ()} - {r["indicator_id"] for r in rows}
    # the district (and street) of each sign's unit: walk up admin_unit from the unit
    units = dict(con.execute(
        "SELECT code, struct_pack(level := level, parent := parent_code) FROM admin_unit "
        "WHERE level IN ('city', 'district', 'street', 'community')").fetchall())
    for r in rows:
        code, street = r["unit_code"], None
        for _ in range(6):
            u = units.get(code)
            if u is None or u["level"] in ("city", "district"):
                break
            if u["level"] == "street":
                street = code
            code = u["parent"]
        r["district_code"] = code if code in units else r["unit_code"]
        r["street_code"] = street
    if added:  # numbered among the dataset's by id, as make_signs sorts them
        rows = sorted(rows + [dict(r) for r in extra if r["indicator_id"] in added],
                      key=lambda r: r["indicator_id"])
    types = {t for (t,) in con.execute("SELECT type_id FROM event_type").fetchall()}
    # rowid layout: the catalog stores vital_reading sorted by (indicator_id, ts)
    seg = con.execute(
        "SELECT indicator_id, min(rowid), max(rowid), count(*) FROM vital_reading "
        "GROUP BY indicator_id ORDER BY indicator_id").fetchall()
    row_start = None
    index = {r["indicator_id"]: i for i, r in enumerate(rows)}
    if seg and all(hi - lo + 1 == n for _, lo, hi, n in seg) and all(s[0] in index for s in seg):
        starts = np.array([s[1] for s in seg], np.int64)
        if np.all(np.diff(starts) > 0):
            row_start = np.full(len(rows), -1, np.int64)
            for ind, lo, _hi, _n in seg:
                row_start[index[ind]] = lo
    return make_signs(rows, row_start, types)
