"""The dispatch store: an append-only, hash-chained log of dispatch actions.

An **order** is one department's assignment for one event. It moves through

    create (派遣) → acknowledge (签收) → handle (处置) → verify (核查) → close (结案) → evaluate (评价)

and may be cancelled at any point before close. The store keeps nothing but the log; the state
of every order is a view over it (:meth:`DispatchStore.orders`).

Public API (the GUI, the CLI and the tests use only this)::

    store = open_store(path, routing=None, key=None, read_only=False)
    ids = store.create(event_id, operator, idempotency_key, plan=None)   # -> [order_id, ...]
    rec = store.advance(order_id, action, operator, idempotency_key, note="")   # -> Receipt
    store.orders(as_of=None)      # DataFrame, one row per order, state as of a UTC moment
    store.history(order_id)       # DataFrame of the order's log rows
    store.verify()                # [] or a list of problems (edits, deletions, reordering, ...)
    store.close()

``create`` writes one ``create`` row per department of the plan (a list of
:class:`cockpit.datasets.routing.PlanStep`, e.g. ``routing.plan_for_event``) in **one**
statement: all orders land or none. Each create row carries the department's per-action
deadlines (minutes after dispatch) and its plan steps as JSON text.

The log (table ``dispatch_log``; the same columns serve a PostgreSQL store):

====================  ==========================================================================
``seq``               BIGINT primary key: 1, 2, 3 … gap-free, the order of the chain
``order_id``          ``<event_id>/<dept_id>/<n>``: the n-th order of that event for that
                      department (n = 1 unless an earlier one was closed or cancelled)
``event_id``          the event (text; the catalog's ids are numbers)
``dept_id``           the department the order is for
``action``            create / acknowledge / handle / verify / close / evaluate / cancel (what)
``at_utc``            TIMESTAMP, UTC, microseconds, the moment the action was written (when)
``operator``          who
``seat``              where: the seat or host the action came from (default: host name)
``source``            gui / cli / simulator / drill / test …
``outcome``           the result the operator records (default ``ok``; e.g. the evaluation)
``note``              free text
``idempotency_key``   the caller's key of the request; UNIQUE together with ``part``
``part``              row number within the request (a create writes one row per department)
``order_created``     on create rows the order id, else NULL; UNIQUE — an order (and with it the
                      n-th order of an event and department) is created once, whoever asks
``plan_id``           create rows: the plan the steps come from
``deadlines``         create rows: JSON ``{"acknowledge": min, "handle": min, "verify": min,
                      "close": min}`` after dispatch
``steps``             create rows: JSON list of the department's plan steps
``prev_hash``         the previous row's ``hash`` (64 zeros for the first row)
``hash``              SHA-256 of the row's canonical serialisation (:func:`canonical_row`,
                      every column above but ``hash``, in that order, as compact JSON)
====================  ==========================================================================

Rules. An illegal action (close before verify, anything after close but evaluate, a skipped
stage, an unknown order) raises :class:`IllegalTransition` naming the order, its state and the
allowed next actions. A repeated idempotency key returns the first result and writes nothing;
the same key with a different request raises :class:`IdempotencyConflict`. One open order per
event and department: a create for a department that has an open order raises
:class:`DuplicateOpenOrder` (nothing is written). The ``order_created`` UNIQUE constraint makes
the database refuse a second create of the same order even if two writers race.

Durability. Every request is one autocommitted statement; DuckDB syncs its write-ahead log
(WAL) before the call returns, so a returned result is durable. A commit can land without the
caller hearing of it (crash, kill, I/O error on the way back): after a restart the caller
retries with the same key and gets the first result. After each commit the chain's head
(``seq``, ``hash``) is written, HMAC-SHA256-signed, to the sidecar ``<store>.head`` (temporary
file, fsync, rename) by a background thread, so commit latency does not include it. The key is
``key`` if given, else the file ``<store>.key`` (created with mode 0600 on first open). The
sidecar may lag the log by the rows of the last moments before a crash; :meth:`verify` accepts
a sidecar *behind* the log when the rows after it chain correctly, and reports a sidecar ahead
of the log (rows deleted), a hash that differs (chain rewritten) or a bad signature. Keep the key
elsewhere than the store (``key=``) if whoever can write the store must not be able to re-sign a
rewritten chain.

Faults. A store held by another process raises :class:`StoreLocked` (naming the holder and
pointing to the shared PostgreSQL store); a write that fails (disk full, read-only file system,
a store opened read-only) raises :class:`StoreWriteError` with nothing recorded; a connection
DuckDB declares invalidated is reopened once and the write retried with the same key (safe);
each such event is appended to ``store.incidents``. A WAL that DuckDB cannot replay at open is
moved to ``<store>.wal.unreplayable-<UTC time>`` (never deleted), the store opens on what the
database file holds, ``store.recovered`` holds a :class:`StoreRecovered` warning and the warning
is issued. DuckDB may also skip a damaged WAL without an error: the store keeps a copy of the
WAL while it opens, and if the opened log ends before the head sidecar it sets that copy aside
in the same way.

Backends. SQL here is portable (PostgreSQL accepts it); DuckDB specifics — connecting, the lock
message, error classes, the in-process cache of order states (valid because DuckDB lets one
process hold the file) — live in :class:`_DuckDBBackend` and in ``DispatchStore._load_state``.
The PostgreSQL store (:mod:`cockpit.datasets.dispatch_pg`, ``open_store("postgresql://…")``)
shares the rules, the rows, the replies to repeated keys, the order view and the checks
(:class:`_Slots`, :func:`make_row`, :func:`_create_rows`, :func:`_check_advance`,
:class:`_LogReader`), reading the head and the orders' states inside its write transaction
instead of a cache.
"""

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
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
from cockpit.datasets.routing import DEADLINE_ACTIONS, PlanStep, by_department, order_deadlines

