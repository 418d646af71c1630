"""The reference geography of Chongqing, and fast point-in-polygon tests.

Real facts, read from ``datasets/reference`` (see its README for provenance):

- :func:`admin_units` — the city, its 38 districts, 1,031 streets (镇街) and 11,270
  communities (村社) with their national division codes;
- :func:`district_polygons` — the 38 district boundaries (simplified, ~300 m).

Not real, and documented as such:

- :data:`FUNCTIONAL_ZONES` — the three functional zones (两江新区, 西部科学城重庆高新区,
  万盛经开区). They are real institutions but have no division code in the reference and
  their outlines are not in it: the codes ``500190``–``500192`` are **synthetic**, and
  :func:`zone_polygons` draws an **approximate** overlay for each (a disc of a chosen radius
  around a chosen centre, clipped to the districts the zone mostly lies in). These are
  drawing aids, not surveyed boundaries.
- :data:`DISTRICT_SEATS` — approximate positions of each district's urban seat, used by the
  generator to pull urban streets (街道) together; they are hand-placed, not surveyed.

Nothing here imports Qt. Geometries are shapely 2 objects, prepared for fast
:func:`shapely.contains_xy` tests.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
from shapely import affinity
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry

#: File names inside :func:`reference_dir`.
ADMIN_UNITS_FILE = "chongqing_admin_units.csv"
DISTRICTS_FILE = "chongqing_districts.geojson"

#: Code of the city (the top admin unit of the full dataset).
CITY_CODE = "500000"
CITY_NAME = "重庆市"

#: The nine districts of the central urban area (主城都市区中心城区) — denser data.
CENTRAL_DISTRICTS: tuple[str, ...] = (
    "500103", "500104", "500105", "500106", "500107", "500108", "500109", "500112", "500113",
)

#: Approximate (lon, lat) of each district's urban seat. Hand-placed, not surveyed; a seat
#: that falls outside its simplified polygon is replaced by a point on the polygon's surface.
DISTRICT_SEATS: dict[str, tuple[float, float]] = {
    "500101": (108.380, 30.807), "500102": (107.390, 29.703), "500103": (106.568, 29.556),
    "500104": (106.482, 29.484), "500105": (106.574, 29.606), "500106": (106.457, 29.541),
    "500107": (106.511, 29.502), "500108": (106.563, 29.523), "500109": (106.397, 29.806),
    "500110": (106.651, 29.028), "500111": (105.721, 29.707), "500112": (106.631, 29.718),
    "500113": (106.540, 29.402), "500114": (108.771, 29.533), "500115": (107.081, 29.857),
    "500116": (106.259, 29.290), "500117": (106.276, 29.972), "500118": (105.927, 29.356),
    "500119": (107.099, 29.157), "500120": (106.227, 29.592), "500151": (106.055, 29.845),
    "500152": (105.840, 30.190), "500153": (105.594, 29.405), "500154": (108.393, 31.161),
    "500155": (107.800, 30.672), "500156": (107.760, 29.325), "500229": (108.664, 31.948),
    "500230": (107.731, 29.863), "500231": (107.333, 30.327), "500233": (108.038, 30.300),
    "500235": (108.697, 30.930), "500236": (109.464, 31.018), "500237": (109.879, 31.075),
    "500238": (109.570, 31.399), "500240": (108.114, 29.999), "500241": (108.989, 28.448),
    "500242": (108.767, 28.841), "500243": (108.166, 29.294),
}

#: Approximate courses of the main rivers as (lon, lat) polylines, downstream order: the
#: Yangtze (长江) from Jiangjin to Wushan, the Jialing (嘉陵江) from Hechuan to its mouth at
#: Chaotianmen, the Wu (乌江) from Wulong to Fuling. Hand-placed through the towns on their
#: banks, not surveyed (a few km off in places); the demo drains its sewers into them.
RIVERS: dict[str, tuple[tuple[float, float], ...]] = {
    "长江": ((105.87, 28.96), (106.06, 29.06), (106.26, 29.29), (106.36, 29.35),
             (106.45, 29.43), (106.49, 29.49), (106.52, 29.52), (106.55, 29.55),
             (106.585, 29.566), (106.61, 29.57), (106.66, 29.58), (106.76, 29.62),
             (106.88, 29.72), (107.08, 29.83), (107.25, 29.76), (107.39, 29.72),
             (107.60, 29.82), (107.73, 29.87), (107.90, 30.05), (108.04, 30.29),
             (108.20, 30.55), (108.38, 30.80), (108.70, 30.93), (109.10, 30.98),
             (109.46, 31.03), (109.88, 31.07), (110.10, 31.05)),
    "嘉陵江": ((106.27, 29.98), (106.36, 29.90), (106.43, 29.83), (106.45, 29.72),
              (106.44, 29.64), (106.45, 29.58), (106.50, 29.57), (106.54, 29.575),
              (106.585, 29.566)),
    "乌江": ((107.76, 29.33), (107.62, 29.45), (107.50, 29.58), (107.39, 29.71)),
}

#: Approximate position of the city government (渝中区), used as the city's point.
CITY_SEAT = (106.551, 29.563)


@dataclass(frozen=True)
class FunctionalZone:
    """A functional zone drawn as an approximate overlay.

    ``code`` is synthetic (the reference has none); the overlay is a disc of
    ``radius_km`` around ``centre`` clipped to the union of ``districts`` — approximate,
    not a surveyed boundary.
    """

    code: str
    name: str
    short: str
    districts: tuple[str, ...]
    centre: tuple[float, float]
    radius_km: float


#: The three functional zones with their synthetic codes (500190–500192).
FUNCTIONAL_ZONES: tuple[FunctionalZone, ...] = (
    FunctionalZone("500190", "两江新区", "两江", ("500105", "500112", "500109"),
                   (106.640, 29.680), 19.0),
    FunctionalZone("500191", "西部科学城重庆高新区", "高新",
                   ("500106", "500107", "500120", "500116"),
                   (106.330, 29.560), 13.0),
    FunctionalZone("500192", "万盛经开区", "万盛", ("500110",), (106.930, 28.955), 13.0),
)
FUNCTIONAL_ZONE_BY_CODE: dict[str, FunctionalZone] = {z.code: z for z in FUNCTIONAL_ZONES}


def reference_dir() -> Path:
    """The folder of the reference files shipped with the package."""
    return Path(__file__).resolve().parent / "reference"


@lru_cache(maxsize=1)
def _admin_units() -> pd.DataFrame:
    df = pd.read_csv(reference_dir() / ADMIN_UNITS_FILE, dtype=str, keep_default_na=False)
    df["parent_code"] = df["parent_code"].fillna("")
    return df


def admin_units() -> pd.DataFrame:
    """The real admin tree: columns code, name, level, parent_code (all strings).

    Levels city / district / street / community; the city's parent_code is "". A fresh copy
    is returned each call.
    """
    return _admin_units().copy()


@lru_cache(maxsize=1)
def _district_features() -> tuple[tuple[str, str, BaseGeometry], ...]:
    with open(reference_dir() / DISTRICTS_FILE, encoding="utf-8") as f:
        fc = json.load(f)
    out = []
    for feat in fc["features"]:
        props = feat["properties"]
        geom = shapely.make_valid(shape(feat["geometry"]))
        shapely.prepare(geom)
        out.append((str(props["adcode"]), str(props["name"]), geom))
    return tuple(out)


def district_polygons() -> dict[str, BaseGeometry]:
    """adcode → (prepared) shapely polygon of the 38 real districts, in file order."""
    return {code: geom for code, _name, geom in _district_features()}


def district_names() -> dict[str, str]:
    """adcode → name of the 38 real districts."""
    return {code: name for code, name, _geom in _district_features()}


def km_to_deg(km: float | np.ndarray, lat: float | np.ndarray) -> tuple:
    """(dlon, dlat) in degrees for a distance in km at a latitude."""
    dlat = np.asarray(km) / 111.32
    dlon = dlat / np.cos(np.radians(lat))
    return dlon, dlat


def area_km2(geom: BaseGeometry) -> float:
    """Approximate area of a lon/lat geometry in km² (local equirectangular scaling)."""
    lat = geom.centroid.y
    return float(geom.area * 111.32 ** 2 * math.cos(math.radians(lat)))


@lru_cache(maxsize=1)
def _zone_polygons() -> tuple[tuple[str, BaseGeometry], ...]:
    polys = district_polygons()
    out = []
    for z in FUNCTIONAL_ZONES:
        lon, lat = z.centre
        r_deg = z.radius_km / 111.32
        disc = Point(lon, lat).buffer(r_deg, quad_segs=32)
        disc = affinity.scale(disc, xfact=1.0 / math.cos(math.radians(lat)), yfact=1.0,
                              origin=(lon, lat))
        base = shapely.union_all([polys[c] for c in z.districts])
        geom = shapely.make_valid(disc.intersection(base))
        # keep only the polygonal parts (an intersection may leave slivers of lines)
        parts = [g for g in getattr(geom, "geoms", [geom])
                 if g.geom_type in ("Polygon", "MultiPolygon")]
        geom = shapely.union_all(parts)
        shapely.prepare(geom)
        out.append((z.code, geom))
    return tuple(out)


def zone_polygons() -> dict[str, BaseGeometry]:
    """Synthetic code → APPROXIMATE overlay polygon of each functional zone.

    Built as a disc around a chosen centre clipped to the districts the zone mostly lies in;
    not a surveyed boundary.
    """
    return dict(_zone_polygons())


def district_seats() -> dict[str, tuple[float, float]]:
    """adcode → approximate urban seat (lon, lat), guaranteed inside the district polygon."""
    out = {}
    for code, geom in district_polygons().items():
        seat = DISTRICT_SEATS.get(code)
        if seat is None or not shapely.contains_xy(geom, seat[0], seat[1]):
            p = geom.point_on_surface()
            seat = (p.x, p.y)
        out[code] = (float(seat[0]), float(seat[1]))
    return out


def contains(geoms: BaseGeometry | Sequence[BaseGeometry] | np.ndarray,
             x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Vectorised point-in-polygon: ``geoms`` (one geometry, or one per point) contains
    (x[i], y[i]). Geometries should be prepared (those of this module are)."""
    if isinstance(geoms, BaseGeometry):
        return shapely.contains_xy(geoms, np.asarray(x, float), np.asarray(y, float))
    arr = np.asarray(geoms, dtype=object) if not isinstance(geoms, np.ndarray) else geoms
    return shapely.contains_xy(arr, np.asarray(x, float), np.asarray(y, float))


