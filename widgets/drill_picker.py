"""The drill picker (演练 · 复盘): choose a shipped scenario, a window of the past, or a drill
kept for later to continue.

The choice is plain data — ``("scenario", id)``, ``("replay", start, end)`` or ``("resume",
session id)`` — and the window starts it as a session of its own (its own clock and store),
never in the live window.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from cockpit.widgets.plain import display, tooltip
from PySide6.QtCore import QDateTime, Qt
from PySide6.QtWidgets import (
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

__all__ = ["DrillPicker"]


def _qdt(t: datetime) -> QDateTime:
    return QDateTime.fromString(t.strftime("%Y-%m-%dT%H:%M:%S"), Qt.DateFormat.ISODate)


def _py(q: QDateTime) -> datetime:
    return datetime.fromisoformat(q.toString(Qt.DateFormat.ISODate)).replace(tzinfo=None)


def _short(iso: str | None) -> str:
    """An ISO time as ``YYYY-MM-DD HH:MM`` (as given when it does not parse)."""
    try:
        return f"{datetime.fromisoformat(str(iso)):%Y-%m-%d %H:%M}"
    except ValueError:
        return str(iso or "")


class DrillPicker(QDialog):
    """Tab 演练: the scenarios, with where, when, how long, how many injects and the stage
    targets. Tab 复盘: from / to inside the data's time range (default: its last day). Tab
    继续演练 (when there are any): the drills kept for later, to continue where they stopped."""

    def __init__(self, scenarios: Sequence, data_range: tuple[datetime, datetime],
                 parent: QWidget | None = None, *,
                 unfit: Sequence[tuple[str, list[str]]] = (),
                 problems: Sequence[str] = (), saved: Sequence = ()) -> None:
        """``scenarios``: the ones the open dataset can run; ``unfit``: (title, what the
        dataset lacks) of the others, and ``problems`` of unusable scenario files — both only
        mentioned, never offered; ``saved``: the unfinished drill sessions that can be
        continued (:class:`cockpit.datasets.drill_sessions.SavedSession`), newest first."""
        super().__init__(parent)
        self.setWindowTitle(self.tr("演练 · 复盘"))
        self.setMinimumSize(640, 420)
        self.scenarios = list(scenarios)
        self.first, self.last = data_range
        lay = QVBoxLayout(self)
        note = QLabel(self.tr("演练与复盘在独立窗口中运行：独立时钟、独立派遣库，"
                              "绝不写入值守记录。"))
        note.setWordWrap(True)
        lay.addWidget(note)
        self.tabs = QTabWidget()
        lay.addWidget(self.tabs, 1)

        drill = QWidget()
        dl = QVBoxLayout(drill)
        self.list = QListWidget()
        for sc in self.scenarios:
            item = QListWidgetItem(self.tr("{title}  ·  {n} 个注入  ·  {minutes} 分钟").format(
                title=sc.title, n=len(sc.injects), minutes=f"{sc.duration_min:g}"))
            item.setData(Qt.ItemDataRole.UserRole, sc.id)
            self.list.addItem(item)
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.PlainText)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop)
        dl.addWidget(self.list, 2)
        dl.addWidget(self.detail, 1)
        self.unfit_note = QLabel()
        self.unfit_note.setWordWrap(True)
        self.unfit_note.setTextFormat(Qt.TextFormat.PlainText)
        lines = [f"{title}：{', '.join(missing[:4])}" + (" …" if len(missing) > 4 else "")
                 for title, missing in unfit] + list(problems)
        if not self.scenarios:
            self.unfit_note.setText(self.tr("没有适用于本数据集的演练场景。"
                                            "可在数据集目录的 drills/ "
                                            "文件夹中放入本中心的场景（见 README）。"))
        elif unfit or problems:
            self.unfit_note.setText(self.tr("另有 {n} 个场景不适用于本数据集"
                                            "（缺少所需的单位、事件类型"
                                            "或部门），未列出。").format(
                                                n=len(unfit) + len(problems)))
        if self.unfit_note.text() and lines:  # plain text: titles come from files
            self.unfit_note.setText(self.unfit_note.text() + "\n" + "\n".join(lines[:6]))
        self.unfit_note.setVisible(bool(self.unfit_note.text()))
        dl.addWidget(self.unfit_note)
        self.list.currentRowChanged.connect(self._show_detail)
        self.tabs.addTab(drill, self.tr("演练场景"))

        replay = QWidget()
        form = QFormLayout(replay)
        end = self.last.replace(minute=0, second=0, microsecond=0)
        start = max(self.first, end - timedelta(days=1))
        self.from_edit = QDateTimeEdit(_qdt(start))
        self.to_edit = QDateTimeEdit(_qdt(end))
        for e in (self.from_edit, self.to_edit):
            e.setDisplayFormat("yyyy-MM-dd HH:mm")
            e.setCalendarPopup(True)
            e.setMinimumDateTime(_qdt(self.first))
            e.setMaximumDateTime(_qdt(self.last))
            e.dateTimeChanged.connect(self._check)
        form.addRow(self.tr("从"), self.from_edit)
        form.addRow(self.tr("到"), self.to_edit)
        self.range_note = QLabel()
        self.range_note.setWordWrap(True)
        form.addRow(self.range_note)
        self.tabs.addTab(replay, self.tr("复盘历史"))

        self.saved = list(saved)
        self.saved_list = QListWidget()
        for sv in self.saved:
            text = self.tr("{title}  ·  演练时间 {clock}  ·  保存于 {saved}")
            item = QListWidgetItem(text.format(
                title=display(sv.title, 60), clock=_short(sv.clock), saved=_short(sv.saved_at)))
            item.setData(Qt.ItemDataRole.UserRole, sv.session_id)
            item.setToolTip(tooltip(sv.title))
            self.saved_list.addItem(item)
        self.saved_list.currentRowChanged.connect(self._check)
        self.saved_list.itemDoubleClicked.connect(lambda _i: self.accept())
        resume = QWidget()
        rl = QVBoxLayout(resume)
        rnote = QLabel(self.tr("继续保留的演练：已有的派遣与处置、演练时钟和得分都接着上次，"
                               "记录仍只写入该次演练的演练库。"))
        rnote.setWordWrap(True)
        rl.addWidget(rnote)
        rl.addWidget(self.saved_list, 1)
        self.resume_tab = self.tabs.addTab(resume, self.tr("继续演练"))
        self.tabs.setTabVisible(self.resume_tab, bool(self.saved))

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("开始"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        self.tabs.currentChanged.connect(self._check)
        if self.scenarios:
            self.list.setCurrentRow(0)
        self._check()

    def choice(self) -> tuple | None:
        """``("scenario", id)``, ``("replay", start, end)``, ``("resume", session id)`` or
        None (nothing valid)."""
        if self.tabs.currentIndex() == 0:
            item = self.list.currentItem()
            return ("scenario", item.data(Qt.ItemDataRole.UserRole)) if item else None
        if self.tabs.currentIndex() == self.resume_tab:
            item = self.saved_list.currentItem()
            return ("resume", item.data(Qt.ItemDataRole.UserRole)) if item else None
        a, b = _py(self.from_edit.dateTime()), _py(self.to_edit.dateTime())
        return ("replay", a, b) if a < b else None

    def select_scenario(self, scenario_id: str) -> None:
        self.tabs.setCurrentIndex(0)
        for i in range(self.list.count()):
            if self.list.item(i).data(Qt.ItemDataRole.UserRole) == scenario_id:
                self.list.setCurrentRow(i)

    def select_saved(self, session_id: str) -> None:
        """Open the 继续演练 tab on a kept session."""
        self.tabs.setCurrentIndex(self.resume_tab)
        for i in range(self.saved_list.count()):
            if self.saved_list.item(i).data(Qt.ItemDataRole.UserRole) == session_id:
                self.saved_list.setCurrentRow(i)

    def set_replay(self, start: datetime, end: datetime) -> None:
        self.tabs.setCurrentIndex(1)
        self.from_edit.setDateTime(_qdt(start))
        self.to_edit.setDateTime(_qdt(end))

    # ---- private ---------------------------------------------------------------------------
    def _show_detail(self, row: int) -> None:
        if not 0 <= row < len(self.scenarios):
            self.detail.clear()
            return
        sc = self.scenarios[row]
        from cockpit.widgets.after_action import stage_label

        dispatch = self.tr("派遣")  # the target from event to first order
        # the plan's stages with the targets the scoring checks (Scenario.stage_targets)
        timed = [("dispatch", sc.dispatch_target), *sc.stage_targets()]
        targets = " · ".join(f"{dispatch if k == 'dispatch' else stage_label(k)} {v:g}"
                             for k, v in timed)
        flow = " → ".join(stage_label(s) for s in sc.stages)
        n_depts = len(sc.expected.get("departments", []))
        plan = sc.expected.get("plan_id", "")
        steps = sc.expected.get("plan_steps")
        self.detail.setText(
            f"{sc.description}\n"
            + self.tr("地点：{place}").format(place=sc.place.get("name", "")) + "\n"
            + self.tr("流程：{flow}").format(flow=flow) + "\n"
            + self.tr("时限（分钟）：{targets}").format(targets=targets) + "\n"
            + self.tr("预案：{plan}").format(plan=plan)
            + (self.tr("（{n} 步）").format(n=steps) if steps else "")
            + " · " + self.tr("应派部门 {n}").format(n=n_depts))

    def _check(self, *_args) -> None:
        ok = self.choice() is not None
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)
        if self.tabs.currentIndex() == 1:
            self.range_note.setText(
                self.tr("数据覆盖 {first} — {last}").format(first=f"{self.first:%Y-%m-%d %H:%M}",
                                                        last=f"{self.last:%Y-%m-%d %H:%M}")
                + ("" if ok else " · " + self.tr("“从”须早于“到”")))
