"""Routing an event to departments (plans, deadlines) and the impact analysis around a place."""

from __future__ import annotations

import math
from pathlib import Path

import duckdb
import numpy as np
import pytest
from cockpit.datasets.routing import (
    EARTH_RADIUS_KM,
    Plan,
    PlanStep,
    by_department,
    haversine_km,
    impact,
    order_deadlines,
    place_of,
    plan_for_event,
    plan_for_type,
)

TABLES = ("admin_unit", "department", "risk_category", "risk_point", "plan", "plan_step",
          "event_type", "event", "facility")


@pytest.fixture(scope="module")
def small_con(small_dataset_master: Path):
    con = duckdb.connect()
    for t in TABLES:
        con.execute(f"CREATE TABLE {t} AS SELECT * FROM read_parquet(?)",
                    [str(small_dataset_master / f"{t}.parquet")])
    yield con
    con.close()


# ------------------------------------------------------------------ plans


def test_water_main_burst_plan_resolves_to_the_events_district(small_con) -> None:
    ev = small_con.execute(
        "SELECT event_id, district_code FROM event WHERE type_id = 'ET-WATER-MAIN-BURST' "
        "ORDER BY event_id LIMIT 1").fetchone()
    assert ev is not None
    plan = plan_for_event(small_con, ev[0])
    assert isinstance(plan, Plan) and plan.plan_id == "P-WATER-MAIN-BURST"
    assert [s.step_no for s in plan] == list(range(1, 15))
    kinds = ["GS", "CGJ", "GAJ", "GS", "XF", "CGJ", "TXJ", "JXW", "YJJ", "GS", "GS", "CGJ",
             "GAJ", "CGJ"]
    assert [s.dept_id for s in plan] == [f"D-{ev[1]}-{k}" for k in kinds]
    assert [s.plan_dept for s in plan] == [f"D-CITY-{k}" for k in kinds]
    assert plan.departments() == [f"D-{ev[1]}-{k}"
                                  for k in ("GS", "CGJ", "GAJ", "XF", "TXJ", "JXW", "YJJ")]
    known = {r[0] for r in small_con.execute("SELECT dept_id FROM department").fetchall()}
    assert set(plan.departments()) <= known
    tt = small_con.execute("SELECT react_min, verify_min, handle_min FROM event_type "
                           "WHERE type_id = 'ET-WATER-MAIN-BURST'").fetchone()
    assert plan.targets == {"react": tt[0], "verify": tt[1], "handle": tt[2]}
    assert plan[10].due_min == 240 and plan[10].stage == "handle"


def test_every_event_type_gets_a_plan_of_known_departments(small_con) -> None:
    known = {r[0] for r in small_con.execute("SELECT dept_id FROM department").fetchall()}
    events = small_con.execute(
        "SELECT any_value(event_id) FROM event GROUP BY type_id ORDER BY 1 LIMIT 300"
    ).fetchall()
    for (eid,) in events:
        plan = plan_for_event(small_con, eid)
        assert plan and all(s.dept_id in known for s in plan), eid
        assert all(s.stage in ("react", "confirm", "verify", "handle", "close") for s in plan)


def test_event_type_without_plan_gets_the_default_departments_three_steps(small_con) -> None:
    row = small_con.execute(
        """SELECT e.event_id, e.district_code, t.dept_id, t.react_min, t.verify_min,
                  t.handle_min
           FROM event e JOIN event_type t USING (type_id) WHERE t.plan_id IS NULL
           ORDER BY e.event_id LIMIT 1""").fetchone()
    if row is None:
        pytest.skip("every event type of the small dataset has a plan")
    eid, district, dept, react, verify, handle = row
    plan = plan_for_event(small_con, eid)
    assert plan.plan_id is None
    assert [(s.stage, s.due_min) for s in plan] == [("react", react), ("verify", verify),
                                                   ("handle", handle)]
    assert {s.dept_id for s in plan} == {dept.replace("D-CITY-", f"D-{district}-")}


def test_unknown_event_raises_key_error(small_con) -> None:
    with pytest.raises(KeyError):
        plan_for_event(small_con, -1)


