"""The monitor: ticks the status forward with the clock, keeps the open alarms, preloads a
replay's readings. The rules are in the package docstring."""

from __future__ import annotations

import contextlib
import hashlib
import os
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
from cockpit.datasets.vitals.signs import (
    _US,
    ALARM,
    LOOKBACK,
    STALE,
    WARNING,
    WINDOW,
    Signs,
    from_us,
    load_signs,
    to_us,
)
from cockpit.datasets.vitals.status import (
    Readings,
    VitalStatus,
    alarm_event,
    domain_summary,
    evaluate,
    excursions_in,
    fetch_readings,
    sign_row,
    states_at,
    table_columns,
)

# ---------------------------------------------------------------------------- the monitor


def sim_cache_path(catalog_db: Path | str) -> Path:
    """Where the demo simulator's fit is kept: beside the catalog's database file (a rebuilt
    catalog drops it)."""
    db = Path(catalog_db)
    return db.with_name(db.stem + ".vitalsim.npz")


def _sim_key(signs: Signs, data_end: datetime) -> str:
    """What a kept fit must match: the signs (ids, units) and the data's end (the seed only
    draws the noise: one fit serves every seed)."""
    h = hashlib.sha1(b"vitalsim 1")
    for part in (signs.ids, signs.unit, [data_end.isoformat()]):
        h.update("\x1f".join(map(str, part)).encode("utf-8") + b"\x1e")
    return h.hexdigest()


def _load_fitted(path: Path | None, key: str) -> dict[str, np.ndarray] | None:
    """The fit kept at ``path`` when it was made for ``key``; None when there is none, it is
    another's or unreadable (then it is fitted again). Plain arrays only: nothing unpickled."""
    if path is None:
        return None
    try:
        with np.load(path, allow_pickle=False) as z:
            if str(z["key"]) != key:
                return None
            return {k: z[k] for k in z.files if k != "key"}
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError):
        return None


def _save_fitted(path: Path | None, key: str, fitted: dict[str, np.ndarray]) -> None:
    """Keep a fit for the next start; a failure (full disk, read-only cache) only costs the
    next start the fit."""
    if path is None:
        return
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as f:
            np.savez(f, key=np.array(key), **fitted)
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()


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


@dataclass(frozen=True)
class ScriptedSign:
    """Readings a script gives one sign instead of the dataset's (a drill's vital injects:
    the readings its scenario raises). From the first point to ``until`` the sign reads each
    point's value (held until the next point) every ``step``; the dataset's readings of the
    sign in that span are set aside. An alarm the sign raises in that span takes ``event``'s
    fields (e.g. the inject's event id, type and place), so that it is the script's event.
    ``sign``: the sign itself when the dataset has none of that id (a row as
    :func:`cockpit.datasets.vitals.signs.load_signs` takes in ``extra``)."""

    indicator_id: str
    points: tuple[tuple[datetime, float], ...]  # (from, value), by time
    until: datetime
    step: timedelta = timedelta(minutes=1)
    event: dict = field(default_factory=dict)
    sign: dict | None = None


