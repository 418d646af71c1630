"""The PostgreSQL dispatch store against a real server: several seats (processes) at once, a
server restart in the middle of a burst, change propagation, the append-only rules.

The behaviour tests shared with the DuckDB store run on both backends in
test_dispatch_store.py; the server comes from the session fixture ``pg_server`` (conftest),
which fails — never skips — when PostgreSQL cannot start.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
import pytest
from cockpit.datasets.dispatch import DispatchError, IllegalTransition, open_store
from cockpit.datasets.dispatch.pg_store import PgDispatchStore, StoreUnavailable

HERE = Path(__file__).resolve().parent
WRITER = HERE / "dispatch_writer.py"
sys.path.insert(0, str(HERE))


def _writer(url: str, start: int, count: int, *extra: str) -> subprocess.Popen:
    """A writer process, once it has opened the store."""
    p = subprocess.Popen([sys.executable, str(WRITER), url, str(start), str(count), *extra,
                          "--wait"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    assert p.stdout is not None
    first = p.stdout.readline().strip()
    if first != "ready":
        p.kill()
        raise AssertionError(f"the writer did not start: {first} {p.stderr.read()[-3000:]}")
    return p


def _go(procs: list[subprocess.Popen]) -> list[subprocess.Popen]:
    """Let writers started with :func:`_writer` go, all at once."""
    for p in procs:
        p.stdin.write("go\n")
        p.stdin.flush()
    return procs


def _results(out: str) -> dict[str, list]:
    res: dict[str, list] = {"committed": [], "advanced": [], "refused": [], "failed": []}
    for line in out.splitlines():
        parts = line.split(" ", 2)
        if parts[0] in res:
            res[parts[0]].append(parts[1:])
    return res


def _finish(procs: list[subprocess.Popen], timeout: float = 120) -> list[dict[str, list]]:
    outs = []
    for p in procs:
        out, err = p.communicate(timeout=timeout)
        assert p.returncode == 0, err[-3000:]
        outs.append(_results(out))
    return outs


def _check_log(url: str) -> None:
    with open_store(url, read_only=True) as s:
        log = s.log()
        assert list(log["seq"]) == list(range(1, len(log) + 1))  # no gap, no duplicate
        assert not log.duplicated(["idempotency_key", "part"]).any()
        assert not log.duplicated(["order_id", "action"]).any()
        creates = log[log["action"] == "create"]
        assert not creates.duplicated(["event_id", "dept_id"]).any()
        assert s.verify() == []


# ------------------------------------------------------------------ several seats at once


def test_seats_racing_for_the_same_events_dispatch_each_once(pg_url) -> None:
    n = 40
    PgDispatchStore(pg_url).close()  # the tables exist before the race starts
    procs = _go([_writer(pg_url, 0, n, "--seat", f"seat{k}") for k in range(3)])
    outs = _finish(procs)
    winners: dict[str, str] = {}
    for k, res in enumerate(outs):
        for _key, ids in res["committed"]:
            ev = ids.split("/")[0]
            assert ev not in winners, f"{ev} dispatched by seat{k} and {winners[ev]}"
            winners[ev] = f"seat{k}"
    assert len(winners) == n  # every event dispatched, by exactly one seat
    refused = sum(len(r["refused"]) for r in outs)
    assert refused == 2 * n  # the two others were told so
    with open_store(pg_url) as s:
        log = s.log()
        assert len(log[log["action"] == "create"]) == 3 * n
        for res in outs:
            for key, ids in res["committed"]:
                assert list(log[log["idempotency_key"] == key]["order_id"]) == ids.split(",")
    _check_log(pg_url)


def test_the_same_request_from_two_seats_is_written_once(pg_url) -> None:
    """Two processes sending the same keys (a retried request reaching two seats) both get
    the first result and nothing is written twice."""
    PgDispatchStore(pg_url).close()
    outs = _finish(_go([_writer(pg_url, 0, 30) for _ in range(2)]))
    a = {k: v for k, v in outs[0]["committed"]}
    b = {k: v for k, v in outs[1]["committed"]}
    assert a == b and len(a) == 30
    with open_store(pg_url) as s:
        log = s.log()
        assert len(log) == 30 * 3 + 15  # the creates and the acknowledgements, once each
    _check_log(pg_url)


def test_advances_racing_on_one_order_record_one(pg_url) -> None:
    with open_store(pg_url) as s:
        oid = s.create(1, "a", "c1", dept_id="D-1")[0]
    errors: list[Exception] = []
    done: list = []

    def seat(k: int) -> None:
        with open_store(pg_url, seat=f"s{k}") as st:
            try:
                done.append(st.advance(oid, "acknowledge", f"op{k}", f"ack-{k}"))
            except IllegalTransition as e:
                errors.append(e)

    ts = [threading.Thread(target=seat, args=(k,)) for k in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(30)
    assert len(done) == 1 and len(errors) == 3
    assert all("acknowledged" in str(e) for e in errors)
    _check_log(pg_url)


# ------------------------------------------------------------------ server restart


def test_server_restart_in_the_middle_of_a_burst(pg_server, pg_url) -> None:
    PgDispatchStore(pg_url).close()
    n = 120
    procs = _go([_writer(pg_url, k * 10_000, n, "--seat", f"seat{k}", "--retry")
                 for k in range(3)])
    try:
        # let them write, then stop the server under them and start it again
        with open_store(pg_url) as s:
            deadline = time.monotonic() + 30
            while s.head[0] < 40 and time.monotonic() < deadline:
                time.sleep(0.05)
            assert s.head[0] >= 40, "the writers did not get going"
        pg_server.stop("fast")
        time.sleep(1.5)
        pg_server.start()
        outs = _finish(procs)
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    failed = [f for r in outs for f in r["failed"]]
    assert failed, "no write failed: the restart did not land in the burst"
    # each failure was reported with its reason, then the same request was repeated
    assert all("dispatch store" in reason for _key, reason in failed)
    with open_store(pg_url) as s:
        log = s.log()
        by_key = log.groupby("idempotency_key")["order_id"].apply(list).to_dict()
        for res in outs:
            assert len(res["committed"]) == n
            for key, ids in res["committed"]:  # every acknowledged write, exactly once
                assert by_key[key] == ids.split(","), key
            for key, oid in res["advanced"]:
                assert by_key[key] == [oid]
        told = {k for r in outs for k, _ in r["committed"] + r["advanced"]}
        assert set(by_key) == told  # nothing the writers were not told about
    _check_log(pg_url)


def test_a_call_while_the_server_is_down_is_refused_clearly(pg_server, pg_url) -> None:
    s = open_store(pg_url, seat="s1")
    try:
        oid = s.create(1, "a", "c1", dept_id="D-1")[0]
        pg_server.stop("fast")
        try:
            with pytest.raises(StoreUnavailable) as e:
                s.advance(oid, "acknowledge", "op", "a1")
            assert "派遣库连接中断" in str(e.value) and "Nothing was recorded" in str(e.value)
            with pytest.raises(StoreUnavailable):
                s.orders()
            assert s.head[0] == 1  # the last head seen
            assert s.down_since is not None
        finally:
            pg_server.start()
        r = s.advance(oid, "acknowledge", "op", "a1")  # reconnects by itself
        assert r.seq == 2 and not r.repeated
        assert s.down_since is None and any("reconnected" in x for x in s.incidents)
    finally:
        s.close()
    _check_log(pg_url)


def test_opening_an_unreachable_store_names_it(pg_server) -> None:
    url = f"postgresql://postgres@127.0.0.1:{pg_server.port + 1}/nowhere"
    with pytest.raises(StoreUnavailable, match="cannot reach the dispatch store"):
        open_store(url, connect_timeout=1)


# ------------------------------------------------------------------ change propagation


def test_another_seats_write_is_seen_within_two_seconds(pg_url) -> None:
    seen: list[tuple[int, float]] = []
    with open_store(pg_url, seat="watching") as s:
        ev = threading.Event()

        def on_change(seq: int) -> None:
            seen.append((seq, time.monotonic()))
            ev.set()

        s.watch(on_change, poll_s=30)  # a long poll: the notice must carry it
        time.sleep(0.3)
        p = _writer(pg_url, 0, 1)
        t0 = time.monotonic()
        _finish(_go([p]))
        assert ev.wait(5)
        assert seen[-1][0] >= 3
        # a process start is in there too; the notice itself arrives within milliseconds
        assert seen[0][1] - t0 < 5
        assert list(s.changes_since(0)["seq"]) == list(range(1, seen[-1][0] + 1))


def test_watch_falls_back_to_polling_without_notices(pg_url) -> None:
    seen: list[int] = []
    with open_store(pg_url) as s:
        s.watch(seen.append, poll_s=0.2)
        time.sleep(0.3)
        with psycopg.connect(pg_url, autocommit=True) as con:  # a write that notifies nobody
            from datetime import datetime

            from cockpit.datasets.dispatch import GENESIS, make_row

            row = make_row(1, GENESIS, datetime(2026, 11, 20), order_id="9/D/1", event_id="9",
                           dept_id="D", action="create", operator="x", seat="x", source="x",
                           idempotency_key="quiet", order_created="9/D/1")
            cols = list(row)
            con.execute(f"INSERT INTO dispatch_log ({', '.join(cols)}) VALUES "
                        f"({', '.join(['%s'] * len(cols))})", [row[c] for c in cols])
        deadline = time.monotonic() + 3
        while not seen and time.monotonic() < deadline:
            time.sleep(0.05)
        assert seen == [1]


def test_watch_reports_the_disconnect_and_the_reconnect(pg_server, pg_url) -> None:
    status: list[tuple[bool, str]] = []
    seen: list[int] = []
    with open_store(pg_url) as s:
        s.watch(seen.append, lambda ok, why: status.append((ok, why)), poll_s=0.2)
        _wait(lambda: status == [(True, "")])
        pg_server.stop("fast")
        try:
            _wait(lambda: len(status) >= 2)
            assert status[1][0] is False and status[1][1]
        finally:
            pg_server.start()
        _wait(lambda: len(status) >= 3, timeout=15)
        assert status[2] == (True, "")
        _finish(_go([_writer(pg_url, 0, 1)]))
        _wait(lambda: seen and seen[-1] >= 3)


def _wait(cond, timeout: float = 8.0) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


# ------------------------------------------------------------------ the database's rules


def test_the_log_is_append_only_in_the_database(pg_url) -> None:
    with open_store(pg_url) as s:
        oid = s.create(1, "a", "c1", dept_id="D-1")[0]
        s.advance(oid, "acknowledge", "op", "a1")
    with psycopg.connect(pg_url, autocommit=True) as con:
        for sql in ("UPDATE dispatch_log SET operator = 'mallory'",
                    "DELETE FROM dispatch_log WHERE seq = 2", "TRUNCATE dispatch_log"):
            with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
                con.execute(sql)
        # the owner can switch the trigger off: verify says so, and finds the edit
        con.execute("ALTER TABLE dispatch_log DISABLE TRIGGER dispatch_log_append_only")
        con.execute("UPDATE dispatch_log SET operator = 'mallory' WHERE seq = 1")
    with open_store(pg_url) as s:
        problems = s.verify()
        assert any("dispatch_log_append_only" in p for p in problems)
        assert any("row seq 1 edited" in p for p in problems)


def test_postgresql_store_refuses_a_head_key_and_read_only_writes(pg_url) -> None:
    with pytest.raises(ValueError, match="no signed head"):
        open_store(pg_url, key=b"k")
    open_store(pg_url).close()
    with open_store(pg_url, read_only=True) as s:
        with pytest.raises(DispatchError, match="read-only"):
            s.create(1, "a", "c1", dept_id="D-1")


def test_audit_verify_checks_a_postgresql_store(pg_url, capsys) -> None:
    from cockpit.cli import main

    with open_store(pg_url) as s:
        s.create(1, "a", "c1", dept_id="D-1")
    assert main(["audit", "verify", pg_url]) == 0
    assert "OK — 1 log row(s)" in capsys.readouterr().out
    with psycopg.connect(pg_url, autocommit=True) as con:
        con.execute("ALTER TABLE dispatch_log DISABLE TRIGGER dispatch_log_no_truncate")
    assert main(["audit", "verify", pg_url]) == 1
    assert "dispatch_log_no_truncate" in capsys.readouterr().out


def test_a_seat_role_with_insert_and_select_only_works(pg_server, pg_url) -> None:
    """The README's set-up: the owner creates the tables, the seats may only add and read."""
    dbname = pg_url.rsplit("/", 1)[1]
    with psycopg.connect(pg_url, autocommit=True) as con:
        for role in ("cockpit_owner_t", "cockpit_seat_t"):  # roles belong to the cluster
            if not con.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role]).fetchone():
                con.execute(f"CREATE ROLE {role} LOGIN")
        con.execute(f'ALTER DATABASE "{dbname}" OWNER TO cockpit_owner_t')
        con.execute("ALTER SCHEMA public OWNER TO cockpit_owner_t")
    owner = pg_url.replace("postgres@", "cockpit_owner_t@")
    seat = pg_url.replace("postgres@", "cockpit_seat_t@")
    open_store(owner).close()  # creates the tables
    with psycopg.connect(owner, autocommit=True) as con:
        con.execute("GRANT SELECT, INSERT ON dispatch_log TO cockpit_seat_t")
        con.execute("GRANT SELECT ON store_meta TO cockpit_seat_t")
    with open_store(seat, seat="seat-1") as s:
        oid = s.create(1, "a", "c1", dept_id="D-1")[0]
        s.advance(oid, "acknowledge", "op", "a1")
        assert s.verify() == []
    with psycopg.connect(seat, autocommit=True) as con:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            con.execute("ALTER TABLE dispatch_log DISABLE TRIGGER dispatch_log_append_only")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            con.execute("DELETE FROM dispatch_log")


