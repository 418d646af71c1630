"""The report router's model: text → event type, learned from the dataset's own reports.

**Features.** The text is normalised (:func:`normalise`: HTML tags and entities removed,
traditional characters mapped to simplified, full-width forms to half-width, whitespace
collapsed, at most :data:`MAX_CHARS` characters kept) and turned into TF-IDF weights of character
1–3-grams (sublinear tf, terms in at least two reports, at most :data:`MAX_FEATURES` of them);
optionally jieba words are added (``words=True``; imported only then, it takes a second to
load its dictionary). A report that opens a second matter (另外，… / 还有个事，… / ；另有…) has
its main matter — the words before — counted twice (:func:`features_text`): a caller's first
problem is the one to route, the one added on should not outvote it.

**Two linear models over one taxonomy.** A taxonomy of a thousand types is mostly a few dozen
kinds, each with variants named in brackets (``供水管网漏水（学校周边）``). The router factors a
type into its *stem* (the name before the bracket) and its *qualifier* (the bracket's words, or
none) and trains two linear classifiers (one-vs-rest linear SVMs, scikit-learn's
``LinearSVC``: on these texts more accurate than a logistic regression and ten times faster to
train): one over stems, one over qualifiers. Their margins become probabilities by a softmax
with a fitted temperature (below). The score of a type is P(stem) · P(qualifier | the
qualifiers that stem has). The qualifier model's "no qualifier" means "no context said": a
report that does not say its context is the kind's plain type or, less often, one of its
variants, and the commoner the variant the likelier. So that probability is shared among the
stem's plain type and its variants by their frequency in the training reports, the variants'
counts times a share fitted on the calibration split (the qualifier model, shared by all
stems, cannot know how common each of a kind's variants is). A taxonomy
without brackets has one qualifier per stem, and the router is a plain flat classifier. This
keeps the model small (stems + qualifiers, not types, times the features) and the training
within a minute on a city's history.

**Where the report was made.** A report with a point (lon/lat: the caller's geocoded address,
the grid worker's position, the Open311 request's) has surroundings
(:class:`~cockpit.datasets.triage.surround.Surroundings`: which categories of the dataset's
places lie within 100 m and 300 m, and the kind of the community there — 村 or 社区, in a 街道,
镇 or 乡). A third, small model reads them: a multinomial logistic
regression from the surroundings to the qualifier (to the stem when the taxonomy has no
qualifiers), trained on the training reports' points. Its answer enters as evidence beside the
words — the type's probability times (P(qualifier | surroundings) / P(qualifier))^α,
renormalised within the stem, so the kind the words found keeps its probability — with the
weight α fitted on the calibration split like the temperatures (0: the place says nothing).
The words and the place are taken as independent given the type: a report that says 学校门口
is the school variant wherever it was made (the place can hardly outvote a clear text), one
that says no context is ranked among its kind's variants by what is around it. A report
without a point is routed by its words exactly as before; a dataset whose reports have
nothing around them gets no place model.

**Calibration.** Each model's margins are divided by its own temperature, fitted with that
share on a calibration slice that neither model was trained on (the minimum negative
log-likelihood of the true type, searched on a grid), so that a score of 0.8 means about eight
in ten are right — also for a report that does not say its context, whose kind's plain type
comes first but is then often one of its variants.

**Splits.** Every event with a description belongs to one split by a hash of its id
(:func:`split_of`): 15 % *held out* (never trained on: the benchmark and the tests measure on
it), 10 % *calibration*, the rest *train*. Operator corrections from the dispatch log are added
to the training data with weight :data:`CORRECTION_WEIGHT`.

**Saving.** The fitted model is saved with skops as plain arrays (the vocabulary, the IDF
weights, each classifier's coefficients) and strings; loading trusts no type at all and refuses
a file that asks for one (nothing is unpickled), and rebuilds the vectoriser from the arrays.
"""

from __future__ import annotations

import html
import re
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

__all__ = ["normalise", "split_of", "TypeModel", "Taxonomy", "stem_and_qualifier",
           "MAX_CHARS", "MAX_FEATURES", "CORRECTION_WEIGHT", "HELD_OUT", "CALIBRATION",
           "cjk_count", "PLACE_ALPHAS"]

MAX_CHARS = 600
MAX_FEATURES = 60_000
CORRECTION_WEIGHT = 25.0
#: Split fractions (by hash of the event id).
HELD_OUT = 0.15
CALIBRATION = 0.10
_MODEL_VERSION = 3
#: The weights of the place's evidence tried on the calibration split.
PLACE_ALPHAS = (0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0)
#: Shares of a kind's variant reports that do not say their context, tried on the calibration
#: split (0: the plain type takes all of "no context said").
_PRIOR_WEIGHTS = (0.0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5)

