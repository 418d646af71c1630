"""The vital-sign engine: thresholds, hysteresis, as-of status, excursions, one alarm per
excursion, the simulator, and the controller that ticks them."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pyarrow.parquet as pq
import pytest
from cockpit.datasets import vitals as V
from cockpit.datasets.schema import TABLE_BY_NAME
from cockpit.datasets.vitals import monitor as monitor_mod
from cockpit.datasets.vitals.simulator import BLOCK, VitalSimulator

T0 = datetime(2026, 11, 20, 0, 0)
STEP = timedelta(minutes=5)

# ----------------------------------------------------------------------------- tiny DB


def sign(ind: str, wl=10.0, wh=20.0, al=5.0, ah=25.0, point_id=None, unit_code="500103",
         domain="水", name=None, type_id="ET-WATER-PRESSURE") -> dict:
    return {"indicator_id": ind, "name": name or f"供水管网压力{ind}", "domain": domain,
            "unit": "MPa", "unit_code": unit_code, "warn_low": wl, "warn_high": wh,
            "alarm_low": al, "alarm_high": ah, "point_id": point_id, "event_type_id": type_id}


def make_db(signs: list[dict], series: dict[str, list[float]], start: datetime = T0,
            step: timedelta = STEP, times: dict[str, list[datetime]] | None = None
            ) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the tables the engine reads; readings at ``step`` from
    ``start`` (or at ``times``), stored sorted by (indicator_id, ts) as the catalog does."""
    con = duckdb.connect()
    con.execute("""CREATE TABLE admin_unit (code VARCHAR, name VARCHAR, level VARCHAR,
                   parent_code VARCHAR, lon DOUBLE, lat DOUBLE)""")
    con.executemany("INSERT INTO admin_unit VALUES (?, ?, ?, ?, ?, ?)", [
        ("500000", "重庆市", "city", None, 106.55, 29.56),
        ("500103", "渝中区", "district", "500000", 106.57, 29.55),
        ("500103001", "解放碑街道", "street", "500103", 106.58, 29.557),
    ])
    con.execute("""CREATE TABLE risk_point (point_id BIGINT, lon DOUBLE, lat DOUBLE,
                   district_code VARCHAR, street_code VARCHAR, level INTEGER)""")
    con.execute("INSERT INTO risk_point VALUES (7, 106.5801, 29.5577, '500103', "
                "'500103001', 1)")
    con.execute("CREATE TABLE event_type (type_id VARCHAR)")
    con.executemany("INSERT INTO event_type VALUES (?)",
                    [("ET-WATER-PRESSURE",), ("ET-GAS-LEAK",)])
    con.execute("""CREATE TABLE vital_sign (indicator_id VARCHAR, name VARCHAR, domain VARCHAR,
                   unit VARCHAR, unit_code VARCHAR, warn_low DOUBLE, warn_high DOUBLE,
                   alarm_low DOUBLE, alarm_high DOUBLE, point_id BIGINT,
                   event_type_id VARCHAR)""")
    con.executemany("INSERT INTO vital_sign VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [tuple(s[k] for k in ("indicator_id", "name", "domain", "unit", "unit_code",
                                          "warn_low", "warn_high", "alarm_low", "alarm_high",
                                          "point_id", "event_type_id")) for s in signs])
    rows = []
    for ind, values in series.items():
        ts = times[ind] if times and ind in times else [start + k * step
                                                        for k in range(len(values))]
        rows += [(ind, t, float(v)) for t, v in zip(ts, values, strict=True)]
    con.execute("CREATE TEMP TABLE r0 (indicator_id VARCHAR, ts TIMESTAMP, value DOUBLE)")
    if rows:
        con.executemany("INSERT INTO r0 VALUES (?, ?, ?)", rows)
    con.execute("CREATE TABLE vital_reading AS SELECT * FROM r0 ORDER BY indicator_id, ts")
    return con


def states_over(values: list[float], **thr) -> list[str]:
    """The status after each reading of one series."""
    con = make_db([sign("A", **thr)], {"A": values})
    signs = V.load_signs(con)
    return [V.status_as_of(con, T0 + k * STEP, signs).state_name(0) for k in range(len(values))]


# ------------------------------------------------------------------- thresholds


def test_levels_in_both_directions() -> None:
    assert states_over([15, 21, 26, 15]) == ["normal", "warning", "alarm", "normal"]
    assert states_over([15, 9, 4, 15]) == ["normal", "warning", "alarm", "normal"]


@pytest.mark.parametrize("value, expected", [
    (20.0, "normal"),      # == warn_high: inside
    (20.000001, "warning"),
    (25.0, "warning"),     # == alarm_high: not alarm
    (25.000001, "alarm"),
    (10.0, "normal"),      # == warn_low: inside
    (9.999999, "warning"),
    (5.0, "warning"),      # == alarm_low: not alarm
    (4.999999, "alarm"),
])
def test_exact_boundaries_are_inside(value: float, expected: str) -> None:
    assert states_over([value]) == [expected]


