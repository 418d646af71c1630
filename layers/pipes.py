"""The pipe-network layer (数字管线): pipes by kind, detail by zoom, and a burst's highlight.

Detail by zoom, from two tables the catalog build writes
(:func:`cockpit.datasets.network.graph.precompute`), read into memory once per catalog
(:func:`drawing_index`) sorted by latitude, so a viewport is a binary search and a mask:

- city level (zoom < :data:`MAINS_BELOW`): trunk mains only, simplified — end points snapped
  to a grid of 4 screen pixels at that zoom, pipes that collapse to a point dropped and
  repeats merged (``network_pipe_lod``), so a 20 km main of 400 m pipes is a handful of strokes;
- district level (up to :data:`EVERY_PIPE_FROM`): mains and distribution pipes of DN ≥ 300,
  snapped to 2 pixels (``network_pipe_lod``);
- street level: every pipe in view (``network_pipe_xy``), and the valves from
  :data:`VALVES_FROM`.

At most ``max_features`` lines per refresh: a view holding more is drawn from a coarser level
(fewer, longer strokes) until it fits, so a dense view is drawn whole, never cut at an arbitrary
pipe; only the coarsest level (and valves past the cap) is cut at the cap (``complete``
False; the page's key says so).

:meth:`PipeLayer.lines` gives the lines in degrees; :meth:`PipeLayer.query` packs them for the
page (:func:`pack`): end points as Web Mercator pixels at two zoom levels above the view's
(a quarter of a screen pixel) relative to the view's centre, little-endian 16-bit integers in
base64 (32-bit when a line reaches farther than that holds), grouped by kind and main — about a
quarter of the bytes of decimal degrees in JSON, and the page draws them with no per-point
objects. :func:`unpack` reads a payload back (tests, tools). :func:`impact_payload`
turns a burst's analysis (:meth:`cockpit.datasets.network.impact.NetworkImpact.as_dict`)
into the highlight the page draws over everything: the isolated segment, the cut-off pipes,
the valves to close, the critical sites inside (for a drainage blockage: the blocked pipe, the
upstream area that backs up, the outfall and the pumping stations affected).
"""

from __future__ import annotations

import base64
import math
import os
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb
import numpy as np
from cockpit.datasets.network.graph import LOD_MAX, LOD_MIN, LOD_TRUNK_FROM
from cockpit.layers.base import Viewport

#: The pipe kinds the map has colours for, in drawing order (a later kind over an earlier one);
#: a kind not listed is drawn after them in :data:`OTHER_COLOURS`.
NETWORKS = ("water", "gas", "drainage")
#: (main colour, distribution colour) per network.
COLOURS = {"water": ("#2f8cff", "#5aa9ff"), "gas": ("#ffb020", "#d9a441"),
           "drainage": ("#c27c3e", "#a8825c")}
MAINS_BELOW = float(LOD_TRUNK_FROM)
EVERY_PIPE_FROM = float(LOD_MAX + 1)
VALVES_FROM = 16.0
#: Degrees around the viewport in which a pipe's middle may lie (a main's pipes are ~400 m).
PAD_DEG = 0.004
#: A kind without a colour of its own (a network the dataset names that the map does not know).
OTHER_COLOURS = ("#bf5af2", "#a27bd6")
#: Packed end points are Web Mercator pixels this many zoom levels above the view's (so one unit
#: is a quarter of a screen pixel at the view's zoom).
QUANTUM_ZOOMS = 2
#: Leaflet's EPSG:3857 latitude limit.
MAX_LAT = 85.0511287798


def colours_of(kind: str) -> tuple[str, str]:
    """(main colour, distribution colour) of a network kind."""
    return COLOURS.get(kind, OTHER_COLOURS)


def has_pipes(con: duckdb.DuckDBPyConnection) -> bool:
    """True when the catalog has a pipe network (and its drawing table)."""
    try:
        return con.execute("SELECT count(*) FROM network_pipe_xy").fetchone()[0] > 0
    except duckdb.Error:
        return False


