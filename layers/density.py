"""The density layer (民生需求热力图 / 风险隐患分布图): events or risk points per cell."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
from cockpit.layers.base import Viewport, viewport_filter
from cockpit.layers.risk_points import cell_size, coarse_cells, point_filters

#: Light to dark ("YlOrRd"), for the share of the busiest cell.
RAMP = ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026")


class DensityLayer:
    """Counts per cell of ``source`` "events" (over ``window_days`` before the clock, the
    catalog's events and the live feeds' ones) or "risk" (all risk points).

    Filters: ``levels`` (risk points: their level 1–4; events: their severity 1–4),
    ``categories`` (risk points: category ids, None = all), ``types`` (events: type ids,
    None = all) and ``feed`` (events that arrived live and are not in the catalog: a dict
    of ``lon``, ``lat``, ``occurred_at`` sequences, and ``severity``, ``type_id`` when the
    filters use them). Cells are never dropped: when more than ``max_features`` would come
    back the cells get coarser (``cell_deg`` grows, ``coarser`` says by how much).
    """

    name = "density"

    def __init__(self, source: str = "events", window_days: float = 30,
                 cell_pixels: int = 32, max_features: int = 5000) -> None:
        if source not in ("events", "risk"):
            raise ValueError(f"unknown density source {source!r}")
        self.source = source
        self.window = timedelta(days=window_days)
        self.cell_pixels = cell_pixels
        self.max_features = max_features

    def query(self, con: duckdb.DuckDBPyConnection, viewport: Viewport | None,
              as_of: datetime | None, filters: dict[str, Any] | None = None) -> dict:
        if viewport is None:
            raise ValueError("the density layer needs a viewport")
        f = filters or {}
        where, params = viewport_filter(viewport)
        size = cell_size(viewport.zoom, self.cell_pixels)
        extra = None
        if self.source == "events":
            if as_of is None:
                raise ValueError("event density needs the clock's time")
            where += ["occurred_at <= $t", "occurred_at > $t0"]
            params.update(t=as_of, t0=as_of - self.window)
            if f.get("levels"):
                where.append("severity IN (SELECT unnest($levels))")
                params["levels"] = [int(x) for x in f["levels"]]
            if f.get("types") is not None:
                where.append("type_id IN (SELECT unnest($types))")
                params["types"] = [str(x) for x in f["types"]]
            table = "event"
            extra = self._feed_points(f, viewport, as_of)
        else:
            point_filters(f, where, params)
            table = "risk_point"
        if extra is not None and len(extra[0]):
            # the live events join the catalog's in one query, so they share its cells
            con.register("_density_feed", pa.table({"lon": extra[0], "lat": extra[1]}))
            src = (f"(SELECT lon, lat FROM {table} WHERE {' AND '.join(where)} "
                   "UNION ALL SELECT lon, lat FROM _density_feed)")
            cond = "true"
        else:
            src, cond = table, " AND ".join(where)
        try:
            t, size, coarser = coarse_cells(con, f"""
                SELECT floor(lon / $size) AS gx, floor(lat / $size) AS gy, count(*) AS n
                FROM {src} WHERE {cond} GROUP BY 1, 2""", params, size, self.max_features)
        finally:
            if extra is not None and len(extra[0]):
                con.unregister("_density_feed")
        order = np.argsort(-t["n"], kind="stable")
        n = t["n"][order]
        top = int(n.max()) if len(n) else 1
        cls = np.minimum((np.sqrt(n / top) * len(RAMP)).astype(int), len(RAMP) - 1)
        return {"layer": self.name, "source": self.source, "cell_deg": size,
                "coarser": coarser, "west": t["gx"][order] * size,
                "south": t["gy"][order] * size, "count": n, "cls": cls, "ramp": list(RAMP),
                "max": top}

    def _feed_points(self, f: dict[str, Any], viewport: Viewport, as_of: datetime
                     ) -> tuple[np.ndarray, np.ndarray] | None:
        """lon/lat of the live events in view, in the window and passing the filters."""
        feed = f.get("feed")
        if not feed or not len(feed.get("lon", ())):
            return None
        lon = np.asarray(feed["lon"], dtype=float)
        lat = np.asarray(feed["lat"], dtype=float)
        at = np.asarray(feed["occurred_at"], dtype="datetime64[us]")
        keep = ((lon >= viewport.west) & (lon <= viewport.east) & (lat >= viewport.south)
                & (lat <= viewport.north) & np.isfinite(lon) & np.isfinite(lat)
                & (at <= np.datetime64(as_of, "us"))
                & (at > np.datetime64(as_of - self.window, "us")))
        if f.get("levels") and feed.get("severity") is not None:
            keep &= np.isin(np.asarray(feed["severity"], dtype=int),
                            [int(x) for x in f["levels"]])
        if f.get("types") is not None and feed.get("type_id") is not None:
            keep &= np.isin(np.asarray(feed["type_id"], dtype=object),
                            [str(x) for x in f["types"]])
        return lon[keep], lat[keep]
