"""The key sheet (? or Shift+F1): every shortcut of the window, grouped, as plain text.

A duty operator works a shift by keyboard alone; this lists how. Plain data: the rows are
:data:`SHORTCUTS` (key, what it does), translated when shown.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

_C = "shortcut_sheet"
#: (group, [(keys, what)]) — the window's shortcuts (cockpit/window.py, the dispatch panel,
#: the replay bar).
SHORTCUTS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    (QT_TRANSLATE_NOOP("shortcut_sheet", "全局"), (
        ("F1 / F2 / F3", QT_TRANSLATE_NOOP("shortcut_sheet", "值守 / 晾晒 / 演练")),
        ("F6 / Shift+F6", QT_TRANSLATE_NOOP("shortcut_sheet", "在各区域之间移动焦点")),
        ("Tab / Shift+Tab", QT_TRANSLATE_NOOP("shortcut_sheet", "区域内逐项移动")),
        ("Ctrl+F", QT_TRANSLATE_NOOP("shortcut_sheet", "搜索事件编号、标题、街道、社区、风险点")),
        ("Ctrl+N", QT_TRANSLATE_NOOP("shortcut_sheet", "新建事件：来电登记，智能分拨")),
        ("F4", QT_TRANSLATE_NOOP("shortcut_sheet", "地图侧栏（图层、详情）")),
        ("F5", QT_TRANSLATE_NOOP("shortcut_sheet", "刷新")),
        ("F11", QT_TRANSLATE_NOOP("shortcut_sheet", "全屏")),
        ("? / Shift+F1", QT_TRANSLATE_NOOP("shortcut_sheet", "本快捷键表")),
    )),
    (QT_TRANSLATE_NOOP("shortcut_sheet", "值守队列（事件）"), (
        ("↑ / ↓", QT_TRANSLATE_NOOP("shortcut_sheet", "选择事件：地图同步定位并标记")),
        ("Enter / D", QT_TRANSLATE_NOOP("shortcut_sheet", "派遣预览")),
        ("X", QT_TRANSLATE_NOOP("shortcut_sheet", "不予派遣（须写原因）")),
        ("M", QT_TRANSLATE_NOOP("shortcut_sheet", "合并为重复事件（须写原事件编号和原因）")),
        ("Space", QT_TRANSLATE_NOOP("shortcut_sheet", "筛选框：展开选项")),
    )),
    (QT_TRANSLATE_NOOP("shortcut_sheet", "派遣工单"), (
        ("A", QT_TRANSLATE_NOOP("shortcut_sheet", "签收")),
        ("K", QT_TRANSLATE_NOOP("shortcut_sheet", "核实（确认事件真实发生；应急流程）")),
        ("H", QT_TRANSLATE_NOOP("shortcut_sheet", "处置")),
        ("V", QT_TRANSLATE_NOOP("shortcut_sheet", "核查（检查处置结果）")),
        ("C", QT_TRANSLATE_NOOP("shortcut_sheet", "结案")),
        ("E", QT_TRANSLATE_NOOP("shortcut_sheet", "评价（满意 / 基本满意 / 不满意）")),
        ("X", QT_TRANSLATE_NOOP("shortcut_sheet", "撤销（须写原因）")),
        ("R", QT_TRANSLATE_NOOP("shortcut_sheet", "退回上一环节重办（须写原因）")),
        ("Enter / Esc", QT_TRANSLATE_NOOP("shortcut_sheet", "确认框：确认 / 取消")),
    )),
    (QT_TRANSLATE_NOOP("shortcut_sheet", "演练与复盘"), (
        ("Space", QT_TRANSLATE_NOOP("shortcut_sheet", "播放 / 暂停")),
        ("← / →", QT_TRANSLATE_NOOP("shortcut_sheet", "后退 / 前进一步")),
        ("Ctrl+E", QT_TRANSLATE_NOOP("shortcut_sheet", "结束演练")),
    )),
    (QT_TRANSLATE_NOOP("shortcut_sheet", "指标表盘"), (
        ("Enter / Space", QT_TRANSLATE_NOOP("shortcut_sheet", "打开板块明细")),
    )),
    (QT_TRANSLATE_NOOP("shortcut_sheet", "城市体征卡片"), (
        ("Tab / ← → ↑ ↓", QT_TRANSLATE_NOOP("shortcut_sheet", "在体征卡片之间移动")),
        ("Enter / Space", QT_TRANSLATE_NOOP("shortcut_sheet", "打开该领域的指标列表")),
    )),
)


class ShortcutSheet(QDialog):
    """A table of the shortcuts; Esc or Enter closes it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("shortcutSheet")
        self.setWindowTitle(self.tr("快捷键"))
        lay = QVBoxLayout(self)
        rows = [(g, k, w) for g, items in SHORTCUTS for k, w in items]
        self.table = QTableWidget(len(rows), 3)
        self.table.setHorizontalHeaderLabels([self.tr("区域"), self.tr("按键"), self.tr("作用")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for i, (g, k, w) in enumerate(rows):
            for j, text in enumerate((QCoreApplication.translate(_C, g), k,
                                      QCoreApplication.translate(_C, w))):
                item = QTableWidgetItem(text)  # plain text
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                self.table.setItem(i, j, item)
        h = self.table.horizontalHeader()
        h.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        h.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        h.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        lay.addWidget(self.table)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        box.rejected.connect(self.reject)
        box.accepted.connect(self.accept)
        lay.addWidget(box)
        self.resize(720, 640)

    def rows(self) -> list[tuple[str, str, str]]:
        """The table's rows as shown (for tests)."""
        return [tuple(self.table.item(i, j).text() for j in range(3))
                for i in range(self.table.rowCount())]
