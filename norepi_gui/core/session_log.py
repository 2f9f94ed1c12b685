"""The append-only session log: every event on disk before the window shows it.

One SQLite file (``sessions.sqlite3``) in the data folder the caller passes in
holds all sessions. Connections use ``journal_mode=WAL`` and ``synchronous=FULL``
so an event whose :meth:`SessionStore.append` has returned survives a crash of
the program. Events are only ever inserted; corrections and deletions are new
events that name the one they supersede (see :mod:`norepi_gui.core.events`).

Training sessions and patient sessions share the file but never a listing: every
listing takes ``training=`` and defaults to patient sessions.

Nothing here pretends: a folder or file that cannot be used raises a
:class:`~norepi_gui.core.storage_errors.StorageError` subclass saying what is
wrong, where and what to do (never a bare ``sqlite3`` error). The folder is made
0700 and the database files 0600 at every open (:mod:`norepi_gui.core.private_files`).
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import tempfile
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, NoReturn, Self, TypeAlias

from norepi_gui.core.events import (
    SUPERSEDING_KINDS,
    Event,
    EventKind,
    Payload,
    PayloadError,
    SessionInfo,
    check_payload,
    decode_payload,
    effective_events,
    encode_payload,
)
from norepi_gui.core.export_file import write_export
from norepi_gui.core.private_files import create_private_file, make_private, private_folder
from norepi_gui.core.protocol_identity import content_sha256
from norepi_gui.core.recovery import RecoveryEntry, RecoveryLog
from norepi_gui.core.spreadsheet_safe import csv_text
from norepi_gui.core.storage_errors import (
    SQLITE_BUSY,
    SQLITE_CANTOPEN,
    SQLITE_CORRUPT,
    SQLITE_FULL,
    SQLITE_IOERR,
    SQLITE_LOCKED,
    SQLITE_NOTADB,
    SQLITE_PERM,
    SQLITE_READONLY,
    DatabaseReplacedError,
    DatabaseUnusableError,
    DiskFullError,
    SchemaVersionError,
    SessionStoreError,
    StorageError,
    UnusableReason,
    WriteFailedError,
    describe_os_error,
    is_disk_full,
    is_read_only,
    sqlite_primary_code,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from pathlib import Path
    from types import TracebackType

    from norepi_gui.core.clock import Clock

__all__ = [
    "CSV_COLUMNS",
    "DB_FILENAME",
    "SCHEMA_VERSION",
    "SchemaVersionError",
    "SessionRead",
    "SessionStore",
    "SessionStoreError",
    "UnreadableRow",
]

DB_FILENAME = "sessions.sqlite3"
#: 1: the first release. 2: sessions gain ``uid`` (unique across data folders, for export names) and
#: ``protocol_sha256`` (the content hash of the protocol the session runs under); table ``protocols`` keeps the
#: content of each protocol by that hash.
SCHEMA_VERSION = 2

CSV_COLUMNS = (
    "session_id",
    "training",
    "protocol_name",
    "protocol_version",
    "seq",
    "event_id",
    "at",
    "recorded_at",
    "kind",
    "supersedes",
    "payload",
)

_SCHEMA = (
    """CREATE TABLE sessions (
        id               INTEGER PRIMARY KEY AUTOINCREMENT,
        created_at       TEXT    NOT NULL,
        label            TEXT    NOT NULL,
        is_training      INTEGER NOT NULL CHECK (is_training IN (0, 1)),
        protocol_name    TEXT    NOT NULL,
        protocol_version TEXT    NOT NULL,
        scenario         TEXT,
        closed_at        TEXT,
        uid              TEXT,
        protocol_sha256  TEXT
    )""",
    """CREATE TABLE events (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        session_id  INTEGER NOT NULL REFERENCES sessions(id),
        seq         INTEGER NOT NULL,
        at          TEXT    NOT NULL,
        recorded_at TEXT    NOT NULL,
        kind        TEXT    NOT NULL,
        payload     TEXT    NOT NULL,
        supersedes  INTEGER REFERENCES events(id),
        UNIQUE (session_id, seq)
    )""",
    # The content of each protocol a session ran under (canonical JSON, see core/protocol_identity.py).
    """CREATE TABLE protocols (
        sha256  TEXT PRIMARY KEY,
        content TEXT NOT NULL
    )""",
    # The log is append-only, enforced by the file itself and not just by this module.
    """CREATE TRIGGER events_no_update BEFORE UPDATE ON events
       BEGIN SELECT RAISE(ABORT, 'events are append-only'); END""",
    """CREATE TRIGGER events_no_delete BEFORE DELETE ON events
       BEGIN SELECT RAISE(ABORT, 'events are append-only'); END""",
)

# Version 1 -> 2: the columns added, and a uid for every existing session.
_MIGRATE_1_TO_2 = (
    "ALTER TABLE sessions ADD COLUMN uid TEXT",
    "ALTER TABLE sessions ADD COLUMN protocol_sha256 TEXT",
    "UPDATE sessions SET uid = lower(hex(randomblob(16))) WHERE uid IS NULL",
    "CREATE TABLE protocols (sha256 TEXT PRIMARY KEY, content TEXT NOT NULL)",
)
_OUR_TABLES = frozenset({"sessions", "events"})  # protocols is added by the migration to version 2

_SESSION_COLUMNS = (
    "id, created_at, label, is_training, protocol_name, protocol_version, scenario, closed_at, uid, protocol_sha256"
)
_EVENT_COLUMNS = "id, session_id, seq, at, recorded_at, kind, payload, supersedes"
# Row shapes of the SELECTs above.
_SessionRow: TypeAlias = tuple[int, str, str, int, str, str, str | None, str | None, str | None, str | None]
_EventRow: TypeAlias = tuple[int, int, int, str, str, str, str, int | None]

_REMEDY = {
    UnusableReason.READ_ONLY: "norepi-gui must be able to write there: ask IT to make the folder writable, "
    "or choose another data folder",
    UnusableReason.DISK_FULL: "Free space on this disk (or choose a data folder on another disk), then start again",
    UnusableReason.NOT_A_DATABASE: "Move the file away or choose another data folder; keep the file until someone "
    "has checked what it is",
    UnusableReason.DAMAGED: "Keep the file for IT and restore it from a backup, or choose another data folder",
    UnusableReason.IN_USE: "Close the other program using it, or choose another data folder",
    UnusableReason.IO_ERROR: "Check the disk (and the network share, if the folder is on one), or choose another "
    "data folder",
}


@dataclass(frozen=True)
class UnreadableRow:
    """A stored row that could not be read: its table, row id, ``seq`` (events) and why. The row stays on disk."""

    table: str
    row_id: int
    seq: int | None
    reason: str


@dataclass(frozen=True)
class SessionRead:
    """One session as far as it can be read: its events in ``seq`` order and every row that could not be read."""

    info: SessionInfo
    events: list[Event]
    unreadable: list[UnreadableRow]

    @property
    def complete(self) -> bool:
        return not self.unreadable


_REPLACED_REMEDY = (
    "Recording has stopped. Put the file back, or close norepi-gui and start it again (a new database is made "
    "if the file is gone); IT may restore the file from a backup"
)


class SessionStore:
    """All sessions of one data folder. One store per process; not thread-safe.

    Use as a context manager, or call :meth:`close`. Opening raises
    :class:`~norepi_gui.core.storage_errors.DatabaseUnusableError` when the folder or its database cannot be used.
    """

    def __init__(self, data_dir: Path, clock: Clock, *, recovery: RecoveryLog | None = None) -> None:
        self.data_dir = data_dir
        self.path = data_dir / DB_FILENAME
        self._clock = clock
        #: Where an entry that cannot be recorded is kept (see :mod:`norepi_gui.core.recovery`).
        self.recovery = recovery if recovery is not None else RecoveryLog(data_dir, clock)
        #: What the window may tell: files whose mode could not be made private, a stale WAL set aside.
        self.warnings: list[str] = []
        #: Where :meth:`salvage` copied the database after it was deleted or replaced while open.
        self.salvaged_to: Path | None = None
        self._prepare_files()
        try:
            # isolation_level=None: no implicit transactions; we BEGIN/COMMIT ourselves.
            self._db = sqlite3.connect(self.path, isolation_level=None)
        except sqlite3.Error as exc:
            self._unusable_from(exc)
        try:
            self._open()
        except sqlite3.Error as exc:
            self._db.close()
            self._unusable_from(exc)
        except BaseException:
            self._db.close()
            raise
        self._make_files_private()
        self._identity = _file_identity(self.path)
        # SQLite keeps its -wal and -shm files (same inodes) as long as the connection is open.
        self._side_files = {p: _file_identity(p) for p in self._side_paths()}
        self._lost: str | None = None

    def _side_paths(self) -> tuple[Path, Path]:
        return self.path.with_name(DB_FILENAME + "-wal"), self.path.with_name(DB_FILENAME + "-shm")

    def _prepare_files(self) -> None:
        """The private data folder and an empty 0600 database file, or a typed error saying why not."""
        try:
            made_private = private_folder(self.data_dir)
        except OSError as exc:
            reason = _reason_of_os_error(exc)
            raise DatabaseUnusableError(
                self.data_dir, reason, f"cannot create the data folder ({describe_os_error(exc)})", _REMEDY[reason]
            ) from exc
        if not made_private:
            self.warnings.append(f"{self.data_dir}: its permissions could not be made private (0700)")
        try:
            created = create_private_file(self.path)
            if created:
                self._set_aside_orphaned_wal()
        except OSError as exc:
            reason = _reason_of_os_error(exc)
            problem = "cannot write in this folder" if reason is UnusableReason.READ_ONLY else "cannot create the file"
            raise DatabaseUnusableError(
                self.path, reason, f"{problem} ({describe_os_error(exc)})", _REMEDY[reason]
            ) from exc

    def _set_aside_orphaned_wal(self) -> None:
        """A WAL left beside a database that no longer exists belongs to that lost file: never apply it to a new one.

        (A database deleted while a norepi-gui that was then killed had it open leaves its WAL behind.)
        """
        wal, shm = self._side_paths()
        if wal.exists():
            aside = wal.with_name(f"{wal.name}.orphaned-{uuid.uuid4().hex[:8]}")
            os.replace(wal, aside)
            self.warnings.append(
                f"{wal}: a write-ahead log without its database was set aside as {aside.name} (keep it for IT)"
            )
        shm.unlink(missing_ok=True)

    def _make_files_private(self) -> None:
        for path in (self.path, *self._side_paths()):
            if not make_private(path):
                self.warnings.append(f"{path}: its permissions could not be made private (0600)")

    def _open(self) -> None:
        # Only reads until the file is known to be ours: another program's SQLite file is left exactly as it was.
        version = int(self._db.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            raise SchemaVersionError(self.path, version, SCHEMA_VERSION)
        problems = [row for (row,) in self._db.execute("PRAGMA quick_check").fetchall() if row != "ok"]
        if problems:
            raise DatabaseUnusableError(
                self.path,
                UnusableReason.DAMAGED,
                f"the database is damaged (SQLite quick_check: {problems[0]})",
                _REMEDY[UnusableReason.DAMAGED],
            )
        tables = {name for (name,) in self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        tables.discard("sqlite_sequence")
        if version == 0 and tables:
            raise DatabaseUnusableError(
                self.path,
                UnusableReason.NOT_A_DATABASE,
                "is not a norepi-gui session database (an SQLite file of another program, with the tables "
                f"{', '.join(sorted(tables))})",
                _REMEDY[UnusableReason.NOT_A_DATABASE],
            )
        if version >= 1 and not _OUR_TABLES.issubset(tables):
            raise DatabaseUnusableError(
                self.path,
                UnusableReason.DAMAGED,
                f"the database is damaged (tables missing: {', '.join(sorted(_OUR_TABLES - tables))})",
                _REMEDY[UnusableReason.DAMAGED],
            )
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA foreign_keys=ON")
        if version == 0:
            with _Transaction(self._db):
                for statement in _SCHEMA:
                    self._db.execute(statement)
                self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        elif version == 1:
            with _Transaction(self._db):
                for statement in _MIGRATE_1_TO_2:
                    self._db.execute(statement)
                self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    def _unusable_from(self, exc: sqlite3.Error) -> NoReturn:
        """Raise the typed start-up error for a ``sqlite3`` error while opening."""
        code = sqlite_primary_code(exc)
        if code == SQLITE_NOTADB:
            reason, problem = UnusableReason.NOT_A_DATABASE, "is not a norepi-gui session database"
        elif code == SQLITE_CORRUPT:
            reason, problem = UnusableReason.DAMAGED, "the database is damaged (for example cut short by a copy)"
        elif code in (SQLITE_BUSY, SQLITE_LOCKED):
            reason, problem = UnusableReason.IN_USE, "the database is locked by another program"
        elif code == SQLITE_FULL:
            reason, problem = UnusableReason.DISK_FULL, "the disk is full"
        else:
            reason, problem = self._probe_folder()
        raise DatabaseUnusableError(self.path, reason, f"{problem} ({exc})", _REMEDY[reason]) from exc

    def _probe_folder(self) -> tuple[UnusableReason, str]:
        """Why writing failed, found by writing a small file next to the database (as root, modes lie)."""
        try:
            fd, name = tempfile.mkstemp(prefix=".probe-", dir=self.data_dir)
        except OSError as exc:
            return _diagnosis(exc)
        try:
            try:
                os.write(fd, b"\0" * 65536)
                os.fsync(fd)
            except OSError as exc:
                return _diagnosis(exc)
        finally:
            os.close(fd)
            os.unlink(name)
        return UnusableReason.IO_ERROR, "the database cannot be opened"

    # -- lifetime -------------------------------------------------------------------

    def close(self) -> None:
        """Close the database. If it was deleted or replaced while open, :meth:`salvage` it first and remove the
        connection's own WAL and SHM files from the path, so they are never applied to the file now there."""
        if self._lost is None:
            with contextlib.suppress(DatabaseReplacedError, WriteFailedError):
                self.check_file()
        if self._lost is not None and self.salvaged_to is None:
            with contextlib.suppress(OSError, sqlite3.Error):
                self.salvage()
        self._db.close()
        if self._lost is not None:
            for path, identity in self._side_files.items():
                with contextlib.suppress(OSError):
                    if _file_identity(path) == identity:
                        path.unlink()

    def salvage(self, folder: Path | None = None) -> Path:
        """Copy the database as this store sees it (events in its WAL included) into a new file; return its path.

        For a database deleted or replaced while open: what it recorded survives as ``sessions-salvaged-*.sqlite3``
        in ``folder`` (default: the data folder, re-created if it was deleted), mode 0600.
        """
        target_dir = folder if folder is not None else self.data_dir
        private_folder(target_dir)
        target = target_dir / f"sessions-salvaged-{uuid.uuid4().hex[:8]}.sqlite3"
        create_private_file(target)
        copy = sqlite3.connect(target)
        try:
            self._db.backup(copy)
        finally:
            copy.close()
        self.salvaged_to = target
        return target

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- sessions -------------------------------------------------------------------

    def create_session(
        self,
        label: str,
        *,
        is_training: bool,
        protocol_name: str,
        protocol_version: str,
        scenario: str | None = None,
        protocol_sha256: str | None = None,
    ) -> SessionInfo:
        """Start a session (committed before returning).

        ``protocol_sha256`` is :attr:`ProtocolIdentity.sha256 <norepi_gui.core.protocol_identity.ProtocolIdentity>`
        of the protocol the session runs under, so a resume can tell whether the protocol changed.
        """
        for field, value in (
            ("protocol_name", protocol_name),
            ("protocol_version", protocol_version),
        ):
            if not value.strip():
                raise ValueError(f"{field}: must be a non-empty string, got {value!r}")
        created_at = self._now()
        uid = uuid.uuid4().hex
        with self._transaction():
            cur = self._db.execute(
                "INSERT INTO sessions (created_at, label, is_training, protocol_name,"
                " protocol_version, scenario, closed_at, uid, protocol_sha256) VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?)",
                (
                    _iso(created_at),
                    label,
                    int(is_training),
                    protocol_name,
                    protocol_version,
                    scenario,
                    uid,
                    protocol_sha256,
                ),
            )
        session_id = cur.lastrowid
        assert session_id is not None
        return SessionInfo(
            id=session_id,
            created_at=created_at,
            label=label,
            is_training=is_training,
            protocol_name=protocol_name,
            protocol_version=protocol_version,
            scenario=scenario,
            closed_at=None,
            uid=uid,
            protocol_sha256=protocol_sha256,
        )

    def session(self, session_id: int) -> SessionInfo:
        row = self._db.execute(f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE id = ?", (session_id,)).fetchone()
        if row is None:
            raise SessionStoreError(f"session_id: no session {session_id} in {self.path}")
        return _session_from_row(row)

    def list_sessions(self, *, training: bool = False) -> list[SessionInfo]:
        """Patient sessions (or, with ``training=True``, training sessions), oldest first."""
        rows = self._db.execute(
            f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE is_training = ? ORDER BY id",
            (int(training),),
        ).fetchall()
        return [_session_from_row(r) for r in rows]

    def open_sessions(self, *, training: bool = False) -> list[SessionInfo]:
        """Sessions never closed: what the app offers to resume after a crash."""
        return [s for s in self.list_sessions(training=training) if s.closed_at is None]

    def close_session(self, session_id: int) -> SessionInfo:
        """Record ``SESSION_CLOSED`` and mark the session closed, in one transaction."""
        info = self.session(session_id)
        if info.closed_at is not None:
            raise SessionStoreError(f"session_id: session {session_id} is already closed")
        now = self._now()
        with self._transaction():
            self._insert_event(session_id, EventKind.SESSION_CLOSED, {}, now, now, None)
            self._db.execute(
                "UPDATE sessions SET closed_at = ? WHERE id = ? AND closed_at IS NULL",
                (_iso(now), session_id),
            )
        return self.session(session_id)

    # -- protocols ------------------------------------------------------------------

    def keep_protocol(self, canonical: str) -> str:
        """Keep a protocol's canonical JSON (:func:`~norepi_gui.core.protocol_identity.canonical_json`) once; return
        its SHA-256, the ``protocol_sha256`` a session records."""
        sha = content_sha256(canonical)
        with self._transaction():
            self._db.execute("INSERT OR IGNORE INTO protocols (sha256, content) VALUES (?, ?)", (sha, canonical))
        return sha

    def protocol_content(self, sha256: str) -> str | None:
        """The canonical JSON kept for ``sha256``, or None."""
        row = self._db.execute("SELECT content FROM protocols WHERE sha256 = ?", (sha256,)).fetchone()
        return None if row is None else str(row[0])

    # -- events ---------------------------------------------------------------------

    def append(
        self,
        session_id: int,
        kind: EventKind,
        payload: Mapping[str, object],
        *,
        at: datetime | None = None,
        supersedes: int | None = None,
    ) -> Event:
        """Write one event and commit it; return it only once it is on disk.

        ``at`` (clinical time) defaults to the clock's now, except for a
        ``CORRECTION``, where it defaults to the ``at`` of the superseded event.
        ``CORRECTION``/``DELETION`` need ``supersedes`` (an event of the same
        session, not a deletion, not already deleted); other kinds must not set it.
        A correction's payload replaces the superseded payload as a whole.

        When the entry cannot be recorded (:class:`DiskFullError`, :class:`DatabaseReplacedError`,
        :class:`WriteFailedError`) it is kept in the recovery file; the error's ``recovered_to`` says where
        (None if even that failed).
        """
        try:
            kind = EventKind(kind)
        except ValueError:
            accepted = ", ".join(k.value for k in EventKind)
            raise ValueError(f"kind: {kind!r} is not an event kind; accepted: {accepted}") from None
        checked = check_payload(payload)
        if at is not None and (at.tzinfo is None or at.utcoffset() is None):
            raise ValueError(f"at: must be a timezone-aware datetime, got naive {at!r}")
        recorded_at = self._now()
        try:
            return self._append(session_id, kind, checked, at, supersedes, recorded_at)
        except StorageError as exc:
            self._keep_unrecorded(exc, session_id, kind, checked, at, supersedes)
            raise

    def _append(
        self,
        session_id: int,
        kind: EventKind,
        checked: Payload,
        at: datetime | None,
        supersedes: int | None,
        recorded_at: datetime,
    ) -> Event:
        with self._transaction():
            info = self.session(session_id)
            if info.closed_at is not None:
                raise SessionStoreError(
                    f"session_id: session {session_id} was closed at "
                    f"{_iso(info.closed_at)}; closed sessions take no new events"
                )
            target = self._check_supersedes(session_id, kind, supersedes)
            if at is None:
                at = target.at if target is not None and kind is EventKind.CORRECTION else recorded_at
            return self._insert_event(session_id, kind, checked, at, recorded_at, supersedes)

    def read_session(self, session_id: int) -> SessionRead:
        """Everything of one session that can be read, and a list of what cannot (never raises for a bad row).

        A row from a newer norepi-gui (an unknown kind), with broken JSON or a bad time is listed in
        ``unreadable`` with its row id, ``seq`` and the reason, and left in the file as it is.
        """
        row = self._db.execute(f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE id = ?", (session_id,)).fetchone()
        if row is None:
            raise SessionStoreError(f"session_id: no session {session_id} in {self.path}")
        info, problems = _session_and_problems(row)
        events, unreadable = self._read_events(session_id)
        return SessionRead(info, events, [*problems, *unreadable])

    def _keep_unrecorded(
        self,
        error: StorageError,
        session_id: int,
        kind: EventKind,
        payload: Payload,
        at: datetime | None,
        supersedes: int | None,
    ) -> None:
        """Keep an entry the database refused in the recovery file; ``error.recovered_to`` says where."""
        uid: str | None = None
        with contextlib.suppress(sqlite3.Error, SessionStoreError):
            uid = self.session(session_id).uid
        entry = RecoveryEntry(
            kept_at=self._now(),
            session_id=session_id,
            session_uid=uid,
            kind=kind.value,
            payload=payload,
            at=at,
            supersedes=supersedes,
            reason=f"{error.problem} ({self.path})",
        )
        with contextlib.suppress(StorageError):
            error.recovered_to = self.recovery.keep(entry)

    def events(self, session_id: int) -> list[Event]:
        """The raw log of one session, in recording order (``seq``), originals included.

        Rows that cannot be read are left out; :meth:`read_session` lists them.
        """
        self.session(session_id)  # clear error for an unknown session
        return self._raw(session_id)

    def effective_events(self, session_id: int) -> list[Event]:
        """The current view: latest correction wins, deleted events dropped.

        See :func:`norepi_gui.core.events.effective_events` for the exact rules.
        """
        return effective_events(self.events(session_id))

    def export_csv(self, session_id: int, path: Path) -> None:
        """Write the raw log, one row per event, columns :data:`CSV_COLUMNS`.

        Times are ISO 8601 UTC; ``payload`` is the stored canonical JSON. Every cell is quoted and a cell a
        spreadsheet would evaluate starts with ``'`` (:mod:`norepi_gui.core.spreadsheet_safe`). The file is written
        atomically, 0600 (:func:`~norepi_gui.core.export_file.write_export`); a failure raises
        :class:`~norepi_gui.core.storage_errors.ExportError` and leaves any file at ``path`` as it was.
        """
        info = self.session(session_id)
        rows = self._db.execute(
            f"SELECT {_EVENT_COLUMNS} FROM events WHERE session_id = ? ORDER BY seq",
            (session_id,),
        ).fetchall()
        table: list[tuple[object, ...]] = [CSV_COLUMNS]
        for eid, sid, seq, at, recorded_at, kind, payload, supersedes in rows:
            table.append(
                (
                    sid,
                    int(info.is_training),
                    info.protocol_name,
                    info.protocol_version,
                    seq,
                    eid,
                    at,
                    recorded_at,
                    kind,
                    supersedes,
                    payload,
                )
            )
        write_export(path, csv_text(table).encode("utf-8"))

    # -- internals ------------------------------------------------------------------

    def _now(self) -> datetime:
        now = self._clock.now()
        if now.tzinfo is None or now.utcoffset() is None:
            raise ValueError(f"clock: must return timezone-aware datetimes, got naive {now!r}")
        return now.astimezone(UTC)

    def _transaction(self) -> _Transaction:
        """A write transaction: the file is checked before it starts and before it commits; errors are typed."""
        return _Transaction(self._db, self.check_file, self._write_error)

    def _write_error(self, exc: sqlite3.Error) -> BaseException:
        """The typed error for a ``sqlite3`` error while writing (others, e.g. constraint errors, pass through)."""
        code = sqlite_primary_code(exc)
        if code == SQLITE_FULL:
            reason = UnusableReason.DISK_FULL
        elif code in (SQLITE_READONLY, SQLITE_IOERR, SQLITE_CANTOPEN, SQLITE_PERM):
            reason, _problem = self._probe_folder()
        elif code == SQLITE_CORRUPT:
            return WriteFailedError(
                self.path,
                f"this entry was not recorded: the database is damaged ({exc})",
                _REMEDY[UnusableReason.DAMAGED],
            )
        elif code in (SQLITE_BUSY, SQLITE_LOCKED):
            return WriteFailedError(
                self.path,
                f"this entry was not recorded: the database is locked by another program ({exc})",
                "Close the other program; recording continues once the database is free",
            )
        else:
            return exc
        if reason is UnusableReason.DISK_FULL:
            return DiskFullError(
                self.path,
                "this entry was not recorded: the disk is full",
                "Free space on the disk; recording continues as soon as there is space",
            )
        if reason is UnusableReason.READ_ONLY:
            return WriteFailedError(
                self.path,
                "this entry was not recorded: the data folder can no longer be written to",
                "Ask IT to make the folder writable again (a network share may have been disconnected)",
            )
        return WriteFailedError(self.path, f"this entry was not recorded: {exc}", _REMEDY[UnusableReason.IO_ERROR])

    def check_file(self) -> None:
        """Raise :class:`DatabaseReplacedError` if the file at the path is no longer the file this store has open.

        Runs before every write and before every commit; the window may also call it on its clock tick. Once the file
        is found deleted or replaced, every later write raises too: nothing is written to the unlinked file.
        """
        if self._lost is not None:
            raise DatabaseReplacedError(self.path, self._lost, _REPLACED_REMEDY)
        try:
            st = os.stat(self.path)
        except (FileNotFoundError, NotADirectoryError):
            self._lost = "the database file was deleted or moved while norepi-gui had it open"
        except OSError as exc:
            problem = f"the database file cannot be checked ({describe_os_error(exc)})"
            raise WriteFailedError(
                self.path, f"this entry was not recorded: {problem}", _REMEDY[UnusableReason.IO_ERROR]
            ) from exc
        else:
            if (st.st_dev, st.st_ino) == self._identity:
                return
            self._lost = "the database file was replaced by another file while norepi-gui had it open"
        self._lost += "; this and later entries are not recorded"
        raise DatabaseReplacedError(self.path, self._lost, _REPLACED_REMEDY)

    def _check_supersedes(self, session_id: int, kind: EventKind, supersedes: int | None) -> Event | None:
        if kind not in SUPERSEDING_KINDS:
            if supersedes is not None:
                raise ValueError(f"supersedes: only CORRECTION and DELETION events supersede; got {kind.value}")
            return None
        if supersedes is None:
            raise ValueError(f"supersedes: a {kind.value} must name the event id it supersedes")
        raw = self._raw(session_id)
        by_id = {e.id: e for e in raw}
        target = by_id.get(supersedes)
        if target is None:
            raise ValueError(f"supersedes: no event {supersedes} in session {session_id}")
        if target.kind in (EventKind.DELETION, EventKind.SESSION_CLOSED):
            raise ValueError(f"supersedes: event {supersedes} is a {target.kind.value}; it cannot be superseded")
        root = target
        while root.supersedes is not None:
            root = by_id[root.supersedes]
        if root.id not in {e.id for e in effective_events(raw)}:
            raise ValueError(f"supersedes: event {supersedes} was deleted")
        return target

    def _raw(self, session_id: int) -> list[Event]:
        return self._read_events(session_id)[0]

    def _read_events(self, session_id: int) -> tuple[list[Event], list[UnreadableRow]]:
        """The readable events in ``seq`` order, and every row that is not (with a superseding event whose target
        cannot be read, since there is nothing to apply it to)."""
        rows = self._db.execute(
            f"SELECT {_EVENT_COLUMNS} FROM events WHERE session_id = ? ORDER BY seq",
            (session_id,),
        ).fetchall()
        events: list[Event] = []
        unreadable: list[UnreadableRow] = []
        readable_ids: set[int] = set()
        for row in rows:
            try:
                event = _event_from_row(row)
            except _UnreadableError as exc:
                unreadable.append(UnreadableRow("events", row[0], row[2], str(exc)))
                continue
            if (
                event.supersedes is not None
                and event.kind in SUPERSEDING_KINDS
                and event.supersedes not in readable_ids
            ):
                unreadable.append(
                    UnreadableRow(
                        "events", event.id, event.seq, f"supersedes event {event.supersedes}, which could not be read"
                    )
                )
                continue
            events.append(event)
            readable_ids.add(event.id)
        return events, unreadable

    def _insert_event(
        self,
        session_id: int,
        kind: EventKind,
        payload: Payload,
        at: datetime,
        recorded_at: datetime,
        supersedes: int | None,
    ) -> Event:
        at = at.astimezone(UTC)
        (last_seq,) = self._db.execute(
            "SELECT COALESCE(MAX(seq), 0) FROM events WHERE session_id = ?", (session_id,)
        ).fetchone()
        seq = int(last_seq) + 1
        cur = self._db.execute(
            "INSERT INTO events (session_id, seq, at, recorded_at, kind, payload, supersedes)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                session_id,
                seq,
                _iso(at),
                _iso(recorded_at),
                kind.value,
                encode_payload(payload),
                supersedes,
            ),
        )
        event_id = cur.lastrowid
        assert event_id is not None
        return Event(
            id=event_id,
            session_id=session_id,
            seq=seq,
            at=at,
            recorded_at=recorded_at,
            kind=kind,
            payload=payload,
            supersedes=supersedes,
        )


class _Transaction:
    """``BEGIN IMMEDIATE`` ... ``COMMIT`` (or ``ROLLBACK`` on any error).

    ``guard`` runs before ``BEGIN`` and again before ``COMMIT`` (the file check); ``on_error`` turns a ``sqlite3``
    error into the typed error raised instead (its cause is the ``sqlite3`` error).
    """

    def __init__(
        self,
        db: sqlite3.Connection,
        guard: Callable[[], None] | None = None,
        on_error: Callable[[sqlite3.Error], BaseException] | None = None,
    ) -> None:
        self._db = db
        self._guard = guard
        self._on_error = on_error

    def __enter__(self) -> None:
        if self._guard is not None:
            self._guard()
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            self._raise_mapped(exc)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc is None:
            try:
                if self._guard is not None:
                    self._guard()
                self._db.execute("COMMIT")
            except sqlite3.Error as error:
                self._rollback()
                self._raise_mapped(error)
            except BaseException:
                self._rollback()
                raise
            return
        self._rollback()
        if isinstance(exc, sqlite3.Error):
            self._raise_mapped(exc)

    def _rollback(self) -> None:
        # SQLite may already have rolled back by itself (e.g. after SQLITE_FULL).
        if self._db.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")

    def _raise_mapped(self, exc: sqlite3.Error) -> None:
        if self._on_error is None:
            raise exc
        raise self._on_error(exc) from exc


def _file_identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _reason_of_os_error(exc: OSError) -> UnusableReason:
    if is_disk_full(exc):
        return UnusableReason.DISK_FULL
    if is_read_only(exc):
        return UnusableReason.READ_ONLY
    return UnusableReason.IO_ERROR


def _diagnosis(exc: OSError) -> tuple[UnusableReason, str]:
    reason = _reason_of_os_error(exc)
    problem = {
        UnusableReason.DISK_FULL: "the disk is full",
        UnusableReason.READ_ONLY: "cannot write in this folder (it is read-only for norepi-gui)",
    }.get(reason, f"cannot write in this folder: {describe_os_error(exc)}")
    return reason, problem


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).isoformat()


