"""The catalog: a dataset directory as a read-only DuckDB database, built once and reused.

``open_catalog(data_dir)`` checks and loads the dataset (:func:`validate.load_dataset`) into a
DuckDB file in the cache directory, or reuses that file when the dataset's files have not
changed since it was built (same names, sizes and modification times, same schema version).

Building is safe against crashes and concurrent openers: the database is built into a
uniquely named temporary file beside the final one, under an advisory lock, and only a
complete, error-free build replaces the old file (``os.replace``, atomic). A dataset with
errors raises :class:`DatasetInvalid` and leaves the previous database untouched.

The database is opened read-only. It is attached to a private in-memory DuckDB instance
rather than opened directly, because DuckDB shares one instance per file path within a
process: opening the path again after a rebuild would otherwise return the old, replaced
file. Unqualified table names resolve to the dataset on :attr:`Catalog.con` and on every
:meth:`Catalog.cursor` (use those, not ``con.cursor()``, which starts in the empty
in-memory database).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import platformdirs
from cockpit.datasets import schema

if TYPE_CHECKING:
    from cockpit.datasets.validate import DatasetInvalid, Problem

__all__ = ["Catalog", "DatasetInvalid", "catalog_problems_text", "default_cache_dir",
           "open_catalog"]


def __getattr__(name: str) -> Any:
    """``DatasetInvalid`` and ``Problem`` from :mod:`validate`, imported when first asked
    for: reopening a built catalog (every start but the first) needs no validation code."""
    if name in ("DatasetInvalid", "Problem"):
        from cockpit.datasets import validate

        return getattr(validate, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

#: Bump when the way a catalog is built changes, so that old catalogs are rebuilt.
BUILD_VERSION = 5  # 3: vital_sign.event_type_id; 4: the pipe networks (network.graph.precompute);
#                    5: the road table
#: Name under which the dataset database is attached.
DB_ALIAS = "dataset"


def _threads() -> int:
    return max(1, min(os.cpu_count() or 2, 8))


def default_cache_dir() -> Path:
    """Where catalogs live: ``<user cache>/cockpit/catalogs`` (``COCKPIT_CACHE_HOME``
    overrides the user cache directory, as in :mod:`cockpit.paths`)."""
    base = os.environ.get("COCKPIT_CACHE_HOME")
    root = Path(base).expanduser() if base else Path(platformdirs.user_cache_dir("cockpit"))
    return root / "catalogs"


def _dataset_files(data_dir: Path) -> list[str]:
    names = []
    for t in schema.TABLES:
        names += [f"{t.name}.parquet", f"{t.name}.csv"]
    return names + [schema.BOUNDARIES_FILE, schema.MANIFEST_FILE]


def fingerprint(data_dir: Path) -> str:
    """A hash of the schema version and every dataset file's name, size and mtime."""
    parts: list[Any] = [schema.SCHEMA_VERSION, BUILD_VERSION, duckdb.__version__]
    for name in _dataset_files(data_dir):
        try:
            st = (data_dir / name).stat()
        except FileNotFoundError:
            continue
        parts.append((name, st.st_size, st.st_mtime_ns))
    return hashlib.sha1(json.dumps(parts).encode()).hexdigest()


@contextlib.contextmanager
def _build_lock(path: Path) -> Iterator[None]:
    """An exclusive advisory lock between processes (POSIX; elsewhere only the unique
    temporary names and the atomic replace protect the catalog)."""
    try:
        import fcntl
    except ImportError:  # Windows
        yield
        return
    with open(path, "a+b") as f:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f.fileno(), fcntl.LOCK_UN)


def _remove_db(path: Path) -> None:
    """A DuckDB file with its write-ahead log and spill directory."""
    for p in (path, path.with_name(path.name + ".wal")):
        with contextlib.suppress(FileNotFoundError):
            p.unlink()
    shutil.rmtree(path.with_name(path.name + ".tmp"), ignore_errors=True)