def test_missing_thresholds_do_not_apply() -> None:
    # alarm only, upper side only
    assert states_over([1, 30, 1], wl=None, wh=None, al=None, ah=25.0) == [
        "normal", "alarm", "normal"]
    # lower side only (e.g. 供电电压合格率)
    assert states_over([99.5, 98.5, 97.0], wl=99.0, wh=None, al=98.0, ah=None) == [
        "normal", "warning", "alarm"]
    # no thresholds at all: always normal
    assert states_over([1e9, -1e9], wl=None, wh=None, al=None, ah=None) == ["normal", "normal"]


# ------------------------------------------------------------------- hysteresis


def test_dead_band_widths() -> None:
    con = make_db([sign("A"), sign("B", wl=None, wh=None, al=None, ah=25.0),
                   sign("C", wl=99.0, wh=None, al=98.0, ah=None)], {})
    s = V.load_signs(con)
    # A: 10 % of the warning band on each side (25 − 20, 10 − 5)
    assert s.dead_high[0] == pytest.approx(0.5) and s.dead_low[0] == pytest.approx(0.5)
    # B: only a threshold: 10 % of its magnitude
    assert s.dead_high[1] == pytest.approx(2.5)
    # C: lower side 99 − 98; the upper side has none (no threshold, nothing to hold)
    assert s.dead_low[2] == pytest.approx(0.1)


def test_hysteresis_leaves_a_state_only_past_the_dead_band() -> None:
    # dead band 0.5: alarm is held while value > 24.5, warning while value > 19.5
    got = states_over([15, 26, 24.6, 24.5, 19.6, 19.5])
    assert got == ["normal", "alarm", "alarm", "warning", "warning", "normal"]
    # the same on the low side: alarm held while value < 5.5, warning while < 10.5
    got = states_over([15, 4, 5.4, 5.5, 10.4, 10.5])
    assert got == ["normal", "alarm", "alarm", "warning", "warning", "normal"]


def test_a_value_hovering_at_a_threshold_does_not_flap() -> None:
    hover = [15, 16] + [25.2, 24.8] * 10 + [15]
    got = states_over(hover)
    assert got[2:-1] == ["alarm"] * 20
    con = make_db([sign("A")], {"A": hover})
    ex = V.excursions(con, "A", T0, T0 + STEP * len(hover))
    assert [e.level for e in ex] == ["alarm"]


@pytest.mark.parametrize("thr, series, expected", [
    # the warning band on that side: alarm_high − warn_high = 40 − 30 = 10 → dead band 1.0
    (dict(wl=None, wh=30.0, al=None, ah=40.0), [20, 41, 39.1, 39.0, 29.1, 29.0],
     ["normal", "alarm", "alarm", "warning", "warning", "normal"]),
    # no alarm thresholds: the distance between the innermost thresholds, 30 − 10 = 20 → 2.0
    (dict(wl=10.0, wh=30.0, al=None, ah=None), [20, 31, 28.1, 28.0, 9, 11.9, 12.0],
     ["normal", "warning", "warning", "normal", "warning", "warning", "normal"]),
    # one threshold only: its own magnitude, |50| → 5.0
    (dict(wl=None, wh=None, al=None, ah=50.0), [20, 51, 45.1, 45.0],
     ["normal", "alarm", "alarm", "normal"]),
])
def test_the_dead_band_is_ten_percent_of_the_documented_width(thr, series, expected) -> None:
    """The dead band's width by the three documented cases, with numbers worked out by hand
    (a band taken from the threshold's magnitude instead would hold the alarm at 39.0)."""
    assert states_over(series, **thr) == expected


def test_the_dead_band_holds_for_one_window_at_most() -> None:
    # 26 then 24.8 (inside the alarm dead band) for 3 hours: the alarm is held while the
    # reading beyond the threshold is within the 2-hour window, then drops to warning
    values = [26] + [24.8] * 36
    got = states_over(values)
    n_window = V.WINDOW // STEP  # readings in (ts − 2 h, ts]
    assert got[:n_window] == ["alarm"] * n_window
    assert set(got[n_window:]) == {"warning"}


# --------------------------------------------------------------------- as of t


