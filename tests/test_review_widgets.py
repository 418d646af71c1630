"""The five-colour grid, the breakdown, the ranking views and the review panel, offscreen."""

from __future__ import annotations

import subprocess
import sys

import pytest
from cockpit.widgets import five_colour as F
from cockpit.widgets import ranking as R
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest


@pytest.fixture
def grid(qtbot):
    g = F.FiveColourGrid()
    qtbot.addWidget(g)
    cols, rows, legend = F.sample_grid()
    g.set_grid(cols, rows, legend, "sample")
    g.resize(1200, 800)
    g.show()
    return g


def test_grid_model_passes_the_model_tester(qtmodeltester) -> None:
    m = F.FiveColourModel()
    cols, rows, _legend = F.sample_grid(12)
    m.set_grid(cols, rows)
    qtmodeltester.check(m)


def test_grid_model_keeps_its_columns_and_headers() -> None:
    m = F.FiveColourModel()
    cols, rows, _legend = F.sample_grid(5)
    m.set_grid(cols, rows)
    assert m.columns() == cols
    assert m.columnCount() == 2 + len(cols) and m.rowCount() == len(rows)
    horizontal = Qt.Orientation.Horizontal
    assert [m.headerData(i, horizontal) for i in range(2)] == ["名次", "单位"]
    assert m.headerData(2, horizontal) == cols[0]
    assert cols[0] in m.headerData(2, horizontal, Qt.ItemDataRole.ToolTipRole)
    assert m.data(m.index(0, 1), F.SORT_ROLE) == rows[0]["code"]
    assert m.data(m.index(0, 2 + len(cols)), Qt.ItemDataRole.DisplayRole) is None


def test_rows_model_passes_the_model_tester(qtmodeltester) -> None:
    m = F.DictRowsModel(R.RANKING_COLUMNS)
    m.set_rows(R.sample_rows(12))
    qtmodeltester.check(m)


def test_cells_show_colour_score_and_level_on_hover(grid) -> None:
    m = grid.model
    idx = m.index(0, 2)
    cell = m.data(idx, F.CELL_ROLE)
    assert m.data(idx, Qt.ItemDataRole.DisplayRole) == f"{cell['score']:.1f}"
    assert m.data(idx, Qt.ItemDataRole.BackgroundRole).color().name() == cell["colour"]
    assert cell["label"] in m.data(idx, Qt.ItemDataRole.ToolTipRole)
    # a missing score says so in grey, never 0
    missing = m.data(m.index(5, 5), F.CELL_ROLE)
    assert missing["score"] is None
    assert m.data(m.index(5, 5), Qt.ItemDataRole.DisplayRole) == "无数据"
    assert m.data(m.index(5, 5), Qt.ItemDataRole.BackgroundRole).color().name() == \
        F.NO_DATA_COLOUR
    assert "样本不足" in grid.legend.items() and "无数据" in grid.legend.items()


@pytest.mark.parametrize("order", [Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder])
def test_sorting_keeps_missing_scores_last(grid, order) -> None:
    col = 2 + grid.model.columns().index("闭环处置")  # has 样本不足 cells
    grid.view.sortByColumn(col, order)
    scores = [(grid.cell_at(r, col) or {}).get("score") for r in range(grid.proxy.rowCount())]
    have = [s for s in scores if s is not None]
    assert scores[:len(have)] == have and all(s is None for s in scores[len(have):])
    assert have == sorted(have, reverse=order == Qt.SortOrder.DescendingOrder)


def test_sorting_by_unit_uses_the_code(grid) -> None:
    grid.view.sortByColumn(1, Qt.SortOrder.AscendingOrder)
    codes = [F.model_data(grid.proxy.index(r, 1), F.CODE_ROLE)
             for r in range(grid.proxy.rowCount())]
    assert codes == sorted(codes)


def test_clicking_a_cell_asks_for_its_breakdown(qtbot, grid) -> None:
    grid.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    idx = grid.proxy.index(2, 4)
    rect = grid.view.visualRect(idx)
    with qtbot.waitSignal(grid.sig_cell_activated) as blocker:
        QTest.mouseClick(grid.view.viewport(), Qt.MouseButton.LeftButton,
                         pos=rect.center())
    code = F.model_data(idx, F.CODE_ROLE)
    assert blocker.args == [code, grid.model.columns()[2]]


