"""Building a catalog shows its progress the way the demo's first run does: every step in
Chinese and English, and movement inside the long statements (issue 14, item 13)."""

from __future__ import annotations

import re
import threading
from pathlib import Path

from cockpit.datasets.catalog import StatementProgress, open_catalog, stage_text

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_every_step_of_a_build_is_said_in_both_languages(small_dataset_master: Path,
                                                         tmp_path: Path) -> None:
    seen: list[tuple[float, str]] = []
    lock = threading.Lock()

    def record(f: float, m: str) -> None:
        with lock:
            seen.append((f, m))

    open_catalog(small_dataset_master, tmp_path, progress=record).close()
    steps = [m for _f, m in seen]
    assert all(CJK.search(m) and re.search(r"[a-z]", m) for m in steps), steps
    assert any(m.startswith("载入 risk_point") for m in steps)
    assert steps[-1] == "就绪 ready" and seen[-1][0] == 1.0
    fractions = [f for f, _m in seen]
    assert fractions == sorted(fractions)


class FakeConnection:
    """A connection whose running statement is 30 %, then 70 % done."""

    def __init__(self) -> None:
        self.answers = [30.0, 70.0]

    def execute(self, sql: str) -> None:
        pass

    def query_progress(self) -> float:
        return self.answers.pop(0) if self.answers else -1.0


def test_a_long_statement_reports_how_far_it_is() -> None:
    got: list[tuple[float, str]] = []
    ticker = StatementProgress(FakeConnection(), lambda f, m: got.append((f, m)),
                               interval_s=3600)  # polled by hand below
    try:
        ticker.stage(0.62, stage_text("loading risk_point"))
        ticker.poll()
        ticker.poll()
        ticker.poll()  # nothing running: nothing said
    finally:
        ticker.stop()
    assert got == [(0.62, "载入 risk_point loading"), (0.62, "载入 risk_point loading · 30%"),
                   (0.62, "载入 risk_point loading · 70%")]


def test_closing_waits_for_a_query_still_running_on_a_cursor(small_dataset_master: Path,
                                                             tmp_path: Path) -> None:
    """A window closing while a background refresh runs: the catalog closes once the query
    is done instead of raising "connection is busy"."""
    cat = open_catalog(small_dataset_master, tmp_path)
    cur = cat.cursor()
    started, result = threading.Event(), []

    def slow() -> None:
        started.set()
        result.append(cur.execute("SELECT count(*) FROM range(400000000)").fetchone()[0])

    th = threading.Thread(target=slow)
    th.start()
    started.wait(5)
    cat.close()
    th.join(60)
    assert result == [400_000_000]
