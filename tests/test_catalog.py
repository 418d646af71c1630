"""The catalog: built once, reused while the files are unchanged, never half-replaced."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from cockpit.datasets.catalog import Catalog, catalog_problems_text, open_catalog
from cockpit.datasets.validate import DatasetInvalid, Problem


def count(cat: Catalog, table: str) -> int:
    return cat.cursor().execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_open_builds_then_reuses(small_dataset: Path, cache_dir: Path) -> None:
    with open_catalog(small_dataset, cache_dir) as cat:
        assert cat.rebuilt
        assert cat.db_path.parent == cache_dir and cat.db_path.exists()
        assert cat.data_dir == small_dataset.resolve()
        assert count(cat, "risk_point") == 5000
        assert cat.warnings == []
        assert cat.synthetic and cat.manifest["scale"] == "small"
        lon0, lat0, lon1, lat1 = cat.extent
        assert 105 < lon0 < lon1 < 111 and 28 < lat0 < lat1 < 33
        fc = cat.boundaries_geojson()
        assert fc["type"] == "FeatureCollection" and len(fc["features"]) >= 38
        assert {f["properties"]["adcode"] for f in fc["features"]} >= {"500101", "500103"}
        mtime = cat.db_path.stat().st_mtime_ns
    with open_catalog(small_dataset, cache_dir) as cat:  # reused (its time: cockpit bench)
        assert not cat.rebuilt
        assert count(cat, "risk_point") == 5000
        assert cat.synthetic and cat.extent == (lon0, lat0, lon1, lat1)
    assert cat.db_path.stat().st_mtime_ns == mtime
    # the database, its build lock and (the demo's) the vital-sign simulator's fit
    assert sorted(p.name for p in cache_dir.iterdir()) == sorted(
        [cat.db_path.name, cat.db_path.stem + ".lock", cat.db_path.stem + ".vitalsim.npz"])


def test_catalog_is_read_only(small_dataset: Path, cache_dir: Path) -> None:
    with open_catalog(small_dataset, cache_dir) as cat:
        with pytest.raises(duckdb.Error):
            cat.con.execute("DELETE FROM risk_point")
        with pytest.raises(duckdb.Error):
            cat.cursor().execute("CREATE TABLE x (a INTEGER)")


def test_cursors_work_in_other_threads(small_dataset: Path, cache_dir: Path) -> None:
    with open_catalog(small_dataset, cache_dir) as cat:
        results: list[int] = []

        def work() -> None:
            cur = cat.cursor()
            results.append(cur.execute("SELECT count(*) FROM event").fetchone()[0])

        threads = [threading.Thread(target=work) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert results == [20000] * 4


def test_changed_file_rebuilds(small_dataset: Path, cache_dir: Path) -> None:
    with open_catalog(small_dataset, cache_dir) as cat:
        assert cat.rebuilt
    path = small_dataset / "facility.parquet"
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))  # touch
    with open_catalog(small_dataset, cache_dir) as cat:
        assert cat.rebuilt
    with open_catalog(small_dataset, cache_dir) as cat:
        assert not cat.rebuilt


def test_rebuild_while_the_old_catalog_is_open(small_dataset: Path, cache_dir: Path) -> None:
    """DuckDB shares one instance per path in a process; the new file must still be seen."""
    old = open_catalog(small_dataset, cache_dir)
    tbl = pq.read_table(small_dataset / "facility.parquet").slice(0, 100)
    pq.write_table(tbl, small_dataset / "facility.parquet")
    new = open_catalog(small_dataset, cache_dir)
    try:
        assert new.rebuilt
        assert count(new, "facility") == 100
        assert count(old, "facility") == 300  # the old one keeps its snapshot
    finally:
        old.close()
        new.close()


def test_bad_dataset_keeps_the_previous_catalog(small_dataset: Path, cache_dir: Path) -> None:
    old = open_catalog(small_dataset, cache_dir)
    db = old.db_path
    before = (db.stat().st_mtime_ns, db.stat().st_size)
    tbl = pq.read_table(small_dataset / "risk_point.parquet")
    lon = tbl.column("lon").to_pylist()
    lon[16] = 200.0
    pq.write_table(tbl.set_column(tbl.column_names.index("lon"), "lon", pa.array(lon)),
                   small_dataset / "risk_point.parquet")
    with pytest.raises(DatasetInvalid) as info:
        open_catalog(small_dataset, cache_dir)
    (p,) = info.value.problems
    assert (p.file, p.row, p.column, p.kind) == ("risk_point.parquet", 17, "lon",
                                                 "out_of_extent")
    assert "risk_point.parquet, row 17, column lon" in str(info.value)
    # untouched, still usable, no temporary files left behind
    assert (db.stat().st_mtime_ns, db.stat().st_size) == before
    assert count(old, "risk_point") == 5000
    old.close()
    assert sorted(p.name for p in cache_dir.iterdir()) == sorted(
        [db.name, db.stem + ".lock", db.stem + ".vitalsim.npz"])
    # a second process can still open the old database directly
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM risk_point").fetchone()[0] == 5000
    con.close()


def test_missing_directory_raises(tmp_path: Path, cache_dir: Path) -> None:
    with pytest.raises(DatasetInvalid) as info:
        open_catalog(tmp_path / "nowhere", cache_dir)
    assert info.value.problems[0].kind == "missing_file"


def test_warnings_survive_a_warm_open(small_dataset: Path, cache_dir: Path) -> None:
    df = pq.read_table(small_dataset / "risk_category.parquet").to_pandas()
    (small_dataset / "risk_category.parquet").unlink()
    df.to_csv(small_dataset / "risk_category.csv", index=False, encoding="gbk")
    with open_catalog(small_dataset, cache_dir) as cat:
        assert cat.rebuilt
        assert [w.kind for w in cat.warnings] == ["encoding"]
    with open_catalog(small_dataset, cache_dir) as cat:
        assert not cat.rebuilt
        assert [(w.file, w.kind, w.severity) for w in cat.warnings] == [
            ("risk_category.csv", "encoding", "warning")]


def test_concurrent_opens_in_threads(small_dataset: Path, cache_dir: Path) -> None:
    results: list[tuple[bool, int]] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            with open_catalog(small_dataset, cache_dir) as cat:
                results.append((cat.rebuilt, count(cat, "kpi_value")))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(r[0] for r in results) == [False, False, True]  # built once
    assert len({r[1] for r in results}) == 1


def test_concurrent_opens_in_processes(small_dataset: Path, cache_dir: Path) -> None:
    code = ("import sys; from cockpit.datasets.catalog import open_catalog; "
            "c = open_catalog(sys.argv[1], sys.argv[2]); "
            "print(c.rebuilt, c.cursor().execute('SELECT count(*) FROM event').fetchone()[0])")
    procs = [subprocess.Popen([sys.executable, "-c", code, str(small_dataset), str(cache_dir)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    got = sorted(o[0].split() for o in outs)
    assert [g[1] for g in got] == ["20000", "20000"]
    assert sorted(g[0] for g in got) == ["False", "True"]


def test_progress_is_reported(small_dataset: Path, cache_dir: Path) -> None:
    seen: list[tuple[float, str]] = []
    open_catalog(small_dataset, cache_dir, progress=lambda f, m: seen.append((f, m))).close()
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert any("risk_point" in m for _, m in seen)


def test_problems_text() -> None:
    assert catalog_problems_text([]) == "No problems found."
    text = catalog_problems_text([
        Problem("risk_point.csv", 17, "lon", "out_of_extent", "200.0 lies outside the extent"),
        Problem("admin_unit.csv", None, None, "encoding", "read as GB18030", "warning"),
        Problem("risk_point.csv", None, "lat", "missing_column", "the column is missing"),
    ])
    lines = text.splitlines()
    assert lines[0] == "2 error(s) and 1 warning(s) in 2 file(s)"
    assert "risk_point.csv — 2 error(s)" in lines
    assert "  row 17, column lon: out_of_extent: 200.0 lies outside the extent" in lines
    assert "  column lat: missing_column: the column is missing" in lines
    assert "  encoding (warning): read as GB18030" in lines


def test_default_cache_dir(small_dataset: Path, tmp_path: Path,
                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COCKPIT_CACHE_HOME", str(tmp_path / "cachehome"))
    with open_catalog(small_dataset) as cat:
        assert cat.db_path.parent == tmp_path / "cachehome" / "catalogs"
        assert len(cat.db_path.stem) == 16
