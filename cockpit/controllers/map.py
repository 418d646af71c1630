"""Wires the map: viewport → layer queries (off the GUI thread) → page; clicks → detail.

One query batch runs at a time; while it runs, newer viewports replace each other, so a
fling of moves costs one extra query, not one per move. Answers carry the viewport's
sequence number and the page drops stale ones.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

import orjson
from PySide6.QtCore import QObject, Signal

from cockpit.layers.base import Viewport
from cockpit.layers.density import DensityLayer
from cockpit.layers.districts import DistrictLayer
from cockpit.layers.events import EventLayer
from cockpit.layers.facilities import FacilityLayer
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
    """A viewport was answered: {seq, query_ms, encode_ms, features, ms (round trip)}."""

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
        self.districts = DistrictLayer("density")
        self.visible = {"risk_points": True, "events": True, "facilities": True,
                        "density": False}
        self.filters: dict[str, Any] = {"levels": [1, 2, 3, 4], "categories": None}
        self.event_states: dict[int, str] = {}
        self.viewport: Viewport | None = None
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

    def refresh(self, *, time_only: bool = False) -> None:
        """Query the visible layers again for the current viewport. ``time_only``: only the
        layers that move with the clock (events, density) — a replay frame; the risk points
        and facilities on the page stay as drawn unless the viewport changed meanwhile."""
        if self.viewport is not None:
            self._query(time_only=time_only)

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
        states = {"states": self.event_states}

        def work() -> tuple[list[tuple[str, str]], dict]:
            con = self.catalog.cursor()
            try:
                out, t0 = [], time.perf_counter()
                payloads = []
                if "risk_points" in visible:
                    payloads.append(self.risk.query(con, vp, as_of, filters))
                if "events" in visible:
                    payloads.append(self.events.query(con, vp, as_of, states))
                if "facilities" in visible:
                    payloads.append(self.facilities.query(con, vp, as_of))
                if "density" in visible:
                    payloads.append(self.density.query(con, vp, as_of))
                t1 = time.perf_counter()
                for p in payloads:
                    p["seq"] = seq
                    out.append((p["layer"], encode(p)))
                t2 = time.perf_counter()
                return out, {"seq": seq, "query_ms": (t1 - t0) * 1000,
                             "encode_ms": (t2 - t1) * 1000, "layers": sorted(visible),
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

    def _on_failed(self, message: str) -> None:
        log.error("map query failed: %s", message)

    def _on_layer_drawn(self, msg: dict) -> None:
        if msg.get("layer") == "risk_points" and "ms" in msg:
            timing = self._timings.pop(int(msg.get("seq", 0)), {})
            self.sig_refresh_measured.emit({**timing, "ms": float(msg["ms"]),
                                            "features": int(msg.get("features", 0))})

    def _on_levels_changed(self, levels: list) -> None:
        self.filters["levels"] = [int(x) for x in levels] or [0]
        self.refresh()

    def _on_categories_changed(self, cats: list) -> None:
        checked = self.side.tree.checked_categories() if self.side else None
        self.filters["categories"] = checked
        self.refresh()

    def _on_search(self, text: str) -> None:
        def work() -> list:
            con = self.catalog.cursor()
            try:
                return search(con, text)
            finally:
                con.close()

        if self.side is not None:
            run_in_background(work, self.side.search.set_results, self._on_failed)

    def _on_result_chosen(self, r: dict) -> None:
        self.fly_to(r["lon"], r["lat"], r.get("zoom", 14))
        if r.get("kind") == "risk_point":
            self._show_detail("risk_points", int(r["id"]))

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
            run_in_background(work, lambda r: self.side.detail.show_detail(*r), self._on_failed)


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
