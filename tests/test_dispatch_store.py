"""The dispatch store: rules, idempotency, the hash chain, tampering, faults and kills."""

from __future__ import annotations

import json
import random
import shutil
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from cockpit.datasets import dispatch as dmod
from cockpit.datasets.dispatch import (
    DuplicateOpenOrder,
    IdempotencyConflict,
    IllegalTransition,
    StoreLocked,
    StoreRecovered,
    StoreWriteError,
    UnknownOrder,
    open_store,
)
from cockpit.datasets.routing import Plan, PlanStep

HERE = Path(__file__).resolve().parent
WRITER = HERE / "dispatch_writer.py"

T0 = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


class FakeClock:
    def __init__(self, t: datetime = T0):
        self.t = t

    def __call__(self) -> datetime:
        return self.t

    def advance(self, **kw) -> None:
        self.t += timedelta(**kw)


def water_plan() -> Plan:
    """The 14-step water-main plan, 7 departments."""
    rows = [("GS", 5, "react"), ("CGJ", 10, "react"), ("GAJ", 15, "react"), ("GS", 20, "verify"),
            ("XF", 20, "verify"), ("CGJ", 30, "verify"), ("TXJ", 30, "handle"),
            ("JXW", 40, "handle"), ("YJJ", 45, "handle"), ("GS", 60, "handle"),
            ("GS", 240, "handle"), ("CGJ", 300, "handle"), ("GAJ", 330, "close"),
            ("CGJ", 360, "close")]
    return Plan([PlanStep(i, f"D-500103-{k}", f"step {i}", float(d), s)
                 for i, (k, d, s) in enumerate(rows, start=1)],
                plan_id="P-WATER-MAIN-BURST", targets={"react": 5, "verify": 30, "handle": 240})


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(params=["duckdb", "postgresql"])
def location(request, tmp_path: Path):
    """Where a store is: a DuckDB file, or a new database on the session's PostgreSQL server
    (the behaviour tests run on both backends)."""
    if request.param == "duckdb":
        return tmp_path / "d.duckdb"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def store(location, clock: FakeClock):
    s = open_store(location, clock=clock, seat="seat-1", source="test")
    yield s
    s.close()


@pytest.fixture
def duck_store(tmp_path: Path, clock: FakeClock):
    """A DuckDB store, for the tests of what only the DuckDB backend does."""
    s = open_store(tmp_path / "d.duckdb", clock=clock, seat="seat-1", source="test")
    yield s
    s.close()


def _run_to(store, oid: str, actions, prefix: str = "k") -> None:
    for a in actions:
        store.advance(oid, a, "op", f"{prefix}-{oid}-{a}", note="why" if a == "cancel" else "")


# ------------------------------------------------------------------ create, rules, idempotency


def test_create_writes_one_order_per_department_in_one_request(store, clock) -> None:
    plan = water_plan()
    ids = store.create(4711, "alice", "req-1", plan)
    assert len(ids) == 7 and len(set(ids)) == 7
    assert ids[0] == "4711/D-500103-GS/1"
    log = store.log()
    assert list(log["seq"]) == list(range(1, 8))
    assert set(log["action"]) == {"create"} and set(log["idempotency_key"]) == {"req-1"}
    assert list(log["part"]) == list(range(7))
    assert set(log["seat"]) == {"seat-1"} and set(log["source"]) == {"test"}
    gs = json.loads(log.loc[0, "deadlines"])
    assert gs == {"acknowledge": 5.0, "handle": 240.0, "verify": 240.0, "close": 360.0}
    assert [s["step_no"] for s in json.loads(log.loc[0, "steps"])] == [1, 4, 10, 11]
    o = store.orders()
    assert list(o["order_id"]) == ids and set(o["state"]) == {"created"}
    assert (o["acknowledge_due"] - o["created_at"]).iloc[0] == timedelta(minutes=5)
    assert store.verify() == []


def test_repeated_create_key_returns_first_result_and_writes_nothing(store) -> None:
    ids = store.create(1, "alice", "req-1", water_plan())
    n = len(store.log())
    assert store.create(1, "alice", "req-1", water_plan()) == ids
    assert store.create(1, "bob", "req-1") == ids  # a retry needs no plan
    assert len(store.log()) == n
    with pytest.raises(IdempotencyConflict, match="req-1"):
        store.create(2, "alice", "req-1", water_plan())
    assert len(store.log()) == n


def test_repeated_advance_key_returns_first_result(store, clock) -> None:
    oid = store.create(1, "alice", "c1", dept_id="D-1")[0]
    r1 = store.advance(oid, "acknowledge", "bob", "a1", note="on my way")
    clock.advance(minutes=1)
    r2 = store.advance(oid, "acknowledge", "bob", "a1", note="on my way")
    assert r2.repeated and not r1.repeated
    assert (r2.seq, r2.at_utc, r2.state) == (r1.seq, r1.at_utc, "acknowledged")
    n = len(store.log())
    # the same key for another action, even a legal one, is refused and writes nothing
    with pytest.raises(IdempotencyConflict, match="a1"):
        store.advance(oid, "handle", "bob", "a1")
    with pytest.raises(IdempotencyConflict):
        store.advance(oid, "acknowledge", "bob", "c1")  # the create's key
    assert len(store.log()) == n
    # after a restart the retry still answers the first result
    where = store.location
    store.close()
    with open_store(where) as again:
        r3 = again.advance(oid, "acknowledge", "bob", "a1")
        assert r3.repeated and r3.seq == r1.seq
        assert len(again.log()) == n


