"""`cockpit drill list|prune` over the drill sessions' files, and the drill store's guards."""

from __future__ import annotations

import os
import time
from datetime import datetime
from pathlib import Path

import pytest
from cockpit.datasets.dispatch import open_store
from cockpit.datasets.drill import DrillSession, LiveStoreRefused, shipped_scenarios

from cockpit.cli import main


def _session(folder: Path, sid: str, age_days: float, report: bool = False) -> None:
    open_store(folder / f"{sid}.duckdb").close()
    if report:
        (folder / f"{sid}-report.pdf").write_bytes(b"%PDF-1.4\n")
    t = time.time() - age_days * 86400
    for f in folder.glob(f"{sid}*"):
        os.utime(f, (t, t))


@pytest.fixture
def drills(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setenv("COCKPIT_DATA_HOME", str(tmp_path / "home"))
    folder = tmp_path / "home" / "drills"
    folder.mkdir(parents=True)
    _session(folder, "old-a", 40, report=True)
    _session(folder, "old-b", 35)
    _session(folder, "new-c", 1)
    (folder / "notes.txt").write_text("not a session")
    return folder


def test_list_shows_each_session_once_newest_first(drills: Path, capsys) -> None:
    assert main(["drill", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines[:-1]] == ["new-c", "old-b", "old-a"]
    assert lines[2].endswith("report") and not lines[0].endswith("report")
    assert lines[-1] == f"3 drill session(s) in {drills}"


def test_prune_removes_old_sessions_with_all_their_files(drills: Path, capsys) -> None:
    assert main(["drill", "prune", "--dry-run"]) == 0
    assert "would remove 2 of 3" in capsys.readouterr().out
    assert len(list(drills.glob("old-a*"))) == 3  # store, key, report: untouched
    assert main(["drill", "prune"]) == 0  # default: older than 30 days
    assert not list(drills.glob("old-*")) and (drills / "new-c.duckdb").exists()
    assert (drills / "notes.txt").exists()
    assert main(["drill", "prune", "--keep", "0"]) == 0
    assert not list(drills.glob("new-c*")) and (drills / "notes.txt").exists()
    assert main(["drill", "prune", "--keep", "-1"]) == 2


def test_prune_keeps_a_session_a_running_drill_holds(drills: Path, hold_store, capsys) -> None:
    with hold_store(drills / "old-b.duckdb"):
        assert main(["drill", "prune"]) == 0
        out = capsys.readouterr().out
    assert "kept old-b: a running drill holds its store" in out
    assert (drills / "old-b.duckdb").exists() and not (drills / "old-a.duckdb").exists()


def test_a_drill_store_hard_linked_to_the_live_store_is_refused(tmp_path: Path) -> None:
    """A session file that is the live store under another name (a hard link) is refused, and
    the live store is left as it was."""
    live = tmp_path / "live" / "dispatch.duckdb"
    live.parent.mkdir()
    open_store(live).close()
    before = live.read_bytes()
    folder = tmp_path / "drills"
    folder.mkdir()
    os.link(live, folder / "linked.duckdb")
    scenario = shipped_scenarios()[0]
    with pytest.raises(LiveStoreRefused, match="is the live dispatch store"):
        DrillSession(scenario, folder, live, lambda: datetime(2026, 11, 20, 8),
                     session_id="linked")
    assert live.read_bytes() == before