@pytest.fixture
def tiny_con():
    """A hand-made catalog: one plan naming a street office, a kind the district lacks, and
    a step without a stage."""
    con = duckdb.connect()
    con.execute("CREATE TABLE department (dept_id VARCHAR, name VARCHAR, level VARCHAR)")
    con.execute("""INSERT INTO department VALUES
        ('D-CITY-CGJ', 'c', 'city'), ('D-CITY-RFB', 'c', 'city'), ('D-CITY-JD', 'x', 'city'),
        ('D-500103-CGJ', 'd', 'district'), ('D-500103001-JD', 's', 'street')""")
    con.execute("CREATE TABLE plan (plan_id VARCHAR, name VARCHAR)")
    con.execute("INSERT INTO plan VALUES ('P-X', 'x')")
    con.execute("""CREATE TABLE plan_step (plan_id VARCHAR, step_no INTEGER, dept_id VARCHAR,
                   action VARCHAR, due_min DOUBLE, stage VARCHAR)""")
    con.execute("""INSERT INTO plan_step VALUES
        ('P-X', 1, 'D-CITY-CGJ', 'sign', 5, 'react'),
        ('P-X', 2, 'D-CITY-JD', 'street office on site', 12, NULL),
        ('P-X', 3, 'D-CITY-RFB', 'shelters', 100, 'handle'),
        ('P-X', 4, 'D-500199-OWN', 'a dataset of its own', 50, NULL),
        ('P-X', 5, 'D-CITY-CGJ', 'close', 200, 'close')""")
    con.execute("""CREATE TABLE event_type (type_id VARCHAR, name VARCHAR, dept_id VARCHAR,
                   react_min DOUBLE, verify_min DOUBLE, handle_min DOUBLE, plan_id VARCHAR)""")
    con.execute("INSERT INTO event_type VALUES ('ET-X', 'x', 'D-CITY-CGJ', 10, 30, 120, 'P-X')")
    con.execute("""CREATE TABLE event (event_id BIGINT, type_id VARCHAR, district_code VARCHAR,
                   street_code VARCHAR)""")
    con.execute("""INSERT INTO event VALUES (1, 'ET-X', '500103', '500103001'),
                   (2, 'ET-X', '500103', '500103999'), (3, 'ET-X', '500104', NULL)""")
    yield con
    con.close()


def test_department_levels_resolve_with_fallbacks(tiny_con) -> None:
    p1 = plan_for_event(tiny_con, 1)
    assert [s.dept_id for s in p1] == ["D-500103-CGJ", "D-500103001-JD", "D-CITY-RFB",
                                       "D-500199-OWN", "D-500103-CGJ"]
    # a step without a stage gets one from the event type's targets
    assert [s.stage for s in p1] == ["react", "verify", "handle", "handle", "close"]
    p2 = plan_for_event(tiny_con, 2)  # the street has no office: the city one stays
    assert p2[1].dept_id == "D-CITY-JD"
    p3 = plan_for_event(tiny_con, 3)  # another district without its own departments
    assert [s.dept_id for s in p3][:3] == ["D-CITY-CGJ", "D-CITY-JD", "D-CITY-RFB"]
    assert [d for d, _ in by_department(p1)] == ["D-500103-CGJ", "D-500103001-JD",
                                                 "D-CITY-RFB", "D-500199-OWN"]


