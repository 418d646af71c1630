"""What lies around a report's point: the kinds of places the dataset knows near it.

A report that does not say its context (学校门口, 地下车库 …) cannot be told from the kind's
other variants by its words; where it was made can: a real centre knows the caller's address,
the grid worker's or the patrol's position, the Open311 request's lat/long. The dataset's own
places say what is there — its risk points by category (``RC-SCHOOL``, ``RC-METRO`` …) and its
emergency facilities by kind (``facility:hospital`` …) — so the router reads, for a report's
point, which of them lie within each radius of :data:`RINGS_M` and learns from the training
reports what each means for the type. Nothing here knows what a category is: any dataset's
taxonomy of places works the same way.

**Radii.** 100 m is the block a report is about (the school gate, the station's exit, a
geocoded address's own building); 300 m is the neighbourhood a caller still calls 学校周边, a
few minutes' walk. Two rings rather than one: on a dense city centre many categories are
within 300 m of anything (half the Chongqing demo's reports have a gas pipe's risk point that
close) while a school within 100 m is rare by chance (one report in eight); the model weighs
each ring on its own.

**Lookup.** The points are hashed once into a grid of cells one outer radius wide (sorted cell
keys, points in key order); a report's point looks in its cell and the eight around it and
measures the few points there (equirectangular metres at the report's latitude, exact enough
within 300 m). One report costs a few tens of microseconds; a training set is one vectorised
pass. A point that is not a number, or lies outside the extent of the places by more than a
radius, has nothing around it.

**The community at the point.** A centre geocodes a caller's address to its community, and the
community says what kind of place it is: a village (村, its 村民委员会) or a residents'
community of a town or a city (社区, its 居民委员会), in a town or township (镇 / 乡) or an urban
sub-district (街道). That tells farmland, villages, the hillsides at the edge of the fields
from residential estates, main roads and lanes, which no risk point marks. :class:`Communities`
finds a point's nearest community (the ``admin_unit`` rows of level ``community`` by their
lon/lat, a k-d tree built once) and reads the *kind* of it and of its street from the end of
their names (:func:`unit_kind`, Chinese administrative naming, nothing of the taxonomy). The
router gets them as three more place columns — ``kind:community:村``, ``kind:street:镇``,
``kind:pair:村@镇`` (the pair: a village of a 街道 is another place than one of a 镇) — and
learns what each says of the type like the categories around. A dataset whose unit names end
in none of the suffixes has no kinds, no such columns, and routes as before.

**The roads at the point.** Inside a residents' community a main road, a side road, a back
lane and the inside of an estate are different places for the same words (路面破损 on an
arterial goes to another crew than in a lane). A dataset's ``road`` table gives its road
segments by class; :class:`Roads` says which classes pass within :data:`ROAD_NEAR_M` of a
point (``road:arterial`` …) and whether the point lies among roads but none passes that close
(``road:none``, the inside of a block: an estate, a yard). The segments are measured exactly
(shapely's STRtree on a plane tangent at the roads' mean latitude). A dataset without roads
has no such columns.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import numpy as np

__all__ = ["Surroundings", "Communities", "Roads", "RINGS_M", "FACILITY_PREFIX", "POINT_COLUMN",
           "KIND_PREFIX", "ROAD_PREFIX", "ROAD_NEAR_M", "valid_point", "as_points", "unit_kind",
           "describe_column", "describe_around"]

#: The radii (metres) whose contents are the report's surroundings, inner first.
RINGS_M = (100.0, 300.0)
#: A facility's kind as a place category (``facility:hospital``).
FACILITY_PREFIX = "facility:"
#: The place column that says a report has a usable point.
POINT_COLUMN = "point"
#: The prefix of the place columns of the kinds of community and street at a point.
KIND_PREFIX = "kind:"
#: The prefix of the place columns of the classes of road at a point.
ROAD_PREFIX = "road:"
#: A road passes a point when its centre line is this close (metres): the pavement of a wide
#: road is 15–25 m from its middle; an estate's buildings stand further in.
ROAD_NEAR_M = 25.0
#: A point is "among roads" when a road passes within this distance (metres): the inside of
#: a block of a city's road grid; further out (fields, hills) the roads say nothing.
ROAD_AMONG_M = 150.0
#: The place column of a point among roads with none passing it (the inside of a block).
ROAD_NONE = f"{ROAD_PREFIX}none"
_M_PER_DEG_LAT = 110_540.0
_M_PER_DEG_LON = 111_320.0
#: The kind of a community or street from the end of its name (Chinese administrative
#: naming, first match wins): a residents' committee (…社区, …社区居民委员会, …居委会,
#: …社区工作站) is a 社区, a villagers' committee (…村, …村民委员会, …村委会) a 村; an
#: urban sub-district (…街道, …街道办事处) a 街道, a town (…镇) a 镇, a township (…乡, …民族乡)
#: a 乡. Any other name has no kind.
_KIND_RULES = (
    (re.compile(r"(社区(居民委员会|居委会|工作站|服务站)?|居民委员会|居委会)$"), "社区"),
    (re.compile(r"村(民委员会|委会|民小组)?$"), "村"),
    (re.compile(r"街道(办事处)?$"), "街道"),
    (re.compile(r"镇(人民政府)?$"), "镇"),
    (re.compile(r"乡(人民政府)?$"), "乡"),
)


def unit_kind(name: str | None) -> str:
    """The kind of an administrative unit from the end of its name: 社区, 村, 街道, 镇, 乡, or
    "" (see :data:`_KIND_RULES`)."""
    n = (name or "").strip()
    for rx, kind in _KIND_RULES:
        if rx.search(n):
            return kind
    return ""


def describe_column(col: str) -> str:
    """A place column as a person reads it: ``RC-SCHOOL ≤100 m``, ``community 村``,
    ``street 镇``, ``村 in a 镇``."""
    if col == ROAD_NONE:
        return f"no road ≤{ROAD_NEAR_M:g} m"
    if col.startswith(ROAD_PREFIX):
        return f"{col[len(ROAD_PREFIX):]} ≤{ROAD_NEAR_M:g} m"
    if col.startswith(KIND_PREFIX):
        what, _, kind = col[len(KIND_PREFIX):].partition(":")
        if what == "pair":
            c, _, s = kind.partition("@")
            return f"{c} in a {s}"
        return f"{what} {kind}"
    r, _, name = col.partition(":")
    return f"{name} ≤{r} m"


def describe_around(columns: Sequence[str]) -> list[str]:
    """What a router read around a point (:attr:`RouteResult.around`'s columns) as a person reads
    it, shortest first: a category within the inner radius is not repeated for the outer
    ones (``RC-SCHOOL ≤100 m``, not that and ``RC-SCHOOL ≤300 m``)."""
    seen: set[str] = set()
    out = []
    for c in columns:
        r, sep, name = c.partition(":")
        if sep and r.replace(".", "", 1).isdigit():
            if name in seen:
                continue
            seen.add(name)
        out.append(describe_column(c))
    return out


def valid_point(lon, lat) -> bool:
    """Whether (lon, lat) is a usable point: finite numbers, longitude −180…180 and
    latitude −90…90."""
    try:
        x, y = float(lon), float(lat)
    except (TypeError, ValueError):
        return False
    return math.isfinite(x) and math.isfinite(y) and -180 <= x <= 180 and -90 <= y <= 90


def as_points(lon, lat, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Longitudes and latitudes as float arrays of length ``n``: ``None`` for either gives
    no points at all, an item that is ``None`` or not a number gives NaN (no point)."""
    def arr(v) -> np.ndarray:
        if v is None:
            return np.full(n, np.nan)
        out = np.full(n, np.nan)
        for i, a in enumerate(list(v)[:n]):
            try:
                out[i] = float(a)
            except (TypeError, ValueError):
                pass
        return out

    x, y = arr(lon), arr(lat)
    bad = ~np.array([valid_point(a, b) for a, b in zip(x, y, strict=True)], bool)
    x[bad] = np.nan
    y[bad] = np.nan
    return x, y


class Communities:
    """The dataset's communities — their points and the kinds of them and of their streets
    (:func:`unit_kind`) as place columns — and a k-d tree to find a point's nearest."""

    def __init__(self, lon, lat, kinds: Sequence[str], street_kinds: Sequence[str]) -> None:
        from scipy.spatial import cKDTree

        lon = np.asarray(lon, np.float64).ravel()
        lat = np.asarray(lat, np.float64).ravel()
        ok = np.isfinite(lon) & np.isfinite(lat) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
        kinds = [str(k or "") for k, o in zip(kinds, ok, strict=True) if o]
        skinds = [str(k or "") for k, o in zip(street_kinds, ok, strict=True) if o]
        lon, lat = lon[ok], lat[ok]
        self.n = int(lon.size)
        per = []
        for c, st in zip(kinds, skinds, strict=True):
            cols = []
            if c:
                cols.append(f"{KIND_PREFIX}community:{c}")
            if st:
                cols.append(f"{KIND_PREFIX}street:{st}")
            if c and st:
                cols.append(f"{KIND_PREFIX}pair:{c}@{st}")
            per.append(cols)
        #: the kind columns any community has, sorted
        self.names = sorted({c for cols in per for c in cols})
        pos = {c: j for j, c in enumerate(self.names)}
        #: communities × :attr:`names`: which columns each community has
        self.member = np.zeros((self.n, len(self.names)), bool)
        for i, cols in enumerate(per):
            self.member[i, [pos[c] for c in cols]] = True
        self.extent = (np.nan, np.nan, np.nan, np.nan)
        self._tree = None
        if self.n == 0:
            return
        # metres on a plane tangent at the communities' mean latitude (within a city's
        # extent the nearest is the nearest)
        self._kx = _M_PER_DEG_LON * math.cos(math.radians(float(lat.mean())))
        self._tree = cKDTree(np.column_stack([lon * self._kx, lat * _M_PER_DEG_LAT]))
        self.extent = (float(lon.min()), float(lat.min()), float(lon.max()), float(lat.max()))

    @classmethod
    def from_catalog(cls, con) -> Communities:
        """The ``admin_unit`` rows of level ``community`` with a point, each with its own
        kind and its parent street's (no table, no rows: no communities)."""
        tables = {r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables").fetchall()}
        if "admin_unit" not in tables:
            return cls(np.zeros(0), np.zeros(0), [], [])
        rows = con.execute(
            "SELECT c.lon, c.lat, c.name, s.name FROM admin_unit c "
            "LEFT JOIN admin_unit s ON s.code = c.parent_code AND s.level = 'street' "
            "WHERE c.level = 'community' AND c.lon IS NOT NULL AND c.lat IS NOT NULL "
            "ORDER BY c.code").fetchall()
        return cls(np.array([r[0] for r in rows], np.float64),
                   np.array([r[1] for r in rows], np.float64),
                   [unit_kind(r[2]) for r in rows], [unit_kind(r[3]) for r in rows])

    def nearest(self, lon, lat) -> np.ndarray:
        """Each point's nearest community (an index), −1 for a point that is not a number."""
        x = np.asarray(lon, np.float64).ravel()
        y = np.asarray(lat, np.float64).ravel()
        out = np.full(x.size, -1, np.int64)
        if self._tree is None or x.size == 0:
            return out
        ok = np.flatnonzero(np.isfinite(x) & np.isfinite(y))
        if ok.size:
            _d, idx = self._tree.query(np.column_stack([x[ok] * self._kx,
                                                        y[ok] * _M_PER_DEG_LAT]))
            out[ok] = idx
        return out

    def flags(self, lon, lat) -> np.ndarray:
        """Which kind columns (:attr:`names`) each point's nearest community has (points ×
        names); none for a point that is not a number."""
        idx = self.nearest(lon, lat)
        out = np.zeros((idx.size, len(self.names)), bool)
        ok = idx >= 0
        out[ok] = self.member[idx[ok]]
        return out


class Roads:
    """The dataset's road segments by class and which classes pass near a point."""

    def __init__(self, classes: Sequence[str], x0, y0, x1, y1) -> None:
        """``classes``: each segment's class; ``x0 … y1``: its ends (lon, lat degrees)."""
        from shapely import STRtree

        x0, y0, x1, y1 = (np.asarray(v, np.float64).ravel() for v in (x0, y0, x1, y1))
        cls = np.asarray([str(c or "") for c in classes], dtype=object)
        ok = (np.isfinite(x0) & np.isfinite(y0) & np.isfinite(x1) & np.isfinite(y1)
              & (cls != ""))
        x0, y0, x1, y1, cls = x0[ok], y0[ok], x1[ok], y1[ok], cls[ok]
        self.n = int(x0.size)
        #: the classes of road any segment has, sorted
        self.classes = sorted(set(cls.tolist()))
        #: the place columns: one per class, then :data:`ROAD_NONE`
        self.names = [f"{ROAD_PREFIX}{c}" for c in self.classes] + ([ROAD_NONE] if self.n
                                                                      else [])
        self._cls = np.array([self.classes.index(c) for c in cls], np.int64)
        self._tree = None
        self.extent = (np.nan, np.nan, np.nan, np.nan)
        if self.n == 0:
            return
        import shapely

        self._kx = _M_PER_DEG_LON * math.cos(math.radians(float(np.r_[y0, y1].mean())))
        coords = np.stack([np.column_stack([x0 * self._kx, y0 * _M_PER_DEG_LAT]),
                           np.column_stack([x1 * self._kx, y1 * _M_PER_DEG_LAT])], axis=1)
        self._tree = STRtree(shapely.linestrings(coords))
        self.extent = (float(min(x0.min(), x1.min())), float(min(y0.min(), y1.min())),
                       float(max(x0.max(), x1.max())), float(max(y0.max(), y1.max())))

    @classmethod
    def from_catalog(cls, con) -> Roads:
        """The ``road`` table's segments (no table, no rows: no roads)."""
        tables = {r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables").fetchall()}
        if "road" not in tables:
            return cls([], [], [], [], [])
        d = con.execute("SELECT road_class, from_lon, from_lat, to_lon, to_lat FROM road "
                        "ORDER BY segment_id").fetchnumpy()
        return cls(np.asarray(d["road_class"], dtype=object), d["from_lon"], d["from_lat"],
                   d["to_lon"], d["to_lat"])

    def flags(self, lon, lat) -> np.ndarray:
        """Which columns (:attr:`names`) each point has: a class of road within
        :data:`ROAD_NEAR_M`, or :data:`ROAD_NONE` when none is that close but one is within
        :data:`ROAD_AMONG_M` (points × names; none for a point that is not a number)."""
        x = np.asarray(lon, np.float64).ravel()
        y = np.asarray(lat, np.float64).ravel()
        out = np.zeros((x.size, len(self.names)), bool)
        if self._tree is None or x.size == 0:
            return out
        import shapely

        ok = np.flatnonzero(np.isfinite(x) & np.isfinite(y))
        if ok.size == 0:
            return out
        pts = shapely.points(x[ok] * self._kx, y[ok] * _M_PER_DEG_LAT)
        qi, si = self._tree.query(pts, predicate="dwithin", distance=ROAD_NEAR_M)
        out[ok[qi], self._cls[si]] = True
        bare = np.flatnonzero(~out[ok].any(axis=1))
        if bare.size:
            qa, _ = self._tree.query(pts[bare], predicate="dwithin", distance=ROAD_AMONG_M)
            out[ok[bare[np.unique(qa)]], -1] = True
        return out


class Surroundings:
    """The dataset's places (a category per point) and a grid to find them near a point;
    with its communities (:class:`Communities`), the kinds of the community at a point; with
    its roads (:class:`Roads`), the classes of road passing it."""

    def __init__(self, categories: Sequence[str], lon: np.ndarray, lat: np.ndarray,
                 cat: np.ndarray, radius_m: float = max(RINGS_M),
                 communities: Communities | None = None, roads: Roads | None = None) -> None:
        """``categories``: the category names; ``cat``: each point's index into them;
        ``communities``: the dataset's communities (none, or none with a kind: no kinds);
        ``roads``: its roads (none, or no segment: no road columns)."""
        #: the roads whose classes are read at a point, ``None`` when there are none
        self.roads = roads if roads is not None and roads.n else None
        #: the communities whose kinds are read at a point, ``None`` when no name has one
        self.communities = communities if communities is not None and communities.names \
            else None
        self.categories = [str(c) for c in categories]
        self.pos = {c: i for i, c in enumerate(self.categories)}
        lon = np.asarray(lon, np.float64)
        lat = np.asarray(lat, np.float64)
        cat = np.asarray(cat, np.int64)
        ok = np.isfinite(lon) & np.isfinite(lat) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
        lon, lat, cat = lon[ok], lat[ok], cat[ok]
        self.radius_m = float(radius_m)
        self.n = int(lon.size)
        self._parsed: dict[tuple, tuple] = {}
        self.extent = (np.nan, np.nan, np.nan, np.nan)
        if self.communities is not None:
            # the communities' extent, a radius wider on each side
            x0, y0, x1, y1 = self.communities.extent
            mx = self.radius_m / (_M_PER_DEG_LON * math.cos(math.radians(
                min(89.0, max(abs(y0), abs(y1))))))
            my = self.radius_m / _M_PER_DEG_LAT
            self.extent = (x0 - mx, y0 - my, x1 + mx, y1 + my)
        if self.roads is not None:
            self.extent = _union(self.extent, self.roads.extent)
        if self.n == 0:
            self._keys = np.zeros(0, np.int64)
            self._x = self._y = np.zeros(0)
            self._c = np.zeros(0, np.int64)
            return
        # a cell at least one radius wide everywhere in the extent (narrowest at the pole side)
        far = min(89.0, float(np.abs(lat).max()))
        self._cy = self.radius_m / _M_PER_DEG_LAT
        self._cx = self.radius_m / (_M_PER_DEG_LON * math.cos(math.radians(far)))
        self._x0, self._y0 = float(lon.min()), float(lat.min())
        ix = np.floor((lon - self._x0) / self._cx).astype(np.int64)
        iy = np.floor((lat - self._y0) / self._cy).astype(np.int64)
        self._nx, self._ny = int(ix.max()) + 1, int(iy.max()) + 1
        #: the places' extent, a cell wider on each side: a point outside it is not in the
        #: dataset's area (a report from elsewhere, a slip of the sender's GPS)
        own = (self._x0 - self._cx, self._y0 - self._cy,
               float(lon.max()) + self._cx, float(lat.max()) + self._cy)
        self.extent = _union(self.extent, own)
        key = self._key(ix, iy)
        order = np.argsort(key, kind="stable")
        self._keys = key[order]
        self._x, self._y, self._c = lon[order], lat[order], cat[order]

    @classmethod
    def from_catalog(cls, con) -> Surroundings:
        """The risk points by category and the facilities by kind of a catalog (either table
        may be missing or empty)."""
        tables = {r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables").fetchall()}
        parts = []
        if "risk_point" in tables:
            parts.append("SELECT category_id AS c, lon, lat FROM risk_point")
        if "facility" in tables:
            parts.append(f"SELECT '{FACILITY_PREFIX}' || kind AS c, lon, lat FROM facility")
        comm = Communities.from_catalog(con)
        roads = Roads.from_catalog(con)
        if not parts:
            return cls([], np.zeros(0), np.zeros(0), np.zeros(0, np.int64), communities=comm,
                       roads=roads)
        d = con.execute(
            f"SELECT c, lon, lat FROM ({' UNION ALL '.join(parts)}) "
            "WHERE c IS NOT NULL AND lon IS NOT NULL AND lat IS NOT NULL").fetchnumpy()
        names = np.asarray(d["c"], dtype=object).astype(str)
        cats, idx = np.unique(names, return_inverse=True)
        return cls(cats.tolist(), np.asarray(d["lon"], np.float64),
                   np.asarray(d["lat"], np.float64), idx.astype(np.int64), communities=comm,
                   roads=roads)

    # ---------------------------------------------------------------- queries

    def near(self, lon: Sequence[float] | np.ndarray, lat: Sequence[float] | np.ndarray,
             radii: Sequence[float] = RINGS_M) -> np.ndarray:
        """For each point, which categories have a place within each radius: a boolean array
        (points × radii × categories). Radii beyond the grid's are cut to it; an unusable
        point (not a number, out of range, far outside the places) has none."""
        x = np.asarray(lon, np.float64).ravel()
        y = np.asarray(lat, np.float64).ravel()
        radii = [min(float(r), self.radius_m) for r in radii]
        out = np.zeros((x.size, len(radii), len(self.categories)), bool)
        if self.n == 0 or x.size == 0:
            return out
        with np.errstate(invalid="ignore"):
            ok = np.isfinite(x) & np.isfinite(y) & (np.abs(y) <= 90) & (np.abs(x) <= 180)
            ix = np.floor((np.where(ok, x, self._x0) - self._x0) / self._cx)
            iy = np.floor((np.where(ok, y, self._y0) - self._y0) / self._cy)
        ok &= (ix >= -1) & (ix <= self._nx) & (iy >= -1) & (iy <= self._ny)
        q = np.flatnonzero(ok)
        if q.size == 0:
            return out
        ix, iy = ix[q].astype(np.int64), iy[q].astype(np.int64)
        qs, ps = [], []
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                k = self._key(ix + dx, iy + dy)
                lo = np.searchsorted(self._keys, k, "left")
                hi = np.searchsorted(self._keys, k, "right")
                cnt = hi - lo
                tot = int(cnt.sum())
                if tot == 0:
                    continue
                rep = np.repeat(np.arange(q.size), cnt)
                start = np.repeat(lo - np.concatenate(([0], np.cumsum(cnt)[:-1])), cnt)
                qs.append(rep)
                ps.append(start + np.arange(tot))
        if not qs:
            return out
        qi = np.concatenate(qs)
        pi = np.concatenate(ps)
        qx, qy = x[q][qi], y[q][qi]
        dxm = (self._x[pi] - qx) * _M_PER_DEG_LON * np.cos(np.radians(qy))
        dym = (self._y[pi] - qy) * _M_PER_DEG_LAT
        d2 = dxm * dxm + dym * dym
        for j, r in enumerate(radii):
            m = d2 <= r * r
            out[q[qi[m]], j, self._c[pi[m]]] = True
        return out

    def inside(self, lon, lat) -> np.ndarray:
        """Which points are usable numbers inside the places' :attr:`extent`."""
        x = np.asarray(lon, np.float64)
        y = np.asarray(lat, np.float64)
        if not np.isfinite(self.extent[0]):
            return np.zeros(x.shape, bool)
        x0, y0, x1, y1 = self.extent
        return np.isfinite(x) & np.isfinite(y) & (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)

    def categories_near(self, lon: float, lat: float, radius_m: float) -> set[str]:
        """The categories with a place within ``radius_m`` of one point (at most the grid's
        radius)."""
        hit = self.near([lon], [lat], (radius_m,))[0, 0]
        return {self.categories[i] for i in np.flatnonzero(hit)}

    def columns(self, near: np.ndarray, radii: Sequence[float] = RINGS_M,
                min_reports: int = 2, lon=None, lat=None) -> list[str]:
        """The place columns a model learns from ``near`` (:meth:`near` of its training
        reports) and, with their points (``lon``, ``lat``), the kinds of the communities at
        them: :data:`POINT_COLUMN`, then ``"<radius>:<category>"`` for each radius and
        category around at least ``min_reports`` reports, then each kind column
        (:class:`Communities`) and road column (:class:`Roads`) of at least ``min_reports``
        reports; none when nothing is around any and no kind or road is known (the words
        alone)."""
        counts = near.sum(axis=0)
        cols = [f"{int(round(r))}:{self.categories[c]}" for j, r in enumerate(radii)
                for c in np.flatnonzero(counts[j] >= min_reports)]
        if lon is not None and lat is not None:
            x = np.asarray(lon, np.float64).ravel()
            y = np.asarray(lat, np.float64).ravel()
            with np.errstate(invalid="ignore"):
                has = self.inside(x, y)
            for src in self._flag_sources():
                kc = src.flags(x[has], y[has]).sum(axis=0)
                cols += [c for c, k in zip(src.names, kc, strict=True) if k >= min_reports]
        return [POINT_COLUMN, *cols] if cols else []

    def features(self, lon: np.ndarray, lat: np.ndarray, columns: Sequence[str]
                 ) -> np.ndarray:
        """The reports' place features in ``columns`` (see :meth:`columns`): a 0/1 array
        (reports × columns, float32); a report without a usable point — not a number, or
        outside the places' :attr:`extent` — has a row of zeros (no point). A category the
        catalog does not have is never around."""
        x = np.asarray(lon, np.float64).ravel()
        y = np.asarray(lat, np.float64).ravel()
        out = np.zeros((x.size, len(columns)), np.float32)
        if not columns or x.size == 0:
            return out
        with np.errstate(invalid="ignore"):
            has = self.inside(x, y)
        if not has.any():
            return out
        radii, ring, cat = self._parse(tuple(columns))
        if radii:
            near = self.near(np.where(has, x, np.nan), np.where(has, y, np.nan), radii)
            ok = cat >= 0
            out[:, ok] = near[:, ring[ok], cat[ok]]
        out[:, cat == -1] = has[:, None]
        flag = np.flatnonzero(cat == -3)
        for src in self._flag_sources() if flag.size else ():
            pos = {c: j for j, c in enumerate(src.names)}
            have = [(k, pos[columns[k]]) for k in flag if columns[k] in pos]
            if have:
                rows = np.flatnonzero(has)
                fl = src.flags(x[rows], y[rows])
                for k, j in have:
                    out[rows, k] = fl[:, j]
        return out

    def _flag_sources(self) -> list:
        """What gives a point flag columns of its own: the communities, the roads."""
        return [s for s in (self.communities, self.roads) if s is not None]

    def _parse(self, columns: tuple[str, ...]) -> tuple[list[float], np.ndarray, np.ndarray]:
        """The radii of ``columns`` and each column's radius index and category index (−1:
        :data:`POINT_COLUMN`, −2: a category or column this catalog does not have, −3: a
        kind of community or street, :data:`KIND_PREFIX`, or a class of road,
        :data:`ROAD_PREFIX`)."""
        got = self._parsed.get(columns)
        if got is not None:
            return got
        parsed = []
        for c in columns:
            if c == POINT_COLUMN:
                parsed.append((None, -1))
                continue
            if c.startswith((KIND_PREFIX, ROAD_PREFIX)):
                parsed.append((None, -3))
                continue
            r, _, name = c.partition(":")
            try:
                parsed.append((float(r), self.pos.get(name, -2)))
            except ValueError:
                parsed.append((None, -2))
        radii = sorted({r for r, _ in parsed if r is not None})
        rpos = {r: j for j, r in enumerate(radii)}
        ring = np.array([rpos.get(r, 0) if r is not None else 0 for r, _ in parsed], np.int64)
        cat = np.array([c for _, c in parsed], np.int64)
        self._parsed[columns] = (radii, ring, cat)
        return radii, ring, cat

    # ---------------------------------------------------------------- helpers

    def _key(self, ix: np.ndarray, iy: np.ndarray) -> np.ndarray:
        # rows of ny + 4 cells: a neighbour two cells outside the extent never wraps onto
        # another row's cell
        return (np.asarray(ix, np.int64) + 2) * (self._ny + 4) + (np.asarray(iy, np.int64) + 2)


def _union(a: tuple, b: tuple) -> tuple:
    """The bounding box of two (an unknown one, NaN, is none)."""
    if not np.isfinite(a[0]):
        return b
    if not np.isfinite(b[0]):
        return a
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))