__all__ = [
    "open_store", "DispatchStore", "Receipt", "ACTIONS", "STATES", "TRANSITIONS",
    "DispatchError", "IllegalTransition", "UnknownOrder", "DuplicateOpenOrder",
    "IdempotencyConflict", "StoreLocked", "StoreWriteError", "StoreRecovered",
    "canonical_row", "row_hash", "check_rows", "GENESIS", "COLUMNS", "SCHEMA_VERSION",
    "is_pg_location", "make_row", "EVENT_ACTIONS", "Correction", "correction_row",
    "parse_corrections",
]

SCHEMA_VERSION = 1
GENESIS = "0" * 64
ACTIONS = ("create", "acknowledge", "handle", "verify", "close", "evaluate", "cancel")
#: Actions about an event rather than an order, written to the same hash chain: ``correct`` —
#: the operator changed what the router (智能分拨) made of a report: its type and/or its
#: departments. Such a row has ``order_id`` ``<event_id>/-/correct``, ``dept_id`` ``-`` and a
#: JSON ``note`` ``{"from_type", "to_type", "text", "added", "removed"}``; the order view and
#: the order rules ignore it, ``cockpit route train`` learns from it.
EVENT_ACTIONS = ("correct",)
#: The state an action leads to.
STATE_AFTER = {"create": "created", "acknowledge": "acknowledged", "handle": "handled",
               "verify": "verified", "close": "closed", "evaluate": "evaluated",
               "cancel": "cancelled"}
STATES = tuple(STATE_AFTER.values())
#: state -> the actions allowed next, in the order the loop runs them.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "created": ("acknowledge", "cancel"),
    "acknowledged": ("handle", "cancel"),
    "handled": ("verify", "cancel"),
    "verified": ("close", "cancel"),
    "closed": ("evaluate",),
    "evaluated": (),
    "cancelled": (),
}
#: States in which an order no longer holds its event and department.
FINISHED = frozenset({"closed", "evaluated", "cancelled"})

COLUMNS = ("seq", "order_id", "event_id", "dept_id", "action", "at_utc", "operator", "seat",
           "source", "outcome", "note", "idempotency_key", "part", "order_created", "plan_id",
           "deadlines", "steps", "prev_hash", "hash")

_DDL = (
    """CREATE TABLE IF NOT EXISTS store_meta (
        name VARCHAR PRIMARY KEY,
        value VARCHAR NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS dispatch_log (
        seq BIGINT PRIMARY KEY,
        order_id VARCHAR NOT NULL,
        event_id VARCHAR NOT NULL,
        dept_id VARCHAR NOT NULL,
        action VARCHAR NOT NULL,
        at_utc TIMESTAMP NOT NULL,
        operator VARCHAR NOT NULL,
        seat VARCHAR NOT NULL,
        source VARCHAR NOT NULL,
        outcome VARCHAR NOT NULL,
        note VARCHAR NOT NULL,
        idempotency_key VARCHAR NOT NULL,
        part INTEGER NOT NULL,
        order_created VARCHAR UNIQUE,
        plan_id VARCHAR,
        deadlines VARCHAR,
        steps VARCHAR,
        prev_hash VARCHAR NOT NULL,
        hash VARCHAR NOT NULL,
        UNIQUE (idempotency_key, part))""",
)


# --------------------------------------------------------------------------- errors


class DispatchError(Exception):
    """Base class of the dispatch store's errors; ``str(e)`` is meant for the operator."""


class IllegalTransition(DispatchError):
    """An action the order's state does not allow."""

    def __init__(self, order_id: str, state: str | None, action: str,
                 allowed: Iterable[str] = ()):
        self.order_id, self.state, self.action = order_id, state, action
        self.allowed = tuple(allowed)
        nxt = ", ".join(self.allowed) if self.allowed else "none (the order is finished)"
        super().__init__(f"order {order_id} is {state}: '{action}' is not allowed; "
                         f"allowed next: {nxt}")


