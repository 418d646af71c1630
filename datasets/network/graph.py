"""Valve-isolation segments of the pipe networks, precomputed when the catalog builds.

A **segment** is what closing valves can cut out of a network: the pipes that stay connected
when every valve is closed. It is a connected component of the valve-split graph — the pipes
joined through every node that is not a valve (the idea of WNTR's ``valve_segments``, computed
here with ``scipy.sparse.csgraph.connected_components``). Isolating a burst pipe means closing
every valve on its segment's boundary.

The **segment graph** links the segments through their valves (a star: each valve a vertex
joined to the segments it bounds). Closing one segment's valves removes those valve vertices;
the segments then no longer reachable from any fed segment (one holding a source or tank) are
cut off as a consequence — the *unintended isolation*.

Drainage has no valves and no sources: its segments are whole connected parts, never fed, and
mean nothing — a drainage blockage is answered by the directed analysis of
:class:`cockpit.datasets.network.impact.Drainage` instead.

:func:`precompute` stores into the catalog database (``CREATE TABLE`` in the connection that
builds it):

- ``network_pipe_segment(pipe_id, segment)``;
- ``network_node_segment(node_id, segment)`` — every node but the valves;
- ``network_segment_valve(segment, node_id)`` — the valves bounding each segment;
- ``network_segment(segment, network, fed, pipes, length_m)`` — ``fed``: reaches a source or tank
  in the intact network;
- ``network_pipe_xy(pipe_id, network, main, diameter_mm, x0, y0, x1, y1, lon, lat)`` — the
  map layer's drawing table (end points; sorted by the middle's latitude);
- ``network_pipe_lod(z, network, main, x0, y0, x1, y1, lon, lat)`` — the simplified drawings
  for zoom levels 7–14 (snapped end points, merged repeats; sorted by zoom and latitude);
- ``network_site(site_kind, ref_id, name, category, lon, lat, network, node_id, distance_m)`` —
  the critical sites (hospitals, schools, care homes from ``facility`` and ``risk_point``) with
  their nearest node of each network within :data:`SITE_RADIUS_M`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import duckdb
import numpy as np

# scipy is imported where it is used: importing it costs about a second, and the window
# imports this module at start-up to draw nothing with it
if TYPE_CHECKING:
    from scipy.sparse import csr_matrix

#: Node kinds that feed a network.
FEEDS = ("source", "tank")
#: A critical site is served by the nearest node of a network within this distance.
SITE_RADIUS_M = 500.0
#: Critical sites: (site kind, where they come from).
SITE_FACILITY_KINDS = {"hospital": "hospital"}
SITE_RISK_CATEGORIES = {"RC-HOSPITAL": "hospital", "RC-SCHOOL": "school",
                        "RC-ELDERLY": "care_home"}
#: Zoom levels with a simplified drawing of the pipes (network_pipe_lod): below
#: LOD_TRUNK_FROM the trunk mains only, from there the mains and pipes of DN >= 300; from
#: LOD_MAX + 1 on the map draws every pipe. Snapping grid in screen pixels per band.
LOD_MIN, LOD_TRUNK_FROM, LOD_MAX = 7, 12, 14
LOD_SNAP_PX = {"mains": 4.0, "trunk": 2.0}
#: Degrees of latitude per metre (equirectangular, as everywhere in the networks).
M_PER_DEG = 111_320.0


@dataclass
class Segments:
    """The segments of a network given as index arrays (see the module doc)."""

    n_segments: int
    pipe_seg: np.ndarray  # segment of each pipe
    node_seg: np.ndarray  # segment of each node; -1 for valves
    valve_ptr: np.ndarray  # CSR over segments: valve node indices bounding each segment
    valve_idx: np.ndarray
    fed: np.ndarray  # bool per segment: reaches a feed in the intact network
    star: csr_matrix  # segment graph as a star: vertices = segments, valves, one super-source
    n_valve_vertices: int
    valve_vertex: np.ndarray  # node index -> vertex index of a valve (-1 for other nodes)

    def valves_of(self, segs: np.ndarray) -> np.ndarray:
        """The valve node indices bounding any of the segments (sorted, unique)."""
        if len(segs) == 1:
            s = int(segs[0])
            return np.unique(self.valve_idx[self.valve_ptr[s]:self.valve_ptr[s + 1]])
        parts = [self.valve_idx[self.valve_ptr[s]:self.valve_ptr[s + 1]] for s in segs]
        return np.unique(np.concatenate(parts)) if parts else np.zeros(0, np.int64)

    def fed_after_closing(self, valves: np.ndarray, closed_segs: np.ndarray) -> np.ndarray:
        """Bool per segment: still reaches a feed when ``valves`` are closed and the segments
        ``closed_segs`` are out of service (their own feeds count no more)."""
        n = self.n_segments
        mask = np.ones(self.star.shape[0], bool)
        vv = self.valve_vertex[valves]
        mask[vv[vv >= 0]] = False
        mask[closed_segs] = False
        order = _reach(self.star, mask, self.star.shape[0] - 1)
        out = np.zeros(n, bool)
        order = order[order < n]
        out[order] = True
        out[closed_segs] = False
        return out


def _reach(star: csr_matrix, keep: np.ndarray, start: int) -> np.ndarray:
    """Vertices reachable from ``start`` through kept vertices only."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import breadth_first_order

    # drop the edges touching removed vertices by zeroing them in a copy of the data
    coo = star.tocoo(copy=False)
    ok = keep[coo.row] & keep[coo.col]
    g = csr_matrix((np.ones(int(ok.sum()), np.int8), (coo.row[ok], coo.col[ok])),
                   shape=star.shape)
    return breadth_first_order(g, start, directed=False, return_predecessors=False)