def test_full_loop_and_states(store) -> None:
    oid = store.create(1, "alice", "c1", dept_id="D-1")[0]
    seen = []
    for a in ("acknowledge", "handle", "verify", "close", "evaluate"):
        seen.append(store.advance(oid, a, "op", f"k-{a}", outcome="满意" if a == "evaluate"
                                  else "ok").state)
    assert seen == ["acknowledged", "handled", "verified", "closed", "evaluated"]
    h = store.history(oid)
    assert list(h["action"]) == ["create", "acknowledge", "handle", "verify", "close", "evaluate"]
    assert h["outcome"].iloc[-1] == "满意"
    assert store.orders()["state"].iloc[0] == "evaluated"
    assert store.verify() == []


ORDER = ["acknowledge", "handle", "verify", "close", "evaluate"]
REACH = {"created": [], "acknowledged": ORDER[:1], "handled": ORDER[:2], "verified": ORDER[:3],
         "closed": ORDER[:4], "evaluated": ORDER[:5], "cancelled": ["cancel"]}


#: The rules as the README states them, written out by hand (not read from the code, so that a
#: changed rule in the code fails here): the next allowed actions of each state.
DOCUMENTED_NEXT = {"created": {"acknowledge", "cancel"}, "acknowledged": {"handle", "cancel"},
                   "handled": {"verify", "cancel", "rework"},
                   "verified": {"close", "cancel", "rework"},
                   "closed": {"evaluate"}, "evaluated": set(), "cancelled": set()}
ALL_ACTIONS = ("acknowledge", "confirm", "handle", "verify", "close", "evaluate", "cancel",
               "rework")


@pytest.mark.parametrize("state", sorted(REACH))
def test_every_illegal_transition_is_refused_with_a_clear_message(location, state) -> None:
    with open_store(location) as s:
        oid = s.create(1, "alice", "c1", dept_id="D-1")[0]
        _run_to(s, oid, REACH[state])
        assert s.state(oid) == state
        for a in ALL_ACTIONS:
            if a in DOCUMENTED_NEXT[state]:
                continue
            n = len(s.log())
            with pytest.raises(IllegalTransition) as e:
                s.advance(oid, a, "op", f"bad-{a}", note="why")
            msg = str(e.value)
            assert oid in msg and state in msg and f"'{a}'" in msg
            assert set(e.value.allowed) == DOCUMENTED_NEXT[state]
            for allowed in DOCUMENTED_NEXT[state]:
                assert allowed in msg
            if not DOCUMENTED_NEXT[state]:
                assert "none" in msg
            assert len(s.log()) == n
        assert s.verify() == []


@pytest.mark.parametrize("state", sorted(REACH))
def test_every_documented_transition_is_allowed(tmp_path, state) -> None:
    """Each allowed next action of each state goes through (on a fresh order each)."""
    with open_store(tmp_path / "d.duckdb") as s:
        for i, a in enumerate(sorted(DOCUMENTED_NEXT[state])):
            oid = s.create(100 + i, "alice", f"c{i}", dept_id="D-1")[0]
            _run_to(s, oid, REACH[state], prefix=f"r{i}-")
            s.advance(oid, a, "op", f"ok-{i}",
                      note="why" if a in ("cancel", "rework") else "")
            back = {"handled": "acknowledged", "verified": "handled"}.get(state)
            assert s.state(oid) == {"acknowledge": "acknowledged", "handle": "handled",
                                    "verify": "verified", "close": "closed",
                                    "evaluate": "evaluated", "cancel": "cancelled",
                                    "rework": back}[a]
        assert s.verify() == []


def test_the_audit_flags_a_row_that_skips_a_step() -> None:
    """A log whose rows go acknowledged → close (a rewritten, re-hashed log) breaks the rules
    the audit replays; the documented path does not."""
    from cockpit.datasets.dispatch import ledger

    def replay(actions):
        state, creates, problems = {}, {}, []
        for seq, action in enumerate(actions, 1):
            problems += ledger.check_rule({"order_id": "O", "action": action, "seq": seq},
                                          state, creates)
        return problems

    assert replay(["create", "acknowledge", "handle", "verify", "close", "evaluate"]) == []
    assert replay(["create", "acknowledge", "close"])
    assert replay(["create", "close"])
    assert replay(["create", "cancel", "acknowledge"])
    # a second create of the same order names the row of the first
    assert replay(["create", "acknowledge", "create"]) == [
        "row seq 3: order O created a second time (first at seq 1)"]


def test_unknown_order_and_unknown_action(store) -> None:
    with pytest.raises(UnknownOrder, match="no order X/Y/1") as e:
        store.advance("X/Y/1", "acknowledge", "op", "k")
    assert e.value.action == "acknowledge" and "'acknowledge' is not allowed" in str(e.value)
    oid = store.create(1, "alice", "c1", dept_id="D-1")[0]
    with pytest.raises(ValueError, match="unknown action"):
        store.advance(oid, "create", "op", "k2")
    with pytest.raises(ValueError):
        store.advance(oid, "acknowledge", "", "k3")
    with pytest.raises(ValueError, match="plan"):
        store.create(2, "alice", "c2")


def test_one_open_order_per_event_and_department(store) -> None:
    ids = store.create(9, "seat A", "a", water_plan())
    n = len(store.log())
    with pytest.raises(DuplicateOpenOrder) as e:
        store.create(9, "seat B", "b", [PlanStep(1, "D-500103-GS", "x", 5, "react"),
                                        PlanStep(2, "D-500103-NEW", "y", 5, "react")])
    assert e.value.open_orders == {"D-500103-GS": ids[0]}
    assert "already dispatched" in str(e.value) and ids[0] in str(e.value)
    assert len(store.log()) == n  # nothing written, not even for D-500103-NEW
    # once closed (or cancelled) the department can get a new order for the event
    _run_to(store, ids[0], ["acknowledge", "handle", "verify", "close"])
    store.advance(ids[1], "cancel", "op", "cancel-1", note="重复派遣")
    again = store.create(9, "seat B", "c", [PlanStep(1, "D-500103-GS", "x", 5, "react"),
                                            PlanStep(2, "D-500103-CGJ", "y", 5, "react")])
    assert again == ["9/D-500103-GS/2", "9/D-500103-CGJ/2"]
    assert store.open_order(9, "D-500103-GS") == again[0]
    assert store.verify() == []


