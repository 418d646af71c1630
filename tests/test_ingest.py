"""The live intake against a real Mosquitto broker and a real uvicorn server on loopback.

message → row → the cockpit's model; kill -9 of the intake mid-stream; a clean broker restart;
a subscriber 50,000 messages behind; every kind of bad input quarantined with its reason.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from cockpit.datasets.ingest.follow import LiveFollower, LiveReportSource
from cockpit.datasets.ingest.service import IntakeOptions, LiveService
from cockpit.datasets.ingest.store import DuckLiveStore, open_live_store
from cockpit.datasets.ingest.validate import MAX_PAYLOAD, Vocabulary

from cockpit.services.mosquitto import LocalBroker

WORKER = Path(__file__).with_name("ingest_worker.py")
VOCAB = Vocabulary(vitals={f"V{i}" for i in range(1000)},
                   sensors={"7": (106.5, 29.5, 12)},
                   services={"ET-MANHOLE": {"name": "井盖缺失", "group": "市政", "severity": 2}},
                   box=(105.0, 28.0, 110.0, 33.0),
                   places=[("解放碑街道", 106.577, 29.557), ("渝中区", 106.56, 29.55)])
KEYS = {"hotline": "hotline-key-123", "grid": "grid-key-4567"}


@pytest.fixture(scope="session")
def broker() -> Iterator[LocalBroker]:
    """One broker for the session (tests use their own client ids and topics)."""
    with LocalBroker() as b:
        yield b


def wait_for(cond: Callable[[], bool], timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.05)
    return cond()


def publisher(port: int) -> mqtt.Client:
    c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"pub-{uuid.uuid4().hex[:8]}",
                    protocol=mqtt.MQTTv5)
    c.max_inflight_messages_set(1000)
    c.max_queued_messages_set(0)
    c.connect("127.0.0.1", port)
    c.loop_start()
    return c


def publish_readings(port: int, n: int, start: int = 0, base: datetime | None = None) -> None:
    """``n`` readings over V0…V999 with distinct times; returns once the broker accepted
    every one (QoS 1 PUBACK)."""
    base = base or datetime.now() - timedelta(hours=1)
    c = publisher(port)
    infos = []
    for k in range(start, start + n):
        t = (base + timedelta(milliseconds=k)).isoformat()
        infos.append(c.publish(f"cockpit/vital/V{k % 1000}", json.dumps({"t": t, "v": k}),
                               qos=1))
    for i in infos:
        i.wait_for_publish(60)
        assert i.is_published()
    c.disconnect()
    c.loop_stop()


def end_session(port: int, client: str) -> None:
    """Drop a client id's persistent session (so the session broker stops queueing for it)."""
    from paho.mqtt.packettypes import PacketTypes
    from paho.mqtt.properties import Properties

    c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client, protocol=mqtt.MQTTv5)
    props = Properties(PacketTypes.CONNECT)
    props.SessionExpiryInterval = 0
    c.connect("127.0.0.1", port, clean_start=True, properties=props)
    c.loop_start()
    time.sleep(0.2)
    c.disconnect()
    c.loop_stop()


def service(tmp: Path, port: int | None, *, http: bool = False, **kw) -> LiveService:
    opts = IntakeOptions(broker_port=port, http_port=0 if http else None, api_keys=KEYS,
                         client_id=f"intake-{uuid.uuid4().hex[:8]}", **kw)
    svc = LiveService(tmp / "live.duckdb", VOCAB, opts)
    svc.start()
    if port is not None:
        assert svc.mqtt.subscribed.wait(20)
    return svc


def post(url: str, fields: dict | bytes, ctype: str = "application/json") -> tuple[int, object]:
    body = fields if isinstance(fields, bytes) else json.dumps(fields).encode()
    req = urllib.request.Request(url, data=body, headers={"Content-Type": ctype})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def get(url: str) -> tuple[int, object]:
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


# ------------------------------------------------------------------------ end to end


