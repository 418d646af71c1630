"""A drill's city is whole: vital-sign readings for every shipped scenario's window — no Qt.

The demo generator writes readings for a few days around its anchor (``[A − 6 d, A + 1 d)``);
a shipped scenario with a fixed start (the biogas drill at 2026-11-20 14:00) usually falls
outside, and its vital signs then read 无数据 for the whole drill. :func:`add_scenario_readings`
(called from ``datasets/generate.py`` after the readings are built) fills each such window —
from two hours before the start to half an hour after the end — with the generated day-shape
of the same hours, taken whole days later (so the values, their daily rhythm and their
excursions are the dataset's own), keeping the table's order (each indicator's readings
together, by time) that the catalog's rowid layout relies on.

Scenarios whose start is relative to the data's end (``start_offset_min``) run past the data,
where the vitals simulator already continues the readings; windows the data already covers
are left alone.

A drill's vital injects move a gauge: :func:`inject_scripts` turns them into scripted readings
for the vitals monitor (:class:`cockpit.datasets.vitals.ScriptedSign`). The indicator is the
dataset's sign of the inject's name, domain and unit (the nearest to the inject's place when
there are several); a dataset without one gets the scenario's own sign, placed at the inject's
place with the inject's threshold as its alarm limit (reading ``baseline`` before the first
inject, when the scenario gives one). From each inject on, the sign reads the inject's value
every minute until the next inject of that indicator, the last one until half an hour after
the drill; the alarm that raises is the inject's own event (its id, type, place and network),
so the alarm on the gauge is the event the trainees dispatch and are scored on.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

import numpy as np
import pyarrow as pa

__all__ = ["scenario_windows", "add_scenario_readings", "inject_scripts", "DRILL_SIGN_PREFIX"]

#: The id prefix of the indicators a drill brings for itself.
DRILL_SIGN_PREFIX = "DRILL-"

_US = 1_000_000
_US_DAY = 86_400 * _US
_BEFORE = timedelta(hours=2)
_AFTER = timedelta(minutes=30)


def _us(t: datetime) -> int:
    return int((t - datetime(1970, 1, 1)) / timedelta(microseconds=1))


def scenario_windows(scenarios: Iterable | None = None) -> list[tuple[datetime, datetime]]:
    """The fixed-start scenarios' windows with their margins (default: the shipped ones)."""
    if scenarios is None:
        from cockpit.datasets.drill import shipped_scenarios

        scenarios = shipped_scenarios()
    out = []
    for sc in scenarios:
        if getattr(sc, "start", None) is None:
            continue
        s, e = sc.window()
        out.append((s - _BEFORE, e + _AFTER))
    return out


