"""`cockpit report`: the quarter's PDF and XLSX without the window.

    cockpit report --period 2026Q3 --out DIR [--data DIR] [--mode absolute|quintile] [--lang en]

Writes ``DIR/cockpit-report-<period>-<mode>.pdf`` and ``.xlsx``. Like the GUI it reads the
config file: without ``--data`` the config's ``data``, else the default dataset (the demo data,
generated on first use); without ``--lang`` ``COCKPIT_LANG``, else the config's ``lang``. The
closed-loop board comes from the dispatch store (``--store``, else the config's, else the
default), opened read-only; one held by a running cockpit is read from a copy, and what cannot
be read is printed on stderr and in the report's closed-loop section. Exit codes: 0 ok; 1 the
dataset has problems or a file cannot be written; 2 bad arguments (an unknown quarter, a
dataset path that is not a directory); 5 the config file has problems.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add ``report`` to the CLI's subcommands (a helper; the CLI may spell it out)."""
    rep = sub.add_parser("report", help="write the quarter's evaluation report (PDF + XLSX)")
    rep.add_argument("--period", default=None, metavar="YYYYQn",
                     help="quarter, like 2026Q3 (default: the latest with KPI values)")
    rep.add_argument("--out", type=Path, required=True, help="output directory")
    # SUPPRESS: without it the subcommand's default would hide the global --data / --lang
    rep.add_argument("--data", type=Path, default=argparse.SUPPRESS,
                     help="dataset directory (default: the config file's data, else the "
                     "built-in demo data)")
    rep.add_argument("--mode", choices=("absolute", "quintile"), default="absolute",
                     help="five colours by score thresholds or by rank quintiles (晾晒)")
    rep.add_argument("--lang", choices=("zh", "en"), default=argparse.SUPPRESS,
                     help="language of the PDF and XLSX (default: COCKPIT_LANG, else the "
                     "config file's lang, else zh)")
    rep.add_argument("--store", default=None, metavar="PATH|URL",
                     help="dispatch store for the closed-loop board, read only (default: the "
                          "config's, else the dataset's own store)")
    return rep


def _orders(args: argparse.Namespace, cfg, data_dir: Path):
    """The dispatch orders for the closed-loop board, and why they are missing (or a copy):
    ``--store``, else the config's store, else the dataset's own. A store held by a running
    cockpit is read from a copy; what cannot be read is said."""
    from cockpit.controllers.store import default_store_path
    from cockpit.datasets.report import read_orders

    location = getattr(args, "store", None) or cfg.store
    return read_orders(location or default_store_path(data_dir))


def report_paths(out: Path, period: str, mode: str) -> tuple[Path, Path]:
    stem = f"cockpit-report-{period}-{mode}"
    return out / f"{stem}.pdf", out / f"{stem}.xlsx"


def cmd_report(args: argparse.Namespace) -> int:
    """Run ``cockpit report``; returns the exit code."""
    from cockpit import config as config_mod
    from cockpit import paths
    from cockpit.datasets.catalog import DatasetInvalid, catalog_problems_text, open_catalog

    t0 = time.perf_counter()
    cfg, _origin, _path, problems = config_mod.effective(args)
    if problems:
        for p in problems:
            print(p, file=sys.stderr)
        return config_mod.EXIT_BAD_CONFIG
    data_dir = Path(cfg.data or paths.default_dataset_dir()).expanduser()
    period = getattr(args, "period", None)
    mode = getattr(args, "mode", None) or "absolute"
    if cfg.data is None and not (data_dir / "dataset.json").exists():
        from cockpit.datasets.generate import generate

        print(f"cockpit report: generating the demo dataset into {data_dir} …", file=sys.stderr)
        try:
            generate(data_dir, scale="chongqing", seed=1)
        except OSError as exc:
            print(f"cockpit report: cannot write the demo data: {exc}", file=sys.stderr)
            return 1
    if not data_dir.is_dir():
        print(f"cockpit report: {data_dir} is not a directory", file=sys.stderr)
        return 2
    try:
        catalog = open_catalog(data_dir, paths.catalog_cache_dir())
    except DatasetInvalid as exc:
        print(f"cockpit report: the dataset has problems\n{catalog_problems_text(exc.problems)}",
              file=sys.stderr)
        return 1
    try:
        from cockpit.datasets.report import build_report, write_xlsx

        orders, note = _orders(args, cfg, data_dir)
        if note:
            print(f"cockpit report: closed loop: {note}", file=sys.stderr)
        con = catalog.cursor()
        try:
            try:
                rep = build_report(con, period, mode, orders, orders_note=note)
            except ValueError as exc:
                print(f"cockpit report: {exc}", file=sys.stderr)
                return 2
        finally:
            con.close()
        pdf, xlsx = report_paths(Path(args.out), rep.period, mode)
        try:
            _ensure_gui_app()
            from PySide6.QtGui import QGuiApplication

            from cockpit.i18n import install_translator
            from cockpit.language import resolve_language
            from cockpit.printing.quarter_pdf import write_pdf
            from cockpit.widgets.words import tr_word

            install_translator(QGuiApplication.instance(),
                               resolve_language(getattr(args, "lang", None), cfg.lang))
            write_xlsx(rep, xlsx, tr_word)

            write_pdf(rep, pdf)
        except OSError as exc:
            print(f"cockpit report: cannot write to {args.out}: {exc}", file=sys.stderr)
            return 1
    finally:
        catalog.close()
    print(f"wrote {pdf} and {xlsx} ({rep.period}, {mode}, {len(rep.evaluation.ranking)} units) "
          f"in {time.perf_counter() - t0:.1f} s")
    return 0


def _ensure_gui_app() -> None:
    """Qt's PDF writer and fonts need a QGuiApplication; offscreen without a display."""
    if (not os.environ.get("QT_QPA_PLATFORM") and sys.platform.startswith("linux")
            and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY")):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtGui import QGuiApplication

    if QGuiApplication.instance() is None:
        _ensure_gui_app.app = QGuiApplication(sys.argv[:1])  # type: ignore[attr-defined]
