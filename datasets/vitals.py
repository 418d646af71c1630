"""City vital signs (城市体征): the status of every indicator as of a moment, its excursions,
and the alarm events they raise. No Qt; plain values and numpy arrays out.

Rules (the README's text; the tests check each one):

- **Levels.** A reading is *alarm* when it is strictly beyond an alarm threshold
  (``value > alarm_high`` or ``value < alarm_low``), else *warning* when strictly beyond a
  warning threshold (``value > warn_high`` or ``value < warn_low``), else *normal*. A value
  exactly on a threshold is inside: ``value == alarm_high`` is not alarm (it is warning when
  ``alarm_high > warn_high``). Empty thresholds do not apply; an indicator may have only one
  side, or only alarm thresholds.
- **Hysteresis.** A state is entered at once but left only when the value is back inside by a
  dead band: ``HYSTERESIS`` (10 %) of the side's band width, the width being the warning band
  on that side (``alarm_high − warn_high``), else the distance between the two innermost
  thresholds of both sides (``warn_high − warn_low``), else the threshold's own magnitude. So
  an indicator in alarm above ``alarm_high`` stays in alarm while ``value > alarm_high − d``
  and drops (to warning or normal, as the value says with the same dead band) once
  ``value <= alarm_high − d``. A value hovering at a threshold does not flap.
- **Replay window.** Each reading's state is the state machine
  ``s = max(level(v), min(s, held_level(v)))`` replayed over the readings of its own window
  ``(ts − WINDOW, ts]`` (2 h, at most ``MAX_REPLAY`` = 64 readings), starting from the plain
  level of the window's first reading. This is the approximation that makes the whole city
  computable in a few milliseconds: the dead band holds a state for at most 2 h after the value
  was last beyond the threshold; a value that stays in the dead band longer drops a level.
- **Status as of t** is the state of the indicator's latest reading at or before ``t``;
  *nodata* when there is none within ``STALE`` (2 h) before ``t``.
- **Excursions** are the runs of consecutive readings in the same non-normal state; a run
  ends at the first reading in another state (``left_at`` = that reading's time) or, when the
  indicator goes silent, ``STALE`` after its last reading. Because status and excursions come
  from the same per-reading states, they agree for every ``t``: replay is not a second path.
- **Alarm events.** One alarm event per alarm excursion (a run of alarm readings), not one
  per reading. Its id is deterministic (:func:`alarm_event_id`: ``2**52`` plus 52 bits of a
  hash of indicator and entry time, exact in JSON/JavaScript, far above the catalog's ids), so
  replaying the same moment gives the same events.

Data flow: :func:`load_signs` reads the static indicator table once; :func:`fetch_readings`
reads a time range of readings into a :class:`Readings` (sorted by indicator and time,
plain numpy arrays; simulated readings merge in with :meth:`Readings.merge`);
:func:`evaluate` and :func:`excursions_in` answer from a :class:`Readings`;
:func:`status_as_of` and :func:`excursions` are the one-call versions on a connection.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

import duckdb
import numpy as np
from cockpit.datasets.schema import VITAL_DOMAINS

__all__ = [
    "ALARM", "NODATA", "NORMAL", "WARNING", "STATE_NAMES", "HYSTERESIS", "WINDOW", "STALE",
    "MAX_REPLAY", "LOOKBACK", "Signs", "Readings", "VitalStatus", "Excursion", "load_signs",
    "fetch_readings", "evaluate", "VitalsMonitor", "TickResult", "status_as_of", "excursions", "excursions_in",
    "alarm_event_id", "alarm_event", "domain_summary", "table_columns", "panel_data",
    "sign_row", "to_us", "from_us",
]

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

#: (domain, keyword in the indicator's name or None, event type) — the first match whose
#: type exists in the dataset's ``event_type`` is the type an alarm is dispatched as.
EVENT_TYPE_RULES: tuple[tuple[str, str | None, str], ...] = (
    ("水", "积水", "ET-WATERLOGGING"), ("水", "内涝", "ET-WATERLOGGING"),
    ("水", "排水", "ET-DRAIN-BLOCK"), ("水", "水库", "ET-RIVER-FLOOD"),
    ("水", "水位", "ET-RIVER-FLOOD"), ("水", None, "ET-WATER-PRESSURE"),
    ("电", "变电站", "ET-SUBSTATION-ALARM"), ("电", None, "ET-POWER-OUTAGE"),
    ("气", "甲烷", "ET-BIOGAS"), ("气", "化粪池", "ET-BIOGAS"), ("气", "可燃气体", "ET-GAS-LEAK"),
    ("气", None, "ET-GAS-PRESSURE"),
    ("讯", "光缆", "ET-CABLE-CUT"), ("讯", None, "ET-BASE-STATION-DOWN"),
    ("桥", None, "ET-BRIDGE-ANOMALY"),
    ("隧", "车流", "ET-CONGESTION"), ("隧", None, "ET-TUNNEL-CO"),
    ("交通", "轨道", "ET-METRO-FAULT"), ("交通", None, "ET-CONGESTION"),
    ("环境", "噪声", "ET-NOISE"), ("环境", "河流", "ET-RIVER-POLLUTION"),
    ("环境", "溶解氧", "ET-RIVER-POLLUTION"), ("环境", "氨氮", "ET-RIVER-POLLUTION"),
    ("环境", None, "ET-AIR-POLLUTION"),
)


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
    types = []
    for r in rows:
        chosen = None
        for dom, kw, tid in EVENT_TYPE_RULES:
            if dom == r["domain"] and (kw is None or kw in (r["name"] or "")) and (
                    event_types is None or tid in event_types):
                chosen = tid
                break
        types.append(chosen)
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
       s.alarm_low, s.alarm_high, s.point_id,
       u.name AS unit_name, u.level AS unit_level, u.parent_code, u.lon AS u_lon, u.lat AS u_lat,
       p.lon AS p_lon, p.lat AS p_lat, p.district_code AS p_district,
       p.street_code AS p_street, p.level AS p_level
FROM vital_sign s
LEFT JOIN admin_unit u ON u.code = s.unit_code
LEFT JOIN risk_point p ON p.point_id = s.point_id
ORDER BY s.indicator_id
"""


