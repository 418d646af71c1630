"""One clock for live, review and drill: everything on screen is the city as of ``now()``."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QObject, QTimer, Signal


class Clock(QObject):
    """Live mode follows the wall clock; when the dataset ends before it, the clock stops at
    the data's end and says so (a replay clock will drive it in drill mode)."""

    sig_ticked = Signal(object)
    """The clock moved: the new time (datetime)."""

    def __init__(self, data_end: datetime | None = None, interval_ms: int = 1000,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.data_end = data_end
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(lambda: self.sig_ticked.emit(self.now()))

    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def wall(self) -> datetime:
        return datetime.now().replace(microsecond=0)

    def now(self) -> datetime:
        """The time the screen shows."""
        wall = self.wall()
        if self.data_end is not None and self.data_end < wall:
            return self.data_end.replace(microsecond=0)
        return wall

    def caption(self) -> str:
        if self.data_end is not None and self.data_end < self.wall():
            return self.tr("数据截至")
        return self.tr("城市时间")
