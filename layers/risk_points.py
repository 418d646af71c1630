"""The risk-point layer: aggregated cells when zoomed out, single points when zoomed in.

Computed in DuckDB for the viewport only, so a million points never reach the page: at most
``max_features`` cells or points per refresh, as compact column arrays.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import duckdb
from cockpit.layers.base import Viewport

LEVEL_COLOURS = {1: "#ff3b30", 2: "#ff9500", 3: "#ffd60a", 4: "#64d2ff"}


def cell_size(zoom: int) -> float:
    """Cell edge in degrees: about 40 screen pixels at this zoom."""
    return 40 * 360.0 / (256 * 2 ** zoom)


class RiskPointLayer:
    name = "risk_points"

    def __init__(self, points_from_zoom: int = 14, max_features: int = 5000) -> None:
        self.points_from_zoom = points_from_zoom
        self.max_features = max_features

    def query(self, con: duckdb.DuckDBPyConnection, viewport: Viewport | None,
              as_of: datetime | None = None, filters: dict[str, Any] | None = None) -> dict:
        if viewport is None:
            raise ValueError("the risk-point layer needs a viewport")
        f = filters or {}
        where = ["lon BETWEEN $w AND $e", "lat BETWEEN $s AND $n"]
        params: dict[str, Any] = {"w": viewport.west, "e": viewport.east,
                                  "s": viewport.south, "n": viewport.north}
        if f.get("levels"):
            where.append("level IN (SELECT unnest($levels))")
            params["levels"] = [int(x) for x in f["levels"]]
        if f.get("categories"):
            where.append("category_id IN (SELECT unnest($cats))")
            params["cats"] = [str(x) for x in f["categories"]]
        cond = " AND ".join(where)
        if viewport.zoom >= self.points_from_zoom:
            params["lim"] = self.max_features
            t = con.execute(f"""SELECT point_id, lon, lat, level FROM risk_point WHERE {cond}
                                ORDER BY level, point_id LIMIT $lim""", params).fetchnumpy()
            return {"layer": self.name, "kind": "points", "id": t["point_id"].tolist(),
                    "lon": t["lon"].round(6).tolist(), "lat": t["lat"].round(6).tolist(),
                    "level": t["level"].tolist()}
        size = cell_size(viewport.zoom)
        params["size"] = size
        params["lim"] = self.max_features
        t = con.execute(f"""
            SELECT avg(lon) AS lon, avg(lat) AS lat, count(*) AS n, min(level) AS worst
            FROM risk_point WHERE {cond}
            GROUP BY floor(lon / $size), floor(lat / $size)
            ORDER BY n DESC LIMIT $lim""", params).fetchnumpy()
        return {"layer": self.name, "kind": "cells", "cell_deg": size,
                "lon": t["lon"].round(5).tolist(), "lat": t["lat"].round(5).tolist(),
                "count": t["n"].tolist(), "worst": t["worst"].tolist()}
