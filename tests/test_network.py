"""Pipe networks: the burst analysis against an independent brute-force search, the demo
networks, and the validation of bad network rows; drainage (gravity flow): a blockage's
backed-up area against an independent brute-force search, the demo's drainage, its order
note."""

from __future__ import annotations

from collections import defaultdict, deque
from pathlib import Path

import duckdb
import networkx as nx
import numpy as np
import pyarrow as pa
import pytest
from cockpit.datasets.network.graph import segments
from cockpit.datasets.network.impact import NetworkModel, order_note, repair_minutes
from cockpit.datasets.validate import validate_dataset

# ------------------------------------------------------------------ helpers


def _model(kinds: list[str], pipes: list[tuple[int, int]], supply: dict[int, int] | None = None,
           network: str = "water") -> NetworkModel:
    """A NetworkModel over nodes 1..n of ``kinds`` and pipes (from, to) numbered from 1;
    ``supply``: node → households (population = 2 × households)."""
    con = duckdb.connect()
    n = len(kinds)
    nodes = pa.table({"node_id": np.arange(1, n + 1), "kind": kinds,
                      "network": [network] * n, "lon": 106.5 + np.arange(n) * 1e-3,
                      "lat": 29.5 + (np.arange(n) % 7) * 1e-3})
    a = [p[0] for p in pipes]
    b = [p[1] for p in pipes]
    pipe_t = pa.table({"pipe_id": np.arange(1, len(pipes) + 1), "from_node": a, "to_node": b,
                       "network": [network] * len(pipes), "diameter_mm": [200.0] * len(pipes),
                       "material": ["ductile_iron"] * len(pipes),
                       "length_m": [100.0] * len(pipes), "install_year": [2000] * len(pipes)})
    supply = supply or {}
    sup_t = pa.table({"node_id": list(supply), "community_code": [f"C{k}" for k in supply],
                      "households": list(supply.values()),
                      "population": [2 * v for v in supply.values()]},
                     schema=pa.schema([("node_id", pa.int64()), ("community_code", pa.string()),
                                       ("households", pa.int64()), ("population", pa.int64())]))
    units = pa.table({"code": [f"C{k}" for k in supply], "name": [f"社区{k}" for k in supply]},
                     schema=pa.schema([("code", pa.string()), ("name", pa.string())]))
    for name, t in (("network_node", nodes), ("network_pipe", pipe_t),
                    ("network_supply", sup_t), ("admin_unit", units)):
        con.register("t", t)
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM t")
        con.unregister("t")
    return NetworkModel(con)


def brute_force(kinds: np.ndarray, a: np.ndarray, b: np.ndarray, pipe: int) -> dict:
    """Burst on pipe index ``pipe``, by plain search on the raw graph (0-based indices):
    the segment's pipes, the valves to close, and the pipes cut off once they are closed."""
    valve = kinds == "valve"
    at = defaultdict(list)
    for p, (u, v) in enumerate(zip(a, b, strict=True)):
        at[u].append(p)
        at[v].append(p)
    seg, todo = {pipe}, deque([pipe])
    while todo:
        p = todo.popleft()
        for end in (a[p], b[p]):
            if valve[end]:
                continue
            for q in at[end]:
                if q not in seg:
                    seg.add(q)
                    todo.append(q)
    closed = {int(e) for p in seg for e in (a[p], b[p]) if valve[e]}

    def reached(closed_valves: set[int], removed: set[int]) -> set[int]:
        got: set[int] = set()
        seen = set(np.flatnonzero(np.isin(kinds, ("source", "tank"))).tolist())
        todo = deque(seen)
        while todo:
            u = todo.popleft()
            if u in closed_valves:
                continue  # flow stops at a closed valve
            for p in at[u]:
                if p in removed:
                    continue
                got.add(p)
                v = b[p] if a[p] == u else a[p]
                if v not in seen:
                    seen.add(v)
                    todo.append(v)
        return got

    before = reached(set(), set())
    after = reached(closed, seg)
    return {"segment": seg, "valves": closed, "cut_off": before - after - seg}