#: Scripts, or what makes them from the dataset's signs (resolved when the signs are read).
Scripts = list[ScriptedSign] | Callable[[Signs], list[ScriptedSign]]


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
    :class:`cockpit.datasets.vitals.simulator.VitalSimulator` (demo live mode), merged after the
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
        #: where the simulator's fit is kept between starts (beside the catalog; None: not)
        self.sim_cache: Path | None = None
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
        self.scripts: Scripts = []
        self._script: tuple[Readings, dict[int, tuple[int, int, dict]]] | None = None
        #: readings that arrive while the cockpit runs (the live feed): a callable
        #: ``(start_us, end_us, numbers) -> (sign numbers, times µs, values)`` merged after the
        #: catalog's readings on every tick (see :mod:`cockpit.datasets.ingest.follow`)
        self.live = None

    # ---- public API -------------------------------------------------------------------------
    def prepare(self, con: duckdb.DuckDBPyConnection) -> Signs:
        """Read the signs (and fit the simulator) once."""
        if self.signs is None:
            self.signs = load_signs(con)
            if callable(self.scripts):  # made from the dataset's signs, perhaps with their own
                self.scripts = list(self.scripts(self.signs))
                extra = [sc.sign for sc in self.scripts if sc.sign is not None]
                if extra:
                    self.signs = load_signs(con, extra)
            self.data_end = con.execute("SELECT max(ts) FROM vital_reading").fetchone()[0]
            order = {d: i for i, d in enumerate(self.signs.domains())}  # once, not per sign
            self._domain_codes = np.array([order[d] for d in self.signs.domain], np.int64)
        return self.signs

    def set_scripts(self, scripts: Scripts) -> None:
        """Scripted signs (see :class:`ScriptedSign`), or a callable making them from the
        dataset's signs; the signs and the readings held so far are read again."""
        self.scripts = scripts if callable(scripts) else list(scripts)
        self._script = None
        self.signs = None
        self._slab, self._slab_range, self._alarm_cum = None, (0, -1), None

    def _scripted(self, rd: Readings, start_us: int, end_us: int) -> Readings:
        """``rd`` with the scripted signs' readings in place of the dataset's."""
        if not self.scripts:
            return rd
        if self._script is None:
            self._script = self._script_readings()
        srd, spans = self._script
        if not spans:
            return rd
        keep = np.ones(len(rd), bool)
        for i, (lo, hi, _e) in spans.items():
            a, b = int(rd.starts[i]), int(rd.starts[i + 1])
            keep[a:b] = (rd.ts[a:b] < lo) | (rd.ts[a:b] > hi)
        base = Readings(self.signs, rd.idx[keep], rd.ts[keep], rd.value[keep], presorted=True)
        return base.merge(srd.between(start_us, end_us))

    def _script_readings(self) -> tuple[Readings, dict[int, tuple[int, int, dict]]]:
        idx, ts, val = [], [], []
        spans: dict[int, tuple[int, int, dict]] = {}
        for sc in self.scripts:
            i = self.signs.index.get(sc.indicator_id)
            if i is None or not sc.points:
                continue
            pts = sorted(sc.points)
            lo, hi = to_us(pts[0][0]), to_us(sc.until)
            t = np.arange(lo, hi + 1, sc.step // timedelta(microseconds=1), dtype=np.int64)
            at = np.array([to_us(p[0]) for p in pts], np.int64)
            v = np.array([float(p[1]) for p in pts])[np.searchsorted(at, t, side="right") - 1]
            idx.append(np.full(len(t), i, np.int32))
            ts.append(t)
            val.append(v)
            spans[i] = (lo, hi, dict(sc.event))
        if not spans:
            return Readings.empty(self.signs), {}
        return Readings(self.signs, np.concatenate(idx), np.concatenate(ts),
                        np.concatenate(val)), spans

    def _alarm(self, i: int, entered_at: datetime, value: float) -> dict:
        """The alarm event of sign ``i`` entered at ``entered_at`` (a script's, in its span)."""
        e = alarm_event(self.signs, i, entered_at, value)
        span = self._script[1].get(i) if self._script is not None else None
        if span is not None and span[0] <= to_us(entered_at) <= span[1]:
            e.update(span[2])
        return e

    def _ensure_sim(self, con: duckdb.DuckDBPyConnection) -> None:
        """Fit the simulator the first time the clock goes past the data (not at start-up:
        while the clock is inside the data it is not needed)."""
        if self._sim_fitted or not self.simulate or self.data_end is None:
            return
        self._sim_fitted = True
        from cockpit.datasets.vitals.simulator import VitalSimulator

        key = _sim_key(self.signs, self.data_end)
        fitted = _load_fitted(self.sim_cache, key)
        if fitted is not None:
            with contextlib.suppress(ValueError):
                self.sim = VitalSimulator.from_fitted(self.signs, fitted, seed=self.seed)
                return
        hist = fetch_readings(con, self.signs, self.data_end - timedelta(days=1), self.data_end)
        if len(hist):
            self.sim = VitalSimulator(hist, seed=self.seed)
            _save_fitted(self.sim_cache, key, self.sim.fitted())

    def keep_fit(self, con: duckdb.DuckDBPyConnection, path: Path) -> bool:
        """Fit the simulator now and keep the fit at ``path`` (done when the demo's catalog
        is built, so that no start-up fits it); False when there is nothing to continue."""
        self.sim_cache = path
        self.simulate = True
        self.prepare(con)
        self._ensure_sim(con)
        return self.sim is not None

    def readings(self, con: duckdb.DuckDBPyConnection, start: datetime, end: datetime,
                 numbers: list[int] | None = None, live: bool = True) -> Readings:
        """Catalog readings with ``start < ts <= end``, simulated ones after the data, and
        (``live``) those the live feed brought."""
        signs = self.prepare(con)
        if self.data_end is not None and end > self.data_end and self.live is None:
            self._ensure_sim(con)
        ids = None if numbers is None else [signs.ids[i] for i in numbers]
        rd = fetch_readings(con, signs, start, end, ids)
        if self.sim is not None and end > self.sim.start and self.live is None:
            rd = rd.merge(self.sim.readings(max(start, self.sim.start), end, numbers))
        rd = self._scripted(rd, to_us(start), to_us(end))
        if live:
            rd = self._with_live(rd, to_us(start), to_us(end), numbers)
        return rd

    def _with_live(self, rd: Readings, start_us: int, end_us: int,
                   numbers: list[int] | None = None) -> Readings:
        if self.live is None:
            return rd
        idx, ts, val = self.live(start_us, end_us, numbers)
        if not len(idx):
            return rd
        return rd.merge(Readings(self.signs, idx, ts, val))

    def update(self, con: duckdb.DuckDBPyConnection, t: datetime) -> TickResult:
        """The status as of ``t``, the alarms that began or ended since the previous tick."""
        t0 = time.perf_counter()
        self.prepare(con)
        rd = self._slab_for(con, t)
        if self.live is not None:  # what arrived since: merged afresh, the slab stays as read
            rd = self._with_live(rd, *self._slab_range)
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
            self.prepare(con)
            if self.data_end is not None and t <= self.data_end < hi and self.live is None:
                # up to the data's end only: readings simulated past it (and fitting the
                # simulator, a fifth of a first tick) wait until the clock gets there
                hi = self.data_end
            self._slab = self.readings(con, lo, hi, live=False)
            self._slab_range = (to_us(lo), to_us(hi))
            self.slab_loads += 1
        return self._slab

    def _raise(self, i: int, at_us: int, value: float, reason: str,
               events: list[tuple[str, dict]]) -> None:
        e = self._alarm(i, from_us(at_us), value)
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
            keep = i in wanted and self._open[i]["event_id"] == self._alarm(
                i, from_us(wanted[i][0]), float("nan"))["event_id"]
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
            e = self._alarm(i, entered,
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

