"""The printed reports as a reader gets them: the quarter PDF's charts, its bottom five, its
text layer (real characters, searchable) and the closed loop read from a busy store."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest
from cockpit.datasets import report as R

#: Kangxi radicals and the CJK radicals supplement: glyph aliases that must not reach the text
RADICALS = re.compile("[\u2e80-\u2eff\u2f00-\u2fdf]")


@pytest.fixture(scope="module")
def catalog(small_dataset_master, tmp_path_factory):
    from cockpit.datasets.catalog import open_catalog

    cat = open_catalog(small_dataset_master, tmp_path_factory.mktemp("cache"))
    yield cat
    cat.close()


@pytest.fixture(scope="module")
def quarter_pdf(qapp, catalog, tmp_path_factory) -> tuple[R.Report, Path]:
    from cockpit.printing.quarter_pdf import write_pdf

    con = catalog.cursor()
    try:
        rep = R.build_report(con, None, "absolute", kpi_detail=False,
                             orders_note=R.read_orders(None)[1])
    finally:
        con.close()
    return rep, write_pdf(rep, tmp_path_factory.mktemp("pdf") / "q.pdf")


def _pages(path: Path) -> list[str]:
    from pypdf import PdfReader

    return [p.extract_text() or "" for p in PdfReader(str(path)).pages]


def _flat(text: str) -> str:
    return "".join(text.split())


def test_quarter_pdf_text_is_the_real_characters(quarter_pdf) -> None:
    rep, path = quarter_pdf
    text = "".join(_pages(path))
    assert RADICALS.findall(text) == []
    flat = _flat(text)
    names = list(rep.evaluation.ranking["unit_name"])
    assert len(names) == 41
    missing = [n for n in names if n not in flat]
    assert missing == []
    for word in ("石柱土家族自治县", "大渡口区", "五色图", "行政区划"):
        assert word in flat


def test_quarter_pdf_has_charts_a_headline_and_the_bottom_five(quarter_pdf) -> None:
    from pypdf import PdfReader

    rep, path = quarter_pdf
    reader = PdfReader(str(path))
    with_images = [i for i, p in enumerate(reader.pages) if len(p.images) > 0]
    # the grid, the ranking, and one chart per KPI board
    boards = [b for b in rep.evaluation.boards if b != "闭环处置"]
    assert len(with_images) >= 2 + len(boards)
    pages = [_flat(t) for t in _pages(path)]
    hl = rep.headline
    assert "本季要点" in pages[0]
    assert hl["best"]["name"] in pages[0] and hl["worst"]["name"] in pages[0]
    assert sum(x["count"] for x in hl["levels"]) == hl["ranked"]
    bottom_page = next(p for p in pages if "三、后五名及其失分指标" in p)
    worst5 = list(rep.evaluation.ranking.dropna(subset=["total"])["unit_name"])[-5:]
    assert [u["name"] for u in rep.bottom] == worst5[::-1]
    assert all(u["name"] in "".join(pages) for u in rep.bottom)
    # each of the bottom five is explained by KPIs that really lost it points
    for u in rep.bottom:
        assert u["kpis"] and all(k["points_lost"] > 0 for k in u["kpis"])
    assert rep.bottom[0]["kpis"][0]["name"] in bottom_page
    for b in boards:
        assert any(f"四、板块·{b}" in p for p in pages), b


def test_missing_dispatch_records_are_said_in_the_report(quarter_pdf) -> None:
    rep, path = quarter_pdf
    assert rep.orders_note
    closed = next(p for p in map(_flat, _pages(path)) if "五、闭环处置" in p)
    assert _flat(str(rep.orders_note)) in closed


def test_drill_pdf_text_is_the_real_characters(qapp, biogas_drill, tmp_path) -> None:
    from cockpit.printing.drill_pdf import write_drill_pdf

    sc, rep = biogas_drill
    text = "".join(_pages(write_drill_pdf(rep, tmp_path / "d.pdf")))
    assert RADICALS.findall(text) == []
    assert _flat(sc.title) in _flat(text)


def _store_with_an_order(path: Path) -> None:
    from cockpit.datasets.dispatch import open_store

    s = open_store(path)
    try:
        s.create(101, "tester", "k-1", dept_id="D-1", deadlines={"acknowledge": 5})
    finally:
        s.close()


def test_a_store_held_by_a_running_cockpit_is_read_from_a_copy(tmp_path, hold_store) -> None:
    path = tmp_path / "dispatch.duckdb"
    _store_with_an_order(path)
    orders, note = R.read_orders(path)
    assert note is None and len(orders) == 1
    with hold_store(path):
        orders, note = R.read_orders(path)
    assert orders is not None and len(orders) == 1
    assert note and "副本" in note
    orders, note = R.read_orders(tmp_path / "none.duckdb")
    assert orders is None and "不存在" in note


def test_cli_report_reads_the_store_and_says_what_is_missing(
        qapp, small_dataset_master, tmp_path, monkeypatch, capsys) -> None:
    from cockpit.cli.report import add_parser, cmd_report

    monkeypatch.setenv("COCKPIT_CACHE_HOME", str(tmp_path / "cache"))
    p = argparse.ArgumentParser()
    add_parser(p.add_subparsers(dest="command"))
    args = p.parse_args(["report", "--out", str(tmp_path / "out"), "--data",
                         str(small_dataset_master), "--store", str(tmp_path / "no.duckdb")])
    assert cmd_report(args) == 0
    err = capsys.readouterr().err
    assert "closed loop" in err and "no.duckdb" in err
    pdf = next((tmp_path / "out").glob("*.pdf"))
    assert "no.duckdb" in "".join(_pages(pdf))
