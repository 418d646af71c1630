"""The replay bar, the replay clock, the exercise watermark and the drill report PDF."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from cockpit.widgets.exercise_watermark import ExerciseWatermark
from cockpit.widgets.replay_bar import SPEEDS, ReplayBar
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QPushButton, QWidget

from cockpit.controllers.replay import ReplayClock, ReplayController

T0 = datetime(2026, 11, 20, 8, 0)
T1 = T0 + timedelta(hours=2)


@pytest.fixture
def bar(qtbot) -> ReplayBar:
    b = ReplayBar()
    qtbot.addWidget(b)
    b.resize(1900, 140)
    b.set_window(T0, T1)
    return b


# ---- the bar ---------------------------------------------------------------------------------

def test_bar_buttons_emit_requests(qtbot, bar: ReplayBar) -> None:
    with qtbot.waitSignal(bar.sig_play_requested, timeout=1000):
        qtbot.mouseClick(bar.play_button, Qt.MouseButton.LeftButton)
    bar.set_playing(True)
    assert not bar.play_button.isEnabled() and bar.pause_button.isEnabled()
    with qtbot.waitSignal(bar.sig_pause_requested, timeout=1000):
        qtbot.mouseClick(bar.pause_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(bar.sig_step_requested, timeout=1000):
        qtbot.mouseClick(bar.step_button, Qt.MouseButton.LeftButton)


def test_bar_speed_buttons(qtbot, bar: ReplayBar) -> None:
    assert tuple(bar.speed_buttons) == SPEEDS == (1, 5, 10, 30, 60)
    with qtbot.waitSignal(bar.sig_speed_changed, timeout=1000) as blocker:
        qtbot.mouseClick(bar.speed_buttons[30], Qt.MouseButton.LeftButton)
    assert blocker.args == [30]
    bar.set_speed(60)
    assert bar.speed_buttons[60].isChecked() and not bar.speed_buttons[30].isChecked()


def test_bar_slider_seeks_and_follows_the_time(qtbot, bar: ReplayBar) -> None:
    with qtbot.waitSignal(bar.sig_seek_requested, timeout=1000) as blocker:
        bar.slider.setValue(bar.slider.maximum() // 2)
    assert blocker.args == [T0 + timedelta(hours=1)]
    # the clock moving the bar does not echo a seek
    seen = []
    bar.sig_seek_requested.connect(seen.append)
    bar.set_time(T0 + timedelta(minutes=30))
    assert seen == []
    assert bar.slider.value() == bar.slider.maximum() // 4
    assert bar.time_label.text() == "08:30:00"
    assert bar.cursor.value() == 30.0


def test_bar_density_and_inject_markers(bar: ReplayBar) -> None:
    bins = [T0 + timedelta(minutes=10 * i) for i in range(12)]
    bar.set_density(bins, list(range(12)))
    assert list(bar.density.opts["height"]) == list(range(12))
    assert bar.density.opts["x0"][3] == 30.0
    bar.set_injects([(T0 + timedelta(minutes=15), "爆管"), (T0 + timedelta(minutes=45), "x")])
    assert [ln.value() for ln in bar.inject_lines] == [15.0, 45.0]
    xs, _ys = bar.inject_points.getData()
    assert list(xs) == [15.0, 45.0]
    bar.set_injects([])
    assert bar.inject_lines == []


# ---- the clock -------------------------------------------------------------------------------

def test_clock_has_the_clock_interface_and_plays(qtbot) -> None:
    c = ReplayClock(T0, T1)
    assert c.now() == T0 and "复盘" in c.caption()
    c.tick(1000)  # paused: nothing moves
    assert c.now() == T0
    c.play()
    with qtbot.waitSignal(c.sig_ticked, timeout=1000) as blocker:
        c.tick(1000)
    assert blocker.args == [T0 + timedelta(seconds=1)]
    c.set_speed(60)
    c.tick(1000)
    assert c.now() == T0 + timedelta(seconds=61)
    c.pause()
    c.tick(5000)
    assert c.now() == T0 + timedelta(seconds=61)


def test_clock_seek_step_speed_limits_and_end(qtbot) -> None:
    c = ReplayClock(T0, T1, step=timedelta(minutes=5))
    c.seek(T0 + timedelta(minutes=50))
    assert c.now() == T0 + timedelta(minutes=50)
    c.seek(T1 + timedelta(days=1))
    assert c.now() == T1  # clamped
    c.seek(T0 - timedelta(days=1))
    assert c.now() == T0
    c.play()
    c.step()
    assert c.now() == T0 + timedelta(minutes=5) and not c.playing
    for bad in (0, 61):
        with pytest.raises(ValueError):
            c.set_speed(bad)
    c.seek(T1 - timedelta(seconds=30))
    c.set_speed(60)
    c.play()
    c.tick(1000)
    assert c.now() == T1 and not c.playing  # stops at the end
    c.play()
    assert not c.playing


def test_clock_timer_advances_in_real_time(qtbot) -> None:
    c = ReplayClock(T0, T1, interval_ms=20)
    c.set_speed(60)
    c.play()
    c.start()
    qtbot.waitUntil(lambda: c.now() >= T0 + timedelta(seconds=6), timeout=2000)
    c.stop()


def test_controller_wires_bar_and_clock(qtbot, bar: ReplayBar) -> None:
    c = ReplayClock(T0, T1)
    ctl = ReplayController(c, bar)
    bar.sig_play_requested.emit()
    assert c.playing and bar.playing
    bar.sig_speed_changed.emit(10)
    assert c.speed == 10 and bar.speed_buttons[10].isChecked()
    c.tick(6000)
    assert bar.time == T0 + timedelta(minutes=1)
    bar.sig_seek_requested.emit(T0 + timedelta(minutes=90))
    assert c.now() == T0 + timedelta(minutes=90) and bar.time_label.text() == "09:30:00"
    bar.sig_step_requested.emit()
    assert c.now() == T0 + timedelta(minutes=91) and not bar.playing
    ctl.set_injects([(T0 + timedelta(minutes=5), "a")])
    assert len(bar.inject_lines) == 1


# ---- the watermark ---------------------------------------------------------------------------

def test_watermark_covers_parent_paints_and_lets_clicks_through(qtbot) -> None:
    host = QWidget()
    qtbot.addWidget(host)
    host.resize(800, 450)
    host.setStyleSheet("background:#000000;")
    button = QPushButton("x", host)
    button.setGeometry(350, 200, 100, 50)
    clicks = []
    button.clicked.connect(lambda: clicks.append(1))
    wm = ExerciseWatermark(host)
    host.show()
    qtbot.waitExposed(host)
    assert wm.geometry() == host.rect()
    assert wm.testAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
    host.resize(1000, 600)
    assert wm.size() == host.size()
    img = host.grab().toImage()
    # the frame and the diagonal text are drawn in the exercise colour
    frame = QColor(img.pixel(2, 300))
    assert frame.red() > 150 and frame.blue() < 100
    coloured = sum(1 for x in range(0, 1000, 10) for y in range(0, 600, 10)
                   if QColor(img.pixel(x, y)).red() > 25)
    assert coloured > 300
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton, pos=QPoint(50, 25))
    assert clicks == [1]
    child = host.childAt(400, 225)
    assert child is button  # the watermark is not hit


# ---- the report PDF --------------------------------------------------------------------------

def test_drill_report_pdf_contains_the_scores(qapp, biogas_drill, tmp_path: Path) -> None:
    from PySide6.QtPdf import QPdfDocument

    from cockpit.printing.drill_pdf import write_drill_pdf

    _sc, rep = biogas_drill
    path = write_drill_pdf(rep, tmp_path / "aar.pdf")
    doc = QPdfDocument(None)
    doc.load(str(path))
    assert doc.status() == QPdfDocument.Status.Ready
    text = "".join("".join(doc.getAllText(i).text().split()) for i in range(doc.pageCount()))
    assert "Totalscore" in text and "Perinject" in text and "Timeline" in text
    assert f"{rep['score']:.1f}" in text
    assert "D-500105-CGJ" in text and "biogas-septic-jiangbei" in text