def test_order_deadlines() -> None:
    targets = {"react": 5, "verify": 30, "handle": 240}
    st = [PlanStep(1, "A", "a", 5, "react"), PlanStep(4, "A", "b", 20, "verify"),
          PlanStep(10, "A", "c", 60, "handle"), PlanStep(11, "A", "d", 240, "handle")]
    assert order_deadlines(st, targets, 360) == {"acknowledge": 5, "handle": 240,
                                                 "verify": 240, "close": 360}
    # a department with only a late react step: the later actions are never due earlier
    st = [PlanStep(3, "B", "x", 15, "react")]
    assert order_deadlines(st, {"react": 5, "verify": 10, "handle": 12}, None) == {
        "acknowledge": 15, "handle": 15, "verify": 15, "close": 15}
    # close falls back to the plan's close; no targets and no steps: all zero
    assert order_deadlines([PlanStep(1, "C", "x", 30, "handle")], {}, 90)["close"] == 90
    assert order_deadlines([], {}, None) == dict.fromkeys(
        ("acknowledge", "handle", "verify", "close"), 0.0)
    # deadlines never decrease along the action order
    rng = np.random.default_rng(3)
    for _ in range(200):
        steps = [PlanStep(i, "D", "x", float(rng.integers(0, 500)),
                          str(rng.choice(["react", "verify", "handle", "close", "?"])))
                 for i in range(int(rng.integers(0, 6)))]
        d = order_deadlines(steps, {"react": 5, "verify": 30, "handle": 240}, 300)
        v = [d[a] for a in ("acknowledge", "handle", "verify", "close")]
        assert v == sorted(v)


# ------------------------------------------------------------------ impact


LON0, LAT0 = 106.55, 29.56
KM_PER_DEG_LAT = EARTH_RADIUS_KM * math.pi / 180


def _north(km: float) -> tuple[float, float]:
    return LON0, LAT0 + km / KM_PER_DEG_LAT


def _east(km: float) -> tuple[float, float]:
    # solve haversine for the longitude offset along the parallel
    dl = 2 * math.asin(math.sin(km / (2 * EARTH_RADIUS_KM)) / math.cos(math.radians(LAT0)))
    return LON0 + math.degrees(dl), LAT0


@pytest.fixture
def placed_con():
    """A hand-placed event at (LON0, LAT0) with units, risk points and facilities around it."""
    con = duckdb.connect()
    con.execute("""CREATE TABLE admin_unit (code VARCHAR, name VARCHAR, level VARCHAR,
                   parent_code VARCHAR, lon DOUBLE, lat DOUBLE)""")
    units = [("S1", "近街道", "street", _north(0.5)), ("S2", "远街道", "street", _east(1.6)),
             ("C1", "社区一", "community", _east(0.9)), ("C2", "社区二", "community", _north(1.2)),
             ("C3", "社区三", "community", _north(-0.2)), ("G1", "网格", "grid", _north(0.1)),
             ("D1", "区", "district", _north(0.05))]
    con.executemany("INSERT INTO admin_unit VALUES (?, ?, ?, NULL, ?, ?)",
                    [(c, n, lv, *xy) for c, n, lv, xy in units])
    con.execute("CREATE TABLE risk_category (category_id VARCHAR, name VARCHAR)")
    con.execute("INSERT INTO risk_category VALUES ('RC-GAS', '燃气管网'), ('RC-BRIDGE', '桥梁')")
    con.execute("""CREATE TABLE risk_point (point_id BIGINT, category_id VARCHAR, lon DOUBLE,
                   lat DOUBLE, level INTEGER)""")
    pts = [(1, "RC-GAS", _north(0.3), 2), (2, "RC-GAS", _east(0.8), 1),
           (3, "RC-GAS", _north(-0.95), 1), (4, "RC-BRIDGE", _east(-0.6), 3),
           (5, "RC-BRIDGE", _east(1.05), 1), (6, "RC-GAS", _north(1.01), 2),
           (7, "RC-OTHER", _north(0.99), 4)]
    con.executemany("INSERT INTO risk_point VALUES (?, ?, ?, ?, ?)",
                    [(i, c, *xy, lv) for i, c, xy, lv in pts])
    con.execute("""CREATE TABLE facility (facility_id BIGINT, kind VARCHAR, name VARCHAR,
                   lon DOUBLE, lat DOUBLE, district_code VARCHAR)""")
    fac = [(1, "warehouse", "远仓库", _north(30.0)), (2, "warehouse", "近仓库", _east(-7.5)),
           (3, "fire_station", "消防站", _north(2.0)), (4, "hospital", "医院", _north(0.1)),
           (5, "fire_station", "远消防站", _east(2.5))]
    con.executemany("INSERT INTO facility VALUES (?, ?, ?, ?, ?, '500103')",
                    [(i, k, n, *xy) for i, k, n, xy in fac])
    yield con
    con.close()


