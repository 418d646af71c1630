"""The dependency rule (README "Architecture", docs/ARCHITECTURE.md), checked rather than hoped for.

datasets and layers import no Qt; widgets import no DuckDB and nothing from datasets or
layers. Checked twice: statically over every import statement, and at run time by importing
the Qt-free packages in a process where PySide6 cannot be imported at all.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

FORBIDDEN = {
    "datasets": ("PySide6", "shiboken6", "pyqtgraph", "folium", "cockpit.widgets",
                 "cockpit.layers", "cockpit.window", "cockpit.app", "cockpit.workers"),
    "layers": ("PySide6", "shiboken6", "pyqtgraph", "cockpit.widgets", "cockpit.window",
               "cockpit.app", "cockpit.workers"),
    "widgets": ("duckdb", "pandas", "pyarrow", "cockpit.datasets", "cockpit.layers",
                "cockpit.window", "cockpit.app"),
}


def imported_modules(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_no_forbidden_imports(package: str) -> None:
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, f"no Python files under {package}/"
    bad = [f"{f.relative_to(ROOT)}:{line} imports {mod}"
           for f in files for line, mod in imported_modules(f)
           for prefix in FORBIDDEN[package]
           if mod == prefix or mod.startswith(prefix + ".")]
    assert not bad, "dependency rule broken:\n" + "\n".join(bad)


def test_rule_checker_catches_a_violation(tmp_path: Path) -> None:
    f = tmp_path / "x.py"
    f.write_text("import os\nfrom PySide6.QtCore import QObject\n")
    assert (2, "PySide6.QtCore") in imported_modules(f)


def test_data_packages_import_without_qt() -> None:
    code = textwrap.dedent("""
        import sys
        for name in ("PySide6", "shiboken6", "pyqtgraph"):
            sys.modules[name] = None  # any import of it now fails
        import pkgutil, importlib
        import cockpit.datasets, cockpit.layers
        for pkg in (cockpit.datasets, cockpit.layers):
            for m in pkgutil.iter_modules(pkg.__path__):
                importlib.import_module(f"{pkg.__name__}.{m.name}")
        print("ok")
    """)
    r = subprocess.run([sys.executable, "-P", "-c", code], capture_output=True, text=True,
                       cwd=ROOT, timeout=120)
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr
