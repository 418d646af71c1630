"""A demo simulator that continues every vital sign past the dataset's last reading.

In demo live mode the clock may run beyond the data. The simulator then goes on from each
indicator's own recent history, in memory only (the catalog is never written):

    value(t) = daily(t) + r(t) + drift(t)

- ``daily``: a level and a 24-hour cosine fitted by least squares to the indicator's last day
  of readings (so the evening peak of a load stays an evening peak);
- ``r``: AR(1) noise with the residuals' robust spread, starting from the last reading's
  residual, so the series continues from the last value without a jump and relaxes towards
  its daily shape (half-life about half an hour at 5-minute steps);
- ``drift``: now and then (``warning_rate`` / ``alarm_rate`` per indicator and day) a smooth
  bump of 1–4 hours towards a value beyond the warning or the alarm threshold — the
  excursions the vital-sign panel and the alarms are there to catch.

Values keep the indicator's observed decimals, floor (no negative values when the history
has none) and cap (100 for percentages). The output is a pure function of the seed and the
history: values are generated in blocks of ``BLOCK`` steps, block ``k`` from
``numpy.random.default_rng([seed, k])``, so the readings at a moment do not depend on when
or in which pieces they were asked for.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
from cockpit.datasets.vitals.signs import Signs, from_us, to_us
from cockpit.datasets.vitals.status import Readings

__all__ = ["VitalSimulator", "BLOCK"]

#: Steps generated per block (one random stream per block).
BLOCK = 12
#: The per-sign arrays a fit sets (``_level`` …), what :meth:`VitalSimulator.fitted` returns.
_FITTED = ("level", "cos", "sin", "sd", "last_resid", "floor", "cap", "dec", "ok")
_DAY_US = 86_400 * 1_000_000


class VitalSimulator:
    """Continues the readings of every sign after ``history``'s last reading."""

    def __init__(self, history: Readings, seed: int = 0, step: timedelta | None = None,
                 warning_rate: float = 0.02, alarm_rate: float = 0.005,
                 keep: timedelta = timedelta(days=2)) -> None:
        """``history``: at least the last day of readings of every sign (a :class:`Readings`);
        ``warning_rate`` / ``alarm_rate``: drifts per indicator and day."""
        if not len(history):
            raise ValueError("the simulator needs some history to continue from")
        step_us = int(step // timedelta(microseconds=1)) if step else _median_step(history)
        self._configure(history.signs, seed, int(history.ts.max()), step_us, warning_rate,
                        alarm_rate, keep)
        self._fit(history)
        self._reset()

    def _configure(self, signs: Signs, seed: int, start_us: int, step_us: int,
                   warning_rate: float, alarm_rate: float, keep: timedelta) -> None:
        self.signs = signs
        self._n = len(signs)
        self.seed = int(seed)
        self.start_us = start_us
        self.step_us = step_us
        self.warning_rate = warning_rate
        self.alarm_rate = alarm_rate
        self.keep_steps = max(BLOCK, int(keep // timedelta(microseconds=1)) // self.step_us)

    def fitted(self) -> dict[str, np.ndarray]:
        """What the fit found, as plain arrays: :meth:`from_fitted` continues exactly as this
        simulator does (the cockpit keeps it beside the catalog: fitting reads the last day
        of every sign, about a second of a start-up)."""
        out = {name: getattr(self, "_" + name) for name in _FITTED}
        out.update(start_us=np.int64(self.start_us), step_us=np.int64(self.step_us))
        return out

    @classmethod
    def from_fitted(cls, signs: Signs, fitted: dict[str, np.ndarray], seed: int = 0,
                    warning_rate: float = 0.02, alarm_rate: float = 0.005,
                    keep: timedelta = timedelta(days=2)) -> VitalSimulator:
        """The simulator :meth:`fitted` described, for the same ``signs``; ValueError when the
        arrays do not fit them."""
        missing = [k for k in (*_FITTED, "start_us", "step_us") if k not in fitted]
        if missing:
            raise ValueError(f"the fitted simulator lacks {', '.join(missing)}")
        if any(np.shape(fitted[k]) != (len(signs),) for k in _FITTED):
            raise ValueError(f"the fitted simulator is not for these {len(signs)} signs")
        self = cls.__new__(cls)
        self._configure(signs, seed, int(fitted["start_us"]), int(fitted["step_us"]),
                        warning_rate, alarm_rate, keep)
        for name in _FITTED:
            setattr(self, "_" + name, np.array(fitted[name]))
        self._ok = self._ok.astype(bool)
        self._reset()
        return self

    @property
    def start(self) -> datetime:
        """The dataset's last reading: simulated readings come after it."""
        return from_us(self.start_us)

    def readings(self, start: datetime, end: datetime,
                 numbers: np.ndarray | list[int] | None = None) -> Readings:
        """The simulated readings with ``start < ts <= end`` (of sign ``numbers`` only)."""
        s_us, e_us = to_us(start), to_us(end)
        first = max(1, (s_us - self.start_us) // self.step_us + 1)
        last = (e_us - self.start_us) // self.step_us
        if last < first:
            return Readings.empty(self.signs)
        if first <= self._base:
            self._reset()  # asked before what is kept: regenerate (deterministic)
        self._extend(last, first)
        a, b = first - 1 - self._base, last - self._base
        vals = self._values[:, a:b] if self._values.shape[1] else np.zeros((self._n, 0))
        steps = np.arange(first, first + vals.shape[1], dtype=np.int64)
        ts = self.start_us + steps * self.step_us
        nums = np.arange(self._n) if numbers is None else np.asarray(numbers, np.int64)
        nums = nums[self._ok[nums]]
        vals = vals[nums]
        idx = np.repeat(nums.astype(np.int32), vals.shape[1])
        return Readings(self.signs, idx, np.tile(ts, len(nums)), vals.ravel(), presorted=True)

    # ---- fitting --------------------------------------------------------------------------
    def _fit(self, history: Readings) -> None:
        """Per sign, vectorised: least squares of level + 24 h cosine on the last day, the
        noise from successive differences (robust to the slow drifts), floor, cap, decimals."""
        n = self._n
        recent = history.between(self.start_us - _DAY_US, self.start_us)
        idx, ts, v = recent.idx, recent.ts, recent.value
        counts = np.bincount(idx, minlength=n)
        self._ok = counts >= 3
        x = _phase(ts)
        c, s = np.cos(x), np.sin(x)

        def tot(a: np.ndarray) -> np.ndarray:
            return np.bincount(idx, weights=a, minlength=n)

        xtx = np.empty((n, 3, 3))
        cols = (np.ones_like(c), c, s)
        for a in range(3):
            for b in range(a, 3):
                xtx[:, a, b] = xtx[:, b, a] = tot(cols[a] * cols[b])
        xty = np.stack([tot(col * v) for col in cols], axis=1)
        xtx[~self._ok] = np.eye(3)
        xtx += np.eye(3) * 1e-9
        coef = np.linalg.solve(xtx, xty[..., None])[..., 0]
        coef[~self._ok] = 0.0
        self._level, self._cos, self._sin = coef[:, 0], coef[:, 1], coef[:, 2]
        # noise: successive differences of one sign (white noise: sd(diff) = sqrt(2) sd)
        same = np.diff(idx) == 0
        d = np.diff(v)[same]
        di = idx[1:][same]
        nd = np.bincount(di, minlength=n)
        var = np.bincount(di, weights=d * d, minlength=n) / np.maximum(nd, 1) / 2
        self._sd = np.sqrt(var) + 1e-12
        last = np.maximum(recent.starts[1:] - 1, 0)
        if len(v):
            resid_last = v[last] - (self._level + self._cos * c[last] + self._sin * s[last])
        else:
            resid_last = np.zeros(n)
        self._last_resid = np.where(self._ok, resid_last, 0.0)
        vmin = np.full(n, np.inf)
        vmax = np.full(n, -np.inf)
        if len(v):
            np.minimum.at(vmin, idx, v)
            np.maximum.at(vmax, idx, v)
        self._floor = np.where(vmin >= 0, 0.0, -np.inf)
        pct = np.array([u == "%" for u in self.signs.unit])
        self._cap = np.where(pct & (vmax <= 100), 100.0, np.inf)
        self._dec = np.full(n, 4)
        for d_ in range(4, -1, -1):
            f = 10.0 ** d_
            off = np.abs(v * f - np.round(v * f)) > 1e-6
            bad = np.bincount(idx, weights=off.astype(float), minlength=n) > 0
            self._dec = np.where(bad, self._dec, d_)

    def _daily(self, ts: np.ndarray) -> np.ndarray:
        x = _phase(ts)
        return (self._level[:, None] + self._cos[:, None] * np.cos(x)[None, :]
                + self._sin[:, None] * np.sin(x)[None, :])

    # ---- generation -----------------------------------------------------------------------
    def _reset(self) -> None:
        self._base = 0  # step number before the first kept column
        self._done = 0  # steps generated so far
        self._values = np.zeros((self._n, 0))
        self._r = self._last_resid.copy()
        self._bump_t0 = np.zeros(self._n, np.int64)  # centre step of the active drift
        self._bump_amp = np.zeros(self._n)
        self._bump_w = np.ones(self._n)  # width in steps
        self._bump_end = np.zeros(self._n, np.int64)  # last step of the active drift

    def _extend(self, last: int, first: int) -> None:
        while self._done < last:
            k = self._done // BLOCK
            # a block wholly older than what is kept only moves the noise and drifts on (a
            # clock days past the data made this quadratic when every block was kept)
            self._block(k, keep=(k + 1) * BLOCK >= first - self.keep_steps)
            self._forget(first)
        self._forget(first)

    def _forget(self, first: int) -> None:
        """Drop what is older than ``keep``, but never what was just asked for (from step
        ``first`` on)."""
        drop = min(self._values.shape[1] - self.keep_steps, first - 1 - self._base)
        if drop > BLOCK:
            self._values = self._values[:, drop:]
            self._base += drop

    def _block(self, k: int, keep: bool = True) -> None:
        rng = np.random.default_rng([self.seed, k])
        n = self._n
        steps = np.arange(k * BLOCK + 1, (k + 1) * BLOCK + 1, dtype=np.int64)
        ts = self.start_us + steps * self.step_us
        phi = 0.9
        eps = rng.standard_normal((n, BLOCK)) * (self._sd * np.sqrt(1 - phi ** 2))[:, None]
        start_u = rng.random((n, BLOCK))
        kind_u = rng.random((n, 4))
        daily = self._daily(ts)
        day_steps = _DAY_US / self.step_us
        p_alarm = self.alarm_rate / day_steps
        p_warn = self.warning_rate / day_steps
        out = np.empty((n, BLOCK))
        for j, step in enumerate(steps):
            self._r = phi * self._r + eps[:, j]
            # start a drift where none is active
            free = (self._bump_end < step) & self._ok
            go_alarm = free & (start_u[:, j] < p_alarm)
            go_warn = free & ~go_alarm & (start_u[:, j] < p_alarm + p_warn)
            for go, is_alarm in ((go_alarm, True), (go_warn, False)):
                idx = np.flatnonzero(go)
                if idx.size:
                    self._start_drift(idx, int(step), is_alarm, kind_u[idx])
            dist = (step - self._bump_t0) / self._bump_w
            bump = np.where(self._bump_end >= step, self._bump_amp * np.exp(-0.5 * dist ** 2), 0)
            out[:, j] = daily[:, j] + self._r + bump
        out = np.clip(out, self._floor[:, None], self._cap[:, None])
        f = 10.0 ** self._dec[:, None]
        out = np.round(out * f) / f
        if keep:
            self._values = np.concatenate([self._values, out], axis=1)
        else:
            self._values = np.zeros((n, 0))
            self._base = int(steps[-1])
        self._done = int(steps[-1])

    def _start_drift(self, idx: np.ndarray, step: int, alarm: bool, u: np.ndarray) -> None:
        """Drifts of signs ``idx`` starting at ``step``: peak beyond the threshold after
        2.5 widths, over after 5."""
        s = self.signs
        wl, wh, al, ah = s.warn_low[idx], s.warn_high[idx], s.alarm_low[idx], s.alarm_high[idx]
        can_hi = ~np.isnan(wh) | ~np.isnan(ah)
        can_lo = ~np.isnan(wl) | ~np.isnan(al)
        high = can_hi & (~can_lo | (u[:, 0] < 0.5))
        w_ = np.where(high, wh, wl)
        a_ = np.where(high, ah, al)
        w_ = np.where(np.isnan(w_), a_, w_)
        sgn = np.where(high, 1.0, -1.0)
        gap = np.abs(a_ - w_)
        gap = np.where(np.isnan(gap) | (gap == 0), np.abs(w_) * 0.2 + 1e-6, gap)
        if alarm:
            ref = np.where(np.isnan(a_), w_, a_)
            target = ref + sgn * gap * (0.1 + 0.3 * u[:, 1])
        else:
            target = w_ + sgn * gap * (0.25 + 0.45 * u[:, 1])
        width = (1.0 + 3.0 * u[:, 2]) * 3_600_000_000 / self.step_us / 2.5  # steps (sigma)
        ok = np.isfinite(target)
        idx, target, width = idx[ok], target[ok], width[ok]
        t0 = step + np.round(2.5 * width).astype(np.int64)
        x = _phase(self.start_us + t0 * self.step_us)
        base = self._level[idx] + self._cos[idx] * np.cos(x) + self._sin[idx] * np.sin(x)
        self._bump_w[idx] = width
        self._bump_t0[idx] = t0
        self._bump_end[idx] = step + np.round(5 * width).astype(np.int64)
        self._bump_amp[idx] = target - base


def _phase(ts_us: np.ndarray) -> np.ndarray:
    return 2 * np.pi * (np.asarray(ts_us, np.int64) % _DAY_US) / _DAY_US


def _median_step(history: Readings) -> int:
    d = np.diff(history.ts)
    same = np.diff(history.idx) == 0
    d = d[same & (d > 0)]
    return int(np.median(d)) if len(d) else 300_000_000
