"""Drill scenarios (演练), drill sessions and their scoring — no Qt.

A **scenario** is a TOML file in ``datasets/drills/`` (read with the stdlib ``tomllib``). A
**session** runs one scenario on a simulated clock: it hands out the scenario's injects as
events when their time comes, owns a dispatch store of its own (one DuckDB file per session,
``source="drill"``, stamped with the simulated time) into which the trainees' dispatch actions
go through the ordinary dispatch commands, and scores those actions against the scenario's
targets. The live dispatch store is never the drill store: a session refuses any path equal to,
inside, or beside-with-the-same-name-prefix-as the live store's path it is given.

Scenario format (every time is naive local time, like the catalog's ``event`` table)::

    id = "biogas-jiangbei"              # required, [a-z0-9-]+, unique among the shipped files
    title = "江北区化粪池沼气超标演练"      # required
    description = "…"                   # optional
    start = 2026-11-20T10:00:00         # absolute start (TOML local date-time), or
    start_offset_min = -60              # minutes after the base time the session is given
                                        # (e.g. the dataset's end); exactly one of the two
    duration_min = 60                   # required, > 0: the replay window is [start, start+d]

    [place]                             # required
    name = "观音桥某小区化粪池"
    district_code = "500105"            # required; lon/lat must lie inside this district
    street_code = "500105003"           # optional
    lon = 106.533                       # required, WGS-84
    lat = 29.576

    [expected]                          # required: what a correct dispatch looks like
    type_id = "ET-BIOGAS"               # the event type of the scored injects
    plan_id = "P-BIOGAS"
    plan_steps = 6                      # optional: how many steps the plan has
    departments = ["D-500105-CGJ", "D-500105-XF", "D-500105-YJJ"]
    network = "gas"                     # optional: the pipe network (water / gas / drainage)
                                        # whose burst analysis is the injects' impact, where
                                        # the dataset has that network (else the radius)

    [targets]                           # required: minutes after the inject (the alarm)
    dispatch = 2                        # optional (default: react): order created (派遣)
    react = 5                           # acknowledge (签收)
    confirm = 8                         # optional: confirm (核实, the event is real)
    verify = 10                         # verify (核查; in a plan with 核实 and no 核查:
                                        # the confirmation)
    handle = 20                         # handle finished (处置)
    close = 30                          # optional: close (结案)

    [[inject]]                          # one or more, in any order
    at_min = 0                          # required, >= 0 and <= duration_min
    kind = "event"                      # event (default) | vital (a vital-sign excursion)
    type_id = "ET-BIOGAS"               # required for events; a vital inject with a type is
                                        # dispatchable like the app's vital alarms
    source = "sensor"                   # sensor / ai_camera / grid_worker / hotline / drone /
                                        # patrol (default: sensor)
    severity = 2                        # 1 … 4 (default 2)
    title = "化粪池甲烷浓度超限"
    lon = 106.533                       # optional: default the place's
    lat = 29.576
    scored = true                       # default: true for events, false for vital injects
    weight = 1.0                        # optional weight in the total (default 1)
    departments = ["…"]                 # optional: override [expected].departments
    network = "gas"                     # optional: override [expected].network
    # vital injects only:
    name = "江北区化粪池甲烷浓度"          # the indicator
    domain = "气"
    unit = "%LEL"
    value = 32.0
    threshold = 25.0                    # the limit it crossed
    baseline = 3.0                      # optional: its reading before the first inject, when
                                        # the dataset has no such indicator and the drill
                                        # brings its own (see datasets/drill_city.py)

A vital inject moves a gauge: the indicator of that name (the dataset's, else one the drill
brings) reads its value from the inject on, and the alarm it raises is the inject's event
(:func:`cockpit.datasets.drill_city.inject_scripts`).

Errors name the file and the key (``biogas.toml: inject[2].at_min: …``); all problems of a file
are reported at once (:class:`ScenarioError`).

Inject ids. An inject is an event whose ``event_id`` is negative: ``-(crc32(scenario id) mod
10**6 × 1000 + n)`` for the n-th inject of the file (n from 1). The catalog numbers its events
from 1 and feed events are ``F-…`` text, so a drill event can never be mistaken for a real one;
the ids are deterministic (the same scenario gives the same ids in every session).

Scoring (per scored inject, 100 points; times in minutes after the inject's time):

- **dispatch, 20 points**: the first order for the inject's event created within
  ``targets.dispatch`` earns 20; later, the points fall linearly to 0 at three times the target;
  never dispatched: 0.
- **departments, 30 points**: ``30 × max(0, right − 0.5 × wrong) / expected``, where *right*
  are expected departments that received an order, *wrong* are departments that received an
  order but were not expected (*missed*: expected without an order, reported, no extra penalty).
- **stages, 50 points**: shared equally among the stages of the expected plan's flow that have
  a target (:meth:`Scenario.stage_targets`: the plan's ``stages`` —
  :mod:`cockpit.datasets.stages`, the same list the orders run — with the scenario's minutes).
  A stage is **met** when every *right* department's order did the stage's action (react →
  acknowledge 签收, confirm → 核实, handle → 处置, verify → 核查, close → 结案) by its target;
  **missed** when one of them did it late, or has not done it and the target has passed, or no
  expected department was dispatched; otherwise **pending**. Targets are made non-decreasing
  along the flow. In the loop (签收 → 处置 → 核查 → 结案) 核查 checks finished work, so an
  early verify target is checked at the handle target; in the emergency flow (反应 → 核实 →
  处置) a verify target is the confirmation's (forest fire: 核实 by 3, 处置 by 5). The picker
  shows the same list (:func:`available_scenarios` reads the plan's flow from the
  catalog).

The total is the weighted mean of the scored injects' points (weight default 1), rounded to one
decimal, 0–100.
"""

