"""The alarm sound: a bundled sound per priority, played by the platform's own player, repeated and louder while
unanswered, silenced only by the limited audio pause (recorded by the bedside layer).

Decision (issue 15). Three ways were weighed, measured on PySide6 6.11.3, Linux x86-64:

- QtMultimedia (``QSoundEffect``) needs PySide6-Addons: a 175 MB wheel (438 MB installed) in every environment, and
  in the frozen bundle QtMultimedia with its FFmpeg libraries, about 23 MB more unpacked (libavcodec alone 15 MB;
  about 10 MB more in the compressed installers, which are 59-83 MB today).
- miniaudio (a small, maintained MIT library: 0.6 MB wheel, 1.8 MB installed) plays WAV files anywhere, but is one
  more compiled dependency to lock and freeze for three platforms.
- The platform's own player: ``winsound`` (Python's standard library) on Windows, ``afplay`` (part of macOS) on macOS,
  and on Linux the sound server's player (``pw-play`` for PipeWire, ``paplay`` for PulseAudio) or ALSA's ``aplay``.
  Nothing to install, nothing added to the installers.

Chosen: the platform's player. It adds 0 MB and no dependency; every desktop that can make a sound has one of these
players; the files are small WAVs (``resources/sounds``, 460 kB, made by ``packaging/make_alarm_sounds.py``).
Where no player is found the system beep is used and Settings says so. The visual alarm never depends on the sound.

Escalation: a banner alarm sounds when it appears and again every ``alarms.repeat_<priority>_seconds`` (low once) while
unanswered, each repeat one loudness level up (three levels, the last after ``alarms.louder_after_repeats`` repeats);
a higher priority sounds at once. The audio pause (``alarms.audio_pause_minutes``) silences the alarms sounding when
it was pressed; a new alarm still sounds.
"""

from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from datetime import datetime

    from norepi_gui.core.protocol import Alarms

LEVELS = (1, 2, 3)
RANK = {"high": 3, "medium": 2, "low": 1}
VOLUME_CONTROL_AVAILABLE = True  # where the player takes a volume (pw-play, paplay, afplay); else the system's


def sound_file(priority: str, level: int) -> Path:
    """The bundled burst of ``priority`` at loudness ``level`` (1 quiet .. 3 loud)."""
    ref = resources.files("norepi_gui.resources") / "sounds" / f"alarm-{priority}-{level}.wav"
    return Path(str(ref))


class Player(Protocol):
    name: str

    def play(self, path: Path, volume: float) -> None: ...


@dataclass
class ProcessPlayer:
    """A command-line player started without waiting for it (QProcess)."""

    name: str
    program: str

    def arguments(self, path: Path, volume: float) -> list[str]:
        args: list[str] = []
        if self.name == "paplay":
            args.append(f"--volume={round(volume * 65536)}")
        elif self.name == "pw-play":
            args.append(f"--volume={volume:.2f}")
        elif self.name == "afplay":
            args += ["-v", f"{volume:.2f}"]
        elif self.name == "aplay":
            args.append("-q")
        return [*args, str(path)]

    def play(self, path: Path, volume: float) -> None:
        from PySide6.QtCore import QProcess

        QProcess.startDetached(self.program, self.arguments(path, volume))


@dataclass
class WinsoundPlayer:
    name: str = "winsound"

    def play(self, path: Path, volume: float) -> None:
        if sys.platform == "win32":  # the standard library's player, Windows only
            import winsound

            winsound.PlaySound(str(path), winsound.SND_FILENAME | winsound.SND_ASYNC | winsound.SND_NODEFAULT)


@dataclass
class BeepPlayer:
    """No player found: the system beep (its volume is the system's)."""

    name: str = "system beep"

    def play(self, path: Path, volume: float) -> None:
        from PySide6.QtWidgets import QApplication

        QApplication.beep()


def platform_player() -> Player:
    """The platform's own player (see the module docstring), or the system beep."""
    if sys.platform == "win32":
        return WinsoundPlayer()
    names = ("afplay",) if sys.platform == "darwin" else ("pw-play", "paplay", "aplay")
    for name in names:
        program = shutil.which(name)
        if program is not None:
            return ProcessPlayer(name, program)
    return BeepPlayer()


@dataclass
class RecordingPlayer:
    """Plays nothing and remembers what it was asked (tests; the offscreen platform has no speaker)."""

    name: str = "recording"
    calls: list[tuple[str, float]] = field(default_factory=list)

    def play(self, path: Path, volume: float) -> None:
        self.calls.append((path.name, volume))


class AlarmSound:
    """Plays the sounding priority of the bedside layer's alarms as time goes by (the injected clock's time)."""

    def __init__(self, settings: Alarms, *, enabled: bool = True, volume: int = 80,
                 player: Player | None = None) -> None:
        self.settings = settings
        self.enabled = enabled
        self.volume = volume  # 0..100, where the player takes a volume
        self.player: Player = player if player is not None else platform_player()
        self.played: list[tuple[str, int]] = []  # (priority, level) of every sound requested, for tests
        self._priority: str | None = None
        self._last: datetime | None = None
        self._repeats = 0

    def follow(self, priority: str | None, now: datetime) -> None:
        """``priority``: what sounds now (``AlarmState.sounding``), or None; called every tick and after changes."""
        if priority is None:
            self._priority, self._last, self._repeats = None, None, 0
            return
        if self._priority is None or RANK.get(priority, 0) > RANK.get(self._priority, 0):
            self._priority, self._repeats = priority, 0
            self._play(priority, now)
            return
        self._priority = priority
        every = {"high": self.settings.repeat_high_seconds, "medium": self.settings.repeat_medium_seconds,
                 "low": self.settings.repeat_low_seconds}.get(priority, 0.0)
        if every > 0 and self._last is not None and (now - self._last).total_seconds() >= every:
            self._repeats += 1
            self._play(priority, now)

    def level(self) -> int:
        """Loudness level of the next sound: 1, then up one level per unanswered repeat, 3 after
        ``louder_after_repeats`` repeats."""
        steps = self.settings.louder_after_repeats
        if steps <= 0:
            return LEVELS[-1]
        return min(LEVELS[-1], 1 + self._repeats * (len(LEVELS) - 1) // steps)

    def _play(self, priority: str, now: datetime) -> None:
        self._last = now
        level = self.level()
        self.played.append((priority, level))
        if self.enabled:
            self.player.play(sound_file(priority, level), max(0.0, min(1.0, self.volume / 100.0)))
