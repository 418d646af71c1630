"""The map's side panel: layer tree with counts, level filter, search, and feature detail.

Plain data in (lists of tuples and dicts), signals out; the cockpit turns the signals into
queries. Every string from the data is shown as plain text. ``python -m
cockpit.widgets.map_side`` shows it alone on sample data.
"""

from __future__ import annotations

from cockpit.widgets import theme
from cockpit.widgets.plain import NAME_CHARS, ElidedLabel, display, is_cut, tooltip
from cockpit.widgets.words import RISK_LEVEL, tr_word
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

LAYER_LABELS = {"risk_points": QT_TRANSLATE_NOOP("map_side", "风险点"),
                "events": QT_TRANSLATE_NOOP("map_side", "实时事件"),
                "facilities": QT_TRANSLATE_NOOP("map_side", "应急资源"),
                "density": QT_TRANSLATE_NOOP("map_side", "热力（事件密度）"),
                "pipes": QT_TRANSLATE_NOOP("map_side", "地下管线（供水·燃气）")}
LEVEL_LABELS = {1: QT_TRANSLATE_NOOP("risk_level", "重大"),
                2: QT_TRANSLATE_NOOP("risk_level", "较大"),
                3: QT_TRANSLATE_NOOP("risk_level", "一般"),
                4: QT_TRANSLATE_NOOP("risk_level", "低")}
KIND_LABELS = {"risk_point": QT_TRANSLATE_NOOP("map_side", "风险点"),
               "unit": QT_TRANSLATE_NOOP("map_side", "区划"),
               "event": QT_TRANSLATE_NOOP("map_side", "事件"),
               "facility": QT_TRANSLATE_NOOP("map_side", "设施"),
               "districts": QT_TRANSLATE_NOOP("map_side", "区县")}
#: The detail panel's field names (keys of the layers' detail dicts) on screen.
FIELD_LABELS = {
    "point_id": QT_TRANSLATE_NOOP("map_side", "风险点编号"),
    "event_id": QT_TRANSLATE_NOOP("map_side", "事件编号"),
    "facility_id": QT_TRANSLATE_NOOP("map_side", "设施编号"),
    "category": QT_TRANSLATE_NOOP("map_side", "类别"),
    "level": QT_TRANSLATE_NOOP("map_side", "等级"),
    "district": QT_TRANSLATE_NOOP("map_side", "区县"),
    "street": QT_TRANSLATE_NOOP("map_side", "镇街"),
    "owner_dept": QT_TRANSLATE_NOOP("map_side", "责任部门编码"),
    "owner": QT_TRANSLATE_NOOP("map_side", "责任部门"),
    "last_inspected": QT_TRANSLATE_NOOP("map_side", "最近巡检"),
    "type": QT_TRANSLATE_NOOP("map_side", "事件类型"),
    "type_id": QT_TRANSLATE_NOOP("map_side", "事件类型编码"),
    "source": QT_TRANSLATE_NOOP("map_side", "来源"),
    "severity": QT_TRANSLATE_NOOP("map_side", "严重程度"),
    "occurred_at": QT_TRANSLATE_NOOP("map_side", "发生时间"),
    "react_min": QT_TRANSLATE_NOOP("map_side", "签收时限（分）"),
    "verify_min": QT_TRANSLATE_NOOP("map_side", "核查时限（分）"),
    "handle_min": QT_TRANSLATE_NOOP("map_side", "处置时限（分）"),
    "plan_id": QT_TRANSLATE_NOOP("map_side", "预案"),
    "kind": QT_TRANSLATE_NOOP("map_side", "类型"),
    "community": QT_TRANSLATE_NOOP("map_side", "村社"),
    "grid": QT_TRANSLATE_NOOP("map_side", "网格"),
}
#: Coded values shown as words: event sources and facility kinds.
VALUE_LABELS = {
    "source": {"sensor": QT_TRANSLATE_NOOP("map_side", "传感器"),
               "ai_camera": QT_TRANSLATE_NOOP("map_side", "AI视频"),
               "grid_worker": QT_TRANSLATE_NOOP("map_side", "网格员"),
               "hotline": QT_TRANSLATE_NOOP("map_side", "民呼我为"),
               "drone": QT_TRANSLATE_NOOP("map_side", "无人机"),
               "patrol": QT_TRANSLATE_NOOP("map_side", "巡查")},
    "kind": {"warehouse": QT_TRANSLATE_NOOP("map_side", "应急仓库"),
             "fire_station": QT_TRANSLATE_NOOP("map_side", "消防站"),
             "hospital": QT_TRANSLATE_NOOP("map_side", "医院"),
             "shelter": QT_TRANSLATE_NOOP("map_side", "避难场所")},
}
# The side panel never takes more than this of the map's width (pixels).
MAX_WIDTH = 420


