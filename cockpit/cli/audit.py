"""`cockpit audit verify [STORE]`: check the dispatch log's hash chain and its head.

Which store, first match wins: the STORE argument, ``--store``, the config file's ``store``,
the default store of the dataset (``--data``, else the config's ``data``, else the built-in
demo dataset). The OK line names the store it checked.

Exit status: 0 clean, 1 problems found (each printed), 2 the store cannot be opened (missing,
held by a running cockpit, not a dispatch store), 5 the config file has problems.
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
    # SUPPRESS: without it the subcommand's default would hide the global --store / --data
    v.add_argument("store", nargs="?", default=argparse.SUPPRESS,
                   help="the dispatch store file or a postgresql:// URL (default: the config "
                   "file's store, else the dataset's own store in the user's data directory)")
    v.add_argument("--data", type=Path, default=argparse.SUPPRESS, metavar="DIR",
                   help="the dataset whose default store to check (default: the config file's "
                   "data, else the built-in demo data)")
    v.add_argument("--key-file", type=Path, default=None,
                   help="the head's HMAC key, if kept away from the store (default: "
                   "<STORE>.key)")


def cmd_audit_verify(args: argparse.Namespace) -> int:
    from cockpit import config as config_mod
    from cockpit.controllers.store import default_store_path, legacy_store_path
    from cockpit.datasets.dispatch import DispatchError, StoreLocked, is_pg_location, open_store

    prog = "cockpit audit verify"
    # the positional STORE is not the global --store: keep both apart for effective()
    where = getattr(args, "store", None)
    cfg, _origin, _path, problems = config_mod.effective(
        argparse.Namespace(config=getattr(args, "config", None), data=getattr(args, "data", None)))
    if problems:
        for p in problems:
            print(f"{prog}: {p}", file=sys.stderr)
        return config_mod.EXIT_BAD_CONFIG
    where = where or cfg.store
    if is_pg_location(where):
        return _verify_pg(prog, where, getattr(args, "key_file", None))
    path = Path(where).expanduser() if where else default_store_path(cfg.data)
    if not path.exists():
        old = legacy_store_path()
        hint = (f"; the store every dataset shared before stores were per dataset is {old} "
                f"(cockpit audit verify {old})") if not where and old.exists() else ""
        print(f"{prog}: no dispatch store at {path}{hint}", file=sys.stderr)
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
