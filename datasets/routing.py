"""Routing an event to departments, and what lies around it.

Two questions the dispatch panel asks the governance catalog (tables of
:mod:`cockpit.datasets.schema`), answered with plain values:

- :func:`plan_for_event` — the event's response plan (预案) as a :class:`Plan`, a list of
  :class:`PlanStep` whose departments are resolved to the event's level. Plan steps and event
  types name city-level departments ``D-CITY-<KIND>``; for an event in district ``D`` the step
  goes to ``D-<D>-<KIND>`` when that department exists, else stays with the city one. A step of
  kind ``JD`` (street office) goes to ``D-<street>-JD`` when the event's street has one. An event
  type without a plan gets a three-step default plan for its default department from its
  response targets (react / verify / handle minutes). :func:`plan_for_type` answers the same
  for an event that is not in the catalog (from a feed or the simulator): its type and place;
  :func:`place_of` finds the district and street of a point that arrives without them.
- :func:`impact` — around a point: the streets and communities within a radius, the risk points
  there by category, the nearest emergency warehouse and fire station, and the plan's estimated
  repair time.

:func:`order_deadlines` turns one department's steps into the per-action deadlines a dispatch
order carries (:mod:`cockpit.datasets.dispatch` stores them); it is pure, so the dispatch store
stays independent of the catalog.

Stages and deadlines. Which stages a dispatch order runs is its plan's ``stages``
(:mod:`cockpit.datasets.stages`: the management loop 签收 → 处置 → 核查 → 结案 → 评价 by
default, or e.g. the emergency flow 反应 → 核实 → 处置 → 结案). Each stage but 评价 has a
deadline in minutes after dispatch, taken from the department's steps of that stage (the
latest ``due_min``). A step of stage ``verify`` in a flow with 核实 (``confirm``) and without
核查 is the confirmation (older plans called the early on-site check "核查"). A stage in which
the department has no step falls back to the event type's target (``react_min`` for react,
``verify_min`` for 核实 or 核查, ``handle_min`` for handle) and, for close, to the plan's last
close-stage step. The deadlines are then made non-decreasing along the flow
(:func:`cockpit.datasets.stages.stage_targets`): in the loop a plan's early on-site check thus
never asks for 核查 before 处置 is due. A step without a stage gets one from its ``due_min``
against the event type's targets (≤ react → react, ≤ verify → verify, ≤ handle → handle, else
close).

Distances are great-circle (haversine, R = 6371.0088 km) on the units' and points'
longitude/latitude, with a bounding-box prefilter in SQL so that only the points near the
place are measured.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
from cockpit.datasets.i18n import QT_TRANSLATE_NOOP
from cockpit.datasets.schema import STEP_STAGES
from cockpit.datasets.stages import DEFAULT_STAGES, STAGE_ACTION, parse_stages, stage_targets

__all__ = [
    "PlanStep", "Plan", "PlanBook", "plan_for_event", "plan_for_type", "plan_stages",
    "place_of", "order_deadlines", "by_department", "DEADLINE_ACTIONS", "STAGE_OF_ACTION",
    "Impact", "Place", "Facility", "RiskCount", "impact", "haversine_km", "EARTH_RADIUS_KM",
]

EARTH_RADIUS_KM = 6371.0088
#: Every action of an order that can have a deadline, in the one order they happen (an
#: order's own flow holds some of them: :func:`cockpit.datasets.stages.order_stages`).
DEADLINE_ACTIONS = ("acknowledge", "confirm", "handle", "verify", "close")
#: The plan stage whose steps set each action's deadline.
STAGE_OF_ACTION = {"acknowledge": "react", "confirm": "confirm", "handle": "handle",
                   "verify": "verify", "close": "close"}
#: The event type's target (react_min, verify_min, handle_min) of each stage.
_TARGET_OF_STAGE = {"react": "react", "confirm": "verify", "handle": "handle",
                    "verify": "verify"}


@dataclass(frozen=True)
class PlanStep:
    """One step of a response plan, with its department resolved to the event's level."""

    step_no: int
    dept_id: str
    action: str
    due_min: float
    stage: str  # react / verify / handle / close
    plan_dept: str | None = None  # the department the plan names (before resolution)

    def as_dict(self) -> dict:
        return {"step_no": self.step_no, "dept_id": self.dept_id, "action": self.action,
                "due_min": self.due_min, "stage": self.stage}


