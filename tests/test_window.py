"""The window on the small demo dataset: every region draws real numbers, the map stays local."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from cockpit.datasets.catalog import open_catalog


@pytest.fixture
def window(qtbot, small_dataset_master: Path, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("COCKPIT_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("COCKPIT_DATA_HOME", str(tmp_path / "home"))  # its own dispatch store
    from cockpit.window import MainWindow

    cat = open_catalog(small_dataset_master, tmp_path / "catalogs")
    win = MainWindow(cat)
    qtbot.addWidget(win)
    win.resize(1600, 900)
    win.show()
    with qtbot.waitSignal(win.sig_all_drawn, timeout=90_000):
        win.start()
    yield win
    win.close()
    assert win.map.web_page is None  # closing disposed of the page before its profile
    cat.close()


def test_regions_show_the_catalogs_numbers(window, qtbot) -> None:
    con = window.catalog.con
    total = con.execute("SELECT count(*) FROM risk_point").fetchone()[0]
    assert window.tile_risk.value.text() == f"{total:,}"
    n_vital = con.execute("SELECT count(*) FROM vital_sign").fetchone()[0]
    assert sum(window.vitals_info["counts"].values()) == n_vital
    ranked = con.execute("SELECT count(DISTINCT unit_code) FROM kpi_value").fetchone()[0]
    assert len(window.review.evaluation.ranking) == ranked
    assert window.dispatch_panel.events_model.rowCount() > 0
    level_total = sum(v for _label, v, _c, _t in window.level_bars.rows())
    assert level_total == total
    # the board gauges follow the first quarter shown, off the first frame's path
    qtbot.waitUntil(lambda: all(g._value is not None for g in window.board_gauges.values()),
                    timeout=30_000)


def test_map_draws_offline_without_errors(window) -> None:
    assert {"districts", "risk_points"} <= window.map.drawn_layers
    assert window.map.console_errors() == []
    assert window.map.blocked_requests() == []


def test_demo_badge_and_mode_switch(window, qtbot) -> None:
    assert window.header.demo_badge.isVisible()
    window.header.mode_buttons["review"].click()
    assert window.mode == "review"
    assert window.header.mode_buttons["review"].isChecked()
    sizes = window.top_split.sizes()
    assert sizes[2] > sizes[1] and window.left_split.isHidden()  # the grid gets the room
    assert not window.review.compact
    window.set_mode("live")
    assert window.review.compact and not window.left_split.isHidden()
    with pytest.raises(ValueError):
        window.set_mode("party")


def test_board_gauge_opens_its_kpis(window, qtbot) -> None:
    board = next(iter(window.board_gauges))
    window.open_board(board)
    qtbot.waitUntil(lambda: window.board_dialog is not None
                    and window.board_dialog.isVisible(), timeout=30_000)
    view = window.board_dialog.view
    n = window.catalog.con.execute("SELECT count(*) FROM kpi WHERE board = ?",
                                   [board]).fetchone()[0]
    assert view.model.rowCount() == n > 0
    runway = view.runways.item(1).data(0x0100)  # the first runway
    view.runways.setCurrentRow(1)
    per_runway = window.catalog.con.execute(
        "SELECT count(*) FROM kpi WHERE board = ? AND runway = ?", [board, runway]).fetchone()[0]
    assert view.visible_rows() == per_runway
    name = window.catalog.con.execute("SELECT name FROM kpi WHERE board = ? AND runway = ? "
                                      "LIMIT 1", [board, runway]).fetchone()[0]
    view.search.setText(name)
    assert 1 <= view.visible_rows() <= per_runway


def test_drill_mode_never_touches_the_live_store(qtbot, small_dataset_master: Path,
                                                 tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("COCKPIT_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("COCKPIT_DATA_HOME", str(tmp_path / "home"))
    from cockpit.controllers.store import default_store_path
    from cockpit.window import MainWindow

    cat = open_catalog(small_dataset_master, tmp_path / "catalogs")
    win = MainWindow(cat, mode="drill", scenario="forest-fire-zhongliangshan")
    qtbot.addWidget(win)
    win.resize(1600, 900)
    win.show()
    with qtbot.waitSignal(win.sig_all_drawn, timeout=90_000):
        win.start()
    assert win.drill is not None and win.store is win.drill.store
    live = default_store_path(cat.data_dir)
    assert not live.exists()  # the live store was never opened
    assert win.watermark.isVisible() and win.replay_bar.isVisible()
    # a drill says so on its bar and clock, not 复盘
    assert win.replay_bar.caption.text().startswith("演练")
    assert win.clock.caption().startswith("演练时间")
    start = win.clock.now()
    win.clock.seek(start.replace(minute=(start.minute + 10) % 60))
    win.set_mode("live")  # refused: a drill stays a drill
    assert win.mode == "drill"
    pdf = win.finish_drill()
    assert pdf is not None and pdf.exists() and pdf.stat().st_size > 1000
    # Ctrl+E also shows the report in the app
    assert win.after_action is not None and win.after_action.isVisible()
    assert win.after_action.view.row_count() >= 1
    win.close()
    cat.close()
    assert not live.exists() and not (tmp_path / "home" / "stores").exists()


def test_drill_button_picks_a_scenario_or_a_past_window_and_starts_its_own_cockpit(
        window, qtbot, monkeypatch) -> None:
    """演练 in the live window opens the picker; the choice starts a separate drill cockpit
    (own clock, own store) and the live window stays live."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QDialog

    started: list[tuple[str, list[str]]] = []
    monkeypatch.setattr(type(window), "launch_session",
                        staticmethod(lambda prog, args: started.append((prog, args)) or True))

    def answer(scenario: str | None, accept: bool = True):
        def go() -> None:
            picker = window._picker
            assert picker.list.count() == 4  # the shipped scenarios
            if scenario:
                picker.select_scenario(scenario)
                assert "14" in picker.detail.text()  # the plan's steps are shown
            else:
                last = picker.last
                picker.set_replay(last - timedelta(hours=6), last - timedelta(hours=2))
            (picker.accept if accept else picker.reject)()
        QTimer.singleShot(200, go)

    answer("water-main-burst-yuzhong")
    window.header.mode_buttons["drill"].click()
    assert window.mode == "live" and window.header.mode_buttons["live"].isChecked()
    prog, args = started[-1]
    assert args[args.index("--mode") + 1] == "drill"
    assert args[args.index("--scenario") + 1] == "water-main-burst-yuzhong"
    assert args[args.index("--data") + 1] == str(window.catalog.data_dir)
    # a window of the past
    answer(None)
    args = window.pick_drill()
    frm, to = args[args.index("--replay") + 1].split("..")
    assert frm < to
    # cancelled: nothing starts
    answer(None, accept=False)
    n = len(started)
    assert window.pick_drill() is None and len(started) == n
    assert isinstance(window._picker, QDialog)
