"""What a burst (or a leak) in a pipe network does: valves to close, who loses supply.

:func:`network_for` loads a catalog's networks once per process into a :class:`NetworkModel`
(arrays and the segment graph, from the tables :func:`graph.precompute` stored when the catalog
was built) and keeps it for as long as the catalog file is the same. Then
:meth:`NetworkModel.burst` answers for a pipe, :meth:`NetworkModel.leak` for a node and
:meth:`NetworkModel.at_point` for an event's position (the nearest pipe of the network):

- the **isolation segment** of the pipe and the **valves to close** (its boundary);
- the segments **cut off** as a consequence: fed before, reaching no source or tank once those
  valves are closed (unintended isolation);
- the **communities** served through the nodes of the segment and the cut-off segments, with
  their households and population (``network_supply``);
- the **critical sites** inside: hospitals, schools, care homes served by those nodes
  (``network_site``: each site's nearest node within 500 m);
- a **repair-time estimate** from the pipe's diameter and material (:func:`repair_minutes`).

**Drainage** flows by gravity (a pipe from ``from_node`` down to ``to_node``) and has no valves:
a blockage or collapse of a drainage pipe (:meth:`NetworkModel.burst` on it, ``at_point`` with
``network="drainage"``; a blocked manhole: :meth:`NetworkModel.leak`) answers with
:class:`Drainage`: the **upstream area that backs up** — every node whose every way down to an
outfall or treatment plant passes through the blocked pipe (a node with another way down, to
the same or another outfall, keeps draining) and the pipes flowing into those nodes; the
communities draining there (risk of overflowing manholes, waterlogging, sewage backing into
homes), the critical sites inside, the **outfall** the pipe drained to (the nearest way down),
the **pumping stations** in the backed-up area or on the way down, and a clearing/relaying
estimate. The directed graph, every node's "drains" flag and nearest way down are built once
per model; a query searches only what lies upstream of the blocked pipe.

Repair rule (an assumption of this demo, not a standard): a base time by nominal diameter —
DN < 300: 4 h, 300–599: 6 h, 600–999: 10 h, ≥ 1000: 16 h — times a material factor — PE and PVC
0.8 (fusion or couplings), ductile iron 1.0, steel 1.1 (welding), grey cast iron 1.2 (brittle,
old, often more than one break), concrete (PCCP) 1.5 — plus 1 h for a gas pipe (purging and a
leak test before the gas is let back in). The 4 h of the commonest case matches the 240 min the
demo's 14-step water plan gives its repair step. Drainage (clearing a blockage or relaying a
collapsed pipe): DN < 600: 3 h, 600–999: 5 h, ≥ 1000: 8 h, times the same material factor.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import duckdb
import numpy as np
from cockpit.datasets.i18n import QT_TRANSLATE_NOOP
from cockpit.datasets.network.graph import M_PER_DEG, Segments, segments
from cockpit.datasets.schema import DRAIN_SINKS

__all__ = ["NetworkModel", "NetworkImpact", "Drainage", "DRAINAGE", "REPAIR_RULE_DRAINAGE",
           "Valve", "AffectedCommunity", "CriticalSite",
           "network_for", "impact_for_event", "event_network", "order_note", "repair_minutes",
           "REPAIR_RULE", "MATERIAL_FACTOR", "SITE_LABELS"]

REPAIR_RULE = ("repair = base(DN) × material factor (+1 h gas): DN<300 4 h, 300–599 6 h, "
               "600–999 10 h, ≥1000 16 h; PE/PVC 0.8, ductile iron 1.0, steel 1.1, grey cast "
               "iron 1.2, concrete 1.5 — an assumption of the demo")
REPAIR_RULE_DRAINAGE = ("clearing or relaying = base(DN) × material factor: DN<600 3 h, "
                        "600–999 5 h, ≥1000 8 h; PE/PVC 0.8, ductile iron 1.0, steel 1.1, "
                        "grey cast iron 1.2, concrete 1.5 — an assumption of the demo")
#: The drainage network's name (gravity flow, analysed by :class:`Drainage`).
DRAINAGE = "drainage"
MATERIAL_FACTOR = {"pe": 0.8, "pvc": 0.8, "ductile_iron": 1.0, "steel": 1.1,
                   "grey_cast_iron": 1.2, "concrete": 1.5}
#: Words for the sites' kinds (Chinese source, translated in the interface).
SITE_LABELS = {"hospital": QT_TRANSLATE_NOOP("vocabulary", "医院"),
               "school": QT_TRANSLATE_NOOP("vocabulary", "学校"),
               "care_home": QT_TRANSLATE_NOOP("vocabulary", "养老机构")}
#: An event farther than this from every pipe of its network has no network impact.
MAX_SNAP_M = 1500.0


def repair_minutes(diameter_mm: float, material: str, network: str = "water") -> float:
    """Estimated repair time in minutes (see the module doc for the rule)."""
    d = float(diameter_mm)
    if network == DRAINAGE:
        base = 3.0 if d < 600 else 5.0 if d < 1000 else 8.0
        return round(base * MATERIAL_FACTOR.get(str(material), 1.0) * 60.0, 1)
    base = 4.0 if d < 300 else 6.0 if d < 600 else 10.0 if d < 1000 else 16.0
    hours = base * MATERIAL_FACTOR.get(str(material), 1.0) + (1.0 if network == "gas" else 0.0)
    return round(hours * 60.0, 1)


@dataclass(frozen=True)
class Valve:
    node_id: int
    lon: float
    lat: float


@dataclass(frozen=True)
class AffectedCommunity:
    code: str
    name: str
    households: int
    population: int
    cut_off: bool  # served only through cut-off segments (not the burst segment itself)


@dataclass(frozen=True)
class CriticalSite:
    kind: str  # hospital / school / care_home
    name: str
    lon: float
    lat: float
    cut_off: bool


@dataclass
class NetworkImpact:
    """The answer of :meth:`NetworkModel.burst` (see the module doc)."""

    network: str
    pipe_id: int | None
    node_id: int | None
    lon: float  # where the burst is (on the pipe)
    lat: float
    distance_m: float  # from the event's point to the pipe (0 for a given pipe)
    segments: list[int]
    valves: list[Valve]
    segment_pipes: int
    segment_length_m: float
    cut_off_segments: list[int]
    cut_off_pipes: int
    cut_off_length_m: float
    communities: list[AffectedCommunity]
    households: int
    population: int
    critical: list[CriticalSite]
    diameter_mm: float | None
    material: str | None
    install_year: int | None
    repair_min: float | None
    repair_rule: str = REPAIR_RULE
    #: the pipes to highlight, as [lon0, lat0, lon1, lat1] rows: the segment's, the cut-off's
    segment_lines: np.ndarray = field(default_factory=lambda: np.zeros((0, 4)))
    cut_off_lines: np.ndarray = field(default_factory=lambda: np.zeros((0, 4)))
    #: drainage only: the nodes backed up (the cut-off pipes are the pipes into them), the
    #: outfall or treatment plant the blocked pipe drained to, the pumping stations in the
    #: backed-up area (``downstream`` False) or on the way down to the outfall (True)
    backed_nodes: int = 0
    outfall: dict | None = None
    pumps: list[dict] = field(default_factory=list)

    def as_dict(self, max_lines: int = 20_000) -> dict:
        """Plain data for the dispatch preview, the order's note and the map."""
        return {
            "kind": "network", "network": self.network, "pipe_id": self.pipe_id,
            "node_id": self.node_id, "lon": self.lon, "lat": self.lat,
            "distance_m": self.distance_m, "segments": list(self.segments),
            "valves": [{"node_id": v.node_id, "lon": v.lon, "lat": v.lat} for v in self.valves],
            "segment_pipes": self.segment_pipes, "segment_length_m": self.segment_length_m,
            "cut_off_segments": len(self.cut_off_segments), "cut_off_pipes": self.cut_off_pipes,
            "cut_off_length_m": self.cut_off_length_m,
            "communities": [{"code": c.code, "name": c.name, "households": c.households,
                             "population": c.population, "cut_off": c.cut_off}
                            for c in self.communities],
            "households": self.households, "population": self.population,
            "critical": [{"kind": s.kind, "name": s.name, "lon": s.lon, "lat": s.lat,
                          "cut_off": s.cut_off} for s in self.critical],
            "diameter_mm": self.diameter_mm, "material": self.material,
            "install_year": self.install_year, "repair_min": self.repair_min,
            "repair_rule": self.repair_rule,
            "backed_nodes": self.backed_nodes, "outfall": self.outfall,
            "pumps": [dict(p) for p in self.pumps],
            "segment_lines": np.round(self.segment_lines[:max_lines], 6).tolist(),
            "cut_off_lines": np.round(self.cut_off_lines[:max_lines], 6).tolist(),
        }