def test_reading_and_report_reach_the_cockpits_model(broker, tmp_path):
    svc = service(tmp_path, broker.port, http=True)
    follower = LiveFollower(svc.store, {f"V{i}": i for i in range(1000)}, interval_s=0.05)
    follower.start()
    source = LiveReportSource(follower, locate=VOCAB.locate)
    try:
        t = datetime.now().replace(microsecond=0) - timedelta(seconds=5)
        c = publisher(broker.port)
        c.publish("cockpit/vital/V42", json.dumps({"t": t.isoformat(), "v": 0.61}),
                  qos=1).wait_for_publish(10)
        c.disconnect()
        assert wait_for(lambda: len(follower.vital_arrays(0, 2**62)[0]) == 1, 20)
        idx, ts, val = follower.vital_arrays(0, 2**62)
        assert (int(idx[0]), float(val[0])) == (42, 0.61)
        # a hotline appeal without a service code, placed by its address only
        status, body = post(f"{svc.http_url}/requests.json",
                            {"api_key": KEYS["hotline"], "description": "解放碑这边井盖不见了",
                             "address_string": "渝中区解放碑街道八一路口"})
        assert status == 201 and body[0]["service_request_id"]
        rid = body[0]["service_request_id"]
        # a grid report with a service code and coordinates, form-encoded as the spec has it
        status, body2 = post(f"{svc.http_url}/requests.json",
                             b"api_key=grid-key-4567&service_code=ET-MANHOLE&lat=29.56&long=106.57"
                             b"&description=manhole&attribute[size]=large",
                             "application/x-www-form-urlencoded")
        assert status == 201
        events: list = []
        assert wait_for(lambda: bool(events.extend(source.poll(datetime.now()).events))
                        or len(events) == 2, 20)
        by_id = {e.event_id: e for e in events}
        free = by_id[f"L-{rid}"]
        assert free.type_id == "" and "井盖不见了" in free.title  # untyped: 待分拨
        assert free.description == free.title  # the words the router (智能分拨) reads
        assert (free.lon, free.lat) == (106.577, 29.557)  # the street it names
        coded = by_id[f"L-{body2[0]['service_request_id']}"]
        assert coded.type_id == "ET-MANHOLE" and coded.severity == 2
        # the router's hook: unclassified reports with their text
        assert [r["description"] for r in svc.store.unclassified()] == ["解放碑这边井盖不见了"]
        # Open311 reads: one request, the list, the services
        status, one = get(f"{svc.http_url}/requests/{rid}.json")
        assert status == 200 and one[0]["status"] == "open" and one[0]["service_code"] is None
        status, rows = get(f"{svc.http_url}/requests.json?service_code=ET-MANHOLE")
        assert [r["service_code"] for r in rows] == ["ET-MANHOLE"]
        assert rows[0]["lat"] == 29.56 and rows[0]["long"] == 106.57
        status, services = get(f"{svc.http_url}/services.json")
        assert services == [{"service_code": "ET-MANHOLE", "service_name": "井盖缺失",
                             "description": "井盖缺失", "metadata": False, "type": "realtime",
                             "keywords": "", "group": "市政"}]
        assert get(f"{svc.http_url}/requests/999.json")[0] == 404
    finally:
        follower.stop()
        svc.close(end_session=True)


def test_sensor_alarm_becomes_an_event_at_the_sensor(broker, tmp_path):
    svc = service(tmp_path, broker.port)
    try:
        c = publisher(broker.port)
        t = datetime.now().replace(microsecond=0).isoformat()
        c.publish("cockpit/sensor/7", json.dumps({"t": t, "v": 31.5}), qos=1).wait_for_publish()
        c.publish("cockpit/sensor/7", json.dumps({"t": t, "v": 31.5, "alarm": True,
                                                  "service_code": "ET-MANHOLE"}),
                  qos=1).wait_for_publish()
        c.disconnect()
        assert wait_for(lambda: svc.store.counts()["report"] == 1
                        and svc.store.counts()["reading"] == 1, 20)
        r = svc.store.reports_recent()[0]
        assert (r["lon"], r["lat"], r["source"], r["service_code"]) == \
            (106.5, 29.5, "sensor", "ET-MANHOLE")
    finally:
        svc.close(end_session=True)


# ------------------------------------------------------------------------ nothing lost


def _worker(store: Path, port: int, client: str) -> subprocess.Popen:
    p = subprocess.Popen([sys.executable, "-P", str(WORKER), str(store), str(port), client],
                         stdout=subprocess.PIPE, text=True,
                         env={**os.environ, "PYTHONUNBUFFERED": "1"})
    assert p.stdout.readline().strip() == "ready"
    return p


def _stored(store: Path) -> int:
    s = open_live_store(store)
    try:
        return s.counts()["reading"]
    finally:
        s.close()


def test_kill_9_of_the_intake_mid_stream_loses_nothing(broker, tmp_path):
    store = tmp_path / "live.duckdb"
    client = f"kill9-{uuid.uuid4().hex[:8]}"
    n = 6000
    w = _worker(store, broker.port, client)
    c = publisher(broker.port)
    base = datetime.now() - timedelta(hours=1)
    infos = [c.publish(f"cockpit/vital/V{k % 1000}",
                       json.dumps({"t": (base + timedelta(milliseconds=k)).isoformat(), "v": k}),
                       qos=1) for k in range(n)]
    time.sleep(0.3)  # mid-stream: some written, some in the intake's hands, most queued
    w.send_signal(signal.SIGKILL)
    w.wait(10)
    for i in infos:
        i.wait_for_publish(60)
        assert i.is_published()  # the broker accepted every one
    c.disconnect()
    c.loop_stop()
    before = _stored(store)
    assert before < n  # it really was killed mid-stream
    w = _worker(store, broker.port, client)  # the same session: the broker redelivers
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            w.send_signal(signal.SIGTERM)
            out = w.communicate(timeout=30)[0]
            stats = json.loads(out.strip().splitlines()[-1])
            if _stored(store) == n:
                break
            w = _worker(store, broker.port, client)
    finally:
        if w.poll() is None:
            w.kill()
        end_session(broker.port, client)
    s = DuckLiveStore(store)
    try:
        assert s.counts()["reading"] == n
        got = s.con.execute("SELECT count(DISTINCT value), min(value), max(value) "
                            "FROM live_reading").fetchone()
        assert got == (n, 0, n - 1)  # every message once, none twice
    finally:
        s.close()
    assert stats["received"] >= stats["stored"]


