"""The event layer: events in view as of the clock, coloured by state, newest emphasised.

States: ``new`` (not dispatched, still inside its react deadline), ``overdue`` (not
dispatched past the react deadline, or an order past a stage deadline), ``dispatched`` and
``closed`` — the last two come from the dispatch records, which the cockpit passes in as
``filters["states"]`` (event_id → state); without records every event is new or overdue.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import duckdb
import numpy as np
from cockpit.layers.base import Viewport, viewport_filter

STATE_CODES = {"new": 0, "dispatched": 1, "overdue": 2, "closed": 3}
STATE_COLOURS = {"new": "#3ea6ff", "dispatched": "#34c759", "overdue": "#ff453a",
                 "closed": "#8e8e93"}


FRESH_MIN = 60
"""Events younger than this (minutes) are emphasised on the map."""


def _with_live(con: duckdb.DuckDBPyConnection, t: dict, live: list[dict], as_of: datetime
               ) -> dict:
    """The catalog's events and the live ones (``filters["live"]``: rows with id, lon, lat,
    severity, occurred_at, type_id) as one set of columns."""
    codes = sorted({e["type_id"] for e in live if e.get("type_id")})
    react = dict(con.execute("SELECT type_id, react_min FROM event_type WHERE type_id IN "
                             "(SELECT unnest(?::VARCHAR[]))", [codes]).fetchall()) if codes else {}
    extra = {
        "event_id": np.array([e["id"] for e in live], np.int64),
        "lon": np.array([e["lon"] for e in live], np.float64),
        "lat": np.array([e["lat"] for e in live], np.float64),
        "severity": np.array([e["severity"] for e in live], np.int64),
        "age_min": np.array([(as_of - e["occurred_at"]).total_seconds() / 60 for e in live]),
        "react_min": np.array([react.get(e.get("type_id")) or 15.0 for e in live], np.float64),
    }
    return {k: np.concatenate([np.asarray(t[k]).astype(extra[k].dtype), extra[k]])
            for k in extra}


class EventLayer:
    name = "events"

    def __init__(self, window_hours: float = 24.0, max_features: int = 3000) -> None:
        self.window = timedelta(hours=window_hours)
        self.max_features = max_features

    def query(self, con: duckdb.DuckDBPyConnection, viewport: Viewport | None,
              as_of: datetime | None, filters: dict[str, Any] | None = None) -> dict:
        if as_of is None:
            raise ValueError("the event layer needs the clock's time")
        f = filters or {}
        where, params = viewport_filter(viewport, "e.") if viewport else ([], {})
        where += ["e.occurred_at <= $t", "e.occurred_at > $t0"]
        params.update(t=as_of, t0=as_of - self.window, lim=self.max_features)
        t = con.execute(f"""
            SELECT e.event_id, e.lon, e.lat, e.severity,
                   date_diff('second', e.occurred_at, $t) / 60.0 AS age_min,
                   coalesce(et.react_min, 15) AS react_min
            FROM event e LEFT JOIN event_type et USING (type_id)
            WHERE {" AND ".join(where)}
            ORDER BY e.occurred_at DESC LIMIT $lim""", params).fetchnumpy()
        live = [e for e in (f.get("live") or [])
                if as_of - self.window < e["occurred_at"] <= as_of]
        if live:  # reports that arrived through the live feed (plain rows, newest last)
            t = _with_live(con, t, live, as_of)
        ids = t["event_id"]
        states = f.get("states") or {}
        late = t["age_min"] > t["react_min"]
        code = np.where(late, STATE_CODES["overdue"], STATE_CODES["new"]).astype(np.int8)
        if states:
            known = np.array([STATE_CODES.get(states.get(int(i), ""), -1) for i in ids],
                             dtype=np.int8)
            code = np.where(known >= 0, known, code)
        return {"layer": self.name, "id": ids, "lon": np.round(t["lon"], 6),
                "lat": np.round(t["lat"], 6), "severity": t["severity"],
                # only "in the last hour or not" is drawn: an exact age would make every
                # replay frame's layer differ from the last even when nothing moved
                "fresh": (t["age_min"] < FRESH_MIN).astype(np.int8), "state": code,
                "states": list(STATE_CODES), "colours": [STATE_COLOURS[s] for s in STATE_CODES]}

    def detail(self, con: duckdb.DuckDBPyConnection, event_id: int) -> dict | None:
        row = con.execute("""
            SELECT e.event_id, e.title, et.name AS type, e.source, e.severity, e.occurred_at,
                   d.name AS district, s.name AS street, e.lon, e.lat, e.type_id, e.point_id,
                   et.react_min, et.verify_min, et.handle_min, et.plan_id
            FROM event e LEFT JOIN event_type et USING (type_id)
            LEFT JOIN admin_unit d ON d.code = e.district_code
            LEFT JOIN admin_unit s ON s.code = e.street_code
            WHERE e.event_id = ?""", [int(event_id)]).fetchone()
        if row is None:
            return None
        keys = ("event_id", "title", "type", "source", "severity", "occurred_at", "district",
                "street", "lon", "lat", "type_id", "point_id", "react_min", "verify_min",
                "handle_min", "plan_id")
        out = dict(zip(keys, row))
        out["occurred_at"] = str(out["occurred_at"])
        return out
