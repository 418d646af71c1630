"""Drill scenarios, drill sessions and their scoring (datasets/drill.py), without Qt."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from cockpit.datasets import drill
from cockpit.datasets.drill import (
    DrillSession,
    LiveStoreRefused,
    ScenarioError,
    after_action_report,
    load_scenario,
    shipped_scenarios,
)

UTC0 = timedelta(0)
GOOD = """
id = "test-biogas"
title = "测试 沼气"
start = 2026-11-20T14:00:00
duration_min = 60

[place]
district_code = "500105"
lon = 106.5330
lat = 29.5760

[expected]
type_id = "ET-BIOGAS"
plan_id = "P-BIOGAS"
departments = ["D-A", "D-B", "D-C"]

[targets]
dispatch = 2
react = 5
verify = 10
handle = 20

[[inject]]
at_min = 0
type_id = "ET-BIOGAS"
title = "alarm"

[[inject]]
at_min = 10
kind = "vital"
name = "甲烷"
domain = "气"
unit = "%LEL"
value = 40
threshold = 25
"""


class FakeClock:
    def __init__(self, t: datetime) -> None:
        self.t = t

    def __call__(self) -> datetime:
        return self.t

    def at(self, start: datetime, minutes: float) -> None:
        self.t = start + timedelta(minutes=minutes)


def write(tmp_path: Path, text: str, name: str = "s.toml") -> Path:
    p = tmp_path / name
    p.write_text(text, "utf-8")
    return p


# ---- loading and validation ----------------------------------------------------------------

def test_four_shipped_scenarios_load_with_the_seeds() -> None:
    sc = {s.id: s for s in shipped_scenarios()}
    assert len(sc) >= 4
    water = sc["water-main-burst-yuzhong"]
    assert water.expected["plan_id"] == "P-WATER-MAIN-BURST"
    assert water.expected["plan_steps"] == 14
    assert water.place["district_code"] == "500103"
    biogas = sc["biogas-septic-jiangbei"]
    assert biogas.place["district_code"] == "500105" and biogas.targets["handle"] == 20
    fire = sc["forest-fire-zhongliangshan"]
    assert fire.place["district_code"] == "500107"
    assert (fire.targets["react"], fire.targets["verify"], fire.targets["handle"]) == (1, 3, 5)
    assert any(i.source == "drone" and i.scored for i in fire.injects)
    assert sc["touting-joint-enforcement"].expected["type_id"] == "ET-TOUTING"
    for s in sc.values():
        assert any(i.scored for i in s.injects), s.id
        assert all(i.event_id < 0 for i in s.injects)


def test_inject_ids_are_negative_unique_and_deterministic() -> None:
    ids = [i.event_id for s in shipped_scenarios() for i in s.injects]
    assert len(ids) == len(set(ids))
    assert all(i < 0 for i in ids)
    assert [i.event_id for s in shipped_scenarios() for i in s.injects] == ids


def test_good_scenario_loads(tmp_path: Path) -> None:
    s = load_scenario(write(tmp_path, GOOD))
    assert s.id == "test-biogas" and len(s.injects) == 2
    assert s.injects[1].kind == "vital" and not s.injects[1].scored
    assert s.injects[0].departments == ("D-A", "D-B", "D-C")
    assert s.effective_targets() == {"react": 5, "handle": 20, "verify": 20}


@pytest.mark.parametrize("old,new,message", [
    ('title = "测试 沼气"\n', "", "title: missing"),
    ("duration_min = 60", "duration_min = -5", "duration_min: must be > 0"),
    ("start = 2026-11-20T14:00:00", "start_offset_min = 5\nstart = 2026-11-20T14:00:00",
     "give exactly one"),
    ("lon = 106.5330", 'lon = "east"', "place.lon: must be a number"),
    ("lon = 106.5330", "lon = 106.40", "not inside district 500105"),
    ("at_min = 10", "at_min = 99", "inject[2].at_min: must be between 0 and duration_min"),
    ('departments = ["D-A", "D-B", "D-C"]', "departments = []",
     "expected.departments: must not be empty"),
    ("react = 5", "speed = 5", "targets.speed: unknown stage"),
    ('kind = "vital"', 'kind = "vital"\ncolour = 1', "inject[2].colour: unknown key"),
    ("value = 40", "", "inject[2].value: missing"),
    ('plan_id = "P-BIOGAS"', 'plan_id = "P-BIOGAS"\nnetwork = "oil"',
     "expected.network: one of water, gas, drainage"),
    ('title = "alarm"', 'title = "alarm"\nbaseline = 3', "inject[1].baseline: only a vital"),
])
def test_invalid_scenarios_name_file_and_key(tmp_path: Path, old: str, new: str,
                                             message: str) -> None:
    assert old in GOOD
    p = write(tmp_path, GOOD.replace(old, new, 1), "bad_one.toml")
    with pytest.raises(ScenarioError) as e:
        load_scenario(p)
    assert "bad_one.toml" in str(e.value)
    assert message in str(e.value)


def test_invalid_toml_and_every_problem_reported(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match=r"broken.toml: not valid TOML"):
        load_scenario(write(tmp_path, "id = [", "broken.toml"))
    text = GOOD.replace("duration_min = 60", "").replace('id = "test-biogas"', 'id = "A B"')
    with pytest.raises(ScenarioError) as e:
        load_scenario(write(tmp_path, text))
    assert len(e.value.problems) >= 2


def test_start_offset_needs_a_base(tmp_path: Path) -> None:
    s = load_scenario(write(tmp_path, GOOD.replace("start = 2026-11-20T14:00:00",
                                                   "start_offset_min = -30")))
    base = datetime(2026, 11, 20, 12, 0)
    assert s.start_at(base) == datetime(2026, 11, 20, 11, 30)
    with pytest.raises(ValueError, match="base"):
        s.start_at()


# ---- sessions -------------------------------------------------------------------------------

@pytest.fixture
def session(tmp_path: Path):
    s = load_scenario(write(tmp_path, GOOD))
    clock = FakeClock(datetime(2026, 11, 20, 14, 0))
    live = tmp_path / "live" / "dispatch.duckdb"
    sess = DrillSession(s, tmp_path / "drills", live, clock, session_id="t1", utc_offset=UTC0)
    sess.fake_clock = clock
    yield sess
    sess.close()


def test_injects_due_as_of_t(session: DrillSession) -> None:
    start = session.start
    assert [d["inject"] for d in session.injects_due(start - timedelta(seconds=1))] == []
    first = session.injects_due(start)
    assert [d["inject"] for d in first] == [1]
    ev = first[0]
    for col in ("event_id", "type_id", "source", "occurred_at", "lon", "lat", "district_code",
                "street_code", "severity", "title", "point_id"):
        assert col in ev
    assert ev["event_id"] < 0 and ev["occurred_at"] == start and ev["district_code"] == "500105"
    both = session.injects_due(start + timedelta(minutes=10))
    assert [d["kind"] for d in both] == ["event", "vital"]
    assert both[1]["vital"]["value"] == 40
    # the clock is the default t
    session.fake_clock.at(start, 30)
    assert len(session.injects_due()) == 2


def test_poll_delivers_dispatchable_injects_once(session: DrillSession) -> None:
    b = session.poll(session.start)
    assert [e.event_id for e in b.events] == [str(session.scenario.injects[0].event_id)]
    assert b.events[0].title.startswith("【演练】")
    assert session.poll(session.start + timedelta(minutes=30)).events == []  # vital: no type


def test_drill_store_is_its_own_file_with_drill_source(session: DrillSession) -> None:
    assert session.path.name == "t1.duckdb" and session.path.parent.name == "drills"
    session.fake_clock.at(session.start, 1)
    session.store.create(-1, "trainee", "k1", dept_id="D-A", deadlines={"acknowledge": 5})
    log = session.store.log()
    assert list(log["source"]) == ["drill"]
    # stamped with the simulated time, not the wall clock
    assert log["at_utc"][0].to_pydatetime() == session.start + timedelta(minutes=1)


def test_the_live_store_is_refused(tmp_path: Path) -> None:
    s = load_scenario(write(tmp_path, GOOD))
    live = tmp_path / "live" / "dispatch.duckdb"
    clock = FakeClock(datetime(2026, 11, 20, 14, 0))
    with pytest.raises(LiveStoreRefused):  # the same path
        DrillSession(s, live.parent, live, clock, session_id="dispatch")
    with pytest.raises(LiveStoreRefused):  # inside (a live store given as a folder)
        DrillSession(s, tmp_path / "live", tmp_path / "live", clock, session_id="x")
    with pytest.raises(LiveStoreRefused):  # a name that is the live store's sidecar
        DrillSession(s, live.parent, live.with_suffix(""), clock, session_id="dispatch")
    with pytest.raises(ValueError):
        DrillSession(s, tmp_path, live, clock, session_id="../live/dispatch")
    assert not live.exists()


# ---- scoring --------------------------------------------------------------------------------

def _advance(sess: DrillSession, oid: str, minutes: float, *actions: str) -> None:
    sess.fake_clock.at(sess.start, minutes)
    for a in actions:
        sess.store.advance(oid, a, "trainee", f"{oid}-{a}")


def test_scoring_met_missed_right_and_wrong(session: DrillSession) -> None:
    eid = session.scenario.injects[0].event_id
    dl = {"acknowledge": 5, "handle": 20, "verify": 20, "close": 30}
    session.fake_clock.at(session.start, 1.5)  # dispatched within the 2-minute target
    ids = {d: session.store.create(eid, "trainee", f"c-{d}", dept_id=d, deadlines=dl)[0]
           for d in ("D-A", "D-B", "D-X")}  # D-X is wrong, D-C is missed
    _advance(session, ids["D-A"], 3, "acknowledge")
    _advance(session, ids["D-B"], 4, "acknowledge")   # react met at 4 ≤ 5
    _advance(session, ids["D-A"], 12, "handle", "verify")
    _advance(session, ids["D-B"], 25, "handle", "verify")   # handle and verify late: 25 > 20
    r = session.score(session.start + timedelta(minutes=40))
    row = r["injects"][0]
    assert row["time_to_dispatch_min"] == 1.5
    assert row["departments_right"] == ["D-A", "D-B"]
    assert row["departments_wrong"] == ["D-X"]
    assert row["departments_missed"] == ["D-C"]
    st = {s["stage"]: s for s in row["stages"]}
    assert st["react"]["status"] == "met" and st["react"]["done_min"] == 4
    assert st["handle"]["status"] == "missed" and st["handle"]["done_min"] == 25
    assert st["verify"]["status"] == "missed"
    # 20 + 30 × (2 − 0.5) / 3 + 50 × 1/3
    assert row["points"] == {"dispatch": 20.0, "departments": 15.0, "stages": 16.67}
    assert r["score"] == 51.7
    assert r["totals"]["stages_met"] == 1 and r["totals"]["stages_missed"] == 2
    assert r["totals"]["departments_wrong"] == 1


def test_perfect_run_scores_100_and_late_dispatch_loses_points(session: DrillSession) -> None:
    eid = session.scenario.injects[0].event_id
    session.fake_clock.at(session.start, 4)  # dispatch target 2 → 20 × (1 − 2/4) = 10
    ids = [session.store.create(eid, "trainee", f"c-{d}", dept_id=d,
                                deadlines={"acknowledge": 5})[0] for d in ("D-A", "D-B", "D-C")]
    for oid in ids:
        _advance(session, oid, 5, "acknowledge")
        _advance(session, oid, 19, "handle", "verify")
    row = session.score(session.start + timedelta(minutes=30))["injects"][0]
    assert [s["status"] for s in row["stages"]] == ["met", "met", "met"]
    assert row["points"]["dispatch"] == 10.0 and row["score"] == 90.0


WEIGHTED = GOOD.replace('title = "alarm"\n', 'title = "alarm"\nweight = 3.0\n') + """
[[inject]]
at_min = 5
type_id = "ET-BIOGAS"
title = "second alarm"
"""


def test_the_total_is_the_mean_weighted_by_the_injects_weights(tmp_path: Path) -> None:
    """Inject 1 (weight 3) scores 50, inject 2 (weight 1) scores 0: the total is
    (3 × 50 + 1 × 0) / 4 = 37.5, not the plain mean 25."""
    s = load_scenario(write(tmp_path, WEIGHTED))
    assert [i.weight for i in s.injects if i.scored] == [3.0, 1.0]
    clock = FakeClock(datetime(2026, 11, 20, 14, 0))
    with DrillSession(s, tmp_path / "drills", None, clock, session_id="w",
                      utc_offset=UTC0) as sess:
        clock.at(sess.start, 1)  # within the dispatch target, the three right departments
        for d in ("D-A", "D-B", "D-C"):
            sess.store.create(s.injects[0].event_id, "trainee", f"c-{d}", dept_id=d,
                              deadlines={})
        r = sess.score(sess.start + timedelta(minutes=30))
    assert [row["score"] for row in r["injects"]] == [50.0, 0.0]
    assert r["score"] == 37.5


def test_pending_and_never_dispatched(session: DrillSession) -> None:
    r = session.score(session.start + timedelta(minutes=3))
    row = r["injects"][0]
    assert row["time_to_dispatch_min"] is None and row["score"] == 0
    assert r["totals"]["dispatched"] == 0
    # the vital inject is not scored; before t0 nothing is
    assert session.score(session.start - timedelta(minutes=1))["score"] is None
    eid = session.scenario.injects[0].event_id
    session.fake_clock.at(session.start, 1)
    session.store.create(eid, "trainee", "c", dept_id="D-A", deadlines={})
    st = session.score(session.start + timedelta(minutes=3))["injects"][0]["stages"]
    assert [s["status"] for s in st] == ["pending"] * 3


def test_after_action_report_is_plain_data(session: DrillSession) -> None:
    eid = session.scenario.injects[0].event_id
    session.fake_clock.at(session.start, 1)
    oid = session.store.create(eid, "trainee", "c", dept_id="D-A", deadlines={})[0]
    _advance(session, oid, 7, "acknowledge")  # late: react 5
    rep = after_action_report(session, session.start + timedelta(minutes=30))
    kinds = [r["kind"] for r in rep["timeline"]]
    assert kinds == ["inject", "create", "acknowledge", "inject"]
    ack = rep["timeline"][2]
    assert ack["late"] and ack["offset_min"] == 7 and ack["dept_id"] == "D-A"
    assert rep["timeline"][1]["at"] == session.start + timedelta(minutes=1)
    assert rep["injects"][0]["inject"] == 1
    assert rep["score"] == rep["totals"]["score"]
    assert rep["scenario"]["id"] == "test-biogas" and "formula" in rep


def test_utc_offset_keeps_local_times_in_the_report(tmp_path: Path) -> None:
    s = load_scenario(write(tmp_path, GOOD))
    clock = FakeClock(datetime(2026, 11, 20, 14, 1))
    with DrillSession(s, tmp_path / "d", None, clock, session_id="tz",
                      utc_offset=timedelta(hours=8)) as sess:
        sess.store.create(s.injects[0].event_id, "trainee", "c", dept_id="D-A", deadlines={})
        assert sess.store.log()["at_utc"][0].to_pydatetime() == datetime(2026, 11, 20, 6, 1)
        rep = after_action_report(sess, datetime(2026, 11, 20, 14, 30))
        assert rep["timeline"][1]["at"] == datetime(2026, 11, 20, 14, 1)
        assert rep["injects"][0]["time_to_dispatch_min"] == 1


# ---- the shipped scenarios against the real plans --------------------------------------------

@pytest.fixture(scope="module")
def catalog(small_dataset_master: Path, tmp_path_factory):
    from cockpit.datasets.catalog import open_catalog

    cat = open_catalog(small_dataset_master, tmp_path_factory.mktemp("cache"))
    return cat


@pytest.mark.parametrize("sid", [s.id for s in shipped_scenarios()])
def test_scripted_trainee_run_of_each_shipped_scenario(sid: str, catalog, tmp_path: Path
                                                       ) -> None:
    """A trainee who dispatches the catalog's plan on time and answers every stage on time
    scores 100; the expected departments are exactly the plan's."""
    from cockpit.datasets.drill import available_scenarios
    from cockpit.datasets.routing import plan_for_type

    # as the window gets them: with the flow of the dataset's plan (forest fire: 核实)
    sc = next(s for s in available_scenarios(catalog.con, None)[0] if s.id == sid)
    live = tmp_path / "live.duckdb"
    live.write_bytes(b"live store bytes")
    clock = FakeClock(sc.start_at())
    con = catalog.cursor()
    try:
        with DrillSession(sc, tmp_path / "drills", live, clock, session_id="run",
                          utc_offset=UTC0) as sess:
            for inj in (i for i in sc.injects if i.scored):
                plan = plan_for_type(con, inj.type_id, inj.district_code, inj.street_code,
                                     event_id=inj.event_id)
                assert plan.plan_id == sc.expected["plan_id"]
                assert set(plan.departments()) == set(inj.departments)
                if "plan_steps" in sc.expected:
                    assert len(plan) == sc.expected["plan_steps"]
                t0 = sess.inject_time(inj)
                clock.t = t0 + timedelta(minutes=sc.dispatch_target / 2)
                ids = sess.store.create(inj.event_id, "trainee", f"c{inj.n}", plan=plan)
                for stage, target in sc.stage_targets():
                    clock.t = t0 + timedelta(minutes=target * 0.9)
                    for oid in ids:
                        sess.store.advance(oid, drill.STAGE_ACTION[stage], "trainee",
                                           f"{oid}-{stage}")
            rep = after_action_report(sess, sess.end)
            assert rep["score"] == 100.0, rep["injects"]
            assert sess.store.verify() == []
    finally:
        con.close()
    assert live.read_bytes() == b"live store bytes"