class UnknownOrder(IllegalTransition):
    """An action on an order the store does not hold."""

    def __init__(self, order_id: str, action: str):
        self.order_id, self.state, self.action, self.allowed = order_id, None, action, ()
        DispatchError.__init__(self, f"no order {order_id} in the dispatch store: "
                                     f"'{action}' is not allowed")


class DuplicateOpenOrder(DispatchError):
    """A create for an event and department that already have an open order."""

    def __init__(self, event_id: str, open_orders: dict[str, str]):
        self.event_id = event_id
        self.open_orders = dict(open_orders)  # dept_id -> open order id
        lst = ", ".join(f"{d} ({o})" for d, o in self.open_orders.items())
        super().__init__(f"event {event_id} is already dispatched to {lst}: one open order "
                         "per event and department; nothing was written")


class IdempotencyConflict(DispatchError):
    """An idempotency key reused for a different request."""


class StoreLocked(DispatchError):
    """Another process holds the DuckDB store file."""

    def __init__(self, path: Path, holder: str | None, pid: int | None, detail: str):
        self.path, self.holder, self.pid, self.detail = Path(path), holder, pid, detail
        who = holder or "another program"
        if pid is not None and holder and f"PID {pid}" not in holder:
            who = f"{holder} (PID {pid})"
        super().__init__(
            f"The dispatch store {path} is in use by {who}. A DuckDB store can be opened by one "
            "program at a time (even read-only). To run several cockpits on one centre, point "
            "every seat at the shared PostgreSQL dispatch store instead. This cockpit runs "
            "without dispatching until the store is free.")


class StoreWriteError(DispatchError):
    """A write that did not happen (disk full, read-only, I/O failure): nothing recorded."""


class StoreUnavailable(StoreWriteError):
    """The PostgreSQL server cannot be reached (stopped, restarting, network down). Defined
    here, not in dispatch_pg, so that catching it does not import the PostgreSQL driver."""


class StoreRecovered(UserWarning):
    """The store opened, but part of its write-ahead log could not be replayed."""


@dataclass(frozen=True)
class Receipt:
    """The result of :meth:`DispatchStore.advance`."""

    order_id: str
    action: str
    state: str  # the order's state after the action
    seq: int
    at_utc: datetime
    repeated: bool = False  # True: the key had been used; this is the first result, re-read


# --------------------------------------------------------------------------- chain


def _iso(ts: datetime) -> str:
    if ts.tzinfo is not None:
        ts = ts.astimezone(timezone.utc).replace(tzinfo=None)
    return ts.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_row(row: dict[str, Any]) -> bytes:
    """The bytes a row's hash covers: every column but ``hash``, in :data:`COLUMNS` order."""
    vals = []
    for c in COLUMNS[:-1]:
        v = row[c]
        if c == "at_utc":
            v = _iso(v)
        elif c in ("seq", "part"):
            v = int(v)
        vals.append(v)
    return json.dumps(vals, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def row_hash(row: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_row(row)).hexdigest()


def check_rows(rows: Iterable[dict[str, Any]], start_prev: str = GENESIS,
               start_seq: int = 1) -> tuple[list[str], int, str]:
    """Check a run of log rows (ordered by seq): gaps, edited rows, broken links.

    Returns ``(problems, last_seq, last_hash)``.
    """
    problems: list[str] = []
    expect, prev = start_seq, start_prev
    for r in rows:
        seq = int(r["seq"])
        if seq != expect:
            if seq > expect:
                problems.append(f"rows missing: seq {expect}" + (f"–{seq - 1}" if seq - 1 > expect
                                                                 else "") + " deleted")
            else:
                problems.append(f"row seq {seq} out of order (expected {expect})")
        if row_hash(r) != r["hash"]:
            problems.append(f"row seq {seq} edited: its hash does not match its contents")
        if r["prev_hash"] != prev:
            problems.append(f"row seq {seq}: chain broken, prev_hash does not match the row "
                            "before it (rows reordered, deleted or inserted)")
        prev, expect = r["hash"], seq + 1
    return problems, expect - 1, prev


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


# --------------------------------------------------------------------------- store


@dataclass
class _Order:
    event_id: str
    dept_id: str
    state: str


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _naive_utc(ts: datetime) -> datetime:
    if ts.tzinfo is not None:
        ts = ts.astimezone(timezone.utc).replace(tzinfo=None)
    return ts


_INSERT_ROW = "(" + ",".join("?" * len(COLUMNS)) + ")"


# --------------------------------------------------------------------------- shared by backends
# The rules, the rows and the views below serve both stores: the DuckDB store asks them with
# its in-process cache of order states, the PostgreSQL store (dispatch_pg) with the states it
# reads inside its write transaction.


@dataclass
class _Slots:
    """Order states, the open order of each (event, department) and the highest order number
    (generation) each (event, department) has had."""

    orders: dict[str, _Order] = field(default_factory=dict)
    open_by_slot: dict[tuple[str, str], str] = field(default_factory=dict)
    generation: dict[tuple[str, str], int] = field(default_factory=dict)

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[str, str, str, str]]) -> _Slots:
        """From ``(order_id, event_id, dept_id, last action)`` per order."""
        s = cls()
        for oid, ev, dept, action in rows:
            if action in EVENT_ACTIONS:
                continue
            st = STATE_AFTER.get(action, action)
            s.orders[oid] = _Order(ev, dept, st)
            slot = (ev, dept)
            s.generation[slot] = max(s.generation.get(slot, 0), _order_number(oid))
            if st not in FINISHED:
                s.open_by_slot[slot] = oid
        return s

    def applied(self, rows: list[dict[str, Any]]) -> None:
        """Take written rows into account."""
        for r in rows:
            if r["action"] in EVENT_ACTIONS:
                continue
            oid, slot = r["order_id"], (r["event_id"], r["dept_id"])
            st = STATE_AFTER[r["action"]]
            if r["action"] == "create":
                self.orders[oid] = _Order(r["event_id"], r["dept_id"], st)
                self.open_by_slot[slot] = oid
                self.generation[slot] = _order_number(oid)
                continue
            self.orders[oid].state = st
            if st in FINISHED and self.open_by_slot.get(slot) == oid:
                del self.open_by_slot[slot]