def random_network(rng: np.random.Generator, n: int, valve_share: float, extra_edges: int,
                   feeds: int = 2) -> tuple[list[str], list[tuple[int, int]]]:
    """A random connected network: a random tree plus extra edges (loops), valves put on a
    share of the pipes as in-line nodes, a few sources/tanks."""
    edges = [(int(rng.integers(0, i)), i) for i in range(1, n)]
    for _ in range(extra_edges):
        u, v = rng.choice(n, 2, replace=False)
        edges.append((int(u), int(v)))
    kinds = ["junction"] * n
    for f in rng.choice(n, feeds, replace=False):
        kinds[int(f)] = "source" if rng.random() < 0.6 else "tank"
    pipes = []
    for u, v in edges:
        if rng.random() < valve_share:
            kinds.append("valve")
            w = len(kinds) - 1
            pipes += [(u + 1, w + 1), (w + 1, v + 1)]
        else:
            pipes.append((u + 1, v + 1))
    return kinds, pipes


def _check_against_brute_force(model: NetworkModel, pipes_to_try) -> int:
    cut_seen = 0
    for p in pipes_to_try:
        got = model.burst(int(model.pipe_id[p]))
        want = brute_force(model.kind, model.a, model.b, int(p))
        seg_pipes = set(np.flatnonzero(np.isin(model.seg.pipe_seg, got.segments)).tolist())
        assert seg_pipes == want["segment"], p
        assert {int(np.searchsorted(model.node_id, v.node_id)) for v in got.valves} \
            == want["valves"], p
        cut = set(np.flatnonzero(np.isin(model.seg.pipe_seg, got.cut_off_segments)).tolist())
        assert cut == want["cut_off"], p
        assert got.segment_pipes == len(want["segment"])
        assert got.cut_off_pipes == len(want["cut_off"])
        cut_seen += bool(want["cut_off"])
    return cut_seen


# ------------------------------------------------------------------ analysis


def test_unintended_isolation_on_a_line() -> None:
    # source 1 -p1- valve 2 -p2- junction 3 -p3- valve 4 -p4- junction 5 (150 households)
    m = _model(["source", "valve", "junction", "valve", "junction"],
               [(1, 2), (2, 3), (3, 4), (4, 5)], supply={3: 100, 5: 150})
    r = m.burst(2)
    assert r.segment_pipes == 2  # p2 and p3 meet at junction 3
    assert sorted(v.node_id for v in r.valves) == [2, 4]
    assert r.cut_off_pipes == 1  # p4 is fed only through valve 4
    assert r.households == 250 and r.population == 500
    by_code = {c.code: c for c in r.communities}
    assert by_code["C5"].cut_off and not by_code["C3"].cut_off
    # a burst next to the source cuts off everything downstream of valve 2
    r1 = m.burst(1)
    assert [v.node_id for v in r1.valves] == [2]
    assert r1.cut_off_pipes == 3


def test_network_without_valves_is_one_segment() -> None:
    rng = np.random.default_rng(3)
    kinds, pipes = random_network(rng, 60, valve_share=0.0, extra_edges=10)
    m = _model(kinds, pipes, supply={5: 10, 17: 20})
    for pid in (1, 30, len(pipes)):
        r = m.burst(pid)
        assert r.valves == [] and r.segment_pipes == len(pipes)
        assert r.cut_off_pipes == 0 and r.households == 30
    assert _check_against_brute_force(m, range(len(pipes))) == 0


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_segments_match_brute_force_on_random_networks(seed: int) -> None:
    rng = np.random.default_rng(seed)
    # a mostly tree-like network, so that closing valves often cuts parts off
    kinds, pipes = random_network(rng, 120, valve_share=0.5, extra_edges=8)
    m = _model(kinds, pipes)
    cut_seen = _check_against_brute_force(m, range(len(pipes)))
    assert cut_seen > 0  # the comparison covered unintended isolation


