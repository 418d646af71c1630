"""The README checks itself: its runnable command blocks run, its figures are the program's, its
links and pictures resolve, and every picture in docs/ has its line in scripts/screenshots.

**Runnable blocks** are opt-in: a fenced block right after the line ``<!-- runnable -->`` (or
``<!-- runnable timeout=SECONDS -->``, default 120). The blocks run in README order, each with
``bash -e -o pipefail``, in one fresh working directory shared by all of them (a later block may
use what an earlier one wrote), with the project's ``.venv/bin`` first on ``PATH``, offscreen,
and a data directory, cache and config path of their own (``COCKPIT_DATA_HOME``,
``COCKPIT_CACHE_HOME``, ``COCKPIT_CONFIG``). A block fails when it exits non-zero, times out, or
when a line ``# → TEXT`` it contains (the documented output) is not found in what it printed.
A command documented to fail is written ``cmd || echo "exit $?"`` with ``# → exit N``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from cockpit.datasets.schema import TABLES

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DEFAULT_TIMEOUT = 120

# ---- runnable blocks --------------------------------------------------------------------------

_BLOCK = re.compile(r"^<!--\s*runnable(?P<opts>[^>]*?)\s*-->[ \t]*\n```[^\n]*\n(?P<body>.*?)^```",
                    re.S | re.M)


@dataclass(frozen=True)
class Block:
    """A runnable block of the README: its line, its commands, its documented output."""

    line: int
    body: str
    timeout: float
    expected: tuple[str, ...]

    @property
    def id(self) -> str:
        first = next((x for x in self.body.splitlines() if x.strip()
                      and not x.startswith("#")), "")
        return f"line{self.line}-{first.split('#')[0].strip()[:40]}"


def runnable_blocks(text: str) -> list[Block]:
    """The blocks marked ``<!-- runnable -->`` in a Markdown text, in order."""
    out = []
    for m in _BLOCK.finditer(text):
        opts = dict(kv.split("=", 1) for kv in m["opts"].split() if "=" in kv)
        expected = tuple(x.split("# →", 1)[1].strip() for x in m["body"].splitlines()
                         if "# →" in x)
        out.append(Block(text.count("\n", 0, m.start()) + 2, m["body"],
                         float(opts.get("timeout", DEFAULT_TIMEOUT)), expected))
    return out


BLOCKS = runnable_blocks(README.read_text("utf-8"))


@dataclass
class Ran:
    rc: int | None
    output: str
    seconds: float


@pytest.fixture(scope="module")
def ran(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Ran]:
    """Every runnable block, run once in README order in one working directory."""
    work = tmp_path_factory.mktemp("readme")
    env = {k: v for k, v in os.environ.items() if not k.startswith("COCKPIT_")}
    env.update(PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
               QT_QPA_PLATFORM="offscreen",
               QTWEBENGINE_CHROMIUM_FLAGS=env.get("QTWEBENGINE_CHROMIUM_FLAGS",
                                                  "--no-sandbox --disable-gpu"),
               COCKPIT_DATA_HOME=str(work / "home" / "data"),
               COCKPIT_CACHE_HOME=str(work / "home" / "cache"),
               COCKPIT_CONFIG=str(work / "home" / "config.toml"),
               COCKPIT_SCREENSHOT_TIMEOUT_MS="100000", LC_ALL="C.UTF-8")
    results: dict[int, Ran] = {}
    for b in BLOCKS:
        t0 = time.perf_counter()
        try:
            r = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", b.body], cwd=work, env=env,
                               capture_output=True, text=True, timeout=b.timeout)
            results[b.line] = Ran(r.returncode, r.stdout + r.stderr, time.perf_counter() - t0)
        except subprocess.TimeoutExpired as exc:
            out = (exc.stdout or b"").decode() if isinstance(exc.stdout, bytes) else (
                exc.stdout or "")
            results[b.line] = Ran(None, out, b.timeout)
    return results


def test_the_readme_has_runnable_blocks() -> None:
    assert len(BLOCKS) >= 3, "the README's self-test lost its runnable blocks"
    assert all(b.expected for b in BLOCKS), [b.line for b in BLOCKS if not b.expected]


@pytest.mark.parametrize("block", BLOCKS, ids=[b.id for b in BLOCKS])
def test_readme_block_runs_and_prints_what_it_says(block: Block, ran: dict[int, Ran]) -> None:
    r = ran[block.line]
    where = f"README.md line {block.line}"
    assert r.rc is not None, f"{where}: timed out after {block.timeout:g} s\n{r.output[-2000:]}"
    assert r.rc == 0, f"{where}: exit {r.rc}\n{r.output[-3000:]}"
    missing = [e for e in block.expected if e not in r.output]
    assert not missing, f"{where}: documented output missing: {missing}\n{r.output[-3000:]}"


def test_marker_is_opt_in_and_parses_options() -> None:
    text = ("```bash\nfalse\n```\n<!-- runnable timeout=5 -->\n```bash\necho hi  # → hi\n"
            "```\n<!-- other -->\n```\nfalse\n```\n")
    (b,) = runnable_blocks(text)
    assert b.timeout == 5 and b.expected == ("hi",) and b.body == "echo hi  # → hi\n"


# ---- documented figures -----------------------------------------------------------------------

def _row(text: str, start: str) -> list[str]:
    line = next(x for x in text.splitlines() if x.startswith(start))
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _int(cell: str) -> int:
    return int(re.match(r"[\d,]+", cell)[0].replace(",", ""))


def test_the_documented_unit_counts_are_the_generators() -> None:
    """The demo-dataset table's admin units (and grids) per scale, and its other counts,
    against the generator's admin build and its scale settings."""
    from cockpit.datasets.generate import SCALES, _Gen

    text = README.read_text("utf-8")
    cells = _row(text, "| admin units")[1:]
    for scale, cell in zip(("small", "chongqing", "stress"), cells):
        g = _Gen(SCALES[scale], 1, date(2026, 11, 20), None, None)
        g.build_admin()
        levels = g.tables["admin_unit"].column("level").to_pylist()
        assert _int(cell) == len(levels), (scale, cell, len(levels))
        grids = re.search(r"\(([\d,]+) grids\)", cell)
        if grids:
            assert _int(grids[1]) == levels.count("grid"), (scale, cell)
    for start, field in (("| risk points", "risk_points"), ("| sensors", "sensors"),
                         ("| facilities", "facilities")):
        row = _row(text, start)[1:]
        for scale, cell in zip(("small", "chongqing", "stress"), row):
            if cell != "same":
                assert _int(cell) == getattr(SCALES[scale], field), (start, scale, cell)
    events = _row(text, "| events")[1:]
    for scale, cell in zip(("small", "chongqing", "stress"), events):
        assert _int(cell) == SCALES[scale].events, (scale, cell)