def add_scenario_readings(table: pa.Table, n_signs: int, step_min: int,
                          windows: list[tuple[datetime, datetime]]) -> pa.Table:
    """``table`` (``vital_reading`` as the generator built it: ``n_signs`` blocks of equal
    length, each one indicator's readings by time at ``step_min``) with readings added for
    the ``windows`` it does not cover."""
    if n_signs <= 0 or table.num_rows == 0 or table.num_rows % n_signs:
        return table
    n_t = table.num_rows // n_signs
    ts = table.column("ts").combine_chunks()
    ts_us = np.asarray(ts.cast(pa.int64()), dtype=np.int64)[:n_t]
    first, last = int(ts_us[0]), int(ts_us[-1])
    step = step_min * 60 * _US
    values = np.asarray(table.column("value").combine_chunks(), dtype=float).reshape(n_signs, n_t)
    before, after = [], []  # (times, columns of values) outside the generated range
    for lo, hi in sorted(windows):
        lo_us = (_us(lo) // step) * step
        hi_us = _us(hi)
        if lo_us >= first:
            continue  # covered, or after the data
        t = np.arange(lo_us, hi_us + 1, step, dtype=np.int64)
        # only before the data: past its end the vitals simulator continues the readings
        t = t[t < first]
        if not len(t):
            continue
        # the same hours, a whole number of days into the generated range
        shift_days = np.ceil((first - t) / _US_DAY).astype(np.int64)
        shift_days = np.where(t > last, -np.ceil((t - last) / _US_DAY).astype(np.int64),
                              shift_days)
        src = t + shift_days * _US_DAY
        idx = np.clip((src - first) // step, 0, n_t - 1)
        (before if t[0] < first else after).append((t, values[:, idx]))
    if not before and not after:
        return table

    def merged(parts: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
        if not parts:
            return np.zeros(0, np.int64), np.zeros((n_signs, 0))
        t = np.concatenate([p[0] for p in parts])
        v = np.concatenate([p[1] for p in parts], axis=1)
        t, keep = np.unique(t, return_index=True)
        return t, v[:, keep]

    tb, vb = merged(before)
    ta, va = merged(after)
    all_t = np.concatenate([tb, ts_us, ta])
    all_v = np.concatenate([vb, values, va], axis=1)
    ids = table.column("indicator_id").combine_chunks()
    block_ids = ids.take(pa.array(np.arange(n_signs, dtype=np.int64) * n_t))
    m = len(all_t)
    return pa.table({
        "indicator_id": block_ids.take(pa.array(np.repeat(np.arange(n_signs, dtype=np.int64),
                                                          m))),
        "ts": pa.array(np.tile(all_t, n_signs), pa.int64()).cast(table.schema.field("ts").type),
        "value": pa.array(all_v.ravel(), table.schema.field("value").type),
    }, schema=table.schema)


def inject_scripts(scenario, start: datetime, end: datetime, signs) -> list:
    """The scripted readings of a drill's vital injects over its window ``[start, end]``
    (see the module doc); ``signs``: the dataset's (:class:`cockpit.datasets.vitals.Signs`)."""
    from cockpit.datasets.vitals import ScriptedSign

    groups: dict[tuple[str, str, str], list] = {}
    for inj in sorted(scenario.injects, key=lambda i: (i.at_min, i.n)):
        v = inj.vital
        if inj.kind == "vital" and {"name", "domain", "unit", "value"} <= set(v):
            groups.setdefault((v["name"], v["domain"], v["unit"]), []).append(inj)
    out = []
    for k, ((name, domain, unit), injs) in enumerate(groups.items(), start=1):
        first = injs[0]
        at = [start + timedelta(minutes=i.at_min) for i in injs]
        points = [(t, float(i.vital["value"])) for t, i in zip(at, injs, strict=True)]
        typed = next((i for i in injs if i.type_id), None)
        event = {} if typed is None else {
            "event_id": typed.event_id, "type_id": typed.type_id, "severity": typed.severity,
            "lon": typed.lon, "lat": typed.lat, "district_code": typed.district_code,
            "street_code": typed.street_code, "point_id": None, "drill": True,
            "network": typed.network}
        same = [i for i in range(len(signs)) if signs.name[i] == name
                and signs.domain[i] == domain and (signs.unit[i] or "") == unit]
        sign = None
        if same:
            d = [(signs.lon[i] - first.lon) ** 2 + (signs.lat[i] - first.lat) ** 2
                 if signs.lon[i] == signs.lon[i] else np.inf for i in same]
            ind = signs.ids[same[int(np.argmin(d))]]
        else:  # the dataset has no such indicator: the drill brings its own
            ind = f"{DRILL_SIGN_PREFIX}{scenario.id}-{k}"
            thr = first.vital.get("threshold")
            high = thr is None or float(first.vital["value"]) >= float(thr)
            district = first.district_code
            unit_name = next((signs.unit_name[i] for i in range(len(signs))
                              if signs.unit_code[i] == district), district)
            sign = {"indicator_id": ind, "name": name, "domain": domain, "unit": unit,
                    "unit_code": district, "unit_name": unit_name,
                    "district_code": district, "street_code": first.street_code,
                    "alarm_high": thr if high else None,
                    "alarm_low": None if high else thr, "point_id": None,
                    "event_type_id": typed.type_id if typed else None,
                    "u_lon": first.lon, "u_lat": first.lat}
            if "baseline" in first.vital:
                points.insert(0, (start - _BEFORE, float(first.vital["baseline"])))
        out.append(ScriptedSign(ind, tuple(points), end + _AFTER, event=event, sign=sign))
    return out
