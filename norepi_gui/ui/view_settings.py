"""View preferences and window geometry: a JSON file in the data folder given to the window.

Clinical parameters never live here: limits, concentrations and steps come from the protocol file, and settings
that change a session's numbers (pump resolution, protocol file) are recorded in the session as SETTING events.

The file is plain JSON read and written by :mod:`norepi_gui.core.settings_file` (geometry and window state as
base64 text): it cannot hold code, a bad key or value is dropped with a warning (:attr:`ViewSettings.warnings`), a
damaged file gives the defaults, and every change is written atomically.

The bedside monitor feed's settings (``"monitor"``: off by default, loopback by default, the bed and patient link,
the limits) are read by :meth:`norepi_gui.monitor.settings.MonitorSettings.from_json`, as tolerantly: a bad key in
them is dropped with a warning and its default used. Only when the file has them is the monitor package loaded.

Security: the ``norepi-gui.ini`` that older versions wrote through ``QSettings`` is NEVER read. QSettings turns an
``@Variant(...)`` value holding a ``PySide::PyObjectWrapper`` into a Python object with ``pickle``, so a crafted ini
runs code at start. If one is found it is renamed ``norepi-gui.ini.not-read`` (once) and the window says the
preferences start afresh; ``tests/ui/test_view_settings.py`` shows a crafted ini is never loaded.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray

from norepi_gui.core.settings_file import Setting, SettingsFile, one_of, whole_number

if TYPE_CHECKING:
    from pathlib import Path

    from norepi_gui.core.events import JsonValue
    from norepi_gui.monitor.settings import MonitorSettings

SETTINGS_FILE = "norepi-gui-settings.json"
LEGACY_INI = "norepi-gui.ini"  # written by QSettings up to norepi-gui 0.1: never read (see the module text)
MAX_RECENT = 8
MIN_FONT_STEPS = -3  # each step is 10 % of the system's text size
MAX_FONT_STEPS = 8
MAX_GEOMETRY_CHARS = 64 * 1024
MAX_PATH_CHARS = 4096


def _is_base64(value: JsonValue) -> bool:
    if not isinstance(value, str) or len(value) > MAX_GEOMETRY_CHARS:
        return False
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


def _is_path_text(value: JsonValue) -> bool:
    return isinstance(value, str) and len(value) <= MAX_PATH_CHARS and "\0" not in value


def _is_recent(value: JsonValue) -> bool:
    return (
        isinstance(value, list)
        and len(value) <= MAX_RECENT
        and all(isinstance(v, int) and not isinstance(v, bool) and v >= 1 for v in value)
    )


def _is_bool(value: JsonValue) -> bool:
    return isinstance(value, bool)


def _is_object(value: JsonValue) -> bool:
    return isinstance(value, dict)


SCHEMA: dict[str, Setting] = {
    "view.dose_unit": Setting("mcg/kg/min", *one_of("mcg/kg/min", "mcg/min")),
    "sound.enabled": Setting(True, _is_bool, "true or false"),
    "sound.volume": Setting(80, *whole_number(0, 100)),
    "protocol.path": Setting("", _is_path_text, f"a file path of up to {MAX_PATH_CHARS} characters"),
    "training.scenario_folder": Setting("", _is_path_text, f"a folder path of up to {MAX_PATH_CHARS} characters"),
    "app.disclaimer_accepted": Setting(False, _is_bool, "true or false"),
    "window.geometry": Setting("", _is_base64, "base64 text"),
    "window.state": Setting("", _is_base64, "base64 text"),
    "sessions.recent": Setting([], _is_recent, f"up to {MAX_RECENT} session ids"),
    "view.night_mode": Setting("system", *one_of("system", "day", "night")),
    "view.font_steps": Setting(0, *whole_number(MIN_FONT_STEPS, MAX_FONT_STEPS)),
    "monitor": Setting({}, _is_object, "an object of monitor-feed settings (docs/monitor.md)"),
}


class ViewSettings:
    def __init__(self, data_dir: Path) -> None:
        self._file = SettingsFile(data_dir / SETTINGS_FILE, SCHEMA)
        legacy = data_dir / LEGACY_INI
        if legacy.is_file():
            with contextlib.suppress(OSError):
                legacy.replace(legacy.with_name(LEGACY_INI + ".not-read"))
            self._file.warnings.append(
                f"{legacy}: the settings file of an older norepi-gui is not read (such files can carry code); "
                "view preferences start from their defaults"
            )

    @property
    def path(self) -> str:
        return str(self._file.path)

    @property
    def warnings(self) -> list[str]:
        """What the window may show: settings dropped, a file that could not be read or saved, an old ini ignored."""
        return self._file.warnings

    # -- preferences ----------------------------------------------------------------

    @property
    def dose_unit(self) -> str:
        return str(self._file.get("view.dose_unit"))

    @dose_unit.setter
    def dose_unit(self, unit: str) -> None:
        self._file.set("view.dose_unit", unit if unit in ("mcg/kg/min", "mcg/min") else "mcg/kg/min")

    @property
    def sound_enabled(self) -> bool:
        return bool(self._file.get("sound.enabled"))

    @sound_enabled.setter
    def sound_enabled(self, value: bool) -> None:
        self._file.set("sound.enabled", bool(value))

    @property
    def sound_volume(self) -> int:
        value = self._file.get("sound.volume")
        return value if isinstance(value, int) else 80

    @sound_volume.setter
    def sound_volume(self, value: int) -> None:
        self._file.set("sound.volume", max(0, min(100, int(value))))

    @property
    def night_mode(self) -> str:
        """system (follow the system's colour scheme), day or night."""
        mode = self._file.get("view.night_mode")
        return mode if isinstance(mode, str) and mode in ("system", "day", "night") else "system"

    @night_mode.setter
    def night_mode(self, mode: str) -> None:
        self._file.set("view.night_mode", mode if mode in ("system", "day", "night") else "system")

    @property
    def font_steps(self) -> int:
        """Text size steps from the system's (Ctrl +/-), within MIN_FONT_STEPS..MAX_FONT_STEPS."""
        steps = self._file.get("view.font_steps")
        return max(MIN_FONT_STEPS, min(MAX_FONT_STEPS, steps)) if isinstance(steps, int) else 0

    @font_steps.setter
    def font_steps(self, steps: int) -> None:
        self._file.set("view.font_steps", max(MIN_FONT_STEPS, min(MAX_FONT_STEPS, int(steps))))

    @property
    def protocol_path(self) -> Path | None:
        return self._path("protocol.path")

    @protocol_path.setter
    def protocol_path(self, path: Path | None) -> None:
        self._set_path("protocol.path", path)

    @property
    def scenario_folder(self) -> Path | None:
        """The site's scenario folder (training), listed with the shipped scenarios; None when not set."""
        return self._path("training.scenario_folder")

    @scenario_folder.setter
    def scenario_folder(self, path: Path | None) -> None:
        self._set_path("training.scenario_folder", path)

    def _path(self, key: str) -> Path | None:
        """A path setting; None when not set (stored as empty text)."""
        from pathlib import Path

        text = self._file.get(key)
        return Path(text) if isinstance(text, str) and text else None

    def _set_path(self, key: str, path: Path | None) -> None:
        self._file.set(key, "" if path is None else str(path))

    @property
    def monitor_enabled(self) -> bool:
        """Whether the monitor feed is on, read without loading the monitor package (it is off by default)."""
        value = self._file.get("monitor")
        return isinstance(value, dict) and value.get("enabled") is True

    @property
    def monitor(self) -> MonitorSettings:
        """The monitor feed's settings (a bad key dropped with a warning, once, and its default used)."""
        from norepi_gui.monitor.settings import MonitorSettings

        settings, warnings = MonitorSettings.from_json(self._file.get("monitor"))
        if not self._monitor_read:
            self._monitor_read = True
            self._file.warnings.extend(f"{self._file.path}: {w}" for w in warnings)
        return settings

    @monitor.setter
    def monitor(self, settings: MonitorSettings) -> None:
        self._file.set("monitor", settings.to_json())

    _monitor_read = False

    @property
    def disclaimer_accepted(self) -> bool:
        return bool(self._file.get("app.disclaimer_accepted"))

    @disclaimer_accepted.setter
    def disclaimer_accepted(self, value: bool) -> None:
        self._file.set("app.disclaimer_accepted", bool(value))

    # -- geometry and recent --------------------------------------------------------

    def _bytes(self, key: str) -> QByteArray | None:
        text = self._file.get(key)
        if not isinstance(text, str) or not text:
            return None
        return QByteArray(base64.b64decode(text))

    def geometry(self) -> QByteArray | None:
        return self._bytes("window.geometry")

    def window_state(self) -> QByteArray | None:
        return self._bytes("window.state")

    def save_window(self, geometry: QByteArray, state: QByteArray) -> None:
        for key, data in (("window.geometry", geometry), ("window.state", state)):
            text = base64.b64encode(bytes(data.data())).decode("ascii")
            if len(text) <= MAX_GEOMETRY_CHARS:
                self._file.set(key, text)

    def recent_sessions(self) -> list[int]:
        value = self._file.get("sessions.recent")
        return [v for v in value if isinstance(v, int)] if isinstance(value, list) else []

    def add_recent(self, session_id: int) -> None:
        ids: list[JsonValue] = [session_id, *(s for s in self.recent_sessions() if s != session_id)]
        self._file.set("sessions.recent", ids[:MAX_RECENT])

    def sync(self) -> None:
        """Every change is already written; kept for the window's existing calls."""
        self._file.save()
