"""Wires dispatching: feeds and catalog → the event list; the store → the orders; keys → writes.

Every ``tick`` (2 s by default) one job off the GUI thread polls the event sources, reads the
catalog's recent events, lets the department simulator answer (demo live mode), reads
``store.orders(as_of=now)`` and builds plain rows for :class:`~cockpit.widgets.dispatch_panel.
DispatchPanel`; the panel counts the deadlines down by itself between ticks. A dispatch asks the
catalog for the plan and the impact (off the GUI thread), shows
:class:`~cockpit.widgets.dispatch_preview.DispatchPreview`, and on confirmation calls
``store.create`` with one idempotency key per confirmation; the preview says 已派遣 dispatched
only after the store returned. A failed write keeps the key, so the retry is the same request.

A shared store (PostgreSQL, ``store.shared``) is also written by the other seats: the store's
watcher (LISTEN/NOTIFY with a polling fallback, on its own thread) reports every new head and
the controller reads the orders at once (:meth:`DispatchController.refresh_orders`, lighter
than a tick), so another seat's dispatch is on screen within the notice and one orders read.
When the watcher (or a tick) finds the server gone, the panel keeps the last state and
says so in its banner — 派遣库连接中断 · dispatch store disconnected, showing state as of
HH:MM:SS, writes refused — and dispatching is off; when the watcher is connected again the
banner goes and a tick catches up.

智能分拨. An event without a type (a report posted without a service code, an alarm of a vital
sign the dataset links to no type) is asked of :attr:`DispatchController.suggest_type` (the
router, wired by :mod:`cockpit.controllers.triage`; off the GUI thread): when its answer is
sure (``auto``, the configured threshold) the event takes the first type at once and the panel
says 自动分拨; otherwise it waits (待分拨) and its dispatch opens the type chooser with the
router's top three and their confidence. The operator's type differing from the router's, and
any type or department change in the preview, is written to the log as a ``correct`` row.

Times. The screen's clock (``now``) and the catalog's events are naive local time; the store
keeps naive UTC. ``utc_offset`` (default: this machine's offset now, the convention of
:class:`cockpit.clock.Clock`) converts between them; the panel sees local time only.
"""

from __future__ import annotations

import getpass
import itertools
import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QObject, QTimer, Signal

from cockpit.datasets import queue, routing
from cockpit.datasets.dispatch import (
    FINISHED,
    LEVEL_ACTIONS,
    DuplicateOpenOrder,
    EventNotOpen,
    IdempotencyConflict,
    IllegalTransition,
    NotPermitted,
    StoreLocked,
    StoreUnavailable,
    StoreWriteError,
)
from cockpit.datasets.dispatch.ledger import naive_utc
from cockpit.datasets.event_feed import (
    DepartmentSimulator,
    DirectoryFeed,
    EventSimulator,
    EventSource,
    FeedBatch,
    FeedEvent,
    FeedProblem,
    SimProfile,
)
from cockpit.datasets.network import impact as network_impact
from cockpit.widgets.dispatch_panel import DispatchPanel, action_label
from cockpit.widgets.dispatch_preview import DispatchPreview
from cockpit.workers import run_in_background

if TYPE_CHECKING:
    from cockpit.datasets.catalog import Catalog
    from cockpit.datasets.dispatch import DispatchStore

log = logging.getLogger(__name__)

OPEN = ("created", "acknowledged", "confirmed", "handled", "verified")
#: The create rows' source of 自动派遣 (a routine report sent to its plan without a person).
AUTO_SOURCE = "auto"
_STAMPS = ("acknowledge", "confirm", "handle", "verify", "close", "evaluate", "cancel",
           "rework")
_Names = queue.Names


@dataclass
class _TickResult:
    as_of: datetime
    new_feed: list[FeedEvent]
    problems: list[FeedProblem]
    events: list[dict[str, Any]]  # the queue, then recent events (queue.collect's rows)
    orders: list[dict[str, Any]] | None  # None: no store
    event_info: dict[str, dict[str, Any]]
    names: _Names | None
    answered: int = 0
    store_down: str | None = None  # the store could not be read (the orders are the last ones)
    orders_gen: int = 0  # the number of the orders read: a later read wins
    routed: dict[str, dict[str, Any]] = field(default_factory=dict)  # 自动分拨 this tick


class _Lazy:
    """An event source built on its first poll — inside the controller's tick job, so the
    catalog queries it needs run off the GUI thread."""

    def __init__(self, name: str, build: Callable[[datetime], EventSource]) -> None:
        self.name = name
        self._build = build
        self.source: EventSource | None = None

    def poll(self, now: datetime) -> FeedBatch:
        if self.source is None:
            self.source = self._build(now)
        return self.source.poll(now)


def live_feeds(catalog: Catalog, *, drop_dir: Path | None = None,
               state_path: Path | None = None, simulate: bool = False, seed: int = 1,
               rate_scale: float = 1.0, backlog: timedelta = timedelta(0)) -> list[EventSource]:
    """The event sources of live mode: the directory feed on ``drop_dir`` (state beside the
    store, see :mod:`cockpit.controllers.store`) and, with ``simulate``, the demo simulator with
    the rates and places of the catalog's last 28 days (``backlog``: how much of the recent
    past the first poll replays)."""
    from cockpit.controllers import store as store_location

    drop = drop_dir or store_location.default_drop_dir()
    state = state_path or store_location.feed_state_path()

    def directory(_now: datetime) -> EventSource:
        con = catalog.cursor()
        try:
            rows = queue.event_types(con)
        finally:
            con.close()
        return DirectoryFeed(drop, state, type_ids=[r[0] for r in rows],
                             default_severity={t: v for t, v in rows if v is not None})

    def simulator(now: datetime) -> EventSource:
        con = catalog.cursor()
        try:
            profile = SimProfile.from_catalog(con, now, seed=seed)
        finally:
            con.close()
        return EventSimulator(profile, seed=seed, rate_scale=rate_scale, start=now - backlog)

    feeds: list[EventSource] = [_Lazy("directory", directory)]
    if simulate:
        feeds.append(_Lazy("simulator", simulator))
    return feeds


def corrected_plan(plan: routing.Plan, added: Iterable[str], removed: Iterable[str]
                   ) -> routing.Plan:
    """``plan`` without the removed departments' steps and with a react / verify / handle
    step for each added department (the event type's targets as deadlines)."""
    added, removed = list(added), set(removed)
    if not added and not removed:
        return plan
    steps = [s for s in plan if s.dept_id not in removed]
    t = plan.targets
    no = max((s.step_no for s in plan), default=0)
    for d in added:
        for stage, action in (("react", QT_TRANSLATE_NOOP("vocabulary", "接报签收")),
                              ("verify", QT_TRANSLATE_NOOP("vocabulary", "现场核查")),
                              ("handle", QT_TRANSLATE_NOOP("vocabulary", "完成处置"))):
            no += 1
            steps.append(routing.PlanStep(no, d, action, float(t.get(stage, 0.0)), stage))
    return routing.Plan(steps, event_id=plan.event_id, type_id=plan.type_id,
                        plan_id=plan.plan_id, targets=plan.targets,
                        district_code=plan.district_code, street_code=plan.street_code)


def short_dept_name(name: str, district: str) -> str:
    """'渝中区城市管理局' → '城市管理局' beside a district column that says 渝中区."""
    if district and name.startswith(district) and len(name) > len(district):
        return name[len(district):]
    return name


