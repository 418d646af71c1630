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
    from PySide6.QtCore import QThreadPool

    win.drill_close_answer = "keep"
    win.close()
    QThreadPool.globalInstance().waitForDone(60_000)  # jobs still reading the catalog
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


def test_a_kept_drill_resumes_from_the_picker(qtbot, small_dataset_master: Path,
                                              tmp_path: Path, monkeypatch) -> None:
    """Start the biogas drill, dispatch its alarm, keep it when closing; the live window's
    picker offers it under 继续演练, and the drill it starts has the same orders, the same
    clock and score, and its clock goes on — in its own store, the live one untouched."""
    from datetime import timedelta

    from PySide6.QtCore import Qt, QThreadPool, QTimer

    from cockpit.controllers.store import default_store_path, drills_dir
    from cockpit.window import MainWindow

    monkeypatch.setenv("COCKPIT_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("COCKPIT_DATA_HOME", str(tmp_path / "home"))
    cat = open_catalog(small_dataset_master, tmp_path / "catalogs")

    def drill_window(**kw) -> MainWindow:
        win = MainWindow(cat, mode="drill", **kw)
        qtbot.addWidget(win)
        win.resize(1600, 900)
        win.show()
        win.start()
        return win

    try:
        # start, act: the trainee dispatches the alarm a minute after it came
        win = drill_window(scenario="biogas-septic-jiangbei")
        inj = next(i for i in win.scenario.injects if i.scored)
        eid = str(inj.event_id)
        win.clock.seek(win.drill.inject_time(inj) + timedelta(minutes=1))
        qtbot.waitUntil(lambda: eid in win.dispatch_ctl.feed_events, timeout=60_000)
        win.dispatch_ctl.request_dispatch({"event_id": eid})
        qtbot.waitUntil(lambda: win.dispatch_ctl.preview is not None
                        and win.dispatch_ctl.preview.isVisible(), timeout=60_000)
        with qtbot.waitSignal(win.dispatch_ctl.sig_dispatched, timeout=30_000):
            qtbot.keyClick(win.dispatch_ctl.preview, Qt.Key.Key_Return)
        win.clock.step(timedelta(minutes=4))
        at, sid = win.clock.now(), win.drill.session_id
        score = win.drill.score(at)
        orders = sorted(win.drill.store.orders(as_of=at - win.drill.utc_offset)["dept_id"])
        assert orders and score["totals"]["dispatched"] == 1
        win.close()  # kept (the tests' answer): <session>.json is saved
        QThreadPool.globalInstance().waitForDone(60_000)
        assert (drills_dir() / f"{sid}.json").exists()

        # the live window's picker offers the kept drill; its choice starts the resume
        live = MainWindow(cat)
        qtbot.addWidget(live)
        started: list[list[str]] = []
        monkeypatch.setattr(MainWindow, "launch_session",
                            staticmethod(lambda prog, args: started.append(args) or True))

        def answer() -> None:
            picker = live._picker
            assert picker.tabs.isTabVisible(picker.resume_tab)
            assert picker.saved_list.count() == 1
            assert win.scenario.title in picker.saved_list.item(0).text()
            assert f"{at:%Y-%m-%d %H:%M}" in picker.saved_list.item(0).text()
            picker.select_saved(sid)
            picker.accept()

        QTimer.singleShot(200, answer)
        args = live.pick_drill()
        assert args is not None and args[args.index("--resume") + 1] == sid
        assert args[args.index("--mode") + 1] == "drill" and "--scenario" not in args
        live.close()

        # resumed: the same session, orders, clock and score; the clock goes on
        again = drill_window(resume=args[args.index("--resume") + 1])
        assert again.drill.session_id == sid and again.scenario.id == "biogas-septic-jiangbei"
        assert again.drill.path == drills_dir() / f"{sid}.duckdb"
        assert again.clock.now() == at and again.replay_bar.time == at
        assert again.drill.score(at) == score
        assert sorted(again.drill.store.orders(
            as_of=at - again.drill.utc_offset)["dept_id"]) == orders
        qtbot.waitUntil(lambda: any(str(o["event_id"]) == eid
                                    for o in again.dispatch_ctl.order_rows), timeout=60_000)
        again.clock.step()
        assert again.clock.now() == at + again.clock.step_size
        again.close()
        QThreadPool.globalInstance().waitForDone(60_000)
        # nothing of it in a live record (the live window's own store holds no row)
        from cockpit.datasets.dispatch import open_store

        live_store = open_store(default_store_path(cat.data_dir))
        try:
            assert len(live_store.log()) == 0
        finally:
            live_store.close()
    finally:
        QThreadPool.globalInstance().waitForDone(60_000)
        cat.close()


def test_an_ended_or_unknown_drill_is_not_resumed(tmp_path: Path) -> None:
    from datetime import datetime

    from cockpit.datasets.drill_sessions import save_session, saved_session

    (tmp_path / "a.duckdb").write_bytes(b"")
    save_session(tmp_path, "a", "biogas-septic-jiangbei", "t", tmp_path / "a.duckdb",
                 datetime(2026, 11, 20, 14, 5), ended=True)
    for sid, words in (("a", "has ended"), ("b", "no saved drill session"),
                       ("../a", "not a drill session id")):
        with pytest.raises(ValueError, match=words):
            saved_session(tmp_path, sid)
    save_session(tmp_path, "a", "biogas-septic-jiangbei", "t", tmp_path / "a.duckdb",
                 datetime(2026, 11, 20, 14, 5), ended=False)
    assert saved_session(tmp_path, "a").clock == "2026-11-20T14:05:00"
    (tmp_path / "a.duckdb").unlink()
    with pytest.raises(ValueError, match="lost its store"):
        saved_session(tmp_path, "a")