def test_status_as_of_any_moment() -> None:
    con = make_db([sign("A"), sign("B")], {"A": [15, 26, 15], "B": [15] * 40})
    s = V.load_signs(con)
    assert V.status_as_of(con, T0 - STEP, s).state_name(0) == "nodata"  # before any reading
    st = V.status_as_of(con, T0 + STEP + timedelta(minutes=2), s)  # between readings
    assert st.state_name(0) == "alarm" and st.value[0] == 26
    assert V.from_us(st.ts[0]) == T0 + STEP
    # a later moment, then an earlier one again: the same answer (no state carried)
    assert V.status_as_of(con, T0 + 2 * STEP, s).state_name(0) == "normal"
    assert V.status_as_of(con, T0 + STEP, s).state_name(0) == "alarm"
    # silent for STALE: no data (B goes on)
    late = V.status_as_of(con, T0 + 2 * STEP + V.STALE, s)
    assert late.state_name(0) == "nodata" and late.state_name(1) == "normal"
    assert V.status_as_of(con, T0 + 2 * STEP + V.STALE - timedelta(seconds=1),
                          s).state_name(0) == "normal"


def test_future_readings_are_ignored() -> None:
    con = make_db([sign("A")], {"A": [15, 15, 30]})
    s = V.load_signs(con)
    rd = V.fetch_readings(con, s, T0 - timedelta(hours=1), T0 + timedelta(hours=1))
    assert V.evaluate(rd, T0 + STEP).state_name(0) == "normal"
    assert V.evaluate(rd, T0 + 2 * STEP).state_name(0) == "alarm"


def test_status_and_excursions_agree_at_every_moment() -> None:
    rng = np.random.default_rng(3)
    walk = list(np.round(22 + np.cumsum(rng.normal(0, 0.8, 400)), 2))
    con = make_db([sign("A")], {"A": walk})
    s = V.load_signs(con)
    ex = V.excursions(con, "A", T0, T0 + STEP * 400, signs=s)
    assert any(e.level == "alarm" for e in ex) and any(e.level == "warning" for e in ex)

    def from_runs(t: datetime) -> str:
        for e in ex:
            if e.entered_at <= t and (e.left_at is None or t < e.left_at):
                return e.level
        return "normal"

    for k in range(0, 400, 3):
        t = T0 + k * STEP + timedelta(minutes=1)
        assert V.status_as_of(con, t, s).state_name(0) == from_runs(t), t


def test_excursions_report_entry_exit_and_peak() -> None:
    con = make_db([sign("A")], {"A": [15, 22, 27, 29, 26, 21, 15, 15]})
    ex = V.excursions(con, "A", T0, T0 + 7 * STEP)
    assert [(e.level, e.entered_at, e.left_at) for e in ex] == [
        ("warning", T0 + STEP, T0 + 2 * STEP),
        ("alarm", T0 + 2 * STEP, T0 + 5 * STEP),
        ("warning", T0 + 5 * STEP, T0 + 6 * STEP),
    ]
    assert ex[1].peak == 29 and ex[1].peak_at == T0 + 3 * STEP
    # a range that ends inside the alarm: still open
    open_ex = V.excursions(con, "A", T0, T0 + 3 * STEP)
    assert open_ex[-1].level == "alarm" and open_ex[-1].left_at is None


def test_readings_out_of_order_are_sorted_and_rowid_path_matches_join_path() -> None:
    con = make_db([sign("A"), sign("B")], {"A": [15, 26, 15], "B": [1, 2, 3]})
    s = V.load_signs(con)
    assert s.row_start is not None
    a = V.fetch_readings(con, s, T0 - STEP, T0 + 10 * STEP)
    s2 = V.Signs(**{**s.__dict__, "row_start": None})
    b = V.fetch_readings(con, s2, T0 - STEP, T0 + 10 * STEP)
    assert np.array_equal(a.idx, b.idx) and np.array_equal(a.ts, b.ts)
    shuffled = V.Readings(s, a.idx[::-1], a.ts[::-1], a.value[::-1])
    assert np.array_equal(shuffled.value, a.value)


# ------------------------------------------------------------------------ alarms


def test_a_series_crossing_into_alarm_makes_exactly_one_dispatchable_event() -> None:
    values = [15] * 6 + [22, 26, 27, 26.5, 25.2, 24.9, 25.3, 26, 23, 15] + [15] * 6
    con = make_db([sign("A", point_id=7), sign("B")], {"A": values, "B": [15] * len(values)})
    mon = V.VitalsMonitor()
    raised, cleared = [], []
    for k in range(len(values) + 2):
        r = mon.update(con, T0 + k * STEP)
        raised += r.raised
        cleared += r.cleared
    assert len(raised) == 1 and len(cleared) == 1
    ev = raised[0]
    assert cleared[0]["event_id"] == ev["event_id"]
    assert ev["at"] == T0 + 7 * STEP and cleared[0]["at"] == T0 + 14 * STEP
    # shaped like a row of the catalog's event table, ready for dispatch
    for col in TABLE_BY_NAME["event"].columns:
        assert col.name in ev, col.name
    assert ev["source"] == "sensor" and ev["type_id"] == "ET-WATER-PRESSURE"
    assert ev["occurred_at"] == ev["at"]
    assert isinstance(ev["event_id"], int) and 10 ** 7 < ev["event_id"] < 2 ** 53
    # at the linked risk point (重大 → severity 1), in its district and street
    assert (ev["lon"], ev["lat"]) == (106.5801, 29.5577)
    assert (ev["district_code"], ev["street_code"], ev["point_id"]) == ("500103", "500103001", 7)
    assert ev["severity"] == 1 and ev["threshold"] == 25.0 and ev["side"] == "high"
    assert ev["value"] == 26 and "报警" in ev["title"]
    # deterministic: a replay of the same moments gives the same id
    assert ev["event_id"] == V.alarm_event_id("A", T0 + 7 * STEP)


