"""The session log never pretends: every storage fault is a typed error saying what, where and what to do."""

from __future__ import annotations

import os
import sqlite3
import stat
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest

from norepi_gui.core.clock import ManualClock
from norepi_gui.core.events import EventKind
from norepi_gui.core.session_log import DB_FILENAME, SCHEMA_VERSION, SessionStore
from norepi_gui.core.storage_errors import (
    DatabaseReplacedError,
    DatabaseUnusableError,
    DiskFullError,
    SchemaVersionError,
    UnusableReason,
)
from tests.fsfaults import fill, read_only, small_filesystem

if TYPE_CHECKING:
    from pathlib import Path

T0 = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)
POSIX = sys.platform != "win32"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


def _patient(store: SessionStore) -> int:
    return store.create_session("bed 4", is_training=False, protocol_name="default-ne", protocol_version="1.2").id


def _filled_database(folder: Path, clock: ManualClock, readings: int = 200) -> int:
    with SessionStore(folder, clock) as store:
        sid = _patient(store)
        for i in range(readings):
            store.append(sid, EventKind.READING, {"map_mmHg": 60 + i % 20, "note": "x" * 200})
    return sid


def _unusable(folder: Path, clock: ManualClock) -> DatabaseUnusableError:
    with pytest.raises(DatabaseUnusableError) as info:
        SessionStore(folder, clock)
    return info.value


# -- an unusable database at start ---------------------------------------------------------------


def test_file_that_is_not_a_database_is_named_with_what_to_do(tmp_path: Path, clock: ManualClock) -> None:
    (tmp_path / DB_FILENAME).write_bytes(b"this is not sqlite" * 100)
    error = _unusable(tmp_path, clock)
    assert error.reason is UnusableReason.NOT_A_DATABASE
    assert error.path == tmp_path / DB_FILENAME
    assert "not a norepi-gui session database" in error.problem
    assert "another data folder" in error.remedy
    assert isinstance(error.__cause__, sqlite3.DatabaseError)  # the sqlite3 error is kept as the cause
    # The file is left as it was: nothing deletes or overwrites what may be a patient's record.
    assert (tmp_path / DB_FILENAME).read_bytes() == b"this is not sqlite" * 100


