"""Live events: the directory feed (bad lines, growing files, restarts, crashes between the two
writes), the demo simulator (determinism, rates, places from the data) and the department
simulator (answers through the store, some late, never twice)."""

from __future__ import annotations

import json
import math
from datetime import datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pytest
from cockpit.datasets import event_feed
from cockpit.datasets.dispatch import open_store
from cockpit.datasets.event_feed import (
    DepartmentSimulator,
    DirectoryFeed,
    EventSimulator,
    SimProfile,
    Template,
)
from cockpit.datasets.schema import EVENT_SOURCES

NOW = datetime(2026, 11, 20, 10, 0, 0)
TYPES = {"ET-STREET-VENDING", "ET-WATER-MAIN-BURST"}


def rec(i: int, **kw) -> dict:
    r = {"event_id": f"HL-{i}", "type_id": "ET-STREET-VENDING", "source": "民呼我为",
         "occurred_at": f"2026-11-20T09:{i % 60:02d}:00", "lon": 106.57 + i / 1000,
         "lat": 29.56, "severity": 4, "title": f"占道经营 {i}"}
    r.update(kw)
    return r


def line(r: dict) -> bytes:
    return (json.dumps(r, ensure_ascii=False) + "\n").encode()


def feed(tmp_path: Path, **kw) -> DirectoryFeed:
    return DirectoryFeed(tmp_path / "drop", tmp_path / "state" / "event_feed.json",
                         type_ids=TYPES, default_severity={"ET-WATER-MAIN-BURST": 1}, **kw)


# ------------------------------------------------------------------ directory feed


def test_directory_feed_reports_bad_lines_with_file_and_line_and_keeps_the_good(tmp_path):
    drop = tmp_path / "drop"
    drop.mkdir()
    data = b"".join([
        line(rec(1)),
        b"{not json\n",                                           # 2
        line({k: v for k, v in rec(3).items() if k != "lon"}),    # 3 missing lon
        line(rec(4, type_id="ET-NOPE")),                          # 4 unknown type
        line(rec(5, source="carrier pigeon")),                    # 5 unknown source
        line(rec(6, lat=123.0)),                                  # 6 not on Earth
        line(rec(7, severity=9)),                                 # 7 bad severity
        b"\n",                                                    # 8 blank: ignored
        b"[1, 2]\n",                                              # 9 not an object
        line(rec(10, occurred_at="yesterday")),                   # 10 bad time
        line(rec(11, event_id=None, type_id="ET-WATER-MAIN-BURST", severity=None,
                 source="sensor")),                               # 11 good, defaults
        line(rec(12))[:-20],                                      # 12 being written
    ])
    (drop / "a.jsonl").write_bytes(data)
    f = feed(tmp_path)
    b = f.poll(NOW)
    assert [e.event_id for e in b.events] == ["F-HL-1", b.events[1].event_id]
    e1, e11 = b.events
    assert (e1.source, e1.severity, e1.type_id, e1.feed) == ("hotline", 4, "ET-STREET-VENDING",
                                                             "directory")
    assert e1.occurred_at == datetime(2026, 11, 20, 9, 1) and e1.received_at == NOW
    assert e11.event_id.startswith("F-") and e11.event_id.endswith("-11")
    assert e11.severity == 1  # the type's default
    got = {(p.file, p.line): p.message for p in b.problems}
    assert set(got) == {("a.jsonl", n) for n in (2, 3, 4, 5, 6, 7, 9, 10)}
    assert "lon" in got[("a.jsonl", 3)] and "ET-NOPE" in got[("a.jsonl", 4)]
    assert "carrier pigeon" in got[("a.jsonl", 5)] and "Earth" in got[("a.jsonl", 6)]
    assert "1–4" in got[("a.jsonl", 7)] and "object" in got[("a.jsonl", 9)]
    assert "yesterday" in got[("a.jsonl", 10)]
    assert str(b.problems[0]).startswith("a.jsonl:2: ")
    # the unfinished line is not consumed; once finished it is read, nothing else again
    with open(drop / "a.jsonl", "ab") as fh:
        fh.write(line(rec(12))[-20:] + line(rec(13)))
    b2 = f.poll(NOW)
    assert [e.event_id for e in b2.events] == ["F-HL-12", "F-HL-13"] and not b2.problems
    assert f.poll(NOW).events == []