def test_an_alarm_without_a_risk_point_sits_at_its_unit() -> None:
    con = make_db([sign("A")], {"A": [15, 30]})
    mon = V.VitalsMonitor()
    r = mon.update(con, T0 + STEP)
    (ev,) = r.open_events
    assert (ev["lon"], ev["lat"]) == (106.57, 29.55) and ev["district_code"] == "500103"
    assert ev["severity"] == 2 and ev["point_id"] is None and ev["street_code"] is None


def test_an_excursion_between_two_ticks_is_raised_and_cleared() -> None:
    values = [15] * 4 + [30, 30] + [15] * 4
    con = make_db([sign("A")], {"A": values})
    mon = V.VitalsMonitor()
    mon.update(con, T0 + 2 * STEP)
    r = mon.update(con, T0 + 8 * STEP)  # one tick across the whole excursion
    assert [k for k, _ in r.events] == ["raised", "cleared"]
    assert r.events[0][1]["event_id"] == r.events[1][1]["event_id"]
    assert r.open_events == []


def test_an_alarm_that_goes_silent_is_cleared_as_nodata() -> None:
    con = make_db([sign("A"), sign("B")], {"A": [15, 30, 30], "B": [15] * 60})
    mon = V.VitalsMonitor()
    raised = cleared = 0
    for k in range(60):
        r = mon.update(con, T0 + k * STEP)
        raised += len(r.raised)
        for e in r.cleared:
            cleared += 1
            assert e["reason"] == "nodata" and e["at"] == T0 + 2 * STEP + V.STALE
    assert (raised, cleared) == (1, 1)


def test_jumping_the_clock_rebuilds_the_same_open_alarms() -> None:
    values = [15] * 10 + [30] * 30 + [15] * 10
    con = make_db([sign("A"), sign("B")], {"A": values, "B": [15] * 50})
    ticking = V.VitalsMonitor()
    for k in range(30):
        ticking.update(con, T0 + k * STEP)
    (ev,) = ticking.open_events()
    assert ev["at"] == T0 + 10 * STEP
    fresh = V.VitalsMonitor()
    r = fresh.update(con, T0 + 29 * STEP)
    assert r.rebuilt and [e["event_id"] for e in r.open_events] == [ev["event_id"]]
    assert r.raised[0]["reason"] == "rebuilt" and r.raised[0]["at"] == ev["at"]
    # back before the excursion: the alarm is cleared, then forward again: the same event
    back = ticking.update(con, T0 + 5 * STEP)
    assert back.rebuilt and [e["event_id"] for e in back.cleared] == [ev["event_id"]]
    again = ticking.update(con, T0 + 25 * STEP)
    assert [e["event_id"] for e in again.raised] == [ev["event_id"]]


