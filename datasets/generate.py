"""The deterministic demo-dataset generator.

``generate(out, scale, seed, anchor, district, progress)`` writes a complete dataset
directory in the format of :mod:`cockpit.datasets.schema`: one Parquet file per table with
an explicit Arrow schema, the district boundaries as GeoJSON and a ``dataset.json``
manifest. The geography and the names of districts, streets and communities are real
(from ``datasets/reference``); everything else — positions below the district level, grids,
risk points, sensors, vital signs, KPIs, events, facilities — is invented, and the manifest
says so.

The output is a pure function of ``(seed, scale, anchor, district)``. The structural tables
(departments, risk categories, KPIs, plans, event types, the five colours) do not depend on
the seed at all. Everything is vectorised with numpy / pyarrow; no Qt.

Time layout, for an anchor day A (default: today):

- events: ``[A − 365 d, A + 1 d)`` (scale ``small``: ``[A − 90 d, A + 1 d)``);
- vital readings: ``[A − 6 d, A + 1 d)`` at 5-minute steps (``small``: ``[A − 1 d, A + 1 d)``
  at 15 minutes), so an app whose clock is "now" on day A sees data up to now and more
  arriving as the day goes on;
- KPI values: the 8 complete quarters before A's quarter.

Stable identifiers (other modules may rely on them):

- departments ``D-CITY-<KIND>``, ``D-<district>-<KIND>`` (kinds: :data:`DEPT_KINDS`, e.g.
  ``CGJ`` 城管, ``GAJ`` 公安, ``XF`` 消防, ``GS`` 供水), ``D-<street>-JD`` (街道办事处 / 乡镇政府);
  plan steps and event types name city-level departments, the dispatcher resolves the level;
- plans ``P-<BASE>`` and event types ``ET-<BASE>`` (the plain kind) / ``ET-<BASE>-NN`` (its
  variants), e.g. ``P-WATER-MAIN-BURST`` (14 steps), ``P-BIOGAS``, ``P-FOREST-FIRE``,
  ``P-TOUTING``;
- risk categories ``RC-…``; KPIs ``K<board>-<runway>-<n>``; vital signs ``VS-<unit>-<nnnn>``;
  risk points, sensors, events and facilities are numbered from 1;
- functional zones 500190 两江新区, 500191 西部科学城重庆高新区, 500192 万盛经开区 — synthetic
  codes, approximate overlays (see :mod:`cockpit.datasets.geography`).

A one-district dataset (``district="500103"``) has that district as its top unit, its
streets ranked, city-level departments without ``unit_code`` (the city is not in its
``admin_unit``), and street cells (Voronoi cells of the synthetic street positions clipped
to the district, ``synthetic: true``) in its boundaries file.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import shapely
from shapely.geometry import mapping

from . import geography as geo
from . import schema
from .triage.corpus import describe_events
from .vitals.demo_links import demo_event_types

__all__ = ["generate", "SCALES", "Scale", "arrow_schema", "quarters_before", "TITLE", "NOTICE"]

TITLE = "重庆市城市运行演示数据 (synthetic)"
NOTICE = ("演示数据：城市运行数据（风险点、传感器、体征、指标、事件等）均为虚构，"
          "行政区划名称、代码与区县边界为真实地理信息。 "
          "Demo data: the operations data (risk points, sensors, vital signs, KPIs, events …) "
          "is invented; the administrative names, codes and district boundaries are real "
          "geography.")

# --------------------------------------------------------------------------- scales


@dataclass(frozen=True)
class Scale:
    """Sizes of one scale. ``min_*`` are the floors of a one-district dataset."""

    name: str
    grids: int | None  # target number of grids; None = one per community
    risk_points: int
    sensors: int
    vital_signs: int
    reading_days: int
    reading_step_min: int
    events: int
    event_days: int
    facilities: int
    min_risk_points: int
    min_sensors: int
    min_vital_signs: int
    min_events: int
    min_facilities: int


SCALES: dict[str, Scale] = {
    "small": Scale("small", None, 5_000, 2_000, 200, 2, 15, 20_000, 90, 300,
                   800, 300, 60, 3_000, 40),
    "chongqing": Scale("chongqing", 65_000, 330_000, 200_000, 4_476, 7, 5, 500_000, 365, 3_000,
                       5_000, 3_000, 300, 20_000, 120),
    "stress": Scale("stress", 65_000, 1_200_000, 1_000_000, 4_476, 7, 5, 2_000_000, 365, 6_000,
                    20_000, 15_000, 300, 80_000, 240),
}

# --------------------------------------------------------------------------- arrow

_ARROW_TYPES = {
    "VARCHAR": pa.string(), "BIGINT": pa.int64(), "INTEGER": pa.int32(),
    "DOUBLE": pa.float64(), "TIMESTAMP": pa.timestamp("us"), "DATE": pa.date32(),
    "BOOLEAN": pa.bool_(),
}


def arrow_schema(table: str) -> pa.Schema:
    """The Arrow schema of a table, from the DuckDB types declared in :mod:`schema`."""
    t = schema.TABLE_BY_NAME[table]
    return pa.schema([pa.field(c.name, _ARROW_TYPES[c.type], nullable=c.nullable)
                      for c in t.columns])


def _arrow(values, typ: pa.DataType) -> pa.Array:
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if isinstance(values, pa.Array):
        return values if values.type == typ else values.cast(typ)
    if isinstance(values, np.ndarray):
        if pa.types.is_timestamp(typ) and values.dtype.kind in "iu":
            return pa.array(values.astype(np.int64)).cast(typ)
        if pa.types.is_date32(typ) and values.dtype.kind in "iu":
            return pa.array(values.astype(np.int32)).cast(typ)
        if values.dtype.kind == "f" and typ == pa.float64():
            nan = np.isnan(values)
            return pa.array(values, type=typ, mask=nan if nan.any() else None)
        if values.dtype == object:
            return pa.array(values.tolist(), type=typ)
    return pa.array(values, type=typ)


def _table(name: str, cols: dict) -> pa.Table:
    t = schema.TABLE_BY_NAME[name]
    sch = pa.schema([f for f in arrow_schema(name) if f.name in cols or t.column(f.name).required])
    arrays = [_arrow(cols[f.name], f.type) for f in sch]
    n = {len(a) for a in arrays}
    if len(n) != 1:
        raise AssertionError(f"{name}: columns of different lengths {n}")
    return pa.Table.from_arrays(arrays, schema=sch)


def _take(values, idx) -> pa.Array:
    """values[idx] as an Arrow string array (values: a list of str / None)."""
    arr = values if isinstance(values, pa.Array) else pa.array(list(values), pa.string())
    return arr.take(pa.array(np.asarray(idx, dtype=np.int64)))


def _cat(*parts) -> pa.Array:
    return pc.binary_join_element_wise(*parts, "")


def _num(values, width: int = 1) -> pa.Array:
    s = pc.cast(pa.array(np.asarray(values, dtype=np.int64)), pa.string())
    return pc.utf8_lpad(s, width=width, padding="0") if width > 1 else s


def _chinese_number(k: int) -> str:
    """1 → 一, 12 → 十二, 40 → 四十 (1–99), for the demo's road names."""
    d = "零一二三四五六七八九"
    tens, ones = divmod(int(k), 10)
    if tens == 0:
        return d[ones]
    return (d[tens] if tens > 1 else "") + "十" + (d[ones] if ones else "")


# --------------------------------------------------------------------------- structure

# Department kinds: code, kind (short), city-level name, district-level name ({d} = unit name)
DEPT_KINDS: tuple[tuple[str, str, str, str], ...] = (
    ("CGJ", "城管", "重庆市城市管理局", "{d}城市管理局"),
    ("GAJ", "公安", "重庆市公安局", "{d}公安分局"),
    ("JXJ", "交巡警", "重庆市公安局交通巡逻警察总队", "{d}交巡警支队"),
    ("XF", "消防", "重庆市消防救援总队", "{d}消防救援支队"),
    ("JXW", "经信", "重庆市经济和信息化委员会", "{d}经济和信息化委员会"),
    ("TXJ", "通信", "重庆市通信管理局", "{d}通信保障办公室"),
    ("SLJ", "水务", "重庆市水利局", "{d}水利局"),
    ("GS", "供水", "重庆水务集团", "{d}供水公司"),
    ("PS", "排水", "重庆市排水有限公司", "{d}排水管理所"),
    ("RQ", "燃气", "重庆燃气集团", "{d}燃气公司"),
    ("YJJ", "应急", "重庆市应急管理局", "{d}应急管理局"),
    ("JTJ", "交通", "重庆市交通运输委员会", "{d}交通运输局"),
    ("ZJW", "住建", "重庆市住房和城乡建设委员会", "{d}住房和城乡建设委员会"),
    ("STHJ", "生态环境", "重庆市生态环境局", "{d}生态环境局"),
    ("WJW", "卫生健康", "重庆市卫生健康委员会", "{d}卫生健康委员会"),
    ("GHZY", "规划自然资源", "重庆市规划和自然资源局", "{d}规划和自然资源局"),
    ("LYJ", "林业", "重庆市林业局", "{d}林业局"),
    ("QXJ", "气象", "重庆市气象局", "{d}气象局"),
    ("DL", "电力", "国网重庆市电力公司", "{d}供电公司"),
    ("SCJG", "市场监管", "重庆市市场监督管理局", "{d}市场监督管理局"),
    ("JW", "教育", "重庆市教育委员会", "{d}教育委员会"),
    ("MZJ", "民政", "重庆市民政局", "{d}民政局"),
    ("WLW", "文旅", "重庆市文化和旅游发展委员会", "{d}文化和旅游发展委员会"),
    ("SWW", "商务", "重庆市商务委员会", "{d}商务委员会"),
    ("NYW", "农业农村", "重庆市农业农村委员会", "{d}农业农村委员会"),
    ("GDJT", "轨道交通", "重庆市轨道交通（集团）有限公司", "{d}轨道交通运营管理中心"),
    ("RFB", "人防", "重庆市人民防空办公室", "{d}人民防空办公室"),
    ("DSJ", "大数据", "重庆市大数据应用发展管理局", "{d}大数据应用发展管理局"),
    ("XFB", "信访", "重庆市信访办公室", "{d}信访办公室"),
    ("HW", "环卫", "重庆市环卫集团", "{d}环境卫生管理所"),
)
DEPT_CODES = tuple(k[0] for k in DEPT_KINDS)
_DEPT_POS = {c: i for i, c in enumerate(DEPT_CODES)}


def city_dept(code: str) -> str:
    return f"D-CITY-{code}"


# Risk categories: id, name, domain, owner dept kind, urban weight, rural weight, sensor kinds
RISK_CATEGORIES: tuple[tuple[str, str, str, str, float, float, tuple[str, ...]], ...] = (
    ("RC-GAS-PIPE", "燃气管网", "城市生命线", "RQ", 10, 3,
     ("可燃气体探测器", "燃气压力计", "燃气流量计")),
    ("RC-WATER-PIPE", "供水管网", "城市生命线", "GS", 10, 4,
     ("管网压力计", "流量计", "漏损监测仪", "水质监测仪")),
    ("RC-DRAIN-PIPE", "排水管网", "城市生命线", "PS", 8, 3,
     ("液位计", "流量计", "有毒有害气体探测器")),
    ("RC-BRIDGE", "桥梁", "交通设施", "CGJ", 3, 2,
     ("挠度计", "应变计", "倾角仪", "加速度计", "索力计")),
    ("RC-TUNNEL", "隧道", "交通设施", "CGJ", 1.5, 0.6,
     ("CO检测仪", "能见度检测仪", "照度计", "火灾探测器")),
    ("RC-HIGHRISE", "高层消防", "消防安全", "XF", 7, 0.5,
     ("烟感探测器", "消防水压监测仪", "电气火灾探测器")),
    ("RC-ROCKFALL", "危岩地灾", "自然灾害", "GHZY", 1.2, 5,
     ("裂缝计", "GNSS位移监测站", "雨量计", "倾角仪")),
    ("RC-WATERLOG", "易涝点", "自然灾害", "PS", 2.5, 1, ("积水监测仪", "雨量计")),
    ("RC-SEPTIC", "化粪池", "市政设施", "CGJ", 4, 1.5, ("甲烷浓度监测仪", "液位计")),
    ("RC-SLOPE", "边坡", "自然灾害", "GHZY", 2, 4, ("倾角仪", "GNSS位移监测站", "裂缝计")),
    ("RC-GAS-STATION", "加油站", "危化安全", "YJJ", 1, 1, ("可燃气体探测器", "视频监控")),
    ("RC-HAZCHEM", "危化品企业", "危化安全", "YJJ", 0.6, 0.8,
     ("有毒气体探测器", "可燃气体探测器", "温度压力监测仪")),
    ("RC-CROWD", "人员密集场所", "公共安全", "GAJ", 4, 1, ("客流计数器", "视频监控")),
    ("RC-CONSTRUCTION", "建筑工地", "建设安全", "ZJW", 3.5, 1,
     ("扬尘监测仪", "塔吊监测仪", "视频监控")),
    ("RC-ELEVATOR", "电梯", "特种设备", "SCJG", 8, 0.6, ("电梯运行监测仪",)),
    ("RC-OLD-HOUSING", "老旧小区", "房屋安全", "ZJW", 4, 1, ("房屋倾斜监测仪", "烟感探测器")),
    ("RC-UNDERGROUND", "地下空间", "公共安全", "RFB", 2.5, 0.3,
     ("水位计", "有毒气体探测器", "视频监控")),
    ("RC-METRO", "轨道交通站", "交通设施", "GDJT", 1, 0.05, ("客流计数器", "视频监控")),
    ("RC-SCHOOL", "学校", "公共服务", "JW", 2, 1.5, ("视频监控", "烟感探测器")),
    ("RC-HOSPITAL", "医院", "公共服务", "WJW", 1, 0.6, ("烟感探测器", "视频监控")),
    ("RC-ELDERLY", "养老机构", "公共服务", "MZJ", 1, 0.8, ("烟感探测器", "紧急呼叫终端")),
    ("RC-RESERVOIR", "水库", "自然灾害", "SLJ", 0.1, 1.5, ("水位计", "渗压计", "雨量计")),
    ("RC-LEVEE", "堤防", "自然灾害", "SLJ", 0.6, 1, ("水位计", "位移监测站")),
    ("RC-FOREST", "森林防火", "自然灾害", "LYJ", 0.2, 4, ("烟火识别摄像头", "温湿度监测站")),
    ("RC-WHARF", "码头", "交通设施", "JTJ", 0.4, 0.5, ("视频监控", "水位计")),
    ("RC-SUBSTATION", "变电站", "城市生命线", "DL", 1, 0.8, ("温度监测仪", "负荷监测终端")),
    ("RC-BASE-STATION", "通信基站", "城市生命线", "TXJ", 3, 2, ("动环监控终端",)),
    ("RC-BILLBOARD", "户外广告", "市政设施", "CGJ", 3, 0.3, ("倾斜监测仪",)),
    ("RC-MANHOLE", "井盖", "市政设施", "CGJ", 6, 1, ("井盖位移传感器",)),
    ("RC-GAS-DEPOT", "燃气场站", "城市生命线", "RQ", 0.3, 0.3, ("可燃气体探测器", "燃气压力计")),
    ("RC-WATER-PLANT", "供水厂", "城市生命线", "GS", 0.2, 0.3, ("水质监测仪", "流量计")),
    ("RC-WWTP", "污水处理厂", "城市生命线", "PS", 0.2, 0.3, ("水质监测仪", "液位计")),
    ("RC-GALLERY", "综合管廊", "城市生命线", "CGJ", 0.8, 0.05,
     ("有毒气体探测器", "温湿度监测站", "水位计")),
    ("RC-HV-LINE", "高压线路", "城市生命线", "DL", 0.8, 1.5, ("导线温度监测仪", "覆冰监测仪")),
    ("RC-ROAD-COLLAPSE", "道路塌陷隐患", "市政设施", "CGJ", 1.5, 0.4,
     ("沉降监测仪", "地质雷达监测点")),
    ("RC-FOOTBRIDGE", "人行天桥", "交通设施", "CGJ", 1, 0.05, ("挠度计", "加速度计")),
    ("RC-MALL", "大型商业综合体", "公共安全", "XF", 1.2, 0.1, ("烟感探测器", "客流计数器")),
    ("RC-HERITAGE", "文物古建", "公共安全", "WLW", 0.3, 0.4, ("烟感探测器", "温湿度监测站")),
    ("RC-SCENIC", "旅游景区", "公共安全", "WLW", 0.5, 0.8, ("客流计数器", "视频监控")),
    ("RC-MARKET", "农贸市场", "公共安全", "SCJG", 1, 0.8, ("可燃气体探测器", "烟感探测器")),
    ("RC-FIREWORKS", "烟花爆竹经营点", "危化安全", "YJJ", 0.3, 0.6, ("烟感探测器", "视频监控")),
    ("RC-TAILINGS", "尾矿库", "生产安全", "YJJ", 0.01, 0.15, ("水位计", "位移监测站", "渗压计")),
    ("RC-POND", "山坪塘", "自然灾害", "SLJ", 0.05, 3, ("水位计",)),
)
_RC_POS = {r[0]: i for i, r in enumerate(RISK_CATEGORIES)}
#: Devices not tied to a risk point.
FREE_SENSOR_KINDS = ("AI摄像头", "视频监控", "空气质量微站", "噪声监测仪", "雨量计", "积水监测仪")