class NetworkModel:
    """One catalog's networks in memory (see the module doc)."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        from scipy.spatial import cKDTree  # imported here: see graph.py

        n = con.execute("SELECT node_id, kind, network, lon, lat FROM network_node "
                        "ORDER BY node_id").fetchnumpy()
        p = con.execute("""SELECT pipe_id, from_node, to_node, network, diameter_mm, material,
                                  length_m, install_year FROM network_pipe ORDER BY pipe_id"""
                        ).fetchnumpy()
        self.node_id = np.asarray(n["node_id"], np.int64)
        self.kind = np.asarray(n["kind"], object)
        self.node_net = np.asarray(n["network"], object)
        self.lon = np.asarray(n["lon"], float)
        self.lat = np.asarray(n["lat"], float)
        self.pipe_id = np.asarray(p["pipe_id"], np.int64)
        self.a = np.searchsorted(self.node_id, np.asarray(p["from_node"], np.int64))
        self.b = np.searchsorted(self.node_id, np.asarray(p["to_node"], np.int64))
        self.pipe_net = np.asarray(p["network"], object)
        self.diameter = np.asarray(p["diameter_mm"], float)
        self.material = np.asarray(p["material"], object)
        self.length = np.asarray(p["length_m"], float)
        yr = p["install_year"]
        self.year = np.ma.filled(np.ma.asarray(yr).astype(np.int64), 0)
        self.seg: Segments = segments(self.kind, self.a, self.b)
        self._check_precomputed(con)
        self.seg_len = np.bincount(self.seg.pipe_seg, weights=self.length,
                                   minlength=self.seg.n_segments)
        order = np.argsort(self.seg.pipe_seg, kind="stable")
        self._pipes_by_seg = order
        self._pipes_ptr = np.concatenate([[0], np.cumsum(np.bincount(
            self.seg.pipe_seg, minlength=self.seg.n_segments))])
        # supply and sites, by segment
        s = con.execute("""SELECT s.node_id, s.community_code, coalesce(u.name, s.community_code),
                                  s.households, s.population
                           FROM network_supply s LEFT JOIN admin_unit u
                             ON u.code = s.community_code""").fetchnumpy()
        si = np.searchsorted(self.node_id, np.asarray(s["node_id"], np.int64))
        self.sup_node = si
        self.sup_seg = self.seg.node_seg[si] if len(si) else np.zeros(0, np.int64)
        self.sup_code = np.asarray(s["community_code"], object)
        self.sup_name = np.asarray(s[list(s)[2]], object)
        self.sup_hh = np.asarray(s["households"], np.int64)
        self.sup_pop = np.asarray(s["population"], np.int64)
        try:
            t = con.execute("SELECT site_kind, name, lon, lat, node_id FROM network_site"
                            ).fetchnumpy()
        except duckdb.Error:
            t = {"site_kind": [], "name": [], "lon": [], "lat": [], "node_id": []}
        ti = np.searchsorted(self.node_id, np.asarray(t["node_id"], np.int64))
        self.site_node = ti
        self.site_seg = self.seg.node_seg[ti] if len(ti) else np.zeros(0, np.int64)
        self.site_kind = np.asarray(t["site_kind"], object)
        self.site_name = np.asarray(t["name"], object)
        self.site_lon = np.asarray(t["lon"], float)
        self.site_lat = np.asarray(t["lat"], float)
        # nearest pipe: midpoints in a KD-tree per network (x scaled by cos(lat))
        self._k = float(np.cos(np.radians(np.mean(self.lat)))) if len(self.lat) else 1.0
        mx = (self.lon[self.a] + self.lon[self.b]) / 2 * self._k
        my = (self.lat[self.a] + self.lat[self.b]) / 2
        self._trees = {}
        for net in np.unique(self.pipe_net):
            idx = np.flatnonzero(self.pipe_net == net)
            self._trees[str(net)] = (cKDTree(np.column_stack([mx[idx], my[idx]])), idx)
        self._drain: Drainage | None = None
        self._names: np.ndarray | None = None
        self._con = con

    def _check_precomputed(self, con: duckdb.DuckDBPyConnection) -> None:
        """Use the segment labels stored at build time when they are there (same numbering:
        both come from :func:`graph.segments` on the same ordered arrays)."""
        try:
            got = con.execute("SELECT segment FROM network_pipe_segment ORDER BY pipe_id"
                              ).fetchnumpy()["segment"]
        except duckdb.Error:
            return
        if len(got) == len(self.seg.pipe_seg) and not np.array_equal(got, self.seg.pipe_seg):
            raise RuntimeError("the catalog's stored network segments do not match its pipes")

    # ---- questions ------------------------------------------------------------------------
    @property
    def networks(self) -> list[str]:
        return sorted(self._trees)

    def nearest_pipe(self, lon: float, lat: float, network: str) -> tuple[int, float, float, float]:
        """(pipe index, distance in m, lon, lat of the nearest point on it)."""
        if network not in self._trees:
            raise KeyError(f"no {network} network in the catalog")
        tree, idx = self._trees[network]
        k = min(16, len(idx))
        _, cand = tree.query([lon * self._k, lat], k=k)
        cand = idx[np.atleast_1d(cand)]
        ax, ay = self.lon[self.a[cand]] * self._k, self.lat[self.a[cand]]
        bx, by = self.lon[self.b[cand]] * self._k, self.lat[self.b[cand]]
        px, py = lon * self._k, lat
        dx, dy = bx - ax, by - ay
        t = np.clip(((px - ax) * dx + (py - ay) * dy) / np.maximum(dx * dx + dy * dy, 1e-18),
                    0, 1)
        qx, qy = ax + t * dx, ay + t * dy
        d = np.hypot(qx - px, qy - py)
        i = int(np.argmin(d))
        return int(cand[i]), float(d[i] * M_PER_DEG), float(qx[i] / self._k), float(qy[i])

    def at_point(self, lon: float, lat: float, network: str) -> NetworkImpact | None:
        """A burst on the pipe of ``network`` nearest to (lon, lat); None when none is within
        :data:`MAX_SNAP_M`."""
        if network not in self._trees:
            return None
        i, d, qx, qy = self.nearest_pipe(float(lon), float(lat), network)
        if d > MAX_SNAP_M:
            return None
        out = (self._blockage(np.array([i]), pipe=i) if network == DRAINAGE
               else self._impact(np.array([self.seg.pipe_seg[i]]), pipe=i))
        out.distance_m = round(d, 1)
        out.lon, out.lat = round(qx, 6), round(qy, 6)
        return out

    def burst(self, pipe_id: int) -> NetworkImpact:
        """A burst on the pipe ``pipe_id``."""
        i = int(np.searchsorted(self.pipe_id, int(pipe_id)))
        if i >= len(self.pipe_id) or self.pipe_id[i] != int(pipe_id):
            raise KeyError(f"no pipe {pipe_id} in the network")
        if self.pipe_net[i] == DRAINAGE:
            return self._blockage(np.array([i]), pipe=i)
        return self._impact(np.array([self.seg.pipe_seg[i]]), pipe=i)

    def leak(self, node_id: int) -> NetworkImpact:
        """A leak at the node ``node_id``: the segment(s) of every pipe touching it (a leak at a
        valve needs both sides isolated)."""
        j = int(np.searchsorted(self.node_id, int(node_id)))
        if j >= len(self.node_id) or self.node_id[j] != int(node_id):
            raise KeyError(f"no node {node_id} in the network")
        if self.node_net[j] == DRAINAGE:  # a blocked manhole: nothing leaves it
            out = self._blockage(np.flatnonzero(self.a == j), pipe=None, node=j)
            out.node_id = int(node_id)
            out.lon, out.lat = float(self.lon[j]), float(self.lat[j])
            return out
        pipes = np.flatnonzero((self.a == j) | (self.b == j))
        segs = np.unique(self.seg.pipe_seg[pipes]) if len(pipes) else (
            np.array([self.seg.node_seg[j]]) if self.seg.node_seg[j] >= 0 else np.zeros(0, int))
        out = self._impact(segs.astype(np.int64), pipe=int(pipes[0]) if len(pipes) else None)
        out.node_id = int(node_id)
        out.pipe_id = None
        out.lon, out.lat = float(self.lon[j]), float(self.lat[j])
        return out

    # ---- the work -------------------------------------------------------------------------
    def _pipe_facts(self, pipe: int) -> tuple[float, str, int | None, float, float]:
        """A pipe's diameter, material, year laid (None: unknown) and midpoint."""
        lon = float((self.lon[self.a[pipe]] + self.lon[self.b[pipe]]) / 2)
        lat = float((self.lat[self.a[pipe]] + self.lat[self.b[pipe]]) / 2)
        return (float(self.diameter[pipe]), str(self.material[pipe]),
                int(self.year[pipe]) or None, lon, lat)

    def _pipes_of(self, segs: np.ndarray) -> np.ndarray:
        if len(segs) == 0:
            return np.zeros(0, np.int64)
        return np.concatenate([self._pipes_by_seg[self._pipes_ptr[s]:self._pipes_ptr[s + 1]]
                               for s in segs])

    def _lines(self, pipes: np.ndarray) -> np.ndarray:
        return np.column_stack([self.lon[self.a[pipes]], self.lat[self.a[pipes]],
                                self.lon[self.b[pipes]], self.lat[self.b[pipes]]])

    def _impact(self, segs: np.ndarray, pipe: int | None) -> NetworkImpact:
        seg = self.seg
        valves = seg.valves_of(segs) if len(segs) else np.zeros(0, np.int64)
        # a valve between two pipes of the isolated segments themselves stays open
        if len(segs) > 1 and len(valves):
            inner = []
            for v in valves:
                touching = np.unique(seg.pipe_seg[(self.a == v) | (self.b == v)])
                inner.append(np.isin(touching, segs).all())
            valves = valves[~np.asarray(inner, bool)]
        fed_after = seg.fed_after_closing(valves, segs)
        cut = np.flatnonzero(seg.fed & ~fed_after)
        cut = cut[~np.isin(cut, segs)]
        seg_pipes = self._pipes_of(segs)
        cut_pipes = self._pipes_of(cut)
        hit = np.zeros(seg.n_segments + 1, np.int8)  # 1: the segment, 2: cut off
        hit[cut] = 2
        hit[segs] = 1
        sup = hit[self.sup_seg] if len(self.sup_seg) else np.zeros(0, np.int8)
        sel = np.flatnonzero(sup > 0)
        comms: dict[str, list] = {}
        for r in sel:
            c = comms.setdefault(self.sup_code[r], [self.sup_name[r], 0, 0, True])
            c[1] += int(self.sup_hh[r])
            c[2] += int(self.sup_pop[r])
            c[3] = c[3] and sup[r] == 2
        communities = sorted((AffectedCommunity(k, v[0], v[1], v[2], bool(v[3]))
                              for k, v in comms.items()), key=lambda c: -c.population)
        st = hit[self.site_seg] if len(self.site_seg) else np.zeros(0, np.int8)
        sites = [CriticalSite(str(self.site_kind[i]), str(self.site_name[i]),
                              float(self.site_lon[i]), float(self.site_lat[i]), bool(st[i] == 2))
                 for i in np.flatnonzero(st > 0)]
        order = {"hospital": 0, "care_home": 1, "school": 2}
        sites.sort(key=lambda s: (order.get(s.kind, 9), s.cut_off, s.name))
        # the same site may be near a node of both sides: list it once
        seen, uniq = set(), []
        for s in sites:
            if (s.kind, s.name) not in seen:
                seen.add((s.kind, s.name))
                uniq.append(s)
        net = str(self.pipe_net[pipe]) if pipe is not None else (
            str(self.pipe_net[seg_pipes[0]]) if len(seg_pipes) else "")
        if pipe is not None:
            diam, mat, yr, lon, lat = self._pipe_facts(pipe)
        else:
            diam = mat = yr = None
            lon = lat = float("nan")
        return NetworkImpact(
            network=net, pipe_id=int(self.pipe_id[pipe]) if pipe is not None else None,
            node_id=None, lon=lon, lat=lat, distance_m=0.0,
            segments=[int(s) for s in segs],
            valves=[Valve(int(self.node_id[v]), float(self.lon[v]), float(self.lat[v]))
                    for v in valves],
            segment_pipes=len(seg_pipes),
            segment_length_m=round(float(self.length[seg_pipes].sum()), 1),
            cut_off_segments=[int(s) for s in cut], cut_off_pipes=len(cut_pipes),
            cut_off_length_m=round(float(self.length[cut_pipes].sum()), 1),
            communities=communities,
            households=sum(c.households for c in communities),
            population=sum(c.population for c in communities),
            critical=uniq, diameter_mm=diam, material=mat, install_year=yr,
            repair_min=repair_minutes(diam, mat, net) if diam is not None else None,
            segment_lines=self._lines(seg_pipes), cut_off_lines=self._lines(cut_pipes))


    def _node_names(self) -> np.ndarray:
        if self._names is None:
            try:
                got = self._con.execute("SELECT name FROM network_node ORDER BY node_id"
                                        ).fetchnumpy()["name"]
                self._names = np.asarray(np.ma.filled(np.ma.asarray(got, object), None),
                                         object)
            except duckdb.Error:  # a table without names
                self._names = np.full(len(self.node_id), None, object)
        return self._names

    def drainage(self) -> Drainage:
        """The drainage network's directed graph (built on first use)."""
        if self._drain is None:
            self._drain = Drainage(len(self.node_id), self.a, self.b, self.pipe_net == DRAINAGE,
                                   np.isin(self.kind, DRAIN_SINKS))
        return self._drain

    def _blockage(self, blocked: np.ndarray, pipe: int | None,
                  node: int | None = None) -> NetworkImpact:
        """Drainage: the pipes ``blocked`` (a collapse, a blockage; or every pipe leaving a
        blocked manhole ``node``) → the upstream area that backs up, who lives there, the
        outfall the flow went to, the pumping stations on the way."""
        dr = self.drainage()
        backed = dr.backed_up(blocked)
        back_pipes = dr.pipes_into(backed, blocked)
        on = np.zeros(len(self.node_id) + 1, bool)
        on[backed] = True
        sup = on[self.sup_node] if len(self.sup_node) else np.zeros(0, bool)
        comms: dict[str, list] = {}
        for r in np.flatnonzero(sup):
            c = comms.setdefault(self.sup_code[r], [self.sup_name[r], 0, 0])
            c[1] += int(self.sup_hh[r])
            c[2] += int(self.sup_pop[r])
        communities = sorted((AffectedCommunity(k, v[0], v[1], v[2], True)
                              for k, v in comms.items()), key=lambda c: -c.population)
        sites, seen = [], set()
        if len(self.site_node):
            hit = on[self.site_node] & (self.node_net[self.site_node] == DRAINAGE)
            for i in np.flatnonzero(hit):
                key = (str(self.site_kind[i]), str(self.site_name[i]))
                if key not in seen:
                    seen.add(key)
                    sites.append(CriticalSite(key[0], key[1], float(self.site_lon[i]),
                                              float(self.site_lat[i]), True))
        order = {"hospital": 0, "care_home": 1, "school": 2}
        sites.sort(key=lambda s: (order.get(s.kind, 9), s.name))
        names = self._node_names()
        # where the flow went: downstream of the blocked pipe (or of the blocked manhole)
        start = int(self.b[pipe]) if pipe is not None else (
            int(self.b[blocked[0]]) if len(blocked) else node)
        path = dr.downstream(start) if start is not None else []
        outfall = None
        if path and dr.sink[path[-1]]:
            o = path[-1]
            outfall = {"node_id": int(self.node_id[o]), "kind": str(self.kind[o]),
                       "name": str(names[o] or self.node_id[o]),
                       "lon": float(self.lon[o]), "lat": float(self.lat[o])}
        pumps = [{"node_id": int(self.node_id[v]), "name": str(names[v] or self.node_id[v]),
                  "lon": float(self.lon[v]), "lat": float(self.lat[v]), "downstream": down}
                 for v, down in [*((int(v), False) for v in backed
                                   if self.kind[v] == "pump_station"),
                                 *((v, True) for v in path if self.kind[v] == "pump_station")]]
        seg_pipes = np.asarray(blocked, np.int64)
        if pipe is not None:
            diam, mat, yr, lon, lat = self._pipe_facts(pipe)
        else:  # a blocked manhole: the largest pipe it stops speaks for the blockage
            big = seg_pipes[np.argmax(self.diameter[seg_pipes])] if len(seg_pipes) else None
            diam = mat = yr = None
            if big is not None:
                diam, mat, yr, _lon, _lat = self._pipe_facts(int(big))
            lon = lat = float("nan")
        return NetworkImpact(
            network=DRAINAGE, pipe_id=int(self.pipe_id[pipe]) if pipe is not None else None,
            node_id=None, lon=lon, lat=lat, distance_m=0.0, segments=[], valves=[],
            segment_pipes=len(seg_pipes),
            segment_length_m=round(float(self.length[seg_pipes].sum()), 1),
            cut_off_segments=[], cut_off_pipes=len(back_pipes),
            cut_off_length_m=round(float(self.length[back_pipes].sum()), 1),
            communities=communities,
            households=sum(c.households for c in communities),
            population=sum(c.population for c in communities),
            critical=sites, diameter_mm=diam, material=mat, install_year=yr,
            repair_min=repair_minutes(diam, mat, DRAINAGE) if diam is not None else None,
            repair_rule=REPAIR_RULE_DRAINAGE,
            segment_lines=self._lines(seg_pipes), cut_off_lines=self._lines(back_pipes),
            backed_nodes=int(len(backed)), outfall=outfall, pumps=pumps)


