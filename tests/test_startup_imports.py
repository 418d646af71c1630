"""Start-up does no work it does not show: a live start loads no drill, printing or
validation code (issue 14, item 16; speed itself is measured by ``cockpit bench --only
data``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from cockpit.datasets.catalog import open_catalog

NOT_AT_START = ("cockpit.datasets.validate", "cockpit.datasets.drill",
                "cockpit.printing.drill_pdf", "cockpit.printing.quarter_pdf",
                "cockpit.widgets.after_action", "cockpit.widgets.drill_picker",
                "cockpit.widgets.exercise_watermark")

PROBE = """
import sys
from cockpit.datasets.catalog import open_catalog
import cockpit.window
cat = open_catalog(sys.argv[1], sys.argv[2])   # built before: reopened
print(" ".join(sorted(m for m in sys.modules if m.startswith("cockpit."))))
"""


def test_a_live_start_on_a_built_catalog_loads_no_drill_printing_or_validation_code(
        small_dataset_master: Path, tmp_path: Path) -> None:
    open_catalog(small_dataset_master, tmp_path).close()  # the first start built it
    r = subprocess.run([sys.executable, "-P", "-c", PROBE, str(small_dataset_master),
                        str(tmp_path)], capture_output=True, text=True, timeout=180)
    assert r.returncode == 0, r.stderr[-2000:]
    lines = r.stdout.splitlines()
    loaded = set(lines[-1].split())
    assert "cockpit.window" in loaded and "cockpit.datasets.catalog" in loaded
    assert sorted(loaded & set(NOT_AT_START)) == []


def test_reopening_a_built_catalog_needs_no_validation_code(small_dataset_master: Path,
                                                             tmp_path: Path) -> None:
    open_catalog(small_dataset_master, tmp_path).close()
    code = ("import sys\nfrom cockpit.datasets.catalog import open_catalog\n"
            f"open_catalog({str(small_dataset_master)!r}, {str(tmp_path)!r}).close()\n"
            "print('cockpit.datasets.validate' in sys.modules)")
    r = subprocess.run([sys.executable, "-P", "-c", code], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0 and r.stdout.strip() == "False", r.stderr[-2000:]