URBAN_CONTEXTS = ("主干道", "次干道", "背街小巷", "居民小区", "老旧小区", "商业街区", "学校周边",
                  "医院周边", "交通枢纽", "轨道站点", "旅游景区", "农贸市场", "工业园区",
                  "滨江路段", "城乡结合部", "农村地区", "公园广场", "桥下空间", "地下空间",
                  "高速沿线")
NATURE_CONTEXTS = ("国有林场", "自然保护区", "森林公园", "风景名胜区", "城郊山林", "农林交界带",
                   "坟山墓地", "高压线廊道", "景区步道", "水库周边", "河道沿岸", "山区公路沿线",
                   "村庄周边", "陡坡地带", "矿区周边", "库岸消落带", "峡谷地带", "高山地区",
                   "丘陵地区", "林下种植区")
#: How common each context is among the places where problems happen and are reported (relative
#: weights): a variant of a kind is as common as its context. Where people live and travel —
#: residential estates, main and side roads, lanes, older estates, shopping streets — is most
#: of the city and of its hotline calls; a school's, a hospital's, a station's surroundings,
#: markets, parks, the riverside roads are each a small part; the space under a bridge, the
#: underground, the motorway verges rarer still. In the hills: the villages, the woods at the
#: edge of town and of the fields, the hillsides and graves (the Qingming fires) against a
#: reserve, a mine, a gorge. Set from these proportions, not fitted to any measure.
CONTEXT_PREVALENCE: dict[str, float] = {
    "主干道": 10, "次干道": 7, "背街小巷": 5, "居民小区": 12, "老旧小区": 7, "商业街区": 5,
    "学校周边": 2.5, "医院周边": 1.5, "交通枢纽": 1.5, "轨道站点": 2, "旅游景区": 1.5,
    "农贸市场": 2, "工业园区": 2, "滨江路段": 2, "城乡结合部": 3, "农村地区": 4,
    "公园广场": 2.5, "桥下空间": 1, "地下空间": 1, "高速沿线": 0.8,
    "国有林场": 2, "自然保护区": 1.5, "森林公园": 1.5, "风景名胜区": 1.5, "城郊山林": 6,
    "农林交界带": 5, "坟山墓地": 4, "高压线廊道": 1, "景区步道": 1.5, "水库周边": 2,
    "河道沿岸": 4, "山区公路沿线": 3, "村庄周边": 7, "陡坡地带": 2.5, "矿区周边": 1,
    "库岸消落带": 1.5, "峡谷地带": 1.5, "高山地区": 2, "丘陵地区": 5, "林下种植区": 1,
}
#: Where a context is (the demo data's truth, read by nothing but the generator): a variant
#: whose context is a kind of place the risk points name — a school's surroundings, a station,
#: a market, the space under a bridge — happened near such a place. A report of it is placed
#: within :data:`CONTEXT_NEAR_M` of a risk point of that category in its district, most of the
#: time (:data:`CONTEXT_NEAR_SHARE`); the other contexts (a main road, a residential estate,
#: the villages …) are everywhere and their reports are placed like the plain type's. The
#: router is not told this table: it learns from the events where each variant happens.
#: Industrial parks are where the hazardous-chemical works are; Chongqing's riverside roads
#: (滨江路) run past its wharves; the embankments line the rivers; a transport hub's waiting
#: halls are 人员密集场所 in law (《中华人民共和国消防法》第七十三条: 公众聚集场所 include
#: 客运车站候车室、客运码头候船厅、民用机场航站楼). The roads, the residential estates, the
#: lanes, the squares, the villages and the hills have no category of their own here (the
#: roads and estates have their own table, :data:`CONTEXT_ROADS`).
CONTEXT_SITES: dict[str, str] = {
    "学校周边": "RC-SCHOOL", "医院周边": "RC-HOSPITAL", "轨道站点": "RC-METRO",
    "地下空间": "RC-UNDERGROUND", "桥下空间": "RC-BRIDGE", "农贸市场": "RC-MARKET",
    "旅游景区": "RC-SCENIC", "景区步道": "RC-SCENIC", "风景名胜区": "RC-SCENIC",
    "水库周边": "RC-RESERVOIR", "高压线廊道": "RC-HV-LINE", "矿区周边": "RC-TAILINGS",
    "老旧小区": "RC-OLD-HOUSING", "商业街区": "RC-MALL", "国有林场": "RC-FOREST",
    "森林公园": "RC-FOREST", "陡坡地带": "RC-SLOPE", "河道沿岸": "RC-LEVEE",
    "工业园区": "RC-HAZCHEM", "滨江路段": "RC-WHARF", "交通枢纽": "RC-CROWD",
}
#: A context's report lies this close to its place (metres, uniform over the disc): the
#: school gate, the station exit, the market's street.
CONTEXT_NEAR_M = 100.0
#: The share of a context's reports placed near its place; the rest where the plain type's
#: are: a caller phones from home about the school gate he passed, a patrol files at the end
#: of its round, an address is geocoded to the wrong block.
CONTEXT_NEAR_SHARE = 0.85
#: Where a context without a place of its own lies among the communities (the demo data's
#: truth, read by nothing but the generator). Every point of the city is in a community, and a
#: community is either a village (村, its 村民委员会) or a residents' community (社区, its
#: 居民委员会), in a town or township (镇 / 乡) or an urban sub-district (街道). Farmland,
#: village houses, the woods and hillsides at the edge of the fields, graves, the roads over
#: the hills are village land (collective land is owned by villages): their reports are placed
#: in or near a village ("村"). Roads, side roads, lanes, residential estates, hubs and
#: squares are the city's and the towns' built-up areas: a residents' community ("社区").
#: 城乡结合部, the edge between town and country, is where the two administrations meet: a
#: village of an urban sub-district (街道 that still has 村) or a residents' community of a
#: town (镇 / 乡 whose centre has been built up) ("edge"). Contexts that have a place of
#: their own (:data:`CONTEXT_SITES`) keep it; the others here (a nature reserve, a motorway,
#: the reservoir's banks …) are anywhere. The same share as the places' is placed so
#: (:data:`CONTEXT_NEAR_SHARE`); the rest where the plain type's are. The router is not told
#: this table either: it reads the kind of the community at a report's point (the last
#: characters of the unit's name) and learns what each kind says of the variants.
CONTEXT_SETTLEMENT: dict[str, str] = {
    "农村地区": "村", "村庄周边": "村", "农林交界带": "村", "山区公路沿线": "村",
    "丘陵地区": "村", "城郊山林": "村", "坟山墓地": "村", "林下种植区": "村", "高山地区": "村",
    "峡谷地带": "村",
    "公园广场": "社区",
    "城乡结合部": "edge",
}
#: Where a road's or an estate's context lies (the demo data's truth, read by nothing but the
#: generator): a report of a main road (主干道) on an arterial road of the demo's road table, of
#: a side road (次干道) on a secondary road, of a back lane (背街小巷) in a lane, of a residential
#: estate (居民小区) inside a block of the road lattice away from its roads ("estate") — the
#: same share as the places' (:data:`CONTEXT_NEAR_SHARE`); the rest where the plain type's are.
#: The roads are laid only in residents' communities (社区): these are the city's and the
#: towns' built-up areas. The router is not told this table: it reads which classes of road
#: pass a report's point and learns what each says of the variants.
CONTEXT_ROADS: dict[str, str] = {
    "主干道": "arterial", "次干道": "secondary", "背街小巷": "lane", "居民小区": "estate",
}
#: The demo's roads: each residents' community has a lattice of ``ROAD_LINES`` straight roads
#: each way, ``ROAD_SPACING_KM`` apart (closer in the central districts), turned by a random
#: angle; the class of each line of the lattice (both ways): an arterial through the middle,
#: secondary roads near the edges, branch roads between — a block of 120–150 m, the size of
#: Chongqing's older estates. A share ``ROAD_LANE_SHARE`` of the blocks has a back lane across
#: its middle; the others are an estate.
ROAD_LINES = 8
ROAD_SPACING_KM = (0.12, 0.15)  # central districts, elsewhere
ROAD_LINE_CLASS = ("secondary", "branch", "branch", "arterial", "branch", "branch", "secondary",
                   "branch")
ROAD_LANE_SHARE = 0.3
#: How far across a road's centre line its reports lie (metres, uniform either side): the
#: pavement of a six-lane arterial, of a secondary road, the lane itself.
ROAD_HALF_WIDTH_M = {"arterial": 20.0, "secondary": 12.0, "lane": 4.0}
#: An estate's report lies at least this far inside its block's roads (metres).
ESTATE_CLEAR_M = 35.0
_SETTLEMENT_KINDS = ("村", "社区", "edge")
_SEVERE_CONTEXTS = {"学校周边", "医院周边", "交通枢纽", "轨道站点", "地下空间", "自然保护区",
                    "国有林场", "高压线廊道"}

# Base event kinds: code, name, category, dept, severity, react, verify, handle (cumulative
# minutes after dispatch), frequency weight, sources {source: weight}, risk categories of
# sensor events, context pool, has a plan.
_S = dict
EVENT_BASES: tuple[tuple, ...] = (
    ("WATER-MAIN-BURST", "供水主管爆管", "供水排水", "GS", 1, 5, 20, 300, 0.4,
     _S(sensor=3, hotline=2, grid_worker=1, patrol=1), ("RC-WATER-PIPE",), "u", True),
    ("WATER-LEAK", "供水管网漏水", "供水排水", "GS", 3, 15, 60, 480, 3,
     _S(sensor=2, hotline=3, grid_worker=2, patrol=1), ("RC-WATER-PIPE",), "u", True),
    ("WATER-OUTAGE", "停水", "供水排水", "GS", 3, 15, 60, 720, 2, _S(hotline=5, sensor=1),
     ("RC-WATER-PIPE", "RC-WATER-PLANT"), "u", True),
    ("WATER-PRESSURE", "供水压力异常", "供水排水", "GS", 3, 10, 40, 360, 1.5,
     _S(sensor=5, hotline=1), ("RC-WATER-PIPE",), "u", True),
    ("DRAIN-BLOCK", "排水管道堵塞", "供水排水", "PS", 3, 20, 60, 480, 3,
     _S(grid_worker=3, hotline=3, patrol=1, sensor=1), ("RC-DRAIN-PIPE",), "u", True),
    ("WATERLOGGING", "道路积水内涝", "供水排水", "PS", 2, 10, 30, 240, 2,
     _S(sensor=3, ai_camera=2, hotline=2, patrol=1), ("RC-WATERLOG",), "u", True),
    ("MANHOLE", "井盖缺失破损", "市政设施", "CGJ", 3, 15, 45, 240, 4,
     _S(ai_camera=3, grid_worker=3, hotline=2, patrol=2, sensor=1), ("RC-MANHOLE",), "u", True),
    ("GAS-LEAK", "燃气泄漏", "燃气安全", "RQ", 1, 5, 15, 120, 1,
     _S(sensor=4, hotline=3, grid_worker=1),
     ("RC-GAS-PIPE", "RC-GAS-DEPOT", "RC-MARKET"), "u", True),
    ("GAS-PRESSURE", "燃气管网压力异常", "燃气安全", "RQ", 2, 10, 30, 180, 1, _S(sensor=6),
     ("RC-GAS-PIPE",), "u", True),
    ("LPG-MISUSE", "违规使用液化气", "燃气安全", "RQ", 3, 30, 120, 1440, 1.2,
     _S(grid_worker=3, patrol=2, hotline=1), (), "u", False),
    ("BIOGAS", "化粪池沼气超标", "燃气安全", "CGJ", 2, 5, 10, 20, 0.8, _S(sensor=6, hotline=1),
     ("RC-SEPTIC",), "u", True),
    ("HIGHRISE-FIRE", "高层建筑火情", "消防安全", "XF", 1, 2, 5, 60, 0.3,
     _S(sensor=3, hotline=3, ai_camera=1), ("RC-HIGHRISE", "RC-MALL"), "u", True),
    ("FIRE-PASSAGE", "消防通道堵塞", "消防安全", "XF", 3, 20, 60, 240, 3,
     _S(ai_camera=4, grid_worker=2, patrol=1), (), "u", True),
    ("EBIKE-CHARGING", "电动车违规充电", "消防安全", "XF", 3, 20, 60, 240, 3,
     _S(ai_camera=4, grid_worker=2, hotline=1), (), "u", True),
    ("FIRE-FACILITY", "消防设施故障", "消防安全", "XF", 3, 30, 120, 1440, 1.5,
     _S(sensor=4, patrol=1, grid_worker=1), ("RC-HIGHRISE", "RC-MALL", "RC-HOSPITAL"), "u", True),
    ("FOREST-FIRE", "森林火情", "应急灾害", "LYJ", 1, 1, 3, 5, 0.2,
     _S(drone=3, ai_camera=3, hotline=2, patrol=1, sensor=1), ("RC-FOREST",), "n", True),
    ("ROCKFALL", "危岩崩塌滑坡", "应急灾害", "GHZY", 1, 10, 30, 240, 0.4,
     _S(sensor=3, grid_worker=2, drone=1, patrol=1, hotline=1), ("RC-ROCKFALL",), "n", True),
    ("SLOPE-DEFORM", "边坡变形", "应急灾害", "GHZY", 2, 15, 60, 480, 0.6,
     _S(sensor=4, patrol=1, grid_worker=1), ("RC-SLOPE",), "n", True),
    ("RIVER-FLOOD", "河道水位超警", "应急灾害", "SLJ", 2, 10, 30, 360, 0.4,
     _S(sensor=4, drone=1, patrol=1), ("RC-LEVEE", "RC-RESERVOIR", "RC-POND"), "n", True),
    ("BRIDGE-ANOMALY", "桥梁结构监测异常", "市政设施", "CGJ", 2, 10, 30, 240, 0.6, _S(sensor=6),
     ("RC-BRIDGE", "RC-FOOTBRIDGE"), "u", True),
    ("BRIDGE-STRIKE", "桥梁船撞车撞", "交通运行", "JTJ", 1, 5, 20, 180, 0.15,
     _S(ai_camera=3, hotline=2, sensor=1), ("RC-BRIDGE",), "u", True),
    ("TUNNEL-CO", "隧道CO超标", "交通运行", "CGJ", 2, 5, 15, 60, 0.5, _S(sensor=6),
     ("RC-TUNNEL",), "u", True),
    ("TUNNEL-ACCIDENT", "隧道交通事故", "交通运行", "JXJ", 2, 5, 15, 90, 0.6,
     _S(ai_camera=4, hotline=2, sensor=1), ("RC-TUNNEL",), "u", True),
    ("TRAFFIC-ACCIDENT", "道路交通事故", "交通运行", "JXJ", 2, 5, 20, 90, 3,
     _S(ai_camera=3, hotline=3, patrol=2), (), "u", True),
    ("CONGESTION", "道路拥堵", "交通运行", "JXJ", 3, 10, 20, 60, 3,
     _S(ai_camera=4, sensor=2, drone=1), ("RC-TUNNEL", "RC-BRIDGE"), "u", False),
    ("ILLEGAL-PARKING", "违规停车", "交通运行", "JXJ", 4, 30, 60, 120, 7,
     _S(ai_camera=6, grid_worker=2, patrol=2, hotline=1), (), "u", False),
    ("SIGNAL-FAULT", "交通信号灯故障", "交通运行", "JXJ", 3, 15, 30, 120, 1.2,
     _S(sensor=3, hotline=2, patrol=2), ("RC-CROWD",), "u", True),
    ("ROAD-DAMAGE", "道路破损塌陷", "市政设施", "CGJ", 2, 15, 45, 480, 2.5,
     _S(ai_camera=3, grid_worker=3, hotline=2, patrol=2, sensor=1),
     ("RC-ROAD-COLLAPSE",), "u", True),
    ("STREETLIGHT", "路灯故障", "市政设施", "CGJ", 4, 60, 240, 2880, 3,
     _S(sensor=2, grid_worker=3, hotline=2, patrol=1), ("RC-BILLBOARD",), "u", False),
    ("STREET-VENDING", "占道经营", "市容环境", "CGJ", 4, 30, 60, 240, 12,
     _S(ai_camera=7, grid_worker=3, patrol=2, hotline=1), (), "u", False),
    ("MATERIAL-PILING", "乱堆物料", "市容环境", "CGJ", 4, 30, 90, 480, 9,
     _S(ai_camera=6, grid_worker=3, hotline=1), (), "u", False),
    ("EXPOSED-GARBAGE", "暴露垃圾", "市容环境", "HW", 4, 30, 60, 240, 11,
     _S(ai_camera=6, grid_worker=3, hotline=2, drone=1), (), "u", False),
    ("GARBAGE-OVERFLOW", "垃圾满溢", "市容环境", "HW", 4, 30, 60, 180, 6,
     _S(ai_camera=5, sensor=1, grid_worker=2), ("RC-MARKET", "RC-CROWD"), "u", False),
    ("ILLEGAL-AD", "违规户外广告", "市容环境", "CGJ", 4, 60, 240, 2880, 2,
     _S(ai_camera=4, grid_worker=2, patrol=1), (), "u", False),
    ("OUTSIDE-SHOP", "店外经营", "市容环境", "CGJ", 4, 30, 60, 240, 6,
     _S(ai_camera=6, grid_worker=2, patrol=1), (), "u", False),
    ("ILLEGAL-BUILD", "违法建设", "建设施工", "GHZY", 3, 60, 240, 10080, 1.5,
     _S(drone=3, grid_worker=3, hotline=2), (), "u", True),
    ("SITE-DUST", "工地扬尘", "生态环境", "STHJ", 3, 30, 90, 480, 2.5,
     _S(ai_camera=3, sensor=2, drone=1, hotline=1), ("RC-CONSTRUCTION",), "u", True),
    ("MUCK-TRUCK", "渣土车违规", "市容环境", "CGJ", 3, 20, 60, 240, 2,
     _S(ai_camera=6, patrol=1), (), "u", False),
    ("SITE-SAFETY", "工地安全隐患", "建设施工", "ZJW", 2, 30, 120, 1440, 1.2,
     _S(grid_worker=3, drone=2, patrol=2, sensor=1), ("RC-CONSTRUCTION",), "u", True),
    ("ELEVATOR-TRAP", "电梯困人", "公共安全", "SCJG", 2, 5, 15, 30, 1.5, _S(sensor=4, hotline=3),
     ("RC-ELEVATOR",), "u", True),
    ("HOUSE-SAFETY", "房屋安全隐患", "建设施工", "ZJW", 2, 30, 120, 1440, 1.2,
     _S(grid_worker=4, hotline=2, sensor=1), ("RC-OLD-HOUSING",), "u", True),
    ("NOISE", "噪声扰民", "生态环境", "STHJ", 4, 30, 120, 480, 4, _S(hotline=6, sensor=1),
     ("RC-CONSTRUCTION",), "u", True),
    ("AIR-POLLUTION", "大气污染超标", "生态环境", "STHJ", 3, 30, 90, 720, 1, _S(sensor=5, drone=1),
     ("RC-CONSTRUCTION", "RC-HAZCHEM"), "u", True),
    ("RIVER-POLLUTION", "河道污染", "生态环境", "STHJ", 3, 30, 120, 1440, 0.8,
     _S(drone=3, hotline=2, patrol=2, sensor=1), ("RC-WWTP",), "n", True),
    ("BBQ-SMOKE", "露天烧烤油烟", "生态环境", "CGJ", 4, 30, 60, 120, 3,
     _S(ai_camera=4, hotline=3, grid_worker=1), (), "u", False),
    ("GREEN-DAMAGE", "绿化损毁", "生态景观", "CGJ", 4, 60, 240, 4320, 1.5,
     _S(grid_worker=3, hotline=1, patrol=1), (), "u", False),
    ("POWER-OUTAGE", "停电", "电力通信", "DL", 3, 10, 30, 240, 2, _S(sensor=3, hotline=4),
     ("RC-SUBSTATION", "RC-HV-LINE"), "u", True),
    ("SUBSTATION-ALARM", "变电站设备告警", "电力通信", "DL", 2, 10, 30, 240, 0.6, _S(sensor=6),
     ("RC-SUBSTATION",), "u", True),
    ("BASE-STATION-DOWN", "通信基站退服", "电力通信", "TXJ", 3, 15, 60, 360, 1.2, _S(sensor=6),
     ("RC-BASE-STATION",), "u", True),
    ("CABLE-CUT", "通信光缆中断", "电力通信", "TXJ", 2, 10, 30, 360, 0.4, _S(sensor=3, hotline=1),
     ("RC-BASE-STATION",), "u", True),
    ("TOUTING", "出租车火锅店拉客", "市场监管", "SCJG", 3, 10, 30, 240, 0.8,
     _S(hotline=4, patrol=2, ai_camera=1), (), "u", True),
    ("FOOD-SAFETY", "食品安全投诉", "市场监管", "SCJG", 3, 30, 120, 1440, 2,
     _S(hotline=6, grid_worker=1), (), "u", True),
    ("PRICE-FRAUD", "价格欺诈投诉", "市场监管", "SCJG", 4, 60, 240, 4320, 1.2, _S(hotline=6),
     (), "u", False),
    ("DISPUTE", "邻里矛盾纠纷", "社会治理", "XFB", 4, 60, 240, 4320, 3,
     _S(grid_worker=4, hotline=3), (), "u", False),
    ("CROWDING", "人员密集聚集", "社会治理", "GAJ", 2, 5, 15, 60, 0.8,
     _S(ai_camera=4, sensor=2, drone=1),
     ("RC-CROWD", "RC-METRO", "RC-SCENIC", "RC-MALL"), "u", True),
    ("PUBLIC-ORDER", "治安警情", "社会治理", "GAJ", 2, 5, 15, 120, 2,
     _S(hotline=4, patrol=2, ai_camera=2), (), "u", True),
    ("ELDERLY-ALONE", "独居老人异常", "社会治理", "MZJ", 3, 15, 60, 240, 0.8,
     _S(sensor=3, grid_worker=3), ("RC-ELDERLY",), "u", True),
    ("PUBLIC-HEALTH", "公共卫生事件", "公共卫生", "WJW", 2, 30, 120, 1440, 0.3,
     _S(hotline=3, grid_worker=2), (), "u", True),
    ("HAZCHEM-LEAK", "危化品泄漏", "应急灾害", "YJJ", 1, 5, 15, 180, 0.15,
     _S(sensor=4, hotline=2, patrol=1), ("RC-HAZCHEM", "RC-GAS-STATION"), "u", True),
    ("METRO-FAULT", "轨道交通运营故障", "交通运行", "GDJT", 2, 5, 15, 90, 0.4,
     _S(sensor=4, hotline=2), ("RC-METRO",), "u", True),
    ("WILD-SWIMMING", "违规下河游泳垂钓", "应急灾害", "YJJ", 3, 10, 30, 60, 1,
     _S(drone=3, ai_camera=3, patrol=2), (), "n", False),
)
N_EVENT_TYPES = 1126
#: The base kinds whose plans run the emergency flow 反应 → 核实 → 处置 → 结案 (a plan's
#: ``stages``); the other plans run the management loop 签收 → 处置 → 核查 → 结案 → 评价.
EMERGENCY_TYPES = frozenset({"FOREST-FIRE", "HIGHRISE-FIRE", "PUBLIC-ORDER", "GAS-LEAK",
                             "HAZCHEM-LEAK"})
