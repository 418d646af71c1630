"""`cockpit audit verify [STORE]`: check the dispatch log's hash chain and its head.

Exit status: 0 clean, 1 problems found (each printed), 2 the store cannot be opened (missing,
held by a running cockpit, not a dispatch store).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``audit verify [STORE] [--key-file PATH]`` to the CLI's subcommands."""
    audit = sub.add_parser("audit", help="check the dispatch records")
    asub = audit.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    v = asub.add_parser("verify", help="check the dispatch log's hash chain: edited, deleted or "
                        "reordered rows; exit 0 clean, 1 problems, 2 cannot open")
    v.add_argument("store", nargs="?", default=None,
                   help="the dispatch store file (default: dispatch.duckdb in the user's data "
                   "directory) or a postgresql:// URL")
    v.add_argument("--key-file", type=Path, default=None,
                   help="the head's HMAC key, if kept away from the store (default: "
                   "<STORE>.key)")


def cmd_audit_verify(args: argparse.Namespace) -> int:
    from cockpit.controllers.store import default_store_path
    from cockpit.datasets.dispatch import DispatchError, StoreLocked, is_pg_location, open_store

    prog = "cockpit audit verify"
    where = getattr(args, "store", None)
    if is_pg_location(where):
        return _verify_pg(prog, where, getattr(args, "key_file", None))
    path = Path(where) if where else default_store_path()
    if not path.exists():
        print(f"{prog}: no dispatch store at {path}", file=sys.stderr)
        return 2
    key = None
    key_file = getattr(args, "key_file", None)
    if key_file is not None:
        try:
            key = Path(key_file).read_bytes().strip()
        except OSError as e:
            print(f"{prog}: cannot read the key file {key_file}: {e}", file=sys.stderr)
            return 2
    try:
        store = open_store(path, key=key, read_only=True)
    except StoreLocked as e:
        print(f"{prog}: {e}", file=sys.stderr)
        return 2
    except (DispatchError, OSError) as e:
        print(f"{prog}: cannot open {path}: {e}", file=sys.stderr)
        return 2
    except Exception as e:  # noqa: BLE001 - e.g. not a DuckDB file
        print(f"{prog}: cannot open {path}: {type(e).__name__}: {e}", file=sys.stderr)
        return 2
    return _report(store, path, "chain and head verified")


def _report(store, shown, what: str) -> int:
    """Verify ``store``, print the problems or OK, close it; the exit status."""
    try:
        problems = store.verify()
        seq, h = store.head
    finally:
        store.close()
    for p in problems:
        print(f"PROBLEM {p}")
    if problems:
        print(f"{shown}: {len(problems)} problem(s) in {seq} log row(s)")
        return 1
    print(f"{shown}: OK — {seq} log row(s), {what} (head {h[:16]}…)")
    return 0


def _verify_pg(prog: str, url: str, key_file) -> int:
    """``audit verify postgresql://…``: the chain, the rules and the append-only triggers."""
    from cockpit.datasets.dispatch import DispatchError, open_store
    from cockpit.datasets.dispatch.pg_store import redacted

    shown = redacted(url)
    if key_file is not None:
        print(f"{prog}: --key-file does not apply to a PostgreSQL store (it keeps no signed head "
              "file)", file=sys.stderr)
        return 2
    try:
        store = open_store(url, read_only=True)
    except DispatchError as e:
        print(f"{prog}: {e}", file=sys.stderr)
        return 2
    return _report(store, shown, "chain and append-only triggers verified")
