"""The pipe-network layer (数字管线): pipes by kind, detail by zoom, and a burst's highlight.

Detail by zoom, computed in DuckDB for the viewport only (``network_pipe_xy``, a table the
catalog build writes: each pipe's end points, sorted by latitude so that zone maps skip most
of it):

- city level (zoom < :data:`MAINS_BELOW`): trunk mains only, simplified — end points snapped
  to a grid of about :data:`SNAP_PIXELS` screen pixels, pipes that collapse to a point dropped
  and repeats merged, so a 20 km main of 400 m pipes is a handful of strokes;
- district level (up to :data:`EVERY_PIPE_FROM`): mains and distribution pipes of DN ≥ 200,
  snapped to one pixel;
- street level: every pipe in view, and the valves from :data:`VALVES_FROM`.

At most ``max_features`` lines per refresh. :func:`impact_payload` turns a burst's analysis
(:meth:`cockpit.datasets.network.impact.NetworkImpact.as_dict`) into the highlight the page
draws over everything: the isolated segment, the cut-off pipes, the valves to close, the
critical sites inside.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import duckdb
import numpy as np
from cockpit.layers.base import Viewport

NETWORKS = ("water", "gas", "drainage")
#: (main colour, distribution colour) per network.
COLOURS = {"water": ("#2f8cff", "#5aa9ff"), "gas": ("#ffb020", "#d9a441"),
           "drainage": ("#8e8e93", "#6e6e73")}
MAINS_BELOW = 12.0
EVERY_PIPE_FROM = 14.0
VALVES_FROM = 15.0
SNAP_PIXELS = 3
#: Degrees around the viewport in which a pipe's middle may lie (long mains cross in).
PAD_DEG = 0.01


def _cell(zoom: float, pixels: float) -> float:
    return pixels * 360.0 / (256 * 2 ** zoom)


def has_pipes(con: duckdb.DuckDBPyConnection) -> bool:
    """True when the catalog has a pipe network (and its drawing table)."""
    try:
        return con.execute("SELECT count(*) FROM network_pipe_xy").fetchone()[0] > 0
    except duckdb.Error:
        return False


class PipeLayer:
    """Pipes coloured by network, mains thicker; filters: ``networks`` (a list of kinds)."""

    name = "pipes"

    def __init__(self, max_features: int = 20_000) -> None:
        self.max_features = max_features

    def query(self, con: duckdb.DuckDBPyConnection, viewport: Viewport | None,
              as_of: datetime | None = None, filters: dict[str, Any] | None = None) -> dict:
        if viewport is None:
            raise ValueError("the pipe layer needs a viewport")
        z = viewport.zoom
        params: dict[str, Any] = {"w": viewport.west - PAD_DEG, "e": viewport.east + PAD_DEG,
                                  "s": viewport.south - PAD_DEG, "n": viewport.north + PAD_DEG,
                                  "lim": self.max_features}
        where = ["lat BETWEEN $s AND $n", "lon BETWEEN $w AND $e"]
        nets = (filters or {}).get("networks")
        if nets is not None:
            where.append("network IN (SELECT unnest($nets))")
            params["nets"] = [str(x) for x in nets]
        if z < MAINS_BELOW:
            where.append("main")
            level, snap = "mains", _cell(z, SNAP_PIXELS)
        elif z < EVERY_PIPE_FROM:
            where.append("(main OR diameter_mm >= 200)")
            level, snap = "trunk", _cell(z, 1)
        else:
            level, snap = "all", 0.0
        cond = " AND ".join(where)
        if snap > 0:
            params["g"] = snap
            t = con.execute(f"""
                SELECT network, bool_or(main) AS main, x0, y0, x1, y1 FROM (
                  SELECT network, main, round(x0 / $g) * $g AS x0, round(y0 / $g) * $g AS y0,
                         round(x1 / $g) * $g AS x1, round(y1 / $g) * $g AS y1
                  FROM network_pipe_xy WHERE {cond})
                WHERE x0 <> x1 OR y0 <> y1
                GROUP BY ALL LIMIT $lim""", params).fetchnumpy()
        else:
            t = con.execute(f"""SELECT network, main, x0, y0, x1, y1 FROM network_pipe_xy
                                WHERE {cond} LIMIT $lim""", params).fetchnumpy()
        net = np.array([NETWORKS.index(x) if x in NETWORKS else 0 for x in t["network"]],
                       dtype=np.int8)
        out = {"layer": self.name, "kind": "lines", "level": level, "networks": list(NETWORKS),
               "colours": [list(COLOURS[n]) for n in NETWORKS], "net": net,
               "main": np.asarray(t["main"], dtype=np.int8),
               "x0": np.round(t["x0"], 6), "y0": np.round(t["y0"], 6),
               "x1": np.round(t["x1"], 6), "y1": np.round(t["y1"], 6)}
        if z >= VALVES_FROM:
            v = con.execute("""SELECT node_id, lon, lat FROM network_node
                               WHERE kind = 'valve' AND lat BETWEEN $s AND $n
                                 AND lon BETWEEN $w AND $e LIMIT $lim""",
                            {k: params[k] for k in ("s", "n", "w", "e", "lim")}).fetchnumpy()
            out["valve_lon"] = np.round(v["lon"], 6)
            out["valve_lat"] = np.round(v["lat"], 6)
        else:
            out["valve_lon"] = out["valve_lat"] = np.zeros(0)
        return out


def impact_payload(impact: dict[str, Any] | None) -> dict[str, Any]:
    """The highlight of a burst for the page; an empty ``impact`` clears it."""
    if not impact:
        return {"layer": "network_impact", "clear": True}
    return {"layer": "network_impact", "clear": False, "network": impact.get("network"),
            "lon": impact.get("lon"), "lat": impact.get("lat"),
            "segment": impact.get("segment_lines") or [],
            "cut_off": impact.get("cut_off_lines") or [],
            "valves": [[v["lon"], v["lat"], v["node_id"]] for v in impact.get("valves") or []],
            "sites": [[s["lon"], s["lat"], s["kind"], s["name"]]
                      for s in impact.get("critical") or []]}
