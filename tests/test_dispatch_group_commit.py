"""Group commit in the DuckDB dispatch store: writes that arrive together share one
transaction, each caller is answered only after the commit holding its rows (issue 14,
item 15). The kill -9 test in test_dispatch_store.py runs on the same write path."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import duckdb
import pytest
from cockpit.datasets import dispatch as dmod
from cockpit.datasets.dispatch import IllegalTransition, open_store

DEADLINES = {"acknowledge": 5, "handle": 60, "verify": 90, "close": 120}


class SlowCommits:
    """Wraps ``DispatchStore._insert``: every commit takes a while (a slow disk), so that
    writes pile up behind it; records which keys each commit held, after it returned."""

    def __init__(self, real, delay: float = 0.02, fail_first_group: bool = False):
        self.real, self.delay, self.fail_first_group = real, delay, fail_first_group
        self.commits: list[list[str]] = []
        self.committed: set[str] = set()
        self.lock = threading.Lock()

    def method(self):
        """The wrapper as a method for the class (``self`` of the call is the store)."""
        def _insert(store, rows):
            return self(store, rows)
        return _insert

    def __call__(self, store, rows):
        keys = [r["idempotency_key"] for r in rows]
        time.sleep(self.delay)
        if self.fail_first_group and len(set(keys)) > 1:
            self.fail_first_group = False
            raise duckdb.IOException("IO Error: simulated failure of a grouped commit")
        self.real(store, rows)
        with self.lock:
            self.commits.append(keys)
            self.committed.update(keys)


@pytest.fixture
def store(tmp_path: Path):
    s = open_store(tmp_path / "g.duckdb", seat="seat", source="test")
    yield s
    s.close()


def _orders(store, n: int) -> list[str]:
    return [store.create(f"E{i}", "alice", f"c{i}", dept_id="D-1", deadlines=DEADLINES)[0]
            for i in range(n)]


def _race(n_threads: int, work) -> list[BaseException]:
    errors: list[BaseException] = []
    go = threading.Barrier(n_threads)

    def run(k: int) -> None:
        go.wait()
        try:
            work(k)
        except BaseException as e:  # noqa: BLE001 - reported by the test
            errors.append(e)

    threads = [threading.Thread(target=run, args=(k,)) for k in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return errors


def test_actions_arriving_together_share_a_commit_and_are_answered_after_it(
        store, monkeypatch) -> None:
    ids = _orders(store, 24)
    slow = SlowCommits(dmod.DispatchStore._insert)
    monkeypatch.setattr(dmod.DispatchStore, "_insert", slow.method())
    answered_before_commit: list[str] = []

    def work(k: int) -> None:
        for j, oid in enumerate(ids[k::8]):
            for a in ("acknowledge", "handle"):
                key = f"{a}-{k}-{j}"
                r = store.advance(oid, a, "bob", key)
                assert r.order_id == oid and r.action == a and not r.repeated
                if key not in slow.committed:
                    answered_before_commit.append(key)

    assert _race(8, work) == []
    assert answered_before_commit == []
    written = [k for c in slow.commits for k in c]
    assert sorted(written) == sorted(set(written)) and len(written) == 48
    assert len(slow.commits) < 48  # grouped: fewer transactions than actions
    assert max(len(c) for c in slow.commits) > 1
    log = store.log()
    assert list(log["seq"]) == list(range(1, len(log) + 1))
    assert set(store.orders()["state"]) == {"handled"}
    assert store.verify() == []


def test_a_refused_write_in_a_group_fails_alone(store, monkeypatch) -> None:
    ids = _orders(store, 8)
    slow = SlowCommits(dmod.DispatchStore._insert)
    monkeypatch.setattr(dmod.DispatchStore, "_insert", slow.method())
    results: dict[int, object] = {}

    def work(k: int) -> None:
        # odd threads ask for an illegal step (close before handling)
        action = "close" if k % 2 else "acknowledge"
        try:
            results[k] = store.advance(ids[k], action, "bob", f"k{k}").state
        except IllegalTransition as e:
            results[k] = e

    assert _race(8, work) == []
    for k in range(8):
        if k % 2:
            assert isinstance(results[k], IllegalTransition)
        else:
            assert results[k] == "acknowledged"
    assert store.verify() == []


def test_a_failed_group_is_written_one_by_one_and_nothing_is_lost(store, monkeypatch) -> None:
    ids = _orders(store, 8)
    slow = SlowCommits(dmod.DispatchStore._insert, fail_first_group=True)
    monkeypatch.setattr(dmod.DispatchStore, "_insert", slow.method())

    def work(k: int) -> None:
        assert store.advance(ids[k], "acknowledge", "bob", f"k{k}").state == "acknowledged"

    assert _race(8, work) == []
    assert not slow.fail_first_group  # a group did fail once
    log = store.log()
    assert sorted(log[log["action"] == "acknowledge"]["idempotency_key"]) == sorted(
        f"k{k}" for k in range(8))
    assert store.verify() == []


def test_the_same_key_twice_in_a_group_writes_once(store, monkeypatch) -> None:
    ids = _orders(store, 1)
    slow = SlowCommits(dmod.DispatchStore._insert)
    monkeypatch.setattr(dmod.DispatchStore, "_insert", slow.method())
    got = []

    def work(k: int) -> None:
        got.append(store.advance(ids[0], "acknowledge", "bob", "same-key"))

    assert _race(6, work) == []
    assert sum(not r.repeated for r in got) == 1 and len(got) == 6
    assert {r.seq for r in got} == {2}
    assert (store.log()["idempotency_key"] == "same-key").sum() == 1


GROUP_WRITER = """
import sys, threading
from cockpit.datasets.dispatch import open_store
path, start = sys.argv[1], int(sys.argv[2])
store = open_store(path, seat="w", source="test")
out = threading.Lock()

