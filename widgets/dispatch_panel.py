"""The bottom region of the live screen: incoming events and open dispatch orders.

Left, the incoming events, newest first: severity (shape and word), source, place, time since
arrival and the react deadline (签收时限) counting down; Enter or D on an event asks for the
dispatch preview. Right, the dispatch orders with a live countdown to each order's next stage
deadline, filters (department, district, state, overdue only), the selected order's timeline,
and one key per frequent action: A 签收 acknowledge, H 处置 handle, V 核查 verify, C 结案 close,
E 评价 evaluate. An overdue order is red *and* says so (⚠ 超时 +mm:ss), so it reads without
colour too.

Plain data in (lists of dicts, see :meth:`DispatchPanel.set_events` and
:meth:`DispatchPanel.set_orders`), signals out; the panel never queries or writes. The
countdowns repaint once a second from the rows it was given and a clock function (no query per
second): only the countdown cells change, and Qt repaints only the visible rows.

``python -m cockpit.widgets.dispatch_panel`` shows it alone on sample data.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from cockpit.widgets import theme
from cockpit.widgets.words import RISK_LEVEL, tr_word
from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

_Index = QModelIndex | QPersistentModelIndex

#: Chinese source texts of the words below: show them with action_label() and friends.
ACTION_LABELS = {"create": QT_TRANSLATE_NOOP("dispatch_panel", "派遣"), "acknowledge": QT_TRANSLATE_NOOP("dispatch_panel", "签收"),
                 "handle": QT_TRANSLATE_NOOP("dispatch_panel", "处置"), "verify": QT_TRANSLATE_NOOP("dispatch_panel", "核查"),
                 "close": QT_TRANSLATE_NOOP("dispatch_panel", "结案"), "evaluate": QT_TRANSLATE_NOOP("dispatch_panel", "评价"),
                 "cancel": QT_TRANSLATE_NOOP("dispatch_panel", "撤销")}
STATE_LABELS = {"created": QT_TRANSLATE_NOOP("dispatch_panel", "待签收"), "acknowledged": QT_TRANSLATE_NOOP("dispatch_panel", "已签收"),
                "handled": QT_TRANSLATE_NOOP("dispatch_panel", "已处置"), "verified": QT_TRANSLATE_NOOP("dispatch_panel", "已核查"),
                "closed": QT_TRANSLATE_NOOP("dispatch_panel", "已结案"), "evaluated": QT_TRANSLATE_NOOP("dispatch_panel", "已评价"),
                "cancelled": QT_TRANSLATE_NOOP("dispatch_panel", "已撤销")}
OPEN_STATES = ("created", "acknowledged", "handled", "verified")
EVENT_STATE_LABELS = {"new": QT_TRANSLATE_NOOP("dispatch_panel", "待派遣"), "dispatched": QT_TRANSLATE_NOOP("dispatch_panel", "已派遣"),
                      "overdue": QT_TRANSLATE_NOOP("dispatch_panel", "超时"), "closed": QT_TRANSLATE_NOOP("dispatch_panel", "已结案")}
SOURCE_LABELS = {"sensor": QT_TRANSLATE_NOOP("dispatch_panel", "传感器"), "ai_camera": QT_TRANSLATE_NOOP("dispatch_panel", "AI视频"),
                 "grid_worker": QT_TRANSLATE_NOOP("dispatch_panel", "网格员"), "hotline": QT_TRANSLATE_NOOP("dispatch_panel", "民呼我为"),
                 "drone": QT_TRANSLATE_NOOP("dispatch_panel", "无人机"), "patrol": QT_TRANSLATE_NOOP("dispatch_panel", "巡查")}
SEVERITY = {1: ("▲", QT_TRANSLATE_NOOP("risk_level", "重大")), 2: ("◆", QT_TRANSLATE_NOOP("risk_level", "较大")),
            3: ("●", QT_TRANSLATE_NOOP("risk_level", "一般")), 4: ("○", QT_TRANSLATE_NOOP("risk_level", "低"))}


def _label(table: dict, key: Any) -> str:
    text = table.get(key)
    return QCoreApplication.translate("dispatch_panel", text) if text else str(key or "")


def action_label(action: str) -> str:
    """派遣 签收 处置 … in the interface language."""
    return _label(ACTION_LABELS, action)


def state_label(state: str) -> str:
    """An order's state (待签收 …) in the interface language."""
    return _label(STATE_LABELS, state)


def event_state_label(state: str) -> str:
    return _label(EVENT_STATE_LABELS, state)


def source_label(source: str) -> str:
    """An event's source (传感器 …) in the interface language."""
    return _label(SOURCE_LABELS, source)


def severity_mark(sev: int) -> tuple[str, str]:
    """(shape, word) of a severity 1–4, the word in the interface language."""
    shape, word = SEVERITY.get(sev, ("●", str(sev)))
    return shape, tr_word(word, RISK_LEVEL)
#: Keys of the order actions.
ACTION_KEYS = {Qt.Key.Key_A: "acknowledge", Qt.Key.Key_H: "handle", Qt.Key.Key_V: "verify",
               Qt.Key.Key_C: "close", Qt.Key.Key_E: "evaluate"}
DEADLINE_ACTIONS = ("acknowledge", "handle", "verify", "close")

OVERDUE_BG = "#4a1416"
OVERDUE_FG = "#ff6b60"
SOON_FG = "#ffcc00"
OK_FG = "#7ee787"
#: Font size of the tables, readable from across the room on a wall.
TABLE_PT = 13


