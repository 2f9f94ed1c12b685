"""View settings are plain JSON: a crafted QSettings ini (which unpickles code) is never loaded."""

from __future__ import annotations

import ast
import json
import pickle
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

from norepi_gui.ui.view_settings import LEGACY_INI, SETTINGS_FILE, ViewSettings


class _Evil:
    """Unpickling this creates ``marker``: a stand-in for any code a crafted settings file could run."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (open, (str(self.marker), "w"))


def _crafted_ini(path: Path, marker: Path) -> None:
    """An ini as QSettings writes it; its window geometry is a pickled object (``@Variant(...PyObjectWrapper...)``)."""
    writer = QSettings(str(path), QSettings.Format.IniFormat)
    writer.setValue("view/dose_unit", "mcg/min")
    writer.setValue("app/disclaimer_accepted", True)
    writer.setValue("window/geometry", _Evil(marker))
    writer.sync()
    del writer
    assert "@Variant(" in path.read_text(encoding="latin-1")
    assert "PyObjectWrapper" in path.read_text(encoding="latin-1")
    assert pickle.dumps(_Evil(marker))  # what QSettings stored


def test_crafted_qsettings_ini_is_never_loaded(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    marker = tmp_path / "code-ran"

    # The control: a fresh process reading the crafted file with QSettings, as norepi-gui 0.1 did at start, runs
    # the code.
    control = tmp_path / "control.ini"
    _crafted_ini(control, marker)
    read = (
        "import sys; from PySide6.QtCore import QSettings as S; "
        "S(sys.argv[1], S.Format.IniFormat).value('window/geometry')"
    )
    subprocess.run([sys.executable, "-c", read, str(control)], check=True, timeout=60)
    assert marker.exists()
    marker.unlink()

    _crafted_ini(data / LEGACY_INI, marker)
    settings = ViewSettings(data)
    assert settings.geometry() is None
    assert settings.dose_unit == "mcg/kg/min"  # nothing of the ini was taken
    assert settings.disclaimer_accepted is False
    settings.save_window(QByteArray(b"\x01\x02"), QByteArray(b"\x03"))
    settings.sync()
    assert not marker.exists()
    assert not (data / LEGACY_INI).exists()  # set aside, so the warning is given once
    assert (data / (LEGACY_INI + ".not-read")).exists()
    assert any("older norepi-gui is not read" in w for w in settings.warnings)
    assert ViewSettings(data).warnings == []


def test_view_settings_module_never_uses_qsettings() -> None:
    source = Path(__file__).resolve().parents[2] / "norepi_gui" / "ui" / "view_settings.py"
    tree = ast.parse(source.read_text(encoding="utf-8"))
    names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) for alias in node.names}
    assert "QSettings" not in names


def test_geometry_and_preferences_round_trip_through_json(tmp_path: Path) -> None:
    first = ViewSettings(tmp_path)
    first.dose_unit = "mcg/min"
    first.sound_volume = 40
    first.protocol_path = tmp_path / "site.toml"
    first.add_recent(3)
    first.add_recent(5)
    first.add_recent(3)
    first.save_window(QByteArray(b"\x00\x01geometry\xff"), QByteArray(b"state"))
    again = ViewSettings(tmp_path)
    assert (again.dose_unit, again.sound_volume, again.protocol_path) == ("mcg/min", 40, tmp_path / "site.toml")
    assert again.recent_sessions() == [3, 5]
    assert again.geometry() == QByteArray(b"\x00\x01geometry\xff")
    assert again.window_state() == QByteArray(b"state")
    stored = json.loads((tmp_path / SETTINGS_FILE).read_text(encoding="utf-8"))
    assert stored["settings"]["window.geometry"] == "AAFnZW9tZXRyef8="  # base64 of the bytes above
    assert again.warnings == []


def test_damaged_settings_file_starts_with_defaults_and_a_warning(tmp_path: Path) -> None:
    (tmp_path / SETTINGS_FILE).write_text('{"format": 1, "settings": {"window.geometry": "%%%", "sound.volume": 7}}',
                                          encoding="utf-8")
    settings = ViewSettings(tmp_path)
    assert settings.geometry() is None
    assert settings.sound_volume == 7
    assert settings.warnings == [
        f"{tmp_path / SETTINGS_FILE}: window.geometry: '%%%' is not accepted (accepted: base64 text); "
        "the default is used"
    ]


def test_the_monitor_feed_is_off_by_default_and_its_settings_are_read_tolerantly(tmp_path: Path) -> None:
    from norepi_gui.monitor.link import MonitorLink
    from norepi_gui.monitor.settings import MonitorSettings

    settings = ViewSettings(tmp_path)
    assert not settings.monitor_enabled and settings.monitor == MonitorSettings()
    settings.monitor = MonitorSettings(enabled=True, port=2600, link=MonitorLink(bed="ICU^12^A"))
    again = ViewSettings(tmp_path)
    assert again.monitor_enabled and again.monitor.port == 2600 and again.monitor.link.bed == "ICU^12^A"
    document = json.loads((tmp_path / SETTINGS_FILE).read_text(encoding="utf-8"))
    document["settings"]["monitor"]["port"] = 80  # out of range: dropped, the default used, the rest kept
    document["settings"]["monitor"]["listen_address"] = "the ward"
    (tmp_path / SETTINGS_FILE).write_text(json.dumps(document), encoding="utf-8")
    tolerant = ViewSettings(tmp_path)
    read = tolerant.monitor
    assert (read.enabled, read.port, read.listen_address, read.link.bed) == (True, 2575, "127.0.0.1", "ICU^12^A")
    assert any("monitor.port" in w and "1024 to 65535" in w for w in tolerant.warnings)
    assert any("monitor.listen_address" in w for w in tolerant.warnings)
