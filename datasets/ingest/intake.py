"""The intake: MQTT messages and Open311 requests → checked → written in batches → acknowledged.

One code path for both stores. :class:`Intake` owns a writer thread that takes what the MQTT
subscriber (:mod:`cockpit.datasets.ingest.mqtt`) and the HTTP endpoint
(:mod:`cockpit.datasets.ingest.open311`) hand it, writes a batch per ``flush_ms`` (or per
``batch`` items) to the :class:`~cockpit.datasets.ingest.store.LiveStore` in one
transaction, and only then acknowledges the MQTT messages (QoS 1, manual acknowledgement) and
answers the HTTP requests. A message the intake received but had not yet written when it was
killed was never acknowledged: the broker delivers it again (the persistent session), and a
reading already stored is recognised by its key (kind, id, time) and not stored twice.

MQTT topics (``<prefix>`` defaults to ``cockpit``; payloads are UTF-8 JSON objects of at most
64 KiB):

``<prefix>/vital/<indicator_id>``  ``{"t": ISO-8601, "v": number}`` one vital-sign reading
``<prefix>/sensor/<sensor_id>``    ``{"t": ISO-8601, "v": number, "alarm": bool?,
                                   "service_code": type_id?, "description": text?}`` — a
                                   sensor reading; ``"alarm": true`` also files an alarm
                                   event at the sensor's place
``<prefix>/report/<client>``       the fields of an Open311 POST as JSON (``service_code``
                                   optional, ``description``, ``lat``/``long`` or
                                   ``address_string``, ``attributes``, ``id`` the sender's
                                   id, ``t`` its time) — a report
"""

from __future__ import annotations

import hashlib
import logging
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cockpit.datasets.ingest.store import LiveStore, Quarantined, Reading, Report
from cockpit.datasets.ingest.validate import (
    FloodGate,
    Rejected,
    Vocabulary,
    check_place,
    load_json,
    parse_reading,
    parse_time,
)

__all__ = ["Intake", "IntakeStats", "DEFAULT_PREFIX", "report_from_fields"]

log = logging.getLogger(__name__)

DEFAULT_PREFIX = "cockpit"


