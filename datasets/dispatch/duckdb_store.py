"""The dispatch store on one DuckDB file (the single-seat default): the write path, the
signed head sidecar and recovery. The rules are the ledger's (``ledger.py``)."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import re
import secrets
import shutil
import socket
import threading
import warnings
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
from cockpit.datasets.dispatch.ledger import (
    COLUMNS,
    DDL,
    GENESIS,
    SCHEMA_VERSION,
    DispatchError,
    EventActions,
    IllegalTransition,
    LogReader,
    Receipt,
    Replayed,
    Slots,
    StoreLocked,
    StoreRecovered,
    StoreWriteError,
    advance_outcome,
    check_action,
    check_advance,
    check_text,
    create_rows,
    event_receipt,
    event_rows,
    iso,
    make_row,
    naive_utc,
    plan_orders,
    replay_advance,
    replay_create,
    replay_event,
    utcnow,
)
from cockpit.datasets.routing import PlanStep

# --------------------------------------------------------------------------- head sidecar


class _HeadWriter:
    """Writes the chain head, signed, to the sidecar file from a background thread."""

    def __init__(self, path: Path, key: bytes, store_id: str):
        self.path, self.key, self.store_id = path, key, store_id
        self._cv = threading.Condition()
        self._want: tuple[int, str] | None = None
        self._done: tuple[int, str] | None = None
        self._busy = False
        self._stop = False
        self.error: str | None = None
        self._thread = threading.Thread(target=self._run, name="dispatch-head", daemon=True)
        self._thread.start()

    def mac(self, seq: int, h: str) -> str:
        msg = f"{self.store_id}|{seq}|{h}".encode()
        return hmac.new(self.key, msg, hashlib.sha256).hexdigest()

    def post(self, seq: int, h: str) -> None:
        with self._cv:
            self._want = (seq, h)
            self._cv.notify_all()

    def flush(self, timeout: float = 10.0) -> None:
        with self._cv:
            self._cv.wait_for(lambda: self._want is None and not self._busy, timeout)

    def close(self) -> None:
        self.flush()
        with self._cv:
            self._stop = True
            self._cv.notify_all()
        self._thread.join(5)

    def _run(self) -> None:
        while True:
            with self._cv:
                self._cv.wait_for(lambda: self._want is not None or self._stop)
                if self._want is None and self._stop:
                    return
                want, self._want, self._busy = self._want, None, True
            try:
                self._write(*want)
                self._done, self.error = want, None
            except OSError as e:  # reported by verify(); the next commit tries again
                self.error = f"could not write the head file {self.path}: {e}"
            finally:
                with self._cv:
                    self._busy = False
                    self._cv.notify_all()

    def _write(self, seq: int, h: str) -> None:
        body = json.dumps({"store_id": self.store_id, "seq": seq, "hash": h,
                           "mac": self.mac(seq, h)}).encode()
        tmp = self.path.with_name(self.path.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, body)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, self.path)


def _load_key(path: Path, key: bytes | str | None, create: bool) -> bytes | None:
    if key is not None:
        return key.encode() if isinstance(key, str) else bytes(key)
    kp = path.with_name(path.name + ".key")
    if not kp.exists():
        if not create:
            return None
        with contextlib.suppress(FileExistsError):
            fd = os.open(kp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                os.write(fd, secrets.token_hex(32).encode())
                os.fsync(fd)
            finally:
                os.close(fd)
    return kp.read_bytes().strip()


# --------------------------------------------------------------------------- backend

_LOCK_RE = re.compile(r"Conflicting lock is held in (?P<holder>.*?)(?: \(PID (?P<pid>\d+)\))?"
                      r"(?: by user (?P<user>[^.]*))?\.(?: See also|$)", re.S)


class _DuckDBBackend:
    """Everything DuckDB-specific: connecting, error classes, the lock message."""

    name = "duckdb"

    def __init__(self, path: Path, read_only: bool):
        self.path, self.read_only = path, read_only

    @property
    def wal(self) -> Path:
        return self.path.with_name(self.path.name + ".wal")

    def connect(self) -> duckdb.DuckDBPyConnection:
        try:
            return duckdb.connect(str(self.path), read_only=self.read_only)
        except duckdb.Error as e:
            msg = str(e)
            if "Could not set lock" in msg or "Conflicting lock" in msg:
                m = _LOCK_RE.search(msg)
                holder = m.group("holder").strip() if m else None
                pid = int(m.group("pid")) if m and m.group("pid") else None
                if holder and pid is not None:
                    holder = f"{holder} (PID {pid})"
                if holder and m.group("user"):
                    holder = f"{holder}, user {m.group('user').strip()}"
                raise StoreLocked(self.path, holder, pid, msg) from e
            raise

    @staticmethod
    def is_wal_replay_error(e: Exception) -> bool:
        msg = str(e)
        return "replaying WAL" in msg or "Corrupt WAL" in msg or ".wal" in msg.lower()

    @staticmethod
    def is_constraint(e: Exception) -> bool:
        return isinstance(e, duckdb.ConstraintException)

    @staticmethod
    def is_invalidated(e: Exception) -> bool:
        return isinstance(e, duckdb.FatalException) or "invalidated" in str(e)


def _write_failure(e: Exception, path: Path) -> str:
    msg = str(e)
    low = msg.lower()
    if "no space left" in low or "disk full" in low or "file too large" in low \
            or "quota" in low:
        why = "the disk is full"
    elif "read-only" in low or "read only" in low:
        why = "the store's file system or file is read-only"
    elif "permission denied" in low:
        why = "permission denied"
    else:
        why = "an I/O error"
    return (f"The dispatch store {path} could not record the action: {why}. Nothing was "
            f"recorded; fix the cause and try again (the same request is safe to repeat). "
            f"[{msg}]")


_INSERT_ROW = "(" + ",".join("?" * len(COLUMNS)) + ")"


class _Request:
    """One queued write: its idempotency key, how to build its rows on the current state,
    how to answer a repeat of the key, and how to turn its written rows into the result."""

    __slots__ = ("key", "build", "replay", "finish", "pending", "result", "error", "done")

    def __init__(self, key: str, build: Callable[[], list[dict[str, Any]]],
                 replay: Callable[[list[dict[str, Any]]], Any],
                 finish: Callable[[list[dict[str, Any]]], Any]) -> None:
        self.key, self.build, self.replay, self.finish = key, build, replay, finish
        self.pending: Any = None
        self.result: Any = None
        self.error: BaseException | None = None
        self.done = False

    def ok(self, result: Any) -> None:
        self.result, self.done = result, True

    def fail(self, error: BaseException) -> None:
        self.error, self.done = error, True

    def result_or_raise(self) -> Any:
        if self.error is not None:
            raise self.error
        return self.result


class DispatchStore(LogReader, EventActions):
    """The dispatch store on one DuckDB file. Use :func:`open_store`."""

    def __init__(self, path: Path, *, routing: Callable[[Any], list[PlanStep]] | None = None,
                 key: bytes | str | None = None, read_only: bool = False,
                 seat: str | None = None, source: str = "gui",
                 clock: Callable[[], datetime] | None = None):
        self.path = Path(path)
        self.location = self.path  # what open_store() opens again
        self.read_only = read_only
        self.routing = routing
        self.seat = seat or socket.gethostname()
        self.source = source
        self.clock = clock or utcnow
        self.recovered: StoreRecovered | None = None
        self.incidents: list[str] = []
        self._lock = threading.RLock()
        self._queue_cv = threading.Condition(threading.Lock())
        self._queue: list[_Request] = []
        self._leading = False
        self._backend = _DuckDBBackend(self.path, read_only)
        self._con: duckdb.DuckDBPyConnection | None = None
        self.head_path = self.path.with_name(self.path.name + ".head")
        self._open()
        self._key = _load_key(self.path, key, create=not read_only)
        self._head: _HeadWriter | None = None
        if self._key is not None and not read_only:
            self._check_head_at_open()
            self._head = _HeadWriter(self.head_path, self._key, self.store_id)
            if self._seq and self._head_file_seq() != self._seq:
                self._head.post(self._seq, self._hash)

    # ------------------------------------------------------------------ opening

    def _open(self) -> None:
        if not self.read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        elif not self.path.exists():
            raise DispatchError(f"no dispatch store at {self.path}")
        wal = self._backend.wal
        copy = wal.with_name(wal.name + ".replaying")
        had_wal = not self.read_only and wal.exists() and wal.stat().st_size > 0
        if had_wal:
            try:
                shutil.copy2(wal, copy)
            except OSError as e:  # e.g. the disk is full: open without the safety copy
                copy.unlink(missing_ok=True)
                had_wal = False
                self.incidents.append(f"could not copy the write-ahead log before opening: {e}")
        try:
            con = self._backend.connect()
        except StoreLocked:
            if had_wal:
                copy.unlink(missing_ok=True)
            raise
        except duckdb.Error as e:
            if not (wal.exists() and self._backend.is_wal_replay_error(e)):
                raise
            aside = self._set_aside(wal, f"DuckDB could not replay it: {e}")
            copy.unlink(missing_ok=True)
            had_wal = False
            con = self._backend.connect()
            self.incidents.append(f"write-ahead log set aside as {aside}")
        self._con = con
        try:
            if not self.read_only:
                for ddl in DDL:
                    con.execute(ddl)
            self._meta()
            self._load_state()
        except BaseException:
            self._con = None
            con.close()
            raise
        if had_wal:
            head = self._read_head_file()
            if head is not None and head.get("seq", 0) > self._seq:
                self._set_aside(copy, f"the log ends at seq {self._seq} but the head file "
                                      f"records seq {head['seq']}: committed rows are missing")
            else:
                copy.unlink(missing_ok=True)

    def _check_head_at_open(self) -> None:
        """Keep a head file that does not match the log as evidence before it is rewritten.

        The next commit rewrites the head file; a head ahead of the log (rows deleted), a hash
        that differs (chain rewritten) or a bad signature would be lost with it. Such a file is
        renamed ``<store>.head.mismatch-<UTC time>``, which :meth:`verify` keeps reporting.
        """
        if not self.head_path.exists():
            return
        head = self._read_head_file()
        seq = head.get("seq") if isinstance(head, dict) else None
        h = None
        if isinstance(seq, int) and 0 < seq <= self._seq:
            row = self._con.execute("SELECT hash FROM dispatch_log WHERE seq = ?", [seq]).fetchone()
            h = row[0] if row else None
        problems = self._head_problems(head, self._seq, h)
        if problems:
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
            aside = self.head_path.with_name(f"{self.head_path.name}.mismatch-{stamp}")
            os.replace(self.head_path, aside)
            self.incidents.append(f"head file kept as {aside}: {problems[0]}")

    def _set_aside(self, wal: Path, why: str) -> Path:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        aside = self._backend.wal.with_name(f"{self._backend.wal.name}.unreplayable-{stamp}")
        os.replace(wal, aside)
        self.recovered = StoreRecovered(
            f"The dispatch store {self.path} opened without part of its write-ahead log: {why}. "
            f"The log was kept as {aside}; actions it held may be missing from the store. Run "
            "'cockpit audit verify' and re-enter what is missing.")
        warnings.warn(self.recovered, stacklevel=3)
        return aside

    def _meta(self) -> None:
        con = self._con
        try:
            rows = dict(con.execute("SELECT name, value FROM store_meta").fetchall())
        except duckdb.CatalogException as e:
            raise DispatchError(f"{self.path} is not a dispatch store") from e
        if not rows and not self.read_only:
            rows = {"schema_version": str(SCHEMA_VERSION), "store_id": secrets.token_hex(16),
                    "created_utc": iso(utcnow())}
            con.execute("INSERT INTO store_meta VALUES " + ",".join(["(?, ?)"] * len(rows)),
                        [x for kv in rows.items() for x in kv])
        if int(rows.get("schema_version", SCHEMA_VERSION)) > SCHEMA_VERSION:
            raise DispatchError(f"{self.path} was written by a newer cockpit "
                                f"(schema {rows['schema_version']})")
        self.store_id = rows.get("store_id", "")

    def _load_state(self) -> None:
        """The head of the chain and every order's state (DuckDB: one process, so a cache)."""
        con = self._con
        last = con.execute("SELECT seq, hash FROM dispatch_log ORDER BY seq DESC LIMIT 1"
                           ).fetchone()
        self._seq, self._hash = (int(last[0]), last[1]) if last else (0, GENESIS)
        self._slots = Slots.from_rows(con.execute(
            """SELECT l.order_id, l.event_id, l.dept_id, l.action, l.outcome, c.deadlines
               FROM dispatch_log l
               JOIN (SELECT order_id, max(seq) AS s FROM dispatch_log GROUP BY order_id) m
                 ON l.seq = m.s
               LEFT JOIN dispatch_log c ON c.order_id = l.order_id AND c.action = 'create'
               """).fetchall())
        self._orders = self._slots.orders
        self._open_by_slot = self._slots.open_by_slot
        self._generation = self._slots.generation

    def _reopen(self, why: str) -> None:
        self.incidents.append(f"{iso(utcnow())} store reopened: {why}")
        with contextlib.suppress(Exception):
            self._con.close()
        self._con = None
        self._open()

    # ------------------------------------------------------------------ helpers

    def _read_head_file(self) -> dict | None:
        try:
            return json.loads(self.head_path.read_text("utf-8"))
        except (OSError, ValueError):
            return None

    def _head_file_seq(self) -> int | None:
        h = self._read_head_file()
        return h.get("seq") if isinstance(h, dict) else None

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        with self._lock:
            if self._con is None:
                raise DispatchError("the dispatch store is closed")
            return self._con.cursor()

    def _rows_for_key(self, key: str) -> list[dict[str, Any]]:
        cur = self._con.execute(
            "SELECT * FROM dispatch_log WHERE idempotency_key = ? ORDER BY part", [key])
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r)) for r in cur.fetchall()]

    def _rows_for_keys(self, keys: list[str]) -> dict[str, list[dict[str, Any]]]:
        """The rows already written under any of ``keys`` (one query for a whole group)."""
        cur = self._con.execute(
            "SELECT * FROM dispatch_log WHERE idempotency_key IN (SELECT unnest(?::VARCHAR[])) "
            "ORDER BY idempotency_key, part", [keys])
        names = [d[0] for d in cur.description]
        out: dict[str, list[dict[str, Any]]] = {}
        for r in cur.fetchall():
            row = dict(zip(names, r))
            out.setdefault(row["idempotency_key"], []).append(row)
        return out

    def _make_row(self, seq: int, prev: str, at: datetime, **kw: Any) -> dict[str, Any]:
        return make_row(seq, prev, at, **{**kw, "seat": kw.get("seat") or self.seat,
                                          "source": kw.get("source") or self.source})

    def _insert(self, rows: list[dict[str, Any]]) -> None:
        """One statement, one transaction: every row lands or none. Raises on failure."""
        sql = "INSERT INTO dispatch_log VALUES " + ",".join([_INSERT_ROW] * len(rows))
        self._con.execute(sql, [r[c] for r in rows for c in COLUMNS])

    def _commit(self, key: str, build: Callable[[], list[dict[str, Any]]],
                replay: Callable[[list[dict[str, Any]]], Any]):
        """Write the rows ``build`` makes; on a lost answer or conflict, ask the log.

        Returns ``(rows, None)`` when written, ``(None, replay(existing rows))`` when the key
        had already been used.
        """
        if self.read_only:
            raise StoreWriteError(f"the dispatch store {self.path} is open read-only: "
                                  "nothing was recorded")
        retried = False
        while True:
            rows = build()
            try:
                self._insert(rows)
            except Exception as e:  # noqa: BLE001 - classified below
                if self._backend.is_constraint(e):
                    existing = self._rows_for_key(key)
                    if existing:
                        return None, replay(existing)
                    self._load_state()  # another writer or a stale cache: re-check the rules
                    if retried:
                        raise DispatchError(f"the store refused the write: {e}") from e
                    retried = True
                    continue
                if not isinstance(e, duckdb.Error):
                    raise
                invalidated = self._backend.is_invalidated(e)
                existing = None
                if not invalidated:
                    try:  # the same connection still answers: did the commit land?
                        existing = self._rows_for_key(key)
                    except duckdb.Error:
                        invalidated = True
                if invalidated:
                    try:
                        self._reopen("connection invalidated: " + str(e))
                    except StoreLocked:
                        raise
                    except Exception as e2:  # noqa: BLE001
                        raise StoreWriteError(_write_failure(e, self.path) +
                                              f" The store could not be reopened: {e2}") from e
                    existing = self._rows_for_key(key)
                else:
                    self.incidents.append(f"{iso(utcnow())} write failed: {e}")
                if existing:  # the commit had landed although the call failed
                    self._load_state()
                    self._after_commit()
                    return None, replay(existing)
                if invalidated and not retried:
                    retried = True
                    continue
                raise StoreWriteError(_write_failure(e, self.path)) from e
            self._seq, self._hash = rows[-1]["seq"], rows[-1]["hash"]
            self._after_commit()
            return rows, None

    def _after_commit(self) -> None:
        if self._head is not None:
            self._head.post(self._seq, self._hash)

    # ------------------------------------------------------------------ writing

    def create(self, event_id, operator: str, idempotency_key: str,
               plan: list[PlanStep] | None = None, *, dept_id: str | None = None,
               deadlines: dict[str, float] | None = None, plan_id: str | None = None,
               targets: dict[str, float] | None = None, note: str = "",
               seat: str | None = None, source: str | None = None) -> list[str]:
        """Dispatch an event: one order per department of its plan, in one transaction.

        ``plan``: the event's steps (``routing.plan_for_event``); without one, the store's
        ``routing`` callable is asked, or a single order for ``dept_id`` with ``deadlines``
        (minutes after dispatch per action) is made. Returns the order ids, in the plan's
        department order. A repeated key returns the first result and writes nothing.
        """
        event_id = str(event_id)
        check_text(operator=operator, idempotency_key=idempotency_key)
        planned: list = []

        def build() -> list[dict[str, Any]]:
            if not planned:  # asked once, and only when the key is new
                planned.append(plan_orders(event_id, plan, dept_id, deadlines, plan_id,
                                           targets, self.routing))
            orders, pid = planned[0]
            return create_rows(
                self._state(), (self._seq, self._hash), naive_utc(self.clock()), event_id,
                orders, pid, operator=operator, seat=seat or self.seat,
                source=source or self.source, note=note, idempotency_key=idempotency_key)

        return self._submit(_Request(
            idempotency_key, build, lambda ex: replay_create(ex, event_id, idempotency_key),
            lambda rows: [r["order_id"] for r in rows]))

    def advance(self, order_id: str, action: str, operator: str, idempotency_key: str,
                note: str = "", *, outcome: str = "ok", seat: str | None = None,
                source: str | None = None) -> Receipt:
        """Record one action on an order (acknowledge, confirm, handle, verify, close,
        evaluate, cancel, rework), as the order's flow allows.

        Raises :class:`IllegalTransition` when the order's state does not allow it. A repeated
        key returns the first result (``Receipt.repeated``) and writes nothing.
        """
        check_text(operator=operator, idempotency_key=idempotency_key)
        check_action(action, note, outcome)

        def replay(ex):
            return replay_advance(ex, order_id, action, idempotency_key)

        def build() -> list[dict[str, Any]]:
            try:
                o = check_advance(self._state(), order_id, action)
            except IllegalTransition:
                existing = self._rows_for_key(idempotency_key)
                if existing:
                    raise Replayed(replay(existing)) from None
                raise
            return [self._make_row(
                self._seq + 1, self._hash, naive_utc(self.clock()), order_id=order_id,
                event_id=o.event_id, dept_id=o.dept_id, action=action, operator=operator,
                seat=seat, source=source, outcome=advance_outcome(o, action, outcome),
                note=note,
                idempotency_key=idempotency_key)]

        def finish(rows: list[dict[str, Any]]) -> Receipt:
            r = rows[0]
            return Receipt(order_id, action, self._orders[order_id].state, r["seq"],
                           r["at_utc"])

        return self._submit(_Request(idempotency_key, build, replay, finish))

    # ------------------------------------------------------------------ group commit

    def _submit(self, req: _Request) -> Any:
        """Queue a write and wait until it is committed (or refused).

        Group commit: writes that arrive while another batch is being committed wait on the
        store's lock; the first of them to get it takes every queued write and commits them
        together, in one statement (one transaction), then hands each caller its own result.
        No caller returns before the transaction holding its rows has committed, so what a
        caller was told survives a kill -9 exactly as with one commit per write.
        """
        if self.read_only:
            raise StoreWriteError(f"the dispatch store {self.path} is open read-only: "
                                  "nothing was recorded")
        with self._queue_cv:
            self._queue.append(req)
            # while a batch is being committed, later writes gather in the queue; whoever
            # is not done when it ends leads the next batch (the others just return)
            while not req.done and self._leading:
                self._queue_cv.wait()
            if req.done:
                return req.result_or_raise()
            self._leading = True
            batch, self._queue = self._queue, []
        taken = list(batch)
        try:
            with self._lock:
                self._ensure_open()
                while batch:  # one key once per transaction: a repeat waits for the next
                    keys: set[str] = set()
                    now, later = [], []
                    for r in batch:
                        (later if r.key in keys else now).append(r)
                        keys.add(r.key)
                    self._commit_batch(now)
                    batch = later
        except BaseException as e:
            for r in taken:
                if not r.done:
                    r.fail(e)
            raise
        finally:
            with self._queue_cv:
                self._leading = False
                self._queue_cv.notify_all()
        return req.result_or_raise()

    def _commit_batch(self, batch: list[_Request]) -> None:
        """Build every request's rows on the state the ones before it leave, write them all
        in one statement; when that fails, write them one by one (the single-write path
        tells a lost answer from a refused write and reopens a dead connection)."""
        if len(batch) == 1:  # alone: nothing to group, nothing applied ahead of its commit
            req = batch[0]
            try:
                req.ok(self._write_one(req))
            except Exception as e:  # noqa: BLE001 - handed to its own caller
                req.fail(e)
            return
        staged: list[tuple[_Request, list[dict[str, Any]]]] = []
        try:
            written = self._rows_for_keys([r.key for r in batch])
        except Exception:  # noqa: BLE001 - each write goes alone, with the retries
            written = None
        for req in batch:
            if written is None:
                try:
                    req.ok(self._write_one(req))
                except Exception as e:  # noqa: BLE001 - handed to its own caller
                    req.fail(e)
                continue
            try:
                existing = written.get(req.key)
                if existing:
                    req.ok(req.replay(existing))
                    continue
                rows = req.build()
            except Replayed as r:
                req.ok(r.receipt)
                continue
            except Exception as e:  # noqa: BLE001 - handed to its own caller
                req.fail(e)
                continue
            self._seq, self._hash = rows[-1]["seq"], rows[-1]["hash"]
            self._state().applied(rows)
            req.pending = req.finish(rows)
            staged.append((req, rows))
        if not staged:
            return
        try:
            self._insert([row for _, rows in staged for row in rows])
        except Exception as e:  # noqa: BLE001 - each write is retried alone below
            try:
                self._load_state()  # drop what was applied ahead of the commit
            except Exception:  # noqa: BLE001 - the connection is gone: open it again
                with contextlib.suppress(Exception):
                    self._reopen(f"a grouped commit failed: {e}")
        else:
            self._after_commit()
            for req, _ in staged:
                req.ok(req.pending)
            return
        for req, _ in staged:
            try:
                req.ok(self._write_one(req))
            except Exception as e:  # noqa: BLE001 - handed to its own caller
                req.fail(e)

    def _write_one(self, req: _Request) -> Any:
        """One write in its own transaction, with the retries of :meth:`_commit`."""
        existing = self._rows_for_key(req.key)
        if existing:
            return req.replay(existing)
        try:
            rows, replayed = self._commit(req.key, req.build, req.replay)
        except Replayed as r:
            return r.receipt
        if rows is None:
            return replayed
        self._state().applied(rows)
        return req.finish(rows)

    def _event_action(self, event_id, action: str, operator: str, idempotency_key: str,
                      note: str, *, duplicate_of: str | None = None, seat: str | None = None,
                      source: str | None = None, area: str | None = None) -> Receipt:
        """One event action (:data:`ledger.EVENT_ACTIONS`) as one row, through the group
        commit like every write (one seat, one centre: ``area`` is not recorded)."""
        event_id = str(event_id)
        check_text(operator=operator, idempotency_key=idempotency_key)

        def build() -> list[dict[str, Any]]:
            return event_rows(
                self._state(), (self._seq, self._hash), naive_utc(self.clock()), event_id,
                action, note, duplicate_of, operator=operator, seat=seat or self.seat,
                source=source or self.source, idempotency_key=idempotency_key)

        return self._submit(_Request(
            idempotency_key, build,
            lambda ex: replay_event(ex, event_id, action, idempotency_key),
            lambda rows: event_receipt(rows[0])))

    def _state(self) -> Slots:
        """The cache as a :class:`Slots` (its dicts may have been replaced by a reload)."""
        return Slots(self._orders, self._open_by_slot, self._generation)

    def _ensure_open(self) -> None:
        if self._con is None:
            raise DispatchError("the dispatch store is closed")

    # ------------------------------------------------------------------ reading

    @property
    def head(self) -> tuple[int, str]:
        """The chain's head as this store last wrote or read it: (seq, hash); (0, GENESIS)
        when the log is empty."""
        with self._lock:
            return self._seq, self._hash

    def state(self, order_id: str) -> str | None:
        """The current state of an order (None if unknown)."""
        with self._lock:
            o = self._orders.get(order_id)
            return o.state if o else None

    def open_order(self, event_id, dept_id: str) -> str | None:
        """The open order of an event and department, if any."""
        with self._lock:
            return self._open_by_slot.get((str(event_id), dept_id))

    def _df(self, sql: str, params: list[Any]) -> pd.DataFrame:
        return self._cursor().execute(sql, params).df()

    def _chunks(self, sql: str) -> Iterable[list[tuple]]:
        res = self._cursor().execute(sql)
        while chunk := res.fetchmany(5000):
            yield chunk

    def verify(self) -> list[str]:
        """Check the log: every row's hash, the chain, the seq numbers, the order rules, and
        the head kept outside the log. Returns the problems found (empty: all good)."""
        problems: list[str] = []
        with self._lock:
            self._ensure_open()
            if self._head is not None:
                self._head.flush()
                if self._head.error:
                    problems.append(self._head.error)
        head = self._read_head_file() if self.head_path.exists() else None
        head_seq = head.get("seq") if isinstance(head, dict) else None
        head_row_hash = None
        p, last_seq, head_row_hash = self._check_log(head_seq)
        problems += p
        if self._key is None:
            problems.append(f"no key to check the head file {self.head_path} (pass key=)")
        elif not self.head_path.exists():
            if last_seq:
                problems.append(f"the head file {self.head_path} is missing: deleting the "
                                "newest rows cannot be ruled out")
        else:
            problems += self._head_problems(head, last_seq, head_row_hash)
        for aside in sorted(self.head_path.parent.glob(self.head_path.name + ".mismatch-*")):
            problems.append(f"a head file that did not match the log was kept as {aside.name}: "
                            "rows were deleted or the chain rewritten before it was found")
        for aside in sorted(self.path.parent.glob(self.path.name + ".wal.unreplayable-*")):
            problems.append(f"a write-ahead log that could not be replayed was kept as "
                            f"{aside.name}: actions it held may be missing")
        return problems

    def _head_problems(self, head: Any, last_seq: int, row_hash_at: str | None) -> list[str]:
        """Compare the head file with the log (``row_hash_at``: the log's hash at head seq)."""
        if not isinstance(head, dict) or not {"seq", "hash", "mac"} <= set(head):
            return [f"the head file {self.head_path} is unreadable"]
        try:
            seq, h = int(head["seq"]), str(head["hash"])
        except (TypeError, ValueError):
            return [f"the head file {self.head_path} is unreadable"]
        msg = f"{head.get('store_id', '')}|{seq}|{h}".encode()
        mac = hmac.new(self._key, msg, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(mac, str(head["mac"])):
            return [f"the head file {self.head_path} has a bad signature: it was edited or "
                    "written with another key"]
        if head.get("store_id") != self.store_id:
            return [f"the head file {self.head_path} belongs to another store"]
        if seq > last_seq:
            return [f"rows deleted at the end: the head file records seq {seq} but the log "
                    f"ends at seq {last_seq}"]
        if seq and row_hash_at != h:
            return [f"chain rewritten: row seq {seq} does not have the hash the head file "
                    "recorded for it"]
        return []

    # ------------------------------------------------------------------ closing

    def close(self) -> None:
        with self._lock:
            if self._head is not None:
                self._head.close()
                self._head = None
            if self._con is not None:
                with contextlib.suppress(Exception):
                    self._con.close()
                self._con = None

    def __repr__(self) -> str:
        return f"DispatchStore({str(self.path)!r}, seq={self._seq})"
