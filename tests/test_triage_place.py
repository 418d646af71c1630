"""智能分拨 reads where a report was made: the surroundings lookup, the demo's context places,
the router with and without a point, the CLI's --lon/--lat and eval's lon,lat columns."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pytest
from cockpit.datasets import triage
from cockpit.datasets.triage.corpus import PHRASES
from cockpit.datasets.triage.surround import (
    KIND_PREFIX,
    POINT_COLUMN,
    ROAD_NONE,
    ROAD_PREFIX,
    Communities,
    Roads,
    Surroundings,
    describe_around,
    describe_column,
    unit_kind,
)

M_LAT = 110_540.0  # metres per degree of latitude (the lookup's)


def _m_lon(lat: float) -> float:
    return 111_320.0 * math.cos(math.radians(lat))


@pytest.fixture(scope="module")
def catalog(routed_catalog, tmp_path_factory: pytest.TempPathFactory):
    cat = routed_catalog(tmp_path_factory.mktemp("place-cache") / "catalogs")
    yield cat
    cat.close()


@pytest.fixture(scope="module")
def router(catalog) -> triage.Router:
    return triage.Router.load(catalog)


# --------------------------------------------------------------------------- the lookup


def test_the_lookup_finds_the_categories_within_the_radius_and_not_beyond() -> None:
    lon0, lat0 = 106.55, 29.56
    east = 1.0 / _m_lon(lat0)  # a metre east, in degrees
    north = 1.0 / M_LAT
    pts = [("RC-SCHOOL", 0, 99.0), ("RC-HOSPITAL", 101.0, 0), ("RC-MARKET", -299.0, 0),
           ("RC-METRO", 0, -301.0), ("RC-SCHOOL", 5000.0, 5000.0)]
    s = Surroundings(sorted({p[0] for p in pts}),
                     np.array([lon0 + dx * east for _, dx, _ in pts]),
                     np.array([lat0 + dy * north for _, _, dy in pts]),
                     np.array([sorted({p[0] for p in pts}).index(c) for c, _, _ in pts]))
    assert s.categories_near(lon0, lat0, 100) == {"RC-SCHOOL"}
    assert s.categories_near(lon0, lat0, 300) == {"RC-SCHOOL", "RC-HOSPITAL", "RC-MARKET"}
    assert s.categories_near(lon0, lat0, 98.5) == set()
    # a point a cell away on every side still sees its neighbours (no wrap, no miss)
    assert s.categories_near(lon0 + 5000 * east, lat0 + 5200 * north, 300) == {"RC-SCHOOL"}
    # not a number, out of range, far away: nothing around, no crash
    for lon, lat in ((math.nan, lat0), (lon0, math.inf), (500.0, 10.0), (0.0, 0.0)):
        assert s.categories_near(lon, lat, 300) == set()


def test_the_lookup_agrees_with_measuring_every_point() -> None:
    rng = np.random.default_rng(5)
    n = 4000
    lon = 106.4 + rng.random(n) * 0.3
    lat = 29.4 + rng.random(n) * 0.3
    cat = rng.integers(0, 7, n)
    s = Surroundings([f"C{i}" for i in range(7)], lon, lat, cat)
    qx = 106.4 + rng.random(300) * 0.3
    qy = 29.4 + rng.random(300) * 0.3
    near = s.near(qx, qy, (100.0, 300.0))
    for i in range(300):
        dx = (lon - qx[i]) * _m_lon(qy[i])
        dy = (lat - qy[i]) * M_LAT
        d = np.hypot(dx, dy)
        for j, r in enumerate((100.0, 300.0)):
            want = np.zeros(7, bool)
            want[np.unique(cat[d <= r])] = True
            assert (near[i, j] == want).all()


def test_the_features_of_a_point_outside_the_places_are_no_point() -> None:
    s = Surroundings(["RC-SCHOOL"], np.array([106.55]), np.array([29.56]), np.array([0]))
    cols = [POINT_COLUMN, "100:RC-SCHOOL", "300:RC-SCHOOL", "100:RC-NOT-HERE"]
    f = s.features(np.array([106.55, 106.5530, 120.0, np.nan]),
                   np.array([29.56, 29.56, 29.56, 29.56]), cols)
    assert f.tolist() == [[1, 1, 1, 0], [1, 0, 1, 0], [0, 0, 0, 0], [0, 0, 0, 0]]


def test_the_kind_of_a_unit_is_read_from_the_end_of_its_name() -> None:
    kinds = {"金渝社区居民委员会": "社区", "化龙桥社区工作站": "社区", "和平社区": "社区",
             "红旗居委会": "社区", "石坪村村民委员会": "村", "石坪村委会": "村", "石坪村": "村",
             "解放碑街道": "街道", "解放碑街道办事处": "街道", "歌乐山镇": "镇",
             "石柱土家族自治县三河乡": "乡", "金渝": "", "第三网格": "", "": ""}
    assert unit_kind(None) == ""
    for name, kind in kinds.items():
        assert unit_kind(name) == kind, name
    assert describe_column("100:RC-SCHOOL") == "RC-SCHOOL ≤100 m"
    assert describe_column(f"{KIND_PREFIX}community:村") == "community 村"
    assert describe_column(f"{KIND_PREFIX}pair:村@街道") == "村 in a 街道"


def test_the_community_lookup_finds_the_nearest_community_and_its_kinds() -> None:
    rng = np.random.default_rng(3)
    n = 500
    lon = 106.0 + rng.random(n) * 1.5
    lat = 29.0 + rng.random(n) * 1.0
    kinds = rng.choice(["村", "社区", ""], n).tolist()
    skinds = rng.choice(["镇", "街道"], n).tolist()
    c = Communities(lon, lat, kinds, skinds)
    qx = 106.0 + rng.random(400) * 1.5
    qy = 29.0 + rng.random(400) * 1.0
    got = c.nearest(qx, qy)
    fl = c.flags(qx, qy)
    for i in range(400):
        d = np.hypot((lon - qx[i]) * _m_lon(29.5), (lat - qy[i]) * M_LAT)
        assert got[i] == int(np.argmin(d))
        want = set()
        k, sk = kinds[got[i]], skinds[got[i]]
        if k:
            want |= {f"{KIND_PREFIX}community:{k}", f"{KIND_PREFIX}pair:{k}@{sk}"}
        want.add(f"{KIND_PREFIX}street:{sk}")
        assert {c.names[j] for j in np.flatnonzero(fl[i])} == want
    assert c.nearest([np.nan, 106.5], [29.5, np.inf]).tolist() == [-1, -1]
    assert not c.flags([np.nan], [29.5]).any()
    # the kind columns of a point read through the surroundings, nothing outside the area
    s = Surroundings([], np.zeros(0), np.zeros(0), np.zeros(0, np.int64), communities=c)
    cols = [POINT_COLUMN, f"{KIND_PREFIX}community:村", f"{KIND_PREFIX}street:镇"]
    j = int(np.flatnonzero(np.array(kinds) == "村")[0])
    f = s.features(np.array([lon[j], 130.0]), np.array([lat[j], 29.5]), cols)
    assert f[0].tolist() == [1, 1, float(skinds[j] == "镇")] and f[1].tolist() == [0, 0, 0]


def test_the_road_lookup_finds_the_classes_passing_a_point() -> None:
    """An arterial running east, a lane running north 80 m east of the start: the classes
    within 25 m of a point, "none" among roads but no road that close, nothing far out."""
    lon0, lat0 = 106.55, 29.56
    east = 1.0 / _m_lon(lat0)
    north = 1.0 / M_LAT
    r = Roads(["arterial", "lane", "secondary"],
              [lon0, lon0 + 80 * east, lon0 + 9000 * east],
              [lat0, lat0 - 50 * north, lat0],
              [lon0 + 200 * east, lon0 + 80 * east, lon0 + 9100 * east],
              [lat0, lat0 + 50 * north, lat0])
    assert r.names == [f"{ROAD_PREFIX}arterial", f"{ROAD_PREFIX}lane",
                       f"{ROAD_PREFIX}secondary", ROAD_NONE]

    def at(dx: float, dy: float) -> set[str]:
        f = r.flags([lon0 + dx * east], [lat0 + dy * north])[0]
        return {r.names[j][len(ROAD_PREFIX):] for j in np.flatnonzero(f)}

    assert at(30, 24) == {"arterial"}  # 24 m beside the arterial
    assert at(30, -26) == {"none"}  # 26 m: among roads, none that close
    assert at(78, 10) == {"arterial", "lane"}  # where the lane meets it
    assert at(-24, 0) == {"arterial"}  # beyond its end, 24 m from it
    assert at(100, 100) == {"none"}
    assert at(100, 400) == set()  # far from every road: the roads say nothing
    assert not r.flags([math.nan], [lat0]).any()
    # measured exactly: random points against the distance to each segment
    rng = np.random.default_rng(11)
    dx, dy = rng.uniform(-100, 300, 400), rng.uniform(-200, 200, 400)
    f = r.flags(lon0 + dx * east, lat0 + dy * north)

    def seg_dist(px, py, ax, ay, bx, by):
        t = np.clip(((px - ax) * (bx - ax) + (py - ay) * (by - ay))
                    / ((bx - ax) ** 2 + (by - ay) ** 2), 0, 1)
        return np.hypot(px - ax - t * (bx - ax), py - ay - t * (by - ay))

    d_art = seg_dist(dx, dy, 0, 0, 200, 0)
    d_lane = seg_dist(dx, dy, 80, -50, 80, 50)
    ok = np.abs(np.minimum(d_art, d_lane) - 25) > 0.5  # not on the edge (projection)
    assert (f[ok, 0] == (d_art[ok] <= 25)).all() and (f[ok, 1] == (d_lane[ok] <= 25)).all()
    assert describe_column(f"{ROAD_PREFIX}arterial") == "arterial ≤25 m"
    assert describe_column(ROAD_NONE) == "no road ≤25 m"
    assert describe_around(["100:RC-SCHOOL", "300:RC-SCHOOL", "300:RC-METRO",
                            f"{ROAD_PREFIX}lane"]) == ["RC-SCHOOL ≤100 m", "RC-METRO ≤300 m",
                                                       "lane ≤25 m"]
    # read through the surroundings as place columns; none without a road table
    s = Surroundings([], np.zeros(0), np.zeros(0), np.zeros(0, np.int64), roads=r)
    cols = [POINT_COLUMN, f"{ROAD_PREFIX}arterial", ROAD_NONE]
    assert s.features(np.array([lon0 + 30 * east]), np.array([lat0]), cols).tolist() == \
        [[1, 1, 0]]
    assert Roads([], [], [], [], []).names == []


# --------------------------------------------------------------------------- the demo data


def _village_at(con, lon, lat) -> np.ndarray:
    """Whether each point's nearest community is a village (by the catalog's names)."""
    c = Communities.from_catalog(con)
    idx = c.nearest(lon, lat)
    return c.member[idx, c.names.index(f"{KIND_PREFIX}community:村")]


def test_the_demo_names_its_communities_villages_and_residents_communities(catalog) -> None:
    names = [r[0] for r in catalog.cursor().execute(
        "SELECT name FROM admin_unit WHERE level = 'community'").fetchall()]
    kinds = [unit_kind(n) for n in names]
    assert set(kinds) == {"村", "社区"}
    assert 0.6 < kinds.count("村") / len(kinds) < 0.8  # Chongqing: 7,946 of 11,270


def test_the_demo_places_village_contexts_in_villages(catalog) -> None:
    """农村地区, 村庄周边 … reports mostly lie at a village; a main road's, an estate's … at a
    residents' community; the kinds' plain reports, placed as before, between the two."""
    from cockpit.datasets.generate import CONTEXT_ROADS, CONTEXT_SETTLEMENT, CONTEXT_SITES
    from cockpit.datasets.triage.model import stem_and_qualifier

    # a context has one place
    assert not set(CONTEXT_SETTLEMENT) & set(CONTEXT_SITES)
    assert not set(CONTEXT_ROADS) & (set(CONTEXT_SITES) | set(CONTEXT_SETTLEMENT))
    # the roads and estates are laid in residents' communities
    settled = {**CONTEXT_SETTLEMENT, **dict.fromkeys(CONTEXT_ROADS, "社区")}
    con = catalog.cursor()
    rows = con.execute(
        "SELECT e.lon, e.lat, t.name FROM event e JOIN event_type t USING (type_id) "
        "WHERE e.description IS NOT NULL AND e.source <> 'sensor'").fetchall()
    vil = _village_at(con, np.array([r[0] for r in rows]), np.array([r[1] for r in rows]))
    where = np.array([settled.get(stem_and_qualifier(r[2])[1], "-") for r in rows])
    plain = np.array(["（" not in r[2] for r in rows])
    assert (where == "村").sum() > 100 and (where == "社区").sum() > 500
    assert vil[where == "村"].mean() > vil[plain].mean() + 0.15
    assert vil[where == "社区"].mean() < vil[plain].mean() - 0.08




def test_the_demo_places_a_contexts_reports_at_its_places(catalog) -> None:
    """学校周边 reports are mostly within 100 m of a school; the kinds' plain reports, placed
    as before, rarely are."""
    con = catalog.cursor()
    s = Surroundings.from_catalog(con)
    rows = con.execute(
        "SELECT e.lon, e.lat, t.name FROM event e JOIN event_type t USING (type_id) "
        "WHERE e.description IS NOT NULL").fetchall()
    lon = np.array([r[0] for r in rows])
    lat = np.array([r[1] for r in rows])
    school = s.near(lon, lat, (100.0,))[:, 0, s.pos["RC-SCHOOL"]]
    ctx = np.array(["（学校周边）" in r[2] for r in rows])
    plain = np.array(["（" not in r[2] for r in rows])
    assert ctx.sum() > 50
    assert school[ctx].mean() > 0.6  # 85 % placed near one, where the district has one
    assert school[plain].mean() < 0.1


def test_the_demo_places_road_and_estate_reports_on_their_roads(catalog) -> None:
    """主干道 reports mostly lie on an arterial, 背街小巷 in a lane, 居民小区 inside a block
    with no road that close; the kinds' plain reports, placed as before, less often."""
    con = catalog.cursor()
    r = Roads.from_catalog(con)
    assert r.n > 1000 and {"arterial", "secondary", "branch", "lane"} <= set(r.classes)
    rows = con.execute(
        "SELECT e.lon, e.lat, t.name FROM event e JOIN event_type t USING (type_id) "
        "WHERE e.description IS NOT NULL AND e.source <> 'sensor'").fetchall()
    f = r.flags(np.array([x[0] for x in rows]), np.array([x[1] for x in rows]))
    col = {n: j for j, n in enumerate(r.names)}
    plain = np.array(["（" not in x[2] for x in rows])
    for ctx, name in (("主干道", "arterial"), ("次干道", "secondary"), ("背街小巷", "lane"),
                      ("居民小区", "none")):
        m = np.array([f"（{ctx}）" in x[2] for x in rows])
        j = col[f"{ROAD_PREFIX}{name}"]
        assert m.sum() > 50, ctx
        assert f[m, j].mean() > f[plain, j].mean() + 0.3, ctx