_TAG = re.compile(r"<[^>]{0,200}>")
_SPACE = re.compile(r"\s+")
_BRACKET = re.compile(r"^(.*?)[（(]([^）)]+)[）)]\s*$")
_CJK = re.compile(r"[\u3400-\u9fff]")
_WHITE = re.compile(r"\s\s+")  # what scikit-learn's character analyser folds
#: Words that open a second matter in a report (另外，… / 还有个事，… / ；另有…): the words
#: before the first of them are the report's main matter.
_SECOND_MATTER = re.compile(r"另外|此外|还有就是|还有个事|还有一个事|还有一件事|顺便说一下|"
                            r"顺便说下|顺便问一下|对了|再一个|另有|另一个事")
#: At most this many texts go the direct way in :meth:`TypeModel.predict_proba`.
_FAST_MAX = 16


def _t2s_table() -> dict[int, str]:
    from cockpit.datasets.triage.corpus import _S2T

    return str.maketrans({t: s for s, t in _S2T.items() if s != t})


_T2S = _t2s_table()


def normalise(text: str) -> str:
    """The text the model reads (see the module doc)."""
    if not text:
        return ""
    t = text[: MAX_CHARS * 4]
    if "<" in t:
        t = _TAG.sub(" ", t)
    if "&" in t:
        t = html.unescape(t)
    t = unicodedata.normalize("NFKC", t).translate(_T2S).lower()
    t = _SPACE.sub(" ", t).strip()
    return t[:MAX_CHARS]


def features_text(text: str) -> str:
    """What the character features are counted on: the normalised text, with the main matter
    — the words before a second matter is opened (:data:`_SECOND_MATTER`) — said twice, so
    that a report's first problem outweighs the one it adds on."""
    t = normalise(text)
    m = _SECOND_MATTER.search(t)
    if m is not None and m.start() > 0:
        return t[: m.start()] + " " + t
    return t


def cjk_count(text: str) -> int:
    """How many Chinese characters ``text`` has."""
    return len(_CJK.findall(text or ""))