class Drainage:
    """The drainage network as a directed graph (gravity: from → to is downstream) over the
    model's node indices: which nodes drain (reach an outfall or treatment plant), the
    nearest way down from each, and what backs up behind a blockage."""

    def __init__(self, n: int, a: np.ndarray, b: np.ndarray, is_drain: np.ndarray,
                 sink: np.ndarray) -> None:
        from scipy.sparse import csr_matrix
        from scipy.sparse.csgraph import breadth_first_order

        self.n = n
        self.pipes = np.flatnonzero(is_drain)
        self.local = np.full(len(is_drain), -1, np.int64)  # model pipe → drainage pipe number
        self.local[self.pipes] = np.arange(len(self.pipes))
        self.a = a[self.pipes]
        self.b = b[self.pipes]
        self.sink = sink
        e = len(self.pipes)
        # upstream: for node v, the pipes flowing into it (CSR on the reversed edges)
        self.up = csr_matrix((np.arange(1, e + 1), (self.b, self.a)), shape=(n, n))
        # every node's next step down on a shortest way to a sink (-1: none; itself: a sink)
        sinks = np.flatnonzero(sink)
        rows = np.concatenate([self.b, np.full(len(sinks), n)])
        cols = np.concatenate([self.a, sinks])
        g = csr_matrix((np.ones(len(rows), np.int8), (rows, cols)), shape=(n + 1, n + 1))
        order, pred = breadth_first_order(g, n, directed=True, return_predecessors=True)
        self.next = np.where(pred[:n] == n, np.arange(n), pred[:n])
        self.next[pred[:n] < 0] = -1
        self.drains = np.zeros(n, bool)
        self.drains[order[order < n]] = True

    def downstream(self, v: int) -> list[int]:
        """The nodes from v down to its sink on a shortest way (v first); [v] when v drains
        nowhere."""
        path = [int(v)]
        while self.next[path[-1]] >= 0 and self.next[path[-1]] != path[-1]:
            path.append(int(self.next[path[-1]]))
            if len(path) > self.n:  # defensive: a cycle in bad data
                break
        return path

    def backed_up(self, blocked: np.ndarray) -> np.ndarray:
        """Node indices whose every way down to a sink passes through one of the ``blocked``
        pipes (model pipe indices): they drained before and drain no more."""
        from scipy.sparse import csr_matrix
        from scipy.sparse.csgraph import breadth_first_order

        loc = self.local[np.asarray(blocked, np.int64)]
        loc = loc[loc >= 0]
        if len(loc) == 0:
            return np.zeros(0, np.int64)
        starts = np.unique(self.a[loc])
        starts = starts[self.drains[starts]]
        if len(starts) == 0:
            return np.zeros(0, np.int64)
        # candidates: every node upstream of a blocked pipe's start (the starts included)
        cand = np.unique(np.concatenate([breadth_first_order(self.up, int(s), directed=True,
                                                             return_predecessors=False)
                                         for s in starts]))
        inside = np.zeros(self.n, bool)
        inside[cand] = True
        free = np.ones(len(self.pipes), bool)
        free[loc] = False
        # a candidate still drains when it reaches, without a blocked pipe, a sink or a pipe
        # leaving the candidates for a node that drains (that node's way down cannot pass a
        # blocked pipe: it is not upstream of one)
        e_in = free & inside[self.a] & inside[self.b]
        e_out = free & inside[self.a] & ~inside[self.b] & self.drains[self.b]
        m = len(cand)
        li = np.searchsorted(cand, self.a[e_in])
        lj = np.searchsorted(cand, self.b[e_in])
        seeds = np.unique(np.concatenate([np.searchsorted(cand, self.a[e_out]),
                                          np.flatnonzero(self.sink[cand])]))
        rows = np.concatenate([lj, np.full(len(seeds), m)])
        cols = np.concatenate([li, seeds])
        g = csr_matrix((np.ones(len(rows), np.int8), (rows, cols)), shape=(m + 1, m + 1))
        ok = breadth_first_order(g, m, directed=True, return_predecessors=False)
        still = np.zeros(m + 1, bool)
        still[ok] = True
        return cand[~still[:m]]

    def pipes_into(self, nodes: np.ndarray, blocked: np.ndarray) -> np.ndarray:
        """Model pipe indices of the drainage pipes flowing into ``nodes`` (their flow must
        pass the blockage too, even from a node with another way down), the blocked ones
        left out."""
        if len(nodes) == 0:
            return np.zeros(0, np.int64)
        on = np.zeros(self.n, bool)
        on[nodes] = True
        got = self.pipes[on[self.b]]
        return np.setdiff1d(got, np.asarray(blocked, np.int64))


