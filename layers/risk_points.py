"""The risk-point layer: single points when few enough are in view, pixel cells otherwise.

Computed in DuckDB for the viewport only, so a million points never reach the page: at most
``max_features`` points or cells per refresh, as compact column arrays (numpy), which the
cockpit serialises in one go. The table is sorted by latitude, so DuckDB's zone maps skip
most of it for any view smaller than the city.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import duckdb
import numpy as np
from cockpit.layers.base import Viewport, viewport_filter

LEVEL_COLOURS = {1: "#ff3b30", 2: "#ff9500", 3: "#ffd60a", 4: "#64d2ff"}


def cell_size(zoom: float, pixels: int = 24) -> float:
    """Cell edge in degrees: about ``pixels`` screen pixels at this zoom."""
    return pixels * 360.0 / (256 * 2 ** zoom)


def coarse_cells(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any], size: float,
                 max_cells: int, max_rounds: int = 12) -> tuple[dict[str, np.ndarray], float, int]:
    """Run a cell query (``$size`` is the cell edge) with cells coarser and coarser until at
    most ``max_cells`` come back: nothing is ever dropped, every row stays counted in some
    cell (a lone high-risk point too). Returns (cells, the edge used, how many times coarser
    than asked)."""
    factor = 1
    while True:
        cells = con.execute(sql, {**params, "size": size * factor}).fetchnumpy()
        n = len(next(iter(cells.values()))) if cells else 0
        if n <= max_cells or max_rounds <= 0:
            return cells, size * factor, factor
        # cells shrink about with the square of the edge; at least double it
        factor *= max(2, int(np.ceil(np.sqrt(n / max_cells))))
        max_rounds -= 1


def point_filters(f: dict[str, Any], where: list[str], params: dict[str, Any]) -> None:
    """SQL conditions for the risk-point filters ``levels`` and ``categories``."""
    if f.get("levels"):
        levels = [int(x) for x in f["levels"] if 1 <= int(x) <= 4]
        where.append("level IN (SELECT unnest($levels))")
        params["levels"] = levels
    if f.get("categories") is not None:
        where.append("category_id IN (SELECT unnest($cats))")
        params["cats"] = [str(x) for x in f["categories"]]


class RiskPointLayer:
    """Risk points coloured by level; filters: ``levels`` (1–4), ``categories`` (ids)."""

    name = "risk_points"

    def __init__(self, max_features: int = 5000, cell_pixels: int = 24) -> None:
        self.max_features = max_features
        self.cell_pixels = cell_pixels

    def query(self, con: duckdb.DuckDBPyConnection, viewport: Viewport | None,
              as_of: datetime | None = None, filters: dict[str, Any] | None = None) -> dict:
        if viewport is None:
            raise ValueError("the risk-point layer needs a viewport")
        where, params = viewport_filter(viewport)
        point_filters(filters or {}, where, params)
        cond = " AND ".join(where)
        params["lim"] = self.max_features + 1
        pts = con.execute(f"""SELECT point_id, lon, lat, level FROM risk_point WHERE {cond}
                              LIMIT $lim""", params).fetchnumpy()
        if len(pts["point_id"]) <= self.max_features:
            return {"layer": self.name, "kind": "points", "id": pts["point_id"],
                    "lon": np.round(pts["lon"], 6), "lat": np.round(pts["lat"], 6),
                    "level": pts["level"]}
        params.pop("lim")
        size = cell_size(viewport.zoom, self.cell_pixels)
        cells, size, coarser = coarse_cells(con, f"""
            SELECT avg(lon) AS lon, avg(lat) AS lat, count(*) AS n, min(level) AS worst
            FROM risk_point WHERE {cond}
            GROUP BY floor(lon / $size), floor(lat / $size)""", params, size,
                                            self.max_features)
        # the worst last, so a lone 重大 point is drawn on top of its neighbours
        order = np.lexsort((-cells["n"], -cells["worst"]))
        return {"layer": self.name, "kind": "cells", "cell_deg": size, "coarser": coarser,
                "lon": np.round(cells["lon"][order], 5), "lat": np.round(cells["lat"][order], 5),
                "count": cells["n"][order], "worst": cells["worst"][order]}

    def counts_by_category(self, con: duckdb.DuckDBPyConnection,
                           viewport: Viewport | None = None) -> list[tuple[str, str, int]]:
        """(category_id, name, count) for the layer tree, in the view when one is given."""
        where, params = viewport_filter(viewport, "p.") if viewport else (["true"], {})
        rows = con.execute(f"""
            SELECT c.category_id, c.name, count(p.point_id)
            FROM risk_category c LEFT JOIN risk_point p
              ON p.category_id = c.category_id AND {" AND ".join(where)}
            GROUP BY ALL ORDER BY 3 DESC, 1""", params).fetchall()
        return [(str(a), str(b), int(n)) for a, b, n in rows]

    def detail(self, con: duckdb.DuckDBPyConnection, point_id: int,
               as_of: datetime | None = None) -> dict | None:
        """A risk point's attributes, its sensors and its recent events."""
        row = con.execute("""
            SELECT p.point_id, p.name, c.name AS category, p.level, p.lon, p.lat,
                   d.name AS district, s.name AS street, p.owner_dept, dep.name AS owner,
                   p.last_inspected
            FROM risk_point p
            LEFT JOIN risk_category c USING (category_id)
            LEFT JOIN admin_unit d ON d.code = p.district_code
            LEFT JOIN admin_unit s ON s.code = p.street_code
            LEFT JOIN department dep ON dep.dept_id = p.owner_dept
            WHERE p.point_id = ?""", [int(point_id)]).fetchone()
        if row is None:
            return None
        keys = ("point_id", "name", "category", "level", "lon", "lat", "district", "street",
                "owner_dept", "owner", "last_inspected")
        out = dict(zip(keys, row))
        out["last_inspected"] = str(out["last_inspected"] or "")
        out["sensors"] = [
            {"sensor_id": int(a), "kind": str(b)} for a, b in con.execute(
                "SELECT sensor_id, kind FROM sensor WHERE point_id = ? ORDER BY 1 LIMIT 50",
                [int(point_id)]).fetchall()]
        ev_params: list[Any] = [int(point_id)]
        cond = ""
        if as_of is not None:
            cond = "AND occurred_at <= ?"
            ev_params.append(as_of)
        out["events"] = [
            {"event_id": int(a), "occurred_at": str(b), "title": str(c), "severity": int(d)}
            for a, b, c, d in con.execute(
                f"""SELECT event_id, occurred_at, title, severity FROM event
                    WHERE point_id = ? {cond} ORDER BY occurred_at DESC LIMIT 20""",
                ev_params).fetchall()]
        return out
