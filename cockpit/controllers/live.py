"""Wires the live feed into the window: broker, intake, demo traffic, and what reaches the screen.

Started in live mode only (never in a drill or a replay, never for ``--screenshot`` unless
``COCKPIT_SCREENSHOT_LIVE=1``), and everything slow happens off the GUI thread:

- **the broker**: ``live.broker`` from the config, else a local Mosquitto
  (:class:`cockpit.services.mosquitto.LocalBroker`); when there is none, the header says so and
  the window runs on its history;
- **the intake**: with the embedded DuckDB store, :class:`LiveService` runs here, on its own
  threads, writing ``live.duckdb`` beside the dispatch store (DuckDB lets one process write a
  file); with a PostgreSQL store (``--store postgresql://…``) the separate ``cockpit ingest``
  writes the centre's database and this window only follows it;
- **the demo's traffic**: with the demo data (or ``live.simulate``), ``cockpit simulate``'s
  :class:`TrafficSimulator` publishes over MQTT and HTTP from here, through the real path;
- **the follower** (:class:`LiveFollower`) reads new rows by ``seq`` every 100 ms: its vital
  readings are merged by the vitals engine on every tick (a tick is asked for as soon as
  readings arrive, at most once a second), its reports become events of the event list
  (:attr:`LiveController.source`, an event source like the others) and points on the map.

The clock: once the feed is connected the live clock follows the wall clock even when the
dataset's history ends in the past (that history is then the past); the header's feed label
says at once when the feed is lost or was never connected.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal

from cockpit.datasets.event_feed import FeedBatch

if TYPE_CHECKING:
    from cockpit.config import Config
    from cockpit.datasets.catalog import Catalog

from cockpit.controllers.live_setup import (  # noqa: F401 - part of this module's API
    DEMO_API_KEYS,
    api_keys,
    default_live_store,
    live_enabled,
)

log = logging.getLogger(__name__)

__all__ = ["LiveController", "live_enabled", "LiveSourceProxy"]


class LiveSourceProxy:
    """The event source of live reports, usable before the follower exists."""

    name = "live"

    def __init__(self) -> None:
        self.source: Any = None

    def poll(self, now: datetime) -> FeedBatch:
        return self.source.poll(now) if self.source is not None else FeedBatch()


class LiveController(QObject):
    """See the module doc."""

    sig_state_changed = Signal(str, str)
    """The feed's state for the header: (text, level "ok" / "warn" / "off")."""
    sig_readings_arrived = Signal()
    """New vital readings are in the follower (at most once a second)."""
    sig_reports_arrived = Signal()
    """New reports are in the follower (for the map)."""
    _sig_started = Signal(object)

    def __init__(self, catalog: Catalog, cfg: Config, store_location: str | Path | None,
                 parent: QObject | None = None, dispatch_store: Any = None) -> None:
        """``dispatch_store``: the window's (Open311 reads a request's status from its
        orders)."""
        super().__init__(parent)
        self.dispatch_store = dispatch_store
        self.catalog = catalog
        self.cfg = cfg
        self.store_location = store_location
        self.source = LiveSourceProxy()
        self.broker = None
        self.service = None
        self.simulator = None
        self.follower = None
        self.problem: str | None = None
        self.http_url: str | None = None
        self.broker_addr: str | None = None
        self._seen_version = 0
        self._seen_reports = 0
        self._closed = False
        self._lock = threading.Lock()
        self.vital_index: dict[str, int] = {}
        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self._on_timer)
        self._sig_started.connect(self._on_started)

    # ---- life ---------------------------------------------------------------------------
    def start(self) -> None:
        """Start broker, intake, simulator and follower off the GUI thread."""
        self.sig_state_changed.emit(QCoreApplication.translate("live", "实时接入：连接中…"), "warn")
        threading.Thread(target=self._start_work, name="live-start", daemon=True).start()
        self.timer.start()

    def _start_work(self) -> None:
        try:
            result = self._bring_up()
        except Exception as e:  # noqa: BLE001 - the window runs on its history and says why
            log.warning("live feed not started: %s", e)
            result = {"problem": f"{type(e).__name__}: {e}"}
        if not self._closed:
            self._sig_started.emit(result)

    def _bring_up(self) -> dict:
        from cockpit.datasets.ingest.follow import LiveFollower, LiveReportSource
        from cockpit.datasets.ingest.service import IntakeOptions, LiveService
        from cockpit.datasets.ingest.store import PgLiveStore, is_pg
        from cockpit.datasets.ingest.validate import Vocabulary
        from cockpit.datasets.vitals import load_signs

        live = self.cfg.live
        con = self.catalog.cursor()
        try:
            vocab = Vocabulary.from_catalog(con)
            signs = load_signs(con)
        finally:
            con.close()
        self.vital_index = dict(signs.index)
        out: dict[str, Any] = {}
        # the broker
        host, port = None, None
        if live.broker and live.broker != "local":
            host, _, p = live.broker.rpartition(":")
            port = int(p)
        else:
            from cockpit.services.mosquitto import BrokerUnavailable, LocalBroker

            try:
                self.broker = LocalBroker()
                self.broker.start()
                host, port = "127.0.0.1", self.broker.port
            except BrokerUnavailable as e:
                self.broker = None
                out["problem"] = str(e)
        self.broker_addr = f"{host}:{port}" if port else None
        # the store and the intake
        if is_pg(self.store_location):
            store = PgLiveStore(str(self.store_location))  # `cockpit ingest` writes it
        else:
            synthetic = bool(self.catalog.synthetic)
            opts = IntakeOptions(broker_host=host or "127.0.0.1", broker_port=port,
                                 http_port=live.http_port, prefix=live.prefix,
                                 api_keys=api_keys(self.cfg, synthetic),
                                 client_id=_client_id(self._duck_path(default_live_store(self.catalog.data_dir))))
            from cockpit.datasets.ingest.open311 import dispatch_status

            self.service = LiveService(
                self._duck_path(default_live_store(self.catalog.data_dir)), vocab, opts,
                status_of=dispatch_status(self.dispatch_store) if self.dispatch_store else None)
            self.service.start()
            self.http_url = self.service.http_url
            store = self.service.store
        self.follower = LiveFollower(store, self.vital_index, start_at_end=False)
        self.follower.start()
        self.source.source = LiveReportSource(
            self.follower, {c: int(s["severity"]) for c, s in vocab.services.items()
                            if s.get("severity") is not None}, vocab.locate)
        # the demo's traffic, through the real path
        simulate = live.simulate if live.simulate is not None else bool(self.catalog.synthetic)
        if simulate and port is not None and self.http_url:
            from cockpit.datasets.ingest.simulate import SimOptions, TrafficSimulator

            keys = api_keys(self.cfg, bool(self.catalog.synthetic))
            con = self.catalog.cursor()
            try:
                self.simulator = TrafficSimulator(
                    con, SimOptions(broker_host=host, broker_port=port, http_url=self.http_url,
                                    api_key=keys.get("hotline"), grid_api_key=keys.get("grid"),
                                    prefix=live.prefix), self.catalog.cursor())
            finally:
                con.close()
            self.simulator.start()
        return out

    def _duck_path(self, default: Path) -> Path:
        """``live.duckdb`` beside the dispatch store (the dataset's, by default)."""
        if self.store_location:
            return Path(self.store_location).expanduser().with_name("live.duckdb")
        return default

    def _on_started(self, result: dict) -> None:
        self.problem = result.get("problem")
        self._on_timer()

    def close(self) -> None:
        """Stop everything this controller started (in the order data flows)."""
        self._closed = True
        self.timer.stop()
        for part in (self.simulator, self.follower, self.service):
            if part is not None:
                try:
                    part.close() if hasattr(part, "close") else part.stop()
                except Exception as e:  # noqa: BLE001 - closing must not raise
                    log.warning("live feed: closing %s: %s", type(part).__name__, e)
        if self.broker is not None:
            self.broker.close()

    # ---- state --------------------------------------------------------------------------
    def vital_arrays(self, start_us: int, end_us: int, numbers: list[int] | None = None):
        """The live readings for the vitals engine (any thread)."""
        f = self.follower
        if f is None:
            import numpy as np

            return np.zeros(0, np.int32), np.zeros(0, np.int64), np.zeros(0)
        return f.vital_arrays(start_us, end_us, numbers)

    @property
    def connected(self) -> bool:
        if self.service is not None:
            return bool(self.service.intake.stats.connected)
        f = self.follower
        return f is not None and not f.error and f.last_poll is not None and \
            time.time() - f.last_poll < 5

    def state(self) -> tuple[str, str]:
        """The header's text and level now."""
        f = self.follower
        if f is None:
            if self.problem:
                return QCoreApplication.translate(
                    "live", "无实时接入 · 仅历史数据（{why}）").format(why=self.problem[:80]), "off"
            return QCoreApplication.translate("live", "实时接入：连接中…"), "warn"
        age = f.age_s()
        age_txt = "—" if age is None else _age(age)
        quarantined = self.service.intake.stats.quarantined if self.service else 0
        q_txt = (QCoreApplication.translate("live", " · 隔离 {n}").format(n=quarantined)
                 if quarantined else "")
        if self.service is not None and self.service.options.broker_port is None:
            return QCoreApplication.translate("live", "无实时接入 · 仅历史数据（{why}）").format(
                why=(self.problem or "")[:80]), "off"
        if not self.connected:
            why = self.service.intake.stats.last_error if self.service else f.error
            return QCoreApplication.translate("live",
                                              "实时接入中断 · 最近消息 {age} 前（{why}）").format(
                age=age_txt, why=(why or "")[:60]), "off"
        lag = self.service.intake.stats.lag_s if self.service else None
        lag_txt = "—" if lag is None else _age(max(lag, 0.0))
        level = "ok" if age is not None and age < 30 else "warn"
        return QCoreApplication.translate(
            "live", "实时接入：已连接 · 延迟 {lag} · 最近消息 {age} 前{q}").format(
            lag=lag_txt, age=age_txt, q=q_txt), level

    def _on_timer(self) -> None:
        self.sig_state_changed.emit(*self.state())
        f = self.follower
        if f is None:
            return
        if f.version != self._seen_version:
            self._seen_version = f.version
            self.sig_readings_arrived.emit()
        if f.reports_seen != self._seen_reports:
            self._seen_reports = f.reports_seen
            self.sig_reports_arrived.emit()

    def map_events(self, limit: int = 2000) -> list[dict]:
        """The recent live reports as plain rows for the map's event layer."""
        f = self.follower
        if f is None:
            return []
        rows = list(f.recent_reports)[-limit:]
        src = self.source.source
        out = []
        for r in rows:
            if (r.get("lat") is None or r.get("lon") is None) and src is not None and \
                    src.locate and r.get("address"):
                got = src.locate(r["address"])
                if got is None:
                    continue
                r = {**r, "lon": got[0], "lat": got[1]}
            if r.get("lat") is None or r.get("lon") is None:
                continue
            out.append({"id": LIVE_ID_BASE + int(r["seq"]), "lon": float(r["lon"]),
                        "lat": float(r["lat"]), "severity": int(r.get("severity") or 3),
                        "occurred_at": r["occurred_at"], "type_id": r.get("service_code")})
        return out


def _client_id(store: Path) -> str:
    """One MQTT session per seat's live store: a restarted window resumes it (and gets what
    the broker queued meanwhile) instead of leaving an orphan session queueing on the broker."""
    import hashlib

    return "cockpit-seat-" + hashlib.sha1(str(Path(store).resolve()).encode()).hexdigest()[:12]


LIVE_ID_BASE = 2 ** 51
"""Map ids of live reports: far above the catalog's events, below the alarms' 2**52."""


def _age(seconds: float) -> str:
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.0f} h"
