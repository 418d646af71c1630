"""The dispatch ledger's rules, shared by both stores: actions and states, errors, rows and
their hash chain, the order view. No database driver: each store (``duckdb_store``,
``pg_store``) supplies the reads and the writes.

What the ledger is and how it is used: see the package docstring
(``datasets/dispatch/__init__.py``)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from cockpit.datasets.routing import DEADLINE_ACTIONS, PlanStep, by_department, order_deadlines
from cockpit.datasets.stages import (
    ACTION_STAGE,
    DEFAULT_STAGES,
    REWORKABLE,
    STAGES_KEY,
    order_stages,
    parse_stages,
    stage_actions,
)

SCHEMA_VERSION = 1
GENESIS = "0" * 64
#: Every order action. Which of the stage actions (acknowledge 签收, confirm 核实, handle 处置,
#: verify 核查, close 结案, evaluate 评价) an order runs, in which order, is its plan's flow
#: (:func:`cockpit.datasets.stages.order_stages`); cancel 撤销 ends an open order and rework
#: 退回 returns it to the stage before its last working stage (a failed 核查 sends it back to
#: 处置; the state it returns to is the row's ``outcome``).
ACTIONS = ("create", "acknowledge", "confirm", "handle", "verify", "close", "evaluate",
           "cancel", "rework")
#: Actions about an event rather than an order (事件处置 without dispatching, and the router's
#: corrections), written to the same hash chain under the department :data:`EVENT_DEPT` by one
#: code path (:func:`event_rows`, the stores' ``dispose`` and ``correct``):
#:
#: - ``dismiss`` 不予派遣 (the reason in the note) and ``merge`` 合并 as a duplicate of another
#:   event (``outcome`` ``duplicate_of:<event_id>``) are :data:`DISPOSALS`: final, once per
#:   event, under the order id ``<event_id>/~event/1`` (its ``order_created``, so the database
#:   refuses a second), refused while the event has an open order;
#: - ``correct``: the operator changed what the router (智能分拨) made of a report — its type
#:   and/or its departments — under ``<event_id>/~event/correct``, a JSON ``note``
#:   ``{"from_type", "to_type", "text", "added", "removed"}``; it may repeat, changes no
#:   order's state, and ``cockpit route train`` learns from it.
DISPOSALS = ("dismiss", "merge")
EVENT_ACTIONS = (*DISPOSALS, "correct")
EVENT_DEPT = "~event"
#: The ratings 评价 records in ``outcome`` (satisfied / fairly satisfied / unsatisfied: the
#: words are the data, as the hotline records them) and what each counts for in the
#: closed-loop board's satisfaction rate.
RATINGS = {"满意": 1.0, "基本满意": 0.5, "不满意": 0.0}
#: Actions that must say why (the note).
NOTE_REQUIRED = ("cancel", "dismiss", "merge", "rework")
#: The state an action leads to (rework: the state recorded in its ``outcome``).
STATE_AFTER = {"create": "created", "acknowledge": "acknowledged", "confirm": "confirmed",
               "handle": "handled", "verify": "verified", "close": "closed",
               "evaluate": "evaluated", "cancel": "cancelled", "dismiss": "dismissed",
               "merge": "merged"}
STATES = tuple(STATE_AFTER.values())
#: state -> the actions allowed next in the default management loop (rework aside); an
#: order's own flow: :func:`next_actions`.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "created": ("acknowledge", "cancel"),
    "acknowledged": ("handle", "cancel"),
    "handled": ("verify", "cancel"),
    "verified": ("close", "cancel"),
    "closed": ("evaluate",),
    "evaluated": (),
    "cancelled": (),
    "dismissed": (),
    "merged": (),
}
#: States in which an order no longer holds its event and department.
FINISHED = frozenset({"closed", "evaluated", "cancelled", "dismissed", "merged"})
#: Actions between the levels of the centres (上报 escalate, 下派 delegate, 督办 supervise,
#: 退回 return): they change who owns an order (``owner``) or attach a supervision deadline
#: (``due_utc``), never its state; allowed while the order is open. Only a store that knows
#: the centres (PostgreSQL with ``cockpit centre init``) writes them.
LEVEL_ACTIONS = ("escalate", "delegate", "supervise", "return")

COLUMNS = ("seq", "order_id", "event_id", "dept_id", "action", "at_utc", "operator", "seat",
           "source", "outcome", "note", "idempotency_key", "part", "order_created", "plan_id",
           "deadlines", "steps", "prev_hash", "hash")
#: Columns after ``hash`` that a row of a levels store carries: the acting centre, the owning
#: centre after the row, the event's admin unit, and a deadline (delegate, supervise). A row's
#: hash covers the ones that are set (rows without them hash exactly as before they existed).
EXT_COLUMNS = ("centre", "owner", "area", "due_utc")
ALL_COLUMNS = COLUMNS + EXT_COLUMNS

DDL = (
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


class EventNotOpen(DispatchError):
    """A dismiss or merge of an event that is not waiting for dispatch."""

    def __init__(self, event_id: str, why: str):
        self.event_id = event_id
        super().__init__(f"event {event_id} cannot be dismissed or merged: {why}; nothing was "
                         "recorded")


class NotPermitted(DispatchError):
    """The store refused an action this login or centre may not take (its role, or an order
    outside its area): nothing was recorded."""


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


def iso(ts: datetime) -> str:
    if ts.tzinfo is not None:
        ts = ts.astimezone(UTC).replace(tzinfo=None)
    return ts.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_row(row: dict[str, Any]) -> bytes:
    """The bytes a row's hash covers: every column but ``hash``, in :data:`COLUMNS` order."""
    vals = []
    for c in COLUMNS[:-1]:
        v = row[c]
        if c == "at_utc":
            v = iso(v)
        elif c in ("seq", "part"):
            v = int(v)
        vals.append(v)
    ext = {c: row.get(c) for c in EXT_COLUMNS if row.get(c) is not None}
    if ext:
        if "due_utc" in ext:
            ext["due_utc"] = iso(to_datetime(ext["due_utc"]))
        vals.append(ext)
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

