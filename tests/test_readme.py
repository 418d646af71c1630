"""The README documents the dataset format and the two commands exactly as they are."""

from __future__ import annotations

from pathlib import Path

from cockpit.datasets.schema import TABLES

ROOT = Path(__file__).resolve().parents[1]


def test_readme_documents_every_table_and_column() -> None:
    text = (ROOT / "README.md").read_text("utf-8")
    missing = [f"{t.name}.{c.name}" for t in TABLES for c in t.columns
               if f"#### `{t.name}`" not in text or f"| `{c.name}` |" not in text]
    assert not missing, f"README lacks: {missing}"


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    ci = (ROOT / ".ci" / "run").read_text("utf-8")
    assert "./scripts/test" in readme and "./scripts/cockpit" in readme
    assert "./scripts/test" in ci.splitlines()[-1]


def test_readme_screenshot_exists() -> None:
    text = (ROOT / "README.md").read_text("utf-8")
    assert "docs/screenshot.png" in text
    png = ROOT / "docs" / "screenshot.png"
    assert png.exists() and png.stat().st_size > 50_000
