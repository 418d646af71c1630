"""The vital-sign widgets offscreen: the arc gauge, the trend charts, the panel and its table
model (checked with qtmodeltester)."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta

import numpy as np
import pytest
from cockpit.widgets import theme
from cockpit.widgets.gauge import ArcGauge
from cockpit.widgets.trend import Sparkline, TrendChart, epoch_seconds
from cockpit.widgets.vitals_panel import (
    VitalsFilterProxy,
    VitalsPanel,
    VitalsTableModel,
    bands_text,
    gauge_range,
    sample_data,
)
from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPoint, Qt
from PySide6.QtGui import QColor


@pytest.fixture(autouse=True)
def _themed(qapp):
    theme.apply(qapp)


def _non_background_pixels(widget, bg: str = theme.BG) -> int:
    img = widget.grab().toImage()
    bgc = int(bg[1:], 16)
    n = 0
    for y in range(0, img.height(), 4):
        for x in range(0, img.width(), 4):
            if img.pixel(x, y) & 0xFFFFFF not in (bgc, 0):
                n += 1
    return n


# ------------------------------------------------------------------------------- gauge


def test_gauge_renders_and_repaints_from_its_cache(qtbot) -> None:
    g = ArcGauge("供水管网压力", "MPa", 0, 0.8, decimals=3)
    qtbot.addWidget(g)
    g.set_thresholds(0.20, 0.55, 0.14, 0.65)
    g.set_value(0.412, trend=0.006)
    g.resize(240, 240)
    g.show()
    qtbot.waitExposed(g)
    assert _non_background_pixels(g) > 100
    n = g.render_count
    assert n >= 1
    g.grab()
    g.grab()
    assert g.render_count == n  # unchanged key: blitted from the pixmap
    g.set_value(0.7)
    g.grab()
    assert g.render_count == n + 1
    g.resize(300, 300)
    g.grab()
    assert g.render_count == n + 2
    assert g._cache.devicePixelRatio() == g.devicePixelRatioF()
    assert g._cache.width() >= 300


@pytest.mark.parametrize("value, status", [(0.55, "normal"), (0.5501, "warning"),
                                           (0.65, "warning"), (0.6501, "alarm"),
                                           (0.14, "warning"), (0.1399, "alarm"), (None, "nodata")])
def test_gauge_status_follows_the_thresholds(qtbot, value, status) -> None:
    g = ArcGauge(unit="MPa", minimum=0, maximum=0.8)
    qtbot.addWidget(g)
    g.set_thresholds(0.20, 0.55, 0.14, 0.65)
    g.set_value(value)
    assert g.status() == status
    g.set_status("alarm")  # the engine's word (with hysteresis) wins
    assert g.status() == "alarm"


def test_gauge_bands_target_and_trend_for_a_kpi(qtbot) -> None:
    g = ArcGauge("设施运行", "分", 0, 100)
    qtbot.addWidget(g)
    g.set_bands([(0, 60, "#ff453a"), (60, 80, "#ffd60a"), (80, 100, "#34c759")])
    g.set_target(85)
    g.set_value(87.4, trend=2.1)
    g.set_higher_is_better(True)
    assert g.status() is None and g.trend_text() == "↑ 2.1" and g.value_text() == "87.4"
    g.set_value(87.4, trend=0.0)
    assert g.trend_text() == "→ 持平"
    with pytest.raises(ValueError):
        g.set_range(5, 5)
    clicks = []
    g.sig_clicked.connect(lambda: clicks.append(1))
    g.resize(200, 200)
    g.show()
    qtbot.mouseClick(g, Qt.MouseButton.LeftButton)
    assert clicks == [1]


def test_gauge_runs_alone() -> None:
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "g.png"
        r = subprocess.run([sys.executable, "-m", "cockpit.widgets.gauge", "--screenshot",
                            str(out)], capture_output=True, text=True, timeout=120,
                           env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"})
        assert r.returncode == 0, r.stderr
        assert out.stat().st_size > 10_000


# ------------------------------------------------------------------------------- trend


def test_sparkline_hides_series_that_are_all_zero(qtbot) -> None:
    s = Sparkline()
    qtbot.addWidget(s)
    s.resize(120, 34)
    s.show()
    blank = s.grab().toImage()
    s.set_series([0, 1, 2, 3], [([0, 2, 1, 0], "warning"), ([0, 0, 0, 0], "alarm")])
    assert s.points == 4
    drawn = s.drawn_series()
    assert np.all(np.isnan(drawn[1][0])) and drawn[0][0].tolist() == [0, 2, 1, 0]
    img = s.grab().toImage()
    assert img != blank
    colours = {img.pixelColor(x, y).name() for x in range(120) for y in range(34)}
    assert QColor(theme.STATUS["warning"]).name() in colours  # the warning line
    assert QColor(theme.STATUS["alarm"]).name() not in colours  # the all-zero alarm: none
    s.set_series([0, 1, 2], [([1, 1, 1], "warning")])  # fewer series: the rest emptied
    assert s.shown == 1 and len(s.drawn_series()) == 1


def test_trend_chart_draws_bands_thresholds_and_crossings(qtbot) -> None:
    c = TrendChart()
    qtbot.addWidget(c)
    t0 = epoch_seconds(datetime(2026, 11, 24))
    t = t0 + np.arange(100) * 300.0
    v = 0.4 + 0.3 * np.exp(-0.5 * ((np.arange(100) - 60) / 8) ** 2)
    c.set_trend({"t": t, "v": v, "unit": "MPa", "now": t[-1],
                 "thresholds": {"warn_low": 0.2, "warn_high": 0.55, "alarm_low": None,
                                "alarm_high": 0.65},
                 "crossings": [(t[50], "warning", v[50]), (t[56], "alarm", v[56]),
                               (t[64], "warning", v[64]), (t[70], "normal", v[70])]})
    c.resize(600, 360)
    c.show()
    qtbot.waitExposed(c)
    assert c.marker_count == 4
    assert "进入报警 1" in c.legend.text() and "进入预警 2" in c.legend.text()
    ticks = c.plot.getAxis("bottom").tickStrings([t0 + 3600 * 15], 1, 3600)
    assert ticks == ["15:00"]
    assert c.plot.getAxis("bottom").tickStrings([t0], 1, 86400) == ["11-24"]
    # an empty series draws without error
    c.set_trend({"t": [], "v": [], "thresholds": {}, "crossings": []})


# ------------------------------------------------------------------------------- panel


@pytest.fixture
def panel(qtbot) -> VitalsPanel:
    p = VitalsPanel()
    qtbot.addWidget(p)
    p.set_status(sample_data())
    p.resize(480, 700)
    p.show()
    qtbot.waitExposed(p)
    return p


def test_panel_has_one_tile_per_domain_with_shapes_and_words(panel) -> None:
    data = sample_data()
    assert panel.domains() == list(data["domains"])
    for d, tile in panel.tiles.items():
        c = data["domains"][d]["counts"]
        lines = tile.text_lines()
        assert lines[0].startswith(d)
        assert f"▲报警 {c['alarm']}" in lines[1] and f"◆预警 {c['warning']}" in lines[1]
        assert f"●正常 {c['normal']}" in lines[1]
        state = "alarm" if c["alarm"] else "warning" if c["warning"] else "normal"
        assert tile.state() == state
    assert _non_background_pixels(panel, "#111a2e") > 500


def test_clicking_a_tile_lists_the_domain_then_a_row_asks_for_its_trend(panel, qtbot) -> None:
    tile = panel.tiles["电"]
    qtbot.mouseClick(tile, Qt.MouseButton.LeftButton, pos=QPoint(30, 20))
    assert panel.page() == "table"
    proxy = panel.table.proxy
    assert proxy.rowCount() == 60
    assert {proxy.index(r, 0).data(VitalsTableModel.DomainRole)
            for r in range(proxy.rowCount())} == {"电"}
    view = panel.table.view
    view.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    first = proxy.index(0, 0).data(VitalsTableModel.StatusRole)
    assert first == ("alarm" if panel.tiles["电"]._counts["alarm"] else "warning")
    wanted = proxy.index(0, 0).data(VitalsTableModel.IdRole)
    with qtbot.waitSignal(panel.sig_indicator_requested) as blocker:
        rect = view.visualRect(proxy.index(0, 1))
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert blocker.args == [wanted]
    panel.back.click()
    assert panel.page() == "overview"


def test_tiles_take_the_focus_show_it_and_open_by_keyboard(panel, qtbot) -> None:
    """Tab reaches the tiles; the focused tile draws a frame in the focus colour (a grab with
    the focus differs from one without); the arrow keys move between tiles in the grid;
    Enter and Space open a tile as a click does."""
    from PySide6.QtGui import QImage

    panel.activateWindow()
    qtbot.waitUntil(panel.isActiveWindow)
    doms = panel.domains()
    first, second = panel.tiles[doms[0]], panel.tiles[doms[1]]
    assert first.focusPolicy() & Qt.FocusPolicy.TabFocus
    first.setFocus()
    qtbot.waitUntil(first.hasFocus)
    first.repaint()
    focused = first.grab().toImage()
    qtbot.keyClick(first, Qt.Key.Key_Tab)  # Tab: on to the next tile
    qtbot.waitUntil(second.hasFocus)
    first.repaint()
    plain = first.grab().toImage()
    first.setFocus()
    qtbot.waitUntil(first.hasFocus)
    assert plain != focused
    img = focused.convertToFormat(QImage.Format.Format_RGB32)
    edge = {img.pixelColor(x, 1).name() for x in range(10, img.width() - 10)}
    assert theme.FOCUS.lower() in edge
    assert theme.FOCUS.lower() not in {plain.convertToFormat(QImage.Format.Format_RGB32)
                                       .pixelColor(x, 1).name()
                                       for x in range(10, plain.width() - 10)}
    # arrows: right to the next tile, down one row, left, up back to the first
    cols = panel._columns
    qtbot.keyClick(first, Qt.Key.Key_Right)
    qtbot.waitUntil(second.hasFocus)
    qtbot.keyClick(second, Qt.Key.Key_Down)
    below = panel.tiles[doms[1 + cols]]
    qtbot.waitUntil(below.hasFocus)
    qtbot.keyClick(below, Qt.Key.Key_Left)
    qtbot.waitUntil(panel.tiles[doms[cols]].hasFocus)
    qtbot.keyClick(panel.tiles[doms[cols]], Qt.Key.Key_Up)
    qtbot.waitUntil(first.hasFocus)
    qtbot.keyClick(first, Qt.Key.Key_Left)  # the edge: the focus stays
    assert first.hasFocus()
    with qtbot.waitSignal(first.sig_clicked, timeout=1000) as blocker:
        qtbot.keyClick(first, Qt.Key.Key_Space)
    assert blocker.args == [doms[0]] and panel.page() == "table"
    panel.back.click()
    assert panel.page() == "overview"
    with qtbot.waitSignal(second.sig_clicked, timeout=1000):
        qtbot.keyClick(second, Qt.Key.Key_Return)
    assert panel.page() == "table"


def test_table_filters_by_district_status_and_text(panel) -> None:
    t = panel.table
    panel.show_domain(None, "alarm,warning")
    n_bad = sum(c["counts"]["alarm"] + c["counts"]["warning"]
                for c in sample_data()["domains"].values())
    assert t.proxy.rowCount() == n_bad
    t.set_filter(None, None, district="渝中区")
    assert t.proxy.rowCount() == 8 * 10
    assert {t.proxy.index(r, 2).data() for r in range(t.proxy.rowCount())} == {"渝中区"}
    t.set_filter("水", "normal", district="渝中区", text="指标0")
    rows = [t.proxy.index(r, 1).data() for r in range(t.proxy.rowCount())]
    assert rows and all("指标0" in r and r.startswith("渝中区") for r in rows)
    assert "显示" in t.count_label.text()


def test_status_summary_click_opens_the_table_on_that_status(panel, qtbot) -> None:
    s = panel.summary
    w = s.width() / 4
    qtbot.mouseClick(s, Qt.MouseButton.LeftButton, pos=QPoint(int(w * 1.5), 30))
    assert panel.page() == "table"
    assert panel.table.model.filter()["statuses"] == {"alarm"}


def test_show_trend_opens_the_indicator(panel) -> None:
    t = np.arange(50) * 300.0
    panel.show_trend({"indicator_id": "VS-1", "name": "渝中区供水管网压力", "unit": "MPa",
                      "district": "渝中区", "domain": "水", "status": "warning", "value": 0.58,
                      "trend": 0.01, "t": t, "v": np.full(50, 0.58), "now": t[-1],
                      "ts": datetime(2026, 11, 24, 15),
                      "thresholds": {"warn_low": 0.2, "warn_high": 0.55, "alarm_low": 0.14,
                                     "alarm_high": 0.65},
                      "crossings": [(t[10], "warning", 0.58)], "excursions": []})
    assert panel.page() == "detail"
    g = panel.detail.gauge
    assert g.status() == "warning" and g.value_text() == "0.580"
    assert "预 0.2~0.55" in panel.detail.facts.text()


def test_panel_renders_at_both_sizes(qtbot) -> None:
    for w, h in ((480, 700), (960, 1400)):
        p = VitalsPanel()
        qtbot.addWidget(p)
        p.resize(w, h)
        p.set_status(sample_data())
        p.show()
        qtbot.waitExposed(p)
        img = p.grab()
        assert (img.width(), img.height()) == (w, h)
        assert p.worst.isVisible() == (h >= 820)
        p.close()


def test_helpers() -> None:
    assert bands_text({"warn_high": 0.8, "alarm_high": 1.0}) == "预 >0.8 · 报 >1"
    assert bands_text({"warn_low": 99.0, "alarm_low": 98.0}) == "预 <99 · 报 <98"
    assert bands_text({}) == "—"
    lo, hi = gauge_range({"warn_high": 1.6, "alarm_high": 2.0}, [0.45, 2.12], 2.06)
    assert lo == 0.0 and 2.12 < hi <= 2.5


# ---------------------------------------------------------------------- table model


def _columns(n: int = 30) -> dict[str, list]:
    cols = sample_data(n_per_domain=max(1, n // 8))["table"]
    return cols


def test_table_model_passes_qtmodeltester(qtmodeltester) -> None:
    model = VitalsTableModel()
    model.set_columns(_columns())
    qtmodeltester.check(model)
    proxy = VitalsFilterProxy()
    proxy.setSourceModel(model)
    proxy.set_filter(domain="水")
    qtmodeltester.check(proxy)


def test_table_model_sorts_with_numpy_and_keeps_persistent_indexes(qtmodeltester) -> None:
    model = VitalsTableModel()
    cols = _columns(80)
    model.set_columns(cols)
    qtmodeltester.check(model)
    model.sort(3, Qt.SortOrder.DescendingOrder)  # by value
    vals = [model.row_dict(r)["value"] for r in range(model.rowCount())]
    assert vals == sorted(vals, reverse=True)
    keep = QPersistentModelIndex(model.index(0, 1))
    ident = keep.data(VitalsTableModel.IdRole)
    # new values: the largest becomes the smallest, the row moves, the index follows it
    i = cols["indicator_id"].index(ident)
    cols2 = {k: list(v) for k, v in cols.items()}
    cols2["value"][i] = -1.0
    assert model.set_columns(cols2)
    assert keep.isValid() and keep.row() == model.rowCount() - 1
    assert keep.data(VitalsTableModel.IdRole) == ident
    model.sort(1, Qt.SortOrder.AscendingOrder)  # by name
    names = [model.row_dict(r)["name"] for r in range(model.rowCount())]
    assert names == sorted(names)
    model.sort(1, Qt.SortOrder.DescendingOrder)
    names = [model.row_dict(r)["name"] for r in range(model.rowCount())]
    assert names == sorted(names, reverse=True)
    # the same values again: nothing moves, nothing to re-filter
    assert not model.set_columns(cols2)
    # other rows: a reset
    model.set_columns(_columns(16))
    assert model.rowCount() == 16
    assert model.data(QModelIndex()) is None


def test_table_update_on_4476_rows_is_fast(qtbot) -> None:
    import time

    cols = sample_data(n_per_domain=560)["table"]
    t = VitalsPanel()
    qtbot.addWidget(t)
    t.resize(480, 700)
    t.show()
    t.set_status({"as_of": datetime(2026, 11, 24), "counts": {}, "domains": {}, "worst": [],
                  "table": cols})
    t.show_domain(None)
    t.table.view.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    cols2 = {k: list(v) for k, v in cols.items()}
    rng = np.random.default_rng(0)
    cols2["value"] = [float(v) for v in rng.random(len(cols2["value"]))]
    t0 = time.perf_counter()
    t.table.set_columns(cols2, [])
    t.repaint()
    assert time.perf_counter() - t0 < 0.5  # generous for a shared CI machine
    assert t.table.proxy.rowCount() == len(cols2["value"])
    _ = timedelta
