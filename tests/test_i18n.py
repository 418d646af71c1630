"""The interface language: the translation files are complete and current, and a window in
English shows no Chinese but the data's own names.

Chinese is the source language (``tr("…")``, ``QCoreApplication.translate(ctx, "…")``,
``QT_TRANSLATE_NOOP`` in the Qt-free layers); ``resources/i18n/cockpit_en.ts`` holds the English
and ``cockpit_en.qm`` its compiled form. ``scripts/update_translations.sh`` regenerates both.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from cockpit.datasets.catalog import open_catalog

ROOT = Path(__file__).resolve().parents[1]
TS = ROOT / "resources" / "i18n" / "cockpit_en.ts"
QM = ROOT / "resources" / "i18n" / "cockpit_en.qm"
SOURCE_DIRS = ("cockpit", "widgets", "datasets", "layers")
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
PLACEHOLDER = re.compile(r"\{(\w*)[^{}]*\}")


def _tool(name: str) -> str:
    """pyside6-lupdate / -lrelease beside the running interpreter (the project's venv)."""
    exe = Path(sys.executable).with_name(name)
    found = str(exe) if exe.exists() else shutil.which(name)
    if not found:  # a missing tool must not turn the translation checks into a silent pass
        pytest.fail(f"{name} is not installed: ./scripts/bootstrap.sh --test installs PySide6 "
                    "with its tools into .venv")
    return found


def _messages(ts: Path) -> dict[tuple[str, str], ET.Element]:
    root = ET.parse(ts).getroot()
    return {(ctx.findtext("name"), m.findtext("source")): m.find("translation")
            for ctx in root.iter("context") for m in ctx.iter("message")}


def _sources() -> list[str]:
    return sorted(str(p.relative_to(ROOT)) for d in SOURCE_DIRS for p in (ROOT / d).rglob("*.py"))


# ------------------------------------------------------------------- the translation files


def test_every_text_has_an_english_translation() -> None:
    msgs = _messages(TS)
    assert len(msgs) > 300
    bad = [f"{ctx}: {src!r}" for (ctx, src), t in msgs.items()
           if t is None or t.get("type") in ("unfinished", "obsolete", "vanished")
           or not (t.text or "").strip()]
    assert not bad, "untranslated (run scripts/update_translations.sh, translate):\n" + \
        "\n".join(bad)


def test_translations_keep_the_placeholders() -> None:
    """``.format()`` fills the translation with the source's names: a misspelt or missing
    placeholder would raise or drop a number on screen."""
    # the one deliberate difference: 1.2万 (units of 10,000) is 12k (units of 1,000)
    allowed = {("ArcGauge", "{wan:g}万"): {"k"}}
    bad = []
    for (ctx, src), t in _messages(TS).items():
        want = set(PLACEHOLDER.findall(src))
        got = set(PLACEHOLDER.findall(t.text or ""))
        if (ctx, src) in allowed:
            want = allowed[(ctx, src)]
        if got != want:
            bad.append(f"{ctx}: {src!r} has {sorted(want)}, the English {sorted(got)}")
    assert not bad, "\n".join(bad)


def test_every_source_text_is_in_the_ts(tmp_path: Path) -> None:
    """lupdate over the sources finds exactly the texts of the .ts: a new tr() string without
    a translation, or a stale entry, fails here."""
    fresh = tmp_path / "fresh.ts"
    r = subprocess.run([_tool("pyside6-lupdate"), "-no-obsolete", *_sources(), "-ts", str(fresh)],
                       cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    found, committed = set(_messages(fresh)), set(_messages(TS))
    assert found - committed == set(), "texts missing from cockpit_en.ts (run " \
        "scripts/update_translations.sh): " + repr(sorted(found - committed)[:20])
    assert committed - found == set(), "stale entries in cockpit_en.ts: " + \
        repr(sorted(committed - found)[:20])


def test_the_qm_is_compiled_from_the_ts(tmp_path: Path) -> None:
    out = tmp_path / "cockpit_en.qm"
    r = subprocess.run([_tool("pyside6-lrelease"), str(TS), "-qm", str(out)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert out.read_bytes() == QM.read_bytes(), \
        "cockpit_en.qm is older than cockpit_en.ts: run scripts/update_translations.sh"


def test_the_qm_is_package_data() -> None:
    import tomllib

    cfg = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    assert "i18n/*.qm" in cfg["tool"]["setuptools"]["package-data"]["cockpit.resources"]
    from cockpit.i18n import catalogue_path

    assert catalogue_path("en").is_file()


# ------------------------------------------------------------- no text left unwrapped

#: GUI modules (cockpit/ and widgets/) whose Chinese literals are not interface texts.
NOT_GUI = {"cockpit/cli/__init__.py",  # argparse help, bilingual by design
           "cockpit/cli/report.py", "cockpit/printing/quarter_pdf.py",
           "cockpit/cli/route.py",  # `cockpit route`: prints the data's names, bilingual
           "cockpit/config.py",  # the config file's template and examples
           "cockpit/services/pg_server.py",  # a throw-away PostgreSQL for tests and benchmarks
           "cockpit/services/mosquitto.py",  # the broker launcher's bilingual error
           "cockpit/cli/live.py",  # ingest/simulate: CLI output, bilingual by design
           "cockpit/language.py",  # 中文: the language's own name
           "cockpit/bench/dispatch.py"}  # a benchmark's synthetic plan (data, not texts)
#: Chinese literals that are data handling, not texts: (file, literal).
NOT_TEXT = {("widgets/dispatch_preview.py", "居民委员会"),
            ("widgets/dispatch_preview.py", "村民委员会"),
            *(("widgets/vitals_panel.py", d) for d in ("水", "电", "气", "讯", "桥", "隧", "交通",
                                                       "环境")),  # data keys, shown translated
            ("widgets/vitals_panel.py", "全部")}
WRAPPERS = {"tr", "translate", "QT_TRANSLATE_NOOP", "tr_word", "english"}


def _unwrapped_cjk_literals(path: Path) -> list[tuple[int, str]]:
    """Chinese string literals outside tr()/translate()/QT_TRANSLATE_NOOP(), docstrings, the
    ``__main__`` block and sample, demo and preview functions (sample data)."""
    tree = ast.parse(path.read_text("utf-8"))
    ok: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            if (f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", None)) in WRAPPERS:
                ok.update(id(a) for a in ast.walk(node))
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef)) and node.body \
                and isinstance(node.body[0], ast.Expr) \
                and isinstance(node.body[0].value, ast.Constant):
            ok.add(id(node.body[0].value))
        if isinstance(node, ast.If) and getattr(getattr(node.test, "left", None), "id", "") \
                == "__name__":
            ok.update(id(a) for a in ast.walk(node))
        if isinstance(node, ast.FunctionDef) and node.name.lstrip("_").startswith(
                ("demo", "sample", "main", "preview")):
            ok.update(id(a) for a in ast.walk(node))
    return sorted((n.lineno, n.value) for n in ast.walk(tree)
                  if isinstance(n, ast.Constant) and isinstance(n.value, str)
                  and CJK.search(n.value) and id(n) not in ok)


def test_no_chinese_literal_escapes_translation() -> None:
    bad = []
    for rel in _sources():
        if not rel.startswith(("cockpit/", "widgets/")) or rel in NOT_GUI:
            continue
        bad += [f"{rel}:{line}: {text!r}" for line, text in _unwrapped_cjk_literals(ROOT / rel)
                if (rel, text) not in NOT_TEXT]
    assert not bad, "wrap these in self.tr() / QCoreApplication.translate():\n" + "\n".join(bad)


def test_the_checker_finds_an_unwrapped_literal(tmp_path: Path) -> None:
    f = tmp_path / "w.py"
    f.write_text('def f(self):\n    a = self.tr("好")\n    return QLabel("坏")\n', "utf-8")
    assert _unwrapped_cjk_literals(f) == [(3, "坏")]


# --------------------------------------------------------------------------- the mechanism


def test_language_choice_without_qt() -> None:
    from cockpit.language import normalise, resolve_language

    assert resolve_language(env={}) == "zh"
    assert resolve_language("en", env={}) == "en"
    assert resolve_language(None, "en", env={}) == "en"  # the config file's lang key
    assert resolve_language(None, None, env={"COCKPIT_LANG": "en_GB.UTF-8"}) == "en"
    assert resolve_language(None, "zh", env={"COCKPIT_LANG": "en"}) == "en"  # env over file
    assert resolve_language("zh", "en", env={"COCKPIT_LANG": "en"}) == "zh"  # --lang wins
    assert resolve_language("fr", env={}) == "zh"
    assert normalise("zh-Hans") == "zh" and normalise("") is None


def test_the_qt_free_marker_and_the_widgets_agree() -> None:
    from cockpit.datasets import i18n as marks
    from cockpit.widgets import words

    assert marks.QT_TRANSLATE_NOOP("vocabulary", "水") == "水"
    assert (marks.VOCABULARY, marks.RISK_LEVEL, marks.EVALUATION) == \
        (words.VOCABULARY, words.RISK_LEVEL, words.EVALUATION)
    contexts = {ctx for ctx, _src in _messages(TS)}
    assert {"vocabulary", "risk_level", "evaluation"} <= contexts  # lupdate extracted them


@pytest.fixture
def english(qapp):
    from cockpit.i18n import install_translator, remove_translators

    assert install_translator(qapp, "en") == "en"
    yield
    remove_translators(qapp)  # the other tests run on the source texts, as before


def test_install_translator_switches_and_restores(qapp) -> None:
    from cockpit.datasets.schema import BOARDS, RISK_LEVELS
    from cockpit.widgets.header import mode_label
    from cockpit.widgets.words import RISK_LEVEL, tr_word

    from cockpit.i18n import current_language, english, install_translator, remove_translators

    try:
        install_translator(qapp, "en")
        assert current_language() == "en"
        assert mode_label("live") == "Live"
        assert tr_word(BOARDS[1]) == "Economy"
        assert tr_word(RISK_LEVELS[3], RISK_LEVEL) == "Moderate"
        assert tr_word("渝中区") == "渝中区"  # data passes through
        install_translator(qapp, "zh")
        assert mode_label("live") == "值守" and tr_word(BOARDS[1]) == BOARDS[1]
        assert english("HeaderBar", "值守") == "Live"  # stderr stays English either way
    finally:
        remove_translators(qapp)


# ------------------------------------------------------------------ the window in English


def _data_runs(catalog) -> set[str]:
    """Every run of Chinese characters in the dataset's text (names, titles, departments…),
    in the drill scenarios and in the dataset's title: data shows as it is."""
    texts: list[str] = [str(catalog.manifest.get("title") or "")]
    con = catalog.cursor()
    try:
        cols = con.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE data_type = 'VARCHAR'").fetchall()
        for table, col in cols:
            texts += [str(v) for (v,) in con.execute(
                f'SELECT DISTINCT "{col}" FROM "{table}" WHERE "{col}" IS NOT NULL').fetchall()]
    finally:
        con.close()
    from cockpit.datasets.drill import DRILL_DIR

    texts += [p.read_text("utf-8") for p in Path(DRILL_DIR).glob("*.toml")]
    texts.append("【演练】")  # the prefix of a drill event's title, stored with the event
    runs = {run for t in texts for run in CJK.findall(t)}
    # the dispatch preview shortens 煤建新村社区居民委员会 to 煤建新村社区
    return runs | {r.removesuffix(s) for r in runs for s in ("居民委员会", "村民委员会")}


def _shown_texts(root) -> list[tuple[str, str]]:
    """(where, text) of what ``root`` shows: labels, buttons, tooltips, placeholders, combo
    items, tabs, table headers, tree layers, window titles, the painted gauges' words."""
    from cockpit.widgets.gauge import ArcGauge, status_word
    from cockpit.widgets.vitals_panel import DomainTile
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import (
        QAbstractButton,
        QComboBox,
        QLabel,
        QLineEdit,
        QTableView,
        QTabWidget,
        QTreeWidget,
        QWidget,
    )

    out: list[tuple[str, str]] = [("windowTitle", root.windowTitle())]
    for w in [root, *root.findChildren(QWidget)]:
        if w is not root and not w.isVisibleTo(root):
            continue
        where = f"{type(w).__name__}({w.objectName()})"
        if w.toolTip():
            out.append((where + ".toolTip", w.toolTip()))
        if isinstance(w, QLabel):
            # an elided label shows part of its text: check the whole of it
            out.append((where, w.full_text() if hasattr(w, "full_text") else w.text()))
        elif isinstance(w, QAbstractButton):
            out.append((where, w.text()))
        elif isinstance(w, QLineEdit):
            out.append((where + ".placeholder", w.placeholderText()))
        elif isinstance(w, QComboBox):
            out += [(where + f".item{i}", w.itemText(i)) for i in range(w.count())]
        elif isinstance(w, QTabWidget):
            out += [(where + f".tab{i}", w.tabText(i)) for i in range(w.count())]
        elif isinstance(w, ArcGauge):
            st = w.status()
            out += [(where + ".title", w._title), (where + ".caption", w._caption),
                    (where + ".unit", w._unit), (where + ".status", status_word(st) if st else ""),
                    (where + ".trend", w.trend_text())]
        elif isinstance(w, DomainTile):
            out += [(where, line) for line in w.text_lines()[:2]]
        if isinstance(w, QTreeWidget):
            out += [(where + ".layer", w.topLevelItem(i).text(0))
                    for i in range(w.topLevelItemCount())]
        elif isinstance(w, QTableView) and w.model() is not None:
            m = w.model()
            for c in range(w.horizontalHeader().count()):
                for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                    v = m.headerData(c, Qt.Orientation.Horizontal, role)
                    if v:
                        out.append((where + f".header{c}", str(v)))
                    # the first rows' cells: data, and the words and tooltips made around it
                    for r in range(min(3, w.verticalHeader().count())):
                        v = m.data(m.index(r, c), role)
                        if isinstance(v, str) and v:
                            out.append((where + f".cell{r},{c}", v))
    return [(k, v) for k, v in out if v]


def _chinese_left(root, data_runs: set[str]) -> list[str]:
    return [f"{where}: {text!r}" for where, text in _shown_texts(root)
            if any(run not in data_runs for run in CJK.findall(text))]


def _open_window(qtbot, catalog, mode: str, lang: str):
    from cockpit.window import MainWindow

    kw = {"scenario": "forest-fire-zhongliangshan"} if mode == "drill" else {}
    win = MainWindow(catalog, mode=mode, lang=lang, **kw)
    qtbot.addWidget(win)
    win.resize(1600, 900)
    win.show()
    with qtbot.waitSignal(win.sig_all_drawn, timeout=90_000):
        win.start()
    return win


@pytest.fixture
def catalog(small_dataset_master: Path, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("COCKPIT_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("COCKPIT_DATA_HOME", str(tmp_path / "home"))
    cat = open_catalog(small_dataset_master, tmp_path / "catalogs")
    yield cat
    cat.close()


def test_live_and_review_in_english_show_only_data_in_chinese(english, qtbot, catalog) -> None:
    data = _data_runs(catalog)
    win = _open_window(qtbot, catalog, "live", "en")
    try:
        qtbot.waitUntil(lambda: all(g._value is not None for g in win.board_gauges.values()),
                        timeout=30_000)
        assert win.windowTitle() == "City Operations Cockpit"
        assert win.header.mode_buttons["live"].text() == "Live"
        left = _chinese_left(win, data)
        # the map's side panel, the vitals table and a dispatch preview, opened as a user would
        win.map_side.show()
        win.vitals_view.show_domain(None)  # the indicator table
        left += _chinese_left(win, data)
        ev = win.dispatch_panel.events_model.row(0)
        win.dispatch_ctl.request_dispatch(ev)
        qtbot.waitUntil(lambda: win.dispatch_ctl.preview is not None
                        and win.dispatch_ctl.preview.isVisible(), timeout=30_000)
        left += _chinese_left(win.dispatch_ctl.preview, data)
        win.dispatch_ctl.preview.reject()
        # a cell of the five-colour grid explained, the closed-loop board included
        from cockpit.datasets.evaluation import CLOSED_LOOP

        unit = win.review.evaluation.ranking["unit_code"].iloc[0]
        for column in (CLOSED_LOOP, next(iter(win.board_gauges))):
            before = win.review.breakdown.title.text()
            win.review._on_cell_activated(unit, column)
            qtbot.waitUntil(lambda b=before: win.review.breakdown.title.text() != b,
                            timeout=30_000)
            left += _chinese_left(win.review.breakdown, data)
        win.open_board(next(iter(win.board_gauges)))
        qtbot.waitUntil(lambda: win.board_dialog is not None and win.board_dialog.isVisible(),
                        timeout=30_000)
        left += _chinese_left(win.board_dialog, data)
        win.set_mode("review")
        # the review layout is in place (not merely waited for) before the texts are read
        qtbot.waitUntil(lambda: win.mode == "review" and not win.review.compact
                        and not win.left_split.isVisible(), timeout=10_000)
        left += _chinese_left(win, data)
        assert not left, "Chinese left in the English window:\n" + "\n".join(sorted(set(left)))
    finally:
        win.close()


def test_drill_in_english_shows_only_data_in_chinese(english, qtbot, catalog) -> None:
    data = _data_runs(catalog)
    win = _open_window(qtbot, catalog, "drill", "en")
    try:
        assert win.header.title.text().startswith("Drill · ")
        assert win.watermark.text == "EXERCISE"
        left = _chinese_left(win, data)
        start = win.clock.now()
        win.clock.seek(start.replace(minute=(start.minute + 10) % 60))
        win.finish_drill()
        assert win.after_action is not None and win.after_action.isVisible()
        left += _chinese_left(win.after_action, data)
        assert not left, "Chinese left in the English drill:\n" + "\n".join(sorted(set(left)))
    finally:
        win.close()


def test_chinese_by_default(qtbot, catalog) -> None:
    win = _open_window(qtbot, catalog, "live", "zh")
    try:
        assert win.windowTitle() == "城市运行一屏统揽"
        assert [b.text() for b in win.header.mode_buttons.values()] == ["值守", "晾晒", "演练"]
        texts = [t for _w, t in _shown_texts(win)]
        assert sum(bool(CJK.search(t)) for t in texts) > len(texts) // 2
        assert win.dispatch_panel.orders_title.text() == "派遣工单"
    finally:
        win.close()


def test_after_action_pdf_in_english(english, biogas_drill, tmp_path: Path) -> None:
    from PySide6.QtPdf import QPdfDocument

    from cockpit.printing.drill_pdf import drill_report_html, write_drill_pdf

    sc, rep = biogas_drill
    html = drill_report_html(rep)
    data = {run for t in (sc.title, *(i.title for i in sc.injects), sc.place.get("name", ""))
            for run in CJK.findall(t)}
    assert [run for run in CJK.findall(html) if run not in data] == []
    doc = QPdfDocument(None)
    doc.load(str(write_drill_pdf(rep, tmp_path / "aar.pdf")))
    text = "".join("".join(doc.getAllText(i).text().split()) for i in range(doc.pageCount()))
    assert "After-actionreport" in text and "Perinject" in text and "Acknowledge" in text


def test_quarterly_report_in_english(english, catalog, tmp_path: Path) -> None:
    from cockpit.datasets.report import build_report, write_xlsx
    from cockpit.widgets.words import tr_word
    from openpyxl import load_workbook

    from cockpit.printing.quarter_pdf import report_html

    con = catalog.cursor()
    try:
        rep = build_report(con, mode="quintile")
    finally:
        con.close()
    html = report_html(rep)
    data = _data_runs(catalog)
    assert sorted({run for run in CJK.findall(html) if run not in data}) == []
    assert "6. Method" in html and "rank band 1/5" in html
    wb = load_workbook(write_xlsx(rep, tmp_path / "r.xlsx", tr_word), read_only=True)
    cells = [*wb.sheetnames, *(str(v) for ws in wb for row in ws.iter_rows(values_only=True)
                               for v in row if v is not None)]
    assert sorted({run for t in cells for run in CJK.findall(t) if run not in data}) == []
    assert "KPI scores" in wb.sheetnames
