"""Demo pipe networks laid over the real geography (synthetic, like the rest of the demo).

Called by the demo generator (:mod:`cockpit.datasets.generate`) once the admin tree exists;
writes ``network_node``, ``network_pipe`` and ``network_supply`` into its tables and the
``network`` link of the pipe event types into ``event_type``. Deterministic: its own random
state comes from the generator's seed, so adding the networks changes no other table.

How a network is laid (water; gas the same way with the differences noted):

- **Distribution grids per street.** A jittered, rotated square lattice around each street's
  centre, its size from the street's weight (urban 街道 of the dense central districts most),
  blocks of 120 m (central urban), 180 m (other urban) or 300 m (towns). Gas: only urban
  streets (街道) and the towns of the central districts, a lattice of its own 15 m beside the
  water one.
- **Valves at realistic spacing.** A share of the grid's pipes (water 60 %, gas 50 %) carries an
  in-line valve 10 m from one end, so that a valve-isolation segment is a few blocks, as the
  usual practice of a valve at most every 2–3 blocks gives. Mains: a valve at both ends of every
  main and about every 1.6 km along it.
- **Mains between plants and districts.** Each district has one or more water plants (sources)
  and one gas gate station, a few km from its seat; trunk mains follow the minimum spanning tree
  of the plants and the streets' grid centres, cut into ~400 m pipes. Urban streets get a second
  main to their nearest other street (70 % of 街道, 20 % of towns), so the city is looped and
  the countryside mostly tree-like — which is what makes an unintended isolation possible.
- **Gas regulators.** A gas main ends at a regulator (调压站) beside each street's grid.
- **Hydrants and tanks.** 12 % of the water grid's nodes have a hydrant on a short lateral;
  15 % of the towns have a high-level tank (高位水池, a source) on the grid's edge.
- **Supply.** Every community is served through the six grid nodes nearest to its centre
  (equal shares of its households); households are invented (urban 社区 1,500–5,000, villages
  300–1,200), population = households × 2.3–2.9. Gas serves 85 % of households where a street
  has gas.

**Drainage** (排水, gravity: every pipe flows from ``from_node`` to ``to_node``):

- **Where it drains to.** A street whose centre lies within 8 km of the Yangtze, the Jialing or
  the Wu (:data:`cockpit.datasets.geography.RIVERS`, approximate courses) drains to an outfall
  (排放口) on its bank of the nearest river, outfalls ~2 km apart along it; every other street
  an urban street (街道) to its district's treatment plant (污水处理厂) a few km from the seat,
  a town (镇) to a treatment station of its own (污水处理站) beside its grid.
- **Sewers per street.** A lattice of manholes (检查井) of the water grid's block size beside it,
  draining as a tree to the corner nearest the street's outfall: along each row to a collector
  column, down the collector to the corner; 12 % of the blocks have a second pipe down (so a
  blockage backs up only what has no other way). 10 % of the manholes take an inlet (雨水口).
- **Trunks.** The streets' low corners and their outfall joined by the spanning tree, flowing
  towards the outfall, cut into ~800 m concrete pipes whose diameter grows with the streets
  upstream (DN 600–1800); a trunk longer than 2.5 km has a pumping station (排水泵站) at its start.
- **Served.** Every community drains through the six manholes nearest its centre (all of its
  households). Drainage has a random state of its own, so the water and gas networks are the
  same with or without it.

Sizes: at the ``chongqing`` scale every street has water (≥ 100k water pipes), gas (~35k pipes)
and drainage (~35k pipes); at ``small`` only the streets of the nine central districts, a few
thousand pipes of each.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pyarrow as pa
from cockpit.datasets import geography as geo
from scipy.sparse.csgraph import minimum_spanning_tree
from scipy.spatial import cKDTree

#: The generator's run object (``cockpit.datasets.generate._Gen``; not imported: the
#: generator imports this module).
_Gen = Any

#: Event types whose impact is a network's (base code → network); written to
#: ``event_type.network`` for the plain kind and every variant.
PIPE_EVENTS = {"WATER-MAIN-BURST": "water", "WATER-LEAK": "water", "WATER-PRESSURE": "water",
               "GAS-LEAK": "gas", "GAS-PRESSURE": "gas", "DRAIN-BLOCK": "drainage"}

#: Grid-edge budgets per scale (water, gas); pipes ≈ 1.45 × edges + mains.
_BUDGET = {"small": (1_800, 650), "chongqing": (64_000, 22_000), "stress": (130_000, 45_000)}
_KM_PER_MAIN_PIPE = 0.4
_VALVE_EVERY = 4  # every 4th node along a main is a valve (~1.6 km)


class _Builder:
    """Nodes and pipes of the networks as they are laid."""

    def __init__(self) -> None:
        self.nx: list[np.ndarray] = []
        self.ny: list[np.ndarray] = []
        self.nkind: list[np.ndarray] = []
        self.nnet: list[np.ndarray] = []
        self.ndist: list[np.ndarray] = []
        self.nname: list[list] = []
        self.n = 0
        self.pa: list[np.ndarray] = []
        self.pb: list[np.ndarray] = []
        self.pdiam: list[np.ndarray] = []
        self.pmat: list[np.ndarray] = []
        self.pyear: list[np.ndarray] = []
        self.pmain: list[np.ndarray] = []
        self.pnet: list[np.ndarray] = []

    def nodes(self, x, y, kind, net: str, didx, names=None) -> np.ndarray:
        x = np.asarray(x, float)
        k = len(x)
        ids = np.arange(self.n, self.n + k)
        self.n += k
        self.nx.append(x)
        self.ny.append(np.asarray(y, float))
        self.nkind.append(np.broadcast_to(np.asarray(kind, object), (k,)).copy())
        self.nnet.append(np.full(k, net, object))
        self.ndist.append(np.broadcast_to(np.asarray(didx, np.int64), (k,)).copy())
        self.nname.append(list(names) if names is not None else [None] * k)
        return ids

    def pipes(self, a, b, diam, mat, year, main: bool, net: str) -> None:
        a = np.asarray(a, np.int64)
        k = len(a)
        self.pa.append(a)
        self.pb.append(np.asarray(b, np.int64))
        self.pdiam.append(np.broadcast_to(np.asarray(diam, float), (k,)).copy())
        self.pmat.append(np.broadcast_to(np.asarray(mat, object), (k,)).copy())
        self.pyear.append(np.broadcast_to(np.asarray(year, np.int64), (k,)).copy())
        self.pmain.append(np.full(k, main))
        self.pnet.append(np.full(k, net, object))

    def xy(self) -> tuple[np.ndarray, np.ndarray]:
        return np.concatenate(self.nx), np.concatenate(self.ny)


def _km(x0, y0, x1, y1) -> np.ndarray:
    """Equirectangular distance in km (exact enough for a few km)."""
    lat = np.radians((np.asarray(y0) + np.asarray(y1)) / 2)
    dx = (np.asarray(x1) - np.asarray(x0)) * 111.32 * np.cos(lat)
    dy = (np.asarray(y1) - np.asarray(y0)) * 111.32
    return np.hypot(dx, dy)


def _offset(x, y, east_km, north_km) -> tuple[np.ndarray, np.ndarray]:
    dlon, dlat = geo.km_to_deg(1.0, y)
    return x + east_km * dlon, y + north_km * dlat


def _lattice(g, rng, streets: np.ndarray, k: np.ndarray, spacing: np.ndarray,
             shift_km: float) -> tuple[np.ndarray, ...]:
    """Each street's k×k lattice of nodes, ``spacing`` km apart, jittered, turned by a random
    angle and shifted ``shift_km`` east and north of the street's centre (so that networks laid
    under the same streets do not coincide). Returns the first node of each street (``base``),
    each node's street (``s_rep``), lattice size, row and column, and lon/lat."""
    per = k * k
    base = np.cumsum(per) - per
    total = int(per.sum())
    s_rep = np.repeat(np.arange(len(streets)), per)
    t = np.arange(total) - base[s_rep]
    kk = k[s_rep]
    i, j = t // kk, t % kk
    d = spacing[s_rep]
    ox = (j - (kk - 1) / 2) * d + rng.normal(0, 0.12, total) * d
    oy = (i - (kk - 1) / 2) * d + rng.normal(0, 0.12, total) * d
    theta = rng.uniform(0, np.pi / 2, len(streets))[s_rep]
    ex = ox * np.cos(theta) - oy * np.sin(theta) + shift_km
    ny = ox * np.sin(theta) + oy * np.cos(theta) + shift_km
    x, y = _offset(g.st_xy[streets[s_rep], 0], g.st_xy[streets[s_rep], 1], ex, ny)
    return base, s_rep, kk, i, j, x, y


