"""Benchmarks of the live intake (``cockpit bench --only ingest``).

A local Mosquitto (:class:`cockpit.services.mosquitto.LocalBroker`) and, for PostgreSQL, a
throw-away server (:class:`cockpit.services.pg_server.ThrowawayPostgres`), both on 127.0.0.1.
Readings are published by Mosquitto's own C client (``mosquitto_pub -q 1 -l``, one process per
topic), so that the publisher is never what is measured. The intake runs in this process, the
way the window runs it (the flood gate is opened: one topic carries thousands a second here).

- ``ingest_readings_per_s_duckdb`` / ``_pg`` — sustained intake: ``n`` readings (QoS 1,
  accepted by the broker) wait in the intake's persistent session; the intake connects and
  drains them — check, batch, write (DuckDB: an Arrow table per batch; PostgreSQL: ``COPY``),
  acknowledge after commit. Readings per second from connecting to the last row committed.
  Target ≥ 10,000/s, nothing lost.
- ``ingest_lost`` — readings the broker accepted that are not in the store after the runs
  (all runs, both stores). Target 0.
- ``ingest_reports_per_s`` — Open311 POSTs over HTTP (``CLIENTS`` keep-alive clients: the
  hotline, grid apps, camera AI … posting at once), each validated and committed before its
  201 (a commit takes several of them: group commit). Target ≥ 500/s.
- ``ingest_latency_ms_p95`` — at 5,000 readings/s (4 publishers, paced), from the moment in
  the reading's ``t`` (stamped at sending) to the moment the cockpit's model
  (:class:`cockpit.datasets.ingest.follow.LiveFollower`, polling by ``seq``) holds it.
  Target p95 ≤ 500 ms.
- ``ingest_memory_growth_mb`` — resident memory of the intake and the follower after a run of
  ``minutes`` (5; ``--quick``: 0.5) at 2,000 readings/s, minus after its first tenth. Target
  ≤ 50 MB.
"""

from __future__ import annotations

import statistics
import subprocess
import tempfile
import threading
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cockpit.bench.common import figure, percentile

READINGS_TARGET = 10_000.0
REPORTS_TARGET = 500.0
LATENCY_TARGET_MS = 500.0
MEMORY_TARGET_MB = 50.0
TOPICS = 8
CLIENTS = 32


def _vocab():
    from cockpit.datasets.ingest.validate import Vocabulary

    return Vocabulary(vitals={f"V{i}" for i in range(5000)},
                      services={"ET-X": {"name": "x", "group": "g", "severity": 3}},
                      box=(105.0, 28.0, 110.0, 33.0))


def _options(port: int | None, http: bool = False, client: str | None = None):
    from cockpit.datasets.ingest.service import IntakeOptions

    return IntakeOptions(broker_port=port, http_port=0 if http else None,
                         api_keys={"bench": "bench-key-0001"},
                         client_id=client or f"bench-{uuid.uuid4().hex[:8]}",
                         flood_rate=1e9, flood_burst=1e9)


def _publish_lines(port: int, n: int, base: datetime) -> None:
    """``n`` readings over ``TOPICS`` topics, one ``mosquitto_pub -l`` each (QoS 1: each
    returns once the broker accepted all its messages)."""
    procs = []
    per = n // TOPICS
    for k in range(TOPICS):
        lines = "".join(f'{{"t":"{(base + timedelta(microseconds=j * 1000 + k)).isoformat()}",'
                        f'"v":{j}}}\n' for j in range(per))
        p = subprocess.Popen(["mosquitto_pub", "-p", str(port), "-q", "1", "-t",
                              f"cockpit/vital/V{k}", "-l"], stdin=subprocess.PIPE)
        procs.append((p, lines.encode()))
    for p, data in procs:
        p.stdin.write(data)
        p.stdin.close()
    for p, _d in procs:
        if p.wait(600) != 0:
            raise RuntimeError("mosquitto_pub failed")