def _alive(pid: int) -> bool:
    """A process that runs (a zombie nobody reaped has ended)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def test_a_killed_cockpit_leaves_no_broker_behind(tmp_path):
    """kill -9 of the process that started the local broker: its watchdog stops the broker
    and removes its folder within seconds (it kept running, holding its port, for ever)."""
    code = ("import time\n"
            "from cockpit.services.mosquitto import LocalBroker\n"
            "b = LocalBroker()\n"
            "b.start()\n"
            "print(b.proc.pid, b.folder, flush=True)\n"
            "time.sleep(120)\n")
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        pid, folder = child.stdout.readline().split()
        assert _alive(int(pid)) and Path(folder).is_dir()
    finally:
        child.kill()
        child.wait()
    assert wait_for(lambda: not _alive(int(pid)) and not Path(folder).exists(), 15)
    # and a broker stopped as usual ends its watchdog with it
    with LocalBroker() as b:
        dog = b._watchdog
    assert dog.poll() is not None and b._watchdog is None


def test_clean_broker_restart_loses_nothing(tmp_path):
    with LocalBroker() as b:
        svc = service(tmp_path, b.port)
        client = svc.options.client_id
        svc.stop()  # away: the broker queues for its session
        publish_readings(b.port, 1500)
        b.stop()  # a clean restart: the broker saves its state
        b.start()
        publish_readings(b.port, 1500, start=1500)
        svc.store.close()
        svc2 = LiveService(tmp_path / "live.duckdb", VOCAB,
                           IntakeOptions(broker_port=b.port, http_port=None, client_id=client))
        svc2.start()
        try:
            assert wait_for(lambda: svc2.store.counts()["reading"] == 3000, 60), \
                svc2.store.counts()
            assert svc2.intake.stats.quarantined == 0
        finally:
            svc2.close(end_session=True)


def test_subscriber_50000_messages_behind_loses_nothing(broker, tmp_path):
    svc = service(tmp_path, broker.port, flood_burst=1e9)
    client = svc.options.client_id
    svc.stop()
    n = 50_000
    base = datetime.now() - timedelta(hours=2)
    lines = "".join(json.dumps({"t": (base + timedelta(milliseconds=k)).isoformat(), "v": k})
                    + "\n" for k in range(n))
    # the C client publishes fast; -q 1: it waits for the broker to accept every message
    subprocess.run(["mosquitto_pub", "-p", str(broker.port), "-q", "1", "-t",
                    "cockpit/vital/V5", "-l"], input=lines.encode(), check=True, timeout=120)
    svc.store.close()
    svc2 = LiveService(tmp_path / "live.duckdb", VOCAB,
                       IntakeOptions(broker_port=broker.port, http_port=None, client_id=client,
                                     flood_burst=1e9))
    svc2.start()
    try:
        assert wait_for(lambda: svc2.store.counts()["reading"] == n, 120), svc2.store.counts()
        assert svc2.intake.stats.quarantined == 0
    finally:
        svc2.close(end_session=True)



def test_messages_read_ahead_are_handled_without_waiting_for_more(broker, tmp_path,
                                                                   monkeypatch):
    """The subscriber reads the socket in large chunks and stops a pass after ``_PASS``
    packets (so that acks go out between passes): what is left in its buffer at the end of a
    burst must be handled at once, not when the broker next sends something (the PINGRESP a
    keepalive later — here 300 s, far beyond the wait)."""
    import functools

    from cockpit.datasets.ingest import mqtt as live_mqtt
    from cockpit.datasets.ingest import service as live_service

    monkeypatch.setattr(live_mqtt._DrainingClient, "_PASS", 7)
    monkeypatch.setattr(live_service, "MqttSubscriber",
                        functools.partial(live_mqtt.MqttSubscriber, keepalive=300))
    svc = service(tmp_path, broker.port, flood_burst=1e9)
    client = svc.options.client_id
    svc.stop()
    n = 2000
    base = datetime.now() - timedelta(hours=2)
    lines = "".join(json.dumps({"t": (base + timedelta(milliseconds=k)).isoformat(), "v": k})
                    + "\n" for k in range(n))
    subprocess.run(["mosquitto_pub", "-p", str(broker.port), "-q", "1", "-t",
                    "cockpit/vital/V5", "-l"], input=lines.encode(), check=True, timeout=120)
    svc.store.close()
    svc2 = LiveService(tmp_path / "live.duckdb", VOCAB,
                       IntakeOptions(broker_port=broker.port, http_port=None, client_id=client,
                                     flood_burst=1e9))
    svc2.start()
    try:
        assert wait_for(lambda: svc2.intake.stats.received >= n, 60), svc2.intake.stats
        assert wait_for(lambda: svc2.store.counts()["reading"] == n, 30), svc2.store.counts()
    finally:
        svc2.close(end_session=True)

# ------------------------------------------------------------------------ bad input

FUTURE = (datetime.now() + timedelta(days=2)).isoformat()
NOW = datetime.now().replace(microsecond=0).isoformat()
BAD_MQTT = [
    ("cockpit/vital/V1", b'{"t": "2026-01-01T00:00:00", "v": ', "malformed"),
    ("cockpit/vital/V1", b'[1, 2]', "malformed"),
    ("cockpit/vital/NOPE", f'{{"t": "{NOW}", "v": 1}}'.encode(), "unknown_id"),
    ("cockpit/sensor/999", f'{{"t": "{NOW}", "v": 1}}'.encode(), "unknown_id"),
    ("cockpit/vital/V2", f'{{"t": "{NOW}", "v": "12"}}'.encode(), "bad_value"),
    ("cockpit/vital/V3", f'{{"t": "{NOW}", "v": 1e999}}'.encode(), "bad_value"),
    ("cockpit/vital/V3", f'{{"t": "{NOW}", "v": NaN}}'.encode(), "bad_value"),
    ("cockpit/vital/V4", f'{{"t": "{FUTURE}", "v": 1}}'.encode(), "future"),
    ("cockpit/vital/V6", b'{"t": "yesterday", "v": 1}', "malformed"),
    ("cockpit/vital/V7", b'{"t": "' + b"x" * (MAX_PAYLOAD + 10) + b'", "v": 1}', "too_large"),
    ("cockpit/report/app", b'{"description": "x", "lat": 95, "long": 106}', "bad_place"),
    ("cockpit/report/app", b'{"description": "x", "lat": 40.0, "long": -74.0}', "bad_place"),
    ("cockpit/elsewhere/1", b'{}', "bad_topic"),
]


def test_bad_mqtt_input_is_quarantined_with_its_reason_and_others_go_on(broker, tmp_path):
    svc = service(tmp_path, broker.port, flood_rate=1.0, flood_burst=5)
    try:
        c = publisher(broker.port)
        infos = [c.publish(topic, payload, qos=1) for topic, payload, _r in BAD_MQTT]
        # a flood on one topic: 5 pass, the rest is quarantined — and V9 still gets through
        infos += [c.publish("cockpit/vital/V8", json.dumps(
            {"t": (datetime.now() - timedelta(seconds=30 - k)).isoformat(), "v": k}), qos=1)
            for k in range(20)]
        infos.append(c.publish("cockpit/vital/V9", json.dumps({"t": NOW, "v": 3.5}), qos=1))
        for i in infos:
            i.wait_for_publish(30)
        c.disconnect()
        want = len(BAD_MQTT) + 15
        assert wait_for(lambda: svc.store.counts()["quarantine"] == want, 30), \
            svc.store.counts()
        rows = svc.store.quarantine_recent(100)
        reasons = [r["reason"].split(":")[0] for r in reversed(rows)]
        assert reasons[:len(BAD_MQTT)] == [r for _t, _p, r in BAD_MQTT]
        assert reasons[len(BAD_MQTT):] == ["flood"] * 15
        assert svc.intake.stats.reasons["flood"] == 15
        big = next(r for r in rows if r["reason"].startswith("too_large"))
        assert big["size"] > MAX_PAYLOAD and len(big["payload"]) <= 4096
        assert wait_for(lambda: svc.store.counts()["reading"] == 6, 10)  # 5 of V8 + V9
    finally:
        svc.close(end_session=True)


@pytest.mark.parametrize("body, ctype, reason", [
    (b'{"description": ', "application/json?key", "malformed"),
    (b'{"api_key": "hotline-key-123", "description": "x", "lat": 29.5, "long": 200}',
     "application/json", "bad_place"),
    (b'{"api_key": "hotline-key-123", "service_code": "NOPE", "lat": 29.5, "long": 106.5}',
     "application/json", "unknown_id"),
    (b'{"api_key": "hotline-key-123", "description": "no place"}', "application/json",
     "malformed"),
    (b"api_key=hotline-key-123&description=x&lat=abc&long=106",
     "application/x-www-form-urlencoded", "bad_place"),
    (b'{"description": "' + b"x" * MAX_PAYLOAD + b'"}', "application/json?key", "too_large"),
])
def test_bad_open311_request_gets_400_error_array_and_is_quarantined(tmp_path, body, ctype,
                                                                     reason):
    svc = service(tmp_path, None, http=True)
    try:
        url = f"{svc.http_url}/requests.json"
        if ctype.endswith("?key"):  # a body the key cannot be read from: in the query
            ctype = ctype[:-4]
            assert post(url, body, ctype)[0] == 400  # without a key: refused, not stored
            assert svc.store.counts()["quarantine"] == 0
            url += "?api_key=hotline-key-123"
        status, err = post(url, body, ctype)
        assert status == 400
        assert isinstance(err, list) and err[0]["code"] == 400 and err[0]["description"]
        q = svc.store.quarantine_recent()
        assert [r["reason"].split(":")[0] for r in q] == [reason]
        assert "hotline-key-123" not in (q[0]["payload"] or "")  # the key is not kept
        assert svc.store.counts()["report"] == 0
    finally:
        svc.close(end_session=True)


def test_unknown_api_key_gets_403_and_nothing_is_written(tmp_path):
    svc = service(tmp_path, None, http=True)
    try:
        for body in ({"api_key": "guess", "description": "x", "lat": 29.5, "long": 106.5},
                     {"description": "x", "lat": 29.5, "long": 106.5}):
            status, err = post(f"{svc.http_url}/requests.json", body)
            assert status == 403 and err[0]["code"] == 403
        assert svc.store.counts() == {"reading": 0, "report": 0, "quarantine": 0}
    finally:
        svc.close(end_session=True)


def test_open311_flood_gets_429_and_is_quarantined(tmp_path):
    svc = service(tmp_path, None, http=True, flood_rate=0.01, flood_burst=3)
    try:
        codes = [post(f"{svc.http_url}/requests.json",
                      {"api_key": KEYS["grid"], "description": f"r{k}", "lat": 29.5,
                       "long": 106.5})[0] for k in range(6)]
        assert codes == [201, 201, 201, 429, 429, 429]
        assert svc.store.counts()["quarantine"] == 3
        # another client is not held up by the flood
        assert post(f"{svc.http_url}/requests.json",
                    {"api_key": KEYS["hotline"], "description": "ok", "lat": 29.5,
                     "long": 106.5})[0] == 201
    finally:
        svc.close(end_session=True)


def test_resent_report_with_the_same_id_is_stored_once(tmp_path):
    svc = service(tmp_path, None, http=True)
    try:
        body = {"api_key": KEYS["hotline"], "description": "同一件事", "lat": 29.5,
                "long": 106.5, "id": "hotline-0001"}
        first = post(f"{svc.http_url}/requests.json", body)
        again = post(f"{svc.http_url}/requests.json", body)
        assert first[0] == again[0] == 201
        assert first[1][0]["service_request_id"] == again[1][0]["service_request_id"]
        assert svc.store.counts()["report"] == 1
    finally:
        svc.close(end_session=True)


def test_an_error_inside_a_request_answers_the_error_array_not_a_trace(tmp_path):
    def broken(_ids):
        raise RuntimeError("/secret/path/dispatch.duckdb is locked")

    opts = IntakeOptions(broker_port=None, http_port=0, api_keys=KEYS,
                         client_id=f"intake-{uuid.uuid4().hex[:8]}")
    svc = LiveService(tmp_path / "live.duckdb", VOCAB, opts, status_of=broken)
    svc.start()
    try:
        code, first = post(f"{svc.http_url}/requests.json",
                           {"api_key": KEYS["hotline"], "description": "路灯不亮", "lat": 29.5,
                            "long": 106.5})
        assert code == 201
        rid = first[0]["service_request_id"]
        code, body = get(f"{svc.http_url}/requests/{rid}.json")
        assert code == 500
        assert body == [{"code": 500, "description": "internal error: RuntimeError"}]
        # and the endpoint goes on answering
        assert get(f"{svc.http_url}/services.json")[0] == 200
    finally:
        svc.close()


def test_ingest_quarantine_lists_recent_rejections(tmp_path):
    s = DuckLiveStore(tmp_path / "live.duckdb")
    from cockpit.datasets.ingest.store import Quarantined

    s.write([], [], [Quarantined("mqtt", "cockpit/vital/X", "unknown_id: vital sign 'X'",
                                 b'{"t":1}', datetime(2026, 12, 1, 8, 0))])
    s.close()
    r = subprocess.run([sys.executable, "-P", "-m", "cockpit", "ingest", "quarantine",
                        "--store", str(tmp_path / "live.duckdb")],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "1 quarantined" in r.stdout and "unknown_id: vital sign 'X'" in r.stdout
    assert "cockpit/vital/X" in r.stdout


# ------------------------------------------------------------------------ on screen


def _vitals_test_module():
    import importlib.util

    spec = importlib.util.spec_from_file_location("vitals_fixtures",
                                                  Path(__file__).with_name("test_vitals.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_live_readings_move_the_vitals_and_raise_an_alarm_through_the_engine(tmp_path):
    from cockpit.datasets import vitals as V
    from cockpit.datasets.ingest.store import Reading

    tv = _vitals_test_module()
    t0 = tv.T0
    con = tv.make_db([tv.sign("A", point_id=7), tv.sign("B")], {"A": [15] * 12, "B": [15] * 12})
    mon = V.VitalsMonitor()
    store = DuckLiveStore(tmp_path / "live.duckdb")
    follower = LiveFollower(store, V.load_signs(con).index)
    mon.live = follower.vital_arrays
    end = t0 + 11 * tv.STEP  # the catalog's last reading
    assert mon.update(con, end).status.state_name(0) == "normal"
    # two readings arrive over the feed after the history: A jumps beyond its alarm threshold
    now = end + timedelta(minutes=2)
    store.write([Reading("vital", "A", end + timedelta(minutes=1), 27.0, now),
                 Reading("vital", "B", end + timedelta(minutes=1), 16.0, now)], [], [])
    assert follower.poll() == 2
    r = mon.update(con, now)
    assert r.status.state_name(0) == "alarm" and r.status.value[0] == 27.0
    assert r.status.state_name(1) == "normal" and r.status.value[1] == 16.0
    assert [e["indicator_id"] for e in r.raised] == ["A"]  # one dispatchable alarm event
    assert r.raised[0]["value"] == 27.0 and r.raised[0]["source"] == "sensor"
    store.close()


def test_window_feed_state_reports_and_a_lost_broker_at_once(qtbot, small_dataset_master,
                                                            cache_dir, tmp_path):
    """The live controller (as the window runs it) against a broker of its own: connected,
    a reading and a report arrive, the broker dies and the header says so at once."""
    import dataclasses

    from cockpit.datasets.catalog import open_catalog
    from cockpit.widgets.header import HeaderBar

    from cockpit.config import Config, Live
    from cockpit.controllers.live import LiveController

    catalog = open_catalog(small_dataset_master, cache_dir)
    b = LocalBroker()
    b.start()
    cfg = dataclasses.replace(Config(), live=Live(broker=f"127.0.0.1:{b.port}", http_port=0,
                                                  simulate=False,
                                                  api_keys={"hotline": KEYS["hotline"]}))
    header = HeaderBar("t")
    qtbot.addWidget(header)
    ctl = LiveController(catalog, cfg, tmp_path / "dispatch.duckdb")
    ctl.sig_state_changed.connect(header.set_feed)
    try:
        ctl.start()
        qtbot.waitUntil(lambda: ctl.connected and ctl.http_url is not None, timeout=30_000)
        vital = catalog.con.execute("SELECT min(indicator_id) FROM vital_sign").fetchone()[0]
        c = publisher(b.port)
        with qtbot.waitSignal(ctl.sig_readings_arrived, timeout=20_000):
            c.publish(f"cockpit/vital/{vital}",
                      json.dumps({"t": datetime.now().isoformat(), "v": 1.0}), qos=1)
        c.disconnect()
        qtbot.waitUntil(lambda: header.feed_state.property("level") == "ok", timeout=5_000)
        assert header.feed_state.isVisible() or not header.isVisible()
        idx, _ts, val = ctl.vital_arrays(0, 2 ** 62)
        assert list(val) == [1.0] and int(idx[0]) == ctl.vital_index[vital]
        lon, lat = catalog.con.execute("SELECT lon, lat FROM admin_unit WHERE level = "
                                       "'street' ORDER BY code LIMIT 1").fetchone()
        with qtbot.waitSignal(ctl.sig_reports_arrived, timeout=20_000):
            status, _body = post(f"{ctl.http_url}/requests.json",
                                 {"api_key": KEYS["hotline"], "description": "路灯坏了",
                                  "lat": lat, "long": lon})
            assert status == 201
        events = ctl.source.poll(datetime.now()).events
        # no service code: untyped, its words are the router's text (智能分拨) and its title
        assert [(e.type_id, e.title, e.description) for e in events] == [
            ("", "路灯坏了", "路灯坏了")]
        assert [(m["lon"], m["lat"]) for m in ctl.map_events()] == [(lon, lat)]
        b.kill()  # the broker crashes: the header says so within a tick or two
        qtbot.waitUntil(lambda: header.feed_state.property("level") == "off", timeout=5_000)
        assert "中断" in header.feed_state.text() or "lost" in header.feed_state.text()
    finally:
        ctl.close()
        b.close()
        catalog.close()


def test_the_live_demos_history_ends_when_it_is_generated(tmp_path):
    import pyarrow.parquet as pq
    from cockpit.datasets.generate import generate

    until = datetime(2026, 11, 20, 10, 30, 15)
    generate(tmp_path / "demo", scale="small", seed=3, anchor="2026-11-20", until=until)
    ev = pq.read_table(tmp_path / "demo" / "event.parquet", columns=["occurred_at"])
    rd = pq.read_table(tmp_path / "demo" / "vital_reading.parquet", columns=["ts"])
    last_event = max(ev["occurred_at"].to_pylist())
    last_reading = max(rd["ts"].to_pylist())
    assert last_event <= until and last_reading <= until
    assert until - last_reading <= timedelta(minutes=15)  # the history runs up to then
    manifest = json.loads((tmp_path / "demo" / "dataset.json").read_text("utf-8"))
    assert datetime.fromisoformat(manifest["as_of"]) == max(last_event, last_reading)


def test_open311_status_comes_from_the_dispatch_log(tmp_path):
    from cockpit.datasets.dispatch import open_store
    from cockpit.datasets.ingest.open311 import dispatch_status

    store = open_store(tmp_path / "dispatch.duckdb")
    opts = IntakeOptions(broker_port=None, http_port=0, api_keys=KEYS)
    svc = LiveService(tmp_path / "live.duckdb", VOCAB, opts, status_of=dispatch_status(store))
    svc.start()
    try:
        _s, body = post(f"{svc.http_url}/requests.json",
                        {"api_key": KEYS["hotline"], "description": "井盖", "lat": 29.5,
                         "long": 106.5})
        rid = body[0]["service_request_id"]
        url = f"{svc.http_url}/requests/{rid}.json"
        assert get(url)[1][0]["status"] == "open"
        (oid,) = store.create(f"L-{rid}", "centre", "k0", dept_id="D-500103-CGJ",
                              deadlines={"acknowledge": 5, "handle": 60, "verify": 90,
                                         "close": 120})
        assert get(url)[1][0]["status"] == "open"
        for k, action in enumerate(("acknowledge", "handle", "verify", "close")):
            store.advance(oid, action, "张伟", f"k{k + 1}")
        got = get(url)[1][0]
        assert got["status"] == "closed" and "closed" in got["status_notes"]
        assert [r["status"] for r in get(f"{svc.http_url}/requests.json?status=closed")[1]] \
            == ["closed"]
    finally:
        svc.close(end_session=True)
        store.close()


def test_live_reports_are_drawn_on_the_map_beside_the_catalogs_events(small_dataset_master,
                                                                      cache_dir):
    from cockpit.datasets.catalog import open_catalog
    from cockpit.layers.events import STATE_CODES, EventLayer

    from cockpit.controllers.live import LIVE_ID_BASE

    catalog = open_catalog(small_dataset_master, cache_dir)
    try:
        con = catalog.cursor()
        as_of = con.execute("SELECT max(occurred_at) FROM event").fetchone()[0]
        layer = EventLayer()
        base = layer.query(con, None, as_of, {})
        live = [{"id": LIVE_ID_BASE + 1, "lon": 106.55, "lat": 29.56, "severity": 2,
                 "occurred_at": as_of - timedelta(minutes=3), "type_id": None},
                {"id": LIVE_ID_BASE + 2, "lon": 106.56, "lat": 29.57, "severity": 3,
                 "occurred_at": as_of - timedelta(minutes=40), "type_id": None},
                {"id": LIVE_ID_BASE + 3, "lon": 106.57, "lat": 29.58, "severity": 3,
                 "occurred_at": as_of + timedelta(minutes=5), "type_id": None}]  # not yet
        got = layer.query(con, None, as_of, {"live": live})
        con.close()
        assert len(got["id"]) == len(base["id"]) + 2
        tail = dict(zip(got["id"][-2:].tolist(), got["state"][-2:].tolist()))
        # the fresh one is new; the one past its 15-minute react target is overdue
        assert tail == {LIVE_ID_BASE + 1: STATE_CODES["new"],
                        LIVE_ID_BASE + 2: STATE_CODES["overdue"]}
        assert got["fresh"][-2:].tolist() == [1, 1]
    finally:
        catalog.close()


def test_postgresql_live_tables_shared_by_every_seat(broker, pg_url):
    """`cockpit ingest`'s path for a centre: the intake writes the PostgreSQL live tables
    (COPY, duplicates recognised), and another seat follows them by seq."""
    from cockpit.datasets.ingest.store import PgLiveStore

    opts = IntakeOptions(broker_port=broker.port, http_port=None,
                         client_id=f"pg-{uuid.uuid4().hex[:8]}")
    svc = LiveService(pg_url, VOCAB, opts)
    svc.start()
    assert svc.mqtt.subscribed.wait(20)
    seat = PgLiveStore(pg_url)
    follower = LiveFollower(seat, {f"V{i}": i for i in range(1000)})
    try:
        base = datetime.now() - timedelta(minutes=30)
        publish_readings(broker.port, 500, base=base)
        publish_readings(broker.port, 100, base=base)  # the first 100 again: duplicates
        st = svc.intake.stats
        assert wait_for(lambda: st.stored + st.duplicates == 600, 60)
        assert wait_for(lambda: follower.poll() >= 0 and follower.readings_seen == 500, 30)
        assert svc.store.counts()["reading"] == 500 and svc.intake.stats.duplicates == 100
        idx, _ts, val = follower.vital_arrays(0, 2 ** 62)
        assert sorted(val.tolist()) == list(range(500))
    finally:
        svc.close(end_session=True)
        seat.close()


@pytest.mark.parametrize("kind", ["duckdb", "postgresql"])
def test_a_batch_of_reports_keeps_order_and_recognises_duplicates(kind, tmp_path, request):
    """One committed batch (the group commit of many HTTP requests): seqs rise in arrival
    order; a retry of a stored report and a repeat inside the batch get None and no row."""
    from cockpit.datasets.ingest.store import Report

    loc = request.getfixturevalue("pg_url") if kind == "postgresql" else tmp_path / "b.duckdb"
    store = open_live_store(loc)
    now = datetime(2026, 12, 6, 9, 0)

    def rep(ext: str | None, text: str, client: str = "hotline") -> Report:
        return Report(channel="http", client=client, description=text, received_at=now,
                      occurred_at=now, lat=29.5, lon=106.5, ext_id=ext,
                      attributes={"n": text})

    try:
        _n, first = store.write([], [rep("a", "一")], [])
        _n, seqs = store.write([], [rep("b", "二"), rep("a", "一又"), rep(None, "三"),
                                    rep("b", "二又"), rep("b", "别家", client="grid"),
                                    rep(None, "四")], [])
        assert seqs[1] is None and seqs[3] is None
        kept = [s for s in seqs if s is not None]
        assert len(kept) == 4 and kept == sorted(kept) and kept[0] > first[0]
        texts = [r["description"] for r in store.reports_after(first[0])]
        assert texts == ["二", "三", "别家", "四"]
        assert store.counts()["report"] == 5
        assert store.report(kept[2])["client"] == "grid"
    finally:
        store.close()


def test_the_simulated_appeals_are_filed_as_what_they_say(small_dataset_master) -> None:
    """Every canned appeal names an event type of the demo (a grid worker files what it is
    about), and the rare grave ones — gas, rock fall, fire — are rare (a random type once made
    a fifth of grid reports 重大)."""
    import pyarrow.parquet as pq
    from cockpit.datasets.ingest.simulate import _ISSUE_P, _ISSUES

    types = pq.read_table(small_dataset_master / "event_type.parquet").to_pandas()
    level = dict(zip(types["type_id"], types["default_severity"], strict=True))
    assert {hint for _words, hint, _w in _ISSUES} <= set(level)
    grave = sum(p for (_t, hint, _w), p in zip(_ISSUES, _ISSUE_P, strict=True)
                if level[hint] == 1)
    assert 0 < grave < 0.05


def test_the_simulator_replays_the_held_out_reports_where_they_were_made(
        small_dataset_master, tmp_path) -> None:
    """On a dataset with its reports' words the demo traffic is the held-out reports — never
    trained on — with their own point and type; a burst, and a dataset without words, use the
    canned appeals."""
    import duckdb
    from cockpit.datasets import triage
    from cockpit.datasets.catalog import open_catalog
    from cockpit.datasets.ingest.simulate import (
        _ISSUES,
        SimOptions,
        TrafficSimulator,
        held_out_reports,
    )

    with open_catalog(small_dataset_master, tmp_path / "cache") as cat:
        con = cat.cursor()
        sim = TrafficSimulator(con, SimOptions(seed=5), cat.cursor())
        held = triage.held_out(con, split=2)
        at: dict[str, set] = {}
        for t, y, x, yy in zip(held["text"], held["type_id"], held["lon"], held["lat"],
                               strict=True):
            at.setdefault(t, set()).add((y, round(x, 6), round(yy, 6)))
        fields = [sim.report_fields(1_800_000_000.0 + i) for i in range(600)]
        assert len(sim.replay) > 500
        assert all(f["description"] in at for f in fields)
        located = [f for f in fields if "lat" in f]
        assert 0.6 < len(located) / len(fields) < 0.8
        assert all(any((f["long"], f["lat"]) == p[1:] for p in at[f["description"]])
                   for f in located)
        coded = [f for f in fields if "service_code" in f]
        assert 0.25 < len(coded) / len(fields) < 0.42
        assert all(any(f["service_code"] == p[0] for p in at[f["description"]])
                   for f in coded)
        # an incident's burst: the canned appeals at its street
        canned = {words for words, _hint, _w in _ISSUES}
        sim._burst = (1_900_000_000.0, sim.streets[0])
        burst = [sim.report_fields(1_899_999_000.0) for _ in range(50)]
        assert all(any(w in f["description"] for w in canned) for f in burst)
    # a dataset whose events carry no words: nothing to replay
    bare = duckdb.connect()
    bare.execute("CREATE TABLE event (event_id BIGINT, lon DOUBLE, lat DOUBLE)")
    assert held_out_reports(bare) == []


@pytest.mark.parametrize("kind", ["duckdb", "postgresql"])
def test_a_reading_stored_long_before_is_recognised_in_a_mixed_batch(kind, tmp_path, request):
    """The key (kind, source_id, ts) holds over the whole table: a batch mixing a reading
    stored hours and thousands of rows before, a repeat inside the batch and new readings
    stores the new ones only, each once."""
    from cockpit.datasets.ingest.store import Reading

    loc = request.getfixturevalue("pg_url") if kind == "postgresql" else tmp_path / "k.duckdb"
    store = open_live_store(loc)
    t0 = datetime(2026, 12, 6, 3, 0)
    now = datetime(2026, 12, 6, 9, 0)
    try:
        old = [Reading("vital", f"V{k % 7}", t0 + timedelta(seconds=k), float(k), now)
               for k in range(5000)]
        for k in range(0, 5000, 500):
            assert store.write(old[k:k + 500], [], [])[0] == 500
        new = [Reading("vital", "V1", now + timedelta(seconds=k), 1.0, now) for k in range(3)]
        same_time_other_kind = Reading("sensor", "V1", old[1].ts, 2.0, now)
        stored, _ = store.write([old[1], new[0], new[0], old[4321], new[1],
                                 same_time_other_kind, new[2]], [], [])
        assert stored == 4
        assert store.counts()["reading"] == 5004
        rows = store.readings_after(0)
        keys = [(r[1], r[2], r[3]) for r in rows]
        assert len(set(keys)) == len(keys)
        assert [r[0] for r in rows] == sorted(r[0] for r in rows)
    finally:
        store.close()


def test_a_live_file_with_the_old_reading_key_is_rebuilt_without_it(tmp_path):
    """A live.duckdb made when live_reading had a PRIMARY KEY (its ART index grew in memory
    with every reading): opened, the table is rebuilt without the key, rows and seqs kept,
    and duplicates are still recognised."""
    import duckdb
    from cockpit.datasets.ingest.store import Reading

    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute("""CREATE SEQUENCE live_reading_seq;
        CREATE TABLE live_reading (
            seq BIGINT NOT NULL DEFAULT nextval('live_reading_seq'),
            kind VARCHAR NOT NULL, source_id VARCHAR NOT NULL, ts TIMESTAMP NOT NULL,
            value DOUBLE NOT NULL, received_at TIMESTAMP NOT NULL,
            PRIMARY KEY (kind, source_id, ts));
        INSERT INTO live_reading (kind, source_id, ts, value, received_at)
        SELECT 'vital', 'V' || i, TIMESTAMP '2026-12-06 08:00:00', i, now()::TIMESTAMP
        FROM range(10) t(i)""")
    con.close()
    store = DuckLiveStore(path)
    try:
        keys = store.con.execute("""SELECT count(*) FROM duckdb_constraints()
                                    WHERE table_name = 'live_reading'
                                      AND constraint_type = 'PRIMARY KEY'""").fetchone()[0]
        assert keys == 0
        assert [r[0] for r in store.readings_after(0)] == list(range(1, 11))
        now = datetime(2026, 12, 6, 9, 0)
        again = Reading("vital", "V3", datetime(2026, 12, 6, 8, 0), 3.0, now)
        fresh = Reading("vital", "V3", datetime(2026, 12, 6, 8, 1), 4.0, now)
        assert store.write([again, fresh], [], [])[0] == 1
        assert store.readings_after(10)[0][:3] == (11, "vital", "V3")
    finally:
        store.close()


def test_the_follower_keeps_every_reading_in_bounded_blocks(tmp_path, monkeypatch):
    """One chunk a poll is merged into blocks: every reading within ``keep`` stays, older
    ones go, and a full block is not merged again."""
    from cockpit.datasets.ingest import follow as live_follow
    from cockpit.datasets.ingest.store import Reading

    monkeypatch.setattr(live_follow, "_BLOCK", 100)
    monkeypatch.setattr(live_follow, "_MERGE", 4)
    store = DuckLiveStore(tmp_path / "f.duckdb")
    follower = LiveFollower(store, {f"V{i}": i for i in range(10)}, keep=timedelta(seconds=500))
    t0 = datetime(2026, 12, 6, 8, 0)
    try:
        for b in range(60):
            store.write([Reading("vital", f"V{k % 10}", t0 + timedelta(seconds=b * 17 + k),
                                 float(b * 17 + k), t0) for k in range(17)], [], [])
            follower.poll()
        sizes = [len(c[1]) for c in follower._chunks]
        assert len(sizes) <= 500 // 100 + 2 + 4
        assert all(s == 100 for s in sizes[:-5])
        _idx, _ts, val = follower.vital_arrays(0, 2 ** 62)
        got = val.tolist()
        newest = 60 * 17 - 1
        assert len(set(got)) == len(got)  # nothing twice
        assert set(range(newest - 500, newest + 1)) <= set(got)  # all within keep
        assert min(got) >= newest - 500 - 100 - 17  # older: at most what shares a block
    finally:
        store.close()
