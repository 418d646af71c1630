"""A vital-sign alarm becomes exactly one dispatchable event in the event feed."""

from __future__ import annotations

from datetime import datetime

from cockpit.controllers.alarms import VitalAlarmSource


def alarm(eid: int = 2**52 + 7) -> dict:
    return {"event_id": eid, "indicator_id": "VS-1", "name": "供水管网压力", "type_id": "ET-X",
            "occurred_at": datetime(2026, 11, 24, 9, 30), "lon": 106.5, "lat": 29.5,
            "district_code": "500103", "street_code": None, "severity": 1, "title": "压力报警",
            "point_id": 42}


def test_one_event_per_alarm_and_poll_drains() -> None:
    src = VitalAlarmSource()
    src.push(alarm())
    src.push(alarm())  # the same excursion announced again (e.g. a rebuilt tick)
    src.push(alarm(2**52 + 8))
    batch = src.poll(datetime(2026, 11, 24, 9, 31))
    assert [e.event_id for e in batch.events] == [str(2**52 + 7), str(2**52 + 8)]
    e = batch.events[0]
    assert (e.source, e.severity, e.district_code, e.point_id) == ("sensor", 1, "500103", 42)
    assert src.poll(datetime(2026, 11, 24, 9, 32)).events == []
