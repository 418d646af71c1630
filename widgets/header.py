"""The title bar: title, the city clock, the mode switch, the alarm count, the demo badge."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QButtonGroup, QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout

MODE_LABELS = {"live": "值守", "review": "晾晒", "drill": "演练"}


class HeaderBar(QFrame):
    """Top bar of the window."""

    sig_mode_requested = Signal(str)
    """The user asked for another mode: "live", "review" or "drill"."""

    def __init__(self, title: str, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("header")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(16, 6, 16, 6)
        lay.setSpacing(14)
        self.title = QLabel(title)
        self.title.setObjectName("appTitle")
        lay.addWidget(self.title)
        self.demo_badge = QLabel("演示数据 · DEMO DATA（合成）")
        self.demo_badge.setObjectName("demoBadge")
        self.demo_badge.setToolTip("运行数据为合成演示数据，地理为真实行政区划。"
                                   "Synthetic operations data on real geography.")
        self.demo_badge.hide()
        lay.addWidget(self.demo_badge)
        lay.addStretch(1)
        self.alarm_badge = QLabel()
        self.alarm_badge.setObjectName("alarmBadge")
        self.alarm_badge.hide()
        lay.addWidget(self.alarm_badge)
        self.mode_buttons: dict[str, QPushButton] = {}
        group = QButtonGroup(self)
        group.setExclusive(True)
        modes = QHBoxLayout()
        modes.setSpacing(0)
        for key, label in MODE_LABELS.items():
            b = QPushButton(label)
            b.setObjectName("modeButton")
            b.setCheckable(True)
            b.setToolTip({"live": "值守 · live (F1)", "review": "晾晒 · review (F2)",
                          "drill": "演练 · drill (F3)"}[key])
            b.clicked.connect(lambda _c=False, k=key: self.sig_mode_requested.emit(k))
            group.addButton(b)
            modes.addWidget(b)
            self.mode_buttons[key] = b
        lay.addLayout(modes)
        clock_box = QVBoxLayout()
        clock_box.setSpacing(0)
        self.clock = QLabel("--:--:--")
        self.clock.setObjectName("clock")
        self.clock_caption = QLabel("城市时间")
        self.clock_caption.setObjectName("clockCaption")
        clock_box.addWidget(self.clock)
        clock_box.addWidget(self.clock_caption)
        lay.addLayout(clock_box)

    def set_mode(self, mode: str) -> None:
        self.mode_buttons[mode].setChecked(True)

    def set_time(self, t: datetime, caption: str) -> None:
        self.clock.setText(t.strftime("%Y-%m-%d %H:%M:%S"))
        self.clock_caption.setText(caption)

    def set_demo(self, synthetic: bool) -> None:
        self.demo_badge.setVisible(synthetic)

    def set_alarms(self, alarms: int, warnings: int) -> None:
        self.alarm_badge.setText(f"▲ 报警 {alarms}  ◆ 预警 {warnings}")
        self.alarm_badge.setVisible(alarms + warnings > 0)