from __future__ import annotations

import os
import re
import tomllib
import uuid
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from cockpit.datasets.event_feed import FeedBatch, FeedEvent
from cockpit.datasets.i18n import QT_TRANSLATE_NOOP
from cockpit.datasets.queue import local_utc_offset
from cockpit.datasets.routing import plan_stages
from cockpit.datasets.stages import DEFAULT_STAGES
from cockpit.datasets.stages import STAGE_ACTION as _STAGE_ACTION
from cockpit.datasets.stages import stage_targets as _stage_targets

__all__ = [
    "DRILL_DIR", "Scenario", "Inject", "ScenarioError", "LiveStoreRefused", "load_scenario",
    "load_scenarios", "shipped_scenarios", "dataset_scenarios", "scenario_needs",
    "scenario_misfit", "available_scenarios", "DATASET_DRILLS", "drill_event_id",
    "DrillSession", "score_session",
    "after_action_report", "event_density", "STAGE_ACTION", "WEIGHTS",
]

#: Where the shipped scenarios live.
DRILL_DIR = Path(__file__).resolve().parent / "drills"
#: The order action that finishes each stage a scenario can time, in the one stage order.
STAGE_ACTION = {s: a for s, a in _STAGE_ACTION.items() if s != "evaluate"}
#: Points per part of an inject's score.
WEIGHTS = {"dispatch": 20.0, "departments": 30.0, "stages": 50.0}
_KINDS = ("event", "vital")
_SOURCES = ("sensor", "ai_camera", "grid_worker", "hotline", "drone", "patrol")
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class ScenarioError(ValueError):
    """A scenario file that cannot be used; ``problems`` lists every ``file: key: what``."""

    def __init__(self, path: Path | str, problems: list[str]):
        self.path = Path(path)
        self.problems = [f"{self.path.name}: {p}" for p in problems]
        super().__init__("\n".join(self.problems))


class LiveStoreRefused(ValueError):
    """A drill session asked to write where the live dispatch store lives."""


@dataclass(frozen=True)
class Inject:
    """One scripted happening of a scenario."""

    n: int  # 1-based position in the file
    at_min: float
    kind: str  # event | vital
    event_id: int
    type_id: str | None
    source: str
    severity: int
    title: str
    lon: float
    lat: float
    district_code: str
    street_code: str | None
    scored: bool
    weight: float
    departments: tuple[str, ...]  # expected departments
    # name, domain, unit, value, threshold (, baseline)
    vital: dict[str, Any] = field(default_factory=dict)
    network: str | None = None  # the pipe network whose analysis is the impact


@dataclass(frozen=True)
class Scenario:
    """A parsed and checked scenario file (see the module doc for the format)."""

    id: str
    title: str
    path: Path
    description: str
    start: datetime | None
    start_offset_min: float | None
    duration_min: float
    place: dict[str, Any]
    expected: dict[str, Any]
    targets: dict[str, float]
    injects: tuple[Inject, ...]
    #: the flow of the expected plan (its ``stages``; set from the catalog by
    #: :func:`available_scenarios`, else the loop)
    stages: tuple[str, ...] = DEFAULT_STAGES

    def start_at(self, base: datetime | None = None) -> datetime:
        """The drill's simulated start: absolute, or ``base`` + offset."""
        if self.start is not None:
            return self.start
        if base is None:
            raise ValueError(f"{self.path.name}: start_offset_min needs a base time (e.g. the "
                             "dataset's end)")
        return base + timedelta(minutes=float(self.start_offset_min or 0))

    def window(self, base: datetime | None = None) -> tuple[datetime, datetime]:
        s = self.start_at(base)
        return s, s + timedelta(minutes=self.duration_min)

    def stage_targets(self) -> list[tuple[str, float]]:
        """``[(stage, minutes), …]`` along the plan's flow, made non-decreasing: what the
        picker shows and the scoring checks (one list)."""
        return _stage_targets(self.stages, {k: v for k, v in self.targets.items()
                                            if k in STAGE_ACTION})

    def effective_targets(self) -> dict[str, float]:
        """:meth:`stage_targets` as a dict, in the flow's order."""
        return dict(self.stage_targets())

    @property
    def dispatch_target(self) -> float:
        return float(self.targets.get("dispatch", self.targets.get("react", 5.0)))