@dataclass
class IntakeStats:
    """Counters the header shows (read from any thread; written by the intake's threads)."""

    connected: bool = False
    broker: str = ""
    last_error: str = ""
    last_message: float | None = None  # time.time() of the last message received
    lag_s: float | None = None  # received minus stamped time of the last reading
    received: int = 0
    stored: int = 0
    duplicates: int = 0
    reports: int = 0
    quarantined: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    write_errors: int = 0

    def snapshot(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        d["reasons"] = dict(self.reasons)
        return d


def _now() -> datetime:
    return datetime.now()


def report_from_fields(obj: dict[str, Any], *, channel: str, client: str, vocab: Vocabulary,
                       now: datetime) -> Report:
    """An Open311-shaped dict (POST fields or MQTT JSON) → a :class:`Report`, or
    :class:`Rejected`. ``service_code`` may be missing: the report is then unclassified."""
    code = obj.get("service_code")
    code = None if code in (None, "") else str(code).strip()
    if code is not None and vocab.services and code not in vocab.services:
        raise Rejected("unknown_id", f"service_code {code[:64]!r} is not a service here")
    desc = obj.get("description")
    if desc is not None and not isinstance(desc, str):
        raise Rejected("malformed", "description must be text")
    desc = (desc or "").strip()
    addr = obj.get("address_string")
    addr = None if addr in (None, "") else str(addr).strip()
    lat, lon = obj.get("lat"), obj.get("long", obj.get("lon"))
    if isinstance(lat, str) and lat.strip():
        lat = _num_text(lat, "lat")
    if isinstance(lon, str) and lon.strip():
        lon = _num_text(lon, "long")
    if lat in (None, "") and lon in (None, ""):
        lat = lon = None
        if addr is None:
            raise Rejected("malformed", "a location is required: lat and long, or "
                           "address_string")
    else:
        lat, lon = check_place(lat, lon, vocab)
    located = None
    if lat is None and addr is not None:
        got = vocab.locate(addr)  # placed at the admin unit the address names
        if got is not None:
            lon, lat = got
            located = "address"
    if not desc and code is None:
        raise Rejected("malformed", "description is required when there is no service_code")
    attrs = obj.get("attributes") or {}
    if not isinstance(attrs, dict):
        raise Rejected("malformed", "attributes must be an object")
    t = obj.get("t") or obj.get("requested_datetime")
    at = parse_time(t, now) if t else now
    sev = None
    if code is not None and vocab.services:
        sev = vocab.services[code].get("severity")
    ext = obj.get("id")
    attrs = {str(k)[:64]: str(v)[:500] for k, v in list(attrs.items())[:50]}
    if located:
        attrs["located_by"] = located
    return Report(channel=channel, client=client, description=desc[:4000], received_at=now,
                  occurred_at=at, service_code=code, lat=lat, lon=lon,
                  address=None if addr is None else addr[:500],
                  attributes=attrs,
                  ext_id=None if ext in (None, "") else str(ext)[:128],
                  source=str(obj.get("source") or "hotline")[:32],
                  severity=None if sev is None else int(sev))


def _num_text(s: str, what: str) -> float:
    try:
        return float(s)
    except ValueError:
        raise Rejected("bad_place", f"{what} {s[:32]!r} is not a number") from None


class Intake:
    """Checks, batches and writes what arrives (see the module doc). Thread-safe entry
    points: :meth:`on_message` (MQTT network thread) and :meth:`submit_report` (HTTP)."""

    def __init__(self, store: LiveStore, vocab: Vocabulary, *, prefix: str = DEFAULT_PREFIX,
                 flush_ms: int = 50, batch: int = 5000, flood: FloodGate | None = None,
                 clock: Callable[[], datetime] = _now) -> None:
        self.store = store
        self.vocab = vocab
        self.prefix = prefix.strip("/")
        self.flush_s = flush_ms / 1000.0
        self.batch = batch
        self.flood = flood or FloodGate()
        self.clock = clock
        self.stats = IntakeStats()
        self._q: queue.SimpleQueue = queue.SimpleQueue()  # C, lock-free put
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        #: called after each committed batch with the acks to send (MQTT: ``(mid, qos)``)
        self.ack: Callable[[list[Any]], None] | None = None

    # ---- life ---------------------------------------------------------------------------
    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="live-intake-writer",
                                            daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Write what is queued, then stop the writer."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    # ---- entry points -------------------------------------------------------------------
    def on_message(self, topic: str, payload: bytes, ack: Any = None) -> None:
        """One MQTT message (any thread). ``ack`` comes back through :attr:`ack` once the
        message's row (or its quarantine row) is committed."""
        now = self.clock()
        st = self.stats
        st.received += 1
        st.last_message = time.time()
        try:
            item = self._parse(topic, payload, now)
        except Rejected as e:
            item = Quarantined("mqtt", topic[:512], f"{e.reason}: {e.message}", payload, now)
        self._q.put((item, ack, None))

    def quarantine_raw(self, topic: str, payload: bytes, reason: str, ack: Any = None) -> None:
        """Quarantine a message as it came (when even checking it failed)."""
        self._q.put((Quarantined("mqtt", topic[:512], reason[:500], payload, self.clock()),
                     ack, None))

    def submit_report(self, report: Report | Quarantined) -> Future:
        """A report (or a refused request to quarantine) from HTTP: the future gets the
        stored seq (None for a quarantined or duplicate one) once committed."""
        fut: Future = Future()
        self.stats.received += 1
        self.stats.last_message = time.time()
        self._q.put((report, None, fut))
        return fut

    def allow(self, key: str) -> bool:
        """The flood gate for one key. Called from the MQTT and the HTTP threads without a
        lock: a race between them can only miscount a token, never lose a message."""
        return self.flood.allow(key)

    # ---- parsing ------------------------------------------------------------------------
    def _parse(self, topic: str, payload: bytes, now: datetime) -> Reading | Report:
        parts = topic.split("/")
        pre = self.prefix.split("/")
        if parts[:len(pre)] != pre or len(parts) != len(pre) + 2 or not parts[-1]:
            raise Rejected("bad_topic", f"topic {topic[:128]!r} is not "
                           f"{self.prefix}/vital|sensor|report/<id>")
        kind, ident = parts[-2], parts[-1]
        if not self.allow(topic):
            raise Rejected("flood", f"more than {self.flood.rate:g}/s on {topic[:128]}")
        if kind == "vital":
            if self.vocab.vitals and ident not in self.vocab.vitals:
                raise Rejected("unknown_id", f"vital sign {ident[:64]!r} is not in the dataset")
            t, v, _obj = parse_reading(payload, now)
            self.stats.lag_s = (now - t).total_seconds()
            return Reading("vital", ident, t, v, now)
        if kind == "sensor":
            place = self.vocab.sensors.get(ident)
            if self.vocab.sensors and place is None:
                raise Rejected("unknown_id", f"sensor {ident[:64]!r} is not in the dataset")
            t, v, obj = parse_reading(payload, now)
            self.stats.lag_s = (now - t).total_seconds()
            if obj.get("alarm") is True and place is not None:
                code = obj.get("service_code")
                if code is not None and self.vocab.services and code not in self.vocab.services:
                    raise Rejected("unknown_id", f"service_code {str(code)[:64]!r} is unknown")
                desc = obj.get("description")
                return Report(channel="sensor", client=f"sensor:{ident}",
                              description=str(desc or f"传感器 {ident} 报警 {v:g}")[:4000],
                              received_at=now, occurred_at=t, service_code=code,
                              lat=place[1], lon=place[0], ext_id=t.isoformat(),
                              attributes={"sensor_id": ident, "value": f"{v:g}",
                                          **({"point_id": str(place[2])} if place[2] else {})},
                              source="sensor")
            return Reading("sensor", ident, t, v, now)
        if kind == "report":
            obj = load_json(payload)
            rep = report_from_fields(obj, channel="mqtt", client=ident[:64], vocab=self.vocab,
                                     now=now)
            if rep.ext_id is None:  # a redelivered copy is the same payload: the same key
                rep.ext_id = "sha1:" + hashlib.sha1(payload).hexdigest()[:20]
            return rep
        raise Rejected("bad_topic", f"unknown kind {kind[:32]!r} in topic {topic[:128]!r}")

    # ---- writer -------------------------------------------------------------------------
    def _run(self) -> None:
        while True:
            try:
                first = self._q.get(timeout=0.2)
            except queue.Empty:
                if self._stop.is_set():
                    return
                continue
            items = [first]
            # what is there already; a waiting HTTP request is answered at once (group
            # commit: what arrives meanwhile goes in the next batch), MQTT messages wait up
            # to flush_ms for more
            waiting = first[2] is not None
            while len(items) < self.batch:
                try:
                    items.append(self._q.get_nowait())
                except queue.Empty:
                    break
                waiting = waiting or items[-1][2] is not None
            deadline = time.monotonic() + self.flush_s
            while len(items) < self.batch and not waiting:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                try:
                    items.append(self._q.get(timeout=left))
                except queue.Empty:
                    break
                waiting = items[-1][2] is not None
            self._write(items)

    def _write(self, items: list[tuple]) -> None:
        readings = [it for it, _a, _f in items if isinstance(it, Reading)]
        reports = [(it, f) for it, _a, f in items if isinstance(it, Report)]
        quarantined = [(it, f) for it, _a, f in items if isinstance(it, Quarantined)]
        delay = 0.2
        while True:
            try:
                stored, seqs = self.store.write(readings, [r for r, _f in reports],
                                                [q for q, _f in quarantined])
                break
            except Exception as e:  # noqa: BLE001 - keep the batch and retry: nothing is acked
                self.stats.write_errors += 1
                self.stats.last_error = f"{type(e).__name__}: {e}"[:300]
                log.warning("live intake: write failed, retrying: %s", e)
                if self._stop.is_set() and delay > 5:
                    for _r, f in reports + quarantined:
                        if f is not None and not f.done():
                            f.set_exception(e)
                    return
                time.sleep(delay)
                delay = min(delay * 2, 5.0)
        st = self.stats
        st.stored += stored
        st.duplicates += len(readings) - stored
        st.reports += sum(1 for s in seqs if s is not None)
        st.quarantined += len(quarantined)
        for q, _f in quarantined:
            word = q.reason.split(":", 1)[0]
            st.reasons[word] = st.reasons.get(word, 0) + 1
        for (_r, f), s in zip(reports, seqs):
            if f is not None:
                f.set_result(s)
        for _q, f in quarantined:
            if f is not None:
                f.set_result(None)
        acks = [a for _it, a, _f in items if a is not None]
        if acks and self.ack is not None:
            try:
                self.ack(acks)
            except Exception as e:  # noqa: BLE001 - the broker redelivers; duplicates are known
                log.warning("live intake: acknowledging failed: %s", e)
