"""Run work off the GUI thread and deliver the result back on it.

Each job gets its own DuckDB cursor from the caller (cursors are not shared across threads).
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

log = logging.getLogger(__name__)


class _Relay(QObject):
    done = Signal(object)
    failed = Signal(str)


class _Job(QRunnable):
    def __init__(self, fn: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self.fn = fn
        self.relay = relay
        self.setAutoDelete(True)

    def run(self) -> None:
        try:
            result = self.fn()
        except Exception as exc:  # noqa: BLE001 - reported to the GUI, never lost
            log.error("background job failed: %s", traceback.format_exc())
            self.relay.failed.emit(f"{type(exc).__name__}: {exc}")
        else:
            self.relay.done.emit(result)


_relays: set[_Relay] = set()


def run_in_background(fn: Callable[[], Any], on_done: Callable[[Any], None],
                      on_error: Callable[[str], None] | None = None) -> None:
    """Run ``fn()`` on the thread pool; call ``on_done(result)`` on the GUI thread."""
    relay = _Relay()
    _relays.add(relay)

    def finish(result: Any) -> None:
        _relays.discard(relay)
        on_done(result)

    def fail(message: str) -> None:
        _relays.discard(relay)
        if on_error:
            on_error(message)

    relay.done.connect(finish)
    relay.failed.connect(fail)
    QThreadPool.globalInstance().start(_Job(fn, relay))
