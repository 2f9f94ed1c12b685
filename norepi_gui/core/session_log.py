"""The append-only session log: every event on disk before the window shows it.

One SQLite file (``sessions.sqlite3``) in the data folder the caller passes in
holds all sessions. Connections use ``journal_mode=WAL`` and ``synchronous=FULL``
so an event whose :meth:`SessionStore.append` has returned survives a crash of
the program. Events are only ever inserted; corrections and deletions are new
events that name the one they supersede (see :mod:`norepi_gui.core.events`).

Training sessions and patient sessions share the file but never a listing: every
listing takes ``training=`` and defaults to patient sessions.
"""

from __future__ import annotations

import csv
import sqlite3
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Self, TypeAlias

from norepi_gui.core.events import (
    SUPERSEDING_KINDS,
    Event,
    EventKind,
    Payload,
    SessionInfo,
    check_payload,
    decode_payload,
    effective_events,
    encode_payload,
)

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path
    from types import TracebackType

    from norepi_gui.core.clock import Clock

DB_FILENAME = "sessions.sqlite3"
SCHEMA_VERSION = 1

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
        closed_at        TEXT
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
    # The log is append-only, enforced by the file itself and not just by this module.
    """CREATE TRIGGER events_no_update BEFORE UPDATE ON events
       BEGIN SELECT RAISE(ABORT, 'events are append-only'); END""",
    """CREATE TRIGGER events_no_delete BEFORE DELETE ON events
       BEGIN SELECT RAISE(ABORT, 'events are append-only'); END""",
)

_SESSION_COLUMNS = "id, created_at, label, is_training, protocol_name, protocol_version, scenario, closed_at"
_EVENT_COLUMNS = "id, session_id, seq, at, recorded_at, kind, payload, supersedes"
# Row shapes of the SELECTs above.
_SessionRow: TypeAlias = tuple[int, str, str, int, str, str, str | None, str | None]
_EventRow: TypeAlias = tuple[int, int, int, str, str, str, str, int | None]


class SessionStoreError(RuntimeError):
    """The store cannot do what was asked (unknown session, closed session, bad file)."""


class SchemaVersionError(SessionStoreError):
    """The database file was written by a newer version of norepi-gui."""


class SessionStore:
    """All sessions of one data folder. One store per process; not thread-safe.

    Use as a context manager, or call :meth:`close`.
    """

    def __init__(self, data_dir: Path, clock: Clock) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self.path = data_dir / DB_FILENAME
        self._clock = clock
        # isolation_level=None: no implicit transactions; we BEGIN/COMMIT ourselves.
        self._db = sqlite3.connect(self.path, isolation_level=None)
        try:
            self._open()
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise SessionStoreError(f"{self.path} is not a usable session database: {exc}") from exc
        except BaseException:
            self._db.close()
            raise

    def _open(self) -> None:
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA foreign_keys=ON")
        version = int(self._db.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            raise SchemaVersionError(
                f"{self.path} has schema version {version}, but this norepi-gui reads "
                f"versions up to {SCHEMA_VERSION}; open it with a newer norepi-gui"
            )
        if version < SCHEMA_VERSION:
            # Only version 0 (a new, empty file) exists below 1; later versions migrate here.
            with self._transaction():
                for statement in _SCHEMA:
                    self._db.execute(statement)
                self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    # -- lifetime -------------------------------------------------------------------

    def close(self) -> None:
        self._db.close()

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
    ) -> SessionInfo:
        """Start a session (committed before returning)."""
        for field, value in (
            ("protocol_name", protocol_name),
            ("protocol_version", protocol_version),
        ):
            if not value.strip():
                raise ValueError(f"{field}: must be a non-empty string, got {value!r}")
        created_at = self._now()
        with self._transaction():
            cur = self._db.execute(
                "INSERT INTO sessions (created_at, label, is_training, protocol_name,"
                " protocol_version, scenario, closed_at) VALUES (?, ?, ?, ?, ?, ?, NULL)",
                (
                    _iso(created_at),
                    label,
                    int(is_training),
                    protocol_name,
                    protocol_version,
                    scenario,
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

    def events(self, session_id: int) -> list[Event]:
        """The raw log of one session, in recording order (``seq``), originals included."""
        self.session(session_id)  # clear error for an unknown session
        return self._raw(session_id)

    def effective_events(self, session_id: int) -> list[Event]:
        """The current view: latest correction wins, deleted events dropped.

        See :func:`norepi_gui.core.events.effective_events` for the exact rules.
        """
        return effective_events(self.events(session_id))

    def export_csv(self, session_id: int, path: Path) -> None:
        """Write the raw log, one row per event, columns :data:`CSV_COLUMNS`.

        Times are ISO 8601 UTC; ``payload`` is the stored canonical JSON.
        """
        info = self.session(session_id)
        rows = self._db.execute(
            f"SELECT {_EVENT_COLUMNS} FROM events WHERE session_id = ? ORDER BY seq",
            (session_id,),
        ).fetchall()
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(CSV_COLUMNS)
            for eid, sid, seq, at, recorded_at, kind, payload, supersedes in rows:
                writer.writerow(
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
                        "" if supersedes is None else supersedes,
                        payload,
                    )
                )

    # -- internals ------------------------------------------------------------------

    def _now(self) -> datetime:
        now = self._clock.now()
        if now.tzinfo is None or now.utcoffset() is None:
            raise ValueError(f"clock: must return timezone-aware datetimes, got naive {now!r}")
        return now.astimezone(UTC)

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db)

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
        rows = self._db.execute(
            f"SELECT {_EVENT_COLUMNS} FROM events WHERE session_id = ? ORDER BY seq",
            (session_id,),
        ).fetchall()
        return [_event_from_row(r) for r in rows]

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
    """``BEGIN IMMEDIATE`` ... ``COMMIT`` (or ``ROLLBACK`` on any error)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self._db.execute("COMMIT")
        else:
            self._db.execute("ROLLBACK")


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).isoformat()


def _session_from_row(row: _SessionRow) -> SessionInfo:
    sid, created_at, label, is_training, pname, pversion, scenario, closed_at = row
    return SessionInfo(
        id=sid,
        created_at=datetime.fromisoformat(created_at),
        label=label,
        is_training=bool(is_training),
        protocol_name=pname,
        protocol_version=pversion,
        scenario=scenario,
        closed_at=None if closed_at is None else datetime.fromisoformat(closed_at),
    )


def _event_from_row(row: _EventRow) -> Event:
    eid, sid, seq, at, recorded_at, kind, payload, supersedes = row
    return Event(
        id=eid,
        session_id=sid,
        seq=seq,
        at=datetime.fromisoformat(at),
        recorded_at=datetime.fromisoformat(recorded_at),
        kind=EventKind(kind),
        payload=decode_payload(payload),
        supersedes=supersedes,
    )
