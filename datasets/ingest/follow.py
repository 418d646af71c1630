"""The cockpit's side of the live tables: follow them by ``seq`` and keep what arrived in memory.

:class:`LiveFollower` polls the store every ``interval_s`` on its own thread (a cursor on
``seq``: only new rows are read, tables are never reloaded) and keeps

- the vital-sign readings of the last ``keep`` (numpy arrays), which the vitals engine merges
  with the catalog's (:meth:`LiveFollower.vital_readings`);
- the reports and device alarms not yet handed on, which :class:`LiveReportSource` turns into
  events for the event list (``poll(now)``, the event-source interface of
  :mod:`cockpit.datasets.event_feed`) and the map;
- the time each row became visible, for the latency benchmark.

No Qt: the window reads it from its own jobs.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import deque
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from cockpit.datasets.event_feed import FeedBatch, FeedEvent
from cockpit.datasets.ingest.store import LiveStore
from cockpit.datasets.vitals.signs import to_us

__all__ = ["LiveFollower", "LiveReportSource", "report_event"]

log = logging.getLogger(__name__)

_BLOCK = 65_536  # readings per merged block of the follower's arrays
_MERGE = 64  # small chunks (one per poll) kept before they are merged


def report_event(r: dict[str, Any], severity: dict[str, int] | None = None) -> FeedEvent | None:
    """A stored report → the event the list and the map show (None: no place to put it).
    An unclassified report (no service code) keeps its text as the title and the
    description and an empty ``type_id``: the router (智能分拨) types it from its words when it
    is sure, else it waits as 待分拨 for the operator."""
    lat, lon = r.get("lat"), r.get("lon")
    if lat is None or lon is None or not (math.isfinite(lat) and math.isfinite(lon)):
        return None
    code = r.get("service_code") or ""
    sev = r.get("severity") or (severity or {}).get(code) or 3
    src = r.get("source") or "hotline"
    text = (r.get("description") or "").strip()
    return FeedEvent(event_id=f"L-{int(r['seq'])}", type_id=code, source=src,
                     occurred_at=r["occurred_at"], lon=float(lon), lat=float(lat),
                     severity=int(sev), title=text[:200], feed="live",
                     received_at=r.get("received_at"), description=text[:10_000],
                     located=bool(r.get("located")))


class LiveFollower:
    """Follows a :class:`LiveStore` (see the module doc). ``index``: vital-sign id → sign
    number (the vitals engine's order)."""

    def __init__(self, store: LiveStore, index: dict[str, int] | None = None, *,
                 interval_s: float = 0.1, keep: timedelta = timedelta(hours=6),
                 start_at_end: bool = False, keep_visible: int = 10_000) -> None:
        self.store = store
        self.index = dict(index or {})
        self.interval_s = interval_s
        self.keep_us = int(keep / timedelta(microseconds=1))
        last = store.last_seq() if start_at_end else {"reading": 0, "report": 0}
        self.reading_seq = last["reading"]
        self.report_seq = last["report"]
        self._lock = threading.Lock()
        self._chunks: deque[tuple[np.ndarray, np.ndarray, np.ndarray]] = deque()
        self._reports: deque[dict] = deque(maxlen=20_000)
        self.recent_reports: deque[dict] = deque(maxlen=3000)
        self.readings_seen = 0
        self.reports_seen = 0
        self.last_received: datetime | None = None
        self.last_poll: float | None = None
        self.error: str = ""
        #: (time.time() when seen, the reading's own stamp ``t`` as time.time()) of the latest
        #: readings: how long from the sender to the cockpit's model (the latency benchmark)
        self.visible: deque[tuple[float, float]] = deque(maxlen=keep_visible)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.version = 0  # grows with every poll that brought something

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="live-follower", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.poll()
                self.error = ""
            except Exception as e:  # noqa: BLE001 - a store that went away: say so, go on
                self.error = f"{type(e).__name__}: {e}"[:300]
                log.warning("live follower: %s", e)
                self._stop.wait(1.0)
            self._stop.wait(self.interval_s)

    def poll(self) -> int:
        """Read the rows that arrived since the last poll; returns how many."""
        rows = self.store.readings_after(self.reading_seq)
        reports = self.store.reports_after(self.report_seq)
        seen = time.time()
        self.last_poll = seen
        if not rows and not reports:
            return 0
        if rows:
            self.reading_seq = int(rows[-1][0])
            self.readings_seen += len(rows)
            self.last_received = rows[-1][5]
            idx, ts, val = [], [], []
            for _seq, kind, sid, t, v, _rec in rows:
                i = self.index.get(sid) if kind == "vital" else None
                if i is not None:
                    idx.append(i)
                    ts.append(_us(t))
                    val.append(v)
            self.visible.extend((seen, r[3].timestamp()) for r in rows)
            if idx:
                chunk = (np.asarray(idx, np.int32), np.asarray(ts, np.int64),
                         np.asarray(val, np.float64))
                with self._lock:
                    self._chunks.append(chunk)
                    self._prune(int(chunk[1].max()))
        if reports:
            self.report_seq = int(reports[-1]["seq"])
            self.reports_seen += len(reports)
            self.last_received = max(self.last_received or reports[-1]["received_at"],
                                     reports[-1]["received_at"])
            with self._lock:
                self._reports.extend(reports)
                self.recent_reports.extend(reports)
        self.version += 1
        return len(rows) + len(reports)

    def _prune(self, newest_us: int) -> None:
        cut = newest_us - self.keep_us
        while len(self._chunks) > 1 and int(self._chunks[0][1].max()) < cut:
            self._chunks.popleft()
        # one small chunk per poll: the newest small ones are merged into blocks of up to
        # _BLOCK readings, and a full block is never copied again (merging everything into one
        # array each time made ever larger allocations, which glibc's heap did not give back)
        small = 0
        for c in reversed(self._chunks):
            if len(c[1]) >= _BLOCK:
                break
            small += 1
        if small > _MERGE:
            tail = [self._chunks.pop() for _ in range(small)][::-1]
            idx = np.concatenate([c[0] for c in tail])
            ts = np.concatenate([c[1] for c in tail])
            val = np.concatenate([c[2] for c in tail])
            keep = ts >= cut
            idx, ts, val = idx[keep], ts[keep], val[keep]
            for k in range(0, len(ts), _BLOCK):
                self._chunks.append((idx[k:k + _BLOCK].copy(), ts[k:k + _BLOCK].copy(),
                                     val[k:k + _BLOCK].copy()))

    def vital_arrays(self, start_us: int, end_us: int, numbers: list[int] | None = None
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(sign numbers, times µs, values) of the live readings with start < ts <= end."""
        with self._lock:
            chunks = list(self._chunks)
        if not chunks:
            return np.zeros(0, np.int32), np.zeros(0, np.int64), np.zeros(0)
        idx = np.concatenate([c[0] for c in chunks])
        ts = np.concatenate([c[1] for c in chunks])
        val = np.concatenate([c[2] for c in chunks])
        keep = (ts > start_us) & (ts <= end_us)
        if numbers is not None:
            keep &= np.isin(idx, np.asarray(numbers, np.int32))
        return idx[keep], ts[keep], val[keep]

    def take_reports(self) -> list[dict]:
        """The reports that arrived since the last call (oldest first)."""
        with self._lock:
            out = list(self._reports)
            self._reports.clear()
        return out

    def age_s(self) -> float | None:
        """Seconds since the newest row's arrival (None: nothing yet)."""
        if self.last_received is None:
            return None
        return max(0.0, (datetime.now() - self.last_received).total_seconds())


def _us(t: datetime) -> int:
    return to_us(t)  # the vitals engine's time scale: naive local time as if it were UTC


class LiveReportSource:
    """An event source (``name``, ``poll(now)``) fed by a follower's reports."""

    name = "live"

    def __init__(self, follower: LiveFollower, severity: dict[str, int] | None = None,
                 locate: Any = None) -> None:
        self.follower = follower
        self.severity = severity or {}
        self.locate = locate  # address → (lon, lat) or None
        self.unplaced = 0

    def poll(self, now: datetime) -> FeedBatch:
        events = []
        for r in self.follower.take_reports():
            if (r.get("lat") is None or r.get("lon") is None) and self.locate and \
                    r.get("address"):
                got = self.locate(r["address"])
                if got is not None:
                    r = {**r, "lon": got[0], "lat": got[1], "located": True}
            e = report_event(r, self.severity)
            if e is None:
                self.unplaced += 1
                continue
            events.append(e)
        return FeedBatch(events)
