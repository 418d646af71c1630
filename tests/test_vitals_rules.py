"""Vital-sign status rules that mutation testing found unheld (scripts/mutation --rules signs
status): each test fails with the surviving mutants it names."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
from cockpit.datasets import vitals as V

from tests.test_vitals import STEP, T0, make_db, sign


def test_states_at_many_moments_is_evaluate_at_each_even_at_the_edges() -> None:
    """``states_at`` (the replay's and the sparklines' many moments at once) answers what
    ``evaluate`` answers at each moment, also where the small dataset never goes: a sign with
    no reading at all (after one that has them), a reading exactly STALE old (no data, as
    :func:`evaluate` says), a fresh reading after a long silence (fresh, whatever came before).
    Mutants: ``end >= starts`` (a sign without readings takes its neighbour's last one),
    ``ts[end - 2]`` (freshness read off the reading before), ``>=`` at the stale boundary."""
    gap = V.STALE + timedelta(hours=1)
    times = {"A": [T0 + k * STEP for k in range(6)],
             "C": [T0, T0 + gap]}  # silent for longer than STALE, then a reading again
    con = make_db([sign("A"), sign("B"), sign("C")],
                  {"A": [15, 26, 26, 26, 26, 26], "C": [26, 15]}, times=times)
    signs = V.load_signs(con)
    rd = V.fetch_readings(con, signs, T0 - timedelta(days=1), T0 + timedelta(days=1))
    last_a = times["A"][-1]
    moments = [T0 - STEP, T0, T0 + 2 * STEP, last_a, last_a + V.STALE - timedelta(seconds=1),
               last_a + V.STALE, T0 + gap, T0 + gap + timedelta(minutes=1)]
    many = V.states_at(rd, [V.to_us(t) for t in moments])
    for row, t in zip(many, moments, strict=True):
        assert np.array_equal(row, V.evaluate(rd, t).state), t
    b = signs.number("B")
    assert (many[:, b] == V.NODATA).all()  # never a reading: never anything but no data
    a = signs.number("A")
    k = moments.index(last_a + V.STALE)
    assert many[k - 1, a] == V.ALARM and many[k, a] == V.NODATA  # exactly STALE: no data
    c = signs.number("C")
    assert many[moments.index(T0 + gap), c] == V.NORMAL  # fresh again after the silence


def test_the_status_names_its_moment_ranks_the_worst_by_excess_and_leaves_silence_blank():
    """``evaluate`` at t: its ``as_of`` is t (the panel's 截至); of two alarms the one further
    beyond its band comes first in the worst list; a sign that never reported has no reading
    time and no value in its row (not 1970-01-01). Mutants: ``as_of`` None, the excess of
    fresh signs dropped, the "no reading" sentinel ``-1`` → ``+1``, an excess array of None."""
    con = make_db([sign("A"), sign("B"), sign("C")], {"A": [26.0], "B": [40.0]})
    signs = V.load_signs(con)
    rd = V.fetch_readings(con, signs, T0 - timedelta(days=1), T0 + timedelta(days=1))
    st = V.evaluate(rd, T0)
    assert st.as_of == T0
    a, b, c = (signs.number(x) for x in "ABC")
    assert st.state[a] == st.state[b] == V.ALARM
    assert list(st.worst()) == [b, a]  # 40 is further beyond 20…25 than 26
    row = V.sign_row(st, c)
    assert row["status"] == "nodata" and row["ts"] is None and row["value"] is None
    assert V.sign_row(st, a)["ts"] == T0


def test_a_sign_with_only_alarm_thresholds_measures_its_excess_from_them() -> None:
    """A sign without warning thresholds: its normal band ends at the alarm threshold, so a
    reading beyond it has a finite, positive excess and ranks among the worst by it.
    Mutants: the band's edges always read from the (missing) warning thresholds."""
    con = make_db([sign("A", wl=None, wh=None), sign("B", wl=None, wh=None),
                   sign("D", wl=None, wh=None)], {"A": [27.0], "B": [35.0], "D": [2.0]})
    signs = V.load_signs(con)
    rd = V.fetch_readings(con, signs, T0 - timedelta(days=1), T0 + timedelta(days=1))
    st = V.evaluate(rd, T0)
    a, b = signs.number("A"), signs.number("B")
    assert st.state[a] == st.state[b] == V.ALARM
    assert np.isfinite(st.excess[[a, b]]).all() and 0 < st.excess[a] < st.excess[b]
    # below: 2 against an alarm at 5, the band 5…25 wide: (5 − 2) / 20 = 0.15 out
    d = signs.number("D")
    assert st.state[d] == V.ALARM and abs(st.excess[d] - 0.15) < 1e-9
    assert list(st.worst()) == [b, d, a]  # 0.5, 0.15, 0.1 band widths out


def test_the_worst_are_ranked_in_band_widths_not_in_raw_units() -> None:
    """Excess is measured in widths of the band beyond the normal one: 2.5 against a warning
    at 1 and an alarm at 2 is 1.5 widths out, 26 against 20 and 25 only 1.2 — so the first
    ranks worse though it is fewer units out. Mutants: the width multiplied instead of
    divided; the threshold added instead of taken away."""
    con = make_db([sign("A", wl=0.5, wh=1.0, al=0.2, ah=2.0), sign("B")],
                  {"A": [2.5], "B": [26.0]})
    signs = V.load_signs(con)
    rd = V.fetch_readings(con, signs, T0 - timedelta(days=1), T0 + timedelta(days=1))
    st = V.evaluate(rd, T0)
    a, b = signs.number("A"), signs.number("B")
    assert st.excess[a] == 1.5 and abs(st.excess[b] - 1.2) < 1e-9
    assert list(st.worst()) == [a, b]


def test_a_sign_with_only_low_thresholds_measures_its_excess_below_them() -> None:
    """A sign with low thresholds only (warning below 10, alarm below 5): a reading of 2 is
    (10 − 2) / 5 = 1.6 band widths out and ranks before 26 against 20…25 (1.2); a reading of
    12 is inside, 0.4 widths from the edge (excess −0.4, not 0 and not infinite). Mutants:
    the low side's width multiplied or its value added; the missing upper side read as 0 or
    +∞ instead of −∞."""
    low = {"wl": 10.0, "wh": None, "al": 5.0, "ah": None}
    con = make_db([sign("L", **low), sign("M", **low), sign("B")],
                  {"L": [2.0], "M": [12.0], "B": [26.0]})
    signs = V.load_signs(con)
    rd = V.fetch_readings(con, signs, T0 - timedelta(days=1), T0 + timedelta(days=1))
    st = V.evaluate(rd, T0)
    lo, m, b = (signs.number(x) for x in ("L", "M", "B"))
    assert abs(st.excess[lo] - 1.6) < 1e-9 and abs(st.excess[m] + 0.4) < 1e-9
    assert st.state[m] == V.NORMAL and list(st.worst()) == [lo, b]


def test_a_sign_with_only_high_thresholds_is_inside_by_its_distance_to_them() -> None:
    """High thresholds only (warning above 20, alarm above 25): 15 is one band width inside
    (excess −1), neither 0 nor infinite. Mutants: the missing lower side read as 0 or +∞."""
    con = make_db([sign("H", wl=None, al=None)], {"H": [15.0]})
    signs = V.load_signs(con)
    rd = V.fetch_readings(con, signs, T0 - timedelta(days=1), T0 + timedelta(days=1))
    st = V.evaluate(rd, T0)
    assert st.state[0] == V.NORMAL and st.excess[0] == -1.0
