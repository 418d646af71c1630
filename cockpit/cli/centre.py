"""`cockpit centre init URL` and `cockpit centre add-operator URL --centre CODE --role ROLE
NAME`: one PostgreSQL store for the city, district and street centres, and its logins.

Both run as the database's owner (the role that created the dispatch tables). Exit status: 0
done, 2 the store or the dataset cannot be opened, 5 a bad argument (unknown unit, role or
login name).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path


def add_parser(sub: argparse._SubParsersAction) -> None:
    centre = sub.add_parser("centre", help="one store for the three levels: init, logins")
    csub = centre.add_subparsers(dest="centre_command", metavar="ACTION", required=True)
    i = csub.add_parser("init", help="create the tables, roles and row-level security of a "
                        "shared store and load the admin tree of a dataset (idempotent)")
    i.add_argument("url", help="postgresql:// URL, connecting as the database owner")
    i.add_argument("--data", type=Path, default=None,
                   help="the dataset whose admin units are the centres' areas "
                   "(default: the built-in demo)")
    a = csub.add_parser("add-operator", help="create (or change) a login of a centre")
    a.add_argument("url", help="postgresql:// URL, connecting as the database owner")
    a.add_argument("--centre", required=True, metavar="CODE",
                   help="the centre's admin code (city, district or street)")
    a.add_argument("--role", required=True,
                   choices=("operator", "leader", "observer", "trainer"),
                   help="operator: dispatch, acknowledge, handle; leader: also verify, close, "
                   "cancel, escalate, delegate, supervise, return; observer: read only; "
                   "trainer: drills only")
    a.add_argument("--display-name", default="", help="the person's name, shown on screen")
    a.add_argument("--password", action="store_true",
                   help="ask for a password (otherwise the server's own authentication: "
                   "peer, certificate, or a password set by the DBA)")
    a.add_argument("name", help="the login: a PostgreSQL role name (a-z, 0-9, _)")


def cmd_centre(args: argparse.Namespace) -> int:
    from cockpit.datasets.dispatch import DispatchError, is_pg_location
    from cockpit.datasets.dispatch.centres import add_operator, init_centres

    prog = f"cockpit centre {args.centre_command}"
    if not is_pg_location(args.url):
        print(f"{prog}: {args.url!r} is not a postgresql:// URL: the three levels share one "
              "PostgreSQL store (a single seat's DuckDB file has one centre)", file=sys.stderr)
        return 5
    import psycopg

    try:
        if args.centre_command == "init":
            units = _units(prog, args.data)
            if units is None:
                return 2
            n = init_centres(args.url, units)
            print(f"{prog}: {n['units']} units, {n['scope_pairs']} scope pairs; row-level "
                  "security on")
            return 0
        password = None
        if args.password:
            password = getpass.getpass(f"password for {args.name}: ")
        add_operator(args.url, args.name, args.centre, args.role, args.display_name, password)
        print(f"{prog}: {args.name} is a {args.role} of centre {args.centre}")
        return 0
    except ValueError as e:
        print(f"{prog}: {e}", file=sys.stderr)
        return 5
    except (psycopg.Error, DispatchError) as e:
        print(f"{prog}: {str(e).strip()}", file=sys.stderr)
        return 2


def _units(prog: str, data: Path | None):
    from cockpit import paths
    from cockpit.datasets.catalog import DatasetInvalid, catalog_problems_text, open_catalog
    from cockpit.datasets.dispatch.centres import units_from_catalog

    data = (data or paths.default_dataset_dir()).expanduser()
    if not data.is_dir():
        print(f"{prog}: no dataset at {data} (--data DIR, or start the cockpit once to "
              "generate the demo)", file=sys.stderr)
        return None
    try:
        cat = open_catalog(data, paths.catalog_cache_dir())
    except DatasetInvalid as e:
        print(f"{prog}: {data}: {catalog_problems_text(e.problems)}", file=sys.stderr)
        return None
    try:
        return units_from_catalog(cat.cursor())
    finally:
        cat.close()
