"""`cockpit route`: 智能分拨 from the command line (the same router the window uses).

    cockpit route [--data DIR] [--json] [--lon X --lat Y] TEXT…
                                                  top-3 types, score, departments, place,
                                                  urgency (with the point: what lies around it)
    cockpit route eval FILE.csv [--data DIR]      columns text,type_id[,dept_kind][,lon,lat]:
                                                  top-1/top-3, macro-F1, the most confused pairs
    cockpit route train [--data DIR] [--store S]  retrain on the dataset's reports and the
                                                  operators' corrections in the dispatch log

Without a model yet, ``route`` and ``eval`` train one first (tens of seconds on the demo data).
Exit codes: 0 ok; 1 the dataset cannot be read or has nothing to learn from; 2 bad arguments.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add ``route`` to the CLI's subcommands."""
    rp = sub.add_parser("route", help="智能分拨: route report texts (or: route eval FILE.csv, "
                        "route train)")
    rp.add_argument("words", nargs="*", metavar="TEXT",
                    help="the report's text; or `eval FILE.csv`; or `train`")
    rp.add_argument("--data", type=Path, default=None,
                    help="dataset directory (default: the built-in demo data)")
    rp.add_argument("--json", action="store_true", help="print JSON")
    rp.add_argument("--lon", type=float, default=None, metavar="X",
                    help="where the report was made: longitude (with --lat)")
    rp.add_argument("--lat", type=float, default=None, metavar="Y",
                    help="where the report was made: latitude (with --lon)")
    rp.add_argument("--store", default=None, metavar="PATH|URL",
                    help="dispatch store whose corrections `train` learns from (default: the "
                    "user's dispatch store)")
    return rp


def _catalog(args: argparse.Namespace):
    from cockpit import paths
    from cockpit.datasets.catalog import open_catalog

    data_dir = Path(args.data or paths.default_dataset_dir()).expanduser()
    if args.data is None and not (data_dir / "dataset.json").exists():
        from cockpit.datasets.generate import generate

        print(f"cockpit route: generating the demo dataset into {data_dir} …", file=sys.stderr)
        generate(data_dir, scale="chongqing", seed=1)
    if not data_dir.is_dir():
        raise FileNotFoundError(f"{data_dir} is not a directory")
    return open_catalog(data_dir)


def corrections_from_store(store_location: str | None
                           ) -> list[tuple[str, str, float | None, float | None]]:
    """(text, type, lon, lat) of the operators' corrections, from the dispatch log — the
    point where the report was made, ``None`` when not known (none if the store cannot be
    opened)."""
    from cockpit.controllers.store import default_store_path
    from cockpit.datasets.dispatch import open_store

    loc = store_location or str(default_store_path())
    if not store_location and not Path(loc).exists():
        return []
    try:
        store = open_store(loc, read_only=True)
    except Exception as exc:  # noqa: BLE001 - reported, training goes on without them
        print(f"cockpit route: corrections not read ({exc})", file=sys.stderr)
        return []
    try:
        return [(c.text, c.to_type, c.lon, c.lat) for c in store.corrections() if c.text]
    finally:
        store.close()


def cmd_route(args: argparse.Namespace) -> int:
    """Run ``cockpit route``; returns the exit code."""
    from cockpit.datasets import triage
    from cockpit.datasets.catalog import DatasetInvalid

    words = list(args.words or [])
    if not words:
        print("cockpit route: give the report's text, `eval FILE.csv` or `train`",
              file=sys.stderr)
        return 2
    verb = words[0] if words[0] in ("eval", "train") else None
    lon, lat = getattr(args, "lon", None), getattr(args, "lat", None)
    if (lon is None) != (lat is None):
        print("cockpit route: give both --lon and --lat (the point the report was made at)",
              file=sys.stderr)
        return 2
    if lon is not None and not triage.valid_point(lon, lat):
        print(f"cockpit route: ({lon}, {lat}) is not a longitude/latitude; routed by the "
              "words alone", file=sys.stderr)
        lon = lat = None
    if verb == "eval" and len(words) != 2:
        print("cockpit route eval: give one CSV file (columns text,type_id[,dept_kind])",
              file=sys.stderr)
        return 2
    rows: list[dict] = []
    if verb == "eval":
        try:
            with open(words[1], encoding="utf-8-sig", newline="") as f:
                rows = list(csv.DictReader(f))
        except OSError as exc:
            print(f"cockpit route eval: cannot read {words[1]}: {exc}", file=sys.stderr)
            return 2
        if not rows or not {"text", "type_id"} <= set(rows[0]):
            print(f"cockpit route eval: {words[1]} needs the columns text and type_id",
                  file=sys.stderr)
            return 2
    try:
        cat = _catalog(args)
    except (OSError, DatasetInvalid) as exc:
        print(f"cockpit route: {exc}", file=sys.stderr)
        return 1
    try:
        if verb == "train":
            corr = corrections_from_store(args.store)
            rep = triage.train(cat, corrections=corr)
            print(f"trained on {rep.n_train:,} reports and {rep.n_corrections} corrections in "
                  f"{rep.seconds:.1f} s → {rep.path}")
            return 0
        router = triage.Router.load(cat, train_if_missing=True)
        if verb == "eval":
            kinds = [r.get("dept_kind") or None for r in rows] if "dept_kind" in rows[0] \
                else None
            has_pt = {"lon", "lat"} <= set(rows[0])
            ev = triage.evaluate(router, [r["text"] or "" for r in rows],
                                 [r["type_id"] or "" for r in rows], kinds,
                                 lons=[r["lon"] for r in rows] if has_pt else None,
                                 lats=[r["lat"] for r in rows] if has_pt else None)
            if args.json:
                print(json.dumps(ev.as_dict(), ensure_ascii=False, indent=1))
                return 0
            print(f"reports {ev.n}: top-1 {ev.top1:.3f}  top-3 {ev.top3:.3f}  "
                  f"macro-F1 {ev.macro_f1:.3f}"
                  + (f"  department {ev.dept_acc:.3f}" if ev.dept_acc is not None else ""))
            if ev.confused:
                print("most confused (true → predicted: count):")
                for a, b, k in ev.confused:
                    print(f"  {a} → {b}: {k}")
            return 0
        result = router.route(" ".join(words), lon=lon, lat=lat)
    except triage.NoModel as exc:
        print(f"cockpit route: {exc}", file=sys.stderr)
        return 1
    finally:
        cat.close()
    if args.json:
        print(json.dumps(result.as_dict(), ensure_ascii=False, indent=1))
        return 0
    _print_result(result)
    return 0


def _print_result(r) -> None:
    for i, c in enumerate(r.candidates, start=1):
        print(f"{i}. {c.type_id}  {c.name}  {c.score:.3f}  ({c.dept_id})")
    if r.place:
        print(f"place: {r.place.name} ({r.place.code}, {r.place.level}) ← “{r.place.matched}”")
    else:
        print("place: not found")
    if r.around:
        from cockpit.datasets.triage.surround import describe_around

        print("around the point: " + ", ".join(describe_around(r.around)))
    print(f"urgency: {r.urgency}")
    if r.departments:
        print("departments: " + ", ".join(r.departments))
    if r.needs_operator:
        print("needs the operator (待分拨): " + r.reason)
