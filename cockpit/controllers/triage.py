"""Wires 智能分拨: the router off the GUI thread, the 新建事件 form, the type chooser's
suggestions, corrections to the log.

The router (:mod:`cockpit.datasets.triage`) is loaded a few seconds after the window starts, on
the thread pool. When the catalog has no model yet (first start, or the catalog was rebuilt) it
is trained there when a report first needs it (the form's 分拨, or ``cockpit route train``
beforehand) — tens of seconds on the Chongqing demo, while the window works; the report waits
for it. Until a model exists, reports arriving without a type wait for the operator.

The form (:class:`~cockpit.widgets.report_entry.ReportEntry`, Ctrl+N or 新建事件 in the events
panel) sends the caller's words; the answer (top-3 with scores, place, urgency) says 自动分拨
when the top score reaches ``threshold`` (config ``route_threshold``), else 待分拨 and the
operator chooses. The created event joins the event list as a feed event (source hotline,
placed at the unit the text names, else at the top unit), ready to dispatch. When the operator's
type differs from the router's first suggestion, a ``correct`` row (who, from what, to what, the
text) is written to the dispatch log — training data for the next ``cockpit route train``.

:meth:`TriageController.suggest` is the dispatch controller's ``suggest_type`` hook: an event
that arrives without a type — a report from the intake or the inbox without a service code, an
alarm of a vital sign the dataset links to no type, on any dataset — is routed from its words
(the alarm's title). At the threshold it takes the first type (自动分拨); below, it waits
(待分拨) and its dispatch opens the type chooser with these top three and their confidence.
"""

from __future__ import annotations

import logging
import threading
import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal

from cockpit.datasets.event_feed import FeedEvent
from cockpit.datasets.triage import REASON_NO_MODEL
from cockpit.widgets.report_entry import ReportEntry
from cockpit.widgets.words import tr_word
from cockpit.workers import run_in_background

if TYPE_CHECKING:
    from cockpit.controllers.dispatch import DispatchController

log = logging.getLogger(__name__)