# --------------------------------------------------------------------------- the router


def _school_variant(router) -> tuple[str, str]:
    """A kind with a 学校周边 variant: (the variant's type id, a phrase of the kind's that
    its words route to the kind's plain type)."""
    from cockpit.datasets.triage.corpus import kind_of_type

    tx = router.taxonomy
    for t, name in zip(tx.type_ids, tx.names, strict=True):
        k = kind_of_type(t)
        if name.endswith("（学校周边）") and k in PHRASES and \
                router.route(PHRASES[k][0]).top.type_id == f"ET-{k}":
            return t, PHRASES[k][0]
    raise AssertionError("no kind has a 学校周边 variant")


def test_a_report_near_a_school_ranks_the_school_variant_higher(router, catalog) -> None:
    """The same words that do not say 学校门口: near a school the kind's school variant
    scores higher and ranks higher than far from any school."""
    tx = router.taxonomy
    assert router.model.place_columns and router.surroundings is not None
    variant, text = _school_variant(router)
    con = catalog.cursor()
    s = router.surroundings
    schools = con.execute("SELECT lon, lat FROM risk_point WHERE category_id = 'RC-SCHOOL' "
                          "ORDER BY point_id").fetchall()
    others = con.execute("SELECT lon, lat FROM risk_point WHERE category_id <> 'RC-SCHOOL' "
                         "ORDER BY point_id").fetchall()
    far = [p for p in others if "RC-SCHOOL" not in s.categories_near(*p, 300)][:40]
    near = schools[:40]

    def rank_and_score(pts) -> tuple[float, float]:
        res = router.route_many([text] * len(pts), plans=False,
                                lons=[p[0] for p in pts], lats=[p[1] for p in pts])
        p = router.model.predict_proba([text] * len(pts), tx,
                                       router.places([p[0] for p in pts],
                                                     [p[1] for p in pts], len(pts)))
        rank = (p > p[:, [tx.pos[variant]]]).sum(axis=1)
        assert all(r.candidates for r in res)
        return float(np.median(rank)), float(np.median(p[:, tx.pos[variant]]))

    r_near, p_near = rank_and_score(near)
    r_far, p_far = rank_and_score(far)
    assert r_near < r_far and r_near <= 2  # in the top three near a school
    assert p_near > 3 * p_far
    top = router.route(text, lon=near[0][0], lat=near[0][1])
    assert any(a.endswith("RC-SCHOOL") for a in top.around)