def test_database_refuses_a_second_create_of_the_same_order(duck_store) -> None:
    """Even past the store's own check (two writers racing) the UNIQUE constraint holds."""
    store = duck_store
    store.create(5, "a", "k1", dept_id="D-1")
    store._open_by_slot.clear()  # simulate a writer that has not seen the first create
    store._generation.clear()
    with pytest.raises(DuplicateOpenOrder):
        store.create(5, "b", "k2", dept_id="D-1")
    assert len(store.log()) == 1


def test_deadlines_and_overdue(store, clock) -> None:
    ids = store.create(1, "alice", "c1", water_plan())
    gs = ids[0]  # acknowledge 5, handle 240, verify 240, close 360
    o = store.orders(as_of=T0 + timedelta(minutes=4))
    assert not o["overdue"].any()
    o = store.orders(as_of=T0 + timedelta(minutes=6)).set_index("order_id")
    assert o.loc[gs, "overdue"] and o.loc[gs, "overdue_action"] == "acknowledge"
    assert o.loc[gs, "overdue_min"] == pytest.approx(1.0)
    clock.advance(minutes=7)
    store.advance(gs, "acknowledge", "op", "a")
    o = store.orders(as_of=T0 + timedelta(minutes=8)).set_index("order_id")
    assert not o.loc[gs, "overdue"]
    assert o.loc[gs, "late_actions"] == "acknowledge"
    assert o.loc[gs, "next_due"] == (T0 + timedelta(minutes=240)).replace(tzinfo=None)
    o = store.orders(as_of=T0 + timedelta(minutes=241)).set_index("order_id")
    assert o.loc[gs, "overdue_action"] == "handle"
    # as_of before an action: the order is shown as it was then
    o = store.orders(as_of=T0 + timedelta(minutes=6)).set_index("order_id")
    assert o.loc[gs, "state"] == "created"
    # finished orders are never overdue
    clock.advance(minutes=1)
    store.advance(ids[1], "cancel", "op", "x", note="重复派遣")
    o = store.orders(as_of=T0 + timedelta(days=3)).set_index("order_id")
    assert not o.loc[ids[1], "overdue"] and o.loc[ids[1], "state"] == "cancelled"
    assert o.loc[ids[2], "overdue"]
    # before the event was dispatched there is nothing
    assert store.orders(as_of=T0 - timedelta(seconds=1)).empty


def test_routing_callable_supplies_the_plan(location) -> None:
    asked = []

    def routing(event_id):
        asked.append(event_id)
        return water_plan()

    with open_store(location, routing=routing) as s:
        ids = s.create(77, "alice", "k")
        assert asked == ["77"] and len(ids) == 7
        assert s.orders()["plan_id"].iloc[0] == "P-WATER-MAIN-BURST"


# ------------------------------------------------------------------ chain and tampering


def _tamper(path: Path, *sql: str) -> None:
    con = duckdb.connect(str(path))
    for q in sql:
        con.execute(q)
    con.close()


@pytest.fixture
def filled(tmp_path: Path):
    """A closed store with 3 events × 7 orders and some actions (seq 1 … 29)."""
    path = tmp_path / "d.duckdb"
    with open_store(path) as s:
        for e in range(3):
            ids = s.create(e, "alice", f"c{e}", water_plan())
            _run_to(s, ids[0], ["acknowledge", "handle"], prefix=f"e{e}")
            assert s.verify() == []
        assert len(s.log()) == 27
    return path


def _problems(path: Path) -> list[str]:
    with open_store(path) as s:
        return s.verify()


def test_clean_store_verifies(filled) -> None:
    assert _problems(filled) == []
    with open_store(filled, read_only=True) as s:
        assert s.verify() == []


def test_edited_row_is_detected(filled) -> None:
    _tamper(filled, "UPDATE dispatch_log SET operator = 'mallory' WHERE seq = 12")
    p = _problems(filled)
    assert any("seq 12 edited" in x for x in p), p


def test_deleted_row_is_detected(filled) -> None:
    _tamper(filled, "DELETE FROM dispatch_log WHERE seq = 10")
    p = _problems(filled)
    assert any("rows missing: seq 10 deleted" in x for x in p), p
    assert any("seq 11: chain broken" in x for x in p), p


def test_reordered_rows_are_detected(filled) -> None:
    _tamper(filled, "UPDATE dispatch_log SET seq = -1 WHERE seq = 15",
            "UPDATE dispatch_log SET seq = 15 WHERE seq = 16",
            "UPDATE dispatch_log SET seq = 16 WHERE seq = -1")
    p = _problems(filled)
    assert any("seq 15 edited" in x for x in p) and any("seq 16 edited" in x for x in p), p
    assert any("chain broken" in x for x in p), p


