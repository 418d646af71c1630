"""The facility layer: emergency warehouses, fire stations, hospitals, shelters in view."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import duckdb
import numpy as np
from cockpit.layers.base import Viewport, viewport_filter

KINDS = ("warehouse", "fire_station", "hospital", "shelter")
KIND_COLOURS = {"warehouse": "#ffd60a", "fire_station": "#ff453a", "hospital": "#32d74b",
                "shelter": "#64d2ff"}


class FacilityLayer:
    name = "facilities"

    def __init__(self, max_features: int = 5000, min_zoom: float = 10) -> None:
        self.max_features = max_features
        self.min_zoom = min_zoom  # zoomed further out, the facilities would hide the risks

    def query(self, con: duckdb.DuckDBPyConnection, viewport: Viewport | None,
              as_of: datetime | None = None, filters: dict[str, Any] | None = None) -> dict:
        where, params = viewport_filter(viewport) if viewport else (["true"], {})
        if viewport is not None and viewport.zoom < self.min_zoom:
            where.append("false")
        kinds = (filters or {}).get("kinds")
        if kinds is not None:
            where.append("kind IN (SELECT unnest($kinds))")
            params["kinds"] = [str(k) for k in kinds]
        params["lim"] = self.max_features
        t = con.execute(f"""SELECT facility_id, lon, lat, kind FROM facility
                            WHERE {" AND ".join(where)} LIMIT $lim""", params).fetchnumpy()
        kind_idx = np.array([KINDS.index(k) if k in KINDS else 0 for k in t["kind"]],
                            dtype=np.int8)
        return {"layer": self.name, "id": t["facility_id"], "lon": np.round(t["lon"], 6),
                "lat": np.round(t["lat"], 6), "kind": kind_idx, "kinds": list(KINDS),
                "colours": [KIND_COLOURS[k] for k in KINDS]}

    def detail(self, con: duckdb.DuckDBPyConnection, facility_id: int) -> dict | None:
        row = con.execute("""SELECT f.facility_id, f.name, f.kind, f.lon, f.lat, d.name
                             FROM facility f LEFT JOIN admin_unit d ON d.code = f.district_code
                             WHERE f.facility_id = ?""", [int(facility_id)]).fetchone()
        if row is None:
            return None
        return dict(zip(("facility_id", "name", "kind", "lon", "lat", "district"), row))
