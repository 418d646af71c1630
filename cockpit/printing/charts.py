"""The printed reports' charts, drawn with matplotlib (Agg, no window) in the PDF font.

Each function takes plain values (already in the interface language) and returns PNG bytes
that :func:`cockpit.printing.quarter_pdf.write_html_pdf` places on the page as images. The
figures are built with ``matplotlib.figure.Figure`` directly (no pyplot state), so they can
be drawn off the GUI thread.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from matplotlib.figure import Figure

__all__ = ["grid_png", "bars_png", "font_family"]

_FAMILY: list[str] = []
_INK, _DIM, _GRID = "#111111", "#555555", "#d7dce4"
UP, DOWN = "#1e7b34", "#b3261e"


def font_family() -> str:
    """Register the PDF font with matplotlib once; its family name (so the charts' CJK text
    matches the report's)."""
    if not _FAMILY:
        from matplotlib import font_manager

        from cockpit.printing.fonts import PDF_FAMILY, pdf_font_file

        family = "Noto Sans CJK SC"
        try:
            path = pdf_font_file()
        except (OSError, ValueError, ImportError):
            path = None
        if path is not None:
            font_manager.fontManager.addfont(str(path))
            family = PDF_FAMILY
        _FAMILY.append(family)
    return _FAMILY[0]


def _png(fig: Figure, dpi: int = 150) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def _figure(width_in: float, height_in: float, left_in: float = 1.5,
            top_in: float = 0.4) -> Figure:
    """A figure with fixed margins (a layout engine would draw it twice)."""
    fam = font_family()
    import matplotlib

    matplotlib.rcParams["font.family"] = [fam, "DejaVu Sans"]
    matplotlib.rcParams["axes.unicode_minus"] = False
    fig = Figure(figsize=(width_in, height_in))
    fig.subplots_adjust(left=left_in / width_in, right=1 - 0.15 / width_in,
                        top=1 - top_in / height_in, bottom=0.35 / height_in)
    return fig


def grid_png(row_labels: Sequence[str], columns: Sequence[str],
             cells: Sequence[Sequence[dict]], width_in: float = 10.6,
             height_in: float = 6.6) -> bytes:
    """The five-colour grid: one row per unit, one column per board; each cell a dict with
    ``colour``, ``text`` (ink colour) and ``label`` (what is printed in it)."""
    from matplotlib.colors import to_rgb

    n, m = len(row_labels), len(columns)
    fig = _figure(width_in, height_in, left_in=1.5, top_in=0.3)
    ax = fig.add_subplot()
    rgb = [[to_rgb(c["colour"]) for c in row] for row in cells] or [[(1, 1, 1)]]
    ax.imshow(rgb, aspect="auto", interpolation="nearest")
    size = max(4.5, min(8.0, 300 / max(n, 1)))
    for i, row in enumerate(cells):
        for j, c in enumerate(row):
            ax.text(j, i, c["label"], ha="center", va="center", fontsize=size,
                    color=c["text"], )
    ax.set_xticks(range(m), labels=list(columns), fontsize=size + 1)
    ax.xaxis.tick_top()
    ax.set_yticks(range(n), labels=list(row_labels), fontsize=size)
    ax.set_xticks([x - 0.5 for x in range(1, m)], minor=True)
    ax.set_yticks([y - 0.5 for y in range(1, n)], minor=True)
    ax.grid(which="minor", color="white", linewidth=0.6)
    ax.tick_params(which="both", length=0)
    for s in ax.spines.values():
        s.set_visible(False)
    return _png(fig)


def bars_png(rows: Sequence[dict], title: str, mean: float | None = None,
             mean_label: str = "", width_in: float = 10.6, height_in: float = 6.4,
             missing_label: str = "—") -> bytes:
    """Scores as horizontal bars, best on top, each bar in its level's colour, its value
    and its rank movement at the end (``rows``: ``label``, ``score`` (None: missing),
    ``colour``, ``change`` (ranks gained, None: none or new))."""
    n = len(rows)
    fig = _figure(width_in, height_in)
    ax = fig.add_subplot()
    size = max(4.5, min(8.5, 320 / max(n, 1)))
    ys = list(range(n))[::-1]
    for y, r in zip(ys, rows):
        s = r.get("score")
        if s is None:
            ax.text(1, y, missing_label, va="center", fontsize=size, color=_DIM)
            continue
        ax.barh(y, s, color=r["colour"], edgecolor="#6b7483", linewidth=0.3, height=0.78)
        ax.text(s + 0.8, y, f"{s:.1f}", va="center", fontsize=size, color=_INK)
        ch = r.get("change")
        if ch:
            ax.text(s + 7.5, y, f"↑{ch}" if ch > 0 else f"↓{-ch}", va="center",
                    fontsize=size, color=UP if ch > 0 else DOWN)
    if mean is not None:
        ax.axvline(mean, color=_DIM, linestyle="--", linewidth=0.8)
        ax.text(mean, n - 0.45, f"{mean_label} {mean:.1f}", ha="left", va="bottom",
                fontsize=size, color=_DIM)
    ax.set_yticks(ys, labels=[r["label"] for r in rows], fontsize=size)
    ax.set_xlim(0, 112)
    ax.set_ylim(-0.7, n + 1.0)
    ax.set_xticks(range(0, 101, 20))
    ax.tick_params(axis="x", labelsize=size + 1)
    ax.grid(axis="x", color=_GRID, linewidth=0.5)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.set_title(title, fontsize=size + 3, loc="left", color=_INK)
    return _png(fig)
