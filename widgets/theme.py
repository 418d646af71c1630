"""One dark palette for every panel, readable from across the room."""

from __future__ import annotations

from importlib import resources

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

BG = "#0b1220"
PANEL = "#111a2e"
TRACK = "#1d2840"
TEXT = "#e6edf7"
TEXT_DIM = "#9fb0c8"
ACCENT = "#3ea6ff"
#: The keyboard focus outline (the style sheet uses the same colour).
FOCUS = "#ffd60a"
DEMO = "#ffb020"
#: Status colours; every status is also shown by text or shape, never by colour alone.
STATUS = {"normal": "#34c759", "warning": "#ffcc00", "alarm": "#ff453a", "nodata": "#6b7689"}
#: Risk levels 1 重大 … 4 低.
LEVEL = {1: "#ff3b30", 2: "#ff9500", 3: "#ffd60a", 4: "#64d2ff"}
#: Event sources.
SOURCE = {"sensor": "#64d2ff", "ai_camera": "#bf5af2", "grid_worker": "#34c759",
          "hotline": "#ff9f0a", "drone": "#5e5ce6", "patrol": "#30d158"}

#: Preferred CJK fonts, first found wins.
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei",
             "Microsoft YaHei", "PingFang SC")


def apply(app: QApplication, scale: float = 1.0) -> None:
    """Dark palette, the style sheet and a CJK-capable font on the application."""
    from PySide6.QtGui import QFontDatabase

    families = set(QFontDatabase.families())
    family = next((f for f in CJK_FONTS if f in families), app.font().family())
    font = QFont(family)
    font.setPointSizeF(11 * scale)
    app.setFont(font)
    pal = QPalette()
    for role, colour in ((QPalette.ColorRole.Window, BG), (QPalette.ColorRole.Base, PANEL),
                         (QPalette.ColorRole.AlternateBase, TRACK),
                         (QPalette.ColorRole.Text, TEXT), (QPalette.ColorRole.WindowText, TEXT),
                         (QPalette.ColorRole.Button, TRACK), (QPalette.ColorRole.ButtonText, TEXT),
                         (QPalette.ColorRole.Highlight, ACCENT)):
        pal.setColor(role, QColor(colour))
    app.setPalette(pal)
    qss = resources.files("cockpit.resources").joinpath("style.qss").read_text("utf-8")
    app.setStyleSheet(qss)
