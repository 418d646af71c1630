"""English texts fit where the Chinese ones did (issue 14, item 11): the vital-sign tiles'
first line ("Environment ▲ Alarm") and the note under them are never cut at the edge."""

from __future__ import annotations

import pytest
from cockpit.datasets.schema import VITAL_DOMAINS
from PySide6.QtGui import QColor


@pytest.fixture
def english(qapp):
    from cockpit.i18n import install_translator, remove_translators

    assert install_translator(qapp, "en") == "en"
    yield
    remove_translators(qapp)


def _ink_at_right_edge(tile) -> list[tuple[int, int]]:
    """Pixels of the first line within 7 px of the tile's right edge that are not the card
    colour: glyphs cut by the edge."""
    from cockpit.widgets.vitals_panel import _CARD

    img = tile.grab().toImage()
    card = QColor(_CARD)
    w = img.width()
    ratio = img.devicePixelRatio() or 1
    hits = []
    for y in range(int(8 * ratio), int(30 * ratio)):
        for x in range(w - int(7 * ratio), w - int(2 * ratio)):
            c = img.pixelColor(x, y)
            if max(abs(c.red() - card.red()), abs(c.green() - card.green()),
                   abs(c.blue() - card.blue())) > 40:
                hits.append((x, y))
    return hits


@pytest.mark.parametrize("state", ["alarm", "warning", "normal"])
def test_vital_tiles_first_line_is_not_cut_in_english(english, qtbot, state: str) -> None:
    from cockpit.widgets.vitals_panel import DomainTile

    for domain in VITAL_DOMAINS:
        tile = DomainTile(domain)
        qtbot.addWidget(tile)
        tile.resize(190, 100)  # a tile of the left column at 1920×1080
        tile.set_data({state: 3, "normal": 5}, 8, [])
        tile.show()
        qtbot.waitExposed(tile)
        assert _ink_at_right_edge(tile) == [], (domain, state)


def test_the_curves_note_wraps_rather_than_being_cut(english, qtbot) -> None:
    from cockpit.widgets.vitals_panel import VitalsPanel

    panel = VitalsPanel(domains=VITAL_DOMAINS)
    qtbot.addWidget(panel)
    panel.resize(400, 560)  # the left column at 1920×1080 (24 % of the width, less margins)
    panel.show()
    qtbot.waitExposed(panel)
    from PySide6.QtGui import QTextDocument

    note = panel.spark_note
    doc = QTextDocument()
    doc.setHtml(note.text())
    text = doc.toPlainText()
    assert text.startswith("Curves")
    # the whole sentence is shown: on one line when it fits, else wrapped
    assert note.wordWrap() or note.fontMetrics().horizontalAdvance(text) <= note.width()
