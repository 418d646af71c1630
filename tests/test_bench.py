"""`cockpit bench --quick` runs end to end and writes figures in the documented shape.

Timings are reported, never asserted: speed targets live in the bench, not in tests.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def _quick(tmp_path: Path, group: str) -> dict:
    """``cockpit bench --only GROUP --quick`` in a process of its own; the group's figures."""
    out = tmp_path / "bench.json"
    env = {**os.environ, "COCKPIT_CACHE_HOME": str(tmp_path / "cache"),
           "COCKPIT_DATA_HOME": str(tmp_path / "home")}
    r = subprocess.run([sys.executable, "-P", "-m", "cockpit", "bench", "--only", group,
                        "--quick", "--json", str(out)], capture_output=True, text=True,
                       env=env, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    return json.loads(out.read_text("utf-8"))["groups"][group]


def _target_and_met_as_documented(group: dict) -> None:
    """The README: a figure with a target has `target` and `met` (met = the median within the
    target), one without has neither; the targets are the README table's."""
    import re

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")
    for name, fig in group.items():
        if not isinstance(fig, dict) or "median" not in fig:
            continue
        assert ("target" in fig) == ("met" in fig), name
        if "target" in fig:
            assert fig["met"] == (fig["median"] <= fig["target"]), (name, fig)
            row = next((line for line in readme.splitlines()
                        if line.startswith("|") and f"`{name}`" in line), None)
            if row is not None:  # the README states this figure's target
                target = row.rstrip(" |").rsplit("|", 1)[-1]
                numbers = [float(x.replace(",", "")) for x in re.findall(r"[\d,.]+\d|\d", target)]
                assert fig["target"] in numbers, (name, fig["target"], target)


def test_quick_data_bench_writes_figures(tmp_path: Path) -> None:
    data = _quick(tmp_path, "data")
    for name in ("generate_small_s", "catalog_open_cold_s", "catalog_open_warm_s",
                 "startup_to_first_frame_s"):
        fig = data[name]
        assert fig["median"] > 0 and len(fig["runs"]) >= 3, name
        assert min(fig["runs"]) <= fig["median"] <= max(fig["runs"])
    _target_and_met_as_documented(data)


def test_quick_seats_bench_writes_figures(tmp_path: Path) -> None:
    """The `seats` group starts its own PostgreSQL server and a second seat process."""
    seats = _quick(tmp_path, "seats")
    for name in ("pg_dispatch_commit_ms_p95", "pg_advance_commit_ms_p95",
                 "seat_propagation_ms_p95"):
        fig = seats[name]
        assert fig["median"] > 0 and len(fig["runs"]) == 3 and fig["unit"] == "ms", name
        assert min(fig["runs"]) <= fig["median"] <= max(fig["runs"])
    _target_and_met_as_documented(seats)


def test_quick_network_bench_writes_figures(tmp_path: Path) -> None:
    net = _quick(tmp_path, "network")
    assert net["network_pipes"] > 1_000 and net["scale"] == "small"
    for name, unit in (("network_impact_ms_p95", "ms"), ("network_precompute_s", "s"),
                       ("network_map_ms_p95", "ms")):
        fig = net[name]
        assert fig["median"] > 0 and fig["unit"] == unit, name
        assert min(fig["runs"]) <= fig["median"] <= max(fig["runs"])
    assert net["network_impact_ms_p95"]["target"] == 200
    assert net["network_map_ms_p95"]["target"] == 60
    # the load-independent side of a refresh: the pipe payload's bytes and lines
    assert net["network_map_bytes_p95"]["median"] > 0
    assert net["network_map_lines_p95"]["median"] > 0
    for name in ("network_map_pipes_query_ms_p95", "network_map_page_ms_p95"):
        assert net[name]["unit"] == "ms" and "target" not in net[name], name
    _target_and_met_as_documented(net)
