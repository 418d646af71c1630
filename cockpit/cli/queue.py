"""`cockpit queue [--data DIR] [--store PATH|URL] [--at TIME] [--json]`: the duty queue.

Prints the events that need action exactly as the window's queue orders and counts them (one
function, :func:`cockpit.datasets.queue.load_queue`, serves both): overdue first, then level,
then deadline; each row with event id, level, type, place, state, arrived-at and due-at; the
counts first. For a wall script, a shift hand-over and tests.

Exit status: 0 printed, 2 the dataset or the store cannot be opened.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path

PROG = "cockpit queue"


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``queue`` to the CLI's subcommands."""
    q = sub.add_parser("queue", help="print the duty queue (events that need action) as the "
                       "window orders and counts it")
    q.add_argument("--data", dest="queue_data", type=Path, default=None, metavar="DIR",
                   help="dataset directory (default: the built-in demo data)")
    q.add_argument("--store", dest="queue_store", default=None, metavar="PATH|URL",
                   help="the dispatch store (default: dispatch.duckdb in the user's data "
                   "directory; read-only) or postgresql://…; 'none' for the catalog alone")
    q.add_argument("--at", default=None, metavar="YYYY-MM-DDTHH:MM[:SS]",
                   help="the screen time (local) to list the queue at (default: now, or the "
                   "data's end when the data ends earlier — the window's clock)")
    q.add_argument("--json", action="store_true", help="one JSON object: counts and rows")


def _now(arg: str | None, last: datetime | None) -> datetime:
    if arg:
        return datetime.fromisoformat(arg)
    wall = datetime.now().replace(microsecond=0)
    return min(wall, last.replace(microsecond=0)) if last is not None else wall


def _open_store(where: str | None):
    """(store or None, problem or None): the dispatch store, read-only."""
    from cockpit.controllers.store import default_store_path
    from cockpit.datasets.dispatch import DispatchError, is_pg_location, open_store

    if where == "none":
        return None, None
    if is_pg_location(where):
        try:
            return open_store(where, read_only=True), None
        except DispatchError as e:
            return None, str(e)
    path = Path(where) if where else default_store_path()
    if not path.exists():
        if where:
            return None, f"no dispatch store at {path}"
        return None, None  # no store yet: nothing has been dispatched
    try:
        return open_store(path, read_only=True), None
    except (DispatchError, OSError) as e:
        return None, str(e)


def _row_out(r: dict) -> dict:
    return {"event_id": r["event_id"], "severity": r["severity"], "type_id": r["type_id"],
            "type": r["type_name"], "district": r["district"], "street": r["street"],
            "title": r["title"], "state": r["live_state"], "source": r["source"],
            "arrived_at": r["occurred_at"].isoformat(sep=" "),
            "due_at": r["react_due"].isoformat(sep=" ") if r.get("react_due") else None}


def cmd_queue(args: argparse.Namespace) -> int:
    from cockpit import paths
    from cockpit.datasets import queue, summary
    from cockpit.datasets.catalog import DatasetInvalid, open_catalog

    data = args.queue_data or paths.default_dataset_dir()
    if not Path(data).is_dir():
        print(f"{PROG}: {data} is not a dataset directory", file=sys.stderr)
        return 2
    try:
        at = datetime.fromisoformat(args.at) if args.at else None
    except ValueError:
        print(f"{PROG}: --at must be a local time like 2026-11-20T12:00, not {args.at!r}",
              file=sys.stderr)
        return 2
    try:
        catalog = open_catalog(data, paths.catalog_cache_dir())
    except DatasetInvalid as e:
        print(f"{PROG}: the dataset {data} has errors: {e}", file=sys.stderr)
        return 2
    store, problem = _open_store(args.queue_store)
    if problem:
        print(f"{PROG}: cannot open the dispatch store: {problem}", file=sys.stderr)
        catalog.close()
        return 2
    try:
        con = catalog.cursor()
        try:
            _first, last = summary.data_time_range(con)
            now = at or _now(None, last)
            q = queue.load_queue(con, store, now)
        finally:
            con.close()
    finally:
        if store is not None:
            store.close()
        catalog.close()
    rows = []
    for r in q.queue_rows():
        rows.append(_row_out({**r, "live_state": queue.live_state(r, now)}))
    if args.json:
        print(json.dumps({"as_of": now.isoformat(sep=" "), "counts": q.counts.as_dict(),
                          "rows": rows}, ensure_ascii=False, indent=1))
        return 0
    c = q.counts
    print(f"queue as of {now:%Y-%m-%d %H:%M:%S}: {c.total} need action, {c.overdue} overdue"
          + "".join(f" · level {k}: {v}" for k, v in sorted(c.by_severity.items())))
    print("event_id\tlevel\ttype\tplace\tstate\tarrived_at\tdue_at\ttitle")
    for r in rows:
        place = " ".join(x for x in (r["district"], r["street"]) if x)
        print(f"{r['event_id']}\t{r['severity']}\t{r['type'] or '-'}\t{place}\t{r['state']}\t"
              f"{r['arrived_at']}\t{r['due_at'] or '-'}\t{r['title']}")
    return 0