def fmt_span(seconds: float) -> str:
    """'04:12', '1:04:12' or '2天 03:10' for a span of time."""
    s = int(abs(seconds))
    d, s = divmod(s, 86400)
    h, s = divmod(s, 3600)
    m, s = divmod(s, 60)
    if d:
        return QCoreApplication.translate("dispatch_panel", "{d}天 {hh}:{mm}").format(
            d=d, hh=f"{h:02d}", mm=f"{m:02d}")
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


def fmt_age(seconds: float) -> str:
    """'45秒', '12分', '3时05分', '2天3时' — how long ago something arrived."""
    s = max(0, int(seconds))
    if s < 60:
        return QCoreApplication.translate("dispatch_panel", "{s}秒").format(s=s)
    if s < 3600:
        return QCoreApplication.translate("dispatch_panel", "{m}分").format(m=s // 60)
    if s < 86400:
        return QCoreApplication.translate("dispatch_panel", "{h}时{mm}分").format(
            h=s // 3600, mm=f"{(s % 3600) // 60:02d}")
    return QCoreApplication.translate("dispatch_panel", "{d}天{h}时").format(
        d=s // 86400, h=(s % 86400) // 3600)


def countdown(due: datetime | None, now: datetime, label: str = "") -> tuple[str, str, bool]:
    """(text, colour, overdue) of a deadline: '签收 剩 04:12' or '⚠ 签收 超时 +03:05'."""
    if due is None:
        return (QCoreApplication.translate("dispatch_panel", "{label} 无时限").format(
            label=label).strip(), theme.TEXT_DIM, False)
    left = (due - now).total_seconds()
    if left < 0:
        return (QCoreApplication.translate("dispatch_panel", "⚠ {label} 超时 +{span}").format(
            label=label, span=fmt_span(-left)).replace("  ", " "), OVERDUE_FG, True)
    colour = SOON_FG if left < 120 else theme.TEXT
    return (QCoreApplication.translate("dispatch_panel", "{label} 剩 {span}").format(
        label=label, span=fmt_span(left)).strip(), colour, False)


# --------------------------------------------------------------------------- models


class _RowsModel(QAbstractTableModel):
    """Dict rows with a key column; rows keep their identity across updates."""

    COLUMNS: tuple[tuple[str, str], ...] = ()
    KEY = "id"
    LIVE: tuple[str, ...] = ()  # columns that change with the clock

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[dict[str, Any]] = []
        self._now = datetime.now()
        self._bold = QFont()
        self._bold.setBold(True)
        self._cache: dict[int, tuple] = {}

    # ---- public
    def set_rows(self, rows: list[dict[str, Any]]) -> None:
        rows = self._sorted(list(rows))
        if [r[self.KEY] for r in rows] == [r[self.KEY] for r in self._rows]:
            self._rows = rows
            self._cache.clear()
            if rows:
                self.dataChanged.emit(self.index(0, 0),
                                      self.index(len(rows) - 1, len(self.COLUMNS) - 1))
            return
        self.beginResetModel()
        self._rows = rows
        self._cache.clear()
        self.endResetModel()

    def set_now(self, now: datetime) -> None:
        """The clock moved: only the live columns change."""
        self._now = now
        self._cache.clear()
        if self._rows:
            for key in self.LIVE:
                c = self.column_of(key)
                self.dataChanged.emit(self.index(0, c), self.index(len(self._rows) - 1, c),
                                      [Qt.ItemDataRole.DisplayRole,
                                       Qt.ItemDataRole.ForegroundRole,
                                       Qt.ItemDataRole.BackgroundRole])

    def row(self, i: int) -> dict[str, Any]:
        return self._rows[i]

    def rows(self) -> list[dict[str, Any]]:
        return list(self._rows)

    def find(self, key: Any) -> int:
        for i, r in enumerate(self._rows):
            if r[self.KEY] == key:
                return i
        return -1

    def column_of(self, key: str) -> int:
        return [c for c, _ in self.COLUMNS].index(key)

    def now(self) -> datetime:
        return self._now

    # ---- Qt
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal
                and 0 <= section < len(self.COLUMNS)):
            return QCoreApplication.translate("dispatch_panel", self.COLUMNS[section][1])
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows) \
                or not 0 <= index.column() < len(self.COLUMNS):
            return None
        r = index.row()
        row = self._rows[r]
        if role == Qt.ItemDataRole.UserRole:
            return row
        key = self.COLUMNS[index.column()][0]
        cell = self._cache.get(r)
        if cell is None:
            cell = self._cache[r] = self._cells(row)
        text, fg, bg, bold, tip = cell
        if role == Qt.ItemDataRole.DisplayRole:
            return text.get(key, "")
        if role == Qt.ItemDataRole.ForegroundRole and key in fg:
            return QBrush(QColor(fg[key]))
        if role == Qt.ItemDataRole.BackgroundRole and bg:
            return QBrush(QColor(bg))
        if role == Qt.ItemDataRole.FontRole and key in bold:
            return self._bold
        if role == Qt.ItemDataRole.ToolTipRole:
            return tip
        return None

    # ---- to override
    def _sorted(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return rows

    def _cells(self, row: dict[str, Any]) -> tuple[dict, dict, str | None, set, str]:
        raise NotImplementedError


class EventsModel(_RowsModel):
    """Incoming events, newest first.

    A row: ``event_id``, ``occurred_at`` (datetime, screen time), ``severity`` (1–4),
    ``source``, ``place``, ``title``, ``type_name``, ``react_due`` (datetime or None),
    ``state`` (new / dispatched / overdue / closed), ``orders`` (open orders, optional) and
    anything else the caller wants back in :attr:`DispatchPanel.sig_dispatch_requested`.
    """

    COLUMNS = (("sev", QT_TRANSLATE_NOOP("dispatch_panel", "级别")), ("source", QT_TRANSLATE_NOOP("dispatch_panel", "来源")),
               ("place", QT_TRANSLATE_NOOP("dispatch_panel", "地点")), ("title", QT_TRANSLATE_NOOP("dispatch_panel", "事件")),
               ("age", QT_TRANSLATE_NOOP("dispatch_panel", "到达")), ("react", QT_TRANSLATE_NOOP("dispatch_panel", "签收时限 · 状态")))
    KEY = "event_id"
    LIVE = ("age", "react")

    def _sorted(self, rows):
        return sorted(rows, key=lambda r: (r["occurred_at"], str(r["event_id"])), reverse=True)

    def live_state(self, row: dict[str, Any]) -> str:
        """The event's state now: a new event past its react deadline is overdue."""
        st = row.get("state") or "new"
        if st == "new" and row.get("react_due") is not None and row["react_due"] < self._now:
            return "overdue"
        return st

    def _cells(self, row):
        now = self._now
        sev = int(row.get("severity") or 3)
        shape, word = severity_mark(sev)
        st = self.live_state(row)
        text = {"sev": f"{shape} {word}", "source": source_label(row.get("source") or ""),
                "place": row.get("place") or "", "title": row.get("title") or "",
                "age": fmt_age((now - row["occurred_at"]).total_seconds())}
        fg = {"sev": theme.LEVEL.get(sev, theme.TEXT),
              "source": theme.SOURCE.get(row.get("source"), theme.TEXT_DIM),
              "age": theme.TEXT_DIM}
        bold = {"sev", "react"}
        bg = None
        if st in ("new", "overdue") and not row.get("orders"):
            t, c, over = countdown(row.get("react_due"), now)
            text["react"] = t if over else self.tr("待派遣 {countdown}").format(countdown=t)
            fg["react"] = c
            if over:
                bg = OVERDUE_BG
        elif st == "overdue":
            text["react"] = self.tr("⚠ 工单超时 · {n} 部门").format(n=row.get("orders", 0))
            fg["react"] = OVERDUE_FG
            bg = OVERDUE_BG
        elif st == "dispatched":
            text["react"] = self.tr("✓ 已派遣 {n} 部门").format(n=row.get("orders", 0))
            fg["react"] = OK_FG
        else:
            text["react"] = state_label("closed")
            fg["react"] = theme.TEXT_DIM
        tip = f"{row.get('title', '')}\n" + self.tr(
            "类型 {type} · 事件 {event}\n发生 {at} · {state}").format(
                type=row.get("type_name", ""), event=row["event_id"],
                at=f"{row['occurred_at']:%m-%d %H:%M:%S}", state=event_state_label(st))
        return text, fg, bg, bold, tip


class OrdersModel(_RowsModel):
    """Dispatch orders, the most urgent first.

    A row: ``order_id``, ``event_id``, ``event_title``, ``dept_id``, ``dept_name``,
    ``district_code``, ``district``, ``state``, ``next_actions`` (list), ``created_at``,
    ``dues`` ({action: datetime}), ``done`` ({action: datetime}), ``last_at`` (datetime).
    """

    COLUMNS = (("title", QT_TRANSLATE_NOOP("dispatch_panel", "事件")), ("dept", QT_TRANSLATE_NOOP("dispatch_panel", "部门")),
               ("district", QT_TRANSLATE_NOOP("dispatch_panel", "区县")), ("state", QT_TRANSLATE_NOOP("dispatch_panel", "状态")),
               ("countdown", QT_TRANSLATE_NOOP("dispatch_panel", "倒计时（下一时限）")))
    KEY = "order_id"
    LIVE = ("countdown", "state")

    def _sorted(self, rows):
        far = datetime.max

        def key(r):
            finished = r.get("state") not in OPEN_STATES
            return (finished, next_due(r) or far, str(r["order_id"]))

        return sorted(rows, key=key)

    def is_overdue(self, row: dict[str, Any]) -> bool:
        due = next_due(row)
        return row.get("state") in OPEN_STATES and due is not None and due < self._now

    def _cells(self, row):
        now = self._now
        st = row.get("state")
        over = self.is_overdue(row)
        text = {"title": row.get("event_title") or str(row.get("event_id")),
                "dept": row.get("dept_short") or row.get("dept_name") or row.get("dept_id", ""),
                "district": row.get("district") or "",
                "state": ("⚠ " if over else "") + state_label(st)}
        fg = {"dept": theme.TEXT, "district": theme.TEXT_DIM,
              "state": OVERDUE_FG if over else theme.ACCENT if st in OPEN_STATES
              else theme.TEXT_DIM}
        bold = {"countdown", "state"}
        bg = OVERDUE_BG if over else None
        if st in OPEN_STATES:
            act = next_deadline_action(row)
            t, c, _ = countdown(next_due(row), now, action_label(act) if act else "")
            text["countdown"] = t
            fg["countdown"] = c
        else:
            at = row.get("last_at")
            text["countdown"] = (f"{state_label(st)} {at:%H:%M}" if at else state_label(st))
            fg["countdown"] = theme.TEXT_DIM
        sep = self.tr("、")
        late = [action_label(a) for a in row.get("late_actions") or []]
        nxt = sep.join(action_label(a) for a in row.get("next_actions") or []) or self.tr("无")
        created = f"{row['created_at']:%m-%d %H:%M:%S}" if row.get("created_at") else ""
        tip = (self.tr("工单 {order}").format(order=row["order_id"])
               + f"\n{row.get('dept_name') or row.get('dept_id')}\n"
               + self.tr("派遣 {at}").format(at=created) + "\n"
               + self.tr("下一步：{actions}").format(actions=nxt)
               + ("\n" + self.tr("逾期环节：{actions}").format(actions=sep.join(late))
                  if late else ""))
        return text, fg, bg, bold, tip


def next_deadline_action(row: dict[str, Any]) -> str | None:
    """The first department action still to do that has a deadline."""
    done = row.get("done") or {}
    dues = row.get("dues") or {}
    for a in DEADLINE_ACTIONS:
        if done.get(a) is None and dues.get(a) is not None:
            return a
    return None


def next_due(row: dict[str, Any]) -> datetime | None:
    a = next_deadline_action(row) if row.get("state") in OPEN_STATES else None
    return (row.get("dues") or {}).get(a) if a else None


class OrdersFilter(QSortFilterProxyModel):
    """Department, district, state and overdue filters over :class:`OrdersModel`."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.dept: str | None = None
        self.district: str | None = None
        self.state: str | None = "open"  # None: all; "open"; or one state
        self.overdue_only = False

    def set_filters(self, dept: str | None = None, district: str | None = None,
                    state: str | None = "open", overdue_only: bool = False) -> None:
        self._change(lambda: self._set(dept, district, state, overdue_only))

    def refilter(self) -> None:
        """Apply the filters again (the rows or the clock changed)."""
        self._change(lambda: None)

    def _set(self, dept, district, state, overdue_only) -> None:
        self.dept, self.district, self.state = dept, district, state
        self.overdue_only = overdue_only

    def _change(self, fn) -> None:
        if hasattr(self, "beginFilterChange"):  # Qt ≥ 6.9; invalidateFilter is deprecated
            self.beginFilterChange()
            fn()
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            fn()
            self.invalidateFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: _Index) -> bool:  # noqa: N802
        m: OrdersModel = self.sourceModel()
        if source_parent.isValid() or not 0 <= source_row < m.rowCount():
            return False
        r = m.row(source_row)
        if self.dept and r.get("dept_id") != self.dept:
            return False
        if self.district and r.get("district_code") != self.district:
            return False
        if self.state == "open" and r.get("state") not in OPEN_STATES:
            return False
        if self.state not in (None, "open") and r.get("state") != self.state:
            return False
        return not (self.overdue_only and not m.is_overdue(r))


# --------------------------------------------------------------------------- views


class KeyTable(QTableView):
    """A dark, row-selecting, virtualised table that hands chosen keys to a callback."""

    def __init__(self, on_key: Callable[[int], bool], parent=None) -> None:
        super().__init__(parent)
        self._on_key = on_key
        self.setAlternatingRowColors(True)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(30)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.horizontalHeader().setStretchLastSection(False)
        self.horizontalHeader().setHighlightSections(False)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setStyleSheet(f"QTableView {{ font-size: {TABLE_PT}pt; }}"
                           "QTableView::item { padding: 0 6px; }"
                           "QHeaderView::section { font-size: 11pt; }")

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            super().keyPressEvent(event)
            return
        if self._on_key(event.key()):
            event.accept()
            return
        super().keyPressEvent(event)

    def set_widths(self, widths: dict[int, int], stretch: int,
                   texts: dict[int, list[str]] | None = None) -> None:
        """Column widths in px; a column of ``texts`` is widened to fit the longest (the
        English words are longer than the Chinese)."""
        h = self.horizontalHeader()
        f = QFont(self.font())
        f.setPointSizeF(TABLE_PT)
        f.setBold(True)
        fm = QFontMetrics(f)
        for c in range(self.model().columnCount()):
            if c == stretch:
                h.setSectionResizeMode(c, QHeaderView.ResizeMode.Stretch)
            else:
                need = max((fm.horizontalAdvance(t) + 20 for t in (texts or {}).get(c, [])),
                           default=0)
                h.setSectionResizeMode(c, QHeaderView.ResizeMode.Interactive)
                h.resizeSection(c, max(widths.get(c, 90), need))


def _esc(text: Any) -> str:
    return (str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


class DispatchPanel(QFrame):
    """Incoming events (left) and dispatch orders with countdowns (right)."""

    sig_dispatch_requested = Signal(dict)
    """Enter or D on an event: the event's row dict."""
    sig_action_requested = Signal(str, str)
    """A key for an order action: (order_id, action)."""
    sig_order_selected = Signal(str)
    """An order was selected: its id (the cockpit answers with :meth:`set_timeline`)."""
    sig_report_requested = Signal()
    """The New report button (a report typed in from a phone call) was pressed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dispatchPanel")
        self._read_only: str | None = None
        self._clock: Callable[[], datetime] | None = None
        self._as_of = datetime.now()
        self._as_of_mono = time.monotonic()
        self._timeline: tuple[str, list[dict[str, Any]]] | None = None
        self._filter_lock = False
        self._build()
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self.tick)
        self._timer.start()

    # ---- construction -------------------------------------------------------------------
    def _build(self) -> None:
        self.setStyleSheet(
            "QFrame#dispatchPanel { background: transparent; }"
            "QLabel#dpTitle { font-size: 15pt; font-weight: 700; color: #3ea6ff; }"
            "QLabel#dpCount { font-size: 13pt; color: #e6edf7; }"
            "QLabel#dpHint { font-size: 11pt; color: #9fb0c8; }"
            "QLabel#dpBanner { background: #4a2a00; color: #ffd27a; border: 1px solid #ff9f0a;"
            " border-radius: 4px; padding: 4px 10px; font-size: 12pt; font-weight: 600; }"
            "QLabel#dpMessage { font-size: 12pt; padding: 0 4px; }"
            "QLabel#dpTimeline { background: #0e1628; border: 1px solid #1f2b45;"
            " border-radius: 4px; padding: 6px; font-size: 12pt; }"
            "QComboBox, QCheckBox { font-size: 12pt; }"
            "QCheckBox::indicator { width: 16px; height: 16px; border: 1px solid #6b7fa3;"
            " border-radius: 3px; background: #16213a; }"
            "QCheckBox::indicator:checked { background: #ff453a; border-color: #ff6b60; }"
            "QComboBox { background: #16213a; border: 1px solid #2a3a5c; padding: 2px 8px;"
            " min-height: 24px; }")
        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        root.setSpacing(4)
        self.banner = QLabel()
        self.banner.setObjectName("dpBanner")
        self.banner.setWordWrap(True)
        self.banner.setTextFormat(Qt.TextFormat.PlainText)
        self.banner.hide()
        root.addWidget(self.banner)
        self.split = QSplitter(Qt.Orientation.Horizontal)
        self.split.setChildrenCollapsible(False)
        root.addWidget(self.split, 1)

        # left: incoming events
        left = QFrame()
        left.setObjectName("panel")
        lv = QVBoxLayout(left)
        lv.setContentsMargins(10, 6, 10, 6)
        lv.setSpacing(4)
        head = QHBoxLayout()
        self.events_title = QLabel(self.tr("实时事件 · 新到在前"))
        self.events_title.setObjectName("dpTitle")
        self.events_count = QLabel()
        self.events_count.setObjectName("dpCount")
        self.events_count.setTextFormat(Qt.TextFormat.RichText)
        head.addWidget(self.events_title)
        head.addStretch(1)
        self.report_button = QPushButton(self.tr("＋ 新建事件"))
        self.report_button.setObjectName("reportButton")
        self.report_button.setToolTip(self.tr("来电登记：输入市民原话，智能分拨 (Ctrl+N)"))
        self.report_button.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.report_button.clicked.connect(self.sig_report_requested)
        head.addWidget(self.report_button)
        head.addWidget(self.events_count)
        lv.addLayout(head)
        self.events_model = EventsModel(self)
        self.events_view = KeyTable(self._on_event_key)
        self.events_view.setModel(self.events_model)
        self.events_view.set_widths(
            {0: 82, 1: 92, 2: 112, 4: 64, 5: 172}, stretch=3,
            texts={0: [" ".join(severity_mark(s)) for s in SEVERITY],
                   1: [source_label(s) for s in SOURCE_LABELS]})
        self.events_view.doubleClicked.connect(lambda _i: self.request_dispatch())
        lv.addWidget(self.events_view, 1)
        self.events_hint = QLabel(self.tr("Enter / D 派遣预览 · 双击同"))
        self.events_hint.setObjectName("dpHint")
        lv.addWidget(self.events_hint)
        self.split.addWidget(left)

        # right: orders, filters, timeline
        right = QFrame()
        right.setObjectName("panel")
        rv = QVBoxLayout(right)
        rv.setContentsMargins(10, 6, 10, 6)
        rv.setSpacing(4)
        head = QHBoxLayout()
        self.orders_title = QLabel(self.tr("派遣工单"))
        self.orders_title.setObjectName("dpTitle")
        head.addWidget(self.orders_title)
        self.orders_count = QLabel()
        self.orders_count.setObjectName("dpCount")
        self.orders_count.setTextFormat(Qt.TextFormat.RichText)
        head.addWidget(self.orders_count)
        head.addStretch(1)
        self.dept_box = QComboBox()
        self.dept_box.setMinimumContentsLength(9)
        self.district_box = QComboBox()
        self.district_box.setMinimumContentsLength(6)
        self.state_box = QComboBox()
        self.state_box.setMinimumContentsLength(4)
        for label, key in ((self.tr("未结"), "open"), (self.tr("全部"), None)) + tuple(
                (state_label(s), s) for s in STATE_LABELS):
            self.state_box.addItem(label, key)
        self.overdue_box = QCheckBox(self.tr("只看超时"))
        for w in (self.dept_box, self.district_box, self.state_box):
            w.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            w.setMaximumWidth(240)
            w.currentIndexChanged.connect(self._on_filter_changed)
            w.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.overdue_box.toggled.connect(self._on_filter_changed)
        self.overdue_box.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self._fill_box(self.dept_box, self.tr("全部部门"), [])
        self._fill_box(self.district_box, self.tr("全部区县"), [])
        for w in (self.dept_box, self.district_box, self.state_box, self.overdue_box):
            head.addWidget(w)
        rv.addLayout(head)
        body = QHBoxLayout()
        body.setSpacing(8)
        self.orders_model = OrdersModel(self)
        self.orders_proxy = OrdersFilter(self)
        self.orders_proxy.setSourceModel(self.orders_model)
        self.orders_view = KeyTable(self._on_order_key)
        self.orders_view.setModel(self.orders_proxy)
        self.orders_view.set_widths({1: 150, 2: 100, 3: 100, 4: 206}, stretch=0)
        self.orders_view.selectionModel().currentRowChanged.connect(self._on_order_current)
        body.addWidget(self.orders_view, 1)
        self.timeline = QLabel()
        self.timeline.setObjectName("dpTimeline")
        self.timeline.setTextFormat(Qt.TextFormat.RichText)
        self.timeline.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.timeline.setWordWrap(True)
        scroll = QScrollArea()
        scroll.setWidget(self.timeline)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setFixedWidth(300)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.timeline_scroll = scroll
        body.addWidget(scroll)
        rv.addLayout(body, 1)
        foot = QHBoxLayout()
        self.orders_hint = QLabel(self.tr("A 签收 · H 处置 · V 核查 · C 结案 · E 评价"))
        self.orders_hint.setObjectName("dpHint")
        foot.addWidget(self.orders_hint)
        self.message = QLabel()
        self.message.setObjectName("dpMessage")
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        foot.addWidget(self.message, 1)
        rv.addLayout(foot)
        self.split.addWidget(right)
        self.split.setStretchFactor(0, 42)
        self.split.setStretchFactor(1, 58)
        self._split_moved = False
        self.split.splitterMoved.connect(lambda *_a: setattr(self, "_split_moved", True))
        self._show_timeline_placeholder()

    # ---- public API ---------------------------------------------------------------------
    def set_clock(self, clock: Callable[[], datetime] | None) -> None:
        """The screen's clock; without one the panel counts on from the data's ``as_of``."""
        self._clock = clock
        self.tick()

    def now(self) -> datetime:
        if self._clock is not None:
            return self._clock()
        return self._as_of + timedelta(seconds=time.monotonic() - self._as_of_mono)

    def set_events(self, rows: list[dict[str, Any]], as_of: datetime | None = None) -> None:
        """The incoming events (see :class:`EventsModel` for a row's keys)."""
        self._set_as_of(as_of)
        key = self._current_key(self.events_view, self.events_model)
        self.events_model.set_now(self.now())
        self.events_model.set_rows(rows)
        self._restore(self.events_view, self.events_model, key)
        self._update_counts()

    def set_orders(self, rows: list[dict[str, Any]], as_of: datetime | None = None) -> None:
        """The dispatch orders (see :class:`OrdersModel` for a row's keys)."""
        self._set_as_of(as_of)
        key = self._current_key(self.orders_view, self.orders_model)
        self.orders_model.set_now(self.now())
        self.orders_model.set_rows(rows)
        self._refresh_filter_choices(rows)
        self.orders_proxy.refilter()
        self._restore(self.orders_view, self.orders_model, key)
        self._update_counts()
        self._render_timeline()

    def set_timeline(self, order_id: str, entries: list[dict[str, Any]]) -> None:
        """The log of one order: dicts with ``action``, ``at`` (datetime), ``operator``,
        ``source``, ``seat``, ``note``, ``outcome``."""
        self._timeline = (order_id, list(entries))
        self._render_timeline()

    def set_read_only(self, reason: str | None) -> None:
        """Dispatching off (``reason`` shown in the banner) or back on (None)."""
        self._read_only = reason
        self.banner.setText(self.tr("只读 · 不能派遣：{reason}").format(reason=reason)
                            if reason else "")
        self.banner.setVisible(bool(reason))
        self.events_hint.setText(self.tr("只读：不能派遣") if reason
                                 else self.tr("Enter / D 派遣预览 · 双击同"))
        self.orders_hint.setText(self.tr("只读：不能操作工单") if reason else
                                 self.tr("A 签收 · H 处置 · V 核查 · C 结案 · E 评价"))

    def is_read_only(self) -> bool:
        return self._read_only is not None

    def show_message(self, text: str, level: str = "info") -> None:
        """A line under the orders: ``level`` info, ok or error."""
        colour = {"ok": OK_FG, "error": OVERDUE_FG}.get(level, theme.TEXT_DIM)
        self.message.setStyleSheet(f"color: {colour};")
        self.message.setText(text)

    def set_filters(self, dept: str | None = None, district: str | None = None,
                    state: str | None = "open", overdue_only: bool = False) -> None:
        """Set the order filters (as the boxes would)."""
        self._filter_lock = True
        try:
            for box, val in ((self.dept_box, dept), (self.district_box, district),
                             (self.state_box, state)):
                i = box.findData(val)
                box.setCurrentIndex(i if i >= 0 else 0)
            self.overdue_box.setChecked(overdue_only)
        finally:
            self._filter_lock = False
        self._on_filter_changed()

    def visible_orders(self) -> list[dict[str, Any]]:
        """The order rows the filters let through, in view order."""
        p = self.orders_proxy
        return [p.data(p.index(i, 0), Qt.ItemDataRole.UserRole) for i in range(p.rowCount())]

    def select_order(self, order_id: str) -> bool:
        i = self.orders_model.find(order_id)
        if i < 0:
            return False
        pi = self.orders_proxy.mapFromSource(self.orders_model.index(i, 0))
        if not pi.isValid():
            return False
        self.orders_view.setCurrentIndex(pi)
        self.orders_view.setFocus()
        return True

    def select_event(self, event_id: Any) -> bool:
        i = self.events_model.find(event_id)
        if i < 0:
            return False
        self.events_view.setCurrentIndex(self.events_model.index(i, 0))
        self.events_view.setFocus()
        return True

    def current_order(self) -> dict[str, Any] | None:
        i = self.orders_view.currentIndex()
        return self.orders_proxy.data(i, Qt.ItemDataRole.UserRole) if i.isValid() else None

    def current_event(self) -> dict[str, Any] | None:
        i = self.events_view.currentIndex()
        return self.events_model.row(i.row()) if i.isValid() else None

    def request_dispatch(self) -> None:
        """Ask for the dispatch preview of the selected event."""
        ev = self.current_event()
        if ev is None:
            return
        if self._read_only:
            self.show_message(self.tr("只读，不能派遣：{reason}").format(reason=self._read_only),
                              "error")
            return
        self.sig_dispatch_requested.emit(dict(ev))

    def request_action(self, action: str) -> None:
        """Ask for ``action`` on the selected order (checked against its next actions)."""
        o = self.current_order()
        if o is None:
            self.show_message(self.tr("请先选择一个工单"))
            return
        if self._read_only:
            self.show_message(self.tr("只读，不能操作工单：{reason}").format(
                reason=self._read_only), "error")
            return
        allowed = list(o.get("next_actions") or [])
        if action not in allowed:
            nxt = self.tr("、").join(action_label(a) for a in allowed) or self.tr("无（已完结）")
            self.show_message(self.tr("工单{state}，不能{action}；下一步：{next}").format(
                state=state_label(o.get("state")), action=action_label(action), next=nxt),
                "error")
            return
        self.sig_action_requested.emit(o["order_id"], action)

    def tick(self) -> None:
        """Once a second: move the countdowns on (no query)."""
        now = self.now()
        self.events_model.set_now(now)
        self.orders_model.set_now(now)
        if self.orders_proxy.overdue_only:
            self.orders_proxy.refilter()
        self._update_counts()
        self._render_timeline()

    # ---- helpers --------------------------------------------------------------------------
    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        if not self._split_moved:  # until the user moves the divider
            # 42 : 58 when there is room; half and half on a 1080p screen, where the events'
            # description column would otherwise shrink to two characters
            w = self.split.width()
            share = 0.42 if w >= 1800 else 0.5
            self.split.setSizes([int(w * share), w - int(w * share)])

    def _set_as_of(self, as_of: datetime | None) -> None:
        if as_of is not None:
            self._as_of, self._as_of_mono = as_of, time.monotonic()

    def _on_event_key(self, key: int) -> bool:
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_D):
            self.request_dispatch()
            return True
        return False

    def _on_order_key(self, key: int) -> bool:
        action = ACTION_KEYS.get(Qt.Key(key)) if isinstance(key, int) else ACTION_KEYS.get(key)
        if action is None:
            return False
        self.request_action(action)
        return True

    def _on_order_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        row = self.orders_proxy.data(current, Qt.ItemDataRole.UserRole) \
            if current.isValid() else None
        if row is None:
            return
        if self._timeline is None or self._timeline[0] != row["order_id"]:
            self._timeline = (row["order_id"], [])
            self._render_timeline()
            self.sig_order_selected.emit(row["order_id"])

    def _on_filter_changed(self, *_a) -> None:
        if self._filter_lock:
            return
        self.orders_proxy.set_filters(self.dept_box.currentData(), self.district_box.currentData(),
                                      self.state_box.currentData(), self.overdue_box.isChecked())
        self._update_counts()

    @staticmethod
    def _fill_box(box: QComboBox, all_label: str, items: list[tuple[str, str]]) -> None:
        cur = box.currentData()
        box.blockSignals(True)
        box.clear()
        box.addItem(all_label, None)
        for key, label in items:
            box.addItem(label, key)
        i = box.findData(cur)
        box.setCurrentIndex(i if i >= 0 else 0)
        box.blockSignals(False)

    def _refresh_filter_choices(self, rows: list[dict[str, Any]]) -> None:
        depts = sorted({(r["dept_id"], r.get("dept_name") or r["dept_id"]) for r in rows},
                       key=lambda x: x[1])
        dists = sorted({(r["district_code"], r.get("district") or r["district_code"])
                        for r in rows if r.get("district_code")}, key=lambda x: x[0])
        before = (self.dept_box.currentData(), self.district_box.currentData())
        self._fill_box(self.dept_box, self.tr("全部部门"), depts)
        self._fill_box(self.district_box, self.tr("全部区县"), dists)
        if before != (self.dept_box.currentData(), self.district_box.currentData()):
            self._on_filter_changed()

    @staticmethod
    def _current_key(view: QTableView, model: _RowsModel) -> Any:
        i = view.currentIndex()
        if not i.isValid():
            return None
        row = i.model().data(i, Qt.ItemDataRole.UserRole)
        return row[model.KEY] if row else None

    def _restore(self, view: QTableView, model: _RowsModel, key: Any) -> None:
        if key is None:
            return
        i = model.find(key)
        if i < 0:
            return
        idx = model.index(i, 0)
        if view.model() is not model:
            idx = view.model().mapFromSource(idx)
        if idx.isValid() and view.currentIndex() != idx:
            view.selectionModel().blockSignals(True)
            view.setCurrentIndex(idx)
            view.selectionModel().blockSignals(False)

    def _update_counts(self) -> None:
        ev = self.events_model.rows()
        waiting = [r for r in ev if self.events_model.live_state(r) in ("new", "overdue")
                   and not r.get("orders")]
        late = [r for r in waiting if self.events_model.live_state(r) == "overdue"]
        self.events_count.setText(self.tr(
            "待派遣 <b>{waiting}</b> · <span style='color:{red}'>⚠ 超时 <b>{late}</b></span>"
            " · 共 {total}").format(waiting=len(waiting), red=OVERDUE_FG, late=len(late),
                                   total=len(ev)))
        rows = self.orders_model.rows()
        open_ = [r for r in rows if r.get("state") in OPEN_STATES]
        over = [r for r in open_ if self.orders_model.is_overdue(r)]
        shown = self.orders_proxy.rowCount()
        self.orders_count.setText(self.tr(
            "未结 <b>{open}</b> · <span style='color:{red}'>⚠ 超时 <b>{late}</b></span>"
            " · 显示 {shown}").format(open=len(open_), red=OVERDUE_FG, late=len(over),
                                     shown=shown))

    def _show_timeline_placeholder(self) -> None:
        self.timeline.setText(f"<span style='color:{theme.TEXT_DIM}'>"
                              + self.tr("选择工单查看时间线") + "</span>")

    def _render_timeline(self) -> None:
        if self._timeline is None:
            return
        oid, entries = self._timeline
        i = self.orders_model.find(oid)
        if i < 0:
            self._show_timeline_placeholder()
            return
        row = self.orders_model.row(i)
        now = self.now()
        done = {e["action"]: e for e in entries}
        lines = [f"<div style='font-weight:700;color:{theme.ACCENT}'>"
                 f"{_esc(row.get('dept_name') or row['dept_id'])}</div>",
                 f"<div style='color:{theme.TEXT_DIM}'>{_esc(row.get('event_title') or '')}"
                 f" · {_esc(oid)}</div>"]
        c = done.get("create")
        created = row.get("created_at")
        lines.append(f"<div>● {action_label('create')} {created:%H:%M:%S} "
                     f"<span style='color:{theme.TEXT_DIM}'>"
                     f"{_esc(c.get('operator', '')) if c else ''}</span></div>"
                     if created else "")
        dues = row.get("dues") or {}
        for a in DEADLINE_ACTIONS:
            due = dues.get(a)
            at = (row.get("done") or {}).get(a)
            e = done.get(a)
            due_txt = (self.tr("时限 {t}").format(t=f"{due:%H:%M}") if due
                       else self.tr("无时限"))
            if at is not None:
                late = due is not None and at > due
                mark, colour = ("✗", OVERDUE_FG) if late else ("✓", OK_FG)
                who = _esc(e.get("operator", "")) if e else ""
                lines.append(f"<div style='color:{colour}'>{mark} {action_label(a)} "
                             f"{at:%H:%M:%S}{' ' + self.tr('超时') if late else ''} "
                             f"<span style='color:{theme.TEXT_DIM}'>{due_txt} {who}</span></div>")
            elif row.get("state") in OPEN_STATES:
                t, colour, over = countdown(due, now)
                mark = "⚠" if over else "○"
                lines.append(f"<div style='color:{colour if over else theme.TEXT}'>{mark} "
                             f"{action_label(a)} <span style='color:{theme.TEXT_DIM}'>{due_txt}"
                             f"</span> {t}</div>")
        for extra in ("evaluate", "cancel"):
            e = done.get(extra)
            if e:
                lines.append(f"<div style='color:{theme.TEXT_DIM}'>● {action_label(extra)} "
                             f"{e['at']:%H:%M:%S} {_esc(e.get('outcome', ''))}</div>")
        sims = {e.get("source") for e in entries if e.get("source")}
        if sims:
            lines.append(f"<div style='color:{theme.TEXT_DIM};font-size:10pt'>"
                         + self.tr("来源 {sources}").format(sources=_esc(", ".join(sorted(sims))))
                         + "</div>")
        self.timeline.setText("".join(lines))


if __name__ == "__main__":  # a smoke run on sample data
    import sys

    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv)
    theme.apply(app)
    now = datetime.now().replace(microsecond=0)
    panel = DispatchPanel()
    panel.set_events([
        {"event_id": i, "occurred_at": now - timedelta(minutes=3 * i), "severity": 1 + i % 4,
         "source": list(SOURCE_LABELS)[i % 6], "place": "渝中区 解放碑街道",
         "title": "解放碑街道 占道经营", "react_due": now + timedelta(minutes=5 - 3 * i),
         "state": "dispatched" if i == 2 else "new", "orders": 3 if i == 2 else 0}
        for i in range(12)], now)
    panel.set_orders([
        {"order_id": f"{i}/D-500103-CGJ/1", "event_id": i, "event_title": "供水主管爆管",
         "dept_id": f"D-500103-{k}", "dept_name": f"渝中区{k}", "district_code": "500103",
         "district": "渝中区", "state": "created", "next_actions": ["acknowledge", "cancel"],
         "created_at": now - timedelta(minutes=i), "done": {},
         "dues": {"acknowledge": now + timedelta(minutes=4 - i),
                  "handle": now + timedelta(minutes=40)}}
        for i, k in enumerate(("GS", "CGJ", "GAJ", "XF", "TXJ", "JXW", "YJJ"))], now)
    panel.resize(1900, 330)
    panel.show()
    sys.exit(app.exec())
