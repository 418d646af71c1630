"""智能分拨 · the report router: a citizen's words → event type, departments, place, urgency.

Qt-free. The GUI, the CLI (``cockpit route``), the benchmark and the alarm source call the same
functions::

    router = Router.load(catalog)            # the catalog's taxonomy, places and saved model
    result = router.route("解放碑这边井盖不见了")   # -> RouteResult: top-3 types with scores,
                                             #    departments, place, urgency, needs_operator
    router.route(text, lon=106.58, lat=29.56)  # with the point it was made at: what lies
                                             #    around it counts too (:mod:`.surround`)
    train(catalog)                           # (re)train on the dataset's reports + corrections

The model (:mod:`.model`) is saved beside the catalog's database as
``<catalog>.router.skops`` (:func:`model_path`) and is retrained by ``cockpit route train`` or,
lazily, when it is missing or was trained on another build of the catalog (the catalog build
removes it). Places named in the text come from :mod:`.place`, the surroundings of a
report's point (the dataset's risk points and facilities nearby, the kind of its community)
from :mod:`.surround`, the texts of the demo data from :mod:`.corpus`. A report without a
point (or with one that is not a number) is routed by its words.

**Urgency** is the top type's default severity (1 highest … 4), one step more urgent when the
text says so (救命, 着火, 受伤, 被困, 爆炸, 紧急 …).

**Operator.** A result *needs the operator* (待分拨) when the text is empty or has fewer than two
Chinese characters (emoji, English, markup), or when no model is available; the caller compares
the top score with its own threshold for 自动分拨.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from cockpit.datasets.i18n import QT_TRANSLATE_NOOP
from cockpit.datasets.triage.model import (
    Taxonomy,
    TypeModel,
    cjk_count,
    normalise,
    split_of,
)
from cockpit.datasets.triage.place import PlaceFinder, PlaceMatch
from cockpit.datasets.triage.surround import POINT_COLUMN, Surroundings, as_points, valid_point

__all__ = ["Router", "RouteResult", "Candidate", "EvalReport", "train", "evaluate",
           "model_path", "load_taxonomy", "held_out", "split_ids", "NoModel", "TOP_K",
           "unit_points", "Surroundings", "valid_point",
           "URGENT_WORDS", "DEFAULT_MAX_TRAIN", "HANDWRITTEN", "handwritten_reports",
           "kind_accuracy"]

TOP_K = 3
DEFAULT_MAX_TRAIN = 30_000
URGENT_WORDS = ("救命", "着火", "起火", "受伤", "被困", "困人", "爆炸", "紧急", "十万火急", "人命",
                "危险", "快点来")
_URGENT_RE = re.compile("|".join(URGENT_WORDS))

REASON_EMPTY = QT_TRANSLATE_NOOP("vocabulary", "报告是空的")
REASON_NO_CHINESE = QT_TRANSLATE_NOOP("vocabulary", "报告里没有可识别的中文描述")
REASON_NO_MODEL = QT_TRANSLATE_NOOP("vocabulary", "分拨模型尚未训练")


class NoModel(RuntimeError):
    """The dataset has nothing to learn from (no event descriptions)."""


@dataclass(frozen=True)
class Candidate:
    """One suggested event type."""

    type_id: str
    name: str
    category: str
    score: float  # calibrated probability, 0–1
    dept_id: str  # the type's default department (city level)
    severity: int

    def as_dict(self) -> dict:
        return {"type_id": self.type_id, "name": self.name, "category": self.category,
                "score": round(self.score, 4), "dept_id": self.dept_id,
                "severity": self.severity}


@dataclass(frozen=True)
class RouteResult:
    """What the router made of one report."""

    text: str
    candidates: tuple[Candidate, ...]
    place: PlaceMatch | None
    urgency: int  # 1 highest … 4
    departments: tuple[str, ...] = ()  # the top type's plan at the place's level
    plan_id: str | None = None
    needs_operator: bool = False
    reason: str = ""  # why it needs the operator (a translatable text), or ""
    #: what the router read around the report's point, ``"<radius m>:<category>"`` (empty
    #: without a point, or when the model reads no place)
    around: tuple[str, ...] = ()

    @property
    def top(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None

    @property
    def score(self) -> float:
        return self.candidates[0].score if self.candidates else 0.0

    def auto(self, threshold: float) -> bool:
        """Route without the operator: a usable text and a top score at the threshold."""
        return not self.needs_operator and self.score >= threshold

    def as_dict(self) -> dict:
        return {"candidates": [c.as_dict() for c in self.candidates],
                "place": self.place.as_dict() if self.place else None,
                "urgency": self.urgency, "departments": list(self.departments),
                "plan_id": self.plan_id, "needs_operator": self.needs_operator,
                "reason": self.reason, "around": list(self.around)}


def model_path(catalog: Any) -> Path:
    """Where the router of a catalog lives: beside its database file."""
    db = Path(getattr(catalog, "db_path", catalog))
    return db.with_name(db.stem + ".router.skops")


def load_taxonomy(con) -> Taxonomy:
    """The event types of a catalog, ordered by id."""
    rows = con.execute(
        "SELECT type_id, name, category, dept_id, coalesce(default_severity, 3), plan_id "
        "FROM event_type ORDER BY type_id").fetchall()
    return Taxonomy([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows],
                    [r[3] for r in rows], [int(r[4]) for r in rows], [r[5] for r in rows])


def _load_units(con) -> list[tuple]:
    return con.execute(
        "SELECT code, name, level, parent_code FROM admin_unit "
        "WHERE level IN ('district', 'street', 'community')").fetchall()


def _has_descriptions(con) -> bool:
    return bool(con.execute(
        "SELECT count(*) FROM information_schema.columns WHERE table_name = 'event' "
        "AND column_name = 'description'").fetchone()[0])


def unit_points(con) -> tuple[dict[str, tuple[float, float]], str | None]:
    """Each unit's centroid above the grids (where a typed-in report is put when it names
    its place) and the top unit's code (where it is put when it does not)."""
    pts = {c: (float(x), float(y)) for c, x, y in con.execute(
        "SELECT code, lon, lat FROM admin_unit WHERE level IN "
        "('city', 'district', 'street', 'community')").fetchall()}
    top = con.execute("SELECT code FROM admin_unit WHERE parent_code IS NULL "
                      "ORDER BY code LIMIT 1").fetchone()
    return pts, (top[0] if top else None)