def _rank_and_score(router, text: str, variant: str, points) -> tuple[float, float]:
    """The median rank (0: first) and probability of ``variant`` for ``text`` made at each of
    ``points`` ((lon, lat, …) rows)."""
    tx = router.taxonomy
    lon, lat = [p[0] for p in points], [p[1] for p in points]
    p = router.model.predict_proba([text] * len(points), tx,
                                   router.places(lon, lat, len(points)))
    rank = (p > p[:, [tx.pos[variant]]]).sum(axis=1)
    return float(np.median(rank)), float(np.median(p[:, tx.pos[variant]]))


def test_the_same_words_rank_a_village_variant_higher_at_a_village(router, catalog) -> None:
    """A kind's 农村地区 variant, its words not saying so: at villages it scores higher and
    ranks higher than at residents' communities of urban sub-districts (both with no risk
    point within 300 m: only the kind of the community differs)."""
    from cockpit.datasets.triage.corpus import kind_of_type

    tx = router.taxonomy
    assert any(c.startswith(KIND_PREFIX) for c in router.model.place_columns)
    cand = [(t, PHRASES[kind_of_type(t)][0]) for t, n in zip(tx.type_ids, tx.names, strict=True)
            if n.endswith("（农村地区）") and kind_of_type(t) in PHRASES]
    variant, text = next((t, p) for t, p in cand
                         if router.route(p).top.type_id == f"ET-{kind_of_type(t)}")
    con = catalog.cursor()
    pts = con.execute(
        "SELECT c.lon, c.lat, c.name, s.name FROM admin_unit c JOIN admin_unit s "
        "ON s.code = c.parent_code WHERE c.level = 'community' ORDER BY c.code").fetchall()
    s = router.surroundings
    # points with no risk point within 300 m: only the kind of the community differs
    quiet = [p for p in pts if not s.categories_near(p[0], p[1], 300)]
    village = [p for p in quiet if unit_kind(p[2]) == "村"][:60]
    town = [p for p in quiet if unit_kind(p[2]) == "社区" and unit_kind(p[3]) == "街道"][:60]
    assert len(village) >= 30 and len(town) >= 30

    r_v, p_v = _rank_and_score(router, text, variant, village)
    r_t, p_t = _rank_and_score(router, text, variant, town)
    # about twice as likely (0.013 against 0.0067 on the small demo): a report at a village
    # is not always of the village (the nearest community of a point is a village for a
    # quarter of the main roads' reports), and nothing within 300 m already says "rural"
    assert r_v < r_t and p_v > 1.5 * p_t
    res = router.route(text, lon=village[0][0], lat=village[0][1])
    assert f"{KIND_PREFIX}community:村" in res.around