def test_directory_feed_reads_csv_with_a_header(tmp_path):
    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "b.csv").write_text(
        "\ufeffevent_id,type_id,source,occurred_at,lon,lat,severity,title\n"
        "c1,ET-STREET-VENDING,ai_camera,2026-11-20T09:00:00+08:00,106.5,29.5,4,\"占道, 经营\"\n"
        "c2,ET-STREET-VENDING,ai_camera,2026-11-20T09:01:00,106.5,29.5\n"
        "c3,ET-STREET-VENDING,drone,2026-11-20T09:02:00,106.5,29.5,,\n", "utf-8")
    f = feed(tmp_path, local_tz=timezone(timedelta(hours=8)))
    b = f.poll(NOW)
    assert [e.event_id for e in b.events] == ["F-c1", "F-c3"]
    assert b.events[0].title == "占道, 经营"
    assert b.events[0].occurred_at == datetime(2026, 11, 20, 9, 0)  # +08:00 kept as local
    assert b.events[1].severity == 3  # no severity, no type default
    assert [(p.file, p.line) for p in b.problems] == [("b.csv", 3)]
    assert "CSV fields" in b.problems[0].message


def test_nothing_lost_or_doubled_across_a_restart(tmp_path):
    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "a.jsonl").write_bytes(b"".join(line(rec(i)) for i in range(5)))
    f = feed(tmp_path)
    first = f.poll(NOW).events
    assert len(first) == 5
    state = json.loads((tmp_path / "state" / "event_feed.json").read_text())
    assert state["files"]["a.jsonl"]["offset"] == (drop / "a.jsonl").stat().st_size
    assert not list((tmp_path / "state").glob("*.tmp"))
    # more arrives while the cockpit is down
    with open(drop / "a.jsonl", "ab") as fh:
        fh.write(line(rec(5)))
    (drop / "b.jsonl").write_bytes(line(rec(6)))
    g = feed(tmp_path)  # restart
    b = g.poll(NOW)
    ids = [e.event_id for e in b.events]
    assert ids == [f"F-HL-{i}" for i in range(7)]  # the inbox's five, then the new two
    assert not b.problems
    assert g.poll(NOW).events == []
    # a third start hands back all seven, once each
    assert sorted(e.event_id for e in feed(tmp_path).poll(NOW).events) == \
        sorted(f"F-HL-{i}" for i in range(7))


def test_a_crash_between_inbox_and_state_rereads_but_does_not_double(tmp_path, monkeypatch):
    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "a.jsonl").write_bytes(b"".join(line(rec(i, event_id=None)) for i in range(3)))
    f = feed(tmp_path)
    monkeypatch.setattr(f, "_save_state", lambda: (_ for _ in ()).throw(OSError("killed")))
    with pytest.raises(OSError):
        f.poll(NOW)  # the events reached the inbox, the offsets did not move
    monkeypatch.undo()
    g = feed(tmp_path)
    b = g.poll(NOW)
    assert len(b.events) == 3  # from the inbox, ids without a sender id are stable
    assert {p.message.split(" was")[0] for p in b.problems} == \
        {f"event {e.event_id}" for e in b.events}  # the re-read lines are known: skipped
    assert g.poll(NOW).events == [] and not g.poll(NOW).problems


def test_replaced_file_and_unreadable_state_are_reported_not_silent(tmp_path):
    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "a.jsonl").write_bytes(line(rec(1)) + line(rec(2)))
    feed(tmp_path).poll(NOW)
    (drop / "a.jsonl").write_bytes(line(rec(9)))  # same name, new content, shorter
    b = feed(tmp_path).poll(NOW)
    assert "F-HL-9" in [e.event_id for e in b.events]
    assert any("replaced or truncated" in p.message for p in b.problems)
    state = tmp_path / "state" / "event_feed.json"
    state.write_text("{torn")
    f = feed(tmp_path)
    assert any("unreadable" in p.message for p in f.problems)
    assert list(state.parent.glob("event_feed.json.unreadable-*"))
    b = f.poll(NOW)
    assert sorted(e.event_id for e in b.events) == ["F-HL-1", "F-HL-2", "F-HL-9"]  # inbox
    assert all("already ingested" in p.message for p in b.problems)


def test_partial_and_hidden_files_are_left_alone(tmp_path):
    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / ".c.jsonl").write_bytes(line(rec(1)))
    (drop / "c.jsonl.part").write_bytes(line(rec(2)))
    (drop / "d.jsonl").write_bytes(line(rec(3))[:-1])  # no newline yet
    f = feed(tmp_path)
    assert f.poll(NOW).events == []
    assert f.ingested() == {}


# ------------------------------------------------------------------ simulator


def profile() -> SimProfile:
    hourly = {s: [0.0] * 24 for s in EVENT_SOURCES}
    hourly["ai_camera"] = [30.0 if 8 <= h < 20 else 3.0 for h in range(24)]
    hourly["hotline"] = [12.0] * 24
    hourly["sensor"] = [6.0] * 24
    templates = {s: [] for s in EVENT_SOURCES}
    templates["ai_camera"] = [Template("ET-STREET-VENDING", 4, 106.57, 29.56, "500103",
                                       "500103001", None, "解放碑街道 占道经营")]
    templates["hotline"] = [Template("ET-NOISE", 3, 106.50, 29.50, "500106", "500106001",
                                     None, "噪声扰民")]
    templates["sensor"] = [Template("ET-WATER-MAIN-BURST", 1, 106.55, 29.55, "500103",
                                    "500103002", 17, "供水主管爆管")]
    return SimProfile(hourly, templates, 28.0)