# --------------------------------------------------------------------------- loading


def drill_event_id(scenario_id: str, n: int) -> int:
    """The (negative, deterministic) event id of the n-th inject of a scenario."""
    return -((zlib.crc32(scenario_id.encode("utf-8")) % 1_000_000) * 1000 + int(n))


def _num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _network_check(v: str) -> str | None:
    from cockpit.datasets.schema import NETWORK_KINDS

    return None if v in NETWORK_KINDS else f"one of {', '.join(NETWORK_KINDS)}"


def load_scenario(path: Path | str, check_place: bool = True) -> Scenario:
    """Read and check one scenario file; raises :class:`ScenarioError` listing every problem.

    ``check_place``: also check that every point lies inside its district (the real district
    boundaries of ``datasets/reference``).
    """
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text("utf-8"))
    except OSError as e:
        raise ScenarioError(path, [f"cannot be read: {e.strerror or e}"]) from None
    except tomllib.TOMLDecodeError as e:
        raise ScenarioError(path, [f"not valid TOML: {e}"]) from None
    p: list[str] = []

    def need(table: dict, key: str, where: str, kind: str, check=None, required=True):
        name = f"{where}{key}"
        if key not in table:
            if required:
                p.append(f"{name}: missing")
            return None
        v = table[key]
        ok = {"str": lambda x: isinstance(x, str) and x.strip() != "",
              "num": _num,
              "list": lambda x: isinstance(x, list) and all(isinstance(i, str) for i in x),
              "table": lambda x: isinstance(x, dict),
              "bool": lambda x: isinstance(x, bool)}[kind](v)
        if not ok:
            want = {"str": "a non-empty string", "num": "a number", "list": "a list of strings",
                    "table": "a table", "bool": "true or false"}[kind]
            p.append(f"{name}: must be {want}, got {v!r}")
            return None
        if check is not None:
            msg = check(v)
            if msg:
                p.append(f"{name}: {msg}")
                return None
        return v

    sid = need(raw, "id", "", "str",
               lambda v: None if _ID_RE.match(v) else "only a-z, 0-9 and '-' allowed")
    title = need(raw, "title", "", "str")
    duration = need(raw, "duration_min", "", "num", lambda v: None if v > 0 else "must be > 0")
    start = raw.get("start")
    offset = raw.get("start_offset_min")
    if (start is None) == (offset is None):
        p.append("start / start_offset_min: give exactly one of them")
    if start is not None:
        if isinstance(start, date) and not isinstance(start, datetime):
            start = datetime.combine(start, time())
        if not isinstance(start, datetime) or start.tzinfo is not None:
            p.append(f"start: must be a local date-time without offset "
                     f"(e.g. 2026-11-20T09:30:00), got {raw.get('start')!r}")
            start = None
    if offset is not None and not _num(offset):
        p.append(f"start_offset_min: must be a number, got {offset!r}")
        offset = None
    place = need(raw, "place", "", "table") or {}
    expected = need(raw, "expected", "", "table") or {}
    targets_raw = need(raw, "targets", "", "table") or {}
    district = need(place, "district_code", "place.", "str",
                    lambda v: None if re.fullmatch(r"\d{6}", v) else "a 6-digit district code")
    plon = need(place, "lon", "place.", "num",
                lambda v: None if 73 <= v <= 136 else "not a longitude in China")
    plat = need(place, "lat", "place.", "num",
                lambda v: None if 18 <= v <= 54 else "not a latitude in China")
    need(place, "street_code", "place.", "str", required=False)
    need(place, "name", "place.", "str", required=False)
    etype = need(expected, "type_id", "expected.", "str")
    need(expected, "plan_id", "expected.", "str")
    depts = need(expected, "departments", "expected.", "list",
                 lambda v: None if v else "must not be empty")
    need(expected, "plan_steps", "expected.", "num", required=False)
    net_ok = _network_check
    exp_net = need(expected, "network", "expected.", "str", net_ok, required=False)
    targets: dict[str, float] = {}
    for k, v in targets_raw.items():
        if k not in ("dispatch", *STAGE_ACTION):
            p.append(f"targets.{k}: unknown stage (dispatch, react, confirm, verify, handle, "
                     "close)")
        elif not _num(v) or v <= 0:
            p.append(f"targets.{k}: must be a number of minutes > 0, got {v!r}")
        else:
            targets[k] = float(v)
    if not any(k in targets for k in STAGE_ACTION) and "targets" in raw:
        p.append("targets: give at least one of react, verify, handle, close")
    injects_raw = raw.get("inject")
    if not isinstance(injects_raw, list) or not injects_raw:
        p.append("inject: at least one [[inject]] table is required")
        injects_raw = []
    injects: list[Inject] = []
    points: list[tuple[str, float, float]] = []
    if district and plon is not None and plat is not None:
        points.append(("place", plon, plat))
    for n, inj in enumerate(injects_raw, start=1):
        w = f"inject[{n}]."
        if not isinstance(inj, dict):
            p.append(f"inject[{n}]: must be a table")
            continue
        known = {"at_min", "kind", "type_id", "source", "severity", "title", "lon", "lat",
                 "scored", "weight", "departments", "name", "domain", "unit", "value",
                 "threshold", "street_code", "network", "baseline"}
        for k in inj:
            if k not in known:
                p.append(f"{w}{k}: unknown key")
        at = need(inj, "at_min", w, "num",
                  lambda v: None if v >= 0 and (duration is None or v <= duration)
                  else "must be between 0 and duration_min")
        kind = inj.get("kind", "event")
        if kind not in _KINDS:
            p.append(f"{w}kind: must be event or vital, got {kind!r}")
            kind = "event"
        t_id = need(inj, "type_id", w, "str", required=(kind == "event"))
        source = inj.get("source", "sensor")
        if source not in _SOURCES:
            p.append(f"{w}source: must be one of {', '.join(_SOURCES)}, got {source!r}")
        sev = inj.get("severity", 2)
        if not isinstance(sev, int) or isinstance(sev, bool) or not 1 <= sev <= 4:
            p.append(f"{w}severity: must be an integer 1–4, got {sev!r}")
            sev = 2
        lon = need(inj, "lon", w, "num", required=False)
        lat = need(inj, "lat", w, "num", required=False)
        lon = plon if lon is None else lon
        lat = plat if lat is None else lat
        if "lon" in inj or "lat" in inj:
            points.append((f"inject[{n}]", lon, lat))
        scored = inj.get("scored", kind == "event" and t_id is not None)
        if not isinstance(scored, bool):
            p.append(f"{w}scored: must be true or false, got {scored!r}")
            scored = False
        if scored and t_id is None:
            p.append(f"{w}scored: a scored inject needs a type_id")
        weight = need(inj, "weight", w, "num", lambda v: None if v > 0 else "must be > 0",
                      required=False)
        inj_depts = need(inj, "departments", w, "list", required=False)
        inj_net = need(inj, "network", w, "str", net_ok, required=False)
        vital: dict[str, Any] = {}
        if kind == "vital":
            for k in ("name", "domain", "unit"):
                v = need(inj, k, w, "str")
                if v is not None:
                    vital[k] = v
            for k in ("value", "threshold"):
                v = need(inj, k, w, "num")
                if v is not None:
                    vital[k] = float(v)
            if need(inj, "baseline", w, "num", required=False) is not None:
                vital["baseline"] = float(inj["baseline"])
        elif "baseline" in inj:
            p.append(f"{w}baseline: only a vital inject has one")
        injects.append(Inject(
            n=n, at_min=float(at or 0), kind=kind,
            event_id=drill_event_id(sid or path.stem, n), type_id=t_id, source=source,
            severity=sev, title=str(inj.get("title") or (vital.get("name", "") + " 超限")),
            lon=float(lon) if lon is not None else 0.0,
            lat=float(lat) if lat is not None else 0.0,
            district_code=district or "", street_code=inj.get("street_code",
                                                              place.get("street_code")),
            scored=bool(scored), weight=float(weight or 1.0),
            departments=tuple(inj_depts or depts or ()), vital=vital,
            network=inj_net or exp_net))
    if etype and injects and not any(i.type_id == etype for i in injects if i.scored):
        p.append(f"expected.type_id: no scored inject has type {etype!r}")
    if check_place and district and points and not p:
        from cockpit.datasets import geography

        poly = geography.district_polygons().get(district)
        if poly is None:
            p.append(f"place.district_code: {district} is not a district of the reference")
        else:
            import shapely

            for where, lon, lat in points:
                if not poly.contains(shapely.Point(lon, lat)):
                    p.append(f"{where}.lon/lat: ({lon}, {lat}) is not inside district "
                             f"{district}")
    if p:
        raise ScenarioError(path, p)
    return Scenario(
        id=sid, title=title, path=path, description=str(raw.get("description", "")),
        start=start, start_offset_min=float(offset) if offset is not None else None,
        duration_min=float(duration), place=dict(place), expected=dict(expected),
        targets=targets, injects=tuple(sorted(injects, key=lambda i: (i.at_min, i.n))))


