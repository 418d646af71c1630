"""The live tables: readings, reports and quarantined input that arrive while the cockpit runs.

Two stores with one interface (:class:`LiveStore`): the embedded DuckDB file of a single seat
(``<data dir>/live.duckdb``, written by the intake thread inside the cockpit's own process —
DuckDB lets one process at a time open a file for writing) and the centre's PostgreSQL
database (the same database as the shared dispatch store, written by the separate ``cockpit
ingest`` process, read by every seat).

Tables (both stores; times are naive local time, the catalog's convention):

``live_reading``     ``seq`` (monotonic), ``kind`` (vital / sensor), ``source_id``, ``ts``,
                     ``value``, ``received_at``; key (kind, source_id, ts): a redelivered
                     message is recognised and not stored twice
``live_report``      ``seq``, ``channel`` (open311 / mqtt / sensor), ``client``, ``ext_id``
                     (the sender's id, unique per client when given), ``service_code``
                     (NULL: unclassified, 待分拨), ``description``, ``lat``, ``lon``,
                     ``address``, ``attributes`` (JSON text), ``source``, ``severity``,
                     ``occurred_at``, ``received_at``
``live_quarantine``  ``seq``, ``received_at``, ``channel``, ``topic``, ``reason``,
                     ``payload`` (the first 4 KiB), ``size`` (bytes received)

Writes come in batches (DuckDB: an Arrow table inserted in one statement, the readings whose
key is stored already left out by an anti-join — see ``_DUCK_INSERT_READINGS`` for why not a
PRIMARY KEY; PostgreSQL: ``COPY`` into a temporary table, then ``INSERT … ON CONFLICT DO
NOTHING``); readers follow the
tables with a cursor on ``seq`` (:meth:`LiveStore.readings_after`,
:meth:`LiveStore.reports_after`): only one writer ever writes, one commit at a time, so the
sequence numbers a reader sees only grow.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

import duckdb
import pyarrow as pa

__all__ = ["LiveStore", "DuckLiveStore", "PgLiveStore", "open_live_store", "Reading",
           "Report", "Quarantined", "is_pg", "PAYLOAD_KEEP"]

PAYLOAD_KEEP = 4096
"""Bytes of a quarantined payload kept for the operator (the size is kept too)."""


def is_pg(location: object) -> bool:
    """A ``postgresql://`` (or ``postgres://``) URL."""
    return isinstance(location, str) and location.startswith(("postgresql://", "postgres://"))


class Reading(NamedTuple):
    """One reading of a vital sign or a sensor (a tuple: thousands a second are made)."""

    kind: str  # "vital" | "sensor"
    source_id: str
    ts: datetime
    value: float
    received_at: datetime


@dataclass
class Report:
    """A citizen/grid/hotline report or a device alarm (an event waiting for the operator)."""

    channel: str
    client: str
    description: str
    received_at: datetime
    occurred_at: datetime
    service_code: str | None = None
    lat: float | None = None
    lon: float | None = None
    address: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    ext_id: str | None = None
    source: str = "hotline"
    severity: int | None = None
    seq: int | None = None  # set when stored


@dataclass(frozen=True)
class Quarantined:
    """Input refused, with the reason."""

    channel: str
    topic: str
    reason: str
    payload: bytes
    received_at: datetime


_READING_SCHEMA = pa.schema([("kind", pa.string()), ("source_id", pa.string()),
                             ("ts", pa.timestamp("us")), ("value", pa.float64()),
                             ("received_at", pa.timestamp("us"))])

_EPOCH = datetime(1970, 1, 1)
_US = timedelta(microseconds=1)


