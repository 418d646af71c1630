"""The bottom region of the live screen: incoming events and open dispatch orders.

Left, the incoming events, newest first: severity (shape and word), source, place, time since
arrival and the react deadline (签收时限) counting down; Enter or D on an event asks for the
dispatch preview. Right, the dispatch orders with a live countdown to each order's next stage
deadline, filters (department, district, state, overdue only), the selected order's timeline,
and one key per frequent action: A 签收 acknowledge, K 核实 confirm (the event is real), H 处置
handle, V 核查 verify (the result is checked), C 结案 close, R 退回 rework,
E 评价 evaluate. An overdue order is red *and* says so (⚠ 超时 +mm:ss), so it reads without
colour too.

Plain data in (lists of dicts, see :meth:`DispatchPanel.set_events` and
:meth:`DispatchPanel.set_orders`), signals out; the panel never queries or writes. The
countdowns repaint once a second from the rows it was given and a clock function (no query per
second): only the countdown cells change, and Qt repaints only the visible rows.

``python -m cockpit.widgets.dispatch_panel`` shows it alone on sample data.
"""

from __future__ import annotations

import html
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cockpit.widgets import theme
from cockpit.widgets.plain import ElidedLabel
from cockpit.widgets.table_model import SORT_ROLE, RowsModel
from cockpit.widgets.words import RISK_LEVEL, tr_word
from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

_Index = QModelIndex | QPersistentModelIndex

#: Chinese source texts of the words below: show them with action_label() and friends.
ACTION_LABELS = {"dismiss": QT_TRANSLATE_NOOP("dispatch_panel", "不予派遣"),
                 "merge": QT_TRANSLATE_NOOP("dispatch_panel", "合并"),
                 "create": QT_TRANSLATE_NOOP("dispatch_panel", "派遣"),
                 "acknowledge": QT_TRANSLATE_NOOP("dispatch_panel", "签收"),
                 "handle": QT_TRANSLATE_NOOP("dispatch_panel", "处置"),
                 "verify": QT_TRANSLATE_NOOP("dispatch_panel", "核查"),
                 "close": QT_TRANSLATE_NOOP("dispatch_panel", "结案"),
                 "evaluate": QT_TRANSLATE_NOOP("dispatch_panel", "评价"),
                 "cancel": QT_TRANSLATE_NOOP("dispatch_panel", "撤销"),
                 "confirm": QT_TRANSLATE_NOOP("dispatch_panel", "核实"),
                 "rework": QT_TRANSLATE_NOOP("dispatch_panel", "重办")}
STATE_LABELS = {"created": QT_TRANSLATE_NOOP("dispatch_panel", "待签收"),
                "acknowledged": QT_TRANSLATE_NOOP("dispatch_panel", "已签收"),
                "handled": QT_TRANSLATE_NOOP("dispatch_panel", "已处置"),
                "verified": QT_TRANSLATE_NOOP("dispatch_panel", "已核查"),
                "closed": QT_TRANSLATE_NOOP("dispatch_panel", "已结案"),
                "evaluated": QT_TRANSLATE_NOOP("dispatch_panel", "已评价"),
                "cancelled": QT_TRANSLATE_NOOP("dispatch_panel", "已撤销"),
                "confirmed": QT_TRANSLATE_NOOP("dispatch_panel", "已核实")}
OPEN_STATES = ("created", "acknowledged", "confirmed", "handled", "verified")
#: The state of an event without a type (待分拨), as the queue (datasets/queue.py) names it.
UNCLASSIFIED = "unclassified"
EVENT_STATE_LABELS = {
    "new": QT_TRANSLATE_NOOP("dispatch_panel", "待派遣"),
    "overdue": QT_TRANSLATE_NOOP("dispatch_panel", "超时"),
    UNCLASSIFIED: QT_TRANSLATE_NOOP("dispatch_panel", "待分拨"),
    "dispatched": QT_TRANSLATE_NOOP("dispatch_panel", "已派遣"),
    "order_overdue": QT_TRANSLATE_NOOP("dispatch_panel", "工单超时"),
    "closed": QT_TRANSLATE_NOOP("dispatch_panel", "已结案"),
    "dismissed": QT_TRANSLATE_NOOP("dispatch_panel", "不予派遣"),
    "merged": QT_TRANSLATE_NOOP("dispatch_panel", "已合并"),
}
#: Each event state's symbol, so that a state reads without colour.
EVENT_STATE_MARKS = {"new": "○", "overdue": "⚠", UNCLASSIFIED: "?", "dispatched": "✓",
                     "order_overdue": "⚠", "closed": "■", "dismissed": "✕", "merged": "⧉"}
#: The ratings 评价 records (the words are the data, see the dispatch ledger's RATINGS).
RATING_LABELS = {w: w for w in (QT_TRANSLATE_NOOP("dispatch_panel", "满意"),
                                 QT_TRANSLATE_NOOP("dispatch_panel", "基本满意"),
                                 QT_TRANSLATE_NOOP("dispatch_panel", "不满意"))}
#: What each action does, for the confirmation (source language Chinese).
ACTION_EFFECTS = {
    "acknowledge": QT_TRANSLATE_NOOP("dispatch_panel", "记录部门已签收，签收时限停止计时。"),
    "confirm": QT_TRANSLATE_NOOP("dispatch_panel",
                                 "记录事件已核实（确认真实发生），工单转入处置。"),
    "handle": QT_TRANSLATE_NOOP("dispatch_panel", "记录现场处置完成，工单转入下一环节。"),
    "verify": QT_TRANSLATE_NOOP("dispatch_panel", "记录处置结果已核查，工单可结案。"),
    "close": QT_TRANSLATE_NOOP("dispatch_panel", "结案：工单完结，之后只能评价。"),
    "evaluate": QT_TRANSLATE_NOOP("dispatch_panel",
                                  "记录对处置结果的评价，计入五色评价的闭环处置。"),
    "cancel": QT_TRANSLATE_NOOP("dispatch_panel", "撤销工单：部门不再处理；必须写明原因。"),
    "rework": QT_TRANSLATE_NOOP("dispatch_panel",
                                "重办：退回上一环节重办（如核查未通过退回处置）；须写原因。"),
    "dismiss": QT_TRANSLATE_NOOP("dispatch_panel", "不予派遣：事件移出待办队列；必须写明原因。"),
    "merge": QT_TRANSLATE_NOOP("dispatch_panel",
                               "合并为重复事件：移出待办队列；写明原事件编号和原因。"),
}
#: Actions whose note is required.
NOTE_REQUIRED = ("cancel", "dismiss", "merge", "rework")
SOURCE_LABELS = {"sensor": QT_TRANSLATE_NOOP("dispatch_panel", "传感器"),
                 "ai_camera": QT_TRANSLATE_NOOP("dispatch_panel", "AI视频"),
                 "grid_worker": QT_TRANSLATE_NOOP("dispatch_panel", "网格员"),
                 "hotline": QT_TRANSLATE_NOOP("dispatch_panel", "民呼我为"),
                 "drone": QT_TRANSLATE_NOOP("dispatch_panel", "无人机"),
                 "patrol": QT_TRANSLATE_NOOP("dispatch_panel", "巡查")}
