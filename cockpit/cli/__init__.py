"""The command line, a contract the README documents: the GUI and every subcommand.

Qt is imported only when the GUI runs, so data commands work on a machine without a display.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

MODES = ("live", "review", "drill")


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(x) for x in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"size must look like 1920x1080, not {text!r}") from None
    if not (320 <= w <= 16384 and 240 <= h <= 16384):
        raise argparse.ArgumentTypeError(f"size {w}x{h} is outside 320x240 … 16384x16384")
    return w, h


def _scale(text: str) -> float:
    try:
        x = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"font scale must be a number, not {text!r}") from None
    if not 0.5 <= x <= 3.0:
        raise argparse.ArgumentTypeError(f"font scale {x:g} is outside 0.5 … 3")
    return x


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="cockpit",
        description="城市运行一屏统揽 · City Operations Cockpit. Without a command: open the "
        "window on the default dataset (the demo data is generated on first run).",
    )
    p.add_argument("--data", type=Path, help="dataset directory (default: the built-in demo data)")
    p.add_argument("--screenshot", type=Path, metavar="PNG",
                   help="render offscreen, wait until every panel has drawn, save PNG, exit")
    p.add_argument("--mode", choices=MODES, default="live",
                   help="live 值守 / review 晾晒 / drill 演练")
    p.add_argument("--size", type=_size, default=None, metavar="WxH", help="window size")
    p.add_argument("--lang", choices=("zh", "en"), default=None,
                   help="interface language: zh 中文 or en English (default: the COCKPIT_LANG "
                   "environment variable, else the config file's lang, else zh)")
    p.add_argument("--screen", type=int, default=None, metavar="N",
                   help="open on monitor N (0 = first)")
    p.add_argument("--kiosk", action="store_true", default=None,
                   help="video wall: full screen, no editing controls, rotating focus panel")
    p.add_argument("--font-scale", type=_scale, default=None, metavar="X",
                   help="scale text and interface by X (0.5-3; on top of the automatic "
                   "scaling by window size)")
    p.add_argument("--config", type=Path, default=None, metavar="FILE",
                   help="configuration file (default: $COCKPIT_CONFIG, else "
                   "<user config dir>/config.toml)")
    p.add_argument("--focus", default=None, metavar="CODE|LON,LAT,ZOOM",
                   help="open the map on a unit (admin code or name) or on a point and zoom")
    p.add_argument("--tiles", default=None, metavar="URL|MBTILES",
                   help="base map: an intranet tile URL template (http://host/{z}/{x}/{y}.png) "
                   "or an offline .mbtiles file; default: none (boundaries on dark)")
    p.add_argument("--scenario", default=None, metavar="ID",
                   help="drill scenario (with --mode drill): water-main-burst-yuzhong, …")
    p.add_argument("--resume", default=None, metavar="SESSION",
                   help="continue a drill kept for later (with --mode drill): its session id, "
                   "as `cockpit drill list` shows it")
    p.add_argument("--replay", default=None, metavar="FROM..TO",
                   help="复盘: replay a window of the past read-only (with --mode drill), ISO "
                   "local times, e.g. 2026-11-23T08:00..2026-11-23T20:00")
    p.add_argument("--store", default=None, metavar="PATH|URL",
                   help="the dispatch store: a DuckDB file (default: dispatch.duckdb in the "
                   "user's data directory) or postgresql://user@host/db, the store every seat "
                   "of a centre shares")
    p.add_argument("--report-startup", action="store_true",
                   help="print 'step <name> <seconds>' per start-up step, 'drawn <region> "
                   "<seconds>' as each region first draws and 'first-frame <seconds>' once "
                   "every region has, on stdout (seconds since the start-up code began; the "
                   "bench times from the process's launch)")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    data = sub.add_parser("data", help="generate or validate datasets")
    dsub = data.add_subparsers(dest="data_command", metavar="ACTION", required=True)
    gen = dsub.add_parser("generate", help="write the synthetic demo dataset")
    gen.add_argument("--out", type=Path, required=True, help="output directory")
    gen.add_argument("--scale", choices=("small", "chongqing", "stress"), default="chongqing")
    gen.add_argument("--seed", type=int, default=1)
    gen.add_argument("--anchor", default=None, metavar="YYYY-MM-DD",
                     help="the day the data is about (default: today)")
    gen.add_argument("--district", default=None, metavar="CODE",
                     help="the dataset of one district centre (its streets are ranked)")
    val = dsub.add_parser("validate", help="check a dataset directory, report every problem")
    val.add_argument("dir", type=Path)

    bench = sub.add_parser("bench", help="run the performance benchmarks, write JSON")
    bench.add_argument("--only", default=None, metavar="GROUP",
                       help="data, map, vitals, evaluation, dispatch, replay, seats, route")
    bench.add_argument("--quick", action="store_true", help="small sizes, for CI")
    bench.add_argument("--json", type=Path, required=True, metavar="PATH")
    from cockpit.cli.audit import add_parser as add_audit_parser

    add_audit_parser(sub)
    from cockpit.cli.report import add_parser as add_report_parser

    add_report_parser(sub)
    from cockpit.cli.queue import add_parser as add_queue_parser

    add_queue_parser(sub)
    from cockpit.cli.route import add_parser as add_route_parser

    add_route_parser(sub)
    from cockpit.config import add_parser as add_config_parser

    add_config_parser(sub)
    from cockpit.cli.centre import add_parser as add_centre_parser

    add_centre_parser(sub)
    from cockpit.cli.drill import add_parser as add_drill_parser

    add_drill_parser(sub)
    from cockpit.cli.live import add_parser as add_live_parser

    add_live_parser(sub)
    return p


def _progress_printer(prefix: str):
    last = [-1.0]

    def report(fraction: float, message: str) -> None:
        if fraction - last[0] >= 0.05 or fraction >= 1.0:
            last[0] = fraction
            print(f"{prefix} {fraction * 100:5.1f}%  {message}", file=sys.stderr, flush=True)

    return report


def cmd_generate(args: argparse.Namespace) -> int:
    from cockpit.datasets.generate import generate

    t0 = time.perf_counter()
    try:
        summary = generate(args.out, scale=args.scale, seed=args.seed, anchor=args.anchor,
                           district=args.district, progress=_progress_printer("generate"))
    except ValueError as exc:
        print(f"cockpit data generate: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"cockpit data generate: cannot write {args.out}: {exc}", file=sys.stderr)
        return 1
    rows = ", ".join(f"{k} {v:,}" for k, v in summary.items() if isinstance(v, int))
    print(f"wrote {args.out} in {time.perf_counter() - t0:.1f} s: {rows}")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from cockpit.datasets.catalog import catalog_problems_text
    from cockpit.datasets.validate import validate_dataset

    if not args.dir.is_dir():
        print(f"cockpit data validate: {args.dir} is not a directory", file=sys.stderr)
        return 2
    problems = validate_dataset(args.dir)
    errors = [p for p in problems if p.severity == "error"]
    if problems:
        print(catalog_problems_text(problems))
    print(f"{args.dir}: {len(errors)} error(s), {len(problems) - len(errors)} warning(s)")
    return 1 if errors else 0


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code. A reader that goes away before the
    output ends (``cockpit route … | head -3``) is not an error: the output stops, quietly."""
    try:
        code = _run(argv)
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        if not _stdout_gone():  # another pipe broke (a socket's): not ours to hide
            raise
        # the flush at exit would raise again: stdout goes nowhere from here (the recipe of
        # Python's signal module documentation)
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1


