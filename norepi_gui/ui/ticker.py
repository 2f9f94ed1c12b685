"""The ui's one timer: it ticks the display (countdown, due prompt, default reading time) from the injected clock.

The timer only says "look at the clock now"; what is due is decided from the clock's time, so tests call the tick
slot after moving a ManualClock and never wait for the timer.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

TICK_MS = 1000


class ClockTicker(QObject):
    ticked = Signal()

    def __init__(self, interval_ms: int = TICK_MS, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.ticked)

    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

