"""A district centre's own dataset with hostile names (issue 14, items 4–6, 9, 10).

The main window at 1920×1080 on the 渝北 district dataset whose names hold markup, a
RIGHT-TO-LEFT OVERRIDE and a 3,000-character word: no widget renders a name as rich text, no
text on screen keeps a bidi control, and no name, wherever it shows, takes the map's width.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
from cockpit.datasets.catalog import open_catalog
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import Qt as QtGui_Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QWidget

_spec = importlib.util.spec_from_file_location("hostile", Path(__file__).with_name("hostile.py"))
hostile = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(hostile)
LONG, RLO = hostile.LONG, hostile.RLO

#: The hostile names' markup: never in a rich text unescaped (our own markup may be).
TAGS = ("<img src=x>", "<i>斜</i>", "<b>渝北</b>", "<script>x", "<u>燃气</u>")


@pytest.fixture(scope="module")
def hostile_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return hostile.make_hostile_district(tmp_path_factory.mktemp("hostile") / "data")


@pytest.fixture
def window(qtbot, hostile_dataset: Path, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("COCKPIT_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("COCKPIT_DATA_HOME", str(tmp_path / "home"))
    from cockpit.window import MainWindow

    cat = open_catalog(hostile_dataset, tmp_path / "catalogs")
    win = MainWindow(cat)
    qtbot.addWidget(win)
    win.resize(1920, 1080)
    win.show()
    with qtbot.waitSignal(win.sig_all_drawn, timeout=90_000):
        win.start()
    yield win
    win.close()
    cat.close()


def _text(label: QLabel) -> str:
    """The whole text of a label (an eliding label shows less of it)."""
    full = getattr(label, "full_text", None)
    return full() if full is not None else label.text()


def _is_rich(label: QLabel) -> bool:
    fmt = label.textFormat()
    return fmt == Qt.TextFormat.RichText or (
        fmt == Qt.TextFormat.AutoText and QtGui_Qt.mightBeRichText(label.text()))


def _model_texts(view: QAbstractItemView, limit: int = 400):
    """(where, display text, tooltip) of the items of a view, children included."""
    model = view.model()
    if model is None:
        return
    todo = [QModelIndex()]
    seen = 0
    while todo and seen < limit:
        parent = todo.pop()
        for r in range(min(model.rowCount(parent), limit)):
            c = -1
            while model.index(r, c + 1, parent).isValid():
                c += 1
                ix = model.index(r, c, parent)
                seen += 1
                shown = model.data(ix, Qt.ItemDataRole.DisplayRole)
                tip = model.data(ix, Qt.ItemDataRole.ToolTipRole)
                yield (f"{type(view).__name__} {r},{c}", "" if shown is None else str(shown),
                       "" if tip is None else str(tip))
                if c == 0 and model.rowCount(ix) > 0:
                    todo.append(ix)


def sweep(root: QWidget, skip: tuple[QWidget, ...] = ()) -> list[str]:
    """Every way a hostile name is still dangerous on screen under ``root``."""
    bad: list[str] = []

    def skipped(w: QWidget) -> bool:
        return any(w is s or s.isAncestorOf(w) for s in skip)

    for w in [root, *root.findChildren(QWidget)]:
        if skipped(w):
            continue
        name = f"{type(w).__name__}({w.objectName()})"
        tip = w.toolTip()
        if RLO in tip or any(t in tip for t in TAGS):
            bad.append(f"{name} tooltip {tip[:80]!r}")
        if isinstance(w, QLabel):
            text = w.text()
            if RLO in text:
                bad.append(f"{name} shows a bidi override: {text[:80]!r}")
            if _is_rich(w) and any(t in text for t in TAGS):
                bad.append(f"{name} renders markup: {text[:80]!r}")
            if LONG[:200] in text:
                bad.append(f"{name} shows the whole 3,000-character name")
        if isinstance(w, QAbstractItemView) and not isinstance(w, QHeaderView):
            for where, shown, itip in _model_texts(w):
                if RLO in shown:
                    bad.append(f"{name} {where} shows a bidi override: {shown[:60]!r}")
                if RLO in itip or any(t in itip for t in TAGS):
                    bad.append(f"{name} {where} tooltip {itip[:60]!r}")
    if RLO in root.windowTitle():
        bad.append("window title")
    return bad


def _search(qtbot, win, text: str) -> None:
    """Type into the map's search box and click the first risk point found, as a user
    would."""
    win.map_side.show()
    box = win.map_side.search
    box.edit.clear()
    with qtbot.waitSignal(box.sig_search_requested, timeout=5_000):
        qtbot.keyClicks(box.edit, text)

    def risk_points() -> list:
        return [box.results.item(i) for i in range(box.results.count())
                if box.results.item(i).data(Qt.ItemDataRole.UserRole)["kind"] == "risk_point"
                and text in box.results.item(i).data(Qt.ItemDataRole.UserRole)["name"]]

    qtbot.waitUntil(lambda: bool(risk_points()), timeout=10_000)
    before = _text(win.map_side.detail.title)
    item = risk_points()[0]
    box.results.scrollToItem(item)
    qtbot.mouseClick(box.results.viewport(), Qt.MouseButton.LeftButton,
                     pos=box.results.visualItemRect(item).center())
    qtbot.waitUntil(lambda: _text(win.map_side.detail.title) != before, timeout=10_000)


def test_hostile_names_are_plain_text_everywhere(window, qtbot) -> None:
    win = window
    con = win.catalog.con
    # the header and the status line: no markup, no reordering
    assert not _is_rich(win.header.title) and "<b>" in _text(win.header.title)
    status = _text(win.status)
    ranked = con.execute("SELECT count(*) FROM admin_unit WHERE ranked").fetchone()[0]
    assert f" {ranked} " in status and "<script>" in status  # shown as text, in order
    assert RLO not in status and re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d", status)
    # a risk point of every hostile kind in the detail panel, through the search box
    _search(qtbot, win, "WWWWWWWW")
    assert LONG[:20] in _text(win.map_side.detail.title)
    assert sweep(win, skip=(win.dispatch_panel,)) == []
    _search(qtbot, win, "<img")
    title = win.map_side.detail.title
    assert "<img src=x>" in _text(title) and not _is_rich(title)
    # an event with a hostile title, clicked on the map
    eid = con.execute("SELECT max(event_id) FROM event").fetchone()[0]
    win.map.sig_feature_clicked.emit({"layer": "events", "id": int(eid)})
    qtbot.waitUntil(lambda: _text(win.map_side.detail.title).startswith(
        win.map_side.detail.tr("事件")) or "事件" in _text(win.map_side.detail.title),
        timeout=10_000)
    # the five-colour grid, the rankings and every other region hold the street names
    # (the dispatch panel is swept by its owner, the shift work)
    assert sweep(win, skip=(win.dispatch_panel,)) == []
    # the vital signs' table (indicator names) and a board's KPI table (KPI names)
    win.vitals_view.show_domain(None)
    qtbot.wait(300)
    assert sweep(win, skip=(win.dispatch_panel,)) == []
    board = next(iter(win.board_gauges))
    win.open_board(board)
    qtbot.waitUntil(lambda: win.board_dialog is not None and win.board_dialog.isVisible(),
                    timeout=30_000)
    win.board_dialog.view.search.setText("<img")  # the hostile KPI, wherever its board is
    assert sweep(win.board_dialog) == []
    win.board_dialog.close()
    win.set_mode("review")
    qtbot.wait(200)
    assert sweep(win, skip=(win.dispatch_panel,)) == []


def test_a_long_name_never_hides_the_map(window, qtbot) -> None:
    win = window
    full = win.map.width()
    win.map_side.show()
    qtbot.wait(100)
    with_panel = win.map.width()
    for text in ("WWWWWWWW", "<img"):  # the long name in the title, the form and the list
        _search(qtbot, win, text)
        qtbot.wait(100)
        assert win.map.width() >= with_panel - 2, text
    # events with the long title in the detail's list, the long category in the layer tree
    pid = win.catalog.con.execute("SELECT point_id FROM risk_point WHERE name = ?",
                                  [LONG]).fetchone()[0]
    win.map.sig_feature_clicked.emit({"layer": "risk_points", "id": int(pid)})
    win.map_side.tree.expandAll()
    qtbot.wait(300)
    assert win.map.width() >= with_panel - 2
    assert win.map.width() >= full // 2 and win.map_side.width() <= 420
    # the title and the status line elide the long names, their tooltips hold them whole
    assert win.header.title.width() < 1000 and win.status.width() <= win.width()
    assert win.width() <= 1920


def test_words_follow_the_datasets_levels(window, qtbot) -> None:
    """A district centre ranks streets (镇街) under one district (区): no city-centre words
    (issue 14, item 9)."""
    win = window
    box = win.map_side.choropleth
    assert [box.itemText(i)[:4] for i in range(box.count())] == ["镇街着色"] * 2
    qtbot.waitUntil(lambda: "全区平均" in win.kpi_panel.title.text(), timeout=30_000)
    assert "全市" not in win.kpi_panel.title.text()
    assert "（镇街）" in _text(win.status)


def test_drill_titles_and_inject_labels_are_plain_text(qtbot, biogas_drill) -> None:
    """A dataset can carry its own drill scenarios: their titles, places and inject labels
    are data too (the after-action view, the replay bar's inject markers)."""
    from datetime import datetime, timedelta

    from cockpit.widgets.after_action import AfterActionView
    from cockpit.widgets.replay_bar import ReplayBar

    _sc, report = biogas_drill
    report = {**report, "scenario": {**report["scenario"], "title": hostile.MIXED,
                                     "place": hostile.TOP_NAME}}
    view = AfterActionView()
    qtbot.addWidget(view)
    view.set_report(report)
    assert sweep(view) == []
    assert "<i>斜</i>08:55" in view.title.text()  # shown as written, in order
    bar = ReplayBar()
    qtbot.addWidget(bar)
    start = datetime(2026, 11, 20, 8)
    bar.set_window(start, start + timedelta(hours=2))
    bar.set_injects([(start + timedelta(minutes=10), hostile.IMG),
                     (start + timedelta(minutes=20), hostile.MIXED)])
    tips = [line.toolTip() for line in bar.inject_lines]
    assert len(tips) == 2 and not [t for t in tips if RLO in t or "<img" in t]