class PipeLayer:
    """Pipes coloured by network, mains thicker; filters: ``networks`` (a list of kinds)."""

    name = "pipes"

    def __init__(self, max_features: int = 5_000, catalog_key: str | None = None) -> None:
        self.max_features = max_features
        #: names the catalog the layer draws (the controller's: its file); None: asked of the
        #: cursor on each refresh
        self.catalog_key = catalog_key

    def query(self, con: duckdb.DuckDBPyConnection, viewport: Viewport | None,
              as_of: datetime | None = None, filters: dict[str, Any] | None = None) -> dict:
        """The page's payload: :meth:`lines` packed (:func:`pack`)."""
        if viewport is None:
            raise ValueError("the pipe layer needs a viewport")
        return pack(self.lines(con, viewport, filters), viewport)

    def lines(self, con: duckdb.DuckDBPyConnection, viewport: Viewport,
              filters: dict[str, Any] | None = None) -> dict[str, Any]:
        """The lines to draw in the viewport, in degrees: ``network`` (kind per line), ``main``,
        ``x0 y0 x1 y1``, ``valve_lon valve_lat``, ``level`` (mains, trunk, all), ``lod_zoom``,
        ``complete`` (False when the coarsest drawing, or the valves, were cut at the cap) and
        ``kinds`` (every kind the catalog's networks have, for the key)."""
        ix = drawing_index(con, self.catalog_key)
        z = viewport.zoom
        box = (viewport.south - PAD_DEG, viewport.north + PAD_DEG,
               viewport.west - PAD_DEG, viewport.east + PAD_DEG)
        nets = (filters or {}).get("networks")
        kinds = None if nets is None else {str(x) for x in nets}
        lim = self.max_features
        # more lines than the cap: a coarser drawing of the whole view, never an arbitrary
        # part of a finer one (the coarsest is cut at the cap as a last resort)
        lod: int | None = None
        rows = None
        if z >= EVERY_PIPE_FROM:
            rows = ix.every.select(box, kinds)
            if len(rows) > lim:
                rows = None
        if rows is None:
            lod = int(min(max(np.floor(min(z, EVERY_PIPE_FROM - 1)), LOD_MIN), LOD_MAX))
            rows = ix.lod[lod].select(box, kinds)
            while lod > LOD_MIN and len(rows) > lim:
                lod -= 1
                rows = ix.lod[lod].select(box, kinds)
        d = ix.every if lod is None else ix.lod[lod]
        level = "all" if lod is None else ("mains" if lod < MAINS_BELOW else "trunk")
        complete = len(rows) <= lim
        rows = rows[:lim]  # the coarsest drawing, cut at the cap: said by ``complete``
        out = {"level": level, "lod_zoom": lod, "complete": complete, "kinds": list(ix.kinds),
               "network": np.asarray(d.kinds, dtype=object)[d.kind[rows]],
               "main": d.main[rows],
               **{k: getattr(d, k)[rows] for k in ("x0", "y0", "x1", "y1")}}
        if z >= VALVES_FROM and lod is None:  # with every pipe drawn, not a coarser drawing
            v = ix.valves.select(box, None)
            out["complete"] = complete and len(v) <= lim  # valves past the cap: said too
            out["valve_lon"], out["valve_lat"] = ix.valves.lon[v[:lim]], ix.valves.lat[v[:lim]]
        else:
            out["valve_lon"] = out["valve_lat"] = np.zeros(0)
        return out


class _Table:
    """One drawing in memory, sorted by latitude (of a line's middle): a viewport's rows are
    a binary search for the latitude band, then a mask on the longitude. ``kind``: the row's
    network as a number into ``kinds``."""

    def __init__(self, t: dict[str, np.ndarray], kinds: list[str]) -> None:
        self.kinds = kinds
        self.lat = np.asarray(t["lat"], dtype=np.float64)
        self.lon = np.asarray(t["lon"], dtype=np.float64)
        for k in ("x0", "y0", "x1", "y1"):
            setattr(self, k, np.asarray(t.get(k, np.zeros(0)), dtype=np.float64))
        self.main = np.asarray(t.get("main", np.zeros(0)), dtype=np.int8)
        self.kind = np.asarray(t.get("kind", np.zeros(0)), dtype=np.int16)

    def select(self, box: tuple[float, float, float, float], kinds: set[str] | None
               ) -> np.ndarray:
        """Row numbers in the box (south, north, west, east; inclusive), by latitude."""
        s, n, w, e = box
        i0 = int(np.searchsorted(self.lat, s, side="left"))
        i1 = int(np.searchsorted(self.lat, n, side="right"))
        lon = self.lon[i0:i1]
        keep = (lon >= w) & (lon <= e)
        if kinds is not None:
            codes = [i for i, k in enumerate(self.kinds) if k in kinds]
            keep &= np.isin(self.kind[i0:i1], codes)
        return i0 + np.flatnonzero(keep)


