"""Two real cockpit windows (offscreen) on one PostgreSQL dispatch store: a manual check.

    .venv/bin/python scripts/two_seats.py --data DIR [--out DIR]

Starts a throw-away PostgreSQL server (cockpit.services.pg_server), then two processes, each a full
MainWindow with ``store=<url>`` (what ``cockpit --store URL`` opens) and its own data/cache
homes under OUT. Seat B waits; seat A dispatches the newest new event through the preview;
B sees the orders and acknowledges one; A sees B's action; A dispatches three more events a
few seconds apart and B times each; then the server is stopped for 6 s under them: A shows
the disconnected banner (screenshot ``seatA_disconnected.png``), refuses a dispatch, and
reconnects by itself when the server is back. Prints both seats' logs with wall-clock times,
then ``cockpit audit verify`` of the store. Exit 0 when both seats got through.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def seat(role: str, url: str, data: Path, out: Path) -> int:
    from PySide6.QtCore import QCoreApplication, QEventLoop, Qt
    from PySide6.QtWebEngineWidgets import QWebEngineView  # noqa: F401 - before the app
    from PySide6.QtWidgets import QApplication

    QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
    from cockpit.widgets.map_view import register_tile_scheme

    register_tile_scheme()
    app = QApplication(sys.argv[:1])
    from cockpit.datasets.catalog import open_catalog
    from cockpit.widgets import theme

    from cockpit import paths
    from cockpit.window import MainWindow

    theme.apply(app)
    win = MainWindow(open_catalog(data, paths.catalog_cache_dir()), store=url)
    win.resize(1920, 1080)
    win.show()
    win.start()
    ctl, panel = win.dispatch_ctl, win.dispatch_panel

    def log(msg: str) -> None:
        print(f"{time.time():.3f} seat {role}: {msg}", flush=True)

    def wait(cond, timeout: float, what: str) -> None:
        end = time.monotonic() + timeout
        while not cond():
            if time.monotonic() > end:
                log(f"TIMEOUT waiting for {what}")
                sys.exit(1)
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
            time.sleep(0.01)

    def pause(seconds: float) -> None:
        end = time.monotonic() + seconds
        wait(lambda: time.monotonic() > end, seconds + 5, "a pause")

    def dispatch_newest() -> list[str]:
        done: dict = {}
        ctl.sig_dispatched.connect(lambda eid, ids: done.update(eid=eid, ids=ids))
        ctl.request_dispatch(next(r for r in ctl.event_rows if r["state"] == "new"))
        wait(lambda: ctl.preview is not None and ctl.preview.isVisible(), 60, "the preview")
        ctl.preview.confirm()
        wait(lambda: "ids" in done, 30, "the commit")
        log(f"dispatched event {done['eid']} -> {', '.join(done['ids'])}")
        return done["ids"]

    wait(lambda: "events" in win.drawn, 180, "the dispatch panel")
    log(f"window up on {win.store!r}")
    ready, stop_now = out / "B.ready", out / "stop.now"
    if role == "A":
        wait(ready.exists, 300, "seat B")
        ids = set(dispatch_newest())

        def acted():
            return [o for o in ctl.order_rows if o["order_id"] in ids and o["state"] != "created"]
        wait(acted, 60, "seat B's action")
        for o in acted():
            seats = ", ".join(f"{r.action}@{r.seat}"
                              for r in win.store.history(o["order_id"]).itertuples())
            log(f"sees {o['order_id']} {o['state']} (log: {seats})")
        for _ in range(3):
            pause(4)
            dispatch_newest()
        stop_now.touch()
        wait(lambda: ctl.disconnected_reason() is not None, 60, "the disconnect")
        log(f"banner: {panel.banner.text()}")
        pause(0.5)
        win.grab().save(str(out / "seatA_disconnected.png"))
        ctl.request_dispatch(next(r for r in ctl.event_rows if r["state"] == "new"))
        log(f"a dispatch while down: {panel.message.text()}")
        wait(lambda: ctl.disconnected_reason() is None, 120, "the reconnect")
        log(f"reconnected; banner shown: {panel.banner.isVisible()}; "
            f"{len(ctl.order_rows)} orders on screen")
    else:
        known = {o["order_id"] for o in ctl.order_rows}
        ready.touch()

        def new():
            return [o for o in ctl.order_rows if o["order_id"] not in known]
        for k in range(4):
            wait(new, 120, "seat A's dispatch")
            log("sees " + ", ".join(f"{o['order_id']} {o['state']}" for o in new()))
            if k == 0:
                o = new()[0]
                ctl.request_action(o["order_id"], o["next_actions"][0])
                wait(lambda o=o: any(x["order_id"] == o["order_id"] and x["state"] != o["state"]
                                     for x in ctl.order_rows), 30, "own action")
                log(f"recorded {o['next_actions'][0]} on {o['order_id']}")
            known |= {o["order_id"] for o in new()}
    pause(0.5)
    win.grab().save(str(out / f"seat{role}.png"))
    win.close()
    return 0


def main() -> int:
    import argparse

    from cockpit.services.pg_server import ThrowawayPostgres

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, required=True, help="a dataset directory")
    ap.add_argument("--out", type=Path, default=None, help="screenshots and homes (default: tmp)")
    a = ap.parse_args()
    out = (a.out or Path(tempfile.mkdtemp(prefix="two-seats-"))).resolve()
    out.mkdir(parents=True, exist_ok=True)
    for f in ("B.ready", "stop.now"):
        (out / f).unlink(missing_ok=True)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen",
           "QTWEBENGINE_CHROMIUM_FLAGS": os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS",
                                                        "--no-sandbox --disable-gpu")}
    with ThrowawayPostgres() as pg:
        url = pg.create_database("centre")
        procs = {}
        for role in ("B", "A"):
            e = {**env, "COCKPIT_DATA_HOME": str(out / f"home{role}"),
                 "COCKPIT_CACHE_HOME": str(out / f"cache{role}")}
            procs[role] = subprocess.Popen(
                [sys.executable, "-P", __file__, "--seat", role, url, str(a.data.resolve()),
                 str(out)],
                env=e, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        end = time.monotonic() + 600
        while not (out / "stop.now").exists() and procs["A"].poll() is None \
                and time.monotonic() < end:
            time.sleep(0.2)
        if (out / "stop.now").exists():
            print(f"{time.time():.3f} server: stop", flush=True)
            pg.stop("fast")
            time.sleep(6)
            pg.start()
            print(f"{time.time():.3f} server: started again", flush=True)
        lines, codes = [], {}
        for role, p in procs.items():
            o, _ = p.communicate(timeout=600)
            lines += o.splitlines()
            codes[role] = p.returncode
        for line in sorted(lines):
            print(line)
        audit = subprocess.run([sys.executable, "-P", "-m", "cockpit", "audit", "verify", url],
                               capture_output=True, text=True)
        print(audit.stdout.strip() or audit.stderr.strip())
    print(f"screenshots in {out}")
    return 0 if codes == {"A": 0, "B": 0} and audit.returncode == 0 else 1


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "--seat":
        sys.exit(seat(sys.argv[2], sys.argv[3], Path(sys.argv[4]), Path(sys.argv[5])))
    sys.exit(main())
