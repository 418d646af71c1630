"""Vital-sign alarms as a live event source: an alarm becomes a dispatchable event.

The vitals controller announces each alarm excursion once (``sig_alarm_raised``); this source
queues them and hands them to the dispatch controller's next poll, which runs off the GUI
thread — hence the thread-safe deque.
"""

from __future__ import annotations

from collections import deque
from datetime import datetime

from PySide6.QtCore import QCoreApplication

from cockpit.datasets.event_feed import FeedBatch, FeedEvent


def _num(v: float) -> str:
    return f"{v:.4g}" if abs(v) < 1000 else f"{v:,.0f}"


def alarm_title(alarm: dict) -> str:
    """The alarm event's title in the interface language: indicator, value, threshold (the
    Qt-free vitals engine gives the Chinese title and the numbers it is made of)."""
    name = str(alarm.get("name", ""))
    if alarm.get("side") in ("high", "low") and alarm.get("value") is not None \
            and alarm.get("threshold") is not None:
        text = (QCoreApplication.translate("alarm_source", "{name} {value} {unit} 超过报警上限 "
                                           "{threshold} {unit}") if alarm["side"] == "high"
                else QCoreApplication.translate("alarm_source",
                                                "{name} {value} {unit} 低于报警下限 "
                                                "{threshold} {unit}"))
        return " ".join(text.format(name=name, value=_num(float(alarm["value"])),
                                    unit=alarm.get("unit") or "",
                                    threshold=_num(float(alarm["threshold"]))).split())
    return str(alarm.get("title") or QCoreApplication.translate(
        "alarm_source", "{name} 报警").format(name=name))


class VitalAlarmSource:
    """An EventSource fed by the vitals controller's alarms."""

    name = "vitals"

    def __init__(self) -> None:
        self._queue: deque[FeedEvent] = deque()
        self._seen: set[str] = set()

    def push(self, alarm: dict) -> None:
        """Queue one raised alarm (a dict shaped like an ``event`` row)."""
        eid = str(alarm.get("event_id"))
        if not eid or eid in self._seen:
            return
        self._seen.add(eid)
        at = alarm.get("occurred_at") or alarm.get("at")
        if isinstance(at, str):
            at = datetime.fromisoformat(at)
        self._queue.append(FeedEvent(
            event_id=eid, type_id=str(alarm.get("type_id") or ""), source="sensor",
            occurred_at=at, lon=float(alarm["lon"]), lat=float(alarm["lat"]),
            severity=int(alarm.get("severity") or 2),
            title=alarm_title(alarm),
            district_code=alarm.get("district_code"), street_code=alarm.get("street_code"),
            point_id=alarm.get("point_id"), feed=self.name, network=alarm.get("network")))

    def poll(self, now: datetime) -> FeedBatch:
        events = []
        while self._queue:
            events.append(self._queue.popleft())
        return FeedBatch(events=events)
