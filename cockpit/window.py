"""The main window: one screen, four regions around the map, wired to the catalog.

This is the only place where a widget's signal turns into a query. Queries run on the thread
pool with their own cursor; results come back as plain values and go into the widgets.
"""

from __future__ import annotations

import dataclasses
import logging
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QCoreApplication,
    QProcess,
    Qt,
    QThreadPool,
    QTimer,
    Signal,
)
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from cockpit.clock import Clock
from cockpit.config import Config
from cockpit.controllers.alarms import VitalAlarmSource
from cockpit.controllers.dispatch import DispatchController, live_feeds
from cockpit.controllers.levels import LevelsController
from cockpit.controllers.live import LiveController
from cockpit.controllers.map import MapController, load_city_page
from cockpit.controllers.replay import ReplayClock, ReplayController
from cockpit.controllers.review import ReviewPanel
from cockpit.controllers.store import default_store_path, drills_dir, open_default_store
from cockpit.controllers.triage import TriageController
from cockpit.controllers.vitals import VitalsController
from cockpit.datasets import evaluation, summary
from cockpit.datasets.dispatch import is_pg_location
from cockpit.datasets.drill_sessions import save_session, saved_session, saved_sessions
from cockpit.datasets.event_feed import DepartmentSimulator
from cockpit.datasets.review import (
    catalog_department_labels,
    name_departments,
    report_department_ids,
)
from cockpit.datasets.schema import BOARDS, RISK_LEVELS, VITAL_DOMAINS
from cockpit.i18n import current_language
from cockpit.widgets import theme
from cockpit.widgets.dispatch_panel import DispatchPanel
from cockpit.widgets.gauge import ArcGauge
from cockpit.widgets.header import MODE_LABELS, HeaderBar
from cockpit.widgets.kpi_board import KpiBoardDialog
from cockpit.widgets.levels_panel import Toast
from cockpit.widgets.map_side import MapSidePanel
from cockpit.widgets.map_view import MapView
from cockpit.widgets.panels import BarList, Panel, StatTile
from cockpit.widgets.plain import ElidedLabel, display
from cockpit.widgets.replay_bar import ReplayBar
from cockpit.widgets.vitals_panel import VitalsPanel
from cockpit.widgets.words import EVALUATION, RISK_LEVEL, tr_word
from cockpit.workers import run_in_background

if TYPE_CHECKING:
    from cockpit.datasets.catalog import Catalog
    from cockpit.datasets.drill import DrillSession
    from cockpit.widgets.after_action import AfterActionDialog

log = logging.getLogger(__name__)

FACILITY_LABELS = {"warehouse": QT_TRANSLATE_NOOP("MainWindow", "应急仓库"),
                   "fire_station": QT_TRANSLATE_NOOP("MainWindow", "消防站"),
                   "hospital": QT_TRANSLATE_NOOP("MainWindow", "医院"),
                   "shelter": QT_TRANSLATE_NOOP("MainWindow", "避难场所")}
#: admin_unit levels (codes in the data) by their name on screen.
UNIT_LEVELS = {"city": QT_TRANSLATE_NOOP("MainWindow", "市"),
               "district": QT_TRANSLATE_NOOP("MainWindow", "区县"),
               "street": QT_TRANSLATE_NOOP("MainWindow", "镇街"),
               "community": QT_TRANSLATE_NOOP("MainWindow", "村社"),
               "grid": QT_TRANSLATE_NOOP("MainWindow", "网格")}
#: "the whole <top unit>" in the board average's title, by the top unit's level.
TOP_AVERAGE = {"city": QT_TRANSLATE_NOOP("MainWindow", "全市平均"),
               "district": QT_TRANSLATE_NOOP("MainWindow", "全区平均"),
               "street": QT_TRANSLATE_NOOP("MainWindow", "全镇街平均"),
               "community": QT_TRANSLATE_NOOP("MainWindow", "全村社平均"),
               "grid": QT_TRANSLATE_NOOP("MainWindow", "全网格平均")}
REGIONS = ("vitals", "evaluation", "events", "risk", "map")
#: Chinese source texts, shown translated (``QCoreApplication.translate("MainWindow", …)``).
REPLAY_WATERMARK = QT_TRANSLATE_NOOP("MainWindow", "复盘 · REPLAY")
SLOW_REGION_PERIOD_S = 1.0
"""While a replay plays, how often (wall time) the slowly changing regions redraw."""

REPLAY_READ_ONLY = QT_TRANSLATE_NOOP("MainWindow", "复盘模式只读：不派遣，不写入任何记录")


def _tr(text: str) -> str:
    return QCoreApplication.translate("MainWindow", text)


def parse_replay_window(text: str, first: datetime | None, last: datetime | None
                        ) -> tuple[datetime, datetime]:
    """``FROM..TO`` (ISO local times) → (from, to), checked against the data's range.

    Raises ValueError with a message that says what is wrong and what the data covers."""
    parts = text.split("..")
    if len(parts) != 2 or not all(p.strip() for p in parts):
        raise ValueError(f"--replay {text!r}: expected FROM..TO, e.g. "
                         "2026-11-23T08:00..2026-11-23T20:00")
    try:
        start, end = (datetime.fromisoformat(p.strip()) for p in parts)
    except ValueError as exc:
        raise ValueError(f"--replay {text!r}: not an ISO time ({exc})") from None
    if start.tzinfo is not None or end.tzinfo is not None:
        raise ValueError(f"--replay {text!r}: give local times without a zone")
    if start >= end:
        raise ValueError(f"--replay {text!r}: FROM must be before TO")
    if first is None or last is None:
        raise ValueError("--replay: the dataset has no events or readings to replay")
    if start < first or end > last:
        raise ValueError(f"--replay {text!r}: outside the data, which covers "
                         f"{first:%Y-%m-%dT%H:%M:%S}..{last:%Y-%m-%dT%H:%M:%S}")
    return start, end


@dataclass(frozen=True)
class Snapshot:
    """Everything the regions show, computed off the GUI thread."""

    as_of: datetime
    units: summary.UnitInfo
    risk: summary.RiskSummary
    targets: dict[str, float]
    facilities: dict[str, int]
    seconds: float


def take_snapshot(catalog: Catalog, as_of: datetime, previous: Snapshot | None = None
                  ) -> Snapshot:
    """The dataset's summaries on one cursor of the catalog. They do not move with the
    clock, so a later snapshot (a replay tick, F5) reuses ``previous`` and only moves as_of."""
    if previous is not None:
        return dataclasses.replace(previous, as_of=as_of)
    t0 = time.perf_counter()
    con = catalog.cursor()
    try:
        return Snapshot(
            as_of=as_of,
            units=summary.unit_info(con),
            risk=summary.risk_summary(con),
            targets=summary.response_targets(con),
            facilities=summary.facility_counts(con),
            seconds=time.perf_counter() - t0,
        )
    finally:
        con.close()