class TriageController(QObject):
    """The router for one catalog, the entry form and the correction log."""

    sig_router_ready = Signal(bool)
    """The router was loaded or trained (True) or could not be (False)."""
    sig_report_created = Signal(str)
    """A typed-in report became an event: its id."""
    _sig_model_wanted = Signal()
    """(any thread → GUI thread) an untyped report arrived while no model is loaded."""

    def __init__(self, catalog, dispatch: DispatchController, threshold: float = 0.6,
                 parent: QObject | None = None, load_delay_ms: int = 4000,
                 train_on_demand: bool = False) -> None:
        """``train_on_demand``: when a report without a type arrives and the catalog has no
        saved model, train one in the background (a live feed's reports need it; without
        one they would all wait for the operator) and then route the reports waiting."""
        super().__init__(parent)
        self.catalog = catalog
        self.dispatch = dispatch
        self.threshold = float(threshold)
        self.router = None
        self.problem: str | None = None
        self.form: ReportEntry | None = None
        self._loading = False
        self._waiting: list[Any] = []
        self._lock = threading.Lock()
        self._units: dict[str, tuple[float, float]] | None = None
        self._top: str | None = None  # the top unit (where a report naming no place goes)
        self._delay = load_delay_ms
        self._stopped = False
        self.train_on_demand = train_on_demand
        self._sig_model_wanted.connect(lambda: self.load(train=True))
        dispatch.suggest_type = self.suggest

    # ---- public API -----------------------------------------------------------------------
    def start(self) -> None:
        """Load the saved router a little after the first frame (training waits until a
        report needs it: the first start costs no CPU the window wants)."""
        QTimer.singleShot(self._delay, lambda: self.load(train=False))

    def stop(self) -> None:
        """The window closes: answers that arrive later are dropped."""
        self._stopped = True

    def load(self, train: bool = True) -> None:
        """Load the router off the GUI thread (``train``: train it when the catalog has none
        — tens of seconds on the Chongqing demo, on the thread pool)."""
        if self._stopped or self._loading or (
                self.router is not None and (self.router.model is not None or not train)):
            return
        self._loading = True
        run_in_background(lambda: self._load_work(train), self._on_loaded,
                          lambda m: self._on_loaded(RuntimeError(m)))

    def request_report(self) -> None:
        """Open the 新建事件 form (one at a time)."""
        if self.form is not None and self.form.isVisible():
            self.form.raise_()
            self.form.activateWindow()
            return
        names = self.dispatch._names
        types = [(t["type_id"], t["name"]) for t in names.type_choices()] if names else []
        form = ReportEntry(types, self.dispatch.panel.window())
        form.sig_route_requested.connect(lambda text: self.route_text(text, form))
        form.sig_report_submitted.connect(self._on_submitted)
        form.finished.connect(lambda _r: self._on_form_closed(form))
        self.form = form
        form.open()

    def suggest(self, event: dict[str, Any]) -> dict[str, Any] | None:
        """The router's answer for an event without a type (its ``description``, else its
        ``title``): ``{"candidates": top three, "auto": at the threshold, "reason": why the
        operator is asked}``; None while no model is loaded. Any thread."""
        router = self.router
        if router is None or router.model is None:
            if self.train_on_demand and not self._loading and self.problem is None:
                self._sig_model_wanted.emit()  # queued: load() runs on the GUI thread
            return None
        text = str(event.get("description") or event.get("title") or "")
        with self._lock:  # with the point the report was made at, when it has one
            (r,) = router.route_many([text], plans=False, lons=[event.get("lon")],
                                     lats=[event.get("lat")])
        return {"candidates": [c.as_dict() for c in r.candidates],
                "auto": r.auto(self.threshold), "reason": self._reason(r, self.threshold)}

    def route_text(self, text: str, form: ReportEntry | None = None) -> None:
        """Route ``text`` off the GUI thread; the answer goes to ``form``."""
        if self.router is None or self.router.model is None:
            self._waiting.append((text, form))
            if form is not None:
                form.status.setText(self.tr("分拨模型准备中（首次需训练，约一分钟）…"))
            self.load(train=True)
            return
        router = self.router
        threshold = self.threshold

        def work():
            con = self.catalog.cursor()
            try:
                r = router.route(text, con=con)
                return self._route_dict(r, threshold, con)
            finally:
                con.close()

        def done(d: dict) -> None:
            if form is not None:
                form.set_route(d)

        run_in_background(work, done, lambda m: log.warning("routing failed: %s", m))

    # ---- helpers ----------------------------------------------------------------------------
    def _load_work(self, train: bool):
        from cockpit.datasets import triage

        con = self.catalog.cursor()
        try:
            router = triage.Router.load(self.catalog, con=con, train_if_missing=train)
            router.con = None  # each call brings its own cursor
            units, top = triage.unit_points(con)
            return router, units, top
        finally:
            con.close()

    def _on_loaded(self, result: Any) -> None:
        self._loading = False
        if self._stopped:
            return
        if isinstance(result, Exception):
            self.problem = str(result)
            log.warning("router not available: %s", result)
            self.sig_router_ready.emit(False)
            for _text, form in self._waiting:
                if form is not None:
                    form.status.setText(self.tr("智能分拨不可用：{error}").format(
                        error=self.problem))
            self._waiting.clear()
            return
        self.router, self._units, self._top = result
        self.sig_router_ready.emit(self.router.model is not None)
        waiting, self._waiting = self._waiting, []
        if self.router.model is None:  # could not learn: the reports wait for the operator
            for _text, form in waiting:
                if form is not None:
                    form.status.setText(self.tr("智能分拨不可用：{error}").format(
                        error=tr_word(REASON_NO_MODEL)))
            return
        for text, form in waiting:
            self.route_text(text, form)
        # the reports that arrived before the model was there are routed now
        self.dispatch.route_waiting()

    def _route_dict(self, r, threshold: float, con) -> dict[str, Any]:
        place = r.place
        code = place.code if place else self._top
        lon, lat = (self._units or {}).get(code, (None, None)) if code else (None, None)
        return {"candidates": [c.as_dict() for c in r.candidates],
                "place": place.name if place else "",
                "district_code": place.district_code if place else None,
                "street_code": place.street_code if place else None,
                "lon": lon, "lat": lat, "urgency": r.urgency,
                "departments": list(r.departments), "auto": r.auto(threshold),
                "reason": self._reason(r, threshold)}

    def _reason(self, r, threshold: float) -> str:
        """Why a result waits for the operator ("" when it routes itself)."""
        if r.reason:
            return tr_word(r.reason)
        if r.auto(threshold):
            return ""
        score, limit = below_threshold(r.score, threshold)
        return self.tr("最高置信度 {s} 低于阈值 {t}").format(s=score, t=limit)

    def _on_submitted(self, d: dict) -> None:
        route = d.get("route") or {}
        text = str(d.get("text") or "")
        title = " ".join(text.split())[:40]
        eid = f"R-{uuid.uuid4().hex[:10]}"
        lon, lat = route.get("lon"), route.get("lat")
        if lon is None or lat is None:
            lon, lat = (self._units or {}).get(self._top or "", (106.55, 29.56))
        # placed at the centre of the unit its words name: a rough place, not its point
        ev = FeedEvent(eid, str(d["type_id"]), "hotline", self.dispatch.now(), float(lon),
                       float(lat), int(route.get("urgency") or 3), title,
                       route.get("district_code"), route.get("street_code"), None,
                       feed="report", received_at=datetime.now(), description=text,
                       located=True)
        self.dispatch.add_event(ev)
        suggested = d.get("suggested_type_id")
        auto = bool(route.get("auto"))
        if suggested and suggested != d["type_id"]:
            self.dispatch.log_correction(eid, suggested, str(d["type_id"]), text)
            msg = self.tr("已登记事件 {event}：操作员改分拨为 {type}（已记入派遣日志）")
        elif auto:
            msg = self.tr("已登记事件 {event}：自动分拨 {type}")
        else:
            msg = self.tr("已登记事件 {event}：人工分拨 {type}")
        self.dispatch.panel.show_message(msg.format(event=eid, type=d["type_id"]), "ok")
        self.sig_report_created.emit(eid)

    def _on_form_closed(self, form: ReportEntry) -> None:
        if self.form is form:
            self.form = None
        form.deleteLater()


def below_threshold(score: float, threshold: float) -> tuple[str, str]:
    """A score below the threshold and the threshold as percentages that show it below: whole
    percents, one decimal where they would read the same (0.598 against 0.6: "59.8%" and
    "60.0%", not "60%" below "60%")."""
    s, t = f"{score:.0%}", f"{threshold:.0%}"
    if s == t:
        s, t = f"{score:.1%}", f"{threshold:.1%}"
    return s, t
