"""Readings and status: the state of every indicator as of a moment, its excursions, and the
alarm events they raise. The rules are in the package docstring."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

import duckdb
import numpy as np
from cockpit.datasets.vitals.signs import (
    ALARM,
    ALARM_ID_BASE,
    MAX_REPLAY,
    NODATA,
    STALE,
    STATE_NAMES,
    WARNING,
    WINDOW,
    Signs,
    from_us,
    load_signs,
    to_us,
)

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
        "closed_at": None,  # an alarm is open until it is dispatched or dismissed
        "description": None,  # no one's words: an untyped alarm is routed by its title
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