def test_reordered_rows_with_rehashed_chain_break_the_rules_or_head(filled) -> None:
    """Swap two actions of one order and re-sign the whole chain: the head and rules see it."""
    con = duckdb.connect(str(filled))
    rows = [dict(zip(dmod.COLUMNS, r)) for r in con.execute(
        f"SELECT {', '.join(dmod.COLUMNS)} FROM dispatch_log ORDER BY seq").fetchall()]
    a, b = 7, 8  # acknowledge and handle of event 0's first order (seq 8 and 9)
    rows[a]["action"], rows[b]["action"] = rows[b]["action"], rows[a]["action"]
    prev = dmod.GENESIS
    for r in rows:
        r["prev_hash"] = prev
        r["hash"] = dmod.row_hash(r)
        prev = r["hash"]
    con.execute("DELETE FROM dispatch_log")
    con.executemany("INSERT INTO dispatch_log VALUES (" + ",".join("?" * len(dmod.COLUMNS)) + ")",
                    [[r[c] for c in dmod.COLUMNS] for r in rows])
    con.close()
    p = _problems(filled)
    assert any("breaks the rules" in x for x in p), p
    assert any("chain rewritten" in x or "did not match the log" in x for x in p), p


def test_deleting_the_newest_rows_is_detected_by_the_head(filled) -> None:
    _tamper(filled, "DELETE FROM dispatch_log WHERE seq >= 26")
    with open_store(filled) as s:
        assert any("head file kept as" in x for x in s.incidents)
        p = s.verify()
        assert any("did not match the log" in x for x in p), p
        # new writes do not wash the evidence away
        s.create(99, "alice", "late", dept_id="D-1")
        assert any("did not match the log" in x for x in s.verify())
    with open_store(filled, read_only=True) as s:
        assert any("did not match the log" in x for x in s.verify())


def test_deletion_seen_by_a_read_only_audit(filled) -> None:
    _tamper(filled, "DELETE FROM dispatch_log WHERE seq >= 26")
    with open_store(filled, read_only=True) as s:
        p = s.verify()
    assert any("rows deleted at the end: the head file records seq 27 but the log ends at "
               "seq 25" in x for x in p), p


def test_rewritten_chain_is_detected_by_the_head(filled) -> None:
    con = duckdb.connect(str(filled))
    rows = [dict(zip(dmod.COLUMNS, r)) for r in con.execute(
        f"SELECT {', '.join(dmod.COLUMNS)} FROM dispatch_log ORDER BY seq").fetchall()]
    rows[3]["operator"] = "mallory"
    prev = dmod.GENESIS
    for r in rows:
        r["prev_hash"] = prev
        r["hash"] = dmod.row_hash(r)
        prev = r["hash"]
    con.execute("DELETE FROM dispatch_log")
    con.executemany("INSERT INTO dispatch_log VALUES (" + ",".join("?" * len(dmod.COLUMNS)) + ")",
                    [[r[c] for c in dmod.COLUMNS] for r in rows])
    con.close()
    with open_store(filled, read_only=True) as s:
        p = s.verify()
    assert p == ["chain rewritten: row seq 27 does not have the hash the head file recorded "
                 "for it"], p


def test_edited_or_missing_head_file_is_reported(filled) -> None:
    head = filled.with_name(filled.name + ".head")
    data = json.loads(head.read_text())
    data["seq"] = 5
    head.write_text(json.dumps(data))
    with open_store(filled, read_only=True) as s:
        assert any("bad signature" in x for x in s.verify())
    head.unlink()
    with open_store(filled, read_only=True) as s:
        assert any("head file" in x and "missing" in x for x in s.verify())
    with open_store(filled, read_only=True, key=b"another key") as s:
        assert any("missing" in x for x in s.verify())


def test_head_behind_the_log_is_accepted(filled, tmp_path) -> None:
    """A crash between the commit and the head write leaves the head behind: not a problem."""
    head = filled.with_name(filled.name + ".head")
    old = head.read_bytes()
    with open_store(filled) as s:
        s.create(50, "alice", "more", dept_id="D-1")
    head.write_bytes(old)
    with open_store(filled, read_only=True) as s:
        assert s.verify() == []


def test_key_file_is_private(filled) -> None:
    key = filled.with_name(filled.name + ".key")
    assert key.stat().st_mode & 0o777 == 0o600


# ------------------------------------------------------------------ faults


def test_locked_store_names_the_holder_and_points_to_postgresql(tmp_path, hold_store) -> None:
    path = tmp_path / "d.duckdb"
    open_store(path).close()
    with hold_store(path) as holder:
        for ro in (False, True):
            with pytest.raises(StoreLocked) as e:
                open_store(path, read_only=ro)
            msg = str(e.value)
            assert e.value.pid == holder.pid
            assert f"PID {holder.pid}" in msg and "python" in msg.lower()
            assert "PostgreSQL" in msg and "without dispatching" in msg
            assert str(path) in msg
    with open_store(path) as s:  # free again
        assert s.verify() == []


def test_read_only_store_refuses_writes_cleanly(filled) -> None:
    with open_store(filled, read_only=True) as s:
        n = len(s.log())
        with pytest.raises(StoreWriteError, match="read-only"):
            s.create(100, "alice", "k", dept_id="D-1")
        with pytest.raises(StoreWriteError, match="read-only"):
            s.advance("0/D-500103-CGJ/1", "acknowledge", "alice", "k2")
        assert len(s.log()) == n
        assert len(s.orders()) == 21


DISK_FULL = """
import resource, signal, sys, os
from cockpit.datasets.dispatch import open_store, StoreWriteError
sys.path.insert(0, {tests!r})
from test_dispatch_store import water_plan
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
path = {path!r}
s = open_store(path)
s.create(1, "alice", "first", water_plan())
wal = path + ".wal"
resource.setrlimit(resource.RLIMIT_FSIZE, (os.path.getsize(wal) + 200, resource.RLIM_INFINITY))
try:
    s.create(2, "alice", "big", water_plan())
    print("no error")
except StoreWriteError as e:
    print("refused:", e)
try:
    s.advance(s.open_order(1, "D-500103-GS"), "acknowledge", "alice", "ack")
    print("no error")
except StoreWriteError as e:
    print("refused:", e)
resource.setrlimit(resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
print("after:", s.create(2, "alice", "big", water_plan())[0])
print("incidents:", len(s.incidents))
s.close()
"""


