"""View preferences in a JSON file: versioned, read tolerantly (a bad key never stops the app), written atomically."""

from __future__ import annotations

import json
import stat
import sys
from typing import TYPE_CHECKING

import pytest

from norepi_gui.core.settings_file import (
    FORMAT_VERSION,
    Setting,
    SettingsFile,
    one_of,
    whole_number,
)
from tests.fsfaults import read_only

if TYPE_CHECKING:
    from pathlib import Path

    from norepi_gui.core.events import JsonValue

SCHEMA = {
    "view.dose_unit": Setting("mcg/kg/min", *one_of("mcg/kg/min", "mcg/min")),
    "sound.enabled": Setting(True, lambda v: isinstance(v, bool), "true or false"),
    "sound.volume": Setting(80, *whole_number(0, 100)),
}
POSIX = sys.platform != "win32"


def _write(path: Path, settings: dict[str, JsonValue], version: int = FORMAT_VERSION) -> None:
    path.write_text(json.dumps({"format": version, "settings": settings}), encoding="utf-8")


def test_missing_file_gives_the_defaults_without_a_warning(tmp_path: Path) -> None:
    settings = SettingsFile(tmp_path / "s.json", SCHEMA)
    assert [settings.get(k) for k in SCHEMA] == ["mcg/kg/min", True, 80]
    assert settings.warnings == []


def test_values_are_saved_at_once_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    settings = SettingsFile(path, SCHEMA)
    settings.set("view.dose_unit", "mcg/min")
    settings.set("sound.volume", 35)
    again = SettingsFile(path, SCHEMA)
    assert (again.get("view.dose_unit"), again.get("sound.volume"), again.get("sound.enabled")) == ("mcg/min", 35, True)
    assert json.loads(path.read_text(encoding="utf-8")) == {
        "format": FORMAT_VERSION,
        "settings": {"sound.volume": 35, "view.dose_unit": "mcg/min"},
    }


@pytest.mark.skipif(not POSIX, reason="POSIX permissions")
def test_settings_file_is_private(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    SettingsFile(path, SCHEMA).set("sound.volume", 10)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_bad_value_is_dropped_with_a_warning_naming_key_value_and_what_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    _write(path, {"view.dose_unit": "mg/h", "sound.volume": 500, "sound.enabled": False})
    settings = SettingsFile(path, SCHEMA)
    assert (settings.get("view.dose_unit"), settings.get("sound.volume"), settings.get("sound.enabled")) == (
        "mcg/kg/min",
        80,
        False,
    )
    assert settings.warnings == [
        f"{path}: view.dose_unit: 'mg/h' is not accepted (accepted: mcg/kg/min or mcg/min); the default is used",
        f"{path}: sound.volume: 500 is not accepted (accepted: a whole number from 0 to 100); the default is used",
    ]


def test_an_unknown_key_is_dropped_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    _write(path, {"view.colour": "red", "sound.volume": 20})
    settings = SettingsFile(path, SCHEMA)
    assert settings.get("sound.volume") == 20
    assert settings.warnings == [f"{path}: view.colour: unknown setting, ignored"]


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"{not json", "not valid JSON"),
        (b"\xff\xfe{\x00}\x00", "not UTF-8"),
        (b"[1, 2]", "not a settings file"),
        (b'{"format": 1, "settings": [1]}', "not a settings file"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b" " * 300_000, "larger than"),
    ],
)
def test_an_unreadable_file_never_stops_the_app_and_says_why(tmp_path: Path, content: bytes, problem: str) -> None:
    path = tmp_path / "s.json"
    path.write_bytes(content)
    settings = SettingsFile(path, SCHEMA)
    assert settings.get("sound.volume") == 80
    (warning,) = settings.warnings
    assert warning.startswith(f"{path}: ")
    assert problem in warning
    assert "the defaults are used" in warning


def test_file_from_a_newer_version_is_read_as_far_as_it_is_understood(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    _write(path, {"sound.volume": 55}, version=FORMAT_VERSION + 1)
    settings = SettingsFile(path, SCHEMA)
    assert settings.get("sound.volume") == 55
    assert settings.warnings == [
        f"{path}: written by a newer norepi-gui (format {FORMAT_VERSION + 1}); the settings this version knows are read"
    ]


@pytest.mark.skipif(not POSIX, reason="POSIX permissions")
def test_settings_that_cannot_be_saved_are_a_warning_not_a_crash(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    settings = SettingsFile(folder / "s.json", SCHEMA)
    with read_only(folder):
        settings.set("sound.volume", 12)
    assert settings.get("sound.volume") == 12  # kept for this run
    (warning,) = settings.warnings
    assert "not saved" in warning


def test_setting_a_value_the_schema_refuses_is_a_programming_error(tmp_path: Path) -> None:
    settings = SettingsFile(tmp_path / "s.json", SCHEMA)
    with pytest.raises(ValueError, match="sound.volume: 101 is not accepted"):
        settings.set("sound.volume", 101)
    with pytest.raises(KeyError):
        settings.set("no.such.key", 1)