def test_impact_of_a_hand_placed_event(placed_con) -> None:
    plan = [PlanStep(1, "A", "x", 5, "react"), PlanStep(2, "A", "y", 240, "handle"),
            PlanStep(3, "B", "z", 300, "handle"), PlanStep(4, "A", "w", 360, "close")]
    im = impact(placed_con, LON0, LAT0, 1.0, plan)
    assert [(p.code, p.distance_km) for p in im.streets] == [("S1", 0.5)]
    assert [(p.code, p.distance_km) for p in im.communities] == [("C3", 0.2), ("C1", 0.9)]
    assert im.nearest_street.code == "S1"
    got = {(r.category_id, r.name, r.count, r.major) for r in im.risk_by_category}
    assert got == {("RC-GAS", "燃气管网", 3, 2), ("RC-BRIDGE", "桥梁", 1, 0),
                   ("RC-OTHER", "RC-OTHER", 1, 0)}
    assert im.risk_by_category[0].category_id == "RC-GAS" and im.risk_points == 5
    assert im.nearest_warehouse.facility_id == 2
    assert im.nearest_warehouse.distance_km == pytest.approx(7.5, abs=1e-3)
    assert im.nearest_fire_station.name == "消防站"
    assert im.nearest_fire_station.distance_km == pytest.approx(2.0, abs=1e-3)
    assert im.repair_min == 300  # the latest handle step, not the sum
    # a wider radius takes in the far street and the far points; no plan, no repair time
    im2 = impact(placed_con, LON0, LAT0, 2.0)
    assert [p.code for p in im2.streets] == ["S1", "S2"] and im2.risk_points == 7
    assert im2.repair_min is None
    # nothing within a tiny radius: the nearest street is still named
    im3 = impact(placed_con, LON0, LAT0, 0.05)
    assert im3.streets == [] and im3.nearest_street.code == "S1" and im3.risk_points == 0


def test_impact_matches_brute_force_on_the_small_dataset(small_con) -> None:
    rp = small_con.execute("SELECT category_id, lon, lat FROM risk_point").df()
    au = small_con.execute("SELECT code, level, lon, lat FROM admin_unit "
                           "WHERE level IN ('street', 'community')").df()
    fa = small_con.execute("SELECT facility_id, kind, lon, lat FROM facility").df()

    def dist(df, lon, lat):
        p1, p2 = np.radians(lat), np.radians(df["lat"].to_numpy())
        dl = np.radians(df["lon"].to_numpy() - lon)
        a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
        return 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1, np.sqrt(a)))

    events = small_con.execute("SELECT lon, lat FROM event USING SAMPLE 8 ROWS (reservoir, 5)"
                               ).fetchall()
    for lon, lat in events:
        for r in (0.5, 2.0):
            im = impact(small_con, lon, lat, r)
            d = dist(rp, lon, lat)
            want = rp[d <= r].groupby("category_id").size().to_dict()
            assert {x.category_id: x.count for x in im.risk_by_category} == want
            du = dist(au, lon, lat)
            assert {p.code for p in im.streets} == set(au[(du <= r) & (au.level == "street")].code)
            assert {p.code for p in im.communities} == set(
                au[(du <= r) & (au.level == "community")].code)
            for kind, got in (("warehouse", im.nearest_warehouse),
                              ("fire_station", im.nearest_fire_station)):
                f = fa[fa.kind == kind]
                df = dist(f, lon, lat)
                assert got.facility_id == int(f.facility_id.iloc[int(np.argmin(df))])
                assert got.distance_km == pytest.approx(float(df.min()), abs=1e-3)
                assert got.distance_km == pytest.approx(
                    haversine_km(lon, lat, *f[f.facility_id == got.facility_id][["lon", "lat"]]
                                 .iloc[0].tolist()), abs=1e-3)