def test_a_scripted_sign_reads_the_script_and_its_alarm_is_the_scripts_event() -> None:
    """A drill's inject: the dataset's sign A reads the script's values from T0 + 10 steps
    (its own readings set aside there, before and after kept), a sign the dataset lacks is
    brought by the script; each alarm takes the script's event fields, and a clock that
    jumps about finds the same open alarms without clearing and raising them again."""
    values = [15.0] * 60
    con = make_db([sign("A"), sign("B")], {"A": values, "B": values})
    at = T0 + 10 * STEP
    event = {"event_id": -7001, "type_id": "ET-GAS-LEAK", "lon": 106.6, "drill": True}
    own = {"indicator_id": "DRILL-x-1", "name": "甲烷", "domain": "气", "unit": "%LEL",
           "unit_code": "500103", "district_code": "500103", "street_code": None,
           "alarm_high": 25.0, "point_id": None, "event_type_id": None,
           "u_lon": 106.57, "u_lat": 29.55}
    mon = V.VitalsMonitor()
    mon.set_scripts(lambda signs: [
        V.ScriptedSign("A", ((at, 30.0), (at + 5 * STEP, 40.0)), at + 20 * STEP, event=event),
        V.ScriptedSign("DRILL-x-1", ((T0, 4.0), (at, 32.0)), at + 20 * STEP, sign=own)])
    r = mon.update(con, at - STEP)
    a, d = mon.signs.index["A"], mon.signs.index["DRILL-x-1"]
    assert len(mon.signs) == 3 and mon.signs.name[d] == "甲烷"
    assert (r.status.state_name(a), r.status.value[a]) == ("normal", 15.0)
    assert (r.status.state_name(d), r.status.value[d]) == ("normal", 4.0)
    r = mon.update(con, at)
    assert (r.status.state_name(a), r.status.value[a]) == ("alarm", 30.0)
    assert r.status.state_name(d) == "alarm" and r.status.value[d] == 32.0
    by_sign = {e["indicator_id"]: e for e in r.raised}
    assert by_sign["A"]["event_id"] == -7001 and by_sign["A"]["type_id"] == "ET-GAS-LEAK"
    assert by_sign["A"]["lon"] == 106.6 and by_sign["A"]["occurred_at"] == at
    assert by_sign["DRILL-x-1"]["event_id"] > 2 ** 52  # no event fields: its own alarm
    assert mon.update(con, at + 6 * STEP).status.value[a] == 40.0  # the second point
    # after the script (at + 20 steps, then stale) the dataset's own readings again
    assert mon.update(con, at + 21 * STEP).status.value[a] == 15.0
    # jumps: back before, forward into the script: the same events, no churn on a re-seek
    mon.update(con, at - 2 * STEP)
    r = mon.update(con, at + 3 * STEP)
    assert {e["event_id"] for e in r.raised} == {-7001, by_sign["DRILL-x-1"]["event_id"]}
    r = mon.update(con, at + 12 * STEP)
    assert r.raised == [] and r.cleared == []


# ---------------------------------------------------------------- the real dataset


@pytest.fixture(scope="module")
def small_catalog(small_dataset_master: Path, tmp_path_factory: pytest.TempPathFactory):
    from cockpit.datasets.catalog import open_catalog

    cat = open_catalog(small_dataset_master, tmp_path_factory.mktemp("vitals-cache"))
    yield cat
    cat.close()


def test_the_demo_catalog_is_built_with_its_simulator_fit(small_catalog) -> None:
    """Building the demo's catalog fits the simulator (the first start after it does not);
    the window's monitor finds that fit and continues past the data without the last day."""
    path = V.sim_cache_path(small_catalog.db_path)
    assert small_catalog.synthetic and path.exists()
    con = small_catalog.cursor()
    hi = con.execute("SELECT max(ts) FROM vital_reading").fetchone()[0]
    mon = V.VitalsMonitor(simulate=True, seed=3)
    mon.sim_cache = path
    r = mon.update(con, hi + timedelta(hours=2))
    assert mon.sim is not None
    assert r.status.counts()["nodata"] < len(r.status.signs)
    fresh = V.VitalsMonitor(simulate=True, seed=3)
    assert np.array_equal(fresh.update(con, hi + timedelta(hours=2)).status.value,
                          r.status.value, equal_nan=True)
    con.close()


def test_status_on_the_small_dataset_holds_the_simple_rule(small_catalog) -> None:
    from cockpit.datasets import summary

    con = small_catalog.cursor()
    signs = V.load_signs(con)
    assert signs.row_start is not None  # the catalog stores readings sorted per indicator
    hi = con.execute("SELECT max(ts) FROM vital_reading").fetchone()[0]
    rank = {"nodata": -1, "normal": 0, "warning": 1, "alarm": 2}
    for t in (hi - timedelta(hours=20), hi - timedelta(hours=9), hi - timedelta(hours=1)):
        st = V.status_as_of(con, t, signs)
        simple = summary.vital_status(con, t).set_index("indicator_id")["status"]
        assert len(st.state) == len(simple) == len(signs)
        for i, ind in enumerate(signs.ids):
            mine, plain = st.state_name(i), simple[ind]
            # hysteresis only ever holds a state: never below the plain level
            assert rank[mine] >= rank[plain], (ind, t)
    con.close()


def test_states_at_several_moments_equal_evaluating_each(small_catalog) -> None:
    con = small_catalog.cursor()
    signs = V.load_signs(con)
    hi = con.execute("SELECT max(ts) FROM vital_reading").fetchone()[0]
    rd = V.fetch_readings(con, signs, hi - timedelta(hours=30), hi)
    moments = [hi - timedelta(minutes=m) for m in (0, 7, 15, 60, 299, 600, 1400)]
    many = V.states_at(rd, [V.to_us(t) for t in moments])
    assert many.shape == (len(moments), len(signs))
    for row, t in zip(many, moments, strict=True):
        assert np.array_equal(row, V.evaluate(rd, t).state), t
    assert (many != V.NODATA).any() and len({tuple(r) for r in many}) > 1
    con.close()


