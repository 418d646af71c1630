"""Validation of a district centre's files (issue 14, item 6 and 6b): names with markup or
bidi controls are warned about; a file that is a directory, unreadable, a symlink loop or a
50 MB line is an error naming the file, what is wrong and what to do — never a traceback."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from cockpit.datasets.validate import Problem, validate_dataset

RLO = "\u202e"


def only(problems: list[Problem], kind: str, file: str) -> list[Problem]:
    return [p for p in problems if p.kind == kind and p.file == file]


def set_names(path: Path, column: str, values: dict[int, str]) -> None:
    tbl = pq.read_table(path)
    col = tbl.column(column).to_pylist()
    for i, v in values.items():
        col[i] = v
    pq.write_table(tbl.set_column(tbl.schema.get_field_index(column), column,
                                  pa.array(col, pa.string())), path)


def test_markup_and_bidi_controls_in_names_are_warned(small_dataset: Path) -> None:
    set_names(small_dataset / "risk_point.parquet", "name",
              {0: "<img src=x>井盖", 4: "阀门" + RLO + "41"})
    set_names(small_dataset / "event.parquet", "title", {2: "<b>爆管</b>"})
    manifest = json.loads((small_dataset / "dataset.json").read_text("utf-8"))
    manifest["title"] = "中心" + RLO + "08:55"
    (small_dataset / "dataset.json").write_text(json.dumps(manifest, ensure_ascii=False))
    ps = validate_dataset(small_dataset)
    assert not [p for p in ps if p.severity == "error"]
    rp = only(ps, "suspicious_text", "risk_point.parquet")
    assert [(p.row, p.column, p.severity) for p in rp] == [(1, "name", "warning"),
                                                          (5, "name", "warning")]
    assert "markup (<img src=x>)" in rp[0].message and "U+202E" in rp[1].message
    ev = only(ps, "suspicious_text", "event.parquet")
    assert [(p.row, p.column) for p in ev] == [(3, "title")] and "<b>" in ev[0].message
    (m,) = only(ps, "suspicious_text", "dataset.json")
    assert m.column == "title" and "U+202E" in m.message


@pytest.mark.parametrize("name, kind", [("district_boundaries.geojson", "bad_geojson"),
                                        ("dataset.json", "bad_manifest"),
                                        ("event_type.parquet", "unreadable")])
def test_a_directory_in_place_of_a_file(small_dataset: Path, name: str, kind: str) -> None:
    (small_dataset / name).unlink()
    (small_dataset / name).mkdir()
    (p,) = [p for p in validate_dataset(small_dataset) if p.file == name]
    assert p.kind == kind and p.severity == "error"
    assert "is a directory, not a file" in p.message and "put the file" in p.message


def test_a_symlink_loop_is_not_called_missing(small_dataset: Path) -> None:
    for name in ("district_boundaries.geojson", "risk_point.parquet"):
        (small_dataset / name).unlink()
        (small_dataset / name).symlink_to(name)
    ps = validate_dataset(small_dataset)
    (b,) = [p for p in ps if p.file == "district_boundaries.geojson"]
    (r,) = [p for p in ps if p.file == "risk_point.parquet"]
    for p in (b, r):
        assert "symbolic link that leads back to itself" in p.message, p
        assert "missing" not in p.message
    assert r.kind == "unreadable"
    assert not [p for p in ps if p.kind == "missing_file"]


def _without_dac(cmd: list[str]) -> list[str]:
    """``cmd`` run without the capabilities that let root read any file (as root, chmod 000
    proves nothing): setpriv drops the bounding set. A user other than root needs nothing."""
    if os.geteuid() != 0:
        return cmd
    setpriv = shutil.which("setpriv")
    assert setpriv, "setpriv (util-linux) is needed to test unreadable files as root"
    return [setpriv, "--bounding-set=-all", "--inh-caps=-all", "--", *cmd]


def test_unreadable_files_are_named_by_the_cli(small_dataset: Path) -> None:
    names = ("district_boundaries.geojson", "dataset.json", "kpi.parquet")
    for name in names:
        (small_dataset / name).chmod(0)
    probe = subprocess.run(_without_dac(["cat", str(small_dataset / "dataset.json")]),
                           capture_output=True)
    assert probe.returncode != 0  # the test really cannot read them
    r = subprocess.run(_without_dac([sys.executable, "-P", "-m", "cockpit", "data", "validate",
                                     str(small_dataset)]),
                       capture_output=True, text=True, timeout=300)
    assert "Traceback" not in r.stderr, r.stderr
    assert r.returncode == 1, r.stderr
    for name in names:
        # the file's heading, then what is wrong and what to do
        block = r.stdout.split(f"{name} — ", 1)[1].split("\n\n", 1)[0]
        assert "permission denied" in block and f"chmod a+r {name}" in block, r.stdout


def test_a_huge_one_line_value_is_placed(small_dataset: Path) -> None:
    df = pq.read_table(small_dataset / "facility.parquet").to_pandas()
    df = df.astype(object)
    df.loc[2, "name"] = "X" * (50 << 20)  # the reader takes rows of up to 8 MB
    (small_dataset / "facility.parquet").unlink()
    pd.DataFrame(df).to_csv(small_dataset / "facility.csv", index=False)
    (p,) = [p for p in validate_dataset(small_dataset) if p.file == "facility.csv"]
    assert (p.kind, p.row, p.column) == ("unreadable", 3, "name")
    assert "52.4 MB on line 4" in p.message and "shorten the value" in p.message
    assert "block size" not in p.message  # no advice the user cannot follow