# ---- stages from the plan ------------------------------------------------------------------

FIRE = GOOD.replace("verify = 10\nhandle = 20", "verify = 3\nhandle = 5").replace(
    "react = 5", "react = 1")


def test_scoring_follows_the_plans_stages(tmp_path: Path) -> None:
    """The same targets (react 1, verify 3, handle 5) read along the plan's flow: with 核实
    before 处置 the verify target is the confirmation's (核实 by 3 min, 核查 not scored); in
    the loop 核查 comes after 处置 and is checked at 5. A confirmation at 2.5 min meets the
    emergency plan's target."""
    from dataclasses import replace

    from cockpit.datasets.stages import EMERGENCY_STAGES

    base = load_scenario(write(tmp_path, FIRE))
    assert base.stage_targets() == [("react", 1.0), ("handle", 5.0), ("verify", 5.0)]
    em = replace(base, stages=EMERGENCY_STAGES)
    assert em.stage_targets() == [("react", 1.0), ("confirm", 3.0), ("handle", 5.0)]
    clock = FakeClock(datetime(2026, 11, 20, 14, 0))
    sess = DrillSession(em, tmp_path / "drills", tmp_path / "live.duckdb", clock,
                        session_id="t-em", utc_offset=UTC0)
    try:
        eid = em.injects[0].event_id
        dl = {"stages": list(EMERGENCY_STAGES), "acknowledge": 1, "confirm": 3, "handle": 5,
              "close": 60}
        clock.at(sess.start, 0.5)
        ids = [sess.store.create(eid, "trainee", f"c-{d}", dept_id=d, deadlines=dl)[0]
               for d in ("D-A", "D-B", "D-C")]
        for minutes, action in ((0.8, "acknowledge"), (2.5, "confirm"), (4.5, "handle")):
            clock.at(sess.start, minutes)
            for oid in ids:
                sess.store.advance(oid, action, "trainee", f"{oid}-{action}")
        row = sess.score(sess.start + timedelta(minutes=10))["injects"][0]
        assert [(s["stage"], s["action"], s["target_min"], s["status"])
                for s in row["stages"]] == [("react", "acknowledge", 1.0, "met"),
                                            ("confirm", "confirm", 3.0, "met"),
                                            ("handle", "handle", 5.0, "met")]
        assert row["points"]["stages"] == 50.0
    finally:
        sess.close()


def test_available_scenarios_take_the_flow_of_the_datasets_plan(tmp_path: Path) -> None:
    """The picker's and the session's scenarios carry the stages of the plan the dataset
    has under [expected].plan_id (the catalog's ``plan.stages``)."""
    import duckdb
    from cockpit.datasets.drill import available_scenarios
    from cockpit.datasets.stages import DEFAULT_STAGES, EMERGENCY_STAGES

    con = duckdb.connect()
    con.execute("CREATE TABLE plan (plan_id VARCHAR, name VARCHAR, stages VARCHAR)")
    con.execute("INSERT INTO plan VALUES ('P-FOREST-FIRE', 'f', 'react,confirm,handle,close'),"
                " ('P-BIOGAS', 'b', NULL)")
    for t, c in (("admin_unit", "code"), ("event_type", "type_id"),
                 ("department", "dept_id")):
        con.execute(f"CREATE TABLE {t} ({c} VARCHAR)")
    fit, unfit, _ = available_scenarios(con, None)
    by_plan = {sc.expected["plan_id"]: sc for sc, _m in unfit}
    assert by_plan["P-FOREST-FIRE"].stages == EMERGENCY_STAGES
    assert by_plan["P-BIOGAS"].stages == DEFAULT_STAGES
