"""Map layers never lose data silently: risk cells coarsen instead of dropping, the density
layer honours its filters and counts the live events (issue 14, items 17 and 18)."""

from __future__ import annotations

from datetime import datetime, timedelta

import duckdb
import numpy as np
import pyarrow as pa
import pytest
from cockpit.layers.base import Viewport
from cockpit.layers.density import DensityLayer
from cockpit.layers.risk_points import RiskPointLayer

T = datetime(2026, 11, 20, 12, 0)
VIEW = Viewport(106.0, 29.0, 107.0, 30.0, 9)


@pytest.fixture
def con():
    """A crowded city of minor risk points, and one major point alone in a far corner."""
    c = duckdb.connect(":memory:")
    rng = np.random.default_rng(3)
    n = 20_000
    c.register("pts", pa.table({
        "point_id": np.arange(1, n + 1), "lon": rng.uniform(106.0, 106.6, n),
        "lat": rng.uniform(29.0, 29.6, n), "level": np.full(n, 4),
        "category_id": np.where(np.arange(n) % 2 == 0, "GAS", "WATER")}))
    c.execute("CREATE TABLE risk_point AS SELECT * FROM pts")
    c.execute("INSERT INTO risk_point VALUES (999999, 106.95, 29.95, 1, 'GAS')")
    c.register("evs", pa.table({
        "event_id": np.arange(1, 501), "lon": rng.uniform(106.0, 106.2, 500),
        "lat": rng.uniform(29.0, 29.2, 500), "severity": np.tile([1, 2, 3, 4], 125),
        "type_id": np.tile(["ET-A", "ET-B"], 250),
        "occurred_at": np.array([T - timedelta(hours=int(h)) for h in rng.integers(1, 100, 500)],
                                   dtype="datetime64[us]")}))
    c.execute("CREATE TABLE event AS SELECT * FROM evs")
    yield c
    c.close()


def test_risk_cells_past_the_limit_coarsen_and_keep_every_point(con) -> None:
    data = RiskPointLayer(max_features=200, cell_pixels=4).query(con, VIEW)
    assert data["kind"] == "cells"
    assert len(data["count"]) <= 200
    assert int(np.sum(data["count"])) == 20_001  # nothing dropped
    assert data["coarser"] > 1  # and the page is told the cells are coarser than asked
    lone = np.nonzero(data["worst"] == 1)[0]
    assert len(lone) == 1 and data["count"][lone[0]] == 1
    assert abs(data["lon"][lone[0]] - 106.95) < 1e-6


def test_density_of_risk_points_follows_the_level_and_category_filters(con) -> None:
    layer = DensityLayer("risk")
    every = layer.query(con, VIEW, None)
    gas = layer.query(con, VIEW, None, {"categories": ["GAS"]})
    major = layer.query(con, VIEW, None, {"levels": [1]})
    assert int(every["count"].sum()) == 20_001
    assert int(gas["count"].sum()) == 10_001
    assert int(major["count"].sum()) == 1


def test_density_of_events_counts_live_feed_events_and_filters_them(con) -> None:
    layer = DensityLayer("events", window_days=30)
    base = int(layer.query(con, VIEW, T)["count"].sum())
    assert base == 500
    feed = {"lon": [106.5, 106.51, 120.0], "lat": [29.5, 29.5, 29.5],
            "occurred_at": [T - timedelta(minutes=5), T - timedelta(minutes=1),
                            T - timedelta(minutes=1)],
            "severity": [1, 3, 1], "type_id": ["ET-A", "ET-B", "ET-A"]}
    live = layer.query(con, VIEW, T, {"feed": feed})
    assert int(live["count"].sum()) == 502  # the one outside the view is not counted
    sev1 = layer.query(con, VIEW, T, {"feed": feed, "levels": [1]})
    assert int(sev1["count"].sum()) == 125 + 1
    typed = layer.query(con, VIEW, T, {"feed": feed, "types": ["ET-B"]})
    assert int(typed["count"].sum()) == 250 + 1


def test_density_cells_coarsen_rather_than_drop(con) -> None:
    data = DensityLayer("risk", cell_pixels=2, max_features=50).query(con, VIEW, None)
    assert len(data["count"]) <= 50
    assert int(data["count"].sum()) == 20_001