def _drain_run(broker, location: Any, n: int) -> tuple[float, int]:
    """One sustained-intake run: (readings/s, lost)."""
    from cockpit.datasets.ingest.service import LiveService

    client = f"bench-{uuid.uuid4().hex[:8]}"
    svc = LiveService(location, _vocab(), _options(broker.port, client=client))
    svc.start()
    svc.mqtt.subscribed.wait(30)
    svc.stop()  # the session stays: the broker queues for it
    n = n // TOPICS * TOPICS
    _publish_lines(broker.port, n, datetime.now() - timedelta(hours=3))
    svc2 = LiveService(svc.store, _vocab(), _options(broker.port, client=client))
    t0 = time.perf_counter()
    svc2.start()
    deadline = t0 + 600
    while time.perf_counter() < deadline and svc2.intake.stats.stored < n:
        time.sleep(0.02)
    dt = time.perf_counter() - t0
    stored = svc2.store.counts()["reading"]
    svc2.close(end_session=True)  # this client id does not come back
    return n / dt, n - stored


_CLIENT_CODE = """
import http.client, json, sys, threading, time
port, clients, per = (int(a) for a in sys.argv[1:4])
errors = []
def client(k):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    for j in range(per):
        body = json.dumps({"api_key": "bench-key-0001", "description": f"report {k}-{j}",
                           "lat": 29.5 + j * 1e-5, "long": 106.5, "id": f"{k}-{j}"})
        c.request("POST", "/open311/v2/requests.json", body,
                  {"Content-Type": "application/json"})
        r = c.getresponse()
        r.read()
        if r.status != 201:
            errors.append(r.status)
threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
t0 = time.perf_counter()
for t in threads: t.start()
for t in threads: t.join()
print(time.perf_counter() - t0, len(errors))
"""


def _reports_run(n: int, tmp: Path) -> float:
    """Reports/s: the clients run in a process of their own (as real client systems do), so
    that they do not share the intake's interpreter."""
    import sys

    from cockpit.datasets.ingest.service import LiveService

    svc = LiveService(tmp / f"r-{uuid.uuid4().hex[:6]}.duckdb", _vocab(), _options(None, True))
    svc.start()
    per = n // CLIENTS
    try:
        out = subprocess.run([sys.executable, "-c", _CLIENT_CODE, str(svc.http.port),
                              str(CLIENTS), str(per)], capture_output=True, text=True,
                             timeout=900, check=True).stdout.split()
        stored = svc.store.counts()["report"]
    finally:
        svc.close()
    dt, errors = float(out[0]), int(out[1])
    if errors or stored != per * CLIENTS:
        raise RuntimeError(f"reports lost or refused: {errors} errors, {stored} stored")
    return per * CLIENTS / dt


def _paced(port: int, rate: float, seconds: float, stop_early: threading.Event | None = None
           ) -> int:
    """Publish ``rate`` readings/s for ``seconds`` over 4 topics, each stamped with its
    sending time; returns how many."""
    procs = [subprocess.Popen(["mosquitto_pub", "-p", str(port), "-q", "1", "-t",
                               f"cockpit/vital/V{100 + k}", "-l"], stdin=subprocess.PIPE)
             for k in range(4)]
    sent = 0
    t0 = time.perf_counter()
    tick = 0.01
    try:
        while time.perf_counter() - t0 < seconds:
            due = int((time.perf_counter() - t0) * rate)
            while sent < due:
                now = datetime.now().isoformat()
                p = procs[sent % 4]
                p.stdin.write(f'{{"t":"{now}","v":{sent}}}\n'.encode())
                sent += 1
            for p in procs:
                p.stdin.flush()
            time.sleep(tick)
    finally:
        for p in procs:
            p.stdin.close()
        for p in procs:
            p.wait(120)
    return sent


