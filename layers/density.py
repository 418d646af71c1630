"""The density layer (民生需求热力图 / 风险隐患分布图): events or risk points per cell."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import duckdb
import numpy as np
from cockpit.layers.base import Viewport, viewport_filter
from cockpit.layers.risk_points import cell_size

#: Light to dark ("YlOrRd"), for the share of the busiest cell.
RAMP = ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026")


class DensityLayer:
    """Counts per cell of ``source`` "events" (over ``window_days`` before the clock) or
    "risk" (all risk points)."""

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
        where, params = viewport_filter(viewport)
        size = cell_size(viewport.zoom, self.cell_pixels)
        params["size"] = size
        if self.source == "events":
            if as_of is None:
                raise ValueError("event density needs the clock's time")
            where += ["occurred_at <= $t", "occurred_at > $t0"]
            params.update(t=as_of, t0=as_of - self.window)
            table = "event"
        else:
            table = "risk_point"
        t = con.execute(f"""
            SELECT floor(lon / $size) AS gx, floor(lat / $size) AS gy, count(*) AS n
            FROM {table} WHERE {" AND ".join(where)} GROUP BY 1, 2""", params).fetchnumpy()
        order = np.argsort(-t["n"], kind="stable")[: self.max_features]
        n = t["n"][order]
        top = int(n.max()) if len(n) else 1
        cls = np.minimum((np.sqrt(n / top) * len(RAMP)).astype(int), len(RAMP) - 1)
        return {"layer": self.name, "source": self.source, "cell_deg": size,
                "west": t["gx"][order] * size, "south": t["gy"][order] * size,
                "count": n, "cls": cls, "ramp": list(RAMP), "max": top}
