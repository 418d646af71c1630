"""The CJK font the printed reports (PDF) and their charts use.

Why a font of our own: Noto Sans CJK (and most CJK fonts) map the Kangxi radicals
(U+2F00–U+2FDF) and the CJK radicals supplement (U+2E80–U+2EFF) to the *same glyphs* as the
unified ideographs they look like (⾏ U+2F8F and 行 U+884C share one glyph). A PDF stores glyph
ids; its text layer comes from a ToUnicode map that Qt's PDF writer builds by walking the
font's cmap from U+0000 upwards and keeping the first code point that reaches each glyph
(``QFontSubset::getReverseMap``). The radical comes first, so 行 is written as ⾏: the PDF
looks right but its text searches and copies as other characters.

:func:`pdf_font_file` derives, once per machine (kept in the cache directory), a copy of the
installed Noto Sans CJK SC face whose cmap no longer maps those radical blocks, under its own
family name (``Cockpit PDF CJK``). Every glyph then has exactly one code point — the unified
ideograph — and the text layer holds the real characters. The copy is made with fontTools
(which matplotlib depends on) and is never shipped with the repository.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from pathlib import Path

log = logging.getLogger(__name__)

__all__ = ["PDF_FAMILY", "pdf_font_file", "system_cjk_font", "RADICAL_RANGES"]

PDF_FAMILY = "Cockpit PDF CJK"
#: Code point blocks whose glyphs duplicate unified ideographs: left out of the PDF font.
RADICAL_RANGES = ((0x2E80, 0x2EFF), (0x2F00, 0x2FDF))
_FACE = "Noto Sans CJK SC"
_SEARCH = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), Path.home() / ".fonts")


def system_cjk_font() -> tuple[Path, int] | None:
    """The installed Noto Sans CJK SC regular: (file, face index in a collection)."""
    if shutil.which("fc-match"):
        try:
            out = subprocess.run(["fc-match", "-f", "%{file}\t%{index}\t%{family}",
                                  f"{_FACE}:style=Regular"], capture_output=True, text=True,
                                 timeout=10, check=False).stdout
            file, index, family = (out.split("\t") + ["", "", ""])[:3]
            if file and _FACE in family and Path(file).exists():
                return Path(file), int(index or 0)
        except (OSError, ValueError, subprocess.SubprocessError):
            pass
    for root in _SEARCH:
        for pattern in ("NotoSansCJK-Regular.ttc", "NotoSansCJKsc-Regular.otf",
                        "NotoSansSC-Regular.otf"):
            for f in sorted(root.rglob(pattern)) if root.is_dir() else []:
                return f, _face_index(f)
    return None


def _face_index(path: Path) -> int:
    if path.suffix.lower() not in (".ttc", ".otc"):
        return 0
    from fontTools.ttLib import TTCollection

    coll = TTCollection(str(path), lazy=True)
    for i, font in enumerate(coll.fonts):
        if font["name"].getDebugName(1) == _FACE:
            return i
    return 0


def pdf_font_file(cache: Path | None = None) -> Path | None:
    """The radical-free copy of Noto Sans CJK SC for PDFs, made on first use (None when no
    Noto Sans CJK is installed: the reports then fall back to the app's font)."""
    from cockpit import paths

    folder = Path(cache) if cache is not None else paths.cache_dir() / "fonts"
    target = folder / "cockpit-pdf-cjk-sc.otf"
    if target.exists():
        return target
    found = system_cjk_font()
    if found is None:
        log.warning("no Noto Sans CJK font installed: PDF text may not extract correctly")
        return None
    src, index = found
    from fontTools.ttLib import TTFont

    # no bounding-box recalculation: it would decompile every CFF glyph (minutes)
    font = TTFont(str(src), fontNumber=index, lazy=True, recalcBBoxes=False,
                  recalcTimestamp=False)
    for table in font["cmap"].tables:
        for cp in [c for c in table.cmap if any(a <= c <= b for a, b in RADICAL_RANGES)]:
            del table.cmap[cp]
    name = font["name"]
    for rec in name.names:
        if rec.nameID in (1, 16):
            rec.string = PDF_FAMILY
        elif rec.nameID in (4,):
            rec.string = f"{PDF_FAMILY} Regular"
        elif rec.nameID == 6:
            rec.string = "CockpitPDFCJK-Regular"
    folder.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".part")
    font.save(str(tmp))
    tmp.replace(target)
    log.info("made the PDF font %s from %s (face %d)", target, src, index)
    return target
