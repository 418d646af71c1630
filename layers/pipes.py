"""The pipe-network layer (数字管线): pipes by kind, detail by zoom, and a burst's highlight.

Detail by zoom, read for the viewport only from two tables the catalog build writes
(:func:`cockpit.datasets.network.graph.precompute`), sorted by latitude so that zone maps
skip most of them:

- city level (zoom < :data:`MAINS_BELOW`): trunk mains only, simplified — end points snapped
  to a grid of 4 screen pixels at that zoom, pipes that collapse to a point dropped and
  repeats merged (``network_pipe_lod``), so a 20 km main of 400 m pipes is a handful of strokes;
- district level (up to :data:`EVERY_PIPE_FROM`): mains and distribution pipes of DN ≥ 300,
  snapped to 2 pixels (``network_pipe_lod``);
- street level: every pipe in view (``network_pipe_xy``), and the valves from
  :data:`VALVES_FROM`.

At most ``max_features`` lines per refresh: a view holding more is drawn from a coarser level
(fewer, longer strokes) until it fits, so a dense view is drawn whole, never cut at an arbitrary
pipe; only the coarsest level is cut at the cap (``complete`` False). :func:`impact_payload`
turns a burst's analysis (:meth:`cockpit.datasets.network.impact.NetworkImpact.as_dict`)
into the highlight the page draws over everything: the isolated segment, the cut-off pipes,
the valves to close, the critical sites inside (for a drainage blockage: the blocked pipe, the
upstream area that backs up, the outfall and the pumping stations affected).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import duckdb
import numpy as np
from cockpit.datasets.network.graph import LOD_MAX, LOD_MIN, LOD_TRUNK_FROM
from cockpit.layers.base import Viewport

NETWORKS = ("water", "gas", "drainage")
#: (main colour, distribution colour) per network.
COLOURS = {"water": ("#2f8cff", "#5aa9ff"), "gas": ("#ffb020", "#d9a441"),
           "drainage": ("#c27c3e", "#a8825c")}
MAINS_BELOW = float(LOD_TRUNK_FROM)
EVERY_PIPE_FROM = float(LOD_MAX + 1)
VALVES_FROM = 16.0
#: Degrees around the viewport in which a pipe's middle may lie (a main's pipes are ~400 m).
PAD_DEG = 0.004


def has_pipes(con: duckdb.DuckDBPyConnection) -> bool:
    """True when the catalog has a pipe network (and its drawing table)."""
    try:
        return con.execute("SELECT count(*) FROM network_pipe_xy").fetchone()[0] > 0
    except duckdb.Error:
        return False


class PipeLayer:
    """Pipes coloured by network, mains thicker; filters: ``networks`` (a list of kinds)."""

    name = "pipes"

    def __init__(self, max_features: int = 5_000) -> None:
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
        cond = " AND ".join(where)
        lim = self.max_features

        args = {k: v for k, v in params.items() if k != "lim"}
        # more lines than the cap: a coarser drawing of the whole view, never an arbitrary
        # part of a finer one (the coarsest is cut at the cap as a last resort); the counts
        # of every level in view come from one query
        lod: int | None = None
        if z >= EVERY_PIPE_FROM and con.execute(
                f"SELECT count(*) FROM network_pipe_xy WHERE {cond}", args
        ).fetchone()[0] <= lim:
            pass  # every pipe fits
        else:
            top = int(min(max(np.floor(min(z, EVERY_PIPE_FROM - 1)), LOD_MIN), LOD_MAX))
            counts = dict(con.execute(
                f"""SELECT z, count(*) FROM network_pipe_lod
                    WHERE z BETWEEN {LOD_MIN} AND {top} AND {cond} GROUP BY z""",
                args).fetchall())
            lod = top
            while lod > LOD_MIN and counts.get(lod, 0) > lim:
                lod -= 1
        if lod is None:
            level, table = "all", "network_pipe_xy"
        else:  # a simplified drawing the catalog build made for that zoom
            level = "mains" if lod < MAINS_BELOW else "trunk"
            where.insert(0, "z = $z")
            params["z"] = lod
            table = "network_pipe_lod"
        t = con.execute(f"""SELECT network, main, x0, y0, x1, y1 FROM {table}
                            WHERE {" AND ".join(where)} LIMIT $lim""", params).fetchnumpy()
        digits = 5 if level != "all" else 6
        net = np.array([NETWORKS.index(x) if x in NETWORKS else 0 for x in t["network"]],
                       dtype=np.int8)
        out = {"layer": self.name, "kind": "lines", "level": level, "lod_zoom": lod,
               "complete": lod is None or lod > LOD_MIN or len(t["x0"]) < lim,
               "networks": list(NETWORKS),
               "colours": [list(COLOURS[n]) for n in NETWORKS], "net": net,
               "main": np.asarray(t["main"], dtype=np.int8),
               "x0": np.round(t["x0"], digits), "y0": np.round(t["y0"], digits),
               "x1": np.round(t["x1"], digits), "y1": np.round(t["y1"], digits)}
        if z >= VALVES_FROM and lod is None:  # with every pipe drawn, not a coarser drawing
            v = con.execute("""SELECT lon, lat FROM network_node
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
    out = impact.get("outfall")
    marks = ([(out["kind"], out)] if out else []) + [
        ("pump_station", p) for p in impact.get("pumps") or []]
    return {"layer": "network_impact", "clear": False, "network": impact.get("network"),
            "lon": impact.get("lon"), "lat": impact.get("lat"),
            "segment": impact.get("segment_lines") or [],
            "cut_off": impact.get("cut_off_lines") or [],
            "valves": [[v["lon"], v["lat"], v["node_id"]] for v in impact.get("valves") or []],
            "sites": [[s["lon"], s["lat"], s["kind"], s["name"]]
                      for s in impact.get("critical") or []],
            # drainage: where the blocked pipe drained to, and the pumping stations affected
            "marks": [[m["lon"], m["lat"], kind, m["name"]] for kind, m in marks]}