def load_scenarios(folder: Path | str = DRILL_DIR, check_place: bool = True
                   ) -> list[Scenario]:
    """Every ``*.toml`` scenario of a folder, by file name; ids must be unique."""
    out = [load_scenario(f, check_place) for f in sorted(Path(folder).glob("*.toml"))]
    seen: dict[str, Path] = {}
    for s in out:
        if s.id in seen:
            raise ScenarioError(s.path, [f"id: {s.id!r} is also the id of {seen[s.id].name}"])
        seen[s.id] = s.path
    return out


def shipped_scenarios() -> list[Scenario]:
    """The scenarios shipped in ``datasets/drills/``."""
    return load_scenarios(DRILL_DIR)


#: The folder of a dataset directory that holds the dataset's own scenarios.
DATASET_DRILLS = "drills"


def dataset_scenarios(data_dir: Path | str) -> tuple[list[Scenario], list[str]]:
    """The scenarios a dataset carries in ``<data_dir>/drills/*.toml``, and the problems of
    the files that cannot be used (one line each, naming the file): a bad file is skipped,
    never fatal."""
    folder = Path(data_dir) / DATASET_DRILLS
    out: list[Scenario] = []
    problems: list[str] = []
    try:
        files = sorted(folder.glob("*.toml")) if folder.is_dir() else []
    except OSError as e:
        return [], [f"{folder}: cannot be read: {e.strerror or e}"]
    seen: dict[str, Path] = {}
    for f in files:
        try:
            sc = load_scenario(f)
        except ScenarioError as e:
            problems.append(str(e))
            continue
        if sc.id in seen:
            problems.append(f"{f}: id {sc.id!r} is also the id of {seen[sc.id].name}; skipped")
            continue
        seen[sc.id] = f
        out.append(sc)
    return out, problems