@dataclass
class Order:
    event_id: str
    dept_id: str
    state: str
    stages: tuple[str, ...] = DEFAULT_STAGES  # the flow it runs (its plan's)


def next_actions(state: str, stages: tuple[str, ...] = DEFAULT_STAGES) -> tuple[str, ...]:
    """The actions an order in ``state`` running the flow ``stages`` may take next: its next
    stage, then cancel and (after a working stage) rework; a closed order: evaluate if its
    flow has it."""
    acts = stage_actions(stages)
    if state == "closed":
        return ("evaluate",) if "evaluate" in acts else ()
    if state in FINISHED:
        return ()
    if state == "created":
        i = 0
    else:
        done = next((k for k, a in enumerate(acts) if STATE_AFTER[a] == state), None)
        if done is None:
            return ("cancel",)
        i = done + 1
    out = [acts[i]] if i < len(acts) else []
    out.append("cancel")
    if i > 0 and ACTION_STAGE[acts[i - 1]] in REWORKABLE:
        out.append("rework")
    return tuple(out)


def rework_state(state: str, stages: tuple[str, ...] = DEFAULT_STAGES) -> str:
    """The state a rework (退回) of an order in ``state`` returns it to: the state before its
    last working stage (handled → acknowledged in the loop: 处置 is to do again)."""
    acts = stage_actions(stages)
    k = next((k for k, a in enumerate(acts) if STATE_AFTER[a] == state), None)
    if k is None:
        raise ValueError(f"an order in state {state} has no stage to return to")
    return STATE_AFTER[acts[k - 1]] if k > 0 else "created"


def utcnow() -> datetime:
    return datetime.now(UTC)


def naive_utc(ts: datetime) -> datetime:
    if ts.tzinfo is not None:
        ts = ts.astimezone(UTC).replace(tzinfo=None)
    return ts



# --------------------------------------------------------------------------- shared by backends
# The rules, the rows and the views below serve both stores: the DuckDB store asks them with
# its in-process cache of order states, the PostgreSQL store (dispatch_pg) with the states it
# reads inside its write transaction.