def test_a_frozen_seat_holding_the_write_lock_is_cut_off(pg_url) -> None:
    """A seat that stops in the middle of its write transaction (frozen, SIGSTOP) holds the
    lock only until the server's idle-in-transaction timeout ends its session."""
    from cockpit.datasets.dispatch import pg_store as dispatch_pg

    with open_store(pg_url) as s:
        s.create(1, "a", "c1", dept_id="D-1")
        frozen = psycopg.connect(pg_url, **dispatch_pg._session_options(3))
        try:
            frozen.execute("SELECT pg_advisory_xact_lock(%s)", [dispatch_pg.WRITE_LOCK])
            t0 = time.monotonic()
            s.create(2, "a", "c2", dept_id="D-1")  # waits, then goes through
            waited = time.monotonic() - t0
        finally:
            frozen.close()
        assert dispatch_pg.IDLE_IN_WRITE_MS / 1000 - 0.5 < waited < 12
        assert s.verify() == []


class _CommitThenDrop:
    """A connection whose next transaction ends by losing the connection: after the commit
    reached the server (``landed``), or before it did (the transaction rolled back)."""

    def __init__(self, con, landed: bool) -> None:
        self._con, self._landed, self.fired = con, landed, False

    def __getattr__(self, name):
        return getattr(self._con, name)

    def transaction(self):
        outer = self
        real = self._con.transaction()

        class Tx:
            def __enter__(self):
                return real.__enter__()

            def __exit__(self, et, ev, tb):
                if et is not None or outer.fired:
                    return real.__exit__(et, ev, tb)
                outer.fired = True
                if outer._landed:
                    real.__exit__(None, None, None)  # committed on the server …
                else:
                    real.__exit__(RuntimeError, RuntimeError("cut"), None)  # rolled back …
                raise psycopg.OperationalError("server closed the connection unexpectedly")

        return Tx()


