"""The dispatch store on a shared PostgreSQL database: every seat of a centre writes one log.

``open_store("postgresql://user@host/db")`` returns a :class:`PgDispatchStore` with the API,
the rules, the rows and the hash chain of the DuckDB store (:mod:`cockpit.datasets.dispatch`,
whose helpers it shares) and the same tables (``store_meta``, ``dispatch_log``).

Concurrency comes from the database. A write is one transaction that first takes the
transaction-scoped advisory lock :data:`WRITE_LOCK` (``pg_advisory_xact_lock``), so writers from
any number of processes and machines queue up one at a time; inside it the transaction reads
the idempotency key, the chain's head and the states of the orders it touches, inserts its rows
and calls ``pg_notify`` — all committed together or not at all. The chain is serial by nature
(each row holds the hash of the one before), so one writer at a time is what it needs; a write
takes a few milliseconds. Behind the lock the constraints hold anyway: ``seq`` is the primary
key, ``(idempotency_key, part)`` and ``order_created`` are UNIQUE (the n-th order of an event and
department is created once, which makes "one open order per event and department" a database
rule), and a trigger refuses UPDATE, DELETE and TRUNCATE on ``dispatch_log``.

Change propagation. Each write notifies channel :data:`CHANNEL` with the new head ``seq`` in
the same transaction (PostgreSQL delivers it on commit, never for a rolled-back write).
:meth:`PgDispatchStore.watch` runs a thread with its own connection that LISTENs, and polls the
head every ``poll_s`` seconds as a fallback (a lost notice, a proxy that drops them); it calls
``on_change(seq)`` for every new head and ``on_status(connected, detail)`` when the connection
drops or comes back (it reconnects by itself, backing off from 0.25 s to 5 s).
:meth:`changes_since` gives the rows to catch up on.

Disconnects. A call that finds the server gone raises :class:`StoreUnavailable` (a
:class:`StoreWriteError`). A write that failed before its commit was sent recorded nothing; if
the connection broke while committing, the store reconnects once and asks for the key: the
write either is there (its result is returned) or not (nothing recorded). If the server cannot
be asked, the error says the outcome is unknown and that repeating the same request (same key)
is safe: it returns the first result or writes once.

No head file. The DuckDB store signs its chain head into a file beside the store, because the
file itself can be cut short by anyone who can write it. Here the database is the authority:
seats connect as a role that may only INSERT and SELECT ``dispatch_log`` (README), and the
append-only trigger refuses edits even to the owner unless it drops the trigger, which
:meth:`verify` reports. A shared secret key on every seat would add nothing: whoever can
rewrite the table as its owner could read a seat's key too. ``key=`` is therefore refused.
"""

from __future__ import annotations

import contextlib
import secrets
import socket
import threading
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

