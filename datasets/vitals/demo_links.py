"""The demo's link from vital signs to event types, written into its ``vital_sign`` table.

The link is data (``vital_sign.event_type_id``, see :mod:`cockpit.datasets.schema`): a
dataset says itself which event type an alarm of each sign is dispatched as. This module
only holds the rules the demo generator uses to fill that column for its own indicators and
event types; nothing reads them at run time.
"""

from __future__ import annotations

from collections.abc import Iterable

#: (domain, keyword in the indicator's name or None, event type) — the first match whose
#: type exists in the demo's ``event_type`` is the type written for a sign.
EVENT_TYPE_RULES: tuple[tuple[str, str | None, str], ...] = (
    ("水", "积水", "ET-WATERLOGGING"), ("水", "内涝", "ET-WATERLOGGING"),
    ("水", "排水", "ET-DRAIN-BLOCK"), ("水", "水库", "ET-RIVER-FLOOD"),
    ("水", "水位", "ET-RIVER-FLOOD"), ("水", None, "ET-WATER-PRESSURE"),
    ("电", "变电站", "ET-SUBSTATION-ALARM"), ("电", None, "ET-POWER-OUTAGE"),
    ("气", "甲烷", "ET-BIOGAS"), ("气", "化粪池", "ET-BIOGAS"), ("气", "可燃气体", "ET-GAS-LEAK"),
    ("气", None, "ET-GAS-PRESSURE"),
    ("讯", "光缆", "ET-CABLE-CUT"), ("讯", None, "ET-BASE-STATION-DOWN"),
    ("桥", None, "ET-BRIDGE-ANOMALY"),
    ("隧", "车流", "ET-CONGESTION"), ("隧", None, "ET-TUNNEL-CO"),
    ("交通", "轨道", "ET-METRO-FAULT"), ("交通", None, "ET-CONGESTION"),
    ("环境", "噪声", "ET-NOISE"), ("环境", "河流", "ET-RIVER-POLLUTION"),
    ("环境", "溶解氧", "ET-RIVER-POLLUTION"), ("环境", "氨氮", "ET-RIVER-POLLUTION"),
    ("环境", None, "ET-AIR-POLLUTION"),
)


def demo_event_types(names: Iterable[str], domains: Iterable[str],
                     event_types: set[str]) -> list[str | None]:
    """The event type of each sign (by its name and domain), None where no rule's type is
    among ``event_types``."""
    out: list[str | None] = []
    for name, dom in zip(names, domains, strict=True):
        chosen = None
        for d, kw, tid in EVENT_TYPE_RULES:
            if d == dom and (kw is None or kw in (name or "")) and tid in event_types:
                chosen = tid
                break
        out.append(chosen)
    return out