@pytest.mark.parametrize("landed", [True, False])
def test_a_commit_lost_mid_write_is_looked_up_by_its_key(pg_url, monkeypatch, landed) -> None:
    """The connection breaks while committing. If the write landed, the call returns it (found
    by its key after reconnecting); if not, the call says nothing was recorded, and the retry
    of the same request writes it once. Never twice, never silently lost."""
    with open_store(pg_url) as store:
        store.create(1, "alice", "warm-up", dept_id="D-1")
        real_conn = store._conn
        wrapped = {}

        def conn():
            c = real_conn()
            if "w" not in wrapped:
                wrapped["w"] = _CommitThenDrop(c, landed)
            return wrapped["w"] if not wrapped["w"].fired else c

        monkeypatch.setattr(store, "_conn", conn)
        if landed:
            ids = store.create(2, "alice", "k-lost", dept_id="D-1")
            assert wrapped["w"].fired and ids == ["2/D-1/1"]
        else:
            with pytest.raises(StoreUnavailable, match="Nothing was recorded"):
                store.create(2, "alice", "k-lost", dept_id="D-1")
            assert wrapped["w"].fired
            log = store.log()
            assert (log["idempotency_key"] == "k-lost").sum() == 0
            monkeypatch.setattr(store, "_conn", real_conn)
            assert store.create(2, "alice", "k-lost", dept_id="D-1") == ["2/D-1/1"]
        log = store.log()
        assert (log["idempotency_key"] == "k-lost").sum() == 1
        assert store.verify() == []