class _UnreadableError(ValueError):
    """Why one stored row cannot be read (internal: becomes an :class:`UnreadableRow`)."""


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _stored_time(name: str, text: object) -> datetime:
    if not isinstance(text, str):
        raise _UnreadableError(f"{name} {text!r} is not a time")
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise _UnreadableError(f"{name} {text!r} is not a time") from None
    if when.tzinfo is None or when.utcoffset() is None:
        raise _UnreadableError(f"{name} {text!r} has no time zone")
    return when


def _session_from_row(row: _SessionRow) -> SessionInfo:
    return _session_and_problems(row)[0]


def _session_and_problems(row: _SessionRow) -> tuple[SessionInfo, list[UnreadableRow]]:
    """The session, readable whatever its row holds: an unreadable time shows as 1970-01-01 and is listed."""
    sid, created_at, label, is_training, pname, pversion, scenario, closed_at, uid, protocol_sha256 = row
    problems: list[UnreadableRow] = []

    def time_or_epoch(name: str, text: object) -> datetime:
        try:
            return _stored_time(name, text)
        except _UnreadableError as exc:
            problems.append(UnreadableRow("sessions", sid, None, f"{exc}; 1970-01-01 00:00 UTC is shown instead"))
            return _EPOCH

    info = SessionInfo(
        id=sid,
        created_at=time_or_epoch("created_at", created_at),
        label=str(label),
        is_training=bool(is_training),
        protocol_name=str(pname),
        protocol_version=str(pversion),
        scenario=None if scenario is None else str(scenario),
        closed_at=None if closed_at is None else time_or_epoch("closed_at", closed_at),
        uid=str(uid or ""),
        protocol_sha256=None if protocol_sha256 is None else str(protocol_sha256),
    )
    return info, problems


