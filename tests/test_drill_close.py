"""A drill as a trainer leaves it: names, not ids, in its after-action outputs; closing the
window asks whether to end it and saves the session either way (or stays open)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from cockpit.datasets.catalog import open_catalog
from cockpit.datasets.review import name_departments, report_department_ids

DEPT_ID = re.compile(r"\bD-[0-9A-Z]+-[0-9A-Z]+\b")


def test_after_action_names_departments(qapp, biogas_drill, small_dataset_master, tmp_path):
    from cockpit.datasets.review import department_labels
    from pypdf import PdfReader

    from cockpit.printing.drill_pdf import drill_report_html, write_drill_pdf

    _sc, rep = biogas_drill
    assert DEPT_ID.search(str(rep["timeline"]))  # the raw report carries ids
    cat = open_catalog(small_dataset_master, tmp_path / "catalogs")
    try:
        labels = department_labels(cat.con, report_department_ids(rep))
    finally:
        cat.close()
    assert labels["D-500105-CGJ"] == "江北区城市管理局"
    named = name_departments(rep, labels)
    assert DEPT_ID.search(str(rep["timeline"]))  # the report given is not changed
    html = drill_report_html(named)
    assert DEPT_ID.findall(html) == [] and "江北区城市管理局" in html
    text = "".join(p.extract_text() for p in PdfReader(
        str(write_drill_pdf(named, tmp_path / "d.pdf"))).pages)
    assert DEPT_ID.findall(text) == [] and "江北区城市管理局" in "".join(text.split())


def test_after_action_view_shows_names(qtbot, biogas_drill, small_dataset_master, tmp_path):
    from cockpit.datasets.review import department_labels
    from cockpit.widgets.after_action import AfterActionDialog

    _sc, rep = biogas_drill
    cat = open_catalog(small_dataset_master, tmp_path / "catalogs")
    try:
        named = name_departments(rep, department_labels(cat.con))
    finally:
        cat.close()
    dlg = AfterActionDialog()
    qtbot.addWidget(dlg)
    dlg.set_report(named)
    t = dlg.view.table
    shown = [t.item(r, c).text() for r in range(t.rowCount()) for c in range(t.columnCount())
             if t.item(r, c) is not None]
    assert DEPT_ID.findall(" ".join(shown)) == []
    assert any("江北区城市管理局" in s for s in shown)


@pytest.fixture
def drill_window(qtbot, small_dataset_master: Path, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("COCKPIT_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("COCKPIT_DATA_HOME", str(tmp_path / "home"))
    from cockpit.window import MainWindow

    monkeypatch.setattr(MainWindow, "drill_close_answer", None)  # ask for real
    cat = open_catalog(small_dataset_master, tmp_path / "catalogs")
    win = MainWindow(cat, mode="drill", scenario="biogas-septic-jiangbei")
    qtbot.addWidget(win)
    win.resize(1600, 900)
    win.show()
    win.start()
    yield win
    win.drill_close_answer = "keep"
    win.close()
    cat.close()


def _answer(qtbot, win, button_text: str) -> None:
    """Click ``button_text`` in the close question once it shows."""
    from PySide6.QtCore import QTimer

    def click() -> None:
        box = getattr(win, "_close_box", None)
        if box is None or not box.isVisible():
            QTimer.singleShot(50, click)
            return
        next(b for b in box.buttons() if b.text() == button_text).click()

    QTimer.singleShot(50, click)


def test_closing_a_drill_asks_and_saves_the_session(drill_window, qtbot):
    from cockpit.datasets.drill_sessions import saved_sessions

    win = drill_window
    _answer(qtbot, win, "取消")
    win.close()
    assert win.isVisible()  # cancelled: the drill goes on
    _answer(qtbot, win, "保留，稍后继续")
    win.close()
    assert not win.isVisible()
    saved = saved_sessions(win.drill.path.parent)
    assert [s.session_id for s in saved] == [win.drill.session_id]
    assert saved[0].scenario_id == "biogas-septic-jiangbei" and not saved[0].ended
    assert Path(saved[0].store).exists()  # the session's orders stay for later


def test_ending_a_drill_writes_its_report(drill_window, qtbot):
    from cockpit.datasets.drill_sessions import saved_sessions

    win = drill_window
    _answer(qtbot, win, "结束演练")
    win.close()
    saved = saved_sessions(win.drill.path.parent)
    assert saved[0].ended and saved[0].report and Path(saved[0].report).exists()