@dataclass
class _Index:
    every: _Table
    lod: dict[int, _Table]
    valves: _Table

    @property
    def kinds(self) -> list[str]:
        return self.every.kinds


_indexes: dict[str, _Index] = {}
_index_lock = threading.Lock()


def drawing_index(con: duckdb.DuckDBPyConnection, key: str | None = None) -> _Index:
    """The catalog's drawing tables in memory (``network_pipe_xy``, ``network_pipe_lod`` per
    zoom, the valves), read once per catalog and process — about 18 MB at the Chongqing
    scale, read in a few tenths of a second on the first refresh with the pipes on — so a
    refresh costs a binary search and a mask, not queries on the worker's cursor.

    ``key`` names the catalog; without it, the catalog's file and its modification time (the
    catalog is read-only; a rebuilt one is a newer file). A database in memory is read anew
    each time."""
    if key is None:
        path = con.execute("SELECT path FROM duckdb_databases() "
                           "WHERE database_name = current_database()").fetchone()[0]
        if path and os.path.exists(path):
            key = f"{path}:{os.stat(path).st_mtime_ns}"
    if key is not None:
        with _index_lock:
            if key in _indexes:
                return _indexes[key]
    kinds = [str(r[0]) for r in con.execute(
        "SELECT DISTINCT network FROM network_pipe_xy ORDER BY 1").fetchall()]
    cols = "list_position($kinds, network)::SMALLINT - 1 AS kind, main, x0, y0, x1, y1, lon, lat"
    every = _Table(con.execute(f"SELECT {cols} FROM network_pipe_xy ORDER BY lat",
                               {"kinds": kinds}).fetchnumpy(), kinds)
    lod_t = con.execute(f"SELECT z, {cols} FROM network_pipe_lod ORDER BY z, lat",
                        {"kinds": kinds}).fetchnumpy()
    zs = np.asarray(lod_t["z"])
    lod = {}
    for z in range(LOD_MIN, LOD_MAX + 1):
        m = zs == z
        lod[z] = _Table({k: np.asarray(v)[m] for k, v in lod_t.items()}, kinds)
    valves = _Table(con.execute("SELECT lon, lat FROM network_node WHERE kind = 'valve' "
                                "ORDER BY lat").fetchnumpy(), [])
    ix = _Index(every, lod, valves)
    if key is not None:
        with _index_lock:
            _indexes.setdefault(key, ix)
    return ix


def mercator_px(lon: np.ndarray, lat: np.ndarray, zoom: int) -> tuple[np.ndarray, np.ndarray]:
    """Leaflet's EPSG:3857 world pixel coordinates at an integer ``zoom`` (256 px tiles)."""
    size = 256.0 * 2.0 ** zoom
    x = (np.asarray(lon, dtype=np.float64) / 360.0 + 0.5) * size
    s = np.sin(np.radians(np.clip(np.asarray(lat, dtype=np.float64), -MAX_LAT, MAX_LAT)))
    y = (0.5 - np.log((1 + s) / (1 - s)) / (4 * math.pi)) * size
    return x, y


_DTYPES = {"i16": "<i2", "i32": "<i4"}


def _b64(a: np.ndarray, enc: str) -> str:
    """Integers as base64 of little-endian 16- or 32-bit values."""
    return base64.b64encode(a.astype(_DTYPES[enc]).tobytes()).decode("ascii")


