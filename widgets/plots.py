"""pyqtgraph, imported when the first plot is made rather than with the window.

Importing pyqtgraph costs about a fifth of a second on the GUI thread at start-up (PySide6's
import hook reads each of its modules), and every plot of the window — a KPI's eight-quarter
trend, a vital sign's trend, the replay bar's timeline — is shown later, on demand. The
widgets that plot call :func:`pg` when they make their plot.
"""

from __future__ import annotations

from functools import cache
from types import ModuleType

__all__ = ["pg"]


@cache
def pg() -> ModuleType:
    """The pyqtgraph module (imported on the first call)."""
    import pyqtgraph

    return pyqtgraph
