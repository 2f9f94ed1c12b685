"""The recovery file: entries that could not be recorded in the session database, kept so nothing typed is lost.

When an append fails (the disk is full, the database was deleted or replaced, the folder became read-only), the
:class:`~norepi_gui.core.session_log.SessionStore` writes the entry here, one JSON object per line
(``unrecorded.jsonl``, mode 0600), appended and fsynced. It lives in the data folder; when that cannot be written (it
was deleted, the disk is full) in a fallback folder outside it. Someone then records the entries again (or decides
not to) and calls :meth:`RecoveryLog.clear`.

A line cut short (a crash mid-write) is listed as unreadable, never stops the listing, and does not spoil the next
entry.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from norepi_gui.core.events import JsonValue, Payload, check_payload, encode_payload
from norepi_gui.core.fsync import fsync_folder
from norepi_gui.core.private_files import FILE_MODE, make_private, private_folder
from norepi_gui.core.storage_errors import StorageError, describe_os_error

if TYPE_CHECKING:
    from norepi_gui.core.clock import Clock

RECOVERY_FILENAME = "unrecorded.jsonl"
FORMAT = 1


def default_fallback_dir() -> Path:
    """The per-user state folder's ``recovery`` (platformdirs), outside the data folder."""
    from platformdirs import user_state_path

    return user_state_path("norepi-gui", appauthor=False) / "recovery"


@dataclass(frozen=True)
class RecoveryEntry:
    """One entry that was not recorded: what it was, for which session, when it was kept and why."""

    kept_at: datetime
    session_id: int | None
    session_uid: str | None
    kind: str
    payload: Payload
    at: datetime | None
    supersedes: int | None
    reason: str

    def to_json(self) -> dict[str, JsonValue]:
        return {
            "format": FORMAT,
            "kept_at": self.kept_at.isoformat(),
            "session_id": self.session_id,
            "session_uid": self.session_uid,
            "kind": self.kind,
            "payload": self.payload,
            "at": None if self.at is None else self.at.isoformat(),
            "supersedes": self.supersedes,
            "reason": self.reason,
        }

    @classmethod
    def from_json(cls, data: object) -> RecoveryEntry:
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        if data.get("format") != FORMAT:
            raise ValueError(f"format {data.get('format')!r} is not {FORMAT}")
        payload = data.get("payload")
        if not isinstance(payload, dict):
            raise ValueError("payload is not a JSON object")
        at = data.get("at")
        return cls(
            kept_at=datetime.fromisoformat(_text(data, "kept_at")),
            session_id=_optional_int(data, "session_id"),
            session_uid=None if data.get("session_uid") is None else _text(data, "session_uid"),
            kind=_text(data, "kind"),
            payload=check_payload(payload),
            at=None if at is None else datetime.fromisoformat(_text(data, "at")),
            supersedes=_optional_int(data, "supersedes"),
            reason=_text(data, "reason"),
        )


@dataclass(frozen=True)
class UnreadableLine:
    path: Path
    line: int
    reason: str


@dataclass(frozen=True)
class RecoveryListing:
    """Every entry kept (data folder first, then the fallback folder) and every line that could not be read."""

    entries: list[RecoveryEntry]
    unreadable: list[UnreadableLine]


class RecoveryError(StorageError):
    """The entry could be kept neither in the data folder nor in the fallback folder."""


class RecoveryLog:
    """The recovery file of one data folder (and its fallback)."""

    def __init__(self, data_dir: Path, clock: Clock, *, fallback_dir: Path | None = None) -> None:
        self.data_dir = data_dir
        self.clock = clock
        self._fallback_dir = fallback_dir

    @property
    def fallback_dir(self) -> Path:
        if self._fallback_dir is None:
            self._fallback_dir = default_fallback_dir()
        return self._fallback_dir

    def paths(self) -> list[Path]:
        return [self.data_dir / RECOVERY_FILENAME, self.fallback_dir / RECOVERY_FILENAME]

    def keep(self, entry: RecoveryEntry) -> Path:
        """Append ``entry`` (fsynced) to the data folder's file, else the fallback's; return the file used."""
        line = encode_payload(entry.to_json()).encode("utf-8") + b"\n"
        problems: list[str] = []
        if self.data_dir.is_dir():
            try:
                return _append_line(self.data_dir / RECOVERY_FILENAME, line)
            except OSError as exc:
                problems.append(f"{self.data_dir}: {describe_os_error(exc)}")
        else:
            problems.append(f"{self.data_dir}: the data folder is gone")
        try:
            private_folder(self.fallback_dir)
            return _append_line(self.fallback_dir / RECOVERY_FILENAME, line)
        except OSError as exc:
            problems.append(f"{self.fallback_dir}: {describe_os_error(exc)}")
        raise RecoveryError(
            self.data_dir / RECOVERY_FILENAME,
            "the entry could not be kept in a recovery file either (" + "; ".join(problems) + ")",
            "Keep the value where it was typed and write it down",
        )

    def entries(self) -> RecoveryListing:
        entries: list[RecoveryEntry] = []
        unreadable: list[UnreadableLine] = []
        for path in self.paths():
            try:
                data = path.read_bytes()
            except FileNotFoundError:
                continue
            except OSError as exc:
                unreadable.append(UnreadableLine(path, 0, f"cannot be read: {describe_os_error(exc)}"))
                continue
            for number, raw in enumerate(data.split(b"\n"), start=1):
                if not raw.strip():
                    continue
                try:
                    entries.append(RecoveryEntry.from_json(json.loads(raw.decode("utf-8"))))
                except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
                    unreadable.append(UnreadableLine(path, number, "not valid JSON (cut short by a crash?)"))
                except (ValueError, TypeError) as exc:
                    unreadable.append(UnreadableLine(path, number, str(exc)))
        return RecoveryListing(entries, unreadable)

    def clear(self) -> None:
        """Remove the recovery files (once their entries were recorded again, or deliberately dropped)."""
        for path in self.paths():
            path.unlink(missing_ok=True)


def _append_line(path: Path, line: bytes) -> Path:
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, FILE_MODE)
    try:
        make_private(path)
        size = os.fstat(fd).st_size
        if size:
            # A line cut short by a crash would swallow this entry: start on a line of its own.
            with open(path, "rb") as fh:
                fh.seek(size - 1)
                if fh.read(1) != b"\n":
                    line = b"\n" + line
        written = os.write(fd, line)
        if written != len(line):
            raise OSError(28, "No space left on device (short write)")
        os.fsync(fd)
    finally:
        os.close(fd)
    if size == 0:
        with contextlib.suppress(OSError):
            fsync_folder(path.parent)
    return path


def _text(data: dict[str, object], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str):
        raise ValueError(f"{key} {value!r} is not text")
    return value


def _optional_int(data: dict[str, object], key: str) -> int | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{key} {value!r} is not a whole number")
    return value