_CACHE: dict[str, NetworkModel | None] = {}
_LOCK = threading.Lock()


def network_for(con: duckdb.DuckDBPyConnection, key: str) -> NetworkModel | None:
    """The catalog's networks, loaded once per ``key`` (the catalog's fingerprint); None when
    the catalog has no pipes."""
    with _LOCK:
        if key in _CACHE:
            return _CACHE[key]
        try:
            has = con.execute("SELECT count(*) FROM network_pipe").fetchone()[0] > 0
        except duckdb.Error:
            has = False
        model = NetworkModel(con) if has else None
        _CACHE.clear()  # one catalog at a time is enough
        _CACHE[key] = model
        return model


def event_network(con: duckdb.DuckDBPyConnection, type_id: str | None) -> str | None:
    """The network whose analysis is the impact of events of this type
    (``event_type.network``); None for every other type."""
    if not type_id:
        return None
    try:
        row = con.execute("SELECT network FROM event_type WHERE type_id = ?",
                          [str(type_id)]).fetchone()
    except duckdb.Error:  # a catalog from before the column
        return None
    return row[0] if row and row[0] else None


def impact_for_event(con: duckdb.DuckDBPyConnection, key: str, type_id: str | None,
                     lon: float, lat: float, network: str | None = None
                     ) -> NetworkImpact | None:
    """The network impact of an event of ``type_id`` at (lon, lat): a burst on the nearest
    pipe of the type's network (or of ``network``, when the event's source names one: a drill
    scenario's). None when neither names a network, the catalog has no pipes of it, or no
    pipe is near (the dispatch then uses the radius around the event)."""
    network = network or event_network(con, type_id)
    if network is None:
        return None
    model = network_for(con, key)
    if model is None:
        return None
    return model.at_point(float(lon), float(lat), network)