def test_the_same_words_rank_a_main_road_variant_higher_on_a_main_road(router, catalog
                                                                        ) -> None:
    """A kind's 主干道 variant, its words not saying so: on an arterial road it ranks higher
    and scores higher than inside an estate (points of residents' communities both; only the
    roads at the point differ)."""
    from cockpit.datasets.triage.corpus import kind_of_type

    tx = router.taxonomy
    assert f"{ROAD_PREFIX}arterial" in router.model.place_columns
    cand = [(t, PHRASES[kind_of_type(t)][0]) for t, n in zip(tx.type_ids, tx.names, strict=True)
            if n.endswith("（主干道）") and kind_of_type(t) in PHRASES]
    variant, text = next((t, p) for t, p in cand
                         if router.route(p).top.type_id == f"ET-{kind_of_type(t)}")
    con = catalog.cursor()
    roads = router.surroundings.roads
    seg = con.execute("SELECT (from_lon + to_lon) / 2, (from_lat + to_lat) / 2 FROM road "
                      "WHERE road_class = 'arterial' ORDER BY segment_id").fetchall()[:400:5]
    on = [p for p in seg if roads.flags([p[0]], [p[1]])[0].tolist()
          == [n == f"{ROAD_PREFIX}arterial" for n in roads.names]][:40]
    # inside blocks: a quarter of the way between two parallel arterials' midpoints is in
    # the lattice, away from every road on many of them
    rng = np.random.default_rng(2)
    cand_pts = [(p[0] + rng.normal(0, 4e-4), p[1] + rng.normal(0, 4e-4)) for p in seg * 6]
    inside = [p for p in cand_pts
              if roads.flags([p[0]], [p[1]])[0][roads.names.index(ROAD_NONE)]][:40]
    assert len(on) >= 20 and len(inside) >= 20

    r_on, p_on = _rank_and_score(router, text, variant, on)
    r_in, p_in = _rank_and_score(router, text, variant, inside)
    assert r_on < r_in and r_on <= 2 and p_on > 2 * p_in
    res = router.route(text, lon=on[0][0], lat=on[0][1])
    assert f"{ROAD_PREFIX}arterial" in res.around