EMERGENCY_FLOW = "react,confirm,handle,close"

# Vital-sign templates: code, domain, name, unit, normal low/high, warn_low, warn_high,
# alarm_low, alarm_high, decimals, daily shape, extensive (scales with the unit's size),
# cap, risk category of the site, weight of extra instances (one entry on two lines: the
# thresholds, then the rest).
VITAL_TEMPLATES: tuple[tuple, ...] = (
    ("W-PRESS", "水", "供水管网压力", "MPa", 0.28, 0.42, 0.20, 0.55, 0.14, 0.65,
     3, "night", False, None, "RC-WATER-PIPE", 5),
    ("W-TURB", "水", "水厂出水浊度", "NTU", 0.10, 0.35, None, 0.8, None, 1.0,
     2, "flat", False, None, "RC-WATER-PLANT", 1),
    ("W-CL", "水", "管网余氯", "mg/L", 0.35, 0.65, 0.15, 1.5, 0.05, 2.0,
     2, "flat", False, None, "RC-WATER-PIPE", 1),
    ("W-DRAIN", "水", "排水管网液位", "m", 0.3, 0.9, None, 1.6, None, 2.0,
     2, "day", False, None, "RC-DRAIN-PIPE", 3),
    ("W-LOG", "水", "易涝点积水深度", "cm", 0.0, 1.5, None, 15, None, 27,
     1, "flat", False, None, "RC-WATERLOG", 3),
    ("W-RES", "水", "水库蓄水率", "%", 55, 72, None, 90, None, 98,
     1, "flat", False, 100, "RC-RESERVOIR", 1),
    ("W-FLOW", "水", "时供水量", "万m³/h", 0.8, 1.6, 0.3, 2.4, 0.15, 2.8,
     2, "load", True, None, None, 0),
    ("E-LOAD", "电", "用电负荷", "MW", 250, 520, None, 700, None, 800,
     1, "load", True, None, None, 0),
    ("E-SUBST", "电", "变电站负载率", "%", 40, 68, None, 85, None, 95,
     1, "load", False, None, "RC-SUBSTATION", 3),
    ("E-FREQ", "电", "电网频率", "Hz", 49.97, 50.03, 49.8, 50.2, 49.5, 50.5,
     3, "flat", False, None, None, 0),
    ("E-VOLT", "电", "供电电压合格率", "%", 99.4, 99.9, 99.0, None, 98.0, None,
     2, "flat", False, 100, None, 0),
    ("E-CABLE", "电", "电缆接头温度", "°C", 35, 55, None, 70, None, 85,
     1, "load", False, None, "RC-HV-LINE", 2),
    ("G-PRESS", "气", "燃气管网压力", "kPa", 2.0, 2.8, 1.5, 3.3, 1.0, 3.8,
     2, "night", False, None, "RC-GAS-PIPE", 5),
    ("G-LEL", "气", "可燃气体浓度", "%LEL", 0.0, 3.0, None, 10, None, 25,
     1, "flat", False, None, "RC-GAS-PIPE", 3),
    ("G-CH4", "气", "化粪池甲烷浓度", "%LEL", 1.0, 5.0, None, 10, None, 20,
     1, "day", False, None, "RC-SEPTIC", 3),
    ("G-STORE", "气", "燃气场站储气率", "%", 55, 80, 30, None, 20, None,
     1, "load", False, 100, "RC-GAS-DEPOT", 1),
    ("C-OUT", "讯", "基站退服率", "%", 0.2, 0.9, None, 3, None, 5,
     2, "flat", False, 100, None, 0),
    ("C-LAT", "讯", "网络平均时延", "ms", 18, 32, None, 60, None, 100,
     1, "load", False, None, None, 0),
    ("C-CONN", "讯", "移动网络接通率", "%", 99.2, 99.8, 98.0, None, 96.0, None,
     2, "flat", False, 100, None, 0),
    ("C-ROOM", "讯", "基站机房温度", "°C", 22, 28, None, 35, None, 40,
     1, "day", False, None, "RC-BASE-STATION", 2),
    ("B-DEFL", "桥", "桥梁挠度", "mm", 6, 14, None, 30, None, 40,
     1, "day", False, None, "RC-BRIDGE", 4),
    ("B-STRAIN", "桥", "桥梁主梁应变", "με", 60, 150, None, 300, None, 400,
     0, "day", False, None, "RC-BRIDGE", 2),
    ("B-CABLE", "桥", "拉索索力", "kN", 1850, 2150, 1500, 2500, 1300, 2700,
     0, "flat", False, None, "RC-BRIDGE", 1),
    ("B-TILT", "桥", "桥墩倾斜", "‰", 0.1, 0.5, None, 1.5, None, 2.5,
     2, "flat", False, None, "RC-BRIDGE", 1),
    ("B-ACC", "桥", "桥梁振动加速度", "m/s²", 0.02, 0.08, None, 0.25, None, 0.35,
     3, "traffic", False, None, "RC-BRIDGE", 1),
    ("T-CO", "隧", "隧道CO浓度", "ppm", 6, 30, None, 100, None, 150,
     1, "traffic", False, None, "RC-TUNNEL", 4),
    ("T-VIS", "隧", "隧道能见度", "m", 220, 400, 120, None, 60, None,
     0, "flat", False, None, "RC-TUNNEL", 2),
    ("T-LUX", "隧", "隧道照度", "lx", 90, 150, 50, None, 30, None,
     0, "flat", False, None, "RC-TUNNEL", 1),
    ("T-FLOW", "隧", "隧道车流量", "辆/5min", 20, 140, None, 220, None, 280,
     0, "traffic", False, None, "RC-TUNNEL", 1),
    ("R-TPI", "交通", "路网拥堵指数", None, 1.3, 2.2, None, 3.5, None, 4.5,
     2, "traffic", False, None, None, 0),
    ("R-SPEED", "交通", "路网平均车速", "km/h", 26, 40, 18, None, 12, None,
     1, "-traffic", False, None, None, 0),
    ("R-METRO", "交通", "轨道交通满载率", "%", 30, 85, None, 110, None, 130,
     0, "traffic", False, None, "RC-METRO", 1),
    ("R-BUS", "交通", "公交准点率", "%", 90, 97, 85, None, 80, None,
     1, "-traffic", False, 100, None, 0),
    ("N-PM25", "环境", "PM2.5浓度", "μg/m³", 22, 45, None, 75, None, 115,
     0, "night", False, None, None, 1),
    ("N-PM10", "环境", "PM10浓度", "μg/m³", 38, 70, None, 150, None, 250,
     0, "night", False, None, None, 1),
    ("N-O3", "环境", "臭氧浓度", "μg/m³", 40, 120, None, 160, None, 200,
     0, "day", False, None, None, 1),
    ("N-AQI", "环境", "空气质量指数", "AQI", 40, 80, None, 100, None, 150,
     0, "day", False, None, None, 0),
    ("N-NOISE", "环境", "区域环境噪声", "dB(A)", 46, 58, None, 65, None, 70,
     1, "traffic", False, None, "RC-CONSTRUCTION", 1),
    ("N-DO", "环境", "河流断面溶解氧", "mg/L", 6.2, 8.8, 5.0, None, 3.0, None,
     2, "day", False, None, None, 1),
    ("N-NH3", "环境", "河流断面氨氮", "mg/L", 0.2, 0.6, None, 1.0, None, 1.5,
     2, "flat", False, None, "RC-WWTP", 1),
)

# KPI boards and their runways (70 in all).
RUNWAYS: dict[str, tuple[str, ...]] = {
    "党建统领": ("党建引领基层治理", "基层组织建设", "党员教育管理", "干部队伍建设", "党风廉政建设",
             "意识形态工作", "民呼我为", "基层减负"),
    "经济发展": ("地区生产总值", "工业经济", "固定资产投资", "消费市场", "招商引资", "市场主体培育",
             "数字经济", "财政收入", "外贸外资", "营商环境"),
    "设施运行": ("供水保障", "燃气安全", "排水防涝", "桥隧运行", "电力保障", "通信保障", "道路交通",
             "轨道交通", "市政设施", "地下管网"),
    "社会治理": ("矛盾纠纷化解", "信访稳定", "社会治安", "网格化管理", "热线诉求办理",
             "基层平安建设", "流动人口服务", "特殊人群服务", "市容秩序"),
    "应急动员": ("安全生产", "防汛抗旱", "森林防火", "地质灾害防治", "消防安全", "应急救援力量",
             "应急物资保障", "危化品监管", "应急演练"),
    "文明创建": ("文明城区创建", "志愿服务", "市容环境卫生", "公共秩序", "诚信建设", "文化惠民",
             "交通文明", "移风易俗"),
    "生态景观": ("大气污染防治", "水环境治理", "土壤与固废", "园林绿化", "河长制", "噪声管控",
             "山城特色景观", "垃圾分类"),
    "生产生活服务": ("教育服务", "医疗卫生", "养老服务", "就业社保", "住房保障", "菜篮子供应",
               "便民服务", "政务服务"),
}
N_KPIS = 911
# KPI metric templates: suffix, unit, direction, target range, relative spread, decimals,
# boards it fits (None: any)
_SAFETY = ("设施运行", "应急动员", "社会治理")
_KPI_GOV = (
    ("任务完成率", "%", "higher", (90, 98), 0.04, 1, None),
    ("按期办结率", "%", "higher", (92, 99), 0.03, 1, None),
    ("群众满意度", "%", "higher", (88, 96), 0.04, 1, None),
    ("问题整改率", "%", "higher", (90, 99), 0.04, 1, None),
    ("覆盖率", "%", "higher", (85, 98), 0.05, 1, None),
    ("达标率", "%", "higher", (90, 99), 0.03, 1, None),
    ("知晓率", "%", "higher", (80, 95), 0.06, 1, None),
    ("数字化应用率", "%", "higher", (70, 90), 0.08, 1, None),
    ("考核得分", "分", "higher", (85, 95), 0.05, 1, None),
    ("综合指数", "分", "higher", (80, 92), 0.06, 1, None),
    ("工作推进指数", "分", "higher", (80, 95), 0.06, 1, None),
    ("投诉量", "件/万人", "lower", (2, 12), 0.25, 2, None),
    ("问题发生数", "件", "lower", (10, 80), 0.3, 0, None),
    ("平均响应时长", "分钟", "lower", (15, 45), 0.2, 1, None),
    ("平均办结时长", "小时", "lower", (24, 72), 0.2, 1, None),
    ("超期件数", "件", "lower", (2, 12), 0.4, 0, None),
    ("重复投诉率", "%", "lower", (2, 8), 0.3, 2, None),
    ("事故起数", "起", "lower", (1, 6), 0.5, 0, _SAFETY),
    ("隐患排查数", "处", "higher", (200, 800), 0.2, 0, _SAFETY),
    ("专项检查次数", "次", "higher", (20, 60), 0.2, 0, _SAFETY + ("文明创建", "生态景观")),
    ("信息报送及时率", "%", "higher", (90, 99), 0.03, 1, None),
    ("督办事项办结率", "%", "higher", (88, 98), 0.04, 1, None),
    ("智能发现占比", "%", "higher", (40, 70), 0.12, 1, _SAFETY + ("文明创建", "生态景观")),
    ("主动发现率", "%", "higher", (60, 85), 0.08, 1, None),
)
_KPI_ECON = (
    ("同比增速", "%", "higher", (4, 9), 0.4, 2, None),
    ("环比增速", "%", "higher", (1, 4), 0.5, 2, None),
    ("目标完成率", "%", "higher", (90, 105), 0.05, 1, None),
    ("完成进度", "%", "higher", (70, 100), 0.08, 1, None),
    ("占全市比重", "%", "higher", (1, 6), 0.3, 2, None),
    ("排名指数", "分", "higher", (75, 95), 0.08, 1, None),
    ("企业满意度", "%", "higher", (85, 96), 0.04, 1, None),
    ("企业诉求办结率", "%", "higher", (90, 99), 0.03, 1, None),
    ("政策兑现率", "%", "higher", (85, 98), 0.05, 1, None),
    ("考核得分", "分", "higher", (85, 95), 0.05, 1, None),
    ("工作推进指数", "分", "higher", (80, 95), 0.06, 1, None),
    ("督办事项办结率", "%", "higher", (88, 98), 0.04, 1, None),
    ("信息报送及时率", "%", "higher", (90, 99), 0.03, 1, None),
    ("数字化应用率", "%", "higher", (70, 90), 0.08, 1, None),
    ("重点项目完成率", "%", "higher", (85, 98), 0.05, 1, None),
    ("问题整改率", "%", "higher", (90, 99), 0.04, 1, None),
)
_SUB_RUNWAYS = ("日常监管", "隐患治理", "专项整治", "群众评价", "数字赋能", "队伍建设", "制度建设",
                "督查考核")