#: Reports written by hand for the demo's kinds, not by the generator (``text,type_id``, the
#: kind's plain type): how the router does on words the demo corpus never had.
HANDWRITTEN = Path(__file__).with_name("handwritten.csv")


def handwritten_reports(path: Path = HANDWRITTEN) -> tuple[list[str], list[str]]:
    """The texts and types of :data:`HANDWRITTEN` (or another file of its columns)."""
    import csv

    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return [r["text"] for r in rows], [r["type_id"] for r in rows]


def kind_accuracy(router: Router, texts: Sequence[str], type_ids: Sequence[str]
                  ) -> tuple[float, float]:
    """How often the kind (:attr:`Taxonomy.type_stem`) of the router's first type is the
    expected type's, and how often it is among the top three's; a type the taxonomy does not
    have counts as a miss."""
    tx = router.taxonomy
    res = router.route_many(list(texts), plans=False)
    hit1 = hit3 = 0
    for r, y in zip(res, type_ids, strict=True):
        if y not in tx.pos:
            continue
        want = tx.type_stem[tx.pos[y]]
        stems = [tx.type_stem[tx.pos[c.type_id]] for c in r.candidates]
        hit1 += bool(stems) and stems[0] == want
        hit3 += want in stems
    n = max(1, len(texts))
    return hit1 / n, hit3 / n