def test_simulator_is_deterministic_whatever_the_polling(tmp_path):
    t0 = datetime(2026, 11, 20, 6, 0)
    runs = []
    for step in (timedelta(seconds=7), timedelta(minutes=5), timedelta(hours=3)):
        sim = EventSimulator(profile(), seed=42, start=t0)
        out, t = [], t0
        while t < t0 + timedelta(hours=6):
            t = min(t + step, t0 + timedelta(hours=6))
            out += sim.poll(t).events
        runs.append(out)
    assert runs[0] == runs[1] == runs[2]
    assert len({e.event_id for e in runs[0]}) == len(runs[0]) > 50
    other = EventSimulator(profile(), seed=43).events_between(t0, t0 + timedelta(hours=6))
    assert [e.occurred_at for e in other] != [e.occurred_at for e in runs[0]]
    assert all(t0 < e.occurred_at <= t0 + timedelta(hours=6) for e in runs[0])
    # a clock that goes back (a seek) restarts quietly instead of replaying the past
    sim = EventSimulator(profile(), seed=42, start=t0)
    assert sim.poll(t0 - timedelta(hours=1)).events == []


def test_simulator_follows_the_rates_and_hours_and_keeps_sensors_in_place():
    t0 = datetime(2026, 11, 20, 0, 0)
    days = 7
    ev = EventSimulator(profile(), seed=1).events_between(t0, t0 + timedelta(days=days))
    by = {s: [e for e in ev if e.source == s] for s in EVENT_SOURCES}
    for s, per_day in (("ai_camera", 12 * 30 + 12 * 3), ("hotline", 288), ("sensor", 144)):
        expected = per_day * days
        assert abs(len(by[s]) - expected) < 5 * math.sqrt(expected), (s, len(by[s]), expected)
    assert not by["drone"] and not by["patrol"]  # rate 0
    day = sum(1 for e in by["ai_camera"] if 8 <= e.occurred_at.hour < 20)
    assert day / len(by["ai_camera"]) == pytest.approx(360 / 396, abs=0.03)
    assert {(e.lon, e.lat, e.point_id) for e in by["sensor"]} == {(106.55, 29.55, 17)}
    cams = by["ai_camera"]
    assert len({(e.lon, e.lat) for e in cams}) > 100  # jittered around the template
    assert max(abs(e.lat - 29.56) for e in cams) < 0.01
    assert {e.title for e in cams} == {"解放碑街道 占道经营"}


def test_profile_from_the_catalog_follows_the_history(small_dataset_master: Path):
    con = duckdb.connect()
    for t in ("event", "event_type"):
        con.execute(f"CREATE TABLE {t} AS SELECT * FROM read_parquet(?)",
                    [str(small_dataset_master / f"{t}.parquet")])
    as_of = datetime(2026, 11, 20, 12, 0)
    p = SimProfile.from_catalog(con, as_of, days=28, max_templates=300, seed=3)
    counts = dict(con.execute(
        "SELECT source, count(*) FROM event WHERE occurred_at > ? AND occurred_at <= ? "
        "GROUP BY 1", [as_of - timedelta(days=28), as_of]).fetchall())
    for s in EVENT_SOURCES:
        assert p.per_day(s) == pytest.approx(counts.get(s, 0) / 28, rel=1e-9)
        assert len(p.templates[s]) == min(300, counts.get(s, 0))
    types = {r[0] for r in con.execute("SELECT type_id FROM event_type").fetchall()}
    assert {t.type_id for ts in p.templates.values() for t in ts} <= types
    assert all(t.point_id is not None for t in p.templates["sensor"])
    assert p == SimProfile.from_catalog(con, as_of, days=28, max_templates=300, seed=3)
    street_vending = [t for ts in p.templates.values() for t in ts if "占道经营" in t.title]
    assert street_vending  # the demo's AI-camera staple is there
    ev = EventSimulator(p, seed=3).events_between(as_of, as_of + timedelta(hours=24))
    assert abs(len(ev) - p.per_day()) < 5 * math.sqrt(p.per_day())


# ------------------------------------------------------------------ departments


class Clock:
    def __init__(self, t: datetime):
        self.t = t

    def __call__(self) -> datetime:
        return self.t


def _orders(store, n: int, clock: Clock) -> list[str]:
    ids = []
    for i in range(n):
        ids += store.create(1000 + i, "centre", f"c-{i}", dept_id=f"D-500103-K{i % 3}",
                            deadlines={"acknowledge": 5, "handle": 60, "verify": 90,
                                       "close": 120})
    return ids


