"""User-supplied strings on screen: plain text, no bidi overrides, never wider than asked.

Names and titles come from the dataset (a district centre's own files) and may hold markup
(``<img src=x>``, ``<b>``), bidi control characters (U+202E RIGHT-TO-LEFT OVERRIDE turns
"排名单位 41 个" into "排名单位 14 个") or thousands of characters without a break. Every widget
that shows such a string goes through this module:

* :func:`display` — the text to draw: bidi controls removed, other control characters made
  spaces, optionally elided to a number of characters;
* :func:`tooltip` — the full text for a tooltip, escaped, line breaks kept and long runs
  broken, so that Qt's AutoText tooltips can never render it as HTML;
* :class:`ElidedLabel` — one line of plain text elided to the width its layout gives it,
  the whole text in its tooltip when cut: a title or a status line that can never widen its
  window;
* :func:`set_plain` — a label set to :data:`Qt.TextFormat.PlainText` showing :func:`display`
  of a text, elided, with the whole text in its tooltip when it was cut.

The dispatch panel (owned by the shift work) uses the same helpers for its tooltips.
"""

from __future__ import annotations

import html
import re

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

#: Bidi embedding, override and isolate controls and the implicit marks: they reorder the
#: text around them (Unicode UAX #9). Removed from every user string shown.
BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
#: C0/C1 control characters other than tab and newline: shown as a space.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
#: A run of characters without a break opportunity longer than this is broken in tooltips.
_RUN = 80
_LONG_RUN = re.compile(rf"\S{{{_RUN + 1},}}")

#: Characters a name shows before it is elided (the full text goes to the tooltip).
NAME_CHARS = 60


def display(text: object, limit: int | None = None, one_line: bool = True) -> str:
    """``text`` as it may be drawn: bidi controls removed, control characters as spaces
    (and line breaks too when ``one_line``), cut to ``limit`` characters with "…"."""
    s = "" if text is None else str(text)
    s = BIDI_CONTROLS.sub("", s)
    s = _CONTROLS.sub(" ", s)
    if one_line:
        s = s.replace("\r\n", " ").replace("\n", " ").replace("\t", " ")
    if limit is not None and len(s) > limit:
        s = s[:max(1, limit - 1)] + "…"
    return s


def is_cut(text: object, limit: int) -> bool:
    """Whether :func:`display` with ``limit`` cuts the text."""
    return len(display(text)) > limit


def tooltip(text: object) -> str:
    """A tooltip showing ``text`` literally: escaped rich text with its line breaks kept
    (Qt decides per tooltip whether it is rich text; an escaped paragraph always is, and
    shows exactly the characters given). Bidi controls are removed; runs longer than 80
    characters are broken so that the tooltip fits on the screen."""
    s = display(text, one_line=False)
    if not s:
        return ""
    s = _LONG_RUN.sub(lambda m: "\n".join(m.group(0)[i:i + _RUN]
                                          for i in range(0, len(m.group(0)), _RUN)), s)
    return "<p style='white-space:pre-wrap'>" + html.escape(s, quote=False) + "</p>"


def set_plain(label: QLabel, text: object, limit: int | None = NAME_CHARS,
              tip: object | None = None) -> None:
    """Show ``text`` in ``label`` as plain text, elided to ``limit`` characters; the tooltip
    holds ``tip`` (escaped), or the whole text when it was cut."""
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(display(text, limit))
    if tip is not None:
        label.setToolTip(tooltip(tip))
    elif limit is not None and is_cut(text, limit):
        label.setToolTip(tooltip(text))
    else:
        label.setToolTip("")


def plain_label(text: object = "", limit: int | None = NAME_CHARS, wrap: bool = False) -> QLabel:
    """A label for data: plain text, elided, that never asks for more width than its
    layout gives it (a long word cannot widen its panel)."""
    lab = QLabel()
    lab.setWordWrap(wrap)
    lab.setMinimumWidth(0)
    lab.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    set_plain(lab, text, limit)
    return lab


class ElidedLabel(QLabel):
    """One line of plain text, elided (…) to the label's width; the whole text in the
    tooltip when it is cut. It asks for its text's width, at most ``max_hint`` pixels, and
    accepts any width down to a few characters."""

    def __init__(self, text: object = "", parent: QWidget | None = None,
                 max_hint: int = 900) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self._full = ""
        self._tip = ""
        self._max_hint = max_hint
        self.set_full_text(text)

    def set_full_text(self, text: object, tip: object = "") -> None:
        """Show ``text`` (plain, bidi controls removed), elided to the width; the tooltip
        holds ``tip`` (plain), after the whole text when that is cut."""
        self._full = display(text)
        self._tip = display(tip, one_line=False)
        self.updateGeometry()
        self._elide()

    def setText(self, text: str) -> None:  # noqa: N802 - Qt's name
        self.set_full_text(text)

    def full_text(self) -> str:
        return self._full

    def sizeHint(self) -> QSize:  # noqa: N802
        h = super().sizeHint().height()
        w = self.fontMetrics().horizontalAdvance(self._full[:400]) + 4
        return QSize(min(w, self._max_hint), h)

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(self.fontMetrics().horizontalAdvance("…") * 4,
                     super().minimumSizeHint().height())

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        width = max(self.contentsRect().width(), 1)
        shown = self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight, width)
        if shown != super().text():
            QLabel.setText(self, shown)
        parts = ([self._full] if shown != self._full else []) + ([self._tip] if self._tip else [])
        self.setToolTip(tooltip("\n\n".join(parts)))
