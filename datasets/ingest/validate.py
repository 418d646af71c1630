"""Checking what arrives: every message becomes a stored row or a quarantined one with a reason.

Reasons (the ``reason`` column of ``live_quarantine`` starts with one of these words):
``too_large`` (over :data:`MAX_PAYLOAD`), ``malformed`` (not UTF-8 JSON, not an object, a
required field missing), ``unknown_id`` (vital sign, sensor or service code not in the dataset),
``bad_value`` (not a number, NaN/infinite), ``bad_place`` (latitude/longitude outside the
Earth or far outside the dataset's area), ``future`` (stamped more than :data:`MAX_AHEAD`
ahead of the receiving clock), ``bad_topic`` (a topic the intake does not know) and ``flood``
(one topic or client sending faster than :class:`FloodGate` allows).
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import orjson

__all__ = ["Rejected", "Vocabulary", "FloodGate", "MAX_PAYLOAD", "MAX_AHEAD", "parse_time",
           "parse_reading", "check_place", "number"]

MAX_PAYLOAD = 64 * 1024
"""Bytes: a bigger payload is quarantined unread."""
MAX_AHEAD = timedelta(minutes=5)
"""A reading or report stamped further ahead of the receiving clock is quarantined."""


class Rejected(ValueError):
    """Input refused: ``reason`` is one of the module doc's words, ``message`` says more."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(f"{reason}: {message}")
        self.reason = reason
        self.message = message


@dataclass
class Vocabulary:
    """What the dataset knows: vital signs, sensors (with their place), event types, and the
    box that holds its area (lon_min, lat_min, lon_max, lat_max), padded by a degree."""

    vitals: set[str] = field(default_factory=set)
    sensors: dict[str, tuple[float, float, int | None]] = field(default_factory=dict)
    services: dict[str, dict[str, Any]] = field(default_factory=dict)
    box: tuple[float, float, float, float] | None = None
    #: (name, lon, lat) of the admin units, longest name first: an address is placed at the
    #: most specific unit it names (a street before its district)
    places: list[tuple[str, float, float]] = field(default_factory=list)

    def locate(self, address: str) -> tuple[float, float] | None:
        """(lon, lat) of the most specific admin unit the address names, else None."""
        for name, lon, lat in self.places:
            if name in address:
                return lon, lat
        return None

    @classmethod
    def from_catalog(cls, con: Any, max_sensors: int = 2_000_000) -> Vocabulary:
        """Read the vocabulary from a catalog connection (DuckDB)."""
        vitals = {r[0] for r in con.execute("SELECT indicator_id FROM vital_sign").fetchall()}
        sensors = {str(s): (float(lo), float(la), None if p is None else int(p))
                   for s, lo, la, p in con.execute(
                       "SELECT sensor_id, lon, lat, point_id FROM sensor LIMIT ?",
                       [max_sensors]).fetchall()}
        services = {}
        for tid, name, cat, sev in con.execute(
                "SELECT type_id, name, category, default_severity FROM event_type "
                "ORDER BY type_id").fetchall():
            services[str(tid)] = {"name": name, "group": cat, "severity": sev}
        box = con.execute("SELECT min(lon), min(lat), max(lon), max(lat) FROM admin_unit "
                          "WHERE lon IS NOT NULL").fetchone()
        pad = None if box is None or box[0] is None else \
            (box[0] - 1.0, box[1] - 1.0, box[2] + 1.0, box[3] + 1.0)
        places = [(str(n), float(lo), float(la)) for n, lo, la in con.execute(
            "SELECT name, lon, lat FROM admin_unit WHERE lon IS NOT NULL AND length(name) >= 2 "
            "AND level IN ('district', 'street', 'community') "
            "ORDER BY length(name) DESC, code").fetchall()]
        return cls(vitals, sensors, services, pad, places)


def parse_time(value: Any, now: datetime) -> datetime:
    """An ISO-8601 time → naive local time (an offset is converted; a naive time is taken
    as local). Refused when not a time or more than :data:`MAX_AHEAD` after ``now``."""
    if not isinstance(value, str):
        raise Rejected("malformed", f"time {value!r} is not an ISO-8601 string")
    try:
        t = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise Rejected("malformed", f"time {value[:64]!r} is not ISO-8601") from None
    if t.tzinfo is not None:
        t = t.astimezone().replace(tzinfo=None)
    if t - now > MAX_AHEAD:
        raise Rejected("future", f"time {t.isoformat()} is {t - now} ahead of the clock")
    return t


def number(value: Any, what: str) -> float:
    """A finite number (bools and numeric strings are refused)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise Rejected("bad_value", f"{what} {str(value)[:64]!r} is not a number")
    v = float(value)
    if not math.isfinite(v):
        raise Rejected("bad_value", f"{what} {v} is not finite")
    return v


def check_place(lat: Any, lon: Any, vocab: Vocabulary) -> tuple[float, float]:
    """A latitude/longitude on Earth and near the dataset's area."""
    try:
        la, lo = number(lat, "lat"), number(lon, "long")
    except Rejected as e:
        raise Rejected("bad_place", e.message) from None
    if not (-90 <= la <= 90 and -180 <= lo <= 180):
        raise Rejected("bad_place", f"lat/long {la}, {lo} is not a place on Earth")
    if vocab.box is not None:
        x0, y0, x1, y1 = vocab.box
        if not (x0 <= lo <= x1 and y0 <= la <= y1):
            raise Rejected("bad_place", f"lat/long {la}, {lo} is outside the dataset's area")
    return la, lo


def load_json(payload: bytes) -> dict:
    """The payload as a JSON object."""
    if len(payload) > MAX_PAYLOAD:
        raise Rejected("too_large", f"{len(payload)} bytes, more than {MAX_PAYLOAD}")
    try:
        obj = orjson.loads(payload)
    except orjson.JSONDecodeError as e:
        try:  # NaN, Infinity, 1e999: JSON as many senders write it; refused as values below
            obj = json.loads(payload)
        except (ValueError, RecursionError):
            raise Rejected("malformed", f"not JSON: {e}") from None
    if not isinstance(obj, dict):
        raise Rejected("malformed", "the payload must be one JSON object")
    return obj


def parse_reading(payload: bytes, now: datetime) -> tuple[datetime, float, dict]:
    """``{"t": ISO-8601, "v": number}`` → (t, v, the whole object)."""
    obj = load_json(payload)
    if "t" not in obj or "v" not in obj:
        raise Rejected("malformed", "a reading needs \"t\" and \"v\"")
    return parse_time(obj["t"], now), number(obj["v"], "v"), obj


class FloodGate:
    """A token bucket per key (a topic, a client): ``burst`` messages at once, then ``rate``
    per second. Past it, messages are quarantined as ``flood`` — other keys go on."""

    def __init__(self, rate: float = 50.0, burst: float = 2000.0, max_keys: int = 200_000
                 ) -> None:
        self.rate, self.burst, self.max_keys = float(rate), float(burst), max_keys
        self._b: dict[str, tuple[float, float]] = {}

    def allow(self, key: str, now: float | None = None) -> bool:
        t = time.monotonic() if now is None else now
        tokens, last = self._b.get(key, (self.burst, t))
        tokens = min(self.burst, tokens + (t - last) * self.rate)
        if tokens < 1.0:
            self._b[key] = (tokens, t)
            return False
        if len(self._b) >= self.max_keys and key not in self._b:
            self._b.clear()  # a bound on memory: everybody starts with a full bucket again
        self._b[key] = (tokens - 1.0, t)
        return True
