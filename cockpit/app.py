"""Start the GUI: find or generate the dataset, open its catalog, show the window.

Long steps (generating the demo data, building the catalog) run off the GUI thread with a
progress dialog; a bad dataset shows the list of its problems and never half-loads.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import sys
import time
from datetime import datetime
from pathlib import Path

T_START = time.perf_counter()
log = logging.getLogger("cockpit")


def auto_scale(width: int, height: int) -> float:
    """The interface scale that makes a window of this size show what 1920×1080 shows: 4K
    → 2, 1440p → 1.33, a 5760×1080 wall → 1 (it is 1080 high), 7680×2160 → 2."""
    return max(1.0, min(width / 1920, height / 1080))


def interface_scale(size: tuple[int, int], font_scale: float, auto: bool) -> float:
    """The factor for ``QT_SCALE_FACTOR``: the automatic scale times the font scale, kept so
    that the window stays at least 1280×720 logical pixels (the window's minimum)."""
    w, h = size
    f = (auto_scale(w, h) if auto else 1.0) * font_scale
    return round(max(0.5, min(f, w / 1280, h / 720)), 4)


def _prepare_environment(args: argparse.Namespace, scale: float = 1.0) -> None:
    """Qt settings that must be in place before the QApplication exists."""
    if abs(scale - 1.0) > 1e-3 and not os.environ.get("QT_SCALE_FACTOR"):
        os.environ["QT_SCALE_FACTOR"] = f"{scale:g}"
    if args.screenshot and not os.environ.get("QT_QPA_PLATFORM"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    if (not os.environ.get("QT_QPA_PLATFORM") and sys.platform.startswith("linux")
            and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY")):
        print("cockpit: no display found (DISPLAY is not set); running offscreen. "
              "Use --screenshot PNG to see the window, or run under a desktop or Xvfb.",
              file=sys.stderr)
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    flags = os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS", "")
    if hasattr(os, "geteuid") and os.geteuid() == 0 and "--no-sandbox" not in flags:
        flags += " --no-sandbox"
    if os.environ.get("QT_QPA_PLATFORM") == "offscreen" and "--disable-gpu" not in flags:
        flags += " --disable-gpu"
    os.environ["QTWEBENGINE_CHROMIUM_FLAGS"] = flags.strip()
    os.environ.setdefault("QT_LOGGING_RULES", "qt.webenginecontext.debug=false")


def _state_file() -> Path:
    from cockpit import paths

    return paths.data_dir() / "state.json"


def _remember_good_dataset(path: Path) -> None:
    f = _state_file()
    try:
        f.parent.mkdir(parents=True, exist_ok=True)
        tmp = f.with_suffix(".tmp")
        tmp.write_text(json.dumps({"last_good_dataset": str(path)}), "utf-8")
        tmp.replace(f)
    except OSError as exc:  # a full disk must not stop the cockpit
        log.warning("could not remember the dataset: %s", exc)


def _last_good_dataset() -> Path | None:
    try:
        p = json.loads(_state_file().read_text("utf-8")).get("last_good_dataset")
    except (OSError, ValueError, AttributeError):
        return None
    return Path(p) if p and Path(p).is_dir() else None


def _demo_is_stale(data_dir: Path) -> bool:
    """The built-in demo dataset is missing or was made for another day."""
    from datetime import date

    try:
        manifest = json.loads((data_dir / "dataset.json").read_text("utf-8"))
    except (OSError, ValueError):
        return True
    return manifest.get("synthetic") is True and manifest.get("anchor") != date.today().isoformat()


def _resolve_focus(catalog, text: str) -> tuple[float, float, float] | None:
    """LON,LAT,ZOOM, or a unit's code or name (its position and a zoom for its level)."""
    parts = text.split(",")
    if len(parts) == 3:
        try:
            lon, lat, zoom = (float(x) for x in parts)
        except ValueError:
            return None
        return (lon, lat, zoom) if -180 <= lon <= 180 and -90 <= lat <= 90 else None
    from cockpit.layers.search import search

    con = catalog.cursor()
    try:
        hits = [h for h in search(con, text) if h["kind"] == "unit"]
    finally:
        con.close()
    return (hits[0]["lon"], hits[0]["lat"], hits[0]["zoom"]) if hits else None


def _rescale_for_screen(app, screen, cfg) -> None:
    """An interactive start without --size: if the target screen wants another interface
    scale (a 4K screen the desktop runs at 100 %, a font scale), start again with it — Qt's
    scale factor is fixed when the application is made. Nothing else has happened yet."""
    if os.environ.get("QT_SCALE_FACTOR") or os.environ.get("COCKPIT_RESCALED") or screen is None:
        return
    g = screen.geometry()
    scale = interface_scale((g.width(), g.height()), cfg.font_scale, cfg.auto_scale)
    if abs(scale - 1.0) < 0.05 or not getattr(sys, "orig_argv", None):
        return
    os.environ["QT_SCALE_FACTOR"] = f"{scale:g}"
    os.environ["COCKPIT_RESCALED"] = "1"
    log.info("re-starting with QT_SCALE_FACTOR=%g for a %dx%d screen", scale, g.width(),
             g.height())
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, [sys.executable, *sys.orig_argv[1:]])


def _redacted(url: str) -> str:
    from cockpit.datasets.dispatch.pg_store import redacted

    return redacted(url)


class StepProgress:
    """Progress of work on the GUI thread (building the window): each ``(fraction, text)``
    call updates a progress dialog and lets it paint (on stderr without a window). ``text``
    is a source text of the "app" context, said in the interface language (and English on
    stderr)."""

    def __init__(self, startup: Startup, title: tuple[str, str]) -> None:
        self.startup = startup
        self.title = title
        self.dlg = startup.progress_dialog(title[0])
        self.said: list[tuple[float, str]] = []

    def __call__(self, fraction: float, text: str) -> None:
        shown, english = self.startup.both(text)
        self.said.append((fraction, english))
        if self.dlg is not None:
            self.dlg.setValue(int(fraction * 100))
            self.dlg.setLabelText(f"{self.title[0]}\n{shown}")
            self.startup.app.processEvents()
        else:
            print(f"cockpit: {self.title[1]} {fraction * 100:3.0f}% {english}", file=sys.stderr)

    def close(self) -> None:
        if self.dlg is not None:
            self.dlg.close()
            self.dlg = None

    def __enter__(self) -> StepProgress:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()


def run_gui(args: argparse.Namespace) -> int:
    """Start the cockpit's window (the GUI side of the command line); returns the exit code."""
    import_data_libraries()
    return Startup(args).run()


#: The libraries every start needs that do not use Qt, imported before it.
DATA_LIBRARIES = ("numpy", "pyarrow", "pandas", "duckdb")


def import_data_libraries() -> None:
    """Import :data:`DATA_LIBRARIES` before Qt. Once PySide6 is imported its import hook looks
    at every module imported after it (reading the module's source, to see whether it uses
    PySide's ``__feature__`` switches): pandas alone is some 250 modules, about a sixth of a
    second of a start-up on the 2-core machine. Imported first, they are looked at never."""
    import importlib

    for name in DATA_LIBRARIES:
        importlib.import_module(name)


class Startup:
    """One start of the GUI as named steps, in order: the configuration, the Qt application
    and its language, the screen, the one-instance lock, the dataset (the demo generated when
    stale), the catalog, the window, then the event loop. A step returns an exit code to stop
    with (after saying why, in the window's language and on stderr), or None to go on."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.headless = bool(args.screenshot)
        self.size = args.size or ((1920, 1080) if args.screenshot else None)
        self.app = None
        self.lock = None
        self.catalog = None
        self.win = None
        self.map_view = None
        self.tiles: tuple[str | None, object] = (None, None)
        self.screen_index: int | None = None

    def run(self) -> int:
        steps = (self.read_config, self.make_app, self.check_screen, self.take_lock,
                 self.find_dataset, self.open_catalog, self.start_map, self.ask_password,
                 self.make_window)
        try:
            for step in steps:
                t0 = time.perf_counter()
                code = step()
                if self.args.report_startup:
                    print(f"step {step.__name__} {time.perf_counter() - t0:.3f}", flush=True)
                if code is not None:
                    return code
            return self.show_and_wait()
        finally:
            if self.map_view is not None and self.win is None:  # stopped before the window
                self.map_view.dispose()
            if self.catalog is not None:
                self.catalog.close()
            if self.lock is not None:
                self.lock.unlock()

    # ------------------------------------------------------------------ saying what went wrong

    def both(self, text: str, prefix: str = "", **kw) -> tuple[str, str]:
        """(interface language, English) of a message: the window shows the first, stderr
        the second."""
        from PySide6.QtCore import QCoreApplication

        from cockpit.i18n import english

        return (prefix + QCoreApplication.translate("app", text).format(**kw),
                prefix + english("app", text).format(**kw))

    def fail(self, title: tuple[str, str] | str, text: tuple[str, str] | str, code: int) -> int:
        """Say what went wrong: in a message box (interface language) and on stderr; a
        (interface language, English) pair from both(), or one text for both."""
        title = (title, title) if isinstance(title, str) else title
        text = (text, text) if isinstance(text, str) else text
        head = title[0] if title[0] == title[1] else f"{title[0]} · {title[1]}"
        print(f"cockpit: {head}\n{text[1]}", file=sys.stderr)
        if not self.headless and os.environ.get("QT_QPA_PLATFORM") != "offscreen":
            from PySide6.QtWidgets import QMessageBox

            QMessageBox.critical(None, title[0], text[0][:4000])
        return code

    # ------------------------------------------------------------------ the steps

    def read_config(self) -> int | None:
        """The config file and the command line; Qt's environment before the app exists."""
        from cockpit import config as config_mod

        self.config_path = self.args.config or config_mod.default_path()
        self.config_problems: list = []
        try:
            # a file named with --config must exist: a typo in its path is not the defaults
            self.cfg = config_mod.from_args(
                config_mod.load(self.config_path, required=self.args.config is not None),
                self.args)
        except config_mod.ConfigError as exc:
            self.config_problems = exc.problems
            self.cfg = config_mod.from_args(config_mod.Config(), self.args)
        scale = (interface_scale(self.size, self.cfg.font_scale, self.cfg.auto_scale)
                 if self.size else 1.0)
        _prepare_environment(self.args, scale)
        logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
        return None

    def make_app(self) -> int | None:
        """The QApplication, its language and theme; a bad config file stops here, before
        anything is opened or written."""
        from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
        from PySide6.QtWebEngineWidgets import QWebEngineView  # noqa: F401 - before the app
        from PySide6.QtWidgets import QApplication

        from cockpit import config as config_mod
        from cockpit.i18n import install_translator
        from cockpit.language import resolve_language
        from cockpit.widgets import theme
        from cockpit.widgets.map_view import register_tile_scheme

        QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
        register_tile_scheme()
        self.fresh = QApplication.instance() is None
        self.app = QApplication.instance() or QApplication(sys.argv[:1])
        self.app.setApplicationName("cockpit")
        # before any widget reads its texts
        self.lang = install_translator(self.app, resolve_language(
            getattr(self.args, "lang", None), self.cfg.lang))
        theme.apply(self.app)
        if self.config_problems:
            return self.fail(
                self.both(QT_TRANSLATE_NOOP("app", "配置文件有问题")),
                self.both(QT_TRANSLATE_NOOP("app",
                                            "请修改该文件（cockpit config check）后重新启动。"),
                          "\n".join(str(p) for p in self.config_problems) + "\n\n"),
                config_mod.EXIT_BAD_CONFIG)
        return None

    def check_screen(self) -> int | None:
        """--screen N (or kiosk.screen) names a screen this machine has."""
        from PySide6.QtCore import QT_TRANSLATE_NOOP

        args, cfg = self.args, self.cfg
        self.screens = self.app.screens()
        self.screen_index = args.screen if args.screen is not None else (
            cfg.kiosk.screen if cfg.kiosk.enabled else None)
        n = len(self.screens)
        if self.screen_index is not None and not 0 <= self.screen_index < n:
            source = (f"--screen {args.screen}" if args.screen is not None
                      else f"kiosk.screen = {self.screen_index} in {self.config_path}")
            return self.fail(self.both(QT_TRANSLATE_NOOP("app", "没有该屏幕")),
                             self.both(QT_TRANSLATE_NOOP("app",
                                                         "本机有 {n} 块屏幕，编号 0 到 {last}。"),
                                       f"{source}: ", n=n, last=n - 1), 2)
        if self.fresh and self.size is None and not self.headless:
            _rescale_for_screen(self.app, self.screens[self.screen_index]
                                if self.screen_index is not None else self.app.primaryScreen(),
                                cfg)
        return None

    def take_lock(self) -> int | None:
        """One interactive cockpit per user and dataset; screenshots may run beside it, and
        so may one drill or replay (it writes no live record)."""
        from PySide6.QtCore import QT_TRANSLATE_NOOP, QLockFile

        from cockpit import paths

        self.data_arg = Path(self.cfg.data) if self.cfg.data else None
        self.data_dir = (self.data_arg or paths.default_dataset_dir()).expanduser().resolve()
        if self.headless:
            return None
        paths.data_dir().mkdir(parents=True, exist_ok=True)
        key = hashlib.sha1(str(self.data_dir).encode()).hexdigest()[:12]
        if self.args.mode == "drill":
            key += "-drill"
        lock = QLockFile(str(paths.data_dir() / f"instance-{key}.lock"))
        lock.setStaleLockTime(0)
        if lock.tryLock(100):
            self.lock = lock
            return None
        # PySide6 gives (pid, hostname, appname); other bindings prepend an ok flag
        info = [x for x in lock.getLockInfo() if not isinstance(x, bool)]
        pid, host = (info + ["?", "?"])[:2]
        return self.fail(self.both(QT_TRANSLATE_NOOP("app", "另一个驾驶舱正在运行")),
                         self.both(QT_TRANSLATE_NOOP("app",
                                                     "数据集 {data} 的驾驶舱已在运行（{host} "
                                                     "上的进程 {pid}）。请切换到该窗口，"
                                                     "或先将其关闭。"),
                                   data=self.data_dir, pid=pid, host=host),
                         3)

    def find_dataset(self) -> int | None:
        """The dataset directory; the demo is generated on first run and again on a new day,
        so that it always shows "today" (places stay the same: they depend on the seed only)."""
        from PySide6.QtCore import QT_TRANSLATE_NOOP

        if self.data_arg is None and _demo_is_stale(self.data_dir):
            from cockpit.datasets.generate import generate

            try:
                self.run_with_progress(
                    self.both(QT_TRANSLATE_NOOP("app", "正在生成今日演示数据"))[0],
                    # the history ends now: the live feed continues it (datasets/ingest/demo.py)
                    lambda p: generate(self.data_dir, scale="chongqing", seed=1, progress=p,
                                       until=datetime.now()))
            except OSError as exc:
                return self.fail(self.both(QT_TRANSLATE_NOOP("app", "无法生成演示数据")),
                                 self.both(QT_TRANSLATE_NOOP("app", "写入 {path} 失败：{error}"),
                                           path=self.data_dir, error=exc), 1)
        if not self.data_dir.is_dir():
            return self.fail(self.both(QT_TRANSLATE_NOOP("app", "数据集不存在")),
                             self.both(QT_TRANSLATE_NOOP("app", "{path} 不是一个目录。"),
                                       path=self.data_dir), 2)
        return None

    def open_catalog(self) -> int | None:
        """The catalog (reused when the files have not changed); a bad dataset falls back to
        the last good one in an interactive start, and stops a screenshot."""
        from PySide6.QtCore import QT_TRANSLATE_NOOP

        from cockpit import paths
        from cockpit.datasets.catalog import catalog_problems_text
        from cockpit.datasets.catalog import open_catalog as open_cat

        def open_it(path: Path):
            return self.run_with_progress(
                self.both(QT_TRANSLATE_NOOP("app", "正在载入数据"))[0],
                lambda p: open_cat(path, paths.catalog_cache_dir(), progress=p))

        bad = self.both(QT_TRANSLATE_NOOP("app", "数据集有问题"))
        try:
            self.catalog = open_it(self.data_dir)
        except OSError as exc:
            return self.fail(self.both(QT_TRANSLATE_NOOP("app", "无法读取数据集")),
                             f"{self.data_dir}: {exc}", 1)
        except Exception as exc:
            # the validation code is imported only when a dataset is bad (start-up time)
            from cockpit.datasets.validate import DatasetInvalid

            if not isinstance(exc, DatasetInvalid):
                raise
            report = catalog_problems_text(exc.problems)
            previous = _last_good_dataset()
            if not (previous and previous != self.data_dir and not self.headless):
                return self.fail(bad, f"{self.data_dir}\n\n{report}", 1)
            self.fail(bad, self.both(QT_TRANSLATE_NOOP("app", "继续使用上一个数据集：{path}"),
                                     f"{self.data_dir}\n\n{report}\n\n", path=previous), 0)
            self.catalog = open_it(previous)
        _remember_good_dataset(self.catalog.data_dir)
        return None

    def start_map(self) -> int | None:
        """The map page, loading from here on: QtWebEngine starts its processes and lays out
        the page (over a second, the slowest first draw) while the window is built. Its
        reports wait for the window (:meth:`MapView.hold_signals`)."""
        from cockpit.controllers.map import load_city_page
        from cockpit.widgets.map_view import MapView

        code, tiles, mbtiles = self._tiles()
        if code is not None:
            return code
        self.tiles = (tiles, mbtiles)
        self.map_view = view = MapView()
        view.hold_signals()
        if mbtiles is not None:  # the page's first tiles ask for it
            view.set_tile_source(mbtiles.tile, mbtiles.mime)
        elif tiles:
            view.allow_origin(tiles)
        load_city_page(view, self.catalog, self.lang, tiles)
        return None

    def ask_password(self) -> int | None:
        """A shared store whose server wants a password that neither the URL, ``PGPASSWORD``,
        a pgpass nor a service file gives: ask once, at start (libpq then uses it for every
        connection of this process)."""
        from PySide6.QtCore import QT_TRANSLATE_NOOP
        from PySide6.QtWidgets import QInputDialog, QLineEdit

        from cockpit.datasets.dispatch.centres import needs_password

        url = getattr(self.args, "store", None) or self.cfg.store
        if self.headless or not url or not needs_password(str(url)):
            return None
        text, ok = QInputDialog.getText(
            None, self.both(QT_TRANSLATE_NOOP("app", "派遣库登录"))[0],
            self.both(QT_TRANSLATE_NOOP("app", "{url} 的密码："), url=_redacted(str(url)))[0],
            QLineEdit.EchoMode.Password)
        if ok and text:
            os.environ["PGPASSWORD"] = text
        return None

    def _tiles(self) -> tuple[int | None, str | None, object]:
        """(exit code, tile URL, MBTiles or None) from --tiles / the config's tiles."""
        from PySide6.QtCore import QT_TRANSLATE_NOOP

        from cockpit.layers.page import TILE_SCHEME_URL

        tiles = self.cfg.tiles
        if not tiles or tiles.startswith(("http://", "https://")):
            return None, tiles, None
        from cockpit.datasets.tiles import MBTiles

        unreadable = self.both(QT_TRANSLATE_NOOP("app", "底图文件无法读取"))
        try:
            return None, TILE_SCHEME_URL, MBTiles(Path(tiles).expanduser())
        except (OSError, ValueError) as exc:
            return self.fail(unreadable, f"--tiles {tiles}: {exc}", 2), None, None
        except Exception as exc:  # noqa: BLE001 - sqlite3.DatabaseError for a non-MBTiles file
            return self.fail(unreadable,
                             self.both(QT_TRANSLATE_NOOP("app", "不是 MBTiles 文件（{error}）"),
                                                   f"--tiles {tiles}: ", error=exc), 2), None, None

    def _replay_window(self) -> tuple[int | None, object]:
        """(exit code, the --replay FROM..TO window inside the data, or None)."""
        from PySide6.QtCore import QT_TRANSLATE_NOOP

        args = self.args
        if not getattr(args, "replay", None):
            return None, None
        from cockpit.datasets.summary import data_time_range
        from cockpit.window import parse_replay_window

        cannot = self.both(QT_TRANSLATE_NOOP("app", "无法开始复盘"))
        if args.mode != "drill" or args.scenario or getattr(args, "resume", None):
            return self.fail(cannot, self.both(QT_TRANSLATE_NOOP(
                "app", "--replay 须与 --mode drill 同用，且不能带 --scenario。")), 2), None
        try:
            return None, parse_replay_window(args.replay, *data_time_range(self.catalog.con))
        except ValueError as exc:
            return self.fail(cannot, str(exc), 2), None

    def make_window(self) -> int | None:
        """The main window with its base map, replay window, focus, size, screen and wall."""
        from PySide6.QtCore import QT_TRANSLATE_NOOP

        with StepProgress(self, self.both(QT_TRANSLATE_NOOP("app", "正在打开窗口"))) as steps:
            return self._make_window(steps)

    def _make_window(self, steps: StepProgress) -> int | None:
        from PySide6.QtCore import QT_TRANSLATE_NOOP

        from cockpit import wall

        # building the window takes seconds on a big dataset: its steps are shown as the
        # catalog's are, the first being the import of the window's modules (about a second)
        steps(0.0, QT_TRANSLATE_NOOP("app", "载入界面模块"))
        from cockpit.window import MainWindow

        args, cfg = self.args, self.cfg
        tiles, _mbtiles = self.tiles
        code, replay = self._replay_window()
        if code is not None:
            return code
        if getattr(args, "resume", None) and args.mode != "drill":
            need_drill = QT_TRANSLATE_NOOP("app", "--resume 须与 --mode drill 同用。")
            return self.fail(self.both(QT_TRANSLATE_NOOP("app", "无法开始演练")),
                             self.both(need_drill), 2)
        try:
            from cockpit.controllers.live import live_enabled

            self.win = win = MainWindow(self.catalog, mode=args.mode, lang=self.lang, tiles=tiles,
                                        scenario=args.scenario, replay=replay, config=cfg,
                                        resume=getattr(args, "resume", None),
                                        store=getattr(args, "store", None) or cfg.store,
                                        live=live_enabled(cfg, screenshot=self.headless),
                                        progress=steps, early_start=True,
                                        map_view=self.map_view)
        except ValueError as exc:  # an unknown drill scenario
            return self.fail(self.both(QT_TRANSLATE_NOOP("app", "无法开始演练")), str(exc), 2)
        steps.close()
        if not args.focus and win.levels_ctl.enabled:  # a centre's seat opens on its area
            place = _resolve_focus(self.catalog, win.levels_ctl.store.centre)
            if place is not None:
                win.focus(*place)
        if args.focus:
            place = _resolve_focus(self.catalog, args.focus)
            if place is None:
                return self.fail(self.both(QT_TRANSLATE_NOOP("app", "找不到该地点")),
                                 self.both(QT_TRANSLATE_NOOP("app",
                                                             "没有该代码或名称的单位，也不是"
                                                             "“经度,纬度,缩放”（LON,LAT,ZOOM）。"),
                                           f"--focus {args.focus}: "), 2)
            win.focus(*place)
        if self.size:  # the window's size in pixels; Qt's scale factor makes logical pixels
            f = float(os.environ.get("QT_SCALE_FACTOR") or 1.0)
            win.resize(round(self.size[0] / f), round(self.size[1] / f))
        if self.screen_index is not None:
            win.move(self.screens[self.screen_index].geometry().topLeft())
        wall.WideLayout(win)
        self.wall_ctl = None
        if cfg.kiosk.enabled:
            self.wall_ctl = wall.WallController(win, cfg.kiosk, self.screen_index, parent=win)
        else:
            wall.install_settings(win, self.config_path)
        return None

    def show_and_wait(self) -> int:
        """Show the window and run the event loop; a screenshot run saves the window once
        every region has drawn (exit 4 when one never does)."""
        from PySide6.QtCore import QTimer

        win, app = self.win, self.app
        self.exit_code = 0

        def on_drawn() -> None:
            if self.args.report_startup:
                print(f"first-frame {time.perf_counter() - T_START:.3f}", flush=True)
            if self.headless:
                # give the web view a moment to composite the drawn layers
                QTimer.singleShot(600, self._save_and_quit)

        win.sig_all_drawn.connect(on_drawn)
        self._stop_on_sigterm()
        if self.args.report_startup:
            win.sig_region_drawn.connect(lambda region: print(
                f"drawn {region} {time.perf_counter() - T_START:.3f}", flush=True))
        if self.headless:
            QTimer.singleShot(int(os.environ.get("COCKPIT_SCREENSHOT_TIMEOUT_MS", "60000")),
                              self._time_out)
        if self.wall_ctl is not None:
            self.wall_ctl.start(full_screen=not self.headless)
        elif self.headless:
            win.show()
        else:
            win.showMaximized() if self.args.size is None else win.show()
        win.start()
        rc = app.exec()
        return self.exit_code or rc

    def _stop_on_sigterm(self) -> None:
        """``kill`` (SIGTERM — a service manager's stop, a wall script) closes the window as
        its close button does: the live feed's broker, intake and simulator stop with it and
        a drill is kept for later, instead of the process vanishing and leaving its local
        broker running. Qt's loop wakes Python every 300 ms so that the handler runs."""
        import signal

        from PySide6.QtCore import QTimer

        def on_term(_signum, _frame) -> None:
            QTimer.singleShot(0, self._terminate)

        try:
            signal.signal(signal.SIGTERM, on_term)
        except ValueError:  # not the main thread (an embedding test): leave the default
            return
        self._sigterm_timer = QTimer()
        self._sigterm_timer.timeout.connect(lambda: None)
        self._sigterm_timer.start(300)

    def _terminate(self) -> None:
        print("cockpit: SIGTERM — closing the window", file=sys.stderr, flush=True)
        win = self.win
        if win.drill_close_answer is None:
            win.drill_close_answer = "keep"  # nobody is there to answer: keep the drill
        win.close()
        self.app.quit()

    def _save_and_quit(self) -> None:
        from PySide6.QtCore import Qt

        img = self.win.grab().toImage()
        size = self.size
        if size and (img.width(), img.height()) != size:  # rounding of a fractional scale
            img = img.scaled(*size, Qt.AspectRatioMode.IgnoreAspectRatio,
                             Qt.TransformationMode.SmoothTransformation)
        shot = self.args.screenshot
        shot.parent.mkdir(parents=True, exist_ok=True)
        if not img.save(str(shot), "PNG"):
            print(f"cockpit: could not write {shot}", file=sys.stderr)
            self.exit_code = 1
        self.app.quit()

    def _time_out(self) -> None:
        win = self.win
        missing = sorted({"vitals", "evaluation", "events", "risk", "map"} - win.drawn)
        print(f"cockpit: timed out waiting for regions to draw: {', '.join(missing)}; "
              f"map console errors: {win.map.console_errors()[:5]}", file=sys.stderr)
        self.exit_code = 4
        self.app.quit()

    # ------------------------------------------------------------------ long work with progress

    def progress_dialog(self, title: str):
        if self.headless:
            return None
        from PySide6.QtCore import QT_TRANSLATE_NOOP
        from PySide6.QtWidgets import QProgressDialog

        dlg = QProgressDialog(title, None, 0, 100)
        dlg.setWindowTitle(self.both(QT_TRANSLATE_NOOP("app", "城市运行一屏统揽"))[0])
        dlg.setMinimumDuration(300)
        dlg.setAutoClose(False)
        return dlg

    def run_with_progress(self, title: str, fn):
        """Run fn(progress) on a thread, pumping events and a progress dialog meanwhile (on
        stderr without a window)."""
        import threading

        state: dict = {"fraction": 0.0, "message": title}
        result: dict = {}

        def progress(fraction: float, message: str) -> None:
            state["fraction"], state["message"] = fraction, message

        def target() -> None:
            try:
                result["value"] = fn(progress)
            except BaseException as exc:  # noqa: BLE001 - re-raised on the GUI thread
                result["error"] = exc

        dlg = self.progress_dialog(title)
        th = threading.Thread(target=target, daemon=True)
        th.start()
        last = title
        while th.is_alive():
            th.join(0.05)
            if dlg is not None:
                dlg.setValue(int(state["fraction"] * 100))
                dlg.setLabelText(f"{title}\n{state['message']}")
                self.app.processEvents()
            elif state["message"] != last:
                last = state["message"]
                print(f"cockpit: {title} {state['fraction'] * 100:3.0f}% {last}", file=sys.stderr)
        if dlg is not None:
            dlg.close()
        if "error" in result:
            raise result["error"]
        return result.get("value")