def test_the_documented_gui_exit_codes_are_the_programs() -> None:
    """The README lists the GUI's exit codes 0–5 in order, the config's being the program's;
    the runnable blocks show 1, 2 and 5 happening."""
    from cockpit.config import EXIT_BAD_CONFIG

    text = README.read_text("utf-8")
    para = text[text.index("Exit codes of the GUI"):]
    para = para[:para.index("\n\n")]
    assert [int(c) for c in re.findall(r"(?:: |; |\n)(\d) ", para)] == [0, 1, 2, 3, 4, 5], para
    assert f"{EXIT_BAD_CONFIG} the configuration file has problems" in para
    shown = {int(x) for b in BLOCKS for x in re.findall(r"# → exit (\d)", b.body)}
    assert {1, 2, 5} <= shown


def test_the_reference_boundaries_are_as_described() -> None:
    """datasets/reference/README.md's count of districts by geometry type."""
    import json

    ref = ROOT / "datasets" / "reference"
    doc = (ref / "README.md").read_text("utf-8")
    feats = json.loads((ref / "chongqing_districts.geojson").read_text("utf-8"))["features"]
    kinds = [f["geometry"]["type"] for f in feats]
    m = re.search(r"as Polygons \((\d+)\) and MultiPolygons \((\d+)\)", doc)
    assert m and (int(m[1]), int(m[2])) == (kinds.count("Polygon"), kinds.count("MultiPolygon"))
    assert f"| {len(feats)} features |" in doc