def test_segments_are_networkx_components_of_the_valve_split_graph() -> None:
    rng = np.random.default_rng(9)
    kinds, pipes = random_network(rng, 200, valve_share=0.4, extra_edges=40)
    kinds_arr = np.array(kinds, object)
    a = np.array([p[0] - 1 for p in pipes])
    b = np.array([p[1] - 1 for p in pipes])
    seg = segments(kinds_arr, a, b)
    g = nx.Graph()  # pipes joined through every node that is not a valve
    g.add_nodes_from(range(len(pipes)))
    at = defaultdict(list)
    for p, (u, v) in enumerate(zip(a, b, strict=True)):
        for e in (u, v):
            if kinds[e] != "valve":
                at[e].append(p)
    for ps in at.values():
        g.add_edges_from(zip(ps, ps[1:], strict=False))
    want = sorted(sorted(c) for c in nx.connected_components(g))
    got = defaultdict(list)
    for p, s in enumerate(seg.pipe_seg):
        got[int(s)].append(p)
    assert sorted(got.values()) == want


def test_leak_at_a_valve_isolates_both_sides() -> None:
    m = _model(["source", "valve", "junction", "valve", "junction"],
               [(1, 2), (2, 3), (3, 4), (4, 5)])
    r = m.leak(4)  # valve 4 sits between p3 (segment of p2, p3) and p4
    assert r.segment_pipes == 3
    assert [v.node_id for v in r.valves] == [2]


def test_repair_rule() -> None:
    assert repair_minutes(150, "ductile_iron") == 240
    assert repair_minutes(800, "concrete") == 10 * 1.5 * 60
    assert repair_minutes(1200, "steel", "gas") == round((16 * 1.1 + 1) * 60, 1)
    assert repair_minutes(100, "pe") < repair_minutes(100, "grey_cast_iron")


# ------------------------------------------------------------------ the demo networks


@pytest.fixture(scope="module")
def demo_model(small_dataset_master: Path):
    con = duckdb.connect()
    for t in ("network_node", "network_pipe", "network_supply", "admin_unit", "facility",
              "risk_point"):
        con.execute(f"CREATE TABLE {t} AS SELECT * FROM read_parquet(?)",
                    [str(small_dataset_master / f"{t}.parquet")])
    from cockpit.datasets.network.graph import precompute

    precompute(con)
    return con, NetworkModel(con)


def test_demo_network_shape(demo_model) -> None:
    con, m = demo_model
    counts = dict(con.execute("SELECT network, count(*) FROM network_pipe GROUP BY 1").fetchall())
    assert 2_000 <= counts["water"] <= 20_000 and counts["gas"] > 1_000
    kinds = dict(con.execute("SELECT kind, count(*) FROM network_node GROUP BY 1").fetchall())
    for k in ("valve", "hydrant", "source", "tank", "regulator", "junction"):
        assert kinds.get(k, 0) > 0, k
    # every part of the demo networks is fed, and segments are small (valves are dense)
    # (drainage has no valves and no feeds: its analysis is the directed one, below)
    assert con.execute("SELECT bool_and(fed) FROM network_segment WHERE network <> 'drainage'"
                       ).fetchone()[0]
    assert con.execute("SELECT quantile_cont(pipes, 0.9) FROM network_segment "
                       "WHERE network <> 'drainage'").fetchone()[0] <= 20
    assert con.execute("SELECT count(*) FROM network_site").fetchone()[0] > 0


def test_demo_network_bursts_match_brute_force(demo_model) -> None:
    _con, m = demo_model
    rng = np.random.default_rng(5)
    water = np.flatnonzero(m.pipe_net == "water")
    # mains first: their bursts are the ones that cut parts off
    mains = np.flatnonzero(np.isin(m.pipe_id, _con.execute(
        "SELECT pipe_id FROM network_pipe WHERE main AND network = 'water'").fetchnumpy()
        ["pipe_id"]))
    picks = np.concatenate([rng.choice(water, 25, replace=False),
                            rng.choice(mains, 25, replace=False)])
    assert _check_against_brute_force(m, picks) > 0


