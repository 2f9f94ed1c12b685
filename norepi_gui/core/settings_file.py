"""Preferences in a versioned JSON file: plain data through the standard library, never code.

``{"format": 1, "settings": {"view.dose_unit": "mcg/min", ...}}``. Reading is tolerant: a file that cannot be read
(not UTF-8, not JSON, nested too deeply, too large) gives the defaults, and a bad or unknown key is dropped; each of
these leaves a sentence in :attr:`SettingsFile.warnings` for the window to show, and none stops the program.
Every change is written at once, atomically and 0600 (:func:`~norepi_gui.core.export_file.write_export`); a file that
cannot be written is a warning too.

The schema (one :class:`Setting` per key: default, test, what is accepted) belongs to the caller.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from norepi_gui.core.events import JsonValue, encode_payload
from norepi_gui.core.export_file import write_export
from norepi_gui.core.storage_errors import StorageError

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from pathlib import Path

FORMAT_VERSION = 1
MAX_BYTES = 256 * 1024  # a settings file is a few hundred bytes; geometry included, a few kilobytes


@dataclass(frozen=True)
class Setting:
    default: JsonValue
    accepts: Callable[[JsonValue], bool]
    accepted: str  # what is accepted, in words


def one_of(*choices: str) -> tuple[Callable[[JsonValue], bool], str]:
    return (lambda v: v in choices), " or ".join(choices)


def whole_number(lo: int, hi: int) -> tuple[Callable[[JsonValue], bool], str]:
    def accepts(value: JsonValue) -> bool:
        return isinstance(value, int) and not isinstance(value, bool) and lo <= value <= hi

    return accepts, f"a whole number from {lo} to {hi}"


class SettingsFile:
    """The settings of one file, loaded on construction; :meth:`set` saves at once."""

    def __init__(self, path: Path, schema: Mapping[str, Setting]) -> None:
        self.path = path
        self.schema = dict(schema)
        #: Sentences for the window: what was dropped or could not be read or saved.
        self.warnings: list[str] = []
        self._values: dict[str, JsonValue] = {}
        self._load()

    def get(self, key: str) -> JsonValue:
        return self._values.get(key, self.schema[key].default)

    def set(self, key: str, value: JsonValue) -> None:
        """Change ``key`` and save; a value the schema refuses is a ``ValueError`` (a bug, not user input)."""
        spec = self.schema[key]
        if not spec.accepts(value):
            raise ValueError(f"{key}: {value!r} is not accepted (accepted: {spec.accepted})")
        if self._values.get(key, spec.default) == value and key in self._values:
            return
        self._values[key] = value
        self.save()

    def save(self) -> bool:
        """Write every value set so far; False (and a warning) when the file cannot be written."""
        document: dict[str, JsonValue] = {"format": FORMAT_VERSION, "settings": dict(self._values)}
        try:
            write_export(self.path, encode_payload(document).encode("utf-8"))
        except StorageError as exc:
            self.warnings.append(f"{self.path}: settings not saved ({exc.problem}); they hold until norepi-gui closes")
            return False
        return True

    def _load(self) -> None:
        try:
            with self.path.open("rb") as fh:
                data = fh.read(MAX_BYTES + 1)
        except FileNotFoundError:
            return
        except OSError as exc:
            self._unreadable(f"cannot be read ({exc.strerror or exc})")
            return
        if len(data) > MAX_BYTES:
            self._unreadable(f"is larger than {MAX_BYTES // 1024} KiB")
            return
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            self._unreadable(f"is not UTF-8 (byte {exc.start})")
            return
        try:
            document = json.loads(text, parse_constant=_no_constants)
        except RecursionError:
            self._unreadable("is nested too deeply")
            return
        except ValueError as exc:
            self._unreadable(f"is not valid JSON ({exc})")
            return
        if not isinstance(document, dict) or not isinstance(document.get("settings"), dict):
            self._unreadable('is not a settings file (no "settings" object)')
            return
        version = document.get("format")
        if isinstance(version, int) and not isinstance(version, bool) and version > FORMAT_VERSION:
            self.warnings.append(
                f"{self.path}: written by a newer norepi-gui (format {version}); "
                "the settings this version knows are read"
            )
        for key, value in document["settings"].items():
            spec = self.schema.get(key)
            if spec is None:
                self.warnings.append(f"{self.path}: {key}: unknown setting, ignored")
            elif not spec.accepts(value):
                shown = repr(value)
                shown = shown if len(shown) <= 60 else shown[:57] + "..."
                self.warnings.append(
                    f"{self.path}: {key}: {shown} is not accepted (accepted: {spec.accepted}); the default is used"
                )
            else:
                self._values[key] = value

    def _unreadable(self, problem: str) -> None:
        self.warnings.append(f"{self.path}: the settings file {problem}; the defaults are used")


def _no_constants(name: str) -> JsonValue:
    raise ValueError(f"{name} is not a JSON number")