def _tr(text: object) -> str:
    return QCoreApplication.translate("map_side", str(text))


def field_label(key: str) -> str:
    """A detail field's name on screen (an unknown key shows as it is)."""
    return _tr(FIELD_LABELS[key]) if key in FIELD_LABELS else key


def _plain(text: object) -> QLabel:
    """A value of the detail form: one line of plain text elided to the panel's width, the
    whole text in its tooltip; it never widens the panel."""
    lab = ElidedLabel(text, max_hint=200)
    lab.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return lab


def _field(text: str) -> QLabel:
    """A field's name in the detail form (our words: it keeps its width)."""
    lab = QLabel(text)
    lab.setTextFormat(Qt.TextFormat.PlainText)
    lab.setStyleSheet(f"color:{theme.TEXT_DIM};")
    return lab


def _item_text(text: object) -> tuple[str, str]:
    """(shown, tooltip) of a list or tree item carrying a name from the data."""
    return display(text, NAME_CHARS), tooltip(text) if is_cut(text, NAME_CHARS) else ""


class LayerTree(QTreeWidget):
    """Layers with check boxes; the risk-point layer lists its categories with counts."""

    sig_layer_toggled = Signal(str, bool)
    """A layer was switched on or off: (layer name, on)."""
    sig_categories_changed = Signal(list)
    """The checked risk categories changed: their ids."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setHeaderHidden(True)
        self.setRootIsDecorated(True)
        self._layers: dict[str, QTreeWidgetItem] = {}
        self._updating = False
        for key, label in LAYER_LABELS.items():
            item = QTreeWidgetItem([_tr(label)])
            item.setData(0, Qt.ItemDataRole.UserRole, key)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(0, Qt.CheckState.Unchecked if key in ("density", "pipes")
                               else Qt.CheckState.Checked)
            self.addTopLevelItem(item)
            self._layers[key] = item
        self.itemChanged.connect(self._on_item_changed)

    def set_categories(self, rows: list[tuple[str, str, int]]) -> None:
        """(category_id, name, count) rows under the risk-point layer; checks are kept."""
        parent = self._layers["risk_points"]
        was = {parent.child(i).data(0, Qt.ItemDataRole.UserRole): parent.child(i).checkState(0)
               for i in range(parent.childCount())}
        self._updating = True
        parent.takeChildren()
        for cid, name, n in rows:
            shown, tip = _item_text(name)
            child = QTreeWidgetItem([f"{shown}  {n:,}"])
            child.setToolTip(0, tip)
            child.setData(0, Qt.ItemDataRole.UserRole, cid)
            child.setFlags(child.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            child.setCheckState(0, was.get(cid, Qt.CheckState.Checked))
            parent.addChild(child)
        self._updating = False

    def checked_categories(self) -> list[str] | None:
        """The checked category ids, or None when all are checked (no filter)."""
        parent = self._layers["risk_points"]
        ids = [parent.child(i).data(0, Qt.ItemDataRole.UserRole)
               for i in range(parent.childCount())
               if parent.child(i).checkState(0) == Qt.CheckState.Checked]
        return None if len(ids) == parent.childCount() else ids

    def is_on(self, layer: str) -> bool:
        return self._layers[layer].checkState(0) == Qt.CheckState.Checked

    def set_on(self, layer: str, on: bool) -> None:
        self._layers[layer].setCheckState(0, Qt.CheckState.Checked if on
                                          else Qt.CheckState.Unchecked)

    def _on_item_changed(self, item: QTreeWidgetItem, _col: int) -> None:
        if self._updating:
            return
        if item.parent() is None:
            key = item.data(0, Qt.ItemDataRole.UserRole)
            self.sig_layer_toggled.emit(key, item.checkState(0) == Qt.CheckState.Checked)
        else:
            cats = self.checked_categories()
            self.sig_categories_changed.emit([] if cats is None else cats)


class DetailPanel(QFrame):
    """Attributes of the clicked feature, its sensors and recent events, and a dispatch
    button."""

    sig_dispatch_requested = Signal(dict)
    """The user asked to dispatch for this feature: the feature's detail dict."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("panel")
        self._lay = QVBoxLayout(self)
        self._lay.setContentsMargins(8, 6, 8, 6)
        self.title = ElidedLabel(self.tr("点击地图要素查看详情"), max_hint=MAX_WIDTH)
        self.title.setStyleSheet(f"font-weight:600; color:{theme.ACCENT};")
        self._lay.addWidget(self.title)
        self._form = QFormLayout()
        self._form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._lay.addLayout(self._form)
        self.extra = QListWidget()
        self.extra.setMaximumHeight(120)
        self.extra.hide()
        self._lay.addWidget(self.extra)
        self.dispatch = QPushButton(self.tr("一键调度"))
        self.dispatch.setObjectName("modeButton")
        self.dispatch.hide()
        self.dispatch.clicked.connect(lambda: self.sig_dispatch_requested.emit(dict(self._detail)))
        self._lay.addWidget(self.dispatch)
        self._detail: dict = {}

    def show_detail(self, kind: str, detail: dict | None) -> None:
        """Show one feature; ``kind`` is risk_point, event, facility or districts."""
        while self._form.rowCount():
            self._form.removeRow(0)
        self.extra.clear()
        self._detail = {"kind": kind, **(detail or {})}
        if not detail:
            self.title.set_full_text(self.tr("未找到该要素"))
            self.extra.hide()
            self.dispatch.hide()
            return
        self.title.set_full_text(f"{_tr(KIND_LABELS.get(kind, kind))} · "
                                 f"{detail.get('name') or detail.get('title') or ''}")
        skip = {"name", "title", "sensors", "events", "lon", "lat"}
        for k, v in detail.items():
            if k in skip or isinstance(v, (list, dict)):
                continue
            if k == "level" and isinstance(v, int):
                v = self.tr("{name}（{level}级）").format(
                    name=tr_word(LEVEL_LABELS.get(v, str(v)), RISK_LEVEL), level=v)
            if k in VALUE_LABELS and v in VALUE_LABELS[k]:
                v = _tr(VALUE_LABELS[k][v])
            self._form.addRow(_field(field_label(k)), _plain(v))
        if "lon" in detail and detail["lon"] is not None:
            self._form.addRow(_field(self.tr("位置")),
                              _plain(f"{detail['lon']:.5f}, {detail['lat']:.5f}"))
        rows = [self.tr("传感器 {id} · {kind}").format(id=s["sensor_id"], kind=s["kind"])
                for s in detail.get("sensors", [])]
        rows += [f"{e['occurred_at'][:16]} · {e['title']}" for e in detail.get("events", [])]
        for r in rows:
            shown, tip = _item_text(r)
            QListWidgetItem(shown, self.extra).setToolTip(tip)  # list items are plain text
        self.extra.setVisible(bool(rows))
        self.dispatch.setVisible(kind in ("risk_point", "event"))