def _drainage_note(imp: NetworkImpact, where: str, site_txt: str) -> str:
    o = imp.outfall
    down = (f"{'污水处理厂' if o['kind'] == 'treatment_plant' else '排放口'} {o['name']}"
            if o else "无（不通向排放口）")
    up = [p["name"] for p in imp.pumps if not p["downstream"]]
    dn = [p["name"] for p in imp.pumps if p["downstream"]]
    pumps = "、".join([*(f"{n}（回水区内）" for n in up), *(f"{n}（下游来水中断）" for n in dn)])
    return (f"排水管网分析：{where} DN{imp.diameter_mm or 0:g} 堵塞 · 下游 {down} · "
            f"上游回水范围 {imp.cut_off_pipes} 根 {imp.cut_off_length_m / 1000:.2f} km "
            f"检查井等 {imp.backed_nodes} 个 · 受影响泵站 {pumps or '无'} · "
            f"受影响小区 {len(imp.communities)} 个村社 {imp.households:,} 户 "
            f"{imp.population:,} 人（满溢内涝、污水倒灌风险） · 重点单位 {site_txt} · "
            f"预计疏通修复 {(imp.repair_min or 0) / 60:.1f} 小时")


_NETWORK_WORD = {"water": "供水", "gas": "燃气", "drainage": "排水"}
_SITE_WORD = {"hospital": "医院", "school": "学校", "care_home": "养老机构"}


