"""The duty queue (datasets/queue.py, `cockpit queue`): nothing that needs action leaves it."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from cockpit.datasets import queue, routing
from cockpit.datasets.catalog import open_catalog
from cockpit.datasets.dispatch import open_store

from cockpit.cli import main

NOW = datetime(2026, 11, 20, 12, 0, 0)
OFF = timedelta(hours=8)


def _set_closed(data: Path, closed: dict[int, datetime | None]) -> None:
    """Rewrite event.closed_at for some events (the rest keep theirs)."""
    t = pq.read_table(data / "event.parquet")
    ids = t.column("event_id").to_pylist()
    col = t.column("closed_at").to_pylist()
    for i, eid in enumerate(ids):
        if eid in closed:
            col[i] = closed[eid]
    t = t.set_column(t.schema.get_field_index("closed_at"), "closed_at",
                     pa.array(col, type=pa.timestamp("us")))
    pq.write_table(t, data / "event.parquet")


@pytest.fixture
def setup(small_dataset: Path, tmp_path: Path):
    """The small dataset with one 3-hour-old event left open and one recent event closed."""
    cat0 = open_catalog(small_dataset, tmp_path / "c0")
    con = cat0.cursor()
    old = con.execute("SELECT event_id FROM event WHERE occurred_at BETWEEN ? AND ? "
                      "ORDER BY occurred_at LIMIT 1",
                      [NOW - timedelta(hours=3, minutes=10), NOW - timedelta(hours=3)]
                      ).fetchone()[0]
    fresh = con.execute("SELECT event_id FROM event WHERE occurred_at <= ? "
                        "ORDER BY occurred_at DESC LIMIT 1", [NOW]).fetchone()[0]
    con.close()
    cat0.close()
    _set_closed(small_dataset, {old: None, fresh: NOW - timedelta(seconds=1)})
    cat = open_catalog(small_dataset, tmp_path / "cache")
    yield cat, str(old), str(fresh), small_dataset
    cat.close()


def _load(cat, store, now=NOW):
    con = cat.cursor()
    try:
        return queue.load_queue(con, store, now, utc_offset=OFF)
    finally:
        con.close()


def test_an_old_undispatched_event_stays_in_the_queue_and_is_counted(setup, tmp_path):
    cat, old, fresh, _ = setup
    q = _load(cat, None)
    ids = [r["event_id"] for r in q.queue_rows()]
    assert old in ids and fresh not in ids  # open however old; closed_at passed: not
    row = next(r for r in q.rows if r["event_id"] == old)
    assert queue.live_state(row, NOW) == "overdue"
    assert q.counts.total == len(ids) and q.counts.overdue >= 1
    assert q.counts.by_state["overdue"] == q.counts.overdue
    # two hours later it is still there (no time window), and counted
    later = _load(cat, None, NOW + timedelta(hours=2))
    assert old in [r["event_id"] for r in later.queue_rows()]


def test_default_order_is_overdue_then_level_then_deadline(setup):
    cat, *_ = setup
    q = _load(cat, None)
    keys = [(0 if queue.live_state(r, NOW) == "overdue" else 1, r["severity"], r["react_due"])
            for r in q.queue_rows()]
    assert keys == sorted(keys) and len(keys) >= 2
    assert q.rows[:len(keys)] == q.queue_rows()  # the queue first, then the recent rest


def test_dispatch_dismiss_merge_take_it_off_and_a_cancel_brings_it_back(setup, tmp_path):
    cat, old, _, _ = setup
    clock = [NOW - OFF]
    with open_store(tmp_path / "d.duckdb", clock=lambda: clock[0]) as store:
        q = _load(cat, store)
        others = [r["event_id"] for r in q.queue_rows()
                  if r["occurred_at"] > NOW - timedelta(hours=1)]  # still listed once done
        con = cat.cursor()
        plan = routing.plan_for_event(con, int(old))
        con.close()
        ids = store.create(old, "op", "c-old", plan=plan)
        assert old not in [r["event_id"] for r in _load(cat, store).queue_rows()]
        for i, oid in enumerate(ids):
            store.advance(oid, "cancel", "op", f"x{i}", note="派错部门")
        assert old in [r["event_id"] for r in _load(cat, store).queue_rows()]
        store.dispose(others[0], "dismiss", "op", "d", "误报")
        store.dispose(others[1], "merge", "op", "m", "重复", duplicate_of=others[0])
        q = _load(cat, store)
        left = [r["event_id"] for r in q.queue_rows()]
        assert others[0] not in left and others[1] not in left
        states = {r["event_id"]: r["state"] for r in q.rows}
        assert states[others[0]] == "dismissed" and states[others[1]] == "merged"
        assert store.verify() == []


def test_an_event_without_a_type_is_queued_as_unclassified(setup):
    cat, *_ = setup
    con = cat.cursor()
    try:
        names = queue.load_names(con)
        ev = queue.EventRecord("F-1", None, "hotline", NOW - timedelta(minutes=5), 106.5,
                               29.5, None, None, 3, "市民来电：路面塌陷")
        q = queue.collect(con, NOW, names, feed=[ev])
    finally:
        con.close()
    row = next(r for r in q.rows if r["event_id"] == "F-1")
    assert row["queue"] and row["state"] == queue.UNCLASSIFIED
    assert q.counts.by_state[queue.UNCLASSIFIED] == 1


def test_cli_prints_the_queue_as_the_window_orders_and_counts_it(setup, capsys, monkeypatch,
                                                                 tmp_path):
    cat, old, _, data = setup
    monkeypatch.setenv("COCKPIT_CACHE_HOME", str(tmp_path / "cli-cache"))
    q = _load(cat, None)
    assert main(["queue", "--data", str(data), "--store", "none", "--at", NOW.isoformat(),
                 "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [r["event_id"] for r in out["rows"]] == [r["event_id"] for r in q.queue_rows()]
    assert out["counts"] == q.counts.as_dict()
    first = out["rows"][0]
    assert {"event_id", "severity", "type", "district", "state", "arrived_at",
            "due_at"} <= set(first)
    assert main(["queue", "--data", str(data), "--store", "none", "--at", NOW.isoformat()]) == 0
    text = capsys.readouterr().out
    assert f"{q.counts.total} need action, {q.counts.overdue} overdue" in text
    assert old in text
    assert main(["queue", "--data", str(tmp_path / "nope")]) == 2
    assert "not a dataset directory" in capsys.readouterr().err


def test_the_demo_history_closes_most_events_in_time():
    rng = np.random.default_rng(1)
    n = 1_000_000
    occurred = np.arange(n, dtype=np.int64) * 60_000_000
    react = np.full(n, 20.0)
    closed = queue.demo_closed_at(occurred, react, rng)
    open_ = closed < 0
    in_time = (closed - occurred <= 20 * 60e6) & ~open_
    assert 0.9 < in_time.mean() < 0.99  # most within the react time, some late
    assert 0 < open_.sum() < 30  # a small old backlog never closed (1 in 120 000)


def test_an_event_whose_order_is_confirmed_counts_as_dispatched(setup, tmp_path):
    """An emergency-flow order after 核实 (state confirmed) still holds its event: the event
    is dispatched, not back in the queue."""
    cat, old, _, _ = setup
    with open_store(tmp_path / "d.duckdb", clock=lambda: NOW - OFF) as store:
        oid = store.create(old, "op", "c-em", dept_id="D-EM",
                           deadlines={"stages": ["react", "confirm", "handle", "close"],
                                      "acknowledge": 600, "confirm": 600, "handle": 600,
                                      "close": 600})[0]
        store.advance(oid, "acknowledge", "op", "a")
        store.advance(oid, "confirm", "op", "k")
        assert old not in [r["event_id"] for r in _load(cat, store).queue_rows()]
        store.advance(oid, "cancel", "op", "x", note="误报")  # a cancel brings it back
        assert old in [r["event_id"] for r in _load(cat, store).queue_rows()]
