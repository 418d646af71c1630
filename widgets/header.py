"""The title bar: title, the city clock, the mode switch, the alarm count, the demo badge."""

from __future__ import annotations

from datetime import datetime

from cockpit.widgets.plain import ElidedLabel, display
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
)

MODE_LABELS = {"live": QT_TRANSLATE_NOOP("HeaderBar", "值守"),
               "review": QT_TRANSLATE_NOOP("HeaderBar", "晾晒"),
               "drill": QT_TRANSLATE_NOOP("HeaderBar", "演练")}
"""The modes' names (Chinese source texts: show them with :func:`mode_label`)."""


def mode_label(mode: str) -> str:
    """The mode's name in the interface language."""
    return QCoreApplication.translate("HeaderBar", MODE_LABELS.get(mode, mode))


class HeaderBar(QFrame):
    """Top bar of the window."""

    sig_mode_requested = Signal(str)
    """The user asked for another mode: "live", "review" or "drill"."""
    sig_levels_requested = Signal()
    """The user asked for the levels panel (escalations, delegations, supervision)."""

    def __init__(self, title: str, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("header")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(16, 6, 16, 6)
        lay.setSpacing(14)
        # the title carries the top unit's or the scenario's name: plain text, elided, and
        # it gives way before the clock and the mode switch do
        self.title = ElidedLabel(title)
        self.title.setObjectName("appTitle")
        lay.addWidget(self.title)
        self.demo_badge = QLabel(self.tr("演示数据 · DEMO DATA（合成）"))
        self.demo_badge.setObjectName("demoBadge")
        self.demo_badge.setToolTip(self.tr("运行数据为合成演示数据，地理为真实行政区划。"))
        self.demo_badge.hide()
        lay.addWidget(self.demo_badge)
        lay.addStretch(1)
        self.feed_state = QLabel()
        self.feed_state.setObjectName("feedState")
        self.feed_state.setTextFormat(Qt.TextFormat.PlainText)
        self.feed_state.hide()
        lay.addWidget(self.feed_state)
        self.identity = QLabel()
        self.identity.setObjectName("identity")
        self.identity.setTextFormat(Qt.TextFormat.PlainText)
        self.identity.setToolTip(self.tr("本席位所属中心、角色和登录名（由数据库认定）"))
        lay.addWidget(self.identity)
        self.levels_button = QPushButton(self.tr("上下级"))
        self.levels_button.setObjectName("levelsButton")
        self.levels_button.setToolTip(self.tr("上级下派、下级上报、督办与退回 (Ctrl+L)"))
        self.levels_button.clicked.connect(self.sig_levels_requested.emit)
        self.levels_button.hide()
        lay.addWidget(self.levels_button)
        self.alarm_badge = QLabel()
        self.alarm_badge.setObjectName("alarmBadge")
        self.alarm_badge.hide()
        lay.addWidget(self.alarm_badge)
        self.mode_buttons: dict[str, QPushButton] = {}
        group = QButtonGroup(self)
        group.setExclusive(True)
        modes = QHBoxLayout()
        modes.setSpacing(0)
        for key in MODE_LABELS:
            b = QPushButton(mode_label(key))
            b.setObjectName("modeButton")
            b.setCheckable(True)
            b.setToolTip({"live": self.tr("值守模式 (F1)"), "review": self.tr("晾晒模式 (F2)"),
                          "drill": self.tr("演练模式 (F3)")}[key])
            b.clicked.connect(lambda _c=False, k=key: self.sig_mode_requested.emit(k))
            group.addButton(b)
            modes.addWidget(b)
            self.mode_buttons[key] = b
        lay.addLayout(modes)
        clock_box = QVBoxLayout()
        clock_box.setSpacing(0)
        self.clock = QLabel("--:--:--")
        self.clock.setObjectName("clock")
        self.clock_caption = QLabel(self.tr("城市时间"))
        self.clock_caption.setObjectName("clockCaption")
        clock_box.addWidget(self.clock)
        clock_box.addWidget(self.clock_caption)
        lay.addLayout(clock_box)

    def set_title(self, title: str) -> None:
        """The title, as plain text (a name from the data in it is never markup)."""
        self.title.set_full_text(title)

    def set_mode(self, mode: str) -> None:
        self.mode_buttons[mode].setChecked(True)

    def set_time(self, t: datetime, caption: str) -> None:
        self.clock.setTextFormat(Qt.TextFormat.PlainText)
        self.clock.setText(t.strftime("%Y-%m-%d %H:%M:%S"))
        self.clock_caption.setText(caption)

    def set_identity(self, text: str, levels: bool = False) -> None:
        """Who this seat is (centre · role · login); ``levels``: show the levels button."""
        self.identity.setText(display(text, 60))  # it names the top unit: data
        self.levels_button.setVisible(levels)

    def set_levels_count(self, n: int) -> None:
        self.levels_button.setText(self.tr("上下级 {n}").format(n=n) if n else self.tr("上下级"))

    def set_demo(self, synthetic: bool) -> None:
        self.demo_badge.setVisible(synthetic)

    def set_alarms(self, alarms: int, warnings: int) -> None:
        self.alarm_badge.setText(self.tr("▲ 报警 {alarms}  ◆ 预警 {warnings}").format(
            alarms=alarms, warnings=warnings))
        self.alarm_badge.setVisible(alarms + warnings > 0)

    #: the feed label's colour by level
    FEED_COLOURS = {"ok": "#34c759", "warn": "#ffcc00", "off": "#ff453a"}

    def set_feed(self, text: str, level: str) -> None:
        """The live feed's state (plain text): connected / lag / age of the last message, or
        why there is none; ``level`` ok / warn / off colours it."""
        self.feed_state.setText(("● " if level == "ok" else "○ ") + text)
        self.feed_state.setStyleSheet(f"color: {self.FEED_COLOURS.get(level, '#ffcc00')};")
        self.feed_state.setProperty("level", level)
        self.feed_state.show()
