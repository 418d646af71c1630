"""The evaluation engine on small hand-computed cases, and on the small demo dataset."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import duckdb
import numpy as np
import pandas as pd
import pytest
from cockpit.datasets import evaluation as E

B1, B2 = "经济发展", "社会治理"  # two boards, in the schema's board order


def make_db(values: dict[tuple[str, str, str], float | None], *,
            kpis: list[tuple] | None = None, units: list[tuple] | None = None,
            events: list[tuple] = (), scheme: list[tuple] | None = None
            ) -> duckdb.DuckDBPyConnection:
    """An in-memory database with the tables the engine reads.

    values: (kpi_id, unit_code, period) -> value. kpis: (kpi_id, board, direction, weight,
    target). units: (code, name, level, parent_code, ranked). events: (event_id,
    occurred_at, district_code, street_code).
    """
    con = duckdb.connect()
    kpis = kpis or [("K1", B1, "higher", 3.0, 100.0), ("K2", B1, "lower", 1.0, 20.0),
                    ("K3", B2, "higher", 1.0, 50.0)]
    units = units or [("C", "城", "city", None, None), ("A", "甲区", "district", "C", None),
                      ("B", "乙区", "district", "C", None), ("D", "丁区", "district", "C", None),
                      ("A1", "甲街道", "street", "A", None)]
    con.execute("CREATE TABLE admin_unit (code VARCHAR, name VARCHAR, level VARCHAR, "
                "parent_code VARCHAR, ranked BOOLEAN)")
    con.executemany("INSERT INTO admin_unit VALUES (?, ?, ?, ?, ?)", units)
    con.execute("CREATE TABLE kpi (kpi_id VARCHAR, name VARCHAR, board VARCHAR, runway VARCHAR, "
                "sub_runway VARCHAR, unit VARCHAR, direction VARCHAR, weight DOUBLE, "
                "target DOUBLE)")
    con.executemany("INSERT INTO kpi VALUES (?, ?, ?, ?, NULL, '%', ?, ?, ?)",
                    [(k, f"指标{k}", b, f"跑道{b}", d, w, t) for k, b, d, w, t in kpis])
    con.execute("CREATE TABLE kpi_value (kpi_id VARCHAR, unit_code VARCHAR, period VARCHAR, "
                "value DOUBLE)")
    con.executemany("INSERT INTO kpi_value VALUES (?, ?, ?, ?)",
                    [(k, u, p, v) for (k, u, p), v in values.items()])
    con.execute("CREATE TABLE eval_scheme (level INTEGER, colour VARCHAR, label VARCHAR, "
                "min_score DOUBLE)")
    con.executemany("INSERT INTO eval_scheme VALUES (?, ?, ?, ?)",
                    scheme or list(E.DEFAULT_SCHEME))
    con.execute("CREATE TABLE event (event_id BIGINT, occurred_at TIMESTAMP, "
                "district_code VARCHAR, street_code VARCHAR)")
    if events:
        con.executemany("INSERT INTO event VALUES (?, ?, ?, ?)", list(events))
    con.execute("CREATE TABLE department (dept_id VARCHAR, unit_code VARCHAR)")
    con.execute("INSERT INTO department VALUES ('D-A', 'A'), ('D-B', 'B')")
    return con


def hand_values() -> dict:
    """A: K1 105 (90), K2 22 (60), K3 50 (80) -> B1 (3*90+60)/4 = 82.5, B2 80, total 81.25.
    B: K1 missing, K2 20 (80), K3 55 (100) -> B1 covers 1/4 of its weight: missing; total
    from B2 alone (half of the KPI boards' weight): 100.
    D: K1 95 (70), K2 20 (80), K3 40 (40) -> B1 72.5, B2 40, total 56.25."""
    v = {}
    for unit, (k1, k2, k3) in {"A": (105, 22, 50), "B": (None, 20, 55),
                               "D": (95, 20, 40)}.items():
        v[("K1", unit, "2026Q3")] = k1
        v[("K2", unit, "2026Q3")] = k2
        v[("K3", unit, "2026Q3")] = k3
    # the quarter before: D first, A second, B third
    for unit, k1 in {"A": 100, "B": 90, "D": 110}.items():
        v[("K1", unit, "2026Q2")] = k1
        v[("K2", unit, "2026Q2")] = 20
        v[("K3", unit, "2026Q2")] = 50
    return v


# --------------------------------------------------------------------------- KPI scores


@pytest.mark.parametrize("value, target, direction, expected", [
    (100, 100, "higher", 80.0),   # on target
    (105, 100, "higher", 90.0),   # 5 % better: +10
    (110, 100, "higher", 100.0),  # 10 % better: the cap
    (500, 100, "higher", 100.0),  # an outlier is capped at 100
    (90, 100, "higher", 60.0),    # 10 % worse: -20
    (60, 100, "higher", 0.0),     # 40 % worse: 0
    (-50, 100, "higher", 0.0),    # capped at 0
    (20, 20, "lower", 80.0),
    (18, 20, "lower", 100.0),     # 10 % lower is better: 100
    (22, 20, "lower", 60.0),      # 10 % higher is worse
    (1000, 20, "lower", 0.0),     # an outlier is capped at 0
    (-3.8, -4, "higher", 90.0),   # a negative target: the gap is relative to |target|
])
def test_kpi_score_both_directions_and_caps(value, target, direction, expected) -> None:
    assert E.kpi_score(value, target, direction) == pytest.approx(expected)


def test_kpi_score_missing_is_missing() -> None:
    assert E.kpi_score(None, 10, "higher") is None
    assert E.kpi_score(float("nan"), 10, "lower") is None


def test_sql_scores_match_the_reference() -> None:
    con = make_db(hand_values())
    s = E.kpi_scores(con, ["2026Q3"])
    for r in s.itertuples():
        ref = E.kpi_score(None if pd.isna(r.value) else r.value, r.target, r.direction)
        if ref is None:
            assert math.isnan(r.score)
        else:
            assert r.score == pytest.approx(ref)


def test_target_zero_uses_the_median_of_the_units() -> None:
    kpis = [("K1", B1, "lower", 1.0, 0.0)]
    vals = {("K1", "A", "2026Q3"): 2.0, ("K1", "B", "2026Q3"): 4.0,
            ("K1", "D", "2026Q3"): 0.0}
    con = make_db(vals, kpis=kpis)
    s = E.kpi_scores(con, ["2026Q3"]).set_index("unit_code")["score"]
    # median |v| = 2: A is 100 % worse than target -> 0, D on target -> 80
    assert s["A"] == 0.0 and s["D"] == 80.0
    one = E.kpi_table(con, "2026Q3", "D").set_index("kpi_id")
    assert one.loc["K1", "score"] == 80.0  # one unit's table uses the median of all units


# --------------------------------------------------------------------------- boards and total


def test_board_and_total_scores_by_hand() -> None:
    con = make_db(hand_values())
    ev = E.evaluate_quarter(con, "2026Q3")
    assert ev.period == "2026Q3" and ev.previous == "2026Q2"
    assert ev.boards == [B1, B2, E.CLOSED_LOOP]
    s = ev.scores.set_index("unit_code")
    assert s.loc["A", B1] == 82.5 and s.loc["A", B2] == 80.0
    assert s.loc["A", E.TOTAL] == 81.3  # 81.25, rounded half up
    assert math.isnan(s.loc["B", B1])  # K1 missing: a quarter of the weight is not enough
    assert s.loc["B", B2] == 100.0 and s.loc["B", E.TOTAL] == 100.0
    assert s.loc["D", B1] == 72.5 and s.loc["D", B2] == 40.0 and s.loc["D", E.TOTAL] == 56.3
    r = ev.ranking.set_index("unit_code")
    assert list(ev.ranking["unit_code"]) == ["B", "A", "D"]
    assert list(r.loc[["B", "A", "D"], "rank"]) == [1, 2, 3]
    # last quarter: D 87.5 (K1 110 -> 100, B1 (300+80)/4 = 95, B2 80), A 80, B 72.5
    assert list(r.loc[["D", "A", "B"], "prev_rank"]) == [1, 2, 3]
    assert list(r.loc[["B", "A", "D"], "rank_change"]) == [2, 0, -2]
    assert r.loc["A", "score_change"] == pytest.approx(1.3)
    assert list(r.loc[["B", "A", "D"], "level_absolute"]) == [1, 2, 5]


def test_missing_board_is_not_zero_and_is_grey() -> None:
    con = make_db(hand_values())
    ev = E.evaluate_quarter(con, "2026Q3")
    cell = ev.cell("B", B1)
    assert cell["score"] is None and cell["status"] == "nodata"
    assert cell["label"] == "无数据" and cell["colour"] == E.NO_DATA["colour"]
    assert cell["rank"] is None
    # the board's ranking leaves B out rather than ranking it last with 0
    tb = E.top_bottom(ev, 5)[B1]
    assert [t[1] for t in tb["top"]] == ["A", "D"]


def test_unit_without_any_value_has_no_rank() -> None:
    v = hand_values()
    for k in ("K1", "K2", "K3"):
        v[(k, "D", "2026Q3")] = None
    con = make_db(v)
    ev = E.evaluate_quarter(con, "2026Q3")
    r = ev.ranking.set_index("unit_code")
    assert math.isnan(r.loc["D", "total"]) and pd.isna(r.loc["D", "rank"])
    assert r.loc["D", "status"] == "nodata" and pd.isna(r.loc["D", "level_quintile"])
    assert ev.ranking["unit_code"].iloc[-1] == "D"  # listed last, not ranked last


def test_board_weights_are_configurable() -> None:
    con = make_db(hand_values())
    cfg = E.EvalConfig(board_weights={B1: 3.0, B2: 1.0})
    ev = E.evaluate_quarter(con, "2026Q3", config=cfg)
    assert ev.scores.set_index("unit_code").loc["A", E.TOTAL] == 81.9  # (3*82.5+80)/4


def test_units_not_ranked_are_ignored() -> None:
    v = hand_values()
    v[("K1", "C", "2026Q3")] = 1.0  # a value for the city itself
    con = make_db(v)
    ev = E.evaluate_quarter(con, "2026Q3")
    assert sorted(ev.ranking["unit_code"]) == ["A", "B", "D"]


def test_ranked_flag_overrides_the_default_level() -> None:
    units = [("C", "城", "city", None, False), ("A", "甲区", "district", "C", False),
             ("A1", "甲一街道", "street", "A", True), ("A2", "甲二街道", "street", "A", True)]
    vals = {("K3", "A1", "2026Q3"): 50.0, ("K3", "A2", "2026Q3"): 40.0}
    con = make_db(vals, units=units, kpis=[("K3", B2, "higher", 1.0, 50.0)])
    ev = E.evaluate_quarter(con)
    assert list(ev.ranking["unit_code"]) == ["A1", "A2"]


# --------------------------------------------------------------------------- levels


def test_quintile_boundaries_for_41_units() -> None:
    pal = E.palette_from_rows(None)
    s = pd.Series(np.arange(41, 0, -1, dtype=float))  # 41 distinct scores
    lv = E.assign_levels(s, pal, "quintile")
    assert lv.value_counts().sort_index().tolist() == [9, 8, 8, 8, 8]
    assert lv.iloc[8] == 1 and lv.iloc[9] == 2  # ranks 9 | 10
    assert lv.iloc[16] == 2 and lv.iloc[17] == 3  # ranks 17 | 18
    assert lv.iloc[33] == 5 and lv.iloc[32] == 4  # ranks 33 | 34


def test_quintile_ties_share_the_better_band() -> None:
    pal = E.palette_from_rows(None)
    # ten units, two per band; units 2 and 3 tie across the band 1 | band 2 boundary
    s = pd.Series([99.0, 95.0, 95.0, 90, 85, 80, 75, 70, 65, 60])
    ranks = E.rank_scores(s)
    assert ranks.tolist() == [1, 2, 2, 4, 5, 6, 7, 8, 9, 10]
    lv = E.assign_levels(s, pal, "quintile")
    assert lv.tolist() == [1, 1, 1, 2, 3, 3, 4, 4, 5, 5]


def test_ties_use_the_reported_score() -> None:
    s = pd.Series([85.04, 84.96, 84.94])  # shown as 85.0, 85.0, 84.9
    assert E.rank_scores(s).tolist() == [1, 1, 3]


def test_missing_scores_are_not_counted_in_quintiles() -> None:
    pal = E.palette_from_rows(None)
    s = pd.Series([90.0, np.nan, 80.0, 70.0, 60.0, 50.0])
    lv = E.assign_levels(s, pal, "quintile")
    assert pd.isna(lv.iloc[1])
    assert lv.dropna().tolist() == [1, 2, 3, 4, 5]
    assert pd.isna(E.rank_scores(s).iloc[1])


def test_absolute_levels_at_the_thresholds() -> None:
    pal = E.palette_from_rows(None)
    s = pd.Series([100, 90.0, 89.96, 89.94, 80, 79.9, 70, 60, 59.9, 0, np.nan])
    lv = E.assign_levels(s, pal, "absolute")
    assert lv.iloc[:10].tolist() == [1, 1, 1, 2, 2, 3, 3, 4, 5, 5]  # 89.96 shows as 90.0
    assert pd.isna(lv.iloc[10])
    with pytest.raises(ValueError):
        E.assign_levels(s, pal, "median")


def test_palette_from_the_dataset_and_text_contrast() -> None:
    pal = E.palette_from_rows([(2, "#ffffff", "良", 50.0), (1, "#000000", "优", 80.0)])
    assert [p["level"] for p in pal] == [1, 2]
    assert pal[0]["text"] == "#ffffff" and pal[1]["text"] == "#0b1220"
    assert E.colour_for(85, pal)["label"] == "优"
    assert E.colour_for(None, pal) is E.NO_DATA


@pytest.mark.parametrize("scheme", [None, [(2, "#ffffff", "良", 50.0), (1, "#000000", "优", 80.0)],
                                    [(1, "#000000", "优", 80.0), (2, "#ffffff", "良", 80.0),
                                     (3, "#aaaaaa", "中", 60.0)]])
def test_colour_for_gives_the_level_the_grid_gives(scheme) -> None:
    """The panel's colour of a score is the grid's level: on a threshold (reached), just
    below it, and below every threshold (the worst level, not 无数据)."""
    pal = E.palette_from_rows(scheme)
    edges = sorted({p["min_score"] for p in pal})
    scores = [s for m in edges for s in (m, m - 0.1, m + 0.1)] + [-5.0, 0.0, 100.0]
    grid = E.assign_levels(pd.Series(scores), pal, "absolute").tolist()
    panel = [E.colour_for(s, pal)["level"] for s in scores]
    assert panel == grid
    assert E.colour_for(min(edges) - 1, pal)["level"] == max(p["level"] for p in pal)
    if scheme is None:
        assert E.colour_for(90.0, pal)["level"] == 1 and E.colour_for(89.9, pal)["level"] == 2


# --------------------------------------------------------------------------- closed loop

T0 = datetime(2026, 8, 3, 2, 0)  # UTC; 10:00 local, in 2026Q3


def order(i: int, unit: str | None, ack: float | None, handle: float | None,
          verify: float | None, close: float | None, *, event_id: str | None = None,
          created: datetime = T0, cancel: bool = False, dept: str = "D-X") -> dict:
    """An order with deadlines acknowledge +5, handle +60, verify +90, close +120 minutes and
    the given stage times in minutes after creation (None: not done)."""
    def at(m):
        return None if m is None else created + timedelta(minutes=m)
    return {"order_id": f"o{i}", "event_id": event_id or f"x{i}", "dept_id": dept,
            "unit_code": unit, "state": "cancelled" if cancel else "created",
            "created_at": created, "acknowledge_at": at(ack), "handle_at": at(handle),
            "verify_at": at(verify), "close_at": at(close), "cancel_at": at(1) if cancel else None,
            "acknowledge_due": at(5), "handle_due": at(60), "verify_due": at(90),
            "close_due": at(120)}


def known_orders() -> pd.DataFrame:
    rows = []
    # A: ten orders. acknowledge: 8 on time, 2 late. handle: 6 on time, 2 late, 2 never
    # (past due). verify: 5 on time, 2 late, 3 never. close: 7 closed.
    plan = [(3, 30, 80, 100), (3, 30, 80, 100), (3, 30, 80, 100), (3, 30, 80, 100),
            (3, 30, 80, 100), (3, 30, 100, 130), (4, 70, 95, 125), (4, 70, None, None),
            (10, None, None, None), (12, None, None, None)]
    for i, (a, h, v, c) in enumerate(plan):
        rows.append(order(i, "A", a, h, v, c))
    rows.append(order(50, "A", 1, 1, 1, 1, cancel=True))  # cancelled: not in the sample
    # B: three orders, all on time -> too few for a score
    for i in range(3):
        rows.append(order(100 + i, "B", 1, 10, 20, 30))
    return pd.DataFrame(rows)


def test_closed_loop_from_known_orders() -> None:
    con = make_db(hand_values())
    cl = E.closed_loop(con, ["2026Q3"], known_orders()).set_index("unit_code")
    a = cl.loc["A"]
    assert a["n"] == 10
    assert a["react_on_time"] == pytest.approx(0.8)
    assert a["handle_on_time"] == pytest.approx(0.6)
    assert a["verify_on_time"] == pytest.approx(0.5)  # 5 verified by +90 of 10 decided
    assert a["closure_rate"] == pytest.approx(0.7)
    assert a["overdue"] == 3  # the three never closed, their deadlines long past
    assert a["score"] == pytest.approx(100 * (0.8 + 0.6 + 0.5 + 0.7) / 4)
    assert a["status"] == "ok" and a["source"] == "dispatch"
    b = cl.loc["B"]
    assert b["n"] == 3 and b["status"] == "insufficient" and math.isnan(b["score"])
    assert b["react_on_time"] == 1.0  # the rates are still shown
    d = cl.loc["D"]
    assert d["n"] == 0 and d["status"] == "insufficient" and pd.isna(d["overdue"])


def test_closed_loop_counts_the_ratings_of_evaluate() -> None:
    """评价's rating (satisfied 1, fairly 0.5, unsatisfied 0) is the satisfaction rate and
    counts in the closed-loop score like the other rates."""
    con = make_db(hand_values())
    base = known_orders()
    rated = base.copy()
    done = rated["close_at"].notna() & (rated["unit_code"] == "A") & (rated["state"] != "cancelled")
    rated.loc[done, "state"] = "evaluated"
    rated.loc[done, "evaluate_at"] = rated.loc[done, "close_at"] + timedelta(minutes=5)
    words = ["满意", "满意", "基本满意", "不满意", "满意", "满意", "基本满意"]
    rated.loc[done, "outcome"] = words
    cl = E.closed_loop(con, ["2026Q3"], rated).set_index("unit_code")
    a = cl.loc["A"]
    sat = (1 + 1 + 0.5 + 0 + 1 + 1 + 0.5) / 7
    assert a["satisfaction"] == pytest.approx(sat)
    assert a["score"] == pytest.approx(100 * (0.8 + 0.6 + 0.5 + 0.7 + sat) / 5)
    # without ratings the rate is absent and the score is as before
    plain = E.closed_loop(con, ["2026Q3"], base).set_index("unit_code").loc["A"]
    assert math.isnan(plain["satisfaction"])
    assert plain["score"] == pytest.approx(100 * (0.8 + 0.6 + 0.5 + 0.7) / 4)


def test_closed_loop_minimum_sample_is_configurable() -> None:
    con = make_db(hand_values())
    cl = E.closed_loop(con, ["2026Q3"], known_orders(), config=E.EvalConfig(min_sample=3))
    assert cl.set_index("unit_code").loc["B", "score"] == 100.0


def test_closed_loop_judges_at_the_quarter_end() -> None:
    con = make_db(hand_values())
    end_utc = datetime(2026, 9, 30, 16, 0)  # 2026-10-01 00:00 local
    created = end_utc - timedelta(minutes=30)
    rows = [order(i, "A", 3, None, None, None, created=created) for i in range(10)]
    # handled after the quarter's end: not counted as handled in 2026Q3, and the handle
    # deadline (+60) falls after the end: undecided, so it is not in the denominator
    rows += [order(20, "A", 3, 40, None, None, created=created)]
    cl = E.closed_loop(con, ["2026Q3", "2026Q4"], pd.DataFrame(rows))
    a = cl[(cl["unit_code"] == "A") & (cl["period"] == "2026Q3")].iloc[0]
    assert a["n"] == 11 and a["react_on_time"] == 1.0
    assert math.isnan(a["handle_on_time"]) and a["closure_rate"] == 0.0
    assert a["overdue"] == 0
    # as_of before the end judges earlier: nothing is decided yet but nothing overdue either
    cl2 = E.closed_loop(con, ["2026Q3"], pd.DataFrame(rows), as_of=created + timedelta(minutes=1))
    assert math.isnan(cl2.set_index("unit_code").loc["A", "react_on_time"])


def test_closed_loop_local_quarter_and_places() -> None:
    events = [(7, datetime(2026, 7, 1, 9), "A", "A1")]
    con = make_db(hand_values(), events=events)
    created = datetime(2026, 6, 30, 17, 0)  # UTC; 2026-07-01 01:00 local: 2026Q3
    rows = [order(i, None, 3, 30, 80, 100, created=created, event_id="7") for i in range(5)]
    rows += [order(10 + i, None, 3, 30, 80, 100, created=created, dept="D-B") for i in range(4)]
    cl = E.closed_loop(con, ["2026Q2", "2026Q3"], pd.DataFrame(rows)).set_index(
        ["unit_code", "period"])
    assert cl.loc[("A", "2026Q3"), "n"] == 5  # the event's street A1 lies in A
    assert cl.loc[("B", "2026Q3"), "n"] == 4  # no event in the catalog: the department's unit
    assert cl.loc[("A", "2026Q2"), "n"] == 0


def test_closed_loop_from_the_event_history_derives_only_the_sample() -> None:
    t = datetime(2026, 8, 1, 12)
    events = [(i, t, "A", "A1" if i % 2 else None) for i in range(12)]
    events += [(100 + i, t, "B", None) for i in range(2)]
    events += [(200, datetime(2026, 6, 30, 23), "A", None)]  # 2026Q2
    con = make_db(hand_values(), events=events)
    cl = E.closed_loop(con, ["2026Q3"]).set_index("unit_code")
    assert cl.loc["A", "n"] == 12 and cl.loc["A", "status"] == "nodata"
    assert cl.loc["B", "n"] == 2 and cl.loc["B", "status"] == "insufficient"
    for c in ("react_on_time", "verify_on_time", "handle_on_time", "closure_rate", "score"):
        assert cl[c].isna().all(), c  # no completion times: never a made-up rate
    assert cl["overdue"].isna().all() and set(cl["source"]) == {"events"}


def test_closed_loop_counts_in_the_total() -> None:
    con = make_db(hand_values())
    ev = E.evaluate_quarter(con, "2026Q3", orders=known_orders())
    s = ev.scores.set_index("unit_code")
    assert s.loc["A", E.CLOSED_LOOP] == 65.0  # 100 * (0.8 + 0.6 + 0.5 + 0.7) / 4
    assert s.loc["A", E.TOTAL] == 75.8  # (82.5 + 80 + 65) / 3 = 75.83
    assert ev.cell("B", E.CLOSED_LOOP)["status"] == "insufficient"
    assert ev.cell("B", E.CLOSED_LOOP)["label"] == "样本不足"
    assert s.loc["B", E.TOTAL] == 100.0  # an insufficient sample is left out, not zero


# --------------------------------------------------------------------------- views


def test_compare_two_quarters() -> None:
    con = make_db(hand_values())
    a = E.evaluate_quarter(con, "2026Q2")
    b = E.evaluate_quarter(con, "2026Q3")
    c = E.compare(a, b).set_index("unit_code")
    assert c.loc["B", "rank_a"] == 3 and c.loc["B", "rank_b"] == 1
    assert c.loc["B", "rank_change"] == 2
    assert c.loc["D", "score_change"] == pytest.approx(56.3 - 87.5)


def test_kpi_table_and_board_scores_for_the_kpi_board() -> None:
    con = make_db(hand_values())
    t = E.kpi_table(con, "2026Q3", "A").set_index("kpi_id")
    assert list(t.columns[:9]) == ["name", "board", "runway", "unit", "direction", "weight",
                                   "target", "value", "score"]
    assert t.loc["K1", "value"] == 105 and t.loc["K1", "prev_value"] == 100
    assert t.loc["K1", "change"] == 5 and t.loc["K1", "score"] == 90.0
    city = E.kpi_table(con, "2026Q3").set_index("kpi_id")
    assert city.loc["K1", "value"] == 100.0  # mean of 105 and 95 (B is missing)
    assert city.loc["K3", "score"] == pytest.approx((80 + 100 + 40) / 3)
    b = E.board_scores(con, "2026Q3", "A").set_index("board")
    assert b.loc[B1, "score"] == 82.5 and b.loc[B1, "label"] == "良好"
    cw = E.board_scores(con, "2026Q3").set_index("board")
    assert cw.loc[B1, "score"] == pytest.approx(77.5)  # mean of A and D; B has no score
    assert E.CLOSED_LOOP not in cw.index


def test_breakdown_and_trend() -> None:
    con = make_db(hand_values())
    bd = E.kpi_breakdown(con, "2026Q3", "A", B1)
    assert list(bd["kpi_id"]) == ["K2", "K1"]  # K2 loses 0.25*40 = 10, K1 0.75*10 = 7.5
    assert bd["share"].tolist() == [0.25, 0.75]
    tr = E.trend(con, "A", B1)
    assert tr["period"].tolist() == ["2026Q2", "2026Q3"]
    assert tr["score"].tolist() == [80.0, 82.5]
    assert tr["rank"].tolist() == [2, 1]


# --------------------------------------------------------------------------- the demo data


@pytest.fixture(scope="module")
def demo(small_dataset_master, tmp_path_factory):
    from cockpit.datasets.catalog import open_catalog

    cat = open_catalog(small_dataset_master, tmp_path_factory.mktemp("cache"))
    yield cat
    cat.close()


def test_demo_quarter(demo) -> None:
    con = demo.cursor()
    ev = E.evaluate_quarter(con)
    n = len(ev.ranking)
    assert n == len(E.ranked_units(con)) == 41
    assert ev.period == E.periods(con)[-1]
    s = ev.scores[ev.boards[:-1] + [E.TOTAL]].to_numpy()
    assert np.nanmin(s) >= 0 and np.nanmax(s) <= 100
    assert ev.ranking["rank"].dropna().min() == 1
    assert (ev.ranking["rank"].dropna().diff().dropna() >= 0).all()
    # the event history fills the sample but no rate
    assert (ev.closed_loop["n"] > 0).any()
    assert ev.closed_loop["score"].isna().all()
    q = ev.ranking["level_quintile"].value_counts().sort_index()
    assert q.sum() == ev.ranking["total"].notna().sum()
    tb = E.top_bottom(ev)
    assert len(tb[E.TOTAL]["top"]) == 5 and tb[E.TOTAL]["top"][0][0] == 1
    con.close()


def test_a_running_quarter_is_judged_as_of_now() -> None:
    # a fixed "now" in the middle of 2026Q3 (UTC; local UTC+8), so the test does not depend
    # on the day it runs
    now = datetime(2026, 8, 20, 6, 0)
    period = "2026Q3"
    created = now - timedelta(minutes=10)
    # acknowledge (+5) is past due and not done; handle (+60) is not due yet
    rows = [order(i, "A", None, None, None, None, created=created) for i in range(10)]
    cl = E.closed_loop(make_db(hand_values()), [period], pd.DataFrame(rows), as_of=now)
    a = cl.set_index("unit_code").loc["A"]
    assert a["react_on_time"] == 0.0 and a["overdue"] == 10
    assert math.isnan(a["handle_on_time"])  # undecided: not counted either way


def test_closed_loop_from_the_dispatch_store(tmp_path) -> None:
    dispatch = pytest.importorskip("cockpit.datasets.dispatch")
    from cockpit.datasets.routing import Plan, PlanStep

    events = [(i, datetime(2026, 8, 3, 10), "A", "A1") for i in range(1, 13)]
    con = make_db(hand_values(), events=events)
    clock = [datetime(2026, 8, 3, 2, 0)]
    store = dispatch.open_store(tmp_path / "d.duckdb", clock=lambda: clock[0], source="test")
    plan = Plan([PlanStep(1, "D-A", "签收", 5, "react"), PlanStep(2, "D-A", "处置", 60, "handle"),
                 PlanStep(3, "D-A", "核查", 90, "verify"),
                 PlanStep(4, "D-A", "结案", 120, "close")],
                plan_id="P", targets={"react": 5, "verify": 90, "handle": 60})
    try:
        for i in range(1, 13):
            t0 = clock[0] = datetime(2026, 8, 3, 2, 0) + timedelta(hours=i)
            [oid] = store.create(str(i), "op", f"c{i}", plan)
            # every fourth acknowledges late (8 > 5 minutes); every third never closes
            steps = [("acknowledge", 8 if i % 4 == 0 else 3), ("handle", 50), ("verify", 70),
                     ("close", 100)]
            for j, (action, minutes) in enumerate(steps):
                if action == "close" and i % 3 == 0:
                    break
                clock[0] = t0 + timedelta(minutes=minutes)
                store.advance(oid, action, "op", f"a{i}-{j}")
        orders = store.orders(as_of=datetime(2026, 12, 1))
    finally:
        store.close()
    a = E.closed_loop(con, ["2026Q3"], orders).set_index("unit_code").loc["A"]
    assert a["n"] == 12
    assert a["react_on_time"] == pytest.approx(9 / 12)
    assert a["handle_on_time"] == 1.0 and a["verify_on_time"] == 1.0
    assert a["closure_rate"] == pytest.approx(8 / 12) and a["overdue"] == 4
    assert a["score"] == pytest.approx(100 * (9 / 12 + 1 + 1 + 8 / 12) / 4)
