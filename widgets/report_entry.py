"""新建事件 · New report: the operator types what a caller says; the router suggests its type.

A dialog over plain data. The operator types (or pastes) the caller's words and presses 分拨
(Ctrl+Enter): the dialog emits :attr:`ReportEntry.sig_route_requested` with the text and waits
for :meth:`ReportEntry.set_route` — a dict with the top-3 ``candidates`` (``type_id``,
``name``, ``score`` 0–1), the ``place`` found (its name, or empty), the ``urgency`` (1–4),
``auto`` (the top score reached the configured threshold: the first suggestion is taken and the
dialog says 自动分拨) and ``reason`` (why the operator must decide: 待分拨). The operator may
pick another suggestion or any type from the full list; 创建事件 (Enter on the button) emits
:attr:`ReportEntry.sig_report_submitted` with the text, the chosen type, the suggested type and
the route, and closes. Nothing is written here.

The caller's words are shown and sent as plain text.

``python -m cockpit.widgets.report_entry`` shows it alone with a canned answer.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

MAX_CHARS = 10_000


class ReportEntry(QDialog):
    """The phone-call entry form (see the module doc)."""

    sig_route_requested = Signal(str)
    """The Route button (or Ctrl+Enter): the report's text."""
    sig_report_submitted = Signal(dict)
    """The Create button: {text, type_id, suggested_type_id, route}."""

    def __init__(self, types: list[tuple[str, str]], parent: QWidget | None = None) -> None:
        """``types``: every (type_id, name) of the dataset, for a type outside the top 3."""
        super().__init__(parent)
        self.setWindowTitle(self.tr("新建事件 · 来电登记"))
        self.setObjectName("reportEntry")
        self.setMinimumWidth(620)
        self.route: dict[str, Any] | None = None
        self._routed_text = ""
        v = QVBoxLayout(self)
        v.addWidget(QLabel(self.tr("来电内容（市民原话）：")))
        self.text = QPlainTextEdit()
        self.text.setObjectName("reportText")
        self.text.setPlaceholderText(self.tr("例如：解放碑这边路上井盖不见了，好危险"))
        self.text.setTabChangesFocus(True)
        v.addWidget(self.text, 2)
        row = QHBoxLayout()
        self.route_button = QPushButton(self.tr("分拨 (Ctrl+Enter)"))
        self.route_button.clicked.connect(self.request_route)
        row.addWidget(self.route_button)
        self.status = QLabel()
        self.status.setObjectName("reportStatus")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        row.addWidget(self.status, 1)
        v.addLayout(row)
        self.suggestions = QListWidget()
        self.suggestions.setObjectName("reportSuggestions")
        self.suggestions.setMaximumHeight(110)
        self.suggestions.currentRowChanged.connect(self._on_suggestion_changed)
        v.addWidget(self.suggestions)
        other = QHBoxLayout()
        other.addWidget(QLabel(self.tr("其他类型：")))
        self.type_box = QComboBox()
        self.type_box.setEditable(True)
        self.type_box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.type_box.addItem(self.tr("（按建议）"), None)
        for tid, name in types:
            self.type_box.addItem(f"{name}  {tid}", tid)
        self.type_box.currentIndexChanged.connect(self._update_buttons)
        other.addWidget(self.type_box, 1)
        v.addLayout(other)
        self.place = QLabel()
        self.place.setTextFormat(Qt.TextFormat.PlainText)
        v.addWidget(self.place)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.cancel_button = QPushButton(self.tr("取消"))
        self.cancel_button.clicked.connect(self.reject)
        self.submit_button = QPushButton(self.tr("创建事件"))
        self.submit_button.setObjectName("primary")
        self.submit_button.clicked.connect(self.submit)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.submit_button)
        v.addLayout(buttons)
        self.text.installEventFilter(self)  # Ctrl+Enter in the text routes it
        self._update_buttons()

    # ---- public API -----------------------------------------------------------------------
    def request_route(self) -> None:
        """Ask the cockpit for the routing of the text as it is now."""
        text = self.text.toPlainText()[:MAX_CHARS]
        self._routed_text = text
        self.route = None
        self.suggestions.clear()
        self.status.setText(self.tr("分拨中…"))
        self._update_buttons()
        self.sig_route_requested.emit(text)

    def set_route(self, route: dict[str, Any]) -> None:
        """Show the router's answer (see the module doc)."""
        self.route = dict(route)
        self.suggestions.blockSignals(True)
        self.suggestions.clear()
        for c in route.get("candidates") or []:
            item = QListWidgetItem(self.tr("{name}  ·  {score:.0%}").format(
                name=c.get("name", ""), score=float(c.get("score", 0.0))))
            item.setData(Qt.ItemDataRole.UserRole, c.get("type_id"))
            self.suggestions.addItem(item)
        self.suggestions.blockSignals(False)
        place = route.get("place") or ""
        self.place.setText(self.tr("地点：{place}    紧急程度：{u}").format(
            place=place or self.tr("未识别"), u=route.get("urgency", "—")))
        if route.get("auto") and self.suggestions.count():
            self.suggestions.setCurrentRow(0)
            self.status.setText(self.tr("自动分拨：{name}").format(
                name=(route.get("candidates") or [{}])[0].get("name", "")))
            self.status.setStyleSheet("color: #30d158;")
        else:
            reason = route.get("reason") or self.tr("置信度不足")
            self.status.setText(self.tr("待分拨：{reason}，请选择事件类型").format(reason=reason))
            self.status.setStyleSheet("color: #ff9f0a;")
        self._update_buttons()

    def chosen_type(self) -> str | None:
        """The type the operator chose: the full list's, else the selected suggestion."""
        tid = self.type_box.currentData()
        if tid:
            return str(tid)
        item = self.suggestions.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def submit(self) -> None:
        """Emit the report with its chosen type and close (only once routed and chosen)."""
        tid = self.chosen_type()
        if self.route is None or not tid:
            self.status.setText(self.tr("请先分拨并选择事件类型"))
            return
        cands = self.route.get("candidates") or []
        self.sig_report_submitted.emit({
            "text": self._routed_text, "type_id": tid,
            "suggested_type_id": cands[0].get("type_id") if cands else None,
            "route": dict(self.route)})
        self.accept()

    # ---- helpers ----------------------------------------------------------------------------
    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        if (obj is self.text and event.type() == QEvent.Type.KeyPress
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
                and event.modifiers() & Qt.KeyboardModifier.ControlModifier):
            self.request_route()
            return True
        return super().eventFilter(obj, event)

    def _on_suggestion_changed(self, _row: int) -> None:
        self._update_buttons()

    def _update_buttons(self, *_args: Any) -> None:
        self.submit_button.setEnabled(self.route is not None and bool(self.chosen_type()))


def sample_route() -> dict[str, Any]:
    return {"candidates": [
        {"type_id": "ET-MANHOLE", "name": "井盖缺失破损", "score": 0.82},
        {"type_id": "ET-MANHOLE-04", "name": "井盖缺失破损（交通枢纽）", "score": 0.06},
        {"type_id": "ET-ROAD-DAMAGE", "name": "道路破损塌陷", "score": 0.03}],
        "place": "解放碑街道", "urgency": 3, "auto": True, "reason": ""}


if __name__ == "__main__":  # pragma: no cover - a manual look
    import sys

    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv)
    dlg = ReportEntry([("ET-MANHOLE", "井盖缺失破损"), ("ET-ROAD-DAMAGE", "道路破损塌陷")])
    dlg.sig_route_requested.connect(lambda _t: dlg.set_route(sample_route()))
    dlg.sig_report_submitted.connect(lambda d: print(d))
    dlg.show()
    sys.exit(app.exec())