def test_department_simulator_answers_every_order_some_late_never_twice(tmp_path):
    t0 = datetime(2026, 11, 20, 2, 0)
    clock = Clock(t0)
    store = open_store(tmp_path / "d.duckdb", clock=clock)
    _orders(store, 40, clock)
    sim = DepartmentSimulator(seed=9, late_share=0.2)
    n = 0
    while clock.t < t0 + timedelta(hours=3):
        clock.t += timedelta(minutes=1)
        n += len(sim.step(store, clock.t))
    assert n == 40 * 4
    o = store.orders(as_of=clock.t)
    assert set(o["state"]) == {"closed"}
    late = o["late_actions"].str.len() > 0
    assert 0.2 < late.mean() < 0.9  # 1 − 0.8⁴ ≈ 0.59 of the orders miss a deadline
    log = store.log()
    sim_rows = log[log["action"] != "create"]
    assert set(sim_rows["source"]) == {"simulator"}
    assert set(sim_rows["operator"].str.startswith("sim:D-500103-K")) == {True}
    assert store.verify() == []
    # the same moment again, or a fresh simulator after a restart: nothing more written
    seq = store.head[0]
    assert DepartmentSimulator(seed=9, late_share=0.2).step(store, clock.t) == []
    assert store.head[0] == seq
    # the schedule is a pure function of seed and order
    row = o.iloc[0].to_dict()
    assert sim.schedule(row) == DepartmentSimulator(seed=9, late_share=0.2).schedule(row)
    assert sim.schedule(row) != DepartmentSimulator(seed=10, late_share=0.2).schedule(row)
    store.close()


@pytest.mark.parametrize("late_share, any_late", [(0.0, False), (1.0, True)])
def test_department_simulator_lateness_is_controlled(tmp_path, late_share, any_late):
    t0 = datetime(2026, 11, 20, 2, 0)
    clock = Clock(t0)
    store = open_store(tmp_path / "d.duckdb", clock=clock)
    _orders(store, 10, clock)
    sim = DepartmentSimulator(seed=1, late_share=late_share)
    while clock.t < t0 + timedelta(hours=3):
        clock.t += timedelta(minutes=1)
        sim.step(store, clock.t)
    o = store.orders(as_of=clock.t)
    assert set(o["state"]) == {"closed"}
    assert (o["late_actions"] == "").all() != any_late
    if any_late:
        assert (o["late_actions"] == "acknowledge,handle,verify,close").all()
    store.close()


def test_department_simulator_leaves_what_a_person_did(tmp_path):
    t0 = datetime(2026, 11, 20, 2, 0)
    clock = Clock(t0)
    store = open_store(tmp_path / "d.duckdb", clock=clock)
    (oid,) = _orders(store, 1, clock)
    clock.t += timedelta(seconds=10)
    store.advance(oid, "acknowledge", "张伟", "k1")
    store.advance(oid, "cancel", "张伟", "k2", note="误报")
    clock.t += timedelta(hours=5)
    assert DepartmentSimulator().step(store, clock.t) == []
    assert event_feed.DEPARTMENT_ACTIONS == ("acknowledge", "confirm", "handle", "verify",
                                             "close")
    store.close()


def test_department_simulator_runs_each_orders_own_stages(tmp_path):
    """An emergency-flow order is answered 签收 → 核实 → 处置 → 结案 (no 核查); an order the
    centre returned (退回) after 处置 is handled again under a new key."""
    t0 = datetime(2026, 11, 20, 2, 0)
    clock = Clock(t0)
    store = open_store(tmp_path / "d.duckdb", clock=clock)
    em = store.create(2000, "centre", "c-em", dept_id="D-EM",
                      deadlines={"stages": ["react", "confirm", "handle", "close"],
                                 "acknowledge": 1, "confirm": 3, "handle": 5, "close": 30})[0]
    (lp,) = _orders(store, 1, clock)
    sim = DepartmentSimulator(seed=3, late_share=0.0)
    while store.state(lp) != "handled":
        clock.t += timedelta(minutes=1)
        sim.step(store, clock.t)
    store.advance(lp, "rework", "张伟", "rw", note="核查未通过")
    while clock.t < t0 + timedelta(hours=5):
        clock.t += timedelta(minutes=1)
        sim.step(store, clock.t)
    assert list(store.history(em)["action"]) == ["create", "acknowledge", "confirm", "handle",
                                                 "close"]
    acts = list(store.history(lp)["action"])
    assert acts[-3:] == ["handle", "verify", "close"]
    assert acts.count("handle") == 2 and store.state(lp) == "closed"
    assert store.verify() == []
    store.close()