SEVERITY = {1: ("▲", QT_TRANSLATE_NOOP("risk_level", "重大")),
            2: ("◆", QT_TRANSLATE_NOOP("risk_level", "较大")),
            3: ("●", QT_TRANSLATE_NOOP("risk_level", "一般")),
            4: ("○", QT_TRANSLATE_NOOP("risk_level", "低"))}


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
    """An event's state (待派遣 …) in the interface language."""
    return _label(EVENT_STATE_LABELS, state)


def event_state_badge(state: str) -> str:
    """An event's state as symbol and word: '⚠ 超时'."""
    return f"{EVENT_STATE_MARKS.get(state, '•')} {event_state_label(state)}"


def rating_label(rating: str) -> str:
    return _label(RATING_LABELS, rating)


def plain_tip(text: str) -> str:
    """A tooltip that shows ``text`` as it is: markup is escaped, line breaks kept (a Qt
    tooltip is rich text when it looks like it)."""
    return ("<p style='white-space:pre-wrap'>" + html.escape(str(text), quote=False)
            + "</p>")


def source_label(source: str) -> str:
    """An event's source (传感器 …) in the interface language."""
    return _label(SOURCE_LABELS, source)


def severity_mark(sev: int) -> tuple[str, str]:
    """(shape, word) of a severity 1–4, the word in the interface language."""
    shape, word = SEVERITY.get(sev, ("●", str(sev)))
    return shape, tr_word(word, RISK_LEVEL)
#: The order keys in one line (shown when the buttons are off).
ACTION_KEYS_HINT = {0: QT_TRANSLATE_NOOP(
    "dispatch_panel", "A 签收 · K 核实 · H 处置 · V 核查 · C 结案 · E 评价 · X 撤销 · R 退回")}
#: Keys of the order actions.
ACTION_KEYS = {Qt.Key.Key_A: "acknowledge", Qt.Key.Key_K: "confirm", Qt.Key.Key_H: "handle",
               Qt.Key.Key_V: "verify", Qt.Key.Key_C: "close", Qt.Key.Key_E: "evaluate",
               Qt.Key.Key_X: "cancel", Qt.Key.Key_R: "rework"}
#: The place column's words by the level it shows: (column, all of them).
PLACE_WORDS = {"district": (QT_TRANSLATE_NOOP("dispatch_panel", "区县"),
                            QT_TRANSLATE_NOOP("dispatch_panel", "全部区县")),
               "street": (QT_TRANSLATE_NOOP("dispatch_panel", "镇街"),
                          QT_TRANSLATE_NOOP("dispatch_panel", "全部镇街")),
               "community": (QT_TRANSLATE_NOOP("dispatch_panel", "社区"),
                             QT_TRANSLATE_NOOP("dispatch_panel", "全部社区"))}
#: Keys of the event actions (besides Enter / D 派遣).
EVENT_KEYS = {Qt.Key.Key_X: "dismiss", Qt.Key.Key_M: "merge"}
#: Every action that can have a deadline; a row's own are its ``stages`` (order_stages()).
DEADLINE_ACTIONS = ("acknowledge", "confirm", "handle", "verify", "close")

OVERDUE_BG = "#4a1416"
#: The focus outline (the same in the application's style sheet).
FOCUS = theme.FOCUS
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


class KeyedRowsModel(RowsModel):
    """Dict rows with a key column; rows keep their identity across updates, and the live
    columns follow the clock. A subclass says how a row looks (``_cells``)."""

    TR_CONTEXT = "dispatch_panel"
    KEY = "id"
    LIVE: tuple[str, ...] = ()  # columns that change with the clock

    def __init__(self, parent=None) -> None:
        super().__init__(None, parent)
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
                                      self.index(len(rows) - 1, self.columnCount() - 1))
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

    def find(self, key: Any) -> int:
        for i, r in enumerate(self._rows):
            if r[self.KEY] == key:
                return i
        return -1

    def now(self) -> datetime:
        return self._now

    # ---- Qt
    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        found = self.cell(index)
        if found is None:
            return None
        key, row = found
        if role == Qt.ItemDataRole.UserRole:
            return row
        r = index.row()
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