class Plan(list):
    """The steps of an event's plan (a ``list[PlanStep]``) with what the dispatcher needs.

    ``targets`` are the event type's response targets in minutes (``react``, ``verify``,
    ``handle``); the dispatch store uses them for the stages a department has no step in.
    ``stages`` is the flow its orders run (the plan's ``stages``; default the loop).
    """

    def __init__(self, steps=(), *, event_id=None, type_id: str | None = None,
                 plan_id: str | None = None, targets: dict[str, float] | None = None,
                 district_code: str | None = None, street_code: str | None = None,
                 stages: tuple[str, ...] = DEFAULT_STAGES):
        super().__init__(steps)
        self.stages = tuple(stages)
        self.event_id = event_id
        self.type_id = type_id
        self.plan_id = plan_id
        self.targets = dict(targets or {})
        self.district_code = district_code
        self.street_code = street_code

    def departments(self) -> list[str]:
        """The departments of the plan, in the order of their first step."""
        return [d for d, _ in by_department(self)]

    def __repr__(self) -> str:
        return (f"Plan(event_id={self.event_id!r}, plan_id={self.plan_id!r}, "
                f"{len(self)} steps, {len(self.departments())} departments)")


def by_department(steps) -> list[tuple[str, list[PlanStep]]]:
    """Steps grouped by department, departments in the order of their first step."""
    groups: dict[str, list[PlanStep]] = {}
    for s in sorted(steps, key=lambda s: s.step_no):
        groups.setdefault(s.dept_id, []).append(s)
    return list(groups.items())


def _stage_for(due: float, targets: dict[str, float]) -> str:
    for stage in ("react", "verify", "handle"):
        t = targets.get(stage)
        if t is not None and due <= t:
            return stage
    return "close"


def order_deadlines(steps, targets: dict[str, float] | None = None,
                    plan_close: float | None = None,
                    stages: tuple[str, ...] = DEFAULT_STAGES) -> dict[str, float]:
    """Deadlines in minutes after dispatch for one department's order (see the module doc):
    ``{action: minutes}`` for each stage of ``stages`` but evaluate.

    ``steps``: that department's :class:`PlanStep` s; ``targets``: the event type's
    ``react``/``verify``/``handle`` minutes; ``plan_close``: the plan's latest close-stage
    ``due_min`` (used when the department has no close step of its own).
    """
    targets = targets or {}
    stages = tuple(stages)
    latest: dict[str, float] = {}
    for s in steps:
        stage = s.stage if s.stage in STEP_STAGES else _stage_for(s.due_min, targets)
        if stage == "verify" and "verify" not in stages and "confirm" in stages:
            stage = "confirm"
        elif stage == "confirm" and "confirm" not in stages:
            stage = "verify"
        latest[stage] = max(latest.get(stage, 0.0), float(s.due_min))
    minutes: dict[str, float | None] = {}
    running = 0.0
    for stage in stages:
        if stage == "evaluate":
            continue
        due = latest.get(stage)
        if due is None and stage in _TARGET_OF_STAGE:
            due = targets.get(_TARGET_OF_STAGE[stage])
        if due is None and stage == "close":
            due = plan_close
        if due is None:
            due = running
        running = max(running, float(due))
        minutes[stage] = due
    return {STAGE_ACTION[s]: m for s, m in stage_targets(stages, minutes)}


def _resolve(dept: str, district: str | None, street: str | None, known: set[str]) -> str:
    if not dept.startswith("D-CITY-"):
        return dept
    kind = dept[len("D-CITY-"):]
    if kind == "JD":
        if street and f"D-{street}-JD" in known:
            return f"D-{street}-JD"
        return dept
    if district and f"D-{district}-{kind}" in known:
        return f"D-{district}-{kind}"
    return dept


