"""The dispatch preview (一键调度): what one confirmation will send, and what lies around.

A dialog over plain data (a dict, see :class:`DispatchPreview`): the event; the plan's steps
with their departments, actions and deadlines; the impact analysis — streets and communities
within the radius, the risk points there by category, the nearest emergency warehouse and fire
station with distances, the estimated repair time. Enter or one click on 确认派遣 confirms, Esc
cancels.

The dialog writes nothing. Confirming emits :attr:`DispatchPreview.sig_dispatch_confirmed`
once and waits for the cockpit's answer: :meth:`set_done` (the orders were committed — only
then does it say 已派遣 dispatched, and close) or :meth:`set_failed` (the error is shown and
the button becomes 重试 Retry; the cockpit retries with the same idempotency key). While the
write is on its way, further Enters and Esc are ignored, so a double confirm is one request.

``python -m cockpit.widgets.dispatch_preview`` shows it alone on sample data.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cockpit.widgets import theme
from cockpit.widgets.dispatch_panel import severity_mark, source_label
from cockpit.widgets.words import tr_word
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QCompleter,
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

STAGE_LABELS = {"react": QT_TRANSLATE_NOOP("dispatch_preview", "响应"),
                "verify": QT_TRANSLATE_NOOP("dispatch_preview", "核查"),
                "handle": QT_TRANSLATE_NOOP("dispatch_preview", "处置"),
                "close": QT_TRANSLATE_NOOP("dispatch_preview", "结案"),
                "confirm": QT_TRANSLATE_NOOP("dispatch_preview", "核实")}
NETWORK_LABELS = {"water": QT_TRANSLATE_NOOP("dispatch_preview", "供水"),
                  "gas": QT_TRANSLATE_NOOP("dispatch_preview", "燃气"),
                  "drainage": QT_TRANSLATE_NOOP("dispatch_preview", "排水")}
MATERIAL_LABELS = {"ductile_iron": QT_TRANSLATE_NOOP("dispatch_preview", "球墨铸铁"),
                   "grey_cast_iron": QT_TRANSLATE_NOOP("dispatch_preview", "灰口铸铁"),
                   "steel": QT_TRANSLATE_NOOP("dispatch_preview", "钢管"),
                   "pe": QT_TRANSLATE_NOOP("dispatch_preview", "PE管"),
                   "pvc": QT_TRANSLATE_NOOP("dispatch_preview", "PVC管"),
                   "concrete": QT_TRANSLATE_NOOP("dispatch_preview", "混凝土管")}
SITE_LABELS = {"hospital": QT_TRANSLATE_NOOP("dispatch_preview", "医院"),
               "school": QT_TRANSLATE_NOOP("dispatch_preview", "学校"),
               "care_home": QT_TRANSLATE_NOOP("dispatch_preview", "养老机构")}
STAGE_COLOURS = {"react": "#ff9f0a", "verify": "#64d2ff", "handle": "#3ea6ff", "close": "#9fb0c8",
                 "confirm": "#bf5af2"}


def fmt_minutes(m: float | None) -> str:
    """'5 分钟', '4 小时', '5 小时 30 分'."""
    if m is None:
        return "—"
    m = float(m)
    if m < 60:
        return QCoreApplication.translate("dispatch_preview", "{m} 分钟").format(m=f"{m:g}")
    h, r = divmod(round(m), 60)
    if r:
        return QCoreApplication.translate("dispatch_preview", "{h} 小时 {m} 分").format(h=h, m=r)
    return QCoreApplication.translate("dispatch_preview", "{h} 小时").format(h=h)


def stage_label(stage: str) -> str:
    """响应 核查 处置 结案 in the interface language."""
    text = STAGE_LABELS.get(stage)
    return QCoreApplication.translate("dispatch_preview", text) if text else stage


def _tr_word(text: str) -> str:
    """A word of this module's tables in the interface language."""
    return QCoreApplication.translate("dispatch_preview", text) if text else ""


def _short(name: str) -> str:
    """'煤建新村社区居民委员会' → '煤建新村社区'."""
    for suffix in ("居民委员会", "村民委员会"):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def _names(items: list[dict[str, Any]], limit: int) -> str:
    names = [_short(str(i.get("name", ""))) for i in items[:limit]]
    more = len(items) - limit
    sep = QCoreApplication.translate("dispatch_preview", "、")
    return sep.join(names) + (QCoreApplication.translate("dispatch_preview", " 等 {n} 个").format(
        n=len(items)) if more > 0 else "")


