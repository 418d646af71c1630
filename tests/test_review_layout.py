"""Review mode (晾晒) at 1920×1080: each mode keeps its own layout, the breakdown is readable
without dragging, a cell explains its colour, and the panel's wiring runs no SQL."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from cockpit.datasets.catalog import open_catalog
from PySide6.QtCore import Qt

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def window(qtbot, small_dataset_master: Path, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("COCKPIT_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("COCKPIT_DATA_HOME", str(tmp_path / "home"))
    from cockpit.window import MainWindow

    cat = open_catalog(small_dataset_master, tmp_path / "catalogs")
    win = MainWindow(cat)
    qtbot.addWidget(win)
    win.resize(1920, 1080)
    win.show()
    with qtbot.waitSignal(win.review.sig_quarter_shown, timeout=90_000):
        win.start()
    yield win
    win.close()
    cat.close()


def _geometry(win) -> dict[str, tuple]:
    """Where every region is, as a user sees it."""
    regions = {"vitals": win.vitals_view, "map": win.map, "review": win.review,
               "dispatch": win.dispatch_panel, "grid": win.review.grid,
               "ranking": win.review.ranking, "breakdown": win.review.breakdown}
    out = {}
    for name, w in regions.items():
        if w.isVisible():
            top_left = w.mapTo(win, w.rect().topLeft())
            out[name] = (top_left.x(), top_left.y(), w.width(), w.height())
    return out


def _settle(qtbot) -> None:
    qtbot.wait(150)


def test_live_review_live_restores_both_layouts(window, qtbot) -> None:
    win = window
    _settle(qtbot)
    # the user drags the live layout: a wider map
    w = sum(win.top_split.sizes())
    win.top_split.setSizes([int(w * 0.2), int(w * 0.55), w - int(w * 0.75)])
    _settle(qtbot)
    live = _geometry(win)
    qtbot.keyClick(win, Qt.Key.Key_F2)
    assert win.mode == "review" and not win.review.compact
    _settle(qtbot)
    review_default = _geometry(win)
    # review mode: grid, ranking and breakdown all have room
    assert review_default["grid"][2] >= 700
    assert review_default["ranking"][2] >= 650 and review_default["breakdown"][2] >= 650
    # the user drags the review layout too
    ws = win.review._wide.sizes()
    win.review._wide.setSizes([ws[0] - 100, ws[1] + 100])
    _settle(qtbot)
    review = _geometry(win)
    assert review != review_default
    qtbot.keyClick(win, Qt.Key.Key_F1)
    assert win.mode == "live" and win.review.compact
    _settle(qtbot)
    assert _geometry(win) == live
    qtbot.keyClick(win, Qt.Key.Key_F2)
    _settle(qtbot)
    assert _geometry(win) == review


def test_breakdown_shows_eight_kpi_rows_and_explains_the_colour(window, qtbot) -> None:
    win = window
    qtbot.keyClick(win, Qt.Key.Key_F2)
    _settle(qtbot)
    ev = win.review.evaluation
    worst = ev.ranking.dropna(subset=["total"]).iloc[-1]
    board = next(b for b in ev.boards if b != "闭环处置")
    with qtbot.waitSignal(win.review.controller.sig_breakdown_ready, timeout=30_000):
        win.review.grid.select(worst["unit_code"], board)
        win.review.sig_cell_activated.emit(worst["unit_code"], board)
    _settle(qtbot)
    view = win.review.breakdown
    table = view.table
    assert worst["unit_name"] in view.title.text() and board in view.title.text()
    rows_visible = [r for r in range(view.model.rowCount())
                    if 0 <= table.rowViewportPosition(r)
                    and table.rowViewportPosition(r) + table.rowHeight(r)
                    <= table.viewport().height()]
    assert len(rows_visible) >= 8
    # value, target, score, weight and contribution are on screen without scrolling
    heads = [view.model.headerData(c, Qt.Orientation.Horizontal) for c in
             range(view.model.columnCount())]
    for name in ("数值", "目标", "得分", "权重", "贡献"):
        c = heads.index(name)
        x = table.columnViewportPosition(c)
        assert 0 <= x and x + table.columnWidth(c) <= table.viewport().width() + 2, name
    # the KPIs that pulled it down come first
    lost = [view.model.row(r)["points_lost"] for r in range(3)]
    assert lost == sorted(lost, reverse=True) and lost[0] > 0
    # the trend covers up to 8 quarters
    assert 1 <= len(view.trend.periods()) <= 8


def test_review_controller_runs_no_sql() -> None:
    text = (ROOT / "cockpit" / "controllers" / "review.py").read_text(encoding="utf-8")
    assert re.findall(r"\.execute\(|cursor\(\)", text) == []
    widget = (ROOT / "widgets" / "review_panel.py").read_text(encoding="utf-8")
    assert "duckdb" not in widget and "cursor(" not in widget
