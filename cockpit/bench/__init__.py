"""`cockpit bench`: the performance benchmarks, as JSON.

Each figure is an object ``{"median": x, "runs": [...], "unit": "s", "target": t}`` measured
over several runs on realistic data sizes (``--quick``: small sizes for CI). The datasets the
benchmarks need are generated once and cached under the user's cache directory.
Groups are filled by the issues that own them; asking for a group that has no benchmark yet
says so instead of inventing numbers.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

GROUPS_PLANNED = ("data", "map", "vitals", "evaluation", "dispatch", "replay", "seats",
                  "levels", "ingest", "network", "route")


def _bench_data(quick: bool) -> dict[str, Any]:
    from cockpit.bench.data import bench_data

    return bench_data(quick)


def _bench_map(quick: bool) -> dict[str, Any]:
    from cockpit.bench.map import bench_map

    return bench_map(quick)


def _bench_dispatch(quick: bool) -> dict[str, Any]:
    from cockpit.bench.dispatch import bench_dispatch

    return bench_dispatch(quick)


def _bench_vitals(quick: bool) -> dict[str, Any]:
    from cockpit.bench.vitals import bench_vitals

    return bench_vitals(quick)


def _bench_evaluation(quick: bool) -> dict[str, Any]:
    from cockpit.bench.evaluation import bench_evaluation

    return bench_evaluation(quick)


def _bench_replay(quick: bool) -> dict[str, Any]:
    from cockpit.bench.replay import bench_replay

    return bench_replay(quick)


def _bench_seats(quick: bool) -> dict[str, Any]:
    from cockpit.bench.seats import bench_seats

    return bench_seats(quick)


def _bench_route(quick: bool) -> dict[str, Any]:
    from cockpit.bench.route import bench_route

    return bench_route(quick)


def _bench_levels(quick: bool) -> dict[str, Any]:
    from cockpit.bench.levels import bench_levels

    return bench_levels(quick)


def _bench_ingest(quick: bool) -> dict[str, Any]:
    from cockpit.bench.ingest import bench_ingest

    return bench_ingest(quick)


def _bench_network(quick: bool) -> dict[str, Any]:
    from cockpit.bench.network import bench_network

    return bench_network(quick)


GROUPS: dict[str, Callable[[bool], dict[str, Any]]] = {
    "data": _bench_data, "map": _bench_map, "vitals": _bench_vitals,
    "evaluation": _bench_evaluation, "dispatch": _bench_dispatch, "replay": _bench_replay,
    "seats": _bench_seats, "levels": _bench_levels, "ingest": _bench_ingest,
    "network": _bench_network, "route": _bench_route}


def run_bench(only: str | None, quick: bool, json_path: Path) -> int:
    if only is not None and only not in GROUPS_PLANNED:
        print(f"cockpit bench: unknown group {only!r}; groups: {', '.join(GROUPS_PLANNED)}",
              file=sys.stderr)
        return 2
    if only is not None and only not in GROUPS:
        print(f"cockpit bench: group {only!r} has no benchmarks yet (its issue adds them)",
              file=sys.stderr)
        return 2
    chosen = [only] if only else list(GROUPS)
    report: dict[str, Any] = {
        "quick": quick,
        "machine": {"python": platform.python_version(), "platform": platform.platform(),
                    "cpus": os.cpu_count()},
        "started": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "groups": {},
    }
    for g in chosen:
        print(f"bench: {g} …", file=sys.stderr, flush=True)
        report["groups"][g] = GROUPS[g](quick)
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(report, indent=2, ensure_ascii=False), "utf-8")
    print(json.dumps(report["groups"], indent=1, ensure_ascii=False))
    return 0