def order_note(imp: NetworkImpact, max_valves: int = 12) -> str:
    """The network result as the text an order carries (the log's ``note``; Chinese, as the
    plan's actions are)."""
    valves = "、".join(str(v.node_id) for v in imp.valves[:max_valves])
    if len(imp.valves) > max_valves:
        valves += f" 等 {len(imp.valves)} 个"
    sites: dict[str, int] = {}
    for s in imp.critical:
        sites[s.kind] = sites.get(s.kind, 0) + 1
    site_txt = "、".join(f"{_SITE_WORD.get(k, k)} {n}" for k, n in sites.items()) or "无"
    where = (f"管段 {imp.pipe_id}" if imp.pipe_id is not None else f"节点 {imp.node_id}")
    if imp.network == DRAINAGE:
        return _drainage_note(imp, where, site_txt)
    what = "停水" if imp.network == "water" else "停气" if imp.network == "gas" else "停用"
    return (f"{_NETWORK_WORD.get(imp.network, imp.network)}管网分析：{where} "
            f"DN{imp.diameter_mm or 0:g} · 关闭阀门 {len(imp.valves)} 个（{valves or '无'}）· "
            f"关阀管段 {imp.segment_pipes} 根 {imp.segment_length_m / 1000:.2f} km · "
            f"连带失供 {imp.cut_off_pipes} 根 · {what} {len(imp.communities)} 个村社 "
            f"{imp.households:,} 户 {imp.population:,} 人 · 重点单位 {site_txt} · "
            f"预计修复 {(imp.repair_min or 0) / 60:.1f} 小时")