def split_of(event_ids: Sequence[int] | np.ndarray) -> np.ndarray:
    """The split of each event id: 0 train, 1 calibration, 2 held out (a fixed hash)."""
    x = np.asarray(event_ids, dtype=np.uint64)
    h = (x * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(40)  # Fibonacci hashing, 24 bits
    u = h.astype(np.float64) / float(1 << 24)
    out = np.zeros(x.shape, np.int8)
    out[u < HELD_OUT + CALIBRATION] = 1
    out[u < HELD_OUT] = 2
    return out


def stem_and_qualifier(name: str) -> tuple[str, str]:
    """``供水管网漏水（学校周边）`` → (``供水管网漏水``, ``学校周边``); no bracket → (name, "")."""
    m = _BRACKET.match(name or "")
    if m and m.group(1).strip():
        return m.group(1).strip(), m.group(2).strip()
    return (name or "").strip(), ""


@dataclass
class Taxonomy:
    """The dataset's event types, in a fixed order."""

    type_ids: list[str]
    names: list[str]
    categories: list[str]
    dept_ids: list[str]
    severity: list[int]
    plan_ids: list[str | None] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.pos = {t: i for i, t in enumerate(self.type_ids)}
        sq = [stem_and_qualifier(n) for n in self.names]
        self.stems = sorted({s for s, _ in sq})
        self.quals = sorted({q for _, q in sq})
        sp = {s: i for i, s in enumerate(self.stems)}
        qp = {q: i for i, q in enumerate(self.quals)}
        self.type_stem = np.array([sp[s] for s, _ in sq], np.int64)
        self.type_qual = np.array([qp[q] for _, q in sq], np.int64)




class TypeModel:
    """The fitted vectoriser, the two classifiers and the temperature."""

    def __init__(self, vectorizer, stem_clf, qual_clf, stems: list[str], quals: list[str],
                 temperature: float, meta: dict, prior: np.ndarray | None = None,
                 prior_weight: float = 0.0, qual_temperature: float | None = None,
                 place: _PlaceModel | None = None) -> None:
        self.vectorizer = vectorizer
        #: the surroundings → qualifier (or stem) model, ``None`` when the model reads no place
        self.place = place
        self.stem_clf = stem_clf
        self.qual_clf = qual_clf
        self.stems = stems
        self.quals = quals
        self.temperature = float(temperature)
        #: the qualifier model's own temperature (its margins are not the stem model's)
        self.qual_temperature = float(temperature if qual_temperature is None
                                      else qual_temperature)
        self.meta = meta
        #: P(qualifier | stem) in the training reports (qualifiers × stems). The qualifier
        #: model's "no qualifier" means "no context said"; its probability is shared among
        #: the stem's plain type and, ``prior_weight`` being the share of variant reports
        #: that do not say their context, the stem's variants as common as they are (the
        #: qualifier model is shared by all stems and does not know that).
        self.prior = None if prior is None else np.asarray(prior, np.float64)
        self.prior_weight = float(prior_weight)
        self._bind_cache: tuple | None = None
        self._idf: np.ndarray | None = None
        self._pairs: tuple | None = None
        self._plain = -1  # the index of the empty qualifier (set with ``_pairs``)

    # ---------------------------------------------------------------- training

    @classmethod
    def fit(cls, texts: Sequence[str], type_ids: Sequence[str], taxonomy: Taxonomy,
            weights: Sequence[float] | None = None, calib: tuple[Sequence[str],
            Sequence[str]] | None = None, words: bool = False, places=None,
            place_columns: Sequence[str] = (), calib_places=None) -> TypeModel:
        """Train on ``texts`` labelled ``type_ids`` (unknown type ids are skipped);
        ``calib``: texts and types for the temperature. ``places`` (reports ×
        ``place_columns``, sparse 0/1; ``calib_places`` the calibration reports'): the
        reports' surroundings, a row of zeros for a report without a point; none: the words
        alone."""
        from sklearn.svm import LinearSVC

        t0 = time.perf_counter()
        keep = [i for i, t in enumerate(type_ids) if t in taxonomy.pos]
        if len(keep) < 2:
            raise ValueError("not enough labelled reports to train the router "
                             f"({len(keep)} with a known event type)")
        docs = [_doc(texts[i], words) for i in keep]
        ti = np.array([taxonomy.pos[type_ids[i]] for i in keep])
        w = None if weights is None else np.asarray([weights[i] for i in keep], float)
        vec = _vectorizer(words)
        x = vec.fit_transform(docs)
        ys = taxonomy.type_stem[ti]
        yq = taxonomy.type_qual[ti]
        stem_clf = _Linear.of(_fit_linear(LinearSVC, x, ys, w))
        qual_clf = _Linear.of(_fit_linear(LinearSVC, x, yq, w))
        m = cls(vec, stem_clf, qual_clf, list(taxonomy.stems), list(taxonomy.quals), 1.0,
                {"version": _MODEL_VERSION, "words": bool(words), "n_train": len(keep),
                 "n_types": len(taxonomy.type_ids)},
                prior=_pair_prior(taxonomy, ti, w))
        if place_columns and places is not None:
            m.place = _PlaceModel.fit(places, keep, ti, taxonomy, place_columns, weights=w)
        if calib is not None and len(calib[0]):
            m.temperature, m.qual_temperature, m.prior_weight = m._fit_temperature(
                calib[0], calib[1], taxonomy)
            if m.place is not None and calib_places is not None:
                m.place.alpha = m._fit_place_weight(calib[0], calib[1], taxonomy,
                                                    calib_places)
        m.meta["train_s"] = round(time.perf_counter() - t0, 3)
        m.meta["temperature"] = m.temperature
        m.meta["qual_temperature"] = m.qual_temperature
        m.meta["prior_weight"] = m.prior_weight
        if m.place is not None:
            m.meta["place_alpha"] = m.place.alpha
        return m

    def _fit_temperature(self, texts, type_ids, taxonomy: Taxonomy
                         ) -> tuple[float, float, float]:
        """The temperatures (stem model, qualifier model) and the share of the kind's
        variants in "no context said" (:data:`_PRIOR_WEIGHTS`) that give the calibration
        reports' true types the highest likelihood, on a grid. log P(type) is log P(stem) +
        log P(qualifier | stem): the stem's temperature and the qualifier's (with the share)
        are found each on its own."""
        from threadpoolctl import threadpool_limits

        keep = [i for i, t in enumerate(type_ids) if t in taxonomy.pos]
        if not keep:
            return 1.0, 1.0, 0.0
        x = self.transform([texts[i] for i in keep])
        true = np.array([taxonomy.pos[type_ids[i]] for i in keep])
        zs, zq = self._logits(x)
        grid = np.geomspace(0.02, 2.0, 41)
        ts, _tq = self._bind(taxonomy)
        r, s_true = np.arange(len(true)), ts[true]

        def mean_nll(p: np.ndarray) -> float:
            return float(-np.mean(np.log(np.maximum(p, 1e-12))))

        # small products many times: BLAS's threads only contend for the cores
        with threadpool_limits(1):
            t = float(min(grid, key=lambda u: mean_nll(_softmax(zs / u)[r, s_true])))
            best = (np.inf, 1.0, 0.0)
            for w in _PRIOR_WEIGHTS if self.prior is not None else (0.0,):
                self.prior_weight = w
                for u in grid:
                    # only the true type's probability is needed: no (reports × types) matrix
                    v = mean_nll(self._qual_proba(zq, taxonomy, u, only=true))
                    best = min(best, (v, float(u), w))
        _, tq, self.prior_weight = best
        return t, tq, self.prior_weight

    def _fit_place_weight(self, texts, type_ids, taxonomy: Taxonomy, places) -> float:
        """The weight α of the place's evidence (:data:`PLACE_ALPHAS`) that gives the
        calibration reports with a point their true types' highest likelihood."""
        pl = np.asarray(places, np.float32)
        has = self.place.has_point(pl)
        keep = [i for i, t in enumerate(type_ids) if t in taxonomy.pos and has[i]]
        if not keep:
            return 0.0
        p = self.predict_proba([texts[i] for i in keep], taxonomy)
        ratio = self.place.ratio(pl[keep], taxonomy)
        true = np.array([taxonomy.pos[type_ids[i]] for i in keep])
        r = np.arange(len(keep))
        best = (np.inf, 0.0)
        for a in PLACE_ALPHAS:
            q = self.place.apply(p, ratio, taxonomy, a)
            best = min(best, (float(-np.mean(np.log(np.maximum(q[r, true], 1e-12)))), a))
        return best[1]

    # ---------------------------------------------------------------- prediction

    def transform(self, texts: Sequence[str]):
        words = bool(self.meta.get("words"))
        return self.vectorizer.transform([_doc(t, words) for t in texts])

    def _logits(self, x) -> tuple[np.ndarray, np.ndarray]:
        return _scores(self.stem_clf, x, len(self.stems)), _scores(self.qual_clf, x,
                                                                   len(self.quals))

    def _type_proba(self, zs: np.ndarray, zq: np.ndarray, taxonomy: Taxonomy,
                    t: float | None = None, only: np.ndarray | None = None,
                    tq: float | None = None) -> np.ndarray:
        """P(type) for every type (n × types), or with ``only`` (a type index per row) just
        that type's probability (n)."""
        if tq is None:
            tq = self.qual_temperature if t is None else t
        t = self.temperature if t is None else t
        ps = _softmax(zs / t)
        ts, _tq = self._bind(taxonomy)
        if only is not None:
            return ps[np.arange(len(only)), ts[only]] * self._qual_proba(zq, taxonomy, tq, only)
        return ps[:, ts] * self._qual_proba(zq, taxonomy, tq)

    def _qual_proba(self, zq: np.ndarray, taxonomy: Taxonomy, tq: float,
                    only: np.ndarray | None = None) -> np.ndarray:
        """P(qualifier | stem) of every type (n × types), or of ``only``'s types (n)."""
        # qualifiers renormalised within each stem's own qualifiers: the sum over a stem's
        # types of exp(qualifier logit) is one product with the (qualifier × stem) counts
        eq = np.exp((zq - zq.max(axis=1, keepdims=True)) / tq)
        ts, tq = self._bind(taxonomy)
        pairs, share = self._pair_counts(taxonomy)
        den = np.maximum(eq @ pairs, 1e-300)  # (n, stems)
        e0 = self._plain
        if only is not None:
            r = np.arange(len(only))
            s, q = ts[only], tq[only]
            pq = eq[r, q] / den[r, s]
            if share is not None:  # "no context said" shared by the plain type and variants
                pq = np.where(q == e0, 0.0, pq) + eq[r, e0] / den[r, s] * share[q, s]
            return pq
        pq = eq[:, tq] / den[:, ts]
        if share is not None:
            pq = np.where(tq == e0, 0.0, pq) + (eq[:, [e0]] / den)[:, ts] * share[tq, ts]
        return pq

    def _pair_counts(self, taxonomy: Taxonomy) -> tuple[np.ndarray, np.ndarray | None]:
        """How many of the taxonomy's types have each (qualifier, stem) of this model; and
        how a stem's "no context said" is shared among its types (qualifiers × stems, each
        stem's column sums to one: its plain type's training reports and ``prior_weight``
        times each variant's), ``None`` without a prior, its weight or a plain qualifier."""
        if (self._pairs is None or self._pairs[0] is not taxonomy
                or self._pairs[3] != self.prior_weight):
            ts, tq = self._bind(taxonomy)
            m = np.zeros((len(self.quals), len(self.stems)))
            np.add.at(m, (tq, ts), 1.0)
            share = None
            self._plain = self.quals.index("") if "" in self.quals else -1
            e0 = self._plain
            if (self.prior is not None and self.prior.shape == m.shape and e0 >= 0
                    and self.prior_weight > 0):
                f = np.where(m > 0, self.prior, 0.0) * self.prior_weight
                f[e0] = np.where(m[e0] > 0, self.prior[e0], 0.0)
                # a stem without a plain type keeps its qualifier model's word
                share = np.where(m[e0] > 0, f / np.maximum(f.sum(axis=0), 1e-300), 0.0)
            self._pairs = (taxonomy, m, share, self.prior_weight)
        return self._pairs[1], self._pairs[2]

    def _bind(self, taxonomy: Taxonomy) -> tuple[np.ndarray, np.ndarray]:
        """Each taxonomy type's stem and qualifier index in this model's lists."""
        if self._bind_cache is not None and self._bind_cache[0] is taxonomy:
            return self._bind_cache[1], self._bind_cache[2]
        sp = {s: i for i, s in enumerate(self.stems)}
        qp = {q: i for i, q in enumerate(self.quals)}
        ts = np.array([sp.get(taxonomy.stems[i], 0) for i in taxonomy.type_stem])
        tq = np.array([qp.get(taxonomy.quals[i], 0) for i in taxonomy.type_qual])
        self._bind_cache = (taxonomy, ts, tq)
        return ts, tq

    def predict_proba(self, texts: Sequence[str], taxonomy: Taxonomy, places=None
                      ) -> np.ndarray:
        """P(type | text[, surroundings]) for every type of ``taxonomy`` (rows sum to 1);
        ``places``: the reports' surroundings (reports × :attr:`place_columns`, a row of
        zeros for a report without a point), ``None``: the words alone. A few texts of the
        character model (a report at a time, the GUI's and the benchmark's case) skip
        scikit-learn's per-call checks: the same TF-IDF weights, computed directly."""
        if len(texts) <= _FAST_MAX and not self.meta.get("words"):
            zs, zq = self._logits_direct(texts)
        else:
            zs, zq = self._logits(self.transform(texts))
        p = self._type_proba(zs, zq, taxonomy)
        if places is not None and self.place is not None and self.place.alpha > 0:
            pl = np.asarray(places, np.float32)
            rows = np.flatnonzero(self.place.has_point(pl))
            if rows.size:
                p[rows] = self.place.apply(p[rows], self.place.ratio(pl[rows], taxonomy),
                                           taxonomy, self.place.alpha)
        return p

    @property
    def place_columns(self) -> list[str]:
        """The surroundings the model reads (see :meth:`Surroundings.columns`), or none."""
        return [] if self.place is None else list(self.place.columns)

    def tfidf_row(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """One text's TF-IDF weights as (term indices, values): what the character
        vectoriser's ``transform`` gives — 1–3-grams of the normalised text, sublinear tf,
        times idf, L2-normalised — without building a matrix."""
        vocab = self.vectorizer.vocabulary_
        if self._idf is None:
            self._idf = np.asarray(self.vectorizer.idf_, np.float64)
        doc = _WHITE.sub(" ", features_text(text))
        n = len(doc)
        get = vocab.get
        counts: dict[int, int] = {}
        for k in (1, 2, 3):
            for i in range(n - k + 1):
                j = get(doc[i:i + k])
                if j is not None:
                    counts[j] = counts.get(j, 0) + 1
        if not counts:
            return np.zeros(0, np.int64), np.zeros(0, np.float64)
        idx = np.fromiter(counts.keys(), np.int64, len(counts))
        val = (np.log(np.fromiter(counts.values(), np.float64, len(counts))) + 1.0) \
            * self._idf[idx]
        norm = float(np.sqrt(val @ val))
        return idx, (val / norm if norm > 0 else val)

    def _logits_direct(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        rows = [self.tfidf_row(t) for t in texts]
        return (_scores_direct(self.stem_clf, rows, len(self.stems)),
                _scores_direct(self.qual_clf, rows, len(self.quals)))

    # ---------------------------------------------------------------- files

    def save(self, path: Path | str) -> None:
        """Write the model with skops (atomically): numbers and strings only, no objects."""
        import skops.io as sio

        path = Path(path)
        tmp = path.with_name(path.name + ".tmp")
        vocab = self.vectorizer.vocabulary_
        terms = sorted(vocab, key=vocab.get)
        obj = {"terms": np.array(terms, dtype=str),
               "idf": np.asarray(self.vectorizer.idf_, np.float32),
               "stems": np.array(self.stems, dtype=str), "quals": np.array(self.quals, dtype=str),
               "temperature": float(self.temperature),
               "prior_weight": float(self.prior_weight),
               "qual_temperature": float(self.qual_temperature),
               "meta": {k: v for k, v in self.meta.items() if isinstance(v, (int, float, str))}}
        if self.prior is not None:
            obj["prior"] = np.asarray(self.prior, np.float32)
        if self.place is not None:
            obj.update(self.place.arrays())
        for name, clf in (("stem", self.stem_clf), ("qual", self.qual_clf)):
            if clf is not None:
                obj[f"{name}_coef"] = clf.coef
                obj[f"{name}_intercept"] = clf.intercept
                obj[f"{name}_classes"] = clf.classes_
        with open(tmp, "wb") as f:
            sio.dump(obj, f)
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path | str) -> TypeModel:
        """Read a model saved by :meth:`save`; refuses a file that needs any type beyond
        numbers, strings and arrays (nothing is unpickled)."""
        import skops.io as sio

        untrusted = sio.get_untrusted_types(file=path)
        if untrusted:
            raise ValueError(f"{path}: refusing to load a router model that needs "
                             f"{', '.join(untrusted)}")
        obj = sio.load(path, trusted=[])
        meta = dict(obj.get("meta") or {})
        if meta.get("version") != _MODEL_VERSION:
            raise ValueError(f"{path}: router model version {meta.get('version')!r}, "
                             f"expected {_MODEL_VERSION}")
        vec = _vectorizer(bool(meta.get("words")),
                          {str(t): i for i, t in enumerate(obj["terms"].tolist())})
        vec.idf_ = obj["idf"]
        clfs = []
        for name in ("stem", "qual"):
            if f"{name}_coef" in obj:
                clfs.append(_Linear(obj[f"{name}_coef"], obj[f"{name}_intercept"],
                                    obj[f"{name}_classes"]))
            else:
                clfs.append(None)
        return cls(vec, clfs[0], clfs[1], [str(s) for s in obj["stems"].tolist()],
                   [str(q) for q in obj["quals"].tolist()], float(obj["temperature"]), meta,
                   prior=obj.get("prior"), prior_weight=float(obj.get("prior_weight", 0.0)),
                   qual_temperature=float(obj.get("qual_temperature", obj["temperature"])),
                   place=_PlaceModel.from_arrays(obj))


class _PlaceModel:
    """Surroundings → the qualifier (or, for a taxonomy without qualifiers, the stem): a
    multinomial logistic regression's weights, the classes' shares among the training
    reports with a point, and the weight α of its evidence (see the module doc)."""

    def __init__(self, columns: Sequence[str], on: str, names: Sequence[str],
                 coef: np.ndarray, intercept: np.ndarray, base: np.ndarray,
                 alpha: float = 0.0) -> None:
        self.columns = [str(c) for c in columns]
        self.on = on  # "qual" or "stem"
        self.names = [str(n) for n in names]  # the classes: qualifier or stem names
        self.coef = np.asarray(coef, np.float64)
        self.intercept = np.asarray(intercept, np.float64)
        self.base = np.asarray(base, np.float64)  # P(class) among the training points
        self.alpha = float(alpha)
        self._bound: tuple | None = None
        self._stem_cache: tuple | None = None
        from cockpit.datasets.triage.surround import POINT_COLUMN

        self._point = self.columns.index(POINT_COLUMN) if POINT_COLUMN in self.columns else -1

    @classmethod
    def fit(cls, places, keep: Sequence[int], ti: np.ndarray, taxonomy: Taxonomy,
            columns: Sequence[str], weights: np.ndarray | None = None) -> _PlaceModel | None:
        """From the place rows of the reports ``keep`` (their types ``ti``, their
        ``weights``: an operator's correction counts more); ``None`` when too few have a
        point or all share one class."""
        import warnings

        from sklearn.exceptions import ConvergenceWarning
        from sklearn.linear_model import LogisticRegression

        on = "qual" if len(taxonomy.quals) > 1 else "stem"
        pl = np.asarray(places, np.float32)[np.asarray(keep, np.int64)]
        y = (taxonomy.type_qual if on == "qual" else taxonomy.type_stem)[ti]
        names = taxonomy.quals if on == "qual" else taxonomy.stems
        probe = cls(columns, on, names, np.zeros((0, len(columns))), np.zeros(0),
                    np.zeros(0))
        has = probe.has_point(pl)
        if has.sum() < 20 or len(np.unique(y[has])) < 2:
            return None
        x, y = pl[has], y[has]
        w = None if weights is None else np.asarray(weights, np.float64)[has]
        lr = LogisticRegression(C=1.0, max_iter=300)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            lr.fit(x, y, sample_weight=w)
        k = len(names)
        coef = np.zeros((k, len(columns)))
        icpt = np.full(k, -30.0)  # a class never seen with a point: neutral (see ratio)
        cl = lr.classes_.astype(np.int64)
        if len(cl) == 2:  # scikit-learn's binary case: one row for the second class
            coef[cl[1]], icpt[cl[1]] = lr.coef_[0] / 2, lr.intercept_[0] / 2
            coef[cl[0]], icpt[cl[0]] = -lr.coef_[0] / 2, -lr.intercept_[0] / 2
        else:
            coef[cl], icpt[cl] = lr.coef_, lr.intercept_
        base = np.bincount(y, weights=w, minlength=k).astype(np.float64)
        base /= base.sum()
        return cls(columns, on, names, coef, icpt, base)

    def has_point(self, pl: np.ndarray) -> np.ndarray:
        """Which rows of a place array are of a report with a point."""
        if self._point < 0:
            return pl.sum(axis=1) > 0
        return pl[:, self._point] > 0

    def ratio(self, pl, taxonomy: Taxonomy) -> np.ndarray:
        """P(class | surroundings) / P(class) of each type's class (reports × types); 1 for a
        class the training points never had."""
        z = pl.astype(np.float64) @ self.coef.T + self.intercept
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        post = e / e.sum(axis=1, keepdims=True)
        r = np.where(self.base > 0, post / np.maximum(self.base, 1e-300), 1.0)
        r = np.hstack([r, np.ones((r.shape[0], 1))])  # the last: a class never known
        return r[:, self._bind(taxonomy)]

    def apply(self, p: np.ndarray, ratio: np.ndarray, taxonomy: Taxonomy,
              alpha: float) -> np.ndarray:
        """``p`` (reports × types) times ``ratio``^α, renormalised within each stem (on
        qualifiers: the stems keep their probabilities) or over all types (on stems)."""
        if alpha == 0:
            return p
        q = p * np.power(np.maximum(ratio, 1e-12), alpha)
        if self.on == "stem":
            return q / np.maximum(q.sum(axis=1, keepdims=True), 1e-300)
        ts = taxonomy.type_stem
        m = self._stems_of(taxonomy)
        return q * ((p @ m) / np.maximum(q @ m, 1e-300))[:, ts]

    def _stems_of(self, taxonomy: Taxonomy) -> np.ndarray:
        """Types × stems, 1 where the type is the stem's (cached per taxonomy)."""
        if self._stem_cache is None or self._stem_cache[0] is not taxonomy:
            ts = taxonomy.type_stem
            m = np.zeros((len(ts), len(taxonomy.stems)))
            m[np.arange(len(ts)), ts] = 1.0
            self._stem_cache = (taxonomy, m)
        return self._stem_cache[1]

    def _bind(self, taxonomy: Taxonomy) -> np.ndarray:
        """Each taxonomy type's class index in this model (by name; unknown: a neutral
        class)."""
        if self._bound is not None and self._bound[0] is taxonomy:
            return self._bound[1]
        pos = {n: i for i, n in enumerate(self.names)}
        if self.on == "qual":
            own = [taxonomy.quals[q] for q in taxonomy.type_qual]
        else:
            own = [taxonomy.stems[s] for s in taxonomy.type_stem]
        # a class this model never knew: the column after the model's (ratio 1)
        idx = np.array([pos.get(n, len(self.names)) for n in own], np.int64)
        self._bound = (taxonomy, idx)
        return idx

    def arrays(self) -> dict:
        """What :meth:`TypeModel.save` writes (plain arrays and strings)."""
        return {"place_columns": np.array(self.columns, dtype=str), "place_on": self.on,
                "place_names": np.array(self.names, dtype=str),
                "place_coef": self.coef.astype(np.float32),
                "place_intercept": self.intercept.astype(np.float32),
                "place_base": self.base.astype(np.float64), "place_alpha": float(self.alpha)}

    @classmethod
    def from_arrays(cls, obj: dict) -> _PlaceModel | None:
        if "place_coef" not in obj:
            return None
        return cls([str(c) for c in np.asarray(obj["place_columns"]).tolist()],
                   str(obj["place_on"]),
                   [str(n) for n in np.asarray(obj["place_names"]).tolist()],
                   obj["place_coef"], obj["place_intercept"], obj["place_base"],
                   float(obj["place_alpha"]))


def _pair_prior(taxonomy: Taxonomy, ti: np.ndarray, w: np.ndarray | None) -> np.ndarray:
    """P(qualifier | stem) from the training labels ``ti`` (type indices, weighted by ``w``),
    qualifiers × stems; every type of the taxonomy counts one report more (a type never seen
    stays possible, and a small history is not trusted much)."""
    c = np.bincount(ti, weights=w, minlength=len(taxonomy.type_ids)).astype(np.float64) + 1.0
    m = np.zeros((len(taxonomy.quals), len(taxonomy.stems)))
    np.add.at(m, (taxonomy.type_qual, taxonomy.type_stem), c)
    return m / np.maximum(m.sum(axis=0, keepdims=True), 1e-300)


def _vectorizer(words: bool, vocabulary: dict | None = None):
    from sklearn.feature_extraction.text import TfidfVectorizer

    if words:
        return TfidfVectorizer(analyzer=str.split, min_df=2, sublinear_tf=True,
                               max_features=MAX_FEATURES, dtype=np.float32,
                               vocabulary=vocabulary)
    return TfidfVectorizer(analyzer="char", ngram_range=(1, 3), min_df=2, sublinear_tf=True,
                           max_features=MAX_FEATURES, dtype=np.float32, vocabulary=vocabulary)


class _Linear:
    """A fitted linear classifier's weights: decision = x · coefᵀ + intercept."""

    def __init__(self, coef: np.ndarray, intercept: np.ndarray, classes: np.ndarray) -> None:
        self.coef = np.asarray(coef, np.float32)
        self.intercept = np.asarray(intercept, np.float32)
        self.classes_ = np.asarray(classes, np.int64)

    @classmethod
    def of(cls, clf) -> _Linear | None:
        if clf is None:
            return None
        return cls(clf.coef_, clf.intercept_, clf.classes_)

    def decision_function(self, x) -> np.ndarray:
        d = np.asarray(x @ self.coef.T) + self.intercept
        return d[:, 0] if d.shape[1] == 1 else d


def _doc(text: str, words: bool) -> str:
    t = features_text(text)
    if not words:
        return t
    import jieba  # lazily: loading its dictionary takes about a second

    return " ".join(w for w in jieba.lcut(t) if w.strip())


def _fit_linear(cls, x, y: np.ndarray, w):
    """A linear one-vs-rest SVM, or ``None`` when all labels are the same (a taxonomy without
    qualifiers)."""
    if len(np.unique(y)) < 2:
        return None
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    # twenty passes of liblinear's dual coordinate descent: on these texts as accurate on the
    # held-out split as running to convergence, and a bounded training time on a city's history
    clf = cls(C=0.5, tol=1e-2, max_iter=20)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(x, y, sample_weight=w)
    return clf


def _scores(clf, x, n_classes: int) -> np.ndarray:
    """Logits of every class (classes never seen in training: very unlikely)."""
    z = np.full((x.shape[0], n_classes), -30.0)
    if clf is None:
        z[:] = 0.0
        return z
    d = clf.decision_function(x)
    if d.ndim == 1:  # two classes
        d = np.column_stack([-d / 2, d / 2])
    z[:, clf.classes_] = d
    return z


def _scores_direct(clf, rows: list[tuple[np.ndarray, np.ndarray]], n_classes: int
                   ) -> np.ndarray:
    """:func:`_scores` from :meth:`TypeModel.tfidf_row` rows (the weights' columns only)."""
    z = np.full((len(rows), n_classes), -30.0)
    if clf is None:
        z[:] = 0.0
        return z
    d = np.stack([clf.coef[:, idx] @ val.astype(np.float32) for idx, val in rows]) \
        + clf.intercept
    if d.shape[1] == 1:  # two classes
        d = np.column_stack([-d[:, 0] / 2, d[:, 0] / 2])
    z[:, clf.classes_] = d
    return z


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)
