"""Wires the map: viewport → layer queries (off the GUI thread) → page; clicks → detail.

One query batch runs at a time; while it runs, newer viewports replace each other, so a
fling of moves costs one extra query, not one per move. Answers carry the viewport's
sequence number and the page drops stale ones.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

import orjson
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QObject, Signal

from cockpit.datasets import queue
from cockpit.layers.base import Viewport
from cockpit.layers.density import DensityLayer
from cockpit.layers.districts import DistrictLayer
from cockpit.layers.events import EventLayer
from cockpit.layers.facilities import FacilityLayer
from cockpit.layers.pipes import PipeLayer, impact_payload
from cockpit.layers.risk_points import RiskPointLayer
from cockpit.layers.search import search
from cockpit.widgets.map_side import MapSidePanel
from cockpit.widgets.map_view import MapView
from cockpit.widgets.plain import display
from cockpit.widgets.words import EVALUATION, tr_word
from cockpit.workers import run_in_background

if TYPE_CHECKING:
    from cockpit.datasets.catalog import Catalog

log = logging.getLogger(__name__)

TIME_LAYERS = frozenset({"events", "density"})
"""The layers that change as the clock moves; the others depend only on the viewport."""


def load_city_page(view: MapView, catalog: Catalog, lang: str, tiles: str | None) -> None:
    """Load the city's map page into ``view`` (written once per dataset, language and base
    map: :func:`cockpit.layers.page.build_page`)."""
    from cockpit import paths
    from cockpit.layers.page import build_page

    view.load_page(build_page(catalog.boundaries_geojson(), catalog.extent,
                              paths.cache_dir() / "pages", lang=lang, tiles=tiles))


def encode(payload: dict[str, Any]) -> str:
    """One layer's data as JSON text; numpy column arrays go straight through."""
    return orjson.dumps(payload, option=orjson.OPT_SERIALIZE_NUMPY).decode()