def split_ids(con, split: int = 2, limit: int | None = None) -> np.ndarray:
    """The ids of one split's described events (2 = held out, 1 = calibration, 0 = train),
    ascending; at most ``limit`` (an even, deterministic thinning). Raises :class:`NoModel`
    when the events have no description column."""
    if not _has_descriptions(con):
        raise NoModel("the dataset's events have no description column to learn from")
    ids = np.asarray(con.execute(
        "SELECT event_id FROM event "
        "WHERE description IS NOT NULL AND length(trim(description)) > 0 "
        "ORDER BY event_id").fetchnumpy()["event_id"], np.int64)
    sel = ids[split_of(ids) == split]
    if limit is not None and sel.size > limit:
        sel = sel[np.linspace(0, sel.size - 1, limit).astype(np.int64)]
    return sel


def held_out(con, split: int = 2, limit: int | None = None) -> dict[str, list]:
    """The reports of one split (see :func:`split_ids`): ids, texts, types, districts,
    streets and points (lon, lat), ordered by id; only the split's rows are read."""
    sel = split_ids(con, split, limit)
    rows = con.execute(
        "SELECT event_id, description, type_id, district_code, street_code, lon, lat "
        "FROM event WHERE event_id IN (SELECT unnest(?::BIGINT[])) "
        "ORDER BY event_id", [sel.tolist()]).fetchall() if sel.size else []
    keys = ("event_id", "text", "type_id", "district_code", "street_code", "lon", "lat")
    return {k: [r[j] for r in rows] for j, k in enumerate(keys)}


class Router:
    """A dataset's taxonomy, place names and (when trained) model."""

    def __init__(self, taxonomy: Taxonomy, finder: PlaceFinder, model: TypeModel | None,
                 con=None, surroundings: Surroundings | None = None) -> None:
        self.taxonomy = taxonomy
        self.finder = finder
        self.model = model
        self.con = con
        #: the dataset's places around a point (built at load when the model reads them)
        self.surroundings = surroundings
        self._book = None  # every type's plan, read once (routing.PlanBook)

    def plan_book(self, con=None):
        """The catalog's plans in memory (read on first use with ``con``, else ``self.con``):
        a report's departments then cost no query."""
        if self._book is None:
            c = con if con is not None else self.con
            if c is None:
                return None
            from cockpit.datasets.routing import PlanBook

            self._book = PlanBook(c)
        return self._book

    @classmethod
    def load(cls, catalog: Any, con=None, train_if_missing: bool = False) -> Router:
        """The router of a :class:`~cockpit.datasets.catalog.Catalog` (its saved model, or
        ``model=None`` when there is none yet; ``train_if_missing`` trains it first)."""
        con = con if con is not None else catalog.cursor()
        path = model_path(catalog)
        model = None
        if path.exists():
            try:
                model = TypeModel.load(path)
            except Exception:  # noqa: BLE001 - a broken, foreign or old model file is a cache
                model = None  # miss: it is trained again
        surr = Surroundings.from_catalog(con) if model is not None and model.place_columns \
            else None
        router = cls(load_taxonomy(con), PlaceFinder(_load_units(con)), model, con, surr)
        if model is None and train_if_missing:
            rep = train(catalog, con=con)
            router.model, router.surroundings = rep.model, rep.surroundings
        return router

    def route(self, text: str, con=None, lon: float | None = None, lat: float | None = None
              ) -> RouteResult:
        """Route one report, made at (``lon``, ``lat``) when known (never raises on odd text
        or an odd point: a point that is not a number is no point)."""
        return self.route_many([text], con=con, lons=[lon], lats=[lat])[0]

    def places(self, lons: Sequence[float | None] | None, lats: Sequence[float | None] | None,
               n: int):
        """The place features of ``n`` reports made at (``lons``, ``lats``) for this model
        (``None`` when it reads none or no report has a point)."""
        m = self.model
        if m is None or not m.place_columns or self.surroundings is None:
            return None
        if lons is None or lats is None:
            return None
        x, y = as_points(lons, lats, n)
        if not np.isfinite(x).any():
            return None
        return self.surroundings.features(x, y, m.place_columns)

    def route_many(self, texts: Sequence[str], con=None, plans: bool = True,
                   lons: Sequence[float | None] | None = None,
                   lats: Sequence[float | None] | None = None) -> list[RouteResult]:
        """Route several reports at once (one matrix product); ``lons``/``lats``: where each
        was made (``None`` items or lists: not known)."""
        texts = [t if isinstance(t, str) else ("" if t is None else str(t)) for t in texts]
        norm = [normalise(t) for t in texts]
        proba = None
        places = self.places(lons, lats, len(texts))
        if self.model is not None:
            proba = self.model.predict_proba(texts, self.taxonomy, places)
        out = []
        tx = self.taxonomy
        for i, text in enumerate(texts):
            reason = ""
            if not norm[i]:
                reason = REASON_EMPTY
            elif cjk_count(norm[i]) < 2:
                reason = REASON_NO_CHINESE
            elif proba is None:
                reason = REASON_NO_MODEL
            cands: tuple[Candidate, ...] = ()
            if proba is not None and norm[i]:
                p = proba[i]
                top = np.argpartition(-p, min(TOP_K, len(p) - 1))[:TOP_K]
                top = top[np.argsort(-p[top])]
                cands = tuple(Candidate(tx.type_ids[j], tx.names[j], tx.categories[j],
                                        float(p[j]), tx.dept_ids[j], tx.severity[j])
                              for j in top)
            place = self.finder.find(norm[i]) if norm[i] else None
            urgency = cands[0].severity if cands else 3
            if _URGENT_RE.search(norm[i]):
                urgency = max(1, urgency - 1)
            depts: tuple[str, ...] = ()
            plan_id = None
            book = self.plan_book(con) if plans and cands else None
            if book is not None:
                try:
                    plan = book.plan_for_type(cands[0].type_id,
                                              place.district_code if place else None,
                                              place.street_code if place else None)
                    depts, plan_id = tuple(plan.departments()), plan.plan_id
                except KeyError:
                    pass
            around: tuple[str, ...] = ()
            if places is not None:
                cols = self.model.place_columns
                around = tuple(cols[k] for k in np.flatnonzero(places[i])
                               if cols[k] != POINT_COLUMN)
            out.append(RouteResult(text, cands, place, int(urgency), depts, plan_id,
                                   bool(reason), reason, around))
        return out