def test_a_correction_made_at_a_point_teaches_what_the_place_says(catalog,
                                                                   tmp_path: Path) -> None:
    """Operators correct the same words to a kind's 公园广场 variant at places of a category
    no context of the demo lies at: trained on the corrections with their points (as the
    dispatch log keeps them), the place says more for the variant at such places than
    trained on the same corrections without points; elsewhere it does not."""
    from cockpit.datasets.dispatch import open_store
    from cockpit.datasets.generate import CONTEXT_SITES
    from cockpit.datasets.triage.corpus import kind_of_type

    from cockpit.cli.route import corrections_from_store

    con = catalog.cursor()
    tx = triage.load_taxonomy(con)
    variant, text = next((t, PHRASES[kind_of_type(t)][0])
                         for t, n in zip(tx.type_ids, tx.names, strict=True)
                         if n.endswith("（公园广场）") and kind_of_type(t) in PHRASES)
    counts = dict(con.execute("SELECT category_id, count(*) FROM risk_point "
                              "GROUP BY 1").fetchall())
    cat = min((c for c in counts if c not in CONTEXT_SITES.values() and counts[c] >= 40),
              key=lambda c: (counts[c], c))
    pts = con.execute("SELECT lon, lat FROM risk_point WHERE category_id = ? ORDER BY point_id",
                      [cat]).fetchall()
    with open_store(tmp_path / "d.duckdb") as s:
        for i, (x, y) in enumerate(pts[:20]):
            s.correct(i + 1, "王五", f"k{i}", from_type=None, to_type=variant, text=text,
                      lon=x, lat=y)
    s_path = str(tmp_path / "d.duckdb")
    corr = corrections_from_store(s_path)
    assert len(corr) == 20 and all(c[2] is not None for c in corr)
    with_points = triage.train(catalog, con=con, corrections=corr, save=False)
    without = triage.train(catalog, con=con, corrections=[c[:2] for c in corr], save=False)
    assert f"100:{cat}" in with_points.model.place_columns
    surr = with_points.surroundings
    far = con.execute("SELECT lon, lat FROM risk_point WHERE category_id <> ? "
                      "ORDER BY point_id", [cat]).fetchall()
    far = [p for p in far if cat not in surr.categories_near(p[0], p[1], 300)][:20]
    at = pts[20:40]

    def score(model, ps) -> float:
        """The place's evidence for the variant: P(qualifier | place) / P(qualifier) (the
        words of the corrections already make the variant near-certain either way)."""
        lon, lat = [p[0] for p in ps], [p[1] for p in ps]
        pl = surr.features(np.array(lon), np.array(lat), model.place_columns)
        return float(np.median(model.place.ratio(pl, tx)[:, tx.pos[variant]]))

    gain_at = score(with_points.model, at) / score(without.model, at)
    gain_far = score(with_points.model, far) / score(without.model, far)
    assert gain_at > 1.5 and gain_at > 1.3 * gain_far