class Catalog:
    """An opened catalog: the dataset's tables in a read-only DuckDB database."""

    def __init__(self, data_dir: Path, db_path: Path, con: duckdb.DuckDBPyConnection,
                 meta: dict[str, str], rebuilt: bool) -> None:
        self.data_dir = data_dir
        self.db_path = db_path
        self.rebuilt = rebuilt
        self._con: duckdb.DuckDBPyConnection | None = con
        self._meta = meta
        self.manifest: dict = {k: json.loads(v) for k, v in
                               con.execute("SELECT key, value FROM _manifest").fetchall()}
        self.extent: tuple[float, float, float, float] = tuple(json.loads(meta["extent"]))
        self._warnings = json.loads(meta.get("warnings", "[]"))
        self.fingerprint: str = meta["fingerprint"]
        self._boundaries: dict | None = None

    @property
    def warnings(self) -> list[Problem]:
        """The dataset's warnings found when the catalog was built."""
        from cockpit.datasets.validate import Problem

        return [Problem.from_dict(d) for d in self._warnings]

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        """The catalog's own connection (for the thread that opened it)."""
        if self._con is None:
            raise RuntimeError("the catalog is closed")
        return self._con

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A new connection to the same database, for another thread."""
        cur = self.con.cursor()
        cur.execute(f"USE {DB_ALIAS}")
        return cur

    def boundaries_geojson(self) -> dict:
        """The district boundaries as a GeoJSON FeatureCollection (a fresh copy)."""
        if self._boundaries is None:
            rows = self.con.execute("SELECT geojson FROM boundaries ORDER BY rowid").fetchall()
            self._boundaries = {"type": "FeatureCollection",
                                "features": [json.loads(r[0]) for r in rows]}
        return json.loads(json.dumps(self._boundaries))

    @property
    def synthetic(self) -> bool:
        """True when the manifest says the data is synthetic (the demo data)."""
        return bool(self.manifest.get("synthetic", False))

    def close(self, wait_s: float = 30.0) -> None:
        """Close the connection; a query still running on a cursor of it (a screen's
        background refresh as its window closes) is waited for, up to ``wait_s``."""
        if self._con is None:
            return
        deadline = time.monotonic() + wait_s
        while True:
            try:
                self._con.close()
                break
            except duckdb.Error as e:  # "connection is busy with another call"
                if "busy" not in str(e) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        self._con = None

    def __enter__(self) -> Catalog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Catalog({str(self.data_dir)!r}, db={str(self.db_path)!r})"


def _attach(db_path: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:", config={"threads": _threads()})
    try:
        con.execute(f"ATTACH '{str(db_path).replace(chr(39), chr(39) * 2)}' AS {DB_ALIAS} "
                    "(READ_ONLY)")
        con.execute(f"USE {DB_ALIAS}")
    except BaseException:
        con.close()
        raise
    return con


def _try_open(data_dir: Path, db_path: Path, fp: str, rebuilt: bool) -> Catalog | None:
    """The catalog in ``db_path`` when it exists and was built from files with fingerprint
    ``fp``; else None."""
    if not db_path.exists():
        return None
    try:
        con = _attach(db_path)
    except duckdb.Error:
        return None  # unreadable, or written by another DuckDB version
    try:
        meta = dict(con.execute("SELECT key, value FROM _catalog_meta").fetchall())
        if meta.get("fingerprint") != fp:
            con.close()
            return None
        return Catalog(data_dir, db_path, con, meta, rebuilt)
    except (duckdb.Error, KeyError, ValueError):
        con.close()
        return None


#: The build's steps in the words of the demo's first run: Chinese, then English.
_STAGE_WORDS = (("reading boundaries", "读取边界"), ("checking references", "核对引用"),
                ("checking", "检查"), ("loading", "载入"), ("loaded", "已载入"),
                ("writing the catalog", "写入目录"), ("ready", "就绪"))


def stage_text(message: str) -> str:
    """A build step as the demo's first run says its steps: ``载入 risk_point loading``."""
    for en, zh in _STAGE_WORDS:
        if message == en or message.startswith(en + " "):
            rest = message[len(en):].strip()
            return f"{zh} {rest} {en}" if rest else f"{zh} {en}"
    return message