@dataclass
class Slots:
    """Order states, the open order of each (event, department) and the highest order number
    (generation) each (event, department) has had."""

    orders: dict[str, Order] = field(default_factory=dict)
    open_by_slot: dict[tuple[str, str], str] = field(default_factory=dict)
    generation: dict[tuple[str, str], int] = field(default_factory=dict)

    @classmethod
    def from_rows(cls, rows: Iterable[tuple]) -> Slots:
        """From ``(order_id, event_id, dept_id, last action, its outcome, the create row's
        deadlines)`` per order (the last two may be left out: the default loop)."""
        s = cls()
        for oid, ev, dept, action, *more in rows:
            if action == "correct":
                continue
            outcome = more[0] if more else None
            flow = order_stages(more[1]) if len(more) > 1 else DEFAULT_STAGES
            st = (outcome if action == "rework" else
                  STATE_AFTER.get(action, action))  # the query skips level actions
            s.orders[oid] = Order(ev, dept, st, flow)
            slot = (ev, dept)
            s.generation[slot] = max(s.generation.get(slot, 0), order_number(oid))
            if st not in FINISHED:
                s.open_by_slot[slot] = oid
        return s

    def applied(self, rows: list[dict[str, Any]]) -> None:
        """Take written rows into account."""
        for r in rows:
            if r["action"] in LEVEL_ACTIONS or r["action"] == "correct":
                continue
            oid, slot = r["order_id"], (r["event_id"], r["dept_id"])
            st = r["outcome"] if r["action"] == "rework" else STATE_AFTER[r["action"]]
            if r["action"] in EVENT_ACTIONS:
                self.orders[oid] = Order(r["event_id"], r["dept_id"], st)
                continue
            if r["action"] == "create":
                self.orders[oid] = Order(r["event_id"], r["dept_id"], st,
                                         order_stages(r.get("deadlines")))
                self.open_by_slot[slot] = oid
                self.generation[slot] = order_number(oid)
                continue
            self.orders[oid].state = st
            if st in FINISHED and self.open_by_slot.get(slot) == oid:
                del self.open_by_slot[slot]


def order_number(order_id: str) -> int:
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
    row.update({c: kw[c] for c in EXT_COLUMNS if kw.get(c) is not None})
    row["hash"] = row_hash(row)
    return row