def test_rank_and_unit_columns_stay_when_scrolling(grid) -> None:
    grid.resize(420, 500)
    grid.view.horizontalScrollBar().setValue(grid.view.horizontalScrollBar().maximum())
    assert grid.view.horizontalScrollBar().maximum() > 0
    assert grid.view.frozen.isVisible()
    assert grid.view.frozen.width() == grid.view.columnWidth(0) + grid.view.columnWidth(1)
    assert not grid.view.frozen.isColumnHidden(1) and grid.view.frozen.isColumnHidden(2)


def test_breakdown_shows_table_and_trend(qtbot) -> None:
    bd = F.KpiBreakdown()
    qtbot.addWidget(bd)
    rows = [{"name": "指标甲", "score": 70.0}, {"name": "指标乙", "score": None}]
    bd.set_breakdown("甲区 · 经济发展 · 2026Q3", "82.5 分", [("name", "指标"),
                                                           ("score", "得分", "{:.1f}")],
                     rows, {"periods": ["2026Q2", "2026Q3"], "score": [None, 82.5],
                            "city_mean": [80.0, 81.0]}, F.sample_palette())
    assert bd.model.rowCount() == 2
    assert bd.model.data(bd.model.index(1, 1), Qt.ItemDataRole.DisplayRole) == "—"
    curves = bd.trend.getPlotItem().listDataItems()
    assert len(curves) == 2  # the unit and the mean of all units
    assert bd.trend.isVisibleTo(bd)


def test_ranking_view(qtbot) -> None:
    v = R.RankingView()
    qtbot.addWidget(v)
    v.set_periods(["2026Q1", "2026Q2", "2026Q3"], "2026Q3", "2026Q2")
    rows = [R.ranking_row("A", "甲区", 1, 3, 91.0, 1.5, "优秀", "#0571b0", "#ffffff", 4),
            R.ranking_row("B", "乙区", 2, -1, 85.0, -0.5, "良好", "#92c5de", "#0b1220", 1),
            R.ranking_row("C", "丙区", 3, 0, 84.0, 0.0, "良好", "#92c5de", "#0b1220", 3),
            R.ranking_row("D", "丁区", 4, None, 70.0, None, "一般", "#ffe08a", "#0b1220")]
    v.set_ranking(rows)
    m = v.ranking_model
    texts = [m.data(m.index(r, 1), Qt.ItemDataRole.DisplayRole) for r in range(4)]
    assert texts == ["↑3", "↓1", "—", "新"]
    assert m.data(m.index(0, 4), Qt.ItemDataRole.DisplayRole) == "+1.5"
    with qtbot.waitSignal(v.sig_period_requested) as blocker:
        v.period.setCurrentIndex(1)
        v.period.activated.emit(1)
    assert blocker.args == ["2026Q2"]
    v.set_comparison([{"code": "A", "name": "甲区", "rank_a": 4, "total_a": 89.5, "rank_b": 1,
                       "total_b": 91.0, "rank_change": 3, "score_change": 1.5}],
                     "2026Q2", "2026Q3")
    assert v.comparison_model.headerData(1, Qt.Orientation.Horizontal) == "2026Q2 名次"
    entries = [(1, "A", "甲区<b>", 91.0, "#0571b0", "#ffffff")]
    v.set_extremes([{"board": "总分", "top": entries, "bottom": entries}])
    text = v.extremes.card_texts()[0]
    assert "甲区&lt;b&gt;" in text and "91.0" in text  # names are escaped
    with qtbot.waitSignal(v.sig_unit_selected) as blocker:
        v.extremes._on_link("unit:A")
    assert blocker.args == ["A"]