def _latency_run(broker, tmp: Path, seconds: float) -> list[float]:
    from cockpit.datasets.ingest.follow import LiveFollower
    from cockpit.datasets.ingest.service import LiveService

    svc = LiveService(tmp / f"l-{uuid.uuid4().hex[:6]}.duckdb", _vocab(), _options(broker.port))
    svc.start()
    svc.mqtt.subscribed.wait(30)
    follower = LiveFollower(svc.store, {f"V{i}": i for i in range(5000)}, interval_s=0.1,
                            keep_visible=1_000_000)
    follower.start()
    sent = _paced(broker.port, 5000.0, seconds)
    deadline = time.time() + 60
    while follower.readings_seen < sent and time.time() < deadline:
        time.sleep(0.05)
    follower.stop()
    svc.close(end_session=True)
    lat = [(seen - t) * 1000.0 for seen, t in follower.visible]
    warm = len(lat) // 10  # the first tenth: connections settling
    return lat[warm:]


def _rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


def _memory_run(broker, tmp: Path, minutes: float) -> float:
    from cockpit.datasets.ingest.follow import LiveFollower
    from cockpit.datasets.ingest.service import LiveService

    svc = LiveService(tmp / f"m-{uuid.uuid4().hex[:6]}.duckdb", _vocab(), _options(broker.port))
    svc.start()
    svc.mqtt.subscribed.wait(30)
    follower = LiveFollower(svc.store, {f"V{i}": i for i in range(5000)})
    follower.start()
    seconds = minutes * 60
    marks: list[float] = []

    def sample() -> None:
        t0 = time.time()
        first = True
        while time.time() - t0 < seconds:
            time.sleep(1.0)
            if first and time.time() - t0 >= seconds / 10:
                marks.append(_rss_mb())
                first = False
        marks.append(_rss_mb())

    th = threading.Thread(target=sample)
    th.start()
    _paced(broker.port, 2000.0, seconds)
    th.join()
    follower.stop()
    svc.close(end_session=True)
    return marks[-1] - marks[0]


def bench_ingest(quick: bool) -> dict[str, Any]:
    from cockpit.services.mosquitto import LocalBroker
    from cockpit.services.pg_server import ThrowawayPostgres

    n = 20_000 if quick else 100_000
    runs = 2 if quick else 3
    out: dict[str, Any] = {}
    lost = 0
    with tempfile.TemporaryDirectory(prefix="cockpit-bench-ingest-") as d, \
            LocalBroker() as broker:
        tmp = Path(d)
        duck = []
        for k in range(runs):
            rate, miss = _drain_run(broker, tmp / f"drain-{k}.duckdb", n)
            duck.append(rate)
            lost += miss
        out["ingest_readings_per_s_duckdb"] = figure(duck, "readings/s", READINGS_TARGET,
                                                     better="higher")
        with ThrowawayPostgres() as pg:
            pgr = []
            for k in range(runs):
                rate, miss = _drain_run(broker, pg.create_database(f"ingest{k}"), n)
                pgr.append(rate)
                lost += miss
        out["ingest_readings_per_s_pg"] = figure(pgr, "readings/s", READINGS_TARGET,
                                                 better="higher")
        out["ingest_lost"] = {"value": lost, "unit": "readings", "target": 0, "met": lost == 0,
                              "accepted": n // TOPICS * TOPICS * runs * 2}
        rep = [_reports_run(800 if quick else 4000, tmp) for _ in range(runs)]
        out["ingest_reports_per_s"] = figure(rep, "reports/s", REPORTS_TARGET, better="higher")
        per_run = [_latency_run(broker, tmp, 5.0 if quick else 15.0) for _ in range(runs)]
        p95s = [percentile(r, 0.95) for r in per_run if r]
        pooled = [x for r in per_run for x in r]
        out["ingest_latency_ms_p95"] = {
            "median": round(statistics.median(p95s), 1), "runs": [round(x, 1) for x in p95s],
            "p50": round(statistics.median(pooled), 1), "samples": len(pooled), "unit": "ms",
            "rate_per_s": 5000, "target": LATENCY_TARGET_MS,
            "met": statistics.median(p95s) <= LATENCY_TARGET_MS}
        minutes = 0.5 if quick else 5.0
        growth = _memory_run(broker, tmp, minutes)
        out["ingest_memory_growth_mb"] = {"value": round(growth, 1), "unit": "MB",
                                          "minutes": minutes, "rate_per_s": 2000,
                                          "target": MEMORY_TARGET_MB,
                                          "met": growth <= MEMORY_TARGET_MB}
    return out
