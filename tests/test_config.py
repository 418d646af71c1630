"""The config file: defaults, precedence, every kind of bad value named by file and key."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from cockpit import config as cm
from cockpit.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "config.toml"
    p.write_text(text, "utf-8")
    return p


def test_a_missing_file_gives_the_defaults(tmp_path: Path) -> None:
    cfg = cm.load(tmp_path / "nope.toml")
    assert cfg == cm.Config()
    assert cfg.lang == "zh" and cfg.font_scale == 1.0 and cfg.kiosk.playlist == cm.PANELS


def test_env_names_the_file(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("COCKPIT_CONFIG", str(tmp_path / "c.toml"))
    assert cm.default_path() == tmp_path / "c.toml"
    monkeypatch.delenv("COCKPIT_CONFIG")
    assert cm.default_path().name == "config.toml"
    assert "city-ops-cockpit" in str(cm.default_path())


def test_every_key_is_read(tmp_path: Path) -> None:
    p = write(tmp_path, """
data = "/srv/data"
store = "postgresql://cockpit@db/centre"
tiles = "http://tiles/{z}/{x}/{y}.png"
lang = "en"
operator = "张伟"
font_scale = 1.5
auto_scale = false
[intervals]
clock_s = 2
vitals_s = 10
events_s = 0.5
[kiosk]
enabled = true
playlist = ["vitals", "map"]
interval_s = 45
cursor_hide_s = 3
screen = 1
""")
    cfg = cm.load(p)
    assert cfg.data == "/srv/data" and cfg.store.startswith("postgresql://")
    assert cfg.lang == "en" and cfg.operator == "张伟" and cfg.font_scale == 1.5
    assert cfg.auto_scale is False
    assert cfg.intervals == cm.Intervals(clock_s=2.0, vitals_s=10.0, events_s=0.5)
    assert cfg.kiosk == cm.Kiosk(enabled=True, playlist=("vitals", "map"), interval_s=45.0,
                                 cursor_hide_s=3.0, screen=1)
    assert isinstance(cfg.intervals.clock_s, float)


@pytest.mark.parametrize("text, key, expected", [
    ('lang = "fr"', "lang", "expected one of 'zh', 'en'"),
    ("font_scale = 9", "font_scale", "from 0.5 to 3"),
    ('font_scale = "big"', "font_scale", "got a string 'big'"),
    ("auto_scale = 1", "auto_scale", "expected true or false"),
    ("[kiosk]\ninterval_s = 2", "kiosk.interval_s", "from 5 to 3600"),
    ("[kiosk]\nscreen = 1.5", "kiosk.screen", "a whole number"),
    ("[kiosk]\nscreen = -1", "kiosk.screen", "from 0 to 63"),
    ('[kiosk]\nplaylist = ["map", "tv"]', "kiosk.playlist", "unknown panel 'tv'"),
    ('[kiosk]\nplaylist = "map"', "kiosk.playlist", "expected a list"),
    ("[intervals]\nvitals_s = true", "intervals.vitals_s", "got a boolean"),
    ('operator = ""', "operator", "empty"),
    ("font_scal = 1.2", "font_scal", "did you mean 'font_scale'"),
    ("[kiosk]\nintervall_s = 20", "kiosk.intervall_s", "did you mean 'kiosk.interval_s'"),
    ("[kiosks]\nenabled = true", "kiosks", "unknown table; did you mean [kiosk]"),
    ("kiosk = true", "kiosk", "expected a table [kiosk]"),
])
def test_bad_values_name_file_key_and_expectation(tmp_path: Path, text: str, key: str,
                                                  expected: str) -> None:
    p = write(tmp_path, text)
    with pytest.raises(cm.ConfigError) as err:
        cm.load(p)
    (problem,) = err.value.problems
    assert problem.key == key
    assert expected in problem.message
    assert str(problem).startswith(f"{p}: {key}: ")


def test_bad_toml_names_the_line(tmp_path: Path) -> None:
    p = write(tmp_path, 'lang = "zh"\nfont_scale = = 2\n')
    with pytest.raises(cm.ConfigError) as err:
        cm.load(p)
    text = str(err.value)
    assert str(p) in text and "not valid TOML" in text and "line 2" in text


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    p = write(tmp_path, 'lang = "fr"\nfont_scale = 0\n[kiosk]\ninterval_s = 1\n')
    values, problems = cm.read(p)
    assert [x.key for x in problems] == ["lang", "font_scale", "kiosk.interval_s"]
    assert values == {}


def test_command_line_beats_file_beats_defaults(tmp_path: Path) -> None:
    p = write(tmp_path, 'lang = "en"\nfont_scale = 1.5\ntiles = "a.mbtiles"\n'
              "[kiosk]\nscreen = 1\n")
    args = build_parser().parse_args(["--lang", "zh", "--screen", "0"])
    cfg = cm.from_args(cm.load(p), args)
    assert cfg.lang == "zh"  # command line
    assert cfg.font_scale == 1.5 and cfg.tiles == "a.mbtiles"  # file
    assert cfg.kiosk.screen == 0
    assert cfg.intervals.vitals_s == 5.0  # default
    # options left out do not override the file
    cfg = cm.from_args(cm.load(p), build_parser().parse_args([]))
    assert cfg.lang == "en" and cfg.kiosk.enabled is False and cfg.kiosk.screen == 1
    cfg = cm.from_args(cm.load(p), build_parser().parse_args(["--kiosk", "--font-scale", "2"]))
    assert cfg.kiosk.enabled is True and cfg.font_scale == 2.0


def test_store_is_passed_through_as_text(tmp_path: Path) -> None:
    p = write(tmp_path, 'store = "postgresql://u@h/db"\n')
    assert cm.load(p).store == "postgresql://u@h/db"
    # the --store option (another branch) wins when present
    cfg = cm.from_args(cm.load(p), SimpleNamespace(store=Path("/x/d.duckdb")))
    assert cfg.store == "/x/d.duckdb"


def test_font_scale_option_is_checked() -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--font-scale", "7"])


def test_writing_keeps_other_keys_and_comments(tmp_path: Path) -> None:
    p = write(tmp_path, "# my wall\nlang = \"zh\"  # 中文\n\n[kiosk]\n# slow\n"
              "interval_s = 60\n")
    cm.write_values(p, {"operator": "李娜", "font_scale": 1.25, "lang": "en",
                        "kiosk.screen": 2, "tiles": None})
    text = p.read_text("utf-8")
    assert "# my wall" in text and "# slow" in text and "interval_s = 60" in text
    cfg = cm.load(p)
    assert (cfg.operator, cfg.font_scale, cfg.lang, cfg.kiosk.screen) == ("李娜", 1.25, "en", 2)
    cm.write_values(p, {"operator": None})
    assert cm.load(p).operator is None and "# my wall" in p.read_text("utf-8")
    with pytest.raises(KeyError):
        cm.write_values(p, {"colour": "red"})


def test_writing_a_new_file(tmp_path: Path) -> None:
    p = tmp_path / "sub" / "config.toml"
    cm.write_values(p, {"lang": "en", "kiosk.playlist": ("map", "dispatch")})
    assert cm.load(p).kiosk.playlist == ("map", "dispatch")


def test_shown_config_is_valid_toml_of_the_effective_values(tmp_path: Path) -> None:
    p = write(tmp_path, 'operator = "王"\n[kiosk]\ninterval_s = 12\n')
    text = cm.to_toml(cm.load(p))
    again = write(tmp_path, text)
    assert cm.load(again) == cm.load(p)


def run_cli(*args: str, env_config: Path) -> subprocess.CompletedProcess:
    import os

    env = {**os.environ, "COCKPIT_CONFIG": str(env_config)}
    return subprocess.run([sys.executable, "-m", "cockpit", *args], capture_output=True,
                          text=True, env=env, timeout=60)


def test_config_check_and_show_commands(tmp_path: Path) -> None:
    good = write(tmp_path, 'lang = "en"\n')
    r = run_cli("config", "check", env_config=good)
    assert r.returncode == 0 and "ok" in r.stdout
    r = run_cli("config", "show", env_config=good)
    assert r.returncode == 0 and 'lang = "en"  # config file' in r.stdout
    bad = tmp_path / "bad.toml"
    bad.write_text("[kiosk]\ncursor_hide_s = 0\n", "utf-8")
    r = run_cli("config", "check", str(bad), env_config=good)
    assert r.returncode == cm.EXIT_BAD_CONFIG
    assert f"{bad}: kiosk.cursor_hide_s: expected a number of seconds from 1 to 3600" in r.stderr


def test_gui_refuses_a_bad_config_before_opening_anything(tmp_path: Path) -> None:
    bad = write(tmp_path, 'lang = "fr"\n')
    r = run_cli("--data", str(tmp_path / "none"), "--screenshot", str(tmp_path / "x.png"),
                env_config=bad)
    assert r.returncode == cm.EXIT_BAD_CONFIG
    assert f"{bad}: lang: expected one of 'zh', 'en'" in r.stderr
    assert not (tmp_path / "x.png").exists()


def test_readme_documents_every_key() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    missing = [k.name for k in cm.KEYS if f"| `{k.name}` |" not in readme]
    assert not missing, f"README lacks config keys: {missing}"


def test_interface_scale_follows_the_window() -> None:
    from cockpit.app import interface_scale

    assert interface_scale((1920, 1080), 1.0, True) == 1.0
    assert interface_scale((3840, 2160), 1.0, True) == 2.0
    assert interface_scale((2560, 1440), 1.0, True) == pytest.approx(1.3333, abs=1e-3)
    assert interface_scale((5760, 1080), 1.0, True) == 1.0  # a wide wall is 1080 high
    assert interface_scale((7680, 2160), 1.0, True) == 2.0
    assert interface_scale((3840, 2160), 1.0, False) == 1.0
    assert interface_scale((3840, 2160), 1.25, True) == 2.5
    # never so large that the window falls under its 1280×720 minimum
    assert interface_scale((1920, 1080), 2.0, True) == 1.5


def test_a_missing_screen_is_named(tmp_path: Path) -> None:
    cfg = write(tmp_path, "[kiosk]\nscreen = 7\n")
    r = run_cli("--data", str(tmp_path / "none"), "--screenshot", str(tmp_path / "x.png"),
                "--screen", "5", env_config=cfg)
    assert r.returncode == 2 and "--screen 5: this machine has 1 screen(s)" in r.stderr
    # the config's screen counts in kiosk mode, and the message names the file and key
    r = run_cli("--data", str(tmp_path / "none"), "--screenshot", str(tmp_path / "x.png"),
                "--kiosk", env_config=cfg)
    assert r.returncode == 2 and f"kiosk.screen = 7 in {cfg}" in r.stderr


def test_an_interactive_start_rescales_for_a_4k_screen(monkeypatch) -> None:
    from cockpit import app as app_mod

    class Geometry:
        def __init__(self, w: int, h: int) -> None:
            self.w, self.h = w, h

        def width(self) -> int:
            return self.w

        def height(self) -> int:
            return self.h

    class Screen:
        def __init__(self, w: int, h: int) -> None:
            self._g = Geometry(w, h)

        def geometry(self) -> Geometry:
            return self._g

    import os

    calls: list = []
    monkeypatch.setattr(app_mod.os, "execv", lambda exe, argv: calls.append((exe, argv)))
    before = {var: os.environ.get(var) for var in ("QT_SCALE_FACTOR", "COCKPIT_RESCALED")}
    for var in before:  # set-then-del: monkeypatch restores them afterwards
        monkeypatch.setenv(var, "")
        monkeypatch.delenv(var)
    app_mod._rescale_for_screen(None, Screen(1920, 1080), cm.Config())
    assert calls == []  # 1080p: nothing to do
    app_mod._rescale_for_screen(None, Screen(3840, 2160), cm.Config())
    assert len(calls) == 1 and calls[0][0] == sys.executable
    assert app_mod.os.environ["QT_SCALE_FACTOR"] == "2"
    # once only, and never over a scale factor the user set
    app_mod._rescale_for_screen(None, Screen(3840, 2160), cm.Config(font_scale=1.5))
    assert len(calls) == 1
    # the scale it set for the re-start does not outlive the test (in this same test, so it
    # does not depend on the order tests run in)
    monkeypatch.undo()
    assert {var: os.environ.get(var) for var in before} == before


# ---- config show: where each value came from; explicit paths must exist ----------------------

def show(*argv: str, env: dict[str, str] | None = None) -> tuple[dict[str, str], str]:
    """``config show``'s sources by key (in-process), and the TOML text."""
    args = build_parser().parse_args([*argv, "config", "show"])
    cfg, origin, _path, problems = cm.effective(args, env=env or {})
    assert problems == []
    return origin, cm.to_toml(cfg, origin)


