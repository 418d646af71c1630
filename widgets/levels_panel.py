"""The levels panel (上下级): what awaits this centre from above and below — orders escalated,
delegated or returned to it, supervision on its orders, the supervision it keeps on lower
centres' orders — and the four actions between the levels (上报 escalate, 下派 delegate, 督办
supervise, 退回 return). Plain rows in, requests out; the database decides what is allowed.

"""

from __future__ import annotations

from datetime import datetime, timedelta

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QDateTime, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

#: action -> (button text, needs a target centre, needs a deadline, needs a reason)
ACTIONS = {
    "escalate": (QT_TRANSLATE_NOOP("LevelsPanel", "上报"), True, False, True),
    "delegate": (QT_TRANSLATE_NOOP("LevelsPanel", "下派"), True, True, False),
    "supervise": (QT_TRANSLATE_NOOP("LevelsPanel", "督办"), False, True, True),
    "return": (QT_TRANSLATE_NOOP("LevelsPanel", "退回"), True, False, True),
}


def action_word(action: str) -> str:
    """上报 / 下派 / 督办 / 退回 in the interface language."""
    return QCoreApplication.translate("LevelsPanel", ACTIONS[action][0])


#: order states in the interface language
STATE_WORDS = {"created": QT_TRANSLATE_NOOP("LevelsPanel", "待签收"),
               "acknowledged": QT_TRANSLATE_NOOP("LevelsPanel", "已签收"),
               "confirmed": QT_TRANSLATE_NOOP("LevelsPanel", "已核实"),
               "handled": QT_TRANSLATE_NOOP("LevelsPanel", "已处置"),
               "verified": QT_TRANSLATE_NOOP("LevelsPanel", "已核查")}


def plain(text: object) -> str:
    """A value shown as it is: no rich text, no bidi overrides."""
    s = "" if text is None else str(text)
    return "".join(ch for ch in s if ch not in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067"
                   "\u2068\u2069\u200e\u200f")


class LevelsPanel(QWidget):
    """The table of what awaits this centre, and the level actions on the selected order."""

    sig_action_requested = Signal(str, str)
    """The user asked for a level action: (order id, action)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("levelsPanel")
        self.setWindowTitle(self.tr("上下级 · 上报 下派 督办 退回"))
        lay = QVBoxLayout(self)
        self.identity = QLabel()
        self.identity.setTextFormat(Qt.TextFormat.PlainText)
        self.identity.setObjectName("panelTitle")
        lay.addWidget(self.identity)
        self.table = QTableWidget(0, 6)
        self.table.setHorizontalHeaderLabels([
            self.tr("类别"), self.tr("工单"), self.tr("事件"), self.tr("当前承办"),
            self.tr("期限"), self.tr("状态")])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        head = self.table.horizontalHeader()
        head.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        head.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        lay.addWidget(self.table, 1)
        self.empty = QLabel(self.tr("没有待办：上级和下级都没有交来的事项。"))
        lay.addWidget(self.empty)
        row = QHBoxLayout()
        self.order_edit = QComboBox()
        self.order_edit.setEditable(True)
        self.order_edit.setToolTip(self.tr("要操作的工单（选中表格中的一行，或输入工单号）"))
        row.addWidget(self.order_edit, 1)
        self.buttons: dict[str, QPushButton] = {}
        for action in ACTIONS:
            b = QPushButton(action_word(action))
            b.setObjectName(f"level_{action}")
            b.clicked.connect(lambda _c=False, a=action: self._request(a))
            row.addWidget(b)
            self.buttons[action] = b
        lay.addLayout(row)
        self.message = QLabel()
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        lay.addWidget(self.message)
        self.table.itemSelectionChanged.connect(self._on_selected)
        self._rows: list[dict] = []

    # ------------------------------------------------------------------ public API

    def set_identity(self, text: str) -> None:
        self.identity.setText(plain(text))

    def set_rows(self, rows: list[dict], names: dict[str, str] | None = None,
                 own: list[str] | None = None) -> None:
        """Show the items: dicts with kind, order_id, event_id, owner, due, overdue, state
        (:func:`cockpit.datasets.dispatch.centres.awaiting`); ``own``: the ids of the
        centre's own open orders, offered to act on beside the listed ones."""
        names = names or {}
        keep = self.current_order()
        self._rows = rows
        self.table.setRowCount(len(rows))
        kinds = {"escalated": self.tr("下级上报"), "delegated": self.tr("上级下派"),
                 "returned": self.tr("退回"), "supervised": self.tr("上级督办"),
                 "supervising": self.tr("督办下级")}
        for i, r in enumerate(rows):
            due = r.get("due")
            due_text = due.strftime("%m-%d %H:%M") if isinstance(due, datetime) else ""
            if r.get("overdue"):
                due_text = "⚠ " + due_text + self.tr(" 已超时")
            state = r.get("state") or ""
            state = (QCoreApplication.translate("LevelsPanel", STATE_WORDS[state])
                     if state in STATE_WORDS else state)
            cells = [kinds.get(r["kind"], r["kind"]), r["order_id"], r.get("event_title")
                     or self.tr("事件 {event}").format(event=r["event_id"]),
                     names.get(r.get("owner"), r.get("owner") or ""), due_text, state]
            for j, c in enumerate(cells):
                item = QTableWidgetItem(plain(c))
                item.setToolTip(plain(c))
                self.table.setItem(i, j, item)
        self.empty.setVisible(not rows)
        ids = [r["order_id"] for r in rows]
        self.order_edit.blockSignals(True)
        text = self.order_edit.currentText()
        self.order_edit.clear()
        self.order_edit.addItems(ids + [o for o in (own or []) if o not in ids])
        self.order_edit.setEditText(keep or text)
        self.order_edit.blockSignals(False)
        if keep in ids:
            self.table.selectRow(ids.index(keep))

    def current_order(self) -> str:
        return self.order_edit.currentText().strip()

    def show_message(self, text: str, ok: bool = True) -> None:
        self.message.setStyleSheet("color: #7fd17f;" if ok else "color: #ff6b6b;")
        self.message.setText(plain(text))

    # ------------------------------------------------------------------ private

    def _on_selected(self) -> None:
        sel = self.table.selectionModel().selectedRows()
        if sel:
            self.order_edit.setEditText(self._rows[sel[0].row()]["order_id"])

    def _request(self, action: str) -> None:
        order = self.current_order()
        if not order:
            self.show_message(self.tr("先选中或输入一个工单。"), ok=False)
            return
        self.sig_action_requested.emit(order, action)