class StatementProgress:
    """Progress inside long statements: while a build step runs one statement for seconds
    (sorting a million risk points, the final checkpoint), a thread asks DuckDB how far the
    running statement is (``query_progress``) and reports it with the step's text, so the
    dialog moves and says so instead of standing still."""

    def __init__(self, con: duckdb.DuckDBPyConnection,
                 progress: Callable[[float, str], None], interval_s: float = 0.25) -> None:
        self.con, self.progress, self.interval_s = con, progress, interval_s
        self._fraction, self._text = 0.0, ""
        self._stop = threading.Event()
        with contextlib.suppress(duckdb.Error):
            con.execute("SET enable_progress_bar = true")
            con.execute("SET enable_progress_bar_print = false")
        self._thread = threading.Thread(target=self._run, name="catalog-progress", daemon=True)
        self._thread.start()

    def stage(self, fraction: float, text: str) -> None:
        """A new step begins at ``fraction`` of the build."""
        self._fraction, self._text = fraction, text
        self.progress(fraction, text)

    def poll(self) -> None:
        """Report the running statement's progress once (when DuckDB knows it)."""
        try:
            pct = float(self.con.query_progress())
        except (duckdb.Error, RuntimeError, TypeError, ValueError):
            return
        if 0 < pct < 100 and self._text:
            self.progress(self._fraction, f"{self._text} · {pct:.0f}%")

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(2)

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            self.poll()


def _build(data_dir: Path, db_path: Path, fp: str,
           progress: Callable[[float, str], None] | None) -> None:
    """Build the database into a temporary file and put it in place; raise DatasetInvalid."""
    from cockpit.datasets.validate import (
        DatasetInvalid,
        dataset_extent,
        has_errors,
        load_dataset,
    )

    tmp = db_path.with_name(f".{db_path.stem}.{os.getpid()}.{uuid.uuid4().hex[:8]}"
                            ".building.duckdb")

    ticker: StatementProgress | None = None

    def inner(fraction: float, message: str) -> None:
        if ticker is not None:
            ticker.stage(0.95 * fraction, stage_text(message))

    ok = False
    try:
        con = duckdb.connect(str(tmp), config={"threads": _threads()})
        if progress is not None:
            ticker = StatementProgress(con, progress)
        try:
            problems = load_dataset(data_dir, con, inner if progress else None)
            if has_errors(problems):
                raise DatasetInvalid(problems)
            from cockpit.datasets.network.graph import precompute

            network_s = precompute(con)  # the pipe networks' segments, sites, drawings
            if ticker is not None:
                ticker.stage(0.96, stage_text("writing the catalog"))
            meta = {
                "fingerprint": fp,
                "schema_version": str(schema.SCHEMA_VERSION),
                "build_version": str(BUILD_VERSION),
                "data_dir": str(data_dir),
                "built_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
                "extent": json.dumps(list(dataset_extent(con))),
                "warnings": json.dumps([p.to_dict() for p in problems], ensure_ascii=False),
                "network_precompute_s": f"{network_s:.3f}",
            }
            con.execute("CREATE TABLE _catalog_meta (key VARCHAR, value VARCHAR)")
            con.executemany("INSERT INTO _catalog_meta VALUES (?, ?)", list(meta.items()))
            con.execute("CHECKPOINT")
        finally:
            if ticker is not None:
                ticker.stop()
            con.close()
        os.replace(tmp, db_path)
        ok = True
    finally:
        if not ok:
            _remove_db(tmp)
        else:
            shutil.rmtree(tmp.with_name(tmp.name + ".tmp"), ignore_errors=True)