@dataclass
class TrainReport:
    """What :func:`train` did."""

    model: TypeModel
    n_train: int
    n_corrections: int
    seconds: float
    path: Path | None
    surroundings: Surroundings | None = None


def train(catalog: Any, con=None, corrections: Iterable[tuple] = (),
          max_train: int | None = DEFAULT_MAX_TRAIN, words: bool = False,
          save: bool = True, places: bool = True,
          surroundings: Surroundings | None = None) -> TrainReport:
    """Train the router on the catalog's reports (train split, at most ``max_train`` of them)
    and the operator's ``corrections`` ((text, type_id) or (text, type_id, lon, lat) — where
    the report was made, ``None`` when not known —, weighted), calibrate it on the
    calibration split, save it beside the catalog. With ``places`` the model also learns
    what the surroundings of each report's point (the catalog's risk points and facilities,
    or ``surroundings``) say of its type. Raises :class:`NoModel` when the dataset has no
    descriptions."""
    t0 = time.perf_counter()
    con = con if con is not None else catalog.cursor()
    tax = load_taxonomy(con)
    tr = held_out(con, split=0, limit=max_train)
    cal = held_out(con, split=1, limit=10_000)
    corr = [(c[0], c[1], *(tuple(c[2:4]) if len(c) >= 4 else (None, None)))
            for c in corrections if c[0] and c[1] in tax.pos]
    surr, cols, tr_pl, cal_pl = None, [], None, None
    if places:
        surr = surroundings if surroundings is not None else Surroundings.from_catalog(con)

        def points(d: dict) -> tuple[np.ndarray, np.ndarray]:
            return as_points(d["lon"], d["lat"], len(d["text"]))

        tx, ty = points(tr)
        # a correction with its point teaches what the place says too
        cx, cy = as_points([c[2] for c in corr], [c[3] for c in corr], len(corr))
        ax, ay = np.concatenate([tx, cx]), np.concatenate([ty, cy])
        cols = surr.columns(surr.near(ax, ay), lon=ax, lat=ay)
        if cols:
            tr_pl = surr.features(ax, ay, cols)
            cal_pl = surr.features(*points(cal), cols)
    texts = tr["text"] + [c[0] for c in corr]
    labels = tr["type_id"] + [c[1] for c in corr]
    from cockpit.datasets.triage.model import CORRECTION_WEIGHT

    weights = [1.0] * len(tr["text"]) + [CORRECTION_WEIGHT] * len(corr)
    if len(set(labels)) < 2:
        raise NoModel("the dataset has too few described events to learn from")
    model = TypeModel.fit(texts, labels, tax, weights=weights,
                          calib=(cal["text"], cal["type_id"]), words=words, places=tr_pl,
                          place_columns=cols, calib_places=cal_pl)
    model.meta["n_corrections"] = len(corr)
    path = None
    if save:
        path = model_path(catalog)
        model.save(path)
    return TrainReport(model, len(tr["text"]), len(corr), time.perf_counter() - t0, path,
                       surr if cols else None)