def _end_of_second(t: datetime) -> datetime:
    """The orders as of a screen time shown in whole seconds include that whole second: an
    action written at 12:00:00.4 (another seat's, a moment ago) is on screen while the clock
    still reads 12:00:00, not a second later."""
    return t + timedelta(microseconds=999_999) if t.microsecond == 0 else t


def _orders_moment(store: DispatchStore, now_utc: datetime) -> datetime:
    """The moment the order list is read as of: the screen's time, or the store's own clock
    when that is later. In live mode the store stamps rows by the wall clock while the screen
    stops at the end of a dataset whose history lies in the past; an order once written (from
    this window, another seat or the API) is then listed all the same. A drill's store runs
    on the drill's clock, so there the screen's time decides (a seek back hides later rows)."""
    screen = _end_of_second(now_utc)
    try:
        own = naive_utc(store.clock())
    except Exception:  # noqa: BLE001 - a store without a usable clock: the screen decides
        return screen
    return max(screen, own)


class DispatchController(QObject):
    """Owns the dispatch side of the screen: feeds, the store's orders, previews and writes."""

    sig_event_states_changed = Signal(object)
    """Dispatch states by catalog event id (int → new/dispatched/overdue/closed), for the map."""
    sig_ticked = Signal()
    """A tick's events and orders are on screen."""
    sig_alert = Signal(str)
    """Something the operator must see: an order turned overdue, a store problem."""
    sig_dispatched = Signal(str, list)
    """An event was dispatched (committed): (event_id, order ids)."""
    sig_store_connection_changed = Signal(bool, str)
    """The shared store's connection: (connected, the banner text when not)."""
    sig_event_located = Signal(dict)
    """An order's event was found (for the map): {event_id, lon, lat, title}."""
    sig_store_opened = Signal(object)
    """A store that could not be opened at start (server unreachable) has been opened."""
    sig_network_impact_shown = Signal(dict)
    """A preview of a pipe event opened: its network impact (``{}`` for other events)."""
    _sig_store_head = Signal(int)
    _sig_store_status = Signal(bool, str)

    def __init__(self, catalog: Catalog, store: DispatchStore | None,
                 now: Callable[[], datetime], panel: DispatchPanel,
                 parent: QObject | None = None, *, feeds: Iterable[EventSource] = (),
                 responder: DepartmentSimulator | None = None,
                 store_problem: str | None = None, operator: str | None = None,
                 interval_ms: int = 2000, recent_hours: float = 2.0, max_events: int = 300,
                 finished_hours: float = 12.0, radius_km: float = 1.0,
                 utc_offset: timedelta | None = None,
                 reopen: Callable[[], tuple[DispatchStore | None, str | None]] | None = None
                 ) -> None:
        """``reopen``: without a store (``store_problem`` says why), try to open it with this
        (off the GUI thread, backing off from 1 s to 30 s) until it works — for a shared store
        whose server could not be reached when the window started."""
        super().__init__(parent)
        self.catalog = catalog
        self.store = store
        self.now = now
        self.panel = panel
        self.feeds = list(feeds)
        self.responder = responder
        self.store_problem = store_problem
        self.operator = operator or getpass.getuser() or "operator"
        #: event -> what a new order needs beside the plan (a levels store: area, owner)
        self.create_args: Callable[[dict[str, Any] | None], dict[str, Any]] = lambda _e: {}
        self.recent = timedelta(hours=recent_hours)
        self.max_events = max_events
        self.finished = timedelta(hours=finished_hours)
        self.radius_km = radius_km
        self.utc_offset = utc_offset
        #: The level the lists name places at (区县 / 镇街): see queue.place_level.
        self.place_level = "district"
        self.feed_events: dict[str, FeedEvent] = {}
        self.feed_problems: list[FeedProblem] = []
        self.order_rows: list[dict[str, Any]] = []
        self.event_rows: list[dict[str, Any]] = []
        self.event_states: dict[str, str] = {}
        self.preview: DispatchPreview | None = None
        self._preview_plan: routing.Plan | None = None
        #: event id -> the router's answer for the events it typed itself (自动分拨)
        self.auto_routed: dict[str, dict[str, Any]] = {}
        self._names: _Names | None = None
        self._event_info: dict[str, dict[str, Any]] = {}
        self._overdue: set[str] | None = None
        self._sent_states: dict[int, str] | None = None
        self._busy = False
        #: The clock time of the last tick shown (events, orders).
        self.as_of: datetime | None = None
        self._again = False
        self._dispatch_keys: dict[str, str] = {}
        self._action_keys: dict[tuple[str, str], str] = {}
        self._inflight: set[str] = set()
        self._timeline_seq: dict[str, int] = {}
        self._read_only: str | None = None
        self._disconnected: str | None = None
        self._orders_as_of: datetime | None = None
        self._watcher: Any = None
        self._orders_reads = itertools.count(1)
        self._orders_shown = 0
        self._orders_busy = self._orders_again = False
        self._reopen = reopen
        #: Hook: ``suggest_type(event row) -> answer | None`` for an event without a type
        #: (the row carries ``title`` and ``description``), called off the GUI thread. The
        #: answer is a type id, or the router's ``{"candidates": [{"type_id", "name",
        #: "score"}], "auto": bool, "reason": str}`` (:mod:`cockpit.controllers.triage`):
        #: ``auto`` routes the event at once (自动分拨), else the operator chooses among them.
        self.suggest_type: Callable[[dict[str, Any]], str | dict[str, Any] | None] | None = None
        #: 自动派遣: a report whose level is this or lower (3: 一般 and 低) and whose type is
        #: known at once — the router's (自动分拨) or the sender's (a grid worker's app) — is
        #: dispatched to its plan's departments without the preview; None (the default here;
        #: the window takes the config's) leaves every one to the operator.
        self.auto_dispatch: int | None = None
        #: reports waiting to go out by themselves: kept until they are listed (a report that
        #: arrives after the tick's moment is listed by the next tick) and then sent or dropped
        self._auto_pending: set[str] = set()
        self._reopen_ms = 1000
        self._reopen_timer = QTimer(self)
        self._reopen_timer.setSingleShot(True)
        self._reopen_timer.timeout.connect(self._try_reopen)
        self._sig_store_head.connect(self._on_store_head)
        self._sig_store_status.connect(self._on_store_status)
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.tick)
        panel.sig_dispatch_requested.connect(self.request_dispatch)
        panel.sig_action_requested.connect(self.request_action)
        panel.sig_event_disposal_requested.connect(self.request_disposal)
        panel.sig_order_selected.connect(self._load_timeline)
        panel.sig_order_located.connect(self.locate)

    # ---- public API -----------------------------------------------------------------------
    def start(self) -> None:
        """Show the store's state, run the first tick, then tick on the timer."""
        self.panel.set_clock(self.now)
        con = self.catalog.cursor()
        try:
            self.place_level = queue.place_level(con)
        finally:
            con.close()
        self.panel.set_place_level(self.place_level)
        if self.store is None:
            self._set_read_only(self.plain_problem(self.store_problem)
                                if self.store_problem else self.tr("派遣库未打开：不能派遣"))
            if self._reopen is not None:
                self._set_read_only(self.tr("{reason}（自动重连中）").format(
                    reason=self._read_only))
                self._reopen_timer.start(self._reopen_ms)
        elif getattr(self.store, "read_only", False):
            self._set_read_only(self.tr("派遣库以只读方式打开：不能派遣"))
        elif self.store_problem:
            plain = self.plain_problem(self.store_problem)
            self.panel.show_message(plain, "error")
            self.sig_alert.emit(plain)
        self._watch()
        self.tick()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()
        self._reopen_timer.stop()
        self._reopen = None
        if self._watcher is not None:
            self._watcher.stop()
            self._watcher = None
        if self.preview is not None and self.preview.state != "pending":
            self.preview.reject()

    def locate(self, event_id: str) -> None:
        """Find an event's place (a listed row, a feed event, else the catalog off the GUI
        thread) and emit :attr:`sig_event_located` — an order selected pans the map."""
        eid = str(event_id)
        row = next((r for r in self.event_rows if r["event_id"] == eid), None)
        if row is None and eid in self.feed_events:
            row = self._feed_row(self.feed_events[eid], self._names or queue.Names())
        if row is not None:
            self.sig_event_located.emit(dict(row))
            return

        def work():
            con = self.catalog.cursor()
            try:
                rec = queue.catalog_event(con, eid)
            finally:
                con.close()
            return None if rec is None else {"event_id": rec.event_id, "lon": rec.lon,
                                             "lat": rec.lat, "title": rec.title}

        run_in_background(work, lambda r: r is not None and self.sig_event_located.emit(r),
                          lambda m: log.warning("locating event %s failed: %s", eid, m))

    def plain_problem(self, detail: str) -> str:
        """A store problem in plain words for the banner (no path, no exception text); the
        detail goes to the log."""
        log.warning("dispatch store problem: %s", detail)
        text = detail or ""
        technical = ("/" in text or "\\" in text or "Error" in text or "Exception" in text
                     or not any(0x4E00 <= ord(ch) <= 0x9FFF for ch in text))
        if not technical:  # already plain words (e.g. 复盘只读): shown as they are
            return text
        low = text.lower()
        if "in use by" in low:
            return self.tr("派遣库正被另一个程序使用：本窗口只能查看，不能派遣；"
                           "多个席位请共用 PostgreSQL 派遣库")
        if "unreplay" in low or "write-ahead" in low or "recovered" in low:
            return self.tr("派遣库启动时有一部分记录未能恢复，已另存备查；请通知管理员")
        if "read-only" in low or "read only" in low:
            return self.tr("派遣库只能读取，不能写入：不能派遣")
        if "server" in low or "connect" in low or "postgres" in low:
            return self.tr("派遣库服务器连接不上：不能派遣")
        return self.tr("派遣库无法打开：不能派遣（详情已记入日志）")

    def read_only_reason(self) -> str | None:
        return self._read_only

    def disconnected_reason(self) -> str | None:
        """The banner text while the shared store cannot be reached, else None."""
        return self._disconnected

    def to_utc(self, t: datetime) -> datetime:
        """Screen time (naive local) → the store's naive UTC."""
        return t - self._offset()

    def to_local(self, t: datetime) -> datetime:
        return t + self._offset()

    def tick(self) -> None:
        """Pull new events and the orders as of now, off the GUI thread (one job at a time)."""
        if self._busy:
            self._again = True
            return
        self._busy = True
        now = self.now()
        feed = dict(self.feed_events)
        known = set(self._event_info)
        names = self._names
        run_in_background(lambda: self._tick_work(now, feed, known, names),
                          self._on_tick_done, self._on_tick_failed)

    def add_event(self, event: FeedEvent) -> None:
        """An event that arrived outside the feeds (the 新建事件 form): into the list now."""
        self.feed_events[event.event_id] = event
        self.tick()

    def route_waiting(self) -> None:
        """The router became ready: the events that wait untyped in the queue (待分拨, having
        arrived before it) are routed now, off the GUI thread — typed when it is sure
        (自动分拨), else left to the operator with its suggestions as before."""
        names = self._names
        queued = {r["event_id"] for r in self.event_rows if r.get("queue")}
        waiting = [e for e in self.feed_events.values()
                   if not e.type_id and e.event_id in queued]
        if names is None or not waiting:
            return

        def work() -> tuple[list[FeedEvent], dict[str, dict[str, Any]]]:
            routed: dict[str, dict[str, Any]] = {}
            return [self._classified(e, names, routed) for e in waiting], routed

        def done(res: tuple[list[FeedEvent], dict[str, dict[str, Any]]]) -> None:
            typed, routed = res
            for e in typed:
                cur = self.feed_events.get(e.event_id)
                # the operator may have chosen a type meanwhile: theirs stands
                if e.event_id in routed and cur is not None and not cur.type_id:
                    self.feed_events[e.event_id] = e
                else:
                    routed.pop(e.event_id, None)
            if routed:
                self.auto_routed.update(routed)
                self.panel.show_message(self.tr(
                    "智能分拨已就绪：{n} 件待分拨事件已自动分拨").format(n=len(routed)), "ok")
                if self.auto_dispatch:
                    self._auto_pending.update(routed)  # sent after the next tick's list
            self.tick()

        run_in_background(work, done, lambda m: log.warning("routing the waiting: %s", m))

    def _auto_dispatch(self) -> None:
        """自动派遣 (see :attr:`auto_dispatch`): the reports of a routine level, typed at once,
        that still wait in the queue go to their plans' departments, off the GUI thread, each
        under a key of its own (a repeat writes nothing). The log records them with source
        ``auto`` and says how the type was known."""
        level = self.auto_dispatch
        if not level or self.store is None or self._read_only or self._disconnected:
            return
        rows = {r["event_id"]: r for r in self.event_rows}
        todo: list[FeedEvent] = []
        for eid in list(self._auto_pending):
            e = self.feed_events.get(eid)
            if eid in self._inflight:
                continue
            if eid not in rows and e is not None and e.type_id:
                continue  # not listed yet (it came after the tick's moment): the next tick
            self._auto_pending.discard(eid)
            # only one still waiting in the queue: never one with orders (an operator's, or
            # any before a restart read the intake's reports again), dismissed or merged
            if (e is None or not e.type_id or int(e.severity) < level
                    or eid in self.event_states or not rows[eid].get("queue")):
                continue
            todo.append(e)
        if not todo:
            return
        store, op = self.store, self.operator
        jobs = [(e, self.create_args({"district_code": e.district_code,
                                      "street_code": e.street_code, "severity": e.severity}),
                 self.auto_routed.get(e.event_id) or {}) for e in todo]
        self._inflight.update(e.event_id for e in todo)
        noted = self.tr("自动派遣 · 自动分拨 {type}{score}")
        filed = self.tr("自动派遣 · 上报类型 {type}")

        def work() -> list[tuple[str, Any]]:
            out: list[tuple[str, Any]] = []
            con = self.catalog.cursor()
            try:
                for e, extra, routed in jobs:
                    try:
                        plan = routing.plan_for_type(con, e.type_id, e.district_code,
                                                     e.street_code, event_id=e.event_id)
                        top = (routed.get("candidates") or [{}])[0]
                        note = noted.format(type=e.type_id, score=(
                            f" ({float(top['score']):.0%})" if top.get("score") is not None
                            else "")) if routed else filed.format(type=e.type_id)
                        out.append((e.event_id, store.create(
                            e.event_id, op, f"auto-dispatch:{e.event_id}", plan=plan,
                            source=AUTO_SOURCE, note=note, **extra)))
                    except Exception as exc:  # noqa: BLE001 - it stays for the operator
                        out.append((e.event_id, exc))
            finally:
                con.close()
            return out

        def done(results: list[tuple[str, Any]]) -> None:
            sent = 0
            for eid, r in results:
                self._inflight.discard(eid)
                if isinstance(r, Exception):
                    log.warning("auto-dispatch of event %s: %s (left to the operator)", eid, r)
                else:
                    sent += 1
                    self.sig_dispatched.emit(eid, list(r))
            if sent:
                self.panel.show_message(self.tr(
                    "自动派遣 · {n} 件一般/低级别事件已按预案派往部门").format(n=sent), "ok")
            self.tick()

        def failed(message: str) -> None:
            self._inflight.difference_update(e.event_id for e in todo)
            log.warning("auto-dispatch failed: %s", message)

        run_in_background(work, done, failed)

    def request_dispatch(self, event_or_feature: dict) -> None:
        """Open the dispatch preview for an event (a panel row, the map's event or risk-point
        detail, an alarm). Plan and impact are computed off the GUI thread."""
        if self._read_only or self._disconnected:
            self.panel.show_message(self.tr("只读，不能派遣：{reason}").format(
                reason=self._read_only or self._disconnected), "error")
            return
        if self.preview is not None and self.preview.isVisible():
            self.preview.raise_()
            self.preview.activateWindow()
            return
        d = dict(event_or_feature)
        if d.get("kind") == "risk_point":
            evs = d.get("events") or []
            if not evs:
                self.panel.show_message(self.tr("风险点 {name} 当前没有事件可派遣").format(
                    name=d.get("name", "")), "error")
                return
            d = {"event_id": evs[0]["event_id"]}  # the latest event there
        if d.get("event_id") is None:
            self.panel.show_message(self.tr("没有可派遣的事件"), "error")
            return
        eid = str(d["event_id"])
        if eid in self._inflight:
            return
        feed = self.feed_events.get(eid)
        names = self._names
        now = self.now()  # the window's clock (a drill's or a replay's), not the wall's
        self.panel.show_message(self.tr("正在生成事件 {event} 的派遣预案…").format(event=eid))
        failed = self.tr("预案生成失败：{error}")
        run_in_background(lambda: self._prepare(eid, d, feed, names, now), self._on_prepared,
                          lambda m: self.panel.show_message(failed.format(error=m), "error"))

    def request_disposal(self, event_id: str, action: str, note: str,
                         duplicate_of: str = "") -> None:
        """Take an event off the queue without dispatching: dismiss (不予派遣) or merge (合并)
        as a duplicate of ``duplicate_of``, with the reason in ``note`` — one log row."""
        if self._read_only or self._disconnected or self.store is None:
            self.panel.show_message(self.tr("只读，不能派遣：{reason}").format(
                reason=self._read_only or self._disconnected or ""), "error")
            return
        if event_id in self._inflight:
            return
        self._inflight.add(event_id)
        key = self._action_keys.setdefault((event_id, action), f"gui-{action}:{uuid.uuid4().hex}")
        store, op = self.store, self.operator
        extra = self._event_args(event_id)

        def work():
            try:
                return store.dispose(event_id, action, op, key, note,
                                     duplicate_of=duplicate_of or None, source="gui", **extra)
            except Exception as e:  # noqa: BLE001 - classified on the GUI thread
                return e

        run_in_background(work, lambda r: self._on_action_done(event_id, action, r),
                          lambda m: self._on_action_done(event_id, action, RuntimeError(m)))

    def request_action(self, order_id: str, action: str, note: str = "",
                       outcome: str = "ok") -> None:
        """Record an action (acknowledge, confirm, handle, verify, close, evaluate with its
        rating in ``outcome``, cancel and rework with the reason in ``note``) on an order as
        its plan's stages allow: the store's one
        ``advance``, as the CLI and the tests call it."""
        if self._read_only or self._disconnected or self.store is None:
            self.panel.show_message(self.tr("只读，不能操作工单：{reason}").format(
                reason=self._read_only or self._disconnected), "error")
            return
        if order_id in self._inflight:
            return
        self._inflight.add(order_id)
        key = self._action_keys.setdefault((order_id, action), f"gui-{action}:{uuid.uuid4().hex}")
        store, op = self.store, self.operator

        def work():
            try:
                return store.advance(order_id, action, op, key, note=note, outcome=outcome,
                                     source="gui")
            except Exception as e:  # noqa: BLE001 - classified on the GUI thread
                return e

        run_in_background(work, lambda r: self._on_action_done(order_id, action, r),
                          lambda m: self._on_action_done(order_id, action, RuntimeError(m)))

    # ---- the tick ---------------------------------------------------------------------
    def _offset(self) -> timedelta:
        return self.utc_offset if self.utc_offset is not None else queue.local_utc_offset()

    def _tick_work(self, now: datetime, feed: dict[str, FeedEvent], known: set[str],
                   names: _Names | None) -> _TickResult:
        con = self.catalog.cursor()
        try:
            if names is None:
                names = self._load_names(con)
            new: list[FeedEvent] = []
            problems: list[FeedProblem] = []
            for src in self.feeds:
                try:
                    b = src.poll(now)
                except Exception as e:  # noqa: BLE001 - one bad source must not stop the rest
                    problems.append(FeedProblem(getattr(src, "name", "feed"), 0, str(e)))
                    continue
                problems += b.problems
                new += [self._placed(con, e) for e in b.events if e.event_id not in feed]
            routed: dict[str, dict[str, Any]] = {}
            new = [self._classified(e, names, routed) for e in new]
            feed = {**feed, **{e.event_id: e for e in new}}
            orders = None
            df = disp = None
            info: dict[str, dict[str, Any]] = {}
            answered = 0
            down = None
            gen = 0
            if self.store is not None:
                now_utc = self.to_utc(now)
                try:
                    gen = next(self._orders_reads)
                    df = self.store.orders(as_of=_orders_moment(self.store, now_utc))
                    if self.responder is not None and not self._read_only and len(df):
                        answered = len(self.responder.step(self.store, now_utc, df))
                        if answered:
                            df = self.store.orders(as_of=_orders_moment(self.store, now_utc))
                    disp = self.store.dispositions(as_of=_orders_moment(self.store, now_utc))
                except StoreWriteError as e:  # the shared store's server is gone
                    down = str(e)
                    df = None
                else:
                    info = self._event_info_for(con, df, known, feed)
                    orders = self._order_rows(df, now_utc, names, {**self._event_info, **info})
            events = queue.collect(con, now, names, orders=df, dispositions=disp,
                                   feed=feed.values(), recent=self.recent,
                                   max_recent=self.max_events).rows
            return _TickResult(now, new, problems, events, orders, info, names, answered, down,
                               gen, routed)
        finally:
            con.close()

    @staticmethod
    def _load_names(con) -> _Names:
        return queue.load_names(con)

    def _placed(self, con, e: FeedEvent) -> FeedEvent:
        """A feed event with its district and street (from lon/lat when it came without)."""
        if e.district_code and e.street_code:
            return e
        d, s = routing.place_of(con, e.lon, e.lat)
        return replace(e, district_code=e.district_code or d, street_code=e.street_code or s)

    def suggestion(self, ev: dict[str, Any]) -> dict[str, Any] | None:
        """The router's answer for an event without a type (:attr:`suggest_type`) in one
        shape, ``{"candidates": [...], "auto": bool, "reason": str}``; a bare type id is a
        suggestion without a score; None without one. Any thread: never raises."""
        if self.suggest_type is None:
            return None
        try:
            answer = self.suggest_type(dict(ev))
        except Exception as e:  # noqa: BLE001 - a suggestion must never stop the choice
            log.warning("type suggestion failed: %s", e)
            return None
        if not answer:
            return None
        if isinstance(answer, str):
            return {"candidates": [{"type_id": answer, "name": "", "score": None}],
                    "auto": False, "reason": ""}
        return dict(answer)

    def _classified(self, e: FeedEvent, names: _Names,
                    routed: dict[str, dict[str, Any]]) -> FeedEvent:
        """An event that came without a type: typed by the router when it is sure (自动分拨,
        noted in ``routed``), else left to the operator (待分拨). Off the GUI thread."""
        if e.type_id or (not e.description and not e.title):
            return e
        s = self.suggestion({"event_id": e.event_id, "title": e.title,
                             "description": e.description, "source": e.source,
                             **_report_point(e)})
        top = (s.get("candidates") or [{}])[0].get("type_id") if s else None
        if not (s and s.get("auto") and top in names.types):
            return e
        routed[e.event_id] = s
        # the level of what it turned out to be, when that is graver than the report's own
        # (a report comes in as 一般 unless its sender says): a smell of gas is 重大, and goes
        # to the operator, never out by itself (自动派遣)
        level = min(int(e.severity or 3), int(names.types[top].default_severity or 3))
        return replace(e, type_id=top, severity=level,
                       title=e.title or " ".join(e.description.split())[:40])

    @staticmethod
    def _feed_row(e: FeedEvent, names: _Names) -> dict[str, Any]:
        return queue.event_row(e, names, e.feed or "feed")

    def _event_info_for(self, con, df: pd.DataFrame, known: set[str],
                        feed: dict[str, FeedEvent]) -> dict[str, dict[str, Any]]:
        """Title and district of the orders' events not seen before."""
        if df.empty:
            return {}
        want = set(df["event_id"].astype(str)) - known
        out: dict[str, dict[str, Any]] = {}
        for eid in want:
            if eid in feed:
                e = feed[eid]
                out[eid] = {"title": e.title, "district_code": e.district_code,
                            "street_code": e.street_code}
        for eid, p in queue.event_places(con, want - set(out)).items():
            out[eid] = {"title": p.title, "district_code": p.district_code,
                        "street_code": p.street_code}
        return out

    def _order_rows(self, df: pd.DataFrame, now_utc: datetime, names: _Names,
                    info: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
        if df.empty:
            return []
        open_ = ~df["state"].isin(FINISHED)
        recent = pd.to_datetime(df["last_at"]) >= pd.Timestamp(now_utc - self.finished)
        df = df[open_ | recent]
        off = self._offset()

        def local(v) -> datetime | None:
            if v is None or pd.isna(v):
                return None
            return pd.Timestamp(v).to_pydatetime() + off

        rows = []
        for r in df.to_dict("records"):
            eid = str(r["event_id"])
            ev = info.get(eid, {})
            dc = ev.get("district_code")
            if self.place_level != "district" and ev.get("street_code"):
                dc = ev["street_code"]  # a district's centre names the street
            dname = names.dept_name(r["dept_id"])
            rows.append({
                "order_id": r["order_id"], "event_id": eid,
                "event_title": ev.get("title") or QCoreApplication.translate(
                    "DispatchController", "事件 {event}").format(event=eid),
                "dept_id": r["dept_id"], "dept_name": dname,
                "dept_short": short_dept_name(dname, names.units.get(dc, "")),
                "district_code": dc, "district": names.units.get(dc, dc or ""),
                "state": r["state"],
                "next_actions": [a for a in (r["next_actions"] or "").split(",") if a],
                "stages": [a for a in (r.get("stages") or "").split(",") if a],
                "auto_dispatched": r.get("created_source") == AUTO_SOURCE,
                "created_at": local(r["created_at"]), "last_at": local(r["last_at"]),
                "last_seq": int(r["last_seq"]),
                "dues": {a: local(r.get(f"{a}_due")) for a in routing.DEADLINE_ACTIONS},
                "done": {a: local(r.get(f"{a}_at")) for a in _STAMPS},
                "overdue": bool(r["overdue"]), "overdue_action": r["overdue_action"],
                "late_actions": [a for a in (r["late_actions"] or "").split(",") if a]})
        return rows

    def _on_tick_failed(self, message: str) -> None:
        self._busy = False
        log.error("dispatch tick failed: %s", message)
        self.panel.show_message(self.tr("刷新失败：{error}").format(error=message), "error")
        self._after_tick()

    def _on_tick_done(self, res: _TickResult) -> None:
        self._busy = False
        self.as_of = res.as_of
        if res.names is not None:
            self._names = res.names
        for e in res.new_feed:
            self.feed_events[e.event_id] = e
        # the intake's reports that came typed (a grid worker's app names the type)
        if self.auto_dispatch:
            self._auto_pending.update(e.event_id for e in res.new_feed
                                      if e.feed == "live" and e.type_id)
            self._auto_pending.update(res.routed)
        self._event_info.update(res.event_info)
        if res.routed:
            self.auto_routed.update(res.routed)
            eid, s = next(reversed(res.routed.items()))
            self.panel.show_message(self._routed_text(eid, s), "ok")
        if res.problems:
            self.feed_problems = (self.feed_problems + res.problems)[-200:]
            self.panel.show_message(self.tr("事件源问题 {n} 条（已跳过）：{last}").format(
                n=len(res.problems), last=res.problems[-1]), "error")
        fresh = res.orders is not None and res.orders_gen > self._orders_shown
        if fresh:
            self._take_orders(res.orders, res.as_of, res.orders_gen)
        elif res.store_down is not None:
            self._set_disconnected(res.store_down)
        self._show(res.events, res.as_of, fresh)
        if self._auto_pending:  # after the list: only what is listed and queued goes out
            self._auto_dispatch()
        self._prune(res.as_of)
        self._after_tick()
        self.sig_ticked.emit()

    def _take_orders(self, orders: list[dict[str, Any]], as_of: datetime, gen: int) -> None:
        self.order_rows = orders
        self._orders_shown = gen
        self._orders_as_of = as_of
        if self._disconnected and (self._watcher is None or self._watcher.connected):
            self._set_disconnected(None)

    def _show(self, events: list[dict[str, Any]], as_of: datetime, orders_changed: bool
              ) -> None:
        """The events with their states from the orders, the orders, alerts, the map's states."""
        by_event: dict[str, list[dict[str, Any]]] = {}
        for o in self.order_rows:
            by_event.setdefault(o["event_id"], []).append(o)
        states: dict[str, str] = {}
        for eid, os_ in by_event.items():
            live = [o for o in os_ if o["state"] in OPEN]
            if any(o["overdue"] for o in live):
                states[eid] = "overdue"
            elif live:
                states[eid] = "dispatched"
            elif any(o["state"] in ("closed", "evaluated") for o in os_):
                states[eid] = "closed"
        self.event_states = states
        rows = []
        for r in events:  # the orders may be newer than the tick's events: take them in
            live = [o for o in by_event.get(r["event_id"], []) if o["state"] in OPEN]
            if live:
                st = "order_overdue" if any(o["overdue"] for o in live) else "dispatched"
                rows.append({**r, "state": st, "orders": len(live), "queue": False})
            else:
                rows.append(r)
        self.event_rows = rows
        #: The queue's counts (the header's, the filters', ``cockpit queue``'s).
        self.queue_counts = queue.count_rows(rows, as_of)
        self.panel.set_events(rows, as_of, self.queue_counts.as_dict())
        if orders_changed:
            self.panel.set_orders(self.order_rows, as_of)
        self._alerts()
        self._emit_states(states)
        self._refresh_timeline()

    def refresh_orders(self) -> None:
        """Read the orders alone, off the GUI thread, and show them (a shared store's change
        notice: faster than a whole tick, which also polls the feeds and the catalog)."""
        if self.store is None or self._names is None:
            self.tick()
            return
        if self._orders_busy:
            self._orders_again = True
            return
        self._orders_busy = True
        now, store, names = self.now(), self.store, self._names
        known, feed = set(self._event_info), dict(self.feed_events)

        def work():
            con = self.catalog.cursor()
            try:
                now_utc = self.to_utc(now)
                gen = next(self._orders_reads)
                df = store.orders(as_of=_orders_moment(store, now_utc))
                info = self._event_info_for(con, df, known, feed)
                return now, gen, info, self._order_rows(df, now_utc, names,
                                                        {**self._event_info, **info})
            finally:
                con.close()

        def done(result) -> None:
            as_of, gen, info, orders = result
            self._event_info.update(info)
            if gen > self._orders_shown:
                self._take_orders(orders, as_of, gen)
                self._show(self.event_rows, as_of, True)
            self._orders_done()

        def failed(message: str) -> None:
            log.warning("orders refresh failed: %s", message)
            self._orders_done()

        run_in_background(work, done, failed)

    def _orders_done(self) -> None:
        self._orders_busy = False
        if self._orders_again:
            self._orders_again = False
            self.refresh_orders()

    def _after_tick(self) -> None:
        if self._again:
            self._again = False
            self.tick()

    def _alerts(self) -> None:
        over = {o["order_id"]: o for o in self.order_rows if o["overdue"] and o["state"] in OPEN}
        if self._overdue is None:  # the first look: one summary
            if over:
                self.sig_alert.emit(self.tr("⚠ {n} 个工单已超时").format(n=len(over)))
        else:
            fresh = [o for oid, o in over.items() if oid not in self._overdue]
            if len(fresh) > 3:
                self.sig_alert.emit(self.tr("⚠ 又有 {n} 个工单超时").format(n=len(fresh)))
            else:
                for o in fresh:
                    act = action_label(o.get("overdue_action") or "")
                    self.sig_alert.emit(
                        self.tr("⚠ 工单超时：{dept} {action}超时 · {event}（{order}）").format(
                            dept=o["dept_name"], action=act, event=o["event_title"],
                            order=o["order_id"]))
        self._overdue = set(over)

    def _emit_states(self, states: dict[str, str]) -> None:
        out = {int(k): v for k, v in states.items() if k.isdigit()}
        if out != self._sent_states:
            self._sent_states = out
            self.sig_event_states_changed.emit(dict(out))

    def _prune(self, now: datetime) -> None:
        """Forget the feed events that need no action and are no longer recent (those in the
        queue stay, however old)."""
        keep_ids = {o["event_id"] for o in self.order_rows}
        keep_ids |= {r["event_id"] for r in self.event_rows if r.get("queue")}
        cut = now - self.recent
        for eid in [k for k, e in self.feed_events.items()
                    if e.occurred_at <= cut and k not in keep_ids]:
            del self.feed_events[eid]

    # ---- dispatch -------------------------------------------------------------------------
    def _prepare(self, eid: str, d: dict, feed: FeedEvent | None, names: _Names | None,
                 now: datetime) -> tuple[str, routing.Plan, dict[str, Any]]:
        con = self.catalog.cursor()
        routed: dict[str, Any] | None = None
        try:
            names = names or self._load_names(con)
            rec = queue.catalog_event(con, eid) if feed is None else None
            if rec is not None:
                ev = queue.event_row(rec, names, "catalog")
                plan = routing.plan_for_event(con, int(eid))
            else:
                if feed is None:  # an event from elsewhere: take it as given
                    if not d.get("type_id") or d.get("lon") is None:
                        raise KeyError(f"event {eid} is neither in the catalog nor in a feed")
                    feed = FeedEvent(eid, d["type_id"], d.get("source") or "patrol",
                                     d.get("occurred_at") or now, float(d["lon"]),
                                     float(d["lat"]), int(d.get("severity") or 3),
                                     d.get("title") or "", d.get("district_code"),
                                     d.get("street_code"), d.get("point_id"), feed="given")
                if d.get("type_id") and feed.type_id not in names.types:  # the operator's
                    feed = replace(feed, type_id=str(d["type_id"]))
                feed = self._placed(con, feed)
                if feed.type_id not in names.types:
                    # no type, or one the dataset lacks (an alarm of a sign without a link):
                    # the router's answer routes it when sure (自动分拨), else the preview asks
                    # the operator, with the router's top three
                    ev = self._feed_row(feed, names)
                    text = feed.description or feed.title
                    sug = self.suggestion({**ev, "description": feed.description,
                                           **_report_point(feed)})
                    top = (sug.get("candidates") or [{}])[0].get("type_id") if sug else None
                    if not (sug and sug.get("auto") and top in names.types):
                        return eid, None, self._type_question(ev, names, sug, text,
                                                              _report_point(feed))
                    feed = replace(feed, type_id=top)
                    routed = sug
                ev = self._feed_row(feed, names)
                plan = routing.plan_for_type(con, feed.type_id, feed.district_code,
                                             feed.street_code, event_id=eid)
                text = feed.description or feed.title
            if rec is not None:
                text = queue.event_text(con, eid)
            imp = routing.impact(con, ev["lon"], ev["lat"], self.radius_km, plan)
            # a pipe event (its type, or its source — a drill scenario — names a network):
            # the valve-isolation analysis
            net = network_impact.impact_for_event(con, self.catalog.fingerprint, plan.type_id,
                                                  ev["lon"], ev["lat"],
                                                  network=feed.network if feed else None)
        finally:
            con.close()

        def place(p):
            return {"code": p.code, "name": p.name, "distance_km": p.distance_km}

        def fac(f):
            return None if f is None else {"name": f.name, "distance_km": f.distance_km}

        preview = {
            "text": text or ev.get("title") or "",
            # where the report was made, for a correction (the router learns from it)
            "point": _report_point(feed) if feed is not None
            else {"lon": ev.get("lon"), "lat": ev.get("lat")},
            "type_choices": names.type_choices(),
            "dept_choices": names.department_choices(ev.get("district_code"),
                                                     ev.get("street_code")),
            "routed": routed,
            "event": ev, "plan_id": plan.plan_id,
            "plan_name": names.plans.get(plan.plan_id) if plan.plan_id else None,
            "steps": [{**s.as_dict(), "dept_name": names.dept_name(s.dept_id)} for s in plan],
            "impact": {"radius_km": imp.radius_km,
                       "streets": [place(p) for p in imp.streets],
                       "communities": [place(p) for p in imp.communities],
                       "nearest_street": place(imp.nearest_street) if imp.nearest_street
                       else None,
                       "risk_by_category": [{"name": c.name, "count": c.count,
                                             "major": c.major} for c in imp.risk_by_category],
                       "risk_points": imp.risk_points,
                       "nearest_warehouse": fac(imp.nearest_warehouse),
                       "nearest_fire_station": fac(imp.nearest_fire_station),
                       "repair_min": imp.repair_min}}
        if net is not None:
            preview["impact"]["network"] = net.as_dict()
            preview["impact"]["repair_min"] = net.repair_min
            preview["note"] = network_impact.order_note(net)
        return eid, plan, preview

    def _type_question(self, ev: dict[str, Any], names: _Names,
                       suggestion: dict[str, Any] | None, text: str = "",
                       point: dict[str, Any] | None = None) -> dict[str, Any]:
        """A preview without a plan: the event has no known type, the operator chooses —
        among the router's suggestions (top three, with their confidence) or any type.
        ``point``: where the report was made (:func:`_report_point`), for a correction."""
        cands = [{**c, "name": c.get("name") or names.type_name(c["type_id"])}
                 for c in (suggestion or {}).get("candidates") or []
                 if c.get("type_id") in names.types]
        return {"event": ev, "plan_id": None, "steps": [], "impact": {}, "text": text,
                "point": point or {}, "needs_type": True,
                "suggested_type": cands[0]["type_id"] if cands else None,
                "suggestions": cands[:3], "suggestion_note": (suggestion or {}).get("reason")
                or "", "types": names.type_choices()}

    def _on_type_chosen(self, eid: str, type_id: str, dlg: DispatchPreview) -> None:
        """The operator chose the type of an event that had none: keep it on the event (the
        list shows it) and prepare the plan of that type."""
        feed = self.feed_events.get(eid)
        if feed is not None:
            self.feed_events[eid] = replace(feed, type_id=type_id)
        top = dlg.preview.get("suggested_type")
        if top and top != type_id:  # the operator overrode the router: training data
            self.log_correction(eid, top, type_id, str(dlg.preview.get("text") or ""),
                                point=dlg.preview.get("point"))
        dlg.done(0)  # closes; _on_preview_closed forgets it
        self._on_preview_closed(dlg)
        self.request_dispatch({"event_id": eid, "type_id": type_id})

    def _on_prepared(self, result: tuple[str, routing.Plan | None, dict[str, Any]]) -> None:
        eid, plan, preview = result
        if self._read_only:
            return
        if self.preview is not None and self.preview.isVisible():  # one preview at a time
            self.preview.raise_()
            return
        routed = preview.get("routed")
        if routed:  # typed by the router when the dispatch was asked (自动分拨)
            typed = (preview.get("event") or {}).get("type_id")
            feed = self.feed_events.get(eid)
            if feed is not None and typed:
                self.feed_events[eid] = replace(feed, type_id=typed)
            self.auto_routed[eid] = routed
        elif eid in self.auto_routed and not preview.get("needs_type"):
            preview["routed"] = self.auto_routed[eid]
        self.panel.show_message(self._routed_text(eid, preview["routed"]) if
                                preview.get("routed") else "", "ok")
        self.sig_network_impact_shown.emit(preview["impact"].get("network") or {})
        dlg = DispatchPreview(preview, self.panel.window())
        self._preview_plan = plan
        event = preview.get("event")
        dlg.sig_type_chosen.connect(lambda tid: self._on_type_chosen(eid, tid, dlg))
        dlg.sig_type_changed.connect(lambda tid: self._retype(eid, tid, dlg))
        dlg.sig_dispatch_confirmed.connect(
            lambda p: self._on_confirmed(eid, plan, dlg, event, p))
        dlg.finished.connect(lambda _r: self._on_preview_closed(dlg))
        self.preview = dlg
        dlg.open()

    def _on_preview_closed(self, dlg: DispatchPreview) -> None:
        if self.preview is dlg:
            self.preview = None
        dlg.deleteLater()

    def _retype(self, eid: str, type_id: str, dlg: DispatchPreview) -> None:
        """The operator chose another type in the preview: its plan at the event's place (and
        a pipe type's network analysis), off the GUI thread."""
        ev = dlg.preview.get("event") or {}
        names = self._names
        fingerprint = self.catalog.fingerprint

        def work():
            con = self.catalog.cursor()
            try:
                plan = routing.plan_for_type(con, type_id, ev.get("district_code"),
                                             ev.get("street_code"), event_id=eid)
                net = network_impact.impact_for_event(con, fingerprint, plan.type_id,
                                                      ev["lon"], ev["lat"])
                return plan, net
            finally:
                con.close()

        def done(result) -> None:
            plan, net = result
            if self.preview is not dlg:
                return
            self._preview_plan = plan
            dlg.preview["note"] = network_impact.order_note(net) if net is not None else ""
            self.sig_network_impact_shown.emit(net.as_dict() if net is not None else {})
            dlg.set_plan([{**s.as_dict(), "dept_name": names.dept_name(s.dept_id)
                           if names else s.dept_id} for s in plan], plan.plan_id,
                         names.plans.get(plan.plan_id) if names and plan.plan_id else None)

        run_in_background(work, done, lambda m: self.panel.show_message(
            self.tr("预案生成失败：{error}").format(error=m), "error"))

    def _on_confirmed(self, eid: str, plan: routing.Plan | None, dlg: DispatchPreview,
                      event: dict[str, Any] | None = None,
                      confirmed: dict | None = None) -> None:
        if eid in self._inflight or self.store is None or plan is None:
            return
        if self.preview is dlg and self._preview_plan is not None:
            plan = self._preview_plan
        c = confirmed or {}
        ev = dlg.preview.get("event") or {}
        from_type, to_type = ev.get("type_id"), c.get("type_id") or ev.get("type_id")
        added, removed = list(c.get("added") or ()), list(c.get("removed") or ())
        plan = corrected_plan(plan, added, removed)
        self._inflight.add(eid)
        # one key per confirmation; kept after a failure so that the retry is the same request
        key = self._dispatch_keys.setdefault(eid, f"gui-dispatch:{uuid.uuid4().hex}")
        store, op = self.store, self.operator
        note = str(dlg.preview.get("note") or "")  # a pipe event's network result
        corrected = to_type != from_type or added or removed
        text = str(dlg.preview.get("text") or "")
        point = dlg.preview.get("point") or {}
        extra = self.create_args(event)  # a levels store: the event's area and owner

        def work():
            try:
                if corrected:  # the operator's correction, logged before the orders
                    store.correct(eid, op, f"{key}:correct", from_type=from_type,
                                  to_type=to_type, text=text, added=added, removed=removed,
                                  source="gui", lon=point.get("lon"), lat=point.get("lat"),
                                  **self._area_only(extra))
                return store.create(eid, op, key, plan=plan, source="gui", note=note, **extra)
            except Exception as e:  # noqa: BLE001 - classified on the GUI thread
                return e

        run_in_background(work, lambda r: self._on_created(eid, dlg, r),
                          lambda m: self._on_created(eid, dlg, RuntimeError(m)))

    def log_correction(self, event_id: str, from_type: str | None, to_type: str | None,
                       text: str, added: Iterable[str] = (), removed: Iterable[str] = (),
                       point: dict[str, Any] | None = None) -> None:
        """Write an operator's correction of the router to the dispatch log (a ``correct``
        row; off the GUI thread): training data for the next ``cockpit route train``.
        ``point``: where the report was made (``lon``, ``lat``; none when not known)."""
        point = point or {}
        store = self.store
        if store is None or self._read_only or self._disconnected:
            return
        op, key = self.operator, f"gui-correct:{uuid.uuid4().hex}"
        added, removed = list(added), list(removed)
        extra = self._event_args(event_id)

        def work():
            return store.correct(event_id, op, key, from_type=from_type, to_type=to_type,
                                 text=text, added=added, removed=removed, source="gui",
                                 lon=point.get("lon"), lat=point.get("lat"), **extra)

        run_in_background(work, lambda _seq: None, lambda m: self.panel.show_message(
            self.tr("纠正未记录：{error}").format(error=m), "error"))

    @staticmethod
    def _area_only(create_args: dict[str, Any]) -> dict[str, Any]:
        """Of what a new order needs, what an event action needs: the area (a levels store)."""
        return {"area": create_args["area"]} if create_args.get("area") else {}

    def _event_args(self, event_id: str) -> dict[str, Any]:
        """What an action on event ``event_id`` needs beside its words: in a levels store the
        event's area (from the listed row, else the live feed's event); nothing otherwise."""
        row = next((r for r in self.event_rows if r.get("event_id") == event_id), None)
        if row is None and event_id in self.feed_events:
            e = self.feed_events[event_id]
            row = {"district_code": e.district_code, "street_code": e.street_code,
                   "severity": e.severity}
        return self._area_only(self.create_args(row))

    def _routed_text(self, eid: str, routed: dict[str, Any]) -> str:
        top = (routed.get("candidates") or [{}])[0]
        score = top.get("score")
        return self.tr("自动分拨 · 事件 {event} → {type}（置信度 {score}）").format(
            event=eid, type=top.get("name") or top.get("type_id") or "",
            score="—" if score is None else f"{float(score):.0%}")

    def _on_created(self, eid: str, dlg: DispatchPreview, result: Any) -> None:
        self._inflight.discard(eid)
        if isinstance(result, Exception):
            msg = str(result)
            if isinstance(result, (DuplicateOpenOrder, IdempotencyConflict, IllegalTransition,
                                   NotPermitted, ValueError)):
                self._dispatch_keys.pop(eid, None)  # refused for good: nothing to retry
                dlg.set_refused(msg)
            else:
                if isinstance(result, StoreLocked):
                    self._set_read_only(msg)
                elif isinstance(result, StoreUnavailable):
                    self._set_disconnected(msg)
                dlg.set_failed(msg)  # the key stays: a retry asks the store about this one
            self.panel.show_message(self.tr("未派遣：{error}").format(error=msg), "error")
            return
        self._dispatch_keys.pop(eid, None)
        ids = list(result)
        text = self.tr("已派遣 · 事件 {event} → {n} 个部门工单").format(event=eid, n=len(ids))
        dlg.set_done(text)
        self.panel.show_message(text, "ok")
        self.sig_dispatched.emit(eid, ids)
        self.tick()

    def _on_action_done(self, order_id: str, action: str, result: Any) -> None:
        self._inflight.discard(order_id)
        label = action_label(action)
        if isinstance(result, Exception):
            if isinstance(result, (IllegalTransition, IdempotencyConflict, NotPermitted,
                                   ValueError, EventNotOpen)):
                self._action_keys.pop((order_id, action), None)
            elif isinstance(result, StoreLocked):
                self._set_read_only(str(result))
            elif isinstance(result, StoreUnavailable):
                self._set_disconnected(str(result))
            self.panel.show_message(self.tr("{action}未记录：{error}").format(
                action=label, error=result), "error")
            return
        self._action_keys.pop((order_id, action), None)
        self.panel.show_message(self.tr("✓ {action}已记录 · {order}").format(
            action=label, order=order_id)
            + (self.tr("（重复请求，未重复写入）") if result.repeated else ""), "ok")
        self.tick()

    # ---- timeline -------------------------------------------------------------------------
    def _load_timeline(self, order_id: str) -> None:
        if self.store is None:
            return
        store, off = self.store, self._offset()

        def work():
            h = store.history(order_id)
            return [{"action": r["action"], "at": pd.Timestamp(r["at_utc"]).to_pydatetime() + off,
                     "operator": r["operator"], "source": r["source"], "seat": r["seat"],
                     "note": r["note"], "outcome": r["outcome"], "seq": int(r["seq"])}
                    for r in h.to_dict("records")]

        def done(entries):
            # the last state change shown (what the order view's last_seq names)
            self._timeline_seq[order_id] = max(
                (e["seq"] for e in entries if e["action"] not in LEVEL_ACTIONS), default=0)
            self.panel.set_timeline(order_id, entries)

        run_in_background(work, done, lambda m: log.error("timeline failed: %s", m))

    def _refresh_timeline(self) -> None:
        cur = self.panel.current_order()
        if cur is None:
            return
        oid = cur["order_id"]
        row = next((o for o in self.order_rows if o["order_id"] == oid), None)
        if row is not None and self._timeline_seq.get(oid) != row.get("last_seq"):
            self._load_timeline(oid)

    # ---- the shared store's connection --------------------------------------------------
    def _watch(self) -> None:
        if self.store is not None and getattr(self.store, "shared", False):
            # called on the watcher's thread: the signals queue them to the GUI thread
            self._watcher = self.store.watch(self._sig_store_head.emit,
                                             self._sig_store_status.emit)

    def _try_reopen(self) -> None:
        reopen = self._reopen
        if reopen is None or self.store is not None:
            return

        def done(result) -> None:
            store, problem = result
            if self._reopen is None:  # stopped meanwhile
                if store is not None:
                    store.close()
                return
            if store is None:
                self._reopen_ms = min(self._reopen_ms * 2, 30_000)
                self._reopen_timer.start(self._reopen_ms)
                return
            self.store, self.store_problem = store, problem
            self._read_only = None
            self.panel.set_read_only(self._disconnected)
            self.panel.show_message(self.tr("派遣库已连接：{path}").format(path=store.path), "ok")
            self.sig_alert.emit(self.tr("派遣库已连接"))
            self._watch()
            self.sig_store_opened.emit(store)
            self.tick()

        run_in_background(reopen, done, lambda m: done((None, m)))

    def _on_store_head(self, seq: int) -> None:
        """The head of a shared store moved (another seat wrote, or this one): refresh now."""
        if not self._disconnected:
            self.refresh_orders()

    def _on_store_status(self, connected: bool, detail: str) -> None:
        if connected:
            if self._disconnected:
                self._set_disconnected(None)
                self.tick()  # catch up on what the other seats wrote meanwhile
        else:
            self._set_disconnected(detail)

    def _set_disconnected(self, detail: str | None) -> None:
        """Show (``detail``: why) or clear the disconnected banner; writes are refused while it
        shows."""
        if detail is None:
            was = self._disconnected
            self._disconnected = None
            self.panel.set_read_only(self._read_only)
            if was:
                self.panel.show_message(self.tr("派遣库已重新连接"), "ok")
                self.sig_alert.emit(self.tr("派遣库已重新连接"))
                self.sig_store_connection_changed.emit(True, "")
            return
        if self._disconnected:
            return
        t = self._orders_as_of.strftime("%H:%M:%S") if self._orders_as_of else "--:--:--"
        self._disconnected = self.tr(
            "派遣库连接中断 — 显示 {t} 时的状态，拒绝写入（自动重连中…）").format(t=t)
        log.warning("dispatch store disconnected: %s", detail)
        self.panel.set_read_only(self._read_only or self._disconnected)
        self.sig_alert.emit(self._disconnected)
        self.sig_store_connection_changed.emit(False, self._disconnected)

    # ---- helpers --------------------------------------------------------------------------
    def _set_read_only(self, reason: str) -> None:
        self._read_only = reason
        self.panel.set_read_only(reason)


def _report_point(e: FeedEvent) -> dict[str, float | None]:
    """Where a report was made, for the router (智能分拨 reads what lies around it): its
    lon/lat as its sender gave them; none when the point was found from an address or a
    place's name (a unit's centre says nothing of the report's surroundings)."""
    if e.located:
        return {"lon": None, "lat": None}
    return {"lon": e.lon, "lat": e.lat}