def test_disk_full_gives_a_clear_error_and_no_partial_record(tmp_path) -> None:
    path = tmp_path / "d.duckdb"
    code = DISK_FULL.format(tests=str(HERE), path=str(path))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    refused = [x for x in lines if x.startswith("refused:")]
    assert len(refused) == 2, out.stdout
    assert all("the disk is full" in x and "Nothing was recorded" in x for x in refused)
    assert "after: 2/D-500103-GS/1" in lines
    with open_store(path) as s:
        log = s.log()
        assert (log["idempotency_key"] == "big").sum() == 7  # all seven, once
        assert (log["idempotency_key"] == "ack").sum() == 0
        assert s.verify() == []


def test_invalidated_connection_is_reopened_and_the_write_retried(duck_store,
                                                                  monkeypatch) -> None:
    store = duck_store
    real = dmod.DispatchStore._insert
    calls = {"n": 0}

    def failing_once(self, rows):
        calls["n"] += 1
        if calls["n"] == 1:
            raise duckdb.FatalException("FATAL Error: database has been invalidated")
        return real(self, rows)

    monkeypatch.setattr(dmod.DispatchStore, "_insert", failing_once)
    ids = store.create(1, "alice", "k1", water_plan())
    assert len(ids) == 7 and calls["n"] == 2
    assert any("reopened" in x for x in store.incidents)
    assert store.verify() == []


def test_commit_that_landed_although_the_call_failed(duck_store, monkeypatch) -> None:
    store = duck_store
    real = dmod.DispatchStore._insert

    def lands_then_fails(self, rows):
        real(self, rows)
        raise duckdb.FatalException("FATAL Error: database has been invalidated")

    oid = store.create(1, "alice", "k1", dept_id="D-1")[0]
    monkeypatch.setattr(dmod.DispatchStore, "_insert", lands_then_fails)
    r = store.advance(oid, "acknowledge", "bob", "k2")
    assert r.state == "acknowledged" and r.repeated
    monkeypatch.setattr(dmod.DispatchStore, "_insert", real)
    assert list(store.history(oid)["action"]) == ["create", "acknowledge"]
    assert store.advance(oid, "handle", "bob", "k3").seq == 3
    assert store.verify() == []