def open_catalog(data_dir: Path | str, cache_dir: Path | str | None = None,
                 progress: Callable[[float, str], None] | None = None) -> Catalog:
    """Open the catalog of ``data_dir``, building it when its files have changed.

    ``cache_dir`` is the directory that holds the database files (default
    :func:`default_cache_dir`). ``progress(fraction, message)`` is called while building.
    Raises :class:`DatasetInvalid` with every problem when the dataset has errors; the
    database built from an earlier state of the files is then left as it was.
    """
    data_dir = Path(data_dir).expanduser().resolve()
    if not data_dir.is_dir():
        from cockpit.datasets.validate import DatasetInvalid, Problem

        raise DatasetInvalid([Problem(str(data_dir), None, None, "missing_file",
                                      "the dataset directory does not exist")])
    cache = Path(cache_dir).expanduser() if cache_dir is not None else default_cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    stem = hashlib.sha1(str(data_dir).encode()).hexdigest()[:16]
    db_path = cache / f"{stem}.duckdb"

    fp = fingerprint(data_dir)
    cat = _try_open(data_dir, db_path, fp, rebuilt=False)
    if cat is not None:
        return cat
    with _build_lock(cache / f"{stem}.lock"):
        # another process may have built it while this one waited for the lock
        cat = _try_open(data_dir, db_path, fp, rebuilt=False)
        if cat is not None:
            return cat
        # temporary files left by a build that crashed (builds hold the lock)
        for old in cache.glob(f".{stem}.*.building.duckdb*"):
            if old.is_dir():
                shutil.rmtree(old, ignore_errors=True)
            else:
                with contextlib.suppress(FileNotFoundError):
                    old.unlink()
        _build(data_dir, db_path, fp, progress)
        # what was learnt from the old build is made again, lazily: the router (智能分拨),
        # the demo simulator's fit of the vital signs
        for sidecar in (".router.skops", ".vitalsim.npz"):
            with contextlib.suppress(FileNotFoundError):
                db_path.with_name(db_path.stem + sidecar).unlink()
        cat = _try_open(data_dir, db_path, fp, rebuilt=True)
        if cat is not None and cat.synthetic:
            _keep_simulator_fit(cat)
    if cat is None:
        raise RuntimeError(f"the catalog {db_path} was built but cannot be opened")
    if progress is not None:
        progress(1.0, stage_text("ready"))
    return cat


def _keep_simulator_fit(cat: Catalog) -> None:
    """The demo's vital signs go on past its data (the simulator): fit it with the build, so
    that no start-up spends its second on it (kept beside the database)."""
    from cockpit.datasets.vitals.monitor import VitalsMonitor, sim_cache_path

    con = cat.cursor()
    try:
        if con.execute("SELECT count(*) FROM vital_sign").fetchone()[0]:
            VitalsMonitor().keep_fit(con, sim_cache_path(cat.db_path))
    except duckdb.CatalogException:
        pass  # no vital-sign table: nothing to continue
    finally:
        con.close()


def catalog_problems_text(problems: list[Problem]) -> str:
    """Every problem as readable text, grouped by file, errors before warnings."""
    if not problems:
        return "No problems found."
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    by_file: dict[str, list[Problem]] = {}
    for p in problems:
        by_file.setdefault(p.file, []).append(p)
    lines = [f"{errors} error(s) and {warnings} warning(s) in {len(by_file)} file(s)"]
    for file, items in by_file.items():
        ne = sum(p.severity == "error" for p in items)
        head = f"{ne} error(s)" + (f", {len(items) - ne} warning(s)" if len(items) > ne else "")
        lines.append("")
        lines.append(f"{file} — {head}")
        for p in sorted(items, key=lambda p: p.severity != "error"):
            loc = []
            if p.row is not None:
                loc.append(f"row {p.row}")
            if p.column is not None:
                loc.append(f"column {p.column}")
            where = ", ".join(loc)
            sev = "" if p.severity == "error" else " (warning)"
            lines.append(f"  {where + ': ' if where else ''}{p.kind}{sev}: {p.message}")
    return "\n".join(lines)