def _order_number(order_id: str) -> int:
    try:
        return int(order_id.rsplit("/", 1)[1])
    except (IndexError, ValueError):
        return 1


def make_row(seq: int, prev: str, at: datetime, **kw: Any) -> dict[str, Any]:
    """A log row with its hash; ``kw``: the columns (``seat`` and ``source`` required)."""
    row = {"seq": seq, "order_id": kw["order_id"], "event_id": kw["event_id"],
           "dept_id": kw["dept_id"], "action": kw["action"], "at_utc": at,
           "operator": kw["operator"], "seat": kw["seat"], "source": kw["source"],
           "outcome": kw.get("outcome") or "ok", "note": kw.get("note") or "",
           "idempotency_key": kw["idempotency_key"], "part": kw.get("part", 0),
           "order_created": kw.get("order_created"), "plan_id": kw.get("plan_id"),
           "deadlines": kw.get("deadlines"), "steps": kw.get("steps"), "prev_hash": prev}
    row["hash"] = row_hash(row)
    return row


def _plan_orders(event_id: str, plan: list[PlanStep] | None, dept_id: str | None,
                 deadlines: dict[str, float] | None, plan_id: str | None,
                 targets: dict[str, float] | None,
                 routing: Callable[[Any], list[PlanStep]] | None
                 ) -> tuple[list[tuple[str, dict[str, float], list[dict]]], str | None]:
    """The orders a create writes: ``[(dept_id, deadlines, steps), …]`` and the plan id."""
    if plan is None and dept_id is None:
        if routing is None:
            raise ValueError("create() needs the event's plan (routing.plan_for_event),"
                             " a dept_id, or a store opened with routing=")
        plan = routing(event_id)
    if plan is None:
        dl = {a: float(v) for a, v in (deadlines or {}).items() if a in DEADLINE_ACTIONS}
        return [(dept_id, dl, [])], plan_id
    groups = by_department(plan)
    if not groups:
        raise ValueError(f"the plan for event {event_id} has no steps")
    tg = targets if targets is not None else getattr(plan, "targets", None)
    closes = [s.due_min for s in plan if s.stage == "close"]
    plan_close = max(closes) if closes else None
    pid = plan_id if plan_id is not None else getattr(plan, "plan_id", None)
    return ([(d, order_deadlines(st, tg, plan_close), [s.as_dict() for s in st])
             for d, st in groups], pid)


def _create_rows(slots: _Slots, head: tuple[int, str], at: datetime, event_id: str,
                 orders: list[tuple[str, dict[str, float], list[dict]]], pid: str | None,
                 **common: Any) -> list[dict[str, Any]]:
    """The create rows of one request, chained after ``head``; refuses a busy department."""
    busy = {d: slots.open_by_slot[(event_id, d)] for d, _, _ in orders
            if (event_id, d) in slots.open_by_slot}
    if busy:
        raise DuplicateOpenOrder(event_id, busy)
    rows: list[dict[str, Any]] = []
    seq, prev = head
    for part, (d, dl, steps) in enumerate(orders):
        oid = f"{event_id}/{d}/{slots.generation.get((event_id, d), 0) + 1}"
        seq += 1
        row = make_row(seq, prev, at, order_id=oid, event_id=event_id, dept_id=d,
                       action="create", part=part, order_created=oid, plan_id=pid,
                       deadlines=json.dumps(dl, separators=(",", ":")),
                       steps=json.dumps(steps, ensure_ascii=False, separators=(",", ":")),
                       **common)
        rows.append(row)
        prev = row["hash"]
    return rows


