"""The quarter's report: XLSX read back, formula neutralisation, the PDF's text, the CLI."""

from __future__ import annotations

import argparse
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from cockpit.datasets import evaluation as E
from cockpit.datasets import report as R
from openpyxl import load_workbook

HOSTILE = ["=1+1", "+SUM(A1:A9)", "-2+3", "@cmd|' /C calc'!A0"]


@pytest.fixture(scope="module")
def catalog(small_dataset_master, tmp_path_factory):
    from cockpit.datasets.catalog import open_catalog

    cat = open_catalog(small_dataset_master, tmp_path_factory.mktemp("cache"))
    yield cat
    cat.close()


@pytest.fixture(scope="module")
def report(catalog) -> R.Report:
    con = catalog.cursor()
    try:
        return R.build_report(con, None, "quintile")
    finally:
        con.close()


def test_safe_text() -> None:
    assert R.safe_text("=1+1") == "'=1+1"
    assert R.safe_text("+1") == "'+1" and R.safe_text("-1") == "'-1"
    assert R.safe_text("@x") == "'@x" and R.safe_text("\t=1") == "'\t=1"
    assert R.safe_text("渝中区") == "渝中区" and R.safe_text(None) == ""
    assert R.safe_text("a=1") == "a=1"


def test_xlsx_reads_back_with_the_numbers(report, tmp_path) -> None:
    path = R.write_xlsx(report, tmp_path / "r.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames == list(R.SHEETS)
    ev = report.evaluation
    ws = wb["排名"]
    header = [c.value for c in ws[1]]
    assert header[:6] == ["名次", "变化", "名次变化", "单位代码", "单位", "总分"]
    got = [(r[0], r[3], r[4], r[5]) for r in ws.iter_rows(min_row=2, values_only=True)]
    want = [(int(r.rank), r.unit_code, r.unit_name, round(float(r.total), 1))
            for r in ev.ranking.itertuples()]
    assert got == want
    changes = [r[2] for r in ws.iter_rows(min_row=2, values_only=True)]
    assert changes == [None if c is None else int(c) for c in
                       ev.ranking["rank_change"].astype(object).where(
                           ev.ranking["rank_change"].notna(), None)]
    # the grid: one number per board, or the missing label
    ws = wb["五色图"]
    header = [c.value for c in ws[1]]
    assert header[3:] == [E.TOTAL, *ev.boards]
    first = next(ws.iter_rows(min_row=2, values_only=True))
    code = first[1]
    s = ev.scores.set_index("unit_code")
    for b, v in zip(ev.boards[:-1], first[4:]):
        assert v == pytest.approx(s.loc[code, b])
    assert first[-1] in ("无数据", "样本不足")  # the closed loop from the event history
    # the fills carry the level colours
    cell = ws.cell(row=2, column=4)
    assert cell.fill.fgColor.rgb.endswith(report.level(code, E.TOTAL)["colour"][1:].upper())
    # every KPI score, per unit
    ws = wb["指标得分"]
    n_kpi = ws.max_row - 1
    assert n_kpi == len(report.kpi_detail) == 41 * 911
    assert wb["闭环处置"].max_row == 42


def test_hostile_names_are_never_formulas(small_dataset, cache_dir, tmp_path) -> None:
    from cockpit.datasets.catalog import open_catalog

    f = small_dataset / "admin_unit.parquet"
    t = pq.read_table(f)
    df = t.to_pandas()
    ranked = df.index[df["ranked"].fillna(False).astype(bool)][:len(HOSTILE)]
    df.loc[ranked, "name"] = HOSTILE
    pq.write_table(type(t).from_pandas(df, schema=t.schema, preserve_index=False), f)
    cat = open_catalog(small_dataset, cache_dir)
    try:
        con = cat.cursor()
        rep = R.build_report(con, None, "absolute")
        con.close()
    finally:
        cat.close()
    path = R.write_xlsx(rep, tmp_path / "h.xlsx")
    wb = load_workbook(path)
    seen = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", f"{ws.title}!{c.coordinate} is a formula: {c.value}"
                if isinstance(c.value, str):
                    assert not c.value.startswith(("=", "+", "-", "@")), (ws.title, c.value)
                    if c.value.lstrip("'") in HOSTILE:
                        seen.add(c.value)
    assert seen == {"'" + h for h in HOSTILE}
    # the raw XML holds no formula element at all
    import zipfile

    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in z.read(name), name


def _pdf_text(path: Path) -> list[str]:
    """Each page's text, whitespace removed (QtPdf breaks lines inside Qt's table cells)."""
    from PySide6.QtPdf import QPdfDocument

    doc = QPdfDocument(None)
    doc.load(str(path))
    assert doc.status() == QPdfDocument.Status.Ready
    return ["".join(doc.getAllText(i).text().split()) for i in range(doc.pageCount())]


def _glyphs(text: str) -> str:
    """Text as the font's glyph ids: Qt writes the PDF's text layer from the font subset,
    mapping a glyph back to the lowest code point that has it, so 大 comes out as the
    Kangxi radical ⼤ and 龙 as ⻰ — the same glyph. Compare glyphs, not code points."""
    from PySide6.QtGui import QFont, QRawFont

    from cockpit.printing.quarter_pdf import cjk_family

    raw = QRawFont.fromFont(QFont(cjk_family()))
    return "".join(f"<{g}>" for g in raw.glyphIndexesForString(text))


def test_pdf_contains_the_ranking(qapp, report, tmp_path) -> None:
    from cockpit.printing.quarter_pdf import write_pdf

    path = write_pdf(report, tmp_path / "r.pdf")
    assert path.read_bytes()[:5] == b"%PDF-"
    pages = [_glyphs(p) for p in _pdf_text(path)]
    assert len(pages) >= 5
    assert _glyphs(report.period) in pages[0] and _glyphs("演示数据") in pages[0]
    text = "".join(pages)
    ev = report.evaluation
    last = -1
    for r in ev.ranking.itertuples():
        row = f"{int(r.rank)}{R.change_text(r.rank_change)}{r.unit_name}{r.total:.1f}"
        pos = text.find(_glyphs(row), last + 1)
        assert pos > last, f"ranking row {row!r} missing or out of order"
        last = pos
    assert _glyphs("方法说明") in text and _glyphs("样本不足") in text


def test_method_note_names_the_mode_and_the_source(report) -> None:
    text = "".join(report.method)
    assert "名次五等分" in text and "事件历史" in text and "缺失值不计为 0" in text
    assert R.change_text(3) == "↑3" and R.change_text(-1) == "↓1"
    assert R.change_text(0) == "—" and R.change_text(None) == "新"


def test_cli_report(qapp, small_dataset_master, tmp_path, monkeypatch) -> None:
    from cockpit.cli.report import add_parser, cmd_report, report_paths

    monkeypatch.setenv("COCKPIT_CACHE_HOME", str(tmp_path / "cache"))
    p = argparse.ArgumentParser()
    add_parser(p.add_subparsers(dest="command"))
    args = p.parse_args(["report", "--out", str(tmp_path / "out"), "--data",
                         str(small_dataset_master), "--mode", "quintile"])
    assert cmd_report(args) == 0
    periods = sorted(x.name.split("-")[2] for x in (tmp_path / "out").glob("*.pdf"))
    pdf, xlsx = report_paths(tmp_path / "out", periods[-1], "quintile")
    assert pdf.stat().st_size > 10_000 and xlsx.stat().st_size > 10_000
    args = p.parse_args(["report", "--period", "1999Q1", "--out", str(tmp_path / "o2"),
                         "--data", str(small_dataset_master)])
    assert cmd_report(args) == 2
    assert not (tmp_path / "o2").exists()


def test_cli_report_follows_the_config_files_data_and_lang(qapp, small_dataset_master, tmp_path,
                                                          monkeypatch) -> None:
    """Without --data and --lang, `cockpit report` reads the dataset and the language from the
    config file, as the window does; --lang still wins; a named config that is missing is 5."""
    import re

    import openpyxl

    from cockpit.cli import build_parser
    from cockpit.cli.report import cmd_report

    monkeypatch.setenv("COCKPIT_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("COCKPIT_DATA_HOME", str(tmp_path / "home"))  # no demo data here
    monkeypatch.delenv("COCKPIT_LANG", raising=False)
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'data = "{small_dataset_master}"\nlang = "en"\n', "utf-8")

    def sheets(out: str, *extra: str) -> list[str]:
        args = build_parser().parse_args(["--config", str(cfg), "report", "--out",
                                          str(tmp_path / out), *extra])
        assert cmd_report(args) == 0
        (xlsx,) = (tmp_path / out).glob("*.xlsx")
        return openpyxl.load_workbook(xlsx, read_only=True).sheetnames

    cjk = re.compile(r"[\u4e00-\u9fff]")
    english = sheets("en")
    assert not any(cjk.search(s) for s in english), english
    chinese = sheets("zh", "--lang", "zh")
    assert any(cjk.search(s) for s in chinese), chinese
    assert not (tmp_path / "home").exists()  # the demo dataset was not generated
    args = build_parser().parse_args(["--config", str(tmp_path / "nope.toml"), "report",
                                      "--out", str(tmp_path / "x")])
    assert cmd_report(args) == 5 and not (tmp_path / "x").exists()