EVAL_SCHEME = ((1, "#0571b0", "优秀", 90.0), (2, "#92c5de", "良好", 80.0),
               (3, "#ffe08a", "一般", 70.0), (4, "#f4a582", "较差", 60.0),
               (5, "#ca0020", "差", 0.0))

#: A fixed seed for the structural tables (independent of the dataset's seed).
_STRUCT_SEED = 20261120


# --------------------------------------------------------------------------- time helpers

def _as_date(anchor) -> date:
    if anchor is None:
        return date.today()
    if isinstance(anchor, datetime):
        return anchor.date()
    if isinstance(anchor, date):
        return anchor
    return date.fromisoformat(str(anchor)[:10])


def quarters_before(anchor: date, n: int = 8) -> list[str]:
    """The ``n`` complete quarters before the anchor's quarter, oldest first."""
    q = (anchor.month - 1) // 3 + 1
    y = anchor.year
    out = []
    for _ in range(n):
        q -= 1
        if q == 0:
            q, y = 4, y - 1
        out.append(f"{y}Q{q}")
    return out[::-1]


#: Coordinates are stored with 6 decimals (~0.1 m); points are tested after rounding.
_DECIMALS = 6

_EPOCH = date(1970, 1, 1)
_US_DAY = 86_400 * 1_000_000


def _day_no(d: date) -> int:
    return (d - _EPOCH).days


# --------------------------------------------------------------------------- generator