def test_sqlite_database_of_another_program_is_not_taken_over(tmp_path: Path, clock: ManualClock) -> None:
    other = sqlite3.connect(tmp_path / DB_FILENAME)
    other.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount REAL)")
    other.commit()
    other.close()
    error = _unusable(tmp_path, clock)
    assert error.reason is UnusableReason.NOT_A_DATABASE
    assert "invoices" in error.problem
    check = sqlite3.connect(tmp_path / DB_FILENAME)
    try:
        tables = {name for (name,) in check.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        (journal,) = check.execute("PRAGMA journal_mode").fetchone()
    finally:
        check.close()
    assert tables == {"invoices"}  # no sessions/events tables were added to someone else's file
    assert journal == "delete"  # nor was it switched to WAL


@pytest.mark.parametrize("keep", [0.5, 0.05])
def test_truncated_database_is_reported_as_damaged(tmp_path: Path, clock: ManualClock, keep: float) -> None:
    _filled_database(tmp_path, clock)
    db = tmp_path / DB_FILENAME
    size = db.stat().st_size
    assert size > 40_000  # 200 readings of ~250 bytes: many pages, so cutting it loses events
    with db.open("r+b") as fh:
        fh.truncate(int(size * keep))
    error = _unusable(tmp_path, clock)
    assert error.reason is UnusableReason.DAMAGED
    assert "damaged" in error.problem
    assert "backup" in error.remedy


def test_newer_schema_names_both_versions_and_what_to_do(tmp_path: Path, clock: ManualClock) -> None:
    SessionStore(tmp_path, clock).close()
    other = sqlite3.connect(tmp_path / DB_FILENAME)
    other.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    other.close()
    error = _unusable(tmp_path, clock)
    assert isinstance(error, SchemaVersionError)
    assert error.reason is UnusableReason.NEWER_SCHEMA
    assert f"schema version {SCHEMA_VERSION + 1}" in str(error)
    assert "newer norepi-gui" in error.remedy


def test_no_bare_sqlite_error_escapes_for_a_damaged_first_page(tmp_path: Path, clock: ManualClock) -> None:
    _filled_database(tmp_path, clock, readings=5)
    db = tmp_path / DB_FILENAME
    data = bytearray(db.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # the schema page after the 100-byte header
    db.write_bytes(bytes(data))
    error = _unusable(tmp_path, clock)
    assert error.reason in (UnusableReason.DAMAGED, UnusableReason.NOT_A_DATABASE)


@pytest.mark.skipif(not POSIX, reason="POSIX permissions")
def test_read_only_folder_without_a_database_says_it_cannot_write_there(tmp_path: Path, clock: ManualClock) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    with read_only(folder):
        error = _unusable(folder, clock)
    assert error.reason is UnusableReason.READ_ONLY
    assert error.path == folder / DB_FILENAME
    assert "cannot write" in error.problem
    assert "another data folder" in error.remedy


@pytest.mark.skipif(not POSIX, reason="POSIX permissions")
def test_read_only_folder_with_a_database_says_it_cannot_write_there(tmp_path: Path, clock: ManualClock) -> None:
    folder = tmp_path / "data"
    _filled_database(folder, clock, readings=3)
    with read_only(folder):
        error = _unusable(folder, clock)
    assert error.reason is UnusableReason.READ_ONLY
    assert "cannot write" in error.problem


def test_data_folder_that_cannot_be_created_is_a_typed_error(tmp_path: Path, clock: ManualClock) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the folder should be", encoding="utf-8")
    error = _unusable(blocker / "data", clock)
    assert error.path == blocker / "data"
    assert "cannot create the data folder" in error.problem


def test_full_disk_at_start_is_reported_as_disk_full(tmp_path: Path, clock: ManualClock) -> None:
    with small_filesystem(tmp_path / "small", 256) as folder:
        data = folder / "data"
        data.mkdir()
        fill(folder)
        error = _unusable(data, clock)
    assert error.reason is UnusableReason.DISK_FULL
    assert "full" in error.problem
    assert "Free space" in error.remedy


def test_old_database_without_uid_column_is_migrated_to_the_current_schema(tmp_path: Path, clock: ManualClock) -> None:
    """A version-1 file (the first release) opens, keeps its events and gains the session uid."""
    db = sqlite3.connect(tmp_path / DB_FILENAME, isolation_level=None)
    for statement in _SCHEMA_V1:
        db.execute(statement)
    db.execute(
        "INSERT INTO sessions (created_at, label, is_training, protocol_name, protocol_version, scenario, closed_at)"
        " VALUES ('2025-12-31T08:00:00+00:00', 'bed 1', 0, 'default-ne', '1.0', NULL, NULL)"
    )
    db.execute(
        "INSERT INTO events (session_id, seq, at, recorded_at, kind, payload, supersedes)"
        " VALUES (1, 1, '2025-12-31T08:00:00+00:00', '2025-12-31T08:00:00+00:00', 'READING', '{\"map_mmHg\":61}', NULL)"
    )
    db.execute("PRAGMA user_version=1")
    db.close()
    with SessionStore(tmp_path, clock) as store:
        (info,) = store.list_sessions()
        assert [e.payload for e in store.events(info.id)] == [{"map_mmHg": 61}]
        assert len(info.uid) == 32
        assert info.protocol_sha256 is None  # not known for a session recorded before it was kept
        sha = store.keep_protocol('{"meta":{}}')  # the protocols table exists after the migration
        assert store.protocol_content(sha) == '{"meta":{}}'
    check = sqlite3.connect(tmp_path / DB_FILENAME)
    try:
        (version,) = check.execute("PRAGMA user_version").fetchone()
    finally:
        check.close()
    assert version == SCHEMA_VERSION


_SCHEMA_V1 = (
    """CREATE TABLE sessions (
        id INTEGER PRIMARY KEY AUTOINCREMENT, created_at TEXT NOT NULL, label TEXT NOT NULL,
        is_training INTEGER NOT NULL CHECK (is_training IN (0, 1)), protocol_name TEXT NOT NULL,
        protocol_version TEXT NOT NULL, scenario TEXT, closed_at TEXT)""",
    """CREATE TABLE events (
        id INTEGER PRIMARY KEY AUTOINCREMENT, session_id INTEGER NOT NULL REFERENCES sessions(id),
        seq INTEGER NOT NULL, at TEXT NOT NULL, recorded_at TEXT NOT NULL, kind TEXT NOT NULL,
        payload TEXT NOT NULL, supersedes INTEGER REFERENCES events(id), UNIQUE (session_id, seq))""",
    """CREATE TRIGGER events_no_update BEFORE UPDATE ON events
       BEGIN SELECT RAISE(ABORT, 'events are append-only'); END""",
    """CREATE TRIGGER events_no_delete BEFORE DELETE ON events
       BEGIN SELECT RAISE(ABORT, 'events are append-only'); END""",
)


# -- permissions ---------------------------------------------------------------------------------


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.skipif(not POSIX, reason="POSIX permissions")
def test_new_data_folder_and_database_files_are_private_whatever_the_umask(tmp_path: Path, clock: ManualClock) -> None:
    old = os.umask(0o000)  # the most permissive umask: files would be 0666/0777 without care
    try:
        folder = tmp_path / "data"
        with SessionStore(folder, clock) as store:
            _patient(store)
            files = [folder / DB_FILENAME, folder / f"{DB_FILENAME}-wal", folder / f"{DB_FILENAME}-shm"]
            assert all(p.exists() for p in files)
            modes = {p.name: _mode(p) for p in files}
    finally:
        os.umask(old)
    assert _mode(folder) == 0o700
    assert modes == {p.name: 0o600 for p in files}


@pytest.mark.skipif(not POSIX, reason="POSIX permissions")
def test_existing_open_folder_and_database_are_made_private_at_open(tmp_path: Path, clock: ManualClock) -> None:
    folder = tmp_path / "data"
    _filled_database(folder, clock, readings=1)
    folder.chmod(0o755)  # created by someone else, or by an older norepi-gui
    (folder / DB_FILENAME).chmod(0o644)
    with SessionStore(folder, clock) as store:
        _patient(store)
        wal = folder / f"{DB_FILENAME}-wal"
        shm = folder / f"{DB_FILENAME}-shm"
        assert (_mode(folder), _mode(folder / DB_FILENAME), _mode(wal), _mode(shm)) == (0o700, 0o600, 0o600, 0o600)


# -- the database deleted or replaced while open -----------------------------------------------------


def _wal_state(folder: Path) -> tuple[int, int]:
    wal = (folder / f"{DB_FILENAME}-wal").stat()
    return wal.st_size, wal.st_mtime_ns


def test_deleted_database_stops_recording_and_nothing_reaches_the_unlinked_file(
    tmp_path: Path, clock: ManualClock
) -> None:
    with SessionStore(tmp_path, clock) as store:
        sid = _patient(store)
        first = store.append(sid, EventKind.READING, {"map_mmHg": 64})
        store.check_file()  # still the file at the path: no error
        (tmp_path / DB_FILENAME).unlink()  # e.g. a clean-up script, or a user in the file manager
        wal_before = _wal_state(tmp_path)
        for value in (58, 59, 60):
            with pytest.raises(DatabaseReplacedError) as info:
                store.append(sid, EventKind.READING, {"map_mmHg": value})
            assert info.value.path == tmp_path / DB_FILENAME
            assert "deleted" in info.value.problem
            assert "not recorded" in info.value.problem
        with pytest.raises(DatabaseReplacedError):
            store.check_file()
        with pytest.raises(DatabaseReplacedError):
            store.create_session("bed 5", is_training=False, protocol_name="p", protocol_version="1")
        with pytest.raises(DatabaseReplacedError):
            store.close_session(sid)
        # Nothing was written to the unlinked file; what it holds can still be read and shown.
        assert _wal_state(tmp_path) == wal_before
        assert store.events(sid) == [first]
    # Closing copied what the lost file held into a salvage file, and took its WAL away from the path.
    assert store.salvaged_to is not None
    assert store.salvaged_to.parent == tmp_path
    if POSIX:
        assert _mode(store.salvaged_to) == 0o600
    assert not (tmp_path / f"{DB_FILENAME}-wal").exists()
    with SessionStore(tmp_path, clock) as fresh:
        assert fresh.list_sessions() == []  # a new, empty database; the lost WAL was not applied to it
    salvaged = sqlite3.connect(store.salvaged_to)
    try:
        rows = salvaged.execute("SELECT id, payload FROM events").fetchall()
    finally:
        salvaged.close()
    assert rows == [(first.id, '{"map_mmHg":64}')]


def test_replaced_database_stops_recording_and_neither_file_gets_the_entry(tmp_path: Path, clock: ManualClock) -> None:
    folder = tmp_path / "data"
    with SessionStore(folder, clock) as store:
        sid = _patient(store)
        first = store.append(sid, EventKind.READING, {"map_mmHg": 64})
        # Another file put in its place (a restored backup, a copy from another machine).
        replacement = tmp_path / "other"
        _filled_database(replacement, clock, readings=2)
        os.replace(replacement / DB_FILENAME, folder / DB_FILENAME)
        with pytest.raises(DatabaseReplacedError) as info:
            store.append(sid, EventKind.READING, {"map_mmHg": 58})
        assert "replaced" in info.value.problem
        assert store.events(sid) == [first]
    with SessionStore(folder, clock) as reopened:
        (only,) = reopened.list_sessions()
        # The replacement, untouched: the old connection's WAL was not applied to it.
        assert [e.payload["map_mmHg"] for e in reopened.events(only.id)] == [60, 61]
    assert store.salvaged_to is not None


def test_wal_left_without_its_database_is_set_aside_not_applied_to_a_new_file(
    tmp_path: Path, clock: ManualClock
) -> None:
    """A database deleted while a norepi-gui that was then killed had it open leaves its WAL behind."""
    db = tmp_path / DB_FILENAME
    with SessionStore(tmp_path, clock) as store:
        _patient(store)
        orphan = (tmp_path / f"{DB_FILENAME}-wal").read_bytes()
    assert len(orphan) > 32  # the WAL header and at least one frame
    db.unlink()
    (tmp_path / f"{DB_FILENAME}-wal").write_bytes(orphan)
    with SessionStore(tmp_path, clock) as fresh:
        assert fresh.list_sessions() == []
        assert any("set aside" in w for w in fresh.warnings)
    (aside,) = tmp_path.glob(f"{DB_FILENAME}-wal.orphaned-*")
    assert aside.read_bytes() == orphan


def test_database_replaced_between_insert_and_commit_is_rolled_back(
    tmp_path: Path, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    with SessionStore(tmp_path, clock) as store:
        sid = _patient(store)
        insert = store._insert_event

        def insert_then_delete_file(*args: object, **kwargs: object) -> object:
            event = insert(*args, **kwargs)  # type: ignore[arg-type]
            (tmp_path / DB_FILENAME).unlink()
            return event

        monkeypatch.setattr(store, "_insert_event", insert_then_delete_file)
        with pytest.raises(DatabaseReplacedError):
            store.append(sid, EventKind.READING, {"map_mmHg": 58})
        assert store.events(sid) == []


# -- a full disk mid-session -----------------------------------------------------------------------


def _big(i: int) -> dict[str, object]:
    return {"map_mmHg": 60 + i % 20, "note": "n" * 3000}


def test_full_database_refuses_each_append_and_records_again_once_there_is_space(
    tmp_path: Path, clock: ManualClock
) -> None:
    with SessionStore(tmp_path, clock) as store:
        sid = _patient(store)
        kept = [store.append(sid, EventKind.READING, _big(0))]
        (pages,) = store._db.execute("PRAGMA page_count").fetchone()
        store._db.execute(f"PRAGMA max_page_count={pages}")  # the file may not grow: as if the disk were full
        for i in range(1, 7):  # 6 of 6 readings refused, each with its own typed error
            clock.advance(minutes=1)
            with pytest.raises(DiskFullError) as info:
                store.append(sid, EventKind.READING, _big(i))
            assert "not recorded" in info.value.problem
            assert "disk is full" in info.value.problem
            assert "Free space" in info.value.remedy
        assert store.events(sid) == kept  # nothing half-written
        store._db.execute(f"PRAGMA max_page_count={pages * 100}")  # space is back
        kept.append(store.append(sid, EventKind.READING, _big(7)))
        assert [e.seq for e in kept] == [1, 2]
    with SessionStore(tmp_path, clock) as reopened:
        assert reopened.events(sid) == kept


def test_real_full_disk_refuses_each_append_and_records_again_once_space_is_freed(
    tmp_path: Path, clock: ManualClock
) -> None:
    with small_filesystem(tmp_path / "small", 1024) as folder:
        data = folder / "data"
        with SessionStore(data, clock) as store:
            sid = _patient(store)
            recorded = [store.append(sid, EventKind.READING, _big(0))]
            ballast = fill(folder)
            # SQLite may still reuse WAL space it already holds; what it records there is on disk. Sooner or
            # later an append needs new space and is refused.
            refused = 0
            for i in range(1, 2000):
                try:
                    recorded.append(store.append(sid, EventKind.READING, _big(i)))
                except DiskFullError:
                    refused += 1
                    if refused == 6:
                        break
            assert refused == 6
            assert store.events(sid) == recorded
            ballast.unlink()
            recorded.append(store.append(sid, EventKind.READING, _big(9999)))
            assert [e.seq for e in recorded] == list(range(1, len(recorded) + 1))
        with SessionStore(data, clock) as reopened:
            assert reopened.events(sid) == recorded


# -- resume what can be read -------------------------------------------------------------------------


def _insert_raw(folder: Path, rows: list[tuple[int, str, str, str]], session_id: int) -> None:
    """Rows (seq, at, kind, payload) written behind the store's back, as a newer version or a damaged disk might."""
    db = sqlite3.connect(folder / DB_FILENAME, isolation_level=None)
    try:
        for seq, at, kind, payload in rows:
            db.execute(
                "INSERT INTO events (session_id, seq, at, recorded_at, kind, payload) VALUES (?, ?, ?, ?, ?, ?)",
                (session_id, seq, at, "2026-01-01T08:00:00+00:00", kind, payload),
            )
    finally:
        db.close()


def test_unreadable_rows_never_stop_a_resume_and_each_is_listed_with_its_reason(
    tmp_path: Path, clock: ManualClock
) -> None:
    with SessionStore(tmp_path, clock) as store:
        sid = _patient(store)
        good = store.append(sid, EventKind.READING, {"map_mmHg": 64})
    ok_time = "2026-01-01T08:05:00+00:00"
    _insert_raw(
        tmp_path,
        [
            (2, ok_time, "VITALS_V9", '{"map_mmHg": 70}'),  # a kind from a newer norepi-gui
            (3, ok_time, "READING", '{"map_mmHg": 7'),  # cut-off JSON
            (4, ok_time, "READING", "[1, 2]"),  # JSON, but not an object
            (5, "yesterday", "READING", '{"map_mmHg": 66}'),  # not a time
            (6, "2026-01-01T08:06:00", "READING", '{"map_mmHg": 67}'),  # a time without a zone
            (7, ok_time, "READING", '{"map_mmHg": NaN}'),  # not finite
        ],
        sid,
    )
    with SessionStore(tmp_path, clock) as store:
        store.append(sid, EventKind.NOTE, {"text": "after the bad rows"})
        read = store.read_session(sid)
        assert [e.payload for e in read.events] == [{"map_mmHg": 64}, {"text": "after the bad rows"}]
        assert read.events[0] == good
        assert [(u.table, u.seq) for u in read.unreadable] == [("events", s) for s in (2, 3, 4, 5, 6, 7)]
        reasons = [u.reason for u in read.unreadable]
        assert "unknown event kind 'VITALS_V9'" in reasons[0]
        assert "newer norepi-gui" in reasons[0]
        assert "payload is not valid JSON" in reasons[1]
        assert "payload is not a JSON object" in reasons[2]
        assert "'yesterday' is not a time" in reasons[3]
        assert "has no time zone" in reasons[4]
        assert "NaN" in reasons[5]
        assert not read.complete
        # Everything that lists or folds sessions keeps working.
        assert [s.id for s in store.open_sessions()] == [sid]
        assert store.events(sid) == read.events
        assert [e.payload for e in store.effective_events(sid)] == [{"map_mmHg": 64}, {"text": "after the bad rows"}]


def test_correction_of_an_unreadable_event_is_listed_too_not_applied_to_nothing(
    tmp_path: Path, clock: ManualClock
) -> None:
    with SessionStore(tmp_path, clock) as store:
        sid = _patient(store)
    _insert_raw(tmp_path, [(1, "2026-01-01T08:00:00+00:00", "FUTURE_KIND", "{}")], sid)
    with SessionStore(tmp_path, clock) as store:
        (unknown,) = store.read_session(sid).unreadable
        raw = sqlite3.connect(tmp_path / DB_FILENAME, isolation_level=None)
        try:
            raw.execute(
                "INSERT INTO events (session_id, seq, at, recorded_at, kind, payload, supersedes)"
                " VALUES (?, 2, '2026-01-01T08:00:00+00:00', '2026-01-01T08:01:00+00:00', 'CORRECTION', '{}', ?)",
                (sid, unknown.row_id),
            )
        finally:
            raw.close()
        read = store.read_session(sid)
        assert read.events == []
        assert [(u.seq, u.reason) for u in read.unreadable] == [
            (1, unknown.reason),
            (2, f"supersedes event {unknown.row_id}, which could not be read"),
        ]
        assert store.effective_events(sid) == []


def test_session_row_with_an_unreadable_time_is_still_listed_and_says_so(tmp_path: Path, clock: ManualClock) -> None:
    with SessionStore(tmp_path, clock) as store:
        sid = _patient(store)
        store.append(sid, EventKind.READING, {"map_mmHg": 64})
    raw = sqlite3.connect(tmp_path / DB_FILENAME, isolation_level=None)
    try:
        raw.execute("UPDATE sessions SET created_at = 'garbled' WHERE id = ?", (sid,))
    finally:
        raw.close()
    with SessionStore(tmp_path, clock) as store:
        (info,) = store.open_sessions()
        assert info.id == sid
        read = store.read_session(sid)
        assert [e.payload for e in read.events] == [{"map_mmHg": 64}]
        assert [(u.table, u.row_id, u.reason) for u in read.unreadable] == [
            ("sessions", sid, "created_at 'garbled' is not a time; 1970-01-01 00:00 UTC is shown instead")
        ]
