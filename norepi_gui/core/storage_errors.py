"""Typed failures of the data folder, the session database and the files written from it.

Every :class:`StorageError` says what is wrong (``problem``), where (``path``) and what to do (``remedy``), so the
window can show it as it is and never has to interpret a bare ``sqlite3`` or ``OSError``. The subclass tells the
window which situation it is in (recording must stop, an entry was not recorded, the folder is in use, an export
failed).
"""

from __future__ import annotations

import errno
import sqlite3
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path


class SessionStoreError(RuntimeError):
    """The store cannot do what was asked (unknown session, closed session, bad file)."""


class StorageError(SessionStoreError):
    """A file or folder cannot be used as asked: ``problem`` at ``path``; ``remedy`` says what to do.

    ``recovered_to`` is set when the entry that could not be recorded was kept in a recovery file instead
    (see :mod:`norepi_gui.core.recovery`).
    """

    def __init__(self, path: Path, problem: str, remedy: str) -> None:
        self.path = path
        self.problem = problem
        self.remedy = remedy
        self.recovered_to: Path | None = None
        super().__init__(f"{path}: {problem}. {remedy}")

    def __str__(self) -> str:
        text = f"{self.path}: {self.problem}. {self.remedy}"
        if self.recovered_to is not None:
            text += f". The entry is kept in {self.recovered_to}"
        return text


class UnusableReason(StrEnum):
    """Why the session database cannot be opened at start."""

    READ_ONLY = "read_only"
    DISK_FULL = "disk_full"
    NOT_A_DATABASE = "not_a_database"
    DAMAGED = "damaged"
    NEWER_SCHEMA = "newer_schema"
    IN_USE = "in_use"
    IO_ERROR = "io_error"


class DatabaseUnusableError(StorageError):
    """The data folder or its session database cannot be used at start; nothing can be recorded there."""

    def __init__(self, path: Path, reason: UnusableReason, problem: str, remedy: str) -> None:
        self.reason = reason
        super().__init__(path, problem, remedy)


class SchemaVersionError(DatabaseUnusableError):
    """The database file was written by a newer version of norepi-gui."""

    def __init__(self, path: Path, found: int, readable: int) -> None:
        self.found = found
        self.readable = readable
        super().__init__(
            path,
            UnusableReason.NEWER_SCHEMA,
            f"has schema version {found}, but this norepi-gui reads versions up to {readable}",
            "It was written by a newer norepi-gui: open it with that version, or choose another data folder",
        )


class DatabaseReplacedError(StorageError):
    """The database file was deleted, moved or replaced while open: recording stops; nothing more is written."""


class DiskFullError(StorageError):
    """An entry was not recorded: the disk is full. Nothing was half-written; recording works again with space."""


class WriteFailedError(StorageError):
    """An entry was not recorded for another reason (the disk became read-only, an I/O error, a damaged file)."""


class FolderInUseError(StorageError):
    """Another running norepi-gui holds this data folder (``pid`` when known)."""

    def __init__(self, path: Path, pid: int | None) -> None:
        self.pid = pid
        owner = f"process {pid}" if pid is not None else "another process"
        super().__init__(
            path,
            f"this data folder is in use by another norepi-gui ({owner})",
            "Bring that window forward, or open another data folder",
        )


class ExportError(StorageError):
    """A file export failed; any file already at the path is unchanged."""


# -- classifying low-level errors -----------------------------------------------------------------

_FULL_ERRNOS = frozenset({errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), errno.EFBIG})
_READ_ONLY_ERRNOS = frozenset({errno.EROFS, errno.EACCES, errno.EPERM})

# Primary SQLite result codes (https://sqlite.org/rescode.html); extended codes carry them in their low byte.
SQLITE_PERM = 3
SQLITE_BUSY = 5
SQLITE_LOCKED = 6
SQLITE_READONLY = 8
SQLITE_IOERR = 10
SQLITE_CORRUPT = 11
SQLITE_FULL = 13
SQLITE_CANTOPEN = 14
SQLITE_NOTADB = 26


def sqlite_primary_code(exc: sqlite3.Error) -> int | None:
    """The primary result code of a ``sqlite3`` exception (Python >= 3.11 exposes it), or None."""
    code = getattr(exc, "sqlite_errorcode", None)
    return None if code is None else int(code) & 0xFF


def is_disk_full(exc: OSError) -> bool:
    return exc.errno in _FULL_ERRNOS


def is_read_only(exc: OSError) -> bool:
    return exc.errno in _READ_ONLY_ERRNOS


def describe_os_error(exc: OSError) -> str:
    """``strerror`` (e.g. "No space left on device"), or the exception text when there is none."""
    return exc.strerror or str(exc)
