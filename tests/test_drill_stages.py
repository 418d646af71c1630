"""The drill picker shows the plan's stages and the targets the scoring checks (one list)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

from cockpit.datasets.catalog import open_catalog
from cockpit.datasets.drill import available_scenarios
from cockpit.datasets.stages import DEFAULT_STAGES, EMERGENCY_STAGES
from cockpit.widgets.drill_picker import DrillPicker


def _picker(qtbot, scenarios) -> DrillPicker:
    p = DrillPicker(scenarios, (datetime(2026, 11, 1), datetime(2026, 11, 20)))
    qtbot.addWidget(p)
    p.show()
    return p


def test_the_picker_shows_the_plans_stages_and_the_scored_targets(
        qtbot, small_dataset_master: Path, tmp_path: Path) -> None:
    """Forest fire (an emergency plan in the demo): 签收 → 核实 → 处置 → 结案, 核实 3 min
    (the scenario's "verify 3" is the confirmation) — what the scoring checks; the same
    scenario with the loop would show 核查 at the handle target (5), not 3."""
    cat = open_catalog(small_dataset_master, tmp_path / "cache")
    try:
        fit, _unfit, _p = available_scenarios(cat.con, None)
    finally:
        cat.close()
    fire = next(s for s in fit if s.id == "forest-fire-zhongliangshan")
    assert fire.stages == EMERGENCY_STAGES
    picker = _picker(qtbot, [fire, replace(fire, id="loop", stages=DEFAULT_STAGES)])
    picker.select_scenario(fire.id)
    flow, times = _lines(picker)
    assert flow == "流程：签收 → 核实 → 处置 → 结案"
    assert times == "时限（分钟）：派遣 1 · 签收 1 · 核实 3 · 处置 5 · 结案 120"
    assert fire.stage_targets() == [("react", 1.0), ("confirm", 3.0), ("handle", 5.0),
                                    ("close", 120.0)]
    picker.select_scenario("loop")
    flow, times = _lines(picker)
    assert flow == "流程：签收 → 处置 → 核查 → 结案 → 评价"
    assert times == "时限（分钟）：派遣 1 · 签收 1 · 处置 5 · 核查 5 · 结案 120"


def _lines(picker: DrillPicker) -> tuple[str, str]:
    lines = picker.detail.text().splitlines()
    return (next(x for x in lines if x.startswith("流程")),
            next(x for x in lines if x.startswith("时限")))