class _Gen:
    """One run of the generator: the random state and the tables built so far."""

    def __init__(self, scale: Scale, seed: int, anchor: date, district: str | None,
                 progress: Callable[[float, str], None] | None):
        self.scale = scale
        self.seed = int(seed)
        self.anchor = anchor
        self.district = district
        key = [self.seed % 2**63, list(SCALES).index(scale.name), int(district or 0)]
        #: places and inventories: independent of the anchor, so the map stays the same
        self.rng = np.random.default_rng(key)
        #: the key of the random streams of places of their own (:meth:`build_roads`)
        self.place_key = key
        #: anything in time (readings, KPI values, events): also depends on the anchor
        self.trng = np.random.default_rng([*key, _day_no(anchor) + 1_000_000])
        self.srng = np.random.default_rng(_STRUCT_SEED)
        self._progress = progress
        self.tables: dict[str, pa.Table] = {}

    def progress(self, f: float, msg: str) -> None:
        if self._progress is not None:
            self._progress(float(f), msg)

    # ------------------------------------------------------------------ geometry helpers

    def _scatter(self, cx, cy, sigma_km, didx, max_iter: int = 40, rng=None):
        """Points normally scattered around (cx, cy), each inside district didx's polygon."""
        rng = self.rng if rng is None else rng
        n = len(cx)
        x = np.empty(n)
        y = np.empty(n)
        sigma = np.broadcast_to(np.asarray(sigma_km, float), (n,)).copy()
        todo = np.arange(n)
        for it in range(max_iter):
            if todo.size == 0:
                break
            dlon, dlat = geo.km_to_deg(sigma[todo], cy[todo])
            px = np.round(cx[todo] + rng.standard_normal(todo.size) * dlon, _DECIMALS)
            py = np.round(cy[todo] + rng.standard_normal(todo.size) * dlat, _DECIMALS)
            ok = shapely.contains_xy(self.poly_arr[didx[todo]], px, py)
            x[todo[ok]] = px[ok]
            y[todo[ok]] = py[ok]
            todo = todo[~ok]
            if it >= 4:
                sigma[todo] *= 0.7
        x[todo] = cx[todo]
        y[todo] = cy[todo]
        return x, y

    def _uniform(self, didx, max_iter: int = 60):
        """Points uniformly inside their district polygon."""
        rng = self.rng
        n = len(didx)
        x = np.empty(n)
        y = np.empty(n)
        todo = np.arange(n)
        for _ in range(max_iter):
            if todo.size == 0:
                break
            b = self.bounds[didx[todo]]
            px = np.round(rng.uniform(b[:, 0], b[:, 2]), _DECIMALS)
            py = np.round(rng.uniform(b[:, 1], b[:, 3]), _DECIMALS)
            ok = shapely.contains_xy(self.poly_arr[didx[todo]], px, py)
            x[todo[ok]] = px[ok]
            y[todo[ok]] = py[ok]
            todo = todo[~ok]
        x[todo] = self.seat_xy[didx[todo], 0]
        y[todo] = self.seat_xy[didx[todo], 1]
        return x, y

    def _jitter(self, x, y, metres: float, didx, rng=None):
        """Points a few metres from (x, y); kept at (x, y) where the jitter leaves the district."""
        rng = self.rng if rng is None else rng
        dlon, dlat = geo.km_to_deg(metres / 1000.0, y)
        px = np.round(x + rng.standard_normal(len(x)) * dlon, _DECIMALS)
        py = np.round(y + rng.standard_normal(len(x)) * dlat, _DECIMALS)
        ok = shapely.contains_xy(self.poly_arr[didx], px, py)
        return np.where(ok, px, x), np.where(ok, py, y)

    # ------------------------------------------------------------------ admin tree

    def build_admin(self) -> None:
        """The admin tree: districts, streets, communities and grids with their places and
        weights, then the ``admin_unit`` table (the steps below, in this order: each draws
        from the generator's random stream)."""
        ref = geo.admin_units()
        polys = geo.district_polygons()
        dnames = geo.district_names()
        st_all = ref[ref.level == "street"]
        cm_all = ref[ref.level == "community"]
        self._admin_districts(polys, dnames)
        dens = self._admin_weights(list(polys), st_all, cm_all)
        sx, sy = self._admin_streets(st_all)
        cx, cy, csig = self._admin_communities(cm_all)
        gx, gy, g_name = self._admin_grids(cm_all, csig, dens)
        rows = self._admin_top_rows(polys, dnames)
        self._admin_table(rows, (sx, sy), (cx, cy), (gx, gy), g_name)

    def _admin_districts(self, polys: dict, dnames: dict) -> None:
        """The dataset's districts (all 38, or the one of a district's dataset) and their
        shapes, seats and sizes."""
        seats = geo.district_seats()
        real = list(polys)
        if self.district is not None and self.district not in polys:
            raise ValueError(f"unknown district code {self.district!r}: expected one of the 38 "
                             f"real district codes ({', '.join(real)})")
        self.dcodes = [self.district] if self.district else real
        self.dnames = [dnames[c] for c in self.dcodes]
        self.poly_arr = np.array([polys[c] for c in self.dcodes], dtype=object)
        self.bounds = np.array([p.bounds for p in self.poly_arr])
        self.seat_xy = np.array([seats[c] for c in self.dcodes])
        self.area = np.array([geo.area_km2(p) for p in self.poly_arr])
        self.central = np.array([c in geo.CENTRAL_DISTRICTS for c in self.dcodes])

    def _admin_weights(self, real: list[str], st_all: pd.DataFrame,
                       cm_all: pd.DataFrame) -> dict[str, float]:
        """The weight of every real district (for the shares of a one-district dataset);
        returns each district's density factor."""
        st_is_sub = dict(zip(st_all.code, st_all.name.str.endswith("街道"), strict=True))
        st_parent = dict(zip(st_all.code, st_all.parent_code, strict=True))
        cw = (np.where(cm_all.name.str.contains("社区"), 2.5, 1.0)
              * np.where(cm_all.parent_code.map(st_is_sub).to_numpy(bool), 1.5, 1.0))
        cd = cm_all.parent_code.map(st_parent).to_numpy()
        dens = {c: (6.0 if c == "500103" else 3.5 if c in geo.CENTRAL_DISTRICTS else 1.0)
                for c in real}
        wdist = pd.Series(cw * np.array([dens[c] for c in cd])).groupby(cd).sum()
        self.all_weight = {c: float(wdist.get(c, 0.0)) for c in real}
        self.share = (self.all_weight[self.district] / sum(self.all_weight.values())
                      if self.district else 1.0)
        return dens

    def _admin_streets(self, st_all: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """The streets of the dataset's districts and their places (lon, lat)."""
        dpos = {c: i for i, c in enumerate(self.dcodes)}
        st = st_all[st_all.parent_code.isin(self.dcodes)].reset_index(drop=True)
        self.st_code = st.code.to_numpy(object)
        self.st_name = st.name.to_numpy(object)
        self.st_didx = st.parent_code.map(dpos).to_numpy(np.int64)
        self.st_sub = st.name.str.endswith("街道").to_numpy(bool)
        sx, sy = self._uniform(self.st_didx)
        # urban streets (街道) are pulled toward the district's urban seat; the central
        # districts are urban almost throughout (the two smallest entirely: uniform there)
        sub = np.flatnonzero(self.st_sub & (self.area[self.st_didx] > 150))
        a = self.area[self.st_didx[sub]]
        sig = np.where(self.central[self.st_didx[sub]], 0.25 * np.sqrt(a),
                       np.clip(0.06 * np.sqrt(a), 1.2, 6.0))
        ux, uy = self._scatter(self.seat_xy[self.st_didx[sub], 0],
                               self.seat_xy[self.st_didx[sub], 1],
                               sig, self.st_didx[sub])
        sx[sub], sy[sub] = ux, uy
        self.st_xy = np.column_stack([sx, sy])
        return sx, sy

    def _admin_communities(self, cm_all: pd.DataFrame
                           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The communities of the streets and their places; returns (lon, lat, the spread
        around each community in km)."""
        n_st_d = np.bincount(self.st_didx, minlength=len(self.dcodes))
        stpos = {c: i for i, c in enumerate(self.st_code)}
        cm = cm_all[cm_all.parent_code.isin(stpos)].reset_index(drop=True)
        self.cm_code = cm.code.to_numpy(object)
        self.cm_name = cm.name.to_numpy(object)
        self.cm_short = cm.name.str.replace(r"(居民委员会|村民委员会|工作站|委员会)$", "",
                                            regex=True).to_numpy(object)
        self.cm_sidx = cm.parent_code.map(stpos).to_numpy(np.int64)
        self.cm_didx = self.st_didx[self.cm_sidx]
        self.cm_urban = cm.name.str.contains("社区").to_numpy(bool)
        base = np.sqrt(self.area / np.maximum(n_st_d, 1))  # km per street
        csig = base[self.cm_didx] * np.where(self.cm_urban, 0.25, 0.45)
        cx, cy = self._scatter(self.st_xy[self.cm_sidx, 0], self.st_xy[self.cm_sidx, 1], csig,
                               self.cm_didx)
        self.cm_xy = np.column_stack([cx, cy])
        return cx, cy, csig

    def _admin_grids(self, cm_all: pd.DataFrame, csig: np.ndarray, dens: dict[str, float]
                     ) -> tuple[np.ndarray, np.ndarray, pa.Array]:
        """The grids of the communities, their places and names, and the weights that place
        the events (where people and pipes are); returns (lon, lat, names)."""
        ncm = len(self.cm_code)
        if self.scale.grids is None:
            ng = np.ones(ncm, dtype=np.int64)
        else:
            # the same density as the whole city has, also in a one-district dataset
            urban_all = cm_all.name.str.contains("社区").to_numpy(bool)
            lam = (max(self.scale.grids - len(cm_all), 0)
                   / (2 * urban_all.sum() + (~urban_all).sum()))
            ng = 1 + self.rng.poisson(np.where(self.cm_urban, 2 * lam, lam))
            ng = np.minimum(ng, 999)
        self.g_cidx = np.repeat(np.arange(ncm), ng)
        starts = np.repeat(np.cumsum(ng) - ng, ng)
        self.g_no = np.arange(len(self.g_cidx)) - starts + 1
        self.g_sidx = self.cm_sidx[self.g_cidx]
        self.g_didx = self.cm_didx[self.g_cidx]
        gsig = np.maximum(csig[self.g_cidx] * 0.3, 0.12)
        gx, gy = self._scatter(self.cm_xy[self.g_cidx, 0], self.cm_xy[self.g_cidx, 1], gsig,
                               self.g_didx)
        self.g_xy = np.column_stack([gx, gy])
        self.g_code = _cat(_take(self.cm_code, self.g_cidx), _num(self.g_no, 3))
        g_name = _cat(_take(self.cm_short, self.g_cidx), "第", _num(self.g_no), "网格")
        self.g_urban = self.cm_urban[self.g_cidx]

        # weights of grids: where people and pipes are
        dfac = np.array([dens[c] for c in self.dcodes])
        self.g_weight = (dfac[self.g_didx] * np.where(self.g_urban, 2.5, 1.0)
                         * np.where(self.st_sub[self.g_sidx], 1.5, 1.0))
        self.g_p_urban = self.g_weight / self.g_weight.sum()
        rw = np.where(self.g_urban, 0.3, 1.0) * np.where(self.central[self.g_didx], 0.5, 1.0)
        self.g_p_rural = rw / rw.sum()
        return gx, gy, g_name

    def _admin_top_rows(self, polys: dict, dnames: dict) -> list[tuple]:
        """The rows above the streets, ``(code, name, level, parent, lon, lat,
        functional_zone, ranked)``: the city, its districts and its functional zones (zones
        in the city dataset only), or a district's dataset's one district. Sets the top unit,
        the ranked units and the district-level units."""
        real = list(polys)
        zones = [] if self.district else list(geo.FUNCTIONAL_ZONES)
        zpolys = geo.zone_polygons()
        self.zone_codes = [z.code for z in zones]
        if self.district:
            top = self.district
            rp = polys[top].point_on_surface()
            self.top_name = dnames[top]
            rows = [(top, dnames[top], "district", None, rp.x, rp.y, False, False)]
            self.ranked_codes = list(self.st_code)
            self.ranked_names = list(self.st_name)
            self.top = top
        else:
            self.top = geo.CITY_CODE
            self.top_name = geo.CITY_NAME
            rows = [(geo.CITY_CODE, geo.CITY_NAME, "city", None, geo.CITY_SEAT[0],
                     geo.CITY_SEAT[1], False, False)]
            for c in real:
                rp = polys[c].point_on_surface()
                rows.append((c, dnames[c], "district", geo.CITY_CODE, rp.x, rp.y, False, True))
            for z in zones:
                rp = zpolys[z.code].point_on_surface()
                rows.append((z.code, z.name, "district", geo.CITY_CODE, rp.x, rp.y, True, True))
            self.ranked_codes = list(real) + self.zone_codes
            self.ranked_names = [dnames[c] for c in real] + [z.name for z in zones]
        self.dl_codes = list(self.dcodes) + self.zone_codes  # district-level units
        self.dl_names = list(self.dnames) + [z.name for z in zones]
        return rows

    def _admin_table(self, rows: list[tuple], st_xy: tuple, cm_xy: tuple, g_xy: tuple,
                     g_name: pa.Array) -> None:
        """The ``admin_unit`` table: the top ``rows``, then the streets, communities and
        grids (each with its (lon, lat) arrays)."""
        (rows_code, rows_name, rows_level, rows_parent, rows_x, rows_y, rows_fz,
         rows_ranked) = (list(col) for col in zip(*rows, strict=True))
        (sx, sy), (cx, cy), (gx, gy) = st_xy, cm_xy, g_xy
        ns, nc, ngr = len(self.st_code), len(self.cm_code), len(self.g_cidx)
        code = pa.concat_arrays([pa.array(rows_code, pa.string()),
                                 pa.array(self.st_code.tolist(), pa.string()),
                                 pa.array(self.cm_code.tolist(), pa.string()), self.g_code])
        name = pa.concat_arrays([pa.array(rows_name, pa.string()),
                                 pa.array(self.st_name.tolist(), pa.string()),
                                 pa.array(self.cm_name.tolist(), pa.string()), g_name])
        level = np.array(rows_level + ["street"] * ns + ["community"] * nc + ["grid"] * ngr,
                         dtype=object)
        parent = pa.concat_arrays([
            pa.array(rows_parent, pa.string()),
            _take(self.dcodes, self.st_didx),
            _take(self.st_code, self.cm_sidx),
            _take(self.cm_code, self.g_cidx),
        ])
        lon = np.concatenate([rows_x, sx, cx, gx])
        lat = np.concatenate([rows_y, sy, cy, gy])
        fz = np.concatenate([rows_fz, np.zeros(ns + nc + ngr, bool)])
        ranked = np.concatenate([rows_ranked, np.full(ns, bool(self.district)),
                                 np.zeros(nc + ngr, bool)])
        self.tables["admin_unit"] = _table("admin_unit", {
            "code": code, "name": name, "level": level, "parent_code": parent,
            "lon": np.round(lon, 6), "lat": np.round(lat, 6), "functional_zone": fz,
            "ranked": ranked,
        })

    # ------------------------------------------------------------------ departments

    def build_departments(self) -> None:
        ids, names, levels, kinds, units = [], [], [], [], []
        for code, kind, cname, _dfmt in DEPT_KINDS:
            ids.append(city_dept(code))
            names.append(cname)
            levels.append("city")
            kinds.append(kind)
            units.append(None if self.district else geo.CITY_CODE)
        for ucode, uname in zip(self.dl_codes, self.dl_names, strict=True):
            for code, kind, _cname, dfmt in DEPT_KINDS:
                ids.append(f"D-{ucode}-{code}")
                names.append(dfmt.format(d=uname))
                levels.append("district")
                kinds.append(kind)
                units.append(ucode)
        for scode, sname in zip(self.st_code, self.st_name, strict=True):
            ids.append(f"D-{scode}-JD")
            names.append(f"{sname}办事处" if sname.endswith("街道") else f"{sname}人民政府")
            levels.append("street")
            kinds.append("街道办事处")
            units.append(scode)
        self.tables["department"] = _table("department", {
            "dept_id": ids, "name": names, "level": levels, "kind": kinds, "unit_code": units})
        # district department ids by (district index, kind index), flattened
        self.ddept = [f"D-{d}-{k}" for d in self.dcodes for k in DEPT_CODES]

    def build_risk_categories(self) -> None:
        self.tables["risk_category"] = _table("risk_category", {
            "category_id": [r[0] for r in RISK_CATEGORIES],
            "name": [r[1] for r in RISK_CATEGORIES],
            "domain": [r[2] for r in RISK_CATEGORIES],
        })

    def _count(self, full: int, minimum: int) -> int:
        if not self.district:
            return full
        return int(max(round(full * self.share), minimum))

    # ------------------------------------------------------------------ risk points

    def build_risk_points(self) -> None:
        rng = self.rng
        n = self._count(self.scale.risk_points, self.scale.min_risk_points)
        g = np.sort(rng.choice(len(self.g_cidx), size=n, p=self.g_p_urban))
        urban = self.g_urban[g] | self.central[self.g_didx[g]]
        cat = np.empty(n, dtype=np.int64)
        wu = np.array([r[4] for r in RISK_CATEGORIES], float)
        wr = np.array([r[5] for r in RISK_CATEGORIES], float)
        iu = np.flatnonzero(urban)
        ir = np.flatnonzero(~urban)
        cat[iu] = rng.choice(len(wu), size=iu.size, p=wu / wu.sum())
        cat[ir] = rng.choice(len(wr), size=ir.size, p=wr / wr.sum())
        didx = self.g_didx[g]
        sidx = self.g_sidx[g]
        sig = np.where(self.g_urban[g], 0.25, 0.8)
        x, y = self._scatter(self.g_xy[g, 0], self.g_xy[g, 1], sig, didx)
        level = rng.choice(4, size=n, p=[0.02, 0.08, 0.30, 0.60]).astype(np.int32) + 1
        max_age = np.array([0, 30, 90, 180, 365])[level]
        inspected = _day_no(self.anchor) - 1 - np.floor(rng.random(n) * max_age).astype(np.int64)
        owner_kind = np.array([_DEPT_POS[r[3]] for r in RISK_CATEGORIES])[cat]
        seq = pd.Series(sidx * 64 + cat).groupby(sidx * 64 + cat).cumcount().to_numpy() + 1
        name = _cat(_take(self.dnames, didx), _take(self.st_name, sidx),
                    _take([r[1] for r in RISK_CATEGORIES], cat), "风险点", _num(seq, 4))
        self.rp_n = n
        self.rp_cat = cat
        self.rp_didx = didx
        self.rp_sidx = sidx
        self.rp_xy = np.column_stack([x, y])
        self.rp_name = name
        # index: points of (district, category), for vital signs and sensor events
        key = didx * 64 + cat
        order = np.argsort(key, kind="stable")
        uk, start, cnt = np.unique(key[order], return_index=True, return_counts=True)
        self.rp_by_key = {int(k): order[s:s + c] for k, s, c in zip(uk, start, cnt, strict=True)}
        corder = np.argsort(cat, kind="stable")
        ck, cs, cc = np.unique(cat[corder], return_index=True, return_counts=True)
        self.rp_by_cat = {int(k): corder[s:s + c] for k, s, c in zip(ck, cs, cc, strict=True)}
        self.tables["risk_point"] = _table("risk_point", {
            "point_id": np.arange(1, n + 1, dtype=np.int64),
            "category_id": _take([r[0] for r in RISK_CATEGORIES], cat),
            "name": name,
            "lon": np.round(x, 6), "lat": np.round(y, 6),
            "district_code": _take(self.dcodes, didx),
            "street_code": _take(self.st_code, sidx),
            "level": level,
            "grid_code": self.g_code.take(pa.array(g)),
            "owner_dept": _take(self.ddept, didx * len(DEPT_CODES) + owner_kind),
            "last_inspected": inspected.astype(np.int32),
        })

    # ------------------------------------------------------------------ sensors

    def build_sensors(self) -> None:
        rng = self.rng
        n = self._count(self.scale.sensors, self.scale.min_sensors)
        n_tied = min(int(round(n * 0.85)), self.rp_n)
        pts = np.sort(rng.choice(self.rp_n, size=n_tied, replace=False))
        cat = self.rp_cat[pts]
        kinds: list[str] = []
        kind_of_cat = []
        for r in RISK_CATEGORIES:
            kind_of_cat.append([_kind_index(kinds, k) for k in r[6]])
        kidx = np.empty(n_tied, dtype=np.int64)
        for c, ks in enumerate(kind_of_cat):
            m = np.flatnonzero(cat == c)
            if m.size:
                kidx[m] = np.asarray(ks)[rng.integers(0, len(ks), m.size)]
        didx = self.rp_didx[pts]
        tx, ty = self._jitter(self.rp_xy[pts, 0], self.rp_xy[pts, 1], 4.0, didx)
        # free sensors
        n_free = n - n_tied
        g = rng.choice(len(self.g_cidx), size=n_free, p=self.g_p_urban)
        fdidx = self.g_didx[g]
        fx, fy = self._scatter(self.g_xy[g, 0], self.g_xy[g, 1], 0.3, fdidx)
        fk = np.array([_kind_index(kinds, k) for k in FREE_SENSOR_KINDS])
        fkidx = fk[rng.choice(len(fk), size=n_free, p=[0.3, 0.25, 0.15, 0.1, 0.1, 0.1])]
        point_id = np.concatenate([pts + 1, np.zeros(n_free, np.int64)])
        pid = pa.array(point_id,
                       mask=np.concatenate([np.zeros(n_tied, bool), np.ones(n_free, bool)]))
        self.tables["sensor"] = _table("sensor", {
            "sensor_id": np.arange(1, n + 1, dtype=np.int64),
            "kind": _take(kinds, np.concatenate([kidx, fkidx])),
            "point_id": pid,
            "lon": np.round(np.concatenate([tx, fx]), 6),
            "lat": np.round(np.concatenate([ty, fy]), 6),
            "district_code": _take(self.dcodes, np.concatenate([didx, fdidx])),
        })

    # ------------------------------------------------------------------ vital signs

    def build_vital_signs(self) -> None:
        """The indicators (``vital_sign``): how many each unit owns, which templates, their
        names and sites, then their thresholds scaled to the unit."""
        T = VITAL_TEMPLATES
        total = self._count(self.scale.vital_signs, self.scale.min_vital_signs)
        units, alloc = self._vital_owners(total)
        rows = self._vital_rows(units, alloc)
        rows.sort(key=lambda r: r[0])  # stable: by owning unit, templates in order
        n = len(rows)
        ids = _ids_by_unit(rows)
        ti = np.array([r[3] for r in rows], dtype=np.int64)
        scl = np.array([r[5] for r in rows])

        def thr(j):
            v = np.array([np.nan if T[t][j] is None else T[t][j] for t in ti], float) * scl
            dec = np.array([T[t][10] for t in ti])
            return np.round(v * 10.0 ** dec) / 10.0 ** dec

        wl, wh, al, ah = thr(6), thr(7), thr(8), thr(9)
        pidx = np.array([r[4] for r in rows], dtype=np.int64)
        self.vs_ids = ids
        self.vs_t = ti
        self.vs_scale = scl
        self.vs_thr = (wl, wh, al, ah)
        self.tables["vital_sign"] = _table("vital_sign", {
            "indicator_id": ids,
            "name": [r[2] for r in rows],
            "domain": [T[t][1] for t in ti],
            "unit": [T[t][3] for t in ti],
            "unit_code": [r[1] for r in rows],
            "warn_low": wl, "warn_high": wh, "alarm_low": al, "alarm_high": ah,
            "point_id": pa.array(np.where(pidx >= 0, pidx + 1, 0), mask=pidx < 0),
            # the alarm → event type link, as data (datasets/vitals/demo_links.py)
            "event_type_id": demo_event_types(
                [r[2] for r in rows], [T[t][1] for t in ti],
                set(self.tables["event_type"]["type_id"].to_pylist())),
        })
        self.vs_n = n

    def _vital_owners(self, total: int) -> tuple[list[tuple], list[int]]:
        """The units that own indicators, ``(code, name, district index or -1, weight)``,
        and how many of the ``total`` each owns."""
        nt = len(VITAL_TEMPLATES)
        if self.district:
            units = [(self.district, self.top_name, 0, 1.0)]
            alloc = [total]
        else:
            zw = {}
            for z in geo.FUNCTIONAL_ZONES:
                zw[z.code] = 0.5 * float(np.mean([self.all_weight[c] for c in z.districts]))
            w = np.array([self.all_weight[c] for c in self.dcodes]
                         + [zw[c] for c in self.zone_codes])
            units = [(geo.CITY_CODE, "全市", -1, 0.0)]
            units += [(c, nm, i if i < len(self.dcodes) else -1, float(w[i]))
                      for i, (c, nm) in enumerate(zip(self.dl_codes, self.dl_names, strict=True))]
            n_city = min(nt, max(total // 20, 1))
            rest = total - n_city
            ww = np.sqrt(w)
            raw = rest * ww / ww.sum()
            base = np.floor(raw).astype(int)
            rem = rest - base.sum()
            base[np.argsort(-(raw - base), kind="stable")[:rem]] += 1
            alloc = [n_city] + base.tolist()
        return units, alloc

    def _vital_rows(self, units: list[tuple], alloc: list[int]) -> list[tuple]:
        """Each unit's indicators: ``(owning unit, unit_code, name, template index, point
        index or -1, scale)``. A template a unit has more than once is named by its site (a
        risk point of the template's category, else a street's monitoring point)."""
        rng = self.rng
        T = VITAL_TEMPLATES
        nt = len(T)
        extra_w = np.array([t[15] for t in T], float)
        mean_w = np.mean([u[3] for u in units if u[3] > 0])
        rows = []  # (owning unit, unit_code, name, template index, point index or -1, scale)
        for (ucode, uname, didx, uw), k in zip(units, alloc, strict=True):
            if k <= 0:
                continue
            if k >= nt:
                tidx = list(range(nt))
                p = extra_w / extra_w.sum()
                tidx += rng.choice(nt, size=k - nt, p=p).tolist()
            else:
                p = (extra_w + 1.0) / (extra_w + 1.0).sum()
                tidx = rng.choice(nt, size=k, replace=False, p=p).tolist()
            tidx.sort()
            if ucode == geo.CITY_CODE:
                scl = 25.0
            else:
                scl = float(np.clip((uw / mean_w) ** 0.6, 0.3, 3.0))
            seen: dict[int, int] = {}
            for ti in tidx:
                t = T[ti]
                seen[ti] = seen.get(ti, 0) + 1
                pidx = -1
                if seen[ti] == 1:
                    name = f"{uname}{t[2]}"
                else:
                    site = None
                    if didx >= 0 and t[14] is not None:
                        cands = self.rp_by_key.get(didx * 64 + _RC_POS[t[14]])
                        if cands is not None and cands.size:
                            pidx = int(cands[rng.integers(0, cands.size)])
                            site = self.rp_name[pidx].as_py()
                    if site is None:
                        if didx >= 0:
                            sts = np.flatnonzero(self.st_didx == didx)
                            site = (f"{self.st_name[sts[rng.integers(0, sts.size)]]}"
                                    f"监测点{seen[ti]:02d}")
                        else:
                            site = f"{uname}监测点{seen[ti]:02d}"
                    name = f"{t[2]}（{site}）"
                unit_code = ucode
                if self.district and pidx >= 0 and rng.random() < 0.3:
                    unit_code = self.st_code[self.rp_sidx[pidx]]  # a street's own indicator
                rows.append((ucode, unit_code, name, ti, pidx, scl if t[12] else 1.0))
        return rows

    def build_vital_readings(self) -> None:
        """The readings (``vital_reading``): each indicator follows its template's daily
        shape with its own level, amplitude, drift and noise, a few stray out of band, and
        the drills' windows get theirs."""
        rng = self.trng
        T = VITAL_TEMPLATES
        sc = self.scale
        step_us = sc.reading_step_min * 60 * 1_000_000
        start_day = _day_no(self.anchor) - (sc.reading_days - 1)
        n_t = sc.reading_days * 24 * 60 // sc.reading_step_min
        ts = start_day * _US_DAY + np.arange(n_t, dtype=np.int64) * step_us
        hours = (np.arange(n_t) * sc.reading_step_min / 60.0) % 24.0
        days = np.arange(n_t) * sc.reading_step_min / 1440.0
        weekday = (start_day + np.floor(days).astype(np.int64) + 3) % 7  # 0 = Monday
        weekend = weekday >= 5
        shape_names, shape_mat = _daily_shapes(hours, weekend)
        ti = self.vs_t
        n = len(ti)
        scl = self.vs_scale
        lo = np.array([T[t][4] for t in ti]) * scl
        hi = np.array([T[t][5] for t in ti]) * scl
        mid = (lo + hi) / 2
        half = (hi - lo) / 2
        sh = np.array([shape_names.index(T[t][11]) for t in ti])
        amp = half * rng.uniform(0.45, 0.75, n)
        noise = half * rng.uniform(0.06, 0.14, n)
        slope = half * rng.uniform(-0.04, 0.04, n)  # per day
        offset = half * rng.uniform(-0.25, 0.25, n)
        v = (mid + offset)[:, None] + amp[:, None] * shape_mat[sh] \
            + slope[:, None] * (days - days.mean())[None, :]
        v += noise[:, None] * rng.standard_normal((n, n_t))
        self._add_excursions(v, n_t)
        floor = np.zeros(n)
        cap = np.array([np.inf if T[t][13] is None else T[t][13] for t in ti])
        v = np.clip(v, floor[:, None], cap[:, None])
        dec = np.array([T[t][10] for t in ti], dtype=float)
        f = 10.0 ** dec
        v = np.round(v * f[:, None]) / f[:, None]
        ids = pa.array(self.vs_ids, pa.string())
        self.tables["vital_reading"] = _table("vital_reading", {
            "indicator_id": ids.take(pa.array(np.repeat(np.arange(n, dtype=np.int64), n_t))),
            "ts": np.tile(ts, n),
            "value": v.ravel(),
        })
        # the drills' windows get readings too (datasets/drill_city.py, issue 19)
        from cockpit.datasets.drill_city import add_scenario_readings, scenario_windows

        self.tables["vital_reading"] = add_scenario_readings(
            self.tables["vital_reading"], n, sc.reading_step_min, scenario_windows())
        self.readings_end_us = (start_day + sc.reading_days) * _US_DAY

    def _add_excursions(self, v: np.ndarray, n_t: int) -> None:
        """Push a few series out of band (in place): ~4 % into warning only, ~1 % into
        alarm, each a bump of one to four hours (40 % of them today)."""
        rng = self.trng
        sc = self.scale
        n = len(v)
        wl, wh, al, ah = self.vs_thr
        n_alarm = max(int(round(0.01 * n)), 1 if n >= 50 else 0)
        n_warn = max(int(round(0.04 * n)), 1 if n >= 20 else 0)
        pick = rng.choice(n, size=min(n_alarm + n_warn, n), replace=False)
        today0 = n_t - 24 * 60 // sc.reading_step_min
        for j, i in enumerate(pick):
            to_alarm = j < n_alarm
            has_hi = not np.isnan(wh[i])
            has_lo = not np.isnan(wl[i])
            high = has_hi and (not has_lo or rng.random() < 0.5)
            w_, a_ = (wh[i], ah[i]) if high else (wl[i], al[i])
            gap = abs(a_ - w_) if not np.isnan(a_) else abs(w_) * 0.2
            sgn = 1.0 if high else -1.0
            if to_alarm and not np.isnan(a_):
                target = a_ + sgn * gap * rng.uniform(0.1, 0.4)
            else:
                target = w_ + sgn * gap * rng.uniform(0.25, 0.7)
            if rng.random() < 0.4:
                t0 = int(rng.integers(today0, n_t))
            else:
                t0 = int(rng.integers(n_t // 8, n_t))
            width = rng.uniform(1.0, 4.0) * 60 / sc.reading_step_min
            bump = np.exp(-0.5 * ((np.arange(n_t) - t0) / width) ** 2)
            v[i] += (target - v[i, t0]) * bump

    # ------------------------------------------------------------------ KPIs

    def build_kpis(self) -> None:
        srng = self.srng
        runways = [(b, r) for b in schema.BOARDS for r in RUNWAYS[b]]
        nr = len(runways)
        per = np.full(nr, N_KPIS // nr)
        per[srng.choice(nr, size=N_KPIS - per.sum(), replace=False)] += 1
        rows = []
        for (board, runway), k in zip(runways, per, strict=True):
            bi = schema.BOARDS.index(board) + 1
            ri = RUNWAYS[board].index(runway) + 1
            pool = [t for t in (_KPI_ECON if board == "经济发展" else _KPI_GOV)
                    if t[6] is None or board in t[6]]
            tpl = srng.choice(len(pool), size=int(k), replace=False)
            n_sub = int(srng.choice([0, 0, 0, 2, 3]))
            subs = list(srng.choice(_SUB_RUNWAYS, size=n_sub, replace=False)) if n_sub else []
            for j, t in enumerate(tpl):
                suffix, unit, direction, (tlo, thi), spread, dec, _boards = pool[t]
                target = round(float(srng.uniform(tlo, thi)), dec)
                rows.append(dict(
                    kpi_id=f"K{bi}-{ri:02d}-{j + 1:02d}", name=f"{runway}{suffix}", board=board,
                    runway=runway, sub_runway=f"{runway}·{subs[j % n_sub]}" if n_sub else None,
                    unit=unit, direction=direction, weight=float(srng.uniform(0.5, 2.0)),
                    target=target, spread=spread, dec=dec))
        df = pd.DataFrame(rows)
        df["weight"] = (df.weight / df.groupby("board").weight.transform("sum") * 100).round(2)
        self.kpi = df
        self.tables["kpi"] = _table("kpi", {
            "kpi_id": df.kpi_id.tolist(), "name": df.name.tolist(), "board": df.board.tolist(),
            "runway": df.runway.tolist(), "sub_runway": [r["sub_runway"] for r in rows],
            "unit": df.unit.tolist(), "direction": df.direction.tolist(),
            "weight": df.weight.to_numpy(float), "target": df.target.to_numpy(float)})

    def build_kpi_values(self) -> None:
        rng = self.trng
        df = self.kpi
        periods = quarters_before(self.anchor, 8)
        self.periods = periods
        nk, nu, nq = len(df), len(self.ranked_codes), len(periods)
        q_unit = rng.standard_normal(nu)
        drift = np.cumsum(rng.normal(0, 0.45, (nu, nq)), axis=1)
        drift -= drift.mean(axis=1, keepdims=True)
        f_ku = rng.standard_normal((nk, nu))
        e = rng.standard_normal((nk, nu, nq))
        z = (0.8 * q_unit[None, :, None] + 0.5 * drift[None, :, :] + 0.4 * f_ku[:, :, None]
             + 0.45 * e)
        target = df.target.to_numpy(float)
        spread = df.spread.to_numpy(float)
        sign = np.where(df.direction.to_numpy() == "higher", 1.0, -1.0)
        v = target[:, None, None] * (1 + (sign * spread)[:, None, None] * z)
        pct = df.unit.to_numpy() == "%"
        growth = df.name.str.contains("增速").to_numpy()
        upper = np.where(pct & (target >= 50) & (target <= 100), 100.0, np.inf)
        lower = np.where(growth, -np.inf, 0.0)
        v = np.clip(v, lower[:, None, None], upper[:, None, None])
        dec = df.dec.to_numpy(float)[:, None, None]
        v = np.round(v * 10 ** dec) / 10 ** dec
        v = v.ravel()
        missing = rng.random(v.size) < 0.01
        v[missing] = np.nan
        kidx = np.repeat(np.arange(nk), nu * nq)
        uidx = np.tile(np.repeat(np.arange(nu), nq), nk)
        pidx = np.tile(np.arange(nq), nk * nu)
        self.tables["kpi_value"] = _table("kpi_value", {
            "kpi_id": _take(df.kpi_id.tolist(), kidx),
            "unit_code": _take(self.ranked_codes, uidx),
            "period": _take(periods, pidx),
            "value": v,
        })

    # ------------------------------------------------------------------ plans and event types

    def build_plans_and_types(self) -> None:
        """The response plans (``plan``, ``plan_step``), then the event types."""
        base_plan = self._build_plans()
        self._build_event_types(base_plan)

    def _build_plans(self) -> dict[str, str]:
        """The written plans and one generated plan per event kind that needs one; returns
        the plan id of each event kind that has a plan."""
        srng = self.srng
        plan_ids, plan_names, plan_stages = [], [], []
        steps: list[tuple] = []

        def add_plan(pid, name, plan_steps):
            plan_ids.append(pid)
            plan_names.append(name)
            # emergencies run 反应 → 核实 → 处置 → 结案; the rest the loop (empty)
            plan_stages.append(EMERGENCY_FLOW if pid[2:] in EMERGENCY_TYPES else None)
            for i, (dept, action, due, stage) in enumerate(plan_steps, start=1):
                steps.append((pid, i, city_dept(dept), action, float(due), stage))

        for pid, name, plan_steps in _WRITTEN_PLANS:
            add_plan(pid, name, plan_steps)
        base_plan = {}
        for b in EVENT_BASES:
            code, name, cat, dept, _sev, react, verify, handle = b[:8]
            if code in _WRITTEN_PLAN_KINDS:
                base_plan[code] = f"P-{code}"
                continue
            if not b[12]:
                continue
            pid = f"P-{code}"
            base_plan[code] = pid
            k = int(srng.integers(3, 9))
            n_help = min(max(k - 4, 0), len(_PLAN_ASSISTS[cat]))
            helpers = (list(srng.choice(_PLAN_ASSISTS[cat], size=n_help, replace=False))
                       if n_help else [])
            st = [(dept, "接报签收，启动预案并通知联动单位", react, "react")]
            if k >= 4:
                st.append((dept, f"现场核查{name}情况，评估影响范围", verify, "verify"))
            for h in helpers:
                stage = str(srng.choice(["react", "verify", "handle"]))
                due = {"react": react, "verify": verify,
                       "handle": max(verify, round(handle * 0.6))}[stage]
                st.append((str(h), _ASSIST_ACTION[str(h)], due, stage))
            st.append((dept, f"完成{name}处置", handle, "handle"))
            st.append((dept, "复核销号，结案归档", round(handle * 1.2 + 30), "close"))
            order = {s: i for i, s in enumerate(schema.STAGES)}
            st.sort(key=lambda s: (order[s[3]], s[2]))
            add_plan(pid, f"{name}处置预案", st)
        self.tables["plan"] = _table("plan", {"plan_id": plan_ids, "name": plan_names,
                                              "stages": plan_stages})
        self.tables["plan_step"] = _table("plan_step", {
            "plan_id": [s[0] for s in steps], "step_no": np.array([s[1] for s in steps], np.int32),
            "dept_id": [s[2] for s in steps], "action": [s[3] for s in steps],
            "due_min": np.array([s[4] for s in steps]), "stage": [s[5] for s in steps],
        })
        return base_plan

    def _build_event_types(self, base_plan: dict[str, str]) -> None:
        """The event types: each base kind × variants in its contexts (the plain kind
        first), with deadlines, severity and plan."""
        srng = self.srng
        special = _WRITTEN_PLAN_KINDS
        nb = len(EVENT_BASES)
        nvar = np.full(nb, N_EVENT_TYPES // nb)
        nvar[: N_EVENT_TYPES - nvar.sum()] += 1
        t_rows = []
        t_base, t_weight = [], []
        t_ctx: list[str] = []  # each type's context ("" for the plain kind)
        for bi, (b, k) in enumerate(zip(EVENT_BASES, nvar, strict=True)):
            code, name, cat, dept, sev, react, verify, handle, w = b[:9]
            pool = NATURE_CONTEXTS if b[11] == "n" else URBAN_CONTEXTS
            ctx = [pool[i] for i in srng.permutation(len(pool))[: k - 1]]
            for v in range(k):
                if v == 0:
                    tid, tname, f, s = f"ET-{code}", name, 1.0, sev
                else:
                    c = ctx[v - 1]
                    tid, tname = f"ET-{code}-{v:02d}", f"{name}（{c}）"
                    f = 1.0 if code in special else float(srng.uniform(0.8, 1.25))
                    s = int(np.clip(sev - (1 if c in _SEVERE_CONTEXTS else 0), 1, 4))
                plan = base_plan.get(code)
                if plan is not None and v > 0 and code not in special and srng.random() < 0.06:
                    plan = None  # a few minor variants have no plan of their own
                r_ = max(1.0, round(react * f))
                v_ = max(r_, round(verify * f))
                h_ = max(v_, round(handle * f))
                t_rows.append((tid, tname, cat, city_dept(dept), r_, v_, h_, plan, s))
                t_base.append(bi)
                t_ctx.append("" if v == 0 else ctx[v - 1])
            # the plain kind is 4 parts, its variants together Σ 1/(1 + 0.15 v) parts, shared
            # by how common their contexts are (CONTEXT_PREVALENCE), not by their order
            t_weight.append(w * 4.0)
            if k > 1:
                prev = np.array([CONTEXT_PREVALENCE[c] for c in ctx[: k - 1]])
                share = sum(1.0 / (1 + 0.15 * v) for v in range(1, k))
                t_weight.extend((w * share * prev / prev.sum()).tolist())
        self.et_base = np.array(t_base)
        self.et_ctx = t_ctx
        self.et_weight = np.array(t_weight)
        self.et_ids = [r[0] for r in t_rows]
        self.et_names = [r[1] for r in t_rows]
        self.et_sev = np.array([r[8] for r in t_rows], np.int32)
        self.tables["event_type"] = _table("event_type", {
            "type_id": self.et_ids, "name": self.et_names, "category": [r[2] for r in t_rows],
            "dept_id": [r[3] for r in t_rows], "react_min": np.array([r[4] for r in t_rows], float),
            "verify_min": np.array([r[5] for r in t_rows], float),
            "handle_min": np.array([r[6] for r in t_rows], float),
            "plan_id": [r[7] for r in t_rows], "default_severity": self.et_sev,
            "network": _network_gen().event_networks(self.et_ids),
        })

    # ------------------------------------------------------------------ events

    def build_events(self) -> None:
        """The event history (``event``): when and from which source (``_event_times``),
        where (``_event_places``), how severe, and when each was closed."""
        rng = self.trng
        sc = self.scale
        n = self._count(sc.events, sc.min_events)
        end_day = _day_no(self.anchor) + 1
        start_day = end_day - (sc.event_days + 1)
        ts, src, et = self._event_times(n, start_day, end_day)
        x, y, didx, sidx, pid = self._event_places(src, self.et_base[et])
        self._place_contexts(src, et, x, y, didx, sidx)
        self._place_settlements(src, et, x, y, didx, sidx)
        self._place_roads(src, et, x, y, didx, sidx)
        # severity: the type's default, sometimes one step either way
        r = rng.random(n)
        sev = self.et_sev[et] + np.where(r < 0.06, -1, np.where(r > 0.85, 1, 0))
        sev = np.clip(sev, 1, 4).astype(np.int32)
        title = _cat(_take(self.st_name, sidx), " ", _take(self.et_names, et))
        self.tables["event"] = _table("event", {
            "event_id": np.arange(1, n + 1, dtype=np.int64),
            "type_id": _take(self.et_ids, et),
            "source": _take(schema.EVENT_SOURCES, src),
            "occurred_at": ts,
            "lon": np.round(x, 6), "lat": np.round(y, 6),
            "district_code": _take(self.dcodes, didx),
            "street_code": _take(self.st_code, sidx),
            "severity": sev,
            "title": title,
            "point_id": pa.array(pid, mask=pid == 0),
            "closed_at": self._closed_at(ts, et),
        })
        self.events_end_us = end_day * _US_DAY

    def _event_times(self, n: int, start_day: int, end_day: int
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``n`` events' times (µs), source indexes and type indexes, in time order: each
        source has its share, its hours of the day and its weekend factor."""
        rng = self.trng
        ndays = end_day - start_day
        dno = np.arange(start_day, end_day)
        weekday = (dno + 3) % 7
        season = 1 + 0.12 * np.sin(2 * np.pi * (((dno - 100) % 365) / 365.0))
        hours = np.arange(24)
        diurnal = 0.25 + np.exp(-((hours - 10.5) / 3.5) ** 2) \
            + 0.8 * np.exp(-((hours - 16) / 3.0) ** 2) \
            + 0.5 * np.exp(-((hours - 20.5) / 2.0) ** 2)
        work = np.where((hours >= 8) & (hours < 18), 1.0, 0.08)
        flat = np.ones(24)
        profiles = {  # source: (share, hour weights, weekend factor)
            "sensor": (0.14, 0.5 * flat + 0.5 * diurnal / diurnal.mean(), 1.0),
            "ai_camera": (0.34, diurnal, 1.1),
            "grid_worker": (0.24, work, 0.45),
            "hotline": (0.18, 0.1 + diurnal, 0.9),
            "drone": (0.03, np.where((hours >= 7) & (hours < 19), 1.0, 0.02), 0.8),
            "patrol": (0.07, 0.4 + diurnal, 1.0),
        }
        shares = np.array([profiles[s][0] for s in schema.EVENT_SOURCES])
        counts = rng.multinomial(n, shares / shares.sum())
        src_l, ts_l, type_l = [], [], []
        for si, (s, k) in enumerate(zip(schema.EVENT_SOURCES, counts, strict=True)):
            _share, hw, wkend = profiles[s]
            dw = season * np.where(weekday >= 5, wkend, 1.0)
            day = rng.choice(ndays, size=k, p=dw / dw.sum())
            hour = rng.choice(24, size=k, p=hw / hw.sum())
            sec = rng.integers(0, 3600, size=k)
            ts_l.append((start_day + day) * _US_DAY + (hour * 3600 + sec) * 1_000_000)
            src_l.append(np.full(k, si))
            sw = (np.array([EVENT_BASES[b][9].get(s, 0) for b in self.et_base], float)
                  * self.et_weight)
            type_l.append(rng.choice(len(sw), size=k, p=sw / sw.sum()))
        ts = np.concatenate(ts_l)
        src = np.concatenate(src_l)
        et = np.concatenate(type_l)
        order = np.argsort(ts, kind="stable")
        return ts[order], src[order], et[order]

    def _event_places(self, src: np.ndarray, base: np.ndarray) -> tuple[np.ndarray, ...]:
        """Where the events happened, ``(lon, lat, district index, street index, point id or
        0)``: a sensor's event at a risk point of its kind, the others near a grid (urban or
        rural by the event's kind)."""
        rng = self.trng
        n = len(src)
        x = np.empty(n)
        y = np.empty(n)
        didx = np.empty(n, np.int64)
        sidx = np.empty(n, np.int64)
        pid = np.zeros(n, np.int64)
        is_sensor = src == schema.EVENT_SOURCES.index("sensor")
        s_idx = np.flatnonzero(is_sensor)
        pts = np.empty(s_idx.size, np.int64)
        sb = base[s_idx]
        for b in np.unique(sb):
            m = np.flatnonzero(sb == b)
            cands = [self.rp_by_cat[_RC_POS[c]] for c in EVENT_BASES[b][10]
                     if _RC_POS[c] in self.rp_by_cat]
            pool = np.concatenate(cands) if cands else np.arange(self.rp_n)
            pts[m] = pool[rng.integers(0, pool.size, m.size)]
        pdidx = self.rp_didx[pts]
        px, py = self._jitter(self.rp_xy[pts, 0], self.rp_xy[pts, 1], 5.0, pdidx, rng=rng)
        x[s_idx], y[s_idx] = px, py
        didx[s_idx] = pdidx
        sidx[s_idx] = self.rp_sidx[pts]
        pid[s_idx] = pts + 1
        o_idx = np.flatnonzero(~is_sensor)
        nature = np.array([b[11] == "n" for b in EVENT_BASES])[base[o_idx]]
        g = np.empty(o_idx.size, np.int64)
        nu = np.flatnonzero(~nature)
        nn = np.flatnonzero(nature)
        g[nu] = rng.choice(len(self.g_cidx), size=nu.size, p=self.g_p_urban)
        g[nn] = rng.choice(len(self.g_cidx), size=nn.size, p=self.g_p_rural)
        gd = self.g_didx[g]
        gx, gy = self._scatter(self.g_xy[g, 0], self.g_xy[g, 1],
                               np.where(self.g_urban[g], 0.2, 0.6), gd, rng=rng)
        x[o_idx], y[o_idx] = gx, gy
        didx[o_idx] = gd
        sidx[o_idx] = self.g_sidx[g]
        return x, y, didx, sidx, pid

    def _place_contexts(self, src: np.ndarray, et: np.ndarray, x: np.ndarray, y: np.ndarray,
                        didx: np.ndarray, sidx: np.ndarray) -> None:
        """Move the reports of a variant whose context has a place (:data:`CONTEXT_SITES`)
        near a risk point of that category in their district (in place; a share
        :data:`CONTEXT_NEAR_SHARE`, within :data:`CONTEXT_NEAR_M`); a district without such a
        point keeps them where they were; sensor events stay at their points. A random stream
        of its own: the events' types, times, sources and levels are those drawn before."""
        rng = np.random.default_rng([self.seed % 2**63, 19, _day_no(self.anchor)])
        n = len(et)
        u = rng.random(n)
        ang = rng.random(n) * 2 * np.pi
        rad = CONTEXT_NEAR_M * np.sqrt(rng.random(n))
        pick = rng.integers(0, 1 << 40, n)
        site = np.array([_RC_POS.get(CONTEXT_SITES.get(c, ""), -1) for c in self.et_ctx])
        cat = site[et]
        sel = np.flatnonzero((cat >= 0) & (src != schema.EVENT_SOURCES.index("sensor"))
                             & (u < CONTEXT_NEAR_SHARE))
        key = didx[sel] * 64 + cat[sel]
        pt = np.full(sel.size, -1, np.int64)
        for k in np.unique(key).tolist():
            pool = self.rp_by_key.get(int(k))
            if pool is None or pool.size == 0:
                continue  # the district has no such place: the report stays where it was
            m = np.flatnonzero(key == k)
            pt[m] = pool[pick[sel[m]] % pool.size]
        ok = pt >= 0
        sel, pt = sel[ok], pt[ok]
        px, py = self.rp_xy[pt, 0], self.rp_xy[pt, 1]
        dlon, dlat = geo.km_to_deg(rad[sel] / 1000.0, py)
        qx = np.round(px + np.cos(ang[sel]) * dlon, _DECIMALS)
        qy = np.round(py + np.sin(ang[sel]) * dlat, _DECIMALS)
        d = self.rp_didx[pt]
        inside = shapely.contains_xy(self.poly_arr[d], qx, qy)
        # at the district's edge: at the place itself
        x[sel] = np.where(inside, qx, px)
        y[sel] = np.where(inside, qy, py)
        didx[sel] = d
        sidx[sel] = self.rp_sidx[pt]

    def _place_settlements(self, src: np.ndarray, et: np.ndarray, x: np.ndarray,
                           y: np.ndarray, didx: np.ndarray, sidx: np.ndarray) -> None:
        """Move the reports of a variant whose context lies in a kind of community
        (:data:`CONTEXT_SETTLEMENT`) to a grid of such a community in their district (in
        place; a share :data:`CONTEXT_NEAR_SHARE`, scattered around the grid as
        :meth:`_event_places` scatters every report), the grid drawn by the same weights as
        before (a village's by the rural weights, a residents' community's by the urban);
        a district without such a community keeps them where they were; sensor events stay
        at their points. A random stream of its own: the events' types, times, sources and
        levels, and the places of :meth:`_place_contexts`, are those drawn before."""
        rng = np.random.default_rng([self.seed % 2**63, 23, _day_no(self.anchor)])
        n = len(et)
        u = rng.random(n)
        pick = rng.random(n)
        kpos = {k: i for i, k in enumerate(_SETTLEMENT_KINDS)}
        kind = np.array([kpos.get(CONTEXT_SETTLEMENT.get(c, ""), -1) for c in self.et_ctx])[et]
        sel = np.flatnonzero((kind >= 0) & (src != schema.EVENT_SOURCES.index("sensor"))
                             & (u < CONTEXT_NEAR_SHARE))
        if sel.size == 0:
            return
        vil = ~self.g_urban
        sub = self.st_sub[self.g_sidx]
        g_class = {0: vil, 1: self.g_urban, 2: (vil & sub) | (self.g_urban & ~sub)}
        g_w = {0: self.g_p_rural, 1: self.g_p_urban, 2: self.g_p_urban}
        g = np.full(sel.size, -1, np.int64)
        ks, ds = kind[sel], didx[sel]
        for k in range(len(_SETTLEMENT_KINDS)):
            for d in np.unique(ds[ks == k]).tolist():
                pool = np.flatnonzero(g_class[k] & (self.g_didx == d))
                if pool.size == 0:
                    continue  # the district has no such community: the reports stay
                m = np.flatnonzero((ks == k) & (ds == d))
                cum = np.cumsum(g_w[k][pool])
                j = np.searchsorted(cum, pick[sel[m]] * cum[-1], side="right")
                g[m] = pool[np.minimum(j, pool.size - 1)]
        ok = g >= 0
        sel, g = sel[ok], g[ok]
        gx, gy = self._scatter(self.g_xy[g, 0], self.g_xy[g, 1],
                               np.where(self.g_urban[g], 0.2, 0.6), self.g_didx[g], rng=rng)
        x[sel], y[sel] = gx, gy
        didx[sel] = self.g_didx[g]
        sidx[sel] = self.g_sidx[g]

    def build_roads(self) -> None:
        """The ``road`` table: each residents' community's lattice of roads and lanes
        (:data:`ROAD_LINES`, :data:`ROAD_LINE_CLASS`, :data:`ROAD_LANE_SHARE`), each road one
        straight segment; keeps the roads and the blocks for :meth:`_place_roads`. A random
        stream of its own, independent of the anchor (the map stays the same): the tables
        drawn before and after are those drawn without roads."""
        rng = np.random.default_rng([*self.place_key, 29])
        cm = np.flatnonzero(self.cm_urban)
        n, lines = cm.size, ROAD_LINES
        s = np.where(self.central[self.cm_didx[cm]], *ROAD_SPACING_KM)
        theta = rng.uniform(0, np.pi / 2, n)
        half = (lines - 1) / 2
        # lattice coordinates (km): the lines of one way are y = const, of the other x = const
        m = np.arange(lines)
        off = (m - half)[None, :] * s[:, None]  # communities × lines
        ends = half * s[:, None] * np.ones((1, lines))
        # both ways: (x0, y0, x1, y1) of each line
        way0 = np.stack([-ends, off, ends, off], axis=-1)
        way1 = np.stack([off, -ends, off, ends], axis=-1)
        segs = np.concatenate([way0, way1], axis=1)  # communities × 2·lines × 4
        cls = np.array(ROAD_LINE_CLASS * 2, dtype=object)
        seg_c = np.repeat(np.arange(n), 2 * lines)
        seg_cls = np.tile(cls, n)
        seg_xy = segs.reshape(-1, 4)
        # blocks: their centres; a share has a lane across the middle, one way or the other
        b = (np.arange(lines - 1) + 0.5 - half)
        bx, by = np.meshgrid(b, b, indexing="ij")
        nb = bx.size
        blk_c = np.repeat(np.arange(n), nb)
        blk_x = (np.tile(bx.ravel(), n) * s[blk_c])
        blk_y = (np.tile(by.ravel(), n) * s[blk_c])
        lane = rng.random(blk_c.size) < ROAD_LANE_SHARE
        way = rng.random(blk_c.size) < 0.5
        li = np.flatnonzero(lane)
        hs = s[blk_c[li]] / 2
        lane_xy = np.where(way[li, None],
                           np.column_stack([blk_x[li] - hs, blk_y[li], blk_x[li] + hs,
                                            blk_y[li]]),
                           np.column_stack([blk_x[li], blk_y[li] - hs, blk_x[li],
                                            blk_y[li] + hs]))
        seg_xy = np.vstack([seg_xy, lane_xy])
        seg_c = np.concatenate([seg_c, blk_c[li]])
        seg_cls = np.concatenate([seg_cls, np.full(li.size, "lane", dtype=object)])
        # turned and placed at the community (lon, lat)
        lon0, lat0 = self._road_lonlat(cm, theta, seg_c, seg_xy[:, 0], seg_xy[:, 1])
        lon1, lat1 = self._road_lonlat(cm, theta, seg_c, seg_xy[:, 2], seg_xy[:, 3])
        order = np.lexsort((np.arange(seg_c.size), seg_c))
        seg_c, seg_cls = seg_c[order], seg_cls[order]
        lon0, lat0, lon1, lat1 = lon0[order], lat0[order], lon1[order], lat1[order]
        words = {"arterial": "大道", "secondary": "路", "branch": "支路", "lane": "巷"}
        k = pd.Series(np.ones(seg_c.size)).groupby(
            [seg_c, seg_cls]).cumsum().to_numpy(np.int64)
        stem = pd.Series(self.cm_short[cm]).str.replace(r"社区$", "", regex=True).to_numpy(object)
        names = [f"{stem[c]}{_chinese_number(int(j))}{words[w]}"
                 for c, w, j in zip(seg_c, seg_cls, k, strict=True)]
        self.tables["road"] = _table("road", {
            "segment_id": np.arange(1, seg_c.size + 1, dtype=np.int64),
            "road_class": seg_cls.tolist(), "name": names,
            "district_code": _take(self.dcodes, self.cm_didx[cm[seg_c]]),
            "from_lon": lon0, "from_lat": lat0, "to_lon": lon1, "to_lat": lat1,
        })
        #: the roads by class for :meth:`_place_roads`: community (an index into cm_*),
        #: class, ends (lon, lat)
        self.rd_cm = cm[seg_c]
        self.rd_cls = seg_cls
        self.rd_xy = np.column_stack([lon0, lat0, lon1, lat1])
        # the estates: the blocks without a lane, their centre (lon, lat), half-size and angle
        e = np.flatnonzero(~lane)
        ex, ey = self._road_lonlat(cm, theta, blk_c[e], blk_x[e], blk_y[e])
        self.es_cm = cm[blk_c[e]]
        self.es_xy = np.column_stack([ex, ey])
        self.es_half_km = s[blk_c[e]] / 2 - ESTATE_CLEAR_M / 1000.0
        self.es_theta = theta[blk_c[e]]

    def _road_lonlat(self, cm: np.ndarray, theta: np.ndarray, c: np.ndarray, x: np.ndarray,
                     y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Lattice coordinates (km) of community ``cm[c]``'s lattice, turned by its angle,
        as (lon, lat) rounded as the tables are."""
        t = theta[c]
        ex = x * np.cos(t) - y * np.sin(t)
        ny = x * np.sin(t) + y * np.cos(t)
        cx, cy = self.cm_xy[cm[c], 0], self.cm_xy[cm[c], 1]
        dlon, dlat = geo.km_to_deg(1.0, cy)
        return np.round(cx + ex * dlon, 6), np.round(cy + ny * dlat, 6)

    def _place_roads(self, src: np.ndarray, et: np.ndarray, x: np.ndarray, y: np.ndarray,
                     didx: np.ndarray, sidx: np.ndarray) -> None:
        """Move the reports of a variant whose context is a kind of road or an estate
        (:data:`CONTEXT_ROADS`) onto a road of that class, or inside an estate, of a
        residents' community of their district (in place; a share
        :data:`CONTEXT_NEAR_SHARE`): a point along the road, within
        :data:`ROAD_HALF_WIDTH_M` across it; in an estate, at least :data:`ESTATE_CLEAR_M`
        inside its roads. The community is drawn by the urban weights of its grids; a
        district without such a road keeps its reports where they were, as does a point
        that would leave the district; sensor events stay at their points. A random stream
        of its own: everything drawn before is as it was."""
        rng = np.random.default_rng([self.seed % 2**63, 31, _day_no(self.anchor)])
        n = len(et)
        u, pick, along, across = (rng.random(n) for _ in range(4))
        kinds = ("arterial", "secondary", "lane", "estate")
        kpos = {k: i for i, k in enumerate(kinds)}
        kind = np.array([kpos.get(CONTEXT_ROADS.get(c, ""), -1) for c in self.et_ctx])[et]
        sel = np.flatnonzero((kind >= 0) & (src != schema.EVENT_SOURCES.index("sensor"))
                             & (u < CONTEXT_NEAR_SHARE))
        if sel.size == 0 or not hasattr(self, "rd_cm"):
            return
        cm_w = np.bincount(self.g_cidx, weights=self.g_weight, minlength=len(self.cm_code))
        qx, qy = x[sel].copy(), y[sel].copy()
        got = np.zeros(sel.size, bool)
        cm_of = np.full(sel.size, -1, np.int64)
        for k, name in enumerate(kinds):
            est = name == "estate"
            own_cm = self.es_cm if est else self.rd_cm
            own = np.ones(own_cm.size, bool) if est else self.rd_cls == name
            for d in np.unique(didx[sel][kind[sel] == k]).tolist():
                pool = np.flatnonzero(own & (self.cm_didx[own_cm] == d))
                if pool.size == 0:
                    continue  # the district has no such road: the reports stay
                m = np.flatnonzero((kind[sel] == k) & (didx[sel] == d))
                cum = np.cumsum(cm_w[own_cm[pool]])
                j = pool[np.minimum(np.searchsorted(cum, pick[sel[m]] * cum[-1], "right"),
                                    pool.size - 1)]
                r = sel[m]
                if est:
                    h = self.es_half_km[j]
                    a, b = (2 * along[r] - 1) * h, (2 * across[r] - 1) * h
                    t = self.es_theta[j]
                    cy = self.es_xy[j, 1]
                    dlon, dlat = geo.km_to_deg(1.0, cy)
                    px = self.es_xy[j, 0] + (a * np.cos(t) - b * np.sin(t)) * dlon
                    py = cy + (a * np.sin(t) + b * np.cos(t)) * dlat
                else:
                    x0, y0, x1, y1 = self.rd_xy[j].T
                    px = x0 + (x1 - x0) * along[r]
                    py = y0 + (y1 - y0) * along[r]
                    # across: perpendicular to the road, in km then degrees
                    dlon, dlat = geo.km_to_deg(1.0, py)
                    ex, ny = (x1 - x0) / dlon, (y1 - y0) / dlat
                    ln = np.maximum(np.hypot(ex, ny), 1e-9)
                    w = (2 * across[r] - 1) * ROAD_HALF_WIDTH_M[name] / 1000.0
                    px = px - ny / ln * w * dlon
                    py = py + ex / ln * w * dlat
                qx[m], qy[m] = np.round(px, _DECIMALS), np.round(py, _DECIMALS)
                got[m] = True
                cm_of[m] = own_cm[j]
        ok = np.flatnonzero(got)
        inside = shapely.contains_xy(self.poly_arr[didx[sel[ok]]], qx[ok], qy[ok])
        ok = ok[inside]
        x[sel[ok]], y[sel[ok]] = qx[ok], qy[ok]
        sidx[sel[ok]] = self.cm_sidx[cm_of[ok]]

    def _closed_at(self, ts: np.ndarray, et: np.ndarray) -> pa.Array:
        """The events' closing times (the queue's history): see queue.demo_closed_at."""
        from cockpit.datasets.queue import demo_closed_at

        react = np.asarray(self.tables["event_type"].column("react_min").to_numpy(), float)[et]
        closed = demo_closed_at(ts, react,
                                np.random.default_rng([self.seed, 16, _day_no(self.anchor)]))
        return pa.array(closed, type=pa.timestamp("us"), mask=closed < 0)

    # ------------------------------------------------------------------ facilities

    def build_facilities(self) -> None:
        rng = self.rng
        n = self._count(self.scale.facilities, self.scale.min_facilities)
        kinds = schema.FACILITY_KINDS  # warehouse, fire_station, hospital, shelter
        kind = rng.choice(len(kinds), size=n, p=[0.12, 0.18, 0.30, 0.40])
        kind.sort()
        g = rng.choice(len(self.g_cidx), size=n, p=0.5 * self.g_p_urban + 0.5 * self.g_p_rural)
        didx = self.g_didx[g]
        sidx = self.g_sidx[g]
        x, y = self._scatter(self.g_xy[g, 0], self.g_xy[g, 1], 0.3, didx)
        sub = self.st_sub[sidx]
        stn = _take(self.st_name, sidx)
        names = pa.concat_arrays([
            _cat(_take(self.dnames, didx[kind == 0]), stn.filter(pa.array(kind == 0)),
                 "应急物资储备库"),
            _cat(stn.filter(pa.array(kind == 1)), "消防救援站"),
            _cat(stn.filter(pa.array(kind == 2)),
                 _take(["卫生院", "社区卫生服务中心"], sub[kind == 2].astype(np.int64))),
            _cat(_take(self.cm_short, self.g_cidx[g[kind == 3]]), "应急避难场所"),
        ])
        seq = pd.Series(names.to_numpy(zero_copy_only=False)).groupby(
            names.to_numpy(zero_copy_only=False)).cumcount().to_numpy() + 1
        suffix = _cat("（", _num(seq), "）")
        names = pc.if_else(pa.array(seq > 1), _cat(names, suffix), names)
        self.tables["facility"] = _table("facility", {
            "facility_id": np.arange(1, n + 1, dtype=np.int64),
            "kind": _take(kinds, kind),
            "name": names,
            "lon": np.round(x, 6), "lat": np.round(y, 6),
            "district_code": _take(self.dcodes, didx),
        })

    def build_networks(self) -> None:
        _network_gen().build(self, _table)

    def build_eval_scheme(self) -> None:
        self.tables["eval_scheme"] = _table("eval_scheme", {
            "level": np.array([r[0] for r in EVAL_SCHEME], np.int32),
            "colour": [r[1] for r in EVAL_SCHEME], "label": [r[2] for r in EVAL_SCHEME],
            "min_score": np.array([r[3] for r in EVAL_SCHEME]),
        })

    # ------------------------------------------------------------------ boundaries

    def boundaries(self) -> dict:
        feats = []
        polys = geo.district_polygons()
        names = geo.district_names()

        def feat(geom, props):
            geom = shapely.transform(geom, lambda c: np.round(c, 5))
            return {"type": "Feature", "properties": props, "geometry": mapping(geom)}

        if not self.district:
            for c, g in polys.items():
                feats.append(feat(g, {"adcode": c, "name": names[c], "level": "district",
                                      "overlay": False}))
            for z in geo.FUNCTIONAL_ZONES:
                feats.append(feat(geo.zone_polygons()[z.code], {
                    "adcode": z.code, "name": z.name, "level": "district", "overlay": True,
                    "approximate": True, "synthetic_code": True}))
        else:
            d = self.district
            poly = polys[d]
            feats.append(feat(poly, {"adcode": d, "name": names[d], "level": "district",
                                     "overlay": False}))
            cells = [poly]
            if len(self.st_code) >= 2:
                vor = shapely.voronoi_polygons(shapely.multipoints(self.st_xy), extend_to=poly)
                cells = list(shapely.get_parts(vor))
            for code, name, (sx, sy) in zip(self.st_code, self.st_name, self.st_xy, strict=True):
                inside = [c for c in cells if shapely.intersects_xy(c, sx, sy)]
                clipped = shapely.intersection(inside[0] if inside else poly, poly)
                feats.append(feat(clipped, {"adcode": code, "name": name, "level": "street",
                                            "overlay": False, "synthetic": True}))
        return {"type": "FeatureCollection", "features": feats}


def _network_gen():
    """The pipe-network generator (:mod:`.network.generate`), imported when used."""
    from .network import generate as network_generate

    return network_generate


def _kind_index(kinds: list[str], k: str) -> int:
    if k not in kinds:
        kinds.append(k)
    return kinds.index(k)


def _ids_by_unit(rows) -> list[str]:
    """VS-<unit>-<nnnn>, numbered within each owning unit (rows are sorted by unit)."""
    out = []
    last, k = None, 0
    for r in rows:
        if r[0] != last:
            last, k = r[0], 0
        k += 1
        out.append(f"VS-{r[0]}-{k:04d}")
    return out


#: The four plans written out step by step: (plan id, name, [(dept kind, action, due
#: minutes, stage), …]). The other event kinds get a generated plan.
_WRITTEN_PLANS: tuple[tuple[str, str, list[tuple[str, str, int, str]]], ...] = (
    ("P-WATER-MAIN-BURST", "供水主管爆管处置预案", [
        ("GS", "接警签收，关闭爆管上下游阀门", 5, "react"),
        ("CGJ", "启动预案，通知各联动单位到场", 10, "react"),
        ("GAJ", "实施现场交通管制与车辆疏导", 15, "react"),
        ("GS", "现场核查爆管位置、管径与停水影响范围", 20, "verify"),
        ("XF", "排查次生险情，救助被困人员和车辆", 20, "verify"),
        ("CGJ", "核查路面塌陷与周边地下管线受损情况", 30, "verify"),
        ("TXJ", "协调运营商保障现场通信并发布停水提示短信", 30, "handle"),
        ("JXW", "协调受影响重点企业用水与生产调度", 40, "handle"),
        ("YJJ", "调配抢险物资、设备与救援力量", 45, "handle"),
        ("GS", "组织送水车开展应急供水", 60, "handle"),
        ("GS", "抢修管道，恢复正常供水", 240, "handle"),
        ("CGJ", "修复路面，清理现场", 300, "handle"),
        ("GAJ", "解除交通管制，恢复通行", 330, "close"),
        ("CGJ", "处置评估总结，结案归档", 360, "close"),
    ]),
    ("P-BIOGAS", "化粪池沼气超标处置预案", [
        ("CGJ", "接警签收，通知属地街道与物业到场", 3, "react"),
        ("XF", "到场设置警戒区，严禁明火", 5, "react"),
        ("CGJ", "现场复测甲烷浓度，确认超标范围", 10, "verify"),
        ("YJJ", "组织强制通风，疏散周边人员", 15, "handle"),
        ("CGJ", "完成化粪池抽排与通风处置", 20, "handle"),
        ("CGJ", "复测达标，解除警戒并结案", 30, "close"),
    ]),
    ("P-FOREST-FIRE", "森林火情处置预案", [
        ("LYJ", "接报签收，发布火情预警", 1, "react"),
        ("YJJ", "启动扑救指挥，通知属地力量", 1, "react"),
        ("LYJ", "无人机与瞭望台核实火点位置和火势", 3, "verify"),
        ("XF", "调派森林消防队伍赶赴火场", 3, "verify"),
        ("LYJ", "专业扑火队伍到场开展初期扑救", 5, "handle"),
        ("QXJ", "提供火场风向风力实时预报", 5, "handle"),
        ("GAJ", "封控火场周边道路，疏散群众", 5, "handle"),
        ("LYJ", "清理余火、看守火场，结案归档", 120, "close"),
    ]),
    ("P-TOUTING", "出租车火锅店拉客联合执法预案", [
        ("CGJ", "受理举报，派发联合执法任务", 10, "react"),
        ("JTJ", "核查涉事出租车及驾驶员信息", 30, "verify"),
        ("SCJG", "核查涉事火锅店经营资质与价格", 30, "verify"),
        ("GAJ", "联合开展现场执法查处", 60, "handle"),
        ("WLW", "保障游客权益，协调退赔", 120, "handle"),
        ("JTJ", "依法处罚违规出租车驾驶员", 240, "handle"),
        ("SCJG", "依法处罚违规经营火锅店", 240, "handle"),
        ("CGJ", "公示查处结果，回访举报人并结案", 1440, "close"),
    ]),
)
_WRITTEN_PLAN_KINDS = frozenset({"WATER-MAIN-BURST", "BIOGAS", "FOREST-FIRE", "TOUTING"})

#: The departments that may assist in a generated plan, by event category.
_PLAN_ASSISTS = {
    "供水排水": ("CGJ", "JXJ", "YJJ", "PS", "GS"), "市政设施": ("JXJ", "GAJ", "ZJW", "YJJ"),
    "燃气安全": ("XF", "GAJ", "YJJ", "CGJ"), "消防安全": ("GAJ", "WJW", "YJJ", "CGJ"),
    "应急灾害": ("XF", "GAJ", "WJW", "QXJ", "MZJ"), "交通运行": ("GAJ", "XF", "WJW", "CGJ"),
    "市容环境": ("GAJ", "SCJG", "HW"), "建设施工": ("CGJ", "YJJ", "GHZY"),
    "生态环境": ("CGJ", "SLJ", "GAJ"), "生态景观": ("LYJ", "HW"),
    "电力通信": ("JXW", "YJJ", "CGJ"), "市场监管": ("GAJ", "WLW", "JTJ"),
    "社会治理": ("MZJ", "XFB", "CGJ"), "公共安全": ("XF", "GAJ", "YJJ"),
    "公共卫生": ("SCJG", "MZJ", "GAJ"),
}

_ASSIST_ACTION = {
    "CGJ": "协调城市管理力量到场处置", "GAJ": "维护现场秩序，实施警戒", "JXJ": "实施交通管制与疏导",
    "XF": "到场排险救援", "YJJ": "调配应急物资与救援力量", "PS": "开展管网排查疏通",
    "GS": "保障周边供水", "ZJW": "开展结构安全评估", "WJW": "组织医疗救护",
    "QXJ": "提供气象预报服务", "MZJ": "做好受影响群众安置", "SCJG": "开展市场执法检查",
    "HW": "组织环卫保洁清运",
    "GHZY": "开展地质与规划核查", "SLJ": "开展水情监测与调度", "LYJ": "组织林业力量协助",
    "JXW": "协调企业生产与电力通信保障", "WLW": "保障游客权益", "JTJ": "协调交通运输保障",
    "XFB": "做好群众诉求接待与化解",
}


# --------------------------------------------------------------------------- entry point


def generate(out: Path | str, scale: str = "small", seed: int = 1,
             anchor: str | date | None = None, district: str | None = None,
             progress: Callable[[float, str], None] | None = None,
             until: datetime | None = None) -> dict:
    """Generate the demo dataset into ``out`` (replaced atomically if it exists).

    ``scale``: ``small`` (tests, a few seconds), ``chongqing`` (the real city's size) or
    ``stress``. ``anchor``: the day the data is about (default: today). ``district``: a
    real district code for the dataset of that district's centre (streets ranked).
    ``until``: drop events and readings after this moment (the live demo: its history ends
    when it is generated, see :mod:`cockpit.datasets.ingest.demo`).
    Returns ``{table: rows, ..., "seconds": s}``.
    """
    t0 = time.perf_counter()
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}: expected one of {', '.join(SCALES)}")
    if district is not None:
        district = str(district)
        if district not in geo.district_polygons():
            raise ValueError(f"unknown district code {district!r}: expected one of the 38 real "
                             f"district codes")
    a = _as_date(anchor)
    out = Path(out)
    g = _Gen(SCALES[scale], seed, a, district, progress)
    tmp = out.with_name(out.name + f".tmp-{os.getpid()}")
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    try:
        _build_tables(g)
        counts = _write_files(g, tmp, until, seed=int(seed), scale=scale, district=district,
                              anchor=a)
        _swap_into_place(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    g.progress(1.0, "完成 done")
    return {**counts, "seconds": round(time.perf_counter() - t0, 3)}


def _daily_shapes(hours: np.ndarray, weekend: np.ndarray) -> tuple[list[str], np.ndarray]:
    """The readings' daily shapes over the time steps (``hours``: each step's hour of the
    day): their names, sorted, and one row per shape."""
    n_t = len(hours)

    def norm(s):
        return 2 * (s - s.min()) / (s.max() - s.min()) - 1

    shapes = {
        "flat": np.zeros(n_t),
        "day": np.cos(2 * np.pi * (hours - 14) / 24),
        "night": np.cos(2 * np.pi * (hours - 3) / 24),
        "load": norm(np.exp(-((hours - 11) / 2.5) ** 2)
                     + 0.9 * np.exp(-((hours - 20) / 2.5) ** 2))
        * np.where(weekend, 0.8, 1.0),
        "traffic": norm(np.exp(-((hours - 8.3) / 1.4) ** 2)
                        + np.exp(-((hours - 18.2) / 1.7) ** 2)
                        + 0.35 * np.exp(-((hours - 13) / 3) ** 2))
        * np.where(weekend, 0.7, 1.0),
    }
    shapes["-traffic"] = -shapes["traffic"]
    shape_names = sorted(shapes)
    shape_mat = np.stack([shapes[s] for s in shape_names])
    return shape_names, shape_mat


def _build_tables(g: _Gen) -> None:
    """Build every table, in the order the generator's random streams expect."""
    stages = [
        (0.02, "行政区划与网格 admin units", g.build_admin),
        (0.12, "部门 departments", g.build_departments),
        (0.13, "风险类别 risk categories", g.build_risk_categories),
        (0.14, "预案与事件类型 plans and event types", g.build_plans_and_types),
        (0.16, "风险点 risk points", g.build_risk_points),
        (0.30, "传感器 sensors", g.build_sensors),
        (0.38, "体征指标 vital signs", g.build_vital_signs),
        (0.40, "体征读数 vital readings", g.build_vital_readings),
        (0.62, "指标 KPIs", g.build_kpis),
        (0.64, "指标值 KPI values", g.build_kpi_values),
        (0.69, "道路 roads", g.build_roads),
        (0.70, "事件 events", g.build_events),
        (0.80, "报事文本 report texts", lambda: describe_events(g.tables, g.seed)),
        (0.84, "应急设施 facilities", g.build_facilities),
        (0.86, "五色评价 evaluation scheme", g.build_eval_scheme),
        (0.87, "管网 pipe networks", g.build_networks),
    ]
    for f, msg, fn in stages:
        g.progress(f, msg)
        fn()


def _write_files(g: _Gen, tmp: Path, until: datetime | None, *, seed: int, scale: str,
                 district: str | None, anchor: date) -> dict[str, int]:
    """Write the tables, the boundaries and the manifest into ``tmp``; returns the row
    counts."""
    g.progress(0.88, "写入文件 writing files")
    end_us = max(g.events_end_us, g.readings_end_us)
    if until is not None:
        from cockpit.datasets.ingest.demo import cut_history

        end_us = cut_history(g.tables, until) or end_us
    for t in schema.TABLES:
        pq.write_table(g.tables[t.name], tmp / f"{t.name}.parquet", compression="zstd")
    with open(tmp / schema.BOUNDARIES_FILE, "w", encoding="utf-8") as f:
        json.dump(g.boundaries(), f, ensure_ascii=False, separators=(",", ":"))
    as_of = datetime(1970, 1, 1) + timedelta(microseconds=int(end_us))
    counts = {t.name: g.tables[t.name].num_rows for t in schema.TABLES}
    manifest = {
        "title": TITLE,
        "synthetic": True,
        "seed": seed,
        "scale": scale,
        "district": district,
        "top_unit": g.top,
        "top_unit_name": g.top_name,
        "anchor": anchor.isoformat(),
        "as_of": as_of.isoformat(),
        "periods": g.periods,
        "generated_by": "cockpit.datasets.generate",
        "schema_version": schema.SCHEMA_VERSION,
        "notice": NOTICE,
        "rows": counts,
    }
    with open(tmp / schema.MANIFEST_FILE, "w", encoding="utf-8") as f:
        json.dump(manifest, f, ensure_ascii=False, indent=2)
    return counts


def _swap_into_place(tmp: Path, out: Path) -> None:
    """Replace ``out`` by ``tmp`` (the old dataset is removed after the swap)."""
    if out.exists():
        old = out.with_name(out.name + f".old-{os.getpid()}")
        if old.exists():
            shutil.rmtree(old)
        out.rename(old)
        tmp.rename(out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp.rename(out)


if __name__ == "__main__":  # pragma: no cover - a convenience for developers
    import sys

    print(generate(sys.argv[1] if len(sys.argv) > 1 else "demo-data",
                   scale=sys.argv[2] if len(sys.argv) > 2 else "small"))
