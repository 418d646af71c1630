"""`cockpit drill list|prune`: the drill sessions' files in ``<data dir>/drills``.

Every drill writes a session store ``<session>.duckdb`` (with ``.key``, ``.head`` and, while
it runs, ``.wal`` beside it) and, when scored, ``<session>-report.pdf``. ``list`` shows them,
newest first; ``prune`` removes the sessions last written more than ``--older-than`` days ago
(default 30), or all but the newest ``--keep N``; ``--dry-run`` only says what it would remove.
A session whose store a running drill holds is never removed.

Exit status: 0 ok; 1 a file could not be removed; 2 bad arguments.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

SUFFIXES = (".duckdb", ".duckdb.key", ".duckdb.head", ".duckdb.wal", "-report.pdf")


@dataclass(frozen=True)
class Session:
    """One drill session's files."""

    id: str
    files: tuple[Path, ...]
    modified: float  # the newest file's modification time (epoch seconds)
    size: int

    @property
    def has_report(self) -> bool:
        return any(f.name.endswith("-report.pdf") for f in self.files)


def sessions(folder: Path) -> list[Session]:
    """The sessions in ``folder``, newest first (files grouped by session id)."""
    groups: dict[str, list[Path]] = {}
    if folder.is_dir():
        for f in folder.iterdir():
            for suffix in SUFFIXES:
                if f.is_file() and f.name.endswith(suffix) and len(f.name) > len(suffix):
                    groups.setdefault(f.name[:-len(suffix)], []).append(f)
                    break
    out = []
    for sid, files in groups.items():
        stats = [f.stat() for f in files]
        out.append(Session(sid, tuple(sorted(files)), max(s.st_mtime for s in stats),
                           sum(s.st_size for s in stats)))
    return sorted(out, key=lambda s: (-s.modified, s.id))


def in_use(session: Session) -> bool:
    """A running drill holds the session's store (DuckDB's file lock)."""
    store = next((f for f in session.files if f.name.endswith(".duckdb")), None)
    if store is None:
        return False
    from cockpit.datasets.dispatch import StoreLocked, open_store

    try:
        open_store(store, read_only=True).close()
    except StoreLocked:
        return True
    except Exception:  # noqa: BLE001 - damaged or not a store: not held by anyone
        return False
    return False


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``drill list`` and ``drill prune`` to the CLI's subcommands."""
    d = sub.add_parser("drill", help="list or remove the drill sessions' files")
    dsub = d.add_subparsers(dest="drill_command", metavar="ACTION", required=True)
    dsub.add_parser("list", help="the drill sessions in <data dir>/drills, newest first")
    pr = dsub.add_parser("prune", help="remove old drill sessions (store, key, head, report)")
    pr.add_argument("--older-than", type=float, default=None, metavar="DAYS",
                    help="remove sessions last written more than DAYS days ago (default 30)")
    pr.add_argument("--keep", type=int, default=None, metavar="N",
                    help="keep the newest N sessions, remove the others")
    pr.add_argument("--dry-run", action="store_true", help="only print what would be removed")


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 100_000 else f"{n / 1e3:.0f} kB"


def cmd_drill(args: argparse.Namespace) -> int:
    """Run ``cockpit drill list|prune``; returns the exit code."""
    from cockpit.controllers.store import drills_dir

    folder = drills_dir()
    found = sessions(folder)
    if args.drill_command == "list":
        for s in found:
            when = datetime.fromtimestamp(s.modified).strftime("%Y-%m-%d %H:%M")
            print(f"{s.id}  {when}  {_size(s.size)}"
                  + ("  report" if s.has_report else ""))
        print(f"{len(found)} drill session(s) in {folder}")
        return 0
    older, keep = args.older_than, args.keep
    if (older is not None and older < 0) or (keep is not None and keep < 0):
        print("cockpit drill prune: --older-than and --keep must not be negative",
              file=sys.stderr)
        return 2
    if older is None and keep is None:
        older = 30.0
    cutoff = time.time() - older * 86400 if older is not None else None
    doomed = [s for i, s in enumerate(found)
              if (cutoff is not None and s.modified < cutoff) or (keep is not None and i >= keep)]
    rc, removed = 0, 0
    for s in doomed:
        if in_use(s):
            print(f"kept {s.id}: a running drill holds its store")
            continue
        print(("would remove " if args.dry_run else "removed ") + s.id)
        if args.dry_run:
            continue
        for f in s.files:
            try:
                f.unlink()
            except FileNotFoundError:
                pass
            except OSError as exc:
                print(f"cockpit drill prune: cannot remove {f}: {exc}", file=sys.stderr)
                rc = 1
        removed += 1
    verb = "would remove" if args.dry_run else "removed"
    print(f"{verb} {len(doomed) if args.dry_run else removed} of {len(found)} drill "
          f"session(s) in {folder}")
    return rc
