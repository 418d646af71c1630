"""The drill's scoring rules that mutation testing found unheld (scripts/mutation --rules
drill): each test here fails with the surviving mutant it names."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from cockpit.datasets.drill import DrillSession, load_scenario

from tests.test_drill import GOOD, UTC0, FakeClock, write


@pytest.fixture
def session(tmp_path: Path):
    s = load_scenario(write(tmp_path, GOOD))
    clock = FakeClock(datetime(2026, 11, 20, 14, 0))
    sess = DrillSession(s, tmp_path / "drills", None, clock, session_id="s",
                        utc_offset=UTC0)
    sess.fake_clock = clock
    yield sess
    sess.close()


def _after(minutes: float) -> timedelta:
    return timedelta(minutes=minutes)


def _stages(sess: DrillSession, minutes: float) -> dict[str, str]:
    """Each stage's status of the first inject, ``minutes`` after the drill's start."""
    row = sess.score(sess.start + _after(minutes))["injects"][0]
    return {s["stage"]: s["status"] for s in row["stages"]}


def test_a_wrong_departments_action_does_not_meet_a_right_ones_stage(session) -> None:
    """A stage is met when every correctly dispatched department did its action: the
    wrong department D-X acknowledging on time must not count for D-A and D-B, who never
    did (mutant: the times read from the *other* departments' orders)."""
    eid = session.scenario.injects[0].event_id
    session.fake_clock.at(session.start, 1)
    ids = {d: session.store.create(eid, "trainee", f"c-{d}", dept_id=d, deadlines={})[0]
           for d in ("D-A", "D-B", "D-X")}
    session.fake_clock.at(session.start, 2)
    session.store.advance(ids["D-X"], "acknowledge", "trainee", "x-ack")
    st = _stages(session, 30)
    assert st["react"] == "missed"  # past its 5 minutes, nobody right acknowledged
    # and within the target it is still open, not met
    assert _stages(session, 3)["react"] == "pending"


def test_the_stages_of_an_inject_nobody_dispatched_are_missed(session) -> None:
    """No right department: every stage is missed (✕ in the after-action report), and the
    totals count them as missed, not pending (mutant: another word for "missed")."""
    r = session.score(session.start + _after(30))
    st = r["injects"][0]["stages"]
    assert [s["status"] for s in st] == ["missed"] * len(st)
    assert r["totals"]["stages_missed"] == len(st) and r["totals"]["stages_pending"] == 0
    # only a wrong department dispatched: the same
    eid = session.scenario.injects[0].event_id
    session.fake_clock.at(session.start, 1)
    session.store.create(eid, "trainee", "c-x", dept_id="D-X", deadlines={})
    st = session.score(session.start + _after(3))["injects"][0]["stages"]
    assert [s["status"] for s in st] == ["missed"] * len(st)


def test_a_stage_is_open_until_its_deadline_and_met_only_within_it(session) -> None:
    """At exactly the react target (5 minutes) a stage nobody finished is still pending —
    an action at the deadline still meets it — and half a minute late is missed, not met.
    Mutants: ``now > deadline`` → ``>=``; an action at the deadline taken as late; the
    1e-9 tolerance widened to a minute."""
    eid = session.scenario.injects[0].event_id
    session.fake_clock.at(session.start, 1)
    ids = {d: session.store.create(eid, "trainee", f"c-{d}", dept_id=d, deadlines={})[0]
           for d in ("D-A", "D-B", "D-C")}
    assert _stages(session, 5)["react"] == "pending"
    assert _stages(session, 5.01)["react"] == "missed"
    for d in ("D-A", "D-B"):
        session.fake_clock.at(session.start, 5)  # on the deadline: in time
        session.store.advance(ids[d], "acknowledge", "trainee", f"{d}-ack")
    # at the deadline two of three acknowledged, on time: still open for the third
    assert _stages(session, 5)["react"] == "pending"
    session.fake_clock.at(session.start, 5.5)  # the last one half a minute late
    session.store.advance(ids["D-C"], "acknowledge", "trainee", "D-C-ack")
    row = session.score(session.start + _after(30))["injects"][0]
    react = next(s for s in row["stages"] if s["stage"] == "react")
    assert react["done_min"] == 5.5 and react["status"] == "missed"


def test_the_after_action_report_shows_each_stage_against_its_effective_target(session):
    """The scenario's verify target (10) is below its handle target (20): stages are scored
    and shown against targets made non-decreasing, so the printed report reads ≤20′ for
    verify (mutants: the stage's ``target_min`` key renamed — the report could not show it)."""
    from cockpit.datasets.drill import after_action_report

    from cockpit.printing.drill_pdf import drill_report_html

    eid = session.scenario.injects[0].event_id
    session.fake_clock.at(session.start, 1)
    session.store.create(eid, "trainee", "c-a", dept_id="D-A", deadlines={})
    rep = after_action_report(session, session.start + _after(30))
    st = {s["stage"]: s for s in rep["injects"][0]["stages"]}
    assert {k: s["target_min"] for k, s in st.items()} == {"react": 5, "handle": 20,
                                                          "verify": 20}
    html = drill_report_html(rep)
    assert "≤5′" in html and "≤20′" in html and "≤10′" not in html
    assert "alarm" in html and "(≤2)" in html  # the inject's title, its dispatch target
    # the totals line: one scored inject, D-A right, nobody wrong, D-B and D-C missed
    assert "scored injects: 1" in html and "right/wrong/missed: 1/0/2" in html


def test_points_are_shown_to_the_half_point(session) -> None:
    """Half a minute late on the dispatch (2.5 of 2) costs 20 × 0.5/4 = 2.5 points: the
    report says 17.5, and the score counts it (mutants: the points rounded to whole ones).
    (A scenario always has a stage target — the loader refuses one without — so the stage
    points' "no stages" branch is never taken.)"""
    eid = session.scenario.injects[0].event_id
    session.fake_clock.at(session.start, 2.5)
    for d in ("D-A", "D-B", "D-C"):
        session.store.create(eid, "trainee", f"c-{d}", dept_id=d, deadlines={})
    row = session.score(session.start + _after(30))["injects"][0]
    assert [s["status"] for s in row["stages"]] == ["missed"] * 3
    assert row["points"] == {"dispatch": 17.5, "departments": 30.0, "stages": 0.0}
    assert row["score"] == 47.5


def test_the_score_is_as_of_its_moment_in_local_time(tmp_path: Path) -> None:
    """A session 8 hours ahead of UTC, scored at minute 3: the dispatch made at minute 10 is
    not counted yet, the stages are still open (pending), the inject due exactly now is
    scored, and without a moment the clock's is used. Mutants: the offset added instead of
    taken, the orders read without their moment, an inject due now left out, the clock
    ignored."""
    s = load_scenario(write(tmp_path, GOOD))
    clock = FakeClock(datetime(2026, 11, 20, 14, 0))
    with DrillSession(s, tmp_path / "d", None, clock, session_id="tz8",
                      utc_offset=timedelta(hours=8)) as sess:
        assert sess.score(sess.start)["totals"]["scored_injects"] == 1  # due at 14:00 sharp
        eid = s.injects[0].event_id
        clock.at(sess.start, 1)
        sess.store.create(eid, "trainee", "c-a", dept_id="D-A", deadlines={})
        clock.at(sess.start, 10)
        sess.store.create(eid, "trainee", "c-b", dept_id="D-B", deadlines={})
        r = sess.score(sess.start + _after(3))  # the clock is at minute 10 meanwhile
        clock.at(sess.start, 3)
        assert sess.score() == r  # without a moment: the clock's
    row = r["injects"][0]
    assert row["departments_right"] == ["D-A"]  # D-B's order came at minute 10
    assert [st["status"] for st in row["stages"]] == ["pending"] * 3
    assert r["totals"]["stages_pending"] == 3 and r["totals"]["stages_missed"] == 0
