"""The KPI drill-down table: a sound model, sorting by number, search and runway filter."""

from __future__ import annotations

from cockpit.widgets.kpi_board import KpiBoardView
from PySide6.QtCore import Qt

ROWS = [
    {"kpi_id": "K1", "name": "供水管网漏损率", "runway": "供水保障", "unit": "%",
     "direction": "lower", "weight": 2, "target": 9, "value": 10.5, "score": 66.7,
     "change": -0.4, "score_change": 3.1},
    {"kpi_id": "K2", "name": "燃气巡检完成率", "runway": "燃气安全", "unit": "%",
     "direction": "higher", "weight": 1, "target": 95, "value": 97.0, "score": 84.2,
     "change": 1.0, "score_change": 2.0},
    {"kpi_id": "K3", "name": '=HYPERLINK("x")', "runway": "燃气安全", "unit": None,
     "direction": "higher", "weight": 1, "target": 1, "value": None, "score": None,
     "change": None, "score_change": None},
]


def test_model_filters_and_sorts(qtbot, qtmodeltester) -> None:
    view = KpiBoardView()
    qtbot.addWidget(view)
    view.set_board("设施运行", "2026Q3", ROWS)
    qtmodeltester.check(view.model)
    assert view.visible_rows() == 3
    # runway scores are weight-averaged over KPIs with a value
    texts = [view.runways.item(i).text() for i in range(view.runways.count())]
    assert "燃气安全  84.2" in texts and "供水保障  66.7" in texts
    view.runways.setCurrentRow(texts.index("燃气安全  84.2"))
    assert view.visible_rows() == 2
    view.search.setText("巡检")
    assert view.visible_rows() == 1
    view.search.clear()
    view.runways.setCurrentRow(0)
    view.table.sortByColumn(6, Qt.SortOrder.DescendingOrder)  # score: missing last
    first = view.proxy.index(0, 0).data()
    last = view.proxy.index(2, 6).data()
    assert first == "燃气巡检完成率" and last == "无数据"