def segments(kind: np.ndarray, a: np.ndarray, b: np.ndarray) -> Segments:
    """Segments of a network of ``len(kind)`` nodes (their kinds) and pipes ``a``–``b``
    (node indices)."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import breadth_first_order, connected_components

    n, p = len(kind), len(a)
    valve = np.asarray(kind == "valve")
    # vertices: nodes 0..n-1, pipes n..n+p-1; a pipe joins its non-valve ends
    pv = n + np.arange(p)
    ea, eb = [], []
    for end in (a, b):
        ok = ~valve[end]
        ea.append(end[ok])
        eb.append(pv[ok])
    rows = np.concatenate(ea)
    cols = np.concatenate(eb)
    g = coo_matrix((np.ones(len(rows), np.int8), (rows, cols)), shape=(n + p, n + p))
    _, label = connected_components(g, directed=False)
    # renumber: segments that hold a pipe first (in pipe order), then lone nodes
    raw_pipe = label[n:]
    raw_node = np.where(valve, -1, label[:n])
    uniq, first = np.unique(raw_pipe, return_index=True)
    order = uniq[np.argsort(first)]
    extra = np.setdiff1d(np.unique(raw_node[raw_node >= 0]), order)
    remap = np.full(label.max() + 1 if len(label) else 1, -1, np.int64)
    remap[order] = np.arange(len(order))
    remap[extra] = len(order) + np.arange(len(extra))
    pipe_seg = remap[raw_pipe]
    node_seg = np.where(valve, -1, remap[np.maximum(raw_node, 0)])
    nseg = len(order) + len(extra)
    # valves bounding each segment: (segment of a pipe, valve at its end)
    vs, vn = [], []
    for end in (a, b):
        ok = valve[end]
        vs.append(pipe_seg[ok])
        vn.append(end[ok])
    vs = np.concatenate(vs)
    vn = np.concatenate(vn)
    pairs = np.unique(np.column_stack([vs, vn]), axis=0) if len(vs) else np.zeros((0, 2), np.int64)
    counts = np.bincount(pairs[:, 0], minlength=nseg) if len(pairs) else np.zeros(nseg, np.int64)
    ptr = np.concatenate([[0], np.cumsum(counts)])
    vidx = pairs[:, 1].astype(np.int64)
    # the star: segments 0..nseg-1, valves nseg..nseg+nv-1, super-source last
    valve_nodes = np.flatnonzero(valve)
    vvert = np.full(n, -1, np.int64)
    vvert[valve_nodes] = nseg + np.arange(len(valve_nodes))
    feeds = np.isin(kind, FEEDS)
    fed_segs = np.unique(node_seg[feeds & (node_seg >= 0)])
    sup = nseg + len(valve_nodes)
    r = np.concatenate([pairs[:, 0], np.full(len(fed_segs), sup)])
    c = np.concatenate([vvert[vidx], fed_segs])
    size = sup + 1
    star = coo_matrix((np.ones(len(r), np.int8), (r, c)), shape=(size, size)).tocsr()
    star = (star + star.T).tocsr()
    reach = breadth_first_order(star, sup, directed=False, return_predecessors=False)
    fed = np.zeros(nseg, bool)
    fed[reach[reach < nseg]] = True
    return Segments(nseg, pipe_seg, node_seg, ptr, vidx, fed, star, len(valve_nodes), vvert)


def _lod(con: duckdb.DuckDBPyConnection) -> None:
    """The simplified drawings per zoom level: end points snapped to a grid of a few screen
    pixels at that zoom, strokes that collapse to a point dropped, repeats merged."""
    parts = []
    for z in range(LOD_MIN, LOD_MAX + 1):
        band = "mains" if z < LOD_TRUNK_FROM else "trunk"
        g = LOD_SNAP_PX[band] * 360.0 / (256 * 2 ** z)
        cond = "main" if band == "mains" else "(main OR diameter_mm >= 300)"
        parts.append(f"""
            SELECT {z} AS z, network, bool_or(main) AS main, x0, y0, x1, y1,
                   (x0 + x1) / 2 AS lon, (y0 + y1) / 2 AS lat FROM (
              SELECT network, main,
                     round(x0 / {g!r}) * {g!r} AS x0, round(y0 / {g!r}) * {g!r} AS y0,
                     round(x1 / {g!r}) * {g!r} AS x1, round(y1 / {g!r}) * {g!r} AS y1
              FROM network_pipe_xy WHERE {cond})
            WHERE x0 <> x1 OR y0 <> y1 GROUP BY network, x0, y0, x1, y1""")
    con.execute("CREATE TABLE network_pipe_lod AS SELECT * FROM (" + " UNION ALL ".join(parts)
                + ") ORDER BY z, lat, lon")


def _has_network(con: duckdb.DuckDBPyConnection) -> bool:
    try:
        return con.execute("SELECT count(*) FROM network_pipe").fetchone()[0] > 0
    except duckdb.Error:
        return False


def precompute(con: duckdb.DuckDBPyConnection) -> float:
    """Compute the segments and the critical sites into the catalog; returns the seconds."""
    t0 = time.perf_counter()
    for name in ("network_pipe_segment", "network_node_segment", "network_segment_valve",
                 "network_segment", "network_site", "network_pipe_xy", "network_pipe_lod"):
        con.execute(f"DROP TABLE IF EXISTS {name}")
    # the map layer's drawing table: each pipe's end points, sorted by its middle's latitude
    con.execute("""CREATE TABLE network_pipe_xy AS
        SELECT p.pipe_id, p.network, coalesce(p.main, false) AS main, p.diameter_mm,
               a.lon AS x0, a.lat AS y0, b.lon AS x1, b.lat AS y1,
               (a.lon + b.lon) / 2 AS lon, (a.lat + b.lat) / 2 AS lat
        FROM network_pipe p JOIN network_node a ON a.node_id = p.from_node
             JOIN network_node b ON b.node_id = p.to_node
        ORDER BY lat, lon""")
    _lod(con)
    con.execute("CREATE TABLE network_pipe_segment (pipe_id BIGINT, segment BIGINT)")
    con.execute("CREATE TABLE network_node_segment (node_id BIGINT, segment BIGINT)")
    con.execute("CREATE TABLE network_segment_valve (segment BIGINT, node_id BIGINT)")
    con.execute("CREATE TABLE network_segment (segment BIGINT, network VARCHAR, fed BOOLEAN, "
                "pipes BIGINT, length_m DOUBLE)")
    con.execute("CREATE TABLE network_site (site_kind VARCHAR, source VARCHAR, ref_id BIGINT, "
                "name VARCHAR, category VARCHAR, lon DOUBLE, lat DOUBLE, network VARCHAR, "
                "node_id BIGINT, distance_m DOUBLE)")
    if not _has_network(con):
        return time.perf_counter() - t0
    nodes = con.execute("SELECT node_id, kind, network, lon, lat FROM network_node "
                        "ORDER BY node_id").fetchnumpy()
    pipes = con.execute("SELECT pipe_id, from_node, to_node, network, length_m "
                        "FROM network_pipe ORDER BY pipe_id").fetchnumpy()
    ids = np.asarray(nodes["node_id"], np.int64)
    a = np.searchsorted(ids, np.asarray(pipes["from_node"], np.int64))
    b = np.searchsorted(ids, np.asarray(pipes["to_node"], np.int64))
    kind = np.asarray(nodes["kind"], object)
    seg = segments(kind, a, b)
    pnet = np.asarray(pipes["network"], object)
    length = np.asarray(pipes["length_m"], float)
    n_p = np.bincount(seg.pipe_seg, minlength=seg.n_segments)
    l_s = np.bincount(seg.pipe_seg, weights=length, minlength=seg.n_segments)
    s_net = np.empty(seg.n_segments, object)
    has = seg.node_seg >= 0
    s_net[seg.node_seg[has]] = np.asarray(nodes["network"], object)[has]
    s_net[seg.pipe_seg] = pnet
    frames = {
        "network_pipe_segment": {"pipe_id": np.asarray(pipes["pipe_id"], np.int64),
                                 "segment": seg.pipe_seg},
        "network_node_segment": {"node_id": ids[seg.node_seg >= 0],
                                 "segment": seg.node_seg[seg.node_seg >= 0]},
        "network_segment_valve": {
            "segment": np.repeat(np.arange(seg.n_segments), np.diff(seg.valve_ptr)),
            "node_id": ids[seg.valve_idx]},
        "network_segment": {"segment": np.arange(seg.n_segments), "network": s_net,
                            "fed": seg.fed, "pipes": n_p, "length_m": np.round(l_s, 1)},
    }
    import pandas as pd

    for name, cols in frames.items():
        df = pd.DataFrame(cols)  # noqa: F841 - read by DuckDB's replacement scan
        con.execute(f"INSERT INTO {name} SELECT * FROM df")
    _sites(con, ids, kind, np.asarray(nodes["network"], object),
           np.asarray(nodes["lon"], float), np.asarray(nodes["lat"], float))
    return time.perf_counter() - t0


def _sites(con: duckdb.DuckDBPyConnection, ids, kind, net, lon, lat) -> None:
    import pandas as pd
    from scipy.spatial import cKDTree

    fac = list(SITE_FACILITY_KINDS)
    cats = list(SITE_RISK_CATEGORIES)
    rows = con.execute(
        """SELECT 'facility' AS source, facility_id AS ref_id, name, kind AS category, lon, lat
           FROM facility WHERE kind IN (SELECT unnest($fac))
           UNION ALL
           SELECT 'risk_point', point_id, name, category_id, lon, lat FROM risk_point
           WHERE category_id IN (SELECT unnest($cats))""",
        {"fac": fac, "cats": cats}).fetchdf()
    if rows.empty:
        return
    site_kind = [SITE_FACILITY_KINDS.get(c) or SITE_RISK_CATEGORIES.get(c) for c in rows.category]
    k = np.cos(np.radians(float(np.mean(lat))))
    out = []
    for network in np.unique(net):
        ok = (net == network) & (kind != "valve")
        if not ok.any():
            continue
        tree = cKDTree(np.column_stack([lon[ok] * k, lat[ok]]))
        d, i = tree.query(np.column_stack([rows.lon.to_numpy() * k, rows.lat.to_numpy()]))
        d_m = d * M_PER_DEG
        near = d_m <= SITE_RADIUS_M
        sel = rows[near].copy()
        sel["site_kind"] = np.asarray(site_kind, object)[near]
        sel["network"] = network
        sel["node_id"] = ids[ok][i[near]]
        sel["distance_m"] = np.round(d_m[near], 1)
        out.append(sel)
    if out:
        df = pd.concat(out)[["site_kind", "source", "ref_id", "name", "category", "lon", "lat",  # noqa: F841
                             "network", "node_id", "distance_m"]]
        con.execute("INSERT INTO network_site SELECT * FROM df")