class SearchBox(QWidget):
    """Search by name or code; results fly the map to the place."""

    sig_search_requested = Signal(str)
    """The user typed a query (debounced)."""
    sig_result_chosen = Signal(dict)
    """A result was chosen: {kind, id, name, lon, lat, zoom}."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.edit = QLineEdit()
        self.edit.setPlaceholderText(self.tr("搜索事件（编号或标题）、风险点、街道、社区"))
        self.edit.setClearButtonEnabled(True)
        self.results = QListWidget()
        self.results.setMaximumHeight(150)
        self.results.hide()
        self.empty = _plain(self.tr("无结果"))
        self.empty.setObjectName("note")
        self.empty.hide()
        lay.addWidget(self.edit)
        lay.addWidget(self.results)
        lay.addWidget(self.empty)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(250)
        self._timer.timeout.connect(lambda: self.sig_search_requested.emit(self.edit.text()))
        self.edit.textChanged.connect(lambda _t: self._timer.start())
        self.edit.returnPressed.connect(self._choose_first)
        self.results.itemActivated.connect(self._on_item)
        self.results.itemClicked.connect(self._on_item)

    def set_results(self, results: list[dict]) -> None:
        self.results.clear()
        for r in results:
            shown, tip = _item_text(r["name"])
            item = QListWidgetItem(f"{_tr(KIND_LABELS.get(r['kind'], r['kind']))} · {shown}"
                                   f"  ({display(r['id'], 24)})")
            item.setToolTip(tip)
            item.setData(Qt.ItemDataRole.UserRole, r)
            self.results.addItem(item)
        self.results.setVisible(bool(results))
        # nothing matched: say so (an empty list would look like a search still running)
        self.empty.setText(self.tr("无结果：{text}").format(text=self.edit.text().strip()))
        self.empty.setVisible(not results and bool(self.edit.text().strip()))

    def _choose_first(self) -> None:
        if self.results.count():
            self._on_item(self.results.item(0))

    def _on_item(self, item: QListWidgetItem) -> None:
        self.sig_result_chosen.emit(dict(item.data(Qt.ItemDataRole.UserRole)))


class MapSidePanel(QFrame):
    """Search, layers with counts, level filter, choropleth choice and the detail panel."""

    sig_levels_changed = Signal(list)
    """The checked risk levels changed: list of 1–4."""
    sig_choropleth_changed = Signal(str)
    """District colouring changed: "density" or "evaluation"."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("panel")
        # no name, however long, makes the panel hide the map
        self.setMaximumWidth(MAX_WIDTH)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 8, 8, 8)
        lay.setSpacing(6)
        self.search = SearchBox()
        lay.addWidget(self.search)
        self.choropleth = QComboBox()
        self.choropleth.addItem("", "density")
        self.choropleth.addItem("", "evaluation")
        self.set_unit_word(self.tr("区县"))
        self.choropleth.currentIndexChanged.connect(
            lambda _i: self.sig_choropleth_changed.emit(self.choropleth.currentData()))
        lay.addWidget(self.choropleth)
        levels = QHBoxLayout()
        self.level_boxes: dict[int, QCheckBox] = {}
        for lv, name in LEVEL_LABELS.items():
            box = QCheckBox(tr_word(name, RISK_LEVEL))
            box.setChecked(True)
            box.setStyleSheet(f"color:{theme.LEVEL[lv]}; font-weight:600;")
            box.toggled.connect(lambda _on: self.sig_levels_changed.emit(self.levels()))
            levels.addWidget(box)
            self.level_boxes[lv] = box
        lay.addLayout(levels)
        self.tree = LayerTree()
        lay.addWidget(self.tree, 1)
        self.detail = DetailPanel()
        lay.addWidget(self.detail, 2)

    def set_unit_word(self, word: str) -> None:
        """Name the colouring after the ranked units' level (区县, 镇街, 社区 …)."""
        self.choropleth.setItemText(0, self.tr("{unit}着色：风险点数").format(unit=word))
        self.choropleth.setItemText(1, self.tr("{unit}着色：五色评价").format(unit=word))

    def levels(self) -> list[int]:
        return [lv for lv, b in self.level_boxes.items() if b.isChecked()]


if __name__ == "__main__":
    import sys

    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv)
    theme.apply(app)
    w = MapSidePanel()
    w.tree.set_categories([("RC01", "燃气管网", 40123), ("RC02", "供水管网", 38000)])
    w.detail.show_detail("risk_point", {"name": "<b>not bold</b>", "level": 1, "lon": 106.5,
                                        "lat": 29.5,
                                        "sensors": [{"sensor_id": 1, "kind": "压力计"}]})
    w.resize(300, 700)
    w.show()
    sys.exit(app.exec())