def _grid_pipes(rng, n: int, net: str, old: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Diameter, material and year of n distribution pipes."""
    year = rng.integers(1978, 2025, n)
    if net == "water":
        diam = rng.choice([100.0, 150.0, 200.0, 300.0], n, p=[0.3, 0.35, 0.23, 0.12])
        mat = np.where(year < 2000, np.where(rng.random(n) < old, "grey_cast_iron", "ductile_iron"),
                       np.where((diam <= 200) & (rng.random(n) < 0.4), "pe", "ductile_iron"))
    else:
        year = np.maximum(year, 1990)
        diam = rng.choice([110.0, 160.0, 200.0, 250.0], n, p=[0.35, 0.35, 0.2, 0.1])
        mat = np.where(rng.random(n) < 0.7, "pe", "steel")
    return diam, mat.astype(object), year


def _lay_grids(b: _Builder, g: _Gen, rng, net: str, streets: np.ndarray, budget: int,
               shift_km: float) -> dict:
    """The streets' distribution lattices; returns their nodes per street."""
    dens = np.array([6.0 if c == "500103" else 3.5 if c in geo.CENTRAL_DISTRICTS else 1.0
                     for c in g.dcodes])
    w = dens[g.st_didx[streets]] * np.where(g.st_sub[streets], 3.0, 1.0)
    edges = budget * w / w.sum()
    k = np.clip(np.round((1 + np.sqrt(1 + 2 * edges)) / 2), 2, 40).astype(np.int64)
    central = g.central[g.st_didx[streets]]
    spacing = np.where(g.st_sub[streets], np.where(central, 0.12, 0.18), 0.30)
    base, s_rep, kk, i, j, x, y = _lattice(g, rng, streets, k, spacing, shift_km)
    didx = g.st_didx[streets[s_rep]]
    ids = b.nodes(np.round(x, 6), np.round(y, 6), "junction", net, didx)
    horiz = j < kk - 1
    vert = i < kk - 1
    a = np.concatenate([ids[horiz], ids[vert]])
    c = np.concatenate([ids[horiz] + 1, ids[vert] + kk[vert]])
    # a share of the grid's pipes carries a valve 10 m from one end
    share = 0.6 if net == "water" else 0.5
    has_v = rng.random(len(a)) < share
    allx, ally = np.concatenate([*b.nx]), np.concatenate([*b.ny])
    av, cv = a[has_v], c[has_v]
    frac = 0.010 / np.maximum(_km(allx[av], ally[av], allx[cv], ally[cv]), 0.02)
    vx = allx[av] + (allx[cv] - allx[av]) * frac
    vy = ally[av] + (ally[cv] - ally[av]) * frac
    vids = b.nodes(np.round(vx, 6), np.round(vy, 6), "valve", net, didx[av - ids[0]])
    pa_ = np.concatenate([a[~has_v], av, vids])
    pb_ = np.concatenate([c[~has_v], vids, cv])
    # both halves of a valved pipe are one pipe laid at one time
    n_plain, n_v = int((~has_v).sum()), int(has_v.sum())
    diam, mat, year = _grid_pipes(rng, n_plain + n_v, net, old=0.5)
    idx = np.concatenate([np.arange(n_plain), n_plain + np.arange(n_v), n_plain + np.arange(n_v)])
    b.pipes(pa_, pb_, diam[idx], mat[idx], year[idx], False, net)
    centre = ids[0] + base + (k // 2) * k + k // 2
    return {"streets": streets, "ids": ids, "s_of_node": s_rep, "centre": centre, "k": k,
            "base": base, "didx": didx}


def _chain(b: _Builder, rng, p: int, q: int, xy: tuple[np.ndarray, np.ndarray], net: str,
           didx: int, diam: float, mat: str, year: int, end_valves: bool = True) -> None:
    """A main from node p to node q (both in ``xy``, the coordinates laid before the mains)
    cut into ~400 m pipes, with valves."""
    x, y = xy
    length = float(_km(x[p], y[p], x[q], y[q]))
    n = max(2, int(np.ceil(length / _KM_PER_MAIN_PIPE)))
    f = np.arange(1, n) / n
    mx = x[p] + (x[q] - x[p]) * f
    my = y[p] + (y[q] - y[p]) * f
    kinds = np.full(n - 1, "junction", object)
    kinds[::_VALVE_EVERY] = "valve"
    if end_valves:
        kinds[0] = kinds[-1] = "valve"
    mids = b.nodes(np.round(mx, 6), np.round(my, 6), kinds, net, didx)
    seq = np.concatenate([[p], mids, [q]])
    b.pipes(seq[:-1], seq[1:], diam, mat, year, True, net)


def _mains(b: _Builder, g: _Gen, rng, net: str, grids: dict, sources_per_d: dict) -> None:
    """Mains along the spanning tree of each district's sources and street centres, plus
    the second feeds that loop the urban grids."""
    streets, centre = grids["streets"], grids["centre"]
    d_of = g.st_didx[streets]
    x, y = b.xy()
    for d, srcs in sources_per_d.items():
        mine = np.flatnonzero(d_of == d)
        if mine.size == 0:
            continue
        pts = np.concatenate([np.asarray(srcs, np.int64), centre[mine]])
        px, py = x[pts], y[pts]
        dist = _km(px[:, None], py[:, None], px[None, :], py[None, :]) + 1e-6
        np.fill_diagonal(dist, 0)
        tree = minimum_spanning_tree(dist).tocoo()
        urban = net == "gas" or bool(g.central[d])
        for u, v in zip(tree.row, tree.col, strict=True):
            big = u < len(srcs) or v < len(srcs)
            if net == "water":
                diam = float(rng.choice([800.0, 1000.0, 1200.0] if big else [400.0, 600.0, 800.0]))
                mat = "concrete" if diam >= 1000 else str(rng.choice(["ductile_iron", "steel"]))
            else:
                diam = float(rng.choice([400.0, 500.0] if big else [250.0, 300.0]))
                mat = "steel"
            _chain(b, rng, int(pts[u]), int(pts[v]), (x, y), net, d, diam, mat,
                   int(rng.integers(1985 if urban else 1995, 2024)))
        # second feeds: a main to the nearest other street not already its tree neighbour
        nbrs = {(int(min(u, v)), int(max(u, v))) for u, v in zip(tree.row, tree.col, strict=True)}
        ns = len(srcs)
        for a in range(ns, len(pts)):
            p_loop = 0.7 if g.st_sub[streets[mine[a - ns]]] else 0.2
            if rng.random() >= p_loop:
                continue
            order = np.argsort(dist[a])
            for c in order[1:4]:
                if c >= ns and c != a and (min(a, c), max(a, c)) not in nbrs:
                    nbrs.add((min(a, c), max(a, c)))
                    _chain(b, rng, int(pts[a]), int(pts[c]), (x, y), net, d,
                           400.0 if net == "water" else 250.0,
                           "ductile_iron" if net == "water" else "steel",
                           int(rng.integers(1995, 2024)))
                    break


def _sources(b: _Builder, g: _Gen, rng, net: str, districts: np.ndarray) -> dict:
    """Water plants (one per ~1,500 km², at least one) or one gas gate station per district."""
    out: dict[int, list[int]] = {}
    for d in districts:
        d = int(d)
        n = 1 if net == "gas" else int(min(3, 1 + g.area[d] // 1500))
        cx = np.full(n, g.seat_xy[d, 0])
        cy = np.full(n, g.seat_xy[d, 1])
        sx, sy = g._scatter(cx, cy, np.full(n, 2.5), np.full(n, d), rng=rng)
        name = g.dnames[d]
        if net == "water":
            names = [f"{name}第{i + 1}水厂" if n > 1 else f"{name}水厂" for i in range(n)]
        else:
            names = [f"{name}燃气门站"]
        out[d] = list(b.nodes(np.round(sx, 6), np.round(sy, 6), "source", net, d, names))
    return out


def _supply(g: _Gen, rng, node_ids, nx, ny, households: np.ndarray, share: float,
            communities: np.ndarray, k: int = 6) -> dict:
    """Each community served through its ``k`` nearest grid nodes, in equal shares."""
    if len(node_ids) < k or len(communities) == 0:
        return {"node_id": [], "community_code": [], "households": [], "population": []}
    lat0 = float(np.mean(ny))
    kx = np.cos(np.radians(lat0))
    tree = cKDTree(np.column_stack([nx * kx, ny]))
    _, near = tree.query(np.column_stack([g.cm_xy[communities, 0] * kx,
                                          g.cm_xy[communities, 1]]), k=k)
    hh = np.round(households[communities] * share).astype(np.int64)
    part = hh[:, None] // k + (np.arange(k)[None, :] < (hh % k)[:, None])
    per = rng.uniform(2.3, 2.9, len(communities))
    node = node_ids[near].ravel()
    code = np.repeat(g.cm_code[communities], k)
    h = part.ravel()
    p = np.round(h * np.repeat(per, k)).astype(np.int64)
    # two of the k nearest may be one node (a tiny grid): one row per node and community
    order = np.lexsort((node, code))
    node, code, h, p = node[order], code[order], h[order], p[order]
    first = np.ones(len(node), bool)
    first[1:] = (node[1:] != node[:-1]) | (code[1:] != code[:-1])
    grp = np.cumsum(first) - 1
    return {"node_id": node[first], "community_code": code[first],
            "households": np.bincount(grp, weights=h).astype(np.int64),
            "population": np.bincount(grp, weights=p).astype(np.int64)}


def build(g: _Gen, _table: Callable[[str, dict], pa.Table]) -> None:
    """Lay the demo networks into ``g.tables`` (see the module doc); ``_table(name, columns)``
    makes a table with the schema's Arrow types (the generator's own helper)."""
    rng = np.random.default_rng([g.seed % 2**63, 21, int(g.district or 0)])
    bw, bg = _BUDGET[g.scale.name]
    b = _Builder()
    all_streets = np.arange(len(g.st_code))
    if g.scale.name == "small" and g.district is None:
        all_streets = all_streets[g.central[g.st_didx]]
    gas_streets = all_streets[g.st_sub[all_streets] | g.central[g.st_didx[all_streets]]]
    if gas_streets.size == 0:
        gas_streets = all_streets

    # water: grids, plants, mains, hydrants, tanks
    wg = _lay_grids(b, g, rng, "water", all_streets, bw, 0.0)
    w_src = _sources(b, g, rng, "water", np.unique(g.st_didx[all_streets]))
    _mains(b, g, rng, "water", wg, w_src)
    x, y = b.xy()
    hyd = wg["ids"][rng.random(len(wg["ids"])) < 0.12]
    hx, hy = _offset(x[hyd], y[hyd], 0.012, 0.008)
    hids = b.nodes(np.round(hx, 6), np.round(hy, 6), "hydrant", "water",
                   wg["didx"][hyd - wg["ids"][0]])
    b.pipes(hyd, hids, 100.0, "ductile_iron", rng.integers(1990, 2025, len(hyd)), False, "water")
    towns = np.flatnonzero(~g.st_sub[wg["streets"]] & (rng.random(len(wg["streets"])) < 0.15))
    if towns.size:
        corner = wg["ids"][0] + wg["base"][towns]  # the grid's first corner
        tx, ty = _offset(x[corner], y[corner], -0.15, -0.15)
        names = [f"{g.st_name[s]}高位水池" for s in wg["streets"][towns]]
        tids = b.nodes(np.round(tx, 6), np.round(ty, 6), "tank", "water",
                       g.st_didx[wg["streets"][towns]], names)
        b.pipes(tids, corner, 300.0, "ductile_iron", rng.integers(1995, 2025, len(tids)), True,
                "water")


    # gas: grids, gate stations, mains ending at a regulator beside each grid
    gg = _lay_grids(b, g, rng, "gas", gas_streets, bg, 0.015)
    g_src = _sources(b, g, rng, "gas", np.unique(g.st_didx[gas_streets]))
    x, y = b.xy()
    rx, ry = _offset(x[gg["centre"]], y[gg["centre"]], 0.05, 0.0)
    names = [f"{g.st_name[s]}调压站" for s in gg["streets"]]
    regs = b.nodes(np.round(rx, 6), np.round(ry, 6), "regulator", "gas",
                   g.st_didx[gg["streets"]], names)
    b.pipes(regs, gg["centre"], 200.0, "steel", rng.integers(1995, 2025, len(regs)), False, "gas")
    _mains(b, g, rng, "gas", {**gg, "centre": regs}, g_src)

    # drainage: outfalls and treatment plants, street sewers, inlets, trunks (a random state
    # of its own, so the water and gas networks stay what they were)
    rd = np.random.default_rng([g.seed % 2**63, 21, int(g.district or 0), 3])
    dg = _lay_drainage(b, g, rd, all_streets, _DRAIN_BUDGET[g.scale.name])

    # the tables
    x, y = b.xy()
    a = np.concatenate(b.pa)
    c = np.concatenate(b.pb)
    length = np.round(_km(x[a], y[a], x[c], y[c]) * 1000.0, 1)
    length = np.maximum(length, 0.5)  # rounding never makes a zero-length pipe
    didx = np.concatenate(b.ndist)
    names = [n for part in b.nname for n in part]
    g.tables["network_node"] = _table("network_node", {
        "node_id": np.arange(1, b.n + 1, dtype=np.int64),
        "network": np.concatenate(b.nnet), "kind": np.concatenate(b.nkind),
        "lon": np.round(x, 6), "lat": np.round(y, 6),
        "district_code": pa.array([g.dcodes[i] for i in didx], pa.string()),
        "name": pa.array(names, pa.string()),
    })
    g.tables["network_pipe"] = _table("network_pipe", {
        "pipe_id": np.arange(1, len(a) + 1, dtype=np.int64),
        "network": np.concatenate(b.pnet), "from_node": a + 1, "to_node": c + 1,
        "diameter_mm": np.concatenate(b.pdiam), "material": np.concatenate(b.pmat),
        "length_m": length, "install_year": np.concatenate(b.pyear).astype(np.int32),
        "main": np.concatenate(b.pmain),
        "geometry_wkt": pa.nulls(len(a), pa.string()),
    })

    # supply: communities of the streets that have the network
    ncm = len(g.cm_code)
    households = np.where(g.cm_urban, rng.integers(1500, 5001, ncm), rng.integers(300, 1201, ncm))
    parts = []
    for grids, share in ((wg, 1.0), (gg, 0.85)):
        has = np.zeros(len(g.st_code), bool)
        has[grids["streets"]] = True
        comms = np.flatnonzero(has[g.cm_sidx])
        ids = grids["ids"]
        parts.append(_supply(g, rng, ids + 1, x[ids], y[ids], households, share, comms))
    has = np.zeros(len(g.st_code), bool)
    has[dg["streets"]] = True
    comms = np.flatnonzero(has[g.cm_sidx])
    parts.append(_supply(g, rd, dg["ids"] + 1, x[dg["ids"]], y[dg["ids"]], households, 1.0,
                         comms))
    g.tables["network_supply"] = _table("network_supply", {
        k: np.concatenate([np.asarray(p[k]) for p in parts]) for k in parts[0]})


def event_networks(type_ids: list[str]) -> list[str | None]:
    """``event_type.network`` of the demo's types: the network of :data:`PIPE_EVENTS` for the
    plain kind (``ET-<BASE>``) and its variants (``ET-<BASE>-NN``), else empty."""
    out: list[str | None] = []
    for t in type_ids:
        base = t[3:] if t.startswith("ET-") else t
        if len(base) > 3 and base[-3] == "-" and base[-2:].isdigit():
            base = base[:-3]
        out.append(PIPE_EVENTS.get(base))
    return out


# ---------------------------------------------------------------------------- drainage

#: Grid-pipe budgets of drainage per scale; pipes ≈ 1.25 × budget + trunks.
_DRAIN_BUDGET = {"small": 2_400, "chongqing": 30_000, "stress": 60_000}
#: A street drains into a river when its centre lies within this many km of it, else into its
#: district's treatment plant.
_RIVER_KM = 8.0
#: Outfalls along a river are this many degrees apart (~2 km); one per bank.
_OUTFALL_STEP_DEG = 0.018
#: Length of one pipe of a trunk sewer (km).
_KM_PER_TRUNK_PIPE = 0.8
#: A trunk sewer longer than this (km) has a pumping station near its upstream end.
_PUMP_KM = 2.5


def _sinks(b: _Builder, g: _Gen, rng, streets: np.ndarray, half_km: np.ndarray) -> np.ndarray:
    """Where each street drains to: an outfall on the nearest river bank (within
    :data:`_RIVER_KM`), else a town's own treatment station beside its grid (``half_km``: half
    the grid's width) or an urban street's district treatment plant; returns a node index
    per street."""
    import shapely
    from shapely.geometry import LineString

    cx, cy = g.st_xy[streets, 0], g.st_xy[streets, 1]
    k = np.cos(np.radians(29.6))
    rivers = {name: LineString([(x * k, y) for x, y in pts]) for name, pts in geo.RIVERS.items()}
    names = list(rivers)
    pts = shapely.points(cx * k, cy)
    dist = np.column_stack([shapely.distance(rivers[r], pts) for r in names]) * 111.32
    best = np.argmin(dist, axis=1)
    near = dist[np.arange(len(streets)), best] <= _RIVER_KM
    out = np.full(len(streets), -1, np.int64)
    made: dict[tuple, int] = {}
    count: dict[tuple, int] = {}
    for s in np.flatnonzero(near):
        r = names[best[s]]
        line = rivers[r]
        at = line.project(pts[s])
        step = round(at / _OUTFALL_STEP_DEG)
        at = min(max(step * _OUTFALL_STEP_DEG, 0.0), line.length)
        p = line.interpolate(at)
        q = line.interpolate(min(at + 1e-3, line.length))
        side = np.sign((q.x - p.x) * (cy[s] - p.y) - (q.y - p.y) * (cx[s] * k - p.x)) or 1.0
        key = (r, step, side)
        if key not in made:
            # 120 m from the centre line, on the street's bank
            nx_, ny_ = -(q.y - p.y), q.x - p.x
            norm = np.hypot(nx_, ny_) or 1.0
            ox = p.x + side * nx_ / norm * 0.0011
            oy = p.y + side * ny_ / norm * 0.0011
            d = int(g.st_didx[streets[s]])
            n = count[(r, d)] = count.get((r, d), 0) + 1
            made[key] = int(b.nodes([round(ox / k, 6)], [round(oy, 6)], "outfall", "drainage", d,
                                    [f"{r}{g.dnames[d]}排放口{n}"])[0])
        out[s] = made[key]
    town = np.flatnonzero(~near & ~g.st_sub[streets])
    if town.size:
        tx, ty = _offset(cx[town], cy[town], -half_km[town] - 0.3, -half_km[town] - 0.3)
        out[town] = b.nodes(np.round(tx, 6), np.round(ty, 6), "treatment_plant", "drainage",
                            g.st_didx[streets[town]],
                            [f"{g.st_name[s]}污水处理站" for s in streets[town]])
    plants: dict[int, int] = {}
    for s in np.flatnonzero(~near & g.st_sub[streets]):
        d = int(g.st_didx[streets[s]])
        if d not in plants:
            px, py = g._scatter(np.array([g.seat_xy[d, 0]]), np.array([g.seat_xy[d, 1]]),
                                np.array([3.0]), np.array([d]), rng=rng)
            plants[d] = int(b.nodes(np.round(px, 6), np.round(py, 6), "treatment_plant",
                                    "drainage", d, [f"{g.dnames[d]}污水处理厂"])[0])
        out[s] = plants[d]
    return out


def _lay_drainage(b: _Builder, g: _Gen, rng, streets: np.ndarray, budget: int) -> dict:
    """Each street's sewers as a tree on a jittered lattice draining to the corner nearest its
    outfall (some blocks with a second way down), inlets, and trunk sewers from the grids to
    the outfalls and treatment plants (see the module doc)."""
    dens = np.array([6.0 if c == "500103" else 3.5 if c in geo.CENTRAL_DISTRICTS else 1.0
                     for c in g.dcodes])
    w = dens[g.st_didx[streets]] * np.where(g.st_sub[streets], 3.0, 1.0)
    k = np.clip(np.round(np.sqrt(budget * w / w.sum() + 1)), 2, 40).astype(np.int64)
    central = g.central[g.st_didx[streets]]
    spacing = np.where(g.st_sub[streets], np.where(central, 0.12, 0.18), 0.30)
    sink = _sinks(b, g, rng, streets, k * spacing / 2)
    base, s_rep, kk, i, j, x, y = _lattice(g, rng, streets, k, spacing, -0.015)
    total = len(s_rep)
    x, y = np.round(x, 6), np.round(y, 6)
    didx = g.st_didx[streets[s_rep]]
    ids = b.nodes(x, y, "manhole", "drainage", didx)
    # the low corner: the lattice corner nearest the street's outfall
    allx, ally = b.xy()
    corners = np.stack([base, base + k - 1, base + (k - 1) * k, base + k * k - 1], axis=1)
    cd = _km(x[corners], y[corners], allx[sink][:, None], ally[sink][:, None])
    low = np.argmin(cd, axis=1)
    fi = (low >= 2)[s_rep]  # rows counted from the far side
    fj = (low % 2 == 1)[s_rep]
    ri = np.where(fi, kk - 1 - i, i)
    rj = np.where(fj, kk - 1 - j, j)

    fi_s, fj_s = low >= 2, low % 2 == 1

    def at(r_i, r_j, s_of):
        kq = k[s_of]
        ii = np.where(fi_s[s_of], kq - 1 - r_i, r_i)
        jj = np.where(fj_s[s_of], kq - 1 - r_j, r_j)
        return ids[0] + base[s_of] + ii * kq + jj

    node = ids[0] + np.arange(total)
    along = rj > 0  # laterals: along the row towards the collector column
    down = (rj == 0) & (ri > 0)  # the collector: down the column to the low corner
    cross = (ri > 0) & (rj > 0) & (rng.random(total) < 0.12)  # a second way down
    pa_ = np.concatenate([node[along], node[down], node[cross]])
    pb_ = np.concatenate([at(ri[along], rj[along] - 1, s_rep[along]),
                          at(ri[down] - 1, 0, s_rep[down]),
                          at(ri[cross] - 1, rj[cross], s_rep[cross])])
    n_a, n_d, n_c = int(along.sum()), int(down.sum()), int(cross.sum())
    diam = np.concatenate([rng.choice([300.0, 400.0], n_a, p=[0.6, 0.4]),
                           rng.choice([500.0, 600.0, 800.0], n_d, p=[0.4, 0.4, 0.2]),
                           np.full(n_c, 300.0)])
    year = rng.integers(1978, 2025, len(pa_))
    mat = np.where(year < 2000, "concrete",
                   np.where(diam <= 400, np.where(rng.random(len(pa_)) < 0.6, "pvc", "pe"),
                            "concrete")).astype(object)
    b.pipes(pa_, pb_, diam, mat, year, False, "drainage")
    # inlets (雨水口) on short laterals into 10 % of the manholes
    inl = node[rng.random(total) < 0.10]
    ix, iy = _offset(x[inl - ids[0]], y[inl - ids[0]], -0.010, 0.008)
    iids = b.nodes(np.round(ix, 6), np.round(iy, 6), "inlet", "drainage", didx[inl - ids[0]])
    b.pipes(iids, inl, 200.0, "pvc", rng.integers(1995, 2025, len(inl)), False, "drainage")
    # trunks: per sink, the spanning tree of the sink and its streets' low corners, flowing
    # towards the sink
    low_node = ids[0] + corners[np.arange(len(streets)), low]
    allx, ally = b.xy()
    for snk in np.unique(sink):
        mine = np.flatnonzero(sink == snk)
        pts = np.concatenate([[snk], low_node[mine]])
        px, py = allx[pts], ally[pts]
        dist = _km(px[:, None], py[:, None], px[None, :], py[None, :]) + 1e-6
        np.fill_diagonal(dist, 0)
        tree = minimum_spanning_tree(dist).tocoo()
        nbr: dict[int, list[int]] = {}
        for u, v in zip(tree.row, tree.col, strict=True):
            nbr.setdefault(int(u), []).append(int(v))
            nbr.setdefault(int(v), []).append(int(u))
        parent = {0: -1}
        order = [0]
        for u in order:  # breadth first from the sink
            for v in nbr.get(u, []):
                if v not in parent:
                    parent[v] = u
                    order.append(v)
        upstream = np.ones(len(pts), np.int64)  # streets draining through each point
        for u in reversed(order[1:]):
            upstream[parent[u]] += upstream[u]
        for u in order[1:]:
            sizes = (600.0, 800.0, 1000.0, 1200.0, 1500.0, 1800.0)
            diam = sizes[min(int(np.log2(upstream[u])), len(sizes) - 1)]
            st = streets[mine[u - 1]]
            _sewer(b, int(pts[u]), int(pts[parent[u]]), (allx, ally), int(g.st_didx[st]),
                   diam, int(rng.integers(1985, 2024)), f"{g.st_name[st]}排水泵站")
    return {"streets": streets, "ids": ids}


def _sewer(b: _Builder, p: int, q: int, xy, didx: int, diam: float, year: int,
           pump_name: str) -> None:
    """A trunk sewer from node p down to node q cut into ~800 m pipes (manholes between), with
    a pumping station near its start when it is long (a lift over the hills)."""
    x, y = xy
    length = float(_km(x[p], y[p], x[q], y[q]))
    n = max(2, int(np.ceil(length / _KM_PER_TRUNK_PIPE)))
    f = np.arange(1, n) / n
    mx = x[p] + (x[q] - x[p]) * f
    my = y[p] + (y[q] - y[p]) * f
    kinds = np.full(n - 1, "manhole", object)
    names: list = [None] * (n - 1)
    if length > _PUMP_KM:
        kinds[0] = "pump_station"
        names[0] = pump_name
    mids = b.nodes(np.round(mx, 6), np.round(my, 6), kinds, "drainage", didx, names)
    seq = np.concatenate([[p], mids, [q]])
    b.pipes(seq[:-1], seq[1:], diam, "concrete", year, True, "drainage")
