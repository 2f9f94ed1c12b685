"""Prompt sound.

Decision: the system beep (``QApplication.beep``), nothing else. PySide6-Essentials ships no QtMultimedia (only its
type stubs), so ``QSoundEffect`` would need PySide6-Addons, which roughly doubles the installer for one sound. The
beep's volume follows the system; the volume preference is kept for a later sound backend and shown as such.
The visual prompt (colour + symbol + words, flashing for high and medium) never depends on the sound.
"""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

# How often an unanswered prompt beeps again, in ticks (seconds): high priority more often than medium [U: UI choice].
REPEAT_TICKS = {"high": 10, "medium": 30, "low": 0}

VOLUME_CONTROL_AVAILABLE = False


class PromptSound:
    def __init__(self, *, enabled: bool = True) -> None:
        self.enabled = enabled
        self.played = 0  # how many times a sound was requested (tests read this; offscreen has no speaker)
        self._ticks = 0

    def alert(self) -> None:
        """A prompt appeared or rose in priority."""
        self._ticks = 0
        self._play()

    def tick(self, priority: str | None) -> None:
        """Called once per tick while a prompt is shown: repeat for high and medium."""
        if priority is None:
            self._ticks = 0
            return
        self._ticks += 1
        every = REPEAT_TICKS.get(priority, 0)
        if every and self._ticks % every == 0:
            self._play()

    def _play(self) -> None:
        if not self.enabled:
            return
        self.played += 1
        QApplication.beep()