def _stdout_gone() -> bool:
    """Whether nobody reads our standard output any more (a pipe whose reader closed: the
    kernel reports an error condition on its write end); False where that cannot be asked
    (the error is then shown as any other)."""
    import select

    try:
        fd = sys.stdout.fileno()
        poll = select.poll()
    except (AttributeError, OSError, ValueError):
        return False
    poll.register(fd, select.POLLOUT)
    return any(ev & (select.POLLERR | select.POLLHUP) for _fd, ev in poll.poll(0))


def _run(argv: list[str] | None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "data":
        return cmd_generate(args) if args.data_command == "generate" else cmd_validate(args)
    if args.command == "report":
        from cockpit.cli.report import cmd_report

        return cmd_report(args)
    if args.command == "audit":
        from cockpit.cli.audit import cmd_audit_verify

        return cmd_audit_verify(args)
    if args.command == "queue":
        from cockpit.cli.queue import cmd_queue

        return cmd_queue(args)
    if args.command == "route":
        from cockpit.cli.route import cmd_route

        return cmd_route(args)
    if args.command == "config":
        from cockpit.config import cmd_config

        return cmd_config(args)
    if args.command == "drill":
        from cockpit.cli.drill import cmd_drill

        return cmd_drill(args)
    if args.command == "centre":
        from cockpit.cli.centre import cmd_centre

        return cmd_centre(args)
    if args.command in ("ingest", "simulate"):
        from cockpit.cli.live import cmd_ingest, cmd_simulate

        return cmd_ingest(args) if args.command == "ingest" else cmd_simulate(args)
    if args.command == "bench":
        from cockpit.bench import run_bench

        return run_bench(only=args.only, quick=args.quick, json_path=args.json)
    from cockpit.app import run_gui

    return run_gui(args)


if __name__ == "__main__":
    raise SystemExit(main())