class EventsModel(KeyedRowsModel):
    """The duty queue (值守队列) and, after it, the recent events that need no action.

    A row: ``event_id``, ``occurred_at`` (datetime, screen time), ``severity`` (1–4),
    ``source``, ``place``, ``title``, ``type_name``, ``react_due`` (datetime or None),
    ``state`` (new / unclassified / dispatched / order_overdue / closed / dismissed / merged;
    a new one past ``react_due`` reads overdue), ``queue`` (needs action), ``orders`` (open
    orders) and anything else the caller wants back in the panel's signals. The rows keep
    the order they are given in (:func:`cockpit.datasets.queue.collect`'s: overdue first,
    then level, then deadline); the view sorts by any column on top of it.
    """

    COLUMNS = (("sev", QT_TRANSLATE_NOOP("dispatch_panel", "级别")),
               ("source", QT_TRANSLATE_NOOP("dispatch_panel", "来源")),
               ("place", QT_TRANSLATE_NOOP("dispatch_panel", "地点")),
               ("title", QT_TRANSLATE_NOOP("dispatch_panel", "事件")),
               ("age", QT_TRANSLATE_NOOP("dispatch_panel", "到达")),
               ("react", QT_TRANSLATE_NOOP("dispatch_panel", "签收时限 · 状态")))
    KEY = "event_id"
    LIVE = ("age", "react")

    def live_state(self, row: dict[str, Any]) -> str:
        """The event's state now: a new event past its react deadline is overdue."""
        st = row.get("state") or "new"
        if st == "new" and row.get("react_due") is not None and row["react_due"] < self._now:
            return "overdue"
        return st

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == SORT_ROLE:
            found = self.cell(index)
            return None if found is None else self.sort_value(found[1], found[0])
        return super().data(index, role)

    def sort_value(self, row: dict[str, Any], key: str) -> Any:
        """What a column sorts by: level number, words, arrival time, the deadline."""
        if key == "sev":
            return int(row.get("severity") or 3)
        if key == "age":
            return -row["occurred_at"].timestamp()
        if key == "react":
            st = self.live_state(row)
            due = row.get("react_due")
            rank = {"overdue": 0, "new": 1, UNCLASSIFIED: 1, "order_overdue": 2}.get(st, 3)
            return rank * 1e10 + (due.timestamp() if due else 0.0)
        if key == "source":
            return source_label(row.get("source") or "")
        return str(row.get(key) or "")

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
        if st in ("new", "overdue", UNCLASSIFIED):
            t, c, over = countdown(row.get("react_due"), now)
            # the symbol and the countdown's words (剩 left / 超时 late) say the state; 待分拨
            # (no type yet) is named
            mark = (event_state_badge(UNCLASSIFIED) if st == UNCLASSIFIED
                    else EVENT_STATE_MARKS["new"])
            text["react"] = t if over else f"{mark} {t}"
            fg["react"] = c
            if over:
                bg = OVERDUE_BG
        elif st == "order_overdue":
            text["react"] = self.tr("⚠ 工单超时 · {n} 部门").format(n=row.get("orders", 0))
            fg["react"] = OVERDUE_FG
            bg = OVERDUE_BG
        elif st == "dispatched":
            text["react"] = self.tr("✓ 已派遣 {n} 部门").format(n=row.get("orders", 0))
            fg["react"] = OK_FG
        else:
            text["react"] = event_state_badge(st)
            fg["react"] = theme.TEXT_DIM
        d = row.get("disposition") or {}
        tip = f"{row.get('title', '')}\n" + self.tr(
            "类型 {type} · 事件 {event}\n发生 {at} · {state}").format(
                type=row.get("type_name", "") or event_state_label(UNCLASSIFIED),
                event=row["event_id"], at=f"{row['occurred_at']:%m-%d %H:%M:%S}",
                state=event_state_label(st))
        tip += "\n" + self.tr("来源 {source} · {place}").format(
            source=source_label(row.get("source") or ""),
            place=" ".join(x for x in (row.get("district"), row.get("street")) if x))
        if d.get("note"):
            tip += "\n" + self.tr("原因：{note}").format(note=d["note"])
        return text, fg, bg, bold, plain_tip(tip)


@dataclass(frozen=True)
class EventFilter:
    """What the events list shows (``None``: any): the boxes above it."""

    severity: int | None = None
    source: str | None = None
    district: str | None = None  # place code at the list's level (district or street)
    street: str | None = None
    state: str | None = None  # a live state: new, overdue, unclassified, dispatched, …
    overdue_only: bool = False


class EventsFilter(QSortFilterProxyModel):
    """Level, source, district, street, state and overdue filters over :class:`EventsModel`;
    sorting by :data:`SORT_ROLE`."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.spec = EventFilter()
        self.setSortRole(SORT_ROLE)

    def set_spec(self, spec: EventFilter) -> None:
        self.spec = spec
        self.refilter()

    def refilter(self) -> None:
        if hasattr(self, "beginFilterChange"):
            self.beginFilterChange()
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self.invalidateFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: _Index) -> bool:  # noqa: N802
        m: EventsModel = self.sourceModel()
        if source_parent.isValid() or not 0 <= source_row < m.rowCount():
            return False
        r, f = m.row(source_row), self.spec
        st = m.live_state(r)
        return not ((f.severity is not None and int(r.get("severity") or 3) != f.severity)
                    or (f.source and r.get("source") != f.source)
                    or (f.district and r.get("district_code") != f.district)
                    or (f.street and r.get("street_code") != f.street)
                    or (f.state and st != f.state)
                    or (f.overdue_only and st not in ("overdue", "order_overdue")))


class OrdersModel(KeyedRowsModel):
    """Dispatch orders, the most urgent first.

    A row: ``order_id``, ``event_id``, ``event_title``, ``dept_id``, ``dept_name``,
    ``district_code``, ``district``, ``state``, ``next_actions`` (list), ``created_at``,
    ``dues`` ({action: datetime}), ``done`` ({action: datetime}), ``last_at`` (datetime),
    ``auto_dispatched`` (a routine report sent by 自动派遣, not by a person).
    """

    COLUMNS = (("title", QT_TRANSLATE_NOOP("dispatch_panel", "事件")),
               ("dept", QT_TRANSLATE_NOOP("dispatch_panel", "部门")),
               ("district", QT_TRANSLATE_NOOP("dispatch_panel", "区县")),
               ("state", QT_TRANSLATE_NOOP("dispatch_panel", "状态")),
               ("countdown", QT_TRANSLATE_NOOP("dispatch_panel", "倒计时（下一时限）")))
    KEY = "order_id"
    LIVE = ("countdown", "state")
    #: The place column's word (区县, 镇街 or 社区: the dataset's level below its top).
    place_word = PLACE_WORDS["district"][0]

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal
                and 0 <= section < self.columnCount()
                and self._columns[section][0] == "district"):
            return QCoreApplication.translate("dispatch_panel", self.place_word)
        return super().headerData(section, orientation, role)

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
               + self.tr("派遣 {at}").format(at=created)
               + (self.tr(" · 自动派遣") if row.get("auto_dispatched") else "") + "\n"
               + self.tr("下一步：{actions}").format(actions=nxt)
               + ("\n" + self.tr("逾期环节：{actions}").format(actions=sep.join(late))
                  if late else ""))
        return text, fg, bg, bold, plain_tip(tip)


def order_stages(row: dict[str, Any]) -> list[str]:
    """The order's stage actions in order (the ledger's ``stages`` of the order view, from
    its plan: ``cockpit.datasets.stages.order_stages``); an older row: the loop."""
    return list(row.get("stages") or ("acknowledge", "handle", "verify", "close",
                                       "evaluate"))


def next_deadline_action(row: dict[str, Any]) -> str | None:
    """The first department action still to do that has a deadline."""
    done = row.get("done") or {}
    dues = row.get("dues") or {}
    for a in order_stages(row):
        if done.get(a) is None and dues.get(a) is not None:
            return a
    return None


def next_due(row: dict[str, Any]) -> datetime | None:
    a = next_deadline_action(row) if row.get("state") in OPEN_STATES else None
    return (row.get("dues") or {}).get(a) if a else None


class OrdersFilter(QSortFilterProxyModel):
    """Department, district, state, origin and overdue filters over :class:`OrdersModel`."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.dept: str | None = None
        self.district: str | None = None
        self.state: str | None = "open"  # None: all; "open"; or one state
        self.origin: str | None = None  # None: all; "manual"; "auto" (自动派遣)
        self.overdue_only = False
        #: The order just acted on stays listed (and selected) until the selection moves.
        self.pinned: str | None = None

    def set_filters(self, dept: str | None = None, district: str | None = None,
                    state: str | None = "open", overdue_only: bool = False,
                    origin: str | None = None) -> None:
        self._change(lambda: self._set(dept, district, state, overdue_only, origin))

    def refilter(self) -> None:
        """Apply the filters again (the rows or the clock changed)."""
        self._change(lambda: None)

    def _set(self, dept, district, state, overdue_only, origin) -> None:
        self.dept, self.district, self.state = dept, district, state
        self.overdue_only, self.origin = overdue_only, origin

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
        if self.pinned is not None and r.get("order_id") == self.pinned:
            return True
        if self.dept and r.get("dept_id") != self.dept:
            return False
        if self.district and r.get("district_code") != self.district:
            return False
        if self.state == "open" and r.get("state") not in OPEN_STATES:
            return False
        if self.state not in (None, "open") and r.get("state") != self.state:
            return False
        if self.origin is not None and bool(r.get("auto_dispatched")) != (self.origin == "auto"):
            return False
        return not (self.overdue_only and not m.is_overdue(r))