def test_ticking_the_small_dataset_raises_one_event_per_excursion(small_catalog) -> None:
    con = small_catalog.cursor()
    lo, hi = con.execute("SELECT min(ts), max(ts) FROM vital_reading").fetchone()
    mon = V.VitalsMonitor()
    on: dict[str, int] = {}
    ids = set()
    t = lo + timedelta(hours=2)
    while t <= hi:
        for kind, e in mon.update(con, t).events:
            if kind == "raised":
                assert e["indicator_id"] not in on
                assert e["event_id"] not in ids
                on[e["indicator_id"]] = e["event_id"]
                ids.add(e["event_id"])
            else:
                assert on.pop(e["indicator_id"]) == e["event_id"]
        t += timedelta(minutes=15)
    assert ids, "the small dataset has alarm excursions"
    # each raised event is one alarm excursion of the engine
    signs = mon.signs
    for ind in {e["indicator_id"] for k, e in mon.log if k == "raised"}:
        ex = V.excursions(con, ind, lo + timedelta(hours=2), hi, signs=signs)
        n = sum(1 for k, e in mon.log if k == "raised" and e["indicator_id"] == ind)
        assert n == sum(1 for e in ex if e.level == "alarm"), ind
    con.close()


def test_panel_data_is_plain(small_catalog) -> None:
    con = small_catalog.cursor()
    hi = con.execute("SELECT max(ts) FROM vital_reading").fetchone()[0]
    r = V.VitalsMonitor().update(con, hi - timedelta(hours=3))
    data = V.panel_data(r)
    assert set(data["domains"]) <= set(r.status.signs.domain)
    assert sum(data["counts"].values()) == len(r.status.signs)
    table = data["table"]
    assert all(len(v) == len(r.status.signs) for v in table.values())
    assert all(type(v) in (float, type(None)) for v in table["value"])
    assert all(type(v) is str for v in table["status"])
    assert len(data["sparks"]["t"]) >= 2
    con.close()


# ---------------------------------------------------------------------- simulator


def _history(con_signs, days: float = 1.0):
    con, s = con_signs
    return V.fetch_readings(con, s, T0 - timedelta(days=1), T0 + timedelta(days=days))


@pytest.fixture
def sim_source():
    rng = np.random.default_rng(0)
    n = 24 * 12
    day = 15 + 3 * np.cos(2 * np.pi * np.arange(n) / n)
    series = {f"S{i:02d}": list(np.round(day + rng.normal(0, 0.3, n), 2)) for i in range(30)}
    signs = [sign(k) for k in series]
    con = make_db(signs, series, start=T0 - timedelta(days=1) + STEP)
    return con, V.load_signs(con)


def test_the_simulator_continues_from_the_last_values(sim_source) -> None:
    hist = _history(sim_source)
    sim = VitalSimulator(hist, seed=5)
    assert sim.start == T0 and sim.step_us == STEP // timedelta(microseconds=1)
    nxt = sim.readings(T0, T0 + STEP)
    last = hist.value[hist.starts[1:] - 1]
    assert len(nxt) == len(sim.signs)
    assert np.all(np.abs(nxt.value - last) < 2.0)
    assert V.from_us(nxt.ts.min()) == T0 + STEP
    # nothing before the data's end
    assert len(sim.readings(T0 - timedelta(hours=3), T0)) == 0


def test_the_simulator_is_deterministic_for_a_seed(sim_source) -> None:
    hist = _history(sim_source)
    whole = VitalSimulator(hist, seed=5).readings(T0, T0 + timedelta(hours=30))
    pieces = VitalSimulator(hist, seed=5)
    parts = [pieces.readings(T0 + timedelta(hours=h), T0 + timedelta(hours=h + 5))
             for h in range(25, -5, -5)]  # asked backwards, in pieces
    merged = parts[0]
    for p in parts[1:]:
        merged = merged.merge(p)
    assert np.array_equal(whole.value, merged.value) and np.array_equal(whole.ts, merged.ts)
    other = VitalSimulator(hist, seed=6).readings(T0, T0 + timedelta(hours=30))
    assert not np.array_equal(whole.value, other.value)


def test_the_simulator_jumps_days_ahead_with_the_same_values_and_bounded_memory(
        sim_source) -> None:
    """Asked straight for a day three weeks past the data, the simulator gives what it gives
    when walked there day by day, and keeps only ``keep`` of steps (it kept every step)."""
    class Peak(VitalSimulator):
        peak = 0

        def _block(self, *a, **k) -> None:
            super()._block(*a, **k)
            self.peak = max(self.peak, self._values.shape[1])

    hist = _history(sim_source)
    day = (T0 + timedelta(days=21), T0 + timedelta(days=22))
    jumped = Peak(hist, seed=4)
    far = jumped.readings(*day)
    walked = VitalSimulator(hist, seed=4)
    for d in range(21):
        walked.readings(T0 + timedelta(days=d), T0 + timedelta(days=d + 1))
    assert np.array_equal(far.value, walked.readings(*day).value)
    assert jumped.peak <= jumped.keep_steps + 2 * BLOCK