import pandas as pd
import psycopg
from cockpit.datasets.dispatch.ledger import (
    COLUMNS,
    DDL,
    EXT_COLUMNS,
    GENESIS,
    LEVEL_ACTIONS,
    SCHEMA_VERSION,
    STATE_AFTER,
    DispatchError,
    EventActions,
    LogReader,
    NotPermitted,
    Receipt,
    Slots,
    StoreUnavailable,
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

__all__ = ["PgDispatchStore", "StoreUnavailable", "Watcher", "CHANNEL", "WRITE_LOCK", "redacted"]

#: LISTEN/NOTIFY channel; the payload is the new head seq.
CHANNEL = "cockpit_dispatch"
#: The advisory lock key every write takes (an arbitrary constant: 'DSPT' in ASCII).
WRITE_LOCK = 0x44535054

_EXTRA_DDL = (
    "CREATE INDEX IF NOT EXISTS dispatch_log_order ON dispatch_log (order_id, seq)",
    "CREATE INDEX IF NOT EXISTS dispatch_log_event ON dispatch_log (event_id, dept_id)",
    """CREATE OR REPLACE FUNCTION cockpit_dispatch_log_append_only() RETURNS trigger
       LANGUAGE plpgsql AS $$
       BEGIN
         RAISE EXCEPTION 'dispatch_log is append-only: % refused', TG_OP;
       END $$""",
    """CREATE OR REPLACE TRIGGER dispatch_log_append_only
       BEFORE UPDATE OR DELETE ON dispatch_log
       FOR EACH ROW EXECUTE FUNCTION cockpit_dispatch_log_append_only()""",
    """CREATE OR REPLACE TRIGGER dispatch_log_no_truncate
       BEFORE TRUNCATE ON dispatch_log
       FOR EACH STATEMENT EXECUTE FUNCTION cockpit_dispatch_log_append_only()""",
)
_TRIGGERS = ("dispatch_log_append_only", "dispatch_log_no_truncate")
_TIMESTAMP_OID = 1114


#: A writer that stops between its statements (a frozen seat) holds the write lock; the server
#: ends its transaction after this long, and a writer waits for the lock at most LOCK_WAIT_MS.
IDLE_IN_WRITE_MS = 5_000
LOCK_WAIT_MS = 15_000


def _session_options(connect_timeout: float) -> dict[str, Any]:
    """libpq options of every connection: the timeouts above, TCP keepalives so that a dead
    network is noticed in seconds rather than hours."""
    return {"connect_timeout": max(1, int(connect_timeout)),
            "options": f"-c idle_in_transaction_session_timeout={IDLE_IN_WRITE_MS} "
                       f"-c lock_timeout={LOCK_WAIT_MS}",
            "keepalives": 1, "keepalives_idle": 5, "keepalives_interval": 2,
            "keepalives_count": 3}


def redacted(url: str) -> str:
    """The URL without a password, for messages."""
    try:
        info = psycopg.conninfo.conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "the PostgreSQL dispatch store"
    return (f"postgresql://{info.get('user', '')}@{info.get('host', '')}:"
            f"{info.get('port', '5432')}/{info.get('dbname', '')}")


class PgDispatchStore(LogReader, EventActions):
    """The dispatch store on a PostgreSQL database. Use :func:`open_store` with a URL."""

    shared = True

    def __init__(self, url: str, *, routing: Callable[[Any], list[PlanStep]] | None = None,
                 key: bytes | str | None = None, read_only: bool = False,
                 seat: str | None = None, source: str = "gui",
                 clock: Callable[[], datetime] | None = None, connect_timeout: float = 3.0):
        if key is not None:
            raise ValueError("the PostgreSQL dispatch store keeps no signed head file "
                             "(the database is the authority): key= does not apply")
        self.url = url
        self.location = url  # what open_store() opens again
        self.path = redacted(url)  # what messages and the window call the store
        self.read_only = read_only
        self.routing = routing
        self.seat = seat or socket.gethostname()
        self.source = source
        self.clock = clock or utcnow
        self.connect_timeout = connect_timeout
        self.recovered = None
        self.incidents: list[str] = []
        self.head_path = None
        self._lock = threading.RLock()
        self._con: psycopg.Connection | None = None
        self._closed = False
        self._head: tuple[int, str] = (0, GENESIS)
        self.down_since: datetime | None = None
        try:
            self._connect()
        except StoreUnavailable as e:
            raise StoreUnavailable(f"派遣库无法连接 · cannot reach the dispatch store "
                                   f"{self.path}: {_first_line(e.__cause__)}") from e
        self._setup()
        self._read_head()

    # ------------------------------------------------------------------ connecting

    def _connect(self) -> psycopg.Connection:
        try:
            con = psycopg.connect(self.url, autocommit=True,
                                  application_name=f"cockpit {self.seat}"[:63],
                                  **_session_options(self.connect_timeout))
        except psycopg.OperationalError as e:
            self._went_down(e)
            raise StoreUnavailable(self._down_text(e)) from e
        self._con = con
        if self.down_since is not None:
            self.incidents.append(f"{iso(utcnow())} reconnected to {self.path}")
        self.down_since = None
        return con

    def _conn(self) -> psycopg.Connection:
        """The connection, reconnecting if it was lost."""
        if self._closed:
            raise DispatchError("the dispatch store is closed")
        if self._con is None or self._con.closed or self._con.broken:
            return self._connect()
        return self._con

    def _went_down(self, e: Exception) -> None:
        if self.down_since is None:
            self.down_since = utcnow()
            self.incidents.append(f"{iso(self.down_since)} connection lost: {e}")
        if self._con is not None:
            with contextlib.suppress(Exception):
                self._con.close()
        self._con = None

    def _down_text(self, e: Exception) -> str:
        return (f"派遣库连接中断 · the dispatch store {self.path} cannot be reached: "
                f"{_first_line(e)}")

    @property
    def connected(self) -> bool:
        """False from a lost connection until the next call that reconnects."""
        return self._con is not None and not self._con.closed and not self._con.broken

    def _setup(self) -> None:
        """Create the tables if the database has none (owner's rights needed only then)."""
        con = self._conn()
        with con.transaction():
            exists = con.execute("SELECT to_regclass('dispatch_log') IS NOT NULL").fetchone()[0]
            if not exists:
                if self.read_only:
                    raise DispatchError(f"no dispatch store in {self.path}")
                con.execute("SELECT pg_advisory_xact_lock(%s)", [WRITE_LOCK])
                for ddl in (*DDL, *_EXTRA_DDL):
                    con.execute(ddl)
            try:
                rows = dict(con.execute("SELECT name, value FROM store_meta").fetchall())
            except psycopg.errors.UndefinedTable as e:
                raise DispatchError(f"{self.path} is not a dispatch store") from e
            if not rows and not self.read_only:
                rows = {"schema_version": str(SCHEMA_VERSION), "store_id": secrets.token_hex(16),
                        "created_utc": iso(utcnow())}
                con.execute("INSERT INTO store_meta VALUES " + ",".join(["(%s, %s)"] * 3)
                            + " ON CONFLICT (name) DO NOTHING",
                            [x for kv in rows.items() for x in kv])
                rows = dict(con.execute("SELECT name, value FROM store_meta").fetchall())
        have = {r[0] for r in con.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name = 'dispatch_log' AND table_schema = current_schema()").fetchall()}
        self.log_columns = COLUMNS + tuple(c for c in EXT_COLUMNS if c in have)
        self.levels = (con.execute("SELECT to_regclass('centre_login') IS NOT NULL").fetchone()[0]
                       and set(EXT_COLUMNS) <= have)
        self.login = con.execute("SELECT session_user").fetchone()[0]
        self.centre = self.role = None
        if self.levels:
            me = con.execute("SELECT centre, role FROM cockpit_whoami()").fetchone()
            if me is not None:
                self.centre, self.role = me
        if int(rows.get("schema_version", SCHEMA_VERSION)) > SCHEMA_VERSION:
            raise DispatchError(f"{self.path} was written by a newer cockpit "
                                f"(schema {rows['schema_version']})")
        self.store_id = rows.get("store_id", "")

    # ------------------------------------------------------------------ running SQL

    def _call(self, fn: Callable[[psycopg.Connection], Any]) -> Any:
        """Run ``fn(connection)``, once more on a new connection if the old one had been
        lost (a server restart); a server that cannot be reached raises
        :class:`StoreUnavailable`."""
        with self._lock:
            for attempt in (1, 2):
                con = self._conn()
                try:
                    return fn(con)
                except psycopg.OperationalError as e:
                    self._went_down(e)
                    if attempt == 2:
                        raise StoreUnavailable(self._down_text(e)) from e
        raise AssertionError("unreachable")

    def _df(self, sql: str, params: list[Any]) -> pd.DataFrame:
        def run(con):
            cur = con.execute(sql.replace("?", "%s"), params)
            return cur.fetchall(), cur.description
        rows, desc = self._call(run)
        df = pd.DataFrame(rows, columns=[d.name for d in desc])
        for d in desc:
            if d.type_code == _TIMESTAMP_OID:
                df[d.name] = pd.to_datetime(df[d.name]).astype("datetime64[us]")
        return df

    def _chunks(self, sql: str) -> Iterable[list[tuple]]:
        # a read-only transaction: one snapshot of the log while it is read in chunks
        with self._lock:
            con = self._conn()
            try:
                with con.transaction():
                    con.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                    with con.cursor(name="cockpit_verify") as cur:
                        cur.execute(sql)
                        while chunk := cur.fetchmany(5000):
                            yield chunk
            except psycopg.OperationalError as e:
                self._went_down(e)
                raise StoreUnavailable(self._down_text(e)) from e

    @property
    def _head_sql(self) -> str:
        """The chain's head; in a levels store through a function that sees every row (a
        centre's login sees only its own rows, but chains after the last row of all)."""
        return ("SELECT seq, hash FROM cockpit_head()" if self.levels else
                "SELECT seq, hash FROM dispatch_log ORDER BY seq DESC LIMIT 1")

    def _read_head(self) -> tuple[int, str]:
        row = self._call(lambda con: con.execute(self._head_sql).fetchone())
        self._head = (int(row[0]), row[1]) if row else (0, GENESIS)
        return self._head

    @staticmethod
    def _rows_for_key(con: psycopg.Connection, key: str) -> list[dict[str, Any]]:
        cur = con.execute("SELECT * FROM dispatch_log WHERE idempotency_key = %s ORDER BY part",
                          [key])
        names = [d.name for d in cur.description]
        return [dict(zip(names, r)) for r in cur.fetchall()]

    @staticmethod
    def _slots(con: psycopg.Connection, where: str, params: list[Any]) -> Slots:
        """The states of the orders the write touches, read inside its transaction."""
        return Slots.from_rows(con.execute(
            f"""SELECT x.order_id, x.event_id, x.dept_id, x.action, x.outcome, c.deadlines
                FROM (SELECT DISTINCT ON (order_id) order_id, event_id, dept_id, action,
                             outcome
                      FROM dispatch_log WHERE ({where}) AND action NOT IN ({_LEVEL_IN})
                      ORDER BY order_id, seq DESC) x
                LEFT JOIN dispatch_log c ON c.order_id = x.order_id
                                        AND c.action = 'create'""",
            params).fetchall())

    # ------------------------------------------------------------------ writing

    def _write(self, key: str, build: Callable[[psycopg.Connection, tuple[int, str]],
                                               list[dict[str, Any]]],
               replay: Callable[[list[dict[str, Any]]], Any]):
        """One transaction: lock, the key, the head, the rows, the notice. Returns
        ``(rows, None)`` or ``(None, replay(existing rows))``."""
        if self.read_only:
            raise StoreWriteError(f"the dispatch store {self.path} is open read-only: "
                                  "nothing was recorded")
        with self._lock:
            try:
                return self._write_once(key, build, replay)
            except _Stale:  # the connection had been lost (server restarted): once more
                return self._write_once(key, build, replay, last=True)

    def _write_once(self, key: str, build, replay, last: bool = False):
        nothing = (". Nothing was recorded; the same request is safe to repeat when the store"
                   " is back.")
        try:
            con = self._conn()
        except StoreUnavailable as e:
            raise StoreUnavailable(str(e) + nothing) from e.__cause__
        committing = False
        try:
            with con.transaction():
                con.execute("SELECT pg_advisory_xact_lock(%s)", [WRITE_LOCK])
                existing = self._rows_for_key(con, key)
                if existing:
                    return None, replay(existing)
                row = con.execute(self._head_sql).fetchone()
                head = (int(row[0]), row[1]) if row and row[0] is not None else (0, GENESIS)
                rows = build(con, head)
                cols = self.log_columns
                one = "(" + ",".join(["%s"] * len(cols)) + ")"
                con.execute(f"INSERT INTO dispatch_log ({', '.join(cols)}) VALUES "
                            + ",".join([one] * len(rows)),
                            [r.get(c) for r in rows for c in cols])
                con.execute("SELECT pg_notify(%s, %s)", [CHANNEL, str(rows[-1]["seq"])])
                committing = True
        except psycopg.errors.UniqueViolation as e:  # cannot happen behind the lock
            raise DispatchError(f"the store refused the write: {e}") from e
        except psycopg.errors.InsufficientPrivilege as e:
            raise NotPermitted(_refusal(e, self.login)) from e
        except psycopg.errors.RaiseException as e:
            raise NotPermitted(_refusal(e, self.login)) from e
        except psycopg.errors.LockNotAvailable as e:
            raise StoreWriteError(
                f"派遣库繁忙 · the dispatch store {self.path} is busy: another seat held the "
                f"write lock for {LOCK_WAIT_MS // 1000} s. Nothing was recorded; the same "
                "request is safe to repeat.") from e
        except psycopg.OperationalError as e:
            self._went_down(e)
            if not committing:
                if not last:
                    raise _Stale() from e
                raise StoreUnavailable(self._down_text(e) + nothing) from e
            return self._after_lost_commit(key, replay, e)
        self._head = (rows[-1]["seq"], rows[-1]["hash"])
        return rows, None

    def _after_lost_commit(self, key: str, replay, e: Exception):
        """The connection broke while committing: did the write land?"""
        try:
            con = self._connect()
            existing = self._rows_for_key(con, key)
        except (StoreUnavailable, psycopg.OperationalError) as e2:
            self._went_down(e2)
            raise StoreUnavailable(
                self._down_text(e) + ". The store did not confirm the write and cannot be asked "
                "now: repeat the same request when it is back — if the write landed the repeat "
                "returns it, otherwise it is written once.") from e
        if existing:
            return None, replay(existing)
        raise StoreUnavailable(self._down_text(e) + ". Nothing was recorded (checked after "
                               "reconnecting); the same request is safe to repeat.") from e

    def create(self, event_id, operator: str, idempotency_key: str,
               plan: list[PlanStep] | None = None, *, dept_id: str | None = None,
               deadlines: dict[str, float] | None = None, plan_id: str | None = None,
               targets: dict[str, float] | None = None, note: str = "",
               seat: str | None = None, source: str | None = None,
               area: str | None = None, owner: str | None = None) -> list[str]:
        """Dispatch an event: one order per department of its plan, in one transaction (see
        :meth:`cockpit.datasets.dispatch.DispatchStore.create`).

        In a levels store (``cockpit centre init``) the row also carries the acting centre,
        ``area`` (the event's admin unit, required: it decides who may see the order) and
        ``owner`` (the owning centre; default: this login's centre); the operator is this
        login, whatever ``operator`` says (the database refuses anything else)."""
        event_id = str(event_id)
        check_text(operator=operator, idempotency_key=idempotency_key)
        ext = self._identity(operator)
        if self.levels:
            if not area:
                raise ValueError("a levels store needs the event's area (admin unit code)")
            ext.update(area=str(area), owner=owner or self.centre)
        operator = ext.pop("operator")
        prepared: list[Any] = []

        def build(con, head):
            if not prepared:  # after the key check: a retry needs no plan
                prepared.extend(plan_orders(event_id, plan, dept_id, deadlines, plan_id,
                                             targets, self.routing))
            orders, pid = prepared
            slots = self._slots(con, "event_id = %s", [event_id])
            return create_rows(slots, head, naive_utc(self.clock()), event_id, orders, pid,
                                operator=operator, seat=seat or self.seat,
                                source=source or self.source, note=note,
                                idempotency_key=idempotency_key, **ext)

        rows, replayed = self._write(idempotency_key, build,
                                     lambda ex: replay_create(ex, event_id, idempotency_key))
        return replayed if rows is None else [r["order_id"] for r in rows]

    def advance(self, order_id: str, action: str, operator: str, idempotency_key: str,
                note: str = "", *, outcome: str = "ok", seat: str | None = None,
                source: str | None = None, owner: str | None = None,
                due: datetime | None = None) -> Receipt:
        """Record one action on an order (see
        :meth:`cockpit.datasets.dispatch.DispatchStore.advance`).

        A levels store also takes the actions between centres (:data:`LEVEL_ACTIONS`):
        ``escalate`` / ``delegate`` / ``return`` with the new ``owner``, ``delegate`` and
        ``supervise`` with a deadline ``due`` (UTC); escalate, return and supervise need a
        ``note`` (the reason)."""
        check_text(operator=operator, idempotency_key=idempotency_key)
        check_action(action, note, outcome, levels=self.levels)
        ext = self._identity(operator)
        operator = ext.pop("operator")
        if action in LEVEL_ACTIONS:
            _check_level_args(action, owner, due, note)
            ext.update(owner=owner, due_utc=naive_utc(due) if due is not None else None)
        state_box: list[str] = []

        def build(con, head):
            o = check_advance(self._slots(con, "order_id = %s", [order_id]), order_id, action)
            state_box[:] = [o.state]
            if self.levels:
                ext["area"] = con.execute(
                    "SELECT area FROM dispatch_log WHERE order_id = %s AND action = 'create'",
                    [order_id]).fetchone()[0]
            return [make_row(head[0] + 1, head[1], naive_utc(self.clock()),
                             order_id=order_id, event_id=o.event_id, dept_id=o.dept_id,
                             action=action, operator=operator, seat=seat or self.seat,
                             source=source or self.source,
                             outcome=advance_outcome(o, action, outcome), note=note,
                             idempotency_key=idempotency_key, **ext)]

        rows, replayed = self._write(
            idempotency_key, build,
            lambda ex: replay_advance(ex, order_id, action, idempotency_key))
        if rows is None:
            return replayed
        r = rows[0]
        state = (r["outcome"] if action == "rework" else
                 STATE_AFTER.get(action) or (state_box[0] if state_box else ""))
        return Receipt(order_id, action, state, r["seq"], r["at_utc"])

    def _identity(self, operator: str) -> dict[str, Any]:
        """The operator and centre a row records: in a levels store this login and its
        centre (the database checks them), else the operator the caller names."""
        if not self.levels:
            return {"operator": operator}
        return {"operator": self.login, "centre": self.centre}

    def _event_action(self, event_id, action: str, operator: str, idempotency_key: str,
                      note: str, *, duplicate_of: str | None = None, seat: str | None = None,
                      source: str | None = None, area: str | None = None) -> Receipt:
        """One event action (:data:`ledger.EVENT_ACTIONS`) as one row, in one write
        transaction like every write. In a levels store the row records this login and its
        centre, and ``area`` (the event's admin unit, required) like :meth:`create`."""
        event_id = str(event_id)
        check_text(operator=operator, idempotency_key=idempotency_key)
        ext = self._identity(operator)
        if self.levels:
            if not area:
                raise ValueError(f"a levels store needs the area (admin unit code) of event "
                                 f"{event_id} to record its {action}: nothing was recorded")
            ext["area"] = str(area)

        def build(con, head):
            return event_rows(self._slots(con, "event_id = %s", [event_id]), head,
                              naive_utc(self.clock()), event_id, action, note, duplicate_of,
                              seat=seat or self.seat, source=source or self.source,
                              idempotency_key=idempotency_key, **ext)

        rows, replayed = self._write(
            idempotency_key, build,
            lambda ex: replay_event(ex, event_id, action, idempotency_key))
        return replayed if rows is None else event_receipt(rows[0])

    # ------------------------------------------------------------------ reading

    @property
    def head(self) -> tuple[int, str]:
        """The chain's head in the database: (seq, hash); the last one seen while the server
        cannot be reached."""
        try:
            return self._read_head()
        except StoreUnavailable:
            return self._head

    def state(self, order_id: str) -> str | None:
        """The current state of an order (None if unknown)."""
        s = self._call(lambda con: self._slots(con, "order_id = %s", [order_id]))
        o = s.orders.get(order_id)
        return o.state if o else None

    def open_order(self, event_id, dept_id: str) -> str | None:
        """The open order of an event and department, if any."""
        s = self._call(lambda con: self._slots(con, "event_id = %s AND dept_id = %s",
                                               [str(event_id), dept_id]))
        return s.open_by_slot.get((str(event_id), dept_id))

    def verify(self) -> list[str]:
        """Check the log: every row's hash, the chain, the seq numbers, the order rules, and
        that the append-only triggers are in place. Returns the problems (empty: all good)."""
        problems, _last, _ = self._check_log()
        have = {r[0] for r in self._call(lambda con: con.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'dispatch_log'::regclass "
            "AND tgenabled <> 'D'").fetchall())}
        for t in _TRIGGERS:
            if t not in have:
                problems.append(f"the append-only trigger {t} on dispatch_log is missing or "
                                "disabled: rows could have been edited or deleted without a "
                                "trace the chain can show (deleting the newest rows)")
        return problems

    # ------------------------------------------------------------------ watching

    def watch(self, on_change: Callable[[int], None],
              on_status: Callable[[bool, str], None] | None = None, *,
              poll_s: float = 1.0) -> Watcher:
        """Call ``on_change(seq)`` (from a thread) when the head moves — another seat's write
        or this one's — and ``on_status(connected, detail)`` when the connection to the server
        drops or returns. Stop with ``watcher.stop()`` (``close()`` stops every watcher)."""
        w = Watcher(self.url, on_change, on_status, start_seq=self._head[0], poll_s=poll_s,
                    connect_timeout=self.connect_timeout)
        self._watchers.append(w)
        return w

    @property
    def _watchers(self) -> list[Watcher]:
        if not hasattr(self, "_watcher_list"):
            self._watcher_list: list[Watcher] = []
        return self._watcher_list

    # ------------------------------------------------------------------ closing

    def close(self) -> None:
        for w in self._watchers:
            w.stop()
        with self._lock:
            self._closed = True
            if self._con is not None:
                with contextlib.suppress(Exception):
                    self._con.close()
                self._con = None

    def __repr__(self) -> str:
        return f"PgDispatchStore({self.path!r}, seq={self._head[0]})"


_LEVEL_IN = ", ".join(f"'{a}'" for a in LEVEL_ACTIONS)


def _check_level_args(action: str, owner: str | None, due: datetime | None, note: str) -> None:
    if action in ("escalate", "delegate", "return") and not owner:
        raise ValueError(f"{action} needs the centre that becomes the owner")
    if action in ("delegate", "supervise") and due is None:
        raise ValueError(f"{action} needs a deadline")
    if action in ("escalate", "return", "supervise") and not note.strip():
        raise ValueError(f"{action} needs a reason (note)")


def _refusal(e: Exception, login: str) -> str:
    """The database's refusal in words an operator can act on; nothing was recorded."""
    diag = getattr(e, "diag", None)
    detail = (diag.message_primary if diag is not None and diag.message_primary else str(e))
    return (f"数据库拒绝了该操作 · the database refused this action for {login}: "
            f"{detail.strip()}. Nothing was recorded.")


class _Stale(Exception):
    """A write failed on a connection that turned out to be lost, before its commit."""


def _first_line(e: BaseException | None) -> str:
    text = str(e).strip()
    return text.splitlines()[0] if text else type(e).__name__


class Watcher:
    """The thread behind :meth:`PgDispatchStore.watch`: LISTEN, poll as a fallback,
    reconnect with backoff."""

    def __init__(self, url: str, on_change: Callable[[int], None],
                 on_status: Callable[[bool, str], None] | None, *, start_seq: int = 0,
                 poll_s: float = 1.0, connect_timeout: float = 3.0) -> None:
        self.url = url
        self.on_change = on_change
        self.on_status = on_status
        self.seq = start_seq
        self.poll_s = poll_s
        self.connect_timeout = connect_timeout
        self.connected: bool | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="dispatch-watch", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _status(self, ok: bool, detail: str) -> None:
        if self.connected is ok:
            return
        self.connected = ok
        if self.on_status is not None:
            self.on_status(ok, detail)

    def _seen(self, seq: int) -> None:
        if seq > self.seq:
            self.seq = seq
            self.on_change(seq)

    def _run(self) -> None:
        backoff = 0.25
        while not self._stop.is_set():
            con = None
            try:
                con = psycopg.connect(self.url, autocommit=True,
                                      **_session_options(self.connect_timeout))
                con.execute(f"LISTEN {CHANNEL}")
                self._status(True, "")
                backoff = 0.25
                while not self._stop.is_set():
                    head = con.execute("SELECT coalesce(max(seq), 0) FROM dispatch_log"
                                       ).fetchone()[0]
                    self._seen(int(head))
                    for n in con.notifies(timeout=self.poll_s):
                        with contextlib.suppress(ValueError):
                            self._seen(int(n.payload))
                        if self._stop.is_set():
                            break
            except psycopg.Error as e:
                self._status(False, _first_line(e))
                self._stop.wait(backoff)
                backoff = min(backoff * 2, 5.0)
            finally:
                if con is not None:
                    with contextlib.suppress(Exception):
                        con.close()