# --------------------------------------------------------------------------- views


class KeyTable(QTableView):
    """A dark, row-selecting, virtualised table that hands chosen keys to a callback."""

    def __init__(self, on_key: Callable[[int], bool], parent=None) -> None:
        super().__init__(parent)
        self._on_key = on_key
        #: Columns hidden (in this order) when the title would get narrower than
        #: STRETCH_MIN: their words are in the row's tooltip and in the filters.
        self.droppable: tuple[int, ...] = ()
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
        # the vertical scroll bar coming or going changes the room: fit the title again
        self.verticalScrollBar().rangeChanged.connect(
            lambda *_a: QTimer.singleShot(0, lambda: _fit_stretch(self)))
        self.setStyleSheet(f"QTableView {{ font-size: {TABLE_PT}pt; }}"
                           "QTableView::item { padding: 0 6px; }"
                           f"QTableView:focus {{ border: 2px solid {FOCUS}; }}"
                           "QHeaderView::section { font-size: 11pt; }")

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        _fit_stretch(self)

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
        hf = QFont(self.font())
        hf.setPointSizeF(11)
        hf.setBold(True)
        hfm = QFontMetrics(hf)
        m = self.model()
        self._stretch = stretch
        for c in range(m.columnCount()):
            if c == stretch:
                h.setSectionResizeMode(c, QHeaderView.ResizeMode.Interactive)
            else:
                head = str(m.headerData(c, Qt.Orientation.Horizontal) or "")
                need = max([fm.horizontalAdvance(t) + 24 for t in (texts or {}).get(c, [])]
                           + [hfm.horizontalAdvance(head) + 28])
                h.setSectionResizeMode(c, QHeaderView.ResizeMode.Interactive)
                h.resizeSection(c, max(widths.get(c, 90), need))
        _fit_stretch(self)


class _MessageLabel(ElidedLabel):
    """The panel's message line: shown elided, read whole (``text()``)."""

    def text(self) -> str:  # noqa: D102 - the whole message, not what fits
        return self.full_text()


def _fit_stretch(view: KeyTable) -> None:
    """The stretching column takes the room the others leave, at least STRETCH_MIN px (the
    table then scrolls sideways instead of cutting the title to '…')."""
    c = getattr(view, "_stretch", None)
    m = view.model()
    if c is None or m is None:
        return
    h = view.horizontalHeader()
    room = view.viewport().width()

    def others() -> int:
        return sum(h.sectionSize(i) for i in range(m.columnCount())
                   if i != c and not view.isColumnHidden(i))

    # a narrow table drops its droppable columns (their words stay in the tooltip and the
    # filters) before the title gets narrower than STRETCH_MIN
    for i in getattr(view, "droppable", ()):
        view.setColumnHidden(i, False)
    for i in getattr(view, "droppable", ()):
        if room - others() >= STRETCH_MIN:
            break
        view.setColumnHidden(i, True)
    h.resizeSection(c, max(STRETCH_MIN, room - others()))


#: The narrowest the stretching column (the event's title) gets, px.
STRETCH_MIN = 170


