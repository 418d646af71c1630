"""The report names the dataset even without a dataset.json (issue 14, item 12)."""

from __future__ import annotations

import shutil
from pathlib import Path

from cockpit.datasets.catalog import open_catalog
from cockpit.datasets.report import build_report


def test_report_falls_back_to_the_directory_name(small_dataset_master: Path,
                                                 tmp_path: Path) -> None:
    data = tmp_path / "江北区运行中心"
    shutil.copytree(small_dataset_master, data)
    (data / "dataset.json").unlink()
    with open_catalog(data, tmp_path / "cache") as cat:
        rep = build_report(cat.con, None, "absolute", kpi_detail=False)
    assert rep.dataset_title == "江北区运行中心"


def test_report_prefers_the_manifest_title(small_dataset_master: Path, tmp_path: Path) -> None:
    with open_catalog(small_dataset_master, tmp_path / "cache") as cat:
        rep = build_report(cat.con, None, "absolute", kpi_detail=False)
        title = cat.manifest["title"]
    assert title and rep.dataset_title == title