def plan_for_event(con: duckdb.DuckDBPyConnection, event_id) -> Plan:
    """The response plan of one event, departments resolved to the event's district/street.

    Raises ``KeyError`` when the event is unknown.
    """
    row = con.execute(
        "SELECT type_id, district_code, street_code FROM event WHERE event_id = ?",
        [event_id]).fetchone()
    if row is None:
        raise KeyError(f"no event {event_id!r} in the catalog")
    type_id, district, street = row
    try:
        return plan_for_type(con, type_id, district, street, event_id=event_id)
    except KeyError:
        raise KeyError(f"event {event_id!r} has an unknown type {type_id!r}") from None


def plan_for_type(con: duckdb.DuckDBPyConnection, type_id: str, district_code: str | None,
                  street_code: str | None, event_id=None) -> Plan:
    """The response plan of an event type at a place (for events not in the catalog: a feed's
    or the simulator's), departments resolved as for :func:`plan_for_event`.

    Raises ``KeyError`` when the type is unknown.
    """
    row = con.execute(
        """SELECT dept_id, react_min, verify_min, handle_min, plan_id FROM event_type
           WHERE type_id = ?""", [type_id]).fetchone()
    if row is None:
        raise KeyError(f"no event type {type_id!r} in the catalog")
    plan_id = row[4]
    raw = con.execute(
        "SELECT step_no, dept_id, action, due_min, stage FROM plan_step WHERE plan_id = ? "
        "ORDER BY step_no", [plan_id]).fetchall() if plan_id is not None else []
    wanted = sorted(_wanted(raw or [(0, row[0])], district_code, street_code))
    known = {r[0] for r in con.execute(
        "SELECT dept_id FROM department WHERE dept_id IN (SELECT unnest(?::VARCHAR[]))",
        [wanted]).fetchall()} if wanted else set()
    return _plan(type_id, row, raw, district_code, street_code, known, event_id,
                 flow=plan_stages(con, plan_id))


def _wanted(raw, district: str | None, street: str | None) -> set[str]:
    """The local departments that would stand in for the plan's city-level ones."""
    out = set()
    for _no, dept, *_ in raw:
        if dept.startswith("D-CITY-"):
            kind = dept[len("D-CITY-"):]
            out.add(f"D-{street}-JD" if kind == "JD" else f"D-{district}-{kind}")
    return out


def _plan(type_id: str, row: tuple, raw: list[tuple], district: str | None,
          street: str | None, known: set[str], event_id=None,
          flow: tuple[str, ...] = DEFAULT_STAGES) -> Plan:
    """A plan from the type's row (default department, react/verify/handle minutes, plan id),
    its plan's steps (may be empty), the departments that exist among the local ones and the
    plan's flow (:func:`plan_stages`)."""
    default_dept, react, verify, handle, plan_id = row
    targets = {"react": float(react), "verify": float(verify), "handle": float(handle)}
    if not raw:  # no plan: the default department reacts, verifies and handles
        raw = [(1, default_dept, QT_TRANSLATE_NOOP("vocabulary", "接报签收"), react, "react"),
               (2, default_dept, QT_TRANSLATE_NOOP("vocabulary", "现场核查"), verify, "verify"),
               (3, default_dept, QT_TRANSLATE_NOOP("vocabulary", "完成处置"), handle, "handle")]
    steps = []
    for no, dept, action, due, stage in raw:
        due = float(due)
        st = stage if stage in STEP_STAGES else _stage_for(due, targets)
        if st == "verify" and "confirm" in flow and "verify" not in flow:
            st = "confirm"  # an early on-site check in an emergency plan confirms the event
        steps.append(PlanStep(int(no), _resolve(dept, district, street, known), action, due, st,
                              plan_dept=dept))
    return Plan(steps, event_id=event_id, type_id=type_id, plan_id=plan_id, targets=targets,
                district_code=district, street_code=street, stages=flow)


def plan_stages(con: duckdb.DuckDBPyConnection, plan_id: str | None) -> tuple[str, ...]:
    """The flow a plan's orders run (its ``stages``; the loop when empty or unknown)."""
    if plan_id is None:
        return DEFAULT_STAGES
    try:
        row = con.execute("SELECT stages FROM plan WHERE plan_id = ?", [plan_id]).fetchone()
    except duckdb.Error:  # a catalog built before the column existed
        return DEFAULT_STAGES
    try:
        return parse_stages(row[0] if row else None)
    except ValueError:
        return DEFAULT_STAGES