def run(t):
    for i in range(start + t * 10_000, start + t * 10_000 + 5_000):
        ids = store.create(f"E{i}", "w", f"c-{i}", dept_id="D-1",
                           deadlines={"acknowledge": 5})
        with out:
            print("committed", f"c-{i}", ids[0], flush=True)
        store.advance(ids[0], "acknowledge", "w", f"a-{i}")
        with out:
            print("advanced", f"a-{i}", ids[0], flush=True)

threads = [threading.Thread(target=run, args=(t,)) for t in range(6)]
for t in threads:
    t.start()
print("ready", flush=True)
for t in threads:
    t.join()
"""


def test_sigkill_during_group_commits_loses_nothing_told(tmp_path: Path) -> None:
    """Six threads of one process write at once (their writes are grouped); the process is
    killed at random moments: every write a thread was told about is in the log, once."""
    import random
    import signal
    import subprocess
    import sys

    path = tmp_path / "kill.duckdb"
    rng = random.Random(14)
    told: dict[str, str] = {}
    for trial in range(5):
        # the writer's output goes to a file, not a pipe: a pipe the test does not drain
        # would stop the writer's threads on a full buffer (and the test on its first line)
        out_path = tmp_path / f"writer-{trial}.out"
        with open(out_path, "w") as out_file:
            proc = subprocess.Popen([sys.executable, "-c", GROUP_WRITER, str(path),
                                     str(trial * 100_000)],
                                    stdout=out_file, stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + 60
        while "ready" not in out_path.read_text() and proc.poll() is None:
            assert time.monotonic() < deadline, out_path.read_text()[-2000:]
            time.sleep(0.05)
        assert proc.poll() is None, out_path.read_text()[-2000:]
        time.sleep(rng.uniform(0.3, 1.2))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        assert proc.returncode == -signal.SIGKILL
        out = out_path.read_text()
        for line in out.splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[0] in ("committed", "advanced"):
                told[parts[1]] = parts[2]
        with open_store(path) as s:
            log = s.log()
            for key, oid in told.items():
                rows = log[log["idempotency_key"] == key]
                assert list(rows["order_id"]) == [oid], key  # present, exactly once
            assert not log.duplicated(["order_id", "action"]).any()
            assert s.verify() == [], s.verify()
    assert told  # the writers did get work done