def _board_rows(con) -> list[dict]:
    """The eight boards' city-wide scores for the latest quarter, with the change."""
    ps = evaluation.periods(con)
    if not ps:
        return []
    df = evaluation.board_scores(con, ps[-1])
    return [{**r, "period": ps[-1]} for r in df.to_dict("records")]


def _focusables(w: QWidget) -> list[QWidget]:
    """``w`` and its descendants that Tab can reach (visible, enabled), ``w`` first."""
    tab = Qt.FocusPolicy.TabFocus
    return [c for c in [w, *w.findChildren(QWidget)]
            if (c.focusPolicy() & tab) == tab and c.isVisible() and c.isEnabled()]


def _widen_pool() -> None:
    """DuckDB releases the GIL: a few more threads than cores keep the first queries of every
    region running side by side; the slowest (the vitals' first tick) goes first."""
    pool = QThreadPool.globalInstance()
    pool.setMaxThreadCount(max(pool.maxThreadCount(), 4))


class MainWindow(QMainWindow):
    """The cockpit's one window."""

    sig_all_drawn = Signal()
    """Every region, the map included, has drawn real data once."""
    sig_region_drawn = Signal(str)
    """A region drew for the first time (vitals, evaluation, events, risk, map)."""

    def __init__(self, catalog: Catalog, mode: str = "live", lang: str | None = None,
                 tiles: str | None = None, scenario: str | None = None,
                 replay: tuple[datetime, datetime] | None = None,
                 config: Config | None = None, store: str | Path | None = None,
                 live: bool = False,
                 progress: Callable[[float, str], None] | None = None,
                 resume: str | None = None, early_start: bool = False,
                 map_view: MapView | None = None) -> None:
        """``replay``: a window of the past (复盘) to replay read-only, in drill mode;
        ``resume``: a drill session kept for later (its id) to continue where it stopped;
        ``config``: operator, tick intervals and dispatch store (default: the defaults);
        ``store``: the live dispatch store, a DuckDB path or a postgresql:// URL (default:
        the config's, else :func:`cockpit.controllers.store.default_store_path`);
        ``progress(fraction, text)``: told each step of the building (``text`` a source text
        of the "app" translation context), for the start-up's progress dialog;
        ``early_start``: begin the two slowest first draws — the map page (QtWebEngine starts
        its processes) and the vital signs' first tick — while the rest of the window is
        still being built, instead of in :meth:`start` (the application does; tests that
        build a window without starting it do not);
        ``map_view``: the map, its page already loading with its signals held
        (:meth:`MapView.hold_signals`; the application starts it before building the window)."""
        step = progress or (lambda _f, _t: None)
        super().__init__()
        self._preloaded_map = map_view
        self.config = cfg = config or Config()
        ticks = cfg.intervals
        store = store if store is not None else cfg.store
        self.catalog = catalog
        self.tiles = tiles
        # the map page's language; the widgets' texts come from the installed translator
        self.lang = lang or current_language()
        self.mode = mode
        self.drawn: set[str] = set()
        # each mode's splitter sizes, per screen size: (mode, width, height) -> sizes
        self._layouts: dict[tuple[str, int, int], dict] = {}
        self.snapshot: Snapshot | None = None
        self.vitals_info: dict = {}
        self.board_dialog: KpiBoardDialog | None = None
        self.after_action: AfterActionDialog | None = None
        self.setWindowTitle(self.tr("城市运行一屏统揽"))
        self.setMinimumSize(1280, 720)
        step(0.1, QT_TRANSLATE_NOOP("app", "建立各区域"))
        self._build()
        # the last moment the data covers: a past dataset stops the clock there
        first, last = summary.data_time_range(catalog.con)
        self.drill: DrillSession | None = None
        self.replay_window: tuple[datetime, datetime] | None = None
        self._snap_busy = self._snap_again = self._closing = False
        self._map_refreshed_for: datetime | None = None  # a seek asked the map itself
        if replay is not None:
            if mode != "drill" or scenario is not None:
                raise ValueError("a replay runs in drill mode and without a scenario")
            self._build_replay(*parse_replay_window(
                f"{replay[0].isoformat()}..{replay[1].isoformat()}", first, last))
        elif mode == "drill":
            self._build_drill(scenario, last, resume)
        else:
            self.clock = Clock(last, interval_ms=round(ticks.clock_s * 1000), parent=self)
        self.clock.sig_ticked.connect(self._on_clock_ticked)
        self.header.set_demo(catalog.synthetic)
        self.set_mode(mode)
        self._on_clock_ticked(self.clock.now())
        self.clock.start()
        step(0.4, QT_TRANSLATE_NOOP("app", "城市体征与地图"))
        self.vitals = VitalsController(catalog, self.clock.now, self.vitals_view,
                                       interval_ms=round(ticks.vitals_s * 1000), parent=self)
        self.vitals.sig_ticked.connect(self._on_vitals_ticked)
        if self.drill is not None:  # the drill's vital injects move their gauges
            from cockpit.datasets.drill_city import inject_scripts

            d = self.drill
            self.vitals.monitor.set_scripts(
                lambda signs: inject_scripts(d.scenario, d.start, d.end, signs))
        self.map_ctl = MapController(catalog, self.map, self.map_side, self.clock.now, self)
        self.map_ctl.sig_unit_selected.connect(self._on_unit_selected)
        self._map_loaded = self._preloaded_map is not None
        if self._map_loaded:  # loading since before the window: its receivers are here now
            self.map.release_signals()
        elif early_start:  # the page's signals have their receivers from here on
            self._load_map_page()
        step(0.55, QT_TRANSLATE_NOOP("app", "打开处置记录库"))
        # a drill writes only to its own session store, a replay writes nowhere: neither
        # opens the live store
        if self.replay_window is not None:
            self.store, store_problem = None, _tr(REPLAY_READ_ONLY)
        elif self.drill is not None:
            self.store, store_problem = self.drill.store, None
        else:
            self.store, store_problem = open_default_store(store, dataset=catalog.data_dir)
        # the live feed (live mode only): readings, reports, the header's feed state
        self.live_ctl: LiveController | None = None
        if live and self.replay_window is None and self.drill is None:
            self.live_ctl = LiveController(catalog, cfg, store, self,
                                           dispatch_store=self.store)
            self.clock.data_end = None  # live at now: the dataset's history is the past
            self.vitals.monitor.live = self.live_ctl.vital_arrays
            self.live_ctl.sig_readings_arrived.connect(self.vitals.tick)
            self.live_ctl.sig_reports_arrived.connect(self.map_ctl.refresh)
            self.live_ctl.sig_state_changed.connect(self.header.set_feed)
            self.map_ctl.live_events = self.live_ctl.map_events
        elif self.replay_window is None and self.drill is None:
            self.header.set_feed(self.tr("无实时接入 · 仅历史数据"), "off")
        step(0.7, QT_TRANSLATE_NOOP("app", "事件与处置"))
        # vital-sign alarms arrive in the event list as dispatchable events
        self.alarm_source = VitalAlarmSource()
        self.vitals.sig_alarm_raised.connect(self.alarm_source.push)
        if early_start:  # every receiver of the vital signs is connected: the first tick
            _widen_pool()
            self.vitals.start()
        self.dispatch_ctl = DispatchController(
            catalog, self.store, self.clock.now, self.dispatch_panel, self,
            feeds=[*(live_feeds(catalog, simulate=False) if self.replay_window is None
                     else []), self.alarm_source,
                   *([self.live_ctl.source] if self.live_ctl is not None else []),
                   *([self.drill] if self.drill is not None else [])],
            # simulated departments answer in the live demo only: in a drill the trainees
            # act the stages themselves (A/H/V/C) and are scored on them
            # (not in a three-level store: a simulated department cannot act as this login)
            responder=DepartmentSimulator() if catalog.synthetic and mode == "live"
            and not getattr(self.store, "levels", False) else None,
            store_problem=store_problem, operator=cfg.operator,
            interval_ms=round(ticks.events_s * 1000),
            # a drill starts at a plausible load: the background events still waiting at its
            # clock are those younger than the usual react target (older ones would have been
            # signed for by then), not every event of the last two hours
            **({"recent_hours": max(summary.response_targets(catalog.con)["react"], 5.0) / 60}
               if self.drill is not None else {}),
            # a shared store whose server is down at start is opened when it is back
            reopen=(lambda: open_default_store(store)) if self.store is None
            and is_pg_location(store) and self.replay_window is None and self.drill is None
            else None)
        # 智能分拨: the router (loaded off the GUI thread), the 新建事件 form, corrections
        # with a live feed, untyped reports keep arriving: the router trains when the first
        # one does (if the catalog has no saved model), then routes those waiting
        self.triage_ctl = TriageController(catalog, self.dispatch_ctl, cfg.route_threshold, self,
                                           train_on_demand=self.live_ctl is not None)
        # 自动派遣 of routine routed reports: live mode only (a drill's trainees dispatch)
        if self.drill is None and self.replay_window is None:
            self.dispatch_ctl.auto_dispatch = cfg.auto_dispatch or None
        self.dispatch_panel.sig_report_requested.connect(self.triage_ctl.request_report)
        self.dispatch_ctl.sig_store_opened.connect(self._on_store_opened)
        # the three levels: who this seat is, what awaits its centre, 上报/下派/督办/退回
        self.levels_ctl = LevelsController(catalog, self.store, self.clock.now,
                                           self.dispatch_ctl.to_utc, self)
        self.dispatch_ctl.create_args = self.levels_ctl.create_args
        self.toast = Toast(self)
        self.levels_ctl.sig_toast.connect(self.toast.show_text)
        self.levels_ctl.sig_toast.connect(self.status.setText)
        self._show_identity()
        self.map_ctl.sig_dispatch_requested.connect(self.dispatch_ctl.request_dispatch)
        self.dispatch_ctl.sig_network_impact_shown.connect(self.map_ctl.show_network_impact)
        # list ↔ map: the selected event (or the selected order's event) is marked on the map
        self.dispatch_panel.sig_event_selected.connect(self.map_ctl.locate_event)
        self.dispatch_ctl.sig_event_located.connect(self.map_ctl.locate_event)
        self.dispatch_ctl.sig_event_states_changed.connect(self._on_event_states)
        self.dispatch_ctl.sig_alert.connect(self.say)
        self.dispatch_ctl.sig_ticked.connect(lambda: self._mark("events"))
        self.dispatch_ctl.sig_ticked.connect(  # live events count in the density map too
            lambda: self.map_ctl.set_feed_events(self.dispatch_ctl.feed_events.values()))
        step(0.85, QT_TRANSLATE_NOOP("app", "五色图与排名"))
        # the five-colour grid and rankings, fed by the dispatch records (闭环 board)
        self.review = ReviewPanel(catalog, self._orders)
        self.review.sig_quarter_shown.connect(self._on_quarter_shown)
        self.review.sig_unit_selected.connect(self._on_unit_selected)
        self.top_split.addWidget(self.review)
        self.top_split.setStretchFactor(2, 24)
        self.set_mode(self.mode)
        self._shortcuts()
        if isinstance(self.clock, ReplayClock):
            # every panel follows the replay clock: the same as-of queries as live mode
            self.clock.sig_ticked.connect(self._on_replay_ticked)
            self.clock.sig_state_changed.connect(self._on_replay_state)
            self._slow_refresh: dict[str, Callable[[datetime], None]] = {
                "vitals": lambda _t: self.vitals.tick(),
                "dispatch": lambda _t: self.dispatch_ctl.tick(),
                "status": self._advance_snapshot}
            self._slow_last = dict.fromkeys(self._slow_refresh, 0.0)
            self._slow_turn = 0
            self._was_playing = False
        step(1.0, QT_TRANSLATE_NOOP("app", "窗口已建立，正在绘制"))

    # ---- construction -------------------------------------------------------------------
    def _build(self) -> None:
        central = QWidget()
        central.setObjectName("central")
        root = QVBoxLayout(central)
        root.setContentsMargins(0, 0, 0, 0)
        root.setSpacing(0)
        self.header = HeaderBar(self.tr("城市运行一屏统揽"))
        self.header.sig_mode_requested.connect(self.set_mode)
        root.addWidget(self.header)

        body = QVBoxLayout()
        body.setContentsMargins(8, 8, 8, 8)
        body.setSpacing(8)
        root.addLayout(body, 1)

        self.top_split = QSplitter(Qt.Orientation.Horizontal)
        self.top_split.setChildrenCollapsible(False)
        # left: the city's vital signs (live, ticking) and the eight KPI boards
        self.vitals_view = VitalsPanel(domains=VITAL_DOMAINS)
        self.kpi_panel = Panel(self.tr("八大板块"))
        grid = QGridLayout()
        grid.setSpacing(4)
        self.board_gauges: dict[str, ArcGauge] = {}
        for i, board in enumerate(BOARDS):
            g = ArcGauge(tr_word(board), self.tr("分"), 0, 100, 1)
            g.set_bands([(0, 60, "alarm"), (60, 80, "warning"), (80, 100, "normal")])
            g.set_target(80)
            g.setMinimumSize(90, 80)
            g.setToolTip(self.tr("{board}：点击查看跑道与指标明细").format(board=tr_word(board)))
            g.sig_clicked.connect(lambda b=board: self.open_board(b))
            grid.addWidget(g, i // 4, i % 4)
            self.board_gauges[board] = g
        self.kpi_panel.body.addLayout(grid)
        self.left_split = QSplitter(Qt.Orientation.Vertical)
        self.left_split.addWidget(self.vitals_view)
        self.left_split.addWidget(self.kpi_panel)
        self.left_split.setStretchFactor(0, 70)
        self.left_split.setStretchFactor(1, 30)
        # centre: the map, with its side panel (search, layers, detail)
        self.map = self._preloaded_map or MapView()
        self.map.sig_layer_drawn.connect(self._on_map_layer_drawn)
        self._focus: tuple[float, float, float] | None = None
        self._focus_sent = False
        self._min_map_seq = 1
        self._map_seq: dict[str, int] = {}
        self.map_side = MapSidePanel()
        self.map_split = QSplitter(Qt.Orientation.Horizontal)
        self.map_split.addWidget(self.map_side)
        self.map_split.addWidget(self.map)
        self.map_split.setStretchFactor(0, 0)
        self.map_split.setStretchFactor(1, 1)
        self.map_split.setSizes([250, 800])
        # the map gets the room on a wall; the panel opens for a search (Ctrl+F), a click
        # on a feature, or F4
        self.map_side.hide()
        self.map.sig_feature_clicked.connect(lambda _m: self.map_side.show())
        self.top_split.addWidget(self.left_split)
        self.top_split.addWidget(self.map_split)
        self.top_split.setStretchFactor(0, 24)
        self.top_split.setStretchFactor(1, 52)
        self.top_split.setStretchFactor(2, 24)

        # bottom: events, risk points and resources
        self.bottom_split = QSplitter(Qt.Orientation.Horizontal)
        self.risk_panel = Panel(self.tr("风险点 · 应急资源"))
        r_row = QHBoxLayout()
        self.tile_risk = StatTile(self.tr("风险点"))
        self.tile_cats = StatTile(self.tr("类别"))
        r_row.addWidget(self.tile_risk)
        r_row.addWidget(self.tile_cats)
        self.risk_panel.body.addLayout(r_row)
        self.level_bars = BarList(row_height=17)
        self.risk_panel.body.addWidget(self.level_bars)
        self.facility_bars = BarList(row_height=17)
        self.risk_panel.body.addWidget(self.facility_bars)
        self.targets_note = QLabel()
        self.targets_note.setObjectName("note")
        self.targets_note.setWordWrap(True)
        self.risk_panel.body.addWidget(self.targets_note)
        self.risk_panel.body.addStretch(1)
        self.bottom_split.addWidget(self.risk_panel)
        self.bottom_split.setStretchFactor(0, 64)
        self.bottom_split.setStretchFactor(1, 36)

        self.vsplit = QSplitter(Qt.Orientation.Vertical)
        self.vsplit.addWidget(self.top_split)
        self.vsplit.addWidget(self.bottom_split)
        # the events and dispatch orders, with countdowns (一键智达)
        self.dispatch_panel = DispatchPanel()
        self.bottom_split.insertWidget(0, self.dispatch_panel)
        self.bottom_split.setStretchFactor(0, 78)
        self.bottom_split.setStretchFactor(1, 22)
        self.bottom_split.setSizes([1480, 420])
        self.vsplit.setStretchFactor(0, 68)
        self.vsplit.setStretchFactor(1, 32)
        body.addWidget(self.vsplit, 1)
        # the status line carries data (the dataset's title, unit names): plain text that
        # never widens the window
        self.status = ElidedLabel(max_hint=1200)
        self.status.setObjectName("note")
        body.addWidget(self.status)
        self.setCentralWidget(central)

    def _shortcuts(self) -> None:
        for key, mode in (("F1", "live"), ("F2", "review"), ("F3", "drill")):
            QShortcut(QKeySequence(key), self, lambda m=mode: self.set_mode(m))
        QShortcut(QKeySequence("F11"), self, self._toggle_full_screen)
        QShortcut(QKeySequence("F5"), self, self.refresh)
        QShortcut(QKeySequence("Ctrl+L"), self, self.show_levels)
        QShortcut(QKeySequence("F4"), self,
                  lambda: self.map_side.setVisible(not self.map_side.isVisible()))
        QShortcut(QKeySequence("Ctrl+F"), self, self._search)
        # keyboard-complete: F6 / Shift+F6 cycle the panes, ? (or Shift+F1) the key sheet;
        # F1 stays 值守 (live mode)
        QShortcut(QKeySequence("F6"), self, lambda: self.cycle_pane(1))
        QShortcut(QKeySequence("Shift+F6"), self, lambda: self.cycle_pane(-1))
        for key in ("?", "Shift+F1"):
            QShortcut(QKeySequence(key), self, self.show_shortcuts)
        QShortcut(QKeySequence("Ctrl+N"), self, self.triage_ctl.request_report)

    def panes(self) -> list[QWidget]:
        """The regions F6 moves between, in reading order (the visible ones)."""
        dp = self.dispatch_panel
        gauges = list(getattr(self, "board_gauges", {}).values())
        out = [self.header, self.vitals_view, gauges[0] if gauges else None, self.map,
               self.map_side.search.edit if self.map_side.isVisible() else None,
               dp.events_view, dp.orders_view, getattr(self, "review", None),
               getattr(self, "replay_bar", None)]
        return [w for w in out if w is not None and w.isVisible() and _focusables(w)]

    def cycle_pane(self, step: int = 1) -> QWidget | None:
        """Move the keyboard focus to the next (or previous) pane; returns it."""
        panes = self.panes()
        if not panes:
            return None
        focus = QApplication.focusWidget()
        cur = next((i for i, w in enumerate(panes)
                    if focus is not None and (focus is w or w.isAncestorOf(focus))), -1)
        target = panes[(cur + step) % len(panes)] if cur >= 0 else panes[0 if step > 0 else -1]
        takes = _focusables(target)
        if takes:  # the pane itself, or a container's first focusable child
            takes[0].setFocus(Qt.FocusReason.TabFocusReason)
        return target

    def show_shortcuts(self) -> QDialog:
        """The key sheet (? or Shift+F1): every shortcut of the window, in the interface
        language."""
        from cockpit.widgets.shortcut_sheet import ShortcutSheet

        sheet = ShortcutSheet(self)
        self._shortcut_sheet = sheet
        sheet.open()
        return sheet

    # ---- public API -----------------------------------------------------------------------
    def start(self) -> None:
        """Load the map page and run the first snapshot."""
        _widen_pool()
        if not self.vitals.timer.isActive():
            self.vitals.start()
        if self.drill is None and self.replay_window is None:
            self.levels_ctl.start()
        if isinstance(self.clock, ReplayClock):  # seeking anywhere then reads no catalog
            self.vitals.preload(self.clock.start_time, self.clock.end_time)
        if not self._map_loaded:
            self._load_map_page()
        self.refresh()
        self.review.refresh()
        self.map_ctl.load_categories()
        self.dispatch_ctl.start()
        if self.live_ctl is not None:
            self.live_ctl.start()
        # live and drill only: a replay creates no events (the router is not loaded there)
        if self.replay_window is None:
            self.triage_ctl.start()

    def _load_map_page(self) -> None:
        self._map_loaded = True
        load_city_page(self.map, self.catalog, self.lang, self.tiles)

    def refresh(self) -> None:
        """Recompute every region as of the clock's time, off the GUI thread."""
        if self._snap_busy:  # one snapshot at a time; the next reads the clock afresh
            self._snap_again = True
            return
        self._snap_busy = True
        as_of = self.clock.now()
        previous = self.snapshot
        run_in_background(lambda: take_snapshot(self.catalog, as_of, previous),
                          self._on_snapshot, self._on_snapshot_failed)

    def set_mode(self, mode: str) -> None:
        """Switch between live (值守) and review (晾晒); drill (演练) is its own session."""
        if mode not in MODE_LABELS:
            raise ValueError(f"unknown mode {mode!r}")
        session = (getattr(self, "drill", None) is not None
                   or getattr(self, "replay_window", None) is not None)
        if (mode == "drill") != session:
            # a drill has its own clock and store: it starts as its own session, so that it
            # can never write a live record (and live records are never replaced by a drill)
            self.header.set_mode(self.mode)
            if mode == "drill" and getattr(self, "review", None) is not None:
                self.pick_drill()
            return
        old = self.mode
        review = getattr(self, "review", None)
        if review is not None and old != mode and getattr(self, "_layout_applied", False):
            self._layouts[self._layout_key(old)] = self._layout_state()
        self.mode = mode
        self.header.set_mode(mode)
        if review is None:
            return
        # review gives the five-colour grid the large area; each mode keeps its own layout
        # (per screen size): what the user dragged in one mode is there again on return
        if mode == "review":
            review.set_compact(False)
            self.left_split.hide()
            self.bottom_split.hide()
        else:
            review.set_compact(True)
            self.left_split.show()
            self.bottom_split.show()
        self._apply_layout(self._layouts.get(self._layout_key(mode)))

    #: The splitters a mode's layout is made of (the review panel adds its own).
    _SPLITTERS = ("top_split", "left_split", "map_split", "bottom_split", "vsplit")

    def _layout_key(self, mode: str) -> tuple[str, int, int]:
        screen = self.screen()
        size = screen.size() if screen is not None else self.size()
        return (mode, size.width(), size.height())

    def _layout_state(self) -> dict:
        """Every splitter's sizes now (the window's and the review panel's)."""
        state = {name: getattr(self, name).sizes() for name in self._SPLITTERS}
        if not self.review.compact:
            state["review"] = self.review.layout_state()
        return state

    def _apply_layout(self, state: dict | None) -> None:
        """A mode's saved layout, or its default."""
        self._layout_applied = True
        if state is not None:
            for name in self._SPLITTERS:
                if state.get(name):
                    getattr(self, name).setSizes(state[name])
            if "review" in state and not self.review.compact:
                self.review.restore_layout(state["review"])
            return
        w = max(self.top_split.width(), 1280)
        if self.mode == "review":
            # the map keeps a strip (the selected unit), the panel the rest
            self.top_split.setSizes([0, int(w * 0.06), w - int(w * 0.06)])
            self.review.restore_layout(None)
        else:
            self.top_split.setSizes([int(w * 0.27), int(w * 0.47), w - int(w * 0.74)])

    def pick_drill(self) -> list[str] | None:
        """演练 from the live window: choose a scenario or a window of the past, then start
        it as its own cockpit process (its own clock, its own store). Returns the command
        line started (None: cancelled)."""
        from cockpit.datasets.drill import available_scenarios
        from cockpit.widgets.drill_picker import DrillPicker

        first, last = summary.data_time_range(self.catalog.con)
        fit, unfit, problems = available_scenarios(self.catalog.con, self.catalog.data_dir)
        # only the scenarios this dataset can run: their units, types and departments exist;
        # and the drills kept for later of those scenarios, to continue
        ids = {sc.id for sc in fit}
        saved = [sv for sv in saved_sessions(drills_dir())
                 if not sv.ended and sv.scenario_id in ids
                 and (drills_dir() / f"{sv.session_id}.duckdb").exists()]
        picker = DrillPicker(fit, (first, last), self,
                             unfit=[(sc.title, missing) for sc, missing in unfit],
                             problems=problems, saved=saved)
        self._picker = picker  # for tests, which answer it
        if picker.exec() != DrillPicker.DialogCode.Accepted or picker.choice() is None:
            return None
        choice = picker.choice()
        # -P: the installed cockpit, even when this one was started in a checkout's root
        args = ["-P", "-m", "cockpit", "--data", str(self.catalog.data_dir), "--mode", "drill",
                "--lang", self.lang]
        if choice[0] == "scenario":
            args += ["--scenario", choice[1]]
        elif choice[0] == "resume":
            args += ["--resume", choice[1]]
        else:
            args += ["--replay", f"{choice[1]:%Y-%m-%dT%H:%M}..{choice[2]:%Y-%m-%dT%H:%M}"]
        if not self.launch_session(sys.executable, args):
            self.say(self.tr("无法启动演练窗口"))
            return None
        what = (next((s.title for s in fit if s.id == choice[1]), choice[1])
                if choice[0] == "scenario"
                else next((s.title for s in saved if s.session_id == choice[1]), choice[1])
                if choice[0] == "resume"
                else f"{choice[1]:%Y-%m-%d %H:%M} – {choice[2]:%Y-%m-%d %H:%M}")
        self.say(self.tr("演练/复盘已在独立窗口启动：{what}").format(what=display(what, 60)))
        return args

    @staticmethod
    def launch_session(program: str, args: list[str]) -> bool:
        """Start a drill or replay cockpit beside this one."""
        ok = QProcess.startDetached(program, args)
        return bool(ok[0] if isinstance(ok, tuple) else ok)

    def _build_drill(self, scenario_id: str | None, data_end, resume: str | None = None
                     ) -> None:
        """Drill mode: a replay clock over the scenario's window, the replay bar, the
        exercise watermark and a session store of its own — or, ``resume``, the store, the
        scenario and the clock of a session kept for later."""
        # drill-only modules load here, not on every start (start-up time)
        from cockpit.datasets.drill import DATASET_DRILLS, DrillSession, available_scenarios
        from cockpit.widgets.exercise_watermark import ExerciseWatermark

        saved = None
        if resume is not None:
            saved = saved_session(drills_dir(), resume)
            if scenario_id not in (None, saved.scenario_id):
                raise ValueError(f"the drill session {resume!r} is of scenario "
                                 f"{saved.scenario_id!r}, not {scenario_id!r}")
            scenario_id = saved.scenario_id
        fit, unfit, problems = available_scenarios(self.catalog.con, self.catalog.data_dir)
        by_id = {sc.id: sc for sc in fit}
        misfit = {sc.id: missing for sc, missing in unfit}
        if scenario_id is not None and scenario_id not in by_id:
            if scenario_id in misfit:
                raise ValueError(f"the drill scenario {scenario_id!r} does not fit this "
                                 f"dataset, which has no {', '.join(misfit[scenario_id])}")
            raise ValueError(f"unknown drill scenario {scenario_id!r}; fitting this dataset: "
                             f"{', '.join(by_id) or 'none'}"
                             + (f"\n{chr(10).join(problems)}" if problems else ""))
        if not fit:
            raise ValueError(
                f"no drill scenario fits this dataset ({len(unfit)} shipped or own do not); "
                f"put one in {self.catalog.data_dir / DATASET_DRILLS}/ (see the README)"
                + (f"\n{chr(10).join(problems)}" if problems else ""))
        self.scenario = by_id[scenario_id] if scenario_id else by_id.get(
            "water-main-burst-yuzhong", fit[0])
        start, end = self.scenario.window(base=data_end)
        self.clock = ReplayClock(start, end, caption=self.tr("演练时间"), parent=self)
        live = Path(self.config.store) if self.config.store and not is_pg_location(
            self.config.store) else default_store_path(self.catalog.data_dir)
        # a resumed drill reopens its own store by its id (never a path from the file: the
        # live store stays refused) and its clock goes on from where the window closed
        self.drill = DrillSession(self.scenario, drills_dir(), live, self.clock.now,
                                  base=data_end,
                                  session_id=saved.session_id if saved else None)
        if saved is not None:
            self.clock.seek(datetime.fromisoformat(saved.clock))
        self._add_replay_bar(start, end, drill=True)
        self.replay_ctl.set_injects(self.drill.markers())
        self.replay_bar.sig_seek_requested.connect(lambda _t: self.drill.reset_feed())
        self.watermark = ExerciseWatermark(self.centralWidget())
        self.header.set_title(self.tr("演练 · {title}").format(title=self.scenario.title))
        QShortcut(QKeySequence("Ctrl+E"), self, self.finish_drill)

    def _add_replay_bar(self, start: datetime, end: datetime, drill: bool) -> None:
        """The replay bar under the regions, wired to the replay clock, with the window's
        event density filled in off the GUI thread."""
        self.replay_bar = ReplayBar()
        self.replay_bar.set_drill(drill)
        self.centralWidget().layout().addWidget(self.replay_bar)
        self.replay_ctl = ReplayController(self.clock, self.replay_bar, self)
        # Space plays or pauses, ←/→ step back or on (the window's keys, as on a player)
        clock = self.clock
        QShortcut(QKeySequence(Qt.Key.Key_Space), self,
                  lambda: clock.pause() if clock.playing else clock.play())
        QShortcut(QKeySequence(Qt.Key.Key_Left), self, lambda: clock.step(-clock.step_size))
        QShortcut(QKeySequence(Qt.Key.Key_Right), self, clock.step)

        from cockpit.datasets.drill import event_density

        def density():
            con = self.catalog.cursor()
            try:
                return event_density(con, start, end)
            finally:
                con.close()

        run_in_background(density, lambda r: self.replay_ctl.set_density(*r),
                          self._on_query_failed)

    def _build_replay(self, start: datetime, end: datetime) -> None:
        """复盘: a replay clock over a window of the past, the replay bar, the watermark; no
        scenario, no drill session and no store (the dispatch panel is read-only)."""
        from cockpit.widgets.exercise_watermark import ExerciseWatermark

        self.replay_window = (start, end)
        self.clock = ReplayClock(start, end, parent=self)
        self._add_replay_bar(start, end, drill=False)
        self.watermark = ExerciseWatermark(self.centralWidget(), text=_tr(REPLAY_WATERMARK))
        self.header.set_title(self._replay_title())

    def _replay_title(self) -> str:
        start, end = self.replay_window
        return self.tr("复盘 · {start} – {end}").format(start=f"{start:%Y-%m-%d %H:%M}",
                                                     end=f"{end:%Y-%m-%d %H:%M}")

    def finish_drill(self) -> Path | None:
        """Score the drill so far, write the after-action report (PDF) beside its store and
        show it in the app (timeline chart, table, total)."""
        if self.drill is None:
            return None
        from cockpit.datasets.drill import after_action_report
        from cockpit.printing.drill_pdf import write_drill_pdf
        from cockpit.widgets.after_action import AfterActionDialog

        report = self._named(after_action_report(self.drill, self.clock.now()))
        path = drills_dir() / f"{self.drill.session_id}-report.pdf"
        write_drill_pdf(report, path)
        if self.after_action is None:
            self.after_action = AfterActionDialog(self)
        self.after_action.set_report(report)
        self.after_action.show()
        self.after_action.raise_()
        self.say(self.tr("演练得分 {score} · 复盘报告：{path}").format(
            score=report["score"], path=path))
        return path

    def _named(self, report: dict) -> dict:
        """The after-action report with department names, not ids (江北区城市管理局)."""
        labels = catalog_department_labels(self.catalog, report_department_ids(report))
        return name_departments(report, labels)

    def open_board(self, board: str) -> None:
        """The board's runways and KPIs (city-wide, latest quarter) in a drill-down."""
        if self.board_dialog is None:
            self.board_dialog = KpiBoardDialog(self)
        dialog = self.board_dialog

        def work() -> tuple[str, list[dict]]:
            con = self.catalog.cursor()
            try:
                ps = evaluation.periods(con)
                if not ps:
                    return "", []
                df = evaluation.kpi_table(con, ps[-1])
                return ps[-1], df[df["board"] == board].to_dict("records")
            finally:
                con.close()

        def show(result: tuple[str, list[dict]]) -> None:
            period, rows = result
            dialog.view.set_board(board, period, rows)
            dialog.show()
            dialog.raise_()

        run_in_background(work, show, self._on_query_failed)

    def say(self, text: str, tip: str = "") -> None:
        """A message on the status line, as plain text (it may carry names from the data)."""
        self.status.set_full_text(text, tip)

    def all_drawn(self) -> bool:
        return set(REGIONS) <= self.drawn

    # ---- handlers ---------------------------------------------------------------------
    def _on_clock_ticked(self, t: datetime) -> None:
        self.header.set_time(t, self.clock.caption())
        # the footer's 截至 follows the clock (by the minute) while it shows the data line
        snap = getattr(self, "snapshot", None)
        if snap is not None and getattr(self, "_status_text", None) == self.status.full_text() \
                and f"{t:%Y-%m-%d %H:%M}" != getattr(self, "_status_minute", None):
            self._show_status(snap, t)

    def _on_replay_ticked(self, t: datetime) -> None:
        """The replay clock moved: the regions ask again for the city as of the new time —
        the same as-of queries as live mode (each coalesces: while a query runs, one more is
        queued, never a pile).

        A seek or a step redraws every region at once. While playing, the map's events move
        every frame; the regions that change slowly (vital signs, the event and order lists,
        the status line) take turns, one per frame and each at most once a second, so that
        no frame carries the repaint of the whole window."""
        if self._closing:
            return
        self._follow_quarter(t)
        if self.clock.jumped or not self.clock.playing:
            self._refresh_all(t)
            return
        self.map_ctl.refresh(time_only=True)
        now = time.monotonic()
        names = list(self._slow_last)
        for i in range(len(names)):
            name = names[(self._slow_turn + i) % len(names)]
            if now - self._slow_last[name] >= SLOW_REGION_PERIOD_S:
                self._slow_last[name] = now
                self._slow_turn = (names.index(name) + 1) % len(names)
                self._slow_refresh[name](t)
                break

    def _refresh_all(self, t: datetime) -> None:
        """Every region as of ``t`` at once (a seek, a step, a pause)."""
        self.map_ctl.refresh()  # not waiting for the snapshot: it only moves its time
        self._map_refreshed_for = t
        self.refresh()
        self.vitals.tick()
        self.dispatch_ctl.tick()
        self._slow_last = dict.fromkeys(self._slow_last, time.monotonic())

    def _on_replay_state(self, state: dict) -> None:
        """Paused: the regions that took turns while playing all catch up with the clock."""
        was, self._was_playing = self._was_playing, state["playing"]
        if was and not state["playing"] and not self._closing and self.snapshot is not None:
            self._refresh_all(state["t"])

    def _advance_snapshot(self, t: datetime) -> None:
        """A replay frame: the dataset's summaries do not move with the clock; only the
        snapshot's time and the status line do."""
        if self.snapshot is not None and not self._snap_busy:
            self.snapshot = dataclasses.replace(self.snapshot, as_of=t)
            self._show_status(self.snapshot)

    def _follow_quarter(self, t: datetime) -> None:
        """The five-colour grid shows the quarter the clock is in (when it has scores)."""
        quarter = f"{t.year}Q{(t.month - 1) // 3 + 1}"
        if quarter != self.review.period and quarter in self._quarters():
            self.review.set_period(quarter)

    def _quarters(self) -> list[str]:
        if getattr(self, "_quarter_list", None) is None:
            con = self.catalog.cursor()
            try:
                self._quarter_list = evaluation.periods(con)
            finally:
                con.close()
        return self._quarter_list

    def _on_query_failed(self, message: str) -> None:
        self.say(self.tr("查询失败：{error}").format(error=message))

    def _snapshot_done(self) -> None:
        self._snap_busy = False
        if self._snap_again:
            self._snap_again = False
            self.refresh()

    def _on_snapshot_failed(self, message: str) -> None:
        self._on_query_failed(message)
        self._snapshot_done()

    def _on_snapshot(self, snap: Snapshot) -> None:
        if self._closing:
            return
        try:
            self._apply_snapshot(snap)
        finally:
            self._snapshot_done()

    def _apply_snapshot(self, snap: Snapshot) -> None:
        self.snapshot = snap
        # the same cockpit serves the city, district and street centres
        self.header.set_title(
            self.tr("演练 · {title}").format(title=self.scenario.title)
            if self.drill is not None
            else self._replay_title() if self.replay_window is not None
            else self.tr("{city}城市运行一屏统揽").format(city=display(snap.units.top_name, 40)))
        # words follow the dataset's levels: a district centre ranks 镇街, not 区县
        self.map_side.set_unit_word(self._level_word(snap.units.ranked_level))
        self._show_board_title()
        self._show_risk(snap)
        if self._map_refreshed_for != snap.as_of:
            self.map_ctl.refresh()
        self._show_status(snap)

    def _show_status(self, snap: Snapshot, as_of: datetime | None = None) -> None:
        src = self.catalog.manifest.get("title") or str(self.catalog.data_dir)
        t = as_of or snap.as_of
        self._status_minute = f"{t:%Y-%m-%d %H:%M}"
        warnings = getattr(self.catalog, "warnings", [])
        self.say(
            self.tr("数据集 {src} · {top} · 排名单位 {n} 个（{level}）· 查询 {ms} ms · 截至 {t}")
            .format(src=display(src, 60), top=display(snap.units.top_name, 40),
                    n=snap.units.ranked_count,
                    level=self._level_word(snap.units.ranked_level),
                    ms=f"{snap.seconds * 1000:.0f}",
                    t=self._status_minute)
            + (self.tr(" · ⚠ 数据提示 {n} 条").format(n=len(warnings)) if warnings else ""),
            "\n".join(str(w) for w in warnings[:30]))
        self._status_text = self.status.full_text()

    def _on_vitals_ticked(self, info: dict) -> None:
        self.vitals_info = info
        c = info.get("counts", {})
        self.header.set_alarms(int(c.get("alarm", 0)), int(c.get("warning", 0)))
        self._mark("vitals")
        if info.get("raised") and not self._closing:
            self.dispatch_ctl.tick()  # the new alarms join the event list now, not next tick

    def _load_boards(self) -> None:
        def work() -> list[dict]:
            con = self.catalog.cursor()
            try:
                return _board_rows(con)
            finally:
                con.close()

        run_in_background(work, self._show_boards, self._on_query_failed)

    def _show_boards(self, boards: list[dict]) -> None:
        for row in boards:
            g = self.board_gauges.get(row["board"])
            if g is None:
                continue
            g.set_value(row["score"], row["change"])
            g.set_caption(f"{tr_word(row['label'], EVALUATION)} · {row['period']}"
                          if row["score"] is not None else tr_word("无数据", EVALUATION))
        if boards:
            self._board_period = boards[0]["period"]
            self._show_board_title()

    @staticmethod
    def _level_word(level: str) -> str:
        """An admin_unit level's name on screen (区县, 镇街 …; an unknown level as it is)."""
        return _tr(UNIT_LEVELS[level]) if level in UNIT_LEVELS else display(level, 12)

    def _show_board_title(self) -> None:
        """八大板块 · 全区平均 · 2026Q3: the average's word follows the top unit's level."""
        period = getattr(self, "_board_period", None)
        if period is None or self.snapshot is None:
            return
        top = self.snapshot.units.top_level
        average = (_tr(TOP_AVERAGE[top]) if top in TOP_AVERAGE
                   else self.tr("全{unit}平均").format(unit=self._level_word(top)))
        self.kpi_panel.set_title(self.tr("八大板块 · {average} · {period}").format(
            average=average, period=period))

    def _show_risk(self, snap: Snapshot) -> None:
        r = snap.risk
        self.tile_risk.set_value(r.total)
        self.tile_cats.set_value(r.categories)
        self.level_bars.set_rows([(self.tr("{name}（{level}级）").format(
            name=tr_word(name, RISK_LEVEL), level=lv), r.by_level.get(lv, 0), theme.LEVEL[lv])
                                  for lv, name in RISK_LEVELS.items()])
        self.facility_bars.set_rows([(_tr(FACILITY_LABELS[k]) if k in FACILITY_LABELS else k,
                                      n, "#5e8bd6") for k, n in snap.facilities.items()])
        t = snap.targets
        self.targets_note.setText(self.tr(
            "响应时限（事件类型中位数）：签收 {react} 分 · 核查 {verify} 分 · 处置 {handle} 分")
            .format(react=f"{t.get('react', 0):g}", verify=f"{t.get('verify', 0):g}",
                    handle=f"{t.get('handle', 0):g}"))
        self._mark("risk")

    def _on_quarter_shown(self, _period: str) -> None:
        first = "evaluation" not in self.drawn
        self._mark("evaluation")
        if first:  # the board gauges follow, off the critical path of the first frame
            self._load_boards()

    def _show_identity(self) -> None:
        ctl = self.levels_ctl
        self.header.set_identity(ctl.identity_text() if self.drill is None
                                 and self.replay_window is None else "", ctl.enabled)
        self.header.sig_levels_requested.connect(self.show_levels)
        ctl.sig_count_changed.connect(self.header.set_levels_count)

    def show_levels(self) -> None:
        """The levels panel (上下级) as a window of its own beside the cockpit (Ctrl+L)."""
        if not self.levels_ctl.enabled:
            self.status.setText(self.tr("上下级需要共享的三级派遣库（cockpit centre init）。"))
            return
        p = self.levels_ctl.panel
        p.setWindowFlag(Qt.WindowType.Tool, True)
        p.resize(960, 420)
        p.show()
        p.raise_()
        self.levels_ctl.refresh()

    def _on_store_opened(self, store) -> None:
        """The shared store, unreachable at start, is open now: the window owns it."""
        self.store = store
        self.levels_ctl.store = store
        self._show_identity()
        self.levels_ctl.start()

    def _orders(self):
        """The dispatch orders for the closed-loop board (None without a store)."""
        return self.store.orders() if self.store is not None else None

    def _on_event_states(self, states: dict) -> None:
        self.map_ctl.set_event_states(states)
        self.map_ctl.refresh()

    def _on_unit_selected(self, code: str) -> None:
        ev = self.review.evaluation
        names = dict(zip(ev.ranking["unit_code"], ev.ranking["unit_name"])) if ev else {}
        name = names.get(code, code)
        self.say(self.tr("已选择：{name}").format(name=display(name, 60)))

    def focus(self, lon: float, lat: float, zoom: float) -> None:
        """Show this place; the map counts as drawn once the view there has drawn.

        Sent after the page's first view has drawn: earlier, Leaflet is still settling the
        container's size and keeps its initial view."""
        self._focus = (lon, lat, zoom)
        self._focus_sent = False
        self._min_map_seq = 10 ** 9

    def _on_map_layer_drawn(self, msg: dict) -> None:
        layer = msg.get("layer")
        if self._focus is not None and not self._focus_sent and layer == "risk_points":
            self._focus_sent = True
            self._min_map_seq = int(msg.get("seq", 0)) + 1
            lon, lat, zoom = self._focus
            self.map.send_command({"cmd": "set_view", "lon": lon, "lat": lat, "zoom": zoom})
        if layer == "districts":
            self._map_seq[layer] = 10 ** 9
        else:
            self._map_seq[layer] = max(self._map_seq.get(layer, 0), int(msg.get("seq", 0)))
        need = ("districts", "risk_points", "events", "facilities")
        if all(self._map_seq.get(k, 0) >= self._min_map_seq for k in need):
            self._mark("map")

    def _mark(self, region: str) -> None:
        was = self.all_drawn()
        if region not in self.drawn:
            self.drawn.add(region)
            self.sig_region_drawn.emit(region)
        if not was and self.all_drawn():
            # let the web view composite its last frame before anyone grabs the window
            QTimer.singleShot(0, self.sig_all_drawn.emit)

    #: The answer to closing a drill without asking (None: ask). Tests set it; a kiosk could.
    drill_close_answer: str | None = None

    def ask_drill_close(self) -> str:
        """Closing a drill window: "end" (score it, write the after-action report), "keep"
        (save it to continue or review later) or "cancel" (the window stays open)."""
        if self.drill_close_answer is not None:
            return self.drill_close_answer
        box = QMessageBox(self)
        self._close_box = box  # for tests, which answer it
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(self.tr("关闭演练"))
        box.setText(self.tr("是否结束本次演练？"))
        box.setInformativeText(self.tr(
            "结束：评分并生成复盘报告。保留：保存演练进度，稍后可从演练列表继续或复盘。"
            "演练记录都保存在演练库中，不会写入实战派遣库。"))
        end = box.addButton(self.tr("结束演练"), QMessageBox.ButtonRole.AcceptRole)
        keep = box.addButton(self.tr("保留，稍后继续"), QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(self.tr("取消"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(end)
        box.exec()
        clicked = box.clickedButton()
        return "end" if clicked is end else "keep" if clicked is keep else "cancel"

    def _close_drill(self) -> bool:
        """Ask, then end or keep the drill; False when the trainer cancels the close."""
        answer = self.ask_drill_close()
        if answer == "cancel":
            return False
        report = self.finish_drill() if answer == "end" else None
        drill = self.drill
        path = save_session(drill.path.parent, drill.session_id, self.scenario.id,
                            self.scenario.title, drill.path, self.clock.now(),
                            ended=answer == "end", report=report)
        log.info("drill session saved: %s", path)
        self.saved_session = path
        return True

    def closeEvent(self, event) -> None:  # noqa: N802
        if self.drill is not None and not self._closing and not self._close_drill():
            event.ignore()
            return
        self._closing = True
        if self.live_ctl is not None:
            self.live_ctl.close()
        self.vitals.close()
        self.dispatch_ctl.stop()
        self.triage_ctl.stop()
        self.levels_ctl.stop()
        self.levels_ctl.panel.close()
        self.clock.stop()
        QThreadPool.globalInstance().waitForDone(3000)
        if self.drill is not None:
            self.drill.close()  # the session owns the drill store
        elif self.store is not None:
            self.store.close()
        self.store = None
        self.map.dispose()
        super().closeEvent(event)

    def _search(self) -> None:
        self.map_side.show()
        self.map_side.search.edit.setFocus()

    def _toggle_full_screen(self) -> None:
        self.showNormal() if self.isFullScreen() else self.showFullScreen()