def _check_advance(slots: _Slots, order_id: str, action: str) -> _Order:
    """The order, if its state allows ``action``; else :class:`IllegalTransition`."""
    o = slots.orders.get(order_id)
    if o is None:
        raise UnknownOrder(order_id, action)
    allowed = TRANSITIONS.get(o.state, ())
    if action not in allowed:
        raise IllegalTransition(order_id, o.state, action, allowed)
    return o


def _check_action(action: str) -> None:
    if action not in ACTIONS or action == "create":
        raise ValueError(f"unknown action {action!r}: one of "
                         f"{', '.join(a for a in ACTIONS if a != 'create')}")


def _replay_advance(rows: list[dict[str, Any]], order_id: str, action: str,
                    key: str) -> Receipt:
    """The first result of a repeated advance key (or :class:`IdempotencyConflict`)."""
    r = rows[0]
    if r["order_id"] != order_id or r["action"] != action:
        raise IdempotencyConflict(
            f"idempotency key {key!r} was used for '{r['action']}' of order "
            f"{r['order_id']}, not for '{action}' of order {order_id}: use a new key for a new "
            "request")
    return Receipt(order_id, action, STATE_AFTER[action], int(r["seq"]), _to_datetime(r["at_utc"]),
                   repeated=True)


def _replay_create(rows: list[dict[str, Any]], event_id: str, key: str) -> list[str]:
    """The first result of a repeated create key (or :class:`IdempotencyConflict`)."""
    if rows[0]["action"] != "create" or rows[0]["event_id"] != event_id:
        raise IdempotencyConflict(
            f"idempotency key {key!r} was used for '{rows[0]['action']}' of order "
            f"{rows[0]['order_id']}, not for dispatching event {event_id}: use a new key "
            "for a new request")
    return [r["order_id"] for r in rows]


def _to_datetime(v: Any) -> datetime:
    return v.to_pydatetime() if isinstance(v, pd.Timestamp) else v


@dataclass(frozen=True)
class Correction:
    """One ``correct`` row of the log: an operator's change of a routed event."""

    seq: int
    event_id: str
    at_utc: datetime
    operator: str
    from_type: str | None
    to_type: str | None
    text: str
    added: tuple[str, ...]
    removed: tuple[str, ...]


def correction_row(event_id: str, from_type: str | None, to_type: str | None, text: str,
                   added: Iterable[str] = (), removed: Iterable[str] = ()) -> dict[str, Any]:
    """The columns of a ``correct`` row (both stores write the same)."""
    note = {"from_type": from_type, "to_type": to_type, "text": text or "",
            "added": sorted(set(added)), "removed": sorted(set(removed))}
    return {"order_id": f"{event_id}/-/correct", "event_id": str(event_id), "dept_id": "-",
            "action": "correct",
            "note": json.dumps(note, ensure_ascii=False, separators=(",", ":"))}


def parse_corrections(df: pd.DataFrame) -> list[Correction]:
    """The corrections in log rows (other rows and unreadable notes are skipped)."""
    out = []
    for r in df.itertuples(index=False):
        if r.action != "correct":
            continue
        try:
            n = json.loads(r.note)
        except (TypeError, ValueError):
            continue
        out.append(Correction(int(r.seq), str(r.event_id), _to_datetime(r.at_utc), r.operator,
                              n.get("from_type"), n.get("to_type"), n.get("text") or "",
                              tuple(n.get("added") or ()), tuple(n.get("removed") or ())))
    return out


def _replay_correct(rows: list[dict[str, Any]], event_id: str, key: str) -> int:
    r = rows[0]
    if r["action"] != "correct" or r["event_id"] != str(event_id):
        raise IdempotencyConflict(
            f"idempotency key {key!r} was used for '{r['action']}' of {r['order_id']}, not for "
            f"correcting event {event_id}: use a new key for a new request")
    return int(r["seq"])


#: The order view's query (``?``: the as-of moment); portable SQL.
_ORDERS_SQL = """WITH l AS (SELECT * FROM dispatch_log WHERE at_utc <= ?),
     last AS (SELECT l.order_id, l.action, l.outcome, l.at_utc, l.seq FROM l
              JOIN (SELECT order_id, max(seq) AS s FROM l GROUP BY order_id) m
                ON l.seq = m.s),
     c AS (SELECT order_id, event_id, dept_id, plan_id, operator, at_utc,
                  deadlines, steps, seq FROM l WHERE action = 'create'),
     a AS (SELECT order_id, {at_cols} FROM l GROUP BY order_id)
SELECT c.order_id, c.event_id, c.dept_id, c.plan_id, last.action AS last_action,
       c.operator AS created_by, c.at_utc AS created_at, {a_cols},
       last.outcome, last.at_utc AS last_at, last.seq AS last_seq,
       c.deadlines, c.steps
FROM c JOIN last ON last.order_id = c.order_id
       JOIN a ON a.order_id = c.order_id
ORDER BY c.seq""".format(
    a_cols=", ".join(f"a.{a}_at" for a in ACTIONS if a != "create"),
    at_cols=",\n".join(f"max(CASE WHEN action = '{a}' THEN at_utc END) AS {a}_at"
                       for a in ACTIONS if a != "create"))


class _LogReader:
    """What both stores read the same way: the log, an order's history, the order view, the
    check of the chain and the rules. A backend gives :meth:`_df` (a query as a DataFrame,
    ``?`` placeholders) and :meth:`_chunks` (a query's rows in chunks)."""

    clock: Callable[[], datetime]
    #: True for a store several seats write at once (changes arrive from elsewhere)
    shared = False

    def _df(self, sql: str, params: list[Any]) -> pd.DataFrame:
        raise NotImplementedError

    def _chunks(self, sql: str) -> Iterable[list[tuple]]:
        raise NotImplementedError

    def log(self, since_seq: int = 0) -> pd.DataFrame:
        """The log rows after ``since_seq``, in order."""
        return self._df("SELECT * FROM dispatch_log WHERE seq > ? ORDER BY seq", [int(since_seq)])

    def changes_since(self, seq: int) -> pd.DataFrame:
        """The rows written after ``seq`` (by any seat), in order: what a seat has to catch
        up on after a change notice or a reconnect."""
        return self.log(seq)

    def corrections(self) -> list[Correction]:
        """Every ``correct`` row (the operators' corrections of routed events), in order."""
        return parse_corrections(self._df(
            "SELECT * FROM dispatch_log WHERE action = 'correct' ORDER BY seq", []))

    def history(self, order_id: str) -> pd.DataFrame:
        """Every log row of one order, in order (empty if the order is unknown)."""
        return self._df("SELECT * FROM dispatch_log WHERE order_id = ? ORDER BY seq", [order_id])

    def orders(self, as_of: datetime | None = None) -> pd.DataFrame:
        """One row per order as of ``as_of`` (a UTC moment; naive means UTC; default now).

        Columns: order_id, event_id, dept_id, plan_id, state, next_actions (comma-separated),
        created_by, created_at, <action>_at for acknowledge/handle/verify/close/evaluate/cancel
        (NaT when not done by ``as_of``), <action>_due for acknowledge/handle/verify/close,
        next_due (the earliest deadline still pending), overdue (an open order with a pending
        action past its deadline), overdue_action, overdue_min (minutes past that deadline),
        late_actions (comma-separated actions done after their deadline), outcome (of the last
        action), last_at, last_seq, deadlines and steps (the JSON of the create row).
        """
        t = _naive_utc(as_of if as_of is not None else self.clock())
        return _order_view(self._df(_ORDERS_SQL, [t]), t)

    def watch(self, on_change: Callable[[int], None],
              on_status: Callable[[bool, str], None] | None = None) -> Any:
        """Call ``on_change(seq)`` when another seat writes. The DuckDB store is held by one
        process, so nothing else writes it: returns None (the caller's own ticks suffice)."""
        return None

    def _check_log(self, want_seq: int | None = None) -> tuple[list[str], int, str | None]:
        """Every row's hash, the chain, the seq numbers and the order rules, in chunks.

        Returns ``(problems, last seq, the hash of row want_seq)``."""
        problems: list[str] = []
        expect, prev = 1, GENESIS
        state: dict[str, str] = {}
        creates: dict[str, int] = {}
        hash_at = None
        for chunk in self._chunks(f"SELECT {', '.join(COLUMNS)} FROM dispatch_log ORDER BY seq"):
            rows = [dict(zip(COLUMNS, r)) for r in chunk]
            p, last, prev = check_rows(rows, prev, expect)
            problems += p
            expect = last + 1
            for r in rows:
                if r["seq"] == want_seq:
                    hash_at = r["hash"]
                problems += _check_rule(r, state, creates)
        return problems, expect - 1, hash_at

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        raise NotImplementedError



