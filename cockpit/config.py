"""The cockpit's configuration: one TOML file, checked key by key before a window opens.

The file is ``<user config dir>/config.toml`` (``platformdirs.user_config_dir
("city-ops-cockpit")``); ``COCKPIT_CONFIG`` or ``--config FILE`` names another. Precedence:
command line > config file > defaults. Every problem (bad TOML, an unknown key, a wrong type, a
value out of range) names the file, the dotted key and what is expected; the app refuses to
start on any of them rather than guess (:data:`EXIT_BAD_CONFIG`), and never rewrites the file
on its own.

No Qt here: ``cockpit config show|check`` runs without a display.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

APP_DIR = "city-ops-cockpit"
ENV = "COCKPIT_CONFIG"
#: Exit code of the GUI (and of ``config check``) when the configuration has problems.
EXIT_BAD_CONFIG = 5
#: The panels a kiosk playlist can put in focus.
PANELS = ("map", "vitals", "five_colour", "dispatch")
LANGS = ("zh", "en")


def default_path() -> Path:
    """``COCKPIT_CONFIG`` if set, else ``<user config dir>/config.toml``."""
    env = os.environ.get(ENV)
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_config_dir(APP_DIR)) / "config.toml"


@dataclass(frozen=True)
class Intervals:
    """How often things tick, in seconds."""

    clock_s: float = 1.0
    vitals_s: float = 5.0
    events_s: float = 2.0


@dataclass(frozen=True)
class Kiosk:
    """The video-wall mode."""

    enabled: bool = False
    playlist: tuple[str, ...] = PANELS
    interval_s: float = 30.0
    cursor_hide_s: float = 5.0
    screen: int | None = None


@dataclass(frozen=True)
class Live:
    """The live feed (MQTT broker, Open311 endpoint, demo traffic)."""

    enabled: bool = True
    broker: str | None = None
    http_port: int = 8311
    prefix: str = "cockpit"
    simulate: bool | None = None
    api_keys: dict[str, str] | None = None


@dataclass(frozen=True)
class Config:
    """The effective configuration (defaults, then the file, then the command line)."""

    data: str | None = None
    store: str | None = None
    tiles: str | None = None
    lang: str = "zh"
    operator: str | None = None
    font_scale: float = 1.0
    auto_scale: bool = True
    route_threshold: float = 0.6
    auto_dispatch: int = 3
    intervals: Intervals = field(default_factory=Intervals)
    kiosk: Kiosk = field(default_factory=Kiosk)
    live: Live = field(default_factory=Live)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a config file."""

    file: Path
    key: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.key}: " if self.key else f"{self.file}: "
        return where + self.message