def points_in_districts(codes: Sequence[str] | np.ndarray, x: np.ndarray,
                        y: np.ndarray) -> np.ndarray:
    """True where point i lies inside the polygon of district ``codes[i]`` (real districts
    and functional-zone overlays; an unknown code gives False)."""
    polys = district_polygons()
    polys.update(zone_polygons())
    codes = np.asarray(codes, dtype=object)
    uniq, inv = np.unique(codes.astype(str), return_inverse=True)
    empty = shapely.Polygon()
    lookup = np.array([polys.get(c, empty) for c in uniq], dtype=object)
    return contains(lookup[inv], x, y)


def locate_district(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The code of the real district containing each point ("" outside all of them)."""
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    out = np.full(x.shape, "", dtype=object)
    todo = np.ones(x.shape, dtype=bool)
    for code, geom in district_polygons().items():
        if not todo.any():
            break
        hit = np.zeros_like(todo)
        hit[todo] = shapely.contains_xy(geom, x[todo], y[todo])
        out[hit] = code
        todo &= ~hit
    return out


def extent() -> tuple[float, float, float, float]:
    """(lon_min, lat_min, lon_max, lat_max) of the 38 districts."""
    b = np.array([g.bounds for g in district_polygons().values()])
    return (float(b[:, 0].min()), float(b[:, 1].min()), float(b[:, 2].max()), float(b[:, 3].max()))
