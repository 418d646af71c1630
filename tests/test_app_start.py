"""The start of the GUI on the paths users meet: the daily demo, --focus, and the exits on a bad
base map or an unknown place (each before a window is saved)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from cockpit.datasets.catalog import open_catalog

from cockpit.app import _demo_is_stale, _resolve_focus


def _manifest(folder: Path, **kw) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "dataset.json").write_text(json.dumps(kw), "utf-8")
    return folder


def test_the_demo_is_made_again_on_the_first_start_of_a_new_day(tmp_path: Path) -> None:
    today, yesterday = date.today(), date.today() - timedelta(days=1)
    assert _demo_is_stale(tmp_path / "missing")
    assert _demo_is_stale(_manifest(tmp_path / "a", synthetic=True, anchor=str(yesterday)))
    assert not _demo_is_stale(_manifest(tmp_path / "b", synthetic=True, anchor=str(today)))
    # a real dataset (not synthetic) is never regenerated, whatever its day
    assert not _demo_is_stale(_manifest(tmp_path / "c", synthetic=False, anchor=str(yesterday)))
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "dataset.json").write_text("{not json", "utf-8")
    assert _demo_is_stale(tmp_path / "d")


def test_focus_by_code_name_or_point(small_dataset_master: Path, tmp_path: Path) -> None:
    with open_catalog(small_dataset_master, tmp_path / "catalogs") as cat:
        code, name, lon, lat = cat.con.execute(
            "SELECT code, name, lon, lat FROM admin_unit WHERE level = 'district' "
            "ORDER BY code LIMIT 1").fetchone()
        by_code = _resolve_focus(cat, code)
        by_name = _resolve_focus(cat, name)
        assert by_code is not None and by_code == by_name
        assert by_code[:2] == pytest.approx((lon, lat), abs=0.05)
        assert _resolve_focus(cat, "106.5,29.5,12") == (106.5, 29.5, 12.0)
        assert _resolve_focus(cat, "200,29.5,12") is None  # not on the earth
        assert _resolve_focus(cat, "a,b,c") is None
        assert _resolve_focus(cat, "不存在的地方") is None


def _gui(*args: str, tmp_path: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "COCKPIT_CACHE_HOME": str(tmp_path / "cache"),
           "COCKPIT_DATA_HOME": str(tmp_path / "home"), "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, "-P", "-m", "cockpit", *args], capture_output=True,
                          text=True, env=env, timeout=300)


def test_a_bad_base_map_or_an_unknown_place_stops_the_start(small_dataset_master: Path,
                                                            tmp_path: Path) -> None:
    png = tmp_path / "x.png"
    notes = tmp_path / "notes.mbtiles"
    notes.write_text("not a database")
    r = _gui("--data", str(small_dataset_master), "--screenshot", str(png), "--tiles",
             str(notes), tmp_path=tmp_path)
    assert r.returncode == 2, r.stderr[-2000:]
    assert f"--tiles {notes}" in r.stderr and "MBTiles" in r.stderr
    r = _gui("--data", str(small_dataset_master), "--screenshot", str(png), "--focus",
             "不存在的地方", tmp_path=tmp_path)
    assert r.returncode == 2 and "--focus 不存在的地方" in r.stderr
    assert not png.exists()


def _children(pid: int) -> dict[int, str]:
    """The processes whose parent is ``pid``: their command lines (from /proc)."""
    out = {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            ppid = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
            if ppid == pid:
                out[int(d.name)] = (d / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, ValueError, IndexError):
            continue
    return out


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_sigterm_closes_the_window_and_stops_the_local_broker(small_dataset_master: Path,
                                                               tmp_path: Path) -> None:
    """``kill`` (SIGTERM) closes the cockpit as its close button does: the live feed's local
    Mosquitto stops with it (it was left running, one more broker per stopped cockpit)."""
    import shutil
    import signal
    import time

    if shutil.which("mosquitto") is None and not Path("/usr/sbin/mosquitto").exists():
        pytest.skip("mosquitto is not installed")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen",
           "COCKPIT_CACHE_HOME": str(tmp_path / "cache"),
           "COCKPIT_DATA_HOME": str(tmp_path / "home"),
           "COCKPIT_CONFIG": str(tmp_path / "none.toml")}
    proc = subprocess.Popen([sys.executable, "-P", "-m", "cockpit", "--data",
                             str(small_dataset_master)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        broker = None
        while broker is None and time.monotonic() < deadline and proc.poll() is None:
            broker = next((p for p, cmd in _children(proc.pid).items() if "mosquitto" in cmd),
                          None)
            time.sleep(0.5)
        assert broker is not None, "the live feed started no local broker"
        time.sleep(2)  # the window is up and the feed running
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err[-2000:]
        assert "SIGTERM" in err
        assert not Path(f"/proc/{broker}").exists() or "zombie" in \
            Path(f"/proc/{broker}/status").read_text().lower()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_the_data_libraries_are_imported_before_qt() -> None:
    """PySide6's import hook reads the source of every module imported after it (its
    ``__feature__`` check): the parser imports no Qt, the GUI start imports the data
    libraries first, so that none of their hundreds of modules is looked at, and the window
    imports no pyqtgraph until a plot is shown."""
    code = """if True:
        import sys
        from cockpit.cli import build_parser
        build_parser()
        assert 'PySide6' not in sys.modules, 'building the parser imported Qt'
        from cockpit.app import DATA_LIBRARIES, import_data_libraries
        import_data_libraries()
        assert 'PySide6' not in sys.modules
        import cockpit.window  # every module of the window, Qt with it
        # its plots are made on demand: pyqtgraph (another fifth of a second) comes with them
        assert 'pyqtgraph' not in sys.modules, 'the window imported pyqtgraph'
        order = list(sys.modules)
        assert all(order.index(n) < order.index('PySide6') for n in DATA_LIBRARIES), order
        feature = sys.modules.get('shibokensupport.feature')
        looked_at = getattr(feature, 'pyside_feature_dict', {})
        assert looked_at, 'PySide6 no longer keeps the modules it looked at: check this test'
        # (the packages themselves are looked at once when a later module imports them)
        print(sum(k.split('.')[0] in DATA_LIBRARIES and '.' in k for k in looked_at))
    """
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.strip() == "0"