def scenario_needs(sc: Scenario) -> dict[str, set[str]]:
    """What a scenario needs from the dataset it runs on: its admin units (the place's
    district and street), the event types of its injects and the departments it expects."""
    units = {sc.place.get("district_code", "")} | {
        i.street_code for i in sc.injects if i.street_code}
    if sc.place.get("street_code"):
        units.add(str(sc.place["street_code"]))
    types = {i.type_id for i in sc.injects if i.type_id}
    if sc.expected.get("type_id"):
        types.add(str(sc.expected["type_id"]))
    depts = set(sc.expected.get("departments") or ())
    for i in sc.injects:
        depts |= set(i.departments)
    return {"units": {u for u in units if u}, "types": types, "departments": depts}


def scenario_misfit(con, sc: Scenario) -> list[str]:
    """What the dataset on ``con`` lacks for the scenario, in words (empty: it fits)."""
    needs = scenario_needs(sc)
    missing: list[str] = []
    for what, table, col, label in (("units", "admin_unit", "code", "unit"),
                                    ("types", "event_type", "type_id", "event type"),
                                    ("departments", "department", "dept_id", "department")):
        want = sorted(needs[what])
        if not want:
            continue
        have = {r[0] for r in con.execute(
            f"SELECT {col} FROM {table} WHERE {col} IN (SELECT unnest(?::VARCHAR[]))",
            [want]).fetchall()}
        missing += [f"{label} {x}" for x in want if x not in have]
    return missing


def available_scenarios(con, data_dir: Path | str | None
                        ) -> tuple[list[Scenario], list[tuple[Scenario, list[str]]], list[str]]:
    """The scenarios for the dataset on ``con``: the dataset's own (``data_dir/drills``) and
    the shipped ones (a dataset's scenario replaces a shipped one with the same id).

    Returns (the ones that fit, the ones that do not with what is missing, the problems of
    unusable scenario files)."""
    own, problems = dataset_scenarios(data_dir) if data_dir is not None else ([], [])
    ids = {sc.id for sc in own}
    fit: list[Scenario] = []
    unfit: list[tuple[Scenario, list[str]]] = []
    for sc in own + [sc for sc in shipped_scenarios() if sc.id not in ids]:
        sc = replace(sc, stages=plan_stages(con, sc.expected.get("plan_id")))
        missing = scenario_misfit(con, sc)
        if missing:
            unfit.append((sc, missing))
        else:
            fit.append(sc)
    return fit, unfit, problems


# --------------------------------------------------------------------------- sessions


def _refuse_live(path: Path, live: Path | str | None) -> None:
    if live is None:
        return
    live_p = Path(live).expanduser().resolve()
    p = path.expanduser().resolve()
    if p == live_p or live_p in p.parents or str(p).startswith(str(live_p)):
        raise LiveStoreRefused(
            f"the drill store {p} would be the live dispatch store {live_p} or lie inside or "
            "beside it under its name: a drill never writes a live record")
    if p.exists() and live_p.exists():
        try:
            same = os.path.samefile(p, live_p)
        except OSError:
            same = False
        if same:
            raise LiveStoreRefused(f"the drill store {p} is the live dispatch store {live_p}")


