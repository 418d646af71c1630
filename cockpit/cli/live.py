"""``cockpit ingest`` (the intake as its own process; ``ingest quarantine`` lists refused
input) and ``cockpit simulate`` (the demo's live traffic over MQTT and HTTP). No Qt."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

from cockpit.controllers.live_setup import api_keys, default_live_store


def add_parser(sub: Any) -> None:
    ing = sub.add_parser("ingest", help="run the live intake (MQTT + Open311) on a store, or "
                         "list quarantined input")
    ing.add_argument("action", nargs="?", choices=("run", "quarantine"), default="run",
                     help="run (default) or quarantine: list the recent refused input")
    _common(ing)
    ing.add_argument("--http-port", type=int, default=None, metavar="N",
                     help="Open311 port on 127.0.0.1 (default: the config's, 8311; 0 = any)")
    ing.add_argument("-n", type=int, default=30, help="quarantine: how many rows (default 30)")
    ing.add_argument("--duration", type=float, default=None, metavar="S",
                     help="stop after S seconds (default: run until Ctrl-C / SIGTERM)")
    sim = sub.add_parser("simulate", help="publish realistic live traffic (vital signs over "
                         "MQTT, citizen reports over Open311) for the demo")
    _common(sim)
    sim.add_argument("--http", default=None, metavar="URL",
                     help="the Open311 base URL (default http://127.0.0.1:<live.http_port>"
                     "/open311/v2)")
    sim.add_argument("--api-key", default=None, help="the hotline's api_key (default: the "
                     "config's hotline key, else the demo key)")
    sim.add_argument("--per-day", type=float, default=30_000.0,
                     help="citizen reports per day (default 30000)")
    sim.add_argument("--vital-scale", type=float, default=1.0,
                     help="multiply every vital sign's rate (default 1)")
    sim.add_argument("--duration", type=float, default=None, metavar="S",
                     help="stop after S seconds (default: until Ctrl-C)")
    sim.add_argument("--seed", type=int, default=1)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data", type=Path, default=None, help="dataset directory (default: the "
                   "config's, else the demo data)")
    p.add_argument("--store", default=None, metavar="PATH|URL",
                   help="live tables: postgresql://… (the centre's database, shared by every "
                   "seat) or a DuckDB file (default: live.duckdb in the user data directory)")
    p.add_argument("--broker", default=None, metavar="HOST:PORT|local",
                   help="MQTT broker (default: the config's live.broker; local = start one)")
    p.add_argument("--config", type=Path, default=None, metavar="FILE")


def _config(args: argparse.Namespace):
    from cockpit import config as cm

    return cm.load(args.config or cm.default_path())


def _catalog(args: argparse.Namespace, cfg: Any):
    from cockpit import paths
    from cockpit.datasets.catalog import open_catalog

    data = args.data or (Path(cfg.data) if cfg.data else paths.default_dataset_dir())
    return open_catalog(data, paths.catalog_cache_dir())


def _broker(text: str | None) -> tuple[str, int] | None:
    if not text or text == "local":
        return None
    host, _, port = text.rpartition(":")
    return host, int(port)


def _wait(duration: float | None) -> None:
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_a: stop.set())
    stop.wait(duration) if duration is not None else stop.wait()


def cmd_ingest(args: argparse.Namespace) -> int:
    from cockpit import config as cm
    from cockpit.datasets.ingest.store import open_live_store

    try:
        cfg = _config(args)
    except cm.ConfigError as e:
        print(e, file=sys.stderr)
        return cm.EXIT_BAD_CONFIG
    if args.store:
        location = args.store
    else:
        from cockpit import paths

        location = str(default_live_store(args.data or cfg.data or paths.default_dataset_dir()))
    if args.action == "quarantine":
        try:
            store = open_live_store(location)
        except Exception as e:  # noqa: BLE001 - a clear message, not a traceback
            print(f"cockpit ingest quarantine: cannot open {location}: {e}", file=sys.stderr)
            return 1
        rows = store.quarantine_recent(args.n)
        counts = store.counts()
        store.close()
        print(f"{counts['quarantine']} quarantined in all; the {len(rows)} most recent:")
        for r in rows:
            payload = (r["payload"] or "").replace("\n", " ")[:120]
            print(f"{r['received_at']:%Y-%m-%d %H:%M:%S}  {r['channel']:<7} {r['topic'] or ''}"
                  f"\n    {r['reason']}\n    {r['size']} bytes: {payload}")
        return 0
    return run_intake(args, cfg, location)


def run_intake(args: argparse.Namespace, cfg: Any, location: str) -> int:
    from cockpit.datasets.ingest.service import IntakeOptions, LiveService
    from cockpit.datasets.ingest.store import is_pg
    from cockpit.datasets.ingest.validate import Vocabulary

    catalog = _catalog(args, cfg)
    con = catalog.cursor()
    vocab = Vocabulary.from_catalog(con)
    synthetic = bool(catalog.synthetic)
    con.close()
    catalog.close()
    broker = None
    target = _broker(args.broker or cfg.live.broker)
    if target is None:
        from cockpit.services.mosquitto import BrokerUnavailable, LocalBroker

        try:
            broker = LocalBroker()
            broker.start()
        except BrokerUnavailable as e:
            print(f"cockpit ingest: {e}", file=sys.stderr)
            return 1
        target = ("127.0.0.1", broker.port)
    port = cfg.live.http_port if args.http_port is None else args.http_port
    opts = IntakeOptions(broker_host=target[0], broker_port=target[1], http_port=port,
                         prefix=cfg.live.prefix, api_keys=api_keys(cfg, synthetic))
    status_of = None
    if is_pg(location):  # the centre's dispatch store is in the same database
        from cockpit.datasets.dispatch import open_store
        from cockpit.datasets.ingest.open311 import dispatch_status

        try:
            status_of = dispatch_status(open_store(location, read_only=True))
        except Exception as e:  # noqa: BLE001 - requests then read as open
            print(f"cockpit ingest: no dispatch status ({e}); requests read as open",
                  file=sys.stderr)
    try:
        service = LiveService(location, vocab, opts, status_of=status_of)
    except Exception as e:  # noqa: BLE001
        print(f"cockpit ingest: cannot open the live store {location}: {e}", file=sys.stderr)
        if broker:
            broker.close()
        return 1
    service.start()
    print(f"cockpit ingest: MQTT {target[0]}:{target[1]} topics {cfg.live.prefix}/#, "
          f"Open311 {service.http_url}, store {service.store.kind}", flush=True)
    try:
        _wait(args.duration)
    finally:
        service.close()
        if broker:
            broker.close()
    st = service.intake.stats
    print(f"cockpit ingest: received {st.received}, stored {st.stored} readings and "
          f"{st.reports} reports, {st.duplicates} duplicates, {st.quarantined} quarantined")
    return 0


def cmd_simulate(args: argparse.Namespace) -> int:
    from cockpit import config as cm
    from cockpit.datasets.ingest.simulate import SimOptions, TrafficSimulator

    try:
        cfg = _config(args)
    except cm.ConfigError as e:
        print(e, file=sys.stderr)
        return cm.EXIT_BAD_CONFIG
    target = _broker(args.broker or cfg.live.broker)
    if target is None:
        print("cockpit simulate: name the broker with --broker HOST:PORT (or live.broker in "
              "the config); `cockpit` and `cockpit ingest --broker local` start one",
              file=sys.stderr)
        return 2
    catalog = _catalog(args, cfg)
    keys = api_keys(cfg, bool(catalog.synthetic))
    http = args.http or f"http://127.0.0.1:{cfg.live.http_port}/open311/v2"
    opts = SimOptions(broker_host=target[0], broker_port=target[1], http_url=http,
                      api_key=args.api_key or keys.get("hotline"), grid_api_key=keys.get("grid"),
                      prefix=cfg.live.prefix, per_day=args.per_day,
                      vital_scale=args.vital_scale, seed=args.seed)
    con = catalog.cursor()
    sim = TrafficSimulator(con, opts, catalog.cursor())
    print(f"cockpit simulate: {len(sim.signs)} vital signs to {target[0]}:{target[1]}, "
          f"{args.per_day:,.0f} reports/day to {http}", flush=True)
    t0 = time.time()
    sim.start()
    try:
        _wait(args.duration)
    finally:
        sim.stop()
        con.close()
        catalog.close()
    c = sim.counts
    print(f"cockpit simulate: {time.time() - t0:.0f} s, {c.vitals} readings, {c.reports} "
          f"reports, {c.report_errors} refused ({c.last_error[:100]})")
    return 0
