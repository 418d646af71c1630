"""The dependency rule of docs/ARCHITECTURE.md, checked rather than hoped for.

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


# ----------------------------------------------------------------------- import-linter contracts

def _installed_copy(dest: Path) -> Path:
    """The package laid out as an install lays it out (pyproject's ``package-dir`` maps the
    top-level folders into ``cockpit``), so import-linter can analyse one import root."""
    import shutil
    import tomllib

    cfg = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]
    for package, folder in sorted(cfg["package-dir"].items(), key=lambda kv: kv[0].count(".")):
        target = dest.joinpath(*package.split("."))
        shutil.copytree(ROOT / folder, target, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("__pycache__"))
    return dest


def _lint_imports(site: Path) -> subprocess.CompletedProcess:
    lint = Path(sys.executable).with_name("lint-imports")
    return subprocess.run([str(lint), str(ROOT / "pyproject.toml"), "--no-cache"],
                          capture_output=True, text=True, cwd=site, timeout=300,
                          env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"})


def test_import_contracts(tmp_path: Path) -> None:
    """Every contract in pyproject's [tool.importlinter] holds (see docs/ARCHITECTURE.md)."""
    r = _lint_imports(_installed_copy(tmp_path))
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-2000:]
    assert " 0 broken" in r.stdout and "KEPT" in r.stdout, r.stdout[-2000:]


@pytest.mark.parametrize("where, code, contract", [
    ("datasets/_probe.py", "import PySide6.QtCore\n", "datasets and layers import no Qt"),
    ("widgets/_probe.py", "import duckdb\n", "imports no database driver"),
    ("datasets/_probe.py", "import cockpit.controllers.dispatch\n", "layered"),
    ("datasets/_probe_a.py", "from cockpit.datasets import _probe_b\n", "no import cycles"),
])
def test_import_contracts_catch_a_violation(tmp_path: Path, where: str, code: str,
                                            contract: str) -> None:
    site = _installed_copy(tmp_path)
    room, name = where.split("/")
    pkg = site / "cockpit" if room == "cockpit" else site / "cockpit" / room
    (pkg / name).write_text(code, "utf-8")
    if name == "_probe_a.py":
        (pkg / "_probe_b.py").write_text("from cockpit.datasets import _probe_a\n", "utf-8")
    r = _lint_imports(site)
    assert r.returncode != 0
    broken = r.stdout[r.stdout.index("Broken contracts"):]
    assert contract in broken, broken[:2000]


def test_no_sql_in_the_screen() -> None:
    """Widgets and the wiring run no SQL: queries live in datasets/ (and layers/) behind named
    functions. The benchmarks and the server launchers are exempt."""
    offenders = []
    for folder in ("widgets", "cockpit"):
        for f in sorted((ROOT / folder).rglob("*.py")):
            rel = f.relative_to(ROOT).as_posix()
            if rel.startswith(("cockpit/bench/", "cockpit/services/")):
                continue
            for n, line in enumerate(f.read_text("utf-8").splitlines(), 1):
                if ".execute(" in line or ".executemany(" in line:
                    offenders.append(f"{rel}:{n}: {line.strip()}")
    assert not offenders, "SQL outside datasets/ and layers/:\n" + "\n".join(offenders)


def test_one_table_model_base() -> None:
    """The widgets' table models stand on one base (widgets/table_model.py: RowsModel): no
    widget subclasses Qt's item models directly but the base itself."""
    qt_models = {"QAbstractTableModel", "QAbstractItemModel", "QAbstractListModel"}
    offenders = []
    for f in sorted((ROOT / "widgets").rglob("*.py")):
        rel = f.relative_to(ROOT).as_posix()
        for node in ast.walk(ast.parse(f.read_text("utf-8"))):
            if not isinstance(node, ast.ClassDef):
                continue
            bases = {b.id if isinstance(b, ast.Name) else getattr(b, "attr", "")
                     for b in node.bases}
            if bases & qt_models and (rel, node.name) != ("widgets/table_model.py", "RowsModel"):
                offenders.append(f"{rel}: {node.name}({', '.join(sorted(bases))})")
    assert not offenders, "table models beside the base:\n" + "\n".join(offenders)