class DispatchStore(_LogReader):
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
        self.clock = clock or _utcnow
        self.recovered: StoreRecovered | None = None
        self.incidents: list[str] = []
        self._lock = threading.RLock()
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
                for ddl in _DDL:
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
            stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
            aside = self.head_path.with_name(f"{self.head_path.name}.mismatch-{stamp}")
            os.replace(self.head_path, aside)
            self.incidents.append(f"head file kept as {aside}: {problems[0]}")

    def _set_aside(self, wal: Path, why: str) -> Path:
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
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
                    "created_utc": _iso(_utcnow())}
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
        self._slots = _Slots.from_rows(con.execute(
            """SELECT l.order_id, l.event_id, l.dept_id, l.action
               FROM dispatch_log l
               JOIN (SELECT order_id, max(seq) AS s FROM dispatch_log GROUP BY order_id) m
                 ON l.seq = m.s""").fetchall())
        self._orders = self._slots.orders
        self._open_by_slot = self._slots.open_by_slot
        self._generation = self._slots.generation

    def _reopen(self, why: str) -> None:
        self.incidents.append(f"{_iso(_utcnow())} store reopened: {why}")
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
                    self.incidents.append(f"{_iso(_utcnow())} write failed: {e}")
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
        _check_text(operator=operator, idempotency_key=idempotency_key)
        with self._lock:
            self._ensure_open()
            existing = self._rows_for_key(idempotency_key)
            if existing:
                return _replay_create(existing, event_id, idempotency_key)
            orders, pid = _plan_orders(event_id, plan, dept_id, deadlines, plan_id, targets,
                                       self.routing)

            def build() -> list[dict[str, Any]]:
                return _create_rows(
                    self._state(), (self._seq, self._hash), _naive_utc(self.clock()), event_id,
                    orders, pid, operator=operator, seat=seat or self.seat,
                    source=source or self.source, note=note, idempotency_key=idempotency_key)

            rows, replayed = self._commit(
                idempotency_key, build,
                lambda ex: _replay_create(ex, event_id, idempotency_key))
            if rows is None:
                return replayed
            self._state().applied(rows)
            return [r["order_id"] for r in rows]

    def correct(self, event_id, operator: str, idempotency_key: str, *,
                from_type: str | None, to_type: str | None, text: str = "",
                added: Iterable[str] = (), removed: Iterable[str] = (),
                seat: str | None = None, source: str | None = None) -> int:
        """Record an operator's correction of a routed event (its type, departments added or
        removed) as one ``correct`` row; returns its seq. A repeated key writes nothing."""
        _check_text(operator=operator, idempotency_key=idempotency_key)
        cols = correction_row(str(event_id), from_type, to_type, text, added, removed)
        with self._lock:
            self._ensure_open()

            def build() -> list[dict[str, Any]]:
                return [self._make_row(self._seq + 1, self._hash, _naive_utc(self.clock()),
                                       operator=operator, seat=seat, source=source,
                                       idempotency_key=idempotency_key, **cols)]

            rows, replayed = self._commit(
                idempotency_key, build,
                lambda ex: _replay_correct(ex, str(event_id), idempotency_key))
            return replayed if rows is None else int(rows[0]["seq"])

    def advance(self, order_id: str, action: str, operator: str, idempotency_key: str,
                note: str = "", *, outcome: str = "ok", seat: str | None = None,
                source: str | None = None) -> Receipt:
        """Record one action on an order (acknowledge, handle, verify, close, evaluate, cancel).

        Raises :class:`IllegalTransition` when the order's state does not allow it. A repeated
        key returns the first result (``Receipt.repeated``) and writes nothing.
        """
        _check_text(operator=operator, idempotency_key=idempotency_key)
        _check_action(action)
        with self._lock:
            self._ensure_open()

            def replay(ex):
                return _replay_advance(ex, order_id, action, idempotency_key)

            def build() -> list[dict[str, Any]]:
                try:
                    o = _check_advance(self._state(), order_id, action)
                except IllegalTransition:
                    existing = self._rows_for_key(idempotency_key)
                    if existing:
                        raise _Replayed(replay(existing)) from None
                    raise
                return [self._make_row(
                    self._seq + 1, self._hash, _naive_utc(self.clock()), order_id=order_id,
                    event_id=o.event_id, dept_id=o.dept_id, action=action, operator=operator,
                    seat=seat, source=source, outcome=outcome, note=note,
                    idempotency_key=idempotency_key)]

            try:
                rows, replayed = self._commit(idempotency_key, build, replay)
            except _Replayed as r:
                return r.receipt
            if rows is None:
                return replayed
            self._state().applied(rows)
            r = rows[0]
            return Receipt(order_id, action, self._orders[order_id].state, r["seq"], r["at_utc"])

    def _state(self) -> _Slots:
        """The cache as a :class:`_Slots` (its dicts may have been replaced by a reload)."""
        return _Slots(self._orders, self._open_by_slot, self._generation)

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


class _Replayed(Exception):
    def __init__(self, receipt: Receipt):
        self.receipt = receipt


