"""The district layer: a choropleth over the ranked units' boundaries.

The boundaries themselves are drawn once by the page (folium builds them into the skeleton);
this layer only says which colour and which numbers each ranked unit carries: by risk points
(per unit, major ones counted apart) or by the five-colour evaluation level.

A district or street centre's dataset may hold a polygon for its own area only: its ranked
units (streets, communities) have none. Units with a polygon are coloured as polygons
(``features``); the others are drawn as coloured circles at their centre points (``units``),
the legend says so (``note``), and the top unit's own polygon carries its name and totals.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import duckdb
from cockpit.datasets import evaluation, summary
from cockpit.datasets.i18n import QT_TRANSLATE_NOOP, Text
from cockpit.layers.base import Viewport

#: Sequential palette for risk density, light to dark (ColorBrewer "OrRd", 5 classes).
DENSITY_COLOURS = ("#fef0d9", "#fdcc8a", "#fc8d59", "#e34a33", "#b30000")
#: The top unit's own polygon when its units are coloured inside it: not a class colour.
OUTLINE_COLOUR = "#1a2a48"
#: admin_unit levels by their word on screen (marked for translation).
LEVEL_WORDS = {"city": QT_TRANSLATE_NOOP("vocabulary", "市"),
               "district": QT_TRANSLATE_NOOP("vocabulary", "区县"),
               "street": QT_TRANSLATE_NOOP("vocabulary", "镇街"),
               "community": QT_TRANSLATE_NOOP("vocabulary", "村社"),
               "grid": QT_TRANSLATE_NOOP("vocabulary", "网格")}


class DistrictLayer:
    """Colour and label per district, by ``mode`` "density" or "evaluation"."""

    name = "districts"

    def __init__(self, mode: str = "density") -> None:
        if mode not in ("density", "evaluation"):
            raise ValueError(f"unknown district colouring {mode!r}")
        self.mode = mode

    def query(self, con: duckdb.DuckDBPyConnection, viewport: Viewport | None = None,
              as_of: datetime | None = None, filters: dict[str, Any] | None = None) -> dict:
        if self.mode == "evaluation":
            return self._evaluation(con, (filters or {}).get("period"))
        return self._density(con)

    def _density(self, con: duckdb.DuckDBPyConnection) -> dict:
        info = summary.unit_info(con)
        level = info.ranked_level
        if level not in ("district", "street"):
            level = "district"
        dens = summary.risk_density_by_unit(con, level)
        names = dict(con.execute("SELECT code, name FROM admin_unit WHERE level = ?",
                                 [level]).fetchall())
        dens = {c: v for c, v in dens.items() if c in names}
        totals = sorted(v["total"] for v in dens.values())
        # quantile class breaks so that the colours spread over the districts
        breaks = [totals[int(len(totals) * q)] for q in (0.2, 0.4, 0.6, 0.8)] if totals else []
        features = {}
        for code in names:
            dens.setdefault(code, {"total": 0, "major": 0})
        for code, v in dens.items():
            cls = sum(v["total"] >= b for b in breaks)
            features[code] = {"colour": DENSITY_COLOURS[cls], "value": v["total"],
                              "major": v["major"], "name": names.get(code, code)}
        legend = [{"colour": c, "label": f"≥ {b:,}"} for c, b in
                  zip(DENSITY_COLOURS[1:], breaks)]
        legend.insert(0, {"colour": DENSITY_COLOURS[0], "label": f"< {breaks[0]:,}" if breaks
                          else ""})
        title = Text(QT_TRANSLATE_NOOP("vocabulary", "风险点数（按{unit}）"),
                     unit=LEVEL_WORDS.get(level, level))
        top = {"value": sum(v["total"] for v in dens.values()),
               "major": sum(v["major"] for v in dens.values())}
        return _placed({"layer": self.name, "mode": "density", "features": features,
                        "legend": legend, "title": title}, con, info, level, top)

    def _evaluation(self, con: duckdb.DuckDBPyConnection, period: str | None,
                    mode: str = "absolute") -> dict:
        """The total's five-colour level per ranked unit: the same palette as the grid."""
        ev = evaluation.evaluate_quarter(con, period)
        features = {}
        for r in ev.ranking.itertuples():
            cell = ev.cell(str(r.unit_code), evaluation.TOTAL, mode)
            features[str(r.unit_code)] = {
                "colour": cell["colour"], "value": cell["score"], "label": cell["label"],
                "name": str(r.unit_name), "rank": cell["rank"]}
        # "word" and "rule" let the window show the label in the interface language
        legend = [{"colour": p["colour"], "label": f"{p['label']} ≥ {p['min_score']:g}",
                   "word": p["label"], "rule": f"≥ {p['min_score']:g}"} for p in ev.scheme]
        info = summary.unit_info(con)
        title = Text(QT_TRANSLATE_NOOP("vocabulary", "五色评价 {period}"), period=ev.period)
        return _placed({"layer": self.name, "mode": "evaluation", "period": ev.period,
                        "features": features, "legend": legend, "title": title},
                       con, info, info.ranked_level, None)


def _placed(msg: dict, con: duckdb.DuckDBPyConnection, info: summary.UnitInfo, level: str,
            top_values: dict | None) -> dict:
    """Split the units of ``msg["features"]`` into those with a polygon (kept) and those
    without (moved to ``units``, with their centre points), give the top unit's polygon its
    name, and say on the legend how many units are drawn as points."""
    polygons, overlays = set(), set()
    for code, overlay in con.execute("SELECT adcode, coalesce(overlay, false) FROM boundaries"
                                     ).fetchall():
        (overlays if overlay else polygons).add(str(code))
    features = msg["features"]
    # a unit whose polygon is an overlay (a functional zone, drawn dashed, unfilled) is
    # coloured at its centre too, but it does have a boundary
    missing = [c for c in features if c not in polygons]
    no_boundary = [c for c in missing if c not in overlays]
    units = []
    if missing:
        centre = {str(c): (x, y) for c, x, y in con.execute(
            "SELECT code, lon, lat FROM admin_unit WHERE code IN (SELECT unnest(?))",
            [missing]).fetchall()}
        for code in missing:
            f = features.pop(code)
            lon, lat = centre.get(code, (None, None))
            if lon is not None and lat is not None:
                units.append({"code": code, "lon": float(lon), "lat": float(lat), **f})
    if info.top_code in polygons and info.top_code not in features:
        features[info.top_code] = {"colour": OUTLINE_COLOUR, "name": info.top_name,
                                   "outline": True, **(top_values or {})}
    msg["units"] = units
    if no_boundary:
        msg["note"] = Text(QT_TRANSLATE_NOOP(
            "vocabulary", "{n} 个{unit}没有边界：以中心点着色"), n=len(no_boundary),
            unit=LEVEL_WORDS.get(level, level))
    return msg
