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


def run_gui(args: argparse.Namespace) -> int:
    from cockpit import config as config_mod

    config_path = args.config or config_mod.default_path()
    config_problems: list = []
    try:
        cfg = config_mod.from_args(config_mod.load(config_path), args)
    except config_mod.ConfigError as exc:
        config_problems = exc.problems
        cfg = config_mod.from_args(config_mod.Config(), args)
    size = args.size or ((1920, 1080) if args.screenshot else None)
    scale = interface_scale(size, cfg.font_scale, cfg.auto_scale) if size else 1.0
    _prepare_environment(args, scale)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QLockFile, Qt, QTimer
    from PySide6.QtWebEngineWidgets import QWebEngineView  # noqa: F401 - before the app
    from PySide6.QtWidgets import QApplication, QMessageBox, QProgressDialog

    from cockpit import paths
    from cockpit.widgets import theme
    from cockpit.widgets.map_view import register_tile_scheme

    QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
    register_tile_scheme()
    fresh = QApplication.instance() is None
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("cockpit")
    from cockpit.i18n import english, install_translator
    from cockpit.language import resolve_language

    # before any widget reads its texts
    lang = install_translator(app, resolve_language(getattr(args, "lang", None), cfg.lang))
    theme.apply(app)

    def both(text: str, prefix: str = "", **kw) -> tuple[str, str]:
        """(interface language, English) of a message: the window shows the first, stderr
        the second."""
        return (prefix + QCoreApplication.translate("app", text).format(**kw),
                prefix + english("app", text).format(**kw))

    headless = bool(args.screenshot)

    def fail(title: tuple[str, str] | str, text: tuple[str, str] | str, code: int) -> int:
        """Say what went wrong: in a message box (interface language) and on stderr; a
        (interface language, English) pair from both(), or one text for both."""
        title = (title, title) if isinstance(title, str) else title
        text = (text, text) if isinstance(text, str) else text
        head = title[0] if title[0] == title[1] else f"{title[0]} · {title[1]}"
        print(f"cockpit: {head}\n{text[1]}", file=sys.stderr)
        if not headless and os.environ.get("QT_QPA_PLATFORM") != "offscreen":
            QMessageBox.critical(None, title[0], text[0][:4000])
        return code

    if config_problems:  # before anything is opened or written: nothing is lost
        return fail(both(QT_TRANSLATE_NOOP("app", "配置文件有问题")),
                    both(QT_TRANSLATE_NOOP("app", "请修改该文件（cockpit config check）后重新启动。"),
                         "\n".join(str(p) for p in config_problems) + "\n\n"),
                    config_mod.EXIT_BAD_CONFIG)
    screens = app.screens()
    screen_index = args.screen if args.screen is not None else (
        cfg.kiosk.screen if cfg.kiosk.enabled else None)
    if screen_index is not None and not 0 <= screen_index < len(screens):
        source = (f"--screen {args.screen}" if args.screen is not None
                  else f"kiosk.screen = {screen_index} in {config_path}")
        return fail(both(QT_TRANSLATE_NOOP("app", "没有该屏幕")),
                    both(QT_TRANSLATE_NOOP("app", "本机有 {n} 块屏幕，编号 0 到 {last}。"),
                         f"{source}: ", n=len(screens), last=len(screens) - 1), 2)
    if fresh and size is None and not headless:
        _rescale_for_screen(app, screens[screen_index] if screen_index is not None
                            else app.primaryScreen(), cfg)

    # one interactive cockpit per user and dataset; screenshots may run beside it
    data_arg = Path(cfg.data) if cfg.data else None
    data_dir = (data_arg or paths.default_dataset_dir()).expanduser().resolve()
    lock = None
    if not headless:
        paths.data_dir().mkdir(parents=True, exist_ok=True)
        key = hashlib.sha1(str(data_dir).encode()).hexdigest()[:12]
        # a drill or replay writes no live record: it may run beside the live cockpit
        # (started from its 演练 button), one at a time
        if args.mode == "drill":
            key += "-drill"
        lock = QLockFile(str(paths.data_dir() / f"instance-{key}.lock"))
        lock.setStaleLockTime(0)
        if not lock.tryLock(100):
            # PySide6 gives (pid, hostname, appname); other bindings prepend an ok flag
            info = [x for x in lock.getLockInfo() if not isinstance(x, bool)]
            pid, host = (info + ["?", "?"])[:2]
            return fail(both(QT_TRANSLATE_NOOP("app", "另一个驾驶舱正在运行")),
                        both(QT_TRANSLATE_NOOP("app", "数据集 {data} 的驾驶舱已在运行（{host} 上的进程 {pid}）。"
                                "请切换到该窗口，或先将其关闭。"), data=data_dir, pid=pid, host=host),
                        3)

    def progress_dialog(title: str):
        if headless:
            return None
        dlg = QProgressDialog(title, None, 0, 100)
        dlg.setWindowTitle(both(QT_TRANSLATE_NOOP("app", "城市运行一屏统揽"))[0])
        dlg.setMinimumDuration(300)
        dlg.setAutoClose(False)
        return dlg

    def run_with_progress(title: str, fn):
        """Run fn(progress) on a thread, pumping events and a progress dialog meanwhile."""
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

        dlg = progress_dialog(title)
        th = threading.Thread(target=target, daemon=True)
        th.start()
        last = title
        while th.is_alive():
            th.join(0.05)
            if dlg is not None:
                dlg.setValue(int(state["fraction"] * 100))
                dlg.setLabelText(f"{title}\n{state['message']}")
                app.processEvents()
            elif state["message"] != last:
                last = state["message"]
                print(f"cockpit: {title} {state['fraction'] * 100:3.0f}% {last}", file=sys.stderr)
        if dlg is not None:
            dlg.close()
        if "error" in result:
            raise result["error"]
        return result.get("value")

    # 1. the dataset: the demo data is generated on first run, and again on a new day, so
    # that the demo always shows "today" (places stay the same: they depend on the seed only)
    if data_arg is None and _demo_is_stale(data_dir):
        from cockpit.datasets.generate import generate

        try:
            run_with_progress(both(QT_TRANSLATE_NOOP("app", "正在生成今日演示数据"))[0],
                              lambda p: generate(data_dir, scale="chongqing", seed=1, progress=p))
        except OSError as exc:
            return fail(both(QT_TRANSLATE_NOOP("app", "无法生成演示数据")),
                        both(QT_TRANSLATE_NOOP("app", "写入 {path} 失败：{error}"), path=data_dir, error=exc), 1)
    if not data_dir.is_dir():
        return fail(both(QT_TRANSLATE_NOOP("app", "数据集不存在")), both(QT_TRANSLATE_NOOP("app", "{path} 不是一个目录。"), path=data_dir), 2)

    # 2. the catalog (reused when the files have not changed)
    from cockpit.datasets.catalog import catalog_problems_text, open_catalog
    from cockpit.datasets.validate import DatasetInvalid

    def open_it(path: Path):
        return run_with_progress(both(QT_TRANSLATE_NOOP("app", "正在载入数据"))[0],
                                 lambda p: open_catalog(path, paths.catalog_cache_dir(), progress=p))

    try:
        catalog = open_it(data_dir)
    except DatasetInvalid as exc:
        report = catalog_problems_text(exc.problems)
        previous = _last_good_dataset()
        if previous and previous != data_dir and not headless:
            fail(both(QT_TRANSLATE_NOOP("app", "数据集有问题")),
                 both(QT_TRANSLATE_NOOP("app", "继续使用上一个数据集：{path}"), f"{data_dir}\n\n{report}\n\n",
                      path=previous), 0)
            catalog = open_it(previous)
        else:
            return fail(both(QT_TRANSLATE_NOOP("app", "数据集有问题")), f"{data_dir}\n\n{report}", 1)
    except OSError as exc:
        return fail(both(QT_TRANSLATE_NOOP("app", "无法读取数据集")), f"{data_dir}: {exc}", 1)
    _remember_good_dataset(catalog.data_dir)

    # 3. the window
    from cockpit.layers.page import TILE_SCHEME_URL
    from cockpit.window import MainWindow

    tiles = cfg.tiles
    mbtiles = None
    if tiles and not tiles.startswith(("http://", "https://")):
        from cockpit.datasets.tiles import MBTiles

        try:
            mbtiles = MBTiles(Path(tiles).expanduser())
        except (OSError, ValueError) as exc:
            return fail(both(QT_TRANSLATE_NOOP("app", "底图文件无法读取")), f"--tiles {tiles}: {exc}", 2)
        except Exception as exc:  # noqa: BLE001 - sqlite3.DatabaseError for a non-MBTiles file
            return fail(both(QT_TRANSLATE_NOOP("app", "底图文件无法读取")),
                        both(QT_TRANSLATE_NOOP("app", "不是 MBTiles 文件（{error}）"), f"--tiles {tiles}: ", error=exc), 2)
        tiles = TILE_SCHEME_URL
    replay = None
    if getattr(args, "replay", None):
        from cockpit.datasets.summary import data_time_range
        from cockpit.window import parse_replay_window

        if args.mode != "drill" or args.scenario:
            return fail(both(QT_TRANSLATE_NOOP("app", "无法开始复盘")),
                        both(QT_TRANSLATE_NOOP("app", "--replay 须与 --mode drill 同用，且不能带 --scenario。")), 2)
        try:
            replay = parse_replay_window(args.replay, *data_time_range(catalog.con))
        except ValueError as exc:
            return fail(both(QT_TRANSLATE_NOOP("app", "无法开始复盘")), str(exc), 2)
    try:
        from cockpit.controllers.live import live_enabled

        win = MainWindow(catalog, mode=args.mode, lang=lang, tiles=tiles,
                         scenario=args.scenario, replay=replay, config=cfg,
                         store=getattr(args, "store", None) or cfg.store,
                         live=live_enabled(cfg, screenshot=bool(args.screenshot)))
    except ValueError as exc:  # an unknown drill scenario
        return fail(both(QT_TRANSLATE_NOOP("app", "无法开始演练")), str(exc), 2)
    if mbtiles is not None:
        win.map.set_tile_source(mbtiles.tile, mbtiles.mime)
    elif tiles:
        win.map.allow_origin(tiles)
    if args.focus:
        place = _resolve_focus(catalog, args.focus)
        if place is None:
            return fail(both(QT_TRANSLATE_NOOP("app", "找不到该地点")),
                        both(QT_TRANSLATE_NOOP("app", "没有该代码或名称的单位，也不是“经度,纬度,缩放”（LON,LAT,ZOOM）。"),
                             f"--focus {args.focus}: "), 2)
        win.focus(*place)
    if size:  # the window's size in pixels; Qt's scale factor turns it into logical pixels
        f = float(os.environ.get("QT_SCALE_FACTOR") or 1.0)
        win.resize(round(size[0] / f), round(size[1] / f))
    if screen_index is not None:
        win.move(screens[screen_index].geometry().topLeft())
    from cockpit import wall

    wall.WideLayout(win)
    wall_ctl = None
    if cfg.kiosk.enabled:
        wall_ctl = wall.WallController(win, cfg.kiosk, screen_index, parent=win)
    else:
        wall.install_settings(win, config_path)
    exit_code = {"value": 0}

    def on_drawn() -> None:
        if args.report_startup:
            print(f"first-frame {time.perf_counter() - T_START:.3f}", flush=True)
        if headless:
            # give the web view a moment to composite the drawn layers
            QTimer.singleShot(600, save_and_quit)

    def save_and_quit() -> None:
        img = win.grab().toImage()
        if size and (img.width(), img.height()) != size:  # rounding of a fractional scale
            img = img.scaled(*size, Qt.AspectRatioMode.IgnoreAspectRatio,
                             Qt.TransformationMode.SmoothTransformation)
        args.screenshot.parent.mkdir(parents=True, exist_ok=True)
        if not img.save(str(args.screenshot), "PNG"):
            print(f"cockpit: could not write {args.screenshot}", file=sys.stderr)
            exit_code["value"] = 1
        app.quit()

    def time_out() -> None:
        missing = sorted(set(("vitals", "evaluation", "events", "risk", "map")) - win.drawn)
        print(f"cockpit: timed out waiting for regions to draw: {', '.join(missing)}; "
              f"map console errors: {win.map.console_errors()[:5]}", file=sys.stderr)
        exit_code["value"] = 4
        app.quit()

    win.sig_all_drawn.connect(on_drawn)
    if headless:
        QTimer.singleShot(int(os.environ.get("COCKPIT_SCREENSHOT_TIMEOUT_MS", "60000")), time_out)
    if wall_ctl is not None:
        wall_ctl.start(full_screen=not headless)
    elif headless:
        win.show()
    else:
        win.showMaximized() if args.size is None else win.show()
    win.start()
    rc = app.exec()
    catalog.close()
    if lock is not None:
        lock.unlock()
    return exit_code["value"] or rc
