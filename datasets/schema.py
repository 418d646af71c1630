"""The dataset format: every table, every column, its type and its checks.

This module is the contract between whoever writes a dataset (the demo generator, a
city's own export) and everything that reads one (validation, the catalog, the layers,
the benchmarks). The README's "Dataset format" section is generated from it
(``python -m cockpit.datasets.schema``), so the two cannot drift apart.

A column is declared once, with its DuckDB type, whether a value is required, and the
checks that DuckDB's readers do not make on their own (finiteness, ranges, enumerations,
references to other tables).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cockpit.datasets.i18n import QT_TRANSLATE_NOOP

SCHEMA_VERSION = 1

#: Admin levels, top to bottom.
ADMIN_LEVELS = ("city", "district", "street", "community", "grid")
#: Event sources (Chinese labels live in the UI translations).
EVENT_SOURCES = ("sensor", "ai_camera", "grid_worker", "hotline", "drone", "patrol")
#: Facility kinds.
FACILITY_KINDS = ("warehouse", "fire_station", "hospital", "shelter")
#: Kinds of pipe network (a pipe's and a node's ``network``).
NETWORK_KINDS = ("water", "gas", "drainage")
#: Kinds of network node. ``source`` (water plant, gas gate station) and ``tank`` (a water
#: reservoir or tower) feed the network; ``valve`` closes; the others pass flow on. Drainage
#: (gravity: a pipe flows from ``from_node`` to ``to_node``) ends at an ``outfall`` (排放口, on a
#: river) or a ``treatment_plant`` (污水处理厂); ``manhole`` (检查井) and ``inlet`` (雨水口)
#: collect and pass flow on, a ``pump_station`` (排水泵站) lifts it on.
NODE_KINDS = ("junction", "valve", "hydrant", "source", "tank", "regulator",
              "manhole", "inlet", "outfall", "treatment_plant", "pump_station")
#: Drainage node kinds where the flow leaves the network (a drainage pipe must reach one).
DRAIN_SINKS = ("outfall", "treatment_plant")
#: Classes of road (a road segment's ``road_class``): the four classes of urban road of the
#: national design code — 快速路 ``expressway``, 主干路 ``arterial``, 次干路 ``secondary``, 支路
#: ``branch`` (CJJ 37-2012《城市道路工程设计规范》§3.1) — and the 背街小巷 ``lane``, the alleys
#: below a branch road that city management names on its own (no class of the code).
ROAD_CLASSES = ("expressway", "arterial", "secondary", "branch", "lane")
#: Pipe materials.
PIPE_MATERIALS = ("ductile_iron", "grey_cast_iron", "steel", "pe", "pvc", "concrete")
#: Risk levels: 1 重大 (major) … 4 低 (low).
RISK_LEVELS = {1: QT_TRANSLATE_NOOP("risk_level", "重大"),
               2: QT_TRANSLATE_NOOP("risk_level", "较大"),
               3: QT_TRANSLATE_NOOP("risk_level", "一般"), 4: QT_TRANSLATE_NOOP("risk_level", "低")}
#: Plan step stages (a step's ``stage``): react 签收/反应, verify (the step's early on-site
#: check; in a flow with 核实 it is the confirmation), handle 处置, close 结案, and confirm
#: 核实 (confirm the event is real). Which stages an order runs is the plan's ``stages``
#: (:mod:`cockpit.datasets.stages`).
STAGES = ("react", "verify", "handle", "close")
STEP_STAGES = (*STAGES, "confirm")
#: Vital-sign domains used by the demo data (a dataset may add its own).
VITAL_DOMAINS = (QT_TRANSLATE_NOOP("vocabulary", "水"), QT_TRANSLATE_NOOP("vocabulary", "电"),
                 QT_TRANSLATE_NOOP("vocabulary", "气"), QT_TRANSLATE_NOOP("vocabulary", "讯"),
                 QT_TRANSLATE_NOOP("vocabulary", "桥"), QT_TRANSLATE_NOOP("vocabulary", "隧"),
                 QT_TRANSLATE_NOOP("vocabulary", "交通"), QT_TRANSLATE_NOOP("vocabulary", "环境"))
#: The eight boards (八大板块).
BOARDS = (QT_TRANSLATE_NOOP("vocabulary", "党建统领"), QT_TRANSLATE_NOOP("vocabulary", "经济发展"),
          QT_TRANSLATE_NOOP("vocabulary", "设施运行"), QT_TRANSLATE_NOOP("vocabulary", "社会治理"),
          QT_TRANSLATE_NOOP("vocabulary", "应急动员"), QT_TRANSLATE_NOOP("vocabulary", "文明创建"),
          QT_TRANSLATE_NOOP("vocabulary", "生态景观"),
          QT_TRANSLATE_NOOP("vocabulary", "生产生活服务"))


@dataclass(frozen=True)
class Column:
    """One column of a table."""

    name: str
    type: str  # a DuckDB type: VARCHAR, BIGINT, INTEGER, DOUBLE, TIMESTAMP, DATE, BOOLEAN
    doc: str
    required: bool = True  # the column must exist in the file
    nullable: bool = False  # a row may leave it empty
    min: float | None = None  # inclusive range checks on numeric columns
    max: float | None = None
    choices: tuple | None = None  # allowed values
    ref: str | None = None  # "table.column" this column refers to
    finite: bool = False  # DOUBLE: no NaN or ±inf
    pattern: str | None = None  # regular expression a VARCHAR must match
    coord: str | None = None  # "lon" or "lat": must lie inside the city's extent


@dataclass(frozen=True)
class Table:
    """One table of a dataset: a file ``<name>.parquet`` or ``<name>.csv``."""

    name: str
    doc: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()  # unique key (duplicates are reported)
    checks: tuple[str, ...] = field(default=())  # names of table-level checks
    optional: bool = False  # a dataset may leave the file out (the table is then empty)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


def _lonlat(prefix: str = "", nullable: bool = False) -> tuple[Column, Column]:
    return (
        Column(f"{prefix}lon", "DOUBLE", "longitude, WGS-84/GCJ-02 degrees as the boundaries",
               nullable=nullable, finite=True, coord="lon"),
        Column(f"{prefix}lat", "DOUBLE", "latitude, degrees", nullable=nullable, finite=True,
               coord="lat"),
    )


TABLES: tuple[Table, ...] = (
    Table(
        "admin_unit",
        "Administrative units: the city, its districts (and functional zones), streets "
        "(镇街), communities (村社) and grids (网格).",
        (
            Column("code", "VARCHAR", "national division code (grids: community code + 3 digits)"),
            Column("name", "VARCHAR", "name"),
            Column("level", "VARCHAR", "city / district / street / community / grid",
                   choices=ADMIN_LEVELS),
            Column("parent_code", "VARCHAR", "code of the unit above; empty for the top unit",
                   nullable=True, ref="admin_unit.code"),
            *_lonlat(),
            Column("functional_zone", "BOOLEAN",
                   "true for functional zones (两江新区 …) drawn as overlays", required=False,
                   nullable=True),
            Column("ranked", "BOOLEAN",
                   "true for the units this dataset ranks (the districts at the city centre, "
                   "the streets at a district centre); default: the level below the top",
                   required=False, nullable=True),
        ),
        key=("code",),
        checks=("single_top_unit",),
    ),
    Table(
        "department",
        "Departments that receive dispatch orders.",
        (
            Column("dept_id", "VARCHAR", "department id"),
            Column("name", "VARCHAR", "name"),
            Column("level", "VARCHAR", "city / district / street",
                   choices=("city", "district", "street")),
            Column("kind", "VARCHAR", "kind of department (城管, 公安, 消防 …)", required=False,
                   nullable=True),
            Column("unit_code", "VARCHAR", "admin unit the department belongs to",
                   required=False, nullable=True, ref="admin_unit.code"),
        ),
        key=("dept_id",),
    ),
    Table(
        "risk_category",
        "Categories of risk points (燃气管网, 供水管网, 桥梁 …).",
        (
            Column("category_id", "VARCHAR", "category id"),
            Column("name", "VARCHAR", "name"),
            Column("domain", "VARCHAR", "domain the category belongs to", required=False,
                   nullable=True),
        ),
        key=("category_id",),
    ),
    Table(
        "risk_point",
        "Risk points of the resilience map (韧性安全城市治理一张图).",
        (
            Column("point_id", "BIGINT", "risk point id"),
            Column("category_id", "VARCHAR", "category", ref="risk_category.category_id"),
            Column("name", "VARCHAR", "name"),
            *_lonlat(),
            Column("district_code", "VARCHAR", "district", ref="admin_unit.code"),
            Column("street_code", "VARCHAR", "street", nullable=True, ref="admin_unit.code"),
            Column("level", "INTEGER", "1 重大 · 2 较大 · 3 一般 · 4 低", min=1, max=4),
            Column("grid_code", "VARCHAR", "grid", required=False, nullable=True,
                   ref="admin_unit.code"),
            Column("owner_dept", "VARCHAR", "responsible department", required=False,
                   nullable=True, ref="department.dept_id"),
            Column("last_inspected", "DATE", "date of the last inspection", required=False,
                   nullable=True),
        ),
        key=("point_id",),
    ),
    Table(
        "sensor",
        "Sensing devices, optionally tied to a risk point.",
        (
            Column("sensor_id", "BIGINT", "sensor id"),
            Column("kind", "VARCHAR", "kind of device (液位计, 压力计, 可燃气体 …)"),
            Column("point_id", "BIGINT", "risk point it watches", nullable=True,
                   ref="risk_point.point_id"),
            *_lonlat(),
            Column("district_code", "VARCHAR", "district", ref="admin_unit.code"),
        ),
        key=("sensor_id",),
    ),
    Table(
        "vital_sign",
        "City vital-sign indicators (城市体征) with warning and alarm thresholds. A value "
        "below *_low or above *_high is out of band; empty thresholds do not apply.",
        (
            Column("indicator_id", "VARCHAR", "indicator id"),
            Column("name", "VARCHAR", "name"),
            Column("domain", "VARCHAR", "domain: 水 电 气 讯 桥 隧 交通 环境 …"),
            Column("unit", "VARCHAR", "unit of measure", nullable=True),
            Column("unit_code", "VARCHAR", "admin unit it describes (district or the city)",
                   ref="admin_unit.code"),
            Column("warn_low", "DOUBLE", "warning below this", nullable=True, finite=True),
            Column("warn_high", "DOUBLE", "warning above this", nullable=True, finite=True),
            Column("alarm_low", "DOUBLE", "alarm below this", nullable=True, finite=True),
            Column("alarm_high", "DOUBLE", "alarm above this", nullable=True, finite=True),
            Column("point_id", "BIGINT", "risk point it is measured at", required=False,
                   nullable=True, ref="risk_point.point_id"),
            Column("event_type_id", "VARCHAR",
                   "the event type an alarm of this sign is dispatched as (its plan and "
                   "departments); empty or no column: the alarm is listed all the same and "
                   "the operator chooses its type when dispatching",
                   required=False, nullable=True, ref="event_type.type_id"),
        ),
        key=("indicator_id",),
        checks=("threshold_order",),
    ),
    Table(
        "vital_reading",
        "Time series of the vital signs.",
        (
            Column("indicator_id", "VARCHAR", "indicator", ref="vital_sign.indicator_id"),
            Column("ts", "TIMESTAMP", "time of the reading (UTC+8 local time, no zone)"),
            Column("value", "DOUBLE", "value", finite=True),
        ),
        key=("indicator_id", "ts"),
    ),
    Table(
        "kpi",
        "Key performance indicators on the eight boards (版块), runways (跑道) and "
        "sub-runways.",
        (
            Column("kpi_id", "VARCHAR", "KPI id"),
            Column("name", "VARCHAR", "name"),
            Column("board", "VARCHAR", "board (版块)"),
            Column("runway", "VARCHAR", "runway (跑道)"),
            Column("sub_runway", "VARCHAR", "sub-runway", required=False, nullable=True),
            Column("unit", "VARCHAR", "unit of measure", nullable=True),
            Column("direction", "VARCHAR", "higher or lower is better",
                   choices=("higher", "lower")),
            Column("weight", "DOUBLE", "weight within its board", finite=True, min=0),
            Column("target", "DOUBLE", "target value", finite=True),
        ),
        key=("kpi_id",),
    ),
    Table(
        "kpi_value",
        "Value of each KPI per ranked unit and quarter; an empty value is missing data.",
        (
            Column("kpi_id", "VARCHAR", "KPI", ref="kpi.kpi_id"),
            Column("unit_code", "VARCHAR", "admin unit", ref="admin_unit.code"),
            Column("period", "VARCHAR", "quarter, like 2026Q3", pattern=r"^[0-9]{4}Q[1-4]$"),
            Column("value", "DOUBLE", "value", nullable=True, finite=True),
        ),
        key=("kpi_id", "unit_code", "period"),
    ),
    Table(
        "plan",
        "Response plans (预案).",
        (
            Column("plan_id", "VARCHAR", "plan id"),
            Column("name", "VARCHAR", "name"),
            Column("stages", "VARCHAR",
                   "the stages its orders run, in order, comma-separated: react (签收/反应), "
                   "confirm (核实: the event is real), handle (处置), verify (核查: the result "
                   "is checked), close (结案), evaluate (评价); in that relative order, with "
                   "handle and close. Empty: the management loop "
                   "react,handle,verify,close,evaluate; the emergency flow is "
                   "react,confirm,handle,close", required=False, nullable=True),
        ),
        key=("plan_id",),
        checks=("plan_stages",),
    ),
    Table(
        "plan_step",
        "Steps of each plan: which department does what, due how many minutes after "
        "dispatch.",
        (
            Column("plan_id", "VARCHAR", "plan", ref="plan.plan_id"),
            Column("step_no", "INTEGER", "step number, from 1", min=1),
            Column("dept_id", "VARCHAR", "department", ref="department.dept_id"),
            Column("action", "VARCHAR", "what the department does"),
            Column("due_min", "DOUBLE", "deadline in minutes after dispatch", finite=True,
                   min=0),
            Column("stage", "VARCHAR", "react / confirm / verify / handle / close (the "
                   "stage whose deadline the step sets)", required=False,
                   nullable=True, choices=STEP_STAGES),
        ),
        key=("plan_id", "step_no"),
    ),
    Table(
        "event_type",
        "Kinds of events with default department, response targets and plan.",
        (
            Column("type_id", "VARCHAR", "event type id"),
            Column("name", "VARCHAR", "name"),
            Column("category", "VARCHAR", "category"),
            Column("dept_id", "VARCHAR", "default department", ref="department.dept_id"),
            Column("react_min", "DOUBLE", "minutes to react (签收)", finite=True, min=0),
            Column("verify_min", "DOUBLE", "minutes to verify (核查)", finite=True, min=0),
            Column("handle_min", "DOUBLE", "minutes to finish handling (处置)", finite=True,
                   min=0),
            Column("plan_id", "VARCHAR", "plan", nullable=True, ref="plan.plan_id"),
            Column("default_severity", "INTEGER", "default severity 1–4", required=False,
                   nullable=True, min=1, max=4),
            Column("network", "VARCHAR", "pipe network whose analysis is the dispatch impact "
                   "of this type (water, gas: a burst or leak's valve isolation; drainage: a "
                   "blockage's upstream backing up); empty: the radius around the event",
                   required=False, nullable=True, choices=NETWORK_KINDS),
        ),
        key=("type_id",),
    ),
    Table(
        "event",
        "Events from sensors, AI cameras, grid workers, the hotline (民呼我为), drones and "
        "patrols.",
        (
            Column("event_id", "BIGINT", "event id"),
            Column("type_id", "VARCHAR", "event type", ref="event_type.type_id"),
            Column("source", "VARCHAR", "sensor / ai_camera / grid_worker / hotline / drone / "
                   "patrol", choices=EVENT_SOURCES),
            Column("occurred_at", "TIMESTAMP", "when it happened (local time)"),
            *_lonlat(),
            Column("district_code", "VARCHAR", "district", ref="admin_unit.code"),
            Column("street_code", "VARCHAR", "street", nullable=True, ref="admin_unit.code"),
            Column("severity", "INTEGER", "1 highest … 4 lowest", min=1, max=4),
            Column("title", "VARCHAR", "short description"),
            Column("point_id", "BIGINT", "risk point concerned", required=False, nullable=True,
                   ref="risk_point.point_id"),
            Column("closed_at", "TIMESTAMP", "when the event was finished outside this "
                   "cockpit's dispatch store (local time); empty = still open: it stays in "
                   "the duty queue until dispatched, merged or dismissed", required=False,
                   nullable=True),
            Column("description", "VARCHAR",
                   "the report's free text as the citizen, grid worker or patrol gave it "
                   "(empty for sensor and camera events); the router (智能分拨) learns the "
                   "event types from it", required=False, nullable=True),
        ),
        key=("event_id",),
    ),
    Table(
        "facility",
        "Emergency facilities: warehouses, fire stations, hospitals, shelters.",
        (
            Column("facility_id", "BIGINT", "facility id"),
            Column("kind", "VARCHAR", "warehouse / fire_station / hospital / shelter",
                   choices=FACILITY_KINDS),
            Column("name", "VARCHAR", "name"),
            *_lonlat(),
            Column("district_code", "VARCHAR", "district", ref="admin_unit.code"),
        ),
        key=("facility_id",),
    ),
    Table(
        "eval_scheme",
        "The five colours of the evaluation grid (五色图): a score at or above min_score "
        "gets the level's colour.",
        (
            Column("level", "INTEGER", "level, 1 best", min=1),
            Column("colour", "VARCHAR", "colour as #rrggbb", pattern=r"^#[0-9A-Fa-f]{6}$"),
            Column("label", "VARCHAR", "label (优秀, 良好 …)"),
            Column("min_score", "DOUBLE", "lowest score of the level, 0–100", finite=True,
                   min=0, max=100),
        ),
        key=("level",),
    ),
)

# The pipe networks (数字管线), optional: a dataset without them has empty tables, and the
# dispatch impact of a pipe event falls back to the radius around it.
NETWORK_TABLES: tuple[Table, ...] = (
    Table(
        "network_node",
        "Nodes of the pipe networks (optional table): junctions, valves, hydrants, sources "
        "(water plants, gas gate stations), tanks and gas pressure regulators; for drainage "
        "manholes, inlets, pumping stations and where it drains to: outfalls on a river and "
        "treatment plants. A valve is a node on a pipe line: closing it stops flow between "
        "the pipes that meet there.",
        (
            Column("node_id", "BIGINT", "node id"),
            Column("network", "VARCHAR", "water / gas / drainage", choices=NETWORK_KINDS),
            Column("kind", "VARCHAR", "junction / valve / hydrant / source / tank / regulator; "
                   "drainage: manhole / inlet / pump_station / outfall / treatment_plant",
                   choices=NODE_KINDS),
            *_lonlat(),
            Column("district_code", "VARCHAR", "district", required=False, nullable=True,
                   ref="admin_unit.code"),
            Column("name", "VARCHAR", "name (sources, tanks, regulators, outfalls, treatment "
                   "plants, pumping stations)", required=False,
                   nullable=True),
        ),
        key=("node_id",),
        optional=True,
    ),
    Table(
        "network_pipe",
        "Pipes between two nodes (optional table). Without ``geometry_wkt`` a pipe is drawn "
        "as the straight line between its nodes. A drainage pipe flows by gravity from "
        "``from_node`` to ``to_node`` (downstream). Checked: both nodes exist, the pipe has a "
        "length and two different ends, every valve lies on a pipe, every drainage pipe "
        "reaches an outfall or treatment plant downstream and drainage flow runs in no "
        "circle, and (a warning) every connected part of a water or gas network has a source "
        "or tank.",
        (
            Column("pipe_id", "BIGINT", "pipe id"),
            Column("network", "VARCHAR", "water / gas / drainage", choices=NETWORK_KINDS),
            Column("from_node", "BIGINT", "node at one end (drainage: upstream)",
                   ref="network_node.node_id"),
            Column("to_node", "BIGINT", "node at the other end (drainage: downstream)",
                   ref="network_node.node_id"),
            Column("diameter_mm", "DOUBLE", "nominal diameter (DN) in mm", finite=True, min=1,
                   max=5000),
            Column("material", "VARCHAR", "ductile_iron / grey_cast_iron / steel / pe / pvc / "
                   "concrete", choices=PIPE_MATERIALS),
            Column("length_m", "DOUBLE", "length in metres (must be more than 0)", finite=True,
                   min=0),
            Column("install_year", "INTEGER", "year laid", required=False, nullable=True,
                   min=1850, max=2100),
            Column("main", "BOOLEAN", "true for trunk mains (drawn at city zoom)",
                   required=False, nullable=True),
            Column("geometry_wkt", "VARCHAR", "LINESTRING in WKT (lon lat), else straight",
                   required=False, nullable=True),
        ),
        key=("pipe_id",),
        checks=("network_topology",),
        optional=True,
    ),
    Table(
        "network_supply",
        "Which community each service node supplies (optional table): households and "
        "population served through that node (drainage: whose sewage and rain enter there). "
        "A community served by several nodes has one row per node with its share.",
        (
            Column("node_id", "BIGINT", "service node", ref="network_node.node_id"),
            Column("community_code", "VARCHAR", "community", ref="admin_unit.code"),
            Column("households", "INTEGER", "households served through the node", min=0),
            Column("population", "INTEGER", "people served through the node", min=0),
        ),
        key=("node_id", "community_code"),
        optional=True,
    ),
)
TABLES = TABLES + NETWORK_TABLES

# The roads (道路), optional: a dataset without them has an empty table, and the router reads
# no road at a report's point.
ROAD_TABLES: tuple[Table, ...] = (
    Table(
        "road",
        "Road segments by class (optional table): a straight piece of a road's centre line "
        "from one point to the next; a road of many bends is many rows with its name. The "
        "router reads which classes of road pass a report's point (主干道 or a back lane: "
        "the words often do not say).",
        (
            Column("segment_id", "BIGINT", "segment id"),
            Column("road_class", "VARCHAR", "expressway 快速路 / arterial 主干路 / secondary "
                   "次干路 / branch 支路 (CJJ 37-2012) / lane 背街小巷", choices=ROAD_CLASSES),
            Column("name", "VARCHAR", "the road's name", required=False, nullable=True),
            Column("district_code", "VARCHAR", "district", required=False, nullable=True,
                   ref="admin_unit.code"),
            *_lonlat("from_"),
            *_lonlat("to_"),
        ),
        key=("segment_id",),
        optional=True,
    ),
)
TABLES = TABLES + ROAD_TABLES

TABLE_BY_NAME: dict[str, Table] = {t.name: t for t in TABLES}

#: The boundaries file beside the tables.
BOUNDARIES_FILE = "district_boundaries.geojson"
#: Optional manifest: {"title": str, "synthetic": bool, "seed": int, "scale": str, ...}
MANIFEST_FILE = "dataset.json"

#: Fallback extent of Chongqing (lon_min, lat_min, lon_max, lat_max) when no boundaries
#: can be read; the real extent is taken from the boundaries file.
CHONGQING_EXTENT = (105.28, 28.16, 110.20, 32.21)


def markdown() -> str:
    """The dataset format as Markdown, for the README."""
    out: list[str] = []
    for t in TABLES:
        out.append(f"#### `{t.name}`{' (optional)' if t.optional else ''}\n\n{t.doc}")
        if t.key:
            out.append(f"Unique key: `{', '.join(t.key)}`.")
        out.append("\n| column | type | required | meaning |\n|---|---|---|---|")
        for c in t.columns:
            req = "yes" if c.required and not c.nullable else ("may be empty" if c.required
                                                                  else "optional")
            extra = []
            if c.ref:
                extra.append(f"→ `{c.ref}`")
            if c.choices:
                extra.append("one of " + ", ".join(f"`{x}`" for x in c.choices))
            if c.min is not None or c.max is not None:
                extra.append(f"range [{c.min if c.min is not None else '−∞'}, "
                             f"{c.max if c.max is not None else '∞'}]")
            if c.coord:
                extra.append("inside the city's extent")
            doc = c.doc + ("; " + "; ".join(extra) if extra else "")
            out.append(f"| `{c.name}` | {c.type} | {req} | {doc} |")
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    print(markdown())
