"""`cockpit bench --only route`: 智能分拨 on the demo data's report texts.

Three runs, each: train the router on the train split (at most
:data:`cockpit.datasets.triage.DEFAULT_MAX_TRAIN` reports, words and the surroundings of each
report's point) and measure on the held-out split (never trained on, 15 % of the described
events by a hash of the id), each report routed with its words and its point (lon/lat), as a
hotline's geocoded address, a grid worker's app or an Open311 request gives it:

- ``route_top1``, ``route_top3``, ``route_macro_f1``: accuracy of the event type (fractions);
- ``route_kind_top1``: the same for the type's kind (the name before the bracket), which sets
  the department and plan — for reference;
- where the misses come from: ``route_unsaid_share`` is the share of held-out reports of a
  variant (a type with a context in brackets) whose words leave the context out (none of the
  demo's ways of saying it, :data:`~cockpit.datasets.triage.corpus.CONTEXT_PHRASES`, is in
  the text); ``route_top1_said`` / ``route_top3_said`` are the accuracies on the others, whose
  words carry what tells the type apart (model errors), ``route_top3_unsaid`` the top-3 on the
  unsaid ones (where only the place can help); ``route_top3_bound`` is what a ranker of the
  words alone could reach: every report that says its context, and an unsaid one when its
  type is one of its kind's two commonest variants in the train split (the kind's plain type
  taking the first place) — the ceiling before the router read the place, no longer one;
- what the place adds: ``route_top3_no_point`` is the same model's top-3 on the held-out
  reports routed without their points (a phone call typed in), ``route_top1_words_only`` /
  ``route_top3_words_only`` a model trained on the words alone (one run);
- ``route_handwritten_kind_top1`` / ``_top3``: on reports written by hand in the words of
  callers, not by the generator (:data:`cockpit.datasets.triage.HANDWRITTEN`, one to three
  per kind, no place), how often the first type's kind — or one of the top three's — is the
  report's (the kind decides the departments): what the held-out split, drawn from the same
  generator as the training reports, cannot show;
- ``route_place_acc``: of the held-out reports in which the router finds a place, the share
  whose district is the event's, and whose street is the event's when a street or community
  was found; ``route_place_found`` is the share of reports with a place found (about three in
  four name one);
- ``route_latency_ms_p50`` / ``_p95``: one report at a time through ``Router.route`` with the
  departments of the plan resolved (a catalog cursor), 500 reports, wall-clock time;
  ``route_latency_cpu_ms_p50`` / ``_p95`` the same calls' CPU time of the calling thread —
  on a shared machine the wall-clock tail is mostly the time the thread waited for a core;
- ``route_train_s``: the training, from reading the reports to the saved model.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from cockpit.bench.common import bench_dataset, figure


def bench_route(quick: bool) -> dict[str, Any]:
    from cockpit.datasets import triage
    from cockpit.datasets.catalog import open_catalog

    scale = "small" if quick else "chongqing"
    data = bench_dataset(scale)
    runs: dict[str, list[float]] = {k: [] for k in (
        "top1", "top3", "f1", "kind", "place", "found", "p50", "p95", "cpu50", "cpu95",
        "train", "said1", "said3", "unsaid3", "nopoint3", "hand1", "hand3")}
    n_eval = 0
    with tempfile.TemporaryDirectory() as cache:
        cat = open_catalog(data, Path(cache))
        con = cat.cursor()
        held = triage.held_out(con, split=2)
        n_eval = len(held["text"])
        said, bound = _said(con, held)
        lons, lats = held["lon"], held["lat"]
        for _ in range(1 if quick else 3):
            t0 = time.perf_counter()
            triage.train(cat, con=con)
            runs["train"].append(time.perf_counter() - t0)
            router = triage.Router.load(cat, con=con)
            ev = triage.evaluate(router, held["text"], held["type_id"], lons=lons, lats=lats)
            runs["top1"].append(ev.top1)
            runs["top3"].append(ev.top3)
            runs["f1"].append(ev.macro_f1)
            tx = router.taxonomy
            res = router.route_many(held["text"], plans=False, lons=lons, lats=lats)
            kind = [tx.type_stem[tx.pos[r.top.type_id]] == tx.type_stem[tx.pos[y]]
                    for r, y in zip(res, held["type_id"], strict=True) if r.top]
            runs["kind"].append(float(np.mean(kind)))
            hit1 = np.array([bool(r.top) and r.top.type_id == y
                             for r, y in zip(res, held["type_id"], strict=True)])
            hit3 = np.array([y in {c.type_id for c in r.candidates}
                             for r, y in zip(res, held["type_id"], strict=True)])
            runs["said1"].append(float(hit1[said].mean()) if said.any() else 0.0)
            runs["said3"].append(float(hit3[said].mean()) if said.any() else 0.0)
            runs["unsaid3"].append(float(hit3[~said].mean()) if (~said).any() else 0.0)
            runs["nopoint3"].append(triage.evaluate(router, held["text"], held["type_id"]).top3)
            h1, h3 = triage.kind_accuracy(router, *triage.handwritten_reports())
            runs["hand1"].append(h1)
            runs["hand3"].append(h3)
            ok, found = [], 0
            for r, d, s in zip(res, held["district_code"], held["street_code"], strict=True):
                if r.place is None:
                    continue
                found += 1
                ok.append(r.place.district_code == d
                          and (r.place.street_code is None or r.place.street_code == s))
            runs["place"].append(float(np.mean(ok)) if ok else 0.0)
            runs["found"].append(found / max(1, len(res)))
            step = max(1, len(held["text"]) // 500)
            sample = list(zip(held["text"][::step], lons[::step], lats[::step],
                              strict=True))[:500]
            router.route(sample[0][0], lon=sample[0][1], lat=sample[0][2])  # warm
            lat, cpu = [], []
            for t, x, y in sample:
                c0, t0 = time.thread_time(), time.perf_counter()
                router.route(t, lon=x, lat=y)
                lat.append((time.perf_counter() - t0) * 1000)
                cpu.append((time.thread_time() - c0) * 1000)
            runs["p50"].append(float(np.percentile(lat, 50)))
            runs["p95"].append(float(np.percentile(lat, 95)))
            runs["cpu50"].append(float(np.percentile(cpu, 50)))
            runs["cpu95"].append(float(np.percentile(cpu, 95)))
        # the words alone: a model that never read a place (not saved)
        words = triage.train(cat, con=con, places=False, save=False)
        wr = triage.Router(router.taxonomy, router.finder, words.model, con)
        wev = triage.evaluate(wr, held["text"], held["type_id"])
        con.close()
        cat.close()
    frac = "fraction"
    return {
        "scale": scale, "held_out_reports": n_eval,
        "route_top1": figure(runs["top1"], frac, 0.85, "higher"),
        "route_top3": figure(runs["top3"], frac, 0.95, "higher"),
        "route_macro_f1": figure(runs["f1"], frac),
        "route_kind_top1": figure(runs["kind"], frac),
        "route_unsaid_share": figure([1.0 - float(said.mean())], frac),
        "route_top1_said": figure(runs["said1"], frac),
        "route_top3_said": figure(runs["said3"], frac),
        "route_top3_unsaid": figure(runs["unsaid3"], frac),
        "route_top3_bound": figure([bound], frac),
        "route_top3_no_point": figure(runs["nopoint3"], frac),
        "route_top1_words_only": figure([wev.top1], frac),
        "route_top3_words_only": figure([wev.top3], frac),
        "route_handwritten_kind_top1": figure(runs["hand1"], frac),
        "route_handwritten_kind_top3": figure(runs["hand3"], frac),
        "route_place_acc": figure(runs["place"], frac),
        "route_place_found": figure(runs["found"], frac),
        "route_latency_ms_p50": figure(runs["p50"], "ms"),
        "route_latency_ms_p95": figure(runs["p95"], "ms", 5.0),
        "route_latency_cpu_ms_p50": figure(runs["cpu50"], "ms"),
        "route_latency_cpu_ms_p95": figure(runs["cpu95"], "ms"),
        "route_train_s": figure(runs["train"], "s", 120.0),
    }


def _said(con, held: dict) -> tuple[np.ndarray, float]:
    """Which held-out reports say what tells their type apart (a plain type's, or a
    variant's whose words say its context in one of the demo's ways), and the top-3 a ranker
    of the words alone could reach (see the module doc)."""
    from cockpit.datasets import triage
    from cockpit.datasets.triage.corpus import CONTEXT_PHRASES
    from cockpit.datasets.triage.model import normalise

    tx = triage.load_taxonomy(con)
    phrases = {q: [normalise(p) for p in ps] for q, ps in CONTEXT_PHRASES.items()}
    said = []
    for text, y in zip(held["text"], held["type_id"], strict=True):
        q = tx.quals[tx.type_qual[tx.pos[y]]] if y in tx.pos else ""
        t = normalise(text)
        said.append(not q or any(p in t for p in phrases.get(q, ())))
    said_a = np.array(said, bool)
    counts: dict[str, int] = {}
    for y in triage.held_out(con, split=0)["type_id"]:
        counts[y] = counts.get(y, 0) + 1
    common: dict[int, set[str]] = {}  # each stem's two commonest variants in the train split
    for s in range(len(tx.stems)):
        vs = [tx.type_ids[j] for j in np.flatnonzero(tx.type_stem == s)
              if tx.quals[tx.type_qual[j]]]
        common[s] = set(sorted(vs, key=lambda t: (-counts.get(t, 0), t))[:2])
    reach = [ok or (y in tx.pos and y in common[int(tx.type_stem[tx.pos[y]])])
             for ok, y in zip(said, held["type_id"], strict=True)]
    return said_a, float(np.mean(reach)) if reach else 0.0