def test_a_dataset_whose_units_carry_no_kind_routes_as_before(catalog) -> None:
    """Unit names without 村 / 社区 / 镇 … (here: the catalog's units named 单元<code>): no
    kind columns, and the same model as one that never read the units."""
    import duckdb

    con = catalog.cursor()
    rows = con.execute("SELECT code, name, level, parent_code, lon, lat FROM admin_unit"
                       ).fetchall()
    mem = duckdb.connect()
    mem.execute("CREATE TABLE admin_unit (code VARCHAR, name VARCHAR, level VARCHAR, "
                "parent_code VARCHAR, lon DOUBLE, lat DOUBLE)")
    mem.executemany("INSERT INTO admin_unit VALUES (?, ?, ?, ?, ?, ?)",
                    [(r[0], f"单元{r[0]}", *r[2:]) for r in rows])
    bare = Communities.from_catalog(mem)
    assert bare.n > 1000 and bare.names == []
    full = Surroundings.from_catalog(con)
    plain = Surroundings(full.categories, full._x, full._y, full._c, communities=bare)
    assert plain.communities is None
    never = Surroundings(full.categories, full._x, full._y, full._c)
    # liblinear draws its order of the reports from numpy's global random state
    np.random.seed(7)
    a = triage.train(catalog, con=con, save=False, surroundings=plain)
    np.random.seed(7)
    b = triage.train(catalog, con=con, save=False, surroundings=never)
    assert a.model.place_columns == b.model.place_columns
    assert not any(c.startswith(KIND_PREFIX) for c in a.model.place_columns)
    held = triage.held_out(con, split=2, limit=300)
    tx = triage.load_taxonomy(con)
    pa = a.model.predict_proba(held["text"], tx, plain.features(
        np.array(held["lon"], float), np.array(held["lat"], float), a.model.place_columns))
    pb = b.model.predict_proba(held["text"], tx, never.features(
        np.array(held["lon"], float), np.array(held["lat"], float), b.model.place_columns))
    assert np.abs(pa - pb).max() < 1e-9
    # the full catalog's kind columns read nothing at these communities
    kc = [c for c in Surroundings.columns(full, full.near(np.array(held["lon"], float),
                                                          np.array(held["lat"], float)),
                                          lon=held["lon"], lat=held["lat"])
          if c.startswith(KIND_PREFIX)]
    assert kc and not plain.features(np.array(held["lon"], float),
                                     np.array(held["lat"], float), kc).any()


