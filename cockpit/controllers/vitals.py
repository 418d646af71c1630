"""The vital-sign controller: ticks the engine off the GUI thread, feeds the panel, keeps the
alarms.

Every ``interval_ms`` (default 5 s) :meth:`VitalsController.tick` asks the clock for ``t`` and
runs :meth:`cockpit.datasets.vitals.VitalsMonitor.update` on the thread pool with the
controller's own catalog cursor; the result (plain data) comes back to the GUI thread, goes
into the panel, and each alarm that began or ended is announced by ``sig_alarm_raised`` /
``sig_alarm_cleared``. Jobs run one at a time, in order; ticks asked for while one runs
collapse into one. The same code serves live, review and drill: the clock decides ``t``.

The open alarms (:meth:`alarm_events`) are rows shaped like the catalog's ``event`` table,
source ``sensor``, placed at the indicator's risk point (else its unit), with deterministic
ids, so that the event list and the map can show them and dispatch can take them. The catalog
is read-only: alarms live in memory, and a replay of the same moment finds the same ones.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal

from cockpit.datasets import vitals as engine
from cockpit.workers import run_in_background

if TYPE_CHECKING:
    from cockpit.datasets.catalog import Catalog
    from cockpit.widgets.vitals_panel import VitalsPanel

log = logging.getLogger(__name__)

__all__ = ["VitalsController", "DEFAULT_INTERVAL_MS", "SIGNAL_KEYS"]

DEFAULT_INTERVAL_MS = 5000
#: The keys every alarm signal's dict carries (more may follow).
SIGNAL_KEYS = ("indicator_id", "name", "domain", "district_code", "lon", "lat", "value",
               "threshold", "at", "event_id")


class VitalsController(QObject):
    """Owns the tick timer, the engine's state and the alarms; feeds a ``VitalsPanel``."""

    # dict payloads travel as ``object``: PySide6 6.12's conversion of ``Signal(dict)`` drops a
    # reference to every None value (the interpreter aborts after enough of them), and turns
    # datetimes into QDateTimes; ``object`` passes the very dict.
    sig_alarm_raised = Signal(object)
    """A vital sign entered alarm: {indicator_id, name, domain, district_code, lon, lat, value,
    threshold, at, event_id, …} (``at`` = when it entered; the event row's fields too)."""

    sig_alarm_cleared = Signal(object)
    """A vital sign left alarm (or went silent, or the clock jumped): the same keys, ``at`` =
    when it left, ``reason`` = left / nodata / rebuilt."""

    sig_ticked = Signal(object)
    """A tick's result is shown: {as_of, counts, open_alarms, raised, cleared, seconds}."""

    sig_failed = Signal(str)
    """A tick or a trend query failed: the message."""

    def __init__(self, catalog: Catalog, clock_now: Callable[[], datetime],
                 panel: VitalsPanel | None, interval_ms: int = DEFAULT_INTERVAL_MS,
                 simulate: bool | None = None, seed: int = 0,
                 parent: QObject | None = None) -> None:
        """``simulate``: continue the readings past the data's end (default: when the dataset
        is synthetic, i.e. the demo)."""
        super().__init__(parent)
        self.catalog = catalog
        self.clock_now = clock_now
        self.panel = panel
        self.monitor = engine.VitalsMonitor(
            simulate=bool(catalog.synthetic) if simulate is None else simulate, seed=seed)
        if getattr(catalog, "db_path", None) is not None:
            self.monitor.sim_cache = engine.sim_cache_path(catalog.db_path)
        self._cursor = catalog.cursor()
        self._jobs: deque[tuple[Callable[[], Callable[[], Any]], Callable[[Any], None]]] = deque()
        self._busy = False
        self._tick_queued = False
        self._table_sent = False
        self._open: list[dict] = []
        self._closed = False
        self.last: engine.TickResult | None = None
        #: GUI-thread milliseconds spent applying each tick (for the benchmark).
        self.gui_ms: deque[float] = deque(maxlen=1000)
        self.timer = QTimer(self)
        self.timer.setInterval(int(interval_ms))
        self.timer.timeout.connect(self.tick)
        if panel is not None:
            panel.sig_indicator_requested.connect(self.request_trend)

    # ---- public API ------------------------------------------------------------------------
    def start(self) -> None:
        """Tick now and then every interval."""
        self.timer.start()
        self.tick()

    def stop(self) -> None:
        self.timer.stop()

    def preload(self, start: datetime, end: datetime) -> None:
        """A replay over ``[start, end]``: load its readings once, off the GUI thread, so
        that seeking reads no catalog (see :meth:`VitalsMonitor.preload`)."""
        def begin() -> Callable[[], bool]:
            return lambda: self.monitor.preload(self._cursor, start, end)

        self._submit(begin, lambda held: log.info("replay readings held in memory: %s", held))

    def set_interval(self, interval_ms: int) -> None:
        self.timer.setInterval(int(interval_ms))

    def interval(self) -> int:
        return self.timer.interval()

    def tick(self) -> None:
        """Recompute the vital signs as of the clock's time, off the GUI thread."""
        if self._closed:
            return
        if self._tick_queued:
            return  # a tick is already waiting: it will read the clock when it starts
        self._tick_queued = True

        def start() -> Callable[[], tuple[engine.TickResult, dict]]:
            # on the GUI thread, when the job starts: the clock is read here, not in the pool
            self._tick_queued = False
            t = self.clock_now()
            first = not self._table_sent

            def work() -> tuple[engine.TickResult, dict]:
                result = self.monitor.update(self._cursor, t)
                return result, engine.panel_data(result, table=result.changed or first)

            return work

        self._submit(start, self._on_tick_done)

    def request_trend(self, indicator_id: str) -> None:
        """Query one indicator's trend up to the clock's time and show it in the panel."""
        t = self.clock_now()
        self._submit(lambda: lambda: self.monitor.trend(self._cursor, indicator_id, t),
                     self._on_trend_done)

    def alarm_events(self) -> list[dict]:
        """The open alarm events as of the last tick, newest first: rows shaped like the
        ``event`` table (event_id, type_id, source "sensor", occurred_at, lon, lat,
        district_code, street_code, severity, title, point_id) plus indicator_id, name,
        domain, unit, value, threshold, side, at."""
        return [dict(e) for e in self._open]

    def alarm_log(self) -> list[tuple[str, dict]]:
        """Every alarm raised and cleared so far, oldest first (kind, event dict)."""
        return [(k, dict(e)) for k, e in self.monitor.log]

    def busy(self) -> bool:
        return self._busy

    def close(self) -> None:
        """Stop ticking; the cursor is closed once no job uses it."""
        self._closed = True
        self.timer.stop()
        self._jobs.clear()
        if not self._busy:
            self._close_cursor()

    # ---- private ---------------------------------------------------------------------------
    def _submit(self, start: Callable[[], Callable[[], Any]],
                done: Callable[[Any], None]) -> None:
        """Queue a job: ``start()`` runs on the GUI thread when its turn comes and returns the
        work for the pool; ``done(result)`` runs on the GUI thread after it."""
        self._jobs.append((start, done))
        self._next()

    def _next(self) -> None:
        if self._busy or not self._jobs or self._closed:
            return
        start, done = self._jobs.popleft()
        fn = start()
        self._busy = True

        def finished(result: Any) -> None:
            self._busy = False
            if self._closed:
                self._close_cursor()
                return
            try:
                done(result)
            finally:
                self._next()

        def failed(message: str) -> None:
            self._busy = False
            self._tick_queued = False
            log.warning("vital signs: %s", message)
            self.sig_failed.emit(message)
            if self._closed:
                self._close_cursor()
                return
            self._next()

        run_in_background(fn, finished, failed)

    def _on_tick_done(self, payload: tuple[engine.TickResult, dict]) -> None:
        t0 = time.perf_counter()
        result, data = payload
        self.last = result
        self._open = result.open_events
        if self.panel is not None:
            self.panel.set_status(data)
            if data.get("table") is not None:
                self._table_sent = True
        for kind, e in result.events:
            (self.sig_alarm_raised if kind == "raised" else self.sig_alarm_cleared).emit(dict(e))
        self.gui_ms.append((time.perf_counter() - t0) * 1000)
        self.sig_ticked.emit({"as_of": result.as_of, "counts": result.status.counts(),
                              "open_alarms": len(result.open_events),
                              "raised": len(result.raised), "cleared": len(result.cleared),
                              "seconds": result.seconds})

    def _on_trend_done(self, data: dict) -> None:
        if self.panel is not None:
            self.panel.show_trend(data)

    def _close_cursor(self) -> None:
        if self._cursor is not None:
            try:
                self._cursor.close()
            except Exception:  # noqa: BLE001 - closing at exit must not raise
                pass
            self._cursor = None