def test_impact_at_chongqing_scale_finds_the_true_nearest() -> None:
    """330,000 risk points and 77,000 units: the bounding box that keeps the query small does
    not lose the nearest facility (checked against every facility; speed is the bench's)."""
    con = duckdb.connect()
    con.execute("""CREATE TABLE risk_point AS SELECT i AS point_id,
                   'RC-' || (i % 43) AS category_id, 105.3 + 4.9 * random() AS lon,
                   28.2 + 4.0 * random() AS lat, 1 + (i % 4) AS level
                   FROM range(330000) t(i)""")
    con.execute("CREATE TABLE risk_category AS SELECT 'RC-' || i AS category_id, "
                "'类' || i AS name FROM range(43) t(i)")
    con.execute("""CREATE TABLE admin_unit AS SELECT 'U' || i AS code, 'u' AS name,
                   CASE WHEN i < 1031 THEN 'street' WHEN i < 12301 THEN 'community'
                        ELSE 'grid' END AS level, 105.3 + 4.9 * random() AS lon,
                   28.2 + 4.0 * random() AS lat FROM range(77000) t(i)""")
    con.execute("""CREATE TABLE facility AS SELECT i AS facility_id,
                   CASE i % 4 WHEN 0 THEN 'warehouse' WHEN 1 THEN 'fire_station'
                   WHEN 2 THEN 'hospital' ELSE 'shelter' END AS kind, 'f' AS name,
                   105.3 + 4.9 * random() AS lon, 28.2 + 4.0 * random() AS lat,
                   '500103' AS district_code FROM range(3000) t(i)""")
    fac = con.execute("SELECT facility_id, kind, lon, lat FROM facility").fetchdf()
    for lon, lat in ((106.55, 29.56), (108.0, 31.0), (105.4, 28.3)):
        im = impact(con, lon, lat, 1.0)
        for kind, got in (("warehouse", im.nearest_warehouse),
                          ("fire_station", im.nearest_fire_station)):
            f = fac[fac.kind == kind]
            d = [haversine_km(lon, lat, x, y) for x, y in zip(f.lon, f.lat)]
            assert got is not None
            assert got.facility_id == int(f.facility_id.iloc[int(np.argmin(d))])
            assert got.distance_km == pytest.approx(min(d), abs=1e-3)


def test_plan_for_a_type_at_a_place_equals_the_plan_of_such_an_event(small_con) -> None:
    """Live events are not in the catalog: their plan comes from their type and place."""
    for eid, tid, dc, sc in small_con.execute(
            "SELECT event_id, type_id, district_code, street_code FROM event "
            "ORDER BY event_id LIMIT 40").fetchall():
        a, b = plan_for_event(small_con, eid), plan_for_type(small_con, tid, dc, sc, eid)
        assert list(a) == list(b) and (a.plan_id, a.targets) == (b.plan_id, b.targets)
    with pytest.raises(KeyError, match="ET-NOPE"):
        plan_for_type(small_con, "ET-NOPE", None, None)


def test_the_plan_book_gives_the_plans_the_queries_give(small_con) -> None:
    """The router's in-memory plans (read once) are plan_for_type's, type by type and place
    by place — the city-level departments resolved to the district's and street's own."""
    from cockpit.datasets.routing import PlanBook

    book = PlanBook(small_con)
    places = small_con.execute(
        "SELECT DISTINCT district_code, street_code FROM event ORDER BY 1, 2 LIMIT 6"
    ).fetchall() + [(None, None)]
    types = [t for (t,) in small_con.execute("SELECT type_id FROM event_type ORDER BY 1")
             .fetchall()]
    for tid in types[:: max(1, len(types) // 60)]:
        for dc, sc in places:
            a, b = plan_for_type(small_con, tid, dc, sc, 7), book.plan_for_type(tid, dc, sc, 7)
            assert list(a) == list(b) and (a.plan_id, a.targets) == (b.plan_id, b.targets)
            assert a.departments() == b.departments()
    with pytest.raises(KeyError, match="ET-NOPE"):
        book.plan_for_type("ET-NOPE", None, None)


def test_place_of_a_point_is_its_nearest_street_and_that_streets_district(small_con) -> None:
    code, parent, lon, lat = small_con.execute(
        "SELECT code, parent_code, lon, lat FROM admin_unit WHERE level = 'street' "
        "ORDER BY code LIMIT 1 OFFSET 7").fetchone()
    assert place_of(small_con, lon + 1e-5, lat - 1e-5) == (parent, code)