def _check_text(**kw: str) -> None:
    for k, v in kw.items():
        if not isinstance(v, str) or not v.strip():
            raise ValueError(f"{k} must be a non-empty string")


def _check_rule(r: dict[str, Any], state: dict[str, str], creates: dict[str, int]) -> list[str]:
    """The order rules, replayed over the log (catches a rewritten but re-hashed log)."""
    oid, action, seq = r["order_id"], r["action"], int(r["seq"])
    if action in EVENT_ACTIONS:
        return []
    if action == "create":
        if oid in creates:
            return [f"row seq {seq}: order {oid} created a second time (first at seq "
                    f"{creates[oid]})"]
        creates[oid] = seq
        state[oid] = "created"
        return []
    cur = state.get(oid)
    if cur is None:
        return [f"row seq {seq}: '{action}' on order {oid}, which was never created"]
    if action not in TRANSITIONS.get(cur, ()):
        return [f"row seq {seq}: '{action}' on order {oid} in state {cur} breaks the rules"]
    state[oid] = STATE_AFTER[action]
    return []


def _order_view(df: pd.DataFrame, t: datetime) -> pd.DataFrame:
    df = df.copy()
    df["state"] = df.pop("last_action").map(STATE_AFTER)
    df["next_actions"] = df["state"].map(lambda s: ",".join(TRANSITIONS.get(s, ())))
    dl = [json.loads(x) if isinstance(x, str) and x else {} for x in df["deadlines"]]
    created = pd.to_datetime(df["created_at"])
    for a in DEADLINE_ACTIONS:
        minutes = pd.to_numeric(pd.Series([d.get(a) for d in dl], index=df.index,
                                          dtype="float64"))
        df[f"{a}_due"] = created + pd.to_timedelta(minutes, unit="min")
    tt = pd.Timestamp(t)
    open_ = ~df["state"].isin(FINISHED)
    over_action = pd.Series([None] * len(df), index=df.index, dtype="object")
    over_due = pd.Series(pd.NaT, index=df.index, dtype="datetime64[us]")
    next_due = pd.Series(pd.NaT, index=df.index, dtype="datetime64[us]")
    late = [[] for _ in range(len(df))]
    for a in reversed(DEADLINE_ACTIONS):  # reversed: the earliest action wins
        due = df[f"{a}_due"].astype("datetime64[us]")
        done = df[f"{a}_at"].astype("datetime64[us]")
        pending = done.isna() & open_ & due.notna()
        past = pending & (due < tt)
        over_action = over_action.mask(past, a)
        over_due = over_due.mask(past, due)
        next_due = next_due.mask(pending, due)
        for i in (((done > due) & done.notna()) | past).to_numpy().nonzero()[0]:
            late[i].insert(0, a)
    df["next_due"] = next_due
    df["overdue"] = over_action.notna()
    df["overdue_action"] = over_action
    df["overdue_min"] = ((tt - over_due).dt.total_seconds() / 60.0).round(1)
    df["late_actions"] = [",".join(x) for x in late]
    front = ["order_id", "event_id", "dept_id", "plan_id", "state", "next_actions", "overdue",
             "overdue_action", "overdue_min", "next_due", "created_by", "created_at"]
    rest = [c for c in df.columns if c not in front]
    return df[front + rest].reset_index(drop=True)


def open_store(location, routing: Callable[[Any], list[PlanStep]] | None = None,
               key: bytes | str | None = None, read_only: bool = False, **kw: Any
               ) -> DispatchStore:
    """Open (creating if needed) the dispatch store at ``location``: a DuckDB file path, or a
    ``postgresql://`` URL for the store all seats of a centre share
    (:class:`cockpit.datasets.dispatch_pg.PgDispatchStore`; ``key`` does not apply there).

    ``routing``: a callable ``event_id -> list[PlanStep]`` that ``create`` asks when it is
    given no plan. ``key``: the HMAC key of the head file (default: ``<store>.key``).
    ``read_only``: open for reading and :meth:`DispatchStore.verify` only. Keyword options:
    ``seat`` (default: host name), ``source`` (default ``gui``), ``clock`` (a callable returning
    the current UTC time; drills pass their simulated clock).

    Raises :class:`StoreLocked` when another process holds the file;
    :class:`cockpit.datasets.dispatch_pg.StoreUnavailable` when the server cannot be reached.
    """
    if is_pg_location(location):
        from cockpit.datasets.dispatch_pg import PgDispatchStore

        return PgDispatchStore(str(location), routing=routing, key=key, read_only=read_only, **kw)
    return DispatchStore(Path(location), routing=routing, key=key, read_only=read_only, **kw)


def is_pg_location(location: Any) -> bool:
    """True for a ``postgresql://`` (or ``postgres://``) URL."""
    return isinstance(location, str) and location.startswith(("postgresql:", "postgres:"))
