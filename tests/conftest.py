"""Shared fixtures: one small demo dataset per test session, copied per test on demand."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox --disable-gpu")
os.environ.setdefault("QT_LOGGING_RULES", "qt.webenginecontext.debug=false")
# never the developer's own config file: a path that does not exist (tests that need a config
# write their own and point COCKPIT_CONFIG at it)
os.environ["COCKPIT_CONFIG"] = os.path.join(
    tempfile.gettempdir(), f"cockpit-tests-{os.getpid()}-no-config.toml")


def pytest_configure(config: pytest.Config) -> None:
    # QtWebEngine wants shared GL contexts before the QApplication exists (pytest-qt makes it)
    from PySide6.QtCore import QCoreApplication, Qt

    QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
    from cockpit.widgets.map_view import register_tile_scheme

    register_tile_scheme()

#: A fixed anchor keeps the small dataset byte-identical between runs.
ANCHOR = "2026-11-20"


@pytest.fixture(autouse=True)
def _drill_windows_close_without_asking(monkeypatch):
    """A drill window asks before it closes (a modal question); tests that do not answer it
    themselves keep the session. tests/test_drill_close.py asks for real."""
    from cockpit.window import MainWindow

    monkeypatch.setattr(MainWindow, "drill_close_answer", "keep")


@pytest.fixture(scope="session")
def small_dataset_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `small` demo dataset, generated once per session. Do not modify it."""
    from cockpit.datasets.generate import generate

    out = tmp_path_factory.mktemp("small") / "data"
    generate(out, scale="small", seed=7, anchor=ANCHOR)
    return out


@pytest.fixture(scope="session")
def routed_catalog(small_dataset_master: Path, tmp_path_factory: pytest.TempPathFactory):
    """``routed_catalog(cache)``: the `small` demo's catalog in ``cache`` with the router
    trained on it saved beside it (as ``cockpit route train`` leaves it). The router is
    trained once per session; each module opens its own catalog."""
    from cockpit.datasets import triage
    from cockpit.datasets.catalog import open_catalog

    with open_catalog(small_dataset_master, tmp_path_factory.mktemp("router-master")) as cat:
        triage.train(cat)
        model = triage.model_path(cat)

    def make(cache: Path):
        cat = open_catalog(small_dataset_master, cache)
        shutil.copyfile(model, triage.model_path(cat))
        return cat

    return make


@pytest.fixture
def small_dataset(small_dataset_master: Path, tmp_path: Path) -> Path:
    """A private copy of the `small` dataset that a test may corrupt."""
    dst = tmp_path / "data"
    shutil.copytree(small_dataset_master, dst)
    return dst


@pytest.fixture
def cache_dir(tmp_path: Path) -> Path:
    """A private catalog cache directory."""
    d = tmp_path / "cache"
    d.mkdir()
    return d


@contextlib.contextmanager
def store_held_elsewhere(path: Path) -> Iterator[subprocess.Popen]:
    """Another process holds the dispatch store at ``path`` until the block ends."""
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys
            from cockpit.datasets.dispatch import open_store
            s = open_store({str(path)!r})
            print('ready', flush=True)
            sys.stdin.read()
            """)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        yield holder
    finally:
        holder.stdin.close()
        holder.wait(10)


@pytest.fixture
def hold_store():
    """``with hold_store(path) as holder:`` — another process holds that dispatch store."""
    return store_held_elsewhere


@pytest.fixture(scope="session")
def pg_server() -> Iterator:
    """A throw-away PostgreSQL server for the session (cockpit.services.pg_server). No skip: a
    machine without PostgreSQL fails here (scripts/bootstrap.sh --test installs it)."""
    from cockpit.services.pg_server import ThrowawayPostgres

    with ThrowawayPostgres() as pg:
        yield pg


_pg_databases = iter(range(1, 10**6))


@pytest.fixture
def pg_url(pg_server) -> str:
    """The URL of a new empty database on the session's PostgreSQL server."""
    if not pg_server.running:  # a test that stopped it and failed before starting it again
        pg_server.start()
    return pg_server.create_database(f"t{next(_pg_databases)}")


@pytest.fixture
def biogas_drill(tmp_path: Path):
    """(scenario, after-action report) of a short scripted biogas drill: one scored inject
    dispatched to one department, acknowledged three minutes later."""
    from datetime import timedelta

    from cockpit.datasets.drill import DrillSession, after_action_report, shipped_scenarios

    sc = next(s for s in shipped_scenarios() if s.id == "biogas-septic-jiangbei")
    inj = next(i for i in sc.injects if i.scored)
    now = [sc.start_at() + timedelta(minutes=inj.at_min + 1)]
    with DrillSession(sc, tmp_path, None, lambda: now[0], session_id="pdf",
                      utc_offset=timedelta(0)) as sess:
        oid = sess.store.create(inj.event_id, "trainee", "c", dept_id="D-500105-CGJ",
                                deadlines={})[0]
        now[0] += timedelta(minutes=3)
        sess.store.advance(oid, "acknowledge", "trainee", "a")
        return sc, after_action_report(sess, sc.window()[1])