class DrillSession:
    """One run of a scenario: its injects on the simulated clock, its own dispatch store, its
    score.

    ``clock``: a callable giving the simulated time (naive local), e.g. ``ReplayClock.now``.
    ``drill_dir``: where session stores go (one ``<session_id>.duckdb`` each).
    ``live_store_path``: the live store's path, which the drill store may never be (raises
    :class:`LiveStoreRefused`). ``base``: the base of ``start_offset_min``. ``utc_offset``: local
    minus UTC (default: this machine's now, the dispatch controller's convention). The session
    is also an event source (``name``, ``poll(now)``) for the dispatch controller.
    """

    name = "drill"

    def __init__(self, scenario: Scenario, drill_dir: Path | str,
                 live_store_path: Path | str | None, clock: Callable[[], datetime], *,
                 session_id: str | None = None, base: datetime | None = None,
                 utc_offset: timedelta | None = None, routing=None,
                 key: bytes | str | None = None) -> None:
        from cockpit.datasets.dispatch import open_store

        self.scenario = scenario
        self.start, self.end = scenario.window(base)
        self.clock = clock
        self.utc_offset = utc_offset if utc_offset is not None else local_utc_offset()
        sid = session_id or (f"{scenario.id}-{datetime.now():%Y%m%dT%H%M%S}-"
                             f"{uuid.uuid4().hex[:6]}")
        if not _ID_RE.match(sid.lower()) or "/" in sid or "\\" in sid:
            raise ValueError(f"session id {sid!r}: only letters, digits and '-'")
        self.session_id = sid
        self.path = Path(drill_dir) / f"{sid}.duckdb"
        _refuse_live(self.path, live_store_path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.store = open_store(self.path, routing=routing, key=key, source="drill",
                                clock=self.now_utc)
        self._delivered: set[int] = set()

    # ---- time ------------------------------------------------------------------------------
    def now(self) -> datetime:
        return self.clock()

    def now_utc(self) -> datetime:
        """The simulated time as naive UTC (the store's convention)."""
        return self.clock() - self.utc_offset

    def inject_time(self, inj: Inject) -> datetime:
        return self.start + timedelta(minutes=inj.at_min)

    # ---- injects ---------------------------------------------------------------------------
    def event_dict(self, inj: Inject) -> dict[str, Any]:
        """An inject as a dict shaped like an ``event`` row (plus drill fields)."""
        return {
            "event_id": inj.event_id, "type_id": inj.type_id, "source": inj.source,
            "occurred_at": self.inject_time(inj), "lon": inj.lon, "lat": inj.lat,
            "district_code": inj.district_code, "street_code": inj.street_code,
            "severity": inj.severity, "title": inj.title, "point_id": None,
            "kind": inj.kind, "drill": True, "inject": inj.n, "at_min": inj.at_min,
            "scored": inj.scored, "network": inj.network,
            **({"vital": dict(inj.vital)} if inj.vital else {}),
        }

    def injects_due(self, t: datetime | None = None) -> list[dict[str, Any]]:
        """Every inject whose time is at or before ``t`` (default: the clock), oldest first."""
        t = self.now() if t is None else t
        return [self.event_dict(i) for i in self.scenario.injects if self.inject_time(i) <= t]

    def markers(self) -> list[tuple[datetime, str]]:
        """(time, label) of every inject, for the replay bar's timeline."""
        return [(self.inject_time(i), f"{i.n}. {i.title}") for i in self.scenario.injects]

    def poll(self, now: datetime) -> FeedBatch:
        """The dispatchable injects (with a type) that came due since the last poll."""
        new = []
        for d in self.injects_due(now):
            if d["type_id"] and d["event_id"] not in self._delivered:
                self._delivered.add(d["event_id"])
                new.append(FeedEvent(
                    event_id=str(d["event_id"]), type_id=d["type_id"], source=d["source"],
                    occurred_at=d["occurred_at"], lon=d["lon"], lat=d["lat"],
                    severity=d["severity"], title=f"【演练】{d['title']}",
                    district_code=d["district_code"], street_code=d["street_code"],
                    feed=self.name, received_at=now, network=d.get("network")))
        return FeedBatch(new, [])

    def reset_feed(self) -> None:
        """Forget what was delivered (after a seek back)."""
        self._delivered.clear()

    # ---- scoring ---------------------------------------------------------------------------
    def score(self, as_of: datetime | None = None) -> dict[str, Any]:
        return score_session(self, as_of)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> DrillSession:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _minutes(a: datetime, b: datetime) -> float:
    return (a - b).total_seconds() / 60.0


def _clean(v: Any) -> datetime | None:
    if v is None:
        return None
    try:
        import pandas as pd

        if pd.isna(v):
            return None
        return pd.Timestamp(v).to_pydatetime()
    except (TypeError, ValueError):
        return v


def _score_inject(inj: Inject, at_utc: datetime, orders: list[dict[str, Any]],
                  scenario: Scenario, now_utc: datetime) -> dict[str, Any]:
    mine = [o for o in orders if str(o["event_id"]) == str(inj.event_id)]
    created = [o["created_at"] for o in mine]
    ttd = _minutes(min(created), at_utc) if created else None
    T = scenario.dispatch_target
    if ttd is None:
        d_pts = 0.0
    elif ttd <= T:
        d_pts = WEIGHTS["dispatch"]
    else:
        d_pts = WEIGHTS["dispatch"] * max(0.0, 1.0 - (ttd - T) / (2 * T))
    expected = list(dict.fromkeys(inj.departments))
    ordered = list(dict.fromkeys(o["dept_id"] for o in mine))
    right = [d for d in expected if d in ordered]
    wrong = [d for d in ordered if d not in expected]
    missed = [d for d in expected if d not in ordered]
    p_pts = WEIGHTS["departments"] * max(0.0, len(right) - 0.5 * len(wrong)) / len(expected)
    stages = []
    targets = scenario.effective_targets()
    for stage, target in targets.items():
        action = STAGE_ACTION[stage]
        done_each = []
        for d in right:
            times = [o[f"{action}_at"] for o in mine if o["dept_id"] == d
                     and o[f"{action}_at"] is not None]
            done_each.append(min(times) if times else None)
        deadline = at_utc + timedelta(minutes=target)
        if not right:
            status, done_min = "missed", None
        elif all(x is not None for x in done_each):
            done_min = _minutes(max(done_each), at_utc)
            status = "met" if done_min <= target + 1e-9 else "missed"
        else:
            late = [x for x in done_each if x is not None and x > deadline]
            done_min = None
            status = "missed" if late or now_utc > deadline else "pending"
        stages.append({"stage": stage, "action": action, "target_min": target,
                       "scenario_target_min": scenario.targets.get(stage),
                       "done_min": None if done_min is None else round(done_min, 2),
                       "status": status})
    met = sum(s["status"] == "met" for s in stages)
    s_pts = WEIGHTS["stages"] * met / len(stages) if stages else WEIGHTS["stages"]
    return {
        "inject": inj.n, "event_id": inj.event_id, "title": inj.title, "type_id": inj.type_id,
        "weight": inj.weight,
        "time_to_dispatch_min": None if ttd is None else round(ttd, 2),
        "dispatch_target_min": T,
        "departments_expected": expected, "departments_right": right,
        "departments_wrong": wrong, "departments_missed": missed, "stages": stages,
        "points": {"dispatch": round(d_pts, 2), "departments": round(p_pts, 2),
                   "stages": round(s_pts, 2)},
        "score": round(d_pts + p_pts + s_pts, 1),
    }


def _orders(session: DrillSession, as_of_utc: datetime) -> list[dict[str, Any]]:
    df = session.store.orders(as_of=as_of_utc)
    rows = df.to_dict("records")
    for r in rows:
        for k in ("created_at", "acknowledge_at", "confirm_at", "handle_at", "verify_at",
                  "close_at", "evaluate_at", "cancel_at"):
            r[k] = _clean(r.get(k))
    return rows


def score_session(session: DrillSession, as_of: datetime | None = None) -> dict[str, Any]:
    """The session's score as of ``as_of`` (simulated local time; default: the clock).

    Returns ``{"score": 0–100 or None, "injects": [per scored inject], "totals": {...}}``.
    """
    t = session.now() if as_of is None else as_of
    t_utc = t - session.utc_offset
    orders = _orders(session, t_utc)
    rows = []
    for inj in session.scenario.injects:
        if not inj.scored or session.inject_time(inj) > t:
            continue
        rows.append(_score_inject(inj, session.inject_time(inj) - session.utc_offset,
                                  orders, session.scenario, t_utc))
    wsum = sum(r["weight"] for r in rows)
    total = round(sum(r["score"] * r["weight"] for r in rows) / wsum, 1) if wsum else None
    stages = [s for r in rows for s in r["stages"]]
    return {
        "score": total,
        "injects": rows,
        "totals": {
            "score": total, "scored_injects": len(rows),
            "dispatched": sum(r["time_to_dispatch_min"] is not None for r in rows),
            "departments_right": sum(len(r["departments_right"]) for r in rows),
            "departments_wrong": sum(len(r["departments_wrong"]) for r in rows),
            "departments_missed": sum(len(r["departments_missed"]) for r in rows),
            "stages_met": sum(s["status"] == "met" for s in stages),
            "stages_missed": sum(s["status"] == "missed" for s in stages),
            "stages_pending": sum(s["status"] == "pending" for s in stages),
        },
    }


#: How a drill is scored, in words (the widgets show it translated).
SCORING_FORMULA = QT_TRANSLATE_NOOP(
    "vocabulary", "每条注入 100 分：派遣 20（时限内满分，至 3 倍时限线性降至 0）+ 部门 30 × "
    "max(0, 正确 − 0.5 × 错派) / 应派 + 各阶段时限 50 均分；总分为加权平均。")

_ACTION_LABEL = {"create": "派遣", "acknowledge": "签收", "confirm": "核实", "handle": "处置",
                 "verify": "核查", "close": "结案", "evaluate": "评价", "cancel": "撤销",
                 "rework": "重办"}


def after_action_report(session: DrillSession, as_of: datetime | None = None
                        ) -> dict[str, Any]:
    """The after-action report (复盘) as plain data.

    ``{"scenario": {...}, "session": {...}, "timeline": [rows by time], "injects": [rows],
    "totals": {...}, "score": total, "formula": text, "network": [{inject, event_id, note}]}``;
    ``network``: the pipe-network analysis each dispatched pipe event's orders carry (valves
    to close, who lost supply; :func:`cockpit.datasets.network.impact.order_note`). Timeline
    rows: ``at`` (simulated local time), ``offset_min`` (after the drill's start), ``kind``
    (inject / the order action), ``inject``, ``event_id``, ``dept_id``, ``text``, ``late``
    (an action after its stage target).
    """
    t = session.now() if as_of is None else as_of
    sc = score_session(session, t)
    sc_by_event = {str(r["event_id"]): r for r in sc["injects"]}
    inj_by_event = {str(i.event_id): i for i in session.scenario.injects}
    targets = session.scenario.effective_targets()
    timeline: list[dict[str, Any]] = []
    for inj in session.scenario.injects:
        at = session.inject_time(inj)
        if at > t:
            continue
        timeline.append({"at": at, "offset_min": round(inj.at_min, 2), "kind": "inject",
                         "inject": inj.n, "event_id": inj.event_id, "dept_id": "",
                         "text": f"注入 · inject {inj.n}: {inj.title}", "title": inj.title,
                         "late": False})
    log = session.store.log()
    t_utc = t - session.utc_offset
    network: dict[str, dict[str, Any]] = {}  # a pipe event's network analysis, once per event
    for r in log.to_dict("records"):
        at_utc = _clean(r["at_utc"])
        if at_utc is None or at_utc > t_utc:
            continue
        inj = inj_by_event.get(str(r["event_id"]))
        if r["action"] == "create" and r.get("note") and str(r["event_id"]) not in network:
            network[str(r["event_id"])] = {"inject": inj.n if inj else None,
                                           "event_id": str(r["event_id"]), "note": r["note"]}
        late = False
        if inj is not None:
            inj_at = session.inject_time(inj) - session.utc_offset
            after = _minutes(at_utc, inj_at)
            if r["action"] == "create":
                late = after > session.scenario.dispatch_target
            else:
                stage = next((s for s, a in STAGE_ACTION.items() if a == r["action"]), None)
                late = stage in targets and after > targets[stage]
        at = at_utc + session.utc_offset
        timeline.append({
            "at": at, "offset_min": round(_minutes(at, session.start), 2),
            "kind": r["action"], "inject": inj.n if inj else None,
            "event_id": r["event_id"], "dept_id": r["dept_id"],
            "text": f"{_ACTION_LABEL.get(r['action'], r['action'])} · {r['dept_id']}"
                    + (f" · {r['operator']}" if r["operator"] else ""),
            "late": late})
    timeline.sort(key=lambda x: (x["at"], x["kind"] != "inject"))
    s = session.scenario
    return {
        "scenario": {"id": s.id, "title": s.title, "place": s.place.get("name", ""),
                     "district_code": s.place.get("district_code"),
                     "plan_id": s.expected.get("plan_id"), "targets": dict(s.targets),
                     "start": session.start, "end": session.end},
        "session": {"id": session.session_id, "store": str(session.path), "as_of": t},
        "timeline": timeline,
        "injects": [dict(r, scored=True) for r in sc_by_event.values()],
        "totals": sc["totals"],
        "score": sc["score"],
        "formula": SCORING_FORMULA,
        "network": list(network.values()),
    }


# --------------------------------------------------------------------------- replay density


def event_density(con, start: datetime, end: datetime, bins: int = 240,
                  district_code: str | None = None) -> tuple[list[datetime], list[int]]:
    """Events per bin over ``[start, end)`` from the catalog (``catalog.cursor()``), for the
    replay bar's timeline: (bin starts, counts), plain lists."""
    bins = max(1, int(bins))
    span = (end - start).total_seconds()
    if span <= 0:
        return [start], [0]
    width = span / bins
    params: list[Any] = [start, width, start, end]
    where = ""
    if district_code:
        where = " AND district_code = ?"
        params.append(district_code)
    rows = con.execute(
        f"""SELECT CAST(floor(epoch(occurred_at - CAST(? AS TIMESTAMP)) / ?) AS BIGINT) AS b,
                   count(*) FROM event
            WHERE occurred_at >= ? AND occurred_at < ?{where} GROUP BY b""", params).fetchall()
    counts = [0] * bins
    for b, n in rows:
        if 0 <= b < bins:
            counts[int(b)] = int(n)
    return [start + timedelta(seconds=i * width) for i in range(bins)], counts

