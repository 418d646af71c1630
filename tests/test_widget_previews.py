"""Each widget can be looked at alone on sample data (``python -m cockpit.widgets.<name>``);
``--screenshot PNG`` draws it and saves it: the widget's smoke test."""

from __future__ import annotations

import importlib

import pytest
from PySide6.QtGui import QImage


@pytest.mark.parametrize("name", ["gauge", "trend", "five_colour", "ranking", "replay_bar",
                                  "after_action"])
def test_a_widget_draws_alone_on_sample_data(qapp, tmp_path, name):
    mod = importlib.import_module(f"cockpit.widgets.{name}")
    out = tmp_path / f"{name}.png"
    assert mod.preview(["preview", "--screenshot", str(out)]) == 0
    saved = sorted(tmp_path.glob(f"{name}*.png"))
    assert saved, "no screenshot written"
    img = QImage(str(saved[0]))
    assert img.width() > 200 and img.height() > 100
    # something was drawn: more than a handful of colours (not one flat background)
    colours = {img.pixel(x, y) for x in range(0, img.width(), 17)
               for y in range(0, img.height(), 13)}
    assert len(colours) > 8