def test_burst_at_a_point_names_people_and_sites(demo_model) -> None:
    con, m = demo_model
    pts = con.execute("""SELECT s.lon, s.lat FROM network_site s
                         WHERE network = 'water' AND site_kind = 'hospital' LIMIT 1""").fetchall()
    lon, lat = pts[0]
    r = m.at_point(lon + 1e-4, lat, "water")
    assert r is not None and r.network == "water" and r.distance_m < 1500
    assert r.valves, "a demo distribution pipe is bounded by valves"
    assert r.repair_min is not None and r.repair_min > 0
    d = r.as_dict()
    assert len(d["segment_lines"]) == r.segment_pipes
    assert m.at_point(lon, lat + 5, "water") is None  # far from every pipe


# ------------------------------------------------------------------ validation
# (bad network rows: tests/test_validate.py::test_validation_names_bad_network_rows)


def test_dataset_without_networks_is_valid(small_dataset: Path) -> None:
    for t in ("network_node", "network_pipe", "network_supply"):
        (small_dataset / f"{t}.parquet").unlink()
    assert [p for p in validate_dataset(small_dataset) if p.severity == "error"] == []
    con = duckdb.connect()
    from cockpit.datasets.validate import load_dataset

    load_dataset(small_dataset, con)
    assert con.execute("SELECT count(*) FROM network_pipe").fetchone()[0] == 0


# ------------------------------------------------------------------ drainage

SINKS = ("outfall", "treatment_plant")


def brute_force_drainage(kinds, a, b, blocked: set[int]
                         ) -> tuple[set[int], set[int], dict[int, int]]:
    """Nodes that drained and drain no more once the ``blocked`` pipes carry nothing, the pipes
    flowing into them (blocked ones left out), and each node's hops down to the nearest sink
    in the intact network — all by plain search on the raw lists (0-based)."""
    out = defaultdict(list)
    for p, u in enumerate(a):
        out[int(u)].append(p)

    def drains(u: int, skip: set[int]) -> bool:
        seen, todo = {u}, [u]
        while todo:
            x = todo.pop()
            if kinds[x] in SINKS:
                return True
            for p in out[x]:
                if p not in skip and int(b[p]) not in seen:
                    seen.add(int(b[p]))
                    todo.append(int(b[p]))
        return False

    n = len(kinds)
    backed = {u for u in range(n) if drains(u, set()) and not drains(u, blocked)}
    pipes = {p for p in range(len(a)) if int(b[p]) in backed and p not in blocked}
    hops = {}
    for u in range(n):
        seen, todo = {u: 0}, deque([u])
        while todo:
            x = todo.popleft()
            if kinds[x] in SINKS:
                hops[u] = seen[x]
                break
            for p in out[x]:
                if int(b[p]) not in seen:
                    seen[int(b[p])] = seen[x] + 1
                    todo.append(int(b[p]))
    return backed, pipes, hops


