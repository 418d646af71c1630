"""A throw-away PostgreSQL server for the tests and the `seats` benchmark.

    with ThrowawayPostgres() as pg:
        url = pg.create_database("t1")      # postgresql://postgres@127.0.0.1:<port>/t1
        pg.stop(); pg.start()               # a server restart in the middle of a test

It runs the machine's PostgreSQL binaries (``initdb``, ``pg_ctl``; found on ``PATH``, under
``/usr/lib/postgresql/<version>/bin`` or in ``COCKPIT_PG_BIN``) on a data directory in a
temporary directory, listening on 127.0.0.1 only, on a free port, with its Unix socket in the
temporary directory; trust authentication (nobody else can reach it). ``initdb`` refuses to run
as root: as root the server runs as the ``postgres`` system user (``runuser``), and the
temporary directory belongs to it. ``fsync`` stays on: commits cost what they cost in a centre.
Everything is removed on exit. A missing PostgreSQL raises :class:`PostgresUnavailable` naming
what to install (``scripts/bootstrap.sh --test`` installs it).
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

__all__ = ["ThrowawayPostgres", "PostgresUnavailable", "find_pg_bin"]


class PostgresUnavailable(RuntimeError):
    """PostgreSQL is not installed, or the throw-away server did not start."""


def find_pg_bin() -> Path:
    """The directory of ``initdb`` and ``pg_ctl``."""
    cands = []
    if os.environ.get("COCKPIT_PG_BIN"):
        cands.append(Path(os.environ["COCKPIT_PG_BIN"]))
    on_path = shutil.which("pg_ctl")
    if on_path:
        cands.append(Path(on_path).parent)
    cands += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                                      key=lambda p: int(Path(p).parent.name)
                                      if Path(p).parent.name.isdigit() else 0, reverse=True)]
    for d in cands:
        if (d / "initdb").exists() and (d / "pg_ctl").exists():
            return d
    raise PostgresUnavailable(
        "PostgreSQL 未安装 · PostgreSQL is not installed: no initdb/pg_ctl on PATH, in "
        "/usr/lib/postgresql/*/bin or in COCKPIT_PG_BIN. Install it with "
        "'scripts/bootstrap.sh --test' (apt-get install postgresql).")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ThrowawayPostgres:
    """A private PostgreSQL server on 127.0.0.1; see the module's docstring."""

    def __init__(self, user: str = "postgres") -> None:
        self.bin = find_pg_bin()
        self.db_user = user
        self.as_root = os.geteuid() == 0
        self.tmp: Path | None = None
        self.port = 0
        self.running = False

    # ---- life cycle ------------------------------------------------------------------------
    def __enter__(self) -> ThrowawayPostgres:
        self.init()
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.cleanup()

    def init(self) -> None:
        """Create the data directory (initdb)."""
        self.tmp = Path(tempfile.mkdtemp(prefix="cockpit-pg-"))
        os.chmod(self.tmp, 0o755)
        if self.as_root:
            shutil.chown(self.tmp, "postgres", "postgres")
        self.port = _free_port()
        self._run([str(self.bin / "initdb"), "-D", str(self.data), "-U", self.db_user,
                   "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-instructions"],
                  "initdb")

    @property
    def data(self) -> Path:
        assert self.tmp is not None
        return self.tmp / "data"

    @property
    def log_path(self) -> Path:
        assert self.tmp is not None
        return self.tmp / "server.log"

    def start(self, timeout: float = 30) -> None:
        """Start the server and wait until it accepts connections."""
        opts = (f"-p {self.port} -k {self.tmp} -c listen_addresses=127.0.0.1 "
                "-c max_connections=60 -c shared_buffers=32MB")
        self._run([str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.log_path),
                   "-o", opts, "-w", "-t", str(int(timeout)), "start"], "pg_ctl start")
        self.running = True

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (``fast``: disconnect the clients, roll back what is open;
        ``immediate``: as if it crashed)."""
        self._run([str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"],
                  "pg_ctl stop")
        self.running = False

    def restart(self) -> None:
        self.stop()
        self.start()

    def cleanup(self) -> None:
        """Stop the server if it runs and remove everything."""
        if self.tmp is None:
            return
        if self.running:
            try:
                self.stop("immediate")
            except PostgresUnavailable:
                pass
        shutil.rmtree(self.tmp, ignore_errors=True)
        self.tmp = None

    # ---- using it --------------------------------------------------------------------------
    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://{self.db_user}@127.0.0.1:{self.port}/{dbname}"

    def create_database(self, name: str) -> str:
        """A new empty database; returns its URL."""
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as con:
            con.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def log_tail(self, n: int = 4000) -> str:
        try:
            return self.log_path.read_text("utf-8", "replace")[-n:]
        except OSError:
            return ""

    # ---- helpers ---------------------------------------------------------------------------
    def _run(self, cmd: list[str], what: str) -> None:
        if self.as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        t0 = time.monotonic()
        try:
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=120,
                               cwd=str(self.tmp or "/"))
        except (OSError, subprocess.TimeoutExpired) as e:
            raise PostgresUnavailable(f"{what} failed: {e}") from e
        if p.returncode != 0:
            raise PostgresUnavailable(
                f"PostgreSQL 无法启动 · {what} failed (exit {p.returncode}, "
                f"{time.monotonic() - t0:.1f} s): {p.stderr.strip() or p.stdout.strip()}\n"
                f"{self.log_tail()}")