def load_signs(con: duckdb.DuckDBPyConnection) -> Signs:
    """The vital-sign table with each sign's place and event type (read once per catalog)."""
    cur = con.execute(_SIGNS_SQL)
    cols = [d[0] for d in cur.description]
    rows = [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
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


# ---------------------------------------------------------------------------- the readings


class Readings:
    """Readings of the signs, sorted by (sign number, time): plain numpy arrays.

    ``idx`` int32 sign numbers, ``ts`` int64 microseconds (:func:`to_us`), ``value`` float64;
    ``enter`` / ``hold`` the plain and held level of each reading (:meth:`Signs.levels`).
    """

    __slots__ = ("signs", "idx", "ts", "value", "enter", "hold", "starts")

    def __init__(self, signs: Signs, idx: np.ndarray, ts: np.ndarray, value: np.ndarray,
                 *, presorted: bool = False) -> None:
        idx = np.asarray(idx, np.int32)
        ts = np.asarray(ts, np.int64)
        value = np.asarray(value, np.float64)
        if not presorted and len(idx) > 1:
            d_idx = np.diff(idx)
            ordered = np.all((d_idx > 0) | ((d_idx == 0) & (np.diff(ts) >= 0)))
            if not ordered:
                order = np.lexsort((ts, idx))
                idx, ts, value = idx[order], ts[order], value[order]
        self.signs = signs
        self.idx, self.ts, self.value = idx, ts, value
        self.enter, self.hold = signs.levels(idx, value)
        self.starts = np.searchsorted(idx, np.arange(len(signs) + 1)).astype(np.int64)

    def __len__(self) -> int:
        return len(self.idx)

    @classmethod
    def empty(cls, signs: Signs) -> Readings:
        return cls(signs, np.zeros(0, np.int32), np.zeros(0, np.int64), np.zeros(0))

    def merge(self, other: Readings) -> Readings:
        """Both sets of readings in one (other's readings after this one's at equal times)."""
        if not len(other):
            return self
        if not len(self):
            return other
        idx = np.concatenate([self.idx, other.idx])
        order = np.argsort(idx, kind="stable")  # two sorted runs: one merge pass
        ts = np.concatenate([self.ts, other.ts])[order]
        idx = idx[order]
        value = np.concatenate([self.value, other.value])[order]
        return Readings(self.signs, idx, ts, value)

    def between(self, start_us: int, end_us: int) -> Readings:
        """The readings with ``start < ts <= end``."""
        keep = (self.ts > start_us) & (self.ts <= end_us)
        return Readings(self.signs, self.idx[keep], self.ts[keep], self.value[keep],
                        presorted=True)

    def span(self) -> tuple[int, int] | None:
        return (int(self.ts.min()), int(self.ts.max())) if len(self.ts) else None

    def search(self, numbers: np.ndarray, t_us: np.ndarray) -> np.ndarray:
        """For each (sign, t): the position of the sign's first reading with ``ts > t``
        (a vectorised binary search within each sign's segment)."""
        numbers = np.asarray(numbers, np.int64)
        lo = self.starts[numbers].copy()
        hi = self.starts[numbers + 1].copy()
        t_us = np.broadcast_to(np.asarray(t_us, np.int64), lo.shape)
        last = max(len(self.ts) - 1, 0)
        ts = self.ts if len(self.ts) else np.zeros(1, np.int64)
        while True:
            active = lo < hi
            if not active.any():
                return lo
            mid = (lo + hi) // 2
            right = active & (ts[np.minimum(mid, last)] <= t_us)
            lo = np.where(right, mid + 1, lo)
            hi = np.where(active & ~right, mid, hi)

    def states(self, pos: np.ndarray, window: timedelta = WINDOW,
               max_replay: int = MAX_REPLAY) -> np.ndarray:
        """The state of each reading at ``pos``: the hysteresis state machine replayed over
        the readings of its own window ``(ts − window, ts]`` (at most ``max_replay``)."""
        pos = np.asarray(pos, np.int64)
        if pos.size == 0:
            return np.zeros(0, np.int8)
        hi = pos + 1
        lo = self.search(self.idx[pos], self.ts[pos] - window // timedelta(microseconds=1))
        lo = np.maximum(lo, hi - max_replay)
        m = int((hi - lo).max())
        cols = hi[:, None] - m + np.arange(m)[None, :]
        valid = cols >= lo[:, None]
        cols = np.where(valid, cols, 0)
        # padding before a window's first reading leaves the state at NODATA, so the replay
        # starts from the first reading's plain level: max(E0, min(NODATA, H0)) = E0
        enter = np.where(valid, self.enter[cols], NODATA).astype(np.int8)
        hold = np.where(valid, self.hold[cols], ALARM).astype(np.int8)
        s = np.full(len(pos), NODATA, np.int8)
        for c in range(m):
            s = np.maximum(enter[:, c], np.minimum(s, hold[:, c]))
        return s


def fetch_readings(con: duckdb.DuckDBPyConnection, signs: Signs, start: datetime,
                   end: datetime, ids: list[str] | None = None) -> Readings:
    """The catalog's readings with ``start < ts <= end`` (of ``ids`` only, when given)."""
    params: list = [start, end]
    where = "ts > ? AND ts <= ?"
    if ids is not None:
        if not ids:
            return Readings.empty(signs)
        where += " AND indicator_id IN (SELECT unnest(?::VARCHAR[]))"
        params.append(list(ids))
    if signs.row_start is not None:
        # rowid order is (indicator_id, ts): no join, no sort; the sign from the rowid
        got = con.execute(f"SELECT rowid AS r, epoch_us(ts) AS t, value FROM vital_reading "
                          f"WHERE {where}", params).fetchnumpy()
        rowid = np.asarray(got["r"], np.int64)
        known = signs.row_start >= 0
        order = np.argsort(signs.row_start[known])
        starts = signs.row_start[known][order]
        numbers = np.flatnonzero(known)[order]
        idx = numbers[np.searchsorted(starts, rowid, side="right") - 1] if len(rowid) else rowid
        return Readings(signs, idx, np.asarray(got["t"], np.int64),
                        np.asarray(got["value"], np.float64))
    got = con.execute(
        f"SELECT indicator_id, epoch_us(ts) AS t, value FROM vital_reading WHERE {where}",
        params).fetchnumpy()
    ids_arr = got["indicator_id"]
    idx = np.fromiter((signs.index.get(i, -1) for i in ids_arr), np.int64, len(ids_arr))
    keep = idx >= 0
    return Readings(signs, idx[keep], np.asarray(got["t"], np.int64)[keep],
                    np.asarray(got["value"], np.float64)[keep])


# ------------------------------------------------------------------------------ the status


@dataclass(frozen=True, eq=False)
class VitalStatus:
    """Every sign's status as of ``as_of`` (arrays aligned with :class:`Signs`)."""

    signs: Signs
    as_of: datetime
    state: np.ndarray  # int8: NODATA, NORMAL, WARNING, ALARM
    value: np.ndarray  # float64, NaN without a reading
    ts: np.ndarray  # int64 µs of the latest reading, -1 without one
    excess: np.ndarray  # beyond the normal band, in band widths; -inf without a reading

    def counts(self) -> dict[str, int]:
        return {STATE_NAMES[s]: int(np.count_nonzero(self.state == s)) for s in STATE_NAMES}

    def state_name(self, i: int) -> str:
        return STATE_NAMES[int(self.state[i])]

    def worst(self, n: int = 8, numbers: np.ndarray | None = None) -> np.ndarray:
        """Sign numbers of the ``n`` worst signs: alarm before warning, then by excess."""
        numbers = np.arange(len(self.state)) if numbers is None else np.asarray(numbers)
        st = self.state[numbers]
        bad = numbers[st >= WARNING]
        order = np.lexsort((-self.excess[bad], -self.state[bad].astype(int)))
        return bad[order][:n]


def evaluate(readings: Readings, t: datetime, stale: timedelta = STALE) -> VitalStatus:
    """The status of every sign as of ``t`` from ``readings`` (which must hold the readings
    of ``(t − stale − WINDOW, t]``; later ones are ignored)."""
    signs = readings.signs
    n = len(signs)
    t_us = to_us(t)
    numbers = np.arange(n)
    end = readings.search(numbers, t_us)
    has = end > readings.starts[:-1]
    pos = end[has] - 1
    ts = np.full(n, -1, np.int64)
    ts[has] = readings.ts[pos]
    value = np.full(n, np.nan)
    value[has] = readings.value[pos]
    state = np.full(n, NODATA, np.int8)
    fresh = has & (ts > t_us - stale // timedelta(microseconds=1))
    fresh_pos = end[fresh] - 1
    state[fresh] = readings.states(fresh_pos)
    excess = np.full(n, -np.inf)
    excess[fresh] = signs.excess(numbers[fresh], readings.value[fresh_pos])
    return VitalStatus(signs, t, state, value, ts, excess)


def states_at(readings: Readings, moments_us: list[int], stale: timedelta = STALE
              ) -> np.ndarray:
    """Every sign's state at each of several moments (rows: moments) — what
    :func:`evaluate` gives for each, in one pass over all (sign, moment) pairs."""
    n, k = len(readings.signs), len(moments_us)
    numbers = np.tile(np.arange(n), k)
    t = np.repeat(np.asarray(moments_us, np.int64), n)
    end = readings.search(numbers, t)
    has = end > readings.starts[numbers]
    fresh = np.zeros(n * k, bool)
    fresh[has] = readings.ts[end[has] - 1] > t[has] - stale // timedelta(microseconds=1)
    state = np.full(n * k, NODATA, np.int8)
    state[fresh] = readings.states(end[fresh] - 1)
    return state.reshape(k, n)


def status_as_of(con: duckdb.DuckDBPyConnection, t: datetime, signs: Signs | None = None,
                 extra: Readings | None = None) -> VitalStatus:
    """The status of every sign as of ``t``, read from the catalog (plus ``extra`` readings,
    e.g. simulated ones)."""
    signs = signs if signs is not None else load_signs(con)
    rd = fetch_readings(con, signs, t - STALE - WINDOW, t)
    if extra is not None:
        rd = rd.merge(extra.between(to_us(t - STALE - WINDOW), to_us(t)))
    return evaluate(rd, t)


# ----------------------------------------------------------------------------- excursions


class Excursion(NamedTuple):
    """A run of readings in one non-normal state."""

    entered_at: datetime
    left_at: datetime | None  # None: still on at the end of the range asked about
    level: str  # "warning" or "alarm"
    peak: float  # the value furthest beyond the band during the run
    peak_at: datetime


def excursions_in(readings: Readings, numbers: list[int] | np.ndarray, start: datetime,
                  end: datetime, stale: timedelta = STALE) -> dict[int, list[Excursion]]:
    """The excursions of each sign number within ``[start, end]``, from ``readings`` (which
    must reach back ``WINDOW`` before ``start``). A run already on at ``start`` is reported
    from its first reading in the range."""
    s_us, e_us = to_us(start), to_us(end)
    stale_us = stale // timedelta(microseconds=1)
    numbers = np.asarray(numbers, np.int64)
    lo = readings.search(numbers, np.full(len(numbers), s_us - 1))
    hi = readings.search(numbers, np.full(len(numbers), e_us))
    lens = hi - lo
    pos = np.repeat(lo, lens) + (np.arange(lens.sum()) - np.repeat(np.cumsum(lens) - lens, lens))
    st = readings.states(pos)
    out: dict[int, list[Excursion]] = {}
    k = 0
    for num, n_i in zip(numbers.tolist(), lens.tolist(), strict=True):
        p = pos[k:k + n_i]
        s = st[k:k + n_i]
        k += n_i
        out[num] = _runs(readings, p, s, e_us, stale_us)
    return out


def _runs(rd: Readings, pos: np.ndarray, st: np.ndarray, end_us: int,
          stale_us: int) -> list[Excursion]:
    runs: list[Excursion] = []
    if not len(pos):
        return runs
    ts = rd.ts[pos]
    exc = rd.signs.excess(rd.idx[pos], rd.value[pos])
    # a gap longer than `stale` ends the state (nodata in between)
    gap_after = np.append(np.diff(ts) >= stale_us, False)
    cur = None  # [start index, state]
    for j in range(len(pos)):
        s = int(st[j])
        if cur is not None and cur[1] != s:
            runs.append(_run(rd, pos, ts, exc, cur[0], j, int(ts[j]), cur[1]))
            cur = None
        if cur is None and s >= WARNING:
            cur = [j, s]
        if cur is not None and gap_after[j]:
            runs.append(_run(rd, pos, ts, exc, cur[0], j + 1, int(ts[j]) + stale_us, cur[1]))
            cur = None
    if cur is not None:
        last = int(ts[-1])
        left = last + stale_us if end_us >= last + stale_us else None
        runs.append(_run(rd, pos, ts, exc, cur[0], len(pos), left, cur[1]))
    return runs


def _run(rd, pos, ts, exc, a: int, b: int, left_us: int | None, state: int) -> Excursion:
    k = a + int(np.argmax(exc[a:b]))
    return Excursion(from_us(ts[a]), None if left_us is None else from_us(left_us),
                     STATE_NAMES[state], float(rd.value[pos[k]]), from_us(ts[k]))


def excursions(con: duckdb.DuckDBPyConnection, indicator_id: str, start: datetime,
               end: datetime, signs: Signs | None = None,
               extra: Readings | None = None) -> list[Excursion]:
    """The excursions of one vital sign within ``[start, end]``: ``(entered_at, left_at or
    None, level, peak, peak_at)`` in time order, for the trend chart and the alarm logic."""
    signs = signs if signs is not None else load_signs(con)
    num = signs.number(indicator_id)
    rd = fetch_readings(con, signs, start - WINDOW - timedelta(microseconds=1), end,
                        [indicator_id])
    if extra is not None:
        ex = extra.between(to_us(start - WINDOW) - 1, to_us(end))
        keep = ex.idx == num
        rd = rd.merge(Readings(signs, ex.idx[keep], ex.ts[keep], ex.value[keep], presorted=True))
    return excursions_in(rd, [num], start, end)[num]


# -------------------------------------------------------------------------- alarm events


def alarm_event_id(indicator_id: str, entered_at: datetime) -> int:
    """A deterministic event id for the alarm excursion of an indicator entered at a moment:
    ``2**52`` + 52 bits of a BLAKE2b hash — exact in JSON and JavaScript (< 2**53)."""
    h = hashlib.blake2b(f"{indicator_id}|{entered_at.isoformat()}".encode(), digest_size=8)
    return ALARM_ID_BASE + (int.from_bytes(h.digest(), "big") >> 12)


def alarm_event(signs: Signs, i: int, entered_at: datetime, value: float) -> dict:
    """The alarm of sign ``i`` as a row shaped like the catalog's ``event`` table (plus the
    indicator's id, value and threshold), ready for the event list, the map and dispatch.

    Severity: 1 when the linked risk point is 重大 (level 1), else 2.
    """
    ah, al = signs.alarm_high[i], signs.alarm_low[i]
    if not np.isnan(ah) and (np.isnan(al) or value > ah or abs(value - ah) <= abs(value - al)):
        threshold, side, word = float(ah), "high", "超过报警上限"
    else:
        threshold, side, word = float(al), "low", "低于报警下限"
    unit = signs.unit[i]
    return {
        "event_id": alarm_event_id(signs.ids[i], entered_at),
        "type_id": signs.type_id[i],
        "source": "sensor",
        "occurred_at": entered_at,
        "lon": float(signs.lon[i]),
        "lat": float(signs.lat[i]),
        "district_code": signs.district_code[i],
        "street_code": signs.street_code[i],
        "severity": 1 if signs.point_level[i] == 1 else 2,
        "title": f"{signs.name[i]} {_fmt(value)} {unit} {word} {_fmt(threshold)} {unit}".strip(),
        "point_id": signs.point_id[i],
        "indicator_id": signs.ids[i],
        "name": signs.name[i],
        "domain": signs.domain[i],
        "unit": unit,
        "value": float(value),
        "threshold": threshold,
        "side": side,
        "at": entered_at,
    }


def _fmt(v: float) -> str:
    return f"{v:.4g}" if abs(v) < 1000 else f"{v:,.0f}"


# ------------------------------------------------------------------- plain data for panels


def domain_summary(status: VitalStatus, worst: int = 3) -> dict[str, dict]:
    """Per domain: counts by state and the worst signs (dicts), in the house order."""
    signs = status.signs
    dom = np.array(signs.domain, dtype=object)
    out: dict[str, dict] = {}
    for d in signs.domains():
        nums = np.flatnonzero(dom == d)
        st = status.state[nums]
        out[d] = {
            "counts": {STATE_NAMES[s]: int(np.count_nonzero(st == s)) for s in STATE_NAMES},
            "total": int(len(nums)),
            "worst": [sign_row(status, int(i)) for i in status.worst(worst, nums)],
        }
    return out


def sign_row(status: VitalStatus, i: int) -> dict:
    """One sign's status as a plain dict."""
    s = status.signs
    ts = int(status.ts[i])
    return {"indicator_id": s.ids[i], "name": s.name[i], "domain": s.domain[i],
            "unit": s.unit[i], "district": s.unit_name[i], "status": status.state_name(i),
            "value": None if np.isnan(status.value[i]) else float(status.value[i]),
            "ts": None if ts < 0 else from_us(ts), "excess": float(status.excess[i]),
            "warn_low": _opt(s.warn_low[i]), "warn_high": _opt(s.warn_high[i]),
            "alarm_low": _opt(s.alarm_low[i]), "alarm_high": _opt(s.alarm_high[i])}


def _opt(x: float) -> float | None:
    return None if np.isnan(x) else float(x)


_STATE_WORDS = np.array(["nodata", "normal", "warning", "alarm"], dtype=object)


def table_columns(status: VitalStatus) -> dict[str, list]:
    """Every sign as table columns (plain lists), for the virtualised indicator table."""
    s = status.signs
    static = s.cache.get("table")
    if static is None:  # the signs' own columns never change: build them once
        static = {"indicator_id": list(s.ids), "name": list(s.name), "domain": list(s.domain),
                  "district": list(s.unit_name), "unit": list(s.unit),
                  **{k: [_opt(x) for x in getattr(s, k)]
                     for k in ("warn_low", "warn_high", "alarm_low", "alarm_high")}}
        s.cache["table"] = static
    uniq, inv = np.unique(status.ts, return_inverse=True)
    times = [None if x < 0 else from_us(x) for x in uniq.tolist()]
    return {
        **{k: list(v) for k, v in static.items()},
        "status": _STATE_WORDS[status.state.astype(np.int64) + 1].tolist(),
        "value": [None if v != v else v for v in status.value.tolist()],
        "ts": [times[k] for k in inv.ravel().tolist()],
        "excess": [v if v > -np.inf else None for v in status.excess.tolist()],
    }


# ---------------------------------------------------------------------------- the monitor


@dataclass(frozen=True, eq=False)
class TickResult:
    """What one tick of the monitor found (plain values)."""

    as_of: datetime
    status: VitalStatus
    raised: list[dict]  # alarm events that began, in time order
    cleared: list[dict]  # alarm events that ended, in time order
    events: list[tuple[str, dict]]  # both, in the order to announce them ("raised"/"cleared")
    open_events: list[dict]  # the alarm events open as of ``as_of``, newest first
    changed: bool  # the status differs from the previous tick's
    sparks: dict  # {"t": [...], "domains": {domain: {"warning": [...], "alarm": [...]}}}
    rebuilt: bool  # the alarm state was rebuilt for a new moment (first tick, clock jump)
    seconds: float


PRELOAD_MAX_READINGS = 20_000_000
"""A replay holds its window's readings in memory up to this many (about 22 bytes each)."""


class VitalsMonitor:
    """The vital signs as the clock moves: a cache of readings and the open alarms. No Qt.

    Call :meth:`update` with a connection and the clock's time, from one thread at a time.
    Ticks that follow each other (``t`` moves forward by at most ``max_step``) replay every
    reading in between, so an excursion is caught even when it begins and ends between two
    ticks; any other move of the clock (the first tick, a seek, a replay jumping back) rebuilds
    the open alarms as of ``t`` by looking back ``LOOKBACK`` for where each began. Either way
    an alarm excursion is one event with a deterministic id.

    ``simulate``: continue the readings past the dataset's end with a
    :class:`cockpit.datasets.vital_sim.VitalSimulator` (demo live mode), merged after the
    catalog's readings; kept in memory only.
    """

    def __init__(self, simulate: bool = False, seed: int = 0,
                 spark_span: timedelta = timedelta(hours=6),
                 spark_step: timedelta = timedelta(minutes=15),
                 max_step: timedelta = timedelta(minutes=30),
                 ahead: timedelta = timedelta(hours=3), log_size: int = 5000,
                 recent: timedelta = timedelta(hours=2)) -> None:
        self.simulate = simulate
        self.seed = seed
        self.spark_span = spark_span
        self.spark_step = spark_step
        self.max_step = max_step
        self.ahead = ahead
        self.recent = recent  # after a jump, alarms that ended this recently are announced
        self.log_size = log_size
        self.signs: Signs | None = None
        self.sim = None
        self._sim_fitted = False
        self.data_end: datetime | None = None
        self._slab: Readings | None = None
        self._slab_range: tuple[int, int] = (0, -1)
        self._alarm_cum: tuple[Readings, np.ndarray] | None = None  # alarm readings so far
        self._sparks: dict[int, np.ndarray] = {}
        self._open: dict[int, dict] = {}
        self._t_prev: datetime | None = None
        self._prev: VitalStatus | None = None
        self.log: list[tuple[str, dict]] = []
        self.slab_loads = 0

    # ---- public API -------------------------------------------------------------------------
    def prepare(self, con: duckdb.DuckDBPyConnection) -> Signs:
        """Read the signs (and fit the simulator) once."""
        if self.signs is None:
            self.signs = load_signs(con)
            self.data_end = con.execute("SELECT max(ts) FROM vital_reading").fetchone()[0]
            order = {d: i for i, d in enumerate(self.signs.domains())}  # once, not per sign
            self._domain_codes = np.array([order[d] for d in self.signs.domain], np.int64)
        return self.signs

    def _ensure_sim(self, con: duckdb.DuckDBPyConnection) -> None:
        """Fit the simulator the first time the clock goes past the data (not at start-up:
        while the clock is inside the data it is not needed)."""
        if self._sim_fitted or not self.simulate or self.data_end is None:
            return
        self._sim_fitted = True
        from cockpit.datasets.vital_sim import VitalSimulator

        hist = fetch_readings(con, self.signs, self.data_end - timedelta(days=1), self.data_end)
        if len(hist):
            self.sim = VitalSimulator(hist, seed=self.seed)

    def readings(self, con: duckdb.DuckDBPyConnection, start: datetime, end: datetime,
                 numbers: list[int] | None = None) -> Readings:
        """Catalog readings with ``start < ts <= end``, and simulated ones after the data."""
        signs = self.prepare(con)
        if self.data_end is not None and end > self.data_end:
            self._ensure_sim(con)
        ids = None if numbers is None else [signs.ids[i] for i in numbers]
        rd = fetch_readings(con, signs, start, end, ids)
        if self.sim is not None and end > self.sim.start:
            rd = rd.merge(self.sim.readings(max(start, self.sim.start), end, numbers))
        return rd

    def update(self, con: duckdb.DuckDBPyConnection, t: datetime) -> TickResult:
        """The status as of ``t``, the alarms that began or ended since the previous tick."""
        t0 = time.perf_counter()
        self.prepare(con)
        rd = self._slab_for(con, t)
        status = evaluate(rd, t)
        events: list[tuple[str, dict]] = []
        prev = self._t_prev
        contiguous = prev is not None and prev <= t <= prev + self.max_step
        if contiguous:
            self._advance(rd, prev, t, events)
        else:
            self._rebuild(con, t, status, events)
        raised = [e for k, e in events if k == "raised"]
        cleared = [e for k, e in events if k == "cleared"]
        changed = self._prev is None or not (
            np.array_equal(self._prev.state, status.state)
            and np.array_equal(self._prev.ts, status.ts)
            and np.array_equal(self._prev.value, status.value, equal_nan=True))
        self._t_prev, self._prev = t, status
        self.log.extend(events)
        del self.log[:-self.log_size]
        return TickResult(t, status, raised, cleared, events, self.open_events(), changed,
                          self._spark_data(rd, t, status), not contiguous,
                          time.perf_counter() - t0)

    def open_events(self) -> list[dict]:
        """The open alarm events, newest first (copies)."""
        return sorted((dict(e) for e in self._open.values()),
                      key=lambda e: (e["occurred_at"], e["event_id"]), reverse=True)

    def trend(self, con: duckdb.DuckDBPyConnection, indicator_id: str, t: datetime,
              span: timedelta = timedelta(hours=24)) -> dict:
        """One indicator's last ``span`` up to ``t``: values, crossings, status — plain data
        for the trend chart (times as seconds since 1970 of the local clock)."""
        signs = self.prepare(con)
        i = signs.number(indicator_id)
        rd = self.readings(con, t - span - WINDOW - STALE, t, [i])
        st = evaluate(rd, t)
        exc = excursions_in(rd, [i], t - span, t)[i]
        a, b = rd.search([i], to_us(t - span))[0], rd.search([i], to_us(t))[0]
        ts, vals = rd.ts[a:b], rd.value[a:b]

        def value_at(when: datetime) -> float:
            k = rd.search([i], to_us(when))[0] - 1
            return float(rd.value[k]) if k >= rd.starts[i] else float("nan")

        crossings = []
        for k, e in enumerate(exc):
            crossings.append((to_us(e.entered_at) / _US, e.level, value_at(e.entered_at)))
            nxt = exc[k + 1].entered_at if k + 1 < len(exc) else None
            if e.left_at is not None and e.left_at != nxt and e.left_at <= t:
                crossings.append((to_us(e.left_at) / _US, "normal", value_at(e.left_at)))
        hour_ago = value_at(t - timedelta(hours=1))
        value = None if np.isnan(st.value[i]) else float(st.value[i])
        row = sign_row(st, i)
        return {
            **row, "status": st.state_name(i), "value": value,
            "trend": None if value is None or np.isnan(hour_ago) else value - hour_ago,
            "t": ts / _US, "v": vals, "now": to_us(t) / _US, "crossings": crossings,
            "thresholds": {k: row[k] for k in ("warn_low", "warn_high", "alarm_low",
                                                "alarm_high")},
            "excursions": [{"entered_at": e.entered_at, "left_at": e.left_at,
                            "level": e.level, "peak": e.peak} for e in exc],
        }

    def preload(self, con: duckdb.DuckDBPyConnection, start: datetime, end: datetime,
                max_readings: int = PRELOAD_MAX_READINGS) -> bool:
        """Hold every reading a replay of ``[start, end]`` needs, so that a seek anywhere in
        it reads no catalog. Declined (False) when that is more than ``max_readings``: the
        ticks then load slabs around ``t`` as usual."""
        # back far enough for the sparklines and for rebuilding the open alarms at ``start``
        lo = start - max(self.spark_span + STALE + WINDOW + timedelta(hours=1),
                         LOOKBACK + WINDOW)
        hi = end + self.ahead
        self.prepare(con)
        n = con.execute("SELECT count(*) FROM vital_reading WHERE ts > ? AND ts <= ?",
                        [lo, hi]).fetchone()[0]
        if n > max_readings:
            return False
        self._slab = self.readings(con, lo, hi)
        self._slab_range = (to_us(lo), to_us(hi))
        self.slab_loads += 1
        return True

    # ---- private -------------------------------------------------------------------------
    def _covering(self, con: duckdb.DuckDBPyConnection, start: datetime, end: datetime,
                  numbers: list[int]) -> Readings:
        """Readings of ``numbers`` over ``(start, end]``: the slab in memory when it covers
        that (a replay's preloaded window), else read for those signs only."""
        lo_us, hi_us = self._slab_range
        if self._slab is not None and lo_us <= to_us(start) and to_us(end) <= hi_us:
            return self._slab
        return self.readings(con, start, end, numbers)

    def _slab_for(self, con: duckdb.DuckDBPyConnection, t: datetime) -> Readings:
        need_lo = to_us(t - self.spark_span - STALE - WINDOW)
        lo_us, hi_us = self._slab_range
        if self._slab is None or need_lo < lo_us or to_us(t) > hi_us:
            lo = t - self.spark_span - STALE - WINDOW - timedelta(hours=1)
            hi = t + self.ahead
            self._slab = self.readings(con, lo, hi)
            self._slab_range = (to_us(lo), to_us(hi))
            self.slab_loads += 1
        return self._slab

    def _raise(self, i: int, at_us: int, value: float, reason: str,
               events: list[tuple[str, dict]]) -> None:
        e = alarm_event(self.signs, i, from_us(at_us), value)
        e["reason"] = reason
        self._open[i] = e
        events.append(("raised", e))

    def _clear(self, i: int, at_us: int, value: float | None, reason: str,
               events: list[tuple[str, dict]]) -> None:
        e = dict(self._open.pop(i))
        e.update(entered_at=e["at"], at=from_us(at_us), reason=reason,
                 value=None if value is None else float(value), cleared_at=from_us(at_us))
        events.append(("cleared", e))

    def _advance(self, rd: Readings, t_prev: datetime, t: datetime,
                 events: list[tuple[str, dict]]) -> None:
        n = len(self.signs)
        nums = np.arange(n)
        lo = rd.search(nums, to_us(t_prev))
        hi = rd.search(nums, to_us(t))
        lens = hi - lo
        pos = np.repeat(lo, lens) + (np.arange(lens.sum()) - np.repeat(np.cumsum(lens) - lens,
                                                                        lens))
        st = rd.states(pos)
        walk = set(np.unique(rd.idx[pos[st == ALARM]]).tolist()) | set(self._open)
        stale_us = STALE // timedelta(microseconds=1)
        t_us = to_us(t)
        offsets = np.cumsum(lens) - lens
        for i in sorted(walk):
            on = i in self._open
            prev_ts = int(rd.ts[lo[i] - 1]) if lo[i] > rd.starts[i] else None
            for k in range(int(offsets[i]), int(offsets[i] + lens[i])):
                p, s = int(pos[k]), int(st[k])
                ts_k, v_k = int(rd.ts[p]), float(rd.value[p])
                if on and prev_ts is not None and ts_k - prev_ts >= stale_us:
                    self._clear(i, prev_ts + stale_us, None, "nodata", events)
                    on = False
                if s == ALARM and not on:
                    self._raise(i, ts_k, v_k, "entered", events)
                    on = True
                elif s != ALARM and on:
                    self._clear(i, ts_k, v_k, "left", events)
                    on = False
                prev_ts = ts_k
            if on and prev_ts is not None and t_us >= prev_ts + stale_us:
                self._clear(i, prev_ts + stale_us, None, "nodata", events)
        events.sort(key=lambda ke: ke[1]["at"])  # stable: one sign's events stay in order

    def _rebuild(self, con: duckdb.DuckDBPyConnection, t: datetime, status: VitalStatus,
                 events: list[tuple[str, dict]]) -> None:
        """The open alarms as of ``t`` from scratch: the old ones that are no longer open are
        cleared first, then the new ones raised (with where they began)."""
        now = np.flatnonzero(status.state == ALARM)
        wanted: dict[int, tuple[int, float]] = {}
        if now.size:
            rd = self._covering(con, t - LOOKBACK - WINDOW, t, now.tolist())
            runs = excursions_in(rd, now, t - LOOKBACK, t)
            for i in now.tolist():
                last = runs[i][-1] if runs[i] else None
                if last is not None and last.level == "alarm" and last.left_at is None:
                    at_us = to_us(last.entered_at)
                else:  # cannot happen when the status and the runs agree; be safe
                    at_us = int(status.ts[i])
                k = rd.search([i], at_us)[0] - 1
                wanted[i] = (at_us, float(rd.value[k]) if k >= rd.starts[i] else
                             float(status.value[i]))
        t_us = to_us(t)
        for i in list(self._open):
            keep = i in wanted and self._open[i]["event_id"] == alarm_event_id(
                self.signs.ids[i], from_us(wanted[i][0]))
            if not keep:
                self._clear(i, t_us, None if np.isnan(status.value[i]) else status.value[i],
                            "rebuilt", events)
        for i, (at_us, v) in sorted(wanted.items(), key=lambda kv: kv[1][0]):
            if i not in self._open:
                self._raise(i, at_us, v, "rebuilt", events)
        self._announce_ended(con, t, now, events)

    def _announce_ended(self, con: duckdb.DuckDBPyConnection, t: datetime,
                        open_now: np.ndarray, events: list[tuple[str, dict]]) -> None:
        """After a jump: the alarms that ended within ``recent`` before ``t`` are announced
        (raised, then cleared), as a replay played up to ``t`` would have announced them —
        so the event list as of ``t`` is the same however the clock got there."""
        rd = self._slab_for(con, t)
        nums = np.arange(len(self.signs))
        a = rd.search(nums, to_us(t - self.recent))
        b = rd.search(nums, to_us(t))
        if self._alarm_cum is None or self._alarm_cum[0] is not rd:  # once per slab
            self._alarm_cum = (rd, np.concatenate([[0], np.cumsum(rd.enter == ALARM)]))
        alarm_seen = self._alarm_cum[1]
        had = np.setdiff1d(np.flatnonzero(alarm_seen[b] - alarm_seen[a] > 0), open_now)
        if not had.size:
            return
        rd = self._covering(con, t - LOOKBACK - WINDOW, t, had.tolist())
        runs = excursions_in(rd, had, t - LOOKBACK, t)
        ended = []
        for i in had.tolist():
            for r in runs[i]:
                if (r.level == "alarm" and r.left_at is not None
                        and t - self.recent < r.left_at <= t):
                    ended.append((r.entered_at, i, r))
        for entered, i, r in sorted(ended, key=lambda x: (x[0], x[1])):
            at_us = to_us(entered)
            k = rd.search([i], at_us)[0] - 1
            e = alarm_event(self.signs, i, entered,
                            float(rd.value[k]) if k >= rd.starts[i] else float("nan"))
            e["reason"] = "rebuilt"
            events.append(("raised", e))
            gone = dict(e)
            gone.update(entered_at=e["at"], at=r.left_at, reason="rebuilt", value=None,
                        cleared_at=r.left_at)
            events.append(("cleared", gone))

    def _spark_data(self, rd: Readings, t: datetime, status: VitalStatus) -> dict:
        """Per domain, how many indicators were in warning / alarm on a grid of past moments
        (cached per grid moment) and now."""
        step = self.spark_step // timedelta(microseconds=1)
        t_us = to_us(t)
        last = t_us - t_us % step
        n_pts = self.spark_span // self.spark_step
        grid = [last - k * step for k in range(n_pts, -1, -1)]
        self._sparks = {g: c for g, c in self._sparks.items() if g in set(grid)}
        missing = [g for g in grid if g not in self._sparks]
        if missing:  # after a jump, all of them: one vectorised pass
            for g, state in zip(missing, states_at(rd, missing), strict=True):
                self._sparks[g] = self._domain_counts(state)
        pts = [(g, self._sparks[g]) for g in grid]
        if last != t_us:
            pts.append((t_us, self._domain_counts(status.state)))
        nd = len(self.signs.domains())
        out = {"t": [g / _US for g, _ in pts], "domains": {}}
        for k, d in enumerate(self.signs.domains()):
            out["domains"][d] = {"warning": [int(c[k]) for _, c in pts],
                                 "alarm": [int(c[nd + k]) for _, c in pts]}
        return out

    def _domain_counts(self, state: np.ndarray) -> np.ndarray:
        nd = len(self.signs.domains())
        w = np.bincount(self._domain_codes[state == WARNING], minlength=nd)
        a = np.bincount(self._domain_codes[state == ALARM], minlength=nd)
        return np.concatenate([w, a])


def panel_data(result: TickResult, table: bool = True, worst: int = 20) -> dict:
    """A tick as the plain data the vital-sign panel takes (``VitalsPanel.set_status``)."""
    st = result.status
    return {
        "as_of": result.as_of,
        "counts": st.counts(),
        "domains": domain_summary(st, worst=6),
        "worst": [sign_row(st, int(i)) for i in st.worst(worst)],
        "sparks": result.sparks,
        "table": table_columns(st) if table else None,
        "open_alarms": len(result.open_events),
    }
