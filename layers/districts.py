"""The district layer: a choropleth over the real district boundaries.

The boundaries themselves are drawn once by the page (folium builds them into the skeleton);
this layer only says which colour and which numbers each district carries: by risk density
(risk points per district, major ones weighted) or by the five-colour evaluation level.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import duckdb
from cockpit.datasets import evaluation, summary
from cockpit.layers.base import Viewport

#: Sequential palette for risk density, light to dark (ColorBrewer "OrRd", 5 classes).
DENSITY_COLOURS = ("#fef0d9", "#fdcc8a", "#fc8d59", "#e34a33", "#b30000")


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
        level = summary.unit_info(con).ranked_level
        if level not in ("district", "street"):
            level = "district"
        dens = summary.risk_density_by_unit(con, level)
        names = dict(con.execute("SELECT code, name FROM admin_unit WHERE level = ?",
                                 [level]).fetchall())
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
        return {"layer": self.name, "mode": "density", "features": features, "legend": legend}

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
        return {"layer": self.name, "mode": "evaluation", "period": ev.period,
                "features": features, "legend": legend}