def _reading_table(readings: Sequence[Reading]) -> pa.Table:
    """An Arrow table of readings (times go in as integers: Arrow converts Python datetimes
    one by one, slowly)."""
    ts = pa.array([(r.ts - _EPOCH) // _US for r in readings], pa.int64())
    rec = pa.array([(r.received_at - _EPOCH) // _US for r in readings], pa.int64())
    return pa.Table.from_arrays(
        [pa.array([r.kind for r in readings], pa.string()),
         pa.array([r.source_id for r in readings], pa.string()),
         ts.cast(pa.timestamp("us")),
         pa.array([r.value for r in readings], pa.float64()),
         rec.cast(pa.timestamp("us"))], schema=_READING_SCHEMA)


_REPORT_COLS = ("channel", "client", "ext_id", "service_code", "description", "lat", "lon",
                "address", "attributes", "source", "severity", "occurred_at", "received_at")


def _report_tuple(r: Report) -> tuple:
    return (r.channel, r.client, r.ext_id, r.service_code, r.description, r.lat, r.lon,
            r.address, json.dumps(r.attributes, ensure_ascii=False), r.source, r.severity,
            r.occurred_at, r.received_at)


_REPORT_SCHEMA = pa.schema(
    [("seq", pa.int64()), ("channel", pa.string()), ("client", pa.string()),
     ("ext_id", pa.string()), ("service_code", pa.string()), ("description", pa.string()),
     ("lat", pa.float64()), ("lon", pa.float64()), ("address", pa.string()),
     ("attributes", pa.string()), ("source", pa.string()), ("severity", pa.int32()),
     ("occurred_at", pa.timestamp("us")), ("received_at", pa.timestamp("us"))])


def _report_table(seqs: Sequence[int], reports: Sequence[Report]) -> pa.Table:
    """An Arrow table of reports with their seqs given (one INSERT for a whole batch: DuckDB
    takes ~3 ms per single-row INSERT … RETURNING, which capped HTTP intake near 300/s)."""
    rows = [_report_tuple(r) for r in reports]
    cols: list[list] = [list(seqs)] + [list(c) for c in zip(*rows)]
    for k in (-2, -1):  # times as integers (see _reading_table)
        cols[k] = [(t - _EPOCH) // _US for t in cols[k]]
    arrays = [pa.array(c, f.type if not pa.types.is_timestamp(f.type) else pa.int64())
              for c, f in zip(cols, _REPORT_SCHEMA)]
    arrays[-2:] = [a.cast(pa.timestamp("us")) for a in arrays[-2:]]
    return pa.Table.from_arrays(arrays, schema=_REPORT_SCHEMA)


def first_of_each_key(reports: Sequence[Report]) -> list[bool]:
    """Which reports of a batch are the first with their (client, ext_id): a later one with
    the same key is a duplicate (a client's retry), as one already stored is."""
    seen: set[tuple[str, str]] = set()
    first = []
    for r in reports:
        key = None if r.ext_id is None else (r.client, r.ext_id)
        first.append(key is None or key not in seen)
        if key is not None:
            seen.add(key)
    return first


def _payload_text(q: Quarantined) -> str:
    return q.payload[:PAYLOAD_KEEP].decode("utf-8", "replace")


class LiveStore:
    """What the intake writes and the cockpit reads (see the module doc)."""

    kind = "abstract"

    def write(self, readings: Sequence[Reading], reports: Sequence[Report],
              quarantined: Sequence[Quarantined]) -> tuple[int, list[int | None]]:
        """Store one batch in one transaction: returns (readings stored — duplicates are not —,
        the seq of each report, None for a duplicate)."""
        raise NotImplementedError

    def readings_after(self, seq: int, limit: int = 200_000) -> list[tuple]:
        """``(seq, kind, source_id, ts, value, received_at)`` with ``seq`` above, in order."""
        raise NotImplementedError

    def reports_after(self, seq: int, limit: int = 10_000) -> list[dict]:
        """Reports with ``seq`` above, in order (dicts of the columns)."""
        raise NotImplementedError

    def quarantine_recent(self, limit: int = 50) -> list[dict]:
        """The most recent quarantined inputs, newest first."""
        raise NotImplementedError

    def counts(self) -> dict[str, int]:
        """Rows per table (readings, reports, quarantined)."""
        raise NotImplementedError

    def report(self, seq: int) -> dict | None:
        """One report by its seq (the Open311 service_request_id)."""
        rows = self._reports_where("seq = ?", [int(seq)], 1)
        return rows[0] if rows else None

    def reports_recent(self, limit: int = 1000) -> list[dict]:
        """The most recent reports, newest first."""
        return self._reports_where("TRUE", [], limit, desc=True)

    def unclassified(self, limit: int = 1000) -> list[dict]:
        """Reports without a service code (待分拨), oldest first: the hook for the text router."""
        return self._reports_where("service_code IS NULL", [], limit)

    def last_seq(self) -> dict[str, int]:
        """The highest seq of each table (0 when empty): where a new reader starts."""
        raise NotImplementedError

    def _reports_where(self, where: str, params: list, limit: int, desc: bool = False
                       ) -> list[dict]:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


# ---------------------------------------------------------------------------------- DuckDB

_DUCK_DDL = """
CREATE SEQUENCE IF NOT EXISTS live_reading_seq;
CREATE SEQUENCE IF NOT EXISTS live_report_seq;
CREATE SEQUENCE IF NOT EXISTS live_quarantine_seq;
CREATE TABLE IF NOT EXISTS live_reading (
    seq BIGINT NOT NULL DEFAULT nextval('live_reading_seq'),
    kind VARCHAR NOT NULL, source_id VARCHAR NOT NULL, ts TIMESTAMP NOT NULL,
    value DOUBLE NOT NULL, received_at TIMESTAMP NOT NULL);
CREATE TABLE IF NOT EXISTS live_report (
    seq BIGINT PRIMARY KEY DEFAULT nextval('live_report_seq'),
    channel VARCHAR NOT NULL, client VARCHAR NOT NULL, ext_id VARCHAR,
    service_code VARCHAR, description VARCHAR NOT NULL, lat DOUBLE, lon DOUBLE,
    address VARCHAR, attributes VARCHAR, source VARCHAR, severity INTEGER,
    occurred_at TIMESTAMP NOT NULL, received_at TIMESTAMP NOT NULL,
    UNIQUE (client, ext_id));
CREATE TABLE IF NOT EXISTS live_quarantine (
    seq BIGINT PRIMARY KEY DEFAULT nextval('live_quarantine_seq'),
    received_at TIMESTAMP NOT NULL, channel VARCHAR NOT NULL, topic VARCHAR,
    reason VARCHAR NOT NULL, payload VARCHAR, size BIGINT);
"""

_DUCK_WAL_CHECKPOINT = "4MB"
"""DuckDB keeps the rows written since the last checkpoint in memory; it checkpoints when
the write-ahead log reaches this size (DuckDB's default, 16 MB, is ~330,000 readings: tens of
MB held at the top of each cycle)."""

_DUCK_INSERT_READINGS = """
INSERT INTO live_reading (kind, source_id, ts, value, received_at)
SELECT DISTINCT ON (b.kind, b.source_id, b.ts) b.* FROM batch b
WHERE NOT EXISTS (SELECT 1 FROM live_reading r
                  WHERE r.ts BETWEEN ? AND ?
                    AND r.kind = b.kind AND r.source_id = b.source_id AND r.ts = b.ts)"""
"""A batch of readings, without those whose key (kind, source_id, ts) is stored already. An
anti-join and not a PRIMARY KEY: DuckDB keeps a key's ART index in memory, and with one
commit per batch it grew by ~15 bytes a reading plus ~3.4 KB a commit that no checkpoint gave
back (measured: +25 MB over 600,000 readings in batches of 100, the live intake's growth at
2,000 readings/s); it also cost 3-4 times the CPU per batch. The range on ``ts`` (the
batch's own) lets DuckDB skip the row groups whose ``ts`` lies outside it (their min/max),
so a batch costs about the same in a table of millions of rows; a batch mixing old
redelivered readings with new ones reads the row groups between them."""


def _duck_drop_reading_key(con: duckdb.DuckDBPyConnection) -> None:
    """A file made before the readings lost their PRIMARY KEY: rebuild the table without it
    (DuckDB cannot drop a key); seqs and rows are kept."""
    has_key = con.execute("""SELECT count(*) FROM duckdb_constraints()
                             WHERE table_name = 'live_reading'
                               AND constraint_type = 'PRIMARY KEY'""").fetchone()[0]
    if not has_key:
        return
    con.execute("BEGIN")
    try:
        con.execute("""CREATE TABLE live_reading_rebuilt (
            seq BIGINT NOT NULL DEFAULT nextval('live_reading_seq'),
            kind VARCHAR NOT NULL, source_id VARCHAR NOT NULL, ts TIMESTAMP NOT NULL,
            value DOUBLE NOT NULL, received_at TIMESTAMP NOT NULL)""")
        con.execute("INSERT INTO live_reading_rebuilt SELECT * FROM live_reading ORDER BY seq")
        con.execute("DROP TABLE live_reading")
        con.execute("ALTER TABLE live_reading_rebuilt RENAME TO live_reading")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


class DuckLiveStore(LiveStore):
    """The live tables in a DuckDB file (one process; any number of threads — each call uses
    its own cursor)."""

    kind = "duckdb"

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.con = duckdb.connect(str(self.path))
        self.con.execute(f"SET wal_autocheckpoint = '{_DUCK_WAL_CHECKPOINT}'")
        self.con.execute(_DUCK_DDL)
        _duck_drop_reading_key(self.con)
        self._lock = threading.Lock()  # one writer at a time

    def _cur(self) -> duckdb.DuckDBPyConnection:
        return self.con.cursor()

    def write(self, readings, reports, quarantined):
        stored = 0
        seqs: list[int | None] = []
        with self._lock:
            cur = self._cur()
            try:
                cur.execute("BEGIN")
                if readings:
                    batch = _reading_table(readings)  # noqa: F841 - read by the SQL below
                    stored = int(cur.execute(_DUCK_INSERT_READINGS,
                                             [min(r.ts for r in readings),
                                              max(r.ts for r in readings)]).fetchone()[0])
                if reports:
                    seqs = self._insert_reports(cur, reports)
                if quarantined:
                    cur.executemany(
                        """INSERT INTO live_quarantine (received_at, channel, topic, reason,
                           payload, size) VALUES (?, ?, ?, ?, ?, ?)""",
                        [(q.received_at, q.channel, q.topic, q.reason, _payload_text(q),
                          len(q.payload)) for q in quarantined])
                cur.execute("COMMIT")
            except BaseException:
                try:
                    cur.execute("ROLLBACK")
                except duckdb.Error:
                    pass
                raise
            finally:
                cur.close()
        return stored, seqs

    @staticmethod
    def _insert_reports(cur: duckdb.DuckDBPyConnection, reports: Sequence[Report]
                        ) -> list[int | None]:
        """Insert a batch in one statement; each report's seq, None for a duplicate. Seqs
        are drawn first, in arrival order, so a reader by seq sees the batch in order."""
        first = first_of_each_key(reports)
        fresh = [r for r, f in zip(reports, first) if f]
        drawn = sorted(int(x[0]) for x in cur.execute(
            "SELECT nextval('live_report_seq') FROM range(?)", [len(fresh)]).fetchall())
        batch = _report_table(drawn, fresh)  # noqa: F841 - read by the SQL below
        cur.execute(f"""INSERT OR IGNORE INTO live_report (seq, {", ".join(_REPORT_COLS)})
                        SELECT * FROM batch""")
        kept = {int(x[0]) for x in cur.execute(
            "SELECT seq FROM live_report WHERE seq BETWEEN ? AND ?",
            [drawn[0], drawn[-1]]).fetchall()}
        it = iter(drawn)
        return [(s if s in kept else None) if f else None
                for f, s in ((f, next(it) if f else None) for f in first)]

    def readings_after(self, seq, limit=200_000):
        cur = self._cur()
        try:
            return cur.execute("""SELECT seq, kind, source_id, ts, value, received_at
                                  FROM live_reading WHERE seq > ? ORDER BY seq LIMIT ?""",
                               [int(seq), int(limit)]).fetchall()
        finally:
            cur.close()

    def reports_after(self, seq, limit=10_000):
        return self._reports_where("seq > ?", [int(seq)], limit)

    def _reports_where(self, where, params, limit, desc=False):
        cur = self._cur()
        try:
            cur.execute(f"SELECT seq, {', '.join(_REPORT_COLS)} FROM live_report WHERE {where} "
                        f"ORDER BY seq {'DESC' if desc else ''} LIMIT ?", [*params, int(limit)])
            cols = [d[0] for d in cur.description]
            return [dict(zip(cols, r)) for r in cur.fetchall()]
        finally:
            cur.close()

    def quarantine_recent(self, limit=50):
        cur = self._cur()
        try:
            cur.execute("""SELECT seq, received_at, channel, topic, reason, payload, size
                           FROM live_quarantine ORDER BY seq DESC LIMIT ?""", [int(limit)])
            cols = [d[0] for d in cur.description]
            return [dict(zip(cols, r)) for r in cur.fetchall()]
        finally:
            cur.close()

    def counts(self):
        cur = self._cur()
        try:
            return {t: int(cur.execute(f"SELECT count(*) FROM live_{t}").fetchone()[0])
                    for t in ("reading", "report", "quarantine")}
        finally:
            cur.close()

    def last_seq(self):
        cur = self._cur()
        try:
            return {t: int(cur.execute(f"SELECT coalesce(max(seq), 0) FROM live_{t}"
                                       ).fetchone()[0])
                    for t in ("reading", "report", "quarantine")}
        finally:
            cur.close()

    def close(self) -> None:
        with self._lock:
            self.con.close()


# ------------------------------------------------------------------------------ PostgreSQL

_PG_DDL = """
CREATE TABLE IF NOT EXISTS live_reading (
    seq BIGSERIAL NOT NULL UNIQUE,
    kind TEXT NOT NULL, source_id TEXT NOT NULL, ts TIMESTAMP NOT NULL,
    value DOUBLE PRECISION NOT NULL, received_at TIMESTAMP NOT NULL,
    PRIMARY KEY (kind, source_id, ts));
CREATE TABLE IF NOT EXISTS live_report (
    seq BIGSERIAL PRIMARY KEY,
    channel TEXT NOT NULL, client TEXT NOT NULL, ext_id TEXT,
    service_code TEXT, description TEXT NOT NULL, lat DOUBLE PRECISION,
    lon DOUBLE PRECISION, address TEXT, attributes TEXT, source TEXT, severity INTEGER,
    occurred_at TIMESTAMP NOT NULL, received_at TIMESTAMP NOT NULL,
    UNIQUE (client, ext_id));
CREATE TABLE IF NOT EXISTS live_quarantine (
    seq BIGSERIAL PRIMARY KEY,
    received_at TIMESTAMP NOT NULL, channel TEXT NOT NULL, topic TEXT,
    reason TEXT NOT NULL, payload TEXT, size BIGINT);
"""


class PgLiveStore(LiveStore):
    """The live tables in the centre's PostgreSQL database: one writing connection (the
    intake), one reading connection per reader (a lock keeps calls of one object in turn)."""

    kind = "postgresql"

    def __init__(self, url: str) -> None:
        import psycopg

        self.url = url
        self.con = psycopg.connect(url, autocommit=True)
        self._lock = threading.Lock()
        with self._lock:
            self.con.execute("SELECT pg_advisory_lock(711717)")  # one DDL at a time
            try:
                self.con.execute(_PG_DDL)
            finally:
                self.con.execute("SELECT pg_advisory_unlock(711717)")

    def write(self, readings, reports, quarantined):
        stored = 0
        seqs: list[int | None] = []
        with self._lock, self.con.transaction():
            cur = self.con.cursor()
            if readings:
                cur.execute("""CREATE TEMP TABLE IF NOT EXISTS live_reading_in
                               (kind TEXT, source_id TEXT, ts TIMESTAMP,
                                value DOUBLE PRECISION, received_at TIMESTAMP)
                               ON COMMIT DELETE ROWS""")
                with cur.copy("COPY live_reading_in FROM STDIN") as cp:
                    for r in readings:
                        cp.write_row((r.kind, r.source_id, r.ts, r.value, r.received_at))
                cur.execute("""INSERT INTO live_reading (kind, source_id, ts, value, received_at)
                               SELECT DISTINCT ON (kind, source_id, ts) * FROM live_reading_in
                               ON CONFLICT DO NOTHING""")
                stored = cur.rowcount
            for r in reports:
                cur.execute(f"""INSERT INTO live_report ({", ".join(_REPORT_COLS)})
                                VALUES ({", ".join(["%s"] * len(_REPORT_COLS))})
                                ON CONFLICT DO NOTHING RETURNING seq""", _report_tuple(r))
                row = cur.fetchone()
                seqs.append(None if row is None else int(row[0]))
            if quarantined:
                cur.executemany(
                    """INSERT INTO live_quarantine (received_at, channel, topic, reason,
                       payload, size) VALUES (%s, %s, %s, %s, %s, %s)""",
                    [(q.received_at, q.channel, q.topic, q.reason,
                      _payload_text(q).replace("\x00", "\ufffd"), len(q.payload))
                     for q in quarantined])
        return stored, seqs

    def _rows(self, sql: str, params: list) -> tuple[list[str], list[tuple]]:
        with self._lock:
            cur = self.con.execute(sql.replace("?", "%s"), params)
            cols = [d.name for d in cur.description]
            return cols, cur.fetchall()

    def readings_after(self, seq, limit=200_000):
        return self._rows("""SELECT seq, kind, source_id, ts, value, received_at FROM live_reading
                             WHERE seq > ? ORDER BY seq LIMIT ?""", [int(seq), int(limit)])[1]

    def reports_after(self, seq, limit=10_000):
        return self._reports_where("seq > ?", [int(seq)], limit)

    def _reports_where(self, where, params, limit, desc=False):
        cols, rows = self._rows(f"SELECT seq, {', '.join(_REPORT_COLS)} FROM live_report "
                                f"WHERE {where} ORDER BY seq {'DESC' if desc else ''} LIMIT ?",
                                [*params, int(limit)])
        return [dict(zip(cols, r)) for r in rows]

    def quarantine_recent(self, limit=50):
        cols, rows = self._rows("""SELECT seq, received_at, channel, topic, reason, payload, size
                                   FROM live_quarantine ORDER BY seq DESC LIMIT ?""",
                                [int(limit)])
        return [dict(zip(cols, r)) for r in rows]

    def counts(self):
        return {t: int(self._rows(f"SELECT count(*) FROM live_{t}", [])[1][0][0])
                for t in ("reading", "report", "quarantine")}

    def last_seq(self):
        return {t: int(self._rows(f"SELECT coalesce(max(seq), 0) FROM live_{t}", [])[1][0][0])
                for t in ("reading", "report", "quarantine")}

    def close(self) -> None:
        with self._lock:
            self.con.close()


def open_live_store(location: Path | str) -> LiveStore:
    """A ``postgresql://`` URL opens the PostgreSQL live tables, anything else a DuckDB file."""
    if is_pg(location):
        return PgLiveStore(str(location))
    return DuckLiveStore(location)
