"""The dispatch store: an append-only, hash-chained log of dispatch actions.

An **order** is one department's assignment for one event. It moves through the stages of its
plan's flow (:mod:`cockpit.datasets.stages`), by default the management loop

    create (派遣) → acknowledge (签收) → handle (处置) → verify (核查) → close (结案)
      → evaluate (评价)

and for a plan with ``stages = react,confirm,handle,close`` the emergency flow

    create (派遣) → acknowledge (反应) → confirm (核实) → handle (处置) → close (结案)

It may be cancelled at any point before close (a cancel says why in its note), and returned
(``rework``, 退回, with a note) to the stage before its last working stage (核实, 处置 or 核查
done): a failed 核查 sends it back to 处置; the row's ``outcome`` is the state it returns to.
评价 records a rating in ``outcome``: 满意 / 基本满意 / 不满意 (:data:`RATINGS`). An event
that needs no dispatch leaves the queue by one ``dismiss`` (不予派遣, the reason in the note)
or ``merge`` (合并 as a duplicate, ``outcome`` ``duplicate_of:<id>``) row under the order id
``<event_id>/~event/1`` (:meth:`DispatchStore.dispose`); an operator's correction of what the
router made of a report is a ``correct`` row under ``<event_id>/~event/correct``
(:meth:`DispatchStore.correct`). These event actions share one code path and the chain; the
order view leaves them out. The store keeps nothing but the log; the state of every order is
a view over it (:meth:`DispatchStore.orders`).

Public API (the GUI, the CLI and the tests use only this)::

    store = open_store(path, routing=None, key=None, read_only=False)
    ids = store.create(event_id, operator, idempotency_key, plan=None)   # -> [order_id, ...]
    rec = store.advance(order_id, action, operator, idempotency_key, note="")   # -> Receipt
    rec = store.dispose(event_id, "dismiss" | "merge", operator, key, note, duplicate_of=None)
    store.dispositions(as_of=None)  # DataFrame: the events dismissed or merged
    seq = store.correct(event_id, operator, key, from_type=..., to_type=..., text="",
                        added=(), removed=())   # a routed event's correction (智能分拨)
    store.corrections()           # [Correction, ...]: every correction, in order
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
``action``            create / acknowledge / confirm / handle / verify / close / evaluate /
                      cancel / rework (what); or an event action, about the event rather than
                      an order (department ``~event``; see ``ledger.EVENT_ACTIONS``):
                      ``dismiss`` / ``merge`` (``store.dispose``, read back by
                      ``store.dispositions()``) or ``correct``, an operator's correction of a
                      routed event (智能分拨; ``store.correct``, read back by
                      ``store.corrections()``)
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
                      "close": min}`` after dispatch, one per stage of the order's flow but
                      evaluate; a flow other than the loop adds ``"stages": [...]`` (a row
                      without it — every row written before flows — runs the loop)
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
The PostgreSQL store (:mod:`cockpit.datasets.dispatch.pg_store`, ``open_store("postgresql://…")``)
shares the rules, the rows, the replies to repeated keys, the order view and the checks
(:mod:`ledger`: :class:`Slots`, :func:`make_row`, :func:`create_rows`, :func:`check_advance`,
:class:`LogReader`), reading the head and the orders' states inside its write transaction
instead of a cache.
"""


from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from cockpit.datasets.dispatch.duckdb_store import DispatchStore
from cockpit.datasets.dispatch.ledger import (
    ACTIONS,
    COLUMNS,
    DISPOSALS,
    EVENT_ACTIONS,
    EVENT_DEPT,
    FINISHED,
    GENESIS,
    LEVEL_ACTIONS,
    NOTE_REQUIRED,
    RATINGS,
    SCHEMA_VERSION,
    STATE_AFTER,
    STATES,
    TRANSITIONS,
    Correction,
    DispatchError,
    DuplicateOpenOrder,
    EventNotOpen,
    IdempotencyConflict,
    IllegalTransition,
    NotPermitted,
    Receipt,
    StoreLocked,
    StoreRecovered,
    StoreUnavailable,
    StoreWriteError,
    UnknownOrder,
    canonical_row,
    check_rows,
    correction_note,
    make_row,
    next_actions,
    parse_corrections,
    rework_state,
    row_hash,
)
from cockpit.datasets.routing import PlanStep

__all__ = [
    "open_store", "is_pg_location", "DispatchStore",
    "ACTIONS",
    "Correction",
    "correction_note",
    "parse_corrections",
    "COLUMNS",
    "DISPOSALS",
    "EVENT_ACTIONS",
    "EVENT_DEPT",
    "EventNotOpen",
    "NOTE_REQUIRED",
    "RATINGS",
    "FINISHED",
    "GENESIS",
    "SCHEMA_VERSION",
    "STATE_AFTER",
    "STATES",
    "TRANSITIONS",
    "DispatchError",
    "DuplicateOpenOrder",
    "IdempotencyConflict",
    "IllegalTransition",
    "LEVEL_ACTIONS",
    "NotPermitted",
    "Receipt",
    "StoreLocked",
    "StoreRecovered",
    "StoreUnavailable",
    "StoreWriteError",
    "UnknownOrder",
    "canonical_row",
    "check_rows",
    "make_row",
    "next_actions",
    "rework_state",
    "row_hash",
]



def open_store(location, routing: Callable[[Any], list[PlanStep]] | None = None,
               key: bytes | str | None = None, read_only: bool = False, **kw: Any
               ) -> DispatchStore:
    """Open (creating if needed) the dispatch store at ``location``: a DuckDB file path, or a
    ``postgresql://`` URL for the store all seats of a centre share
    (:class:`cockpit.datasets.dispatch.pg_store.PgDispatchStore`; ``key`` does not apply there).

    ``routing``: a callable ``event_id -> list[PlanStep]`` that ``create`` asks when it is
    given no plan. ``key``: the HMAC key of the head file (default: ``<store>.key``).
    ``read_only``: open for reading and :meth:`DispatchStore.verify` only. Keyword options:
    ``seat`` (default: host name), ``source`` (default ``gui``), ``clock`` (a callable returning
    the current UTC time; drills pass their simulated clock).

    Raises :class:`StoreLocked` when another process holds the file;
    :class:`cockpit.datasets.dispatch.pg_store.StoreUnavailable` when the server cannot be reached.
    """
    if is_pg_location(location):
        from cockpit.datasets.dispatch.pg_store import PgDispatchStore

        return PgDispatchStore(str(location), routing=routing, key=key, read_only=read_only, **kw)
    return DispatchStore(Path(location), routing=routing, key=key, read_only=read_only, **kw)


def is_pg_location(location: Any) -> bool:
    """True for a ``postgresql://`` (or ``postgres://``) URL."""
    return isinstance(location, str) and location.startswith(("postgresql:", "postgres:"))
