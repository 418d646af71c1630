"""Checks of the network tables that need the whole network (called by validation).

Each function reads the staged tables of :mod:`cockpit.datasets.validate` (typed columns and a
1-based ``_row``) and returns findings as :class:`Finding` s; validation turns them into
problems naming file, row and column.

- ``zero_length``: a pipe of length 0, or whose two ends are the same node;
- ``valve_off_pipe``: a valve node that no pipe touches (it could close nothing);
- ``network_island`` (warning): a connected part of a water or gas network with no source or
  tank — nothing feeds it (one finding per island, at its first node's row);
- ``drain_nowhere``: a drainage pipe from whose downstream end (``to_node``; drainage flows by
  gravity from ``from_node`` to ``to_node``) no path of drainage pipes leads to an outfall or
  treatment plant — its water has nowhere to go;
- ``drain_cycle``: a drainage pipe on a circle of drainage pipes (flow by gravity cannot run in
  a circle: one of them is laid the wrong way round or has its ends swapped).

Dangling node ids (a pipe naming a node that does not exist) are the schema's reference check
(``unknown_reference``), as for every other table.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

#: Node kinds that feed a network.
FEEDS = ("source", "tank")
#: Drainage node kinds where the flow leaves the network.
SINKS = ("outfall", "treatment_plant")
DRAINAGE = "drainage"
#: Islands listed per dataset (the rest are counted).
ISLAND_CAP = 50


@dataclass
class Finding:
    """Rows of one kind of problem in one file and column."""

    file: str
    column: str | None
    kind: str
    rows: list[tuple[int | None, str]] = field(default_factory=list)
    total: int = 0
    severity: str = "error"


def _exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [name]).fetchone()[0])


def topology(con: duckdb.DuckDBPyConnection, node_stage: str, pipe_stage: str,
             node_file: str, pipe_file: str, cap: int = 50) -> list[Finding]:
    """Zero-length pipes, valves on no pipe and unfed islands (see the module doc)."""
    out: list[Finding] = []
    cols = {r[0] for r in con.execute(f"DESCRIBE {pipe_stage}").fetchall()}
    if {"length_m", "from_node", "to_node"} <= cols:
        got = con.execute(f"""
            SELECT _row, pipe_id, length_m, from_node = to_node, count(*) OVER ()
            FROM {pipe_stage} WHERE length_m = 0 OR from_node = to_node
            ORDER BY _row LIMIT {cap}""").fetchall()
        if got:
            f = Finding(pipe_file, "length_m", "zero_length", total=got[0][-1])
            for row, pid, _length, loop, _n in got:
                why = ("starts and ends at the same node" if loop
                       else "has length 0")
                f.rows.append((row, f"pipe {pid} {why}; a pipe joins two different nodes and "
                                    "has a length in metres"))
            out.append(f)
    if not _exists(con, node_stage):
        return out
    ncols = {r[0] for r in con.execute(f"DESCRIBE {node_stage}").fetchall()}
    if not {"node_id", "kind"} <= ncols or not {"from_node", "to_node"} <= cols:
        return out
    got = con.execute(f"""
        SELECT n._row, n.node_id, count(*) OVER () FROM {node_stage} n
        WHERE n.kind = 'valve' AND n.node_id NOT IN (
            SELECT from_node FROM {pipe_stage} WHERE from_node IS NOT NULL
            UNION SELECT to_node FROM {pipe_stage} WHERE to_node IS NOT NULL)
        ORDER BY n._row LIMIT {cap}""").fetchall()
    if got:
        out.append(Finding(node_file, "node_id", "valve_off_pipe", [
            (r, f"valve {nid} lies on no pipe: no pipe has it as from_node or to_node")
            for r, nid, _ in got], got[0][-1]))
    out += islands(con, node_stage, pipe_stage, node_file)
    if "network" in cols:
        out += drainage(con, node_stage, pipe_stage, pipe_file, cap)
    return out


def _directed(con: duckdb.DuckDBPyConnection, node_stage: str, pipe_stage: str):
    """The drainage pipes as node indices: (rows, pipe ids, from, to, n nodes, sink mask);
    pipes naming an unknown node are left out (reported elsewhere)."""
    nodes = con.execute(f"""SELECT node_id, kind FROM {node_stage}
                            WHERE node_id IS NOT NULL ORDER BY node_id""").fetchnumpy()
    ids = np.asarray(nodes["node_id"], dtype=np.int64)
    kinds = np.asarray(nodes["kind"], dtype=object)
    p = con.execute(f"""SELECT _row, pipe_id, from_node, to_node FROM {pipe_stage}
                        WHERE network = '{DRAINAGE}' AND from_node IS NOT NULL
                          AND to_node IS NOT NULL ORDER BY _row""").fetchnumpy()
    a = np.asarray(p["from_node"], dtype=np.int64)
    b = np.asarray(p["to_node"], dtype=np.int64)
    if ids.size == 0:
        return None
    ia = np.searchsorted(ids, a).clip(0, len(ids) - 1)
    ib = np.searchsorted(ids, b).clip(0, len(ids) - 1)
    ok = (ids[ia] == a) & (ids[ib] == b) & (a != b)
    return (np.asarray(p["_row"])[ok], np.asarray(p["pipe_id"], dtype=np.int64)[ok], ia[ok],
            ib[ok], len(ids), np.isin(kinds, SINKS))


def drains(n: int, a: np.ndarray, b: np.ndarray, sink: np.ndarray) -> np.ndarray:
    """Bool per node: some path of pipes a→b leads from it to a sink (or it is one)."""
    from scipy.sparse.csgraph import breadth_first_order

    # reversed edges b→a from one super-vertex joined to every sink
    sinks = np.flatnonzero(sink)
    rows = np.concatenate([b, np.full(len(sinks), n)])
    cols = np.concatenate([a, sinks])
    g = coo_matrix((np.ones(len(rows), np.int8), (rows, cols)), shape=(n + 1, n + 1)).tocsr()
    got = breadth_first_order(g, n, directed=True, return_predecessors=False)
    out = np.zeros(n + 1, bool)
    out[got] = True
    return out[:n]


def drainage(con: duckdb.DuckDBPyConnection, node_stage: str, pipe_stage: str,
             pipe_file: str, cap: int = 50) -> list[Finding]:
    """Drainage pipes draining nowhere and drainage pipes on a circle (see the module doc)."""
    got = _directed(con, node_stage, pipe_stage)
    if got is None or len(got[0]) == 0:
        return []
    rows, pids, a, b, n, sink = got
    out: list[Finding] = []
    ok = drains(n, a, b, sink)
    bad = np.flatnonzero(~ok[b])
    if bad.size:
        f = Finding(pipe_file, "to_node", "drain_nowhere", total=int(bad.size))
        for i in bad[:cap]:
            f.rows.append((int(rows[i]), f"drainage pipe {pids[i]} drains nowhere: no drainage "
                                         "pipe leads on from its to_node to an outfall or "
                                         "treatment plant"))
        out.append(f)
    from scipy.sparse.csgraph import connected_components as components

    g = coo_matrix((np.ones(len(a), np.int8), (a, b)), shape=(n, n))
    _, label = components(g, directed=True, connection="strong")
    ring = np.flatnonzero(label[a] == label[b])
    if ring.size:
        f = Finding(pipe_file, "from_node", "drain_cycle", total=int(ring.size))
        for i in ring[:cap]:
            f.rows.append((int(rows[i]), f"drainage pipe {pids[i]} lies on a circle of drainage "
                                         "pipes: gravity flow cannot run in a circle (is one "
                                         "laid with from_node and to_node swapped?)"))
        out.append(f)
    return out


def islands(con: duckdb.DuckDBPyConnection, node_stage: str, pipe_stage: str,
            node_file: str) -> list[Finding]:
    """Connected parts of the water and gas networks with no source or tank (warnings; drainage
    has its own check, :func:`drainage`)."""
    ncols = {r[0] for r in con.execute(f"DESCRIBE {node_stage}").fetchall()}
    not_drain = (f"AND network IS DISTINCT FROM '{DRAINAGE}'" if "network" in ncols else "")
    nodes = con.execute(f"""SELECT node_id, kind, _row FROM {node_stage}
                            WHERE node_id IS NOT NULL {not_drain} ORDER BY _row""").fetchnumpy()
    ids = np.asarray(nodes["node_id"], dtype=np.int64)
    if ids.size == 0:
        return []
    order = np.argsort(ids, kind="stable")
    pipes = con.execute(f"""SELECT from_node, to_node FROM {pipe_stage}
                            WHERE from_node IS NOT NULL AND to_node IS NOT NULL""").fetchnumpy()
    a = np.asarray(pipes["from_node"], dtype=np.int64)
    b = np.asarray(pipes["to_node"], dtype=np.int64)
    sid = ids[order]
    ia = np.searchsorted(sid, a).clip(0, len(sid) - 1)
    ib = np.searchsorted(sid, b).clip(0, len(sid) - 1)
    ok = (sid[ia] == a) & (sid[ib] == b)  # dangling ids are reported elsewhere
    n = len(ids)
    g = coo_matrix((np.ones(int(ok.sum()), np.int8), (order[ia[ok]], order[ib[ok]])),
                   shape=(n, n))
    ncomp, label = connected_components(g, directed=False)
    fed = np.zeros(ncomp, bool)
    kinds = np.asarray(nodes["kind"], dtype=object)
    fed[label[np.isin(kinds, FEEDS)]] = True
    bad = np.flatnonzero(~fed)
    if bad.size == 0:
        return []
    size = np.bincount(label, minlength=ncomp)
    first = np.full(ncomp, n, dtype=np.int64)
    np.minimum.at(first, label, np.arange(n))
    bad = bad[np.argsort(first[bad])]
    rows = np.asarray(nodes["_row"])
    f = Finding(node_file, "node_id", "network_island", total=int(bad.size),
                severity="warning")
    for c in bad[:ISLAND_CAP]:
        i = first[c]
        f.rows.append((int(rows[i]), f"node {ids[i]} and {int(size[c]) - 1} other node(s) form "
                                     "a part of the network with no source or tank: nothing "
                                     "feeds it"))
    return [f]