class ConfigError(Exception):
    """The config file has problems; ``problems`` lists every one."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


# ---- the keys ------------------------------------------------------------------------------
Check = Callable[[Any], tuple[Any, str | None]]  # value → (converted, problem or None)


def _text(what: str, max_len: int = 4096) -> Check:
    def check(v: Any) -> tuple[Any, str | None]:
        if not isinstance(v, str):
            return None, f"expected {what} (a string), got {_show(v)}"
        if not v.strip():
            return None, f"expected {what}, got an empty string (leave the key out instead)"
        if len(v) > max_len:
            return None, f"expected {what} of at most {max_len} characters"
        return v.strip(), None
    return check


def _number(lo: float, hi: float, unit: str, integer: bool = False) -> Check:
    kind = "a whole number" if integer else "a number"

    def check(v: Any) -> tuple[Any, str | None]:
        ok = isinstance(v, int) if integer else isinstance(v, int | float)
        if isinstance(v, bool) or not ok:
            return None, f"expected {kind}{unit} from {lo:g} to {hi:g}, got {_show(v)}"
        if not lo <= v <= hi:
            return None, f"expected {kind}{unit} from {lo:g} to {hi:g}, got {v:g}"
        return (int(v) if integer else float(v)), None
    return check


def _choice(options: tuple[str, ...]) -> Check:
    def check(v: Any) -> tuple[Any, str | None]:
        if v not in options:
            return None, f"expected one of {', '.join(map(repr, options))}, got {_show(v)}"
        return v, None
    return check


def _bool(v: Any) -> tuple[Any, str | None]:
    if not isinstance(v, bool):
        return None, f"expected true or false, got {_show(v)}"
    return v, None


def _playlist(v: Any) -> tuple[Any, str | None]:
    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
        return None, f"expected a list of panel names from {', '.join(PANELS)}, got {_show(v)}"
    bad = [x for x in v if x not in PANELS]
    if bad:
        return None, (f"unknown panel {bad[0]!r}; expected a list of panel names from "
                      f"{', '.join(PANELS)} (an empty list: no rotation)")
    return tuple(v), None


def _api_keys(v: Any) -> tuple[Any, str | None]:
    if not isinstance(v, dict) or not v:
        return None, f"expected a table of client = \"key\" pairs, got {_show(v)}"
    out: dict[str, str] = {}
    for client, key in v.items():
        if not isinstance(key, str) or len(key.strip()) < 8 or len(key) > 256:
            return None, (f"the key of client {client!r} must be a string of 8 to 256 "
                          "characters")
        if key.strip() in out.values():
            return None, f"client {client!r} has the same key as another client"
        out[str(client)] = key.strip()
    return out, None


def _broker(v: Any) -> tuple[Any, str | None]:
    if v == "local":
        return v, None
    if not isinstance(v, str) or ":" not in v:
        return None, f"expected \"host:port\" or \"local\", got {_show(v)}"
    host, _, port = v.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        return None, f"expected \"host:port\" with a port 1-65535, got {_show(v)}"
    return v, None


def _show(v: Any) -> str:
    kind = {bool: "a boolean", int: "a whole number", float: "a number", str: "a string",
            list: "a list", dict: "a table"}.get(type(v), type(v).__name__)
    text = repr(v)
    return f"{kind} {text if len(text) <= 40 else text[:37] + '…'}"


@dataclass(frozen=True)
class Key:
    """One documented key: dotted name, check, default, what it does, an example."""

    name: str
    check: Check
    doc: str
    example: str


KEYS: tuple[Key, ...] = (
    Key("data", _text("a dataset directory"), "dataset directory (default: the built-in "
        "demo data, generated on first run)", '"/srv/cockpit/chongqing"'),
    Key("store", _text("a dispatch store path or postgresql:// URL"),
        "dispatch store: a DuckDB file path or a postgresql:// URL (default: "
        "dispatch.duckdb in the user data directory)", '"/srv/cockpit/dispatch.duckdb"'),
    Key("tiles", _text("a tile URL template or an .mbtiles file"),
        "base map: intranet tile URL template or offline .mbtiles file (default: none, "
        "boundaries on dark)", '"http://tiles.intranet/{z}/{x}/{y}.png"'),
    Key("lang", _choice(LANGS), "interface language, zh or en (default zh)", '"zh"'),
    Key("operator", _text("an operator name", 64), "the name dispatch records carry as "
        "operator (default: the OS user name)", '"张伟"'),
    Key("font_scale", _number(0.5, 3.0, ""), "scale of text and of the whole interface "
        "with it, on top of the automatic scale (default 1.0)", "1.25"),
    Key("auto_scale", _bool, "scale the interface with the window's size, so a 4K window "
        "shows what a 1080p window shows, only sharper (default true)", "true"),
    Key("route_threshold", _number(0.0, 1.0, ""), "智能分拨: a report whose best event type "
        "scores at least this is routed at once (自动分拨); below, it waits for the operator "
        "(待分拨) (default 0.6)", "0.6"),
    Key("auto_dispatch", _number(0, 4, "", integer=True), "自动派遣: a report routed at once "
        "(自动分拨) whose level is this or lower (3: 一般 and 低) goes to its plan's "
        "departments without waiting in the queue; 重大 and 较大 always wait for the operator; "
        "0 turns it off (default 3)", "3"),
    Key("intervals.clock_s", _number(0.2, 60, " of seconds"), "the header clock's tick "
        "(default 1)", "1"),
    Key("intervals.vitals_s", _number(1, 600, " of seconds"), "vital-sign tick: readings, "
        "alarms (default 5)", "5"),
    Key("intervals.events_s", _number(0.5, 600, " of seconds"), "event-feed poll and "
        "dispatch-order refresh (default 2)", "2"),
    Key("kiosk.enabled", _bool, "start in kiosk mode as --kiosk does (default false)", "true"),
    Key("kiosk.playlist", _playlist, "panels the kiosk puts in focus in turn: map, vitals, "
        "five_colour, dispatch (default all four; [] keeps the normal layout)",
        '["map", "vitals", "five_colour", "dispatch"]'),
    Key("kiosk.interval_s", _number(5, 3600, " of seconds"), "seconds each playlist panel "
        "stays in focus (default 30)", "30"),
    Key("kiosk.cursor_hide_s", _number(1, 3600, " of seconds"), "hide the mouse cursor "
        "after this many idle seconds in kiosk mode (default 5)", "5"),
    Key("kiosk.screen", _number(0, 63, "", integer=True), "monitor the kiosk opens on, "
        "0 = first (default: --screen, else the primary)", "1"),
    Key("live.enabled", _bool, "live mode connects the live feed: MQTT readings and Open311 "
        "reports (default true; screenshots never do)", "true"),
    Key("live.broker", _broker, "the MQTT broker, host:port (default \"local\": the cockpit "
        "starts its own Mosquitto on 127.0.0.1)", '"127.0.0.1:1883"'),
    Key("live.http_port", _number(0, 65535, "", integer=True), "port of the Open311 endpoint "
        "on 127.0.0.1, 0 = any free port (default 8311)", "8311"),
    Key("live.prefix", _text("an MQTT topic prefix", 64), "MQTT topic prefix (default "
        "cockpit)", '"cq"'),
    Key("live.simulate", _bool, "publish the demo's live traffic (cockpit simulate) in the "
        "window's process (default: with the demo data only)", "false"),
    Key("live.api_keys", _api_keys, "Open311 api_key of each client system, a table "
        "client = key (default: none, every POST gets 403; the demo data adds a hotline key)",
        '{ hotline = "change-me-hotline", grid = "change-me-grid" }'),
)
BY_NAME = {k.name: k for k in KEYS}
TABLES = {"intervals", "kiosk", "live"}


# ---- reading -------------------------------------------------------------------------------
def read(path: Path | None = None, required: bool = False
         ) -> tuple[dict[str, Any], list[Problem]]:
    """The file's valid values by dotted key, and every problem. A missing file is empty,
    unless ``required`` (a file named with ``--config`` or ``config check FILE``): then it is
    a problem, so that a typo in a path is not quietly the defaults."""
    path = path or default_path()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        if required:
            return {}, [Problem(path, "", "no such file (check the path)")]
        return {}, []
    except IsADirectoryError:
        return {}, [Problem(path, "", "is a directory, not a config file")]
    except OSError as exc:
        return {}, [Problem(path, "", f"cannot read the file: {exc.strerror or exc}")]
    try:
        doc = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        return {}, [Problem(path, "", f"not UTF-8 text ({exc.reason} at byte {exc.start})")]
    except tomllib.TOMLDecodeError as exc:
        return {}, [Problem(path, "", f"not valid TOML: {exc}")]
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    for name, v in _flatten(doc, path, problems):
        key = BY_NAME.get(name)
        if key is None:
            near = difflib.get_close_matches(name, BY_NAME, n=1)
            hint = f"; did you mean {near[0]!r}?" if near else ""
            problems.append(Problem(path, name, "unknown key" + hint + " (known: "
                                    + ", ".join(BY_NAME) + ")"))
            continue
        value, problem = key.check(v)
        if problem:
            problems.append(Problem(path, name, problem))
        else:
            values[name] = value
    return values, problems


def _flatten(doc: dict, path: Path, problems: list[Problem]):
    for k, v in doc.items():
        if isinstance(v, dict):
            if k not in TABLES:
                near = difflib.get_close_matches(k, TABLES, n=1)
                hint = f"; did you mean [{near[0]}]?" if near else ""
                problems.append(Problem(path, k, f"unknown table{hint} (known: "
                                        + ", ".join(sorted(TABLES)) + ")"))
                continue
            for k2, v2 in v.items():
                yield f"{k}.{k2}", v2
        elif k in TABLES:
            problems.append(Problem(path, k, f"expected a table [{k}], got {_show(v)}"))
        else:
            yield k, v


def load(path: Path | None = None, required: bool = False) -> Config:
    """The file over the defaults. Raises :class:`ConfigError` listing every problem
    (``required``: a missing file is one, see :func:`read`)."""
    values, problems = read(path, required)
    if problems:
        raise ConfigError(problems)
    return merge(Config(), values)


def merge(cfg: Config, values: dict[str, Any]) -> Config:
    """``cfg`` with the dotted ``values`` (those that are not None) put in."""
    top: dict[str, Any] = {}
    sub: dict[str, dict[str, Any]] = {t: {} for t in TABLES}
    for name, v in values.items():
        if v is None:
            continue
        if "." in name:
            table, k = name.split(".", 1)
            sub[table][k] = v
        else:
            top[name] = v
    return dataclasses.replace(
        cfg, **top,
        intervals=dataclasses.replace(cfg.intervals, **sub["intervals"]),
        kiosk=dataclasses.replace(cfg.kiosk, **sub["kiosk"]),
        live=dataclasses.replace(cfg.live, **sub["live"]))


def from_args(cfg: Config, args: Any) -> Config:
    """The command line over ``cfg``: options the user gave (not None) win."""
    def arg(name: str) -> Any:
        return getattr(args, name, None)

    values = {"data": str(arg("data")) if arg("data") is not None else None,
              "store": str(arg("store")) if arg("store") is not None else None,
              "tiles": arg("tiles"), "lang": arg("lang"), "font_scale": arg("font_scale"),
              "kiosk.enabled": arg("kiosk"), "kiosk.screen": arg("screen")}
    return merge(cfg, values)


#: Command-line options and the keys they set (for ``config show``'s sources).
CLI_KEYS = {"data": "data", "store": "store", "tiles": "tiles", "lang": "lang",
            "font_scale": "font_scale", "kiosk": "kiosk.enabled", "screen": "kiosk.screen"}


def _option(name: str) -> str:
    return "--" + name.replace("_", "-")


def effective(args: Any, env: dict[str, str] | None = None
              ) -> tuple[Config, dict[str, str], Path, list[Problem]]:
    """What the cockpit would run with: (configuration, where each key's value came from,
    the config file's path, the file's problems).

    Sources, first match wins: the command line, the environment (``COCKPIT_LANG`` for
    ``lang``), the config file (``--config FILE``, else ``COCKPIT_CONFIG``, else the default
    path; a file named with ``--config`` must exist), the defaults."""
    from cockpit.language import normalise

    env = os.environ if env is None else env
    given = getattr(args, "config", None)
    path = Path(given).expanduser() if given else default_path()
    values, problems = read(path, required=given is not None)
    cfg = merge(Config(), values)
    origin = {k.name: "default" for k in KEYS}
    origin.update({name: f"config file {path}" for name in values})
    env_lang = normalise(env.get("COCKPIT_LANG"))
    if env_lang is not None:
        cfg = dataclasses.replace(cfg, lang=env_lang)
        origin["lang"] = "environment COCKPIT_LANG"
    cfg = from_args(cfg, args)
    for opt, key in CLI_KEYS.items():
        if getattr(args, opt, None) is not None:
            origin[key] = f"command line {_option(opt)}"
    return cfg, origin, path, problems


def get(cfg: Config, name: str) -> Any:
    """The value of a dotted key."""
    obj: Any = cfg
    for part in name.split("."):
        obj = getattr(obj, part)
    return obj


def to_toml(cfg: Config, origin: dict[str, str] | None = None) -> str:
    """The configuration as TOML text; unset keys as comments, ``origin`` as notes."""
    lines: list[str] = []
    table = ""
    for key in KEYS:
        t = key.name.split(".")[0] if "." in key.name else ""
        if t != table:
            table = t
            lines += ["", f"[{t}]"]
        short = key.name.split(".")[-1]
        v = get(cfg, key.name)
        note = f"  # {origin[key.name]}" if origin and key.name in origin else ""
        if v is None:
            lines.append(f"# {short} = {key.example}  # not set: {key.doc}")
        else:
            lines.append(f"{short} = {_toml_value(v)}{note}")
    return "\n".join(lines).lstrip("\n") + "\n"


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, tuple | list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(x)}" for k, x in v.items()) + " }"
    text = str(v).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def readme_table() -> str:
    """The Markdown table of keys the README carries (tests compare them)."""
    rows = ["| key | type | default and meaning | example |", "|---|---|---|---|"]
    for k in KEYS:
        kind = type_name(k)
        rows.append(f"| `{k.name}` | {kind} | {k.doc} | `{k.example}` |")
    return "\n".join(rows)


def type_name(key: Key) -> str:
    default = get(Config(), key.name)
    if key.name == "kiosk.playlist":
        return "list of strings"
    if key.name in ("kiosk.screen", "live.http_port"):
        return "integer"
    if key.name == "live.api_keys":
        return "table of strings"
    if key.name in ("live.simulate",):
        return "boolean"
    return {bool: "boolean", float: "number", str: "string"}.get(type(default), "string")


# ---- writing (the settings dialog) -----------------------------------------------------------
def write_values(path: Path, values: dict[str, Any]) -> None:
    """Set dotted keys in the file, keeping every other key and comment (tomlkit); a value of
    None removes the key. Written to a temporary file and moved over, so a crash loses
    nothing."""
    import tomlkit

    try:
        doc = tomlkit.parse(path.read_text("utf-8"))
    except FileNotFoundError:
        doc = tomlkit.document()
        doc.add(tomlkit.comment("城市运行一屏统揽 · City Operations Cockpit — configuration"))
        doc.add(tomlkit.comment("Keys: see the README (配置 · Configuration)."))
    for name, v in values.items():
        if name not in BY_NAME:
            raise KeyError(name)
        if "." in name:
            t, k = name.split(".", 1)
            if t not in doc:
                if v is None:
                    continue
                doc[t] = tomlkit.table()
            target = doc[t]
        else:
            k, target = name, doc
        if v is None:
            if k in target:
                del target[k]
        else:
            target[k] = list(v) if isinstance(v, tuple) else v
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(tomlkit.dumps(doc), "utf-8")
    tmp.replace(path)


# ---- `cockpit config show|check` ---------------------------------------------------------------
def add_parser(sub) -> None:
    cfg = sub.add_parser("config", help="show or check the configuration file")
    csub = cfg.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    csub.add_parser("show", help="print the effective configuration and where it came from")
    chk = csub.add_parser("check", help="check a config file; exit 5 on problems")
    chk.add_argument("file", type=Path, nargs="?", default=None,
                     help="the file (default: the one the cockpit reads)")


def cmd_config(args: Any) -> int:
    """``cockpit config show|check``; exit 0, or 5 when the file has problems (a file named
    with ``--config`` or ``config check FILE`` that does not exist is one)."""
    import sys

    if args.config_command == "check":
        given = getattr(args, "file", None) or getattr(args, "config", None)
        path = Path(given).expanduser() if given else default_path()
        values, problems = read(path, required=given is not None)
        for p in problems:
            print(p, file=sys.stderr)
        state = "missing (defaults apply)" if not path.exists() and not problems else (
            f"{len(problems)} problem(s)" if problems else "ok")
        print(f"{path}: {state}")
        return EXIT_BAD_CONFIG if problems else 0
    cfg, origin, path, problems = effective(args)
    for p in problems:
        print(p, file=sys.stderr)
    print(f"# config file: {path}" + ("" if path.exists() else " (missing: defaults apply)"))
    print(to_toml(cfg, origin), end="")
    return EXIT_BAD_CONFIG if problems else 0
