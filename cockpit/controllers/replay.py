"""The replay clock (复盘 · 演练) and the controller that ties the replay bar to it.

:class:`ReplayClock` has the interface of :class:`cockpit.clock.Clock` (``now()``,
``caption()``, ``sig_ticked(object)``, ``start()``, ``stop()``), so every panel that asks the
clock for "now" replays without a second code path. Time moves over a window ``[start, end]``
by play / pause / step / seek at 1×–60×: each timer tick advances it by the wall time elapsed
since the previous tick times the speed (``tick(ms)`` does one such step and is what tests
call). At ``end`` it stops and pauses.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from PySide6.QtCore import QElapsedTimer, QObject, QTimer, Signal

from cockpit.widgets.replay_bar import SPEEDS, ReplayBar

__all__ = ["ReplayClock", "ReplayController", "MIN_SPEED", "MAX_SPEED"]

MIN_SPEED, MAX_SPEED = 1, 60


class ReplayClock(QObject):
    """A clock driven by the replay bar instead of the wall."""

    sig_ticked = Signal(object)
    """The clock moved: the new time (datetime)."""
    sig_state_changed = Signal(object)
    """Play state or speed changed: {"playing": bool, "speed": int, "t": datetime}."""

    def __init__(self, start: datetime, end: datetime, *, speed: int = 1,
                 step: timedelta = timedelta(minutes=1), interval_ms: int = 200,
                 caption: str | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        if end < start:
            raise ValueError(f"replay window ends ({end}) before it starts ({start})")
        self.start_time, self.end_time = start, end
        self.step_size = step
        self._caption = caption if caption is not None else self.tr("复盘时间")
        self._t = start
        self.jumped = False
        """Whether the last move was a seek or a step (True) rather than play (False)."""
        self._playing = False
        self._speed = self._checked_speed(speed)
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._on_timeout)
        self._elapsed = QElapsedTimer()

    # ---- the Clock interface --------------------------------------------------------------
    def start(self) -> None:
        """Start ticking (time moves only while playing)."""
        self._elapsed.start()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def now(self) -> datetime:
        return self._t

    def caption(self) -> str:
        state = "▶" if self._playing else "‖"
        return f"{self._caption} {state} {self._speed}×"

    # ---- transport ------------------------------------------------------------------------
    @property
    def playing(self) -> bool:
        return self._playing

    @property
    def speed(self) -> int:
        return self._speed

    def play(self) -> None:
        if self._t >= self.end_time:
            return
        self._playing = True
        self._elapsed.restart() if self._elapsed.isValid() else self._elapsed.start()
        self._state_changed()

    def pause(self) -> None:
        self._playing = False
        self._state_changed()

    def set_speed(self, speed: int) -> None:
        self._speed = self._checked_speed(speed)
        self._state_changed()

    def seek(self, t: datetime) -> None:
        """Jump to ``t`` (clamped to the window)."""
        self._set(t, jumped=True)

    def step(self, delta: timedelta | None = None) -> None:
        """Move forward by one step (default ``step``) and pause."""
        self._playing = False
        self._set(self._t + (delta or self.step_size), jumped=True)
        self._state_changed()

    def set_window(self, start: datetime, end: datetime) -> None:
        self.start_time, self.end_time = start, max(start, end)
        self._set(self._t, jumped=True)

    def tick(self, elapsed_ms: float) -> None:
        """Advance by ``elapsed_ms`` of wall time at the current speed (when playing)."""
        if not self._playing or elapsed_ms <= 0:
            return
        self._set(self._t + timedelta(milliseconds=elapsed_ms * self._speed))
        if self._t >= self.end_time:
            self.pause()

    # ---- private --------------------------------------------------------------------------
    @staticmethod
    def _checked_speed(speed: int) -> int:
        s = int(speed)
        if not MIN_SPEED <= s <= MAX_SPEED:
            raise ValueError(f"speed {speed}: between {MIN_SPEED}× and {MAX_SPEED}×")
        return s

    def _set(self, t: datetime, jumped: bool = False) -> None:
        t = min(max(t, self.start_time), self.end_time)
        changed = t != self._t
        self._t = t
        self.jumped = jumped
        if changed:
            self.sig_ticked.emit(t)

    def _state_changed(self) -> None:
        self.sig_state_changed.emit({"playing": self._playing, "speed": self._speed,
                                     "t": self._t})

    def _on_timeout(self) -> None:
        ms = self._elapsed.restart() if self._elapsed.isValid() else 0
        self.tick(ms)


class ReplayController(QObject):
    """Wires a :class:`ReplayBar` to a :class:`ReplayClock`: the bar's requests move the
    clock; the clock's time and state show on the bar."""

    def __init__(self, clock: ReplayClock, bar: ReplayBar, parent: QObject | None = None
                 ) -> None:
        super().__init__(parent)
        self.clock, self.bar = clock, bar
        bar.set_window(clock.start_time, clock.end_time)
        bar.set_time(clock.now())
        bar.set_speed(clock.speed if clock.speed in SPEEDS else 1)
        bar.set_playing(clock.playing)
        bar.sig_play_requested.connect(clock.play)
        bar.sig_pause_requested.connect(clock.pause)
        bar.sig_step_requested.connect(clock.step)
        bar.sig_seek_requested.connect(clock.seek)
        bar.sig_speed_changed.connect(clock.set_speed)
        clock.sig_ticked.connect(bar.set_time)
        clock.sig_state_changed.connect(self._on_state_changed)

    def set_density(self, bin_starts: Sequence[datetime], counts: Sequence[float]) -> None:
        self.bar.set_density(bin_starts, counts)

    def set_injects(self, markers: Sequence[tuple[datetime, str]]) -> None:
        self.bar.set_injects(markers)

    def _on_state_changed(self, state: dict) -> None:
        self.bar.set_playing(state["playing"])
        self.bar.set_speed(state["speed"])