def pack(lines: dict[str, Any], viewport: Viewport) -> dict[str, Any]:
    """The page's payload of :meth:`PipeLayer.lines`.

    ``zq``, ``ox``, ``oy``: the lines' end points are Web Mercator pixels at zoom ``zq`` minus
    the origin (``ox``, ``oy``: the view's centre there); ``xy``: x0 y0 x1 y1 per line, lines
    ordered by ``groups`` (each: ``network``, ``main``, ``colour``, ``n`` lines); ``networks``
    and ``colours``: every kind (the catalog's, for the key) and its two colours; ``valves``:
    x y per valve; ``enc``: i16 or i32 for both. ``features``: the lines drawn. Distribution
    pipes come first, so the page draws the mains over them."""
    zq = int(math.floor(viewport.zoom)) + QUANTUM_ZOOMS
    cx, cy = mercator_px(np.array([(viewport.west + viewport.east) / 2]),
                         np.array([(viewport.south + viewport.north) / 2]), zq)
    ox, oy = int(round(float(cx[0]))), int(round(float(cy[0])))
    net = lines["network"]
    main = np.asarray(lines["main"], dtype=np.int8)
    net = np.asarray(net, dtype=object)
    # the kinds the key lists: the catalog's (``kinds``) and any drawn; the known ones in their
    # order (a later one drawn over an earlier), then any other
    present = {str(k) for k in set(net.tolist())} | {str(k) for k in lines.get("kinds", ())}
    kinds = [k for k in NETWORKS if k in present] + sorted(present - set(NETWORKS))
    code = np.zeros(len(net), dtype=np.int64)
    for i, k in enumerate(kinds):
        code[net == k] = i
    # distribution pipes first, the mains drawn over them
    order = np.lexsort((code, main)) if len(code) else np.zeros(0, dtype=np.int64)
    x0, y0 = mercator_px(lines["x0"], lines["y0"], zq)
    x1, y1 = mercator_px(lines["x1"], lines["y1"], zq)
    xy = np.stack([x0 - ox, y0 - oy, x1 - ox, y1 - oy], axis=1)[order]
    vx, vy = mercator_px(lines["valve_lon"], lines["valve_lat"], zq)
    vxy = np.stack([vx - ox, vy - oy], axis=1)
    q = np.rint(np.concatenate([xy.reshape(-1), vxy.reshape(-1)])).astype(np.int64)
    # the narrowest integers that hold every end point (a line far longer than the view
    # needs 32 bits; nothing is clipped or dropped)
    enc = "i16" if q.size == 0 or (q.min() >= -32768 and q.max() <= 32767) else "i32"
    b_lines, b_valves = _b64(q[:xy.size], enc), _b64(q[xy.size:], enc)
    groups = []
    for m in (0, 1):
        for c in range(len(kinds)):
            n = int(((code == c) & (main == m)).sum())
            if n:
                groups.append({"network": kinds[c], "main": m, "n": n,
                               "colour": colours_of(kinds[c])[0 if m else 1]})
    return {"layer": "pipes", "kind": "lines", "level": lines["level"],
            "lod_zoom": lines["lod_zoom"], "complete": bool(lines["complete"]),
            "networks": kinds, "colours": [list(colours_of(k)) for k in kinds],
            "zq": zq, "ox": ox, "oy": oy, "enc": enc, "groups": groups, "xy": b_lines,
            "valves": b_valves, "features": int(len(order)),
            "valve_count": int(len(vx))}


def unpack(payload: dict[str, Any]) -> dict[str, Any]:
    """A :func:`pack` payload back in degrees: ``network``, ``main``, ``x0 y0 x1 y1``,
    ``valve_lon valve_lat`` (to a quarter of a screen pixel at the view's zoom)."""
    dt = _DTYPES[payload["enc"]]
    zq, ox, oy = payload["zq"], payload["ox"], payload["oy"]
    size = 256.0 * 2.0 ** zq

    def degrees(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        lon = ((x + ox) / size - 0.5) * 360.0
        lat = np.degrees(2 * np.arctan(np.exp((0.5 - (y + oy) / size) * 2 * math.pi))
                         - math.pi / 2)
        return lon, lat

    xy = np.frombuffer(base64.b64decode(payload["xy"]), dtype=dt).astype(np.float64)
    xy = xy.reshape(-1, 4)
    v = np.frombuffer(base64.b64decode(payload["valves"]), dtype=dt).astype(np.float64)
    v = v.reshape(-1, 2)
    x0, y0 = degrees(xy[:, 0], xy[:, 1])
    x1, y1 = degrees(xy[:, 2], xy[:, 3])
    vlon, vlat = degrees(v[:, 0], v[:, 1])
    net = [g["network"] for g in payload["groups"] for _ in range(g["n"])]
    main = [g["main"] for g in payload["groups"] for _ in range(g["n"])]
    return {"network": np.array(net, dtype=object), "main": np.array(main, dtype=np.int8),
            "x0": x0, "y0": y0, "x1": x1, "y1": y1, "valve_lon": vlon, "valve_lat": vlat}


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
