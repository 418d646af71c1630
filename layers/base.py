"""What a map layer is: a name, a query for a viewport at a moment, and a style.

A layer returns plain data that the page draws directly: column arrays for points and cells,
GeoJSON-like dicts for polygons. Layers know nothing about widgets or Qt.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import duckdb


@dataclass(frozen=True)
class Viewport:
    """The visible part of the map: bounds in degrees and the Leaflet zoom level."""

    west: float
    south: float
    east: float
    north: float
    zoom: float

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Viewport:
        vals = [float(d[k]) for k in ("west", "south", "east", "north")]
        zoom = float(d["zoom"])
        if (not all(-360 <= v <= 360 for v in vals) or not 0 <= zoom <= 22
                or vals[0] > vals[2] or vals[1] > vals[3]):
            raise ValueError(f"viewport out of range: {d!r}")
        return cls(*vals, zoom)


def viewport_filter(viewport: Viewport, prefix: str = "") -> tuple[list[str], dict[str, Any]]:
    """SQL conditions and parameters selecting rows whose lon/lat lie in the viewport."""
    where = [f"{prefix}lon BETWEEN $w AND $e", f"{prefix}lat BETWEEN $s AND $n"]
    return where, {"w": viewport.west, "e": viewport.east, "s": viewport.south,
                   "n": viewport.north}


class Layer(Protocol):
    name: str

    def query(self, con: duckdb.DuckDBPyConnection, viewport: Viewport | None,
              as_of: datetime | None, filters: dict[str, Any] | None = None) -> dict[str, Any]:
        """The data to draw for this viewport and moment."""
        ...