def _esc(text: Any) -> str:
    return (str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


class ActionDialog(QDialog):
    """Asks before a state change: what it does to which order (or event), a note (required
    for 撤销, 不予派遣 and 合并), the rating of 评价 and the event a duplicate repeats. Enter
    confirms, Esc cancels; a missing note is said in the dialog, nothing is emitted."""

    sig_action_confirmed = Signal(dict)
    """Confirmed: {"action", "target", "note", "outcome", "duplicate_of"}."""

    def __init__(self, action: str, target: str, what: str, parent: QWidget | None = None
                 ) -> None:
        super().__init__(parent)
        self.action, self.target = action, target
        self.setObjectName("actionDialog")
        self.setWindowTitle(self.tr("确认{action}").format(action=action_label(action)))
        lay = QVBoxLayout(self)
        self.summary = QLabel(what + "\n" + _label(ACTION_EFFECTS, action))
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        lay.addWidget(self.summary)
        form = QFormLayout()
        self.rating = QComboBox()
        for key in RATING_LABELS:
            self.rating.addItem(rating_label(key), key)
        self.duplicate = QLineEdit()
        self.duplicate.setPlaceholderText(self.tr("原事件编号"))
        self.note = QLineEdit()
        self.note.setMaxLength(500)
        need = action in NOTE_REQUIRED
        self.note.setPlaceholderText(self.tr("必填：写明原因") if need else self.tr("备注（可选）"))
        if action == "evaluate":
            form.addRow(self.tr("评价"), self.rating)
        if action == "merge":
            form.addRow(self.tr("重复于"), self.duplicate)
        form.addRow(self.tr("原因") if need else self.tr("备注"), self.note)
        lay.addLayout(form)
        self.problem = QLabel()
        self.problem.setTextFormat(Qt.TextFormat.PlainText)
        self.problem.setStyleSheet(f"color: {OVERDUE_FG};")
        lay.addWidget(self.problem)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                               | QDialogButtonBox.StandardButton.Cancel)
        self.ok = box.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(self.tr("确认{action} (Enter)").format(action=action_label(action)))
        self.ok.setDefault(True)
        box.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消 (Esc)"))
        box.accepted.connect(self._confirm)
        box.rejected.connect(self.reject)
        lay.addWidget(box)
        (self.duplicate if action == "merge" else self.rating if action == "evaluate"
         else self.note).setFocus()

    def _confirm(self) -> None:
        note = self.note.text().strip()
        dup = self.duplicate.text().strip()
        if self.action == "merge" and not dup:
            self.problem.setText(self.tr("请填写原事件编号"))
            self.duplicate.setFocus()
            return
        if self.action in NOTE_REQUIRED and not note:
            self.problem.setText(self.tr("请写明原因：{action}必须有原因").format(
                action=action_label(self.action)))
            self.note.setFocus()
            return
        outcome = self.rating.currentData() if self.action == "evaluate" else "ok"
        self.sig_action_confirmed.emit({"action": self.action, "target": self.target,
                                        "note": note, "outcome": outcome,
                                        "duplicate_of": dup or None})
        self.accept()