def test_unreplayable_wal_is_set_aside_and_reported(filled, tmp_path) -> None:
    # a store whose newest commits live only in its WAL: copy it while it is open
    with open_store(filled) as s:
        for i in range(5):
            s.create(200 + i, "alice", f"w{i}", dept_id="D-1")
        s._head.flush()
        copy = tmp_path / "copy"
        copy.mkdir()
        for suffix in ("", ".wal", ".head", ".key"):
            shutil.copy2(str(filled) + suffix, copy / (filled.name + suffix))
    path = copy / filled.name
    wal = Path(str(path) + ".wal")
    data = bytearray(wal.read_bytes())
    for k in range(len(data) // 3, len(data) // 3 + 40):
        data[k] ^= 0xFF
    wal.write_bytes(bytes(data))
    with pytest.warns(StoreRecovered, match="unreplayable"):
        s = open_store(path)
    try:
        assert isinstance(s.recovered, StoreRecovered)
        kept = list(copy.glob(filled.name + ".wal.unreplayable-*"))
        assert len(kept) == 1 and kept[0].read_bytes() == bytes(data)
        p = s.verify()
        assert any("could not be replayed" in x for x in p), p
        assert any("did not match the log" in x for x in p), p
        assert s.create(300, "alice", "after", dept_id="D-1")  # the store works on
    finally:
        s.close()


def test_wal_silently_skipped_by_duckdb_is_caught_by_the_head(filled, tmp_path) -> None:
    with open_store(filled) as s:
        for i in range(5):
            s.create(200 + i, "alice", f"w{i}", dept_id="D-1")
        s._head.flush()
        copy = tmp_path / "copy"
        copy.mkdir()
        for suffix in ("", ".wal", ".head", ".key"):
            shutil.copy2(str(filled) + suffix, copy / (filled.name + suffix))
    path = copy / filled.name
    wal = Path(str(path) + ".wal")
    data = bytearray(wal.read_bytes())
    for k in range(16):  # a damaged WAL header: DuckDB skips the whole WAL without a word
        data[k] ^= 0xFF
    wal.write_bytes(bytes(data))
    with pytest.warns(StoreRecovered):
        s = open_store(path)
    try:
        assert s.recovered is not None and "head file records seq" in str(s.recovered)
        assert list(copy.glob(filled.name + ".wal.unreplayable-*"))
    finally:
        s.close()


# ------------------------------------------------------------------ kill test


def test_sigkill_at_random_moments_loses_nothing_told_and_duplicates_nothing(tmp_path) -> None:
    sys.path.insert(0, str(HERE))
    import dispatch_writer as w

    path = tmp_path / "kill.duckdb"
    rng = random.Random(20261120)
    told_creates: dict[str, list[str]] = {}
    told_acks: dict[str, str] = {}
    t_start = time.monotonic()
    trials = 15
    for trial in range(trials):
        start = trial * 100_000
        proc = subprocess.Popen([sys.executable, str(WRITER), str(path), str(start)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if trial % 4 == 0:  # a few kills land while the store is still opening (its WAL)
            time.sleep(rng.uniform(0.2, 0.6))
        else:  # the rest while it writes: timed from its "ready", whatever its start-up took
            assert proc.stdout is not None
            assert proc.stdout.readline().strip() == "ready", proc.stderr
            time.sleep(rng.uniform(0.2, 1.0))
        proc.send_signal(signal.SIGKILL)
        out, err = proc.communicate(timeout=30)
        assert proc.returncode == -signal.SIGKILL, err
        last = start - 1
        for line in out.splitlines():
            parts = line.split()
            if parts and parts[0] == "committed":
                told_creates[parts[1]] = parts[2].split(",")
                last = int(parts[1].split("-")[1])
            elif parts and parts[0] == "advanced":
                told_acks[parts[1]] = parts[2]
        with open_store(path) as s:
            log = s.log()
            counts = log.groupby("idempotency_key").size()
            for key, ids in told_creates.items():
                rows = log[log["idempotency_key"] == key]
                assert list(rows["order_id"]) == ids, key  # present, exactly once
                assert counts[key] == 3
            for key, oid in told_acks.items():
                rows = log[log["idempotency_key"] == key]
                assert list(rows["order_id"]) == [oid] and list(rows["action"]) == [
                    "acknowledge"]
            assert not log.duplicated(["order_id", "action"]).any()
            assert not log[log["action"] == "create"].duplicated(["event_id", "dept_id"]).any()
            assert s.verify() == [], s.verify()
            # the request the writer was in when it died: retrying it is safe
            i = last + 1
            ids = s.create(w.writer_event(i), "writer", w.writer_key(i), w.PLAN)
            assert ids == [f"E{i}/D-500103-GS/1", f"E{i}/D-500103-CGJ/1",
                           f"E{i}/D-500103-GAJ/1"]
            assert (s.log()["idempotency_key"] == w.writer_key(i)).sum() == 3
            told_creates[w.writer_key(i)] = ids
            assert s.verify() == []
    assert len(told_creates) > trials  # the writer did get work done between kills
    # ~25 s on a quiet machine; the bound only catches a writer or a reopen gone slow
    assert time.monotonic() - t_start < 300


# ------------------------------------------------------------------ cockpit audit verify


def _audit(store: Path | None, key_file: Path | None = None, data: Path | None = None,
           config: Path | None = None) -> int:
    import argparse

    from cockpit.cli.audit import cmd_audit_verify

    return cmd_audit_verify(argparse.Namespace(store=store, key_file=key_file, data=data,
                                               config=config))


def _copy_store(src: Path, dst: Path) -> Path:
    dst.parent.mkdir(parents=True, exist_ok=True)
    for ext in ("", ".key", ".head"):
        shutil.copy(src.with_name(src.name + ext), dst.with_name(dst.name + ext))
    return dst


def test_audit_verify_exit_codes(filled, tmp_path, monkeypatch, capsys) -> None:
    from cockpit.controllers.store import default_store_path

    assert _audit(filled) == 0
    assert f"{filled}: OK" in capsys.readouterr().out
    # the default store: the default dataset's own store in the data directory
    monkeypatch.setenv("COCKPIT_DATA_HOME", str(tmp_path / "home"))
    default = _copy_store(filled, default_store_path())
    assert default.parent.parent == tmp_path / "home" / "stores"
    assert _audit(None) == 0
    assert f"{default}: OK" in capsys.readouterr().out
    _tamper(filled, "UPDATE dispatch_log SET note = 'rewritten' WHERE seq = 7")
    assert _audit(filled) == 1
    out = capsys.readouterr().out
    assert "PROBLEM row seq 7 edited" in out and "problem(s)" in out
    assert _audit(tmp_path / "nowhere.duckdb") == 2
    assert "no dispatch store" in capsys.readouterr().err
    bad_key = tmp_path / "other.key"
    bad_key.write_text("not the key")
    assert _audit(default, key_file=bad_key) == 1
    assert "bad signature" in capsys.readouterr().out


def test_audit_verify_checks_the_configured_store_and_never_another(filled, tmp_path,
                                                                   monkeypatch, capsys) -> None:
    """Without STORE: the config file's store, else the store of --data, else of the config's
    data; a configured store that is not there is exit 2 — never an OK about the default."""
    from cockpit.controllers.store import default_store_path, legacy_store_path

    monkeypatch.setenv("COCKPIT_DATA_HOME", str(tmp_path / "home"))
    _copy_store(filled, default_store_path())  # a clean default store that must not answer
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'store = "{filled}"\n', "utf-8")
    assert _audit(None, config=cfg) == 0
    assert f"{filled}: OK" in capsys.readouterr().out
    _tamper(filled, "UPDATE dispatch_log SET note = 'rewritten' WHERE seq = 7")
    assert _audit(None, config=cfg) == 1
    missing = tmp_path / "elsewhere.duckdb"
    cfg.write_text(f'store = "{missing}"\n', "utf-8")
    assert _audit(None, config=cfg) == 2
    captured = capsys.readouterr()
    assert f"no dispatch store at {missing}" in captured.err and "OK" not in captured.out
    # a dataset's store: --data, else the config's data
    ds = tmp_path / "some-dataset"
    ds.mkdir()
    assert _audit(None, data=ds) == 2
    assert str(default_store_path(ds)) in capsys.readouterr().err
    _copy_store(default_store_path(), default_store_path(ds))
    cfg.write_text(f'data = "{ds}"\n', "utf-8")
    assert _audit(None, config=cfg) == 0
    assert f"{default_store_path(ds)}: OK" in capsys.readouterr().out
    # the old shared store is named when a dataset has no store yet
    _copy_store(default_store_path(), legacy_store_path())
    assert _audit(None, data=tmp_path) == 2
    assert str(legacy_store_path()) in capsys.readouterr().err
    # a config file named but missing: exit 5
    assert _audit(None, config=tmp_path / "nope.toml") == 5


def test_audit_verify_of_a_held_store_says_who_holds_it(tmp_path, capsys,
                                                     hold_store) -> None:
    path = tmp_path / "d.duckdb"
    open_store(path).close()
    with hold_store(path) as holder:
        assert _audit(path) == 2
        assert f"PID {holder.pid}" in capsys.readouterr().err


# ------------------------------------------------------------------ events off the queue


def test_dismiss_and_merge_are_logged_once_with_a_reason(location) -> None:
    from cockpit.datasets.dispatch import EventNotOpen

    with open_store(location) as s:
        with pytest.raises(ValueError, match="reason"):
            s.dispose("11", "dismiss", "op", "d0", "  ")
        with pytest.raises(ValueError, match="other event"):
            s.dispose("12", "merge", "op", "m0", "重复", duplicate_of="12")
        assert s.log().empty  # nothing written by refusals
        r = s.dispose("11", "dismiss", "op", "d1", "误报：设备自检")
        assert r.state == "dismissed" and not r.repeated
        assert s.dispose("11", "dismiss", "op", "d1", "误报：设备自检").repeated  # same key
        m = s.dispose(12, "merge", "op", "m1", "同一井盖", duplicate_of="11")
        assert m.state == "merged"
        with pytest.raises(EventNotOpen):  # once per event
            s.dispose("11", "merge", "op", "d2", "again", duplicate_of="12")
        oid = s.create(13, "op", "c13", dept_id="D-1")[0]
        with pytest.raises(EventNotOpen, match="open orders"):  # dispatched: not in the queue
            s.dispose("13", "dismiss", "op", "d3", "no")
        d = s.dispositions()
        assert list(d["event_id"]) == ["11", "12"] and list(d["action"]) == ["dismiss", "merge"]
        assert list(d["note"]) == ["误报：设备自检", "同一井盖"]
        assert d["outcome"].iloc[1] == "duplicate_of:11"
        assert list(s.orders()["order_id"]) == [oid]  # the order view leaves them out
        assert s.verify() == []


def test_event_actions_share_one_path_and_the_chain(location) -> None:
    """Dismiss, merge and the router's corrections are one kind of row (about an event, not an
    order): one code path, one chain, the same key rules; a correction may repeat and never
    takes the event off the queue, a disposal happens once."""
    from cockpit.datasets.dispatch import EVENT_ACTIONS, EventNotOpen, IdempotencyConflict
    from cockpit.datasets.dispatch.ledger import check_rule

    assert set(EVENT_ACTIONS) == {"dismiss", "merge", "correct"}
    with open_store(location) as s:
        first = s.correct(11, "op", "k1", from_type="ET-A", to_type="ET-B", text="井盖")
        assert s.correct(11, "op", "k1", from_type="ET-A", to_type="ET-B") == first
        s.correct(11, "op", "k2", from_type="ET-B", to_type="ET-C", text="井盖")  # again
        assert s.dispositions().empty  # a correction disposes of nothing
        r = s.dispose("11", "dismiss", "op", "d1", "误报")
        assert r.order_id == "11/~event/1" and r.state == "dismissed"
        with pytest.raises(IdempotencyConflict):  # a key belongs to one request
            s.correct(11, "op", "d1", from_type="ET-C", to_type="ET-A")
        with pytest.raises(ValueError, match="disposal"):
            s.dispose("11", "correct", "op", "x1", "不是处置")
        s.correct(11, "op", "k3", from_type="ET-C", to_type="ET-A")  # after it: still fine
        log = s.log()
        ev = log[log["event_id"] == "11"]
        assert list(ev["action"]) == ["correct", "correct", "dismiss", "correct"]
        assert set(ev["dept_id"]) == {"~event"}
        assert set(ev.loc[ev["action"] == "correct", "order_id"]) == {"11/~event/correct"}
        assert [c.to_type for c in s.corrections()] == ["ET-B", "ET-C", "ET-A"]
        assert s.orders().empty and s.verify() == []
    with open_store(location) as s:  # reopened: the state is read back from the log
        with pytest.raises(EventNotOpen):
            s.dispose("11", "merge", "op", "m9", "again", duplicate_of="12")
        assert s.verify() == []
    if not str(location).startswith("postgresql"):
        assert _audit(Path(location)) == 0
    # the rules replayed over a log: corrections repeat, a disposal does not
    state: dict[str, str] = {}
    creates: dict[str, int] = {}
    rows = [{"order_id": "5/~event/correct", "action": "correct", "seq": 1},
            {"order_id": "5/~event/correct", "action": "correct", "seq": 2},
            {"order_id": "5/~event/1", "action": "dismiss", "seq": 3},
            {"order_id": "5/~event/1", "action": "merge", "seq": 4}]
    problems = [p for r in rows for p in check_rule(r, state, creates)]
    assert len(problems) == 1 and "seq 4" in problems[0]


def test_cancel_needs_a_note_and_evaluate_a_known_rating(location) -> None:
    with open_store(location) as s:
        oid = s.create(1, "op", "c1", dept_id="D-1")[0]
        with pytest.raises(ValueError, match="note"):
            s.advance(oid, "cancel", "op", "x1")
        assert s.state(oid) == "created" and len(s.log()) == 1
        _run_to(s, oid, ["acknowledge", "handle", "verify", "close"])
        with pytest.raises(ValueError, match="rating"):
            s.advance(oid, "evaluate", "op", "e0", outcome="great")
        s.advance(oid, "evaluate", "op", "e1", note="回访", outcome="不满意")
        o = s.orders().set_index("order_id")
        assert o.loc[oid, "state"] == "evaluated" and o.loc[oid, "outcome"] == "不满意"


# ------------------------------------------------------------------ stages from the plan

EMERGENCY = ("react", "confirm", "handle", "close")


def _plan(stages) -> Plan:
    """Two departments: the police confirm (核实, stage verify in older data) at 3 min, the
    fire brigade handles at 5; the type's targets 1 / 3 / 5 (反应 / 核实 / 处置)."""
    steps = [PlanStep(1, "D-GAJ", "接警反应", 1.0, "react"),
             PlanStep(2, "D-GAJ", "现场核实警情", 3.0, "verify"),
             PlanStep(3, "D-GAJ", "处置完毕", 5.0, "handle"),
             PlanStep(4, "D-XF", "出动", 1.0, "react"),
             PlanStep(5, "D-XF", "灭火", 5.0, "handle")]
    return Plan(steps, plan_id="P-X", targets={"react": 1, "verify": 3, "handle": 5},
                stages=stages)


def test_stage_order_from_a_plan_with_confirm_before_handle(store, clock) -> None:
    """The emergency flow 反应 → 核实 → 处置 → 结案: the order view lists its stages in that
    order, 核实 gets the plan's 3 minutes (not 处置's), handle before confirm is refused,
    and there is no 评价."""
    ids = store.create(7, "alice", "c-em", plan=_plan(EMERGENCY))
    gaj = next(o for o in ids if "/D-GAJ/" in o)
    view = store.orders().set_index("order_id")
    assert view.at[gaj, "stages"] == "acknowledge,confirm,handle,close"
    created = view.at[gaj, "created_at"]
    assert view.at[gaj, "confirm_due"] - created == timedelta(minutes=3)
    assert view.at[gaj, "handle_due"] - created == timedelta(minutes=5)
    assert str(view.at[gaj, "verify_due"]) == "NaT"
    store.advance(gaj, "acknowledge", "op", "e1")
    with pytest.raises(IllegalTransition) as e:  # 处置 before 核实
        store.advance(gaj, "handle", "op", "e2")
    assert e.value.allowed[0] == "confirm"
    store.advance(gaj, "confirm", "op", "e3")
    assert store.state(gaj) == "confirmed"
    store.advance(gaj, "handle", "op", "e4")
    with pytest.raises(IllegalTransition):  # no 核查 in this flow
        store.advance(gaj, "verify", "op", "e5")
    store.advance(gaj, "close", "op", "e6")
    with pytest.raises(IllegalTransition):  # nor 评价
        store.advance(gaj, "evaluate", "op", "e7", outcome="满意")
    assert store.orders().set_index("order_id").at[gaj, "next_actions"] == ""
    assert store.verify() == []


def test_stage_order_from_a_plan_with_verify_after_handle(store) -> None:
    """The loop (a plan without stages): 签收 → 处置 → 核查 → 结案 → 评价; 核查 is never due
    before 处置, and a 核实 is refused."""
    ids = store.create(8, "alice", "c-loop", plan=_plan(("react", "handle", "verify", "close",
                                                         "evaluate")))
    gaj = next(o for o in ids if "/D-GAJ/" in o)
    view = store.orders().set_index("order_id")
    assert view.at[gaj, "stages"] == "acknowledge,handle,verify,close,evaluate"
    assert view.at[gaj, "verify_due"] >= view.at[gaj, "handle_due"]
    store.advance(gaj, "acknowledge", "op", "l1")
    for bad in ("confirm", "verify"):
        with pytest.raises(IllegalTransition):
            store.advance(gaj, bad, "op", f"l-{bad}")
    for a in ("handle", "verify", "close"):
        store.advance(gaj, a, "op", f"l-{a}")
    store.advance(gaj, "evaluate", "op", "l-ev", outcome="满意")
    assert store.state(gaj) == "evaluated"
    # the same create without a plan's stages writes the deadlines as before flows
    row = store.history(gaj).iloc[0]
    assert "stages" not in json.loads(row["deadlines"])


def test_a_failed_check_returns_the_order_to_handle(store, clock) -> None:
    """退回 (rework) after 处置: with a note only; the order is back to 已签收 with 处置 to do
    (its earlier 处置 no longer counts), and the log verifies."""
    oid = store.create(9, "alice", "c-rw", dept_id="D-1",
                       deadlines={"acknowledge": 5, "handle": 60, "verify": 90,
                                  "close": 120})[0]
    store.advance(oid, "acknowledge", "op", "r1")
    clock.advance(minutes=10)
    store.advance(oid, "handle", "op", "r2")
    with pytest.raises(IllegalTransition):  # nothing to return to before a working stage
        store.advance(store.create(10, "a", "c-x", dept_id="D-1")[0], "rework", "op", "r0",
                      note="x")
    with pytest.raises(ValueError):
        store.advance(oid, "rework", "op", "r3")  # no note
    clock.advance(minutes=1)
    rec = store.advance(oid, "rework", "op", "r4", note="核查未通过：路面未恢复")
    assert rec.state == "acknowledged" and store.state(oid) == "acknowledged"
    row = store.orders().set_index("order_id").loc[oid]
    assert row["state"] == "acknowledged" and row["next_actions"].startswith("handle")
    assert str(row["handle_at"]) == "NaT" and row["rework_at"] is not None
    clock.advance(minutes=100)  # 处置 is overdue again, as the countdown shows
    row = store.orders().set_index("order_id").loc[oid]
    assert row["overdue"] and row["overdue_action"] == "handle"
    store.advance(oid, "handle", "op", "r5")
    store.advance(oid, "verify", "op", "r6")
    store.advance(oid, "close", "op", "r7")
    hist = store.history(oid)
    assert list(hist["action"]) == ["create", "acknowledge", "handle", "rework", "handle",
                                    "verify", "close"]
    assert hist.iloc[3]["outcome"] == "acknowledged"
    assert store.verify() == []
