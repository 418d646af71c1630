"""The after-action report dialog: a real drill's report in the chart, the table, the total."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from cockpit.datasets.drill import DrillSession, after_action_report, shipped_scenarios
from cockpit.widgets.after_action import AfterActionDialog, sample_report

UTC0 = timedelta(0)


class FakeClock:
    def __init__(self, t: datetime) -> None:
        self.t = t

    def __call__(self) -> datetime:
        return self.t


def drilled_report(tmp_path: Path) -> dict:
    """A scripted trainee on the shipped biogas drill: dispatches the first inject in time to
    all but one department, acknowledges in time, handles late; the second inject is left."""
    sc = {s.id: s for s in shipped_scenarios()}["biogas-septic-jiangbei"]
    base = datetime(2026, 11, 20, 14, 0)
    clock = FakeClock(base)
    s = DrillSession(sc, tmp_path / "drills", tmp_path / "live.duckdb", clock,
                     session_id="t1", base=base, utc_offset=UTC0)
    first = sc.injects[0]
    at = s.inject_time(first)

    def at_min(m: float) -> None:
        clock.t = at + timedelta(minutes=m)

    at_min(1.0)
    depts = list(first.departments)[:-1] or list(first.departments)
    ids = [s.store.create(first.event_id, "trainee", f"c-{d}", dept_id=d,
                          deadlines={"acknowledge": 5})[0] for d in depts]
    at_min(3.0)
    for oid in ids:
        s.store.advance(oid, "acknowledge", "trainee", f"{oid}-ack")
    at_min(sc.effective_targets().get("handle", 20) + 6)
    for oid in ids:
        s.store.advance(oid, "handle", "trainee", f"{oid}-handle")
    clock.t = s.end
    rep = after_action_report(s, s.end)
    s.close()
    return rep


def test_dialog_shows_a_real_drills_report(qtbot, tmp_path: Path) -> None:
    rep = drilled_report(tmp_path)
    dlg = AfterActionDialog()
    qtbot.addWidget(dlg)
    dlg.set_report(rep)
    dlg.show()
    view = dlg.view
    assert view.score.text() == f"{rep['score']:.1f}"
    assert view.row_count() == len(rep["injects"]) >= 1
    first = rep["injects"][0]
    assert view.cell_text(0, "派遣用时").startswith("✓ 1.0′")
    assert view.cell_text(0, "漏派") == "\n".join(first["departments_missed"])
    assert "达标" in view.cell_text(0, "签收")
    assert "超时" in view.cell_text(0, "处置")
    assert view.cell_text(0, "分数") == f"{first['score']:.1f}"
    # the chart: one row per inject on the left axis, items drawn
    assert len(view.plot.getPlotItem().items) > 4 * view.row_count()


def test_dialog_with_no_scored_inject_shows_a_dash(qtbot) -> None:
    rep = sample_report()
    rep = {**rep, "injects": [], "timeline": [], "score": None}
    dlg = AfterActionDialog()
    qtbot.addWidget(dlg)
    dlg.set_report(rep)
    assert dlg.view.score.text() == "—" and dlg.view.row_count() == 0


def test_sample_runs_alone(tmp_path: Path) -> None:
    from cockpit.widgets.after_action import preview

    png = tmp_path / "aa.png"
    assert preview(["after_action", "--screenshot", str(png)]) == 0 and png.stat().st_size > 10_000