@dataclass
class EvalReport:
    """Accuracy of the router on labelled reports."""

    n: int
    top1: float
    top3: float
    macro_f1: float
    confused: list[tuple[str, str, int]] = field(default_factory=list)  # (true, predicted, n)
    dept_acc: float | None = None
    latency_ms: list[float] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"n": self.n, "top1": round(self.top1, 4), "top3": round(self.top3, 4),
                "macro_f1": round(self.macro_f1, 4),
                "dept_acc": None if self.dept_acc is None else round(self.dept_acc, 4),
                "confused": [list(c) for c in self.confused]}


def evaluate(router: Router, texts: Sequence[str], type_ids: Sequence[str],
             dept_kinds: Sequence[str | None] | None = None, top_confused: int = 10,
             batch: int = 2000, lons: Sequence[float | None] | None = None,
             lats: Sequence[float | None] | None = None) -> EvalReport:
    """Top-1 / top-3 accuracy, macro-F1 over the true types, the most confused pairs and (with
    ``dept_kinds``) how often the top type's department kind is the expected one; ``lons`` /
    ``lats``: where each report was made (``None``: not known)."""
    from sklearn.metrics import f1_score

    if router.model is None:
        raise NoModel("the router has no model: run `cockpit route train` first")
    n = len(texts)
    pred1: list[str] = []
    hit3 = 0
    for s in range(0, n, batch):
        res = router.route_many(
            list(texts[s:s + batch]), plans=False,
            lons=None if lons is None else list(lons[s:s + batch]),
            lats=None if lats is None else list(lats[s:s + batch]))
        for r, y in zip(res, type_ids[s:s + batch], strict=True):
            ids = [c.type_id for c in r.candidates]
            pred1.append(ids[0] if ids else "")
            hit3 += y in ids
    top1 = float(np.mean([p == y for p, y in zip(pred1, type_ids, strict=True)])) if n else 0.0
    labels = sorted(set(type_ids))
    f1 = float(f1_score(list(type_ids), pred1, labels=labels, average="macro",
                        zero_division=0)) if n else 0.0
    pairs: dict[tuple[str, str], int] = {}
    for p, y in zip(pred1, type_ids, strict=True):
        if p != y:
            pairs[(y, p)] = pairs.get((y, p), 0) + 1
    confused = sorted(((a, b, k) for (a, b), k in pairs.items()), key=lambda x: -x[2])
    dept_acc = None
    if dept_kinds is not None and router.con is not None:
        kind_of = dict(router.con.execute("SELECT dept_id, kind FROM department").fetchall())
        tx = router.taxonomy
        ok = [kind_of.get(tx.dept_ids[tx.pos[p]]) == k for p, k in zip(pred1, dept_kinds,
                                                                      strict=True)
              if k and p in tx.pos]
        dept_acc = float(np.mean(ok)) if ok else None
    return EvalReport(n, top1, hit3 / n if n else 0.0, f1, confused[:top_confused], dept_acc)
