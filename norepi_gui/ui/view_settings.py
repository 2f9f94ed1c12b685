"""View preferences and window geometry (QSettings in an INI file inside the data folder given to the window).

Clinical parameters never live here: limits, concentrations and steps come from the protocol file, and settings
that change a session's numbers (pump resolution, protocol file) are recorded in the session as SETTING events.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

SETTINGS_FILE = "norepi-gui.ini"
MAX_RECENT = 8
MIN_FONT_STEPS = -3  # each step is 10 % of the system's text size
MAX_FONT_STEPS = 8


class ViewSettings:
    def __init__(self, data_dir: Path) -> None:
        self._qs = QSettings(str(data_dir / SETTINGS_FILE), QSettings.Format.IniFormat)

    @property
    def path(self) -> str:
        return self._qs.fileName()

    def _get_str(self, key: str, default: str) -> str:
        value = self._qs.value(key, default)
        return value if isinstance(value, str) else default

    def _get_bool(self, key: str, default: bool) -> bool:
        value = self._qs.value(key, default)
        if isinstance(value, bool):
            return value
        if isinstance(value, str):
            return value.lower() in ("true", "1", "yes")
        return default

    def _get_int(self, key: str, default: int) -> int:
        value = self._qs.value(key, default)
        try:
            return int(str(value))
        except ValueError:
            return default

    # -- preferences ----------------------------------------------------------------

    @property
    def dose_unit(self) -> str:
        unit = self._get_str("view/dose_unit", "mcg/kg/min")
        return unit if unit in ("mcg/kg/min", "mcg/min") else "mcg/kg/min"

    @dose_unit.setter
    def dose_unit(self, unit: str) -> None:
        self._qs.setValue("view/dose_unit", unit)

    @property
    def sound_enabled(self) -> bool:
        return self._get_bool("sound/enabled", True)

    @sound_enabled.setter
    def sound_enabled(self, value: bool) -> None:
        self._qs.setValue("sound/enabled", value)

    @property
    def sound_volume(self) -> int:
        return max(0, min(100, self._get_int("sound/volume", 80)))

    @sound_volume.setter
    def sound_volume(self, value: int) -> None:
        self._qs.setValue("sound/volume", int(value))

    @property
    def night_mode(self) -> str:
        """system (follow the system's colour scheme), day or night."""
        mode = self._get_str("view/night_mode", "system")
        return mode if mode in ("system", "day", "night") else "system"

    @night_mode.setter
    def night_mode(self, mode: str) -> None:
        self._qs.setValue("view/night_mode", mode)

    @property
    def font_steps(self) -> int:
        """Text size steps from the system's (Ctrl +/-), within MIN_FONT_STEPS..MAX_FONT_STEPS."""
        return max(MIN_FONT_STEPS, min(MAX_FONT_STEPS, self._get_int("view/font_steps", 0)))

    @font_steps.setter
    def font_steps(self, steps: int) -> None:
        self._qs.setValue("view/font_steps", int(steps))

    @property
    def protocol_path(self) -> Path | None:
        text = self._get_str("protocol/path", "")
        return Path(text) if text else None

    @protocol_path.setter
    def protocol_path(self, path: Path | None) -> None:
        self._qs.setValue("protocol/path", "" if path is None else str(path))

    @property
    def disclaimer_accepted(self) -> bool:
        return self._get_bool("app/disclaimer_accepted", False)

    @disclaimer_accepted.setter
    def disclaimer_accepted(self, value: bool) -> None:
        self._qs.setValue("app/disclaimer_accepted", value)

    # -- geometry and recent --------------------------------------------------------

    def geometry(self) -> QByteArray | None:
        value = self._qs.value("window/geometry")
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def window_state(self) -> QByteArray | None:
        value = self._qs.value("window/state")
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def save_window(self, geometry: QByteArray, state: QByteArray) -> None:
        self._qs.setValue("window/geometry", geometry)
        self._qs.setValue("window/state", state)

    def recent_sessions(self) -> list[int]:
        value = self._qs.value("sessions/recent", "")
        text = value if isinstance(value, str) else ",".join(str(v) for v in value) if isinstance(value, list) else ""
        out: list[int] = []
        for part in text.split(","):
            part = part.strip()
            if part.isdigit():
                out.append(int(part))
        return out

    def add_recent(self, session_id: int) -> None:
        ids = [session_id] + [s for s in self.recent_sessions() if s != session_id]
        self._qs.setValue("sessions/recent", ",".join(str(s) for s in ids[:MAX_RECENT]))

    def sync(self) -> None:
        self._qs.sync()
