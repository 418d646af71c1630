"""Child processes import the installed cockpit, even when started in the repository root
with a regular (non-editable) install (issue 14, item 14).

The installed layout is made as an install makes it (pyproject's ``package-dir`` maps the
top-level folders into ``cockpit``; the same copy the import contracts are checked on) —
cheap and offline, where ``pip install --target`` would have to build a wheel. The children
run with ``-S`` and the dependencies on ``PYTHONPATH`` so that this venv's editable-install
hook cannot hide the shadow: only the copy can supply the mapped subpackages.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import pytest

from cockpit.bench.common import python_child

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("site")
    cfg = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]
    for package, folder in sorted(cfg["package-dir"].items(), key=lambda kv: kv[0].count(".")):
        shutil.copytree(ROOT / folder, dest.joinpath(*package.split(".")), dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("__pycache__"))
    return dest


def _run(cmd: list[str], installed: Path) -> subprocess.CompletedProcess:
    """``cmd`` from the repository root, as with a non-editable install in ``installed``."""
    deps = sysconfig.get_paths()["purelib"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(installed), deps])}
    env.pop("PYTHONSAFEPATH", None)
    return subprocess.run([cmd[0], "-S", *cmd[1:]], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=180)


def test_the_checkout_would_shadow_a_regular_install(installed: Path,
                                                     small_dataset_master: Path) -> None:
    """Without -P the checkout's cockpit/ is imported and the mapped subpackages are
    missing: the failure the bench children had."""
    r = _run([sys.executable, "-m", "cockpit", "data", "validate", str(small_dataset_master)],
             installed)
    assert r.returncode != 0 and "No module named 'cockpit." in r.stderr, r.stderr[-2000:]


def test_the_bench_children_import_the_installed_package(installed: Path,
                                                         small_dataset_master: Path) -> None:
    r = _run(python_child("-m", "cockpit", "data", "validate", str(small_dataset_master)),
             installed)
    assert r.returncode == 0, r.stderr[-2000:]
    code = ("import cockpit, cockpit.bench.seats, cockpit.bench.data, cockpit.datasets; "
            "print(cockpit.__file__); print(cockpit.datasets.__file__)")
    r = _run(python_child("-c", code), installed)
    assert r.returncode == 0, r.stderr[-2000:]
    files = [Path(x) for x in r.stdout.split()]
    assert files and all(installed in f.parents for f in files), files


def test_every_package_folder_is_in_the_installed_packages() -> None:
    """A regular install holds only the packages pyproject lists: every folder with an
    ``__init__.py`` under a mapped folder must be one of them (``datasets/network`` was
    missing, so a wheel had no pipe networks)."""
    cfg = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]
    listed = set(cfg["packages"])
    found = set()
    for package, folder in cfg["package-dir"].items():
        for init in (ROOT / folder).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT / folder).parts
            if "__pycache__" not in rel:
                found.add(".".join((package, *rel)))
    assert found - listed == set()


def test_bootstrap_compiles_every_mapped_folder() -> None:
    """The editable install compiles none of the project's modules and PYTHONDONTWRITEBYTECODE
    keeps Python from caching them, so every start compiled them again (~0.4 s of the
    start-up): the bootstrap compiles each folder pyproject maps into ``cockpit``."""
    cfg = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]
    lines = [ln.split() for ln in (ROOT / "scripts" / "bootstrap.sh").read_text("utf-8")
             .splitlines() if "-m compileall" in ln and not ln.lstrip().startswith("#")]
    assert lines, "scripts/bootstrap.sh compiles nothing"
    compiled = {w for ln in lines for w in ln if not w.startswith(("-", ".", ">"))}
    folders = {folder for folder in cfg["package-dir"].values()
               if any((ROOT / folder).rglob("*.py"))}
    assert folders - compiled == set()