class PlanBook:
    """Every event type's plan read once from a catalog, for callers that ask for many plans
    in a row (the router resolves the departments of each report it routes): the same plans as
    :func:`plan_for_type`, without a query per call."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.types = {r[0]: tuple(r[1:]) for r in con.execute(
            "SELECT type_id, dept_id, react_min, verify_min, handle_min, plan_id "
            "FROM event_type").fetchall()}
        self.steps: dict[str, list[tuple]] = {}
        for pid, *step in con.execute(
                "SELECT plan_id, step_no, dept_id, action, due_min, stage FROM plan_step "
                "ORDER BY plan_id, step_no").fetchall():
            self.steps.setdefault(pid, []).append(tuple(step))
        self.depts = {r[0] for r in con.execute("SELECT dept_id FROM department").fetchall()}
        self.flows = {pid: plan_stages(con, pid) for pid in self.steps}

    def plan_for_type(self, type_id: str, district_code: str | None,
                      street_code: str | None, event_id=None) -> Plan:
        """As :func:`plan_for_type` (``KeyError`` for an unknown type)."""
        row = self.types.get(type_id)
        if row is None:
            raise KeyError(f"no event type {type_id!r} in the catalog")
        raw = self.steps.get(row[4], []) if row[4] is not None else []
        return _plan(type_id, row, raw, district_code, street_code, self.depts, event_id,
                     flow=self.flows.get(row[4], DEFAULT_STAGES))


def place_of(con: duckdb.DuckDBPyConnection, lon: float, lat: float
             ) -> tuple[str | None, str | None]:
    """(district_code, street_code) of a point: the nearest street centroid and its parent.

    For events that arrive with coordinates only. ``(None, None)`` without streets.
    """
    row = _nearest(con, "admin_unit", "code, parent_code", "level = 'street'",
                   float(lon), float(lat))
    if row is None:
        return None, None
    return row[1], row[0]


# --------------------------------------------------------------------------- impact


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    distance_km: float


@dataclass(frozen=True)
class Facility:
    facility_id: int
    name: str
    kind: str
    district_code: str | None
    distance_km: float


@dataclass(frozen=True)
class RiskCount:
    category_id: str
    name: str
    count: int
    major: int  # of which level 1 (重大)


@dataclass(frozen=True)
class Impact:
    """What lies around a place (see :func:`impact`)."""

    lon: float
    lat: float
    radius_km: float
    streets: list[Place]  # street centroids within the radius, nearest first
    communities: list[Place]  # community centroids within the radius, nearest first
    nearest_street: Place | None  # the nearest street centroid, even outside the radius
    risk_by_category: list[RiskCount]  # risk points within the radius, most first
    risk_points: int  # all risk points within the radius
    nearest_warehouse: Facility | None
    nearest_fire_station: Facility | None
    repair_min: float | None  # the plan's estimated repair time, minutes after dispatch
    repair_rule: str = field(default="max due_min of the plan's handle-stage steps")


def haversine_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in km (plain Python, for checks and small lists)."""
    from math import asin, cos, radians, sin, sqrt

    p1, p2 = radians(lat1), radians(lat2)
    dp, dl = p2 - p1, radians(lon2 - lon1)
    a = sin(dp / 2) ** 2 + cos(p1) * cos(p2) * sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * asin(min(1.0, sqrt(a)))


def _dist_sql(lon: str = "lon", lat: str = "lat") -> str:
    """SQL of the haversine distance (km) from the point bound as $lon, $lat."""
    return (f"2 * {EARTH_RADIUS_KM} * asin(least(1.0, sqrt("
            f"power(sin(radians({lat} - $lat) / 2), 2) + cos(radians($lat)) * cos(radians({lat}))"
            f" * power(sin(radians({lon} - $lon) / 2), 2))))")


def _bbox(lon: float, lat: float, r_km: float) -> dict[str, float]:
    from math import cos, radians

    dlat = r_km / 111.19 * 1.01
    dlon = r_km / (111.19 * max(cos(radians(min(abs(lat) + dlat, 89.9))), 1e-6)) * 1.01
    return {"x0": lon - dlon, "x1": lon + dlon, "y0": lat - dlat, "y1": lat + dlat}


def _within(con, table: str, cols: str, where: str, lon: float, lat: float, r: float,
            extra: dict | None = None) -> list[tuple]:
    params = {"lon": lon, "lat": lat, "r": r, **_bbox(lon, lat, r), **(extra or {})}
    return con.execute(
        f"""SELECT * FROM (
              SELECT {cols}, {_dist_sql()} AS d FROM {table}
              WHERE {where} AND lon BETWEEN $x0 AND $x1 AND lat BETWEEN $y0 AND $y1)
            WHERE d <= $r ORDER BY d""", params).fetchall()


def _nearest(con, table: str, cols: str, where: str, lon: float, lat: float,
             extra: dict | None = None) -> tuple | None:
    """The nearest row, searched in growing boxes (most answers come from the first)."""
    for r in (5.0, 25.0, 100.0, 400.0):
        rows = _within(con, table, cols, where, lon, lat, r, extra)
        if rows:
            return rows[0]
    params = {"lon": lon, "lat": lat, **(extra or {})}
    return con.execute(f"SELECT {cols}, {_dist_sql()} AS d FROM {table} WHERE {where} "
                       "ORDER BY d LIMIT 1", params).fetchone()


def _facility(con, kind: str, lon: float, lat: float) -> Facility | None:
    row = _nearest(con, "facility", "facility_id, name, kind, district_code", "kind = $kind",
                   lon, lat, {"kind": kind})
    if row is None:
        return None
    return Facility(int(row[0]), row[1], row[2], row[3], round(float(row[4]), 3))


def impact(con: duckdb.DuckDBPyConnection, lon: float, lat: float, radius_km: float = 1.0,
           plan=None) -> Impact:
    """The impact analysis of an event at (lon, lat).

    Streets and communities are those whose centroid (``admin_unit.lon/lat``) lies within
    ``radius_km``; risk points are counted by category within the radius; the nearest
    warehouse and fire station are searched without a radius limit. ``plan`` (a list of
    :class:`PlanStep`, e.g. from :func:`plan_for_event`) gives the estimated repair time: the
    **maximum** ``due_min`` of its handle-stage steps — the departments work in parallel, so
    the repair is done when the last handle step is due (``None`` without a plan or without
    handle steps).
    """
    lon, lat, r = float(lon), float(lat), float(radius_km)
    units = _within(con, "admin_unit", "code, name, level", "level IN ('street', 'community')",
                    lon, lat, r)
    streets = [Place(c, n, round(float(d), 3)) for c, n, lv, d in units if lv == "street"]
    communities = [Place(c, n, round(float(d), 3)) for c, n, lv, d in units
                   if lv == "community"]
    if streets:
        nearest_street = streets[0]
    else:
        row = _nearest(con, "admin_unit", "code, name", "level = 'street'", lon, lat)
        nearest_street = Place(row[0], row[1], round(float(row[2]), 3)) if row else None
    params = {"lon": lon, "lat": lat, "r": r, **_bbox(lon, lat, r)}
    risk = con.execute(
        f"""SELECT p.category_id, coalesce(any_value(c.name), p.category_id) AS name,
                   count(*) AS n, count(*) FILTER (WHERE p.level = 1) AS major
            FROM (SELECT category_id, level, {_dist_sql()} AS d FROM risk_point
                  WHERE lon BETWEEN $x0 AND $x1 AND lat BETWEEN $y0 AND $y1) p
            LEFT JOIN risk_category c ON c.category_id = p.category_id
            WHERE p.d <= $r
            GROUP BY p.category_id ORDER BY n DESC, p.category_id""", params).fetchall()
    risk_counts = [RiskCount(c, n, int(k), int(m)) for c, n, k, m in risk]
    handle = [float(s.due_min) for s in (plan or []) if s.stage == "handle"]
    return Impact(
        lon=lon, lat=lat, radius_km=r, streets=streets, communities=communities,
        nearest_street=nearest_street, risk_by_category=risk_counts,
        risk_points=sum(rc.count for rc in risk_counts),
        nearest_warehouse=_facility(con, "warehouse", lon, lat),
        nearest_fire_station=_facility(con, "fire_station", lon, lat),
        repair_min=max(handle) if handle else None)