def _esc(text: Any) -> str:
    return (str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def _plain(text: Any, object_name: str | None = None, wrap: bool = True) -> QLabel:
    lab = QLabel("" if text is None else str(text))
    lab.setTextFormat(Qt.TextFormat.PlainText)
    lab.setWordWrap(wrap)
    if object_name:
        lab.setObjectName(object_name)
    return lab


class DispatchPreview(QDialog):
    """The preview of one dispatch.

    ``preview``::

        {"event": {"event_id", "title", "type_name", "source", "severity", "place",
                   "occurred_at" (datetime or text)},
         "plan_id": str | None, "plan_name": str | None,
         "steps": [{"step_no", "dept_id", "dept_name", "action", "due_min", "stage"}],
         "impact": {"radius_km", "streets": [{"name", "distance_km"}], "communities": [...],
                    "risk_by_category": [{"name", "count", "major"}], "risk_points",
                    "nearest_warehouse": {"name", "distance_km"} | None,
                    "nearest_fire_station": {...} | None, "repair_min": float | None},
         # optional, for corrections (智能分拨): the operator may change the type and add or
         # remove departments before confirming
         "type_choices": [{"type_id", "name"}], "dept_choices": [{"dept_id", "name"}]}
    """

    sig_dispatch_confirmed = Signal(dict)
    """The operator confirmed (Enter or a click): the preview dict, with the operator's
    ``type_id``, ``added`` and ``removed`` departments. Emitted once per attempt."""
    sig_type_changed = Signal(str)
    """The operator chose another event type: its id (the cockpit answers with
    :meth:`set_plan`)."""
    sig_type_chosen = Signal(str)
    """The event had no type (``needs_type``): the operator chose this one (a type id)."""

    def __init__(self, preview: dict[str, Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.preview = preview
        self.state = "ready"  # ready → pending → done | failed → pending …
        self.attempts = 0
        self.setWindowTitle(self.tr("一键调度 · 派遣预览"))
        self.setModal(True)
        self._build()

    # ---- construction -------------------------------------------------------------------
    def _build(self) -> None:
        self.setStyleSheet(
            f"QDialog {{ background: {theme.BG}; }}"
            f"QLabel {{ color: {theme.TEXT}; font-size: 12pt; }}"
            "QLabel#pvTitle { font-size: 18pt; font-weight: 700; color: #ffffff; }"
            f"QLabel#pvMeta {{ font-size: 12pt; color: {theme.TEXT_DIM}; }}"
            f"QLabel#pvHead {{ font-size: 13pt; font-weight: 700; color: {theme.ACCENT}; }}"
            f"QLabel#pvKey {{ color: {theme.TEXT_DIM}; }}"
            f"QLabel#pvRouted {{ color: {theme.STATUS['normal']}; font-weight: 600; }}"
            "QLabel#pvBig { font-size: 14pt; font-weight: 700; }"
            "QLabel#pvStatus { font-size: 13pt; font-weight: 600; padding: 2px 4px; }"
            f"QFrame#pvBox {{ background: {theme.PANEL}; border: 1px solid #1f2b45;"
            " border-radius: 6px; }"
            "QTableWidget { font-size: 12pt; background: #111a2e;"
            " alternate-background-color: #14203a; border: none; }"
            "QHeaderView::section { background: #16213a; color: #9fb0c8; border: none;"
            " padding: 4px; font-weight: 600; font-size: 11pt; }"
            "QPushButton { font-size: 13pt; padding: 8px 22px; border-radius: 4px;"
            " background: #16213a; border: 1px solid #2a3a5c; }"
            "QPushButton#pvConfirm { background: #1f6feb; border-color: #3ea6ff;"
            " font-weight: 700; color: #ffffff; }"
            "QPushButton#pvConfirm:disabled { background: #22304d; color: #9fb0c8; }")
        root = QVBoxLayout(self)
        root.setContentsMargins(18, 14, 18, 14)
        root.setSpacing(10)
        ev = self.preview.get("event") or {}
        sev = int(ev.get("severity") or 3)
        shape, word = severity_mark(sev)
        top = QHBoxLayout()
        badge = _plain(f"{shape} {word}", wrap=False)
        badge.setStyleSheet(f"background: {theme.LEVEL.get(sev, theme.ACCENT)}; color: #0b1220;"
                            " font-size: 14pt; font-weight: 700; border-radius: 4px;"
                            " padding: 3px 10px;")
        top.addWidget(badge)
        self.title = _plain(ev.get("title") or ev.get("type_name") or ev.get("event_id"),
                            "pvTitle")
        top.addWidget(self.title, 1)
        root.addLayout(top)
        at = ev.get("occurred_at")
        at_txt = at.strftime("%Y-%m-%d %H:%M:%S") if isinstance(at, datetime) else str(at or "")
        meta = " · ".join(x for x in (
            ev.get("type_name"), source_label(ev.get("source")),
            ev.get("place"), at_txt, self.tr("事件 {event}").format(event=ev.get("event_id")))
            if x)
        root.addWidget(_plain(meta, "pvMeta"))
        routed = self.preview.get("routed")
        if routed and not self.preview.get("needs_type"):  # the router typed it
            top = (routed.get("candidates") or [{}])[0]
            score = top.get("score")
            root.addWidget(_plain(self.tr("自动分拨 · {type} · 置信度 {score}").format(
                type=top.get("name") or top.get("type_id") or "",
                score="—" if score is None else f"{float(score):.0%}"), "pvRouted"))
        self.type_box: QComboBox | None = None
        self.dept_list: QListWidget | None = None
        self._added: list[str] = []
        if self.preview.get("type_choices"):
            self._build_correction(root, ev)

        if self.preview.get("needs_type"):
            self._build_type_choice(root)
            return
        mid = QHBoxLayout()
        mid.setSpacing(12)
        root.addLayout(mid, 1)
        # the plan's steps
        steps_box = QFrame()
        steps_box.setObjectName("pvBox")
        sv = QVBoxLayout(steps_box)
        sv.setContentsMargins(10, 8, 10, 8)
        steps = list(self.preview.get("steps") or [])
        depts = {s.get("dept_id") for s in steps}
        plan = (self.preview.get("plan_name") or self.preview.get("plan_id")
                or self.tr("默认处置流程"))
        self.plan_head = _plain(self.tr("预案 {plan} · {steps} 步 · {depts} 个部门").format(
            plan=plan, steps=len(steps), depts=len(depts)), "pvHead")
        sv.addWidget(self.plan_head)
        self.steps_table = QTableWidget(len(steps), 5)
        self.steps_table.setHorizontalHeaderLabels(
            [self.tr("步"), self.tr("阶段"), self.tr("部门"), self.tr("动作"), self.tr("时限")])
        self.steps_table.verticalHeader().hide()
        self.steps_table.verticalHeader().setDefaultSectionSize(28)
        self.steps_table.setAlternatingRowColors(True)
        self.steps_table.setShowGrid(False)
        self.steps_table.setWordWrap(False)
        self.steps_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.steps_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.steps_table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._fill_steps(steps)
        h = self.steps_table.horizontalHeader()
        for c, mode in enumerate((QHeaderView.ResizeMode.ResizeToContents,
                                  QHeaderView.ResizeMode.ResizeToContents,
                                  QHeaderView.ResizeMode.ResizeToContents,
                                  QHeaderView.ResizeMode.Stretch,
                                  QHeaderView.ResizeMode.ResizeToContents)):
            h.setSectionResizeMode(c, mode)
        self.steps_table.setMinimumWidth(700)
        self.steps_table.setMinimumHeight(min(len(steps), 14) * 28 + 34)
        sv.addWidget(self.steps_table, 1)
        mid.addWidget(steps_box, 3)

        # the impact analysis
        imp = self.preview.get("impact") or {}
        imp_box = QFrame()
        imp_box.setObjectName("pvBox")
        iv = QVBoxLayout(imp_box)
        iv.setContentsMargins(12, 8, 12, 8)
        iv.setSpacing(6)
        net = imp.get("network") or None
        drain = bool(net) and net.get("network") == "drainage"
        if drain:
            iv.addWidget(_plain(self.tr("影响分析 · 排水管网上游回水"), "pvHead"))
        elif net:
            iv.addWidget(_plain(self.tr("影响分析 · {net}管网阀门隔离").format(
                net=_tr_word(NETWORK_LABELS.get(net.get("network"), ""))), "pvHead"))
        else:
            iv.addWidget(_plain(self.tr("影响分析 · 半径 {r} km").format(
                r=f"{imp.get('radius_km', 1):g}"), "pvHead"))
        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(6)
        none = self.tr("无")
        rows: list[tuple[str, str, str | None]] = (
            self._drainage_rows(net) if drain else
            self._network_rows(net) if net else self._radius_rows(imp))
        for key, label in (("nearest_warehouse", self.tr("最近应急仓库")),
                           ("nearest_fire_station", self.tr("最近消防站"))):
            f = imp.get(key)
            rows.append((label, f"{f['name']} · {f['distance_km']:.1f} km" if f else none, None))
        if not net:
            rows.append(self._risk_row(imp))
        for r, (k, v, kind) in enumerate(rows):
            grid.addWidget(_plain(k, "pvKey", wrap=False), r, 0,
                           Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignRight)
            if kind == "rich":
                val = QLabel(v)
                val.setTextFormat(Qt.TextFormat.RichText)
                val.setWordWrap(True)
            else:
                val = _plain(v)
            grid.addWidget(val, r, 1, Qt.AlignmentFlag.AlignTop)
        grid.setColumnStretch(1, 1)
        iv.addLayout(grid)
        iv.addStretch(1)
        repair = _plain((self.tr("预计疏通修复 {t}") if drain else self.tr("预计修复 {t}")).format(
            t=fmt_minutes(imp.get("repair_min"))), "pvBig")
        if drain:
            tip = self.tr("按管径与管材估算（演示假设）：DN<600 3 小时，600–999 5 小时，"
                          "≥1000 8 小时；PE、PVC 0.8、球墨铸铁 1.0、钢 1.1、灰口铸铁 "
                          "1.2、混凝土 1.5 倍")
        elif net:
            tip = self.tr("按管径与管材估算（演示假设）：DN<300 4 小时，300–599 6 小时，"
                          "600–999 10 小时，≥1000 16 小时；PE 0.8、球墨铸铁 1.0、钢 1.1、"
                          "灰口铸铁 1.2、混凝土 1.5 倍；燃气另加 1 小时")
        else:
            tip = self.tr("预案处置阶段各步时限的最大值（部门并行处置）")
        repair.setToolTip(tip)
        iv.addWidget(repair)
        imp_box.setMinimumWidth(470)
        # a short plan makes a short dialog: the analysis keeps the height its rows need
        imp_box.setMinimumHeight(iv.sizeHint().height())
        mid.addWidget(imp_box, 2)

        bottom = QHBoxLayout()
        self.status = _plain(self.tr("按 Enter 确认派遣，Esc 取消"), "pvStatus")
        self.status.setStyleSheet(f"color: {theme.TEXT_DIM};")
        bottom.addWidget(self.status, 1)
        self.cancel_button = QPushButton(self.tr("取消 Esc"))
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.reject)
        self.confirm_button = QPushButton(
            self.tr("确认派遣 {n} 个部门 · Enter").format(n=len(depts)))
        self.confirm_button.setObjectName("pvConfirm")
        self.confirm_button.setDefault(True)
        self.confirm_button.setAutoDefault(True)
        self.confirm_button.clicked.connect(self.confirm)
        bottom.addWidget(self.cancel_button)
        bottom.addWidget(self.confirm_button)
        root.addLayout(bottom)
        self.confirm_button.setFocus()

    def _radius_rows(self, imp: dict[str, Any]) -> list[tuple[str, str, str | None]]:
        """Streets and communities whose centre lies within the radius."""
        streets = imp.get("streets") or []
        comms = imp.get("communities") or []
        near = imp.get("nearest_street")
        none = self.tr("无")
        return [
            (self.tr("镇街"), self.tr("{n} 个：{names}").format(
                n=len(streets), names=_names(streets, 4)) if streets else
             (self.tr("半径内无；最近 {name} {km} km").format(
                 name=near["name"], km=f"{near['distance_km']:.1f}") if near else none), None),
            (self.tr("村社"), self.tr("{n} 个：{names}").format(
                n=len(comms), names=_names(comms, 3)) if comms else none, None)]

    def _risk_row(self, imp: dict[str, Any]) -> tuple[str, str, str | None]:
        cats = imp.get("risk_by_category") or []
        shown = 5
        risk_lines = [
            f"<div style='color:{theme.STATUS['alarm'] if c.get('major') else theme.TEXT}'>"
            f"{_esc(c['name'])} {c['count']}"
            + (self.tr("（▲重大 {n}）").format(n=c["major"]) if c.get("major") else "")
            + "</div>"
            for c in cats[:shown]]
        if len(cats) > shown:
            rest = sum(int(c["count"]) for c in cats[shown:])
            risk_lines.append(f"<div style='color:{theme.TEXT_DIM}'>"
                              + self.tr("另 {n} 类 {rest} 个").format(n=len(cats) - shown,
                                                                  rest=rest) + "</div>")
        return (self.tr("风险点 {n}").format(n=imp.get("risk_points", 0)),
                "".join(risk_lines) or self.tr("无"), "rich")

    def _network_rows(self, net: dict[str, Any]) -> list[tuple[str, str, str | None]]:
        """The valve-isolation result: where, valves to close, what is cut off, who and
        which critical sites lose supply."""
        none = self.tr("无")
        rows: list[tuple[str, str, str | None]] = []
        rows.append((self.tr("爆管位置"), self._pipe_place(
            net, self.tr("节点 {id}").format(id=net.get("node_id"))), None))
        valves = net.get("valves") or []
        ids = (self.tr("、").join(str(v["node_id"]) for v in valves[:8])
               + (" …" if len(valves) > 8 else ""))
        rows.append((self.tr("关闭阀门"), self.tr("{n} 个：{ids}").format(n=len(valves), ids=ids)
                     if valves else self.tr("无阀门可关（需关停水源）"), None))
        rows.append((self.tr("关阀管段"), self.tr("{n} 根 · {km} km").format(
            n=net.get("segment_pipes", 0), km=f"{net.get('segment_length_m', 0) / 1000:.2f}"),
            None))
        cut = int(net.get("cut_off_pipes") or 0)
        rows.append((self.tr("连带失供"),
                     self.tr("{n} 根管段 · {km} km（关阀后与水源/气源断开）").format(
            n=cut, km=f"{net.get('cut_off_length_m', 0) / 1000:.2f}") if cut else none, None))
        comms = net.get("communities") or []
        rows.append((self.tr("停供村社"), self.tr("{n} 个：{names}").format(
            n=len(comms), names=_names(comms, 3)) if comms else none, None))
        rows.append((self.tr("停供人口"), self.tr("{hh} 户 · {pop} 人").format(
            hh=f"{net.get('households', 0):,}", pop=f"{net.get('population', 0):,}"), None))
        rows.append(self._sites_row(net.get("critical") or [], cut_off=True))
        return rows

    def _pipe_place(self, net: dict[str, Any], node: str) -> str:
        """Where a pipe event is on the network: the pipe (or ``node``), its diameter,
        material, year and distance from the event."""
        where = (self.tr("管段 {id}").format(id=net["pipe_id"]) if net.get("pipe_id") is not None
                 else node)
        return " · ".join(x for x in (
            where, f"DN{net['diameter_mm']:g}" if net.get("diameter_mm") else "",
            _tr_word(MATERIAL_LABELS.get(net.get("material"), net.get("material") or "")),
            self.tr("{y} 年").format(y=net["install_year"]) if net.get("install_year") else "",
            self.tr("距事件 {m} 米").format(m=f"{net.get('distance_m', 0):.0f}")) if x)

    def _sites_row(self, sites: list[dict[str, Any]], cut_off: bool = False
                   ) -> tuple[str, str, str | None]:
        """The critical sites row: counts by kind (``cut_off``: and how many lose supply only
        as a consequence), the first site's name."""
        counts: dict[str, int] = {}
        for site in sites:
            counts[site["kind"]] = counts.get(site["kind"], 0) + 1
        kinds = " · ".join(f"{_tr_word(SITE_LABELS.get(k, k))} {n}" for k, n in counts.items())
        cut = sum(1 for site in sites if site.get("cut_off")) if cut_off else 0
        names = str(sites[0]["name"]) if sites else ""
        lines = [f"<div style='color:{theme.STATUS['alarm']}'>{_esc(kinds)}"
                 + (_esc(self.tr("（连带 {n}）").format(n=cut)) if cut else "") + "</div>",
                 f"<div style='color:{theme.TEXT_DIM}'>{_esc(names)}"
                 + (_esc(self.tr(" 等 {n} 处").format(n=len(sites))) if len(sites) > 1 else "")
                 + "</div>"] if sites else []
        return (self.tr("重点单位 {n}").format(n=len(sites)), "".join(lines) or self.tr("无"),
                "rich")

    def _drainage_rows(self, net: dict[str, Any]) -> list[tuple[str, str, str | None]]:
        """A drainage blockage: where, where it drained to, the upstream area that backs up,
        the pumping stations, the communities at risk of overflow and sewage backing up."""
        none = self.tr("无")
        rows: list[tuple[str, str, str | None]] = []
        rows.append((self.tr("堵塞位置"), self._pipe_place(
            net, self.tr("检查井 {id}").format(id=net.get("node_id"))), None))
        o = net.get("outfall")
        rows.append((self.tr("下游排放"), (self.tr("污水处理厂 {name}") if o["kind"] ==
                                       "treatment_plant" else self.tr("排放口 {name}")).format(
            name=o["name"]) if o else self.tr("不通向排放口"), None))
        n_up = int(net.get("cut_off_pipes") or 0)
        area = self.tr("{n} 根管段 · {km} km · 检查井等 {k} 个")
        rows.append((self.tr("上游回水范围"), area.format(
            n=n_up, km=f"{net.get('cut_off_length_m', 0) / 1000:.2f}",
            k=net.get("backed_nodes", 0)) if n_up or net.get("backed_nodes") else
            self.tr("无（上游另有排水出路）"), None))
        pumps = net.get("pumps") or []
        up = [p["name"] for p in pumps if not p.get("downstream")]
        down = [p["name"] for p in pumps if p.get("downstream")]
        text = self.tr("、").join(
            [*(self.tr("{name}（回水区内）").format(name=n) for n in up[:2]),
             *(self.tr("{name}（下游来水中断）").format(name=n) for n in down[:2])])
        rows.append((self.tr("受影响泵站"), text or none, None))
        comms = net.get("communities") or []
        rows.append((self.tr("受影响小区"), self.tr("{n} 个：{names}").format(
            n=len(comms), names=_names(comms, 3)) if comms else none, None))
        rows.append((self.tr("受影响人口"), self.tr("{hh} 户 · {pop} 人").format(
            hh=f"{net.get('households', 0):,}", pop=f"{net.get('population', 0):,}"), None))
        if comms:
            rows.append((self.tr("回水风险"), self.tr("检查井冒水、道路内涝、污水倒灌入户"), None))
        rows.append(self._sites_row(net.get("critical") or []))
        return rows

    def _build_type_choice(self, root: QVBoxLayout) -> None:
        """The event has no type the dataset knows (e.g. an alarm of a vital sign the
        dataset links to no type): the operator picks one, then the plan is prepared."""
        self.state = "choosing"
        box = QFrame()
        box.setObjectName("pvBox")
        bv = QVBoxLayout(box)
        bv.setContentsMargins(12, 10, 12, 10)
        bv.addWidget(_plain(self.tr("该事件没有事件类型，请选择类型后生成预案"), "pvHead"))
        text = " ".join(str(self.preview.get("text") or "").split())
        if text:
            bv.addWidget(_plain(text[:300], "pvMeta"))
        # the router's top three (智能分拨) with their confidence: a click takes one
        self.suggestion_buttons: list[QPushButton] = []
        sugg = self.preview.get("suggestions") or []
        if sugg:
            row = QHBoxLayout()
            row.addWidget(_plain(self.tr("智能分拨建议（待分拨）"), "pvKey", wrap=False))
            for i, c in enumerate(sugg[:3], 1):
                score = c.get("score")
                b = QPushButton(f"{i}  {c.get('name') or c.get('type_id')}"
                                + ("" if score is None else f"  {float(score):.0%}"))
                b.setAutoDefault(False)
                b.setToolTip(str(c.get("type_id") or ""))
                b.clicked.connect(lambda _c=False, t=c.get("type_id"): self._take(t))
                row.addWidget(b)
                self.suggestion_buttons.append(b)
            row.addStretch(1)
            bv.addLayout(row)
            note = self.preview.get("suggestion_note")
            if note:
                bv.addWidget(_plain(note, "pvKey"))
        self.type_combo = QComboBox()
        self.type_combo.setEditable(True)
        self.type_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.type_combo.lineEdit().setPlaceholderText(self.tr("输入类型名称或编号筛选"))
        for t in self.preview.get("types") or []:
            self.type_combo.addItem(f"{t['name']}（{t['type_id']}）", t["type_id"])
        comp = self.type_combo.completer()
        comp.setFilterMode(Qt.MatchFlag.MatchContains)
        comp.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        suggested = self.preview.get("suggested_type")
        at = self.type_combo.findData(suggested) if suggested else -1
        self.type_combo.setCurrentIndex(at)
        if at < 0:
            self.type_combo.setEditText("")
        bv.addWidget(self.type_combo)
        bv.addStretch(1)
        root.addWidget(box, 1)
        bottom = QHBoxLayout()
        self.status = _plain(self.tr("选择类型后按 Enter 生成预案，Esc 取消"), "pvStatus")
        self.status.setStyleSheet(f"color: {theme.TEXT_DIM};")
        bottom.addWidget(self.status, 1)
        self.cancel_button = QPushButton(self.tr("取消 Esc"))
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.reject)
        self.confirm_button = QPushButton(self.tr("生成预案 · Enter"))
        self.confirm_button.setObjectName("pvConfirm")
        self.confirm_button.setDefault(True)
        self.confirm_button.clicked.connect(self.choose_type)
        bottom.addWidget(self.cancel_button)
        bottom.addWidget(self.confirm_button)
        root.addLayout(bottom)
        self.steps_table = None
        self.type_combo.setFocus()

    def _take(self, type_id: str | None) -> None:
        """A suggestion was clicked: it becomes the choice."""
        at = self.type_combo.findData(type_id) if type_id else -1
        if at >= 0:
            self.type_combo.setCurrentIndex(at)
            self.choose_type()

    # ---- public API ---------------------------------------------------------------------
    def chosen_type(self) -> str | None:
        """The type id the chooser holds: the current item, or the one whose name or id the
        operator typed exactly; None when nothing matches."""
        if not self.preview.get("needs_type"):
            return None
        text = self.type_combo.currentText().strip()
        if not text:
            return None
        i = self.type_combo.findText(text)
        if i < 0:
            for t in self.preview.get("types") or []:
                if text in (t["type_id"], t["name"]):
                    return str(t["type_id"])
            return None
        return str(self.type_combo.itemData(i))

    def choose_type(self) -> None:
        """Enter or the button while choosing: hand the chosen type to the cockpit."""
        tid = self.chosen_type()
        if tid is None:
            self._set_status(self.tr("请选择一个事件类型"), theme.STATUS["alarm"])
            return
        self.sig_type_chosen.emit(tid)

    def confirm(self) -> None:
        """Enter or the button: ask the cockpit to dispatch (once while a write is on its way)."""
        if self.state == "choosing":
            self.choose_type()
            return
        if self.state in ("pending", "done"):
            return
        self.state = "pending"
        self.attempts += 1
        self.confirm_button.setEnabled(False)
        self.cancel_button.setEnabled(False)
        self._set_status(self.tr("正在派遣…"), theme.TEXT)
        self.sig_dispatch_confirmed.emit({**self.preview, **self.corrections()})

    def corrections(self) -> dict[str, Any]:
        """The operator's changes: ``type_id`` (the chosen type), ``added`` and ``removed``
        departments (empty lists when unchanged)."""
        ev = self.preview.get("event") or {}
        tid = self.type_box.currentData() if self.type_box is not None else None
        plan_depts = list(dict.fromkeys(s.get("dept_id") for s in self.preview.get("steps")
                                        or []))
        kept = self.kept_departments()
        return {"type_id": tid or ev.get("type_id"),
                "removed": [d for d in plan_depts if d not in kept],
                "added": [d for d in kept if d not in plan_depts]}

    def kept_departments(self) -> list[str]:
        """The departments that will get an order (checked in the list)."""
        if self.dept_list is None:
            return list(dict.fromkeys(s.get("dept_id") for s in self.preview.get("steps")
                                      or []))
        out = []
        for i in range(self.dept_list.count()):
            it = self.dept_list.item(i)
            if it.checkState() == Qt.CheckState.Checked:
                out.append(it.data(Qt.ItemDataRole.UserRole))
        return out

    def set_plan(self, steps: list[dict[str, Any]], plan_id: str | None,
                 plan_name: str | None) -> None:
        """The plan of the type the operator chose: the steps and departments anew."""
        self.preview = {**self.preview, "steps": list(steps), "plan_id": plan_id,
                        "plan_name": plan_name}
        self._fill_steps(steps)
        self._fill_depts()
        self._update_counts()

    def _build_correction(self, root: QVBoxLayout, ev: dict[str, Any]) -> None:
        row = QHBoxLayout()
        row.addWidget(_plain(self.tr("事件类型"), "pvKey", wrap=False))
        self.type_box = QComboBox()
        self.type_box.setEditable(True)
        self.type_box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        for t in self.preview.get("type_choices") or []:
            self.type_box.addItem(f"{t.get('name', '')}  {t.get('type_id', '')}",
                                  t.get("type_id"))
        i = self.type_box.findData(ev.get("type_id"))
        self.type_box.setCurrentIndex(max(0, i))
        self.type_box.activated.connect(self._on_type_chosen)
        row.addWidget(self.type_box, 3)
        row.addWidget(_plain(self.tr("增派部门"), "pvKey", wrap=False))
        self.add_dept_box = QComboBox()
        for d in self.preview.get("dept_choices") or []:
            self.add_dept_box.addItem(str(d.get("name") or d.get("dept_id")), d.get("dept_id"))
        row.addWidget(self.add_dept_box, 2)
        self.add_dept_button = QPushButton(self.tr("＋ 增派"))
        self.add_dept_button.setAutoDefault(False)
        self.add_dept_button.clicked.connect(self._add_dept)
        row.addWidget(self.add_dept_button)
        root.addLayout(row)
        self.dept_list = QListWidget()
        self.dept_list.setFlow(QListWidget.Flow.LeftToRight)
        self.dept_list.setWrapping(True)
        self.dept_list.setMaximumHeight(64)
        self.dept_list.setToolTip(self.tr("取消勾选即不派该部门"))
        self.dept_list.itemChanged.connect(lambda _i: self._update_counts())
        root.addWidget(self.dept_list)
        self._fill_depts()

    def _on_type_chosen(self, _index: int) -> None:
        tid = self.type_box.currentData() if self.type_box is not None else None
        if tid:
            self.sig_type_changed.emit(str(tid))

    def _add_dept(self) -> None:
        d = self.add_dept_box.currentData()
        if d and d not in self.kept_departments() and d not in self._added:
            self._added.append(d)
            self._fill_depts()
            self._update_counts()

    def _fill_depts(self) -> None:
        if self.dept_list is None:
            return
        names = {d.get("dept_id"): d.get("name") for d in self.preview.get("dept_choices") or []}
        names.update({s.get("dept_id"): s.get("dept_name") for s in self.preview.get("steps")
                      or []})
        unchecked = set()
        for i in range(self.dept_list.count()):
            it = self.dept_list.item(i)
            if it.checkState() != Qt.CheckState.Checked:
                unchecked.add(it.data(Qt.ItemDataRole.UserRole))
        self.dept_list.blockSignals(True)
        self.dept_list.clear()
        plan_depts = list(dict.fromkeys(s.get("dept_id") for s in self.preview.get("steps")
                                        or []))
        for d in plan_depts + [a for a in self._added if a not in plan_depts]:
            it = QListWidgetItem(str(names.get(d) or d))
            it.setData(Qt.ItemDataRole.UserRole, d)
            it.setFlags(it.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            it.setCheckState(Qt.CheckState.Unchecked if d in unchecked
                             else Qt.CheckState.Checked)
            self.dept_list.addItem(it)
        self.dept_list.blockSignals(False)

    def _update_counts(self) -> None:
        n = len(self.kept_departments())
        steps = self.preview.get("steps") or []
        plan = (self.preview.get("plan_name") or self.preview.get("plan_id")
                or self.tr("默认处置流程"))
        self.plan_head.setText(self.tr("预案 {plan} · {steps} 步 · {depts} 个部门").format(
            plan=plan, steps=len(steps), depts=n))
        if self.state in ("ready", "failed"):
            self.confirm_button.setText(self.tr("确认派遣 {n} 个部门 · Enter").format(n=n))
            self.confirm_button.setEnabled(n > 0)

    def _fill_steps(self, steps: list[dict[str, Any]]) -> None:
        self.steps_table.setRowCount(len(steps))
        for r, s in enumerate(steps):
            stage = s.get("stage") or ""
            cells = [str(s.get("step_no", r + 1)), stage_label(stage),
                     str(s.get("dept_name") or s.get("dept_id") or ""),
                     tr_word(str(s.get("action") or "")), fmt_minutes(s.get("due_min"))]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c == 1:
                    item.setForeground(_brush(STAGE_COLOURS.get(stage, theme.TEXT)))
                if c in (0, 4):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
                item.setToolTip(text)
                self.steps_table.setItem(r, c, item)

    def set_done(self, text: str, close_after_ms: int = 900) -> None:
        """The orders were committed: say so, then close (accepted)."""
        self.state = "done"
        self._set_status(text, theme.STATUS["normal"])
        self.confirm_button.setText(self.tr("已派遣"))
        if close_after_ms >= 0:
            QTimer.singleShot(close_after_ms, self.accept)

    def set_failed(self, message: str) -> None:
        """The write failed: show why; a retry is the same request."""
        self.state = "failed"
        self._set_status(self.tr("派遣失败：{error}").format(error=message), theme.STATUS["alarm"])
        self.confirm_button.setText(self.tr("重试 · Enter"))
        self.confirm_button.setEnabled(True)
        self.cancel_button.setEnabled(True)
        self.confirm_button.setFocus()

    def set_refused(self, message: str) -> None:
        """The store refused for good (e.g. already dispatched): no retry."""
        self.state = "refused"
        self._set_status(message, theme.STATUS["alarm"])
        self.confirm_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.cancel_button.setText(self.tr("关闭 Esc"))
        self.cancel_button.setFocus()

    # ---- Qt -------------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if self.state in ("ready", "failed", "choosing"):
                self.confirm()
            event.accept()
            return
        super().keyPressEvent(event)

    def reject(self) -> None:
        if self.state == "pending":  # the write will land or fail; wait for the answer
            self._set_status(self.tr("正在写入，请稍候…"), theme.TEXT)
            return
        super().reject()

    def _set_status(self, text: str, colour: str) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(f"color: {colour};")


def _brush(colour: str) -> QBrush:
    return QBrush(QColor(colour))


def sample_preview() -> dict[str, Any]:
    """A water-main burst in 渝中区, for the smoke run and the tests."""
    rows = [("GS", "供水", 5, "react", "接警签收，关闭爆管上下游阀门"),
            ("CGJ", "城管", 10, "react", "启动预案，通知各联动单位到场"),
            ("GAJ", "公安", 15, "react", "实施现场交通管制与车辆疏导"),
            ("GS", "供水", 20, "verify", "现场核查爆管位置、管径与停水影响范围"),
            ("XF", "消防", 20, "verify", "排查次生险情，救助被困人员和车辆"),
            ("CGJ", "城管", 30, "verify", "核查路面塌陷与周边地下管线受损情况"),
            ("TXJ", "通信", 30, "handle", "协调运营商保障现场通信并发布停水提示短信"),
            ("JXW", "经信", 40, "handle", "协调受影响重点企业用水与生产调度"),
            ("YJJ", "应急", 45, "handle", "调配抢险物资、设备与救援力量"),
            ("GS", "供水", 60, "handle", "组织送水车开展应急供水"),
            ("GS", "供水", 240, "handle", "抢修管道，恢复正常供水"),
            ("CGJ", "城管", 300, "handle", "修复路面，清理现场"),
            ("GAJ", "公安", 330, "close", "解除交通管制，恢复通行"),
            ("CGJ", "城管", 360, "close", "处置评估总结，结案归档")]
    return {
        "event": {"event_id": 4711, "title": "解放碑街道 供水主管爆管", "type_name": "供水主管爆管",
                  "source": "sensor", "severity": 1, "place": "渝中区 解放碑街道",
                  "occurred_at": datetime(2026, 11, 24, 9, 41, 7)},
        "plan_id": "P-WATER-MAIN-BURST", "plan_name": "供水主管爆管处置预案",
        "steps": [{"step_no": i, "dept_id": f"D-500103-{k}", "dept_name": f"渝中区{n}",
                   "action": a, "due_min": d, "stage": s}
                  for i, (k, n, d, s, a) in enumerate(rows, start=1)],
        "impact": {"radius_km": 1.0,
                   "streets": [{"name": "解放碑街道", "distance_km": 0.2},
                               {"name": "朝天门街道", "distance_km": 0.8}],
                   "communities": [{"name": f"社区{i}", "distance_km": 0.1 * i}
                                   for i in range(1, 8)],
                   "risk_by_category": [{"name": "燃气管网", "count": 12, "major": 2},
                                        {"name": "高层消防", "count": 9, "major": 0}],
                   "risk_points": 21,
                   "nearest_warehouse": {"name": "渝中区应急物资仓库", "distance_km": 1.8},
                   "nearest_fire_station": {"name": "解放碑消防站", "distance_km": 0.6},
                   "repair_min": 300.0}}


if __name__ == "__main__":  # a smoke run on sample data
    import sys

    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv)
    theme.apply(app)
    dlg = DispatchPreview(sample_preview())
    dlg.sig_dispatch_confirmed.connect(
        lambda _p: QTimer.singleShot(500, lambda: dlg.set_done("已派遣 dispatched · 7 个工单")))
    dlg.show()
    sys.exit(app.exec())