def test_config_show_names_the_source_of_every_value(tmp_path: Path) -> None:
    cfg = write(tmp_path, 'lang = "zh"\n[kiosk]\ninterval_s = 20\n')
    origin, text = show("--config", str(cfg), "--screen", "0", "--kiosk")
    assert origin["kiosk.screen"] == "command line --screen"
    assert origin["kiosk.enabled"] == "command line --kiosk"
    assert origin["kiosk.interval_s"] == f"config file {cfg}"
    assert origin["font_scale"] == "default"
    assert "screen = 0  # command line --screen" in text
    assert "enabled = true  # command line --kiosk" in text
    assert "font_scale = 1.0  # default" in text


def test_config_show_gives_the_language_cockpit_lang_sets(tmp_path: Path) -> None:
    cfg = write(tmp_path, 'lang = "zh"\n')
    origin, text = show("--config", str(cfg), env={"COCKPIT_LANG": "en"})
    assert 'lang = "en"  # environment COCKPIT_LANG' in text
    # the command line still wins over the environment; an unsupported value is ignored
    origin, text = show("--config", str(cfg), "--lang", "zh", env={"COCKPIT_LANG": "en"})
    assert 'lang = "zh"  # command line --lang' in text
    origin, text = show("--config", str(cfg), env={"COCKPIT_LANG": "fr"})
    assert origin["lang"] == f"config file {cfg}"