@pytest.mark.parametrize("module", ["five_colour", "ranking"])
def test_widget_modules_run_alone(tmp_path, module) -> None:
    out = tmp_path / "w.png"
    r = subprocess.run([sys.executable, "-m", f"cockpit.widgets.{module}", str(out)],
                       capture_output=True, text=True, timeout=120,
                       env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"})
    assert r.returncode == 0, r.stderr
    assert any(p.stat().st_size > 10_000 for p in tmp_path.glob("w*.png"))


# --------------------------------------------------------------------------- the panel


@pytest.fixture(scope="module")
def catalog(small_dataset_master, tmp_path_factory):
    from cockpit.datasets.catalog import open_catalog

    cat = open_catalog(small_dataset_master, tmp_path_factory.mktemp("cache"))
    yield cat
    cat.close()


def test_view_data_matches_the_evaluation(catalog) -> None:
    from cockpit.datasets import evaluation as E

    from cockpit.controllers.review import grid_data, ranking_data

    con = catalog.cursor()
    ev = E.evaluate_quarter(con)
    con.close()
    cols, rows, legend, caption = grid_data(ev, "quintile")
    assert cols[0] == E.TOTAL and cols[1:] == ev.boards
    assert len(rows) == len(ev.ranking)
    first = ev.ranking.iloc[0]
    assert rows[0]["code"] == first["unit_code"]
    assert rows[0]["cells"][0]["score"] == pytest.approx(first["total"])
    assert rows[0]["cells"][0]["colour"] == ev.scheme[0]["colour"]  # rank 1: best band
    cl = rows[0]["cells"][-1]
    assert cl["score"] is None and cl["status"] in ("nodata", "insufficient")
    assert "note" in cl
    assert "第1/5段" in legend[0]["label"]
    rk = ranking_data(ev, "absolute")
    assert [r["code"] for r in rk] == list(ev.ranking["unit_code"])


def test_review_panel(qtbot, catalog, tmp_path) -> None:
    from cockpit.controllers.review import ReviewPanel

    p = ReviewPanel(catalog)
    qtbot.addWidget(p)
    p.resize(1600, 900)
    p.show()
    with qtbot.waitSignal(p.sig_quarter_shown, timeout=30000) as blocker:
        p.refresh()
    latest = blocker.args[0]
    assert p.grid.model.rowCount() == 41
    assert p.ranking.ranking_model.rowCount() == 41
    assert p.ranking.comparison_model.rowCount() == 41
    assert len(p.ranking.extremes.card_texts()) == 1 + len(p.evaluation.boards)

    # quintile mode: the best band holds ranks 1-9 of 41
    p.set_mode("quintile")
    m = p.grid.model
    best = p.evaluation.scheme[0]["colour"]
    total_colours = [m.data(m.index(r, 2), F.CELL_ROLE)["colour"] for r in range(m.rowCount())]
    assert sum(c == best for c in total_colours) >= 9

    # a cell -> its breakdown
    code = m.row(0)["code"]
    with qtbot.waitSignal(p.controller.sig_breakdown_ready, timeout=30000):
        p.grid.sig_cell_activated.emit(code, p.evaluation.boards[0])
    assert p.evaluation.boards[0] in p.breakdown.title.text()
    assert p.breakdown.model.rowCount() > 50

    # another quarter
    prev = p.evaluation.previous
    with qtbot.waitSignal(p.sig_quarter_shown, timeout=30000) as blocker:
        p.set_period(prev)
    assert blocker.args == [prev] and p.period == prev != latest

    # compact for the side region, then back
    p.set_compact(True)
    assert p._tabs.count() == 3 and p._tabs.currentWidget() is p.grid
    p.set_compact(False)
    assert p._wide.indexOf(p.grid) == 0

    with qtbot.waitSignal(p.sig_unit_selected) as blocker:
        p.ranking.sig_unit_selected.emit(code)
    assert blocker.args == [code]

    # export from the panel
    with qtbot.waitSignal(p.sig_exported, timeout=60000) as blocker:
        p.export_xlsx(tmp_path / "r.xlsx")
    assert (tmp_path / "r.xlsx").stat().st_size > 10_000
    with qtbot.waitSignal(p.sig_exported, timeout=60000) as blocker:
        p.export_pdf(tmp_path / "r.pdf")
    assert (tmp_path / "r.pdf").read_bytes()[:5] == b"%PDF-"