class MapController(QObject):
    """Owns the map's layers and their filters."""

    sig_dispatch_requested = Signal(dict)
    """The detail panel's dispatch button: the feature's detail dict."""
    sig_unit_selected = Signal(str)
    """A district was clicked on the map: its code."""
    sig_refresh_measured = Signal(dict)
    """A viewport was answered: {seq, query_ms, encode_ms, layer_ms (query ms per layer),
    features, ms (round trip), and the page's draw_ms (parse and draw), arrived_ms, bytes of
    the measured layer}."""

    def __init__(self, catalog: Catalog, view: MapView, side: MapSidePanel | None,
                 now: Callable[[], datetime], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.catalog = catalog
        self.view = view
        self.side = side
        self.now = now
        self.risk = RiskPointLayer()
        self.events = EventLayer()
        self.facilities = FacilityLayer()
        self.density = DensityLayer("events")
        self.pipes = PipeLayer(catalog_key=f"{catalog.db_path}:{catalog.fingerprint}")
        self.feed_points: dict[str, list] = {}
        self.districts = DistrictLayer("density")
        self.visible = {"risk_points": True, "events": True, "facilities": True,
                        "density": False, "pipes": False}
        #: the layer whose "drawn" report times a refresh (sent last when it is the pipes)
        self.measure_layer = "risk_points"
        self.filters: dict[str, Any] = {"levels": [1, 2, 3, 4], "categories": None}
        self.event_states: dict[int, str] = {}
        #: the live feed's reports for the event layer (plain rows; set by the window)
        self.live_events: Callable[[], list[dict]] | None = None
        self.viewport: Viewport | None = None
        #: The last mark command sent (the selection on the map).
        self.marked: dict[str, Any] | None = None
        self.seq = 0
        self._running = False
        self._again = False
        self._again_full = False
        self._answered_seq = -1  # the viewport whose every layer the page has been sent
        self._sent: dict[str, str] = {}  # the last text sent per layer
        #: The clock time of the last answered query (what the page shows now).
        self.answered_as_of: datetime | None = None
        self._timings: dict[int, dict] = {}
        view.sig_viewport_changed.connect(self._on_viewport_changed)
        view.sig_feature_clicked.connect(self._on_feature_clicked)
        view.sig_layer_drawn.connect(self._on_layer_drawn)
        view.sig_ready.connect(self.send_districts)
        view.sig_ready.connect(self.send_key)
        if side is not None:
            side.tree.sig_layer_toggled.connect(self.set_visible)
            side.tree.sig_categories_changed.connect(self._on_categories_changed)
            side.sig_levels_changed.connect(self._on_levels_changed)
            side.sig_choropleth_changed.connect(self.set_choropleth)
            side.search.sig_search_requested.connect(self._on_search)
            side.search.sig_result_chosen.connect(self._on_result_chosen)
            side.detail.sig_dispatch_requested.connect(self.sig_dispatch_requested)

    # ---- public API -----------------------------------------------------------------------
    def send_districts(self) -> None:
        """Recolour the districts (density or evaluation), off the GUI thread."""
        layer = self.districts

        def work() -> str:
            con = self.catalog.cursor()
            try:
                return encode(_translated_districts(layer.query(con)))
            finally:
                con.close()

        run_in_background(work, self.view.send_layer, self._on_failed)

    def send_key(self) -> None:
        """The map key (legend): each layer's symbols with their words, in the interface
        language; the page shows the sections of the layers that are on."""
        self.view.send_layer(encode(map_key()))

    def mark(self, lon: float, lat: float, *, kind: str = "place", fid: Any = None,
             label: str = "", zoom: float | None = None, code: str | None = None) -> None:
        """Pan to a place and mark it with a pulsing ring and a dashed outline (a district's
        ``code``: its boundary outlined too); ``zoom``: fly in at least that far."""
        cmd: dict[str, Any] = {"cmd": "mark", "lon": float(lon), "lat": float(lat),
                               "kind": kind, "label": str(label or "")}
        if fid is not None:
            cmd["id"] = str(fid)
        if zoom is not None:
            cmd["zoom"] = float(zoom)
        if code:
            cmd["code"] = str(code)
        self.marked = cmd
        self.view.send_command(cmd)

    def locate_event(self, event: dict) -> None:
        """An event selected in a list: pan to it, mark it, and show it in the side panel
        (catalog events; a feed event's detail is its row)."""
        if event.get("lon") is None or event.get("lat") is None:
            return
        eid = str(event.get("event_id", ""))
        self.mark(event["lon"], event["lat"], kind="event", fid=eid,
                  label=f"{eid} {event.get('title') or ''}".strip(), zoom=13)
        if eid.isdigit():
            self._show_detail("events", int(eid))
        elif self.side is not None:
            self.side.detail.show_detail("event", {k: event.get(k) for k in (
                "event_id", "title", "type_name", "source", "severity", "lon", "lat")})

    def set_choropleth(self, mode: str) -> None:
        self.districts = DistrictLayer(mode)
        self.send_districts()

    def set_visible(self, layer: str, on: bool) -> None:
        if layer not in self.visible:
            return
        self.visible[layer] = on
        self.view.send_command({"cmd": "visible", "layer": layer, "on": on})
        if on:
            self.refresh()

    def set_event_states(self, states: dict[int, str]) -> None:
        """Dispatch states by event id (from the dispatch store), for the event colours."""
        self.event_states = dict(states)

    def set_feed_events(self, events: Iterable[Any]) -> None:
        """The live events that are not in the catalog (feeds, alarms: objects with
        ``lon``, ``lat``, ``occurred_at``, ``severity``, ``type_id``), for the density."""
        ev = list(events)
        self.feed_points = {"lon": [e.lon for e in ev], "lat": [e.lat for e in ev],
                            "occurred_at": [e.occurred_at for e in ev],
                            "severity": [e.severity for e in ev],
                            "type_id": [e.type_id for e in ev]}

    def refresh(self, *, time_only: bool = False) -> None:
        """Query the visible layers again for the current viewport. ``time_only``: only the
        layers that move with the clock (events, density) — a replay frame; the risk points
        and facilities on the page stay as drawn unless the viewport changed meanwhile."""
        if self.viewport is not None:
            self._query(time_only=time_only)

    def show_network_impact(self, impact: dict) -> None:
        """Highlight a burst's isolated segment, cut-off pipes, valves to close and critical
        sites (``impact``: ``NetworkImpact.as_dict()``); an empty dict clears it."""
        self.view.send_layer(encode(impact_payload(impact)))

    def fly_to(self, lon: float, lat: float, zoom: float) -> None:
        self.view.send_command({"cmd": "fly_to", "lon": float(lon), "lat": float(lat),
                                "zoom": float(zoom)})

    def load_categories(self) -> None:
        """Fill the layer tree's categories with their city-wide counts."""
        if self.side is None:
            return

        def work() -> list:
            con = self.catalog.cursor()
            try:
                return self.risk.counts_by_category(con)
            finally:
                con.close()

        run_in_background(work, self.side.tree.set_categories, self._on_failed)

    # ---- handlers ---------------------------------------------------------------------
    def _on_viewport_changed(self, msg: dict) -> None:
        try:
            vp = Viewport.from_dict(msg)
            seq = int(msg.get("seq", 0))
        except (KeyError, TypeError, ValueError) as exc:
            log.warning("ignoring bad viewport %r: %s", msg, exc)
            return
        self.viewport, self.seq = vp, seq
        self._query()

    def _query(self, *, time_only: bool = False) -> None:
        if self._running:
            self._again = True
            self._again_full |= not time_only
            return
        self._running = True
        vp, seq, as_of = self.viewport, self.seq, self.now()
        visible = {k for k, on in self.visible.items() if on}
        if time_only and seq == self._answered_seq:
            visible &= TIME_LAYERS
        filters = {"levels": self.filters["levels"], "categories": self.filters["categories"]}
        states = {"states": self.event_states,
                  "live": self.live_events() if self.live_events is not None else []}
        density_filters = (filters if self.density.source == "risk"
                           else {"feed": self.feed_points})

        def work() -> tuple[list[tuple[str, str]], dict]:
            con = self.catalog.cursor()
            try:
                out, t0 = [], time.perf_counter()
                payloads, layer_ms = [], {}
                for name, ask in (
                        ("risk_points", lambda: self.risk.query(con, vp, as_of, filters)),
                        ("events", lambda: self.events.query(con, vp, as_of, states)),
                        ("facilities", lambda: self.facilities.query(con, vp, as_of)),
                        ("density", lambda: self.density.query(con, vp, as_of,
                                                               density_filters)),
                        ("pipes", lambda: self.pipes.query(con, vp, as_of))):
                    if name in visible:
                        tq = time.perf_counter()
                        payloads.append(ask())
                        layer_ms[name] = (time.perf_counter() - tq) * 1000
                t1 = time.perf_counter()
                for p in payloads:
                    p["seq"] = seq
                    out.append((p["layer"], encode(p)))
                t2 = time.perf_counter()
                return out, {"seq": seq, "query_ms": (t1 - t0) * 1000,
                             "encode_ms": (t2 - t1) * 1000, "layer_ms": layer_ms,
                             "layers": sorted(visible),
                             "time_only": time_only, "as_of": as_of}
            finally:
                con.close()

        run_in_background(work, self._on_answer, self._on_failed_query)

    def _on_answer(self, result: tuple[list[tuple[str, str]], dict]) -> None:
        texts, timing = result
        self._timings[timing["seq"]] = timing
        self.answered_as_of = timing["as_of"]
        if not set(timing["layers"]) < {k for k, on in self.visible.items() if on}:
            self._answered_seq = timing["seq"]  # every visible layer was sent for it
        for layer, text in texts:
            # a replay frame that changed nothing on a layer (most frames, for most events)
            # sends nothing: the page keeps what it drew
            if timing["time_only"] and self._sent.get(layer) == text:
                continue
            self._sent[layer] = text
            self.view.send_layer(text)
        self._done()

    def _on_failed_query(self, message: str) -> None:
        self._on_failed(message)
        self._done()

    def _done(self) -> None:
        self._running = False
        if self._again:
            full, self._again, self._again_full = self._again_full, False, False
            self._query(time_only=not full)

    def _on_detail_ready(self, result) -> None:
        """A feature's detail arrived: shown, unless its panel went away meanwhile."""
        import shiboken6

        if shiboken6.isValid(self.side) and shiboken6.isValid(self.side.detail):
            self.side.detail.show_detail(*result)

    def _on_failed(self, message: str) -> None:
        log.error("map query failed: %s", message)

    def _on_layer_drawn(self, msg: dict) -> None:
        if msg.get("layer") == self.measure_layer and "ms" in msg:
            timing = self._timings.pop(int(msg.get("seq", 0)), {})
            page = {k: float(msg[k]) for k in ("draw_ms", "arrived_ms", "bytes") if k in msg}
            self.sig_refresh_measured.emit({**timing, **page, "ms": float(msg["ms"]),
                                            "features": int(msg.get("features", 0))})

    def _on_levels_changed(self, levels: list) -> None:
        self.filters["levels"] = [int(x) for x in levels] or [0]
        self.refresh()

    def _on_categories_changed(self, cats: list) -> None:
        checked = self.side.tree.checked_categories() if self.side else None
        self.filters["categories"] = checked
        self.refresh()

    def _on_search(self, text: str) -> None:
        as_of = self.now()

        def work() -> list:
            con = self.catalog.cursor()
            try:
                found = [{"kind": "event", "id": e.event_id, "name": e.title,
                          "detail": "event", "lon": e.lon, "lat": e.lat, "zoom": 15}
                         for e in queue.find_events(con, text, as_of, limit=8)]
                return found + search(con, text)
            finally:
                con.close()

        if self.side is not None:
            run_in_background(work, self.side.search.set_results, self._on_failed)

    def _on_result_chosen(self, r: dict) -> None:
        """Fly to a search result and leave a mark (a district's boundary outlined)."""
        self.mark(r["lon"], r["lat"], kind=str(r.get("kind") or "place"), fid=r.get("id"),
                  label=str(r.get("name") or ""), zoom=r.get("zoom", 14),
                  code=str(r["id"]) if r.get("detail") == "district" else None)
        if r.get("kind") == "risk_point":
            self._show_detail("risk_points", int(r["id"]))
        elif r.get("kind") == "event":
            self._show_detail("events", int(r["id"]))
        elif self.side is not None:  # the side panel follows: no stale feature left there
            self.side.detail.show_detail(str(r.get("kind") or "unit"), {
                "name": r.get("name"), "code": r.get("id"), "lon": r.get("lon"),
                "lat": r.get("lat")})

    def _on_feature_clicked(self, msg: dict) -> None:
        layer = msg.get("layer")
        if layer == "districts" and isinstance(msg.get("code"), str):
            self.sig_unit_selected.emit(msg["code"])
            return
        try:
            fid = int(msg.get("id"))
        except (TypeError, ValueError):
            log.warning("ignoring bad click %r", msg)
            return
        if layer in ("risk_points", "events", "facilities"):
            self._show_detail(layer, fid)

    def _show_detail(self, layer: str, fid: int) -> None:
        as_of = self.now()

        def work() -> tuple[str, dict | None]:
            con = self.catalog.cursor()
            try:
                if layer == "risk_points":
                    return "risk_point", self.risk.detail(con, fid, as_of)
                if layer == "events":
                    return "event", self.events.detail(con, fid)
                return "facility", self.facilities.detail(con, fid)
            finally:
                con.close()

        if self.side is not None:
            run_in_background(work, self._on_detail_ready, self._on_failed)


def map_key() -> dict:
    """The map key's message: per layer, each symbol (shape) with its colour and word."""
    from cockpit.layers.events import STATE_COLOURS
    from cockpit.layers.facilities import KIND_COLOURS
    from cockpit.widgets import theme

    lv = theme.LEVEL
    key = {"layer": "key", "title": QT_TRANSLATE_NOOP("map_key", "图例"), "sections": [
        {"layer": "events", "title": QT_TRANSLATE_NOOP("map_key", "事件（形状 = 状态）"), "items": [
            {"symbol": "●", "colour": STATE_COLOURS["new"],
             "label": QT_TRANSLATE_NOOP("map_key", "待派遣")},
            {"symbol": "▲", "colour": STATE_COLOURS["overdue"],
             "label": QT_TRANSLATE_NOOP("map_key", "超时")},
            {"symbol": "■", "colour": STATE_COLOURS["dispatched"],
             "label": QT_TRANSLATE_NOOP("map_key", "已派遣")},
            {"symbol": "✖", "colour": STATE_COLOURS["closed"],
             "label": QT_TRANSLATE_NOOP("map_key", "已结案")},
            {"symbol": "◎", "colour": "#ffffff",
             "label": QT_TRANSLATE_NOOP("map_key", "白边：一小时内")}]},
        {"layer": "risk_points", "title": QT_TRANSLATE_NOOP("map_key", "风险点（形状 = 级别）"),
         "items": [
            {"symbol": "▲", "colour": lv[1], "label": QT_TRANSLATE_NOOP("map_key", "重大")},
            {"symbol": "◆", "colour": lv[2], "label": QT_TRANSLATE_NOOP("map_key", "较大")},
            {"symbol": "●", "colour": lv[3], "label": QT_TRANSLATE_NOOP("map_key", "一般")},
            {"symbol": "○", "colour": lv[4], "label": QT_TRANSLATE_NOOP("map_key", "低")}]},
        {"layer": "facilities", "title": QT_TRANSLATE_NOOP("map_key", "应急设施（圆环）"),
         "items": [
            {"symbol": "◯", "colour": KIND_COLOURS["warehouse"],
             "label": QT_TRANSLATE_NOOP("map_key", "物资仓库")},
            {"symbol": "◯", "colour": KIND_COLOURS["fire_station"],
             "label": QT_TRANSLATE_NOOP("map_key", "消防站")},
            {"symbol": "◯", "colour": KIND_COLOURS["hospital"],
             "label": QT_TRANSLATE_NOOP("map_key", "医院")},
            {"symbol": "◯", "colour": KIND_COLOURS["shelter"],
             "label": QT_TRANSLATE_NOOP("map_key", "避难场所")}]},
        {"layer": None, "title": QT_TRANSLATE_NOOP("map_key", "选中"), "items": [
            {"symbol": "◌", "colour": "#ffd60a",
             "label": QT_TRANSLATE_NOOP("map_key", "脉冲圆环 + 虚线圈：选中的事件或地点")}]},
    ]}
    key["title"] = QCoreApplication.translate("map_key", key["title"])
    for sec in key["sections"]:
        sec["title"] = QCoreApplication.translate("map_key", sec["title"])
        for it in sec["items"]:
            it["label"] = QCoreApplication.translate("map_key", it["label"])
    return key


def _translated_districts(msg: dict) -> dict:
    """The district layer's words in the interface language (the layer, Qt-free, gives the
    Chinese source words), and its names without bidi controls (the page sets them as text,
    but an override would still reorder them)."""
    for key in ("title", "note"):
        if msg.get(key):
            msg[key] = tr_word(msg[key])
    for f in [*msg.get("features", {}).values(), *msg.get("units", [])]:
        if "name" in f:
            f["name"] = display(f["name"], 80)
    if msg.get("mode") != "evaluation":
        return msg
    for f in [*msg.get("features", {}).values(), *msg.get("units", [])]:
        f["label"] = tr_word(f.get("label"), EVALUATION)
    for item in msg.get("legend", []):
        if "word" in item:
            item["label"] = f"{tr_word(item['word'], EVALUATION)} {item.get('rule', '')}".strip()
    return msg