def test_the_first_run_time_class(ran: dict[int, Ran]) -> None:
    """The README's first-run figure is a class (under N minutes), checked against the
    first start on a fresh data directory in the runnable blocks (the small dataset's
    `first-frame` line): not a speed test, a check that the documented class is not off."""
    text = README.read_text("utf-8")
    m = re.search(r"first run takes under (\w+) minutes?", text)
    assert m, "the README states the first run's time class"
    bound = {"one": 60, "a": 60, "two": 120, "three": 180}[m[1]] * 2  # a loaded CI machine
    firsts = [float(x) for r in ran.values() for x in re.findall(r"first-frame ([\d.]+)",
                                                                  r.output)]
    assert firsts and min(firsts) < bound


# ---- links and pictures -----------------------------------------------------------------------

def _markdown_files() -> list[Path]:
    skip = {".venv", ".git", "node_modules", ".pytest_cache"}
    return sorted(p for p in ROOT.rglob("*.md") if not skip & set(p.relative_to(ROOT).parts))


def _slug(heading: str) -> str:
    """GitHub's anchor of a heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower().replace("`", ""))
    return text.replace(" ", "-")


def _anchors(md: Path) -> set[str]:
    heads = re.findall(r"^#+\s+(.*)$", md.read_text("utf-8"), re.M)
    return {_slug(h) for h in heads}


_LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)|<img[^>]*\ssrc=\"([^\"]+)\"")


def test_every_link_and_picture_of_the_docs_resolves() -> None:
    broken = []
    for md in _markdown_files():
        text = re.sub(r"```.*?```", "", md.read_text("utf-8"), flags=re.S)
        for m in _LINK.finditer(text):
            target = m[1] or m[2]
            if re.match(r"[a-z]+:", target):  # http:, https:, mailto:
                continue
            path, _, anchor = target.partition("#")
            dest = (md.parent / path).resolve() if path else md
            if not dest.exists():
                broken.append(f"{md.relative_to(ROOT)}: {target} (no such file)")
            elif anchor and dest.suffix == ".md" and anchor not in _anchors(dest):
                broken.append(f"{md.relative_to(ROOT)}: {target} (no such heading)")
    assert not broken, "\n".join(broken)


def test_every_picture_in_docs_has_its_line_in_scripts_screenshots() -> None:
    import importlib.machinery
    import importlib.util

    loader = importlib.machinery.SourceFileLoader("screenshots", str(ROOT / "scripts" /
                                                                     "screenshots"))
    spec = importlib.util.spec_from_loader("screenshots", loader)
    shots = importlib.util.module_from_spec(spec)
    loader.exec_module(shots)
    listed = {name for name, _data, _args in shots.SHOTS}
    by_hand = set(getattr(shots, "WIDGET_SHOTS", ()))  # to be given a scene, then removed
    pictures = {p.name for p in (ROOT / "docs").glob("*.png")}
    unmade = pictures - listed - by_hand
    assert not unmade, f"not made by scripts/screenshots: {sorted(unmade)}"
    assert not by_hand & listed, "a picture with its line is no longer made by hand"
    # every line names a way to make it that the script has
    kinds = {"demo", "district", "widget", "scene", "report"}
    for name, data, args in shots.SHOTS:
        assert data in kinds, f"{name}: unknown dataset {data!r}"
        first = args.split()[0]
        if data == "widget":
            assert first in shots.RECIPES, f"{name}: no recipe {first!r}"
        elif data == "scene":
            assert first in shots.SCENES, f"{name}: no scene {first!r}"
    assert {name for name, _d, _a in shots.SHOTS} <= pictures
    readme = README.read_text("utf-8")
    for name, _data, _args in shots.SHOTS:
        assert f"docs/{name}" in readme, f"docs/{name} is made but not shown in the README"


# ---- the README's other promises --------------------------------------------------------------

def test_readme_documents_every_table_and_column() -> None:
    text = README.read_text("utf-8")
    missing = [f"{t.name}.{c.name}" for t in TABLES for c in t.columns
               if f"#### `{t.name}`" not in text or f"| `{c.name}` |" not in text]
    assert not missing, f"README lacks: {missing}"


def test_ci_runs_the_readme_test_command() -> None:
    readme = README.read_text("utf-8")
    ci = (ROOT / ".ci" / "run").read_text("utf-8")
    assert "./scripts/test" in readme and "./scripts/cockpit" in readme
    assert "./scripts/test" in ci.splitlines()[-1]