def test_a_config_path_that_does_not_exist_is_an_error(tmp_path: Path) -> None:
    typo = tmp_path / "confg.toml"
    good = write(tmp_path, 'lang = "en"\n')
    for argv in (["--config", str(typo), "config", "show"], ["config", "check", str(typo)]):
        r = run_cli(*argv, env_config=good)
        assert r.returncode == cm.EXIT_BAD_CONFIG, (argv, r.stdout, r.stderr)
        assert f"{typo}: no such file" in r.stderr
    # the GUI refuses it before anything is opened or written
    r = run_cli("--config", str(typo), "--data", str(tmp_path / "none"), "--screenshot",
                str(tmp_path / "x.png"), env_config=good)
    assert r.returncode == cm.EXIT_BAD_CONFIG and f"{typo}: no such file" in r.stderr
    assert not (tmp_path / "x.png").exists() and not typo.exists()
    # COCKPIT_CONFIG naming a file not made yet (the settings dialog creates it) is the defaults
    assert cm.load(typo) == cm.Config()


@pytest.mark.parametrize("content, expected", [
    (b'lang = "\xd6\xd0"\n', "not UTF-8 text"),   # GBK bytes
    (None, "is a directory"),
])
def test_an_unreadable_or_non_utf8_config_is_named(tmp_path: Path, content, expected) -> None:
    path = tmp_path / "config.toml"
    if content is None:
        path.mkdir()
    else:
        path.write_bytes(content)
    values, problems = cm.read(path)
    assert values == {} and len(problems) == 1
    assert str(problems[0]).startswith(f"{path}: ") and expected in str(problems[0])
    with pytest.raises(cm.ConfigError):
        cm.load(path)


@pytest.mark.parametrize("argv, key, value", [
    (["--store", "a.duckdb", "audit", "verify"], "store", "a.duckdb"),
    (["audit", "verify", "b.duckdb"], "store", "b.duckdb"),
    (["--data", "/d", "audit", "verify"], "data", Path("/d")),
    (["--lang", "en", "report", "--out", "o"], "lang", "en"),
    (["--data", "/d", "report", "--out", "o"], "data", Path("/d")),
    (["report", "--out", "o", "--lang", "zh"], "lang", "zh"),
])
def test_a_global_option_reaches_the_subcommand(argv, key, value) -> None:
    """`cockpit --store X audit verify` checks X: a subcommand's own default does not hide the
    option given before it."""
    assert getattr(build_parser().parse_args(argv), key) == value
