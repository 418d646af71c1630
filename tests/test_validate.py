"""Dataset validation: every kind of problem, found with its file, row and column."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from cockpit.datasets import schema
from cockpit.datasets.validate import (
    KINDS,
    ROW_CAP,
    DatasetInvalid,
    Problem,
    load_dataset,
    validate_dataset,
)

# ------------------------------------------------------------------------------ helpers


def frame(ds: Path, table: str) -> pd.DataFrame:
    """A table of the dataset as a DataFrame of Python objects (so that any text fits)."""
    df = pq.read_table(ds / f"{table}.parquet").to_pandas()
    return df.astype(object).where(df.notna(), None)


def write_csv(ds: Path, table: str, df: pd.DataFrame, encoding: str = "utf-8") -> Path:
    """Replace <table>.parquet by <table>.csv."""
    (ds / f"{table}.parquet").unlink(missing_ok=True)
    path = ds / f"{table}.csv"
    df.to_csv(path, index=False, encoding=encoding)
    return path


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


def find(problems: list[Problem], kind: str, **where) -> Problem:
    """The one problem of ``kind`` whose fields match ``where``."""
    hits = [p for p in problems if p.kind == kind
            and all(getattr(p, k) == v for k, v in where.items())]
    assert len(hits) == 1, (kind, where, [str(p) for p in problems])
    return hits[0]


def kinds(problems: list[Problem]) -> set[str]:
    return {p.kind for p in errors(problems)}


# ------------------------------------------------------------------------- valid data


def test_valid_small_dataset_has_no_problems(small_dataset: Path) -> None:
    assert validate_dataset(small_dataset) == []


def test_load_leaves_typed_sorted_tables(small_dataset: Path) -> None:
    # an optional column absent from the file is filled with typed NULLs
    tbl = pq.read_table(small_dataset / "risk_point.parquet")
    pq.write_table(tbl.drop_columns(["grid_code"]), small_dataset / "risk_point.parquet")
    con = duckdb.connect()
    assert errors(load_dataset(small_dataset, con)) == []
    for t in schema.TABLES:
        cols = con.execute(f"DESCRIBE {t.name}").fetchall()
        assert [(c[0], c[1]) for c in cols] == [(c.name, c.type) for c in t.columns], t.name
        n = con.execute(f"SELECT count(*) FROM {t.name}").fetchone()[0]
        assert n == pq.read_metadata(small_dataset / f"{t.name}.parquet").num_rows
    assert con.execute("SELECT count(*) FROM risk_point WHERE grid_code IS NOT NULL"
                       ).fetchone()[0] == 0
    # sorted for the layers' queries
    got = con.execute("SELECT lat, lon FROM risk_point").fetchall()
    assert got == sorted(got)  # by latitude: zone maps prune viewport queries
    got = con.execute("SELECT indicator_id, ts FROM vital_reading").fetchall()
    assert got == sorted(got)
    assert con.execute("SELECT count(*) FROM admin_unit WHERE parent_code IS NULL"
                       ).fetchone()[0] == 1
    # boundaries and manifest
    b = con.execute("SELECT adcode, name, overlay, geojson FROM boundaries").fetchall()
    fc = json.loads((small_dataset / schema.BOUNDARIES_FILE).read_text("utf-8"))
    assert len(b) == len(fc["features"])
    assert json.loads(b[0][3]) == fc["features"][0]
    assert any(r[2] for r in b) and not all(r[2] for r in b)
    manifest = {k: json.loads(v) for k, v in con.execute("SELECT * FROM _manifest").fetchall()}
    assert manifest["synthetic"] is True


def test_whole_dataset_as_csv_reads_the_same(small_dataset: Path) -> None:
    con = duckdb.connect()
    assert errors(load_dataset(small_dataset, con)) == []
    for t in schema.TABLES:
        write_csv(small_dataset, t.name, frame(small_dataset, t.name))
    con2 = duckdb.connect()
    assert validate_dataset(small_dataset) == []
    assert errors(load_dataset(small_dataset, con2)) == []
    for t in ("risk_point", "event", "vital_sign", "admin_unit"):
        a = con.execute(f"SELECT * FROM {t}").fetchall()
        b = con2.execute(f"SELECT * FROM {t}").fetchall()
        assert a == b, t


# ----------------------------------------------------------------- one bad file each


def test_bad_values_in_a_csv(small_dataset: Path) -> None:
    df = frame(small_dataset, "risk_point")
    df.loc[2, "lon"] = "abc"  # data row 3
    df.loc[4, "lon"] = "200"  # row 5
    df.loc[6, "lat"] = "nan"  # row 7
    df.loc[7, "lon"] = "inf"  # row 8
    df = pd.concat([df, df.iloc[[0]]], ignore_index=True)  # the last row repeats row 1
    df.loc[11, "district_code"] = "999999"  # row 12
    df.loc[13, "level"] = "9"  # row 14
    df.loc[15, "name"] = None  # row 16
    df.loc[17, "level"] = "1.5"  # row 18
    df.loc[19, "last_inspected"] = "2026-13-45"  # row 20
    write_csv(small_dataset, "risk_point", df)
    ps = validate_dataset(small_dataset)
    f = "risk_point.csv"
    p = find(ps, "unparseable", file=f, row=3, column="lon")
    assert "'abc'" in p.message
    p = find(ps, "out_of_extent", file=f, row=5, column="lon")
    assert str(p) == ("risk_point.csv, row 5, column lon: out_of_extent: 200.0 lies outside "
                      "the city's extent 105.29–110.20 (longitude)")
    find(ps, "non_finite", file=f, row=7, column="lat")
    find(ps, "non_finite", file=f, row=8, column="lon")
    p = find(ps, "duplicate_id", file=f, row=len(df), column="point_id")
    assert str(df.loc[0, "point_id"]) in p.message and "row 1" in p.message
    p = find(ps, "unknown_reference", file=f, row=12, column="district_code")
    assert "'999999'" in p.message
    p = find(ps, "out_of_range", file=f, row=14, column="level")
    assert "9" in p.message and "1–4" in p.message
    find(ps, "missing_value", file=f, row=16, column="name")
    find(ps, "unparseable", file=f, row=18, column="level")
    find(ps, "unparseable", file=f, row=20, column="last_inspected")
    assert len(errors(ps)) == 10, [str(p) for p in errors(ps)]
    # nothing is loaded
    con = duckdb.connect()
    load_dataset(small_dataset, con)
    assert con.execute("SELECT count(*) FROM duckdb_tables()").fetchone()[0] == 0


def test_empty_file(small_dataset: Path) -> None:
    (small_dataset / "risk_category.parquet").unlink()
    (small_dataset / "risk_category.csv").write_bytes(b"")
    ps = validate_dataset(small_dataset)
    find(ps, "empty_file", file="risk_category.csv", row=None, column=None)
    # only the header: a warning
    (small_dataset / "risk_category.csv").write_text("category_id,name,domain\n")
    ps = validate_dataset(small_dataset)
    p = find(ps, "empty_file", file="risk_category.csv")
    assert p.severity == "warning"


def test_missing_file(small_dataset: Path) -> None:
    (small_dataset / "plan.parquet").unlink()
    ps = validate_dataset(small_dataset)
    p = find(ps, "missing_file", file="plan.parquet", row=None, column=None)
    assert "plan.csv" in p.message
    # references to the missing table are not reported a second time
    assert kinds(ps) == {"missing_file"}


def test_missing_column(small_dataset: Path) -> None:
    df = frame(small_dataset, "facility").drop(columns=["lat"])
    write_csv(small_dataset, "facility", df)
    ps = validate_dataset(small_dataset)
    find(ps, "missing_column", file="facility.csv", row=None, column="lat")
    assert kinds(ps) == {"missing_column"}


def test_missing_column_in_parquet_hints_at_case(small_dataset: Path) -> None:
    tbl = pq.read_table(small_dataset / "facility.parquet")
    pq.write_table(tbl.rename_columns(["LON" if n == "lon" else n for n in tbl.column_names]),
                   small_dataset / "facility.parquet")
    p = find(validate_dataset(small_dataset), "missing_column", file="facility.parquet",
             column="lon")
    assert "'LON'" in p.message


def test_gbk_csv_is_read_with_its_names(small_dataset: Path) -> None:
    df = frame(small_dataset, "risk_category")
    write_csv(small_dataset, "risk_category", df, encoding="gbk")
    raw = (small_dataset / "risk_category.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    con = duckdb.connect()
    ps = load_dataset(small_dataset, con)
    assert errors(ps) == []
    p = find(ps, "encoding", file="risk_category.csv", row=None)
    assert p.severity == "warning" and "GB18030" in p.message
    names = dict(con.execute("SELECT category_id, name FROM risk_category").fetchall())
    assert names == dict(zip(df["category_id"], df["name"]))
    assert any("燃气" in n for n in names.values())


def test_gb18030_csv_with_rare_characters(small_dataset: Path) -> None:
    # some village names (e.g. with 㭎) exist in GB18030 but not in GBK
    df = frame(small_dataset, "admin_unit")
    write_csv(small_dataset, "admin_unit", df, encoding="gb18030")
    con = duckdb.connect()
    ps = load_dataset(small_dataset, con)
    assert [p.kind for p in ps] == ["encoding"] and ps[0].severity == "warning"
    names = dict(con.execute("SELECT code, name FROM admin_unit").fetchall())
    assert names["500000"] == "重庆市"
    assert names == dict(zip(df["code"], df["name"]))


def test_utf8_with_bom_is_fine(small_dataset: Path) -> None:
    write_csv(small_dataset, "department", frame(small_dataset, "department"),
              encoding="utf-8-sig")
    assert validate_dataset(small_dataset) == []


def test_invalid_bytes(small_dataset: Path) -> None:
    path = write_csv(small_dataset, "department", frame(small_dataset, "department"))
    lines = path.read_bytes().split(b"\n")
    lines[5] = lines[5][:3] + b"\xff\xfe" + lines[5][3:]  # line 6 = data row 5
    path.write_bytes(b"\n".join(lines))
    ps = validate_dataset(small_dataset)
    p = find(ps, "encoding", file="department.csv", row=5, column=None)
    offset = sum(len(x) + 1 for x in lines[:5]) + 3
    assert p.severity == "error"
    assert f"offset {offset:,}" in p.message and "line 6" in p.message


def test_malformed_rows(small_dataset: Path) -> None:
    path = write_csv(small_dataset, "facility", frame(small_dataset, "facility"))
    lines = path.read_text("utf-8").split("\n")
    lines[3] += ",extra"  # data row 3: one field too many
    lines[6] = lines[6].split(",")[0]  # data row 6: one field too few
    lines.insert(9, "")  # a blank line (line 10) is ignored
    path.write_text("\n".join(lines), "utf-8")
    ps = validate_dataset(small_dataset)
    p = find(ps, "unreadable", file="facility.csv", row=3)
    assert "7 fields where the header has 6" in p.message
    find(ps, "unreadable", file="facility.csv", row=6)
    assert kinds(ps) == {"unreadable"}
    # rows after the skipped ones keep their true row numbers
    lines[12] = lines[1]  # line 13 (data row 12) repeats line 2 (row 1)
    lines[14] = lines[14].replace(",", ",x", 1)  # line 15 (row 14): kind "xwarehouse"…
    path.write_text("\n".join(lines), "utf-8")
    ps = validate_dataset(small_dataset)
    find(ps, "duplicate_id", file="facility.csv", row=12, column="facility_id")
    find(ps, "bad_choice", file="facility.csv", row=14, column="kind")


def test_unterminated_quote(small_dataset: Path) -> None:
    path = write_csv(small_dataset, "facility", frame(small_dataset, "facility"))
    lines = path.read_text("utf-8").split("\n")
    lines[4] = lines[4].replace(",", ',"', 1)  # data row 4 opens a quote it never closes
    path.write_text("\n".join(lines), "utf-8")
    ps = validate_dataset(small_dataset)
    p = find(ps, "unreadable", file="facility.csv", row=4)
    assert "quote" in p.message
    assert kinds(ps) == {"unreadable"}


def test_quote_closed_lines_later(small_dataset: Path) -> None:
    path = write_csv(small_dataset, "facility", frame(small_dataset, "facility"))
    lines = path.read_text("utf-8").split("\n")
    lines[4] = lines[4].replace(",", ',"', 1)  # opens a quote at data row 4 …
    lines[7] = lines[7] + '"'  # … closed on line 8: rows 4-7 become one value
    path.write_text("\n".join(lines), "utf-8")
    ps = validate_dataset(small_dataset)
    p = find(ps, "unreadable", file="facility.csv", row=4)
    assert "quote" in p.message


@pytest.mark.parametrize("case", ["missing", "not_json", "not_collection", "no_adcode",
                                  "bad_geometry", "bad_coordinates"])
def test_bad_geojson(small_dataset: Path, case: str) -> None:
    path = small_dataset / schema.BOUNDARIES_FILE
    fc = json.loads(path.read_text("utf-8"))
    row = None
    column = None
    if case == "missing":
        path.unlink()
    elif case == "not_json":
        path.write_text('{"type": "FeatureCollection", "features": [', "utf-8")
    elif case == "not_collection":
        path.write_text(json.dumps(fc["features"][0]), "utf-8")
    elif case == "no_adcode":
        del fc["features"][2]["properties"]["adcode"]
        path.write_text(json.dumps(fc), "utf-8")
        row, column = 3, "adcode"
    elif case == "bad_geometry":
        fc["features"][1]["geometry"] = {"type": "Point", "coordinates": [106.5, 29.5]}
        path.write_text(json.dumps(fc), "utf-8")
        row, column = 2, "geometry"
    else:
        fc["features"][4]["geometry"]["coordinates"] = [[["a", "b"]]]
        path.write_text(json.dumps(fc), "utf-8")
        row, column = 5, "geometry"
    ps = validate_dataset(small_dataset)
    find(ps, "bad_geojson", file=schema.BOUNDARIES_FILE, row=row, column=column)
    assert kinds(ps) == {"bad_geojson"}


def test_threshold_order(small_dataset: Path) -> None:
    df = frame(small_dataset, "vital_sign")
    i = next(i for i in range(len(df)) if df.loc[i, "warn_low"] is not None
             and df.loc[i, "warn_high"] is not None)
    df.loc[i, "warn_low"], df.loc[i, "warn_high"] = df.loc[i, "warn_high"], df.loc[i, "warn_low"]
    if df.loc[i, "warn_low"] == df.loc[i, "warn_high"]:
        df.loc[i, "warn_low"] = df.loc[i, "warn_high"] + 1
    write_csv(small_dataset, "vital_sign", df)
    ps = validate_dataset(small_dataset)
    p = find(ps, "threshold_order", file="vital_sign.csv", row=i + 1)
    assert p.column in ("warn_high", "alarm_high")
    assert df.loc[i, "indicator_id"] in p.message
    assert kinds(ps) == {"threshold_order"}


def test_a_plans_stages_must_be_a_flow_that_can_run(small_dataset: Path) -> None:
    """plan.stages: 核实 after 处置 and an unknown stage are refused, with the row; the
    emergency flow (spaces allowed) and an empty value (the loop) pass."""
    df = frame(small_dataset, "plan")
    assert len(df) >= 4
    df["stages"] = ["react,handle,confirm,close", "react,check,close",
                    " react , confirm ,handle, close", None] + [None] * (len(df) - 4)
    write_csv(small_dataset, "plan", df)
    ps = validate_dataset(small_dataset)
    assert "out of order" in find(ps, "bad_stages", file="plan.csv", row=1).message
    assert "'check'" in find(ps, "bad_stages", file="plan.csv", row=2).message
    assert kinds(ps) == {"bad_stages"}
    assert len([p for p in ps if p.kind == "bad_stages"]) == 2


def test_equal_thresholds_are_allowed_and_one_above_is_not(small_dataset: Path) -> None:
    """alarm_low ≤ warn_low ≤ warn_high ≤ alarm_high: equal neighbours are allowed (a sign
    that alarms where it warns), a lower alarm than warning is not."""
    df = frame(small_dataset, "vital_sign")
    i, j = 0, 1
    df.loc[i, ["alarm_low", "warn_low", "warn_high", "alarm_high"]] = [10.0, 10.0, 20.0, 20.0]
    df.loc[j, ["alarm_low", "warn_low", "warn_high", "alarm_high"]] = [5.0, 10.0, 20.0, 19.5]
    write_csv(small_dataset, "vital_sign", df)
    ps = validate_dataset(small_dataset)
    assert [p.row for p in ps if p.kind == "threshold_order"] == [j + 1]
    assert kinds(ps) == {"threshold_order"}


def test_two_top_units(small_dataset: Path) -> None:
    df = frame(small_dataset, "admin_unit")
    top = [i for i in range(len(df)) if df.loc[i, "parent_code"] is None]
    assert len(top) == 1
    i = 5 if top[0] != 5 else 6
    df.loc[i, "parent_code"] = None
    write_csv(small_dataset, "admin_unit", df)
    ps = validate_dataset(small_dataset)
    find(ps, "single_top_unit", file="admin_unit.csv", row=i + 1, column="parent_code")
    find(ps, "single_top_unit", file="admin_unit.csv", row=top[0] + 1, column="parent_code")
    assert kinds(ps) == {"single_top_unit"}


def test_no_top_unit(small_dataset: Path) -> None:
    tbl = pq.read_table(small_dataset / "admin_unit.parquet")
    parent = pa.array([p if p is not None else "500000" for p in
                       tbl.column("parent_code").to_pylist()])
    tbl = tbl.set_column(tbl.column_names.index("parent_code"), "parent_code", parent)
    pq.write_table(tbl, small_dataset / "admin_unit.parquet")
    ps = validate_dataset(small_dataset)
    find(ps, "single_top_unit", file="admin_unit.parquet", row=None, column="parent_code")


def test_bad_period_pattern(small_dataset: Path) -> None:
    df = frame(small_dataset, "kpi_value")
    df.loc[99, "period"] = "2026-Q3"
    write_csv(small_dataset, "kpi_value", df)
    ps = validate_dataset(small_dataset)
    p = find(ps, "bad_pattern", file="kpi_value.csv", row=100, column="period")
    assert "'2026-Q3'" in p.message
    assert kinds(ps) == {"bad_pattern"}


def test_bad_colour(small_dataset: Path) -> None:
    df = frame(small_dataset, "eval_scheme")
    df.loc[2, "colour"] = "red"
    write_csv(small_dataset, "eval_scheme", df)
    ps = validate_dataset(small_dataset)
    find(ps, "bad_pattern", file="eval_scheme.csv", row=3, column="colour")
    assert kinds(ps) == {"bad_pattern"}


def test_bad_choice(small_dataset: Path) -> None:
    df = frame(small_dataset, "event")
    df.loc[41, "source"] = "twitter"
    write_csv(small_dataset, "event", df)
    ps = validate_dataset(small_dataset)
    p = find(ps, "bad_choice", file="event.csv", row=42, column="source")
    assert "'twitter'" in p.message and "hotline" in p.message
    assert kinds(ps) == {"bad_choice"}


def test_bad_manifest(small_dataset: Path) -> None:
    (small_dataset / schema.MANIFEST_FILE).write_text("[1, 2]", "utf-8")
    ps = validate_dataset(small_dataset)
    find(ps, "bad_manifest", file=schema.MANIFEST_FILE)
    (small_dataset / schema.MANIFEST_FILE).write_text("{oops", "utf-8")
    find(validate_dataset(small_dataset), "bad_manifest", file=schema.MANIFEST_FILE)
    (small_dataset / schema.MANIFEST_FILE).unlink()  # optional
    assert validate_dataset(small_dataset) == []


def test_parquet_of_other_types_is_cast_and_checked(small_dataset: Path) -> None:
    tbl = pq.read_table(small_dataset / "risk_point.parquet")
    level = [str(v) for v in tbl.column("level").to_pylist()]
    level[3] = "four"  # row 4
    lon = tbl.column("lon").to_pylist()
    lon[6] = 250.0  # row 7
    tbl = tbl.set_column(tbl.column_names.index("level"), "level", pa.array(level))
    tbl = tbl.set_column(tbl.column_names.index("lon"), "lon", pa.array(lon, pa.float32()))
    pq.write_table(tbl, small_dataset / "risk_point.parquet")
    ps = validate_dataset(small_dataset)
    find(ps, "unparseable", file="risk_point.parquet", row=4, column="level")
    find(ps, "out_of_extent", file="risk_point.parquet", row=7, column="lon")
    assert len(errors(ps)) == 2


def test_a_whole_number_column_rejects_fractions_in_parquet(small_dataset: Path) -> None:
    tbl = pq.read_table(small_dataset / "eval_scheme.parquet")
    tbl = tbl.set_column(0, "level", pa.array([1.0, 2.0, 2.5, 4.0, 5.0]))
    pq.write_table(tbl, small_dataset / "eval_scheme.parquet")
    find(validate_dataset(small_dataset), "unparseable", file="eval_scheme.parquet", row=3,
         column="level")


def test_unreadable_parquet(small_dataset: Path) -> None:
    (small_dataset / "facility.parquet").write_bytes(b"not parquet at all")
    find(validate_dataset(small_dataset), "unreadable", file="facility.parquet", row=None)


def test_csv_beside_parquet_is_ignored(small_dataset: Path) -> None:
    df = frame(small_dataset, "plan")
    df.to_csv(small_dataset / "plan.csv", index=False)
    (p,) = validate_dataset(small_dataset)
    assert (p.file, p.kind, p.severity) == ("plan.csv", "ignored_file", "warning")


def test_extra_columns_are_ignored(small_dataset: Path) -> None:
    tbl = pq.read_table(small_dataset / "facility.parquet")
    tbl = tbl.append_column("_row", pa.array(["x"] * tbl.num_rows))
    pq.write_table(tbl.append_column("note", pa.array(["n"] * tbl.num_rows)),
                   small_dataset / "facility.parquet")
    df = frame(small_dataset, "plan")
    df["_row"] = "y"
    write_csv(small_dataset, "plan", df)
    con = duckdb.connect()
    assert load_dataset(small_dataset, con) == []
    assert [r[0] for r in con.execute("DESCRIBE facility").fetchall()] == [
        c.name for c in schema.TABLE_BY_NAME["facility"].columns]


def test_many_bad_rows_are_capped(small_dataset: Path) -> None:
    tbl = pq.read_table(small_dataset / "event.parquet")
    n = tbl.num_rows
    tbl = tbl.set_column(tbl.column_names.index("severity"), "severity",
                         pa.array([7] * n, pa.int32()))
    pq.write_table(tbl, small_dataset / "event.parquet")
    ps = [p for p in validate_dataset(small_dataset) if p.kind == "out_of_range"]
    assert len(ps) == ROW_CAP + 1
    assert [p.row for p in ps[:ROW_CAP]] == list(range(1, ROW_CAP + 1))
    assert ps[-1].row is None and f"{n - ROW_CAP:,} more rows" in ps[-1].message


def test_unknown_references_across_tables(small_dataset: Path) -> None:
    df = frame(small_dataset, "plan_step")
    df.loc[0, "dept_id"] = "NO_SUCH_DEPT"
    write_csv(small_dataset, "plan_step", df)
    ps = validate_dataset(small_dataset)
    p = find(ps, "unknown_reference", file="plan_step.csv", row=1, column="dept_id")
    assert "'NO_SUCH_DEPT'" in p.message and "department.parquet" in p.message


def test_markup_in_a_name_is_a_warning(small_dataset: Path) -> None:
    df = frame(small_dataset, "facility")
    df.loc[0, "name"] = "<b>仓库</b>"
    write_csv(small_dataset, "facility", df)
    p = find(validate_dataset(small_dataset), "suspicious_text", file="facility.csv")
    assert (p.row, p.column, p.severity) == (1, "name", "warning") and "<b>" in p.message
    # (tests/test_validate_files.py: bidi controls, dataset.json, unreadable files)


def _write_table(ds: Path, name: str, tbl: pa.Table) -> None:
    pq.write_table(tbl, ds / f"{name}.parquet")


def test_validation_names_bad_network_rows(small_dataset: Path) -> None:
    nodes = pq.read_table(small_dataset / "network_node.parquet")
    pipes = pq.read_table(small_dataset / "network_pipe.parquet")
    df = pipes.to_pandas()
    df.loc[0, "to_node"] = 99_999_999  # dangling
    df.loc[1, "length_m"] = 0.0  # zero length
    df.loc[2, "to_node"] = df.loc[2, "from_node"]  # a loop onto itself
    _write_table(small_dataset, "network_pipe", pa.Table.from_pandas(df, schema=pipes.schema,
                                                               preserve_index=False))
    nd = nodes.to_pandas()
    lonely = int(nd.node_id.max()) + 1
    extra = nd.iloc[:3].copy()
    extra["node_id"] = [lonely, lonely + 1, lonely + 2]
    extra["kind"] = ["valve", "junction", "junction"]
    extra["network"] = "water"  # (islands are a water/gas warning; drainage has its own check)
    nd2 = pd.concat([nd, extra], ignore_index=True)
    _write_table(small_dataset, "network_node", pa.Table.from_pandas(nd2, schema=nodes.schema,
                                                               preserve_index=False))
    problems = validate_dataset(small_dataset)
    by_kind = defaultdict(list)
    for p in problems:
        by_kind[p.kind].append(p)
    dangling = [p for p in by_kind["unknown_reference"] if p.file == "network_pipe.parquet"]
    assert dangling and dangling[0].row == 1 and dangling[0].column == "to_node"
    assert "99999999" in dangling[0].message
    zero = {p.row: p for p in by_kind["zero_length"]}
    assert set(zero) == {2, 3} and "length 0" in zero[2].message
    assert "same node" in zero[3].message
    off = by_kind["valve_off_pipe"]
    assert [p.row for p in off] == [len(nd) + 1] and str(lonely) in off[0].message
    islands = by_kind["network_island"]
    assert islands and all(p.severity == "warning" for p in islands)
    assert {p.row for p in islands} >= {len(nd) + 1, len(nd) + 2, len(nd) + 3}


def test_validation_names_bad_drainage_rows(small_dataset: Path) -> None:
    """A drainage pipe that leads back up to where the water came from makes a circle
    ("drain_cycle") and leaves what drained through it with nowhere to go ("drain_nowhere");
    rows and columns are named."""
    nodes = pq.read_table(small_dataset / "network_node.parquet").to_pandas()
    pipes = pq.read_table(small_dataset / "network_pipe.parquet")
    df = pipes.to_pandas()
    sinks = set(nodes.node_id[nodes.kind.isin(["outfall", "treatment_plant"])])
    drain = df[(df.network == "drainage") & ~df.to_node.isin(sinks)]
    assert problems_of(small_dataset, "drain_nowhere") == []
    # pipe i (u → v) and the one pipe j leaving v: j led back to u makes u → v → u, both with
    # one way down only
    down = drain.groupby("from_node").size()
    one_way = drain[drain.from_node.map(down) == 1]
    for i in one_way.index:
        nxt = one_way[one_way.from_node == df.loc[i, "to_node"]]
        if len(nxt):
            break
    j = nxt.index[0]
    df.loc[j, "to_node"] = df.loc[i, "from_node"]
    _write_table(small_dataset, "network_pipe", pa.Table.from_pandas(df, schema=pipes.schema,
                                                               preserve_index=False))
    nowhere = problems_of(small_dataset, "drain_nowhere")
    cycle = problems_of(small_dataset, "drain_cycle")
    assert {p.row for p in cycle if p.row} == {i + 1, j + 1}
    assert all(p.column == "from_node" and "circle" in p.message for p in cycle)
    assert i + 1 in {p.row for p in nowhere if p.row}
    assert all(p.file == "network_pipe.parquet" and p.column == "to_node" for p in nowhere)
    assert f"drainage pipe {df.loc[i, 'pipe_id']} drains nowhere" in " ".join(
        p.message for p in nowhere)


def problems_of(data: Path, kind: str) -> list:
    return [p for p in validate_dataset(data) if p.kind == kind]


def test_every_kind_of_problem_is_provoked_by_a_test() -> None:
    """Each problem kind the validator can report is asserted by some test of this file (a new
    kind without a test fails here)."""
    text = Path(__file__).read_text("utf-8")
    body = text[:text.index("def test_every_kind_of_problem_is_provoked_by_a_test")]
    untested = [k for k in KINDS if f'"{k}"' not in body]
    assert not untested, f"no test provokes: {untested}"


def test_problem_text_and_exception() -> None:
    p = Problem("risk_point.csv", 17, "lon", "out_of_extent", "200.0 lies outside")
    assert str(p) == "risk_point.csv, row 17, column lon: out_of_extent: 200.0 lies outside"
    w = Problem("a.csv", None, None, "encoding", "read as GB18030", "warning")
    assert str(w) == "a.csv: encoding (warning): read as GB18030"
    assert Problem.from_dict(p.to_dict()) == p
    exc = DatasetInvalid([p, w] + [p] * 10)
    assert "11 error(s)" in str(exc) and "row 17" in str(exc) and "… and 6 more" in str(exc)
    assert len(exc.problems) == 12


def test_missing_directory(tmp_path: Path) -> None:
    ps = validate_dataset(tmp_path / "nowhere")
    assert [p.kind for p in ps] == ["missing_file"]


def test_validation_names_bad_road_rows_and_a_dataset_may_leave_roads_out(
        small_dataset: Path) -> None:
    df = frame(small_dataset, "road")
    df.loc[2, "road_class"] = "motorway"  # row 3: not one of the classes
    df.loc[4, "to_lat"] = "45.0"  # row 5: far outside the city
    df.loc[6, "district_code"] = "999999"  # row 7
    write_csv(small_dataset, "road", df)
    ps = validate_dataset(small_dataset)
    p = find(ps, "bad_choice", file="road.csv", row=3, column="road_class")
    assert "'motorway'" in p.message and "arterial" in p.message
    find(ps, "out_of_extent", file="road.csv", row=5, column="to_lat")
    find(ps, "unknown_reference", file="road.csv", row=7, column="district_code")
    assert len(errors(ps)) == 3, [str(p) for p in errors(ps)]
    # the table is optional: without it the dataset loads, with an empty road table
    (small_dataset / "road.csv").unlink()
    con = duckdb.connect()
    assert errors(load_dataset(small_dataset, con)) == []
    assert con.execute("SELECT count(*) FROM road").fetchone()[0] == 0
