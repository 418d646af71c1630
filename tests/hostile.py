"""A district centre's dataset with hostile names (issue 14, items 4–6 and 8).

``make_hostile_district(out)`` generates the small dataset of one district (渝北 500112: its
streets are the ranked units), keeps only the district's own polygon in the boundaries (as a
district centre's file would hold), and rewrites names with markup, bidi controls and a
3,000-character word. Run alone to write one: ``python tests/hostile.py OUT``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pyarrow.parquet as pq

RLO = "\u202e"
#: The top unit's name: markup that would show bold, a script tag that would hide the rest
#: of the status line, and an override that would turn "41" into "14" after it.
TOP_NAME = "<b>渝北</b><script>x" + RLO
#: Markup in a name: an image a rich-text label would load.
IMG = "<img src=x>风险点"
#: One word of 3,000 characters: nothing to break it at.
LONG = "W" * 3000
#: Markup and an override together.
MIXED = "<i>斜</i>" + RLO + "08:55"
#: Strings that must never reach the screen as they are (markup and bidi controls).
MARKERS = ("<b>", "<img", "<script", "<i>", RLO)

DISTRICT = "500112"


def _rewrite(path: Path, column: str, values: dict[int, str]) -> None:
    """Set ``column`` of the rows at the given positions."""
    tbl = pq.read_table(path)
    col = tbl.column(column).to_pylist()
    for i, v in values.items():
        col[i] = v
    import pyarrow as pa

    tbl = tbl.set_column(tbl.schema.get_field_index(column), column, pa.array(col, pa.string()))
    pq.write_table(tbl, path)


def make_hostile_district(out: Path, anchor: str = "2026-11-20") -> Path:
    """Write the hostile district dataset into ``out`` and return it."""
    from cockpit.datasets.generate import generate

    out = Path(out)
    generate(out, scale="small", seed=7, anchor=anchor, district=DISTRICT)
    # the district's own polygon only: its streets have none
    gj_path = out / "district_boundaries.geojson"
    gj = json.loads(gj_path.read_text("utf-8"))
    gj["features"] = [f for f in gj["features"] if f["properties"].get("adcode") == DISTRICT]
    gj_path.write_text(json.dumps(gj, ensure_ascii=False), "utf-8")
    # the top unit, and the first ranked streets
    au = pq.read_table(out / "admin_unit.parquet").to_pylist()
    top = next(i for i, r in enumerate(au) if r["parent_code"] is None)
    streets = [i for i, r in enumerate(au) if r["level"] == "street"]
    _rewrite(out / "admin_unit.parquet", "name",
             {top: TOP_NAME, streets[0]: LONG, streets[1]: IMG, streets[2]: MIXED})
    n_points = pq.read_metadata(out / "risk_point.parquet").num_rows
    _rewrite(out / "risk_point.parquet", "name",
             {0: IMG, 1: LONG, 2: MIXED, n_points - 1: TOP_NAME})
    _rewrite(out / "risk_category.parquet", "name", {0: "<u>燃气</u>" + RLO + "12", 1: LONG})
    n_events = pq.read_metadata(out / "event.parquet").num_rows
    _rewrite(out / "event.parquet", "title",
             {i: (IMG, LONG, MIXED, TOP_NAME)[i % 4] for i in range(n_events - 40, n_events)})
    _rewrite(out / "facility.parquet", "name", {0: IMG, 1: LONG})
    _rewrite(out / "vital_sign.parquet", "name", {0: IMG, 1: MIXED, 2: LONG})
    _rewrite(out / "kpi.parquet", "name", {0: IMG, 1: MIXED})
    manifest = json.loads((out / "dataset.json").read_text("utf-8"))
    manifest["title"] = "<b>区中心</b>" + RLO + "数据"
    manifest["synthetic"] = False
    (out / "dataset.json").write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")
    return out


if __name__ == "__main__":
    print(make_hostile_district(Path(sys.argv[1])))