def _event_from_row(row: _EventRow) -> Event:
    """One stored event, or :class:`_UnreadableError` saying what in the row cannot be read."""
    eid, sid, seq, at, recorded_at, kind, payload, supersedes = row
    try:
        event_kind = EventKind(kind)
    except ValueError:
        raise _UnreadableError(f"unknown event kind {kind!r} (written by a newer norepi-gui?)") from None
    if not isinstance(payload, str):
        raise _UnreadableError(f"payload {payload!r} is not JSON text")
    try:
        decoded = decode_payload(payload)
    except json.JSONDecodeError as exc:
        raise _UnreadableError(f"payload is not valid JSON ({exc.msg} at character {exc.pos})") from None
    except PayloadError as exc:
        reason = "payload is not a JSON object" if "not a JSON object" in str(exc) else str(exc)
        raise _UnreadableError(reason) from None
    except RecursionError:
        raise _UnreadableError("payload is nested too deeply to read") from None
    if event_kind in SUPERSEDING_KINDS and supersedes is None:
        raise _UnreadableError(f"a {event_kind.value} that names no event")
    return Event(
        id=eid,
        session_id=sid,
        seq=seq,
        at=_stored_time("at", at),
        recorded_at=_stored_time("recorded_at", recorded_at),
        kind=event_kind,
        payload=decoded,
        supersedes=supersedes,
    )