class DispatchPanel(QFrame):
    """Incoming events (left) and dispatch orders with countdowns (right)."""

    sig_dispatch_requested = Signal(dict)
    """Enter or D on an event: the event's row dict."""
    sig_action_requested = Signal(str, str, str, str)
    """An order action confirmed: (order_id, action, note, outcome — evaluate's rating)."""
    sig_event_disposal_requested = Signal(str, str, str, str)
    """An event dismissed or merged, confirmed: (event_id, action, note, duplicate_of)."""
    sig_order_selected = Signal(str)
    """An order was selected: its id (the cockpit answers with :meth:`set_timeline`)."""
    sig_event_selected = Signal(dict)
    """An event was selected (the map pans to it and marks it): its row."""
    sig_order_located = Signal(str)
    """An order was selected: its event's id (the map pans to the event)."""
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
        self._place_level = "district"
        self._counts: dict[str, Any] = {}
        self.action_dialog: ActionDialog | None = None
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
            " min-height: 24px; }"
            f"QComboBox:focus, QPushButton:focus, QLineEdit:focus {{ border: 2px solid {FOCUS}; }}"
            f"QCheckBox:focus {{ border: 2px solid {FOCUS}; border-radius: 3px; }}")
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
        self.events_title = QLabel(self.tr("值守队列 · 超时在前"))
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
        bar = QHBoxLayout()
        bar.setSpacing(4)
        self.ev_level_box = QComboBox()
        self.ev_source_box = QComboBox()
        self.ev_district_box = QComboBox()
        self.ev_street_box = QComboBox()
        self.ev_state_box = QComboBox()
        self.ev_overdue_box = QCheckBox(self.tr("只看超时"))
        for w in (self.ev_level_box, self.ev_source_box, self.ev_district_box,
                  self.ev_street_box, self.ev_state_box):
            w.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            w.currentIndexChanged.connect(self._on_event_filter_changed)
            bar.addWidget(w)
        self.ev_overdue_box.toggled.connect(self._on_event_filter_changed)
        self.ev_default_order = QPushButton(self.tr("默认顺序"))
        self.ev_default_order.setToolTip(self.tr("超时在前，再按级别、时限"))
        self.ev_default_order.clicked.connect(self.default_event_order)
        lv.addLayout(bar)
        self.events_model = EventsModel(self)
        self.events_proxy = EventsFilter(self)
        self.events_proxy.setSourceModel(self.events_model)
        self.events_view = KeyTable(self._on_event_key)
        self.events_view.setModel(self.events_proxy)
        self.events_view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.events_view.setSortingEnabled(True)
        self.events_view.horizontalHeader().setSortIndicatorClearable(True)
        self.events_view.droppable = (self.events_model.column_of("source"),)
        self._event_widths()
        # the event's title stretches, never below a readable width (then the table scrolls
        # sideways rather than cutting it to '…')
        self.events_view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.events_view.horizontalHeader().setMinimumSectionSize(40)
        self.events_view.doubleClicked.connect(lambda _i: self.request_dispatch())
        self.events_view.selectionModel().currentRowChanged.connect(self._on_event_current)
        self.events_view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.events_view.customContextMenuRequested.connect(self._event_menu)
        lv.addWidget(self.events_view, 1)
        self._fill_event_boxes([])
        self.events_hint = QLabel(self.tr("Enter / D 派遣预览 · X 不予派遣 · M 合并 · 点表头排序"))
        self.events_hint.setObjectName("dpHint")
        self.events_hint.setMinimumWidth(40)
        foot_l = QHBoxLayout()
        foot_l.addWidget(self.events_hint, 1)
        foot_l.addWidget(self.ev_overdue_box)
        foot_l.addWidget(self.ev_default_order)
        lv.addLayout(foot_l)
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
        # 人工派遣 / 自动派遣: routine reports dispatch themselves, tens an hour in a live
        # centre; the operator's own orders must not drown among them
        self.origin_box = QComboBox()
        self.origin_box.setMinimumContentsLength(6)
        for label, key in ((self.tr("全部来源"), None), (self.tr("人工派遣"), "manual"),
                           (self.tr("自动派遣"), "auto")):
            self.origin_box.addItem(label, key)
        self.overdue_box = QCheckBox(self.tr("只看超时"))
        for w in (self.dept_box, self.district_box, self.state_box, self.origin_box):
            w.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            w.setMaximumWidth(240)
            w.currentIndexChanged.connect(self._on_filter_changed)
        self.overdue_box.toggled.connect(self._on_filter_changed)
        self._district_items: list[tuple[str, str]] = []
        self._fill_box(self.dept_box, self.tr("全部部门"), [])
        self._fill_box(self.district_box, self._all_places(), [])
        rv.addLayout(head)
        # the filters on their own row, like the queue's: the header row stays narrow, so
        # that the queue can have the larger share of a 1080p screen
        obar = QHBoxLayout()
        obar.setSpacing(4)
        for w in (self.dept_box, self.district_box, self.state_box, self.origin_box,
                  self.overdue_box):
            obar.addWidget(w)
        obar.addStretch(1)
        rv.addLayout(obar)
        body = QHBoxLayout()
        body.setSpacing(8)
        self.orders_model = OrdersModel(self)
        self.orders_proxy = OrdersFilter(self)
        self.orders_proxy.setSourceModel(self.orders_model)
        self.orders_view = KeyTable(self._on_order_key)
        self.orders_view.setModel(self.orders_proxy)
        self.orders_view.droppable = (self.orders_model.column_of("district"),
                                      self.orders_model.column_of("state"))
        self._order_widths()
        self.orders_view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.orders_view.selectionModel().currentRowChanged.connect(self._on_order_current)
        self.orders_view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.orders_view.customContextMenuRequested.connect(self._order_menu)
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
        scroll.setFixedWidth(230)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.timeline_scroll = scroll
        body.addWidget(scroll)
        rv.addLayout(body, 1)
        foot = QHBoxLayout()
        self.action_buttons: dict[str, QPushButton] = {}
        for key, action in ((k, a) for k, a in ACTION_KEYS.items()):
            b = QPushButton(f"{action_label(action)} {QKeySequence(key).toString()}")
            b.setObjectName("dpAction")
            b.clicked.connect(lambda _c=False, a=action: self.request_action(a))
            self.action_buttons[action] = b
            foot.addWidget(b)
        self.orders_hint = QLabel(_label(ACTION_KEYS_HINT, 0))
        self.orders_hint.setObjectName("dpHint")
        self.orders_hint.hide()  # the buttons say it
        foot.addWidget(self.orders_hint)
        # elided to the room left (the whole line in its tooltip): a long message must never
        # widen the orders side and squeeze the queue's deadline column off the screen
        self.message = _MessageLabel(max_hint=360)
        self.message.setObjectName("dpMessage")
        foot.addWidget(self.message, 1)
        rv.addLayout(foot)
        self.split.addWidget(right)
        self.split.setStretchFactor(0, 42)
        self.split.setStretchFactor(1, 58)
        self._split_moved = False
        self.split.splitterMoved.connect(lambda *_a: setattr(self, "_split_moved", True))
        self.split.splitterMoved.connect(lambda *_a: self._fit_orders())
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

    def set_events(self, rows: list[dict[str, Any]], as_of: datetime | None = None,
                   counts: dict[str, Any] | None = None) -> None:
        """The queue and the recent events (see :class:`EventsModel` for a row's keys), and
        the queue's counts (``cockpit.datasets.queue.QueueCounts.as_dict()``: total,
        overdue, by_severity, by_source, by_district, by_street, by_state) — the header and
        the filters show those, the counts ``cockpit queue`` prints."""
        self._set_as_of(as_of)
        self._counts = dict(counts or {})
        key = self._current_key(self.events_view, self.events_model)
        self.events_model.set_now(self.now())
        self.events_model.set_rows(rows)
        self._fill_event_boxes(rows)
        self.events_proxy.refilter()
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
        self.events_hint.setText(
            self.tr("只读：不能派遣") if reason
            else self.tr("Enter / D 派遣预览 · X 不予派遣 · M 合并 · 点表头排序"))
        self.orders_hint.setText(self.tr("只读：不能操作工单") if reason else
                                 _label(ACTION_KEYS_HINT, 0))
        self.orders_hint.setVisible(bool(reason))
        for b in self.action_buttons.values():
            b.setEnabled(not reason)

    def is_read_only(self) -> bool:
        return self._read_only is not None

    def show_message(self, text: str, level: str = "info") -> None:
        """A line under the orders: ``level`` info, ok or error."""
        colour = {"ok": OK_FG, "error": OVERDUE_FG}.get(level, theme.TEXT_DIM)
        self.message.setStyleSheet(f"color: {colour};")
        self.message.setText(text)

    def set_filters(self, dept: str | None = None, district: str | None = None,
                    state: str | None = "open", overdue_only: bool = False,
                    origin: str | None = None) -> None:
        """Set the order filters (as the boxes would); ``origin``: None, "manual" or "auto"
        (自动派遣)."""
        self._filter_lock = True
        try:
            for box, val in ((self.dept_box, dept), (self.district_box, district),
                             (self.state_box, state), (self.origin_box, origin)):
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
        """Select an event of the list (False when it is not listed or filtered out)."""
        i = self.events_model.find(str(event_id))
        if i < 0:
            i = self.events_model.find(event_id)
        if i < 0:
            return False
        pi = self.events_proxy.mapFromSource(self.events_model.index(i, 0))
        if not pi.isValid():
            return False
        self.events_view.setCurrentIndex(pi)
        self.events_view.setFocus()
        return True

    def visible_events(self) -> list[dict[str, Any]]:
        """The event rows the filters let through, in view order (sorted as shown)."""
        p = self.events_proxy
        return [p.data(p.index(i, 0), Qt.ItemDataRole.UserRole) for i in range(p.rowCount())]

    def set_event_filter(self, spec: EventFilter) -> None:
        """Set the event filters (as the boxes would)."""
        self._filter_lock = True
        try:
            for box, val in ((self.ev_level_box, spec.severity),
                             (self.ev_source_box, spec.source),
                             (self.ev_district_box, spec.district),
                             (self.ev_street_box, spec.street),
                             (self.ev_state_box, spec.state)):
                i = box.findData(val)
                box.setCurrentIndex(i if i >= 0 else 0)
            self.ev_overdue_box.setChecked(spec.overdue_only)
        finally:
            self._filter_lock = False
        self._on_event_filter_changed()

    def default_event_order(self) -> None:
        """Back to the queue's order: overdue first, then level, then deadline."""
        self.events_view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.events_proxy.sort(-1)

    def set_place_level(self, level: str) -> None:
        """The level of the place column and filter: district 区县, street 镇街 or community
        社区 (the level below the dataset's top unit)."""
        self._place_level = level if level in PLACE_WORDS else "district"
        self._fill_box(self.district_box, self._all_places(), self._district_items)
        self.orders_model.place_word = PLACE_WORDS[self._place_level][0]
        self.orders_model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0,
                                                 self.orders_model.columnCount() - 1)
        self._fill_event_boxes(self.events_model.rows())
        self._order_widths()

    def current_order(self) -> dict[str, Any] | None:
        i = self.orders_view.currentIndex()
        return self.orders_proxy.data(i, Qt.ItemDataRole.UserRole) if i.isValid() else None

    def current_event(self) -> dict[str, Any] | None:
        i = self.events_view.currentIndex()
        return self.events_proxy.data(i, Qt.ItemDataRole.UserRole) if i.isValid() else None

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
        what = self.tr("{action} · {dept} · {event}\n工单 {order}（{state}）").format(
            action=action_label(action), dept=o.get("dept_name") or o.get("dept_id", ""),
            event=o.get("event_title") or o.get("event_id", ""), order=o["order_id"],
            state=state_label(o.get("state")))
        self._ask(action, o["order_id"], what, self._on_order_confirmed)

    def request_disposal(self, action: str) -> None:
        """Ask to dismiss (X 不予派遣) or merge (M 合并) the selected event, with a reason."""
        ev = self.current_event()
        if ev is None:
            self.show_message(self.tr("请先选择一个事件"))
            return
        if self._read_only:
            self.show_message(self.tr("只读，不能派遣：{reason}").format(reason=self._read_only),
                              "error")
            return
        if not ev.get("queue"):
            self.show_message(self.tr("事件 {event} 不在待办队列中（{state}）").format(
                event=ev["event_id"], state=event_state_label(self.events_model.live_state(ev))),
                "error")
            return
        what = self.tr("{action} · 事件 {event}\n{title}").format(
            action=action_label(action), event=ev["event_id"], title=ev.get("title") or "")
        self._ask(action, str(ev["event_id"]), what, self._on_event_confirmed)

    def _ask(self, action: str, target: str, what: str, done: Callable[[dict], None]) -> None:
        if self.action_dialog is not None and self.action_dialog.isVisible():
            self.action_dialog.raise_()
            return
        dlg = ActionDialog(action, target, what, self.window())
        dlg.sig_action_confirmed.connect(done)
        dlg.finished.connect(lambda _r: self._dialog_closed(dlg))
        self.action_dialog = dlg
        dlg.open()

    def _dialog_closed(self, dlg: ActionDialog) -> None:
        if self.action_dialog is dlg:
            self.action_dialog = None
        dlg.deleteLater()

    def _on_order_confirmed(self, d: dict) -> None:
        self.orders_proxy.pinned = d["target"]  # the selection stays on this order
        self.sig_action_requested.emit(d["target"], d["action"], d["note"], d["outcome"])

    def _on_event_confirmed(self, d: dict) -> None:
        self.sig_event_disposal_requested.emit(d["target"], d["action"], d["note"],
                                               d["duplicate_of"] or "")

    def tick(self) -> None:
        """Once a second: move the countdowns on (no query)."""
        now = self.now()
        self.events_model.set_now(now)
        self.orders_model.set_now(now)
        if self.orders_proxy.overdue_only:
            self.orders_proxy.refilter()
        if self.events_proxy.spec.overdue_only or self.events_proxy.spec.state:
            self.events_proxy.refilter()
        self._update_counts()
        self._render_timeline()

    # ---- helpers --------------------------------------------------------------------------
    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._fit_orders()
        if not self._split_moved:  # until the user moves the divider
            # 42 : 58 when there is room; half and half on a 1080p screen, where the events'
            # description column would otherwise shrink to two characters
            w = self.split.width()
            share = 0.42 if w >= 1800 else 0.55
            self.split.setSizes([int(w * share), w - int(w * share)])

    def _fit_orders(self) -> None:
        """At 1080p the orders side is narrow: the timeline shows on a wide side only and the
        place column goes when the others would not fit (its words are in the tooltip);
        nothing is cut to '…'."""
        right = self.split.widget(1).width() if self.split.count() > 1 else self.width()
        self.timeline_scroll.setVisible(right >= 900)
        _fit_stretch(self.orders_view)

    def _set_as_of(self, as_of: datetime | None) -> None:
        if as_of is not None:
            self._as_of, self._as_of_mono = as_of, time.monotonic()

    def _on_event_key(self, key: int) -> bool:
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_D):
            self.request_dispatch()
            return True
        action = EVENT_KEYS.get(Qt.Key(key)) if isinstance(key, int) else EVENT_KEYS.get(key)
        if action is not None:
            self.request_disposal(action)
            return True
        return False

    def _on_event_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        row = self.events_proxy.data(current, Qt.ItemDataRole.UserRole) \
            if current.isValid() else None
        if row is not None:
            self.sig_event_selected.emit(dict(row))

    def _event_menu(self, pos) -> None:
        ev = self.current_event()
        if ev is None:
            return
        menu = QMenu(self)
        menu.addAction(self.tr("派遣预览 (D)"), self.request_dispatch)
        for key, action in EVENT_KEYS.items():
            a = menu.addAction(f"{action_label(action)} ({QKeySequence(key).toString()})",
                               lambda act=action: self.request_disposal(act))
            a.setEnabled(bool(ev.get("queue")) and not self._read_only)
        menu.popup(self.events_view.viewport().mapToGlobal(pos))
        self.context_menu = menu

    def _order_menu(self, pos) -> None:
        o = self.current_order()
        if o is None:
            return
        menu = QMenu(self)
        allowed = set(o.get("next_actions") or [])
        for key, action in ACTION_KEYS.items():
            a = menu.addAction(f"{action_label(action)} ({QKeySequence(key).toString()})",
                               lambda act=action: self.request_action(act))
            a.setEnabled(action in allowed and not self._read_only)
        menu.popup(self.orders_view.viewport().mapToGlobal(pos))
        self.context_menu = menu

    def _on_event_filter_changed(self, *_a) -> None:
        if self._filter_lock:
            return
        if self.sender() is self.ev_district_box:
            self._fill_event_boxes(self.events_model.rows())
        self.events_proxy.set_spec(EventFilter(
            severity=self.ev_level_box.currentData(), source=self.ev_source_box.currentData(),
            district=self.ev_district_box.currentData(),
            street=self.ev_street_box.currentData(), state=self.ev_state_box.currentData(),
            overdue_only=self.ev_overdue_box.isChecked()))
        self._update_counts()

    def _place_word(self) -> str:
        return QCoreApplication.translate("dispatch_panel", PLACE_WORDS[self._place_level][0])

    def _all_places(self) -> str:
        return QCoreApplication.translate("dispatch_panel", PLACE_WORDS[self._place_level][1])

    def _fill_event_boxes(self, rows: list[dict[str, Any]]) -> None:
        """The event filters' choices, each with its count in the queue."""
        c = self._counts
        total = c.get("total", 0)

        def n(group: str, key: Any) -> int:
            return int((c.get(group) or {}).get(str(key), 0))

        self._filter_lock = True
        try:
            self._fill_box(self.ev_level_box, self.tr("级别 ({n})").format(n=total),
                           [(k, f"{' '.join(severity_mark(k))} ({n('by_severity', k)})")
                            for k in sorted(SEVERITY)])
            self._fill_box(self.ev_source_box, self.tr("来源 ({n})").format(n=total),
                           [(k, f"{source_label(k)} ({n('by_source', k)})")
                            for k in SOURCE_LABELS])
            names = {r.get("district_code"): r.get("district") or r.get("district_code")
                     for r in rows if r.get("district_code")}
            self._fill_box(self.ev_district_box, f"{self._place_word()} ({total})",
                           [(k, f"{names[k]} ({n('by_district', k)})")
                            for k in sorted(names, key=lambda k: (-n('by_district', k),
                                                                  str(k)))])
            d = self.ev_district_box.currentData()
            streets = {r.get("street_code"): r.get("street") or r.get("street_code")
                       for r in rows if r.get("street_code")
                       and (d is None or r.get("district_code") == d)}
            self._fill_box(self.ev_street_box, self.tr("镇街"),
                           [(k, f"{streets[k]} ({n('by_street', k)})")
                            for k in sorted(streets, key=lambda k: (-n('by_street', k),
                                                                    str(k)))])
            self._fill_box(self.ev_state_box, self.tr("状态"),
                           [(k, f"{event_state_badge(k)} ({n('by_state', k)})")
                            for k in ("overdue", "new", UNCLASSIFIED)]
                           + [(k, event_state_badge(k))
                              for k in ("dispatched", "order_overdue", "closed", "dismissed",
                                        "merged")])
        finally:
            self._filter_lock = False

    def _event_widths(self) -> None:
        self.events_view.set_widths(
            {0: 82, 1: 92, 2: 90, 4: 64, 5: 150}, stretch=3,
            texts={0: [" ".join(severity_mark(s)) for s in SEVERITY],
                   1: [source_label(s) for s in SOURCE_LABELS],
                   4: [fmt_age(3 * 3600 + 59 * 60), fmt_age(999 * 86400 + 23 * 3600)],
                   5: [f"{EVENT_STATE_MARKS['new']} " + countdown(
                       datetime(2000, 1, 1, 0, 59, 59), datetime(2000, 1, 1))[0],
                       countdown(datetime(2000, 1, 1), datetime(2000, 1, 1, 23, 59, 59))[0],
                       countdown(datetime(2000, 1, 1), datetime(2002, 9, 27, 23, 59))[0],
                       self.tr("⚠ 工单超时 · {n} 部门").format(n=3)]})

    def _order_widths(self) -> None:
        self.orders_view.set_widths(
            {1: 130, 2: 80, 3: 90, 4: 180}, stretch=0,
            texts={3: ["⚠ " + state_label(s) for s in OPEN_STATES],
                   4: [countdown(datetime(2000, 1, 1, 3, 59, 59), datetime(2000, 1, 1),
                                 action_label(a))[0] for a in DEADLINE_ACTIONS]})

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
        if self.orders_proxy.pinned not in (None, row["order_id"]):
            self.orders_proxy.pinned = None  # the operator moved on: the filter applies again
        self.sig_order_located.emit(str(row["event_id"]))
        if self._timeline is None or self._timeline[0] != row["order_id"]:
            self._timeline = (row["order_id"], [])
            self._render_timeline()
            self.sig_order_selected.emit(row["order_id"])

    def _on_filter_changed(self, *_a) -> None:
        if self._filter_lock:
            return
        self.orders_proxy.set_filters(self.dept_box.currentData(), self.district_box.currentData(),
                                      self.state_box.currentData(), self.overdue_box.isChecked(),
                                      self.origin_box.currentData())
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
        self._district_items = dists
        self._fill_box(self.dept_box, self.tr("全部部门"), depts)
        self._fill_box(self.district_box, self._all_places(), dists)
        if before != (self.dept_box.currentData(), self.district_box.currentData()):
            self._on_filter_changed()

    @staticmethod
    def _current_key(view: QTableView, model: KeyedRowsModel) -> Any:
        i = view.currentIndex()
        if not i.isValid():
            return None
        row = i.model().data(i, Qt.ItemDataRole.UserRole)
        return row[model.KEY] if row else None

    def _restore(self, view: QTableView, model: KeyedRowsModel, key: Any) -> None:
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
        c = self._counts
        self.events_count.setText(self.tr(
            "待办 <b>{waiting}</b> · <span style='color:{red}'>⚠ 超时 <b>{late}</b></span>"
            " · 显示 {shown}").format(waiting=c.get("total", 0), red=OVERDUE_FG,
                                     late=c.get("overdue", 0),
                                     shown=self.events_proxy.rowCount()))
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
        for a in order_stages(row):
            if a == "evaluate":
                continue
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
        for e in entries:
            if e.get("action") == "rework":
                lines.append(f"<div style='color:{SOON_FG}'>↩ {action_label('rework')} "
                             f"{e['at']:%H:%M:%S} → {state_label(e.get('outcome', ''))} "
                             f"<span style='color:{theme.TEXT_DIM}'>{_esc(e.get('note', ''))}"
                             "</span></div>")
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
