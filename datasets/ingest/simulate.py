"""``cockpit simulate``: realistic live traffic for the demo, sent through the real path
(MQTT to the broker, Open311 POSTs to the endpoint) — nothing is written to a store directly.

**Vital signs.** Every vital sign of the dataset publishes ``<prefix>/vital/<id>``
``{"t", "v"}`` at the cadence of its domain (:data:`CADENCE_S`): network pressure, levels and
flow of water and gas every 10 s, power every 15 s, traffic and tunnel air every 30 s, telecom
every 60 s, environment every 120 s, bridge structure every 300 s. (Our choice, after the way
such sensors are commonly polled: SCADA pressure/flow loggers and grid telemetry in seconds,
structural-health sensors aggregated over minutes.) Values follow the dataset's own history:
:class:`cockpit.datasets.vitals.simulator.VitalSimulator` continues each indicator from its last
day (its daily shape, AR(1) noise, and now and then a drift across the warning or the alarm
threshold), interpolated between its 5-minute steps, so faults cross thresholds now and then
and the alarms fire through the cockpit's own engine.

**Reports.** Citizen appeals at a Chongqing-like hotline rate (``per_day``, default 30,000 a
day — 12345 / 民呼我为) with a morning (9–11 h) and an evening (19–21 h) peak and a quiet
night; now and then (about every two hours) an incident that brings a burst of 20–60 appeals
from one place within 10 minutes. The words: on a dataset whose events carry their reports'
words (``event.description``), the held-out reports of its history (the split the router is
never trained on, :func:`cockpit.datasets.triage.model.split_of`; at most
:data:`REPLAY_REPORTS` of them, an even thinning; each appeal one of them drawn at random) —
their words, their type, their point, so the live
demo routes what the benchmark measures, where it was made; a burst, and a dataset without
words, uses the canned appeals (:data:`_ISSUES`) at a street. 60 % carry coordinates (a
replayed report's own point; a canned one's near its street), 30 % only an address (district
+ street + a landmark), 10 % both; about a third come from the grid app with a
``service_code`` (the type), the rest from the hotline without one (unclassified, 待分拨).

Deterministic for a seed. No Qt.
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np

__all__ = ["CADENCE_S", "TrafficSimulator", "SimOptions", "hourly_profile", "appeal_text",
           "held_out_reports", "REPLAY_REPORTS"]

log = logging.getLogger(__name__)

#: Seconds between readings, by vital-sign domain (others: 60 s).
CADENCE_S = {"水": 10, "气": 10, "电": 15, "交通": 30, "隧": 30, "讯": 60, "环境": 120,
             "桥": 300}

_PEAKS = ((10.0, 1.6, 1.0), (20.0, 1.8, 0.9))  # hour, width, height (morning, evening)


def hourly_profile() -> np.ndarray:
    """Share of a day's appeals in each hour (24 numbers summing to 1): low at night, a
    morning and an evening peak."""
    h = np.arange(24) + 0.5
    base = 0.25 + 0.75 * (1 - np.cos((h - 3) / 24 * 2 * np.pi)) / 2  # night low at 3 h
    for mu, w, a in _PEAKS:
        base = base + a * np.exp(-0.5 * ((h - mu) / w) ** 2)
    return base / base.sum()


_OPEN = ("师傅你好，", "喂，我要反映个事，", "你好，", "麻烦帮个忙，", "我是附近居民，",
         "打扰一下，", "", "")
#: (words, the demo's event type a grid worker files it as, how common it is among appeals)
#: — the weights follow the make-up of a city hotline's appeals: noise, rubbish, parking and
#: street trading most, a smell of gas or a falling rock rarely (a judgement for the demo, not
#: a published breakdown)
_ISSUES = (
    ("路边的井盖不见了，晚上走路好危险", "ET-MANHOLE", 4),
    ("楼下有人占道摆摊，车都过不去", "ET-STREET-VENDING", 9),
    ("这边水管好像爆了，路上全是水", "ET-WATER-LEAK", 0.5),
    ("闻到好大一股煤气味，有点怕", "ET-GAS-LEAK", 0.2),
    ("路灯坏了好几天了都没人修", "ET-STREETLIGHT", 6),
    ("半夜工地还在施工，吵得睡不着", "ET-NOISE", 10),
    ("垃圾桶满了没人清，臭得很", "ET-GARBAGE-OVERFLOW", 10),
    ("下水道堵了，污水冒出来了", "ET-DRAIN-BLOCK", 4),
    ("小区门口积水好深，车开不过去", "ET-WATERLOGGING", 1),
    ("有棵树倒了压到电线上了", "ET-GREEN-DAMAGE", 1),
    ("红绿灯不亮了，路口好乱", "ET-SIGNAL-FAULT", 2),
    ("有辆车停在消防通道上好几天了", "ET-FIRE-PASSAGE", 6),
    ("坡上有石头往下掉，怕要垮", "ET-ROCKFALL", 0.1),
    ("化粪池那边冒泡泡，味道好冲", "ET-BIOGAS", 0.2),
    ("山上好像起烟了，是不是着火了", "ET-FOREST-FIRE", 0.1),
    ("电梯困人了，里面有老人", "ET-ELEVATOR-TRAP", 0.5),
    ("停水了一上午也没通知", "ET-WATER-OUTAGE", 4),
    ("噪音太大了，广场舞放到十点多", "ET-NOISE", 10),
)
#: At most this many held-out reports are kept to replay (an even thinning of the split).
REPLAY_REPORTS = 20_000
_ISSUE_P = np.array([w for _t, _h, w in _ISSUES], float) / sum(w for _t, _h, w in _ISSUES)
_CLOSE = ("，麻烦尽快派人来看一下。", "，你们管一下嘛。", "。", "，谢谢！", "，急！", "")
_LANDMARKS = ("公交站旁边", "菜市场门口", "小学对面", "轻轨站出口", "小区大门", "农贸市场后面",
              "加油站旁边", "桥底下", "社区卫生服务中心旁")


def appeal_text(rng: np.random.Generator) -> tuple[str, str | None]:
    """A colloquial appeal and the event type its issue suggests (None: none obvious)."""
    issue, hint, _w = _ISSUES[int(rng.choice(len(_ISSUES), p=_ISSUE_P))]
    return (_OPEN[int(rng.integers(len(_OPEN)))] + issue
            + _CLOSE[int(rng.integers(len(_CLOSE)))], hint)


def held_out_reports(con: Any, limit: int = REPLAY_REPORTS) -> list[tuple]:
    """The dataset's held-out reports to replay, ``(text, type_id, lon, lat, street name,
    district name)`` in event-id order (:func:`cockpit.datasets.triage.split_ids`, an even
    thinning to ``limit``); none when its events carry no words."""
    from cockpit.datasets.triage import NoModel, split_ids

    try:
        sel = split_ids(con, 2, limit)
    except NoModel:
        return []
    if sel.size == 0:
        return []
    rows = con.execute(
        "SELECT e.description, e.type_id, e.lon, e.lat, coalesce(s.name, ''), "
        "coalesce(d.name, '') FROM event e "
        "LEFT JOIN admin_unit s ON s.code = e.street_code "
        "LEFT JOIN admin_unit d ON d.code = e.district_code "
        "WHERE e.event_id IN (SELECT unnest(?::BIGINT[])) ORDER BY e.event_id",
        [sel.tolist()]).fetchall()
    return [tuple(r) for r in rows]


@dataclass
class SimOptions:
    """Where to send and how much."""

    broker_host: str = "127.0.0.1"
    broker_port: int | None = None
    http_url: str | None = None  # .../open311/v2
    api_key: str | None = None  # the hotline's key
    grid_api_key: str | None = None  # the grid app's key (default: the hotline's)
    prefix: str = "cockpit"
    per_day: float = 30_000.0
    vital_scale: float = 1.0  # multiplies every vital's rate
    seed: int = 1
    burst_every_h: float = 2.0


@dataclass
class SimCounts:
    vitals: int = 0
    reports: int = 0
    report_errors: int = 0
    last_error: str = ""
    by_status: dict[int, int] = field(default_factory=dict)


class TrafficSimulator:
    """Publishes the demo's traffic in real time (see the module doc)."""

    def __init__(self, con: Any, options: SimOptions, thread_con: Any = None) -> None:
        """``con``: a catalog connection (read here); ``thread_con``: one the publishing
        thread may keep (default: ``con`` itself, then unused by the caller meanwhile)."""
        from cockpit.datasets.vitals import fetch_readings, load_signs

        self.o = options
        self.rng = np.random.default_rng(options.seed)
        self.counts = SimCounts()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        signs = load_signs(con)
        self.signs = signs
        self._con = thread_con if thread_con is not None else con
        end = con.execute("SELECT max(ts) FROM vital_reading").fetchone()[0]
        self.data_end = end
        self.sim = None
        if end is not None and len(signs):
            from cockpit.datasets.vitals.simulator import VitalSimulator

            hist = fetch_readings(con, signs, end - timedelta(days=1), end)
            if len(hist):
                self.sim = VitalSimulator(hist, seed=options.seed)
        cad = np.array([CADENCE_S.get(d, 60) for d in signs.domain], np.float64)
        self.period = cad / max(options.vital_scale, 1e-6)
        # each vital starts at a random phase of its period, so the load is even
        self.next_due = time.time() + self.rng.random(len(signs)) * self.period
        self.decimals = self._decimals(con)
        self.streets = con.execute(
            """SELECT s.name, s.lon, s.lat, d.name FROM admin_unit s
               JOIN admin_unit d ON d.code = s.parent_code
               WHERE s.level = 'street' AND s.lon IS NOT NULL ORDER BY s.code""").fetchall()
        types = {r[0] for r in con.execute("SELECT type_id FROM event_type").fetchall()}
        self.types = sorted(types)
        self.type_ok = types
        self.profile = hourly_profile()
        self._burst: tuple[float, tuple] | None = None  # (until, street)
        #: the held-out reports replayed (text, type, lon, lat, street, district), or none
        self.replay = held_out_reports(con)

    def _decimals(self, con: Any) -> np.ndarray:
        # keep the history's decimals: the simulator's values are rounded like the data
        if self.sim is not None:
            return np.asarray(self.sim._dec)
        return np.full(len(self.signs), 3)

    # ---- life ---------------------------------------------------------------------------
    def start(self) -> None:
        """Publish on background threads until :meth:`stop`."""
        if self.o.broker_port is not None and self.sim is not None:
            self._threads.append(threading.Thread(target=self._vitals_loop, daemon=True,
                                                  name="sim-vitals"))
        if self.o.http_url:
            self._threads.append(threading.Thread(target=self._reports_loop, daemon=True,
                                                  name="sim-reports"))
        for t in self._threads:
            t.start()

    def stop(self) -> None:
        self._stop.set()
        for t in self._threads:
            t.join(5)
        self._threads.clear()

    def run_for(self, seconds: float) -> SimCounts:
        """Publish for ``seconds`` (the CLI's ``--duration``), then stop."""
        self.start()
        self._stop.wait(seconds)
        self.stop()
        return self.counts

    # ---- vitals -------------------------------------------------------------------------
    def values_at(self, t: datetime) -> np.ndarray:
        """Every vital's simulated value at ``t`` (interpolated between the simulator's
        steps)."""
        from cockpit.datasets.vitals import fetch_readings

        step = timedelta(microseconds=self.sim.step_us)
        if self.data_end is not None and t + 2 * step <= self.data_end:
            # a dataset that already holds this moment (the demo covers its whole day):
            # publish what it holds, so the screen and the history agree
            rd = fetch_readings(self._con, self.signs, t - 2 * step, t + 2 * step)
        else:
            rd = self.sim.readings(max(t - 2 * step, self.sim.start), t + 2 * step)
        n = len(self.signs)
        out = np.full(n, np.nan)
        from cockpit.datasets.vitals.signs import to_us

        tu = to_us(t)
        for i in range(n):
            a, b = rd.starts[i], rd.starts[i + 1]
            if b > a:
                out[i] = np.interp(tu, rd.ts[a:b], rd.value[a:b])
        return out

    def _vitals_loop(self) -> None:
        import paho.mqtt.client as mqtt

        c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"cockpit-sim-{self.o.seed}",
                        protocol=mqtt.MQTTv5)
        c.max_inflight_messages_set(1000)
        c.max_queued_messages_set(0)
        c.reconnect_delay_set(1, 30)
        c.connect_async(self.o.broker_host, self.o.broker_port, keepalive=15)
        c.loop_start()
        cache_t = None
        values = None
        ids = self.signs.ids
        try:
            while not self._stop.is_set():
                now = time.time()
                due = np.flatnonzero(self.next_due <= now)
                if len(due):
                    t = datetime.fromtimestamp(now).replace(microsecond=0)
                    if cache_t is None or abs((t - cache_t).total_seconds()) >= 5:
                        values = self.values_at(t)
                        cache_t = t
                    stamp = t.isoformat()
                    for i in due:
                        v = values[i]
                        if not math.isfinite(v):
                            continue
                        v = round(float(v) * (1 + self.rng.normal(0, 0.002)),
                                  int(self.decimals[i]) if i < len(self.decimals) else 3)
                        c.publish(f"{self.o.prefix}/vital/{ids[i]}",
                                  json.dumps({"t": stamp, "v": v}), qos=1)
                        self.counts.vitals += 1
                    self.next_due[due] += self.period[due]
                    behind = self.next_due < now - 60  # after a pause: no catch-up storm
                    self.next_due[behind] = now + self.rng.random(int(behind.sum())) * \
                        self.period[behind]
                self._stop.wait(0.2)
        finally:
            c.disconnect()
            c.loop_stop()

    # ---- reports ------------------------------------------------------------------------
    def _rate_per_s(self, now: float) -> float:
        h = datetime.fromtimestamp(now).hour
        return self.o.per_day * self.profile[h] * 24 / 86400.0

    def report_fields(self, now: float) -> dict[str, Any]:
        """One simulated appeal (the POST fields, without the key)."""
        rng = self.rng
        burst = self._burst if self._burst and self._burst[0] > now else None
        if burst is None and self.replay:
            text, hint, lon, lat, name, district = self.replay[int(rng.integers(
                len(self.replay)))]
            jitter = 0.0  # the report's own point
        else:
            street = burst[1] if burst else self.streets[int(rng.integers(len(self.streets)))]
            name, lon, lat, district = street
            text, hint = appeal_text(rng)
            jitter = 0.004 if burst is None else 0.0015
        f: dict[str, Any] = {"description": text, "id": f"sim-{self.o.seed}-{now:.6f}-"
                             f"{int(rng.integers(1 << 30))}"}
        grid = rng.random() < 0.33
        # a grid worker files what the appeal is about; a dataset without that type gets the
        # words alone (the router types them), never a type the words do not say
        if grid and hint in self.type_ok:
            f["service_code"] = hint
        u = rng.random()
        if u < 0.7:
            f["lat"] = round(float(lat + rng.normal(0, jitter)), 6)
            f["long"] = round(float(lon + rng.normal(0, jitter)), 6)
        if u >= 0.6:
            f["address_string"] = f"{district}{name}" + _LANDMARKS[int(rng.integers(
                len(_LANDMARKS)))]
        return f

    def _post(self, fields: dict[str, Any], key: str) -> None:
        body = json.dumps({**fields, "api_key": key}, ensure_ascii=False).encode("utf-8")
        req = urllib.request.Request(f"{self.o.http_url}/requests.json", data=body,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                status = r.status
        except urllib.error.HTTPError as e:
            status = e.code
            self.counts.last_error = e.read()[:200].decode("utf-8", "replace")
        except OSError as e:
            status = 0
            self.counts.last_error = str(e)[:200]
        self.counts.by_status[status] = self.counts.by_status.get(status, 0) + 1
        if 200 <= status < 300:
            self.counts.reports += 1
        else:
            self.counts.report_errors += 1

    def _reports_loop(self) -> None:
        rng = self.rng
        next_burst = time.time() + rng.exponential(self.o.burst_every_h * 3600)
        while not self._stop.is_set():
            now = time.time()
            if now >= next_burst and self.streets:
                street = self.streets[int(rng.integers(len(self.streets)))]
                self._burst = (now + 600, street)
                next_burst = now + rng.exponential(self.o.burst_every_h * 3600)
            rate = self._rate_per_s(now)
            if self._burst and self._burst[0] > now:
                rate += rng.uniform(20, 60) / 600.0
            k = int(rng.poisson(rate))
            for _ in range(k):
                f = self.report_fields(now)
                key = (self.o.grid_api_key or self.o.api_key) if "service_code" in f \
                    else self.o.api_key
                if key:
                    self._post(f, key)
            self._stop.wait(1.0)