class LevelActionDialog(QDialog):
    """Ask what a level action needs — the centre that takes the order, a deadline, a
    reason — and say plainly what it will do. Enter confirms, Esc cancels."""

    def __init__(self, action: str, order_id: str, targets: list[tuple[str, str]],
                 now: datetime, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        _word, need_target, need_due, need_reason = ACTIONS[action]
        self.action = action
        self.setWindowTitle(self.tr("{action} · 工单 {order}").format(
            action=action_word(action), order=order_id))
        form = QFormLayout(self)
        what = {"escalate": self.tr("把工单交给上级中心承办，本中心仍可查看。"),
                "delegate": self.tr("把工单交给下级中心承办，并限期完成。"),
                "supervise": self.tr("对下级中心的工单挂督办，限期办结，双方都会看到超时。"),
                "return": self.tr("把工单退回给上级或下级中心，须说明理由。")}[action]
        intro = QLabel(what)
        intro.setWordWrap(True)
        form.addRow(intro)
        self.target = QComboBox()
        for code, name in targets:
            self.target.addItem(plain(f"{name}（{code}）"), code)
        if need_target:
            form.addRow(self.tr("承办中心"), self.target)
        self.due = QDateTimeEdit(QDateTime(now + timedelta(hours=4)))
        self.due.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.due.setCalendarPopup(True)
        if need_due:
            form.addRow(self.tr("期限"), self.due)
        self.reason = QPlainTextEdit()
        self.reason.setPlaceholderText(self.tr("理由（必填）") if need_reason
                                       else self.tr("说明（可选）"))
        self.reason.setFixedHeight(70)
        form.addRow(self.tr("理由") if need_reason else self.tr("说明"), self.reason)
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #ff6b6b;")
        form.addRow(self.problem)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                               | QDialogButtonBox.StandardButton.Cancel)
        box.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("确认{action}").format(
            action=action_word(action)))
        box.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        box.accepted.connect(self._accept)
        box.rejected.connect(self.reject)
        form.addRow(box)
        self._need = (need_target, need_reason)
        if need_target and not targets:
            self.problem.setText(self.tr("没有可选的中心。"))
            box.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)

    def values(self) -> dict:
        """{'owner': code or None, 'due': datetime or None, 'note': text}."""
        _text, need_target, need_due, _r = ACTIONS[self.action]
        return {"owner": self.target.currentData() if need_target else None,
                "due": self.due.dateTime().toPython() if need_due else None,
                "note": self.reason.toPlainText().strip()}

    def _accept(self) -> None:
        if self._need[1] and not self.reason.toPlainText().strip():
            self.problem.setText(self.tr("请填写理由。"))
            return
        self.accept()


class Toast(QLabel):
    """A short notice over the top of its parent that goes away by itself."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("toast")
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setStyleSheet("QLabel#toast { background: #3a2f00; color: #ffd666; "
                           "border: 1px solid #ffd666; padding: 10px 16px; font-size: 16px; }")
        self.hide()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.hide)

    def show_text(self, text: str, ms: int = 8000) -> None:
        self.setText(plain(text))
        self.adjustSize()
        p = self.parentWidget()
        self.move(max(0, (p.width() - self.width()) // 2), 64)
        self.raise_()
        self.show()
        self._timer.start(ms)