def test_the_simulator_drifts_into_warning_and_alarm(sim_source) -> None:
    hist = _history(sim_source)
    sim = VitalSimulator(hist, seed=2, warning_rate=1.0, alarm_rate=0.5)
    end = T0 + timedelta(days=2)
    rd = hist.merge(sim.readings(T0, end))
    runs = V.excursions_in(rd, np.arange(len(sim.signs)), T0, end)
    levels = [e.level for ex in runs.values() for e in ex]
    assert levels.count("alarm") >= 3 and levels.count("warning") >= 3
    quiet = VitalSimulator(hist, seed=2, warning_rate=0.0, alarm_rate=0.0)
    rd = hist.merge(quiet.readings(T0, end))
    runs = V.excursions_in(rd, np.arange(len(sim.signs)), T0 + timedelta(hours=3), end)
    assert not any(runs.values())


def test_the_monitor_merges_simulated_readings_after_the_data(sim_source) -> None:
    con, _s = sim_source
    mon = V.VitalsMonitor(simulate=True, seed=1)
    r = mon.update(con, T0 + timedelta(hours=5))
    assert mon.sim is not None and r.status.counts()["nodata"] == 0
    assert V.from_us(r.status.ts.max()) == T0 + timedelta(hours=5)


def test_a_kept_fit_continues_exactly_and_spares_the_next_start_the_history(
        sim_source, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The simulator's fit is kept beside the catalog: the next monitor continues with the
    same readings without reading the last day again; a fit made for other data, or a
    damaged file, is fitted again (never trusted, never a crash)."""
    con, _s = sim_source
    at = T0 + timedelta(hours=5)
    path = V.sim_cache_path(tmp_path / "cat.duckdb")
    first = V.VitalsMonitor(simulate=True, seed=1)
    first.sim_cache = path
    want = first.update(con, at)
    assert path.exists()

    reads: list[tuple] = []
    real = monitor_mod.fetch_readings

    def counting(con_, signs, start, end, *a, **k):
        reads.append((start, end))
        return real(con_, signs, start, end, *a, **k)

    monkeypatch.setattr(monitor_mod, "fetch_readings", counting)
    again = V.VitalsMonitor(simulate=True, seed=1)
    again.sim_cache = path
    got = again.update(con, at)
    assert np.array_equal(got.status.value, want.status.value, equal_nan=True)
    assert np.array_equal(got.status.state, want.status.state)
    assert not [r for r in reads if r[0] == T0 - timedelta(days=1)]  # the day not read

    # a fit made for other data (other signs, another end) is fitted again
    monkeypatch.setattr(monitor_mod, "_sim_key", lambda signs, end: "another dataset's")
    other = V.VitalsMonitor(simulate=True, seed=1)
    other.sim_cache = path
    got = other.update(con, at)
    assert [r for r in reads if r[0] == T0 - timedelta(days=1)]
    assert np.array_equal(got.status.value, want.status.value, equal_nan=True)
    monkeypatch.undo()

    path.write_bytes(b"PK\x03\x04 not a zip")
    broken = V.VitalsMonitor(simulate=True, seed=1)
    broken.sim_cache = path
    got = broken.update(con, at)
    assert np.array_equal(got.status.value, want.status.value, equal_nan=True)


def test_a_fitted_simulator_refuses_arrays_for_other_signs(sim_source) -> None:
    hist = _history(sim_source)
    fitted = VitalSimulator(hist, seed=5).fitted()
    fitted["level"] = fitted["level"][:3]
    with pytest.raises(ValueError, match="not for these 30 signs"):
        VitalSimulator.from_fitted(hist.signs, fitted)
    del fitted["sd"]
    with pytest.raises(ValueError, match="lacks sd"):
        VitalSimulator.from_fitted(hist.signs, fitted)


# ------------------------------------------------------------------ the controller


class _Catalog:
    """The two things the controller needs of a catalog."""

    def __init__(self, con: duckdb.DuckDBPyConnection, synthetic: bool = False) -> None:
        self.con = con
        self.synthetic = synthetic

    def cursor(self) -> duckdb.DuckDBPyConnection:
        return self.con.cursor()


def test_the_controller_ticks_off_the_gui_thread_and_signals_alarms(qtbot) -> None:
    from cockpit.controllers.vitals import SIGNAL_KEYS, VitalsController

    values = [15] * 10 + [30] * 10 + [15] * 10
    con = make_db([sign("A", point_id=7), sign("B")], {"A": values, "B": [15] * 30})
    now = [T0 + 5 * STEP]
    ctl = VitalsController(_Catalog(con), lambda: now[0], None)
    ctl.set_interval(50)
    assert ctl.interval() == 50
    raised, cleared = [], []
    ctl.sig_alarm_raised.connect(raised.append)
    ctl.sig_alarm_cleared.connect(cleared.append)
    for k in (5, 9, 10, 12, 19, 20, 21):
        now[0] = T0 + k * STEP
        with qtbot.waitSignal(ctl.sig_ticked, timeout=10000):
            ctl.tick()
        if k == 12:
            (ev,) = ctl.alarm_events()
            assert ev["source"] == "sensor" and ev["indicator_id"] == "A"
    assert len(raised) == 1 and len(cleared) == 1
    for key in SIGNAL_KEYS:
        assert key in raised[0] and key in cleared[0]
    assert raised[0]["at"] == T0 + 10 * STEP and cleared[0]["at"] == T0 + 20 * STEP
    assert ctl.alarm_events() == []
    assert [k for k, _ in ctl.alarm_log()] == ["raised", "cleared"]
    ctl.close()


def test_the_controller_feeds_the_panel_and_answers_trend_requests(qtbot) -> None:
    from cockpit.widgets.vitals_panel import VitalsPanel

    from cockpit.controllers.vitals import VitalsController

    con = make_db([sign("A"), sign("B", domain="电", name="用电负荷")],
                  {"A": [15] * 20 + [30] * 5, "B": [15] * 25})
    panel = VitalsPanel()
    qtbot.addWidget(panel)
    ctl = VitalsController(_Catalog(con), lambda: T0 + 24 * STEP, panel, interval_ms=40)
    with qtbot.waitSignal(ctl.sig_ticked, timeout=10000):
        ctl.start()
    assert panel.domains() == ["水", "电"] and panel.summary._counts["alarm"] == 1
    assert panel.table.model.rowCount() == 0  # kept, not applied, while the table hides
    panel.show_domain(None)
    assert panel.table.model.rowCount() == 2 and panel.table.proxy.rowCount() == 2
    with qtbot.waitSignal(ctl.sig_ticked, timeout=10000):
        pass  # the timer ticks again by itself
    ctl.stop()
    qtbot.waitUntil(lambda: not ctl.busy(), timeout=10000)
    panel.sig_indicator_requested.emit("A")
    qtbot.waitUntil(lambda: panel.page() == "detail", timeout=10000)
    d = panel.detail.data
    assert d["indicator_id"] == "A" and d["status"] == "alarm" and len(d["t"]) == 25
    assert [c[1] for c in d["crossings"]] == ["alarm"]
    ctl.close()


# ----------------------------------------------- the alarm → event type link (data)


def test_each_sign_takes_the_type_its_row_names_and_none_without() -> None:
    con = make_db([sign("A"), sign("B", type_id=None), sign("C", type_id="ET-NOT-HERE"),
                   sign("D", domain="气", name="可燃气体浓度", type_id="ET-GAS-LEAK")],
                  {})
    signs = V.load_signs(con)
    types = dict(zip(signs.ids, signs.type_id, strict=True))
    # B is a water-pressure sign like A: no code guesses the demo's type for it any more
    assert types == {"A": "ET-WATER-PRESSURE", "B": None, "C": None, "D": "ET-GAS-LEAK"}


def test_a_vital_sign_table_without_the_column_gives_no_types() -> None:
    con = make_db([sign("A")], {})
    con.execute("ALTER TABLE vital_sign DROP COLUMN event_type_id")
    signs = V.load_signs(con)
    assert signs.type_id == [None]


def test_an_alarm_of_a_sign_without_type_is_still_raised(tmp_path: Path) -> None:
    values = [15] * 4 + [26, 27, 27, 15, 15]
    con = make_db([sign("A", type_id=None)], {"A": values})
    mon = V.VitalsMonitor()
    raised = []
    for k in range(len(values) + 1):
        raised += mon.update(con, T0 + k * STEP + timedelta(seconds=1)).raised
    assert len(raised) == 1 and raised[0]["type_id"] is None


def test_the_demo_generator_writes_the_link(small_dataset_master: Path) -> None:
    signs = pq.read_table(small_dataset_master / "vital_sign.parquet").to_pylist()
    types = {r["type_id"] for r in pq.read_table(
        small_dataset_master / "event_type.parquet").to_pylist()}
    linked = [r["event_type_id"] for r in signs if r["event_type_id"]]
    assert len(linked) == len(signs)  # every demo sign has a rule
    assert set(linked) <= types
