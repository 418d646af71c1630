"""The demo-dataset generator: contract, real geography, determinism, district datasets."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from cockpit.datasets import geography as geo
from cockpit.datasets import schema
from cockpit.datasets.generate import arrow_schema, generate, quarters_before

ANCHOR = "2026-11-20"


def _read(d: Path, table: str):
    return pq.read_table(d / f"{table}.parquet")


def _df(d: Path, table: str):
    return _read(d, table).to_pandas()


@pytest.fixture(scope="module")
def district_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("district") / "data"
    generate(out, scale="small", seed=3, anchor=ANCHOR, district="500103")
    return out


# ------------------------------------------------------------------------- format


def test_every_table_with_the_declared_arrow_schema(small_dataset_master: Path) -> None:
    for t in schema.TABLES:
        sch = pq.read_schema(small_dataset_master / f"{t.name}.parquet")
        assert sch.names == [c.name for c in t.columns], t.name
        expected = arrow_schema(t.name)
        for f in expected:
            assert sch.field(f.name).type == f.type, (t.name, f.name)
    assert arrow_schema("vital_reading").field("ts").type.tz is None


def test_row_counts_follow_the_scale_and_the_kpi_grid_is_complete(small_dataset_master: Path
                                                                  ) -> None:
    """The files hold what the scale asks for (compared with the generator's own settings, not
    restated here), the readings cover every sign at every step, and every KPI has a value for
    every ranked unit in every quarter."""
    import duckdb
    from cockpit.datasets.generate import SCALES

    sc = SCALES["small"]
    n = {t.name: pq.read_metadata(small_dataset_master / f"{t.name}.parquet").num_rows
         for t in schema.TABLES}
    assert (n["risk_point"], n["sensor"], n["vital_sign"], n["event"], n["facility"]) == (
        sc.risk_points, sc.sensors, sc.vital_signs, sc.events, sc.facilities)
    steps_per_day = 24 * 60 // sc.reading_step_min
    assert n["vital_reading"] == sc.vital_signs * sc.reading_days * steps_per_day
    con = duckdb.connect()
    kv = str(small_dataset_master / "kpi_value.parquet")
    kpis, units, periods, rows = con.execute(
        f"SELECT count(DISTINCT kpi_id), count(DISTINCT unit_code), count(DISTINCT period), "
        f"count(*) FROM '{kv}'").fetchone()
    assert rows == kpis * units * periods and kpis == n["kpi"] and periods == 8
    dup = con.execute(f"SELECT count(*) FROM (SELECT kpi_id, unit_code, period FROM '{kv}' "
                      "GROUP BY ALL HAVING count(*) > 1)").fetchone()[0]
    assert dup == 0


def test_manifest_says_synthetic(small_dataset_master: Path) -> None:
    m = json.loads((small_dataset_master / schema.MANIFEST_FILE).read_text("utf-8"))
    assert m["synthetic"] is True
    assert m["title"] == "重庆市城市运行演示数据 (synthetic)"
    assert m["seed"] == 7 and m["scale"] == "small" and m["district"] is None
    assert m["top_unit"] == "500000"
    assert m["anchor"] == ANCHOR
    assert m["as_of"] == "2026-11-21T00:00:00"
    assert m["generated_by"] == "cockpit.datasets.generate"
    assert "虚构" in m["notice"] and "invented" in m["notice"]


# ------------------------------------------------------------------------- geography


def test_real_admin_tree(small_dataset_master: Path) -> None:
    au = _df(small_dataset_master, "admin_unit")
    counts = au.level.value_counts().to_dict()
    assert counts["city"] == 1
    assert counts["district"] == 41
    assert counts["street"] == 1_031
    assert counts["community"] == 11_270
    assert counts["grid"] == 11_270  # small: one grid per community
    assert au.code.is_unique
    zones = au[au.functional_zone.fillna(False)]
    assert sorted(zones.name) == sorted(z.name for z in geo.FUNCTIONAL_ZONES)
    assert set(au.loc[au.ranked.fillna(False), "level"]) == {"district"}
    assert au.ranked.sum() == 41
    assert au.loc[au.level == "city", "parent_code"].isna().all()
    codes = set(au.code)
    assert au.loc[au.level != "city", "parent_code"].isin(codes).all()
    # the real codes and names of the reference, unchanged
    ref = geo.admin_units()
    real = au[au.level.isin(["street", "community"])].set_index("code").name
    ref = ref[ref.level.isin(["street", "community"])].set_index("code").name
    assert real.sort_index().equals(ref.sort_index())
    grids = au[au.level == "grid"]
    assert (grids.code.str.len() == 15).all()
    assert (grids.code.str[:12] == grids.parent_code).all()
    assert grids.name.str.endswith("网格").all()


def test_units_and_points_inside_their_own_district(small_dataset_master: Path) -> None:
    for table in ("risk_point", "facility", "sensor", "event"):
        df = _df(small_dataset_master, table)
        ok = geo.points_in_districts(df.district_code.to_numpy(), df.lon.to_numpy(),
                                     df.lat.to_numpy())
        assert ok.all(), f"{table}: {(~ok).sum()} points outside their district"
    au = _df(small_dataset_master, "admin_unit")
    below = au[au.level.isin(["street", "community", "grid"])]
    ok = geo.points_in_districts(below.code.str[:6].to_numpy(), below.lon.to_numpy(),
                                 below.lat.to_numpy())
    assert ok.all()


def test_risk_points_are_denser_in_the_central_districts(small_dataset_master: Path) -> None:
    rp = _df(small_dataset_master, "risk_point")
    central = rp.district_code.isin(geo.CENTRAL_DISTRICTS).mean()
    assert central > 0.35  # 9 of 38 districts, about 4 % of the area
    assert rp.street_code.str[:6].eq(rp.district_code).all()
    assert rp.grid_code.str[:9].eq(rp.street_code).all()
    share = rp.level.value_counts(normalize=True)
    assert share[1] < 0.05 and share[4] > 0.5
    assert (rp.owner_dept.str.split("-").str[1] == rp.district_code).all()


def test_boundaries_38_districts_and_3_overlays(small_dataset_master: Path) -> None:
    fc = json.loads((small_dataset_master / schema.BOUNDARIES_FILE).read_text("utf-8"))
    feats = fc["features"]
    assert len(feats) == 41
    real = [f for f in feats if not f["properties"]["overlay"]]
    over = [f for f in feats if f["properties"]["overlay"]]
    assert len(real) == 38 and len(over) == 3
    assert {f["properties"]["adcode"] for f in real} == set(geo.district_polygons())
    assert all(f["properties"].get("approximate") for f in over)
    assert {f["properties"]["adcode"] for f in over} == {z.code for z in geo.FUNCTIONAL_ZONES}

    def coords(g):
        return np.asarray([c for poly in (g["coordinates"] if g["type"] == "MultiPolygon"
                                          else [g["coordinates"]]) for ring in poly for c in ring])

    c = coords(over[0]["geometry"])
    assert np.allclose(c, np.round(c, 5))


def test_zone_overlays_lie_in_their_districts() -> None:
    polys = geo.district_polygons()
    for z in geo.FUNCTIONAL_ZONES:
        zp = geo.zone_polygons()[z.code]
        assert not zp.is_empty and zp.is_valid
        union = polys[z.districts[0]]
        for c in z.districts[1:]:
            union = union.union(polys[c])
        assert zp.difference(union).area < 1e-9
        assert 100 < geo.area_km2(zp) < 2_000


# ------------------------------------------------------------------------- content


def test_water_main_plan_has_14_steps(small_dataset_master: Path) -> None:
    steps = _df(small_dataset_master, "plan_step")
    depts = _df(small_dataset_master, "department")
    w = steps[steps.plan_id == "P-WATER-MAIN-BURST"].sort_values("step_no")
    assert list(w.step_no) == list(range(1, 15))
    assert set(w.stage) <= set(schema.STAGES) and set(w.stage) == set(schema.STAGES)
    assert (np.diff(w.due_min.to_numpy()) >= 0).all()
    assert w.dept_id.str.startswith("D-CITY-").all()
    assert len(set(w.dept_id)) >= 7
    assert steps.dept_id.isin(set(depts.dept_id)).all()
    assert set(depts.loc[depts.dept_id.isin(w.dept_id), "kind"]) >= {"城管", "公安", "消防", "经信",
                                                                     "通信", "供水", "应急"}
    bio = steps[(steps.plan_id == "P-BIOGAS") & (steps.stage == "handle")]
    assert len(bio) and bio.due_min.max() <= 20
    counts = steps.groupby("plan_id").size()
    assert counts.drop(["P-WATER-MAIN-BURST"]).between(3, 8).all()
    types = _df(small_dataset_master, "event_type").set_index("type_id")
    for code in ("WATER-MAIN-BURST", "BIOGAS", "FOREST-FIRE", "TOUTING"):
        assert types.loc[f"ET-{code}", "plan_id"] == f"P-{code}"
    ff = types.loc["ET-FOREST-FIRE"]
    assert (ff.react_min, ff.verify_min, ff.handle_min) == (1, 3, 5)
    assert types.loc["ET-BIOGAS", "handle_min"] <= 20
    assert types.plan_id.notna().mean() > 0.5
    assert (types.react_min <= types.verify_min).all()
    assert (types.verify_min <= types.handle_min).all()
    assert {"占道经营", "乱堆物料", "暴露垃圾"} <= set(types.name)


def test_kpi_periods_are_the_8_quarters_before_the_anchor(small_dataset_master: Path) -> None:
    kv = _df(small_dataset_master, "kpi_value")
    expected = ["2024Q4", "2025Q1", "2025Q2", "2025Q3", "2025Q4", "2026Q1", "2026Q2", "2026Q3"]
    assert sorted(kv.period.unique()) == expected
    assert quarters_before(date(2026, 11, 20)) == expected
    assert quarters_before(date(2026, 1, 1))[-1] == "2025Q4"
    assert 0.002 < kv.value.isna().mean() < 0.03
    kpi = _df(small_dataset_master, "kpi")
    assert set(kpi.board) == set(schema.BOARDS)
    assert kpi.groupby(["board", "runway"]).ngroups == 70
    assert kpi.kpi_id.is_unique
    # rankings move between quarters, but not randomly
    kv = kv.merge(kpi[["kpi_id", "target", "direction"]], on="kpi_id")
    sign = np.where(kv.direction == "higher", 1, -1)
    kv["score"] = sign * (kv.value / kv.target - 1)
    s = kv.groupby(["period", "unit_code"]).score.mean().unstack("period")
    rho = s.rank().corr().to_numpy()
    assert 0.2 < rho[-1, -2] < 0.999


def test_vital_sign_thresholds_are_ordered(small_dataset_master: Path) -> None:
    vs = _df(small_dataset_master, "vital_sign")
    assert set(vs.domain) <= set(schema.VITAL_DOMAINS)
    seq = vs[["alarm_low", "warn_low", "warn_high", "alarm_high"]].to_numpy()
    for row in seq:
        vals = row[~np.isnan(row)]
        assert (np.diff(vals) >= 0).all(), row
    one_sided = vs.warn_low.isna() ^ vs.warn_high.isna()
    assert one_sided.any()
    assert (vs.warn_low.isna() == vs.alarm_low.isna()).all()
    au = _df(small_dataset_master, "admin_unit")
    assert vs.unit_code.isin(au.loc[au.level.isin(["city", "district"]), "code"]).all()


def test_vital_readings_cover_the_window_and_some_alarm(small_dataset_master: Path) -> None:
    vr = _df(small_dataset_master, "vital_reading")
    anchor = datetime.fromisoformat(ANCHOR)
    assert vr.ts.min() == anchor - timedelta(days=1)
    assert vr.ts.max() == anchor + timedelta(days=1) - timedelta(minutes=15)
    key = list(zip(vr.indicator_id, vr.ts, strict=True))
    assert key == sorted(key)
    vs = _df(small_dataset_master, "vital_sign")
    m = vr.merge(vs, on="indicator_id")
    warn = (m.value > m.warn_high) | (m.value < m.warn_low)
    alarm = (m.value > m.alarm_high) | (m.value < m.alarm_low)
    n = len(vs)
    assert 0.02 * n <= m.loc[warn, "indicator_id"].nunique() <= 0.10 * n
    assert 1 <= m.loc[alarm, "indicator_id"].nunique() <= 0.04 * n


def test_events_history(small_dataset_master: Path) -> None:
    ev = _df(small_dataset_master, "event")
    anchor = datetime.fromisoformat(ANCHOR)
    assert ev.event_id.is_unique
    assert ev.occurred_at.is_monotonic_increasing
    assert ev.occurred_at.min() >= anchor - timedelta(days=90)
    assert ev.occurred_at.max() < anchor + timedelta(days=1)
    assert set(ev.source) == set(schema.EVENT_SOURCES)
    sensor = ev.source == "sensor"
    assert ev.loc[sensor, "point_id"].notna().all()
    assert ev.street_code.str[:6].eq(ev.district_code).all()
    hours = ev.occurred_at.dt.hour
    assert (hours.between(9, 17)).mean() > 0.5  # more in the day
    types = _df(small_dataset_master, "event_type")
    assert ev.type_id.isin(set(types.type_id)).all()
    assert ev.title.str.contains(" ").all()


def test_a_variant_is_as_common_as_its_context(small_dataset_master: Path) -> None:
    """The plain kind comes first; among its variants, the ones in common places (a
    residential estate, a main road) far outnumber those in rare ones (underground, under a
    bridge) — not an order drawn at random."""
    from cockpit.datasets.generate import CONTEXT_PREVALENCE

    ev = _df(small_dataset_master, "event")
    types = _df(small_dataset_master, "event_type")
    ctx = types.name.str.extract(r"（(.+)）$")[0]
    n = ev.type_id.map(ev.type_id.value_counts()).groupby(ev.type_id).first()
    per_ctx = ctx.groupby(ctx).size()  # how many kinds have each context
    events = types.assign(ctx=ctx, n=types.type_id.map(n).fillna(0)).groupby("ctx").n.sum()
    per_kind = events / per_ctx  # events of a context's variant, per kind that has it
    assert per_kind["居民小区"] > 4 * per_kind["地下空间"]
    assert per_kind["主干道"] > 4 * per_kind["桥下空间"]
    assert per_kind["村庄周边"] > 3 * per_kind["矿区周边"]
    assert set(ctx.dropna()) <= set(CONTEXT_PREVALENCE)
    plain = ctx.isna()
    assert types[plain].type_id.map(n).fillna(0).sum() > 0.25 * len(ev)


def test_structure_tables(small_dataset_master: Path) -> None:
    es = _df(small_dataset_master, "eval_scheme")
    assert list(es.itertuples(index=False, name=None)) == [
        (1, "#0571b0", "优秀", 90.0), (2, "#92c5de", "良好", 80.0), (3, "#ffe08a", "一般", 70.0),
        (4, "#f4a582", "较差", 60.0), (5, "#ca0020", "差", 0.0)]
    dep = _df(small_dataset_master, "department")
    assert (dep.level == "city").sum() == 30
    assert (dep.level == "district").sum() == 30 * 41
    assert (dep.level == "street").sum() == 1_031
    assert {"D-CITY-CGJ", "D-500103-CGJ", "D-500103001-JD"} <= set(dep.dept_id)
    rp = _df(small_dataset_master, "risk_point")
    assert rp.owner_dept.isin(set(dep.dept_id)).all()
    fac = _df(small_dataset_master, "facility")
    assert set(fac.kind) == set(schema.FACILITY_KINDS)


# ------------------------------------------------------------------------- determinism


def _tables_equal(a: Path, b: Path) -> bool:
    return all(_read(a, t.name).equals(_read(b, t.name)) for t in schema.TABLES)


def test_deterministic(small_dataset_master: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    generate(again, scale="small", seed=7, anchor=ANCHOR)
    assert _tables_equal(small_dataset_master, again)
    assert ((small_dataset_master / schema.BOUNDARIES_FILE).read_bytes()
            == (again / schema.BOUNDARIES_FILE).read_bytes())
    other = tmp_path / "other"
    generate(other, scale="small", seed=8, anchor=ANCHOR)
    a = _read(small_dataset_master, "risk_point")
    b = _read(other, "risk_point")
    assert not a.equals(b)
    assert not np.array_equal(a["lon"].to_numpy(), b["lon"].to_numpy())
    # the structure does not depend on the seed
    for t in ("kpi", "event_type", "plan_step", "department"):
        assert _read(small_dataset_master, t).equals(_read(other, t))


def test_replaces_atomically_and_reports_progress(tmp_path: Path) -> None:
    out = tmp_path / "data"
    out.mkdir()
    (out / "stale.txt").write_text("old")
    calls: list[tuple[float, str]] = []
    summary = generate(out, scale="small", seed=1, anchor=date(2026, 11, 20), district="500104",
                       progress=lambda f, m: calls.append((f, m)))
    assert not (out / "stale.txt").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]
    assert summary["risk_point"] == pq.read_metadata(out / "risk_point.parquet").num_rows
    assert summary["seconds"] > 0
    fr = [f for f, _ in calls]
    assert fr == sorted(fr) and fr[-1] == 1.0 and all(0 <= f <= 1 for f in fr)
    assert all(isinstance(m, str) and m for _, m in calls)


def test_failed_run_leaves_nothing(tmp_path: Path) -> None:
    out = tmp_path / "data"

    def boom(f: float, m: str) -> None:
        if f > 0.3:
            raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        generate(out, scale="small", seed=1, anchor=ANCHOR, progress=boom)
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------------- one district


def test_district_dataset(district_dataset: Path) -> None:
    d = district_dataset
    m = json.loads((d / schema.MANIFEST_FILE).read_text("utf-8"))
    assert m["district"] == "500103" and m["top_unit"] == "500103" and m["synthetic"] is True
    au = _df(d, "admin_unit")
    top = au[au.parent_code.isna()]
    assert list(top.code) == ["500103"] and list(top.level) == ["district"]
    streets = au[au.level == "street"]
    ref = geo.admin_units()
    assert set(streets.code) == set(ref.loc[(ref.level == "street") & (ref.parent_code == "500103"),
                                            "code"])
    assert streets.ranked.all() and not au.loc[au.level != "street", "ranked"].any()
    kv = _df(d, "kpi_value")
    assert set(kv.unit_code) == set(streets.code)
    assert len(kv) == 911 * len(streets) * 8
    poly = geo.district_polygons()["500103"]
    for table in ("risk_point", "facility", "sensor", "event"):
        df = _df(d, table)
        assert (df.district_code == "500103").all()
        assert geo.contains(poly, df.lon.to_numpy(), df.lat.to_numpy()).all(), table
    assert len(_df(d, "risk_point")) >= 500
    fc = json.loads((d / schema.BOUNDARIES_FILE).read_text("utf-8"))
    props = [f["properties"] for f in fc["features"]]
    assert props[0]["adcode"] == "500103" and props[0]["overlay"] is False
    cells = props[1:]
    assert {p["adcode"] for p in cells} == set(streets.code)
    assert all(p["synthetic"] and p["level"] == "street" for p in cells)
    dep = _df(d, "department")
    assert dep.unit_code.dropna().isin(set(au.code)).all()
    vs = _df(d, "vital_sign")
    assert vs.unit_code.isin(set(au.code)).all()
    assert (vs.unit_code == "500103").mean() > 0.5


def test_unknown_district_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="500199"):
        generate(tmp_path / "x", scale="small", district="500199")
    with pytest.raises(ValueError, match="huge"):
        generate(tmp_path / "x", scale="huge")
    assert not (tmp_path / "x").exists()


def test_no_qt_import() -> None:
    code = ("import sys, cockpit.datasets.generate, cockpit.datasets.geography; "
            "bad = [m for m in sys.modules if m.startswith(('PySide6', 'shiboken', 'pyqtgraph'))]; "
            "assert not bad, bad")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    subprocess.run([sys.executable, "-c", code], check=True, env=env)