def random_drainage(rng: np.random.Generator, n: int, sinks: int, extra: int
                    ) -> tuple[list[str], list[tuple[int, int]]]:
    """Nodes 1..n in a random order of height: each non-sink drains to a lower random node
    (a forest towards the sinks), plus ``extra`` second ways down (still downhill, so no
    circle), a few pumping stations; a few nodes drain nowhere (their own low point)."""
    kinds = ["manhole"] * n
    for s in range(sinks):
        kinds[s] = "outfall" if s % 2 == 0 else "treatment_plant"
    pipes = []
    for i in range(sinks, n):
        if rng.random() < 0.04:
            continue  # a low point draining nowhere
        pipes.append((i + 1, int(rng.integers(0, i)) + 1))
    for _ in range(extra):
        i = int(rng.integers(sinks + 1, n))
        pipes.append((i + 1, int(rng.integers(0, i)) + 1))
    for i in rng.choice(np.arange(sinks, n), max(1, n // 15), replace=False):
        kinds[int(i)] = "pump_station"
    return kinds, sorted(set(pipes))


def _check(m: NetworkModel, blocked_pipes) -> int:
    backed_seen = 0
    for p in blocked_pipes:
        got = m.burst(int(m.pipe_id[p]))
        want, want_pipes, hops = brute_force_drainage(m.kind, m.a, m.b, {int(p)})
        dr = m.drainage()
        assert set(dr.backed_up(np.array([p])).tolist()) == want, p
        assert got.backed_nodes == len(want) and got.cut_off_pipes == len(want_pipes), p
        assert got.network == "drainage" and got.segment_pipes == 1 and not got.valves
        assert np.allclose(got.segment_lines, m._lines(np.array([p])))
        assert sorted(map(tuple, got.cut_off_lines.tolist())) == sorted(
            map(tuple, m._lines(np.array(sorted(want_pipes), np.int64)).tolist()))
        down = int(m.b[p])
        if down in hops:  # the outfall is a sink on a shortest way down
            o = got.outfall
            j = int(np.searchsorted(m.node_id, o["node_id"]))
            assert m.kind[j] in SINKS and o["kind"] == m.kind[j]
            assert len(m.drainage().downstream(down)) - 1 == hops[down]
            assert hops.get(down) is not None
        else:
            assert got.outfall is None and want == set()
        pumps_up = {q["node_id"] for q in got.pumps if not q["downstream"]}
        assert pumps_up == {int(m.node_id[v]) for v in want if m.kind[v] == "pump_station"}
        backed_seen += bool(want)
    return backed_seen


def test_a_blockage_backs_up_what_has_no_other_way_down() -> None:
    # outfall 1 ← 2 ← 3 ← 4, and 5 → 3; 4 also drains down a second pipe to plant 6
    m = _model(["outfall", "manhole", "manhole", "manhole", "pump_station", "treatment_plant"],
               [(2, 1), (3, 2), (4, 3), (5, 3), (4, 6)], supply={3: 100, 4: 50, 5: 30},
               network="drainage")
    r = m.burst(2)  # 3 → 2 blocked: 3 and 5 back up; 4 still drains to the plant
    # 4→3 and 5→3 fill up (4's water finds its other way down)
    assert r.backed_nodes == 2 and r.cut_off_pipes == 2
    assert {c.code for c in r.communities} == {"C3", "C5"} and r.households == 130
    assert r.outfall["node_id"] == 1 and r.outfall["kind"] == "outfall"
    assert [p["node_id"] for p in r.pumps] == [5] and not r.pumps[0]["downstream"]
    assert r.repair_min == repair_minutes(200, "ductile_iron", "drainage")
    assert repair_minutes(1200, "concrete", "drainage") > repair_minutes(300, "pvc", "drainage")
    # the second way: with 4 → 6 blocked nothing backs up (4 still drains through 3)
    assert m.burst(5).backed_nodes == 0
    # a blocked manhole 3: everything that drains only through it
    leak = m.leak(3)
    assert leak.node_id == 3 and leak.backed_nodes == 2 and leak.outfall["node_id"] == 1
    note = order_note(r)
    assert "上游回水范围 2 根" in note and "受影响小区 2 个" in note and "阀门" not in note


@pytest.mark.parametrize("seed", range(6))
def test_blockages_match_brute_force_on_random_networks(seed: int) -> None:
    rng = np.random.default_rng(seed)
    kinds, pipes = random_drainage(rng, int(rng.integers(30, 120)), int(rng.integers(1, 4)),
                                   int(rng.integers(0, 25)))
    m = _model(kinds, pipes, network="drainage")
    assert _check(m, range(len(pipes))) > 0


def test_water_and_gas_keep_their_valve_analysis_beside_drainage() -> None:
    # one water line and one drainage line in one model: each answers in its own way
    m = _model(["source", "valve", "junction", "outfall", "manhole", "manhole"],
               [(1, 2), (2, 3), (5, 4), (6, 5)], network="water")
    m.pipe_net[2:] = "drainage"
    m.node_net[3:] = "drainage"
    assert m.burst(2).valves and m.burst(2).network == "water"
    d = m.burst(3)
    assert d.network == "drainage" and d.backed_nodes == 2 and not d.valves


# ------------------------------------------------------------------ the demo's drainage


@pytest.fixture(scope="module")
def demo(small_dataset_master: Path):
    con = duckdb.connect()
    for t in ("network_node", "network_pipe", "network_supply", "admin_unit", "facility",
              "risk_point"):
        con.execute(f"CREATE TABLE {t} AS SELECT * FROM read_parquet(?)",
                    [str(small_dataset_master / f"{t}.parquet")])
    from cockpit.datasets.network.graph import precompute

    precompute(con)
    return con, NetworkModel(con)


def test_demo_drainage_drains_to_rivers_and_plants(demo) -> None:
    con, m = demo
    n = con.execute("SELECT count(*) FROM network_pipe WHERE network = 'drainage'").fetchone()[0]
    assert 2_000 <= n <= 10_000
    kinds = dict(con.execute("SELECT kind, count(*) FROM network_node WHERE network = 'drainage'"
                             " GROUP BY 1").fetchall())
    for k in ("manhole", "inlet", "outfall", "treatment_plant", "pump_station"):
        assert kinds.get(k, 0) > 0, k
    names = [r[0] for r in con.execute("SELECT name FROM network_node WHERE kind = 'outfall'"
                                       ).fetchall()]
    assert any(x.startswith("长江") for x in names) and any(x.startswith("嘉陵江") for x in names)
    dr = m.drainage()
    drain_nodes = np.flatnonzero(m.node_net == "drainage")
    assert dr.drains[drain_nodes].all(), "every demo drainage node reaches an outfall"
    # the communities of the drained streets are served
    assert con.execute("""SELECT count(*) FROM network_supply s JOIN network_node n
                          USING (node_id) WHERE n.network = 'drainage'""").fetchone()[0] > 100


def test_demo_blockages_match_brute_force(demo) -> None:
    con, m = demo
    rng = np.random.default_rng(3)
    drain = np.flatnonzero(m.pipe_net == "drainage")
    trunks = np.flatnonzero(np.isin(m.pipe_id, con.execute(
        "SELECT pipe_id FROM network_pipe WHERE main AND network = 'drainage'").fetchnumpy()
        ["pipe_id"]))
    # the brute force over the whole demo is slow: over the drainage part only
    sub_nodes = np.flatnonzero(m.node_net == "drainage")
    local = np.full(len(m.node_id), -1)
    local[sub_nodes] = np.arange(len(sub_nodes))
    kinds = m.kind[sub_nodes]
    a, b = local[m.a[drain]], local[m.b[drain]]
    pick = np.concatenate([rng.choice(drain, 6, replace=False), rng.choice(trunks, 4,
                                                                           replace=False)])
    seen = 0
    for p in pick:
        j = int(np.searchsorted(drain, p))
        want, want_pipes, _ = brute_force_drainage(kinds, a, b, {j})
        got = m.burst(int(m.pipe_id[p]))
        assert set(m.drainage().backed_up(np.array([p])).tolist()) == set(sub_nodes[list(want)]
                                                                          .tolist())
        assert got.cut_off_pipes == len(want_pipes)
        seen += got.population > 0
    assert seen > 0


def test_demo_blockage_at_a_point_names_people_outfall_and_repair(demo) -> None:
    con, m = demo
    trunk = con.execute("""SELECT (a.lon + b.lon) / 2, (a.lat + b.lat) / 2 FROM network_pipe p
                           JOIN network_node a ON a.node_id = p.from_node
                           JOIN network_node b ON b.node_id = p.to_node
                           WHERE p.network = 'drainage' AND p.main ORDER BY p.diameter_mm DESC
                           LIMIT 1""").fetchone()
    r = m.at_point(trunk[0] + 1e-5, trunk[1], "drainage")
    assert r is not None and r.network == "drainage" and r.distance_m < 50
    assert r.backed_nodes > 10 and r.communities and r.population > 0
    assert r.outfall is not None and r.outfall["name"]
    assert r.repair_min and r.repair_min >= 300  # a trunk: DN ≥ 600
    d = r.as_dict()
    assert d["outfall"] == r.outfall and len(d["cut_off_lines"]) == r.cut_off_pipes