def test_a_report_without_a_usable_point_routes_by_its_words(router) -> None:
    tx = router.taxonomy
    _variant, text = _school_variant(router)
    words = router.model.predict_proba([text], tx)[0]
    for lon, lat in ((None, None), (math.nan, 29.5), (106.5, None), ("东经", "北纬"),
                     (500.0, 95.0), (0.0, 0.0)):
        r = router.route(text, lon=lon, lat=lat)
        assert r.around == ()
        got = {c.type_id: c.score for c in r.candidates}
        for t, sc in got.items():
            assert sc == pytest.approx(words[tx.pos[t]], abs=1e-6)


def test_a_dataset_with_nothing_around_its_reports_routes_as_before(catalog) -> None:
    """No place near any report (here: no places at all): no place model; a report's point
    changes nothing, and the model is as good as one trained on the words alone."""
    con = catalog.cursor()
    empty = Surroundings([], np.zeros(0), np.zeros(0), np.zeros(0, np.int64))
    a = triage.train(catalog, con=con, save=False, surroundings=empty)
    assert a.model.place is None and a.surroundings is None and not a.model.place_columns
    held = triage.held_out(con, split=2)
    tx = triage.load_taxonomy(con)
    finder = triage.Router.load(catalog, con=con).finder
    ra = triage.Router(tx, finder, a.model, con, empty)
    n = len(held["text"])
    assert ra.places(held["lon"], held["lat"], n) is None
    with_pt = ra.route_many(held["text"], plans=False, lons=held["lon"], lats=held["lat"])
    without = ra.route_many(held["text"], plans=False)
    assert [r.candidates for r in with_pt] == [r.candidates for r in without]
    b = triage.train(catalog, con=con, save=False, places=False)
    rb = triage.Router(tx, finder, b.model, con)
    ea = triage.evaluate(ra, held["text"], held["type_id"], lons=held["lon"], lats=held["lat"])
    eb = triage.evaluate(rb, held["text"], held["type_id"])
    assert abs(ea.top3 - eb.top3) < 0.01 and abs(ea.top1 - eb.top1) < 0.01