def plan_orders(event_id: str, plan: list[PlanStep] | None, dept_id: str | None,
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
        dl: dict[str, Any] = {a: float(v) for a, v in (deadlines or {}).items()
                              if a in DEADLINE_ACTIONS}
        flow = parse_stages((deadlines or {}).get(STAGES_KEY))
        if flow != DEFAULT_STAGES:
            dl[STAGES_KEY] = list(flow)
        return [(dept_id, dl, [])], plan_id
    groups = by_department(plan)
    if not groups:
        raise ValueError(f"the plan for event {event_id} has no steps")
    tg = targets if targets is not None else getattr(plan, "targets", None)
    closes = [s.due_min for s in plan if s.stage == "close"]
    plan_close = max(closes) if closes else None
    pid = plan_id if plan_id is not None else getattr(plan, "plan_id", None)
    flow = tuple(getattr(plan, "stages", DEFAULT_STAGES))
    return ([(d, with_stages(order_deadlines(st, tg, plan_close, flow), flow),
              [s.as_dict() for s in st]) for d, st in groups], pid)


def with_stages(deadlines: dict[str, Any], flow: tuple[str, ...]) -> dict[str, Any]:
    """An order's deadlines as its create row records them: the flow under ``stages`` when
    it is not the default loop (so a loop order's row reads as before flows existed)."""
    if tuple(flow) != DEFAULT_STAGES:
        return {**deadlines, STAGES_KEY: list(flow)}
    return deadlines


def create_rows(slots: Slots, head: tuple[int, str], at: datetime, event_id: str,
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


def check_advance(slots: Slots, order_id: str, action: str) -> Order:
    """The order, if its state allows ``action``; else :class:`IllegalTransition`."""
    o = slots.orders.get(order_id)
    if o is None:
        raise UnknownOrder(order_id, action)
    allowed = next_actions(o.state, o.stages)
    if action in LEVEL_ACTIONS and o.state not in FINISHED:
        return o
    if action not in allowed:
        raise IllegalTransition(order_id, o.state, action, allowed)
    return o


def advance_outcome(o: Order, action: str, outcome: str) -> str:
    """The ``outcome`` an advance row records: for a rework the state the order returns to
    (:func:`rework_state`), else what the caller gave."""
    return rework_state(o.state, o.stages) if action == "rework" else outcome


def check_action(action: str, note: str = "", outcome: str = "ok",
                 levels: bool = False) -> None:
    """An order action's name, its note (a cancel says why) and a rating's value; a levels
    store also takes the actions between centres (:data:`LEVEL_ACTIONS`)."""
    if levels and action in LEVEL_ACTIONS:
        return
    if action not in ACTIONS or action == "create":
        raise ValueError(f"unknown action {action!r}: one of "
                         f"{', '.join(a for a in ACTIONS if a != 'create')}")
    if action in NOTE_REQUIRED and not (note or "").strip():
        raise ValueError(f"'{action}' needs a note saying why: nothing was recorded")
    if action == "evaluate" and outcome not in ("ok", *RATINGS):
        raise ValueError(f"unknown rating {outcome!r}: one of {', '.join(RATINGS)}")


def event_order_id(event_id: str, action: str = "dismiss") -> str:
    """The log's order id of an event action: ``<event_id>/~event/1`` for a disposal (dismiss
    or merge: one per event), ``<event_id>/~event/correct`` for a correction."""
    return f"{event_id}/{EVENT_DEPT}/{'correct' if action == 'correct' else 1}"


def correction_note(from_type: str | None, to_type: str | None, text: str = "",
                    added: Iterable[str] = (), removed: Iterable[str] = (),
                    lon: float | None = None, lat: float | None = None) -> str:
    """The JSON note of a ``correct`` row (both stores write the same); ``lon``/``lat``: where
    the report was made, as its sender gave it (kept only when both are a usable point)."""
    note: dict[str, Any] = {"from_type": from_type, "to_type": to_type, "text": text or "",
                            "added": sorted(set(added)), "removed": sorted(set(removed))}
    point = _point(lon, lat)
    if point is not None:
        note["lon"], note["lat"] = point
    return json.dumps(note, ensure_ascii=False, separators=(",", ":"))


def _point(lon: Any, lat: Any) -> tuple[float, float] | None:
    """(lon, lat) as floats when they are a usable point (the router's rule,
    :func:`cockpit.datasets.triage.surround.valid_point`), else ``None``."""
    from cockpit.datasets.triage.surround import valid_point

    return (float(lon), float(lat)) if valid_point(lon, lat) else None


def event_rows(slots: Slots, head: tuple[int, str], at: datetime, event_id: str,
               action: str, note: str = "", duplicate_of: str | None = None,
               **common: Any) -> list[dict[str, Any]]:
    """The one row of an event action (:data:`EVENT_ACTIONS`). A disposal is refused
    (:class:`EventNotOpen`) when the event has an open order or has been dismissed or merged
    already, and (:class:`ValueError`) without a reason or (merge) without another event to
    merge into; a correction's ``note`` is its :func:`correction_note`."""
    if action not in EVENT_ACTIONS:
        raise ValueError(f"unknown event action {action!r}: one of {', '.join(EVENT_ACTIONS)}")
    oid = event_order_id(event_id, action)
    if action == "correct":
        return [make_row(head[0] + 1, head[1], at, order_id=oid, event_id=event_id,
                         dept_id=EVENT_DEPT, action=action, note=note, **common)]
    if not (note or "").strip():
        raise ValueError(f"'{action}' of event {event_id} needs a reason: nothing was recorded")
    outcome = "dismissed"
    if action == "merge":
        dup = str(duplicate_of or "").strip()
        if not dup or dup == event_id:
            raise ValueError(f"merging event {event_id} needs the id of the other event it "
                             "repeats: nothing was recorded")
        outcome = f"duplicate_of:{dup}"
    done = slots.orders.get(oid)
    if done is not None:
        raise EventNotOpen(event_id, f"it was {done.state} already")
    busy = {d: o for (e, d), o in slots.open_by_slot.items() if e == event_id}
    if busy:
        raise EventNotOpen(event_id, "it has open orders: " + ", ".join(busy.values()))
    return [make_row(head[0] + 1, head[1], at, order_id=oid, event_id=event_id,
                     dept_id=EVENT_DEPT, action=action, order_created=oid, note=note,
                     outcome=outcome, **common)]


def event_receipt(row: dict[str, Any], repeated: bool = False) -> Receipt:
    """The result of an event action (its state: dismissed, merged, or '' for a correction)."""
    return Receipt(row["order_id"], row["action"], STATE_AFTER.get(row["action"], ""),
                   int(row["seq"]), to_datetime(row["at_utc"]), repeated=repeated)


def replay_advance(rows: list[dict[str, Any]], order_id: str, action: str,
                    key: str) -> Receipt:
    """The first result of a repeated advance key (or :class:`IdempotencyConflict`)."""
    r = rows[0]
    if r["order_id"] != order_id or r["action"] != action:
        raise IdempotencyConflict(
            f"idempotency key {key!r} was used for '{r['action']}' of order "
            f"{r['order_id']}, not for '{action}' of order {order_id}: use a new key for a new "
            "request")
    return Receipt(order_id, action, STATE_AFTER.get(action, ""), int(r["seq"]),
                   to_datetime(r["at_utc"]), repeated=True)


def replay_event(rows: list[dict[str, Any]], event_id: str, action: str,
                 key: str) -> Receipt:
    """The first result of a repeated event-action key (or :class:`IdempotencyConflict`)."""
    r = rows[0]
    if r["event_id"] != event_id or r["action"] != action:
        raise IdempotencyConflict(
            f"idempotency key {key!r} was used for '{r['action']}' of {r['order_id']}, not for "
            f"'{action}' of event {event_id}: use a new key for a new request")
    return event_receipt(r, repeated=True)


def replay_create(rows: list[dict[str, Any]], event_id: str, key: str) -> list[str]:
    """The first result of a repeated create key (or :class:`IdempotencyConflict`)."""
    if rows[0]["action"] != "create" or rows[0]["event_id"] != event_id:
        raise IdempotencyConflict(
            f"idempotency key {key!r} was used for '{rows[0]['action']}' of order "
            f"{rows[0]['order_id']}, not for dispatching event {event_id}: use a new key "
            "for a new request")
    return [r["order_id"] for r in rows]


def to_datetime(v: Any) -> datetime:
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
    #: where the report was made (its sender's point), ``None`` when not known
    lon: float | None = None
    lat: float | None = None


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
        if not isinstance(n, dict):
            continue
        point = _point(n.get("lon"), n.get("lat")) or (None, None)
        out.append(Correction(int(r.seq), str(r.event_id), to_datetime(r.at_utc), r.operator,
                              n.get("from_type"), n.get("to_type"), n.get("text") or "",
                              tuple(n.get("added") or ()), tuple(n.get("removed") or ()),
                              *point))
    return out


#: The actions a rework can reopen (their rows before the last rework no longer count).
_REWORK_ACTIONS = ("confirm", "handle", "verify")
#: The order view's query (``?``: the as-of moment); portable SQL.
ORDERS_SQL = """WITH l AS (SELECT * FROM dispatch_log WHERE at_utc <= ?),
     last AS (SELECT l.order_id, l.action, l.outcome, l.at_utc, l.seq FROM l
              JOIN (SELECT order_id, max(seq) AS s FROM l
                    WHERE action NOT IN ({level}) GROUP BY order_id) m
                ON l.seq = m.s),
     c AS (SELECT order_id, event_id, dept_id, plan_id, operator, source, at_utc,
                  deadlines, steps, seq FROM l WHERE action = 'create'),
     rw AS (SELECT l.order_id, l.seq AS rework_seq, l.outcome AS rework_state FROM l
            JOIN (SELECT order_id, max(seq) AS s FROM l WHERE action = 'rework'
                  GROUP BY order_id) m ON l.seq = m.s),
     a AS (SELECT l.order_id, {at_cols},
                  {rw_cols}
           FROM l LEFT JOIN rw ON rw.order_id = l.order_id GROUP BY l.order_id)
SELECT c.order_id, c.event_id, c.dept_id, c.plan_id, last.action AS last_action,
       c.operator AS created_by, c.source AS created_source, c.at_utc AS created_at,
       {a_cols},
       last.outcome, last.at_utc AS last_at, last.seq AS last_seq,
       c.deadlines, c.steps, rw.rework_state, {a_rw_cols}
FROM c JOIN last ON last.order_id = c.order_id
       JOIN a ON a.order_id = c.order_id
       LEFT JOIN rw ON rw.order_id = c.order_id
ORDER BY c.seq""".format(
    level=", ".join(f"'{a}'" for a in LEVEL_ACTIONS),
    a_cols=", ".join(f"a.{a}_at" for a in ACTIONS if a != "create"),
    at_cols=",\n".join(f"max(CASE WHEN l.action = '{a}' THEN l.at_utc END) AS {a}_at"
                       for a in ACTIONS if a != "create"),
    rw_cols=",\n".join(f"max(CASE WHEN l.action = '{a}' AND l.seq > rw.rework_seq "
                       f"THEN l.at_utc END) AS {a}_at_rw" for a in _REWORK_ACTIONS),
    a_rw_cols=", ".join(f"a.{a}_at_rw" for a in _REWORK_ACTIONS))

#: Who owns each order as of a moment, where its event is, and its supervision (a levels
#: store only; ``?``: the as-of moment).
OWNERS_SQL = """WITH l AS (SELECT * FROM dispatch_log WHERE at_utc <= ?),
     o AS (SELECT l.order_id, l.owner, l.action AS owner_action FROM l
           JOIN (SELECT order_id, max(seq) AS s FROM l WHERE owner IS NOT NULL
                 GROUP BY order_id) m ON l.seq = m.s),
     c AS (SELECT order_id, centre AS created_centre, area FROM l WHERE action = 'create'),
     s AS (SELECT order_id, max(due_utc) AS supervise_due, max(at_utc) AS supervised_at,
                  count(*) AS supervisions
           FROM l WHERE action = 'supervise' GROUP BY order_id),
     d AS (SELECT order_id, max(due_utc) AS delegate_due FROM l WHERE action = 'delegate'
           GROUP BY order_id)
SELECT c.order_id, c.created_centre, c.area, o.owner, o.owner_action, s.supervise_due,
       s.supervised_at, s.supervisions, d.delegate_due
FROM c LEFT JOIN o ON o.order_id = c.order_id LEFT JOIN s ON s.order_id = c.order_id
       LEFT JOIN d ON d.order_id = c.order_id"""


class EventActions:
    """The event actions both stores offer the same way (:data:`EVENT_ACTIONS`): a store
    gives :meth:`_event_action`, one row through its own write path."""

    def dispose(self, event_id, action: str, operator: str, idempotency_key: str,
                note: str, *, duplicate_of: str | None = None, seat: str | None = None,
                source: str | None = None, area: str | None = None) -> Receipt:
        """Take an event off the queue without dispatching it: ``dismiss`` (不予派遣, ``note``
        the reason) or ``merge`` (合并, a duplicate of event ``duplicate_of``). One log row;
        refused (:class:`EventNotOpen`) for an event with open orders or already disposed. A
        repeated key returns the first result and writes nothing. ``area``: the event's admin
        unit, which a levels store needs (it decides who may see and do it)."""
        if action not in DISPOSALS:
            raise ValueError(f"unknown disposal {action!r}: one of {', '.join(DISPOSALS)}")
        return self._event_action(event_id, action, operator, idempotency_key, note,
                                  duplicate_of=duplicate_of, seat=seat, source=source,
                                  area=area)

    def correct(self, event_id, operator: str, idempotency_key: str, *,
                from_type: str | None, to_type: str | None, text: str = "",
                added: Iterable[str] = (), removed: Iterable[str] = (),
                seat: str | None = None, source: str | None = None,
                area: str | None = None, lon: float | None = None,
                lat: float | None = None) -> int:
        """Record an operator's correction of a routed event (its type, departments added or
        removed) as one ``correct`` row; returns its seq. A repeated key writes nothing.
        ``area`` as for :meth:`dispose`; ``lon``/``lat``: where the report was made, as its
        sender gave it (the router learns what the place says from it too)."""
        note = correction_note(from_type, to_type, text, added, removed, lon, lat)
        return self._event_action(event_id, "correct", operator, idempotency_key, note,
                                  seat=seat, source=source, area=area).seq

    def _event_action(self, event_id, action: str, operator: str, idempotency_key: str,
                      note: str, *, duplicate_of: str | None = None, seat: str | None = None,
                      source: str | None = None, area: str | None = None) -> Receipt:
        raise NotImplementedError


class LogReader:
    """What both stores read the same way: the log, an order's history, the order view, the
    check of the chain and the rules. A backend gives :meth:`_df` (a query as a DataFrame,
    ``?`` placeholders) and :meth:`_chunks` (a query's rows in chunks)."""

    clock: Callable[[], datetime]
    #: True for a store several seats write at once (changes arrive from elsewhere)
    shared = False
    #: The log's columns in this store (an older store may lack :data:`EXT_COLUMNS`)
    log_columns: tuple[str, ...] = COLUMNS
    #: True where the centres' tables exist (owner, area, level actions)
    levels = False

    def _df(self, sql: str, params: list[Any]) -> pd.DataFrame:
        raise NotImplementedError

    def _chunks(self, sql: str) -> Iterable[list[tuple]]:
        raise NotImplementedError

    def log(self, since_seq: int = 0) -> pd.DataFrame:
        """The log rows after ``since_seq``, in order."""
        return self._df("SELECT * FROM dispatch_log WHERE seq > ? ORDER BY seq", [int(since_seq)])

    def corrections(self) -> list[Correction]:
        """Every ``correct`` row (the operators' corrections of routed events), in order."""
        return parse_corrections(self._df(
            "SELECT * FROM dispatch_log WHERE action = 'correct' ORDER BY seq", []))

    def changes_since(self, seq: int) -> pd.DataFrame:
        """The rows written after ``seq`` (by any seat), in order: what a seat has to catch
        up on after a change notice or a reconnect."""
        return self.log(seq)

    def history(self, order_id: str) -> pd.DataFrame:
        """Every log row of one order, in order (empty if the order is unknown)."""
        return self._df("SELECT * FROM dispatch_log WHERE order_id = ? ORDER BY seq", [order_id])

    def dispositions(self, as_of: datetime | None = None) -> pd.DataFrame:
        """The events dismissed or merged by ``as_of`` (UTC, default: all): event_id, action
        (dismiss / merge), at_utc, operator, note (the reason), outcome
        (``duplicate_of:<event_id>`` for a merge), in the log's order."""
        t = naive_utc(as_of) if as_of is not None else datetime(9999, 1, 1)
        return self._df("SELECT event_id, action, at_utc, operator, note, outcome "
                        "FROM dispatch_log WHERE action IN ('dismiss', 'merge') "
                        "AND at_utc <= ? ORDER BY seq", [t])

    def orders(self, as_of: datetime | None = None) -> pd.DataFrame:
        """One row per order as of ``as_of`` (a UTC moment; naive means UTC; default now).

        Columns: order_id, event_id, dept_id, plan_id, state, stages (the actions of the
        order's flow, comma-separated: :func:`cockpit.datasets.stages.order_stages`),
        next_actions (comma-separated), created_by, created_source (the create row's source:
        ``gui``, ``api``, ``auto`` for 自动派遣 …), created_at, <action>_at for
        acknowledge/confirm/handle/verify/close/evaluate/cancel/rework (NaT when not done by
        ``as_of``; after a rework the reopened stages count from it on), <action>_due for
        acknowledge/confirm/handle/verify/close (NaT where the flow has no such stage),
        next_due (the earliest deadline still pending), overdue (an open order with a pending
        action past its deadline), overdue_action, overdue_min (minutes past that deadline),
        late_actions (comma-separated actions done after their deadline), outcome (of the last
        action), last_at, last_seq, deadlines and steps (the JSON of the create row).
        """
        t = naive_utc(as_of if as_of is not None else self.clock())
        view = order_view(self._df(ORDERS_SQL, [t]), t)
        if self.levels:
            view = owner_view(view, self._df(OWNERS_SQL, [t]), t)
        return view

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
        flows: dict[str, tuple[str, ...]] = {}
        hash_at = None
        cols = self.log_columns
        for chunk in self._chunks(f"SELECT {', '.join(cols)} FROM dispatch_log ORDER BY seq"):
            rows = [dict(zip(cols, r)) for r in chunk]
            p, last, prev = check_rows(rows, prev, expect)
            problems += p
            expect = last + 1
            for r in rows:
                if r["seq"] == want_seq:
                    hash_at = r["hash"]
                problems += check_rule(r, state, creates, flows)
        return problems, expect - 1, hash_at

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        raise NotImplementedError

class Replayed(Exception):
    def __init__(self, receipt: Receipt):
        self.receipt = receipt


def check_text(**kw: str) -> None:
    for k, v in kw.items():
        if not isinstance(v, str) or not v.strip():
            raise ValueError(f"{k} must be a non-empty string")


def check_rule(r: dict[str, Any], state: dict[str, str], creates: dict[str, int],
               flows: dict[str, tuple[str, ...]] | None = None) -> list[str]:
    """The order rules, replayed over the log (catches a rewritten but re-hashed log);
    ``flows`` keeps each order's stage list (from its create row) between calls."""
    oid, action, seq = r["order_id"], r["action"], int(r["seq"])
    flows = {} if flows is None else flows
    if action == "correct":  # about the event, no order: may repeat, changes no state
        return []
    if action == "create" or action in DISPOSALS:
        if oid in creates:
            return [f"row seq {seq}: order {oid} created a second time (first at seq "
                    f"{creates[oid]})"]
        creates[oid] = seq
        state[oid] = STATE_AFTER[action]
        flows[oid] = order_stages(r.get("deadlines"))
        return []
    cur = state.get(oid)
    if cur is None:
        return [f"row seq {seq}: '{action}' on order {oid}, which was never created"]
    if action in LEVEL_ACTIONS:
        return ([] if cur not in FINISHED else
                [f"row seq {seq}: '{action}' on order {oid} in state {cur} breaks the rules"])
    flow = flows.get(oid, DEFAULT_STAGES)
    if action not in next_actions(cur, flow):
        return [f"row seq {seq}: '{action}' on order {oid} in state {cur} breaks the rules"]
    if action == "rework":
        back = rework_state(cur, flow)
        if r.get("outcome") != back:
            return [f"row seq {seq}: rework of order {oid} in state {cur} records "
                    f"{r.get('outcome')!r}, not the state before its last stage ({back})"]
        state[oid] = back
        return []
    state[oid] = STATE_AFTER[action]
    return []


def order_view(df: pd.DataFrame, t: datetime) -> pd.DataFrame:
    df = df.copy()
    last = df.pop("last_action")
    df["state"] = last.map(STATE_AFTER).where(last != "rework", df["outcome"])
    dl = [json.loads(x) if isinstance(x, str) and x else {} for x in df["deadlines"]]
    flows = [order_stages(d) for d in dl]
    df["stages"] = [",".join(stage_actions(f)) for f in flows]
    df["next_actions"] = [",".join(next_actions(s, f)) for s, f in zip(df["state"], flows)]
    # a rework (退回) reopens a stage: that stage's and later ones' rows before it no longer
    # count as done
    back = df.pop("rework_state")
    for i in back.notna().to_numpy().nonzero()[0]:
        acts = stage_actions(flows[i])
        k = next((k for k, a in enumerate(acts) if STATE_AFTER[a] == back.iloc[i]), -1)
        for a in acts[k + 1:]:
            if a in _REWORK_ACTIONS:
                df.loc[df.index[i], f"{a}_at"] = df[f"{a}_at_rw"].iloc[i]
    df = df.drop(columns=[f"{a}_at_rw" for a in _REWORK_ACTIONS])
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
    front = ["order_id", "event_id", "dept_id", "plan_id", "state", "stages", "next_actions",
             "overdue", "overdue_action", "overdue_min", "next_due", "created_by",
             "created_at"]
    rest = [c for c in df.columns if c not in front]
    return df[front + rest].reset_index(drop=True)


def owner_view(view: pd.DataFrame, owners: pd.DataFrame, t: datetime) -> pd.DataFrame:
    """The order view with its levels columns: created_centre, area, owner, owner_action (the
    action that made the owner: create, escalate, delegate, return), supervise_due,
    supervisions, supervision_overdue (an open order past a supervision deadline) and
    delegate_due."""
    out = view.merge(owners, on="order_id", how="left")
    due = pd.to_datetime(out["supervise_due"]).astype("datetime64[us]")
    out["supervision_overdue"] = (due.notna() & (due < pd.Timestamp(t))
                                  & ~out["state"].isin(FINISHED))
    out["supervisions"] = out["supervisions"].fillna(0).astype(int)
    return out