def test_a_saved_model_reads_the_place_as_the_trained_one(router, tmp_path: Path) -> None:
    from cockpit.datasets.triage.model import TypeModel

    m = router.model
    m.save(tmp_path / "m.skops")
    back = TypeModel.load(tmp_path / "m.skops")
    assert back.place_columns == m.place_columns and back.place.alpha == m.place.alpha
    tx = router.taxonomy
    s = router.surroundings
    i = int(np.flatnonzero(s._c == s.pos["RC-SCHOOL"])[0])
    pts = ([float(s._x[i]), 106.0, None], [float(s._y[i]), 29.0, None])
    texts = ["井盖不见了", "学校门口井盖不见了", "停电了"]
    pl = router.places(*pts, 3)
    assert np.abs(back.predict_proba(texts, tx, pl) - m.predict_proba(texts, tx, pl)).max() \
        < 1e-5


def test_the_point_helps_on_the_held_out_split(router, catalog) -> None:
    con = catalog.cursor()
    held = triage.held_out(con, split=2)
    with_pt = triage.evaluate(router, held["text"], held["type_id"], lons=held["lon"],
                              lats=held["lat"])
    without = triage.evaluate(router, held["text"], held["type_id"])
    assert with_pt.top3 > without.top3 + 0.01 and with_pt.top1 >= without.top1


# --------------------------------------------------------------------------- CLI


def test_cli_route_reads_the_point(router, catalog, capsys, monkeypatch) -> None:
    from cockpit.cli import main

    monkeypatch.setenv("COCKPIT_CACHE_HOME", str(Path(catalog.db_path).parents[1]))
    data = str(catalog.data_dir)
    s = router.surroundings
    i = int(np.flatnonzero(s._c == s.pos["RC-SCHOOL"])[0])
    lon, lat = f"{s._x[i]:.6f}", f"{s._y[i]:.6f}"
    assert main(["route", "--data", data, "--lon", lon, "--lat", lat, "井盖不见了"]) == 0
    out = capsys.readouterr().out
    assert "around the point:" in out and "RC-SCHOOL ≤100 m" in out
    assert "RC-SCHOOL ≤300 m" not in out  # said once, at the inner radius
    assert "community 社区" in out or "community 村" in out  # the community's kind
    assert main(["route", "--data", data, "--lon", lon, "井盖不见了"]) == 2
    assert "--lat" in capsys.readouterr().err
    assert main(["route", "--data", data, "--lon", "nan", "--lat", "29", "井盖不见了"]) == 0
    cap = capsys.readouterr()
    assert "routed by the words alone" in cap.err and "around the point" not in cap.out


def test_cli_route_eval_reads_lon_lat_columns(router, catalog, tmp_path: Path, capsys,
                                              monkeypatch) -> None:
    from cockpit.cli import main

    monkeypatch.setenv("COCKPIT_CACHE_HOME", str(Path(catalog.db_path).parents[1]))
    held = triage.held_out(catalog.cursor(), split=2)
    f = tmp_path / "eval.csv"
    with open(f, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["text", "type_id", "lon", "lat"])
        for t, y, x, yy in zip(held["text"], held["type_id"], held["lon"], held["lat"],
                               strict=True):
            w.writerow([t, y, x, yy])
        w.writerow(["井盖不见了", "ET-MANHOLE", "", "not a number"])  # no point: the words
    assert main(["route", "--data", str(catalog.data_dir), "--json", "eval", str(f)]) == 0
    import json

    j = json.loads(capsys.readouterr().out)
    words = triage.evaluate(router, held["text"], held["type_id"])
    assert j["n"] == len(held["text"]) + 1 and j["top3"] > words.top3


# --------------------------------------------------------------------------- the live path


def test_a_point_found_from_an_address_is_not_read_as_the_reports_surroundings() -> None:
    from datetime import datetime

    from cockpit.datasets.event_feed import FeedEvent

    from cockpit.controllers.dispatch import _report_point

    e = FeedEvent("L-1", "", "hotline", datetime(2026, 11, 20), 106.5, 29.5, 3,
                  description="井盖不见了")
    assert _report_point(e) == {"lon": 106.5, "lat": 29.5}
    e2 = FeedEvent.from_dict({**e.as_dict(), "located": True})
    assert e2.located and _report_point(e2) == {"lon": None, "lat": None}
